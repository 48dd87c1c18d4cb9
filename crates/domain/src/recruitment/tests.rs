use super::*;
use crate::RuleBook;

fn d(s: &str) -> Date {
    s.parse().unwrap()
}

fn step(kind: StepKind, on: &str) -> StepRecord {
    StepRecord::new(kind, d(on))
}

fn vote(due: u32, present: u32, yes: u32) -> Vote {
    Vote {
        due,
        present,
        yes,
        no: present - yes,
        abstain: 0,
        written: 0,
        secret: Some(true),
    }
}

fn full(name: &str, since: &str) -> Sponsor {
    Sponsor {
        member_id: Some(name.len() as i64),
        name: name.into(),
        full_on: Some(d(since)),
        on_roster: true,
    }
}

/// A way walked by the book, 2023–2025: no violation.
fn clean() -> Vec<StepRecord> {
    use StepKind::*;
    let mut sponsors = step(SponsorsNamed, "2024-04-01");
    sponsors.sponsors = vec![full("甲", "2010-01-01"), full("乙乙", "2012-01-01")];
    let mut training = step(CandidateTraining, "2024-05-10");
    training.training = Some(Training {
        days: Some(3),
        hours: Some(24.0),
    });
    let mut branch = step(BranchVote, "2024-07-01");
    branch.vote = Some(vote(20, 18, 17));
    let mut conf = step(ConfirmationVote, "2025-07-02");
    conf.vote = Some(vote(21, 19, 19));
    vec![
        step(Apply, "2023-01-05"),
        step(Talk, "2023-01-20"),
        step(ActivistNamed, "2023-03-01"),
        step(ContactsAssigned, "2023-03-01"),
        step(ActivistAssessed, "2023-08-30"),
        step(ActivistAssessed, "2024-02-20"),
        step(CandidateNamed, "2024-03-15"),
        sponsors,
        step(PoliticalReview, "2024-04-20"),
        training,
        step(CommitteeReview, "2024-06-01"),
        step(PreReview, "2024-06-10"),
        step(FormFilled, "2024-06-20"),
        branch,
        step(Approved, "2024-08-15"),
        step(Oath, "2024-09-01"),
        step(ConfirmationApplied, "2025-06-25"),
        conf,
        step(Confirmed, "2025-08-01"),
    ]
}

fn born() -> Option<Date> {
    Some(d("2000-05-05"))
}

fn rules_of(p: &Progress) -> Vec<&'static str> {
    p.violations.iter().map(|v| v.rule).collect()
}

#[test]
fn a_way_by_the_book_has_no_violation_and_ends_full() {
    let book = RuleBook::shipped();
    let p = judge(
        &book,
        &WorkCalendar::shipped(),
        born(),
        &clean(),
        d("2025-12-31"),
    );
    assert_eq!(p.violations, vec![]);
    assert_eq!(p.stage, RecruitStage::Full);
    assert_eq!(p.admitted_on, Some(d("2024-08-15")));
    assert_eq!(p.probation_ends, Some(d("2025-07-01")));
    assert_eq!(p.next, None);
}

#[test]
fn each_step_is_checked_in_order_by_the_clean_way() {
    let book = RuleBook::shipped();
    let way = clean();
    for i in 0..way.len() {
        check_step(&book, born(), &way[..i], &way[i])
            .unwrap_or_else(|e| panic!("{:?}: {e}", way[i].kind));
    }
}

#[test]
fn the_planted_violations_are_named_and_nothing_else() {
    use StepKind::*;
    let book = RuleBook::shipped();
    let cal = WorkCalendar::shipped();
    let as_of = d("2026-12-01");
    // A talk five weeks after the application.
    let late_talk = vec![step(Apply, "2026-01-05"), step(Talk, "2026-02-09")];
    assert_eq!(
        rules_of(&judge(&book, &cal, born(), &late_talk, as_of)),
        ["talk_within_months"]
    );
    // A candidate named ten months after becoming an activist.
    let early = vec![
        step(Apply, "2024-01-05"),
        step(Talk, "2024-01-20"),
        step(ActivistNamed, "2024-03-01"),
        step(ContactsAssigned, "2024-03-01"),
        step(CandidateNamed, "2025-01-01"),
    ];
    assert_eq!(
        rules_of(&judge(&book, &cal, born(), &early, as_of)),
        ["activist_min_years_before_candidate"]
    );
    // Training of 16 学时.
    let mut w = clean();
    w.iter_mut()
        .find(|s| s.kind == CandidateTraining)
        .unwrap()
        .training = Some(Training {
        days: None,
        hours: Some(16.0),
    });
    assert_eq!(
        rules_of(&judge(&book, &cal, born(), &w, as_of)),
        ["candidate_training_min_hours"]
    );
    // 赞成 exactly half of 应到.
    let mut w = clean();
    w.iter_mut().find(|s| s.kind == BranchVote).unwrap().vote = Some(vote(20, 18, 10));
    assert_eq!(
        rules_of(&judge(&book, &cal, born(), &w, as_of)),
        ["vote_majority"]
    );
    // Confirmation approved four months after the branch meeting.
    let mut w = clean();
    w.iter_mut().find(|s| s.kind == Confirmed).unwrap().on = d("2025-11-03");
    assert_eq!(
        rules_of(&judge(&book, &cal, born(), &w, as_of)),
        ["confirmation_within_months"]
    );
}

#[test]
fn the_2026_revision_asks_five_working_days_of_notice_and_a_secret_ballot() {
    use StepKind::*;
    let book = RuleBook::shipped();
    let cal = WorkCalendar::shipped();
    let at = |on: &str, from: &str, to: &str, secret| {
        let mut w: Vec<StepRecord> = clean()
            .into_iter()
            .filter(|s| s.kind.number() < 15)
            .collect();
        let mut b = step(BranchVote, on);
        b.vote = Some(Vote {
            secret: Some(secret),
            ..vote(20, 18, 17)
        });
        b.notice = Some(Notice {
            from: d(from),
            to: d(to),
        });
        w.push(b);
        rules_of(&judge(&book, &cal, born(), &w, d("2026-12-01")))
    };
    // 2026: Mon 03-02 to Wed 03-04 is three working days.
    assert_eq!(
        at("2026-03-10", "2026-03-02", "2026-03-04", true),
        ["notice_min_working_days"]
    );
    // Five working days over a weekend: Thu 03-05 to Wed 03-11.
    assert_eq!(
        at("2026-03-12", "2026-03-05", "2026-03-11", true),
        Vec::<&str>::new()
    );
    // Over 国庆 the holidays do not count: 09-29 to 10-08 is three working days
    // (09-29, 09-30, 10-08).
    assert_eq!(
        at("2026-10-10", "2026-09-29", "2026-10-08", true),
        ["notice_min_working_days"]
    );
    // Not by secret ballot.
    assert_eq!(
        at("2026-03-12", "2026-03-05", "2026-03-11", false),
        ["secret_ballot"]
    );
    // The same three days in 2025 break no rule: the 2019 set asks no length.
    assert_eq!(
        at("2025-03-10", "2025-03-03", "2025-03-05", false),
        Vec::<&str>::new()
    );
}

#[test]
fn the_next_due_step_carries_the_rules_day() {
    use StepKind::*;
    let book = RuleBook::shipped();
    let cal = WorkCalendar::shipped();
    let next = |w: &[StepRecord], on: &str| judge(&book, &cal, born(), w, d(on)).next.unwrap();
    let w = clean();
    let upto = |n: i64| -> Vec<StepRecord> {
        w.iter().filter(|s| s.kind.number() <= n).cloned().collect()
    };
    let n = next(&upto(1), "2023-01-10");
    assert_eq!(
        (n.step, n.deadline, n.overdue),
        (Talk, Some(d("2023-02-05")), false)
    );
    assert!(next(&upto(1), "2023-03-01").overdue);
    // An activist: the next assessment while assessments are recorded…
    let n = next(&upto(6), "2024-03-01");
    assert_eq!((n.step, n.deadline), (CandidateNamed, None));
    assert_eq!(n.not_before, Some(d("2024-03-01")));
    // …and without any, 确定发展对象 from a year after.
    let plain: Vec<_> = upto(5)
        .into_iter()
        .filter(|s| s.kind != ActivistAssessed)
        .collect();
    assert_eq!(next(&plain, "2023-06-01").not_before, Some(d("2024-03-01")));
    let n = next(&upto(15), "2024-07-05");
    assert_eq!((n.step, n.deadline), (Approved, Some(d("2024-10-01"))));
    let n = next(&upto(20), "2025-01-01");
    assert_eq!(
        (n.step, n.deadline),
        (ConfirmationApplied, Some(d("2025-07-01")))
    );
    let n = next(&upto(23), "2025-07-03");
    assert_eq!((n.step, n.deadline), (Confirmed, Some(d("2025-10-02"))));
    // Steps dated after the day are not seen.
    assert_eq!(next(&w, "2023-01-10").step, Talk);
}

#[test]
fn refusals_say_why_and_name_the_field() {
    use StepKind::*;
    let book = RuleBook::shipped();
    let w = clean();
    let upto = |n: i64| -> Vec<StepRecord> {
        w.iter().filter(|s| s.kind.number() <= n).cloned().collect()
    };
    // Out of order.
    let e = check_step(&book, born(), &upto(2), &step(CandidateNamed, "2024-03-15")).unwrap_err();
    assert_eq!(e.field, "step");
    assert!(e.message.contains("请先记录「⑤ 指定培养联系人」"), "{e}");
    // Before the previous step's date.
    let e = check_step(&book, born(), &upto(2), &step(ActivistNamed, "2023-01-10")).unwrap_err();
    assert_eq!(e.field, "on");
    // A sponsor who is not (yet) a full member.
    let mut s = step(SponsorsNamed, "2024-04-01");
    s.sponsors = vec![full("甲", "2010-01-01"), full("丙", "2024-05-01")];
    let e = check_step(&book, born(), &upto(8), &s).unwrap_err();
    assert_eq!((e.field, e.message.contains("丙")), ("sponsors", true));
    s.sponsors.pop();
    assert!(check_step(&book, born(), &upto(8), &s)
        .unwrap_err()
        .message
        .contains("2名"));
    // A vote whose 赞成 is exactly half.
    let mut b = step(BranchVote, "2024-07-01");
    b.vote = Some(vote(20, 18, 10));
    let e = check_step(&book, born(), &upto(14), &b).unwrap_err();
    assert!(
        e.message.contains("未超过") && e.message.contains("支部大会未通过接收"),
        "{e}"
    );
    // Counts that cannot be.
    b.vote = Some(Vote {
        yes: 19,
        ..vote(20, 18, 17)
    });
    assert_eq!(
        check_step(&book, born(), &upto(14), &b).unwrap_err().field,
        "vote"
    );
    // A failed vote, then again too soon.
    let mut failed = upto(14);
    failed.push(step(VoteFailed, "2024-07-01"));
    b.vote = Some(vote(20, 18, 17));
    b.on = d("2024-10-01");
    assert!(check_step(&book, born(), &failed, &b)
        .unwrap_err()
        .message
        .contains("2025-01-01"));
    b.on = d("2025-01-02");
    check_step(&book, born(), &failed, &b).unwrap();
    // An applicant under 18.
    let e = check_step(
        &book,
        Some(d("2010-01-01")),
        &[],
        &step(Apply, "2026-01-01"),
    )
    .unwrap_err();
    assert!(e.message.contains("18"));
    // After a withdrawal nothing more.
    let mut gone = upto(3);
    gone.push(step(Withdrawn, "2023-04-01"));
    assert!(check_step(&book, born(), &gone, &step(ContactsAssigned, "2023-05-01")).is_err());
    assert_eq!(
        judge(
            &book,
            &WorkCalendar::shipped(),
            born(),
            &gone,
            d("2024-01-01")
        )
        .next,
        None
    );
}

#[test]
fn probation_extends_at_most_a_year() {
    use StepKind::*;
    let book = RuleBook::shipped();
    let w: Vec<StepRecord> = clean()
        .into_iter()
        .filter(|s| s.kind.number() <= 20)
        .collect();
    let mut ext = step(ProbationExtended, "2025-07-02");
    ext.until = Some(d("2026-08-01"));
    assert_eq!(
        check_step(&book, born(), &w, &ext).unwrap_err().field,
        "until"
    );
    ext.until = Some(d("2026-01-01"));
    check_step(&book, born(), &w, &ext).unwrap();
    let mut w2 = w.clone();
    w2.push(ext);
    let p = judge(
        &book,
        &WorkCalendar::shipped(),
        born(),
        &w2,
        d("2025-08-01"),
    );
    assert_eq!(p.probation_ends, Some(d("2026-01-01")));
    assert_eq!(p.stage, RecruitStage::Probationary);
}

#[test]
fn steps_round_trip_by_number_and_the_key_list_matches_the_places() {
    for k in StepKind::all() {
        assert_eq!(StepKind::from_number(k.number()), Some(k));
        assert_eq!(StepKind::parse(k.label()), Some(k));
    }
    assert_eq!(StepKind::parse("⑮"), Some(StepKind::BranchVote));
    // An empty step names nothing (the events have no circled number).
    assert_eq!(StepKind::parse(""), None);
    assert_eq!(StepKind::parse("  "), None);
    let keys: Vec<_> = StepKind::STEPS
        .into_iter()
        .filter(|k| k.place() == Place::Key)
        .collect();
    assert_eq!(keys, judge::KEY_STEPS.to_vec());
}

#[test]
fn a_ledger_that_cannot_be_true_is_named() {
    use StepKind::*;
    let w = vec![step(Apply, "2024-03-01"), step(Talk, "2024-02-01")];
    let e = check::check_ledger(&w);
    assert_eq!(e.len(), 1);
    assert_eq!(e[0].0, Talk);
}

#[test]
fn the_form_offers_the_steps_the_way_allows() {
    use StepKind::*;
    let book = RuleBook::shipped();
    let w: Vec<StepRecord> = clean()
        .into_iter()
        .filter(|s| s.kind.number() <= 13)
        .collect();
    assert_eq!(
        check::allowed(&book, &w),
        vec![FormFilled, BranchVote, Withdrawn, VoteFailed]
    );
    assert_eq!(check::allowed(&book, &[]), vec![Apply, Withdrawn]);
}
