//! 站内提醒 on the home page and its count in the header (issue #16, point 8), on SQLite
//! and PostgreSQL: a branch secretary sees what the branch still owes this month, linked to
//! 本月待办; the township sees how many branches still owe theirs, linked to the month's
//! compliance; the header counts the home org's reminders on every page after.

mod common;

use axum::http::StatusCode;
use common::*;
use jiceng_store::contract_test;
use jiceng_store::testing::TestDb;

contract_test!(
    the_home_page_lists_what_is_due_and_the_header_counts_it,
    |db: TestDb| async move {
        let f = fixture(&db).await;
        let mut sec = logged_in(&f.app, "sec-a").await;
        let home = sec.get("/").await;
        assert_eq!(home.status, StatusCode::OK);
        let text = home.text();
        let b001 = f.orgs["B001"];
        assert!(text.contains("id=\"reminder-list\""), "{text}");
        assert!(text.contains("本月还需开展"), "{text}");
        assert!(text.contains(&format!("href=\"/orgs/{b001}/due\"")));
        // The header of any page now carries the count.
        let other = sec.get("/members").await.text();
        let header = &other[other.find("nav-reminders").unwrap()..];
        let header = &header[..header.find("</a>").unwrap()];
        assert!(header.contains("badge red"), "{header}");

        let mut committee = logged_in(&f.app, "committee").await;
        let text = committee.get("/").await.text();
        assert!(text.contains("个党支部未完成组织生活"), "{text}");
        assert!(text.contains("/reports/compliance?org="));
        assert!(text.contains("period=2026-06"));
    }
);
