//! 党员出口 (issue #15): why a member left (`member_exit`), beside the member's `exited_on`.

use chrono::NaiveDate;
use jiceng_domain::exit::ExitKind;
use sqlx::any::AnyRow;

use crate::row::{from_row, Cells};
use crate::sql::{insert_many, Sql, Val};
use crate::{Conn, Result};

/// An exit as stored.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StoredExit {
    pub member_id: i64,
    pub kind: ExitKind,
    pub exited_on: NaiveDate,
    /// The deciding org as written (empty for a death).
    pub decided_by: String,
    /// The decision's document (文号).
    pub document: Option<String>,
    pub note: Option<String>,
    pub recorded_by: String,
    pub recorded_at: String,
}

const COLS: [&str; 8] = [
    "member_id",
    "kind",
    "exited_on",
    "decided_by",
    "document",
    "note",
    "recorded_by",
    "recorded_at",
];

fn from_row(r: &AnyRow) -> Result<StoredExit> {
    Ok(from_row!(
        r,
        StoredExit {
            member_id,
            kind: r.coded("kind", "出党方式", ExitKind::parse)?,
            exited_on: r.date("exited_on")?,
            decided_by,
            document,
            note,
            recorded_by,
            recorded_at,
        }
    ))
}

pub async fn insert(conn: &mut Conn, e: &StoredExit) -> Result<()> {
    let vals: Vec<Val> = vec![
        e.member_id.into(),
        e.kind.code().into(),
        e.exited_on.into(),
        e.decided_by.clone().into(),
        e.document.clone().into(),
        e.note.clone().into(),
        e.recorded_by.clone().into(),
        e.recorded_at.clone().into(),
    ];
    insert_many(conn, "member_exit", &COLS, &[vals]).await
}

/// A member's exit, if recorded.
pub async fn of_member(conn: &mut Conn, member_id: i64) -> Result<Option<StoredExit>> {
    Sql::new(format!(
        "SELECT {} FROM member_exit WHERE member_id = ",
        COLS.join(", ")
    ))
    .bind(member_id)
    .fetch_opt_map(&mut *conn, from_row)
    .await
}
