//! The `jiceng` binary: a thin shell over the application layer.

mod access;
mod demo;
mod progress;
mod rating;
mod render;

use std::path::{Path, PathBuf};
use std::process::ExitCode;

use anyhow::{Context, Result};
use clap::{Parser, Subcommand, ValueEnum};
use jiceng_app::admin::Store;
use jiceng_app::crypto::Suite;
use jiceng_app::import::{ImportOptions, ImportReport};
use jiceng_app::{clock, App, Crypto};

#[derive(Parser)]
#[command(name = "jiceng", version, about = "基层党建工作体系 — jiceng")]
struct Cli {
    /// Database URL: sqlite://PATH or postgres://…
    #[arg(
        long,
        global = true,
        env = "JICENG_DB",
        default_value = "sqlite://jiceng.db"
    )]
    db: String,
    /// File holding the key that protects ID numbers (used when JICENG_KEY is not set;
    /// created by init).
    #[arg(
        long,
        global = true,
        env = "JICENG_KEY_FILE",
        default_value = "jiceng.key"
    )]
    key_file: PathBuf,
    /// The audit anchor file (append-only, outside the database; default
    /// jiceng-audit.anchor beside the key file): the log's last entry and MAC are added to
    /// it by every command that wrote to the log and by the server every few minutes.
    #[arg(long, global = true, env = "JICENG_AUDIT_ANCHOR")]
    audit_anchor: Option<PathBuf>,
    /// Months the audit log is kept at least (6 or more).
    #[arg(long, global = true, env = "JICENG_AUDIT_RETENTION_MONTHS", default_value_t = jiceng_app::audit::MIN_RETENTION_MONTHS)]
    audit_retention_months: u32,
    /// Imports: the highest row number a spreadsheet's value may sit in. Every cap on a
    /// spreadsheet read is also set by JICENG_IMPORT_MAX_{FILE_MB,UNZIPPED_MB,ROWS,COLUMNS,
    /// CELLS,CELL_CHARS,TEXT_MB,SHARED_STRINGS} (defaults: jiceng_io::ReadLimits).
    #[arg(long, global = true, env = "JICENG_IMPORT_MAX_ROWS", value_parser = clap::value_parser!(u64).range(1..))]
    import_max_rows: Option<u64>,
    /// Imports: the most cells (rows with data × columns) a spreadsheet may hold.
    #[arg(long, global = true, env = "JICENG_IMPORT_MAX_CELLS", value_parser = clap::value_parser!(u64).range(1..))]
    import_max_cells: Option<u64>,
    /// Imports: the largest spreadsheet file, in MB.
    #[arg(long, global = true, env = "JICENG_IMPORT_MAX_FILE_MB", value_parser = clap::value_parser!(u64).range(1..))]
    import_max_file_mb: Option<u64>,
    #[command(subcommand)]
    command: Command,
}

/// How `open` builds the app's audit policy, and the database it last opened: a command
/// that wrote to the audit log anchors it before the process ends (`anchor_at_exit`).
struct AuditSetup {
    config: jiceng_app::audit::AuditConfig,
    key_file: PathBuf,
    opened: std::sync::Mutex<Option<String>>,
}

static AUDIT: std::sync::OnceLock<AuditSetup> = std::sync::OnceLock::new();

/// The spreadsheet read limits of this process: the environment, then the flags.
fn read_limits(cli: &Cli) -> Result<jiceng_io::ReadLimits> {
    let mut l = jiceng_io::ReadLimits::from_env().map_err(anyhow::Error::msg)?;
    if let Some(n) = cli.import_max_rows {
        l.max_rows = n as usize;
    }
    if let Some(n) = cli.import_max_cells {
        l.max_cells = n as usize;
    }
    if let Some(n) = cli.import_max_file_mb {
        l.max_file_bytes = n.saturating_mul(1024 * 1024);
    }
    Ok(l)
}

#[derive(Subcommand)]
enum OrgCommand {
    /// Record a dated fact: election, committee_set, committee_none, term_postponed
    /// (with --until), secretary_vacant.
    Event {
        /// The org: its code, or its exact name where unique.
        #[arg(long)]
        org: String,
        #[arg(long)]
        kind: String,
        /// The day it happened (for term_postponed: the day of the approval).
        #[arg(long)]
        on: chrono::NaiveDate,
        /// term_postponed: the day the postponed term ends (at most the rule's limit).
        #[arg(long)]
        until: Option<chrono::NaiveDate>,
        /// The basis (批准文件, 会议) recorded in the org's history.
        #[arg(long)]
        reason: String,
    },
    /// Set the approved term length, the 台账起始日, the committee statement or 临时党支部.
    Set {
        #[arg(long)]
        org: String,
        /// Approved term length in years (0: back to the rule for the kind).
        #[arg(long)]
        term_years: Option<i64>,
        /// 台账起始日: nothing before it is judged.
        #[arg(long)]
        records_from: Option<chrono::NaiveDate>,
        /// yes, no or unknown (暂无数据).
        #[arg(long)]
        committee: Option<String>,
        /// The day the committee was set up or dissolved.
        #[arg(long)]
        committee_on: Option<chrono::NaiveDate>,
        #[arg(long)]
        temporary: Option<bool>,
        #[arg(long)]
        reason: String,
    },
}

#[derive(Subcommand)]
enum Command {
    /// Create the database and its key (if missing) and bring the schema up to date. Only
    /// init (and demo) creates a database or a key: every other command refuses a missing
    /// or empty database file, a database that is not jiceng's, or a missing key file.
    Init {
        /// The crypto suite protecting ID numbers and phones and keying the audit chain,
        /// chosen once per database: aes (AES-256-GCM + HMAC-SHA256, the default) or sm
        /// (国密 SM4-GCM + HMAC-SM3). An existing database keeps its own.
        #[arg(long, value_enum)]
        crypto: Option<CryptoSuite>,
    },
    /// Bring the schema up to date.
    Migrate,
    /// Print who may do what: the permission table (role × action) and every page and API
    /// route with the action guarding it, as docs/PERMISSIONS.md has them.
    Permissions,
    /// Build the demo county on SQLite (only if the database is empty), create one demo
    /// account per role, print the reports and the accounts, and serve the web application.
    Demo {
        /// The demo's own database, unless --db is given explicitly.
        #[arg(long, default_value = "sqlite://jiceng-demo.db")]
        demo_db: String,
        /// Where the web application listens.
        #[arg(long, default_value = "127.0.0.1:8080")]
        bind: String,
        /// Build and print only; do not start the server.
        #[arg(long)]
        no_serve: bool,
    },
    /// Serve the web application (pages and the JSON API under /api/v1).
    Serve {
        #[arg(long, env = "JICENG_BIND", default_value = "127.0.0.1:8080")]
        bind: String,
        /// Mark session cookies Secure (the server is behind TLS).
        #[arg(long)]
        secure_cookies: bool,
        /// Minutes between refreshes of the stored compliance summaries (the city and
        /// province levels of the organizational-life report).
        #[arg(long, default_value_t = 5, value_parser = clap::value_parser!(u64).range(1..))]
        summary_refresh_minutes: u64,
        /// Minutes between audit anchors (the log's last entry and MAC added to the anchor
        /// file when it moved; also at shutdown).
        #[arg(long, default_value_t = 5, value_parser = clap::value_parser!(u64).range(1..))]
        audit_anchor_minutes: u64,
        /// The largest spreadsheet an import upload may carry, in MB.
        #[arg(long, env = "JICENG_IMPORT_UPLOAD_MB", default_value_t = jiceng_web::IMPORT_UPLOAD_DEFAULT / (1024 * 1024), value_parser = clap::value_parser!(u64).range(1..))]
        import_upload_mb: u64,
        /// How many uploaded spreadsheets are read at once (more wait their turn).
        #[arg(long, env = "JICENG_IMPORT_CONCURRENCY", default_value_t = jiceng_web::IMPORT_CONCURRENCY_DEFAULT as u64, value_parser = clap::value_parser!(u64).range(1..))]
        import_concurrency: u64,
        /// The reverse proxy in front (its address): only its X-Forwarded-For names the
        /// client, for the login throttle.
        #[arg(long, env = "JICENG_TRUSTED_PROXY")]
        trusted_proxy: Option<std::net::IpAddr>,
        /// Logins a client address may try per minute (after a burst of --login-burst).
        #[arg(long, default_value_t = 10.0)]
        login_per_minute: f64,
        #[arg(long, default_value_t = 20.0)]
        login_burst: f64,
        /// Logins the whole server accepts per second (after a burst of twice that).
        #[arg(long, default_value_t = 20.0)]
        login_global_per_second: f64,
        /// Hours a session lasts at most, however much it is used.
        #[arg(long, default_value_t = 12, value_parser = clap::value_parser!(i64).range(1..))]
        session_max_hours: i64,
    },
    /// Generate synthetic data on the real division skeleton into an empty database.
    Gen {
        /// Division code prefix: 37 a province, 3701 a city, 370102 a county.
        #[arg(long, conflicts_with = "national")]
        region: Option<String>,
        /// The whole nation.
        #[arg(long)]
        national: bool,
        #[arg(long, default_value_t = 1)]
        seed: u64,
        /// Folder of the division tables (provinces.csv.gz …); without --region or
        /// --national the embedded demo county is used.
        #[arg(long, env = "JICENG_DIVISIONS")]
        divisions: Option<PathBuf>,
        #[arg(long, value_enum, default_value_t = Format::Table)]
        format: Format,
    },
    /// Import orgs, members, units or a meeting ledger (三会一课台账) from .xlsx, .xls or .csv.
    Import {
        #[arg(value_enum)]
        what: ImportKind,
        file: PathBuf,
        /// The subtree in which names in the file are resolved (code or unique name).
        #[arg(long)]
        org: Option<String>,
        /// Check every row and report, write nothing.
        #[arg(long)]
        dry_run: bool,
        /// Write the valid rows even if some rows are bad.
        #[arg(long)]
        skip_invalid: bool,
        #[arg(long, value_enum, default_value_t = Format::Table)]
        format: Format,
    },
    /// An org's dated facts and settings, by hand: an election (换届), a committee set up
    /// or dissolved, an approved postponement, a secretary vacancy; the approved term
    /// length, 台账起始日, the committee statement, 临时党支部. Recorded in the org's
    /// history and the audit log.
    Org {
        #[command(subcommand)]
        what: OrgCommand,
    },
    /// Derived reports for a subtree.
    Report {
        #[arg(value_enum)]
        what: ReportKind,
        /// The org: its code, or its exact name where unique.
        #[arg(long)]
        org: String,
        /// The day the report is for (YYYY-MM-DD; default today in China Standard Time).
        #[arg(long)]
        as_of: Option<chrono::NaiveDate>,
        #[arg(long, value_enum, default_value_t = Format::Table)]
        format: Format,
        /// Where to write an xlsx report (default: a name from the report and org).
        #[arg(long)]
        out: Option<PathBuf>,
        /// The period of a compliance report: 2026-08 (a month), 2026Q3 (a quarter) or
        /// 2026 (a year).
        #[arg(long)]
        period: Option<String>,
        /// The year of a weak-org, rectification or ratings report.
        #[arg(long)]
        year: Option<i32>,
    },
    /// Recompute every org's derived facts (after a restore, or each day for age bands).
    Refresh,
    /// 备份数据库（在用时也可）：SQLite 用 VACUUM INTO 得到一致的副本，PostgreSQL 调用 pg_dump -Fc；FILE 旁写出清单 FILE.manifest.json（版本、架构版本、密钥指纹、审计链头、主要数据表行数、SHA-256）。不需要密钥。直接复制在用的 .db 文件不是备份（WAL）。
    Backup {
        /// 备份文件（如 backups/jiceng-2026-12-15.db；PostgreSQL 为 pg_dump 自定义格式）。
        file: PathBuf,
        /// 覆盖已存在的同名备份。
        #[arg(long)]
        force: bool,
    },
    /// 从备份恢复数据库：先核对清单、校验和、完整性（PRAGMA integrity_check）、架构版本和密钥（--key-file 须为做备份时的密钥），全部通过才替换在用数据库；服务运行时拒绝。恢复后运行审计链校验和 refresh 并显示结果。
    Restore {
        /// 备份文件（旁边须有 FILE.manifest.json）。
        file: PathBuf,
        /// 替换已有数据的数据库（原数据库改名保留：SQLite 为 PATH.before-restore-时间，PostgreSQL 为 库名_before_restore_时间）。
        #[arg(long)]
        force: bool,
    },
    /// Rate every org of a subtree for a year (分类定级) from stored facts; store the stars
    /// and the suspected weaknesses.
    Rate {
        #[arg(long)]
        org: String,
        #[arg(long)]
        year: i32,
        #[arg(long, value_enum, default_value_t = Format::Table)]
        format: Format,
    },
    /// Ratings: one org's in full, hand adjustments and scores, the indicator sets.
    Rating {
        #[command(subcommand)]
        cmd: rating::RatingCmd,
    },
    /// Weak orgs (软弱涣散): confirm or dismiss, and the records their signals read.
    Weak {
        #[command(subcommand)]
        cmd: rating::WeakCmd,
    },
    /// Rectification (整顿) of a weak org: plan, assistance, progress, 验收销号, review.
    Rectify {
        #[command(subcommand)]
        cmd: rating::RectifyCmd,
    },
    /// Users: add, list, disable, reset-password, role (and scope), 2fa enrol|reset.
    User {
        #[command(subcommand)]
        cmd: access::UserCmd,
    },
    /// The audit log: verify its hash chain.
    Audit {
        #[command(subcommand)]
        cmd: access::AuditCmd,
    },
    /// The key protecting ID numbers: rotate it, or check a key file's fingerprint.
    Key {
        #[command(subcommand)]
        cmd: access::KeyCmd,
    },
    /// Measure generation, import, reports and HTTP on generated data sets (county,
    /// province, nation) against the targets; see docs/PERFORMANCE.md.
    #[cfg(feature = "bench")]
    Bench(jiceng_bench::BenchArgs),
}

#[derive(Clone, Copy, ValueEnum)]
enum ImportKind {
    Orgs,
    Members,
    Units,
    Meetings,
}

#[derive(Clone, Copy, ValueEnum)]
enum ReportKind {
    Structure,
    Coverage,
    Members,
    Compliance,
    Weak,
    Rectification,
    Ratings,
}

/// The crypto suites on the command line (`jiceng_app::crypto::Suite`).
#[derive(Clone, Copy, PartialEq, Eq, ValueEnum)]
pub(crate) enum CryptoSuite {
    /// AES-256-GCM + HMAC-SHA256.
    Aes,
    /// 国密 SM4-GCM + HMAC-SM3.
    Sm,
}

impl From<CryptoSuite> for Suite {
    fn from(c: CryptoSuite) -> Suite {
        match c {
            CryptoSuite::Aes => Suite::Aes,
            CryptoSuite::Sm => Suite::Sm,
        }
    }
}

#[derive(Clone, Copy, PartialEq, Eq, ValueEnum)]
enum Format {
    Json,
    Table,
    Xlsx,
}

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

async fn open(db: &str, key_file: &Path) -> Result<App> {
    open_with(db, key_file, None, Opening::Existing).await
}

/// What a command may create when it opens the database.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Opening {
    /// `init` and the demo: the database if missing, and a key file if missing while the
    /// database records no key.
    Create,
    /// Every other command: a missing or empty SQLite file, a database without jiceng's
    /// schema or a missing key file is an error, never a new empty system or a new key.
    Existing,
}

/// Opens the database with the key and the crypto suite it was initialised with (`suite`
/// for a new one, default `aes`); a `suite` other than the database's is refused.
async fn open_with(
    db: &str,
    key_file: &Path,
    suite: Option<Suite>,
    opening: Opening,
) -> Result<App> {
    let shown = jiceng_app::admin::redact(db);
    let store = match opening {
        Opening::Create => Store::open(db).await,
        Opening::Existing => Store::open_existing(db).await,
    }
    .with_context(|| format!("打开数据库 {shown}"))?;
    let crypto =
        jiceng_app::privacy::load_key(&store, key_file, suite, opening == Opening::Create).await?;
    let mut app = App::new(store, crypto);
    if let Some(setup) = AUDIT.get() {
        app.audit = setup.config.clone();
        *setup.opened.lock().unwrap_or_else(|e| e.into_inner()) = Some(db.to_string());
    }
    jiceng_app::privacy::check_key(&app).await?;
    Ok(app)
}

/// Adds the audit log's head to the anchor file when this process wrote to the log
/// (the app's store is closed by then: the database is opened again).
async fn anchor_at_exit() -> Result<()> {
    let Some(setup) = AUDIT.get() else {
        return Ok(());
    };
    let db = setup
        .opened
        .lock()
        .unwrap_or_else(|e| e.into_inner())
        .clone();
    let Some(db) = db else { return Ok(()) };
    if !jiceng_app::audit::wrote_entries() {
        return Ok(());
    }
    let store = Store::open_existing(&db)
        .await
        .with_context(|| format!("打开数据库 {}", jiceng_app::admin::redact(&db)))?;
    let suite = jiceng_app::privacy::database_suite(&store)
        .await?
        .unwrap_or_default();
    let mut app = App::new(store, Crypto::load_existing(&setup.key_file, suite)?);
    app.audit = setup.config.clone();
    // After `key rotate` the key file given is no longer the database's: the rotation
    // anchored the log with the new key itself.
    if jiceng_app::privacy::check_key(&app).await.is_ok() {
        jiceng_app::audit::write_anchor(&app).await?;
    }
    app.close().await;
    Ok(())
}

async fn run(cli: Cli) -> Result<ExitCode> {
    jiceng_io::configure_limits(read_limits(&cli)?);
    match cli.command {
        Command::Permissions => {
            print!(
                "{}",
                jiceng_web::routes::permissions_doc(&jiceng_web::route_table())
            );
            Ok(ExitCode::SUCCESS)
        }
        Command::Init { .. } | Command::Migrate => {
            let suite = match cli.command {
                Command::Init { crypto } => crypto.map(Suite::from),
                _ => None,
            };
            let opening = match cli.command {
                Command::Init { .. } => Opening::Create,
                _ => Opening::Existing,
            };
            let app = open_with(&cli.db, &cli.key_file, suite, opening).await?;
            let suite = app.crypto.suite();
            println!(
                "数据库已就绪：{}（架构版本 {}，加密套件 {}：{}）",
                cli.db,
                jiceng_app::admin::latest_migration(),
                suite.code(),
                suite.label()
            );
            app.close().await;
            Ok(ExitCode::SUCCESS)
        }
        Command::Demo {
            demo_db,
            bind,
            no_serve,
        } => {
            let explicit = std::env::args().any(|a| a == "--db" || a.starts_with("--db="))
                || std::env::var("JICENG_DB").is_ok();
            let db = if explicit { cli.db.clone() } else { demo_db };
            let app = open_with(&db, &cli.key_file, None, Opening::Create).await?;
            let empty = jiceng_app::admin::org_count(&app).await? == 0;
            if empty {
                println!("正在生成演示县（真实区划名称，人员均为虚构）…");
                let s = jiceng_app::generate::run(
                    &app,
                    jiceng_gen::Divisions::embedded_county(),
                    1,
                    &progress::Bar::new(),
                )
                .await?;
                println!(
                    "已生成：{} 个党组织，{} 名党员，{} 个单位，近一年 {} 次组织生活（{:.1} 秒）",
                    s.orgs, s.members, s.units, s.meetings, s.seconds
                );
                // This year's stars and suspected weaknesses, as the department would rate
                // them, so the rating and weak-organization pages have something to show.
                let root = demo_root(&app).await?;
                let year = chrono::Datelike::year(&app.today());
                let grant =
                    jiceng_app::access::Actor::system().grant::<jiceng_app::access::Rate>()?;
                let root = system_org(&app, &root).await?;
                let r = jiceng_app::rating::rate(&app, &grant, &root, year).await?;
                println!(
                    "已完成{year}年度星级评定：{} 个党组织评定，{} 个疑似软弱涣散（待组织部门确定或排除）",
                    r.rated, r.suspected_orgs
                );
            }
            let root = demo_root(&app).await?;
            let today = clock::today();
            let top = system_org(&app, &root).await?;
            let st = jiceng_app::reports::structure::run(&app, &top, today).await?;
            print!("{}", render::structure(&st));
            let cov = jiceng_app::reports::coverage::run(&app, &top).await?;
            print!("{}", render::coverage(&cov));
            println!("\n数据库：{db}\n查看党员结构：jiceng --db {db} report members --org {root}");
            let accounts = demo::ensure_accounts(&app, &root).await?;
            println!("\n演示账号（密码仅用于演示数据库，切勿用于真实数据）：");
            for a in &accounts {
                println!("  {:<16} 密码 {:<24} {}", a.username, a.password, a.note);
            }
            println!("\n特权账号须使用动态验证码（TOTP，SHA-1，6位，30秒）。登录时输入密码后，再输入验证码：");
            for a in accounts.iter().filter(|a| a.totp_secret.is_some()) {
                println!(
                    "  {:<16} 密钥 {}",
                    a.username,
                    a.totp_secret.as_deref().unwrap_or_default()
                );
            }
            println!("验证码可用任意身份验证器App（Google Authenticator、Microsoft Authenticator、FreeOTP…，\n“手动输入密钥”）计算，或在命令行：oathtool --totp -b <密钥>");
            if no_serve {
                app.close().await;
                return Ok(ExitCode::SUCCESS);
            }
            println!("\n网页地址：http://{bind}/    （API：http://{bind}/api/v1/openapi.json；按 Ctrl+C 停止）");
            let lease = jiceng_app::lease::take(&app, &format!("jiceng demo {bind}")).await?;
            let store = app.clone();
            let served = jiceng_web::serve(app, &bind).await;
            lease.release().await;
            // Checkpoints the WAL: the `.db` alone holds what the server wrote.
            store.close().await;
            served.with_context(|| format!("无法在 {bind} 上启动网页服务"))?;
            Ok(ExitCode::SUCCESS)
        }
        Command::Serve {
            bind,
            secure_cookies,
            summary_refresh_minutes,
            audit_anchor_minutes,
            import_upload_mb,
            import_concurrency,
            trusted_proxy,
            login_per_minute,
            login_burst,
            login_global_per_second,
            session_max_hours,
        } => {
            let mut app = open(&cli.db, &cli.key_file).await?;
            app.audit.anchor_every = std::time::Duration::from_secs(audit_anchor_minutes * 60);
            app.auth.max_session_minutes = session_max_hours * 60;
            println!(
                "网页地址：http://{bind}/    （数据库：{}；按 Ctrl+C 停止）",
                jiceng_app::admin::redact(&cli.db)
            );
            // The lease: key rotation and restore refuse while this server runs.
            let lease = jiceng_app::lease::take(&app, &format!("jiceng serve {bind}")).await?;
            let store = app.clone();
            let served = jiceng_web::serve_with(
                app,
                &bind,
                jiceng_web::WebConfig {
                    secure_cookies,
                    summary_refresh: Some(std::time::Duration::from_secs(
                        summary_refresh_minutes * 60,
                    )),
                    import_max_bytes: Some(import_upload_mb.saturating_mul(1024 * 1024)),
                    import_concurrency: Some(import_concurrency as usize),
                    trusted_proxy,
                    login_limits: jiceng_web::throttle::LoginLimits {
                        per_address_per_minute: login_per_minute,
                        address_burst: login_burst,
                        global_per_second: login_global_per_second,
                        global_burst: 2.0 * login_global_per_second,
                        ..Default::default()
                    },
                    ..Default::default()
                },
            )
            .await;
            lease.release().await;
            store.close().await;
            served.with_context(|| format!("无法在 {bind} 上启动网页服务"))?;
            Ok(ExitCode::SUCCESS)
        }
        Command::Gen {
            region,
            national,
            seed,
            divisions,
            format,
        } => {
            let divs = if region.is_none() && !national {
                jiceng_gen::Divisions::embedded_county()
            } else {
                let dir = divisions.or_else(default_divisions).context(
                    "找不到区划数据目录：请用 --divisions 指定（含 provinces.csv.gz 等文件，见 shared/data/divisions）",
                )?;
                jiceng_gen::Divisions::load(&dir, region.as_deref())?
            };
            let app = open(&cli.db, &cli.key_file).await?;
            let s = jiceng_app::generate::run(&app, divs, seed, &progress::Bar::new()).await?;
            match format {
                Format::Json => println!("{}", serde_json::to_string_pretty(&s)?),
                _ => println!(
                    "已生成 {} 个县级批次：{} 个党组织，{} 名党员，{} 个职务，{} 个单位，{} 次组织生活；用时 {:.1} 秒，{:.0} 行/秒",
                    s.counties, s.orgs, s.members, s.positions, s.units, s.meetings, s.seconds, s.rows_per_second
                ),
            }
            app.close().await;
            Ok(ExitCode::SUCCESS)
        }
        Command::Import {
            what,
            file,
            org,
            dry_run,
            skip_invalid,
            format,
        } => {
            let app = open(&cli.db, &cli.key_file).await?;
            let org = match org {
                Some(key) => Some(system_org(&app, &key).await?),
                None => None,
            };
            let opts = ImportOptions {
                org,
                dry_run,
                skip_invalid,
                actor: jiceng_app::access::Actor::system(),
            };
            let bar = progress::Bar::new();
            let report: ImportReport = match what {
                ImportKind::Orgs => jiceng_app::import::orgs::run(&app, &file, &opts, &bar).await?,
                ImportKind::Members => {
                    jiceng_app::import::members::run(&app, &file, &opts, &bar).await?
                }
                ImportKind::Units => {
                    jiceng_app::import::units::run(&app, &file, &opts, &bar).await?
                }
                ImportKind::Meetings => {
                    jiceng_app::import::meetings::run(&app, &file, &opts, &bar).await?
                }
            };
            match format {
                Format::Json => println!("{}", serde_json::to_string_pretty(&report)?),
                _ => print!("{}", render::import(&report, skip_invalid)),
            }
            app.close().await;
            Ok(if report.ok() || skip_invalid {
                ExitCode::SUCCESS
            } else {
                ExitCode::from(1)
            })
        }
        Command::Org { what } => {
            let app = open(&cli.db, &cli.key_file).await?;
            let grant = jiceng_app::access::Actor::system().grant()?;
            match what {
                OrgCommand::Event {
                    org,
                    kind,
                    on,
                    until,
                    reason,
                } => {
                    let o = system_org(&app, &org).await?;
                    let e = jiceng_app::org_admin::EventInput { kind, on, until };
                    jiceng_app::org_admin::record_event(&app, &grant, &o, &e, &reason).await?;
                    println!("已登记：{}", o.org.name);
                }
                OrgCommand::Set {
                    org,
                    term_years,
                    records_from,
                    committee,
                    committee_on,
                    temporary,
                    reason,
                } => {
                    let o = system_org(&app, &org).await?;
                    let mut f = jiceng_app::org_admin::OrgFields::of(&o.org);
                    if let Some(y) = term_years {
                        f.term_years = (y > 0).then_some(y);
                    }
                    f.records_from = records_from;
                    if let Some(c) = committee {
                        f.committee = match c.as_str() {
                            "yes" | "是" => Some(true),
                            "no" | "否" => Some(false),
                            "unknown" | "" => None,
                            other => anyhow::bail!("--committee 应为 yes、no 或 unknown：{other}"),
                        };
                    }
                    f.committee_on = committee_on;
                    if let Some(t) = temporary {
                        f.temporary = t;
                    }
                    jiceng_app::org_admin::edit(&app, &grant, &o, &f, &reason).await?;
                    println!("已保存：{}", o.org.name);
                }
            }
            Ok(ExitCode::SUCCESS)
        }
        Command::Report {
            what,
            org,
            as_of,
            format,
            out,
            period,
            year,
        } => {
            let app = open(&cli.db, &cli.key_file).await?;
            let need_year = || year.context("此报告需要 --year（如 2026）");
            let day = as_of.unwrap_or_else(clock::today);
            let (json, table, sheets, name) = match what {
                ReportKind::Structure => {
                    let root = system_org(&app, &org).await?;
                    let r = jiceng_app::reports::structure::run(&app, &root, day).await?;
                    (
                        serde_json::to_string_pretty(&r)?,
                        render::structure(&r),
                        r.to_sheets(),
                        format!("组织设置-{}", r.org.name),
                    )
                }
                ReportKind::Coverage => {
                    let root = system_org(&app, &org).await?;
                    let r = jiceng_app::reports::coverage::run(&app, &root).await?;
                    (
                        serde_json::to_string_pretty(&r)?,
                        render::coverage(&r),
                        r.to_sheets(),
                        format!("覆盖情况-{}", r.org.name),
                    )
                }
                ReportKind::Members => {
                    let root = system_org(&app, &org).await?;
                    let r = jiceng_app::reports::members::run(&app, &root, day).await?;
                    (
                        serde_json::to_string_pretty(&r)?,
                        render::members(&r),
                        r.to_sheets(),
                        format!("党员结构-{}", r.org.name),
                    )
                }
                ReportKind::Compliance => {
                    let period = period
                        .context("组织生活合规报告需要 --period（如 2026-08、2026Q3 或 2026）")?;
                    let period =
                        jiceng_domain::Period::parse(&period).map_err(anyhow::Error::msg)?;
                    let root = system_org(&app, &org).await?;
                    // Judged on --as-of (default today): spans not over then are 待办.
                    let r =
                        jiceng_app::reports::compliance::run_on(&app, &root, period, day).await?;
                    (
                        serde_json::to_string_pretty(&r)?,
                        render::compliance(&r),
                        r.to_sheets(),
                        format!("组织生活-{}-{}", r.org.name, r.period),
                    )
                }
                ReportKind::Weak => {
                    let root = system_org(&app, &org).await?;
                    let r = jiceng_app::reports::weak::run(&app, &root, need_year()?).await?;
                    (
                        serde_json::to_string_pretty(&r)?,
                        rating::render_weak(&r),
                        r.to_sheets(),
                        format!("软弱涣散排查-{}-{}", r.org.name, r.year),
                    )
                }
                ReportKind::Rectification => {
                    let root = system_org(&app, &org).await?;
                    let r =
                        jiceng_app::reports::rectification::run(&app, &root, need_year()?).await?;
                    (
                        serde_json::to_string_pretty(&r)?,
                        rating::render_rectification(&r),
                        r.to_sheets(),
                        format!("整顿进展-{}-{}", r.org.name, r.year),
                    )
                }
                ReportKind::Ratings => {
                    let root = system_org(&app, &org).await?;
                    let all = format == Format::Xlsx || format == Format::Json;
                    let size = if all { 1_000_000 } else { 50 };
                    let r = jiceng_app::rating::ratings(&app, &root, need_year()?, None, 1, size)
                        .await?;
                    (
                        serde_json::to_string_pretty(&r)?,
                        rating::render_ratings(&r),
                        r.to_sheets(),
                        format!("分类定级-{}-{}", r.org.name, r.year),
                    )
                }
            };
            match format {
                Format::Json => println!("{json}"),
                Format::Table => print!("{table}"),
                Format::Xlsx => {
                    let path = out.unwrap_or_else(|| PathBuf::from(format!("{name}-{day}.xlsx")));
                    jiceng_io::write_workbook(&path, &sheets).map_err(anyhow::Error::msg)?;
                    println!("已写入 {}", path.display());
                }
            }
            app.close().await;
            Ok(ExitCode::SUCCESS)
        }
        Command::User { cmd } => {
            let app = open(&cli.db, &cli.key_file).await?;
            let code = access::user(&app, cmd).await?;
            app.close().await;
            Ok(code)
        }
        Command::Audit { cmd } => {
            let app = open(&cli.db, &cli.key_file).await?;
            let code = access::audit(&app, cmd).await?;
            app.close().await;
            Ok(code)
        }
        #[cfg(feature = "bench")]
        Command::Bench(args) => {
            jiceng_bench::run(args).await?;
            Ok(ExitCode::SUCCESS)
        }
        Command::Key {
            cmd: access::KeyCmd::Fingerprint,
        } => access::fingerprint(&cli.db, &cli.key_file).await,
        Command::Key { cmd } => {
            let app = open(&cli.db, &cli.key_file).await?;
            let code = access::key(&app, cmd).await?;
            app.close().await;
            Ok(code)
        }
        Command::Rate { org, year, format } => {
            let app = open(&cli.db, &cli.key_file).await?;
            let code = rating::rate(&app, &org, year, format == Format::Json).await?;
            app.close().await;
            Ok(code)
        }
        Command::Rating { cmd } => {
            let app = open(&cli.db, &cli.key_file).await?;
            let code = rating::rating_cmd(&app, cmd).await?;
            app.close().await;
            Ok(code)
        }
        Command::Weak { cmd } => {
            let app = open(&cli.db, &cli.key_file).await?;
            let code = rating::weak_cmd(&app, cmd).await?;
            app.close().await;
            Ok(code)
        }
        Command::Rectify { cmd } => {
            let app = open(&cli.db, &cli.key_file).await?;
            let code = rating::rectify_cmd(&app, cmd).await?;
            app.close().await;
            Ok(code)
        }
        Command::Refresh => {
            let app = open(&cli.db, &cli.key_file).await?;
            refresh(&app).await?;
            app.close().await;
            Ok(ExitCode::SUCCESS)
        }
        Command::Backup { file, force } => {
            let made = jiceng_app::backup::backup(&cli.db, &file, force).await?;
            let m = &made.manifest;
            println!(
                "已备份到 {}（{:.1} MB，用时 {:.2} 秒）\n清单：{}\n架构版本 {}，审计日志至第{}条，SHA-256 {}",
                made.file.display(),
                m.bytes as f64 / 1e6,
                made.seconds,
                jiceng_app::backup::manifest_path(&file).display(),
                m.schema_version,
                m.audit_head.as_ref().map_or(0, |h| h.seq),
                m.sha256
            );
            let counts: Vec<String> = m.counts.iter().map(|(t, n)| format!("{t} {n}")).collect();
            println!("行数：{}", counts.join("，"));
            Ok(ExitCode::SUCCESS)
        }
        Command::Restore { file, force } => {
            let explicit_anchor = cli.audit_anchor.is_some();
            restore(&cli.db, &cli.key_file, explicit_anchor, &file, force).await
        }
    }
}

/// `jiceng refresh`, also run after a restore.
async fn refresh(app: &App) -> Result<()> {
    let n = jiceng_app::refresh_all(app).await?;
    println!("已重算 {n} 个党组织的派生数据");
    let s = jiceng_app::refresh_life_summaries(app).await?;
    println!("已重算 {s} 条上级组织生活汇总（本月、本季度、本年）");
    Ok(())
}

/// `jiceng restore FILE`: every check first (app::backup), then the swap, then the
/// restored database is opened with the key, marked in the anchor file, checked
/// (`audit verify`) and refreshed. Exit 1 when the audit chain has problems.
async fn restore(
    db: &str,
    key_file: &Path,
    explicit_anchor: bool,
    file: &Path,
    force: bool,
) -> Result<ExitCode> {
    let manifest = jiceng_app::backup::read_manifest(file)?;
    let suite = manifest
        .crypto_suite
        .as_deref()
        .and_then(Suite::from_code)
        .unwrap_or_default();
    let key = match Crypto::load_existing(key_file, suite) {
        Err(jiceng_app::crypto::CryptoError::KeyFileMissing(path)) => anyhow::bail!(
            "密钥文件不存在：{path}；此备份已用密钥 {} 加密，请找回原密钥文件（用 --key-file 指定或设置 JICENG_KEY）",
            manifest.key_fingerprint.as_deref().unwrap_or("（未记录）")
        ),
        other => other?,
    };
    let restored = jiceng_app::backup::restore(db, file, &key, force).await?;
    let shown = jiceng_app::admin::redact(db);
    println!(
        "已从 {} 恢复到 {shown}（备份于 {}，用时 {:.2} 秒）",
        file.display(),
        manifest.created_at,
        restored.seconds
    );
    if let Some(a) = &restored.set_aside {
        println!("原数据库已改名保留为 {a}（核对无误后可删除）");
    }
    // The anchor file follows the restored database when the restore replaced one, or
    // when it was named explicitly; a restore into a new place (a drill) leaves it alone.
    let mark = restored.set_aside.is_some() || explicit_anchor;
    let mut app = open(db, key_file).await?;
    jiceng_app::backup::after_restore(&app, file, &restored, mark).await?;
    if !mark {
        app.audit.anchor = None;
        if let Some(setup) = AUDIT.get() {
            *setup.opened.lock().unwrap_or_else(|e| e.into_inner()) = None;
        }
        println!(
            "恢复到了新位置：审计锚点文件未改动（它属于在用数据库）。若恢复出的数据库将取代已丢失的在用数据库，\
             请加 --audit-anchor 指定锚点文件重新恢复；演练时可用 --audit-anchor 指定锚点文件的副本。"
        );
    }
    println!("\n审计链校验（jiceng audit verify）：");
    let code = access::audit(&app, access::AuditCmd::Verify).await?;
    println!("\n派生数据重算（jiceng refresh）：");
    refresh(&app).await?;
    app.close().await;
    Ok(code)
}

/// The demo's county committee: the first LocalCommittee at county level.
async fn demo_root(app: &App) -> Result<String> {
    jiceng_app::admin::demo_county(app)
        .await?
        .context("演示数据库中没有地方党委")
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

/// An org named on the command line (code, exact name or id), resolved for the command
/// line's actor (the whole tree).
async fn system_org(
    app: &jiceng_app::App,
    key: &str,
) -> Result<jiceng_app::access::InScope<jiceng_app::OrgRecord>> {
    let actor = jiceng_app::access::Actor::system();
    let key = jiceng_app::access::OrgKey::parse(Some(key));
    Ok(jiceng_app::access::resolve(app, &actor, &key).await?)
}
