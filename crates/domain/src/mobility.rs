//! 流动党员 and 失联党员 (SPEC C3, R): a member away from their branch (外出) and a member
//! the branch has lost contact with (失联), each from a day. What the rules ask is derived
//! on a day and proposed to the branch, never done: away at a fixed place for the months of
//! the rule set in force (SPEC R: 6) → the relation should be transferred; lost for 6 months
//! → the suspension procedure (停止党籍); 2 more years → removal (除名).

use crate::rules::RuleBook;
use crate::Date;

/// What the rules propose for a member away or lost, on a day.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Proposal {
    /// 外出 at a fixed place long enough: 应转移组织关系.
    TransferDue,
    /// 失联 long enough: 启动停止党籍程序.
    Suspension,
    /// 失联 and suspended long enough: 启动除名程序.
    Removal,
}

impl Proposal {
    pub fn code(self) -> &'static str {
        match self {
            Proposal::TransferDue => "transfer_due",
            Proposal::Suspension => "suspension",
            Proposal::Removal => "removal",
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            Proposal::TransferDue => "外出满6个月，应转移组织关系",
            Proposal::Suspension => "失联满6个月，应启动停止党籍程序",
            Proposal::Removal => "停止党籍满2年仍无联系，应启动除名程序",
        }
    }
}

fn months_after(d: Date, months: i64) -> Date {
    d.checked_add_months(chrono::Months::new(months.max(0) as u32))
        .unwrap_or(Date::MAX)
}

/// The day from which a member away since `since` should have their relation transferred.
pub fn transfer_due_from(rules: &RuleBook, since: Date) -> Date {
    months_after(
        since,
        rules
            .in_force(since)
            .membership
            .transfer_required_away_months,
    )
}

/// The day from which the suspension procedure is proposed for a member lost since `since`.
pub fn suspension_from(rules: &RuleBook, since: Date) -> Date {
    months_after(
        since,
        rules
            .in_force(since)
            .membership
            .lost_contact_suspension_months,
    )
}

/// The day from which removal is proposed: the years of the rules after the suspension was
/// decided (or, undecided, after it was due).
pub fn removal_from(rules: &RuleBook, since: Date, suspended_on: Option<Date>) -> Date {
    let start = suspended_on.unwrap_or_else(|| suspension_from(rules, since));
    let years = rules
        .in_force(start)
        .membership
        .lost_contact_removal_more_years;
    months_after(start, years * 12)
}

/// What is proposed on `day` for a member away since `since` (still away).
pub fn away(rules: &RuleBook, since: Date, day: Date) -> Option<Proposal> {
    (day >= transfer_due_from(rules, since)).then_some(Proposal::TransferDue)
}

/// What is proposed on `day` for a member lost since `since` (still lost), whose suspension
/// was decided on `suspended_on`, if it was.
pub fn lost(
    rules: &RuleBook,
    since: Date,
    suspended_on: Option<Date>,
    day: Date,
) -> Option<Proposal> {
    if day >= removal_from(rules, since, suspended_on) {
        Some(Proposal::Removal)
    } else if suspended_on.is_none() && day >= suspension_from(rules, since) {
        Some(Proposal::Suspension)
    } else {
        None
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(s: &str) -> Date {
        s.parse().unwrap()
    }

    #[test]
    fn the_rules_propose_from_their_months() {
        let r = RuleBook::shipped();
        assert_eq!(away(&r, d("2026-05-15"), d("2026-11-14")), None);
        assert_eq!(
            away(&r, d("2026-05-15"), d("2026-11-15")),
            Some(Proposal::TransferDue)
        );
        // Lost since 8 months ago: suspension proposed; once decided, nothing until 2 years on.
        assert_eq!(
            lost(&r, d("2026-04-01"), None, d("2026-12-01")),
            Some(Proposal::Suspension)
        );
        assert_eq!(lost(&r, d("2026-04-01"), None, d("2026-09-30")), None);
        assert_eq!(
            lost(&r, d("2026-04-01"), Some(d("2026-10-20")), d("2026-12-01")),
            None
        );
        assert_eq!(
            lost(&r, d("2026-04-01"), Some(d("2026-10-20")), d("2028-10-20")),
            Some(Proposal::Removal)
        );
        // Never decided: removal two years after the suspension was due.
        assert_eq!(
            lost(&r, d("2024-01-10"), None, d("2026-07-10")),
            Some(Proposal::Removal)
        );
    }
}
