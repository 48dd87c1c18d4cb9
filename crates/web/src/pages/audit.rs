//! The audit log for its readers, and its export for the assessor.

use askama::Template;
use axum::extract::{Query, State};
use axum::response::Response;
use jiceng_app::access::Action;
use serde::Deserialize;

use super::{html, xlsx, Nav, Pager};
use crate::error::PageError;
use crate::routes::{Guard, Routes, Subject};
use crate::session::User;
use crate::AppState;

pub fn routes() -> Routes {
    Routes::new()
        .get(
            "/audit",
            Guard::May(Action::ReadAudit),
            Subject::None,
            audit_log,
        )
        .get(
            "/audit/export.xlsx",
            Guard::May(Action::ReadAudit),
            Subject::None,
            audit_export,
        )
}

// ---------------------------------------------------------------- audit log

#[derive(Template)]
#[template(path = "audit.html")]
struct AuditPage {
    title: String,
    nav: Nav,
    entries: Vec<jiceng_app::audit::AuditEntry>,
    pager: Pager,
}

#[derive(Deserialize)]
struct PageParam {
    page: Option<i64>,
}

async fn audit_log(
    State(state): State<AppState>,
    user: User,
    Query(q): Query<PageParam>,
) -> Result<Response, PageError> {
    let page = q.page.unwrap_or(1).max(1);
    let (entries, total) =
        jiceng_app::audit::list(&state.app, &user.actor.grant()?, page, 50).await?;
    let pages = ((total + 49) / 50).max(1);
    html(&AuditPage {
        title: "审计日志".into(),
        nav: Nav::of(&user),
        entries,
        pager: Pager::new("/audit", &[], page, pages, total),
    })
}

#[derive(Deserialize)]
struct PeriodParam {
    from: Option<String>,
    to: Option<String>,
}

fn day(name: &str, v: &Option<String>) -> Result<Option<chrono::NaiveDate>, jiceng_app::AppError> {
    match v.as_deref().map(str::trim).filter(|s| !s.is_empty()) {
        None => Ok(None),
        Some(s) => chrono::NaiveDate::parse_from_str(s, "%Y-%m-%d")
            .map(Some)
            .map_err(|_| {
                jiceng_app::AppError::Input(format!("{name}“{s}”不是日期（应为 YYYY-MM-DD）"))
            }),
    }
}

/// The audit log of the reader's scope for the assessor, `?from=&to=` (days, UTC);
/// the export is itself recorded.
async fn audit_export(
    State(state): State<AppState>,
    user: User,
    Query(q): Query<PeriodParam>,
) -> Result<Response, PageError> {
    let period = jiceng_app::audit::Period {
        from: day("起始日期", &q.from)?,
        to: day("截止日期", &q.to)?,
    };
    let (_, bytes) = jiceng_app::audit::export(&state.app, &user.actor.grant()?, period).await?;
    Ok(xlsx("审计日志.xlsx", bytes))
}
