//! 群众诉求 / 我为群众办实事: the requests assigned to an org's subtree (open first, the
//! overdue in red; by status and month received) with their counts, the form that receives
//! one and assigns it, and a request with its progress, where the org notes progress and
//! resolves it with the requester's feedback. The workbook for the department. The
//! requester's name and phone appear masked on the request's own page only.

use askama::Template;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::Response;
use axum::Form;
use jiceng_app::access::{Action, InScope, RecordRequests};
use jiceng_app::mass_requests::{self, MassRequest, NewRequest, RequestList, Shown};
use jiceng_app::OrgRecord;
use jiceng_domain::mass_request::{Category, Channel, Feedback, RequestDraft, ResolutionDraft};
use jiceng_domain::Period;
use serde::Deserialize;

use crate::error::{PageError, WebError};
use crate::extract::QueryOrg;
use crate::pages::refusal::Refusal;
use crate::pages::{done_redirect, html_status, xlsx, DoneParam, Nav};
use crate::parse::{parse_day, Fields};
use crate::routes::{Guard, Routes, Subject};
use crate::session::User;
use crate::AppState;

pub fn routes() -> Routes {
    let record = Guard::May(Action::RecordRequests);
    let read = Guard::May(Action::ReadData);
    Routes::new()
        .get("/requests", read, Subject::QueryOrg, list)
        .get("/requests/export.xlsx", read, Subject::QueryOrg, export)
        .get("/requests/new", record, Subject::QueryOrg, form)
        .post("/requests/new", record, Subject::QueryOrg, submit)
        .get("/requests/{id}", read, Subject::Request, show)
        .post(
            "/requests/{id}/progress",
            record,
            Subject::Request,
            progress,
        )
        .post("/requests/{id}/resolve", record, Subject::Request, resolve)
}

/// `?status=` (all, open, overdue, resolved) and `?month=` (`2026-11`, the month received).
#[derive(Deserialize, Default)]
pub(crate) struct ListParam {
    status: Option<String>,
    month: Option<String>,
}

impl ListParam {
    pub(crate) fn shown(&self) -> Result<Shown, WebError> {
        let s = self.status.as_deref().unwrap_or("");
        Shown::parse(s).ok_or_else(|| {
            WebError::BadRequest(format!(
                "无法识别的状态：{s}（应为 all、open、overdue 或 resolved）"
            ))
        })
    }

    pub(crate) fn month(&self) -> Result<Option<(i32, u32)>, WebError> {
        match self
            .month
            .as_deref()
            .map(str::trim)
            .filter(|s| !s.is_empty())
        {
            None => Ok(None),
            Some(s) => match Period::parse(s) {
                Ok(Period::Month(y, m)) => Ok(Some((y, m))),
                _ => Err(WebError::BadRequest(format!(
                    "无法识别的月份“{s}”（应为 2026-11）"
                ))),
            },
        }
    }
}

#[derive(Template)]
#[template(path = "requests.html")]
struct ListPage {
    title: String,
    nav: Nav,
    l: RequestList,
    can_record: bool,
    statuses: Vec<(&'static str, &'static str)>,
    month: String,
    rule: String,
    rule_source: String,
    done: Option<String>,
}

impl ListPage {
    fn is(&self, code: &str) -> bool {
        self.l.shown.code() == code
    }
}

async fn list(
    State(state): State<AppState>,
    QueryOrg { user, org }: QueryOrg<User>,
    Query(q): Query<ListParam>,
    Query(d): Query<DoneParam>,
) -> Result<Response, PageError> {
    let shown = q.shown().map_err(PageError)?;
    let month = q.month().map_err(PageError)?;
    let l = mass_requests::list(&state.app, &org, shown, month).await?;
    let rules = mass_requests::rules(&state.app);
    html_status(
        StatusCode::OK,
        &ListPage {
            title: format!("群众诉求 · {}", org.org.name),
            nav: Nav::of(&user),
            can_record: user.actor.may(Action::RecordRequests),
            statuses: Shown::ALL.iter().map(|s| (s.code(), s.label())).collect(),
            month: l.month.clone().unwrap_or_default(),
            rule: rules.describe(),
            rule_source: rules.source,
            l,
            done: d.done,
        },
    )
}

async fn export(
    State(state): State<AppState>,
    QueryOrg { org, .. }: QueryOrg<User>,
    Query(q): Query<ListParam>,
) -> Result<Response, PageError> {
    let shown = q.shown().map_err(PageError)?;
    let month = q.month().map_err(PageError)?;
    let l = mass_requests::list(&state.app, &org, shown, month).await?;
    let bytes = jiceng_io::workbook_bytes(&l.to_sheets())
        .map_err(|e| PageError(WebError::BadRequest(e)))?;
    let span = l.month.clone().unwrap_or_default();
    Ok(xlsx(&format!("{}{span}群众诉求.xlsx", org.org.name), bytes))
}

/// The form's values as typed.
#[derive(Default)]
struct Values {
    channel: String,
    received_on: String,
    category: String,
    content: String,
    assign_to: String,
    handler: String,
    requester_name: String,
    requester_phone: String,
}

#[derive(Template)]
#[template(path = "request_new.html")]
struct NewPage {
    title: String,
    nav: Nav,
    org_id: i64,
    org_name: String,
    today: String,
    channels: Vec<(&'static str, &'static str)>,
    categories: Vec<(&'static str, &'static str)>,
    /// The live orgs of the subtree a request may go to (a phone suggests them as the
    /// user types; at most [`ASSIGNABLE_SHOWN`]).
    assignable: Vec<(String, String)>,
    v: Values,
    e: Refusal,
}

/// How many orgs the form suggests to assign to.
const ASSIGNABLE_SHOWN: i64 = 500;

async fn new_page(
    state: &AppState,
    user: &User,
    org: &InScope<OrgRecord>,
    v: Values,
    e: Refusal,
) -> Result<Response, PageError> {
    let status = e.form_status();
    html_status(
        status,
        &NewPage {
            title: format!("受理群众诉求 · {}", org.org.name),
            nav: Nav::of(user),
            org_id: org.org.id,
            org_name: org.org.name.clone(),
            today: state.app.today().to_string(),
            channels: Channel::ALL.iter().map(|c| (c.code(), c.label())).collect(),
            categories: Category::ALL
                .iter()
                .map(|c| (c.code(), c.label()))
                .collect(),
            assignable: jiceng_app::browse::subtree_orgs(&state.app, org, ASSIGNABLE_SHOWN)
                .await?
                .into_iter()
                .filter(|o| !o.dissolved && o.kind != "Group")
                .map(|o| (o.code, o.name))
                .collect(),
            v,
            e,
        },
    )
}

async fn form(
    State(state): State<AppState>,
    QueryOrg { user, org }: QueryOrg<User>,
) -> Result<Response, PageError> {
    let v = Values {
        received_on: state.app.today().to_string(),
        ..Values::default()
    };
    new_page(&state, &user, &org, v, Refusal::default()).await
}

fn values_of(f: &Fields) -> Values {
    Values {
        channel: f.get("channel"),
        received_on: f.get("received_on"),
        category: f.get("category"),
        content: f.get("content"),
        assign_to: f.get("assign_to"),
        handler: f.get("handler"),
        requester_name: f.get("requester_name"),
        requester_phone: f.get("requester_phone"),
    }
}

fn request_of(v: &Values) -> Result<NewRequest, Refusal> {
    let bad = |field: &'static str, message: String| Refusal { field, message };
    let coded = |s: &str| s.trim().to_string();
    let channel = match coded(&v.channel).as_str() {
        "" => None,
        c => Some(
            Channel::parse(c).ok_or_else(|| bad("channel", format!("无法识别的受理渠道：{c}")))?,
        ),
    };
    let category = match coded(&v.category).as_str() {
        "" => None,
        c => Some(
            Category::parse(c)
                .ok_or_else(|| bad("category", format!("无法识别的诉求类别：{c}")))?,
        ),
    };
    Ok(NewRequest {
        draft: RequestDraft {
            channel,
            received_on: parse_day(&v.received_on, "受理日期")
                .map_err(|m| bad("received_on", m))?,
            category,
            content: v.content.clone(),
            handler: v.handler.clone(),
            requester_name: v.requester_name.clone(),
        },
        assign_to: v.assign_to.clone(),
        requester_phone: v.requester_phone.clone(),
    })
}

async fn submit(
    State(state): State<AppState>,
    QueryOrg { user, org }: QueryOrg<User>,
    Form(fields): Form<Vec<(String, String)>>,
) -> Result<Response, PageError> {
    let (fields, grant) = user.form_for::<RecordRequests>(fields)?;
    let v = values_of(&fields);
    let new = match request_of(&v) {
        Ok(n) => n,
        Err(e) => return new_page(&state, &user, &org, v, e).await,
    };
    match mass_requests::record(&state.app, &grant, &org, &new).await {
        Ok(id) => Ok(done_redirect(
            &format!("/requests/{id}?org={}", org.org.id),
            "已受理群众诉求",
        )),
        Err(e) => {
            let e = Refusal::of(e)?;
            new_page(&state, &user, &org, v, e).await
        }
    }
}

#[derive(Template)]
#[template(path = "request.html")]
struct ShowPage {
    title: String,
    nav: Nav,
    at_id: i64,
    r: MassRequest,
    can_record: bool,
    today: String,
    feedbacks: Vec<(&'static str, &'static str)>,
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
    let r = mass_requests::get(&state.app, org, id).await?;
    let status = e.form_status();
    html_status(
        status,
        &ShowPage {
            title: format!("群众诉求 · {}", r.org.name),
            nav: Nav::of(user),
            at_id: org.org.id,
            can_record: user.actor.may(Action::RecordRequests),
            today: state.app.today().to_string(),
            feedbacks: Feedback::ALL
                .iter()
                .map(|f| (f.code(), f.label()))
                .collect(),
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

async fn progress(
    State(state): State<AppState>,
    Path(id): Path<i64>,
    QueryOrg { user, org }: QueryOrg<User>,
    Form(fields): Form<Vec<(String, String)>>,
) -> Result<Response, PageError> {
    let (fields, grant) = user.form_for::<RecordRequests>(fields)?;
    let on = match parse_day(&fields.get("on"), "进展日期") {
        Ok(on) => on,
        Err(message) => {
            let e = Refusal {
                field: "on",
                message,
            };
            return show_page(&state, &user, &org, id, None, e).await;
        }
    };
    match mass_requests::progress(&state.app, &grant, &org, id, on, &fields.get("note")).await {
        Ok(_) => Ok(done_redirect(
            &format!("/requests/{id}?org={}", org.org.id),
            "已登记办理进展",
        )),
        Err(e) => {
            let e = Refusal::of(e)?;
            show_page(&state, &user, &org, id, None, e).await
        }
    }
}

async fn resolve(
    State(state): State<AppState>,
    Path(id): Path<i64>,
    QueryOrg { user, org }: QueryOrg<User>,
    Form(fields): Form<Vec<(String, String)>>,
) -> Result<Response, PageError> {
    let (fields, grant) = user.form_for::<RecordRequests>(fields)?;
    let refuse = |field: &'static str, message: String| Refusal { field, message };
    let draft = parse_day(&fields.get("resolved_on"), "办结日期")
        .map_err(|m| refuse("resolved_on", m))
        .and_then(|on| {
            let f = fields.get("feedback");
            let feedback = match f.trim() {
                "" => None,
                code => Some(
                    Feedback::parse(code)
                        .ok_or_else(|| refuse("feedback", format!("无法识别的反馈：{code}")))?,
                ),
            };
            Ok(ResolutionDraft {
                on,
                result: fields.get("result"),
                feedback,
            })
        });
    let draft = match draft {
        Ok(d) => d,
        Err(e) => return show_page(&state, &user, &org, id, None, e).await,
    };
    match mass_requests::resolve(&state.app, &grant, &org, id, &draft).await {
        Ok(()) => Ok(done_redirect(
            &format!("/requests/{id}?org={}", org.org.id),
            "已办结",
        )),
        Err(e) => {
            let e = Refusal::of(e)?;
            show_page(&state, &user, &org, id, None, e).await
        }
    }
}
