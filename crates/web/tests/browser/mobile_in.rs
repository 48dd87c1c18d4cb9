//! 流入党员 on a phone: 甲村's secretary goes from 关系转接 to 流动党员和失联党员, registers
//! 杨帆 of 乙村 (by the ID number on his 流动党员活动证; his own branch is found), then records
//! a theme day with him ticked 列席: the meeting counts the roster's 5, and lists him. 乙村's
//! secretary sees on 杨帆's page where he takes part. Screenshots of the page and the form.

use crate::common::*;
use crate::harness::*;
use jiceng_store::testing::TestDb;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn mobile_in_a_secretary_registers_a_member_from_elsewhere_on_a_phone() {
    let db = TestDb::sqlite().await;
    let f = fixture(&db).await;
    let Some(s) = Session::start(f.app.clone()).await else {
        return;
    };
    let (c, base) = (&s.c, s.base.clone());
    c.set_window_size(375, 812).await.unwrap();
    let b001 = f.orgs["B001"];

    login(c, &base, "sec-a").await;
    click(c, "nav-members").await;
    click(c, "nav-transfers").await;
    click(c, "mobility-link").await;
    wait_text(c, "mobility-title").await;
    click(c, "guest-open").await;
    fill(c, "guest-name", "杨帆").await;
    fill(c, "guest-id", &id_number("1988-04-04", 23)).await;
    set_date(c, "guest-since", "2026-05-01").await;
    fill(c, "guest-cert", "流证2026-015").await;
    shot(c, "mobile-in-form-phone", 375, 1500).await;
    c.set_window_size(375, 812).await.unwrap();
    click(c, "guest-submit").await;
    wait_url_contains(c, "done=guest").await;
    assert!(wait_text(c, "done").await.contains("已登记流入党员"));
    assert_eq!(text_of(c, "#incoming-count .n").await, "1");
    let list = text_of(c, "#incoming-list").await;
    assert!(
        list.contains("杨帆") && list.contains("乙村党支部"),
        "{list}"
    );
    shot(c, "mobile-in-list-phone", 375, 1500).await;
    c.set_window_size(375, 812).await.unwrap();

    // The theme day: 杨帆 offered as 列席 below the roster.
    c.goto(&format!("{base}/orgs/{b001}/meetings/new?kind=ThemeDay"))
        .await
        .unwrap();
    let guests = wait_text(c, "guests").await;
    assert!(guests.contains("杨帆"), "{guests}");
    fill(c, "topic", "与流入党员一起学习").await;
    let tick = c
        .find(fantoccini::Locator::Css("#guests input[name=guest]"))
        .await
        .unwrap();
    click_el(c, &tick).await;
    click(c, "record-submit").await;
    wait_url_contains(c, "done=").await;
    c.goto(&format!("{base}/orgs/{b001}/life")).await.unwrap();
    c.find(fantoccini::Locator::LinkText("与流入党员一起学习"))
        .await
        .unwrap()
        .click()
        .await
        .unwrap();
    let seen = wait_text(c, "guests").await;
    assert!(seen.contains("流入党员列席（无表决权）：杨帆"), "{seen}");
    let counts = text_of(c, "#meeting-counts").await;
    assert_eq!(counts, "5 / 5 / 0", "the roster's counts");
    logout(c).await;

    // 乙村's secretary: 杨帆's page says where he takes part.
    login(c, &base, "sec-b").await;
    c.goto(&format!("{base}/members/{}", f.members["杨帆"]))
        .await
        .unwrap();
    let at = wait_text(c, "guest-at").await;
    assert!(at.contains("甲村党支部"), "{at}");
    s.close().await;
}
