//! 检验标准 (五个是否, issue #19): each org's scorecard of a period, stored per org and
//! read, not computed on every page ([`build`]: the whole period at once; a period is
//! built on its first read, again when the rules it was built by changed, and on demand
//! by the department — `jiceng scorecard build`). A card is the org's stored subtree
//! inputs scored by the rules in force, its children's scores (the heat map) and the
//! weakest link over its children and its subtree's leaf orgs, with names. The leaf
//! orgs' part of a big region's weakest link is stored by the build too
//! ([`GAPS_STORED_FROM`]): a province's card reads one row, not 200 thousand.

mod build;
pub mod hand;
mod sheets;

use std::collections::BTreeMap;

use chrono::NaiveDate;
use jiceng_domain::scorecard::ScorePeriod;
use jiceng_domain::scorecard::{
    org_gaps, score, weakest_link_of, MeasureScores, Scorecard, Scored, WeakestLink,
};
use jiceng_domain::weakness::WeakTally;
use jiceng_store::scorecard::{self as store, Built};
use serde::Serialize;

pub use build::{as_of, GAPS_STORED_FROM};
/// A scorecard's period: a year, a half-year or a quarter.
pub use jiceng_domain::scorecard::ScorePeriod as Period;
pub use sheets::score_text;

use crate::access::{BuildScorecard, Grant, InScope, ViewScorecard};
use crate::{App, AppError, OrgRecord, OrgRef, Result};

/// One child of the org on the heat map: its subtree's five scores.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ChildCard {
    pub org_id: i64,
    pub org: OrgRef,
    /// Rated orgs of the child's subtree (its weight in the weakest link).
    pub orgs: i64,
    pub scores: MeasureScores,
}

/// An org's scorecard of a period, in the JSON shape of issue #19 point 5 (`org`,
/// `period`, `measures`, `weakest`, ids in the weakest link) with the names of every id
/// it holds (`names`), the children's heat map and how fresh the figures are.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Card {
    pub org: OrgRef,
    pub org_id: i64,
    pub period: String,
    pub period_label: String,
    /// The day the figures are as of (the period's last day, or the build's day).
    pub as_of: NaiveDate,
    /// When the stored figures were built (截至).
    pub built_at: String,
    #[serde(flatten)]
    pub card: Scorecard,
    pub children: Vec<ChildCard>,
    pub weakest: WeakestLink,
    /// Every org id of `weakest` and `children`, by id.
    pub names: BTreeMap<i64, OrgRef>,
    /// The subtree's weak orgs of the period's year as the build diagnosed them (what a
    /// large region's analysis report counts; not in the card's JSON).
    #[serde(skip)]
    pub weak: WeakTally,
}

impl Card {
    /// "截至 …" for the page and the table.
    pub fn freshness(&self) -> String {
        format!("截至 {}", built_time(&self.built_at))
    }
}

/// Parses a period as the scorecard takes it: `2026`, `2026H1`, `2026H2`, `2026Q3`.
pub fn period(s: &str) -> Result<ScorePeriod> {
    ScorePeriod::parse(s).map_err(AppError::Input)
}

/// A period built: when, and how many orgs' cards were written.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct BuildDone {
    pub built_at: String,
    pub orgs: usize,
}

/// Builds `period` again now, whatever is stored (the department's).
pub async fn rebuild(
    app: &App,
    _grant: &Grant<BuildScorecard>,
    period: ScorePeriod,
) -> Result<BuildDone> {
    let _one = build::one_at_a_time().await;
    let (built, orgs) = build::build(app, period).await?;
    Ok(BuildDone {
        built_at: built.built_at,
        orgs,
    })
}

/// The period's build: as stored when the rules in force are those it was built by,
/// else built now.
async fn ensure(app: &App, period: ScorePeriod) -> Result<Built> {
    let day = as_of(period, app.today());
    let want = build::fingerprint(app.rules.in_force(day));
    let current = async || -> Result<Option<Built>> {
        let mut conn = app.store.acquire().await?;
        let stored = store::built(&mut conn, &period.code()).await?;
        Ok(stored.filter(|b| b.rules_fingerprint == want))
    };
    if let Some(b) = current().await? {
        return Ok(b);
    }
    // Another reader may be building it: wait for that build, then look again.
    let _one = build::one_at_a_time().await;
    match current().await? {
        Some(b) => Ok(b),
        None => Ok(build::build(app, period).await?.0),
    }
}

/// The org's card of `period`: its stored subtree inputs scored, its children's scores
/// and the weakest link over the children and the subtree's leaf orgs (rated orgs with
/// no rated org below them), every id named.
pub async fn card(
    app: &App,
    _grant: &Grant<ViewScorecard>,
    org: &InScope<OrgRecord>,
    period: ScorePeriod,
) -> Result<Card> {
    let built = ensure(app, period).await?;
    let code = period.code();
    let day = as_of(period, app.today());
    let rules = &app.rules.in_force(day).scorecard;
    let mut conn = app.store.acquire().await?;
    let own = store::get(&mut conn, &code, org.org.id).await?;
    let children = store::children(&mut conn, &code, org.org.id).await?;
    let gaps = match store::org_gaps(&mut conn, &code, org.org.id).await? {
        Some(stored) => stored,
        None => {
            let leaves = store::leaf_scores(&mut conn, &code, &org.path).await?;
            let orgs: Vec<Scored> = leaves
                .iter()
                .map(|(id, scores)| Scored {
                    id: *id,
                    weight: 1.0,
                    scores: *scores,
                })
                .collect();
            org_gaps(&orgs, &rules.weakest)
        }
    };
    let (inputs, weak) = own.map(|c| (c.inputs, c.weak)).unwrap_or_default();
    let card = score(&inputs, rules);
    let kids: Vec<Scored> = children
        .iter()
        .map(|c| Scored {
            id: c.org_id,
            weight: c.orgs as f64,
            scores: c.scores,
        })
        .collect();
    let weakest = weakest_link_of(&card.scores(), &kids, gaps, &rules.weakest);
    let mut ids: Vec<i64> = children.iter().map(|c| c.org_id).collect();
    for g in &weakest.by_measure {
        for l in [&g.children, &g.orgs].into_iter().flatten() {
            ids.extend(l.ranked.iter().map(|c| c.org));
        }
    }
    ids.sort_unstable();
    ids.dedup();
    let names = OrgRef::by_ids(&mut conn, &ids).await?;
    let children = child_cards(children, &names);
    Ok(Card {
        org: org.org_ref(),
        org_id: org.org.id,
        period: code,
        period_label: period.label(),
        as_of: day,
        built_at: built.built_at,
        card,
        children,
        weakest,
        names,
        weak,
    })
}

/// The children's stored cards as the heat map's rows, named.
fn child_cards(children: Vec<store::StoredCard>, names: &BTreeMap<i64, OrgRef>) -> Vec<ChildCard> {
    children
        .into_iter()
        .map(|c| ChildCard {
            org: names.get(&c.org_id).cloned().unwrap_or_default(),
            org_id: c.org_id,
            orgs: c.orgs,
            scores: c.scores,
        })
        .collect()
}

/// One period of an org's trend: its stored five scores as they were built (a
/// snapshot), or `None` when the period was never built.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct TrendPoint {
    pub period: String,
    pub label: String,
    /// The label on a chart's axis: "2026上", "2026下", "2026年".
    pub short: String,
    pub scores: Option<MeasureScores>,
    /// When the snapshot was built.
    pub built_at: Option<String>,
}

/// The periods a trend shows, oldest first: the half-years of the two years before
/// `today`'s and of its own up to its half, each year after its second half (this year's
/// too: it is running).
pub fn trend_periods(today: NaiveDate) -> Vec<ScorePeriod> {
    use chrono::Datelike;
    let y = today.year();
    let mut out = Vec::new();
    for year in y - 2..=y {
        out.push(ScorePeriod::Half(year, 1));
        if year < y || today.month() > 6 {
            out.push(ScorePeriod::Half(year, 2));
        }
        out.push(ScorePeriod::Year(year));
    }
    out
}

/// The org's stored scores over `periods` (snapshots as built; a period never built is
/// `None`, and is not built by this read — a trend costs one indexed lookup a period).
pub async fn trend(
    app: &App,
    _grant: &Grant<ViewScorecard>,
    org: &InScope<OrgRecord>,
    periods: &[ScorePeriod],
) -> Result<Vec<TrendPoint>> {
    let codes: Vec<String> = periods.iter().map(|p| p.code()).collect();
    let mut conn = app.store.acquire().await?;
    let mut stored: BTreeMap<String, (String, Option<MeasureScores>)> =
        store::over_periods(&mut conn, &codes, org.org.id)
            .await?
            .into_iter()
            .map(|(p, at, s)| (p, (at, s)))
            .collect();
    Ok(periods
        .iter()
        .zip(codes)
        .map(|(p, code)| {
            let built = stored.remove(&code);
            TrendPoint {
                short: p.short(),
                label: p.label(),
                period: code,
                scores: built.as_ref().and_then(|b| b.1),
                built_at: built.map(|b| b.0),
            }
        })
        .collect())
}

/// What a home page shows of a period's scorecard when it is built: the org's five scores
/// and its children's (the heat map), named — read, never built (a few indexed reads).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Glance {
    pub period: String,
    pub label: String,
    pub built_at: String,
    pub scores: MeasureScores,
    pub children: Vec<ChildCard>,
}

/// The org's [`Glance`] of `period`, or `None` when the period was not built yet.
pub async fn glance(
    app: &App,
    _grant: &Grant<ViewScorecard>,
    org: &InScope<OrgRecord>,
    period: ScorePeriod,
) -> Result<Option<Glance>> {
    let code = period.code();
    let mut conn = app.store.acquire().await?;
    let Some(built) = store::built(&mut conn, &code).await? else {
        return Ok(None);
    };
    let Some(own) = store::get(&mut conn, &code, org.org.id).await? else {
        return Ok(None);
    };
    let children = store::children(&mut conn, &code, org.org.id).await?;
    let ids: Vec<i64> = children.iter().map(|c| c.org_id).collect();
    let names = OrgRef::by_ids(&mut conn, &ids).await?;
    Ok(Some(Glance {
        period: code,
        label: period.label(),
        built_at: built.built_at,
        scores: own.scores,
        children: child_cards(children, &names),
    }))
}

/// The periods running on `today`: its year, its half-year and its quarter.
pub fn current_periods(today: NaiveDate) -> [ScorePeriod; 3] {
    use chrono::Datelike;
    let (y, m) = (today.year(), today.month());
    [
        ScorePeriod::Year(y),
        ScorePeriod::Half(y, if m <= 6 { 1 } else { 2 }),
        ScorePeriod::Quarter(y, (m - 1) / 3 + 1),
    ]
}

/// A build's `built_at` (UTC) in China time.
fn built_china(built_at: &str) -> Option<chrono::NaiveDateTime> {
    let at = chrono::NaiveDateTime::parse_from_str(built_at, "%Y-%m-%dT%H:%M:%SZ").ok()?;
    Some(at + chrono::Duration::hours(8))
}

/// The day (China time) a build was made, from its `built_at`.
fn built_day(built_at: &str) -> Option<NaiveDate> {
    built_china(built_at).map(|t| t.date())
}

/// "2026-12-07 13:52（北京时间）" of a build's `built_at` (as stored when unreadable).
pub fn built_time(built_at: &str) -> String {
    built_china(built_at).map_or_else(
        || built_at.to_string(),
        |t| format!("{}（北京时间）", t.format("%Y-%m-%d %H:%M")),
    )
}

/// The server's daily work: each running period (this year, this half-year) that is
/// stored and was built before today is built again, so a card is never more than a day
/// behind its records (a period never read stays unbuilt: its first read builds it).
/// Returns the periods built.
pub async fn refresh_current(app: &App) -> Result<Vec<String>> {
    let today = app.today();
    let mut done = Vec::new();
    for p in current_periods(today) {
        let code = p.code();
        let mut conn = app.store.acquire().await?;
        let built = store::built(&mut conn, &code).await?;
        drop(conn);
        let stale = built
            .as_ref()
            .is_some_and(|b| built_day(&b.built_at).is_none_or(|d| d < today));
        if stale {
            let _one = build::one_at_a_time().await;
            build::build(app, p).await?;
            done.push(code);
        }
    }
    Ok(done)
}
