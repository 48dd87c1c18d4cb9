//! 流动党员 and 失联党员: who in an org's subtree is away or lost now, with what the rules
//! propose for each (应转移组织关系, 停止党籍, 除名), and the member page's forms that record
//! them. The same use cases as the API (`jiceng_app::mobility`).

use askama::Template;
use axum::extract::{Path, State};
use axum::response::{IntoResponse, Redirect, Response};
use jiceng_app::access::{Action, Write};
use jiceng_app::mobility::{self, Mobility, MobilityInput};
use jiceng_app::AppError;
use serde::Deserialize;

use crate::error::{PageError, WebError};
use crate::extract::{CsrfForm, QueryOrg};
use crate::pages::{html, Nav};
use crate::parse::parse_day;
use crate::routes::{Guard, Routes, Subject};
use crate::session::User;
use crate::AppState;

pub fn routes() -> Routes {
    Routes::new()
        .get(
            "/mobility",
            Guard::May(Action::ReadData),
            Subject::QueryOrg,
            mobility_page,
        )
        .post(
            "/members/{id}/mobility",
            Guard::May(Action::Write),
            Subject::Member,
            record,
        )
}

#[derive(Template)]
#[template(path = "mobility.html")]
struct MobilityPage {
    title: String,
    nav: Nav,
    m: Mobility,
}

async fn mobility_page(
    State(state): State<AppState>,
    QueryOrg { user, org }: QueryOrg<User>,
) -> Result<Response, PageError> {
    let m = mobility::mobility(&state.app, &org).await?;
    html(&MobilityPage {
        title: format!("流动党员和失联党员 · {}", m.org.name),
        nav: Nav::of(&user),
        m,
    })
}

#[derive(Default, Deserialize)]
struct MobilityForm {
    #[serde(default)]
    action: String,
    #[serde(default)]
    on: String,
    #[serde(default)]
    place: String,
    #[serde(default)]
    contact: String,
    #[serde(default)]
    certificate_no: String,
    #[serde(default)]
    decided_by: String,
    #[serde(default)]
    document: String,
}

/// Records one action from the member page; a refusal answers with its reason (400), the
/// member page's forms keep nothing typed but the reason says what to change.
async fn record(
    State(state): State<AppState>,
    Path(id): Path<i64>,
    CsrfForm { user, form: f }: CsrfForm<MobilityForm>,
) -> Result<Response, PageError> {
    let grant = user.actor.grant::<Write>()?;
    let opt = |s: &str| Some(s.trim().to_string()).filter(|s| !s.is_empty());
    let on = parse_day(&f.on, "日期")
        .map_err(|m| PageError(WebError::BadRequest(m)))?
        .ok_or_else(|| PageError(WebError::BadRequest("请填写日期".into())))?;
    let input = MobilityInput {
        action: f.action.clone(),
        on,
        place: opt(&f.place),
        contact: opt(&f.contact),
        certificate_no: opt(&f.certificate_no),
        decided_by: opt(&f.decided_by),
        document: opt(&f.document),
    };
    match mobility::record(&state.app, &grant, id, &input).await {
        Ok(()) => Ok(Redirect::to(&format!("/members/{id}?done=mobility")).into_response()),
        Err(AppError::MemberLife(r)) => Err(PageError(WebError::BadRequest(r.message))),
        Err(other) => Err(other.into()),
    }
}
