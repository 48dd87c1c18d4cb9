//! What a new step must satisfy to be recorded: its place on the way, its date, its
//! sponsors and its vote. A refusal names the part of the form it is about and says why in
//! Chinese; nothing is recorded. Time rules (a late talk, a short 公示) are not refusals:
//! the past happened, and `judge` reports them.

use std::fmt;

use super::judge::{key_after, key_before, Way};
use super::plus_months;
use super::step::{Place, StepKind, StepRecord};
use crate::{Date, RuleBook};

/// Why a step cannot be recorded.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StepError {
    /// The part of the record: `step`, `on`, `sponsors`, `vote`, `notice`, `until`.
    pub field: &'static str,
    pub message: String,
}

impl fmt::Display for StepError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}

impl std::error::Error for StepError {}

fn refuse(field: &'static str, message: impl Into<String>) -> Result<(), StepError> {
    Err(StepError {
        field,
        message: message.into(),
    })
}

/// Whether `new` may follow the steps already recorded for a person born on `birth_date`.
pub fn check_step(
    book: &RuleBook,
    birth_date: Option<Date>,
    recorded: &[StepRecord],
    new: &StepRecord,
) -> Result<(), StepError> {
    let way = Way::new(recorded, None);
    if let Some((kind, on)) = way.closed() {
        return refuse("step", format!("已于 {on} {}，不能再记录", kind.label()));
    }
    if let Some(last) = way.steps.last() {
        if new.on < last.on {
            return refuse(
                "on",
                format!(
                    "日期 {} 早于已记录的上一步（{}，{}）",
                    new.on,
                    last.kind.title(),
                    last.on
                ),
            );
        }
    }
    place(book, &way, new)?;
    content(book, birth_date, &way, new)
}

/// The step's place on the way: in order, once (unless repeated), inside its stage.
fn place(book: &RuleBook, way: &Way, new: &StepRecord) -> Result<(), StepError> {
    let kind = new.kind;
    let need = |k: StepKind| -> Result<(), StepError> {
        if way.has(k) {
            Ok(())
        } else {
            refuse(
                "step",
                format!("请先记录「{}」，再记录「{}」", k.title(), kind.title()),
            )
        }
    };
    let not_past = |k: Option<StepKind>| -> Result<(), StepError> {
        match k.filter(|k| way.has(*k)) {
            Some(k) => refuse(
                "step",
                format!("已记录「{}」，不能再记录「{}」", k.title(), kind.title()),
            ),
            None => Ok(()),
        }
    };
    match kind.place() {
        Place::Key | Place::Inside => {
            if way.has(kind) {
                return refuse("step", format!("「{}」已经记录", kind.title()));
            }
            if let Some(before) = key_before(kind) {
                need(before)?;
            }
            not_past(key_after(kind))
        }
        Place::Repeated => {
            need(key_before(kind).expect("a repeated step follows a key step"))?;
            not_past(key_after(kind))
        }
        Place::Event => event(book, way, new),
    }
}

fn event(book: &RuleBook, way: &Way, new: &StepRecord) -> Result<(), StepError> {
    let in_probation = |what: &str| -> Result<(), StepError> {
        if !way.has(StepKind::Approved) {
            return refuse("step", format!("尚未成为预备党员，不能{what}"));
        }
        if way.has(StepKind::Confirmed) {
            return refuse("step", format!("已转为正式党员，不能{what}"));
        }
        Ok(())
    };
    match new.kind {
        StepKind::Withdrawn => {
            if way.has(StepKind::Approved) {
                return refuse(
                    "step",
                    "已成为预备党员，应记录「取消预备党员资格」而不是撤回申请",
                );
            }
            Ok(())
        }
        StepKind::VoteFailed => {
            if !way.has(StepKind::PreReview) {
                return refuse("step", "请先记录「⑬ 上级党委预审」，再记录支部大会的表决");
            }
            if way.has(StepKind::BranchVote) {
                return refuse("step", "支部大会已通过接收，不能再记为未通过");
            }
            Ok(())
        }
        StepKind::ProbationExtended => {
            in_probation("延长预备期")?;
            let end = way.probation_ends(book);
            let Some(until) = new.until else {
                return refuse("until", "请填写延长后的预备期截止日期");
            };
            let vote = way.on(StepKind::BranchVote).expect("approved after a vote");
            let r = &book.in_force(vote).recruitment;
            let first_end = plus_months(vote, 12 * r.probation_years);
            let max = plus_months(first_end, 12 * r.probation_extension_max_years);
            if end.is_some_and(|e| until <= e) {
                return refuse(
                    "until",
                    format!(
                        "延长后的截止日期应晚于现在的预备期截止日期 {}",
                        end.expect("some")
                    ),
                );
            }
            if until > max {
                return refuse(
                    "until",
                    format!(
                        "预备期最多延长{}年，最迟至 {max}",
                        r.probation_extension_max_years
                    ),
                );
            }
            Ok(())
        }
        _ => in_probation("取消预备党员资格"),
    }
}

/// What the step carries: the applicant's age, the sponsors, the vote, the 公示.
fn content(
    book: &RuleBook,
    birth_date: Option<Date>,
    way: &Way,
    new: &StepRecord,
) -> Result<(), StepError> {
    let r = &book.in_force(new.on).recruitment;
    if new.kind == StepKind::Apply {
        if let Some(born) = birth_date {
            if new.on < plus_months(born, 12 * r.min_age) {
                return refuse("on", format!("递交入党申请书时须年满{}周岁", r.min_age));
            }
        }
    }
    if new.kind == StepKind::SponsorsNamed {
        if (new.sponsors.len() as i64) < r.sponsors {
            return refuse("sponsors", format!("应确定{}名入党介绍人", r.sponsors));
        }
        if let Some(p) = new
            .sponsors
            .iter()
            .find(|p| p.full_on.is_none_or(|f| f > new.on))
        {
            return refuse(
                "sponsors",
                format!("入党介绍人{}在 {} 不是正式党员", p.name, new.on),
            );
        }
        let mut ids: Vec<_> = new.sponsors.iter().filter_map(|p| p.member_id).collect();
        ids.sort_unstable();
        if ids.windows(2).any(|w| w[0] == w[1]) {
            return refuse("sponsors", "两名入党介绍人不能是同一人");
        }
    }
    if let Some(n) = new.notice {
        if n.to < n.from {
            return refuse("notice", format!("公示 {} 至 {} 起止颠倒", n.from, n.to));
        }
    }
    if new.kind.is_vote() || new.kind == StepKind::VoteFailed {
        vote(book, way, new)?;
    }
    Ok(())
}

fn vote(book: &RuleBook, way: &Way, new: &StepRecord) -> Result<(), StepError> {
    let Some(x) = new.vote else {
        if new.kind == StepKind::VoteFailed {
            return Ok(());
        }
        return refuse("vote", "请填写表决情况：应到、实到、赞成、反对、弃权");
    };
    counts(&x)?;
    let set = book.in_force(new.on);
    if new.kind == StepKind::VoteFailed {
        return Ok(());
    }
    if u64::from(x.yes) * 2 <= u64::from(x.due) {
        return refuse(
            "vote",
            format!(
                "赞成{}票，未超过应到会有表决权的正式党员{}人的半数，不能通过；表决未通过请记为「{}」",
                x.yes,
                x.due,
                StepKind::VoteFailed.label()
            ),
        );
    }
    if f64::from(x.present) <= set.meetings.vote_quorum_share * f64::from(x.due) {
        return refuse(
            "vote",
            format!(
                "实到会有表决权的正式党员{}人，未超过应到{}人的半数，不能表决",
                x.present, x.due
            ),
        );
    }
    if let Some(failed) = way.on(StepKind::VoteFailed) {
        let r = &book.in_force(failed).recruitment;
        let from = plus_months(failed, r.failed_vote_wait_months);
        if new.kind == StepKind::BranchVote && new.on < from {
            return refuse(
                "on",
                format!("{failed} 支部大会未通过，{from} 以后才能再次讨论"),
            );
        }
    }
    Ok(())
}

/// A vote's counts that can be true: 赞成+反对+弃权 ≤ 实到 ≤ 应到.
pub fn counts(x: &super::Vote) -> Result<(), StepError> {
    if x.present > x.due {
        return refuse("vote", format!("实到{}人多于应到{}人", x.present, x.due));
    }
    if x.yes + x.no + x.abstain > x.present + x.written {
        return refuse(
            "vote",
            format!(
                "赞成、反对、弃权共{}票，多于实到{}人和书面意见{}份",
                x.yes + x.no + x.abstain,
                x.present,
                x.written
            ),
        );
    }
    Ok(())
}

/// A ledger's steps that cannot be true as written: a key step dated before an earlier
/// one, vote counts that do not add up, a 公示 ending before it starts. Each with the step.
pub fn check_ledger(steps: &[StepRecord]) -> Vec<(StepKind, StepError)> {
    let mut errors = Vec::new();
    let mut keys: Vec<&StepRecord> = steps
        .iter()
        .filter(|s| s.kind.place() == Place::Key)
        .collect();
    keys.sort_by_key(|s| s.kind.number());
    for w in keys.windows(2) {
        if w[1].on < w[0].on {
            errors.push((
                w[1].kind,
                StepError {
                    field: "on",
                    message: format!(
                        "{}（{}）早于{}（{}）",
                        w[1].kind.label(),
                        w[1].on,
                        w[0].kind.label(),
                        w[0].on
                    ),
                },
            ));
        }
    }
    for s in steps {
        if let Some(Err(e)) = s.vote.as_ref().map(counts) {
            errors.push((s.kind, e));
        }
        if let Some(n) = s.notice.filter(|n| n.to < n.from) {
            errors.push((
                s.kind,
                StepError {
                    field: "notice",
                    message: format!("公示 {} 至 {} 起止颠倒", n.from, n.to),
                },
            ));
        }
    }
    errors
}

/// The kinds whose place on the way allows them after `recorded` (what a record form
/// offers): refusals about the step's place only, not about what it would carry.
pub fn allowed(book: &RuleBook, recorded: &[StepRecord]) -> Vec<StepKind> {
    let way = Way::new(recorded, None);
    if way.closed().is_some() {
        return Vec::new();
    }
    let on = way.steps.last().map_or(Date::MIN, |s| s.on);
    StepKind::all()
        .filter(|k| match place(book, &way, &StepRecord::new(*k, on)) {
            Ok(()) => true,
            Err(e) => e.field != "step",
        })
        .collect()
}
