use super::*;
use crate::rating::{CaseNote, FundingFacts, IndicatorBook, LifeSummary, LifeTotals, ManualSignal};
use crate::Domain;
use std::collections::BTreeMap;

fn d(s: &str) -> Date {
    Date::parse_from_str(s, "%Y-%m-%d").unwrap()
}

fn set() -> IndicatorSet {
    IndicatorBook::shipped()
        .for_domain(Some(Domain::Village), d("2026-01-01"))
        .unwrap()
        .clone()
}

/// The rating tests' healthy village branch, judged on 2026-12-15 with three
/// quarters of meetings and its committee meeting judged.
fn healthy() -> OrgYearFacts {
    OrgYearFacts {
        as_of: d("2026-12-15"),
        life: Some(LifeSummary {
            periods: vec![
                Period::Quarter(2026, 1),
                Period::Quarter(2026, 2),
                Period::Quarter(2026, 3),
            ],
            records_from: Some(d("2020-01-01")),
            due: 30,
            met: 30,
            quarters: vec![
                Period::Quarter(2026, 1),
                Period::Quarter(2026, 2),
                Period::Quarter(2026, 3),
            ],
            held_nothing: vec![],
            committee: CommitteeWindow::Judged(WindowCheck {
                from: Period::Month(2026, 6),
                to: Period::Month(2026, 12),
                held: 6,
            }),
            expected: 100,
            present: 90,
        }),
        subtree_life: LifeTotals::default(),
        manual_scores: BTreeMap::new(),
        training: None,
        tasks: None,
        duty: None,
        ..crate::rating::tests::facts()
    }
}

fn state(f: &OrgYearFacts, rule: SignalRule) -> (SignalState, String) {
    let s = diagnose(f, &set(), &RuleBook::shipped());
    let x = s.iter().find(|s| s.rule == rule).unwrap();
    (x.state, x.evidence.clone())
}

#[test]
fn codes_parse_and_every_rule_has_a_kind_or_is_manual() {
    for k in WeaknessKind::ALL {
        assert_eq!(WeaknessKind::from_code(k.code()), Some(k));
        assert_eq!(WeaknessKind::parse(k.char()), Some(k));
        assert_eq!(WeaknessKind::parse(&k.code().to_lowercase()), Some(k));
    }
    let chars: String = WeaknessKind::ALL.iter().map(|k| k.char()).collect();
    assert_eq!(chars, "瘫乱散软懒弱穷贪");
    for r in SignalRule::ALL {
        assert_eq!(SignalRule::from_code(r.code()), Some(r));
        assert_eq!(r.kind().is_none(), r == SignalRule::ManualReport);
    }
    assert_eq!(Decision::from_code("confirmed"), Some(Decision::Confirmed));
}

#[test]
fn healthy_org_fires_nothing_and_missing_records_say_no_data() {
    let s = diagnose(&healthy(), &set(), &RuleBook::shipped());
    assert!(suspected(&s).is_empty(), "{s:?}");
    let no_data: Vec<SignalRule> = s
        .iter()
        .filter(|x| x.state == SignalState::NoData)
        .map(|x| x.rule)
        .collect();
    // 懒 is "no data" until activity with the masses is recorded (review error 3).
    assert_eq!(
        no_data,
        vec![
            SignalRule::NoMassesActivity,
            SignalRule::LowSatisfaction,
            SignalRule::DisciplineCases,
            SignalRule::ManualReport
        ]
    );
    for x in s.iter().filter(|x| x.state == SignalState::NoData) {
        assert!(x.evidence.starts_with("暂无数据"), "{}", x.evidence);
    }
    // Every derived rule answers once, plus 乱's "no data".
    assert_eq!(s.len(), SignalRule::ALL.len());
}

#[test]
fn secretary_vacant_over_three_months() {
    let mut f = healthy();
    let vacant = |s: &str| SecretaryState::Vacant { since: d(s) };
    f.secretary = vacant("2026-08-15");
    let (st, ev) = state(&f, SignalRule::SecretaryVacant);
    assert_eq!(st, SignalState::Fired);
    assert_eq!(ev, "书记自2026-08-15起空缺，已4个月（超过3个月）");
    f.secretary = vacant("2026-09-15");
    assert_eq!(state(&f, SignalRule::SecretaryVacant).0, SignalState::Clear);
    // Exactly three months is not over three months.
    f.secretary = vacant("2026-09-14");
    assert_eq!(state(&f, SignalRule::SecretaryVacant).0, SignalState::Fired);
    // S2: nobody ever recorded is "no data", never vacant.
    f.secretary = SecretaryState::Unknown;
    assert_eq!(
        state(&f, SignalRule::SecretaryVacant).0,
        SignalState::NoData
    );
}

#[test]
fn life_signals() {
    let mut f = healthy();
    let l = f.life.as_mut().unwrap();
    if let CommitteeWindow::Judged(w) = &mut l.committee {
        w.held = 0;
    }
    l.held_nothing = vec![Period::Quarter(2026, 2), Period::Quarter(2026, 3)];
    l.met = 10;
    let s = diagnose(&f, &set(), &RuleBook::shipped());
    let kinds: Vec<WeaknessKind> = suspected(&s).iter().map(|(k, _)| *k).collect();
    assert_eq!(kinds, vec![WeaknessKind::Paralysis, WeaknessKind::Disunity]);
    let (_, ev) = state(&f, SignalRule::OrgLifeNotHeld);
    assert_eq!(
        ev,
        "2026年第2季度、2026年第3季度未开展任何组织生活；2026-01-01至2026-09-30应开展组织生活30项，按规定开展10项（33.3%）"
    );
    let (_, ev) = state(&f, SignalRule::NoCommitteeMeeting);
    assert_eq!(ev, "2026年6月至2026-12-15未召开支部委员会会议（6个月以上）");
    // A low share alone fires too; a high one with no empty quarter does not.
    let mut g = healthy();
    g.life.as_mut().unwrap().met = 17;
    assert_eq!(state(&g, SignalRule::OrgLifeNotHeld).0, SignalState::Fired);
    g.life.as_mut().unwrap().met = 18;
    assert_eq!(state(&g, SignalRule::OrgLifeNotHeld).0, SignalState::Clear);
    // In the first quarter nothing is judged yet.
    g.life.as_mut().unwrap().periods.clear();
    assert_eq!(state(&g, SignalRule::OrgLifeNotHeld).0, SignalState::NoData);
    // Nothing recorded at all: no data, not "held nothing".
    let mut u = healthy();
    u.life.as_mut().unwrap().records_from = None;
    assert_eq!(state(&u, SignalRule::OrgLifeNotHeld).0, SignalState::NoData);
    // A committee of unknown existence, a young one, records too short: no verdict.
    let mut c = healthy();
    c.life.as_mut().unwrap().committee = CommitteeWindow::Unknown;
    assert_eq!(
        state(&c, SignalRule::NoCommitteeMeeting).0,
        SignalState::NoData
    );
    c.life.as_mut().unwrap().committee = CommitteeWindow::Young {
        since: d("2026-11-20"),
    };
    assert_eq!(
        state(&c, SignalRule::NoCommitteeMeeting).0,
        SignalState::NotApplicable
    );
    c.life.as_mut().unwrap().committee = CommitteeWindow::Unrecorded {
        from: Some(d("2026-10-01")),
    };
    assert_eq!(
        state(&c, SignalRule::NoCommitteeMeeting).0,
        SignalState::NoData
    );
    // A branch below a village top: judged at the top.
    let mut s = healthy();
    s.village_top = false;
    s.under_village_top = true;
    for r in [
        SignalRule::NoCommitteeMeeting,
        SignalRule::OrgLifeNotHeld,
        SignalRule::NoMassesActivity,
        SignalRule::FundingBelowStandard,
    ] {
        assert_eq!(state(&s, r).0, SignalState::NotApplicable, "{r:?}");
    }
    // A village general branch is judged on its branches' life (S14).
    let mut v = healthy();
    v.kind = OrgKind::GeneralBranch;
    v.life.as_mut().unwrap().held_nothing = vec![Period::Quarter(2026, 2)];
    assert_eq!(state(&v, SignalRule::OrgLifeNotHeld).0, SignalState::Fired);
    // Not a branch and not a village top: not applicable.
    let mut h = healthy();
    h.kind = OrgKind::GeneralBranch;
    h.village_top = false;
    h.life = None;
    for r in [
        SignalRule::NoCommitteeMeeting,
        SignalRule::OrgLifeNotHeld,
        SignalRule::NoMassesActivity,
    ] {
        assert_eq!(state(&h, r).0, SignalState::NotApplicable, "{r:?}");
    }
}

#[test]
fn recruitment_funding_cases_and_manual_reports() {
    let mut f = healthy();
    f.recruitment = Recruitment::LastJoined(Some(d("2023-12-01")));
    let (st, ev) = state(&f, SignalRule::NoRecruit);
    assert_eq!(st, SignalState::Fired);
    assert_eq!(ev, "近2年未发展党员（最近一名党员入党日期2023-12-01）");
    f.recruitment = Recruitment::LastJoined(Some(d("2024-12-16")));
    assert_eq!(state(&f, SignalRule::NoRecruit).0, SignalState::Clear);
    f.recruitment = Recruitment::Unknown;
    assert_eq!(state(&f, SignalRule::NoRecruit).0, SignalState::NoData);
    // S24: a village whose roster is not loaded is "no data", not 弱.
    f.recruitment = Recruitment::NoMembers;
    assert_eq!(state(&f, SignalRule::NoRecruit).0, SignalState::NoData);

    f.funding.operating_yuan = Some(60_000.0);
    f.funding.collective_income_yuan = Some(30_000.0);
    assert_eq!(
        state(&f, SignalRule::FundingBelowStandard).1,
        "2026年度运转经费6.00万元，低于标准10.00万元"
    );
    assert_eq!(
        state(&f, SignalRule::CollectiveIncomeLow).0,
        SignalState::Fired
    );
    f.funding = FundingFacts::default();
    assert_eq!(
        state(&f, SignalRule::FundingBelowStandard).0,
        SignalState::NoData
    );
    f.village_top = false;
    assert_eq!(
        state(&f, SignalRule::CollectiveIncomeLow).0,
        SignalState::NotApplicable
    );

    // S15: a retired member's own case does not mark the organization 贪.
    f.discipline_cases.push(CaseNote {
        decided_on: d("2026-05-01"),
        summary: "党员：违规操办婚宴".into(),
        team: false,
    });
    let (st, ev) = state(&f, SignalRule::DisciplineCases);
    assert_eq!(st, SignalState::Clear);
    assert_eq!(ev, "2026年度记录违纪违法案件1起，均不涉及班子成员");
    f.discipline_cases.push(CaseNote {
        decided_on: d("2026-06-01"),
        summary: "村干部优亲厚友".into(),
        team: true,
    });
    assert_eq!(
        state(&f, SignalRule::DisciplineCases).1,
        "2026年度记录涉及班子成员的违纪违法案件1起：2026-06-01 村干部优亲厚友"
    );
    f.manual_signals.push(ManualSignal {
        kind: WeaknessKind::Disorder,
        evidence: "半年内群体性上访3次".into(),
        source: "县信访局通报".into(),
    });
    let s = diagnose(&f, &set(), &RuleBook::shipped());
    let sus = suspected(&s);
    let kinds: Vec<WeaknessKind> = sus.iter().map(|(k, _)| *k).collect();
    assert_eq!(kinds, vec![WeaknessKind::Disorder, WeaknessKind::Graft]);
    assert_eq!(sus[0].1[0].source.as_deref(), Some("县信访局通报"));
    // No "no data" 乱 once a report exists.
    assert_eq!(
        s.iter()
            .filter(|x| x.kind == WeaknessKind::Disorder)
            .count(),
        1
    );
}

#[test]
fn groups_and_local_committees_are_not_diagnosed() {
    let mut f = healthy();
    f.kind = OrgKind::Group;
    assert!(diagnose(&f, &set(), &RuleBook::shipped()).is_empty());
    f.kind = OrgKind::LocalCommittee;
    assert!(diagnose(&f, &set(), &RuleBook::shipped()).is_empty());
}

#[test]
fn idleness_reads_the_mass_requests_of_the_window() {
    use crate::mass_request::MassFacts;
    let with = |m: MassFacts| OrgYearFacts {
        masses: Some(m),
        ..healthy()
    };
    let r = SignalRule::NoMassesActivity;
    let (s, e) = state(&healthy(), r);
    assert_eq!(s, SignalState::NoData, "{e}");
    assert!(e.starts_with("暂无数据"), "{e}");
    let (s, e) = state(
        &with(MassFacts {
            received: 5,
            resolved: 3,
            overdue: 1,
            meetings: 0,
        }),
        r,
    );
    assert_eq!(s, SignalState::Clear, "{e}");
    assert!(e.contains("办结3件") && e.contains("1件逾期未办结"), "{e}");
    let (s, e) = state(
        &with(MassFacts {
            received: 2,
            resolved: 0,
            overdue: 2,
            meetings: 0,
        }),
        r,
    );
    assert_eq!(s, SignalState::Fired, "{e}");
    assert!(e.contains("2件逾期未办结"), "{e}");
    // Requests still within their limit: not yet a sign of anything.
    let (s, _) = state(
        &with(MassFacts {
            received: 2,
            resolved: 0,
            overdue: 0,
            meetings: 0,
        }),
        r,
    );
    assert_eq!(s, SignalState::NoData);
    // A meeting with the masses clears it, with or without requests.
    let (s, e) = state(
        &with(MassFacts {
            meetings: 2,
            ..MassFacts::default()
        }),
        r,
    );
    assert_eq!(s, SignalState::Clear, "{e}");
    assert!(e.contains("群众参与的组织生活2次"), "{e}");
    let (s, e) = state(
        &with(MassFacts {
            received: 2,
            overdue: 2,
            meetings: 1,
            ..MassFacts::default()
        }),
        r,
    );
    assert_eq!(s, SignalState::Clear, "{e}");
    assert!(e.contains("2件逾期未办结"), "{e}");
    // Below a village top: judged at the top.
    let mut below = with(MassFacts {
        received: 2,
        resolved: 0,
        overdue: 2,
        meetings: 0,
    });
    below.village_top = false;
    below.under_village_top = true;
    assert_eq!(state(&below, r).0, SignalState::NotApplicable);
}

#[test]
fn softness_reads_the_latest_closed_survey_against_the_rule_set() {
    use crate::survey::{SatisfactionFacts, SurveyPeriod};
    let with = |ratings: i64, satisfied: i64| OrgYearFacts {
        satisfaction: Some(SatisfactionFacts {
            survey_id: 1,
            period: SurveyPeriod::Year(2026),
            closed_on: d("2026-11-30"),
            responses: ratings / 3,
            issued: 50,
            ratings,
            satisfied,
        }),
        ..healthy()
    };
    let r = SignalRule::LowSatisfaction;
    let (s, e) = state(&healthy(), r);
    assert_eq!(s, SignalState::NoData, "{e}");
    assert!(e.contains("尚未开展群众满意度测评"), "{e}");
    // No answer at all: 暂无数据, never 0 %.
    let (s, e) = state(&with(0, 0), r);
    assert_eq!(s, SignalState::NoData, "{e}");
    // 53 of 90 = 58.9 % < 60 %: fired.
    let (s, e) = state(&with(90, 53), r);
    assert_eq!(s, SignalState::Fired, "{e}");
    assert!(e.contains("58.9%"), "{e}");
    // 54 of 90 = 60 %: clear (the standard is "not below").
    let (s, _) = state(&with(90, 54), r);
    assert_eq!(s, SignalState::Clear);
    // The number lives in the rule set: a set asking 70 % fires at 60 %.
    let book = RuleBook::new(
        RuleBook::shipped()
            .sets()
            .iter()
            .cloned()
            .map(|mut s| {
                s.weak_signals.satisfaction_min_share = 0.7;
                s
            })
            .collect(),
    );
    let out = diagnose(&with(90, 54), &set(), &book);
    let s = out.iter().find(|x| x.rule == r).unwrap();
    assert_eq!(s.state, SignalState::Fired, "{}", s.evidence);
}
