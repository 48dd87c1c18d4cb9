//! The audit log: append-only, tamper-evident. Each entry's hash is the SHA-256 of the
//! previous entry's hash followed by a canonical serialization of its own fields, so an
//! edited entry no longer matches its hash and a deleted one leaves a gap in `seq`.
//!
//! An append runs inside the caller's transaction. It first bumps the one-row
//! `audit_head`, which takes a row lock (PostgreSQL) or the write lock (SQLite): writers of
//! the log queue there instead of colliding on `seq`. A writer that still conflicts (a
//! stale SQLite snapshot, a deadlock, a duplicate `seq`) gets an error for which
//! [`is_conflict`] is true, and retries its whole transaction.

use sha2::{Digest, Sha256};
use sqlx::any::AnyRow;
use sqlx::Row;

use crate::{Conn, Result, Scope, StoreError};

/// The `prev_hash` of the first entry.
pub const GENESIS: &str = "0000000000000000000000000000000000000000000000000000000000000000";

/// An entry to append. `before` and `after` are JSON text.
#[derive(Debug, Clone, PartialEq)]
pub struct NewEvent {
    pub at: String,
    pub actor_id: i64,
    pub actor: String,
    pub code: i64,
    pub action: String,
    pub target: String,
    pub org_id: Option<i64>,
    pub org_path: Option<String>,
    pub before: Option<String>,
    pub after: Option<String>,
}

/// An entry as stored, with the code of its org (if the org still exists).
#[derive(Debug, Clone, PartialEq)]
pub struct StoredEvent {
    pub seq: i64,
    pub event: NewEvent,
    pub prev_hash: String,
    pub hash: String,
    pub org_code: Option<String>,
}

/// The hash of an entry: SHA-256 (hex) of `prev_hash` followed by the JSON array of its
/// fields in a fixed order. JSON strings escape unambiguously, so no two different
/// entries serialize alike.
pub fn event_hash(prev_hash: &str, seq: i64, e: &NewEvent) -> String {
    let canonical = serde_json::json!([
        seq, e.at, e.actor_id, e.actor, e.code, e.action, e.target, e.org_id, e.org_path, e.before,
        e.after
    ])
    .to_string();
    let mut h = Sha256::new();
    h.update(prev_hash.as_bytes());
    h.update(canonical.as_bytes());
    h.finalize().iter().map(|b| format!("{b:02x}")).collect()
}

/// Appends an entry in the caller's transaction; returns its `seq`.
pub async fn append(conn: &mut Conn, e: &NewEvent) -> Result<i64> {
    // Lock the head first (see the module comment), then read it.
    sqlx::query("UPDATE audit_head SET seq = seq + 1 WHERE id = 1")
        .execute(&mut *conn)
        .await?;
    let row = sqlx::query("SELECT seq, hash FROM audit_head WHERE id = 1")
        .fetch_optional(&mut *conn)
        .await?
        .ok_or_else(|| StoreError::Corrupt("审计日志链头缺失".into()))?;
    let seq: i64 = row.try_get("seq")?;
    let prev: String = row.try_get("hash")?;
    let hash = event_hash(&prev, seq, e);
    sqlx::query(
        "INSERT INTO audit_event (seq, at, actor_id, actor, code, action, target, org_id, org_path, \
         before, after, prev_hash, hash) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13)",
    )
    .bind(seq)
    .bind(e.at.clone())
    .bind(e.actor_id)
    .bind(e.actor.clone())
    .bind(e.code)
    .bind(e.action.clone())
    .bind(e.target.clone())
    .bind(e.org_id)
    .bind(e.org_path.clone())
    .bind(e.before.clone())
    .bind(e.after.clone())
    .bind(prev)
    .bind(hash.clone())
    .execute(&mut *conn)
    .await?;
    sqlx::query("UPDATE audit_head SET hash = $1 WHERE id = 1")
        .bind(hash)
        .execute(&mut *conn)
        .await?;
    Ok(seq)
}

/// Whether a failed transaction that appended to the log may simply be run again: a
/// serialization failure, deadlock or busy database, or a duplicate `seq`.
pub fn is_conflict(e: &StoreError) -> bool {
    if e.is_retryable() {
        return true;
    }
    match e {
        StoreError::Db(sqlx::Error::Database(d)) => {
            d.is_unique_violation()
                && (d.message().contains("audit_event")
                    || d.constraint().is_some_and(|c| c.starts_with("audit_event")))
        }
        _ => false,
    }
}

const EVENT_COLS: &str = "e.seq, e.at, e.actor_id, e.actor, e.code, e.action, e.target, e.org_id, \
    e.org_path, e.before, e.after, e.prev_hash, e.hash";

fn event_from_row(r: &AnyRow, with_org: bool) -> Result<StoredEvent> {
    Ok(StoredEvent {
        seq: r.try_get("seq")?,
        event: NewEvent {
            at: r.try_get("at")?,
            actor_id: r.try_get("actor_id")?,
            actor: r.try_get("actor")?,
            code: r.try_get("code")?,
            action: r.try_get("action")?,
            target: r.try_get("target")?,
            org_id: r.try_get("org_id")?,
            org_path: r.try_get("org_path")?,
            before: r.try_get("before")?,
            after: r.try_get("after")?,
        },
        prev_hash: r.try_get("prev_hash")?,
        hash: r.try_get("hash")?,
        org_code: if with_org {
            r.try_get("org_code")?
        } else {
            None
        },
    })
}

/// The entries whose org lies in the scope, newest first, and how many there are. Entries
/// without an org (system events, users without an org) are seen only with `All`.
pub async fn list(
    conn: &mut Conn,
    scope: &Scope,
    offset: i64,
    limit: i64,
) -> Result<(Vec<StoredEvent>, i64)> {
    let (pred, vals) = scope.predicate("e.org_path", 1);
    let n = vals.len();
    let sql = format!(
        "SELECT {EVENT_COLS}, o.code AS org_code FROM audit_event e LEFT JOIN org o ON o.id = e.org_id \
         WHERE {pred} ORDER BY e.seq DESC LIMIT ${} OFFSET ${}",
        n + 1,
        n + 2
    );
    let mut q = sqlx::query(&sql);
    for v in &vals {
        q = q.bind(v.clone());
    }
    let rows = q.bind(limit).bind(offset).fetch_all(&mut *conn).await?;
    let items = rows
        .iter()
        .map(|r| event_from_row(r, true))
        .collect::<Result<Vec<_>>>()?;
    let sql = format!("SELECT COUNT(*) FROM audit_event e WHERE {pred}");
    let mut q = sqlx::query_scalar(&sql);
    for v in vals {
        q = q.bind(v);
    }
    let total: i64 = q.fetch_one(&mut *conn).await?;
    Ok((items, total))
}

/// What is wrong with the chain.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ChainProblem {
    /// The entry does not match its hash: a field was edited.
    Modified(i64),
    /// The entry's `prev_hash` is not the hash of the entry before it: that one was
    /// edited together with its hash, or replaced.
    BrokenLink(i64),
    /// Entries `from..=to` are gone.
    Missing { from: i64, to: i64 },
    /// The head does not name the last entry (the last entries were replaced).
    HeadMismatch { seq: i64 },
}

#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ChainReport {
    /// Entries read.
    pub entries: i64,
    pub problems: Vec<ChainProblem>,
    /// The hash of the last entry, to write down elsewhere as an anchor.
    pub last_hash: Option<String>,
}

/// Walks the whole chain in `seq` order, a page at a time.
pub async fn verify(conn: &mut Conn) -> Result<ChainReport> {
    const PAGE: i64 = 5_000;
    let mut report = ChainReport::default();
    let mut expected = 1i64;
    let mut prev = GENESIS.to_string();
    let mut last_seq = 0i64;
    loop {
        let sql = format!(
            "SELECT {EVENT_COLS} FROM audit_event e WHERE e.seq > $1 ORDER BY e.seq LIMIT $2"
        );
        let rows = sqlx::query(&sql)
            .bind(last_seq)
            .bind(PAGE)
            .fetch_all(&mut *conn)
            .await?;
        if rows.is_empty() {
            break;
        }
        for r in &rows {
            let e = event_from_row(r, false)?;
            report.entries += 1;
            if e.seq > expected {
                report.problems.push(ChainProblem::Missing {
                    from: expected,
                    to: e.seq - 1,
                });
            } else if e.prev_hash != prev {
                report.problems.push(ChainProblem::BrokenLink(e.seq));
            }
            if event_hash(&e.prev_hash, e.seq, &e.event) != e.hash {
                report.problems.push(ChainProblem::Modified(e.seq));
            }
            prev = e.hash;
            expected = e.seq + 1;
            last_seq = e.seq;
        }
    }
    let head = sqlx::query("SELECT seq, hash FROM audit_head WHERE id = 1")
        .fetch_optional(&mut *conn)
        .await?;
    match head {
        None => report
            .problems
            .push(ChainProblem::HeadMismatch { seq: last_seq }),
        Some(h) => {
            let seq: i64 = h.try_get("seq")?;
            let hash: String = h.try_get("hash")?;
            if seq > last_seq {
                report.problems.push(ChainProblem::Missing {
                    from: last_seq + 1,
                    to: seq,
                });
            } else if seq != last_seq || hash != prev {
                report
                    .problems
                    .push(ChainProblem::HeadMismatch { seq: last_seq });
            }
        }
    }
    report.last_hash = (report.entries > 0).then_some(prev);
    Ok(report)
}
