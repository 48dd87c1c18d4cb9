use super::*;
use proptest::prelude::*;

fn d(s: &str) -> Date {
    Date::parse_from_str(s, "%Y-%m-%d").unwrap()
}

/// Judged on a day after every span (all closed).
fn judge_later(b: &BranchFacts, t: &Tally, p: Period, book: &RuleBook) -> Compliance {
    judge(b, t, p, book, d("2100-01-01"))
}

/// The meetings held: (kind, group, day).
fn held(meetings: &[(MeetingKind, Option<i64>, &str)]) -> Tally {
    let mut t = Tally::default();
    for (kind, group, day) in meetings {
        t.add(*kind, *group, d(day));
    }
    t
}

/// A branch founded in 2000 with its records from then, and `groups`.
pub(crate) fn branch(has_committee: bool, groups: &[i64]) -> BranchFacts {
    BranchFacts {
        branch_id: 1,
        committee: CommitteeHistory::always(Some(has_committee)),
        founded_on: Some(d("2000-01-01")),
        dissolved_on: None,
        records_from: Some(d("2000-01-01")),
        temporary: false,
        groups: groups
            .iter()
            .map(|g| GroupFacts {
                group_id: *g,
                founded_on: None,
                dissolved_on: None,
            })
            .collect(),
    }
}

fn book() -> RuleBook {
    RuleBook::shipped()
}

/// Every kind held once in every month of 2025–2027 (group meetings by each group).
fn everything(groups: &[i64]) -> Tally {
    let mut t = Tally::default();
    for y in 2025..=2027 {
        for m in 1..=12 {
            let day = Date::from_ymd_opt(y, m, 15).unwrap();
            for k in MeetingKind::ALL {
                if k == MeetingKind::GroupMeeting {
                    for g in groups {
                        t.add(k, Some(*g), day);
                    }
                } else {
                    t.add(k, None, day);
                }
            }
        }
    }
    t
}

#[test]
fn a_month_judges_only_monthly_obligations() {
    let b = branch(true, &[7, 8]);
    let c = judge_later(&b, &Tally::default(), Period::Month(2026, 9), &book());
    let kinds: Vec<(MeetingKind, Option<i64>)> =
        c.obligations.iter().map(|o| (o.kind, o.group)).collect();
    assert_eq!(
        kinds,
        vec![
            (MeetingKind::CommitteeMeeting, None),
            (MeetingKind::GroupMeeting, Some(7)),
            (MeetingKind::GroupMeeting, Some(8)),
            (MeetingKind::ThemeDay, None),
        ]
    );
    assert!(c.held_nothing());
    assert!(!c.compliant());
}

#[test]
fn a_quarter_judges_each_month_and_the_quarter() {
    let b = branch(false, &[]);
    // Two theme days in July, none in August, one in September; a general meeting
    // on the quarter's first day; a party lecture the day after the quarter.
    let t = held(&[
        (MeetingKind::ThemeDay, None, "2026-07-01"),
        (MeetingKind::ThemeDay, None, "2026-07-20"),
        (MeetingKind::ThemeDay, None, "2026-09-30"),
        (MeetingKind::GeneralMeeting, None, "2026-07-01"),
        (MeetingKind::PartyLecture, None, "2026-10-01"),
        (MeetingKind::PartyLecture, None, "2026-06-30"),
    ]);
    let c = judge_later(&b, &t, Period::Quarter(2026, 3), &book());
    assert_eq!(
        c.obligations.len(),
        3 + 1 + 1,
        "3 theme days, general meeting, lecture"
    );
    assert_eq!(c.held_total, 4);
    let missing = c.missing();
    assert_eq!(missing.len(), 2);
    assert_eq!(
        (missing[0].kind, missing[0].due, missing[0].held),
        (MeetingKind::PartyLecture, 1, 0)
    );
    assert_eq!(
        (
            missing[1].kind,
            missing[1].due,
            missing[1].held,
            missing[1].spans.clone()
        ),
        (MeetingKind::ThemeDay, 3, 2, vec![Period::Month(2026, 8)])
    );
    // Without a committee, no committee meetings are due.
    assert!(c
        .obligations
        .iter()
        .all(|o| o.kind != MeetingKind::CommitteeMeeting));
}

#[test]
fn a_year_judges_months_quarters_and_the_year() {
    let b = branch(true, &[3]);
    let c = judge_later(&b, &Tally::default(), Period::Year(2026), &book());
    let count = |k| c.obligations.iter().filter(|o| o.kind == k).count();
    assert_eq!(count(MeetingKind::ThemeDay), 12);
    assert_eq!(count(MeetingKind::CommitteeMeeting), 12);
    assert_eq!(count(MeetingKind::GroupMeeting), 12);
    assert_eq!(count(MeetingKind::GeneralMeeting), 4);
    assert_eq!(count(MeetingKind::PartyLecture), 4);
    assert_eq!(count(MeetingKind::LifeMeeting), 1);
    assert_eq!(count(MeetingKind::DemocraticEvaluation), 1);
    assert!(judge_later(&b, &everything(&[3]), Period::Year(2026), &book()).compliant());
}

#[test]
fn orgs_owe_only_spans_they_existed_throughout() {
    let mut b = branch(false, &[5, 6]);
    b.founded_on = Some(d("2026-08-20"));
    b.groups[1].dissolved_on = Some(d("2026-09-30"));
    let c = judge_later(&b, &Tally::default(), Period::Quarter(2026, 3), &book());
    // Only September is owed (one whole month of the quarter is less than the rule's
    // two, so the quarter is not); group 6, dissolved on September's last day, existed
    // that day and owes September (review S17: the old reading let it off).
    let got: Vec<(MeetingKind, Option<i64>, Period)> = c
        .obligations
        .iter()
        .map(|o| (o.kind, o.group, o.span))
        .collect();
    assert_eq!(
        got,
        vec![
            (MeetingKind::GroupMeeting, Some(5), Period::Month(2026, 9)),
            (MeetingKind::GroupMeeting, Some(6), Period::Month(2026, 9)),
            (MeetingKind::ThemeDay, None, Period::Month(2026, 9)),
        ]
    );
    b.founded_on = Some(d("2026-10-01"));
    assert!(!judge_later(&b, &Tally::default(), Period::Quarter(2026, 3), &book()).judged());
}

#[test]
fn each_span_is_judged_by_the_rules_in_force_on_its_last_day() {
    let base = RuleBook::shipped().sets()[0].clone();
    let mut later = base.clone();
    later.id = "2026-09".into();
    later.effective_from = d("2026-09-30");
    later.meetings.theme_day_per_month = 2;
    let book = RuleBook::new(vec![base, later]);
    let c = judge_later(
        &branch(false, &[]),
        &Tally::default(),
        Period::Quarter(2026, 3),
        &book,
    );
    let dues: Vec<i64> = c
        .obligations
        .iter()
        .filter(|o| o.kind == MeetingKind::ThemeDay)
        .map(|o| o.due)
        .collect();
    assert_eq!(dues, vec![1, 1, 2]);
}

#[test]
fn open_on_lists_this_month_quarter_and_year() {
    let b = branch(false, &[]);
    let t = held(&[
        (MeetingKind::ThemeDay, None, "2026-08-03"),
        (MeetingKind::GeneralMeeting, None, "2026-07-03"),
        (MeetingKind::LifeMeeting, None, "2026-01-15"),
    ]);
    let open: Vec<(MeetingKind, Period)> = open_on(&b, &t, d("2026-08-10"), &book())
        .into_iter()
        .map(|o| (o.kind, o.span))
        .collect();
    assert_eq!(
        open,
        vec![
            (MeetingKind::PartyLecture, Period::Quarter(2026, 3)),
            (MeetingKind::DemocraticEvaluation, Period::Year(2026)),
        ]
    );
}

#[test]
fn s1_a_running_year_is_open_not_failed() {
    // S1: on 2026-07-05 a branch that held everything due from January to June.
    let b = branch(true, &[3]);
    let mut t = Tally::default();
    for m in 1..=6 {
        let day = Date::from_ymd_opt(2026, m, 10).unwrap();
        for k in [
            MeetingKind::ThemeDay,
            MeetingKind::CommitteeMeeting,
            MeetingKind::GeneralMeeting,
            MeetingKind::PartyLecture,
        ] {
            t.add(k, None, day);
        }
        t.add(MeetingKind::GroupMeeting, Some(3), day);
    }
    let today = d("2026-07-05");
    let c = judge(&b, &t, Period::Year(2026), &book(), today);
    assert!(c.compliant(), "{:?}", c.missing());
    assert!(c.missing().is_empty());
    let open: Vec<(MeetingKind, Period, Date)> = c
        .open()
        .map(|o| (o.kind, o.span, o.due_by))
        .filter(|o| o.0 != MeetingKind::ThemeDay || o.1 == Period::Month(2026, 7))
        .collect();
    assert!(open.contains(&(
        MeetingKind::ThemeDay,
        Period::Month(2026, 7),
        d("2026-07-31")
    )));
    assert!(open.contains(&(
        MeetingKind::LifeMeeting,
        Period::Year(2026),
        d("2027-03-31")
    )));
    assert_eq!(
        judged_through(Period::Year(2026), today),
        Some(d("2026-06-30"))
    );
    // The month just begun: nothing closed, nothing judged, nothing failed.
    let m = judge(&b, &t, Period::Month(2026, 7), &book(), today);
    assert!(!m.judged() && !m.compliant() && m.missing().is_empty());
    assert_eq!(m.open().count(), 3);
    assert_eq!(
        judged_through(Period::Month(2026, 7), d("2026-07-01")),
        None
    );
}

#[test]
fn s12_committee_owed_from_the_month_it_existed() {
    // S12: first 支委会 elected 2026-11-20; before that nobody recorded anything.
    let mut b = branch(false, &[]);
    b.committee = CommitteeHistory {
        changes: vec![(Some(d("2026-11-20")), true)],
    };
    let c = judge_later(&b, &Tally::default(), Period::Year(2026), &book());
    let committee: Vec<(Period, State)> = c
        .obligations
        .iter()
        .filter(|o| o.kind == MeetingKind::CommitteeMeeting)
        .map(|o| (o.span, o.state))
        .collect();
    assert_eq!(committee.len(), 12);
    assert_eq!(committee[10], (Period::Month(2026, 11), State::Closed));
    assert_eq!(committee[11], (Period::Month(2026, 12), State::Closed));
    assert!(committee[..10]
        .iter()
        .all(|(_, s)| *s == State::NoData(NoData::CommitteeUnknown)));
    let short = c
        .missing()
        .into_iter()
        .find(|s| s.kind == MeetingKind::CommitteeMeeting)
        .unwrap();
    assert_eq!((short.due, short.held), (2, 0));
    // A committee stated absent until then owes nothing before November.
    b.committee.changes.insert(0, (None, false));
    let c = judge_later(&b, &Tally::default(), Period::Year(2026), &book());
    assert_eq!(
        c.obligations
            .iter()
            .filter(|o| o.kind == MeetingKind::CommitteeMeeting)
            .count(),
        2
    );
}

#[test]
fn s17_partial_spans_owe_by_rule() {
    // Founded 2026-01-02: no January, but Q1 (two whole months) and the year.
    let mut b = branch(false, &[]);
    b.founded_on = Some(d("2026-01-02"));
    let c = judge_later(&b, &Tally::default(), Period::Year(2026), &book());
    let spans = |k: MeetingKind| -> Vec<Period> {
        c.obligations
            .iter()
            .filter(|o| o.kind == k)
            .map(|o| o.span)
            .collect()
    };
    assert_eq!(spans(MeetingKind::ThemeDay).len(), 11);
    assert!(!spans(MeetingKind::ThemeDay).contains(&Period::Month(2026, 1)));
    assert_eq!(spans(MeetingKind::GeneralMeeting).len(), 4);
    assert_eq!(spans(MeetingKind::LifeMeeting), vec![Period::Year(2026)]);
    // Dissolved 2026-12-31: owes December, Q4 and the year.
    let mut b = branch(false, &[]);
    b.dissolved_on = Some(d("2026-12-31"));
    let c = judge_later(&b, &Tally::default(), Period::Year(2026), &book());
    assert_eq!(
        c.obligations
            .iter()
            .filter(|o| o.kind == MeetingKind::ThemeDay)
            .count(),
        12
    );
    assert!(c
        .obligations
        .iter()
        .any(|o| o.span == Period::Quarter(2026, 4)));
    assert!(c
        .obligations
        .iter()
        .any(|o| o.kind == MeetingKind::LifeMeeting));
    // Founded 2026-08-20: owes no 2026 yearly items (four whole months < six).
    let mut b = branch(false, &[]);
    b.founded_on = Some(d("2026-08-20"));
    let c = judge_later(&b, &Tally::default(), Period::Year(2026), &book());
    assert!(!c
        .obligations
        .iter()
        .any(|o| o.kind == MeetingKind::LifeMeeting));
}

#[test]
fn s18_a_temporary_branch_owes_nothing() {
    let mut b = branch(true, &[1]);
    b.temporary = true;
    let c = judge_later(&b, &Tally::default(), Period::Year(2026), &book());
    assert!(c.temporary && !c.judged() && c.obligations.is_empty());
    assert!(open_on(&b, &Tally::default(), d("2026-07-05"), &book()).is_empty());
}

#[test]
fn s22_a_ledger_older_than_the_rules_is_not_judged_by_them() {
    // 2017: before the earliest set (2019-01-01). Held nothing, yet nothing fails.
    let mut b = branch(true, &[]);
    b.records_from = Some(d("2017-01-01"));
    let c = judge_later(&b, &Tally::default(), Period::Year(2017), &book());
    assert!(c.missing().is_empty(), "{:?}", c.missing());
    assert!(c.no_data().all(|(_, r)| r == NoData::BeforeRules));
    assert!(c.no_data().count() > 0);
    // 2019 is judged by the 2019 set.
    let mut b = branch(true, &[]);
    b.records_from = Some(d("2019-01-01"));
    let c = judge_later(&b, &Tally::default(), Period::Year(2019), &book());
    assert!(!c.missing().is_empty());
}

#[test]
fn s24_no_records_is_no_data_not_held_nothing() {
    let mut b = branch(true, &[]);
    b.records_from = None;
    let c = judge_later(&b, &Tally::default(), Period::Year(2026), &book());
    assert!(!c.judged() && !c.held_nothing() && c.missing().is_empty());
    assert!(c.no_data().all(|(_, r)| r == NoData::NoRecords));
    // Records from July: the first half and the year are 暂无数据, the rest judged.
    b.records_from = Some(d("2026-07-01"));
    let c = judge_later(&b, &Tally::default(), Period::Year(2026), &book());
    let themes: Vec<State> = c
        .obligations
        .iter()
        .filter(|o| o.kind == MeetingKind::ThemeDay)
        .map(|o| o.state)
        .collect();
    assert_eq!(themes[5], State::NoData(NoData::BeforeRecords));
    assert_eq!(themes[6], State::Closed);
    assert!(c
        .obligations
        .iter()
        .filter(|o| o.kind == MeetingKind::LifeMeeting)
        .all(|o| o.state == State::NoData(NoData::BeforeRecords)));
    assert!(c.held_nothing(), "judged months with nothing held");
}

#[test]
fn s9_one_meeting_serves_several_obligations() {
    let b = branch(false, &[]);
    let mut t = Tally::default();
    let kinds = MeetingKind::parse_labels("主题党日暨党员大会").unwrap();
    t.add_meeting(&kinds, None, d("2026-03-15"), None);
    t.add(MeetingKind::ThemeDay, None, d("2026-01-15"));
    t.add(MeetingKind::ThemeDay, None, d("2026-02-15"));
    t.add_meeting(
        &MeetingKind::parse_labels("党员大会（党课）").unwrap(),
        None,
        d("2026-02-20"),
        None,
    );
    let c = judge_later(&b, &t, Period::Quarter(2026, 1), &book());
    assert!(c.compliant(), "{:?}", c.missing());
    assert_eq!(c.held_total, 4, "each meeting once");
}

#[test]
fn s10_a_yearly_session_belongs_to_its_year() {
    let b = branch(false, &[]);
    let mut t = Tally::default();
    let both = [MeetingKind::LifeMeeting, MeetingKind::DemocraticEvaluation];
    // 2025年度 held 2026-01-20; 2026年度 held 2026-12-28.
    t.add_meeting(&both, None, d("2026-01-20"), Some(2025));
    t.add_meeting(&both, None, d("2026-12-28"), None);
    let yearly = |c: &Compliance| -> Vec<(MeetingKind, i64, State)> {
        c.obligations
            .iter()
            .filter(|o| o.span == Period::Year(c.period.first_day().year()))
            .filter(|o| both.contains(&o.kind))
            .map(|o| (o.kind, o.held, o.state))
            .collect()
    };
    let y25 = judge(&b, &t, Period::Year(2025), &book(), d("2026-02-01"));
    assert_eq!(
        yearly(&y25),
        vec![
            (MeetingKind::LifeMeeting, 1, State::Open),
            (MeetingKind::DemocraticEvaluation, 1, State::Open)
        ]
    );
    // Before the session: open (待办) until 2026-03-31, not missing.
    let before = judge(&b, &t, Period::Year(2025), &book(), d("2026-01-10"));
    assert_eq!(before.open().filter(|o| both.contains(&o.kind)).count(), 0);
    let empty = judge(
        &b,
        &Tally::default(),
        Period::Year(2025),
        &book(),
        d("2026-01-10"),
    );
    assert_eq!(empty.open().filter(|o| both.contains(&o.kind)).count(), 2);
    assert!(empty.missing().iter().all(|s| !both.contains(&s.kind)));
    let y26 = judge(&b, &t, Period::Year(2026), &book(), d("2027-04-01"));
    assert_eq!(
        yearly(&y26),
        vec![
            (MeetingKind::LifeMeeting, 1, State::Closed),
            (MeetingKind::DemocraticEvaluation, 1, State::Closed)
        ]
    );
    // 本年度待办 in January 2026 lists 2025's yearly items until held.
    let todo = open_on(&b, &Tally::default(), d("2026-01-10"), &book());
    assert!(todo
        .iter()
        .any(|o| o.span == Period::Year(2025) && o.kind == MeetingKind::LifeMeeting));
    let todo = open_on(&b, &t, d("2026-01-25"), &book());
    assert!(!todo.iter().any(|o| o.span == Period::Year(2025)));
}

#[test]
fn s20_a_local_rule_two_lectures_a_year() {
    let mut set = RuleBook::shipped().sets()[0].clone();
    set.meetings.cadences.insert(
        MeetingKind::PartyLecture,
        crate::rules::CadenceRule {
            span: Cadence::Yearly,
            count: 2,
        },
    );
    let book = RuleBook::new(vec![set]);
    let b = branch(false, &[]);
    let t = held(&[
        (MeetingKind::PartyLecture, None, "2026-03-20"),
        (MeetingKind::PartyLecture, None, "2026-09-18"),
    ]);
    let c = judge(&b, &t, Period::Year(2026), &book, d("2027-06-01"));
    let lectures: Vec<&Obligation> = c
        .obligations
        .iter()
        .filter(|o| o.kind == MeetingKind::PartyLecture)
        .collect();
    assert_eq!(lectures.len(), 1);
    assert_eq!(
        (lectures[0].span, lectures[0].due, lectures[0].held),
        (Period::Year(2026), 2, 2)
    );
    assert!(!c
        .missing()
        .iter()
        .any(|s| s.kind == MeetingKind::PartyLecture));
    // And none judged on a quarter.
    let q = judge(&b, &t, Period::Quarter(2026, 2), &book, d("2027-06-01"));
    assert!(!q
        .obligations
        .iter()
        .any(|o| o.kind == MeetingKind::PartyLecture));
}

fn arb_day() -> impl Strategy<Value = Date> {
    (0i64..(4 * 366)).prop_map(|x| d("2024-12-01") + chrono::Days::new(x as u64))
}

fn arb_period() -> impl Strategy<Value = Period> {
    prop_oneof![
        (2025i32..=2027, 1u32..=12).prop_map(|(y, m)| Period::Month(y, m)),
        (2025i32..=2027, 1u32..=4).prop_map(|(y, q)| Period::Quarter(y, q)),
        (2025i32..=2027).prop_map(Period::Year),
    ]
}

fn arb_meeting() -> impl Strategy<Value = (MeetingKind, Option<i64>, Date)> {
    (0usize..7, 0i64..3, 0i64..(3 * 366)).prop_map(|(k, g, day)| {
        let kind = MeetingKind::ALL[k];
        let date = d("2025-01-01") + chrono::Days::new(day as u64);
        let group = (kind == MeetingKind::GroupMeeting).then_some(g);
        (kind, group, date)
    })
}

fn arb_branch() -> impl Strategy<Value = BranchFacts> {
    (any::<bool>(), 0usize..3, proptest::option::of(0i64..1000)).prop_map(|(c, n, founded)| {
        let mut b = branch(c, &(0..n as i64).collect::<Vec<_>>());
        b.founded_on = founded.map(|x| d("2024-06-01") + chrono::Days::new(x as u64));
        b
    })
}

fn tally(ms: &[(MeetingKind, Option<i64>, Date)]) -> Tally {
    let mut t = Tally::default();
    for (k, g, day) in ms {
        t.add(*k, *g, *day);
    }
    t
}

proptest! {
    // Holding one more meeting never makes a compliant branch non-compliant, and
    // never lowers what any obligation counts as held.
    #[test]
    fn adding_a_meeting_never_hurts(
        b in arb_branch(),
        ms in proptest::collection::vec(arb_meeting(), 0..60),
        extra in arb_meeting(),
        p in arb_period(),
    ) {
        let book = book();
        let before = judge_later(&b, &tally(&ms), p, &book);
        let mut more = ms.clone();
        more.push(extra);
        let after = judge_later(&b, &tally(&more), p, &book);
        prop_assert_eq!(before.obligations.len(), after.obligations.len());
        for (x, y) in before.obligations.iter().zip(&after.obligations) {
            prop_assert!(y.held >= x.held);
        }
        if before.compliant() {
            prop_assert!(after.compliant());
        }
        prop_assert!(after.held_total >= before.held_total);
    }

    // No judgement of a running span ever reports a shortfall: whatever the day
    // asked, every obligation whose due-by day has not passed is open, and nothing
    // open is missing, failed or counted in the rates.
    #[test]
    fn a_running_span_is_never_a_shortfall(
        b in arb_branch(),
        ms in proptest::collection::vec(arb_meeting(), 0..60),
        p in arb_period(),
        today in arb_day(),
    ) {
        let c = judge(&b, &tally(&ms), p, &book(), today);
        for o in &c.obligations {
            if o.due_by >= today {
                prop_assert!(!o.short(), "{:?}", o);
                prop_assert!(o.state != State::Closed);
            }
        }
        for s in c.missing() {
            for span in s.spans {
                prop_assert!(span.last_day() < today);
            }
        }
        if c.obligations.iter().all(|o| o.due_by >= today) {
            prop_assert!(!c.judged() && !c.held_nothing() && !c.compliant());
        }
        for o in open_on(&b, &tally(&ms), today, &book()) {
            prop_assert!(o.due_by >= today && !o.short());
        }
    }

    // A branch that holds every kind every month (each group too) complies in any period.
    #[test]
    fn holding_everything_every_month_complies(b in arb_branch(), p in arb_period()) {
        let groups: Vec<i64> = b.groups.iter().map(|g| g.group_id).collect();
        let c = judge_later(&b, &everything(&groups), p, &book());
        prop_assert!(!c.judged() || c.compliant(), "{:?}", c.missing());
        prop_assert!(!c.held_nothing());
    }

    // Meetings outside the period change nothing.
    #[test]
    fn only_the_period_counts(
        b in arb_branch(),
        ms in proptest::collection::vec(arb_meeting(), 0..60),
        p in arb_period(),
    ) {
        let inside: Vec<_> = ms.iter().copied().filter(|m| p.contains(m.2)).collect();
        let book = book();
        prop_assert_eq!(judge_later(&b, &tally(&ms), p, &book), judge_later(&b, &tally(&inside), p, &book));
    }

    // A year's obligations are exactly its months' monthly ones, its quarters'
    // quarterly ones and its own yearly ones: judging is consistent across periods.
    #[test]
    fn periods_nest(
        b in arb_branch(),
        ms in proptest::collection::vec(arb_meeting(), 0..80),
        y in 2025i32..=2027,
    ) {
        let book = book();
        let t = tally(&ms);
        let year = judge_later(&b, &t, Period::Year(y), &book);
        let mut parts: Vec<Obligation> = Vec::new();
        for q in 1..=4 {
            let quarter = judge_later(&b, &t, Period::Quarter(y, q), &book);
            let mut from_months = Vec::new();
            for m in Period::Quarter(y, q).months() {
                from_months.extend(judge_later(&b, &t, m, &book).obligations);
            }
            let monthly: Vec<Obligation> = quarter
                .obligations
                .iter()
                .filter(|o| o.kind.cadence() == Cadence::Monthly)
                .cloned()
                .collect();
            from_months.sort_by_key(|a| (a.kind, a.group, a.span));
            prop_assert_eq!(&monthly, &from_months);
            parts.extend(quarter.obligations);
        }
        parts.extend(
            year.obligations.iter().filter(|o| o.kind.cadence() == Cadence::Yearly).cloned(),
        );
        parts.sort_by_key(|a| (a.kind, a.group, a.span));
        prop_assert_eq!(year.obligations, parts);
    }
}
