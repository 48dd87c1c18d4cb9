//! 组织关系转接 on a phone: 甲村's secretary issues a letter for 王伟 to 丙村党支部 (another
//! town, out of her sight) from the member's page; 丙村's secretary, at a 375×812 window,
//! finds it under 关系转接 with only the letter's data, receives it with one tap, and 王伟 is
//! on 丙村's roster; 甲村's secretary no longer sees him. Screenshots of the inbox and the
//! letter at phone width; then 王伟 goes away to work, recorded on his page, and the
//! branch's 流动党员 list shows him.

use fantoccini::Locator;

use crate::common::*;
use crate::harness::*;
use jiceng_store::testing::TestDb;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn transfers_a_receiving_secretary_accepts_a_letter_on_a_phone() {
    let db = TestDb::sqlite().await;
    let f = fixture(&db).await;
    add_secretary(&f.app, "sec-c", "B003").await;
    let Some(s) = Session::start(f.app.clone()).await else {
        return;
    };
    let (c, base) = (&s.c, s.base.clone());
    c.set_window_size(375, 812).await.unwrap();
    let wang = f.members["王伟"];

    // 甲村's secretary issues the letter from 王伟's page.
    login(c, &base, "sec-a").await;
    c.goto(&format!("{base}/members/{wang}")).await.unwrap();
    click(c, "member-transfer").await;
    fill(c, "to", "丙村党支部").await;
    fill(c, "reason", "到丙村定居").await;
    click(c, "transfer-submit").await;
    wait_url_contains(c, "done=issued").await;
    assert!(wait_text(c, "flash").await.contains("仍在本组织"));
    assert_eq!(text_of(c, "#letter-state").await, "待接收");
    let letter = c.current_url().await.unwrap();
    let id: i64 = letter
        .path()
        .trim_start_matches("/transfers/")
        .parse()
        .expect("the letter's page");
    logout(c).await;

    // 丙村's secretary, on a phone: the inbox shows the letter, not the member's record.
    login(c, &base, "sec-c").await;
    click(c, "due-link").await;
    let due = wait_text(c, "due-letters").await;
    assert!(due.contains("1 封组织关系介绍信待接收"), "本月待办: {due}");
    click(c, "nav-members").await;
    click(c, "nav-transfers").await;
    wait_text(c, "incoming-title").await;
    assert_eq!(text_of(c, "#incoming-count .n").await, "1");
    let card = text_of(c, &format!("#incoming-{id}")).await;
    assert!(
        card.contains("王伟") && card.contains("甲村党支部"),
        "{card}"
    );
    c.goto(&format!("{base}/members/{wang}")).await.unwrap();
    let page = text_of(c, "main").await;
    assert!(page.contains("找不到"), "not yet 丙村's member: {page}");
    c.goto(&format!("{base}/transfers")).await.unwrap();
    wait_text(c, "incoming-title").await;
    shot(c, "transfers-inbox-phone", 375, 1200).await;
    c.set_window_size(375, 812).await.unwrap();
    click(c, &format!("receive-{id}")).await;
    wait_url_contains(c, "done=received").await;
    assert!(wait_text(c, "flash").await.contains("已转入本组织名册"));
    assert_eq!(text_of(c, "#letter-state").await, "已接收");
    shot(c, "transfers-received-phone", 375, 1400).await;
    c.set_window_size(375, 812).await.unwrap();
    click(c, "letter-member").await;
    let name = wait_text(c, "member-name").await;
    assert!(name.contains("王伟"), "{name}");
    assert!(text_of(c, "main").await.contains("丙村党支部"));
    c.goto(&format!("{base}/members")).await.unwrap();
    wait_for(c, Locator::XPath("//tr[td/a[text()='王伟']]")).await;
    // He goes away to work: recorded from his page; the subtree's list shows him.
    c.goto(&format!("{base}/members/{wang}")).await.unwrap();
    click(c, "away-form-open").await;
    set_date(c, "away-on", "2026-06-30").await;
    fill(c, "place", "浙江省宁波市某电子厂").await;
    fill(c, "contact", "13900001234").await;
    click(c, "away-submit").await;
    wait_url_contains(c, "done=mobility").await;
    let history = wait_text(c, "mobility-history").await;
    assert!(
        history.contains("外出：浙江省宁波市某电子厂") && history.contains("139****1234"),
        "{history}"
    );
    shot(c, "member-life-phone", 375, 2000).await;
    c.set_window_size(375, 812).await.unwrap();
    c.goto(&format!("{base}/mobility")).await.unwrap();
    let row = text_of(c, &format!("#away-{wang}")).await;
    assert!(row.contains("王伟") && row.contains("2026-06-30"), "{row}");
    shot(c, "mobility-phone", 375, 1000).await;
    c.set_window_size(375, 812).await.unwrap();
    logout(c).await;

    // 甲村's secretary no longer sees him.
    login(c, &base, "sec-a").await;
    c.goto(&format!("{base}/members")).await.unwrap();
    let roster = text_of(c, "main").await;
    assert!(
        roster.contains("张建国") && !roster.contains("王伟"),
        "{roster}"
    );
    c.goto(&format!("{base}/members/{wang}")).await.unwrap();
    assert!(text_of(c, "main").await.contains("找不到"));
    s.close().await;
}
