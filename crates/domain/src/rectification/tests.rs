use super::*;
use proptest::prelude::*;

fn d(s: &str) -> Date {
    Date::parse_from_str(s, "%Y-%m-%d").unwrap()
}

fn plan() -> Step {
    Step::Plan {
        measures: vec![
            NewMeasure {
                text: "选优配强支部书记".into(),
                owner: "镇党委组织委员".into(),
                deadline: d("2027-03-31"),
            },
            NewMeasure {
                text: "恢复三会一课".into(),
                owner: "支部书记".into(),
                deadline: d("2027-01-31"),
            },
        ],
    }
}

fn assign() -> Step {
    Step::Assign {
        cadre: "县委常委张某".into(),
        departments: vec!["县委组织部".into(), " 县委组织部 ".into(), "".into()],
    }
}

fn progress() -> Step {
    Step::Progress {
        text: "已召开支委会".into(),
        evidence: "会议记录第12页".into(),
    }
}

#[test]
fn a_case_runs_from_diagnosis_to_review() {
    let mut c = Case::open(vec![WeaknessKind::Paralysis], d("2026-12-15"));
    let t0 = d("2026-12-15");
    assert_eq!(c.apply(plan(), t0).unwrap().to, Stage::Planned);
    assert_eq!(c.measures.len(), 2);
    assert_eq!(c.deadline(), Some(d("2027-03-31")));
    let ch = c.apply(assign(), t0).unwrap();
    assert_eq!(ch.to, Stage::AssistanceAssigned);
    assert_eq!(c.departments, vec!["县委组织部".to_string()]);
    assert_eq!(
        c.apply(progress(), d("2027-01-10")).unwrap().to,
        Stage::InProgress
    );
    // Measure 2 is overdue on Feb 1.
    let feb = d("2027-02-01");
    let late: Vec<i64> = c.overdue(feb).iter().map(|m| m.seq).collect();
    assert_eq!(late, vec![2]);
    // Accepting with open measures is refused, and changes nothing.
    let before = c.clone();
    assert!(c
        .apply(
            Step::Accept {
                note: "合格".into()
            },
            feb
        )
        .is_err());
    assert_eq!(c, before);
    for seq in [1, 2] {
        c.apply(
            Step::CompleteMeasure {
                seq,
                done_on: feb,
                note: None,
            },
            feb,
        )
        .unwrap();
    }
    assert!(c.overdue(feb).is_empty());
    let ch = c
        .apply(
            Step::Accept {
                note: "经验收合格".into(),
            },
            feb,
        )
        .unwrap();
    assert_eq!((ch.from, ch.to), (Stage::InProgress, Stage::Accepted));
    assert_eq!(c.accepted_on, Some(feb));
    // The review waits a year.
    let review = Step::Review {
        outcome: ReviewOutcome::Consolidated,
        note: "班子稳定".into(),
    };
    let e = c.apply(review.clone(), d("2027-12-01")).unwrap_err();
    assert_eq!(
        e.to_string(),
        "回头看应在验收销号一年后进行（2028-02-01起）"
    );
    assert_eq!(
        c.apply(review, d("2028-02-01")).unwrap().to,
        Stage::Reviewed
    );
    assert!(!c.stage.is_open());
}

#[test]
fn invalid_transitions_are_errors() {
    let t = d("2026-12-15");
    let mut c = Case::open(vec![WeaknessKind::Disunity], t);
    for step in [
        assign(),
        progress(),
        Step::Extend {
            reason: "x".into(),
            until: d("2027-06-30"),
        },
        Step::Accept { note: "x".into() },
        Step::Review {
            outcome: ReviewOutcome::Relapsed,
            note: "x".into(),
        },
        Step::CompleteMeasure {
            seq: 1,
            done_on: t,
            note: None,
        },
    ] {
        let e = c.apply(step.clone(), t).unwrap_err();
        assert!(
            matches!(
                e,
                RectificationError::InvalidTransition {
                    from: Stage::Diagnosed,
                    ..
                }
            ),
            "{step:?}: {e}"
        );
    }
    assert_eq!(
        c.apply(assign(), t).unwrap_err().to_string(),
        "当前状态为“已确定，待制定整改方案”，不能落实帮扶"
    );
    c.apply(plan(), t).unwrap();
    // Progress before assistance.
    assert!(c.apply(progress(), t).is_err());
    c.apply(assign(), t).unwrap();
    // Extension needs a reason and a later day.
    assert!(c
        .apply(
            Step::Extend {
                reason: " ".into(),
                until: d("2027-06-30")
            },
            t
        )
        .is_err());
    assert!(c
        .apply(
            Step::Extend {
                reason: "换届推迟".into(),
                until: t
            },
            t
        )
        .is_err());
    let ch = c
        .apply(
            Step::Extend {
                reason: "换届推迟".into(),
                until: d("2027-06-30"),
            },
            t,
        )
        .unwrap();
    assert_eq!(ch.to, Stage::Extended);
    assert_eq!(c.deadline(), Some(d("2027-06-30")));
    // Accepting straight from Extended works once everything is done.
    for seq in [1, 2] {
        c.apply(
            Step::CompleteMeasure {
                seq,
                done_on: t,
                note: Some("完成".into()),
            },
            t,
        )
        .unwrap();
    }
    c.apply(
        Step::Accept {
            note: "合格".into(),
        },
        t,
    )
    .unwrap();
    // Nothing but the review after acceptance.
    assert!(c.apply(plan(), t).is_err());
    assert!(c.apply(progress(), t).is_err());
}

#[test]
fn plans_check_their_measures() {
    let t = d("2026-12-15");
    let mut c = Case::open(vec![WeaknessKind::Poverty], t);
    assert!(c.apply(Step::Plan { measures: vec![] }, t).is_err());
    let bad = Step::Plan {
        measures: vec![NewMeasure {
            text: "发展集体经济".into(),
            owner: "".into(),
            deadline: d("2027-06-30"),
        }],
    };
    assert_eq!(c.apply(bad, t).unwrap_err().to_string(), "请填写责任人");
    let past = Step::Plan {
        measures: vec![NewMeasure {
            text: "发展集体经济".into(),
            owner: "村书记".into(),
            deadline: d("2026-01-01"),
        }],
    };
    assert!(c.apply(past, t).is_err());
    assert_eq!(c.stage, Stage::Diagnosed);
    assert!(c.measures.is_empty());
}

#[test]
fn review_period_is_the_rule_datas() {
    // The case keeps the constant (its steps are checked without a rule book); the
    // rule data states the same number with its source and must not drift from it.
    for set in crate::RuleBook::shipped().sets() {
        assert_eq!(
            i64::from(REVIEW_AFTER_MONTHS),
            set.weak_signals.review_after_months
        );
    }
}

#[test]
fn stalled_and_mapping() {
    let c = Case::open(vec![WeaknessKind::Graft], d("2026-10-01"));
    assert!(c.stalled(d("2026-12-15"), 60));
    assert!(!c.stalled(d("2026-11-15"), 60));
    let m = AssistanceMapping::shipped();
    assert!(m.problems().is_empty(), "{:?}", m.problems());
    assert_eq!(
        m.for_kinds(&[WeaknessKind::Graft]),
        vec!["县纪委监委".to_string()]
    );
    let both = m.for_kinds(&[WeaknessKind::Paralysis, WeaknessKind::Disunity]);
    assert_eq!(both, vec!["县委组织部".to_string()]);
    assert!(m
        .for_kinds(&[WeaknessKind::Disorder])
        .contains(&"县委政法委".to_string()));
    assert!(m
        .for_kinds(&[WeaknessKind::Poverty])
        .contains(&"县农业农村局".to_string()));
    for s in Stage::ALL {
        assert_eq!(Stage::from_code(s.code()), Some(s));
    }
}

fn any_step() -> impl Strategy<Value = Step> {
    let day = (0i64..800).prop_map(|n| d("2026-12-01") + chrono::Duration::days(n));
    prop_oneof![
        day.clone().prop_map(|deadline| Step::Plan {
            measures: vec![NewMeasure {
                text: "措施".into(),
                owner: "某人".into(),
                deadline
            }]
        }),
        Just(assign()),
        Just(progress()),
        (1i64..4, day.clone()).prop_map(|(seq, done_on)| Step::CompleteMeasure {
            seq,
            done_on,
            note: None
        }),
        day.prop_map(|until| Step::Extend {
            reason: "理由".into(),
            until
        }),
        Just(Step::Accept {
            note: "合格".into()
        }),
        Just(Step::Review {
            outcome: ReviewOutcome::Consolidated,
            note: "好".into()
        }),
    ]
}

proptest! {
    // Whatever steps come, in any order: a failed step changes nothing; an accepted
    // case has every measure done; stages only move along the diagram's edges.
    #[test]
    fn the_machine_keeps_its_invariants(
        steps in proptest::collection::vec((any_step(), 0i64..30), 0..40)
    ) {
        let mut today = d("2026-12-01");
        let mut c = Case::open(vec![WeaknessKind::Paralysis], today);
        for (step, gap) in steps {
            today += chrono::Duration::days(gap * 20);
            let before = c.clone();
            match c.apply(step, today) {
                Err(_) => prop_assert_eq!(&c, &before),
                Ok(ch) => {
                    prop_assert_eq!(ch.from, before.stage);
                    let allowed = ch.from == ch.to || matches!(
                        (ch.from, ch.to),
                        (Stage::Diagnosed, Stage::Planned)
                            | (Stage::Planned, Stage::AssistanceAssigned)
                            | (Stage::AssistanceAssigned, Stage::InProgress)
                            | (Stage::AssistanceAssigned, Stage::Extended)
                            | (Stage::InProgress, Stage::Extended)
                            | (Stage::Extended, Stage::InProgress)
                            | (Stage::InProgress, Stage::Accepted)
                            | (Stage::Extended, Stage::Accepted)
                            | (Stage::Accepted, Stage::Reviewed)
                    );
                    prop_assert!(allowed, "{:?} -> {:?}", ch.from, ch.to);
                    prop_assert_eq!(c.last_activity_on, today);
                }
            }
            if matches!(c.stage, Stage::Accepted | Stage::Reviewed) {
                prop_assert!(c.measures.iter().all(|m| m.done_on.is_some()));
                prop_assert!(c.overdue(today).is_empty());
            }
        }
    }
}
