//! Who must enrol and who has, enrolling (by oneself, or issued by an administrator),
//! resetting, and re-encrypting the secrets with a rotated key.

use super::*;

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
