use proptest::prelude::*;

use super::*;

fn rules() -> WeakestRules {
    WeakestRules {
        target: None,
        tail_share: None,
        list_max: 20,
    }
}

/// An entry with one measure's score (CadreQuality) and the others at 90.
fn cadre(id: i64, weight: f64, s: Option<f64>) -> Scored {
    let mut scores = [Some(90.0); 5];
    scores[Measure::CadreQuality.index()] = s;
    Scored { id, weight, scores }
}

fn region(s: f64) -> MeasureScores {
    let mut r = [Some(85.0); 5];
    r[Measure::CadreQuality.index()] = Some(s);
    r
}

#[test]
fn the_planted_villages_are_named_and_the_what_if_is_hand_computable() {
    // A township of 8 villages; 3, 5 and 8 have vacant secretaries and no training.
    let scores = [80.0, 90.0, 20.0, 70.0, 0.0, 85.0, 75.0, 10.0];
    let orgs: Vec<Scored> = (1..=8)
        .map(|i| cadre(i, 1.0, Some(scores[i as usize - 1])))
        .collect();
    let w = weakest_link(&region(55.0), &[], &orgs, &rules());
    assert_eq!(w.measure, Some(Measure::CadreQuality));
    assert_eq!(w.score, Some(55.0));
    // Sorted: 0 10 20 70 | 75 80 85 90; median (70 + 75) / 2 = 72.5.
    let g = w.by_measure[Measure::CadreQuality.index()]
        .orgs
        .as_ref()
        .unwrap();
    assert_eq!(g.median, 72.5);
    assert_eq!(g.below, 4);
    let named: Vec<i64> = w.orgs.iter().map(|c| c.org).collect();
    assert_eq!(named, vec![5, 8, 3, 4]);
    // Village 5: 1/8 × 72.5 = 9.0625.
    assert_eq!(w.orgs[0].contribution, 72.5 / 8.0);
    // What-if: mean 53.75; raising 0, 10, 20, 70 to 72.5 adds (72.5+62.5+52.5+2.5)/8.
    let wi = w.what_if.unwrap();
    assert_eq!(wi.level, "orgs");
    assert_eq!(wi.before, 430.0 / 8.0);
    assert_eq!(wi.gain, 190.0 / 8.0);
    assert_eq!(wi.after, 620.0 / 8.0);
    assert_eq!(wi.raised, 4);
    let sum: f64 = w.orgs.iter().map(|c| c.contribution).sum();
    assert!((sum - wi.gain).abs() < 1e-9);
}

#[test]
fn weights_ties_missing_scores_and_a_fixed_target() {
    let children = vec![
        cadre(30, 10.0, Some(40.0)),
        cadre(20, 10.0, Some(40.0)),
        cadre(10, 80.0, Some(90.0)),
        cadre(40, 5.0, None),
        cadre(50, 0.0, Some(0.0)),
    ];
    let w = weakest_link(&region(50.0), &children, &[], &rules());
    let g = w.by_measure[1].children.as_ref().unwrap();
    // Weighted median: 80 of 100 weight at 90.
    assert_eq!(g.median, 90.0);
    assert_eq!((g.with_data, g.no_data), (3, 2));
    // Equal contributions rank by id.
    assert_eq!(
        w.children.iter().map(|c| c.org).collect::<Vec<_>>(),
        vec![20, 30]
    );
    assert_eq!(w.children[0].contribution, 0.1 * 50.0);
    assert!(w.orgs.is_empty());
    assert_eq!(w.what_if.unwrap().level, "children");

    let fixed = WeakestRules {
        target: Some(60.0),
        tail_share: Some(0.1),
        list_max: 1,
    };
    let w = weakest_link(&region(50.0), &children, &[], &fixed);
    assert_eq!(w.children.len(), 1);
    let wi = w.what_if.unwrap();
    // The bottom 10 % of the weight: the first entry (id 20) only.
    assert_eq!(wi.raised, 1);
    assert_eq!(wi.gain, 0.1 * 20.0);
}

#[test]
fn a_region_without_data_has_no_weakest_measure() {
    let w = weakest_link(&[None; 5], &[cadre(1, 1.0, Some(1.0))], &[], &rules());
    assert_eq!(w.measure, None);
    assert!(w.children.is_empty() && w.what_if.is_none());
    assert_eq!(w.by_measure.len(), 5);
    let v = serde_json::to_value(&w).unwrap();
    assert!(v["measure"].is_null());
}

#[test]
fn a_province_of_300k_orgs_ranks_correctly() {
    // Deterministic synthetic scores: org i scores (i × 7919) mod 101.
    let n = 300_000i64;
    let orgs: Vec<Scored> = (0..n)
        .map(|i| cadre(i, 1.0, Some(((i * 7919) % 101) as f64)))
        .collect();
    let children: Vec<Scored> = (0..300)
        .map(|c| cadre(c, 1000.0, Some((c % 100) as f64)))
        .collect();
    let w = weakest_link(&region(10.0), &children, &orgs, &rules());
    let g = w.by_measure[1].orgs.as_ref().unwrap();
    assert_eq!(g.with_data, n as usize);
    assert_eq!(g.median, 50.0);
    // The first ranked are the zeros, lowest ids first.
    assert_eq!(w.orgs.len(), 20);
    assert!(w.orgs.iter().all(|c| c.score == 0.0));
    assert!(w.orgs.windows(2).all(|p| p[0].org < p[1].org));
    let below = orgs.iter().filter(|o| o.scores[1].unwrap() < 50.0).count();
    assert_eq!(g.below, below);
    assert!(g.what_if.after > g.what_if.before);
}

fn entries() -> impl Strategy<Value = Vec<Scored>> {
    proptest::collection::vec((0.0f64..=100.0, 1u8..5, any::<bool>()), 0..40).prop_map(|v| {
        v.into_iter()
            .enumerate()
            .map(|(i, (s, w, has))| cadre(i as i64, f64::from(w), has.then_some(s)))
            .collect()
    })
}

proptest! {
    #[test]
    fn raising_the_tail_never_lowers_the_score(
        orgs in entries(),
        tail in proptest::option::of(0.01f64..=1.0),
        target in proptest::option::of(0.0f64..=100.0),
    ) {
        let r = WeakestRules { target, tail_share: tail, list_max: 5 };
        let w = weakest_link(&region(1.0), &[], &orgs, &r);
        for g in &w.by_measure {
            if let Some(l) = &g.orgs {
                prop_assert!(l.what_if.after >= l.what_if.before);
                prop_assert!(l.what_if.after <= 100.0 + 1e-9);
                prop_assert!(l.ranked.len() <= 5);
                prop_assert!(l.ranked.iter().all(|c| c.contribution > 0.0));
                prop_assert!(l.ranked.windows(2).all(|p| p[0].contribution >= p[1].contribution));
                if tail.is_none() {
                    prop_assert!((l.what_if.raised == l.below));
                }
            }
        }
    }
}

proptest! {
    /// What a build stores of a big region's orgs (their gaps, as JSON) gives the same
    /// weakest link as the orgs read at once.
    #[test]
    fn the_stored_gaps_of_the_orgs_give_the_same_weakest_link(
        orgs in entries(),
        children in entries(),
        tail in proptest::option::of(0.01f64..=1.0),
    ) {
        let r = WeakestRules { target: None, tail_share: tail, list_max: 5 };
        let region = region(30.0);
        let json = serde_json::to_string(&org_gaps(&orgs, &r)).unwrap();
        let stored: OrgGaps = serde_json::from_str(&json).unwrap();
        prop_assert_eq!(
            weakest_link_of(&region, &children, stored, &r),
            weakest_link(&region, &children, &orgs, &r)
        );
    }
}
