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
