//! 检验标准 in Chromium, on a phone: the township's 组织委员 opens the township's page,
//! goes to 检验标准, reads the five measures and the heat map of its villages, opens the
//! heat map's table and follows 甲村 to its own card; then the home page shows the
//! year's scores. Screenshots of each page.

use crate::common::*;
use crate::harness::*;
use fantoccini::Locator;
use jiceng_store::testing::TestDb;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn scorecard_a_township_reads_its_villages_and_drills_down() {
    let db = TestDb::sqlite().await;
    let f = fixture(&db).await;
    let Some(s) = Session::start(f.app.clone()).await else {
        return;
    };
    let (c, base) = (&s.c, s.base.clone());
    c.set_window_size(375, 812).await.unwrap();
    login(c, &base, "committee").await;
    c.goto(&format!("{base}/orgs/{}", f.orgs["T001"]))
        .await
        .unwrap();
    click(c, "org-scorecard-link").await;
    let cards = wait_text(c, "measures").await;
    for m in ["功能是否增强", "素质是否提高", "人民是否满意"] {
        assert!(cards.contains(m), "{cards}");
    }
    assert!(cards.contains("暂无数据"), "no survey, no request: {cards}");
    wait_for(c, Locator::Css("svg.heat-map")).await;
    shot(c, "scorecard-township-phone", 375, 2400).await;
    c.set_window_size(375, 812).await.unwrap();
    click_on(
        c,
        Locator::XPath("//table[@id='heat-table']//a[text()='甲村党支部']"),
    )
    .await;
    wait_url_contains(c, &format!("org={}", f.orgs["B001"])).await;
    let title = text_of(c, "h1").await;
    assert!(title.contains("甲村党支部"), "{title}");
    shot(c, "scorecard-village-phone", 375, 1600).await;
    c.set_window_size(375, 812).await.unwrap();
    c.goto(&format!("{base}/")).await.unwrap();
    wait_for(c, Locator::Css("#scorecard-heat svg")).await;
    s.close().await;
}
