//! 民主评议党员: each member's grade at a democratic evaluation meeting (the meeting's
//! grades replaced as a whole), read by meeting and by member. A corrected meeting takes
//! its grades along (`move_to`); a voided one drops them.

use sqlx::any::AnyRow;

use crate::row::from_row;
use crate::sql::{insert_many, Sql, Val};
use crate::{Conn, Result};

/// One member's grade.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StoredEvaluation {
    pub meeting_id: i64,
    pub member_id: i64,
    pub org_path: String,
    /// 所属年度.
    pub year: i64,
    /// `Grade::code`.
    pub grade: String,
}

const COLS: [&str; 5] = ["meeting_id", "member_id", "org_path", "year", "grade"];

fn from(r: &AnyRow) -> Result<StoredEvaluation> {
    Ok(from_row!(
        r,
        StoredEvaluation {
            meeting_id,
            member_id,
            org_path,
            year,
            grade,
        }
    ))
}

/// Replaces the grades of `meeting_id` with `rows` (all of that meeting).
pub async fn replace_of_meeting(
    conn: &mut Conn,
    meeting_id: i64,
    rows: &[StoredEvaluation],
) -> Result<()> {
    delete_of_meeting(conn, meeting_id).await?;
    let vals: Vec<Vec<Val>> = rows
        .iter()
        .map(|e| {
            vec![
                e.meeting_id.into(),
                e.member_id.into(),
                e.org_path.clone().into(),
                e.year.into(),
                e.grade.clone().into(),
            ]
        })
        .collect();
    if !vals.is_empty() {
        insert_many(conn, "member_evaluation", &COLS, &vals).await?;
    }
    Ok(())
}

/// The grades given at a meeting.
pub async fn of_meeting(conn: &mut Conn, meeting_id: i64) -> Result<Vec<StoredEvaluation>> {
    Sql::new(format!(
        "SELECT {} FROM member_evaluation WHERE meeting_id = ",
        COLS.join(", ")
    ))
    .bind(meeting_id)
    .push(" ORDER BY member_id")
    .fetch_map(&mut *conn, from)
    .await
}

/// A member's grades, latest year first.
pub async fn of_member(conn: &mut Conn, member_id: i64) -> Result<Vec<StoredEvaluation>> {
    Sql::new(format!(
        "SELECT {} FROM member_evaluation WHERE member_id = ",
        COLS.join(", ")
    ))
    .bind(member_id)
    .push(" ORDER BY year DESC, meeting_id DESC")
    .fetch_map(&mut *conn, from)
    .await
}

/// Drops the grades of a meeting (voided).
pub async fn delete_of_meeting(conn: &mut Conn, meeting_id: i64) -> Result<()> {
    Sql::new("DELETE FROM member_evaluation WHERE meeting_id = ")
        .bind(meeting_id)
        .execute(&mut *conn)
        .await?;
    Ok(())
}

/// Moves the grades of a corrected meeting to the record that replaces it, with its path
/// and year.
pub async fn move_to(conn: &mut Conn, from: i64, to: i64, path: &str, year: i64) -> Result<()> {
    Sql::new("UPDATE member_evaluation SET meeting_id = ")
        .bind(to)
        .push(", org_path = ")
        .bind(path.to_string())
        .push(", year = ")
        .bind(year)
        .push(" WHERE meeting_id = ")
        .bind(from)
        .execute(&mut *conn)
        .await?;
    Ok(())
}
