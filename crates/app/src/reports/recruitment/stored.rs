//! The current year from the stored columns. Every write of a person's steps stores the
//! judgement of that day with the row (`recruitment::derived`), so:
//!
//! - `by_stage` is the stored stage counted over the subtree (an index read);
//! - the plan counts the people whose stored `admitted_on` falls in the year;
//! - the due list is the stored next step and deadline of each open person;
//! - the violations are those of the people whose stored `violations > 0`: only their
//!   steps are read and judged again (the count is stored, the rows are not).
//!
//! A judgement depends on the day it is made in one case only: an activist whose next
//! 考察 falls after the day they may be named 发展对象 is due to be named — until that
//! 考察's day passes, when the 考察 is overdue and due first. A row stored before then
//! says "named" (`next_not_before`, the day they may be) while today's judgement says
//! "考察": those rows (stored next ⑦ with its day passed) are judged again from their
//! steps. Violations depend on the steps alone, never on the day.

use std::collections::HashMap;

use chrono::NaiveDate;
use jiceng_domain::recruitment::{judge, Due, RecruitStage, StepKind};
use jiceng_store::recruitment::{self as store, Listed};
use jiceng_store::{Conn, Scope};

use super::{due_row, records_of, violation_rows, DueRow, OrgRef, PersonRef};
use super::{RecruitmentReport, Tally, CHUNK};
use crate::access::InScope;
use crate::recruitment::{plan, ways, CALENDAR};
use crate::{App, OrgRecord, Result};

/// The report of the subtree of `org` for `year` (this year or a later one), judged today.
pub(super) async fn run_stored(
    app: &App,
    org: &InScope<OrgRecord>,
    year: i32,
) -> Result<RecruitmentReport> {
    let today = app.today();
    let scope = org.subtree();
    let mut conn = app.store.acquire().await?;
    let mut tally = Tally::default();
    // The stage counts from the subtree's stored tally (one row), as the overview reads them.
    let counted = store::tally::of(&mut conn, org.org.id).await?;
    for s in RecruitStage::ALL {
        tally.by_stage.add(s, counted.stage(s.key()));
    }
    tally.due = due(app, &mut conn, &scope, today).await?;
    violations(app, &mut conn, &scope, today, &mut tally).await?;
    tally.admissions = store::admitted_in(&mut conn, &scope, year)
        .await?
        .iter()
        .map(plan::admission)
        .collect();
    tally.report(&mut conn, org, year, today).await
}

fn person_of(l: &Listed) -> (PersonRef, OrgRef) {
    (
        PersonRef {
            name: l.name.clone(),
            id_masked: l.id_masked.clone(),
        },
        OrgRef {
            code: l.org_code.clone(),
            name: l.org_name.clone(),
        },
    )
}

/// Whether the row's stored next step may no longer be today's (see the module's note).
fn may_have_moved(l: &Listed, today: NaiveDate) -> bool {
    l.derived.next_step == Some(StepKind::CandidateNamed.number())
        && l.derived.next_not_before.is_some_and(|d| d < today)
}

/// The stored next step of each open person, those that may have moved judged again.
async fn due(
    app: &App,
    conn: &mut Conn,
    scope: &Scope,
    today: NaiveDate,
) -> Result<Vec<(i64, DueRow)>> {
    let listed = store::due(conn, scope, None, None).await?;
    let moved: Vec<&Listed> = listed.iter().filter(|l| may_have_moved(l, today)).collect();
    let mut judged: HashMap<i64, Option<Due>> = HashMap::new();
    for chunk in moved.chunks(CHUNK) {
        let ids: Vec<i64> = chunk.iter().map(|l| l.id).collect();
        let mut steps = ways(conn, &ids).await?;
        for l in chunk {
            let records = records_of(&mut steps, l.id);
            let p = judge(&app.rules, &CALENDAR, Some(l.birth_date), &records, today);
            judged.insert(l.id, p.next);
        }
    }
    let mut rows = Vec::with_capacity(listed.len());
    for l in &listed {
        let next = match judged.remove(&l.id) {
            Some(next) => next,
            None => l
                .derived
                .next_step
                .and_then(StepKind::from_number)
                .map(|k| Due {
                    step: k,
                    deadline: l.derived.next_deadline,
                    not_before: l.derived.next_not_before,
                    overdue: l.derived.next_deadline.is_some_and(|d| d < today),
                }),
        };
        if let Some(next) = next {
            let (person, org) = person_of(l);
            rows.push((l.id, due_row(person, org, &next)));
        }
    }
    Ok(rows)
}

/// The violations of the people whose stored judgement found any, judged from their steps.
async fn violations(
    app: &App,
    conn: &mut Conn,
    scope: &Scope,
    today: NaiveDate,
    tally: &mut Tally,
) -> Result<()> {
    let listed = store::with_violations(conn, scope, None).await?;
    for chunk in listed.chunks(CHUNK) {
        let ids: Vec<i64> = chunk.iter().map(|l| l.id).collect();
        let mut steps = ways(conn, &ids).await?;
        for l in chunk {
            let records = records_of(&mut steps, l.id);
            let p = judge(&app.rules, &CALENDAR, Some(l.birth_date), &records, today);
            let (person, org) = person_of(l);
            tally
                .violations
                .extend(violation_rows(&person, &org, &p.violations));
        }
    }
    Ok(())
}
