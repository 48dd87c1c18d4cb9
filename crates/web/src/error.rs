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
    /// The session's password is past its renewal: it must be changed first.
    MustChangePassword,
    BadRequest(String),
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

impl From<jiceng_store::StoreError> for WebError {
    fn from(e: jiceng_store::StoreError) -> WebError {
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
                AppError::OrgAmbiguous { .. }
                | AppError::Input(_)
                | AppError::Read(_)
                | AppError::Header(_) => (StatusCode::BAD_REQUEST, e.to_string()),
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
                // A refused new password, a lost session: as the app's errors are.
                AuthError::Store(
                    a @ (AppError::Input(_) | AppError::Forbidden | AppError::NotFound(_)),
                ) => WebError::App(clone_app_error(a)).status_and_message(),
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
            WebError::BadRequest(m) => (StatusCode::BAD_REQUEST, m.clone()),
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

#[derive(Template)]
#[template(path = "error.html")]
struct ErrorPage {
    status: u16,
    title: String,
    message: String,
}

impl IntoResponse for PageError {
    fn into_response(self) -> Response {
        if matches!(self.0, WebError::NotLoggedIn) {
            return Redirect::to("/login").into_response();
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
            _ => "出错了",
        };
        let page = ErrorPage {
            status: status.as_u16(),
            title: title.to_string(),
            message,
        };
        match page.render() {
            Ok(html) => (
                status,
                [(header::CONTENT_TYPE, "text/html; charset=utf-8")],
                html,
            )
                .into_response(),
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
        resp
    }
}
