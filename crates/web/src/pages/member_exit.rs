//! 出党登记 from the member page: the kind, the day, the deciding org and its document; a
//! refusal comes back beside its field with the form as typed. The same use case as the API
//! (`jiceng_app::member_exit`).

use askama::Template;
use axum::extract::{Path, State};
use axum::response::{IntoResponse, Redirect, Response};
use jiceng_app::access::{Action, Write};
use jiceng_app::browse;
use jiceng_app::member_exit::{self, ExitInput};
use serde::Deserialize;

use crate::error::PageError;
use crate::extract::CsrfForm;
use crate::pages::refusal::Refusal;
use crate::pages::{html_status, Nav};
use crate::parse::parse_day;
use crate::routes::{Guard, Routes, Subject};
use crate::session::User;
use crate::AppState;

pub fn routes() -> Routes {
    let may = Guard::May(Action::Write);
    Routes::new()
        .get("/members/{id}/exit", may, Subject::Member, exit_form)
        .post("/members/{id}/exit", may, Subject::Member, exit_submit)
}

#[derive(Default, Deserialize)]
struct ExitValues {
    #[serde(default)]
    kind: String,
    #[serde(default)]
    on: String,
    #[serde(default)]
    decided_by: String,
    #[serde(default)]
    document: String,
    #[serde(default)]
    note: String,
}

#[derive(Template)]
#[template(path = "member_exit.html")]
struct ExitPage {
    title: String,
    nav: Nav,
    member_id: i64,
    name: String,
    today: String,
    kinds: Vec<(&'static str, &'static str)>,
    f: ExitValues,
    e: Refusal,
}

const EXIT_FIELDS: [&str; 5] = ["kind", "on", "decided_by", "document", "note"];

async fn answer(
    state: &AppState,
    user: &User,
    id: i64,
    f: ExitValues,
    e: Refusal,
) -> Result<Response, PageError> {
    let m = browse::member_in_scope(&state.app, &user.actor, id).await?;
    html_status(
        e.status(),
        &ExitPage {
            title: format!("出党登记 · {}", m.name),
            nav: Nav::of(user),
            member_id: id,
            name: m.name,
            today: state.app.today().to_string(),
            kinds: member_exit::kinds(),
            f,
            e,
        },
    )
}

async fn exit_form(
    State(state): State<AppState>,
    user: User,
    Path(id): Path<i64>,
) -> Result<Response, PageError> {
    user.actor.grant::<Write>()?;
    let f = ExitValues {
        on: state.app.today().to_string(),
        ..Default::default()
    };
    answer(&state, &user, id, f, Refusal::default()).await
}

async fn exit_submit(
    State(state): State<AppState>,
    Path(id): Path<i64>,
    CsrfForm { user, form: f }: CsrfForm<ExitValues>,
) -> Result<Response, PageError> {
    let grant = user.actor.grant::<Write>()?;
    let opt = |s: &str| Some(s.trim().to_string()).filter(|s| !s.is_empty());
    let refusal = match parse_day(&f.on, "出党日期") {
        Ok(Some(on)) => {
            let input = ExitInput {
                kind: f.kind.clone(),
                on,
                decided_by: opt(&f.decided_by),
                document: opt(&f.document),
                note: opt(&f.note),
            };
            match member_exit::record_exit(&state.app, &grant, id, &input).await {
                Ok(()) => {
                    return Ok(Redirect::to(&format!("/members/{id}?done=exited")).into_response())
                }
                Err(e) => Refusal::of(e)?,
            }
        }
        Ok(None) => Refusal {
            field: "on",
            message: "请填写出党日期".into(),
        },
        Err(message) => Refusal {
            field: "on",
            message,
        },
    };
    answer(&state, &user, id, f, refusal).await
}
