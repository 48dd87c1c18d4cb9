//! Why a meeting cannot be recorded, and the part of the record each reason is about.

use serde::Serialize;

use crate::Date;

/// The longest topic, in characters (the topic is part of the meeting's key; minutes and
/// decisions hold the long text).
pub const TOPIC_MAX: usize = 200;

/// Why a meeting cannot be recorded as given.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum MeetingError {
    #[error("会议日期{0}晚于今天")]
    InFuture(Date),
    #[error("会议主题不能为空")]
    NoTopic,
    #[error("会议主题过长（{0}字，最多{max}字）", max = TOPIC_MAX)]
    TopicTooLong(usize),
    /// A free-text field beyond its limit (`text`): the venue, the host, the minutes, the
    /// decisions or a reason for an absence.
    #[error("{}", crate::text::too_long(field.label, *len, field.max))]
    TooLong {
        field: crate::text::TextField,
        len: usize,
    },
    #[error("人数不能为负数")]
    Negative,
    #[error("应到人数不能为0")]
    NoneExpected,
    #[error("实到{present}人加请假{excused}人，超过应到{expected}人")]
    TooMany {
        expected: i64,
        present: i64,
        excused: i64,
    },
    #[error("实到有表决权党员{present}人，超过应到{expected}人")]
    TooManyVoting { expected: i64, present: i64 },
    #[error("{kind}只能由党小组召开，“{org}”是{org_kind}")]
    GroupOnly {
        kind: &'static str,
        org: String,
        org_kind: &'static str,
    },
    #[error("{kind}应由党支部召开，“{org}”是{org_kind}")]
    BranchOnly {
        kind: &'static str,
        org: String,
        org_kind: &'static str,
    },
    #[error("“{org}”在{date}时已撤销或尚未成立")]
    OrgNotLive { org: String, date: Date },
    #[error("所属年度{year}年不符：{date}召开的会议只能计入当年，或在{until}前计入上一年度")]
    ForYear { year: i32, date: Date, until: Date },
}

/// The part of a meeting's record a refusal is about, for a form to show it beside (the
/// rest is about the record as a whole).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Field {
    /// The kind (or kinds) and who holds it.
    Kind,
    /// The date, and the org's life on it.
    Date,
    /// The topic (part of the meeting's key).
    Topic,
    /// Who was expected and who came.
    Attendance,
}

impl MeetingError {
    /// The part of the record this is about; `None`: the record as a whole (a free text
    /// beyond its limit, the 所属年度).
    pub fn field(&self) -> Option<Field> {
        match self {
            MeetingError::InFuture(_) | MeetingError::OrgNotLive { .. } => Some(Field::Date),
            MeetingError::NoTopic | MeetingError::TopicTooLong(_) => Some(Field::Topic),
            MeetingError::Negative
            | MeetingError::NoneExpected
            | MeetingError::TooMany { .. }
            | MeetingError::TooManyVoting { .. } => Some(Field::Attendance),
            MeetingError::GroupOnly { .. } | MeetingError::BranchOnly { .. } => Some(Field::Kind),
            MeetingError::TooLong { .. } | MeetingError::ForYear { .. } => None,
        }
    }
}
