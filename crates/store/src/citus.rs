//! Citus, the distributed PostgreSQL engine for a national deployment (SPEC C12,
//! docs/DEPLOYMENT.md). When the database is a Citus coordinator (the `citus` extension is
//! installed in it), [`distribute`] places every table the migrations made on the cluster,
//! once, after the migrations: a table made by a later migration is placed when it runs.
//! The meetings, who attended them and the stored months are distributed by their shard
//! (`store/src/shard.rs`: a province's rows on one node); every other table is, so far, a
//! reference table (a copy on every node). Plain PostgreSQL and SQLite are untouched.

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

/// Places every table not yet known to Citus. The tables of [`crate::shard::SHARDED`] are
/// distributed by their shard (a province's rows on one node), co-located with each other;
/// every other table is a reference table (a copy on every node). Returns the tables placed.
pub async fn distribute(store: &Store) -> Result<Vec<String>> {
    if !is_citus(store).await? {
        return Ok(Vec::new());
    }
    let mut conn = store.acquire().await?;
    let mut placed = Vec::new();
    for (i, (table, _)) in crate::shard::SHARDED.iter().enumerate() {
        let method: Option<String> = sqlx::query_scalar(
            "SELECT partmethod::TEXT FROM pg_dist_partition WHERE logicalrelid = $1::regclass",
        )
        .bind(*table)
        .fetch_optional(&mut *conn)
        .await?;
        match method.as_deref() {
            Some("h") => continue,
            // Replicated by an earlier version: made local again, then distributed.
            Some(_) => {
                sqlx::query(&format!("SELECT undistribute_table('{table}')"))
                    .execute(&mut *conn)
                    .await?;
            }
            None => {}
        }
        keys_with_shard(&mut conn, table).await?;
        let with = if i == 0 {
            "default"
        } else {
            crate::shard::SHARDED[0].0
        };
        sqlx::query(&format!(
            "SELECT create_distributed_table('{table}', 'shard', colocate_with => '{with}')"
        ))
        .execute(&mut *conn)
        .await?;
        sqlx::query(&format!(
            "SELECT truncate_local_data_after_distributing_table('{table}')"
        ))
        .execute(&mut *conn)
        .await?;
        placed.push(table.to_string());
    }
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
    placed.extend(tables);
    Ok(placed)
}

/// Makes every unique key of `table` include its shard, as Citus requires of a distributed
/// table: the same keys, each unique within a shard. A row's shard follows from its org, so
/// a key with the org in it means what it meant before.
async fn keys_with_shard(conn: &mut Conn, table: &str) -> Result<()> {
    let rows = sqlx::query(
        "SELECT i.indexrelid::regclass::TEXT, c.conname::TEXT, i.indisprimary, \
           array_to_string(ARRAY(SELECT a.attname FROM unnest(i.indkey) WITH ORDINALITY k(n, o) \
             JOIN pg_attribute a ON a.attrelid = i.indrelid AND a.attnum = k.n ORDER BY k.o), ', '), \
           pg_get_expr(i.indpred, i.indrelid) \
         FROM pg_index i LEFT JOIN pg_constraint c ON c.conindid = i.indexrelid \
           AND c.conrelid = i.indrelid \
         WHERE i.indrelid = $1::regclass AND i.indisunique",
    )
    .bind(table)
    .fetch_all(&mut *conn)
    .await?;
    for r in rows {
        let index: String = r.try_get(0)?;
        let constraint: Option<String> = r.try_get(1)?;
        let primary: bool = r.try_get(2)?;
        let cols: String = r.try_get(3)?;
        let predicate: Option<String> = r.try_get(4)?;
        if cols.split(", ").any(|c| c == "shard") {
            continue;
        }
        let statements = match constraint {
            Some(name) => vec![
                format!("ALTER TABLE {table} DROP CONSTRAINT {name}"),
                format!(
                    "ALTER TABLE {table} ADD CONSTRAINT {name} {} ({cols}, shard)",
                    if primary { "PRIMARY KEY" } else { "UNIQUE" }
                ),
            ],
            None => vec![
                format!("DROP INDEX {index}"),
                format!(
                    "CREATE UNIQUE INDEX {index} ON {table} ({cols}, shard){}",
                    predicate.map(|p| format!(" WHERE {p}")).unwrap_or_default()
                ),
            ],
        };
        for statement in statements {
            sqlx::query(&statement).execute(&mut *conn).await?;
        }
    }
    Ok(())
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
