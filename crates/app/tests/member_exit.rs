//! 出党登记 on the fixtures' township, on SQLite and PostgreSQL: a member removed (除名) by
//! the branch leaves the roll, every count and their offices on the day decided, and stays
//! on record with the decision; the refusals say why and change nothing.

mod common;

use common::*;
use jiceng_app::access::{Actor, Role};
use jiceng_app::member_exit::{record_exit, ExitInput};
use jiceng_app::{browse, AppError};
use jiceng_store::contract_test;
use jiceng_store::testing::TestDb;

fn field<T: std::fmt::Debug>(r: jiceng_app::Result<T>) -> &'static str {
    match r {
        Err(AppError::MemberLife(e)) => e.field,
        other => panic!("expected a refusal, got {other:?}"),
    }
}

contract_test!(
    an_exit_leaves_the_record_and_ends_the_counts,
    |db: TestDb| async move {
        let app = app(&db);
        let dir = Dir::new("exit");
        load_township(&app, &dir, false).await;
        let dong = sys_org(&app, "T002").await;
        let sec = Actor::for_test(31, "sec-dong", Role::Secretary).at(dong.org.id, &dong.path);
        let grant = sec.grant().unwrap();
        let id = |name: &'static str| member_named(&app, name);
        let (sun, wang) = (id("孙三").await, id("王八").await);
        let removal = ExitInput {
            kind: "除名".into(),
            on: d("2026-11-30"),
            decided_by: Some("东村党支部党员大会，经测试镇党委批准".into()),
            document: Some("测组〔2026〕12号".into()),
            note: None,
        };
        // Refusals first: nothing changes.
        let no_org = ExitInput {
            decided_by: None,
            ..removal.clone()
        };
        assert_eq!(
            field(record_exit(&app, &grant, sun, &no_org).await),
            "decided_by"
        );
        let later = ExitInput {
            on: d("2026-12-16"),
            ..removal.clone()
        };
        assert_eq!(field(record_exit(&app, &grant, sun, &later).await), "on");
        let cancel = ExitInput {
            kind: "取消预备党员资格".into(),
            ..removal.clone()
        };
        assert_eq!(field(record_exit(&app, &grant, sun, &cancel).await), "kind");
        assert_eq!(sys_org(&app, "T002").await.facts.direct_members, 8);

        record_exit(&app, &grant, sun, &removal).await.unwrap();
        let after = sys_org(&app, "T002").await;
        assert_eq!(after.facts.direct_members, 7);
        assert_eq!(sys_org(&app, "T001").await.facts.subtree_members, 16);
        let page = browse::member_view(&app, &sec, sun).await.unwrap();
        let exit = page.exit.expect("on record");
        assert_eq!((exit.kind, exit.on), ("除名", d("2026-11-30")));
        assert!(!page.can_exit && !page.can_transfer);
        assert!(
            page.positions
                .iter()
                .all(|p| p.ended_on == Some(d("2026-11-30"))),
            "组织委员 ended that day"
        );
        // Counted on a day before the exit, not from its day.
        let scope = jiceng_store::Scope::subtree(&dong.path);
        let mut c = app.store().acquire().await.unwrap();
        for (day, n) in [("2026-11-29", 8), ("2026-11-30", 7)] {
            let counts = jiceng_store::members::on_day(&mut c, &scope, d(day))
                .await
                .unwrap();
            assert_eq!(counts[&dong.org.id].members, n, "{day}");
        }
        drop(c);
        assert_eq!(
            field(record_exit(&app, &grant, sun, &removal).await),
            "kind",
            "once"
        );
        // A probationary member's qualification cancelled; a death needs no deciding org.
        record_exit(&app, &grant, wang, &cancel).await.unwrap();
        let death = ExitInput {
            kind: "death".into(),
            on: d("2026-12-01"),
            ..ExitInput::default()
        };
        record_exit(&app, &grant, id("吴六").await, &death)
            .await
            .unwrap();
        assert_eq!(sys_org(&app, "T002").await.facts.direct_members, 5);
        let actions: Vec<String> = audit_log(&app)
            .await
            .into_iter()
            .map(|e| e.action)
            .collect();
        assert_eq!(actions.iter().filter(|a| *a == "member_exit").count(), 3);
    }
);
