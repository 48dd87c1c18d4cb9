//! The five test standards (检验标准, 五个是否, SPEC C9) and the weakest link (木桶效应).
//!
//! A [`Scorecard`] is computed by [`score`] from an org's or a subtree's additive
//! [`ScorecardInputs`] and the rule set's [`ScorecardRules`]: each measure the weighted mean
//! of its indicators that have records, 暂无数据 (with what is missing) when none has.
//! [`weakest_link`] ranks a region's children and orgs by how much each pulls its lowest
//! measure down, and what raising the bottom tail to the median would give. Pure; the
//! formulas are published in `docs/SCORECARD.md`.

mod inputs;
mod measures;
mod period;
mod rules;
mod weakest;

pub use inputs::{Figure, Ratio, ScorecardInputs};
pub use measures::{score, IndicatorScore, MeasureScore, MeasureScores, Scorecard};
pub use period::ScorePeriod;
pub use rules::{IndicatorRule, Linear, ScorecardRules, WeakestRules, SHIPPED_SCORECARD};
pub use weakest::{
    org_gaps, weakest_link, weakest_link_of, Contribution, Gap, LevelGap, OrgGaps, Scored,
    WeakestLink, WhatIf,
};

use serde::{Deserialize, Serialize};

/// One of the five test standards.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub enum Measure {
    /// 功能是否增强
    Function,
    /// 素质是否提高
    CadreQuality,
    /// 部署是否落实
    Implementation,
    /// 保证作用是否明显
    Development,
    /// 人民是否满意
    Satisfaction,
}

impl Measure {
    pub const ALL: [Measure; 5] = [
        Measure::Function,
        Measure::CadreQuality,
        Measure::Implementation,
        Measure::Development,
        Measure::Satisfaction,
    ];

    pub fn code(self) -> &'static str {
        match self {
            Measure::Function => "Function",
            Measure::CadreQuality => "CadreQuality",
            Measure::Implementation => "Implementation",
            Measure::Development => "Development",
            Measure::Satisfaction => "Satisfaction",
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            Measure::Function => "功能是否增强",
            Measure::CadreQuality => "素质是否提高",
            Measure::Implementation => "部署是否落实",
            Measure::Development => "保证作用是否明显",
            Measure::Satisfaction => "人民是否满意",
        }
    }

    pub fn from_code(s: &str) -> Option<Measure> {
        Measure::ALL.into_iter().find(|m| m.code() == s)
    }

    /// The position in [`Measure::ALL`] (the index of [`MeasureScores`]).
    pub fn index(self) -> usize {
        self as usize
    }
}

/// The scorecard report of one org or region and period, in the JSON shape of issue #19
/// point 5: `{"org", "period", "measures": {…}, "weakest": {…}}`. Names are the app's.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ScorecardReport {
    pub org: i64,
    /// The period's code as the app parsed it (`2026`, `2026H2`, `2026Q3`).
    pub period: String,
    #[serde(flatten)]
    pub card: Scorecard,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub weakest: Option<WeakestLink>,
}

#[cfg(test)]
mod tests;
#[cfg(test)]
mod tests_weakest;
