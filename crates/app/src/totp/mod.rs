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

mod enrol;
mod login;
#[cfg(test)]
mod tests;

pub use enrol::*;
pub use login::*;

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
