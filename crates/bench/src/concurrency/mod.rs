//! `jiceng bench concurrency` and `jiceng bench soak` (issue 21): `jiceng serve` as a child
//! on a throwaway copy of the county data set (SQLite, and PostgreSQL when it answers),
//! loaded by `load` connections mixing reads and meeting writes.
//!
//! Concurrency: N = 2, 4, 8, 64 connections for a fixed time each; requests/s, latency,
//! the non-2xx answers by status and what the server logged for them.
//! Soak: 64 connections for minutes, the server killed with SIGKILL every minute and
//! started again; at the end every write acknowledged with a 201 is looked for, through
//! the API (a sample) and in the database (all).

use std::collections::{BTreeMap, HashMap};
use std::io::{Read, Seek};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use anyhow::{bail, Context, Result};
use chrono::NaiveDate;
use http_body_util::{BodyExt, Full};
use hyper::body::Bytes;
use jiceng_domain::OrgKind;
use serde::Serialize;

use crate::data::{self, Backend, DataSet, Size};
use crate::load::{self, quantile, Plan, Tally};
use crate::BenchArgs;

mod runs;
mod soak;
mod survey;

pub use runs::{concurrency, concurrency_markdown, ConcurrencyRow};
pub use soak::{soak, soak_markdown, stored_topics, SoakResult};
pub use survey::{survey, SurveyArgs, SurveyRow};

/// `jiceng bench concurrency`.
#[derive(Debug, Clone, clap::Args)]
pub struct ConcurrencyArgs {
    /// Client connections, one run each.
    #[arg(long, value_delimiter = ',', default_value = "2,4,8,64")]
    pub connections: Vec<usize>,
    /// Seconds of load per run.
    #[arg(long, default_value_t = 20)]
    pub seconds: u64,
    /// Share of the requests that record a meeting (the rest read).
    #[arg(long, default_value_t = 0.2)]
    pub write_share: f64,
}

/// `jiceng bench soak`.
#[derive(Debug, Clone, clap::Args)]
pub struct SoakArgs {
    /// How long the load runs, in minutes.
    #[arg(long, default_value_t = 10.0)]
    pub minutes: f64,
    /// Seconds between two kills (SIGKILL) of the server; it is started again at once.
    #[arg(long, default_value_t = 60.0)]
    pub kill_every: f64,
    /// Never kill the server during the load (it is still killed once at the end).
    #[arg(long)]
    pub no_kill: bool,
    /// Client connections.
    #[arg(long, default_value_t = 64)]
    pub connections: usize,
    /// Share of the requests that record a meeting.
    #[arg(long, default_value_t = 0.2)]
    pub write_share: f64,
}

// ------------------------------------------------------------------------- the server

/// `jiceng serve` as a child process, its standard error appended to a log file, its
/// audit anchors in a file of its own (anchors of another copy of the data set would make
/// `audit verify` report a broken chain).
pub struct Served {
    child: Option<Child>,
    exe: PathBuf,
    url: String,
    key_file: PathBuf,
    pub anchor: PathBuf,
    pub addr: String,
    today: NaiveDate,
    pub log: PathBuf,
}

impl Served {
    /// Starts the server on `url` on a free loopback port; `exe` is the jiceng binary. The
    /// log and the anchor file are `log` and `log` with `.anchor`, both started afresh.
    pub fn start(
        exe: &Path,
        url: &str,
        key_file: &Path,
        today: NaiveDate,
        log: &Path,
    ) -> Result<Served> {
        let anchor = log.with_extension("anchor");
        let _ = std::fs::remove_file(&anchor);
        let port = std::net::TcpListener::bind("127.0.0.1:0")?
            .local_addr()?
            .port();
        let _ = std::fs::remove_file(log);
        let mut s = Served {
            child: None,
            exe: exe.to_path_buf(),
            url: url.to_string(),
            key_file: key_file.to_path_buf(),
            anchor,
            addr: format!("127.0.0.1:{port}"),
            today,
            log: log.to_path_buf(),
        };
        s.spawn()?;
        Ok(s)
    }

    fn spawn(&mut self) -> Result<()> {
        let log = std::fs::OpenOptions::new()
            .create(true)
            .append(true)
            .open(&self.log)
            .with_context(|| format!("打开 {}", self.log.display()))?;
        let child = Command::new(&self.exe)
            .arg("--db")
            .arg(&self.url)
            .arg("--key-file")
            .arg(&self.key_file)
            .arg("--audit-anchor")
            .arg(&self.anchor)
            .arg("serve")
            .arg("--bind")
            .arg(&self.addr)
            .env("JICENG_TODAY", self.today.to_string())
            .stdout(Stdio::null())
            .stderr(log)
            .spawn()
            .context("启动 jiceng serve")?;
        self.child = Some(child);
        Ok(())
    }

    pub fn pid(&self) -> Option<u32> {
        self.child.as_ref().map(|c| c.id())
    }

    /// Waits until `/healthz` answers 200; the seconds it took.
    pub async fn ready(&mut self, limit: Duration) -> Result<f64> {
        let started = Instant::now();
        let client: Client =
            hyper_util::client::legacy::Client::builder(hyper_util::rt::TokioExecutor::new())
                .build_http();
        loop {
            if let Some(c) = self.child.as_mut() {
                if let Some(status) = c.try_wait()? {
                    bail!("jiceng serve 退出（{status}），见 {}", self.log.display());
                }
            }
            let req = hyper::Request::get(format!("http://{}/healthz", self.addr))
                .body(Full::new(Bytes::new()))?;
            if let Ok(Ok(r)) =
                tokio::time::timeout(Duration::from_secs(2), client.request(req)).await
            {
                if r.status().is_success() {
                    return Ok(started.elapsed().as_secs_f64());
                }
            }
            if started.elapsed() > limit {
                bail!("jiceng serve 未在 {} 秒内就绪", limit.as_secs());
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
    }

    /// SIGKILL (`kill -9`), and waits for the process to be gone.
    pub fn kill9(&mut self) -> Result<()> {
        if let Some(mut c) = self.child.take() {
            c.kill()?;
            c.wait()?;
        }
        Ok(())
    }

    /// Starts the server again on the same address.
    pub fn restart(&mut self) -> Result<()> {
        self.kill9()?;
        self.spawn()
    }

    /// SIGTERM and waits up to 20 s for a clean exit (then SIGKILL).
    pub fn stop(&mut self) -> Result<()> {
        let Some(mut c) = self.child.take() else {
            return Ok(());
        };
        let _ = Command::new("kill")
            .arg("-TERM")
            .arg(c.id().to_string())
            .status();
        let started = Instant::now();
        while started.elapsed() < Duration::from_secs(20) {
            if c.try_wait()?.is_some() {
                return Ok(());
            }
            std::thread::sleep(Duration::from_millis(50));
        }
        c.kill()?;
        c.wait()?;
        Ok(())
    }
}

impl Drop for Served {
    fn drop(&mut self) {
        if let Some(mut c) = self.child.take() {
            let _ = c.kill();
            let _ = c.wait();
        }
    }
}

type Client = hyper_util::client::legacy::Client<
    hyper_util::client::legacy::connect::HttpConnector,
    Full<Bytes>,
>;

/// The causes of the server's internal errors, from its log from byte `from` on: each
/// `jiceng-web internal error` line sorted under the failure it names.
pub fn logged_causes(log: &Path, from: u64) -> BTreeMap<String, u64> {
    let mut out = BTreeMap::new();
    let Ok(mut f) = std::fs::File::open(log) else {
        return out;
    };
    let mut text = String::new();
    if f.seek(std::io::SeekFrom::Start(from)).is_err() || f.read_to_string(&mut text).is_err() {
        return out;
    }
    for line in text.lines().filter(|l| l.contains("internal error")) {
        *out.entry(cause_of(line)).or_default() += 1;
    }
    out
}

/// A log line's cause in a few words: the SQLite code or the violated constraint.
fn cause_of(line: &str) -> String {
    if line.contains("database is locked") {
        let code = if line.contains("517") { " (517)" } else { "" };
        return format!("database is locked{code}");
    }
    if line.contains("database or disk is full") {
        return "database or disk is full".into();
    }
    for marker in ["unique constraint \\\"", "unique constraint \""] {
        if let Some(i) = line.find(marker) {
            let rest = &line[i + marker.len()..];
            let name: String = rest
                .chars()
                .take_while(|c| c.is_ascii_alphanumeric() || *c == '_')
                .collect();
            return format!("duplicate key {name}");
        }
    }
    if let Some(i) = line.find("UNIQUE constraint failed: ") {
        let rest = &line[i + 26..];
        let name: String = rest
            .chars()
            .take_while(|c| c.is_ascii_alphanumeric() || *c == '_' || *c == '.')
            .collect();
        return format!("UNIQUE constraint failed: {name}");
    }
    if line.contains("pool timed out") {
        return "pool timed out".into();
    }
    let short: String = line
        .split("internal error:")
        .nth(1)
        .unwrap_or(line)
        .trim()
        .chars()
        .take(80)
        .collect();
    short
}

fn causes_text(c: &BTreeMap<String, u64>) -> String {
    if c.is_empty() {
        return "none".into();
    }
    let mut v: Vec<_> = c.iter().collect();
    v.sort_by(|a, b| b.1.cmp(a.1));
    v.iter()
        .map(|(k, n)| format!("{k} ×{n}"))
        .collect::<Vec<_>>()
        .join("; ")
}

fn reads_text(r: &BTreeMap<&'static str, (f64, f64)>) -> String {
    r.iter()
        .map(|(k, (p50, p99))| format!("{k} {p50:.1}/{p99:.1}"))
        .collect::<Vec<_>>()
        .join(", ")
}

fn log_len(log: &Path) -> u64 {
    std::fs::metadata(log).map(|m| m.len()).unwrap_or(0)
}

// ------------------------------------------------------------------------- the data

/// A throwaway copy of the county set on `backend`, the token of a department user at
/// its root, and the branches the writes go to.
struct Prepared {
    set: DataSet,
    copy: DataSet,
    plan: Plan,
}

async fn prepare(args: &BenchArgs, backend: Backend, prefix: &str) -> Result<Prepared> {
    let set = data::ensure(args, Size::County, backend).await?;
    let url = data::copy(args, &set).await?;
    let copy = DataSet { url, ..set.clone() };
    let app = crate::reports::open(&copy).await?;
    let today = app.today();
    let mut conn = app.store().acquire().await?;
    let roots = jiceng_store::browse::roots(&mut conn).await?;
    let root = roots
        .iter()
        .max_by_key(|r| r.facts.subtree_members)
        .context("数据集没有根组织")?
        .clone();
    let since = today - chrono::Duration::days(120);
    let branches: Vec<i64> =
        jiceng_store::orgs::list(&mut conn, &jiceng_store::Scope::subtree(&root.path))
            .await?
            .into_iter()
            .filter(|o| {
                o.org.kind == OrgKind::Branch
                    && o.org.dissolved_on.is_none()
                    && o.org.founded_on.is_none_or(|f| f <= since)
            })
            .map(|o| o.org.id)
            .collect();
    drop(conn);
    app.store().close().await;
    if branches.is_empty() {
        bail!("数据集中没有可记录会议的党支部");
    }
    let token = crate::http::token(&copy, &root.org.code).await?;
    Ok(Prepared {
        set,
        copy,
        plan: Plan {
            addr: String::new(),
            token,
            branches,
            today,
            write_share: 0.2,
            prefix: prefix.to_string(),
        },
    })
}

fn backends(args: &BenchArgs) -> Vec<Backend> {
    let both = !args.sqlite && !args.postgres;
    let mut out = Vec::new();
    if args.sqlite || both {
        out.push(Backend::Sqlite);
    }
    if args.postgres || both {
        out.push(Backend::Postgres);
    }
    out
}

/// Whether `backend` can be measured; PostgreSQL asked for implicitly is skipped with a
/// line when its server does not answer.
async fn usable(args: &BenchArgs, backend: Backend) -> bool {
    if backend == Backend::Postgres && !args.postgres {
        if let Err(e) = data::reachable(args).await {
            println!(
                "  skipped: PostgreSQL not reachable at {} ({e:#}); set JICENG_BENCH_PG or use --sqlite",
                args.pg
            );
            return false;
        }
    }
    true
}

fn stamp() -> String {
    chrono::Local::now().format("%H%M%S").to_string()
}

// ------------------------------------------------------------------------- concurrency

#[cfg(test)]
mod tests;
