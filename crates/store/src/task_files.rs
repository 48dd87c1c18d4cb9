//! The files given as tasks' outcomes: one per target and field of the task's form, the
//! bytes kept beside the line, read within a scope by the target's path. A new upload for
//! the same field replaces the old one.

use sqlx::any::AnyRow;
use sqlx::Row;

use crate::row::from_row;
use crate::sql::Sql;
use crate::{Conn, Result, Scope};

/// A task's file without its bytes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StoredTaskFile {
    pub id: i64,
    pub task_id: i64,
    /// The target that gave it.
    pub org_id: i64,
    pub org_path: String,
    /// The field of the task's form (from 0).
    pub field: i64,
    /// The file name as uploaded.
    pub name: String,
    pub content_type: String,
    pub size: i64,
    pub uploaded_by: String,
    /// UTC time text.
    pub uploaded_at: String,
}

const COLS: &str =
    "id, task_id, org_id, org_path, field, name, content_type, size, uploaded_by, uploaded_at";

fn from(r: &AnyRow) -> Result<StoredTaskFile> {
    Ok(from_row!(
        r,
        StoredTaskFile {
            id,
            task_id,
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

/// Stores the file `f` with its bytes in place of the target's earlier file for the same
/// field (in the caller's transaction).
pub async fn put(conn: &mut Conn, f: &StoredTaskFile, content: &[u8]) -> Result<()> {
    Sql::new("DELETE FROM task_file WHERE task_id = ")
        .bind(f.task_id)
        .push(" AND org_id = ")
        .bind(f.org_id)
        .push(" AND field = ")
        .bind(f.field)
        .execute(&mut *conn)
        .await?;
    // The bytes are bound by sqlx itself (the builder binds no blobs).
    sqlx::query(
        "INSERT INTO task_file (id, task_id, org_id, org_path, field, name, content_type, \
         size, uploaded_by, uploaded_at, content) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)",
    )
    .bind(f.id)
    .bind(f.task_id)
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

/// The files of task `task_id` given by the targets in `scope`, by target and field.
pub async fn of_task(conn: &mut Conn, task_id: i64, scope: &Scope) -> Result<Vec<StoredTaskFile>> {
    Sql::new(format!("SELECT {COLS} FROM task_file WHERE task_id = "))
        .bind(task_id)
        .push(" AND ")
        .scope("org_path", scope)
        .push(" ORDER BY org_id, field")
        .fetch_map(&mut *conn, from)
        .await
}

/// The file `id` with its bytes, if it is in `scope`.
pub async fn get(
    conn: &mut Conn,
    scope: &Scope,
    id: i64,
) -> Result<Option<(StoredTaskFile, Vec<u8>)>> {
    let rows = Sql::new(format!("SELECT {COLS}, content FROM task_file WHERE id = "))
        .bind(id)
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
