//! Small helpers for SQL both backends share: bound values, multi-row inserts, IN lists.

use crate::{Conn, Result, StoreError};

/// A value to bind.
#[derive(Debug, Clone, PartialEq)]
pub enum Val {
    Int(i64),
    OptInt(Option<i64>),
    Text(String),
    OptText(Option<String>),
}

impl From<i64> for Val {
    fn from(v: i64) -> Val {
        Val::Int(v)
    }
}
impl From<bool> for Val {
    fn from(v: bool) -> Val {
        Val::Int(v as i64)
    }
}
impl From<Option<i64>> for Val {
    fn from(v: Option<i64>) -> Val {
        Val::OptInt(v)
    }
}
impl From<String> for Val {
    fn from(v: String) -> Val {
        Val::Text(v)
    }
}
impl From<&str> for Val {
    fn from(v: &str) -> Val {
        Val::Text(v.to_string())
    }
}
impl From<Option<String>> for Val {
    fn from(v: Option<String>) -> Val {
        Val::OptText(v)
    }
}
impl From<Option<&str>> for Val {
    fn from(v: Option<&str>) -> Val {
        Val::OptText(v.map(str::to_string))
    }
}
impl From<chrono::NaiveDate> for Val {
    fn from(v: chrono::NaiveDate) -> Val {
        Val::Text(crate::date_text(v))
    }
}
impl From<Option<chrono::NaiveDate>> for Val {
    fn from(v: Option<chrono::NaiveDate>) -> Val {
        Val::OptText(v.map(crate::date_text))
    }
}

pub type AnyQuery<'q> = sqlx::query::Query<'q, sqlx::Any, sqlx::any::AnyArguments<'q>>;

pub fn bind<'q>(q: AnyQuery<'q>, v: &Val) -> AnyQuery<'q> {
    match v {
        Val::Int(i) => q.bind(*i),
        Val::OptInt(i) => q.bind(*i),
        Val::Text(s) => q.bind(s.clone()),
        Val::OptText(s) => q.bind(s.clone()),
    }
}

/// Binds to stay under: SQLite's default limit is 32,766, PostgreSQL's 65,535.
const MAX_BINDS: usize = 30_000;
const MAX_ROWS: usize = 1_000;

/// Inserts rows in multi-row statements (one round trip per chunk).
pub async fn insert_many(
    conn: &mut Conn,
    table: &str,
    columns: &[&str],
    rows: &[Vec<Val>],
) -> Result<()> {
    if rows.is_empty() {
        return Ok(());
    }
    let per = (MAX_BINDS / columns.len()).clamp(1, MAX_ROWS);
    // SQLite looks up each numbered parameter in a list (quadratic in a statement with
    // thousands of them); plain `?` is positional and linear. PostgreSQL needs `$n`.
    let anonymous = conn.backend_name() != "PostgreSQL";
    for chunk in rows.chunks(per) {
        let mut sql = format!("INSERT INTO {table} ({}) VALUES ", columns.join(", "));
        let mut n = 1;
        for (i, row) in chunk.iter().enumerate() {
            debug_assert_eq!(row.len(), columns.len());
            if i > 0 {
                sql.push_str(", ");
            }
            sql.push('(');
            for j in 0..row.len() {
                if j > 0 {
                    sql.push_str(", ");
                }
                if anonymous {
                    sql.push('?');
                } else {
                    sql.push('$');
                    sql.push_str(&n.to_string());
                }
                n += 1;
            }
            sql.push(')');
        }
        let mut q = sqlx::query(&sql);
        for row in chunk {
            for v in row {
                q = bind(q, v);
            }
        }
        q.execute(&mut *conn).await?;
    }
    Ok(())
}

/// `$from, $from+1, …` for an IN list of `n` values.
pub fn placeholders(from: usize, n: usize) -> String {
    (from..from + n)
        .map(|i| format!("${i}"))
        .collect::<Vec<_>>()
        .join(", ")
}

/// Chunks of ids small enough for one IN list.
pub const IN_CHUNK: usize = 500;

pub(crate) fn id_table(kind: &str) -> Result<&'static str> {
    Ok(match kind {
        "org" => "org",
        "member" => "member",
        "unit" => "unit",
        "position" => "position",
        "history" => "org_history",
        "org_event" => "org_event",
        "meeting" => "meeting",
        "user" => "app_user",
        "weakness_signal" => "weakness_signal",
        "discipline_case" => "discipline_case",
        "rectification" => "rectification",
        "rectification_event" => "rectification_event",
        "referral" => "referral",
        other => return Err(StoreError::Corrupt(format!("unknown id kind {other}"))),
    })
}

/// Locks the org rows `ids` for the rest of the transaction, in id order (so that two
/// transactions locking overlapping sets cannot deadlock), before the caller recounts the
/// facts stored for them: a concurrent writer of the same facts waits here, and the
/// caller's reads after the lock see its commit (PostgreSQL, READ COMMITTED). SQLite's
/// write transactions (`BEGIN IMMEDIATE`) already hold the database's only write lock.
pub async fn lock_orgs(conn: &mut Conn, ids: &[i64]) -> Result<()> {
    if conn.backend_name() != "PostgreSQL" || ids.is_empty() {
        return Ok(());
    }
    let mut ids = ids.to_vec();
    ids.sort_unstable();
    ids.dedup();
    for chunk in ids.chunks(IN_CHUNK) {
        let sql = format!(
            "SELECT id FROM org WHERE id IN ({}) ORDER BY id FOR UPDATE",
            placeholders(1, chunk.len())
        );
        let mut q = sqlx::query(&sql);
        for id in chunk {
            q = q.bind(*id);
        }
        q.fetch_all(&mut *conn).await?;
    }
    Ok(())
}
