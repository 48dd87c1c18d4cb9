//! Organizational life on a phone: a branch secretary opens 本月待办 on a 360×740 window,
//! taps 记录 for an open obligation, fills and submits the form, and the obligation leaves
//! the list; a township user then sees the township's compliance page change, and the
//! server's periodic summary refresh shows on the page's freshness line.

use std::time::Duration;

use fantoccini::{Client, Locator};

use crate::common::*;
use crate::harness::*;
use jiceng_store::testing::TestDb;

async fn page_text(c: &Client) -> String {
    text_of(c, "main").await
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn life_a_secretary_records_on_a_phone() {
    let db = TestDb::sqlite().await;
    let f = fixture(&db).await;
    let (b001, t001) = (f.orgs["B001"], f.orgs["T001"]);
    let Some(s) = Session::start(f.app.clone()).await else {
        return;
    };
    let (c, base) = (&s.c, s.base.clone());

    // The township before: none of its two branches has held June's theme day.
    login(c, &base, "committee").await;
    june_compliance(c, &base, t001).await;
    assert_eq!(text_of(c, "#card-compliant .n").await, "0");
    // June is not over on its 30th: both branches' theme days are 待办, nothing failed
    // (review error #1; this test used to judge the running month).
    assert_eq!(pending_rows(c).await, 2);
    assert!(text_of(c, "#judged-note").await.contains("尚无已结束"));
    logout(c).await;

    // A branch secretary, on a phone.
    c.set_window_size(360, 740).await.unwrap();
    login(c, &base, "sec-a").await;
    shot(c, "life-home-phone", 360, 740).await;
    click(c, "due-link").await;
    wait_url_contains(c, &format!("/orgs/{b001}/due")).await;
    let month = text_of(c, "#due-month").await;
    assert!(month.contains("主题党日"), "{month}");
    shot(c, "life-due-phone", 360, 740).await;
    click_on(c, Locator::Css("#due-month a.record")).await;
    wait_url_contains(c, "/meetings/new").await;
    shot(c, "life-record-phone", 360, 740).await;
    shot(c, "life-record-phone-full", 360, 2000).await;
    c.set_window_size(360, 740).await.unwrap();
    fill(c, "topic", "学习党的创新理论主题党日").await;
    fill(c, "venue", "村党群服务中心").await;
    // One member is away: excused, with a reason.
    let liu = f.members["刘洋"];
    click_on(
        c,
        Locator::Css(&format!("input[name='att_{liu}'][value='excused']")),
    )
    .await;
    fill_in(
        c,
        Locator::Css(&format!("input[name='reason_{liu}']")),
        "外出务工",
    )
    .await;
    click(c, "record-submit").await;
    wait_url_contains(c, "done=").await;
    let flash = text_of(c, "#flash").await;
    assert!(flash.contains("学习党的创新理论主题党日"), "{flash}");
    assert!(
        c.find(Locator::Id("due-month")).await.is_err(),
        "June's theme day left 本月待办"
    );
    assert!(page_text(c)
        .await
        .contains("本月应开展的组织生活已全部完成"));
    shot(c, "life-due-after-phone", 360, 740).await;
    click_on(c, Locator::Css("#flash a")).await;
    wait_url_contains(c, "/meetings/").await;
    assert_eq!(text_of(c, "#meeting-counts").await, "5 / 4 / 1");
    shot(c, "life-meeting-phone", 360, 1200).await;
    c.goto(&format!("{base}/orgs/{b001}/life")).await.unwrap();
    shot(c, "life-org-tab-phone", 360, 1400).await;
    // The same meeting again: refused next to its topic, nothing written.
    c.set_window_size(360, 740).await.unwrap();
    c.goto(&format!("{base}/orgs/{b001}/meetings/new?kind=ThemeDay"))
        .await
        .unwrap();
    fill(c, "topic", "学习党的创新理论主题党日").await;
    click(c, "record-submit").await;
    let err = wait_text(c, "error-topic").await;
    assert!(err.contains("已记录过"), "{err}");
    shot(c, "life-record-error-phone", 360, 1000).await;
    c.set_window_size(1280, 900).await.unwrap();
    logout(c).await;

    // The township sees it at once (judged live below 2,000 branches).
    login(c, &base, "committee").await;
    june_compliance(c, &base, t001).await;
    // Recorded: one branch's theme day leaves 待办; June is judged once it is over.
    assert_eq!(text_of(c, "#card-compliant .n").await, "0");
    assert_eq!(pending_rows(c).await, 1);
    // The server refreshes the stored summaries shortly after it starts.
    let mut fresh = String::new();
    for _ in 0..40 {
        c.refresh().await.unwrap();
        fresh = text_of(c, "#freshness").await;
        if fresh.contains("最近一次刷新") {
            break;
        }
        tokio::time::sleep(Duration::from_millis(500)).await;
    }
    assert!(fresh.contains("最近一次刷新"), "{fresh}");
    assert!(
        fresh.contains("每30分钟") && fresh.contains("15秒内计入"),
        "{fresh}"
    );
    shot(c, "life-compliance-desktop", 1280, 1800).await;
    shot(c, "life-compliance-phone", 360, 740).await;
    shot(c, "life-compliance-phone-full", 360, 2400).await;
    s.close().await;
}

/// Opens the township's compliance page for June 2026.
async fn june_compliance(c: &Client, base: &str, t001: i64) {
    c.goto(&format!(
        "{base}/reports/compliance?org={t001}&period=2026-06"
    ))
    .await
    .unwrap();
}

/// How many obligations the compliance page lists as 待办.
async fn pending_rows(c: &Client) -> usize {
    c.find_all(Locator::Css("#pending-table tbody tr"))
        .await
        .unwrap()
        .len()
}
