//! 活动场所 and 村（社区）书记报酬 on SQLite and PostgreSQL, judged on 2026-12-05 (the
//! fourth quarter running): the township's committee records 东村's venue and 西村's (used
//! by 西村党总支 and its first branch); meetings name them; 西村's stands empty in the
//! second quarter (铁将军把门) until a ledger imported names it by its 地点; the running
//! quarter is never flagged; a place that names no venue is kept as text with a note.
//! Remuneration: 东村's secretary is paid below the shipped standard until the department
//! sets its own.

mod common;

use common::*;
use jiceng_app::access::{Actor, RecordLife, RecordPay, RecordVenues, Role, SetRules};
use jiceng_app::import::ImportOptions;
use jiceng_app::meetings::NewMeeting;
use jiceng_app::venues::{self, Shown, VenueForm};
use jiceng_app::AppError;
use jiceng_domain::venue::QuarterState;
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

fn venue_refused(e: &AppError) -> bool {
    matches!(e, AppError::Meeting(r) if r.iter().any(|x| matches!(x, jiceng_app::meetings::RecordError::Venue(_))))
}

fn theme(date: &str, topic: &str, venue: Option<i64>) -> NewMeeting {
    NewMeeting {
        kind: Some(MeetingKind::ThemeDay),
        date: Some(d(date)),
        topic: topic.into(),
        expected: Some(3),
        present: Some(3),
        excused: Some(0),
        venue_id: venue,
        ..Default::default()
    }
}

contract_test!(
    a_venue_unused_for_a_quarter_is_flagged_and_the_running_quarter_is_not,
    |db: TestDb| async move {
        let app = on(&db, "2026-12-05");
        let dir = Dir::new("venues");
        load_township(&app, &dir, false).await;
        let township = sys_org(&app, "T001").await;
        let committee = staff(&township, Role::Committee, "zuzhi");
        let rec = committee.grant::<RecordVenues>().unwrap();
        let dong = org(&app, &committee, "T002").await.unwrap();
        let xi = org(&app, &committee, "T003").await.unwrap();
        let xi1 = org(&app, &committee, "T004").await.unwrap();
        let jiguan = org(&app, &committee, "T005").await.unwrap();

        // Refused on their fields.
        let e = venues::record(&app, &rec, &dong, &VenueForm::default())
            .await
            .unwrap_err();
        assert_eq!(field(&e), "name");
        let outside = VenueForm {
            name: "东村党群服务中心".into(),
            address: "东村村委会院内".into(),
            users: vec![jiguan.org.id],
            ..Default::default()
        };
        let e = venues::record(&app, &rec, &dong, &outside)
            .await
            .unwrap_err();
        assert_eq!(field(&e), "users", "镇机关 is not of 东村's subtree");

        let a = venues::record(
            &app,
            &rec,
            &dong,
            &VenueForm {
                name: "东村党群服务中心".into(),
                address: "东村村委会院内".into(),
                area: Some(320),
                facilities: vec!["党员活动室".into(), "meeting_room".into()],
                shared_with: Some("村民议事、老年活动".into()),
                opened_on: Some(d("2025-01-01")),
                users: vec![],
            },
        )
        .await
        .unwrap();
        let b = venues::record(
            &app,
            &rec,
            &xi,
            &VenueForm {
                name: "西村党群服务中心".into(),
                address: "西村中心街8号".into(),
                area: Some(180),
                facilities: vec!["图书室".into()],
                shared_with: None,
                opened_on: Some(d("2025-03-01")),
                users: vec![xi.org.id, xi1.org.id],
            },
        )
        .await
        .unwrap();

        // The meetings that name them: 东村 in every ended quarter, 西村第一党支部 in the
        // first and third only.
        let life = |o: &jiceng_app::OrgRecord| staff(o, Role::Secretary, "sec");
        let dong_sec = life(&dong);
        let g = dong_sec.grant::<RecordLife>().unwrap();
        for (day, topic) in [
            ("2026-02-10", "学习新春讲话"),
            ("2026-05-10", "五月主题党日"),
            ("2026-08-10", "八月主题党日"),
        ] {
            jiceng_app::meetings::record(&app, &g, &dong, &theme(day, topic, Some(a)))
                .await
                .unwrap();
        }
        let xi1_sec = life(&xi1);
        let g1 = xi1_sec.grant::<RecordLife>().unwrap();
        let first = jiceng_app::meetings::record(
            &app,
            &g1,
            &xi1,
            &theme("2026-01-20", "一月主题党日", Some(b)),
        )
        .await
        .unwrap();
        jiceng_app::meetings::record(
            &app,
            &g1,
            &xi1,
            &theme("2026-09-20", "九月主题党日", Some(b)),
        )
        .await
        .unwrap();
        // The venue's name is the place when none is written; the view names the venue.
        let view = jiceng_app::meetings::get(&app, &xi1_sec, first.id)
            .await
            .unwrap();
        assert_eq!(view.venue.as_deref(), Some("西村党群服务中心"));
        assert_eq!(view.venue_id, Some(b));
        // A venue the org does not use is refused on its field; so is one before it opened.
        let jiguan_sec = life(&jiguan);
        let e = jiceng_app::meetings::record(
            &app,
            &jiguan_sec.grant().unwrap(),
            &jiguan,
            &theme("2026-03-03", "机关主题党日", Some(a)),
        )
        .await
        .unwrap_err();
        assert!(venue_refused(&e), "{e:?}");
        let e = jiceng_app::meetings::record(
            &app,
            &g1,
            &xi1,
            &theme("2025-02-03", "开放前的主题党日", Some(b)),
        )
        .await
        .unwrap_err();
        assert!(venue_refused(&e), "{e:?}");
        // 西村第一党支部 picks from 西村's venue (its own use); 东村's is not offered.
        let choices = venues::usable(&app, &xi1).await.unwrap();
        assert_eq!(
            choices.iter().map(|c| c.id).collect::<Vec<_>>(),
            vec![b],
            "{choices:?}"
        );

        // The township's list: 西村's is flagged for the second quarter only; the fourth
        // (running) is not judged.
        let l = venues::list(
            &app,
            &org(&app, &committee, "T001").await.unwrap(),
            None,
            Shown::All,
        )
        .await
        .unwrap();
        assert_eq!(l.year, 2026);
        assert_eq!(l.venues.len(), 2);
        assert_eq!(l.flagged, 1);
        let row =
            |l: &venues::VenueList, id: i64| l.venues.iter().find(|v| v.id == id).unwrap().clone();
        let ra = row(&l, a);
        assert_eq!(
            ra.quarters,
            [
                QuarterState::Used(1),
                QuarterState::Used(1),
                QuarterState::Used(1),
                QuarterState::Running
            ]
        );
        assert!(!ra.flagged());
        assert_eq!(ra.last_held, Some(d("2026-08-10")));
        assert_eq!(ra.facility_labels, vec!["党员活动室", "会议室"]);
        let rb = row(&l, b);
        assert_eq!(
            rb.quarters,
            [
                QuarterState::Used(1),
                QuarterState::Idle,
                QuarterState::Used(1),
                QuarterState::Running
            ]
        );
        assert_eq!(rb.last_held, Some(d("2026-09-20")));
        let idle = venues::list(&app, &township, None, Shown::Idle)
            .await
            .unwrap();
        assert_eq!(
            idle.venues.iter().map(|v| v.id).collect::<Vec<_>>(),
            vec![b]
        );
        // 2025: 东村's venue stood empty from its first quarter (no meeting recorded then);
        // 西村's opened on 1 March, so its first quarter is not judged.
        let l25 = venues::list(&app, &township, Some(2025), Shown::All)
            .await
            .unwrap();
        assert_eq!(row(&l25, a).quarters[0], QuarterState::Idle);
        assert_eq!(row(&l25, b).quarters[0], QuarterState::NotInUse);
        assert_eq!(row(&l25, b).quarters[1], QuarterState::Idle);
        // A village's list holds its own venue only.
        let own = venues::list(&app, &dong, None, Shown::All).await.unwrap();
        assert_eq!(own.venues.len(), 1);

        // A ledger imported names 西村's venue by its 地点 for the second quarter; a place
        // that names no venue is kept as text, with a note.
        let p = dir.file("台账.xlsx");
        let mut named = ledger_row(
            "西村第一党支部",
            "主题党日",
            s("2026-06-18"),
            "六月主题党日",
            [3.0, 3.0, 0.0],
            0.0,
            "否",
        );
        named[8] = s("西村党群服务中心");
        let mut field_row = ledger_row(
            "西村第一党支部",
            "党小组会",
            s("2026-06-20"),
            "田间学习",
            [3.0, 3.0, 0.0],
            0.0,
            "否",
        );
        field_row[1] = s("主题党日");
        field_row[8] = s("田间地头");
        xlsx(&p, "台账", &LEDGER_HEADER, &[Some(named), Some(field_row)]);
        let r = import_clean(&app, Kind::Meetings, &p, &ImportOptions::default()).await;
        assert_eq!(r.written, 2);
        assert_eq!(r.notes.len(), 1, "{:?}", r.notes);
        assert!(r.notes[0].message.contains("田间地头"), "{:?}", r.notes);
        let l = venues::list(&app, &township, None, Shown::All)
            .await
            .unwrap();
        assert_eq!(row(&l, b).quarters[1], QuarterState::Used(1));
        assert_eq!(l.flagged, 0);

        // The venue's page: the orgs using it, the meetings by quarter.
        let detail = venues::get(&app, &township, b, None).await.unwrap();
        assert_eq!(detail.users.len(), 2);
        assert_eq!(
            detail.by_quarter.iter().map(Vec::len).collect::<Vec<_>>(),
            vec![1, 1, 1, 0]
        );
        assert_eq!(detail.by_quarter[1][0].topic, "六月主题党日");
        // Outside a village's scope: not found.
        let e = venues::get(&app, &dong, b, None).await.unwrap_err();
        assert!(matches!(e, AppError::NotFound(_)), "{e:?}");

        // Edited, then retired: no meeting may name it after.
        venues::update(
            &app,
            &rec,
            &township,
            a,
            &VenueForm {
                name: "东村党群服务中心".into(),
                address: "东村村委会院内".into(),
                area: Some(400),
                facilities: vec!["党员活动室".into()],
                opened_on: Some(d("2025-01-01")),
                ..Default::default()
            },
        )
        .await
        .unwrap();
        venues::retire(&app, &rec, &township, a, Some(d("2026-11-30")))
            .await
            .unwrap();
        let e = venues::retire(&app, &rec, &township, a, None)
            .await
            .unwrap_err();
        assert_eq!(field(&e), "retired_on");
        let e =
            jiceng_app::meetings::record(&app, &g, &dong, &theme("2026-12-01", "十二月", Some(a)))
                .await
                .unwrap_err();
        assert!(venue_refused(&e), "{e:?}");
        let detail = venues::get(&app, &township, a, None).await.unwrap();
        assert_eq!(detail.venue.area, Some(400));
        assert_eq!(detail.venue.retired_on, Some(d("2026-11-30")));
        assert_eq!(detail.venue.status_label(), "已停用");

        // The secretary keeps his own village's venues, not another's.
        let sec_rec = dong_sec.grant::<RecordVenues>().unwrap();
        let own_dong = org(&app, &dong_sec, "T002").await.unwrap();
        venues::record(
            &app,
            &sec_rec,
            &own_dong,
            &VenueForm {
                name: "东村文化礼堂".into(),
                address: "东村南头".into(),
                ..Default::default()
            },
        )
        .await
        .unwrap();
        assert!(org(&app, &dong_sec, "T003").await.is_err());

        let log = format!("{:?}", audit_log(&app).await);
        for action in ["venue_record", "venue_update", "venue_retire"] {
            assert!(log.contains(action) || log.contains("Venue"), "{action}");
        }
    }
);

contract_test!(
    remuneration_below_the_standard_is_listed,
    |db: TestDb| async move {
        let app = on(&db, "2026-12-05");
        let dir = Dir::new("pay");
        load_township(&app, &dir, false).await;
        let township = sys_org(&app, "T001").await;
        let committee = staff(&township, Role::Committee, "zuzhi");
        let pay = committee.grant::<RecordPay>().unwrap();
        assert!(staff(&township, Role::Secretary, "s")
            .grant::<RecordPay>()
            .is_err());
        let dong = org(&app, &committee, "T002").await.unwrap();
        let xi = org(&app, &committee, "T003").await.unwrap();
        let jiguan = org(&app, &committee, "T005").await.unwrap();

        let e = venues::record_pay(&app, &pay, &jiguan, Some(2025), Some(50_000), "财政")
            .await
            .unwrap_err();
        assert_eq!(field(&e), "org", "镇机关 is no village");
        let e = venues::record_pay(&app, &pay, &dong, Some(2025), Some(0), "财政")
            .await
            .unwrap_err();
        assert_eq!(field(&e), "amount");
        let e = venues::record_pay(&app, &pay, &dong, Some(2027), Some(1), "财政")
            .await
            .unwrap_err();
        assert_eq!(field(&e), "year");
        venues::record_pay(&app, &pay, &dong, Some(2025), Some(20_000), "财政补贴")
            .await
            .unwrap();
        // Recorded again: the later record stands.
        venues::record_pay(
            &app,
            &pay,
            &dong,
            Some(2025),
            Some(30_000),
            "财政补贴+集体经济",
        )
        .await
        .unwrap();
        venues::record_pay(&app, &pay, &xi, Some(2025), Some(40_000), "财政补贴")
            .await
            .unwrap();

        // The shipped standard (村 36,000 元): 东村 below, 西村 not. Last year by default.
        let l = venues::pays(&app, &township, None).await.unwrap();
        assert_eq!(l.year, 2025);
        assert_eq!(l.rows.len(), 2);
        assert_eq!(l.below, 1);
        assert_eq!(l.rows[0].org.name, "东村党支部");
        assert_eq!(l.rows[0].amount, 30_000);
        assert_eq!(l.rows[0].standard, Some(36_000));
        assert!(l.rows[0].below);
        assert!(l.standard.set_by.is_none());
        assert!(
            l.standard_text().contains("本地示例"),
            "{}",
            l.standard_text()
        );

        // The department sets its own: nobody is below it.
        let e = venues::set_pay_standard(
            &app,
            &dept().grant::<SetRules>().unwrap(),
            Some(2025),
            Some(0),
            Some(1),
        )
        .await
        .unwrap_err();
        assert_eq!(field(&e), "standard");
        assert!(committee.grant::<SetRules>().is_err());
        let s = venues::set_pay_standard(
            &app,
            &dept().grant::<SetRules>().unwrap(),
            Some(2025),
            Some(25_000),
            Some(40_000),
        )
        .await
        .unwrap();
        assert_eq!(s.rules.village_min_yuan, 25_000);
        assert_eq!(s.set_by.as_ref().map(|b| b.0.as_str()), Some("zzb"));
        let l = venues::pays(&app, &township, Some(2025)).await.unwrap();
        assert_eq!(l.below, 0);

        // The report owns its sheets: the venues and the remuneration.
        let r = venues::report(&app, &township, 2025).await.unwrap();
        let sheets = r.to_sheets();
        assert_eq!(sheets.len(), 2);
        assert_eq!(sheets[1].rows.len(), 2);

        let log = format!("{:?}", audit_log(&app).await);
        assert!(log.contains("secretary_pay") || log.contains("SecretaryPay"));
    }
);
