//! The audit log: append-only, tamper-evident. Each entry's MAC is a keyed MAC (the
//! [`Sealer`], holding an audit key that is not in the database) of the previous entry's
//! MAC followed by a canonical serialization of its own fields, so an edited entry no
//! longer matches, a deleted one leaves a gap in `seq`, and someone with the database but
//! not the key cannot compute a new chain. Entries written before the key was used carry
//! an unkeyed SHA-256 ([`event_hash`]); the `keyed` mark says where the keyed chain starts.
//! Cutting the tail or wiping the log is found against anchors kept outside the database
//! (`verify`'s `anchors`).
//!
//! An append runs inside the caller's transaction. It first bumps the one-row
//! `audit_head`, which takes a row lock (PostgreSQL) or the write lock (SQLite): writers of
//! the log queue there instead of colliding on `seq`. A writer that still conflicts (a
//! stale SQLite snapshot, a deadlock, a duplicate `seq`) gets an error for which
//! [`is_conflict`] is true, and retries its whole transaction.

use std::collections::HashMap;

use sha2::{Digest, Sha256};
use sqlx::any::AnyRow;
use sqlx::Row;

use crate::row::from_row;
use crate::sql::Sql;
use crate::{Conn, Result, Scope, StoreError};

/// The `prev_hash` of the first entry.
pub const GENESIS: &str = "0000000000000000000000000000000000000000000000000000000000000000";

/// Computes keyed MACs with the audit key (kept by the application, never stored).
pub trait Sealer: Send + Sync {
    /// The MAC (hex) of `prev` followed by `canonical`.
    fn seal(&self, prev: &str, canonical: &[u8]) -> String;
}

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

/// The canonical form of an entry: the JSON array of its fields in a fixed order. JSON
/// strings escape unambiguously, so no two different entries serialize alike.
pub fn canonical(seq: i64, e: &NewEvent) -> String {
    serde_json::json!([
        seq, e.at, e.actor_id, e.actor, e.code, e.action, e.target, e.org_id, e.org_path, e.before,
        e.after
    ])
    .to_string()
}

/// The unkeyed hash of an entry written before the keyed chain: SHA-256 (hex) of
/// `prev_hash` followed by its canonical form.
pub fn event_hash(prev_hash: &str, seq: i64, e: &NewEvent) -> String {
    let mut h = Sha256::new();
    h.update(prev_hash.as_bytes());
    h.update(canonical(seq, e).as_bytes());
    h.finalize().iter().map(|b| format!("{b:02x}")).collect()
}

/// The keyed MAC of an entry.
pub fn event_mac(sealer: &dyn Sealer, prev: &str, seq: i64, e: &NewEvent) -> String {
    sealer.seal(prev, canonical(seq, e).as_bytes())
}

/// A mark on the chain (see the migration `0009_audit_keyed`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Mark {
    /// `keyed` or `cut`.
    pub kind: String,
    pub seq: i64,
    pub prev: String,
    pub at: String,
    /// Empty while the `keyed` mark is not sealed yet.
    pub mac: String,
}

pub const MARK_KEYED: &str = "keyed";
pub const MARK_CUT: &str = "cut";

fn mark_mac(sealer: &dyn Sealer, kind: &str, seq: i64, prev: &str, at: &str) -> String {
    // Starts with a letter: never the hex `prev` of an entry's MAC input.
    sealer.seal(
        "",
        format!("jiceng-audit-mark\n{kind}\n{seq}\n{prev}\n{at}").as_bytes(),
    )
}

impl Mark {
    /// Whether the mark is sealed with this key.
    pub fn sealed_by(&self, sealer: &dyn Sealer) -> bool {
        !self.mac.is_empty()
            && self.mac == mark_mac(sealer, &self.kind, self.seq, &self.prev, &self.at)
    }
}

/// The marks on the chain.
pub async fn marks(conn: &mut Conn) -> Result<Vec<Mark>> {
    Sql::new("SELECT kind, seq, prev, at, mac FROM audit_mark ORDER BY kind")
        .fetch_map(&mut *conn, |r| {
            Ok(from_row!(
                r,
                Mark {
                    kind,
                    seq,
                    prev,
                    at,
                    mac
                }
            ))
        })
        .await
}

async fn put_mark(
    conn: &mut Conn,
    sealer: &dyn Sealer,
    kind: &str,
    seq: i64,
    prev: &str,
    at: &str,
) -> Result<()> {
    let mac = mark_mac(sealer, kind, seq, prev, at);
    sqlx::query("DELETE FROM audit_mark WHERE kind = $1")
        .bind(kind.to_string())
        .execute(&mut *conn)
        .await?;
    sqlx::query("INSERT INTO audit_mark (kind, seq, prev, at, mac) VALUES ($1, $2, $3, $4, $5)")
        .bind(kind.to_string())
        .bind(seq)
        .bind(prev.to_string())
        .bind(at.to_string())
        .bind(mac)
        .execute(&mut *conn)
        .await?;
    Ok(())
}

/// Takes the head's lock for an append (see the module comment): the first statement of
/// [`append`], for a caller that must read something under the lock before sealing.
pub async fn lock_head(conn: &mut Conn) -> Result<()> {
    sqlx::query("UPDATE audit_head SET seq = seq + 1 WHERE id = 1")
        .execute(&mut *conn)
        .await?;
    Ok(())
}

/// Takes the head's lock without moving it (a purge: no other writer of the log between
/// reading the chain and cutting it).
pub async fn hold_head(conn: &mut Conn) -> Result<()> {
    sqlx::query("UPDATE audit_head SET hash = hash WHERE id = 1")
        .execute(&mut *conn)
        .await?;
    Ok(())
}

/// Appends an entry in the caller's transaction; returns its `seq`.
pub async fn append(conn: &mut Conn, e: &NewEvent, sealer: &dyn Sealer) -> Result<i64> {
    lock_head(conn).await?;
    append_locked(conn, e, sealer).await
}

/// [`append`] after [`lock_head`].
pub async fn append_locked(conn: &mut Conn, e: &NewEvent, sealer: &dyn Sealer) -> Result<i64> {
    let row = sqlx::query("SELECT seq, hash FROM audit_head WHERE id = 1")
        .fetch_optional(&mut *conn)
        .await?
        .ok_or_else(|| StoreError::Corrupt("审计日志链头缺失".into()))?;
    let seq: i64 = row.try_get("seq")?;
    let prev: String = row.try_get("hash")?;
    let keyed: Option<String> = sqlx::query_scalar("SELECT mac FROM audit_mark WHERE kind = $1")
        .bind(MARK_KEYED)
        .fetch_optional(&mut *conn)
        .await?;
    if keyed.is_none_or(|m| m.is_empty()) {
        // The first keyed entry: the keyed chain starts here, on the last unkeyed hash.
        put_mark(conn, sealer, MARK_KEYED, seq, &prev, &e.at).await?;
    }
    let hash = event_mac(sealer, &prev, seq, e);
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

/// The head: the last `seq` and its MAC.
pub async fn head(conn: &mut Conn) -> Result<Option<(i64, String)>> {
    let row = sqlx::query("SELECT seq, hash FROM audit_head WHERE id = 1")
        .fetch_optional(&mut *conn)
        .await?;
    row.map(|r| Ok((r.try_get("seq")?, r.try_get("hash")?)))
        .transpose()
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

/// Entries are read for a check or a rekeying this many at a time.
const PAGE: i64 = 5_000;

/// The next page of entries after `last_seq`, in order.
async fn events_after(conn: &mut Conn, last_seq: i64) -> Result<Vec<StoredEvent>> {
    Sql::new(format!(
        "SELECT {EVENT_COLS} FROM audit_event e WHERE e.seq > "
    ))
    .bind(last_seq)
    .push(" ORDER BY e.seq LIMIT ")
    .bind(PAGE)
    .fetch_map(&mut *conn, |r| event_from_row(r, false))
    .await
}

fn event_from_row(r: &AnyRow, with_org: bool) -> Result<StoredEvent> {
    Ok(from_row!(
        r,
        StoredEvent {
            seq,
            event: from_row!(
                r,
                NewEvent {
                    at,
                    actor_id,
                    actor,
                    code,
                    action,
                    target,
                    org_id,
                    org_path,
                    before,
                    after,
                }
            ),
            prev_hash,
            hash,
            org_code: if with_org {
                r.try_get("org_code")?
            } else {
                None
            },
        }
    ))
}

/// Which entries a reader sees: those whose org lies in the scope (entries without an org
/// — failed logins under unknown names, the system's actions — only with `All`), and
/// optionally only those at or after `from` and before `to` (ISO texts compared as text).
#[derive(Debug, Clone, Default)]
pub struct Filter {
    pub from: Option<String>,
    pub to: Option<String>,
}

/// `head` (a statement up to its `WHERE`) followed by the filter's predicate.
fn filtered(head: String, scope: &Scope, f: &Filter) -> Sql {
    let mut q = Sql::new(head).scope("e.org_path", scope);
    for (op, v) in [(" >= ", &f.from), (" < ", &f.to)] {
        if let Some(v) = v {
            q = q.push(" AND e.at").push(op).bind(v.as_str());
        }
    }
    q
}

/// The entries in the scope, newest first, and how many there are.
pub async fn list(
    conn: &mut Conn,
    scope: &Scope,
    offset: i64,
    limit: i64,
) -> Result<(Vec<StoredEvent>, i64)> {
    list_filtered(conn, scope, &Filter::default(), offset, limit).await
}

/// [`list`] with a time filter.
pub async fn list_filtered(
    conn: &mut Conn,
    scope: &Scope,
    filter: &Filter,
    offset: i64,
    limit: i64,
) -> Result<(Vec<StoredEvent>, i64)> {
    let rows = filtered(
        format!(
            "SELECT {EVENT_COLS}, o.code AS org_code FROM audit_event e LEFT JOIN org o ON o.id = e.org_id \
             WHERE "
        ),
        scope,
        filter,
    )
    .push(" ORDER BY e.seq DESC")
    .page(limit, offset)
    .fetch_all(&mut *conn)
    .await?;
    let items = rows
        .iter()
        .map(|r| event_from_row(r, true))
        .collect::<Result<Vec<_>>>()?;
    let total: i64 = filtered(
        "SELECT COUNT(*) FROM audit_event e WHERE ".into(),
        scope,
        filter,
    )
    .fetch_scalar(&mut *conn)
    .await?;
    Ok((items, total))
}

/// What is wrong with the chain.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ChainProblem {
    /// The entry does not match its MAC (or hash): a field was edited, or the chain was
    /// recomputed without the key.
    Modified(i64),
    /// The entry's `prev_hash` is not the MAC of the entry before it: that one was
    /// edited together with its MAC, or replaced.
    BrokenLink(i64),
    /// Entries `from..=to` are gone.
    Missing { from: i64, to: i64 },
    /// The head does not name the last entry (the last entries were replaced).
    HeadMismatch { seq: i64 },
    /// A mark (`keyed`, `cut`) is not sealed with the audit key: forged or edited.
    MarkForged(String),
    /// The `keyed` mark is gone (the migration creates it, only the key can move it).
    MarkMissing,
    /// The keyed chain starts at `keyed` but the log ends at `last`: entries were cut.
    KeyedBeyondEnd { keyed: i64, last: i64 },
    /// The entry at an anchor's `seq` is not the one the anchor names.
    AnchorMismatch { seq: i64 },
    /// An anchor names entry `anchored` but the log ends at `last` (0: empty).
    Truncated { anchored: i64, last: i64 },
}

#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ChainReport {
    /// Entries read.
    pub entries: i64,
    pub problems: Vec<ChainProblem>,
    /// The hash of the last entry, to write down elsewhere as an anchor.
    pub last_hash: Option<String>,
    /// The last entry's `seq` (0 when the log is empty).
    pub last_seq: i64,
    /// The first keyed entry, when the keyed chain has started.
    pub keyed_from: Option<i64>,
    /// The first entry kept by a purge, when there was one.
    pub cut_at: Option<i64>,
}

/// Walks the whole chain in `seq` order, a page at a time: entries before the `keyed`
/// mark are checked against their SHA-256, later ones against their MAC with `sealer`,
/// and the entry at each anchor's `seq` against the anchor's MAC (`anchors`: seq → MAC,
/// already checked by the caller).
pub async fn verify(
    conn: &mut Conn,
    sealer: &dyn Sealer,
    anchors: &[(i64, String)],
) -> Result<ChainReport> {
    let mut report = ChainReport::default();
    let marks = marks(conn).await?;
    let mut keyed_from = None;
    let mut keyed_prev = None;
    match marks.iter().find(|m| m.kind == MARK_KEYED) {
        None => report.problems.push(ChainProblem::MarkMissing),
        Some(m) if m.mac.is_empty() => {}
        Some(m) if m.sealed_by(sealer) => {
            keyed_from = Some(m.seq);
            keyed_prev = Some(m.prev.clone());
        }
        Some(m) => report
            .problems
            .push(ChainProblem::MarkForged(m.kind.clone())),
    }
    let mut expected = 1i64;
    let mut prev = GENESIS.to_string();
    if let Some(m) = marks.iter().find(|m| m.kind == MARK_CUT) {
        if m.sealed_by(sealer) {
            expected = m.seq;
            prev = m.prev.clone();
            report.cut_at = Some(m.seq);
        } else {
            report
                .problems
                .push(ChainProblem::MarkForged(m.kind.clone()));
        }
    }
    report.keyed_from = keyed_from;
    let wanted: HashMap<i64, &str> = anchors.iter().map(|(s, m)| (*s, m.as_str())).collect();
    // An anchor just before the cut names the MAC the first kept entry chains onto.
    if let Some(a) = wanted.get(&(expected - 1)) {
        if report.cut_at.is_some() && *a != prev {
            report
                .problems
                .push(ChainProblem::AnchorMismatch { seq: expected - 1 });
        }
    }
    let mut last_seq = 0i64;
    loop {
        let events = events_after(conn, last_seq).await?;
        if events.is_empty() {
            break;
        }
        for e in events {
            report.entries += 1;
            if e.seq > expected {
                report.problems.push(ChainProblem::Missing {
                    from: expected,
                    to: e.seq - 1,
                });
            } else if e.prev_hash != prev
                || (Some(e.seq) == keyed_from && keyed_prev.as_deref() != Some(&e.prev_hash))
            {
                report.problems.push(ChainProblem::BrokenLink(e.seq));
            }
            let keyed = keyed_from.is_some_and(|k| e.seq >= k);
            let good = if keyed {
                event_mac(sealer, &e.prev_hash, e.seq, &e.event) == e.hash
            } else {
                event_hash(&e.prev_hash, e.seq, &e.event) == e.hash
            };
            if !good {
                report.problems.push(ChainProblem::Modified(e.seq));
            }
            if wanted.get(&e.seq).is_some_and(|m| *m != e.hash) {
                report
                    .problems
                    .push(ChainProblem::AnchorMismatch { seq: e.seq });
            }
            prev = e.hash;
            expected = e.seq + 1;
            last_seq = e.seq;
        }
    }
    let head = head(conn).await?;
    match head {
        None => report
            .problems
            .push(ChainProblem::HeadMismatch { seq: last_seq }),
        Some((seq, hash)) => {
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
    if let Some(k) = keyed_from {
        if k > last_seq {
            report.problems.push(ChainProblem::KeyedBeyondEnd {
                keyed: k,
                last: last_seq,
            });
        }
    }
    if let Some(max) = anchors.iter().map(|(s, _)| *s).max() {
        if max > last_seq {
            report.problems.push(ChainProblem::Truncated {
                anchored: max,
                last: last_seq,
            });
        }
    }
    report.last_seq = last_seq;
    report.last_hash = (report.entries > 0).then_some(prev);
    Ok(report)
}

/// Removes the entries before `first_kept` (in the caller's transaction, which also
/// records the purge) and leaves a `cut` mark sealed with the key, so that the chain
/// still verifies from `first_kept` on. Returns how many entries were removed.
pub async fn purge(conn: &mut Conn, sealer: &dyn Sealer, first_kept: i64, at: &str) -> Result<u64> {
    let prev: Option<String> =
        sqlx::query_scalar("SELECT prev_hash FROM audit_event WHERE seq = $1")
            .bind(first_kept)
            .fetch_optional(&mut *conn)
            .await?;
    let prev =
        prev.ok_or_else(|| StoreError::Corrupt(format!("第{first_kept}条审计记录不存在")))?;
    let n = sqlx::query("DELETE FROM audit_event WHERE seq < $1")
        .bind(first_kept)
        .execute(&mut *conn)
        .await?
        .rows_affected();
    put_mark(conn, sealer, MARK_CUT, first_kept, &prev, at).await?;
    Ok(n)
}

/// The first entry at or after `at` (ISO text), if any.
pub async fn first_seq_from(conn: &mut Conn, at: &str) -> Result<Option<i64>> {
    Ok(
        sqlx::query_scalar("SELECT MIN(seq) FROM audit_event WHERE at >= $1")
            .bind(at.to_string())
            .fetch_one(&mut *conn)
            .await?,
    )
}

/// Re-seals the keyed chain and the marks with `new` (a rotation of the key, in its
/// transaction), after checking every keyed entry and mark with `old`; an entry or mark
/// that does not verify with `old` is an error and nothing changes. Returns each old MAC
/// with its new one (for the anchors).
pub async fn reseal(
    conn: &mut Conn,
    old: &dyn Sealer,
    new: &dyn Sealer,
) -> Result<HashMap<String, String>> {
    hold_head(conn).await?;
    let bad = |what: String| StoreError::Corrupt(format!("{what}，不能更换审计密钥"));
    let marks = marks(conn).await?;
    for m in &marks {
        if !m.mac.is_empty() && !m.sealed_by(old) {
            return Err(bad(format!("审计链的{}标记与原审计密钥不符", m.kind)));
        }
    }
    let mut map = HashMap::new();
    let Some(keyed) = marks
        .iter()
        .find(|m| m.kind == MARK_KEYED && !m.mac.is_empty())
    else {
        return Ok(map);
    };
    let mut last_seq = keyed.seq - 1;
    let mut new_prev: Option<String> = None;
    let mut old_prev: Option<String> = None;
    loop {
        let events = events_after(conn, last_seq).await?;
        if events.is_empty() {
            break;
        }
        for e in events {
            let linked = old_prev.as_deref().is_none_or(|p| p == e.prev_hash);
            if !linked || event_mac(old, &e.prev_hash, e.seq, &e.event) != e.hash {
                return Err(bad(format!("第{}条审计记录与原审计密钥不符", e.seq)));
            }
            // The first entry read keeps its link (the last unkeyed hash, or a cut's prev).
            let prev = new_prev.clone().unwrap_or_else(|| e.prev_hash.clone());
            let mac = event_mac(new, &prev, e.seq, &e.event);
            sqlx::query("UPDATE audit_event SET prev_hash = $1, hash = $2 WHERE seq = $3")
                .bind(prev)
                .bind(mac.clone())
                .bind(e.seq)
                .execute(&mut *conn)
                .await?;
            map.insert(e.hash.clone(), mac.clone());
            old_prev = Some(e.hash);
            new_prev = Some(mac);
            last_seq = e.seq;
        }
    }
    if let Some(mac) = new_prev {
        sqlx::query("UPDATE audit_head SET hash = $1 WHERE id = 1")
            .bind(mac)
            .execute(&mut *conn)
            .await?;
    }
    for m in marks.iter().filter(|m| !m.mac.is_empty()) {
        put_mark(conn, new, &m.kind, m.seq, &m.prev, &m.at).await?;
    }
    Ok(map)
}
