//! Report latencies at five levels of the tree: the first answer on a fresh pool (cold),
//! then warm p50 and p99, each including the JSON the CLI and the API would send; and the
//! same questions answered the obvious way (`baseline`).

use std::time::Instant;

use anyhow::{Context, Result};
use jiceng_app::access::{self, Actor};
use jiceng_app::{recruitment, reports, App, Crypto};
use jiceng_domain::OrgKind;
use jiceng_store::orgs::StoredOrg;
use jiceng_store::{Scope, Store};
use serde::Serialize;

use crate::asked::{quarter_of, rating_year, Kind};
use crate::data::DataSet;
use crate::{baseline, BenchArgs};

/// An org a report is asked about.
#[derive(Debug, Clone, Serialize)]
pub struct Level {
    pub level: &'static str,
    pub code: String,
    pub name: String,
    pub orgs: i64,
    pub members: i64,
    /// Applicants of the subtree (发展党员, every stage).
    pub applicants: i64,
}

#[derive(Debug, Clone, Serialize)]
pub struct Timing {
    pub report: String,
    pub level: &'static str,
    /// The org asked when it is not the level's (the recruitment kinds at the branch
    /// level ask the branch with the most applicants): "code name".
    #[serde(skip_serializing_if = "Option::is_none")]
    pub org: Option<String>,
    pub cold_ms: f64,
    pub p50_ms: f64,
    pub p99_ms: f64,
    pub runs: usize,
    /// Bytes of JSON of one answer.
    pub json_bytes: usize,
    /// The obvious way (recursive CTE + GROUP BY on raw rows): median milliseconds.
    pub obvious_ms: Option<f64>,
}

impl Timing {
    pub fn speedup(&self) -> Option<f64> {
        self.obvious_ms.map(|o| o / self.p50_ms.max(1e-6))
    }
}

/// Opens a data set as the CLI would (the day of its stored facts is "today").
pub async fn open(set: &DataSet) -> Result<App> {
    let store = Store::open(&set.url).await?;
    let crypto = Crypto::load(&set.key_file)?;
    let mut app = App::new(store, crypto);
    let mut conn = app.store().acquire().await?;
    let roots = jiceng_store::browse::roots(&mut conn).await?;
    drop(conn);
    app.fixed_today = roots.iter().filter_map(|r| r.facts.facts_on).max();
    Ok(app)
}

async fn one(app: &App, sql: &str, binds: &[&str]) -> Result<Option<StoredOrg>> {
    let mut conn = app.store().acquire().await?;
    let mut q = sqlx::query_scalar::<_, i64>(sql);
    for b in binds {
        q = q.bind(b.to_string());
    }
    let id: Option<i64> = q.fetch_optional(&mut *conn).await?;
    Ok(match id {
        Some(id) => jiceng_store::orgs::get(&mut conn, &Scope::All, id).await?,
        None => None,
    })
}

/// Root, province, county, township and branch of a data set: the biggest root; the
/// province committee of `region` (else the biggest); 汶上县委 (370830) where present, else
/// the biggest county; its biggest township or street committee; that one's biggest
/// branch.
pub async fn levels(app: &App, region: &str) -> Result<Vec<(Level, StoredOrg)>> {
    let by_members = |extra: &str| {
        format!("SELECT id FROM org WHERE {extra} ORDER BY subtree_members DESC, id LIMIT 1")
    };
    let root = one(app, &by_members("parent_id IS NULL"), &[])
        .await?
        .context("数据集中没有党组织")?;
    let province = match one(
        app,
        &by_members("depth = 1 AND region_code = $1"),
        &[&format!("{region:0<12}")],
    )
    .await?
    {
        Some(p) => p,
        None => root.clone(),
    };
    let county = match one(app, &by_members("code = '370830-00001'"), &[]).await? {
        Some(c) => c,
        None => one(
            app,
            &by_members("kind = 'LocalCommittee' AND depth = 3"),
            &[],
        )
        .await?
        .context("没有县级党委")?,
    };
    let mut conn = app.store().acquire().await?;
    let kids = jiceng_store::orgs::children(&mut conn, &Scope::All, county.org.id).await?;
    drop(conn);
    // A township or street committee (county-level bodies sit under the seat's code too,
    // so the name tells them apart).
    let township = kids
        .iter()
        .filter(|o| {
            ["镇党委", "乡党委", "街道党工委", "街道党委"]
                .iter()
                .any(|s| o.org.name.ends_with(s))
        })
        .max_by_key(|o| (o.facts.subtree_members, -o.org.id))
        .cloned()
        .context("县下没有乡镇（街道）党委")?;
    let upper = jiceng_domain::path::subtree_upper(&township.path);
    let branch = one(
        app,
        &by_members(&format!(
            "kind = '{}' AND path >= $1 AND path < $2",
            OrgKind::Branch.code()
        )),
        &[&township.path, &upper],
    )
    .await?
    .context("乡镇下没有党支部")?;
    let mut out = Vec::new();
    for (label, o) in [
        ("root", root),
        ("province", province),
        ("county", county),
        ("township", township),
        ("branch", branch),
    ] {
        out.push((level(app, label, &o).await?, o));
    }
    Ok(out)
}

/// `o` described as a level: its subtree's orgs, members and applicants.
async fn level(app: &App, label: &'static str, o: &StoredOrg) -> Result<Level> {
    let mut conn = app.store().acquire().await?;
    let scope = Scope::subtree(&o.path);
    let orgs = jiceng_store::orgs::count(&mut conn, &scope).await?;
    let applicants = jiceng_store::recruitment::stage_counts(&mut conn, &scope)
        .await?
        .iter()
        .map(|(_, n)| n)
        .sum();
    Ok(Level {
        level: label,
        code: o.org.code.clone(),
        name: o.org.name.clone(),
        orgs,
        members: o.facts.subtree_members,
        applicants,
    })
}

/// The branch the recruitment kinds are asked at for the branch level: the one with the
/// most applicants of the set (one grouped read; the level's branch may have none).
/// `None` when the set has no applicants.
pub async fn recruitment_branch(app: &App) -> Result<Option<(Level, StoredOrg)>> {
    let sql = format!(
        "SELECT a.org_id FROM applicant a JOIN org o ON o.id = a.org_id WHERE o.kind = '{}' \
         GROUP BY a.org_id ORDER BY COUNT(*) DESC, a.org_id LIMIT 1",
        OrgKind::Branch.code()
    );
    Ok(match one(app, &sql, &[]).await? {
        Some(o) => Some((level(app, "branch", &o).await?, o)),
        None => None,
    })
}

pub async fn answer(app: &App, kind: Kind, code: &str, page: usize) -> Result<usize> {
    let today = app.today();
    let year = rating_year(today);
    let system = Actor::system();
    // The org as the front ends hand it to a report: resolved once, in scope (timed, as
    // the old reports resolved their key inside).
    let key = access::OrgKey::parse(Some(code));
    let root = || access::resolve(app, &system, &key);
    let json = match kind {
        Kind::Structure => {
            serde_json::to_string(&reports::structure::run(app, &root().await?, today).await?)?
        }
        Kind::StructurePage => serde_json::to_string(
            &reports::structure::run_limited(app, &root().await?, today, Some(page)).await?,
        )?,
        Kind::Coverage => {
            serde_json::to_string(&reports::coverage::run(app, &root().await?).await?)?
        }
        Kind::CoveragePage => serde_json::to_string(
            &reports::coverage::run_limited(app, &root().await?, Some(page)).await?,
        )?,
        Kind::Members => {
            serde_json::to_string(&reports::members::run(app, &root().await?, today).await?)?
        }
        Kind::Compliance => serde_json::to_string(
            &reports::compliance::run(app, &root().await?, quarter_of(today)).await?,
        )?,
        Kind::ComplianceOverview => serde_json::to_string(
            &reports::compliance::overview(app, &root().await?, quarter_of(today)).await?,
        )?,
        Kind::Ratings => serde_json::to_string(
            &jiceng_app::rating::ratings(app, &root().await?, year, None, 1, page as i64).await?,
        )?,
        Kind::Weak => serde_json::to_string(&reports::weak::run(app, &root().await?, year).await?)?,
        Kind::Rectification => {
            let org = access::resolve(app, &system, &access::OrgKey::parse(Some(code))).await?;
            serde_json::to_string(&reports::rectification::run(app, &org, year).await?)?
        }
        Kind::RecruitmentOverview => serde_json::to_string(
            &recruitment::overview::overview(app, &root().await?, year).await?,
        )?,
        Kind::RecruitmentBoard => serde_json::to_string(
            &recruitment::view::board_cut(
                app,
                &root().await?,
                true,
                Some(recruitment::view::BOARD_PAGE),
            )
            .await?,
        )?,
        Kind::Recruitment => {
            serde_json::to_string(&reports::recruitment::run(app, &root().await?, year).await?)?
        }
        Kind::Dues => serde_json::to_string(
            &jiceng_app::dues::overview(app, &root().await?, jiceng_domain::Period::Year(year))
                .await?,
        )?,
        Kind::Training => serde_json::to_string(
            &jiceng_app::training::overview(app, &root().await?, year).await?,
        )?,
        Kind::Funding => {
            serde_json::to_string(&jiceng_app::funding::overview(app, &root().await?, year).await?)?
        }
        Kind::Venues => serde_json::to_string(
            &jiceng_app::venues::list(app, &root().await?, Some(year), Default::default()).await?,
        )?,
        Kind::Surveys => {
            serde_json::to_string(&jiceng_app::surveys::list(app, &root().await?).await?)?
        }
        Kind::SurveyReport => serde_json::to_string(
            &jiceng_app::surveys::report(
                app,
                &root().await?,
                jiceng_domain::survey::SurveyPeriod::Year(year),
            )
            .await?,
        )?,
        Kind::Scorecard => serde_json::to_string(
            &jiceng_app::scorecard::card(
                app,
                &system.grant()?,
                &root().await?,
                jiceng_app::scorecard::Period::Year(year),
            )
            .await?,
        )?,
        Kind::Analysis => {
            let paper = reports::analysis::analysis(
                app,
                &system.grant()?,
                &root().await?,
                jiceng_app::scorecard::Period::Year(year),
            )
            .await?;
            return Ok(paper.docx()?.len());
        }
    };
    Ok(json.len())
}

/// The median of unsorted figures (as [`pct`] reads the sorted ones).
pub fn median(v: &[f64]) -> f64 {
    let mut v = v.to_vec();
    v.sort_by(f64::total_cmp);
    pct(&v, 0.5)
}

fn pct(sorted: &[f64], p: f64) -> f64 {
    if sorted.is_empty() {
        return f64::NAN;
    }
    let i = ((sorted.len() as f64 - 1.0) * p).round() as usize;
    sorted[i.min(sorted.len() - 1)]
}

/// Every report at every level: cold on a fresh pool, then warm runs; and the obvious way.
/// The recruitment kinds at the branch level are asked at `recruiting` (the branch with
/// the most applicants) when there is one.
pub async fn measure(
    args: &BenchArgs,
    set: &DataSet,
    levels: &[(Level, StoredOrg)],
    recruiting: Option<&(Level, StoredOrg)>,
) -> Result<Vec<Timing>> {
    let mut out = Vec::new();
    let mut seen: Vec<&str> = Vec::new();
    for (level, org) in levels {
        // The province of a province data set is its root: measured once.
        if seen.contains(&level.code.as_str()) {
            println!("    {:<9} (the same org as above)", level.level);
            continue;
        }
        seen.push(&level.code);
        for kind in Kind::ALL.into_iter().filter(|k| args.asks(*k)) {
            let (asked, org, elsewhere) = match recruiting {
                Some((r, o)) if kind.is_recruitment() && level.level == "branch" => (
                    r,
                    o,
                    Some(format!(
                        "{} {}（{} applicants）",
                        r.code, r.name, r.applicants
                    )),
                ),
                _ => (level, org, None),
            };
            let mut timing = time(args, set, kind, level.level, asked, org).await?;
            timing.org = elsewhere;
            println!(
                "    {:<9} {:<21} cold {:>9.2} ms  p50 {:>9.2} ms  p99 {:>9.2} ms  ({} runs, {} KiB){}{}",
                level.level,
                kind.name(),
                timing.cold_ms,
                timing.p50_ms,
                timing.p99_ms,
                timing.runs,
                timing.json_bytes / 1024,
                match (timing.obvious_ms, timing.speedup()) {
                    (Some(o), Some(s)) => format!("  obvious {o:.1} ms = {s:.1}×"),
                    _ => String::new(),
                },
                timing
                    .org
                    .as_ref()
                    .map(|o| format!("  at {o}"))
                    .unwrap_or_default()
            );
            out.push(timing);
        }
    }
    Ok(out)
}

/// One report at one org: cold on a fresh pool, warm runs within the budget, the obvious
/// way. `asked` is the org asked; `label` the level it stands for.
async fn time(
    args: &BenchArgs,
    set: &DataSet,
    kind: Kind,
    label: &'static str,
    asked: &Level,
    org: &StoredOrg,
) -> Result<Timing> {
    // Cold: a new pool (SQLite's page cache is per connection), the first answer.
    let app = open(set).await?;
    let t = Instant::now();
    let bytes = answer(&app, kind, &asked.code, args.page).await?;
    let cold_ms = t.elapsed().as_secs_f64() * 1e3;
    // Warm: as many runs as fit the budget, at least 3.
    let mut times = Vec::new();
    let budget = std::time::Duration::from_secs_f64(args.budget_seconds);
    let started = Instant::now();
    while times.len() < 3 || (times.len() < args.runs && started.elapsed() < budget) {
        let t = Instant::now();
        answer(&app, kind, &asked.code, args.page).await?;
        times.push(t.elapsed().as_secs_f64() * 1e3);
    }
    times.sort_by(|a, b| a.partial_cmp(b).expect("no NaN"));
    let obvious_ms = if args.no_baseline || !kind.has_baseline() {
        None
    } else {
        Some(baseline::measure(&app, kind, org).await?)
    };
    app.store().close().await;
    Ok(Timing {
        report: kind.name().to_string(),
        level: label,
        org: None,
        cold_ms,
        p50_ms: pct(&times, 0.5),
        p99_ms: pct(&times, 0.99),
        runs: times.len(),
        json_bytes: bytes,
        obvious_ms,
    })
}
