//! Users and their sessions. A user's scope is its org's subtree; listing users for a
//! restricted actor filters on that org's path, like every other scoped read.
//!
//! Times are UTC text (`YYYY-MM-DDTHH:MM:SSZ`) passed in by the caller, so the clock can
//! be fixed in tests. The store never sees a password or a session token: only the
//! argon2id hash of the one and the SHA-256 of the other.

use sqlx::any::AnyRow;
use sqlx::Row;

use crate::row::{from_row, Cells};
use crate::sql::{fetch_chunked, Sql};
use crate::{Conn, Result, Scope, StoreError};

/// A user as stored, with the code, name and path of its org.
#[derive(Debug, Clone, PartialEq)]
pub struct StoredUser {
    pub id: i64,
    pub username: String,
    /// argon2id, PHC string format.
    pub password_hash: String,
    /// The role's code (`admin`, `secretary`, …).
    pub role: String,
    pub org_id: Option<i64>,
    pub org_code: Option<String>,
    pub org_name: Option<String>,
    pub org_path: Option<String>,
    pub member_id: Option<i64>,
    pub display_name: Option<String>,
    pub disabled: bool,
    /// Consecutive failed logins since the last success or lockout.
    pub failed_logins: i64,
    pub locked_until: Option<String>,
    pub last_login_at: Option<String>,
    pub created_at: String,
    /// When the password was last set (renewal); `None` only for rows older than the
    /// column, which the migration filled.
    pub password_changed_at: Option<String>,
    /// The password was set by someone else (a reset, a one-time password): its user must
    /// change it at the next login.
    pub must_change_password: bool,
}

/// What a new user is stored with.
#[derive(Debug, Clone, PartialEq)]
pub struct NewUserRecord {
    pub id: i64,
    pub username: String,
    pub password_hash: String,
    pub role: String,
    pub org_id: Option<i64>,
    pub member_id: Option<i64>,
    pub display_name: Option<String>,
    /// A one-time password: to be changed at the first login.
    pub must_change_password: bool,
}

// The failure count and lockout live in `login_attempt`, keyed by the name, so that
// unknown names are counted and locked the same way (see `reserve_attempt`).
const USER_COLS: &str = "u.id, u.username, u.password_hash, u.role, u.org_id, o.code AS org_code, \
    o.name AS org_name, o.path AS org_path, u.member_id, u.display_name, u.disabled, \
    COALESCE(la.failures, 0) AS failed_logins, la.locked_until AS locked_until, u.last_login_at, \
    u.created_at, u.password_changed_at, u.must_change_password";

const USER_FROM: &str = "app_user u LEFT JOIN org o ON o.id = u.org_id \
    LEFT JOIN login_attempt la ON la.name_key = u.username";

fn user_from_row(r: &AnyRow) -> Result<StoredUser> {
    Ok(from_row!(
        r,
        StoredUser {
            id,
            username,
            password_hash,
            role,
            org_id,
            org_code,
            org_name,
            org_path,
            member_id,
            display_name,
            disabled: r.flag("disabled")?,
            failed_logins,
            locked_until,
            last_login_at,
            created_at,
            password_changed_at,
            must_change_password: r.flag("must_change_password")?,
        }
    ))
}

pub async fn insert(conn: &mut Conn, u: &NewUserRecord, now: &str) -> Result<()> {
    sqlx::query(
        "INSERT INTO app_user (id, username, password_hash, role, org_id, member_id, display_name, \
         disabled, failed_logins, created_at, updated_at, password_changed_at, must_change_password) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, 0, 0, $8, $8, $8, $9)",
    )
    .bind(u.id)
    .bind(u.username.clone())
    .bind(u.password_hash.clone())
    .bind(u.role.clone())
    .bind(u.org_id)
    .bind(u.member_id)
    .bind(u.display_name.clone())
    .bind(now.to_string())
    .bind(u.must_change_password as i64)
    .execute(&mut *conn)
    .await?;
    Ok(())
}

/// A user by name if its org lies in the scope (a user without an org only in `All`).
pub async fn get_by_username(
    conn: &mut Conn,
    scope: &Scope,
    username: &str,
) -> Result<Option<StoredUser>> {
    Sql::new(format!(
        "SELECT {USER_COLS} FROM {USER_FROM} WHERE u.username = "
    ))
    .bind(username)
    .push(" AND ")
    .scope("o.path", scope)
    .fetch_opt_map(&mut *conn, user_from_row)
    .await
}

/// A user by id, in any scope (for resolving a session, after the token was checked).
pub async fn get(conn: &mut Conn, id: i64) -> Result<Option<StoredUser>> {
    Sql::new(format!("SELECT {USER_COLS} FROM {USER_FROM} WHERE u.id = "))
        .bind(id)
        .fetch_opt_map(&mut *conn, user_from_row)
        .await
}

/// The users whose org lies in the scope, by name.
pub async fn list(conn: &mut Conn, scope: &Scope) -> Result<Vec<StoredUser>> {
    Sql::new(format!("SELECT {USER_COLS} FROM {USER_FROM} WHERE "))
        .scope("o.path", scope)
        .push(" ORDER BY u.username")
        .fetch_map(&mut *conn, user_from_row)
        .await
}

/// Which of `names` are taken by an account, in any scope.
pub async fn taken(conn: &mut Conn, names: &[String]) -> Result<Vec<String>> {
    let select = |c: &[String]| {
        Sql::new("SELECT username FROM app_user WHERE username IN ").in_list(c.iter().cloned())
    };
    fetch_chunked(conn, names, select, |r| Ok(r.try_get("username")?)).await
}

fn found(done: sqlx::any::AnyQueryResult, id: i64) -> Result<()> {
    if done.rows_affected() == 0 {
        return Err(StoreError::NotFound(format!("用户（id {id}）")));
    }
    Ok(())
}

pub async fn set_disabled(conn: &mut Conn, id: i64, disabled: bool, now: &str) -> Result<()> {
    let done = sqlx::query("UPDATE app_user SET disabled = $1, updated_at = $2 WHERE id = $3")
        .bind(disabled as i64)
        .bind(now.to_string())
        .bind(id)
        .execute(&mut *conn)
        .await?;
    found(done, id)
}

/// Replaces the password hash, records when (renewal) and clears any lockout of the name.
/// `one_time`: someone else set it, so its user must change it at the next login; a user's
/// own change clears that.
pub async fn set_password(
    conn: &mut Conn,
    id: i64,
    password_hash: &str,
    now: &str,
    one_time: bool,
) -> Result<()> {
    let done = sqlx::query(
        "UPDATE app_user SET password_hash = $1, updated_at = $2, password_changed_at = $2, \
         must_change_password = $3 WHERE id = $4",
    )
    .bind(password_hash.to_string())
    .bind(now.to_string())
    .bind(one_time as i64)
    .bind(id)
    .execute(&mut *conn)
    .await?;
    found(done, id)?;
    sqlx::query(
        "DELETE FROM login_attempt WHERE name_key = (SELECT username FROM app_user WHERE id = $1)",
    )
    .bind(id)
    .execute(&mut *conn)
    .await?;
    Ok(())
}

/// What reserving a login attempt found.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Reservation {
    /// The attempt may verify its password; it is already counted as the `n`th failure
    /// (given back by `attempt_succeeded`).
    Granted { n: i64 },
    /// Locked (until the time given), or `max` attempts are already counted and not yet
    /// settled (`None`): no password may be verified.
    Refused { locked_until: Option<String> },
}

/// Reserves one login attempt for a name before its password is verified, in one
/// statement: the failure count goes up by one only while the name is not locked and
/// fewer than `max` failures are counted, so that however many attempts arrive at once at
/// most `max` passwords are verified per lockout. A lockout that has run out starts the
/// count afresh. Known and unknown names are treated alike (the row is created on first
/// use). Returns the reservation.
pub async fn reserve_attempt(
    conn: &mut Conn,
    name_key: &str,
    max: i64,
    now: &str,
) -> Result<Reservation> {
    sqlx::query(
        "INSERT INTO login_attempt (name_key, failures, locked_until, last_attempt_at) \
         VALUES ($1, 0, NULL, $2) ON CONFLICT (name_key) DO NOTHING",
    )
    .bind(name_key.to_string())
    .bind(now.to_string())
    .execute(&mut *conn)
    .await?;
    // SQLite's write lock and PostgreSQL's row lock make the read of `failures` and the
    // write one step: concurrent reservations queue and each sees the one before; the
    // count comes back from the same statement.
    let granted: Option<i64> = sqlx::query_scalar(
        "UPDATE login_attempt SET \
           failures = CASE WHEN locked_until IS NULL THEN failures + 1 ELSE 1 END, \
           locked_until = NULL, last_attempt_at = $2 \
         WHERE name_key = $1 AND (locked_until IS NULL OR locked_until <= $2) \
           AND (failures < $3 OR locked_until IS NOT NULL) \
         RETURNING failures",
    )
    .bind(name_key.to_string())
    .bind(now.to_string())
    .bind(max)
    .fetch_optional(&mut *conn)
    .await?;
    if let Some(n) = granted {
        return Ok(Reservation::Granted { n });
    }
    let locked_until: Option<Option<String>> =
        sqlx::query_scalar("SELECT locked_until FROM login_attempt WHERE name_key = $1")
            .bind(name_key.to_string())
            .fetch_optional(&mut *conn)
            .await?;
    Ok(Reservation::Refused {
        locked_until: locked_until.flatten().filter(|t| t.as_str() > now),
    })
}

/// Until when a name is locked, if it is locked at `now`.
pub async fn locked_until(conn: &mut Conn, name_key: &str, now: &str) -> Result<Option<String>> {
    let locked: Option<Option<String>> =
        sqlx::query_scalar("SELECT locked_until FROM login_attempt WHERE name_key = $1")
            .bind(name_key.to_string())
            .fetch_optional(&mut *conn)
            .await?;
    Ok(locked.flatten().filter(|t| t.as_str() > now))
}

/// The reserved attempt's password was wrong: the failure stays counted, and once `max`
/// are counted the name is locked until `until` (if it is not locked already). Returns
/// the time it is locked until, if it is.
pub async fn attempt_failed(
    conn: &mut Conn,
    name_key: &str,
    max: i64,
    now: &str,
    until: &str,
) -> Result<Option<String>> {
    sqlx::query(
        "UPDATE login_attempt SET locked_until = $4 \
         WHERE name_key = $1 AND failures >= $2 AND (locked_until IS NULL OR locked_until <= $3)",
    )
    .bind(name_key.to_string())
    .bind(max)
    .bind(now.to_string())
    .bind(until.to_string())
    .execute(&mut *conn)
    .await?;
    let locked: Option<Option<String>> =
        sqlx::query_scalar("SELECT locked_until FROM login_attempt WHERE name_key = $1")
            .bind(name_key.to_string())
            .fetch_optional(&mut *conn)
            .await?;
    Ok(locked.flatten().filter(|t| t.as_str() > now))
}

/// The reserved attempt's password was right: the count starts afresh — unless
/// concurrent failures locked the name meanwhile, in which case nothing changes and the
/// answer is `false` (the login must be refused).
pub async fn attempt_succeeded(conn: &mut Conn, name_key: &str, now: &str) -> Result<bool> {
    let done = sqlx::query(
        "UPDATE login_attempt SET failures = 0, locked_until = NULL, last_attempt_at = $2 \
         WHERE name_key = $1 AND (locked_until IS NULL OR locked_until <= $2)",
    )
    .bind(name_key.to_string())
    .bind(now.to_string())
    .execute(&mut *conn)
    .await?;
    Ok(done.rows_affected() == 1)
}

/// Forgets the bookkeeping of names not tried since `before` and not locked beyond
/// `now` (housekeeping: unknown names would otherwise pile up). Returns how many.
pub async fn purge_attempts(conn: &mut Conn, before: &str, now: &str) -> Result<u64> {
    Ok(sqlx::query(
        "DELETE FROM login_attempt WHERE last_attempt_at < $1 \
         AND (locked_until IS NULL OR locked_until <= $2)",
    )
    .bind(before.to_string())
    .bind(now.to_string())
    .execute(&mut *conn)
    .await?
    .rows_affected())
}

/// A successful login: when.
pub async fn record_login(conn: &mut Conn, id: i64, now: &str) -> Result<()> {
    let done = sqlx::query("UPDATE app_user SET last_login_at = $1 WHERE id = $2")
        .bind(now.to_string())
        .bind(id)
        .execute(&mut *conn)
        .await?;
    found(done, id)
}

/// A named setting, created with `candidate` if it is missing (concurrent creators agree
/// on the first one stored).
pub async fn setting_or_insert(conn: &mut Conn, name: &str, candidate: &str) -> Result<String> {
    sqlx::query(
        "INSERT INTO app_setting (name, value) VALUES ($1, $2) ON CONFLICT (name) DO NOTHING",
    )
    .bind(name.to_string())
    .bind(candidate.to_string())
    .execute(&mut *conn)
    .await?;
    Ok(
        sqlx::query_scalar("SELECT value FROM app_setting WHERE name = $1")
            .bind(name.to_string())
            .fetch_one(&mut *conn)
            .await?,
    )
}

/// A session as stored.
#[derive(Debug, Clone, PartialEq)]
pub struct StoredSession {
    pub token_hash: String,
    pub user_id: i64,
    pub csrf: String,
    pub created_at: String,
    pub last_seen: String,
}

pub async fn create_session(conn: &mut Conn, s: &StoredSession) -> Result<()> {
    sqlx::query(
        "INSERT INTO user_session (token_hash, user_id, csrf, created_at, last_seen) VALUES ($1, $2, $3, $4, $5)",
    )
    .bind(s.token_hash.clone())
    .bind(s.user_id)
    .bind(s.csrf.clone())
    .bind(s.created_at.clone())
    .bind(s.last_seen.clone())
    .execute(&mut *conn)
    .await?;
    Ok(())
}

/// The sessions of a user, the most recently seen first.
pub async fn sessions_of(conn: &mut Conn, user_id: i64) -> Result<Vec<StoredSession>> {
    Sql::new(
        "SELECT token_hash, user_id, csrf, created_at, last_seen FROM user_session WHERE user_id = ",
    )
    .bind(user_id)
    .push(" ORDER BY last_seen DESC, created_at DESC")
    .fetch_map(&mut *conn, session_from_row)
    .await
}

fn session_from_row(r: &AnyRow) -> Result<StoredSession> {
    Ok(from_row!(
        r,
        StoredSession {
            token_hash,
            user_id,
            csrf,
            created_at,
            last_seen,
        }
    ))
}

pub async fn session(conn: &mut Conn, token_hash: &str) -> Result<Option<StoredSession>> {
    Sql::new(
        "SELECT token_hash, user_id, csrf, created_at, last_seen FROM user_session WHERE token_hash = ",
    )
    .bind(token_hash)
    .fetch_opt_map(&mut *conn, session_from_row)
    .await
}

pub async fn touch_session(conn: &mut Conn, token_hash: &str, now: &str) -> Result<()> {
    sqlx::query("UPDATE user_session SET last_seen = $1 WHERE token_hash = $2")
        .bind(now.to_string())
        .bind(token_hash.to_string())
        .execute(&mut *conn)
        .await?;
    Ok(())
}

pub async fn delete_session(conn: &mut Conn, token_hash: &str) -> Result<()> {
    sqlx::query("DELETE FROM user_session WHERE token_hash = $1")
        .bind(token_hash.to_string())
        .execute(&mut *conn)
        .await?;
    Ok(())
}

/// Ends every session of a user (disabled, or the password reset).
pub async fn delete_sessions_of(conn: &mut Conn, user_id: i64) -> Result<u64> {
    Ok(sqlx::query("DELETE FROM user_session WHERE user_id = $1")
        .bind(user_id)
        .execute(&mut *conn)
        .await?
        .rows_affected())
}

/// Removes sessions last seen before `before` (ISO text compares in time order).
pub async fn delete_idle_sessions(conn: &mut Conn, before: &str) -> Result<u64> {
    Ok(sqlx::query("DELETE FROM user_session WHERE last_seen < $1")
        .bind(before.to_string())
        .execute(&mut *conn)
        .await?
        .rows_affected())
}

/// Changes a user's role and org (the security administrator's act; the app checks who
/// may). Ends nothing by itself: the caller ends the user's sessions.
pub async fn set_role(
    conn: &mut Conn,
    user_id: i64,
    role: &str,
    org_id: Option<i64>,
    member_id: Option<i64>,
    now: &str,
) -> Result<()> {
    let done = sqlx::query(
        "UPDATE app_user SET role = $1, org_id = $2, member_id = $3, updated_at = $4 WHERE id = $5",
    )
    .bind(role.to_string())
    .bind(org_id)
    .bind(member_id)
    .bind(now.to_string())
    .bind(user_id)
    .execute(&mut *conn)
    .await?;
    if done.rows_affected() == 0 {
        return Err(StoreError::NotFound(format!("用户（id {user_id}）")));
    }
    Ok(())
}

/// Binds the accounts of the member `member_id` (role `member`) to the org the member's
/// relation moved to, so that their scope still holds their own record (组织关系转接).
pub async fn follow_member(conn: &mut Conn, member_id: i64, org_id: i64, now: &str) -> Result<u64> {
    Ok(sqlx::query(
        "UPDATE app_user SET org_id = $1, updated_at = $2 WHERE member_id = $3 AND role = 'member'",
    )
    .bind(org_id)
    .bind(now.to_string())
    .bind(member_id)
    .execute(&mut *conn)
    .await?
    .rows_affected())
}

/// Removes sessions opened before `before` (past their maximum lifetime).
pub async fn delete_old_sessions(conn: &mut Conn, before: &str) -> Result<u64> {
    Ok(
        sqlx::query("DELETE FROM user_session WHERE created_at < $1")
            .bind(before.to_string())
            .execute(&mut *conn)
            .await?
            .rows_affected(),
    )
}

/// Ends every session of a user but one (its own password change).
pub async fn delete_other_sessions_of(conn: &mut Conn, user_id: i64, keep: &str) -> Result<u64> {
    Ok(
        sqlx::query("DELETE FROM user_session WHERE user_id = $1 AND token_hash <> $2")
            .bind(user_id)
            .bind(keep.to_string())
            .execute(&mut *conn)
            .await?
            .rows_affected(),
    )
}
