//! The shard of a row (`path::shard`: the top subtree its org lies in, a province in a
//! national tree), carried by the tables a Citus cluster distributes (migration 53,
//! [`crate::citus::distribute`]). Every write of those tables sets it from the row's path;
//! a subtree moved into another top subtree takes its rows along ([`moved`]).

use jiceng_domain::path;
use sqlx::Row;

use crate::backup::backend_of;
use crate::{Backend, Conn, Result};

/// The tables distributed by shard, the first the one the others are co-located with,
/// each with how its rows are found under a subtree: a path column of its own, or (for who
/// attended) the meetings it belongs to.
pub const SHARDED: &[(&str, Under)] = &[
    ("meeting", Under::Path("org_path")),
    ("meeting_attendee", Under::Meeting("meeting_id")),
    ("compliance_month", Under::Path("branch_path")),
];

/// How the rows of a sharded table under a subtree are found.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Under {
    /// By the table's own path column.
    Path(&'static str),
    /// By the meeting (id column) the row belongs to.
    Meeting(&'static str),
}

/// After a move has rewritten the paths of the subtree now at `new` (`tree::move_subtree`):
/// its rows in the sharded tables take the new shard, where it differs. On a Citus cluster
/// a row cannot change its distribution column in place, so it is copied to the new shard
/// and deleted from the old, in the move's transaction.
pub async fn moved(conn: &mut Conn, new: &str) -> Result<()> {
    let shard = path::shard(new);
    let upper = path::subtree_upper(new);
    let citus = backend_of(conn) == Backend::Postgres && crate::citus::has_citus(conn).await?;
    for (table, under) in SHARDED {
        let rows = match under {
            Under::Path(col) => format!("shard <> $1 AND {col} >= $2 AND {col} < $3"),
            Under::Meeting(col) => format!(
                "shard <> $1 AND {col} IN \
                 (SELECT id FROM meeting WHERE org_path >= $2 AND org_path < $3)"
            ),
        };
        let statements = if citus {
            let cols = columns(conn, table).await?;
            let values: Vec<&str> = cols
                .iter()
                .map(|c| if c == "shard" { "$1" } else { c.as_str() })
                .collect();
            vec![
                format!(
                    "INSERT INTO {table} ({}) SELECT {} FROM {table} WHERE {rows}",
                    cols.join(", "),
                    values.join(", ")
                ),
                format!("DELETE FROM {table} WHERE {rows}"),
            ]
        } else {
            vec![format!("UPDATE {table} SET shard = $1 WHERE {rows}")]
        };
        for statement in statements {
            sqlx::query(&statement)
                .bind(shard)
                .bind(new)
                .bind(upper.as_str())
                .execute(&mut *conn)
                .await?;
        }
    }
    Ok(())
}

/// The columns of a PostgreSQL table, in order.
async fn columns(conn: &mut Conn, table: &str) -> Result<Vec<String>> {
    let rows = sqlx::query(
        "SELECT column_name::TEXT FROM information_schema.columns \
         WHERE table_schema = current_schema() AND table_name = $1 ORDER BY ordinal_position",
    )
    .bind(table)
    .fetch_all(&mut *conn)
    .await?;
    rows.iter()
        .map(|r| Ok(r.try_get::<String, _>(0)?))
        .collect()
}
