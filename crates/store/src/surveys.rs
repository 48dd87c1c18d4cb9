//! 群众满意度测评: the surveys of orgs (`survey`), read within a scope by the surveyed
//! org's path; their token batches (`survey_batch`), the tokens as hashes with a used flag
//! (`survey_token`), and the responses (`survey_response`), which hold no token, no
//! address and no time finer than the day.

use std::collections::HashMap;

use chrono::NaiveDate;
use jiceng_domain::survey::{SatisfactionFacts, SurveyPeriod};

use crate::row::{from_row, Cells};
use crate::sql::{insert_many, Sql, Val};
use crate::survey_tally::{self, Change, Figures};
use crate::{Conn, Result, Scope, StoreError};

#[derive(Debug, Clone, PartialEq)]
pub struct StoredSurvey {
    pub id: i64,
    pub org_id: i64,
    pub org_path: String,
    /// The org's name when the survey was opened (shown on the public page).
    pub org_name: String,
    pub period: SurveyPeriod,
    pub template: String,
    /// The questionnaire asked, as JSON (`[{"code", "text"}]`).
    pub questions: String,
    pub opened_on: NaiveDate,
    pub closed_on: Option<NaiveDate>,
    pub opened_by: String,
    pub opened_at: String,
}

pub(crate) const COLS: [&str; 12] = [
    "id",
    "org_id",
    "org_path",
    "org_name",
    "period",
    "year",
    "template",
    "questions",
    "opened_on",
    "closed_on",
    "opened_by",
    "opened_at",
];

fn period_of(code: &str) -> Result<SurveyPeriod> {
    SurveyPeriod::parse(code).map_err(|_| StoreError::Corrupt(format!("survey period {code}")))
}

pub(crate) fn survey_from_row(r: &sqlx::any::AnyRow) -> Result<StoredSurvey> {
    Ok(from_row!(
        r,
        StoredSurvey {
            id,
            org_id,
            org_path,
            org_name,
            period: period_of(&sqlx::Row::try_get::<String, _>(r, "period")?)?,
            template,
            questions,
            opened_on: r.date("opened_on")?,
            closed_on: r.opt_date("closed_on")?,
            opened_by,
            opened_at,
        }
    ))
}

/// Writes a survey.
pub async fn insert(conn: &mut Conn, s: &StoredSurvey) -> Result<()> {
    let row: Vec<Val> = vec![
        s.id.into(),
        s.org_id.into(),
        s.org_path.clone().into(),
        s.org_name.clone().into(),
        s.period.code().into(),
        i64::from(s.period.year()).into(),
        s.template.clone().into(),
        s.questions.clone().into(),
        s.opened_on.into(),
        s.closed_on.into(),
        s.opened_by.clone().into(),
        s.opened_at.clone().into(),
        i64::from(s.closed_on.is_none()).into(),
    ];
    let mut cols = COLS.to_vec();
    cols.push("is_open");
    insert_many(conn, "survey", &cols, &[row]).await?;
    let by = Figures {
        surveys: 1,
        open: i64::from(s.closed_on.is_none()),
        ..Figures::default()
    };
    let (code, year) = (s.period.code(), i64::from(s.period.year()));
    survey_tally::apply(conn, &[Change::at(&s.org_path, &code, year, by)]).await
}

/// Adds `by` (tokens issued, responses, ratings, satisfied) to survey `id`'s figures;
/// answers the change of the tally of its org and of every org above it (for the caller
/// to apply, all of a transaction's at once).
async fn count(conn: &mut Conn, id: i64, by: Figures) -> Result<Change> {
    let row: Option<(String, String, i64)> = Sql::new("UPDATE survey SET issued = issued + ")
        .bind(by.issued)
        .push(", responses = responses + ")
        .bind(by.responses)
        .push(", ratings = ratings + ")
        .bind(by.ratings)
        .push(", satisfied = satisfied + ")
        .bind(by.satisfied)
        .push(" WHERE id = ")
        .bind(id)
        .push(" RETURNING org_path, period, year")
        .fetch_all_as(&mut *conn)
        .await?
        .into_iter()
        .next();
    let Some((path, period, year)) = row else {
        return Err(StoreError::NotFound(format!("群众满意度测评（id {id}）")));
    };
    Ok(Change::at(&path, &period, year, by))
}

/// A survey by id within `scope`.
pub async fn get(conn: &mut Conn, scope: &Scope, id: i64) -> Result<Option<StoredSurvey>> {
    Sql::new(format!(
        "SELECT {} FROM survey WHERE id = ",
        COLS.join(", ")
    ))
    .bind(id)
    .push(" AND ")
    .scope("org_path", scope)
    .fetch_opt_map(&mut *conn, survey_from_row)
    .await
}

/// A survey by id, wherever it is (the public page, which reaches it by a token).
pub async fn get_any(conn: &mut Conn, id: i64) -> Result<Option<StoredSurvey>> {
    get(conn, &Scope::All, id).await
}

/// Whether org `org_id` has a survey of `period` still open.
pub async fn open_for(conn: &mut Conn, org_id: i64, period: SurveyPeriod) -> Result<bool> {
    let n: i64 = Sql::new("SELECT COUNT(*) FROM survey WHERE org_id = ")
        .bind(org_id)
        .push(" AND period = ")
        .bind(period.code())
        .push(" AND closed_on IS NULL")
        .fetch_scalar(&mut *conn)
        .await?;
    Ok(n > 0)
}

/// A survey with its counts, as lists show it.
#[derive(Debug, Clone, PartialEq)]
pub struct SurveyRow {
    pub survey: StoredSurvey,
    /// Tokens issued, responses, ratings given and of those satisfied.
    pub issued: i64,
    pub responses: i64,
    pub ratings: i64,
    pub satisfied: i64,
}

/// The survey's columns with its stored figures.
pub(crate) const COUNTED_COLS: [&str; 16] = [
    "id",
    "org_id",
    "org_path",
    "org_name",
    "period",
    "year",
    "template",
    "questions",
    "opened_on",
    "closed_on",
    "opened_by",
    "opened_at",
    "issued",
    "responses",
    "ratings",
    "satisfied",
];

pub(crate) fn counted_from_row(r: &sqlx::any::AnyRow) -> Result<SurveyRow> {
    use sqlx::Row;
    Ok(SurveyRow {
        survey: survey_from_row(r)?,
        issued: r.try_get("issued")?,
        responses: r.try_get("responses")?,
        ratings: r.try_get("ratings")?,
        satisfied: r.try_get("satisfied")?,
    })
}

/// One survey's figures (issued, responses, ratings, satisfied), as stored.
pub async fn counts_of(conn: &mut Conn, id: i64) -> Result<(i64, i64, i64, i64)> {
    Ok(
        Sql::new("SELECT issued, responses, ratings, satisfied FROM survey WHERE id = ")
            .bind(id)
            .fetch_all_as(&mut *conn)
            .await?
            .into_iter()
            .next()
            .unwrap_or_default(),
    )
}

/// Closes a survey if it was open (`false`: closed already).
pub async fn close(conn: &mut Conn, id: i64, on: NaiveDate) -> Result<bool> {
    let closed: Option<(String, String, i64)> = Sql::new("UPDATE survey SET closed_on = ")
        .bind(on)
        .push(&format!(
            ", is_open = 0, closed_share = {} WHERE id = ",
            survey_tally::SHARE
        ))
        .bind(id)
        .push(" AND closed_on IS NULL RETURNING org_path, period, year")
        .fetch_all_as(&mut *conn)
        .await?
        .into_iter()
        .next();
    let Some((path, period, year)) = closed else {
        return Ok(false);
    };
    let by = Figures {
        open: -1,
        ..Figures::default()
    };
    survey_tally::apply(conn, &[Change::at(&path, &period, year, by)]).await?;
    Ok(true)
}

/// Holds survey `id` for the rest of the transaction if it is still open (`false`: closed
/// meanwhile): orders concurrent batches on PostgreSQL.
pub async fn hold_open(conn: &mut Conn, id: i64) -> Result<bool> {
    let done = Sql::new("UPDATE survey SET id = id WHERE id = ")
        .bind(id)
        .push(" AND closed_on IS NULL")
        .execute(&mut *conn)
        .await?;
    Ok(done.rows_affected() == 1)
}

/// Holds survey `id` open for the rest of an answers' transaction (`false`: closed
/// meanwhile): the answers move its figures, so PostgreSQL locks the row for update (a
/// close, a batch or another process's answers wait); SQLite takes its write lock at once
/// (an update of the row to itself), as every writer there does. Callers hold the surveys
/// of one transaction in id order.
pub async fn hold_open_for_answers(conn: &mut Conn, id: i64) -> Result<bool> {
    let sql = match crate::backup::backend_of(conn) {
        crate::Backend::Postgres => {
            "SELECT id FROM survey WHERE id = $1 AND closed_on IS NULL FOR UPDATE"
        }
        crate::Backend::Sqlite => {
            "UPDATE survey SET id = id WHERE id = $1 AND closed_on IS NULL RETURNING id"
        }
    };
    let held: Option<i64> = sqlx::query_scalar(sql)
        .bind(id)
        .fetch_optional(&mut *conn)
        .await?;
    Ok(held.is_some())
}

/// A batch as listed.
#[derive(Debug, Clone, PartialEq)]
pub struct StoredBatch {
    pub survey_id: i64,
    pub batch: i64,
    pub tokens: i64,
    pub issued_on: NaiveDate,
    pub issued_by: String,
    /// Of its tokens, how many were used.
    pub used: i64,
}

/// Adds a batch of tokens (their hashes) as the survey's next; returns its number.
pub async fn add_batch(
    conn: &mut Conn,
    survey_id: i64,
    hashes: &[String],
    on: NaiveDate,
    by: &str,
) -> Result<i64> {
    let last: Option<i64> = Sql::new("SELECT MAX(batch) FROM survey_batch WHERE survey_id = ")
        .bind(survey_id)
        .fetch_scalar(&mut *conn)
        .await?;
    let batch = last.unwrap_or(0) + 1;
    insert_many(
        conn,
        "survey_batch",
        &["survey_id", "batch", "tokens", "issued_on", "issued_by"],
        &[vec![
            survey_id.into(),
            batch.into(),
            (hashes.len() as i64).into(),
            on.into(),
            by.to_string().into(),
        ]],
    )
    .await?;
    let rows: Vec<Vec<Val>> = hashes
        .iter()
        .map(|h| {
            vec![
                h.clone().into(),
                survey_id.into(),
                batch.into(),
                0i64.into(),
            ]
        })
        .collect();
    insert_many(
        conn,
        "survey_token",
        &["hash", "survey_id", "batch", "used"],
        &rows,
    )
    .await?;
    let by = Figures {
        issued: hashes.len() as i64,
        ..Figures::default()
    };
    let change = count(conn, survey_id, by).await?;
    survey_tally::apply(conn, &[change]).await?;
    Ok(batch)
}

/// The batches of a survey, with how many of each were used.
pub async fn batches(conn: &mut Conn, survey_id: i64) -> Result<Vec<StoredBatch>> {
    let rows: Vec<(i64, i64, String, String, i64)> = Sql::new(
        "SELECT b.batch, b.tokens, b.issued_on, b.issued_by, \
         CAST(COALESCE(SUM(t.used), 0) AS BIGINT) FROM survey_batch b \
         LEFT JOIN survey_token t ON t.survey_id = b.survey_id AND t.batch = b.batch \
         WHERE b.survey_id = ",
    )
    .bind(survey_id)
    .push(" GROUP BY b.batch, b.tokens, b.issued_on, b.issued_by ORDER BY b.batch")
    .fetch_all_as(&mut *conn)
    .await?;
    rows.into_iter()
        .map(|(batch, tokens, on, by, used)| {
            Ok(StoredBatch {
                survey_id,
                batch,
                tokens,
                issued_on: crate::parse_date_text(&on)?,
                issued_by: by,
                used,
            })
        })
        .collect()
}

/// What a token opens: its survey, its batch, and whether it was used; `None`: no such
/// token.
pub async fn token(conn: &mut Conn, hash: &str) -> Result<Option<(i64, i64, bool)>> {
    let row: Option<(i64, i64, i64)> =
        Sql::new("SELECT survey_id, batch, used FROM survey_token WHERE hash = ")
            .bind(hash)
            .fetch_all_as(&mut *conn)
            .await?
            .into_iter()
            .next();
    Ok(row.map(|(id, batch, used)| (id, batch, used != 0)))
}

/// Marks a token used if it was not (`false`: used meanwhile). Nothing else is written on
/// it: not the day, not the response.
pub async fn use_token(conn: &mut Conn, hash: &str) -> Result<bool> {
    let done = Sql::new("UPDATE survey_token SET used = 1 WHERE hash = ")
        .bind(hash)
        .push(" AND used = 0")
        .execute(&mut *conn)
        .await?;
    Ok(done.rows_affected() == 1)
}

/// A response as stored: nothing links it to a token or a person.
#[derive(Debug, Clone, PartialEq)]
pub struct StoredResponse {
    pub id: i64,
    pub survey_id: i64,
    pub answered_on: NaiveDate,
    /// The scores in question order (`5,4,3`).
    pub scores: String,
    pub rated: i64,
    pub satisfied: i64,
    pub comment: Option<String>,
}

const RESPONSE_COLS: [&str; 7] = [
    "id",
    "survey_id",
    "answered_on",
    "scores",
    "rated",
    "satisfied",
    "comment",
];

/// Writes responses (of open surveys the caller holds) and adds them to their surveys'
/// figures and the tallies above, each survey once, in id order.
pub async fn add_responses(conn: &mut Conn, rs: &[StoredResponse]) -> Result<()> {
    let rows: Vec<Vec<Val>> = rs
        .iter()
        .map(|r| {
            vec![
                r.id.into(),
                r.survey_id.into(),
                r.answered_on.into(),
                r.scores.clone().into(),
                r.rated.into(),
                r.satisfied.into(),
                r.comment.clone().into(),
            ]
        })
        .collect();
    insert_many(conn, "survey_response", &RESPONSE_COLS, &rows).await?;
    let mut by: std::collections::BTreeMap<i64, Figures> = std::collections::BTreeMap::new();
    for r in rs {
        let f = by.entry(r.survey_id).or_default();
        f.responses += 1;
        f.ratings += r.rated;
        f.satisfied += r.satisfied;
    }
    let mut changes = Vec::with_capacity(by.len());
    for (id, f) in by {
        changes.push(count(conn, id, f).await?);
    }
    survey_tally::apply(conn, &changes).await
}

/// The responses of a survey (their order says nothing of who or when).
pub async fn responses(conn: &mut Conn, survey_id: i64) -> Result<Vec<StoredResponse>> {
    Sql::new(format!(
        "SELECT {} FROM survey_response WHERE survey_id = ",
        RESPONSE_COLS.join(", ")
    ))
    .bind(survey_id)
    .push(" ORDER BY id")
    .fetch_map(&mut *conn, |r| {
        Ok(from_row!(
            r,
            StoredResponse {
                id,
                survey_id,
                answered_on: r.date("answered_on")?,
                scores,
                rated,
                satisfied,
                comment,
            }
        ))
    })
    .await
}

/// What the surveys bring to the rating and diagnosis of every org of `scope` in `year`
/// on `as_of`: per org, its latest survey of the year closed on or before the day, with its
/// stored figures. One read of the surveys; orgs without such a survey are absent
/// (暂无数据).
pub async fn facts_in_scope(
    conn: &mut Conn,
    scope: &Scope,
    year: i32,
    as_of: NaiveDate,
) -> Result<HashMap<i64, SatisfactionFacts>> {
    let rows = Sql::numbered(
        "SELECT s.org_id, s.id, s.period, s.closed_on, s.responses, s.ratings, s.satisfied, \
         s.issued FROM survey s \
         WHERE s.year = $1 AND s.closed_on IS NOT NULL AND s.closed_on <= $2 AND ",
        vec![i64::from(year).into(), as_of.into()],
    )
    .scope("s.org_path", scope)
    .fetch_all(&mut *conn)
    .await?;
    let mut out: HashMap<i64, SatisfactionFacts> = HashMap::new();
    for r in &rows {
        let org_id: i64 = sqlx::Row::try_get(r, "org_id")?;
        let f = from_row!(
            r,
            SatisfactionFacts {
                survey_id: sqlx::Row::try_get(r, "id")?,
                period: period_of(&sqlx::Row::try_get::<String, _>(r, "period")?)?,
                closed_on: r.date("closed_on")?,
                responses,
                issued,
                ratings,
                satisfied,
            }
        );
        let later = out
            .get(&org_id)
            .is_none_or(|o| (f.closed_on, f.survey_id) > (o.closed_on, o.survey_id));
        if later {
            out.insert(org_id, f);
        }
    }
    Ok(out)
}

const QUESTIONNAIRE: &str = "survey_questionnaire";

/// The department's questionnaires (JSON, a list from a day on), if it set any.
pub async fn questionnaire_setting(conn: &mut Conn) -> Result<Option<String>> {
    crate::protection::setting(conn, QUESTIONNAIRE).await
}

/// Stores the department's questionnaires (JSON).
pub async fn set_questionnaire_setting(conn: &mut Conn, json: &str) -> Result<()> {
    crate::protection::set_setting(conn, QUESTIONNAIRE, json).await
}
