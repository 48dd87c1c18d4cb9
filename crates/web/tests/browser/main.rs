//! The main journeys in real headless Chromium (Debian's `chromium` and `chromium-driver`),
//! driven over WebDriver: log in; find a member; import a roster with an error and see the
//! row named, fix it and import, see the dashboard change; a branch secretary cannot open
//! another branch's pages. One file per further journey: organizational life, rating and
//! rectification, 发展党员. Screenshots at phone (360×740) and desktop size are written to
//! `target/browser-screenshots/` (or `JICENG_SCREENSHOTS`).
//!
//! Skipped with a notice when Chromium is not installed, unless `JICENG_REQUIRE_BROWSER=1`.

mod accounts;
#[path = "../common/mod.rs"]
mod common;
mod disclosure;
mod dues;
mod duty;
mod groups;
mod harness;
mod homes;
mod life;
mod meeting_correction;
mod mobile_in;
mod rating;
mod recruitment;
mod requests;
mod scorecard;
mod surveys;
mod tasks;
mod training;
mod transfers;

use common::*;
use fantoccini::Locator;
use harness::*;
use jiceng_store::testing::TestDb;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn journeys_in_headless_chromium() {
    let db = TestDb::sqlite().await;
    let f = fixture(&db).await;
    let Some(s) = Session::start(f.app.clone()).await else {
        return;
    };
    let (c, base) = (&s.c, s.base.clone());

    // 1. Log in (a wrong password first: the message is shown in Chinese).
    c.goto(&format!("{base}/login")).await.unwrap();
    fill(c, "username", "dept").await;
    fill(c, "password", "not-the-password").await;
    click(c, "login-submit").await;
    let err = wait_text(c, "login-error").await;
    assert!(err.contains("密码"), "{err}");
    login(c, &base, "dept").await;
    let title = text_of(c, "#dashboard-title").await;
    assert!(title.contains("测试县委"), "{title}");
    assert_eq!(text_of(c, "#card-members .n").await, "10");
    shot(c, "dashboard-desktop", 1280, 1800).await;
    shot(c, "dashboard-phone", 360, 740).await;

    // The tree expands lazily.
    c.goto(&format!("{base}/orgs")).await.unwrap();
    click_on(c, Locator::Css("#org-tree button.toggle")).await;
    wait_for(
        c,
        Locator::XPath("//ul[@id='org-tree']//a[text()='甲镇党委']"),
    )
    .await;

    // 2. Find a member by name, open the page: the ID number is masked.
    c.goto(&format!("{base}/members")).await.unwrap();
    shot(c, "roster-desktop", 1280, 900).await;
    shot(c, "roster-phone", 360, 740).await;
    c.set_window_size(1280, 900).await.unwrap();
    fill(c, "member-search", "王伟").await;
    click(c, "member-search-submit").await;
    wait_url_contains(c, "q=").await;
    click_on(c, Locator::LinkText("王伟")).await;
    let name = wait_text(c, "member-name").await;
    assert!(name.contains("王伟"));
    let id = text_of(c, "#id-number").await;
    assert!(id.contains("********"), "{id}");
    logout(c).await;

    // 3. Import a roster with an error, see the row named; fix it; import; the dashboard changes.
    let dir = Dir::new("browser-import");
    let good = member_line(
        "孙悦",
        "女",
        "1996-01-02",
        &id_number("1996-01-02", 42),
        "乙村党支部",
        "",
        60,
    );
    let bad = member_line(
        "钱多",
        "男",
        "1997-01-02",
        "37083019970102123X",
        "乙村党支部",
        "",
        61,
    );
    let fixed = member_line(
        "钱多",
        "男",
        "1997-01-02",
        &id_number("1997-01-02", 43),
        "乙村党支部",
        "",
        61,
    );
    let bad_file = dir.file("新党员.csv");
    std::fs::write(&bad_file, format!("{MEMBER_HEADER}\n{good}\n{bad}\n")).unwrap();
    let fixed_file = dir.file("新党员-改.csv");
    std::fs::write(&fixed_file, format!("{MEMBER_HEADER}\n{good}\n{fixed}\n")).unwrap();
    login(c, &base, "committee").await;
    let before: i64 = text_of(c, "#card-members .n").await.parse().unwrap();
    c.goto(&format!("{base}/import")).await.unwrap();
    fill(c, "file", &bad_file.display().to_string()).await;
    click(c, "import-check").await;
    let table = wait_text(c, "import-error-table").await;
    assert!(
        table.contains("第3行") && table.contains("公民身份号码") && table.contains("钱多"),
        "{table}"
    );
    shot(c, "import-errors-phone", 360, 740).await;
    c.set_window_size(1280, 900).await.unwrap();
    c.goto(&format!("{base}/import")).await.unwrap();
    fill(c, "file", &fixed_file.display().to_string()).await;
    click(c, "import-check").await;
    click(c, "import-confirm").await;
    wait_for(c, Locator::Id("import-done")).await;
    click(c, "to-dashboard").await;
    wait_for(c, Locator::Id("card-members")).await;
    let after: i64 = text_of(c, "#card-members .n").await.parse().unwrap();
    assert_eq!(
        after,
        before + 2,
        "the dashboard counts the imported members"
    );
    logout(c).await;

    // 4. A branch secretary cannot open another branch's pages.
    login(c, &base, "sec-a").await;
    for path in [
        format!("/orgs/{}", f.orgs["B002"]),
        format!("/members/{}", f.members["杨帆"]),
        format!("/members?org={}", f.orgs["B002"]),
    ] {
        c.goto(&format!("{base}{path}")).await.unwrap();
        let msg = wait_text(c, "error-message").await;
        assert!(msg.contains("无权查看"), "{path}: {msg}");
        assert!(c.source().await.unwrap().contains("状态码 404"), "{path}");
    }
    c.goto(&format!("{base}/orgs/{}", f.orgs["B001"]))
        .await
        .unwrap();
    assert!(text_of(c, "#org-name").await.contains("甲村党支部"));

    s.close().await;
}
