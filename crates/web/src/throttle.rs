//! Login throttles: token buckets per client address and for the whole server, in front
//! of `/login` and `/api/v1/auth/login`, so that a refused request costs no argon2 work.
//! The account lockout (in `jiceng_app::auth`) counts by name; these count by source.
//!
//! The client address is the connection's; behind a reverse proxy configured with
//! `--trusted-proxy ADDR` it is the last address of `X-Forwarded-For` that proxy added.
//! IPv6 addresses count by their /64 (one host usually holds the whole prefix).

use std::collections::HashMap;
use std::net::{IpAddr, Ipv6Addr, SocketAddr};
use std::sync::Mutex;
use std::time::Instant;

use axum::extract::{ConnectInfo, Request, State};
use axum::http::{header, HeaderMap, HeaderValue, Method, StatusCode};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use axum::Json;

use crate::AppState;

/// The limits, with defaults: a client may try 10 logins a minute after a burst of 20;
/// the whole server 20 a second after a burst of 40 (argon2 at ~18 ms each: well under
/// one core).
#[derive(Debug, Clone, PartialEq)]
pub struct LoginLimits {
    pub per_address_per_minute: f64,
    pub address_burst: f64,
    pub global_per_second: f64,
    pub global_burst: f64,
    /// Addresses remembered at most (full buckets are forgotten first).
    pub max_addresses: usize,
}

impl Default for LoginLimits {
    fn default() -> LoginLimits {
        LoginLimits {
            per_address_per_minute: 10.0,
            address_burst: 20.0,
            global_per_second: 20.0,
            global_burst: 40.0,
            max_addresses: 100_000,
        }
    }
}

#[derive(Debug, Clone, Copy)]
pub(crate) struct Bucket {
    pub(crate) tokens: f64,
    at: Instant,
    /// A refusal of this streak was already audited.
    noted: bool,
}

impl Bucket {
    pub(crate) fn full(burst: f64, now: Instant) -> Bucket {
        Bucket {
            tokens: burst,
            at: now,
            noted: false,
        }
    }

    pub(crate) fn refill(&mut self, per_second: f64, burst: f64, now: Instant) {
        let dt = now.saturating_duration_since(self.at).as_secs_f64();
        self.tokens = (self.tokens + dt * per_second).min(burst);
        self.at = now;
    }

    /// Seconds until one token is there.
    pub(crate) fn wait(&self, per_second: f64) -> u64 {
        if per_second <= 0.0 {
            return 3600;
        }
        ((1.0 - self.tokens).max(0.0) / per_second).ceil().max(1.0) as u64
    }
}

/// Which limit refused a request.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Refusal {
    Address { retry_after: u64, first: bool },
    Global { retry_after: u64, first: bool },
}

pub struct Throttle {
    limits: LoginLimits,
    global: Mutex<Bucket>,
    by_address: Mutex<HashMap<IpAddr, Bucket>>,
}

impl Throttle {
    pub fn new(limits: LoginLimits) -> Throttle {
        let now = Instant::now();
        Throttle {
            global: Mutex::new(Bucket::full(limits.global_burst, now)),
            by_address: Mutex::new(HashMap::new()),
            limits,
        }
    }

    /// Takes a token from the address's bucket and the global one, or says which is
    /// empty (and takes none). A request without an address (in-process tests) counts
    /// only globally.
    pub fn check(&self, addr: Option<IpAddr>) -> Result<(), Refusal> {
        let now = Instant::now();
        let l = &self.limits;
        let per_address = l.per_address_per_minute / 60.0;
        let addr = addr.map(key_of);
        let mut map = self.by_address.lock().expect("throttle");
        let mut global = self.global.lock().expect("throttle");
        global.refill(l.global_per_second, l.global_burst, now);
        if let Some(a) = addr {
            if !map.contains_key(&a) && map.len() >= l.max_addresses {
                map.retain(|_, b| {
                    b.refill(per_address, l.address_burst, now);
                    b.tokens < l.address_burst
                });
                if map.len() >= l.max_addresses {
                    map.clear();
                }
            }
            let b = map
                .entry(a)
                .or_insert_with(|| Bucket::full(l.address_burst, now));
            b.refill(per_address, l.address_burst, now);
            if b.tokens < 1.0 {
                let first = !b.noted;
                b.noted = true;
                return Err(Refusal::Address {
                    retry_after: b.wait(per_address),
                    first,
                });
            }
        }
        if global.tokens < 1.0 {
            let first = !global.noted;
            global.noted = true;
            return Err(Refusal::Global {
                retry_after: global.wait(l.global_per_second),
                first,
            });
        }
        global.tokens -= 1.0;
        global.noted = false;
        if let Some(b) = addr.and_then(|a| map.get_mut(&a)) {
            b.tokens -= 1.0;
            b.noted = false;
        }
        Ok(())
    }
}

/// The key an address is counted by: IPv4 as is, IPv6 by its /64.
fn key_of(ip: IpAddr) -> IpAddr {
    match ip {
        IpAddr::V4(_) => ip,
        IpAddr::V6(v6) => match v6.to_ipv4_mapped() {
            Some(v4) => IpAddr::V4(v4),
            None => {
                let s = v6.segments();
                IpAddr::V6(Ipv6Addr::new(s[0], s[1], s[2], s[3], 0, 0, 0, 0))
            }
        },
    }
}

/// The client's address: the connection's, or behind the trusted proxy the last entry of
/// `X-Forwarded-For` (the one that proxy appended; earlier ones the client may forge).
pub fn client_address(
    peer: Option<SocketAddr>,
    headers: &HeaderMap,
    trusted_proxy: Option<IpAddr>,
) -> Option<IpAddr> {
    let peer = peer?.ip();
    if trusted_proxy.is_some_and(|p| key_of(p) == key_of(peer)) {
        // Only the last entry: the proxy appended it; a garbled one counts as the proxy.
        let forwarded = headers
            .get_all("x-forwarded-for")
            .iter()
            .next_back()
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.rsplit(',').next())
            .and_then(|s| s.trim().parse::<IpAddr>().ok());
        if let Some(ip) = forwarded {
            return Some(key_of(ip));
        }
    }
    Some(key_of(peer))
}

fn is_login(req: &Request) -> bool {
    req.method() == Method::POST && matches!(req.uri().path(), "/login" | "/api/v1/auth/login")
}

/// The public survey (`/s/{token}`): its page and its answers; and an org's public
/// disclosure page (`/p/{key}`), counted by the same buckets.
fn is_survey_path(path: &str) -> bool {
    path.starts_with("/s/") || path.starts_with("/p/")
}

/// The address a public survey request came from, for its handler (the throttle counts
/// unknown tokens by it; nothing else sees it and nothing keeps it).
#[derive(Debug, Clone, Copy)]
pub struct SurveyClient(pub Option<IpAddr>);

/// The middleware: throttles the two login routes before their handlers run, and admits
/// the public survey's requests (`crate::survey_throttle`).
pub async fn throttle_logins(State(state): State<AppState>, req: Request, next: Next) -> Response {
    if is_survey_path(req.uri().path()) {
        let peer = req
            .extensions()
            .get::<ConnectInfo<SocketAddr>>()
            .map(|c| c.0);
        let addr = client_address(peer, req.headers(), state.config.trusted_proxy);
        if let Err(wait) = state.survey_throttle.admit(addr) {
            return crate::survey_throttle::refused(wait, req.uri().path());
        }
        let mut req = req;
        req.extensions_mut().insert(SurveyClient(addr));
        return next.run(req).await;
    }
    if !is_login(&req) {
        return next.run(req).await;
    }
    let peer = req
        .extensions()
        .get::<ConnectInfo<SocketAddr>>()
        .map(|c| c.0);
    let addr = client_address(peer, req.headers(), state.config.trusted_proxy);
    let Err(refusal) = state.throttle.check(addr) else {
        return next.run(req).await;
    };
    let (retry_after, first, source, message) = match &refusal {
        Refusal::Address { retry_after, first } => (
            *retry_after,
            *first,
            addr.map(|a| a.to_string()).unwrap_or_else(|| "-".into()),
            format!("来自您所在网络地址的登录请求过于频繁，为防止密码被猜测已暂停受理，请在{retry_after}秒后再试"),
        ),
        Refusal::Global { retry_after, first } => (
            *retry_after,
            *first,
            "global".to_string(),
            format!("系统当前登录请求过多，已暂停受理，请在{retry_after}秒后再试"),
        ),
    };
    if first {
        // Once per streak, so that a flood does not become a flood of audit writes.
        let limit = match refusal {
            Refusal::Address { .. } => "address",
            Refusal::Global { .. } => "global",
        };
        let _ = jiceng_app::auth::record_throttled(&state.app, &source, limit).await;
    }
    let mut resp = if req.uri().path().starts_with("/api/") {
        (
            StatusCode::TOO_MANY_REQUESTS,
            Json(serde_json::json!({ "error": message })),
        )
            .into_response()
    } else {
        crate::pages::login_refused(&state, req.headers(), message).await
    };
    resp.headers_mut().insert(
        header::RETRY_AFTER,
        HeaderValue::from_str(&retry_after.to_string()).expect("digits"),
    );
    resp
}

#[cfg(test)]
mod tests {
    use super::*;

    fn limits(per_address_burst: f64, global_burst: f64) -> LoginLimits {
        LoginLimits {
            // Slow enough that no token comes back while a test runs.
            per_address_per_minute: 0.001,
            address_burst: per_address_burst,
            global_per_second: 0.0001,
            global_burst,
            max_addresses: 10,
        }
    }

    fn ip(s: &str) -> Option<IpAddr> {
        Some(s.parse().unwrap())
    }

    #[test]
    fn an_address_runs_dry_and_others_do_not() {
        let t = Throttle::new(limits(2.0, 100.0));
        assert!(t.check(ip("10.0.0.1")).is_ok());
        assert!(t.check(ip("10.0.0.1")).is_ok());
        match t.check(ip("10.0.0.1")) {
            Err(Refusal::Address {
                first: true,
                retry_after,
            }) => assert!(retry_after >= 1),
            other => panic!("{other:?}"),
        }
        assert!(matches!(
            t.check(ip("10.0.0.1")),
            Err(Refusal::Address { first: false, .. })
        ));
        assert!(t.check(ip("10.0.0.2")).is_ok());
        // The same /64 is one client.
        assert!(t.check(ip("2001:db8::1")).is_ok());
        assert!(t.check(ip("2001:db8::2")).is_ok());
        assert!(t.check(ip("2001:db8::3")).is_err());
    }

    #[test]
    fn the_address_map_stays_bounded() {
        let t = Throttle::new(LoginLimits {
            max_addresses: 2,
            ..limits(2.0, 100.0)
        });
        for _ in 0..2 {
            assert!(t.check(ip("10.0.0.1")).is_ok());
        }
        assert!(t.check(ip("10.0.0.2")).is_ok());
        // Both remembered buckets are part-used (none full to forget): the map starts afresh
        // rather than grow.
        assert!(t.check(ip("10.0.0.3")).is_ok());
        assert!(t.check(ip("10.0.0.1")).is_ok());
    }

    #[test]
    fn the_survey_is_told_apart_by_its_path() {
        assert!(is_survey_path("/s/ABCDEFGHJKMN"));
        assert!(!is_survey_path("/surveys/1"));
    }

    #[test]
    fn the_global_bucket_caps_everyone() {
        let t = Throttle::new(limits(10.0, 3.0));
        assert!(t.check(ip("10.0.0.1")).is_ok());
        assert!(t.check(ip("10.0.0.2")).is_ok());
        assert!(t.check(None).is_ok());
        assert!(matches!(
            t.check(ip("10.0.0.3")),
            Err(Refusal::Global { first: true, .. })
        ));
    }

    #[test]
    fn forwarded_for_only_from_the_trusted_proxy() {
        let mut h = HeaderMap::new();
        h.insert("x-forwarded-for", "1.2.3.4, 5.6.7.8".parse().unwrap());
        let proxy: SocketAddr = "10.0.0.9:4000".parse().unwrap();
        let other: SocketAddr = "10.0.0.8:4000".parse().unwrap();
        let trusted = ip("10.0.0.9");
        assert_eq!(client_address(Some(proxy), &h, trusted), ip("5.6.7.8"));
        assert_eq!(client_address(Some(other), &h, trusted), ip("10.0.0.8"));
        assert_eq!(client_address(Some(proxy), &h, None), ip("10.0.0.9"));
        assert_eq!(client_address(None, &h, trusted), None);
    }
}
