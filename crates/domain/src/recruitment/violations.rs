//! The time rules of SPEC R's recruitment row, each judged on the step whose record
//! breaks it, by the rule set in force on that step's date.

use super::judge::Way;
use super::step::{StepKind, StepRecord};
use super::{plus_months, Violation, WorkCalendar};
use crate::rules::RecruitmentRules;
use crate::{Date, RuleBook};

pub(crate) fn of(
    book: &RuleBook,
    cal: &WorkCalendar,
    birth_date: Option<Date>,
    way: &Way,
) -> Vec<Violation> {
    let mut found = Vec::new();
    for s in &way.steps {
        let set = book.in_force(s.on);
        let mut v = |rule: &'static str, detail: String| {
            found.push(Violation {
                rule,
                step: s.kind,
                on: s.on,
                detail,
                rule_set: set.id.clone(),
            })
        };
        judge_step(book, cal, birth_date, way, s, &mut v, set);
    }
    found
}

fn judge_step(
    book: &RuleBook,
    cal: &WorkCalendar,
    birth_date: Option<Date>,
    way: &Way,
    s: &StepRecord,
    v: &mut dyn FnMut(&'static str, String),
    set: &crate::RuleSet,
) {
    let r = &set.recruitment;
    let on = |k| way.on(k);
    match s.kind {
        StepKind::Apply => {
            if let Some(born) = birth_date {
                let adult = plus_months(born, 12 * r.min_age);
                if s.on < adult {
                    v(
                        "min_age",
                        format!("{} 递交入党申请书时未满{}周岁", s.on, r.min_age),
                    );
                }
            }
        }
        StepKind::Talk => late(
            v,
            "talk_within_months",
            on(StepKind::Apply),
            s.on,
            r.talk_within_months,
            "递交申请书",
            "谈话",
        ),
        StepKind::ActivistAssessed | StepKind::CandidateNamed => {
            assessment_gap(way, s, r, v);
            if s.kind == StepKind::CandidateNamed {
                if let Some(named) = on(StepKind::ActivistNamed) {
                    let years = r.activist_min_years_before_candidate;
                    let from = plus_months(named, 12 * years);
                    if s.on < from {
                        v(
                            "activist_min_years_before_candidate",
                            format!(
                                "{} 确定为入党积极分子，{} 即确定为发展对象，培养考察不满{}年（应不早于 {}）",
                                named, s.on, years, from
                            ),
                        );
                    }
                }
            }
        }
        StepKind::SponsorsNamed => sponsors(s, r, v),
        StepKind::CandidateTraining => training(s, r, v),
        StepKind::BranchVote | StepKind::ConfirmationVote => {
            vote(s, set, v);
            if s.kind == StepKind::BranchVote {
                notice(cal, s, r, v);
                if let Some(failed) = way.last(StepKind::VoteFailed).filter(|f| f.on < s.on) {
                    let from = plus_months(failed.on, r.failed_vote_wait_months);
                    if s.on < from {
                        v(
                            "failed_vote_wait_months",
                            format!(
                                "{} 支部大会未通过，{} 再次讨论，未满{}个月",
                                failed.on, s.on, r.failed_vote_wait_months
                            ),
                        );
                    }
                }
            } else if let Some(end) = way.probation_ends(book) {
                if s.on < end {
                    v(
                        "probation_years",
                        format!("预备期至 {end} 期满，{} 即讨论转正", s.on),
                    );
                }
            }
        }
        StepKind::Approved => {
            let vote = on(StepKind::BranchVote);
            late(
                v,
                "approval_within_months",
                vote,
                s.on,
                r.approval_within_months,
                "支部大会通过",
                "上级党委审批",
            );
            if let Some(vote) = vote {
                if s.on > plus_months(vote, r.approval_max_months) {
                    v(
                        "approval_max_months",
                        format!(
                            "审批超过{}个月的上限（支部大会 {vote}，审批 {}）",
                            r.approval_max_months, s.on
                        ),
                    );
                }
            }
        }
        StepKind::ProbationExtended => {
            let vote = on(StepKind::BranchVote);
            if let (Some(vote), Some(until)) = (vote, s.until) {
                let end = plus_months(vote, 12 * r.probation_years);
                let max = plus_months(end, 12 * r.probation_extension_max_years);
                if until > max {
                    v(
                        "probation_extension_max_years",
                        format!(
                            "预备期延长至 {until}，超过{}年（最迟 {max}）",
                            r.probation_extension_max_years
                        ),
                    );
                }
            }
        }
        StepKind::Confirmed => late(
            v,
            "confirmation_within_months",
            on(StepKind::ConfirmationVote),
            s.on,
            r.confirmation_within_months,
            "支部大会讨论转正",
            "上级党委审批转正",
        ),
        _ => {}
    }
}

/// `to` later than `months` after `from`.
fn late(
    v: &mut dyn FnMut(&'static str, String),
    rule: &'static str,
    from: Option<Date>,
    to: Date,
    months: i64,
    from_name: &str,
    to_name: &str,
) {
    let Some(from) = from else { return };
    let by = plus_months(from, months);
    if to > by {
        v(
            rule,
            format!("{from_name} {from}，{to_name} {to}，超过{months}个月（应不晚于 {by}）"),
        );
    }
}

/// Assessments every N months, judged only where assessments are recorded at all.
fn assessment_gap(
    way: &Way,
    s: &StepRecord,
    r: &RecruitmentRules,
    v: &mut dyn FnMut(&'static str, String),
) {
    if !way.has(StepKind::ActivistAssessed) {
        return;
    }
    let before = way
        .steps
        .iter()
        .filter(|x| matches!(x.kind, StepKind::ActivistNamed | StepKind::ActivistAssessed))
        .filter(|x| (x.on, x.kind.number()) < (s.on, s.kind.number()))
        .map(|x| x.on)
        .max();
    if let Some(prev) = before {
        let every = r.activist_assessment_every_months;
        if s.on > plus_months(prev, every) {
            v(
                "activist_assessment_every_months",
                format!("{prev} 之后至 {} 未进行考察，超过{every}个月", s.on),
            );
        }
    }
}

fn sponsors(s: &StepRecord, r: &RecruitmentRules, v: &mut dyn FnMut(&'static str, String)) {
    if s.sponsors.is_empty() {
        return;
    }
    if (s.sponsors.len() as i64) < r.sponsors {
        v(
            "sponsors",
            format!("入党介绍人{}名，应为{}名", s.sponsors.len(), r.sponsors),
        );
    }
    for p in s.sponsors.iter().filter(|p| p.on_roster) {
        if p.full_on.is_none_or(|f| f > s.on) {
            v(
                "sponsors",
                format!("入党介绍人{}在 {} 不是正式党员", p.name, s.on),
            );
        }
    }
}

fn training(s: &StepRecord, r: &RecruitmentRules, v: &mut dyn FnMut(&'static str, String)) {
    let Some(t) = s.training else { return };
    if t.days.is_none() && t.hours.is_none() {
        return;
    }
    let days_ok = t
        .days
        .is_some_and(|d| i64::from(d) >= r.candidate_training_min_days);
    let hours_ok = t
        .hours
        .is_some_and(|h| h >= r.candidate_training_min_hours as f64);
    if !days_ok && !hours_ok {
        let had = match (t.days, t.hours) {
            (Some(d), Some(h)) => format!("{d}天、{h}学时"),
            (Some(d), None) => format!("{d}天"),
            (None, Some(h)) => format!("{h}学时"),
            (None, None) => String::new(),
        };
        v(
            "candidate_training_min_hours",
            format!(
                "集中培训{had}，不足{}天或{}学时",
                r.candidate_training_min_days, r.candidate_training_min_hours
            ),
        );
    }
}

fn vote(s: &StepRecord, set: &crate::RuleSet, v: &mut dyn FnMut(&'static str, String)) {
    let Some(x) = s.vote else { return };
    if x.due == 0 {
        return;
    }
    if u64::from(x.yes) * 2 <= u64::from(x.due) {
        v(
            "vote_majority",
            format!(
                "赞成{}票，未超过应到会有表决权的正式党员{}人的半数",
                x.yes, x.due
            ),
        );
    }
    let share = set.meetings.vote_quorum_share;
    if f64::from(x.present) <= share * f64::from(x.due) {
        v(
            "vote_quorum_share",
            format!(
                "实到会有表决权的正式党员{}人，未超过应到{}人的半数",
                x.present, x.due
            ),
        );
    }
    if set.recruitment.secret_ballot && x.secret == Some(false) {
        v("secret_ballot", "未采用无记名投票方式表决".to_string());
    }
}

/// 公示 of at least N working days, over before the branch meeting (where a set asks it).
fn notice(
    cal: &WorkCalendar,
    s: &StepRecord,
    r: &RecruitmentRules,
    v: &mut dyn FnMut(&'static str, String),
) {
    let (Some(min), Some(n)) = (r.notice_min_working_days, s.notice) else {
        return;
    };
    if n.to >= s.on {
        v(
            "notice_min_working_days",
            format!("公示 {} 至 {} 未在支部大会（{}）前结束", n.from, n.to, s.on),
        );
    }
    let last = n.to.min(s.on.pred_opt().unwrap_or(s.on));
    let days = cal.working_days(n.from, last);
    if i64::from(days) < min {
        v(
            "notice_min_working_days",
            format!(
                "公示 {} 至 {} 仅{}个工作日，少于{}个工作日",
                n.from, n.to, days, min
            ),
        );
    }
}
