//! The department's list: the referrals whose common org lies in the actor's scope, one
//! referral, and settling or dismissing it (audited).

use std::collections::HashMap;

use jiceng_store::orgs as org_store;
use jiceng_store::referral::{self as referral_store, ReferralKind, ReferralStatus};
use jiceng_store::{Conn, Scope};
use serde::Serialize;
use serde_json::{json, Value};

use super::iso;
use crate::access::{Action, Actor, Grant, HandleReferrals};
use crate::audit::{self, AuditAction};
use crate::{App, AppError, Result};

/// One referral as the department's page and the API show it.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ReferralView {
    pub id: i64,
    /// member, org or unit.
    pub kind: String,
    /// 党员、党组织、单位.
    pub kind_label: String,
    /// pending, settled or dismissed.
    pub status: String,
    pub status_label: String,
    /// UTC, ISO 8601.
    pub created_at: String,
    pub created_by: String,
    /// The file's name (or 表单).
    pub source: String,
    pub row: Option<i64>,
    /// Who is concerned: a name with a masked ID number, an org's name and code, a unit's
    /// name and credit code.
    pub subject: String,
    pub from_org_id: Option<i64>,
    pub from_org: Option<String>,
    pub existing_id: i64,
    pub existing_org_id: i64,
    pub existing_org: Option<String>,
    pub common_org_id: Option<i64>,
    pub common_org: Option<String>,
    /// The row's fields (ID numbers masked; the hash and ciphertext are not shown).
    pub data: Value,
    pub settled_at: Option<String>,
    pub settled_by: Option<String>,
    pub reason: Option<String>,
}

/// A page of the department's list.
pub type ReferralPage = crate::browse::Page<ReferralView>;

fn kind_label(k: ReferralKind) -> &'static str {
    match k {
        ReferralKind::Member => "党员",
        ReferralKind::Org => "党组织",
        ReferralKind::Unit => "单位",
    }
}

pub fn status_label(s: ReferralStatus) -> &'static str {
    match s {
        ReferralStatus::Pending => "待处理",
        ReferralStatus::Settled => "已办结",
        ReferralStatus::Dismissed => "已驳回",
    }
}

/// Whether the actor's role handles referrals: the department and the committees.
pub fn can_handle(actor: &Actor) -> bool {
    actor.may(Action::HandleReferrals)
}

async fn view(
    conn: &mut Conn,
    names: &mut HashMap<i64, Option<String>>,
    r: referral_store::StoredReferral,
) -> Result<ReferralView> {
    let ids: Vec<i64> = [
        r.referral.from_org_id,
        Some(r.referral.existing_org_id),
        r.referral.common_org_id,
    ]
    .into_iter()
    .flatten()
    .collect();
    for id in ids {
        if let std::collections::hash_map::Entry::Vacant(e) = names.entry(id) {
            let o = org_store::get(conn, &Scope::All, id).await?;
            e.insert(o.map(|o| o.org.name));
        }
    }
    let org_name = |id: Option<i64>| id.and_then(|i| names.get(&i).cloned().flatten());
    let mut data: Value = serde_json::from_str(&r.referral.data).unwrap_or(Value::Null);
    if let Value::Object(m) = &mut data {
        m.remove("id_hash");
        m.remove("id_cipher");
    }
    let text = |k: &str| data[k].as_str().unwrap_or("").to_string();
    let subject = match r.referral.kind {
        ReferralKind::Member => format!("{}（{}）", text("name"), text("id_masked")),
        ReferralKind::Org => format!("{}（组织代码 {}）", text("name"), text("code")),
        ReferralKind::Unit => format!(
            "{}（统一社会信用代码 {}）",
            text("name"),
            text("credit_code")
        ),
    };
    Ok(ReferralView {
        id: r.id,
        kind: r.referral.kind.code().into(),
        kind_label: kind_label(r.referral.kind).into(),
        status: r.status.code().into(),
        status_label: status_label(r.status).into(),
        created_at: r.referral.created_at,
        created_by: r.referral.created_by,
        source: r.referral.source,
        row: r.referral.row_number,
        subject,
        from_org_id: r.referral.from_org_id,
        from_org: org_name(r.referral.from_org_id),
        existing_id: r.referral.existing_id,
        existing_org_id: r.referral.existing_org_id,
        existing_org: org_name(Some(r.referral.existing_org_id)),
        common_org_id: r.referral.common_org_id,
        common_org: org_name(r.referral.common_org_id),
        data,
        settled_at: r.settled_at,
        settled_by: r.settled_by,
        reason: r.reason,
    })
}

/// A page of the referrals whose common org lies in the actor's scope (newest first);
/// `status` None lists all. Only the department and committees read them (the grant).
pub async fn list(
    app: &App,
    grant: &Grant<HandleReferrals>,
    status: Option<ReferralStatus>,
    page: i64,
    page_size: i64,
) -> Result<ReferralPage> {
    let page = page.clamp(1, i64::MAX / 1000);
    let page_size = page_size.clamp(1, 200);
    let mut conn = app.store.acquire().await?;
    let (rows, total) = referral_store::list(
        &mut conn,
        &grant.actor().scope,
        status,
        (page - 1).saturating_mul(page_size),
        page_size,
    )
    .await?;
    let mut names = HashMap::new();
    let mut items = Vec::with_capacity(rows.len());
    for r in rows {
        items.push(view(&mut conn, &mut names, r).await?);
    }
    Ok(ReferralPage {
        items,
        total,
        page,
        page_size,
    })
}

/// One referral in the actor's scope (else not found).
pub async fn get(app: &App, grant: &Grant<HandleReferrals>, id: i64) -> Result<ReferralView> {
    let mut conn = app.store.acquire().await?;
    let r = referral_in_scope(&mut conn, grant, id).await?;
    view(&mut conn, &mut HashMap::new(), r).await
}

/// The referral `id` in the scope of the grant's actor, else not found.
async fn referral_in_scope(
    conn: &mut Conn,
    grant: &Grant<HandleReferrals>,
    id: i64,
) -> Result<referral_store::StoredReferral> {
    referral_store::get(conn, &grant.actor().scope, id)
        .await?
        .ok_or_else(|| AppError::NotFound("转办事项".into()))
}

/// Settles (`true`: done, e.g. the transfer was made) or dismisses a pending referral in
/// the actor's scope, with a reason; audited (`ReferralSettle`).
pub async fn close(
    app: &App,
    grant: &Grant<HandleReferrals>,
    id: i64,
    settled: bool,
    reason: &str,
) -> Result<()> {
    let actor = grant.actor();
    let reason = reason.trim();
    if reason.is_empty() {
        return Err(AppError::Input("请填写处理意见（记入审计日志）".into()));
    }
    jiceng_domain::text::TextField {
        label: "处理意见",
        ..jiceng_domain::text::NOTE
    }
    .check(reason)
    .map_err(AppError::Input)?;
    let mut conn = app.store.acquire().await?;
    let r = referral_in_scope(&mut conn, grant, id).await?;
    if r.status != ReferralStatus::Pending {
        return Err(AppError::Input(format!(
            "该事项已处理（{}），不能再次处理",
            status_label(r.status)
        )));
    }
    let org = match r.referral.common_org_id {
        Some(c) => org_store::get(&mut conn, &Scope::All, c).await?,
        None => None,
    };
    drop(conn);
    let status = if settled {
        ReferralStatus::Settled
    } else {
        ReferralStatus::Dismissed
    };
    let (org, reason) = (org.as_ref(), reason);
    audit::with_retry(|| async move {
        let mut tx = app.store.begin().await?;
        let at = iso(app.now());
        if !referral_store::close(&mut tx, id, status, &at, &actor.username, reason).await? {
            return Err(AppError::Input("该事项已由他人处理，请刷新后查看".into()));
        }
        audit::Entry::new(actor, AuditAction::ReferralSettle, format!("referral:{id}"))
            .org(org)
            .before(Some(json!({ "status": ReferralStatus::Pending.code() })))
            .after(Some(json!({ "status": status.code(), "reason": reason })))
            .record(&mut tx, app.now())
            .await?;
        tx.commit().await?;
        Ok(())
    })
    .await
}
