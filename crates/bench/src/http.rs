//! HTTP under load: `jiceng serve` as a child on loopback, a user at the level asked for,
//! and wrk (64 connections) on the dashboard, the roster page and the member API.

use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use anyhow::{bail, Context, Result};
use jiceng_app::access::{Actor, Role};
use jiceng_app::users::NewUser;
use serde::Serialize;

use crate::data::DataSet;
use crate::BenchArgs;

#[derive(Debug, Clone, Serialize)]
pub struct HttpFigures {
    pub endpoint: &'static str,
    pub path: String,
    pub requests_per_second: f64,
    pub p50_ms: f64,
    pub p99_ms: f64,
    pub errors: u64,
    /// The first request's answer (before any cache is warm), in ms.
    pub first_ms: f64,
}

/// Whether wrk is on the PATH.
pub fn wrk_available() -> bool {
    Command::new("wrk")
        .arg("--version")
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status()
        .map(|_| true)
        .unwrap_or(false)
}

struct Server(Child);

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

const PASSWORD: &str = "bench-password-2026";

/// A session token for a department user at `org` (the user is added once).
pub(crate) async fn token(set: &DataSet, org: &str) -> Result<String> {
    let app = crate::reports::open(set).await?;
    let username = format!("bench-{org}");
    let added = jiceng_app::users::add_user(
        &app,
        &Actor::system(),
        NewUser {
            username: username.clone(),
            password: PASSWORD.into(),
            role: Role::Department,
            org: Some(org.to_string()),
            member_id: None,
            display_name: Some("性能测试".into()),
            must_change: false,
        },
    )
    .await;
    if let Err(e) = added {
        // Already there from an earlier run is fine.
        let mut conn = app.store().acquire().await?;
        let known =
            jiceng_store::users::get_by_username(&mut conn, &jiceng_store::Scope::All, &username)
                .await?
                .is_some();
        if !known {
            return Err(e.into());
        }
    }
    // The department's role needs a second factor: enrolled once, its code computed here
    // as the user's authenticator would.
    let mut conn = app.store().acquire().await?;
    let user =
        jiceng_store::users::get_by_username(&mut conn, &jiceng_store::Scope::All, &username)
            .await?
            .ok_or_else(|| anyhow::anyhow!("找不到用户 {username}"))?;
    let stored = jiceng_store::totp::get(&mut conn, user.id).await?;
    drop(conn);
    let (secret, last_step) = match stored.filter(|t| t.confirmed) {
        Some(t) => (
            jiceng_app::totp::stored_secret_base32(&app, &t.secret)?,
            t.last_step,
        ),
        None => (
            jiceng_app::totp::enrol_for(&app, &Actor::system(), &username)
                .await?
                .enrolment
                .secret_base32,
            0,
        ),
    };
    let session = match jiceng_app::auth::login(&app, &username, PASSWORD).await {
        Ok(s) => s,
        Err(jiceng_app::auth::AuthError::SecondFactor(pending)) => {
            let c = &app.totp;
            let now = c.step_of(app.now());
            let step = (now - c.window_steps).max(last_step + 1);
            if step > now + c.window_steps {
                anyhow::bail!("动态验证码刚刚用过，请{}秒后重试", c.step_seconds);
            }
            let code = jiceng_app::totp::code_at(c, &secret, step)?;
            jiceng_app::totp::complete_login(&app, &pending.0, &code)
                .await
                .map_err(|e| anyhow::anyhow!("登录失败：{e}"))?
        }
        Err(e) => anyhow::bail!("登录失败：{e}"),
    };
    app.store().close().await;
    Ok(session.token)
}

fn get(addr: &str, path: &str, headers: &[(&str, String)]) -> Result<(u16, usize)> {
    use std::io::{Read, Write};
    let mut s = std::net::TcpStream::connect(addr)?;
    s.set_read_timeout(Some(Duration::from_secs(600)))?;
    let mut req = format!("GET {path} HTTP/1.1\r\nHost: {addr}\r\nConnection: close\r\n");
    for (k, v) in headers {
        req.push_str(&format!("{k}: {v}\r\n"));
    }
    req.push_str("\r\n");
    s.write_all(req.as_bytes())?;
    let mut buf = Vec::new();
    s.read_to_end(&mut buf)?;
    let text = String::from_utf8_lossy(&buf);
    let status = text
        .split_whitespace()
        .nth(1)
        .and_then(|c| c.parse().ok())
        .unwrap_or(0);
    Ok((status, buf.len()))
}

/// Milliseconds from a wrk latency like `1.23ms`, `456.00us`, `2.01s`.
fn wrk_ms(s: &str) -> Option<f64> {
    let s = s.trim();
    let (num, unit) = s.split_at(s.find(|c: char| c.is_ascii_alphabetic())?);
    let v: f64 = num.parse().ok()?;
    Some(match unit {
        "us" => v / 1e3,
        "ms" => v,
        "s" => v * 1e3,
        "m" => v * 60e3,
        _ => return None,
    })
}

fn parse_wrk(out: &str) -> (f64, f64, f64, u64) {
    let mut rps = 0.0;
    let (mut p50, mut p99) = (f64::NAN, f64::NAN);
    let mut errors = 0;
    for line in out.lines() {
        let t = line.trim();
        if let Some(v) = t.strip_prefix("Requests/sec:") {
            rps = v.trim().parse().unwrap_or(0.0);
        } else if let Some(v) = t.strip_prefix("50%") {
            p50 = wrk_ms(v).unwrap_or(f64::NAN);
        } else if let Some(v) = t.strip_prefix("99%") {
            p99 = wrk_ms(v).unwrap_or(f64::NAN);
        } else if let Some(v) = t.strip_prefix("Non-2xx or 3xx responses:") {
            errors += v.trim().parse::<u64>().unwrap_or(0);
        } else if t.starts_with("Socket errors:") {
            errors += t
                .split(|c: char| !c.is_ascii_digit())
                .filter_map(|n| n.parse::<u64>().ok())
                .sum::<u64>();
        }
    }
    (rps, p50, p99, errors)
}

/// Serves the data set and loads each endpoint for `seconds` with 64 connections, as a
/// user at `org`.
pub async fn measure(
    args: &BenchArgs,
    set: &DataSet,
    org: &str,
    key_file: &Path,
) -> Result<(Vec<HttpFigures>, Option<f64>)> {
    let tok = token(set, org).await?;
    let port = 18_700 + (std::process::id() % 1000) as u16;
    let addr = format!("127.0.0.1:{port}");
    let (today, org_id) = {
        let app = crate::reports::open(set).await?;
        let d = app.today();
        let id = app
            .resolve_org(&jiceng_store::Scope::All, org)
            .await?
            .org
            .id;
        app.store().close().await;
        (d, id)
    };
    let child = Command::new(std::env::current_exe()?)
        .arg("--db")
        .arg(&set.url)
        .arg("--key-file")
        .arg(key_file)
        .arg("serve")
        .arg("--bind")
        .arg(&addr)
        .env("JICENG_TODAY", today.to_string())
        .stdout(Stdio::null())
        .stderr(Stdio::inherit())
        .spawn()
        .context("启动 jiceng serve")?;
    let server = Server(child);
    let started = Instant::now();
    while get(&addr, "/healthz", &[]).is_err() {
        if started.elapsed() > Duration::from_secs(120) {
            bail!("jiceng serve 未在 120 秒内就绪");
        }
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
    let cookie = ("Cookie", format!("jiceng_session={tok}"));
    let bearer = ("Authorization", format!("Bearer {tok}"));
    let compliance = format!("/reports/compliance?org={org_id}");
    let ratings = format!("/reports/ratings?org={org_id}");
    let endpoints: [(&'static str, &str, &(&str, String)); 5] = [
        ("dashboard", "/", &cookie),
        ("roster page", "/members", &cookie),
        ("member API", "/api/v1/members?page=1&page_size=20", &bearer),
        ("compliance page", &compliance, &cookie),
        ("ratings page", &ratings, &cookie),
    ];
    let mut out = Vec::new();
    for (name, path, header) in endpoints {
        // One request first: the answer a user waits for once (the dashboard's cache fill).
        let t = Instant::now();
        let (status, bytes) = get(&addr, path, std::slice::from_ref(header))?;
        let first_ms = t.elapsed().as_secs_f64() * 1e3;
        println!(
            "    {name:<12} first answer {first_ms:.1} ms (HTTP {status}, {} KiB)",
            bytes / 1024
        );
        if status != 200 {
            bail!("{path} 返回 HTTP {status}");
        }
        let res = Command::new("wrk")
            .arg("-t2")
            .arg("-c64")
            .arg(format!("-d{}s", args.http_seconds))
            .arg("--latency")
            .arg("-H")
            .arg(format!("{}: {}", header.0, header.1))
            .arg(format!("http://{addr}{path}"))
            .output()
            .context("运行 wrk")?;
        let text = String::from_utf8_lossy(&res.stdout);
        let (rps, p50, p99, errors) = parse_wrk(&text);
        println!(
            "    {name:<12} {rps:>8.0} req/s  p50 {p50:>7.2} ms  p99 {p99:>7.2} ms{}",
            if errors > 0 {
                format!("  ({errors} errors)")
            } else {
                String::new()
            }
        );
        out.push(HttpFigures {
            endpoint: name,
            path: path.to_string(),
            requests_per_second: rps,
            p50_ms: p50,
            p99_ms: p99,
            errors,
            first_ms,
        });
    }
    let peak = std::fs::read_to_string(format!("/proc/{}/status", server.0.id()))
        .ok()
        .and_then(|s| {
            s.lines()
                .find(|l| l.starts_with("VmHWM:"))
                .and_then(|l| l.split_whitespace().nth(1))
                .and_then(|v| v.parse::<f64>().ok())
        })
        .map(|kb| kb / 1024.0);
    drop(server);
    Ok((out, peak))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_wrk_output() {
        let out = "Running 10s test @ http://127.0.0.1:8080/\n  2 threads and 64 connections\n\
  Latency Distribution\n     50%    1.52ms\n     75%    2.00ms\n     90%    3.10ms\n     99%   12.40ms\n\
  20000 requests in 10.00s, 1.00MB read\n  Non-2xx or 3xx responses: 3\nRequests/sec:   2000.50\n";
        let (rps, p50, p99, errors) = parse_wrk(out);
        assert_eq!(rps, 2000.5);
        assert_eq!(p50, 1.52);
        assert_eq!(p99, 12.4);
        assert_eq!(errors, 3);
        assert_eq!(wrk_ms("850.00us"), Some(0.85));
        assert_eq!(wrk_ms("1.20s"), Some(1200.0));
    }
}
