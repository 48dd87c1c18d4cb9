//! A full disk never eats an acknowledged write: on a small tmpfs the writes go on past
//! the first "disk full"; every write either fails or is really committed (read back
//! through a connection of its own, and after a reopen), and once space is freed the
//! same store writes again. SQLite: the database file on the tmpfs; PostgreSQL: the
//! written table in a tablespace on the tmpfs. Needs root (mount); skipped otherwise.

mod common;
use common::Tmpfs;

use std::path::{Path, PathBuf};
use std::process::Command;

use jiceng_store::testing::TestDb;
use jiceng_store::{Store, StoreError};

/// Fills the file system of `dir` with a file `name`, leaving about `leave` bytes free.
fn fill(dir: &Path, name: &str, leave: u64) -> PathBuf {
    let out = Command::new("df")
        .args(["--output=avail", "-B1"])
        .arg(dir)
        .output()
        .expect("df");
    let avail: u64 = String::from_utf8_lossy(&out.stdout)
        .lines()
        .nth(1)
        .and_then(|l| l.trim().parse().ok())
        .expect("df output");
    let path = dir.join(name);
    let size = avail.saturating_sub(leave) as usize;
    std::fs::write(&path, vec![7u8; size]).expect("filler");
    path
}

/// Reopens the database at `url`: the acknowledged writes are all there (more than 40).
async fn assert_writes_kept(url: &str) {
    let again = Store::open(url).await.expect("reopen");
    let n: i64 =
        sqlx::query_scalar("SELECT COUNT(*) FROM app_setting WHERE name LIKE 'durability_%'")
            .fetch_one(again.pool())
            .await
            .unwrap();
    assert!(n > 40, "{n}");
    again.close().await;
}

/// One write as a use case does it: its own transaction, a row of about 6 KB.
async fn write(store: &Store, i: usize) -> Result<(), StoreError> {
    let mut tx = store.begin().await?;
    sqlx::query("INSERT INTO app_setting (name, value) VALUES ($1, $2)")
        .bind(format!("durability_{i}"))
        .bind(format!("{i:06}").repeat(1000))
        .execute(&mut *tx)
        .await?;
    tx.commit().await?;
    Ok(())
}

/// Which of the keys `0..n` are stored, seen from a connection that is not the store's.
async fn stored(url: &str, n: usize) -> Vec<bool> {
    use sqlx::Connection;
    sqlx::any::install_default_drivers();
    let mut conn = sqlx::AnyConnection::connect(url).await.expect("connect");
    let names: Vec<String> =
        sqlx::query_scalar("SELECT name FROM app_setting WHERE name LIKE 'durability_%'")
            .fetch_all(&mut conn)
            .await
            .expect("read back");
    let _ = conn.close().await;
    let mut out = vec![false; n];
    for name in names {
        let i: usize = name["durability_".len()..].parse().expect("key");
        if i < n {
            out[i] = true;
        }
    }
    out
}

/// The scenario on an open store whose writes can fill the disk; `free` frees the space.
async fn scenario(store: &Store, url: &str, free: impl FnOnce()) {
    let mut acked = Vec::new();
    let mut full = 0;
    let mut other = None;
    let mut i = 0;
    let mut first_full = usize::MAX;
    // Until the disk is full, then 60 writes more (or until an error that is not "disk
    // full": checked below, after the acknowledged writes).
    while full == 0 || i < first_full + 60 {
        let result = write(store, i).await;
        i += 1;
        match result {
            Ok(()) => acked.push(i - 1),
            Err(e @ StoreError::DiskFull { .. }) => {
                assert!(e.to_string().contains("磁盘已满"), "{e}");
                first_full = first_full.min(i - 1);
                full += 1;
            }
            Err(e) => {
                other = Some(format!("write {}: {e:?}", i - 1));
                break;
            }
        }
        assert!(i < 20_000, "the disk never filled");
    }
    let n = i;
    let seen = stored(url, n).await;
    let lost: Vec<usize> = acked.iter().copied().filter(|&k| !seen[k]).collect();
    eprintln!(
        "{n} writes: {} acknowledged, {full} refused (disk full), {} acknowledged but not stored",
        acked.len(),
        lost.len()
    );
    assert!(
        lost.is_empty(),
        "acknowledged writes not committed: {lost:?}"
    );
    let phantom: Vec<usize> = (0..n).filter(|&k| seen[k] && !acked.contains(&k)).collect();
    assert!(phantom.is_empty(), "refused writes stored: {phantom:?}");
    assert_eq!(other, None, "a full disk answered with another error");

    // Space freed: the same store writes again, every time, without a reopen.
    free();
    for k in n..n + 40 {
        write(store, k)
            .await
            .unwrap_or_else(|e| panic!("write {k} after space was freed: {e:?}"));
        acked.push(k);
    }
    let seen = stored(url, n + 40).await;
    let lost: Vec<usize> = acked.iter().copied().filter(|&k| !seen[k]).collect();
    assert!(lost.is_empty(), "lost after space was freed: {lost:?}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sqlite_disk_full_keeps_every_acknowledged_write() {
    let Some(fs) = Tmpfs::mount("sqlite_full", "4m") else {
        return;
    };
    let path = fs.0.join("t.db");
    let url = format!("sqlite://{}", path.display());
    let store = Store::open(&url).await.expect("open");
    let filler = fill(&fs.0, "filler", 300 * 1024);
    scenario(&store, &url, || {
        std::fs::remove_file(&filler).expect("free")
    })
    .await;
    store.close().await;
    // After a restart, every acknowledged write is still there.
    assert_writes_kept(&url).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn postgres_disk_full_keeps_every_acknowledged_write() {
    let Some(db) = TestDb::postgres().await else {
        return;
    };
    let Some(fs) = Tmpfs::mount("pg_full", "2m") else {
        return;
    };
    let owned = Command::new("chown")
        .args(["postgres:postgres"])
        .arg(&fs.0)
        .status()
        .map(|s| s.success())
        .unwrap_or(false);
    let space = format!("jiceng_full_{}", std::process::id());
    let created = owned
        && sqlx::query(&format!(
            "CREATE TABLESPACE {space} LOCATION '{}'",
            fs.0.display()
        ))
        .execute(db.store.pool())
        .await
        .is_ok();
    if !created {
        eprintln!(
            "SKIPPED postgres disk full: cannot create a tablespace on {} (is PostgreSQL local?)",
            fs.0.display()
        );
        return;
    }
    for stmt in [
        format!("ALTER TABLE app_setting SET TABLESPACE {space}"),
        format!("ALTER INDEX app_setting_pkey SET TABLESPACE {space}"),
    ] {
        sqlx::query(&stmt).execute(db.store.pool()).await.unwrap();
    }
    let filler = fill(&fs.0, "filler", 400 * 1024);
    scenario(&db.store, &db.url, || {
        std::fs::remove_file(&filler).expect("free")
    })
    .await;
    // The store's own reopen sees them too.
    assert_writes_kept(&db.url).await;
    // The table goes back to the main disk so the tablespace can be dropped.
    sqlx::query("DROP TABLE app_setting")
        .execute(db.store.pool())
        .await
        .unwrap();
    sqlx::query(&format!("DROP TABLESPACE {space}"))
        .execute(db.store.pool())
        .await
        .unwrap();
}

/// Commits wait for the disk unless NORMAL is chosen, on every pooled connection; a
/// closed store leaves no WAL behind (the `.db` alone holds every commit).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sqlite_sync_full_by_default_and_checkpoint_on_close() {
    use jiceng_store::{OpenOptions, SqliteSync};
    let dir = std::env::temp_dir().join(format!("jiceng_sync_{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    let path = dir.join("t.db");
    let url = format!("sqlite://{}", path.display());
    for (choice, expected) in [(SqliteSync::Full, 2i64), (SqliteSync::Normal, 1)] {
        let store = Store::open_with(
            &url,
            OpenOptions {
                sqlite_sync: choice,
                pool_size: Some(3),
            },
        )
        .await
        .unwrap();
        assert_eq!(store.sqlite_sync(), choice);
        // Three connections at once: each was set up.
        let mut held = Vec::new();
        for _ in 0..3 {
            let mut c = store.acquire().await.unwrap();
            let v: i64 = sqlx::query_scalar("PRAGMA synchronous")
                .fetch_one(&mut *c)
                .await
                .unwrap();
            assert_eq!(v, expected, "{choice:?}");
            held.push(c);
        }
        drop(held);
        for i in 0..50 {
            write(&store, i + 1000 * expected as usize).await.unwrap();
        }
        let wal = dir.join("t.db-wal");
        assert!(std::fs::metadata(&wal).map(|m| m.len()).unwrap_or(0) > 0);
        // Another connection stays open (a server beside the CLI): SQLite's own
        // checkpoint at the last close does not happen, the store's does.
        let other = {
            use sqlx::Connection;
            sqlx::AnyConnection::connect(&url).await.unwrap()
        };
        store.close().await;
        let left = std::fs::metadata(&wal).map(|m| m.len()).unwrap_or(0);
        assert_eq!(left, 0, "the WAL still holds {left} bytes after close");
        sqlx::Connection::close(other).await.unwrap();
    }
    let _ = std::fs::remove_dir_all(&dir);
}
