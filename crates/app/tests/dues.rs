//! 党费 on the fixtures' township (today 2026-12-15), on SQLite and PostgreSQL: bases by the
//! 2008 table checked by hand for a salaried, a retired, a farmer and a student member; a
//! revision mid-year; payments for several months at once; six months unpaid flagged for
//! the branch (the running month never counts); the branch's sheet, the member page and the
//! township's 收缴统计 from the stored facts, each against a hand computation; the sheet
//! imported all or nothing, and the same sheet again unchanged.

mod common;

use common::*;
use jiceng_app::access::{Actor, RecordDues, Role};
use jiceng_app::dues::{self, BaseInput, PayInput};
use jiceng_app::import::{self, ImportOptions, NoProgress};
use jiceng_app::{browse, AppError};
use jiceng_domain::Period;
use jiceng_store::contract_test;
use jiceng_store::testing::TestDb;

/// A `dues_month` row as the comparison reads it.
type MonthRow = (i64, String, i64, i64, i64, i64, i64, i64);

fn base(from: &str, category: &str, amount: Option<&str>) -> BaseInput {
    BaseInput {
        from_month: from.into(),
        category: category.into(),
        amount: amount.map(String::from),
    }
}

fn paying(ids: &[i64], from: &str, to: &str, on: &str) -> PayInput {
    PayInput {
        member_ids: ids.to_vec(),
        from_month: from.into(),
        to_month: Some(to.into()),
        paid_on: d(on),
        amount: None,
    }
}

fn field<T: std::fmt::Debug>(r: jiceng_app::Result<T>) -> &'static str {
    match r {
        Err(AppError::MemberLife(e)) => e.field,
        other => panic!("{other:?}"),
    }
}

contract_test!(
    a_year_of_dues_matches_the_hand_count,
    |db: TestDb| async move {
        let app = app(&db);
        let dir = Dir::new("dues");
        load_township(&app, &dir, false).await;
        let dong = sys_org(&app, "T002").await;
        let sec = Actor::for_test(31, "sec-dong", Role::Secretary).at(dong.org.id, &dong.path);
        let grant = sec.grant::<RecordDues>().unwrap();
        let id = |name: &'static str| member_named(&app, name);
        let (zhao, qian, sun, wang) = (
            id("赵一").await,
            id("钱二").await,
            id("孙三").await,
            id("王八").await,
        );

        // The 2008 table by hand: 8000 × 1.5 % = 120.00; 4200 × 0.5 % = 21.00; a farmer's
        // 0.50 as the branch set it; a student's 0.20.
        let b = dues::set_base(&app, &grant, zhao, &base("2026-01", "在职", Some("8000")))
            .await
            .unwrap();
        assert_eq!(b.monthly_fen, 12000);
        let b = dues::set_base(&app, &grant, qian, &base("2026-01", "离退休", Some("4200")))
            .await
            .unwrap();
        assert_eq!(b.monthly_fen, 2100);
        let b = dues::set_base(&app, &grant, sun, &base("2026-01", "农民", Some("0.5")))
            .await
            .unwrap();
        assert_eq!(b.monthly_fen, 50);
        // 王八 joined on 2026-05-01: assessed from May.
        assert_eq!(
            field(dues::set_base(&app, &grant, wang, &base("2026-04", "学生", None)).await),
            "from_month"
        );
        let b = dues::set_base(&app, &grant, wang, &base("2026-05", "学生", None))
            .await
            .unwrap();
        assert_eq!(b.monthly_fen, 20);
        // A revision mid-year: 钱二's pension is 6000 from October: 1 % = 60.00.
        let b = dues::set_base(&app, &grant, qian, &base("2026-10", "离退休", Some("6000")))
            .await
            .unwrap();
        assert_eq!(b.monthly_fen, 6000);

        // Payments: January to May for the three, several months at once.
        dues::pay(
            &app,
            &grant,
            &dong,
            &paying(&[zhao, qian, sun], "2026-01", "2026-05", "2026-05-20"),
        )
        .await
        .unwrap();
        dues::pay(
            &app,
            &grant,
            &dong,
            &paying(&[zhao, qian], "2026-06", "2026-11", "2026-11-20"),
        )
        .await
        .unwrap();
        dues::pay(
            &app,
            &grant,
            &dong,
            &paying(&[wang], "2026-05", "2026-11", "2026-11-20"),
        )
        .await
        .unwrap();
        dues::pay(
            &app,
            &grant,
            &dong,
            &paying(&[zhao], "2026-12", "2026-12", "2026-12-10"),
        )
        .await
        .unwrap();

        // The branch's December sheet (running): 4 assessed, 4 not.
        let sheet = dues::sheet(&app, &dong, Period::Month(2026, 12))
            .await
            .unwrap();
        assert!(sheet.running);
        assert_eq!((sheet.assessed, sheet.unassessed), (4, 4));
        assert_eq!(sheet.due_yuan, "180.70", "120 + 60 + 0.50 + 0.20");
        assert_eq!(
            (sheet.paid_members, sheet.paid_yuan.as_str()),
            (1, "120.00")
        );
        // 孙三 paid nothing June to November: six months in a row, flagged; December is
        // running and not counted.
        assert_eq!(sheet.flagged, 1);
        let row = sheet.rows.iter().find(|r| r.name == "孙三").unwrap();
        assert_eq!(
            (
                row.arrears_months,
                row.arrears_yuan.as_str(),
                row.unpaid_run
            ),
            (6, "3.00", 6)
        );
        assert!(row.flagged);
        let row = sheet.rows.iter().find(|r| r.name == "钱二").unwrap();
        assert_eq!(
            (row.arrears_months, row.flagged, row.paid),
            (0, false, false)
        );
        assert_eq!(row.due_yuan.as_deref(), Some("60.00"));

        // The member page: 孙三's account.
        let page = browse::member_view(&app, &sec, sun).await.unwrap();
        let mine = page.dues.unwrap();
        assert!(mine.flagged && mine.unpaid_run == 6 && mine.arrears_months == 6);
        assert_eq!(mine.current.unwrap().monthly_yuan, "0.50");
        assert!(page.can_record_dues);
        // One timeline: joined, then the base from January.
        let kinds: Vec<&str> = page.timeline.iter().map(|e| e.kind).collect();
        assert_eq!(kinds.first(), Some(&"入党"), "{:?}", page.timeline);
        let dues_line = page.timeline.iter().find(|e| e.kind == "党费").unwrap();
        assert_eq!(dues_line.on, d("2026-01-01"));
        assert!(dues_line.what.contains("每月0.50元"), "{}", dues_line.what);
        assert!(browse::member_view(&app, &sec, id("李四").await)
            .await
            .unwrap()
            .dues
            .is_none());

        // The township's 收缴统计 for 2026, from the stored facts, by hand:
        // due   赵一 120×12 = 1440; 钱二 21×9 + 60×3 = 369; 孙三 0.5×12 = 6; 王八 0.2×8 = 1.6
        // paid  赵一 1440; 钱二 21×5 + 21×4 + 60×2 = 309; 孙三 0.5×5 = 2.5; 王八 0.2×7 = 1.4
        let town = sys_org(&app, "T001").await;
        let o = dues::overview(&app, &town, Period::Year(2026))
            .await
            .unwrap();
        assert_eq!(o.months.len(), 12);
        assert_eq!(o.total.due_fen, 144000 + 36900 + 600 + 160);
        assert_eq!(o.total.paid_fen, 144000 + 30900 + 250 + 140);
        assert_eq!(o.total.paid_members, 5 + 5 + 5 + 6 + 6 + 7 + 1, "人次");
        let child = o.by_child.iter().find(|c| c.code == "T002").unwrap();
        assert_eq!(child.total.due_fen, o.total.due_fen);
        assert_eq!((o.flagged_total, o.flagged.len()), (1, 1));
        assert_eq!(o.flagged[0].name, "孙三");
        assert!(o.running);
        // One month: June — 4 assessed (王八 from May), due 120 + 21 + 0.5 + 0.2.
        let june = dues::overview(&app, &town, Period::Month(2026, 6))
            .await
            .unwrap();
        assert_eq!(
            (june.total.members, june.total.due_fen),
            (4, 12000 + 2100 + 50 + 20)
        );
        assert_eq!(june.total.paid_fen, 12000 + 2100 + 20);
        assert_eq!(june.to_sheets()[0].rows.len(), o.by_child.len() + 1);

        // Passed up: recorded per month, shown per child.
        let grant_town = dept().grant::<RecordDues>().unwrap();
        dues::hand_over(
            &app,
            &grant_town,
            &dong,
            &dues::HandoverInput {
                month: "2026-11".into(),
                amount: "202.70".into(),
                handed_on: d("2026-12-05"),
            },
        )
        .await
        .unwrap();
        let o = dues::overview(&app, &town, Period::Year(2026))
            .await
            .unwrap();
        let child = o.by_child.iter().find(|c| c.code == "T002").unwrap();
        assert_eq!(child.handed_yuan.as_deref(), Some("202.70"));

        // A payment undone: 孙三's May; the sheet and the facts follow.
        dues::unpay(&app, &grant, sun, "2026-05").await.unwrap();
        let may = dues::overview(&app, &town, Period::Month(2026, 5))
            .await
            .unwrap();
        assert_eq!(may.total.paid_fen, 12000 + 2100 + 20);

        // The facts kept up by each write are those a rebuild from all the records makes.
        let snapshot = |app: jiceng_app::App| async move {
            let mut c = app.store().acquire().await.unwrap();
            let rows: Vec<MonthRow> = sqlx::query_as(
                "SELECT org_id, month, members, due_fen, paid_fen, flagged, sub_paid_fen, sub_flagged \
                 FROM dues_month ORDER BY month, org_id",
            )
            .fetch_all(&mut *c)
            .await
            .unwrap();
            let flags: Vec<(i64, String)> =
                sqlx::query_as("SELECT member_id, month FROM dues_flag ORDER BY month, member_id")
                    .fetch_all(&mut *c)
                    .await
                    .unwrap();
            (rows, flags)
        };
        let kept = snapshot(app.clone()).await;
        assert!(
            kept.1.iter().any(|(_, m)| m == "2026-11"),
            "孙三 flagged from November: {:?}",
            kept.1
        );
        {
            let mut tx = app.store().begin().await.unwrap();
            let months = Period::Year(2026).months();
            jiceng_store::dues::rebuild(&mut tx, &months, 6)
                .await
                .unwrap();
            tx.commit().await.unwrap();
        }
        assert_eq!(snapshot(app.clone()).await, kept);

        // Refusals, each with its field; nothing written by them.
        let zhou = id("周五").await;
        assert_eq!(
            field(
                dues::pay(
                    &app,
                    &grant,
                    &dong,
                    &paying(&[zhou], "2026-11", "2026-11", "2026-12-01")
                )
                .await
            ),
            "from_month"
        );
        let feng = id("冯九").await;
        assert_eq!(
            field(
                dues::pay(
                    &app,
                    &grant,
                    &dong,
                    &paying(&[feng], "2026-11", "2026-11", "2026-12-01")
                )
                .await
            ),
            "member_ids"
        );
        assert_eq!(
            field(
                dues::pay(
                    &app,
                    &grant,
                    &dong,
                    &paying(&[zhao], "2026-11", "2026-11", "2026-12-31")
                )
                .await
            ),
            "paid_on"
        );
        assert_eq!(
            field(
                dues::set_base(&app, &grant, zhou, &base("2026-01", "公务员", Some("5000"))).await
            ),
            "category"
        );
        assert_eq!(
            field(dues::set_base(&app, &grant, zhou, &base("2026-01", "在职", None)).await),
            "amount"
        );
        assert_eq!(
            field(dues::set_base(&app, &grant, zhou, &base("2026-01", "农民", Some("2"))).await),
            "amount"
        );
        assert_eq!(
            field(dues::unpay(&app, &grant, zhou, "2026-01").await),
            "month"
        );
        // Another branch's member is outside the secretary's scope: not found.
        assert!(matches!(
            dues::set_base(&app, &grant, feng, &base("2026-01", "学生", None)).await,
            Err(AppError::NotFound(_))
        ));
        // 孙三 moves to 镇机关党支部 (T005): from the day of receipt his dues are due there,
        // his flag follows him, and the township's figures do not change.
        let jiguan = sys_org(&app, "T005").await;
        let to_jiguan =
            Actor::for_test(32, "sec-jiguan", Role::Secretary).at(jiguan.org.id, &jiguan.path);
        let letter = jiceng_app::transfer::NewLetter {
            to: Some("T005".into()),
            issued_on: d("2026-12-12"),
            reason: "工作调动".into(),
            ..Default::default()
        };
        let tid = jiceng_app::transfer::issue(&app, &sec.grant().unwrap(), sun, &letter)
            .await
            .unwrap();
        let before = dues::overview(&app, &town, Period::Month(2026, 12))
            .await
            .unwrap();
        jiceng_app::transfer::receive(&app, &to_jiguan.grant().unwrap(), tid, d("2026-12-14"))
            .await
            .unwrap();
        let after = dues::overview(&app, &town, Period::Month(2026, 12))
            .await
            .unwrap();
        assert_eq!(
            (after.total.due_fen, after.flagged_total),
            (before.total.due_fen, 1)
        );
        assert_eq!(after.flagged[0].org_name, "镇机关党支部");
        let by = |o: &dues::DuesOverview, code: &str| {
            o.by_child
                .iter()
                .find(|c| c.code == code)
                .map(|c| (c.total.members, c.total.due_fen, c.total.flagged))
                .unwrap()
        };
        assert_eq!(by(&after, "T005"), (1, 50, 1));
        assert_eq!(by(&after, "T002"), (3, 12000 + 6000 + 20, 0));
        // A member may read their dues, not record them.
        assert!(Actor::for_test(90, "dy", Role::Member)
            .grant::<RecordDues>()
            .is_err());
    }
);

const HEADER: [&str; 7] = [
    "姓名",
    "公民身份号码",
    "交纳月份",
    "交纳日期",
    "实交金额",
    "党费类别",
    "党费基数",
];

fn sheet_row(
    name: &str,
    idn: &str,
    months: &str,
    amount: &str,
    cat: &str,
    base: &str,
) -> Option<Vec<C>> {
    Some(vec![
        s(name),
        s(idn),
        s(months),
        s("2026-12-01"),
        s(amount),
        s(cat),
        s(base),
    ])
}

contract_test!(
    a_dues_sheet_is_imported_all_or_nothing,
    |db: TestDb| async move {
        let app = app(&db);
        let dir = Dir::new("dues-import");
        load_township(&app, &dir, false).await;
        let dong = sys_org(&app, "T002").await;
        // 李四 (fixture 3) and 吴六 (fixture 5).
        let people = people();
        let li = id(3, d(people[3].birth), false);
        let wu = id(5, d(people[5].birth), false);
        let file = dir.file("党费收缴表.xlsx");
        let rows = vec![
            sheet_row("李四", &li, "2026-01至2026-11", "", "在职", "3000"),
            sheet_row("吴六", &wu, "2026-11", "", "", ""),
        ];
        xlsx(&file, "东村党支部2026年党费收缴表", &HEADER, &rows);
        let opts = ImportOptions {
            org: Some(dong.clone()),
            actor: dept(),
            ..ImportOptions::default()
        };
        // 吴六 has no base and the row gives none: refused, and nothing is written.
        let r = import::dues::run(&app, &file, &opts, &NoProgress)
            .await
            .unwrap();
        assert_errors(&r, &[(4, "党费类别")], &[(0, "尚未核定")]);
        assert_eq!(r.written, 0);
        let sheet = dues::sheet(&app, &dong, Period::Month(2026, 11))
            .await
            .unwrap();
        assert_eq!(sheet.assessed, 0);
        // Mended: 吴六 retired on 4800 (0.5 % = 24.00), paying 30 of his own will.
        let rows = vec![
            sheet_row("李四", &li, "2026-01至2026-11", "", "在职", "3000"),
            sheet_row("吴六", &wu, "2026-11", "30", "离退休", "4800"),
        ];
        xlsx(&file, "东村党支部2026年党费收缴表", &HEADER, &rows);
        let r = import::dues::run(&app, &file, &opts, &NoProgress)
            .await
            .unwrap();
        assert!(r.errors.is_empty(), "{:?}", r.errors);
        assert_eq!(r.written, 2);
        let sheet = dues::sheet(&app, &dong, Period::Month(2026, 11))
            .await
            .unwrap();
        assert_eq!((sheet.assessed, sheet.paid_members), (2, 2));
        assert_eq!(sheet.due_yuan, "39.00", "15.00 + 24.00");
        assert_eq!(sheet.paid_yuan, "45.00", "15.00 + 30.00");
        let town = sys_org(&app, "T001").await;
        let o = dues::overview(&app, &town, Period::Year(2026))
            .await
            .unwrap();
        assert_eq!(o.total.paid_fen, 1500 * 11 + 3000);
        // The same sheet again: nothing changes.
        let r = import::dues::run(&app, &file, &opts, &NoProgress)
            .await
            .unwrap();
        assert_eq!((r.written, r.unchanged), (0, 2));
        // Months twice in one sheet, a month before joining, a bad month: by row.
        let rows = vec![
            sheet_row("李四", &li, "2026-10至2026-11", "", "", ""),
            sheet_row("李四", &li, "2026-11", "", "", ""),
            sheet_row("吴六", &wu, "1900-01", "", "", ""),
            sheet_row("吴六", &wu, "十一月", "", "", ""),
        ];
        xlsx(&file, "东村党支部2026年党费收缴表", &HEADER, &rows);
        let r = import::dues::run(&app, &file, &opts, &NoProgress)
            .await
            .unwrap();
        assert_errors(
            &r,
            &[
                (4, "交纳月份"),
                (5, "交纳月份"),
                (5, "党费类别"),
                (6, "交纳月份"),
            ],
            &[(0, "第3行"), (1, "入党日期"), (3, "无法识别")],
        );
    }
);
