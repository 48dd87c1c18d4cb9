//! Fresh databases for tests: a temporary SQLite file, or a uniquely named PostgreSQL
//! database that is dropped afterwards. Tests talk to real databases; nothing is mocked.
//!
//! PostgreSQL comes from `JICENG_TEST_PG` (default `postgres://postgres@127.0.0.1:5432/test`).
//! When it cannot be reached the PostgreSQL half of a suite is skipped with a notice on
//! stderr — unless `JICENG_REQUIRE_PG=1` (as `.ci/run` sets), which turns that into a failure.
//!
//! When `JICENG_TEST_PG` is a Citus coordinator (`../shared/citus/citus-up`, then
//! `postgres://postgres@127.0.0.1:5441/postgres`), each test database is made on the
//! coordinator and on every worker registered there, with the extension and the workers
//! registered in it, so that the store places its tables on them
//! ([`crate::citus`]); it is dropped on every node afterwards.

use std::io::Write;
use std::sync::atomic::{AtomicU64, Ordering};

use crate::{Backend, Store};

static COUNTER: AtomicU64 = AtomicU64::new(0);

/// One test at a time sets a database up on the Citus nodes: two `CREATE EXTENSION citus`
/// or `citus_add_node` at once on a worker fail with "tuple concurrently updated".
static CITUS_SETUP: tokio::sync::Mutex<()> = tokio::sync::Mutex::const_new(());

pub struct TestDb {
    pub url: String,
    pub store: Store,
    cleanup: Cleanup,
}

enum Cleanup {
    File(std::path::PathBuf),
    /// `admins`: the coordinator's (or the one server's) admin URL first, then each
    /// Citus worker's.
    Postgres {
        admins: Vec<String>,
        name: String,
    },
}

/// `admin` with its host and port replaced: `postgres://user@host:port/db`.
fn at_node(admin: &str, host: &str, port: i32) -> String {
    let (scheme_user, rest) = admin
        .split_once('@')
        .unwrap_or(("postgres://postgres", admin));
    let db = rest.split_once('/').map(|(_, d)| d).unwrap_or("postgres");
    format!("{scheme_user}@{host}:{port}/{db}")
}

/// The Citus workers registered in the admin database, when it is a Citus coordinator.
async fn citus_workers(pool: &sqlx::AnyPool) -> Vec<(String, i32)> {
    let has: Option<(i32,)> =
        sqlx::query_as("SELECT CAST(1 AS INTEGER) FROM pg_extension WHERE extname = 'citus'")
            .fetch_optional(pool)
            .await
            .unwrap_or(None);
    if has.is_none() {
        return Vec::new();
    }
    sqlx::query_as(
        "SELECT nodename, nodeport FROM pg_dist_node \
         WHERE noderole = 'primary' AND groupid <> 0 ORDER BY nodeport",
    )
    .fetch_all(pool)
    .await
    .expect("read the Citus workers")
}

/// Makes the test database `name` (made on the coordinator at `url`) a Citus database: made
/// on every worker with the extension, the coordinator and the workers registered in it.
/// Returns the workers' admin URLs (to drop it there too).
async fn spread_over(workers: &[(String, i32)], admin: &str, url: &str, name: &str) -> Vec<String> {
    let mut admins = Vec::new();
    let _one_at_a_time = CITUS_SETUP.lock().await;
    for (host, port) in workers {
        let worker_admin = at_node(admin, host, *port);
        let pool = sqlx::AnyPool::connect(&worker_admin)
            .await
            .expect("reach a Citus worker");
        sqlx::query(&format!("CREATE DATABASE {name}"))
            .execute(&pool)
            .await
            .expect("create the test database on a Citus worker");
        pool.close().await;
        let pool = sqlx::AnyPool::connect(&at_node(url, host, *port))
            .await
            .expect("open the worker's test database");
        sqlx::query("CREATE EXTENSION citus")
            .execute(&pool)
            .await
            .expect("citus on the worker");
        pool.close().await;
        admins.push(worker_admin);
    }
    let pool = sqlx::AnyPool::connect(url)
        .await
        .expect("open the coordinator's test database");
    let (host, port) = url
        .split_once('@')
        .and_then(|(_, r)| r.split_once('/'))
        .and_then(|(hp, _)| hp.split_once(':'))
        .map(|(h, p)| (h.to_string(), p.parse::<i32>().unwrap_or(5432)))
        .expect("the coordinator's host and port");
    let mut setup = vec![
        "CREATE EXTENSION citus".to_string(),
        format!("SELECT citus_set_coordinator_host('{host}', {port})"),
    ];
    for (h, p) in workers {
        setup.push(format!("SELECT citus_add_node('{h}', {p})"));
    }
    for sql in setup {
        sqlx::query(&sql)
            .execute(&pool)
            .await
            .unwrap_or_else(|e| panic!("{sql}: {e}"));
    }
    pool.close().await;
    admins
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
        let workers = citus_workers(&pool).await;
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
        let mut admins = vec![admin.clone()];
        if !workers.is_empty() {
            admins.extend(spread_over(&workers, &admin, &url, &name).await);
        }
        let store = Store::open(&url)
            .await
            .expect("open postgres test database");
        Some(TestDb {
            url,
            store,
            cleanup: Cleanup::Postgres { admins, name },
        })
    }

    /// A test database on a Citus cluster: `None` (with a notice) when `JICENG_TEST_PG` is
    /// not a Citus coordinator, unless `JICENG_REQUIRE_CITUS=1` (as `.ci/run` sets), which
    /// turns that into a failure.
    pub async fn citus() -> Option<TestDb> {
        let required = std::env::var("JICENG_REQUIRE_CITUS").is_ok_and(|v| v == "1");
        if let Some(db) = TestDb::postgres().await {
            if crate::citus::is_citus(&db.store)
                .await
                .expect("ask for citus")
            {
                return Some(db);
            }
        }
        assert!(
            !required,
            "Citus required (JICENG_REQUIRE_CITUS=1) but JICENG_TEST_PG is not a Citus coordinator"
        );
        let _ = writeln!(
            std::io::stderr(),
            "SKIPPED Citus suite: JICENG_TEST_PG is not a Citus coordinator (see README)"
        );
        None
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
            Cleanup::Postgres { admins, name } => {
                let (admins, name) = (admins.clone(), name.clone());
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
                        for admin in admins {
                            if let Ok(pool) = sqlx::AnyPool::connect(&admin).await {
                                let _ = sqlx::query(&format!(
                                    "DROP DATABASE IF EXISTS {name} WITH (FORCE)"
                                ))
                                .execute(&pool)
                                .await;
                                pool.close().await;
                            }
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
