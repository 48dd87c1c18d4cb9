//! The figures of surveys counted from their records (batches and responses), as the
//! reports read them before the figures were stored (migration 0047): what the stored
//! figures must equal. Read by the tests and the bench's check, never by a report.

use std::collections::HashMap;

use crate::sql::Sql;
use crate::survey_tally::Figures;
use crate::{Conn, Result, Scope};

/// The figures of the surveys of `scope` of `year` (or only of code `period`; of every
/// year when `year` is `None`), counted from the records: three grouped reads.
pub async fn totals(
    conn: &mut Conn,
    scope: &Scope,
    year: Option<i32>,
    period: Option<&str>,
) -> Result<Figures> {
    let within = |head: &str| {
        let mut q = Sql::new(head).scope("s.org_path", scope);
        if let Some(y) = year {
            q = q.push(" AND s.year = ").bind(y);
        }
        if let Some(p) = period {
            q = q.push(" AND s.period = ").bind(p);
        }
        q
    };
    let (surveys, open): (i64, Option<i64>) = within(
        "SELECT COUNT(*), CAST(SUM(CASE WHEN s.closed_on IS NULL THEN 1 ELSE 0 END) AS BIGINT) \
         FROM survey s WHERE ",
    )
    .fetch_all_as(&mut *conn)
    .await?
    .into_iter()
    .next()
    .unwrap_or((0, None));
    let issued: Option<i64> = within(
        "SELECT CAST(SUM(b.tokens) AS BIGINT) FROM survey_batch b \
         JOIN survey s ON s.id = b.survey_id WHERE ",
    )
    .fetch_scalar(&mut *conn)
    .await?;
    let (responses, ratings, satisfied): (i64, Option<i64>, Option<i64>) = within(
        "SELECT COUNT(*), CAST(SUM(r.rated) AS BIGINT), CAST(SUM(r.satisfied) AS BIGINT) \
         FROM survey_response r JOIN survey s ON s.id = r.survey_id WHERE ",
    )
    .fetch_all_as(&mut *conn)
    .await?
    .into_iter()
    .next()
    .unwrap_or((0, None, None));
    Ok(Figures {
        surveys,
        open: open.unwrap_or(0),
        issued: issued.unwrap_or(0),
        responses,
        ratings: ratings.unwrap_or(0),
        satisfied: satisfied.unwrap_or(0),
    })
}

/// The figures of each survey of `scope` counted from its records: id → figures (`surveys`
/// 1, `open` 1 while open).
pub async fn each(conn: &mut Conn, scope: &Scope) -> Result<HashMap<i64, Figures>> {
    let mut out: HashMap<i64, Figures> = HashMap::new();
    let rows: Vec<(i64, Option<String>)> = Sql::new("SELECT id, closed_on FROM survey WHERE ")
        .scope("org_path", scope)
        .fetch_all_as(&mut *conn)
        .await?;
    for (id, closed) in rows {
        out.insert(
            id,
            Figures {
                surveys: 1,
                open: i64::from(closed.is_none()),
                ..Figures::default()
            },
        );
    }
    let issued: Vec<(i64, i64)> = Sql::new(
        "SELECT b.survey_id, CAST(SUM(b.tokens) AS BIGINT) FROM survey_batch b \
         JOIN survey s ON s.id = b.survey_id WHERE ",
    )
    .scope("s.org_path", scope)
    .push(" GROUP BY b.survey_id")
    .fetch_all_as(&mut *conn)
    .await?;
    for (id, n) in issued {
        out.entry(id).or_default().issued = n;
    }
    let answered: Vec<(i64, i64, i64, i64)> = Sql::new(
        "SELECT r.survey_id, COUNT(*), CAST(SUM(r.rated) AS BIGINT), \
         CAST(SUM(r.satisfied) AS BIGINT) FROM survey_response r \
         JOIN survey s ON s.id = r.survey_id WHERE ",
    )
    .scope("s.org_path", scope)
    .push(" GROUP BY r.survey_id")
    .fetch_all_as(&mut *conn)
    .await?;
    for (id, n, rated, sat) in answered {
        let e = out.entry(id).or_default();
        e.responses = n;
        e.ratings = rated;
        e.satisfied = sat;
    }
    Ok(out)
}
