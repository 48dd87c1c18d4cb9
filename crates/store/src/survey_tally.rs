//! 群众满意度测评 counted per org (issue #18; migration 0047): each org's subtree figures
//! per period code (`survey_tally`: surveys, still open, tokens issued, responses, ratings,
//! satisfied ratings), moved by every write in its transaction — a survey opened or
//! closed, a batch issued, the answers of one group commit, a subtree moved — so a
//! report's totals at any org are one indexed read of at most three rows.
//!
//! Keyed by the period code a survey is of (`2026`, `2026H1`, `2026H2`), not by year: a
//! survey is of exactly one code, so the rows never count a survey twice, a half-year's
//! report reads its one row and a year's (every survey of the year, either half included)
//! sums the year's rows.
//!
//! A write moves the figures by the difference (an upsert adding it) on the org and every
//! org above it, the rows in (org, period) order, so two writers cannot deadlock on them;
//! [`rebuild`] makes every survey's figures and every tally again from the records.

use std::collections::BTreeMap;

use jiceng_domain::path;
use sqlx::Row;

use crate::sql::{insert_many_then, Sql, Val};
use crate::{Conn, Result};

/// The figures of some surveys (of one survey, of a subtree).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Figures {
    pub surveys: i64,
    pub open: i64,
    pub issued: i64,
    pub responses: i64,
    pub ratings: i64,
    pub satisfied: i64,
}

impl Figures {
    pub fn add(&mut self, o: &Figures) {
        self.surveys += o.surveys;
        self.open += o.open;
        self.issued += o.issued;
        self.responses += o.responses;
        self.ratings += o.ratings;
        self.satisfied += o.satisfied;
    }

    fn negated(&self) -> Figures {
        Figures {
            surveys: -self.surveys,
            open: -self.open,
            issued: -self.issued,
            responses: -self.responses,
            ratings: -self.ratings,
            satisfied: -self.satisfied,
        }
    }

    fn is_zero(&self) -> bool {
        *self == Figures::default()
    }
}

/// A change of the figures of one period code, on each of `orgs`.
#[derive(Debug, Clone)]
pub struct Change {
    pub orgs: Vec<i64>,
    pub period: String,
    pub year: i64,
    pub by: Figures,
}

impl Change {
    /// A change of a survey of the org at `path`: that org and every org above it.
    pub fn at(path: &str, period: &str, year: i64, by: Figures) -> Change {
        Change {
            orgs: path::ids(path),
            period: period.to_string(),
            year,
            by,
        }
    }
}

const COLS: [&str; 9] = [
    "org_id",
    "period",
    "year",
    "surveys",
    "still_open",
    "issued",
    "responses",
    "ratings",
    "satisfied",
];

const ADD: &str = " ON CONFLICT (org_id, period) DO UPDATE SET \
    surveys = survey_tally.surveys + excluded.surveys, \
    still_open = survey_tally.still_open + excluded.still_open, \
    issued = survey_tally.issued + excluded.issued, \
    responses = survey_tally.responses + excluded.responses, \
    ratings = survey_tally.ratings + excluded.ratings, \
    satisfied = survey_tally.satisfied + excluded.satisfied";

/// Adds `changes` to the stored tallies: summed per org and code first, then one upsert
/// per row in (org, period) order.
pub async fn apply(conn: &mut Conn, changes: &[Change]) -> Result<()> {
    let mut sum: BTreeMap<(i64, &str), (i64, Figures)> = BTreeMap::new();
    for c in changes {
        for id in &c.orgs {
            let e = sum
                .entry((*id, c.period.as_str()))
                .or_insert((c.year, Figures::default()));
            e.1.add(&c.by);
        }
    }
    let rows: Vec<Vec<Val>> = sum
        .into_iter()
        .filter(|(_, (_, f))| !f.is_zero())
        .map(|((id, period), (year, f))| {
            vec![
                id.into(),
                period.into(),
                year.into(),
                f.surveys.into(),
                f.open.into(),
                f.issued.into(),
                f.responses.into(),
                f.ratings.into(),
                f.satisfied.into(),
            ]
        })
        .collect();
    insert_many_then(conn, "survey_tally", &COLS, &rows, ADD).await
}

fn figures_of(r: &sqlx::any::AnyRow) -> Result<Figures> {
    Ok(Figures {
        surveys: r.try_get("surveys")?,
        open: r.try_get("still_open")?,
        issued: r.try_get("issued")?,
        responses: r.try_get("responses")?,
        ratings: r.try_get("ratings")?,
        satisfied: r.try_get("satisfied")?,
    })
}

const READ: &str = "SELECT period, year, surveys, still_open, issued, responses, ratings, \
                    satisfied FROM survey_tally WHERE org_id = ";

/// The figures of org `org_id`'s subtree: of `year` (every code of it) or only of code
/// `period`, or of every year when `year` is `None`.
pub async fn of_org(
    conn: &mut Conn,
    org_id: i64,
    year: Option<i32>,
    period: Option<&str>,
) -> Result<Figures> {
    let mut q = Sql::new(READ).bind(org_id);
    if let Some(y) = year {
        q = q.push(" AND year = ").bind(y);
    }
    if let Some(p) = period {
        q = q.push(" AND period = ").bind(p);
    }
    let mut out = Figures::default();
    for r in q.fetch_all(&mut *conn).await? {
        out.add(&figures_of(&r)?);
    }
    Ok(out)
}

/// Org `org_id` (of path `old`) and its subtree moved to `new`: its figures leave the
/// orgs above it on the old path and join those on the new (the shared ones unchanged).
pub async fn moved(conn: &mut Conn, org_id: i64, old: &str, new: &str) -> Result<()> {
    let rows = Sql::new(READ).bind(org_id).fetch_all(&mut *conn).await?;
    let above = |p: &str| -> Vec<i64> {
        path::ids(p)
            .into_iter()
            .filter(|&id| id != org_id)
            .collect()
    };
    let mut changes = Vec::new();
    for r in &rows {
        let f = figures_of(r)?;
        let period: String = r.try_get("period")?;
        let year: i64 = r.try_get("year")?;
        changes.push(Change {
            orgs: above(old),
            period: period.clone(),
            year,
            by: f.negated(),
        });
        changes.push(Change {
            orgs: above(new),
            period,
            year,
            by: f,
        });
    }
    apply(conn, &changes).await
}

/// A closed survey's share as stored (`closed_share`): satisfied over ratings, `NULL`
/// without a rating.
pub(crate) const SHARE: &str =
    "CASE WHEN ratings > 0 THEN CAST(satisfied AS DOUBLE PRECISION) / ratings END";

/// Makes every survey's figures again from its batches and responses, then every org's
/// tally from the surveys (each survey's figures added to its org and the orgs above it,
/// read from its path: the roll-up without reading the org tree). Answers how many tally
/// rows were written.
pub async fn rebuild(conn: &mut Conn) -> Result<usize> {
    for stmt in [
        "UPDATE survey SET issued = 0, responses = 0, ratings = 0, satisfied = 0".to_string(),
        "UPDATE survey SET issued = b.n FROM (SELECT survey_id, CAST(SUM(tokens) AS BIGINT) AS n \
         FROM survey_batch GROUP BY survey_id) b WHERE b.survey_id = survey.id"
            .to_string(),
        "UPDATE survey SET responses = r.n, ratings = r.rated, satisfied = r.sat FROM \
         (SELECT survey_id, COUNT(*) AS n, CAST(SUM(rated) AS BIGINT) AS rated, \
         CAST(SUM(satisfied) AS BIGINT) AS sat FROM survey_response GROUP BY survey_id) r \
         WHERE r.survey_id = survey.id"
            .to_string(),
        format!(
            "UPDATE survey SET is_open = CASE WHEN closed_on IS NULL THEN 1 ELSE 0 END, \
             closed_share = CASE WHEN closed_on IS NULL THEN NULL ELSE {SHARE} END"
        ),
        "DELETE FROM survey_tally".to_string(),
    ] {
        sqlx::query(&stmt).execute(&mut *conn).await?;
    }
    let rows = Sql::new(
        "SELECT org_path, period, year, COUNT(*) AS surveys, \
         CAST(SUM(is_open) AS BIGINT) AS still_open, CAST(SUM(issued) AS BIGINT) AS issued, \
         CAST(SUM(responses) AS BIGINT) AS responses, CAST(SUM(ratings) AS BIGINT) AS ratings, \
         CAST(SUM(satisfied) AS BIGINT) AS satisfied FROM survey GROUP BY org_path, period, year",
    )
    .fetch_all(&mut *conn)
    .await?;
    let mut changes = Vec::with_capacity(rows.len());
    for r in &rows {
        let path: String = r.try_get("org_path")?;
        let period: String = r.try_get("period")?;
        changes.push(Change::at(
            &path,
            &period,
            r.try_get("year")?,
            figures_of(r)?,
        ));
    }
    drop(rows);
    apply(conn, &changes).await?;
    let n: i64 = Sql::new("SELECT COUNT(*) FROM survey_tally")
        .fetch_scalar(&mut *conn)
        .await?;
    Ok(n as usize)
}
