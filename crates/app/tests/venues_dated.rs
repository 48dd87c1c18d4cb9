//! On SQLite and PostgreSQL: the department's standard of secretaries' remuneration is set
//! from a year on, so each year is judged by the standard in force for it (a standard
//! stored before standards were dated reads as the department's from the earliest year);
//! and a township's joint 主题党日 names one of the venues the township uses, carried to
//! every branch's meeting and checked for each as a single meeting's is.

mod common;

use common::*;
use jiceng_app::access::{Actor, RecordLife, RecordPay, RecordVenues, Role, SetRules};
use jiceng_app::meetings::{self, JointLine, NewMeeting};
use jiceng_app::venues::{self, VenueForm};
use jiceng_app::AppError;
use jiceng_domain::MeetingKind;
use jiceng_store::contract_test;
use jiceng_store::testing::TestDb;

fn staff(org: &jiceng_app::OrgRecord, role: Role, name: &str) -> Actor {
    Actor::for_test(12, name, role).at(org.org.id, &org.path)
}

fn field(e: &AppError) -> &'static str {
    match e {
        AppError::MemberLife(r) => r.field,
        other => panic!("not a refusal with a field: {other}"),
    }
}

contract_test!(
    each_year_is_judged_by_the_pay_standard_in_force_for_it,
    |db: TestDb| async move {
        let app = on(&db, "2026-12-05");
        let dir = Dir::new("pay-years");
        load_township(&app, &dir, false).await;
        let township = sys_org(&app, "T001").await;
        let committee = staff(&township, Role::Committee, "zuzhi");
        let pay = committee.grant::<RecordPay>().unwrap();
        let dong = org(&app, &committee, "T002").await.unwrap();
        for year in [2024, 2025, 2026] {
            venues::record_pay(&app, &pay, &dong, Some(year), Some(30_000), "财政补贴")
                .await
                .unwrap();
        }
        let below = |l: &venues::PayList| (l.year, l.rows[0].standard, l.rows[0].below);

        // A standard stored by the version before standards were dated: one setting, no
        // year. It reads as the department's from the earliest year on.
        let mut conn = app.store().acquire().await.unwrap();
        jiceng_store::venues::set_pay_standard(
            &mut conn,
            r#"{"village_min_yuan":28000,"community_min_yuan":40000,"by":"old","on":"2025-03-01"}"#,
        )
        .await
        .unwrap();
        drop(conn);
        let s = venues::pay_standard(&app, 2024).await.unwrap();
        assert_eq!(
            s.set_by,
            Some(("old".into(), d("2025-03-01"), venues::EARLIEST_YEAR))
        );
        assert!(s.describe().contains("各年度"), "{}", s.describe());
        let l = venues::pays(&app, &township, Some(2024)).await.unwrap();
        assert_eq!(below(&l), (2024, Some(28_000), false));

        // The department raises it from 2026 on: 2026 is below, 2025 and 2024 are not.
        let set = dept().grant::<SetRules>().unwrap();
        let e = venues::set_pay_standard(&app, &set, None, Some(35_000), Some(45_000))
            .await
            .unwrap_err();
        assert_eq!(field(&e), "from_year");
        let e = venues::set_pay_standard(&app, &set, Some(2028), Some(35_000), Some(45_000))
            .await
            .unwrap_err();
        assert_eq!(field(&e), "from_year", "at most next year");
        let s = venues::set_pay_standard(&app, &set, Some(2026), Some(35_000), Some(45_000))
            .await
            .unwrap();
        assert_eq!((s.year, s.rules.village_min_yuan), (2026, 35_000));
        assert!(s.describe().contains("自2026年起"), "{}", s.describe());
        let l = venues::pays(&app, &township, Some(2026)).await.unwrap();
        assert_eq!(below(&l), (2026, Some(35_000), true));
        assert_eq!(l.below, 1);
        let l = venues::pays(&app, &township, Some(2025)).await.unwrap();
        assert_eq!(below(&l), (2025, Some(28_000), false));
        // Set again for 2026: replaced, not added.
        venues::set_pay_standard(&app, &set, Some(2026), Some(31_000), Some(45_000))
            .await
            .unwrap();
        let l = venues::pays(&app, &township, Some(2026)).await.unwrap();
        assert_eq!(below(&l), (2026, Some(31_000), true));
        // Next year ahead of it.
        venues::set_pay_standard(&app, &set, Some(2027), Some(20_000), Some(45_000))
            .await
            .unwrap();
        assert_eq!(
            venues::pay_standard(&app, 2026)
                .await
                .unwrap()
                .rules
                .village_min_yuan,
            31_000
        );

        let log = audit_log(&app).await;
        let n = log
            .iter()
            .filter(|e| e.action == "secretary_pay_standard")
            .count();
        assert_eq!(n, 3);
        assert!(log.iter().any(|e| e.target.ends_with("2027")));
    }
);

contract_test!(
    a_joint_theme_day_names_a_venue_of_the_township_for_every_branch,
    |db: TestDb| async move {
        let app = on(&db, "2026-12-05");
        let dir = Dir::new("joint-venue");
        load_township(&app, &dir, false).await;
        let township = sys_org(&app, "T001").await;
        let committee = staff(&township, Role::Committee, "zuzhi");
        let rec = committee.grant::<RecordVenues>().unwrap();
        let home = org(&app, &committee, "T001").await.unwrap();
        let dong = org(&app, &committee, "T002").await.unwrap();
        let place = |name: &str| VenueForm {
            name: name.into(),
            address: "测试地址".into(),
            opened_on: Some(d("2025-01-01")),
            ..Default::default()
        };
        let town = venues::record(&app, &rec, &home, &place("镇党群服务中心"))
            .await
            .unwrap();
        let village = venues::record(&app, &rec, &dong, &place("东村党群服务中心"))
            .await
            .unwrap();

        // The form offers the township's venue, not a village's.
        let ctx = meetings::joint_context(&app, &home, d("2026-11-20"))
            .await
            .unwrap();
        let offered: Vec<i64> = ctx.venues.iter().map(|v| v.id).collect();
        assert_eq!(offered, vec![town]);
        // 东村 and 西村第一党支部, everyone present.
        let lines: Vec<JointLine> = ["东村党支部", "西村第一党支部"]
            .iter()
            .map(|name| {
                let b = ctx.branches.iter().find(|b| b.name == *name).unwrap();
                JointLine {
                    branch_id: b.id,
                    present: b.members,
                    excused: 0,
                }
            })
            .collect();
        let base = |topic: &str, venue: i64| NewMeeting {
            kind: Some(MeetingKind::ThemeDay),
            date: Some(d("2026-11-20")),
            topic: topic.into(),
            venue_id: Some(venue),
            ..Default::default()
        };
        let g = committee.grant::<RecordLife>().unwrap();

        // 东村's venue is not 西村第一党支部's: refused for it, nothing written for either.
        let e = meetings::record_joint(
            &app,
            &g,
            &home,
            &base("联合主题党日（村）", village),
            &lines,
        )
        .await
        .unwrap_err();
        assert!(e.to_string().contains("西村第一党支部"), "{e}");
        assert!(!e.to_string().contains("东村党支部："), "{e}");
        let held = jiceng_store::venues::meetings_at(
            &mut app.store().acquire().await.unwrap(),
            village,
            2026,
        )
        .await
        .unwrap();
        assert!(held.is_empty(), "all or nothing");

        // The township's venue: each branch's meeting names it, its name the place.
        let done = meetings::record_joint(&app, &g, &home, &base("联合主题党日", town), &lines)
            .await
            .unwrap();
        assert_eq!(done.len(), 2);
        for r in &done {
            let m = meetings::get(&app, &committee, r.id).await.unwrap();
            assert_eq!(m.venue_id, Some(town));
            assert_eq!(m.venue.as_deref(), Some("镇党群服务中心"));
        }
        let detail = venues::get(&app, &home, town, Some(2026)).await.unwrap();
        assert_eq!(detail.by_quarter[3].len(), 2);
    }
);
