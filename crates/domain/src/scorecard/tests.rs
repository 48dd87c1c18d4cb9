use proptest::prelude::*;

use super::*;
use crate::RuleBook;

fn rules() -> ScorecardRules {
    ScorecardRules::default()
}

fn find<'a>(card: &'a Scorecard, m: Measure, code: &str) -> &'a IndicatorScore {
    card.measures[&m]
        .indicators
        .iter()
        .find(|i| i.code == code)
        .unwrap()
}

#[test]
fn measures_have_codes_labels_and_an_order() {
    assert_eq!(Measure::ALL.len(), 5);
    for (i, m) in Measure::ALL.into_iter().enumerate() {
        assert_eq!(m.index(), i);
        assert_eq!(Measure::from_code(m.code()), Some(m));
        assert!(m.label().contains("是否"));
    }
    assert_eq!(Measure::Satisfaction.label(), "人民是否满意");
    assert_eq!(Measure::from_code("x"), None);
}

#[test]
fn the_shipped_rules_are_usable_and_in_every_rule_set() {
    let r = rules();
    assert_eq!(r.problems(), Vec::<String>::new());
    for m in Measure::ALL {
        assert!(!r.measures[&m].is_empty(), "{m:?} has no indicator");
    }
    // Every figure is read by some indicator.
    for f in Figure::ALL {
        assert!(
            r.measures.values().flatten().any(|i| i.figure == *f),
            "{f:?} unused"
        );
    }
    // Sets without a section of their own take the default (serde default).
    for set in RuleBook::shipped().sets() {
        assert_eq!(set.scorecard, r, "{}", set.id);
    }
}

#[test]
fn problems_name_bad_weights_ranges_and_duplicate_codes() {
    let mut r = rules();
    let list = r.measures.get_mut(&Measure::Function).unwrap();
    list[0].weight = 0.0;
    list[1].normalise = Linear {
        floor: 0.9,
        target: 0.5,
    };
    list[2].code = list[3].code.clone();
    r.weakest.tail_share = Some(0.0);
    let p = r.problems();
    assert_eq!(p.len(), 4, "{p:?}");
}

#[test]
fn linear_maps_floor_to_zero_and_target_to_hundred() {
    let l = Linear {
        floor: 0.5,
        target: 1.0,
    };
    assert_eq!(l.apply(0.2), 0.0);
    assert_eq!(l.apply(0.5), 0.0);
    assert_eq!(l.apply(0.75), 50.0);
    assert_eq!(l.apply(1.0), 100.0);
}

#[test]
fn no_records_is_no_data_never_zero_or_hundred() {
    let card = score(&ScorecardInputs::default(), &rules());
    for m in Measure::ALL {
        let s = &card.measures[&m];
        assert_eq!(s.score, None, "{m:?}");
        assert_eq!(s.weight_with_data, 0.0);
        assert_eq!(s.missing.len(), s.indicators.len());
        assert!(s.indicators.iter().all(|i| i.score.is_none()));
        assert!(s
            .indicators
            .iter()
            .all(|i| i.evidence.starts_with("暂无数据：")));
    }
    assert_eq!(card.scores(), [None; 5]);
    assert_eq!(card.lowest(), None);
}

#[test]
fn a_measure_is_the_weighted_mean_of_indicators_with_data() {
    let x = ScorecardInputs {
        // 96 of 120: share 0.8 → (0.8 − 0.6) / 0.4 = 50.
        life_compliance: Ratio::of(96, 120),
        // 19 of 20: 0.95 → (0.95 − 0.5) / 0.45 = 100.
        org_coverage: Ratio::of(19, 20),
        ..Default::default()
    };
    let card = score(&x, &rules());
    let f = &card.measures[&Measure::Function];
    let life = find(&card, Measure::Function, "life_compliance");
    assert!((life.score.unwrap() - 50.0).abs() < 1e-9);
    assert_eq!(life.evidence, "应开展120项，已开展96项（80.0%）");
    // Weights 3 and 2: (3 × 50 + 2 × 100) / 5 = 70.
    assert!((f.score.unwrap() - 70.0).abs() < 1e-9);
    assert!((f.weight_with_data - 5.0 / 10.0).abs() < 1e-9);
    assert_eq!(f.missing.len(), 4);
    assert!(f.missing.iter().any(|m| m.starts_with("组织设置规范：")));
    assert_eq!(card.lowest(), Some((Measure::Function, f.score.unwrap())));
}

#[test]
fn manual_indicators_say_so_and_hand_points_average() {
    let x = ScorecardInputs {
        development_score: Ratio::of(72 + 88, 2),
        ..Default::default()
    };
    let card = score(&x, &rules());
    let d = find(&card, Measure::Development, "development_score");
    assert!(d.manual);
    assert_eq!(d.score, Some(80.0));
    assert_eq!(d.evidence, "人工评分党组织2个，平均80.0分");
    assert!(!find(&card, Measure::Satisfaction, "survey_satisfied").manual);
}

#[test]
fn setters_read_the_registers_tallies() {
    let mut x = ScorecardInputs::default();
    let t = crate::training::Tally {
        members: 10,
        met: 6,
        short: 2,
        attended: 7,
        unrecorded: 2,
        ..Default::default()
    };
    x.set_training(&t, false);
    assert!(!x.training_met.has_data(), "a running year is not judged");
    x.set_training(&t, true);
    assert_eq!(x.training_met, Ratio::of(6, 8));
    let c = crate::mass_request::RequestCounts {
        received: 10,
        resolved: 7,
        overdue: 2,
        with_feedback: 5,
        satisfied: 4,
        days: 30,
    };
    x.set_requests(&c);
    assert_eq!(x.requests_in_time, Ratio::of(8, 10));
    x.set_duty_grade(Some(crate::duty::Grade::Average));
    assert_eq!(x.duty_good, Ratio::of(0, 1));
    x.set_tasks(&crate::task::TaskTally {
        on_time: 3,
        late: 1,
        overdue: 1,
        not_due: 4,
    });
    assert_eq!(x.tasks_on_time, Ratio::of(3, 5));
    use crate::inspection::ProblemStatus::*;
    for s in [Fixed, FixedLate, Overdue, Open] {
        x.add_problem(s);
    }
    assert_eq!(x.problems_fixed, Ratio::of(2, 3));
    let day = |s: &str| s.parse::<crate::Date>().unwrap();
    let m = |deadline: &str, done: Option<&str>| crate::rectification::Measure {
        seq: 1,
        text: "整改".into(),
        owner: "村委".into(),
        deadline: day(deadline),
        done_on: done.map(day),
        note: None,
    };
    let today = day("2026-06-30");
    for one in [
        m("2026-05-01", Some("2026-04-20")),
        m("2026-05-01", Some("2026-05-20")),
        m("2026-05-01", None),
        m("2026-09-01", None),
    ] {
        x.add_rectification_measure(&one, today);
    }
    assert_eq!(x.measures_on_time, Ratio::of(1, 3));
}

#[test]
fn the_report_has_the_shape_of_the_issue() {
    let x = ScorecardInputs {
        survey_satisfied: Ratio::of(90, 100),
        ..Default::default()
    };
    let report = ScorecardReport {
        org: 7,
        period: "2026H2".into(),
        card: score(&x, &rules()),
        weakest: None,
    };
    let v = serde_json::to_value(&report).unwrap();
    assert_eq!(v["org"], 7);
    assert_eq!(v["period"], "2026H2");
    let s = &v["measures"]["Satisfaction"];
    assert!(s["score"].as_f64().unwrap() > 0.0);
    assert_eq!(s["indicators"][0]["code"], "survey_satisfied");
    assert!(s["indicators"][0]["evidence"]
        .as_str()
        .unwrap()
        .contains("90"));
    assert!(v["measures"]["Function"]["score"].is_null());
    assert!(v.get("weakest").is_none());
}

fn ratio() -> impl Strategy<Value = Ratio> {
    (0i64..1000, 0i64..1000).prop_map(|(a, b)| Ratio::of(a.min(b), b))
}

/// The field names of the inputs, read from their JSON (so the tests list no field).
fn fields() -> Vec<String> {
    let v = serde_json::to_value(ScorecardInputs::default()).unwrap();
    v.as_object().unwrap().keys().cloned().collect()
}

fn inputs() -> impl Strategy<Value = ScorecardInputs> {
    let keys = fields();
    proptest::collection::vec(ratio(), keys.len()).prop_map(move |rs| {
        let obj: serde_json::Map<String, serde_json::Value> = keys
            .iter()
            .cloned()
            .zip(rs.iter().map(|r| serde_json::to_value(r).unwrap()))
            .collect();
        serde_json::from_value(serde_json::Value::Object(obj)).unwrap()
    })
}

#[test]
fn each_field_is_one_figure_and_absent_fields_are_no_records() {
    let keys = fields();
    assert_eq!(keys.len(), Figure::ALL.len());
    let mut seen = std::collections::HashSet::new();
    for k in &keys {
        let marked: ScorecardInputs =
            serde_json::from_value(serde_json::json!({ k.as_str(): { "num": 1, "den": 2 } }))
                .unwrap();
        let hit: Vec<_> = Figure::ALL
            .iter()
            .filter(|f| marked.get(**f) == Ratio::of(1, 2))
            .collect();
        assert_eq!(hit.len(), 1, "{k}");
        assert!(seen.insert(*hit[0]));
    }
}

proptest! {
    #[test]
    fn scores_are_within_0_100_or_none(x in inputs()) {
        let card = score(&x, &rules());
        for s in card.scores().into_iter().flatten() {
            prop_assert!((0.0..=100.0).contains(&s));
        }
        for m in card.measures.values() {
            prop_assert_eq!(m.score.is_none(), m.indicators.iter().all(|i| i.score.is_none()));
        }
    }

    #[test]
    fn inputs_of_two_orgs_sum_to_their_union(a in inputs(), b in inputs()) {
        let mut ab = a;
        ab.add(&b);
        prop_assert_eq!(ab, a + b);
        prop_assert_eq!(ab, [a, b].iter().sum::<ScorecardInputs>());
        for f in Figure::ALL {
            prop_assert_eq!(ab.get(*f), a.get(*f) + b.get(*f));
        }
        prop_assert_eq!(score(&ab, &rules()), score(&(b + a), &rules()));
    }
}

#[test]
fn docs_scorecard_md_publishes_the_default_formulas() {
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../docs/SCORECARD.md");
    let doc = std::fs::read_to_string(path).unwrap();
    for i in rules().measures.values().flatten() {
        let row = doc
            .lines()
            .find(|l| l.starts_with(&format!("| `{}` |", i.code)))
            .unwrap_or_else(|| panic!("docs/SCORECARD.md has no row for {}", i.code));
        let Linear { floor, target } = i.normalise;
        let numbers = format!("| {floor} / {target} | {} |", i.weight);
        assert!(
            row.contains(&numbers),
            "{}: expected {numbers} in {row}",
            i.code
        );
        assert_eq!(row.contains("**manual**"), i.figure.manual(), "{}", i.code);
    }
}

fn status() -> impl Strategy<Value = crate::inspection::ProblemStatus> {
    use crate::inspection::ProblemStatus::*;
    prop_oneof![Just(Open), Just(Overdue), Just(Fixed), Just(FixedLate)]
}

/// One org's inputs made from its records: problems, units, a secretary flag.
fn from_records(
    problems: &[crate::inspection::ProblemStatus],
    units: &[(bool, bool)],
    secretary: bool,
) -> ScorecardInputs {
    let mut x = ScorecardInputs {
        secretary_in_place: Ratio::flag(secretary),
        ..Default::default()
    };
    for p in problems {
        x.add_problem(*p);
    }
    let mut c = crate::coverage::DomainCoverage::default();
    for (org, instructor) in units {
        c.operating += 1;
        c.org_covered += i64::from(*org);
        c.work_covered += i64::from(*org || *instructor);
    }
    x.set_coverage(&c);
    x
}

proptest! {
    #[test]
    fn two_orgs_records_make_the_inputs_of_their_union(
        pa in proptest::collection::vec(status(), 0..8),
        pb in proptest::collection::vec(status(), 0..8),
        ua in proptest::collection::vec(any::<(bool, bool)>(), 0..6),
        ub in proptest::collection::vec(any::<(bool, bool)>(), 0..6),
        sa in any::<bool>(),
        sb in any::<bool>(),
    ) {
        let a = from_records(&pa, &ua, sa);
        let b = from_records(&pb, &ub, sb);
        let union = {
            let mut x = from_records(&[pa.clone(), pb.clone()].concat(), &[ua.clone(), ub.clone()].concat(), sa);
            // Two orgs: two secretary flags.
            x.secretary_in_place += Ratio::flag(sb);
            x
        };
        prop_assert_eq!(a + b, union);
        prop_assert_eq!(score(&(a + b), &rules()), score(&union, &rules()));
    }
}
