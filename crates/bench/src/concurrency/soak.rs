//! The soak: the served county killed every minute, then every acknowledged write looked
//! for, and its table.

use super::*;

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
