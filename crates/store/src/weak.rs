//! Weak organizations (SPEC C5): weakness diagnoses per org, year and kind with their
//! decisions, signals reported by hand, and the minimal records the derived signals need
//! where nothing else records them: discipline cases (贪) and funding (穷).
//!
//! Every list of a subtree is one read by literal path range on `(year, org_path)`.

use std::collections::HashSet;

use jiceng_domain::{Decision, SignalRule, WeaknessKind};
use serde::{Deserialize, Serialize};
use sqlx::any::AnyRow;
use sqlx::Row;

use crate::sql::{insert_many, Sql, Val};
use crate::{parse_date_text, Conn, Result, Scope, StoreError};

/// A signal as a decision saw it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SignalNote {
    pub rule: SignalRule,
    pub evidence: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub source: Option<String>,
}

/// One weakness of one org and year.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StoredWeakness {
    pub org_id: i64,
    pub year: i32,
    pub kind: WeaknessKind,
    pub org_path: String,
    pub status: Decision,
    pub signals: Vec<SignalNote>,
    pub diagnosed_on: chrono::NaiveDate,
    pub decided_by: Option<String>,
    /// UTC time text.
    pub decided_at: Option<String>,
    pub reason: Option<String>,
}

const WEAK_COLS: &str = "org_id, year, kind, org_path, status, signals, diagnosed_on, \
    decided_by, decided_at, reason";

fn kind_of(s: &str) -> Result<WeaknessKind> {
    WeaknessKind::from_code(s).ok_or_else(|| StoreError::Corrupt(format!("问题类型 {s}")))
}

fn weakness_from_row(r: &AnyRow) -> Result<StoredWeakness> {
    let kind: String = r.try_get("kind")?;
    let status: String = r.try_get("status")?;
    let signals: String = r.try_get("signals")?;
    let diagnosed: String = r.try_get("diagnosed_on")?;
    Ok(StoredWeakness {
        org_id: r.try_get("org_id")?,
        year: r.try_get::<i64, _>("year")? as i32,
        kind: kind_of(&kind)?,
        org_path: r.try_get("org_path")?,
        status: Decision::from_code(&status)
            .ok_or_else(|| StoreError::Corrupt(format!("认定状态 {status}")))?,
        signals: serde_json::from_str(&signals)
            .map_err(|e| StoreError::Corrupt(format!("问题信号：{e}")))?,
        diagnosed_on: parse_date_text(&diagnosed)?,
        decided_by: r.try_get("decided_by")?,
        decided_at: r.try_get("decided_at")?,
        reason: r.try_get("reason")?,
    })
}

fn weakness_vals(w: &StoredWeakness) -> Vec<Val> {
    vec![
        Val::Int(w.org_id),
        Val::Int(w.year as i64),
        Val::Text(w.kind.code().into()),
        Val::Text(w.org_path.clone()),
        Val::Text(w.status.code().into()),
        Val::Text(serde_json::to_string(&w.signals).expect("signals serialize")),
        Val::Text(crate::date_text(w.diagnosed_on)),
        Val::OptText(w.decided_by.clone()),
        Val::OptText(w.decided_at.clone()),
        Val::OptText(w.reason.clone()),
    ]
}

const WEAK_WRITE: [&str; 10] = [
    "org_id",
    "year",
    "kind",
    "org_path",
    "status",
    "signals",
    "diagnosed_on",
    "decided_by",
    "decided_at",
    "reason",
];

/// `head` (a statement up to its `WHERE`) narrowed to `year` and the scope, then `tail`.
fn of_year(head: impl Into<String>, scope: &Scope, year: i32, tail: &str) -> Sql {
    Sql::new(head).year_in(year, scope).push(tail)
}

/// The weaknesses of `year` in the scope, in path and kind order.
pub async fn list(conn: &mut Conn, scope: &Scope, year: i32) -> Result<Vec<StoredWeakness>> {
    of_year(
        format!("SELECT {WEAK_COLS} FROM weakness WHERE "),
        scope,
        year,
        " ORDER BY org_path, kind",
    )
    .fetch_all(&mut *conn)
    .await?
    .iter()
    .map(weakness_from_row)
    .collect()
}

/// One org's weaknesses of a year.
pub async fn of_org(conn: &mut Conn, org_id: i64, year: i32) -> Result<Vec<StoredWeakness>> {
    let sql =
        format!("SELECT {WEAK_COLS} FROM weakness WHERE org_id = $1 AND year = $2 ORDER BY kind");
    sqlx::query(&sql)
        .bind(org_id)
        .bind(year as i64)
        .fetch_all(&mut *conn)
        .await?
        .iter()
        .map(weakness_from_row)
        .collect()
}

/// Writes one weakness (replacing the row of its org, year and kind).
pub async fn upsert(conn: &mut Conn, w: &StoredWeakness) -> Result<()> {
    sqlx::query("DELETE FROM weakness WHERE org_id = $1 AND year = $2 AND kind = $3")
        .bind(w.org_id)
        .bind(w.year as i64)
        .bind(w.kind.code())
        .execute(&mut *conn)
        .await?;
    insert_many(conn, "weakness", &WEAK_WRITE, &[weakness_vals(w)]).await
}

/// Replaces the suspected weaknesses of `year` in the scope with `suspected` (a
/// re-diagnosis). Decided rows (confirmed, dismissed) stay as decided; a suspicion of the
/// same org and kind as a decided row is not written.
pub async fn replace_suspected(
    conn: &mut Conn,
    scope: &Scope,
    year: i32,
    suspected: &[StoredWeakness],
) -> Result<()> {
    let decided = clear_suspected(conn, scope, year).await?;
    insert_suspected(conn, suspected, &decided).await
}

/// The (org, kind) of a decided weakness.
pub type DecidedKeys = HashSet<(i64, String)>;

/// Deletes the suspected weaknesses of `year` in the scope and returns the keys of the
/// decided ones (the first half of a re-diagnosis written in chunks).
pub async fn clear_suspected(conn: &mut Conn, scope: &Scope, year: i32) -> Result<DecidedKeys> {
    Sql::new("DELETE FROM weakness WHERE year = ")
        .bind(year)
        .push(" AND status = ")
        .bind(Decision::Suspected.code())
        .push(" AND ")
        .scope("org_path", scope)
        .execute(&mut *conn)
        .await?;
    let decided: HashSet<(i64, String)> =
        of_year("SELECT org_id, kind FROM weakness WHERE ", scope, year, "")
            .fetch_all(&mut *conn)
            .await?
            .iter()
            .map(|r| Ok((r.try_get("org_id")?, r.try_get("kind")?)))
            .collect::<Result<_>>()?;
    Ok(decided)
}

/// Inserts suspected weaknesses, leaving out those already decided.
pub async fn insert_suspected(
    conn: &mut Conn,
    suspected: &[StoredWeakness],
    decided: &DecidedKeys,
) -> Result<()> {
    let rows: Vec<Vec<Val>> = suspected
        .iter()
        .filter(|w| !decided.contains(&(w.org_id, w.kind.code().to_string())))
        .map(weakness_vals)
        .collect();
    insert_many(conn, "weakness", &WEAK_WRITE, &rows).await
}

/// A signal reported by hand.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ManualSignalRecord {
    pub id: i64,
    pub org_id: i64,
    pub year: i32,
    pub kind: WeaknessKind,
    pub org_path: String,
    pub evidence: String,
    pub source: String,
    pub recorded_by: String,
}

pub async fn insert_signal(conn: &mut Conn, s: &ManualSignalRecord) -> Result<()> {
    insert_many(
        conn,
        "weakness_signal",
        &[
            "id",
            "org_id",
            "year",
            "kind",
            "org_path",
            "evidence",
            "source",
            "recorded_by",
            "recorded_at",
        ],
        &[vec![
            Val::Int(s.id),
            Val::Int(s.org_id),
            Val::Int(s.year as i64),
            Val::Text(s.kind.code().into()),
            Val::Text(s.org_path.clone()),
            Val::Text(s.evidence.clone()),
            Val::Text(s.source.clone()),
            Val::Text(s.recorded_by.clone()),
            Val::Text(crate::now_text()),
        ]],
    )
    .await
}

/// The signals reported by hand for `year` in the scope, oldest first.
pub async fn signals(conn: &mut Conn, scope: &Scope, year: i32) -> Result<Vec<ManualSignalRecord>> {
    of_year("SELECT id, org_id, year, kind, org_path, evidence, source, recorded_by FROM weakness_signal \
         WHERE ", scope, year, " ORDER BY id")
        .fetch_all(&mut *conn)
        .await?
        .iter()
        .map(|r| {
            let kind: String = r.try_get("kind")?;
            Ok(ManualSignalRecord {
                id: r.try_get("id")?,
                org_id: r.try_get("org_id")?,
                year: r.try_get::<i64, _>("year")? as i32,
                kind: kind_of(&kind)?,
                org_path: r.try_get("org_path")?,
                evidence: r.try_get("evidence")?,
                source: r.try_get("source")?,
                recorded_by: r.try_get("recorded_by")?,
            })
        })
        .collect()
}

/// A discipline case: the minimal record (the subject's role, never a name).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DisciplineCase {
    pub id: i64,
    pub org_id: i64,
    pub year: i32,
    pub org_path: String,
    pub decided_on: chrono::NaiveDate,
    /// Whose case: 书记, 班子成员, 党员 …
    pub subject: String,
    pub summary: String,
    pub sanction: Option<String>,
    /// Where it comes from (e.g. 县纪委监委通报).
    pub source: String,
    pub recorded_by: String,
    /// Against the team (书记, 班子成员, 村干部): only such cases mark the org 贪.
    pub team: bool,
}

pub async fn insert_case(conn: &mut Conn, c: &DisciplineCase) -> Result<()> {
    insert_many(
        conn,
        "discipline_case",
        &[
            "id",
            "org_id",
            "year",
            "org_path",
            "decided_on",
            "subject",
            "summary",
            "sanction",
            "source",
            "recorded_by",
            "recorded_at",
            "team",
        ],
        &[vec![
            Val::Int(c.id),
            Val::Int(c.org_id),
            Val::Int(c.year as i64),
            Val::Text(c.org_path.clone()),
            Val::Text(crate::date_text(c.decided_on)),
            Val::Text(c.subject.clone()),
            Val::Text(c.summary.clone()),
            Val::OptText(c.sanction.clone()),
            Val::Text(c.source.clone()),
            Val::Text(c.recorded_by.clone()),
            Val::Text(crate::now_text()),
            Val::Int(i64::from(c.team)),
        ]],
    )
    .await
}

/// The discipline cases of `year` in the scope, by date.
pub async fn cases(conn: &mut Conn, scope: &Scope, year: i32) -> Result<Vec<DisciplineCase>> {
    of_year("SELECT id, org_id, year, org_path, decided_on, subject, summary, sanction, source, recorded_by, \
         team FROM discipline_case WHERE ", scope, year, " ORDER BY decided_on, id")
        .fetch_all(&mut *conn)
        .await?
        .iter()
        .map(|r| {
            let d: String = r.try_get("decided_on")?;
            Ok(DisciplineCase {
                id: r.try_get("id")?,
                org_id: r.try_get("org_id")?,
                year: r.try_get::<i64, _>("year")? as i32,
                org_path: r.try_get("org_path")?,
                decided_on: parse_date_text(&d)?,
                subject: r.try_get("subject")?,
                summary: r.try_get("summary")?,
                sanction: r.try_get("sanction")?,
                source: r.try_get("source")?,
                recorded_by: r.try_get("recorded_by")?,
                team: r.try_get::<i64, _>("team")? != 0,
            })
        })
        .collect()
}

/// What a funding record is of.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum FundingKind {
    /// 运转经费 of the org.
    Operating,
    /// 村集体经济收入 of the village.
    CollectiveIncome,
}

impl FundingKind {
    pub fn code(self) -> &'static str {
        match self {
            FundingKind::Operating => "Operating",
            FundingKind::CollectiveIncome => "CollectiveIncome",
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            FundingKind::Operating => "运转经费",
            FundingKind::CollectiveIncome => "村集体经济收入",
        }
    }

    pub fn from_code(s: &str) -> Option<FundingKind> {
        [FundingKind::Operating, FundingKind::CollectiveIncome]
            .into_iter()
            .find(|k| k.code() == s)
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FundingRecord {
    pub org_id: i64,
    pub year: i32,
    pub kind: FundingKind,
    pub org_path: String,
    /// In fen (1/100 yuan).
    pub amount_fen: i64,
    pub source: String,
    pub recorded_by: String,
}

/// Records (or corrects) the funding of one kind for an org and year.
pub async fn upsert_funding(conn: &mut Conn, f: &FundingRecord) -> Result<()> {
    sqlx::query("DELETE FROM funding WHERE org_id = $1 AND year = $2 AND kind = $3")
        .bind(f.org_id)
        .bind(f.year as i64)
        .bind(f.kind.code())
        .execute(&mut *conn)
        .await?;
    insert_many(
        conn,
        "funding",
        &[
            "org_id",
            "year",
            "kind",
            "org_path",
            "amount_fen",
            "source",
            "recorded_by",
            "recorded_at",
        ],
        &[vec![
            Val::Int(f.org_id),
            Val::Int(f.year as i64),
            Val::Text(f.kind.code().into()),
            Val::Text(f.org_path.clone()),
            Val::Int(f.amount_fen),
            Val::Text(f.source.clone()),
            Val::Text(f.recorded_by.clone()),
            Val::Text(crate::now_text()),
        ]],
    )
    .await
}

/// The funding records of `year` in the scope.
pub async fn funding(conn: &mut Conn, scope: &Scope, year: i32) -> Result<Vec<FundingRecord>> {
    of_year(
        "SELECT org_id, year, kind, org_path, amount_fen, source, recorded_by FROM funding \
         WHERE ",
        scope,
        year,
        " ORDER BY org_path, kind",
    )
    .fetch_all(&mut *conn)
    .await?
    .iter()
    .map(|r| {
        let kind: String = r.try_get("kind")?;
        Ok(FundingRecord {
            org_id: r.try_get("org_id")?,
            year: r.try_get::<i64, _>("year")? as i32,
            kind: FundingKind::from_code(&kind)
                .ok_or_else(|| StoreError::Corrupt(format!("经费类型 {kind}")))?,
            org_path: r.try_get("org_path")?,
            amount_fen: r.try_get("amount_fen")?,
            source: r.try_get("source")?,
            recorded_by: r.try_get("recorded_by")?,
        })
    })
    .collect()
}
