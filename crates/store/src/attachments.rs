//! Attachments of meeting records (附件: a photo of the sign-in sheet, the minutes as a
//! file): their bytes kept in the database beside the record, read within a scope by the
//! record's path. A corrected record takes its predecessor's attachments along.

use sqlx::any::AnyRow;
use sqlx::Row;

use crate::row::from_row;
use crate::sql::Sql;
use crate::{Conn, Result, Scope};

/// An attachment without its bytes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StoredAttachment {
    pub id: i64,
    pub meeting_id: i64,
    pub org_path: String,
    /// The file name as uploaded.
    pub name: String,
    pub content_type: String,
    pub size: i64,
    pub uploaded_by: String,
    /// UTC time text.
    pub uploaded_at: String,
}

const COLS: &str = "id, meeting_id, org_path, name, content_type, size, uploaded_by, uploaded_at";

fn from(r: &AnyRow) -> Result<StoredAttachment> {
    Ok(from_row!(
        r,
        StoredAttachment {
            id,
            meeting_id,
            org_path,
            name,
            content_type,
            size,
            uploaded_by,
            uploaded_at,
        }
    ))
}

/// Stores an attachment with its bytes.
pub async fn insert(conn: &mut Conn, a: &StoredAttachment, content: &[u8]) -> Result<()> {
    sqlx::query(
        "INSERT INTO meeting_attachment (id, meeting_id, org_path, name, content_type, size, \
         content, uploaded_by, uploaded_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)",
    )
    .bind(a.id)
    .bind(a.meeting_id)
    .bind(a.org_path.clone())
    .bind(a.name.clone())
    .bind(a.content_type.clone())
    .bind(a.size)
    .bind(content.to_vec())
    .bind(a.uploaded_by.clone())
    .bind(a.uploaded_at.clone())
    .execute(&mut *conn)
    .await?;
    Ok(())
}

/// The attachments of a meeting, in the order uploaded.
pub async fn of_meeting(conn: &mut Conn, meeting_id: i64) -> Result<Vec<StoredAttachment>> {
    Sql::new(format!(
        "SELECT {COLS} FROM meeting_attachment WHERE meeting_id = "
    ))
    .bind(meeting_id)
    .push(" ORDER BY id")
    .fetch_map(&mut *conn, from)
    .await
}

/// One attachment with its bytes, if it is in the scope.
pub async fn get(
    conn: &mut Conn,
    scope: &Scope,
    id: i64,
) -> Result<Option<(StoredAttachment, Vec<u8>)>> {
    let row = Sql::new(format!(
        "SELECT {COLS}, content FROM meeting_attachment WHERE id = "
    ))
    .bind(id)
    .push(" AND ")
    .scope("org_path", scope)
    .fetch_all(&mut *conn)
    .await?;
    match row.first() {
        None => Ok(None),
        Some(r) => {
            let bytes: Vec<u8> = r.try_get("content")?;
            Ok(Some((from(r)?, bytes)))
        }
    }
}

/// Deletes one attachment; whether there was one.
pub async fn delete(conn: &mut Conn, id: i64) -> Result<bool> {
    let done = sqlx::query("DELETE FROM meeting_attachment WHERE id = $1")
        .bind(id)
        .execute(&mut *conn)
        .await?;
    Ok(done.rows_affected() > 0)
}

/// Deletes the attachments of a meeting (the record voided); how many.
pub async fn delete_of_meeting(conn: &mut Conn, meeting_id: i64) -> Result<u64> {
    let done = sqlx::query("DELETE FROM meeting_attachment WHERE meeting_id = $1")
        .bind(meeting_id)
        .execute(&mut *conn)
        .await?;
    Ok(done.rows_affected())
}

/// Hands the attachments of record `from` to the record `to` that corrects it.
pub async fn move_to(conn: &mut Conn, from: i64, to: i64) -> Result<()> {
    sqlx::query("UPDATE meeting_attachment SET meeting_id = $1 WHERE meeting_id = $2")
        .bind(to)
        .bind(from)
        .execute(&mut *conn)
        .await?;
    Ok(())
}
