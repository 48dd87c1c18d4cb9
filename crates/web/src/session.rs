//! Who is asking: the session cookie of the pages, the bearer token of the API. Both are
//! resumed through `jiceng_app::auth::resume` (idle expiry is its business); a handler
//! receives the `Actor` whose scope every read goes through.

use axum::extract::FromRequestParts;
use axum::http::request::Parts;
use axum::http::{header, HeaderMap};
use jiceng_app::access::{Actor, Role};
use jiceng_app::auth;

use crate::error::{ApiError, PageError, WebError};
use crate::AppState;

pub const SESSION_COOKIE: &str = "jiceng_session";
pub const LOGIN_CSRF_COOKIE: &str = "jiceng_login";
/// The pending login of the second step (password right, code awaited).
pub const PENDING_COOKIE: &str = "jiceng_login2";
/// The second-factor enrolment page.
pub const ENROL_PATH: &str = "/account/2fa";

/// What a session may reach besides its role's pages: its account, logging out.
const ALWAYS: [&str; 4] = ["/account/", "/logout", "/api/v1/auth/", "/api/v1/me"];

/// Whether the path is `prefix` or below it.
fn under(path: &str, prefix: &str) -> bool {
    match prefix.strip_suffix('/') {
        Some(dir) => path == dir || path.starts_with(prefix),
        None => path == prefix || path.starts_with(&format!("{prefix}/")),
    }
}

/// The path as the client asked it (a nested router sees its own part only).
fn request_path(parts: &Parts) -> String {
    parts
        .extensions
        .get::<axum::extract::OriginalUri>()
        .map(|u| u.0.path().to_string())
        .unwrap_or_else(|| parts.uri.path().to_string())
}

/// Checks, for every page and API request of a session, what its role and second factor
/// allow: a privileged user without a second factor reaches only its enrolment (and
/// logout); the security administrator and the auditor (三权分立) read no business data,
/// so they reach only their own pages, whatever a handler would do.
async fn gate(state: &AppState, actor: &Actor, path: &str) -> Result<(), WebError> {
    let always = ALWAYS.iter().any(|p| under(path, p));
    if !always && jiceng_app::totp::must_enrol(&state.app, actor).await? {
        return Err(WebError::MustEnrol);
    }
    let own: &[&str] = match actor.role {
        Role::Auditor => &["/audit", "/api/v1/audit"],
        Role::Security => &[],
        _ => return Ok(()),
    };
    if always || path == "/" || own.iter().any(|p| under(path, p)) {
        return Ok(());
    }
    Err(WebError::RoleForbidden(match actor.role {
        Role::Auditor => "审计员只能查看和导出审计日志，不能查看业务数据（三权分立）".into(),
        _ => "安全管理员负责角色、范围、密钥和动态验证码，不能查看业务数据（三权分立）".into(),
    }))
}

/// A value of a cookie in the request.
pub fn cookie(headers: &HeaderMap, name: &str) -> Option<String> {
    for h in headers.get_all(header::COOKIE) {
        let Ok(s) = h.to_str() else { continue };
        for part in s.split(';') {
            if let Some((k, v)) = part.trim().split_once('=') {
                if k == name && !v.is_empty() {
                    return Some(v.to_string());
                }
            }
        }
    }
    None
}

/// Whether cookies should carry `Secure`: configured, or a TLS proxy in front.
pub fn secure(state: &AppState, headers: &HeaderMap) -> bool {
    state.config.secure_cookies
        || headers
            .get("x-forwarded-proto")
            .and_then(|v| v.to_str().ok())
            .map(|v| v.eq_ignore_ascii_case("https"))
            .unwrap_or(false)
}

/// A `Set-Cookie` value: HttpOnly, SameSite=Lax, Path=/, Secure when asked.
pub fn set_cookie(name: &str, value: &str, secure: bool, max_age: Option<i64>) -> String {
    let mut c = format!("{name}={value}; Path=/; HttpOnly; SameSite=Lax");
    if let Some(a) = max_age {
        c.push_str(&format!("; Max-Age={a}"));
    }
    if secure {
        c.push_str("; Secure");
    }
    c
}

/// The logged-in user of a page request (redirects to the login page when absent).
pub struct User {
    pub actor: Actor,
    pub csrf: String,
}

impl User {
    /// Refuses a form whose `csrf` field is not this session's token.
    pub fn check_csrf(&self, given: &str) -> Result<(), PageError> {
        if given.is_empty() || !constant_eq(given.as_bytes(), self.csrf.as_bytes()) {
            return Err(PageError(WebError::Csrf));
        }
        Ok(())
    }
}

/// Compares without stopping at the first difference.
pub fn constant_eq(a: &[u8], b: &[u8]) -> bool {
    if a.len() != b.len() {
        return false;
    }
    a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

impl FromRequestParts<AppState> for User {
    type Rejection = PageError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<User, PageError> {
        let token =
            cookie(&parts.headers, SESSION_COOKIE).ok_or(PageError(WebError::NotLoggedIn))?;
        match auth::resume(&state.app, &token).await? {
            Some(s) => {
                gate(state, &s.actor, &request_path(parts)).await?;
                Ok(User {
                    actor: s.actor,
                    csrf: s.csrf,
                })
            }
            None => Err(PageError(WebError::NotLoggedIn)),
        }
    }
}

/// The user of an API request, by `Authorization: Bearer <token>`.
pub struct ApiUser {
    pub actor: Actor,
    pub token: String,
}

impl FromRequestParts<AppState> for ApiUser {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<ApiUser, ApiError> {
        let token = parts
            .headers
            .get(header::AUTHORIZATION)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| {
                v.strip_prefix("Bearer ")
                    .or_else(|| v.strip_prefix("bearer "))
            })
            .map(|t| t.trim().to_string())
            .filter(|t| !t.is_empty())
            .ok_or(ApiError(WebError::NotLoggedIn))?;
        match auth::resume(&state.app, &token).await? {
            Some(s) => {
                gate(state, &s.actor, &request_path(parts)).await?;
                Ok(ApiUser {
                    actor: s.actor,
                    token,
                })
            }
            None => Err(ApiError(WebError::NotLoggedIn)),
        }
    }
}
