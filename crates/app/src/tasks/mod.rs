//! 任务部署 (SPEC C6): an org issues a task to a filtered set of orgs of its subtree, each
//! target reports its progress and outcome, the issuer sees completion by child org and
//! urges (reminds, extends); a target may pass a task down a level, the chain kept. Every
//! task that reaches an org is counted in the burden ledger (`burden`), and a form field
//! the system already holds is answered by it, never asked ("最多报一次").
//!
//! Files: `issue` (the targets a filter picks, the preview with the burden they already
//! carry, issuing and passing down), `report` (a target's report; reminding and extending),
//! `view` (a task's completion seen from an org, its lines and the held answers, the
//! export), `files` (a file given as an outcome), `burden` (the ledger and its ceilings).

use chrono::NaiveDate;
use jiceng_domain::task::{Field, TargetStatus};
use jiceng_store::tasks::{self as store, StoredTask};
use serde::Serialize;

use crate::access::InScope;
use crate::{App, AppError, OrgRecord, Result};

pub mod burden;
pub mod files;
mod issue;
pub(crate) mod report;
mod summary;
mod view;

pub use issue::{issue, pass_down_draft, preview, Draft, Issued, Preview, TargetFilter};
pub use report::{extend, remind, report, Report, Urged};
pub use summary::{report as report_of_period, TaskLine, TasksReport};
pub use view::{view, ChildLine, Counts, TargetLine, TaskView, LINES_MAX};

/// How many tasks a list shows of each kind.
pub const LIST_MAX: i64 = 100;

/// A task as read: its form parsed.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Task {
    pub id: i64,
    pub title: String,
    pub content: String,
    pub fields: Vec<Field>,
    /// The issuing org.
    pub org_id: i64,
    pub org_name: String,
    /// The task this one passes down.
    pub parent_id: Option<i64>,
    pub issued_on: NaiveDate,
    pub deadline: NaiveDate,
    pub targets: i64,
    pub done: i64,
    pub issued_by: String,
}

impl Task {
    pub(crate) fn of(t: StoredTask) -> Result<Task> {
        let fields: Vec<Field> = serde_json::from_str(&t.form)
            .map_err(|e| AppError::Input(format!("任务{}的报送内容无法读取：{e}", t.id)))?;
        Ok(Task {
            id: t.id,
            title: t.title,
            content: t.content,
            fields,
            org_id: t.org_id,
            org_name: t.org_name,
            parent_id: t.parent_id,
            issued_on: t.issued_on,
            deadline: t.deadline,
            targets: t.targets,
            done: t.done,
            issued_by: t.issued_by,
        })
    }

    /// Done as a share of the targets, in whole percent.
    pub fn percent(&self) -> i64 {
        if self.targets == 0 {
            0
        } else {
            self.done * 100 / self.targets
        }
    }
}

/// A task that reached an org, with where the org stands.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ReceivedTask {
    pub task: Task,
    pub deadline: NaiveDate,
    pub status: TargetStatus,
    pub passed_to: Option<i64>,
}

/// An org's tasks: those it issued, those that reached it, and (for the org above) those
/// the orgs below it issued.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct TaskList {
    pub issued: Vec<Task>,
    pub received: Vec<ReceivedTask>,
    pub below: Vec<Task>,
}

/// The tasks of `org` (the newest first; at most [`LIST_MAX`] of each kind).
pub async fn list(app: &App, org: &InScope<OrgRecord>) -> Result<TaskList> {
    let today = app.today();
    let mut conn = app.store.acquire().await?;
    let issued = store::issued_by(&mut conn, org.org.id, LIST_MAX).await?;
    let received = store::received(&mut conn, org.org.id, LIST_MAX).await?;
    let below = store::issued_below(&mut conn, &org.subtree(), org.org.id, LIST_MAX).await?;
    drop(conn);
    Ok(TaskList {
        issued: issued.into_iter().map(Task::of).collect::<Result<_>>()?,
        received: received
            .into_iter()
            .map(|(t, g)| {
                Ok(ReceivedTask {
                    status: TargetStatus::of(g.done_on, g.deadline, today),
                    deadline: g.deadline,
                    passed_to: g.passed_to,
                    task: Task::of(t)?,
                })
            })
            .collect::<Result<_>>()?,
        below: below.into_iter().map(Task::of).collect::<Result<_>>()?,
    })
}

/// What `org` still has to do (its 待办): open tasks, how many are overdue, the earliest
/// deadline.
pub async fn open_of(app: &App, org: &InScope<OrgRecord>) -> Result<(i64, i64, Option<NaiveDate>)> {
    let mut conn = app.store.acquire().await?;
    Ok(store::open_of(&mut conn, org.org.id, app.today()).await?)
}

/// A task by id, or not found.
pub(crate) async fn get(app: &App, id: i64) -> Result<Task> {
    let mut conn = app.store.acquire().await?;
    let t = store::get(&mut conn, id)
        .await?
        .ok_or_else(|| AppError::NotFound("任务".into()))?;
    drop(conn);
    Task::of(t)
}
