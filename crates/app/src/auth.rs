//! Authentication: password login (argon2id), lockout after repeated failures, sessions
//! with idle expiry and a CSRF token, and the actor (role and scope) a session stands for.
//!
//! Only the SHA-256 of a session token is stored, so a copy of the database opens no
//! session. Logins and failed logins are audited; a password is never logged.

use argon2::password_hash::{PasswordHash, PasswordHasher, PasswordVerifier, SaltString};
use argon2::Argon2;
use chrono::{DateTime, Duration, FixedOffset, NaiveDateTime, Utc};
use jiceng_store::users::{self as user_store, StoredSession, StoredUser};
use jiceng_store::Scope;
use serde_json::json;
use sha2::{Digest, Sha256};

use crate::access::{Actor, Role};
use crate::audit::{self, AuditAction};
use crate::{App, AppError};

/// Lockout and session expiry (SPEC C11).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AuthConfig {
    /// Consecutive failed logins that lock the account.
    pub max_failures: i64,
    /// How long a locked account stays locked.
    pub lockout_minutes: i64,
    /// A session unused this long ends.
    pub idle_minutes: i64,
}

impl Default for AuthConfig {
    fn default() -> AuthConfig {
        AuthConfig {
            max_failures: 5,
            lockout_minutes: 15,
            idle_minutes: 30,
        }
    }
}

/// A logged-in session: the bearer token (a cookie or `Authorization: Bearer`), the CSRF
/// token every form must carry back, and who is acting.
#[derive(Clone, PartialEq)]
pub struct Session {
    pub token: String,
    pub csrf: String,
    pub actor: Actor,
}

/// The tokens are credentials: never in a log line.
impl std::fmt::Debug for Session {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Session")
            .field("token", &"…")
            .field("csrf", &"…")
            .field("actor", &self.actor)
            .finish()
    }
}

/// The token of a login waiting for its second factor (`totp::complete_login`). A
/// credential: never in a log line.
#[derive(Clone, PartialEq, Eq)]
pub struct PendingLogin(pub String);

impl std::fmt::Debug for PendingLogin {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("PendingLogin(…)")
    }
}

#[derive(Debug, thiserror::Error)]
pub enum AuthError {
    #[error("用户名或密码错误")]
    BadCredentials,
    /// The password was right; the second factor is awaited (`totp::complete_login`).
    #[error("需要动态验证码")]
    SecondFactor(PendingLogin),
    #[error("动态验证码错误或已使用过，请输入验证器上新的验证码")]
    BadSecondFactor,
    #[error("登录已超时，请重新输入用户名和密码")]
    PendingExpired,
    /// `until` is local time (China Standard Time), `YYYY-MM-DD HH:MM`.
    #[error("登录失败次数过多，账户已锁定至{until}")]
    Locked { until: String },
    #[error("账户已停用")]
    Disabled,
    #[error(transparent)]
    Store(#[from] AppError),
}

impl From<jiceng_store::StoreError> for AuthError {
    fn from(e: jiceng_store::StoreError) -> AuthError {
        AuthError::Store(AppError::Store(e))
    }
}

/// How times are stored: UTC, to the second, so text order is time order.
pub(crate) fn time_text(t: DateTime<Utc>) -> String {
    t.format("%Y-%m-%dT%H:%M:%SZ").to_string()
}

pub(crate) fn parse_time(s: &str) -> Option<DateTime<Utc>> {
    NaiveDateTime::parse_from_str(s, "%Y-%m-%dT%H:%M:%SZ")
        .ok()
        .map(|t| t.and_utc())
}

/// A stored UTC time as the user reads it (China Standard Time).
pub fn local_text(t: DateTime<Utc>) -> String {
    let cst = FixedOffset::east_opt(8 * 3600).expect("valid offset");
    t.with_timezone(&cst).format("%Y-%m-%d %H:%M").to_string()
}

fn random_hex(n: usize) -> Result<String, AppError> {
    let mut b = vec![0u8; n];
    getrandom::getrandom(&mut b).map_err(|e| AppError::Input(format!("系统随机数不可用：{e}")))?;
    Ok(hex(&b))
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// The stored form of a session token.
pub fn token_hash(token: &str) -> String {
    hex(&Sha256::digest(token.as_bytes()))
}

/// An argon2id hash (default parameters: 19 MiB, 2 passes) in PHC form, computed off the
/// async threads.
pub async fn hash_password(password: &str) -> Result<String, AppError> {
    let password = password.to_string();
    let mut salt = [0u8; 16];
    getrandom::getrandom(&mut salt)
        .map_err(|e| AppError::Input(format!("系统随机数不可用：{e}")))?;
    tokio::task::spawn_blocking(move || {
        let salt = SaltString::encode_b64(&salt).map_err(|e| AppError::Input(e.to_string()))?;
        Argon2::default()
            .hash_password(password.as_bytes(), &salt)
            .map(|h| h.to_string())
            .map_err(|e| AppError::Input(format!("无法计算密码摘要：{e}")))
    })
    .await
    .map_err(|e| AppError::Input(format!("无法计算密码摘要：{e}")))?
}

/// Whether `password` matches the stored hash (the parameters are read from the hash).
pub async fn verify_password(password: &str, stored: &str) -> bool {
    let password = password.to_string();
    let stored = stored.to_string();
    tokio::task::spawn_blocking(move || match PasswordHash::new(&stored) {
        Ok(h) => Argon2::default()
            .verify_password(password.as_bytes(), &h)
            .is_ok(),
        Err(_) => false,
    })
    .await
    .unwrap_or(false)
}

/// A hash of a password nobody has, verified against when the user is unknown so that
/// the answer takes as long as for a known user.
async fn dummy_hash() -> &'static str {
    static DUMMY: tokio::sync::OnceCell<String> = tokio::sync::OnceCell::const_new();
    DUMMY
        .get_or_init(|| async {
            hash_password("jiceng-no-such-user")
                .await
                .unwrap_or_default()
        })
        .await
}

/// Who a failed login for an unknown name is recorded as.
fn unknown_actor(username: &str) -> Actor {
    Actor {
        user_id: -1,
        username: username.chars().take(64).collect(),
        role: Role::Member,
        org_id: None,
        member_id: None,
        scope: Scope::Nothing,
    }
}

/// The actor a user acts as: its role and the subtree of its org. An administrator
/// without an org sees everything; anyone else without an org sees nothing. A `Member`
/// user's scope is its org's subtree too: the use cases narrow it to the member's own
/// record (`member_id`), as `browse` does.
pub fn actor_of(user: &StoredUser) -> Result<Actor, AppError> {
    let role = Role::from_code(&user.role).ok_or_else(|| {
        AppError::Store(jiceng_store::StoreError::Corrupt(format!(
            "角色 {}",
            user.role
        )))
    })?;
    let scope = match (role, &user.org_path, user.org_id) {
        (_, Some(path), Some(_)) => Scope::subtree(path),
        // Bound to an org that no longer exists: nothing.
        (_, None, Some(_)) => Scope::Nothing,
        (Role::Admin, None, None) => Scope::All,
        (_, _, None) => Scope::Nothing,
    };
    // 三权分立: the security administrator and the auditor read no business data; their
    // org bounds only the accounts they manage and the log they read (`users::org_scope`).
    let scope = if role.reads_data() {
        scope
    } else {
        Scope::Nothing
    };
    Ok(Actor {
        user_id: user.id,
        username: user.username.clone(),
        role,
        org_id: user.org_id,
        member_id: user.member_id,
        scope,
    })
}

/// Why a login failed, as recorded (never the password).
fn failure(reason: &str, failures: Option<i64>) -> serde_json::Value {
    match failures {
        Some(n) => json!({ "reason": reason, "failures": n }),
        None => json!({ "reason": reason }),
    }
}

async fn record_failure(
    app: &App,
    actor: &Actor,
    target: &str,
    after: serde_json::Value,
) -> Result<(), AppError> {
    let now = app.now();
    audit::with_retry(|| {
        let after = after.clone();
        async move {
            let mut tx = app.store.begin().await?;
            let org = audit::actor_org(&mut tx, actor).await?;
            audit::record_at(
                &mut tx,
                now,
                actor,
                AuditAction::LoginFailed,
                target,
                org.as_ref(),
                None,
                Some(after),
            )
            .await?;
            tx.commit().await?;
            Ok(())
        }
    })
    .await
}

/// Logs in: checks the password (argon2id), counts failures and locks the account after
/// `max_failures` in a row for `lockout_minutes` (while locked even the right password
/// is refused), and opens a session. Every attempt is audited.
pub async fn login(app: &App, username: &str, password: &str) -> Result<Session, AuthError> {
    let now = app.now();
    let username = username.trim();
    let mut conn = app.store.acquire().await.map_err(AppError::from)?;
    let user = user_store::get_by_username(&mut conn, &Scope::All, username).await?;
    drop(conn);
    let Some(user) = user else {
        let _ = verify_password(password, dummy_hash().await).await;
        record_failure(
            app,
            &unknown_actor(username),
            username,
            failure("unknown_user", None),
        )
        .await?;
        return Err(AuthError::BadCredentials);
    };
    let actor = actor_of(&user)?;
    if let Some(until) = user.locked_until.as_deref().and_then(parse_time) {
        if until > now {
            record_failure(app, &actor, &user.username, failure("locked", None)).await?;
            return Err(AuthError::Locked {
                until: local_text(until),
            });
        }
    }
    if !verify_password(password, &user.password_hash).await {
        let max = app.auth.max_failures.max(1);
        let until = now + Duration::minutes(app.auth.lockout_minutes.max(0));
        let locked = audit::with_retry(|| async {
            let mut tx = app.store.begin().await?;
            let n = user_store::add_failure(&mut tx, user.id).await?;
            let locked = n >= max;
            if locked {
                user_store::lock(&mut tx, user.id, &time_text(until)).await?;
            }
            let org = audit::actor_org(&mut tx, &actor).await?;
            let reason = if locked {
                "bad_password_locked"
            } else {
                "bad_password"
            };
            audit::record_at(
                &mut tx,
                now,
                &actor,
                AuditAction::LoginFailed,
                &user.username,
                org.as_ref(),
                None,
                Some(failure(reason, Some(n))),
            )
            .await?;
            tx.commit().await?;
            Ok(locked)
        })
        .await?;
        return Err(if locked {
            AuthError::Locked {
                until: local_text(until),
            }
        } else {
            AuthError::BadCredentials
        });
    }
    if user.disabled {
        record_failure(app, &actor, &user.username, failure("disabled", None)).await?;
        return Err(AuthError::Disabled);
    }
    // ---- second factor (crate::totp): a user with TOTP gets a second step here, ----
    // ---- before any session exists; `totp::complete_login` opens the session.    ----
    if let Some(pending) = crate::totp::second_step(app, &user).await? {
        return Err(AuthError::SecondFactor(pending));
    }
    // ---- end second factor ----
    open_session(app, &user, &actor, None).await
}

/// Opens a session for a user whose credentials were checked (by `login`, or by
/// `totp::complete_login` after the second factor): the login is recorded and audited
/// (`how` says which second factor, if any).
pub(crate) async fn open_session(
    app: &App,
    user: &StoredUser,
    actor: &Actor,
    how: Option<serde_json::Value>,
) -> Result<Session, AuthError> {
    let now = app.now();
    let actor = actor.clone();
    let token = random_hex(32)?;
    let csrf = random_hex(32)?;
    let stored = StoredSession {
        token_hash: token_hash(&token),
        user_id: user.id,
        csrf: csrf.clone(),
        created_at: time_text(now),
        last_seen: time_text(now),
    };
    audit::with_retry(|| async {
        let mut tx = app.store.begin().await?;
        user_store::record_login(&mut tx, user.id, &time_text(now)).await?;
        user_store::create_session(&mut tx, &stored).await?;
        let org = audit::actor_org(&mut tx, &actor).await?;
        audit::record_at(
            &mut tx,
            now,
            &actor,
            AuditAction::Login,
            &user.username,
            org.as_ref(),
            None,
            how.clone(),
        )
        .await?;
        tx.commit().await?;
        Ok(())
    })
    .await?;
    Ok(Session { token, csrf, actor })
}

/// The session a token stands for, if it is known, not idle longer than `idle_minutes`
/// (an idle one is deleted) and its user not disabled. Marks it seen (at most once a
/// minute, so that reading pages does not write on every request).
pub async fn resume(app: &App, token: &str) -> Result<Option<Session>, AuthError> {
    if token.len() != 64 || !token.bytes().all(|b| b.is_ascii_hexdigit()) {
        return Ok(None);
    }
    let now = app.now();
    let hash = token_hash(token);
    let mut conn = app.store.acquire().await.map_err(AppError::from)?;
    let Some(s) = user_store::session(&mut conn, &hash).await? else {
        return Ok(None);
    };
    let last = parse_time(&s.last_seen).unwrap_or(DateTime::<Utc>::MIN_UTC);
    if now - last > Duration::minutes(app.auth.idle_minutes) {
        user_store::delete_session(&mut conn, &hash).await?;
        return Ok(None);
    }
    let user = match user_store::get(&mut conn, s.user_id).await? {
        Some(u) if !u.disabled => u,
        _ => {
            user_store::delete_session(&mut conn, &hash).await?;
            return Ok(None);
        }
    };
    if now - last >= Duration::seconds(60) {
        user_store::touch_session(&mut conn, &hash, &time_text(now)).await?;
    }
    let actor = actor_of(&user)?;
    Ok(Some(Session {
        token: token.to_string(),
        csrf: s.csrf,
        actor,
    }))
}

/// Ends a session (audited); an unknown token is ignored.
pub async fn logout(app: &App, token: &str) -> Result<(), AuthError> {
    let now = app.now();
    let hash = token_hash(token);
    let mut conn = app.store.acquire().await.map_err(AppError::from)?;
    let Some(s) = user_store::session(&mut conn, &hash).await? else {
        return Ok(());
    };
    let user = user_store::get(&mut conn, s.user_id).await?;
    let actor = match &user {
        Some(u) => Some(actor_of(u)?),
        None => None,
    };
    drop(conn);
    audit::with_retry(|| async {
        let mut tx = app.store.begin().await?;
        user_store::delete_session(&mut tx, &hash).await?;
        if let (Some(actor), Some(u)) = (&actor, &user) {
            let org = audit::actor_org(&mut tx, actor).await?;
            audit::record_at(
                &mut tx,
                now,
                actor,
                AuditAction::Logout,
                &u.username,
                org.as_ref(),
                None,
                None,
            )
            .await?;
        }
        tx.commit().await?;
        Ok(())
    })
    .await?;
    Ok(())
}

/// Deletes sessions idle longer than `idle_minutes` (housekeeping; `resume` refuses them
/// anyway). Returns how many.
pub async fn purge_idle_sessions(app: &App) -> Result<u64, AppError> {
    let before = app.now() - Duration::minutes(app.auth.idle_minutes);
    let mut conn = app.store.acquire().await?;
    Ok(user_store::delete_idle_sessions(&mut conn, &time_text(before)).await?)
}
