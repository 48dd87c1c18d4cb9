//! The scorecard's rule data ([`ScorecardRules`], a section of the dated `RuleSet`): per
//! measure its indicators — the figure each reads, its weight, how its share maps to 0–100,
//! its evidence and what is missing without records — and the weakest link's target and
//! tail. The shipped default is `rules/scorecard-default.json`, used by every rule set
//! that carries no section of its own.

use std::collections::{BTreeMap, HashSet};

use serde::{Deserialize, Serialize};

use super::{Figure, Measure};

/// The shipped default, embedded at build time.
pub const SHIPPED_SCORECARD: &str = include_str!("../../rules/scorecard-default.json");

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ScorecardRules {
    /// Each measure's indicators (a measure not listed has none: 暂无数据).
    pub measures: BTreeMap<Measure, Vec<IndicatorRule>>,
    pub weakest: WeakestRules,
    pub source: String,
}

impl Default for ScorecardRules {
    fn default() -> ScorecardRules {
        // A malformed shipped file is a build defect, caught by this module's tests.
        serde_json::from_str(SHIPPED_SCORECARD)
            .unwrap_or_else(|e| panic!("rules/scorecard-default.json is malformed: {e}"))
    }
}

/// One indicator of a measure.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct IndicatorRule {
    /// Stable within the rules (the key the pages and the report use).
    pub code: String,
    pub label: String,
    pub figure: Figure,
    pub weight: f64,
    pub normalise: Linear,
    /// The evidence line, with `{num}`, `{den}`, `{rest}` (den − num), `{pct}` (the share
    /// as a percentage) and `{mean}` (num ÷ den) filled in.
    pub evidence: String,
    /// What is missing when the figure has no records (after "暂无数据：").
    pub missing: String,
}

/// A share mapped linearly to a score: 0 at or below `floor`, 100 at or above `target`.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct Linear {
    pub floor: f64,
    pub target: f64,
}

impl Linear {
    pub fn apply(self, share: f64) -> f64 {
        if share >= self.target {
            return 100.0;
        }
        if share <= self.floor {
            return 0.0;
        }
        (100.0 * (share - self.floor) / (self.target - self.floor)).clamp(0.0, 100.0)
    }
}

/// How the weakest link measures a gap and picks the tail of the what-if.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct WeakestRules {
    /// The score the gap is measured to; `None`: the weighted median of the entries.
    #[serde(default)]
    pub target: Option<f64>,
    /// The what-if's tail: the bottom share (0–1) of the weight; `None`: every entry
    /// below the target.
    #[serde(default)]
    pub tail_share: Option<f64>,
    /// The most entries each ranked list keeps.
    pub list_max: usize,
}

impl ScorecardRules {
    /// Every problem of the rules, in Chinese (empty when they are usable).
    pub fn problems(&self) -> Vec<String> {
        let mut out = Vec::new();
        let mut seen = HashSet::new();
        for (m, list) in &self.measures {
            for i in list {
                if !seen.insert(i.code.as_str()) {
                    out.push(format!("指标代码“{}”重复", i.code));
                }
                if i.label.trim().is_empty() || i.evidence.trim().is_empty() {
                    out.push(format!("{}的指标“{}”缺少名称或依据说明", m.label(), i.code));
                }
                if !(i.weight.is_finite() && i.weight > 0.0) {
                    out.push(format!("指标“{}”的权重应大于0", i.label));
                }
                let Linear { floor, target } = i.normalise;
                if !(0.0 <= floor && floor < target && target <= 1.0) {
                    out.push(format!(
                        "指标“{}”的换算区间应满足 0 ≤ 起点 < 目标 ≤ 1",
                        i.label
                    ));
                }
            }
        }
        let w = &self.weakest;
        if w.target.is_some_and(|t| !(0.0..=100.0).contains(&t)) {
            out.push("短板的目标分应在0至100之间".into());
        }
        if w.tail_share.is_some_and(|s| !(s > 0.0 && s <= 1.0)) {
            out.push("短板的末位比例应在0至1之间（不含0）".into());
        }
        out
    }
}
