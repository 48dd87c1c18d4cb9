//! The SQLite database file and its `-wal` and `-shm` are readable by their owner only.

use jiceng_store::{files, sqlite_file, Store};

#[test]
fn sqlite_urls_name_their_file() {
    assert_eq!(
        sqlite_file("sqlite://data/j.db?mode=rwc"),
        Some("data/j.db".into())
    );
    assert_eq!(sqlite_file("sqlite:///var/j.db"), Some("/var/j.db".into()));
    assert_eq!(sqlite_file("sqlite:j.db"), Some("j.db".into()));
    assert_eq!(sqlite_file("sqlite::memory:"), None);
    assert_eq!(sqlite_file("postgres://x/y"), None);
}

#[cfg(unix)]
#[tokio::test]
async fn a_new_database_and_its_wal_are_private() {
    use std::os::unix::fs::PermissionsExt;
    let dir = std::env::temp_dir().join(format!("jiceng-files-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    let path = dir.join("j.db");
    let store = Store::open(&format!("sqlite://{}", path.display()))
        .await
        .unwrap();
    // A write while the pool is open: the WAL and the shared-memory file exist.
    sqlx::query("INSERT INTO app_setting (name, value) VALUES ('probe', 'x')")
        .execute(store.pool())
        .await
        .unwrap();
    for suffix in ["", "-wal", "-shm"] {
        let p = dir.join(format!("j.db{suffix}"));
        let mode = std::fs::metadata(&p)
            .unwrap_or_else(|e| panic!("{}: {e}", p.display()))
            .permissions()
            .mode()
            & 0o777;
        assert_eq!(mode, 0o600, "{}", p.display());
        assert_eq!(files::loose_mode_warning(&p, "数据库文件"), None);
    }
    store.close().await;
    // An existing file others may read is opened, with a warning naming it.
    std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o644)).unwrap();
    let w = files::loose_mode_warning(&path, "数据库文件").unwrap();
    assert!(
        w.contains("0644") && w.contains(&path.display().to_string()),
        "{w}"
    );
    let again = Store::open(&format!("sqlite://{}", path.display()))
        .await
        .unwrap();
    again.close().await;
    let _ = std::fs::remove_dir_all(&dir);
}
