//! The board of a subtree: counts by stage, what is due this month and overdue, and the
//! people on the way sorted by deadline — cards on a phone, a table on a desk.

use askama::Template;
use axum::extract::{Query, State};
use axum::response::Response;
use jiceng_app::access::Action;
use jiceng_app::recruitment::{self, Board};

use super::day;
use super::overview::{OverviewView, YearQuery};
use crate::error::PageError;
use crate::extract::QueryOrg;
use crate::pages::{html, xlsx, Nav};
use crate::session::User;
use crate::AppState;

/// One person as the board lists them.
pub struct Line {
    pub id: i64,
    pub name: String,
    pub org_name: String,
    pub stage_label: &'static str,
    pub next_title: String,
    /// 截止 2026-05-01, 不早于 2026-05-01, or empty.
    pub when: String,
    pub overdue: bool,
    pub due_this_month: bool,
    pub violations: i64,
}

#[derive(Template)]
#[template(path = "recruitment_board.html")]
struct BoardPage {
    title: String,
    nav: Nav,
    b: Board,
    lines: Vec<Line>,
    o: OverviewView,
    can_plan: bool,
}

fn lines(b: &Board) -> Vec<Line> {
    b.people
        .iter()
        .map(|p| Line {
            id: p.id,
            name: p.name.clone(),
            org_name: p.org_name.clone(),
            stage_label: p.stage_label,
            next_title: p.next_title.clone().unwrap_or_else(|| "—".into()),
            when: match (p.deadline, p.not_before) {
                (Some(d), _) => format!("截止 {}", day(Some(d))),
                (None, Some(n)) => format!("不早于 {}", day(Some(n))),
                (None, None) => String::new(),
            },
            overdue: p.overdue,
            due_this_month: p.due_this_month,
            violations: p.violations,
        })
        .collect()
}

pub(super) async fn board_page(
    State(state): State<AppState>,
    QueryOrg { user, org }: QueryOrg<User>,
    Query(q): Query<YearQuery>,
) -> Result<Response, PageError> {
    let can_record = user.actor.may(Action::RecordRecruitment);
    let page = Some(recruitment::view::BOARD_PAGE);
    let b = recruitment::view::board_cut(&state.app, &org, can_record, page).await?;
    let o = recruitment::overview::overview(&state.app, &org, q.or(b.year)).await?;
    html(&BoardPage {
        title: format!("发展党员 · {}", b.org_name),
        nav: Nav::of(&user),
        lines: lines(&b),
        o: OverviewView::of(&o),
        can_plan: user.actor.may(Action::PlanRecruitment),
        b,
    })
}

pub(super) async fn board_export(
    State(state): State<AppState>,
    QueryOrg { user, org }: QueryOrg<User>,
) -> Result<Response, PageError> {
    let b = recruitment::board(&state.app, &org, false).await?;
    let sheet = b.sheet();
    let bytes =
        jiceng_app::export::workbook(&state.app, &user.actor, "recruitment", Some(&org), &[sheet])
            .await?;
    Ok(xlsx(&format!("{} 发展党员.xlsx", b.org_name), bytes))
}

/// The year's report of the subtree (按阶段, 待办, 违规, 计划完成) as a workbook, audited.
pub(super) async fn report_export(
    State(state): State<AppState>,
    QueryOrg { user, org }: QueryOrg<User>,
    Query(q): Query<YearQuery>,
) -> Result<Response, PageError> {
    let year = q.or(chrono::Datelike::year(&state.app.today()));
    let r = jiceng_app::reports::recruitment::run(&state.app, &org, year).await?;
    let bytes = jiceng_app::export::workbook(
        &state.app,
        &user.actor,
        "recruitment_report",
        Some(&org),
        &r.to_sheets(),
    )
    .await?;
    Ok(xlsx(
        &format!("{} {year}年发展党员报表.xlsx", org.org.name),
        bytes,
    ))
}
