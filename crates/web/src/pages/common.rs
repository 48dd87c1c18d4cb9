//! Helpers the report pages share (rating, weak organizations, rectification): the year
//! asked, the years offered, a per-org page's redirect for orgs that are not rated, the
//! org of a form after its CSRF check, and the audited workbook export.

use axum::response::{IntoResponse, Redirect, Response};
use chrono::Datelike;
use jiceng_app::access::{self, InScope, OrgKey};
use jiceng_app::OrgRecord;
use jiceng_io::Sheet;

use super::xlsx;
use crate::error::{PageError, WebError};
use crate::session::User;
use crate::AppState;

/// The year of `?year=` (default: this year).
pub(super) fn year_of(state: &AppState, year: &Option<String>) -> Result<i32, PageError> {
    match year.as_deref().map(str::trim).filter(|s| !s.is_empty()) {
        None => Ok(state.app.today().year()),
        Some(y) => y
            .parse()
            .map_err(|_| PageError(WebError::BadRequest(format!("年度无效：{y}")))),
    }
}

/// The years offered in the year picker: this one and the four before.
pub(super) fn years(state: &AppState) -> Vec<i32> {
    let now = state.app.today().year();
    (now - 4..=now).rev().collect()
}

/// The org of a per-org page (already resolved in scope by `PathOrg`) and the year asked.
/// An org that is not rated itself (a county or city committee) is answered with a
/// redirect to the subtree's `/reports/{report}` page instead (`Err`).
pub(super) fn rated_org(
    state: &AppState,
    org: InScope<OrgRecord>,
    year: &Option<String>,
    report: &str,
) -> Result<Result<(InScope<OrgRecord>, i32), Response>, PageError> {
    let year = year_of(state, year)?;
    if !jiceng_domain::rating::is_rated(org.org.kind) {
        return Ok(Err(Redirect::to(&format!(
            "/reports/{report}?org={}&year={year}",
            org.org.id
        ))
        .into_response()));
    }
    Ok(Ok((org, year)))
}

/// The org a form names (an id, a code or an exact name), resolved in the user's scope
/// after the form's CSRF token was checked (a form is refused for its token before its
/// org is looked at, as before the extractors).
pub(super) async fn form_org(
    state: &AppState,
    user: &User,
    key: &str,
) -> Result<InScope<OrgRecord>, PageError> {
    let key = OrgKey::Key(key.trim().to_string());
    Ok(access::resolve(&state.app, &user.actor, &key).await?)
}

/// A report's workbook for `org` and `year`, audited as an export.
pub(super) async fn export(
    state: &AppState,
    user: &User,
    what: &str,
    org: &OrgRecord,
    year: i32,
    sheets: Vec<Sheet>,
) -> Result<Response, PageError> {
    let bytes = jiceng_app::export::workbook(
        &state.app,
        &user.actor,
        &format!("report:{what}"),
        Some(org),
        &sheets,
    )
    .await?;
    Ok(xlsx(&format!("{what}-{}-{year}.xlsx", org.org.name), bytes))
}

/// One tab of the report pages' strip.
pub struct Tab {
    pub href: String,
    pub label: &'static str,
    pub active: bool,
}

/// The report pages' tabs for `org`, with `active` (a report's path name) marked.
pub(super) fn tabs(org: i64, active: &str) -> Vec<Tab> {
    [
        ("structure", "组织设置"),
        ("coverage", "覆盖情况"),
        ("members", "党员队伍结构"),
        ("compliance", "组织生活"),
        ("ratings", "星级评定"),
        ("weak", "软弱涣散"),
        ("rectification", "整顿进展"),
    ]
    .iter()
    .map(|(k, l)| Tab {
        href: format!("/reports/{k}?org={org}"),
        label: l,
        active: *k == active,
    })
    .collect()
}
