//! A scorecard computed from inputs and rules ([`score`]): each indicator's share mapped to
//! 0–100 with its evidence, each measure the weighted mean of the indicators that have
//! records, and 暂无数据 with what is missing where none has.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use super::{IndicatorRule, Measure, Ratio, ScorecardInputs, ScorecardRules};
use crate::evidence::pct;

/// One indicator of a scorecard.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct IndicatorScore {
    pub code: String,
    pub label: String,
    /// Entered or imported by hand, not derived from the registers.
    pub manual: bool,
    pub weight: f64,
    pub num: i64,
    pub den: i64,
    /// 0–100; `None`: no records (暂无数据).
    pub score: Option<f64>,
    /// The figures behind the score, or "暂无数据：" and what is missing.
    pub evidence: String,
}

/// One measure of a scorecard.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct MeasureScore {
    pub label: String,
    /// The weighted mean of the indicators with records; `None` when none has (暂无数据).
    pub score: Option<f64>,
    /// The share (0–1) of the measure's weight whose indicators have records.
    pub weight_with_data: f64,
    pub indicators: Vec<IndicatorScore>,
    /// What is missing, one line per indicator without records.
    pub missing: Vec<String>,
}

/// The five scores in [`Measure::ALL`] order: what a heat map or the weakest link reads.
pub type MeasureScores = [Option<f64>; 5];

/// The five measures of one org or region and period.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Scorecard {
    pub measures: BTreeMap<Measure, MeasureScore>,
}

impl Scorecard {
    /// The five scores (`None`: 暂无数据).
    pub fn scores(&self) -> MeasureScores {
        Measure::ALL.map(|m| self.measures.get(&m).and_then(|s| s.score))
    }

    /// The measure with the lowest score (ties: the first in [`Measure::ALL`]).
    pub fn lowest(&self) -> Option<(Measure, f64)> {
        lowest(&self.scores())
    }
}

/// The lowest of five scores, ties to the first measure.
pub(super) fn lowest(scores: &MeasureScores) -> Option<(Measure, f64)> {
    Measure::ALL
        .into_iter()
        .filter_map(|m| scores[m.index()].map(|s| (m, s)))
        .fold(None, |best, (m, s)| match best {
            Some((_, b)) if b <= s => best,
            _ => Some((m, s)),
        })
}

/// The scorecard of `inputs` by `rules`. Pure; a region's inputs are its orgs' summed.
pub fn score(inputs: &ScorecardInputs, rules: &ScorecardRules) -> Scorecard {
    let measures = Measure::ALL
        .into_iter()
        .map(|m| {
            let list = rules.measures.get(&m).map(Vec::as_slice).unwrap_or(&[]);
            (m, measure(m, list, inputs))
        })
        .collect();
    Scorecard { measures }
}

fn measure(m: Measure, list: &[IndicatorRule], inputs: &ScorecardInputs) -> MeasureScore {
    let indicators: Vec<IndicatorScore> = list
        .iter()
        .map(|r| indicator(r, inputs.get(r.figure)))
        .collect();
    let total: f64 = indicators.iter().map(|i| i.weight).sum();
    let (mut weight, mut sum) = (0.0, 0.0);
    for i in &indicators {
        if let Some(s) = i.score {
            weight += i.weight;
            sum += i.weight * s;
        }
    }
    let missing = list
        .iter()
        .zip(&indicators)
        .filter(|(_, i)| i.score.is_none())
        .map(|(r, _)| format!("{}：{}", r.label, r.missing))
        .collect::<Vec<_>>();
    let missing = if list.is_empty() {
        vec!["本规则未设指标".to_string()]
    } else {
        missing
    };
    MeasureScore {
        label: m.label().to_string(),
        score: (weight > 0.0).then(|| (sum / weight).clamp(0.0, 100.0)),
        weight_with_data: if total > 0.0 { weight / total } else { 0.0 },
        indicators,
        missing,
    }
}

fn indicator(r: &IndicatorRule, x: Ratio) -> IndicatorScore {
    let share = x.share(r.figure.per());
    IndicatorScore {
        code: r.code.clone(),
        label: r.label.clone(),
        manual: r.figure.manual(),
        weight: r.weight,
        num: x.num,
        den: x.den,
        score: share.map(|s| r.normalise.apply(s)),
        evidence: match share {
            Some(_) => fill(&r.evidence, x),
            None => format!("暂无数据：{}", r.missing),
        },
    }
}

/// The evidence template with the figures filled in (`den` > 0).
fn fill(template: &str, x: Ratio) -> String {
    template
        .replace("{num}", &x.num.to_string())
        .replace("{den}", &x.den.to_string())
        .replace("{rest}", &(x.den - x.num).max(0).to_string())
        .replace("{pct}", &pct(x.num, x.den))
        .replace("{mean}", &format!("{:.1}", x.num as f64 / x.den as f64))
}
