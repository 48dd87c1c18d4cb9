//! 发展党员计划: an org's plan for a year (total and the five structure targets), set by
//! a committee or department; a plan that does not fit the parent's, or the plans below,
//! comes back at the form with the reason.

use std::collections::BTreeMap;

use askama::Template;
use axum::extract::{Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use jiceng_app::access::PlanRecruitment;
use jiceng_app::recruitment::plan::{self, Plan, TARGETS};
use jiceng_app::{AppError, OrgRecord};
use serde::Deserialize;

use super::overview::YearQuery;
use crate::error::PageError;
use crate::extract::{CsrfForm, QueryOrg};
use crate::pages::{html, html_status, Nav};
use crate::session::User;
use crate::AppState;

/// The form as typed: the total and each structure target by key (empty: no target).
#[derive(Default, Deserialize)]
pub(super) struct PlanValues {
    #[serde(default)]
    target: String,
    #[serde(flatten)]
    structure: BTreeMap<String, String>,
}

/// One field of the form.
pub struct Field {
    pub key: &'static str,
    pub label: &'static str,
    pub value: String,
}

#[derive(Template)]
#[template(path = "recruitment_plan.html")]
struct PlanPage {
    title: String,
    nav: Nav,
    org_id: i64,
    org_name: String,
    year: i32,
    target: String,
    fields: Vec<Field>,
    error: Option<String>,
}

fn page(
    user: &User,
    org: &OrgRecord,
    year: i32,
    f: &PlanValues,
    error: Option<String>,
) -> PlanPage {
    PlanPage {
        title: format!("{year}年发展党员计划 · {}", org.org.name),
        nav: Nav::of(user),
        org_id: org.org.id,
        org_name: org.org.name.clone(),
        year,
        target: f.target.clone(),
        fields: TARGETS
            .iter()
            .map(|(key, label)| Field {
                key,
                label,
                value: f.structure.get(*key).cloned().unwrap_or_default(),
            })
            .collect(),
        error,
    }
}

pub(super) async fn plan_form(
    State(state): State<AppState>,
    QueryOrg { user, org }: QueryOrg<User>,
    Query(q): Query<YearQuery>,
) -> Result<Response, PageError> {
    user.actor.grant::<PlanRecruitment>()?;
    let year = q.or(chrono::Datelike::year(&state.app.today()));
    let now = plan::fulfilment(&state.app, &org, year).await?.root;
    let shown = |n: Option<i64>| n.map(|n| n.to_string()).unwrap_or_default();
    let f = PlanValues {
        target: shown(now.target),
        structure: now
            .structure
            .iter()
            .map(|(k, t)| (k.to_string(), shown(t.target)))
            .collect(),
    };
    html(&page(&user, &org, year, &f, None))
}

/// A count as typed: empty is none, anything else a whole number of people.
fn count(s: &str, label: &str) -> Result<Option<i64>, String> {
    let s = s.trim();
    if s.is_empty() {
        return Ok(None);
    }
    s.parse::<i64>()
        .map(Some)
        .map_err(|_| format!("{label}应填写人数（整数）：{s}"))
}

fn to_plan(f: &PlanValues) -> Result<Plan, String> {
    let target = count(&f.target, "计划总数")?.ok_or("请填写发展党员计划总数")?;
    let mut structure = BTreeMap::new();
    for (key, label) in TARGETS {
        let typed = f.structure.get(key).map_or("", String::as_str);
        if let Some(n) = count(typed, label)? {
            structure.insert(key.to_string(), n);
        }
    }
    Ok(Plan { target, structure })
}

pub(super) async fn plan_submit(
    State(state): State<AppState>,
    QueryOrg { org, .. }: QueryOrg<User>,
    Query(q): Query<YearQuery>,
    CsrfForm { user, form: f }: CsrfForm<PlanValues>,
) -> Result<Response, PageError> {
    let grant = user.actor.grant::<PlanRecruitment>()?;
    let year = q.or(chrono::Datelike::year(&state.app.today()));
    let error = match to_plan(&f) {
        Ok(p) => match plan::set_plan(&state.app, &grant, &org, year, &p).await {
            Ok(()) => {
                let to = format!("/recruitment?org={}&year={year}#overview", org.org.id);
                return Ok(Redirect::to(&to).into_response());
            }
            Err(AppError::Recruitment(r)) => r.message,
            Err(other) => return Err(other.into()),
        },
        Err(message) => message,
    };
    html_status(
        StatusCode::BAD_REQUEST,
        &page(&user, &org, year, &f, Some(error)),
    )
}
