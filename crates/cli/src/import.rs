//! `jiceng gen` and `jiceng import`: records into the database, generated or from files.

use std::path::{Path, PathBuf};
use std::process::ExitCode;

use anyhow::{bail, Context, Result};
use jiceng_app::import::{ImportOptions, ImportReport};
use jiceng_app::App;

use crate::args::{Format, GenArgs, ImportArgs, ImportKind};
use crate::open::{open, system_org};
use crate::{progress, render};

/// `jiceng gen`: the division tables are found before the database is opened.
pub(crate) async fn generate(db: &str, key_file: &Path, args: GenArgs) -> Result<ExitCode> {
    let divs = if args.region.is_none() && !args.national {
        jiceng_gen::Divisions::embedded_county()
    } else {
        let dir = args.divisions.or_else(default_divisions).context(
            "找不到区划数据目录：请用 --divisions 指定（含 provinces.csv.gz 等文件，见 shared/data/divisions）",
        )?;
        jiceng_gen::Divisions::load(&dir, args.region.as_deref())?
    };
    let app = open(db, key_file).await?;
    let s = jiceng_app::generate::run(&app, divs, args.seed, &progress::Bar::new()).await?;
    match args.format {
        Format::Json => println!("{}", serde_json::to_string_pretty(&s)?),
        _ => println!(
            "已生成 {} 个县级批次：{} 个党组织，{} 名党员，{} 个职务，{} 个单位，{} 次组织生活；用时 {:.1} 秒，{:.0} 行/秒",
            s.counties, s.orgs, s.members, s.positions, s.units, s.meetings, s.seconds, s.rows_per_second
        ),
    }
    app.close().await;
    Ok(ExitCode::SUCCESS)
}

/// `shared/data/divisions` beside the checkout, where the project keeps it.
fn default_divisions() -> Option<PathBuf> {
    [
        "../shared/data/divisions",
        "shared/data/divisions",
        "../../shared/data/divisions",
    ]
    .iter()
    .map(PathBuf::from)
    .find(|p| p.join("provinces.csv.gz").exists())
}

/// `jiceng import`: exit 1 when rows were bad and `--skip-invalid` was not given.
pub(crate) async fn import(app: &App, args: ImportArgs) -> Result<ExitCode> {
    let task = match (args.what, args.task) {
        (ImportKind::TaskOutcomes, Some(id)) => Some(id),
        (ImportKind::TaskOutcomes, None) => {
            bail!("导入任务完成情况须用 --task 指明任务（任务编号）")
        }
        (_, Some(_)) => bail!("--task 只用于 task-outcomes（任务完成情况）"),
        (_, None) => None,
    };
    let org = match &args.org {
        Some(key) => Some(system_org(app, key).await?),
        None => None,
    };
    let opts = ImportOptions {
        org,
        dry_run: args.dry_run,
        skip_invalid: args.skip_invalid,
        actor: jiceng_app::access::Actor::system(),
    };
    let (file, bar) = (&args.file, progress::Bar::new());
    let report: ImportReport = match args.what {
        ImportKind::Orgs => jiceng_app::import::orgs::run(app, file, &opts, &bar).await?,
        ImportKind::Members => jiceng_app::import::members::run(app, file, &opts, &bar).await?,
        ImportKind::Units => jiceng_app::import::units::run(app, file, &opts, &bar).await?,
        ImportKind::Meetings => jiceng_app::import::meetings::run(app, file, &opts, &bar).await?,
        ImportKind::Transfers => jiceng_app::import::transfers::run(app, file, &opts, &bar).await?,
        ImportKind::Dues => jiceng_app::import::dues::run(app, file, &opts, &bar).await?,
        ImportKind::Training => jiceng_app::import::training::run(app, file, &opts, &bar).await?,
        ImportKind::Funding => jiceng_app::import::funding::run(app, file, &opts, &bar).await?,
        ImportKind::Requests => jiceng_app::import::requests::run(app, file, &opts, &bar).await?,
        ImportKind::Pairing => jiceng_app::import::pairing::run(app, file, &opts, &bar).await?,
        ImportKind::Recruitment => {
            jiceng_app::import::recruitment::run(app, file, &opts, &bar).await?
        }
        ImportKind::TaskOutcomes => {
            let task = task.unwrap_or_default();
            jiceng_app::import::task_outcomes::run(app, file, task, &opts, &bar).await?
        }
    };
    match args.format {
        Format::Json => println!("{}", serde_json::to_string_pretty(&report)?),
        _ => print!("{}", render::import(&report, args.skip_invalid)),
    }
    Ok(if report.ok() || args.skip_invalid {
        ExitCode::SUCCESS
    } else {
        ExitCode::from(1)
    })
}
