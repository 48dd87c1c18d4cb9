//! 党务公开 in Chromium: 甲村's secretary publishes a notice to the public and a decision to
//! the members through the page's forms; a villager with no account opens the branch's
//! public page on a phone and sees the notice and nothing else — not the members' item, no
//! link into the application; once withdrawn, the notice is gone. Screenshots of the
//! secretary's page and the public page.

use crate::common::*;
use crate::harness::*;
use fantoccini::Locator;
use jiceng_store::testing::TestDb;

async fn publish(c: &fantoccini::Client, audience: &str, kind: &str, title: &str, body: &str) {
    let open = c.find(Locator::Id("disclosure-free-open")).await.unwrap();
    click_el(c, &open).await;
    click_on(
        c,
        Locator::Css(&format!("#free-audience option[value={audience}]")),
    )
    .await;
    click_on(c, Locator::Css(&format!("#free-kind option[value={kind}]"))).await;
    fill(c, "free-title", title).await;
    fill(c, "free-body", body).await;
    click(c, "free-submit").await;
    wait_url_contains(c, "done=").await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn disclosure_the_public_page_shows_the_published_items_without_a_session() {
    let db = TestDb::sqlite().await;
    let f = fixture(&db).await;
    let Some(s) = Session::start(f.app.clone()).await else {
        return;
    };
    let (c, base) = (&s.c, s.base.clone());
    let b001 = f.orgs["B001"];
    c.set_window_size(1280, 900).await.unwrap();
    login(c, &base, "sec-a").await;
    c.goto(&format!("{base}/disclosure?org={b001}"))
        .await
        .unwrap();
    publish(
        c,
        "Public",
        "Notice",
        "关于开展冬季环境整治的通知",
        "本周六上午8时在村委会门前集合。",
    )
    .await;
    publish(
        c,
        "Members",
        "Decision",
        "关于确定发展对象的决定",
        "经支部委员会研究确定。",
    )
    .await;
    // The address still holds the first publication's done=: the second's page is told by
    // its content, and the link read again if the page changed under it.
    let page = text_once(c, "main", "关于确定发展对象的决定").await;
    assert!(page.contains("关于确定发展对象的决定"), "{page}");
    let path = wait_text(c, "disclosure-public-link").await;
    assert!(path.starts_with("/p/"), "{path}");
    shot(c, "disclosure-secretary", 1280, 1000).await;
    logout(c).await;

    // A villager: no account, a phone, the public address.
    c.set_window_size(375, 812).await.unwrap();
    c.goto(&format!("{base}{path}")).await.unwrap();
    assert!(wait_text(c, "public-org").await.contains("甲村党支部"));
    let items = wait_text(c, "public-items").await;
    assert!(items.contains("关于开展冬季环境整治的通知"), "{items}");
    assert!(items.contains("本周六上午8时"), "{items}");
    assert!(!items.contains("发展对象"), "a members' item: {items}");
    let shown = c.find_all(Locator::Css(".disclosure-item")).await.unwrap();
    assert_eq!(shown.len(), 1);
    let links = c.find_all(Locator::Css("a")).await.unwrap();
    assert!(links.is_empty(), "no link into the application");
    let source = c.source().await.unwrap();
    for name in f.members.keys() {
        assert!(!source.contains(name.as_str()), "{name} on the public page");
    }
    shot(c, "disclosure-public-phone", 375, 900).await;

    // Withdrawn by the secretary: gone from the public page.
    c.set_window_size(1280, 900).await.unwrap();
    login(c, &base, "sec-a").await;
    c.goto(&format!("{base}/disclosure?org={b001}"))
        .await
        .unwrap();
    let withdraw = wait_for(c, Locator::Css("button[id^=withdraw-]")).await;
    // The members' decision is the newest; withdraw the notice (the last button).
    let buttons = c
        .find_all(Locator::Css("button[id^=withdraw-]"))
        .await
        .unwrap();
    assert_eq!(buttons.len(), 2);
    drop(withdraw);
    click_el(c, buttons.last().unwrap()).await;
    wait_url_contains(c, "done=").await;
    logout(c).await;
    c.goto(&format!("{base}{path}")).await.unwrap();
    let none = wait_text(c, "public-none").await;
    assert!(none.contains("没有公开事项"), "{none}");
    s.close().await;
}
