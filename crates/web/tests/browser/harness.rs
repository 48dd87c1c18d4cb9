//! The harness every browser journey shares: find Chromium and its driver, start them,
//! serve an app on an ephemeral port, log in and out, take screenshots.

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::Duration;

use fantoccini::elements::Element;
use fantoccini::{Client, ClientBuilder, Locator};

use crate::common::PASSWORD;

const CHROMIUM: [&str; 2] = ["/usr/bin/chromium", "/usr/bin/chromium-browser"];
const DRIVER: [&str; 2] = ["/usr/bin/chromedriver", "/usr/lib/chromium/chromedriver"];

fn find(paths: &[&str]) -> Option<PathBuf> {
    paths.iter().map(PathBuf::from).find(|p| p.exists())
}

/// The browser and its driver, or `None` (with a notice) when absent and not required.
pub fn browser() -> Option<(PathBuf, PathBuf)> {
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

pub struct Driver {
    child: Child,
    url: String,
    /// The browser's log (its console messages among them).
    log: PathBuf,
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

pub async fn start_driver(driver: &Path) -> Driver {
    let port = free_port();
    let log =
        std::env::temp_dir().join(format!("jiceng-browser-{}-{port}.log", std::process::id()));
    let child = Command::new(driver)
        .arg(format!("--port={port}"))
        // The browser's own log on the driver's stderr: console messages, CSP violations.
        .arg("--enable-chrome-logs")
        .stdout(Stdio::null())
        .stderr(std::fs::File::create(&log).expect("browser log file"))
        .spawn()
        .expect("start chromedriver");
    let d = Driver {
        child,
        url: format!("http://127.0.0.1:{port}"),
        log,
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

pub async fn open_browser(d: &Driver, chromium: &Path) -> Client {
    let mut caps = serde_json::Map::new();
    caps.insert(
        "goog:chromeOptions".into(),
        serde_json::json!({
            "binary": chromium.display().to_string(),
            "args": [
                "--headless=new", "--no-sandbox", "--disable-gpu", "--no-first-run",
                "--disable-background-networking", "--disable-dev-shm-usage",
                "--window-size=1280,900", "--lang=zh-CN",
                "--enable-logging=stderr", "--log-level=0"
            ],
        }),
    );
    ClientBuilder::new(hyper_util::client::legacy::connect::HttpConnector::new())
        .capabilities(caps)
        .connect(&d.url)
        .await
        .expect("connect to chromedriver")
}

pub fn shots_dir() -> PathBuf {
    let dir = std::env::var("JICENG_SCREENSHOTS")
        .map(PathBuf::from)
        .unwrap_or_else(|_| {
            Path::new(env!("CARGO_MANIFEST_DIR")).join("../../target/browser-screenshots")
        });
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

/// A screenshot of the whole page at `width` (the window grows to the page's height).
pub async fn shot(c: &Client, name: &str, width: u32, height: u32) {
    c.set_window_size(width, height).await.unwrap();
    tokio::time::sleep(Duration::from_millis(150)).await;
    let png = c.screenshot().await.unwrap();
    std::fs::write(shots_dir().join(format!("{name}.png")), png).unwrap();
}

/// Waits until the page's address contains `part` (after a form is submitted).
pub async fn wait_url_contains(c: &Client, part: &str) {
    for _ in 0..100 {
        if c.current_url().await.unwrap().as_str().contains(part) {
            return;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    panic!("the page never reached an address with {part}");
}

/// The element `loc` names, once it appears.
pub async fn wait_for(c: &Client, loc: Locator<'_>) -> Element {
    c.wait()
        .for_element(loc)
        .await
        .unwrap_or_else(|e| panic!("no element {loc:?}: {e}"))
}

/// Types `text` into the field `loc` names. A page still being replaced (the answer of
/// the last form arriving) can stale the field between finding and typing: it is found
/// again on the new page.
pub async fn fill_in(c: &Client, loc: Locator<'_>, text: &str) {
    for _ in 0..40 {
        let el = wait_for(c, loc).await;
        match el.send_keys(text).await {
            Ok(()) => return,
            Err(e) if e.is_stale_element_reference() => {
                tokio::time::sleep(Duration::from_millis(50)).await
            }
            Err(e) => panic!("cannot type into {loc:?}: {e}"),
        }
    }
    panic!("the field {loc:?} kept going stale");
}

/// Types `text` into the field with id `id`.
pub async fn fill(c: &Client, id: &str, text: &str) {
    fill_in(c, Locator::Id(id), text).await
}

/// Replaces what the field with id `id` holds with `text` (a form filled in advance).
pub async fn refill(c: &Client, id: &str, text: &str) {
    for _ in 0..40 {
        let el = wait_for(c, Locator::Id(id)).await;
        match el.clear().await {
            Ok(()) => {}
            Err(e) if e.is_stale_element_reference() => {
                tokio::time::sleep(Duration::from_millis(50)).await;
                continue;
            }
            Err(e) => panic!("cannot clear #{id}: {e}"),
        }
        el.send_keys(text).await.unwrap();
        return;
    }
    panic!("the field #{id} kept going stale");
}

/// Clicks the element `loc` names (waiting for it to appear).
pub async fn click_on(c: &Client, loc: Locator<'_>) {
    for _ in 0..40 {
        let el = wait_for(c, loc).await;
        match try_click(c, &el).await {
            Ok(()) => return,
            Err(e) if e.is_stale_element_reference() => {
                tokio::time::sleep(Duration::from_millis(50)).await
            }
            Err(e) => panic!("cannot click {loc:?}: {e}"),
        }
    }
    panic!("the element {loc:?} kept going stale");
}

/// Clicks `el` once scrolled to the middle of the screen, where a user taps it (not under
/// a form's save bar kept at the bottom of the screen).
pub async fn click_el(c: &Client, el: &Element) {
    try_click(c, el).await.unwrap();
}

async fn try_click(c: &Client, el: &Element) -> Result<(), fantoccini::error::CmdError> {
    c.execute(
        "arguments[0].scrollIntoView({block: 'center'});",
        vec![serde_json::to_value(el).unwrap()],
    )
    .await?;
    el.click().await
}

/// Clicks the element with id `id` (waiting for it to appear).
pub async fn click(c: &Client, id: &str) {
    click_on(c, Locator::Id(id)).await
}

/// Sets a date field (typing into `<input type=date>` depends on the browser's locale).
pub async fn set_date(c: &Client, id: &str, day: &str) {
    c.execute(
        &format!("document.getElementById('{id}').value = '{day}';"),
        vec![],
    )
    .await
    .unwrap();
}

/// The text of the element with id `id`, once it appears.
pub async fn wait_text(c: &Client, id: &str) -> String {
    text_at(c, Locator::Id(id)).await
}

/// The text of the element `css` selects, once it appears (a page just navigated to may
/// not have its element yet).
pub async fn text_of(c: &Client, css: &str) -> String {
    text_at(c, Locator::Css(css)).await
}

/// The text of the element `css` selects once it contains `needle` (a form that answers
/// with the same address as the page before: the new page is told by its content), or its
/// last text after five seconds.
pub async fn text_once(c: &Client, css: &str, needle: &str) -> String {
    let mut last = String::new();
    for _ in 0..50 {
        last = text_of(c, css).await;
        if last.contains(needle) {
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    last
}

/// The text of the element `loc` names: found again when the page it was found on is
/// replaced before its text is read (a click's navigation still under way).
async fn text_at(c: &Client, loc: Locator<'_>) -> String {
    for _ in 0..50 {
        match wait_for(c, loc).await.text().await {
            Ok(t) => return t,
            Err(_) => tokio::time::sleep(std::time::Duration::from_millis(100)).await,
        }
    }
    panic!("the text of {loc:?} could not be read")
}

/// The apps being served, by base URL: the login computes second-factor codes from them.
fn served() -> &'static std::sync::Mutex<std::collections::HashMap<String, jiceng_app::App>> {
    static SERVED: std::sync::OnceLock<
        std::sync::Mutex<std::collections::HashMap<String, jiceng_app::App>>,
    > = std::sync::OnceLock::new();
    SERVED.get_or_init(Default::default)
}

/// Logs in with the password, and with the current code on the code page that follows for
/// a user with a second factor.
pub async fn login(c: &Client, base: &str, user: &str) {
    c.goto(&format!("{base}/login")).await.unwrap();
    fill(c, "username", user).await;
    fill(c, "password", PASSWORD).await;
    click(c, "login-submit").await;
    wait_for(c, Locator::Css("header.top .who, #code-submit")).await;
    if c.find(Locator::Id("code-submit")).await.is_ok() {
        let app = served()
            .lock()
            .unwrap()
            .get(base)
            .cloned()
            .expect("the app served at base");
        let code = crate::common::next_code(&app, user)
            .await
            .expect("a second factor");
        fill(c, "code", &code).await;
        click(c, "code-submit").await;
        wait_for(c, Locator::Css("header.top .who")).await;
    }
}

pub async fn logout(c: &Client) {
    click_on(c, Locator::Css("header.top .who button")).await;
    wait_for(c, Locator::Id("login-submit")).await;
}

/// A running server and a browser pointed at it; dropped at the end of a journey.
pub struct Session {
    pub c: Client,
    pub base: String,
    _driver: Driver,
    server: tokio::task::JoinHandle<()>,
}

impl Session {
    /// Serves `app` on an ephemeral port and opens a browser, or `None` (with a notice) when
    /// Chromium is absent and not required.
    pub async fn start(app: jiceng_app::App) -> Option<Session> {
        let (chromium, driver) = browser()?;
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let base = format!("http://{}", listener.local_addr().unwrap());
        served().lock().unwrap().insert(base.clone(), app.clone());
        let server = tokio::spawn(async move {
            jiceng_web::serve_on(listener, app, jiceng_web::WebConfig::default())
                .await
                .unwrap();
        });
        let d = start_driver(&driver).await;
        let c = open_browser(&d, &chromium).await;
        Some(Session {
            c,
            base,
            _driver: d,
            server,
        })
    }

    /// Ends the journey: no page may have broken the Content-Security-Policy (the
    /// browser logs each violation as a console message).
    pub async fn close(self) {
        self.c.close().await.unwrap();
        self.server.abort();
        let log = std::fs::read_to_string(&self._driver.log).unwrap_or_default();
        let violations: Vec<&str> = log
            .lines()
            .filter(|l| l.contains("Content Security Policy"))
            .collect();
        assert!(
            violations.is_empty(),
            "CSP violations in the browser:\n{}",
            violations.join("\n")
        );
        let _ = std::fs::remove_file(&self._driver.log);
    }
}
