//! Security headers on every answer: pages, API answers, exports, errors and assets, on
//! SQLite and PostgreSQL.

mod common;

use axum::http::{header, StatusCode};
use common::*;
use jiceng_store::contract_test;
use jiceng_store::testing::TestDb;

fn assert_secure(r: &Resp, what: &str, no_store: bool) {
    let h = |name: header::HeaderName| {
        r.headers
            .get(&name)
            .unwrap_or_else(|| panic!("{what}: no {name}"))
            .to_str()
            .unwrap()
            .to_string()
    };
    let csp = h(header::CONTENT_SECURITY_POLICY);
    for part in [
        "default-src 'self'",
        "script-src 'self'",
        "frame-ancestors 'none'",
        "form-action 'self'",
        "base-uri 'none'",
    ] {
        assert!(csp.contains(part), "{what}: CSP {csp} lacks {part}");
    }
    assert!(csp.contains("style-src 'self'"), "{what}: {csp}");
    assert!(!csp.contains("unsafe"), "{what}: nothing inline: {csp}");
    assert_eq!(h(header::X_FRAME_OPTIONS), "DENY", "{what}");
    assert_eq!(h(header::X_CONTENT_TYPE_OPTIONS), "nosniff", "{what}");
    assert_eq!(h(header::REFERRER_POLICY), "same-origin", "{what}");
    let cache = h(header::CACHE_CONTROL);
    if no_store {
        assert_eq!(cache, "no-store", "{what}");
    } else {
        assert!(cache.starts_with("public"), "{what}: {cache}");
    }
}

contract_test!(
    every_answer_carries_the_security_headers,
    |db: TestDb| async move {
        let f = fixture(&db).await;
        let mut anon = Client::new(&f.app);
        let login = anon.get("/login").await;
        assert_eq!(login.status, StatusCode::OK);
        assert_secure(&login, "the login page", true);
        let mut c = logged_in(&f.app, "dept").await;
        let page = c.get("/members").await;
        assert_eq!(page.status, StatusCode::OK);
        assert_secure(&page, "the roster page", true);
        let x = c.get("/members/export.xlsx").await;
        assert_eq!(x.status, StatusCode::OK);
        assert!(x.bytes.starts_with(b"PK"));
        assert_secure(&x, "an xlsx export", true);
        let missing = c.get("/members/999999999").await;
        assert_eq!(missing.status, StatusCode::NOT_FOUND);
        assert_secure(&missing, "an error page", true);
        // The error page's back link is a script file, not an inline handler.
        assert!(!missing.text().contains("javascript:"));
        assert!(missing.text().contains("/static/back.js"));
        let mut api = api_client(&f.app, "dept").await;
        let list = api.get("/api/v1/members?page_size=5").await;
        assert_eq!(list.status, StatusCode::OK);
        assert_secure(&list, "an API answer", true);
        let denied = anon.get("/api/v1/members").await;
        assert_eq!(denied.status, StatusCode::UNAUTHORIZED);
        assert_secure(&denied, "a refused API call", true);
        // Assets keep their caching.
        for asset in ["/static/app.css", "/static/tree.js", "/static/back.js"] {
            let a = anon.get(asset).await;
            assert_eq!(a.status, StatusCode::OK, "{asset}");
            assert_secure(&a, asset, false);
        }
        // No page has an inline script or an inline event handler.
        for body in [login.text(), page.text(), missing.text()] {
            assert!(!body.contains("<script>"), "inline script");
            assert!(!body.contains(" onclick="), "inline handler");
        }
    }
);
