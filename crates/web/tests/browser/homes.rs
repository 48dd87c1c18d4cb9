//! Each role's home page, as its user opens it: the county department (organizational life
//! by township, sorted by a click on the column's head), the township committee, the
//! branch secretary on a phone (what to do first), the member (their own record), the
//! auditor (the log). Screenshots of each; with `JICENG_UPDATE_SCREENSHOTS=1` they are also
//! written to `docs/screenshots/` (the README shows them):
//!
//! `JICENG_UPDATE_SCREENSHOTS=1 JICENG_REQUIRE_BROWSER=1 cargo test -p jiceng-web --test browser homes`

use crate::common::*;
use crate::harness::*;
use axum::http::StatusCode;
use fantoccini::Locator;
use jiceng_store::testing::TestDb;

/// A screenshot in the journey's folder and, when asked, in the docs.
async fn home_shot(c: &fantoccini::Client, name: &str, width: u32, height: u32) {
    c.execute("window.scrollTo(0, 0);", vec![]).await.unwrap();
    shot(c, name, width, height).await;
    if std::env::var("JICENG_UPDATE_SCREENSHOTS").as_deref() == Ok("1") {
        let docs = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../docs/screenshots");
        std::fs::create_dir_all(&docs).unwrap();
        std::fs::copy(
            shots_dir().join(format!("{name}.png")),
            docs.join(format!("{name}.png")),
        )
        .unwrap();
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn homes_each_role_starts_where_its_work_is() {
    let db = TestDb::sqlite().await;
    let f = fixture(&db).await;
    // Some life recorded, and the summaries a server keeps refreshed.
    let mut admin = api_client(&f.app, "admin").await;
    for (org, day) in [
        ("B001", "2026-04-08"),
        ("B001", "2026-05-12"),
        ("B003", "2026-05-20"),
    ] {
        let r = admin
            .post_json(
                "/api/v1/meetings",
                serde_json::json!({"org_id": f.orgs[org], "kind": "主题党日", "date": day,
                    "topic": "学习", "expected": 3, "present": 3}),
            )
            .await;
        assert_eq!(r.status, StatusCode::CREATED, "{}", r.text());
    }
    jiceng_app::refresh_life_summaries(&f.app).await.unwrap();
    let Some(s) = Session::start(f.app.clone()).await else {
        return;
    };
    let (c, base) = (&s.c, s.base.clone());

    c.set_window_size(1280, 900).await.unwrap();
    login(c, &base, "dept").await;
    wait_for(c, Locator::Id("life-by-child")).await;
    let head = wait_for(c, Locator::Css("#life-by-child thead th:nth-child(3)")).await;
    click_el(c, &head).await;
    click_el(c, &head).await; // descending: the best first
    let first = text_of(c, "#life-by-child tbody tr:first-child td:first-child").await;
    assert!(!first.is_empty());
    assert_eq!(
        text_of(c, "#life-by-child thead th[data-dir]")
            .await
            .trim_end_matches([' ', '▼', '▲']),
        "2026年第2季度达标率"
    );
    home_shot(c, "home-county-desk", 1280, 1200).await;
    logout(c).await;

    login(c, &base, "committee").await;
    wait_for(c, Locator::Id("reminders")).await;
    home_shot(c, "home-township-desk", 1280, 1200).await;
    logout(c).await;

    c.set_window_size(375, 812).await.unwrap();
    login(c, &base, "sec-a").await;
    wait_for(c, Locator::Id("home-record")).await;
    home_shot(c, "home-secretary-phone", 375, 1400).await;
    c.set_window_size(375, 812).await.unwrap();
    logout(c).await;

    login(c, &base, "member").await;
    wait_for(c, Locator::Id("member-home-title")).await;
    home_shot(c, "home-member-phone", 375, 1200).await;
    c.set_window_size(375, 812).await.unwrap();
    logout(c).await;

    c.set_window_size(1280, 900).await.unwrap();
    login(c, &base, "auditor").await;
    wait_url_contains(c, "/audit").await;
    home_shot(c, "home-auditor-desk", 1280, 900).await;
    s.close().await;
}
