//! The stored summaries of the levels above the branches (`refresh_summaries`) and the
//! pages' overview of an org and its direct children, judged live for a county or less,
//! else read from the summaries.

use super::*;

/// Recomputes the stored summaries (`compliance_summary`) of every org above the
/// branches of the subtree of `root` (the whole tree when `None`) for each period. Run
/// by `jiceng refresh` and, in a server, now and then (the marks of meetings in between
/// are counted by [`refresh_touched`] within seconds); each row says when it was
/// computed. Returns the rows written.
pub async fn refresh_summaries(
    app: &App,
    root: Option<&InScope<OrgRecord>>,
    periods: &[Period],
) -> Result<usize> {
    let scope = root.map_or(Scope::All, |r| r.subtree());
    refresh_scope(app, &scope, periods).await
}

/// [`refresh_summaries`] of a scope.
pub(super) async fn refresh_scope(app: &App, scope: &Scope, periods: &[Period]) -> Result<usize> {
    let mut written = 0;
    let as_of = app.today();
    for period in periods {
        let j = judge_subtree(app, scope, *period, as_of).await?;
        let rows = summaries_of(&j, scope, *period, as_of, &computed_now(app));
        written += rows.len();
        let rows = &rows;
        crate::audit::with_retry(|| async move {
            let mut tx = app.store.begin().await?;
            meeting_store::replace_summaries(&mut tx, scope, *period, rows).await?;
            tx.commit().await?;
            Ok(())
        })
        .await?;
    }
    Ok(written)
}

/// The time a summary computed now says it was computed (UTC).
pub(super) fn computed_now(app: &App) -> String {
    app.now().format("%Y-%m-%dT%H:%M:%SZ").to_string()
}

/// An org's summary of `period` with nothing counted yet.
pub(super) fn empty_summary(
    org_id: i64,
    org_path: &str,
    period: Period,
    as_of: NaiveDate,
    computed_at: &str,
) -> Summary {
    Summary {
        org_id,
        org_path: org_path.to_string(),
        period,
        branches: 0,
        compliant: 0,
        held_nothing: 0,
        meetings: 0,
        expected: 0,
        present: 0,
        quorum_failed: 0,
        computed_at: computed_at.to_string(),
        judged_through: judged_through(period, as_of),
    }
}

/// Adds a judged branch's verdict and its (meetings, expected, present, failed quorums).
pub(super) fn add_verdict(s: &mut Summary, c: &Compliance, sums: &[i64; 4]) {
    s.add_counts(1, c.compliant() as i64, c.held_nothing() as i64, *sums);
}

/// The summaries of every org of `scope` with judged branches below it, from a judgment
/// of the scope: each judged branch counted at every ancestor in the scope and itself.
fn summaries_of(
    j: &Judged,
    scope: &Scope,
    period: Period,
    as_of: NaiveDate,
    computed_at: &str,
) -> Vec<Summary> {
    let mut sums: BTreeMap<&str, Summary> = BTreeMap::new();
    let branch_paths: std::collections::HashSet<&str> = j
        .verdicts
        .iter()
        .filter(|v| v.1.judged())
        .map(|(i, _, _)| j.orgs[*i].path.as_str())
        .collect();
    for (i, c, counts) in j.verdicts.iter().filter(|v| v.1.judged()) {
        let own = j.orgs[*i].path.as_str();
        for a in ancestor_paths(own).into_iter().chain([own]) {
            if !scope.contains(a) {
                continue;
            }
            let s = sums.entry(a).or_insert_with(|| {
                let id = path::ids(a).last().copied().unwrap_or_default();
                empty_summary(id, a, period, as_of, computed_at)
            });
            add_verdict(s, c, counts);
        }
    }
    // A branch's own row is kept only when other branches sit below it; the rest are
    // judged live on a page (cheap) and would make the table as long as the tree.
    sums.into_values()
        .filter(|s| s.branches > 1 || !branch_paths.contains(s.org_path.as_str()))
        .collect()
}

/// The branches an org may have below it for its figures to be judged live on a page;
/// above this, the stored summaries are read.
pub const LIVE_MAX_BRANCHES: i64 = 2_000;

/// The orgs a subtree may have for its page to list every branch judged (未达标, 未开展,
/// the calendar) although its figures come from the stored summaries: a county of about
/// two thousand branches is judged in a few hundredths of a second (the export's cost,
/// ux-review), so a county lists its 未达标 at the county itself; above this (a city, a
/// province) the lists are the drill-down's and the export's.
pub const LIST_MAX_ORGS: i64 = 12_000;

/// Whether the page of `org` lists every branch judged (see [`LIST_MAX_ORGS`]).
pub async fn lists_fit(app: &App, org: &InScope<OrgRecord>) -> Result<bool> {
    lists_fit_within(app, org, LIST_MAX_ORGS).await
}

/// Whether the subtree of `org` has at most `max` orgs (as the stored totals count them).
pub async fn lists_fit_within(app: &App, org: &InScope<OrgRecord>, max: i64) -> Result<bool> {
    let mut conn = app.store.acquire().await?;
    Ok(facts_store::totals(&mut conn, org.org.id)
        .await?
        .is_none_or(|t| t.orgs <= max))
}

/// One org's compliance figures on a page.
#[derive(Debug, Clone, Serialize)]
pub struct OverviewRow {
    pub org: OrgRef,
    pub org_id: i64,
    pub branches: i64,
    pub compliant: i64,
    pub held_nothing: i64,
    pub rate: Option<f64>,
}

/// The compliance of an org and of each of its direct children (the drill-down page):
/// judged live for a township-sized subtree, read from the stored summaries above that.
#[derive(Debug, Clone, Serialize)]
pub struct Overview {
    pub org: OverviewRow,
    pub period: Period,
    /// The judging day and what the figures count (closed spans only).
    pub as_of: NaiveDate,
    pub judged_through: Option<NaiveDate>,
    pub judged_note: String,
    /// "live" (judged now from the branches' facts) or "summary" (stored by a refresh).
    pub source: &'static str,
    /// When the stored summary was computed (UTC); `None` when live.
    pub computed_at: Option<String>,
    pub children: Vec<OverviewRow>,
}

/// The overview of a report already judged in full for `org` (a page that lists every
/// branch judges once, and its figures are the lists' own).
pub fn overview_of(org: &InScope<OrgRecord>, r: &ComplianceReport) -> Overview {
    let row = |o: OrgRef, id: i64, b: usize, ok: usize, none: usize| OverviewRow {
        org: o,
        org_id: id,
        branches: b as i64,
        compliant: ok as i64,
        held_nothing: none as i64,
        rate: rate(ok, b),
    };
    Overview {
        org: row(
            r.org.clone(),
            org.org.id,
            r.branches,
            r.compliant,
            r.held_nothing.len(),
        ),
        period: r.period,
        as_of: r.as_of,
        judged_through: r.judged_through,
        judged_note: r.judged_note.clone(),
        source: "live",
        computed_at: None,
        children: r
            .levels
            .iter()
            .map(|l| {
                row(
                    l.org.clone(),
                    l.org_id,
                    l.branches,
                    l.compliant,
                    l.held_nothing,
                )
            })
            .collect(),
    }
}

/// The overview of a large region's `period` as stored, the region's summaries computed
/// first when no refresh stored them (a past year, say: judged once, then read).
pub async fn overview_stored(
    app: &App,
    org: &InScope<OrgRecord>,
    period: Period,
) -> Result<Overview> {
    let mut conn = app.store.acquire().await?;
    let stored = meeting_store::summaries(&mut conn, period, &[org.org.id]).await?;
    drop(conn);
    if stored.is_empty() {
        refresh_summaries(app, Some(org), &[period]).await?;
    }
    overview_with_limit(app, org, period, 0).await
}

pub async fn overview(app: &App, org: &InScope<OrgRecord>, period: Period) -> Result<Overview> {
    overview_with_limit(app, org, period, LIVE_MAX_BRANCHES).await
}

/// `overview` with the size above which stored summaries are read (tests, tuning).
pub async fn overview_with_limit(
    app: &App,
    org: &InScope<OrgRecord>,
    period: Period,
    live_max_branches: i64,
) -> Result<Overview> {
    let as_of = app.today();
    let mut conn = app.store.acquire().await?;
    let children = org_store::children(&mut conn, &org.subtree(), org.org.id).await?;
    let stored = meeting_store::summaries(&mut conn, period, &[org.org.id]).await?;
    let row = |o: &jiceng_domain::Org, b: i64, ok: i64, none: i64| OverviewRow {
        org: OrgRef::of(o),
        org_id: o.id,
        branches: b,
        compliant: ok,
        held_nothing: none,
        rate: rate(ok as usize, b as usize),
    };
    // Large subtrees read the stored summaries. A period none of whose obligations has
    // closed yet (a running month) has no summary rows at all: its size is then told by
    // the subtree's stored org count (orgs ≥ branches), so a province's page never judges
    // its branches live just because the month is young.
    let large = match stored.first() {
        Some(s) => s.branches > live_max_branches,
        None => facts_store::totals(&mut conn, org.org.id)
            .await?
            .is_some_and(|t| t.orgs > live_max_branches),
    };
    let nothing_closed = || empty_summary(org.org.id, &org.path, period, as_of, &computed_now(app));
    if large {
        let top = stored.first().cloned().unwrap_or_else(nothing_closed);
        let ids: Vec<i64> = children.iter().map(|c| c.org.id).collect();
        let below: HashMap<i64, Summary> = meeting_store::summaries(&mut conn, period, &ids)
            .await?
            .into_iter()
            .map(|s| (s.org_id, s))
            .collect();
        drop(conn);
        let mut rows = Vec::new();
        for c in &children {
            if let Some(s) = below.get(&c.org.id) {
                rows.push(row(&c.org, s.branches, s.compliant, s.held_nothing));
            } else if c.org.kind == jiceng_domain::OrgKind::Branch {
                // A branch straight under a large org: judged live (its subtree is small).
                let j = judge_subtree(app, &Scope::subtree(&c.path), period, as_of).await?;
                let ok = j.verdicts.iter().filter(|v| v.1.compliant()).count() as i64;
                let none = j.verdicts.iter().filter(|v| v.1.held_nothing()).count() as i64;
                let judged = j.verdicts.iter().filter(|v| v.1.judged()).count() as i64;
                if judged > 0 {
                    rows.push(row(&c.org, judged, ok, none));
                }
            }
        }
        return Ok(Overview {
            org: row(&org.org, top.branches, top.compliant, top.held_nothing),
            period,
            // The summary was judged on the day it was computed.
            as_of,
            judged_through: top.judged_through,
            judged_note: judged_note(period, as_of),
            source: "summary",
            computed_at: Some(top.computed_at.clone()),
            children: rows,
        });
    }
    drop(conn);
    let j = judge_subtree(app, &Scope::subtree(&org.path), period, as_of).await?;
    let ok = j.verdicts.iter().filter(|v| v.1.compliant()).count() as i64;
    let none = j.verdicts.iter().filter(|v| v.1.held_nothing()).count() as i64;
    let judged = j.verdicts.iter().filter(|v| v.1.judged()).count() as i64;
    let by_child = child_counts(&j, &org.path);
    Ok(Overview {
        org: row(&org.org, judged, ok, none),
        period,
        as_of,
        judged_through: judged_through(period, as_of),
        judged_note: judged_note(period, as_of),
        source: "live",
        computed_at: None,
        children: children
            .iter()
            .filter_map(|c| {
                let (b, ok, none) = by_child.get(&c.org.id).copied()?;
                Some(row(&c.org, b as i64, ok as i64, none as i64))
            })
            .collect(),
    })
}
