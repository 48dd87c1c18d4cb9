//! Storage of jiceng. One SQL implementation serves SQLite (the embedded default) and
//! PostgreSQL through sqlx's `Any` driver; where the dialects differ (the schema), the
//! two versions sit side by side in `migrations/sqlite` and `migrations/postgres`.
//!
//! Every read of scoped data takes a [`Scope`], a literal path range resolved before the
//! SQL is built (SCALE.md), so no query can forget the actor's subtree.

pub mod audit;
pub mod backup;
pub mod browse;
pub mod bulk;
pub mod facts;
pub mod files;
pub mod lease;
pub mod meetings;
pub mod members;
pub mod migrate;
pub mod orgs;
pub mod positions;
pub mod protection;
pub mod ratings;
pub mod rectification;
pub mod referral;
pub mod scope;
pub mod sql;
pub mod testing;
pub mod totp;
pub mod units;
pub mod users;
pub mod weak;

use std::str::FromStr;
use std::time::Duration;

use sqlx::any::{AnyConnectOptions, AnyPoolOptions};
use sqlx::{AnyPool, Executor};

pub use scope::Scope;

/// A connection to the database; cheap to clone.
pub type Conn = sqlx::AnyConnection;
pub type Tx<'a> = sqlx::Transaction<'a, sqlx::Any>;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Backend {
    Sqlite,
    Postgres,
}

#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    #[error("数据库地址无效：{0}（应为 sqlite://文件路径 或 postgres://…）")]
    BadUrl(String),
    #[error("找不到{0}")]
    NotFound(String),
    #[error("数据库中的数据无效：{0}")]
    Corrupt(String),
    #[error("数据库错误：{0}")]
    Db(#[from] sqlx::Error),
    /// The database to open is not there (missing, empty, foreign, not initialised):
    /// the message says which and how to create one.
    #[error("{0}")]
    NoDatabase(String),
}

impl StoreError {
    /// A serialization failure or deadlock that the whole transaction may be retried on
    /// (SQLSTATE 40001/40P01 in PostgreSQL-family engines; SQLITE_BUSY in SQLite).
    pub fn is_retryable(&self) -> bool {
        match self {
            StoreError::Db(sqlx::Error::Database(e)) => {
                matches!(
                    e.code().as_deref(),
                    Some("40001") | Some("40P01") | Some("5") | Some("517")
                )
            }
            _ => false,
        }
    }
}

pub type Result<T, E = StoreError> = std::result::Result<T, E>;

/// The store: a pool of connections to one database.
#[derive(Clone)]
pub struct Store {
    pool: AnyPool,
    backend: Backend,
}

impl Store {
    /// Connects to `sqlite://PATH` (the file is created if missing; WAL mode) or
    /// `postgres://…`, and brings the schema up to date.
    pub async fn open(url: &str) -> Result<Store> {
        sqlx::any::install_default_drivers();
        let backend = if url.starts_with("sqlite:") {
            Backend::Sqlite
        } else if url.starts_with("postgres://") || url.starts_with("postgresql://") {
            Backend::Postgres
        } else {
            return Err(StoreError::BadUrl(url.to_string()));
        };
        if backend == Backend::Sqlite {
            if let Some(path) = sqlite_file(url) {
                prepare_sqlite_file(&path)?;
            }
        }
        let url = match backend {
            Backend::Sqlite if !url.contains('?') => format!("{url}?mode=rwc"),
            _ => url.to_string(),
        };
        let opts =
            AnyConnectOptions::from_str(&url).map_err(|_| StoreError::BadUrl(url.clone()))?;
        let pool = AnyPoolOptions::new()
            .max_connections(match backend {
                Backend::Sqlite => 4,
                Backend::Postgres => 8,
            })
            .acquire_timeout(Duration::from_secs(60))
            .after_connect(move |conn, _meta| {
                Box::pin(async move {
                    if backend == Backend::Sqlite {
                        conn.execute(
                            "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; \
                             PRAGMA busy_timeout=30000; PRAGMA foreign_keys=OFF; \
                             PRAGMA cache_size=-65536; PRAGMA temp_store=MEMORY;",
                        )
                        .await?;
                    }
                    Ok(())
                })
            })
            .connect_with(opts)
            .await?;
        let store = Store { pool, backend };
        migrate::run(&store).await?;
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

    pub fn pool(&self) -> &AnyPool {
        &self.pool
    }

    pub async fn begin(&self) -> Result<Tx<'static>> {
        Ok(self.pool.begin().await?)
    }

    pub async fn acquire(&self) -> Result<sqlx::pool::PoolConnection<sqlx::Any>> {
        Ok(self.pool.acquire().await?)
    }

    /// Reserves `n` consecutive ids of a kind ("org", "member", "unit", "position",
    /// "history") in a short transaction of its own, so that writers never wait on it
    /// for long. Returns the first.
    pub async fn reserve_ids(&self, kind: &str, n: i64) -> Result<i64> {
        let mut attempt = 0;
        loop {
            match self.try_reserve_ids(kind, n).await {
                Err(e) if e.is_retryable() && attempt < 5 => attempt += 1,
                other => return other,
            }
        }
    }

    async fn try_reserve_ids(&self, kind: &str, n: i64) -> Result<i64> {
        let mut tx = self.begin().await?;
        let table = sql::id_table(kind)?;
        let stored: Option<i64> =
            sqlx::query_scalar("SELECT next_id FROM id_alloc WHERE name = $1")
                .bind(kind)
                .fetch_optional(&mut *tx)
                .await?;
        let first = match stored {
            Some(v) => v,
            None => {
                // First use: start after whatever the table holds (data restored or migrated).
                let max: Option<i64> = sqlx::query_scalar(&format!("SELECT MAX(id) FROM {table}"))
                    .fetch_one(&mut *tx)
                    .await?;
                let first = max.unwrap_or(0) + 1;
                sqlx::query("INSERT INTO id_alloc (name, next_id) VALUES ($1, $2)")
                    .bind(kind)
                    .bind(first)
                    .execute(&mut *tx)
                    .await?;
                first
            }
        };
        sqlx::query("UPDATE id_alloc SET next_id = $1 WHERE name = $2")
            .bind(first + n)
            .bind(kind)
            .execute(&mut *tx)
            .await?;
        tx.commit().await?;
        Ok(first)
    }

    /// Sets the next id of a kind to at least `next` (after a bulk load with its own ids).
    pub async fn bump_ids(&self, kind: &str, next: i64) -> Result<()> {
        let first = self.reserve_ids(kind, 0).await?;
        if next > first {
            sqlx::query("UPDATE id_alloc SET next_id = $1 WHERE name = $2")
                .bind(next)
                .bind(kind)
                .execute(&self.pool)
                .await?;
        }
        Ok(())
    }

    /// Closes the pool (checkpoints SQLite's WAL).
    pub async fn close(&self) {
        self.pool.close().await;
    }
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

pub(crate) fn now_text() -> String {
    chrono::Utc::now().format("%Y-%m-%dT%H:%M:%SZ").to_string()
}

pub use sqlx::Error as SqlxError;
