//! What a branch still owes on a day (本月待办), from its stored monthly facts, and the
//! compliance facts of branches the reports judge.

use std::collections::HashMap;

use chrono::{Datelike, NaiveDate};
use jiceng_domain::compliance::{self, BranchFacts, GroupFacts, Tally};
use jiceng_domain::{MeetingKind, OrgKind, Period};
use jiceng_store::meetings::{self as meeting_store, LifeOrg};
use jiceng_store::{Conn, Scope};
use serde::Serialize;

use super::branch_in_scope;
use crate::access::InScope;
use crate::reports::OrgRef;
use crate::{App, AppError, OrgRecord, Result};

/// The dated histories (committee) of the branches among `orgs`.
pub(crate) async fn branch_histories(
    conn: &mut Conn,
    orgs: &[LifeOrg],
) -> Result<HashMap<i64, jiceng_domain::OrgHistory>> {
    let ids: Vec<i64> = orgs
        .iter()
        .filter(|o| o.kind == OrgKind::Branch)
        .map(|o| o.id)
        .collect();
    Ok(jiceng_store::history::of_orgs(conn, &ids).await?)
}

/// The compliance facts of the branches among `orgs` (branches and groups, as
/// `meetings::branches_and_groups` reads them).
pub(crate) fn branch_facts(
    orgs: &[LifeOrg],
    histories: &HashMap<i64, jiceng_domain::OrgHistory>,
) -> Vec<(usize, BranchFacts)> {
    let mut groups: HashMap<i64, Vec<GroupFacts>> = HashMap::new();
    for o in orgs.iter().filter(|o| o.kind == OrgKind::Group) {
        if let Some(p) = o.parent_id {
            groups.entry(p).or_default().push(GroupFacts {
                group_id: o.id,
                founded_on: o.founded_on,
                dissolved_on: o.dissolved_on,
            });
        }
    }
    orgs.iter()
        .enumerate()
        .filter(|(_, o)| o.kind == OrgKind::Branch)
        .map(|(i, o)| {
            (
                i,
                BranchFacts {
                    branch_id: o.id,
                    committee: histories
                        .get(&o.id)
                        .map(|h| h.committee())
                        .filter(|c| !c.changes.is_empty())
                        .unwrap_or_else(|| {
                            // No dated event: today's stated committee, undated; as in
                            // migration 14, a stored has_committee = 1 is a statement
                            // and a 0 is not (unknown).
                            let stated = o.committee.or(o.has_committee.then_some(true));
                            jiceng_domain::history::CommitteeHistory::always(stated)
                        }),
                    founded_on: o.founded_on,
                    dissolved_on: o.dissolved_on,
                    records_from: o.records_from,
                    temporary: o.temporary,
                    groups: groups.remove(&o.id).unwrap_or_default(),
                },
            )
        })
        .collect()
}

/// One open obligation.
#[derive(Debug, Clone, Serialize)]
pub struct DueItem {
    /// GLOSSARY name, e.g. "ThemeDay".
    pub kind: &'static str,
    pub label: &'static str,
    /// The span it is owed for ("2026-08", "2026Q3", "2026").
    pub span: Period,
    pub span_label: String,
    /// The last day it can be met: the span's last day, or for last year's yearly items
    /// the end of the 所属年度 window.
    pub deadline: NaiveDate,
    pub due: i64,
    pub held: i64,
    /// The group that owes it, for group meetings.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub group: Option<OrgRef>,
    /// The org to record it for (the group for a group meeting, else the branch).
    pub org_id: i64,
}

/// What a branch still owes on a day (本月待办).
#[derive(Debug, Clone, Serialize)]
pub struct Due {
    pub branch: OrgRef,
    pub branch_id: i64,
    pub today: NaiveDate,
    pub month: Period,
    pub quarter: Period,
    pub year: Period,
    /// Last year's yearly obligations while their window is open, then this month's
    /// monthly, this quarter's quarterly and this year's yearly obligations not yet met.
    pub items: Vec<DueItem>,
    /// Why nothing (or not everything) is listed: 临时党支部, 台账未录入 (暂无数据).
    pub notes: Vec<String>,
}

/// The open obligations of a branch (or of a group's branch) in the actor's scope on
/// `today`: this month's, this quarter's and this year's.
pub async fn due(app: &App, org: &InScope<OrgRecord>, today: NaiveDate) -> Result<Due> {
    let mut conn = app.store.acquire().await?;
    let branch = branch_in_scope(&mut conn, org, "组织生活按党支部统计").await?;
    let orgs = meeting_store::branches_and_groups(&mut conn, &Scope::subtree(&branch.path)).await?;
    let orgs: Vec<LifeOrg> = orgs
        .into_iter()
        .filter(|o| o.id == branch.org.id || o.parent_id == Some(branch.org.id))
        .collect();
    let histories = branch_histories(&mut conn, &orgs).await?;
    let facts = branch_facts(&orgs, &histories)
        .into_iter()
        .find(|(_, f)| f.branch_id == branch.org.id)
        .map(|(_, f)| f)
        .ok_or_else(|| AppError::NotFound("党支部".into()))?;
    let year = Period::year_of(today);
    let months: Vec<Period> = Period::Year(today.year() - 1)
        .months()
        .into_iter()
        .chain(year.months())
        .collect();
    let rows = meeting_store::branch_month_facts(&mut conn, branch.org.id, &months).await?;
    drop(conn);
    let mut tally = Tally::default();
    for r in &rows {
        tally.add_month(r.year, r.month, &r.tally);
    }
    let names: HashMap<i64, &LifeOrg> = orgs.iter().map(|o| (o.id, o)).collect();
    let items = compliance::open_on(&facts, &tally, today, &app.rules)
        .into_iter()
        .map(|o| DueItem {
            kind: o.kind.code(),
            label: o.kind.label(),
            span: o.span,
            span_label: o.span.label(),
            deadline: o.due_by,
            due: o.due,
            held: o.held,
            group: o.group.and_then(|g| names.get(&g)).map(|g| OrgRef {
                code: g.code.clone(),
                name: g.name.clone(),
            }),
            org_id: o.group.unwrap_or(branch.org.id),
        })
        .collect();
    Ok(Due {
        branch: OrgRef::of(&branch.org),
        branch_id: branch.org.id,
        today,
        month: Period::month_of(today),
        quarter: Period::quarter_of(today),
        year,
        notes: due_notes(&facts, today, &app.rules),
        items,
    })
}

/// What a branch's due list cannot say, in words (暂无数据 and why).
fn due_notes(f: &BranchFacts, today: NaiveDate, rules: &jiceng_domain::RuleBook) -> Vec<String> {
    let mut out = Vec::new();
    if f.temporary {
        out.push("临时党支部，不按常设支部考核".to_string());
        return out;
    }
    match f.records_from {
        None => out.push("台账未录入：组织生活暂无数据".to_string()),
        Some(r) if r > today => {}
        Some(r) => {
            if r > Period::year_of(today).first_day() {
                out.push(format!("台账起始日为{r}，此前的期间暂无数据"));
            }
        }
    }
    let committee_owed = rules
        .in_force(today)
        .meetings
        .cadence_of(MeetingKind::CommitteeMeeting)
        .count
        > 0;
    if committee_owed && f.committee.on(today).is_none() {
        out.push("是否设立支委会未登记：支部委员会会议暂无数据".to_string());
    }
    out
}
