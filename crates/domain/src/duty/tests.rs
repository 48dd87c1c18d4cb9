use super::*;

fn d(s: &str) -> Date {
    s.parse().unwrap()
}

fn votes(good: i64, fairly_good: i64, average: i64, poor: i64) -> Votes {
    Votes {
        good,
        fairly_good,
        average,
        poor,
    }
}

fn draft() -> DutyDraft {
    DutyDraft {
        year: Some(2026),
        person: "张书记".into(),
        position: "党支部书记".into(),
        on: Some(d("2026-12-03")),
        meeting: "乡镇党委述职评议会".into(),
        report: "全年开展主题党日12次".into(),
        votes: votes(20, 8, 2, 0),
        problems: vec![
            ProblemDraft {
                description: "发展党员工作滞后".into(),
                owner: "张书记".into(),
                deadline: Some(d("2027-03-31")),
            },
            ProblemDraft::default(),
        ],
        ..DutyDraft::new(DutyKind::Duty)
    }
}

#[test]
fn the_grade_follows_the_average_and_the_share_of_poor() {
    let r = DutyRules::default();
    assert_eq!(r.grade(&votes(0, 0, 0, 0)), None);
    // (20×100 + 8×80 + 2×60) / 30 = 92
    assert_eq!(r.score(&votes(20, 8, 2, 0)), Some(92.0));
    assert_eq!(r.grade(&votes(20, 8, 2, 0)), Some(Grade::Good));
    // (10×100 + 10×80 + 10×60) / 30 = 80
    assert_eq!(r.grade(&votes(10, 10, 10, 0)), Some(Grade::FairlyGood));
    // 60 exactly is 一般; just under is 差.
    assert_eq!(r.grade(&votes(0, 0, 1, 0)), Some(Grade::Average));
    assert_eq!(r.grade(&votes(0, 1, 2, 1)), Some(Grade::Poor));
    // A third of 差 is still judged by the average; more than a third is 差.
    assert_eq!(r.grade(&votes(2, 0, 0, 1)), Some(Grade::Average));
    assert_eq!(r.grade(&votes(6, 0, 0, 4)), Some(Grade::Poor));
    assert_eq!(r.points_of(Grade::FairlyGood), 80.0);
}

#[test]
fn a_duty_report_is_checked_graded_and_its_blank_lines_skipped() {
    let c = check(&draft(), &DutyRules::default(), d("2026-12-05")).unwrap();
    assert_eq!(c.grade, Some(Grade::Good));
    assert_eq!(c.year, 2026);
    assert_eq!(c.problems.len(), 1);
    assert_eq!(DutyKind::parse("述职述廉"), Some(DutyKind::Integrity));
    assert_eq!(Grade::parse("较好"), Some(Grade::FairlyGood));
    // Heard early the next year.
    let next = DutyDraft {
        on: Some(d("2027-01-15")),
        ..draft()
    };
    assert_eq!(
        check(&next, &DutyRules::default(), d("2027-02-01"))
            .unwrap()
            .year,
        2026
    );
}

#[test]
fn each_refusal_names_its_part() {
    let today = d("2026-12-05");
    let with = |f: &dyn Fn(&mut DutyDraft)| {
        let mut x = draft();
        f(&mut x);
        check(&x, &DutyRules::default(), today).unwrap_err()
    };
    assert_eq!(with(&|x| x.on = Some(d("2026-12-06"))).field(), "on");
    assert_eq!(with(&|x| x.year = Some(2024)).field(), "year");
    assert_eq!(with(&|x| x.year = None).field(), "year");
    assert_eq!(with(&|x| x.person = " ".into()).field(), "person");
    assert_eq!(with(&|x| x.position.clear()).field(), "position");
    assert_eq!(with(&|x| x.meeting.clear()).field(), "meeting");
    assert_eq!(with(&|x| x.report.clear()).field(), "report");
    let e = with(&|x| x.votes = Votes::default());
    assert_eq!(e.field(), "votes");
    assert!(e.to_string().contains("好、较好、一般、差"), "{e}");
    assert_eq!(with(&|x| x.votes.poor = -1).field(), "votes");
    let e = with(&|x| x.problems[0].deadline = Some(d("2026-12-01")));
    assert_eq!(
        e.to_string(),
        "第1个问题：整改时限2026-12-01早于述职日期2026-12-03"
    );
}

#[test]
fn an_integrity_report_may_go_ungraded_and_an_audit_is_never_graded() {
    let rules = DutyRules::default();
    let today = d("2026-12-05");
    let integrity = DutyDraft {
        kind: DutyKind::Integrity,
        votes: Votes::default(),
        ..draft()
    };
    assert_eq!(check(&integrity, &rules, today).unwrap().grade, None);
    let audit = DutyDraft {
        year: None,
        person: "李主任".into(),
        position: "村委会主任".into(),
        meeting: "县审计局".into(),
        from: Some(d("2021-01-10")),
        to: Some(d("2026-10-31")),
        report: "村集体资金往来账目清楚".into(),
        votes: Votes::default(),
        ..DutyDraft {
            kind: DutyKind::Departure,
            ..draft()
        }
    };
    let c = check(&audit, &rules, today).unwrap();
    assert_eq!((c.year, c.grade), (2026, None));
    let bad = |f: &dyn Fn(&mut DutyDraft)| {
        let mut x = audit.clone();
        f(&mut x);
        check(&x, &rules, today).unwrap_err().field()
    };
    assert_eq!(bad(&|x| x.to = Some(d("2026-12-04"))), "period");
    assert_eq!(bad(&|x| x.from = Some(d("2026-11-01"))), "period");
    assert_eq!(bad(&|x| x.from = None), "period");
    assert_eq!(bad(&|x| x.votes.good = 3), "votes");
}

#[test]
fn the_rule_reads_as_the_page_prints_it() {
    let t = DutyRules::default().describe();
    assert!(
        t.starts_with("好、较好、一般、差分别计100、80、60、0分取平均，90分以上为好")
            && t.contains("“差”票超过三分之一的定为差")
            && t.ends_with("扣10分"),
        "{t}"
    );
}

#[test]
fn a_department_s_grading_is_checked_and_grades_by_its_numbers() {
    let shipped = DutyRules::default();
    let g = DutyGrading {
        good_min: 95.0,
        fairly_good_min: 80.0,
        average_min: 65.0,
        poor_share_max: 0.25,
    };
    assert_eq!(g.check(), Ok(()));
    let dept = g.apply(&shipped, "组织部门设定".into());
    assert_eq!(dept.points, shipped.points);
    assert_eq!(dept.overdue_problem_points, shipped.overdue_problem_points);
    assert_eq!(DutyGrading::of(&dept), g);
    // Nine 好 and one 较好: 98 is 好 by both.
    let v = Votes {
        good: 9,
        fairly_good: 1,
        ..Votes::default()
    };
    assert_eq!(
        (shipped.grade(&v), dept.grade(&v)),
        (Some(Grade::Good), Some(Grade::Good))
    );
    // Seven 好, three 较好: 94 is 好 by the shipped rule, 较好 by the department's.
    let v = Votes {
        good: 7,
        fairly_good: 3,
        ..Votes::default()
    };
    assert_eq!(shipped.grade(&v), Some(Grade::Good));
    assert_eq!(dept.grade(&v), Some(Grade::FairlyGood));
    // Three 差 of ten: not over a third, over a quarter.
    let v = Votes {
        good: 7,
        poor: 3,
        ..Votes::default()
    };
    assert_ne!(shipped.grade(&v), Some(Grade::Poor));
    assert_eq!(dept.grade(&v), Some(Grade::Poor));
    assert!(
        dept.describe().contains("95分以上为好"),
        "{}",
        dept.describe()
    );
    assert!(
        dept.describe().contains("超过25%的定为差"),
        "{}",
        dept.describe()
    );

    let bad = |g: DutyGrading| g.check().unwrap_err();
    assert!(bad(DutyGrading {
        good_min: 101.0,
        ..g
    })
    .contains("0到100之间"));
    assert!(bad(DutyGrading {
        fairly_good_min: 95.0,
        ..g
    })
    .contains("好高于较好"));
    assert!(bad(DutyGrading {
        average_min: 90.0,
        ..g
    })
    .contains("较好高于一般"));
    assert!(bad(DutyGrading {
        poor_share_max: 0.0,
        ..g
    })
    .contains("大于0%"));
    assert!(bad(DutyGrading {
        poor_share_max: 1.5,
        ..g
    })
    .contains("150%"));
    assert!(bad(DutyGrading {
        good_min: f64::NAN,
        ..g
    })
    .contains("0到100之间"));
}
