//! A year judged "as of" a day: every person of the subtree and all their steps read, each
//! person judged by `recruitment::progress` — what the report of a past year needs (the
//! stored columns are today's judgement), and the measure the stored way is checked
//! against (`examples/recruitment_bench.rs`).

use std::collections::HashMap;

use chrono::{Datelike, NaiveDate};
use jiceng_domain::recruitment::StepRecord;
use jiceng_domain::Domain;
use jiceng_store::orgs as org_store;
use jiceng_store::recruitment::{self as store, StoredApplicant};

use super::{day_of, due_row, records_of, violation_rows, PersonRef, RecruitmentReport, Tally};
use super::{OrgRef, CHUNK};
use crate::access::InScope;
use crate::recruitment::plan;
use crate::recruitment::{progress, ways};
use crate::{App, OrgRecord, Result};

/// The org of each person: its code and name, and its domain (for the plan).
type Orgs = HashMap<i64, (OrgRef, Option<Domain>)>;

impl Tally {
    fn judge(
        &mut self,
        app: &App,
        a: &StoredApplicant,
        steps: &[StepRecord],
        ctx: (&Orgs, NaiveDate, i32),
    ) {
        let (orgs, day, year) = ctx;
        let p = progress(app, a, steps, day);
        if p.last.is_none() {
            return; // applied after the day
        }
        let (org, domain) = orgs.get(&a.org_id).cloned().unwrap_or_else(|| {
            (
                OrgRef {
                    code: String::new(),
                    name: String::new(),
                },
                None,
            )
        });
        let person = PersonRef {
            name: a.name.clone(),
            id_masked: a.id_masked.clone(),
        };
        if let Some(on) = p.admitted_on.filter(|d| d.year() == year) {
            self.admissions
                .push(plan::admission(&plan::admitted(a, on, domain)));
        }
        self.violations
            .extend(violation_rows(&person, &org, &p.violations));
        if p.closed.is_some() {
            return;
        }
        self.by_stage.add(p.stage, 1);
        if let Some(next) = &p.next {
            self.due.push((a.id, due_row(person, org, next)));
        }
    }
}

/// The report for the subtree of `org` and `year`, every person judged on the year's
/// day (`day_of`) from all their steps: the work grows with the subtree's people.
pub async fn run_live(app: &App, org: &InScope<OrgRecord>, year: i32) -> Result<RecruitmentReport> {
    let day = day_of(app.today(), year);
    let mut conn = app.store.acquire().await?;
    let people = store::in_scope(&mut conn, &org.subtree()).await?;
    let mut ids: Vec<i64> = people.iter().map(|a| a.org_id).collect();
    ids.sort_unstable();
    ids.dedup();
    let orgs: Orgs = org_store::by_ids(&mut conn, &ids)
        .await?
        .into_iter()
        .map(|o| (o.org.id, (OrgRef::of(&o.org), o.org.domain)))
        .collect();
    let mut tally = Tally::default();
    for chunk in people.chunks(CHUNK) {
        let ids: Vec<i64> = chunk.iter().map(|a| a.id).collect();
        let mut steps = ways(&mut conn, &ids).await?;
        for a in chunk {
            let records = records_of(&mut steps, a.id);
            tally.judge(app, a, &records, (&orgs, day, year));
        }
    }
    tally.report(&mut conn, org, year, day).await
}
