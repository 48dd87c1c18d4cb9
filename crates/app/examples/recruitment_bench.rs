//! Measures the recruitment report (`report recruitment`) on a generated region bigger than
//! a county: the stored way (`reports::recruitment::run`: stage counts, due list and
//! admissions read from the stored columns, only the people with violations judged) against
//! judging every applicant of the subtree from all their steps (`run_live`, the way before).
//!
//! ```sh
//! cargo run --release -p jiceng-app --example recruitment_bench -- [DIVISIONS_DIR] [PREFIX]
//! ```
//!
//! The region is the divisions under `PREFIX` (default 3711, 日照市: 5 counties) from
//! `DIVISIONS_DIR` (default `shared/data/divisions`), or the embedded county when the
//! tables are not there; generated with `jiceng_app::generate::run` into a temporary
//! SQLite database (removed at the end). Both ways must give the same answer: the run says
//! so. Synthetic data only; nobody real.

use std::time::{Duration, Instant};

use jiceng_app::access::{self, Actor, InScope, OrgKey};
use jiceng_app::import::NoProgress;
use jiceng_app::recruitment::plan;
use jiceng_app::reports::recruitment::{self as report, RecruitmentReport};
use jiceng_app::{App, Crypto, OrgRecord};
use jiceng_gen::Divisions;
use jiceng_store::recruitment as store;
use jiceng_store::Store;

type Res<T> = Result<T, Box<dyn std::error::Error>>;

fn divisions() -> (Divisions, String) {
    let args: Vec<String> = std::env::args().collect();
    let dir = args
        .get(1)
        .map(std::path::PathBuf::from)
        .unwrap_or_else(jiceng_gen::divisions::default_data_dir);
    let prefix = args.get(2).cloned().unwrap_or_else(|| "3711".into());
    match Divisions::load(&dir, Some(&prefix)) {
        Ok(d) => (d, format!("{prefix} from {}", dir.display())),
        Err(e) => {
            eprintln!("{e}: the embedded county instead");
            (
                Divisions::embedded_county(),
                "embedded county 370830".into(),
            )
        }
    }
}

/// The first answer, then the median of `warm` more.
async fn time<F, Fut, T>(warm: usize, mut f: F) -> Res<(Duration, Duration, T)>
where
    F: FnMut() -> Fut,
    Fut: std::future::Future<Output = jiceng_app::Result<T>>,
{
    let t = Instant::now();
    let mut out = f().await?;
    let first = t.elapsed();
    let mut runs = Vec::new();
    for _ in 0..warm {
        let t = Instant::now();
        out = f().await?;
        runs.push(t.elapsed());
    }
    runs.sort();
    let median = runs.get(runs.len() / 2).copied().unwrap_or(first);
    Ok((first, median, out))
}

fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1000.0
}

/// The org with the most applicants at `depth` (the root at the smallest).
async fn org_at(app: &App, depth: Option<i64>) -> Res<InScope<OrgRecord>> {
    let mut c = app.store().acquire().await?;
    let code: String = match depth {
        None => {
            sqlx::query_scalar("SELECT code FROM org WHERE parent_id IS NULL ORDER BY id LIMIT 1")
                .fetch_one(&mut *c)
                .await?
        }
        Some(d) => {
            sqlx::query_scalar(
                "SELECT o.code FROM org o JOIN applicant a ON a.org_path >= o.path \
                 AND a.org_path < o.path || '~' WHERE o.depth = $1 \
                 GROUP BY o.code ORDER BY COUNT(*) DESC, o.code LIMIT 1",
            )
            .bind(d)
            .fetch_one(&mut *c)
            .await?
        }
    };
    Ok(access::resolve(app, &Actor::system(), &OrgKey::parse(Some(&code))).await?)
}

fn summary(r: &RecruitmentReport) -> String {
    let b = &r.by_stage;
    format!(
        "stages {}/{}/{}/{}/{}, due {}, violations {}, admitted {}",
        b.applicant,
        b.activist,
        b.candidate,
        b.probationary,
        b.confirmed,
        r.due.len(),
        r.violations.len(),
        r.plan.admitted
    )
}

async fn measure(app: &App, org: &InScope<OrgRecord>, year: i32) -> Res<bool> {
    let (live_first, live, old) = time(2, || report::run_live(app, org, year)).await?;
    let (first, warm, new) = time(5, || report::run(app, org, year)).await?;
    let (_, plan_warm, _) = time(5, || plan::fulfilment(app, org, year)).await?;
    let same = serde_json::to_value(&old)? == serde_json::to_value(&new)?
        && serde_json::to_value(&old.levels)? == serde_json::to_value(&new.levels)?;
    println!("{} ({}): {}", org.org.name, org.org.code, summary(&new));
    println!(
        "  judged live (before): first {:.1} ms, warm {:.1} ms",
        ms(live_first),
        ms(live)
    );
    println!(
        "  stored (after):       first {:.1} ms, warm {:.1} ms — {:.1}× faster; plan fulfilment alone {:.1} ms",
        ms(first),
        ms(warm),
        ms(live) / ms(warm).max(1e-6),
        ms(plan_warm)
    );
    println!("  same answer: {}", if same { "yes" } else { "NO" });
    Ok(same)
}

/// Each stored read of the report alone, at `org` (warm median of 5).
async fn parts(app: &App, org: &InScope<OrgRecord>, year: i32) -> Res<()> {
    let scope = jiceng_store::Scope::subtree(&org.path);
    let store = app.store();
    let read = |what: &'static str| {
        let scope = scope.clone();
        async move {
            let mut c = store.acquire().await?;
            let n = match what {
                "stages" => store::stage_counts(&mut c, &scope).await?.len(),
                "due" => store::due(&mut c, &scope, None, None).await?.len(),
                "due ≤ 30 days, first 100" => {
                    let until = app.today() + chrono::Days::new(30);
                    store::due(&mut c, &scope, Some(until), Some(100))
                        .await?
                        .len()
                }
                "violations" => store::with_violations(&mut c, &scope, None).await?.len(),
                _ => store::admitted_in(&mut c, &scope, year).await?.len(),
            };
            Ok::<usize, jiceng_app::AppError>(n)
        }
    };
    let mut line = String::from("  stored reads:");
    for what in [
        "stages",
        "due",
        "due ≤ 30 days, first 100",
        "violations",
        "admitted",
    ] {
        let (_, warm, n) = time(5, || read(what)).await?;
        line.push_str(&format!(" {what} {:.1} ms ({n} rows);", ms(warm)));
    }
    let mut c = store.acquire().await?;
    let moved: i64 = sqlx::query_scalar(
        "SELECT COUNT(*) FROM applicant WHERE next_step = 7 AND next_not_before < $1",
    )
    .bind(app.today().to_string())
    .fetch_one(&mut *c)
    .await?;
    println!("{line} judged again for the due list (whole set): {moved}");
    Ok(())
}

#[tokio::main(flavor = "multi_thread", worker_threads = 2)]
async fn main() -> Res<()> {
    let (divisions, what) = divisions();
    let dir = std::env::temp_dir().join(format!("jiceng_recruitment_bench_{}", std::process::id()));
    std::fs::create_dir_all(&dir)?;
    let url = format!("sqlite://{}", dir.join("bench.db").display());
    let store = Store::open(&url).await?;
    let app = App::new(store, Crypto::from_key(&[7u8; 32]));
    let t = Instant::now();
    let g = jiceng_app::generate::run(&app, divisions, 14, &NoProgress).await?;
    println!(
        "generated {what}: {} counties, {} orgs, {} members, {} applicants in {:.0} s",
        g.counties,
        g.orgs,
        g.members,
        g.applicants,
        t.elapsed().as_secs_f64()
    );
    let mut c = app.store().acquire().await?;
    let steps: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM recruitment_step")
        .fetch_one(&mut *c)
        .await?;
    let root_depth: i64 = sqlx::query_scalar("SELECT MIN(depth) FROM org")
        .fetch_one(&mut *c)
        .await?;
    drop(c);
    println!("{steps} recorded steps");
    let year = chrono::Datelike::year(&app.today());
    let mut same = true;
    for depth in [None, Some(root_depth + 2), Some(root_depth + 3)] {
        let org = org_at(&app, depth).await?;
        same &= measure(&app, &org, year).await?;
        parts(&app, &org, year).await?;
    }
    let _ = std::fs::remove_dir_all(&dir);
    if !same {
        return Err("the stored way and the live way differ".into());
    }
    Ok(())
}
