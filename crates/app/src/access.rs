//! Who is acting and what they may do: roles, the actor, its scope, the one permission
//! table, and the two proofs a use case takes instead of a string.
//!
//! Access is a capability (lldap's restricted handler): the actor's `Scope` is a literal
//! subtree resolved when the session is checked (a user bound to no org sees nothing; an
//! administrator without an org sees everything). From it come two values only this module
//! can make:
//!
//! - [`InScope<OrgRecord>`]: an org key (id, code, exact name, or the actor's home org)
//!   resolved once against the actor. Outside the subtree and not found are the same
//!   error (404 at the edge); a role that reads no org data is refused here, once.
//! - [`Grant<P>`]: the actor, checked once against [`PERMISSIONS`] (role × action) for the
//!   permission `P` (a marker type such as [`DecideWeakness`]). A use case that writes takes
//!   `&Grant<P>`, so it cannot be called by a role the table refuses.
//!
//! The web's buttons ask [`Actor::may`] of the same table; `docs/PERMISSIONS.md` is printed
//! from it (`jiceng permissions`).
//!
//! 三权分立: the system administrator (`Admin`: accounts, settings, backups), the security
//! administrator (`Security`: roles, scopes, keys, second-factor resets) and the auditor
//! (`Auditor`: the audit log, nothing else) are separate roles. An account holds one role,
//! and the role of an account holding one of these three never changes (see
//! `users::set_role`). The security administrator and the auditor read no business data:
//! their `scope` is `Nothing`; the subtree their org gives them bounds only the accounts
//! they manage and the log they read ([`Actor`]'s `org_id`, resolved by `users::org_scope`).

use std::marker::PhantomData;
use std::ops::Deref;

use jiceng_store::Scope;
use serde::{Deserialize, Serialize};

use crate::{App, AppError, OrgRecord, Result};

/// The roles of SPEC "Who uses it".
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum Role {
    /// 系统管理员: users, backups, settings.
    Admin,
    /// 组织部门 (county, city, province organization department).
    Department,
    /// 党委/党工委 staff (township or street committee secretary, 组织委员).
    Committee,
    /// 支部书记 / 党务工作者.
    Secretary,
    /// 督查: read-only plus inspection records.
    Inspector,
    /// 党员: self only.
    Member,
    /// 审计员: reads and exports the audit log within the scope, nothing else.
    Auditor,
    /// 安全管理员: assigns roles and scopes, rotates keys, resets second factors.
    Security,
}

impl Role {
    pub const ALL: [Role; 8] = [
        Role::Admin,
        Role::Department,
        Role::Committee,
        Role::Secretary,
        Role::Inspector,
        Role::Member,
        Role::Auditor,
        Role::Security,
    ];

    pub fn code(self) -> &'static str {
        match self {
            Role::Admin => "admin",
            Role::Department => "department",
            Role::Committee => "committee",
            Role::Secretary => "secretary",
            Role::Inspector => "inspector",
            Role::Member => "member",
            Role::Auditor => "auditor",
            Role::Security => "security",
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            Role::Admin => "系统管理员",
            Role::Department => "组织部门",
            Role::Committee => "党（工）委",
            Role::Secretary => "支部书记",
            Role::Inspector => "督查",
            Role::Member => "党员",
            Role::Auditor => "审计员",
            Role::Security => "安全管理员",
        }
    }

    pub fn from_code(s: &str) -> Option<Role> {
        Role::ALL.into_iter().find(|r| r.code() == s)
    }

    /// Whether the role may write records (imports, edits) in its scope.
    pub fn can_write(self) -> bool {
        matches!(
            self,
            Role::Admin | Role::Department | Role::Committee | Role::Secretary
        )
    }

    /// Whether the role may ask for one member's full ID number (audited).
    pub fn can_unmask(self) -> bool {
        matches!(self, Role::Department | Role::Committee | Role::Secretary)
    }

    /// One of the three separated roles (三权分立): system administrator, security
    /// administrator, auditor. An account holding one never gets another role.
    pub fn is_separated(self) -> bool {
        matches!(self, Role::Admin | Role::Security | Role::Auditor)
    }

    /// Whether the role reads business data (orgs, members, reports) of its scope. The
    /// security administrator and the auditor do not.
    pub fn reads_data(self) -> bool {
        !matches!(self, Role::Security | Role::Auditor)
    }
}

/// The acting user, with the scope their org gives them. Made only by the app (a resumed
/// session, a login, `Actor::system`); the front ends read it through its accessors.
#[derive(Debug, Clone, PartialEq)]
pub struct Actor {
    pub(crate) user_id: i64,
    pub(crate) username: String,
    pub(crate) role: Role,
    pub(crate) org_id: Option<i64>,
    /// The member record of a `Member` user (self only).
    pub(crate) member_id: Option<i64>,
    pub(crate) scope: Scope,
}

impl Actor {
    pub fn user_id(&self) -> i64 {
        self.user_id
    }

    pub fn username(&self) -> &str {
        &self.username
    }

    pub fn role(&self) -> Role {
        self.role
    }

    /// The org the account is bound to (`None`: an administrator of the whole tree, or
    /// an account bound to nothing).
    pub fn org_id(&self) -> Option<i64> {
        self.org_id
    }

    /// The member record of a `Member` user (self only).
    pub fn member_id(&self) -> Option<i64> {
        self.member_id
    }
}

/// Actors made by hand, for tests and the bench only (feature `test-support`): a front end
/// gets its actor from a session.
#[cfg(any(test, feature = "test-support"))]
impl Actor {
    /// An actor of `role` over the whole tree, bound to no org.
    pub fn for_test(user_id: i64, username: &str, role: Role) -> Actor {
        Actor {
            user_id,
            username: username.into(),
            role,
            org_id: None,
            member_id: None,
            scope: Scope::All,
        }
    }

    /// The same actor with another role.
    pub fn with_role(self, role: Role) -> Actor {
        Actor { role, ..self }
    }

    /// The same actor bound to the org `org_id` at `path`, seeing its subtree.
    pub fn at(self, org_id: i64, path: &str) -> Actor {
        Actor {
            org_id: Some(org_id),
            scope: Scope::subtree(path),
            ..self
        }
    }

    /// The subtree this actor sees.
    pub fn scope(&self) -> &Scope {
        &self.scope
    }
}

impl Actor {
    /// The demo's seeding acting as an account of `role` bound to `org` (its records are
    /// written by the use cases, as a user's would be).
    pub(crate) fn for_demo(role: Role, org: &OrgRecord) -> Actor {
        Actor {
            user_id: 0,
            username: "demo-seed".into(),
            role,
            org_id: Some(org.org.id),
            member_id: None,
            scope: Scope::subtree(&org.path),
        }
    }
}

impl Actor {
    /// The command line and background jobs: everything, recorded as "system".
    pub fn system() -> Actor {
        Actor {
            user_id: 0,
            username: "system".into(),
            role: Role::Admin,
            org_id: None,
            member_id: None,
            scope: Scope::All,
        }
    }

    /// Whether this is the command line or a background job (which bootstraps accounts
    /// and may do what any of the separated roles may).
    pub fn is_system(&self) -> bool {
        self.user_id == 0 && self.role == Role::Admin && self.username == "system"
    }
}

impl Actor {
    /// Whether the permission table lets this actor do `action`. The command line and
    /// background jobs (`Actor::system`) act as an administrator of the whole tree, plus the
    /// rows marked for them.
    pub fn may(&self, action: Action) -> bool {
        self.role.may(action) || (self.is_system() && action.row().system)
    }

    /// The proof that this actor may do `P`, or `Forbidden`.
    pub fn grant<P: Permission>(&self) -> Result<Grant<P>> {
        if !self.may(P::ACTION) {
            return Err(AppError::Forbidden);
        }
        Ok(Grant {
            actor: self.clone(),
            _p: PhantomData,
        })
    }
}

/// One row of the permission table: an action, who may do it, and what it means.
#[derive(Debug, Clone, Copy)]
pub struct PermissionRow {
    pub action: Action,
    /// What the action covers, in Chinese (the printed table's first column).
    pub label: &'static str,
    pub roles: &'static [Role],
    /// The command line and background jobs may do it too (beyond the administrator's row).
    pub system: bool,
}

use Role::{Admin, Auditor, Committee, Department, Inspector, Secretary, Security};

/// Who may do what: the one table every use case, page button and sweep reads. A role not
/// listed in a row is refused (`403`); an org outside the actor's subtree is not found
/// (`404`) whatever the row says.
pub const PERMISSIONS: &[PermissionRow] = &[
    PermissionRow {
        action: Action::ReadData,
        label: "查看本范围的组织、党员、组织生活、评定和报表",
        roles: &[Admin, Department, Committee, Secretary, Inspector],
        system: false,
    },
    PermissionRow {
        action: Action::Write,
        label: "维护组织、党员、单位和职务，导入名册",
        roles: &[Admin, Department, Committee, Secretary],
        system: false,
    },
    PermissionRow {
        action: Action::RecordLife,
        label: "登记组织生活（会议、党课、主题党日等）",
        roles: &[Admin, Department, Committee, Secretary],
        system: false,
    },
    PermissionRow {
        action: Action::RecordRecruitment,
        label: "登记入党申请人，记录发展党员各步骤，生成发展党员文书",
        roles: &[Admin, Department, Committee, Secretary],
        system: false,
    },
    PermissionRow {
        action: Action::PlanRecruitment,
        label: "下达和调整发展党员年度计划",
        roles: &[Admin, Department, Committee],
        system: false,
    },
    PermissionRow {
        action: Action::TransferMembers,
        label: "开具、接收和退回组织关系介绍信（组织关系转接）",
        roles: &[Admin, Department, Committee, Secretary],
        system: false,
    },
    PermissionRow {
        action: Action::RecordDues,
        label: "核定党费基数，登记党费收缴和上缴",
        roles: &[Admin, Department, Committee, Secretary],
        system: false,
    },
    PermissionRow {
        action: Action::RecordTraining,
        label: "登记党员教育培训和学时，导入培训签到表",
        roles: &[Admin, Department, Committee, Secretary],
        system: false,
    },
    PermissionRow {
        action: Action::Unmask,
        label: "查看党员完整身份证号（留痕）",
        roles: &[Department, Committee, Secretary],
        system: false,
    },
    PermissionRow {
        action: Action::ExportFullIds,
        label: "导出含完整身份证号的党员名册（须说明用途，留痕），与全国党员管理信息系统核对",
        roles: &[Department],
        system: false,
    },
    PermissionRow {
        action: Action::SetRules,
        label: "修改评定指标体系、帮扶对应关系、减负上限、经费保障标准、书记报酬标准和满意度测评问卷",
        roles: &[Admin, Department],
        system: false,
    },
    PermissionRow {
        action: Action::Rate,
        label: "开展星级评定，录入经费和人工评分",
        roles: &[Admin, Department, Committee],
        system: false,
    },
    PermissionRow {
        action: Action::AdjustRating,
        label: "调整评定星级（须说明理由）",
        roles: &[Admin, Department],
        system: false,
    },
    PermissionRow {
        action: Action::ReportSignal,
        label: "报送软弱涣散问题线索",
        roles: &[Admin, Department, Committee, Inspector],
        system: false,
    },
    PermissionRow {
        action: Action::DecideWeakness,
        label: "认定或排除软弱涣散，登记违纪案件",
        roles: &[Admin, Department],
        system: false,
    },
    PermissionRow {
        action: Action::PlanRectification,
        label: "制定整顿方案、明确责任人",
        roles: &[Admin, Department, Committee],
        system: false,
    },
    PermissionRow {
        action: Action::ReportProgress,
        label: "报告整顿进展、完成整改措施",
        roles: &[Admin, Department, Committee, Secretary],
        system: false,
    },
    PermissionRow {
        action: Action::AcceptRectification,
        label: "验收整顿、销号",
        roles: &[Admin, Department],
        system: false,
    },
    PermissionRow {
        action: Action::HandleReferrals,
        label: "处理跨范围导入的转交",
        roles: &[Department, Committee],
        system: false,
    },
    PermissionRow {
        action: Action::RemindBranches,
        label: "向下级党支部发送站内提醒（本月组织生活）",
        roles: &[Department, Committee],
        system: false,
    },
    PermissionRow {
        action: Action::IssueTasks,
        label: "向下级党组织部署任务、分解下达，提醒和延期（督办），代任务对象导入完成情况",
        roles: &[Department, Committee],
        // The command line imports a task's outcomes for its issuer (`jiceng import
        // task-outcomes`); it issues, reminds and extends nothing.
        system: true,
    },
    PermissionRow {
        action: Action::ReportTasks,
        label: "报告本组织收到的任务的进展和完成情况、督查和述职评议等指出问题的整改情况",
        roles: &[Department, Committee, Secretary],
        system: false,
    },
    PermissionRow {
        action: Action::RecordInspections,
        label: "登记督查情况和发现的问题（整改责任人、时限）",
        roles: &[Department, Committee, Inspector],
        system: false,
    },
    PermissionRow {
        action: Action::RecordDuty,
        label: "登记书记述职评议考核、述职述廉和离任审计（测评结果、指出的问题）",
        roles: &[Department, Committee],
        system: false,
    },
    PermissionRow {
        action: Action::RecordRequests,
        label: "受理群众诉求（我为群众办实事），交办本组织或下级党组织，登记办理进展和办结情况，导入群众诉求台账",
        // The department and committees receive requests and assign them down; the
        // branch secretary receives at the village's door and reports what was done. The
        // command line imports a township's register (`jiceng import requests`).
        roles: &[Department, Committee, Secretary],
        system: true,
    },
    PermissionRow {
        action: Action::RecordFunding,
        label: "登记经费保障（运转经费、专项经费、党费返还、村集体经济收入等），导入经费台账",
        // The department and the township committee keep the funding register of the
        // orgs below them; a village secretary reports to the township, not into it. The
        // command line imports a county's register (`jiceng import funding`).
        roles: &[Department, Committee],
        system: true,
    },
    PermissionRow {
        action: Action::ViewScorecard,
        label: "查看检验标准（五个是否）评分卡、下级热力图和木桶效应短板（本组织及下级）",
        // Read as the other reports are, within the reader's subtree; a member reads no
        // org's figures. The command line prints it (`jiceng report scorecard`).
        roles: &[Department, Committee, Secretary],
        system: true,
    },
    PermissionRow {
        action: Action::BuildScorecard,
        label: "重新计算检验标准评分卡（某一期间的全部党组织）",
        // A period is built on its first read; rebuilding it on demand is the
        // department's (`jiceng scorecard build`).
        roles: &[Department],
        system: true,
    },
    PermissionRow {
        action: Action::ScoreDevelopment,
        label: "给党组织的“发展成效”人工评分（检验标准中唯一不由记录得出的指标）或撤销评分",
        // The department judges results no record yields (`jiceng scorecard score`).
        roles: &[Department],
        system: true,
    },
    PermissionRow {
        action: Action::RunSurveys,
        label: "开展群众满意度测评：发起测评、分批发放测评码（打印）、结束测评",
        // The department and the township committee run the survey of a village; the
        // village's own secretary does not survey the masses about himself.
        roles: &[Department, Committee],
        system: false,
    },
    PermissionRow {
        action: Action::RecordVenues,
        label: "登记、修改、停用活动场所及使用它的党组织",
        // A township's 组织委员 keeps the villages' venues; the department corrects them;
        // a village secretary keeps his own village's (his scope is his subtree).
        roles: &[Department, Committee, Secretary],
        system: false,
    },
    PermissionRow {
        action: Action::RecordPay,
        label: "登记村（社区）党组织书记年度报酬",
        // Kept by the township and the department, not by the secretary paid.
        roles: &[Department, Committee],
        system: false,
    },
    PermissionRow {
        action: Action::PublishDisclosure,
        label: "党务公开：向本组织党员或在本组织公开页向社会发布公开事项（决策、通知、统计数据），撤回已公开事项",
        // The org's own secretary publishes for it; the committee and the department for
        // the orgs of their scope.
        roles: &[Department, Committee, Secretary],
        system: false,
    },
    PermissionRow {
        action: Action::RecordPairing,
        label: "登记结对共建（部门包村、企业联村、村居共建、机关联支部），结束结对，导入结对共建台账",
        // The command line imports a register (`jiceng import pairing`).
        roles: &[Department, Committee],
        system: true,
    },
    PermissionRow {
        action: Action::ListAccounts,
        label: "查看所管理范围内的账号",
        roles: &[Admin, Security, Department],
        system: true,
    },
    PermissionRow {
        action: Action::ManageAccounts,
        label: "创建账号（系统管理员）",
        roles: &[Admin],
        system: true,
    },
    PermissionRow {
        action: Action::KeepAccounts,
        label: "停用、启用账号，重置密码（组织部门：本范围内书记、委员和党员的账号）",
        roles: &[Admin, Department],
        system: true,
    },
    PermissionRow {
        action: Action::ProvisionAccounts,
        label: "为本范围内的党支部批量开通书记账号（组织部门）",
        roles: &[Department],
        system: true,
    },
    PermissionRow {
        action: Action::AssignRoles,
        label: "分配角色和管理范围（安全管理员）",
        roles: &[Security],
        system: true,
    },
    PermissionRow {
        action: Action::ReadAudit,
        label: "查看和导出审计日志",
        roles: &[Auditor],
        system: true,
    },
    PermissionRow {
        action: Action::PurgeAudit,
        label: "清理超过保留期的审计日志（全范围系统管理员）",
        roles: &[Admin],
        system: true,
    },
    PermissionRow {
        action: Action::ManageKeys,
        label: "轮换身份证号密钥，重置动态验证码",
        roles: &[Security],
        system: true,
    },
];

impl Action {
    /// This action's row of the table.
    pub fn row(self) -> &'static PermissionRow {
        PERMISSIONS
            .iter()
            .find(|r| r.action == self)
            .expect("every action has a row in PERMISSIONS")
    }
}

impl Role {
    /// Whether the permission table lets this role do `action`.
    pub fn may(self, action: Action) -> bool {
        action.row().roles.contains(&self)
    }
}

/// The permission table as Markdown: one row per action, one column per role
/// (`docs/PERMISSIONS.md`, `jiceng permissions`).
pub fn permissions_markdown() -> String {
    let mut out = String::from("| 操作 | 代码 |");
    for r in Role::ALL {
        out.push_str(&format!(" {} |", r.label()));
    }
    out.push_str(" 命令行 |\n|---|---|");
    for _ in Role::ALL {
        out.push_str(":-:|");
    }
    out.push_str(":-:|\n");
    for row in PERMISSIONS {
        out.push_str(&format!("| {} | `{:?}` |", row.label, row.action));
        for r in Role::ALL {
            out.push_str(if r.may(row.action) { " ✓ |" } else { " |" });
        }
        let system = Role::Admin.may(row.action) || row.system;
        out.push_str(if system { " ✓ |\n" } else { " |\n" });
    }
    out
}

/// A permission as a type, so that a use case can ask for its proof: `&Grant<Rate>`.
pub trait Permission {
    const ACTION: Action;
}

/// The actions, as the enum the table names and as one marker type each (so a use case
/// can ask for `&Grant<Rate>`); one list, so the two cannot drift apart.
macro_rules! permissions {
    ($($name:ident),* $(,)?) => {
        /// Everything the table governs. Each has one row in [`PERMISSIONS`] (a test checks it).
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
        pub enum Action {
            $($name),*
        }

        impl Action {
            pub const ALL: &'static [Action] = &[$(Action::$name),*];
        }

        $(
            #[doc = concat!("The permission [`Action::", stringify!($name), "`] as a type.")]
            #[derive(Debug, Clone, Copy)]
            pub struct $name;
            impl Permission for $name {
                const ACTION: Action = Action::$name;
            }
        )*
    };
}

permissions!(
    ReadData,
    Write,
    RecordLife,
    RecordRecruitment,
    PlanRecruitment,
    TransferMembers,
    RecordDues,
    RecordTraining,
    Unmask,
    ExportFullIds,
    SetRules,
    Rate,
    AdjustRating,
    ReportSignal,
    DecideWeakness,
    PlanRectification,
    ReportProgress,
    AcceptRectification,
    HandleReferrals,
    RemindBranches,
    IssueTasks,
    ReportTasks,
    RecordInspections,
    RecordDuty,
    RecordRequests,
    RunSurveys,
    ViewScorecard,
    BuildScorecard,
    ScoreDevelopment,
    RecordFunding,
    RecordVenues,
    RecordPay,
    PublishDisclosure,
    RecordPairing,
    ListAccounts,
    ManageAccounts,
    KeepAccounts,
    ProvisionAccounts,
    AssignRoles,
    ReadAudit,
    PurgeAudit,
    ManageKeys,
);

/// Proof that an actor may do `P`: made only by [`Actor::grant`]. It carries the actor,
/// for the audit entry of the write it allows.
#[derive(Debug, Clone)]
pub struct Grant<P> {
    actor: Actor,
    _p: PhantomData<P>,
}

impl<P> Grant<P> {
    pub fn actor(&self) -> &Actor {
        &self.actor
    }
}

/// How a request names an org: `?org=` or a path's `{id}` as typed (an id, a code or an
/// exact name), or nothing (the actor's home org).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum OrgKey {
    Home,
    Id(i64),
    /// An id, a code or a unique exact name, tried in that order.
    Key(String),
}

impl OrgKey {
    /// A key as typed: blank is the home org.
    pub fn parse(raw: Option<&str>) -> OrgKey {
        match raw.map(str::trim).filter(|s| !s.is_empty()) {
            None => OrgKey::Home,
            Some(k) => OrgKey::Key(k.to_string()),
        }
    }
}

/// A value proven to lie in the actor's scope: made only by [`resolve`]. Read through it
/// like the value itself.
#[derive(Debug, Clone, PartialEq)]
pub struct InScope<T> {
    value: T,
}

impl<T> Deref for InScope<T> {
    type Target = T;
    fn deref(&self) -> &T {
        &self.value
    }
}

impl<T> InScope<T> {
    pub fn into_inner(self) -> T {
        self.value
    }

    /// A value the crate has proven in scope itself (the demo's seeding, over the whole
    /// tree).
    pub(crate) fn proven(value: T) -> InScope<T> {
        InScope { value }
    }
}

impl InScope<OrgRecord> {
    /// The org's subtree, for the store reads of a use case handed this org.
    pub(crate) fn subtree(&self) -> Scope {
        Scope::subtree(&self.path)
    }

    /// The org's code and name (what reports print).
    pub fn org_ref(&self) -> crate::OrgRef {
        crate::OrgRef::of(&self.org)
    }

    /// An org of this one's subtree, proven in scope by this proof (no second read).
    pub(crate) fn below(&self, org: OrgRecord) -> Option<InScope<OrgRecord>> {
        self.subtree()
            .contains(&org.path)
            .then_some(InScope { value: org })
    }
}

/// A member's own org (the branch where their relation is), for what a member sees of
/// it: its schedule, not its records. Crate-private: only the member's home uses it.
pub(crate) async fn own_org(
    app: &App,
    actor: &Actor,
) -> Result<(jiceng_store::members::StoredMember, InScope<OrgRecord>)> {
    let member_id = actor
        .member_id
        .ok_or_else(|| AppError::NotFound("党员信息".into()))?;
    let mut conn = app.store.acquire().await?;
    let m = jiceng_store::members::get(&mut conn, &Scope::All, member_id)
        .await?
        .ok_or_else(|| AppError::NotFound("党员信息".into()))?;
    let org = jiceng_store::orgs::get(&mut conn, &Scope::All, m.org_id)
        .await?
        .ok_or_else(|| AppError::NotFound("党组织".into()))?;
    Ok((m, InScope { value: org }))
}

/// Resolves an org key against the actor, once: the only way to an [`InScope<OrgRecord>`].
/// A role without [`Action::ReadData`] is refused; a key outside the actor's subtree reads
/// as not found, exactly like a key that names nothing.
pub async fn resolve(app: &App, actor: &Actor, key: &OrgKey) -> Result<InScope<OrgRecord>> {
    if !actor.may(Action::ReadData) {
        return Err(AppError::Forbidden);
    }
    let mut conn = app.store.acquire().await?;
    let store = |o: Option<OrgRecord>| o.map(|value| InScope { value });
    let found = match key {
        OrgKey::Home => {
            if let Some(id) = actor.org_id {
                store(jiceng_store::orgs::get(&mut conn, &actor.scope, id).await?)
            } else if actor.scope == Scope::All {
                let roots = jiceng_store::browse::roots(&mut conn).await?;
                store(roots.into_iter().next())
            } else {
                None
            }
        }
        OrgKey::Id(id) => store(jiceng_store::orgs::get(&mut conn, &actor.scope, *id).await?),
        OrgKey::Key(k) => {
            let k = k.trim();
            let by_id = match k.parse::<i64>() {
                Ok(id) => jiceng_store::orgs::get(&mut conn, &actor.scope, id).await?,
                Err(_) => None,
            };
            drop(conn);
            match by_id {
                Some(o) => store(Some(o)),
                // A code or a unique name, as `App::resolve_org` finds them. An id that
                // names nothing the actor may see is "not found, or not yours", the same
                // words as every other record; a code or a name that matches nothing says
                // what to type instead.
                None => match app.resolve_org(&actor.scope, k).await {
                    Ok(o) => store(Some(o)),
                    Err(AppError::OrgNotFound(_)) if k.parse::<i64>().is_ok() => None,
                    Err(e) => return Err(e),
                },
            }
        }
    };
    found.ok_or_else(|| AppError::NotFound("党组织".into()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_action_has_exactly_one_row() {
        for &a in Action::ALL {
            assert_eq!(
                PERMISSIONS.iter().filter(|r| r.action == a).count(),
                1,
                "{a:?}"
            );
        }
        assert_eq!(PERMISSIONS.len(), Action::ALL.len());
    }

    #[test]
    fn the_table_keeps_the_separated_roles_and_members_out_of_business_data() {
        for &a in Action::ALL {
            assert!(!Role::Member.may(a), "党员 may not {a:?}");
        }
        for r in [Role::Auditor, Role::Security] {
            assert!(!r.may(Action::ReadData) && !r.may(Action::Write), "{r:?}");
        }
        assert!(!Role::Admin.may(Action::ReadAudit));
        assert!(Actor::system().may(Action::ReadAudit));
        assert!(!Actor::system().may(Action::Unmask));
        assert!(Role::Secretary.may(Action::ReportProgress));
        assert!(!Role::Secretary.may(Action::PlanRectification));
    }

    #[test]
    fn a_grant_is_refused_where_the_table_says() {
        let a = Actor::for_test(7, "system", Role::Committee);
        assert!(a.grant::<Rate>().is_ok());
        assert!(matches!(
            a.grant::<DecideWeakness>(),
            Err(AppError::Forbidden)
        ));
        let md = permissions_markdown();
        assert_eq!(md.lines().count(), 2 + PERMISSIONS.len());
        assert!(md.contains("| 认定或排除软弱涣散，登记违纪案件 | `DecideWeakness` | ✓ | ✓ |"));
    }
}
