//! Scoring one org's year against an indicator set: each indicator derived from the year's
//! facts (or scored by hand), the weighted mean over the indicators with data, the stars.

use serde::{Deserialize, Serialize};

use crate::evidence::{pct, periods_label, round1, ymd, yuan};
use crate::history::SecretaryState;
use crate::structure::term_ends_on;
use crate::year_facts::*;
use crate::{OrgKind, RuleBook};

use super::indicators::*;

/// The state of an indicator's score.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ScoreState {
    Scored,
    /// 暂无数据: counts toward the applicable weight, not toward the score.
    NoData,
    /// 不适用: left out altogether.
    NotApplicable,
}

impl ScoreState {
    pub fn label(self) -> &'static str {
        match self {
            ScoreState::Scored => "已评分",
            ScoreState::NoData => "暂无数据",
            ScoreState::NotApplicable => "不适用",
        }
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct IndicatorScore {
    pub code: String,
    pub name: String,
    pub weight: f64,
    pub state: ScoreState,
    /// 0–100 when scored.
    pub score: Option<f64>,
    /// What the score rests on, in Chinese.
    pub evidence: String,
}

/// The rating of one org for one year.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Rating {
    pub set_id: String,
    pub set_version: i64,
    /// 1–5; `None` when too little of the weight had data.
    pub stars: Option<u8>,
    /// The weighted mean of the scored indicators (one decimal); `None` if none scored.
    pub score: Option<f64>,
    /// The share of the applicable weight that had data (0–1, four decimals).
    pub weight_with_data: f64,
    pub indicators: Vec<IndicatorScore>,
    /// One line on how the stars came about.
    pub evidence: String,
}

type Outcome = (ScoreState, Option<f64>, String);

fn scored(score: f64, evidence: String) -> Outcome {
    (
        ScoreState::Scored,
        Some(round1(score.clamp(0.0, 100.0))),
        evidence,
    )
}

fn no_data(evidence: impl Into<String>) -> Outcome {
    (
        ScoreState::NoData,
        None,
        format!("暂无数据：{}", evidence.into()),
    )
}

fn not_applicable(evidence: impl Into<String>) -> Outcome {
    (
        ScoreState::NotApplicable,
        None,
        format!("不适用：{}", evidence.into()),
    )
}

fn derived(d: DerivedIndicator, f: &OrgYearFacts, set: &IndicatorSet, book: &RuleBook) -> Outcome {
    let rules = book.in_force(f.as_of);
    match d {
        DerivedIndicator::ComplianceRate => {
            let t = &f.subtree_life;
            if t.branches == 0 {
                return not_applicable("下无党支部，组织生活按党支部统计");
            }
            if t.due == 0 {
                let why = match &f.life {
                    Some(l) if l.periods.is_empty() => "本年度尚无已结束的季度".to_string(),
                    _ if t.unrecorded == t.branches => "组织生活台账尚无记录".to_string(),
                    _ => "统计期间内无应开展的组织生活".to_string(),
                };
                return no_data(why);
            }
            let of = if f.kind == OrgKind::Branch {
                String::new()
            } else {
                format!("（所属{}个党支部合计）", t.branches)
            };
            let period = f
                .life
                .as_ref()
                .map(|l| periods_label(&l.periods))
                .filter(|s| !s.is_empty())
                .map(|s| format!("；统计期间：{s}"))
                .unwrap_or_default();
            scored(
                t.met as f64 * 100.0 / t.due as f64,
                format!(
                    "应开展组织生活{}项，按规定开展{}项（{}）{of}{period}",
                    t.due,
                    t.met,
                    pct(t.met, t.due)
                ),
            )
        }
        DerivedIndicator::Attendance => {
            let t = &f.subtree_life;
            if t.branches == 0 {
                return not_applicable("下无党支部");
            }
            if t.expected == 0 {
                return no_data("本年度无记录应到人数的会议");
            }
            scored(
                t.present as f64 * 100.0 / t.expected as f64,
                format!(
                    "本年度会议应到{}人次，实到{}人次（{}）",
                    t.expected,
                    t.present,
                    pct(t.present, t.expected)
                ),
            )
        }
        DerivedIndicator::SecretaryInPlace => {
            if !elects_secretary(f.kind) {
                return not_applicable("不设书记");
            }
            match f.secretary {
                SecretaryState::InOffice => scored(100.0, "书记在岗".into()),
                SecretaryState::Vacant { since } => scored(
                    0.0,
                    format!(
                        "书记空缺{}个月（自{}起）",
                        months_between(since, f.as_of),
                        ymd(since)
                    ),
                ),
                SecretaryState::Unknown => no_data("未记录书记任职情况"),
            }
        }
        DerivedIndicator::CommitteeComplete => {
            let need = rules.org.committee_required_at_full;
            if f.subtree_members == 0 {
                return no_data("党员名册尚无记录");
            }
            if f.subtree_full < need {
                return not_applicable(format!(
                    "正式党员{}人，不足{need}人，不要求设立委员会",
                    f.subtree_full
                ));
            }
            match f.committee {
                None => no_data("未记录是否设立委员会"),
                Some(true) => scored(100.0, format!("正式党员{}人，已设立委员会", f.subtree_full)),
                Some(false) => scored(
                    0.0,
                    format!("正式党员{}人（{need}人以上），未设立委员会", f.subtree_full),
                ),
            }
        }
        DerivedIndicator::TermCurrent => {
            let Some(years) = f.term_years.or(rules.term_years(f.kind, f.domain)) else {
                return not_applicable("无任期");
            };
            let first_term = f.last_election_on.is_none();
            let Some(start) = f.last_election_on.or(f.founded_on) else {
                return no_data("未记录换届选举时间和成立时间");
            };
            let Some(term_end) = term_ends_on(start, years) else {
                return no_data("任期日期无效");
            };
            // An approved postponement moves the end (never earlier).
            let ends = f.postponed_until.map_or(term_end, |p| p.max(term_end));
            let postponed = if ends > term_end {
                "（经批准延期）"
            } else {
                ""
            };
            if ends >= f.as_of {
                let which = if first_term { "首届" } else { "本届" };
                scored(
                    100.0,
                    format!("{which}任期{years}年，至{}届满{postponed}", ymd(ends)),
                )
            } else if first_term {
                // No election on record and the first term counted from founding is
                // over: the elections may well have been held, just not recorded.
                no_data(format!(
                    "未记录换届选举时间（自成立之日{}起计算的首届任期已于{}届满）",
                    ymd(start),
                    ymd(ends)
                ))
            } else {
                scored(
                    0.0,
                    format!(
                        "任期{years}年，已于{}届满，逾期{}天未换届",
                        ymd(ends),
                        (f.as_of - ends).num_days()
                    ),
                )
            }
        }
        DerivedIndicator::RecruitedRecently => {
            let years = rules.weak_signals.village_no_recruit_years;
            match f.recruitment {
                Recruitment::NotApplicable => not_applicable("只评村党组织"),
                Recruitment::Unknown => no_data("入党日期汇总尚未计算（请运行 jiceng refresh）"),
                Recruitment::NoMembers => no_data("党员名册尚无记录"),
                Recruitment::LastJoined(None) => scored(0.0, "没有党员入党记录".into()),
                Recruitment::LastJoined(Some(d)) => {
                    if recruited_within(d, f.as_of, years) {
                        scored(
                            100.0,
                            format!("近{years}年发展了党员（最近入党日期{}）", ymd(d)),
                        )
                    } else {
                        scored(
                            0.0,
                            format!("近{years}年未发展党员（最近入党日期{}）", ymd(d)),
                        )
                    }
                }
            }
        }
        DerivedIndicator::Funding => {
            let Some(standard) = f
                .funding
                .operating_standard(set.standards.operating_funding_yuan)
            else {
                return not_applicable("本指标体系未设运转经费标准");
            };
            if f.under_village_top {
                return not_applicable("村党组织的经费按村统计");
            }
            match f.funding.operating_yuan {
                None => no_data(format!("未录入{}年度运转经费", f.year)),
                Some(v) if standard <= 0.0 => scored(100.0, format!("运转经费{}", yuan(v))),
                Some(v) => scored(
                    v * 100.0 / standard,
                    format!("{}年度运转经费{}，标准{}", f.year, yuan(v), yuan(standard)),
                ),
            }
        }
        DerivedIndicator::TrainingHours => training(f),
        DerivedIndicator::Satisfaction => match &f.satisfaction {
            None => no_data("尚未开展群众满意度测评"),
            Some(s) => match s.rate() {
                None => no_data(s.describe()),
                Some(rate) => scored(rate * 100.0, s.describe()),
            },
        },
        DerivedIndicator::TaskCompletion => tasks(f, &rules.duty),
    }
}

/// 重点任务完成: the share of the tasks that reached the org with a deadline in the year that
/// were done by their deadline, among those judged on the day (done, or past their
/// deadline), averaged with the points of the secretary's 述职评议考核 grade of the year
/// when one was heard; each problem named in the year's duty records (述职评议、述职述廉、
/// 离任审计) still open past its deadline takes the rule set's points. A task not yet due
/// is not judged; an org with nothing judged is 暂无数据, never 0 or 100.
fn tasks(f: &OrgYearFacts, duty: &crate::duty::DutyRules) -> Outcome {
    let mut parts: Vec<f64> = Vec::new();
    let mut evidence: Vec<String> = Vec::new();
    if let Some(t) = f.tasks.filter(|t| t.due() > 0) {
        let pending = if t.not_due > 0 {
            format!("；另有{}项未到期，未计入", t.not_due)
        } else {
            String::new()
        };
        parts.push(t.on_time as f64 * 100.0 / t.due() as f64);
        evidence.push(format!(
            "到期的上级部署任务{}项：按时完成{}项，逾期完成{}项，逾期未完成{}项{pending}",
            t.due(),
            t.on_time,
            t.late,
            t.overdue
        ));
    }
    if let Some(g) = f.duty.and_then(|d| d.grade) {
        parts.push(duty.points_of(g));
        evidence.push(format!("{}年度书记述职评议{}", f.year, g.label()));
    }
    if parts.is_empty() {
        return match f.tasks {
            Some(t) if t.not_due > 0 => no_data(format!(
                "{}年度上级部署的{}项任务尚未到期",
                f.year, t.not_due
            )),
            _ => no_data("没有到期的上级部署任务"),
        };
    }
    let mut score = parts.iter().sum::<f64>() / parts.len() as f64;
    if let Some(d) = f.duty.filter(|d| d.overdue > 0) {
        let off = d.overdue as f64 * duty.overdue_problem_points;
        score = (score - off).max(0.0);
        evidence.push(format!(
            "述职评议等指出的问题{}个逾期未整改，扣{}分",
            d.overdue, off
        ));
    }
    scored(score, evidence.join("；"))
}

/// The share of the subtree's members whose hours of the year are done (SPEC R: 32 学时,
/// 56 for secretaries and committee members). A year not over is not judged (the hours
/// are still being done), and a subtree with no hours recorded is 暂无数据, never 0.
fn training(f: &OrgYearFacts) -> Outcome {
    let Some(t) = f.training.filter(|t| t.recorded()) else {
        return no_data("尚未记录党员教育培训学时");
    };
    let Some(share) = t.judged_share(f.year, f.as_of.succ_opt().unwrap_or(f.as_of)) else {
        return no_data(format!(
            "{}年度尚未结束，学时在累计中（{}名党员中{}人已达标）",
            f.year, t.members, t.met
        ));
    };
    let leading = if t.leading > 0 {
        format!("；书记和委员{}人中{}人不足", t.leading, t.leading_short)
    } else {
        String::new()
    };
    scored(
        share * 100.0,
        format!(
            "{}年度{}名党员中{}人学时达标{leading}",
            f.year, t.members, t.met
        ),
    )
}

/// Rates one org for one year by `set` (pure).
pub fn rate(facts: &OrgYearFacts, set: &IndicatorSet, book: &RuleBook) -> Rating {
    let mut indicators = Vec::with_capacity(set.indicators.len());
    let (mut w_applicable, mut w_scored, mut sum) = (0.0, 0.0, 0.0);
    for ind in &set.indicators {
        let (state, score, evidence) = match ind.kind {
            IndicatorKind::Derived(d) => derived(d, facts, set, book),
            IndicatorKind::Manual => match facts.manual_scores.get(&ind.code) {
                Some(s) if s.is_finite() => {
                    scored(*s, format!("人工评分{:.1}", s.clamp(0.0, 100.0)))
                }
                _ => no_data("尚未人工评分"),
            },
        };
        match state {
            ScoreState::Scored => {
                w_applicable += ind.weight;
                w_scored += ind.weight;
                sum += ind.weight * score.unwrap_or(0.0);
            }
            ScoreState::NoData => w_applicable += ind.weight,
            ScoreState::NotApplicable => {}
        }
        indicators.push(IndicatorScore {
            code: ind.code.clone(),
            name: ind.name.clone(),
            weight: ind.weight,
            state,
            score,
            evidence,
        });
    }
    let score = (w_scored > 0.0).then(|| round1(sum / w_scored));
    let share = if w_applicable > 0.0 {
        (w_scored / w_applicable * 10_000.0).round() / 10_000.0
    } else {
        0.0
    };
    let stars = match score {
        Some(s) if share >= set.min_weight_with_data => {
            let n = set.stars.iter().filter(|t| s >= **t).count();
            Some(n.max(1) as u8)
        }
        _ => None,
    };
    // A confirmed weakness caps the stars where the set says so.
    let cap = set
        .confirmed_weak_max_stars
        .filter(|_| facts.confirmed_weak);
    let capped = matches!((stars, cap), (Some(n), Some(c)) if n > c);
    let stars = match (stars, cap) {
        (Some(n), Some(c)) => Some(n.min(c)),
        (n, _) => n,
    };
    let evidence = match (score, stars) {
        (None, _) => "暂无数据：没有可评分的指标，未评定星级".to_string(),
        (Some(s), None) => format!(
            "得分{s:.1}，但有数据的指标权重仅占{:.0}%（不足{:.0}%），未评定星级",
            share * 100.0,
            set.min_weight_with_data * 100.0
        ),
        (Some(s), Some(n)) if capped => format!(
            "得分{s:.1}（有数据的指标权重占{:.0}%），已确定为软弱涣散党组织，按指标体系规定星级不高于{n}星",
            share * 100.0
        ),
        (Some(s), Some(n)) => format!(
            "得分{s:.1}（有数据的指标权重占{:.0}%），评为{n}星",
            share * 100.0
        ),
    };
    Rating {
        set_id: set.id.clone(),
        set_version: set.version,
        stars,
        score,
        weight_with_data: share,
        indicators,
        evidence,
    }
}
