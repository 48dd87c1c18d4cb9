//! A township's recruitment ledger (发展党员工作台账) imported as a county would, on SQLite
//! and PostgreSQL: 27 synthetic people at every stage across three branches, six planted
//! violations of time rules; the report names exactly those, the right next due steps,
//! the stage counts and the plan's fulfilment as counted by hand; a bad ledger is refused
//! with every bad row named and nothing written; a second import changes nothing.

mod common;

use chrono::NaiveDate;
use common::*;
#[path = "recruitment_ledger/ledger.rs"]
mod ledger;
use jiceng_app::import::{recruitment as ledger_import, ImportOptions, ImportReport, NoProgress};
use jiceng_app::recruitment::plan::{self, Plan};
use jiceng_app::reports::recruitment::{self as report, RecruitmentReport};
use jiceng_app::App;
use jiceng_store::contract_test;
use jiceng_store::testing::TestDb;
use ledger::{clean, row, who, write_ledger, HEADER, PLANTED, TALK};

async fn import(app: &App, file: &std::path::Path) -> ImportReport {
    let opts = ImportOptions {
        org: Some(sys_org(app, "T001").await),
        ..ImportOptions::default()
    };
    ledger_import::run(app, file, &opts, &NoProgress)
        .await
        .unwrap()
}

async fn count(app: &App, table: &str) -> i64 {
    let mut c = app.store().acquire().await.unwrap();
    sqlx::query_scalar(&format!("SELECT COUNT(*) FROM {table}"))
        .fetch_one(&mut *c)
        .await
        .unwrap()
}

async fn the_report(app: &App) -> RecruitmentReport {
    report::run(app, &sys_org(app, "T001").await, 2026)
        .await
        .unwrap()
}

fn assert_violations(r: &RecruitmentReport) {
    let mut got: Vec<(String, &str, i64)> = r
        .violations
        .iter()
        .map(|v| (v.person.name.clone(), v.rule, v.step))
        .collect();
    got.sort();
    let mut want: Vec<(String, &str, i64)> = PLANTED
        .iter()
        .map(|(p, r, s)| (p.to_string(), *r, *s))
        .collect();
    want.sort();
    assert_eq!(got, want, "{:#?}", r.violations);
}

contract_test!(a_ledger_is_imported_and_reported, |db: TestDb| async move {
    let app = app(&db);
    let dir = Dir::new("rec-ledger");
    load_township(&app, &dir, false).await;
    let roster = count(&app, "member").await;
    let file = write_ledger(&dir);
    let r = import(&app, &file).await;
    assert!(r.errors.is_empty(), "{:#?}", r.errors);
    assert_eq!((r.rows, r.written, r.unchanged), (27, 27, 0));
    // The planted violations are imported and noted.
    assert_eq!(r.notes.len(), 6, "{:#?}", r.notes);
    assert!(r
        .notes
        .iter()
        .any(|n| n.column == "集中培训学时" && n.message.contains("16学时")));
    // ⑰: ten people approved join the roster, 王八 (on it already) is linked, not added.
    assert_eq!(count(&app, "member").await, roster + 10);
    let mut c = app.store().acquire().await.unwrap();
    let linked: Option<i64> = sqlx::query_scalar(
        "SELECT a.member_id FROM applicant a JOIN member m ON m.id = a.member_id WHERE a.name = '王八' AND m.joined_on = '2026-05-01'",
    )
    .fetch_optional(&mut *c)
    .await
    .unwrap();
    drop(c);
    assert!(linked.is_some(), "王八 linked to her roster row");

    let rep = the_report(&app).await;
    assert_violations(&rep);
    let b = &rep.by_stage;
    assert_eq!(
        (
            b.applicant,
            b.activist,
            b.candidate,
            b.probationary,
            b.confirmed
        ),
        (6, 4, 5, 7, 4)
    );
    // The next due step of every open person, deadlines first.
    let mut want: Vec<(String, i64, Option<NaiveDate>)> = ledger::people()
        .into_iter()
        .filter_map(|(p, _, due)| due.map(|(step, by)| (p.name.to_string(), step, by)))
        .collect();
    let mut got: Vec<(String, i64, Option<NaiveDate>)> = rep
        .due
        .iter()
        .map(|x| (x.person.name.clone(), x.step, x.deadline))
        .collect();
    let deadlines: Vec<Option<NaiveDate>> = got.iter().map(|x| x.2).collect();
    let mut sorted = deadlines.clone();
    sorted.sort_by_key(|d| (d.is_none(), *d));
    assert_eq!(deadlines, sorted, "deadlines first, by deadline");
    want.sort();
    got.sort();
    assert_eq!(got, want);
    assert_eq!(rep.due.len(), 22);

    // Plans: the township 10, 东村 5, 镇机关 3; 西村第一 cannot take 4 more.
    let dept = dept();
    let grant = dept.grant().unwrap();
    let set = |code: &'static str, target: i64, structure: &[(&str, i64)]| {
        let (app, grant) = (&app, &grant);
        let plan = Plan {
            target,
            structure: structure.iter().map(|(k, n)| (k.to_string(), *n)).collect(),
        };
        async move { plan::set_plan(app, grant, &sys_org(app, code).await, 2026, &plan).await }
    };
    let township = [
        ("under_35", 5),
        ("women", 4),
        ("front_line", 3),
        ("college", 3),
        ("young_farmers", 3),
    ];
    set("T001", 10, &township).await.unwrap();
    set("T002", 5, &[("women", 2)]).await.unwrap();
    set("T005", 3, &[]).await.unwrap();
    let refused = set("T004", 4, &[]).await.unwrap_err().to_string();
    assert!(
        refused.contains("测试镇党委") && refused.contains("12") && refused.contains("10"),
        "{refused}"
    );
    let refused = set("T006", 3, &[("women", 3)])
        .await
        .unwrap_err()
        .to_string();
    assert!(
        refused.contains("女性计划合计3人，超过上级东村党支部2026年该项计划2人"),
        "{refused}"
    );
    let refused = set("T001", 7, &[]).await.unwrap_err().to_string();
    assert!(refused.contains("下级党组织计划合计8人"), "{refused}");

    let rep = the_report(&app).await;
    assert_eq!((rep.plan.target, rep.plan.admitted), (Some(10), 6));
    let actual: Vec<(&str, Option<i64>, i64)> = rep
        .plan
        .structure
        .iter()
        .map(|(k, t)| (*k, t.target, t.actual))
        .collect();
    assert_eq!(
        actual,
        vec![
            ("college", Some(3), 3),
            ("front_line", Some(3), 3),
            ("under_35", Some(5), 4),
            ("women", Some(4), 4),
            ("young_farmers", Some(3), 3),
        ]
    );
    let levels: Vec<(String, Option<i64>, i64)> = rep
        .levels
        .iter()
        .map(|f| (f.org.code.clone(), f.target, f.admitted))
        .collect();
    assert_eq!(
        levels,
        vec![
            ("T001".into(), Some(10), 6),
            ("T002".into(), Some(5), 3),
            ("T003".into(), None, 2),
            ("T005".into(), Some(3), 1),
        ]
    );
    let json = serde_json::to_value(&rep).unwrap();
    let keys: Vec<&str> = json
        .as_object()
        .unwrap()
        .keys()
        .map(String::as_str)
        .collect();
    assert_eq!(
        keys,
        ["by_stage", "due", "org", "plan", "violations", "year"]
    );
    let sheets: Vec<String> = rep.to_sheets().into_iter().map(|s| s.name).collect();
    assert_eq!(sheets, ["按阶段", "待办", "违规", "计划完成"]);

    // A second import changes nothing.
    let steps = count(&app, "recruitment_step").await;
    let again = import(&app, &file).await;
    assert_eq!(
        (again.written, again.unchanged),
        (0, 27),
        "{:#?}",
        again.notes
    );
    assert_eq!(count(&app, "recruitment_step").await, steps);
    assert_eq!(count(&app, "member").await, roster + 10);
    assert_violations(&the_report(&app).await);
});

contract_test!(a_bad_ledger_is_refused_whole, |db: TestDb| async move {
    let app = app(&db);
    let dir = Dir::new("rec-bad");
    load_township(&app, &dir, false).await;
    let good = clean("2026-02-02", 1);
    let mut bad_id = row(300, &who("错号", "东村党支部"), &good);
    bad_id[1] = s("370102199001011234");
    let mut bad_date = row(301, &who("错日", "东村党支部"), &good);
    bad_date[9] = s("去年五月");
    let mut order = clean("2026-02-02", 1);
    order.dates[TALK] = Some(d("2026-01-05"));
    let mut counts = clean("2024-08-01", 4);
    counts.counts = Some([8, 8, 9, 0, 0]);
    let rows = vec![
        Some(bad_id),
        Some(bad_date),
        Some(row(302, &who("倒序", "东村党支部"), &order)),
        Some(row(303, &who("正常", "东村党支部"), &good)),
        Some(row(304, &who("票数", "东村党支部"), &counts)),
        Some(row(305, &who("外部", "某某党支部"), &good)),
    ];
    let path = dir.file("坏台账.xlsx");
    xlsx(&path, "测试镇发展党员工作台账", &HEADER, &rows);
    let r = import(&app, &path).await;
    assert_errors(
        &r,
        &[
            (3, "身份证号"),
            (4, "谈话日期"),
            (5, "谈话日期"),
            (7, "赞成"),
            (8, "所在支部"),
        ],
        &[(2, "早于"), (3, "赞成"), (4, "找不到党组织")],
    );
    assert_eq!((r.valid, r.written), (1, 0));
    assert_eq!(count(&app, "applicant").await, 0, "nothing written");
    assert_eq!(count(&app, "recruitment_step").await, 0);
});

contract_test!(a_later_ledger_adds_what_is_new, |db: TestDb| async move {
    let app = app(&db);
    let dir = Dir::new("rec-later");
    load_township(&app, &dir, false).await;
    let write = |name: &str, rows: Vec<Option<Vec<C>>>| {
        let path = dir.file(name);
        xlsx(&path, "测试镇发展党员工作台账", &HEADER, &rows);
        path
    };
    let person = who("林后来", "东村党支部");
    let mut bad = row(401, &who("错号", "东村党支部"), &clean("2026-02-02", 1));
    bad[1] = s("370102199001011234");
    // A candidate, and a bad row: written with --skip-invalid, the bad row left out.
    let first = write(
        "一.xlsx",
        vec![Some(row(400, &person, &clean("2024-08-01", 3))), Some(bad)],
    );
    let opts = ImportOptions {
        org: Some(sys_org(&app, "T001").await),
        skip_invalid: true,
        ..ImportOptions::default()
    };
    let r = ledger_import::run(&app, &first, &opts, &NoProgress)
        .await
        .unwrap();
    assert_eq!((r.errors.len(), r.written), (1, 1));
    let (steps, members) = (
        count(&app, "recruitment_step").await,
        count(&app, "member").await,
    );
    let dongcun = org_id(&app, "T002").await;
    let direct = || async {
        by_id(&app, &dept(), dongcun)
            .await
            .unwrap()
            .facts
            .direct_members
    };
    let before = direct().await;
    // The same person approved since: the vote, the approval and the oath are added, the
    // roster has them and the stored facts count them.
    let second = write(
        "二.xlsx",
        vec![Some(row(400, &person, &clean("2024-08-01", 4)))],
    );
    let r = import(&app, &second).await;
    assert_eq!((r.written, r.unchanged), (1, 0), "{:#?}", r);
    assert_eq!(count(&app, "recruitment_step").await, steps + 3);
    assert_eq!(count(&app, "member").await, members + 1);
    assert_eq!(direct().await, before + 1);
    // A date the ledger now writes differently is kept as recorded, and said.
    let mut moved = clean("2024-08-01", 4);
    moved.dates[TALK] = Some(d("2024-08-05"));
    let third = write("三.xlsx", vec![Some(row(400, &person, &moved))]);
    let r = import(&app, &third).await;
    assert_eq!((r.written, r.unchanged), (0, 1));
    assert!(
        r.notes
            .iter()
            .any(|n| n.column == "谈话日期" && n.message.contains("未更改")),
        "{:#?}",
        r.notes
    );
});
