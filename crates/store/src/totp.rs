//! Second factors: a user's TOTP secret (stored encrypted by the caller), its single-use
//! recovery codes (stored hashed by the caller) and logins waiting for their second step.
//!
//! The store never sees a secret, a code or a pending-login token in clear. Acceptance of
//! a code and use of a recovery code are single conditional updates, so two concurrent
//! requests with the same code cannot both succeed.

use sqlx::Row;

use crate::row::{from_row, Cells};
use crate::{Conn, Result};

/// A user's enrolment as stored.
#[derive(Debug, Clone, PartialEq)]
pub struct StoredTotp {
    pub user_id: i64,
    /// The secret, encrypted (base64 of nonce and ciphertext).
    pub secret: String,
    /// Whether the user has entered a first code (enrolment done).
    pub confirmed: bool,
    /// The last time step whose code was accepted.
    pub last_step: i64,
    pub created_at: String,
    pub confirmed_at: Option<String>,
}

pub async fn get(conn: &mut Conn, user_id: i64) -> Result<Option<StoredTotp>> {
    let row = sqlx::query(
        "SELECT user_id, secret, confirmed, last_step, created_at, confirmed_at FROM user_totp WHERE user_id = $1",
    )
    .bind(user_id)
    .fetch_optional(&mut *conn)
    .await?;
    row.map(|r| {
        Ok(from_row!(
            r,
            StoredTotp {
                user_id,
                secret,
                confirmed: r.flag("confirmed")?,
                last_step,
                created_at,
                confirmed_at,
            }
        ))
    })
    .transpose()
}

/// Whether the user has a confirmed enrolment.
pub async fn is_enrolled(conn: &mut Conn, user_id: i64) -> Result<bool> {
    let n: i64 =
        sqlx::query_scalar("SELECT COUNT(*) FROM user_totp WHERE user_id = $1 AND confirmed = 1")
            .bind(user_id)
            .fetch_one(&mut *conn)
            .await?;
    Ok(n > 0)
}

/// Starts an enrolment afresh: an unconfirmed secret replaces whatever was there (a
/// confirmed enrolment is replaced only by a reset, which deletes it first).
pub async fn begin(conn: &mut Conn, user_id: i64, secret: &str, now: &str) -> Result<()> {
    sqlx::query("DELETE FROM user_totp WHERE user_id = $1 AND confirmed = 0")
        .bind(user_id)
        .execute(&mut *conn)
        .await?;
    sqlx::query(
        "INSERT INTO user_totp (user_id, secret, confirmed, last_step, created_at) VALUES ($1, $2, 0, 0, $3)",
    )
    .bind(user_id)
    .bind(secret.to_string())
    .bind(now.to_string())
    .execute(&mut *conn)
    .await?;
    Ok(())
}

/// Confirms a pending enrolment with the step of its first accepted code. False when
/// there was no pending enrolment (confirmed meanwhile, or reset).
pub async fn confirm(conn: &mut Conn, user_id: i64, step: i64, now: &str) -> Result<bool> {
    let done = sqlx::query(
        "UPDATE user_totp SET confirmed = 1, last_step = $1, confirmed_at = $2 WHERE user_id = $3 AND confirmed = 0",
    )
    .bind(step)
    .bind(now.to_string())
    .bind(user_id)
    .execute(&mut *conn)
    .await?;
    Ok(done.rows_affected() == 1)
}

/// Accepts the code of `step` if no code of that step or a later one was accepted before
/// (one conditional update: a replayed or concurrent second use finds nothing to update).
pub async fn accept_step(conn: &mut Conn, user_id: i64, step: i64) -> Result<bool> {
    let done = sqlx::query(
        "UPDATE user_totp SET last_step = $1 WHERE user_id = $2 AND confirmed = 1 AND last_step < $1",
    )
    .bind(step)
    .bind(user_id)
    .execute(&mut *conn)
    .await?;
    Ok(done.rows_affected() == 1)
}

/// Removes the enrolment and the recovery codes (a reset). Returns whether there was one.
pub async fn delete(conn: &mut Conn, user_id: i64) -> Result<bool> {
    let done = sqlx::query("DELETE FROM user_totp WHERE user_id = $1")
        .bind(user_id)
        .execute(&mut *conn)
        .await?;
    sqlx::query("DELETE FROM user_recovery_code WHERE user_id = $1")
        .bind(user_id)
        .execute(&mut *conn)
        .await?;
    Ok(done.rows_affected() > 0)
}

/// Replaces the user's recovery codes with these hashes.
pub async fn set_recovery_codes(conn: &mut Conn, user_id: i64, hashes: &[String]) -> Result<()> {
    sqlx::query("DELETE FROM user_recovery_code WHERE user_id = $1")
        .bind(user_id)
        .execute(&mut *conn)
        .await?;
    for h in hashes {
        sqlx::query("INSERT INTO user_recovery_code (user_id, code_hash) VALUES ($1, $2)")
            .bind(user_id)
            .bind(h.clone())
            .execute(&mut *conn)
            .await?;
    }
    Ok(())
}

/// Uses a recovery code: true once, for an unused code of the user.
pub async fn use_recovery_code(
    conn: &mut Conn,
    user_id: i64,
    code_hash: &str,
    now: &str,
) -> Result<bool> {
    let done = sqlx::query(
        "UPDATE user_recovery_code SET used_at = $1 WHERE user_id = $2 AND code_hash = $3 AND used_at IS NULL",
    )
    .bind(now.to_string())
    .bind(user_id)
    .bind(code_hash.to_string())
    .execute(&mut *conn)
    .await?;
    Ok(done.rows_affected() == 1)
}

/// How many of the user's recovery codes are still unused.
pub async fn unused_recovery_codes(conn: &mut Conn, user_id: i64) -> Result<i64> {
    Ok(sqlx::query_scalar(
        "SELECT COUNT(*) FROM user_recovery_code WHERE user_id = $1 AND used_at IS NULL",
    )
    .bind(user_id)
    .fetch_one(&mut *conn)
    .await?)
}

/// Every stored secret (for re-encryption with a new key), by user.
pub async fn secrets(conn: &mut Conn) -> Result<Vec<(i64, String)>> {
    let rows = sqlx::query("SELECT user_id, secret FROM user_totp ORDER BY user_id")
        .fetch_all(&mut *conn)
        .await?;
    rows.iter()
        .map(|r| Ok((r.try_get("user_id")?, r.try_get("secret")?)))
        .collect()
}

pub async fn set_secret(conn: &mut Conn, user_id: i64, secret: &str) -> Result<()> {
    sqlx::query("UPDATE user_totp SET secret = $1 WHERE user_id = $2")
        .bind(secret.to_string())
        .bind(user_id)
        .execute(&mut *conn)
        .await?;
    Ok(())
}

/// A login waiting for its second step.
pub async fn create_pending(
    conn: &mut Conn,
    token_hash: &str,
    user_id: i64,
    now: &str,
) -> Result<()> {
    sqlx::query("INSERT INTO login_pending (token_hash, user_id, created_at) VALUES ($1, $2, $3)")
        .bind(token_hash.to_string())
        .bind(user_id)
        .bind(now.to_string())
        .execute(&mut *conn)
        .await?;
    Ok(())
}

/// The user and creation time of a pending login.
pub async fn pending(conn: &mut Conn, token_hash: &str) -> Result<Option<(i64, String)>> {
    let row = sqlx::query("SELECT user_id, created_at FROM login_pending WHERE token_hash = $1")
        .bind(token_hash.to_string())
        .fetch_optional(&mut *conn)
        .await?;
    row.map(|r| Ok((r.try_get("user_id")?, r.try_get("created_at")?)))
        .transpose()
}

/// Ends one pending login; true if it existed (so only one request can complete it).
pub async fn delete_pending(conn: &mut Conn, token_hash: &str) -> Result<bool> {
    Ok(
        sqlx::query("DELETE FROM login_pending WHERE token_hash = $1")
            .bind(token_hash.to_string())
            .execute(&mut *conn)
            .await?
            .rows_affected()
            == 1,
    )
}

/// Ends every pending login of a user (locked, reset, or older than `before`).
pub async fn delete_pending_of(conn: &mut Conn, user_id: i64) -> Result<u64> {
    Ok(sqlx::query("DELETE FROM login_pending WHERE user_id = $1")
        .bind(user_id)
        .execute(&mut *conn)
        .await?
        .rows_affected())
}

/// Removes pending logins created before `before` (housekeeping).
pub async fn delete_stale_pending(conn: &mut Conn, before: &str) -> Result<u64> {
    Ok(
        sqlx::query("DELETE FROM login_pending WHERE created_at < $1")
            .bind(before.to_string())
            .execute(&mut *conn)
            .await?
            .rows_affected(),
    )
}
