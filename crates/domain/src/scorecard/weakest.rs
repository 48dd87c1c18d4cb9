//! The weakest link (木桶效应, 短板) of a region: its lowest measure; per measure, the
//! children and the orgs ranked by how much each pulls the region down; and the what-if of
//! raising the bottom tail to the target. Pure, O(n log n) in the entries.
//!
//! For one measure and one list of entries (children or orgs) with a score and a weight
//! `w` (org count, say), over the entries that have a score (`W` = their weights summed):
//! - the *median* is the weighted median of their scores (the mean of the two middle
//!   scores when the cumulative weight reaches exactly half, as the usual median does);
//! - the *target* `T` is the rules' fixed target, else the median;
//! - an entry's *contribution* is `w / W × max(0, T − score)`: the points of the
//!   weighted mean score the entry's shortfall below the target costs the region;
//! - the *what-if* raises the tail — the entries below `T`, or with `tail_share` the
//!   bottom share of the weight (an entry belongs while the weight below it is under the
//!   share) — to `T`: `after = before + Σ_tail contribution`, `before` = `Σ w·score / W`.
//!
//! Ties rank by id; entries without a score are counted, never ranked.

use serde::{Deserialize, Serialize};

use super::measures::lowest;
use super::{Measure, MeasureScores, WeakestRules};

/// A child region or an org with its five scores and its weight in the region.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct Scored {
    pub id: i64,
    /// What the entry weighs in the region (its org count, or 1 for an org); entries
    /// without a positive weight are left out.
    pub weight: f64,
    pub scores: MeasureScores,
}

/// One entry pulling a measure down.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct Contribution {
    /// The child's or org's id (the app adds names).
    pub org: i64,
    pub score: f64,
    pub weight: f64,
    /// Points of the region's weighted mean lost to this entry (see the module doc).
    pub contribution: f64,
}

/// The region's weighted mean score before and after the tail reaches the target.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct WhatIf {
    /// `children` or `orgs`: the list the tail was taken from.
    pub level: String,
    pub target: f64,
    /// Entries raised.
    pub raised: usize,
    pub before: f64,
    pub after: f64,
    pub gain: f64,
}

/// One measure's gap over one list of entries.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct LevelGap {
    pub median: f64,
    pub target: f64,
    pub with_data: usize,
    pub no_data: usize,
    /// Entries below the target (the ranked list keeps at most `list_max`).
    pub below: usize,
    pub ranked: Vec<Contribution>,
    pub what_if: WhatIf,
}

/// One measure's gap over the children and over the orgs (`None`: no entry has a score).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Gap {
    pub measure: Measure,
    /// The region's own score (from its summed inputs).
    pub score: Option<f64>,
    pub children: Option<LevelGap>,
    pub orgs: Option<LevelGap>,
}

/// The weakest link of a region: its lowest measure with that measure's ranked lists and
/// what-if (taken over the orgs, else the children), and every measure's gap.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct WeakestLink {
    /// `None`: no measure of the region has data.
    pub measure: Option<Measure>,
    pub score: Option<f64>,
    pub children: Vec<Contribution>,
    pub orgs: Vec<Contribution>,
    pub what_if: Option<WhatIf>,
    pub by_measure: Vec<Gap>,
}

/// Each measure's gap over a region's orgs, in [`Measure::ALL`]'s order (`None`: no org
/// has a score of it) — the part of the weakest link that reads every org of the
/// region, which a build computes once for a big region and stores.
pub type OrgGaps = [Option<LevelGap>; 5];

/// The five measures' gaps over `orgs`.
pub fn org_gaps(orgs: &[Scored], rules: &WeakestRules) -> OrgGaps {
    Measure::ALL.map(|m| level(orgs, m, rules, "orgs"))
}

/// The weakest link of a region with scores `region`, its children and its orgs.
pub fn weakest_link(
    region: &MeasureScores,
    children: &[Scored],
    orgs: &[Scored],
    rules: &WeakestRules,
) -> WeakestLink {
    weakest_link_of(region, children, org_gaps(orgs, rules), rules)
}

/// The weakest link of a region from its children and its orgs' gaps ([`org_gaps`], as
/// computed now or as stored by a build).
pub fn weakest_link_of(
    region: &MeasureScores,
    children: &[Scored],
    orgs: OrgGaps,
    rules: &WeakestRules,
) -> WeakestLink {
    let by_measure: Vec<Gap> = Measure::ALL
        .into_iter()
        .zip(orgs)
        .map(|(m, orgs)| Gap {
            measure: m,
            score: region[m.index()],
            children: level(children, m, rules, "children"),
            orgs,
        })
        .collect();
    let weakest = lowest(region);
    let gap = weakest.map(|(m, _)| &by_measure[m.index()]);
    let ranked = |l: Option<&LevelGap>| l.map(|l| l.ranked.clone()).unwrap_or_default();
    WeakestLink {
        measure: weakest.map(|(m, _)| m),
        score: weakest.map(|(_, s)| s),
        children: ranked(gap.and_then(|g| g.children.as_ref())),
        orgs: ranked(gap.and_then(|g| g.orgs.as_ref())),
        what_if: gap.and_then(|g| {
            g.orgs
                .as_ref()
                .or(g.children.as_ref())
                .map(|l| l.what_if.clone())
        }),
        by_measure,
    }
}

/// (score, id, weight) of the entries with a score, ascending by score then id.
fn sorted(entries: &[Scored], m: Measure) -> Vec<(f64, i64, f64)> {
    let mut xs: Vec<(f64, i64, f64)> = entries
        .iter()
        .filter_map(|e| {
            let s = e.scores[m.index()]?;
            (s.is_finite() && e.weight.is_finite() && e.weight > 0.0).then_some((s, e.id, e.weight))
        })
        .collect();
    xs.sort_by(|a, b| a.0.total_cmp(&b.0).then(a.1.cmp(&b.1)));
    xs
}

fn level(entries: &[Scored], m: Measure, rules: &WeakestRules, name: &str) -> Option<LevelGap> {
    let xs = sorted(entries, m);
    if xs.is_empty() {
        return None;
    }
    let total: f64 = xs.iter().map(|x| x.2).sum();
    let median = weighted_median(&xs, total);
    let target = rules.target.unwrap_or(median);
    let mut ranked: Vec<Contribution> = xs
        .iter()
        .take_while(|x| x.0 < target)
        .map(|&(score, org, weight)| Contribution {
            org,
            score,
            weight,
            contribution: weight / total * (target - score),
        })
        .collect();
    let below = ranked.len();
    ranked.sort_by(|a, b| {
        b.contribution
            .total_cmp(&a.contribution)
            .then(a.org.cmp(&b.org))
    });
    ranked.truncate(rules.list_max);
    Some(LevelGap {
        median,
        target,
        with_data: xs.len(),
        no_data: entries.len() - xs.len(),
        below,
        ranked,
        what_if: what_if(&xs, total, target, rules.tail_share, name),
    })
}

/// The weighted median of scores sorted ascending (`total` > 0: their weights summed).
fn weighted_median(xs: &[(f64, i64, f64)], total: f64) -> f64 {
    let half = total / 2.0;
    let mut cum = 0.0;
    for (i, &(s, _, w)) in xs.iter().enumerate() {
        cum += w;
        if cum == half {
            return xs.get(i + 1).map_or(s, |next| (s + next.0) / 2.0);
        }
        if cum > half {
            return s;
        }
    }
    xs.last().map_or(0.0, |x| x.0)
}

fn what_if(
    xs: &[(f64, i64, f64)],
    total: f64,
    target: f64,
    tail_share: Option<f64>,
    level: &str,
) -> WhatIf {
    let before = xs.iter().map(|x| x.0 * x.2).sum::<f64>() / total;
    let limit = tail_share.map(|p| p * total);
    let (mut below_weight, mut lifted, mut raised) = (0.0, 0.0, 0);
    // Sorted ascending: the entries below the target are a prefix.
    for &(s, _, w) in xs {
        if s >= target || limit.is_some_and(|l| below_weight >= l) {
            break;
        }
        below_weight += w;
        lifted += w * (target - s);
        raised += 1;
    }
    let gain = lifted / total;
    WhatIf {
        level: level.to_string(),
        target,
        raised,
        before,
        after: before + gain,
        gain,
    }
}
