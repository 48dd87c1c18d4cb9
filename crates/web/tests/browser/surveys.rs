//! 群众满意度测评 in Chromium: the township's 组织委员 opens a survey of 甲村 for the year and
//! prints a batch of three tokens (a card each, with its QR code); a villager with no
//! account opens the first card's address on a phone and answers; the same card again is
//! refused, a made-up code too; the survey's page counts the answer. Screenshots of the
//! cards and the public page.

use crate::common::*;
use crate::harness::*;
use fantoccini::Locator;
use jiceng_store::testing::TestDb;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn surveys_a_villager_answers_on_a_phone_with_a_printed_token() {
    let db = TestDb::sqlite().await;
    let f = fixture(&db).await;
    let Some(s) = Session::start(f.app.clone()).await else {
        return;
    };
    let (c, base) = (&s.c, s.base.clone());
    let b001 = f.orgs["B001"];
    c.set_window_size(1280, 900).await.unwrap();
    login(c, &base, "committee").await;
    c.goto(&format!("{base}/surveys/new?org={b001}"))
        .await
        .unwrap();
    refill(c, "period", "2026").await;
    click(c, "survey-submit").await;
    wait_url_contains(c, "done=").await;
    refill(c, "count", "3").await;
    click(c, "tokens-submit").await;
    let first = wait_for(c, Locator::Css(".survey-card-url")).await;
    let url = first.text().await.unwrap();
    assert!(url.contains("/s/"), "{url}");
    let cards = c.find_all(Locator::Css(".survey-card")).await.unwrap();
    assert_eq!(cards.len(), 3);
    assert!(
        c.find(Locator::Css(".survey-card svg")).await.is_ok(),
        "a QR code"
    );
    shot(c, "survey-cards", 1280, 1000).await;
    let survey_page = c.current_url().await.unwrap();
    logout(c).await;

    // The villager: no account, a phone, the card's address.
    let path = &url[url.find("/s/").unwrap()..];
    c.set_window_size(375, 812).await.unwrap();
    c.goto(&format!("{base}{path}")).await.unwrap();
    assert!(wait_text(c, "survey-org").await.contains("甲村党支部"));
    for q in ["q1", "q2", "q3"] {
        click_on(
            c,
            Locator::Css(&format!("input[name={q}][value=Satisfied]")),
        )
        .await;
    }
    fill(c, "comment", "希望多组织志愿服务").await;
    shot(c, "survey-public-phone", 375, 1400).await;
    c.set_window_size(375, 812).await.unwrap();
    click(c, "survey-submit").await;
    assert!(wait_text(c, "survey-thanks").await.contains("提交成功"));
    // The same card again; a made-up code.
    c.goto(&format!("{base}{path}")).await.unwrap();
    let used = wait_text(c, "survey-message").await;
    assert!(used.contains("已经使用过"), "{used}");
    c.goto(&format!("{base}/s/ABCDEFGHJK")).await.unwrap();
    let forged = wait_text(c, "survey-message").await;
    assert!(forged.contains("测评码无效"), "{forged}");

    // The survey counts the answer.
    c.set_window_size(1280, 900).await.unwrap();
    login(c, &base, "committee").await;
    let p = survey_page.path().to_string();
    let survey = &p[..p.find("/tokens").unwrap_or(p.len())];
    c.goto(&format!("{base}{survey}")).await.unwrap();
    let counts = wait_text(c, "survey-counts").await;
    assert!(counts.contains("1"), "{counts}");
    s.close().await;
}
