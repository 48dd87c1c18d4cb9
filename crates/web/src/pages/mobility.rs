//! 流动党员 and 失联党员: who in an org's subtree is away or lost now, with what the rules
//! propose for each (应转移组织关系, 停止党籍, 除名), and the member page's forms that record
//! them; and the 流入党员 a branch registers, who take part in its life without a vote
//! (`jiceng_app::mobile_in`). The same use cases as the API.

use askama::Template;
use axum::extract::{Path, State};
use axum::response::{IntoResponse, Redirect, Response};
use jiceng_app::access::{Action, InScope, Write};
use jiceng_app::mobile_in::{self, GuestInput};
use jiceng_app::mobility::{self, Mobility, MobilityInput};
use jiceng_app::{AppError, OrgRecord};
use jiceng_domain::OrgKind;
use serde::Deserialize;

use super::refusal::Refusal;
use crate::error::{PageError, WebError};
use crate::extract::{CsrfForm, QueryOrg};
use crate::pages::{html, html_status, Nav};
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
            "/mobility/in",
            Guard::May(Action::Write),
            Subject::QueryOrg,
            register_guest,
        )
        .post(
            "/mobility/in/leave",
            Guard::May(Action::Write),
            Subject::QueryOrg,
            guest_leaves,
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
    /// The org is a branch and the reader may register 流入党员 there.
    can_register: bool,
    can_write: bool,
    typed: GuestForm,
    refusal: Refusal,
    done: String,
}

#[derive(Default, Deserialize)]
struct PageQuery {
    #[serde(default)]
    done: String,
}

async fn mobility_page(
    State(state): State<AppState>,
    QueryOrg { user, org }: QueryOrg<User>,
    axum::extract::Query(q): axum::extract::Query<PageQuery>,
) -> Result<Response, PageError> {
    let page = page(
        &state,
        &user,
        &org,
        GuestForm::default(),
        Refusal::default(),
    )
    .await?;
    html(&MobilityPage {
        done: q.done,
        ..page
    })
}

async fn page(
    state: &AppState,
    user: &User,
    org: &InScope<OrgRecord>,
    typed: GuestForm,
    refusal: Refusal,
) -> Result<MobilityPage, PageError> {
    let m = mobility::mobility(&state.app, org).await?;
    let can_write = user.actor.may(Action::Write);
    Ok(MobilityPage {
        title: format!("流动党员和失联党员 · {}", m.org.name),
        nav: Nav::of(user),
        can_register: can_write && org.org.kind == OrgKind::Branch,
        can_write,
        typed,
        refusal,
        done: String::new(),
        m,
    })
}

/// The registration form of a 流入党员, as typed (kept when refused).
#[derive(Default, Deserialize)]
struct GuestForm {
    #[serde(default)]
    name: String,
    #[serde(default)]
    id_number: String,
    #[serde(default)]
    home_org: String,
    #[serde(default)]
    since: String,
    #[serde(default)]
    contact: String,
    #[serde(default)]
    certificate_no: String,
}

async fn register_guest(
    State(state): State<AppState>,
    QueryOrg { org, .. }: QueryOrg<User>,
    CsrfForm { user, form: f }: CsrfForm<GuestForm>,
) -> Result<Response, PageError> {
    let grant = user.actor.grant::<Write>()?;
    let opt = |s: &str| Some(s.trim().to_string()).filter(|s| !s.is_empty());
    let refusal = match parse_day(&f.since, "流入日期") {
        Err(message) => Refusal {
            field: "since",
            message,
        },
        Ok(None) => Refusal {
            field: "since",
            message: "请填写流入日期（开始在本支部参加组织生活的日期）".into(),
        },
        Ok(Some(since)) => {
            let input = GuestInput {
                name: f.name.clone(),
                id_number: f.id_number.clone(),
                home_org: opt(&f.home_org),
                since,
                contact: opt(&f.contact),
                certificate_no: opt(&f.certificate_no),
            };
            match mobile_in::register(&state.app, &grant, &org, &input).await {
                Ok(_) => {
                    return Ok(Redirect::to(&format!(
                        "/mobility?org={}&done=guest#incoming",
                        org.org.id
                    ))
                    .into_response())
                }
                Err(e) => Refusal::of(e)?,
            }
        }
    };
    let page = page(&state, &user, &org, f, refusal).await?;
    html_status(page.refusal.status(), &page)
}

#[derive(Default, Deserialize)]
struct LeaveForm {
    #[serde(default)]
    guest: String,
    #[serde(default)]
    on: String,
}

async fn guest_leaves(
    State(state): State<AppState>,
    QueryOrg { org, .. }: QueryOrg<User>,
    CsrfForm { user, form: f }: CsrfForm<LeaveForm>,
) -> Result<Response, PageError> {
    let grant = user.actor.grant::<Write>()?;
    let id: i64 = f
        .guest
        .trim()
        .parse()
        .map_err(|_| PageError(WebError::BadRequest("请选择流入党员".into())))?;
    let refusal = match parse_day(&f.on, "离开日期") {
        Err(message) => Refusal {
            field: "on",
            message,
        },
        Ok(None) => Refusal {
            field: "on",
            message: "请填写离开日期".into(),
        },
        Ok(Some(on)) => match mobile_in::leave(&state.app, &grant, &org, id, on).await {
            Ok(()) => {
                return Ok(Redirect::to(&format!(
                    "/mobility?org={}&done=left#incoming",
                    org.org.id
                ))
                .into_response())
            }
            Err(e) => Refusal::of(e)?,
        },
    };
    let page = page(&state, &user, &org, GuestForm::default(), refusal).await?;
    html_status(page.refusal.status(), &page)
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
