//! Editing a member's record from the member page or the API: the fields a branch keeps
//! up to date (name, ethnicity, education, occupation, phone, standing). The ID number is
//! not edited here (a wrong number is a new record by import). Audited with before and
//! after (phones masked), facts refreshed, in one transaction.

use chrono::NaiveDate;
use jiceng_domain::{Education, MemberStatus};
use jiceng_store::members::{self as member_store, StoredMember};
use jiceng_store::{facts, orgs as org_store, Scope};
use serde::{Deserialize, Serialize};

use crate::access::{Grant, Write};
use crate::audit::{self, AuditAction};
use crate::{App, AppError, Result};

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct MemberEdit {
    pub name: String,
    #[serde(default)]
    pub ethnicity: Option<String>,
    /// An education band (研究生, 大学本科…), or empty.
    #[serde(default)]
    pub education: Option<String>,
    #[serde(default)]
    pub occupation: Option<String>,
    /// A new phone number; empty keeps the stored one (the form shows it masked).
    #[serde(default)]
    pub phone: Option<String>,
    /// 正式党员 / 预备党员 (or Full / Probationary).
    pub status: String,
    #[serde(default)]
    pub full_on: Option<NaiveDate>,
}

impl MemberEdit {
    pub fn of(m: &StoredMember) -> MemberEdit {
        MemberEdit {
            name: m.name.clone(),
            ethnicity: Some(m.ethnicity.clone()).filter(|e| !e.is_empty()),
            education: m.education.map(|e| e.label().to_string()),
            occupation: m.occupation.clone(),
            phone: None,
            status: m.status.label().into(),
            full_on: m.full_on,
        }
    }
}

use crate::input;

/// What an audit entry shows of a member: never the ID number, the phone masked.
fn audit_view(m: &StoredMember) -> serde_json::Value {
    serde_json::json!({
        "name": m.name,
        "ethnicity": m.ethnicity,
        "education": m.education.map(|e| e.label()),
        "occupation": m.occupation,
        "phone": m.phone_masked,
        "status": m.status.label(),
        "full_on": m.full_on,
        "org_id": m.org_id,
    })
}

/// Applies an edit to a member in the actor's scope.
pub async fn update_member(
    app: &App,
    grant: &Grant<Write>,
    id: i64,
    edit: &MemberEdit,
) -> Result<()> {
    let actor = grant.actor();
    let today = app.today();
    let mut conn = app.store.acquire().await?;
    let before = member_store::get(&mut conn, &actor.scope, id)
        .await?
        .ok_or_else(|| AppError::NotFound("党员".into()))?;
    let org = org_store::get(&mut conn, &Scope::All, before.org_id)
        .await?
        .ok_or_else(|| AppError::NotFound("党组织".into()))?;
    drop(conn);
    let mut m = before.clone();
    let name = edit.name.trim();
    if name.is_empty() {
        return Err(input("请填写姓名"));
    }
    use jiceng_domain::text;
    text::MEMBER_NAME.check(name).map_err(input)?;
    m.name = name.to_string();
    m.ethnicity = crate::trimmed(&edit.ethnicity).unwrap_or_default();
    text::ETHNICITY.check(&m.ethnicity).map_err(input)?;
    m.education = match crate::trimmed(&edit.education) {
        Some(e) => {
            Some(Education::parse_label(&e).ok_or_else(|| input(format!("无法识别的学历：{e}")))?)
        }
        None => None,
    };
    m.occupation = crate::trimmed(&edit.occupation);
    text::OCCUPATION
        .check(m.occupation.as_deref().unwrap_or(""))
        .map_err(input)?;
    if let Some(p) = crate::trimmed(&edit.phone) {
        let p = crate::privacy::check_phone(&p).map_err(input)?;
        crate::privacy::set_phone(&app.crypto, &mut m, &p);
    }
    m.status = MemberStatus::parse_label(&edit.status)
        .ok_or_else(|| input("人员类别应为“正式党员”或“预备党员”"))?;
    m.full_on = edit.full_on;
    if let Some(f) = m.full_on {
        if f < m.joined_on {
            return Err(input(format!("转正日期{f}早于入党日期{}", m.joined_on)));
        }
        if m.status == MemberStatus::Full && f > today {
            return Err(input(format!("正式党员的转正日期晚于今天：{f}")));
        }
        if m.status == MemberStatus::Probationary && f <= today {
            return Err(input(
                "预备党员不应有已过的转正日期；已转正的请选“正式党员”",
            ));
        }
    }
    if m == before {
        return Ok(());
    }
    let (m, before, org) = (&m, &before, &org);
    audit::with_retry(|| async move {
        let mut tx = app.store.begin().await?;
        crate::privacy::ensure_key(&mut tx, &app.crypto).await?;
        member_store::update(&mut tx, m).await?;
        // The facts before the audit entry: every writer takes the org locks before the
        // log's head (see `jiceng_store::sql::lock_orgs`), so none waits in a cycle.
        facts::refresh(&mut tx, &app.rules, &[m.org_id], today).await?;
        audit::Entry::new(actor, AuditAction::MemberUpdate, format!("member:{id}"))
            .org(org)
            .before(audit_view(before))
            .after(audit_view(m))
            .commit(tx, chrono::Utc::now())
            .await
    })
    .await
}

/// Ends a position (离任) on a day, from the member page or the API: the day the office
/// became vacant when nobody follows (SPEC C1, review error 2). In the actor's scope,
/// audited with before and after, facts refreshed, in one transaction.
pub async fn end_position(
    app: &App,
    grant: &Grant<Write>,
    position_id: i64,
    on: NaiveDate,
    reason: &str,
) -> Result<()> {
    let actor = grant.actor();
    let reason = reason.trim();
    if reason.is_empty() {
        return Err(input("请填写原因"));
    }
    jiceng_domain::text::NOTE.check(reason).map_err(input)?;
    let today = app.today();
    let mut conn = app.store.acquire().await?;
    let p = jiceng_store::positions::get(&mut conn, position_id)
        .await?
        .ok_or_else(|| AppError::NotFound("职务".into()))?;
    let member = member_store::get(&mut conn, &actor.scope, p.member_id)
        .await?
        .ok_or_else(|| AppError::NotFound("职务".into()))?;
    let org = org_store::get(&mut conn, &actor.scope, p.org_id)
        .await?
        .ok_or_else(|| AppError::NotFound("职务".into()))?;
    drop(conn);
    if p.ended_on.is_some() {
        return Err(input("该职务已结束"));
    }
    if on > today {
        return Err(input(format!("离任日期晚于今天：{on}")));
    }
    if let Some(s) = p.started_on.filter(|s| on < *s) {
        return Err(input(format!("离任日期{on}早于任职日期{s}")));
    }
    let view = |ended: Option<NaiveDate>| {
        serde_json::json!({
            "position": p.id,
            "member": member.name,
            "kind": p.kind.label(),
            "org_id": p.org_id,
            "started_on": p.started_on,
            "ended_on": ended,
        })
    };
    let (before, after) = (view(None), view(Some(on)));
    let (org, before, after) = (&org, &before, &after);
    audit::with_retry(|| async move {
        let mut tx = app.store.begin().await?;
        jiceng_store::positions::end(&mut tx, position_id, on).await?;
        facts::refresh(&mut tx, &app.rules, &[org.org.id], today).await?;
        let mut after = after.clone();
        after["reason"] = serde_json::Value::String(reason.to_string());
        audit::Entry::new(
            actor,
            AuditAction::MemberUpdate,
            format!("member:{}", p.member_id),
        )
        .org(org)
        .before(before.clone())
        .after(after)
        .commit(tx, chrono::Utc::now())
        .await
    })
    .await
}
