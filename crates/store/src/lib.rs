//! Storage of jiceng. One SQL implementation serves SQLite (the embedded default) and
//! PostgreSQL through sqlx's `Any` driver; the schema is one set of scripts in
//! `migrations/`, SQLite's words derived from them (`migrate::for_sqlite`).
//!
//! Every read of scoped data takes a [`Scope`], a literal path range resolved before the
//! SQL is built (SCALE.md), so no query can forget the actor's subtree.

pub mod attachments;
pub mod audit;
pub mod backup;
pub mod browse;
pub mod bulk;
pub mod burden_rollup;
pub mod citus;
pub mod disclosure;
pub mod dues;
pub mod duties;
pub mod error;
pub mod evaluations;
pub mod exits;
pub mod facts;
pub mod files;
pub mod funding;
pub mod funding_rollup;
pub mod history;
pub mod inspections;
pub mod lease;
pub mod meetings;
pub mod members;
pub mod migrate;
pub mod mobile_in;
pub mod mobility;
pub mod notices;
pub mod orgs;
pub mod pairing;
pub mod positions;
pub mod problems;
pub mod protection;
pub mod rating_tally;
pub mod ratings;
pub mod record_files;
pub mod recruitment;
pub mod rectification;
pub mod referral;
pub mod requests;
pub mod rollup;
pub(crate) mod row;
pub mod scope;
pub mod scorecard;
pub mod shard;
pub mod sql;
pub mod survey_raw;
pub mod survey_report;
pub mod survey_tally;
pub mod surveys;
pub mod task_rollup;
pub mod tasks;
pub mod testing;
pub mod totp;
pub mod training;
pub mod transfers;
pub mod tree;
pub mod units;
pub mod users;
pub mod venue_rollup;
pub mod venues;
pub mod weak;

use std::collections::HashMap;
use std::ops::Range;
use std::str::FromStr;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use sqlx::any::{AnyConnectOptions, AnyPoolOptions};
use sqlx::{AnyConnection, AnyPool, Connection, Executor};

pub use error::StoreError;
pub use scope::Scope;

/// A connection to the database; cheap to clone.
pub type Conn = sqlx::AnyConnection;
pub type Tx<'a> = sqlx::Transaction<'a, sqlx::Any>;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Backend {
    Sqlite,
    Postgres,
}

pub type Result<T, E = StoreError> = std::result::Result<T, E>;

/// How SQLite waits for the disk when a transaction commits (`PRAGMA synchronous`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SqliteSync {
    /// Every commit is on the disk before it is acknowledged (the default): a power loss
    /// or OS crash loses nothing that was answered as saved.
    Full,
    /// Commits reach the disk at the next checkpoint: faster, and the database stays
    /// consistent, but a power loss or OS crash may lose the last acknowledged commits
    /// (a crash of the program alone loses nothing).
    Normal,
}

impl SqliteSync {
    fn pragma(self) -> &'static str {
        match self {
            SqliteSync::Full => "FULL",
            SqliteSync::Normal => "NORMAL",
        }
    }
}

/// Choices made when the store is opened; [`OpenOptions::from_env`] reads them from
/// `JICENG_SQLITE_SYNC` (`full`, the default, or `normal`) and `JICENG_DB_POOL` (the
/// number of pooled connections, 2–256 (a use case may hold one while it starts a
/// transaction on another); default 4 for SQLite, 8 for PostgreSQL).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct OpenOptions {
    pub sqlite_sync: SqliteSync,
    pub pool_size: Option<u32>,
}

impl Default for OpenOptions {
    fn default() -> OpenOptions {
        OpenOptions {
            sqlite_sync: SqliteSync::Full,
            pool_size: None,
        }
    }
}

impl OpenOptions {
    pub fn from_env() -> Result<OpenOptions> {
        let sqlite_sync = match std::env::var("JICENG_SQLITE_SYNC") {
            Err(_) => SqliteSync::Full,
            Ok(v) => match v.trim().to_ascii_lowercase().as_str() {
                "" | "full" => SqliteSync::Full,
                "normal" => SqliteSync::Normal,
                _ => {
                    return Err(StoreError::BadSetting(format!(
                        "JICENG_SQLITE_SYNC 应为 full（默认，每次提交都写入磁盘）或 normal（更快，断电时可能丢失最后几次提交），当前为“{v}”"
                    )))
                }
            },
        };
        let pool_size = match std::env::var("JICENG_DB_POOL") {
            Err(_) => None,
            Ok(v) if v.trim().is_empty() => None,
            Ok(v) => match v.trim().parse::<u32>() {
                Ok(n) if (2..=256).contains(&n) => Some(n),
                _ => {
                    return Err(StoreError::BadSetting(format!(
                        "JICENG_DB_POOL 应为 2 到 256 之间的整数（数据库连接数），当前为“{v}”"
                    )))
                }
            },
        };
        Ok(OpenOptions {
            sqlite_sync,
            pool_size,
        })
    }
}

/// How long opening waits for the first connection before it reports why it failed
/// (the pool itself would retry silently until its acquire timeout).
const OPEN_TIMEOUT: Duration = Duration::from_secs(10);

/// The store: a pool of connections to one database.
#[derive(Clone)]
pub struct Store {
    pool: AnyPool,
    backend: Backend,
    sqlite_sync: SqliteSync,
    /// Ids reserved ahead for [`Store::next_id`], by kind: blocks not yet handed out.
    ids_ahead: Arc<Mutex<HashMap<String, Vec<Range<i64>>>>>,
}

/// Ids [`Store::next_id`] reserves at a time.
const ID_BLOCK: i64 = 256;

impl Store {
    /// Connects to `sqlite://PATH` (the file is created if missing; WAL mode) or
    /// `postgres://…`, and brings the schema up to date; options from the environment
    /// ([`OpenOptions::from_env`]).
    pub async fn open(url: &str) -> Result<Store> {
        Store::open_with(url, OpenOptions::from_env()?).await
    }

    /// [`Store::open`] with the options given. Fails within seconds, with the cause, when
    /// the database cannot be opened (unreachable, unreadable, damaged, read-only, full).
    pub async fn open_with(url: &str, options: OpenOptions) -> Result<Store> {
        sqlx::any::install_default_drivers();
        let backend = if url.starts_with("sqlite:") {
            Backend::Sqlite
        } else if url.starts_with("postgres://") || url.starts_with("postgresql://") {
            Backend::Postgres
        } else {
            return Err(StoreError::BadUrl(url.to_string()));
        };
        let file = match backend {
            Backend::Sqlite => sqlite_file(url),
            Backend::Postgres => None,
        };
        if let Some(path) = &file {
            prepare_sqlite_file(path)?;
        }
        let url = match backend {
            Backend::Sqlite if !url.contains('?') => format!("{url}?mode=rwc"),
            _ => url.to_string(),
        };
        let opts =
            AnyConnectOptions::from_str(&url).map_err(|_| StoreError::BadUrl(url.clone()))?;
        let sync = options.sqlite_sync;
        // One connection first, set up as the pool's will be: its error is the cause, told
        // at once (the pool would swallow it and retry until its acquire timeout).
        let first = async {
            let mut conn = AnyConnection::connect_with(&opts).await?;
            let set_up = setup_connection(&mut conn, backend, sync).await;
            let _ = conn.close().await;
            set_up
        };
        match tokio::time::timeout(OPEN_TIMEOUT, first).await {
            Ok(Ok(())) => {}
            Ok(Err(e)) => {
                let e = error::classify(e, file.as_deref());
                return Err(match &file {
                    Some(path) => explain_open_failure(e, path),
                    None => e,
                });
            }
            Err(_) => {
                return Err(error::classify(sqlx::Error::PoolTimedOut, file.as_deref()));
            }
        }
        let pool = AnyPoolOptions::new()
            .max_connections(options.pool_size.unwrap_or(match backend {
                Backend::Sqlite => 4,
                Backend::Postgres => 8,
            }))
            .acquire_timeout(Duration::from_secs(60))
            .after_connect(move |conn, _meta| {
                Box::pin(async move { setup_connection(conn, backend, sync).await })
            })
            // A connection whose transaction is still open (a COMMIT or ROLLBACK that
            // failed: after SQLITE_FULL, SQLite has already rolled back, sqlx still counts
            // the transaction, and the next `begin` on it would be a SAVEPOINT inside a
            // transaction that never commits) is closed, never handed out again. Checked
            // when a connection is taken, after its release's queued rollback has run.
            .before_acquire(|conn, _meta| {
                Box::pin(async move { Ok(!sqlx::Connection::is_in_transaction(conn)) })
            })
            .connect_with(opts)
            .await
            .map_err(|e| error::classify(e, file.as_deref()))?;
        let store = Store {
            pool,
            backend,
            sqlite_sync: sync,
            ids_ahead: Arc::default(),
        };
        migrate::run(&store)
            .await
            .map_err(|e| e.at_path(file.as_deref()))?;
        citus::distribute(&store).await?;
        Ok(store)
    }

    /// Like [`Store::open`], for a database that must already exist: a missing or empty
    /// SQLite file, one that is not a jiceng database, or a PostgreSQL database without
    /// jiceng's schema is refused at once ([`backup::check_existing`]), never created.
    pub async fn open_existing(url: &str) -> Result<Store> {
        backup::check_existing(url).await?;
        Store::open(url).await
    }

    pub fn backend(&self) -> Backend {
        self.backend
    }

    /// The `synchronous` setting of the SQLite connections (what a bulk load restores).
    pub fn sqlite_sync(&self) -> SqliteSync {
        self.sqlite_sync
    }

    pub fn pool(&self) -> &AnyPool {
        &self.pool
    }

    /// Starts a write transaction. On SQLite it takes the write lock at once
    /// (`BEGIN IMMEDIATE`, waiting up to the busy timeout for another writer): a deferred
    /// transaction that reads first and then writes cannot wait for the lock and fails
    /// with "database is locked" when another writer committed in between.
    pub async fn begin(&self) -> Result<Tx<'static>> {
        let tx = match self.backend {
            Backend::Sqlite => self.pool.begin_with("BEGIN IMMEDIATE").await?,
            Backend::Postgres => self.pool.begin().await?,
        };
        Ok(tx)
    }

    pub async fn acquire(&self) -> Result<sqlx::pool::PoolConnection<sqlx::Any>> {
        Ok(self.pool.acquire().await?)
    }

    /// Runs `f` (a whole transaction: begin … commit) and runs it again, a bounded number
    /// of times after a short random pause, when it fails on a transient conflict with a
    /// concurrent writer ([`StoreError::is_retryable`]).
    pub async fn retry<T, F, Fut>(&self, f: F) -> Result<T>
    where
        F: FnMut() -> Fut,
        Fut: std::future::Future<Output = Result<T>>,
    {
        with_retry(f, StoreError::is_retryable).await
    }

    /// Reserves `n` consecutive ids of a kind ("org", "member", "unit", "position",
    /// "history") in a short transaction of its own, so that writers never wait on it
    /// for long. Returns the first.
    pub async fn reserve_ids(&self, kind: &str, n: i64) -> Result<i64> {
        let table = sql::id_table(kind)?;
        self.retry(|| self.try_reserve_ids(kind, table, n)).await
    }

    /// One atomic increment: concurrent reservations queue on the row and each gets a
    /// block of its own. The same SQL on both backends.
    async fn try_reserve_ids(&self, kind: &str, table: &str, n: i64) -> Result<i64> {
        let mut tx = self.begin().await?;
        // First use: start after whatever the table holds (data restored or migrated).
        // (`WHERE true`: SQLite's grammar wants a WHERE before ON CONFLICT here.)
        sqlx::query(&format!(
            "INSERT INTO id_alloc (name, next_id) SELECT $1, COALESCE(MAX(id), 0) + 1 FROM {table} \
             WHERE true ON CONFLICT (name) DO NOTHING"
        ))
        .bind(kind)
        .execute(&mut *tx)
        .await?;
        let next: i64 = sqlx::query_scalar(
            "UPDATE id_alloc SET next_id = next_id + $1 WHERE name = $2 RETURNING next_id",
        )
        .bind(n)
        .bind(kind)
        .fetch_one(&mut *tx)
        .await?;
        tx.commit().await?;
        Ok(next - n)
    }

    /// One id of a kind, from a block reserved ahead ([`ID_BLOCK`] at a time): for a write
    /// made many times a second (a survey's answers), which then needs no transaction of
    /// its own for its id. The ids of a block not used before the process ends are never
    /// used (ids are unique, not dense), and two processes never share a block.
    pub async fn next_id(&self, kind: &str) -> Result<i64> {
        if let Some(id) = self.take_ahead(kind) {
            return Ok(id);
        }
        let first = self.reserve_ids(kind, ID_BLOCK).await?;
        let mut ahead = self.ids_ahead.lock().unwrap_or_else(|p| p.into_inner());
        ahead
            .entry(kind.to_string())
            .or_default()
            .push(first + 1..first + ID_BLOCK);
        Ok(first)
    }

    fn take_ahead(&self, kind: &str) -> Option<i64> {
        let mut ahead = self.ids_ahead.lock().unwrap_or_else(|p| p.into_inner());
        let blocks = ahead.get_mut(kind)?;
        while let Some(block) = blocks.first_mut() {
            if let Some(id) = block.next() {
                return Some(id);
            }
            blocks.remove(0);
        }
        None
    }

    /// Sets the next id of a kind to at least `next` (after a bulk load with its own ids).
    pub async fn bump_ids(&self, kind: &str, next: i64) -> Result<()> {
        self.reserve_ids(kind, 0).await?;
        sqlx::query("UPDATE id_alloc SET next_id = $1 WHERE name = $2 AND next_id < $1")
            .bind(next)
            .bind(kind)
            .execute(&self.pool)
            .await?;
        Ok(())
    }

    /// Closes the pool. On SQLite the WAL is first copied into the database file and
    /// emptied (`wal_checkpoint(TRUNCATE)`), so the `.db` file alone holds every commit
    /// (a copy of it is whole); a checkpoint that cannot finish (another process reading)
    /// leaves the rest in the WAL, where SQLite finds it.
    pub async fn close(&self) {
        if self.backend == Backend::Sqlite && !self.pool.is_closed() {
            // Bounded: a pool busy or broken at exit is closed anyway (the WAL stays valid).
            let acquired = tokio::time::timeout(Duration::from_secs(5), self.pool.acquire()).await;
            if let Ok(Ok(mut conn)) = acquired {
                let _ = conn.execute("PRAGMA wal_checkpoint(TRUNCATE)").await;
            }
        }
        self.pool.close().await;
    }
}

/// Runs `f` again while it fails with an error `retryable` accepts, at most
/// [`RETRIES`] more times, pausing a few milliseconds (growing, with jitter) in between.
pub async fn with_retry<T, E, F, Fut>(mut f: F, retryable: impl Fn(&E) -> bool) -> Result<T, E>
where
    F: FnMut() -> Fut,
    Fut: std::future::Future<Output = Result<T, E>>,
{
    let mut attempt = 0;
    loop {
        match f().await {
            Err(e) if attempt < RETRIES && retryable(&e) => {
                attempt += 1;
                tokio::time::sleep(backoff(attempt)).await;
            }
            other => return other,
        }
    }
}

/// How often a conflicting transaction is run again before its error is returned.
pub const RETRIES: u32 = 8;

/// The pause before attempt `attempt` (1, 2, …): 5·2^(attempt-1) ms capped at 200 ms, plus
/// up to as much again at random, so that writers that collided do not collide again.
fn backoff(attempt: u32) -> Duration {
    let base = (5u64 << attempt.saturating_sub(1).min(6)).min(200);
    let mut h = std::collections::hash_map::DefaultHasher::new();
    std::hash::Hash::hash(&std::time::Instant::now(), &mut h);
    std::hash::Hash::hash(&std::thread::current().id(), &mut h);
    let jitter = std::hash::Hasher::finish(&h) % (base + 1);
    Duration::from_millis(base + jitter)
}

/// SQLite says only "unable to open" or "disk I/O error" when it cannot create its
/// `-wal`/`-shm` files next to the database: find out whether the folder is read-only or
/// full by writing a small probe file there (removed at once).
fn explain_open_failure(e: StoreError, path: &std::path::Path) -> StoreError {
    if !matches!(e, StoreError::CannotOpen { .. } | StoreError::DiskIo { .. }) {
        return e;
    }
    let mut probe = path.as_os_str().to_owned();
    probe.push("-jiceng-probe");
    let probe = std::path::PathBuf::from(probe);
    let written = std::fs::OpenOptions::new()
        .write(true)
        .open(path)
        .and_then(|_| std::fs::write(&probe, vec![0u8; 64 * 1024]));
    let _ = std::fs::remove_file(&probe);
    let kind = match written {
        Ok(()) => return e,
        Err(w) => w.kind(),
    };
    let (StoreError::CannotOpen { at, source } | StoreError::DiskIo { at, source }) = e else {
        unreachable!("checked above")
    };
    match kind {
        std::io::ErrorKind::ReadOnlyFilesystem | std::io::ErrorKind::PermissionDenied => {
            StoreError::ReadOnly { at, source }
        }
        std::io::ErrorKind::StorageFull => StoreError::DiskFull { at, source },
        _ => error::classify(source, Some(path)),
    }
}

/// The settings every connection of the pool gets.
async fn setup_connection(
    conn: &mut AnyConnection,
    backend: Backend,
    sync: SqliteSync,
) -> std::result::Result<(), sqlx::Error> {
    if backend == Backend::Sqlite {
        conn.execute(
            format!(
                "PRAGMA busy_timeout=30000; PRAGMA journal_mode=WAL; PRAGMA synchronous={}; \
                 PRAGMA foreign_keys=OFF; PRAGMA cache_size=-65536; PRAGMA temp_store=MEMORY;",
                sync.pragma()
            )
            .as_str(),
        )
        .await?;
        // Reads the schema: a file that is not a database (or is damaged) says so here,
        // not at the first query of a page.
        sqlx::query("SELECT COUNT(*) FROM sqlite_master")
            .fetch_one(&mut *conn)
            .await?;
    }
    Ok(())
}

/// The file of a `sqlite:` URL (`sqlite://PATH`, `sqlite:PATH`, any `?options` cut off);
/// `None` for an in-memory database.
pub fn sqlite_file(url: &str) -> Option<std::path::PathBuf> {
    let rest = url.strip_prefix("sqlite:")?;
    let rest = rest.strip_prefix("//").unwrap_or(rest);
    let path = rest.split('?').next().unwrap_or("");
    (!path.is_empty() && path != ":memory:").then(|| std::path::PathBuf::from(path))
}

/// A new database file is created empty with mode 0600 before SQLite opens it (SQLite
/// gives its `-wal` and `-shm` the database file's mode); an existing one, or its `-wal`
/// or `-shm`, that others may read is opened with a warning on stderr.
fn prepare_sqlite_file(path: &std::path::Path) -> Result<()> {
    match files::create_private(path) {
        Ok(_) => Ok(()),
        Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => {
            for suffix in ["", "-wal", "-shm"] {
                let mut name = path.as_os_str().to_owned();
                name.push(suffix);
                if let Some(w) =
                    files::loose_mode_warning(std::path::Path::new(&name), "数据库文件")
                {
                    eprintln!("{w}");
                }
            }
            Ok(())
        }
        // A missing folder and the like: SQLite says what is wrong when it opens.
        Err(_) => Ok(()),
    }
}

/// ISO text of a date, as stored.
pub fn date_text(d: chrono::NaiveDate) -> String {
    d.format("%Y-%m-%d").to_string()
}

/// A stored date back; a malformed value is corruption.
pub fn parse_date_text(s: &str) -> Result<chrono::NaiveDate> {
    chrono::NaiveDate::parse_from_str(s, "%Y-%m-%d")
        .map_err(|_| StoreError::Corrupt(format!("日期格式错误：{s}")))
}

pub(crate) fn opt_date(s: Option<String>) -> Result<Option<chrono::NaiveDate>> {
    s.map(|s| parse_date_text(&s)).transpose()
}

/// A text no other call of this process or another makes: the time to the nanosecond, the
/// process and a counter.
pub(crate) fn unique_stamp() -> String {
    static NEXT: std::sync::atomic::AtomicU64 = std::sync::atomic::AtomicU64::new(0);
    let n = NEXT.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
    format!(
        "{}-{}-{n}",
        chrono::Utc::now().format("%Y%m%dT%H%M%S%.9f"),
        std::process::id()
    )
}

pub(crate) fn now_text() -> String {
    chrono::Utc::now().format("%Y-%m-%dT%H:%M:%SZ").to_string()
}

pub use sqlx::Error as SqlxError;
