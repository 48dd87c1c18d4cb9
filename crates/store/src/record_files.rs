//! Files given with a record: a task's outcome (one per target and item of the task's
//! form, `TASK`) and a duty record's report (`DUTY`, field 0). The bytes are kept beside
//! the record, read within a scope by the org's path; a new upload for the same record,
//! org and field replaces the old one.

use sqlx::any::AnyRow;
use sqlx::Row;

use crate::row::from_row;
use crate::sql::Sql;
use crate::{Conn, Result, Scope};

/// The record kind of a task's outcome (`record_id`: the task, `org_id`: the target).
pub const TASK: &str = "task";
/// The record kind of a duty record's report (`record_id`: the duty record).
pub const DUTY: &str = "duty";

/// A record's file without its bytes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StoredFile {
    pub id: i64,
    pub record_kind: String,
    pub record_id: i64,
    /// The org that gave it (a task's target; a duty record's org).
    pub org_id: i64,
    pub org_path: String,
    /// The item of the record it answers (a task's field, from 0; 0 for a duty report).
    pub field: i64,
    /// The file name as uploaded.
    pub name: String,
    pub content_type: String,
    pub size: i64,
    pub uploaded_by: String,
    /// UTC time text.
    pub uploaded_at: String,
}

const COLS: &str = "id, record_kind, record_id, org_id, org_path, field, name, content_type, \
                    size, uploaded_by, uploaded_at";

fn from(r: &AnyRow) -> Result<StoredFile> {
    Ok(from_row!(
        r,
        StoredFile {
            id,
            record_kind,
            record_id,
            org_id,
            org_path,
            field,
            name,
            content_type,
            size,
            uploaded_by,
            uploaded_at,
        }
    ))
}

/// Stores the file `f` with its bytes in place of the earlier file of the same record,
/// org and field (in the caller's transaction).
pub async fn put(conn: &mut Conn, f: &StoredFile, content: &[u8]) -> Result<()> {
    Sql::new("DELETE FROM record_file WHERE record_kind = ")
        .bind(f.record_kind.clone())
        .push(" AND record_id = ")
        .bind(f.record_id)
        .push(" AND org_id = ")
        .bind(f.org_id)
        .push(" AND field = ")
        .bind(f.field)
        .execute(&mut *conn)
        .await?;
    // The bytes are bound by sqlx itself (the builder binds no blobs).
    sqlx::query(
        "INSERT INTO record_file (id, record_kind, record_id, org_id, org_path, field, name, \
         content_type, size, uploaded_by, uploaded_at, content) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12)",
    )
    .bind(f.id)
    .bind(f.record_kind.clone())
    .bind(f.record_id)
    .bind(f.org_id)
    .bind(f.org_path.clone())
    .bind(f.field)
    .bind(f.name.clone())
    .bind(f.content_type.clone())
    .bind(f.size)
    .bind(f.uploaded_by.clone())
    .bind(f.uploaded_at.clone())
    .bind(content.to_vec())
    .execute(&mut *conn)
    .await?;
    Ok(())
}

/// The files of record `record_id` of `kind` given by the orgs in `scope`, by org and
/// field.
pub async fn of_record(
    conn: &mut Conn,
    kind: &str,
    record_id: i64,
    scope: &Scope,
) -> Result<Vec<StoredFile>> {
    Sql::new(format!(
        "SELECT {COLS} FROM record_file WHERE record_kind = "
    ))
    .bind(kind.to_string())
    .push(" AND record_id = ")
    .bind(record_id)
    .push(" AND ")
    .scope("org_path", scope)
    .push(" ORDER BY org_id, field")
    .fetch_map(&mut *conn, from)
    .await
}

/// The file `id` of record `record_id` of `kind` with its bytes, if it is in `scope`.
pub async fn get(
    conn: &mut Conn,
    scope: &Scope,
    kind: &str,
    record_id: i64,
    id: i64,
) -> Result<Option<(StoredFile, Vec<u8>)>> {
    let rows = Sql::new(format!(
        "SELECT {COLS}, content FROM record_file WHERE id = "
    ))
    .bind(id)
    .push(" AND record_kind = ")
    .bind(kind.to_string())
    .push(" AND record_id = ")
    .bind(record_id)
    .push(" AND ")
    .scope("org_path", scope)
    .fetch_all(&mut *conn)
    .await?;
    match rows.first() {
        None => Ok(None),
        Some(r) => {
            let bytes: Vec<u8> = r.try_get("content")?;
            Ok(Some((from(r)?, bytes)))
        }
    }
}
