//! Every applicant judged again: the stage, next step, deadline and violations stored with
//! each person were judged on the day of their last write, by the rules and the calendar of
//! the release that wrote them. When the day has moved on (waits end, deadlines come) or a
//! release ships other rule sets or holidays, `rederive` makes them anew from the recorded
//! steps and refreshes the tallies of the orgs whose people changed — a chunk of people per
//! transaction, so writers wait a moment at most. `jiceng refresh` runs it, and a server
//! with the day's refresh (`refresh_if_stale`).

use jiceng_domain::recruitment::calendar::SHIPPED_CALENDAR;
use jiceng_domain::rules::fnv1a;
use jiceng_store::recruitment::{self as store, tally};

use super::{derived, progress, ways};
use crate::{App, Result};

/// People judged per transaction.
const CHUNK: i64 = 2_000;

/// What the stored judgements must have been made by to be current: the rule sets and
/// the calendar (fingerprints) and the day.
pub fn current_judgement(app: &App) -> String {
    format!(
        "{}-{:016x}@{}",
        app.rules.fingerprint(),
        fnv1a(SHIPPED_CALENDAR.as_bytes()),
        app.today()
    )
}

/// Whether the stored judgements were made by other rules, another calendar or on
/// another day than today's.
pub async fn stale(app: &App) -> Result<bool> {
    let mut conn = app.store.acquire().await?;
    Ok(store::judged_by(&mut conn).await?.as_deref() != Some(current_judgement(app).as_str()))
}

/// What a re-judgement did.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Rederived {
    pub judged: usize,
    pub changed: usize,
}

/// Judges every applicant again on today and stores what changed.
pub async fn rederive(app: &App) -> Result<Rederived> {
    let today = app.today();
    let mut done = Rederived::default();
    let mut after = 0;
    loop {
        let mut tx = app.store.begin().await?;
        let people = store::after_id(&mut tx, after, CHUNK).await?;
        let Some(last) = people.last() else {
            tx.commit().await?;
            break;
        };
        after = last.id;
        let ids: Vec<i64> = people.iter().map(|a| a.id).collect();
        let mut steps = ways(&mut tx, &ids).await?;
        let mut touched = Vec::new();
        for mut a in people {
            let way: Vec<_> = steps
                .remove(&a.id)
                .unwrap_or_default()
                .into_iter()
                .map(|(_, r)| r)
                .collect();
            let now = derived(&progress(app, &a, &way, today), &way);
            done.judged += 1;
            if now != a.derived {
                a.derived = now;
                store::update(&mut tx, &a).await?;
                touched.push(a.org_id);
                done.changed += 1;
            }
        }
        touched.sort_unstable();
        touched.dedup();
        tally::refresh(&mut tx, &touched).await?;
        tx.commit().await?;
    }
    let mut tx = app.store.begin().await?;
    store::set_judged_by(&mut tx, &current_judgement(app)).await?;
    tx.commit().await?;
    Ok(done)
}
