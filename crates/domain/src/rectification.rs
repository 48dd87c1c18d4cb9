//! Rectification of a weak org (整顿, SPEC C5): a state machine from diagnosis to 验收销号
//! and the review a year later (回头看), with measures (owners, deadlines), assistance
//! (a leading cadre who 包联 the org and departments by weakness kind through a
//! configurable mapping) and progress reports with evidence. Pure: the store keeps the
//! case, the app applies steps and records each in the case's timeline.
//!
//! ```text
//! Diagnosed ─plan→ Planned ─assign→ AssistanceAssigned ─progress→ InProgress ─accept→ Accepted ─review→ Reviewed
//!                                          │                         │  ↑
//!                                          └────────extend──────→ Extended (─progress→ InProgress, ─accept→)
//! ```

use std::collections::BTreeMap;

use chrono::Months;
use serde::{Deserialize, Serialize};

use crate::weakness::WeaknessKind;
use crate::Date;

/// Where a case stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub enum Stage {
    /// Weaknesses confirmed; no plan yet.
    Diagnosed,
    /// A plan with measures, owners and deadlines.
    Planned,
    /// A leading cadre and departments assigned (帮扶).
    AssistanceAssigned,
    /// Progress reported.
    InProgress,
    /// The deadline extended, with a reason.
    Extended,
    /// Accepted and closed (验收销号).
    Accepted,
    /// Reviewed a year after acceptance (回头看).
    Reviewed,
}

impl Stage {
    pub const ALL: [Stage; 7] = [
        Stage::Diagnosed,
        Stage::Planned,
        Stage::AssistanceAssigned,
        Stage::InProgress,
        Stage::Extended,
        Stage::Accepted,
        Stage::Reviewed,
    ];

    pub fn code(self) -> &'static str {
        match self {
            Stage::Diagnosed => "Diagnosed",
            Stage::Planned => "Planned",
            Stage::AssistanceAssigned => "AssistanceAssigned",
            Stage::InProgress => "InProgress",
            Stage::Extended => "Extended",
            Stage::Accepted => "Accepted",
            Stage::Reviewed => "Reviewed",
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            Stage::Diagnosed => "已确定，待制定整改方案",
            Stage::Planned => "已制定整改方案",
            Stage::AssistanceAssigned => "已落实帮扶",
            Stage::InProgress => "整改中",
            Stage::Extended => "延期整改",
            Stage::Accepted => "已验收销号",
            Stage::Reviewed => "已回头看",
        }
    }

    pub fn from_code(s: &str) -> Option<Stage> {
        Stage::ALL.into_iter().find(|x| x.code() == s)
    }

    /// Not yet accepted: measures can still be overdue and the case can stall.
    pub fn is_open(self) -> bool {
        !matches!(self, Stage::Accepted | Stage::Reviewed)
    }
}

/// The outcome of the review a year later.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum ReviewOutcome {
    /// 巩固: the results held.
    Consolidated,
    /// 反弹: the weakness came back (diagnose it again in the new year).
    Relapsed,
}

impl ReviewOutcome {
    pub fn code(self) -> &'static str {
        match self {
            ReviewOutcome::Consolidated => "Consolidated",
            ReviewOutcome::Relapsed => "Relapsed",
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            ReviewOutcome::Consolidated => "整顿成果巩固",
            ReviewOutcome::Relapsed => "出现反弹",
        }
    }

    pub fn parse(s: &str) -> Option<ReviewOutcome> {
        match s.trim() {
            "Consolidated" | "consolidated" | "巩固" | "整顿成果巩固" => {
                Some(ReviewOutcome::Consolidated)
            }
            "Relapsed" | "relapsed" | "反弹" | "出现反弹" => Some(ReviewOutcome::Relapsed),
            _ => None,
        }
    }
}

/// A measure of the plan (整改措施).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Measure {
    /// 1, 2, … in the order added.
    pub seq: i64,
    pub text: String,
    /// Who is responsible (责任人 or 责任单位).
    pub owner: String,
    pub deadline: Date,
    pub done_on: Option<Date>,
    pub note: Option<String>,
}

impl Measure {
    /// Not done and past its deadline on `today`.
    pub fn overdue(&self, today: Date) -> bool {
        self.done_on.is_none() && self.deadline < today
    }
}

/// A measure to add.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct NewMeasure {
    pub text: String,
    pub owner: String,
    pub deadline: Date,
}

/// A rectification case of one org and year.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Case {
    pub stage: Stage,
    /// The confirmed weaknesses it addresses.
    pub kinds: Vec<WeaknessKind>,
    pub opened_on: Date,
    pub measures: Vec<Measure>,
    /// The leading cadre who 包联 the org.
    pub cadre: Option<String>,
    /// The departments assisting.
    pub departments: Vec<String>,
    pub extended_to: Option<Date>,
    pub extension_reason: Option<String>,
    pub accepted_on: Option<Date>,
    pub acceptance_note: Option<String>,
    pub reviewed_on: Option<Date>,
    pub review_outcome: Option<ReviewOutcome>,
    pub review_note: Option<String>,
    /// The day of the last step (stalled cases are measured from it).
    pub last_activity_on: Date,
}

/// One step of the workflow.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub enum Step {
    /// Add measures (the first plan moves Diagnosed → Planned; later ones add to it).
    Plan { measures: Vec<NewMeasure> },
    /// Assign (or reassign) the leading cadre and the departments.
    Assign {
        cadre: String,
        departments: Vec<String>,
    },
    /// A progress report with its evidence.
    Progress { text: String, evidence: String },
    /// A measure carried out.
    CompleteMeasure {
        seq: i64,
        done_on: Date,
        note: Option<String>,
    },
    /// More time, with a reason.
    Extend { reason: String, until: Date },
    /// Accepted and closed (验收销号): every measure done.
    Accept { note: String },
    /// The review a year after acceptance (回头看).
    Review {
        outcome: ReviewOutcome,
        note: String,
    },
}

impl Step {
    pub fn code(&self) -> &'static str {
        match self {
            Step::Plan { .. } => "plan",
            Step::Assign { .. } => "assign",
            Step::Progress { .. } => "progress",
            Step::CompleteMeasure { .. } => "complete_measure",
            Step::Extend { .. } => "extend",
            Step::Accept { .. } => "accept",
            Step::Review { .. } => "review",
        }
    }

    pub fn label(&self) -> &'static str {
        match self {
            Step::Plan { .. } => "制定整改方案",
            Step::Assign { .. } => "落实帮扶",
            Step::Progress { .. } => "报告整改进展",
            Step::CompleteMeasure { .. } => "完成整改措施",
            Step::Extend { .. } => "延期整改",
            Step::Accept { .. } => "验收销号",
            Step::Review { .. } => "回头看",
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum RectificationError {
    #[error("当前状态为“{}”，不能{}", from.label(), step)]
    InvalidTransition { from: Stage, step: &'static str },
    #[error("{0}")]
    Invalid(String),
}

/// What a step changed, for the timeline.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Change {
    pub from: Stage,
    pub to: Stage,
    /// One line in Chinese.
    pub summary: String,
}

fn ymd(d: Date) -> String {
    d.format("%Y-%m-%d").to_string()
}

fn need(s: &str, what: &str) -> Result<String, RectificationError> {
    let t = s.trim();
    if t.is_empty() {
        Err(RectificationError::Invalid(format!("请填写{what}")))
    } else {
        Ok(t.to_string())
    }
}

/// How long after acceptance the review falls due.
pub const REVIEW_AFTER_MONTHS: u32 = 12;

impl Case {
    /// A case opened on `day` for confirmed weaknesses.
    pub fn open(kinds: Vec<WeaknessKind>, day: Date) -> Case {
        Case {
            stage: Stage::Diagnosed,
            kinds,
            opened_on: day,
            measures: vec![],
            cadre: None,
            departments: vec![],
            extended_to: None,
            extension_reason: None,
            accepted_on: None,
            acceptance_note: None,
            reviewed_on: None,
            review_outcome: None,
            review_note: None,
            last_activity_on: day,
        }
    }

    /// The day the case is due: the latest measure's deadline, or the extension.
    pub fn deadline(&self) -> Option<Date> {
        let m = self.measures.iter().map(|m| m.deadline).max();
        match (m, self.extended_to) {
            (Some(a), Some(b)) => Some(a.max(b)),
            (a, b) => a.or(b),
        }
    }

    /// The measures overdue on `today` (none once the case is accepted).
    pub fn overdue(&self, today: Date) -> Vec<&Measure> {
        if !self.stage.is_open() {
            return vec![];
        }
        self.measures.iter().filter(|m| m.overdue(today)).collect()
    }

    /// Open, and no step for more than `days` days.
    pub fn stalled(&self, today: Date, days: i64) -> bool {
        self.stage.is_open() && (today - self.last_activity_on).num_days() > days
    }

    /// The day the review falls due (a year after acceptance).
    pub fn review_due_on(&self) -> Option<Date> {
        self.accepted_on
            .and_then(|a| a.checked_add_months(Months::new(REVIEW_AFTER_MONTHS)))
    }

    /// Applies a step on `today`: checks it is allowed from the current stage and valid,
    /// then changes the case. On error the case is unchanged.
    pub fn apply(&mut self, step: Step, today: Date) -> Result<Change, RectificationError> {
        use Stage::*;
        let from = self.stage;
        let bad = || RectificationError::InvalidTransition {
            from,
            step: step.label(),
        };
        let (to, summary) = match &step {
            Step::Plan { measures } => {
                if !matches!(
                    from,
                    Diagnosed | Planned | AssistanceAssigned | InProgress | Extended
                ) {
                    return Err(bad());
                }
                if measures.is_empty() {
                    return Err(RectificationError::Invalid(
                        "整改方案至少要有一项措施".into(),
                    ));
                }
                let mut added = Vec::new();
                for m in measures {
                    let text = need(&m.text, "整改措施")?;
                    let owner = need(&m.owner, "责任人")?;
                    if m.deadline < today {
                        return Err(RectificationError::Invalid(format!(
                            "措施“{text}”的完成时限{}早于今天",
                            ymd(m.deadline)
                        )));
                    }
                    added.push((text, owner, m.deadline));
                }
                let mut seq = self.measures.iter().map(|m| m.seq).max().unwrap_or(0);
                let mut lines = Vec::new();
                for (text, owner, deadline) in added {
                    seq += 1;
                    lines.push(format!("{seq}. {text}（{owner}，{}前）", ymd(deadline)));
                    self.measures.push(Measure {
                        seq,
                        text,
                        owner,
                        deadline,
                        done_on: None,
                        note: None,
                    });
                }
                let to = if from == Diagnosed { Planned } else { from };
                (to, format!("整改措施：{}", lines.join("；")))
            }
            Step::Assign { cadre, departments } => {
                if !matches!(from, Planned | AssistanceAssigned | InProgress | Extended) {
                    return Err(bad());
                }
                let cadre = need(cadre, "包联领导干部")?;
                let mut deps: Vec<String> = Vec::new();
                for d in departments {
                    let d = d.trim().to_string();
                    if !d.is_empty() && !deps.contains(&d) {
                        deps.push(d);
                    }
                }
                if deps.is_empty() {
                    return Err(RectificationError::Invalid("请指定帮扶部门".into()));
                }
                let summary = format!("包联领导干部：{cadre}；帮扶部门：{}", deps.join("、"));
                self.cadre = Some(cadre);
                self.departments = deps;
                let to = if from == Planned {
                    AssistanceAssigned
                } else {
                    from
                };
                (to, summary)
            }
            Step::Progress { text, evidence } => {
                if !matches!(from, AssistanceAssigned | InProgress | Extended) {
                    return Err(bad());
                }
                let text = need(text, "整改进展")?;
                let evidence = need(evidence, "佐证材料")?;
                (InProgress, format!("{text}（佐证：{evidence}）"))
            }
            Step::CompleteMeasure { seq, done_on, note } => {
                if !matches!(from, Planned | AssistanceAssigned | InProgress | Extended) {
                    return Err(bad());
                }
                if *done_on > today {
                    return Err(RectificationError::Invalid("完成日期不能晚于今天".into()));
                }
                let m = self
                    .measures
                    .iter_mut()
                    .find(|m| m.seq == *seq)
                    .ok_or_else(|| RectificationError::Invalid(format!("没有第{seq}项措施")))?;
                if m.done_on.is_some() {
                    return Err(RectificationError::Invalid(format!("第{seq}项措施已完成")));
                }
                m.done_on = Some(*done_on);
                m.note = note
                    .as_ref()
                    .map(|n| n.trim().to_string())
                    .filter(|n| !n.is_empty());
                let late = if *done_on > m.deadline {
                    format!("，逾期{}天", (*done_on - m.deadline).num_days())
                } else {
                    String::new()
                };
                (
                    from,
                    format!("第{seq}项措施“{}”于{}完成{late}", m.text, ymd(*done_on)),
                )
            }
            Step::Extend { reason, until } => {
                if !matches!(from, AssistanceAssigned | InProgress | Extended) {
                    return Err(bad());
                }
                let reason = need(reason, "延期理由")?;
                if *until <= today {
                    return Err(RectificationError::Invalid("延期后的时限应晚于今天".into()));
                }
                let summary = format!("延期至{}，理由：{reason}", ymd(*until));
                self.extended_to = Some(*until);
                self.extension_reason = Some(reason);
                (Extended, summary)
            }
            Step::Accept { note } => {
                if !matches!(from, InProgress | Extended) {
                    return Err(bad());
                }
                let note = need(note, "验收意见")?;
                let open: Vec<String> = self
                    .measures
                    .iter()
                    .filter(|m| m.done_on.is_none())
                    .map(|m| format!("第{}项", m.seq))
                    .collect();
                if !open.is_empty() {
                    return Err(RectificationError::Invalid(format!(
                        "尚有整改措施未完成（{}），不能验收销号",
                        open.join("、")
                    )));
                }
                self.accepted_on = Some(today);
                self.acceptance_note = Some(note.clone());
                (Accepted, format!("验收销号：{note}"))
            }
            Step::Review { outcome, note } => {
                if from != Accepted {
                    return Err(bad());
                }
                let note = need(note, "回头看情况")?;
                let due = self.review_due_on().ok_or_else(bad)?;
                if today < due {
                    return Err(RectificationError::Invalid(format!(
                        "回头看应在验收销号一年后进行（{}起）",
                        ymd(due)
                    )));
                }
                self.reviewed_on = Some(today);
                self.review_outcome = Some(*outcome);
                self.review_note = Some(note.clone());
                (Reviewed, format!("回头看：{}。{note}", outcome.label()))
            }
        };
        self.stage = to;
        self.last_activity_on = today;
        Ok(Change { from, to, summary })
    }
}

/// Which departments assist an org by the kind of its weakness (configurable; the
/// shipped default is `rules/assistance-default.json`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AssistanceMapping {
    pub source: String,
    pub departments: BTreeMap<WeaknessKind, Vec<String>>,
}

pub const SHIPPED_ASSISTANCE: &str = include_str!("../rules/assistance-default.json");

impl AssistanceMapping {
    pub fn shipped() -> AssistanceMapping {
        serde_json::from_str(SHIPPED_ASSISTANCE)
            .unwrap_or_else(|e| panic!("rules/assistance-default.json is malformed: {e}"))
    }

    /// The departments for these kinds, each once, in the order of the kinds.
    pub fn for_kinds(&self, kinds: &[WeaknessKind]) -> Vec<String> {
        let mut out: Vec<String> = Vec::new();
        for k in kinds {
            for d in self.departments.get(k).into_iter().flatten() {
                if !out.contains(d) {
                    out.push(d.clone());
                }
            }
        }
        out
    }

    /// Problems in Chinese (every kind needs at least one department).
    pub fn problems(&self) -> Vec<String> {
        WeaknessKind::ALL
            .iter()
            .filter(|k| {
                self.departments
                    .get(k)
                    .is_none_or(|v| v.iter().all(|d| d.trim().is_empty()))
            })
            .map(|k| format!("“{}”未指定帮扶部门", k.label()))
            .collect()
    }
}

#[cfg(test)]
mod tests;
