//! 发展党员 (`Recruitment`): applicants registered once, each of the 25 steps recorded
//! once and judged by `jiceng_domain::recruitment`; at ⑰ the person joins the roster as a
//! probationary member, at ㉔ becomes full; the documents of each step are generated from
//! what is recorded.
//!
//! - `people`: registering an applicant (step ①), ID number and phone protected as members'.
//! - `record`: recording a step — refused with the domain's reason, or written with its
//!   consequences on the roster (⑰, ㉔, 取消资格), the derived facts and the audit entry.
//! - `view`: a person's timeline and judgement; a branch's board by stage.
//! - `papers`: a person's documents generated from the records (`documents` lays them out).
//! - `rederive`: everyone judged again when the day, the rules or the calendar changed.

pub mod documents;
pub mod ledger;
pub mod overview;
pub mod papers;
pub mod people;
pub mod plan;
pub mod record;
pub mod rederive;
pub mod seed;
pub mod view;

use std::collections::HashMap;
use std::sync::LazyLock;

use chrono::NaiveDate;
use jiceng_domain::recruitment::{judge, Progress, StepKind, StepRecord, WorkCalendar};
use jiceng_store::recruitment::{self as store, Derived, StoredApplicant, StoredStep};
use jiceng_store::Conn;

use crate::{App, AppError, Result};

pub use people::{register, NewApplicant};
pub use record::{record_step, StepInput};
pub use view::{board, person, Board, PersonRow, PersonView};

/// The official working-day calendar, read once.
pub static CALENDAR: LazyLock<WorkCalendar> = LazyLock::new(WorkCalendar::shipped);

/// A refused step, typed: the part of the form and the reason (from the domain).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{message}")]
pub struct StepRefused {
    pub field: &'static str,
    pub message: String,
}

impl From<jiceng_domain::recruitment::StepError> for StepRefused {
    fn from(e: jiceng_domain::recruitment::StepError) -> StepRefused {
        StepRefused {
            field: e.field,
            message: e.message,
        }
    }
}

impl StepRefused {
    pub(crate) fn new(field: &'static str, message: impl Into<String>) -> StepRefused {
        StepRefused {
            field,
            message: message.into(),
        }
    }
}

/// A stored step as the domain's record: the columns are the truth for kind and day.
pub(crate) fn step_record(s: &StoredStep) -> Result<StepRecord> {
    let kind = StepKind::from_number(s.step).ok_or_else(|| {
        AppError::Store(jiceng_store::StoreError::Corrupt(format!(
            "发展党员步骤 {}",
            s.step
        )))
    })?;
    let mut r: StepRecord = serde_json::from_str(&s.detail).unwrap_or(StepRecord::new(kind, s.on));
    r.kind = kind;
    r.on = s.on;
    Ok(r)
}

/// The steps of the given applicants, each person's in the order recorded.
pub(crate) async fn ways(
    conn: &mut Conn,
    ids: &[i64],
) -> Result<HashMap<i64, Vec<(StoredStep, StepRecord)>>> {
    let mut out: HashMap<i64, Vec<(StoredStep, StepRecord)>> = HashMap::new();
    for s in store::steps_of(conn, ids).await? {
        let r = step_record(&s)?;
        out.entry(s.applicant_id).or_default().push((s, r));
    }
    Ok(out)
}

/// A person's way judged on `day` (the app's rules and the official calendar).
pub fn progress(app: &App, a: &StoredApplicant, steps: &[StepRecord], day: NaiveDate) -> Progress {
    judge(&app.rules, &CALENDAR, Some(a.birth_date), steps, day)
}

/// What is stored with the applicant's row: the judgement on `day`, as columns.
pub(crate) fn derived(p: &Progress, steps: &[StepRecord]) -> Derived {
    let stage = match p.closed {
        Some((StepKind::Withdrawn, _)) => "withdrawn".to_string(),
        Some(_) => "cancelled".to_string(),
        None => p.stage.key().to_string(),
    };
    Derived {
        stage,
        next_step: p.next.as_ref().map(|d| d.step.number()),
        next_deadline: p.next.as_ref().and_then(|d| d.deadline),
        next_not_before: p.next.as_ref().and_then(|d| d.not_before),
        violations: p.violations.len() as i64,
        applied_on: steps
            .iter()
            .find(|s| s.kind == StepKind::Apply)
            .map(|s| s.on),
        admitted_on: p.admitted_on,
        confirmed_on: p.confirmed_on,
    }
}

/// The stage label of a stored stage key (`applicant` … `confirmed`, `withdrawn`, `cancelled`).
pub fn stage_label(key: &str) -> &'static str {
    match key {
        "withdrawn" => "已终止发展",
        "cancelled" => "已取消预备党员资格",
        k => jiceng_domain::RecruitStage::parse_key(k).map_or("未知", |s| s.label()),
    }
}
