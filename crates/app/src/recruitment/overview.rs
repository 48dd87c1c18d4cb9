//! The department's overview of a subtree: for each direct child org, the people by
//! stage, those overdue and the violations found, read from the stored derived columns
//! (nobody is judged again), and the plan fulfilment of the year for the org and each
//! child.

use chrono::NaiveDate;
use jiceng_domain::recruitment::RecruitStage;
use jiceng_store::orgs as org_store;
use jiceng_store::recruitment::{self as store, StageSummary};
use jiceng_store::Scope;
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

fn row(org_id: i64, plan: Fulfilment, stages: &[StageSummary]) -> ChildRow {
    let sum = |key: &str, f: fn(&StageSummary) -> i64| -> i64 {
        stages.iter().filter(|s| s.stage == key).map(f).sum()
    };
    let by_stage = RecruitStage::ALL.map(|s| sum(s.key(), |x| x.count));
    let on_way = ["applicant", "activist", "candidate", "probationary"];
    ChildRow {
        org_id,
        org: plan.org.clone(),
        by_stage,
        overdue: on_way.iter().map(|k| sum(k, |x| x.overdue)).sum(),
        violations: stages.iter().map(|x| x.violations).sum(),
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
    let admissions: Vec<Admission> = store::admitted_in(&mut conn, &org.subtree(), year)
        .await?
        .iter()
        .map(plan::admission)
        .collect();
    let levels = plan::levels(&mut conn, org, year, &admissions).await?;
    let kids = org_store::children(&mut conn, &org.subtree(), org.org.id).await?;
    let mut children = Vec::with_capacity(kids.len());
    for c in &kids {
        let stages = store::stage_summary(&mut conn, &Scope::subtree(&c.path), today).await?;
        let fulfilment = levels
            .children
            .iter()
            .find(|f| f.org.code == c.org.code)
            .cloned()
            .unwrap_or_else(|| unplanned(c, year));
        children.push(row(c.org.id, fulfilment, &stages));
    }
    let everyone = store::stage_summary(&mut conn, &org.subtree(), today).await?;
    drop(conn);
    Ok(Overview {
        org: org.org_ref(),
        org_id: org.org.id,
        year,
        today,
        children,
        total: row(org.org.id, levels.root, &everyone),
    })
}
