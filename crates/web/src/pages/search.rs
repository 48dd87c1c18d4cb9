//! The header's search (全局搜索, `/search`): orgs, members and units of the user's scope
//! matching one text; the one record found opens straight away. The header's form posts
//! (an ID number then stays out of the URL, as on the roster); a name is answered at
//! `/search?q=` so that its page can be linked and reloaded.

use askama::Template;
use axum::extract::{Query, State};
use axum::response::{IntoResponse, Redirect, Response};
use jiceng_app::access::Action;
use jiceng_app::browse::search::{self, Found, Only};
use jiceng_app::browse::{MemberRow, OrgSummary, Place, UnitRow};
use jiceng_app::meetings::MeetingRow;
use serde::Deserialize;

use super::listing::urlencode;
use super::members::{looks_like_id_number, ID_IN_URL};
use super::{html, Nav};
use crate::error::{PageError, WebError};
use crate::extract::CsrfForm;
use crate::routes::{Guard, Routes, Subject};
use crate::session::User;
use crate::AppState;

pub fn routes() -> Routes {
    Routes::new()
        .get(
            "/search",
            Guard::May(Action::ReadData),
            Subject::None,
            search_page,
        )
        .post(
            "/search",
            Guard::May(Action::ReadData),
            Subject::None,
            search_form,
        )
}

#[derive(Deserialize, Default)]
#[serde(default)]
struct SearchParams {
    q: String,
}

#[derive(Template)]
#[template(path = "search.html")]
struct SearchPage {
    title: String,
    nav: Nav,
    /// The text searched, shown in the box (empty for an ID number).
    q: String,
    /// What was searched, as the caption says it.
    caption: String,
    searched: bool,
    error: Option<String>,
    orgs: Vec<OrgSummary>,
    orgs_total: usize,
    members: Vec<MemberRow>,
    members_total: i64,
    units: Vec<UnitRow>,
    units_total: i64,
    /// Meetings whose topic holds the text, with the org that held each.
    meetings: Vec<(MeetingRow, Place)>,
    meetings_total: i64,
    /// The scope is too large to search meeting topics.
    meetings_skipped: bool,
    /// The full lists (`/orgs?q=`, `/members?q=`, `/units?q=`); empty for an ID number.
    orgs_href: String,
    members_href: String,
    units_href: String,
    meetings_href: String,
}

fn open(only: &Only) -> Redirect {
    Redirect::to(&match only {
        Only::Org(id) => format!("/orgs/{id}"),
        Only::Member(id) => format!("/members/{id}"),
        Only::Meeting(id) => format!("/meetings/{id}"),
    })
}

async fn search_page(
    State(state): State<AppState>,
    user: User,
    Query(p): Query<SearchParams>,
) -> Result<Response, PageError> {
    if looks_like_id_number(&p.q) {
        return Err(PageError(WebError::BadRequest(ID_IN_URL.to_string())));
    }
    answer(&state, &user, p.q.trim(), false).await
}

async fn search_form(
    State(state): State<AppState>,
    CsrfForm { user, form }: CsrfForm<SearchParams>,
) -> Result<Response, PageError> {
    let q = form.q.trim();
    if looks_like_id_number(q) {
        return answer(&state, &user, q, true).await;
    }
    if q.is_empty() {
        return Ok(Redirect::to("/search").into_response());
    }
    // A name: answered at its own address (a single record opens at once from there).
    Ok(Redirect::to(&format!("/search?q={}", urlencode(q))).into_response())
}

async fn answer(
    state: &AppState,
    user: &User,
    q: &str,
    by_id: bool,
) -> Result<Response, PageError> {
    let (found, error) = match search::search(&state.app, &user.actor, q).await {
        Ok(f) => (f, None),
        Err(jiceng_app::AppError::Input(m)) => (
            Found::default(),
            Some(if by_id {
                "公民身份号码无效（请核对校验位和出生日期）".to_string()
            } else {
                m
            }),
        ),
        Err(e) => return Err(e.into()),
    };
    if let Some(only) = found.only() {
        return Ok(open(&only).into_response());
    }
    let caption = if by_id {
        match jiceng_domain::IdNumber::parse(q) {
            Ok(id) => format!("公民身份号码 {}", id.masked()),
            Err(_) => "公民身份号码".to_string(),
        }
    } else {
        format!("“{q}”")
    };
    let list = |path: &str| {
        if by_id {
            String::new()
        } else {
            format!("{path}?q={}", urlencode(q))
        }
    };
    html(&SearchPage {
        title: if q.is_empty() {
            "搜索".into()
        } else {
            format!("搜索 {caption}")
        },
        nav: Nav::of(user),
        q: if by_id { String::new() } else { q.to_string() },
        caption,
        searched: !q.is_empty(),
        error,
        orgs_href: list("/orgs"),
        members_href: list("/members"),
        units_href: list("/units"),
        meetings_href: if by_id {
            String::new()
        } else {
            format!("/meetings?topic={}", urlencode(q))
        },
        meetings_total: found.meetings_total(),
        meetings_skipped: found.meetings_skipped,
        meetings: found
            .meetings
            .map(|p| p.rows.iter().map(|r| (r.clone(), p.place(r))).collect())
            .unwrap_or_default(),
        orgs: found.orgs,
        orgs_total: found.orgs_total,
        members: found.members,
        members_total: found.members_total,
        units: found.units,
        units_total: found.units_total,
    })
}
