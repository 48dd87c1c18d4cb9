//! 组织关系转接 on the fixtures' township, on SQLite and PostgreSQL, as the two secretaries
//! would work it: 东村 issues a letter for a member to 镇机关; until 镇机关 receives it the
//! member stays and counts at 东村, and 镇机关 sees only the letter; on the day received the
//! member, the counts and the offices move, and 东村 no longer sees them. Letters expire,
//! are returned and withdrawn, go to outside the system and come from it.

mod common;

use common::*;
use jiceng_app::access::{Actor, Grant, Role, TransferMembers};
use jiceng_app::transfer::{self, Arrival, NewLetter};
use jiceng_app::{browse, App, AppError};
use jiceng_store::contract_test;
use jiceng_store::testing::TestDb;
use jiceng_store::Scope;

/// A secretary of the branch `code`.
async fn secretary(app: &App, code: &str, user: i64) -> Actor {
    let o = sys_org(app, code).await;
    Actor::for_test(user, &format!("sec-{code}"), Role::Secretary).at(o.org.id, &o.path)
}

fn grant(a: &Actor) -> Grant<TransferMembers> {
    a.grant::<TransferMembers>().unwrap()
}

async fn member_id(app: &App, name: &str) -> i64 {
    member_named(app, name).await
}

/// The letters of the org `id`'s subtree as `actor` reads them.
async fn letters_at(app: &App, actor: &Actor, id: i64) -> transfer::Letters {
    let org = by_id(app, actor, id).await.unwrap();
    transfer::letters(app, actor, &org).await.unwrap()
}

/// The stored direct member count of the org `code`.
async fn members_at(app: &App, code: &str) -> i64 {
    sys_org(app, code).await.facts.direct_members
}

fn letter(to: &str, issued_on: &str) -> NewLetter {
    NewLetter {
        to: Some(to.into()),
        issued_on: d(issued_on),
        reason: "工作调动".into(),
        ..NewLetter::default()
    }
}

fn refusal_field<T: std::fmt::Debug>(r: jiceng_app::Result<T>) -> &'static str {
    match r {
        Err(AppError::MemberLife(t)) => t.field,
        other => panic!("expected a refusal, got {other:?}"),
    }
}

/// Members on the roll of each org under T001 on `day`, as the structure report and the
/// rating of a past year read them.
async fn on_day(app: &App, day: &str) -> std::collections::HashMap<i64, i64> {
    let mut c = app.store().acquire().await.unwrap();
    let scope = Scope::subtree(&sys_org(app, "T001").await.path);
    jiceng_store::members::on_day(&mut c, &scope, d(day))
        .await
        .unwrap()
        .into_iter()
        .map(|(k, v)| (k, v.members))
        .collect()
}

contract_test!(
    a_letter_moves_the_member_on_the_day_it_is_received,
    |db: TestDb| async move {
        let app = app(&db);
        let dir = Dir::new("transfer-receive");
        load_township(&app, &dir, false).await;
        let (dong, jiguan) = (org_id(&app, "T002").await, org_id(&app, "T005").await);
        let sender = secretary(&app, "T002", 31).await;
        let receiver = secretary(&app, "T005", 32).await;
        let li = member_id(&app, "李四").await;
        // 李四 signs in as a member to read his own record.
        let account = jiceng_app::users::NewUser {
            username: "lisi".into(),
            password: "Dongcun-pass-2026".into(),
            role: Role::Member,
            org: Some("T002".into()),
            member_id: Some(li),
            display_name: None,
            must_change: false,
        };
        jiceng_app::users::add_user(&app, &Actor::system(), account)
            .await
            .unwrap();
        assert_eq!(
            (
                members_at(&app, "T002").await,
                members_at(&app, "T005").await
            ),
            (8, 3)
        );

        let id = transfer::issue(&app, &grant(&sender), li, &letter("T005", "2026-12-01"))
            .await
            .unwrap();
        // Until received: the member is 东村's, seen and counted there; 镇机关 sees the letter.
        assert_eq!(
            (
                members_at(&app, "T002").await,
                members_at(&app, "T005").await
            ),
            (8, 3)
        );
        assert!(browse::member_view(&app, &sender, li).await.is_ok());
        assert!(matches!(
            browse::member_view(&app, &receiver, li).await,
            Err(AppError::NotFound(_))
        ));
        let inbox = letters_at(&app, &receiver, jiguan).await;
        assert_eq!(inbox.incoming_total, 1);
        let seen = &inbox.incoming[0];
        assert_eq!((seen.person.name.as_str(), seen.member_id), ("李四", None));
        assert!(seen.person.id_number.contains('*'), "the ID number masked");
        assert!(seen.can_receive && !seen.can_withdraw && !seen.overdue);
        assert_eq!(
            seen.valid_until,
            d("2027-03-01"),
            "3 months by the rules in force"
        );
        let out = letters_at(&app, &sender, dong).await;
        assert_eq!(
            (out.outgoing_total, out.outgoing[0].member_id),
            (1, Some(li))
        );
        assert!(!out.outgoing[0].can_receive && out.outgoing[0].can_withdraw);
        // A third branch sees nothing of it.
        let other = secretary(&app, "T004", 33).await;
        assert!(matches!(
            transfer::letter(&app, &other, id).await,
            Err(AppError::NotFound(_))
        ));
        // The sender cannot receive its own letter; a second letter for the member waits.
        assert_eq!(
            refusal_field(transfer::receive(&app, &grant(&sender), id, d("2026-12-10")).await),
            "state"
        );
        assert_eq!(
            refusal_field(
                transfer::issue(&app, &grant(&sender), li, &letter("T004", "2026-12-02")).await
            ),
            "member"
        );
        // Before the letter's date, or after today: refused.
        for day in ["2026-11-30", "2026-12-16"] {
            assert_eq!(
                refusal_field(transfer::receive(&app, &grant(&receiver), id, d(day)).await),
                "on"
            );
        }

        transfer::receive(&app, &grant(&receiver), id, d("2026-12-10"))
            .await
            .unwrap();
        assert_eq!(
            (
                members_at(&app, "T002").await,
                members_at(&app, "T005").await
            ),
            (7, 4)
        );
        assert_eq!(
            sys_org(&app, "T001").await.facts.subtree_members,
            17,
            "a move inside the township leaves its total"
        );
        assert!(matches!(
            browse::member_view(&app, &sender, li).await,
            Err(AppError::NotFound(_))
        ));
        let m = browse::member_view(&app, &receiver, li).await.unwrap();
        assert_eq!(m.member.org_name, "镇机关党支部");
        assert_eq!(m.transfers.len(), 1);
        assert_eq!(m.transfers[0].state, "已接收");
        let stored = browse::member_in_scope(&app, &receiver, li).await.unwrap();
        assert_eq!(stored.transferred_in_on, Some(d("2026-12-10")));
        // His account follows his relation: he still reads his own record.
        let user = {
            let mut c = app.store().acquire().await.unwrap();
            jiceng_store::users::get_by_username(&mut c, &Scope::All, "lisi")
                .await
                .unwrap()
                .unwrap()
        };
        assert_eq!(user.org_id, Some(jiguan));
        let himself = jiceng_app::auth::actor_of(&user).unwrap();
        assert!(browse::member_view(&app, &himself, li).await.is_ok());
        // The sender still reads the letter (without the member's page).
        let now = transfer::letter(&app, &sender, id).await.unwrap();
        assert_eq!((now.state, now.member_id), ("已接收", None));
        // A past day counts the member where they were.
        let before = on_day(&app, "2026-12-05").await;
        assert_eq!((before[&dong], before[&jiguan]), (8, 3));
        let after = on_day(&app, "2026-12-12").await;
        assert_eq!((after[&dong], after[&jiguan]), (7, 4));
        assert_eq!(
            refusal_field(transfer::receive(&app, &grant(&receiver), id, d("2026-12-11")).await),
            "state"
        );
        let actions: Vec<String> = audit_log(&app)
            .await
            .into_iter()
            .map(|e| e.action)
            .collect();
        assert!(actions.contains(&"transfer_issue".to_string()));
        assert!(actions.contains(&"transfer_receive".to_string()));
    }
);

contract_test!(
    the_secretary_leaves_office_when_the_relation_leaves,
    |db: TestDb| async move {
        let app = app(&db);
        let dir = Dir::new("transfer-secretary");
        load_township(&app, &dir, false).await;
        let sender = secretary(&app, "T002", 31).await;
        let receiver = secretary(&app, "T004", 34).await;
        assert!(sys_org(&app, "T002").await.facts.has_secretary);
        let zhao = member_id(&app, "赵一").await;
        let id = transfer::issue(
            &app,
            &grant(&sender),
            zhao,
            &letter("西村第一党支部", "2026-12-03"),
        )
        .await
        .unwrap();
        assert!(
            sys_org(&app, "T002").await.facts.has_secretary,
            "in office until received"
        );
        transfer::receive(&app, &grant(&receiver), id, d("2026-12-14"))
            .await
            .unwrap();
        let dong = sys_org(&app, "T002").await;
        assert!(!dong.facts.has_secretary);
        assert_eq!(dong.facts.secretary_vacant_since, Some(d("2026-12-14")));
        let m = browse::member_view(&app, &receiver, zhao).await.unwrap();
        assert!(m
            .positions
            .iter()
            .all(|p| p.ended_on == Some(d("2026-12-14"))));
    }
);

contract_test!(
    an_unreceived_letter_expires_on_both_sides,
    |db: TestDb| async move {
        let app = app(&db);
        let dir = Dir::new("transfer-expire");
        load_township(&app, &dir, false).await;
        let (dong, jiguan) = (org_id(&app, "T002").await, org_id(&app, "T005").await);
        let sender = secretary(&app, "T002", 31).await;
        let receiver = secretary(&app, "T005", 32).await;
        let zhou = member_id(&app, "周五").await;
        let id = transfer::issue(&app, &grant(&sender), zhou, &letter("T005", "2026-08-01"))
            .await
            .unwrap();
        let inbox = letters_at(&app, &receiver, jiguan).await;
        assert_eq!((inbox.incoming_total, inbox.incoming_overdue), (1, 1));
        assert!(inbox.incoming[0].overdue);
        let out = letters_at(&app, &sender, dong).await;
        assert_eq!(out.outgoing_overdue, 1);
        match transfer::receive(&app, &grant(&receiver), id, d("2026-12-15")).await {
            Err(AppError::MemberLife(r)) => {
                assert!(r.message.contains("已过有效期"), "{}", r.message)
            }
            other => panic!("{other:?}"),
        }
        // Within its validity it could have been received: the day decides, not today.
        assert_eq!(members_at(&app, "T002").await, 8, "nothing moved");
        transfer::withdraw(&app, &grant(&sender), id, "逾期，重新开具")
            .await
            .unwrap();
        let again = transfer::issue(&app, &grant(&sender), zhou, &letter("T005", "2026-12-15"))
            .await
            .unwrap();
        assert_ne!(again, id);
        let inbox = transfer::waiting(&app, &by_id(&app, &receiver, jiguan).await.unwrap())
            .await
            .unwrap();
        assert_eq!(
            inbox,
            (1, 0),
            "the old letter left the inbox, the new one waits"
        );
    }
);

contract_test!(
    a_returned_letter_leaves_the_member_and_outside_letters_close_by_receipt,
    |db: TestDb| async move {
        let app = app(&db);
        let dir = Dir::new("transfer-return");
        load_township(&app, &dir, false).await;
        let dong = org_id(&app, "T002").await;
        let sender = secretary(&app, "T002", 31).await;
        let receiver = secretary(&app, "T005", 32).await;
        let wu = member_id(&app, "吴六").await;
        let id = transfer::issue(&app, &grant(&sender), wu, &letter("T005", "2026-12-01"))
            .await
            .unwrap();
        assert_eq!(
            refusal_field(transfer::return_letter(&app, &grant(&receiver), id, " ").await),
            "reason"
        );
        transfer::return_letter(&app, &grant(&receiver), id, "本人未到本单位工作")
            .await
            .unwrap();
        let out = letters_at(&app, &sender, dong).await;
        assert_eq!(out.outgoing[0].state, "已退回");
        assert_eq!(
            out.outgoing[0].decision_note.as_deref(),
            Some("本人未到本单位工作")
        );
        assert_eq!(members_at(&app, "T002").await, 8);
        transfer::withdraw(&app, &grant(&sender), id, "")
            .await
            .unwrap();

        // To the army: no receiving org here; the sender closes it by the receipt.
        let army = NewLetter {
            outside: Some("军队".into()),
            to_name: Some("某部队政治工作部".into()),
            issued_on: d("2026-12-02"),
            reason: "入伍".into(),
            ..NewLetter::default()
        };
        let id = transfer::issue(&app, &grant(&sender), wu, &army)
            .await
            .unwrap();
        let v = transfer::letter(&app, &sender, id).await.unwrap();
        assert!(v.can_close && !v.can_receive);
        assert_eq!(v.outside, Some("军队"));
        transfer::close(&app, &grant(&sender), id, d("2026-12-12"), "回执已收到")
            .await
            .unwrap();
        assert_eq!(members_at(&app, "T002").await, 7);
        let m = browse::member_in_scope(&app, &dept(), wu).await.unwrap();
        assert_eq!(
            m.exited_on,
            Some(d("2026-12-12")),
            "kept as history, off the roll"
        );
        // Refusals: the member's own org, an org that is not there, a day after today.
        let li = member_id(&app, "李四").await;
        assert_eq!(
            refusal_field(
                transfer::issue(&app, &grant(&sender), li, &letter("T002", "2026-12-01")).await
            ),
            "to"
        );
        assert_eq!(
            refusal_field(
                transfer::issue(
                    &app,
                    &grant(&sender),
                    li,
                    &letter("没有这个支部", "2026-12-01")
                )
                .await
            ),
            "to"
        );
        assert_eq!(
            refusal_field(
                transfer::issue(&app, &grant(&sender), li, &letter("T005", "2026-12-16")).await
            ),
            "issued_on"
        );
        // Outside the sender's scope, a member is not found.
        let other = member_id(&app, "褚甲").await;
        assert!(matches!(
            transfer::issue(&app, &grant(&sender), other, &letter("T002", "2026-12-01")).await,
            Err(AppError::NotFound(_))
        ));
    }
);

contract_test!(
    a_letter_from_outside_puts_the_member_on_the_roster,
    |db: TestDb| async move {
        let app = app(&db);
        let dir = Dir::new("transfer-arrive");
        load_township(&app, &dir, false).await;
        let receiver = secretary(&app, "T005", 32).await;
        let org = by_id(&app, &receiver, org_id(&app, "T005").await)
            .await
            .unwrap();
        let a = Arrival {
            name: "钱转入".into(),
            id_number: common::id(950, d("1986-05-05"), false),
            status: "正式党员".into(),
            joined_on: d("2012-07-01"),
            full_on: Some(d("2013-07-01")),
            outside: Some("army".into()),
            from_name: "某部队党委".into(),
            letter_no: "军组转〔2026〕18号".into(),
            issued_on: d("2026-11-20"),
            received_on: d("2026-12-01"),
            ..Arrival::default()
        };
        let id = transfer::arrive(&app, &grant(&receiver), &org, &a)
            .await
            .unwrap();
        assert_eq!(members_at(&app, "T005").await, 4);
        let m = browse::member_view(&app, &receiver, id).await.unwrap();
        assert_eq!(m.transfers.len(), 1);
        assert_eq!(m.transfers[0].from, "某部队党委");
        let stored = browse::member_in_scope(&app, &receiver, id).await.unwrap();
        assert_eq!(stored.transferred_in_on, Some(d("2026-12-01")));
        assert_eq!(
            refusal_field(transfer::arrive(&app, &grant(&receiver), &org, &a).await),
            "id_number",
            "one person is on the roster once"
        );
        let late = Arrival {
            id_number: common::id(951, d("1986-05-05"), false),
            issued_on: d("2026-08-01"),
            ..a.clone()
        };
        assert_eq!(
            refusal_field(transfer::arrive(&app, &grant(&receiver), &org, &late).await),
            "received_on"
        );
        assert_eq!(
            members_at(&app, "T005").await,
            4,
            "a refusal writes nothing"
        );
    }
);

contract_test!(
    an_org_awaiting_a_letter_is_merged_not_dissolved,
    |db: TestDb| async move {
        use jiceng_app::org_admin::{self, OrgFields};
        let app = app(&db);
        let dir = Dir::new("transfer-merge");
        load_township(&app, &dir, false).await;
        let fields = OrgFields {
            name: "新村党支部".into(),
            kind: "Branch".into(),
            code: Some("T091".into()),
            ..Default::default()
        };
        let new = create_org(&app, &dept(), org_id(&app, "T001").await, &fields, "新建")
            .await
            .unwrap();
        let sender = secretary(&app, "T002", 31).await;
        let li = member_id(&app, "李四").await;
        let id = transfer::issue(&app, &grant(&sender), li, &letter("T091", "2026-12-01"))
            .await
            .unwrap();
        let org = by_id(&app, &dept(), new).await.unwrap();
        let e = org_admin::dissolve(&app, &dept().grant().unwrap(), &org, "撤销")
            .await
            .unwrap_err();
        assert!(e.to_string().contains("1封"), "{e}");
        // Merged into 镇机关党支部: the letter waits there, and is received there.
        let into = by_id(&app, &dept(), org_id(&app, "T005").await)
            .await
            .unwrap();
        org_admin::merge(&app, &dept().grant().unwrap(), &org, &into, "合并")
            .await
            .unwrap();
        let receiver = secretary(&app, "T005", 32).await;
        assert_eq!(transfer::waiting(&app, &into).await.unwrap(), (1, 0));
        transfer::receive(&app, &grant(&receiver), id, d("2026-12-05"))
            .await
            .unwrap();
        assert_eq!(members_at(&app, "T005").await, 4);
    }
);

contract_test!(
    the_report_counts_what_crossed_each_orgs_boundary,
    |db: TestDb| async move {
        let app = app(&db);
        let dir = Dir::new("transfer-report");
        load_township(&app, &dir, false).await;
        let sender = secretary(&app, "T002", 31).await;
        let receiver = secretary(&app, "T005", 32).await;
        let (li, zhou) = (member_id(&app, "李四").await, member_id(&app, "周五").await);
        let moved = transfer::issue(&app, &grant(&sender), li, &letter("T005", "2026-11-02"))
            .await
            .unwrap();
        transfer::receive(&app, &grant(&receiver), moved, d("2026-11-20"))
            .await
            .unwrap();
        // Waiting at 西村第一党支部 since August: overdue.
        transfer::issue(&app, &grant(&sender), zhou, &letter("T004", "2026-08-03"))
            .await
            .unwrap();
        let org = by_id(&app, &receiver, org_id(&app, "T005").await)
            .await
            .unwrap();
        let a = Arrival {
            name: "钱转入".into(),
            id_number: common::id(952, d("1986-05-05"), false),
            status: "正式党员".into(),
            joined_on: d("2012-07-01"),
            from_name: "某省直机关党委".into(),
            letter_no: "省直转〔2026〕7号".into(),
            issued_on: d("2026-12-01"),
            received_on: d("2026-12-02"),
            ..Arrival::default()
        };
        transfer::arrive(&app, &grant(&receiver), &org, &a)
            .await
            .unwrap();

        let town = sys_org(&app, "T001").await;
        let year = jiceng_domain::Period::parse("2026").unwrap();
        let r = jiceng_app::reports::transfers::run(&app, &town, year)
            .await
            .unwrap();
        let t = &r.totals;
        // Moves inside the township are neither out nor in for it; the outside arrival is in.
        assert_eq!(
            (t.issued_out, t.left, t.arrived, t.waiting_out),
            (0, 0, 1, 0)
        );
        let row = |code: &str| {
            r.by_child
                .iter()
                .find(|c| c.code == code)
                .unwrap_or_else(|| panic!("{code}"))
                .flows
                .clone()
        };
        let dong = row("T002");
        assert_eq!(
            (
                dong.issued_out,
                dong.left,
                dong.waiting_out,
                dong.overdue_out
            ),
            (2, 1, 1, 1)
        );
        let jiguan = r
            .by_child
            .iter()
            .find(|c| c.name == "镇机关党支部")
            .unwrap();
        assert_eq!(jiguan.flows.arrived, 2);
        let xicun = r.by_child.iter().find(|c| c.name == "西村党总支").unwrap();
        assert_eq!((xicun.flows.waiting_in, xicun.flows.overdue_in), (1, 1));
        assert_eq!(r.overdue.len(), 1);
        assert_eq!(r.overdue[0].name, "周五");
        assert!(r.overdue[0].id_number.contains('*'));
        // November alone: the move, not the outside arrival of December.
        let nov = jiceng_domain::Period::parse("2026-11").unwrap();
        let r = jiceng_app::reports::transfers::run(&app, &town, nov)
            .await
            .unwrap();
        let jiguan = r
            .by_child
            .iter()
            .find(|c| c.name == "镇机关党支部")
            .unwrap();
        assert_eq!(jiguan.flows.arrived, 1);
        assert_eq!(r.to_sheets().len(), 2);
    }
);

contract_test!(
    a_list_issues_every_letter_or_none,
    |db: TestDb| async move {
        use jiceng_app::import::{self, ImportOptions, NoProgress};
        let app = app(&db);
        let dir = Dir::new("transfer-list");
        load_township(&app, &dir, false).await;
        let sender = secretary(&app, "T002", 31).await;
        let dong = by_id(&app, &sender, org_id(&app, "T002").await)
            .await
            .unwrap();
        let header = [
            "姓名",
            "身份证号",
            "接收党组织",
            "系统外去向",
            "接收单位",
            "开具日期",
            "转接原因",
        ];
        let li = id(3, d("1985-11-11"), false);
        let wu = id(5, d("1955-08-08"), false);
        let chu = id(10, d("1978-05-05"), false);
        let row = |name: &str, idn: &str, to: &str, outside: &str, unit: &str| {
            Some(vec![
                s(name),
                s(idn),
                s(to),
                s(outside),
                s(unit),
                s("2026.12.1"),
                s("村党支部分设"),
            ])
        };
        let bad = dir.0.join("bad.xlsx");
        xlsx(
            &bad,
            "批量转出名单",
            &header,
            &[
                row("李四", &li, "镇机关党支部", "", ""),
                row("褚甲", &chu, "镇机关党支部", "", ""),
                row("吴六", &wu, "", "军队", ""),
                row("李四", &li, "T004", "", ""),
            ],
        );
        let opts = ImportOptions {
            org: Some(dong.clone()),
            actor: sender.clone(),
            ..ImportOptions::default()
        };
        let r = import::transfers::run(&app, &bad, &opts, &NoProgress)
            .await
            .unwrap();
        let at: Vec<(usize, &str)> = r
            .errors
            .iter()
            .map(|e| (e.row, e.column.as_str()))
            .collect();
        assert_eq!(
            at,
            vec![(4, "身份证号"), (5, "接收单位"), (6, "身份证号")],
            "{:?}",
            r.errors
        );
        assert_eq!(r.written, 0);
        let (waiting, _) = transfer::waiting(&app, &sys_org(&app, "T005").await)
            .await
            .unwrap();
        assert_eq!(waiting, 0, "nothing written");

        let good = dir.0.join("good.xlsx");
        xlsx(
            &good,
            "批量转出名单",
            &header,
            &[
                row("李四", &li, "镇机关党支部", "", ""),
                row("吴六", &wu, "", "军队", "某部队政治工作部"),
            ],
        );
        let r = import::transfers::run(&app, &good, &opts, &NoProgress)
            .await
            .unwrap();
        assert!(r.errors.is_empty(), "{:?}", r.errors);
        assert_eq!(r.written, 2);
        let (waiting, _) = transfer::waiting(&app, &sys_org(&app, "T005").await)
            .await
            .unwrap();
        assert_eq!(waiting, 1);
        let out = transfer::letters(&app, &sender, &dong).await.unwrap();
        assert_eq!(out.outgoing_total, 2);
        assert_eq!(
            members_at(&app, "T002").await,
            8,
            "nobody moves before receipt"
        );
        // The same list again adds nothing.
        let r = import::transfers::run(&app, &good, &opts, &NoProgress)
            .await
            .unwrap();
        assert_eq!((r.written, r.unchanged, r.errors.len()), (0, 2, 0));
    }
);
