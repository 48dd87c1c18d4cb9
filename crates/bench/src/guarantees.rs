//! The records of 基础保障 and 群众满意度 at the size of the data set, for the overviews
//! `jiceng bench` times at the province (issue 18, point 8: funding, venue and survey
//! overviews at the root ≤ 50 ms warm). Written once into a set, straight from its org and
//! meeting rows in a few `INSERT … SELECT` statements (the same SQL on both backends), as a
//! county would have recorded them over a year:
//!
//! - 经费保障: eight in ten village and community orgs with a 运转经费 record from 财政
//!   (60,000–130,000 元, so some below the standard), half of them 党建工作经费 from 党费,
//!   the villages' 村集体经济收入;
//! - 活动场所: nine in ten with a venue of their own, used by themselves, and three in four
//!   of their meetings of the year held there (the rest of the quarters 铁将军把门);
//! - 群众满意度测评: half of them with a closed survey of the year, 30 tokens issued and 20
//!   answers of the shipped questionnaire (one org in seven below 60 % satisfied).

use std::time::Instant;

use anyhow::Result;
use chrono::Datelike;
use jiceng_app::App;
use serde::Serialize;

/// What [`ensure`] wrote.
#[derive(Debug, Clone, Serialize)]
pub struct GuaranteesLoad {
    pub funding: i64,
    pub venues: i64,
    pub meetings_at_venues: i64,
    pub surveys: i64,
    pub responses: i64,
    pub seconds: f64,
    /// The surveys' stored figures and tallies made from the rows seeded (one bulk
    /// refresh, `survey_tally::rebuild`): tally rows written and the time it took.
    pub survey_tallies: usize,
    pub rollup_seconds: f64,
}

/// Answers per seeded survey (and tokens issued: half as many again).
const ANSWERS: i64 = 20;

/// The orgs that get records: live village and community orgs, `share` tenths of them.
fn chosen(share: i64) -> String {
    format!(
        "FROM org o WHERE o.domain IN ('Village', 'Community') AND o.dissolved_on IS NULL \
         AND o.id % 10 < {share}"
    )
}

/// Loads the records into the set unless it holds funding records already (then `None`).
pub async fn ensure(app: &App) -> Result<Option<GuaranteesLoad>> {
    let store = app.store();
    let mut conn = store.acquire().await?;
    let have: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM (SELECT 1 FROM funding LIMIT 1) t")
        .fetch_one(&mut *conn)
        .await?;
    if have > 0 {
        return Ok(None);
    }
    drop(conn);
    let t = Instant::now();
    let today = app.today();
    let year = today.year();
    let stamp = format!("{today}T08:00:00");
    let q = jiceng_app::surveys::rules(app);
    let questions = serde_json::to_string(&q.questions)?;
    let n = q.questions.len() as i64;
    let mut tx = store.begin().await?;
    let mut run = async |sql: String| -> Result<i64> {
        Ok(sqlx::query(&sql).execute(&mut *tx).await?.rows_affected() as i64)
    };
    // 经费保障.
    let mut funding = run(format!(
        "INSERT INTO funding (org_id, year, kind, source, org_path, amount_fen, note, recorded_by, recorded_at) \
         SELECT o.id, {year}, 'Operating', 'Finance', o.path, (60000 + (o.id * 7919 % 8) * 10000) * 100, \
         NULL, 'bench', '{stamp}' {}",
        chosen(8)
    ))
    .await?;
    funding += run(format!(
        "INSERT INTO funding (org_id, year, kind, source, org_path, amount_fen, note, recorded_by, recorded_at) \
         SELECT o.id, {year}, 'PartyWork', 'Dues', o.path, (3000 + o.id % 5 * 1000) * 100, \
         NULL, 'bench', '{stamp}' {}",
        chosen(4)
    ))
    .await?;
    funding += run(format!(
        "INSERT INTO funding (org_id, year, kind, source, org_path, amount_fen, note, recorded_by, recorded_at) \
         SELECT o.id, {year}, 'CollectiveIncome', 'Collective', o.path, (20000 + (o.id * 31 % 19) * 10000) * 100, \
         NULL, 'bench', '{stamp}' {} AND o.domain = 'Village'",
        chosen(8)
    ))
    .await?;
    // 活动场所: a venue per org, numbered as the org, used by it.
    let venues = run(format!(
        "INSERT INTO venue (id, org_id, org_path, name, address, area, facilities, shared_with, \
         opened_on, retired_on, recorded_by, recorded_at) \
         SELECT o.id, o.id, o.path, o.name || '党群服务中心', o.name || '村委会院内', 120 + o.id % 200, \
         '', NULL, '{}-01-01', NULL, 'bench', '{stamp}' {}",
        year - 3,
        chosen(9)
    ))
    .await?;
    run("INSERT INTO venue_user (venue_id, org_id, org_path) SELECT id, org_id, org_path FROM venue"
        .to_string())
    .await?;
    let meetings_at_venues = run(format!(
        "UPDATE meeting SET venue_id = org_id WHERE held_on >= '{year}-01-01' AND id % 4 <> 0 \
         AND org_id IN (SELECT id FROM venue)"
    ))
    .await?;
    // 群众满意度测评: a closed survey per org, numbered as the org, its batch and answers.
    let surveys = run(format!(
        "INSERT INTO survey (id, org_id, org_path, org_name, period, year, template, questions, \
         opened_on, closed_on, opened_by, opened_at) \
         SELECT o.id, o.id, o.path, o.name, '{year}', {year}, '{}', '{}', '{year}-06-01', \
         '{year}-07-01', 'bench', '{stamp}' {}",
        q.template,
        questions.replace('\'', "''"),
        chosen(5)
    ))
    .await?;
    run(format!(
        "INSERT INTO survey_batch (survey_id, batch, tokens, issued_on, issued_by) \
         SELECT id, 1, {}, '{year}-06-01', 'bench' FROM survey",
        ANSWERS * 3 / 2
    ))
    .await?;
    let numbers = (0..ANSWERS)
        .map(|k| format!("SELECT {k} AS k"))
        .collect::<Vec<_>>()
        .join(" UNION ALL ");
    // The k-th answer rates question i: 2–5, or 1–3 in one org of seven (below 60 %
    // satisfied: 3 and more count as satisfied).
    let score = |i: i64| {
        format!(
            "(CASE WHEN s.id % 7 = 0 THEN 1 + (s.id + n.k + {i}) % 3 ELSE 2 + (s.id + n.k + {i}) % 4 END)"
        )
    };
    let scores = (0..n)
        .map(|i| format!("CAST({} AS TEXT)", score(i)))
        .collect::<Vec<_>>()
        .join(" || ',' || ");
    let satisfied = (0..n)
        .map(|i| format!("(CASE WHEN {} >= 3 THEN 1 ELSE 0 END)", score(i)))
        .collect::<Vec<_>>()
        .join(" + ");
    let responses = run(format!(
        "INSERT INTO survey_response (id, survey_id, answered_on, scores, rated, satisfied, comment) \
         SELECT s.id * {ANSWERS} + n.k, s.id, '{year}-06-15', {scores}, {n}, {satisfied}, NULL \
         FROM survey s CROSS JOIN ({numbers}) n"
    ))
    .await?;
    tx.commit().await?;
    // The rows went in without their figures: counted once, bottom-up from the surveys.
    let rollup = Instant::now();
    let mut tx = store.begin().await?;
    let survey_tallies = jiceng_store::survey_tally::rebuild(&mut tx).await?;
    tx.commit().await?;
    let mut conn = store.acquire().await?;
    // Every survey row was rewritten: PostgreSQL's visibility map and statistics brought
    // up to date, or its range reads wade through the old versions until autovacuum runs.
    jiceng_store::bulk::settle(&mut conn, &["survey", "survey_tally"]).await?;
    let rollup_seconds = rollup.elapsed().as_secs_f64();
    let max = |t: &str| format!("SELECT COALESCE(MAX(id), 0) FROM {t}");
    for (kind, table) in [
        ("venue", "venue"),
        ("survey", "survey"),
        ("survey_response", "survey_response"),
    ] {
        let m: i64 = sqlx::query_scalar(&max(table))
            .fetch_one(&mut *conn)
            .await?;
        drop(conn);
        store.bump_ids(kind, m + 1).await?;
        conn = store.acquire().await?;
    }
    jiceng_store::bulk::analyze(&mut conn).await?;
    Ok(Some(GuaranteesLoad {
        funding,
        venues,
        meetings_at_venues,
        surveys,
        responses,
        seconds: t.elapsed().as_secs_f64(),
        survey_tallies,
        rollup_seconds,
    }))
}
