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

/// One run of the concurrency bench.
#[derive(Debug, Clone, Serialize)]
pub struct ConcurrencyRow {
    pub backend: &'static str,
    pub connections: usize,
    pub seconds: f64,
    pub requests: u64,
    pub requests_per_second: f64,
    pub p50_ms: f64,
    pub p99_ms: f64,
    pub read_p50_ms: f64,
    pub read_p99_ms: f64,
    pub write_p50_ms: f64,
    pub write_p99_ms: f64,
    pub writes: u64,
    pub writes_failed: u64,
    pub non_2xx: u64,
    pub errors_by_status: String,
    pub no_answer: String,
    /// What the server logged for its internal errors.
    pub causes: BTreeMap<String, u64>,
    /// p50 and p99 of each read, in ms.
    pub reads: BTreeMap<&'static str, (f64, f64)>,
    pub tally: Tally,
}

impl ConcurrencyRow {
    fn of(backend: Backend, connections: usize, seconds: f64, mut t: Tally) -> ConcurrencyRow {
        let mut all: Vec<f64> = t.read_ms.iter().chain(&t.write_ms).copied().collect();
        let requests = t.answered();
        let reads = t
            .read_ms_by
            .iter_mut()
            .map(|(k, v)| (*k, (quantile(v, 0.5), quantile(v, 0.99))))
            .collect();
        ConcurrencyRow {
            backend: backend.name(),
            connections,
            seconds,
            requests,
            requests_per_second: requests as f64 / seconds.max(1e-9),
            p50_ms: quantile(&mut all, 0.5),
            p99_ms: quantile(&mut all, 0.99),
            read_p50_ms: quantile(&mut t.read_ms, 0.5),
            read_p99_ms: quantile(&mut t.read_ms, 0.99),
            write_p50_ms: quantile(&mut t.write_ms, 0.5),
            write_p99_ms: quantile(&mut t.write_ms, 0.99),
            writes: t.writes_answered(),
            writes_failed: t.write_failures(),
            non_2xx: t.non_2xx(),
            errors_by_status: t.errors_by_status(),
            no_answer: t.no_answer_text(),
            causes: BTreeMap::new(),
            reads,
            tally: t,
        }
    }
}

fn pct(n: u64, of: u64) -> f64 {
    if of == 0 {
        0.0
    } else {
        100.0 * n as f64 / of as f64
    }
}

/// `jiceng bench concurrency`.
pub async fn concurrency(args: &BenchArgs, c: &ConcurrencyArgs) -> Result<Vec<ConcurrencyRow>> {
    println!("jiceng bench concurrency — {}", crate::machine());
    let exe = std::env::current_exe()?;
    let mut rows = Vec::new();
    for backend in backends(args) {
        println!("\n== county / {} ==", backend.name());
        if !usable(args, backend).await {
            continue;
        }
        let mut p = prepare(args, backend, &format!("c{}", stamp())).await?;
        let log = args
            .data
            .join(format!("concurrency-{}.log", backend.name()));
        let mut server = Served::start(&exe, &p.copy.url, &p.copy.key_file, p.plan.today, &log)?;
        server.ready(Duration::from_secs(120)).await?;
        p.plan.addr = server.addr.clone();
        p.plan.write_share = c.write_share;
        println!(
            "  {} branches; {:.0} % writes (meetings through the API), the rest reads (dashboard, roster page, member and meeting lists, 本月待办); {} s per run",
            p.plan.branches.len(),
            c.write_share * 100.0,
            c.seconds
        );
        for &n in &c.connections {
            let from = log_len(&server.log);
            let mut plan = p.plan.clone();
            plan.prefix = format!("{}-n{n}", p.plan.prefix);
            let (t, secs) = load::run(&plan, n, Duration::from_secs(c.seconds)).await?;
            let mut row = ConcurrencyRow::of(backend, n, secs, t);
            row.causes = logged_causes(&server.log, from);
            println!(
                "  N={n:<3} {:>7.0} req/s  p50 {:>7.2} ms  p99 {:>8.2} ms  (reads p99 {:.1}, writes p50 {:.1} / p99 {:.1} ms)  writes {} failed {} ({:.1} %)  non-2xx {} [{}]  no answer [{}]",
                row.requests_per_second,
                row.p50_ms,
                row.p99_ms,
                row.read_p99_ms,
                row.write_p50_ms,
                row.write_p99_ms,
                row.writes,
                row.writes_failed,
                pct(row.writes_failed, row.writes),
                row.non_2xx,
                row.errors_by_status,
                row.no_answer,
            );
            if !row.causes.is_empty() {
                println!("        server log: {}", causes_text(&row.causes));
            }
            println!("        reads p50/p99 ms: {}", reads_text(&row.reads));
            rows.push(row);
        }
        server.stop()?;
        drop(server);
        let _ = p.set;
        data::drop_copy(args, &p.copy).await?;
    }
    let at = chrono::Local::now().format("%Y-%m-%d %H:%M").to_string();
    std::fs::create_dir_all(&args.data)?;
    let json = args.data.join("concurrency-latest.json");
    std::fs::write(
        &json,
        serde_json::to_string_pretty(&serde_json::json!({
            "machine": crate::machine(), "at": at, "seconds": c.seconds,
            "write_share": c.write_share, "rows": rows,
        }))?,
    )?;
    let md = args.data.join("concurrency-latest.md");
    std::fs::write(&md, concurrency_markdown(&crate::machine(), &at, c, &rows))?;
    println!(
        "\nresults: {} (table for docs/PERFORMANCE.md: {})",
        json.display(),
        md.display()
    );
    Ok(rows)
}

/// The concurrency runs as the table of docs/PERFORMANCE.md.
pub fn concurrency_markdown(
    machine: &str,
    at: &str,
    c: &ConcurrencyArgs,
    rows: &[ConcurrencyRow],
) -> String {
    use crate::markdown::thousands;
    use std::fmt::Write;
    let mut out = format!(
        "<!-- jiceng bench concurrency, {at}; {machine}; {} s per run, {:.0} % writes -->\n\n\
         | backend | N | req/s | p50 ms | p99 ms | write p50 ms | write p99 ms | writes | failed writes | non-2xx by status | no answer | server log |\n\
         |---|--:|--:|--:|--:|--:|--:|--:|--:|---|---|---|\n",
        c.seconds,
        c.write_share * 100.0
    );
    for r in rows {
        let _ = writeln!(
            out,
            "| {} | {} | {} | {} | {} | {} | {} | {} | {} ({:.1} %) | {} | {} | {} |",
            r.backend,
            r.connections,
            thousands(r.requests_per_second, 0),
            thousands(r.p50_ms, 2),
            thousands(r.p99_ms, 2),
            thousands(r.write_p50_ms, 2),
            thousands(r.write_p99_ms, 2),
            thousands(r.writes as f64, 0),
            thousands(r.writes_failed as f64, 0),
            pct(r.writes_failed, r.writes),
            r.errors_by_status,
            r.no_answer,
            causes_text(&r.causes),
        );
    }
    out.push_str("\nReads, p50/p99 ms by endpoint:\n\n");
    for r in rows {
        let _ = writeln!(
            out,
            "- {} N={}: {}",
            r.backend,
            r.connections,
            reads_text(&r.reads)
        );
    }
    out
}

// ------------------------------------------------------------------------- soak

/// What a soak found.
#[derive(Debug, Clone, Serialize)]
pub struct SoakResult {
    pub backend: &'static str,
    pub minutes: f64,
    pub connections: usize,
    pub kills: usize,
    /// Seconds from a restart to the first healthy answer.
    pub restart_seconds: Vec<f64>,
    pub requests: u64,
    pub requests_per_second: f64,
    pub acknowledged: usize,
    /// Acknowledged writes not in the database after the last restart.
    pub missing: usize,
    /// Acknowledged writes stored under another id than the one answered.
    pub wrong_id: usize,
    /// Of a sample of acknowledged writes, those the API did not answer 200 for.
    pub api_sample: usize,
    pub api_sample_missing: usize,
    /// Writes whose answer was lost at a kill, found committed all the same.
    pub unanswered_committed: usize,
    pub writes_unanswered: u64,
    pub writes_failed: u64,
    pub errors_by_status: String,
    pub no_answer: String,
    pub causes: BTreeMap<String, u64>,
    pub integrity: Option<String>,
    pub audit_verify: String,
}

/// `jiceng bench soak`.
pub async fn soak(args: &BenchArgs, s: &SoakArgs) -> Result<Vec<SoakResult>> {
    println!("jiceng bench soak — {}", crate::machine());
    let exe = std::env::current_exe()?;
    let mut results = Vec::new();
    for backend in backends(args) {
        println!("\n== county / {} ==", backend.name());
        if !usable(args, backend).await {
            continue;
        }
        let mut p = prepare(args, backend, &format!("soak{}", stamp())).await?;
        p.plan.write_share = s.write_share;
        let r = soak_one(args, s, &exe, backend, &mut p).await;
        data::drop_copy(args, &p.copy).await?;
        let r = r?;
        println!(
            "  acknowledged writes: {}, missing: {}, stored under another id: {}; errors by status: {}; no answer: {}",
            r.acknowledged, r.missing, r.wrong_id, r.errors_by_status, r.no_answer
        );
        results.push(r);
    }
    let at = chrono::Local::now().format("%Y-%m-%d %H:%M").to_string();
    std::fs::create_dir_all(&args.data)?;
    let json = args.data.join("soak-latest.json");
    std::fs::write(
        &json,
        serde_json::to_string_pretty(&serde_json::json!({
            "machine": crate::machine(), "at": at, "results": results,
        }))?,
    )?;
    let md = args.data.join("soak-latest.md");
    std::fs::write(&md, soak_markdown(&crate::machine(), &at, s, &results))?;
    println!(
        "\nresults: {} (table for docs/PERFORMANCE.md: {})",
        json.display(),
        md.display()
    );
    Ok(results)
}

async fn soak_one(
    args: &BenchArgs,
    s: &SoakArgs,
    exe: &Path,
    backend: Backend,
    p: &mut Prepared,
) -> Result<SoakResult> {
    let log = args.data.join(format!("soak-{}.log", backend.name()));
    let mut server = Served::start(exe, &p.copy.url, &p.copy.key_file, p.plan.today, &log)?;
    server.ready(Duration::from_secs(120)).await?;
    p.plan.addr = server.addr.clone();
    let duration = Duration::from_secs_f64(s.minutes * 60.0);
    println!(
        "  {} connections for {:.1} min, {:.0} % writes; {}",
        s.connections,
        s.minutes,
        s.write_share * 100.0,
        if s.no_kill {
            "no kills during the load".to_string()
        } else {
            format!(
                "kill -9 of the server every {:.0} s, then a restart",
                s.kill_every
            )
        }
    );
    let started = Instant::now();
    let plan = p.plan.clone();
    let connections = s.connections;
    let load = tokio::spawn(async move { load::run(&plan, connections, duration).await });
    let mut restarts = Vec::new();
    if !s.no_kill && s.kill_every > 0.0 {
        let mut next = s.kill_every;
        while next < duration.as_secs_f64() {
            let wait = next - started.elapsed().as_secs_f64();
            if wait > 0.0 {
                tokio::time::sleep(Duration::from_secs_f64(wait)).await;
            }
            let pid = server.pid().unwrap_or(0);
            server.restart()?;
            let secs = server.ready(Duration::from_secs(120)).await?;
            println!(
                "  {:>6.1} s: kill -9 {pid}; restarted, healthy after {secs:.2} s",
                started.elapsed().as_secs_f64()
            );
            restarts.push(secs);
            next += s.kill_every;
        }
    }
    let (tally, secs) = load.await.context("the load task")??;
    // A last crash after the load, then the restart the check is made against.
    server.restart()?;
    server.ready(Duration::from_secs(120)).await?;
    let kills = restarts.len() + 1;

    // Through the API: a sample of the acknowledged writes, spread over the run.
    let sample: Vec<&(String, i64)> = {
        let n = tally.acked.len();
        let step = (n / 200).max(1);
        tally.acked.iter().step_by(step).take(200).collect()
    };
    let client: Client =
        hyper_util::client::legacy::Client::builder(hyper_util::rt::TokioExecutor::new())
            .build_http();
    let mut api_missing = 0;
    for (topic, id) in &sample {
        let req = hyper::Request::get(format!("http://{}/api/v1/meetings/{id}", server.addr))
            .header("Authorization", format!("Bearer {}", p.plan.token))
            .body(Full::new(Bytes::new()))?;
        let ok = match client.request(req).await {
            Ok(r) if r.status() == 200 => {
                let body = r.into_body().collect().await?.to_bytes();
                serde_json::from_slice::<serde_json::Value>(&body)
                    .ok()
                    .is_some_and(|v| v["topic"].as_str() == Some(topic.as_str()))
            }
            _ => false,
        };
        api_missing += usize::from(!ok);
    }
    server.stop()?;
    let causes = logged_causes(&server.log, 0);
    let anchor = server.anchor.clone();
    drop(server);

    // In the database: every write of this run.
    let stored = stored_topics(&p.copy.url, &p.plan.prefix).await?;
    let mut missing = 0;
    let mut wrong_id = 0;
    for (topic, id) in &tally.acked {
        match stored.get(topic) {
            None => missing += 1,
            Some(s) if *id != 0 && s != id => wrong_id += 1,
            Some(_) => {}
        }
    }
    let acked: std::collections::HashSet<&str> =
        tally.acked.iter().map(|(t, _)| t.as_str()).collect();
    let unanswered_committed = stored
        .keys()
        .filter(|t| !acked.contains(t.as_str()))
        .count();
    let integrity = match backend {
        Backend::Sqlite => Some(integrity_check(&p.copy.url).await?),
        Backend::Postgres => None,
    };
    let audit = Command::new(exe)
        .arg("--db")
        .arg(&p.copy.url)
        .arg("--key-file")
        .arg(&p.copy.key_file)
        .arg("--audit-anchor")
        .arg(&anchor)
        .arg("audit")
        .arg("verify")
        .output()
        .context("jiceng audit verify")?;
    // Its conclusion: the last line it printed.
    let printed = format!(
        "{}\n{}",
        String::from_utf8_lossy(&audit.stdout),
        String::from_utf8_lossy(&audit.stderr)
    );
    let audit_text = printed
        .lines()
        .map(str::trim)
        .rfind(|l| !l.is_empty())
        .unwrap_or("")
        .to_string();
    let audit_verify = format!(
        "exit {}: {}",
        audit.status.code().unwrap_or(-1),
        audit_text
            .split('；')
            .next()
            .unwrap_or("")
            .chars()
            .take(80)
            .collect::<String>()
    );
    let requests = tally.answered();
    Ok(SoakResult {
        backend: backend.name(),
        minutes: secs / 60.0,
        connections: s.connections,
        kills,
        restart_seconds: restarts,
        requests,
        requests_per_second: requests as f64 / secs.max(1e-9),
        acknowledged: tally.acked.len(),
        missing,
        wrong_id,
        api_sample: sample.len(),
        api_sample_missing: api_missing,
        unanswered_committed,
        writes_unanswered: tally.writes_unanswered,
        writes_failed: tally.write_failures(),
        errors_by_status: tally.errors_by_status(),
        no_answer: tally.no_answer_text(),
        causes,
        integrity,
        audit_verify,
    })
}

/// The meetings whose topic begins with `prefix-`, by topic: their ids.
pub async fn stored_topics(url: &str, prefix: &str) -> Result<HashMap<String, i64>> {
    sqlx::any::install_default_drivers();
    let pool = sqlx::AnyPool::connect(url).await?;
    let rows: Vec<(i64, String)> =
        sqlx::query_as("SELECT id, topic FROM meeting WHERE topic LIKE $1")
            .bind(format!("{prefix}-%"))
            .fetch_all(&pool)
            .await?;
    pool.close().await;
    Ok(rows.into_iter().map(|(id, t)| (t, id)).collect())
}

async fn integrity_check(url: &str) -> Result<String> {
    sqlx::any::install_default_drivers();
    let pool = sqlx::AnyPool::connect(url).await?;
    let r: String = sqlx::query_scalar("PRAGMA integrity_check")
        .fetch_one(&pool)
        .await?;
    pool.close().await;
    Ok(r)
}

/// The soak results as the table of docs/PERFORMANCE.md.
pub fn soak_markdown(machine: &str, at: &str, s: &SoakArgs, rs: &[SoakResult]) -> String {
    use crate::markdown::thousands;
    use std::fmt::Write;
    let mut out = format!(
        "<!-- jiceng bench soak, {at}; {machine}; {} connections, {:.0} % writes, kill -9 every {} -->\n\n\
         | backend | minutes | kills | restart s (max) | req/s | acknowledged writes | missing | other id | API sample missing | failed writes (non-2xx) | non-2xx by status | no answer | unanswered writes (of them committed) | server log | integrity | audit verify |\n\
         |---|--:|--:|--:|--:|--:|--:|--:|--:|--:|---|---|--:|---|---|---|\n",
        s.connections,
        s.write_share * 100.0,
        if s.no_kill {
            "— (none during the load)".to_string()
        } else {
            format!("{:.0} s", s.kill_every)
        }
    );
    for r in rs {
        let max_restart = r.restart_seconds.iter().copied().fold(0.0, f64::max);
        let _ = writeln!(
            out,
            "| {} | {:.1} | {} | {:.2} | {} | {} | **{}** | {} | {} of {} | {} | {} | {} | {} ({}) | {} | {} | {} |",
            r.backend,
            r.minutes,
            r.kills,
            max_restart,
            thousands(r.requests_per_second, 0),
            thousands(r.acknowledged as f64, 0),
            r.missing,
            r.wrong_id,
            r.api_sample_missing,
            r.api_sample,
            thousands(r.writes_failed as f64, 0),
            r.errors_by_status,
            r.no_answer,
            r.writes_unanswered,
            r.unanswered_committed,
            causes_text(&r.causes),
            r.integrity.as_deref().unwrap_or("—"),
            r.audit_verify.replace('|', "/"),
        );
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn log_lines_sorted_by_cause() {
        assert_eq!(
            cause_of(
                r#"jiceng-web internal error: "数据库错误：error returned from database: (code: 5) database is locked""#
            ),
            "database is locked"
        );
        assert_eq!(
            cause_of(
                r#"jiceng-web internal error: Store(Database(PgDatabaseError { message: "duplicate key value violates unique constraint \"meeting_pkey\"" }))"#
            ),
            "duplicate key meeting_pkey"
        );
        assert_eq!(
            cause_of(
                "jiceng-web internal error: x (code: 2067) UNIQUE constraint failed: meeting.id"
            ),
            "UNIQUE constraint failed: meeting.id"
        );
    }
}
