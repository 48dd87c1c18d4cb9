//! 督查: the inspections of an org's subtree in a period with its open problems, the form
//! that records an inspection of an org (optionally about a task that reached it), and an
//! inspection with its problems, where the inspected org reports each one fixed.

use askama::Template;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::Response;
use axum::Form;
use jiceng_app::access::{Action, InScope, RecordInspections, ReportTasks};
use jiceng_app::inspections::{self, Inspection, InspectionList};
use jiceng_app::tasks;
use jiceng_app::OrgRecord;
use jiceng_domain::inspection::{InspectionDraft, Method, ProblemDraft, ProblemStatus};
use serde::Deserialize;

use crate::error::{PageError, WebError};
use crate::extract::QueryOrg;
use crate::pages::refusal::Refusal;
use crate::pages::{done_redirect, html_status, DoneParam, Nav};
use crate::parse::{parse_day, parse_period, Fields};
use crate::routes::{Guard, Routes, Subject};
use crate::session::User;
use crate::AppState;

pub fn routes() -> Routes {
    let record = Guard::May(Action::RecordInspections);
    Routes::new()
        .get(
            "/inspections",
            Guard::May(Action::ReadData),
            Subject::QueryOrg,
            list,
        )
        .get("/inspections/new", record, Subject::QueryOrg, form)
        .post("/inspections/new", record, Subject::QueryOrg, submit)
        .get(
            "/inspections/{id}",
            Guard::May(Action::ReadData),
            Subject::Inspection,
            show,
        )
        .post(
            "/inspections/{id}/fix",
            Guard::May(Action::ReportTasks),
            Subject::Inspection,
            fix,
        )
}

/// How many problem lines the empty form offers.
pub(super) const PROBLEM_ROWS: usize = 3;

#[derive(Template)]
#[template(path = "inspections.html")]
struct ListPage {
    title: String,
    nav: Nav,
    l: InspectionList,
    can_record: bool,
    done: Option<String>,
}

impl ListPage {
    fn late(&self, s: &ProblemStatus) -> bool {
        s.is_overdue()
    }
}

#[derive(Deserialize)]
struct PeriodQuery {
    period: Option<String>,
}

async fn list(
    State(state): State<AppState>,
    QueryOrg { user, org }: QueryOrg<User>,
    Query(q): Query<PeriodQuery>,
    Query(d): Query<DoneParam>,
) -> Result<Response, PageError> {
    let today = state.app.today();
    let period = match q.period.as_deref().map(str::trim).filter(|p| !p.is_empty()) {
        None => jiceng_domain::Period::Year(chrono::Datelike::year(&today)),
        Some(p) => parse_period(Some(p), today).map_err(|m| PageError(WebError::BadRequest(m)))?,
    };
    let l = inspections::list(&state.app, &org, period).await?;
    html_status(
        StatusCode::OK,
        &ListPage {
            title: format!("督查 · {}", org.org.name),
            nav: Nav::of(&user),
            can_record: user.actor.may(Action::RecordInspections),
            l,
            done: d.done,
        },
    )
}

/// The form's values as typed.
#[derive(Default)]
struct Values {
    on: String,
    inspectors: String,
    methods: Vec<String>,
    findings: String,
    task: String,
    problems: Vec<(String, String, String)>,
}

impl Values {
    fn has_method(&self, code: &str) -> bool {
        self.methods.iter().any(|m| m == code)
    }
}

#[derive(Template)]
#[template(path = "inspection_new.html")]
struct NewPage {
    title: String,
    nav: Nav,
    org_id: i64,
    org_name: String,
    today: String,
    v: Values,
    methods: Vec<(&'static str, &'static str)>,
    /// The tasks that reached the org: (id, title).
    tasks: Vec<(i64, String)>,
    e: Refusal,
}

#[derive(Deserialize)]
struct TaskQuery {
    task: Option<String>,
}

async fn new_page(
    state: &AppState,
    user: &User,
    org: &InScope<OrgRecord>,
    v: Values,
    e: Refusal,
) -> Result<Response, PageError> {
    let l = tasks::list(&state.app, org).await?;
    let status = e.form_status();
    html_status(
        status,
        &NewPage {
            title: format!("登记督查 · {}", org.org.name),
            nav: Nav::of(user),
            org_id: org.org.id,
            org_name: org.org.name.clone(),
            today: state.app.today().to_string(),
            v,
            methods: Method::ALL.iter().map(|m| (m.code(), m.label())).collect(),
            tasks: l
                .received
                .iter()
                .map(|r| (r.task.id, r.task.title.clone()))
                .chain(l.issued.iter().map(|t| (t.id, t.title.clone())))
                .collect(),
            e,
        },
    )
}

async fn form(
    State(state): State<AppState>,
    QueryOrg { user, org }: QueryOrg<User>,
    Query(q): Query<TaskQuery>,
) -> Result<Response, PageError> {
    let v = Values {
        on: state.app.today().to_string(),
        methods: vec![Method::OnSite.code().into(), Method::Records.code().into()],
        task: q.task.unwrap_or_default(),
        problems: vec![Default::default(); PROBLEM_ROWS],
        ..Values::default()
    };
    new_page(&state, &user, &org, v, Refusal::default()).await
}

fn values_of(f: &Fields) -> Values {
    let problems = problem_rows(f);
    Values {
        on: f.get("on"),
        inspectors: f.get("inspectors"),
        methods: f.all("methods"),
        findings: f.get("findings"),
        task: f.get("task"),
        problems,
    }
}

fn draft_of(v: &Values) -> Result<(InspectionDraft, Option<i64>), Refusal> {
    let bad = |field: &'static str, message: String| Refusal { field, message };
    let on = parse_day(&v.on, "督查日期").map_err(|m| bad("on", m))?;
    let problems = problem_drafts(&v.problems)?;
    let methods = v
        .methods
        .iter()
        .map(|m| Method::parse(m).ok_or_else(|| bad("methods", format!("无法识别的督查方式：{m}"))))
        .collect::<Result<Vec<_>, _>>()?;
    let task = match v.task.trim() {
        "" => None,
        t => Some(
            t.parse::<i64>()
                .map_err(|_| bad("task", format!("无法识别的任务：{t}")))?,
        ),
    };
    Ok((
        InspectionDraft {
            on,
            inspectors: v.inspectors.clone(),
            methods,
            findings: v.findings.clone(),
            problems,
        },
        task,
    ))
}

async fn submit(
    State(state): State<AppState>,
    QueryOrg { user, org }: QueryOrg<User>,
    Form(fields): Form<Vec<(String, String)>>,
) -> Result<Response, PageError> {
    let (fields, grant) = user.form_for::<RecordInspections>(fields)?;
    let v = values_of(&fields);
    let (draft, task) = match draft_of(&v) {
        Ok(d) => d,
        Err(e) => return new_page(&state, &user, &org, v, e).await,
    };
    match inspections::record(&state.app, &grant, &org, task, &draft).await {
        Ok(id) => Ok(done_redirect(
            &format!("/inspections/{id}?org={}", org.org.id),
            "已登记督查情况",
        )),
        Err(e) => {
            let e = Refusal::of(e)?;
            new_page(&state, &user, &org, v, e).await
        }
    }
}

#[derive(Template)]
#[template(path = "inspection.html")]
struct ShowPage {
    title: String,
    nav: Nav,
    at_id: i64,
    i: Inspection,
    can_fix: bool,
    today: String,
    flash: Option<String>,
    e: Refusal,
}

impl ShowPage {
    fn late(&self, s: &ProblemStatus) -> bool {
        s.is_overdue()
    }
}

async fn show_page(
    state: &AppState,
    user: &User,
    org: &InScope<OrgRecord>,
    id: i64,
    flash: Option<String>,
    e: Refusal,
) -> Result<Response, PageError> {
    let i = inspections::get(&state.app, org, id).await?;
    let status = e.status();
    html_status(
        status,
        &ShowPage {
            title: format!("督查 · {}", i.org.name),
            nav: Nav::of(user),
            at_id: org.org.id,
            can_fix: user.actor.may(Action::ReportTasks),
            today: state.app.today().to_string(),
            i,
            flash,
            e,
        },
    )
}

async fn show(
    State(state): State<AppState>,
    Path(id): Path<i64>,
    QueryOrg { user, org }: QueryOrg<User>,
    Query(d): Query<DoneParam>,
) -> Result<Response, PageError> {
    show_page(&state, &user, &org, id, d.done, Refusal::default()).await
}

async fn fix(
    State(state): State<AppState>,
    Path(id): Path<i64>,
    QueryOrg { user, org }: QueryOrg<User>,
    Form(fields): Form<Vec<(String, String)>>,
) -> Result<Response, PageError> {
    let (fields, grant) = user.form_for::<ReportTasks>(fields)?;
    let (seq, on) = fix_of(&fields)?;
    match inspections::fix(&state.app, &grant, &org, id, seq, on, &fields.get("note")).await {
        Ok(()) => Ok(done_redirect(
            &format!("/inspections/{id}?org={}", org.org.id),
            "已登记整改",
        )),
        Err(e) => {
            let e = Refusal::of(e)?;
            show_page(&state, &user, &org, id, None, e).await
        }
    }
}

/// A problem's fix as a form sends it: the problem (`seq`) and the day it was fixed.
pub(super) fn fix_of(fields: &Fields) -> Result<(i64, Option<chrono::NaiveDate>), PageError> {
    let bad = |m: String| PageError(WebError::BadRequest(m));
    let seq: i64 = fields
        .get("seq")
        .trim()
        .parse()
        .map_err(|_| bad(format!("无法识别的问题：{}", fields.get("seq"))))?;
    let on = parse_day(&fields.get("fixed_on"), "整改完成日期").map_err(bad)?;
    Ok((seq, on))
}

/// A form's problem lines as typed (`problem_N`, `owner_N`, `deadline_N`): the first
/// [`PROBLEM_ROWS`] always, more only when filled (督查's form and 述职评议's).
pub(super) fn problem_rows(f: &Fields) -> Vec<(String, String, String)> {
    let mut problems = Vec::new();
    for i in 0..jiceng_domain::inspection::PROBLEMS_MAX {
        let row = (
            f.get(&format!("problem_{i}")),
            f.get(&format!("owner_{i}")),
            f.get(&format!("deadline_{i}")),
        );
        if i >= PROBLEM_ROWS && row.0.is_empty() && row.1.is_empty() && row.2.is_empty() {
            continue;
        }
        problems.push(row);
    }
    problems
}

/// The problem lines as drafts (a deadline that is not a day refused).
pub(super) fn problem_drafts(
    rows: &[(String, String, String)],
) -> Result<Vec<ProblemDraft>, Refusal> {
    let mut problems = Vec::new();
    for (i, (text, owner, deadline)) in rows.iter().enumerate() {
        let deadline =
            parse_day(deadline, &format!("第{}个问题的整改时限", i + 1)).map_err(|m| Refusal {
                field: "problems",
                message: m,
            })?;
        problems.push(ProblemDraft {
            description: text.clone(),
            owner: owner.clone(),
            deadline,
        });
    }
    Ok(problems)
}
