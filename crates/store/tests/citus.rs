//! jiceng on a Citus cluster: every table the migrations made is placed on the cluster, and
//! what the store writes through the coordinator is on the workers. Runs when
//! `JICENG_TEST_PG` is a Citus coordinator (`../shared/citus/citus-up`); elsewhere it says
//! SKIPPED, unless `JICENG_REQUIRE_CITUS=1` (as `.ci/run` sets), which makes it fail.

mod common;
use common::*;

use jiceng_store::testing::TestDb;
use jiceng_store::{citus, orgs, Scope};
use sqlx::Row;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn postgres_every_table_is_placed_on_the_cluster() {
    let Some(db) = TestDb::citus().await else {
        return;
    };
    let mut c = db.store.acquire().await.unwrap();
    let unplaced: Vec<String> = sqlx::query_scalar(
        "SELECT c.relname::TEXT FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace \
         WHERE n.nspname = 'public' AND c.relkind IN ('r', 'p') \
           AND NOT EXISTS (SELECT 1 FROM pg_dist_partition p WHERE p.logicalrelid = c.oid)",
    )
    .fetch_all(&mut *c)
    .await
    .unwrap();
    assert!(
        unplaced.is_empty(),
        "tables not on the cluster: {unplaced:?}"
    );
    let placed: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM pg_dist_partition")
        .fetch_one(&mut *c)
        .await
        .unwrap();
    assert!(placed > 90, "only {placed} tables placed");
    drop(c);
    // Opening again places nothing new.
    let again = jiceng_store::Store::open(&db.url).await.unwrap();
    assert!(citus::distribute(&again).await.unwrap().is_empty());
    again.close().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn postgres_what_the_store_writes_is_on_the_workers() {
    let Some(db) = TestDb::citus().await else {
        return;
    };
    let list = county_and_towns(dated_org);
    tree_of(&db, &list).await;
    let mut c = db.store.acquire().await.unwrap();
    assert_eq!(orgs::count(&mut c, &Scope::All).await.unwrap(), 3);
    // Each worker's copy of the org table, read on the worker itself.
    let rows = sqlx::query(
        "SELECT n.nodename, n.nodeport, s.shardid FROM pg_dist_shard s \
         JOIN pg_dist_placement p ON p.shardid = s.shardid \
         JOIN pg_dist_node n ON n.groupid = p.groupid \
         WHERE s.logicalrelid = 'org'::regclass AND n.groupid <> 0 ORDER BY n.nodeport",
    )
    .fetch_all(&mut *c)
    .await
    .unwrap();
    drop(c);
    assert_eq!(rows.len(), 2, "the org table on both workers");
    let db_name = db.url.rsplit_once('/').unwrap().1;
    for row in rows {
        let (host, port, shard): (String, i32, i64) = (row.get(0), row.get(1), row.get(2));
        let url = format!("postgres://postgres@{host}:{port}/{db_name}");
        let pool = sqlx::AnyPool::connect(&url).await.unwrap();
        let names: Vec<String> =
            sqlx::query_scalar(&format!("SELECT name FROM org_{shard} ORDER BY id"))
                .fetch_all(&pool)
                .await
                .unwrap();
        pool.close().await;
        assert_eq!(
            names,
            ["某县委", "甲镇党委", "乙镇党委"],
            "on the worker at {port}"
        );
    }
}
