//! 党费 (SPEC C3, R): the monthly amount a member owes, from the bracket table of the rule
//! set in force (《关于中国共产党党费收缴、使用和管理的规定》, 2008). Salaried members pay a
//! share of their after-tax monthly pay by its bracket (the whole base at the bracket's
//! rate: 3000 pays 0.5 %, 3000.01 pays 1 %), retirees a share of their pension, farmers an
//! amount the branch sets within the table's range, students, the unemployed and those on
//! relief the table's fixed amount. Amounts are whole 分 (rounded half up).

use std::fmt;

use crate::rules::{DuesBracket, RuleBook};
use crate::{Date, Period};

/// Which row of the table a member's dues are reckoned by.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum DuesCategory {
    /// 在职 (工资收入): by the after-tax monthly pay.
    Salaried,
    /// 离退休: by the monthly pension.
    Retired,
    /// 农民: an amount within the table's range, set by the branch.
    Farmer,
    /// 学生.
    Student,
    /// 下岗失业.
    Unemployed,
    /// 享受最低生活保障.
    Relief,
}

impl DuesCategory {
    pub const ALL: [DuesCategory; 6] = [
        DuesCategory::Salaried,
        DuesCategory::Retired,
        DuesCategory::Farmer,
        DuesCategory::Student,
        DuesCategory::Unemployed,
        DuesCategory::Relief,
    ];

    pub fn code(self) -> &'static str {
        match self {
            DuesCategory::Salaried => "salaried",
            DuesCategory::Retired => "retired",
            DuesCategory::Farmer => "farmer",
            DuesCategory::Student => "student",
            DuesCategory::Unemployed => "unemployed",
            DuesCategory::Relief => "relief",
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            DuesCategory::Salaried => "在职（按税后工资）",
            DuesCategory::Retired => "离退休（按养老金）",
            DuesCategory::Farmer => "农民",
            DuesCategory::Student => "学生",
            DuesCategory::Unemployed => "下岗失业",
            DuesCategory::Relief => "享受最低生活保障",
        }
    }

    /// A code, a label, or the label's first words (在职, 离退休).
    pub fn parse(s: &str) -> Option<DuesCategory> {
        let s = s.trim();
        DuesCategory::ALL
            .into_iter()
            .find(|c| c.code() == s || c.label() == s || c.label().starts_with(s) && !s.is_empty())
    }

    /// Whether the amount is reckoned from a base (pay or pension).
    pub fn has_base(self) -> bool {
        matches!(self, DuesCategory::Salaried | DuesCategory::Retired)
    }
}

/// Why an amount cannot be reckoned.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DuesError(pub String);

impl fmt::Display for DuesError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for DuesError {}

/// Yuan as whole 分, rounded half up (a base of 3456.78 元 at 1 % is 34.57 元).
fn fen(yuan: f64) -> i64 {
    (yuan * 100.0 + 1e-6).round() as i64
}

/// The rate of the bracket `base` falls in (a bracket holds its upper bound).
fn rate(brackets: &[DuesBracket], base: f64) -> f64 {
    brackets
        .iter()
        .find(|b| b.up_to.is_none_or(|u| base <= u))
        .or(brackets.last())
        .map_or(0.0, |b| b.rate_percent)
}

/// The monthly dues, in 分, of a member of `category` on `day` (the rule set in force
/// then): `amount` is the after-tax pay or the pension for the salaried and the retired, the
/// branch's amount for a farmer (within the table's range), and is not read otherwise.
pub fn monthly(
    rules: &RuleBook,
    day: Date,
    category: DuesCategory,
    amount: Option<f64>,
) -> Result<i64, DuesError> {
    let t = &rules.in_force(day).dues;
    let given = || {
        amount
            .filter(|a| a.is_finite() && *a >= 0.0)
            .ok_or_else(|| DuesError(format!("{}须填写金额（元）", category.label())))
    };
    Ok(match category {
        DuesCategory::Salaried => {
            let base = given()?;
            fen(base * rate(&t.employed, base) / 100.0)
        }
        DuesCategory::Retired => {
            let base = given()?;
            fen(base * rate(&t.retired, base) / 100.0)
        }
        DuesCategory::Farmer => {
            let a = amount.unwrap_or(t.farmer_min_yuan);
            if a < t.farmer_min_yuan - 1e-9 || a > t.farmer_max_yuan + 1e-9 {
                return Err(DuesError(format!(
                    "农民党员每月交纳党费{}元至{}元，由党支部确定",
                    t.farmer_min_yuan, t.farmer_max_yuan
                )));
            }
            fen(a)
        }
        DuesCategory::Student | DuesCategory::Unemployed | DuesCategory::Relief => {
            fen(t.student_yuan)
        }
    })
}

/// The month after `p` (a month; other periods are answered unchanged).
pub fn next_month(p: Period) -> Period {
    match p {
        Period::Month(y, 12) => Period::Month(y + 1, 1),
        Period::Month(y, m) => Period::Month(y, m + 1),
        other => other,
    }
}

/// The month `n` months before `p`.
pub fn months_back(p: Period, n: u32) -> Period {
    let Period::Month(y, m) = p else {
        return p;
    };
    let total = y * 12 + m as i32 - 1 - n as i32;
    Period::Month(total.div_euclid(12), total.rem_euclid(12) as u32 + 1)
}

/// The months from `from` to `to`, inclusive (none when `from` is later).
pub fn months(from: Period, to: Period) -> Vec<Period> {
    let mut out = Vec::new();
    let mut p = from;
    while p <= to {
        out.push(p);
        p = next_month(p);
    }
    out
}

/// One month of a member's account: what the base in force asked, what was paid.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct MonthDue {
    pub month: Period,
    pub due_fen: i64,
    pub paid_fen: Option<i64>,
}

/// A member's months from `from` to `to` under their bases (`(first month, monthly 分)`,
/// in month order): months before the first base are not assessed and left out.
pub fn account(
    bases: &[(Period, i64)],
    paid: &std::collections::HashMap<Period, i64>,
    (from, to): (Period, Period),
) -> Vec<MonthDue> {
    months(from, to)
        .into_iter()
        .filter_map(|month| {
            let due = bases.iter().rev().find(|(f, _)| *f <= month)?.1;
            Some(MonthDue {
                month,
                due_fen: due,
                paid_fen: paid.get(&month).copied(),
            })
        })
        .collect()
}

/// What is owed over `months`: how many went unpaid and their amount (分).
pub fn arrears(months: &[MonthDue]) -> (usize, i64) {
    months
        .iter()
        .filter(|m| m.paid_fen.is_none())
        .fold((0, 0), |(n, fen), m| (n + 1, fen + m.due_fen))
}

/// How many months, ending with the last of `months`, went unpaid one after another
/// (SPEC R: 6 in a row is put to the branch to decide; never decided here).
pub fn unpaid_run(months: &[MonthDue]) -> usize {
    months
        .iter()
        .rev()
        .take_while(|m| m.paid_fen.is_none())
        .count()
}

/// 元 from 分, as a sheet prints money: `14.00`.
pub fn yuan(fen: i64) -> String {
    let sign = if fen < 0 { "-" } else { "" };
    format!("{sign}{}.{:02}", fen.abs() / 100, fen.abs() % 100)
}

/// 分 from a sum of 元 as typed (`14`, `14.5`, `14.05`, `１４．００` is not accepted):
/// `None` when it is not a non-negative amount with at most two decimals.
pub fn parse_yuan(s: &str) -> Option<i64> {
    let s = s.trim().trim_end_matches('元').trim();
    let (whole, frac) = s.split_once('.').unwrap_or((s, ""));
    if whole.is_empty() && frac.is_empty()
        || frac.len() > 2
        || !whole.bytes().all(|b| b.is_ascii_digit())
        || !frac.bytes().all(|b| b.is_ascii_digit())
        || whole.len() > 9
    {
        return None;
    }
    let w: i64 = if whole.is_empty() {
        0
    } else {
        whole.parse().ok()?
    };
    let f: i64 = format!("{frac:0<2}").parse().ok()?;
    Some(w * 100 + f)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn due(c: DuesCategory, amount: Option<f64>) -> i64 {
        let book = RuleBook::shipped();
        monthly(&book, "2026-06-01".parse().unwrap(), c, amount).unwrap()
    }

    #[test]
    fn the_2008_table_by_hand() {
        use DuesCategory::*;
        // 在职: 0.5 % up to 3000 (inclusive), 1 % to 5000, 1.5 % to 10000, 2 % above.
        assert_eq!(due(Salaried, Some(2800.0)), 1400); // 14.00 元
        assert_eq!(due(Salaried, Some(3000.0)), 1500); // 15.00 元
        assert_eq!(due(Salaried, Some(3000.01)), 3000); // 30.00 元
        assert_eq!(due(Salaried, Some(4500.0)), 4500); // 45.00 元
        assert_eq!(due(Salaried, Some(5000.0)), 5000);
        assert_eq!(due(Salaried, Some(8000.0)), 12000); // 120.00 元
        assert_eq!(due(Salaried, Some(12000.0)), 24000); // 240.00 元
        assert_eq!(due(Salaried, Some(3456.78)), 3457); // 34.5678 → 34.57 元
                                                        // 离退休: 0.5 % up to 5000, 1 % above.
        assert_eq!(due(Retired, Some(4200.0)), 2100); // 21.00 元
        assert_eq!(due(Retired, Some(6000.0)), 6000); // 60.00 元
                                                      // 农民 0.2–1 元 as the branch sets; 学生, 下岗失业, 低保 0.2 元.
        assert_eq!(due(Farmer, None), 20);
        assert_eq!(due(Farmer, Some(0.5)), 50);
        assert_eq!(due(Student, None), 20);
        assert_eq!(due(Relief, Some(9999.0)), 20);
        let book = RuleBook::shipped();
        let day = "2026-06-01".parse().unwrap();
        assert!(monthly(&book, day, Farmer, Some(2.0)).is_err());
        assert!(monthly(&book, day, Salaried, None).is_err());
        assert!(monthly(&book, day, Salaried, Some(-1.0)).is_err());
        for c in DuesCategory::ALL {
            assert_eq!(DuesCategory::parse(c.code()), Some(c));
        }
        assert_eq!(DuesCategory::parse("在职"), Some(Salaried));
        assert_eq!(DuesCategory::parse("离退休"), Some(Retired));
    }

    #[test]
    fn months_and_arrears() {
        let m = |y, m| Period::Month(y, m);
        assert_eq!(next_month(m(2026, 12)), m(2027, 1));
        assert_eq!(months_back(m(2026, 3), 6), m(2025, 9));
        assert_eq!(months_back(m(2026, 12), 12), m(2025, 12));
        assert_eq!(months(m(2025, 11), m(2026, 2)).len(), 4);
        assert!(months(m(2026, 3), m(2026, 2)).is_empty());
        // A base from 2026-03 (15.00), revised from 2026-07 (30.00); paid March and May.
        let bases = [(m(2026, 3), 1500), (m(2026, 7), 3000)];
        let paid = [(m(2026, 3), 1500), (m(2026, 5), 1500)]
            .into_iter()
            .collect();
        let acc = account(&bases, &paid, (m(2026, 1), m(2026, 11)));
        assert_eq!(acc.len(), 9, "January and February are not assessed");
        assert_eq!(acc[4].due_fen, 3000);
        // Unpaid: April, June (15 each), July–November (30 each).
        assert_eq!(arrears(&acc), (7, 2 * 1500 + 5 * 3000));
        assert_eq!(unpaid_run(&acc), 6);
        assert_eq!(unpaid_run(&acc[..3]), 0);
        assert_eq!(yuan(1500), "15.00");
        assert_eq!(yuan(20), "0.20");
        assert_eq!(parse_yuan("14.5"), Some(1450));
        assert_eq!(parse_yuan("0.2元"), Some(20));
        assert_eq!(parse_yuan("30"), Some(3000));
        assert_eq!(parse_yuan("1.234"), None);
        assert_eq!(parse_yuan("-1"), None);
        assert_eq!(parse_yuan(""), None);
    }
}
