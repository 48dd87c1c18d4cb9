//! The audit log as the use cases see it: every write, login, failed login, export and
//! view of unmasked personal data is recorded with a stable action code, in the same
//! transaction as the change (`record`), and the chain can be checked (`verify`).
//!
//! A transaction that records an entry may meet a concurrent writer of the log; it is
//! then run again as a whole by [`with_retry`] (every write use case here does so).
//! Record the entry as the transaction's last write where possible: from then until the
//! commit, other writers of the log wait (the chain has one head).

use std::future::Future;
use std::time::Duration;

use jiceng_store::audit::{self as audit_store, ChainProblem, NewEvent};
use jiceng_store::orgs::StoredOrg;
use jiceng_store::Conn;
use serde::Serialize;
use serde_json::Value;

use crate::access::{Actor, Role};
use crate::{App, AppError, Result};

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
    Import = 20,
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
}

impl AuditAction {
    pub const ALL: [AuditAction; 32] = [
        AuditAction::Login,
        AuditAction::LoginFailed,
        AuditAction::Logout,
        AuditAction::LoginThrottled,
        AuditAction::UserAdd,
        AuditAction::UserDisable,
        AuditAction::PasswordReset,
        AuditAction::PasswordChange,
        AuditAction::Import,
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
            AuditAction::Import => "import",
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
            AuditAction::Import => "导入",
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
    let event = NewEvent {
        at: at.format("%Y-%m-%dT%H:%M:%S%.3fZ").to_string(),
        actor_id: actor.user_id,
        actor: actor.username.clone(),
        code: action.code(),
        action: action.name().to_string(),
        target: target.to_string(),
        org_id: org.map(|o| o.org.id),
        org_path: org.map(|o| o.path.clone()),
        before: before.map(|v| v.to_string()),
        after: after.map(|v| v.to_string()),
    };
    audit_store::append(conn, &event).await?;
    Ok(())
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
pub const RETRIES: u32 = 5;

/// Runs a write transaction (begin … record … commit, all inside `f`) and runs it again,
/// up to [`RETRIES`] times with a short random pause, when it fails on a conflict.
pub async fn with_retry<T, F, Fut>(mut f: F) -> Result<T>
where
    F: FnMut() -> Fut,
    Fut: Future<Output = Result<T>>,
{
    let mut attempt = 0;
    loop {
        match f().await {
            Err(e) if attempt < RETRIES && is_retryable(&e) => {
                attempt += 1;
                let mut b = [0u8; 2];
                let _ = getrandom::getrandom(&mut b);
                let ms = 5 * u64::from(attempt) + u64::from(u16::from_le_bytes(b) % 20);
                tokio::time::sleep(Duration::from_millis(ms)).await;
            }
            other => return other,
        }
    }
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

/// A page of the log (newest first, `page` from 1) within the actor's scope, and the
/// total. Only administrators and auditors read it.
pub async fn list(
    app: &App,
    actor: &Actor,
    page: i64,
    page_size: i64,
) -> Result<(Vec<AuditEntry>, i64)> {
    if !matches!(actor.role, Role::Admin | Role::Auditor) {
        return Err(AppError::Forbidden);
    }
    let page_size = page_size.clamp(1, 500);
    let offset = (page.max(1) - 1).saturating_mul(page_size);
    let mut conn = app.store.acquire().await?;
    let (rows, total) = audit_store::list(&mut conn, &actor.scope, offset, page_size).await?;
    let items = rows
        .into_iter()
        .map(|r| {
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
        })
        .collect();
    Ok((items, total))
}

/// The outcome of checking the chain.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct VerifyReport {
    /// Entries checked.
    pub entries: i64,
    pub ok: bool,
    /// In Chinese, one line each.
    pub problems: Vec<String>,
    /// The hash of the last entry: written down elsewhere, it shows later that the log
    /// was not rewritten from some point on.
    pub last_hash: Option<String>,
}

/// Checks the whole chain: every entry matches its hash, links to the one before, and
/// none is missing (from the middle or the end).
pub async fn verify(app: &App) -> Result<VerifyReport> {
    let mut conn = app.store.acquire().await?;
    let r = audit_store::verify(&mut conn).await?;
    let problems: Vec<String> = r
        .problems
        .iter()
        .map(|p| match p {
            ChainProblem::Modified(n) => format!("第{n}条记录被修改"),
            ChainProblem::BrokenLink(n) => {
                format!("第{n}条记录与前一条记录的链接不符（前一条记录被修改或替换）")
            }
            ChainProblem::Missing { from, to } if from == to => format!("第{from}条记录缺失"),
            ChainProblem::Missing { from, to } => format!("第{from}至{to}条记录缺失"),
            ChainProblem::HeadMismatch { seq } => {
                format!("链头与最后一条记录（第{seq}条）不符（末尾记录被修改或替换）")
            }
        })
        .collect();
    Ok(VerifyReport {
        entries: r.entries,
        ok: problems.is_empty(),
        problems,
        last_hash: r.last_hash,
    })
}

/// The org an actor acts for, for entries that concern no particular org (logins).
pub(crate) async fn actor_org(conn: &mut Conn, actor: &Actor) -> Result<Option<StoredOrg>> {
    match actor.org_id {
        Some(id) => Ok(jiceng_store::orgs::get(conn, &jiceng_store::Scope::All, id).await?),
        None => Ok(None),
    }
}
