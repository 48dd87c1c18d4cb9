//! Who is acting and what they may see: roles, the actor, and its scope.
//!
//! Access is a capability: a use case that reads scoped data takes an `&Actor` and reads
//! through `actor.scope`, a literal subtree resolved when the session is checked. A user
//! bound to no org sees nothing (an administrator without an org sees everything).
//!
//! 三权分立: the system administrator (`Admin`: accounts, settings, backups), the security
//! administrator (`Security`: roles, scopes, keys, second-factor resets) and the auditor
//! (`Auditor`: the audit log, nothing else) are separate roles. An account holds one role,
//! and the role of an account holding one of these three never changes (see
//! `users::set_role`). The security administrator and the auditor read no business data:
//! their `scope` is `Nothing`; the subtree their org gives them bounds only the accounts
//! they manage and the log they read ([`Actor`]'s `org_id`, resolved by `users::org_scope`).

use jiceng_store::Scope;
use serde::{Deserialize, Serialize};

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

/// The acting user, with the scope their org gives them.
#[derive(Debug, Clone, PartialEq)]
pub struct Actor {
    pub user_id: i64,
    pub username: String,
    pub role: Role,
    pub org_id: Option<i64>,
    /// The member record of a `Member` user (self only).
    pub member_id: Option<i64>,
    pub scope: Scope,
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
