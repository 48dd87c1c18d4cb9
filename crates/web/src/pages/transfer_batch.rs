//! 批量转出 from the roster: the members ticked on a roster page, one destination, one day
//! and one reason — a letter each, all or nothing (`transfer::issue_many`). A spreadsheet of
//! many (the 批量转出 import) stays for larger moves.

use askama::Template;
use axum::extract::{Query, State};
use axum::response::{IntoResponse, Redirect, Response};
use axum::Form;
use jiceng_app::access::{Action, TransferMembers};
use jiceng_app::browse;
use jiceng_app::transfer::{self, NewLetter, BATCH_MAX};
use jiceng_domain::transfer::Outside;

use crate::error::{PageError, WebError};
use crate::extract::QueryOrg;
use crate::pages::refusal::Refusal;
use crate::pages::{html_status, Nav};
use crate::parse::{parse_day, Fields};
use crate::routes::{Guard, Routes, Subject};
use crate::session::User;
use crate::AppState;

pub fn routes() -> Routes {
    let may = Guard::May(Action::TransferMembers);
    Routes::new()
        .get("/transfers/batch", may, Subject::QueryOrg, batch_form)
        .post("/transfers/batch", may, Subject::QueryOrg, batch_submit)
}

/// The fields of the form, as typed.
#[derive(Default)]
struct Values {
    to: String,
    outside: String,
    to_name: String,
    issued_on: String,
    reason: String,
}

#[derive(Template)]
#[template(path = "transfer_batch.html")]
struct BatchPage {
    title: String,
    nav: Nav,
    org_id: i64,
    org_name: String,
    /// (id, name, org) of each member ticked.
    people: Vec<(i64, String, String)>,
    today: String,
    outsides: Vec<(&'static str, &'static str)>,
    f: Values,
    e: Refusal,
}

/// The members ticked (`pick`), as ids.
fn picked(fields: &Fields) -> Result<Vec<i64>, PageError> {
    let ids: Vec<i64> = fields
        .all("pick")
        .iter()
        .map(|v| v.trim().parse::<i64>())
        .collect::<Result<_, _>>()
        .map_err(|_| PageError(WebError::BadRequest("勾选的党员编号无效".into())))?;
    if ids.len() > BATCH_MAX {
        return Err(PageError(WebError::BadRequest(format!(
            "一次最多转出{BATCH_MAX}名党员；人数更多的请用“批量转出”表格导入"
        ))));
    }
    Ok(ids)
}

async fn answer(
    state: &AppState,
    user: &User,
    org: &jiceng_app::access::InScope<jiceng_app::OrgRecord>,
    ids: &[i64],
    f: Values,
    e: Refusal,
) -> Result<Response, PageError> {
    let mut people = Vec::with_capacity(ids.len());
    for id in ids {
        let v = browse::member_view(&state.app, &user.actor, *id).await?;
        people.push((*id, v.member.name, v.member.org_name));
    }
    html_status(
        e.status(),
        &BatchPage {
            title: format!("批量转出组织关系 · {}", org.org.name),
            nav: Nav::of(user),
            org_id: org.org.id,
            org_name: org.org.name.clone(),
            people,
            today: state.app.today().to_string(),
            outsides: Outside::ALL.iter().map(|o| (o.code(), o.label())).collect(),
            f,
            e,
        },
    )
}

async fn batch_form(
    State(state): State<AppState>,
    QueryOrg { user, org }: QueryOrg<User>,
    Query(pairs): Query<Vec<(String, String)>>,
) -> Result<Response, PageError> {
    user.actor.grant::<TransferMembers>()?;
    let ids = picked(&Fields(pairs))?;
    let f = Values {
        issued_on: state.app.today().to_string(),
        ..Default::default()
    };
    answer(&state, &user, &org, &ids, f, Refusal::default()).await
}

async fn batch_submit(
    State(state): State<AppState>,
    QueryOrg { user, org }: QueryOrg<User>,
    Form(pairs): Form<Vec<(String, String)>>,
) -> Result<Response, PageError> {
    let fields = Fields(pairs);
    user.check_csrf(&fields.get("csrf"))?;
    let grant = user.actor.grant::<TransferMembers>()?;
    let ids = picked(&fields)?;
    let f = Values {
        to: fields.get("to"),
        outside: fields.get("outside"),
        to_name: fields.get("to_name"),
        issued_on: fields.get("issued_on"),
        reason: fields.get("reason"),
    };
    let opt = |s: &str| Some(s.trim().to_string()).filter(|s| !s.is_empty());
    let refusal = match parse_day(&f.issued_on, "开具日期") {
        Ok(Some(issued_on)) => {
            let new = NewLetter {
                to: opt(&f.to),
                outside: opt(&f.outside),
                to_name: opt(&f.to_name),
                letter_no: None,
                issued_on,
                reason: f.reason.clone(),
            };
            match transfer::issue_many(&state.app, &grant, &ids, &new).await {
                Ok(_) => {
                    let to = format!("/transfers?org={}", org.org.id);
                    return Ok(Redirect::to(&to).into_response());
                }
                Err(e) => Refusal::of(e)?,
            }
        }
        Ok(None) => Refusal {
            field: "issued_on",
            message: "请填写开具日期".into(),
        },
        Err(message) => Refusal {
            field: "issued_on",
            message,
        },
    };
    answer(&state, &user, &org, &ids, f, refusal).await
}
