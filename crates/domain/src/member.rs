//! Members (党员), their positions (职务) and staff roles.

use serde::{Deserialize, Serialize};

use crate::{Date, IdNumber};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub enum Gender {
    Male,
    Female,
}

impl Gender {
    pub fn label(self) -> &'static str {
        match self {
            Gender::Male => "男",
            Gender::Female => "女",
        }
    }
    pub fn code(self) -> &'static str {
        match self {
            Gender::Male => "Male",
            Gender::Female => "Female",
        }
    }
    pub fn parse_label(s: &str) -> Option<Gender> {
        match s.trim() {
            "男" | "男性" | "M" | "m" | "Male" | "1" => Some(Gender::Male),
            "女" | "女性" | "F" | "f" | "Female" | "2" => Some(Gender::Female),
            _ => None,
        }
    }
}

/// 正式党员 / 预备党员.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum MemberStatus {
    Probationary,
    Full,
}

impl MemberStatus {
    pub fn label(self) -> &'static str {
        match self {
            MemberStatus::Probationary => "预备党员",
            MemberStatus::Full => "正式党员",
        }
    }
    pub fn code(self) -> &'static str {
        match self {
            MemberStatus::Probationary => "Probationary",
            MemberStatus::Full => "Full",
        }
    }
    pub fn parse_label(s: &str) -> Option<MemberStatus> {
        match s.trim() {
            "正式党员" | "正式" | "Full" => Some(MemberStatus::Full),
            "预备党员" | "预备" | "Probationary" => Some(MemberStatus::Probationary),
            _ => None,
        }
    }
}

/// Education, in the bands of the party's statistics (学历).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub enum Education {
    Postgraduate,
    Bachelor,
    College,
    Secondary,
    HighSchool,
    MiddleOrBelow,
}

impl Education {
    pub const ALL: [Education; 6] = [
        Education::Postgraduate,
        Education::Bachelor,
        Education::College,
        Education::Secondary,
        Education::HighSchool,
        Education::MiddleOrBelow,
    ];
    pub fn label(self) -> &'static str {
        match self {
            Education::Postgraduate => "研究生",
            Education::Bachelor => "大学本科",
            Education::College => "大学专科",
            Education::Secondary => "中专",
            Education::HighSchool => "高中",
            Education::MiddleOrBelow => "初中及以下",
        }
    }
    /// Maps the many ways rosters write education to a band.
    pub fn parse_label(s: &str) -> Option<Education> {
        let s = s.trim();
        if s.is_empty() {
            return None;
        }
        if let Some(e) = Education::ALL.into_iter().find(|e| e.label() == s) {
            return Some(e);
        }
        let has = |w: &str| s.contains(w);
        Some(if has("博士") || has("硕士") || has("研究生") {
            Education::Postgraduate
        } else if has("本科") || has("学士") || has("大学") && !has("专科") {
            Education::Bachelor
        } else if has("专科") || has("大专") || has("高职") {
            Education::College
        } else if has("中专") || has("中技") || has("技校") || has("职高") || has("中等专业")
        {
            Education::Secondary
        } else if has("高中") {
            Education::HighSchool
        } else if has("初中") || has("小学") || has("文盲") || has("以下") {
            Education::MiddleOrBelow
        } else {
            return None;
        })
    }
}

/// A member's record (党员).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Member {
    pub id: i64,
    /// The org that holds the member's organizational relation (组织关系).
    pub org_id: i64,
    pub name: String,
    pub gender: Gender,
    pub ethnicity: String,
    pub birth_date: Date,
    pub id_number: IdNumber,
    pub education: Option<Education>,
    pub status: MemberStatus,
    pub joined_on: Date,
    pub full_on: Option<Date>,
    pub occupation: Option<String>,
    pub phone: Option<String>,
    pub mobile: bool,
    pub lost_contact: bool,
}

impl Member {
    /// The status on a date: a probationary member whose confirmation date has come is full.
    pub fn status_on(&self, day: Date) -> MemberStatus {
        status_on(self.status, self.full_on, day)
    }
}

/// The status on `day` of a member recorded with `status` and confirmation date
/// `full_on`: full once the confirmation date has come; a full member recorded without a
/// date (old rosters) is full.
pub fn status_on(status: MemberStatus, full_on: Option<Date>, day: Date) -> MemberStatus {
    match full_on {
        Some(f) if f <= day => MemberStatus::Full,
        Some(_) => MemberStatus::Probationary,
        None => status,
    }
}

/// A position held in an org (职务).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub enum PositionKind {
    Secretary,
    DeputySecretary,
    OrganizationCommissioner,
    PropagandaCommissioner,
    DisciplineCommissioner,
    CommitteeMember,
    GroupLeader,
}

impl PositionKind {
    pub const ALL: [PositionKind; 7] = [
        PositionKind::Secretary,
        PositionKind::DeputySecretary,
        PositionKind::OrganizationCommissioner,
        PositionKind::PropagandaCommissioner,
        PositionKind::DisciplineCommissioner,
        PositionKind::CommitteeMember,
        PositionKind::GroupLeader,
    ];
    pub fn code(self) -> &'static str {
        match self {
            PositionKind::Secretary => "Secretary",
            PositionKind::DeputySecretary => "DeputySecretary",
            PositionKind::OrganizationCommissioner => "OrganizationCommissioner",
            PositionKind::PropagandaCommissioner => "PropagandaCommissioner",
            PositionKind::DisciplineCommissioner => "DisciplineCommissioner",
            PositionKind::CommitteeMember => "CommitteeMember",
            PositionKind::GroupLeader => "GroupLeader",
        }
    }
    pub fn label(self) -> &'static str {
        match self {
            PositionKind::Secretary => "书记",
            PositionKind::DeputySecretary => "副书记",
            PositionKind::OrganizationCommissioner => "组织委员",
            PositionKind::PropagandaCommissioner => "宣传委员",
            PositionKind::DisciplineCommissioner => "纪检委员",
            PositionKind::CommitteeMember => "委员",
            PositionKind::GroupLeader => "党小组组长",
        }
    }
    pub fn from_code(s: &str) -> Option<PositionKind> {
        PositionKind::ALL.into_iter().find(|k| k.code() == s)
    }
    pub fn parse_label(s: &str) -> Option<PositionKind> {
        let s = s.trim();
        if let Some(k) = PositionKind::ALL.into_iter().find(|k| k.label() == s) {
            return Some(k);
        }
        Some(match s {
            "支部书记" | "党支部书记" | "总支书记" | "党委书记" | "党总支书记" => {
                PositionKind::Secretary
            }
            "支部副书记" | "党支部副书记" | "党委副书记" | "总支副书记" => {
                PositionKind::DeputySecretary
            }
            "支部委员" | "党委委员" | "总支委员" | "青年委员" | "保密委员" | "统战委员"
            | "妇女委员" => PositionKind::CommitteeMember,
            "纪律检查委员" | "纪委委员" => PositionKind::DisciplineCommissioner,
            "党小组长" | "小组长" | "组长" => PositionKind::GroupLeader,
            _ => return None,
        })
    }
}

/// A position held by a member in an org, with its dates.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Position {
    pub id: i64,
    pub member_id: i64,
    pub org_id: i64,
    pub kind: PositionKind,
    pub started_on: Option<Date>,
    pub ended_on: Option<Date>,
}

/// A party worker's role (组织员, 党务工作者, 专职副书记, 党建指导员, 联络员).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum StaffRole {
    Organizer,
    PartyWorker,
    FullTimeDeputy,
    Instructor,
    Liaison,
}

impl StaffRole {
    pub const ALL: [StaffRole; 5] = [
        StaffRole::Organizer,
        StaffRole::PartyWorker,
        StaffRole::FullTimeDeputy,
        StaffRole::Instructor,
        StaffRole::Liaison,
    ];

    pub fn code(self) -> &'static str {
        match self {
            StaffRole::Organizer => "Organizer",
            StaffRole::PartyWorker => "PartyWorker",
            StaffRole::FullTimeDeputy => "FullTimeDeputy",
            StaffRole::Instructor => "Instructor",
            StaffRole::Liaison => "Liaison",
        }
    }

    pub fn from_code(s: &str) -> Option<StaffRole> {
        StaffRole::ALL.into_iter().find(|r| r.code() == s)
    }

    /// The roles a township committee's party-building staff count is made of (SPEC R:
    /// 组织员 and 党建工作指导员).
    pub fn is_party_building_staff(self) -> bool {
        matches!(self, StaffRole::Organizer | StaffRole::Instructor)
    }

    pub fn label(self) -> &'static str {
        match self {
            StaffRole::Organizer => "组织员",
            StaffRole::PartyWorker => "党务工作者",
            StaffRole::FullTimeDeputy => "专职副书记",
            StaffRole::Instructor => "党建工作指导员",
            StaffRole::Liaison => "联络员",
        }
    }
}
