//! Structure statistics of members (SPEC C3): counts by gender, age band, ethnicity,
//! education, occupation and party standing. Mergeable, so per-org counts roll up the tree.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use chrono::Datelike;

use crate::{Date, Member, MemberStatus};

/// What the statistics read of one member.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Profile<'a> {
    pub gender: crate::Gender,
    pub ethnicity: &'a str,
    pub birth_date: Date,
    pub education: Option<crate::Education>,
    pub occupation: Option<&'a str>,
    pub joined_on: Date,
    pub status: MemberStatus,
    pub full_on: Option<Date>,
}

impl<'a> Profile<'a> {
    pub fn of(m: &'a Member) -> Profile<'a> {
        Profile {
            gender: m.gender,
            ethnicity: &m.ethnicity,
            birth_date: m.birth_date,
            education: m.education,
            occupation: m.occupation.as_deref(),
            joined_on: m.joined_on,
            status: m.status,
            full_on: m.full_on,
        }
    }
}

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

/// The label counted when a roster leaves a field empty.
pub const NOT_GIVEN: &str = "未填写";

const AGE_BANDS: [&str; 10] = [
    "30岁及以下",
    "31至35岁",
    "36至40岁",
    "41至45岁",
    "46至50岁",
    "51至55岁",
    "56至60岁",
    "61至70岁",
    "71至80岁",
    "81岁及以上",
];

const STANDING_BANDS: [&str; 8] = [
    "1949年10月以前",
    "1949年10月至1966年4月",
    "1966年5月至1976年10月",
    "1976年11月至1978年12月",
    "1979年1月至2002年10月",
    "2002年11月至2012年10月",
    "2012年11月至2022年10月",
    "2022年11月以后",
];

fn bump(map: &mut BTreeMap<String, i64>, key: &str) {
    *map.entry(key.to_string()).or_default() += 1;
}

fn merge_counts(into: &mut BTreeMap<String, i64>, from: &BTreeMap<String, i64>) {
    for (k, n) in from {
        *into.entry(k.clone()).or_default() += n;
    }
}

impl MemberStats {
    /// Counts one member as of `day` (status, age and standing are reckoned on that day).
    pub fn add(&mut self, member: &Member, day: Date) {
        self.add_profile(&Profile::of(member), day);
    }

    /// Counts one member from the fields statistics need (stored records carry no
    /// decrypted ID number, so they are counted through this).
    pub fn add_profile(&mut self, member: &Profile<'_>, day: Date) {
        self.total += 1;
        match crate::member::status_on(member.status, member.full_on, day) {
            MemberStatus::Full => self.full += 1,
            MemberStatus::Probationary => self.probationary += 1,
        }
        bump(&mut self.gender, member.gender.label());
        bump(&mut self.age, age_band(member.birth_date, day));
        let ethnicity = member.ethnicity.trim();
        bump(
            &mut self.ethnicity,
            if ethnicity.is_empty() {
                NOT_GIVEN
            } else {
                ethnicity
            },
        );
        bump(
            &mut self.education,
            member.education.map_or(NOT_GIVEN, |e| e.label()),
        );
        bump(&mut self.occupation, occupation_category(member.occupation));
        bump(&mut self.standing, standing_band(member.joined_on));
    }

    pub fn merge(&mut self, other: &MemberStats) {
        self.total += other.total;
        self.full += other.full;
        self.probationary += other.probationary;
        merge_counts(&mut self.gender, &other.gender);
        merge_counts(&mut self.age, &other.age);
        merge_counts(&mut self.ethnicity, &other.ethnicity);
        merge_counts(&mut self.education, &other.education);
        merge_counts(&mut self.occupation, &other.occupation);
        merge_counts(&mut self.standing, &other.standing);
    }

    /// The bands of a dimension in display order (for tables and charts).
    pub fn age_bands() -> &'static [&'static str] {
        &AGE_BANDS
    }
    pub fn standing_bands() -> &'static [&'static str] {
        &STANDING_BANDS
    }
    /// The occupation categories in display order.
    pub fn occupation_categories() -> &'static [&'static str] {
        &OCCUPATIONS
    }
}

/// Age in full years on `day` (negative when `day` precedes the birth).
pub fn age_on(birth: Date, day: Date) -> i32 {
    let mut age = day.year() - birth.year();
    if (day.month(), day.day()) < (birth.month(), birth.day()) {
        age -= 1;
    }
    age
}

/// The age band label of someone born on `birth`, on `day`.
pub fn age_band(birth: Date, day: Date) -> &'static str {
    let age = age_on(birth, day);
    let i = match age {
        ..=30 => 0,
        31..=35 => 1,
        36..=40 => 2,
        41..=45 => 3,
        46..=50 => 4,
        51..=55 => 5,
        56..=60 => 6,
        61..=70 => 7,
        71..=80 => 8,
        _ => 9,
    };
    AGE_BANDS[i]
}

/// The party-standing band (by the date of joining) label.
pub fn standing_band(joined_on: Date) -> &'static str {
    // Band edges are months of the party's history (founding of the PRC, the Cultural
    // Revolution, the Third Plenum, the 16th–20th Congresses); compared as (year, month).
    let ym = (joined_on.year(), joined_on.month());
    let i = if ym < (1949, 10) {
        0
    } else if ym < (1966, 5) {
        1
    } else if ym < (1976, 11) {
        2
    } else if ym < (1979, 1) {
        3
    } else if ym < (2002, 11) {
        4
    } else if ym < (2012, 11) {
        5
    } else if ym < (2022, 11) {
        6
    } else {
        7
    };
    STANDING_BANDS[i]
}

const OCCUPATIONS: [&str; 8] = [
    "工人",
    "农牧渔民",
    "专业技术人员",
    "企事业单位管理人员",
    "党政机关工作人员",
    "学生",
    "离退休人员",
    "其他职业",
];

/// Keywords per category, tried in this order: the first that matches wins. The order
/// settles mixed titles: "退休教师" is retired, "农民工" a worker, "机关管理人员" organ staff,
/// "技术管理人员" management, "技术工人" a worker.
const OCCUPATION_KEYWORDS: [(&str, &[&str]); 8] = [
    ("离退休人员", &["离休", "退休", "离退休"]),
    ("学生", &["学生", "研究生在读", "在读", "在校"]),
    ("工人", &["农民工"]),
    // Village cadres are counted with the farmers in the party's statistics.
    (
        "农牧渔民",
        &["农民", "牧民", "渔民", "农牧渔民", "务农", "村干部"],
    ),
    ("党政机关工作人员", &["公务员", "机关", "参公", "干部"]),
    (
        "企事业单位管理人员",
        &[
            "经理",
            "管理人员",
            "企业管理",
            "事业单位管理",
            "负责人",
            "厂长",
            "董事长",
        ],
    ),
    (
        "专业技术人员",
        &[
            "教师",
            "医生",
            "工程师",
            "护士",
            "专业技术",
            "会计",
            "律师",
            "科研",
            "技术员",
        ],
    ),
    ("工人", &["工人", "技术工人", "操作工", "职工", "工勤"]),
];

/// Occupation as written on a roster mapped to the categories of the party's statistics
/// (工人, 农牧渔民, 专业技术人员, 企事业单位管理人员, 党政机关工作人员, 学生, 离退休人员, 其他职业).
pub fn occupation_category(occupation: Option<&str>) -> &'static str {
    let s = occupation.map(str::trim).unwrap_or_default();
    if s.is_empty() {
        return "其他职业";
    }
    OCCUPATION_KEYWORDS
        .iter()
        .find(|(_, words)| words.iter().any(|w| s.contains(w)))
        .map_or("其他职业", |(category, _)| category)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{Education, Gender, IdNumber, MemberStatus};

    fn d(y: i32, m: u32, day: u32) -> Date {
        Date::from_ymd_opt(y, m, day).unwrap()
    }

    fn member(birth: Date, joined: Date, full_on: Option<Date>) -> Member {
        Member {
            id: 1,
            org_id: 1,
            name: "张三".into(),
            gender: Gender::Female,
            ethnicity: "汉族".into(),
            birth_date: birth,
            id_number: IdNumber::synthesize("110105", birth, 2),
            education: Some(Education::Bachelor),
            status: MemberStatus::Probationary,
            joined_on: joined,
            full_on,
            occupation: Some("小学教师".into()),
            phone: None,
            mobile: false,
            lost_contact: false,
        }
    }

    #[test]
    fn age_bands_by_full_years() {
        let day = d(2024, 6, 30);
        assert_eq!(age_band(d(1994, 6, 30), day), "30岁及以下");
        assert_eq!(age_band(d(1993, 7, 1), day), "30岁及以下");
        assert_eq!(age_band(d(1993, 6, 30), day), "31至35岁");
        assert_eq!(age_band(d(1984, 6, 30), day), "36至40岁");
        assert_eq!(age_band(d(1963, 7, 1), day), "56至60岁");
        assert_eq!(age_band(d(1963, 6, 30), day), "61至70岁");
        assert_eq!(age_band(d(1944, 1, 1), day), "71至80岁");
        assert_eq!(age_band(d(1943, 6, 30), day), "81岁及以上");
        assert_eq!(age_band(d(2030, 1, 1), day), "30岁及以下");
        assert_eq!(MemberStats::age_bands().len(), 10);
    }

    #[test]
    fn standing_bands_by_month() {
        assert_eq!(standing_band(d(1949, 9, 30)), "1949年10月以前");
        assert_eq!(standing_band(d(1949, 10, 1)), "1949年10月至1966年4月");
        assert_eq!(standing_band(d(1966, 4, 30)), "1949年10月至1966年4月");
        assert_eq!(standing_band(d(1966, 5, 1)), "1966年5月至1976年10月");
        assert_eq!(standing_band(d(1976, 11, 1)), "1976年11月至1978年12月");
        assert_eq!(standing_band(d(1978, 12, 31)), "1976年11月至1978年12月");
        assert_eq!(standing_band(d(1979, 1, 1)), "1979年1月至2002年10月");
        assert_eq!(standing_band(d(2002, 11, 8)), "2002年11月至2012年10月");
        assert_eq!(standing_band(d(2012, 10, 31)), "2002年11月至2012年10月");
        assert_eq!(standing_band(d(2022, 10, 31)), "2012年11月至2022年10月");
        assert_eq!(standing_band(d(2022, 11, 1)), "2022年11月以后");
        for b in MemberStats::standing_bands() {
            assert!(b.contains('年'));
        }
    }

    #[test]
    fn occupations_map_to_categories() {
        let cases = [
            (None, "其他职业"),
            (Some("  "), "其他职业"),
            (Some("个体经营"), "其他职业"),
            (Some("技术工人"), "工人"),
            (Some("农民工"), "工人"),
            (Some("务农"), "农牧渔民"),
            (Some("渔民"), "农牧渔民"),
            (Some("中学教师"), "专业技术人员"),
            (Some("退休教师"), "离退休人员"),
            (Some("企业部门经理"), "企事业单位管理人员"),
            (Some("县直机关科员"), "党政机关工作人员"),
            (Some("公务员"), "党政机关工作人员"),
            (Some("研究生在读"), "学生"),
            (Some("离退休人员"), "离退休人员"),
        ];
        for (input, want) in cases {
            assert_eq!(occupation_category(input), want, "{input:?}");
        }
        // Each category's own name maps to itself.
        for c in MemberStats::occupation_categories() {
            assert_eq!(occupation_category(Some(c)), *c);
        }
    }

    #[test]
    fn add_and_merge() {
        let day = d(2024, 6, 30);
        let mut a = MemberStats::default();
        // Probationary, confirmed after `day`.
        a.add(
            &member(d(1995, 1, 1), d(2023, 12, 1), Some(d(2024, 12, 1))),
            day,
        );
        let mut m = member(d(1960, 3, 1), d(1985, 7, 1), Some(d(1986, 7, 1)));
        m.gender = Gender::Male;
        m.ethnicity = " ".into();
        m.education = None;
        m.occupation = Some("退休".into());
        a.add(&m, day);
        assert_eq!((a.total, a.full, a.probationary), (2, 1, 1));
        assert_eq!(a.gender["男"], 1);
        assert_eq!(a.gender["女"], 1);
        assert_eq!(a.ethnicity["汉族"], 1);
        assert_eq!(a.ethnicity[NOT_GIVEN], 1);
        assert_eq!(a.education["大学本科"], 1);
        assert_eq!(a.education[NOT_GIVEN], 1);
        assert_eq!(a.occupation["专业技术人员"], 1);
        assert_eq!(a.occupation["离退休人员"], 1);
        assert_eq!(a.age["30岁及以下"], 1);
        assert_eq!(a.age["61至70岁"], 1);
        assert_eq!(a.standing["2022年11月以后"], 1);
        assert_eq!(a.standing["1979年1月至2002年10月"], 1);

        let mut b = MemberStats::default();
        b.add(
            &member(d(1995, 1, 1), d(2023, 12, 1), Some(d(2024, 1, 1))),
            day,
        );
        let mut merged = a.clone();
        merged.merge(&b);
        assert_eq!((merged.total, merged.full, merged.probationary), (3, 2, 1));
        assert_eq!(merged.gender["女"], 2);
        assert_eq!(merged.age["30岁及以下"], 2);
        // Merging into empty gives the same counts.
        let mut empty = MemberStats::default();
        empty.merge(&a);
        assert_eq!(empty, a);
    }
}
