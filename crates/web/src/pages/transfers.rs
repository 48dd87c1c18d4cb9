//! 组织关系转接 pages (SPEC C3): an org's letters (待接收 with 接收 on the card, 转出中,
//! 近期办理), one letter with the decisions its reader may make, the letter form of a
//! member, and the record of a letter from outside the system. The same use cases as the
//! API (`jiceng_app::transfer`).

use askama::Template;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use jiceng_app::access::{Action, TransferMembers};
use jiceng_app::browse;
use jiceng_app::transfer::{self, Arrival, LetterView, Letters, NewLetter};
use jiceng_domain::transfer::Outside;
use jiceng_domain::Education;
use serde::Deserialize;

use crate::error::PageError;
use crate::extract::{CsrfForm, QueryOrg};
use crate::pages::refusal::Refusal;
use crate::pages::{html, html_status, Nav};
use crate::parse::parse_day;
use crate::routes::{Guard, Routes, Subject};
use crate::session::User;
use crate::AppState;

pub fn routes() -> Routes {
    let may = Guard::May(Action::TransferMembers);
    let letter = Subject::Transfer;
    let mut routes = Routes::new();
    for action in transfer::Decision::ACTIONS {
        let path = format!("/transfers/{{id}}/{action}");
        let handler = move |State(state): State<AppState>,
                            Path(id): Path<i64>,
                            form: CsrfForm<DecisionForm>| async move {
            decide(state, id, form, action).await
        };
        routes = routes.post(&path, may, letter, handler);
    }
    routes
        .get(
            "/transfers",
            Guard::May(Action::ReadData),
            Subject::QueryOrg,
            letters_page,
        )
        .get("/transfers/in", may, Subject::QueryOrg, arrival_form)
        .post("/transfers/in", may, Subject::QueryOrg, arrival_submit)
        .get(
            "/transfers/{id}",
            Guard::May(Action::ReadData),
            letter,
            letter_page,
        )
        .get(
            "/reports/transfers",
            Guard::May(Action::ReadData),
            Subject::QueryOrg,
            report_page,
        )
        .get("/members/{id}/transfer", may, Subject::Member, issue_form)
        .post("/members/{id}/transfer", may, Subject::Member, issue_submit)
}

fn day_field(raw: &str, field: &'static str, label: &str) -> Result<chrono::NaiveDate, Refusal> {
    parse_day(raw, label)
        .map_err(|message| Refusal { field, message })?
        .ok_or_else(|| Refusal {
            field,
            message: format!("请填写{label}"),
        })
}

#[derive(Template)]
#[template(path = "transfers.html")]
struct LettersPage {
    title: String,
    nav: Nav,
    l: Letters,
}

async fn letters_page(
    State(state): State<AppState>,
    QueryOrg { user, org }: QueryOrg<User>,
) -> Result<Response, PageError> {
    let l = transfer::letters(&state.app, &user.actor, &org).await?;
    html(&LettersPage {
        title: format!("组织关系转接 · {}", l.org.name),
        nav: Nav::of(&user),
        l,
    })
}

#[derive(Template)]
#[template(path = "transfer_letter.html")]
struct LetterPage {
    title: String,
    nav: Nav,
    t: LetterView,
    /// Days left to receive it, while some are.
    left: Option<i64>,
    today: String,
    flash: Option<&'static str>,
    e: Refusal,
}

#[derive(Deserialize)]
struct Done {
    done: Option<String>,
}

fn flash(done: Option<&str>) -> Option<&'static str> {
    Some(match done? {
        "issued" => "介绍信已开具。接收党组织接收前，党员仍在本组织。",
        "received" => "已接收，党员已转入本组织名册。",
        "returned" => "已退回。",
        "withdrawn" => "已撤回。",
        "closed" => "已登记回执，组织关系已转出。",
        _ => return None,
    })
}

async fn letter_answer(
    state: &AppState,
    user: &User,
    id: i64,
    flash: Option<&'static str>,
    e: Refusal,
) -> Result<Response, PageError> {
    let t = transfer::letter(&state.app, &user.actor, id).await?;
    html_status(
        e.status(),
        &LetterPage {
            title: format!("组织关系介绍信 · {}", t.person.name),
            nav: Nav::of(user),
            today: state.app.today().to_string(),
            left: t.days_left.filter(|n| *n >= 0),
            t,
            flash,
            e,
        },
    )
}

async fn letter_page(
    State(state): State<AppState>,
    user: User,
    Path(id): Path<i64>,
    Query(d): Query<Done>,
) -> Result<Response, PageError> {
    letter_answer(
        &state,
        &user,
        id,
        flash(d.done.as_deref()),
        Refusal::default(),
    )
    .await
}

/// A decision's form: its day, reason or receipt note.
#[derive(Default, Deserialize)]
struct DecisionForm {
    #[serde(default)]
    on: String,
    #[serde(default)]
    reason: String,
    #[serde(default)]
    note: String,
}

/// 接收, 退回, 撤回 or 回执 (`action`) from the letter's page or the inbox's card.
async fn decide(
    state: AppState,
    id: i64,
    CsrfForm { user, form }: CsrfForm<DecisionForm>,
    action: &str,
) -> Result<Response, PageError> {
    let grant = user.actor.grant::<TransferMembers>()?;
    let words = if form.reason.trim().is_empty() {
        &form.note
    } else {
        &form.reason
    };
    let result = match parse_day(&form.on, "日期") {
        Err(message) => Err(Refusal {
            field: "on",
            message,
        }),
        Ok(on) => match transfer::Decision::parse(action, on, words) {
            Ok(d) => match transfer::decide(&state.app, &grant, id, &d).await {
                Ok(()) => Ok(d.done()),
                Err(e) => Err(Refusal::of(e)?),
            },
            Err(e) => Err(Refusal::of(e)?),
        },
    };
    match result {
        Ok(done) => Ok(Redirect::to(&format!("/transfers/{id}?done={done}")).into_response()),
        Err(e) => letter_answer(&state, &user, id, None, e).await,
    }
}

/// The letter form as typed.
#[derive(Default, Deserialize)]
struct IssueValues {
    #[serde(default)]
    to: String,
    #[serde(default)]
    outside: String,
    #[serde(default)]
    to_name: String,
    #[serde(default)]
    letter_no: String,
    #[serde(default)]
    issued_on: String,
    #[serde(default)]
    reason: String,
}

#[derive(Template)]
#[template(path = "transfer_new.html")]
struct IssuePage {
    title: String,
    nav: Nav,
    member_id: i64,
    name: String,
    org_name: String,
    today: String,
    outsides: Vec<(&'static str, &'static str)>,
    f: IssueValues,
    e: Refusal,
}

const ISSUE_FIELDS: [&str; 6] = [
    "to",
    "outside",
    "to_name",
    "letter_no",
    "issued_on",
    "reason",
];

async fn issue_answer(
    state: &AppState,
    user: &User,
    id: i64,
    f: IssueValues,
    e: Refusal,
) -> Result<Response, PageError> {
    let m = browse::member_in_scope(&state.app, &user.actor, id).await?;
    let v = browse::member_view(&state.app, &user.actor, id).await?;
    html_status(
        e.status(),
        &IssuePage {
            title: format!("转出组织关系 · {}", m.name),
            nav: Nav::of(user),
            member_id: id,
            name: m.name,
            org_name: v.member.org_name,
            today: state.app.today().to_string(),
            outsides: Outside::ALL.iter().map(|o| (o.code(), o.label())).collect(),
            f,
            e,
        },
    )
}

async fn issue_form(
    State(state): State<AppState>,
    user: User,
    Path(id): Path<i64>,
) -> Result<Response, PageError> {
    user.actor.grant::<TransferMembers>()?;
    let f = IssueValues {
        issued_on: state.app.today().to_string(),
        ..Default::default()
    };
    issue_answer(&state, &user, id, f, Refusal::default()).await
}

async fn issue_submit(
    State(state): State<AppState>,
    Path(id): Path<i64>,
    CsrfForm { user, form: f }: CsrfForm<IssueValues>,
) -> Result<Response, PageError> {
    let grant = user.actor.grant::<TransferMembers>()?;
    let opt = |s: &str| Some(s.trim().to_string()).filter(|s| !s.is_empty());
    let refusal = match day_field(&f.issued_on, "issued_on", "开具日期") {
        Ok(issued_on) => {
            let new = NewLetter {
                to: opt(&f.to),
                outside: opt(&f.outside),
                to_name: opt(&f.to_name),
                letter_no: opt(&f.letter_no),
                issued_on,
                reason: f.reason.clone(),
            };
            match transfer::issue(&state.app, &grant, id, &new).await {
                Ok(t) => {
                    return Ok(Redirect::to(&format!("/transfers/{t}?done=issued")).into_response())
                }
                Err(e) => Refusal::of(e)?,
            }
        }
        Err(r) => r,
    };
    issue_answer(&state, &user, id, f, refusal).await
}

/// The 系统外转入 form as typed.
#[derive(Default, Deserialize)]
struct ArrivalValues {
    #[serde(default)]
    name: String,
    #[serde(default)]
    id_number: String,
    #[serde(default)]
    ethnicity: String,
    #[serde(default)]
    education: String,
    #[serde(default)]
    status: String,
    #[serde(default)]
    joined_on: String,
    #[serde(default)]
    full_on: String,
    #[serde(default)]
    phone: String,
    #[serde(default)]
    outside: String,
    #[serde(default)]
    from_name: String,
    #[serde(default)]
    letter_no: String,
    #[serde(default)]
    issued_on: String,
    #[serde(default)]
    received_on: String,
    #[serde(default)]
    reason: String,
}

const ARRIVAL_FIELDS: [&str; 13] = [
    "name",
    "id_number",
    "ethnicity",
    "education",
    "status",
    "joined_on",
    "full_on",
    "phone",
    "from_name",
    "letter_no",
    "issued_on",
    "received_on",
    "outside",
];

#[derive(Template)]
#[template(path = "transfer_in.html")]
struct ArrivalPage {
    title: String,
    nav: Nav,
    org_id: i64,
    org_name: String,
    today: String,
    educations: Vec<&'static str>,
    outsides: Vec<(&'static str, &'static str)>,
    f: ArrivalValues,
    e: Refusal,
}

fn arrival_page(
    state: &AppState,
    user: &User,
    org: &jiceng_app::OrgRecord,
    f: ArrivalValues,
    e: Refusal,
) -> ArrivalPage {
    ArrivalPage {
        title: format!("系统外转入 · {}", org.org.name),
        nav: Nav::of(user),
        org_id: org.org.id,
        org_name: org.org.name.clone(),
        today: state.app.today().to_string(),
        educations: Education::ALL.iter().map(|e| e.label()).collect(),
        outsides: Outside::ALL.iter().map(|o| (o.code(), o.label())).collect(),
        f,
        e,
    }
}

async fn arrival_form(
    State(state): State<AppState>,
    QueryOrg { user, org }: QueryOrg<User>,
) -> Result<Response, PageError> {
    user.actor.grant::<TransferMembers>()?;
    let today = state.app.today().to_string();
    let f = ArrivalValues {
        ethnicity: "汉族".into(),
        status: "正式党员".into(),
        received_on: today.clone(),
        ..Default::default()
    };
    html(&arrival_page(&state, &user, &org, f, Refusal::default()))
}

fn to_arrival(f: &ArrivalValues) -> Result<Arrival, Refusal> {
    let opt = |s: &str| Some(s.trim().to_string()).filter(|s| !s.is_empty());
    let full_on = parse_day(&f.full_on, "转正日期").map_err(|message| Refusal {
        field: "full_on",
        message,
    })?;
    Ok(Arrival {
        name: f.name.clone(),
        id_number: f.id_number.trim().to_string(),
        ethnicity: opt(&f.ethnicity),
        education: opt(&f.education),
        status: f.status.clone(),
        joined_on: day_field(&f.joined_on, "joined_on", "入党日期")?,
        full_on,
        phone: opt(&f.phone),
        outside: opt(&f.outside),
        from_name: f.from_name.clone(),
        letter_no: f.letter_no.clone(),
        issued_on: day_field(&f.issued_on, "issued_on", "介绍信开具日期")?,
        received_on: day_field(&f.received_on, "received_on", "接收日期")?,
        reason: opt(&f.reason),
    })
}

async fn arrival_submit(
    State(state): State<AppState>,
    QueryOrg { org, .. }: QueryOrg<User>,
    CsrfForm { user, form: f }: CsrfForm<ArrivalValues>,
) -> Result<Response, PageError> {
    let grant = user.actor.grant::<TransferMembers>()?;
    let refusal = match to_arrival(&f) {
        Ok(a) => match transfer::arrive(&state.app, &grant, &org, &a).await {
            Ok(id) => {
                return Ok(
                    Redirect::to(&format!("/members/{id}?done=transferred_in")).into_response()
                )
            }
            Err(e) => Refusal::of(e)?,
        },
        Err(r) => r,
    };
    html_status(
        StatusCode::BAD_REQUEST,
        &arrival_page(&state, &user, &org, f, refusal),
    )
}

/// The department's view of 组织关系转接 for a period: each child org's relations out and
/// in, the letters waiting and overdue, each row drilling down to the child; the overdue
/// letters named; the workbook (`?format=xlsx`, audited).
#[derive(Template)]
#[template(path = "report_transfers.html")]
struct ReportPage {
    title: String,
    nav: Nav,
    org_id: i64,
    period: String,
    r: jiceng_app::reports::transfers::TransfersReport,
}

#[derive(Deserialize)]
struct ReportQuery {
    #[serde(default)]
    period: Option<String>,
    #[serde(default)]
    format: Option<String>,
}

async fn report_page(
    State(state): State<AppState>,
    QueryOrg { user, org }: QueryOrg<User>,
    Query(q): Query<ReportQuery>,
) -> Result<Response, PageError> {
    let today = state.app.today();
    let raw = q
        .period
        .clone()
        .filter(|p| !p.trim().is_empty())
        .unwrap_or_else(|| chrono::Datelike::year(&today).to_string());
    let period = crate::parse::parse_period(Some(&raw), today)
        .map_err(|m| PageError(crate::error::WebError::BadRequest(m)))?;
    let r = jiceng_app::reports::transfers::run(&state.app, &org, period).await?;
    if q.format.as_deref() == Some("xlsx") {
        let sheets = r.to_sheets();
        return super::common::export(&state, &user, "组织关系转接", &org, None, sheets).await;
    }
    html(&ReportPage {
        title: format!("组织关系转接情况 · {}", r.org.name),
        nav: Nav::of(&user),
        org_id: org.org.id,
        period: raw,
        r,
    })
}
