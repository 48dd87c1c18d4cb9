//! Fresh databases for tests: a temporary SQLite file, or a uniquely named PostgreSQL
//! database that is dropped afterwards. Tests talk to real databases; nothing is mocked.
//!
//! PostgreSQL comes from `JICENG_TEST_PG` (default `postgres://postgres@127.0.0.1:5432/test`).
//! When it cannot be reached the PostgreSQL half of a suite is skipped with a notice on
//! stderr — unless `JICENG_REQUIRE_PG=1` (as `.ci/run` sets), which turns that into a failure.

use std::io::Write;
use std::sync::atomic::{AtomicU64, Ordering};

use crate::{Backend, Store};

static COUNTER: AtomicU64 = AtomicU64::new(0);

pub struct TestDb {
    pub url: String,
    pub store: Store,
    cleanup: Cleanup,
}

enum Cleanup {
    File(std::path::PathBuf),
    Postgres { admin: String, name: String },
}

fn unique(prefix: &str) -> String {
    let n = COUNTER.fetch_add(1, Ordering::SeqCst);
    let t = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_nanos())
        .unwrap_or(0);
    format!(
        "{prefix}_{}_{}_{}",
        std::process::id(),
        t % 1_000_000_000,
        n
    )
}

impl TestDb {
    pub async fn new(backend: Backend) -> Option<TestDb> {
        match backend {
            Backend::Sqlite => Some(TestDb::sqlite().await),
            Backend::Postgres => TestDb::postgres().await,
        }
    }

    pub async fn sqlite() -> TestDb {
        let path = std::env::temp_dir().join(format!("{}.db", unique("jiceng_test")));
        let url = format!("sqlite://{}", path.display());
        let store = Store::open(&url).await.expect("open sqlite test database");
        TestDb {
            url,
            store,
            cleanup: Cleanup::File(path),
        }
    }

    /// `None` (with a notice) when PostgreSQL is unreachable and not required.
    pub async fn postgres() -> Option<TestDb> {
        let admin = std::env::var("JICENG_TEST_PG")
            .unwrap_or_else(|_| "postgres://postgres@127.0.0.1:5432/test".into());
        let required = std::env::var("JICENG_REQUIRE_PG")
            .map(|v| v == "1")
            .unwrap_or(false);
        sqlx::any::install_default_drivers();
        let conn = sqlx::AnyPool::connect(&admin).await;
        let pool = match conn {
            Ok(p) => p,
            Err(e) if !required => {
                let _ = writeln!(
                    std::io::stderr(),
                    "SKIPPED PostgreSQL suite: cannot reach {admin} ({e}); set JICENG_REQUIRE_PG=1 to make it required"
                );
                return None;
            }
            Err(e) => {
                panic!("PostgreSQL required (JICENG_REQUIRE_PG=1) but unreachable at {admin}: {e}")
            }
        };
        let name = unique("jiceng_test");
        sqlx::query(&format!("CREATE DATABASE {name}"))
            .execute(&pool)
            .await
            .expect("create test database");
        pool.close().await;
        let base = admin
            .rsplit_once('/')
            .map(|(b, _)| b.to_string())
            .unwrap_or(admin.clone());
        let url = format!("{base}/{name}");
        let store = Store::open(&url)
            .await
            .expect("open postgres test database");
        Some(TestDb {
            url,
            store,
            cleanup: Cleanup::Postgres { admin, name },
        })
    }

    pub fn backend(&self) -> Backend {
        self.store.backend()
    }
}

impl Drop for TestDb {
    fn drop(&mut self) {
        match &self.cleanup {
            Cleanup::File(path) => {
                for suffix in ["", "-wal", "-shm"] {
                    let _ = std::fs::remove_file(format!("{}{suffix}", path.display()));
                }
            }
            Cleanup::Postgres { admin, name } => {
                let (admin, name) = (admin.clone(), name.clone());
                // Drop runs inside the test's runtime: use a thread with a runtime of its own.
                // The test's pool is not closed from here: its connections belong to the
                // test's runtime, whose worker is blocked in this drop, so waiting for them
                // could wait forever. `WITH (FORCE)` ends them on the server instead.
                let _ = std::thread::spawn(move || {
                    let rt = tokio::runtime::Builder::new_current_thread()
                        .enable_all()
                        .build()
                        .expect("runtime");
                    rt.block_on(async move {
                        if let Ok(pool) = sqlx::AnyPool::connect(&admin).await {
                            let _ = sqlx::query(&format!(
                                "DROP DATABASE IF EXISTS {name} WITH (FORCE)"
                            ))
                            .execute(&pool)
                            .await;
                            pool.close().await;
                        }
                    })
                })
                .join();
            }
        }
    }
}

/// Runs a test body against both backends: SQLite always, PostgreSQL when reachable.
#[macro_export]
macro_rules! contract_test {
    ($name:ident, $body:expr) => {
        mod $name {
            use super::*;
            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn sqlite() {
                let db = $crate::testing::TestDb::sqlite().await;
                ($body)(db).await;
            }
            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn postgres() {
                if let Some(db) = $crate::testing::TestDb::postgres().await {
                    ($body)(db).await;
                }
            }
        }
    };
}
