//! 群众满意度测评: the surveys of an org's subtree with their rates, the form that opens one,
//! a survey's results (per question the distribution and mean, the satisfaction and
//! response rates with their definition, the comments as given) where a batch of tokens is
//! issued and the survey closed; the printable sheet of a batch (one card per token with
//! its address and a QR code), shown once when it is issued. And the public page a
//! respondent opens with a token, without an account: `/s/{token}`, its form bound to a
//! pre-session like the login form's (CSRF without a session), throttled by the token's
//! batch (an unknown token by the address: `crate::survey_throttle`).

use askama::Template;
use axum::extract::{Path, Query, State};
use axum::http::{header, HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::{Extension, Form};
use jiceng_app::access::{Action, InScope, RunSurveys};
use jiceng_app::surveys::{self, Answered, Ballot, Looked, SurveyList, SurveyResults};
use jiceng_app::OrgRecord;
use jiceng_domain::survey::{Question, Rating};

use crate::error::PageError;
use crate::extract::QueryOrg;
use crate::pages::refusal::Refusal;
use crate::pages::{done_redirect, html_status, DoneParam, Nav};
use crate::routes::{Guard, Routes, Subject};
use crate::session::{self, User};
use crate::throttle::SurveyClient;
use crate::AppState;

pub fn routes() -> Routes {
    let run = Guard::May(Action::RunSurveys);
    let read = Guard::May(Action::ReadData);
    Routes::new()
        .get("/surveys", read, Subject::QueryOrg, list)
        .get("/surveys/new", run, Subject::QueryOrg, form)
        .post("/surveys/new", run, Subject::QueryOrg, submit)
        .get("/surveys/{id}", read, Subject::Survey, show)
        .post("/surveys/{id}/tokens", run, Subject::Survey, issue)
        .get("/surveys/{id}/tokens/{batch}", run, Subject::Survey, batch)
        .post("/surveys/{id}/close", run, Subject::Survey, close)
        .get("/s/{token}", Guard::Public, Subject::None, ballot)
        .post("/s/{token}", Guard::Public, Subject::None, answer)
}

#[derive(Template)]
#[template(path = "surveys.html")]
struct ListPage {
    title: String,
    nav: Nav,
    l: SurveyList,
    can_run: bool,
    /// The department may set the questionnaire (`/surveys/questionnaire`).
    can_set: bool,
    done: Option<String>,
}

async fn list(
    State(state): State<AppState>,
    QueryOrg { user, org }: QueryOrg<User>,
    Query(d): Query<DoneParam>,
) -> Result<Response, PageError> {
    let l = surveys::list(&state.app, &org).await?;
    html_status(
        StatusCode::OK,
        &ListPage {
            title: format!("群众满意度测评 · {}", org.org.name),
            nav: Nav::of(&user),
            can_run: user.actor.may(Action::RunSurveys),
            can_set: user.actor.may(Action::SetRules),
            l,
            done: d.done,
        },
    )
}

#[derive(Template)]
#[template(path = "survey_new.html")]
struct NewPage {
    title: String,
    nav: Nav,
    org_id: i64,
    org_name: String,
    period: String,
    questions: Vec<Question>,
    template: String,
    source: String,
    e: Refusal,
}

async fn new_page(
    state: &AppState,
    user: &User,
    org: &InScope<OrgRecord>,
    period: String,
    e: Refusal,
) -> Result<Response, PageError> {
    let status = e.form_status();
    let q = surveys::questionnaire::today(&state.app).await?.rules;
    html_status(
        status,
        &NewPage {
            title: format!("发起群众满意度测评 · {}", org.org.name),
            nav: Nav::of(user),
            org_id: org.org.id,
            org_name: org.org.name.clone(),
            period,
            questions: q.questions,
            template: q.template,
            source: q.source,
            e,
        },
    )
}

async fn form(
    State(state): State<AppState>,
    QueryOrg { user, org }: QueryOrg<User>,
) -> Result<Response, PageError> {
    let year = chrono::Datelike::year(&state.app.today());
    new_page(&state, &user, &org, year.to_string(), Refusal::default()).await
}

async fn submit(
    State(state): State<AppState>,
    QueryOrg { user, org }: QueryOrg<User>,
    Form(fields): Form<Vec<(String, String)>>,
) -> Result<Response, PageError> {
    let (fields, grant) = user.form_for::<RunSurveys>(fields)?;
    let period = fields.get("period");
    match surveys::open(&state.app, &grant, &org, &period).await {
        Ok(id) => Ok(done_redirect(
            &format!("/surveys/{id}?org={}", org.org.id),
            "已发起群众满意度测评，请发放测评码",
        )),
        Err(e) => {
            let e = Refusal::of(e)?;
            new_page(&state, &user, &org, period, e).await
        }
    }
}

/// One row of a question's distribution as shown.
struct Bar {
    label: &'static str,
    count: i64,
    share: String,
}

#[derive(Template)]
#[template(path = "survey.html")]
struct ShowPage {
    title: String,
    nav: Nav,
    at_id: i64,
    r: SurveyResults,
    bars: Vec<Vec<Bar>>,
    /// Each question's mean score, as printed.
    means: Vec<String>,
    can_run: bool,
    flash: Option<String>,
    e: Refusal,
}

async fn show_page(
    state: &AppState,
    user: &User,
    org: &InScope<OrgRecord>,
    id: i64,
    flash: Option<String>,
    e: Refusal,
) -> Result<Response, PageError> {
    let r = surveys::get(&state.app, org, id).await?;
    let status = e.form_status();
    let bars = r
        .tally
        .questions
        .iter()
        .map(|q| {
            let n = q.answered();
            Rating::ALL
                .iter()
                .zip(q.counts)
                .map(|(rating, count)| Bar {
                    label: rating.label(),
                    count,
                    share: surveys::share_text((n > 0).then(|| count as f64 / n as f64)),
                })
                .collect()
        })
        .collect();
    let means = (0..r.tally.questions.len())
        .map(|i| r.mean_text(i))
        .collect();
    html_status(
        status,
        &ShowPage {
            title: format!("群众满意度测评 · {}", r.summary.org.name),
            means,
            nav: Nav::of(user),
            at_id: org.org.id,
            can_run: user.actor.may(Action::RunSurveys),
            bars,
            r,
            flash,
            e,
        },
    )
}

async fn show(
    State(state): State<AppState>,
    Path(id): Path<i64>,
    QueryOrg { user, org }: QueryOrg<User>,
    Query(d): Query<DoneParam>,
) -> Result<Response, PageError> {
    show_page(&state, &user, &org, id, d.done, Refusal::default()).await
}

/// One printed card.
struct Card {
    code: String,
    url: String,
    qr: String,
}

#[derive(Template)]
#[template(path = "survey_tokens.html")]
struct SheetPage {
    title: String,
    nav: Nav,
    at_id: i64,
    survey_id: i64,
    org_name: String,
    period: String,
    batch: i64,
    cards: Vec<Card>,
}

/// The address the survey is reached at, as the request came in.
fn base_url(state: &AppState, headers: &HeaderMap) -> String {
    let host = headers
        .get("x-forwarded-host")
        .or_else(|| headers.get(header::HOST))
        .and_then(|v| v.to_str().ok())
        .unwrap_or("localhost");
    let scheme = if session::secure(state, headers) {
        "https"
    } else {
        "http"
    };
    format!("{scheme}://{host}")
}

/// Issues a batch and shows its printable sheet, the only time its tokens are shown.
async fn issue(
    State(state): State<AppState>,
    Path(id): Path<i64>,
    QueryOrg { user, org }: QueryOrg<User>,
    headers: HeaderMap,
    Form(fields): Form<Vec<(String, String)>>,
) -> Result<Response, PageError> {
    let (fields, grant) = user.form_for::<RunSurveys>(fields)?;
    let raw = fields.get("count");
    let count = match raw.trim() {
        "" => None,
        s => match s.parse::<i64>() {
            Ok(n) => Some(n),
            Err(_) => {
                let e = Refusal {
                    field: "count",
                    message: format!("测评码数量应为整数：{s}"),
                };
                return show_page(&state, &user, &org, id, None, e).await;
            }
        },
    };
    let issued = match surveys::issue(&state.app, &grant, &org, id, count).await {
        Ok(b) => b,
        Err(e) => {
            let e = Refusal::of(e)?;
            return show_page(&state, &user, &org, id, None, e).await;
        }
    };
    let r = surveys::get(&state.app, &org, id).await?;
    let base = base_url(&state, &headers);
    let cards = issued
        .codes
        .iter()
        .map(|c| {
            let url = format!("{base}/s/{c}");
            Ok(Card {
                code: surveys::grouped(c),
                qr: jiceng_app::totp::qr_svg(&url)?,
                url,
            })
        })
        .collect::<Result<Vec<_>, jiceng_app::AppError>>()?;
    let mut resp = html_status(
        StatusCode::OK,
        &SheetPage {
            title: format!("测评码 · {}", r.summary.org.name),
            nav: Nav::of(&user),
            at_id: org.org.id,
            survey_id: id,
            org_name: r.summary.org.name.clone(),
            period: r.summary.period_label.clone(),
            batch: issued.batch,
            cards,
        },
    )?;
    // The tokens are on this page only: not kept by a cache.
    resp.headers_mut().insert(
        header::CACHE_CONTROL,
        header::HeaderValue::from_static("no-store"),
    );
    Ok(resp)
}

#[derive(Template)]
#[template(path = "survey_batch.html")]
struct BatchPage {
    title: String,
    nav: Nav,
    at_id: i64,
    survey_id: i64,
    org_name: String,
    b: jiceng_app::surveys::Batch,
}

/// A batch issued earlier: how many tokens, how many used (the tokens themselves were shown
/// once, when it was issued, and are not kept).
async fn batch(
    State(state): State<AppState>,
    Path((id, batch)): Path<(i64, i64)>,
    QueryOrg { user, org }: QueryOrg<User>,
) -> Result<Response, PageError> {
    let r = surveys::get(&state.app, &org, id).await?;
    let b = r
        .batches
        .iter()
        .find(|b| b.batch == batch)
        .cloned()
        .ok_or_else(|| PageError::from(jiceng_app::AppError::NotFound("测评码批次".into())))?;
    html_status(
        StatusCode::OK,
        &BatchPage {
            title: format!("测评码第{batch}批 · {}", r.summary.org.name),
            nav: Nav::of(&user),
            at_id: org.org.id,
            survey_id: id,
            org_name: r.summary.org.name.clone(),
            b,
        },
    )
}

async fn close(
    State(state): State<AppState>,
    Path(id): Path<i64>,
    QueryOrg { user, org }: QueryOrg<User>,
    Form(fields): Form<Vec<(String, String)>>,
) -> Result<Response, PageError> {
    let (_, grant) = user.form_for::<RunSurveys>(fields)?;
    match surveys::close(&state.app, &grant, &org, id).await {
        Ok(()) => Ok(done_redirect(
            &format!("/surveys/{id}?org={}", org.org.id),
            "测评已结束",
        )),
        Err(e) => {
            let e = Refusal::of(e)?;
            show_page(&state, &user, &org, id, None, e).await
        }
    }
}

// ---------------------------------------------------------------- the public page

#[derive(Template)]
#[template(path = "survey_public.html")]
struct PublicPage {
    csrf: String,
    token: String,
    title: String,
    org_name: String,
    period: String,
    /// The department's opening note (may be empty) and the privacy notice.
    note: String,
    intro: String,
    /// The questions: the field (`q1`…), the question, the answer given (a refused form
    /// keeps them).
    questions: Vec<(String, Question, String)>,
    scale: Vec<(&'static str, &'static str)>,
    comment_prompt: String,
    comment: String,
    message: Option<String>,
    error: Option<String>,
    e: Refusal,
}

/// What a refused form keeps: the answers given (in question order), the comment, the
/// refusal.
#[derive(Default)]
struct Kept {
    given: Vec<String>,
    comment: String,
    e: Refusal,
}

/// The public page: the questionnaire of an open token (with a pre-session token for its
/// form), or the plain message of a used, closed or unknown one.
async fn public_page(
    state: &AppState,
    headers: &HeaderMap,
    status: StatusCode,
    token: &str,
    ballot: Ballot,
    kept: Kept,
) -> Result<Response, PageError> {
    let Kept { given, comment, e } = kept;
    let (cookie_value, csrf) = session::login_presession(state).await?;
    let mut page = PublicPage {
        csrf,
        token: token.to_string(),
        title: "群众满意度测评".into(),
        org_name: String::new(),
        period: String::new(),
        note: String::new(),
        intro: String::new(),
        questions: vec![],
        scale: Rating::ALL.iter().map(|r| (r.code(), r.label())).collect(),
        comment_prompt: String::new(),
        comment,
        message: None,
        error: e.any().map(str::to_string),
        e,
    };
    let status = match ballot {
        Ballot::Open {
            org_name,
            period,
            title,
            note,
            intro,
            questions,
            comment_prompt,
        } => {
            page.org_name = org_name;
            page.period = period.label();
            page.title = title;
            page.note = note;
            page.intro = intro;
            page.questions = questions
                .into_iter()
                .enumerate()
                .map(|(i, q)| {
                    let g = given.get(i).cloned().unwrap_or_default();
                    (format!("q{}", i + 1), q, g)
                })
                .collect();
            page.comment_prompt = comment_prompt;
            status
        }
        other => {
            page.message = Some(other.message().to_string());
            // A refused form stays refused (403) whatever its token.
            match other {
                _ if status == StatusCode::FORBIDDEN => status,
                Ballot::Unknown => StatusCode::NOT_FOUND,
                _ => StatusCode::GONE,
            }
        }
    };
    let mut resp = html_status(status, &page)?;
    let secure = session::secure(state, headers);
    let name = session::login_cookie_name(secure);
    session::append_cookie(&mut resp, name, &cookie_value, secure, Some(3600))?;
    resp.headers_mut().insert(
        header::CACHE_CONTROL,
        header::HeaderValue::from_static("no-store"),
    );
    // The address holds the token: it is never sent to another site (same-origin, as every
    // page). Not no-referrer: under it a browser posts the form with `Origin: null`, which
    // the same-origin check refuses.
    resp.headers_mut().insert(
        header::REFERRER_POLICY,
        header::HeaderValue::from_static("same-origin"),
    );
    Ok(resp)
}

/// A token looked up, then counted by the throttle: an unknown one by the address, a known
/// one by its batch (`Err`: the refusal page).
async fn looked_up(
    state: &AppState,
    client: Option<Extension<SurveyClient>>,
    token: &str,
) -> Result<Result<Looked, Response>, PageError> {
    let looked = surveys::look_up(&state.app, token).await?;
    let addr = client.and_then(|Extension(SurveyClient(a))| a);
    Ok(match state.survey_throttle.looked_up(addr, looked.batch) {
        Ok(()) => Ok(looked),
        Err(wait) => Err(crate::survey_throttle::refused(wait, "/s/")),
    })
}

async fn ballot(
    State(state): State<AppState>,
    Path(token): Path<String>,
    client: Option<Extension<SurveyClient>>,
    headers: HeaderMap,
) -> Result<Response, PageError> {
    let looked = match looked_up(&state, client, &token).await? {
        Ok(l) => l,
        Err(refused) => return Ok(refused),
    };
    public_page(
        &state,
        &headers,
        StatusCode::OK,
        &token,
        looked.ballot,
        Kept::default(),
    )
    .await
}

#[derive(Template)]
#[template(path = "survey_thanks.html")]
struct ThanksPage {
    title: String,
}

/// An answer: the form's pre-session token checked first (403 otherwise, nothing read),
/// then the answers; recorded once per token.
async fn answer(
    State(state): State<AppState>,
    Path(token): Path<String>,
    client: Option<Extension<SurveyClient>>,
    headers: HeaderMap,
    Form(fields): Form<Vec<(String, String)>>,
) -> Result<Response, PageError> {
    let get = |k: &str| {
        fields
            .iter()
            .find(|(f, _)| f == k)
            .map(|(_, v)| v.clone())
            .unwrap_or_default()
    };
    let looked = match looked_up(&state, client, &token).await? {
        Ok(l) => l,
        Err(refused) => return Ok(refused),
    };
    let csrf = get("csrf");
    if !(session::same_origin(&headers)
        && session::login_form_valid(&state, &headers, &csrf).await?)
    {
        let b = looked.ballot;
        let e = Refusal {
            field: "csrf",
            message: "测评表单已失效，请重新作答后提交".into(),
        };
        return public_page(
            &state,
            &headers,
            StatusCode::FORBIDDEN,
            &token,
            b,
            Kept {
                e,
                ..Kept::default()
            },
        )
        .await;
    }
    let b = looked.ballot.clone();
    let codes: Vec<String> = match &b {
        Ballot::Open { questions, .. } => questions.iter().map(|q| q.code.clone()).collect(),
        _ => vec![],
    };
    // Answers come as q1, q2, … in question order.
    let by_code = |code: &str| {
        codes
            .iter()
            .position(|c| c == code)
            .map(|i| get(&format!("q{}", i + 1)))
            .filter(|v| !v.is_empty())
    };
    let comment = get("comment");
    match surveys::answer_looked(&state.app, looked, by_code, &comment).await {
        Ok(Answered::Recorded) => html_status(
            StatusCode::OK,
            &ThanksPage {
                title: "群众满意度测评".into(),
            },
        ),
        Ok(Answered::Refused(b)) => {
            public_page(&state, &headers, StatusCode::OK, &token, b, Kept::default()).await
        }
        Err(e) => {
            let e = Refusal::of(e)?;
            let given = (1..=codes.len()).map(|i| get(&format!("q{i}"))).collect();
            let mut resp = public_page(
                &state,
                &headers,
                StatusCode::UNPROCESSABLE_ENTITY,
                &token,
                b,
                Kept { given, comment, e },
            )
            .await?;
            *resp.status_mut() = StatusCode::UNPROCESSABLE_ENTITY;
            Ok(resp.into_response())
        }
    }
}
