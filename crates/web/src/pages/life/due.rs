//! A branch's 本月待办: what it still owes this month, quarter and year, one tap to record
//! each, and what it recorded this month.

use askama::Template;
use axum::extract::{Query, State};
use axum::response::Response;
use chrono::Datelike;
use jiceng_app::access::Action;
use jiceng_app::meetings::{self, Due, DueItem, ListFilter, MeetingRow};
use jiceng_domain::Period;

use super::{freshness, DoneParam};
use crate::error::PageError;
use crate::extract::PathOrg;
use crate::pages::{html, opt_i64, Nav};
use crate::session::User;
use crate::AppState;

pub struct DueLine {
    pub label: String,
    pub group: Option<String>,
    pub due: i64,
    pub held: i64,
    pub deadline: String,
    pub record: String,
}

pub struct DueSection {
    pub id: &'static str,
    pub heading: String,
    pub lines: Vec<DueLine>,
    pub empty: &'static str,
}

#[derive(Template)]
#[template(path = "life_due.html")]
struct DuePage {
    title: String,
    nav: Nav,
    branch_id: i64,
    branch_name: String,
    today: String,
    flash: Option<(i64, String)>,
    sections: Vec<DueSection>,
    open: usize,
    /// 暂无数据 and 临时党支部 notes.
    notes: Vec<String>,
    done: Vec<MeetingRow>,
    month_label: String,
    can_write: bool,
    freshness: String,
    /// Letters of 组织关系转接 waiting to be received here, and how many are overdue.
    letters: (i64, i64),
    /// 党费 this month: assessed members not paid yet, and those flagged.
    dues: (i64, i64),
    /// Members of the branch whose hours of this year are not yet done (stored tally), or
    /// `Some(-1)`: no hours recorded this year at all.
    training_short: Option<i64>,
}

pub(crate) fn due_sections(d: &Due) -> Vec<DueSection> {
    let line = |i: &DueItem| DueLine {
        label: i.label.to_string(),
        group: i.group.as_ref().map(|g| g.name.clone()),
        due: i.due,
        held: i.held,
        deadline: format!("{}月{}日", i.deadline.month(), i.deadline.day()),
        record: format!("/orgs/{}/meetings/new?kind={}&back=due", i.org_id, i.kind),
    };
    let last_year = Period::Year(d.year.first_day().year() - 1);
    // (id, heading, span, what an empty section says); last year's only while owed.
    let sections = [
        (
            "due-last-year",
            format!("上年度（{}度，可在次年初补开）", last_year.label()),
            last_year,
            "",
        ),
        (
            "due-month",
            format!("本月（{}）", d.month.label()),
            d.month,
            "本月应开展的组织生活已全部完成。",
        ),
        (
            "due-quarter",
            format!("本季度（{}）", d.quarter.label()),
            d.quarter,
            "本季度应开展的组织生活已全部完成。",
        ),
        (
            "due-year",
            format!("本年度（{}）", d.year.label()),
            d.year,
            "本年度应开展的组织生活已全部完成。",
        ),
    ];
    sections
        .into_iter()
        .map(|(id, heading, span, empty)| DueSection {
            id,
            heading,
            lines: d
                .items
                .iter()
                .filter(|i| i.span == span)
                .map(line)
                .collect(),
            empty,
        })
        .filter(|s| s.id != "due-last-year" || !s.lines.is_empty())
        .collect()
}

pub(super) async fn due_page(
    State(state): State<AppState>,
    PathOrg { user, org }: PathOrg<User>,
    Query(q): Query<DoneParam>,
) -> Result<Response, PageError> {
    let today = state.app.today();
    let d = meetings::due(&state.app, &org, today).await?;
    let month = Period::month_of(today);
    let (done, _) = meetings::list(
        &state.app,
        &user.actor,
        &ListFilter {
            branch_id: Some(d.branch_id),
            from: Some(month.first_day()),
            to: Some(month.last_day()),
            kind: None,
            ..Default::default()
        },
        1,
        100,
    )
    .await?;
    let flash = match opt_i64(&q.done)? {
        Some(mid) => meetings::get(&state.app, &user.actor, mid)
            .await
            .ok()
            .map(|m| (m.id, format!("已记录：{} {}“{}”", m.date, m.label, m.topic))),
        None => None,
    };
    let sections = due_sections(&d);
    let letters = jiceng_app::transfer::waiting(&state.app, &org).await?;
    let dues = jiceng_app::dues::month_todo(&state.app, &org).await?;
    let training_short = match jiceng_app::training::due_this_year(&state.app, &org).await? {
        Some(jiceng_app::training::DueTraining::Short(n)) => Some(n),
        Some(jiceng_app::training::DueTraining::NothingRecorded) => Some(-1),
        None => None,
    };
    html(&DuePage {
        title: format!("本月待办 · {}", d.branch.name),
        nav: Nav::of(&user),
        branch_id: d.branch_id,
        branch_name: d.branch.name.clone(),
        today: today.to_string(),
        flash,
        open: d.items.len(),
        notes: d.notes.clone(),
        sections,
        done,
        month_label: month.label(),
        can_write: user.actor.may(Action::RecordLife),
        freshness: freshness(&state, None),
        letters,
        dues,
        training_short,
    })
}
