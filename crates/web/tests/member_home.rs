//! A member's home in process, on SQLite and PostgreSQL: their attendance this year
//! meeting by meeting (from what the secretary recorded), what the branch has yet to hold,
//! the branch's latest meetings; nothing of other members.

mod common;

use axum::http::StatusCode;
use common::{fixture, logged_in};

use jiceng_store::contract_test;
use jiceng_store::testing::TestDb;

contract_test!(
    a_member_sees_their_attendance_and_what_is_coming,
    |db: TestDb| async move {
        let f = fixture(&db).await;
        let mut sec = logged_in(&f.app, "sec-a").await;
        let csrf = sec.csrf().await;
        // Two meetings: 张建国 present at the first, excused at the second.
        for (date, topic, zhang) in [
            ("2026-05-10", "五月主题党日", "present"),
            ("2026-06-12", "学习交流党课", "excused"),
        ] {
            let kind = if topic.contains("党课") {
                "PartyLecture"
            } else {
                "ThemeDay"
            };
            let r = common::record_b001(
                &mut sec,
                &f,
                &csrf,
                &[("kind", kind), ("date", date), ("topic", topic)],
                &[("张建国", zhang, "外出开会")],
            )
            .await;
            assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.text());
        }

        // The secretary sees the same on the member's page, with 党龄.
        let page = sec
            .get(&format!("/members/{}", f.members["张建国"]))
            .await
            .text();
        assert!(page.contains("出席1次 / 应参加2次（50.0%）"), "{page}");
        assert!(page.contains("（党龄"), "{page}");

        let mut m = logged_in(&f.app, "member").await;
        let r = m.get("/").await;
        assert_eq!(r.status, StatusCode::OK, "{}", r.text());
        let page = r.text();
        for want in [
            "张建国 · 甲村党支部",
            "member-home-title",
            "五月主题党日",
            "学习交流党课",
            "请假",
            "50.0%",
            "支部近期安排",
            "my-record",
        ] {
            assert!(page.contains(want), "{want}: {page}");
        }
        // What the branch still owes this month (June, today 2026-06-30 in the fixture's
        // clock, or the month it runs in) is listed, or it says all is held.
        assert!(
            page.contains("upcoming-list") || page.contains("no-upcoming"),
            "{page}"
        );
        // Nothing of other members' attendance, and the roster stays closed.
        assert!(!page.contains("李秀英"), "{page}");
        assert_eq!(m.get("/members").await.status, StatusCode::OK);
        let roster = m.get("/members").await.text();
        assert!(!roster.contains("李秀英"), "a member's roster is themself");
    }
);
