//! Coverage of units (SPEC C2) to the official definitions: organization coverage rate =
//! units with an org (own or joint) / operating units; own-org rate = units with their own
//! org / operating units; work coverage adds instructors.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use crate::{Domain, OperatingStatus, RuleSet};

/// How a unit is covered.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum Coverage {
    /// 单独组建.
    OwnOrg,
    /// 联合组建.
    JointOrg,
    /// 党建工作指导员 / 联络员 (work coverage only).
    Instructor,
    /// 未覆盖.
    Uncovered,
}

impl Coverage {
    pub fn code(self) -> &'static str {
        match self {
            Coverage::OwnOrg => "OwnOrg",
            Coverage::JointOrg => "JointOrg",
            Coverage::Instructor => "Instructor",
            Coverage::Uncovered => "Uncovered",
        }
    }
    pub fn label(self) -> &'static str {
        match self {
            Coverage::OwnOrg => "单独组建",
            Coverage::JointOrg => "联合组建",
            Coverage::Instructor => "党建工作指导员",
            Coverage::Uncovered => "未覆盖",
        }
    }
    pub fn from_code(s: &str) -> Option<Coverage> {
        [
            Coverage::OwnOrg,
            Coverage::JointOrg,
            Coverage::Instructor,
            Coverage::Uncovered,
        ]
        .into_iter()
        .find(|c| c.code() == s)
    }
    /// Parses what a roster writes in the 覆盖方式 column (and the code names).
    pub fn parse_label(s: &str) -> Option<Coverage> {
        let s = s.trim();
        if let Some(c) = Coverage::from_code(s) {
            return Some(c);
        }
        Some(match s {
            "单独组建" | "单建" | "独立组建" => Coverage::OwnOrg,
            "联合组建" | "联建" => Coverage::JointOrg,
            "党建工作指导员"
            | "选派党建指导员"
            | "指导员"
            | "联络员"
            | "党建联络员"
            | "工作覆盖" => Coverage::Instructor,
            "未覆盖" | "无" | "空白" | "未建" => Coverage::Uncovered,
            _ => return None,
        })
    }
    pub fn has_org(self) -> bool {
        matches!(self, Coverage::OwnOrg | Coverage::JointOrg)
    }
}

/// The gaps of SPEC C2.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum Gap {
    /// 应建未建: operating, 3+ full members, no own org (joint or not).
    ShouldHaveOrg,
    /// 空白点: operating, neither an org nor an instructor.
    Uncovered,
}

/// What coverage needs of one unit.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct UnitFacts {
    pub domain: Domain,
    pub status: OperatingStatus,
    pub coverage: Coverage,
    pub full_members: i64,
}

/// The gaps a unit falls in.
pub fn gaps(unit: &UnitFacts, rules: &RuleSet) -> Vec<Gap> {
    let mut out = Vec::new();
    if unit.status != OperatingStatus::Operating {
        return out;
    }
    // A unit in a joint branch with enough members of its own should still set up its own
    // org, so only OwnOrg clears this gap.
    if unit.full_members >= rules.org.unit_should_have_org_at_full
        && unit.coverage != Coverage::OwnOrg
    {
        out.push(Gap::ShouldHaveOrg);
    }
    if unit.coverage == Coverage::Uncovered {
        out.push(Gap::Uncovered);
    }
    out
}

/// Counts of one domain; the rates are derived from them.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct DomainCoverage {
    pub operating: i64,
    pub own_org: i64,
    pub org_covered: i64,
    pub work_covered: i64,
}

impl DomainCoverage {
    /// Adds one unit (closed units are not counted).
    pub fn add(&mut self, unit: &UnitFacts) {
        if unit.status != OperatingStatus::Operating {
            return;
        }
        let c = unit.coverage;
        self.operating += 1;
        self.own_org += i64::from(c == Coverage::OwnOrg);
        self.org_covered += i64::from(c.has_org());
        self.work_covered += i64::from(c.has_org() || c == Coverage::Instructor);
    }
    pub fn merge(&mut self, other: &DomainCoverage) {
        self.operating += other.operating;
        self.own_org += other.own_org;
        self.org_covered += other.org_covered;
        self.work_covered += other.work_covered;
    }
    /// Rates in [0, 1]; `None` when no unit operates.
    pub fn org_rate(&self) -> Option<f64> {
        self.rate(self.org_covered)
    }
    pub fn own_rate(&self) -> Option<f64> {
        self.rate(self.own_org)
    }
    pub fn work_rate(&self) -> Option<f64> {
        self.rate(self.work_covered)
    }
    fn rate(&self, count: i64) -> Option<f64> {
        (self.operating > 0).then(|| count as f64 / self.operating as f64)
    }
}

/// Coverage counts per domain of a set of units.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct CoverageReport {
    pub by_domain: BTreeMap<Domain, DomainCoverage>,
}

impl CoverageReport {
    pub fn add(&mut self, unit: &UnitFacts) {
        self.by_domain.entry(unit.domain).or_default().add(unit);
    }
    pub fn merge(&mut self, other: &CoverageReport) {
        for (d, c) in &other.by_domain {
            self.by_domain.entry(*d).or_default().merge(c);
        }
    }
    pub fn total(&self) -> DomainCoverage {
        let mut t = DomainCoverage::default();
        for c in self.by_domain.values() {
            t.merge(c);
        }
        t
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::RuleBook;
    use proptest::prelude::*;

    fn rules() -> RuleSet {
        RuleBook::shipped().sets()[0].clone()
    }

    fn unit(coverage: Coverage, full_members: i64) -> UnitFacts {
        UnitFacts {
            domain: Domain::NonPublicEnterprise,
            status: OperatingStatus::Operating,
            coverage,
            full_members,
        }
    }

    const ALL: [Coverage; 4] = [
        Coverage::OwnOrg,
        Coverage::JointOrg,
        Coverage::Instructor,
        Coverage::Uncovered,
    ];

    #[test]
    fn parses_labels_and_codes() {
        for c in ALL {
            assert_eq!(Coverage::parse_label(c.code()), Some(c));
            assert_eq!(Coverage::parse_label(c.label()), Some(c));
        }
        assert_eq!(Coverage::parse_label(" 单建 "), Some(Coverage::OwnOrg));
        assert_eq!(Coverage::parse_label("联建"), Some(Coverage::JointOrg));
        assert_eq!(
            Coverage::parse_label("党建联络员"),
            Some(Coverage::Instructor)
        );
        assert_eq!(
            Coverage::parse_label("工作覆盖"),
            Some(Coverage::Instructor)
        );
        assert_eq!(Coverage::parse_label("无"), Some(Coverage::Uncovered));
        assert_eq!(Coverage::parse_label("未建"), Some(Coverage::Uncovered));
        assert_eq!(Coverage::parse_label("不知道"), None);
    }

    #[test]
    fn gaps_follow_definitions() {
        let r = rules();
        assert_eq!(
            gaps(&unit(Coverage::Uncovered, 3), &r),
            vec![Gap::ShouldHaveOrg, Gap::Uncovered]
        );
        assert_eq!(
            gaps(&unit(Coverage::Uncovered, 2), &r),
            vec![Gap::Uncovered]
        );
        assert_eq!(
            gaps(&unit(Coverage::JointOrg, 3), &r),
            vec![Gap::ShouldHaveOrg]
        );
        assert_eq!(
            gaps(&unit(Coverage::Instructor, 5), &r),
            vec![Gap::ShouldHaveOrg]
        );
        assert!(gaps(&unit(Coverage::Instructor, 2), &r).is_empty());
        assert!(gaps(&unit(Coverage::OwnOrg, 30), &r).is_empty());
        let mut closed = unit(Coverage::Uncovered, 10);
        closed.status = OperatingStatus::Closed;
        assert!(gaps(&closed, &r).is_empty());
    }

    #[test]
    fn counts_and_rates() {
        let mut c = DomainCoverage::default();
        assert_eq!(c.org_rate(), None);
        for cov in [
            Coverage::OwnOrg,
            Coverage::JointOrg,
            Coverage::Instructor,
            Coverage::Uncovered,
        ] {
            c.add(&unit(cov, 0));
        }
        let mut closed = unit(Coverage::OwnOrg, 0);
        closed.status = OperatingStatus::Closed;
        c.add(&closed);
        assert_eq!(
            c,
            DomainCoverage {
                operating: 4,
                own_org: 1,
                org_covered: 2,
                work_covered: 3
            }
        );
        assert_eq!(c.own_rate(), Some(0.25));
        assert_eq!(c.org_rate(), Some(0.5));
        assert_eq!(c.work_rate(), Some(0.75));
    }

    #[test]
    fn report_groups_by_domain() {
        let mut a = CoverageReport::default();
        a.add(&unit(Coverage::OwnOrg, 3));
        let mut v = unit(Coverage::Uncovered, 0);
        v.domain = Domain::Village;
        a.add(&v);
        let mut b = CoverageReport::default();
        b.add(&unit(Coverage::JointOrg, 1));
        a.merge(&b);
        assert_eq!(a.by_domain.len(), 2);
        assert_eq!(a.by_domain[&Domain::NonPublicEnterprise].org_covered, 2);
        assert_eq!(a.total().operating, 3);
    }

    proptest! {
        #[test]
        fn counts_nest(units in prop::collection::vec(
            (prop::sample::select(ALL.to_vec()), any::<bool>(), 0i64..20),
            0..200,
        )) {
            let mut c = DomainCoverage::default();
            for (cov, operating, full) in units {
                let mut u = unit(cov, full);
                if !operating {
                    u.status = OperatingStatus::Closed;
                }
                c.add(&u);
            }
            prop_assert!(0 <= c.own_org);
            prop_assert!(c.own_org <= c.org_covered);
            prop_assert!(c.org_covered <= c.work_covered);
            prop_assert!(c.work_covered <= c.operating);
            for rate in [c.own_rate(), c.org_rate(), c.work_rate()].into_iter().flatten() {
                prop_assert!((0.0..=1.0).contains(&rate));
            }
        }
    }
}
