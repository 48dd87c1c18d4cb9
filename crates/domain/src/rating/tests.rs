//! The scoring of indicator sets, on facts built by hand.

use super::*;
use crate::compliance::BranchFacts;
use crate::history::{CommitteeHistory, SecretaryState};
use crate::{Date, Domain, MeetingKind, OrgKind, Period, RuleBook};
use proptest::prelude::*;
use std::collections::BTreeMap;

fn d(s: &str) -> Date {
    Date::parse_from_str(s, "%Y-%m-%d").unwrap()
}

fn book() -> RuleBook {
    RuleBook::shipped()
}

fn village() -> IndicatorSet {
    IndicatorBook::shipped()
        .for_domain(Some(Domain::Village), d("2026-06-01"))
        .unwrap()
        .clone()
}

/// A healthy village branch judged at the end of 2026.
pub(crate) fn facts() -> OrgYearFacts {
    OrgYearFacts {
        org_id: 1,
        kind: OrgKind::Branch,
        domain: Some(Domain::Village),
        year: 2026,
        as_of: d("2026-12-31"),
        founded_on: Some(d("2001-07-01")),
        last_election_on: Some(d("2024-01-10")),
        term_years: None,
        postponed_until: None,
        committee: Some(true),
        subtree_members: 14,
        subtree_full: 12,
        secretary: SecretaryState::InOffice,
        village_top: true,
        under_village_top: false,
        recruitment: Recruitment::LastJoined(Some(d("2025-07-01"))),
        life: Some(LifeSummary {
            periods: vec![Period::Year(2026)],
            records_from: Some(d("2020-01-01")),
            due: 50,
            met: 50,
            quarters: vec![],
            held_nothing: vec![],
            committee: CommitteeWindow::NoCommittee,
            expected: 100,
            present: 90,
        }),
        subtree_life: LifeTotals {
            branches: 1,
            unrecorded: 0,
            due: 50,
            met: 50,
            expected: 100,
            present: 90,
        },
        funding: FundingFacts {
            operating_yuan: Some(120_000.0),
            collective_income_yuan: Some(80_000.0),
            ..FundingFacts::default()
        },
        discipline_cases: vec![],
        manual_signals: vec![],
        manual_scores: BTreeMap::from([("WorkPerformance".to_string(), 90.0)]),
        training: None,
        tasks: None,
        duty: None,
        masses: None,
        satisfaction: None,
        confirmed_weak: false,
    }
}

#[test]
fn a_confirmed_weakness_caps_the_stars_where_the_set_says_so() {
    let book = IndicatorBook::shipped();
    let set = book
        .for_domain(Some(Domain::Village), d("2026-06-01"))
        .unwrap();
    assert_eq!(
        set.confirmed_weak_max_stars,
        Some(2),
        "the 2026 sets cap at 二星"
    );
    let rules = RuleBook::shipped();
    let healthy = rate(&facts(), set, &rules);
    assert!(healthy.stars.unwrap() > 2, "{healthy:?}");
    let weak = OrgYearFacts {
        confirmed_weak: true,
        ..facts()
    };
    let capped = rate(&weak, set, &rules);
    assert_eq!(capped.stars, Some(2));
    assert_eq!(
        capped.score, healthy.score,
        "the score stands; the stars are capped"
    );
    assert!(capped.evidence.contains("软弱涣散"), "{}", capped.evidence);
    // The 2024 sets have no cap: 2025's ratings are as they were.
    let old = book
        .for_domain(Some(Domain::Village), d("2025-06-01"))
        .unwrap();
    assert_eq!(old.confirmed_weak_max_stars, None);
    assert_eq!(rate(&weak, old, &rules).stars, healthy.stars);
}

fn score_of<'a>(r: &'a Rating, code: &str) -> &'a IndicatorScore {
    r.indicators.iter().find(|i| i.code == code).unwrap()
}

#[test]
fn shipped_sets_parse_are_valid_and_listed() {
    let book = IndicatorBook::shipped();
    assert_eq!(book.sets().len(), SHIPPED_INDICATOR_FILES.len());
    for s in book.sets() {
        assert!(s.problems().is_empty(), "{}: {:?}", s.id, s.problems());
        assert!((s.total_weight() - 100.0).abs() < 1e-9, "{}", s.id);
        assert!(s.source.contains("条例"), "{}", s.id);
    }
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("rules");
    for entry in std::fs::read_dir(dir).unwrap() {
        let name = entry.unwrap().file_name().to_string_lossy().into_owned();
        if name.starts_with("indicators-") && name.ends_with(".json") {
            assert!(
                SHIPPED_INDICATOR_FILES.iter().any(|(n, _)| *n == name),
                "rules/{name} is not listed in SHIPPED_INDICATOR_FILES"
            );
        }
    }
    // Every derived indicator is declared in the village set.
    let v = village();
    for di in DerivedIndicator::ALL {
        assert!(
            v.indicators
                .iter()
                .any(|i| i.kind == IndicatorKind::Derived(di)),
            "{di:?}"
        );
    }
}

#[test]
fn set_by_domain_and_date() {
    let book = IndicatorBook::shipped();
    let day = d("2026-06-01");
    assert_eq!(
        book.for_domain(Some(Domain::Village), day).unwrap().id,
        "village-default"
    );
    assert_eq!(
        book.for_domain(Some(Domain::Community), day).unwrap().id,
        "community-default"
    );
    assert_eq!(
        book.for_domain(Some(Domain::NonPublicEnterprise), day)
            .unwrap()
            .id,
        "general-default"
    );
    assert_eq!(book.for_domain(None, day).unwrap().id, "general-default");
    // Before every set: the earliest.
    assert_eq!(
        book.for_domain(Some(Domain::Village), d("2000-01-01"))
            .unwrap()
            .id,
        "village-default"
    );
    // A stored copy with a later version and date wins from its date on.
    let mut edited = village();
    edited.version = 2;
    edited.effective_from = d("2027-01-01");
    edited.name = "修订".into();
    let book = book.with(vec![edited]);
    assert_eq!(
        book.for_domain(Some(Domain::Village), day).unwrap().version,
        1
    );
    assert_eq!(
        book.for_domain(Some(Domain::Village), d("2027-03-01"))
            .unwrap()
            .version,
        2
    );
}

#[test]
fn problems_are_named() {
    let mut s = village();
    s.indicators[1].code = s.indicators[0].code.clone();
    s.indicators[2].weight = 0.0;
    s.stars = [0.0, 70.0, 60.0, 80.0, 90.0];
    s.min_weight_with_data = 1.5;
    let p = s.problems();
    assert_eq!(p.len(), 4, "{p:?}");
}

#[test]
fn healthy_village_branch_scores_high_and_no_data_is_not_scored() {
    let r = rate(&facts(), &village(), &book());
    assert_eq!(score_of(&r, "ComplianceRate").score, Some(100.0));
    assert_eq!(score_of(&r, "Attendance").score, Some(90.0));
    assert_eq!(score_of(&r, "SecretaryInPlace").score, Some(100.0));
    assert_eq!(score_of(&r, "CommitteeComplete").score, Some(100.0));
    assert_eq!(score_of(&r, "TermCurrent").score, Some(100.0));
    assert_eq!(score_of(&r, "RecruitedRecently").score, Some(100.0));
    assert_eq!(score_of(&r, "Funding").score, Some(100.0));
    for code in ["TrainingHours", "Satisfaction", "TaskCompletion"] {
        let s = score_of(&r, code);
        assert_eq!(s.state, ScoreState::NoData, "{code}");
        assert_eq!(s.score, None);
        assert!(s.evidence.starts_with("暂无数据"), "{}", s.evidence);
    }
    assert!(r.score.unwrap() > 95.0);
    assert_eq!(r.stars, Some(5));
    assert!(r.weight_with_data < 1.0 && r.weight_with_data > 0.5);
}

#[test]
fn tasks_score_the_share_done_on_time_of_those_due_and_never_a_task_not_due() {
    use crate::task::TaskTally;
    let (set, b) = (village(), book());
    let by = d("2026-06-30");
    let mut t = TaskTally::default();
    // Done on time, done late, past due and open, not yet due (and a report after the day
    // judged is not yet known: the task is still overdue on that day).
    t.add(by, Some(d("2026-06-20")), d("2026-12-31"));
    t.add(by, Some(d("2026-07-05")), d("2026-12-31"));
    t.add(by, None, d("2026-12-31"));
    t.add(d("2027-01-10"), None, d("2026-12-31"));
    let mut late = TaskTally::default();
    late.add(by, Some(d("2026-07-05")), d("2026-07-01"));
    assert_eq!(late.overdue, 1);
    let mut f = facts();
    f.tasks = Some(t);
    let s = score_of(&rate(&f, &set, &b), "TaskCompletion").clone();
    assert_eq!(s.state, ScoreState::Scored);
    assert_eq!(s.score, Some(33.3));
    assert!(
        s.evidence.contains("到期的上级部署任务3项") && s.evidence.contains("另有1项未到期"),
        "{}",
        s.evidence
    );
    // Nothing due yet: 暂无数据, not 0 and not 100.
    let mut only_open = TaskTally::default();
    only_open.add(d("2027-01-10"), None, d("2026-12-31"));
    f.tasks = Some(only_open);
    let s = score_of(&rate(&f, &set, &b), "TaskCompletion").clone();
    assert_eq!((s.state, s.score), (ScoreState::NoData, None));
    assert!(s.evidence.contains("1项任务尚未到期"), "{}", s.evidence);
}

#[test]
fn the_secretarys_duty_grade_joins_the_tasks_and_an_overdue_problem_costs_points() {
    use crate::duty::{DutyFacts, Grade};
    use crate::task::TaskTally;
    let (set, b) = (village(), book());
    let mut f = facts();
    // Only a 述职评议 graded 较好: 80.
    f.duty = Some(DutyFacts {
        grade: Some(Grade::FairlyGood),
        score: Some(82.0),
        ..DutyFacts::default()
    });
    let s = score_of(&rate(&f, &set, &b), "TaskCompletion").clone();
    assert_eq!(s.score, Some(80.0));
    assert!(s.evidence.contains("书记述职评议较好"), "{}", s.evidence);
    // With one task done on time of two due (50): the mean, 65; one problem overdue: 55.
    let mut t = TaskTally::default();
    t.add(d("2026-06-30"), Some(d("2026-06-01")), d("2026-12-31"));
    t.add(d("2026-06-30"), None, d("2026-12-31"));
    f.tasks = Some(t);
    f.duty = Some(DutyFacts {
        grade: Some(Grade::FairlyGood),
        score: Some(82.0),
        problems: 3,
        open: 2,
        overdue: 1,
    });
    let s = score_of(&rate(&f, &set, &b), "TaskCompletion").clone();
    assert_eq!(s.score, Some(55.0));
    assert!(
        s.evidence.contains("问题1个逾期未整改，扣10分"),
        "{}",
        s.evidence
    );
    // Problems alone, none overdue and no grade: still 暂无数据 (nothing judged).
    f.tasks = None;
    f.duty = Some(DutyFacts {
        problems: 1,
        open: 1,
        ..DutyFacts::default()
    });
    let s = score_of(&rate(&f, &set, &b), "TaskCompletion").clone();
    assert_eq!((s.state, s.score), (ScoreState::NoData, None));
}

#[test]
fn each_derived_indicator_falls_with_its_record() {
    let set = village();
    let b = book();
    let base = rate(&facts(), &set, &b).score.unwrap();

    let mut f = facts();
    f.secretary = SecretaryState::Vacant {
        since: d("2026-08-01"),
    };
    let r = rate(&f, &set, &b);
    assert_eq!(score_of(&r, "SecretaryInPlace").score, Some(0.0));
    assert_eq!(
        score_of(&r, "SecretaryInPlace").evidence,
        "书记空缺4个月（自2026-08-01起）"
    );
    assert!(r.score.unwrap() < base);

    // S2: a secretary never recorded is "no data", not 0.
    f.secretary = SecretaryState::Unknown;
    assert_eq!(
        score_of(&rate(&f, &set, &b), "SecretaryInPlace").state,
        ScoreState::NoData
    );

    let mut f = facts();
    f.committee = Some(false);
    assert_eq!(
        score_of(&rate(&f, &set, &b), "CommitteeComplete").score,
        Some(0.0)
    );
    // S4: a committee nobody stated is "no data".
    f.committee = None;
    assert_eq!(
        score_of(&rate(&f, &set, &b), "CommitteeComplete").state,
        ScoreState::NoData
    );
    f.committee = Some(false);
    f.subtree_full = 6;
    assert_eq!(
        score_of(&rate(&f, &set, &b), "CommitteeComplete").state,
        ScoreState::NotApplicable
    );

    let mut f = facts();
    f.last_election_on = Some(d("2021-01-10"));
    let t = rate(&f, &set, &b);
    assert_eq!(score_of(&t, "TermCurrent").score, Some(0.0));
    assert!(score_of(&t, "TermCurrent").evidence.contains("逾期"));
    // S5: an approved longer term (the override wins over the rule).
    f.term_years = Some(6);
    assert_eq!(
        score_of(&rate(&f, &set, &b), "TermCurrent").score,
        Some(100.0)
    );
    f.term_years = None;
    // An approved postponement moves the end.
    f.postponed_until = Some(d("2027-01-10"));
    let t = rate(&f, &set, &b);
    assert_eq!(score_of(&t, "TermCurrent").score, Some(100.0));
    assert!(score_of(&t, "TermCurrent").evidence.contains("延期"));
    f.postponed_until = None;
    // S8: no election recorded and the first term from founding is over: no data.
    f.last_election_on = None;
    let t = rate(&f, &set, &b);
    assert_eq!(score_of(&t, "TermCurrent").state, ScoreState::NoData);
    assert!(score_of(&t, "TermCurrent").evidence.contains("首届任期"));
    // A young org's first term, from founding, still running: scored.
    f.founded_on = Some(d("2024-05-01"));
    assert_eq!(
        score_of(&rate(&f, &set, &b), "TermCurrent").score,
        Some(100.0)
    );
    f.founded_on = None;
    assert_eq!(
        score_of(&rate(&f, &set, &b), "TermCurrent").state,
        ScoreState::NoData
    );

    let mut f = facts();
    f.recruitment = Recruitment::LastJoined(Some(d("2023-05-01")));
    assert_eq!(
        score_of(&rate(&f, &set, &b), "RecruitedRecently").score,
        Some(0.0)
    );
    f.recruitment = Recruitment::Unknown;
    assert_eq!(
        score_of(&rate(&f, &set, &b), "RecruitedRecently").state,
        ScoreState::NoData
    );
    // S24: no roster loaded.
    f.recruitment = Recruitment::NoMembers;
    assert_eq!(
        score_of(&rate(&f, &set, &b), "RecruitedRecently").state,
        ScoreState::NoData
    );
    f.recruitment = Recruitment::NotApplicable;
    assert_eq!(
        score_of(&rate(&f, &set, &b), "RecruitedRecently").state,
        ScoreState::NotApplicable
    );

    let mut f = facts();
    f.subtree_life.met = 25;
    assert_eq!(
        score_of(&rate(&f, &set, &b), "ComplianceRate").score,
        Some(50.0)
    );
    f.subtree_life.due = 0;
    assert_eq!(
        score_of(&rate(&f, &set, &b), "ComplianceRate").state,
        ScoreState::NoData
    );

    let mut f = facts();
    f.funding.operating_yuan = Some(50_000.0);
    assert_eq!(score_of(&rate(&f, &set, &b), "Funding").score, Some(50.0));
    f.funding.operating_yuan = None;
    assert_eq!(
        score_of(&rate(&f, &set, &b), "Funding").state,
        ScoreState::NoData
    );

    let mut f = facts();
    f.manual_scores.clear();
    assert_eq!(
        score_of(&rate(&f, &set, &b), "WorkPerformance").state,
        ScoreState::NoData
    );
}

#[test]
fn common_evidence_is_what_rating_writes() {
    let mut f = facts();
    f.manual_scores.clear();
    f.subtree_life.expected = 0;
    let r = rate(&f, &village(), &book());
    let texts: Vec<&str> = r.indicators.iter().map(|i| i.evidence.as_str()).collect();
    // The third is retired (tasks are recorded since issue #17), the last its successor.
    let retired = COMMON_EVIDENCE[2];
    for t in COMMON_EVIDENCE[..6].iter().filter(|t| **t != retired) {
        assert!(texts.contains(t), "{t} not produced: {texts:?}");
    }
    assert!(!texts.contains(&retired));
    assert!(texts.contains(COMMON_EVIDENCE.last().unwrap()), "{texts:?}");
    let mut seen = std::collections::HashSet::new();
    assert!(COMMON_EVIDENCE.iter().all(|t| seen.insert(*t)));
}

#[test]
fn too_little_data_gives_no_stars() {
    let mut f = facts();
    f.subtree_life = LifeTotals {
        branches: 1,
        ..Default::default()
    };
    f.life = None;
    f.funding = FundingFacts::default();
    f.manual_scores.clear();
    f.recruitment = Recruitment::Unknown;
    let r = rate(&f, &village(), &book());
    assert!(r.score.is_some());
    assert_eq!(r.stars, None, "{}", r.evidence);
    assert!(r.evidence.contains("未评定星级"));
}

#[test]
fn judged_periods_and_windows() {
    assert_eq!(
        judged_periods(2026, d("2026-12-15")),
        vec![
            Period::Quarter(2026, 1),
            Period::Quarter(2026, 2),
            Period::Quarter(2026, 3)
        ]
    );
    assert_eq!(judged_periods(2026, d("2026-03-31")), vec![]);
    assert_eq!(
        judged_periods(2026, d("2026-04-01")),
        vec![Period::Quarter(2026, 1)]
    );
    assert_eq!(
        judged_periods(2026, d("2026-12-31")),
        vec![Period::Year(2026)]
    );
    assert_eq!(as_of(2025, d("2026-12-15")), d("2025-12-31"));
    assert_eq!(as_of(2026, d("2026-12-15")), d("2026-12-15"));
    assert_eq!(months_back(d("2026-03-15"), 6), Period::Month(2025, 9));
    let m = months_needed(2026, d("2026-12-15"), 12);
    assert_eq!(m.first(), Some(&Period::Month(2025, 12)));
    assert_eq!(m.last(), Some(&Period::Month(2026, 12)));
    assert_eq!(m.len(), 13);
    assert_eq!(months_between(d("2026-08-16"), d("2026-12-15")), 3);
    assert_eq!(months_between(d("2026-08-15"), d("2026-12-15")), 4);
}

fn branch() -> BranchFacts {
    branch_with_groups(&[9])
}

fn branch_with_groups(groups: &[i64]) -> BranchFacts {
    crate::compliance::tests::branch(true, groups)
}

fn committee(state: Option<bool>) -> CommitteeHistory {
    CommitteeHistory::always(state)
}

/// Everything held every month of 2025–2026, except in `skip`.
fn everything(skip: &[(i32, u32)]) -> BranchMonths {
    let mut m = BranchMonths::default();
    for y in 2025..=2026 {
        for mo in 1..=12 {
            if skip.contains(&(y, mo)) {
                continue;
            }
            let day = Date::from_ymd_opt(y, mo, 10).unwrap();
            for k in MeetingKind::ALL {
                let g = (k == MeetingKind::GroupMeeting).then_some(9);
                m.tally.add(k, g, day);
            }
            m.attendance.insert((y, mo), (10, 9));
        }
    }
    m
}

fn summary(
    b: &BranchFacts,
    m: &BranchMonths,
    c: &CommitteeHistory,
    from: Option<&str>,
    as_of: &str,
) -> LifeSummary {
    let as_of = d(as_of);
    life_summary(
        b,
        m,
        c,
        from.map(d),
        YearJudged {
            year: chrono::Datelike::year(&as_of),
            as_of,
            judged_on: as_of,
        },
        &book(),
    )
}

#[test]
fn life_summary_of_a_branch() {
    let b = branch();
    let yes = committee(Some(true));
    let from = Some("2020-01-01");
    let l = summary(&b, &everything(&[]), &yes, from, "2026-12-15");
    assert_eq!(l.periods.len(), 3);
    assert_eq!(l.due, l.met);
    assert!(l.held_nothing.is_empty());
    let CommitteeWindow::Judged(w) = l.committee else {
        panic!("{:?}", l.committee)
    };
    assert_eq!(w.held, 7);
    assert_eq!(w.from, Period::Month(2026, 6));
    assert_eq!((l.expected, l.present), (120, 108));

    // Nothing in Q2 and Q3 (and no committee meeting since May).
    let skip: Vec<(i32, u32)> = (4..=12).map(|m| (2026, m)).collect();
    let l = summary(&b, &everything(&skip), &yes, from, "2026-12-15");
    assert_eq!(
        l.held_nothing,
        vec![Period::Quarter(2026, 2), Period::Quarter(2026, 3)]
    );
    assert!(l.met * 2 < l.due);
    assert_eq!(
        l.committee,
        CommitteeWindow::Judged(WindowCheck {
            from: Period::Month(2026, 6),
            to: Period::Month(2026, 12),
            held: 0
        })
    );

    // Without a committee, none is owed; unknown is unknown; a young branch owes no
    // window.
    let l = summary(
        &b,
        &everything(&[]),
        &committee(Some(false)),
        from,
        "2026-12-15",
    );
    assert_eq!(l.committee, CommitteeWindow::NoCommittee);
    let l = summary(&b, &everything(&[]), &committee(None), from, "2026-12-15");
    assert_eq!(l.committee, CommitteeWindow::Unknown);
    let mut young = branch();
    young.founded_on = Some(d("2026-09-01"));
    let l = summary(&young, &everything(&[]), &yes, from, "2026-12-15");
    assert!(matches!(l.committee, CommitteeWindow::Young { .. }));
}

#[test]
fn nothing_before_the_records_is_judged() {
    // S24: nothing recorded at all: nothing judged, nothing "held nothing".
    let b = branch();
    let yes = committee(Some(true));
    let none = BranchMonths::default();
    let l = summary(&b, &none, &yes, None, "2026-12-15");
    assert_eq!((l.due, l.met), (0, 0));
    assert!(l.held_nothing.is_empty() && l.quarters.is_empty());
    assert_eq!(l.committee, CommitteeWindow::Unrecorded { from: None });
    // Records from 2026-07-01: only Q3 is judged (Q1, Q2 are not "held nothing").
    let skip: Vec<(i32, u32)> = (1..=6).map(|m| (2026, m)).collect();
    let l = summary(
        &b,
        &everything(&skip),
        &yes,
        Some("2026-07-01"),
        "2026-12-15",
    );
    assert_eq!(l.quarters, vec![Period::Quarter(2026, 3)]);
    assert!(l.held_nothing.is_empty());
    assert_eq!(l.due, l.met);
    assert_eq!(
        l.committee,
        CommitteeWindow::Unrecorded {
            from: Some(d("2026-07-01"))
        }
    );
}

#[test]
fn a_new_committee_owes_from_its_day() {
    // S12: first 支委会 elected 2026-11-20; diagnosed 2026-12-15 with none held.
    let b = branch();
    let c = CommitteeHistory {
        changes: vec![(Some(d("2026-11-20")), true)],
    };
    let mut m = everything(&[]);
    for mo in 1..=12 {
        if let Some(t) = m.tally.months.get_mut(&(2026, mo)) {
            t.by_kind[MeetingKind::CommitteeMeeting.index()] = 0;
        }
    }
    let l = summary(&b, &m, &c, Some("2020-01-01"), "2026-12-15");
    assert_eq!(
        l.committee,
        CommitteeWindow::Young {
            since: d("2026-11-20")
        }
    );
    // No 支委会 owed in Q1–Q3: every obligation judged was met.
    assert_eq!(l.due, l.met);
}

#[test]
fn groups_count_as_one_obligation_a_month() {
    // S13: six groups meeting quarterly, everything else held, 2025 judged as a whole.
    let b = branch_with_groups(&[1, 2, 3, 4, 5, 6]);
    let mut m = BranchMonths::default();
    for mo in 1..=12u32 {
        let day = Date::from_ymd_opt(2025, mo, 10).unwrap();
        for k in MeetingKind::ALL {
            if k == MeetingKind::GroupMeeting {
                if mo % 3 == 1 {
                    for g in 1..=6 {
                        m.tally.add(k, Some(g), day);
                    }
                }
            } else {
                m.tally.add(k, None, day);
            }
        }
    }
    // Judged after the 所属年度 window (31 March 2026), so the yearly ones count.
    let l = life_summary(
        &b,
        &m,
        &committee(Some(true)),
        Some(d("2020-01-01")),
        YearJudged {
            year: 2025,
            as_of: d("2025-12-31"),
            judged_on: d("2026-06-01"),
        },
        &book(),
    );
    // 12 theme days + 12 committee + 4 general + 4 lectures + 1 + 1 + 12 group-months.
    assert_eq!(l.due, 46);
    assert_eq!(l.met, 38);
    assert!(l.met as f64 / l.due as f64 >= 0.6);
}

#[test]
fn a_village_sums_its_branches() {
    let q = |n| Period::Quarter(2026, n);
    let part = |held_nothing: Vec<Period>| LifeSummary {
        periods: vec![q(1), q(2), q(3)],
        records_from: Some(d("2020-01-01")),
        due: 10,
        met: 5,
        quarters: vec![q(1), q(2), q(3)],
        held_nothing,
        committee: CommitteeWindow::NoCommittee,
        expected: 10,
        present: 8,
    };
    let (a, b) = (part(vec![q(2)]), part(vec![q(2), q(3)]));
    let v = LifeSummary::village(&[&a, &b], CommitteeWindow::Unknown);
    assert_eq!((v.due, v.met, v.expected), (20, 10, 20));
    assert_eq!(v.held_nothing, vec![q(2)]);
}

proptest! {
    // The score lies in 0–100, stars in 1–5, and more weight with data never shows
    // stars where a set demanding all of it would not.
    #[test]
    fn rating_is_bounded(
        met in 0i64..=60,
        extra_due in 0i64..=60,
        present in 0i64..=100,
        extra_expected in 0i64..=100,
        secretary in any::<bool>(),
        committee in any::<bool>(),
        full in 0i64..30,
        funding in proptest::option::of(0.0f64..500_000.0),
        manual in proptest::option::of(-50.0f64..150.0),
        joined_days_ago in proptest::option::of(0i64..5000),
    ) {
        let mut f = facts();
        f.subtree_life = LifeTotals {
            branches: 1,
            unrecorded: 0,
            due: met + extra_due,
            met,
            expected: present + extra_expected,
            present,
        };
        f.secretary = if secretary {
            SecretaryState::InOffice
        } else {
            SecretaryState::Vacant { since: d("2025-01-01") }
        };
        f.committee = Some(committee);
        f.subtree_full = full;
        f.funding.operating_yuan = funding;
        f.manual_scores.clear();
        if let Some(m) = manual {
            f.manual_scores.insert("WorkPerformance".into(), m);
        }
        f.recruitment = Recruitment::LastJoined(
            joined_days_ago.map(|n| f.as_of - chrono::Duration::days(n)),
        );
        let set = village();
        let r = rate(&f, &set, &book());
        let s = r.score.unwrap();
        prop_assert!((0.0..=100.0).contains(&s));
        let stars = r.stars.unwrap();
        prop_assert!((1..=5).contains(&stars));
        for i in &r.indicators {
            if let Some(x) = i.score {
                prop_assert!((0.0..=100.0).contains(&x));
            }
            prop_assert_eq!(i.score.is_some(), i.state == ScoreState::Scored);
        }
        // Raising a hand score never lowers the total.
        let mut g = f.clone();
        g.manual_scores.insert("WorkPerformance".into(), 100.0);
        prop_assert!(rate(&g, &set, &book()).score.unwrap() >= s - 1e-9 || manual.is_none());
    }
}

#[test]
fn training_hours_are_scored_on_a_finished_year_only() {
    use crate::training::Tally;
    let (set, b) = (village(), book());
    let state = |f: &OrgYearFacts| {
        let rated = rate(f, &set, &b);
        let s = score_of(&rated, "TrainingHours");
        (s.state, s.score)
    };
    // Nothing recorded: 暂无数据, not 0.
    let mut f = facts();
    assert_eq!(state(&f), (ScoreState::NoData, None));
    f.training = Some(Tally {
        members: 8,
        ..Tally::default()
    });
    assert_eq!(state(&f), (ScoreState::NoData, None));
    // 8 members, 6 done (hours recorded for 7): 75 over a finished year.
    let t = Tally {
        members: 8,
        met: 6,
        short: 2,
        leading: 2,
        leading_short: 1,
        attended: 7,
        hours: 2000,
        ..Tally::default()
    };
    f.training = Some(t);
    assert_eq!(state(&f), (ScoreState::Scored, Some(75.0)));
    let ev = score_of(&rate(&f, &set, &b), "TrainingHours")
        .evidence
        .clone();
    assert!(ev.contains("8名党员中6人学时达标"), "{ev}");
    // The same tally while the year runs: progress, never a failure.
    f.as_of = d("2026-12-15");
    assert_eq!(state(&f), (ScoreState::NoData, None));
}

#[test]
fn satisfaction_scores_the_rate_of_the_latest_closed_survey() {
    use crate::survey::{SatisfactionFacts, SurveyPeriod};
    let mut f = facts();
    f.satisfaction = Some(SatisfactionFacts {
        survey_id: 7,
        period: SurveyPeriod::Half(2026, 2),
        closed_on: d("2026-11-30"),
        responses: 30,
        issued: 50,
        ratings: 90,
        satisfied: 72,
    });
    let r = rate(&f, &village(), &book());
    let s = score_of(&r, "Satisfaction");
    assert_eq!(s.score, Some(80.0), "72 of 90 ratings satisfied");
    assert!(s.evidence.contains("满意率80.0%"), "{}", s.evidence);
    // Closed with no answer: 暂无数据, not 0.
    f.satisfaction.as_mut().unwrap().ratings = 0;
    f.satisfaction.as_mut().unwrap().satisfied = 0;
    f.satisfaction.as_mut().unwrap().responses = 0;
    let r = rate(&f, &village(), &book());
    let s = score_of(&r, "Satisfaction");
    assert_eq!(s.state, ScoreState::NoData);
    assert_eq!(s.score, None);
}
