//! 党员出口 (`Exit`, SPEC C3): a member leaves the party by one of its kinds, decided by an
//! org on a day, with its document. The record is kept as history, never deleted, and the
//! member leaves every count from that day (`member.exited_on`, as an office's `ended_on`).

use std::fmt;

use crate::member::MemberStatus;
use crate::Date;

/// How a member left.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ExitKind {
    /// 死亡.
    Death,
    /// 退党.
    Withdrawal,
    /// 劝退.
    Persuaded,
    /// 除名.
    Removal,
    /// 开除党籍.
    Expulsion,
    /// 自行脱党 (six months without organizational life, dues or assigned work, decided by
    /// the branch).
    SelfLapse,
    /// 取消预备党员资格 (a probationary member only).
    ProbationCancelled,
}

impl ExitKind {
    pub const ALL: [ExitKind; 7] = [
        ExitKind::Death,
        ExitKind::Withdrawal,
        ExitKind::Persuaded,
        ExitKind::Removal,
        ExitKind::Expulsion,
        ExitKind::SelfLapse,
        ExitKind::ProbationCancelled,
    ];

    pub fn code(self) -> &'static str {
        match self {
            ExitKind::Death => "death",
            ExitKind::Withdrawal => "withdrawal",
            ExitKind::Persuaded => "persuaded",
            ExitKind::Removal => "removal",
            ExitKind::Expulsion => "expulsion",
            ExitKind::SelfLapse => "self_lapse",
            ExitKind::ProbationCancelled => "probation_cancelled",
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            ExitKind::Death => "死亡",
            ExitKind::Withdrawal => "退党",
            ExitKind::Persuaded => "劝退",
            ExitKind::Removal => "除名",
            ExitKind::Expulsion => "开除党籍",
            ExitKind::SelfLapse => "自行脱党",
            ExitKind::ProbationCancelled => "取消预备党员资格",
        }
    }

    /// A code or a label.
    pub fn parse(s: &str) -> Option<ExitKind> {
        let s = s.trim();
        ExitKind::ALL
            .into_iter()
            .find(|k| k.code() == s || k.label() == s)
    }

    /// Whether the kind is a decision of an org (all but death).
    pub fn decided(self) -> bool {
        self != ExitKind::Death
    }
}

/// A refused exit: the part of the form and the reason.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ExitError {
    /// `kind`, `on`, `decided_by`, `document`.
    pub field: &'static str,
    pub message: String,
}

impl fmt::Display for ExitError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}

impl std::error::Error for ExitError {}

/// What an exit must satisfy: a day from the joining to today, the deciding org for a
/// decision, and a probationary member for 取消预备党员资格.
pub fn check(
    kind: ExitKind,
    on: Date,
    today: Date,
    joined_on: Date,
    status: MemberStatus,
    decided_by: &str,
) -> Result<(), ExitError> {
    let refuse = |field, message: String| Err(ExitError { field, message });
    if on > today {
        return refuse("on", format!("出党日期晚于今天：{on}"));
    }
    if on < joined_on {
        return refuse("on", format!("出党日期{on}早于入党日期{joined_on}"));
    }
    if kind == ExitKind::ProbationCancelled && status != MemberStatus::Probationary {
        return refuse("kind", "只有预备党员可以取消预备党员资格".into());
    }
    if kind.decided() && decided_by.trim().is_empty() {
        return refuse(
            "decided_by",
            format!(
                "{}须写明作出决定的党组织（如某某党支部党员大会、某某党委）",
                kind.label()
            ),
        );
    }
    crate::text::ORG_NAME
        .titled("决定机关")
        .check(decided_by.trim())
        .map_err(|message| ExitError {
            field: "decided_by",
            message,
        })?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(s: &str) -> Date {
        s.parse().unwrap()
    }

    #[test]
    fn an_exit_is_refused_with_its_field() {
        let (today, joined) = (d("2026-12-15"), d("2000-07-01"));
        let full = MemberStatus::Full;
        let ok = check(
            ExitKind::Removal,
            d("2026-12-01"),
            today,
            joined,
            full,
            "东村党支部",
        );
        assert!(ok.is_ok());
        assert!(check(ExitKind::Death, d("2026-12-01"), today, joined, full, "").is_ok());
        let field = |r: Result<(), ExitError>| r.unwrap_err().field;
        assert_eq!(
            field(check(
                ExitKind::Removal,
                d("2026-12-01"),
                today,
                joined,
                full,
                " "
            )),
            "decided_by"
        );
        assert_eq!(
            field(check(
                ExitKind::Death,
                d("2026-12-16"),
                today,
                joined,
                full,
                ""
            )),
            "on"
        );
        assert_eq!(
            field(check(
                ExitKind::Death,
                d("1999-12-16"),
                today,
                joined,
                full,
                ""
            )),
            "on"
        );
        assert_eq!(
            field(check(
                ExitKind::ProbationCancelled,
                d("2026-12-01"),
                today,
                joined,
                full,
                "东村党支部"
            )),
            "kind"
        );
        for k in ExitKind::ALL {
            assert_eq!(ExitKind::parse(k.code()), Some(k));
            assert_eq!(ExitKind::parse(k.label()), Some(k));
        }
    }
}
