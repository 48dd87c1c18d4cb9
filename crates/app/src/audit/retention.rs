//! How long the log is kept and where it is anchored (`AuditConfig`), and the purge of
//! entries past the retention.

use super::*;

/// Audit log policy: how long entries are kept, where the anchors are written and how
/// often the server writes one.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AuditConfig {
    /// Months an entry is kept at least (purge refuses anything younger); at least
    /// [`MIN_RETENTION_MONTHS`].
    pub retention_months: u32,
    /// The anchor file (append-only, outside the database); `None` writes no anchors.
    pub anchor: Option<PathBuf>,
    /// How often a server writes an anchor (when the log moved).
    pub anchor_every: Duration,
}

/// The least retention the law asks for (网络安全法 第二十一条: six months).
pub const MIN_RETENTION_MONTHS: u32 = 6;

impl Default for AuditConfig {
    fn default() -> AuditConfig {
        AuditConfig {
            retention_months: MIN_RETENTION_MONTHS,
            anchor: None,
            anchor_every: Duration::from_secs(300),
        }
    }
}

impl AuditConfig {
    /// Checks the retention (refuses less than the minimum).
    pub fn with_retention(mut self, months: u32) -> Result<AuditConfig> {
        if months < MIN_RETENTION_MONTHS {
            return Err(AppError::Input(format!(
                "审计日志保存期限为{months}个月，不得少于{MIN_RETENTION_MONTHS}个月"
            )));
        }
        self.retention_months = months;
        Ok(self)
    }

    /// The anchor file's default place: `jiceng-audit.anchor` beside the key file.
    pub fn default_anchor(key_file: &Path) -> PathBuf {
        key_file
            .parent()
            .unwrap_or(Path::new(""))
            .join("jiceng-audit.anchor")
    }
}

/// Removes the entries older than `before` (a day, UTC), which must lie outside the
/// retention (`AuditConfig::retention_months` before today), after checking the chain;
/// the purge records itself and leaves a sealed mark so that the chain still verifies.
/// Only an administrator of the whole tree may. Returns how many entries were removed.
pub async fn purge(app: &App, actor: &Actor, before: chrono::NaiveDate) -> Result<u64> {
    // The table's row, and the whole tree: a purge is not a subtree's business.
    if !actor.may(crate::access::Action::PurgeAudit) || actor.scope != jiceng_store::Scope::All {
        return Err(AppError::Forbidden);
    }
    let months = app.audit.retention_months.max(MIN_RETENTION_MONTHS);
    let limit = app
        .today()
        .checked_sub_months(chrono::Months::new(months))
        .ok_or_else(|| AppError::Input("无法计算审计日志保存期限".into()))?;
    if before > limit {
        return Err(AppError::Input(format!(
            "审计日志须保存{months}个月：只能清理 {limit} 之前的记录，不能清理到 {before}"
        )));
    }
    let check = verify(app).await?;
    if !check.ok {
        return Err(AppError::Input(format!(
            "审计链校验未通过，不能清理（{}）",
            check.problems.join("；")
        )));
    }
    let sealer = AuditSealer(app.crypto.clone());
    let cutoff = before.format("%Y-%m-%d").to_string();
    let now = app.now();
    let (sealer, cutoff) = (&sealer, &cutoff);
    with_retry(|| async move {
        let mut tx = app.store.begin().await?;
        audit_store::hold_head(&mut tx).await?;
        let first_kept = audit_store::first_seq_from(&mut tx, cutoff).await?;
        let last = audit_store::head(&mut tx).await?.map_or(0, |(s, _)| s);
        // Everything is older than the day: the last entry stays, for the chain to go on.
        let first_kept = first_kept.unwrap_or(last);
        let n = if first_kept > 1 {
            audit_store::purge(&mut tx, sealer, first_kept, &now.to_rfc3339()).await?
        } else {
            0
        };
        Entry::new(actor, AuditAction::AuditPurge, "审计日志")
            .after(serde_json::json!({ "before": cutoff, "removed": n, "first_kept": first_kept }))
            .commit(tx, now)
            .await?;
        Ok(n)
    })
    .await
}
