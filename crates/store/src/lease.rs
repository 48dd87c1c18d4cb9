//! Leases of running servers on the database (`server_lease`, migration 13): a server
//! writes its row at start and refreshes `beat_at`; maintenance that must not run beside a
//! server (key rotation, restore) reads the rows and refuses while one is fresh. A table,
//! not a file lock, so that it holds on SQLite and PostgreSQL alike.

use crate::row::from_row;
use crate::sql::Sql;
use crate::{Conn, Result};

/// One server's lease.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Lease {
    /// A random id of the server process.
    pub holder: String,
    pub pid: i64,
    pub host: String,
    /// What it serves (`jiceng serve 127.0.0.1:8080`).
    pub bind: String,
    /// UTC text.
    pub started_at: String,
    /// Unix seconds of the last beat.
    pub beat_at: i64,
}

/// Writes (or rewrites) the lease of `l.holder`.
pub async fn put(conn: &mut Conn, l: &Lease) -> Result<()> {
    sqlx::query("DELETE FROM server_lease WHERE holder = $1")
        .bind(&l.holder)
        .execute(&mut *conn)
        .await?;
    sqlx::query(
        "INSERT INTO server_lease (holder, pid, host, bind, started_at, beat_at) \
         VALUES ($1, $2, $3, $4, $5, $6)",
    )
    .bind(&l.holder)
    .bind(l.pid)
    .bind(&l.host)
    .bind(&l.bind)
    .bind(&l.started_at)
    .bind(l.beat_at)
    .execute(&mut *conn)
    .await?;
    Ok(())
}

/// Moves the holder's beat to `at`; false when its row is gone (a restore replaced the
/// database, or someone removed it): the caller writes it again.
pub async fn beat(conn: &mut Conn, holder: &str, at: i64) -> Result<bool> {
    let done = sqlx::query("UPDATE server_lease SET beat_at = $1 WHERE holder = $2")
        .bind(at)
        .bind(holder)
        .execute(&mut *conn)
        .await?;
    Ok(done.rows_affected() > 0)
}

pub async fn remove(conn: &mut Conn, holder: &str) -> Result<()> {
    sqlx::query("DELETE FROM server_lease WHERE holder = $1")
        .bind(holder)
        .execute(&mut *conn)
        .await?;
    Ok(())
}

/// Removes every lease (a restored copy carries the leases of the servers that ran when
/// the backup was made).
pub async fn clear(conn: &mut Conn) -> Result<u64> {
    Ok(sqlx::query("DELETE FROM server_lease")
        .execute(&mut *conn)
        .await?
        .rows_affected())
}

/// Every lease, the most recent beat first.
pub async fn all(conn: &mut Conn) -> Result<Vec<Lease>> {
    Sql::new(
        "SELECT holder, pid, host, bind, started_at, beat_at FROM server_lease \
         ORDER BY beat_at DESC, holder",
    )
    .fetch_map(&mut *conn, |r| {
        let lease = from_row!(
            r,
            Lease {
                holder,
                pid,
                host,
                bind,
                started_at,
                beat_at
            }
        );
        Ok(lease)
    })
    .await
}
