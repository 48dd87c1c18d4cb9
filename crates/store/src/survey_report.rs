//! The surveys of a subtree in a year or half-year as a department reads them: the totals in
//! three grouped reads over the path range, the surveys (capped), and the closed ones whose
//! satisfaction fell below a share — never one read per org.

use crate::sql::Sql;
use crate::surveys::{survey_from_row, with_counts, SurveyRow, COLS};
use crate::{Conn, Result, Scope};

/// Which surveys: those of `year`, or only those of one period code (`2026H2`).
#[derive(Debug, Clone, Copy)]
pub struct Within<'a> {
    pub year: i32,
    pub period: Option<&'a str>,
}

impl Within<'_> {
    /// `WHERE` of the survey table (aliased `s`): the scope's range, the year, the period.
    fn sql(&self, head: &str, scope: &Scope) -> Sql {
        let q = Sql::new(head)
            .scope("s.org_path", scope)
            .push(" AND s.year = ")
            .bind(self.year);
        match self.period {
            Some(p) => q.push(" AND s.period = ").bind(p.to_string()),
            None => q,
        }
    }
}

/// The totals of the surveys within.
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct SurveyTotals {
    pub surveys: i64,
    pub open: i64,
    pub issued: i64,
    pub responses: i64,
    pub ratings: i64,
    pub satisfied: i64,
}

pub async fn totals(conn: &mut Conn, scope: &Scope, w: Within<'_>) -> Result<SurveyTotals> {
    let (surveys, open): (i64, Option<i64>) = w
        .sql(
            "SELECT COUNT(*), CAST(SUM(CASE WHEN s.closed_on IS NULL THEN 1 ELSE 0 END) AS BIGINT) \
             FROM survey s WHERE ",
            scope,
        )
        .fetch_all_as(&mut *conn)
        .await?
        .into_iter()
        .next()
        .unwrap_or((0, None));
    let issued: Option<i64> = w
        .sql(
            "SELECT CAST(SUM(b.tokens) AS BIGINT) FROM survey_batch b \
             JOIN survey s ON s.id = b.survey_id WHERE ",
            scope,
        )
        .fetch_scalar(&mut *conn)
        .await?;
    let (responses, ratings, satisfied): (i64, Option<i64>, Option<i64>) = w
        .sql(
            "SELECT COUNT(*), CAST(SUM(r.rated) AS BIGINT), CAST(SUM(r.satisfied) AS BIGINT) \
             FROM survey_response r JOIN survey s ON s.id = r.survey_id WHERE ",
            scope,
        )
        .fetch_all_as(&mut *conn)
        .await?
        .into_iter()
        .next()
        .unwrap_or((0, None, None));
    Ok(SurveyTotals {
        surveys,
        open: open.unwrap_or(0),
        issued: issued.unwrap_or(0),
        responses,
        ratings: ratings.unwrap_or(0),
        satisfied: satisfied.unwrap_or(0),
    })
}

/// The surveys within (the open first, then the latest opened; at most `limit`) with their
/// counts.
pub async fn list(
    conn: &mut Conn,
    scope: &Scope,
    w: Within<'_>,
    limit: i64,
) -> Result<Vec<SurveyRow>> {
    let cols: Vec<String> = COLS.iter().map(|c| format!("s.{c}")).collect();
    let found = w
        .sql(
            &format!("SELECT {} FROM survey s WHERE ", cols.join(", ")),
            scope,
        )
        .push(" ORDER BY CASE WHEN s.closed_on IS NULL THEN 0 ELSE 1 END, s.opened_on DESC, s.id DESC LIMIT ")
        .bind(limit)
        .fetch_map(&mut *conn, survey_from_row)
        .await?;
    with_counts(conn, found).await
}

/// The closed surveys within whose satisfaction (satisfied ratings over ratings) is below
/// `min_permille` / 1000, the lowest first (at most `limit`).
pub async fn below(
    conn: &mut Conn,
    scope: &Scope,
    w: Within<'_>,
    min_permille: i64,
    limit: i64,
) -> Result<Vec<SurveyRow>> {
    let ids: Vec<(i64, i64, i64)> = w
        .sql(
            "SELECT r.survey_id, CAST(SUM(r.satisfied) AS BIGINT), CAST(SUM(r.rated) AS BIGINT) \
             FROM survey_response r JOIN survey s ON s.id = r.survey_id WHERE ",
            scope,
        )
        .push(" AND s.closed_on IS NOT NULL GROUP BY r.survey_id HAVING SUM(r.rated) > 0 AND SUM(r.satisfied) * 1000 < ")
        .bind(min_permille)
        .push(" * SUM(r.rated) ORDER BY CAST(SUM(r.satisfied) AS DOUBLE PRECISION) / SUM(r.rated), r.survey_id LIMIT ")
        .bind(limit)
        .fetch_all_as(&mut *conn)
        .await?;
    if ids.is_empty() {
        return Ok(Vec::new());
    }
    let order: Vec<i64> = ids.iter().map(|r| r.0).collect();
    let mut found = Sql::new(format!(
        "SELECT {} FROM survey WHERE id IN ",
        COLS.join(", ")
    ))
    .in_list(order.iter().copied())
    .fetch_map(&mut *conn, survey_from_row)
    .await?;
    found.sort_by_key(|s| order.iter().position(|&i| i == s.id));
    with_counts(conn, found).await
}
