//! 督查: inspections of orgs (`inspection`), read within a scope by the inspected org's
//! path; the problems they found are `problems::INSPECTION`.

use chrono::NaiveDate;
use sqlx::any::AnyRow;

pub use crate::problems::StoredProblem;
use crate::row::{from_row, Cells};
use crate::sql::{insert_many, Sql, Val};
use crate::{Conn, Result, Scope};

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StoredInspection {
    pub id: i64,
    /// The inspected org.
    pub org_id: i64,
    pub org_path: String,
    /// The inspecting org (the recorder's), and its name then.
    pub by_org_id: i64,
    pub by_org_name: String,
    /// The task it was about, if any.
    pub task_id: Option<i64>,
    pub held_on: NaiveDate,
    /// Names joined by 、.
    pub inspectors: String,
    /// Method codes joined by `,`.
    pub methods: String,
    pub findings: String,
    pub recorded_by: String,
    pub recorded_at: String,
}

const COLS: [&str; 12] = [
    "id",
    "org_id",
    "org_path",
    "by_org_id",
    "by_org_name",
    "task_id",
    "held_on",
    "inspectors",
    "methods",
    "findings",
    "recorded_by",
    "recorded_at",
];

fn inspection_from_row(r: &AnyRow) -> Result<StoredInspection> {
    Ok(from_row!(
        r,
        StoredInspection {
            id,
            org_id,
            org_path,
            by_org_id,
            by_org_name,
            task_id,
            held_on: r.date("held_on")?,
            inspectors,
            methods,
            findings,
            recorded_by,
            recorded_at,
        }
    ))
}

/// Writes an inspection and its problems.
pub async fn insert(
    conn: &mut Conn,
    i: &StoredInspection,
    problems: &[StoredProblem],
) -> Result<()> {
    let row: Vec<Val> = vec![
        i.id.into(),
        i.org_id.into(),
        i.org_path.clone().into(),
        i.by_org_id.into(),
        i.by_org_name.clone().into(),
        i.task_id.into(),
        i.held_on.into(),
        i.inspectors.clone().into(),
        i.methods.clone().into(),
        i.findings.clone().into(),
        i.recorded_by.clone().into(),
        i.recorded_at.clone().into(),
    ];
    insert_many(conn, "inspection", &COLS, &[row]).await?;
    crate::problems::INSPECTION.insert(conn, problems).await
}

/// An inspection by id within `scope`.
pub async fn get(conn: &mut Conn, scope: &Scope, id: i64) -> Result<Option<StoredInspection>> {
    Sql::new(format!(
        "SELECT {} FROM inspection WHERE id = ",
        COLS.join(", ")
    ))
    .bind(id)
    .push(" AND ")
    .scope("org_path", scope)
    .fetch_opt_map(&mut *conn, inspection_from_row)
    .await
}

/// The inspections of orgs in `scope` held in `[from, to]`, the latest first (at most
/// `limit`).
pub async fn list(
    conn: &mut Conn,
    scope: &Scope,
    from: NaiveDate,
    to: NaiveDate,
    limit: i64,
) -> Result<Vec<StoredInspection>> {
    Sql::new(format!("SELECT {} FROM inspection WHERE ", COLS.join(", ")))
        .scope("org_path", scope)
        .push(" AND held_on >= ")
        .bind(from)
        .push(" AND held_on <= ")
        .bind(to)
        .push(" ORDER BY held_on DESC, id DESC LIMIT ")
        .bind(limit)
        .fetch_map(&mut *conn, inspection_from_row)
        .await
}
