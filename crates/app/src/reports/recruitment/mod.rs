//! The recruitment report (发展党员工作, SPEC C3) of a subtree and a year: how many people
//! are at each stage, each open person's next due step, every violation of a time rule,
//! and the plan's fulfilment.
//!
//! - `stored`: the current year, from the columns each applicant's row stores (what
//!   `recruitment::derived` judged when the person's steps were last written) — a
//!   province's report reads what it lists, not the province.
//! - `live`: a past year, each person of the subtree judged by `recruitment::progress`
//!   on the year's last day from their recorded steps, a chunk of people at a time.

use std::collections::{BTreeMap, HashMap};

use chrono::NaiveDate;
use jiceng_domain::recruitment::{Due, RecruitStage, StepKind, StepRecord, Violation};
use jiceng_store::recruitment::StoredStep;
use jiceng_store::Conn;
use serde::Serialize;

use super::OrgRef;
use crate::access::InScope;
use crate::recruitment::plan::{self, Admission, Fulfilment};
use crate::{App, OrgRecord, Result};

mod live;
mod sheets;
mod stored;

/// People judged per read of their steps.
const CHUNK: usize = 1_000;

#[derive(Debug, Clone, Serialize)]
pub struct RecruitmentReport {
    pub org: OrgRef,
    pub year: i32,
    pub by_stage: ByStage,
    pub due: Vec<DueRow>,
    pub violations: Vec<ViolationRow>,
    pub plan: PlanRow,
    /// The day judged: today, or the year's last day for a past year.
    #[serde(skip)]
    pub as_of: NaiveDate,
    /// The plan's fulfilment at the root and each child (the workbook's 计划完成).
    #[serde(skip)]
    pub levels: Vec<Fulfilment>,
}

/// People on the way at each stage (withdrawn and cancelled not counted).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct ByStage {
    pub applicant: i64,
    pub activist: i64,
    pub candidate: i64,
    pub probationary: i64,
    pub confirmed: i64,
}

impl ByStage {
    fn add(&mut self, s: RecruitStage, n: i64) {
        *match s {
            RecruitStage::Applicant => &mut self.applicant,
            RecruitStage::Activist => &mut self.activist,
            RecruitStage::Candidate => &mut self.candidate,
            RecruitStage::Probationary => &mut self.probationary,
            RecruitStage::Full => &mut self.confirmed,
        } += n;
    }

    /// (label, count) in stage order.
    pub fn rows(&self) -> [(&'static str, i64); 5] {
        [
            (RecruitStage::Applicant.label(), self.applicant),
            (RecruitStage::Activist.label(), self.activist),
            (RecruitStage::Candidate.label(), self.candidate),
            (RecruitStage::Probationary.label(), self.probationary),
            (RecruitStage::Full.label(), self.confirmed),
        ]
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct PersonRef {
    pub name: String,
    pub id_masked: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct DueRow {
    pub person: PersonRef,
    pub org: OrgRef,
    pub step: i64,
    pub step_name: String,
    pub deadline: Option<NaiveDate>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ViolationRow {
    pub person: PersonRef,
    pub org: OrgRef,
    pub step: i64,
    /// The rule's field in the rule set (`talk_within_months`, …).
    pub rule: &'static str,
    pub detail: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct PlanTarget {
    pub target: Option<i64>,
    pub actual: i64,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct PlanRow {
    /// The org's own plan for the year (`null`: none set).
    pub target: Option<i64>,
    /// People of the subtree approved (⑰) in the year.
    pub admitted: i64,
    pub structure: BTreeMap<&'static str, PlanTarget>,
}

impl PlanRow {
    fn of(f: &Fulfilment) -> PlanRow {
        PlanRow {
            target: f.target,
            admitted: f.admitted,
            structure: f
                .structure
                .iter()
                .map(|(k, t)| {
                    (
                        *k,
                        PlanTarget {
                            target: t.target,
                            actual: t.actual,
                        },
                    )
                })
                .collect(),
        }
    }
}

/// The day a year is judged on: today, or its last day when it is over.
pub fn day_of(today: NaiveDate, year: i32) -> NaiveDate {
    match NaiveDate::from_ymd_opt(year, 12, 31) {
        Some(end) if end < today => end,
        _ => today,
    }
}

/// The report for the subtree of `org` (resolved in the actor's scope) and `year`.
///
/// The current year (and a later one) is answered from the stored columns each
/// applicant's row carries (`stored`): the stage counts, the due list and the admissions
/// are read, and only the people the stored judgement found violations for are judged
/// again from their steps — the work follows what is listed, not the subtree's size. A
/// past year is judged "as of" its last day (`run_live`), since the stored columns are
/// the judgement of today: every person of the subtree and all their steps are read.
pub async fn run(app: &App, org: &InScope<OrgRecord>, year: i32) -> Result<RecruitmentReport> {
    let today = app.today();
    if day_of(today, year) < today {
        live::run_live(app, org, year).await
    } else {
        stored::run_stored(app, org, year).await
    }
}

pub use live::run_live;

/// The row of a person's next due step.
fn due_row(person: PersonRef, org: OrgRef, next: &Due) -> DueRow {
    DueRow {
        person,
        org,
        step: next.step.number(),
        step_name: next.step.label().to_string(),
        deadline: next.deadline,
    }
}

/// The rows of a person's violations, in the judgement's order.
fn violation_rows<'a>(
    person: &'a PersonRef,
    org: &'a OrgRef,
    found: &'a [Violation],
) -> impl Iterator<Item = ViolationRow> + 'a {
    found.iter().map(|v| ViolationRow {
        person: person.clone(),
        org: org.clone(),
        step: v.step.number(),
        rule: v.rule,
        detail: v.detail.clone(),
    })
}

/// Person `id`'s step records, taken out of a chunk's steps (`recruitment::ways`).
fn records_of(steps: &mut HashMap<i64, Vec<(StoredStep, StepRecord)>>, id: i64) -> Vec<StepRecord> {
    steps
        .remove(&id)
        .unwrap_or_default()
        .into_iter()
        .map(|(_, r)| r)
        .collect()
}

/// What a report adds up, however it was found.
#[derive(Default)]
struct Tally {
    by_stage: ByStage,
    /// (applicant id, row): the id orders people alike in all but the id.
    due: Vec<(i64, DueRow)>,
    violations: Vec<ViolationRow>,
    admissions: Vec<Admission>,
}

impl Tally {
    /// The report: the due list deadlines first (then org code, name), the plan's
    /// fulfilment at `org` and its children from the admissions.
    async fn report(
        mut self,
        conn: &mut Conn,
        org: &InScope<OrgRecord>,
        year: i32,
        as_of: NaiveDate,
    ) -> Result<RecruitmentReport> {
        let kids = jiceng_store::orgs::children(conn, &org.subtree(), org.org.id).await?;
        let people = &self.admissions;
        let overview = plan::levels(conn, org, &kids, year, |o| {
            plan::counts_under(people, &o.path)
        })
        .await?;
        self.due.sort_by(|(i, a), (j, b)| {
            let key = |d: &DueRow| (d.deadline.is_none(), d.deadline);
            (key(a), &a.org.code, &a.person.name, i).cmp(&(key(b), &b.org.code, &b.person.name, j))
        });
        let mut levels = vec![overview.root.clone()];
        levels.extend(overview.children);
        Ok(RecruitmentReport {
            org: org.org_ref(),
            year,
            by_stage: self.by_stage,
            due: self.due.into_iter().map(|(_, d)| d).collect(),
            violations: self.violations,
            plan: PlanRow::of(&overview.root),
            as_of,
            levels,
        })
    }
}

/// A time rule's name in Chinese (the rule set's field as the JSON gives it).
pub fn rule_label(rule: &str) -> &'static str {
    match rule {
        "min_age" => "入党年龄",
        "talk_within_months" => "谈话时限",
        "activist_min_years_before_candidate" => "积极分子培养期",
        "activist_assessment_every_months" => "积极分子考察间隔",
        "sponsors" => "入党介绍人",
        "candidate_training_min_hours" => "集中培训时长",
        "vote_majority" => "赞成票过半数",
        "vote_quorum_share" => "到会人数过半数",
        "secret_ballot" => "无记名投票",
        "notice_min_working_days" => "公示期",
        "failed_vote_wait_months" => "再次讨论间隔",
        "probation_years" => "预备期",
        "approval_within_months" => "审批时限",
        "approval_max_months" => "审批最长时限",
        "probation_extension_max_years" => "延长预备期",
        "confirmation_within_months" => "转正审批时限",
        _ => "时限规定",
    }
}

/// A step's number and name, as the sheets write it ("⑮ 支部大会讨论接收预备党员").
pub(crate) fn step_title(n: i64) -> String {
    StepKind::from_number(n).map_or_else(|| n.to_string(), |k| k.title())
}
