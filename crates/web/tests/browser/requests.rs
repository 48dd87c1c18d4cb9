//! 群众诉求 in Chromium, on phones: the township's 组织委员 receives a request at the
//! reception day, assigns it to 甲村 with a responsible person and the requester's
//! (synthetic) name and phone; 甲村's secretary finds it among the reminders, notes
//! progress and resolves it with the requester's feedback; the township's list counts it
//! resolved and never shows the requester. Screenshots of each page.

use crate::common::*;
use crate::harness::*;
use fantoccini::Locator;
use jiceng_store::testing::TestDb;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn requests_a_township_assigns_one_and_the_village_resolves_it() {
    let db = TestDb::sqlite().await;
    let f = fixture(&db).await;
    let Some(s) = Session::start(f.app.clone()).await else {
        return;
    };
    let (c, base) = (&s.c, s.base.clone());
    c.set_window_size(375, 812).await.unwrap();
    login(c, &base, "committee").await;
    c.goto(&format!("{base}/tasks")).await.unwrap();
    click(c, "requests-link").await;
    click(c, "request-new").await;
    click_on(c, Locator::Css("#channel option[value=ReceptionDay]")).await;
    click_on(c, Locator::Css("#category option[value=Elderly]")).await;
    fill(c, "content", "独居老人吃饭难，希望村里开办老年助餐点").await;
    fill(c, "assign_to", "B001").await;
    fill(c, "handler", "张建国").await;
    fill(c, "requester_name", "赵大爷").await;
    fill(c, "requester_phone", "13900000000").await;
    shot(c, "request-new-phone", 375, 1400).await;
    c.set_window_size(375, 812).await.unwrap();
    click(c, "request-submit").await;
    wait_url_contains(c, "done=").await;
    let meta = wait_text(c, "request-meta").await;
    assert!(meta.contains("甲村党支部"), "{meta}");
    // The requester masked on the request's own page.
    let body = text_of(c, "main").await;
    assert!(!body.contains("13900000000"), "{body}");
    logout(c).await;

    login(c, &base, "sec-a").await;
    let reminders = text_of(c, "#reminder-list").await;
    assert!(reminders.contains("群众诉求1件未办结"), "{reminders}");
    click_on(c, Locator::Css("#reminder-list a[href^='/requests']")).await;
    click_on(c, Locator::Css("#requests a[href^='/requests/']")).await;
    fill(c, "progress-note", "已联系村卫生室和志愿者，选址村委会一楼").await;
    click(c, "progress-submit").await;
    wait_url_contains(c, "done=").await;
    assert!(wait_text(c, "progress-list")
        .await
        .contains("选址村委会一楼"));
    fill(c, "result", "老年助餐点已开办，每日中午供餐").await;
    click_on(c, Locator::Css("#feedback option[value=Satisfied]")).await;
    shot(c, "request-resolve-phone", 375, 1400).await;
    c.set_window_size(375, 812).await.unwrap();
    click(c, "resolve-submit").await;
    wait_url_contains(c, "done=").await;
    assert!(wait_text(c, "request-status").await.contains("已办结"));
    logout(c).await;

    login(c, &base, "committee").await;
    c.goto(&format!("{base}/requests")).await.unwrap();
    let counts = wait_text(c, "requests-counts").await;
    assert!(counts.contains("100.0%"), "{counts}");
    let list = text_of(c, "#requests").await;
    assert!(
        list.contains("已办结") && !list.contains("赵大爷"),
        "{list}"
    );
    shot(c, "requests-township-phone", 375, 1000).await;
    s.close().await;
}
