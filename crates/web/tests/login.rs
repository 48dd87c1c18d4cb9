//! The login over HTTP (issue #11 point 4): the login form bound to a pre-session, the
//! throttles answering 429 before any password is verified, and the renewal of an expired
//! password; on SQLite and PostgreSQL.

mod common;

use std::net::SocketAddr;

use axum::body::Body;
use axum::extract::ConnectInfo;
use axum::http::{header, Request, StatusCode};
use chrono::{Duration, Utc};
use common::*;
use jiceng_app::access::Actor;
use jiceng_app::audit::{self, AuditAction};
use jiceng_store::testing::TestDb;
use jiceng_store::{contract_test, Scope};
use jiceng_web::throttle::LoginLimits;
use jiceng_web::WebConfig;

/// The login form posted by `c` for `dept`, with the right password and `csrf` as its token.
async fn dept_login_with(c: &mut Client, csrf: &str) -> Resp {
    let fields = [("username", "dept"), ("password", PASSWORD), ("csrf", csrf)];
    c.post_form("/login", &fields).await
}

contract_test!(a_planted_login_cookie_is_refused, |db: TestDb| async move {
    let f = fixture(&db).await;
    // Cookie and field planted equal, as the old double submit accepted.
    let mut c = Client::new(&f.app);
    c.cookies.insert("jiceng_login".into(), "planted.0".into());
    let r = dept_login_with(&mut c, "planted.0").await;
    assert_eq!(r.status, StatusCode::FORBIDDEN);
    assert!(r.text().contains("登录表单已失效"), "{}", r.text());
    assert!(!c.cookies.contains_key("jiceng_session"));
    // A real pre-session with a token made up for it: refused.
    let mut c = Client::new(&f.app);
    let page = c.get("/login").await;
    let token = csrf_of(&page.text());
    assert_eq!(token.len(), 64);
    let nonce = c.cookies["jiceng_login"].clone();
    assert_ne!(nonce, token, "the token is not the cookie");
    let r = dept_login_with(&mut c, &nonce).await;
    assert_eq!(r.status, StatusCode::FORBIDDEN);
    // The token of another pre-session does not fit this one.
    let mut other = Client::new(&f.app);
    let foreign = csrf_of(&other.get("/login").await.text());
    let mut c = Client::new(&f.app);
    c.get("/login").await;
    let r = dept_login_with(&mut c, &foreign).await;
    assert_eq!(r.status, StatusCode::FORBIDDEN);
    // A form posted from another site: refused even with a good token.
    let mut c = Client::new(&f.app);
    let token = csrf_of(&c.get("/login").await.text());
    let body = format!("username=dept&password={}&csrf={token}", enc(PASSWORD));
    let r = c
        .send(
            Request::post("/login")
                .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
                .header(header::HOST, "jiceng.example")
                .header(header::ORIGIN, "https://evil.example")
                .body(Body::from(body))
                .unwrap(),
        )
        .await;
    assert_eq!(r.status, StatusCode::FORBIDDEN);
    // The form as served logs in.
    let mut c = Client::new(&f.app);
    let r = c.login("dept", PASSWORD).await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.text());
    assert_eq!(r.location().as_deref(), Some("/"));
    // Behind TLS the pre-session cookie carries the __Host- prefix.
    let mut tls = Client::new(&f.app);
    let r = tls
        .send(
            Request::get("/login")
                .header("x-forwarded-proto", "https")
                .body(Body::empty())
                .unwrap(),
        )
        .await;
    let set = r.headers.get(header::SET_COOKIE).unwrap().to_str().unwrap();
    assert!(
        set.starts_with("__Host-jiceng_login=") && set.contains("Secure") && set.contains("Path=/"),
        "{set}"
    );
});

fn from(addr: &str, req: Request<Body>) -> Request<Body> {
    let mut req = req;
    let a: SocketAddr = addr.parse().unwrap();
    req.extensions_mut().insert(ConnectInfo(a));
    req
}

fn api_login(addr: &str, username: &str, password: &str) -> Request<Body> {
    from(
        addr,
        Request::post("/api/v1/auth/login")
            .header(header::CONTENT_TYPE, "application/json")
            .body(Body::from(
                serde_json::json!({ "username": username, "password": password }).to_string(),
            ))
            .unwrap(),
    )
}

contract_test!(
    a_throttled_address_gets_429_before_any_password_check,
    |db: TestDb| async move {
        let f = fixture(&db).await;
        let config = WebConfig {
            login_limits: LoginLimits {
                // No token comes back while the test runs.
                per_address_per_minute: 0.001,
                address_burst: 2.0,
                ..LoginLimits::default()
            },
            ..WebConfig::default()
        };
        let mut c = Client::new(&f.app);
        c.router = jiceng_web::router_with(f.app.clone(), config);
        for _ in 0..2 {
            let r = c
                .send(api_login("10.1.1.1:5000", "dept", "Wrong-pass-1"))
                .await;
            assert_eq!(r.status, StatusCode::UNAUTHORIZED, "{}", r.text());
        }
        let r = c.send(api_login("10.1.1.1:5001", "dept", PASSWORD)).await;
        assert_eq!(r.status, StatusCode::TOO_MANY_REQUESTS, "{}", r.text());
        let wait: u64 = r.headers[header::RETRY_AFTER]
            .to_str()
            .unwrap()
            .parse()
            .unwrap();
        assert!(wait >= 1);
        let msg = r.json()["error"].as_str().unwrap().to_string();
        assert!(
            msg.contains("过于频繁") && msg.contains("秒后再试"),
            "{msg}"
        );
        // The page answers the same way.
        let r = c
            .send(from(
                "10.1.1.1:5002",
                Request::post("/login")
                    .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
                    .body(Body::from("username=dept&password=x&csrf=x"))
                    .unwrap(),
            ))
            .await;
        assert_eq!(r.status, StatusCode::TOO_MANY_REQUESTS);
        assert!(r.headers.contains_key(header::RETRY_AFTER));
        assert!(r.text().contains("过于频繁"), "{}", r.text());
        // No password was looked at: the name's count holds the two failures only, and
        // the log has two failed logins and one throttling.
        let mut conn = f.app.store().acquire().await.unwrap();
        let dept = jiceng_store::users::get_by_username(&mut conn, &Scope::All, "dept")
            .await
            .unwrap()
            .unwrap();
        assert_eq!(dept.failed_logins, 2);
        drop(conn);
        let log = audit::list(&f.app, &Actor::system().grant().unwrap(), 1, 500)
            .await
            .unwrap()
            .0;
        let failed = log
            .iter()
            .filter(|e| e.code == AuditAction::LoginFailed.code() && e.target == "dept")
            .count();
        assert_eq!(failed, 2);
        let throttled: Vec<_> = log
            .iter()
            .filter(|e| e.code == AuditAction::LoginThrottled.code())
            .collect();
        assert_eq!(throttled.len(), 1, "once per streak");
        assert_eq!(throttled[0].target, "10.1.1.1");
        // Another address is not held back: the password is checked and right (the
        // department's account then asks for its second factor).
        let r = c.send(api_login("10.2.2.2:5000", "dept", PASSWORD)).await;
        assert_eq!(r.status, StatusCode::UNAUTHORIZED, "{}", r.text());
        assert_eq!(r.json()["second_factor"], true, "{}", r.text());
    }
);

contract_test!(
    an_expired_password_must_be_changed_first,
    |db: TestDb| async move {
        let f = fixture(&db).await;
        // 91 days on, the department's password (privileged) is past its renewal.
        let mut later = f.app.clone();
        later.fixed_now = Some(Utc::now() + Duration::days(91));
        let mut page = Client::new(&later);
        let r = page.login("dept", PASSWORD).await;
        assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.text());
        assert_eq!(r.location().as_deref(), Some("/account/password"));
        for path in ["/", "/orgs", "/audit"] {
            let r = page.get(path).await;
            assert_eq!(r.location().as_deref(), Some("/account/password"), "{path}");
        }
        let form = page.get("/account/password").await;
        assert_eq!(form.status, StatusCode::OK);
        assert!(form.text().contains("已超过有效期"));
        let csrf = csrf_of(&form.text());
        // The API: 403 with a message, except for the password change.
        let mut api = Client::new(&later);
        let r = api.api_login("dept", PASSWORD).await;
        assert_eq!(r.json()["must_change_password"], true);
        let r = api.get("/api/v1/me").await;
        assert_eq!(r.status, StatusCode::FORBIDDEN);
        assert!(r.json()["error"].as_str().unwrap().contains("修改密码"));
        // Without the CSRF token, with a wrong current password, with a weak one: refused.
        let r = page
            .post_form(
                "/account/password",
                &[
                    ("current", PASSWORD),
                    ("new", "New-pass-2026x"),
                    ("confirm", "New-pass-2026x"),
                ],
            )
            .await;
        assert_eq!(r.status, StatusCode::FORBIDDEN);
        let r = page
            .post_form(
                "/account/password",
                &[
                    ("csrf", &csrf),
                    ("current", "Wrong-pass-1"),
                    ("new", "New-pass-2026x"),
                    ("confirm", "New-pass-2026x"),
                ],
            )
            .await;
        assert_eq!(r.status, StatusCode::UNAUTHORIZED, "{}", r.text());
        let r = page
            .post_form(
                "/account/password",
                &[
                    ("csrf", &csrf),
                    ("current", PASSWORD),
                    ("new", "12345678901"),
                    ("confirm", "12345678901"),
                ],
            )
            .await;
        assert_eq!(r.status, StatusCode::BAD_REQUEST);
        assert!(r.text().contains("至少3类"), "{}", r.text());
        let r = page
            .post_form(
                "/account/password",
                &[
                    ("csrf", &csrf),
                    ("current", PASSWORD),
                    ("new", "New-pass-2026x"),
                    ("confirm", "New-pass-2026x"),
                ],
            )
            .await;
        assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.text());
        assert_eq!(page.get("/").await.status, StatusCode::OK);
        // The API session was another one: it ended with the change.
        assert_eq!(api.get("/api/v1/me").await.status, StatusCode::UNAUTHORIZED);
        // Through the API: the auditor's password too.
        let mut api = Client::new(&later);
        api.api_login("auditor", PASSWORD).await;
        let r = api
        .post_json(
            "/api/v1/auth/password",
            serde_json::json!({ "current_password": PASSWORD, "new_password": "Audit-2026-new" }),
        )
        .await;
        assert_eq!(r.status, StatusCode::NO_CONTENT, "{}", r.text());
        assert_eq!(api.get("/api/v1/me").await.status, StatusCode::OK);
        let log = audit::list(&f.app, &Actor::system().grant().unwrap(), 1, 500)
            .await
            .unwrap()
            .0;
        assert_eq!(
            log.iter()
                .filter(|e| e.code == AuditAction::PasswordChange.code())
                .count(),
            2
        );
    }
);
