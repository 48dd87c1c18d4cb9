//! The account's second factor: the enrolment page (`/account/2fa`: a QR code drawn in the
//! binary, the secret as text, confirmed by a first code, then the recovery codes shown
//! once) and the login's second step (`/login/2fa`: the code, or a recovery code, for the
//! pending login the password opened).

use askama::Template;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use axum::response::Response;
use axum::Form;
use jiceng_app::auth::{AuthError, PendingLogin};
use jiceng_app::totp;
use serde::Deserialize;

use super::{html, html_status, login_page, Nav};
use crate::error::{PageError, WebError};
use crate::extract::CsrfForm;
use crate::routes::{Guard, Routes, Subject};
use crate::session::{self, User};
use crate::AppState;

pub fn routes() -> Routes {
    Routes::new()
        .get(
            session::ENROL_PATH,
            Guard::Session,
            Subject::None,
            enrol_page,
        )
        .post(
            session::ENROL_PATH,
            Guard::Session,
            Subject::None,
            enrol_confirm,
        )
        .post("/login/2fa", Guard::Public, Subject::None, login_code)
}

#[derive(Template)]
#[template(path = "account_2fa.html")]
struct EnrolPage {
    title: String,
    nav: Nav,
    status: totp::Status,
    digits: usize,
    /// The recovery codes, right after enrolment (shown once).
    codes: Vec<String>,
    error: Option<String>,
}

async fn enrol_page(State(state): State<AppState>, user: User) -> Result<Response, PageError> {
    let status = totp::status(&state.app, &user.actor).await?;
    html(&EnrolPage {
        title: "动态验证码".into(),
        nav: Nav::of(&user),
        status,
        digits: state.app.totp.digits,
        codes: Vec::new(),
        error: None,
    })
}

#[derive(Deserialize, Default)]
#[serde(default)]
struct CodeForm {
    csrf: String,
    code: String,
}

async fn enrol_confirm(
    State(state): State<AppState>,
    CsrfForm { user, form: f }: CsrfForm<CodeForm>,
) -> Result<Response, PageError> {
    match totp::confirm(&state.app, &user.actor, &f.code).await {
        Ok(codes) => html(&EnrolPage {
            title: "动态验证码".into(),
            nav: Nav::of(&user),
            status: totp::status(&state.app, &user.actor).await?,
            digits: state.app.totp.digits,
            codes,
            error: None,
        }),
        Err(jiceng_app::AppError::Input(m)) => {
            let mut resp = html(&EnrolPage {
                title: "动态验证码".into(),
                nav: Nav::of(&user),
                status: totp::status(&state.app, &user.actor).await?,
                digits: state.app.totp.digits,
                codes: Vec::new(),
                error: Some(m),
            })?;
            *resp.status_mut() = StatusCode::BAD_REQUEST;
            Ok(resp)
        }
        Err(e) => Err(e.into()),
    }
}

#[derive(Template)]
#[template(path = "login_2fa.html")]
struct CodePage {
    csrf: String,
    digits: usize,
    minutes: i64,
    error: Option<String>,
}

/// The code page after a right password: the pending login in an HttpOnly cookie (as long
/// as it may wait), and a fresh pre-session token against cross-site posts (as the login
/// form: an HMAC bound to the pre-session cookie, see `session::login_presession`).
pub(super) async fn code_page(
    state: &AppState,
    headers: &HeaderMap,
    status: StatusCode,
    pending: Option<&PendingLogin>,
    error: Option<String>,
) -> Result<Response, PageError> {
    let (cookie_value, token) = session::login_presession(state).await?;
    let minutes = state.app.totp.pending_minutes;
    let page = CodePage {
        csrf: token.clone(),
        digits: state.app.totp.digits,
        minutes,
        error,
    };
    let mut resp = html_status(status, &page)?;
    let secure = session::secure(state, headers);
    let name = session::login_cookie_name(secure);
    session::append_cookie(&mut resp, name, &cookie_value, secure, Some(3600))?;
    if let Some(p) = pending {
        let pending = session::PENDING_COOKIE;
        session::append_cookie(&mut resp, pending, &p.0, secure, Some(minutes * 60))?;
    }
    Ok(resp)
}

async fn login_code(
    State(state): State<AppState>,
    headers: HeaderMap,
    Form(f): Form<CodeForm>,
) -> Result<Response, PageError> {
    if let Some(refused) = super::refuse_login_form(&state, &headers, &f.csrf, "").await? {
        return Ok(refused);
    }
    let Some(pending) = session::cookie(&headers, session::PENDING_COOKIE) else {
        return login_page(
            &state,
            &headers,
            StatusCode::UNAUTHORIZED,
            String::new(),
            Some(AuthError::PendingExpired.to_string()),
        )
        .await;
    };
    let secure = session::secure(&state, &headers);
    let clear_pending = |resp: &mut Response| {
        session::append_cookie(resp, session::PENDING_COOKIE, "", secure, Some(0))
    };
    match totp::complete_login(&state.app, &pending, &f.code).await {
        Ok(s) => {
            let mut resp = super::signed_in(&s.token, s.must_change_password, secure)?;
            clear_pending(&mut resp)?;
            Ok(resp)
        }
        Err(AuthError::BadSecondFactor) => {
            code_page(
                &state,
                &headers,
                StatusCode::UNAUTHORIZED,
                None,
                Some(AuthError::BadSecondFactor.to_string()),
            )
            .await
        }
        Err(e) => {
            let (status, message) = WebError::Auth(e).status_and_message();
            if status == StatusCode::INTERNAL_SERVER_ERROR {
                return Err(PageError(WebError::Internal(message)));
            }
            let mut resp =
                login_page(&state, &headers, status, String::new(), Some(message)).await?;
            clear_pending(&mut resp)?;
            Ok(resp)
        }
    }
}
