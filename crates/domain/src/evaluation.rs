//! 民主评议党员 (SPEC R: a yearly democratic evaluation; 优秀 at most a third of the
//! members evaluated): each member's grade, and the check of a meeting's grades against
//! the share the rules in force allow.

use serde::{Deserialize, Serialize};

/// 评议等次.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub enum Grade {
    /// 优秀
    Excellent,
    /// 合格
    Qualified,
    /// 基本合格
    BasicallyQualified,
    /// 不合格
    Unqualified,
}

impl Grade {
    pub const ALL: [Grade; 4] = [
        Grade::Excellent,
        Grade::Qualified,
        Grade::BasicallyQualified,
        Grade::Unqualified,
    ];

    pub fn code(self) -> &'static str {
        match self {
            Grade::Excellent => "Excellent",
            Grade::Qualified => "Qualified",
            Grade::BasicallyQualified => "BasicallyQualified",
            Grade::Unqualified => "Unqualified",
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            Grade::Excellent => "优秀",
            Grade::Qualified => "合格",
            Grade::BasicallyQualified => "基本合格",
            Grade::Unqualified => "不合格",
        }
    }

    /// A grade by its code or its Chinese label.
    pub fn parse(s: &str) -> Option<Grade> {
        let s = s.trim();
        Grade::ALL
            .into_iter()
            .find(|g| g.code() == s || g.label() == s)
    }
}

/// The most members of `evaluated` that may be graded 优秀 under `max_share`
/// (不超过三分之一: 10 evaluated allow 3).
pub fn excellent_allowed(evaluated: usize, max_share: f64) -> usize {
    // A small tolerance: a third of 9 is 3, not 2.999….
    (evaluated as f64 * max_share + 1e-9).floor() as usize
}

/// Whether a meeting's grades keep 优秀 within the share the rules allow; the refusal in
/// Chinese.
pub fn check(grades: &[Grade], max_share: f64) -> Result<(), String> {
    let excellent = grades.iter().filter(|g| **g == Grade::Excellent).count();
    let allowed = excellent_allowed(grades.len(), max_share);
    if excellent > allowed {
        return Err(format!(
            "评为优秀的{excellent}名，超过参加评议的{}名党员的{}（最多{allowed}名）",
            grades.len(),
            share_words(max_share)
        ));
    }
    Ok(())
}

/// A share as the regulations write it (三分之一), else as a percentage.
fn share_words(share: f64) -> String {
    for (d, words) in [
        (3.0, "三分之一"),
        (4.0, "四分之一"),
        (5.0, "五分之一"),
        (2.0, "二分之一"),
    ] {
        if (share - 1.0 / d).abs() < 1e-6 {
            return words.to_string();
        }
    }
    format!("{:.0}%", share * 100.0)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_third_are_excellent_at_most() {
        let third = 1.0 / 3.0;
        assert_eq!(excellent_allowed(9, third), 3);
        assert_eq!(excellent_allowed(10, third), 3);
        assert_eq!(excellent_allowed(2, third), 0);
        let mut grades = vec![Grade::Qualified; 6];
        grades.extend([Grade::Excellent; 3]);
        assert!(check(&grades, third).is_ok());
        grades[0] = Grade::Excellent;
        let e = check(&grades, third).unwrap_err();
        assert!(
            e.contains("优秀的4名") && e.contains("三分之一") && e.contains("最多3名"),
            "{e}"
        );
    }

    #[test]
    fn grades_read_by_code_or_label() {
        assert_eq!(Grade::parse("基本合格"), Some(Grade::BasicallyQualified));
        assert_eq!(Grade::parse("Excellent"), Some(Grade::Excellent));
        assert_eq!(Grade::parse("良好"), None);
    }
}
