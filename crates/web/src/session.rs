//! Who is asking: the session cookie of the pages, the bearer token of the API. Both are
//! resumed through `jiceng_app::auth::resume` (idle expiry and lifetime are its business);
//! a handler receives the `Actor` whose scope every read goes through. A session whose
//! password is past its renewal reaches only the change-password page (pages) or
//! `POST /api/v1/auth/password` (API), and logout.
//!
//! The login form is bound to a pre-session: a cookie holding a random nonce and the time
//! it was issued, and the form's token, an HMAC of the server's secret and that cookie
//! (`auth::login_form_token`). Served over TLS the cookie carries the `__Host-` prefix, so
//! no sibling host or plain-HTTP attacker can set it.

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
    let own: &[&str] = match actor.role() {
        Role::Auditor => &["/audit", "/api/v1/audit"],
        Role::Security => &["/accounts"],
        _ => return Ok(()),
    };
    if always || path == "/" || own.iter().any(|p| under(path, p)) {
        return Ok(());
    }
    Err(WebError::RoleForbidden(match actor.role() {
        Role::Auditor => "审计员只能查看和导出审计日志，不能查看业务数据（三权分立）".into(),
        _ => "安全管理员负责角色、范围、密钥和动态验证码，不能查看业务数据（三权分立）".into(),
    }))
}

/// The pre-session cookie's name over TLS.
pub const LOGIN_CSRF_COOKIE_TLS: &str = "__Host-jiceng_login";

/// Page paths a session that must change its password may still use.
const RENEWAL_PAGES: &[&str] = &["/account/password", "/logout"];
/// API paths (under `/api/v1`) the same.
const RENEWAL_API: &[&str] = &["/auth/password", "/auth/logout"];

/// The pre-session cookie's name for this request.
pub fn login_cookie_name(secure: bool) -> &'static str {
    if secure {
        LOGIN_CSRF_COOKIE_TLS
    } else {
        LOGIN_CSRF_COOKIE
    }
}

/// A new pre-session for a login form: the cookie's value (`nonce.issued`, issued in Unix
/// seconds) and the form's token.
pub async fn login_presession(state: &AppState) -> Result<(String, String), WebError> {
    let secret = state
        .login_secret
        .get_or_try_init(|| auth::login_form_secret(&state.app))
        .await?;
    let nonce = auth::login_form_nonce()?;
    let value = format!("{nonce}.{}", state.app.now().timestamp());
    let token = auth::login_form_token(secret, &value);
    Ok((value, token))
}

/// Whether a login form's token belongs to the request's pre-session cookie, which must
/// have been issued by this server (the HMAC) within the configured minutes.
pub async fn login_form_valid(
    state: &AppState,
    headers: &HeaderMap,
    given: &str,
) -> Result<bool, WebError> {
    let Some(value) = cookie(headers, login_cookie_name(secure(state, headers))) else {
        return Ok(false);
    };
    let Some(issued) = value
        .split_once('.')
        .and_then(|(_, t)| t.parse::<i64>().ok())
    else {
        return Ok(false);
    };
    let minutes = match state.config.login_form_minutes {
        m if m > 0 => m,
        _ => crate::LOGIN_FORM_MINUTES_DEFAULT,
    };
    let age = state.app.now().timestamp() - issued;
    if !(-60..=minutes * 60).contains(&age) {
        return Ok(false);
    }
    let secret = state
        .login_secret
        .get_or_try_init(|| auth::login_form_secret(&state.app))
        .await?;
    let expected = auth::login_form_token(secret, &value);
    Ok(!given.is_empty() && constant_eq(given.as_bytes(), expected.as_bytes()))
}

/// Whether a form posted with an `Origin` came from this host (browsers send it on every
/// POST); no `Origin` passes (older clients), a foreign or `null` one does not.
pub fn same_origin(headers: &HeaderMap) -> bool {
    let Some(origin) = headers.get(header::ORIGIN).and_then(|v| v.to_str().ok()) else {
        return true;
    };
    let host = headers
        .get(header::HOST)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("");
    let forwarded = headers
        .get("x-forwarded-host")
        .and_then(|v| v.to_str().ok())
        .unwrap_or("");
    let origin_host = origin.split_once("://").map(|(_, h)| h).unwrap_or("");
    !origin_host.is_empty() && (origin_host == host || origin_host == forwarded)
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

/// Adds a `Set-Cookie` of `set_cookie(name, value, secure, max_age)` to `resp`.
pub fn append_cookie(
    resp: &mut axum::response::Response,
    name: &str,
    value: &str,
    secure: bool,
    max_age: Option<i64>,
) -> Result<(), PageError> {
    let v = set_cookie(name, value, secure, max_age);
    let v = header::HeaderValue::from_str(&v)
        .map_err(|e| PageError(WebError::Internal(e.to_string())))?;
    resp.headers_mut().append(header::SET_COOKIE, v);
    Ok(())
}

/// The logged-in user of a page request (redirects to the login page when absent).
#[derive(Clone)]
pub struct User {
    pub actor: Actor,
    pub csrf: String,
    /// The password is past its renewal (only the renewal pages get this far).
    pub must_change_password: bool,
    /// How many reminders the home org has, when the home page computed them lately (the
    /// header's count; never computed for the header alone).
    pub reminders: Option<usize>,
    /// The path asked for (the navigation marks its section).
    pub path: String,
    /// The data is generated (the footer says the people are invented).
    pub synthetic: bool,
}

impl User {
    /// Refuses a form whose `csrf` field is not this session's token.
    pub fn check_csrf(&self, given: &str) -> Result<(), PageError> {
        if given.is_empty() || !constant_eq(given.as_bytes(), self.csrf.as_bytes()) {
            return Err(PageError(WebError::Csrf));
        }
        Ok(())
    }

    /// A posted form's fields, once its token is checked, with the proof that this user may
    /// do `P` (the handlers that read a form field by field).
    pub(crate) fn form_for<P: jiceng_app::access::Permission>(
        &self,
        fields: Vec<(String, String)>,
    ) -> Result<(crate::parse::Fields, jiceng_app::access::Grant<P>), PageError> {
        let fields = crate::parse::Fields(fields);
        self.check_csrf(&fields.get("csrf"))?;
        Ok((fields, self.actor.grant::<P>()?))
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
        // Resumed once per request: the route's guard, the org extractor and the handler
        // all ask for the user.
        if let Some(u) = parts.extensions.get::<User>() {
            return Ok(u.clone());
        }
        let u = Self::resume(parts, state).await?;
        parts.extensions.insert(u.clone());
        Ok(u)
    }
}

impl User {
    async fn resume(parts: &mut Parts, state: &AppState) -> Result<User, PageError> {
        let token =
            cookie(&parts.headers, SESSION_COOKIE).ok_or(PageError(WebError::NotLoggedIn))?;
        match auth::resume(&state.app, &token).await? {
            Some(s) if s.must_change_password && !RENEWAL_PAGES.contains(&parts.uri.path()) => {
                Err(PageError(WebError::MustChangePassword))
            }
            Some(s) => {
                let path = request_path(parts);
                gate(state, &s.actor, &path).await?;
                let reminders = s.actor.org_id().and_then(|org| {
                    let key = (
                        org,
                        s.actor.may(jiceng_app::access::Action::HandleReferrals),
                    );
                    state.reminders.get(state, &key).map(|r| r.len())
                });
                Ok(User {
                    actor: s.actor,
                    csrf: s.csrf,
                    must_change_password: s.must_change_password,
                    reminders,
                    path,
                    synthetic: *state
                        .synthetic
                        .get_or_try_init(|| jiceng_app::admin::synthetic(&state.app))
                        .await?,
                })
            }
            None => Err(PageError(WebError::NotLoggedIn)),
        }
    }
}

/// The user of an API request, by `Authorization: Bearer <token>`.
#[derive(Clone)]
pub struct ApiUser {
    pub actor: Actor,
    pub token: String,
}

impl FromRequestParts<AppState> for ApiUser {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<ApiUser, ApiError> {
        if let Some(u) = parts.extensions.get::<ApiUser>() {
            return Ok(u.clone());
        }
        let u = Self::resume(parts, state).await?;
        parts.extensions.insert(u.clone());
        Ok(u)
    }
}

impl ApiUser {
    async fn resume(parts: &mut Parts, state: &AppState) -> Result<ApiUser, ApiError> {
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
        let path = parts
            .extensions
            .get::<axum::extract::OriginalUri>()
            .map(|u| u.0.path().to_string())
            .unwrap_or_else(|| parts.uri.path().to_string());
        let allowed = RENEWAL_API
            .iter()
            .any(|p| path.strip_prefix("/api/v1").unwrap_or(&path) == *p);
        match auth::resume(&state.app, &token).await? {
            Some(s) if s.must_change_password && !allowed => {
                Err(ApiError(WebError::MustChangePassword))
            }
            Some(s) => {
                let path = request_path(parts);
                gate(state, &s.actor, &path).await?;
                Ok(ApiUser {
                    actor: s.actor,
                    token,
                })
            }
            None => Err(ApiError(WebError::NotLoggedIn)),
        }
    }
}
