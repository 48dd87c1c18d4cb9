//! Read use cases the pages and the API share: the dashboard of a subtree, org pages and
//! the lazily expanding tree, the member roster and member pages, the unit registry.
//!
//! Every function takes the acting user and reads through `actor.scope` (a literal path
//! range), so a handler that forgets a check still cannot see outside the subtree: a miss
//! is `NotFound`. ID numbers are shown masked and phones masked; the full number only
//! through `privacy::reveal_id_number`, which is audited.

use std::collections::HashMap;

use chrono::NaiveDate;
use jiceng_domain::structure::{self, check_org};
use jiceng_domain::{path, OrgKind};
pub use jiceng_store::browse::MemberSort;
use jiceng_store::browse::{self as browse_store, MemberFilter, UnitFilter};
use jiceng_store::members::StoredMember;
use jiceng_store::orgs::{self as org_store, StoredOrg};
use jiceng_store::units::StoredUnit;
use jiceng_store::{positions as position_store, Scope};
use serde::Serialize;

use crate::access::{self, Action, Actor, InScope, OrgKey, Role};
use crate::reports::{self, structure::describe};
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
    let ids: Vec<i64> = tops.iter().map(|o| o.org.id).collect();
    let counts = browse_store::child_counts(&mut conn, &ids).await?;
    Ok(tops
        .iter()
        .map(|o| OrgSummary::of(o, *counts.get(&o.org.id).unwrap_or(&0)))
        .collect())
}

/// The children of an org (the tree expands one level at a time).
pub async fn org_children(app: &App, parent: &InScope<StoredOrg>) -> Result<Vec<OrgSummary>> {
    let mut conn = app.store.acquire().await?;
    let kids = org_store::children(&mut conn, &parent.subtree(), parent.org.id).await?;
    let ids: Vec<i64> = kids.iter().map(|o| o.org.id).collect();
    let counts = browse_store::child_counts(&mut conn, &ids).await?;
    Ok(kids
        .iter()
        .map(|o| OrgSummary::of(o, *counts.get(&o.org.id).unwrap_or(&0)))
        .collect())
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
    let ids: Vec<i64> = found.iter().map(|o| o.org.id).collect();
    let counts = browse_store::child_counts(&mut conn, &ids).await?;
    Ok(found
        .iter()
        .map(|o| OrgSummary::of(o, *counts.get(&o.org.id).unwrap_or(&0)))
        .collect())
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

/// An anomaly of one org, ready to show.
#[derive(Debug, Clone, Serialize)]
pub struct AnomalyLine {
    pub rule: String,
    pub label: String,
    pub detail: String,
}

/// Everything the org page shows.
#[derive(Debug, Clone, Serialize)]
pub struct OrgView {
    pub id: i64,
    pub code: String,
    pub name: String,
    pub kind: String,
    pub kind_label: String,
    pub domain: Option<String>,
    pub region_code: Option<String>,
    pub founded_on: Option<NaiveDate>,
    pub last_election_on: Option<NaiveDate>,
    /// 已设立 / 未设立 / `None`: 暂无数据.
    pub committee: Option<bool>,
    /// The term in force today (`term_on`): its end, or why it is unknown.
    pub term: Option<String>,
    pub term_years: Option<i64>,
    pub temporary: bool,
    /// 台账起始日.
    pub records_from: Option<NaiveDate>,
    /// What the checks needed today but nobody recorded (暂无数据), in Chinese.
    pub missing: Vec<String>,
    /// The dated facts on record, newest first: (day, what, note).
    pub events: Vec<EventRow>,
    pub approving_org: Option<String>,
    pub dissolved_on: Option<NaiveDate>,
    pub parent: Option<(i64, String)>,
    pub breadcrumb: Vec<(i64, String)>,
    pub facts: FactsView,
    pub anomalies: Vec<AnomalyLine>,
    pub children: Vec<OrgSummary>,
    pub members: MemberPage,
    pub units: Vec<UnitRow>,
    pub positions: Vec<PositionRow>,
    pub history: Vec<HistoryRow>,
}

#[derive(Debug, Clone, Serialize)]
pub struct FactsView {
    pub direct_members: i64,
    pub direct_full: i64,
    pub subtree_members: i64,
    pub subtree_full: i64,
    pub units_covered: i64,
    pub has_secretary: bool,
    pub secretary_vacant_since: Option<NaiveDate>,
    pub facts_on: Option<NaiveDate>,
}

#[derive(Debug, Clone, Serialize)]
pub struct EventRow {
    pub on: Option<NaiveDate>,
    pub label: String,
    pub until: Option<NaiveDate>,
    pub note: Option<String>,
}

#[derive(Debug, Clone, Serialize)]
pub struct PositionRow {
    pub id: i64,
    pub member_id: i64,
    pub member_name: String,
    pub kind: String,
    pub org_name: String,
    pub started_on: Option<NaiveDate>,
    pub ended_on: Option<NaiveDate>,
}

#[derive(Debug, Clone, Serialize)]
pub struct HistoryRow {
    pub at: String,
    pub actor: String,
    pub action: String,
    pub reason: Option<String>,
}

/// The Chinese name of an org history action.
pub fn action_label(action: &str) -> &str {
    match action {
        "Create" => "新建",
        "Update" => "修改",
        "Move" => "调整隶属关系",
        "Merge" => "合并",
        "MergedInto" => "并入",
        "Dissolve" => "撤销",
        "Event" => "登记事项",
        other => other,
    }
}

/// The org page: facts, anomalies, children, first page of members, units, positions,
/// history.
pub async fn org_view(app: &App, actor: &Actor, o: &InScope<StoredOrg>) -> Result<OrgView> {
    let breadcrumb = breadcrumb(app, actor, o).await?;
    let today = app.today();
    let mut conn = app.store.acquire().await?;
    let parent = match o.org.parent_id {
        Some(p) => org_store::get(&mut conn, &Scope::All, p).await?,
        None => None,
    };
    let dated = jiceng_store::history::of_orgs(&mut conn, &[o.org.id])
        .await?
        .remove(&o.org.id)
        .unwrap_or_default();
    let facts =
        jiceng_store::facts::org_facts(o, parent.as_ref().map(|p| p.org.kind), &dated, today);
    let rules = app.rules.in_force(today);
    let missing: Vec<String> = structure::missing(&facts, rules, today)
        .into_iter()
        .map(|m| format!("暂无数据：{}", m.label()))
        .collect();
    let term = match structure::term_on(&facts, rules, today) {
        Ok(Some(t)) => Some(format!(
            "本届自{}起，任期{}年，{}届满{}",
            t.since,
            t.years,
            t.ends_on,
            if t.postponed {
                "（已批准延期）"
            } else {
                ""
            }
        )),
        Ok(None) => Some("不实行任期制".to_string()),
        Err(m) => Some(format!("暂无数据（{}）", m.label())),
    };
    let events = jiceng_store::history::events(&mut conn, o.org.id)
        .await?
        .into_iter()
        .map(|(e, note)| EventRow {
            on: e.on,
            label: e.kind.label().to_string(),
            until: e.until,
            note,
        })
        .collect();
    let anomalies = if jiceng_store::facts::live_on(&o.org, today) {
        check_org(&facts, rules, today)
            .into_iter()
            .map(|a| AnomalyLine {
                rule: a.rule.code().into(),
                label: a.rule.label().into(),
                detail: describe(&a.detail),
            })
            .collect()
    } else {
        Vec::new()
    };
    let kids = org_store::children(&mut conn, &actor.scope, o.org.id).await?;
    let kid_ids: Vec<i64> = kids.iter().map(|k| k.org.id).collect();
    let counts = browse_store::child_counts(&mut conn, &kid_ids).await?;
    let children = kids
        .iter()
        .map(|k| OrgSummary::of(k, *counts.get(&k.org.id).unwrap_or(&0)))
        .collect();
    let units = jiceng_store::units::of_orgs(&mut conn, &[o.org.id])
        .await?
        .iter()
        .map(|u| UnitRow::of(u, &o.org.name))
        .collect();
    let mut held = position_store::of_orgs(&mut conn, &[o.org.id]).await?;
    held.sort_by(|a, b| {
        a.ended_on
            .is_some()
            .cmp(&b.ended_on.is_some())
            .then(a.kind.cmp(&b.kind))
            .then(b.started_on.cmp(&a.started_on))
    });
    let member_ids: Vec<i64> = held.iter().map(|p| p.member_id).collect();
    let names = browse_store::member_names(&mut conn, &member_ids).await?;
    let positions = held
        .iter()
        .map(|p| PositionRow {
            id: p.id,
            member_id: p.member_id,
            member_name: names.get(&p.member_id).cloned().unwrap_or_default(),
            kind: p.kind.label().into(),
            org_name: o.org.name.clone(),
            started_on: p.started_on,
            ended_on: p.ended_on,
        })
        .collect();
    let history = org_store::history(&mut conn, o.org.id)
        .await?
        .into_iter()
        .take(50)
        .map(|(at, h)| HistoryRow {
            at,
            actor: h.actor,
            action: action_label(&h.action).to_string(),
            reason: h.reason,
        })
        .collect();
    drop(conn);
    let members = members(
        app,
        actor,
        &MemberQuery {
            org: Some(o.clone()),
            direct_only: true,
            page: 1,
            page_size: 20,
            ..Default::default()
        },
    )
    .await?;
    Ok(OrgView {
        id: o.org.id,
        code: o.org.code.clone(),
        name: o.org.name.clone(),
        kind: o.org.kind.code().into(),
        kind_label: o.org.kind.label().into(),
        domain: o.org.domain.map(|d| d.label().to_string()),
        region_code: o.org.region_code.as_ref().map(|r| r.as_str().to_string()),
        founded_on: o.org.founded_on,
        last_election_on: o.org.last_election_on,
        committee: o.org.committee,
        term,
        term_years: o.org.term_years,
        temporary: o.org.temporary,
        records_from: dated.records_from,
        missing,
        events,
        approving_org: o.org.approving_org.clone(),
        dissolved_on: o.org.dissolved_on,
        parent: parent
            .filter(|p| actor.scope.contains(&p.path))
            .map(|p| (p.org.id, p.org.name)),
        breadcrumb,
        facts: FactsView {
            direct_members: o.facts.direct_members,
            direct_full: o.facts.direct_full,
            subtree_members: o.facts.subtree_members,
            subtree_full: o.facts.subtree_full,
            units_covered: o.facts.units_covered,
            has_secretary: o.facts.has_secretary,
            secretary_vacant_since: o.facts.secretary_vacant_since,
            facts_on: o.facts.facts_on,
        },
        anomalies,
        children,
        members,
        units,
        positions,
        history,
    })
}

/// A member as lists show them: the ID number and the phone masked.
#[derive(Debug, Clone, Serialize)]
pub struct MemberRow {
    pub id: i64,
    pub name: String,
    pub gender: String,
    pub ethnicity: String,
    pub birth_date: NaiveDate,
    pub id_masked: String,
    pub education: Option<String>,
    pub status: String,
    pub joined_on: NaiveDate,
    pub full_on: Option<NaiveDate>,
    pub occupation: Option<String>,
    pub phone_masked: Option<String>,
    pub org_id: i64,
    pub org_name: String,
}

impl MemberRow {
    fn of(m: &StoredMember, org_name: &str) -> MemberRow {
        MemberRow {
            id: m.id,
            name: m.name.clone(),
            gender: m.gender.label().into(),
            ethnicity: m.ethnicity.clone(),
            birth_date: m.birth_date,
            id_masked: m.id_masked.clone(),
            education: m.education.map(|e| e.label().to_string()),
            status: m.status.label().into(),
            joined_on: m.joined_on,
            full_on: m.full_on,
            occupation: m.occupation.clone(),
            phone_masked: m.phone_masked.clone(),
            org_id: m.org_id,
            org_name: org_name.to_string(),
        }
    }
}

/// A roster query: an org (its subtree, or only the org itself), a name or an exact ID
/// number, a sort and a page.
#[derive(Debug, Clone, Default)]
pub struct MemberQuery {
    pub org: Option<InScope<StoredOrg>>,
    pub direct_only: bool,
    pub q: Option<String>,
    pub sort: MemberSort,
    pub page: i64,
    pub page_size: i64,
}

#[derive(Debug, Clone, Serialize)]
pub struct MemberPage {
    pub items: Vec<MemberRow>,
    pub total: i64,
    pub page: i64,
    pub page_size: i64,
}

impl MemberPage {
    pub fn pages(&self) -> i64 {
        ((self.total + self.page_size - 1) / self.page_size).max(1)
    }
}

/// Whether `q` is an ID number (18 characters, digits and a final X); such a query
/// matches the keyed hash of the exact number, never a pattern.
fn as_id_number(q: &str) -> Option<jiceng_domain::IdNumber> {
    let q = q.trim();
    if q.chars().count() == 18 && q.chars().take(17).all(|c| c.is_ascii_digit()) {
        jiceng_domain::IdNumber::parse(q).ok()
    } else {
        None
    }
}

/// The scope and filter a member query reads through, for the actor.
async fn member_read(
    app: &App,
    actor: &Actor,
    query: &MemberQuery,
) -> Result<(Scope, MemberFilter, Option<StoredOrg>)> {
    let mut filter = MemberFilter {
        sort: query.sort,
        ..Default::default()
    };
    if actor.role == Role::Member {
        // Self only: an impossible id when the account is linked to no member.
        filter.member_id = Some(actor.member_id.unwrap_or(-1));
    }
    let mut scope = actor.scope.clone();
    let mut root = None;
    if let Some(o) = &query.org {
        if query.direct_only {
            filter.org_id = Some(o.org.id);
        } else {
            scope = o.subtree();
        }
        root = Some(StoredOrg::clone(o));
    } else if let (Some(home), true) = (actor.org_id, actor.may(Action::ReadData)) {
        // The whole scope is the home org's subtree: its stored count is the total.
        let mut conn = app.store.acquire().await?;
        root = org_store::get(&mut conn, &actor.scope, home).await?;
    }
    if let Some(q) = query.q.as_deref().map(str::trim).filter(|q| !q.is_empty()) {
        match as_id_number(q) {
            Some(id) => filter.id_hash = Some(app.crypto.id_hash(&id)),
            None if q.chars().count() == 18 && q.chars().take(17).all(|c| c.is_ascii_digit()) => {
                return Err(AppError::Input(format!("公民身份号码无效：{q}")));
            }
            None => filter.name_like = Some(q.to_string()),
        }
    }
    Ok((scope, filter, root))
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

/// A page of the roster. A page beyond the end is the last page.
pub async fn members(app: &App, actor: &Actor, query: &MemberQuery) -> Result<MemberPage> {
    let page_size = query.page_size.clamp(1, MAX_PAGE_SIZE);
    let mut page = bounded_page(query.page, page_size);
    let (scope, filter, root) = member_read(app, actor, query).await?;
    // An unfiltered subtree list takes its total from the stored facts (SCALE.md).
    let unfiltered =
        filter.name_like.is_none() && filter.id_hash.is_none() && filter.member_id.is_none();
    let known_total = match (&root, unfiltered) {
        (Some(o), true) if filter.org_id.is_some() => Some(o.facts.direct_members),
        (Some(o), true) => Some(o.facts.subtree_members),
        _ => None,
    };
    if let Some(t) = known_total {
        page = page.min(last_page(t, page_size));
    }
    let mut conn = app.store.acquire().await?;
    let (mut rows, total) = browse_store::members_page(
        &mut conn,
        &scope,
        &filter,
        (page - 1) * page_size,
        page_size,
        known_total,
    )
    .await?;
    if page > last_page(total, page_size) {
        page = last_page(total, page_size);
        rows = browse_store::members_page(
            &mut conn,
            &scope,
            &filter,
            (page - 1) * page_size,
            page_size,
            Some(total),
        )
        .await?
        .0;
    }
    let names = org_names(&mut conn, rows.iter().map(|m| m.org_id)).await?;
    Ok(MemberPage {
        items: rows
            .iter()
            .map(|m| MemberRow::of(m, names.get(&m.org_id).map(String::as_str).unwrap_or("")))
            .collect(),
        total,
        page,
        page_size,
    })
}

/// Every member a query matches (for an export), at most `cap`.
pub async fn members_all(
    app: &App,
    actor: &Actor,
    query: &MemberQuery,
    cap: i64,
) -> Result<Vec<MemberRow>> {
    let (scope, filter, _) = member_read(app, actor, query).await?;
    let mut conn = app.store.acquire().await?;
    let (rows, _) = browse_store::members_page(&mut conn, &scope, &filter, 0, cap, Some(0)).await?;
    let names = org_names(&mut conn, rows.iter().map(|m| m.org_id)).await?;
    Ok(rows
        .iter()
        .map(|m| MemberRow::of(m, names.get(&m.org_id).map(String::as_str).unwrap_or("")))
        .collect())
}

async fn org_names(
    conn: &mut jiceng_store::Conn,
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

/// The member page.
#[derive(Debug, Clone, Serialize)]
pub struct MemberView {
    #[serde(flatten)]
    pub member: MemberRow,
    pub mobile: bool,
    pub lost_contact: bool,
    pub breadcrumb: Vec<(i64, String)>,
    pub positions: Vec<PositionRow>,
    /// The actor may ask for the full ID number (audited).
    pub can_reveal: bool,
    pub can_edit: bool,
}

/// One member in the actor's scope (a `Member` user: only themself).
pub async fn member_in_scope(app: &App, actor: &Actor, id: i64) -> Result<StoredMember> {
    if actor.role == Role::Member && actor.member_id != Some(id) {
        return Err(not_found("党员"));
    }
    let mut conn = app.store.acquire().await?;
    jiceng_store::members::get(&mut conn, &actor.scope, id)
        .await?
        .ok_or_else(|| not_found("党员"))
}

pub async fn member_view(app: &App, actor: &Actor, id: i64) -> Result<MemberView> {
    let m = member_in_scope(app, actor, id).await?;
    let mut conn = app.store.acquire().await?;
    let org = org_store::get(&mut conn, &Scope::All, m.org_id)
        .await?
        .ok_or_else(|| not_found("党组织"))?;
    let held = position_store::of_members(&mut conn, &[m.id]).await?;
    let names = org_names(&mut conn, held.iter().map(|p| p.org_id)).await?;
    drop(conn);
    let mut crumbs = if !actor.may(Action::ReadData) {
        Vec::new()
    } else {
        breadcrumb(app, actor, &org).await?
    };
    if actor.may(Action::ReadData) && actor.scope.contains(&org.path) {
        crumbs.push((org.org.id, org.org.name.clone()));
    }
    Ok(MemberView {
        member: MemberRow::of(&m, &org.org.name),
        mobile: m.mobile,
        lost_contact: m.lost_contact,
        breadcrumb: crumbs,
        positions: held
            .iter()
            .map(|p| PositionRow {
                id: p.id,
                member_id: m.id,
                member_name: m.name.clone(),
                kind: p.kind.label().into(),
                org_name: names.get(&p.org_id).cloned().unwrap_or_default(),
                started_on: p.started_on,
                ended_on: p.ended_on,
            })
            .collect(),
        can_reveal: actor.may(Action::Unmask),
        can_edit: actor.may(Action::Write),
    })
}

/// A unit as the registry shows it.
#[derive(Debug, Clone, Serialize)]
pub struct UnitRow {
    pub id: i64,
    pub name: String,
    pub credit_code: Option<String>,
    pub domain: String,
    pub status: String,
    pub employees: Option<i64>,
    pub full_members: i64,
    pub coverage: String,
    pub org_id: i64,
    pub org_name: String,
    pub instructor: Option<String>,
}

impl UnitRow {
    fn of(u: &StoredUnit, org_name: &str) -> UnitRow {
        let x = &u.unit;
        UnitRow {
            id: x.id,
            name: x.name.clone(),
            credit_code: x.credit_code.as_ref().map(|c| c.as_str().to_string()),
            domain: x.domain.label().into(),
            status: x.status.label().into(),
            employees: x.employees,
            full_members: x.full_members,
            coverage: x.coverage.label().into(),
            org_id: x.org_id,
            org_name: org_name.to_string(),
            instructor: x.instructor.clone(),
        }
    }
}

#[derive(Debug, Clone, Default)]
pub struct UnitQuery {
    pub org: Option<InScope<StoredOrg>>,
    pub q: Option<String>,
    /// A `Coverage` code.
    pub coverage: Option<String>,
    /// A `Domain` code.
    pub domain: Option<String>,
    pub page: i64,
    pub page_size: i64,
}

#[derive(Debug, Clone, Serialize)]
pub struct UnitPage {
    pub items: Vec<UnitRow>,
    pub total: i64,
    pub page: i64,
    pub page_size: i64,
}

impl UnitPage {
    pub fn pages(&self) -> i64 {
        ((self.total + self.page_size - 1) / self.page_size).max(1)
    }
}

fn unit_read(actor: &Actor, query: &UnitQuery) -> Result<(Scope, UnitFilter)> {
    let mut scope = org_scope(actor)?.clone();
    if let Some(org) = &query.org {
        scope = org.subtree();
    }
    let filter = UnitFilter {
        name_like: query.q.clone().filter(|q| !q.trim().is_empty()),
        coverage: query
            .coverage
            .clone()
            .filter(|c| jiceng_domain::Coverage::from_code(c).is_some()),
        domain: query
            .domain
            .clone()
            .filter(|d| jiceng_domain::Domain::from_code(d).is_some()),
    };
    Ok((scope, filter))
}

/// A page of the unit registry. A page beyond the end is the last page.
pub async fn units(app: &App, actor: &Actor, query: &UnitQuery) -> Result<UnitPage> {
    let page_size = query.page_size.clamp(1, MAX_PAGE_SIZE);
    let mut page = bounded_page(query.page, page_size);
    let (scope, filter) = unit_read(actor, query)?;
    let mut conn = app.store.acquire().await?;
    let (mut rows, total) = browse_store::units_page(
        &mut conn,
        &scope,
        &filter,
        (page - 1) * page_size,
        page_size,
    )
    .await?;
    if page > last_page(total, page_size) {
        page = last_page(total, page_size);
        rows = browse_store::units_page(
            &mut conn,
            &scope,
            &filter,
            (page - 1) * page_size,
            page_size,
        )
        .await?
        .0;
    }
    let names = org_names(&mut conn, rows.iter().map(|u| u.unit.org_id)).await?;
    Ok(UnitPage {
        items: rows
            .iter()
            .map(|u| {
                UnitRow::of(
                    u,
                    names.get(&u.unit.org_id).map(String::as_str).unwrap_or(""),
                )
            })
            .collect(),
        total,
        page,
        page_size,
    })
}

/// Every unit a query matches (for an export), at most `cap`.
pub async fn units_all(
    app: &App,
    actor: &Actor,
    query: &UnitQuery,
    cap: i64,
) -> Result<Vec<UnitRow>> {
    let (scope, filter) = unit_read(actor, query)?;
    let mut conn = app.store.acquire().await?;
    let (rows, _) = browse_store::units_page(&mut conn, &scope, &filter, 0, cap).await?;
    let names = org_names(&mut conn, rows.iter().map(|u| u.unit.org_id)).await?;
    Ok(rows
        .iter()
        .map(|u| {
            UnitRow::of(
                u,
                names.get(&u.unit.org_id).map(String::as_str).unwrap_or(""),
            )
        })
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
