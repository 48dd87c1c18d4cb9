//! The `jiceng` binary: a thin shell over the application layer.

mod access;
mod args;
mod demo;
mod dues;
mod funding;
mod import;
mod masses;
mod open;
mod ops;
mod org;
mod pairing;
mod progress;
mod rating;
mod recruitment;
mod render;
mod report;
mod scorecard;
mod serve;
mod tasks;
mod training;
mod transfers;

use std::process::ExitCode;

use anyhow::Result;
use clap::Parser;
use jiceng_app::crypto::Suite;
use jiceng_app::App;

use crate::args::{read_limits, Cli};
pub(crate) use crate::args::{Command, CryptoSuite, Format};
pub(crate) use crate::open::system_org;
use crate::open::{anchor_at_exit, open, AuditSetup, Opening, AUDIT};

fn main() -> ExitCode {
    let cli = Cli::parse();
    let rt = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .expect("tokio runtime");
    let config = jiceng_app::audit::AuditConfig {
        anchor: Some(
            cli.audit_anchor
                .clone()
                .unwrap_or_else(|| jiceng_app::audit::AuditConfig::default_anchor(&cli.key_file)),
        ),
        ..Default::default()
    }
    .with_retention(cli.audit_retention_months);
    let config = match config {
        Ok(c) => c,
        Err(e) => {
            eprintln!("错误：{e}");
            return ExitCode::from(2);
        }
    };
    let _ = AUDIT.set(AuditSetup {
        config,
        key_file: cli.key_file.clone(),
        opened: std::sync::Mutex::new(None),
    });
    let code = match rt.block_on(run(cli)) {
        Ok(code) => code,
        Err(e) => {
            eprintln!("错误：{e:#}");
            ExitCode::from(2)
        }
    };
    if let Err(e) = rt.block_on(anchor_at_exit()) {
        eprintln!("错误：未能写入审计锚点：{e:#}");
        return ExitCode::from(2);
    }
    code
}

async fn run(cli: Cli) -> Result<ExitCode> {
    jiceng_io::configure_limits(read_limits(&cli)?);
    let (db, key_file) = (cli.db.as_str(), cli.key_file.as_path());
    match cli.command {
        Command::Permissions => {
            print!(
                "{}",
                jiceng_web::routes::permissions_doc(&jiceng_web::route_table())
            );
            Ok(ExitCode::SUCCESS)
        }
        Command::Init { crypto } => {
            serve::init(db, key_file, crypto.map(Suite::from), Opening::Create).await
        }
        Command::Migrate => serve::init(db, key_file, None, Opening::Existing).await,
        Command::Demo(args) => serve::demo(db, key_file, args).await,
        Command::Serve(args) => serve::serve(db, key_file, args).await,
        Command::Gen(args) => import::generate(db, key_file, args).await,
        #[cfg(feature = "bench")]
        Command::Bench(args) => {
            jiceng_bench::run(args).await?;
            Ok(ExitCode::SUCCESS)
        }
        Command::Key {
            cmd: access::KeyCmd::Fingerprint,
        } => access::fingerprint(db, key_file).await,
        Command::Backup { file, force } => ops::backup(db, &file, force).await,
        Command::Restore { file, force } => {
            let explicit_anchor = cli.audit_anchor.is_some();
            ops::restore(db, key_file, explicit_anchor, &file, force).await
        }
        Command::Import(args) => {
            on_app(db, key_file, async |app| import::import(app, args).await).await
        }
        Command::Org { what } => on_app(db, key_file, async |app| org::org(app, what).await).await,
        Command::Report(args) => {
            on_app(db, key_file, async |app| report::report(app, args).await).await
        }
        Command::Scorecard { cmd } => {
            on_app(db, key_file, async |app| scorecard::command(app, cmd).await).await
        }
        Command::Recruitment { cmd } => {
            on_app(db, key_file, async |app| {
                recruitment::command(app, cmd).await
            })
            .await
        }
        Command::User { cmd } => {
            on_app(db, key_file, async |app| access::user(app, cmd).await).await
        }
        Command::Audit { cmd } => {
            on_app(db, key_file, async |app| access::audit(app, cmd).await).await
        }
        Command::Key { cmd } => on_app(db, key_file, async |app| access::key(app, cmd).await).await,
        Command::Rate { org, year, format } => {
            let json = format == Format::Json;
            on_app(db, key_file, async |app| {
                rating::rate(app, &org, year, json).await
            })
            .await
        }
        Command::Rating { cmd } => {
            on_app(db, key_file, async |app| rating::rating_cmd(app, cmd).await).await
        }
        Command::Weak { cmd } => {
            on_app(db, key_file, async |app| rating::weak_cmd(app, cmd).await).await
        }
        Command::Rectify { cmd } => {
            on_app(db, key_file, async |app| {
                rating::rectify_cmd(app, cmd).await
            })
            .await
        }
        Command::Refresh => {
            on_app(db, key_file, async |app| {
                ops::refresh(app).await?;
                Ok(ExitCode::SUCCESS)
            })
            .await
        }
    }
}

/// Runs a command on the opened database, and closes it after the command succeeded.
async fn on_app(
    db: &str,
    key_file: &std::path::Path,
    command: impl AsyncFnOnce(&App) -> Result<ExitCode>,
) -> Result<ExitCode> {
    let app = open(db, key_file).await?;
    let code = command(&app).await?;
    app.close().await;
    Ok(code)
}
