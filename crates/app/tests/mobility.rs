//! 流动党员 and 失联党员 on the fixtures' township (today 2026-12-15), on SQLite and
//! PostgreSQL: a member away since 7 months ago is flagged for a transfer, one away 3 months
//! is not; a member lost since 8 months ago is proposed for suspension, and once the branch
//! decides, not again; nothing is done by the system; back and found close the spells.

mod common;

use common::*;
use jiceng_app::access::{Actor, Role};
use jiceng_app::mobility::{self, MobilityInput};
use jiceng_app::{browse, AppError};
use jiceng_store::contract_test;
use jiceng_store::testing::TestDb;

fn act(action: &str, on: &str) -> MobilityInput {
    MobilityInput {
        action: action.into(),
        on: d(on),
        ..MobilityInput::default()
    }
}

contract_test!(
    the_branch_is_told_what_the_rules_ask_and_decides,
    |db: TestDb| async move {
        let app = app(&db);
        let dir = Dir::new("mobility");
        load_township(&app, &dir, false).await;
        let dong = sys_org(&app, "T002").await;
        let sec = Actor::for_test(31, "sec-dong", Role::Secretary).at(dong.org.id, &dong.path);
        let grant = sec.grant().unwrap();
        let id = |name: &'static str| member_named(&app, name);
        let (li, qian, zheng) = (id("李四").await, id("钱二").await, id("郑七").await);
        let away = |on: &str| MobilityInput {
            place: Some("浙江省宁波市某电子厂".into()),
            contact: Some("13900001234".into()),
            certificate_no: Some("流证2026-031".into()),
            ..act("away", on)
        };
        mobility::record(&app, &grant, li, &away("2026-05-10"))
            .await
            .unwrap();
        mobility::record(&app, &grant, qian, &away("2026-09-01"))
            .await
            .unwrap();
        mobility::record(&app, &grant, zheng, &act("lost", "2026-04-01"))
            .await
            .unwrap();
        let m = mobility::mobility(&app, &dong).await.unwrap();
        assert_eq!((m.away.len(), m.lost.len()), (2, 1));
        assert_eq!((m.transfer_due, m.suspension, m.removal), (1, 1, 0));
        // The township's report counts them under 东村党支部.
        let town = mobility::mobility(&app, &sys_org(&app, "T001").await)
            .await
            .unwrap();
        let row = town.by_child.iter().find(|c| c.code == "T002").unwrap();
        let c = &row.counts;
        assert_eq!((c.away, c.transfer_due, c.lost, c.suspension), (2, 1, 1, 1));
        assert_eq!(town.to_sheets()[1].rows.len(), 3);
        let flagged = m.away.iter().find(|s| s.proposal.is_some()).unwrap();
        assert_eq!(flagged.name, "李四");
        assert_eq!(
            flagged.contact.as_deref(),
            Some("139****1234"),
            "the phone masked"
        );
        // Nothing is done by the system: still on the roll, in their branch.
        assert_eq!(sys_org(&app, "T002").await.facts.direct_members, 8);
        let page = browse::member_view(&app, &sec, li).await.unwrap();
        assert!(page.mobile && page.mobility.len() == 1);

        // Refusals: away twice, suspension before 6 months lost, an unknown action.
        let refused = |r: jiceng_app::Result<()>| match r {
            Err(AppError::MemberLife(e)) => e.field,
            other => panic!("{other:?}"),
        };
        assert_eq!(
            refused(mobility::record(&app, &grant, li, &away("2026-06-01")).await),
            "action"
        );
        let early = MobilityInput {
            decided_by: Some("东村党支部党员大会".into()),
            ..act("suspend", "2026-09-30")
        };
        assert_eq!(
            refused(mobility::record(&app, &grant, zheng, &early).await),
            "on"
        );
        assert_eq!(
            refused(mobility::record(&app, &grant, li, &act("fly", "2026-06-01")).await),
            "action"
        );

        // The branch decides the suspension: no longer proposed (removal only 2 years on).
        let decided = MobilityInput {
            decided_by: Some("东村党支部党员大会".into()),
            document: Some("东支〔2026〕3号".into()),
            ..act("suspend", "2026-12-10")
        };
        mobility::record(&app, &grant, zheng, &decided)
            .await
            .unwrap();
        let later = on(&db, "2028-12-10");
        let m = mobility::mobility(&later, &sys_org(&later, "T002").await)
            .await
            .unwrap();
        assert_eq!(
            m.removal, 1,
            "2 years after the suspension, removal is proposed"
        );
        let m = mobility::mobility(&app, &dong).await.unwrap();
        assert_eq!((m.suspension, m.removal), (0, 0));
        // Back and found close the spells; the member's flags follow.
        mobility::record(&app, &grant, li, &act("back", "2026-12-01"))
            .await
            .unwrap();
        mobility::record(&app, &grant, zheng, &act("found", "2026-12-12"))
            .await
            .unwrap();
        let m = mobility::mobility(&app, &dong).await.unwrap();
        assert_eq!((m.away.len(), m.lost.len()), (1, 0));
        let page = browse::member_view(&app, &sec, li).await.unwrap();
        assert!(!page.mobile);
        assert_eq!(page.mobility[0].until, Some(d("2026-12-01")));
        // A roster that carried the flag alone (生成或旧台账): listed with no start, nothing
        // proposed (unknown is not "6 months"), until the branch records the start.
        exec(&app, "UPDATE member SET mobile = 1 WHERE name = '冯九'").await;
        let town = mobility::mobility(&app, &sys_org(&app, "T001").await)
            .await
            .unwrap();
        let feng = town.away.iter().find(|s| s.name == "冯九").unwrap();
        assert_eq!((feng.since, feng.proposal), (None, None));
        assert_eq!((town.away_total, town.transfer_due), (2, 0));
        let page = browse::member_view(&app, &dept(), id("冯九").await)
            .await
            .unwrap();
        assert!(
            page.mobile && !page.away_open,
            "the page asks for the start"
        );
    }
);

contract_test!(
    lapse_is_derived_from_attendance_and_dues_and_put_to_the_branch,
    |db: TestDb| async move {
        use jiceng_app::meetings::{self, NewMeeting};
        use jiceng_domain::{AttendanceStatus as S, MeetingKind};
        let app = app(&db);
        let dir = Dir::new("lapse");
        load_township(&app, &dir, false).await;
        let dong = sys_org(&app, "T002").await;
        let sec = Actor::for_test(31, "sec-dong", Role::Secretary).at(dong.org.id, &dong.path);
        let names = [
            "赵一", "钱二", "孙三", "李四", "周五", "吴六", "郑七", "王八",
        ];
        let mut ids = Vec::new();
        for n in names {
            ids.push(member_named(&app, n).await);
        }
        let id = |n: &str| ids[names.iter().position(|x| *x == n).unwrap()];
        // Theme days in July and October (the window is June to November): 郑七 absent at
        // both, 吴六 at July's only, 李四 at both but away since May (not judged here).
        let life = sec.grant::<jiceng_app::access::RecordLife>().unwrap();
        for (day, absent) in [
            ("2026-07-10", vec!["郑七", "吴六", "李四"]),
            ("2026-10-10", vec!["郑七", "李四"]),
        ] {
            let attendees = names
                .iter()
                .map(|n| {
                    (
                        id(n),
                        if absent.contains(n) {
                            S::Absent
                        } else {
                            S::Present
                        },
                        None,
                    )
                })
                .collect();
            let m = NewMeeting {
                kind: Some(MeetingKind::ThemeDay),
                date: Some(d(day)),
                topic: format!("{day}主题党日"),
                attendees,
                ..Default::default()
            };
            meetings::record(&app, &life, &dong, &m).await.unwrap();
        }
        let away = MobilityInput {
            place: Some("浙江省宁波市".into()),
            ..act("away", "2026-05-01")
        };
        mobility::record(&app, &sec.grant().unwrap(), id("李四"), &away)
            .await
            .unwrap();
        // 钱二 assessed from January, paid January to May only: June to November unpaid.
        let dues_grant = sec.grant::<jiceng_app::access::RecordDues>().unwrap();
        let base = jiceng_app::dues::BaseInput {
            from_month: "2026-01".into(),
            category: "离退休".into(),
            amount: Some("4000".into()),
        };
        jiceng_app::dues::set_base(&app, &dues_grant, id("钱二"), &base)
            .await
            .unwrap();
        let pay = jiceng_app::dues::PayInput {
            member_ids: vec![id("钱二")],
            from_month: "2026-01".into(),
            to_month: Some("2026-05".into()),
            paid_on: d("2026-05-30"),
            amount: None,
        };
        jiceng_app::dues::pay(&app, &dues_grant, &dong, &pay)
            .await
            .unwrap();

        let m = mobility::mobility(&app, &dong).await.unwrap();
        let l = &m.lapse;
        assert_eq!(
            (l.from.as_str(), l.to.as_str(), l.judged),
            ("2026-06", "2026-11", true)
        );
        let cases: Vec<(&str, &str)> = l
            .cases
            .iter()
            .flat_map(|c| c.reasons.iter().map(move |r| (c.name.as_str(), r.as_str())))
            .collect();
        assert_eq!(
            cases,
            vec![
                ("郑七", "连续6个月未参加党的组织生活"),
                ("钱二", "连续6个月未交纳党费")
            ]
        );
        // 南村党支部 (under 东村 in the fixtures) recorded no attendance: its 3 members'
        // organizational life is not judged.
        assert_eq!(l.attendance_unrecorded, 3, "{l:#?}");
        // The township: the same two; the other branches recorded no attendance (暂无数据,
        // not a lapse): 西村第一 2, 镇机关 3, 南村 3, 镇党委 1.
        let town = mobility::mobility(&app, &sys_org(&app, "T001").await)
            .await
            .unwrap();
        assert_eq!(town.lapse.cases.len(), 2);
        assert_eq!(town.lapse.attendance_unrecorded, 9);
        assert_eq!(town.to_sheets()[3].rows.len(), 2);
    }
);

contract_test!(
    a_mobile_member_takes_part_where_they_are_without_a_vote,
    |db: TestDb| async move {
        use jiceng_app::meetings::{self, NewMeeting, RecordError};
        use jiceng_app::mobile_in::{self, GuestInput};
        use jiceng_domain::{AttendanceStatus as S, MeetingKind};
        let app = app(&db);
        let dir = Dir::new("mobile-in");
        load_township(&app, &dir, false).await;
        let (dong, xi) = (sys_org(&app, "T002").await, sys_org(&app, "T004").await);
        let sec_xi = Actor::for_test(41, "sec-xi", Role::Secretary).at(xi.org.id, &xi.path);
        let sec_dong = Actor::for_test(31, "sec-dong", Role::Secretary).at(dong.org.id, &dong.path);
        let write = sec_xi.grant().unwrap();
        let li_id = id(3, d("1985-11-11"), false);
        let zheng_id = id(6, d("1968-12-30"), false);
        let wu_id = id(5, d("1955-08-08"), false);
        let guest = |name: &str, idn: &str, since: &str| GuestInput {
            name: name.into(),
            id_number: idn.into(),
            since: d(since),
            certificate_no: Some("流证2026-088".into()),
            ..GuestInput::default()
        };
        let refused = |r: jiceng_app::Result<i64>| match r {
            Err(AppError::MemberLife(e)) => e.field,
            other => panic!("{other:?}"),
        };
        // 李四 of 东村 takes part in 西村第一's life: found by the ID number, linked.
        let li = mobile_in::register(&app, &write, &xi, &guest("李四", &li_id, "2026-06-01"))
            .await
            .unwrap();
        let zheng = mobile_in::register(&app, &write, &xi, &guest("郑七", &zheng_id, "2026-06-01"))
            .await
            .unwrap();
        // Someone from outside the system: the org that holds the membership is asked for.
        let outsider = id(900, d("1990-01-01"), true);
        let without = guest("外省甲", &outsider, "2026-11-01");
        assert_eq!(
            refused(mobile_in::register(&app, &write, &xi, &without).await),
            "home_org"
        );
        let with = GuestInput {
            home_org: Some("浙江省宁波市某街道某社区党支部".into()),
            ..without.clone()
        };
        mobile_in::register(&app, &write, &xi, &with).await.unwrap();
        // Refused: again, a name that does not match the roster, the branch's own member,
        // a township (not a branch), a day to come.
        assert_eq!(
            refused(mobile_in::register(&app, &write, &xi, &with).await),
            "id_number"
        );
        assert_eq!(
            refused(
                mobile_in::register(&app, &write, &xi, &guest("吴七", &wu_id, "2026-06-01")).await
            ),
            "name"
        );
        let feng = id(8, d("1972-07-07"), false);
        assert_eq!(
            refused(
                mobile_in::register(&app, &write, &xi, &guest("冯九", &feng, "2026-06-01")).await
            ),
            "id_number"
        );
        let town = sys_org(&app, "T001").await;
        let dept_write = dept().grant().unwrap();
        assert_eq!(
            refused(
                mobile_in::register(
                    &app,
                    &dept_write,
                    &town,
                    &guest("李四", &li_id, "2026-06-01")
                )
                .await
            ),
            "org"
        );
        assert_eq!(
            refused(
                mobile_in::register(&app, &write, &xi, &guest("郑七", &zheng_id, "2027-01-01"))
                    .await
            ),
            "since"
        );

        // 西村第一's meeting: its two members on the roster, 李四 and 郑七 列席 — not in 应到
        // or 实到, and nobody's vote.
        let life = sec_xi.grant::<jiceng_app::access::RecordLife>().unwrap();
        let (feng_m, chen_m) = (
            member_named(&app, "冯九").await,
            member_named(&app, "陈十").await,
        );
        let meeting = |day: &str, guests: Vec<i64>| NewMeeting {
            kind: Some(MeetingKind::ThemeDay),
            date: Some(d(day)),
            topic: format!("{day}主题党日"),
            attendees: vec![(feng_m, S::Present, None), (chen_m, S::Absent, None)],
            guests,
            ..Default::default()
        };
        let r = meetings::record(&app, &life, &xi, &meeting("2026-08-05", vec![li, zheng]))
            .await
            .unwrap();
        assert_eq!((r.expected, r.present), (2, 1));
        let v = meetings::get(&app, &sec_xi, r.id).await.unwrap();
        let names: Vec<&str> = v.guests.iter().map(|(_, n)| n.as_str()).collect();
        assert_eq!(names, ["李四", "郑七"]);
        assert_eq!(
            sys_org(&app, "T004").await.facts.direct_members,
            2,
            "guests are not the host's members"
        );
        // Not a guest of this branch on that day: before they came; another branch's.
        let too_early = meetings::record(&app, &life, &xi, &meeting("2026-05-20", vec![li])).await;
        assert!(
            matches!(&too_early, Err(AppError::Meeting(e)) if e.iter().any(|x| matches!(x, RecordError::GuestNotThen { .. }))),
            "{too_early:?}"
        );
        let dong_life = sec_dong.grant::<jiceng_app::access::RecordLife>().unwrap();
        let elsewhere = NewMeeting {
            attendees: vec![],
            expected: Some(8),
            present: Some(8),
            ..meeting("2026-08-06", vec![li])
        };
        let r = meetings::record(&app, &dong_life, &dong, &elsewhere).await;
        assert!(
            matches!(&r, Err(AppError::Meeting(e)) if e.iter().any(|x| matches!(x, RecordError::NotGuest { .. }))),
            "{r:?}"
        );

        // The home branch sees where its member takes part.
        let page = browse::member_view(&app, &sec_dong, member_named(&app, "李四").await)
            .await
            .unwrap();
        assert_eq!(page.guest_at.len(), 1);
        assert_eq!(page.guest_at[0].org_name, "西村第一党支部");
        assert!(page
            .timeline
            .iter()
            .any(|e| e.what == "在西村第一党支部参加组织生活（流入党员）"));
        // ... and 郑七, absent at every meeting of his own branch, took part there: not a
        // lapse (his branch recorded attendance in July).
        let dong_meeting = NewMeeting {
            kind: Some(MeetingKind::ThemeDay),
            date: Some(d("2026-07-10")),
            topic: "七月主题党日".into(),
            attendees: jiceng_app::meetings::record_context(&app, &dong)
                .await
                .unwrap()
                .roster
                .iter()
                .map(|m| {
                    (
                        m.id,
                        if m.name == "郑七" {
                            S::Absent
                        } else {
                            S::Present
                        },
                        None,
                    )
                })
                .collect(),
            ..Default::default()
        };
        meetings::record(&app, &dong_life, &dong, &dong_meeting)
            .await
            .unwrap();
        let lapse = mobility::mobility(&app, &dong).await.unwrap().lapse;
        assert!(
            lapse.cases.iter().all(|c| c.name != "郑七"),
            "{:#?}",
            lapse.cases
        );

        // The report: the township counts three 流入党员 under 西村党总支 (not its members).
        let t = mobility::mobility(&app, &town).await.unwrap();
        assert_eq!(t.incoming_total, 3);
        let west = t.by_child.iter().find(|c| c.code == "T003").unwrap();
        assert_eq!(west.counts.incoming, 3);
        assert_eq!(t.to_sheets()[2].rows.len(), 3);
        let listed = mobile_in::of_org(&app, &xi, false).await.unwrap();
        assert_eq!(listed.iter().filter(|g| g.linked).count(), 2);

        // 李四 goes home: gone from the list, kept with `all`; 东村 cannot end 西村第一's.
        let dong_write = sec_dong.grant().unwrap();
        assert!(matches!(
            by_id(&app, &sec_dong, xi.org.id).await,
            Err(AppError::NotFound(_))
        ));
        assert!(matches!(
            mobile_in::leave(&app, &dong_write, &dong, li, d("2026-12-10")).await,
            Err(AppError::NotFound(_))
        ));
        assert!(matches!(
            mobile_in::leave(&app, &write, &xi, li, d("2026-05-01")).await,
            Err(AppError::MemberLife(_))
        ));
        mobile_in::leave(&app, &write, &xi, li, d("2026-12-10"))
            .await
            .unwrap();
        assert_eq!(
            mobility::mobility(&app, &town)
                .await
                .unwrap()
                .incoming_total,
            2
        );
        assert_eq!(mobile_in::of_org(&app, &xi, true).await.unwrap().len(), 3);
        assert!(matches!(
            mobile_in::leave(&app, &write, &xi, li, d("2026-12-11")).await,
            Err(AppError::MemberLife(_))
        ));
    }
);
