//! Rectification (整顿, SPEC C5): the progress of a subtree and year (cases by stage, by
//! child org for drill-down, overdue measures, stalled cases; exportable) and one org's
//! case with its timeline and a form for each step the user's role may take: plan
//! measures (owner, deadline), assistance (包联 cadre, departments by the mapping),
//! progress with evidence, a measure done, extension with a reason, 验收销号, 回头看.
//! Also the block of overdue measures and stalled cases on the home dashboard.

use askama::Template;
use axum::extract::{Path, Query, State};
use axum::response::Response;
use chrono::NaiveDate;
use jiceng_app::access::{self, Action, Actor, InScope, OrgKey, Role};
use jiceng_app::rectification::{self, stall_days, CaseView};
use jiceng_app::reports::rectification as rect_report;
use jiceng_app::{browse, AppError, OrgRecord};
use jiceng_domain::path;
use jiceng_domain::rectification::{NewMeasure, ReviewOutcome, Stage};
use jiceng_domain::WeaknessKind;
use serde::Deserialize;

use super::common::{
    after_form, export, form_org_year, org_page, tabs, year_of, years, Notice, OrgReport, OrgYear,
    Page, Tab, CASE,
};
use super::{html, html_status, urlencode, Nav};
use crate::charts;
use crate::error::PageError;
use crate::extract::{CsrfForm, QueryOrg};
use crate::routes::{Guard, Routes, Subject};
use crate::session::User;
use crate::AppState;

pub fn routes() -> Routes {
    Routes::new()
        .get(
            "/reports/rectification",
            Guard::May(Action::ReadData),
            Subject::QueryOrg,
            progress_page,
        )
        .get(
            "/orgs/{id}/rectification",
            Guard::May(Action::ReadData),
            Subject::Org,
            org_page::<Case>,
        )
        .post(
            "/orgs/{id}/rectification/{step}",
            Guard::May(Action::ReportProgress),
            Subject::Org,
            step,
        )
}

fn case_href(code: &str, year: i32) -> String {
    format!("/orgs/{}/rectification?year={year}", urlencode(code))
}

fn kinds_text(kinds: &[&str]) -> String {
    kinds
        .iter()
        .filter_map(|k| WeaknessKind::from_code(k))
        .map(|k| k.char())
        .collect::<Vec<_>>()
        .join("、")
}

use jiceng_app::rectification::step_label;

fn opt_date(d: Option<NaiveDate>) -> String {
    d.map(|d| d.to_string()).unwrap_or_else(|| "—".into())
}

// ---------------------------------------------------------------- dashboard block

#[derive(Clone)]
pub struct OverdueLine {
    pub org: String,
    pub href: String,
    pub text: String,
    pub owner: String,
    pub deadline: String,
    pub days: i64,
}

#[derive(Clone)]
pub struct StalledLine {
    pub org: String,
    pub href: String,
    pub stage: String,
    pub last: String,
    pub days: i64,
}

impl OverdueLine {
    fn of(m: &rectification::OverdueMeasure) -> OverdueLine {
        OverdueLine {
            org: m.org.name.clone(),
            href: case_href(&m.org.code, m.year),
            text: m.text.clone(),
            owner: m.owner.clone(),
            deadline: m.deadline.to_string(),
            days: m.days_overdue,
        }
    }
}

impl StalledLine {
    fn of(c: &rectification::StalledCase) -> StalledLine {
        StalledLine {
            org: c.org.name.clone(),
            href: case_href(&c.org.code, c.year),
            stage: c.stage_label.into(),
            last: c.last_activity_on.to_string(),
            days: c.days_idle,
        }
    }
}

/// Overdue measures and stalled cases of a subtree (the dashboard's block).
#[derive(Clone)]
pub struct Alerts {
    pub org_id: i64,
    pub overdue: Vec<OverdueLine>,
    pub stalled: Vec<StalledLine>,
    pub overdue_total: usize,
    pub stalled_total: usize,
}

const ALERTS_SHOWN: usize = 10;

/// The block for the department's and the inspectors' home page (`None` for other roles).
pub(super) async fn alerts(
    state: &AppState,
    actor: &Actor,
    root: &OrgRecord,
) -> Result<Option<Alerts>, PageError> {
    // Which roles see the block is the dashboard's choice, not a permission (no row of
    // the table says "sees the alerts"): the department, the inspectors and the admin.
    if !matches!(
        actor.role(),
        Role::Department | Role::Inspector | Role::Admin
    ) {
        return Ok(None);
    }
    // Kept like the dashboard it sits on.
    if let Some(a) = state.alerts.get(state, &root.org.id) {
        return Ok(Some(a));
    }
    let a = compute_alerts(state, actor, root).await?;
    state.alerts.put(state, root.org.id, a.clone());
    Ok(Some(a))
}

async fn compute_alerts(
    state: &AppState,
    actor: &Actor,
    root: &OrgRecord,
) -> Result<Alerts, PageError> {
    let root = access::resolve(&state.app, actor, &OrgKey::Id(root.org.id)).await?;
    let overdue = rectification::overdue(&state.app, &root).await?;
    let stalled = rectification::stalled(&state.app, &root, stall_days(&state.app)).await?;
    Ok(Alerts {
        org_id: root.org.id,
        overdue_total: overdue.len(),
        stalled_total: stalled.len(),
        overdue: overdue
            .iter()
            .take(ALERTS_SHOWN)
            .map(OverdueLine::of)
            .collect(),
        stalled: stalled
            .iter()
            .take(ALERTS_SHOWN)
            .map(StalledLine::of)
            .collect(),
    })
}

// ---------------------------------------------------------------- progress

#[derive(Deserialize)]
struct ListParams {
    year: Option<String>,
    stage: Option<String>,
    format: Option<String>,
}

pub struct StageLine {
    pub label: &'static str,
    pub n: usize,
    pub href: String,
}

pub struct RegionLine {
    pub name: String,
    pub href: String,
    pub cases: usize,
    pub closed: usize,
    pub overdue: usize,
    pub stalled: usize,
}

pub struct CaseLine {
    pub org: String,
    pub href: String,
    pub kinds: String,
    pub stage: String,
    pub deadline: String,
    pub cadre: String,
    pub measures: String,
    pub overdue: usize,
    pub stalled: bool,
    pub last: String,
}

#[derive(Template)]
#[template(path = "rectification_list.html")]
struct ProgressPage {
    title: String,
    nav: Nav,
    tabs: Vec<Tab>,
    org_id: i64,
    org_name: String,
    year: i32,
    years: Vec<i32>,
    as_of: String,
    cases: usize,
    closed: usize,
    chart: String,
    stages: Vec<StageLine>,
    regions: Vec<RegionLine>,
    filter: String,
    items: Vec<CaseLine>,
    overdue: Vec<OverdueLine>,
    stalled: Vec<StalledLine>,
}

async fn progress_page(
    State(state): State<AppState>,
    QueryOrg { user, org }: QueryOrg<User>,
    Query(p): Query<ListParams>,
) -> Result<Response, PageError> {
    let year = year_of(&state, &p.year)?;
    let r = rect_report::run(&state.app, &org, year).await?;
    if p.format.as_deref() == Some("xlsx") {
        return export(&state, &user, "整顿进展", &org, Some(year), r.to_sheets()).await;
    }
    let base = format!("/reports/rectification?org={}&year={year}", org.org.id);
    let stages: Vec<StageLine> = r
        .by_stage
        .iter()
        .map(|s| StageLine {
            label: s.label,
            n: s.cases,
            href: format!("{base}&stage={}", s.stage),
        })
        .collect();
    let chart = charts::counts(
        &format!("{year}年度整顿台账（按阶段）"),
        stages.iter().map(|s| (s.label.to_string(), s.n as i64)),
    );
    // Drill-down: the cases of each direct child's subtree.
    let children = browse::org_children(&state.app, &org).await?;
    let depth = path::depth(&org.path);
    let regions = children
        .iter()
        .filter_map(|c| {
            let mine: Vec<&rect_report::CaseRow> = r
                .items
                .iter()
                .filter(|i| path::ids(&i.org_path).get(depth) == Some(&c.id))
                .collect();
            if mine.is_empty() {
                return None;
            }
            Some(RegionLine {
                name: c.name.clone(),
                href: format!("/reports/rectification?org={}&year={year}", c.id),
                cases: mine.len(),
                closed: mine.iter().filter(|i| i.accepted_on.is_some()).count(),
                overdue: mine.iter().map(|i| i.measures_overdue).sum(),
                stalled: mine.iter().filter(|i| i.stalled).count(),
            })
        })
        .collect();
    let stage = p.stage.as_deref().and_then(Stage::from_code);
    let items = r
        .items
        .iter()
        .filter(|i| stage.is_none_or(|s| i.stage == s.code()))
        .map(|i| CaseLine {
            org: i.org.name.clone(),
            href: case_href(&i.org.code, year),
            kinds: kinds_text(&i.kinds),
            stage: i.stage_label.into(),
            deadline: opt_date(i.deadline),
            cadre: i.cadre.clone().unwrap_or_else(|| "—".into()),
            measures: format!("{}/{}", i.measures_done, i.measures),
            overdue: i.measures_overdue,
            stalled: i.stalled,
            last: i.last_activity_on.to_string(),
        })
        .collect();
    let stalled = rectification::stalled(&state.app, &org, stall_days(&state.app))
        .await?
        .into_iter()
        .filter(|c| c.year == year)
        .map(|c| StalledLine::of(&c))
        .collect();
    html(&ProgressPage {
        title: "整顿工作进展".into(),
        nav: Nav::of(&user),
        tabs: tabs(org.org.id, "rectification"),
        org_id: org.org.id,
        org_name: org.org.name.clone(),
        year,
        years: years(&state),
        as_of: r.as_of.to_string(),
        cases: r.cases,
        closed: r.closed,
        chart,
        stages,
        regions,
        filter: stage.map(|s| s.label()).unwrap_or("").into(),
        items,
        overdue: r.overdue.iter().map(OverdueLine::of).collect(),
        stalled,
    })
}

// ---------------------------------------------------------------- one case

#[derive(Template)]
#[template(path = "rectification_case.html")]
struct CasePage {
    title: String,
    nav: Nav,
    org_id: i64,
    org_name: String,
    year: i32,
    today: String,
    c: CaseView,
    /// (step label, event) in order.
    timeline: Vec<(&'static str, rectification::EventView)>,
    kinds: String,
    is_open: bool,
    accepted: bool,
    undone: Vec<(i64, String)>,
    can_plan: bool,
    can_report: bool,
    can_decide: bool,
    flash: Option<String>,
    error: Option<String>,
}

#[derive(Template)]
#[template(path = "rectification_none.html")]
struct NoCasePage {
    title: String,
    nav: Nav,
    org_id: i64,
    org_name: String,
    year: i32,
    years: Vec<i32>,
}

/// One org's rectification case page.
struct Case;

impl OrgReport for Case {
    const PAGE: Page = CASE;

    async fn render(at: OrgYear<'_>, notice: Notice) -> Result<Response, PageError> {
        let (state, user, org, year) = (at.state, at.user, at.org, at.year);
        let c = match rectification::get(&state.app, org, year).await {
            Ok(c) => c,
            Err(AppError::NotFound(_)) => {
                // The org is in scope (resolved above): it simply has no case this year.
                return html(&NoCasePage {
                    title: format!("{} 整顿台账", org.org.name),
                    nav: Nav::of(user),
                    org_id: org.org.id,
                    org_name: org.org.name.clone(),
                    year,
                    years: years(state),
                });
            }
            Err(e) => return Err(e.into()),
        };
        let stage = Stage::from_code(c.stage).unwrap_or(Stage::Diagnosed);
        let page = CasePage {
            title: format!("{} 整顿台账", org.org.name),
            nav: Nav::of(user),
            org_id: org.org.id,
            org_name: org.org.name.clone(),
            year,
            today: state.app.today().to_string(),
            kinds: c
                .kinds
                .iter()
                .map(|k| k.label)
                .collect::<Vec<_>>()
                .join("、"),
            is_open: stage.is_open(),
            accepted: stage == Stage::Accepted,
            timeline: c
                .timeline
                .iter()
                .map(|e| (step_label(&e.step), e.clone()))
                .collect(),
            undone: c
                .measures
                .iter()
                .filter(|m| m.done_on.is_none())
                .map(|m| (m.seq, format!("{}. {}", m.seq, m.text)))
                .collect(),
            c,
            can_plan: user.actor.may(Action::PlanRectification),
            can_report: user.actor.may(Action::ReportProgress),
            can_decide: user.actor.may(Action::AcceptRectification),
            flash: notice.flash,
            error: notice.error,
        };
        html_status(notice.status, &page)
    }
}

/// Every step's fields; each step reads those it needs.
#[derive(Deserialize)]
struct StepForm {
    year: String,
    #[serde(default)]
    text: String,
    #[serde(default)]
    owner: String,
    #[serde(default)]
    deadline: String,
    #[serde(default)]
    cadre: String,
    #[serde(default)]
    departments: String,
    #[serde(default)]
    evidence: String,
    #[serde(default)]
    seq: String,
    #[serde(default)]
    note: String,
    #[serde(default)]
    reason: String,
    #[serde(default)]
    until: String,
    #[serde(default)]
    outcome: String,
}

fn date_field(s: &str, what: &str) -> Result<NaiveDate, AppError> {
    NaiveDate::parse_from_str(s.trim(), "%Y-%m-%d")
        .map_err(|_| AppError::Input(format!("请填写{what}（年-月-日）")))
}

/// Departments typed as one line: split on 、，, ; and spaces.
pub(crate) fn split_departments(s: &str) -> Vec<String> {
    s.split(['、', '，', ',', ';', '；', ' ', '\n'])
        .map(str::trim)
        .filter(|x| !x.is_empty())
        .map(String::from)
        .collect()
}

async fn step(
    State(state): State<AppState>,
    Path((id, step)): Path<(String, String)>,
    CsrfForm { user, form: f }: CsrfForm<StepForm>,
) -> Result<Response, PageError> {
    let (org, year) = form_org_year(&state, &user, &id, &f.year).await?;
    let reason = f.reason.clone();
    let result = apply_step(&state, &user, &org, year, &step, f).await;
    let result = result.map(|_| step.clone());
    after_form::<Case>(&state, &user, &org, year, result, &reason).await
}

/// One step of the form, with the grant its kind needs (`access::PERMISSIONS`), asked
/// after the form's fields are read.
async fn apply_step(
    state: &AppState,
    user: &User,
    org: &InScope<OrgRecord>,
    year: i32,
    step: &str,
    f: StepForm,
) -> Result<CaseView, AppError> {
    let (app, a, code) = (&state.app, &user.actor, org);
    let plan = || a.grant::<access::PlanRectification>();
    let report = || a.grant::<access::ReportProgress>();
    let decide = || a.grant::<access::AcceptRectification>();
    {
        match step {
            "plan" => {
                let m = NewMeasure {
                    text: f.text.trim().to_string(),
                    owner: f.owner.trim().to_string(),
                    deadline: date_field(&f.deadline, "完成期限")?,
                };
                rectification::plan(app, &plan()?, code, year, vec![m]).await
            }
            "assign" => {
                rectification::assign(
                    app,
                    &plan()?,
                    code,
                    year,
                    f.cadre.trim(),
                    split_departments(&f.departments),
                )
                .await
            }
            "progress" => {
                rectification::progress(app, &report()?, code, year, &f.text, &f.evidence).await
            }
            "complete" => {
                let seq = f
                    .seq
                    .trim()
                    .parse()
                    .map_err(|_| AppError::Input("请选择措施".into()))?;
                let note = Some(f.note.trim().to_string()).filter(|s| !s.is_empty());
                rectification::complete_measure(app, &report()?, code, year, seq, None, note).await
            }
            "extend" => {
                let until = date_field(&f.until, "延期至")?;
                rectification::extend(app, &decide()?, code, year, &f.reason, until).await
            }
            "accept" => {
                let why = Some(f.reason.as_str()).filter(|r| !r.trim().is_empty());
                rectification::accept(app, &decide()?, code, year, &f.note, why).await
            }
            "review" => {
                let outcome = ReviewOutcome::parse(&f.outcome)
                    .ok_or_else(|| AppError::Input("请选择回头看结论".into()))?;
                rectification::review(app, &decide()?, code, year, outcome, &f.note).await
            }
            _ => Err(AppError::NotFound("整顿步骤".into())),
        }
    }
}
