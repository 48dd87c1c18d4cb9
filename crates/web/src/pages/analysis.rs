//! 分析研判报告 (issue #19 point 3): an org's report of a period as a page to read and
//! print (the paper page, the charts' SVG inline) and as the .docx in the official layout,
//! both from the same blocks (`jiceng_app::reports::analysis`). Read as the scorecard is
//! (`ViewScorecard`, within the reader's subtree).

use axum::extract::{Query, State};
use axum::response::Response;
use jiceng_app::access::{Action, ViewScorecard};
use jiceng_app::paper::Paper;
use jiceng_app::reports::analysis::analysis;
use jiceng_app::scorecard;
use serde::Deserialize;

use super::paper::{download, page};
use crate::error::PageError;
use crate::extract::PathOrg;
use crate::routes::{Guard, Routes, Subject};
use crate::session::User;
use crate::AppState;

pub fn routes() -> Routes {
    Routes::new()
        .get(
            "/orgs/{id}/analysis",
            Guard::May(Action::ViewScorecard),
            Subject::Org,
            page_of,
        )
        .get(
            "/orgs/{id}/analysis.docx",
            Guard::May(Action::ViewScorecard),
            Subject::Org,
            docx_of,
        )
}

#[derive(Deserialize, Default)]
#[serde(default)]
struct PeriodParams {
    /// 2026, 2026H1, 2026H2 or 2026Q3 (default this year).
    period: Option<String>,
}

async fn report(
    state: &AppState,
    user: &User,
    org: &jiceng_app::access::InScope<jiceng_app::OrgRecord>,
    q: &PeriodParams,
) -> Result<(Paper, String), PageError> {
    let grant = user.actor.grant::<ViewScorecard>()?;
    let this_year = chrono::Datelike::year(&state.app.today()).to_string();
    let period = scorecard::period(q.period.as_deref().unwrap_or(&this_year))?;
    let p = analysis(&state.app, &grant, org, period).await?;
    Ok((p, period.code()))
}

async fn page_of(
    State(state): State<AppState>,
    PathOrg { user, org }: PathOrg<User>,
    Query(q): Query<PeriodParams>,
) -> Result<Response, PageError> {
    let (p, code) = report(&state, &user, &org, &q).await?;
    let id = org.org.id;
    page(
        &user,
        &p,
        format!("/orgs/{id}"),
        format!("/orgs/{id}/analysis.docx?period={code}"),
    )
}

async fn docx_of(
    State(state): State<AppState>,
    PathOrg { user, org }: PathOrg<User>,
    Query(q): Query<PeriodParams>,
) -> Result<Response, PageError> {
    download(&report(&state, &user, &org, &q).await?.0)
}
