//! jiceng on a Citus cluster: every table the migrations made is placed on the cluster, and
//! what the store writes through the coordinator is on the workers. Runs when
//! `JICENG_TEST_PG` is a Citus coordinator (`../shared/citus/citus-up`); elsewhere it says
//! SKIPPED, unless `JICENG_REQUIRE_CITUS=1` (as `.ci/run` sets), which makes it fail.

mod common;
use common::*;

use jiceng_domain::{path, OrgKind, Period};
use jiceng_store::meetings;
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

/// The shard values of `table`'s rows on the worker at `port`, read on the worker itself
/// from each of its shard tables.
async fn shards_on_worker(db: &TestDb, table: &str, port: i32) -> Vec<String> {
    let mut c = db.store.acquire().await.unwrap();
    let ids: Vec<i64> = sqlx::query_scalar(
        "SELECT s.shardid FROM pg_dist_shard s JOIN pg_dist_placement p ON p.shardid = s.shardid \
         JOIN pg_dist_node n ON n.groupid = p.groupid \
         WHERE s.logicalrelid = $1::regclass AND n.nodeport = $2",
    )
    .bind(table)
    .bind(port)
    .fetch_all(&mut *c)
    .await
    .unwrap();
    drop(c);
    assert!(
        !ids.is_empty(),
        "{table} has shards on the worker at {port}"
    );
    let db_name = db.url.rsplit_once('/').unwrap().1;
    let pool = sqlx::AnyPool::connect(&format!("postgres://postgres@127.0.0.1:{port}/{db_name}"))
        .await
        .unwrap();
    let union = ids
        .iter()
        .map(|id| format!("SELECT shard FROM {table}_{id}"))
        .collect::<Vec<_>>()
        .join(" UNION ALL ");
    let mut found: Vec<String> = sqlx::query_scalar(&union).fetch_all(&pool).await.unwrap();
    pool.close().await;
    found.sort();
    found
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn postgres_a_provinces_meetings_sit_on_one_worker_and_the_root_reads_both() {
    let Some(db) = TestDb::citus().await else {
        return;
    };
    // A root and sixteen provinces, each with a branch (100 + its number).
    let mut list = vec![dated_org(1, None, OrgKind::LocalCommittee, "全国")];
    for p in 2..18 {
        list.push(dated_org(
            p,
            Some(1),
            OrgKind::LocalCommittee,
            &format!("省{p}"),
        ));
        list.push(dated_org(
            100 + p,
            Some(p),
            OrgKind::Branch,
            &format!("支部{p}"),
        ));
    }
    let paths = tree_of(&db, &list).await;
    let path_of = |id: i64| paths[list.iter().position(|o| o.id == id).unwrap()].clone();
    // Which worker each province's shard is on, as the coordinator placed it.
    let mut c = db.store.acquire().await.unwrap();
    let mut worker = std::collections::BTreeMap::new();
    for p in 2..18 {
        let port: i32 = sqlx::query_scalar(
            "SELECT n.nodeport FROM pg_dist_placement pl JOIN pg_dist_node n ON n.groupid = pl.groupid \
             WHERE pl.shardid = get_shard_id_for_distribution_column('meeting', $1)",
        )
        .bind(path::shard(&path_of(p)))
        .fetch_one(&mut *c)
        .await
        .unwrap();
        worker.entry(port).or_insert(p);
    }
    drop(c);
    assert_eq!(
        worker.len(),
        2,
        "the provinces are spread over both workers"
    );
    let ((port_a, a), (port_b, b)) = {
        let mut it = worker.into_iter();
        (it.next().unwrap(), it.next().unwrap())
    };
    // A meeting, its attendance and its month at one branch of each.
    for p in [a, b] {
        theme_day_attended(&db, (p, 100 + p, &path_of(100 + p)), 1000 + p).await;
    }
    let (pa, pb) = (path_of(a), path_of(b));
    let (sa, sb) = (path::shard(&pa), path::shard(&pb));
    for table in ["meeting", "meeting_attendee", "compliance_month"] {
        assert_eq!(
            shards_on_worker(&db, table, port_a).await,
            [sa],
            "{table}: province {a}'s row, and only it, on the worker at {port_a}"
        );
        assert_eq!(
            shards_on_worker(&db, table, port_b).await,
            [sb],
            "{table}: province {b}'s row, and only it, on the worker at {port_b}"
        );
    }
    // The root reads both, through the coordinator.
    let mut c = db.store.acquire().await.unwrap();
    let (_, total) = meetings::list(&mut c, &Scope::All, &Default::default(), 0, 10)
        .await
        .unwrap();
    assert_eq!(total, 2);
    let root = Scope::subtree(&paths[0]);
    let months = meetings::month_facts(&mut c, &root, &[Period::Month(2026, 7)])
        .await
        .unwrap();
    assert_eq!(months.len(), 2, "both provinces' July at the root");
    let attended = meetings::attendance_in_scope(&mut c, &root, (d("2026-01-01"), d("2026-12-31")))
        .await
        .unwrap();
    assert_eq!(attended.len(), 2);
}
