//! A database that cannot serve answers within seconds with the real cause, in Chinese:
//! not a pool timeout after a minute, not the engine's English text. Corrupt, read-only,
//! full, missing and unreachable databases.

mod common;
use common::{scratch, Tmpfs};

use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use jiceng_store::{Store, StoreError};

/// Well under the pool's 60 s acquire timeout.
const QUICK: Duration = Duration::from_secs(10);

fn url(path: &Path) -> String {
    format!("sqlite://{}", path.display())
}

/// Opens, expecting an error within [`QUICK`]; returns it.
async fn open_fails(url: &str) -> StoreError {
    let t = Instant::now();
    let e = match Store::open(url).await {
        Ok(_) => panic!("{url} opened"),
        Err(e) => e,
    };
    assert!(t.elapsed() < QUICK, "took {:?}: {e}", t.elapsed());
    eprintln!("{url}: {e}");
    e
}

/// A fresh database with one setting written, closed.
async fn made(path: &Path) {
    let store = Store::open(&url(path)).await.unwrap();
    sqlx::query("INSERT INTO app_setting (name, value) VALUES ('x', 'y')")
        .execute(store.pool())
        .await
        .unwrap();
    store.close().await;
}

/// `bytes` written as the database at `path`, which then opens as damaged: the refusal.
async fn damaged(path: &Path, bytes: Vec<u8>) -> StoreError {
    std::fs::write(path, bytes).unwrap();
    let e = open_fails(&url(path)).await;
    assert!(matches!(e, StoreError::Damaged { .. }), "{e:?}");
    e
}

#[tokio::test]
async fn garbage_file_is_not_a_database() {
    let dir = scratch("garbage");
    let path = dir.join("t.db");
    let bytes: Vec<u8> = (0..65_536u32)
        .map(|i| (i.wrapping_mul(2_654_435_761) >> 13) as u8)
        .collect();
    let msg = damaged(&path, bytes).await.to_string();
    assert!(msg.contains("数据库文件损坏或不是数据库"), "{msg}");
    assert!(msg.contains(&path.display().to_string()), "{msg}");
    let _ = std::fs::remove_dir_all(&dir);
}

#[tokio::test]
async fn damaged_pages_are_told_as_damage() {
    let dir = scratch("damaged");
    let path = dir.join("t.db");
    made(&path).await;
    // Keep the header page, overwrite the rest: the schema's pages are gone.
    let mut bytes = std::fs::read(&path).unwrap();
    let page: usize = u16::from_be_bytes([bytes[16], bytes[17]]) as usize;
    for (i, b) in bytes.iter_mut().enumerate().skip(page) {
        *b = (i % 251) as u8;
    }
    // …and the first page's b-tree too, after the 100-byte header.
    for b in bytes.iter_mut().take(page).skip(100) {
        *b = 0xA5;
    }
    let e = damaged(&path, bytes).await;
    assert!(e.to_string().contains("损坏"), "{e}");
    let _ = std::fs::remove_dir_all(&dir);
}

#[tokio::test]
async fn read_only_connection_refuses_writes_clearly() {
    let dir = scratch("ro");
    let path = dir.join("t.db");
    made(&path).await;
    let t = Instant::now();
    let store = Store::open(&format!("{}?mode=ro", url(&path)))
        .await
        .expect("a read-only database opens for reading");
    let n: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM app_setting")
        .fetch_one(store.pool())
        .await
        .unwrap();
    assert_eq!(n, 1);
    let mut tx = store.begin().await.unwrap();
    let e: StoreError = sqlx::query("INSERT INTO app_setting (name, value) VALUES ('a', 'b')")
        .execute(&mut *tx)
        .await
        .unwrap_err()
        .into();
    drop(tx);
    assert!(t.elapsed() < QUICK, "{:?}", t.elapsed());
    assert!(matches!(e, StoreError::ReadOnly { .. }), "{e:?}");
    assert!(e.to_string().contains("数据库为只读"), "{e}");
    assert!(e.is_unavailable());
    store.close().await;
    let _ = std::fs::remove_dir_all(&dir);
}

/// A database made in scratch folder `src` and copied alone onto the mount as `t.db`: no
/// connection of this process holds a file there (a pooled SQLite handle can outlive `close`
/// long enough to keep the mount busy, and keep its `-wal` and `-shm` there, which SQLite
/// would then not need to make).
async fn copied_onto(fs: &Tmpfs, src: &str) -> PathBuf {
    let dir = scratch(src);
    made(&dir.join("t.db")).await;
    let path = fs.0.join("t.db");
    std::fs::copy(dir.join("t.db"), &path).unwrap();
    let _ = std::fs::remove_dir_all(&dir);
    path
}

#[tokio::test]
async fn read_only_file_system_is_told_fast() {
    let Some(fs) = Tmpfs::mount("rofs", "8m") else {
        return;
    };
    let path = copied_onto(&fs, "rofs_src").await;
    fs.remount("ro");
    let e = open_fails(&url(&path)).await;
    assert!(matches!(e, StoreError::ReadOnly { .. }), "{e:?}");
    let msg = e.to_string();
    assert!(msg.contains(&path.display().to_string()), "{msg}");
    assert!(msg.contains("数据库为只读"), "{msg}");
}

#[tokio::test]
async fn full_disk_at_open_is_told_fast() {
    let Some(fs) = Tmpfs::mount("fullopen", "4m") else {
        return;
    };
    let path = copied_onto(&fs, "fullopen_src").await;
    // Every byte taken: SQLite cannot even create its shared-memory file.
    let _ = std::fs::write(fs.0.join("filler"), vec![0u8; 8 << 20]);
    let e = open_fails(&url(&path)).await;
    assert!(matches!(e, StoreError::DiskFull { .. }), "{e:?}");
    let msg = e.to_string();
    assert!(msg.contains("磁盘已满"), "{msg}");
    assert!(msg.contains(&path.display().to_string()), "{msg}");
    assert!(!msg.contains("pool timed out"), "{msg}");
}

#[tokio::test]
async fn missing_folder_cannot_be_opened() {
    let e = open_fails("sqlite:///nonexistent-jiceng-folder/sub/t.db").await;
    assert!(matches!(e, StoreError::CannotOpen { .. }), "{e:?}");
    assert!(e.to_string().contains("无法打开数据库文件"), "{e}");
}

#[tokio::test]
async fn unreachable_server_is_told_fast() {
    // Nothing listens on port 1.
    let e = open_fails("postgres://postgres@127.0.0.1:1/jiceng").await;
    assert!(matches!(e, StoreError::Unavailable { .. }), "{e:?}");
    assert!(e.to_string().contains("拒绝连接"), "{e}");
}
