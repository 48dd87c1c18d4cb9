//! Indicator sets: what is scored, with which weights, from which records; dated and
//! versioned per domain ([`IndicatorBook`]), the shipped ones embedded from
//! `crates/domain/rules/indicators-*.json`.

use serde::{Deserialize, Serialize};

use crate::{Date, Domain};

/// Indicators computed from records. Those whose records do not exist yet (training,
/// satisfaction, task completion) are declared and always score "no data".
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub enum DerivedIndicator {
    /// 组织生活按规定开展: share of the obligations met in the judged periods.
    ComplianceRate,
    /// 书记配备: a secretary holds office.
    SecretaryInPlace,
    /// 班子健全: a committee where 7+ full members require one.
    CommitteeComplete,
    /// 按期换届: the term has not run out.
    TermCurrent,
    /// 发展党员: a member joined in the last two years (village orgs).
    RecruitedRecently,
    /// 参会率: present / expected over the year's meetings.
    Attendance,
    /// 经费保障: operating funding against the standard of the set.
    Funding,
    /// 党员教育培训 (no record yet).
    TrainingHours,
    /// 群众满意度 (no record yet).
    Satisfaction,
    /// 任务完成 (no record yet).
    TaskCompletion,
}

impl DerivedIndicator {
    pub const ALL: [DerivedIndicator; 10] = [
        DerivedIndicator::ComplianceRate,
        DerivedIndicator::SecretaryInPlace,
        DerivedIndicator::CommitteeComplete,
        DerivedIndicator::TermCurrent,
        DerivedIndicator::RecruitedRecently,
        DerivedIndicator::Attendance,
        DerivedIndicator::Funding,
        DerivedIndicator::TrainingHours,
        DerivedIndicator::Satisfaction,
        DerivedIndicator::TaskCompletion,
    ];

    pub fn code(self) -> &'static str {
        match self {
            DerivedIndicator::ComplianceRate => "ComplianceRate",
            DerivedIndicator::SecretaryInPlace => "SecretaryInPlace",
            DerivedIndicator::CommitteeComplete => "CommitteeComplete",
            DerivedIndicator::TermCurrent => "TermCurrent",
            DerivedIndicator::RecruitedRecently => "RecruitedRecently",
            DerivedIndicator::Attendance => "Attendance",
            DerivedIndicator::Funding => "Funding",
            DerivedIndicator::TrainingHours => "TrainingHours",
            DerivedIndicator::Satisfaction => "Satisfaction",
            DerivedIndicator::TaskCompletion => "TaskCompletion",
        }
    }

    pub fn from_code(s: &str) -> Option<DerivedIndicator> {
        DerivedIndicator::ALL.into_iter().find(|d| d.code() == s)
    }
}

/// How an indicator gets its score.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum IndicatorKind {
    Derived(DerivedIndicator),
    /// Scored by hand (0–100) for each org and year; "no data" until scored.
    Manual,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Indicator {
    /// Stable within the set (the key of manual scores).
    pub code: String,
    /// The Chinese name shown.
    pub name: String,
    pub weight: f64,
    pub kind: IndicatorKind,
}

/// Minimum standards a set holds for its domains (SPEC C7), in yuan per year.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Standards {
    /// Operating funding of the org (运转经费); `None`: no standard, not judged.
    #[serde(default)]
    pub operating_funding_yuan: Option<f64>,
    /// Collective income of the village (村集体经济收入); `None`: not judged.
    #[serde(default)]
    pub collective_income_yuan: Option<f64>,
}

/// One version of the indicators for some domains, from a day on.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct IndicatorSet {
    pub id: String,
    pub version: i64,
    pub effective_from: Date,
    /// The domains it rates; empty: the fallback for every domain without a set of its own.
    pub domains: Vec<Domain>,
    pub name: String,
    /// Where the indicators and numbers come from.
    pub source: String,
    /// The least score of 1, 2, 3, 4 and 5 stars, ascending, within 0–100.
    pub stars: [f64; 5],
    /// The least share of the applicable weight that must have data for stars to be given.
    pub min_weight_with_data: f64,
    /// The most stars of an org whose weakness was confirmed (已确定为软弱涣散) for the
    /// year; `None`: a confirmed weakness does not cap the stars.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub confirmed_weak_max_stars: Option<u8>,
    #[serde(default)]
    pub standards: Standards,
    pub indicators: Vec<Indicator>,
}

impl IndicatorSet {
    /// Every problem of the set, in Chinese (empty when it is usable).
    pub fn problems(&self) -> Vec<String> {
        let mut out = Vec::new();
        if self.id.trim().is_empty() {
            out.push("指标体系编号不能为空".to_string());
        }
        if self.indicators.is_empty() {
            out.push("指标体系至少要有一项指标".to_string());
        }
        let mut seen = std::collections::HashSet::new();
        for i in &self.indicators {
            if i.code.trim().is_empty() || i.name.trim().is_empty() {
                out.push("每项指标都要有代码和名称".to_string());
            }
            if !seen.insert(i.code.as_str()) {
                out.push(format!("指标代码“{}”重复", i.code));
            }
            if !(i.weight.is_finite() && i.weight > 0.0) {
                out.push(format!("指标“{}”的权重应大于0", i.name));
            }
        }
        let s = &self.stars;
        if !s.iter().all(|x| x.is_finite() && (0.0..=100.0).contains(x))
            || !s.windows(2).all(|w| w[0] <= w[1])
        {
            out.push("星级分数线应在0至100之间并由低到高排列".to_string());
        }
        if !(0.0..=1.0).contains(&self.min_weight_with_data) {
            out.push("有数据指标的最低权重占比应在0至1之间".to_string());
        }
        if self
            .confirmed_weak_max_stars
            .is_some_and(|n| !(1..=5).contains(&n))
        {
            out.push("软弱涣散党组织的最高星级应为1至5星".to_string());
        }
        for v in [
            self.standards.operating_funding_yuan,
            self.standards.collective_income_yuan,
        ]
        .into_iter()
        .flatten()
        {
            if !(v.is_finite() && v >= 0.0) {
                out.push("经费标准不能为负数".to_string());
            }
        }
        out
    }

    /// The weight of the whole set.
    pub fn total_weight(&self) -> f64 {
        self.indicators.iter().map(|i| i.weight).sum()
    }
}

/// The shipped indicator files, embedded at build time. Add a new file here (a test checks
/// that every `rules/indicators-*.json` is listed).
pub const SHIPPED_INDICATOR_FILES: &[(&str, &str)] = &[
    (
        "indicators-2024-village.json",
        include_str!("../../rules/indicators-2024-village.json"),
    ),
    (
        "indicators-2024-community.json",
        include_str!("../../rules/indicators-2024-community.json"),
    ),
    (
        "indicators-2024-general.json",
        include_str!("../../rules/indicators-2024-general.json"),
    ),
    (
        "indicators-2026-village.json",
        include_str!("../../rules/indicators-2026-village.json"),
    ),
    (
        "indicators-2026-community.json",
        include_str!("../../rules/indicators-2026-community.json"),
    ),
    (
        "indicators-2026-general.json",
        include_str!("../../rules/indicators-2026-general.json"),
    ),
];

/// The indicator sets in use: shipped ones and any stored by the organization department.
#[derive(Debug, Clone, Default)]
pub struct IndicatorBook {
    sets: Vec<IndicatorSet>,
}

impl IndicatorBook {
    pub fn shipped() -> IndicatorBook {
        IndicatorBook::new(
            SHIPPED_INDICATOR_FILES
                .iter()
                .map(|(name, text)| {
                    serde_json::from_str::<IndicatorSet>(text).unwrap_or_else(|e| {
                        panic!(
                            "shipped indicator file crates/domain/rules/{name} is malformed: {e}"
                        )
                    })
                })
                .collect(),
        )
    }

    pub fn new(sets: Vec<IndicatorSet>) -> IndicatorBook {
        IndicatorBook { sets }
    }

    /// Adds sets (stored ones); a set with the id and version of one present replaces it.
    pub fn with(mut self, sets: Vec<IndicatorSet>) -> IndicatorBook {
        for s in sets {
            self.sets
                .retain(|x| !(x.id == s.id && x.version == s.version));
            self.sets.push(s);
        }
        self
    }

    pub fn sets(&self) -> &[IndicatorSet] {
        &self.sets
    }

    /// The set rating an org of `domain` on `day`: among the sets naming the domain, the
    /// latest in force (highest version on a tie); else the latest fallback set in force;
    /// else, when `day` precedes them all, the earliest of those.
    pub fn for_domain(&self, domain: Option<Domain>, day: Date) -> Option<&IndicatorSet> {
        let specific: Vec<&IndicatorSet> = match domain {
            Some(d) => self
                .sets
                .iter()
                .filter(|s| s.domains.contains(&d))
                .collect(),
            None => vec![],
        };
        if !specific.is_empty() {
            return pick(specific, day);
        }
        pick(
            self.sets.iter().filter(|s| s.domains.is_empty()).collect(),
            day,
        )
    }
}

fn pick(cands: Vec<&IndicatorSet>, day: Date) -> Option<&IndicatorSet> {
    let in_force = cands
        .iter()
        .filter(|s| s.effective_from <= day)
        .max_by_key(|s| (s.effective_from, s.version))
        .copied();
    in_force.or_else(|| {
        cands
            .iter()
            .min_by_key(|s| (s.effective_from, std::cmp::Reverse(s.version)))
            .copied()
    })
}
