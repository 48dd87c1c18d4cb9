//! 更正 and 作废 on a phone: 甲村's secretary records a theme day with 刘洋 marked absent,
//! opens it, taps 更正记录 — the form comes filled as recorded — marks him present, gives the
//! reason and saves: the page says 已更正 and counts 5 of 5. Then she voids it with a
//! reason, and the branch's organizational life says so; before that she attaches a photo of the
//! sign-in sheet. Screenshots of both.

use crate::common::*;
use crate::harness::*;
use jiceng_store::testing::TestDb;

/// The radio of `member`'s attendance with `value` (present, excused, absent).
async fn radio(c: &fantoccini::Client, member: i64, value: &str) -> fantoccini::elements::Element {
    c.find(fantoccini::Locator::Css(&format!(
        "input[name=att_{member}][value={value}]"
    )))
    .await
    .unwrap()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn meeting_correction_a_secretary_corrects_then_voids_on_a_phone() {
    let db = TestDb::sqlite().await;
    let f = fixture(&db).await;
    let Some(s) = Session::start(f.app.clone()).await else {
        return;
    };
    let (c, base) = (&s.c, s.base.clone());
    c.set_window_size(375, 812).await.unwrap();
    let b001 = f.orgs["B001"];
    let liu = f.members["刘洋"];

    login(c, &base, "sec-a").await;
    c.goto(&format!("{base}/orgs/{b001}/meetings/new?kind=ThemeDay"))
        .await
        .unwrap();
    fill(c, "topic", "六月主题党月").await;
    click_el(c, &radio(c, liu, "absent").await).await;
    click(c, "record-submit").await;
    wait_url_contains(c, "done=recorded").await;
    assert_eq!(text_of(c, "#meeting-counts").await, "5 / 4 / 0");

    click(c, "meeting-correct").await;
    assert!(wait_text(c, "record-title").await.contains("更正"));
    let absent = radio(c, liu, "absent").await;
    assert!(absent.prop("checked").await.unwrap().as_deref() == Some("true"));
    refill(c, "topic", "六月主题党日").await;
    click_el(c, &radio(c, liu, "present").await).await;
    fill(c, "reason", "主题写错，刘洋实际到会").await;
    shot(c, "meeting-correct-phone", 375, 1400).await;
    c.set_window_size(375, 812).await.unwrap();
    click(c, "record-submit").await;
    wait_url_contains(c, "done=corrected").await;
    assert!(wait_text(c, "flash").await.contains("已更正"));
    assert_eq!(text_of(c, "#meeting-counts").await, "5 / 5 / 0");
    let title = text_of(c, "#meeting-title").await;
    assert!(title.starts_with("六月主题党日 "), "{title}");

    // A photo of the sign-in sheet, chosen as a phone chooses a file, then shown inline.
    let photo = f.dir.file("签到表.png");
    std::fs::write(&photo, b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR-sample").unwrap();
    wait_for(c, fantoccini::Locator::Id("attach-file"))
        .await
        .send_keys(photo.to_str().unwrap())
        .await
        .unwrap();
    click(c, "attach-submit").await;
    wait_url_contains(c, "done=attached").await;
    let list = wait_text(c, "attachment-list").await;
    assert!(list.contains("签到表.png"), "{list}");

    click(c, "void-open").await;
    fill(c, "void-reason", "当天实际未召开").await;
    shot(c, "meeting-void-phone", 375, 1400).await;
    c.set_window_size(375, 812).await.unwrap();
    click(c, "void-submit").await;
    wait_url_contains(c, "done=voided").await;
    assert!(wait_text(c, "flash").await.contains("已作废"));
    s.close().await;
}
