//! 党费 on a phone (375×812): 甲村's secretary assesses 张建国 (在职, 5000 元 → 50.00 a month)
//! and 李秀英 (离退休, 3000 元 → 15.00) from their pages, records 张建国's January to May at
//! once, then opens 党费 from the menu: June's sheet asks 65.00, and 全部已交 marks both
//! paid with one tap. The sheet and the member's account are screenshotted at phone width.

use crate::common::*;
use crate::harness::*;
use jiceng_store::testing::TestDb;

async fn assess(c: &fantoccini::Client, base: &str, id: i64, category: &str, amount: &str) {
    c.goto(&format!("{base}/members/{id}")).await.unwrap();
    click(c, "dues-base-open").await;
    set_date(c, "base-from", "2026-01").await;
    c.execute(
        &format!("document.getElementById('base-category').value = '{category}';"),
        vec![],
    )
    .await
    .unwrap();
    fill(c, "base-amount", amount).await;
    click(c, "dues-base-submit").await;
    wait_url_contains(c, "done=dues").await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn dues_a_secretary_records_a_month_with_one_tap_on_a_phone() {
    let db = TestDb::sqlite().await;
    let f = fixture(&db).await;
    let Some(s) = Session::start(f.app.clone()).await else {
        return;
    };
    let (c, base) = (&s.c, s.base.clone());
    c.set_window_size(375, 812).await.unwrap();
    let (zhang, li) = (f.members["张建国"], f.members["李秀英"]);
    login(c, &base, "sec-a").await;
    assess(c, &base, zhang, "salaried", "5000").await;
    let summary = wait_text(c, "dues-summary").await;
    assert!(summary.contains("每月应交 50.00 元"), "{summary}");
    click(c, "dues-pay-open").await;
    set_date(c, "pay-from", "2026-01").await;
    set_date(c, "pay-to", "2026-05").await;
    set_date(c, "pay-on", "2026-05-31").await;
    click(c, "dues-pay-submit").await;
    // The answer has the address of the page before (?done=dues): told by its content.
    let months = text_once(c, "#dues-months", "2026-05-31").await;
    assert!(
        months.contains("2026-05") && months.contains("2026-05-31"),
        "{months}"
    );
    assess(c, &base, li, "retired", "3000").await;
    shot(c, "dues-member-phone", 375, 1800).await;
    c.set_window_size(375, 812).await.unwrap();

    click(c, "nav-dues").await;
    let due = wait_text(c, "dues-due").await;
    assert!(due.contains("65.00"), "{due}");
    click(c, "pay-all").await;
    wait_url_contains(c, "done=pay").await;
    assert!(wait_text(c, "flash").await.contains("已登记交纳"));
    let paid = text_of(c, "#dues-paid").await;
    assert!(paid.contains("65.00") && paid.contains("2 人"), "{paid}");
    assert!(text_of(c, &format!("#paid-{li}")).await.contains("15.00"));
    shot(c, "dues-sheet-phone", 375, 1400).await;
    s.close().await;
}
