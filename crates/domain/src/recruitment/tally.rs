//! A subtree's recruitment in counts (`Tally`): the people by stage, their violations, the
//! deadlines of their next steps by day, and each year's admissions by plan target. Made
//! from each person's stored judgement (`Counted`) and added up the tree like the member
//! statistics, so the overview of a province reads one stored tally per org listed instead
//! of its hundreds of thousands of people.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use crate::member_stats::age_on;
use crate::{Date, Domain, Education, Gender};

/// The structure targets of a recruitment plan (发展党员计划): the key (JSON, the stored
/// plan) and the label. A person admitted (⑰) counts towards
///
/// - `under_35` (35岁以下): under 35 in full years on the day of ⑰;
/// - `women` (女性);
/// - `front_line` (生产工作一线): the applicant's flag as registered;
/// - `college` (大专及以上学历): 研究生, 大学本科 or 大学专科;
/// - `young_farmers` (农村青年农民): received by a village's branch and under 35 as above.
pub const TARGETS: [(&str, &str); 5] = [
    ("under_35", "35岁以下"),
    ("women", "女性"),
    ("front_line", "生产工作一线"),
    ("college", "大专及以上学历"),
    ("young_farmers", "农村青年农民"),
];

/// A person approved by the higher committee (⑰), as a plan counts them.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Admission {
    pub gender: Gender,
    pub birth_date: Date,
    pub education: Option<Education>,
    pub front_line: bool,
    /// The domain (领域) of the org that received the application.
    pub domain: Option<Domain>,
    pub admitted_on: Date,
}

impl Admission {
    /// Which targets the person meets, in `TARGETS` order.
    pub fn meets(&self) -> [bool; 5] {
        let young = age_on(self.birth_date, self.admitted_on) < 35;
        let college = matches!(
            self.education,
            Some(Education::Postgraduate | Education::Bachelor | Education::College)
        );
        [
            young,
            self.gender == Gender::Female,
            self.front_line,
            college,
            young && self.domain == Some(Domain::Village),
        ]
    }
}

/// One person as a tally counts them: their stored judgement.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Counted<'a> {
    /// `RecruitStage::key()`, `withdrawn` or `cancelled`.
    pub stage: &'a str,
    /// The deadline of the next step, for a person with a next step to take.
    pub deadline: Option<Date>,
    pub violations: i64,
    pub admission: Option<Admission>,
}

/// Admissions of a year: the total, then each target's count in `TARGETS` order.
pub type YearAdmissions = [i64; 6];

/// The counts of a subtree's applicants.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Tally {
    /// People by stage key.
    #[serde(default)]
    pub stages: BTreeMap<String, i64>,
    /// Violations of the time rules found, summed over the people of each stage.
    #[serde(default)]
    pub violations: BTreeMap<String, i64>,
    /// People with a next step, by the day it is due.
    #[serde(default)]
    pub deadlines: BTreeMap<Date, i64>,
    /// People approved (⑰) in each year, by target.
    #[serde(default)]
    pub admitted: BTreeMap<i32, YearAdmissions>,
}

fn bump<K: Ord>(map: &mut BTreeMap<K, i64>, key: K, by: i64) {
    if by != 0 {
        *map.entry(key).or_default() += by;
    }
}

impl Tally {
    /// Counts one person.
    pub fn add(&mut self, c: &Counted) {
        bump(&mut self.stages, c.stage.to_string(), 1);
        bump(&mut self.violations, c.stage.to_string(), c.violations);
        if let Some(day) = c.deadline {
            bump(&mut self.deadlines, day, 1);
        }
        if let Some(a) = c.admission {
            let year = self
                .admitted
                .entry(chrono::Datelike::year(&a.admitted_on))
                .or_default();
            year[0] += 1;
            for (i, met) in a.meets().into_iter().enumerate() {
                year[i + 1] += i64::from(met);
            }
        }
    }

    /// Adds another subtree's tally (a child's) to this one.
    pub fn merge(&mut self, other: &Tally) {
        for (k, n) in &other.stages {
            bump(&mut self.stages, k.clone(), *n);
        }
        for (k, n) in &other.violations {
            bump(&mut self.violations, k.clone(), *n);
        }
        for (d, n) in &other.deadlines {
            bump(&mut self.deadlines, *d, *n);
        }
        for (y, counts) in &other.admitted {
            let mine = self.admitted.entry(*y).or_default();
            for (m, n) in mine.iter_mut().zip(counts) {
                *m += n;
            }
        }
    }

    /// People at the stage `key`.
    pub fn stage(&self, key: &str) -> i64 {
        self.stages.get(key).copied().unwrap_or(0)
    }

    /// Violations found, over all the people.
    pub fn violations_total(&self) -> i64 {
        self.violations.values().sum()
    }

    /// People whose next step is due on or before `day`.
    pub fn due_by(&self, day: Date) -> i64 {
        self.deadlines.range(..=day).map(|(_, n)| n).sum()
    }

    /// People whose next step's deadline passed before `today`.
    pub fn overdue(&self, today: Date) -> i64 {
        self.deadlines.range(..today).map(|(_, n)| n).sum()
    }

    /// People with a next step and its deadline.
    pub fn dated(&self) -> i64 {
        self.deadlines.values().sum()
    }

    /// The first day by which `n` people's next steps are due, if that many have a deadline.
    pub fn day_by_which(&self, n: i64) -> Option<Date> {
        let mut seen = 0;
        self.deadlines.iter().find_map(|(day, k)| {
            seen += k;
            (seen >= n).then_some(*day)
        })
    }

    /// The admissions of `year`.
    pub fn admitted_in(&self, year: i32) -> YearAdmissions {
        self.admitted.get(&year).copied().unwrap_or_default()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(s: &str) -> Date {
        s.parse().unwrap()
    }

    fn admission(birth: &str, on: &str, domain: Domain) -> Admission {
        Admission {
            gender: Gender::Female,
            birth_date: d(birth),
            education: Some(Education::College),
            front_line: false,
            domain: Some(domain),
            admitted_on: d(on),
        }
    }

    #[test]
    fn age_is_taken_on_the_day_of_approval() {
        // 35 on 2026-03-02: under 35 the day before, not on the day.
        let before = admission("1991-03-02", "2026-03-01", Domain::Village).meets();
        let on = admission("1991-03-02", "2026-03-02", Domain::Village).meets();
        assert_eq!(before, [true, true, false, true, true]);
        assert_eq!(on, [false, true, false, true, false]);
        let town = admission("2000-01-01", "2026-03-01", Domain::StateEnterprise).meets();
        assert!(!town[4], "young farmers are a village's");
    }

    #[test]
    fn merged_tallies_count_as_one() {
        let people = [
            Counted {
                stage: "activist",
                deadline: Some(d("2026-11-30")),
                violations: 2,
                admission: None,
            },
            Counted {
                stage: "probationary",
                deadline: Some(d("2026-12-04")),
                violations: 0,
                admission: Some(admission("1990-01-01", "2026-05-01", Domain::Village)),
            },
            Counted {
                stage: "withdrawn",
                deadline: None,
                violations: 1,
                admission: None,
            },
        ];
        let mut whole = Tally::default();
        people.iter().for_each(|p| whole.add(p));
        let mut a = Tally::default();
        a.add(&people[0]);
        let mut b = Tally::default();
        b.add(&people[1]);
        b.add(&people[2]);
        a.merge(&b);
        assert_eq!(a, whole);
        assert_eq!(whole.stage("activist"), 1);
        assert_eq!(whole.violations_total(), 3);
        assert_eq!(whole.overdue(d("2026-12-04")), 1);
        assert_eq!(whole.due_by(d("2026-12-04")), 2);
        assert_eq!(whole.admitted_in(2026), [1, 0, 1, 0, 1, 0]);
        assert_eq!(whole.dated(), 2);
        assert_eq!(whole.day_by_which(1), Some(d("2026-11-30")));
        assert_eq!(whole.day_by_which(2), Some(d("2026-12-04")));
        assert_eq!(whole.day_by_which(3), None);
        assert_eq!(whole.admitted_in(2025), [0; 6]);
        let json = serde_json::to_string(&whole).unwrap();
        assert_eq!(serde_json::from_str::<Tally>(&json).unwrap(), whole);
    }
}
