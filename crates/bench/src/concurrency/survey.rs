//! `jiceng bench survey` (issue 18, point 8): a survey of one branch of the served county
//! collecting its answers through the public page `/s/{token}` as phones would — open the
//! page (the pre-session cookie and the form's token), then submit — under N connections,
//! all from one address (a village answering over one phone network). Every page is
//! opened first, then every answer submitted, so that the answer endpoint is timed on its
//! own (the issue's ≥ 1,000 answers/s) with the page's rate beside it. Then every
//! acknowledged answer is looked for, every token is tried a second time and a forged one
//! is tried: none may be recorded twice, none lost.

use std::collections::{BTreeMap, VecDeque};
use std::sync::{Arc, Mutex};

use hyper_util::client::legacy::Client;
use hyper_util::rt::TokioExecutor;
use jiceng_app::access::{Actor, OrgKey, Role, RunSurveys};
use jiceng_app::surveys;

use super::*;

/// `jiceng bench survey`.
#[derive(Debug, Clone, clap::Args)]
pub struct SurveyArgs {
    /// Answers to collect (tokens issued in batches of at most 500).
    #[arg(long, default_value_t = 10_000)]
    pub answers: usize,
    /// Client connections.
    #[arg(long, default_value_t = 64)]
    pub connections: usize,
    /// Tokens tried a second time after the run (each must be refused).
    #[arg(long, default_value_t = 1_000)]
    pub replays: usize,
}

/// One backend's run.
#[derive(Debug, Clone, Serialize)]
pub struct SurveyRow {
    pub backend: &'static str,
    pub connections: usize,
    pub tokens: usize,
    /// Seconds to open every token's page (phones opening the survey), then to submit
    /// every answer (the answer endpoint).
    pub open_seconds: f64,
    pub submit_seconds: f64,
    /// Answers acknowledged (the thanks page).
    pub acknowledged: u64,
    /// Pages opened per second.
    pub pages_per_second: f64,
    /// Acknowledged answers per second of the answer endpoint (the issue's target).
    pub answers_per_second: f64,
    /// Acknowledged answers per second of both phases together (each page opened, then
    /// its answer submitted).
    pub visits_per_second: f64,
    pub page_p50_ms: f64,
    pub page_p99_ms: f64,
    pub submit_p50_ms: f64,
    pub submit_p99_ms: f64,
    /// Answers other than the thanks page, by status and what the page said.
    pub refused: BTreeMap<String, u64>,
    /// Stored afterwards: responses of the survey and tokens marked used.
    pub stored_responses: i64,
    pub used_tokens: i64,
    /// Replays of used tokens recorded again (must be 0), of `replays`.
    pub replays: usize,
    pub replays_recorded: u64,
    /// A forged token's submission was refused.
    pub forged_refused: bool,
}

#[derive(Default)]
struct Seen {
    page_ms: Vec<f64>,
    submit_ms: Vec<f64>,
    acknowledged: u64,
    refused: BTreeMap<String, u64>,
}

type HttpClient = Client<hyper_util::client::legacy::connect::HttpConnector, Full<Bytes>>;

fn client() -> HttpClient {
    Client::builder(TokioExecutor::new())
        .pool_max_idle_per_host(1)
        .build_http()
}

/// The page of a token: its status, the pre-session cookie, the body.
async fn open_page(
    c: &HttpClient,
    addr: &str,
    token: &str,
) -> Result<(u16, Option<String>, String)> {
    let req =
        hyper::Request::get(format!("http://{addr}/s/{token}")).body(Full::new(Bytes::new()))?;
    let resp = tokio::time::timeout(Duration::from_secs(60), c.request(req)).await??;
    let status = resp.status().as_u16();
    let cookie = resp
        .headers()
        .get_all(hyper::header::SET_COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .find(|v| v.starts_with("jiceng_login="))
        .and_then(|v| v.split(';').next())
        .map(str::to_string);
    let body = resp.into_body().collect().await?.to_bytes();
    Ok((status, cookie, String::from_utf8_lossy(&body).into_owned()))
}

/// The value after `marker` up to the next quote.
fn value_after(body: &str, marker: &str) -> Option<String> {
    let at = body.find(marker)? + marker.len();
    let rest = &body[at..];
    Some(rest[..rest.find('"')?].to_string())
}

/// The form to submit: the token of the form, and the first choice of every question
/// (`q1=…&q2=…`), with a comment on every tenth.
fn answer_form(body: &str, n: usize) -> Option<String> {
    let csrf = value_after(body, "name=\"csrf\" value=\"")?;
    let mut form = format!("csrf={csrf}");
    for i in 1.. {
        let Some(v) = value_after(body, &format!("name=\"q{i}\" value=\"")) else {
            break;
        };
        form.push_str(&format!("&q{i}={v}"));
    }
    if n.is_multiple_of(10) {
        form.push_str("&comment=%E5%BE%88%E5%A5%BD");
    }
    Some(form)
}

/// What a survey page said, in a word (its element id).
fn said(body: &str) -> &'static str {
    for (id, word) in [
        ("survey-thanks", "thanks"),
        ("survey-throttled", "throttled"),
        ("这张测评码已经使用过", "used"),
        ("测评码无效", "unknown"),
        ("本次测评已经结束", "closed"),
        ("测评表单已失效", "form expired"),
    ] {
        if body.contains(id) {
            return word;
        }
    }
    "other"
}

/// A page opened and its form filled, ready to submit: the token, the pre-session
/// cookie, the form.
struct Opened {
    token: String,
    cookie: String,
    form: String,
}

/// Opens the survey page of `token` and fills its form (`None`: the page refused it).
async fn open_one(
    c: &HttpClient,
    addr: &str,
    token: String,
    n: usize,
    seen: &mut Seen,
) -> Result<Option<Opened>> {
    let t = Instant::now();
    let (status, cookie, body) = open_page(c, addr, &token).await?;
    seen.page_ms.push(t.elapsed().as_secs_f64() * 1e3);
    let (Some(cookie), Some(form), 200) = (cookie, answer_form(&body, n), status) else {
        *seen
            .refused
            .entry(format!("page {status} {}", said(&body)))
            .or_default() += 1;
        return Ok(None);
    };
    Ok(Some(Opened {
        token,
        cookie,
        form,
    }))
}

/// Submits an opened page's answers; `Ok(true)` when the thanks page came back.
async fn submit_one(c: &HttpClient, addr: &str, o: Opened, seen: &mut Seen) -> Result<bool> {
    let req = hyper::Request::post(format!("http://{addr}/s/{}", o.token))
        .header("Content-Type", "application/x-www-form-urlencoded")
        .header("Cookie", o.cookie)
        .header("Origin", format!("http://{addr}"))
        .body(Full::new(Bytes::from(o.form)))?;
    let t = Instant::now();
    let resp = tokio::time::timeout(Duration::from_secs(60), c.request(req)).await??;
    let status = resp.status().as_u16();
    let body = resp.into_body().collect().await?.to_bytes();
    seen.submit_ms.push(t.elapsed().as_secs_f64() * 1e3);
    let body = String::from_utf8_lossy(&body);
    let word = said(&body);
    if status == 200 && word == "thanks" {
        seen.acknowledged += 1;
        return Ok(true);
    }
    *seen
        .refused
        .entry(format!("submit {status} {word}"))
        .or_default() += 1;
    Ok(false)
}

/// What a connection does with one item of the queue.
enum Step {
    /// Open the page (the opened form is kept for a later submit).
    Open(String),
    /// Submit a page opened before.
    Submit(Opened),
    /// Open, then submit at once (a respondent's whole visit).
    Visit(String),
}

/// N connections taking the steps of `queue` until it is empty: what they saw, the pages
/// opened for a later submit, and the seconds it took.
async fn run_all(
    addr: &str,
    queue: Vec<Step>,
    connections: usize,
) -> Result<(Seen, Vec<Opened>, f64)> {
    let queue = Arc::new(Mutex::new(queue.into_iter().collect::<VecDeque<_>>()));
    let started = Instant::now();
    let mut tasks = Vec::new();
    for _ in 0..connections {
        let (queue, addr) = (queue.clone(), addr.to_string());
        tasks.push(tokio::spawn(async move {
            let c = client();
            let (mut seen, mut opened) = (Seen::default(), Vec::new());
            let mut n = 0;
            loop {
                let Some(step) = queue.lock().expect("queue").pop_front() else {
                    break;
                };
                n += 1;
                let done = match step {
                    Step::Open(t) => open_one(&c, &addr, t, n, &mut seen)
                        .await
                        .map(|o| opened.extend(o)),
                    Step::Submit(o) => submit_one(&c, &addr, o, &mut seen).await.map(drop),
                    Step::Visit(t) => match open_one(&c, &addr, t, n, &mut seen).await {
                        Ok(Some(o)) => submit_one(&c, &addr, o, &mut seen).await.map(drop),
                        other => other.map(drop),
                    },
                };
                if let Err(e) = done {
                    *seen.refused.entry(format!("no answer: {e}")).or_default() += 1;
                }
            }
            (seen, opened)
        }));
    }
    let (mut all, mut opened) = (Seen::default(), Vec::new());
    for t in tasks {
        let (s, o) = t.await?;
        opened.extend(o);
        all.page_ms.extend(s.page_ms);
        all.submit_ms.extend(s.submit_ms);
        all.acknowledged += s.acknowledged;
        for (k, v) in s.refused {
            *all.refused.entry(k).or_default() += v;
        }
    }
    Ok((all, opened, started.elapsed().as_secs_f64()))
}

/// The survey opened for a branch of the copy, and its tokens issued in batches.
async fn survey_with_tokens(copy: &DataSet, branch: i64, n: usize) -> Result<(i64, Vec<String>)> {
    let app = crate::reports::open(copy).await?;
    let dept = Actor::for_test(1, "bench", Role::Department);
    let grant = dept.grant::<RunSurveys>()?;
    let org = jiceng_app::access::resolve(&app, &dept, &OrgKey::Id(branch)).await?;
    let year = app.today().format("%Y").to_string();
    let id = surveys::open(&app, &grant, &org, &year).await?;
    let mut codes = Vec::with_capacity(n);
    while codes.len() < n {
        let k = (n - codes.len()).min(jiceng_domain::survey::BATCH_MAX as usize);
        let b = surveys::issue(&app, &grant, &org, id, Some(k as i64)).await?;
        codes.extend(b.codes);
    }
    app.store().close().await;
    Ok((id, codes))
}

/// The survey's stored responses and used tokens, read through the app.
async fn stored(copy: &DataSet, branch: i64, id: i64) -> Result<(i64, i64)> {
    let app = crate::reports::open(copy).await?;
    let dept = Actor::for_test(1, "bench", Role::Department);
    let org = jiceng_app::access::resolve(&app, &dept, &OrgKey::Id(branch)).await?;
    let r = surveys::get(&app, &org, id).await?;
    let used = r.batches.iter().map(|b| b.used).sum();
    app.store().close().await;
    Ok((r.summary.responses, used))
}

/// `jiceng bench survey`.
pub async fn survey(args: &BenchArgs, s: &SurveyArgs) -> Result<Vec<SurveyRow>> {
    println!("jiceng bench survey — {}", crate::machine());
    let exe = std::env::current_exe()?;
    let mut rows = Vec::new();
    for backend in backends(args) {
        println!("\n== county / {} ==", backend.name());
        if !usable(args, backend).await {
            continue;
        }
        let p = prepare(args, backend, &format!("s{}", stamp())).await?;
        let branch = p.plan.branches[0];
        let (id, codes) = survey_with_tokens(&p.copy, branch, s.answers).await?;
        let log = args.data.join(format!("survey-{}.log", backend.name()));
        let mut server = Served::start(&exe, &p.copy.url, &p.copy.key_file, p.plan.today, &log)?;
        server.ready(Duration::from_secs(120)).await?;
        println!(
            "  survey {id} of branch {branch}: {} tokens in batches of at most {}; {} connections from one address",
            codes.len(),
            jiceng_domain::survey::BATCH_MAX,
            s.connections
        );
        // Every page opened first, then every answer submitted: the answer endpoint timed
        // on its own, as the issue asks, and the page beside it.
        let opens = codes.iter().cloned().map(Step::Open).collect();
        let (opened_seen, opened, open_secs) = run_all(&server.addr, opens, s.connections).await?;
        let submits = opened.into_iter().map(Step::Submit).collect();
        let (submitted, _, secs) = run_all(&server.addr, submits, s.connections).await?;
        let mut seen = opened_seen;
        seen.submit_ms = submitted.submit_ms;
        seen.acknowledged = submitted.acknowledged;
        for (k, v) in submitted.refused {
            *seen.refused.entry(k).or_default() += v;
        }
        // Every token again (a sample), and a forged one: nothing may be recorded.
        let step = (codes.len() / s.replays.max(1)).max(1);
        let again: Vec<String> = codes
            .iter()
            .step_by(step)
            .take(s.replays)
            .cloned()
            .collect();
        let visits = |v: &[String]| v.iter().cloned().map(Step::Visit).collect::<Vec<_>>();
        let (replayed, _, _) = run_all(&server.addr, visits(&again), s.connections).await?;
        let forged = vec!["ABCD-EFGH-JKLM".to_string()];
        let (forged, _, _) = run_all(&server.addr, visits(&forged), 1).await?;
        server.stop()?;
        drop(server);
        let (responses, used) = stored(&p.copy, branch, id).await?;
        let row = SurveyRow {
            backend: backend.name(),
            connections: s.connections,
            tokens: codes.len(),
            open_seconds: open_secs,
            submit_seconds: secs,
            acknowledged: seen.acknowledged,
            pages_per_second: seen.page_ms.len() as f64 / open_secs.max(1e-9),
            answers_per_second: seen.acknowledged as f64 / secs.max(1e-9),
            visits_per_second: seen.acknowledged as f64 / (open_secs + secs).max(1e-9),
            page_p50_ms: quantile(&mut seen.page_ms, 0.5),
            page_p99_ms: quantile(&mut seen.page_ms, 0.99),
            submit_p50_ms: quantile(&mut seen.submit_ms, 0.5),
            submit_p99_ms: quantile(&mut seen.submit_ms, 0.99),
            refused: seen.refused,
            stored_responses: responses,
            used_tokens: used,
            replays: again.len(),
            replays_recorded: replayed.acknowledged,
            forged_refused: forged.acknowledged == 0,
        };
        println!(
            "  {} pages opened in {:.1} s ({:.0}/s), then {} answers acknowledged in {:.1} s: {:.0} answers/s at the answer endpoint (target ≥ 1,000), {:.0}/s both together; page p50 {:.1} / p99 {:.1} ms, submit p50 {:.1} / p99 {:.1} ms; not acknowledged: {}",
            row.tokens,
            row.open_seconds,
            row.pages_per_second,
            row.acknowledged,
            row.submit_seconds,
            row.answers_per_second,
            row.visits_per_second,
            row.page_p50_ms,
            row.page_p99_ms,
            row.submit_p50_ms,
            row.submit_p99_ms,
            refused_text(&row.refused),
        );
        println!(
            "  stored: {} responses, {} tokens used (acknowledged {}); {} used tokens tried again: {} recorded ({}); a forged token {}",
            row.stored_responses,
            row.used_tokens,
            row.acknowledged,
            row.replays,
            row.replays_recorded,
            refused_text(&replayed.refused),
            if row.forged_refused { "refused" } else { "RECORDED" },
        );
        let lost = row.acknowledged as i64 != row.stored_responses
            || row.stored_responses != row.used_tokens
            || row.replays_recorded > 0
            || !row.forged_refused;
        rows.push(row);
        data::drop_copy(args, &p.copy).await?;
        if lost {
            bail!("测评答卷与确认数不符，或测评码被重复使用");
        }
    }
    let at = chrono::Local::now().format("%Y-%m-%d %H:%M").to_string();
    std::fs::create_dir_all(&args.data)?;
    let json = args.data.join("survey-latest.json");
    std::fs::write(
        &json,
        serde_json::to_string_pretty(&serde_json::json!({
            "machine": crate::machine(), "at": at, "rows": rows,
        }))?,
    )?;
    println!("\nresults: {}", json.display());
    Ok(rows)
}

fn refused_text(m: &BTreeMap<String, u64>) -> String {
    if m.is_empty() {
        return "none".into();
    }
    m.iter()
        .map(|(k, n)| format!("{k}×{n}"))
        .collect::<Vec<_>>()
        .join(", ")
}
