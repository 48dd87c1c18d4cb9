//! One's own sessions (我的账号): where the account is signed in, and ending all but the
//! one in use — after a phone was lost, or a shared computer left signed in.

use jiceng_store::users as user_store;
use serde::Serialize;
use serde_json::json;

use crate::audit::{self, AuditAction};
use crate::auth::{local_text, parse_time, time_text, token_hash};
use crate::{App, AppError, Result};

/// A session of the account, its times in China Standard Time.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct SessionInfo {
    pub opened: String,
    pub last_seen: String,
    /// The session this request comes from.
    pub current: bool,
}

/// The session of `token`, if it still holds.
async fn resume(app: &App, token: &str) -> Result<Option<crate::auth::Session>> {
    crate::auth::resume(app, token).await.map_err(|e| match e {
        crate::auth::AuthError::Store(e) => e,
        other => AppError::Input(other.to_string()),
    })
}

fn local(t: &str) -> String {
    parse_time(t)
        .map(local_text)
        .unwrap_or_else(|| t.to_string())
}

/// The sessions of the account signed in with `token`, the most recently seen first.
pub async fn list(app: &App, token: &str) -> Result<Vec<SessionInfo>> {
    let Some(session) = resume(app, token).await? else {
        return Ok(Vec::new());
    };
    let mine = token_hash(token);
    let mut conn = app.store.acquire().await?;
    Ok(user_store::sessions_of(&mut conn, session.actor.user_id())
        .await?
        .into_iter()
        .map(|s| SessionInfo {
            opened: local(&s.created_at),
            last_seen: local(&s.last_seen),
            current: s.token_hash == mine,
        })
        .collect())
}

/// Ends every session of the account but the one of `token`; how many ended. Audited.
pub async fn end_others(app: &App, token: &str) -> Result<u64> {
    let Some(session) = resume(app, token).await? else {
        return Err(AppError::Input("登录已超时，请重新登录".into()));
    };
    let actor = session.actor;
    let keep = token_hash(token);
    let now = app.now();
    let (actor, keep) = (&actor, &keep);
    audit::with_retry(|| async move {
        let mut tx = app.store.begin().await?;
        let ended = user_store::delete_other_sessions_of(&mut tx, actor.user_id(), keep).await?;
        let org = audit::actor_org(&mut tx, actor).await?;
        audit::Entry::new(actor, AuditAction::SessionsEnd, actor.username())
            .org(org.as_ref())
            .after(json!({ "ended": ended, "at": time_text(now) }))
            .record(&mut tx, now)
            .await?;
        tx.commit().await?;
        Ok(ended)
    })
    .await
}
