//! The second factor: time-based one-time codes (TOTP, RFC 6238: HMAC-SHA1, 6 digits, 30 s,
//! one step either side) and single-use recovery codes.
//!
//! Required for the privileged roles of [`TotpConfig::required_roles`], optional for the
//! others. A secret is stored encrypted with the data key (`Crypto::encrypt_bytes`); a
//! recovery code only as a salted SHA-256 (80 random bits each). A code is never accepted
//! twice: the last accepted time step is stored and only a later one is taken (one
//! conditional update, so even two concurrent requests cannot both use it).
//!
//! A login whose password was right and whose user has a second factor does not open a
//! session: `auth::login` answers [`AuthError::SecondFactor`] with a short-lived pending
//! token ([`second_step`]), and [`complete_login`] opens the session once the code is
//! right. A wrong code counts towards the lockout like a wrong password. A privileged user
//! without a second factor logs in, but may only enrol ([`must_enrol`]: the web layer sends
//! every other request to the enrolment page).

use chrono::{DateTime, Duration, Utc};
use jiceng_store::totp as totp_store;
use jiceng_store::users::{self as user_store, StoredUser};
use jiceng_store::{Conn, Scope};
use serde::Serialize;
use serde_json::json;
use sha2::{Digest, Sha256};
use totp_rs::{Algorithm, TOTP};

use crate::access::{Actor, Grant, ManageKeys, Role};
use crate::audit::{self, AuditAction};
use crate::auth::{self, AuthError, PendingLogin, Session};
use crate::{App, AppError, Crypto, Result};

/// The second-factor policy.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TotpConfig {
    /// Roles that must have a second factor (the others may).
    pub required_roles: Vec<Role>,
    /// Digits of a code (RFC 6238; authenticator apps expect 6).
    pub digits: usize,
    /// Seconds per time step (authenticator apps expect 30).
    pub step_seconds: i64,
    /// Steps accepted either side of the current one (clock drift of the phone).
    pub window_steps: i64,
    /// Recovery codes issued at enrolment.
    pub recovery_codes: usize,
    /// How long the second step of a login may wait after the password.
    pub pending_minutes: i64,
    /// The issuer shown in authenticator apps.
    pub issuer: String,
}

impl Default for TotpConfig {
    fn default() -> TotpConfig {
        TotpConfig {
            required_roles: vec![Role::Admin, Role::Security, Role::Department, Role::Auditor],
            digits: 6,
            step_seconds: 30,
            window_steps: 1,
            recovery_codes: 10,
            pending_minutes: 5,
            issuer: "jiceng".into(),
        }
    }
}

impl TotpConfig {
    pub fn required(&self, role: Role) -> bool {
        self.required_roles.contains(&role)
    }

    /// The time step of an instant.
    pub fn step_of(&self, t: DateTime<Utc>) -> i64 {
        t.timestamp().div_euclid(self.step_seconds.max(1))
    }
}

/// A secret to enter in an authenticator app: base32 text, the `otpauth://` URI, and
/// the URI as a QR code (inline SVG, drawn here; no image service).
#[derive(Clone, PartialEq, Serialize)]
pub struct Enrolment {
    pub username: String,
    pub secret_base32: String,
    pub uri: String,
    pub qr_svg: String,
}

/// The secret is a credential: never in a log line.
impl std::fmt::Debug for Enrolment {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Enrolment")
            .field("username", &self.username)
            .finish_non_exhaustive()
    }
}

/// The second factor of the acting user, as the account page shows it.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Status {
    pub enrolled: bool,
    /// Whether the user's role requires a second factor.
    pub required: bool,
    /// Unused recovery codes.
    pub recovery_left: i64,
    /// The enrolment waiting for its first code (not enrolled yet).
    pub pending: Option<Enrolment>,
}

fn engine(c: &TotpConfig, secret: Vec<u8>) -> Result<TOTP> {
    TOTP::new(
        Algorithm::SHA1,
        c.digits,
        0,
        c.step_seconds.max(1) as u64,
        secret,
    )
    .map_err(|e| AppError::Input(format!("动态验证码参数无效：{e:?}")))
}

fn decrypt_secret(crypto: &Crypto, stored: &str) -> Result<Vec<u8>> {
    crypto.decrypt_bytes(stored).map_err(|_| {
        AppError::Input("无法解密动态验证码密钥（密钥不匹配或数据损坏），请由安全管理员重置".into())
    })
}

fn random_bytes(n: usize) -> Result<Vec<u8>> {
    let mut b = vec![0u8; n];
    getrandom::getrandom(&mut b).map_err(|e| AppError::Input(format!("系统随机数不可用：{e}")))?;
    Ok(b)
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

fn uri_part(s: &str) -> String {
    s.bytes()
        .map(|b| {
            if b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.' | b'~') {
                (b as char).to_string()
            } else {
                format!("%{b:02X}")
            }
        })
        .collect()
}

/// The `otpauth://` URI of a secret for a user (Key Uri Format).
pub fn otpauth_uri(config: &TotpConfig, username: &str, secret_base32: &str) -> String {
    let issuer = uri_part(&config.issuer);
    format!(
        "otpauth://totp/{issuer}:{}?secret={secret_base32}&issuer={issuer}&algorithm=SHA1&digits={}&period={}",
        uri_part(username),
        config.digits,
        config.step_seconds
    )
}

/// A QR code as inline SVG (no XML declaration, so it sits inside an HTML page).
pub fn qr_svg(data: &str) -> Result<String> {
    let code = qrcode::QrCode::new(data.as_bytes())
        .map_err(|e| AppError::Input(format!("无法生成二维码：{e}")))?;
    let svg = code
        .render::<qrcode::render::svg::Color>()
        .min_dimensions(220, 220)
        .dark_color(qrcode::render::svg::Color("#000000"))
        .light_color(qrcode::render::svg::Color("#ffffff"))
        .build();
    Ok(match svg.find("<svg") {
        Some(i) => svg[i..].to_string(),
        None => svg,
    })
}

/// A QR code for a terminal (light modules drawn, for dark backgrounds).
pub fn qr_text(data: &str) -> Result<String> {
    use qrcode::render::unicode::Dense1x2;
    let code = qrcode::QrCode::new(data.as_bytes())
        .map_err(|e| AppError::Input(format!("无法生成二维码：{e}")))?;
    Ok(code
        .render::<Dense1x2>()
        .dark_color(Dense1x2::Light)
        .light_color(Dense1x2::Dark)
        .build())
}

fn enrolment(app: &App, username: &str, secret: Vec<u8>) -> Result<Enrolment> {
    let b32 = engine(&app.totp, secret)?.get_secret_base32();
    let uri = otpauth_uri(&app.totp, username, &b32);
    Ok(Enrolment {
        username: username.to_string(),
        qr_svg: qr_svg(&uri)?,
        secret_base32: b32,
        uri,
    })
}

/// The base32 text of a stored (encrypted) secret. Only the demo reads a secret back, to
/// print its accounts again; whoever holds the database and the key could anyway.
pub fn stored_secret_base32(app: &App, stored: &str) -> Result<String> {
    Ok(engine(&app.totp, decrypt_secret(&app.crypto, stored)?)?.get_secret_base32())
}

/// The code of a secret at a time step (what an authenticator app shows then).
pub fn code_at(config: &TotpConfig, secret_base32: &str, step: i64) -> Result<String> {
    let secret = totp_rs::Secret::Encoded(secret_base32.trim().to_uppercase())
        .to_bytes()
        .map_err(|_| AppError::Input("动态验证码密钥不是有效的 base32 文本".into()))?;
    Ok(engine(config, secret)?.generate((step.max(0) * config.step_seconds) as u64))
}

/// The step whose code `code` is, within the window around `now` and after `last_step`.
fn matching_step(
    app: &App,
    secret: Vec<u8>,
    code: &str,
    now: DateTime<Utc>,
    last_step: i64,
) -> Result<Option<i64>> {
    let totp = engine(&app.totp, secret)?;
    let current = app.totp.step_of(now);
    let w = app.totp.window_steps.max(0);
    let mut found = None;
    // Every candidate is computed, so the time does not tell which one matched.
    for step in (current - w)..=(current + w) {
        if step < 0 {
            continue;
        }
        let expected = totp.generate((step * app.totp.step_seconds) as u64);
        if constant_eq(expected.as_bytes(), code.as_bytes()) && step > last_step && found.is_none()
        {
            found = Some(step);
        }
    }
    Ok(found)
}

fn constant_eq(a: &[u8], b: &[u8]) -> bool {
    a.len() == b.len() && a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

/// What the user typed: a one-time code (digits only) or a recovery code.
enum Given {
    Code(String),
    Recovery(String),
    Nothing,
}

fn parse_given(app: &App, text: &str) -> Given {
    let s: String = text
        .chars()
        .filter(|c| !c.is_whitespace() && *c != '-')
        .collect::<String>()
        .to_uppercase();
    if s.len() == app.totp.digits && s.bytes().all(|b| b.is_ascii_digit()) {
        Given::Code(s)
    } else if s.len() == RECOVERY_LEN && s.bytes().all(|b| RECOVERY_ALPHABET.contains(&b)) {
        Given::Recovery(s)
    } else {
        Given::Nothing
    }
}

/// 32 letters and digits without look-alikes (0/O, 1/I): 5 bits a character.
const RECOVERY_ALPHABET: &[u8; 32] = b"ABCDEFGHJKLMNPQRSTUVWXYZ23456789";
/// 16 characters: 80 random bits, so a stored hash cannot be searched back.
const RECOVERY_LEN: usize = 16;

fn new_recovery_code() -> Result<String> {
    let bytes = random_bytes(RECOVERY_LEN)?;
    let chars: Vec<char> = bytes
        .iter()
        .map(|b| RECOVERY_ALPHABET[(*b as usize) % 32] as char)
        .collect();
    Ok(chars
        .chunks(4)
        .map(|c| c.iter().collect::<String>())
        .collect::<Vec<_>>()
        .join("-"))
}

/// The stored form of a recovery code (normalised: upper case, no dashes).
fn recovery_hash(user_id: i64, normalised: &str) -> String {
    hex(&Sha256::digest(
        format!("jiceng-recovery:{user_id}:{normalised}").as_bytes(),
    ))
}

fn new_recovery_codes(app: &App, user_id: i64) -> Result<(Vec<String>, Vec<String>)> {
    let mut codes = Vec::new();
    let mut hashes = Vec::new();
    while codes.len() < app.totp.recovery_codes {
        let c = new_recovery_code()?;
        let h = recovery_hash(user_id, &c.replace('-', ""));
        if !hashes.contains(&h) {
            codes.push(c);
            hashes.push(h);
        }
    }
    Ok((codes, hashes))
}

// ---------------------------------------------------------------- who must, who has

/// Whether the actor must enrol before doing anything else: its role requires a second
/// factor and it has none confirmed. The command line never must.
pub async fn must_enrol(app: &App, actor: &Actor) -> Result<bool> {
    if actor.is_system() || !app.totp.required(actor.role) {
        return Ok(false);
    }
    let mut conn = app.store.acquire().await?;
    Ok(!totp_store::is_enrolled(&mut conn, actor.user_id).await?)
}

/// The acting user's second factor. When not enrolled, an enrolment is prepared (or the
/// prepared one shown again, so reloading the page keeps the secret).
pub async fn status(app: &App, actor: &Actor) -> Result<Status> {
    if actor.user_id <= 0 {
        return Err(AppError::Forbidden);
    }
    let now = app.now();
    let mut conn = app.store.acquire().await?;
    let stored = totp_store::get(&mut conn, actor.user_id).await?;
    let required = app.totp.required(actor.role);
    match stored {
        Some(t) if t.confirmed => Ok(Status {
            enrolled: true,
            required,
            recovery_left: totp_store::unused_recovery_codes(&mut conn, actor.user_id).await?,
            pending: None,
        }),
        Some(t) => Ok(Status {
            enrolled: false,
            required,
            recovery_left: 0,
            pending: Some(enrolment(
                app,
                &actor.username,
                decrypt_secret(&app.crypto, &t.secret)?,
            )?),
        }),
        None => {
            let secret = random_bytes(20)?;
            drop(conn);
            let mut tx = app.store.begin().await?;
            crate::privacy::ensure_key(&mut tx, &app.crypto).await?;
            totp_store::begin(
                &mut tx,
                actor.user_id,
                &app.crypto.encrypt_bytes(&secret),
                &auth::time_text(now),
            )
            .await?;
            tx.commit().await?;
            Ok(Status {
                enrolled: false,
                required,
                recovery_left: 0,
                pending: Some(enrolment(app, &actor.username, secret)?),
            })
        }
    }
}

/// Confirms the acting user's prepared enrolment with a current code from the app, and
/// answers the recovery codes (shown once; only their hashes are kept). Audited.
pub async fn confirm(app: &App, actor: &Actor, code: &str) -> Result<Vec<String>> {
    let now = app.now();
    let mut conn = app.store.acquire().await?;
    let stored = totp_store::get(&mut conn, actor.user_id).await?;
    drop(conn);
    let stored = match stored {
        Some(t) if t.confirmed => {
            return Err(AppError::Input(
                "已绑定动态验证码；如需更换手机，请联系安全管理员重置".into(),
            ))
        }
        Some(t) => t,
        None => return Err(AppError::Input("请先打开绑定页面获取密钥".into())),
    };
    let Given::Code(code) = parse_given(app, code) else {
        return Err(AppError::Input(format!(
            "请输入身份验证器上显示的{}位数字",
            app.totp.digits
        )));
    };
    let secret = decrypt_secret(&app.crypto, &stored.secret)?;
    let Some(step) = matching_step(app, secret, &code, now, 0)? else {
        return Err(AppError::Input(
            "动态验证码不正确：请核对手机时间是否准确，并输入当前显示的数字".into(),
        ));
    };
    let (codes, hashes) = new_recovery_codes(app, actor.user_id)?;
    let done = audit::with_retry(|| {
        let hashes = &hashes;
        async move {
            let mut tx = app.store.begin().await?;
            if !totp_store::confirm(&mut tx, actor.user_id, step, &auth::time_text(now)).await? {
                return Ok(false);
            }
            totp_store::set_recovery_codes(&mut tx, actor.user_id, hashes).await?;
            // Recorded at the actor's org.
            audit::Entry::new(actor, AuditAction::TotpEnrol, &actor.username)
                .after(json!({ "by": "self", "recovery_codes": hashes.len() }))
                .commit(tx, now)
                .await?;
            Ok(true)
        }
    })
    .await?;
    if !done {
        return Err(AppError::Input("绑定已完成或已被重置，请刷新页面".into()));
    }
    Ok(codes)
}

/// A user bound to the org scope of `actor` (the accounts it manages), else `NotFound`.
async fn managed_user(app: &App, actor: &Actor, username: &str) -> Result<StoredUser> {
    let mut conn = app.store.acquire().await?;
    let scope = crate::users::org_scope(&mut conn, actor).await?;
    user_store::get_by_username(&mut conn, &scope, username.trim())
        .await?
        .ok_or_else(|| AppError::NotFound(format!("用户“{}”", username.trim())))
}

/// What an enrolment made on the command line gives: the secret (with its URI and a
/// terminal QR code) and the recovery codes, printed once.
#[derive(Clone)]
pub struct IssuedEnrolment {
    pub enrolment: Enrolment,
    pub qr_text: String,
    pub recovery_codes: Vec<String>,
}

/// Enrols a user directly (the command line, run by the operator on the server: the
/// demo's accounts, or a user who cannot reach the enrolment page). Refused when the
/// user already has a second factor (reset it first). Audited.
pub async fn enrol_for(app: &App, actor: &Actor, username: &str) -> Result<IssuedEnrolment> {
    if !actor.is_system() {
        return Err(AppError::Forbidden);
    }
    let user = managed_user(app, actor, username).await?;
    let now = app.now();
    let secret = random_bytes(20)?;
    let stored_secret = app.crypto.encrypt_bytes(&secret);
    let (codes, hashes) = new_recovery_codes(app, user.id)?;
    let done = audit::with_retry(|| {
        let (hashes, stored_secret, user) = (&hashes, &stored_secret, &user);
        async move {
            let mut tx = app.store.begin().await?;
            crate::privacy::ensure_key(&mut tx, &app.crypto).await?;
            if totp_store::is_enrolled(&mut tx, user.id).await? {
                return Ok(false);
            }
            let at = auth::time_text(now);
            totp_store::begin(&mut tx, user.id, stored_secret, &at).await?;
            totp_store::confirm(&mut tx, user.id, 0, &at).await?;
            totp_store::set_recovery_codes(&mut tx, user.id, hashes).await?;
            let org = user_org(&mut tx, user).await?;
            audit::Entry::new(actor, AuditAction::TotpEnrol, &user.username)
                .org(org.as_ref())
                .after(json!({ "by": actor.username, "recovery_codes": hashes.len() }))
                .commit(tx, now)
                .await?;
            Ok(true)
        }
    })
    .await?;
    if !done {
        return Err(AppError::Input(format!(
            "用户“{}”已绑定动态验证码；如需重新绑定，请先重置（jiceng user 2fa reset）",
            user.username
        )));
    }
    let enrolment = enrolment(app, &user.username, secret)?;
    Ok(IssuedEnrolment {
        qr_text: qr_text(&enrolment.uri)?,
        enrolment,
        recovery_codes: codes,
    })
}

async fn user_org(
    conn: &mut Conn,
    user: &StoredUser,
) -> Result<Option<jiceng_store::orgs::StoredOrg>> {
    match user.org_id {
        Some(id) => Ok(jiceng_store::orgs::get(conn, &Scope::All, id).await?),
        None => Ok(None),
    }
}

/// Removes a user's second factor and recovery codes and ends its sessions and pending
/// logins (a lost phone). The security administrator may, for accounts in its area (not
/// its own), and the command line. Audited. A user whose role requires a second factor
/// enrols again at its next login.
pub async fn reset(app: &App, grant: &Grant<ManageKeys>, username: &str) -> Result<()> {
    let actor = grant.actor();
    let user = managed_user(app, actor, username).await?;
    if user.id == actor.user_id {
        return Err(AppError::Input(
            "不能重置自己的动态验证码，请由另一位安全管理员操作".into(),
        ));
    }
    let now = app.now();
    let user = &user;
    audit::with_retry(|| async move {
        let mut tx = app.store.begin().await?;
        let had = totp_store::delete(&mut tx, user.id).await?;
        totp_store::delete_pending_of(&mut tx, user.id).await?;
        user_store::delete_sessions_of(&mut tx, user.id).await?;
        let org = user_org(&mut tx, user).await?;
        audit::Entry::new(actor, AuditAction::TotpReset, &user.username)
            .org(org.as_ref())
            .before(json!({ "enrolled": had }))
            .after(json!({ "enrolled": false }))
            .commit(tx, now)
            .await
    })
    .await
}

/// Re-encrypts every stored secret from `old` to `new` inside the caller's transaction
/// (key rotation). Returns how many.
pub async fn reencrypt(conn: &mut Conn, old: &Crypto, new: &Crypto) -> Result<usize> {
    let all = totp_store::secrets(conn).await?;
    for (user_id, stored) in &all {
        let secret = decrypt_secret(old, stored)?;
        totp_store::set_secret(conn, *user_id, &new.encrypt_bytes(&secret)).await?;
    }
    Ok(all.len())
}

// ---------------------------------------------------------------- the login's second step

/// The hook of `auth::login`, after the password was verified and before a session is
/// opened: a user with a second factor gets a pending login (its token answered once,
/// only its hash stored) instead of a session.
pub async fn second_step(
    app: &App,
    user: &StoredUser,
) -> std::result::Result<Option<PendingLogin>, AuthError> {
    let mut conn = app.store.acquire().await.map_err(AppError::from)?;
    if !totp_store::is_enrolled(&mut conn, user.id).await? {
        return Ok(None);
    }
    let token = hex(&random_bytes(32)?);
    totp_store::create_pending(
        &mut conn,
        &auth::token_hash(&token),
        user.id,
        &auth::time_text(app.now()),
    )
    .await?;
    Ok(Some(PendingLogin(token)))
}

/// The second step of a login: the pending token and a one-time code (or a recovery
/// code). Opens the session when right; a wrong code counts as a failed login (and may
/// lock the account); a late one (after `pending_minutes`) starts over at the password.
pub async fn complete_login(
    app: &App,
    pending: &str,
    given: &str,
) -> std::result::Result<Session, AuthError> {
    let now = app.now();
    let hash = auth::token_hash(pending);
    let mut conn = app.store.acquire().await.map_err(AppError::from)?;
    let Some((user_id, created)) = totp_store::pending(&mut conn, &hash).await? else {
        return Err(AuthError::PendingExpired);
    };
    let created = auth::parse_time(&created).unwrap_or(DateTime::<Utc>::MIN_UTC);
    if now - created > Duration::minutes(app.totp.pending_minutes) {
        totp_store::delete_pending(&mut conn, &hash).await?;
        return Err(AuthError::PendingExpired);
    }
    let Some(user) = user_store::get(&mut conn, user_id).await? else {
        totp_store::delete_pending(&mut conn, &hash).await?;
        return Err(AuthError::PendingExpired);
    };
    let stored = totp_store::get(&mut conn, user.id).await?;
    drop(conn);
    let actor = auth::actor_of(&user)?;
    if user.disabled {
        return Err(AuthError::Disabled);
    }
    let key = auth::name_key(&user.username);
    let mut conn = app.store.acquire().await.map_err(AppError::from)?;
    let locked = user_store::locked_until(&mut conn, &key, &auth::time_text(now)).await?;
    drop(conn);
    if let Some(until) = locked.as_deref().and_then(auth::parse_time) {
        let mut conn = app.store.acquire().await.map_err(AppError::from)?;
        totp_store::delete_pending(&mut conn, &hash).await?;
        return Err(AuthError::Locked {
            until: auth::local_text(until),
        });
    }
    let Some(stored) = stored.filter(|t| t.confirmed) else {
        // Reset between the two steps: start over.
        let mut conn = app.store.acquire().await.map_err(AppError::from)?;
        totp_store::delete_pending(&mut conn, &hash).await?;
        return Err(AuthError::PendingExpired);
    };
    let accepted = match parse_given(app, given) {
        Given::Code(code) => {
            let secret = decrypt_secret(&app.crypto, &stored.secret)?;
            match matching_step(app, secret, &code, now, stored.last_step)? {
                Some(step) => {
                    let mut conn = app.store.acquire().await.map_err(AppError::from)?;
                    totp_store::accept_step(&mut conn, user.id, step)
                        .await?
                        .then(|| json!({ "second_factor": "totp" }))
                }
                None => None,
            }
        }
        Given::Recovery(code) => {
            let mut conn = app.store.acquire().await.map_err(AppError::from)?;
            let h = recovery_hash(user.id, &code);
            if totp_store::use_recovery_code(&mut conn, user.id, &h, &auth::time_text(now)).await? {
                let left = totp_store::unused_recovery_codes(&mut conn, user.id).await?;
                Some(json!({ "second_factor": "recovery_code", "recovery_left": left }))
            } else {
                None
            }
        }
        Given::Nothing => None,
    };
    let Some(how) = accepted else {
        let locked = count_failure(app, &user, &actor, now).await?;
        if let Some(until) = locked {
            let mut conn = app.store.acquire().await.map_err(AppError::from)?;
            totp_store::delete_pending(&mut conn, &hash).await?;
            return Err(AuthError::Locked { until });
        }
        return Err(AuthError::BadSecondFactor);
    };
    let mut conn = app.store.acquire().await.map_err(AppError::from)?;
    if !totp_store::delete_pending(&mut conn, &hash).await? {
        // Completed by a concurrent request with another code.
        return Err(AuthError::PendingExpired);
    }
    // The code was right: the name's count starts afresh, unless concurrent failures
    // locked it meanwhile.
    if !user_store::attempt_succeeded(&mut conn, &key, &auth::time_text(now)).await? {
        return Err(AuthError::Locked {
            until: auth::local_text(now + Duration::minutes(app.auth.lockout_minutes.max(0))),
        });
    }
    drop(conn);
    auth::open_session(app, &user, &actor, Some(how)).await
}

/// A wrong second factor: counted like a wrong password, audited, and the account locked
/// after `max_failures` in a row. Answers the lock's end (local time) when it locked.
///
/// It uses the login's counter by name (`login_attempt`): the attempt is reserved, then
/// counted as failed, so a burst of wrong codes locks as a burst of wrong passwords does.
async fn count_failure(
    app: &App,
    user: &StoredUser,
    actor: &Actor,
    now: DateTime<Utc>,
) -> std::result::Result<Option<String>, AuthError> {
    let max = app.auth.max_failures.max(1);
    let key = auth::name_key(&user.username);
    let now_text = auth::time_text(now);
    let until = auth::time_text(now + Duration::minutes(app.auth.lockout_minutes.max(0)));
    let locked = audit::with_retry(|| async {
        let mut tx = app.store.begin().await?;
        let (n, locked) = match user_store::reserve_attempt(&mut tx, &key, max, &now_text).await? {
            user_store::Reservation::Granted { n } => (
                n,
                user_store::attempt_failed(&mut tx, &key, max, &now_text, &until).await?,
            ),
            user_store::Reservation::Refused { locked_until } => {
                (max, Some(locked_until.unwrap_or_else(|| until.clone())))
            }
        };
        if locked.is_some() {
            totp_store::delete_pending_of(&mut tx, user.id).await?;
        }
        let reason = if locked.is_some() {
            "bad_second_factor_locked"
        } else {
            "bad_second_factor"
        };
        // Recorded at the actor's org.
        audit::Entry::new(actor, AuditAction::LoginFailed, &user.username)
            .after(json!({ "reason": reason, "failures": n }))
            .commit(tx, now)
            .await?;
        Ok(locked)
    })
    .await?;
    Ok(locked
        .as_deref()
        .and_then(auth::parse_time)
        .map(auth::local_text))
}

/// Removes pending logins older than `pending_minutes` (housekeeping; late ones are
/// refused anyway).
pub async fn purge_stale_pending(app: &App) -> Result<u64> {
    let before = app.now() - Duration::minutes(app.totp.pending_minutes);
    let mut conn = app.store.acquire().await?;
    Ok(totp_store::delete_stale_pending(&mut conn, &auth::time_text(before)).await?)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn recovery_codes_are_long_and_distinct() {
        let a = new_recovery_code().unwrap();
        let b = new_recovery_code().unwrap();
        assert_ne!(a, b);
        assert_eq!(a.len(), RECOVERY_LEN + 3);
        assert_eq!(
            recovery_hash(1, &a.replace('-', "")),
            recovery_hash(1, &a.replace('-', ""))
        );
        assert_ne!(
            recovery_hash(1, &a.replace('-', "")),
            recovery_hash(2, &a.replace('-', ""))
        );
    }

    #[test]
    fn rfc6238_sha1_vectors() {
        // RFC 6238 appendix B, SHA-1 secret "12345678901234567890": 94287082 at 59 s,
        // 07081804 at 1111111109 s (the last six digits with 6-digit codes).
        let c = TotpConfig::default();
        let t = engine(&c, b"12345678901234567890".to_vec()).unwrap();
        assert_eq!(t.generate(59), "287082");
        assert_eq!(t.generate(1_111_111_109), "081804");
        let b32 = t.get_secret_base32();
        assert_eq!(code_at(&c, &b32, 59 / 30).unwrap(), "287082");
    }

    #[test]
    fn uri_and_qr() {
        let c = TotpConfig::default();
        let u = otpauth_uri(&c, "张 三", "JBSWY3DPEHPK3PXP");
        assert!(
            u.starts_with("otpauth://totp/jiceng:%E5%BC%A0%20%E4%B8%89?secret=JBSWY3DPEHPK3PXP")
        );
        assert!(u.contains("digits=6&period=30"));
        let svg = qr_svg(&u).unwrap();
        assert!(svg.starts_with("<svg") && svg.contains("</svg>"));
        assert!(!qr_text(&u).unwrap().is_empty());
    }
}
