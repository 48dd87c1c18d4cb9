//! A meeting's page, the org's organizational-life tab and the meeting list with its
//! export.

use askama::Template;
use axum::extract::{Path, Query, State};
use axum::response::Response;
use chrono::Datelike;
use jiceng_app::access::{self, Action, OrgKey};
use jiceng_app::browse;
use jiceng_app::meetings::{self, MeetingRow, MeetingView};
use jiceng_app::reports::compliance;
use jiceng_domain::Period;
use serde::Deserialize;

use super::heat::{heat_map, HeatMap};
use super::{freshness, DoneParam, PAGE};
use crate::charts;
use crate::error::PageError;
use crate::extract::{PathOrg, QueryOrg};
use crate::pages::{html, xlsx, Nav, Pager};
use crate::session::User;
use crate::AppState;

#[derive(Template)]
#[template(path = "life_meeting.html")]
pub(super) struct MeetingPage {
    title: String,
    nav: Nav,
    m: MeetingView,
    rate: String,
    /// `recorded` or `corrected`, for the flash; empty: none.
    done: String,
    breadcrumb: Vec<(i64, String)>,
    /// The reader may correct or void the record.
    can_change: bool,
    /// Why voiding (or an upload) was refused.
    refused: Option<String>,
    attachments: Vec<jiceng_app::meetings::attachments::AttachmentView>,
}

pub(super) async fn meeting_page(
    State(state): State<AppState>,
    user: User,
    Path(id): Path<i64>,
    Query(q): Query<DoneParam>,
) -> Result<Response, PageError> {
    let page = meeting_view(&state, &user, id, q.done.unwrap_or_default(), None).await?;
    html(&page)
}

/// The meeting's page, with the flash of `done` or the refusal of a void.
pub(super) async fn meeting_view(
    state: &AppState,
    user: &User,
    id: i64,
    done: String,
    refused: Option<String>,
) -> Result<MeetingPage, PageError> {
    let m = meetings::get(&state.app, &user.actor, id).await?;
    let branch = access::resolve(&state.app, &user.actor, &OrgKey::Id(m.branch_id)).await?;
    let breadcrumb = browse::breadcrumb(&state.app, &user.actor, &branch).await?;
    let attachments = meetings::attachments::list(&state.app, &user.actor, id).await?;
    Ok(MeetingPage {
        attachments,
        title: format!("{} · {}", m.label, m.topic),
        nav: Nav::of(user),
        rate: charts::pct(m.attendance_rate),
        done,
        breadcrumb,
        can_change: user.actor.may(Action::RecordLife),
        refused,
        m,
    })
}

// ---------------------------------------------------------------- the org's tab

#[derive(Template)]
#[template(path = "life_org.html")]
struct OrgLifePage {
    /// A meeting was just voided.
    voided: bool,
    title: String,
    nav: Nav,
    org_id: i64,
    org_name: String,
    kind_label: String,
    is_branch: bool,
    can_write: bool,
    open: usize,
    month_label: String,
    rate: String,
    branches: i64,
    compliant: i64,
    held_nothing: i64,
    heat: Option<HeatMap>,
    recent: Vec<MeetingRow>,
    total: i64,
    freshness: String,
}

pub(super) async fn org_life(
    State(state): State<AppState>,
    PathOrg { user, org }: PathOrg<User>,
    Query(q): Query<DoneParam>,
) -> Result<Response, PageError> {
    let id = org.org.id;
    let today = state.app.today();
    let month = Period::month_of(today);
    let is_branch = org.org.kind == jiceng_domain::OrgKind::Branch;
    let o = compliance::overview(&state.app, &org, month).await?;
    let (open, heat) = if is_branch {
        let d = meetings::due(&state.app, &org, today).await?;
        let year = Period::year_of(today);
        let r = compliance::run(&state.app, &org, year).await?;
        (
            d.items.len(),
            Some(heat_map(today.year(), &r.calendar, today)),
        )
    } else {
        (0, None)
    };
    let (recent, total) = meetings::list_under(&state.app, &org, 1, 10).await?;
    html(&OrgLifePage {
        voided: q.done.as_deref() == Some("voided"),
        title: format!("组织生活 · {}", org.org.name),
        nav: Nav::of(&user),
        org_id: id,
        org_name: org.org.name.clone(),
        kind_label: org.org.kind.label().to_string(),
        is_branch,
        can_write: user.actor.may(Action::RecordLife),
        open,
        month_label: month.label(),
        rate: charts::pct(o.org.rate),
        branches: o.org.branches,
        compliant: o.org.compliant,
        held_nothing: o.org.held_nothing,
        heat,
        recent,
        total,
        freshness: freshness(&state, Some(&o)),
    })
}

// ---------------------------------------------------------------- meeting list

/// The query of the meeting list; `?org=` is read by [`QueryOrg`].
#[derive(Deserialize)]
pub(super) struct ListParams {
    page: Option<i64>,
    /// Words of the topic.
    topic: Option<String>,
    /// A kind's code (`ThemeDay`…); empty: all.
    kind: Option<String>,
}

#[derive(Template)]
#[template(path = "life_meetings.html")]
struct MeetingsPage {
    title: String,
    nav: Nav,
    org_id: i64,
    org_name: String,
    /// Each row with the org that held it and the org above it.
    rows: Vec<(MeetingRow, browse::Place)>,
    total: i64,
    topic: String,
    /// (code, label, selected) of each kind.
    kinds: Vec<(&'static str, &'static str, bool)>,
    filtered: bool,
    pager: Pager,
}

pub(super) async fn meetings_page(
    State(state): State<AppState>,
    QueryOrg { user, org }: QueryOrg<User>,
    Query(p): Query<ListParams>,
) -> Result<Response, PageError> {
    let page = p.page.unwrap_or(1).max(1);
    let kind = crate::parse::parse_kind(p.kind.as_deref().unwrap_or(""))
        .map_err(|e| PageError(crate::error::WebError::BadRequest(e)))?;
    let topic = p.topic.unwrap_or_default().trim().to_string();
    let q = meetings::MeetingQuery {
        topic: Some(topic.clone()),
        kind,
    };
    let found = meetings::page_under(&state.app, &org, &q, page, PAGE).await?;
    let pages = ((found.total + PAGE - 1) / PAGE).max(1);
    let mut keep = vec![("org", org.org.id.to_string())];
    if !topic.is_empty() {
        keep.push(("topic", topic.clone()));
    }
    if let Some(k) = kind {
        keep.push(("kind", k.code().to_string()));
    }
    html(&MeetingsPage {
        title: format!("会议记录 · {}", org.org.name),
        nav: Nav::of(&user),
        org_id: org.org.id,
        org_name: org.org.name.clone(),
        rows: found
            .rows
            .iter()
            .map(|r| (r.clone(), found.place(r)))
            .collect(),
        total: found.total,
        filtered: !topic.is_empty() || kind.is_some(),
        kinds: jiceng_domain::MeetingKind::ALL
            .iter()
            .map(|k| (k.code(), k.label(), Some(*k) == kind))
            .collect(),
        topic,
        pager: Pager::new("/meetings", &keep, page, pages, found.total),
    })
}

pub(super) async fn meetings_export(
    State(state): State<AppState>,
    QueryOrg { user, org }: QueryOrg<User>,
) -> Result<Response, PageError> {
    let sheet = meetings::export_sheet(&state.app, &org).await?;
    let title = format!("{} 会议记录", org.org.name);
    let bytes =
        jiceng_app::export::workbook(&state.app, &user.actor, "meetings", Some(&org), &[sheet])
            .await?;
    Ok(xlsx(&format!("{title}.xlsx"), bytes))
}
