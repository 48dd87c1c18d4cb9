//! Citus, the distributed PostgreSQL engine for a national deployment (SPEC C12,
//! docs/DEPLOYMENT.md). When the database is a Citus coordinator (the `citus` extension is
//! installed in it), [`distribute`] places every table the migrations made on the cluster,
//! once, after the migrations: a table made by a later migration is placed when it runs.
//! Plain PostgreSQL and SQLite are untouched.

use sqlx::Row;

use crate::{Backend, Conn, Result, Store};

/// Whether the store's database is a Citus coordinator.
pub async fn is_citus(store: &Store) -> Result<bool> {
    if store.backend() != Backend::Postgres {
        return Ok(false);
    }
    let mut conn = store.acquire().await?;
    has_citus(&mut conn).await
}

/// Whether the PostgreSQL database of `conn` has the `citus` extension.
pub async fn has_citus(conn: &mut Conn) -> Result<bool> {
    let n: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM pg_extension WHERE extname = 'citus'")
        .fetch_one(&mut *conn)
        .await?;
    Ok(n > 0)
}

/// Why `jiceng backup` and `restore` refuse a Citus cluster: a dump of the coordinator
/// holds neither the workers' shards nor a consistent point across the nodes.
pub const BACKUP_REFUSAL: &str =
    "这是 Citus 集群的节点：jiceng backup/restore 只处理单个 PostgreSQL 数据库，\
     不含各工作节点上的数据。集群请在每个节点用 pg_basebackup 与 WAL 归档备份，\
     以 citus_create_restore_point 取一致的恢复点（见 docs/DEPLOYMENT.md）";

/// Places every table not yet known to Citus: as a reference table (a copy on every
/// node). Returns the tables placed.
pub async fn distribute(store: &Store) -> Result<Vec<String>> {
    if !is_citus(store).await? {
        return Ok(Vec::new());
    }
    let mut conn = store.acquire().await?;
    let rows = sqlx::query(
        "SELECT c.relname::TEXT FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace \
         WHERE n.nspname = 'public' AND c.relkind IN ('r', 'p') \
           AND NOT EXISTS (SELECT 1 FROM pg_dist_partition p WHERE p.logicalrelid = c.oid) \
         ORDER BY c.relname",
    )
    .fetch_all(&mut *conn)
    .await?;
    let tables: Vec<String> = rows.iter().map(|r| r.get::<String, _>(0)).collect();
    for t in &tables {
        sqlx::query(&format!("SELECT create_reference_table('{t}')"))
            .execute(&mut *conn)
            .await?;
        // The rows a migration wrote before were copied to the nodes; the coordinator's
        // local copy is hidden from then on and only takes space.
        sqlx::query(&format!(
            "SELECT truncate_local_data_after_distributing_table('{t}')"
        ))
        .execute(&mut *conn)
        .await?;
    }
    Ok(tables)
}

/// Where the tables are on a Citus cluster.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Placement {
    /// Tables with a copy on every node.
    pub reference: i64,
    /// Tables split into shards by a distribution column.
    pub distributed: i64,
    /// Worker nodes registered with the coordinator.
    pub workers: i64,
}

/// The placement of the tables, or `None` when the database is not a Citus coordinator.
pub async fn placement(store: &Store) -> Result<Option<Placement>> {
    if !is_citus(store).await? {
        return Ok(None);
    }
    let mut conn = store.acquire().await?;
    let row = sqlx::query(
        "SELECT \
           (SELECT COUNT(*) FROM pg_dist_partition WHERE partmethod = 'n'), \
           (SELECT COUNT(*) FROM pg_dist_partition WHERE partmethod = 'h'), \
           (SELECT COUNT(*) FROM pg_dist_node WHERE noderole = 'primary' AND groupid <> 0)",
    )
    .fetch_one(&mut *conn)
    .await?;
    Ok(Some(Placement {
        reference: row.try_get(0)?,
        distributed: row.try_get(1)?,
        workers: row.try_get(2)?,
    }))
}
