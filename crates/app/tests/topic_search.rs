//! The header's search of meeting topics on SQLite and PostgreSQL: words of a topic found in
//! the actor's subtree, and not searched at all above the size the search reads.

mod common;

use common::*;
use jiceng_app::access::{Actor, RecordLife, Role};
use jiceng_app::meetings::{self, NewMeeting};
use jiceng_domain::MeetingKind;
use jiceng_store::testing::TestDb;
use jiceng_store::{contract_test, Scope};

contract_test!(
    a_topic_is_searched_within_a_scope_not_too_large,
    |db: TestDb| async move {
        let app = app(&db);
        let dir = Dir::new("topics");
        load_township(&app, &dir, false).await;
        let branch = app.resolve_org(&Scope::All, "T005").await.unwrap();
        let sec =
            Actor::for_test(9, "secretary-T005", Role::Secretary).at(branch.org.id, &branch.path);
        let held = common::org(&app, &sec, "T005").await.unwrap();
        let theme = NewMeeting {
            kind: Some(MeetingKind::ThemeDay),
            date: Some(d("2026-12-10")),
            topic: "垃圾分类进机关".into(),
            expected: Some(3),
            present: Some(3),
            ..Default::default()
        };
        meetings::record(&app, &sec.grant::<RecordLife>().unwrap(), &held, &theme)
            .await
            .unwrap();
        let town = app.resolve_org(&Scope::All, "T001").await.unwrap();
        let committee =
            Actor::for_test(8, "committee-T001", Role::Committee).at(town.org.id, &town.path);
        let found = meetings::search_with_limit(&app, &committee, "垃圾分类", 10, 100)
            .await
            .unwrap()
            .expect("searched");
        assert_eq!(found.total, 1);
        assert_eq!(found.place(&found.rows[0]).name, "镇机关党支部");
        assert_eq!(found.place(&found.rows[0]).parent, "测试镇党委");
        // The town has more than 5 orgs: above a limit of 5 the topics are not read.
        let skipped = meetings::search_with_limit(&app, &committee, "垃圾分类", 10, 5)
            .await
            .unwrap();
        assert!(skipped.is_none());
        // The same for the meeting list of an org that large.
        let list = meetings::page_under(
            &app,
            &common::org(&app, &committee, "T001").await.unwrap(),
            &meetings::MeetingQuery {
                topic: Some("垃圾".into()),
                kind: None,
            },
            1,
            20,
        )
        .await
        .unwrap();
        assert_eq!(list.total, 1);
    }
);
