//! The recruitment report (发展党员工作, SPEC C3) of a subtree and a year: how many people
//! are at each stage, each open person's next due step, every violation of a time rule,
//! and the plan's fulfilment. Each person is judged by `recruitment::progress` on the
//! report's day (today, or the year's last day for a past year) from their recorded steps,
//! read a chunk of people at a time.

use std::collections::{BTreeMap, HashMap};

use chrono::{Datelike, NaiveDate};
use jiceng_domain::recruitment::{RecruitStage, StepKind, StepRecord};
use jiceng_domain::Domain;
use jiceng_store::orgs as org_store;
use jiceng_store::recruitment::{self as store, StoredApplicant};
use serde::Serialize;

use super::OrgRef;
use crate::access::InScope;
use crate::recruitment::plan::{self, Admission, Fulfilment};
use crate::recruitment::{progress, ways};
use crate::{App, OrgRecord, Result};

mod sheets;

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
    fn add(&mut self, s: RecruitStage) {
        *match s {
            RecruitStage::Applicant => &mut self.applicant,
            RecruitStage::Activist => &mut self.activist,
            RecruitStage::Candidate => &mut self.candidate,
            RecruitStage::Probationary => &mut self.probationary,
            RecruitStage::Full => &mut self.confirmed,
        } += 1;
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

/// What the judgement of the people adds up to.
#[derive(Default)]
struct Tally {
    by_stage: ByStage,
    due: Vec<DueRow>,
    violations: Vec<ViolationRow>,
    admissions: Vec<Admission>,
}

/// The org of each person: its code and name, and its domain (for the plan).
type Orgs = HashMap<i64, (OrgRef, Option<Domain>)>;

impl Tally {
    fn judge(
        &mut self,
        app: &App,
        a: &StoredApplicant,
        steps: &[StepRecord],
        ctx: (&Orgs, NaiveDate, i32),
    ) {
        let (orgs, day, year) = ctx;
        let p = progress(app, a, steps, day);
        if p.last.is_none() {
            return; // applied after the day
        }
        let (org, domain) = orgs.get(&a.org_id).cloned().unwrap_or_else(|| {
            (
                OrgRef {
                    code: String::new(),
                    name: String::new(),
                },
                None,
            )
        });
        let person = PersonRef {
            name: a.name.clone(),
            id_masked: a.id_masked.clone(),
        };
        if let Some(on) = p.admitted_on.filter(|d| d.year() == year) {
            self.admissions.push(plan::admission(a, on, domain));
        }
        for v in &p.violations {
            self.violations.push(ViolationRow {
                person: person.clone(),
                org: org.clone(),
                step: v.step.number(),
                rule: v.rule,
                detail: v.detail.clone(),
            });
        }
        if p.closed.is_some() {
            return;
        }
        self.by_stage.add(p.stage);
        if let Some(next) = &p.next {
            self.due.push(DueRow {
                person,
                org,
                step: next.step.number(),
                step_name: next.step.label().to_string(),
                deadline: next.deadline,
            });
        }
    }
}

/// The report for the subtree of `org` (resolved in the actor's scope) and `year`.
pub async fn run(app: &App, org: &InScope<OrgRecord>, year: i32) -> Result<RecruitmentReport> {
    let day = day_of(app.today(), year);
    let mut conn = app.store.acquire().await?;
    let people = store::in_scope(&mut conn, &org.subtree()).await?;
    let mut ids: Vec<i64> = people.iter().map(|a| a.org_id).collect();
    ids.sort_unstable();
    ids.dedup();
    let orgs: Orgs = org_store::by_ids(&mut conn, &ids)
        .await?
        .into_iter()
        .map(|o| (o.org.id, (OrgRef::of(&o.org), o.org.domain)))
        .collect();
    let mut tally = Tally::default();
    for chunk in people.chunks(CHUNK) {
        let ids: Vec<i64> = chunk.iter().map(|a| a.id).collect();
        let mut steps = ways(&mut conn, &ids).await?;
        for a in chunk {
            let records: Vec<StepRecord> = steps
                .remove(&a.id)
                .unwrap_or_default()
                .into_iter()
                .map(|(_, r)| r)
                .collect();
            tally.judge(app, a, &records, (&orgs, day, year));
        }
    }
    let overview = plan::levels(&mut conn, org, year, &tally.admissions).await?;
    drop(conn);
    tally.due.sort_by(|a, b| {
        (
            a.deadline.is_none(),
            a.deadline,
            &a.org.code,
            &a.person.name,
        )
            .cmp(&(
                b.deadline.is_none(),
                b.deadline,
                &b.org.code,
                &b.person.name,
            ))
    });
    let mut levels = vec![overview.root.clone()];
    levels.extend(overview.children);
    Ok(RecruitmentReport {
        org: org.org_ref(),
        year,
        by_stage: tally.by_stage,
        due: tally.due,
        violations: tally.violations,
        plan: PlanRow::of(&overview.root),
        as_of: day,
        levels,
    })
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
