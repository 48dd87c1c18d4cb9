//! The store's errors. A database that cannot be written or read at all (disk full,
//! read-only, damaged, unreachable) is told apart from other database errors, once, in
//! Chinese, with the engine's own error kept as the source for the log.

use std::path::Path;

use sqlx::error::DatabaseError;

#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    #[error("数据库地址无效：{0}（应为 sqlite://文件路径 或 postgres://…）")]
    BadUrl(String),
    /// A setting of the store (environment variable) that cannot be used.
    #[error("{0}")]
    BadSetting(String),
    #[error("找不到{0}")]
    NotFound(String),
    #[error("数据库中的数据无效：{0}")]
    Corrupt(String),
    /// SQLITE_FULL, PostgreSQL 53100. The failed write was rolled back whole.
    #[error("数据库所在磁盘已满{at}；释放空间后可继续写入，已保存的数据未受影响")]
    DiskFull {
        at: String,
        #[source]
        source: sqlx::Error,
    },
    /// SQLITE_READONLY, PostgreSQL 25006.
    #[error("数据库为只读{at}，无法写入（请检查数据库文件及其所在目录的写权限，或文件系统是否只读挂载）")]
    ReadOnly {
        at: String,
        #[source]
        source: sqlx::Error,
    },
    /// SQLITE_CORRUPT, SQLITE_NOTADB.
    #[error("数据库文件损坏或不是数据库{at}（请从备份恢复）")]
    Damaged {
        at: String,
        #[source]
        source: sqlx::Error,
    },
    /// SQLITE_CANTOPEN.
    #[error("无法打开数据库文件{at}（请检查路径是否存在、文件及其所在目录的读写权限和剩余空间）")]
    CannotOpen {
        at: String,
        #[source]
        source: sqlx::Error,
    },
    /// SQLITE_IOERR and its extended codes.
    #[error("读写数据库文件时发生磁盘错误{at}（请检查磁盘、文件系统和剩余空间）")]
    DiskIo {
        at: String,
        #[source]
        source: sqlx::Error,
    },
    /// The server cannot be reached or refuses work for now (PostgreSQL 57P0x, 08xxx,
    /// 53xxx other than a full disk; a refused or broken connection; no connection free).
    #[error("数据库暂时不可用：{reason}")]
    Unavailable {
        reason: String,
        #[source]
        source: sqlx::Error,
    },
    /// The database to open is not there (missing, empty, foreign, not initialised):
    /// the message says which and how to create one.
    #[error("{0}")]
    NoDatabase(String),
    #[error("数据库错误：{0}")]
    Db(sqlx::Error),
}

impl From<sqlx::Error> for StoreError {
    fn from(e: sqlx::Error) -> StoreError {
        classify(e, None)
    }
}

/// What kind of failure a database error is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Kind {
    Full,
    ReadOnly,
    Damaged,
    CannotOpen,
    Io,
    Unavailable(&'static str),
    Other,
}

fn sqlite_kind(extended: i32) -> Kind {
    // The primary result code is the low byte of an extended one.
    match extended & 0xff {
        13 => Kind::Full,
        8 => Kind::ReadOnly,
        11 | 26 => Kind::Damaged,
        14 => Kind::CannotOpen,
        10 => Kind::Io,
        _ => Kind::Other,
    }
}

fn pg_kind(state: &str) -> Kind {
    match state {
        "53100" => Kind::Full,
        "25006" => Kind::ReadOnly,
        "57P03" => Kind::Unavailable("数据库服务器正在启动或关闭，请稍后再试"),
        "57P01" | "57P02" => Kind::Unavailable("数据库服务器已关闭连接，请稍后再试"),
        "53300" => Kind::Unavailable("数据库服务器连接数已满，请稍后再试"),
        s if s.starts_with("53") => Kind::Unavailable("数据库服务器资源不足，请稍后再试"),
        s if s.starts_with("08") => Kind::Unavailable("与数据库服务器的连接中断，请稍后再试"),
        "XX001" | "XX002" => Kind::Damaged,
        _ => Kind::Other,
    }
}

fn kind_of(e: &sqlx::Error) -> Kind {
    match e {
        sqlx::Error::Database(d) => {
            if let Some(s) = d.try_downcast_ref::<sqlx::sqlite::SqliteError>() {
                let code = s.code().and_then(|c| c.parse::<i32>().ok()).unwrap_or(0);
                sqlite_kind(code)
            } else {
                d.code().map(|c| pg_kind(&c)).unwrap_or(Kind::Other)
            }
        }
        sqlx::Error::Io(io) if io.kind() == std::io::ErrorKind::ConnectionRefused => {
            Kind::Unavailable("数据库服务器拒绝连接（是否已启动？地址和端口是否正确？）")
        }
        sqlx::Error::Io(_) => Kind::Unavailable("与数据库服务器通信失败（网络或服务器故障）"),
        sqlx::Error::Tls(_) => Kind::Unavailable("与数据库服务器建立加密连接失败"),
        sqlx::Error::PoolTimedOut => {
            Kind::Unavailable("等待数据库连接超时（数据库过于繁忙，或无法建立新连接）")
        }
        sqlx::Error::PoolClosed => Kind::Unavailable("数据库连接已关闭（程序正在退出）"),
        sqlx::Error::WorkerCrashed => Kind::Unavailable("数据库连接意外中断"),
        _ => Kind::Other,
    }
}

/// Maps an engine error to the store's error; `path` (the SQLite file) is named in the
/// message when known.
pub fn classify(e: sqlx::Error, path: Option<&Path>) -> StoreError {
    let at = path
        .map(|p| format!("：{}", p.display()))
        .unwrap_or_default();
    match kind_of(&e) {
        Kind::Full => StoreError::DiskFull { at, source: e },
        Kind::ReadOnly => StoreError::ReadOnly { at, source: e },
        Kind::Damaged => StoreError::Damaged { at, source: e },
        Kind::CannotOpen => StoreError::CannotOpen { at, source: e },
        Kind::Io => StoreError::DiskIo { at, source: e },
        Kind::Unavailable(reason) => StoreError::Unavailable {
            reason: reason.to_string(),
            source: e,
        },
        Kind::Other => StoreError::Db(e),
    }
}

impl StoreError {
    /// The engine's error behind this one, if any.
    pub fn sqlx(&self) -> Option<&sqlx::Error> {
        match self {
            StoreError::Db(e)
            | StoreError::DiskFull { source: e, .. }
            | StoreError::ReadOnly { source: e, .. }
            | StoreError::Damaged { source: e, .. }
            | StoreError::CannotOpen { source: e, .. }
            | StoreError::DiskIo { source: e, .. }
            | StoreError::Unavailable { source: e, .. } => Some(e),
            _ => None,
        }
    }

    /// The database as a whole cannot serve the request now (full, read-only, damaged,
    /// unreadable, unreachable): a server answers 503 with the message, not 500.
    pub fn is_unavailable(&self) -> bool {
        matches!(
            self,
            StoreError::DiskFull { .. }
                | StoreError::ReadOnly { .. }
                | StoreError::Damaged { .. }
                | StoreError::CannotOpen { .. }
                | StoreError::DiskIo { .. }
                | StoreError::Unavailable { .. }
        )
    }

    /// The same error naming the database file (at open, where the path is known).
    pub fn at_path(self, path: Option<&Path>) -> StoreError {
        let Some(p) = path else { return self };
        let at = format!("：{}", p.display());
        match self {
            StoreError::DiskFull { source, .. } => StoreError::DiskFull { at, source },
            StoreError::ReadOnly { source, .. } => StoreError::ReadOnly { at, source },
            StoreError::Damaged { source, .. } => StoreError::Damaged { at, source },
            StoreError::CannotOpen { source, .. } => StoreError::CannotOpen { at, source },
            StoreError::DiskIo { source, .. } => StoreError::DiskIo { at, source },
            other => other,
        }
    }

    /// A transient conflict with a concurrent writer, after which the whole transaction
    /// may simply be run again: a serialization failure or deadlock (SQLSTATE 40001,
    /// 40P01), a busy SQLite database (SQLITE_BUSY and its extended codes), or a unique
    /// violation on a table that transactions rewrite by delete-then-insert or allocate
    /// from ([`RACY_TABLES`]): there a duplicate key can only come from a concurrent
    /// writer of the same rows, and the next attempt sees its commit.
    pub fn is_retryable(&self) -> bool {
        let StoreError::Db(sqlx::Error::Database(e)) = self else {
            return false;
        };
        let code = e.code();
        if let Some(s) = e.try_downcast_ref::<sqlx::sqlite::SqliteError>() {
            let c = s.code().and_then(|c| c.parse::<i32>().ok()).unwrap_or(0);
            if c & 0xff == 5 {
                return true;
            }
        } else if matches!(code.as_deref(), Some("40001") | Some("40P01")) {
            return true;
        }
        e.is_unique_violation()
            && RACY_TABLES.iter().any(|t| {
                e.constraint().is_some_and(|c| c.starts_with(t))
                    || e.message().contains(&format!("{t}."))
                    || e.message().contains(&format!("\"{t}_"))
            })
    }
}

/// Tables written by delete-then-insert of derived rows, or by a first insert that two
/// writers may race on; see [`StoreError::is_retryable`].
pub const RACY_TABLES: [&str; 9] = [
    "id_alloc",
    "compliance_month",
    "compliance_summary",
    "org_stats",
    "org_anomaly",
    "rating",
    "rating_manual",
    "weakness",
    "funding",
];

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sqlite_codes() {
        assert_eq!(sqlite_kind(13), Kind::Full);
        assert_eq!(sqlite_kind(8), Kind::ReadOnly);
        assert_eq!(sqlite_kind(1032), Kind::ReadOnly); // SQLITE_READONLY_DBMOVED
        assert_eq!(sqlite_kind(11), Kind::Damaged);
        assert_eq!(sqlite_kind(26), Kind::Damaged);
        assert_eq!(sqlite_kind(14), Kind::CannotOpen);
        assert_eq!(sqlite_kind(10), Kind::Io);
        assert_eq!(sqlite_kind(4874), Kind::Io); // SQLITE_IOERR_SHMSIZE
        assert_eq!(sqlite_kind(2067), Kind::Other); // a unique violation
    }

    #[test]
    fn pg_states() {
        assert_eq!(pg_kind("53100"), Kind::Full);
        assert_eq!(pg_kind("25006"), Kind::ReadOnly);
        assert!(matches!(pg_kind("57P03"), Kind::Unavailable(_)));
        assert!(matches!(pg_kind("08006"), Kind::Unavailable(_)));
        assert_eq!(pg_kind("23505"), Kind::Other);
    }

    #[test]
    fn messages_are_chinese_and_name_the_file() {
        let e = classify(sqlx::Error::PoolTimedOut, None);
        assert!(e.is_unavailable());
        assert!(e.to_string().contains("等待数据库连接超时"), "{e}");
        assert!(!e.to_string().contains("pool"), "{e}");
    }
}
