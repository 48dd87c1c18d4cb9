//! Registering a person applying (step ①) with the branch that received the application:
//! a refusal comes back beside its field, the form as typed.

use askama::Template;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use jiceng_app::access::RecordRecruitment;
use jiceng_app::recruitment::{self, NewApplicant};
use jiceng_app::AppError;
use jiceng_domain::Education;
use serde::Deserialize;

use crate::error::PageError;
use crate::extract::{CsrfForm, QueryOrg};
use crate::pages::refusal::Refusal;
use crate::pages::{html, html_status, Nav};
use crate::parse::parse_day;
use crate::session::User;
use crate::AppState;

/// The form as typed (a refused form comes back as filled).
#[derive(Default, Deserialize)]
pub(super) struct RegisterValues {
    #[serde(default)]
    name: String,
    #[serde(default)]
    id_number: String,
    #[serde(default)]
    ethnicity: String,
    #[serde(default)]
    education: String,
    #[serde(default)]
    occupation: String,
    #[serde(default)]
    front_line: Option<String>,
    #[serde(default)]
    phone: String,
    #[serde(default)]
    applied_on: String,
}

/// The fields the form shows a refusal beside.
const REGISTER_FIELDS: [&str; 8] = [
    "name",
    "id_number",
    "ethnicity",
    "education",
    "occupation",
    "phone",
    "applied_on",
    "",
];

#[derive(Template)]
#[template(path = "recruitment_new.html")]
struct RegisterPage {
    title: String,
    nav: Nav,
    org_id: i64,
    org_name: String,
    today: String,
    educations: Vec<&'static str>,
    f: RegisterValues,
    e: Refusal,
}

fn page(
    user: &User,
    org: &jiceng_app::OrgRecord,
    f: RegisterValues,
    e: Refusal,
    today: String,
) -> RegisterPage {
    RegisterPage {
        title: format!("登记入党申请人 · {}", org.org.name),
        nav: Nav::of(user),
        org_id: org.org.id,
        org_name: org.org.name.clone(),
        today,
        educations: Education::ALL.iter().map(|e| e.label()).collect(),
        f,
        e,
    }
}

pub(super) async fn register_form(
    State(state): State<AppState>,
    QueryOrg { user, org }: QueryOrg<User>,
) -> Result<Response, PageError> {
    user.actor.grant::<RecordRecruitment>()?;
    let today = state.app.today().to_string();
    let f = RegisterValues {
        ethnicity: "汉族".into(),
        applied_on: today.clone(),
        ..Default::default()
    };
    html(&page(&user, &org, f, Refusal::default(), today))
}

fn to_new(f: &RegisterValues) -> Result<NewApplicant, Refusal> {
    let applied_on = parse_day(&f.applied_on, "递交申请书日期")
        .map_err(|message| Refusal {
            field: "applied_on",
            message,
        })?
        .ok_or_else(|| Refusal {
            field: "applied_on",
            message: "请填写递交入党申请书的日期".into(),
        })?;
    let opt = |s: &str| Some(s.trim().to_string()).filter(|s| !s.is_empty());
    Ok(NewApplicant {
        name: f.name.clone(),
        id_number: f.id_number.trim().to_string(),
        ethnicity: opt(&f.ethnicity),
        education: opt(&f.education),
        occupation: opt(&f.occupation),
        front_line: f.front_line.is_some(),
        phone: opt(&f.phone),
        applied_on,
    })
}

pub(super) async fn register_submit(
    State(state): State<AppState>,
    QueryOrg { org, .. }: QueryOrg<User>,
    CsrfForm { user, form: f }: CsrfForm<RegisterValues>,
) -> Result<Response, PageError> {
    let grant = user.actor.grant::<RecordRecruitment>()?;
    let refusal = match to_new(&f) {
        Ok(new) => match recruitment::register(&state.app, &grant, &org, &new).await {
            Ok(id) => {
                return Ok(
                    Redirect::to(&format!("/recruitment/people/{id}?done=registered"))
                        .into_response(),
                )
            }
            Err(AppError::Recruitment(r)) => Refusal {
                // The age rule judges step ①'s day: the application's date.
                field: if r.field == "on" {
                    "applied_on"
                } else {
                    r.field
                },
                message: r.message,
            },
            Err(other) => return Err(other.into()),
        },
        Err(r) => r,
    };
    let today = state.app.today().to_string();
    html_status(
        StatusCode::BAD_REQUEST,
        &page(&user, &org, f, refusal, today),
    )
}
