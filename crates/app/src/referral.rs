//! No oracle in imports (issue #11): a row whose key (ID number, org code, credit code)
//! belongs to a record outside the importer's scope is answered in a dry run exactly as a
//! new one; a real import does not write it but **refers** it, audited, to the department
//! of the lowest org holding both places, which settles (usually a transfer, 组织关系转接)
//! or dismisses it. The importer learns only that the row awaits the higher org.
//!
//! Also here: every check that writes nothing is audited with its out-of-scope matches
//! (`ImportDryRun`), real imports are limited per user (counted from the audit log, so the
//! limit holds across processes and restarts), and a spike of matches writes an
//! `ImportAlert` entry. The numbers are [`ImportLimits`], held by the `App`.

use std::collections::HashMap;

use jiceng_store::orgs::{self as org_store, StoredOrg};
pub use jiceng_store::referral::ReferralStatus;
use jiceng_store::referral::{self as referral_store, NewReferral, ReferralKind};
use jiceng_store::{Conn, Scope};
use serde::Serialize;
use serde_json::{json, Value};

use crate::access::{Action, Actor, Grant, HandleReferrals};
use crate::audit::{self, AuditAction};
use crate::{App, AppError, Result};

/// What the importer's report says of a referred row, and nothing more: not where, not why.
pub const REFERRED: &str = "已提交上级党组织处理";

/// The import rate and alert thresholds (issue #11), with their defaults.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ImportLimits {
    /// Real imports (that write) one user may run per window; the command line's system
    /// actor is not limited.
    pub imports_per_window: usize,
    pub window_minutes: i64,
    /// A single check or import with more out-of-scope matches than this raises an alert.
    pub alert_matches_per_import: usize,
    /// So do more than this many matches by one user within the alert window.
    pub alert_matches_in_window: usize,
    pub alert_window_minutes: i64,
}

impl Default for ImportLimits {
    fn default() -> ImportLimits {
        ImportLimits {
            imports_per_window: 20,
            window_minutes: 60,
            alert_matches_per_import: 5,
            alert_matches_in_window: 20,
            alert_window_minutes: 24 * 60,
        }
    }
}

fn iso(t: chrono::DateTime<chrono::Utc>) -> String {
    t.format("%Y-%m-%dT%H:%M:%S%.3fZ").to_string()
}

fn parse_iso(s: &str) -> Option<chrono::DateTime<chrono::Utc>> {
    chrono::DateTime::parse_from_rfc3339(s)
        .ok()
        .map(|t| t.with_timezone(&chrono::Utc))
}

/// Refuses a real import when the actor has run `imports_per_window` of them within the
/// window, saying when to try again (China Standard Time).
pub async fn check_import_rate(app: &App, actor: &Actor) -> Result<()> {
    if actor.user_id == 0 {
        return Ok(());
    }
    let limits = &app.import_limits;
    let now = app.now();
    let window = chrono::Duration::minutes(limits.window_minutes.max(1));
    let mut conn = app.store.acquire().await?;
    let done = referral_store::events_since(
        &mut conn,
        actor.user_id,
        AuditAction::Import.code(),
        &iso(now - window),
    )
    .await?;
    if done.len() < limits.imports_per_window {
        return Ok(());
    }
    // The oldest import of the window leaves it first.
    let k = done.len() - limits.imports_per_window;
    let retry = done
        .get(k)
        .and_then(|(at, _)| parse_iso(at))
        .map(|t| t + window)
        .unwrap_or(now + window);
    let cst = retry.with_timezone(&chrono::FixedOffset::east_opt(8 * 3600).expect("UTC+8"));
    Err(AppError::TooFrequent(format!(
        "导入过于频繁：每位用户每{}分钟最多正式导入{}次。请于 {}（北京时间）之后再试；\
         检查文件（试导入）不受此限制",
        limits.window_minutes,
        limits.imports_per_window,
        cst.format("%Y-%m-%d %H:%M")
    )))
}

/// The alert to record with a check or import of `matches` out-of-scope matches by the
/// actor, if the thresholds are exceeded: the entry's `after`. Read before the transaction.
pub(crate) async fn alert_due(app: &App, actor: &Actor, matches: usize) -> Result<Option<Value>> {
    if matches == 0 {
        return Ok(None);
    }
    let limits = &app.import_limits;
    let since = iso(app.now() - chrono::Duration::minutes(limits.alert_window_minutes.max(1)));
    let mut conn = app.store.acquire().await?;
    let checks = referral_store::events_since(
        &mut conn,
        actor.user_id,
        AuditAction::ImportDryRun.code(),
        &since,
    )
    .await?;
    let earlier_checks: usize = checks
        .iter()
        .filter_map(|(_, after)| after.as_deref())
        .filter_map(|a| serde_json::from_str::<Value>(a).ok())
        .filter_map(|v| v["out_of_scope"].as_u64())
        .sum::<u64>() as usize;
    let earlier_referrals = referral_store::events_since(
        &mut conn,
        actor.user_id,
        AuditAction::ImportReferral.code(),
        &since,
    )
    .await?
    .len();
    let in_window = earlier_checks + earlier_referrals + matches;
    let single = matches > limits.alert_matches_per_import;
    let window = in_window > limits.alert_matches_in_window;
    if !single && !window {
        return Ok(None);
    }
    Ok(Some(json!({
        "out_of_scope": matches,
        "in_window": in_window,
        "window_minutes": limits.alert_window_minutes,
        "threshold_per_import": limits.alert_matches_per_import,
        "threshold_in_window": limits.alert_matches_in_window,
        "reason": match (single, window) {
            (true, true) => "单次及时段内范围外匹配均超过阈值",
            (true, false) => "单次导入范围外匹配超过阈值",
            _ => "时段内范围外匹配超过阈值",
        },
    })))
}

/// Records a check that wrote nothing (a dry run, or an import refused for bad rows): who,
/// what, how many rows, and how many matched records outside the scope — for the
/// auditors; the importer's report does not change with it. An alert goes with it when due.
pub(crate) async fn record_check(
    app: &App,
    actor: &Actor,
    kind: &str,
    report: &crate::import::ImportReport,
    org: Option<&StoredOrg>,
    matches: usize,
) -> Result<()> {
    let alert = alert_due(app, actor, matches).await?;
    let name = file_name(&report.file);
    let (rows, valid, dry_run) = (report.rows, report.valid, report.dry_run);
    let (name, alert) = (&name, &alert);
    audit::with_retry(|| async move {
        let mut tx = app.store.begin().await?;
        audit::record_at(
            &mut tx,
            app.now(),
            actor,
            AuditAction::ImportDryRun,
            name,
            org,
            None,
            Some(json!({
                "kind": kind,
                "rows": rows,
                "valid": valid,
                "dry_run": dry_run,
                "out_of_scope": matches,
            })),
        )
        .await?;
        if let Some(a) = alert {
            record_alert(&mut tx, app, actor, kind, name, org, a).await?;
        }
        tx.commit().await?;
        Ok(())
    })
    .await
}

async fn record_alert(
    conn: &mut Conn,
    app: &App,
    actor: &Actor,
    kind: &str,
    name: &str,
    org: Option<&StoredOrg>,
    alert: &Value,
) -> Result<()> {
    let mut after = alert.clone();
    after["kind"] = json!(kind);
    audit::record_at(
        conn,
        app.now(),
        actor,
        AuditAction::ImportAlert,
        name,
        org,
        None,
        Some(after),
    )
    .await
}

/// The file's own name, never the folder it was uploaded to.
pub(crate) fn file_name(file: &str) -> String {
    std::path::Path::new(file)
        .file_name()
        .map(|n| n.to_string_lossy().to_string())
        .unwrap_or_else(|| file.to_string())
}

/// The lowest common ancestor of two org paths (`/1/2s/` and `/1/3/` → `/1/`), or `None`
/// for different roots.
pub fn common_path(a: &str, b: &str) -> Option<String> {
    let mut out = String::from("/");
    for (x, y) in a
        .split('/')
        .filter(|s| !s.is_empty())
        .zip(b.split('/').filter(|s| !s.is_empty()))
    {
        if x != y {
            break;
        }
        out.push_str(x);
        out.push('/');
    }
    (out.len() > 1).then_some(out)
}

/// A row to refer, as an import found it.
#[derive(Debug, Clone)]
pub(crate) struct Pending {
    pub kind: ReferralKind,
    pub row: Option<usize>,
    /// Where the row would have gone (its org, or the parent of an org row).
    pub from_org_id: Option<i64>,
    pub from_path: Option<String>,
    pub existing_id: i64,
    pub existing_org_id: i64,
    pub existing_path: String,
    /// What the department needs to act; ID numbers only as hash and ciphertext.
    pub data: Value,
    /// The masked key for the audit entry (`371102********182X`, an org code, a credit code).
    pub key: String,
}

/// Referrals ready to write inside an import's transaction: ids reserved and common orgs
/// read beforehand (ids are handed out in their own short transaction).
pub(crate) struct Prepared {
    items: Vec<(i64, NewReferral, String)>,
    orgs: HashMap<i64, StoredOrg>,
    alert: Option<Value>,
    kind: String,
}

pub(crate) async fn prepare(
    app: &App,
    actor: &Actor,
    kind: &str,
    source: &str,
    pending: Vec<Pending>,
) -> Result<Prepared> {
    let first = app
        .store
        .reserve_ids("referral", pending.len() as i64)
        .await?;
    let at = iso(app.now());
    let source = file_name(source);
    let mut orgs = HashMap::new();
    let mut conn = app.store.acquire().await?;
    let mut items = Vec::with_capacity(pending.len());
    for (n, p) in pending.into_iter().enumerate() {
        let common = p
            .from_path
            .as_deref()
            .and_then(|f| common_path(f, &p.existing_path));
        let common_id = common
            .as_deref()
            .and_then(|c| jiceng_domain::path::ids(c).last().copied());
        if let Some(id) = common_id {
            if let std::collections::hash_map::Entry::Vacant(e) = orgs.entry(id) {
                if let Some(o) = org_store::get(&mut conn, &Scope::All, id).await? {
                    e.insert(o);
                }
            }
        }
        items.push((
            first + n as i64,
            NewReferral {
                kind: p.kind,
                created_at: at.clone(),
                created_by: actor.username.clone(),
                created_by_id: actor.user_id,
                source: source.clone(),
                row_number: p.row.map(|r| r as i64),
                from_org_id: p.from_org_id,
                existing_id: p.existing_id,
                existing_org_id: p.existing_org_id,
                common_org_id: common_id,
                common_path: common.unwrap_or_default(),
                data: p.data.to_string(),
            },
            p.key,
        ));
    }
    drop(conn);
    let alert = alert_due(app, actor, items.len()).await?;
    Ok(Prepared {
        items,
        orgs,
        alert,
        kind: kind.to_string(),
    })
}

/// Writes the referrals, one `ImportReferral` entry each (against the common org, so the
/// auditors of the department that settles it see it), and the alert when due.
pub(crate) async fn write(
    conn: &mut Conn,
    app: &App,
    actor: &Actor,
    import_org: Option<&StoredOrg>,
    p: &Prepared,
) -> Result<()> {
    for (id, r, key) in &p.items {
        referral_store::insert(conn, *id, r).await?;
        let org = r.common_org_id.and_then(|c| p.orgs.get(&c));
        audit::record_at(
            conn,
            app.now(),
            actor,
            AuditAction::ImportReferral,
            &format!("referral:{id}"),
            org.or(import_org),
            None,
            Some(json!({
                "kind": r.kind.code(),
                "source": r.source,
                "row": r.row_number,
                "key": key,
                "from_org_id": r.from_org_id,
                "existing_org_id": r.existing_org_id,
                "common_org_id": r.common_org_id,
            })),
        )
        .await?;
    }
    if let Some(a) = &p.alert {
        let source = p
            .items
            .first()
            .map(|(_, r, _)| r.source.clone())
            .unwrap_or_default();
        record_alert(conn, app, actor, &p.kind, &source, import_org, a).await?;
    }
    Ok(())
}

/// Refers one row now, in its own transaction (a form's write, not an import's).
pub(crate) async fn refer_now(
    app: &App,
    actor: &Actor,
    kind: &str,
    source: &str,
    org: Option<&StoredOrg>,
    pending: Pending,
) -> Result<()> {
    let p = prepare(app, actor, kind, source, vec![pending]).await?;
    let p = &p;
    audit::with_retry(|| async move {
        let mut tx = app.store.begin().await?;
        write(&mut tx, app, actor, org, p).await?;
        tx.commit().await?;
        Ok(())
    })
    .await
}

// ------------------------------------------------------------------ the department's list

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
        audit::record_at(
            &mut tx,
            app.now(),
            actor,
            AuditAction::ReferralSettle,
            &format!("referral:{id}"),
            org,
            Some(json!({ "status": ReferralStatus::Pending.code() })),
            Some(json!({ "status": status.code(), "reason": reason })),
        )
        .await?;
        tx.commit().await?;
        Ok(())
    })
    .await
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn common_path_is_the_lowest_shared_ancestor() {
        assert_eq!(
            common_path("/1/2s/9ix/", "/1/2s/a/").as_deref(),
            Some("/1/2s/")
        );
        assert_eq!(common_path("/1/2s/", "/1/2s/a/").as_deref(), Some("/1/2s/"));
        assert_eq!(common_path("/1/2/", "/1/20/").as_deref(), Some("/1/"));
        assert_eq!(common_path("/1/", "/2/"), None);
    }
}
