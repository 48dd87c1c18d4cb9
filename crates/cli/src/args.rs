//! The command line: the global flags, the commands and their arguments.

use std::path::PathBuf;

use anyhow::Result;
use clap::{Args, Parser, Subcommand, ValueEnum};
use jiceng_app::crypto::Suite;

use crate::{access, rating};

#[derive(Parser)]
#[command(name = "jiceng", version, about = "基层党建工作体系 — jiceng")]
pub(crate) struct Cli {
    /// Database URL: sqlite://PATH or postgres://…
    #[arg(
        long,
        global = true,
        env = "JICENG_DB",
        default_value = "sqlite://jiceng.db"
    )]
    pub(crate) db: String,
    /// File holding the key that protects ID numbers (used when JICENG_KEY is not set;
    /// created by init).
    #[arg(
        long,
        global = true,
        env = "JICENG_KEY_FILE",
        default_value = "jiceng.key"
    )]
    pub(crate) key_file: PathBuf,
    /// The audit anchor file (append-only, outside the database; default
    /// jiceng-audit.anchor beside the key file): the log's last entry and MAC are added to
    /// it by every command that wrote to the log and by the server every few minutes.
    #[arg(long, global = true, env = "JICENG_AUDIT_ANCHOR")]
    pub(crate) audit_anchor: Option<PathBuf>,
    /// Months the audit log is kept at least (6 or more).
    #[arg(long, global = true, env = "JICENG_AUDIT_RETENTION_MONTHS", default_value_t = jiceng_app::audit::MIN_RETENTION_MONTHS)]
    pub(crate) audit_retention_months: u32,
    /// Imports: the highest row number a spreadsheet's value may sit in. Every cap on a
    /// spreadsheet read is also set by JICENG_IMPORT_MAX_{FILE_MB,UNZIPPED_MB,ROWS,COLUMNS,
    /// CELLS,CELL_CHARS,TEXT_MB,SHARED_STRINGS} (defaults: jiceng_io::ReadLimits).
    #[arg(long, global = true, env = "JICENG_IMPORT_MAX_ROWS", value_parser = clap::value_parser!(u64).range(1..))]
    pub(crate) import_max_rows: Option<u64>,
    /// Imports: the most cells (rows with data × columns) a spreadsheet may hold.
    #[arg(long, global = true, env = "JICENG_IMPORT_MAX_CELLS", value_parser = clap::value_parser!(u64).range(1..))]
    pub(crate) import_max_cells: Option<u64>,
    /// Imports: the largest spreadsheet file, in MB.
    #[arg(long, global = true, env = "JICENG_IMPORT_MAX_FILE_MB", value_parser = clap::value_parser!(u64).range(1..))]
    pub(crate) import_max_file_mb: Option<u64>,
    #[command(subcommand)]
    pub(crate) command: Command,
}

/// The spreadsheet read limits of this process: the environment, then the flags.
pub(crate) fn read_limits(cli: &Cli) -> Result<jiceng_io::ReadLimits> {
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
pub(crate) enum OrgCommand {
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
pub(crate) enum Command {
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
    Demo(DemoArgs),
    /// Serve the web application (pages and the JSON API under /api/v1).
    Serve(ServeArgs),
    /// Generate synthetic data on the real division skeleton into an empty database.
    Gen(GenArgs),
    /// Import orgs, members, units or a meeting ledger (三会一课台账) from .xlsx, .xls or .csv.
    Import(ImportArgs),
    /// An org's dated facts and settings, by hand: an election (换届), a committee set up
    /// or dissolved, an approved postponement, a secretary vacancy; the approved term
    /// length, 台账起始日, the committee statement, 临时党支部. Recorded in the org's
    /// history and the audit log.
    Org {
        #[command(subcommand)]
        what: OrgCommand,
    },
    /// Derived reports for a subtree.
    Report(ReportArgs),
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
    /// 检验标准（五个是否）: `build --period P` computes and stores every org's scorecard of
    /// the period again (a period is otherwise built on its first read).
    Scorecard {
        #[command(subcommand)]
        cmd: crate::scorecard::ScorecardCmd,
    },
    /// 发展党员: the annual plans (发展党员计划) handed down the tree.
    Recruitment {
        #[command(subcommand)]
        cmd: crate::recruitment::RecruitmentCmd,
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
pub(crate) enum ImportKind {
    Orgs,
    Members,
    Units,
    Meetings,
    /// 发展党员工作台账: one row per person, the step dates as columns.
    Recruitment,
    /// 批量转出: one letter of 组织关系转接 per row (member by ID number, receiving org or
    /// outside destination, date, reason).
    Transfers,
    /// 党费收缴表: one row per member (ID number, months paid, day; optionally the amount,
    /// the category and the base).
    Dues,
    /// 培训签到表: one row per attendee (training name, first day, hours, 线上/线下, the
    /// member by ID number and name); the trainings are recorded for --org.
    Training,
    /// 经费保障台账: one row per org, year, kind and source (组织名称或代码, 年度, 经费类型,
    /// 来源, 金额（元）, 备注), org names resolved in --org's subtree; all or nothing.
    Funding,
    /// 群众诉求台账: one row per request (编号, 受理日期, 渠道, 类别, 诉求内容, 诉求人姓名,
    /// 联系电话, 承办组织, 承办人, 办结日期, 办理结果, 群众评价), received by --org and
    /// assigned within its subtree; all or nothing; imported again, nothing doubles.
    Requests,
    /// 结对共建台账: one row per pairing (结对类型, 支持方, 受援组织, 共建内容, 开始日期,
    /// 结束日期), the supported orgs in --org's subtree; all or nothing; imported again,
    /// nothing doubles.
    Pairing,
    /// 任务完成情况: the outcomes of task --task, one row per target org (党组织代码 or
    /// 名称, the items asked of the grassroots, 进展情况, 佐证材料, 是否完成), written as
    /// each target's report for the task's issuer (--org, default the task's issuer).
    TaskOutcomes,
}

#[derive(Clone, Copy, ValueEnum)]
pub(crate) enum ReportKind {
    Structure,
    Coverage,
    Members,
    Compliance,
    Weak,
    Rectification,
    Ratings,
    /// 发展党员: people by stage, next due steps, violations, plan fulfilment (--year).
    Recruitment,
    /// 组织关系转接: relations out and in per child org, letters waiting and overdue
    /// (--period).
    Transfers,
    /// 流动党员 and 失联党员 today: counts per child org, and who the branch should decide
    /// about (a transfer, a suspension, a removal).
    Mobility,
    /// 党费收缴统计: due and paid per child org and month, what was passed up, and who has
    /// six months unpaid in a row (--period: a month or a year).
    Dues,
    /// 党员教育培训学时 of a year (--period 2026): counts per child org from the stored
    /// tallies, the members short of hours (ID numbers masked), the staffing checks.
    Training,
    /// 任务部署: the tasks --org and the orgs below it issued in --period, each with its
    /// targets, done, done late and overdue, and the orgs overdue.
    Tasks,
    /// 减负台账 of a month (--period 2026-12): what reached the orgs below by level against
    /// the monthly ceiling, by issuing org, the most burdened orgs, and the questions the
    /// system answered instead (最多报一次).
    Burden,
    /// 督查 in --period: each inspection of an org below with its problems, and the problems
    /// not yet fixed (overdue marked).
    Inspections,
    /// 述职评议考核 of a year (--period 2026): per org below with a record, the grade of its
    /// secretary's duty report, its integrity reports and departure audits, the problems
    /// named, open and overdue.
    Duty,
    /// 群众诉求 received in --period (2026, 2026Q4 or 2026-12): the counts (received,
    /// resolved, the rate, the average days, overdue, the requesters satisfied) and each
    /// request assigned below, open first; never the requester.
    Requests,
    /// 群众满意度测评 of --period (2026, 2026H1 or 2026H2; or --year): the surveys of the
    /// orgs below, tokens issued, answers, the response and satisfaction rates over all,
    /// and the closed surveys below the rule set's share (软).
    Surveys,
    /// 经费保障 of a year (--year): totals by kind and source, the orgs below their
    /// standard with the shortfall, those without a record (未录入), the villages'
    /// collective income, the children.
    Funding,
    /// 活动场所 of --year: each venue kept below with its quarters (铁将军把门 where a quarter
    /// ended without a meeting there; the running quarter not judged) and its last
    /// meeting; the village and community secretaries' remuneration of the year against
    /// the standard, those below first.
    Venues,
    /// 结对共建 of a year (--year 2026: on the year's last day, or today within it): the
    /// pairings below by kind, the grassroots orgs covered and those without any pairing,
    /// each pairing.
    Pairing,
    /// 检验标准（五个是否）of --period (2026, 2026H1, 2026H2 or 2026Q3; or --year): the org's five
    /// measures and their indicators, the children's heat map and the weakest link (木桶
    /// 短板), from the figures stored for the period (built on the first read; the table
    /// says 截至 when).
    Scorecard,
    /// 分析研判报告 of --period (2026, 2026H1, 2026H2 or 2026Q3; or --year): the report a county
    /// organization department files — 基本情况, 主要做法和成效, 存在的问题 (the weakest
    /// link named), 下一步工作建议 and the annexed tables, with two charts — as a Word
    /// document in the official layout (--format docx, written to --out or a name of its
    /// title) or an HTML page (--format html, to --out or standard output); table prints
    /// its text. Its figures are those of `report scorecard`.
    Analysis,
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
pub(crate) enum Format {
    Json,
    Table,
    Xlsx,
    /// The analysis report as a Word document (`report analysis` only).
    Docx,
    /// The analysis report as an HTML page to read and print (`report analysis` only).
    Html,
}

#[derive(Args)]
pub(crate) struct DemoArgs {
    /// The demo's own database, unless --db is given explicitly.
    #[arg(long, default_value = "sqlite://jiceng-demo.db")]
    pub(crate) demo_db: String,
    /// Where the web application listens.
    #[arg(long, default_value = "127.0.0.1:8080")]
    pub(crate) bind: String,
    /// Build and print only; do not start the server.
    #[arg(long)]
    pub(crate) no_serve: bool,
}

#[derive(Args)]
pub(crate) struct ServeArgs {
    #[arg(long, env = "JICENG_BIND", default_value = "127.0.0.1:8080")]
    pub(crate) bind: String,
    /// Mark session cookies Secure (the server is behind TLS).
    #[arg(long)]
    pub(crate) secure_cookies: bool,
    /// Minutes between refreshes of the whole tree's stored compliance summaries (the city
    /// and province levels of the organizational-life report); meetings are counted in
    /// between by the pass of `--life-refresh-seconds`.
    #[arg(long, default_value_t = 30, value_parser = clap::value_parser!(u64).range(1..))]
    pub(crate) summary_refresh_minutes: u64,
    /// Seconds between passes that count a meeting into the summaries of the levels above
    /// its branch (only the touched branches' chains).
    #[arg(long, default_value_t = jiceng_app::LIFE_PASS_SECONDS, value_parser = clap::value_parser!(u64).range(1..))]
    pub(crate) life_refresh_seconds: u64,
    /// Minutes between audit anchors (the log's last entry and MAC added to the anchor
    /// file when it moved; also at shutdown).
    #[arg(long, default_value_t = 5, value_parser = clap::value_parser!(u64).range(1..))]
    pub(crate) audit_anchor_minutes: u64,
    /// The largest spreadsheet an import upload may carry, in MB.
    #[arg(long, env = "JICENG_IMPORT_UPLOAD_MB", default_value_t = jiceng_web::IMPORT_UPLOAD_DEFAULT / (1024 * 1024), value_parser = clap::value_parser!(u64).range(1..))]
    pub(crate) import_upload_mb: u64,
    /// How many uploaded spreadsheets are read at once (more wait their turn).
    #[arg(long, env = "JICENG_IMPORT_CONCURRENCY", default_value_t = jiceng_web::IMPORT_CONCURRENCY_DEFAULT as u64, value_parser = clap::value_parser!(u64).range(1..))]
    pub(crate) import_concurrency: u64,
    /// The reverse proxy in front (its address): only its X-Forwarded-For names the
    /// client, for the login throttle.
    #[arg(long, env = "JICENG_TRUSTED_PROXY")]
    pub(crate) trusted_proxy: Option<std::net::IpAddr>,
    /// Logins a client address may try per minute (after a burst of --login-burst).
    #[arg(long, default_value_t = 10.0)]
    pub(crate) login_per_minute: f64,
    #[arg(long, default_value_t = 20.0)]
    pub(crate) login_burst: f64,
    /// Logins the whole server accepts per second (after a burst of twice that).
    #[arg(long, default_value_t = 20.0)]
    pub(crate) login_global_per_second: f64,
    /// Hours a session lasts at most, however much it is used.
    #[arg(long, default_value_t = 12, value_parser = clap::value_parser!(i64).range(1..))]
    pub(crate) session_max_hours: i64,
}

#[derive(Args)]
pub(crate) struct GenArgs {
    /// Division code prefix: 37 a province, 3701 a city, 370102 a county.
    #[arg(long, conflicts_with = "national")]
    pub(crate) region: Option<String>,
    /// The whole nation.
    #[arg(long)]
    pub(crate) national: bool,
    #[arg(long, default_value_t = 1)]
    pub(crate) seed: u64,
    /// Folder of the division tables (provinces.csv.gz …); without --region or
    /// --national the embedded demo county is used.
    #[arg(long, env = "JICENG_DIVISIONS")]
    pub(crate) divisions: Option<PathBuf>,
    #[arg(long, value_enum, default_value_t = Format::Table)]
    pub(crate) format: Format,
}

#[derive(Args)]
pub(crate) struct ImportArgs {
    #[arg(value_enum)]
    pub(crate) what: ImportKind,
    pub(crate) file: PathBuf,
    /// The subtree in which names in the file are resolved (code or unique name).
    #[arg(long)]
    pub(crate) org: Option<String>,
    /// The task whose outcomes are imported (task-outcomes only).
    #[arg(long)]
    pub(crate) task: Option<i64>,
    /// Check every row and report, write nothing.
    #[arg(long)]
    pub(crate) dry_run: bool,
    /// Write the valid rows even if some rows are bad.
    #[arg(long)]
    pub(crate) skip_invalid: bool,
    #[arg(long, value_enum, default_value_t = Format::Table)]
    pub(crate) format: Format,
}

#[derive(Args)]
pub(crate) struct ReportArgs {
    #[arg(value_enum)]
    pub(crate) what: ReportKind,
    /// The org: its code, or its exact name where unique.
    #[arg(long)]
    pub(crate) org: String,
    /// The day the report is for (YYYY-MM-DD; default today in China Standard Time).
    #[arg(long)]
    pub(crate) as_of: Option<chrono::NaiveDate>,
    #[arg(long, value_enum, default_value_t = Format::Table)]
    pub(crate) format: Format,
    /// Where to write an xlsx, docx or html report (default: a name from the report and
    /// org; html without --out goes to standard output).
    #[arg(long)]
    pub(crate) out: Option<PathBuf>,
    /// The period of a compliance or transfers report: 2026-08 (a month), 2026Q3 (a
    /// quarter) or 2026 (a year).
    #[arg(long)]
    pub(crate) period: Option<String>,
    /// The year of a weak-org, rectification, ratings or recruitment report.
    #[arg(long)]
    pub(crate) year: Option<i32>,
}
