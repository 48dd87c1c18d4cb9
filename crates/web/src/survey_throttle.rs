//! The public survey's throttle (`/s/{token}`): a village's respondents answer from phones
//! that often share one address (a phone network's), so a token that exists is counted by
//! the batch it was issued in, not by the address; only a token that does not exist (a
//! typo, or a guess) is counted by the address, so that codes cannot be probed; and the
//! whole server has a ceiling that protects the database.
//!
//! Before anything is read the global bucket is taken from and the address's bucket is
//! looked at (empty: refused without a read); after the token is looked up, an unknown one
//! takes from the address's bucket, a known one from its batch's (empty: refused).
//!
//! An org's public disclosure page (`/p/{key}`) shares these buckets: a key that opens
//! nothing counts against the address like an unknown token.

use std::collections::HashMap;
use std::hash::Hash;
use std::net::IpAddr;
use std::sync::Mutex;
use std::time::Instant;

use axum::http::{header, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use jiceng_app::surveys::BatchKey;

use crate::throttle::Bucket;

/// The limits, with defaults.
#[derive(Debug, Clone, PartialEq)]
pub struct SurveyLimits {
    /// Tokens that do not exist, per address: 30 a minute after a burst of 60 (a village
    /// mistyping its codes on one network, never a search of the code space: 60 bits).
    pub unknown_per_address_per_minute: f64,
    pub unknown_address_burst: f64,
    /// Requests naming a token of one batch (at most 500 tokens): 500 a minute after a
    /// burst of 1,500 — every respondent of a full batch opening the page, sending a form
    /// back refused once and answering, all at once.
    pub per_batch_per_minute: f64,
    pub batch_burst: f64,
    /// The whole server: 3,000 a second after a burst of 6,000.
    pub global_per_second: f64,
    pub global_burst: f64,
    /// Addresses and batches remembered at most each (full buckets forgotten first).
    pub max_keys: usize,
}

impl Default for SurveyLimits {
    fn default() -> SurveyLimits {
        SurveyLimits {
            unknown_per_address_per_minute: 30.0,
            unknown_address_burst: 60.0,
            per_batch_per_minute: 500.0,
            batch_burst: 1_500.0,
            global_per_second: 3_000.0,
            global_burst: 6_000.0,
            max_keys: 100_000,
        }
    }
}

/// Buckets by key, bounded in number.
struct Keyed<K> {
    per_second: f64,
    burst: f64,
    max: usize,
    map: Mutex<HashMap<K, Bucket>>,
}

impl<K: Hash + Eq + Copy> Keyed<K> {
    fn new(per_minute: f64, burst: f64, max: usize) -> Keyed<K> {
        Keyed {
            per_second: per_minute / 60.0,
            burst,
            max,
            map: Mutex::new(HashMap::new()),
        }
    }

    /// Seconds to wait when `key`'s bucket is empty; `take`: one is taken when there is one.
    fn draw(&self, key: K, take: bool) -> Option<u64> {
        let now = Instant::now();
        let mut map = self.map.lock().expect("survey throttle");
        if !map.contains_key(&key) {
            if !take {
                return None;
            }
            if map.len() >= self.max {
                map.retain(|_, b| {
                    b.refill(self.per_second, self.burst, now);
                    b.tokens < self.burst
                });
                if map.len() >= self.max {
                    map.clear();
                }
            }
        }
        let b = map
            .entry(key)
            .or_insert_with(|| Bucket::full(self.burst, now));
        b.refill(self.per_second, self.burst, now);
        if b.tokens < 1.0 {
            return Some(b.wait(self.per_second));
        }
        if take {
            b.tokens -= 1.0;
        }
        None
    }
}

pub struct SurveyThrottle {
    global_per_second: f64,
    global_burst: f64,
    global: Mutex<Bucket>,
    unknown: Keyed<IpAddr>,
    batches: Keyed<BatchKey>,
}

impl SurveyThrottle {
    pub fn new(l: SurveyLimits) -> SurveyThrottle {
        SurveyThrottle {
            global_per_second: l.global_per_second,
            global_burst: l.global_burst,
            global: Mutex::new(Bucket::full(l.global_burst, Instant::now())),
            unknown: Keyed::new(
                l.unknown_per_address_per_minute,
                l.unknown_address_burst,
                l.max_keys,
            ),
            batches: Keyed::new(l.per_batch_per_minute, l.batch_burst, l.max_keys),
        }
    }

    /// Before the token is read: one from the global bucket, and the address must not have
    /// run out of unknown tokens. `Err(seconds to wait)`.
    pub fn admit(&self, addr: Option<IpAddr>) -> Result<(), u64> {
        if let Some(wait) = addr.and_then(|a| self.unknown.draw(a, false)) {
            return Err(wait);
        }
        let now = Instant::now();
        let mut g = self.global.lock().expect("survey throttle");
        g.refill(self.global_per_second, self.global_burst, now);
        if g.tokens < 1.0 {
            return Err(g.wait(self.global_per_second));
        }
        g.tokens -= 1.0;
        Ok(())
    }

    /// After the token was read: an unknown token takes from its address's bucket (without
    /// an address, in-process, nothing); a known one from its batch's, or is refused.
    pub fn looked_up(&self, addr: Option<IpAddr>, batch: Option<BatchKey>) -> Result<(), u64> {
        match batch {
            Some(b) => self.batches.draw(b, true).map_or(Ok(()), Err),
            None => {
                if let Some(a) = addr {
                    self.unknown.draw(a, true);
                }
                Ok(())
            }
        }
    }
}

/// The refusal: a plain Chinese page with `Retry-After`, not audited (the survey keeps no
/// address); `path` tells the survey from an org's public disclosure page (`/p/…`).
pub fn refused(retry_after: u64, path: &str) -> Response {
    let (title, message) = if path.starts_with("/p/") {
        (
            "党务公开",
            format!("访问的人较多，请在{retry_after}秒后再试。"),
        )
    } else {
        (
            "群众满意度测评",
            format!("提交的人较多，请在{retry_after}秒后再提交。"),
        )
    };
    let body = format!(
        "<!doctype html><html lang=\"zh-CN\"><head><meta charset=\"utf-8\"><meta name=\"viewport\" content=\"width=device-width, initial-scale=1\"><title>{title}</title><link rel=\"stylesheet\" href=\"/static/app.css\"></head><body><main><div class=\"survey-public\"><p class=\"survey-message\" id=\"survey-throttled\">{message}</p></div></main></body></html>"
    );
    let mut resp = (
        StatusCode::TOO_MANY_REQUESTS,
        [(header::CONTENT_TYPE, "text/html; charset=utf-8")],
        body,
    )
        .into_response();
    resp.headers_mut().insert(
        header::RETRY_AFTER,
        HeaderValue::from_str(&retry_after.to_string()).expect("digits"),
    );
    resp
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ip(s: &str) -> Option<IpAddr> {
        Some(s.parse().unwrap())
    }

    /// Slow enough that nothing comes back while a test runs.
    fn limits() -> SurveyLimits {
        SurveyLimits {
            unknown_per_address_per_minute: 0.001,
            unknown_address_burst: 3.0,
            per_batch_per_minute: 0.001,
            batch_burst: 4.0,
            global_per_second: 0.0001,
            global_burst: 100.0,
            max_keys: 10,
        }
    }

    #[test]
    fn known_tokens_count_by_batch_not_by_address() {
        let t = SurveyThrottle::new(limits());
        // One address, many answers of two batches: each batch runs dry on its own.
        for _ in 0..4 {
            assert!(t.admit(ip("10.0.0.1")).is_ok());
            assert!(t.looked_up(ip("10.0.0.1"), Some((1, 1))).is_ok());
        }
        assert!(t.looked_up(ip("10.0.0.1"), Some((1, 1))).is_err());
        assert!(t.looked_up(ip("10.0.0.1"), Some((1, 2))).is_ok());
        assert!(
            t.admit(ip("10.0.0.1")).is_ok(),
            "the address is not charged"
        );
    }

    #[test]
    fn unknown_tokens_drain_the_address_and_then_nothing_is_read() {
        let t = SurveyThrottle::new(limits());
        for _ in 0..3 {
            assert!(t.admit(ip("10.0.0.1")).is_ok());
            assert!(t.looked_up(ip("10.0.0.1"), None).is_ok());
        }
        let wait = t.admit(ip("10.0.0.1")).unwrap_err();
        assert!(wait >= 1);
        assert!(t.admit(ip("10.0.0.2")).is_ok(), "another address is not");
        // In-process (no address): only the global bucket.
        assert!(t.looked_up(None, None).is_ok());
        assert!(t.admit(None).is_ok());
    }

    #[test]
    fn the_global_bucket_caps_everyone() {
        let t = SurveyThrottle::new(SurveyLimits {
            global_burst: 2.0,
            ..limits()
        });
        assert!(t.admit(ip("10.0.0.1")).is_ok());
        assert!(t.admit(ip("10.0.0.2")).is_ok());
        assert!(t.admit(ip("10.0.0.3")).is_err());
    }

    #[test]
    fn the_defaults_let_a_full_batch_answer_at_once() {
        let l = SurveyLimits::default();
        let most = jiceng_domain::survey::BATCH_MAX as f64;
        assert!(l.batch_burst >= 3.0 * most);
        assert!(l.unknown_address_burst < l.batch_burst);
    }

    #[test]
    fn the_maps_stay_bounded() {
        let t = SurveyThrottle::new(SurveyLimits {
            max_keys: 2,
            ..limits()
        });
        for b in 0..5 {
            assert!(t.looked_up(None, Some((1, b))).is_ok());
        }
        assert!(t.batches.map.lock().unwrap().len() <= 2);
    }
}
