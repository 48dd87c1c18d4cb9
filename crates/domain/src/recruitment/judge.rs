//! A person's way judged on a day: the stage, the next due step and every violation of a
//! time rule, each step by the rule set in force on its date. Only steps dated on or before
//! the day count; a rule whose facts were not recorded (no assessment, no 公示, no vote
//! counts) is not judged — unknown is not a violation.

use serde::Serialize;

use super::step::{RecruitStage, StepKind, StepRecord};
use super::{plus_months, WorkCalendar};
use crate::{Date, RuleBook};

/// The next thing to do for a person.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Due {
    pub step: StepKind,
    /// The last day the rules allow (`None`: the rules set no day).
    pub deadline: Option<Date>,
    /// The first day the rules allow it.
    pub not_before: Option<Date>,
    /// The deadline has passed on the day judged.
    pub overdue: bool,
}

/// One time rule broken by recorded dates.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Violation {
    /// The rule's field in the rule set (`talk_within_months`, …).
    pub rule: &'static str,
    /// The step whose record breaks it.
    pub step: StepKind,
    pub on: Date,
    /// What happened, in Chinese, with the dates.
    pub detail: String,
    /// The rule set the step was judged by.
    pub rule_set: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Progress {
    pub stage: RecruitStage,
    /// 撤回申请 or 取消预备党员资格, with its day: the way ended there.
    pub closed: Option<(StepKind, Date)>,
    /// The last step recorded (by date) and its day.
    pub last: Option<(StepKind, Date)>,
    /// 上级党委审批 (⑰): the day the person became a probationary member.
    pub admitted_on: Option<Date>,
    /// 上级党委审批转正 (㉔)'s day.
    pub confirmed_on: Option<Date>,
    /// The probation's end, extensions included.
    pub probation_ends: Option<Date>,
    pub next: Option<Due>,
    pub violations: Vec<Violation>,
}

/// The key steps in order: the main line a person walks.
pub const KEY_STEPS: [StepKind; 16] = [
    StepKind::Apply,
    StepKind::Talk,
    StepKind::ActivistNamed,
    StepKind::ContactsAssigned,
    StepKind::CandidateNamed,
    StepKind::SponsorsNamed,
    StepKind::PoliticalReview,
    StepKind::CandidateTraining,
    StepKind::CommitteeReview,
    StepKind::PreReview,
    StepKind::BranchVote,
    StepKind::Approved,
    StepKind::Oath,
    StepKind::ConfirmationApplied,
    StepKind::ConfirmationVote,
    StepKind::Confirmed,
];

/// The steps of one person as recorded by a day: sorted, with lookups.
pub(crate) struct Way<'a> {
    pub steps: Vec<&'a StepRecord>,
}

impl<'a> Way<'a> {
    pub fn new(steps: &'a [StepRecord], as_of: Option<Date>) -> Way<'a> {
        let mut steps: Vec<&StepRecord> = steps
            .iter()
            .filter(|s| as_of.is_none_or(|d| s.on <= d))
            .collect();
        steps.sort_by_key(|s| (s.on, s.kind.number()));
        Way { steps }
    }

    /// The last record of a kind.
    pub fn last(&self, kind: StepKind) -> Option<&'a StepRecord> {
        self.steps.iter().rev().find(|s| s.kind == kind).copied()
    }

    pub fn on(&self, kind: StepKind) -> Option<Date> {
        self.last(kind).map(|s| s.on)
    }

    pub fn has(&self, kind: StepKind) -> bool {
        self.last(kind).is_some()
    }

    /// The highest key step recorded.
    pub fn highest_key(&self) -> Option<StepKind> {
        KEY_STEPS.iter().rev().find(|k| self.has(**k)).copied()
    }

    pub fn closed(&self) -> Option<(StepKind, Date)> {
        self.steps
            .iter()
            .find(|s| matches!(s.kind, StepKind::Withdrawn | StepKind::ProbationCancelled))
            .map(|s| (s.kind, s.on))
    }

    /// The probation's end: a year (the rule) from the branch meeting's vote, moved by the
    /// last extension.
    pub fn probation_ends(&self, book: &RuleBook) -> Option<Date> {
        let vote = self.on(StepKind::BranchVote)?;
        let rules = &book.in_force(vote).recruitment;
        let end = plus_months(vote, 12 * rules.probation_years);
        Some(
            self.last(StepKind::ProbationExtended)
                .and_then(|s| s.until)
                .map_or(end, |u| u.max(end)),
        )
    }
}

/// The key step before `kind` on the main line (for an inside, repeated or key step).
pub fn key_before(kind: StepKind) -> Option<StepKind> {
    KEY_STEPS
        .iter()
        .rev()
        .find(|k| k.number() < kind.number())
        .copied()
}

/// The key step after `kind` on the main line.
pub fn key_after(kind: StepKind) -> Option<StepKind> {
    KEY_STEPS
        .iter()
        .find(|k| k.number() > kind.number())
        .copied()
}

/// The person's way judged on `as_of`.
pub fn judge(
    book: &RuleBook,
    cal: &WorkCalendar,
    birth_date: Option<Date>,
    steps: &[StepRecord],
    as_of: Date,
) -> Progress {
    let way = Way::new(steps, Some(as_of));
    let stage = way
        .highest_key()
        .and_then(|k| k.stage())
        .unwrap_or(RecruitStage::Applicant);
    let probation_ends = way
        .has(StepKind::Approved)
        .then(|| way.probation_ends(book))
        .flatten();
    let closed = way.closed();
    let next = match closed {
        Some(_) => None,
        None => next_due(book, &way, as_of),
    };
    Progress {
        stage,
        closed,
        last: way.steps.last().map(|s| (s.kind, s.on)),
        admitted_on: way.on(StepKind::Approved),
        confirmed_on: way.on(StepKind::Confirmed),
        probation_ends,
        next,
        violations: super::violations::of(book, cal, birth_date, &way),
    }
}

fn due(step: StepKind, deadline: Option<Date>, not_before: Option<Date>, as_of: Date) -> Due {
    Due {
        step,
        deadline,
        not_before,
        overdue: deadline.is_some_and(|d| d < as_of),
    }
}

/// The next key step after the highest recorded, with the day the rules set for it.
fn next_due(book: &RuleBook, way: &Way, as_of: Date) -> Option<Due> {
    let Some(highest) = way.highest_key() else {
        return Some(due(StepKind::Apply, None, None, as_of));
    };
    let next = key_after(highest)?;
    let rules = |d: Date| &book.in_force(d).recruitment;
    let on = |k| way.on(k);
    Some(match next {
        StepKind::Talk => {
            let applied = on(StepKind::Apply)?;
            let by = plus_months(applied, rules(applied).talk_within_months);
            due(next, Some(by), None, as_of)
        }
        StepKind::CandidateNamed => return activist_due(book, way, as_of),
        StepKind::BranchVote => {
            let wait = way
                .on(StepKind::VoteFailed)
                .map(|f| plus_months(f, rules(f).failed_vote_wait_months));
            due(next, None, wait, as_of)
        }
        StepKind::Approved => {
            let vote = on(StepKind::BranchVote)?;
            let by = plus_months(vote, rules(vote).approval_within_months);
            due(next, Some(by), None, as_of)
        }
        StepKind::ConfirmationApplied => due(next, way.probation_ends(book), None, as_of),
        StepKind::ConfirmationVote => due(next, None, way.probation_ends(book), as_of),
        StepKind::Confirmed => {
            let vote = on(StepKind::ConfirmationVote)?;
            let by = plus_months(vote, rules(vote).confirmation_within_months);
            due(next, Some(by), None, as_of)
        }
        other => due(other, None, None, as_of),
    })
}

/// An activist with 培养联系人: the next assessment where assessments are being recorded
/// and it falls before the candidate may be named, else 确定发展对象 from the year's end.
fn activist_due(book: &RuleBook, way: &Way, as_of: Date) -> Option<Due> {
    let named = way.on(StepKind::ActivistNamed)?;
    let rules = &book.in_force(named).recruitment;
    let candidate_from = plus_months(named, 12 * rules.activist_min_years_before_candidate);
    if let Some(last) = way.on(StepKind::ActivistAssessed) {
        let every = book
            .in_force(last)
            .recruitment
            .activist_assessment_every_months;
        let by = plus_months(last, every);
        if by < candidate_from || by < as_of {
            return Some(due(StepKind::ActivistAssessed, Some(by), None, as_of));
        }
    }
    Some(due(
        StepKind::CandidateNamed,
        None,
        Some(candidate_from),
        as_of,
    ))
}
