//! 结对共建: the department's count of the pairings of its subtree (by kind, the grassroots
//! orgs covered and those without any pairing), the list, the form that records one and
//! the form that ends one; the workbook.

use askama::Template;
use axum::extract::{Query, State};
use axum::response::Response;
use axum::Form;
use jiceng_app::access::{Action, InScope, RecordPairing};
use jiceng_app::pairing::{self, NewPairing, PairingOverview};
use jiceng_app::OrgRecord;
use jiceng_domain::pairing::{PairingDraft, PairingKind};
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
    let record = Guard::May(Action::RecordPairing);
    let read = Guard::May(Action::ReadData);
    Routes::new()
        .get("/pairing", read, Subject::QueryOrg, list)
        .get("/pairing/export.xlsx", read, Subject::QueryOrg, export)
        .post("/pairing/new", record, Subject::QueryOrg, submit)
        .post("/pairing/end", record, Subject::QueryOrg, end)
}

/// `?on=` the day the pairings are counted on (blank: today).
#[derive(Deserialize, Default)]
pub(crate) struct OnParam {
    on: Option<String>,
}

impl OnParam {
    pub(crate) fn day(&self) -> Result<Option<chrono::NaiveDate>, WebError> {
        parse_day(self.on.as_deref().unwrap_or(""), "统计日期").map_err(WebError::BadRequest)
    }
}

#[derive(Default)]
struct Values {
    kind: String,
    supported: String,
    partner_org: String,
    partner_name: String,
    content: String,
    since: String,
    until: String,
}

#[derive(Template)]
#[template(path = "pairing.html")]
struct ListPage {
    title: String,
    nav: Nav,
    o: PairingOverview,
    can_record: bool,
    kinds: Vec<(&'static str, &'static str)>,
    today: String,
    v: Values,
    form: &'static str,
    e: Refusal,
    done: Option<String>,
}

impl ListPage {
    fn err(&self, form: &str, field: &str) -> Option<&str> {
        (self.form == form).then(|| self.e.at(field)).flatten()
    }
}

#[allow(clippy::too_many_arguments)]
async fn page(
    state: &AppState,
    user: &User,
    org: &InScope<OrgRecord>,
    on: Option<chrono::NaiveDate>,
    v: Values,
    form: &'static str,
    e: Refusal,
    done: Option<String>,
) -> Result<Response, PageError> {
    let status = e.form_status();
    let o = pairing::overview(&state.app, org, on).await?;
    html_status(
        status,
        &ListPage {
            title: format!("结对共建 · {}", org.org.name),
            nav: Nav::of(user),
            can_record: user.actor.may(Action::RecordPairing),
            kinds: PairingKind::ALL
                .iter()
                .map(|k| (k.code(), k.label()))
                .collect(),
            today: state.app.today().to_string(),
            o,
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
    Query(q): Query<OnParam>,
    Query(d): Query<DoneParam>,
) -> Result<Response, PageError> {
    let on = q.day().map_err(PageError)?;
    let v = Values {
        since: state.app.today().to_string(),
        ..Values::default()
    };
    page(&state, &user, &org, on, v, "", Refusal::default(), d.done).await
}

async fn export(
    State(state): State<AppState>,
    QueryOrg { org, .. }: QueryOrg<User>,
    Query(q): Query<OnParam>,
) -> Result<Response, PageError> {
    let on = q.day().map_err(PageError)?;
    let o = pairing::overview(&state.app, &org, on).await?;
    let bytes = jiceng_io::workbook_bytes(&o.to_sheets())
        .map_err(|e| PageError(WebError::BadRequest(e)))?;
    Ok(xlsx(&format!("{}结对共建.xlsx", org.org.name), bytes))
}

fn values_of(f: &Fields) -> Values {
    Values {
        kind: f.get("kind"),
        supported: f.get("supported"),
        partner_org: f.get("partner_org"),
        partner_name: f.get("partner_name"),
        content: f.get("content"),
        since: f.get("since"),
        until: f.get("until"),
    }
}

fn pairing_of(v: &Values) -> Result<NewPairing, Refusal> {
    let bad = |field: &'static str, message: String| Refusal { field, message };
    let kind = match v.kind.trim() {
        "" => None,
        k => Some(
            PairingKind::parse(k).ok_or_else(|| bad("kind", format!("无法识别的结对形式：{k}")))?,
        ),
    };
    Ok(NewPairing {
        draft: PairingDraft {
            kind,
            partner_name: v.partner_name.clone(),
            content: v.content.clone(),
            since: parse_day(&v.since, "开始日期").map_err(|m| bad("since", m))?,
            until: parse_day(&v.until, "结束日期").map_err(|m| bad("until", m))?,
        },
        supported: v.supported.clone(),
        partner_org: v.partner_org.clone(),
    })
}

async fn submit(
    State(state): State<AppState>,
    QueryOrg { user, org }: QueryOrg<User>,
    Form(fields): Form<Vec<(String, String)>>,
) -> Result<Response, PageError> {
    let (fields, grant) = user.form_for::<RecordPairing>(fields)?;
    let v = values_of(&fields);
    let new = match pairing_of(&v) {
        Ok(n) => n,
        Err(e) => return page(&state, &user, &org, None, v, "new", e, None).await,
    };
    match pairing::record(&state.app, &grant, &org, &new).await {
        Ok(_) => Ok(done_redirect(
            &format!("/pairing?org={}", org.org.id),
            "已登记结对共建",
        )),
        Err(e) => {
            let e = Refusal::of(e)?;
            page(&state, &user, &org, None, v, "new", e, None).await
        }
    }
}

async fn end(
    State(state): State<AppState>,
    QueryOrg { user, org }: QueryOrg<User>,
    Form(fields): Form<Vec<(String, String)>>,
) -> Result<Response, PageError> {
    let (fields, grant) = user.form_for::<RecordPairing>(fields)?;
    let bad = |field: &'static str, message: String| Refusal { field, message };
    let raw = fields.get("id");
    let parsed = raw
        .trim()
        .parse::<i64>()
        .map_err(|_| bad("until", format!("无法识别的结对：{raw}")))
        .and_then(|id| {
            parse_day(&fields.get("until"), "结束日期")
                .map(|u| (id, u))
                .map_err(|m| bad("until", m))
        });
    let (id, until) = match parsed {
        Ok(p) => p,
        Err(e) => return page(&state, &user, &org, None, Values::default(), "end", e, None).await,
    };
    match pairing::end(&state.app, &grant, &org, id, until).await {
        Ok(()) => Ok(done_redirect(
            &format!("/pairing?org={}", org.org.id),
            "已结束结对",
        )),
        Err(e) => {
            let e = Refusal::of(e)?;
            page(&state, &user, &org, None, Values::default(), "end", e, None).await
        }
    }
}
