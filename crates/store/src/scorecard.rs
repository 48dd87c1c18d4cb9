//! 检验标准 stored per org and period (issue #19; migration 0048): the app builds a
//! period whole (`app::scorecard::build`) and writes it here in one transaction; a card
//! reads the org's row, its children's rows (a walk of `(period, parent_id)`) and the
//! scores of its subtree's leaf orgs (a walk of `(period, org_path)`) — or, for a region
//! with many leaf orgs, their gaps as the build stored them ([`org_gaps`]). Moving a subtree
//! forgets every period ([`forget`]): the sums of the old chain no longer hold.

use jiceng_domain::scorecard::{MeasureScores, OrgGaps, ScorecardInputs};
use jiceng_domain::weakness::WeakTally;
use sqlx::any::AnyRow;
use sqlx::Row;

use crate::sql::{insert_many, Sql, Val};
use crate::{Conn, Result, Scope, StoreError};

const SCORES: [&str; 5] = [
    "s_function",
    "s_cadre",
    "s_implementation",
    "s_development",
    "s_satisfaction",
];

/// One org's stored scorecard of a period: its subtree's inputs and scores.
#[derive(Debug, Clone, PartialEq)]
pub struct StoredCard {
    pub org_id: i64,
    pub parent_id: Option<i64>,
    pub org_path: String,
    /// A grassroots org with no grassroots org below it (what the weakest link ranks).
    pub leaf: bool,
    /// The orgs of the subtree (what the org weighs among its siblings).
    pub orgs: i64,
    pub inputs: ScorecardInputs,
    pub scores: MeasureScores,
    /// The gaps of the subtree's leaf orgs, for a region with many (written by the build;
    /// [`get`] and [`children`] leave them out: [`org_gaps`] reads them).
    pub org_gaps: Option<Box<OrgGaps>>,
    /// The subtree's weak orgs of the period's year, as the build diagnosed them.
    pub weak: WeakTally,
}

/// A built period: when, and by which scorecard rules.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Built {
    pub built_at: String,
    pub rules_fingerprint: String,
}

fn corrupt(e: impl std::fmt::Display) -> StoreError {
    StoreError::Corrupt(e.to_string())
}

fn scores_of(r: &AnyRow) -> Result<MeasureScores> {
    let mut s = [None; 5];
    for (slot, col) in s.iter_mut().zip(SCORES) {
        *slot = r.try_get::<Option<f64>, _>(col)?;
    }
    Ok(s)
}

fn card_of(r: &AnyRow) -> Result<StoredCard> {
    let json: String = r.try_get("inputs")?;
    Ok(StoredCard {
        org_id: r.try_get("org_id")?,
        parent_id: r.try_get("parent_id")?,
        org_path: r.try_get("org_path")?,
        leaf: r.try_get::<i64, _>("leaf")? != 0,
        orgs: r.try_get("orgs")?,
        inputs: serde_json::from_str(&json).map_err(corrupt)?,
        scores: scores_of(r)?,
        org_gaps: None,
        weak: match r.try_get::<Option<String>, _>("weak")? {
            Some(j) => serde_json::from_str(&j).map_err(corrupt)?,
            None => WeakTally::default(),
        },
    })
}

fn select() -> String {
    format!(
        "SELECT org_id, parent_id, org_path, leaf, orgs, inputs, weak, {} FROM scorecard_org WHERE period = ",
        SCORES.join(", ")
    )
}

/// The period's build, if it was built.
pub async fn built(conn: &mut Conn, period: &str) -> Result<Option<Built>> {
    Sql::new("SELECT built_at, rules_fingerprint FROM scorecard_built WHERE period = ")
        .bind(period)
        .fetch_opt_map(&mut *conn, |r| {
            Ok(Built {
                built_at: r.try_get("built_at")?,
                rules_fingerprint: r.try_get("rules_fingerprint")?,
            })
        })
        .await
}

/// The org's stored scores over `periods` with each period's build: `(period, built_at,
/// scores)` for each period built (the org absent from a built period: no scores), in
/// two reads whatever the number of periods.
pub async fn over_periods(
    conn: &mut Conn,
    periods: &[String],
    org_id: i64,
) -> Result<Vec<(String, String, Option<MeasureScores>)>> {
    if periods.is_empty() {
        return Ok(vec![]);
    }
    let built: Vec<(String, String)> =
        Sql::new("SELECT period, built_at FROM scorecard_built WHERE period IN ")
            .in_list(periods.iter().cloned())
            .fetch_all_as::<(String, String), _>(&mut *conn)
            .await?;
    let mut scores: std::collections::HashMap<String, MeasureScores> = Sql::new(format!(
        "SELECT period, {} FROM scorecard_org WHERE org_id = ",
        SCORES.join(", ")
    ))
    .bind(org_id)
    .push(" AND period IN ")
    .in_list(periods.iter().cloned())
    .fetch_map(&mut *conn, |r| Ok((r.try_get("period")?, scores_of(r)?)))
    .await?
    .into_iter()
    .collect();
    Ok(built
        .into_iter()
        .map(|(p, at)| {
            let s = scores.remove(&p);
            (p, at, s)
        })
        .collect())
}

/// Replaces the period's rows by `cards` and records the build (the caller's
/// transaction): the old rows deleted, the new inserted in chunks.
pub async fn replace(
    conn: &mut Conn,
    period: &str,
    built: &Built,
    cards: &[StoredCard],
) -> Result<()> {
    // Two builds of a period at once: the second waits, then replaces the first's rows.
    crate::rollup::lock_roots(conn).await?;
    for table in ["scorecard_org", "scorecard_built"] {
        Sql::new(format!("DELETE FROM {table} WHERE period = "))
            .bind(period)
            .execute(&mut *conn)
            .await?;
    }
    let mut rows = Vec::with_capacity(cards.len());
    for c in cards {
        let mut row: Vec<Val> = vec![
            period.to_string().into(),
            c.org_id.into(),
            Val::OptInt(c.parent_id),
            c.org_path.clone().into(),
            i64::from(c.leaf).into(),
            c.orgs.into(),
            serde_json::to_string(&c.inputs).map_err(corrupt)?.into(),
        ];
        row.extend(c.scores.iter().map(|s| Val::OptFloat(*s)));
        row.push(built.built_at.clone().into());
        let gaps = c.org_gaps.as_ref().map(serde_json::to_string).transpose();
        row.push(Val::OptText(gaps.map_err(corrupt)?));
        let weak = (c.weak != WeakTally::default()).then(|| serde_json::to_string(&c.weak));
        row.push(Val::OptText(weak.transpose().map_err(corrupt)?));
        rows.push(row);
    }
    let mut cols = vec![
        "period",
        "org_id",
        "parent_id",
        "org_path",
        "leaf",
        "orgs",
        "inputs",
    ];
    cols.extend(SCORES);
    cols.extend(["built_at", "org_gaps", "weak"]);
    insert_many(conn, "scorecard_org", &cols, &rows).await?;
    insert_many(
        conn,
        "scorecard_built",
        &["period", "built_at", "rules_fingerprint"],
        &[vec![
            period.to_string().into(),
            built.built_at.clone().into(),
            built.rules_fingerprint.clone().into(),
        ]],
    )
    .await
}

/// The stored card of one org.
pub async fn get(conn: &mut Conn, period: &str, org_id: i64) -> Result<Option<StoredCard>> {
    Sql::new(select())
        .bind(period)
        .push(" AND org_id = ")
        .bind(org_id)
        .fetch_opt_map(&mut *conn, card_of)
        .await
}

/// The stored cards of an org's children, in path order.
pub async fn children(conn: &mut Conn, period: &str, parent_id: i64) -> Result<Vec<StoredCard>> {
    Sql::new(select())
        .bind(period)
        .push(" AND parent_id = ")
        .bind(parent_id)
        .push(" ORDER BY org_path")
        .fetch_map(&mut *conn, card_of)
        .await
}

/// The scores of the leaf orgs of the subtree at `path` (itself included when a leaf):
/// `(org_id, scores)`, in path order.
pub async fn leaf_scores(
    conn: &mut Conn,
    period: &str,
    path: &str,
) -> Result<Vec<(i64, MeasureScores)>> {
    Sql::new(format!(
        "SELECT org_id, {} FROM scorecard_org WHERE period = ",
        SCORES.join(", ")
    ))
    .bind(period)
    .push(" AND ")
    .scope("org_path", &Scope::subtree(path))
    .push(" AND leaf = 1 ORDER BY org_path")
    .fetch_map(&mut *conn, |r| Ok((r.try_get("org_id")?, scores_of(r)?)))
    .await
}

/// The gaps of the leaf orgs below `org_id` as the period's build stored them (`None`:
/// not stored — the region has few leaf orgs, or the org is not in the build).
pub async fn org_gaps(conn: &mut Conn, period: &str, org_id: i64) -> Result<Option<OrgGaps>> {
    let json: Option<Option<String>> =
        Sql::new("SELECT org_gaps FROM scorecard_org WHERE period = ")
            .bind(period)
            .push(" AND org_id = ")
            .bind(org_id)
            .fetch_opt_map(&mut *conn, |r| {
                Ok(r.try_get::<Option<String>, _>("org_gaps")?)
            })
            .await?;
    json.flatten()
        .map(|j| serde_json::from_str(&j).map_err(corrupt))
        .transpose()
}

/// Forgets every built period (a subtree moved): each is built again on its next read.
pub async fn forget(conn: &mut Conn) -> Result<()> {
    for table in ["scorecard_org", "scorecard_built"] {
        Sql::new(format!("DELETE FROM {table}"))
            .execute(&mut *conn)
            .await?;
    }
    Ok(())
}

/// The roots of the tree (orgs without a parent): a build gathers each one's subtree.
pub async fn roots(conn: &mut Conn) -> Result<Vec<crate::orgs::StoredOrg>> {
    let ids: Vec<i64> = Sql::new("SELECT id FROM org WHERE parent_id IS NULL ORDER BY path")
        .fetch_all_as::<(i64,), _>(&mut *conn)
        .await?
        .into_iter()
        .map(|(id,)| id)
        .collect();
    crate::orgs::by_ids(conn, &ids).await
}

/// An org's dated item: `(org_id, deadline, done on)`.
pub type DatedItem = (i64, chrono::NaiveDate, Option<chrono::NaiveDate>);

/// The rows of `q` (selecting `org_id, deadline, done`) as dated items.
async fn dated(conn: &mut Conn, q: Sql) -> Result<Vec<DatedItem>> {
    q.fetch_map(&mut *conn, |r| {
        let done: Option<String> = r.try_get("done")?;
        Ok((
            r.try_get("org_id")?,
            day_of(&r.try_get::<String, _>("deadline")?)?,
            done.as_deref().map(day_of).transpose()?,
        ))
    })
    .await
}

/// The problems of the inspections held from `from` to `to`, each with the inspected
/// org and its deadline and fix, in one read (the app judges each on the day).
pub async fn inspection_problems(
    conn: &mut Conn,
    from: chrono::NaiveDate,
    to: chrono::NaiveDate,
) -> Result<Vec<DatedItem>> {
    let q = Sql::new(
        "SELECT i.org_id, p.deadline, p.fixed_on AS done FROM inspection_problem p \
         JOIN inspection i ON i.id = p.inspection_id WHERE i.held_on >= ",
    )
    .bind(from)
    .push(" AND i.held_on <= ")
    .bind(to);
    dated(conn, q).await
}

/// The rectification (整顿) cases of `year`: `(org_id, stage code)`, in one read.
pub async fn rectification_cases(conn: &mut Conn, year: i32) -> Result<Vec<(i64, String)>> {
    Sql::new("SELECT org_id, stage FROM rectification WHERE year = ")
        .bind(year)
        .fetch_all_as::<(i64, String), _>(&mut *conn)
        .await
}

/// The measures of the rectification cases of `year`, each with the case's org, its
/// deadline and the day it was done, in one read.
pub async fn rectification_measures(conn: &mut Conn, year: i32) -> Result<Vec<DatedItem>> {
    let q = Sql::new(
        "SELECT r.org_id, m.deadline, m.done_on AS done FROM rectification_measure m \
         JOIN rectification r ON r.id = m.case_id WHERE r.year = ",
    )
    .bind(year);
    dated(conn, q).await
}

fn day_of(s: &str) -> Result<chrono::NaiveDate> {
    chrono::NaiveDate::parse_from_str(s, "%Y-%m-%d").map_err(|e| corrupt(format!("{s}: {e}")))
}

/// Each org's subtree coverage of units on the facts day (`org_stats`), in one read.
pub async fn coverage(
    conn: &mut Conn,
) -> Result<std::collections::HashMap<i64, jiceng_domain::DomainCoverage>> {
    Sql::new("SELECT org_id, coverage FROM org_stats")
        .fetch_map(&mut *conn, |r| {
            let json: String = r.try_get("coverage")?;
            let c: jiceng_domain::CoverageReport = serde_json::from_str(&json).map_err(corrupt)?;
            Ok((r.try_get::<i64, _>("org_id")?, c.total()))
        })
        .await
        .map(|v| v.into_iter().collect())
}

/// The orgs with a structure anomaly on the facts day (`org_anomaly`), in one read.
pub async fn anomalous_orgs(conn: &mut Conn) -> Result<std::collections::HashSet<i64>> {
    Ok(Sql::new("SELECT DISTINCT org_id FROM org_anomaly")
        .fetch_all_as::<(i64,), _>(&mut *conn)
        .await?
        .into_iter()
        .map(|(id,)| id)
        .collect())
}

/// A hand score of 发展成效 (`development_score`, 0–100) of an org for a period.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HandScore {
    pub period: String,
    pub org_id: i64,
    pub org_path: String,
    pub score: i64,
    pub reason: String,
    pub scored_by: String,
    pub scored_at: String,
}

/// Stores a hand score (replacing the org's of the period).
pub async fn set_hand_score(conn: &mut Conn, s: &HandScore) -> Result<()> {
    crate::sql::replace_one(
        conn,
        "scorecard_hand",
        &["period", "org_id"],
        vec![
            ("period", Val::Text(s.period.clone())),
            ("org_id", Val::Int(s.org_id)),
            ("org_path", Val::Text(s.org_path.clone())),
            ("score", Val::Int(s.score)),
            ("reason", Val::Text(s.reason.clone())),
            ("scored_by", Val::Text(s.scored_by.clone())),
            ("scored_at", Val::Text(s.scored_at.clone())),
        ],
    )
    .await
}

/// Takes an org's hand score of the period back.
pub async fn clear_hand_score(conn: &mut Conn, period: &str, org_id: i64) -> Result<()> {
    Sql::new("DELETE FROM scorecard_hand WHERE period = ")
        .bind(period)
        .push(" AND org_id = ")
        .bind(org_id)
        .execute(&mut *conn)
        .await?;
    Ok(())
}

/// The org's hand score of the period, if it was given one.
pub async fn hand_score(conn: &mut Conn, period: &str, org_id: i64) -> Result<Option<HandScore>> {
    Sql::new(
        "SELECT period, org_id, org_path, score, reason, scored_by, scored_at \
         FROM scorecard_hand WHERE period = ",
    )
    .bind(period)
    .push(" AND org_id = ")
    .bind(org_id)
    .fetch_opt_map(&mut *conn, |r| {
        Ok(HandScore {
            period: r.try_get("period")?,
            org_id: r.try_get("org_id")?,
            org_path: r.try_get("org_path")?,
            score: r.try_get("score")?,
            reason: r.try_get("reason")?,
            scored_by: r.try_get("scored_by")?,
            scored_at: r.try_get("scored_at")?,
        })
    })
    .await
}

/// Every hand score of the period: `(org_id, score)`, in one read (what a build adds up).
pub async fn hand_scores(conn: &mut Conn, period: &str) -> Result<Vec<(i64, i64)>> {
    Sql::new("SELECT org_id, score FROM scorecard_hand WHERE period = ")
        .bind(period)
        .fetch_all_as::<(i64, i64), _>(&mut *conn)
        .await
}

/// Marks the period's build stale (a hand score changed): its next read builds it again.
pub async fn mark_stale(conn: &mut Conn, period: &str) -> Result<()> {
    Sql::new("UPDATE scorecard_built SET rules_fingerprint = '' WHERE period = ")
        .bind(period)
        .execute(&mut *conn)
        .await?;
    Ok(())
}
