//! Helpers the report pages share (rating, weak organizations, rectification): the year
//! asked, the years offered, one org's page (`OrgReport`: the redirect for orgs that are
//! not rated, the notice after a step, the refusal of a form), the org of a form after its
//! CSRF check, and the audited workbook export.

use std::future::Future;

use axum::extract::{Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use chrono::Datelike;
use jiceng_app::access::{self, InScope, OrgKey};
use jiceng_app::{AppError, OrgRecord};
use jiceng_io::Sheet;
use serde::Deserialize;

use super::xlsx;
use crate::error::{PageError, WebError};
use crate::extract::PathOrg;
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
fn rated_org(
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

/// `?year=&done=` of one org's report page.
#[derive(Deserialize)]
pub(super) struct YearParams {
    year: Option<String>,
    done: Option<String>,
}

/// What one org's report page shows besides its figures: the notice after a step (200), or
/// a form's refusal (400) with the reason as it was typed.
pub(super) struct Notice {
    pub flash: Option<String>,
    pub error: Option<String>,
    pub reason: String,
    pub status: StatusCode,
}

impl Notice {
    fn shown(flash: Option<String>) -> Notice {
        Notice {
            flash,
            error: None,
            reason: String::new(),
            status: StatusCode::OK,
        }
    }

    fn refused(error: String, reason: String) -> Notice {
        Notice {
            flash: None,
            error: Some(error),
            reason,
            status: StatusCode::BAD_REQUEST,
        }
    }
}

/// One org's report page being answered: who asks, about which org and year.
#[derive(Clone, Copy)]
pub(super) struct OrgYear<'a> {
    pub state: &'a AppState,
    pub user: &'a User,
    pub org: &'a InScope<OrgRecord>,
    pub year: i32,
}

/// Where one org's report page is and what its `?done=` notices say.
pub(super) struct Page {
    /// The subtree's report (`/reports/{report}`), where an org that is not rated goes.
    report: &'static str,
    /// The org's page, `/orgs/{id}/{page}`.
    page: &'static str,
    /// `?done=` and its notice.
    done: &'static [(&'static str, &'static str)],
}

pub(super) const RATING: Page = Page {
    report: "ratings",
    page: "rating",
    done: &[
        ("rated", "已完成本年度评定"),
        ("adjusted", "已调整星级（已记入审计日志）"),
        ("unadjusted", "已撤销人工调整（已记入审计日志）"),
    ],
};

pub(super) const WEAK: Page = Page {
    report: "weak",
    page: "weak",
    done: &[
        ("confirmed", "已确定该问题并记入整顿台账（已记入审计日志）"),
        ("dismissed", "已排除该问题（已记入审计日志）"),
    ],
};

pub(super) const CASE: Page = Page {
    report: "rectification",
    page: "rectification",
    done: &[
        ("plan", "已加入整改措施"),
        ("assign", "已落实帮扶"),
        ("progress", "已记录整改进展"),
        ("complete", "已标记措施完成"),
        ("extend", "已延期整改"),
        ("accept", "已验收销号"),
        ("review", "已记录回头看"),
    ],
};

impl Page {
    /// The notice of `?done=`.
    pub fn flash(&self, done: Option<&str>) -> Option<String> {
        let done = done?;
        self.done
            .iter()
            .find(|(d, _)| *d == done)
            .map(|(_, text)| text.to_string())
    }
}

/// One org's page of a report (its rating, its diagnosis, its rectification case).
pub(super) trait OrgReport {
    const PAGE: Page;

    /// The page of `at`, with `notice`.
    fn render(
        at: OrgYear<'_>,
        notice: Notice,
    ) -> impl Future<Output = Result<Response, PageError>> + Send;
}

/// The handler of one org's report page (`GET /orgs/{id}/{page}`).
pub(super) async fn org_page<R: OrgReport>(
    State(state): State<AppState>,
    PathOrg { user, org }: PathOrg<User>,
    Query(p): Query<YearParams>,
) -> Result<Response, PageError> {
    let (org, year) = match rated_org(&state, org, &p.year, R::PAGE.report)? {
        Ok(x) => x,
        Err(redirect) => return Ok(redirect),
    };
    let at = OrgYear {
        state: &state,
        user: &user,
        org: &org,
        year,
    };
    R::render(at, Notice::shown(R::PAGE.flash(p.done.as_deref()))).await
}

/// The answer to a form on one org's report page: back to the page with `?done=` (what
/// `result` says was done), or the page again with the refusal of bad input (400) and the
/// reason as typed.
pub(super) async fn after_form<R: OrgReport>(
    state: &AppState,
    user: &User,
    org: &InScope<OrgRecord>,
    year: i32,
    result: Result<String, AppError>,
    reason: &str,
) -> Result<Response, PageError> {
    let at = OrgYear {
        state,
        user,
        org,
        year,
    };
    match result {
        Ok(done) => Ok(Redirect::to(&format!(
            "/orgs/{}/{}?year={}&done={done}",
            at.org.org.id,
            R::PAGE.page,
            at.year
        ))
        .into_response()),
        Err(AppError::Input(msg)) => R::render(at, Notice::refused(msg, reason.to_string())).await,
        Err(e) => Err(e.into()),
    }
}

/// The org of a per-org form (its path's `{id}`) and the form's year.
pub(super) async fn form_org_year(
    state: &AppState,
    user: &User,
    key: &str,
    year: &str,
) -> Result<(InScope<OrgRecord>, i32), PageError> {
    let org = form_org(state, user, key).await?;
    let year = year_of(state, &Some(year.to_string()))?;
    Ok((org, year))
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

/// A report's workbook for `org` (and `year`, when the report is of one), audited as an
/// export.
pub(super) async fn export(
    state: &AppState,
    user: &User,
    what: &str,
    org: &OrgRecord,
    year: Option<i32>,
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
    let year = year.map(|y| format!("-{y}")).unwrap_or_default();
    Ok(xlsx(&format!("{what}-{}{year}.xlsx", org.org.name), bytes))
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
        ("scorecard", "检验标准"),
    ]
    .iter()
    .map(|(k, l)| Tab {
        href: format!("/reports/{k}?org={org}"),
        label: l,
        active: *k == active,
    })
    .collect()
}
