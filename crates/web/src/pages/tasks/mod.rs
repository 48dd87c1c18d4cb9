//! 任务督办: an org's tasks (received, issued, issued below), the form that issues a task
//! (`issue.rs`: the targets by filter, the preview with the burden they carry, passing a
//! task down), a task seen from an org (`task.rs`: completion by child, the lines, the
//! target's report, reminding and extending, the export), and the burden ledger
//! (`burden.rs`).

use askama::Template;
use axum::extract::{Query, State};
use axum::response::Response;
use jiceng_app::access::Action;
use jiceng_app::tasks::{self, TaskList};

use super::{html, DoneParam, Nav};
use crate::error::PageError;
use crate::extract::QueryOrg;
use crate::routes::{Guard, Routes, Subject};
use crate::session::User;
use crate::AppState;

mod burden;
mod issue;
mod task;

pub fn routes() -> Routes {
    Routes::new()
        .get(
            "/tasks",
            Guard::May(Action::ReadData),
            Subject::QueryOrg,
            list,
        )
        .merge(issue::routes())
        .merge(task::routes())
        .merge(burden::routes())
}

#[derive(Template)]
#[template(path = "tasks.html")]
struct ListPage {
    title: String,
    nav: Nav,
    org_id: i64,
    org_name: String,
    l: TaskList,
    can_issue: bool,
    done: Option<String>,
}

async fn list(
    State(state): State<AppState>,
    QueryOrg { user, org }: QueryOrg<User>,
    Query(q): Query<DoneParam>,
) -> Result<Response, PageError> {
    let l = tasks::list(&state.app, &org).await?;
    html(&ListPage {
        title: format!("任务督办 · {}", org.org.name),
        nav: Nav::of(&user),
        org_id: org.org.id,
        org_name: org.org.name.clone(),
        l,
        can_issue: user.actor.may(Action::IssueTasks),
        done: q.done,
    })
}
