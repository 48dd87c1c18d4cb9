//! The org page: the record, its facts and checks, children, first page of members,
//! units, offices and history.

use chrono::NaiveDate;
use jiceng_domain::structure::{self, check_org};
use jiceng_domain::Position;
use jiceng_store::browse as browse_store;
use jiceng_store::orgs::{self as org_store, StoredFacts as OrgFacts, StoredOrg};
use jiceng_store::positions as position_store;
use jiceng_store::{Conn, Scope};
use serde::Serialize;

use super::{breadcrumb, members, summaries, MemberPage, MemberQuery, OrgSummary, UnitRow};
use crate::access::{Actor, InScope};
use crate::reports::structure::describe;
use crate::{App, Result};

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
    /// For a 党小组: how many of its branch's members sit in it (所在党小组).
    pub group_members: Option<usize>,
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
    let checked = Checked {
        missing: structure::missing(&facts, rules, today)
            .into_iter()
            .map(|m| format!("暂无数据：{}", m.label()))
            .collect(),
        term: Some(term_text(structure::term_on(&facts, rules, today))),
        anomalies: if jiceng_store::facts::live_on(&o.org, today) {
            anomaly_lines(check_org(&facts, rules, today))
        } else {
            Vec::new()
        },
    };
    let kids = org_store::children(&mut conn, &actor.scope, o.org.id).await?;
    let records = Records {
        events: events(&mut conn, o.org.id).await?,
        children: summaries(&mut conn, &kids).await?,
        units: jiceng_store::units::of_orgs(&mut conn, &[o.org.id])
            .await?
            .iter()
            .map(|u| UnitRow::of(u, &o.org.name))
            .collect(),
        positions: positions(&mut conn, o).await?,
        history: history(&mut conn, o.org.id).await?,
    };
    let group_members = match (o.org.kind, o.org.parent_id) {
        (jiceng_domain::OrgKind::Group, Some(branch)) => Some(
            jiceng_store::members::of_orgs(&mut conn, &[branch])
                .await?
                .iter()
                .filter(|m| m.group_id == Some(o.org.id))
                .count(),
        ),
        _ => None,
    };
    drop(conn);
    let members = members(
        app,
        actor,
        &MemberQuery {
            org: Some(o.clone()),
            kind: None,
            gender: None,
            direct_only: true,
            page: 1,
            page_size: 20,
            ..Default::default()
        },
    )
    .await?;
    let parent = parent
        .filter(|p| actor.scope.contains(&p.path))
        .map(|p| (p.org.id, p.org.name));
    Ok(OrgView::of(
        o,
        dated.records_from,
        parent,
        breadcrumb,
        checked,
        records,
        members,
    ))
    .map(|v| OrgView { group_members, ..v })
}

/// What the checks of today say of an org.
struct Checked {
    missing: Vec<String>,
    term: Option<String>,
    anomalies: Vec<AnomalyLine>,
}

/// What is on record about an org, beside its own row.
struct Records {
    events: Vec<EventRow>,
    children: Vec<OrgSummary>,
    units: Vec<UnitRow>,
    positions: Vec<PositionRow>,
    history: Vec<HistoryRow>,
}

impl OrgView {
    fn of(
        o: &StoredOrg,
        records_from: Option<NaiveDate>,
        parent: Option<(i64, String)>,
        breadcrumb: Vec<(i64, String)>,
        checked: Checked,
        records: Records,
        members: MemberPage,
    ) -> OrgView {
        OrgView {
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
            term: checked.term,
            term_years: o.org.term_years,
            temporary: o.org.temporary,
            records_from,
            missing: checked.missing,
            events: records.events,
            approving_org: o.org.approving_org.clone(),
            dissolved_on: o.org.dissolved_on,
            parent,
            breadcrumb,
            facts: FactsView::of(&o.facts),
            anomalies: checked.anomalies,
            children: records.children,
            members,
            units: records.units,
            positions: records.positions,
            history: records.history,
            group_members: None,
        }
    }
}

impl FactsView {
    fn of(f: &OrgFacts) -> FactsView {
        FactsView {
            direct_members: f.direct_members,
            direct_full: f.direct_full,
            subtree_members: f.subtree_members,
            subtree_full: f.subtree_full,
            units_covered: f.units_covered,
            has_secretary: f.has_secretary,
            secretary_vacant_since: f.secretary_vacant_since,
            facts_on: f.facts_on,
        }
    }
}

/// The term in force, in words: its end, none (no term system), or why it is unknown.
fn term_text(term: std::result::Result<Option<structure::Term>, structure::MissingFact>) -> String {
    match term {
        Ok(Some(t)) => format!(
            "本届自{}起，任期{}年，{}届满{}",
            t.since,
            t.years,
            t.ends_on,
            if t.postponed {
                "（已批准延期）"
            } else {
                ""
            }
        ),
        Ok(None) => "不实行任期制".to_string(),
        Err(m) => format!("暂无数据（{}）", m.label()),
    }
}

fn anomaly_lines(found: Vec<jiceng_domain::Anomaly>) -> Vec<AnomalyLine> {
    found
        .into_iter()
        .map(|a| AnomalyLine {
            rule: a.rule.code().into(),
            label: a.rule.label().into(),
            detail: describe(&a.detail),
        })
        .collect()
}

/// The dated facts on record of an org, newest first.
async fn events(conn: &mut Conn, org_id: i64) -> Result<Vec<EventRow>> {
    Ok(jiceng_store::history::events(conn, org_id)
        .await?
        .into_iter()
        .map(|(e, note)| EventRow {
            on: e.on,
            label: e.kind.label().to_string(),
            until: e.until,
            note,
        })
        .collect())
}

/// The offices held in an org: current first, by kind, newest first.
async fn positions(conn: &mut Conn, o: &StoredOrg) -> Result<Vec<PositionRow>> {
    let mut held = position_store::of_orgs(conn, &[o.org.id]).await?;
    held.sort_by(|a, b| {
        a.ended_on
            .is_some()
            .cmp(&b.ended_on.is_some())
            .then(a.kind.cmp(&b.kind))
            .then(b.started_on.cmp(&a.started_on))
    });
    let member_ids: Vec<i64> = held.iter().map(|p| p.member_id).collect();
    let names = browse_store::member_names(conn, &member_ids).await?;
    Ok(held
        .iter()
        .map(|p| {
            let member = names.get(&p.member_id).cloned().unwrap_or_default();
            PositionRow::of(p, member, o.org.name.clone())
        })
        .collect())
}

impl PositionRow {
    pub(super) fn of(p: &Position, member_name: String, org_name: String) -> PositionRow {
        PositionRow {
            id: p.id,
            member_id: p.member_id,
            member_name,
            kind: p.kind.label().into(),
            org_name,
            started_on: p.started_on,
            ended_on: p.ended_on,
        }
    }
}

/// The last 50 changes of an org.
async fn history(conn: &mut Conn, org_id: i64) -> Result<Vec<HistoryRow>> {
    Ok(org_store::history(conn, org_id)
        .await?
        .into_iter()
        .take(50)
        .map(|(at, h)| HistoryRow {
            at,
            actor: h.actor,
            action: action_label(&h.action).to_string(),
            reason: h.reason,
        })
        .collect())
}
