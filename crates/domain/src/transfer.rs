//! 组织关系转接 (`Transfer`, SPEC C3): a member's relation moves from one org to another by
//! a letter (介绍信). The sending org issues it, naming the receiving org — anywhere in the
//! tree, or outside the system — and stays responsible for the member until it is received;
//! the receiving org accepts it or returns it with a reason. A letter is valid for the
//! months of the rule set in force on its date (SPEC R: 3); one not received by then is
//! overdue on both sides and can no longer be accepted (the sender withdraws it and issues
//! another). A letter to an org outside the system closes with the receipt's (回执) date;
//! one from outside creates the member where it is received.

use std::fmt;

use crate::rules::RuleBook;
use crate::Date;

/// Where a letter stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum LetterState {
    /// 待接收: issued, not yet received or returned.
    Issued,
    /// 已接收: the member's relation is with the receiving org from the day received.
    Received,
    /// 已退回: returned by the receiving org with a reason; the member stays.
    Returned,
    /// 已撤回: withdrawn by the sending org (wrong destination, expired letter).
    Withdrawn,
    /// 已回执: a letter to an org outside the system, closed by its receipt.
    Closed,
}

impl LetterState {
    pub const ALL: [LetterState; 5] = [
        LetterState::Issued,
        LetterState::Received,
        LetterState::Returned,
        LetterState::Withdrawn,
        LetterState::Closed,
    ];

    pub fn code(self) -> &'static str {
        match self {
            LetterState::Issued => "issued",
            LetterState::Received => "received",
            LetterState::Returned => "returned",
            LetterState::Withdrawn => "withdrawn",
            LetterState::Closed => "closed",
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            LetterState::Issued => "待接收",
            LetterState::Received => "已接收",
            LetterState::Returned => "已退回",
            LetterState::Withdrawn => "已撤回",
            LetterState::Closed => "已回执",
        }
    }

    pub fn parse(code: &str) -> Option<LetterState> {
        LetterState::ALL.into_iter().find(|s| s.code() == code)
    }

    /// Still waiting for the receiving side.
    pub fn is_open(self) -> bool {
        self == LetterState::Issued
    }
}

/// Where a letter goes to (or comes from) when it is not an org of this system.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Outside {
    /// 系统外党组织 (another province's system, a central unit's).
    OtherSystem,
    /// 军队.
    Army,
    /// 境外 (出国（境）).
    Abroad,
    /// 其他.
    Other,
}

impl Outside {
    pub const ALL: [Outside; 4] = [
        Outside::OtherSystem,
        Outside::Army,
        Outside::Abroad,
        Outside::Other,
    ];

    pub fn code(self) -> &'static str {
        match self {
            Outside::OtherSystem => "other_system",
            Outside::Army => "army",
            Outside::Abroad => "abroad",
            Outside::Other => "other",
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            Outside::OtherSystem => "系统外党组织",
            Outside::Army => "军队",
            Outside::Abroad => "境外",
            Outside::Other => "其他",
        }
    }

    /// A code or a label.
    pub fn parse(s: &str) -> Option<Outside> {
        let s = s.trim();
        Outside::ALL
            .into_iter()
            .find(|o| o.code() == s || o.label() == s)
    }
}

/// A refused letter or decision: the part of the form and the reason, in Chinese.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TransferError {
    /// `member`, `to`, `issued_on`, `on`, `reason`, `letter_no`, `state`.
    pub field: &'static str,
    pub message: String,
}

impl fmt::Display for TransferError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}

impl std::error::Error for TransferError {}

fn refuse(field: &'static str, message: impl Into<String>) -> TransferError {
    TransferError {
        field,
        message: message.into(),
    }
}

/// The last day a letter issued on `issued_on` may be received: the months of the rule set
/// in force that day (SPEC R: 3) after it (介绍信有效期).
pub fn valid_until(rules: &RuleBook, issued_on: Date) -> Date {
    let months = rules
        .in_force(issued_on)
        .membership
        .transfer_letter_valid_months
        .max(1) as u32;
    issued_on
        .checked_add_months(chrono::Months::new(months))
        .unwrap_or(Date::MAX)
}

/// Whether a letter is overdue on `today`: still waiting after its last valid day.
pub fn overdue(state: LetterState, valid_until: Date, today: Date) -> bool {
    state.is_open() && today > valid_until
}

/// What a new letter must satisfy: a reason, a date neither in the future nor before the
/// member joined, and a destination other than the member's own org.
pub fn check_issue(
    issued_on: Date,
    today: Date,
    joined_on: Date,
    reason: &str,
    same_org: bool,
) -> Result<(), TransferError> {
    if same_org {
        return Err(refuse("to", "接收党组织不能是党员现在所在的党组织"));
    }
    if reason.trim().is_empty() {
        return Err(refuse("reason", "请填写转接原因（如工作调动、升学、迁居）"));
    }
    crate::text::TRANSFER_REASON
        .check(reason.trim())
        .map_err(|m| refuse("reason", m))?;
    if issued_on > today {
        return Err(refuse(
            "issued_on",
            format!("介绍信开具日期晚于今天：{issued_on}"),
        ));
    }
    if issued_on < joined_on {
        return Err(refuse(
            "issued_on",
            format!("介绍信开具日期{issued_on}早于入党日期{joined_on}"),
        ));
    }
    Ok(())
}

/// What receiving (or the receipt of) a letter must satisfy: the letter still waiting, and
/// a day from its date to today, within its validity.
pub fn check_receive(
    state: LetterState,
    issued_on: Date,
    valid_until: Date,
    on: Date,
    today: Date,
) -> Result<(), TransferError> {
    if !state.is_open() {
        return Err(refuse(
            "state",
            format!("该介绍信{}，不能再办理", state.label()),
        ));
    }
    if on > today {
        return Err(refuse("on", format!("接收日期晚于今天：{on}")));
    }
    if on < issued_on {
        return Err(refuse(
            "on",
            format!("接收日期{on}早于介绍信开具日期{issued_on}"),
        ));
    }
    if on > valid_until {
        return Err(refuse(
            "on",
            format!("介绍信已过有效期（{valid_until}前有效），请转出党组织撤回后重新开具"),
        ));
    }
    Ok(())
}

/// What returning a letter must satisfy: the letter still waiting, and a reason.
pub fn check_return(state: LetterState, reason: &str) -> Result<(), TransferError> {
    if !state.is_open() {
        return Err(refuse(
            "state",
            format!("该介绍信{}，不能退回", state.label()),
        ));
    }
    if reason.trim().is_empty() {
        return Err(refuse("reason", "请填写退回原因"));
    }
    crate::text::TRANSFER_REASON
        .titled("退回原因")
        .check(reason.trim())
        .map_err(|m| refuse("reason", m))?;
    Ok(())
}

/// What withdrawing a letter must satisfy: waiting or returned (a received one moved the
/// member; a closed one ended the relation).
pub fn check_withdraw(state: LetterState) -> Result<(), TransferError> {
    match state {
        LetterState::Issued | LetterState::Returned => Ok(()),
        other => Err(refuse(
            "state",
            format!("该介绍信{}，不能撤回", other.label()),
        )),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(y: i32, m: u32, day: u32) -> Date {
        Date::from_ymd_opt(y, m, day).unwrap()
    }

    #[test]
    fn a_letter_is_valid_three_months_by_the_rules_in_force() {
        let book = RuleBook::shipped();
        assert_eq!(valid_until(&book, d(2026, 3, 10)), d(2026, 6, 10));
        assert_eq!(valid_until(&book, d(2026, 11, 30)), d(2027, 2, 28));
        assert!(!overdue(
            LetterState::Issued,
            d(2026, 6, 10),
            d(2026, 6, 10)
        ));
        assert!(overdue(LetterState::Issued, d(2026, 6, 10), d(2026, 6, 11)));
        assert!(!overdue(
            LetterState::Received,
            d(2026, 6, 10),
            d(2026, 9, 1)
        ));
    }

    #[test]
    fn a_letter_is_refused_with_its_field() {
        let today = d(2026, 6, 1);
        let ok = check_issue(d(2026, 5, 1), today, d(2010, 1, 1), "工作调动", false);
        assert!(ok.is_ok());
        let field = |r: Result<(), TransferError>| r.unwrap_err().field;
        assert_eq!(
            field(check_issue(
                d(2026, 5, 1),
                today,
                d(2010, 1, 1),
                "调动",
                true
            )),
            "to"
        );
        assert_eq!(
            field(check_issue(d(2026, 5, 1), today, d(2010, 1, 1), " ", false)),
            "reason"
        );
        assert_eq!(
            field(check_issue(
                d(2026, 7, 1),
                today,
                d(2010, 1, 1),
                "调动",
                false
            )),
            "issued_on"
        );
        assert_eq!(
            field(check_issue(
                d(2009, 7, 1),
                today,
                d(2010, 1, 1),
                "调动",
                false
            )),
            "issued_on"
        );
    }

    #[test]
    fn receiving_needs_a_waiting_letter_within_its_validity() {
        let (issued, until, today) = (d(2026, 1, 5), d(2026, 4, 5), d(2026, 6, 1));
        let open = LetterState::Issued;
        assert!(check_receive(open, issued, until, d(2026, 4, 5), today).is_ok());
        let late = check_receive(open, issued, until, d(2026, 4, 6), today).unwrap_err();
        assert!(late.message.contains("已过有效期"), "{late}");
        assert_eq!(
            check_receive(open, issued, until, d(2026, 1, 4), today)
                .unwrap_err()
                .field,
            "on"
        );
        assert_eq!(
            check_receive(open, issued, until, d(2026, 6, 2), d(2026, 6, 1))
                .unwrap_err()
                .field,
            "on"
        );
        for s in [
            LetterState::Received,
            LetterState::Returned,
            LetterState::Closed,
        ] {
            assert_eq!(
                check_receive(s, issued, until, d(2026, 2, 1), today)
                    .unwrap_err()
                    .field,
                "state"
            );
        }
        assert!(check_return(open, "").is_err());
        assert!(check_return(open, "党员不在本单位工作").is_ok());
        assert!(check_withdraw(LetterState::Returned).is_ok());
        assert!(check_withdraw(LetterState::Received).is_err());
    }

    #[test]
    fn codes_and_labels_round_trip() {
        for s in LetterState::ALL {
            assert_eq!(LetterState::parse(s.code()), Some(s));
        }
        for o in Outside::ALL {
            assert_eq!(Outside::parse(o.code()), Some(o));
            assert_eq!(Outside::parse(o.label()), Some(o));
        }
    }
}
