//! The kinds of meeting (三会一课 and the rest) and a member's attendance.

use serde::{Deserialize, Serialize};

use crate::period::Cadence;
use crate::{OrgKind, RuleSet};

/// The kinds of meeting (三会一课 and the rest), in the order the regulations list them.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub enum MeetingKind {
    /// 支部党员大会.
    GeneralMeeting,
    /// 支部委员会会议 (支委会).
    CommitteeMeeting,
    /// 党小组会 (held by a group, not the branch).
    GroupMeeting,
    /// 党课.
    PartyLecture,
    /// 主题党日.
    ThemeDay,
    /// 组织生活会.
    LifeMeeting,
    /// 民主评议党员.
    DemocraticEvaluation,
}

impl MeetingKind {
    pub const ALL: [MeetingKind; 7] = [
        MeetingKind::GeneralMeeting,
        MeetingKind::CommitteeMeeting,
        MeetingKind::GroupMeeting,
        MeetingKind::PartyLecture,
        MeetingKind::ThemeDay,
        MeetingKind::LifeMeeting,
        MeetingKind::DemocraticEvaluation,
    ];

    /// The GLOSSARY code name, as stored and as used in the API.
    pub fn code(self) -> &'static str {
        match self {
            MeetingKind::GeneralMeeting => "GeneralMeeting",
            MeetingKind::CommitteeMeeting => "CommitteeMeeting",
            MeetingKind::GroupMeeting => "GroupMeeting",
            MeetingKind::PartyLecture => "PartyLecture",
            MeetingKind::ThemeDay => "ThemeDay",
            MeetingKind::LifeMeeting => "LifeMeeting",
            MeetingKind::DemocraticEvaluation => "DemocraticEvaluation",
        }
    }

    /// The Chinese term shown to users.
    pub fn label(self) -> &'static str {
        match self {
            MeetingKind::GeneralMeeting => "支部党员大会",
            MeetingKind::CommitteeMeeting => "支部委员会会议",
            MeetingKind::GroupMeeting => "党小组会",
            MeetingKind::PartyLecture => "党课",
            MeetingKind::ThemeDay => "主题党日",
            MeetingKind::LifeMeeting => "组织生活会",
            MeetingKind::DemocraticEvaluation => "民主评议党员",
        }
    }

    /// A short label for narrow columns and phone screens.
    pub fn short_label(self) -> &'static str {
        match self {
            MeetingKind::GeneralMeeting => "党员大会",
            MeetingKind::CommitteeMeeting => "支委会",
            MeetingKind::GroupMeeting => "党小组会",
            MeetingKind::PartyLecture => "党课",
            MeetingKind::ThemeDay => "主题党日",
            MeetingKind::LifeMeeting => "组织生活会",
            MeetingKind::DemocraticEvaluation => "民主评议",
        }
    }

    pub fn from_code(s: &str) -> Option<MeetingKind> {
        MeetingKind::ALL.into_iter().find(|k| k.code() == s)
    }

    /// Parses what a ledger writes in the 会议类型 column, with the aliases real ledgers use.
    pub fn parse_label(s: &str) -> Option<MeetingKind> {
        let s: String = s.chars().filter(|c| !c.is_whitespace()).collect();
        if let Some(k) = MeetingKind::from_code(&s) {
            return Some(k);
        }
        Some(match s.as_str() {
            "支部党员大会" | "党员大会" | "党支部党员大会" | "全体党员大会" | "支部大会" => {
                MeetingKind::GeneralMeeting
            }
            "支部委员会会议" | "支委会" | "支委会会议" | "支部委员会" | "党支部委员会会议" => {
                MeetingKind::CommitteeMeeting
            }
            "党小组会" | "党小组会议" | "小组会" | "党小组学习会" => {
                MeetingKind::GroupMeeting
            }
            "党课" | "讲党课" | "专题党课" | "上党课" => MeetingKind::PartyLecture,
            "主题党日" | "主题党日活动" | "党日活动" | "固定党日" | "支部主题党日" => {
                MeetingKind::ThemeDay
            }
            "组织生活会" | "专题组织生活会" | "支部组织生活会" => {
                MeetingKind::LifeMeeting
            }
            "民主评议党员" | "民主评议" | "民主评议党员会议" | "评议党员" => {
                MeetingKind::DemocraticEvaluation
            }
            _ => return None,
        })
    }

    /// Parses a combined ledger label into the set of kinds it names: "主题党日暨党员大会",
    /// "组织生活会并开展民主评议党员", "党员大会、党课", "党员大会（党课）",
    /// "组织生活会暨民主评议党员". Each part must be a known label; `None` otherwise.
    /// The kinds come back once each, in `ALL` order.
    pub fn parse_labels(s: &str) -> Option<Vec<MeetingKind>> {
        let s: String = s.chars().filter(|c| !c.is_whitespace()).collect();
        if s.is_empty() {
            return None;
        }
        if let Some(k) = MeetingKind::parse_label(&s) {
            return Some(vec![k]);
        }
        let mut kinds = Vec::new();
        let parts = s.split(|c: char| {
            matches!(
                c,
                '暨' | '并'
                    | '、'
                    | '，'
                    | ','
                    | '+'
                    | '＋'
                    | '/'
                    | '（'
                    | '）'
                    | '('
                    | ')'
                    | '及'
                    | '和'
            )
        });
        for part in parts.filter(|p| !p.is_empty()) {
            let mut p = part;
            for prefix in ["同时", "开展", "召开", "进行", "结合", "举行"] {
                p = p.strip_prefix(prefix).unwrap_or(p);
            }
            kinds.push(MeetingKind::parse_label(p)?);
        }
        kinds.sort();
        kinds.dedup();
        (!kinds.is_empty()).then_some(kinds)
    }

    /// How often it is due by default (SPEC R); the rule data may say otherwise
    /// (`MeetingRules::cadence_of`).
    pub fn cadence(self) -> Cadence {
        match self {
            MeetingKind::CommitteeMeeting | MeetingKind::GroupMeeting | MeetingKind::ThemeDay => {
                Cadence::Monthly
            }
            MeetingKind::GeneralMeeting | MeetingKind::PartyLecture => Cadence::Quarterly,
            MeetingKind::LifeMeeting | MeetingKind::DemocraticEvaluation => Cadence::Yearly,
        }
    }

    /// How many are due in one span of its cadence by `rules` (`MeetingRules::cadence_of`).
    pub fn required(self, rules: &RuleSet) -> i64 {
        rules.meetings.cadence_of(self).count
    }

    /// The kind of org that holds it: a group for group meetings, a branch for the rest.
    pub fn held_by(self) -> OrgKind {
        if self == MeetingKind::GroupMeeting {
            OrgKind::Group
        } else {
            OrgKind::Branch
        }
    }

    /// Index into per-kind arrays (the order of `ALL`).
    pub fn index(self) -> usize {
        MeetingKind::ALL
            .iter()
            .position(|k| *k == self)
            .expect("in ALL")
    }
}

/// Whether a member was there (for meetings recorded from the roster).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum AttendanceStatus {
    Present,
    Excused,
    Absent,
}

impl AttendanceStatus {
    pub fn code(self) -> &'static str {
        match self {
            AttendanceStatus::Present => "present",
            AttendanceStatus::Excused => "excused",
            AttendanceStatus::Absent => "absent",
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            AttendanceStatus::Present => "出席",
            AttendanceStatus::Excused => "请假",
            AttendanceStatus::Absent => "缺席",
        }
    }

    pub fn from_code(s: &str) -> Option<AttendanceStatus> {
        [
            AttendanceStatus::Present,
            AttendanceStatus::Excused,
            AttendanceStatus::Absent,
        ]
        .into_iter()
        .find(|a| a.code() == s)
    }
}
