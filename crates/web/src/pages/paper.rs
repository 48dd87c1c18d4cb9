//! Papers to print and file (打印与 Word, SPEC C4/C5): a meeting's record with its sign-in
//! sheet, a branch's register of a year's meetings, an org's rectification file. Each
//! page prints on A4 (the CSS hides everything but the paper) and downloads as a .docx
//! made from the same blocks (`jiceng_app::paper`).

use askama::Template;
use axum::extract::{Path, Query, State};
use axum::response::{IntoResponse, Redirect, Response};
use jiceng_app::access::Action;
use jiceng_app::paper::{self, Paper};
use jiceng_io::docx::Block;
use serde::Deserialize;

use super::common::year_of;
use super::{docx, html, Nav};
use crate::error::PageError;
use crate::extract::PathOrg;
use crate::routes::{Guard, Routes, Subject};
use crate::session::User;
use crate::AppState;

pub fn routes() -> Routes {
    Routes::new()
        .get(
            "/meetings/{id}/print",
            Guard::May(Action::ReadData),
            Subject::Meeting,
            meeting_print,
        )
        .get(
            "/meetings/{id}/record.docx",
            Guard::May(Action::ReadData),
            Subject::Meeting,
            meeting_docx,
        )
        .get(
            "/orgs/{id}/life/register",
            Guard::May(Action::ReadData),
            Subject::Org,
            register,
        )
        .get(
            "/orgs/{id}/rectification/file",
            Guard::May(Action::ReadData),
            Subject::Org,
            rectification,
        )
}

/// One block of a paper as the page prints it.
pub struct Line {
    /// title, flush, body, heading, blank, table or signature.
    pub kind: &'static str,
    pub text: String,
    pub date: String,
    pub header: Vec<String>,
    pub rows: Vec<Vec<String>>,
    /// A chart's SVG, drawn by `jiceng_io::chart` from figures (printed unescaped).
    pub svg: String,
}

impl Line {
    fn of(b: &Block) -> Line {
        let line = |kind, text: &str| Line {
            kind,
            text: text.to_string(),
            date: String::new(),
            header: Vec::new(),
            rows: Vec::new(),
            svg: String::new(),
        };
        match b {
            Block::Title(t) => line("title", t),
            Block::Flush(t) => line("flush", t),
            Block::Body(t) => line("body", t),
            Block::Heading(t) => line("heading", t),
            Block::Blank => line("blank", ""),
            Block::Table { header, rows, .. } => Line {
                header: header.clone(),
                rows: rows.clone(),
                ..line("table", "")
            },
            Block::Signature { signer, date } => Line {
                date: date.clone(),
                ..line("signature", signer)
            },
            Block::Chart { caption, chart } => Line {
                svg: chart.svg.clone(),
                ..line("chart", caption)
            },
        }
    }
}

#[derive(Template)]
#[template(path = "paper.html")]
struct PaperPage {
    title: String,
    nav: Nav,
    /// Where the paper's page came from (返回).
    back: String,
    docx_href: String,
    lines: Vec<Line>,
}

pub(super) fn page(
    user: &User,
    p: &Paper,
    back: String,
    docx_href: String,
) -> Result<Response, PageError> {
    html(&PaperPage {
        title: p.title.clone(),
        nav: Nav::of(user),
        back,
        docx_href,
        lines: p.blocks.iter().map(Line::of).collect(),
    })
}

pub(super) fn download(p: &Paper) -> Result<Response, PageError> {
    Ok(docx(&p.file_name, p.docx()?))
}

async fn meeting_print(
    State(state): State<AppState>,
    user: User,
    Path(id): Path<i64>,
) -> Result<Response, PageError> {
    let p = paper::meeting_record(&state.app, &user.actor, id).await?;
    page(
        &user,
        &p,
        format!("/meetings/{id}"),
        format!("/meetings/{id}/record.docx"),
    )
}

async fn meeting_docx(
    State(state): State<AppState>,
    user: User,
    Path(id): Path<i64>,
) -> Result<Response, PageError> {
    download(&paper::meeting_record(&state.app, &user.actor, id).await?)
}

#[derive(Deserialize, Default)]
#[serde(default)]
struct PaperParams {
    year: Option<String>,
    /// docx: the Word file instead of the page.
    format: Option<String>,
}

async fn register(
    State(state): State<AppState>,
    PathOrg { user, org }: PathOrg<User>,
    Query(q): Query<PaperParams>,
) -> Result<Response, PageError> {
    let year = year_of(&state, &q.year)?;
    let p = paper::life_register(&state.app, &org, year).await?;
    if q.format.as_deref() == Some("docx") {
        return download(&p);
    }
    let id = org.org.id;
    page(
        &user,
        &p,
        format!("/orgs/{id}/life"),
        format!("/orgs/{id}/life/register?year={year}&format=docx"),
    )
}

async fn rectification(
    State(state): State<AppState>,
    PathOrg { user, org }: PathOrg<User>,
    Query(q): Query<PaperParams>,
) -> Result<Response, PageError> {
    let year = year_of(&state, &q.year)?;
    let id = org.org.id;
    let p = match paper::rectification_file(&state.app, &org, year).await {
        Ok(p) => p,
        // No case that year: the case page says so (and how one is opened).
        Err(jiceng_app::AppError::NotFound(_)) => {
            return Ok(
                Redirect::to(&format!("/orgs/{id}/rectification?year={year}")).into_response(),
            )
        }
        Err(e) => return Err(e.into()),
    };
    if q.format.as_deref() == Some("docx") {
        return download(&p);
    }
    page(
        &user,
        &p,
        format!("/orgs/{id}/rectification?year={year}"),
        format!("/orgs/{id}/rectification/file?year={year}&format=docx"),
    )
}
