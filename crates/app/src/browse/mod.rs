//! Read use cases the pages and the API share: the dashboard of a subtree, org pages and
//! the lazily expanding tree (`org`), the member roster and member pages (`members`), the
//! unit registry (`units`).
//!
//! Every function takes the acting user and reads through `actor.scope` (a literal path
//! range), so a handler that forgets a check still cannot see outside the subtree: a miss
//! is `NotFound`. ID numbers are shown masked and phones masked; the full number only
//! through `privacy::reveal_id_number`, which is audited.

mod members;
mod org;
pub mod search;
mod units;

use std::collections::HashMap;

use chrono::NaiveDate;
use jiceng_domain::{path, OrgKind};
use jiceng_store::browse as browse_store;
pub use jiceng_store::browse::MemberSort;
use jiceng_store::orgs::{self as org_store, StoredOrg};
use jiceng_store::{Conn, Scope};
use serde::Serialize;

pub use members::{
    member_in_scope, member_view, members, members_all, MemberPage, MemberQuery, MemberRow,
    MemberView, AGE_BANDS, YEAR_BANDS,
};
pub use org::{
    action_label, org_view, AnomalyLine, EventRow, FactsView, HistoryRow, OrgView, PositionRow,
};
pub use units::{units, units_all, UnitPage, UnitQuery, UnitRow};

use crate::access::{self, Action, Actor, InScope, OrgKey};
use crate::reports;
use crate::{App, AppError, Result};

/// The largest page a list hands out.
pub const MAX_PAGE_SIZE: i64 = 200;

/// An org as lists and the tree show it.
#[derive(Debug, Clone, Serialize)]
pub struct OrgSummary {
    pub id: i64,
    pub code: String,
    pub name: String,
    pub kind: String,
    pub kind_label: String,
    pub members: i64,
    pub direct_members: i64,
    pub children: i64,
    pub dissolved: bool,
}

impl OrgSummary {
    fn of(o: &StoredOrg, children: i64) -> OrgSummary {
        OrgSummary {
            id: o.org.id,
            code: o.org.code.clone(),
            name: o.org.name.clone(),
            kind: o.org.kind.code().into(),
            kind_label: o.org.kind.label().into(),
            members: o.facts.subtree_members,
            direct_members: o.facts.direct_members,
            children,
            dissolved: o.org.dissolved_on.is_some(),
        }
    }
}

/// A page of a list: its rows, the total, the page (1-based) and its size.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Page<T> {
    pub items: Vec<T>,
    pub total: i64,
    pub page: i64,
    pub page_size: i64,
}

impl<T> Page<T> {
    /// How many pages the total fills (1 when it is empty).
    pub fn pages(&self) -> i64 {
        ((self.total + self.page_size - 1) / self.page_size.max(1)).max(1)
    }
}

/// The orgs as lists show them, each with how many children it has.
async fn summaries(conn: &mut Conn, orgs: &[StoredOrg]) -> Result<Vec<OrgSummary>> {
    let ids: Vec<i64> = orgs.iter().map(|o| o.org.id).collect();
    let counts = browse_store::child_counts(conn, &ids).await?;
    Ok(orgs
        .iter()
        .map(|o| OrgSummary::of(o, *counts.get(&o.org.id).unwrap_or(&0)))
        .collect())
}

/// The scope of org-level reads: a role without [`Action::ReadData`] (a `Member` user sees
/// their own record only) is refused.
fn org_scope(actor: &Actor) -> Result<&Scope> {
    if !actor.may(Action::ReadData) {
        return Err(AppError::Forbidden);
    }
    Ok(&actor.scope)
}

fn not_found(what: &str) -> AppError {
    AppError::NotFound(what.to_string())
}

/// The org a user's pages start from (`access::resolve` of `OrgKey::Home`): their own
/// org, or for a user who sees everything the first root. `None` when there is nothing
/// to see.
pub async fn home_org(app: &App, actor: &Actor) -> Result<Option<StoredOrg>> {
    match access::resolve(app, actor, &OrgKey::Home).await {
        Ok(o) => Ok(Some(o.into_inner())),
        Err(AppError::NotFound(_)) => Ok(None),
        Err(e) => Err(e),
    }
}

/// The top of the tree a user may browse: their org, or every root.
pub async fn tree_roots(app: &App, actor: &Actor) -> Result<Vec<OrgSummary>> {
    let scope = org_scope(actor)?;
    let mut conn = app.store.acquire().await?;
    let tops = match (actor.org_id, scope) {
        (Some(id), _) => org_store::get(&mut conn, scope, id)
            .await?
            .into_iter()
            .collect(),
        (None, Scope::All) => browse_store::roots(&mut conn).await?,
        _ => Vec::new(),
    };
    summaries(&mut conn, &tops).await
}

/// The children of an org (the tree expands one level at a time).
pub async fn org_children(app: &App, parent: &InScope<StoredOrg>) -> Result<Vec<OrgSummary>> {
    let mut conn = app.store.acquire().await?;
    let kids = org_store::children(&mut conn, &parent.subtree(), parent.org.id).await?;
    summaries(&mut conn, &kids).await
}

/// Orgs in the scope whose name contains `q` (at most 50).
pub async fn search_orgs(app: &App, actor: &Actor, q: &str) -> Result<Vec<OrgSummary>> {
    let scope = org_scope(actor)?;
    let q = q.trim();
    if q.is_empty() {
        return Ok(Vec::new());
    }
    let mut conn = app.store.acquire().await?;
    let found = browse_store::search_orgs(&mut conn, scope, q, 50).await?;
    summaries(&mut conn, &found).await
}

/// The ancestors of an org that the actor may see, root first (for breadcrumbs).
pub async fn breadcrumb(app: &App, actor: &Actor, org: &StoredOrg) -> Result<Vec<(i64, String)>> {
    let ids: Vec<i64> = path::ids(&org.path);
    let mut conn = app.store.acquire().await?;
    let mut found = org_store::by_ids(&mut conn, &ids).await?;
    found.retain(|o| actor.scope.contains(&o.path) && o.org.id != org.org.id);
    found.sort_by_key(|o| o.depth);
    Ok(found.into_iter().map(|o| (o.org.id, o.org.name)).collect())
}

/// A requested page number (1-based) made safe: at least 1, and at most the last page
/// that `i64` rows could fill, so that its offset never overflows.
pub fn bounded_page(page: i64, page_size: i64) -> i64 {
    page.clamp(1, (i64::MAX / page_size.max(1)).max(1))
}

/// The last page of `total` rows (1 when there are none).
pub fn last_page(total: i64, page_size: i64) -> i64 {
    let size = page_size.max(1);
    (total / size + i64::from(total % size != 0)).max(1)
}

/// The name of org `id` among `names`, or empty.
pub(crate) fn name_in(names: &HashMap<i64, String>, id: i64) -> &str {
    names.get(&id).map(String::as_str).unwrap_or("")
}

/// Where an org sits, as an export prints it beside each row (所属党组织's code and the
/// org above it, 所属乡镇/上级党组织), so that a list pivots by township.
#[derive(Debug, Clone, Default, Serialize)]
pub struct Place {
    pub name: String,
    pub code: String,
    pub parent: String,
    pub parent_code: String,
}

/// The places of `ids` (two reads: the orgs, then their parents).
pub(crate) async fn places_of(
    conn: &mut Conn,
    ids: impl Iterator<Item = i64>,
) -> Result<HashMap<i64, Place>> {
    let mut ids: Vec<i64> = ids.collect();
    ids.sort_unstable();
    ids.dedup();
    let orgs = org_store::by_ids(conn, &ids).await?;
    let mut parents: Vec<i64> = orgs.iter().filter_map(|o| o.org.parent_id).collect();
    parents.sort_unstable();
    parents.dedup();
    let parents: HashMap<i64, (String, String)> = org_store::by_ids(conn, &parents)
        .await?
        .into_iter()
        .map(|o| (o.org.id, (o.org.name, o.org.code)))
        .collect();
    Ok(orgs
        .into_iter()
        .map(|o| {
            let (parent, parent_code) = o
                .org
                .parent_id
                .and_then(|p| parents.get(&p).cloned())
                .unwrap_or_default();
            (
                o.org.id,
                Place {
                    name: o.org.name,
                    code: o.org.code,
                    parent,
                    parent_code,
                },
            )
        })
        .collect())
}

pub(crate) async fn org_names(
    conn: &mut Conn,
    ids: impl Iterator<Item = i64>,
) -> Result<HashMap<i64, String>> {
    let mut ids: Vec<i64> = ids.collect();
    ids.sort_unstable();
    ids.dedup();
    Ok(org_store::by_ids(conn, &ids)
        .await?
        .into_iter()
        .map(|o| (o.org.id, o.org.name))
        .collect())
}

/// The home dashboard of a subtree: counts, anomalies by rule, coverage, member structure.
#[derive(Debug, Clone, Serialize)]
pub struct Dashboard {
    pub org: OrgSummary,
    pub facts_on: Option<NaiveDate>,
    pub as_of: NaiveDate,
    pub orgs: usize,
    pub orgs_by_kind: Vec<(String, i64)>,
    pub members: i64,
    pub full: i64,
    pub probationary: i64,
    pub units_operating: i64,
    pub anomalies_total: usize,
    /// (rule code, label, count), every rule in GLOSSARY order.
    pub anomalies: Vec<(String, String, usize)>,
    pub coverage: reports::coverage::CoverageReport,
    pub member_report: reports::members::MembersReport,
}

/// How many anomalies and gap units a dashboard lists (the counts are always complete).
pub const DASHBOARD_LIST: usize = 10;

/// The dashboard of an org.
pub async fn dashboard(app: &App, root: &InScope<StoredOrg>) -> Result<Dashboard> {
    let today = app.today();
    // Counts only: the lists are the reports' pages. With stored facts of today both are a
    // few rows whatever the subtree's size (a province's first answer in milliseconds).
    let st = reports::structure::run_limited(app, root, today, Some(DASHBOARD_LIST)).await?;
    let coverage = reports::coverage::run_limited(app, root, Some(DASHBOARD_LIST)).await?;
    let member_report =
        reports::members::run(app, root, root.facts.facts_on.unwrap_or(today)).await?;
    let mut conn = app.store.acquire().await?;
    let kinds = browse_store::kind_counts(&mut conn, &root.subtree()).await?;
    let counts = browse_store::child_counts(&mut conn, &[root.org.id]).await?;
    drop(conn);
    let orgs_by_kind = OrgKind::ALL
        .iter()
        .filter_map(|k| kinds.get(k.code()).map(|n| (k.label().to_string(), *n)))
        .collect();
    let anomalies = jiceng_domain::AnomalyRule::ALL
        .iter()
        .map(|r| {
            (
                r.code().to_string(),
                r.label().to_string(),
                *st.counts.get(r.code()).unwrap_or(&0),
            )
        })
        .collect();
    Ok(Dashboard {
        org: OrgSummary::of(root, *counts.get(&root.org.id).unwrap_or(&0)),
        facts_on: root.facts.facts_on,
        as_of: today,
        orgs: st.orgs,
        orgs_by_kind,
        members: root.facts.subtree_members,
        full: root.facts.subtree_full,
        probationary: root.facts.subtree_members - root.facts.subtree_full,
        units_operating: coverage.total.operating,
        anomalies_total: st.counts.values().sum(),
        anomalies,
        coverage,
        member_report,
    })
}

/// The org and its subtree in path order (for an export), at most `cap`.
pub async fn subtree_orgs(
    app: &App,
    root: &InScope<StoredOrg>,
    cap: i64,
) -> Result<Vec<OrgSummary>> {
    let mut conn = app.store.acquire().await?;
    let list = browse_store::orgs_in_scope(&mut conn, &Scope::subtree(&root.path), cap).await?;
    let mut kids: HashMap<i64, i64> = HashMap::new();
    for o in &list {
        if let Some(p) = o.org.parent_id {
            *kids.entry(p).or_default() += 1;
        }
    }
    Ok(list
        .iter()
        .map(|o| OrgSummary::of(o, *kids.get(&o.org.id).unwrap_or(&0)))
        .collect())
}

/// An org's 台账起始日 (for the edit form).
pub async fn records_from(app: &App, org: &InScope<StoredOrg>) -> Result<Option<NaiveDate>> {
    let org_id = org.org.id;
    let mut conn = app.store.acquire().await?;
    Ok(jiceng_store::history::of_orgs(&mut conn, &[org_id])
        .await?
        .remove(&org_id)
        .and_then(|h| h.records_from))
}
