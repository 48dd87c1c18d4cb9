//! Why a meeting is not recorded: the domain's reasons (`MeetingError`) and the use case's
//! own (the roster, a duplicate), each with the field of the record form it is about, so a
//! front end places a message by its field and never by its words.

use chrono::NaiveDate;
pub use jiceng_domain::meeting::{Field, MeetingError};

use crate::AppError;

/// One reason a meeting cannot be recorded (or its branch's obligations listed).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum RecordError {
    /// What the domain says of the record itself.
    #[error(transparent)]
    Meeting(#[from] MeetingError),
    #[error("请选择会议类型")]
    NoKind,
    #[error("请填写会议日期")]
    NoDate,
    #[error("党小组“{0}”不在党支部之下，无法记录组织生活")]
    GroupOutsideBranch(String),
    /// An org that is no branch (nor a group of one), refused with what only a branch does.
    #[error("“{org}”是{kind_label}：{why}")]
    NotBranch {
        org: String,
        kind_label: &'static str,
        why: &'static str,
    },
    #[error("党员（id {member_id}）不是“{branch}”的党员")]
    NotOnRoster { member_id: i64, branch: String },
    #[error(
        "“{name}”不是“{group}”的成员：党小组会的应到人员是本小组党员（党小组成员在党小组页面调整）"
    )]
    NotInGroup { name: String, group: String },
    #[error("流入党员（登记 id {guest_id}）不是在“{branch}”参加组织生活的流入党员")]
    NotGuest { guest_id: i64, branch: String },
    #[error("流入党员“{name}”在{date}不在本支部参加组织生活")]
    GuestNotThen { name: String, date: NaiveDate },
    #[error("更正不能把会议改到其他党支部（原记录属于“{0}”）；请作废原记录后在该支部重新记录")]
    OtherBranch(String),
    #[error("请填写更正或作废的原因")]
    NoReason,
    #[error("原因不超过{0}个字")]
    LongReason(usize),
    #[error("党员“{0}”重复出现")]
    Repeated(String),
    /// A member's reason for an absence beyond its limit: the member's name and why.
    #[error("{name}：{message}")]
    Reason { name: String, message: String },
    #[error("党员“{0}”在会议日期时尚未入党")]
    NotYetMember(String),
    /// A count given beside the attendance picked from the roster that disagrees with it.
    #[error("{what}人数{given}与所选党员不符（按名单为{got}人）")]
    CountMismatch {
        what: &'static str,
        given: i64,
        got: i64,
    },
    /// A 活动场所 the meeting's org may not name (not used by it or an ancestor, retired,
    /// or not yet in use on the day): why.
    #[error("{0}")]
    Venue(String),
    #[error("{org}已记录过{date}的{kind}“{topic}”")]
    Duplicate {
        org: String,
        date: NaiveDate,
        kind: &'static str,
        topic: String,
    },
}

impl RecordError {
    /// The field of the record form this is about; `None`: the form as a whole.
    pub fn field(&self) -> Option<Field> {
        match self {
            RecordError::Meeting(e) => e.field(),
            RecordError::NoKind => Some(Field::Kind),
            RecordError::NoDate | RecordError::NotYetMember(_) => Some(Field::Date),
            RecordError::Duplicate { .. } => Some(Field::Topic),
            RecordError::NotOnRoster { .. }
            | RecordError::NotInGroup { .. }
            | RecordError::NotGuest { .. }
            | RecordError::GuestNotThen { .. }
            | RecordError::Repeated(_)
            | RecordError::CountMismatch { .. } => Some(Field::Attendance),
            RecordError::GroupOutsideBranch(_)
            | RecordError::NoReason
            | RecordError::LongReason(_)
            | RecordError::OtherBranch(_)
            | RecordError::NotBranch { .. }
            | RecordError::Venue(_)
            | RecordError::Reason { .. } => None,
        }
    }
}

/// Every reason a meeting was refused (one at least), said together joined by "；".
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RecordErrors(Vec<RecordError>);

impl RecordErrors {
    /// The reasons, or `None` when there are none.
    pub fn of(reasons: Vec<RecordError>) -> Option<RecordErrors> {
        (!reasons.is_empty()).then_some(RecordErrors(reasons))
    }

    pub fn iter(&self) -> impl Iterator<Item = &RecordError> {
        self.0.iter()
    }
}

impl std::fmt::Display for RecordErrors {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        for (i, e) in self.0.iter().enumerate() {
            if i > 0 {
                f.write_str("；")?;
            }
            write!(f, "{e}")?;
        }
        Ok(())
    }
}

impl std::error::Error for RecordErrors {}

impl From<RecordError> for AppError {
    fn from(e: RecordError) -> AppError {
        AppError::Meeting(RecordErrors(vec![e]))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reasons_are_said_together_and_each_names_its_field() {
        let day = NaiveDate::from_ymd_opt(2026, 6, 10).unwrap();
        let errors = RecordErrors::of(vec![
            MeetingError::InFuture(day).into(),
            RecordError::Repeated("张三".into()),
            RecordError::Reason {
                name: "李四".into(),
                message: "「事由」过长".into(),
            },
        ])
        .unwrap();
        assert_eq!(
            errors.to_string(),
            "会议日期2026-06-10晚于今天；党员“张三”重复出现；李四：「事由」过长"
        );
        let fields: Vec<Option<Field>> = errors.iter().map(RecordError::field).collect();
        assert_eq!(
            fields,
            vec![Some(Field::Date), Some(Field::Attendance), None]
        );
        assert!(RecordErrors::of(vec![]).is_none());
        assert!(matches!(
            AppError::from(RecordError::NoKind),
            AppError::Meeting(e) if e.to_string() == "请选择会议类型"
        ));
    }
}
