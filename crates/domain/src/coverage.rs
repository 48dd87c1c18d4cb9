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
        [Coverage::OwnOrg, Coverage::JointOrg, Coverage::Instructor, Coverage::Uncovered]
            .into_iter()
            .find(|c| c.code() == s)
    }
    pub fn parse_label(s: &str) -> Option<Coverage> {
        let _ = s;
        todo!("H2")
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
    let _ = (unit, rules);
    todo!("H2")
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
        let _ = unit;
        todo!("H2")
    }
    pub fn merge(&mut self, other: &DomainCoverage) {
        self.operating += other.operating;
        self.own_org += other.own_org;
        self.org_covered += other.org_covered;
        self.work_covered += other.work_covered;
    }
    /// Rates in [0, 1]; `None` when no unit operates.
    pub fn org_rate(&self) -> Option<f64> {
        todo!("H2")
    }
    pub fn own_rate(&self) -> Option<f64> {
        todo!("H2")
    }
    pub fn work_rate(&self) -> Option<f64> {
        todo!("H2")
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
