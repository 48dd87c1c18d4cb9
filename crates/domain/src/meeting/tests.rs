use super::*;
use crate::RuleBook;

fn d(s: &str) -> Date {
    Date::parse_from_str(s, "%Y-%m-%d").unwrap()
}

pub(crate) fn meeting(kind: MeetingKind, date: &str) -> Meeting {
    Meeting {
        id: 0,
        org_id: 1,
        kind,
        also: vec![],
        for_year: None,
        election: false,
        date: d(date),
        topic: "学习".into(),
        venue: None,
        host: None,
        expected: 10,
        present: 8,
        excused: 1,
        excused_reasons: vec![],
        minutes: None,
        decisions: None,
        masses_present: None,
        central_task: false,
        members_needs: false,
        votes: false,
        full_expected: None,
        full_present: None,
    }
}

#[test]
fn kinds_round_trip_and_ledger_aliases_parse() {
    for k in MeetingKind::ALL {
        assert_eq!(MeetingKind::from_code(k.code()), Some(k));
        assert_eq!(MeetingKind::parse_label(k.label()), Some(k));
        assert_eq!(MeetingKind::parse_label(k.short_label()), Some(k));
        assert_eq!(MeetingKind::ALL[k.index()], k);
    }
    let cases = [
        ("党员大会", MeetingKind::GeneralMeeting),
        ("支部党员大会", MeetingKind::GeneralMeeting),
        ("支委会", MeetingKind::CommitteeMeeting),
        ("支部委员会会议", MeetingKind::CommitteeMeeting),
        ("党小组会", MeetingKind::GroupMeeting),
        ("党 课", MeetingKind::PartyLecture),
        ("主题党日", MeetingKind::ThemeDay),
        ("组织生活会", MeetingKind::LifeMeeting),
        ("民主评议党员", MeetingKind::DemocraticEvaluation),
        ("民主评议", MeetingKind::DemocraticEvaluation),
    ];
    for (s, k) in cases {
        assert_eq!(MeetingKind::parse_label(s), Some(k), "{s}");
    }
    assert_eq!(MeetingKind::parse_label("座谈会"), None);
}

#[test]
fn combined_labels_parse_to_sets() {
    use MeetingKind::*;
    let cases: [(&str, &[MeetingKind]); 6] = [
        ("主题党日暨党员大会", &[GeneralMeeting, ThemeDay]),
        (
            "组织生活会暨民主评议党员",
            &[LifeMeeting, DemocraticEvaluation],
        ),
        (
            "组织生活会并开展民主评议党员",
            &[LifeMeeting, DemocraticEvaluation],
        ),
        ("党员大会、党课", &[GeneralMeeting, PartyLecture]),
        ("党员大会（党课）", &[GeneralMeeting, PartyLecture]),
        ("党课", &[PartyLecture]),
    ];
    for (s, want) in cases {
        assert_eq!(MeetingKind::parse_labels(s).as_deref(), Some(want), "{s}");
    }
    assert_eq!(MeetingKind::parse_labels("主题党日暨座谈会"), None);
    assert_eq!(MeetingKind::parse_labels(""), None);
    assert_eq!(year_named_in("2025年度组织生活会"), Some(2025));
    assert_eq!(year_named_in("年度组织生活会"), None);
    assert!(names_election("支部委员会换届选举党员大会"));
}

#[test]
fn s16_election_quorum_is_four_fifths_of_the_roster() {
    let rules = RuleBook::shipped().sets()[0].clone();
    let mut m = meeting(MeetingKind::GeneralMeeting, "2026-06-20");
    m.election = true;
    m.expected = 30;
    m.present = 18;
    m.full_expected = Some(30);
    m.full_present = Some(18);
    let q = m.quorum(&rules).unwrap();
    assert_eq!((q.needed, q.ok), (25, false), "more than 24 of 30");
    m.full_present = Some(25);
    assert!(m.quorum(&rules).unwrap().ok);
    // S16b: an ordinary vote, 14 of a roster of 30 present.
    let mut v = meeting(MeetingKind::GeneralMeeting, "2026-06-20");
    v.votes = true;
    v.full_expected = Some(30);
    v.full_present = Some(14);
    assert_eq!(v.quorum(&rules).unwrap().needed, 16);
    assert!(!v.quorum(&rules).unwrap().ok);
    // A 所属年度 outside the window is refused.
    let mut y = meeting(MeetingKind::LifeMeeting, "2026-04-02");
    y.for_year = Some(2025);
    assert!(y.check_year(&rules).is_some());
    y.date = d("2026-03-31");
    assert!(y.check_year(&rules).is_none());
    y.for_year = Some(2027);
    assert!(y.check_year(&rules).is_some());
}

#[test]
fn checks_name_each_problem() {
    let today = d("2026-09-15");
    let m = meeting(MeetingKind::ThemeDay, "2026-09-15");
    assert!(m.check(OrgKind::Branch, "甲支部", today).is_empty());
    let mut bad = meeting(MeetingKind::ThemeDay, "2026-09-16");
    bad.present = 10;
    bad.excused = 1;
    bad.topic = " ".into();
    let errs = bad.check(OrgKind::Branch, "甲支部", today);
    assert!(errs.contains(&MeetingError::InFuture(d("2026-09-16"))));
    assert!(errs.contains(&MeetingError::NoTopic));
    assert!(errs
        .iter()
        .any(|e| matches!(e, MeetingError::TooMany { .. })));
    let mut long = meeting(MeetingKind::ThemeDay, "2026-09-01");
    long.topic = "长".repeat(TOPIC_MAX + 1);
    assert_eq!(
        long.check(OrgKind::Branch, "甲支部", today),
        vec![MeetingError::TopicTooLong(TOPIC_MAX + 1)]
    );
    let mut wordy = meeting(MeetingKind::ThemeDay, "2026-09-01");
    wordy.minutes = Some("记".repeat(crate::text::MINUTES.max + 1));
    wordy.excused_reasons = vec!["病假".into(), "事".repeat(2_001)];
    let errs = wordy.check(OrgKind::Branch, "甲支部", today);
    assert_eq!(
        errs.iter().map(|e| e.to_string()).collect::<Vec<_>>(),
        vec![
            "「会议记录」过长（20001字，最多20000字）",
            "「请假事由」过长（2001字，最多2000字）"
        ]
    );
    let g = meeting(MeetingKind::GroupMeeting, "2026-09-01");
    let errs = g.check(OrgKind::Branch, "甲支部", today);
    assert!(matches!(errs[0], MeetingError::GroupOnly { .. }));
    assert!(errs[0].to_string().contains("党小组"));
    let b = meeting(MeetingKind::GeneralMeeting, "2026-09-01");
    assert!(matches!(
        b.check(OrgKind::Group, "第一党小组", today)[0],
        MeetingError::BranchOnly { .. }
    ));
    assert!(g.check(OrgKind::Group, "第一党小组", today).is_empty());
}

#[test]
fn each_refusal_names_the_field_it_is_about() {
    let today = d("2026-09-15");
    let mut bad = meeting(MeetingKind::GroupMeeting, "2026-09-16");
    bad.topic = " ".into();
    bad.present = 10;
    bad.minutes = Some("记".repeat(crate::text::MINUTES.max + 1));
    let fields: Vec<Option<Field>> = bad
        .check(OrgKind::Branch, "甲支部", today)
        .iter()
        .map(MeetingError::field)
        .collect();
    assert_eq!(
        fields,
        vec![
            Some(Field::Date),
            Some(Field::Topic),
            None,
            Some(Field::Attendance),
            Some(Field::Kind)
        ]
    );
}

#[test]
fn quorum_needs_more_than_half() {
    let rules = RuleBook::shipped().sets()[0].clone();
    let mut m = meeting(MeetingKind::GeneralMeeting, "2026-09-01");
    assert_eq!(m.quorum(&rules), None, "no vote, no quorum to judge");
    m.votes = true;
    m.expected = 10;
    m.present = 5;
    let q = m.quorum(&rules).unwrap();
    assert_eq!(
        (q.needed, q.ok),
        (6, false),
        "exactly half is not more than half"
    );
    m.present = 6;
    assert!(m.quorum(&rules).unwrap().ok);
    m.expected = 9;
    m.present = 5;
    assert_eq!(m.quorum(&rules).unwrap().needed, 5);
    assert!(m.quorum(&rules).unwrap().ok);
    // Voting members counted apart from probationary ones.
    m.full_expected = Some(8);
    m.full_present = Some(4);
    assert!(!m.quorum(&rules).unwrap().ok);
    let mut c = meeting(MeetingKind::CommitteeMeeting, "2026-09-01");
    c.votes = true;
    assert_eq!(c.quorum(&rules), None);
    assert_eq!(m.attendance_rate(), Some(5.0 / 9.0));
    assert_eq!(attendance_rate(0, 0), None);
}
