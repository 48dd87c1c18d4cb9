//! A meeting recorded at a branch, counted in the root's stored figures (issue #20 point
//! 4: within 60 s): the record, then the server's pass over the touched chains
//! (`refresh_touched_life`), each run checked by the root's year summary counting one
//! meeting more; against the whole tree's refresh the pass replaces (the obvious way).

use std::time::Instant;

use anyhow::{ensure, Result};
use jiceng_app::access::{self, Actor, OrgKey, RecordLife};
use jiceng_app::meetings::{self, NewMeeting};
use jiceng_app::App;
use jiceng_domain::{MeetingKind, Period};
use serde::Serialize;

/// What a meeting costs until the root counts it.
#[derive(Debug, Clone, Default, Serialize)]
pub struct TouchedCosts {
    /// Each run's record (the meeting's transaction, its mark included), ms.
    pub record_ms: Vec<f64>,
    /// Each run's pass over the touched chains, ms.
    pub pass_ms: Vec<f64>,
    /// The whole tree's refresh of the same periods, once, ms (`None`: not measured).
    pub whole_ms: Option<f64>,
}

/// The root's stored year summary: its meetings counted.
async fn root_meetings(app: &App, root_id: i64, year: Period) -> Result<i64> {
    let mut conn = app.store().acquire().await?;
    let s = jiceng_store::meetings::summaries(&mut conn, year, &[root_id]).await?;
    Ok(s.first().map_or(0, |s| s.meetings))
}

/// `runs` meetings recorded at `branch` (a theme day each, in last month, the year's
/// figures counting it), each followed by the pass; the whole refresh once unless
/// `no_baseline`. Last month must lie in this year (not in January).
pub async fn touched_costs(
    app: &App,
    root: &str,
    branch: &str,
    runs: usize,
    no_baseline: bool,
) -> Result<TouchedCosts> {
    let today = app.today();
    let last_month = Period::month_of(Period::month_of(today).first_day() - chrono::Days::new(1));
    let year = Period::year_of(today);
    ensure!(
        year.contains(last_month.first_day()),
        "January: last month's meetings do not count in this year"
    );
    let system = Actor::system();
    let grant = system.grant::<RecordLife>()?;
    let root = access::resolve(app, &system, &OrgKey::parse(Some(root))).await?;
    let at = access::resolve(app, &system, &OrgKey::parse(Some(branch))).await?;
    // Marks left by earlier writes are counted first, so each run's pass is its own.
    jiceng_app::refresh_touched_life(app).await?;
    let mut costs = TouchedCosts::default();
    let stamp = chrono::Utc::now().format("%H%M%S").to_string();
    for run in 0..runs {
        let before = root_meetings(app, root.org.id, year).await?;
        let meeting = NewMeeting {
            kind: Some(MeetingKind::ThemeDay),
            date: Some(last_month.first_day() + chrono::Days::new(run as u64 % 28)),
            topic: format!("性能测试补记 {stamp}-{run}"),
            expected: Some(10),
            present: Some(9),
            excused: Some(1),
            ..Default::default()
        };
        let t = Instant::now();
        meetings::record(app, &grant, &at, &meeting).await?;
        costs.record_ms.push(t.elapsed().as_secs_f64() * 1e3);
        let t = Instant::now();
        jiceng_app::refresh_touched_life(app).await?;
        costs.pass_ms.push(t.elapsed().as_secs_f64() * 1e3);
        let after = root_meetings(app, root.org.id, year).await?;
        ensure!(
            after == before + 1,
            "the root's year counts {after} meetings after the pass, {before} before"
        );
    }
    if !no_baseline {
        let t = Instant::now();
        jiceng_app::refresh_life_summaries(app).await?;
        costs.whole_ms = Some(t.elapsed().as_secs_f64() * 1e3);
    }
    Ok(costs)
}
