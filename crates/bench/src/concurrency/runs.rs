//! The concurrency runs: each number of connections for a fixed time, and their table.

use super::*;

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
