//! 党小组成员 and the 党小组会's roster on a phone: 甲村's secretary places 张建国 and
//! 李秀英 in the branch's first group (a select beside each name, one save), then opens
//! the record form as for a theme day (all five listed), taps 党小组会 and picks the group:
//! the roster shows the group's two, and the meeting is saved as 2 of 2. Screenshots of
//! both pages.

use crate::common::*;
use crate::harness::*;
use fantoccini::Locator;
use jiceng_store::testing::TestDb;

/// How many lines of the record form's roster are on show.
async fn shown(c: &fantoccini::Client) -> usize {
    let mut n = 0;
    for li in c
        .find_all(Locator::Css("#roster li[data-member]"))
        .await
        .unwrap()
    {
        if li.is_displayed().await.unwrap() {
            n += 1;
        }
    }
    n
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn groups_a_secretary_places_members_and_records_a_group_meeting() {
    let db = TestDb::sqlite().await;
    let f = fixture(&db).await;
    let Some(s) = Session::start(f.app.clone()).await else {
        return;
    };
    let (c, base) = (&s.c, s.base.clone());
    let b001 = f.orgs["B001"];
    let g = add_group_b001(&f, "甲村第一党小组").await;
    c.set_window_size(375, 812).await.unwrap();
    login(c, &base, "sec-a").await;

    c.goto(&format!("{base}/orgs/{b001}/groups")).await.unwrap();
    for name in ["张建国", "李秀英"] {
        let id = f.members[name];
        wait_for(c, Locator::Id(&format!("g_{id}")))
            .await
            .select_by_value(&g.to_string())
            .await
            .unwrap();
    }
    shot(c, "groups-phone", 375, 900).await;
    c.set_window_size(375, 812).await.unwrap();
    click(c, "groups-submit").await;
    wait_url_contains(c, "saved=2").await;
    assert!(wait_text(c, "flash").await.contains("2名党员"));

    c.goto(&format!("{base}/orgs/{b001}/meetings/new?kind=ThemeDay"))
        .await
        .unwrap();
    wait_for(c, Locator::Id("roster")).await;
    assert_eq!(shown(c).await, 5);
    click_on(c, Locator::Css("input[name=kind][value=GroupMeeting]")).await;
    wait_for(c, Locator::Id("group"))
        .await
        .select_by_value(&g.to_string())
        .await
        .unwrap();
    assert_eq!(shown(c).await, 2);
    fill(c, "topic", "党小组学习").await;
    shot(c, "group-meeting-phone", 375, 1200).await;
    c.set_window_size(375, 812).await.unwrap();
    click(c, "record-submit").await;
    wait_url_contains(c, "done=recorded").await;
    assert_eq!(text_of(c, "#meeting-counts").await, "2 / 2 / 0");
    s.close().await;
}

/// 联合开展 on a desk: the township's committee ticks all its branches, types each one's
/// 实到, and saves once: the meeting list shows one meeting per branch.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn groups_a_township_records_a_joint_theme_day() {
    let db = TestDb::sqlite().await;
    let f = fixture(&db).await;
    let Some(s) = Session::start(f.app.clone()).await else {
        return;
    };
    let (c, base) = (&s.c, s.base.clone());
    let t001 = f.orgs["T001"];
    c.set_window_size(1280, 900).await.unwrap();
    login(c, &base, "committee").await;
    c.goto(&format!("{base}/orgs/{t001}/life")).await.unwrap();
    click(c, "joint-link").await;
    wait_for(c, Locator::Id("joint-form")).await;
    fill(c, "topic", "全镇联合主题党日").await;
    click_on(c, Locator::Css("input[data-check-all=pick]")).await;
    let picked = c
        .find_all(Locator::Css("input[name=pick]:checked"))
        .await
        .unwrap()
        .len();
    let counts = c
        .find_all(Locator::Css("input[name^=present_]"))
        .await
        .unwrap();
    assert_eq!(picked, counts.len());
    for input in &counts {
        input.send_keys("1").await.unwrap();
    }
    shot(c, "joint-desk", 1280, 1100).await;
    c.set_window_size(1280, 900).await.unwrap();
    click(c, "joint-submit").await;
    wait_url_contains(c, "topic=").await;
    let total = wait_text(c, "meetings-total").await;
    assert_eq!(total, format!("共{picked}次"));
    s.close().await;
}
