//! The login's second step: a code or a recovery code checked, failures counted and
//! locked out like passwords.

use super::*;

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
