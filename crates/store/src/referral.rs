//! Referrals (issue #11): a row an import may not write because its key (ID number, org
//! code, credit code) belongs to a record outside the importer's scope. The row waits here
//! for the department of the lowest org holding both places, which settles or dismisses it.
//!
//! A referral is scoped by its common org's current path (a join on `org`), so moving
//! that org keeps its referrals with it; one without a common org (different roots) is
//! seen only with everything in scope. The log counts (`events_since`) serve the per-user
//! import rate and the alert window (index `audit_event_actor`).

use sqlx::any::AnyRow;
use sqlx::Row;

use crate::row::from_row;
use crate::sql::Sql;
use crate::{Conn, Result, Scope, StoreError};

/// What kind of record the referred row collides with.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ReferralKind {
    Member,
    Org,
    Unit,
}

impl ReferralKind {
    pub fn code(self) -> &'static str {
        match self {
            ReferralKind::Member => "member",
            ReferralKind::Org => "org",
            ReferralKind::Unit => "unit",
        }
    }

    pub fn from_code(s: &str) -> Option<ReferralKind> {
        [ReferralKind::Member, ReferralKind::Org, ReferralKind::Unit]
            .into_iter()
            .find(|k| k.code() == s)
    }
}

/// Where a referral stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ReferralStatus {
    Pending,
    Settled,
    Dismissed,
}

impl ReferralStatus {
    pub fn code(self) -> &'static str {
        match self {
            ReferralStatus::Pending => "pending",
            ReferralStatus::Settled => "settled",
            ReferralStatus::Dismissed => "dismissed",
        }
    }

    pub fn from_code(s: &str) -> Option<ReferralStatus> {
        [
            ReferralStatus::Pending,
            ReferralStatus::Settled,
            ReferralStatus::Dismissed,
        ]
        .into_iter()
        .find(|k| k.code() == s)
    }
}

/// A referral to store. `data` is JSON text: the row's fields needed to act, ID numbers
/// only as the keyed hash and the ciphertext.
#[derive(Debug, Clone, PartialEq)]
pub struct NewReferral {
    pub kind: ReferralKind,
    /// UTC, ISO 8601.
    pub created_at: String,
    pub created_by: String,
    pub created_by_id: i64,
    pub source: String,
    pub row_number: Option<i64>,
    pub from_org_id: Option<i64>,
    pub existing_id: i64,
    pub existing_org_id: i64,
    pub common_org_id: Option<i64>,
    pub common_path: String,
    pub data: String,
}

/// A referral as stored.
#[derive(Debug, Clone, PartialEq)]
pub struct StoredReferral {
    pub id: i64,
    pub status: ReferralStatus,
    pub referral: NewReferral,
    pub settled_at: Option<String>,
    pub settled_by: Option<String>,
    pub reason: Option<String>,
}

const COLS: &str =
    "r.id, r.kind, r.status, r.created_at, r.created_by, r.created_by_id, r.source, \
    r.row_number, r.from_org_id, r.existing_id, r.existing_org_id, r.common_org_id, \
    r.common_path, r.data, r.settled_at, r.settled_by, r.reason";

fn from_row(r: &AnyRow) -> Result<StoredReferral> {
    let kind: String = r.try_get("kind")?;
    let status: String = r.try_get("status")?;
    Ok(from_row!(
        r,
        StoredReferral {
            id,
            status: ReferralStatus::from_code(&status)
                .ok_or_else(|| StoreError::Corrupt(format!("转办事项状态 {status}")))?,
            referral: from_row!(
                r,
                NewReferral {
                    kind: ReferralKind::from_code(&kind)
                        .ok_or_else(|| StoreError::Corrupt(format!("转办事项类型 {kind}")))?,
                    created_at,
                    created_by,
                    created_by_id,
                    source,
                    row_number,
                    from_org_id,
                    existing_id,
                    existing_org_id,
                    common_org_id,
                    common_path,
                    data,
                }
            ),
            settled_at,
            settled_by,
            reason,
        }
    ))
}

/// Stores a referral under `id` (from `Store::reserve_ids("referral", …)`).
pub async fn insert(conn: &mut Conn, id: i64, r: &NewReferral) -> Result<()> {
    sqlx::query(
        "INSERT INTO referral (id, kind, status, created_at, created_by, created_by_id, source, \
         row_number, from_org_id, existing_id, existing_org_id, common_org_id, common_path, data) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14)",
    )
    .bind(id)
    .bind(r.kind.code())
    .bind(ReferralStatus::Pending.code())
    .bind(r.created_at.clone())
    .bind(r.created_by.clone())
    .bind(r.created_by_id)
    .bind(r.source.clone())
    .bind(r.row_number)
    .bind(r.from_org_id)
    .bind(r.existing_id)
    .bind(r.existing_org_id)
    .bind(r.common_org_id)
    .bind(r.common_path.clone())
    .bind(r.data.clone())
    .execute(&mut *conn)
    .await?;
    Ok(())
}

/// `SELECT {what}` with the FROM and WHERE of a scoped read: the common org's current
/// path in `scope`, and a status when given.
fn scoped(what: &str, scope: &Scope, status: Option<ReferralStatus>) -> Sql {
    let q = Sql::new(format!(
        "SELECT {what} FROM referral r LEFT JOIN org o ON o.id = r.common_org_id WHERE ("
    ))
    .scope("o.path", scope)
    .push(")");
    match status {
        Some(s) => q.push(" AND r.status = ").bind(s.code()),
        None => q,
    }
}

/// A page of the referrals in `scope` (newest first) and their total.
pub async fn list(
    conn: &mut Conn,
    scope: &Scope,
    status: Option<ReferralStatus>,
    offset: i64,
    limit: i64,
) -> Result<(Vec<StoredReferral>, i64)> {
    let total: i64 = scoped("COUNT(*)", scope, status)
        .fetch_scalar(&mut *conn)
        .await?;
    let rows = scoped(COLS, scope, status)
        .push(" ORDER BY r.created_at DESC, r.id DESC")
        .page(limit, offset)
        .fetch_all(&mut *conn)
        .await?;
    let items = rows.iter().map(from_row).collect::<Result<Vec<_>>>()?;
    Ok((items, total))
}

/// One referral, if it exists and lies in `scope`.
pub async fn get(conn: &mut Conn, scope: &Scope, id: i64) -> Result<Option<StoredReferral>> {
    scoped(COLS, scope, None)
        .push(" AND r.id = ")
        .bind(id)
        .fetch_optional(&mut *conn)
        .await?
        .as_ref()
        .map(from_row)
        .transpose()
}

/// Closes a pending referral; false when it was no longer pending (someone closed it).
pub async fn close(
    conn: &mut Conn,
    id: i64,
    status: ReferralStatus,
    at: &str,
    by: &str,
    reason: &str,
) -> Result<bool> {
    let done = sqlx::query(
        "UPDATE referral SET status = $1, settled_at = $2, settled_by = $3, reason = $4 \
         WHERE id = $5 AND status = $6",
    )
    .bind(status.code())
    .bind(at.to_string())
    .bind(by.to_string())
    .bind(reason.to_string())
    .bind(id)
    .bind(ReferralStatus::Pending.code())
    .execute(&mut *conn)
    .await?;
    Ok(done.rows_affected() == 1)
}

/// The `after` texts of one user's log entries of action `code` at or after `since`
/// (ISO 8601, UTC), oldest first.
pub async fn events_since(
    conn: &mut Conn,
    actor_id: i64,
    code: i64,
    since: &str,
) -> Result<Vec<(String, Option<String>)>> {
    let rows = sqlx::query(
        "SELECT at, after FROM audit_event WHERE actor_id = $1 AND code = $2 AND at >= $3 \
         ORDER BY at",
    )
    .bind(actor_id)
    .bind(code)
    .bind(since.to_string())
    .fetch_all(&mut *conn)
    .await?;
    rows.iter()
        .map(|r| Ok((r.try_get("at")?, r.try_get("after")?)))
        .collect()
}
