//! 发展党员 (`Recruitment`): a person's way from the application to full membership, as
//! the steps recorded for them, judged by the rule set in force on each step's date.
//!
//! - `step`: the 25 steps, the four events and what a step records (vote, 公示, training,
//!   sponsors).
//! - `check`: what a new step must satisfy to be recorded at all (order, dates, sponsors,
//!   the vote's majority); a refusal says why in Chinese and changes nothing.
//! - `judge`: for a person's steps on a day, the stage, the next due step with its
//!   deadline, and every violation of a time rule — derived, never typed.
//! - `calendar`: working days by the official calendar, for the 公示's length.
//! - `tally`: a subtree's people by stage, deadlines and admissions by plan target, added
//!   up the tree; the plan's structure targets.

pub mod calendar;
pub mod check;
pub mod judge;
pub mod step;
pub mod tally;
mod violations;

#[cfg(test)]
mod tests;

pub use calendar::WorkCalendar;
pub use check::{check_step, StepError};
pub use judge::{judge, Due, Progress, Violation};
pub use step::{Notice, Place, RecruitStage, Sponsor, StepKind, StepRecord, Training, Vote};
pub use tally::{Admission, Counted, Tally, TARGETS};

use crate::Date;

/// Adds whole months, keeping the day where the month has it (else its last day).
pub(crate) fn plus_months(day: Date, months: i64) -> Date {
    let m = chrono::Months::new(months.unsigned_abs() as u32);
    let moved = if months >= 0 {
        day.checked_add_months(m)
    } else {
        day.checked_sub_months(m)
    };
    moved.unwrap_or(day)
}
