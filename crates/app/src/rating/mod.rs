//! Rating (分类定级、评星定级, SPEC C5): gathering each org's facts for a year from stored
//! derived facts, computing stars with the indicator set of its domain, storing them with
//! the suspected weaknesses (one transaction, audited), hand adjustments and hand scores
//! (a reason each, audited), and reading ratings back.
//!
//! Scale: a subtree is read in a handful of literal path-range reads — the orgs, their
//! dated facts (events and secretaries' offices), one grouped read of the member rows
//! (members, full members and the latest recruit of each org on the day judged), the
//! monthly compliance facts, the first recorded month before them, funding, discipline
//! cases, manual signals and scores — never a query per org and never meeting rows. A
//! province of 570 thousand orgs is rated from those reads in one pass.

use std::collections::{BTreeMap, HashMap, HashSet};
use std::time::Instant;

use chrono::NaiveDate;
use jiceng_domain::compliance::{BranchFacts, GroupFacts};
use jiceng_domain::rating::{
    self as dr, BranchMonths, CaseNote, FundingFacts, IndicatorBook, IndicatorScore, IndicatorSet,
    LifeSummary, LifeTotals, ManualSignal, OrgYearFacts, Rating, Recruitment,
};
use jiceng_domain::weakness::{diagnose, suspected, Signal};
use jiceng_domain::{path, Decision, Domain, OrgHistory, OrgKind, WeaknessKind};
use jiceng_io::{OutCell, Sheet};
use jiceng_store::orgs::{self as org_store, StoredOrg};
use jiceng_store::ratings::{
    self as rating_store, Adjustment, ManualScore, RatedOrg, StoredRating,
};
use jiceng_store::weak::{self as weak_store, FundingKind, SignalNote, StoredWeakness};
use jiceng_store::{meetings as meeting_store, Scope};
use serde::Serialize;

use crate::access::{self, Grant, InScope};
use crate::audit::{self, AuditAction};
use crate::reports::OrgRef;
use crate::{App, AppError, OrgRecord, Result};

use crate::input;

/// Years that can be rated: from 2000 to the current one.
pub fn check_year(app: &App, year: i32) -> Result<()> {
    let now = chrono::Datelike::year(&app.today());
    if !(2000..=now).contains(&year) {
        return Err(input(format!("年度应在2000至{now}之间：{year}")));
    }
    Ok(())
}

/// The indicator sets in use: the shipped ones and those the department stored.
pub async fn indicator_book(app: &App) -> Result<IndicatorBook> {
    let mut conn = app.store.acquire().await?;
    let stored = rating_store::indicator_sets(&mut conn).await?;
    Ok(IndicatorBook::shipped().with(stored))
}

/// Stores an edited indicator set (a copy of a shipped one with a new id or version).
/// Needs [`access::SetRules`]; audited.
pub async fn save_indicator_set(
    app: &App,
    grant: &Grant<access::SetRules>,
    set: &IndicatorSet,
) -> Result<()> {
    let actor = grant.actor();
    let problems = set.problems();
    if !problems.is_empty() {
        return Err(input(problems.join("；")));
    }
    let after = serde_json::json!({ "id": set.id, "version": set.version, "effective_from": set.effective_from });
    // Recorded at the actor's org.
    audit::Entry::new(
        actor,
        AuditAction::IndicatorSetSave,
        format!("指标体系 {}（第{}版）", set.id, set.version),
    )
    .after(after)
    .write(app, |mut tx| async move {
        rating_store::save_indicator_set(&mut tx, set, &actor.username).await?;
        Ok(tx)
    })
    .await
}

pub(crate) mod by_hand;
mod compute;
mod gather;
mod read;

pub use by_hand::*;
pub use compute::*;
pub use gather::*;
pub use read::*;
