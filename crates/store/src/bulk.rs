//! Settings for loading a large amount of data into an empty database in one go (`gen`):
//! a page cache big enough to hold the indexes being filled (SQLite) and commits that do
//! not wait for the disk (a crash loses the last batches; PostgreSQL stays consistent, and
//! `gen` refuses a partial SQLite file and is run again).
//! Applied to the one connection a load holds; ordinary writes never use them.

use sqlx::Executor;

use crate::{Conn, Result};

/// SQLite's page cache for a bulk load: 1 GiB (the default of the store is 64 MiB).
const SQLITE_CACHE_KIB: i64 = 1024 * 1024;

/// Tunes a connection held for a load (give it back with `untune`).
pub async fn tune_for_load(conn: &mut Conn) -> Result<()> {
    if conn.backend_name() == "PostgreSQL" {
        conn.execute("SET synchronous_commit TO OFF").await?;
    } else {
        // A crash during a load leaves a partial database that `gen` refuses anyway (it
        // loads only into an empty one), so the load need not wait for the disk either.
        conn.execute(
            format!("PRAGMA cache_size = -{SQLITE_CACHE_KIB}; PRAGMA synchronous = OFF").as_str(),
        )
        .await?;
    }
    Ok(())
}

/// Gives the connection back its ordinary settings (the pool keeps it): the store's
/// `synchronous` ([`crate::Store::sqlite_sync`], FULL unless NORMAL was chosen).
pub async fn untune(conn: &mut Conn, sync: crate::SqliteSync) -> Result<()> {
    if conn.backend_name() == "PostgreSQL" {
        conn.execute("SET synchronous_commit TO DEFAULT").await?;
    } else {
        let sync = match sync {
            crate::SqliteSync::Full => "FULL",
            crate::SqliteSync::Normal => "NORMAL",
        };
        conn.execute(format!("PRAGMA cache_size = -65536; PRAGMA synchronous = {sync}").as_str())
            .await?;
    }
    Ok(())
}

/// Gathers the planner's statistics after a bulk load. Without them PostgreSQL guesses a
/// handful of rows for any range on a path and sorts a whole subtree's members to show the
/// first page of a roster (15 ms for a county, seconds for a province); SQLite's
/// `ANALYZE` likewise lets it choose between the path and name indexes.
pub async fn analyze(conn: &mut Conn) -> Result<()> {
    conn.execute("ANALYZE").await?;
    Ok(())
}

/// A transaction on a connection the caller holds for the whole load (tuned once); on
/// SQLite it takes the write lock at once, as [`crate::Store::begin`] does.
pub async fn begin(conn: &mut Conn) -> Result<crate::Tx<'_>> {
    if conn.backend_name() == "PostgreSQL" {
        Ok(sqlx::Connection::begin(conn).await?)
    } else {
        Ok(sqlx::Connection::begin_with(conn, "BEGIN IMMEDIATE").await?)
    }
}

/// Rows a batch must have rewritten before [`settle`] is worth its time.
pub const SETTLE_MIN_ROWS: usize = 10_000;

/// After a batch rewrote many rows of `tables` (a rating run over a city or a province):
/// PostgreSQL's statistics and visibility map are brought up to date (`VACUUM (ANALYZE)`),
/// so the planner knows the rows are there and the stars distribution is read from its
/// covering index alone (measured on the province: 229 ms → about 95 ms, and no longer
/// a bitmap scan of 41,000 heap pages planned for 22 rows). Autovacuum would get there
/// later. SQLite keeps no visibility map: nothing to do. Must run outside a transaction.
/// `tables` are written into the statement: names fixed in the code, never input.
pub async fn settle(conn: &mut Conn, tables: &[&'static str]) -> Result<()> {
    if conn.backend_name() == "PostgreSQL" && !tables.is_empty() {
        conn.execute(format!("VACUUM (ANALYZE) {}", tables.join(", ")).as_str())
            .await?;
    }
    Ok(())
}
