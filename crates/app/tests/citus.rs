//! What the app refuses on a Citus cluster: `jiceng backup` and `restore` work on one
//! PostgreSQL database, and a dump of the coordinator would hold neither the workers'
//! shards nor a consistent point across the nodes. Runs when `JICENG_TEST_PG` is a Citus
//! coordinator (`../shared/citus/citus-up`); elsewhere it says SKIPPED, unless
//! `JICENG_REQUIRE_CITUS=1`.

use jiceng_store::testing::TestDb;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn postgres_backup_and_restore_refuse_a_cluster() {
    let Some(db) = TestDb::citus().await else {
        return;
    };
    let dir = std::env::temp_dir().join(format!("jiceng_citus_backup_{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let file = dir.join("cluster.dump");
    let e = jiceng_app::backup::backup(&db.url, &file, false)
        .await
        .expect_err("a backup of a Citus coordinator is refused");
    assert!(e.to_string().contains("Citus"), "{e}");
    assert!(!file.exists(), "nothing written");
    std::fs::remove_dir_all(&dir).unwrap();
}
