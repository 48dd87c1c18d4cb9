//! Referrals (issue #11): import rows (and org codes from forms) that collided with a
//! record outside the importer's scope, waiting for the department or committee whose
//! scope holds both places — listed, then settled or dismissed with a reason (audited).

use askama::Template;
use axum::extract::{Path, Query, State};
use axum::response::{IntoResponse, Redirect, Response};
use jiceng_app::referral::ReferralStatus;
use jiceng_app::referral::{self, ReferralPage};
use serde::Deserialize;

use super::{html, Nav, Pager};
use crate::error::PageError;
use crate::extract::CsrfForm;
use crate::routes::{Guard, Routes, Subject};
use crate::session::User;
use crate::AppState;
use jiceng_app::access::Action;

pub fn routes() -> Routes {
    Routes::new()
        .get(
            "/referrals",
            Guard::May(Action::HandleReferrals),
            Subject::None,
            list,
        )
        .post(
            "/referrals/{id}/close",
            Guard::May(Action::HandleReferrals),
            Subject::Referral,
            close,
        )
}

#[derive(Deserialize, Default)]
struct ListQuery {
    status: Option<String>,
    page: Option<i64>,
    done: Option<String>,
}

/// The status filter of a query: pending unless `all` (or another status) is asked for.
pub(crate) fn status_param(s: Option<&str>) -> Option<ReferralStatus> {
    match s.map(str::trim).filter(|s| !s.is_empty()) {
        None => Some(ReferralStatus::Pending),
        Some("all") => None,
        Some(s) => Some(ReferralStatus::from_code(s).unwrap_or(ReferralStatus::Pending)),
    }
}

/// A UTC instant as China Standard Time, to the minute.
pub(crate) fn cst(at: &str) -> String {
    chrono::DateTime::parse_from_rfc3339(at)
        .map(|t| {
            t.with_timezone(&chrono::FixedOffset::east_opt(8 * 3600).expect("UTC+8"))
                .format("%Y-%m-%d %H:%M")
                .to_string()
        })
        .unwrap_or_else(|_| at.to_string())
}

struct Row {
    v: referral::ReferralView,
    created: String,
    settled: String,
    pending: bool,
}

#[derive(Template)]
#[template(path = "referrals.html")]
struct ListPage {
    title: String,
    nav: Nav,
    all: bool,
    rows: Vec<Row>,
    pager: Pager,
    flash: Option<String>,
    error: Option<String>,
}

async fn render(
    state: &AppState,
    user: &User,
    q: &ListQuery,
    error: Option<String>,
) -> Result<Response, PageError> {
    let status = status_param(q.status.as_deref());
    let grant = user.actor.grant::<jiceng_app::access::HandleReferrals>()?;
    let page: ReferralPage =
        referral::list(&state.app, &grant, status, q.page.unwrap_or(1), 20).await?;
    let all = status.is_none();
    let params = vec![(
        "status",
        if all {
            "all".to_string()
        } else {
            String::new()
        },
    )];
    let pager = Pager::new("/referrals", &params, page.page, page.pages(), page.total);
    let rows = page
        .items
        .into_iter()
        .map(|v| Row {
            created: cst(&v.created_at),
            settled: v.settled_at.as_deref().map(cst).unwrap_or_default(),
            pending: v.status == "pending",
            v,
        })
        .collect();
    html(&ListPage {
        title: "导入转办事项".into(),
        nav: Nav::of(user),
        all,
        rows,
        pager,
        flash: q
            .done
            .as_deref()
            .filter(|d| *d == "closed")
            .map(|_| "已处理并记入审计日志".to_string()),
        error,
    })
}

async fn list(
    State(state): State<AppState>,
    user: User,
    Query(q): Query<ListQuery>,
) -> Result<Response, PageError> {
    render(&state, &user, &q, None).await
}

#[derive(Deserialize, Default)]
#[serde(default)]
struct CloseForm {
    decision: String,
    reason: String,
}

async fn close(
    State(state): State<AppState>,
    Path(id): Path<i64>,
    CsrfForm { user, form: f }: CsrfForm<CloseForm>,
) -> Result<Response, PageError> {
    let settled = match f.decision.as_str() {
        "settle" => true,
        "dismiss" => false,
        other => {
            return Err(PageError(crate::error::WebError::BadRequest(format!(
                "处理方式应为办结（settle）或驳回（dismiss）：{other}"
            ))))
        }
    };
    let grant = user.actor.grant::<jiceng_app::access::HandleReferrals>()?;
    match referral::close(&state.app, &grant, id, settled, &f.reason).await {
        Ok(()) => Ok(Redirect::to("/referrals?done=closed").into_response()),
        Err(jiceng_app::AppError::Input(m)) => {
            render(&state, &user, &ListQuery::default(), Some(m)).await
        }
        Err(e) => Err(e.into()),
    }
}
