//! The web application of jiceng: server-rendered pages in Simplified Chinese (askama
//! templates, checked at compile time) and the JSON API under `/api/v1`, both calling the
//! same use cases in `jiceng_app`. Every asset is inside the binary (one CSS file, one
//! small script for the lazily expanding org tree); nothing is fetched from elsewhere.
//!
//! Sessions: a cookie (HttpOnly, SameSite=Lax, Secure behind TLS) for the pages, with the
//! session's CSRF token required on every form; a bearer token for the API.

pub mod api;
mod api_disclosure;
mod api_dues;
mod api_duty;
mod api_funding;
mod api_inspections;
mod api_life;
mod api_member_life;
mod api_rating;
mod api_recruitment;
mod api_requests;
mod api_scorecard;
mod api_surveys;
mod api_tasks;
mod api_training;
mod api_venues;
mod assets;
pub mod charts;
mod error;
pub mod extract;
mod memo;
pub mod openapi;
mod pages;
mod parse;
pub mod routes;
pub mod session;
pub mod survey_throttle;
pub mod throttle;
mod uploads;

use std::collections::HashMap;
use std::net::SocketAddr;
use std::sync::{Arc, Mutex};

use axum::Router;
use jiceng_app::App;

pub use error::{ApiError, PageError};

/// How the server runs.
#[derive(Debug, Clone, Default)]
pub struct WebConfig {
    /// Mark cookies `Secure` always (the server is behind TLS). Without it they are marked
    /// so when a proxy says `X-Forwarded-Proto: https`.
    pub secure_cookies: bool,
    /// How often the server refreshes the stored compliance summaries of the higher
    /// levels (`reports::compliance::refresh_summaries`); `None` is every
    /// `SUMMARY_REFRESH_DEFAULT`.
    pub summary_refresh: Option<std::time::Duration>,
    /// How often the server counts again the summaries above the orgs a meeting touched
    /// since the last pass (`reports::compliance::refresh_touched`); `None` is every
    /// `TOUCHED_REFRESH_DEFAULT`.
    pub touched_refresh: Option<std::time::Duration>,
    /// The largest spreadsheet an import upload may carry (the page's form or the API's
    /// body); `None` is `IMPORT_UPLOAD_DEFAULT`. Smaller than the general body limit.
    pub import_max_bytes: Option<u64>,
    /// How many uploaded spreadsheets are read at once; more wait. `None` is
    /// `IMPORT_CONCURRENCY_DEFAULT`.
    pub import_concurrency: Option<usize>,
    /// The reverse proxy whose `X-Forwarded-For` names the client (`--trusted-proxy`);
    /// from anyone else the header is ignored.
    pub trusted_proxy: Option<std::net::IpAddr>,
    /// The login throttles.
    pub login_limits: throttle::LoginLimits,
    /// How long a login form may be sent back (minutes; 0: `LOGIN_FORM_MINUTES_DEFAULT`).
    pub login_form_minutes: i64,
}

/// The default largest import upload: 6 MiB, a roster of about 45,000 members (132 bytes
/// a row as CSV; as .xlsx the cell cap below comes first, at 44,900 rows of 14 columns):
/// most counties in one file, a larger one in two. It also sizes what reading an upload may
/// take (`WebConfig::import_read_limits`), so that two imports at once, each of the worst
/// kind (a real import of the largest roster), peak at about 420 MiB of server memory; at
/// 8 MiB two imports of 60,000 rows peaked at 557 MiB (docs/PERFORMANCE.md, "Uploads").
/// A larger server raises it with `--import-upload-mb`.
pub const IMPORT_UPLOAD_DEFAULT: u64 = 6 * 1024 * 1024;
/// The default number of uploads read at once: two, so two worst cases fit a small server.
pub const IMPORT_CONCURRENCY_DEFAULT: usize = 2;
/// Bytes of upload limit per spreadsheet cell an upload may hold: 6 MiB allows 629,145
/// cells (44,900 rows of 14 columns). A roster takes about 10 bytes a cell as CSV and 5 as
/// .xlsx, so a CSV roster meets the byte limit and an .xlsx one the cell cap at about the
/// same number of rows, and a file of tiny or repeated cells (which .xlsx compresses to
/// almost nothing) cannot hold more.
pub const UPLOAD_BYTES_PER_CELL: u64 = 10;
/// The largest body of any other request (forms, JSON): a meeting's 20,000-character
/// minutes come to 180 KB as a form.
pub const BODY_LIMIT: usize = 1024 * 1024;

/// How long a login form stays valid unless configured.
pub const LOGIN_FORM_MINUTES_DEFAULT: i64 = 60;

/// The default interval of the whole tree's compliance summary refresh while serving
/// (meetings are counted in between by the touched pass).
pub const SUMMARY_REFRESH_DEFAULT: std::time::Duration = std::time::Duration::from_secs(1800);

/// The default interval of the pass over the orgs a meeting touched: a meeting counts in a
/// province's figures within about this (plus the pass's own seconds).
pub const TOUCHED_REFRESH_DEFAULT: std::time::Duration =
    std::time::Duration::from_secs(jiceng_app::LIFE_PASS_SECONDS);

impl WebConfig {
    /// The interval of the compliance summary refresh.
    pub fn summary_refresh(&self) -> std::time::Duration {
        self.summary_refresh.unwrap_or(SUMMARY_REFRESH_DEFAULT)
    }

    /// The interval of the pass over the orgs a meeting touched.
    pub fn touched_refresh(&self) -> std::time::Duration {
        self.touched_refresh.unwrap_or(TOUCHED_REFRESH_DEFAULT)
    }

    /// The largest import upload, in bytes.
    pub fn import_max_bytes(&self) -> u64 {
        self.import_max_bytes.unwrap_or(IMPORT_UPLOAD_DEFAULT)
    }

    /// The caps on reading an upload: the process's (`jiceng_io::configured_limits`,
    /// from `JICENG_IMPORT_MAX_*` and the flags) within what the upload limit sizes: the
    /// file no larger than the upload, a cell per `UPLOAD_BYTES_PER_CELL` bytes of it, and
    /// twice its size of text. What one read costs grows with the cells and text it holds,
    /// so the upload limit (`--import-upload-mb`) is the one figure that sizes it.
    pub fn import_read_limits(&self) -> jiceng_io::ReadLimits {
        let bytes = self.import_max_bytes();
        let mut l = jiceng_io::configured_limits();
        let cells = usize::try_from(bytes / UPLOAD_BYTES_PER_CELL).unwrap_or(usize::MAX);
        l.max_file_bytes = l.max_file_bytes.min(bytes);
        l.max_cells = l.max_cells.min(cells.max(1));
        l.max_shared_strings = l.max_shared_strings.min(cells.max(1));
        l.max_text_bytes = l
            .max_text_bytes
            .min(usize::try_from(bytes.saturating_mul(2)).unwrap_or(usize::MAX));
        l
    }
}

/// An uploaded file waiting for the user to confirm its import after the dry run.
#[derive(Debug, Clone)]
pub(crate) struct PendingImport {
    pub user_id: i64,
    pub kind: pages::import::Kind,
    /// The subtree the dry run was made in, resolved then.
    pub org: Option<jiceng_app::access::InScope<jiceng_app::OrgRecord>>,
    pub upload: uploads::Upload,
    pub file_name: String,
    pub created: std::time::Instant,
    /// The dry run's errors (for their download).
    pub errors: Vec<jiceng_app::import::RowError>,
}

/// What every handler receives.
#[derive(Clone)]
pub struct AppState {
    pub app: App,
    pub config: WebConfig,
    pub(crate) pending: Arc<Mutex<HashMap<String, PendingImport>>>,
    /// The private folder of uploads waiting for their import (removed with the state).
    pub(crate) uploads: Arc<uploads::Uploads>,
    /// Uploads being read at once (`WebConfig::import_concurrency`).
    pub(crate) import_slots: Arc<tokio::sync::Semaphore>,
    /// Dashboards by org, reused while nothing was written through this server (and for a
    /// minute at most, for writes by other processes): a county's dashboard checks every
    /// org of the subtree, which is too much work to repeat for every page view.
    pub(crate) dashboards: Arc<Mutex<HashMap<i64, CachedDashboard>>>,
    /// Bumped by every successful write request.
    pub(crate) generation: Arc<std::sync::atomic::AtomicU64>,
    /// One dashboard computed at a time: concurrent misses wait for the first.
    pub(crate) computing: Arc<tokio::sync::Mutex<()>>,
    /// The rectification alerts of the home pages, by org.
    pub(crate) alerts: Arc<memo::Memo<i64, pages::rectification::Alerts>>,
    /// The home pages' organizational life by child org, by org (kept like the dashboards:
    /// a township's is judged live, a county's reads the summaries and the branches directly
    /// under it).
    pub(crate) life_by_child: Arc<memo::Memo<i64, pages::dashboard::LifeByChild>>,
    /// Whether the data is generated (read once): the footer says the people are invented.
    pub(crate) synthetic: Arc<tokio::sync::OnceCell<bool>>,
    /// The reminders of the home pages, by (org, whether the reader handles referrals); the
    /// header's count reads the home org's from here.
    pub(crate) reminders: Arc<memo::Memo<(i64, bool), Vec<jiceng_app::reminders::Reminder>>>,
    /// The stars distributions with a page of orgs, by (org, year, stars filter, page).
    pub(crate) ratings: Arc<memo::Memo<RatingsKey, jiceng_app::rating::RatingsReport>>,
    /// When this server last refreshed the compliance summaries (UTC), if it has.
    pub(crate) summaries_refreshed: Arc<Mutex<Option<chrono::DateTime<chrono::Utc>>>>,
    /// The login throttles (per address and global).
    pub(crate) throttle: Arc<throttle::Throttle>,
    /// The throttle of the public survey (known tokens by batch, unknown ones by address,
    /// and global; refusals are not audited: the survey keeps no address).
    pub(crate) survey_throttle: Arc<survey_throttle::SurveyThrottle>,
    /// The secret of the login forms' tokens (read from the database on first use).
    pub(crate) login_secret: Arc<tokio::sync::OnceCell<String>>,
}

/// (org id, year, stars filter, page) of a kept ratings answer.
pub(crate) type RatingsKey = (i64, i32, Option<Option<i64>>, i64);

pub(crate) struct CachedDashboard {
    at: std::time::Instant,
    generation: u64,
    /// The root's stored facts when computed: a write elsewhere that changes them
    /// (another server process, the CLI) shows at once.
    facts: jiceng_app::OrgFacts,
    dashboard: Arc<jiceng_app::browse::Dashboard>,
}

/// How long a cached dashboard is served at most.
pub(crate) const DASHBOARD_TTL: std::time::Duration = std::time::Duration::from_secs(60);

impl AppState {
    /// The dashboard of `root` (whose scope the caller has checked), cached.
    pub(crate) async fn dashboard(
        &self,
        root: &jiceng_app::access::InScope<jiceng_app::OrgRecord>,
    ) -> Result<Arc<jiceng_app::browse::Dashboard>, jiceng_app::AppError> {
        use std::sync::atomic::Ordering;
        let generation = self.generation.load(Ordering::SeqCst);
        let cached = || {
            self.dashboards
                .lock()
                .expect("cache")
                .get(&root.org.id)
                .filter(|c| {
                    c.generation == generation
                        && c.facts == root.facts
                        && c.at.elapsed() < DASHBOARD_TTL
                        && c.dashboard.as_of == self.app.today()
                })
                .map(|c| c.dashboard.clone())
        };
        if let Some(d) = cached() {
            return Ok(d);
        }
        let _turn = self.computing.lock().await;
        if let Some(d) = cached() {
            return Ok(d);
        }
        let d = jiceng_app::browse::dashboard(&self.app, root).await?;
        let d = Arc::new(d);
        let mut cache = self.dashboards.lock().expect("cache");
        if cache.len() > 1000 {
            cache.clear();
        }
        cache.insert(
            root.org.id,
            CachedDashboard {
                at: std::time::Instant::now(),
                generation,
                facts: root.facts.clone(),
                dashboard: d.clone(),
            },
        );
        Ok(d)
    }
}

/// Marks every successful write: cached dashboards are recomputed after it.
async fn note_writes(
    axum::extract::State(state): axum::extract::State<AppState>,
    req: axum::extract::Request,
    next: axum::middleware::Next,
) -> axum::response::Response {
    let write = !matches!(
        *req.method(),
        axum::http::Method::GET | axum::http::Method::HEAD
    );
    let resp = next.run(req).await;
    if write && (resp.status().is_success() || resp.status().is_redirection()) {
        state
            .generation
            .fetch_add(1, std::sync::atomic::Ordering::SeqCst);
    }
    resp
}

impl AppState {
    pub fn new(app: App, config: WebConfig) -> AppState {
        let uploads = uploads::Uploads::create()
            .unwrap_or_else(|e| panic!("无法在系统临时目录中创建上传文件夹：{e}"));
        let slots = config
            .import_concurrency
            .unwrap_or(IMPORT_CONCURRENCY_DEFAULT)
            .max(1);
        AppState {
            app,
            pending: Arc::new(Mutex::new(HashMap::new())),
            uploads: Arc::new(uploads),
            import_slots: Arc::new(tokio::sync::Semaphore::new(slots)),
            dashboards: Arc::new(Mutex::new(HashMap::new())),
            generation: Arc::new(std::sync::atomic::AtomicU64::new(0)),
            computing: Arc::new(tokio::sync::Mutex::new(())),
            alerts: Arc::new(memo::Memo::new()),
            reminders: Arc::new(memo::Memo::new()),
            life_by_child: Arc::new(memo::Memo::new()),
            synthetic: Arc::new(tokio::sync::OnceCell::new()),
            ratings: Arc::new(memo::Memo::new()),
            summaries_refreshed: Arc::new(Mutex::new(None)),
            throttle: Arc::new(throttle::Throttle::new(config.login_limits.clone())),
            survey_throttle: Arc::new(survey_throttle::SurveyThrottle::new(
                survey_throttle::SurveyLimits::default(),
            )),
            login_secret: Arc::new(tokio::sync::OnceCell::new()),
            config,
        }
    }
}

/// The whole application: pages, the API and the assets.
/// Every page and API route with what guards it (the sweeps and `docs/PERMISSIONS.md`
/// read it); assets and the health check are public and not listed.
pub fn route_table() -> Vec<routes::RouteInfo> {
    pages::routes()
        .nest("/api/v1", api::routes())
        .table()
        .to_vec()
}

pub fn router(app: App) -> Router {
    router_with(app, WebConfig::default())
}

pub fn router_with(app: App, config: WebConfig) -> Router {
    router_for(AppState::new(app, config))
}

fn router_for(state: AppState) -> Router {
    Router::new()
        .merge(pages::routes().into_router(&state, false))
        .nest("/api/v1", api::router(&state))
        .merge(assets::routes())
        .fallback(page_not_found)
        .layer(axum::extract::DefaultBodyLimit::max(BODY_LIMIT))
        .layer(axum::middleware::from_fn(error::plain_rejections))
        .layer(axum::middleware::from_fn_with_state(
            state.clone(),
            error::with_navigation,
        ))
        .layer(axum::middleware::from_fn_with_state(
            state.clone(),
            note_writes,
        ))
        .layer(axum::middleware::from_fn(security_headers))
        .layer(axum::middleware::from_fn_with_state(
            state.clone(),
            throttle::throttle_logins,
        ))
        .with_state(state)
}

/// Any other address: the Chinese 404 page with the way back (the API answers its own 404).
async fn page_not_found() -> error::PageError {
    error::PageError(error::WebError::App(jiceng_app::AppError::NotFound(
        "页面".into(),
    )))
}

/// The Content-Security-Policy of every answer: scripts and styles from this server's
/// files only (`/static/*.js`, `/static/app.css`), nothing inline. No framing, forms post
/// only here, no `<base>`.
pub const CSP: &str = "default-src 'self'; script-src 'self'; style-src 'self'; \
    img-src 'self' data:; object-src 'none'; frame-ancestors 'none'; form-action 'self'; \
    base-uri 'none'";

/// Security headers on every answer: the CSP, no framing, no content sniffing, referrers
/// only to this site; and `Cache-Control: no-store` on everything but the static assets
/// (pages, API answers and exports carry personal data).
async fn security_headers(
    req: axum::extract::Request,
    next: axum::middleware::Next,
) -> axum::response::Response {
    use axum::http::{header, HeaderValue};
    let asset = req.uri().path().starts_with("/static/");
    let mut resp = next.run(req).await;
    let h = resp.headers_mut();
    h.insert(
        header::CONTENT_SECURITY_POLICY,
        HeaderValue::from_static(CSP),
    );
    h.insert(header::X_FRAME_OPTIONS, HeaderValue::from_static("DENY"));
    h.insert(
        header::X_CONTENT_TYPE_OPTIONS,
        HeaderValue::from_static("nosniff"),
    );
    h.insert(
        header::REFERRER_POLICY,
        HeaderValue::from_static("same-origin"),
    );
    if !asset {
        h.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    }
    resp
}

/// Serves on `bind` until the process ends.
pub async fn serve(app: App, bind: &str) -> std::io::Result<()> {
    serve_with(app, bind, WebConfig::default()).await
}

pub async fn serve_with(app: App, bind: &str, config: WebConfig) -> std::io::Result<()> {
    // The handlers are in place before the port answers: a SIGTERM that arrives as soon as
    // the server is reachable stops it cleanly (releasing its lease) instead of killing it.
    let stop = shutdown_signal()?;
    let listener = tokio::net::TcpListener::bind(bind).await?;
    serve_until(listener, app, config, stop).await
}

/// Serves on a listener already bound (tests bind port 0 and read the address).
pub async fn serve_on(
    listener: tokio::net::TcpListener,
    app: App,
    config: WebConfig,
) -> std::io::Result<()> {
    let stop = shutdown_signal()?;
    serve_until(listener, app, config, stop).await
}

/// Serves until `stop` completes, then writes the last audit anchor.
async fn serve_until(
    listener: tokio::net::TcpListener,
    app: App,
    config: WebConfig,
    stop: impl std::future::Future<Output = ()> + Send + 'static,
) -> std::io::Result<()> {
    let state = AppState::new(app, config);
    let _refresher = AbortOnDrop(tokio::spawn(api_life::refresh_summaries_every(
        state.clone(),
    )));
    let _anchorer = AbortOnDrop(tokio::spawn(anchor_every(state.app.clone())));
    let app = state.app.clone();
    let router = router_for(state);
    let served = axum::serve(
        listener,
        router.into_make_service_with_connect_info::<SocketAddr>(),
    )
    .with_graceful_shutdown(stop)
    .await;
    drop((_refresher, _anchorer));
    // The last anchor, at shutdown.
    if let Err(e) = jiceng_app::audit::write_anchor(&app).await {
        eprintln!("未能写入审计锚点：{e}");
    }
    served
}

/// A background task that stops with the server, however the server stops.
struct AbortOnDrop(tokio::task::JoinHandle<()>);

impl Drop for AbortOnDrop {
    fn drop(&mut self) {
        self.0.abort();
    }
}

/// Adds the audit log's head to the anchor file every `AuditConfig::anchor_every` (when
/// the log moved).
async fn anchor_every(app: App) {
    if app.audit.anchor.is_none() {
        return;
    }
    let mut tick = tokio::time::interval(app.audit.anchor_every);
    loop {
        tick.tick().await;
        if let Err(e) = jiceng_app::audit::write_anchor(&app).await {
            eprintln!("未能写入审计锚点：{e}");
        }
    }
}

/// Ctrl+C, or SIGTERM (a service manager stopping the server). The handlers are
/// registered when this is called, not when the future is first polled.
fn shutdown_signal() -> std::io::Result<impl std::future::Future<Output = ()> + Send + 'static> {
    #[cfg(unix)]
    {
        use tokio::signal::unix::{signal, SignalKind};
        let mut int = signal(SignalKind::interrupt())?;
        let mut term = signal(SignalKind::terminate())?;
        Ok(async move {
            tokio::select! {
                _ = int.recv() => {},
                _ = term.recv() => {},
            }
        })
    }
    #[cfg(not(unix))]
    {
        Ok(async {
            let _ = tokio::signal::ctrl_c().await;
        })
    }
}

/// A random token of `n` bytes as lowercase hex.
pub(crate) fn random_token(n: usize) -> String {
    let mut b = vec![0u8; n];
    getrandom::getrandom(&mut b).expect("system random source");
    b.iter().map(|x| format!("{x:02x}")).collect()
}
