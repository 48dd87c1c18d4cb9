//! The assets, inside the binary: one stylesheet, the tree script, the error page's back
//! link and the forms' confirm and print. Nothing else is
//! served from disk or fetched from elsewhere (intranets have no internet).

use axum::http::header;
use axum::response::IntoResponse;
use axum::routing::get;
use axum::Router;

use crate::AppState;

/// The stylesheet: the application's and the organizational-life pages' (served as one
/// file: the CSP allows no inline style).
pub const CSS: &str = concat!(
    include_str!("../assets/app.css"),
    include_str!("../templates/life_style.css"),
    include_str!("../templates/recruitment_style.css")
);
pub const TREE_JS: &str = include_str!("../assets/tree.js");
pub const BACK_JS: &str = include_str!("../assets/back.js");
pub const FORMS_JS: &str = include_str!("../assets/forms.js");

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/static/app.css", get(css))
        .route("/static/tree.js", get(|| js(TREE_JS)))
        .route("/static/back.js", get(|| js(BACK_JS)))
        .route("/static/forms.js", get(|| js(FORMS_JS)))
        .route("/healthz", get(|| async { "ok" }))
}

async fn css() -> impl IntoResponse {
    (
        [
            (header::CONTENT_TYPE, "text/css; charset=utf-8"),
            (header::CACHE_CONTROL, "public, max-age=3600"),
        ],
        CSS,
    )
}

async fn js(script: &'static str) -> impl IntoResponse {
    (
        [
            (header::CONTENT_TYPE, "text/javascript; charset=utf-8"),
            (header::CACHE_CONTROL, "public, max-age=3600"),
        ],
        script,
    )
}
