//! The audit log as the use cases see it: every write, login, failed login, export and
//! view of unmasked personal data is recorded with a stable action code, in the same
//! transaction as the change (`record`), sealed with the audit key (a keyed MAC chain,
//! the key derived from the app's key and never stored in the database), anchored in a
//! file outside the database (`write_anchor`), and the chain can be checked (`verify`).
//!
//! `Entry::record` has no `App`: the sealer is found in a process-wide registry filled by
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

use crate::access::{Actor, Grant, ReadAudit};
use crate::{App, AppError, Crypto, Result};

mod chain;
mod read;
mod retention;

pub use chain::*;
pub use read::*;
pub use retention::*;

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
    RecruitmentRegister = 100,
    RecruitmentStep = 101,
    RecruitmentPlan = 102,
    TransferIssue = 110,
    TransferReceive = 111,
    TransferReturn = 112,
    TransferWithdraw = 113,
    TransferReceipt = 114,
    TransferIn = 115,
    MemberExit = 116,
    MemberMobility = 117,
    DuesBase = 118,
    DuesPayment = 119,
    DuesHandover = 120,
    TrainingRecorded = 121,
    StaffAssigned = 122,
    MobileIn = 123,
    MeetingCorrect = 124,
    MeetingVoid = 125,
    UserEnable = 126,
    SessionsEnd = 127,
    NoticeSend = 128,
    ExportFullIds = 129,
    AttachmentAdd = 130,
    AttachmentRemove = 131,
    /// 调整党小组成员: who of a branch sits in one of its groups.
    GroupMembers = 132,
    /// 登记民主评议结果: the grades of an evaluation meeting.
    EvaluationRecord = 133,
    /// 任务部署: a task issued down the tree (or passed down a level).
    TaskIssue = 134,
    /// A target's report of a task (progress or done).
    TaskReport = 135,
    /// A task's open targets reminded, or their deadline extended.
    TaskUrge = 136,
    /// The monthly burden ceilings set by the department.
    BurdenCeiling = 137,
    /// 督查: an inspection recorded with its problems.
    InspectionRecord = 138,
    /// A problem an inspection found, reported fixed.
    ProblemFix = 139,
    /// 述职评议考核, 述职述廉 or 离任审计 recorded with its problems.
    DutyRecord = 140,
    /// A problem a duty record named, reported fixed.
    DutyProblemFix = 141,
    /// A file given as a task's outcome (uploaded, or replacing the earlier one).
    TaskFile = 142,
    /// A duty record's report (or audit report) kept as a file.
    DutyFile = 143,
    /// The department's grading of duty reports set.
    DutyGrading = 144,
    /// 群众诉求: a request received and assigned (the requester's name and phone are never
    /// in the entry).
    MassRequestRecord = 150,
    /// A request's progress noted.
    MassRequestProgress = 151,
    /// A request resolved, with the requester's feedback.
    MassRequestResolve = 152,
    /// 群众满意度测评: a survey opened (never an answer or a token in any entry).
    SurveyOpen = 160,
    /// A batch of survey tokens issued (how many; never the tokens).
    SurveyTokens = 161,
    /// A survey closed.
    SurveyClose = 162,
    /// 经费保障: the department set its funding standards from a year on.
    FundingStandards = 170,
    /// A funding record removed (made by mistake).
    FundingRemove = 171,
    /// 活动场所: a venue recorded, with the orgs using it.
    VenueRecord = 180,
    /// A venue's fields or the orgs using it changed (before and after).
    VenueUpdate = 181,
    /// A venue retired (停用).
    VenueRetire = 182,
    /// 村（社区）书记报酬: a year's remuneration recorded (before and after).
    SecretaryPay = 183,
    /// The department's standard of secretaries' remuneration set (before and after).
    SecretaryPayStandard = 184,
    /// 党务公开: an item published, to the members or the public (a figure with its frozen
    /// value).
    DisclosurePublish = 190,
    /// A published item withdrawn.
    DisclosureWithdraw = 191,
    /// 结对共建: a pairing recorded.
    PairingRecord = 192,
    /// A pairing ended.
    PairingEnd = 193,
    /// 群众满意度测评: the department set its questionnaire from a day on (before and after).
    SurveyQuestionnaire = 205,
    /// 检验标准: an org's 发展成效 scored by hand for a period, or the score taken back
    /// (before and after).
    ScorecardHandScore = 206,
}

impl AuditAction {
    pub const ALL: [AuditAction; 101] = [
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
        AuditAction::RecruitmentRegister,
        AuditAction::RecruitmentStep,
        AuditAction::RecruitmentPlan,
        AuditAction::TransferIssue,
        AuditAction::TransferReceive,
        AuditAction::TransferReturn,
        AuditAction::TransferWithdraw,
        AuditAction::TransferReceipt,
        AuditAction::TransferIn,
        AuditAction::MemberExit,
        AuditAction::MemberMobility,
        AuditAction::DuesBase,
        AuditAction::DuesPayment,
        AuditAction::DuesHandover,
        AuditAction::TrainingRecorded,
        AuditAction::StaffAssigned,
        AuditAction::MobileIn,
        AuditAction::MeetingCorrect,
        AuditAction::MeetingVoid,
        AuditAction::UserEnable,
        AuditAction::SessionsEnd,
        AuditAction::NoticeSend,
        AuditAction::ExportFullIds,
        AuditAction::AttachmentAdd,
        AuditAction::AttachmentRemove,
        AuditAction::GroupMembers,
        AuditAction::EvaluationRecord,
        AuditAction::TaskIssue,
        AuditAction::TaskReport,
        AuditAction::TaskUrge,
        AuditAction::BurdenCeiling,
        AuditAction::InspectionRecord,
        AuditAction::ProblemFix,
        AuditAction::DutyRecord,
        AuditAction::DutyProblemFix,
        AuditAction::TaskFile,
        AuditAction::DutyFile,
        AuditAction::DutyGrading,
        AuditAction::MassRequestRecord,
        AuditAction::MassRequestProgress,
        AuditAction::MassRequestResolve,
        AuditAction::SurveyOpen,
        AuditAction::SurveyTokens,
        AuditAction::SurveyClose,
        AuditAction::FundingStandards,
        AuditAction::FundingRemove,
        AuditAction::VenueRecord,
        AuditAction::VenueUpdate,
        AuditAction::VenueRetire,
        AuditAction::SecretaryPay,
        AuditAction::SecretaryPayStandard,
        AuditAction::DisclosurePublish,
        AuditAction::DisclosureWithdraw,
        AuditAction::PairingRecord,
        AuditAction::PairingEnd,
        AuditAction::SurveyQuestionnaire,
        AuditAction::ScorecardHandScore,
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
            AuditAction::RecruitmentRegister => "recruitment_register",
            AuditAction::RecruitmentStep => "recruitment_step",
            AuditAction::RecruitmentPlan => "recruitment_plan",
            AuditAction::TransferIssue => "transfer_issue",
            AuditAction::TransferReceive => "transfer_receive",
            AuditAction::TransferReturn => "transfer_return",
            AuditAction::TransferWithdraw => "transfer_withdraw",
            AuditAction::TransferReceipt => "transfer_receipt",
            AuditAction::TransferIn => "transfer_in",
            AuditAction::MemberExit => "member_exit",
            AuditAction::MemberMobility => "member_mobility",
            AuditAction::DuesBase => "dues_base",
            AuditAction::DuesPayment => "dues_payment",
            AuditAction::DuesHandover => "dues_handover",
            AuditAction::TrainingRecorded => "training_recorded",
            AuditAction::StaffAssigned => "staff_assigned",
            AuditAction::MobileIn => "mobile_in",
            AuditAction::MeetingCorrect => "meeting_correct",
            AuditAction::MeetingVoid => "meeting_void",
            AuditAction::UserEnable => "user_enable",
            AuditAction::SessionsEnd => "sessions_end",
            AuditAction::NoticeSend => "notice_send",
            AuditAction::ExportFullIds => "export_full_ids",
            AuditAction::AttachmentAdd => "attachment_add",
            AuditAction::AttachmentRemove => "attachment_remove",
            AuditAction::GroupMembers => "group_members",
            AuditAction::EvaluationRecord => "evaluation_record",
            AuditAction::TaskIssue => "task_issue",
            AuditAction::TaskReport => "task_report",
            AuditAction::TaskUrge => "task_urge",
            AuditAction::BurdenCeiling => "burden_ceiling",
            AuditAction::InspectionRecord => "inspection_record",
            AuditAction::ProblemFix => "problem_fix",
            AuditAction::DutyRecord => "duty_record",
            AuditAction::DutyProblemFix => "duty_problem_fix",
            AuditAction::TaskFile => "task_file",
            AuditAction::DutyFile => "duty_file",
            AuditAction::DutyGrading => "duty_grading",
            AuditAction::MassRequestRecord => "mass_request_record",
            AuditAction::MassRequestProgress => "mass_request_progress",
            AuditAction::MassRequestResolve => "mass_request_resolve",
            AuditAction::SurveyOpen => "survey_open",
            AuditAction::SurveyTokens => "survey_tokens",
            AuditAction::SurveyClose => "survey_close",
            AuditAction::FundingStandards => "funding_standards",
            AuditAction::FundingRemove => "funding_remove",
            AuditAction::VenueRecord => "venue_record",
            AuditAction::VenueUpdate => "venue_update",
            AuditAction::VenueRetire => "venue_retire",
            AuditAction::SecretaryPay => "secretary_pay",
            AuditAction::SecretaryPayStandard => "secretary_pay_standard",
            AuditAction::DisclosurePublish => "disclosure_publish",
            AuditAction::DisclosureWithdraw => "disclosure_withdraw",
            AuditAction::PairingRecord => "pairing_record",
            AuditAction::PairingEnd => "pairing_end",
            AuditAction::SurveyQuestionnaire => "survey_questionnaire",
            AuditAction::ScorecardHandScore => "scorecard_hand_score",
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
            AuditAction::FundingRecord => "登记经费保障",
            AuditAction::AssistanceMappingSave => "修改帮扶部门对应关系",
            AuditAction::AuditExport => "导出审计日志",
            AuditAction::AuditPurge => "清理过期审计记录",
            AuditAction::Restore => "从备份恢复数据库",
            AuditAction::RecruitmentRegister => "登记入党申请人",
            AuditAction::RecruitmentStep => "记录发展党员步骤",
            AuditAction::RecruitmentPlan => "下达发展党员计划",
            AuditAction::TransferIssue => "开具组织关系介绍信",
            AuditAction::TransferReceive => "接收组织关系",
            AuditAction::TransferReturn => "退回组织关系介绍信",
            AuditAction::TransferWithdraw => "撤回组织关系介绍信",
            AuditAction::TransferReceipt => "登记组织关系回执",
            AuditAction::TransferIn => "接收系统外转入的组织关系",
            AuditAction::MemberExit => "登记党员出党",
            AuditAction::MemberMobility => "登记流动或失联党员",
            AuditAction::DuesBase => "核定党员党费基数",
            AuditAction::DuesPayment => "登记党费收缴",
            AuditAction::DuesHandover => "登记党费上缴",
            AuditAction::TrainingRecorded => "登记党员教育培训",
            AuditAction::StaffAssigned => "登记或免去党建工作人员",
            AuditAction::MobileIn => "登记流入党员",
            AuditAction::MeetingCorrect => "更正组织生活记录",
            AuditAction::MeetingVoid => "作废组织生活记录",
            AuditAction::UserEnable => "启用用户",
            AuditAction::SessionsEnd => "结束本人其他登录会话",
            AuditAction::NoticeSend => "向下级发送站内提醒",
            AuditAction::ExportFullIds => "导出含完整身份证号的名册",
            AuditAction::AttachmentAdd => "上传会议附件",
            AuditAction::AttachmentRemove => "删除会议附件",
            AuditAction::GroupMembers => "调整党小组成员",
            AuditAction::EvaluationRecord => "登记民主评议结果",
            AuditAction::TaskIssue => "部署任务",
            AuditAction::TaskReport => "报告任务完成情况",
            AuditAction::TaskUrge => "督办任务（提醒、延期）",
            AuditAction::BurdenCeiling => "设定减负上限",
            AuditAction::InspectionRecord => "登记督查",
            AuditAction::ProblemFix => "登记督查问题整改",
            AuditAction::DutyRecord => "登记述职评议考核",
            AuditAction::DutyProblemFix => "登记述职评议问题整改",
            AuditAction::TaskFile => "上传任务报送文件",
            AuditAction::DutyFile => "上传述职评议、审计报告文件",
            AuditAction::DutyGrading => "设定述职评议等次规则",
            AuditAction::MassRequestRecord => "受理群众诉求",
            AuditAction::MassRequestProgress => "登记群众诉求办理进展",
            AuditAction::MassRequestResolve => "办结群众诉求",
            AuditAction::SurveyOpen => "发起群众满意度测评",
            AuditAction::SurveyTokens => "发放群众满意度测评码",
            AuditAction::SurveyClose => "结束群众满意度测评",
            AuditAction::FundingStandards => "设定经费保障标准",
            AuditAction::FundingRemove => "删除经费记录",
            AuditAction::VenueRecord => "登记活动场所",
            AuditAction::VenueUpdate => "修改活动场所",
            AuditAction::VenueRetire => "停用活动场所",
            AuditAction::SecretaryPay => "登记村（社区）书记报酬",
            AuditAction::SecretaryPayStandard => "设定村（社区）书记报酬标准",
            AuditAction::DisclosurePublish => "发布党务公开事项",
            AuditAction::DisclosureWithdraw => "撤回党务公开事项",
            AuditAction::PairingRecord => "登记结对共建",
            AuditAction::PairingEnd => "结束结对共建",
            AuditAction::SurveyQuestionnaire => "设定群众满意度测评问卷",
            AuditAction::ScorecardHandScore => "检验标准发展成效人工评分",
        }
    }
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

    /// Writes `rows` and then records the entry (the transaction's last write), in one
    /// transaction at the app's time, committed, and run again as a whole on a conflict.
    /// `rows` gets the transaction and gives it back.
    pub async fn write<F, Fut>(&self, app: &App, rows: F) -> Result<()>
    where
        F: Fn(jiceng_store::Tx<'static>) -> Fut,
        Fut: Future<Output = Result<jiceng_store::Tx<'static>>>,
    {
        let rows = &rows;
        with_retry(|| async move {
            let tx = rows(app.store.begin().await?).await?;
            self.commit(tx, app.now()).await
        })
        .await
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

/// Makes the key available to [`Entry::record`] (called by `App::new`).
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

/// The org an actor acts for, for entries that concern no particular org (logins).
pub(crate) async fn actor_org(conn: &mut Conn, actor: &Actor) -> Result<Option<StoredOrg>> {
    match actor.org_id {
        Some(id) => Ok(jiceng_store::orgs::get(conn, &jiceng_store::Scope::All, id).await?),
        None => Ok(None),
    }
}
