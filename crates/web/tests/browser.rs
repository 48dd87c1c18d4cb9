//! The main journeys in real headless Chromium (Debian's `chromium` and `chromium-driver`),
//! driven over WebDriver: log in; find a member; import a roster with an error and see the
//! row named, fix it and import, see the dashboard change; a branch secretary cannot open
//! another branch's pages. Screenshots at phone (360×740) and desktop size are written to
//! `target/browser-screenshots/` (or `JICENG_SCREENSHOTS`).
//!
//! Skipped with a notice when Chromium is not installed, unless `JICENG_REQUIRE_BROWSER=1`.

mod common;

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::Duration;

use common::*;
use fantoccini::{Client, ClientBuilder, Locator};
use jiceng_store::testing::TestDb;

const CHROMIUM: [&str; 2] = ["/usr/bin/chromium", "/usr/bin/chromium-browser"];
const DRIVER: [&str; 2] = ["/usr/bin/chromedriver", "/usr/lib/chromium/chromedriver"];

fn find(paths: &[&str]) -> Option<PathBuf> {
    paths.iter().map(PathBuf::from).find(|p| p.exists())
}

/// The browser and its driver, or `None` (with a notice) when absent and not required.
fn browser() -> Option<(PathBuf, PathBuf)> {
    match (find(&CHROMIUM), find(&DRIVER)) {
        (Some(c), Some(d)) => Some((c, d)),
        _ => {
            if std::env::var("JICENG_REQUIRE_BROWSER").as_deref() == Ok("1") {
                panic!("JICENG_REQUIRE_BROWSER=1 but chromium / chromedriver are not installed (apt-get install chromium chromium-driver fonts-noto-cjk)");
            }
            let _ = writeln!(
                std::io::stderr(),
                "SKIPPED browser tests: chromium and chromium-driver are not installed (apt-get install -y chromium chromium-driver fonts-noto-cjk); set JICENG_REQUIRE_BROWSER=1 to make them required"
            );
            None
        }
    }
}

struct Driver {
    child: Child,
    url: String,
}

impl Drop for Driver {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

async fn start_driver(driver: &Path) -> Driver {
    let port = free_port();
    let child = Command::new(driver)
        .arg(format!("--port={port}"))
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .expect("start chromedriver");
    let d = Driver {
        child,
        url: format!("http://127.0.0.1:{port}"),
    };
    for _ in 0..100 {
        if tokio::net::TcpStream::connect(("127.0.0.1", port))
            .await
            .is_ok()
        {
            return d;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    panic!("chromedriver did not start");
}

async fn open_browser(d: &Driver, chromium: &Path) -> Client {
    let mut caps = serde_json::Map::new();
    caps.insert(
        "goog:chromeOptions".into(),
        serde_json::json!({
            "binary": chromium.display().to_string(),
            "args": [
                "--headless=new", "--no-sandbox", "--disable-gpu", "--no-first-run",
                "--disable-background-networking", "--disable-dev-shm-usage",
                "--window-size=1280,900", "--lang=zh-CN"
            ],
        }),
    );
    ClientBuilder::new(hyper_util::client::legacy::connect::HttpConnector::new())
        .capabilities(caps)
        .connect(&d.url)
        .await
        .expect("connect to chromedriver")
}

fn shots_dir() -> PathBuf {
    let dir = std::env::var("JICENG_SCREENSHOTS")
        .map(PathBuf::from)
        .unwrap_or_else(|_| {
            Path::new(env!("CARGO_MANIFEST_DIR")).join("../../target/browser-screenshots")
        });
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

/// A screenshot of the whole page at `width` (the window grows to the page's height).
async fn shot(c: &Client, name: &str, width: u32, height: u32) {
    c.set_window_size(width, height).await.unwrap();
    tokio::time::sleep(Duration::from_millis(150)).await;
    let png = c.screenshot().await.unwrap();
    std::fs::write(shots_dir().join(format!("{name}.png")), png).unwrap();
}

/// Waits until the page's address contains `part` (after a form is submitted).
async fn wait_url_contains(c: &Client, part: &str) {
    for _ in 0..100 {
        if c.current_url().await.unwrap().as_str().contains(part) {
            return;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    panic!("the page never reached an address with {part}");
}

async fn text_of(c: &Client, css: &str) -> String {
    c.find(Locator::Css(css))
        .await
        .unwrap()
        .text()
        .await
        .unwrap()
}

async fn login(c: &Client, base: &str, user: &str) {
    c.goto(&format!("{base}/login")).await.unwrap();
    c.find(Locator::Id("username"))
        .await
        .unwrap()
        .send_keys(user)
        .await
        .unwrap();
    c.find(Locator::Id("password"))
        .await
        .unwrap()
        .send_keys(PASSWORD)
        .await
        .unwrap();
    c.find(Locator::Id("login-submit"))
        .await
        .unwrap()
        .click()
        .await
        .unwrap();
    c.wait()
        .for_element(Locator::Css("header.top .who"))
        .await
        .unwrap();
}

async fn logout(c: &Client) {
    c.find(Locator::Css("header.top .who button"))
        .await
        .unwrap()
        .click()
        .await
        .unwrap();
    c.wait()
        .for_element(Locator::Id("login-submit"))
        .await
        .unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn journeys_in_headless_chromium() {
    let Some((chromium, driver)) = browser() else {
        return;
    };
    let db = TestDb::sqlite().await;
    let f = fixture(&db).await;
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let base = format!("http://{}", listener.local_addr().unwrap());
    let app = f.app.clone();
    let server = tokio::spawn(async move {
        jiceng_web::serve_on(listener, app, jiceng_web::WebConfig::default())
            .await
            .unwrap();
    });
    let d = start_driver(&driver).await;
    let c = open_browser(&d, &chromium).await;

    // 1. Log in (a wrong password first: the message is shown in Chinese).
    c.goto(&format!("{base}/login")).await.unwrap();
    c.find(Locator::Id("username"))
        .await
        .unwrap()
        .send_keys("dept")
        .await
        .unwrap();
    c.find(Locator::Id("password"))
        .await
        .unwrap()
        .send_keys("not-the-password")
        .await
        .unwrap();
    c.find(Locator::Id("login-submit"))
        .await
        .unwrap()
        .click()
        .await
        .unwrap();
    let err = c
        .wait()
        .for_element(Locator::Id("login-error"))
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(err.contains("密码"), "{err}");
    login(&c, &base, "dept").await;
    let title = text_of(&c, "#dashboard-title").await;
    assert!(title.contains("测试县委"), "{title}");
    assert_eq!(text_of(&c, "#card-members .n").await, "10");
    shot(&c, "dashboard-desktop", 1280, 1800).await;
    shot(&c, "dashboard-phone", 360, 740).await;

    // The tree expands lazily.
    c.goto(&format!("{base}/orgs")).await.unwrap();
    c.find(Locator::Css("#org-tree button.toggle"))
        .await
        .unwrap()
        .click()
        .await
        .unwrap();
    c.wait()
        .for_element(Locator::XPath("//ul[@id='org-tree']//a[text()='甲镇党委']"))
        .await
        .unwrap();

    // 2. Find a member by name, open the page: the ID number is masked.
    c.goto(&format!("{base}/members")).await.unwrap();
    shot(&c, "roster-desktop", 1280, 900).await;
    shot(&c, "roster-phone", 360, 740).await;
    c.set_window_size(1280, 900).await.unwrap();
    c.find(Locator::Id("member-search"))
        .await
        .unwrap()
        .send_keys("王伟")
        .await
        .unwrap();
    c.find(Locator::Id("member-search-submit"))
        .await
        .unwrap()
        .click()
        .await
        .unwrap();
    wait_url_contains(&c, "q=").await;
    c.wait()
        .for_element(Locator::LinkText("王伟"))
        .await
        .unwrap()
        .click()
        .await
        .unwrap();
    let name = c
        .wait()
        .for_element(Locator::Id("member-name"))
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(name.contains("王伟"));
    let id = text_of(&c, "#id-number").await;
    assert!(id.contains("********"), "{id}");
    logout(&c).await;

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
    login(&c, &base, "committee").await;
    let before: i64 = text_of(&c, "#card-members .n").await.parse().unwrap();
    c.goto(&format!("{base}/import")).await.unwrap();
    c.find(Locator::Id("file"))
        .await
        .unwrap()
        .send_keys(&bad_file.display().to_string())
        .await
        .unwrap();
    c.find(Locator::Id("import-check"))
        .await
        .unwrap()
        .click()
        .await
        .unwrap();
    let table = c
        .wait()
        .for_element(Locator::Id("import-error-table"))
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(
        table.contains("第3行") && table.contains("公民身份号码"),
        "{table}"
    );
    shot(&c, "import-errors-phone", 360, 740).await;
    c.set_window_size(1280, 900).await.unwrap();
    c.goto(&format!("{base}/import")).await.unwrap();
    c.find(Locator::Id("file"))
        .await
        .unwrap()
        .send_keys(&fixed_file.display().to_string())
        .await
        .unwrap();
    c.find(Locator::Id("import-check"))
        .await
        .unwrap()
        .click()
        .await
        .unwrap();
    c.wait()
        .for_element(Locator::Id("import-confirm"))
        .await
        .unwrap()
        .click()
        .await
        .unwrap();
    c.wait()
        .for_element(Locator::Id("import-done"))
        .await
        .unwrap();
    c.find(Locator::Id("to-dashboard"))
        .await
        .unwrap()
        .click()
        .await
        .unwrap();
    c.wait()
        .for_element(Locator::Id("card-members"))
        .await
        .unwrap();
    let after: i64 = text_of(&c, "#card-members .n").await.parse().unwrap();
    assert_eq!(
        after,
        before + 2,
        "the dashboard counts the imported members"
    );
    logout(&c).await;

    // 4. A branch secretary cannot open another branch's pages.
    login(&c, &base, "sec-a").await;
    for path in [
        format!("/orgs/{}", f.orgs["B002"]),
        format!("/members/{}", f.members["杨帆"]),
        format!("/members?org={}", f.orgs["B002"]),
    ] {
        c.goto(&format!("{base}{path}")).await.unwrap();
        let msg = c
            .wait()
            .for_element(Locator::Id("error-message"))
            .await
            .unwrap()
            .text()
            .await
            .unwrap();
        assert!(msg.contains("无权查看"), "{path}: {msg}");
        assert!(c.source().await.unwrap().contains("状态码 404"), "{path}");
    }
    c.goto(&format!("{base}/orgs/{}", f.orgs["B001"]))
        .await
        .unwrap();
    assert!(text_of(&c, "#org-name").await.contains("甲村党支部"));

    c.close().await.unwrap();
    drop(d);
    server.abort();
}
