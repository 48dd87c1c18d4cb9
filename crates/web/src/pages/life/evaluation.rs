//! 民主评议结果: the grades of an evaluation meeting, one select per member of the branch
//! (合格 unless another is chosen), saved as a whole; 优秀 within the share of the rules.

use askama::Template;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use axum::Form;
use jiceng_app::access::{Action, RecordLife};
use jiceng_app::meetings::evaluation::{self, EvaluationSheet};
use jiceng_app::AppError;
use jiceng_domain::evaluation::Grade;

use super::DoneParam;
use crate::error::PageError;
use crate::pages::{html, html_status, Nav};
use crate::parse::Fields;
use crate::session::User;
use crate::AppState;

#[derive(Template)]
#[template(path = "life_evaluation.html")]
struct EvaluationPage {
    title: String,
    nav: Nav,
    s: EvaluationSheet,
    /// (member id, name, chosen grade code).
    lines: Vec<(i64, String, String)>,
    grades: Vec<(&'static str, &'static str)>,
    can_change: bool,
    flash: bool,
    error: Option<String>,
}

fn page(
    user: &User,
    s: EvaluationSheet,
    chosen: Option<&[(String, String)]>,
    flash: bool,
    error: Option<String>,
) -> EvaluationPage {
    let lines = s
        .lines
        .iter()
        .map(|l| {
            let typed = chosen.and_then(|c| {
                c.iter()
                    .find(|(k, _)| *k == format!("g_{}", l.member_id))
                    .map(|(_, v)| v.clone())
            });
            let grade = typed
                .or(l.grade.map(str::to_string))
                .unwrap_or_else(|| Grade::Qualified.code().to_string());
            (l.member_id, l.name.clone(), grade)
        })
        .collect();
    EvaluationPage {
        title: format!("民主评议结果 · {}", s.meeting.org.name),
        nav: Nav::of(user),
        can_change: user.actor.may(Action::RecordLife),
        grades: Grade::ALL.iter().map(|g| (g.code(), g.label())).collect(),
        lines,
        s,
        flash,
        error,
    }
}

pub(super) async fn evaluation_page(
    State(state): State<AppState>,
    user: User,
    Path(id): Path<i64>,
    Query(q): Query<DoneParam>,
) -> Result<Response, PageError> {
    let s = evaluation::sheet(&state.app, &user.actor, id).await?;
    html(&page(
        &user,
        s,
        None,
        q.done.as_deref() == Some("graded"),
        None,
    ))
}

pub(super) async fn evaluation_submit(
    State(state): State<AppState>,
    user: User,
    Path(id): Path<i64>,
    Form(fields): Form<Vec<(String, String)>>,
) -> Result<Response, PageError> {
    let fields = Fields(fields);
    user.check_csrf(&fields.get("csrf"))?;
    let grant = user.actor.grant::<RecordLife>()?;
    let mut grades = Vec::new();
    let mut bad = None;
    for (m, v) in fields.prefixed("g_") {
        match (m.parse::<i64>(), Grade::parse(v)) {
            (Ok(m), Some(g)) => grades.push((m, g)),
            _ => bad = Some(format!("无法识别的评议等次：{v}")),
        }
    }
    let refused = match bad {
        Some(why) => why,
        None => match evaluation::record(&state.app, &grant, id, &grades).await {
            Ok(_) => {
                let to = format!("/meetings/{id}/evaluation?done=graded");
                return Ok(Redirect::to(&to).into_response());
            }
            Err(AppError::Input(why)) => why,
            Err(other) => return Err(other.into()),
        },
    };
    let s = evaluation::sheet(&state.app, &user.actor, id).await?;
    html_status(
        StatusCode::UNPROCESSABLE_ENTITY,
        &page(&user, s, Some(&fields.0), false, Some(refused)),
    )
}
