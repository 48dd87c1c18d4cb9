//! 发展成效 scored by hand (`development_score`, the one indicator of 保证作用是否明显 no
//! record yields): the department gives an org a score of 0–100 for a period, with its
//! reason; audited. The period's build is marked stale in the same transaction, so its next
//! read (or the department's 重新计算) counts the score; a score can be taken back.

use jiceng_store::scorecard::{self as store, HandScore};
use serde::Serialize;

use super::Period;
use crate::access::{Grant, InScope, ScoreDevelopment, ViewScorecard};
use crate::audit::{self, AuditAction};
use crate::input;
use crate::{App, OrgRecord, Result};

/// A hand score as the page shows it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Given {
    pub score: i64,
    pub reason: String,
    pub scored_by: String,
    pub scored_at: String,
}

/// Gives `org` the hand score `score` (0–100) of 发展成效 for `period`, or takes it back
/// (`None`), with a reason.
pub async fn give(
    app: &App,
    grant: &Grant<ScoreDevelopment>,
    org: &InScope<OrgRecord>,
    period: Period,
    score: Option<i64>,
    reason: &str,
) -> Result<()> {
    let actor = grant.actor();
    if period.first_day() > app.today() {
        return Err(input(format!("{}尚未开始，不能评分", period.label())));
    }
    if let Some(s) = score.filter(|s| !(0..=100).contains(s)) {
        return Err(input(format!("发展成效评分应为0至100的整数：{s}")));
    }
    let reason = crate::rating::by_hand::reason_of(reason, "评分理由")?;
    let code = period.code();
    let mut conn = app.store.acquire().await?;
    let before = store::hand_score(&mut conn, &code, org.org.id).await?;
    drop(conn);
    if score.is_none() && before.is_none() {
        return Err(input(format!(
            "{}在{}没有人工评分，无需撤销",
            org.org.name,
            period.label()
        )));
    }
    let row = score.map(|s| HandScore {
        period: code.clone(),
        org_id: org.org.id,
        org_path: org.path.clone(),
        score: s,
        reason: reason.clone(),
        scored_by: actor.username.clone(),
        scored_at: app.now().format("%Y-%m-%dT%H:%M:%SZ").to_string(),
    });
    let (row, code) = (&row, &code);
    let org_id = org.org.id;
    audit::Entry::new(
        actor,
        AuditAction::ScorecardHandScore,
        format!("{} {}“发展成效”人工评分", org.org.name, period.label()),
    )
    .org(&**org)
    .before(serde_json::json!({ "score": before.as_ref().map(|b| b.score) }))
    .after(serde_json::json!({ "period": code, "score": score, "reason": reason }))
    .write(app, |mut tx| async move {
        match row {
            Some(r) => store::set_hand_score(&mut tx, r).await?,
            None => store::clear_hand_score(&mut tx, code, org_id).await?,
        }
        store::mark_stale(&mut tx, code).await?;
        Ok(tx)
    })
    .await
}

/// The hand score `org` was given for `period`, if any.
pub async fn given(
    app: &App,
    _grant: &Grant<ViewScorecard>,
    org: &InScope<OrgRecord>,
    period: Period,
) -> Result<Option<Given>> {
    let mut conn = app.store.acquire().await?;
    Ok(store::hand_score(&mut conn, &period.code(), org.org.id)
        .await?
        .map(|h| Given {
            score: h.score,
            reason: h.reason,
            scored_by: h.scored_by,
            scored_at: h.scored_at,
        }))
}
