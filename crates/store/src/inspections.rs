//! 督查: inspections of orgs and the problems they found (`inspection`,
//! `inspection_problem`), read within a scope by the inspected org's path.

use chrono::NaiveDate;
use sqlx::any::AnyRow;
use sqlx::Row;

use crate::row::{from_row, Cells};
use crate::sql::{insert_many, Sql, Val, IN_CHUNK};
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

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StoredProblem {
    pub inspection_id: i64,
    /// From 1, in the order written.
    pub seq: i64,
    pub org_path: String,
    pub description: String,
    pub owner: String,
    pub deadline: NaiveDate,
    pub fixed_on: Option<NaiveDate>,
    pub fix_note: Option<String>,
    pub fixed_by: Option<String>,
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

const PROBLEM_COLS: [&str; 9] = [
    "inspection_id",
    "seq",
    "org_path",
    "description",
    "owner",
    "deadline",
    "fixed_on",
    "fix_note",
    "fixed_by",
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

fn problem_from_row(r: &AnyRow) -> Result<StoredProblem> {
    Ok(from_row!(
        r,
        StoredProblem {
            inspection_id,
            seq,
            org_path,
            description,
            owner,
            deadline: r.date("deadline")?,
            fixed_on: r.opt_date("fixed_on")?,
            fix_note,
            fixed_by,
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
    let rows: Vec<Vec<Val>> = problems
        .iter()
        .map(|p| {
            vec![
                p.inspection_id.into(),
                p.seq.into(),
                p.org_path.clone().into(),
                p.description.clone().into(),
                p.owner.clone().into(),
                p.deadline.into(),
                p.fixed_on.map(|d| d.to_string()).into(),
                p.fix_note.clone().into(),
                p.fixed_by.clone().into(),
            ]
        })
        .collect();
    insert_many(conn, "inspection_problem", &PROBLEM_COLS, &rows).await
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

/// The problems of the inspections `ids`, by inspection and in order (one read per
/// [`IN_CHUNK`] inspections).
pub async fn problems_of(conn: &mut Conn, ids: &[i64]) -> Result<Vec<StoredProblem>> {
    let mut out = Vec::new();
    for chunk in ids.chunks(IN_CHUNK) {
        out.extend(
            Sql::new(format!(
                "SELECT {} FROM inspection_problem WHERE inspection_id IN ",
                PROBLEM_COLS.join(", ")
            ))
            .in_list(chunk.iter().copied())
            .push(" ORDER BY inspection_id, seq")
            .fetch_map(&mut *conn, problem_from_row)
            .await?,
        );
    }
    Ok(out)
}

/// The problems not yet fixed of orgs in `scope`, the earliest deadline first (at most
/// `limit`), each with the id of the inspected org.
pub async fn open_problems(
    conn: &mut Conn,
    scope: &Scope,
    limit: i64,
) -> Result<Vec<(StoredProblem, i64)>> {
    let cols: Vec<String> = PROBLEM_COLS.iter().map(|c| format!("p.{c}")).collect();
    Sql::new(format!(
        "SELECT {}, i.org_id FROM inspection_problem p JOIN inspection i ON i.id = p.inspection_id \
         WHERE p.fixed_on IS NULL AND ",
        cols.join(", ")
    ))
    .scope("p.org_path", scope)
    .push(" ORDER BY p.deadline, p.inspection_id, p.seq LIMIT ")
    .bind(limit)
    .fetch_map(&mut *conn, |r| {
        Ok((problem_from_row(r)?, r.try_get("org_id")?))
    })
    .await
}

/// The problems not yet fixed of orgs in `scope` (or of the org at exactly `own` path):
/// how many, how many past their deadline on `today`, the earliest deadline.
pub async fn open_count(
    conn: &mut Conn,
    scope: &Scope,
    own: Option<&str>,
    today: NaiveDate,
) -> Result<(i64, i64, Option<NaiveDate>)> {
    let mut q = Sql::new(
        "SELECT COUNT(*), COALESCE(SUM(CASE WHEN deadline < ",
    )
    .bind(today)
    .push(" THEN 1 ELSE 0 END), 0), MIN(deadline) FROM inspection_problem WHERE fixed_on IS NULL AND ");
    q = match own {
        Some(path) => q.push("org_path = ").bind(path.to_string()),
        None => q.scope("org_path", scope),
    };
    let rows: Vec<(i64, i64, Option<String>)> = q.fetch_all_as(&mut *conn).await?;
    let (n, late, first) = rows.into_iter().next().unwrap_or((0, 0, None));
    Ok((
        n,
        late,
        first.map(|d| crate::parse_date_text(&d)).transpose()?,
    ))
}

/// Records a problem fixed. Returns whether a problem not yet fixed was found.
pub async fn fix(
    conn: &mut Conn,
    inspection_id: i64,
    seq: i64,
    on: NaiveDate,
    note: &str,
    by: &str,
) -> Result<bool> {
    let done = Sql::new("UPDATE inspection_problem SET fixed_on = ")
        .bind(on)
        .push(", fix_note = ")
        .bind(note.to_string())
        .push(", fixed_by = ")
        .bind(by.to_string())
        .push(" WHERE fixed_on IS NULL AND inspection_id = ")
        .bind(inspection_id)
        .push(" AND seq = ")
        .bind(seq)
        .execute(&mut *conn)
        .await?;
    Ok(done.rows_affected() == 1)
}
