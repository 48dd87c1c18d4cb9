//! Logging in and out (the login form bound to its pre-session, the session's cookie) and
//! changing one's own password.

use askama::Template;
use axum::extract::{Query, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Redirect, Response};
use axum::Form;
use jiceng_app::auth;
use serde::Deserialize;

use super::{account, html_status, DoneParam};
use crate::error::{PageError, WebError};
use crate::extract::{CsrfForm, NoFields};
use crate::routes::{Guard, Routes, Subject};
use crate::session::{self, User};
use crate::AppState;

pub fn routes() -> Routes {
    Routes::new()
        .get("/login", Guard::Public, Subject::None, login_form)
        .post("/login", Guard::Public, Subject::None, login)
        .post("/logout", Guard::Session, Subject::None, logout)
        .get(
            "/account/password",
            Guard::Session,
            Subject::None,
            password_form,
        )
        .post(
            "/account/password",
            Guard::Session,
            Subject::None,
            change_password,
        )
}

// ---------------------------------------------------------------- login / logout

#[derive(Template)]
#[template(path = "login.html")]
struct LoginPage {
    csrf: String,
    username: String,
    error: Option<String>,
}

pub(super) async fn login_page(
    state: &AppState,
    headers: &HeaderMap,
    status: StatusCode,
    username: String,
    error: Option<String>,
) -> Result<Response, PageError> {
    // A login form carries a token bound to a pre-session cookie (see `session`): a page
    // elsewhere cannot log a browser in under another account.
    let (cookie_value, token) = session::login_presession(state).await?;
    let page = LoginPage {
        csrf: token,
        username,
        error,
    };
    let mut resp = html_status(status, &page)?;
    let secure = session::secure(state, headers);
    let name = session::login_cookie_name(secure);
    session::append_cookie(&mut resp, name, &cookie_value, secure, Some(3600))?;
    Ok(resp)
}

/// A login that succeeded (the password, or its second step): the session's cookie set,
/// the pre-session's cleared, and on to the start page (or the password's renewal).
pub(super) fn signed_in(
    token: &str,
    must_change_password: bool,
    secure: bool,
) -> Result<Response, PageError> {
    let to = if must_change_password {
        "/account/password"
    } else {
        "/"
    };
    let mut resp = Redirect::to(to).into_response();
    session::append_cookie(&mut resp, session::SESSION_COOKIE, token, secure, None)?;
    let name = session::login_cookie_name(secure);
    session::append_cookie(&mut resp, name, "", secure, Some(0))?;
    Ok(resp)
}

/// The login page refusing a throttled request (429, with the message).
pub(crate) async fn login_refused(
    state: &AppState,
    headers: &HeaderMap,
    message: String,
) -> Response {
    match login_page(
        state,
        headers,
        StatusCode::TOO_MANY_REQUESTS,
        String::new(),
        Some(message.clone()),
    )
    .await
    {
        Ok(r) => r,
        Err(_) => (StatusCode::TOO_MANY_REQUESTS, message).into_response(),
    }
}

/// A login (or second-step) form from another site, or without this server's pre-session
/// token: the login page again (403), nothing checked.
pub(super) async fn refuse_login_form(
    state: &AppState,
    headers: &HeaderMap,
    csrf: &str,
    username: &str,
) -> Result<Option<Response>, PageError> {
    if session::same_origin(headers) && session::login_form_valid(state, headers, csrf).await? {
        return Ok(None);
    }
    login_page(
        state,
        headers,
        StatusCode::FORBIDDEN,
        username.to_string(),
        Some("登录表单已失效，请重新输入".into()),
    )
    .await
    .map(Some)
}

async fn login_form(
    State(state): State<AppState>,
    headers: HeaderMap,
) -> Result<Response, PageError> {
    login_page(&state, &headers, StatusCode::OK, String::new(), None).await
}

#[derive(Deserialize)]
struct LoginForm {
    #[serde(default)]
    csrf: String,
    username: String,
    password: String,
}

async fn login(
    State(state): State<AppState>,
    headers: HeaderMap,
    Form(f): Form<LoginForm>,
) -> Result<Response, PageError> {
    if let Some(refused) = refuse_login_form(&state, &headers, &f.csrf, &f.username).await? {
        return Ok(refused);
    }
    match auth::login(&state.app, f.username.trim(), &f.password).await {
        Ok(s) => signed_in(
            &s.token,
            s.must_change_password,
            session::secure(&state, &headers),
        ),
        // ---- second factor: the password was right, the code page follows (account.rs) ----
        Err(auth::AuthError::SecondFactor(pending)) => {
            account::code_page(&state, &headers, StatusCode::OK, Some(&pending), None).await
        }
        Err(e) => {
            let (status, message) = WebError::Auth(e).status_and_message();
            if status == StatusCode::INTERNAL_SERVER_ERROR {
                return Err(PageError(WebError::Internal(message)));
            }
            login_page(&state, &headers, status, f.username, Some(message)).await
        }
    }
}

// ---------------------------------------------------------------- own password

#[derive(Template)]
#[template(path = "account_password.html")]
struct PasswordPage {
    username: String,
    csrf: String,
    /// The password is past its renewal (the page says so, and nothing else is open).
    expired: bool,
    error: Option<String>,
    done: bool,
    min_chars: usize,
    min_chars_privileged: usize,
    min_classes: usize,
}

fn password_page(
    state: &AppState,
    user: &User,
    status: StatusCode,
    error: Option<String>,
    done: bool,
) -> Result<Response, PageError> {
    let page = PasswordPage {
        username: user.actor.username().to_string(),
        csrf: user.csrf.clone(),
        expired: user.must_change_password,
        error,
        done,
        min_chars: state.app.auth.password.min_chars,
        min_chars_privileged: state.app.auth.password.min_chars_privileged,
        min_classes: state.app.auth.password.min_classes,
    };
    html_status(status, &page)
}

async fn password_form(
    State(state): State<AppState>,
    user: User,
    Query(q): Query<DoneParam>,
) -> Result<Response, PageError> {
    password_page(&state, &user, StatusCode::OK, None, q.done.is_some())
}

#[derive(Deserialize)]
struct PasswordForm {
    current: String,
    new: String,
    confirm: String,
}

async fn change_password(
    State(state): State<AppState>,
    headers: HeaderMap,
    CsrfForm { user, form: f }: CsrfForm<PasswordForm>,
) -> Result<Response, PageError> {
    if f.new != f.confirm {
        return password_page(
            &state,
            &user,
            StatusCode::BAD_REQUEST,
            Some("两次输入的新密码不一致".into()),
            false,
        );
    }
    let token = session::cookie(&headers, session::SESSION_COOKIE).unwrap_or_default();
    match auth::change_password(&state.app, &token, &f.current, &f.new).await {
        Ok(()) => Ok(Redirect::to("/account/password?done=1").into_response()),
        Err(e) => {
            let (status, message) = WebError::Auth(e).status_and_message();
            if status == StatusCode::INTERNAL_SERVER_ERROR {
                return Err(PageError(WebError::Internal(message)));
            }
            password_page(&state, &user, status, Some(message), false)
        }
    }
}

async fn logout(
    State(state): State<AppState>,
    headers: HeaderMap,
    _: CsrfForm<NoFields>,
) -> Result<Response, PageError> {
    if let Some(token) = session::cookie(&headers, session::SESSION_COOKIE) {
        auth::logout(&state.app, &token).await?;
    }
    let mut resp = Redirect::to("/login").into_response();
    let secure = session::secure(&state, &headers);
    session::append_cookie(&mut resp, session::SESSION_COOKIE, "", secure, Some(0))?;
    Ok(resp)
}
