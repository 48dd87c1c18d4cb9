//! The department's overview of a subtree: for each direct child org, the people by
//! stage, those overdue and the violations found, read from the stored derived columns
//! (nobody is judged again), and the plan fulfilment of the year for the org and each
//! child.

use chrono::NaiveDate;
use jiceng_domain::recruitment::RecruitStage;
use jiceng_store::orgs as org_store;
use jiceng_store::recruitment::{self as store, StoredApplicant};
use serde::Serialize;

use super::plan::{self, Admission, Fulfilment, TargetRow, TARGETS};
use crate::access::InScope;
use crate::{App, OrgRecord, OrgRef, Result};

/// One direct child org's line of the overview.
#[derive(Debug, Clone, Serialize)]
pub struct ChildRow {
    pub org_id: i64,
    pub org: OrgRef,
    /// People by stage, in `RecruitStage::ALL` order.
    pub by_stage: [i64; 5],
    /// People on the way whose next step's deadline has passed.
    pub overdue: i64,
    /// Violations found, summed over the people.
    pub violations: i64,
    /// The child's plan and admissions of the year.
    pub plan: Fulfilment,
}

/// A subtree's overview by child org, with the org's own plan fulfilment.
#[derive(Debug, Clone, Serialize)]
pub struct Overview {
    pub org: OrgRef,
    pub org_id: i64,
    pub year: i32,
    pub today: NaiveDate,
    pub children: Vec<ChildRow>,
    /// The whole subtree's line (all children and the org itself).
    pub total: ChildRow,
}

fn row(org_id: i64, plan: Fulfilment, people: &[&StoredApplicant], today: NaiveDate) -> ChildRow {
    let by_stage = RecruitStage::ALL
        .map(|s| people.iter().filter(|a| a.derived.stage == s.key()).count() as i64);
    let on_way = |a: &&&StoredApplicant| {
        !matches!(
            a.derived.stage.as_str(),
            "confirmed" | "withdrawn" | "cancelled"
        )
    };
    ChildRow {
        org_id,
        org: plan.org.clone(),
        by_stage,
        overdue: people
            .iter()
            .filter(on_way)
            .filter(|a| a.derived.next_deadline.is_some_and(|d| d < today))
            .count() as i64,
        violations: people.iter().map(|a| a.derived.violations).sum(),
        plan,
    }
}

/// The fulfilment of an org with no plan and nobody admitted in the year.
fn unplanned(o: &OrgRecord, year: i32) -> Fulfilment {
    let zero = || TargetRow {
        target: None,
        actual: 0,
        gap: None,
    };
    Fulfilment {
        org: OrgRef::of(&o.org),
        year,
        target: None,
        admitted: 0,
        gap: None,
        structure: TARGETS.iter().map(|(k, _)| (*k, zero())).collect(),
    }
}

/// The overview of `org`'s subtree for `year`: one row per direct child org.
pub async fn overview(app: &App, org: &InScope<OrgRecord>, year: i32) -> Result<Overview> {
    let today = app.today();
    let mut conn = app.store.acquire().await?;
    let all = store::in_scope(&mut conn, &org.subtree()).await?;
    let admissions: Vec<Admission> = store::admitted_in(&mut conn, &org.subtree(), year)
        .await?
        .iter()
        .map(plan::admission)
        .collect();
    let levels = plan::levels(&mut conn, org, year, &admissions).await?;
    let kids = org_store::children(&mut conn, &org.subtree(), org.org.id).await?;
    drop(conn);
    let mut children = Vec::with_capacity(kids.len());
    for c in &kids {
        let people: Vec<&StoredApplicant> = all
            .iter()
            .filter(|a| a.org_path.starts_with(&c.path))
            .collect();
        let fulfilment = levels
            .children
            .iter()
            .find(|f| f.org.code == c.org.code)
            .cloned()
            .unwrap_or_else(|| unplanned(c, year));
        children.push(row(c.org.id, fulfilment, &people, today));
    }
    let everyone: Vec<&StoredApplicant> = all.iter().collect();
    Ok(Overview {
        org: org.org_ref(),
        org_id: org.org.id,
        year,
        today,
        children,
        total: row(org.org.id, levels.root, &everyone, today),
    })
}
