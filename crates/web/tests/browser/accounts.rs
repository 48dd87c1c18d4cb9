//! Accounts in the browser: the county department, at its desk, opens 丙村's secretary's
//! account from 账号 → 批量开通书记账号 and gets the one-time password to print; resets
//! 甲村's secretary's password (confirmed in the browser's dialog). 丙村's secretary, on a
//! phone, logs in with the printed password and is taken to set a new one first, then sees
//! 我的账号 with its session. Screenshots of each page.

use crate::common::*;
use crate::harness::*;
use fantoccini::Locator;
use jiceng_store::testing::TestDb;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn accounts_the_department_opens_the_secretaries_accounts_and_they_sign_in() {
    let db = TestDb::sqlite().await;
    let f = fixture(&db).await;
    let Some(s) = Session::start(f.app.clone()).await else {
        return;
    };
    let (c, base) = (&s.c, s.base.clone());
    c.set_window_size(1280, 900).await.unwrap();

    login(c, &base, "dept").await;
    click(c, "nav-manage").await;
    click(c, "nav-accounts").await;
    wait_for(c, Locator::Id("accounts-table")).await;
    shot(c, "accounts-list-desk", 1280, 1100).await;
    click(c, "accounts-provision").await;
    let table = wait_text(c, "provision-table").await;
    assert!(
        table.contains("丙村党支部") && !table.contains("甲村党支部"),
        "{table}"
    );
    shot(c, "accounts-provision-desk", 1280, 900).await;
    click(c, "provision-submit").await;
    let issued = wait_text(c, "issued-table").await;
    assert!(issued.contains("B003"), "{issued}");
    let password = text_of(c, "#issued-table .issued-password").await;
    assert!(password.len() >= 10, "{password}");
    shot(c, "accounts-issued-desk", 1280, 700).await;

    // A reset, confirmed in the dialog the form asks for.
    c.goto(&format!("{base}/accounts?q=sec-a")).await.unwrap();
    let reset = wait_for(c, Locator::Css("#accounts-table button[id^=reset-]")).await;
    click_el(c, &reset).await;
    let asked = c.get_alert_text().await.unwrap();
    assert!(asked.contains("sec-a"), "{asked}");
    c.accept_alert().await.unwrap();
    let done = wait_text(c, "issued-done").await;
    assert!(done.contains("已重置“sec-a”的密码"), "{done}");
    logout(c).await;

    // 丙村's secretary, on a phone, with the printed password.
    c.set_window_size(375, 812).await.unwrap();
    c.goto(&format!("{base}/login")).await.unwrap();
    fill(c, "username", "B003").await;
    fill(c, "password", &password).await;
    click(c, "login-submit").await;
    let told = wait_text(c, "password-expired").await;
    assert!(told.contains("初始密码"), "{told}");
    shot(c, "account-first-login-phone", 375, 900).await;
    c.set_window_size(375, 812).await.unwrap();
    fill(c, "current", &password).await;
    fill(c, "new", "Bingcun-2026-mine").await;
    fill(c, "confirm", "Bingcun-2026-mine").await;
    click(c, "password-submit").await;
    wait_text(c, "password-done").await;
    c.goto(&format!("{base}/")).await.unwrap();
    click(c, "nav-account").await;
    let sessions = wait_text(c, "sessions-table").await;
    assert!(sessions.contains("本设备"), "{sessions}");
    shot(c, "account-own-phone", 375, 812).await;
    s.close().await;
}
