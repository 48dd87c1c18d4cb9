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

use crate::row::{from_row, Cells};
use crate::sql::{insert_many, insert_one, Sql, Val};
use crate::{Conn, Result, Scope, StoreError};

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

fn weakness_from_row(r: &AnyRow) -> Result<StoredWeakness> {
    let signals: String = r.try_get("signals")?;
    Ok(from_row!(
        r,
        StoredWeakness {
            org_id,
            org_path,
            decided_by,
            decided_at,
            reason,
            year: r.year()?,
            kind: r.coded("kind", "问题类型", WeaknessKind::from_code)?,
            status: r.coded("status", "认定状态", Decision::from_code)?,
            signals: serde_json::from_str(&signals)
                .map_err(|e| StoreError::Corrupt(format!("问题信号：{e}")))?,
            diagnosed_on: r.date("diagnosed_on")?
        }
    ))
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
    .fetch_map(&mut *conn, weakness_from_row)
    .await
}

/// The orgs of the scope with a weakness confirmed (已确定) for `year`.
pub async fn confirmed_orgs(conn: &mut Conn, scope: &Scope, year: i32) -> Result<Vec<i64>> {
    of_year(
        "SELECT DISTINCT org_id FROM weakness WHERE status = 'confirmed' AND ",
        scope,
        year,
        "",
    )
    .fetch_map(&mut *conn, |r| Ok(r.try_get("org_id")?))
    .await
}

/// One org's weaknesses of a year.
pub async fn of_org(conn: &mut Conn, org_id: i64, year: i32) -> Result<Vec<StoredWeakness>> {
    Sql::new(format!("SELECT {WEAK_COLS} FROM weakness WHERE org_id = "))
        .bind(org_id)
        .push(" AND year = ")
        .bind(year)
        .push(" ORDER BY kind")
        .fetch_map(&mut *conn, weakness_from_row)
        .await
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
    let decided = of_year("SELECT org_id, kind FROM weakness WHERE ", scope, year, "")
        .fetch_map(&mut *conn, |r| {
            Ok((r.try_get("org_id")?, r.try_get("kind")?))
        })
        .await?;
    Ok(decided.into_iter().collect())
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
    insert_one(
        conn,
        "weakness_signal",
        vec![
            ("id", Val::Int(s.id)),
            ("org_id", Val::Int(s.org_id)),
            ("year", Val::Int(s.year as i64)),
            ("kind", Val::Text(s.kind.code().into())),
            ("org_path", Val::Text(s.org_path.clone())),
            ("evidence", Val::Text(s.evidence.clone())),
            ("source", Val::Text(s.source.clone())),
            ("recorded_by", Val::Text(s.recorded_by.clone())),
            ("recorded_at", Val::Text(crate::now_text())),
        ],
    )
    .await
}

/// The signals reported by hand for `year` in the scope, oldest first.
pub async fn signals(conn: &mut Conn, scope: &Scope, year: i32) -> Result<Vec<ManualSignalRecord>> {
    of_year(
        "SELECT id, org_id, year, kind, org_path, evidence, source, recorded_by \
         FROM weakness_signal WHERE ",
        scope,
        year,
        " ORDER BY id",
    )
    .fetch_map(&mut *conn, |r| {
        Ok(from_row!(
            r,
            ManualSignalRecord {
                id,
                org_id,
                org_path,
                evidence,
                source,
                recorded_by,
                year: r.year()?,
                kind: r.coded("kind", "问题类型", WeaknessKind::from_code)?
            }
        ))
    })
    .await
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
    insert_one(
        conn,
        "discipline_case",
        vec![
            ("id", Val::Int(c.id)),
            ("org_id", Val::Int(c.org_id)),
            ("year", Val::Int(c.year as i64)),
            ("org_path", Val::Text(c.org_path.clone())),
            ("decided_on", Val::Text(crate::date_text(c.decided_on))),
            ("subject", Val::Text(c.subject.clone())),
            ("summary", Val::Text(c.summary.clone())),
            ("sanction", Val::OptText(c.sanction.clone())),
            ("source", Val::Text(c.source.clone())),
            ("recorded_by", Val::Text(c.recorded_by.clone())),
            ("recorded_at", Val::Text(crate::now_text())),
            ("team", Val::Int(i64::from(c.team))),
        ],
    )
    .await
}

/// The discipline cases of `year` in the scope, by date.
pub async fn cases(conn: &mut Conn, scope: &Scope, year: i32) -> Result<Vec<DisciplineCase>> {
    of_year(
        "SELECT id, org_id, year, org_path, decided_on, subject, summary, sanction, source, \
         recorded_by, team FROM discipline_case WHERE ",
        scope,
        year,
        " ORDER BY decided_on, id",
    )
    .fetch_map(&mut *conn, |r| {
        Ok(from_row!(
            r,
            DisciplineCase {
                id,
                org_id,
                org_path,
                subject,
                summary,
                sanction,
                source,
                recorded_by,
                year: r.year()?,
                decided_on: r.date("decided_on")?,
                team: r.flag("team")?
            }
        ))
    })
    .await
}

/// What a funding record is of, and where it comes from (`domain::funding`).
pub use jiceng_domain::funding::{FundingKind, FundingSource};

/// The funding records (经费保障, `crate::funding`), as the diagnosis reads them.
pub use crate::funding::FundingRecord;

/// Records (or corrects) one funding record (`crate::funding::upsert`).
pub use crate::funding::upsert as upsert_funding;

/// The funding records of `year` in the scope (`crate::funding::of_year`).
pub use crate::funding::of_year as funding;
