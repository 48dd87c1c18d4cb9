//! 党务公开: the org's items with their state and audience, the forms that publish a free
//! item (a decision, a notice) or a figure computed from the records (frozen when
//! published), and withdraw one. And the org's public page `/p/{key}`, opened without an
//! account: the org's name and its published public items, newest first — no member, no
//! link into the application, no form. Throttled per address like the public survey.

use askama::Template;
use axum::extract::{Path, Query, State};
use axum::http::{header, StatusCode};
use axum::response::Response;
use axum::{Extension, Form};
use jiceng_app::access::{Action, InScope, PublishDisclosure};
use jiceng_app::disclosure::{self, Board, PublicBoard, Publication};
use jiceng_app::OrgRecord;
use jiceng_domain::disclosure::{Audience, Figure, FreeDraft, ItemKind};

use crate::error::PageError;
use crate::extract::QueryOrg;
use crate::pages::refusal::Refusal;
use crate::pages::{done_redirect, html_status, DoneParam, Nav};
use crate::parse::{parse_day, Fields};
use crate::routes::{Guard, Routes, Subject};
use crate::session::User;
use crate::throttle::SurveyClient;
use crate::AppState;

pub fn routes() -> Routes {
    let publish = Guard::May(Action::PublishDisclosure);
    let read = Guard::May(Action::ReadData);
    Routes::new()
        .get("/disclosure", read, Subject::QueryOrg, list)
        .post(
            "/disclosure/publish",
            publish,
            Subject::QueryOrg,
            publish_free,
        )
        .post(
            "/disclosure/figure",
            publish,
            Subject::QueryOrg,
            publish_figure,
        )
        .post("/disclosure/withdraw", publish, Subject::QueryOrg, withdraw)
        .get("/p/{key}", Guard::Public, Subject::None, public)
}

/// The free item's form as typed.
#[derive(Default)]
struct Values {
    audience: String,
    kind: String,
    title: String,
    body: String,
    day: String,
    figure: String,
    year: String,
    survey: String,
}

#[derive(Template)]
#[template(path = "disclosure.html")]
struct ListPage {
    title: String,
    nav: Nav,
    b: Board,
    can_publish: bool,
    audiences: Vec<(&'static str, &'static str)>,
    kinds: Vec<(&'static str, &'static str)>,
    figures: Vec<(&'static str, &'static str)>,
    year: String,
    v: Values,
    /// Which form a refusal belongs to: `free`, `figure` or `withdraw`.
    form: &'static str,
    e: Refusal,
    done: Option<String>,
}

impl ListPage {
    fn err(&self, form: &str, field: &str) -> Option<&str> {
        (self.form == form).then(|| self.e.at(field)).flatten()
    }
}

async fn page(
    state: &AppState,
    user: &User,
    org: &InScope<OrgRecord>,
    v: Values,
    form: &'static str,
    e: Refusal,
    done: Option<String>,
) -> Result<Response, PageError> {
    let status = e.form_status();
    let b = disclosure::board(&state.app, org).await?;
    use chrono::Datelike;
    html_status(
        status,
        &ListPage {
            title: format!("党务公开 · {}", org.org.name),
            nav: Nav::of(user),
            can_publish: user.actor.may(Action::PublishDisclosure),
            audiences: Audience::ALL
                .iter()
                .map(|a| (a.code(), a.label()))
                .collect(),
            kinds: [ItemKind::Decision, ItemKind::Notice]
                .iter()
                .map(|k| (k.code(), k.label()))
                .collect(),
            figures: Figure::ALL.iter().map(|f| (f.code(), f.label())).collect(),
            year: b.today.year().to_string(),
            b,
            v,
            form,
            e,
            done,
        },
    )
}

async fn list(
    State(state): State<AppState>,
    QueryOrg { user, org }: QueryOrg<User>,
    Query(d): Query<DoneParam>,
) -> Result<Response, PageError> {
    let v = Values {
        day: state.app.today().to_string(),
        ..Values::default()
    };
    page(&state, &user, &org, v, "", Refusal::default(), d.done).await
}

fn values_of(f: &Fields) -> Values {
    Values {
        audience: f.get("audience"),
        kind: f.get("kind"),
        title: f.get("title"),
        body: f.get("body"),
        day: f.get("day"),
        figure: f.get("figure"),
        year: f.get("year"),
        survey: f.get("survey"),
    }
}

fn bad(field: &'static str, message: String) -> Refusal {
    Refusal { field, message }
}

fn audience_of(v: &Values) -> Result<Option<Audience>, Refusal> {
    match v.audience.trim() {
        "" => Ok(None),
        a => Audience::parse(a)
            .map(Some)
            .ok_or_else(|| bad("audience", format!("无法识别的公开范围：{a}"))),
    }
}

fn free_of(v: &Values) -> Result<(Option<Audience>, Publication), Refusal> {
    let audience = audience_of(v)?;
    let kind = match v.kind.trim() {
        "" => None,
        k => Some(ItemKind::parse(k).ok_or_else(|| bad("kind", format!("无法识别的类别：{k}")))?),
    };
    let day = parse_day(&v.day, "日期").map_err(|m| bad("day", m))?;
    Ok((
        audience,
        Publication::Free(FreeDraft {
            kind,
            title: v.title.clone(),
            body: v.body.clone(),
            day,
        }),
    ))
}

fn figure_of(v: &Values) -> Result<(Option<Audience>, Publication), Refusal> {
    let audience = audience_of(v)?;
    let figure = match v.figure.trim() {
        "" => None,
        f => Some(
            Figure::parse(f).ok_or_else(|| bad("figure", format!("无法识别的公开数据：{f}")))?,
        ),
    };
    let year = match v.year.trim() {
        "" => None,
        y => Some(
            y.parse::<i32>()
                .map_err(|_| bad("year", format!("年度应为四位数字：{y}")))?,
        ),
    };
    let survey = match v.survey.trim() {
        "" => None,
        s => Some(
            s.parse::<i64>()
                .map_err(|_| bad("survey", format!("无法识别的测评：{s}")))?,
        ),
    };
    Ok((
        audience,
        Publication::Figure {
            figure,
            year,
            survey,
        },
    ))
}

async fn publish_with(
    state: &AppState,
    user: &User,
    org: &InScope<OrgRecord>,
    fields: Vec<(String, String)>,
    form: &'static str,
) -> Result<Response, PageError> {
    let (fields, grant) = user.form_for::<PublishDisclosure>(fields)?;
    let v = values_of(&fields);
    let parsed = if form == "free" {
        free_of(&v)
    } else {
        figure_of(&v)
    };
    let (audience, what) = match parsed {
        Ok(p) => p,
        Err(e) => return page(state, user, org, v, form, e, None).await,
    };
    match disclosure::publish(&state.app, &grant, org, audience, &what).await {
        Ok(_) => Ok(done_redirect(
            &format!("/disclosure?org={}", org.org.id),
            "已公开",
        )),
        Err(e) => {
            let e = Refusal::of(e)?;
            page(state, user, org, v, form, e, None).await
        }
    }
}

async fn publish_free(
    State(state): State<AppState>,
    QueryOrg { user, org }: QueryOrg<User>,
    Form(fields): Form<Vec<(String, String)>>,
) -> Result<Response, PageError> {
    publish_with(&state, &user, &org, fields, "free").await
}

async fn publish_figure(
    State(state): State<AppState>,
    QueryOrg { user, org }: QueryOrg<User>,
    Form(fields): Form<Vec<(String, String)>>,
) -> Result<Response, PageError> {
    publish_with(&state, &user, &org, fields, "figure").await
}

async fn withdraw(
    State(state): State<AppState>,
    QueryOrg { user, org }: QueryOrg<User>,
    Form(fields): Form<Vec<(String, String)>>,
) -> Result<Response, PageError> {
    let (fields, grant) = user.form_for::<PublishDisclosure>(fields)?;
    let raw = fields.get("id");
    let Ok(id) = raw.trim().parse::<i64>() else {
        let e = bad("id", format!("无法识别的公开事项：{raw}"));
        return page(&state, &user, &org, Values::default(), "withdraw", e, None).await;
    };
    match disclosure::withdraw(&state.app, &grant, &org, id).await {
        Ok(()) => Ok(done_redirect(
            &format!("/disclosure?org={}", org.org.id),
            "已撤回，公开页上不再显示",
        )),
        Err(e) => {
            let e = Refusal::of(e)?;
            page(&state, &user, &org, Values::default(), "withdraw", e, None).await
        }
    }
}

// ---------------------------------------------------------------- the public page

#[derive(Template)]
#[template(path = "disclosure_public.html")]
struct PublicPage {
    title: String,
    b: PublicBoard,
}

/// The org's public page: its published public items, nothing else; 404 for any key that
/// is not an org's.
async fn public(
    State(state): State<AppState>,
    Path(key): Path<String>,
    client: Option<Extension<SurveyClient>>,
) -> Result<Response, PageError> {
    let b = match disclosure::public(&state.app, &key).await {
        Ok(b) => b,
        Err(e) => {
            // A key that opens nothing counts against the address, as an unknown survey
            // token does: keys cannot be probed.
            let addr = client.and_then(|Extension(SurveyClient(a))| a);
            let _ = state.survey_throttle.looked_up(addr, None);
            return Err(e.into());
        }
    };
    let mut resp = html_status(
        StatusCode::OK,
        &PublicPage {
            title: format!("党务公开 · {}", b.org_name),
            b,
        },
    )?;
    resp.headers_mut().insert(
        header::CACHE_CONTROL,
        header::HeaderValue::from_static("no-store"),
    );
    // The address holds the key: never sent to another site (same-origin, as the public
    // survey's page).
    resp.headers_mut().insert(
        header::REFERRER_POLICY,
        header::HeaderValue::from_static("same-origin"),
    );
    Ok(resp)
}
