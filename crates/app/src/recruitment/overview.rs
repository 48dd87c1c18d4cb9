//! The department's overview of a subtree: for each direct child org, the people by
//! stage, those overdue and the violations found, and the plan fulfilment of the year for
//! the org and each child — all from the stored tallies of the org and its children (one
//! row each, `jiceng_store::recruitment::tally`), whatever the subtree's size.

use chrono::NaiveDate;
use jiceng_domain::recruitment::{RecruitStage, Tally};
use jiceng_store::orgs as org_store;
use jiceng_store::recruitment::tally;
use serde::Serialize;

use super::plan::{self, Fulfilment, TargetRow, TARGETS};
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

fn row(org_id: i64, plan: Fulfilment, t: &Tally, today: NaiveDate) -> ChildRow {
    ChildRow {
        org_id,
        org: plan.org.clone(),
        by_stage: RecruitStage::ALL.map(|s| t.stage(s.key())),
        overdue: t.overdue(today),
        violations: t.violations_total(),
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
    let kids = org_store::children(&mut conn, &org.subtree(), org.org.id).await?;
    let ids: Vec<i64> = kids.iter().map(|c| c.org.id).chain([org.org.id]).collect();
    let tallies = tally::stored(&mut conn, &ids).await?;
    let empty = Tally::default();
    let of = |id: i64| tallies.get(&id).unwrap_or(&empty);
    let levels = plan::levels(&mut conn, org, &kids, year, |o| {
        of(o.org.id).admitted_in(year)
    })
    .await?;
    drop(conn);
    let children = kids
        .iter()
        .map(|c| {
            let fulfilment = levels
                .children
                .iter()
                .find(|f| f.org.code == c.org.code)
                .cloned()
                .unwrap_or_else(|| unplanned(c, year));
            row(c.org.id, fulfilment, of(c.org.id), today)
        })
        .collect();
    Ok(Overview {
        org: org.org_ref(),
        org_id: org.org.id,
        year,
        today,
        children,
        total: row(org.org.id, levels.root, of(org.org.id), today),
    })
}
