//! Organizational life on the township of the fixtures, on SQLite and PostgreSQL: a
//! quarter's meeting ledger (written as another tool would, with dates on both sides of
//! the quarter's edges) imported, and the compliance report checked against the hand
//! computation in the comments exactly.

mod common;

use common::*;
use jiceng_app::access::{Actor, Role};
use jiceng_app::import::{self, ImportOptions, NoProgress};
use jiceng_app::meetings::{self, NewMeeting};
use jiceng_app::reports::compliance::{self, ComplianceReport};
use jiceng_domain::{AttendanceStatus, MeetingKind, Period};
use jiceng_store::testing::TestDb;
use jiceng_store::{contract_test, Scope};
use std::collections::BTreeMap;

fn opts() -> ImportOptions {
    ImportOptions::default()
}

/// Two groups under 东村 (the second set up on 2026-08-15) and 北村党支部 with a committee.
fn extra_orgs(dir: &Dir) -> std::path::PathBuf {
    let p = dir.file("组织补充.xlsx");
    let row = |name: &str, kind: &str, parent: &str, founded: &str, committee: &str, code: &str| {
        Some(vec![
            s(name),
            s(kind),
            s(parent),
            s("农村"),
            s(""),
            s(founded),
            s(""),
            s(committee),
            s(code),
        ])
    };
    xlsx(
        &p,
        "补充",
        &ORG_HEADER,
        &[
            row(
                "东村第一党小组",
                "党小组",
                "东村党支部",
                "2016.1.1",
                "",
                "T007",
            ),
            row("东村第二党小组", "党小组", "T002", "2026.8.15", "", "T008"),
            row(
                "北村党支部",
                "党支部",
                "测试镇党委",
                "2012.3.1",
                "是",
                "T009",
            ),
        ],
    );
    p
}

async fn load(app: &jiceng_app::App, dir: &Dir) {
    let (orgs, members, _) = township(dir);
    let r = import::orgs::run(app, &orgs, &opts(), &NoProgress)
        .await
        .unwrap();
    assert!(r.errors.is_empty(), "{:?}", r.errors);
    let r = import::orgs::run(app, &extra_orgs(dir), &opts(), &NoProgress)
        .await
        .unwrap();
    assert!(r.errors.is_empty(), "{:?}", r.errors);
    assert_eq!(r.written, 3);
    let r = import::members::run(app, &members, &opts(), &NoProgress)
        .await
        .unwrap();
    assert!(r.errors.is_empty(), "{:?}", r.errors);
}

/// A ledger row: expected, present and excused as `epx`, one of the masses, `votes` as typed.
fn m(org: &str, kind: &str, date: C, topic: &str, epx: [f64; 3], votes: &str) -> Option<Vec<C>> {
    Some(ledger_row(org, kind, date, topic, epx, 1.0, votes))
}

/// The quarter's ledger (rows 3…; row numbers as the spreadsheet shows them).
fn ledger_rows() -> Vec<Option<Vec<C>>> {
    vec![
        // 东村党支部 (T002; no committee; groups T007 and T008 from 2026-08-15)
        m(
            "东村党支部",
            "主题党日",
            s("2026-06-30"),
            "六月主题党日",
            [8.0, 8.0, 0.0],
            "",
        ), // outside Q3
        m(
            "东村党支部",
            "主题党日",
            C::D(2026, 7, 1),
            "七一主题党日",
            [8.0, 7.0, 1.0],
            "",
        ),
        m(
            "东村党支部",
            "主题党日",
            s("2026.8.12"),
            "八月主题党日",
            [8.0, 6.0, 2.0],
            "",
        ),
        m(
            "东村党支部",
            "主题党日",
            s("2026年9月30日"),
            "九月主题党日",
            [8.0, 8.0, 0.0],
            "",
        ),
        // votes with 4 of 8 present: exactly half, no quorum
        m(
            "T002",
            "党员大会",
            C::D(2026, 7, 1),
            "选举支部书记",
            [8.0, 4.0, 2.0],
            "是",
        ),
        m(
            "东村党支部",
            "党课",
            s("20261001"),
            "国庆党课",
            [8.0, 8.0, 0.0],
            "",
        ), // outside Q3
        m(
            "东村第一党小组",
            "党小组会",
            s("2026-07-15"),
            "学习",
            [4.0, 4.0, 0.0],
            "",
        ),
        m(
            "东村党支部/东村第一党小组",
            "党小组会",
            s("2026-08-15"),
            "学习",
            [4.0, 3.0, 1.0],
            "",
        ),
        m(
            "东村第二党小组",
            "党小组会",
            s("2026-09-03"),
            "学习",
            [4.0, 4.0, 0.0],
            "",
        ),
        // 西村第一党支部 (T004): only outside the quarter
        m(
            "西村第一党支部",
            "主题党日",
            s("2026-06-30"),
            "六月主题党日",
            [2.0, 2.0, 0.0],
            "",
        ),
        m(
            "西村第一党支部",
            "支部党员大会",
            s("2026-10-01"),
            "十月党员大会",
            [2.0, 2.0, 0.0],
            "",
        ),
        // 镇机关党支部 (T005): everything
        m(
            "镇机关党支部",
            "主题党日活动",
            C::D(2026, 7, 1),
            "七月主题党日",
            [3.0, 3.0, 0.0],
            "",
        ),
        m(
            "镇机关党支部",
            "主题党日",
            s("2026-08-01"),
            "八月主题党日",
            [3.0, 2.0, 1.0],
            "",
        ),
        m(
            "镇机关党支部",
            "主题党日",
            s("2026-09-30"),
            "九月主题党日",
            [3.0, 3.0, 0.0],
            "",
        ),
        m(
            "T005",
            "支部党员大会",
            s("2026-09-30"),
            "三季度党员大会",
            [3.0, 3.0, 0.0],
            "是",
        ),
        m(
            "T005",
            "党课",
            s("2026-08-20"),
            "专题党课",
            [3.0, 3.0, 0.0],
            "",
        ),
        // 南村党支部 (T006): two theme days in July, none in August
        m(
            "南村党支部",
            "主题党日",
            s("2026-07-10"),
            "七月主题党日一",
            [3.0, 3.0, 0.0],
            "",
        ),
        m(
            "南村党支部",
            "主题党日",
            s("2026-07-20"),
            "七月主题党日二",
            [3.0, 3.0, 0.0],
            "",
        ),
        m(
            "南村党支部",
            "主题党日",
            s("2026-09-10"),
            "九月主题党日",
            [3.0, 2.0, 0.0],
            "",
        ),
        m(
            "南村党支部",
            "支部党员大会",
            s("2026-08-05"),
            "党员大会",
            [3.0, 3.0, 0.0],
            "",
        ),
        m(
            "南村党支部",
            "党课",
            s("2026-07-01"),
            "党课",
            [3.0, 3.0, 0.0],
            "",
        ),
        // 北村党支部 (T009; committee): no committee meeting in September
        m(
            "北村党支部",
            "主题党日",
            s("2026-07-05"),
            "七月主题党日",
            [5.0, 5.0, 0.0],
            "",
        ),
        m(
            "北村党支部",
            "主题党日",
            s("2026-08-05"),
            "八月主题党日",
            [5.0, 5.0, 0.0],
            "",
        ),
        m(
            "北村党支部",
            "主题党日",
            s("2026-09-05"),
            "九月主题党日",
            [5.0, 5.0, 0.0],
            "",
        ),
        m(
            "北村党支部",
            "支委会",
            s("2026-07-03"),
            "七月支委会",
            [3.0, 3.0, 0.0],
            "",
        ),
        m(
            "北村党支部",
            "支部委员会会议",
            s("2026-08-03"),
            "八月支委会",
            [3.0, 3.0, 0.0],
            "",
        ),
        m(
            "北村党支部",
            "支委会",
            s("2026-10-01"),
            "十月支委会",
            [3.0, 3.0, 0.0],
            "",
        ), // outside
        m(
            "北村党支部",
            "党员大会",
            s("2026-07-02"),
            "党员大会",
            [5.0, 5.0, 0.0],
            "",
        ),
        m(
            "北村党支部",
            "党课",
            s("2026-09-01"),
            "党课",
            [5.0, 5.0, 0.0],
            "",
        ),
    ]
}

fn ledger(dir: &Dir) -> std::path::PathBuf {
    let p = dir.file("三会一课台账.xlsx");
    xlsx(
        &p,
        "测试镇2026年第三季度三会一课台账",
        &LEDGER_HEADER,
        &ledger_rows(),
    );
    p
}

/// Per branch code: its shortfalls as (kind, due, held, group code).
type Missing = BTreeMap<String, Vec<(String, i64, i64, Option<String>)>>;
/// The same, written by hand.
type Want<'a> = [(&'a str, &'a [(&'a str, i64, i64, Option<&'a str>)])];

fn missing_of(r: &ComplianceReport) -> Missing {
    r.noncompliant
        .iter()
        .map(|n| {
            (
                n.org.code.clone(),
                n.missing
                    .iter()
                    .map(|m| {
                        (
                            m.kind.to_string(),
                            m.due,
                            m.held,
                            m.group.as_ref().map(|g| g.code.clone()),
                        )
                    })
                    .collect(),
            )
        })
        .collect()
}

fn want(items: &Want<'_>) -> Missing {
    items
        .iter()
        .map(|(code, ms)| {
            (
                code.to_string(),
                ms.iter()
                    .map(|(k, d, h, g)| (k.to_string(), *d, *h, g.map(str::to_string)))
                    .collect(),
            )
        })
        .collect()
}

contract_test!(
    quarter_ledger_matches_hand_computation,
    |db: TestDb| async move {
        let app = app(&db);
        let dir = Dir::new("ledger");
        load(&app, &dir).await;
        let file = ledger(&dir);
        let r = import::meetings::run(&app, &file, &opts(), &NoProgress)
            .await
            .unwrap();
        assert!(r.errors.is_empty(), "{:?}", r.errors);
        assert_eq!((r.rows, r.valid, r.written, r.unchanged), (29, 29, 29, 0));

        // Q3 2026, judged branches: T002 东村, T004 西村第一, T005 镇机关, T006 南村,
        // T009 北村 (T003 is a general branch, T001 a committee: not judged).
        //  T002: theme days 7/1, 8/12, 9/30 (6/30 is Q2) → met; general meeting 7/1 → met;
        //        party lecture only on 10/1 → PartyLecture due 1 held 0; group T007 met in
        //        July and August, not September → due 3 held 2; group T008 set up 8/15
        //        owes September only, held 9/3 → met.
        //  T004: 6/30 and 10/1 only → held nothing: GeneralMeeting 1/0, PartyLecture 1/0,
        //        ThemeDay 3/0.
        //  T005: theme days 7/1, 8/1, 9/30, general meeting 9/30, lecture 8/20 → complies.
        //  T006: theme days 7/10 and 7/20, none in August, 9/10 → ThemeDay due 3 held 2.
        //  T009: committee 7/3 and 8/3 (10/1 is Q4) → CommitteeMeeting due 3 held 2.
        let actor = Actor::system();
        let q3 = compliance_of(&app, &actor, "T001", Period::Quarter(2026, 3)).await;
        assert_eq!((q3.branches, q3.compliant, q3.rate), (5, 1, Some(0.2)));
        assert_eq!(
            missing_of(&q3),
            want(&[
                (
                    "T002",
                    &[
                        ("GroupMeeting", 3, 2, Some("T007")),
                        ("PartyLecture", 1, 0, None)
                    ]
                ),
                (
                    "T004",
                    &[
                        ("GeneralMeeting", 1, 0, None),
                        ("PartyLecture", 1, 0, None),
                        ("ThemeDay", 3, 0, None)
                    ]
                ),
                ("T006", &[("ThemeDay", 3, 2, None)]),
                ("T009", &[("CommitteeMeeting", 3, 2, None)]),
            ])
        );
        let nothing: Vec<&str> = q3.held_nothing.iter().map(|o| o.code.as_str()).collect();
        assert_eq!(nothing, vec!["T004"]);
        // Levels: the township's direct children holding branches.
        let levels: BTreeMap<&str, (usize, usize, Option<f64>)> = q3
            .levels
            .iter()
            .map(|l| (l.org.code.as_str(), (l.branches, l.compliant, l.rate)))
            .collect();
        assert_eq!(
            levels,
            BTreeMap::from([
                ("T002", (2, 0, Some(0.0))),
                ("T003", (1, 0, Some(0.0))),
                ("T005", (1, 1, Some(1.0))),
                ("T009", (1, 0, Some(0.0))),
            ])
        );
        // Attendance over the 24 meetings inside Q3 (29 rows, 5 outside): T002 7, T005 5,
        // T006 5, T009 7. Expected 8×4+4×3 + 3×5 + 3×5 + 5×3+3×2+5×2 = 44+15+15+31 = 105;
        // present 7+6+8+4+4+3+4 + 3+2+3+3+3 + 3+3+2+3+3 + 5+5+5+3+3+5+5 = 36+14+14+31 = 95.
        assert_eq!(q3.attendance.meetings, 24);
        assert_eq!((q3.attendance.expected, q3.attendance.present), (105, 95));
        assert_eq!(q3.attendance.rate, Some(0.9048));
        // T002's vote had 4 of 8 (not more than half); T005's had 3 of 3.
        assert_eq!(q3.quorum_failed, 1);
        // The calendar: August's theme day owed by 5 branches, met by T002, T005, T009.
        let aug = q3
            .calendar
            .iter()
            .find(|c| c.span == Period::Month(2026, 8) && c.kind == "ThemeDay")
            .unwrap();
        assert_eq!((aug.due, aug.met), (5, 3));

        // The JSON has the agreed shape.
        let v = serde_json::to_value(&q3).unwrap();
        assert_eq!(v["org"]["code"], "T001");
        assert_eq!(v["period"], "2026Q3");
        assert_eq!(v["branches"], 5);
        assert_eq!(v["compliant"], 1);
        assert_eq!(v["rate"], 0.2);
        assert_eq!(v["held_nothing"][0]["name"], "西村第一党支部");
        let t002 = v["noncompliant"]
            .as_array()
            .unwrap()
            .iter()
            .find(|n| n["org"]["code"] == "T002")
            .unwrap();
        assert_eq!(t002["missing"][0]["kind"], "GroupMeeting");
        assert_eq!(t002["missing"][0]["group"]["name"], "东村第一党小组");
        assert!(t002["missing"][1].get("group").is_none());

        // August alone: only monthly obligations. T002 (groups: T007 met 8/15; T008 not yet
        // set up for the whole month), T005 and T009 comply; T004 held nothing; T006 held
        // a general meeting but no theme day.
        let aug = compliance_of(&app, &actor, "测试镇党委", Period::Month(2026, 8)).await;
        assert_eq!((aug.branches, aug.compliant), (5, 3));
        assert_eq!(
            missing_of(&aug),
            want(&[
                ("T004", &[("ThemeDay", 1, 0, None)]),
                ("T006", &[("ThemeDay", 1, 0, None)]),
            ])
        );
        assert_eq!(aug.held_nothing.len(), 1);

        // One branch's subtree: 东村 with 南村 below it.
        let east = compliance_of(&app, &actor, "T002", Period::Quarter(2026, 3)).await;
        assert_eq!((east.branches, east.compliant), (2, 0));
        let levels: Vec<(&str, usize)> = east
            .levels
            .iter()
            .map(|l| (l.org.code.as_str(), l.branches))
            .collect();
        assert_eq!(levels, vec![("T006", 1)]);

        // The workbook reads back.
        let out = dir.file("compliance.xlsx");
        jiceng_io::write_workbook(&out, &q3.to_sheets()).unwrap();
        let grid = jiceng_io::read_grid(&out).unwrap();
        assert!(grid.rows.len() >= 6);

        // Stored summaries for the levels above the branches: 测试镇党委 (all five),
        // 东村党支部 (itself and 南村 below it) and 西村党总支 (西村第一).
        let n = compliance::refresh_summaries(&app, None, &[Period::Quarter(2026, 3)])
            .await
            .unwrap();
        assert_eq!(n, 3);
        let top = common::org(&app, &actor, "T001").await.unwrap();
        let stored = compliance::overview_with_limit(&app, &top, Period::Quarter(2026, 3), 0)
            .await
            .unwrap();
        let live = compliance::overview(&app, &top, Period::Quarter(2026, 3))
            .await
            .unwrap();
        assert_eq!((stored.source, live.source), ("summary", "live"));
        assert!(stored.computed_at.is_some());
        // A period with no summary row at all (nothing refreshed for it: a young month has
        // none, since nothing in it has closed) is still read as stored for a subtree
        // above the limit — sized by its stored org count — never judged live.
        let unrefreshed = compliance::overview_with_limit(&app, &top, Period::Quarter(2026, 4), 0)
            .await
            .unwrap();
        assert_eq!(unrefreshed.source, "summary");
        assert_eq!(unrefreshed.org.branches, 0);
        assert_eq!(unrefreshed.org.rate, None);
        let figures = |o: &compliance::Overview| {
            let mut rows: Vec<(String, i64, i64, i64)> = o
                .children
                .iter()
                .map(|r| (r.org.code.clone(), r.branches, r.compliant, r.held_nothing))
                .collect();
            rows.sort();
            (o.org.branches, o.org.compliant, o.org.held_nothing, rows)
        };
        assert_eq!(figures(&stored), figures(&live));
        assert_eq!(
            figures(&live),
            (
                5,
                1,
                1,
                vec![
                    ("T002".to_string(), 2, 0, 0),
                    ("T003".to_string(), 1, 0, 1),
                    ("T005".to_string(), 1, 1, 0),
                    ("T009".to_string(), 1, 0, 0),
                ]
            )
        );

        // The same ledger again adds nothing.
        let again = import::meetings::run(&app, &file, &opts(), &NoProgress)
            .await
            .unwrap();
        assert_eq!((again.written, again.unchanged), (0, 29));
        let q3b = compliance_of(&app, &actor, "T001", Period::Quarter(2026, 3)).await;
        assert_eq!(q3b.attendance.meetings, 24);
        assert_eq!(missing_of(&q3b), missing_of(&q3));
    }
);

contract_test!(
    bad_ledger_rows_are_named_and_nothing_is_written,
    |db: TestDb| async move {
        let app = app(&db);
        let dir = Dir::new("bad-ledger");
        load(&app, &dir).await;
        let rows = vec![
            m(
                "东村党支部",
                "主题党日",
                s("2026-07-01"),
                "好",
                [8.0, 7.0, 1.0],
                "",
            ), // row 3: fine
            m(
                "东村党支部",
                "主题党日",
                s("2027-01-05"),
                "未来",
                [8.0, 7.0, 1.0],
                "",
            ), // row 4: future
            m(
                "东村党支部",
                "主题党日",
                s("2026-07-02"),
                "超员",
                [8.0, 7.0, 2.0],
                "",
            ), // row 5: 7+2 > 8
            m(
                "东村党支部",
                "党小组会",
                s("2026-07-03"),
                "支部开小组会",
                [8.0, 7.0, 0.0],
                "",
            ), // row 6
            m(
                "东村第一党小组",
                "主题党日",
                s("2026-07-03"),
                "小组开党日",
                [4.0, 4.0, 0.0],
                "",
            ), // row 7
            m(
                "东村党支部",
                "座谈会",
                s("2026-07-04"),
                "座谈",
                [8.0, 7.0, 0.0],
                "",
            ), // row 8: kind
            m(
                "东村党支部",
                "主题党日",
                s("2026-07-01"),
                "好",
                [8.0, 7.0, 1.0],
                "",
            ), // row 9: = row 3
            m(
                "不存在的支部",
                "主题党日",
                s("2026-07-01"),
                "无",
                [8.0, 7.0, 1.0],
                "",
            ), // row 10
            m(
                "西村党总支",
                "党员大会",
                s("2026-07-01"),
                "总支大会",
                [2.0, 2.0, 0.0],
                "",
            ), // row 11
            m(
                "东村第二党小组",
                "党小组会",
                s("2026-08-01"),
                "成立前",
                [4.0, 4.0, 0.0],
                "",
            ), // row 12
            m("T005", "党课", s("2026-07-09"), "好课", [3.0, 3.0, 0.0], ""), // row 13: fine
        ];
        let file = dir.file("有错误的台账.xlsx");
        xlsx(&file, "台账", &LEDGER_HEADER, &rows);
        let r = import::meetings::run(&app, &file, &opts(), &NoProgress)
            .await
            .unwrap();
        assert_errors(
            &r,
            &[
                (4, "会议日期"),
                (5, "实到人数"),
                (6, "会议类型"),
                (7, "会议类型"),
                (8, "会议类型"),
                (9, "会议主题"),
                (10, "党组织"),
                (11, "会议类型"),
                (12, "会议日期"),
            ],
            &[(0, "晚于今天"), (2, "党小组"), (5, "第3行")],
        );
        assert_eq!((r.rows, r.valid, r.written), (11, 2, 0));
        let actor = Actor::system();
        let (_, total) = meetings::list(&app, &actor, &Default::default(), 1, 10)
            .await
            .unwrap();
        assert_eq!(total, 0, "all or nothing");

        // A dry run writes nothing; --skip-invalid writes the two good rows.
        let dry = ImportOptions {
            dry_run: true,
            skip_invalid: true,
            ..opts()
        };
        let r = import::meetings::run(&app, &file, &dry, &NoProgress)
            .await
            .unwrap();
        assert_eq!(r.written, 0);
        let skip = ImportOptions {
            skip_invalid: true,
            ..opts()
        };
        let r = import::meetings::run(&app, &file, &skip, &NoProgress)
            .await
            .unwrap();
        assert_eq!((r.valid, r.written), (2, 2));
        let (rows, total) = meetings::list(&app, &actor, &Default::default(), 1, 10)
            .await
            .unwrap();
        assert_eq!(total, 2);
        assert_eq!(rows[0].topic, "好课");
    }
);

async fn secretary_of(app: &jiceng_app::App, code: &str) -> Actor {
    let o = app.resolve_org(&Scope::All, code).await.unwrap();
    Actor::for_test(9, &format!("secretary-{code}"), Role::Secretary).at(o.org.id, &o.path)
}

contract_test!(
    a_secretary_records_and_the_due_list_and_report_change,
    |db: TestDb| async move {
        let app = app(&db);
        let dir = Dir::new("record");
        load(&app, &dir).await;
        let sec = secretary_of(&app, "T005").await;
        let jiguan = common::org(&app, &sec, "T005").await.unwrap();
        let dongcun = app.resolve_org(&Scope::All, "T002").await.unwrap();
        let grant = sec.grant::<jiceng_app::access::RecordLife>().unwrap();
        let today = d(TODAY); // 2026-12-15

        // Before: December's theme day, Q4's general meeting and lecture, and the year's
        // life meeting and evaluation are open.
        let due = meetings::due(&app, &jiguan, today).await.unwrap();
        let open: Vec<(&str, String)> = due
            .items
            .iter()
            .map(|i| (i.kind, i.span.to_string()))
            .collect();
        assert_eq!(
            open,
            vec![
                ("ThemeDay", "2026-12".to_string()),
                ("GeneralMeeting", "2026Q4".to_string()),
                ("PartyLecture", "2026Q4".to_string()),
                ("LifeMeeting", "2026".to_string()),
                ("DemocraticEvaluation", "2026".to_string()),
            ]
        );
        // December is still running on the 15th: nothing is judged or failed (review
        // error #1; this test used to expect (1, 0)), the theme day is 待办.
        let before = compliance_of(&app, &sec, "T005", Period::Month(2026, 12)).await;
        assert_eq!((before.branches, before.compliant), (0, 0));
        assert!(before.noncompliant.is_empty());
        assert_eq!(before.pending.len(), 1);
        assert_eq!(before.pending[0].items[0].kind, "ThemeDay");
        assert_eq!(before.pending[0].items[0].due_by, d("2026-12-31"));
        assert!(
            before.judged_note.contains("尚无已结束"),
            "{}",
            before.judged_note
        );

        // A theme day with plain counts.
        let theme = NewMeeting {
            kind: Some(MeetingKind::ThemeDay),
            date: Some(d("2026-12-10")),
            topic: "冬季植树".into(),
            expected: Some(3),
            present: Some(3),
            excused: Some(0),
            masses_present: Some(4),
            ..Default::default()
        };
        let rec = meetings::record(&app, &grant, &jiguan, &theme)
            .await
            .unwrap();
        assert_eq!((rec.kind, rec.attendance_rate), ("ThemeDay", Some(1.0)));
        // Recording it twice is refused.
        let err = meetings::record(&app, &grant, &jiguan, &theme)
            .await
            .unwrap_err();
        assert!(err.to_string().contains("已记录过"), "{err}");

        // A general meeting that votes, attendance picked from the roster: 2 of 3 full
        // members present (more than half), one excused with a reason.
        let mut c = app.store().acquire().await.unwrap();
        let (roster, _) =
            jiceng_store::members::search(&mut c, &Scope::subtree(&jiguan.path), None, 0, 10)
                .await
                .unwrap();
        drop(c);
        assert_eq!(roster.len(), 3);
        let vote = NewMeeting {
            kind: Some(MeetingKind::GeneralMeeting),
            date: Some(d("2026-12-12")),
            topic: "推选优秀党员".into(),
            attendees: vec![
                (roster[0].id, AttendanceStatus::Present, None),
                (roster[1].id, AttendanceStatus::Present, None),
                (roster[2].id, AttendanceStatus::Excused, Some("出差".into())),
            ],
            votes: true,
            ..Default::default()
        };
        let rec = meetings::record(&app, &grant, &jiguan, &vote)
            .await
            .unwrap();
        assert_eq!((rec.expected, rec.present, rec.excused), (3, 2, 1));
        let q = rec.quorum.unwrap();
        assert_eq!((q.voting, q.present, q.needed, q.ok), (3, 2, 2, true));

        // The due list and the report change at once.
        let due = meetings::due(&app, &jiguan, today).await.unwrap();
        let open: Vec<&str> = due.items.iter().map(|i| i.kind).collect();
        assert_eq!(
            open,
            vec!["PartyLecture", "LifeMeeting", "DemocraticEvaluation"]
        );
        let after = compliance_of(&app, &sec, "T005", Period::Month(2026, 12)).await;
        assert_eq!((after.branches, after.compliant), (0, 0));
        assert!(after.pending.is_empty(), "the theme day is held");
        // Judged once December is over: T005 complies. The other branches have no
        // ledger at all (台账未录入): 暂无数据, not "held nothing" (review S24; this test
        // used to expect (5, 1) with four branches failed).
        let next = d("2027-01-01");
        let after = compliance::run_on(
            &app,
            &common::org(&app, &sec, "T005").await.unwrap(),
            Period::Month(2026, 12),
            next,
        )
        .await
        .unwrap();
        assert_eq!((after.branches, after.compliant), (1, 1));
        let town = compliance::run_on(
            &app,
            &sys_org(&app, "T001").await,
            Period::Month(2026, 12),
            next,
        )
        .await
        .unwrap();
        assert_eq!((town.branches, town.compliant), (1, 1));
        assert!(town.held_nothing.is_empty());
        let unloaded: Vec<&str> = town
            .no_data
            .iter()
            .filter(|n| n.reasons.contains(&"台账未录入".to_string()))
            .map(|n| n.org.code.as_str())
            .collect();
        assert_eq!(unloaded.len(), 4, "{:?}", town.no_data);
        assert!(!unloaded.contains(&"T005"));

        // Refused: an org outside the scope, a future date, too many present, a reader.
        // (The org is proven in scope before the use case is called: 东村 is not found.)
        assert!(matches!(
            by_id(&app, &sec, dongcun.org.id).await,
            Err(jiceng_app::AppError::NotFound(_))
        ));
        let future = NewMeeting {
            date: Some(d("2026-12-16")),
            topic: "明天".into(),
            ..theme.clone()
        };
        let err = meetings::record(&app, &grant, &jiguan, &future)
            .await
            .unwrap_err();
        assert!(err.to_string().contains("晚于今天"), "{err}");
        let crowd = NewMeeting {
            present: Some(3),
            excused: Some(1),
            topic: "超员".into(),
            ..theme.clone()
        };
        let err = meetings::record(&app, &grant, &jiguan, &crowd)
            .await
            .unwrap_err();
        assert!(err.to_string().contains("超过应到"), "{err}");
        let group_kind = NewMeeting {
            kind: Some(MeetingKind::GroupMeeting),
            topic: "小组".into(),
            ..theme.clone()
        };
        let err = meetings::record(&app, &grant, &jiguan, &group_kind)
            .await
            .unwrap_err();
        assert!(err.to_string().contains("党小组"), "{err}");
        // Text beyond its field's limit, as a form or the API might send it.
        let wordy = NewMeeting {
            topic: "长文".into(),
            minutes: Some("记".repeat(20_001)),
            host: Some("主".repeat(101)),
            ..theme.clone()
        };
        let err = meetings::record(&app, &grant, &jiguan, &wordy)
            .await
            .unwrap_err();
        assert_eq!(
            err.to_string(),
            "「主持人」过长（101字，最多100字）；「会议记录」过长（20001字，最多20000字）"
        );
        let reader = sec.clone().with_role(Role::Inspector);
        // A reader gets no grant to record (the permission table), so no call at all.
        assert!(matches!(
            reader.grant::<jiceng_app::access::RecordLife>(),
            Err(jiceng_app::AppError::Forbidden)
        ));
        assert!(matches!(
            common::org(&app, &sec, "T002").await,
            Err(jiceng_app::AppError::OrgNotFound(_))
        ));

        // Each recording is in the audit log.
        let (log, _) = jiceng_app::audit::list(&app, &Actor::system().grant().unwrap(), 1, 50)
            .await
            .unwrap();
        let recorded = log.iter().filter(|e| e.action == "meeting_record").count();
        assert_eq!(recorded, 2);
    }
);

/// A stored summary without the time it was computed: org, path, period, the seven
/// figures, judged through.
type SummaryRow = (i64, String, String, [i64; 7], Option<chrono::NaiveDate>);

/// Every stored summary of `periods`, without the time it was computed.
async fn stored_summaries(app: &jiceng_app::App, periods: &[Period]) -> Vec<SummaryRow> {
    let mut c = app.store().acquire().await.unwrap();
    let ids: Vec<i64> = sqlx::query_scalar("SELECT id FROM org")
        .fetch_all(&mut *c)
        .await
        .unwrap();
    let mut out = Vec::new();
    for p in periods {
        for s in jiceng_store::meetings::summaries(&mut c, *p, &ids)
            .await
            .unwrap()
        {
            let figures = [
                s.branches,
                s.compliant,
                s.held_nothing,
                s.meetings,
                s.expected,
                s.present,
                s.quorum_failed,
            ];
            out.push((
                s.org_id,
                s.org_path,
                p.to_string(),
                figures,
                s.judged_through,
            ));
        }
    }
    out.sort();
    out
}

/// What the touched pass stored equals what a whole refresh stores.
async fn pass_equals_whole(app: &jiceng_app::App, periods: &[Period]) {
    let after_pass = stored_summaries(app, periods).await;
    compliance::refresh_summaries(app, None, periods)
        .await
        .unwrap();
    assert_eq!(after_pass, stored_summaries(app, periods).await);
}

contract_test!(
    a_meeting_reaches_the_levels_above_by_the_touched_pass,
    |db: TestDb| async move {
        let app = app(&db);
        let dir = Dir::new("touched");
        load(&app, &dir).await;
        let periods = [
            Period::Month(2026, 8),
            Period::Quarter(2026, 3),
            Period::Year(2026),
        ];
        // With no mark, a pass does nothing.
        let none = compliance::refresh_touched_within(&app, &periods, 1)
            .await
            .unwrap();
        assert_eq!(none, compliance::TouchedPass::default());
        // The ledger marks the branches it wrote; the pass counts their chains. A subtree
        // of one org is judged whole, the orgs above are summed from their children.
        import::meetings::run(&app, &ledger(&dir), &opts(), &NoProgress)
            .await
            .unwrap();
        let pass = compliance::refresh_touched_within(&app, &periods, 1)
            .await
            .unwrap();
        assert_eq!(pass.marks, 5, "T002, T004, T005, T006, T009: {pass:?}");
        assert!(!pass.whole && pass.summed >= 3, "{pass:?}");
        let first = stored_summaries(&app, &periods).await;
        assert!(
            first.iter().any(|s| s.2 == "2026Q3" && s.3[0] == 5),
            "the township counts its five branches: {first:?}"
        );
        pass_equals_whole(&app, &periods).await;
        // The marks read are forgotten.
        let again = compliance::refresh_touched_within(&app, &periods, 1)
            .await
            .unwrap();
        assert_eq!(again.marks, 0);

        // 西村第一党支部 (T004, held nothing) records August's theme day: the township's
        // and 西村党总支's stored figures change by the pass alone.
        let before = stored_summaries(&app, &periods).await;
        let sec = secretary_of(&app, "T004").await;
        let west = common::org(&app, &sec, "T004").await.unwrap();
        let grant = sec.grant::<jiceng_app::access::RecordLife>().unwrap();
        let theme = NewMeeting {
            kind: Some(MeetingKind::ThemeDay),
            date: Some(d("2026-08-20")),
            topic: "补记八月主题党日".into(),
            expected: Some(3),
            present: Some(3),
            excused: Some(0),
            ..Default::default()
        };
        meetings::record(&app, &grant, &west, &theme).await.unwrap();
        let pass = compliance::refresh_touched_within(&app, &periods, 1)
            .await
            .unwrap();
        assert_eq!((pass.marks, pass.whole), (1, false), "{pass:?}");
        let after = stored_summaries(&app, &periods).await;
        assert_ne!(before, after, "the pass moved the stored figures");
        let town = org_id(&app, "T001").await;
        let aug = |rows: &[SummaryRow]| {
            rows.iter()
                .find(|s| s.0 == town && s.2 == "2026-08")
                .map(|s| s.3)
                .unwrap()
        };
        assert_eq!(
            aug(&after)[2],
            aug(&before)[2] - 1,
            "one fewer held nothing"
        );
        assert_eq!(aug(&after)[3], aug(&before)[3] + 1, "one more meeting");
        pass_equals_whole(&app, &periods).await;

        // A move marks both chains: 南村 (T006) leaves 东村 for 西村党总支.
        let dept = dept();
        let write = dept.grant::<jiceng_app::access::Write>().unwrap();
        let south = common::org(&app, &dept, "T006").await.unwrap();
        let general = common::org(&app, &dept, "T003").await.unwrap();
        jiceng_app::org_admin::move_org(&app, &write, &south, &general, "调整隶属关系")
            .await
            .unwrap();
        let pass = compliance::refresh_touched_within(&app, &periods, 1)
            .await
            .unwrap();
        assert_eq!((pass.marks, pass.whole), (2, false), "{pass:?}");
        pass_equals_whole(&app, &periods).await;

        // Judged on a later day, the year's rows stored before count fewer closed months:
        // summing 西村党总支's stored row into the township's would mix two days, so the
        // pass refreshes the whole tree instead. (镇机关 T005 sits right under the township.)
        let later = common::on(&db, "2027-01-05");
        let sec = secretary_of(&app, "T005").await;
        let jiguan = common::org(&app, &sec, "T005").await.unwrap();
        let grant = sec.grant::<jiceng_app::access::RecordLife>().unwrap();
        let theme = NewMeeting {
            date: Some(d("2026-09-21")),
            topic: "补记九月主题党日".into(),
            ..theme
        };
        meetings::record(&later, &grant, &jiguan, &theme)
            .await
            .unwrap();
        let pass = compliance::refresh_touched_within(&later, &[Period::Year(2026)], 1)
            .await
            .unwrap();
        assert!(pass.whole, "{pass:?}");
        pass_equals_whole(&later, &[Period::Year(2026)]).await;
    }
);
