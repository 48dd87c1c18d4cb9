//! Who is acting and what they may see: roles, the actor, and its scope.
//!
//! Access is a capability: a use case that reads scoped data takes an `&Actor` and reads
//! through `actor.scope`, a literal subtree resolved when the session is checked. A user
//! bound to no org sees nothing (an administrator without an org sees everything).

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
    /// 审计员: reads the audit log within the scope.
    Auditor,
}

impl Role {
    pub const ALL: [Role; 7] = [
        Role::Admin,
        Role::Department,
        Role::Committee,
        Role::Secretary,
        Role::Inspector,
        Role::Member,
        Role::Auditor,
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
}
