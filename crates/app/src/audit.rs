//! The audit log as the use cases see it: every write, login, failed login, export and
//! view of unmasked personal data is recorded with a stable action code, in the same
//! transaction as the change (`record`), sealed with the audit key (a keyed MAC chain,
//! the key derived from the app's key and never stored in the database), anchored in a
//! file outside the database (`write_anchor`), and the chain can be checked (`verify`).
//!
//! `record_at` has no `App`: the sealer is found in a process-wide registry filled by
//! `App::new` ([`register`]), by the key fingerprint the database records (the sole or
//! first key registered in the process when it records none), read under the head's lock.
//!
//! A transaction that records an entry may meet a concurrent writer of the log; it is
//! then run again as a whole by [`with_retry`] (every write use case here does so).
//! Record the entry as the transaction's last write where possible: from then until the
//! commit, other writers of the log wait (the chain has one head).

use std::future::Future;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use jiceng_store::audit::{self as audit_store, ChainProblem, Filter, NewEvent, Sealer};
use jiceng_store::orgs::StoredOrg;
use jiceng_store::Conn;
use serde::Serialize;
use serde_json::Value;

use crate::access::Actor;
use crate::{App, AppError, Crypto, Result};

/// What was done. The numeric codes are stored and never renumbered; new actions take
/// new codes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
pub enum AuditAction {
    Login = 1,
    LoginFailed = 2,
    Logout = 3,
    LoginThrottled = 4,
    UserAdd = 10,
    UserDisable = 11,
    PasswordReset = 12,
    PasswordChange = 13,
    RoleChange = 14,
    TotpEnrol = 15,
    TotpReset = 16,
    ScopeChange = 17,
    Import = 20,
    ImportDryRun = 21,
    ImportReferral = 22,
    ImportAlert = 23,
    ReferralSettle = 24,
    OrgCreate = 30,
    OrgUpdate = 31,
    OrgMove = 32,
    OrgMerge = 33,
    OrgDissolve = 34,
    MemberCreate = 40,
    MemberUpdate = 41,
    UnitUpdate = 45,
    Export = 50,
    ViewIdNumber = 51,
    MeetingRecord = 60,
    KeyRotate = 70,
    CryptoSuiteSet = 71,
    RatingAdjust = 80,
    WeaknessConfirm = 81,
    WeaknessDismiss = 82,
    RectificationUpdate = 83,
    RatingCompute = 84,
    RatingManualScore = 85,
    IndicatorSetSave = 86,
    WeaknessSignalRecord = 87,
    DisciplineCaseRecord = 88,
    FundingRecord = 89,
    AssistanceMappingSave = 90,
    AuditExport = 91,
    AuditPurge = 92,
    Restore = 93,
}

impl AuditAction {
    pub const ALL: [AuditAction; 44] = [
        AuditAction::Login,
        AuditAction::LoginFailed,
        AuditAction::Logout,
        AuditAction::LoginThrottled,
        AuditAction::UserAdd,
        AuditAction::UserDisable,
        AuditAction::PasswordReset,
        AuditAction::PasswordChange,
        AuditAction::RoleChange,
        AuditAction::TotpEnrol,
        AuditAction::TotpReset,
        AuditAction::ScopeChange,
        AuditAction::Import,
        AuditAction::ImportDryRun,
        AuditAction::ImportReferral,
        AuditAction::ImportAlert,
        AuditAction::ReferralSettle,
        AuditAction::OrgCreate,
        AuditAction::OrgUpdate,
        AuditAction::OrgMove,
        AuditAction::OrgMerge,
        AuditAction::OrgDissolve,
        AuditAction::MemberCreate,
        AuditAction::MemberUpdate,
        AuditAction::UnitUpdate,
        AuditAction::Export,
        AuditAction::ViewIdNumber,
        AuditAction::MeetingRecord,
        AuditAction::KeyRotate,
        AuditAction::CryptoSuiteSet,
        AuditAction::RatingAdjust,
        AuditAction::WeaknessConfirm,
        AuditAction::WeaknessDismiss,
        AuditAction::RectificationUpdate,
        AuditAction::RatingCompute,
        AuditAction::RatingManualScore,
        AuditAction::IndicatorSetSave,
        AuditAction::WeaknessSignalRecord,
        AuditAction::DisciplineCaseRecord,
        AuditAction::FundingRecord,
        AuditAction::AssistanceMappingSave,
        AuditAction::AuditExport,
        AuditAction::AuditPurge,
        AuditAction::Restore,
    ];

    pub fn code(self) -> i64 {
        self as i64
    }

    pub fn from_code(code: i64) -> Option<AuditAction> {
        AuditAction::ALL.into_iter().find(|a| a.code() == code)
    }

    pub fn name(self) -> &'static str {
        match self {
            AuditAction::Login => "login",
            AuditAction::LoginFailed => "login_failed",
            AuditAction::Logout => "logout",
            AuditAction::LoginThrottled => "login_throttled",
            AuditAction::UserAdd => "user_add",
            AuditAction::UserDisable => "user_disable",
            AuditAction::PasswordReset => "password_reset",
            AuditAction::PasswordChange => "password_change",
            AuditAction::RoleChange => "role_change",
            AuditAction::TotpEnrol => "totp_enrol",
            AuditAction::TotpReset => "totp_reset",
            AuditAction::ScopeChange => "scope_change",
            AuditAction::Import => "import",
            AuditAction::ImportDryRun => "import_dry_run",
            AuditAction::ImportReferral => "import_referral",
            AuditAction::ImportAlert => "import_alert",
            AuditAction::ReferralSettle => "referral_settle",
            AuditAction::OrgCreate => "org_create",
            AuditAction::OrgUpdate => "org_update",
            AuditAction::OrgMove => "org_move",
            AuditAction::OrgMerge => "org_merge",
            AuditAction::OrgDissolve => "org_dissolve",
            AuditAction::MemberCreate => "member_create",
            AuditAction::MemberUpdate => "member_update",
            AuditAction::UnitUpdate => "unit_update",
            AuditAction::Export => "export",
            AuditAction::ViewIdNumber => "view_id_number",
            AuditAction::MeetingRecord => "meeting_record",
            AuditAction::KeyRotate => "key_rotate",
            AuditAction::CryptoSuiteSet => "crypto_suite_set",
            AuditAction::RatingAdjust => "rating_adjust",
            AuditAction::WeaknessConfirm => "weakness_confirm",
            AuditAction::WeaknessDismiss => "weakness_dismiss",
            AuditAction::RectificationUpdate => "rectification_update",
            AuditAction::RatingCompute => "rating_compute",
            AuditAction::RatingManualScore => "rating_manual_score",
            AuditAction::IndicatorSetSave => "indicator_set_save",
            AuditAction::WeaknessSignalRecord => "weakness_signal_record",
            AuditAction::DisciplineCaseRecord => "discipline_case_record",
            AuditAction::FundingRecord => "funding_record",
            AuditAction::AssistanceMappingSave => "assistance_mapping_save",
            AuditAction::AuditExport => "audit_export",
            AuditAction::AuditPurge => "audit_purge",
            AuditAction::Restore => "restore",
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            AuditAction::Login => "登录",
            AuditAction::LoginFailed => "登录失败",
            AuditAction::Logout => "退出登录",
            AuditAction::LoginThrottled => "登录请求过多被限流",
            AuditAction::UserAdd => "新增用户",
            AuditAction::UserDisable => "停用用户",
            AuditAction::PasswordReset => "重置密码",
            AuditAction::PasswordChange => "修改本人密码",
            AuditAction::RoleChange => "分配角色",
            AuditAction::TotpEnrol => "绑定动态验证码",
            AuditAction::TotpReset => "重置动态验证码",
            AuditAction::ScopeChange => "调整管理范围",
            AuditAction::Import => "导入",
            AuditAction::ImportDryRun => "导入检查（未写入）",
            AuditAction::ImportReferral => "导入行提交上级处理",
            AuditAction::ImportAlert => "导入异常告警",
            AuditAction::ReferralSettle => "处理提交事项",
            AuditAction::OrgCreate => "新建党组织",
            AuditAction::OrgUpdate => "修改党组织",
            AuditAction::OrgMove => "调整隶属关系",
            AuditAction::OrgMerge => "合并党组织",
            AuditAction::OrgDissolve => "撤销党组织",
            AuditAction::MemberCreate => "新增党员",
            AuditAction::MemberUpdate => "修改党员信息",
            AuditAction::UnitUpdate => "修改单位信息",
            AuditAction::Export => "导出",
            AuditAction::ViewIdNumber => "查看完整身份证号",
            AuditAction::MeetingRecord => "记录组织生活",
            AuditAction::KeyRotate => "更换密钥",
            AuditAction::CryptoSuiteSet => "启用个人信息加密保护",
            AuditAction::RatingAdjust => "调整评定星级",
            AuditAction::WeaknessConfirm => "确定软弱涣散问题",
            AuditAction::WeaknessDismiss => "排除软弱涣散问题",
            AuditAction::RectificationUpdate => "整顿工作记录",
            AuditAction::RatingCompute => "分类定级评定",
            AuditAction::RatingManualScore => "评定指标人工评分",
            AuditAction::IndicatorSetSave => "保存评定指标体系",
            AuditAction::WeaknessSignalRecord => "录入问题线索",
            AuditAction::DisciplineCaseRecord => "录入违纪违法案件",
            AuditAction::FundingRecord => "录入经费收入",
            AuditAction::AssistanceMappingSave => "修改帮扶部门对应关系",
            AuditAction::AuditExport => "导出审计日志",
            AuditAction::AuditPurge => "清理过期审计记录",
            AuditAction::Restore => "从备份恢复数据库",
        }
    }
}

/// Records an entry inside the caller's transaction, at the current time. Run the
/// transaction through [`with_retry`].
pub async fn record(
    conn: &mut Conn,
    actor: &Actor,
    action: AuditAction,
    target: &str,
    org: Option<&StoredOrg>,
    before: Option<Value>,
    after: Option<Value>,
) -> Result<()> {
    record_at(
        conn,
        chrono::Utc::now(),
        actor,
        action,
        target,
        org,
        before,
        after,
    )
    .await
}

/// `record` at a given instant (the app's clock, which tests may fix).
#[allow(clippy::too_many_arguments)]
pub async fn record_at(
    conn: &mut Conn,
    at: chrono::DateTime<chrono::Utc>,
    actor: &Actor,
    action: AuditAction,
    target: &str,
    org: Option<&StoredOrg>,
    before: Option<Value>,
    after: Option<Value>,
) -> Result<()> {
    Entry::new(actor, action, target)
        .org(org)
        .before(before)
        .after(after)
        .record(conn, at)
        .await
}

/// One entry to record: who did what to which target, at which org, with the state before
/// and after. Built once before the transaction, recorded inside it (again on a retry).
#[derive(Clone)]
pub struct Entry<'a> {
    actor: &'a Actor,
    action: AuditAction,
    target: String,
    org: Option<&'a StoredOrg>,
    before: Option<Value>,
    after: Option<Value>,
}

impl<'a> Entry<'a> {
    pub fn new(actor: &'a Actor, action: AuditAction, target: impl Into<String>) -> Self {
        Entry {
            actor,
            action,
            target: target.into(),
            org: None,
            before: None,
            after: None,
        }
    }

    /// The org the entry concerns (none: the actor's org).
    pub fn org(mut self, org: impl Into<Option<&'a StoredOrg>>) -> Self {
        self.org = org.into();
        self
    }

    /// The state before the change.
    pub fn before(mut self, before: impl Into<Option<Value>>) -> Self {
        self.before = before.into();
        self
    }

    /// The state after the change.
    pub fn after(mut self, after: impl Into<Option<Value>>) -> Self {
        self.after = after.into();
        self
    }

    /// Records the entry inside the caller's transaction at `at`. Run the transaction
    /// through [`with_retry`].
    pub async fn record(&self, conn: &mut Conn, at: chrono::DateTime<chrono::Utc>) -> Result<()> {
        let actor = self.actor;
        // Lock the head before any read (a read first would make a SQLite transaction that
        // only records an entry fail to upgrade to a writer under concurrency).
        audit_store::lock_head(conn).await?;
        // Every entry carries the org it concerns; one that names none is recorded at the
        // actor's org (an export without `?org=`, an admin action), so that the auditors of
        // that org see it. Only actors without an org leave it empty (seen with the whole
        // tree).
        let own;
        let org = match self.org {
            Some(o) => Some(o),
            None => {
                own = actor_org(conn, actor).await?;
                own.as_ref()
            }
        };
        let event = NewEvent {
            at: at.format("%Y-%m-%dT%H:%M:%S%.3fZ").to_string(),
            actor_id: actor.user_id,
            actor: actor.username.clone(),
            code: self.action.code(),
            action: self.action.name().to_string(),
            target: self.target.clone(),
            org_id: org.map(|o| o.org.id),
            org_path: org.map(|o| o.path.clone()),
            before: self.before.as_ref().map(|v| v.to_string()),
            after: self.after.as_ref().map(|v| v.to_string()),
        };
        let fingerprint = jiceng_store::protection::key_fingerprint(conn).await?;
        let sealer = sealer_for(fingerprint.as_deref())?.ok_or_else(|| {
            AppError::Input("审计密钥未设置：请先用密钥（JICENG_KEY 或密钥文件）启动应用".into())
        })?;
        audit_store::append_locked(conn, &event, sealer.as_ref()).await?;
        WROTE.store(true, Ordering::Relaxed);
        Ok(())
    }

    /// Records the entry as the transaction's last write and commits it.
    pub async fn commit(
        &self,
        mut tx: jiceng_store::Tx<'_>,
        at: chrono::DateTime<chrono::Utc>,
    ) -> Result<()> {
        self.record(&mut tx, at).await?;
        tx.commit().await?;
        Ok(())
    }

    /// Records the entry in a transaction of its own, run again on a conflict.
    pub async fn record_alone(&self, app: &App, at: chrono::DateTime<chrono::Utc>) -> Result<()> {
        with_retry(|| async move {
            let tx = app.store.begin().await?;
            self.commit(tx, at).await
        })
        .await
    }
}

/// Seals the audit log with the audit key of a [`Crypto`].
#[derive(Clone)]
pub struct AuditSealer(pub Crypto);

impl Sealer for AuditSealer {
    fn seal(&self, prev: &str, canonical: &[u8]) -> String {
        let mut data = Vec::with_capacity(prev.len() + canonical.len());
        data.extend_from_slice(prev.as_bytes());
        data.extend_from_slice(canonical);
        self.0.audit_mac(&data)
    }
}

/// The keys of this process by fingerprint, in the order they were first registered.
static SEALERS: Mutex<Vec<(String, Arc<AuditSealer>)>> = Mutex::new(Vec::new());
/// Whether this process has written an audit entry (the CLI anchors before it exits).
static WROTE: AtomicBool = AtomicBool::new(false);

/// Makes the key available to [`record_at`] (called by `App::new`).
pub fn register(crypto: &Crypto) {
    let fp = crate::privacy::key_fingerprint(crypto);
    let mut all = SEALERS.lock().unwrap_or_else(|e| e.into_inner());
    if !all.iter().any(|(f, _)| *f == fp) {
        all.push((fp, Arc::new(AuditSealer(crypto.clone()))));
    }
}

/// The sealer of the key the database records. A recorded key this process does not hold
/// is refused ([`CryptoError::KeyChanged`](crate::crypto::CryptoError::KeyChanged)): the
/// key was rotated beside this process, and an entry sealed with its old key would break
/// the chain.
fn sealer_for(fingerprint: Option<&str>) -> Result<Option<Arc<AuditSealer>>> {
    let all = SEALERS.lock().unwrap_or_else(|e| e.into_inner());
    match fingerprint {
        Some(fp) => match all.iter().find(|(f, _)| f == fp) {
            Some((_, s)) => Ok(Some(s.clone())),
            None => Err(crate::crypto::CryptoError::KeyChanged {
                recorded: crate::privacy::short(fp),
                held: all
                    .iter()
                    .map(|(f, _)| crate::privacy::short(f))
                    .collect::<Vec<_>>()
                    .join("、"),
            }
            .into()),
        },
        // A database that records no key yet (before `privacy::check_key` ran): the
        // process's first key, the same one whatever else registers later.
        None => Ok(all.first().map(|(_, s)| s.clone())),
    }
}

/// Whether this process has written an audit entry.
pub fn wrote_entries() -> bool {
    WROTE.load(Ordering::Relaxed)
}

/// Whether the error ends a transaction that may simply be run again (a concurrent
/// writer of the log, a busy SQLite database, a serialization failure or deadlock).
pub fn is_retryable(e: &AppError) -> bool {
    match e {
        AppError::Store(s) => audit_store::is_conflict(s),
        _ => false,
    }
}

/// How often a conflicting transaction is run again before the error is returned.
pub const RETRIES: u32 = jiceng_store::RETRIES;

/// Runs a write transaction (begin … record … commit, all inside `f`) and runs it again,
/// up to [`RETRIES`] times with a short random pause, when it fails on a conflict.
pub async fn with_retry<T, F, Fut>(f: F) -> Result<T>
where
    F: FnMut() -> Fut,
    Fut: Future<Output = Result<T>>,
{
    jiceng_store::with_retry(f, is_retryable).await
}

/// One entry as the log page and the API show it.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct AuditEntry {
    pub seq: i64,
    /// UTC, ISO 8601.
    pub at: String,
    pub actor: String,
    pub actor_id: i64,
    /// The stable numeric code.
    pub code: i64,
    /// The action's name (`login_failed`).
    pub action: String,
    /// The action in Chinese (登录失败).
    pub label: String,
    pub target: String,
    pub org_code: Option<String>,
    pub before: Option<Value>,
    pub after: Option<Value>,
}

fn parse_json(s: Option<String>) -> Option<Value> {
    s.map(|s| serde_json::from_str(&s).unwrap_or(Value::String(s)))
}

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

/// The scope in which an actor reads the log: its own, except that an auditor bound to no
/// org audits the whole tree (entries without an org included). Others may not read it.
/// Only auditors (and the command line) read it: 三权分立 keeps the system and security
/// administrators out of the log of their own actions.
async fn audit_scope(conn: &mut Conn, actor: &Actor) -> Result<jiceng_store::Scope> {
    if !may_read(actor) {
        return Err(AppError::Forbidden);
    }
    crate::users::org_scope(conn, actor).await
}

fn entry_of(r: audit_store::StoredEvent) -> AuditEntry {
    let action = AuditAction::from_code(r.event.code);
    AuditEntry {
        seq: r.seq,
        at: r.event.at,
        actor: r.event.actor,
        actor_id: r.event.actor_id,
        code: r.event.code,
        label: action
            .map(|a| a.label().to_string())
            .unwrap_or_else(|| r.event.action.clone()),
        action: r.event.action,
        target: r.event.target,
        org_code: r.org_code,
        before: parse_json(r.event.before),
        after: parse_json(r.event.after),
    }
}

/// A page of the log (newest first, `page` from 1) within the actor's scope, and the
/// total. Only auditors (and the command line) read it.
pub async fn list(
    app: &App,
    actor: &Actor,
    page: i64,
    page_size: i64,
) -> Result<(Vec<AuditEntry>, i64)> {
    let page_size = page_size.clamp(1, 500);
    let offset = (page.max(1) - 1).saturating_mul(page_size);
    let mut conn = app.store.acquire().await?;
    let scope = audit_scope(&mut conn, actor).await?;
    let (rows, total) = audit_store::list(&mut conn, &scope, offset, page_size).await?;
    Ok((rows.into_iter().map(entry_of).collect(), total))
}

/// The period of an export: from the start of `from` to the end of `to` (days in UTC,
/// as the entries' times are), either open.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Period {
    pub from: Option<chrono::NaiveDate>,
    pub to: Option<chrono::NaiveDate>,
}

impl Period {
    fn filter(&self) -> Result<Filter> {
        if let (Some(f), Some(t)) = (self.from, self.to) {
            if f > t {
                return Err(AppError::Input(format!(
                    "导出审计日志的起始日期 {f} 晚于截止日期 {t}"
                )));
            }
        }
        Ok(Filter {
            from: self.from.map(|d| d.format("%Y-%m-%d").to_string()),
            to: self
                .to
                .and_then(|d| d.succ_opt())
                .map(|d| d.format("%Y-%m-%d").to_string()),
        })
    }
}

/// Every entry of the period within the actor's scope (oldest first), as an .xlsx for
/// the assessor; the export is itself recorded (`AuditExport`).
pub async fn export(
    app: &App,
    actor: &Actor,
    period: Period,
) -> Result<(Vec<AuditEntry>, Vec<u8>)> {
    let filter = period.filter()?;
    let mut conn = app.store.acquire().await?;
    let scope = audit_scope(&mut conn, actor).await?;
    let (rows, _) = audit_store::list_filtered(&mut conn, &scope, &filter, 0, i64::MAX).await?;
    drop(conn);
    let mut entries: Vec<AuditEntry> = rows.into_iter().map(entry_of).collect();
    entries.reverse();
    let bytes = jiceng_io::workbook_bytes(&[sheet(&entries, period)]).map_err(AppError::Input)?;
    let after = serde_json::json!({
        "from": period.from.map(|d| d.to_string()),
        "to": period.to.map(|d| d.to_string()),
        "entries": entries.len(),
    });
    Entry::new(actor, AuditAction::AuditExport, "审计日志")
        .after(after)
        .record_alone(app, app.now())
        .await?;
    Ok((entries, bytes))
}

/// The same entries as CSV (UTF-8 with a byte-order mark, as spreadsheet programs in China
/// expect), the columns of the .xlsx.
pub fn csv(entries: &[AuditEntry]) -> String {
    let field = |s: &str| {
        if s.contains([',', '"', '\n', '\r']) {
            format!("\"{}\"", s.replace('"', "\"\""))
        } else {
            s.to_string()
        }
    };
    let json = |v: &Option<Value>| v.as_ref().map(|v| v.to_string()).unwrap_or_default();
    let mut out = String::from(
        "\u{feff}序号,时间（UTC）,操作人,操作人ID,操作代码,操作,对象,党组织代码,修改前,修改后\n",
    );
    for e in entries {
        let cells = [
            e.seq.to_string(),
            e.at.clone(),
            e.actor.clone(),
            e.actor_id.to_string(),
            e.code.to_string(),
            e.label.clone(),
            e.target.clone(),
            e.org_code.clone().unwrap_or_default(),
            json(&e.before),
            json(&e.after),
        ];
        let line: Vec<String> = cells.iter().map(|c| field(c)).collect();
        out.push_str(&line.join(","));
        out.push('\n');
    }
    out
}

fn sheet(entries: &[AuditEntry], period: Period) -> jiceng_io::Sheet {
    use jiceng_io::OutCell::{Empty, Int, Text};
    let text = |s: &Option<Value>| s.as_ref().map(|v| Text(v.to_string())).unwrap_or(Empty);
    let span = |d: Option<chrono::NaiveDate>| d.map(|d| d.to_string()).unwrap_or_default();
    jiceng_io::Sheet {
        name: "审计日志".into(),
        title: format!(
            "审计日志（{}至{}，共{}条）",
            span(period.from),
            span(period.to),
            entries.len()
        ),
        headers: [
            "序号",
            "时间（UTC）",
            "操作人",
            "操作人ID",
            "操作代码",
            "操作",
            "对象",
            "党组织代码",
            "修改前",
            "修改后",
        ]
        .map(String::from)
        .to_vec(),
        rows: entries
            .iter()
            .map(|e| {
                vec![
                    Int(e.seq),
                    Text(e.at.clone()),
                    Text(e.actor.clone()),
                    Int(e.actor_id),
                    Int(e.code),
                    Text(e.label.clone()),
                    Text(e.target.clone()),
                    e.org_code.clone().map(Text).unwrap_or(Empty),
                    text(&e.before),
                    text(&e.after),
                ]
            })
            .collect(),
    }
}

/// Whether the actor may read the audit log: the auditor, and the command line.
pub fn may_read(actor: &Actor) -> bool {
    actor.may(crate::access::Action::ReadAudit)
}

/// The outcome of checking the chain.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct VerifyReport {
    /// Entries checked.
    pub entries: i64,
    pub ok: bool,
    /// In Chinese, one line each, the first bad entry first.
    pub problems: Vec<String>,
    /// What the check covered, in Chinese (where the keyed chain starts, the anchors).
    pub notes: Vec<String>,
    /// The MAC of the last entry: written down elsewhere, it shows later that the log
    /// was not rewritten from some point on.
    pub last_hash: Option<String>,
    /// Anchors checked.
    pub anchors: usize,
}

/// Checks the whole chain with the audit key: every entry matches its MAC (its SHA-256
/// before the keyed chain), links to the one before, none is missing (from the middle
/// or the end), the marks are sealed with the key, and every anchor in the anchor file
/// is sealed with the key and names an entry that is still there, unchanged.
pub async fn verify(app: &App) -> Result<VerifyReport> {
    let mut problems = Vec::new();
    let mut notes = Vec::new();
    let anchors = match &app.audit.anchor {
        None => {
            notes.push("未配置审计锚点文件，无法发现整体改写、截断或清空".to_string());
            Vec::new()
        }
        Some(path) => {
            let file = read_anchor_file(&app.crypto, path)?;
            let (anchors, bad) = (file.anchors, file.bad);
            problems.extend(bad);
            for (r, set_aside) in &file.restores {
                notes.push(format!(
                    "{} 从备份恢复了数据库（审计日志恢复至第{}条）；此前的 {set_aside} 个锚点属于被替换的数据库，不再核对",
                    r.at, r.seq
                ));
            }
            if anchors.is_empty() && problems.is_empty() {
                notes.push(format!(
                    "尚无审计锚点（{}）：无法发现整体改写、截断或清空",
                    path.display()
                ));
            }
            anchors
        }
    };
    let pairs: Vec<(i64, String)> = anchors.iter().map(|a| (a.seq, a.mac.clone())).collect();
    let mut conn = app.store.acquire().await?;
    let sealer = AuditSealer(app.crypto.clone());
    let r = audit_store::verify(&mut conn, &sealer, &pairs).await?;
    problems.extend(r.problems.iter().map(|p| match p {
        ChainProblem::Modified(n) => {
            format!("第{n}条记录被修改")
        }
        ChainProblem::BrokenLink(n) => {
            format!("第{n}条记录与前一条记录的链接不符（前一条记录被修改或替换）")
        }
        ChainProblem::Missing { from, to } if from == to => format!("第{from}条记录缺失"),
        ChainProblem::Missing { from, to } => format!("第{from}至{to}条记录缺失"),
        ChainProblem::HeadMismatch { seq } => {
            format!("链头与最后一条记录（第{seq}条）不符（末尾记录被修改或替换）")
        }
        ChainProblem::MarkForged(kind) => format!(
            "审计链的{}标记与审计密钥不符（被伪造或修改）",
            if kind == audit_store::MARK_CUT {
                "清理"
            } else {
                "密钥起点"
            }
        ),
        ChainProblem::MarkMissing => "审计链的密钥起点标记缺失（审计日志被改写）".to_string(),
        ChainProblem::KeyedBeyondEnd { keyed, last } => {
            format!("带密钥的记录自第{keyed}条起，但日志只到第{last}条（末尾记录被删除）")
        }
        ChainProblem::AnchorMismatch { seq } => {
            format!("第{seq}条记录与锚点不符（该记录或其之前的记录被改写、删除或重新编号）")
        }
        ChainProblem::Truncated { anchored, last } if *last == 0 => {
            format!("审计日志为空，但锚点已记至第{anchored}条（日志被清空）")
        }
        ChainProblem::Truncated { anchored, last } => {
            format!("锚点已记至第{anchored}条，但日志只到第{last}条（末尾记录被删除）")
        }
    }));
    match r.keyed_from {
        Some(k) if k > 1 => notes.push(format!(
            "第1至{}条记录为启用密钥前的记录（仅无密钥哈希），自第{k}条起由审计密钥签名",
            k - 1
        )),
        Some(_) => notes.push("全部记录由审计密钥签名".to_string()),
        None if r.entries > 0 => notes.push("尚无由审计密钥签名的记录（仅无密钥哈希）".to_string()),
        None => {}
    }
    if let Some(c) = r.cut_at {
        notes.push(format!(
            "第{c}条之前的记录已按保存期限清理，清理标记与密钥相符"
        ));
    }
    if !anchors.is_empty() {
        let last = anchors.iter().max_by_key(|a| a.seq).expect("not empty");
        notes.push(format!(
            "已核对 {} 个锚点，最近的锚点：第{}条（{}）",
            anchors.len(),
            last.seq,
            last.at
        ));
    }
    Ok(VerifyReport {
        entries: r.entries,
        ok: problems.is_empty(),
        problems,
        notes,
        last_hash: r.last_hash,
        anchors: anchors.len(),
    })
}

/// One line of the anchor file: the log's last `seq` and MAC at a time.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Anchor {
    pub seq: i64,
    pub mac: String,
    pub at: String,
}

fn anchor_mac(crypto: &Crypto, seq: i64, mac: &str, at: &str) -> String {
    crypto.audit_mac(format!("jiceng-audit-anchor\n{seq}\n{mac}\n{at}").as_bytes())
}

/// The MAC of a restore mark: `restore\tSEQ\tMAC\tAT\tLINE_MAC`, written by `jiceng restore`
/// when it replaced the database with a backup whose log ends at entry SEQ (MAC). The
/// anchors above it belong to the database that was replaced and are no longer checked.
fn restore_mac(crypto: &Crypto, seq: i64, mac: &str, at: &str) -> String {
    crypto.audit_mac(format!("jiceng-audit-restore\n{seq}\n{mac}\n{at}").as_bytes())
}

/// A line of the anchor file, checked with the key.
enum AnchorLine {
    Anchor(Anchor),
    Restore(Anchor),
}

fn parse_anchor_line(crypto: &Crypto, line: &str) -> Option<AnchorLine> {
    let f: Vec<&str> = line.split('\t').collect();
    let anchor = |seq: &str, mac: &str, at: &str| {
        seq.parse::<i64>().ok().map(|seq| Anchor {
            seq,
            mac: mac.to_string(),
            at: at.to_string(),
        })
    };
    match f.as_slice() {
        [seq, mac, at, line_mac] => anchor(seq, mac, at)
            .filter(|a| anchor_mac(crypto, a.seq, mac, at) == *line_mac)
            .map(AnchorLine::Anchor),
        ["restore", seq, mac, at, line_mac] => anchor(seq, mac, at)
            .filter(|a| restore_mac(crypto, a.seq, mac, at) == *line_mac)
            .map(AnchorLine::Restore),
        _ => None,
    }
}

/// What the anchor file holds, checked with the key.
#[derive(Debug, Default)]
pub struct AnchorFile {
    /// The anchors in force: those after the last restore mark (the mark's own head
    /// among them).
    pub anchors: Vec<Anchor>,
    /// In Chinese, the lines not sealed with the key.
    pub bad: Vec<String>,
    /// The restore marks, with how many anchors each set aside.
    pub restores: Vec<(Anchor, usize)>,
}

/// The anchors of the file and, in Chinese, the lines that are not sealed with the key.
/// A missing file has no anchors.
pub fn read_anchors(crypto: &Crypto, path: &Path) -> Result<(Vec<Anchor>, Vec<String>)> {
    let f = read_anchor_file(crypto, path)?;
    Ok((f.anchors, f.bad))
}

/// The whole anchor file: anchors in force, bad lines and restore marks.
pub fn read_anchor_file(crypto: &Crypto, path: &Path) -> Result<AnchorFile> {
    let text = match std::fs::read_to_string(path) {
        Ok(t) => t,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(AnchorFile::default()),
        Err(e) => {
            return Err(AppError::Input(format!(
                "无法读取审计锚点文件 {}：{e}",
                path.display()
            )))
        }
    };
    let mut out = AnchorFile::default();
    for (i, line) in text.lines().enumerate() {
        if line.trim().is_empty() {
            continue;
        }
        match parse_anchor_line(crypto, line) {
            Some(AnchorLine::Anchor(a)) => out.anchors.push(a),
            Some(AnchorLine::Restore(a)) => {
                let set_aside = std::mem::take(&mut out.anchors).len();
                if a.seq > 0 {
                    out.anchors.push(a.clone());
                }
                out.restores.push((a, set_aside));
            }
            None => out.bad.push(format!(
                "审计锚点文件 {} 第{}行与审计密钥不符（被伪造或修改）",
                path.display(),
                i + 1
            )),
        }
    }
    Ok(out)
}

/// Appends a restore mark to the anchor file: the database was replaced by a backup whose
/// log ends at entry `seq` (`mac`, 0 and empty for an empty log); the anchors before it
/// belong to the replaced database. Called by the restore, with the restored database's
/// key, before anything is written to the restored log.
pub fn write_restore_mark(app: &App, seq: i64, mac: &str) -> Result<Option<Anchor>> {
    let Some(path) = &app.audit.anchor else {
        return Ok(None);
    };
    let at = app.now().format("%Y-%m-%dT%H:%M:%S%.3fZ").to_string();
    let line = format!(
        "restore\t{seq}\t{mac}\t{at}\t{}\n",
        restore_mac(&app.crypto, seq, mac, &at)
    );
    append_line(path, &line)?;
    Ok(Some(Anchor {
        seq,
        mac: mac.to_string(),
        at,
    }))
}

/// One line added to the anchor file (created 0600), synced.
fn append_line(path: &Path, line: &str) -> Result<()> {
    let err = |e: std::io::Error| {
        AppError::Input(format!("无法写入审计锚点文件 {}：{e}", path.display()))
    };
    let mut opts = std::fs::OpenOptions::new();
    opts.create(true).append(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        opts.mode(0o600);
    }
    let mut file = opts.open(path).map_err(err)?;
    // One write of one short line: appends from several processes do not interleave.
    file.write_all(line.as_bytes()).map_err(err)?;
    file.sync_data().map_err(err)?;
    Ok(())
}

/// Appends the log's head to the anchor file (created readable by its owner only) when
/// it moved since the file's last anchor. Returns the anchor written, if any.
pub async fn write_anchor(app: &App) -> Result<Option<Anchor>> {
    let Some(path) = &app.audit.anchor else {
        return Ok(None);
    };
    let mut conn = app.store.acquire().await?;
    let Some((seq, mac)) = audit_store::head(&mut conn).await? else {
        return Ok(None);
    };
    // A process whose key was rotated away under it (a server left running) seals no
    // anchor with its old key.
    let recorded = jiceng_store::protection::key_fingerprint(&mut conn).await?;
    let mine = crate::privacy::key_fingerprint(&app.crypto);
    if let Some(f) = recorded.filter(|f| *f != mine) {
        return Err(crate::crypto::CryptoError::KeyChanged {
            recorded: crate::privacy::short(&f),
            held: crate::privacy::short(&mine),
        }
        .into());
    }
    drop(conn);
    let (known, _) = read_anchors(&app.crypto, path)?;
    if seq == 0 || known.iter().any(|a| a.seq == seq && a.mac == mac) {
        return Ok(None);
    }
    let at = app.now().format("%Y-%m-%dT%H:%M:%S%.3fZ").to_string();
    let line = format!(
        "{seq}\t{mac}\t{at}\t{}\n",
        anchor_mac(&app.crypto, seq, &mac, &at)
    );
    append_line(path, &line)?;
    Ok(Some(Anchor { seq, mac, at }))
}

/// Seals the audit log again with the audit key of `new` (a rotation of the key), in the
/// rotation's transaction, after checking it with the current key. Returns each old MAC
/// with its new one, for [`reseal_anchors`] after the commit.
pub async fn reseal(
    conn: &mut Conn,
    app: &App,
    new: &Crypto,
) -> Result<std::collections::HashMap<String, String>> {
    register(new);
    let old = AuditSealer(app.crypto.clone());
    Ok(audit_store::reseal(conn, &old, &AuditSealer(new.clone())).await?)
}

/// Rewrites the anchor file for the new key after [`reseal`]: each anchor sealed with
/// the current key names the entry's new MAC and is sealed with the new key; a line that
/// was not sealed with the current key is kept as it is (verify goes on reporting it).
pub async fn reseal_anchors(
    app: &App,
    new: &Crypto,
    resealed: &std::collections::HashMap<String, String>,
) -> Result<()> {
    let Some(path) = &app.audit.anchor else {
        return Ok(());
    };
    let err = |e: std::io::Error| {
        AppError::Input(format!("无法改写审计锚点文件 {}：{e}", path.display()))
    };
    let text = match std::fs::read_to_string(path) {
        Ok(t) => t,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(()),
        Err(e) => return Err(err(e)),
    };
    let mut out = String::new();
    for line in text.lines().filter(|l| !l.trim().is_empty()) {
        match parse_anchor_line(&app.crypto, line) {
            Some(AnchorLine::Anchor(a)) => {
                let (seq, at) = (a.seq, a.at.as_str());
                let mac = resealed.get(&a.mac).unwrap_or(&a.mac);
                out.push_str(&format!(
                    "{seq}\t{mac}\t{at}\t{}\n",
                    anchor_mac(new, seq, mac, at)
                ));
            }
            Some(AnchorLine::Restore(a)) => {
                let (seq, at) = (a.seq, a.at.as_str());
                let mac = resealed.get(&a.mac).unwrap_or(&a.mac);
                out.push_str(&format!(
                    "restore\t{seq}\t{mac}\t{at}\t{}\n",
                    restore_mac(new, seq, mac, at)
                ));
            }
            None => {
                out.push_str(line);
                out.push('\n');
            }
        }
    }
    let tmp = path.with_extension("anchor.tmp");
    let mut opts = std::fs::OpenOptions::new();
    opts.create(true).write(true).truncate(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        opts.mode(0o600);
    }
    let mut file = opts.open(&tmp).map_err(err)?;
    file.write_all(out.as_bytes()).map_err(err)?;
    file.sync_all().map_err(err)?;
    std::fs::rename(&tmp, path).map_err(err)?;
    // And the head after the rotation, sealed with the new key.
    let mut rotated = app.clone();
    rotated.crypto = new.clone();
    write_anchor(&rotated).await?;
    Ok(())
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

/// The org an actor acts for, for entries that concern no particular org (logins).
pub(crate) async fn actor_org(conn: &mut Conn, actor: &Actor) -> Result<Option<StoredOrg>> {
    match actor.org_id {
        Some(id) => Ok(jiceng_store::orgs::get(conn, &jiceng_store::Scope::All, id).await?),
        None => Ok(None),
    }
}
