//! Mixed load over HTTP (issue 21): client connections that read pages and API lists and
//! record meetings through the API, for a fixed time, against a server given by its
//! address. `concurrency` and `soak` start the server; this module only talks to it.
//!
//! Each connection is its own HTTP/1.1 keep-alive client (hyper), sending one request at a
//! time. A write is a meeting with a topic no other write uses, so an acknowledged write
//! (201 with its id) can be looked for afterwards.

use std::collections::BTreeMap;
use std::sync::Arc;
use std::time::{Duration, Instant};

use anyhow::{Context, Result};
use chrono::NaiveDate;
use http_body_util::{BodyExt, Full};
use hyper::body::Bytes;
use hyper_util::client::legacy::Client;
use hyper_util::rt::TokioExecutor;
use serde::Serialize;

/// What the clients need to know of the served data set.
#[derive(Debug, Clone)]
pub struct Plan {
    /// `127.0.0.1:port`.
    pub addr: String,
    /// A session token of a user who may record meetings in `branches` (cookie for the
    /// pages, bearer for the API).
    pub token: String,
    /// Branches that existed on every date a write uses.
    pub branches: Vec<i64>,
    /// The server's today: writes are dated within the 90 days before it.
    pub today: NaiveDate,
    /// The share of requests that are writes (0–1).
    pub write_share: f64,
    /// Begins every topic written, so each run's writes are its own.
    pub prefix: String,
}

/// The reads, in turn: the home page (dashboard), the roster page, the member and meeting
/// lists of the API, and a branch's open obligations (本月待办).
/// Each read: its name, its path, and whether it is the API's (bearer) or a page (cookie).
fn read_path(k: usize, branch: i64) -> (&'static str, String, bool) {
    match k % 5 {
        0 => ("dashboard", "/".to_string(), false),
        1 => ("roster page", "/members".to_string(), false),
        2 => (
            "member API",
            "/api/v1/members?page=1&page_size=20".to_string(),
            true,
        ),
        3 => (
            "meeting API",
            "/api/v1/meetings?page=1&page_size=20".to_string(),
            true,
        ),
        _ => ("本月待办 API", format!("/api/v1/orgs/{branch}/due"), true),
    }
}

/// The JSON of one meeting write: `topic` is unique.
pub fn meeting_json(plan: &Plan, branch: i64, seq: u64, topic: &str) -> serde_json::Value {
    let date = plan.today - chrono::Duration::days((seq % 90) as i64);
    serde_json::json!({
        "org_id": branch,
        "kind": "主题党日",
        "date": date.to_string(),
        "topic": topic,
        "expected": 10,
        "present": 8,
        "excused": 1,
    })
}

/// Everything one or more connections saw.
#[derive(Debug, Clone, Default, Serialize)]
pub struct Tally {
    /// Latencies of answered reads and writes, in ms.
    #[serde(skip)]
    pub read_ms: Vec<f64>,
    #[serde(skip)]
    pub write_ms: Vec<f64>,
    /// Latencies of answered reads by endpoint, in ms.
    #[serde(skip)]
    pub read_ms_by: BTreeMap<&'static str, Vec<f64>>,
    /// Answered requests by status.
    pub reads_by_status: BTreeMap<u16, u64>,
    pub writes_by_status: BTreeMap<u16, u64>,
    /// Requests without an answer, by kind: connection refused (the server is down),
    /// connection closed or reset (the server died while answering), timeout, other.
    pub no_answer: BTreeMap<String, u64>,
    /// Writes sent whose answer was lost (the server died or closed the connection after
    /// the request went out): they may or may not have been committed.
    pub writes_unanswered: u64,
    /// Every acknowledged write: (topic, id).
    #[serde(skip)]
    pub acked: Vec<(String, i64)>,
    /// Non-2xx answers' messages (the API's `error`), by status and message, cut short.
    pub messages: BTreeMap<String, u64>,
}

impl Tally {
    pub fn merge(&mut self, o: Tally) {
        self.read_ms.extend(o.read_ms);
        self.write_ms.extend(o.write_ms);
        for (k, v) in o.read_ms_by {
            self.read_ms_by.entry(k).or_default().extend(v);
        }
        for (k, v) in o.reads_by_status {
            *self.reads_by_status.entry(k).or_default() += v;
        }
        for (k, v) in o.writes_by_status {
            *self.writes_by_status.entry(k).or_default() += v;
        }
        for (k, v) in o.no_answer {
            *self.no_answer.entry(k).or_default() += v;
        }
        for (k, v) in o.messages {
            *self.messages.entry(k).or_default() += v;
        }
        self.writes_unanswered += o.writes_unanswered;
        self.acked.extend(o.acked);
    }

    pub fn answered(&self) -> u64 {
        self.reads_by_status.values().sum::<u64>() + self.writes_by_status.values().sum::<u64>()
    }

    pub fn writes_answered(&self) -> u64 {
        self.writes_by_status.values().sum()
    }

    /// Answers outside 200–299, reads and writes.
    pub fn non_2xx(&self) -> u64 {
        self.reads_by_status
            .iter()
            .chain(self.writes_by_status.iter())
            .filter(|(s, _)| !(200..300).contains(*s))
            .map(|(_, n)| n)
            .sum()
    }

    pub fn write_failures(&self) -> u64 {
        self.writes_by_status
            .iter()
            .filter(|(s, _)| !(200..300).contains(*s))
            .map(|(_, n)| n)
            .sum()
    }

    /// "500×12, 503×3" for the non-2xx statuses of reads and writes together.
    pub fn errors_by_status(&self) -> String {
        let mut all: BTreeMap<u16, u64> = BTreeMap::new();
        for (s, n) in self.reads_by_status.iter().chain(&self.writes_by_status) {
            if !(200..300).contains(s) {
                *all.entry(*s).or_default() += n;
            }
        }
        if all.is_empty() {
            return "none".into();
        }
        all.iter()
            .map(|(s, n)| format!("{s}×{n}"))
            .collect::<Vec<_>>()
            .join(", ")
    }

    /// "refused×3, closed×1" for the requests without an answer.
    pub fn no_answer_text(&self) -> String {
        if self.no_answer.is_empty() {
            return "none".into();
        }
        self.no_answer
            .iter()
            .map(|(k, n)| format!("{k}×{n}"))
            .collect::<Vec<_>>()
            .join(", ")
    }
}

/// The `q` quantile (0–1) of `v` (sorted here), nearest rank; NaN when empty.
pub fn quantile(v: &mut [f64], q: f64) -> f64 {
    if v.is_empty() {
        return f64::NAN;
    }
    v.sort_by(f64::total_cmp);
    let rank = ((q * v.len() as f64).ceil() as usize).clamp(1, v.len());
    v[rank - 1]
}

/// Why a request got no answer, in a few words.
fn no_answer_kind(e: &hyper_util::client::legacy::Error) -> &'static str {
    if e.is_connect() {
        return "refused";
    }
    let mut src: Option<&(dyn std::error::Error + 'static)> = std::error::Error::source(e);
    while let Some(s) = src {
        if let Some(h) = s.downcast_ref::<hyper::Error>() {
            if h.is_incomplete_message() || h.is_closed() || h.is_canceled() {
                return "closed";
            }
        }
        if let Some(io) = s.downcast_ref::<std::io::Error>() {
            use std::io::ErrorKind::*;
            if matches!(
                io.kind(),
                ConnectionReset | ConnectionAborted | BrokenPipe | UnexpectedEof
            ) {
                return "closed";
            }
        }
        src = s.source();
    }
    "other"
}

/// A small deterministic generator (the mix needs no quality, only reproducibility).
struct Lcg(u64);

impl Lcg {
    fn next(&mut self) -> f64 {
        self.0 = self
            .0
            .wrapping_mul(6364136223846793005)
            .wrapping_add(1442695040888963407);
        (self.0 >> 11) as f64 / (1u64 << 53) as f64
    }
}

type HttpClient = Client<hyper_util::client::legacy::connect::HttpConnector, Full<Bytes>>;

/// One request: its status and body, or why there was none.
async fn send(
    client: &HttpClient,
    req: hyper::Request<Full<Bytes>>,
) -> std::result::Result<(u16, Bytes), &'static str> {
    let answer = tokio::time::timeout(Duration::from_secs(60), async {
        let resp = client.request(req).await.map_err(|e| no_answer_kind(&e))?;
        let status = resp.status().as_u16();
        let body = resp
            .into_body()
            .collect()
            .await
            .map_err(|_| "closed")?
            .to_bytes();
        Ok((status, body))
    })
    .await;
    answer.unwrap_or(Err("timeout"))
}

/// One connection's loop until `until`: reads and writes mixed by `plan.write_share`.
async fn connection(n: usize, plan: Arc<Plan>, until: Instant) -> Tally {
    let client: HttpClient = Client::builder(TokioExecutor::new())
        .pool_max_idle_per_host(1)
        .build_http();
    let mut rng = Lcg(0x9E37_79B9_7F4A_7C15 ^ (n as u64 + 1));
    let mut t = Tally::default();
    let (mut seq, mut reads) = (0u64, n);
    while Instant::now() < until {
        let branch =
            plan.branches[(rng.next() * plan.branches.len() as f64) as usize % plan.branches.len()];
        let write = rng.next() < plan.write_share;
        let mut endpoint = "write";
        let (req, topic) = if write {
            seq += 1;
            let topic = format!("{}-{n}-{seq}", plan.prefix);
            let body = meeting_json(&plan, branch, seq, &topic).to_string();
            let req = hyper::Request::post(format!("http://{}/api/v1/meetings", plan.addr))
                .header("Authorization", format!("Bearer {}", plan.token))
                .header("Content-Type", "application/json")
                .body(Full::new(Bytes::from(body)))
                .expect("a request");
            (req, Some(topic))
        } else {
            reads += 1;
            let (name, path, api) = read_path(reads, branch);
            endpoint = name;
            let b = hyper::Request::get(format!("http://{}{path}", plan.addr));
            let b = if api {
                b.header("Authorization", format!("Bearer {}", plan.token))
            } else {
                b.header("Cookie", format!("jiceng_session={}", plan.token))
            };
            (b.body(Full::new(Bytes::new())).expect("a request"), None)
        };
        let started = Instant::now();
        match send(&client, req).await {
            Ok((status, body)) => {
                let ms = started.elapsed().as_secs_f64() * 1e3;
                if topic.is_some() {
                    t.write_ms.push(ms);
                    *t.writes_by_status.entry(status).or_default() += 1;
                } else {
                    t.read_ms.push(ms);
                    t.read_ms_by.entry(endpoint).or_default().push(ms);
                    *t.reads_by_status.entry(status).or_default() += 1;
                }
                if (200..300).contains(&status) {
                    if let Some(topic) = topic {
                        let id = serde_json::from_slice::<serde_json::Value>(&body)
                            .ok()
                            .and_then(|v| v["id"].as_i64())
                            .unwrap_or(0);
                        t.acked.push((topic, id));
                    }
                } else {
                    let msg = serde_json::from_slice::<serde_json::Value>(&body)
                        .ok()
                        .and_then(|v| v["error"].as_str().map(str::to_string))
                        .unwrap_or_else(|| {
                            String::from_utf8_lossy(&body[..body.len().min(120)]).into_owned()
                        });
                    let short: String = msg.chars().take(60).collect();
                    let what = if topic.is_some() { "write" } else { "read" };
                    *t.messages
                        .entry(format!("{what} {status} {short}"))
                        .or_default() += 1;
                }
            }
            Err(kind) => {
                *t.no_answer.entry(kind.to_string()).or_default() += 1;
                if topic.is_some() && kind != "refused" {
                    t.writes_unanswered += 1;
                }
                // The server is down or restarting: do not spin.
                tokio::time::sleep(Duration::from_millis(50)).await;
            }
        }
    }
    t
}

/// Runs `connections` connections against `plan.addr` for `duration`; the merged tally and
/// the seconds it really took.
pub async fn run(plan: &Plan, connections: usize, duration: Duration) -> Result<(Tally, f64)> {
    let plan = Arc::new(plan.clone());
    let started = Instant::now();
    let until = started + duration;
    let tasks: Vec<_> = (0..connections)
        .map(|n| tokio::spawn(connection(n, plan.clone(), until)))
        .collect();
    let mut all = Tally::default();
    for t in tasks {
        all.merge(t.await.context("a client connection panicked")?);
    }
    Ok((all, started.elapsed().as_secs_f64()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn quantiles_by_nearest_rank() {
        let mut v: Vec<f64> = (1..=100).map(f64::from).collect();
        assert_eq!(quantile(&mut v, 0.5), 50.0);
        assert_eq!(quantile(&mut v, 0.99), 99.0);
        assert_eq!(quantile(&mut [3.0], 0.99), 3.0);
        assert!(quantile(&mut [], 0.5).is_nan());
    }

    #[test]
    fn tallies_merge_and_count_failures() {
        let mut a = Tally::default();
        a.writes_by_status.insert(201, 8);
        a.writes_by_status.insert(500, 2);
        a.reads_by_status.insert(200, 10);
        let mut b = Tally::default();
        b.reads_by_status.insert(303, 1);
        b.no_answer.insert("refused".into(), 4);
        a.merge(b);
        assert_eq!(a.answered(), 21);
        assert_eq!(a.non_2xx(), 3);
        assert_eq!(a.write_failures(), 2);
        assert_eq!(a.errors_by_status(), "303×1, 500×2");
        assert_eq!(a.no_answer_text(), "refused×4");
    }
}
