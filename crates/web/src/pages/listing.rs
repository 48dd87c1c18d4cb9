//! What the lists share (the roster, the unit registry, the audit log, referrals): the
//! pager, the query string of a list's links, `?org=` resolved in scope, and the audited
//! export of a list.

use jiceng_app::access::{self, Actor, InScope, OrgKey};
use jiceng_app::OrgRecord;
use jiceng_io::Sheet;

use super::xlsx;
use crate::error::{PageError, WebError};
use crate::session::User;
use crate::AppState;
use axum::response::Response;

/// Pages of a list: links keep the other query parameters.
pub struct Pager {
    pub page: i64,
    pub pages: i64,
    pub total: i64,
    pub prev: Option<String>,
    pub next: Option<String>,
}

impl Pager {
    pub fn new(base: &str, params: &[(&str, String)], page: i64, pages: i64, total: i64) -> Pager {
        let query = query_string(params);
        let sep = if query.is_empty() { "" } else { "&" };
        let link = |p: i64| format!("{base}?{query}{sep}page={p}");
        Pager {
            page,
            pages,
            total,
            prev: (page > 1).then(|| link(page - 1)),
            next: (page < pages).then(|| link(page + 1)),
        }
    }
}

/// Percent-encodes a query value.
pub fn urlencode(s: &str) -> String {
    s.bytes()
        .map(|b| {
            if b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.' | b'~') {
                (b as char).to_string()
            } else {
                format!("%{b:02X}")
            }
        })
        .collect()
}

/// A query parameter that may be empty (`?org=`): empty is absent.
pub fn opt_i64(s: &Option<String>) -> Result<Option<i64>, PageError> {
    match s.as_deref().map(str::trim).filter(|s| !s.is_empty()) {
        None => Ok(None),
        Some(v) => v
            .parse()
            .map(Some)
            .map_err(|_| PageError(WebError::BadRequest(format!("参数无效：{v}")))),
    }
}

/// The query string of a list's `params` (`k=v&…`, empty values left out).
pub fn query_string(params: &[(&str, String)]) -> String {
    params
        .iter()
        .filter(|(_, v)| !v.is_empty())
        .map(|(k, v)| format!("{k}={}", urlencode(v)))
        .collect::<Vec<_>>()
        .join("&")
}

/// The org a list narrows to: `?org=` (an id) resolved in the actor's scope; none, the
/// actor's whole scope.
pub async fn list_org(
    state: &AppState,
    actor: &Actor,
    org: &Option<String>,
) -> Result<Option<InScope<OrgRecord>>, PageError> {
    Ok(match opt_i64(org)? {
        Some(id) => Some(access::resolve(&state.app, actor, &OrgKey::Id(id)).await?),
        None => None,
    })
}

/// A list's title: `what` of the org it narrows to, or of the whole scope.
pub fn list_title(root: Option<&OrgRecord>, what: &str) -> String {
    match root {
        Some(o) => format!("{} {what}", o.org.name),
        None => what.to_string(),
    }
}

/// A list's workbook (one sheet, named by its title), audited as the export `what`.
pub async fn list_export(
    state: &AppState,
    user: &User,
    what: &str,
    root: Option<&OrgRecord>,
    title: &str,
    sheet: Sheet,
) -> Result<Response, PageError> {
    let bytes = jiceng_app::export::workbook(&state.app, &user.actor, what, root, &[sheet]).await?;
    Ok(xlsx(&format!("{title}.xlsx"), bytes))
}
