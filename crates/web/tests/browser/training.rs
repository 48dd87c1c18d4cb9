//! 党员教育培训学时 on a phone: 甲村's secretary opens the branch's 学时 page from the org
//! page, records a 32-学时 training with the roster ticked (全部参加), unticking 刘洋 who was
//! absent; the page then says 张建国 (书记, owes 56) 还差24学时, 李秀英 已达标, 刘洋 还差32学时 —
//! never 未达标 in June; 本月待办 counts the 2 short. Screenshots of the form and the page.

use crate::common::*;
use crate::harness::*;
use jiceng_store::testing::TestDb;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn training_a_secretary_records_hours_on_a_phone() {
    let db = TestDb::sqlite().await;
    let f = fixture(&db).await;
    let Some(s) = Session::start(f.app.clone()).await else {
        return;
    };
    let (c, base) = (&s.c, s.base.clone());
    c.set_window_size(375, 812).await.unwrap();
    let b001 = f.orgs["B001"];
    let (zhang, li, liu) = (f.members["张建国"], f.members["李秀英"], f.members["刘洋"]);

    login(c, &base, "sec-a").await;
    c.goto(&format!("{base}/orgs/{b001}")).await.unwrap();
    click(c, "org-training-link").await;
    wait_text(c, "training-title").await;
    click(c, "training-record").await;
    wait_text(c, "record-title").await;
    fill(c, "title", "党员集中轮训").await;
    set_date(c, "starts_on", "2026-06-01").await;
    set_date(c, "ends_on", "2026-06-04").await;
    fill(c, "hours", "32").await;
    click(c, &format!("attendee-{liu}")).await;
    shot(c, "training-form-phone", 375, 1400).await;
    c.set_window_size(375, 812).await.unwrap();
    click(c, "training-submit").await;
    wait_url_contains(c, "done=recorded").await;
    assert!(wait_text(c, "flash").await.contains("已登记培训"));
    let (z, l, u) = (
        text_of(c, &format!("#person-{zhang}")).await,
        text_of(c, &format!("#person-{li}")).await,
        text_of(c, &format!("#person-{liu}")).await,
    );
    assert!(z.contains("还差24学时") && z.contains("56"), "{z}");
    assert!(
        l.contains("已达标") && u.contains("还差32学时"),
        "{l} / {u}"
    );
    assert!(!text_of(c, "main").await.contains("未达标（"));
    shot(c, "training-branch-phone", 375, 1600).await;
    c.set_window_size(375, 812).await.unwrap();

    c.goto(&format!("{base}/orgs/{b001}/due")).await.unwrap();
    let due = wait_text(c, "due-training").await;
    assert!(due.contains("还有 2 名党员学时未满"), "本月待办: {due}");
    s.close().await;
}
