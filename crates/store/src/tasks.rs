//! 任务部署 and 减负台账 (SPEC C6): tasks issued down the tree, the orgs each one reaches
//! with their reports, and what reached each org in a month (`burden_month`). The task row
//! keeps how many targets it has and how many are done, so its completion is one row
//! whatever its size.

use std::collections::HashMap;

use chrono::NaiveDate;
use sqlx::any::AnyRow;

use crate::row::{from_row, Cells};
use crate::sql::{insert_many, insert_many_then, Sql, Val, IN_CHUNK};
use crate::{Conn, Result, Scope};

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StoredTask {
    pub id: i64,
    /// The issuing org, its path and its name when it issued.
    pub org_id: i64,
    pub org_path: String,
    pub org_name: String,
    /// The task this one passes down (分解下达), if any.
    pub parent_id: Option<i64>,
    pub title: String,
    pub content: String,
    /// The fields (JSON of `domain::task::Field`s).
    pub form: String,
    pub issued_on: NaiveDate,
    pub deadline: NaiveDate,
    pub targets: i64,
    pub done: i64,
    pub issued_by: String,
    pub issued_at: String,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StoredTarget {
    pub task_id: i64,
    pub org_id: i64,
    pub org_path: String,
    /// The task's deadline, or this org's extension.
    pub deadline: NaiveDate,
    pub done_on: Option<NaiveDate>,
    pub progress: String,
    /// The answers (JSON: the field's index → `domain::task::Answer`).
    pub answers: String,
    pub evidence: String,
    pub reported_at: Option<String>,
    pub reported_by: Option<String>,
    /// The task this org issued to pass this one down, if it did.
    pub passed_to: Option<i64>,
}

const TASK_COLS: [&str; 14] = [
    "id",
    "org_id",
    "org_path",
    "org_name",
    "parent_id",
    "title",
    "content",
    "form",
    "issued_on",
    "deadline",
    "targets",
    "done",
    "issued_by",
    "issued_at",
];

const TARGET_COLS: [&str; 11] = [
    "task_id",
    "org_id",
    "org_path",
    "deadline",
    "done_on",
    "progress",
    "answers",
    "evidence",
    "reported_at",
    "reported_by",
    "passed_to",
];

fn task_vals(t: &StoredTask) -> Vec<Val> {
    vec![
        t.id.into(),
        t.org_id.into(),
        t.org_path.clone().into(),
        t.org_name.clone().into(),
        t.parent_id.into(),
        t.title.clone().into(),
        t.content.clone().into(),
        t.form.clone().into(),
        t.issued_on.into(),
        t.deadline.into(),
        t.targets.into(),
        t.done.into(),
        t.issued_by.clone().into(),
        t.issued_at.clone().into(),
    ]
}

fn target_vals(t: &StoredTarget) -> Vec<Val> {
    vec![
        t.task_id.into(),
        t.org_id.into(),
        t.org_path.clone().into(),
        t.deadline.into(),
        t.done_on.map(|d| d.to_string()).into(),
        t.progress.clone().into(),
        t.answers.clone().into(),
        t.evidence.clone().into(),
        t.reported_at.clone().into(),
        t.reported_by.clone().into(),
        t.passed_to.into(),
    ]
}

fn task_from_row(r: &AnyRow) -> Result<StoredTask> {
    Ok(from_row!(
        r,
        StoredTask {
            id,
            org_id,
            org_path,
            org_name,
            parent_id,
            title,
            content,
            form,
            issued_on: r.date("issued_on")?,
            deadline: r.date("deadline")?,
            targets,
            done,
            issued_by,
            issued_at,
        }
    ))
}

fn target_from_row(r: &AnyRow) -> Result<StoredTarget> {
    Ok(from_row!(
        r,
        StoredTarget {
            task_id,
            org_id,
            org_path,
            deadline: r.date("deadline")?,
            done_on: r.opt_date("done_on")?,
            progress,
            answers,
            evidence,
            reported_at,
            reported_by,
            passed_to,
        }
    ))
}

fn select_tasks() -> Sql {
    Sql::new(format!("SELECT {} FROM task WHERE ", TASK_COLS.join(", ")))
}

fn select_targets() -> Sql {
    Sql::new(format!(
        "SELECT {} FROM task_target WHERE ",
        TARGET_COLS.join(", ")
    ))
}

/// Writes a task and the orgs it reaches.
pub async fn insert(conn: &mut Conn, task: &StoredTask, targets: &[StoredTarget]) -> Result<()> {
    insert_many(conn, "task", &TASK_COLS, &[task_vals(task)]).await?;
    let rows: Vec<Vec<Val>> = targets.iter().map(target_vals).collect();
    insert_many(conn, "task_target", &TARGET_COLS, &rows).await?;
    crate::task_rollup::write(
        conn,
        task.id,
        task.org_id,
        targets
            .iter()
            .map(|t| (t.org_path.as_str(), t.deadline, t.done_on)),
    )
    .await
}

/// A task by id, whoever issued it (the caller decides what the reader may see of it).
pub async fn get(conn: &mut Conn, id: i64) -> Result<Option<StoredTask>> {
    select_tasks()
        .push("id = ")
        .bind(id)
        .fetch_opt_map(&mut *conn, task_from_row)
        .await
}

/// The tasks `org_id` issued, the newest first (at most `limit`).
pub async fn issued_by(conn: &mut Conn, org_id: i64, limit: i64) -> Result<Vec<StoredTask>> {
    select_tasks()
        .push("org_id = ")
        .bind(org_id)
        .push(" ORDER BY issued_on DESC, id DESC LIMIT ")
        .bind(limit)
        .fetch_map(&mut *conn, task_from_row)
        .await
}

/// The tasks issued by orgs strictly below `path` (in its subtree, not itself), newest
/// first (at most `limit`).
pub async fn issued_below(
    conn: &mut Conn,
    scope: &Scope,
    org_id: i64,
    limit: i64,
) -> Result<Vec<StoredTask>> {
    select_tasks()
        .scope("org_path", scope)
        .push(" AND org_id <> ")
        .bind(org_id)
        .push(" ORDER BY issued_on DESC, id DESC LIMIT ")
        .bind(limit)
        .fetch_map(&mut *conn, task_from_row)
        .await
}

/// The tasks that reached `org_id` (it is one of their targets), with its own line of
/// each: the open ones first, then by deadline; at most `limit`.
pub async fn received(
    conn: &mut Conn,
    org_id: i64,
    limit: i64,
) -> Result<Vec<(StoredTask, StoredTarget)>> {
    let cols: Vec<String> = TASK_COLS
        .iter()
        .map(|c| format!("t.{c}"))
        .chain(TARGET_COLS.iter().map(|c| format!("g.{c} AS g_{c}")))
        .collect();
    Sql::new(format!(
        "SELECT {} FROM task_target g JOIN task t ON t.id = g.task_id WHERE g.org_id = ",
        cols.join(", ")
    ))
    .bind(org_id)
    .push(" ORDER BY CASE WHEN g.done_on IS NULL THEN 0 ELSE 1 END, g.deadline DESC, t.id DESC LIMIT ")
    .bind(limit)
    .fetch_map(&mut *conn, |r| {
        let t = task_from_row(r)?;
        let g = from_row!(
            r,
            StoredTarget {
                task_id: r.try_get("g_task_id")?,
                org_id: r.try_get("g_org_id")?,
                org_path: r.try_get("g_org_path")?,
                deadline: r.date("g_deadline")?,
                done_on: r.opt_date("g_done_on")?,
                progress: r.try_get("g_progress")?,
                answers: r.try_get("g_answers")?,
                evidence: r.try_get("g_evidence")?,
                reported_at: r.try_get("g_reported_at")?,
                reported_by: r.try_get("g_reported_by")?,
                passed_to: r.try_get("g_passed_to")?,
            }
        );
        Ok((t, g))
    })
    .await
}

/// What `org_id` still has to do: its open targets' count, how many are past their
/// deadline on `today`, and the earliest deadline.
pub async fn open_of(
    conn: &mut Conn,
    org_id: i64,
    today: NaiveDate,
) -> Result<(i64, i64, Option<NaiveDate>)> {
    let rows: Vec<(String,)> =
        Sql::new("SELECT deadline FROM task_target WHERE done_on IS NULL AND org_id = ")
            .bind(org_id)
            .fetch_all_as(&mut *conn)
            .await?;
    let days: Vec<NaiveDate> = rows
        .iter()
        .filter_map(|(d,)| crate::parse_date_text(d).ok())
        .collect();
    let late = days.iter().filter(|d| **d < today).count() as i64;
    Ok((days.len() as i64, late, days.iter().min().copied()))
}

/// The targets of a task within `scope`, in tree order.
pub async fn targets(conn: &mut Conn, task_id: i64, scope: &Scope) -> Result<Vec<StoredTarget>> {
    select_targets()
        .push("task_id = ")
        .bind(task_id)
        .push(" AND ")
        .scope("org_path", scope)
        .push(" ORDER BY org_path")
        .fetch_map(&mut *conn, target_from_row)
        .await
}

/// One target of a task.
pub async fn target(conn: &mut Conn, task_id: i64, org_id: i64) -> Result<Option<StoredTarget>> {
    select_targets()
        .push("task_id = ")
        .bind(task_id)
        .push(" AND org_id = ")
        .bind(org_id)
        .fetch_opt_map(&mut *conn, target_from_row)
        .await
}

/// Stores a target's report. `newly_done`: it was open and is now done — the task's done
/// count goes up by one (down by one when `undone`).
pub async fn save_report(conn: &mut Conn, t: &StoredTarget, done_delta: i64) -> Result<()> {
    // The task's row first (its done count): reports, extensions and recounts of one task
    // go one after the other.
    Sql::new("UPDATE task SET done = done + ")
        .bind(done_delta)
        .push(" WHERE id = ")
        .bind(t.task_id)
        .execute(&mut *conn)
        .await?;
    // The counts up the tree move by what the row held before.
    let before: Vec<(String, String, Option<String>, i64)> = Sql::new(
        "SELECT t.org_path, t.deadline, t.done_on, k.org_id FROM task_target t \
         JOIN task k ON k.id = t.task_id WHERE t.task_id = ",
    )
    .bind(t.task_id)
    .push(" AND t.org_id = ")
    .bind(t.org_id)
    .fetch_all_as(&mut *conn)
    .await?;
    if let Some((p, deadline, done_on, issuer)) = before.into_iter().next() {
        crate::task_rollup::report(
            conn,
            t.task_id,
            issuer,
            &p,
            crate::parse_date_text(&deadline)?,
            done_on.as_deref().map(crate::parse_date_text).transpose()?,
            t.done_on,
        )
        .await?;
    }
    Sql::new("UPDATE task_target SET done_on = ")
        .bind(t.done_on.map(|d| d.to_string()))
        .push(", progress = ")
        .bind(t.progress.clone())
        .push(", answers = ")
        .bind(t.answers.clone())
        .push(", evidence = ")
        .bind(t.evidence.clone())
        .push(", reported_at = ")
        .bind(t.reported_at.clone())
        .push(", reported_by = ")
        .bind(t.reported_by.clone())
        .push(" WHERE task_id = ")
        .bind(t.task_id)
        .push(" AND org_id = ")
        .bind(t.org_id)
        .execute(&mut *conn)
        .await?;
    Ok(())
}

/// Moves the deadline of the open targets of a task (all of them, or the orgs named) to
/// `deadline`; the task's own deadline too when all are moved. Returns the targets moved.
pub async fn extend(
    conn: &mut Conn,
    task_id: i64,
    orgs: Option<&[i64]>,
    deadline: NaiveDate,
) -> Result<u64> {
    crate::task_rollup::lock(conn, task_id).await?;
    let base = || {
        Sql::new("UPDATE task_target SET deadline = ")
            .bind(deadline)
            .push(" WHERE done_on IS NULL AND task_id = ")
            .bind(task_id)
    };
    match orgs {
        None => {
            let n = base().execute(&mut *conn).await?.rows_affected();
            Sql::new("UPDATE task SET deadline = ")
                .bind(deadline)
                .push(" WHERE id = ")
                .bind(task_id)
                .execute(&mut *conn)
                .await?;
            crate::task_rollup::rebuild(conn, task_id).await?;
            Ok(n)
        }
        Some(ids) => {
            let mut n = 0;
            for chunk in ids.chunks(IN_CHUNK) {
                n += base()
                    .push(" AND org_id IN ")
                    .in_list(chunk.iter().copied())
                    .execute(&mut *conn)
                    .await?
                    .rows_affected();
            }
            crate::task_rollup::rebuild(conn, task_id).await?;
            Ok(n)
        }
    }
}

/// Records that a target passed its task down as `child`.
pub async fn set_passed(conn: &mut Conn, task_id: i64, org_id: i64, child: i64) -> Result<()> {
    Sql::new("UPDATE task_target SET passed_to = ")
        .bind(child)
        .push(" WHERE task_id = ")
        .bind(task_id)
        .push(" AND org_id = ")
        .bind(org_id)
        .execute(&mut *conn)
        .await?;
    Ok(())
}

/// The tasks passed down from `parent_id`.
pub async fn children(conn: &mut Conn, parent_id: i64) -> Result<Vec<StoredTask>> {
    select_tasks()
        .push("parent_id = ")
        .bind(parent_id)
        .push(" ORDER BY id")
        .fetch_map(&mut *conn, task_from_row)
        .await
}

/// One row of the burden ledger: what one issuer sent one org in a month.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BurdenRow {
    pub org_id: i64,
    pub org_path: String,
    /// `YYYY-MM`.
    pub year_month: String,
    pub issuer_id: i64,
    /// The receiving org's burden level (`domain::task::BurdenLevel` code).
    pub level: String,
    pub items: i64,
    pub questions: i64,
    pub answered: i64,
    pub asked_held: i64,
}

const BURDEN_COLS: [&str; 9] = [
    "org_id",
    "org_path",
    "year_month",
    "issuer_id",
    "level",
    "items",
    "questions",
    "answered",
    "asked_held",
];

/// Adds rows to the ledger (summing rows of the same org, month and issuer first).
pub async fn add_burden(conn: &mut Conn, rows: &[BurdenRow]) -> Result<()> {
    let mut sum: HashMap<(i64, &str, i64), BurdenRow> = HashMap::new();
    for r in rows {
        sum.entry((r.org_id, r.year_month.as_str(), r.issuer_id))
            .and_modify(|s| {
                s.items += r.items;
                s.questions += r.questions;
                s.answered += r.answered;
                s.asked_held += r.asked_held;
            })
            .or_insert_with(|| r.clone());
    }
    let mut rows: Vec<&BurdenRow> = sum.values().collect();
    rows.sort_by_key(|r| (r.org_id, r.issuer_id));
    // The counts up the tree move first, by what the rows held before.
    let mut months: Vec<&str> = rows.iter().map(|r| r.year_month.as_str()).collect();
    months.sort_unstable();
    months.dedup();
    for m in months {
        let of: Vec<&BurdenRow> = rows.iter().copied().filter(|r| r.year_month == m).collect();
        crate::burden_rollup::before_add(conn, m, &of).await?;
    }
    let vals: Vec<Vec<Val>> = rows
        .iter()
        .map(|r| {
            vec![
                r.org_id.into(),
                r.org_path.clone().into(),
                r.year_month.clone().into(),
                r.issuer_id.into(),
                r.level.clone().into(),
                r.items.into(),
                r.questions.into(),
                r.answered.into(),
                r.asked_held.into(),
            ]
        })
        .collect();
    insert_many_then(
        conn,
        "burden_month",
        &BURDEN_COLS,
        &vals,
        " ON CONFLICT (org_id, year_month, issuer_id) DO UPDATE SET \
         items = burden_month.items + excluded.items, \
         questions = burden_month.questions + excluded.questions, \
         answered = burden_month.answered + excluded.answered, \
         asked_held = burden_month.asked_held + excluded.asked_held",
    )
    .await
}

/// The ledger's rows of a month within `scope`, in tree order.
pub async fn burden(conn: &mut Conn, scope: &Scope, year_month: &str) -> Result<Vec<BurdenRow>> {
    Sql::new(format!(
        "SELECT {} FROM burden_month WHERE year_month = ",
        BURDEN_COLS.join(", ")
    ))
    .bind(year_month.to_string())
    .push(" AND ")
    .scope("org_path", scope)
    .push(" ORDER BY org_path, issuer_id")
    .fetch_map(&mut *conn, |r| {
        Ok(from_row!(
            r,
            BurdenRow {
                org_id,
                org_path,
                year_month,
                issuer_id,
                level,
                items,
                questions,
                answered,
                asked_held,
            }
        ))
    })
    .await
}

/// Each org's items of a month within `scope` (all issuers), for the orgs that have any.
pub async fn items_of_month(
    conn: &mut Conn,
    scope: &Scope,
    year_month: &str,
) -> Result<HashMap<i64, i64>> {
    let rows: Vec<(i64, i64)> =
        Sql::new("SELECT org_id, CAST(SUM(items) AS BIGINT) FROM burden_month WHERE year_month = ")
            .bind(year_month.to_string())
            .push(" AND ")
            .scope("org_path", scope)
            .push(" GROUP BY org_id")
            .fetch_all_as(&mut *conn)
            .await?;
    Ok(rows.into_iter().collect())
}

/// Each org's tasks with a deadline in `year`, judged on `as_of`, within `scope` (the
/// rating's 重点任务完成).
pub async fn tallies_in_scope(
    conn: &mut Conn,
    scope: &Scope,
    year: i32,
    as_of: NaiveDate,
) -> Result<HashMap<i64, jiceng_domain::task::TaskTally>> {
    let rows: Vec<(i64, String, Option<String>)> =
        Sql::new("SELECT org_id, deadline, done_on FROM task_target WHERE ")
            .scope("org_path", scope)
            .push(" AND deadline >= ")
            .bind(format!("{year}-01-01"))
            .push(" AND deadline <= ")
            .bind(format!("{year}-12-31"))
            .fetch_all_as(&mut *conn)
            .await?;
    let mut out: HashMap<i64, jiceng_domain::task::TaskTally> = HashMap::new();
    for (org, deadline, done_on) in rows {
        let deadline = crate::parse_date_text(&deadline)?;
        let done_on = done_on.map(|d| crate::parse_date_text(&d)).transpose()?;
        out.entry(org).or_default().add(deadline, done_on, as_of);
    }
    Ok(out)
}

const CEILINGS: &str = "burden_ceiling";

/// The department's burden ceilings (JSON), if it set them.
pub async fn ceilings(conn: &mut Conn) -> Result<Option<String>> {
    crate::protection::setting(conn, CEILINGS).await
}

/// Stores the department's burden ceilings (JSON).
pub async fn set_ceilings(conn: &mut Conn, json: &str) -> Result<()> {
    crate::protection::set_setting(conn, CEILINGS, json).await
}
