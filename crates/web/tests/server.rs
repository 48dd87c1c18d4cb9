//! The whole server on an ephemeral port, spoken to over real TCP (HTTP/1.1), on SQLite
//! and PostgreSQL.

mod common;

use common::*;
use jiceng_store::contract_test;
use jiceng_store::testing::TestDb;
use tokio::io::{AsyncReadExt, AsyncWriteExt};

/// One request over a fresh connection; returns the status and the body.
async fn request(
    addr: std::net::SocketAddr,
    method: &str,
    path: &str,
    headers: &[(&str, &str)],
    body: &str,
) -> (u16, String) {
    let mut s = tokio::net::TcpStream::connect(addr).await.unwrap();
    let mut req = format!(
        "{method} {path} HTTP/1.1\r\nHost: {addr}\r\nConnection: close\r\nContent-Length: {}\r\n",
        body.len()
    );
    for (k, v) in headers {
        req.push_str(&format!("{k}: {v}\r\n"));
    }
    req.push_str("\r\n");
    req.push_str(body);
    s.write_all(req.as_bytes()).await.unwrap();
    let mut buf = Vec::new();
    s.read_to_end(&mut buf).await.unwrap();
    let text = String::from_utf8_lossy(&buf).into_owned();
    let status: u16 = text.split(' ').nth(1).unwrap().parse().unwrap();
    let body = text
        .split_once("\r\n\r\n")
        .map(|(_, b)| b.to_string())
        .unwrap_or_default();
    // Bodies may be chunked; the tests only search them.
    (status, body)
}

contract_test!(
    the_whole_server_answers_on_a_real_port,
    |db: TestDb| async move {
        let f = fixture(&db).await;
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = listener.local_addr().unwrap();
        let app = f.app.clone();
        let server = tokio::spawn(async move {
            jiceng_web::serve_on(listener, app, jiceng_web::WebConfig::default())
                .await
                .unwrap();
        });
        let (st, body) = request(addr, "GET", "/healthz", &[], "").await;
        assert_eq!((st, body.trim()), (200, "ok"));
        let (st, _) = request(addr, "GET", "/", &[], "").await;
        assert_eq!(st, 303, "not logged in: to the login page");
        let (st, body) = request(addr, "GET", "/login", &[], "").await;
        assert_eq!(st, 200);
        assert!(body.contains("登录"));
        let (st, body) = request(
            addr,
            "POST",
            "/api/v1/auth/login",
            &[("Content-Type", "application/json")],
            &serde_json::json!({
                "username": "dept",
                "password": PASSWORD,
                "totp": next_code(&f.app, "dept").await,
            })
            .to_string(),
        )
        .await;
        assert_eq!(st, 200, "{body}");
        let token = quoted_after(&body, "\"token\":\"");
        let auth = format!("Bearer {token}");
        let (st, body) = request(
            addr,
            "GET",
            "/api/v1/members?q=%E7%8E%8B%E4%BC%9F",
            &[("Authorization", &auth)],
            "",
        )
        .await;
        assert_eq!(st, 200);
        assert!(
            body.contains("王伟") && body.contains("\"total\":1"),
            "{body}"
        );
        let (st, _) = request(
            addr,
            "GET",
            "/api/v1/orgs/999999",
            &[("Authorization", &auth)],
            "",
        )
        .await;
        assert_eq!(st, 404);
        // Secure cookies behind a TLS proxy.
        let (_, _) = request(addr, "GET", "/login", &[("X-Forwarded-Proto", "https")], "").await;
        let mut s = tokio::net::TcpStream::connect(addr).await.unwrap();
        s.write_all(format!("GET /login HTTP/1.1\r\nHost: {addr}\r\nX-Forwarded-Proto: https\r\nConnection: close\r\n\r\n").as_bytes()).await.unwrap();
        let mut buf = Vec::new();
        s.read_to_end(&mut buf).await.unwrap();
        let head = String::from_utf8_lossy(&buf).to_lowercase();
        assert!(
            head.contains("set-cookie: __host-jiceng_login=")
                && head.contains("httponly")
                && head.contains("samesite=lax")
                && head.contains("secure"),
            "{head}"
        );
        server.abort();
    }
);

/// The county's stored second quarter (last quarter on 1 July, which a server keeps): its
/// meetings counted, or `None` before a refresh stored it.
async fn county_q2_meetings(db: &TestDb, county: i64) -> Option<i64> {
    let mut c = db.store.acquire().await.unwrap();
    let q2 = jiceng_domain::Period::Quarter(2026, 2);
    jiceng_store::meetings::summaries(&mut c, q2, &[county])
        .await
        .unwrap()
        .first()
        .map(|s| s.meetings)
}

/// Polls `probe` every 100 ms for up to 30 s until it answers what `done` wants.
async fn wait_for<F, Fut>(
    what: &str,
    mut probe: F,
    done: impl Fn(Option<i64>) -> bool,
) -> Option<i64>
where
    F: FnMut() -> Fut,
    Fut: std::future::Future<Output = Option<i64>>,
{
    let started = std::time::Instant::now();
    loop {
        let v = probe().await;
        if done(v) {
            return v;
        }
        assert!(
            started.elapsed() < std::time::Duration::from_secs(30),
            "{what}: still {v:?} after 30 s"
        );
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
}

contract_test!(
    the_running_server_counts_a_meeting_at_the_county_by_its_pass,
    |db: TestDb| async move {
        let f = fixture(&db).await;
        // The branches' records start in January and June is over.
        let mut c = db.store.acquire().await.unwrap();
        sqlx::query("UPDATE org SET records_from = '2026-01-01' WHERE kind = 'Branch'")
            .execute(&mut *c)
            .await
            .unwrap();
        drop(c);
        f.app.shared_today.set(d("2026-07-01"));
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let app = f.app.clone();
        // The whole tree once at start (then not for an hour), the pass every 200 ms.
        let config = jiceng_web::WebConfig {
            summary_refresh: Some(std::time::Duration::from_secs(3600)),
            touched_refresh: Some(std::time::Duration::from_millis(200)),
            ..Default::default()
        };
        let server = tokio::spawn(async move {
            jiceng_web::serve_on(listener, app, config).await.unwrap();
        });
        let county = f.orgs["C001"];
        let before = wait_for(
            "the refresh at start",
            || county_q2_meetings(&db, county),
            |v| v.is_some(),
        )
        .await
        .unwrap();
        // A secretary records June's theme day; the server's pass, not a whole refresh,
        // brings it to the county's stored figures.
        let mut sec = api_client(&f.app, "sec-a").await;
        let r = sec
            .post_json(
                "/api/v1/meetings",
                serde_json::json!({ "org_id": f.orgs["B001"], "kind": "ThemeDay",
                    "date": "2026-06-18", "topic": "六月主题党日", "expected": 5, "present": 5 }),
            )
            .await;
        assert_eq!(r.status.as_u16(), 201, "{}", r.text());
        wait_for(
            "the pass after the meeting",
            || county_q2_meetings(&db, county),
            |v| v == Some(before + 1),
        )
        .await;
        let mut c = db.store.acquire().await.unwrap();
        let marks: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM life_touched")
            .fetch_one(&mut *c)
            .await
            .unwrap();
        assert_eq!(marks, 0, "the pass forgot the mark it counted");
        server.abort();
    }
);
