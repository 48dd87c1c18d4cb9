//! Ratings (SPEC C5): the lean org rows rating and diagnosis read for a whole subtree,
//! stored ratings per org and year (with hand adjustments that survive a re-rating), hand
//! scores of manual indicators, indicator sets edited by the organization department, and
//! the stored fact `org.subtree_last_joined` (kept by [`refresh_last_joined`]).
//!
//! Every list is one read by literal path range (indexes `(year, org_path)`), so rating a
//! province is a handful of range reads, never a query per org.

use std::collections::{BTreeMap, HashMap, HashSet};

use jiceng_domain::rating::{IndicatorScore, ScoreState, COMMON_EVIDENCE};
use jiceng_domain::{Domain, IndicatorSet, OrgKind};
use serde::{Deserialize, Serialize};
use sqlx::any::AnyRow;
use sqlx::Row;

use crate::row::{from_row, Cells};
use crate::sql::{insert_many, replace_one, Sql, Val, IN_CHUNK};
use crate::{parse_date_text, Conn, Result, Scope, StoreError};

/// An org as rating reads it: its record and stored facts, nothing else.
#[derive(Debug, Clone, PartialEq)]
pub struct RatedOrg {
    pub id: i64,
    pub parent_id: Option<i64>,
    pub code: String,
    pub name: String,
    pub kind: OrgKind,
    pub domain: Option<Domain>,
    pub path: String,
    pub founded_on: Option<chrono::NaiveDate>,
    pub dissolved_on: Option<chrono::NaiveDate>,
    pub last_election_on: Option<chrono::NaiveDate>,
    pub has_committee: bool,
    /// The committee stated on the row (`None`: unknown), read where no dated committee
    /// event is recorded; an older row's `has_committee = 1` counts as stated.
    pub committee: Option<bool>,
    pub subtree_members: i64,
    pub subtree_full: i64,
    pub has_secretary: bool,
    pub secretary_vacant_since: Option<chrono::NaiveDate>,
    /// The latest joining date in the subtree; `None` when nobody joined or not computed.
    pub subtree_last_joined: Option<chrono::NaiveDate>,
    /// The day the stored facts were computed for.
    pub facts_on: Option<chrono::NaiveDate>,
    /// A 临时党支部: not rated as a standing branch.
    pub temporary: bool,
}

/// Every org of the scope, in path order (parents first), as rating reads it.
pub async fn orgs(conn: &mut Conn, scope: &Scope) -> Result<Vec<RatedOrg>> {
    Sql::new(
        "SELECT id, parent_id, code, name, kind, domain, path, founded_on, dissolved_on, \
         last_election_on, has_committee, committee, subtree_members, subtree_full, has_secretary, \
         secretary_vacant_since, subtree_last_joined, facts_on, temporary FROM org WHERE ",
    )
    .scope("path", scope)
    .push(" ORDER BY path")
    .fetch_map(&mut *conn, |r| {
        Ok(from_row!(
            r,
            RatedOrg {
                id,
                parent_id,
                code,
                name,
                path,
                subtree_members,
                subtree_full,
                kind: r.coded("kind", "组织类别", OrgKind::from_code)?,
                domain: r.opt_coded("domain", "领域", Domain::from_code)?,
                founded_on: r.opt_date("founded_on")?,
                dissolved_on: r.opt_date("dissolved_on")?,
                last_election_on: r.opt_date("last_election_on")?,
                has_committee: r.flag("has_committee")?,
                committee: crate::orgs::committee_from(r.try_get("committee")?)?
                    .or(r.flag("has_committee")?.then_some(true)),
                has_secretary: r.flag("has_secretary")?,
                secretary_vacant_since: r.opt_date("secretary_vacant_since")?,
                subtree_last_joined: r.opt_date("subtree_last_joined")?,
                facts_on: r.opt_date("facts_on")?,
                temporary: r.flag("temporary")?,
            }
        ))
    })
    .await
}

/// The first month with a meeting recorded, before month `before` (`YYYY-MM`), of each
/// org of the scope that has one: where its records start when no 台账起始日 is set.
pub async fn first_meeting_months(
    conn: &mut Conn,
    scope: &Scope,
    before: &str,
) -> Result<HashMap<i64, chrono::NaiveDate>> {
    let rows = Sql::new(
        "SELECT branch_id, MIN(year_month) AS first_month FROM compliance_month \
         WHERE year_month < ",
    )
    .bind(before)
    .push(" AND meetings > 0 AND ")
    .scope("branch_path", scope)
    .push(" GROUP BY branch_id")
    .fetch_all(&mut *conn)
    .await?;
    let mut out = HashMap::new();
    for r in rows {
        let ym: String = r.try_get("first_month")?;
        let day = parse_date_text(&format!("{ym}-01"))?;
        out.insert(r.try_get::<i64, _>("branch_id")?, day);
    }
    Ok(out)
}

/// Recomputes `org.subtree_last_joined` for `ids` (touched orgs with all their ancestors,
/// as `facts::refresh` gathers them): each org's current members who joined the party
/// here (a member transferred in joined elsewhere: not this org's recruit, review S21),
/// and the stored value of
/// each child outside `ids`, rolled up deepest first. Run in the refresh's transaction.
pub async fn refresh_last_joined(conn: &mut Conn, ids: &[i64]) -> Result<()> {
    if ids.is_empty() {
        return Ok(());
    }
    let set: HashSet<i64> = ids.iter().copied().collect();
    let mut own: HashMap<i64, Option<String>> = HashMap::new();
    let mut tree: Vec<(i64, i64, Option<i64>)> = Vec::with_capacity(ids.len());
    let mut from_children: HashMap<i64, Option<String>> = HashMap::new();
    for chunk in ids.chunks(IN_CHUNK) {
        tree.extend(
            Sql::new("SELECT id, depth, parent_id FROM org WHERE id IN ")
                .in_list(chunk)
                .fetch_all_as::<(i64, i64, Option<i64>), _>(&mut *conn)
                .await?,
        );
        let q = Sql::new("SELECT org_id, MAX(joined_on) FROM member WHERE org_id IN ")
            .in_list(chunk)
            .push(" AND exited_on IS NULL AND transferred_in_on IS NULL GROUP BY org_id");
        for (id, last) in q
            .fetch_all_as::<(i64, Option<String>), _>(&mut *conn)
            .await?
        {
            own.insert(id, last);
        }
        let q = Sql::new("SELECT id, parent_id, subtree_last_joined FROM org WHERE parent_id IN ")
            .in_list(chunk);
        for (child, parent, last) in q
            .fetch_all_as::<(i64, i64, Option<String>), _>(&mut *conn)
            .await?
        {
            if !set.contains(&child) {
                let slot = from_children.entry(parent).or_default();
                *slot = (*slot).clone().max(last);
            }
        }
    }
    // Deepest first: an org's value is final before it is merged into its parent.
    tree.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(&b.0)));
    let mut done: HashMap<i64, Option<String>> = tree
        .iter()
        .map(|(id, _, _)| {
            let mine = own.get(id).cloned().flatten();
            let kids = from_children.get(id).cloned().flatten();
            (*id, mine.max(kids))
        })
        .collect();
    for (id, _, parent) in &tree {
        let v = done.get(id).cloned().flatten();
        if let Some(p) = parent.filter(|p| set.contains(p)) {
            let slot = done.entry(p).or_default();
            *slot = (*slot).clone().max(v);
        }
    }
    for (id, v) in &done {
        sqlx::query("UPDATE org SET subtree_last_joined = $1 WHERE id = $2")
            .bind(v.clone())
            .bind(*id)
            .execute(&mut *conn)
            .await?;
    }
    Ok(())
}

/// An indicator's score as stored: its code, state, score and evidence — the name and
/// weight are the set's (`set_id`, `set_version`), and evidence found in
/// [`COMMON_EVIDENCE`] is stored as its position. A province's ratings take a third of the
/// space the full form would.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
struct Compact {
    c: String,
    /// s: scored, n: no data, x: not applicable.
    s: char,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    v: Option<f64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    e: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    k: Option<usize>,
}

fn encode(list: &[IndicatorScore]) -> String {
    let compact: Vec<Compact> = list
        .iter()
        .map(|i| {
            let k = COMMON_EVIDENCE.iter().position(|t| *t == i.evidence);
            Compact {
                c: i.code.clone(),
                s: match i.state {
                    ScoreState::Scored => 's',
                    ScoreState::NoData => 'n',
                    ScoreState::NotApplicable => 'x',
                },
                v: i.score,
                e: if k.is_some() {
                    None
                } else {
                    Some(i.evidence.clone())
                },
                k,
            }
        })
        .collect();
    serde_json::to_string(&compact).expect("indicator scores serialize")
}

/// The stored scores back, with empty names and zero weights: the caller fills them from
/// the indicator set the rating names.
fn decode(text: &str) -> Result<Vec<IndicatorScore>> {
    let compact: Vec<Compact> =
        serde_json::from_str(text).map_err(|e| StoreError::Corrupt(format!("评定指标：{e}")))?;
    compact
        .into_iter()
        .map(|c| {
            let evidence = match (c.e, c.k) {
                (Some(e), _) => e,
                (None, Some(k)) => COMMON_EVIDENCE
                    .get(k)
                    .ok_or_else(|| StoreError::Corrupt(format!("评定依据编号 {k}")))?
                    .to_string(),
                (None, None) => String::new(),
            };
            Ok(IndicatorScore {
                code: c.c,
                name: String::new(),
                weight: 0.0,
                state: match c.s {
                    's' => ScoreState::Scored,
                    'n' => ScoreState::NoData,
                    'x' => ScoreState::NotApplicable,
                    o => return Err(StoreError::Corrupt(format!("评分状态 {o}"))),
                },
                score: c.v,
                evidence,
            })
        })
        .collect()
}

/// A hand adjustment of a rating's stars.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Adjustment {
    pub stars: i64,
    pub by: String,
    pub reason: String,
    /// UTC time text.
    pub at: String,
}

/// A rating as stored. The indicators read back carry no name or weight (see `decode`).
#[derive(Debug, Clone, PartialEq)]
pub struct StoredRating {
    pub org_id: i64,
    pub year: i32,
    pub org_path: String,
    pub set_id: String,
    pub set_version: i64,
    pub as_of: chrono::NaiveDate,
    pub computed_stars: Option<i64>,
    pub score: Option<f64>,
    pub weight_with_data: f64,
    pub indicators: Vec<IndicatorScore>,
    pub evidence: String,
    pub adjustment: Option<Adjustment>,
}

impl StoredRating {
    /// The stars that count: the adjustment's, else the computed ones.
    pub fn stars(&self) -> Option<i64> {
        self.adjustment
            .as_ref()
            .map(|a| a.stars)
            .or(self.computed_stars)
    }
}

const RATING_COLS: &str = "org_id, year, org_path, set_id, set_version, as_of, computed_stars, \
    score, weight_with_data, indicators, evidence, adjusted_stars, adjusted_by, adjusted_reason, \
    adjusted_at";

fn rating_from_row(r: &AnyRow) -> Result<StoredRating> {
    let ind: String = r.try_get("indicators")?;
    let adjusted: Option<i64> = r.try_get("adjusted_stars")?;
    Ok(from_row!(
        r,
        StoredRating {
            org_id,
            org_path,
            set_id,
            set_version,
            computed_stars,
            score,
            weight_with_data,
            evidence,
            year: r.year()?,
            as_of: r.date("as_of")?,
            indicators: decode(&ind)?,
            adjustment: adjusted
                .map(|stars| adjustment_from_row(r, stars))
                .transpose()?,
        }
    ))
}

/// The hand adjustment to `stars` a rating row carries.
fn adjustment_from_row(r: &AnyRow, stars: i64) -> Result<Adjustment> {
    Ok(Adjustment {
        stars,
        by: r.text_or_empty("adjusted_by")?,
        reason: r.text_or_empty("adjusted_reason")?,
        at: r.text_or_empty("adjusted_at")?,
    })
}

/// Replaces the ratings of `year` in the scope with `rows` (a re-rating). Adjustments are
/// carried in `rows` by the caller (read them first with [`adjustments`]).
pub async fn replace(
    conn: &mut Conn,
    scope: &Scope,
    year: i32,
    rows: &[StoredRating],
) -> Result<()> {
    delete(conn, scope, year).await?;
    insert(conn, rows).await
}

/// Deletes the ratings of `year` in the scope (the first half of a re-rating written in
/// chunks: then [`insert`] each chunk).
pub async fn delete(conn: &mut Conn, scope: &Scope, year: i32) -> Result<()> {
    Sql::new("DELETE FROM rating WHERE ")
        .year_in(year, scope)
        .execute(&mut *conn)
        .await?;
    Ok(())
}

/// Inserts ratings (none of them stored yet).
pub async fn insert(conn: &mut Conn, rows: &[StoredRating]) -> Result<()> {
    let now = crate::now_text();
    let vals: Vec<Vec<Val>> = rows
        .iter()
        .map(|r| {
            let adj = r.adjustment.as_ref();
            vec![
                r.org_id.into(),
                r.year.into(),
                r.org_path.clone().into(),
                r.set_id.clone().into(),
                r.set_version.into(),
                r.as_of.into(),
                r.computed_stars.into(),
                r.score.into(),
                r.weight_with_data.into(),
                encode(&r.indicators).into(),
                r.evidence.clone().into(),
                adj.map(|a| a.stars).into(),
                adj.map(|a| a.by.clone()).into(),
                adj.map(|a| a.reason.clone()).into(),
                adj.map(|a| a.at.clone()).into(),
                now.clone().into(),
            ]
        })
        .collect();
    insert_many(
        conn,
        "rating",
        &[
            "org_id",
            "year",
            "org_path",
            "set_id",
            "set_version",
            "as_of",
            "computed_stars",
            "score",
            "weight_with_data",
            "indicators",
            "evidence",
            "adjusted_stars",
            "adjusted_by",
            "adjusted_reason",
            "adjusted_at",
            "computed_at",
        ],
        &vals,
    )
    .await
}

/// The hand adjustments of `year` in the scope, by org.
pub async fn adjustments(
    conn: &mut Conn,
    scope: &Scope,
    year: i32,
) -> Result<HashMap<i64, Adjustment>> {
    Sql::new(
        "SELECT org_id, adjusted_stars, adjusted_by, adjusted_reason, adjusted_at FROM rating \
         WHERE ",
    )
    .year_in(year, scope)
    .push(" AND adjusted_stars IS NOT NULL")
    .fetch_map(&mut *conn, |r| {
        let stars = r.try_get("adjusted_stars")?;
        Ok((r.try_get("org_id")?, adjustment_from_row(r, stars)?))
    })
    .await
    .map(|list| list.into_iter().collect())
}

/// One org's rating of a year, if rated and in the scope.
pub async fn get(
    conn: &mut Conn,
    scope: &Scope,
    org_id: i64,
    year: i32,
) -> Result<Option<StoredRating>> {
    Sql::new(format!("SELECT {RATING_COLS} FROM rating WHERE org_id = "))
        .bind(org_id)
        .push(" AND ")
        .year_in(year, scope)
        .fetch_opt_map(&mut *conn, rating_from_row)
        .await
}

/// The ratings of `year` in the scope, in path order; `stars` narrows to the orgs with
/// those stars (`Some(None)`: rated without stars). Returns the page and the total (from
/// the scope's [`distribution`]).
pub async fn list(
    conn: &mut Conn,
    scope: &Scope,
    year: i32,
    stars: Option<Option<i64>>,
    offset: i64,
    limit: i64,
) -> Result<(Vec<StoredRating>, i64)> {
    let total = count_of(&distribution(conn, scope, year).await?, stars);
    Ok((page(conn, scope, year, stars, offset, limit).await?, total))
}

/// How many orgs a [`distribution`] has with `stars` (`None`: all of them).
pub fn count_of(dist: &BTreeMap<Option<i64>, i64>, stars: Option<Option<i64>>) -> i64 {
    match stars {
        None => dist.values().sum(),
        Some(s) => dist.get(&s).copied().unwrap_or(0),
    }
}

/// One page of [`list`] without its total: for a caller that knows the total already
/// (from the [`distribution`] it read anyway), so a province's index is read once, not
/// twice.
pub async fn page(
    conn: &mut Conn,
    scope: &Scope,
    year: i32,
    stars: Option<Option<i64>>,
    offset: i64,
    limit: i64,
) -> Result<Vec<StoredRating>> {
    let mut q = Sql::new(format!("SELECT {RATING_COLS} FROM rating WHERE ")).year_in(year, scope);
    match stars {
        None => {}
        Some(None) => q = q.push(" AND COALESCE(adjusted_stars, computed_stars) IS NULL"),
        Some(Some(n)) => {
            q = q
                .push(" AND COALESCE(adjusted_stars, computed_stars) = ")
                .bind(n)
        }
    }
    q.push(" ORDER BY org_path")
        .page(limit, offset)
        .fetch_map(&mut *conn, rating_from_row)
        .await
}

/// How many orgs of the scope have each number of stars in `year` (`None`: no stars).
pub async fn distribution(
    conn: &mut Conn,
    scope: &Scope,
    year: i32,
) -> Result<BTreeMap<Option<i64>, i64>> {
    let rows = Sql::new(
        "SELECT COALESCE(adjusted_stars, computed_stars) AS s, COUNT(*) AS n FROM rating \
         WHERE ",
    )
    .year_in(year, scope)
    .push(" GROUP BY COALESCE(adjusted_stars, computed_stars)")
    .fetch_all_as::<(Option<i64>, i64), _>(&mut *conn)
    .await?;
    Ok(rows.into_iter().collect())
}

/// Sets (or, with `None`, clears) the hand adjustment of a stored rating. Returns whether
/// the rating exists.
pub async fn set_adjustment(
    conn: &mut Conn,
    org_id: i64,
    year: i32,
    adj: Option<&Adjustment>,
) -> Result<bool> {
    let before = Sql::new(
        "SELECT org_path, COALESCE(adjusted_stars, computed_stars) AS s, computed_stars \
         FROM rating WHERE org_id = ",
    )
    .bind(org_id)
    .push(" AND year = ")
    .bind(year)
    .fetch_all_as::<(String, Option<i64>, Option<i64>), _>(&mut *conn)
    .await?;
    let done = sqlx::query(
        "UPDATE rating SET adjusted_stars = $1, adjusted_by = $2, adjusted_reason = $3, \
         adjusted_at = $4 WHERE org_id = $5 AND year = $6",
    )
    .bind(adj.map(|a| a.stars))
    .bind(adj.map(|a| a.by.clone()))
    .bind(adj.map(|a| a.reason.clone()))
    .bind(adj.map(|a| a.at.clone()))
    .bind(org_id)
    .bind(year as i64)
    .execute(&mut *conn)
    .await?;
    // The chain's stars counts follow.
    if let Some((org_path, from, computed)) = before.into_iter().next() {
        let to = adj.map(|a| a.stars).or(computed);
        crate::rating_tally::after_adjustment(conn, &org_path, year, from, to).await?;
    }
    Ok(done.rows_affected() > 0)
}

/// A hand score of a manual indicator.
#[derive(Debug, Clone, PartialEq)]
pub struct ManualScore {
    pub org_id: i64,
    pub year: i32,
    pub code: String,
    pub org_path: String,
    pub score: f64,
    pub reason: String,
    pub scored_by: String,
}

/// Records (or replaces) a hand score.
pub async fn set_manual_score(conn: &mut Conn, s: &ManualScore) -> Result<()> {
    replace_one(
        conn,
        "rating_manual",
        &["org_id", "year", "code"],
        vec![
            ("org_id", Val::Int(s.org_id)),
            ("year", Val::Int(s.year as i64)),
            ("code", Val::Text(s.code.clone())),
            ("org_path", Val::Text(s.org_path.clone())),
            ("score", Val::Float(s.score)),
            ("reason", Val::Text(s.reason.clone())),
            ("scored_by", Val::Text(s.scored_by.clone())),
            ("scored_at", Val::Text(crate::now_text())),
        ],
    )
    .await
}

/// The hand scores of `year` in the scope, by org and indicator code.
pub async fn manual_scores(
    conn: &mut Conn,
    scope: &Scope,
    year: i32,
) -> Result<HashMap<i64, BTreeMap<String, f64>>> {
    let rows = Sql::new("SELECT org_id, code, score FROM rating_manual WHERE ")
        .year_in(year, scope)
        .fetch_all(&mut *conn)
        .await?;
    let mut out: HashMap<i64, BTreeMap<String, f64>> = HashMap::new();
    for r in &rows {
        out.entry(r.try_get("org_id")?)
            .or_default()
            .insert(r.try_get("code")?, r.try_get("score")?);
    }
    Ok(out)
}

/// Stores an indicator set (replacing one with the same id and version).
pub async fn save_indicator_set(conn: &mut Conn, set: &IndicatorSet, by: &str) -> Result<()> {
    replace_one(
        conn,
        "indicator_set",
        &["id", "version"],
        vec![
            ("id", Val::Text(set.id.clone())),
            ("version", Val::Int(set.version)),
            (
                "effective_from",
                Val::Text(crate::date_text(set.effective_from)),
            ),
            (
                "body",
                Val::Text(serde_json::to_string(set).expect("an indicator set serializes")),
            ),
            ("saved_by", Val::Text(by.to_string())),
            ("saved_at", Val::Text(crate::now_text())),
        ],
    )
    .await
}

/// The stored indicator sets, by id and version.
pub async fn indicator_sets(conn: &mut Conn) -> Result<Vec<IndicatorSet>> {
    let rows: Vec<(String,)> =
        sqlx::query_as("SELECT body FROM indicator_set ORDER BY id, version")
            .fetch_all(&mut *conn)
            .await?;
    rows.into_iter()
        .map(|(b,)| {
            serde_json::from_str(&b).map_err(|e| StoreError::Corrupt(format!("指标体系：{e}")))
        })
        .collect()
}
