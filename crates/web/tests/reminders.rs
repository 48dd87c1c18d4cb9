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

contract_test!(each_level_has_its_home, |db: TestDb| async move {
    let f = fixture(&db).await;
    // 甲村 has its records from April (a theme day); 乙镇's branch has none (暂无数据).
    let mut admin = api_client(&f.app, "admin").await;
    let r = admin
        .post_json(
            "/api/v1/meetings",
            serde_json::json!({"org_id": f.orgs["B001"], "kind": "主题党日", "date": "2026-04-08",
                "topic": "学习", "expected": 3, "present": 3}),
        )
        .await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.text());
    jiceng_app::refresh_life_summaries(&f.app).await.unwrap();
    // The county: organizational life by township, this quarter and last, sortable.
    let mut dept = logged_in(&f.app, "dept").await;
    let home = dept.get("/").await.text();
    assert!(
        home.contains("id=\"life-by-child\" data-sortable"),
        "{home}"
    );
    assert!(home.contains(">甲镇党委</a></td>"), "{home}");
    assert!(home.contains("2026年第2季度达标率") && home.contains("2026年第1季度达标率"));
    assert!(home.contains("/reports/compliance?org="));
    // Judged live (a small county), the last twelve closed months as a trend, not a copy
    // of the table; a month with no branch judged is a dash, not 0 %.
    assert!(home.contains("id=\"life-trend\""), "{home}");
    assert!(home.contains("组织生活达标率（"), "{home}");
    // Twelve different months, oldest first.
    let trend = &home[home.find("id=\"life-trend\"").unwrap()..];
    let trend = &trend[..trend.find("</svg>").unwrap()];
    for m in 1..=12 {
        assert_eq!(
            trend.matches(&format!(">{m}月<")).count(),
            1,
            "{m}月: {trend}"
        );
    }
    // The branch: what to do first, no county charts.
    let mut sec = logged_in(&f.app, "sec-a").await;
    let home = sec.get("/").await.text();
    assert!(home.contains("id=\"home-record\"") && home.contains("id=\"home-due-month\""));
    assert!(home.contains("id=\"card-term\"") && !home.contains("anomaly-table"));
    // Records typed or imported, not generated: no demo notice in the footer.
    assert!(!home.contains("footer-synthetic") && !home.contains("人员均为虚构"));
    assert!(!home.contains("life-by-child"));
});
