//! Organizational life read faithfully (issue 12, rules review): the dated example
//! branches of the review in the life area (S1, S9, S10, S12, S16, S17, S18, S20, S24),
//! each on SQLite and PostgreSQL through the township of the fixtures.

mod common;

use common::*;
use jiceng_app::access::{Actor, Role};
use jiceng_app::import::{self, ImportOptions, NoProgress};
use jiceng_app::meetings::{self, NewMeeting};
use jiceng_domain::{AttendanceStatus, Cadence, MeetingKind, Period, RuleBook};
use jiceng_store::testing::TestDb;
use jiceng_store::{contract_test, Scope};

/// A ledger row: org, kind label, date, topic, and the optional 所属年度.
type Row<'a> = (&'a str, &'a str, &'a str, &'a str, &'a str);

/// Writes a ledger; `masses` adds the optional 群众参与人数 column (3 each).
fn ledger(dir: &Dir, name: &str, rows: &[Row<'_>], masses: bool) -> std::path::PathBuf {
    let p = dir.file(name);
    // The ledger's first eight columns (to 主持人), then 所属年度 (and the masses).
    let mut header = LEDGER_HEADER[..8].to_vec();
    header.push("所属年度");
    if masses {
        header.push("群众参与人数");
    }
    let rows: Vec<Option<Vec<C>>> = rows
        .iter()
        .map(|(org, kind, date, topic, year)| {
            let mut r = ledger_row(org, kind, s(date), topic, [3.0, 3.0, 0.0], 0.0, "");
            r.truncate(8);
            r.push(s(year));
            if masses {
                r.push(C::N(3.0));
            }
            Some(r)
        })
        .collect();
    xlsx(&p, "三会一课台账", &header, &rows);
    p
}

async fn import_ledger(app: &jiceng_app::App, file: &std::path::Path, org: Option<&str>) {
    let o = ImportOptions {
        org: match org {
            Some(k) => Some(sys_org(app, k).await),
            None => None,
        },
        ..Default::default()
    };
    let r = import::meetings::run(app, file, &o, &NoProgress)
        .await
        .unwrap();
    assert!(r.errors.is_empty(), "{:?}", r.errors);
}

/// The township (without units) in an app whose today is `day`; the folder of its files.
async fn township_on(db: &TestDb, day: &str, label: &str) -> (jiceng_app::App, Dir) {
    let app = on(db, day);
    let dir = Dir::new(label);
    load_township(&app, &dir, false).await;
    (app, dir)
}

/// A 党员大会 on `date` that the members `present` attended.
fn general_meeting(date: &str, topic: &str, present: &[i64]) -> NewMeeting {
    NewMeeting {
        kind: Some(MeetingKind::GeneralMeeting),
        date: Some(d(date)),
        topic: topic.into(),
        attendees: present
            .iter()
            .map(|id| (*id, AttendanceStatus::Present, None))
            .collect(),
        ..Default::default()
    }
}

fn secretary(app_org: i64, path: &str) -> Actor {
    Actor::for_test(9, "secretary", Role::Secretary).at(app_org, path)
}

/// 本年度待办 of the branch `code` on `day`, as its own secretary asks (by its id).
async fn due_for_its_secretary(app: &jiceng_app::App, code: &str, day: &str) -> meetings::Due {
    let branch = app.resolve_org(&Scope::All, code).await.unwrap();
    let sec = secretary(branch.org.id, &branch.path);
    let org = common::org(app, &sec, &branch.org.id.to_string())
        .await
        .unwrap();
    meetings::due(app, &org, d(day)).await.unwrap()
}

contract_test!(
    s1_the_current_year_on_july_5th_is_open_not_failed,
    |db: TestDb| async move {
        let (app, dir) = township_on(&db, "2026-07-05", "s1").await;
        // 镇机关党支部 (T005) held every theme day January–June and its Q1 and Q2
        // general meetings and lectures.
        let mut rows: Vec<(String, String, String, String)> = Vec::new();
        for m in 1..=6 {
            rows.push((
                "T005".into(),
                "主题党日".into(),
                format!("2026-{m:02}-10"),
                format!("{m}月主题党日"),
            ));
        }
        for q in [2, 5] {
            rows.push((
                "T005".into(),
                "党员大会".into(),
                format!("2026-{q:02}-12"),
                format!("{q}月党员大会"),
            ));
            rows.push((
                "T005".into(),
                "党课".into(),
                format!("2026-{q:02}-13"),
                format!("{q}月党课"),
            ));
        }
        let rows: Vec<Row<'_>> = rows
            .iter()
            .map(|(a, b, c, e)| (a.as_str(), b.as_str(), c.as_str(), e.as_str(), ""))
            .collect();
        import_ledger(&app, &ledger(&dir, "s1.xlsx", &rows, true), None).await;

        let r = compliance_of(&app, &Actor::system(), "T005", Period::Year(2026)).await;
        assert_eq!((r.branches, r.compliant, r.rate), (1, 1, Some(1.0)));
        assert!(r.noncompliant.is_empty(), "{:?}", r.noncompliant);
        assert_eq!(r.judged_through, Some(d("2026-06-30")));
        assert!(r.judged_note.contains("2026年6月30日"), "{}", r.judged_note);
        let pending: Vec<(&str, String)> = r.pending[0]
            .items
            .iter()
            .map(|i| (i.kind, i.span.to_string()))
            .collect();
        for want in [
            ("ThemeDay", "2026-07"),
            ("GeneralMeeting", "2026Q3"),
            ("LifeMeeting", "2026"),
            ("DemocraticEvaluation", "2026"),
        ] {
            assert!(
                pending.contains(&(want.0, want.1.to_string())),
                "{want:?} in {pending:?}"
            );
        }
        // The current month on its 5th: nothing judged, nothing failed.
        let m = compliance_of(&app, &Actor::system(), "T001", Period::Month(2026, 7)).await;
        assert_eq!((m.branches, m.compliant, m.rate), (0, 0, None));
        assert!(m.noncompliant.is_empty() && m.held_nothing.is_empty());
        // The stored summaries count closed spans only, and say how far.
        jiceng_app::refresh_life_summaries(&app).await.unwrap();
        let t001 = org_id(&app, "T001").await;
        let mut c = db.store.acquire().await.unwrap();
        let sums = jiceng_store::meetings::summaries(&mut c, Period::Year(2026), &[t001])
            .await
            .unwrap();
        drop(c);
        assert_eq!(sums.len(), 1);
        assert_eq!(sums[0].judged_through, Some(d("2026-06-30")));
        assert_eq!((sums[0].branches, sums[0].compliant), (1, 1));
    }
);

contract_test!(
    s9_s10_s24_combined_labels_prior_year_sessions_and_records_start,
    |db: TestDb| async move {
        let mut app = app(&db);
        let dir = Dir::new("s9");
        load_township(&app, &dir, false).await;
        app.fixed_today = Some(d("2026-04-10"));
        let rows: [Row<'_>; 5] = [
            ("T005", "主题党日", "2026-01-08", "一月主题党日", ""),
            ("T005", "主题党日", "2026-02-08", "二月主题党日", ""),
            (
                "T005",
                "主题党日暨党员大会",
                "2026-03-15",
                "主题党日暨第一季度党员大会",
                "",
            ),
            ("T005", "党员大会（党课）", "2026-03-20", "书记讲党课", ""),
            (
                "T005",
                "组织生活会暨民主评议党员",
                "2026-01-20",
                "2025年度组织生活会暨民主评议党员",
                "",
            ),
        ];
        // The township's ledger (--org T001) without the 群众参与人数 column.
        import_ledger(&app, &ledger(&dir, "s9.xlsx", &rows, false), Some("T001")).await;
        let sys = Actor::system();
        let (list, _) = meetings::list(&app, &sys, &Default::default(), 1, 10)
            .await
            .unwrap();
        assert_eq!(list.len(), 5);
        assert!(list.iter().all(|m| m.masses_present.is_none()), "not 0");
        let combined = list.iter().find(|m| m.date == d("2026-03-15")).unwrap();
        assert_eq!(combined.kinds, vec!["GeneralMeeting", "ThemeDay"]);
        let annual = list.iter().find(|m| m.date == d("2026-01-20")).unwrap();
        assert_eq!(annual.for_year, 2025);

        // S9: Q1 2026 judged on 2026-04-10: the combined session is the quarter's
        // general meeting and March's theme day.
        let q1 = compliance_of(&app, &sys, "T005", Period::Quarter(2026, 1)).await;
        assert_eq!((q1.branches, q1.compliant), (1, 1), "{:?}", q1.noncompliant);
        // S24: the township's ledger covers its branches from January: those with no row
        // held nothing (a real shortfall), while before January nothing is judged.
        let town = compliance_of(&app, &sys, "T001", Period::Quarter(2026, 1)).await;
        let mut nothing: Vec<&str> = town.held_nothing.iter().map(|o| o.code.as_str()).collect();
        nothing.sort();
        assert_eq!(nothing, vec!["T002", "T004", "T006"]);
        let q4 = compliance_of(&app, &sys, "T001", Period::Quarter(2025, 4)).await;
        assert_eq!((q4.branches, q4.compliant), (0, 0));
        assert!(q4.held_nothing.is_empty());
        assert!(q4
            .no_data
            .iter()
            .all(|n| n.reasons.contains(&"台账起始日前".to_string())));
        // S10: the 2025年度 session held in January counts for 2025, not 2026.
        let y25 = compliance_of(&app, &sys, "T005", Period::Year(2025)).await;
        assert!(y25
            .noncompliant
            .iter()
            .all(|n| n.missing.iter().all(|m| m.kind != "LifeMeeting")));
        let yearly: Vec<(&str, i64, i64)> = y25
            .calendar
            .iter()
            .filter(|c| c.span == Period::Year(2025))
            .map(|c| (c.kind, c.due, c.met))
            .collect();
        assert_eq!(
            yearly,
            vec![("LifeMeeting", 1, 1), ("DemocraticEvaluation", 1, 1)]
        );
        // 本年度待办 in April 2026 still lists 2026's own yearly sessions.
        let due = due_for_its_secretary(&app, "T005", "2026-04-10").await;
        let yearly: Vec<(&str, String)> = due
            .items
            .iter()
            .filter(|i| matches!(i.span, Period::Year(_)))
            .map(|i| (i.kind, i.span.to_string()))
            .collect();
        assert_eq!(
            yearly,
            vec![
                ("LifeMeeting", "2026".to_string()),
                ("DemocraticEvaluation", "2026".to_string())
            ]
        );
        // Re-importing the same ledger adds nothing (the key of a combined meeting holds).
        import_ledger(&app, &ledger(&dir, "s9b.xlsx", &rows, false), Some("T001")).await;
        let (_, total) = meetings::list(&app, &sys, &Default::default(), 1, 10)
            .await
            .unwrap();
        assert_eq!(total, 5);
    }
);

contract_test!(
    s12_a_committee_elected_in_november_owes_from_november,
    |db: TestDb| async move {
        let (app, _dir) = township_on(&db, "2027-01-05", "s12").await;
        let t005 = org_id(&app, "T005").await;
        let id = 900_001;
        let mut tx = app.store().begin().await.unwrap();
        jiceng_store::history::add(
            &mut tx,
            id,
            t005,
            &jiceng_domain::OrgEvent {
                kind: jiceng_domain::EventKind::CommitteeSet,
                on: Some(d("2026-11-20")),
                until: None,
            },
            None,
        )
        .await
        .unwrap();
        jiceng_store::meetings::lower_records_from(&mut tx, &[t005], d("2026-01-01"))
            .await
            .unwrap();
        tx.commit().await.unwrap();
        let r = compliance_of(&app, &Actor::system(), "T005", Period::Year(2026)).await;
        let committee: Vec<(i64, i64)> = r
            .noncompliant
            .iter()
            .flat_map(|n| n.missing.iter())
            .filter(|m| m.kind == "CommitteeMeeting")
            .map(|m| (m.due, m.held))
            .collect();
        assert_eq!(committee, vec![(2, 0)], "November and December only");
        // The org roster said 否 (dated by its 最近换届日期, 2024-03-01): before 20 November
        // no 支委会 was owed, and nothing about it is unknown either.
        assert!(r
            .no_data
            .iter()
            .flat_map(|n| n.reasons.iter())
            .all(|x| !x.contains("是否设立支委会未登记")));
    }
);

contract_test!(
    s16_election_quorum_counts_the_roster_of_the_day,
    |db: TestDb| async move {
        let app = app(&db);
        let dir = Dir::new("s16");
        load_township(&app, &dir, false).await;
        let t002 = app.resolve_org(&Scope::All, "T002").await.unwrap();
        let sec = secretary(t002.org.id, &t002.path);
        let grant = sec.grant::<jiceng_app::access::RecordLife>().unwrap();
        let t002_in = common::org(&app, &sec, "T002").await.unwrap();
        let mut c = db.store.acquire().await.unwrap();
        let roster = jiceng_store::members::of_orgs(&mut c, &[t002.org.id])
            .await
            .unwrap();
        drop(c);
        assert_eq!(roster.len(), 8, "7 full, 1 probationary");
        let full: Vec<i64> = roster
            .iter()
            .filter(|m| m.status == jiceng_domain::MemberStatus::Full)
            .map(|m| m.id)
            .collect();
        // S16: an election with 5 of 7 voting members present: 4/5 needs 6.
        let election = general_meeting("2026-06-20", "支部委员会换届选举党员大会", &full[..5]);
        let rec = meetings::record(&app, &grant, &t002_in, &election)
            .await
            .unwrap();
        let q = rec.quorum.unwrap();
        assert_eq!((q.voting, q.present, q.needed, q.ok), (7, 5, 6, false));
        // S16b: an ordinary vote recorded by picking only the 3 who came: the base is
        // still the 7 voting members, so 3 is not more than half.
        let vote = NewMeeting {
            votes: true,
            ..general_meeting("2026-06-25", "推选优秀党员", &full[..3])
        };
        let rec = meetings::record(&app, &grant, &t002_in, &vote)
            .await
            .unwrap();
        let q = rec.quorum.unwrap();
        assert_eq!((q.voting, q.present, q.needed, q.ok), (7, 3, 4, false));
    }
);

contract_test!(
    s17_s18_partial_spans_and_a_temporary_branch,
    |db: TestDb| async move {
        let (app, _dir) = township_on(&db, "2027-04-02", "s17").await;
        exec(
            &app,
            "UPDATE org SET founded_on = '2026-01-02' WHERE code = 'T004'",
        )
        .await;
        exec(
            &app,
            "UPDATE org SET dissolved_on = '2026-12-31' WHERE code = 'T002'",
        )
        .await;
        exec(&app, "UPDATE org SET temporary = 1 WHERE code = 'T006'").await;
        exec(&app, "UPDATE org SET records_from = '2025-01-01'").await;
        let r = compliance_of(&app, &Actor::system(), "T001", Period::Year(2026)).await;
        let missing = |code: &str, kind: &str| -> Option<i64> {
            r.noncompliant
                .iter()
                .find(|n| n.org.code == code)
                .and_then(|n| n.missing.iter().find(|m| m.kind == kind))
                .map(|m| m.due)
        };
        // Founded 2 January: no January, but every quarter and the year.
        assert_eq!(missing("T004", "ThemeDay"), Some(11));
        assert_eq!(missing("T004", "GeneralMeeting"), Some(4));
        assert_eq!(missing("T004", "LifeMeeting"), Some(1));
        // Dissolved 31 December: owes December, Q4 and the year.
        assert_eq!(missing("T002", "ThemeDay"), Some(12));
        assert_eq!(missing("T002", "LifeMeeting"), Some(1));
        // 临时党支部: not judged, named as such.
        assert!(r.noncompliant.iter().all(|n| n.org.code != "T006"));
        assert!(r.no_data.iter().all(|n| n.org.code != "T006"));
        assert_eq!(
            r.temporary
                .iter()
                .map(|o| o.code.as_str())
                .collect::<Vec<_>>(),
            vec!["T006"]
        );
        let due = due_for_its_secretary(&app, "T006", "2027-04-02").await;
        assert!(due.items.is_empty());
        assert_eq!(due.notes, vec!["临时党支部，不按常设支部考核".to_string()]);
    }
);

contract_test!(
    s20_a_province_whose_rule_is_two_lectures_a_year,
    |db: TestDb| async move {
        let mut app = app(&db);
        // After the 所属年度 window of 2026 (which a yearly lecture has too).
        app.fixed_today = Some(d("2027-04-02"));
        let mut set = RuleBook::shipped().sets()[0].clone();
        set.meetings.cadences.insert(
            MeetingKind::PartyLecture,
            jiceng_domain::rules::CadenceRule {
                span: Cadence::Yearly,
                count: 2,
            },
        );
        app.rules = RuleBook::new(vec![set]);
        let dir = Dir::new("s20");
        load_township(&app, &dir, false).await;
        let rows: [Row<'_>; 2] = [
            ("T005", "党课", "2026-03-20", "上半年党课", ""),
            ("T005", "党课", "2026-09-18", "下半年党课", ""),
        ];
        import_ledger(&app, &ledger(&dir, "s20.xlsx", &rows, true), None).await;
        let r = compliance_of(&app, &Actor::system(), "T005", Period::Year(2026)).await;
        assert!(r
            .noncompliant
            .iter()
            .all(|n| n.missing.iter().all(|m| m.kind != "PartyLecture")));
        let lecture: Vec<(String, i64, i64)> = r
            .calendar
            .iter()
            .filter(|c| c.kind == "PartyLecture")
            .map(|c| (c.span.to_string(), c.due, c.met))
            .collect();
        assert_eq!(lecture, vec![("2026".to_string(), 1, 1)]);
        // A ledger naming a year outside the window is refused with the reason.
        let late: [Row<'_>; 1] = [("T005", "组织生活会", "2026-05-10", "补开", "2025")];
        let o = ImportOptions::default();
        let rep = import::meetings::run(
            &app,
            &ledger(&dir, "late.xlsx", &late, true),
            &o,
            &NoProgress,
        )
        .await
        .unwrap();
        assert!(
            rep.errors
                .iter()
                .any(|e| format!("{e:?}").contains("所属年度")),
            "{:?}",
            rep.errors
        );
    }
);
