//! 党员教育培训学时 on the fixtures' township (today 2026-12-15), on SQLite and PostgreSQL.
//!
//! 东村党支部 (T002, 8 members; 南村 T006 below it, 3 more) records two trainings: one of
//! 16 学时 for all 8, one online crediting 赵一 (书记) and 孙三 (组织委员) 24 and 钱二 16.
//! So 赵一 and 孙三 have 40 (they owe 56: short), 钱二 32 (owes 32: done), the rest 16.
//! 南村 (T006, 3 members) recorded nothing: 暂无数据, neither done nor short. Counted by
//! hand: T002's subtree 11 members, 1 done, 7 short, 3 unrecorded; leading 3 (赵一, 孙三,
//! 沈丁 of T006), 2 short; branch secretaries 2 (赵一, 沈丁), none flagged untrained (沈丁's
//! branch recorded nothing); hours 8×16 + 24 + 16 + 24 = 192. The township (17 members) has
//! 7 short (only 东村 recorded), 10 unrecorded.

mod common;

use common::*;
use jiceng_app::access::{Actor, Grant, RecordTraining, Role, Write};
use jiceng_app::training::staff::{self, StaffInput};
use jiceng_app::training::{self, TrainingInput};
use jiceng_app::{browse, rating, AppError};
use jiceng_store::contract_test;
use jiceng_store::testing::TestDb;

fn input(title: &str, on: &str, hours: &str, attendees: Vec<i64>) -> TrainingInput {
    TrainingInput {
        title: title.into(),
        organiser: "测试镇党委组织办".into(),
        starts_on: d(on),
        ends_on: d(on),
        hours: hours.into(),
        mode: "线下".into(),
        attendees,
        credited: Default::default(),
    }
}

fn field(r: jiceng_app::Result<i64>) -> &'static str {
    match r {
        Err(AppError::MemberLife(e)) => e.field,
        other => panic!("{other:?}"),
    }
}

contract_test!(
    hours_are_counted_per_member_and_up_the_tree,
    |db: TestDb| async move {
        let app = app(&db);
        let dir = Dir::new("training");
        load_township(&app, &dir, false).await;
        let dong = sys_org(&app, "T002").await;
        let sec = Actor::for_test(31, "sec-dong", Role::Secretary).at(dong.org.id, &dong.path);
        let grant: Grant<RecordTraining> = sec.grant().unwrap();
        let names = [
            "赵一", "钱二", "孙三", "李四", "周五", "吴六", "郑七", "王八",
        ];
        let mut all = Vec::new();
        for n in names {
            all.push(member_named(&app, n).await);
        }
        let (zhao, qian, sun) = (all[0], all[1], all[2]);
        training::record(
            &app,
            &grant,
            &dong,
            &TrainingInput {
                ends_on: d("2026-03-02"),
                ..input(
                    "学习党的二十届四中全会精神",
                    "2026-03-01",
                    "16",
                    all.clone(),
                )
            },
        )
        .await
        .unwrap();
        let mut online = TrainingInput {
            mode: "online".into(),
            ..input("网络培训专题班", "2026-06-01", "24", vec![zhao, qian, sun])
        };
        online.credited.insert(qian, "16".into());
        training::record(&app, &grant, &dong, &online)
            .await
            .unwrap();

        let o = training::overview(&app, &dong, 2026).await.unwrap();
        let t = o.total.tally;
        assert_eq!((t.members, t.met, t.short, t.unrecorded), (11, 1, 7, 3));
        assert_eq!((t.leading, t.leading_short), (3, 2));
        assert_eq!((t.branch_secretaries, t.secretaries_untrained), (2, 0));
        assert_eq!((t.attended, t.hours), (8, 1920));
        assert!(o.running);
        assert!(o.total.status.starts_with("进行中"), "{}", o.total.status);
        // 南村 (T006) recorded nothing and nobody of it attended: 暂无数据, not a failure.
        let nan = o.children.iter().find(|c| c.code == "T006").unwrap();
        assert_eq!((nan.status.as_str(), nan.met_share), ("暂无数据", None));

        // A secretary with 40 学时 is flagged, a member with 32 is not; before the year
        // ends it is progress (还差), not 未达标.
        let town = sys_org(&app, "T001").await;
        let r = training::report(&app, &town, 2026).await.unwrap();
        assert_eq!((r.short_total, r.short.len()), (7, 7));
        assert!(
            r.short.iter().all(|p| p.name != "沈丁"),
            "南村 recorded nothing"
        );
        assert!(r.short.iter().all(|p| p.name != "钱二"));
        let z = r.short.iter().find(|p| p.name == "赵一").unwrap();
        assert_eq!(
            (z.hours.as_str(), z.required.as_str(), z.standing.as_str()),
            ("40", "56", "还差16学时")
        );
        assert!(z.leading && z.id_number.contains('*'), "ID masked");
        let child = |code: &str| r.overview.children.iter().find(|c| c.code == code).unwrap();
        assert_eq!(child("T002").tally.short, 7);
        assert_eq!(
            (child("T003").tally.short, child("T003").status.as_str()),
            (0, "暂无数据")
        );
        assert_eq!(child("T005").status, "暂无数据");
        let st = &r.overview.staffing;
        assert_eq!((st.secretaries, st.secretaries_untrained), (3, 0));
        assert_eq!(r.to_sheets()[1].rows.len(), 7);

        // 本月待办 and the member page.
        assert_eq!(
            training::short_this_year(&app, &dong).await.unwrap(),
            Some(7)
        );
        use training::DueTraining;
        let due = |code: &'static str| {
            let app = app.clone();
            async move {
                let org = sys_org(&app, code).await;
                training::due_this_year(&app, &org).await.unwrap()
            }
        };
        assert_eq!(due("T002").await, Some(DueTraining::Short(7)));
        assert_eq!(due("T006").await, Some(DueTraining::NothingRecorded));
        let page = browse::member_view(&app, &sec, zhao).await.unwrap();
        let mine = page.training.unwrap();
        assert_eq!(
            (mine.hours.as_str(), mine.standing.as_str()),
            ("40", "还差16学时")
        );
        assert_eq!(mine.trainings.len(), 2);
        assert_eq!(mine.trainings[0].1, "24");
        let page = browse::member_view(&app, &sec, qian).await.unwrap();
        assert!(page.training.unwrap().met);

        // After the year: 未达标, and the rating indicator is scored from the stored tally
        // (1 of the 8 whose branch recorded hours = 12.5), where before it was 暂无数据.
        let later = on(&db, "2027-01-10");
        let r = training::report(&later, &sys_org(&later, "T001").await, 2026)
            .await
            .unwrap();
        let z = r.short.iter().find(|p| p.name == "赵一").unwrap();
        assert_eq!(z.standing, "未达标（差16学时）");
        assert!(!r.overview.running);
        let rated = rating::org_rating(&later, &sys_org(&later, "T002").await, 2026)
            .await
            .unwrap();
        let ind = rated
            .current
            .indicators
            .iter()
            .find(|i| i.code == "TrainingHours")
            .unwrap();
        assert_eq!(ind.score, Some(12.5), "{}", ind.evidence);
        let now = rating::org_rating(&app, &dong, 2026).await.unwrap();
        let ind = now
            .current
            .indicators
            .iter()
            .find(|i| i.code == "TrainingHours")
            .unwrap();
        assert_eq!(ind.score, None, "the running year is not scored");
        let t005 = rating::org_rating(&later, &sys_org(&later, "T005").await, 2026)
            .await
            .unwrap();
        let ind = t005
            .current
            .indicators
            .iter()
            .find(|i| i.code == "TrainingHours")
            .unwrap();
        assert_eq!(
            (ind.score, ind.evidence.as_str()),
            (None, "暂无数据：尚未记录党员教育培训学时")
        );

        // Refusals: a member of another branch, hours in hundredths, the same training
        // twice, a training in the future; a secretary of another branch sees no 东村.
        let chu = member_named(&app, "褚甲").await;
        assert_eq!(
            field(
                training::record(
                    &app,
                    &grant,
                    &dong,
                    &input("x", "2026-04-01", "2", vec![chu])
                )
                .await
            ),
            "attendees"
        );
        assert_eq!(
            field(
                training::record(
                    &app,
                    &grant,
                    &dong,
                    &input("x", "2026-04-01", "2.25", vec![zhao])
                )
                .await
            ),
            "hours"
        );
        assert_eq!(
            field(training::record(&app, &grant, &dong, &online).await),
            "title"
        );
        assert_eq!(
            field(
                training::record(
                    &app,
                    &grant,
                    &dong,
                    &input("x", "2026-12-20", "2", vec![zhao])
                )
                .await
            ),
            "starts_on"
        );
        let jiguan = sys_org(&app, "T005").await;
        let other = Actor::for_test(32, "sec-jg", Role::Secretary).at(jiguan.org.id, &jiguan.path);
        assert!(by_id(&app, &other, dong.org.id).await.is_err());
        assert!(Actor::for_test(33, "insp", Role::Inspector)
            .grant::<RecordTraining>()
            .is_err());

        // The overview reads the stored tallies, one row per org, not the member rows: with
        // the attendance rows gone the figures stand until the next refresh.
        exec(&app, "DELETE FROM training_attendance").await;
        let stored = training::overview(&app, &town, 2026).await.unwrap();
        assert_eq!(
            (
                stored.total.tally.members,
                stored.total.tally.short,
                stored.total.tally.hours
            ),
            (17, 7, 1920)
        );
        let mut tx = app.store().begin().await.unwrap();
        jiceng_store::training::refresh(&mut tx, &app.rules, &[dong.org.id], 2026)
            .await
            .unwrap();
        tx.commit().await.unwrap();
        let none = training::overview(&app, &town, 2026).await.unwrap();
        assert_eq!(
            (none.total.tally.attended, none.total.status.as_str()),
            (0, "暂无数据")
        );
        training::record(
            &app,
            &grant,
            &dong,
            &TrainingInput {
                ends_on: d("2026-03-02"),
                ..input(
                    "学习党的二十届四中全会精神（补录）",
                    "2026-03-01",
                    "16",
                    all.clone(),
                )
            },
        )
        .await
        .unwrap();
        online.title = "网络培训专题班（补录）".into();
        training::record(&app, &grant, &dong, &online)
            .await
            .unwrap();

        // A roster change is counted: 王八 leaves 东村 (exit) → 10 members, 6 short.
        exec(
            &app,
            &format!(
                "UPDATE member SET exited_on = '2026-12-01' WHERE id = {}",
                all[7]
            ),
        )
        .await;
        let mut tx = app.store().begin().await.unwrap();
        jiceng_store::facts::refresh(&mut tx, &app.rules, &[dong.org.id], app.today())
            .await
            .unwrap();
        tx.commit().await.unwrap();
        let t = training::overview(&app, &dong, 2026)
            .await
            .unwrap()
            .total
            .tally;
        assert_eq!((t.members, t.short, t.hours), (10, 6, 1760));
    }
);

contract_test!(
    a_township_committee_short_of_party_building_staff,
    |db: TestDb| async move {
        let app = app(&db);
        let dir = Dir::new("training-staff");
        load_township(&app, &dir, false).await;
        let town = sys_org(&app, "T001").await;
        let grant: Grant<Write> = dept().grant().unwrap();
        let st = training::overview(&app, &town, 2026)
            .await
            .unwrap()
            .staffing;
        assert_eq!((st.min, st.townships_total, st.townships_short), (2, 1, 1));
        let appoint = |name: &str, role: &str| StaffInput {
            action: "appoint".into(),
            name: name.into(),
            role: role.into(),
            on: d("2026-02-01"),
            staff_id: None,
        };
        staff::record(&app, &grant, &town, &appoint("组织员甲", "组织员"))
            .await
            .unwrap();
        let st = training::overview(&app, &town, 2026)
            .await
            .unwrap()
            .staffing;
        assert_eq!((st.townships[0].organizers, st.townships_short), (1, 1));
        staff::record(&app, &grant, &town, &appoint("指导员乙", "党建指导员"))
            .await
            .unwrap();
        let st = training::overview(&app, &town, 2026)
            .await
            .unwrap()
            .staffing;
        assert_eq!(
            (
                st.townships[0].organizers,
                st.townships[0].instructors,
                st.townships_short
            ),
            (1, 1, 0)
        );
        // A 联络员 does not count; ending a post makes the committee short again.
        staff::record(&app, &grant, &town, &appoint("联络员丙", "联络员"))
            .await
            .unwrap();
        let listed = staff::of_org(&app, &town).await.unwrap();
        assert_eq!(listed.len(), 3);
        let end = StaffInput {
            action: "end".into(),
            on: d("2026-11-30"),
            staff_id: Some(listed[0].id),
            ..StaffInput::default()
        };
        staff::record(&app, &grant, &town, &end).await.unwrap();
        let st = training::overview(&app, &town, 2026)
            .await
            .unwrap()
            .staffing;
        assert_eq!(st.townships_short, 1);
        let bad = StaffInput {
            role: "书记".into(),
            ..appoint("某人", "")
        };
        assert!(matches!(
            staff::record(&app, &grant, &town, &bad).await,
            Err(AppError::MemberLife(_))
        ));
        // A branch holds no township: nothing to check there.
        let dong = sys_org(&app, "T002").await;
        let st = training::overview(&app, &dong, 2026)
            .await
            .unwrap()
            .staffing;
        assert_eq!(st.townships_total, 0);
    }
);

contract_test!(
    a_sign_in_list_is_imported_all_or_nothing,
    |db: TestDb| async move {
        use jiceng_app::import::{self, ImportOptions, NoProgress};
        let app = app(&db);
        let dir = Dir::new("training-import");
        load_township(&app, &dir, false).await;
        let dong = sys_org(&app, "T002").await;
        let sec = Actor::for_test(31, "sec-dong", Role::Secretary).at(dong.org.id, &dong.path);
        let opts = ImportOptions {
            org: Some(dong.clone()),
            actor: sec.clone(),
            ..ImportOptions::default()
        };
        let header = [
            "培训名称",
            "开始日期",
            "学时",
            "培训方式",
            "姓名",
            "身份证号",
            "本人学时",
        ];
        let zhao = id(0, d("1970-03-12"), false);
        let qian = id(1, d("1975-06-01"), true);
        let sun = id(2, d("1960-01-20"), false);
        let chu = id(10, d("1978-05-05"), false);
        let row =
            |title: &str, on: &str, hours: &str, mode: &str, name: &str, idn: &str, own: &str| {
                Some(vec![
                    s(title),
                    s(on),
                    s(hours),
                    s(mode),
                    s(name),
                    s(idn),
                    s(own),
                ])
            };
        let t = "学习贯彻全会精神";
        let bad = dir.0.join("bad.xlsx");
        xlsx(
            &bad,
            "培训签到表",
            &header,
            &[
                row(t, "2026.4.1", "4", "线下", "赵一", &zhao, ""),
                row(t, "2026.4.1", "4.25", "线下", "钱二", &qian, ""),
                row(t, "2026.4.1", "4", "线下", "褚甲", &chu, ""),
                row(t, "2026.4.1", "4", "线下", "赵一", &zhao, ""),
                row(t, "2026.4.1", "4", "广播", "孙三", &sun, ""),
            ],
        );
        let r = import::training::run(&app, &bad, &opts, &NoProgress)
            .await
            .unwrap();
        let at: Vec<(usize, &str)> = r
            .errors
            .iter()
            .map(|e| (e.row, e.column.as_str()))
            .collect();
        assert_eq!(
            at,
            vec![
                (4, "学时"),
                (5, "身份证号"),
                (6, "身份证号"),
                (7, "培训方式")
            ],
            "{:?}",
            r.errors
        );
        assert_eq!(r.written, 0);
        let tally = training::overview(&app, &dong, 2026)
            .await
            .unwrap()
            .total
            .tally;
        assert_eq!(tally.attended, 0, "nothing written");

        let good = dir.0.join("good.xlsx");
        xlsx(
            &good,
            "培训签到表",
            &header,
            &[
                row(t, "2026.4.1", "4", "线下", "赵一", &zhao, ""),
                row(t, "2026.4.1", "4", "线下", "钱二", &qian, "2"),
                row(t, "2026.4.1", "4", "线下", "孙三", &sun, ""),
                row(
                    "网络专题培训",
                    "2026-05-10",
                    "3.5",
                    "线上",
                    "赵一",
                    &zhao,
                    "",
                ),
            ],
        );
        let r = import::training::run(&app, &good, &opts, &NoProgress)
            .await
            .unwrap();
        assert!(r.errors.is_empty(), "{:?}", r.errors);
        assert_eq!(r.written, 4);
        let o = training::org_year(&app, &dong, 2026).await.unwrap();
        // 赵一 4 + 3.5, 钱二 2 (her own hours), 孙三 4: 13.5 学时.
        assert_eq!(
            (
                o.overview.total.tally.attended,
                o.overview.total.tally.hours
            ),
            (3, 135)
        );
        let z = o.people.iter().find(|p| p.name == "赵一").unwrap();
        assert_eq!(z.hours, "7.5");
        assert_eq!(o.trainings.len(), 2);
        // The same list again adds nothing.
        let r = import::training::run(&app, &good, &opts, &NoProgress)
            .await
            .unwrap();
        assert_eq!((r.written, r.unchanged, r.errors.len()), (0, 4, 0));
    }
);
