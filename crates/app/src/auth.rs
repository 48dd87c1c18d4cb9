//! Authentication: password login (argon2id), lockout after repeated failures, sessions
//! with idle expiry, a maximum lifetime and a CSRF token, and the actor (role and scope) a
//! session stands for.
//!
//! A login is two steps, so that a second factor can come between them:
//! [`check_credentials`] (lockout and password) and [`open_session`]. The lockout is kept
//! by name in `login_attempt` for known and unknown names alike: each attempt is reserved
//! (counted as a failure) in one statement before its password is verified, so a burst of
//! concurrent attempts verifies at most `max_failures` passwords, and a success resets the
//! count only if the name was not locked meanwhile.
//!
//! Only the SHA-256 of a session token is stored, so a copy of the database opens no
//! session. Logins and failed logins are audited; a password is never logged.

use argon2::password_hash::{PasswordHash, PasswordHasher, PasswordVerifier, SaltString};
use argon2::Argon2;
use chrono::{DateTime, Duration, FixedOffset, NaiveDateTime, Utc};
use hmac::{Hmac, Mac};
use jiceng_store::users::{self as user_store, Reservation, StoredSession, StoredUser};
use jiceng_store::Scope;
use serde_json::json;
use sha2::{Digest, Sha256};

use crate::access::{Actor, Role};
use crate::audit::{self, AuditAction};
use crate::password::PasswordPolicy;
use crate::{App, AppError};

/// Lockout, slow-down, session expiry and the password policy (SPEC C11, 等保 level 3).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AuthConfig {
    /// Consecutive failed logins that lock the name (known or not).
    pub max_failures: i64,
    /// How long a locked name stays locked.
    pub lockout_minutes: i64,
    /// A session unused this long ends.
    pub idle_minutes: i64,
    /// A session ends this long after the login however much it is used.
    pub max_session_minutes: i64,
    /// After this many counted failures each further attempt waits before its password is
    /// verified …
    pub slow_after: i64,
    /// … this long for each failure beyond `slow_after` (milliseconds).
    pub slow_step_ms: u64,
    /// Passwords hashed or verified at once in this process (argon2id takes 19 MiB and
    /// some 18 ms of a core each); 0: the number of cores. The first `App` to hash sets it.
    pub argon2_parallel: usize,
    /// The failure bookkeeping of a name not tried for this long (and not locked) is
    /// forgotten by the housekeeping.
    pub attempt_memory_days: i64,
    pub password: PasswordPolicy,
}

impl Default for AuthConfig {
    fn default() -> AuthConfig {
        AuthConfig {
            max_failures: 5,
            lockout_minutes: 15,
            idle_minutes: 30,
            max_session_minutes: 12 * 60,
            slow_after: 3,
            slow_step_ms: 1000,
            argon2_parallel: 0,
            attempt_memory_days: 30,
            password: PasswordPolicy::default(),
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
    /// The password is past its renewal: until it is changed the session may do nothing
    /// else (the pages redirect to `/account/password`, the API answers 403).
    pub must_change_password: bool,
}

/// The tokens are credentials: never in a log line.
impl std::fmt::Debug for Session {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Session")
            .field("token", &"…")
            .field("csrf", &"…")
            .field("actor", &self.actor)
            .field("must_change_password", &self.must_change_password)
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

/// The argon2 work of this process: at most this many hashes at once, so that a burst of
/// logins queues instead of taking every core and 19 MiB each.
fn argon2_slots(config: &AuthConfig) -> &'static tokio::sync::Semaphore {
    static SLOTS: std::sync::OnceLock<tokio::sync::Semaphore> = std::sync::OnceLock::new();
    SLOTS.get_or_init(|| {
        let n = match config.argon2_parallel {
            0 => std::thread::available_parallelism()
                .map(|n| n.get())
                .unwrap_or(1),
            n => n,
        };
        tokio::sync::Semaphore::new(n.max(1))
    })
}

/// An argon2id hash (default parameters: 19 MiB, 2 passes) in PHC form, computed off the
/// async threads.
pub async fn hash_password(password: &str) -> Result<String, AppError> {
    hash_password_with(&AuthConfig::default(), password).await
}

async fn hash_password_with(config: &AuthConfig, password: &str) -> Result<String, AppError> {
    let password = password.to_string();
    let mut salt = [0u8; 16];
    getrandom::getrandom(&mut salt)
        .map_err(|e| AppError::Input(format!("系统随机数不可用：{e}")))?;
    let _slot = argon2_slots(config)
        .acquire()
        .await
        .map_err(|e| AppError::Input(format!("无法计算密码摘要：{e}")))?;
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
    verify_password_with(&AuthConfig::default(), password, stored).await
}

async fn verify_password_with(config: &AuthConfig, password: &str, stored: &str) -> bool {
    let password = password.to_string();
    let stored = stored.to_string();
    let Ok(_slot) = argon2_slots(config).acquire().await else {
        return false;
    };
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
            audit::Entry::new(actor, AuditAction::LoginFailed, target)
                .org(org.as_ref())
                .after(Some(after))
                .record(&mut tx, now)
                .await?;
            tx.commit().await?;
            Ok(())
        }
    })
    .await
}

/// The key of a name's failure bookkeeping: the name as looked up (usernames are exact),
/// cut to the longest a username may be.
pub fn name_key(username: &str) -> String {
    username.trim().chars().take(64).collect()
}

/// The first step of a login: the name's lockout and the password. The attempt is
/// reserved before the password is verified (see the module's notes); a known and an
/// unknown name take the same steps, the same time (an unknown name is verified against a
/// hash nobody has) and get the same answers. After `slow_after` counted failures each
/// attempt waits a growing time first. Failures are audited; on success the user is
/// returned and nothing is audited yet ([`open_session`] does).
pub async fn check_credentials(
    app: &App,
    username: &str,
    password: &str,
) -> Result<StoredUser, AuthError> {
    let now = app.now();
    let username = username.trim();
    let key = name_key(username);
    let max = app.auth.max_failures.max(1);
    let lock_until = now + Duration::minutes(app.auth.lockout_minutes.max(0));
    let mut conn = app.store.acquire().await.map_err(AppError::from)?;
    let user = user_store::get_by_username(&mut conn, &Scope::All, username).await?;
    let reservation = user_store::reserve_attempt(&mut conn, &key, max, &time_text(now)).await?;
    drop(conn);
    let actor = match &user {
        Some(u) => actor_of(u)?,
        None => unknown_actor(username),
    };
    let n = match reservation {
        Reservation::Granted { n } => n,
        Reservation::Refused { locked_until } => {
            // Locked, or `max` failures already counted and still being verified.
            let until = locked_until
                .as_deref()
                .and_then(parse_time)
                .unwrap_or(lock_until);
            record_failure(app, &actor, username, failure("locked", None)).await?;
            return Err(AuthError::Locked {
                until: local_text(until),
            });
        }
    };
    // `n - 1` failures were counted before this attempt.
    let slow_after = app.auth.slow_after.max(0);
    if n > slow_after && app.auth.slow_step_ms > 0 {
        let steps = u64::try_from(n - slow_after).unwrap_or(0);
        tokio::time::sleep(std::time::Duration::from_millis(
            app.auth.slow_step_ms.saturating_mul(steps),
        ))
        .await;
    }
    let stored_hash = match &user {
        Some(u) => u.password_hash.clone(),
        None => dummy_hash().await.to_string(),
    };
    let right = verify_password_with(&app.auth, password, &stored_hash).await && user.is_some();
    let Some(user) = user.filter(|_| right) else {
        let known = actor.user_id >= 0;
        let locked = audit::with_retry(|| async {
            let mut tx = app.store.begin().await?;
            let locked = user_store::attempt_failed(
                &mut tx,
                &key,
                max,
                &time_text(now),
                &time_text(lock_until),
            )
            .await?;
            let org = audit::actor_org(&mut tx, &actor).await?;
            let reason = match (known, locked.is_some()) {
                (true, false) => "bad_password",
                (true, true) => "bad_password_locked",
                (false, false) => "unknown_user",
                (false, true) => "unknown_user_locked",
            };
            audit::Entry::new(&actor, AuditAction::LoginFailed, username)
                .org(org.as_ref())
                .after(Some(failure(reason, Some(n))))
                .record(&mut tx, now)
                .await?;
            tx.commit().await?;
            Ok(locked)
        })
        .await?;
        return Err(match locked.as_deref().and_then(parse_time) {
            Some(until) => AuthError::Locked {
                until: local_text(until),
            },
            None => AuthError::BadCredentials,
        });
    };
    let mut conn = app.store.acquire().await.map_err(AppError::from)?;
    let kept = user_store::attempt_succeeded(&mut conn, &key, &time_text(now)).await?;
    drop(conn);
    if !kept {
        // Concurrent failures locked the name while this password was verified.
        record_failure(app, &actor, &user.username, failure("locked", None)).await?;
        return Err(AuthError::Locked {
            until: local_text(lock_until),
        });
    }
    if user.disabled {
        record_failure(app, &actor, &user.username, failure("disabled", None)).await?;
        return Err(AuthError::Disabled);
    }
    Ok(user)
}

/// Opens a session for a user whose credentials were checked (by `login`, or by
/// `totp::complete_login` after the second factor): the login is recorded and audited
/// (`how` says which second factor, if any). Flags it when the password is past its renewal.
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
        audit::Entry::new(&actor, AuditAction::Login, &user.username)
            .org(org.as_ref())
            .after(how.clone())
            .record(&mut tx, now)
            .await?;
        tx.commit().await?;
        Ok(())
    })
    .await?;
    let must_change_password = must_renew(app, user, actor.role);
    Ok(Session {
        token,
        csrf,
        actor,
        must_change_password,
    })
}

fn must_renew(app: &App, user: &StoredUser, role: Role) -> bool {
    if user.must_change_password {
        return true;
    }
    let changed = user.password_changed_at.as_deref().and_then(parse_time);
    app.auth.password.must_renew(role, changed, app.now())
}

/// Logs in: [`check_credentials`], the second factor's step where the user has one, then
/// [`open_session`]. Every attempt is audited.
pub async fn login(app: &App, username: &str, password: &str) -> Result<Session, AuthError> {
    let user = check_credentials(app, username, password).await?;
    // ---- second factor (crate::totp): a user with TOTP gets a second step here, ----
    // ---- before any session exists; `totp::complete_login` opens the session.    ----
    if let Some(pending) = crate::totp::second_step(app, &user).await? {
        return Err(AuthError::SecondFactor(pending));
    }
    // ---- end second factor ----
    let actor = actor_of(&user)?;
    open_session(app, &user, &actor, None).await
}

/// The session a token stands for, if it is known, not idle longer than `idle_minutes`,
/// not older than `max_session_minutes` (an expired one is deleted) and its user not
/// disabled. Marks it seen (at most once a minute, so that reading pages does not write on
/// every request).
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
    let created = parse_time(&s.created_at).unwrap_or(DateTime::<Utc>::MIN_UTC);
    if now - last > Duration::minutes(app.auth.idle_minutes)
        || now - created > Duration::minutes(app.auth.max_session_minutes)
    {
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
    let must_change_password = must_renew(app, &user, actor.role);
    Ok(Some(Session {
        token: token.to_string(),
        csrf: s.csrf,
        actor,
        must_change_password,
    }))
}

/// A user changes its own password: the new one must meet the policy and differ from the
/// current one, which is checked like a login (its failures count towards the lockout).
/// The user's other sessions end; the one given (`token`) stays. Audited.
pub async fn change_password(
    app: &App,
    token: &str,
    current: &str,
    new: &str,
) -> Result<(), AuthError> {
    let Some(session) = resume(app, token).await? else {
        return Err(AuthError::Store(AppError::Input(
            "登录已超时，请重新登录后再修改密码".into(),
        )));
    };
    let actor = session.actor;
    app.auth.password.check(new, &actor.username, actor.role)?;
    let user = check_credentials(app, &actor.username, current).await?;
    if user.id != actor.user_id {
        return Err(AuthError::BadCredentials);
    }
    if new == current {
        return Err(AuthError::Store(AppError::Input(
            "新密码不能与当前密码相同".into(),
        )));
    }
    let hash = hash_password_with(&app.auth, new).await?;
    let now = app.now();
    let keep = token_hash(token);
    audit::with_retry(|| async {
        let mut tx = app.store.begin().await?;
        user_store::set_password(&mut tx, user.id, &hash, &time_text(now), false).await?;
        user_store::delete_other_sessions_of(&mut tx, user.id, &keep).await?;
        let org = audit::actor_org(&mut tx, &actor).await?;
        audit::Entry::new(&actor, AuditAction::PasswordChange, &user.username)
            .org(org.as_ref())
            .after(Some(json!({ "by": "self" })))
            .record(&mut tx, now)
            .await?;
        tx.commit().await?;
        Ok(())
    })
    .await?;
    Ok(())
}

/// Records that logins from a source were refused by a throttle (the web layer's token
/// buckets), before any password was looked at. `source` is the client address or
/// "global".
pub async fn record_throttled(app: &App, source: &str, limit: &str) -> Result<(), AppError> {
    let now = app.now();
    let actor = unknown_actor(source);
    audit::with_retry(|| async {
        let mut tx = app.store.begin().await?;
        audit::Entry::new(&actor, AuditAction::LoginThrottled, source)
            .after(Some(json!({ "limit": limit })))
            .record(&mut tx, now)
            .await?;
        tx.commit().await?;
        Ok(())
    })
    .await
}

/// The token of a login form: an HMAC-SHA256 of the server's secret and the form's nonce
/// (kept in the pre-session cookie), as hex. A cookie and field planted together no
/// longer match unless the planter knows the secret.
pub fn login_form_token(secret: &str, nonce: &str) -> String {
    let mut mac =
        <Hmac<sha2::Sha256> as Mac>::new_from_slice(secret.as_bytes()).expect("any key length");
    mac.update(b"jiceng-login-form\0");
    mac.update(nonce.as_bytes());
    hex(&mac.finalize().into_bytes())
}

/// The secret of the login forms' tokens, shared by every server process on the database
/// (created on first use).
pub async fn login_form_secret(app: &App) -> Result<String, AppError> {
    let candidate = random_hex(32)?;
    let mut conn = app.store.acquire().await?;
    Ok(user_store::setting_or_insert(&mut conn, "login_form_secret", &candidate).await?)
}

/// A random nonce for a login form.
pub fn login_form_nonce() -> Result<String, AppError> {
    random_hex(16)
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
            audit::Entry::new(actor, AuditAction::Logout, &u.username)
                .org(org.as_ref())
                .record(&mut tx, now)
                .await?;
        }
        tx.commit().await?;
        Ok(())
    })
    .await?;
    Ok(())
}

/// Deletes sessions idle longer than `idle_minutes` or older than `max_session_minutes`,
/// and the failure bookkeeping of names not tried for `attempt_memory_days`
/// (housekeeping; `resume` refuses expired sessions anyway). Returns how many sessions.
pub async fn purge_idle_sessions(app: &App) -> Result<u64, AppError> {
    let now = app.now();
    let before = now - Duration::minutes(app.auth.idle_minutes);
    let born = now - Duration::minutes(app.auth.max_session_minutes);
    let forget = now - Duration::days(app.auth.attempt_memory_days.max(1));
    let mut conn = app.store.acquire().await?;
    let n = user_store::delete_idle_sessions(&mut conn, &time_text(before)).await?
        + user_store::delete_old_sessions(&mut conn, &time_text(born)).await?;
    user_store::purge_attempts(&mut conn, &time_text(forget), &time_text(now)).await?;
    Ok(n)
}
