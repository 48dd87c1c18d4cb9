//! The web application of jiceng: server-rendered pages in Simplified Chinese (askama
//! templates, checked at compile time) and the JSON API under `/api/v1`, both calling the
//! same use cases in `jiceng_app`. Every asset is inside the binary (one CSS file, one
//! small script for the lazily expanding org tree); nothing is fetched from elsewhere.
//!
//! Sessions: a cookie (HttpOnly, SameSite=Lax, Secure behind TLS) for the pages, with the
//! session's CSRF token required on every form; a bearer token for the API.

pub mod api;
mod api_life;
mod api_rating;
mod assets;
pub mod charts;
mod error;
mod memo;
pub mod openapi;
mod pages;
mod session;
pub mod throttle;

use std::collections::HashMap;
use std::net::SocketAddr;
use std::path::PathBuf;
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
    /// The reverse proxy whose `X-Forwarded-For` names the client (`--trusted-proxy`);
    /// from anyone else the header is ignored.
    pub trusted_proxy: Option<std::net::IpAddr>,
    /// The login throttles.
    pub login_limits: throttle::LoginLimits,
    /// How long a login form may be sent back (minutes; 0: `LOGIN_FORM_MINUTES_DEFAULT`).
    pub login_form_minutes: i64,
}

/// How long a login form stays valid unless configured.
pub const LOGIN_FORM_MINUTES_DEFAULT: i64 = 60;

/// The default interval of the compliance summary refresh while serving.
pub const SUMMARY_REFRESH_DEFAULT: std::time::Duration = std::time::Duration::from_secs(300);

impl WebConfig {
    /// The interval of the compliance summary refresh.
    pub fn summary_refresh(&self) -> std::time::Duration {
        self.summary_refresh.unwrap_or(SUMMARY_REFRESH_DEFAULT)
    }
}

/// An uploaded file waiting for the user to confirm its import after the dry run.
#[derive(Debug, Clone)]
pub(crate) struct PendingImport {
    pub user_id: i64,
    pub kind: pages::import::Kind,
    pub org: Option<String>,
    pub path: PathBuf,
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
    pub(crate) upload_dir: PathBuf,
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
    /// The stars distributions with a page of orgs, by (org, year, stars filter, page).
    pub(crate) ratings: Arc<memo::Memo<RatingsKey, jiceng_app::rating::RatingsReport>>,
    /// When this server last refreshed the compliance summaries (UTC), if it has.
    pub(crate) summaries_refreshed: Arc<Mutex<Option<chrono::DateTime<chrono::Utc>>>>,
    /// The login throttles (per address and global).
    pub(crate) throttle: Arc<throttle::Throttle>,
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
    facts: jiceng_store::orgs::StoredFacts,
    dashboard: Arc<jiceng_app::browse::Dashboard>,
}

/// How long a cached dashboard is served at most.
pub(crate) const DASHBOARD_TTL: std::time::Duration = std::time::Duration::from_secs(60);

impl AppState {
    /// The dashboard of `root` (whose scope the caller has checked), cached.
    pub(crate) async fn dashboard(
        &self,
        actor: &jiceng_app::access::Actor,
        root: &jiceng_store::orgs::StoredOrg,
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
        let d = jiceng_app::browse::dashboard(&self.app, actor, Some(root.org.id))
            .await?
            .ok_or_else(|| jiceng_app::AppError::NotFound("党组织".into()))?;
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
        let upload_dir =
            std::env::temp_dir().join(format!("jiceng-uploads-{}", std::process::id()));
        AppState {
            app,
            pending: Arc::new(Mutex::new(HashMap::new())),
            upload_dir,
            dashboards: Arc::new(Mutex::new(HashMap::new())),
            generation: Arc::new(std::sync::atomic::AtomicU64::new(0)),
            computing: Arc::new(tokio::sync::Mutex::new(())),
            alerts: Arc::new(memo::Memo::new()),
            ratings: Arc::new(memo::Memo::new()),
            summaries_refreshed: Arc::new(Mutex::new(None)),
            throttle: Arc::new(throttle::Throttle::new(config.login_limits.clone())),
            login_secret: Arc::new(tokio::sync::OnceCell::new()),
            config,
        }
    }
}

/// The whole application: pages, the API and the assets.
pub fn router(app: App) -> Router {
    router_with(app, WebConfig::default())
}

pub fn router_with(app: App, config: WebConfig) -> Router {
    router_for(AppState::new(app, config))
}

fn router_for(state: AppState) -> Router {
    Router::new()
        .merge(pages::routes())
        .nest("/api/v1", api::routes())
        .merge(assets::routes())
        .layer(axum::extract::DefaultBodyLimit::max(64 * 1024 * 1024))
        .layer(axum::middleware::from_fn_with_state(
            state.clone(),
            note_writes,
        ))
        .layer(axum::middleware::from_fn_with_state(
            state.clone(),
            throttle::throttle_logins,
        ))
        .with_state(state)
}

/// Serves on `bind` until the process ends.
pub async fn serve(app: App, bind: &str) -> std::io::Result<()> {
    serve_with(app, bind, WebConfig::default()).await
}

pub async fn serve_with(app: App, bind: &str, config: WebConfig) -> std::io::Result<()> {
    let listener = tokio::net::TcpListener::bind(bind).await?;
    serve_on(listener, app, config).await
}

/// Serves on a listener already bound (tests bind port 0 and read the address).
pub async fn serve_on(
    listener: tokio::net::TcpListener,
    app: App,
    config: WebConfig,
) -> std::io::Result<()> {
    let state = AppState::new(app, config);
    let refresher = tokio::spawn(api_life::refresh_summaries_every(state.clone()));
    let router = router_for(state);
    let served = axum::serve(
        listener,
        router.into_make_service_with_connect_info::<SocketAddr>(),
    )
    .await;
    refresher.abort();
    served
}

/// A random token of `n` bytes as lowercase hex.
pub(crate) fn random_token(n: usize) -> String {
    let mut b = vec![0u8; n];
    getrandom::getrandom(&mut b).expect("system random source");
    b.iter().map(|x| format!("{x:02x}")).collect()
}
