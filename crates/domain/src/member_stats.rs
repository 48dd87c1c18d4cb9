//! Structure statistics of members (SPEC C3): counts by gender, age band, ethnicity,
//! education, occupation and party standing. Mergeable, so per-org counts roll up the tree.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use crate::{Date, Member};

/// Counts of members by dimension and band. Bands are the Chinese labels of the party's
/// statistics (e.g. age "30岁及以下", "31至35岁", …; standing "1949年10月以前", …).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct MemberStats {
    pub total: i64,
    pub full: i64,
    pub probationary: i64,
    pub gender: BTreeMap<String, i64>,
    pub age: BTreeMap<String, i64>,
    pub ethnicity: BTreeMap<String, i64>,
    pub education: BTreeMap<String, i64>,
    pub occupation: BTreeMap<String, i64>,
    pub standing: BTreeMap<String, i64>,
}

impl MemberStats {
    /// Counts one member as of `day` (status, age and standing are reckoned on that day).
    pub fn add(&mut self, member: &Member, day: Date) {
        let _ = (member, day);
        todo!("H2")
    }

    pub fn merge(&mut self, other: &MemberStats) {
        let _ = other;
        todo!("H2")
    }

    /// The bands of a dimension in display order (for tables and charts).
    pub fn age_bands() -> &'static [&'static str] {
        todo!("H2")
    }
    pub fn standing_bands() -> &'static [&'static str] {
        todo!("H2")
    }
}

/// The age band label of someone born on `birth`, on `day`.
pub fn age_band(birth: Date, day: Date) -> &'static str {
    let _ = (birth, day);
    todo!("H2")
}

/// The party-standing band (by the date of joining) label.
pub fn standing_band(joined_on: Date) -> &'static str {
    let _ = joined_on;
    todo!("H2")
}

/// Occupation as written on a roster mapped to the categories of the party's statistics
/// (工人, 农牧渔民, 专业技术人员, 企事业单位管理人员, 党政机关工作人员, 学生, 离退休人员, 其他职业).
pub fn occupation_category(occupation: Option<&str>) -> &'static str {
    let _ = occupation;
    todo!("H2")
}
