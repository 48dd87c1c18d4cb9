//! Rectification of weak orgs (整顿, SPEC C5) as use cases: each step of the workflow
//! (`jiceng_domain::rectification`) applied to the org's case for the year, stored with a
//! timeline entry and the audit entry in one transaction; the case as pages show it; and
//! the overdue measures and stalled cases of a subtree (the department's and the
//! inspectors' pages).
//!
//! Who may do what is the permission table's (`access::PERMISSIONS`): plans and
//! assistance take a `Grant<PlanRectification>`; progress and completed measures a
//! `Grant<ReportProgress>`; extension, acceptance (验收销号) and the review a year later
//! a `Grant<AcceptRectification>`.

use std::collections::HashMap;

use chrono::NaiveDate;
use jiceng_domain::rectification::{
    AssistanceMapping, Case, NewMeasure, ReviewOutcome, Stage, Step,
};
use jiceng_store::orgs as org_store;
use jiceng_store::rectification::{self as rect_store, CaseFilter, Event, StoredCase};
use jiceng_store::Scope;
use serde::Serialize;

use crate::access::{self, Actor, Grant, InScope};
use crate::audit::{self, AuditAction};
use crate::reports::OrgRef;
use crate::{App, AppError, OrgRecord, Result};

mod alerts;

pub use alerts::*;

/// No step for this many days and a case counts as stalled: the shipped rule's value
/// (`weak_signals.stalled_case_days`), kept for callers that need a constant default;
/// judgements read [`stall_days`].
pub const STALL_DAYS: i64 = 60;

/// The stalled-case period in force today (rule data `weak_signals.stalled_case_days`).
pub fn stall_days(app: &App) -> i64 {
    app.rules
        .in_force(app.today())
        .weak_signals
        .stalled_case_days
        .max(1)
}

use crate::input;

/// The assistance mapping in use: the department's, else the shipped default.
pub async fn mapping(app: &App) -> Result<AssistanceMapping> {
    let mut conn = app.store.acquire().await?;
    match rect_store::assistance_mapping(&mut conn).await? {
        Some(json) => {
            serde_json::from_str(&json).map_err(|e| input(format!("帮扶部门对应关系数据无效：{e}")))
        }
        None => Ok(AssistanceMapping::shipped()),
    }
}

/// Replaces the assistance mapping. Needs [`access::SetRules`]; audited.
pub async fn set_mapping(
    app: &App,
    grant: &Grant<access::SetRules>,
    m: &AssistanceMapping,
) -> Result<()> {
    let actor = grant.actor();
    let problems = m.problems();
    if !problems.is_empty() {
        return Err(input(problems.join("；")));
    }
    let json = serde_json::to_string(m).expect("a mapping serializes");
    let before = serde_json::to_value(mapping(app).await?).ok();
    let after = serde_json::to_value(m).ok();
    // Recorded at the actor's org.
    let json_ref = &json;
    audit::Entry::new(
        actor,
        AuditAction::AssistanceMappingSave,
        "帮扶部门对应关系",
    )
    .before(before)
    .after(after)
    .write(app, |mut tx| async move {
        rect_store::set_assistance_mapping(&mut tx, json_ref).await?;
        Ok(tx)
    })
    .await
}

#[derive(Debug, Clone, Serialize)]
pub struct KindRef {
    pub kind: &'static str,
    pub label: &'static str,
}

#[derive(Debug, Clone, Serialize)]
pub struct MeasureView {
    pub seq: i64,
    pub text: String,
    pub owner: String,
    pub deadline: NaiveDate,
    pub done_on: Option<NaiveDate>,
    pub note: Option<String>,
    pub overdue: bool,
}

#[derive(Debug, Clone, Serialize)]
pub struct EventView {
    pub on: NaiveDate,
    pub step: String,
    pub from: &'static str,
    pub to: &'static str,
    pub summary: String,
    pub actor: String,
}

/// A timeline entry's step in Chinese.
pub fn step_label(step: &str) -> &'static str {
    match step {
        "open" => "确定问题、建立台账",
        "add_kind" => "新增问题",
        "remove_kind" => "排除问题",
        "plan" => "制定整改方案",
        "assign" => "落实帮扶",
        "progress" => "报告整改进展",
        "complete_measure" => "完成整改措施",
        "extend" => "延期整改",
        "accept" => "验收销号",
        "review" => "回头看",
        _ => "记录",
    }
}

/// A case as its page shows it, with its timeline.
#[derive(Debug, Clone, Serialize)]
pub struct CaseView {
    pub org: OrgRef,
    pub year: i32,
    pub stage: &'static str,
    pub stage_label: &'static str,
    pub kinds: Vec<KindRef>,
    pub opened_on: NaiveDate,
    pub deadline: Option<NaiveDate>,
    pub cadre: Option<String>,
    pub departments: Vec<String>,
    pub measures: Vec<MeasureView>,
    pub extended_to: Option<NaiveDate>,
    pub extension_reason: Option<String>,
    pub accepted_on: Option<NaiveDate>,
    pub acceptance_note: Option<String>,
    pub review_due_on: Option<NaiveDate>,
    pub reviewed_on: Option<NaiveDate>,
    pub review_outcome: Option<&'static str>,
    pub review_note: Option<String>,
    pub last_activity_on: NaiveDate,
    pub stalled: bool,
    pub timeline: Vec<EventView>,
}

fn view(
    org: &OrgRecord,
    c: &StoredCase,
    events: &[Event],
    today: NaiveDate,
    stall: i64,
) -> CaseView {
    let k = &c.case;
    CaseView {
        org: OrgRef::of(&org.org),
        year: c.year,
        stage: k.stage.code(),
        stage_label: k.stage.label(),
        kinds: k
            .kinds
            .iter()
            .map(|x| KindRef {
                kind: x.code(),
                label: x.label(),
            })
            .collect(),
        opened_on: k.opened_on,
        deadline: k.deadline(),
        cadre: k.cadre.clone(),
        departments: k.departments.clone(),
        measures: k
            .measures
            .iter()
            .map(|m| MeasureView {
                seq: m.seq,
                text: m.text.clone(),
                owner: m.owner.clone(),
                deadline: m.deadline,
                done_on: m.done_on,
                note: m.note.clone(),
                overdue: k.stage.is_open() && m.overdue(today),
            })
            .collect(),
        extended_to: k.extended_to,
        extension_reason: k.extension_reason.clone(),
        accepted_on: k.accepted_on,
        acceptance_note: k.acceptance_note.clone(),
        review_due_on: k.review_due_on(),
        reviewed_on: k.reviewed_on,
        review_outcome: k.review_outcome.map(|o| o.code()),
        review_note: k.review_note.clone(),
        last_activity_on: k.last_activity_on,
        stalled: k.stalled(today, stall),
        timeline: events
            .iter()
            .map(|e| EventView {
                on: e.on,
                step: e.step.clone(),
                from: e.from.code(),
                to: e.to.code(),
                summary: e.summary.clone(),
                actor: e.actor.clone(),
            })
            .collect(),
    }
}

async fn load(app: &App, target: &InScope<OrgRecord>, year: i32) -> Result<StoredCase> {
    let mut conn = app.store.acquire().await?;
    let c = rect_store::get(&mut conn, &target.subtree(), target.org.id, year)
        .await?
        .ok_or_else(|| {
            AppError::NotFound(format!(
                "{}{year}年度的整顿台账（须先确定软弱涣散问题）",
                target.org.name
            ))
        })?;
    Ok(c)
}

/// The case of an org (resolved in the actor's scope) and year, with its timeline.
pub async fn get(app: &App, target: &InScope<OrgRecord>, year: i32) -> Result<CaseView> {
    let c = load(app, target, year).await?;
    let mut conn = app.store.acquire().await?;
    let events = rect_store::events(&mut conn, c.id).await?;
    Ok(view(target, &c, &events, app.today(), stall_days(app)))
}

/// Applies one step to the case of an org and year (the step's function took the grant
/// the module comment names), storing the case, a timeline entry and the audit entry
/// together.
async fn apply(
    app: &App,
    actor: &Actor,
    target: &InScope<OrgRecord>,
    year: i32,
    step: Step,
) -> Result<CaseView> {
    let mut c = load(app, target, year).await?;
    let today = app.today();
    let before = serde_json::json!({ "stage": c.case.stage.code() });
    let code = step.code();
    let change = c
        .case
        .apply(step, today)
        .map_err(|e| input(e.to_string()))?;
    let event_id = app.store.reserve_ids("rectification_event", 1).await?;
    let event = Event {
        id: event_id,
        case_id: c.id,
        org_path: c.org_path.clone(),
        on: today,
        step: code.to_string(),
        from: change.from,
        to: change.to,
        summary: change.summary.clone(),
        actor: actor.username.clone(),
    };
    let after =
        serde_json::json!({ "step": code, "stage": change.to.code(), "summary": change.summary });
    let (c_ref, e_ref) = (&c, &event);
    audit::Entry::new(
        actor,
        AuditAction::RectificationUpdate,
        format!("{} {year}年度整顿：{}", target.org.name, event.summary),
    )
    .org(&**target)
    .before(before)
    .after(after)
    .write(app, |mut tx| async move {
        rect_store::save(&mut tx, c_ref).await?;
        rect_store::add_event(&mut tx, e_ref).await?;
        Ok(tx)
    })
    .await?;
    get(app, target, year).await
}

/// Adds measures to the plan (the first plan moves the case to Planned).
pub async fn plan(
    app: &App,
    grant: &Grant<access::PlanRectification>,
    org: &InScope<OrgRecord>,
    year: i32,
    measures: Vec<NewMeasure>,
) -> Result<CaseView> {
    apply(app, grant.actor(), org, year, Step::Plan { measures }).await
}

/// Assigns the leading cadre who 包联 the org and the departments; with no departments
/// given, those of the mapping for the case's weaknesses.
pub async fn assign(
    app: &App,
    grant: &Grant<access::PlanRectification>,
    org: &InScope<OrgRecord>,
    year: i32,
    cadre: &str,
    departments: Vec<String>,
) -> Result<CaseView> {
    let departments = if departments.iter().all(|d| d.trim().is_empty()) {
        let c = load(app, org, year).await?;
        mapping(app).await?.for_kinds(&c.case.kinds)
    } else {
        departments
    };
    apply(
        app,
        grant.actor(),
        org,
        year,
        Step::Assign {
            cadre: cadre.to_string(),
            departments,
        },
    )
    .await
}

/// A progress report with its evidence.
pub async fn progress(
    app: &App,
    grant: &Grant<access::ReportProgress>,
    org: &InScope<OrgRecord>,
    year: i32,
    text: &str,
    evidence: &str,
) -> Result<CaseView> {
    apply(
        app,
        grant.actor(),
        org,
        year,
        Step::Progress {
            text: text.into(),
            evidence: evidence.into(),
        },
    )
    .await
}

/// Marks measure `seq` done (on `done_on`, default today).
pub async fn complete_measure(
    app: &App,
    grant: &Grant<access::ReportProgress>,
    org: &InScope<OrgRecord>,
    year: i32,
    seq: i64,
    done_on: Option<NaiveDate>,
    note: Option<String>,
) -> Result<CaseView> {
    let done_on = done_on.unwrap_or_else(|| app.today());
    apply(
        app,
        grant.actor(),
        org,
        year,
        Step::CompleteMeasure { seq, done_on, note },
    )
    .await
}

pub async fn extend(
    app: &App,
    grant: &Grant<access::AcceptRectification>,
    org: &InScope<OrgRecord>,
    year: i32,
    reason: &str,
    until: NaiveDate,
) -> Result<CaseView> {
    apply(
        app,
        grant.actor(),
        org,
        year,
        Step::Extend {
            reason: reason.into(),
            until,
        },
    )
    .await
}

/// Accepts and closes the case (验收销号): every measure must be done, and no weakness
/// confirmed for the case may still be found by its signal in the records as they stand
/// (this year's, on today) — unless `override_reason` says why it is accepted all the same,
/// which is recorded with the acceptance (and so in the audit log).
pub async fn accept(
    app: &App,
    grant: &Grant<access::AcceptRectification>,
    org: &InScope<OrgRecord>,
    year: i32,
    note: &str,
    override_reason: Option<&str>,
) -> Result<CaseView> {
    // The case's own checks first (its stage, every measure done): a case that may not be
    // accepted anyway is refused for that.
    let mut dry = load(app, org, year).await?;
    dry.case
        .apply(Step::Accept { note: note.into() }, app.today())
        .map_err(|e| input(e.to_string()))?;
    let still = still_found(app, org, year).await?;
    let mut note = note.to_string();
    if !still.is_empty() {
        let labels = still.join("、");
        match override_reason.map(str::trim).filter(|r| !r.is_empty()) {
            None => {
                return Err(input(format!(
                    "按现有记录，确定的“{labels}”仍然存在，不能验收销号；确需验收的，请写明理由（记入审计日志）"
                )))
            }
            Some(r) => note = format!("{note}（“{labels}”按记录仍存在，经研究验收：{r}）"),
        }
    }
    apply(app, grant.actor(), org, year, Step::Accept { note }).await
}

/// The weaknesses confirmed for `org` in `year` whose signal fires in this year's records
/// on today (their labels).
async fn still_found(app: &App, org: &InScope<OrgRecord>, year: i32) -> Result<Vec<&'static str>> {
    let mut conn = app.store.acquire().await?;
    let confirmed: Vec<_> = jiceng_store::weak::of_org(&mut conn, org.org.id, year)
        .await?
        .into_iter()
        .filter(|w| w.status == jiceng_domain::weakness::Decision::Confirmed)
        .map(|w| w.kind)
        .collect();
    drop(conn);
    if confirmed.is_empty() {
        return Ok(Vec::new());
    }
    let this_year = chrono::Datelike::year(&app.today());
    let (_, signals) = crate::weak::signals_of(app, org, this_year).await?;
    let mut out: Vec<&'static str> = confirmed
        .iter()
        .filter(|k| {
            signals
                .iter()
                .any(|s| s.kind == **k && s.state == jiceng_domain::weakness::SignalState::Fired)
        })
        .map(|k| k.label())
        .collect();
    out.dedup();
    Ok(out)
}

/// The review a year after acceptance (回头看).
pub async fn review(
    app: &App,
    grant: &Grant<access::AcceptRectification>,
    org: &InScope<OrgRecord>,
    year: i32,
    outcome: ReviewOutcome,
    note: &str,
) -> Result<CaseView> {
    apply(
        app,
        grant.actor(),
        org,
        year,
        Step::Review {
            outcome,
            note: note.into(),
        },
    )
    .await
}
