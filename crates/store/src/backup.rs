//! The database as a file to check and copy: one connection with no pool and no
//! migrations, for opening only what exists (`Store::open_existing`), for a consistent
//! online copy of SQLite (`VACUUM INTO`), and for what a backup's manifest records and a
//! restore compares (schema version, row counts, `PRAGMA integrity_check`).

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use sqlx::{Connection, Executor};

use crate::{sqlite_file, Backend, Conn, Result, StoreError};

/// The tables whose row counts a backup's manifest records and a restore compares.
pub const MAIN_TABLES: &[&str] = &[
    "org",
    "member",
    "position",
    "unit",
    "meeting",
    "meeting_attendee",
    "compliance_month",
    "app_user",
    "user_totp",
    "audit_event",
    "rating",
    "weakness",
    "rectification",
    "referral",
];

/// One connection to `url`, without migrations.
pub async fn connect(url: &str) -> Result<Conn> {
    sqlx::any::install_default_drivers();
    Ok(sqlx::AnyConnection::connect(url).await?)
}

/// How [`connect_sqlite_file`] opens a file (it must exist: never created).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FileMode {
    ReadWrite,
    /// Reads what others write (the `-wal` included); never checkpoints.
    ReadOnly,
    /// A copy nobody else writes: no `-wal`, no `-shm`, no lock.
    Immutable,
}

/// One connection to a SQLite file that must exist.
pub async fn connect_sqlite_file(path: &Path, mode: FileMode) -> Result<Conn> {
    let mode = match mode {
        FileMode::ReadWrite => "mode=rw",
        FileMode::ReadOnly => "mode=ro",
        FileMode::Immutable => "mode=ro&immutable=true",
    };
    let mut conn = connect(&format!("sqlite://{}?{mode}", path.display())).await?;
    conn.execute("PRAGMA busy_timeout=30000").await?;
    Ok(conn)
}

pub fn backend_of(conn: &Conn) -> Backend {
    if conn.backend_name() == "PostgreSQL" {
        Backend::Postgres
    } else {
        Backend::Sqlite
    }
}

/// Whether the database has the table `name` (in the current schema).
pub async fn has_table(conn: &mut Conn, name: &str) -> Result<bool> {
    let sql = match backend_of(conn) {
        Backend::Sqlite => "SELECT COUNT(*) FROM sqlite_master WHERE type = 'table' AND name = $1",
        Backend::Postgres => {
            "SELECT COUNT(*) FROM information_schema.tables \
             WHERE table_schema = current_schema() AND table_name = $1"
        }
    };
    let n: i64 = sqlx::query_scalar(sql)
        .bind(name)
        .fetch_one(&mut *conn)
        .await?;
    Ok(n > 0)
}

/// The number of tables in the current schema (0: an empty database).
pub async fn table_count(conn: &mut Conn) -> Result<i64> {
    let sql = match backend_of(conn) {
        Backend::Sqlite => "SELECT COUNT(*) FROM sqlite_master WHERE type = 'table'",
        Backend::Postgres => {
            "SELECT COUNT(*) FROM information_schema.tables WHERE table_schema = current_schema()"
        }
    };
    Ok(sqlx::query_scalar(sql).fetch_one(&mut *conn).await?)
}

/// The schema version (the highest migration applied); `None` when the database has no
/// jiceng schema at all.
pub async fn schema_version(conn: &mut Conn) -> Result<Option<i64>> {
    if !has_table(conn, "schema_migration").await? {
        return Ok(None);
    }
    let v: Option<i64> = sqlx::query_scalar("SELECT MAX(version) FROM schema_migration")
        .fetch_one(&mut *conn)
        .await?;
    Ok(Some(v.unwrap_or(0)))
}

/// Row counts of the [`MAIN_TABLES`] the database has.
pub async fn counts(conn: &mut Conn) -> Result<BTreeMap<String, i64>> {
    let mut out = BTreeMap::new();
    for t in MAIN_TABLES {
        if has_table(conn, t).await? {
            let n: i64 = sqlx::query_scalar(&format!("SELECT COUNT(*) FROM {t}"))
                .fetch_one(&mut *conn)
                .await?;
            out.insert(t.to_string(), n);
        }
    }
    Ok(out)
}

/// SQLite's `PRAGMA integrity_check`: empty when the file is sound, else its first
/// problems.
pub async fn integrity_check(conn: &mut Conn) -> Result<Vec<String>> {
    let rows: Vec<String> = sqlx::query_scalar("PRAGMA integrity_check(20)")
        .fetch_all(&mut *conn)
        .await?;
    Ok(rows.into_iter().filter(|r| r != "ok").collect())
}

/// A consistent copy of the open SQLite database into `target` (which must not exist),
/// taken in one read transaction: writers go on meanwhile.
pub async fn vacuum_into(conn: &mut Conn, target: &Path) -> Result<()> {
    let name = target.display().to_string().replace('\'', "''");
    conn.execute(format!("VACUUM INTO '{name}'").as_str())
        .await?;
    Ok(())
}

/// A URL as messages may show it: a password is replaced by `***`.
pub fn redact(url: &str) -> String {
    let Some((scheme, rest)) = url.split_once("://") else {
        return url.to_string();
    };
    match rest.split_once('@') {
        Some((cred, host)) if cred.contains(':') => {
            let user = cred.split(':').next().unwrap_or("");
            format!("{scheme}://{user}:***@{host}")
        }
        _ => url.to_string(),
    }
}

/// Refuses a database that is not there: a `sqlite:` file that is missing or empty, or
/// is not a jiceng database; a PostgreSQL database without jiceng's schema. Quick (one
/// connection), with the reason in Chinese; only `jiceng init` (and the demo) create.
pub async fn check_existing(url: &str) -> Result<()> {
    let hint = "（新建请用 jiceng init）";
    if url.starts_with("sqlite:") {
        let Some(path) = sqlite_file(url) else {
            return Ok(()); // in memory
        };
        let shown = path.display();
        let meta = match std::fs::metadata(&path) {
            Ok(m) => m,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
                return Err(StoreError::NoDatabase(format!(
                    "数据库文件不存在：{shown}{hint}"
                )))
            }
            Err(e) => {
                return Err(StoreError::NoDatabase(format!(
                    "无法读取数据库文件 {shown}：{e}"
                )))
            }
        };
        if meta.is_dir() {
            return Err(StoreError::NoDatabase(format!(
                "数据库文件不存在：{shown} 是一个目录{hint}"
            )));
        }
        if meta.len() == 0 {
            return Err(StoreError::NoDatabase(format!(
                "数据库文件不存在：{shown} 是空文件（0 字节），不是 jiceng 数据库{hint}"
            )));
        }
        let found = async {
            let mut conn = connect_sqlite_file(&path, FileMode::ReadWrite).await?;
            let v = schema_version(&mut conn).await;
            let _ = conn.close().await;
            v
        }
        .await
        .map_err(|e| StoreError::NoDatabase(sqlite_open_error(&path, &e)))?;
        if found.is_none() {
            return Err(StoreError::NoDatabase(format!(
                "不是 jiceng 数据库：{shown} 中没有 jiceng 的数据表{hint}"
            )));
        }
        return Ok(());
    }
    let mut conn = connect(url).await?;
    let found = schema_version(&mut conn).await;
    let _ = conn.close().await;
    if found?.is_none() {
        return Err(StoreError::NoDatabase(format!(
            "数据库 {} 尚未初始化（没有 jiceng 的数据表）{hint}",
            redact(url)
        )));
    }
    Ok(())
}

/// What went wrong opening a SQLite file, in Chinese, with SQLite's own words.
pub fn sqlite_open_error(path: &Path, e: &StoreError) -> String {
    let what = match e {
        StoreError::Damaged { .. } => "不是数据库文件，或文件头已损坏",
        StoreError::ReadOnly { .. } => "数据库文件只读",
        StoreError::DiskFull { .. } => "磁盘已满",
        StoreError::CannotOpen { .. } => "无法打开（路径或权限）",
        _ => "无法打开",
    };
    format!("{what}：{}（{e}）", path.display())
}

/// `path` with `suffix` added to its file name (`a.db` → `a.db-wal`).
pub fn with_suffix(path: &Path, suffix: &str) -> PathBuf {
    let mut s = path.as_os_str().to_owned();
    s.push(suffix);
    PathBuf::from(s)
}

/// PostgreSQL: begins a repeatable-read, read-only transaction on `conn` and exports its
/// snapshot for `pg_dump --snapshot`, so that what the manifest reads in this transaction
/// is exactly what the dump holds. End it with [`end_snapshot`] after the dump.
pub async fn export_snapshot(conn: &mut Conn) -> Result<String> {
    conn.execute("BEGIN ISOLATION LEVEL REPEATABLE READ, READ ONLY")
        .await?;
    Ok(sqlx::query_scalar("SELECT pg_export_snapshot()")
        .fetch_one(&mut *conn)
        .await?)
}

pub async fn end_snapshot(conn: &mut Conn) -> Result<()> {
    conn.execute("COMMIT").await?;
    Ok(())
}

/// PostgreSQL: whether the database `name` exists (asked on any database of the server).
pub async fn pg_database_exists(conn: &mut Conn, name: &str) -> Result<bool> {
    let n: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM pg_database WHERE datname = $1")
        .bind(name)
        .fetch_one(&mut *conn)
        .await?;
    Ok(n > 0)
}

/// PostgreSQL: the sessions connected to the database `name`, other than this one.
pub async fn pg_other_sessions(conn: &mut Conn, name: &str) -> Result<i64> {
    Ok(sqlx::query_scalar(
        "SELECT COUNT(*) FROM pg_stat_activity WHERE datname = $1 AND pid <> pg_backend_pid()",
    )
    .bind(name)
    .fetch_one(&mut *conn)
    .await?)
}

/// PostgreSQL: who else is connected to the database `name` (address, program, state,
/// since), for a message.
pub async fn pg_other_sessions_detail(conn: &mut Conn, name: &str) -> Result<Vec<String>> {
    Ok(sqlx::query_scalar(
        "SELECT COALESCE(CAST(client_addr AS TEXT), 'local') || ' ' || COALESCE(NULLIF(application_name, ''), '?') \
         || ' ' || COALESCE(state, '?') || ' ' || CAST(backend_start AS TEXT) || ' ' || LEFT(COALESCE(query, ''), 60) \
         FROM pg_stat_activity WHERE datname = $1 AND pid <> pg_backend_pid()",
    )
    .bind(name)
    .fetch_all(&mut *conn)
    .await?)
}

/// A PostgreSQL identifier quoted.
pub fn pg_ident(name: &str) -> String {
    format!("\"{}\"", name.replace('"', "\"\""))
}

/// Runs one statement that takes no parameters (maintenance: `CREATE DATABASE`, a
/// rename).
pub async fn execute(conn: &mut Conn, sql: &str) -> Result<()> {
    conn.execute(sql).await?;
    Ok(())
}

/// Closes a connection opened here.
pub async fn close(conn: Conn) -> Result<()> {
    conn.close().await?;
    Ok(())
}
