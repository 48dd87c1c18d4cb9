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

/// A GET by `c` that answers `status` with the security headers of a page not to be stored.
async fn secure_get(c: &mut Client, path: &str, status: StatusCode, what: &str) -> Resp {
    let r = c.get(path).await;
    assert_eq!(r.status, status, "{what}");
    assert_secure(&r, what, true);
    r
}

contract_test!(
    every_answer_carries_the_security_headers,
    |db: TestDb| async move {
        let f = fixture(&db).await;
        let mut anon = Client::new(&f.app);
        let login = secure_get(&mut anon, "/login", StatusCode::OK, "the login page").await;
        let mut c = logged_in(&f.app, "dept").await;
        let page = secure_get(&mut c, "/members", StatusCode::OK, "the roster page").await;
        let x = secure_get(
            &mut c,
            "/members/export.xlsx",
            StatusCode::OK,
            "an xlsx export",
        )
        .await;
        assert!(x.bytes.starts_with(b"PK"));
        let missing = secure_get(
            &mut c,
            "/members/999999999",
            StatusCode::NOT_FOUND,
            "an error page",
        )
        .await;
        // An address no page has, or a malformed one: the Chinese 404 page, not a bare status.
        for (path, status, title) in [
            ("/no/such/page", StatusCode::NOT_FOUND, "页面不存在"),
            ("/orgs/1/nothing", StatusCode::NOT_FOUND, "页面不存在"),
            ("/meetings/abc", StatusCode::BAD_REQUEST, "填写有误"),
        ] {
            let r = secure_get(&mut c, path, status, "an unknown address").await;
            let body = r.text();
            assert!(
                body.contains(title) && body.contains("回到首页"),
                "{path}: {body}"
            );
            // Signed in: the page keeps the navigation (and the search), not a dead end.
            assert!(
                body.contains("id=\"nav-life\"") && body.contains("id=\"nav-search\""),
                "{path}: {body}"
            );
        }
        // Nobody signed in: the plain page, with no navigation to show.
        let r = anon.get("/no/such/page").await;
        assert_eq!(r.status, StatusCode::NOT_FOUND);
        assert!(r.text().contains("页面不存在") && !r.text().contains("nav-life"));
        // A refusal by role keeps it too: the auditor on the roster.
        let mut auditor = logged_in(&f.app, "auditor").await;
        let r = auditor.get("/members").await;
        assert_eq!(r.status, StatusCode::FORBIDDEN);
        assert!(
            r.text().contains("无权操作") && r.text().contains("/audit"),
            "{}",
            r.text()
        );
        // The error page's back link is a script file, not an inline handler.
        assert!(!missing.text().contains("javascript:"));
        assert!(missing.text().contains("/static/back.js"));
        let mut api = api_client(&f.app, "dept").await;
        secure_get(
            &mut api,
            "/api/v1/members?page_size=5",
            StatusCode::OK,
            "an API answer",
        )
        .await;
        secure_get(
            &mut anon,
            "/api/v1/members",
            StatusCode::UNAUTHORIZED,
            "a refused API call",
        )
        .await;
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
