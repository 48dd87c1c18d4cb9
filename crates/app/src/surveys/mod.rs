//! 群众满意度测评 (SPEC C8, issue #18 point 3): the department or a committee opens a survey
//! of an org of its subtree for a year or half-year, with the questionnaire of the rule set
//! in force (copied into the survey); issues single-use tokens in batches (printed, one
//! card each, and handed out by the township); the masses answer on the public page with a
//! token, without an account; the survey is closed and its results read: per question the
//! distribution and mean, the satisfaction rate and the response rate, the comments as
//! given. The latest survey of a year closed by the day feeds the rating's Satisfaction
//! indicator and 软 (`rating::gather`).
//!
//! Anonymity: a token is random, shown once when its batch is issued and stored only as a
//! hash with a used flag; answering marks it used and writes the response in the same
//! transaction, and the response holds no token, no address, no user agent and only the
//! day. The audit never holds a token or an answer; answering is not audited (there is no
//! one to name).

use chrono::NaiveDate;
use jiceng_domain::survey::{
    self as domain, Question, SatisfactionFacts, SurveyError, SurveyRules, SurveyTally,
};
use jiceng_domain::OrgKind;
use jiceng_store::surveys::{self as store, StoredBatch, StoredSurvey};
use jiceng_store::Scope;
use serde::Serialize;
use serde_json::json;
use sha2::{Digest, Sha256};

use crate::access::{Grant, InScope, RunSurveys};
use crate::audit::{self, AuditAction};
use crate::auth::time_text;
use crate::refusal::{refused, Refused};
use crate::{App, AppError, OrgRecord, OrgRef, Result};

mod public;
pub mod questionnaire;
mod report;
mod writer;

pub use public::{answer, answer_looked, ballot, look_up, Answered, Ballot, BatchKey, Looked};
pub use report::{report, SurveyReport, Totals};
pub use writer::{AnswerQueue, BATCH_MAX as ANSWERS_PER_WRITE};

/// How many surveys a list shows.
pub const LIST_MAX: i64 = 500;

/// The characters of a token: no 0/O, 1/I, easy to type from a printed card.
const ALPHABET: &[u8; 32] = b"ABCDEFGHJKLMNPQRSTUVWXYZ23456789";
/// Characters per token (12 of 32: 60 bits).
pub const TOKEN_CHARS: usize = 12;

impl From<SurveyError> for AppError {
    fn from(e: SurveyError) -> AppError {
        AppError::MemberLife(Refused {
            field: e.field,
            message: e.message,
        })
    }
}

/// The rule set's questionnaire in force today: its title, introduction and comment
/// prompt (the questions a survey asks are [`questionnaire::today`]'s).
pub fn rules(app: &App) -> SurveyRules {
    app.rules.in_force(app.today()).survey.clone()
}

/// A token as typed or scanned, normalised (upper case, separators dropped); `None` when
/// it cannot be one.
pub fn normalise(code: &str) -> Option<String> {
    let t: String = code
        .chars()
        .filter(|c| !matches!(c, '-' | ' '))
        .map(|c| c.to_ascii_uppercase())
        .collect();
    (t.len() == TOKEN_CHARS && t.bytes().all(|b| ALPHABET.contains(&b))).then_some(t)
}

/// The stored form of a token.
pub fn token_hash(code: &str) -> String {
    Sha256::digest(code.as_bytes())
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

/// A token as printed: `ABCD-EFGH-JKMN`.
pub fn grouped(code: &str) -> String {
    code.as_bytes()
        .chunks(4)
        .map(|c| String::from_utf8_lossy(c).into_owned())
        .collect::<Vec<_>>()
        .join("-")
}

fn new_token() -> Result<String> {
    let mut b = [0u8; TOKEN_CHARS];
    getrandom::getrandom(&mut b).map_err(|e| AppError::Input(format!("系统随机数不可用：{e}")))?;
    // 256 is a multiple of 32: every character equally likely.
    Ok(b.iter()
        .map(|x| ALPHABET[usize::from(*x % 32)] as char)
        .collect())
}

/// A survey as listed, with its counts.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct SurveySummary {
    pub id: i64,
    pub org_id: i64,
    pub org: OrgRef,
    pub period: String,
    pub period_label: String,
    pub opened_on: NaiveDate,
    pub closed_on: Option<NaiveDate>,
    pub issued: i64,
    pub responses: i64,
    /// Responses over tokens issued (`None`: none issued).
    pub response_rate: Option<f64>,
    /// 很满意+满意+基本满意 over all ratings (`None`: no response).
    pub satisfaction: Option<f64>,
}

impl SurveySummary {
    pub fn is_open(&self) -> bool {
        self.closed_on.is_none()
    }

    pub fn status_label(&self) -> &'static str {
        if self.is_open() {
            "进行中"
        } else {
            "已结束"
        }
    }

    pub fn response_rate_text(&self) -> String {
        share_text(self.response_rate)
    }

    pub fn satisfaction_text(&self) -> String {
        share_text(self.satisfaction)
    }
}

/// A share as the pages print it (`75.0%`), or 暂无数据.
pub fn share_text(share: Option<f64>) -> String {
    crate::mass_requests::share_text(share)
}

fn summary(row: &store::SurveyRow, org: OrgRef) -> SurveySummary {
    let s = &row.survey;
    SurveySummary {
        id: s.id,
        org_id: s.org_id,
        org,
        period: s.period.code(),
        period_label: s.period.label(),
        opened_on: s.opened_on,
        closed_on: s.closed_on,
        issued: row.issued,
        responses: row.responses,
        response_rate: (row.issued > 0).then(|| row.responses as f64 / row.issued as f64),
        satisfaction: (row.ratings > 0).then(|| row.satisfied as f64 / row.ratings as f64),
    }
}

/// Opens a survey of `org` (an org of the actor's subtree) for `period` (`2026`,
/// `2026H2`), with the questionnaire in force today ([`questionnaire::today`]: the
/// department's, else the rule set's).
pub async fn open(
    app: &App,
    grant: &Grant<RunSurveys>,
    org: &InScope<OrgRecord>,
    period: &str,
) -> Result<i64> {
    let today = app.today();
    let period = domain::check_period(period, today)?;
    if org.org.kind == OrgKind::Group {
        return Err(refused(
            "org",
            format!("{}是党小组：测评其所在的党支部", org.org.name),
        ));
    }
    let mut conn = app.store.acquire().await?;
    let same = store::open_for(&mut conn, org.org.id, period).await?;
    drop(conn);
    if same {
        return Err(refused(
            "period",
            format!("{}{}的群众满意度测评正在进行", org.org.name, period.label()),
        ));
    }
    let q = questionnaire::today(app).await?.rules;
    let id = app.store.reserve_ids("survey", 1).await?;
    let actor = grant.actor();
    let now = app.now();
    let stored = StoredSurvey {
        id,
        org_id: org.org.id,
        org_path: org.path.clone(),
        org_name: org.org.name.clone(),
        period,
        template: q.template.clone(),
        questions: serde_json::to_string(&q.questions).expect("questions serialise"),
        opened_on: today,
        closed_on: None,
        opened_by: actor.username().to_string(),
        opened_at: time_text(now),
    };
    let entry = audit::Entry::new(actor, AuditAction::SurveyOpen, id.to_string())
        .org(Some(&**org))
        .after(json!({ "period": period.code(), "template": q.template }));
    let (stored, entry) = (&stored, &entry);
    audit::with_retry(|| async move {
        let mut tx = app.store.begin().await?;
        store::insert(&mut tx, stored).await?;
        entry.commit(tx, now).await
    })
    .await?;
    Ok(id)
}

async fn stored(app: &App, org: &InScope<OrgRecord>, id: i64) -> Result<StoredSurvey> {
    let mut conn = app.store.acquire().await?;
    store::get(&mut conn, &org.subtree(), id)
        .await?
        .ok_or_else(|| AppError::NotFound("群众满意度测评".into()))
}

pub(crate) fn questions_of(s: &StoredSurvey) -> Result<Vec<Question>> {
    serde_json::from_str(&s.questions)
        .map_err(|e| AppError::Input(format!("测评题目无法读取：{e}")))
}

/// A batch just issued: its number and its tokens, shown this once.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct IssuedBatch {
    pub survey_id: i64,
    pub batch: i64,
    pub codes: Vec<String>,
}

/// Issues a batch of `count` tokens for open survey `id` (of an org in `org`'s subtree).
/// The tokens are returned this once; only their hashes are kept.
pub async fn issue(
    app: &App,
    grant: &Grant<RunSurveys>,
    org: &InScope<OrgRecord>,
    id: i64,
    count: Option<i64>,
) -> Result<IssuedBatch> {
    let s = stored(app, org, id).await?;
    let n = domain::check_batch(count)?;
    if s.closed_on.is_some() {
        return Err(refused("count", "该测评已结束，不再发放测评码"));
    }
    let codes: Vec<String> = (0..n).map(|_| new_token()).collect::<Result<_>>()?;
    let hashes: Vec<String> = codes.iter().map(|c| token_hash(c)).collect();
    let actor = grant.actor();
    let now = app.now();
    let today = app.today();
    let mut conn = app.store.acquire().await?;
    let surveyed = jiceng_store::orgs::get(&mut conn, &Scope::All, s.org_id).await?;
    drop(conn);
    let (hashes, surveyed) = (&hashes, &surveyed);
    let batch = audit::with_retry(|| async move {
        let mut tx = app.store.begin().await?;
        if !store::hold_open(&mut tx, id).await? {
            return Err(refused("count", "该测评已结束，不再发放测评码"));
        }
        let batch = store::add_batch(&mut tx, id, hashes, today, actor.username()).await?;
        // How many, never the tokens.
        audit::Entry::new(actor, AuditAction::SurveyTokens, id.to_string())
            .org(surveyed.as_ref())
            .after(json!({ "batch": batch, "tokens": hashes.len() }))
            .commit(tx, now)
            .await?;
        Ok(batch)
    })
    .await?;
    Ok(IssuedBatch {
        survey_id: id,
        batch,
        codes,
    })
}

/// Closes open survey `id`: no token of it is accepted any more; its results count.
pub async fn close(
    app: &App,
    grant: &Grant<RunSurveys>,
    org: &InScope<OrgRecord>,
    id: i64,
) -> Result<()> {
    let s = stored(app, org, id).await?;
    if s.closed_on.is_some() {
        return Err(refused("close", "该测评已结束"));
    }
    let actor = grant.actor();
    let now = app.now();
    let today = app.today();
    let mut conn = app.store.acquire().await?;
    let surveyed = jiceng_store::orgs::get(&mut conn, &Scope::All, s.org_id).await?;
    drop(conn);
    let entry = audit::Entry::new(actor, AuditAction::SurveyClose, id.to_string())
        .org(surveyed.as_ref())
        .after(json!({ "closed_on": today.to_string() }));
    let entry = &entry;
    audit::with_retry(|| async move {
        let mut tx = app.store.begin().await?;
        if !store::close(&mut tx, id, today).await? {
            return Err(refused("close", "该测评已结束"));
        }
        entry.commit(tx, now).await
    })
    .await
}

/// A batch as the survey's page lists it.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Batch {
    pub batch: i64,
    pub tokens: i64,
    pub used: i64,
    pub issued_on: NaiveDate,
    pub issued_by: String,
}

impl From<StoredBatch> for Batch {
    fn from(b: StoredBatch) -> Batch {
        Batch {
            batch: b.batch,
            tokens: b.tokens,
            used: b.used,
            issued_on: b.issued_on,
            issued_by: b.issued_by,
        }
    }
}

/// A survey's results: the summary, per question the distribution and mean, the comments
/// as given (in no particular order, never scored), the batches.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct SurveyResults {
    pub summary: SurveySummary,
    pub template: String,
    pub tally: SurveyTally,
    pub comments: Vec<String>,
    pub batches: Vec<Batch>,
    pub definition: &'static str,
}

impl SurveyResults {
    pub fn mean_text(&self, i: usize) -> String {
        self.tally
            .questions
            .get(i)
            .and_then(|q| q.mean())
            .map_or_else(|| "暂无数据".into(), |m| format!("{m:.2}"))
    }
}

/// Survey `id` of an org in `org`'s subtree with its results.
pub async fn get(app: &App, org: &InScope<OrgRecord>, id: i64) -> Result<SurveyResults> {
    let s = stored(app, org, id).await?;
    let questions = questions_of(&s)?;
    let mut conn = app.store.acquire().await?;
    let (issued, responses, ratings, satisfied) = store::counts_of(&mut conn, id).await?;
    let answers = store::responses(&mut conn, id).await?;
    let batches = store::batches(&mut conn, id).await?;
    let surveyed = jiceng_store::orgs::get(&mut conn, &Scope::All, s.org_id).await?;
    drop(conn);
    let parsed: Vec<Vec<domain::Rating>> = answers
        .iter()
        .map(|r| {
            domain::parse_scores(&r.scores)
                .ok_or_else(|| AppError::Input(format!("测评答卷无法读取：{}", r.scores)))
        })
        .collect::<Result<_>>()?;
    let tally = SurveyTally::of(&questions, parsed.iter().map(Vec::as_slice), issued);
    let comments = answers.into_iter().filter_map(|r| r.comment).collect();
    let org_ref = surveyed.map_or_else(
        || OrgRef {
            code: String::new(),
            name: s.org_name.clone(),
        },
        |o| OrgRef::of(&o.org),
    );
    let row = store::SurveyRow {
        survey: s.clone(),
        issued,
        responses,
        ratings,
        satisfied,
    };
    Ok(SurveyResults {
        summary: summary(&row, org_ref),
        template: s.template,
        tally,
        comments,
        batches: batches.into_iter().map(Batch::from).collect(),
        definition: domain::SATISFACTION_DEFINITION,
    })
}

/// The surveys of `org`'s subtree.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct SurveyList {
    pub org: OrgRef,
    pub org_id: i64,
    pub surveys: Vec<SurveySummary>,
    pub definition: &'static str,
}

/// The surveys of orgs of `org`'s subtree, the open first, with their rates.
pub async fn list(app: &App, org: &InScope<OrgRecord>) -> Result<SurveyList> {
    let mut conn = app.store.acquire().await?;
    let rows = jiceng_store::survey_report::list_all(&mut conn, &org.path, LIST_MAX).await?;
    let surveys = report::named(&mut conn, &rows).await?;
    drop(conn);
    Ok(SurveyList {
        org: org.org_ref(),
        org_id: org.org.id,
        surveys,
        definition: domain::SATISFACTION_DEFINITION,
    })
}

/// The latest closed survey of the year of every org of `scope` (for `rating::gather`).
pub async fn facts_in_scope(
    conn: &mut jiceng_store::Conn,
    scope: &Scope,
    year: i32,
    as_of: NaiveDate,
) -> Result<std::collections::HashMap<i64, SatisfactionFacts>> {
    Ok(store::facts_in_scope(conn, scope, year, as_of).await?)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tokens_are_uniform_over_32_distinct_characters() {
        let mut a = ALPHABET.to_vec();
        a.sort_unstable();
        a.dedup();
        assert_eq!(
            a.len(),
            32,
            "each character once: 256 = 8 × 32, so each equally likely"
        );
        for c in b"0O1I" {
            assert!(!ALPHABET.contains(c), "{}", *c as char);
        }
        let t = new_token().unwrap();
        assert_eq!(t.len(), TOKEN_CHARS);
        assert_eq!(normalise(&grouped(&t).to_lowercase()), Some(t.clone()));
        assert_eq!(normalise(" abcd efgh jklm "), Some("ABCDEFGHJKLM".into()));
        assert_eq!(normalise("ABCD-EFGH-JKL0"), None);
        assert_eq!(normalise("ABCD"), None);
        assert_ne!(token_hash(&t), t);
        assert_eq!(token_hash(&t).len(), 64);
    }
}
