//! 党员教育培训学时: an org's year — each direct child's line from the stored tallies,
//! drilling down; the members of the subtree with their hours (还差N学时 while the year
//! runs); the trainings recorded; the staffing checks; the workbook (`?format=xlsx`,
//! audited) — the record form (the roster ticked, 全部参加 by default, untick who was
//! absent), and the org page's party-building staff form. The same use cases as the API
//! (`jiceng_app::training`).

use askama::Template;
use axum::extract::{Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use chrono::Datelike;
use jiceng_app::access::{Action, RecordTraining, Write};
use jiceng_app::training::{self, staff, OrgYear, TrainingInput};
use jiceng_app::AppError;
use serde::Deserialize;

use crate::error::{PageError, WebError};
use crate::extract::{CsrfForm, PathOrg, QueryOrg};
use crate::pages::{html, html_status, Nav};
use crate::parse::parse_day;
use crate::routes::{Guard, Routes, Subject};
use crate::session::User;
use crate::AppState;

pub fn routes() -> Routes {
    let may = Guard::May(Action::RecordTraining);
    Routes::new()
        .get(
            "/training",
            Guard::May(Action::ReadData),
            Subject::QueryOrg,
            year_page,
        )
        .get("/training/new", may, Subject::QueryOrg, record_form)
        .post("/training/new", may, Subject::QueryOrg, record_submit)
        .post(
            "/orgs/{id}/staff",
            Guard::May(Action::Write),
            Subject::Org,
            staff_submit,
        )
}

#[derive(Template)]
#[template(path = "training.html")]
struct YearPage {
    title: String,
    nav: Nav,
    y: OrgYear,
    can_record: bool,
    flash: Option<String>,
    /// What the short column is called: 还差学时 while the year runs, else 未达标.
    short_word: &'static str,
}

#[derive(Deserialize)]
struct YearQuery {
    #[serde(default)]
    year: Option<String>,
    #[serde(default)]
    format: Option<String>,
    #[serde(default)]
    done: Option<String>,
}

fn year_of(raw: Option<&str>, today: chrono::NaiveDate) -> Result<i32, PageError> {
    match raw.map(str::trim).filter(|s| !s.is_empty()) {
        None => Ok(today.year()),
        Some(s) => match s.trim_end_matches('年').parse::<i32>() {
            Ok(y) if (1921..=today.year()).contains(&y) => Ok(y),
            _ => Err(PageError(WebError::BadRequest(format!(
                "年度无效：{s}（学时按自然年度统计，如 {}）",
                today.year()
            )))),
        },
    }
}

async fn year_page(
    State(state): State<AppState>,
    QueryOrg { user, org }: QueryOrg<User>,
    Query(q): Query<YearQuery>,
) -> Result<Response, PageError> {
    let year = year_of(q.year.as_deref(), state.app.today())?;
    if q.format.as_deref() == Some("xlsx") {
        let r = training::report(&state.app, &org, year).await?;
        let sheets = r.to_sheets();
        return super::common::export(&state, &user, "党员教育培训学时", &org, Some(year), sheets)
            .await;
    }
    let y = training::org_year(&state.app, &org, year).await?;
    html(&YearPage {
        title: format!("党员教育培训学时 · {}", y.overview.org.name),
        nav: Nav::of(&user),
        can_record: user.actor.may(Action::RecordTraining),
        flash: (q.done.as_deref() == Some("recorded")).then(|| "已登记培训".to_string()),
        short_word: if y.overview.running {
            "还差学时"
        } else {
            "未达标"
        },
        y,
    })
}

/// The record form as typed (kept when refused).
#[derive(Default)]
struct FormValues {
    title: String,
    organiser: String,
    starts_on: String,
    ends_on: String,
    hours: String,
    mode: String,
    /// Who is ticked (`None`: nobody unticked yet — everyone, 全部参加).
    ticked: Option<Vec<i64>>,
}

/// One roster line of the form.
struct RosterLine {
    id: i64,
    name: String,
    org_name: String,
    ticked: bool,
}

#[derive(Template)]
#[template(path = "training_new.html")]
struct RecordPage {
    title: String,
    nav: Nav,
    org_id: i64,
    org_name: String,
    f: FormValues,
    roster: Vec<RosterLine>,
    error: Option<String>,
    today: String,
    /// The roster is longer than the form lists (a large org: use the sign-in list import).
    cut: bool,
}

async fn record_page(
    state: &AppState,
    user: &User,
    org: &jiceng_app::access::InScope<jiceng_app::OrgRecord>,
    f: FormValues,
    error: Option<String>,
) -> Result<RecordPage, PageError> {
    let today = state.app.today();
    let y = training::org_year(&state.app, org, today.year()).await?;
    let roster = y
        .people
        .iter()
        .map(|p| RosterLine {
            id: p.member_id,
            name: p.name.clone(),
            org_name: p.org_name.clone(),
            ticked: f.ticked.as_ref().is_none_or(|t| t.contains(&p.member_id)),
        })
        .collect();
    let cut = (y.people.len() as i64) < y.overview.total.tally.members;
    Ok(RecordPage {
        cut,
        title: format!("登记培训 · {}", org.org.name),
        nav: Nav::of(user),
        org_id: org.org.id,
        org_name: org.org.name.clone(),
        f,
        roster,
        error,
        today: today.to_string(),
    })
}

async fn record_form(
    State(state): State<AppState>,
    QueryOrg { user, org }: QueryOrg<User>,
) -> Result<Response, PageError> {
    let today = state.app.today().to_string();
    let f = FormValues {
        starts_on: today.clone(),
        ends_on: today,
        mode: "in_person".into(),
        ..FormValues::default()
    };
    html(&record_page(&state, &user, &org, f, None).await?)
}

async fn record_submit(
    State(state): State<AppState>,
    QueryOrg { org, .. }: QueryOrg<User>,
    CsrfForm { user, form }: CsrfForm<Vec<(String, String)>>,
) -> Result<Response, PageError> {
    let grant = user.actor.grant::<RecordTraining>()?;
    let get = |name: &str| {
        form.iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.trim().to_string())
            .unwrap_or_default()
    };
    let ticked: Vec<i64> = form
        .iter()
        .filter(|(k, _)| k == "attendee")
        .filter_map(|(_, v)| v.parse().ok())
        .collect();
    let f = FormValues {
        title: get("title"),
        organiser: get("organiser"),
        starts_on: get("starts_on"),
        ends_on: get("ends_on"),
        hours: get("hours"),
        mode: get("mode"),
        ticked: Some(ticked.clone()),
    };
    let day = |raw: &str, label: &str| -> Result<chrono::NaiveDate, String> {
        parse_day(raw, label)?.ok_or_else(|| format!("请填写{label}"))
    };
    let parsed = day(&f.starts_on, "开始日期").and_then(|s| {
        let e = if f.ends_on.is_empty() {
            s
        } else {
            day(&f.ends_on, "结束日期")?
        };
        Ok((s, e))
    });
    let error = match parsed {
        Err(m) => m,
        Ok((starts_on, ends_on)) => {
            let input = TrainingInput {
                title: f.title.clone(),
                organiser: f.organiser.clone(),
                starts_on,
                ends_on,
                hours: f.hours.clone(),
                mode: f.mode.clone(),
                attendees: ticked,
                credited: Default::default(),
            };
            match training::record(&state.app, &grant, &org, &input).await {
                Ok(_) => {
                    return Ok(Redirect::to(&format!(
                        "/training?org={}&year={}&done=recorded",
                        org.org.id,
                        starts_on.year()
                    ))
                    .into_response())
                }
                Err(AppError::MemberLife(r)) => r.message,
                Err(other) => return Err(other.into()),
            }
        }
    };
    html_status(
        StatusCode::BAD_REQUEST,
        &record_page(&state, &user, &org, f, Some(error)).await?,
    )
}

#[derive(Default, Deserialize)]
struct StaffForm {
    #[serde(default)]
    action: String,
    #[serde(default)]
    name: String,
    #[serde(default)]
    role: String,
    #[serde(default)]
    on: String,
    #[serde(default)]
    staff_id: Option<i64>,
}

/// Appoints a party-building staff member of the org, or ends a post; a refusal answers
/// with its reason (400).
async fn staff_submit(
    State(state): State<AppState>,
    PathOrg { org, .. }: PathOrg<User>,
    CsrfForm { user, form: f }: CsrfForm<StaffForm>,
) -> Result<Response, PageError> {
    let grant = user.actor.grant::<Write>()?;
    let on = parse_day(&f.on, "日期")
        .map_err(|m| PageError(WebError::BadRequest(m)))?
        .ok_or_else(|| PageError(WebError::BadRequest("请填写日期".into())))?;
    let input = staff::StaffInput {
        action: f.action,
        name: f.name,
        role: f.role,
        on,
        staff_id: f.staff_id,
    };
    match staff::record(&state.app, &grant, &org, &input).await {
        Ok(()) => Ok(Redirect::to(&format!("/orgs/{}?done=staff", org.org.id)).into_response()),
        Err(AppError::MemberLife(r)) => Err(PageError(WebError::BadRequest(r.message))),
        Err(other) => Err(other.into()),
    }
}
