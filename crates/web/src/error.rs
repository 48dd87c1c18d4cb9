//! Errors mapped to HTTP in one place: a Chinese message page for the pages, a JSON
//! `{"error": …}` for the API. A scope miss is 404 (the same as a missing record, so an id
//! outside the subtree tells nothing); internal errors are logged whole and shown as a
//! plain message.

use std::io::Write;

use askama::Template;
use axum::http::{header, StatusCode};
use axum::response::{IntoResponse, Redirect, Response};
use axum::Json;
use jiceng_app::auth::AuthError;
use jiceng_app::AppError;

#[derive(Debug)]
pub enum WebError {
    App(AppError),
    Auth(AuthError),
    /// No session (or it expired).
    NotLoggedIn,
    /// A form without the session's CSRF token.
    Csrf,
    /// A privileged user without a second factor, asking for anything but its enrolment.
    MustEnrol,
    /// A role that may not use this part of the system at all (三权分立).
    RoleForbidden(String),
    /// The session's password is past its renewal: it must be changed first.
    MustChangePassword,
    BadRequest(String),
    /// An upload over its limit (413).
    PayloadTooLarge(String),
    Internal(String),
}

impl From<AppError> for WebError {
    fn from(e: AppError) -> WebError {
        WebError::App(e)
    }
}

impl From<AuthError> for WebError {
    fn from(e: AuthError) -> WebError {
        WebError::Auth(e)
    }
}

impl From<askama::Error> for WebError {
    fn from(e: askama::Error) -> WebError {
        WebError::Internal(format!("模板：{e}"))
    }
}

impl From<jiceng_app::StoreError> for WebError {
    fn from(e: jiceng_app::StoreError) -> WebError {
        WebError::App(AppError::Store(e))
    }
}

impl From<std::io::Error> for WebError {
    fn from(e: std::io::Error) -> WebError {
        WebError::Internal(format!("文件：{e}"))
    }
}

fn log(e: &dyn std::fmt::Debug) {
    let _ = writeln!(std::io::stderr(), "jiceng-web internal error: {e:?}");
}

impl WebError {
    /// The status and the message the user sees.
    pub fn status_and_message(&self) -> (StatusCode, String) {
        match self {
            WebError::App(e) => match e {
                AppError::NotFound(what) => (
                    StatusCode::NOT_FOUND,
                    format!("找不到该{what}，或您无权查看"),
                ),
                AppError::OrgNotFound(_) => (StatusCode::NOT_FOUND, e.to_string()),
                AppError::Forbidden => {
                    (StatusCode::FORBIDDEN, "您的角色无权进行此操作".to_string())
                }
                AppError::TooFrequent(_) => (StatusCode::TOO_MANY_REQUESTS, e.to_string()),
                AppError::OrgAmbiguous { .. }
                | AppError::Input(_)
                | AppError::Meeting(_)
                | AppError::Recruitment(_)
                | AppError::MemberLife(_)
                | AppError::Read(_)
                | AppError::Header(_) => (StatusCode::BAD_REQUEST, e.to_string()),
                AppError::Store(s) if s.is_unavailable() || s.is_retryable() => {
                    store_unavailable(s)
                }
                // The key was rotated beside this server: it writes nothing until restarted.
                AppError::Crypto(c @ jiceng_app::crypto::CryptoError::KeyChanged { .. }) => {
                    log(c);
                    (StatusCode::SERVICE_UNAVAILABLE, c.to_string())
                }
                other => {
                    log(other);
                    (
                        StatusCode::INTERNAL_SERVER_ERROR,
                        "服务器内部错误，请稍后再试或联系管理员".to_string(),
                    )
                }
            },
            WebError::Auth(e) => match e {
                AuthError::BadCredentials => (StatusCode::UNAUTHORIZED, e.to_string()),
                AuthError::Locked { .. } => (StatusCode::TOO_MANY_REQUESTS, e.to_string()),
                AuthError::Disabled => (StatusCode::FORBIDDEN, e.to_string()),
                AuthError::SecondFactor(_)
                | AuthError::BadSecondFactor
                | AuthError::PendingExpired => (StatusCode::UNAUTHORIZED, e.to_string()),
                // A refused new password, a lost session: as the app's errors are.
                AuthError::Store(
                    a @ (AppError::Input(_) | AppError::Forbidden | AppError::NotFound(_)),
                ) => WebError::App(clone_app_error(a)).status_and_message(),
                AuthError::Store(AppError::Store(s)) if s.is_unavailable() || s.is_retryable() => {
                    store_unavailable(s)
                }
                AuthError::Store(AppError::Crypto(
                    c @ jiceng_app::crypto::CryptoError::KeyChanged { .. },
                )) => {
                    log(c);
                    (StatusCode::SERVICE_UNAVAILABLE, c.to_string())
                }
                #[allow(unreachable_patterns)]
                other => {
                    log(other);
                    (
                        StatusCode::INTERNAL_SERVER_ERROR,
                        "服务器内部错误，请稍后再试或联系管理员".to_string(),
                    )
                }
            },
            WebError::NotLoggedIn => (
                StatusCode::UNAUTHORIZED,
                "请先登录（或登录已超时）".to_string(),
            ),
            WebError::MustChangePassword => (
                StatusCode::FORBIDDEN,
                "密码已超过有效期，请先修改密码（页面：/account/password；接口：POST /api/v1/auth/password）".to_string(),
            ),
            WebError::Csrf => (
                StatusCode::FORBIDDEN,
                "表单已失效（缺少或不符的安全令牌），请返回刷新页面后重试".to_string(),
            ),
            WebError::MustEnrol => (
                StatusCode::FORBIDDEN,
                "您的角色须使用动态验证码（双因素认证）：请先在网页“动态验证码”页面（/account/2fa）完成绑定".to_string(),
            ),
            WebError::RoleForbidden(m) => (StatusCode::FORBIDDEN, m.clone()),
            WebError::BadRequest(m) => (StatusCode::BAD_REQUEST, m.clone()),
            WebError::PayloadTooLarge(m) => (StatusCode::PAYLOAD_TOO_LARGE, m.clone()),
            WebError::Internal(m) => {
                log(m);
                (
                    StatusCode::INTERNAL_SERVER_ERROR,
                    "服务器内部错误，请稍后再试或联系管理员".to_string(),
                )
            }
        }
    }
}

/// 503 with the store's own Chinese message when the database as a whole cannot serve
/// now (disk full, read-only, damaged, unreachable), or is busy with other writers past
/// the retries; the engine's error goes to the log only.
fn store_unavailable(s: &jiceng_app::StoreError) -> (StatusCode, String) {
    log(s);
    let message = if s.is_unavailable() {
        s.to_string()
    } else {
        "数据库正忙（其他写入正在进行），本次未保存，请稍后重试".to_string()
    };
    (StatusCode::SERVICE_UNAVAILABLE, message)
}

/// Seconds a client is asked to wait before retrying after a 503.
const RETRY_AFTER_SECS: &str = "5";

fn clone_app_error(e: &AppError) -> AppError {
    match e {
        AppError::Input(m) => AppError::Input(m.clone()),
        AppError::NotFound(m) => AppError::NotFound(m.clone()),
        _ => AppError::Forbidden,
    }
}

/// An error of a page handler: a Chinese message page (or the login page).
#[derive(Debug)]
pub struct PageError(pub WebError);

impl<E: Into<WebError>> From<E> for PageError {
    fn from(e: E) -> PageError {
        PageError(e.into())
    }
}

#[derive(Template, Clone)]
#[template(path = "error.html")]
struct ErrorPage {
    status: u16,
    title: String,
    message: String,
}

/// The same message inside the navigation of a signed-in caller (`with_navigation`).
#[derive(Template)]
#[template(path = "error_nav.html")]
struct ErrorNavPage {
    title: String,
    nav: crate::pages::Nav,
    e: ErrorPage,
}

/// Renders the error pages of signed-in callers again inside their navigation (the header,
/// the sections, the search), so that a wrong address or a refusal is not a dead end. The
/// page handlers cannot: an error is answered before (or without) reading the session.
/// Anyone else, and the API, keep the plain page.
pub(crate) async fn with_navigation(
    axum::extract::State(state): axum::extract::State<crate::AppState>,
    req: axum::extract::Request,
    next: axum::middleware::Next,
) -> Response {
    use axum::extract::FromRequestParts;
    let (parts, body) = req.into_parts();
    let mut head = parts.clone();
    let resp = next
        .run(axum::extract::Request::from_parts(parts, body))
        .await;
    let Some(page) = resp.extensions().get::<ErrorPage>().cloned() else {
        return resp;
    };
    if head.uri.path().starts_with("/api/") {
        return resp;
    }
    let user = match crate::session::User::from_request_parts(&mut head, &state).await {
        Ok(user) => user,
        // A role refused the page's part of the system (the auditor on the roster): the
        // navigation of its home instead.
        Err(PageError(WebError::RoleForbidden(_))) => {
            head.uri = axum::http::Uri::from_static("/");
            head.extensions.remove::<axum::extract::OriginalUri>();
            match crate::session::User::from_request_parts(&mut head, &state).await {
                Ok(user) => user,
                Err(_) => return resp,
            }
        }
        Err(_) => return resp,
    };
    let full = ErrorNavPage {
        title: page.title.clone(),
        nav: crate::pages::Nav::of(&user),
        e: page,
    };
    match full.render() {
        Ok(html) => {
            let (mut parts, _) = resp.into_parts();
            parts.extensions.remove::<ErrorPage>();
            Response::from_parts(parts, axum::body::Body::from(html))
        }
        Err(e) => {
            log(&e);
            resp
        }
    }
}

impl IntoResponse for PageError {
    fn into_response(self) -> Response {
        if matches!(self.0, WebError::NotLoggedIn) {
            return Redirect::to("/login").into_response();
        }
        if matches!(self.0, WebError::MustEnrol) {
            return Redirect::to(crate::session::ENROL_PATH).into_response();
        }
        if matches!(self.0, WebError::MustChangePassword) {
            return Redirect::to("/account/password").into_response();
        }
        let (status, message) = self.0.status_and_message();
        let title = match status {
            StatusCode::NOT_FOUND => "页面不存在",
            StatusCode::FORBIDDEN => "无权操作",
            StatusCode::BAD_REQUEST => "填写有误",
            StatusCode::UNAUTHORIZED | StatusCode::TOO_MANY_REQUESTS => "无法登录",
            StatusCode::SERVICE_UNAVAILABLE => "暂时无法服务",
            _ => "出错了",
        };
        let page = ErrorPage {
            status: status.as_u16(),
            title: title.to_string(),
            message,
        };
        match page.render() {
            Ok(html) => {
                let mut resp = (
                    status,
                    [(header::CONTENT_TYPE, "text/html; charset=utf-8")],
                    html,
                )
                    .into_response();
                resp.extensions_mut().insert(page);
                if status == StatusCode::SERVICE_UNAVAILABLE {
                    resp.headers_mut().insert(
                        header::RETRY_AFTER,
                        header::HeaderValue::from_static(RETRY_AFTER_SECS),
                    );
                }
                resp
            }
            Err(e) => {
                log(&e);
                (status, "出错了").into_response()
            }
        }
    }
}

/// An error of an API handler: `{"error": "…"}` with the status.
#[derive(Debug)]
pub struct ApiError(pub WebError);

impl<E: Into<WebError>> From<E> for ApiError {
    fn from(e: E) -> ApiError {
        ApiError(e.into())
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let (status, message) = self.0.status_and_message();
        let mut resp = (status, Json(serde_json::json!({ "error": message }))).into_response();
        if status == StatusCode::UNAUTHORIZED {
            resp.headers_mut().insert(
                header::WWW_AUTHENTICATE,
                header::HeaderValue::from_static("Bearer"),
            );
        }
        if status == StatusCode::SERVICE_UNAVAILABLE {
            resp.headers_mut().insert(
                header::RETRY_AFTER,
                header::HeaderValue::from_static(RETRY_AFTER_SECS),
            );
        }
        resp
    }
}

/// Turns axum's own plain-text rejections (a path parameter that is not a number, a query
/// string or form that does not parse, a body over the limit) into the application's
/// answers: `{"error": …}` under `/api/`, the error page elsewhere, in Chinese.
pub(crate) async fn plain_rejections(
    req: axum::extract::Request,
    next: axum::middleware::Next,
) -> Response {
    let api = req.uri().path().starts_with("/api/");
    let resp = next.run(req).await;
    let status = resp.status();
    let plain = resp
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.starts_with("text/plain"));
    if !plain || !(status.is_client_error()) || status == StatusCode::NOT_FOUND {
        return resp;
    }
    let body = axum::body::to_bytes(resp.into_body(), 64 * 1024)
        .await
        .unwrap_or_default();
    let message = rejection_message(status, &String::from_utf8_lossy(&body));
    let err = if status == StatusCode::PAYLOAD_TOO_LARGE {
        WebError::PayloadTooLarge(message)
    } else {
        WebError::BadRequest(message)
    };
    if api {
        ApiError(err).into_response()
    } else {
        PageError(err).into_response()
    }
}

/// The Chinese message for one of axum's rejection texts: where the problem is (path,
/// query, form, body) and why, with the offending value where axum names it.
pub(crate) fn rejection_message(status: StatusCode, text: &str) -> String {
    if status == StatusCode::PAYLOAD_TOO_LARGE {
        return "请求内容超过服务器允许的大小".to_string();
    }
    let lower = text.to_ascii_lowercase();
    let place = if lower.contains("query string") {
        "查询参数"
    } else if lower.contains("path") || lower.contains("cannot parse") {
        "地址中的参数"
    } else if lower.contains("form") {
        "表单内容"
    } else if lower.contains("json") {
        "请求内容（JSON）"
    } else if lower.contains("multipart") || lower.contains("content-type") {
        "请求内容"
    } else {
        "请求"
    };
    // "Cannot parse `abc` to a `i64`", "...: page: invalid digit found in string".
    let value = text
        .split('`')
        .nth(1)
        .filter(|_| lower.contains("cannot parse"));
    let field = text
        .rsplit(": ")
        .nth(1)
        .filter(|f| f.chars().all(|c| c.is_ascii_alphanumeric() || c == '_') && !f.is_empty());
    let why = if lower.contains("invalid digit")
        || lower.contains("to a `i")
        || lower.contains("to a `u")
    {
        "应为整数"
    } else if lower.contains("too large") || lower.contains("too small") {
        "数值超出范围"
    } else if lower.contains("missing field") {
        "缺少必填项"
    } else if lower.contains("unknown variant") || lower.contains("invalid value") {
        "取值无效"
    } else if lower.contains("utf-8") || lower.contains("utf8") {
        "含有无效的字符编码"
    } else if lower.contains("content-type") || lower.contains("content type") {
        "类型不受支持"
    } else {
        "格式有误"
    };
    match (field, value) {
        (_, Some(v)) => format!("{place}“{v}”{why}"),
        (Some(f), None) => format!("{place} {f} {why}"),
        (None, None) => format!("{place}{why}"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn axum_rejections_in_chinese() {
        for (axum_says, we_say) in [
            (
                "Invalid URL: Cannot parse `abc` to a `i64`",
                "地址中的参数“abc”应为整数",
            ),
            (
                "Failed to deserialize query string: page: invalid digit found in string",
                "查询参数 page 应为整数",
            ),
            (
                "Failed to deserialize query string: page: number too large to fit in target type",
                "查询参数 page 数值超出范围",
            ),
        ] {
            assert_eq!(
                rejection_message(StatusCode::BAD_REQUEST, axum_says),
                we_say
            );
        }
        let m = rejection_message(
            StatusCode::PAYLOAD_TOO_LARGE,
            "Failed to buffer the request body: length limit exceeded",
        );
        assert!(m.contains("超过"), "{m}");
    }

    #[test]
    fn unusable_database_is_503_in_chinese() {
        let e = jiceng_store::error::classify(sqlx::Error::PoolTimedOut, None);
        let (status, message) = WebError::from(e).status_and_message();
        assert_eq!(status, StatusCode::SERVICE_UNAVAILABLE);
        assert!(message.contains("数据库暂时不可用"), "{message}");
        assert!(!message.contains("pool"), "{message}");
        let resp = ApiError(WebError::from(jiceng_store::error::classify(
            sqlx::Error::PoolTimedOut,
            None,
        )))
        .into_response();
        assert_eq!(resp.headers()[header::RETRY_AFTER], RETRY_AFTER_SECS);
    }
}
