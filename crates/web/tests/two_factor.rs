//! The second factor and the separated duties over HTTP (Router::oneshot), on SQLite and
//! PostgreSQL: the login's second step (page and API), enrolment as the only way in for a
//! privileged user without a second factor, and what the auditor, the security and the
//! system administrator may reach.

mod common;

use axum::http::StatusCode;
use common::*;
use jiceng_app::access::{Actor, Role};
use jiceng_app::users::{self, NewUser};
use jiceng_store::contract_test;
use jiceng_store::testing::TestDb;

async fn add(app: &jiceng_app::App, username: &str, role: Role, org: Option<&str>) {
    users::add_user(
        app,
        &Actor::system(),
        NewUser {
            username: username.into(),
            password: PASSWORD.into(),
            role,
            org: org.map(str::to_string),
            member_id: None,
            display_name: None,
            must_change: false,
        },
    )
    .await
    .unwrap();
}

/// The secret shown on the enrolment page.
fn secret_of(html: &str) -> String {
    let key = "id=\"totp-secret\">";
    let i = html.find(key).expect("the secret in text") + key.len();
    html[i..].split('<').next().unwrap().to_string()
}

contract_test!(login_second_step_page_and_api, |db: TestDb| async move {
    let f = fixture(&db).await;
    // The page: the password leads to the code page, not into the system.
    let mut c = Client::new(&f.app);
    let r = c.login_password("dept", PASSWORD).await;
    assert!(is_code_page(&r), "{}", r.text());
    assert!(!c.cookies.contains_key("jiceng_session"));
    assert_eq!(c.get("/orgs").await.location().as_deref(), Some("/login"));
    let csrf = csrf_of(&r.text());
    let right = next_code(&f.app, "dept").await.unwrap();
    let wrong = format!("{:06}", (right.parse::<u32>().unwrap() + 1) % 1_000_000);
    let r = c.login_code(&csrf, &wrong).await;
    assert_eq!(r.status, StatusCode::UNAUTHORIZED);
    assert!(r.text().contains("动态验证码错误"), "{}", r.text());
    // A post from elsewhere (no login token) is refused.
    let r = c.login_code("forged", &right).await;
    assert_eq!(r.status, StatusCode::FORBIDDEN);
    let page = c.login_password("dept", PASSWORD).await;
    let r = c.login_code(&csrf_of(&page.text()), &right).await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.text());
    assert!(c.cookies.contains_key("jiceng_session"));
    assert!(!c.cookies.contains_key("jiceng_login2"));
    assert_eq!(c.get("/orgs").await.status, StatusCode::OK);

    // The API: without the code, 401 and `second_factor`; a wrong one, 401; a replayed
    // one, 401; the next one, a token.
    let mut a = Client::new(&f.app);
    let r = a
        .post_json(
            "/api/v1/auth/login",
            serde_json::json!({ "username": "dept", "password": PASSWORD }),
        )
        .await;
    assert_eq!(r.status, StatusCode::UNAUTHORIZED);
    assert_eq!(
        r.json(),
        serde_json::json!({ "error": "需要动态验证码", "second_factor": true })
    );
    let r = a
        .post_json(
            "/api/v1/auth/login",
            serde_json::json!({ "username": "dept", "password": PASSWORD, "totp": right }),
        )
        .await;
    assert_eq!(r.status, StatusCode::UNAUTHORIZED, "the code is used");
    assert!(r.json()["error"].as_str().unwrap().contains("已使用"));
    // A wrong password with a code says only that the password is wrong.
    let r = a
        .post_json(
            "/api/v1/auth/login",
            serde_json::json!({ "username": "dept", "password": "nope nope", "totp": right }),
        )
        .await;
    assert_eq!(r.status, StatusCode::UNAUTHORIZED);
    assert!(r.json().get("second_factor").is_none());
    let r = a.api_login("dept", PASSWORD).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text());
    assert_eq!(a.get("/api/v1/me").await.json()["username"], "dept");
    // Users whose role needs none log in with the password alone.
    let mut s = Client::new(&f.app);
    let r = s.login_password("sec-a", PASSWORD).await;
    assert_eq!(r.status, StatusCode::SEE_OTHER);
});

contract_test!(
    a_privileged_user_without_a_second_factor_can_only_enrol,
    |db: TestDb| async move {
        let f = fixture(&db).await;
        add(&f.app, "dept2", Role::Department, Some("C001")).await;
        let mut c = logged_in(&f.app, "dept2").await;
        for path in ["/", "/orgs", "/members", "/reports/structure", "/audit"] {
            let r = c.get(path).await;
            assert_eq!(r.status, StatusCode::SEE_OTHER, "{path}");
            assert_eq!(r.location().as_deref(), Some("/account/2fa"), "{path}");
        }
        let mut api = api_client(&f.app, "dept2").await;
        let r = api.get("/api/v1/orgs").await;
        assert_eq!(r.status, StatusCode::FORBIDDEN);
        assert!(r.json()["error"].as_str().unwrap().contains("动态验证码"));
        assert_eq!(api.get("/api/v1/me").await.status, StatusCode::OK);
        // The enrolment page: a QR code drawn inline, the secret in text, no script.
        let page = c.get("/account/2fa").await;
        assert_eq!(page.status, StatusCode::OK);
        let html = page.text();
        assert!(html.contains("<svg") && html.contains("totp-qr"), "{html}");
        assert!(!html.contains("<script"), "no script on the page");
        let secret = secret_of(&html);
        assert_eq!(secret.len(), 32, "160 bits in base32: {secret}");
        let csrf = csrf_of(&html);
        let r = c
            .post_form("/account/2fa", &[("code", "12345"), ("csrf", &csrf)])
            .await;
        assert_eq!(r.status, StatusCode::BAD_REQUEST);
        let step = f.app.totp.step_of(f.app.now());
        let code = jiceng_app::totp::code_at(&f.app.totp, &secret, step).unwrap();
        let r = c
            .post_form("/account/2fa", &[("code", &code), ("csrf", "forged")])
            .await;
        assert_eq!(r.status, StatusCode::FORBIDDEN);
        let r = c
            .post_form("/account/2fa", &[("code", &code), ("csrf", &csrf)])
            .await;
        assert_eq!(r.status, StatusCode::OK, "{}", r.text());
        let html = r.text();
        assert!(html.contains("recovery-codes"), "{html}");
        assert_eq!(html.matches("<li><code>").count(), 10);
        // Enrolled: the pages open, and the next login asks for the code.
        assert_eq!(c.get("/orgs").await.status, StatusCode::OK);
        assert_eq!(api.get("/api/v1/orgs").await.status, StatusCode::OK);
        let page = c.get("/account/2fa").await.text();
        assert!(page.contains("id=\"recovery-left\">10<"), "{page}");
        let mut again = Client::new(&f.app);
        let r = again.login_password("dept2", PASSWORD).await;
        assert!(is_code_page(&r));
    }
);

contract_test!(separated_duties_over_http, |db: TestDb| async move {
    let f = fixture(&db).await;
    // The auditor: the log, nothing of the business data.
    let mut aud = logged_in(&f.app, "auditor").await;
    assert_eq!(
        aud.get("/").await.location().as_deref(),
        Some("/audit"),
        "the auditor's home is the log"
    );
    assert_eq!(aud.get("/audit").await.status, StatusCode::OK);
    for path in [
        "/members".to_string(),
        "/orgs".into(),
        format!("/orgs/{}", f.orgs["C001"]),
        "/reports/coverage".into(),
        "/members/export.xlsx".into(),
    ] {
        let r = aud.get(&path).await;
        assert_eq!(r.status, StatusCode::FORBIDDEN, "{path}");
        assert!(r.text().contains("审计员只能查看和导出审计日志"), "{path}");
    }
    let mut aud_api = api_client(&f.app, "auditor").await;
    for path in [
        "/api/v1/members",
        "/api/v1/orgs",
        "/api/v1/reports/coverage",
        "/api/v1/dashboard",
    ] {
        assert_eq!(
            aud_api.get(path).await.status,
            StatusCode::FORBIDDEN,
            "{path}"
        );
    }
    assert_eq!(aud_api.get("/api/v1/audit").await.status, StatusCode::OK);
    // The system administrator no longer reads the log.
    let mut admin = api_client(&f.app, "admin").await;
    assert_eq!(
        admin.get("/api/v1/audit").await.status,
        StatusCode::FORBIDDEN
    );
    let mut admin_page = logged_in(&f.app, "admin").await;
    assert_eq!(admin_page.get("/audit").await.status, StatusCode::FORBIDDEN);
    assert!(!admin_page
        .get("/orgs")
        .await
        .text()
        .contains("href=\"/audit\""));
    // The security administrator reads no business data.
    let mut sec = logged_in(&f.app, "security").await;
    assert_eq!(sec.get("/").await.status, StatusCode::OK);
    for path in ["/orgs", "/members", "/audit"] {
        assert_eq!(sec.get(path).await.status, StatusCode::FORBIDDEN, "{path}");
    }
    // Every login above, with its second factor, is in the log of an auditor of the whole
    // tree (the county's auditor sees its county's entries).
    add(&f.app, "aud-all", Role::Auditor, None).await;
    jiceng_app::totp::enrol_for(&f.app, &Actor::system(), "aud-all")
        .await
        .unwrap();
    let mut aud_api = api_client(&f.app, "aud-all").await;
    let log = aud_api.get("/api/v1/audit?page_size=200").await.json();
    let logins: Vec<&str> = log["items"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|e| e["code"] == 1 && e["after"]["second_factor"] == "totp")
        .map(|e| e["actor"].as_str().unwrap())
        .collect();
    for who in ["auditor", "admin", "security"] {
        assert!(logins.contains(&who), "{who} in {logins:?}");
    }
});
