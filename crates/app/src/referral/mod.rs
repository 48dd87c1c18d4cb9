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
use serde_json::{json, Value};

use crate::access::Actor;
use crate::audit::{self, AuditAction};
use crate::{App, AppError, Result};

mod handle;

pub use handle::{can_handle, close, get, list, status_label, ReferralPage, ReferralView};

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
        audit::Entry::new(actor, AuditAction::ImportDryRun, name)
            .org(org)
            .after(Some(json!({
                "kind": kind,
                "rows": rows,
                "valid": valid,
                "dry_run": dry_run,
                "out_of_scope": matches,
            })))
            .record(&mut tx, app.now())
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
    audit::Entry::new(actor, AuditAction::ImportAlert, name)
        .org(org)
        .after(Some(after))
        .record(conn, app.now())
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
        audit::Entry::new(actor, AuditAction::ImportReferral, format!("referral:{id}"))
            .org(org.or(import_org))
            .after(Some(json!({
                "kind": r.kind.code(),
                "source": r.source,
                "row": r.row_number,
                "key": key,
                "from_org_id": r.from_org_id,
                "existing_org_id": r.existing_org_id,
                "common_org_id": r.common_org_id,
            })))
            .record(conn, app.now())
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

#[cfg(test)]
mod tests;
