//! The survey overviews' reads on a copy of a data set whose seeded surveys are multiplied
//! `K` times (each copy a survey of the same org, its batch and answers), so that a county
//! holds as many surveys as a province: the bulk refresh of their figures, then at the root
//! and a township the stored reads (`survey_report`: totals, the list, those below 60 %)
//! against the totals counted from the records (`survey_raw::totals`, the reads the report
//! made before migration 47). Warm medians of 20 runs. Writes into the set: give a copy.
//! `cargo run --release -p jiceng-bench --example survey_probe -- sqlite:///…/copy.db K TOWNSHIP_PATH`

use std::time::{Duration, Instant};

use jiceng_store::survey_report::{self, Within};
use jiceng_store::{survey_raw, survey_tally, Scope, Store};

async fn median<F, Fut>(mut f: F) -> anyhow::Result<Duration>
where
    F: FnMut() -> Fut,
    Fut: std::future::Future<Output = anyhow::Result<()>>,
{
    f().await?;
    let mut t = Vec::new();
    for _ in 0..20 {
        let s = Instant::now();
        f().await?;
        t.push(s.elapsed());
    }
    t.sort();
    Ok(t[t.len() / 2])
}

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let a: Vec<String> = std::env::args().collect();
    let store = Store::open(&a[1]).await?;
    let k: i64 = a[2].parse()?;
    let township = a[3].clone();
    let mut tx = store.begin().await?;
    let year: i64 = sqlx::query_scalar("SELECT MAX(year) FROM survey")
        .fetch_one(&mut *tx)
        .await?;
    let base: i64 = sqlx::query_scalar("SELECT MAX(id) + 1 FROM survey")
        .fetch_one(&mut *tx)
        .await?;
    let rbase: i64 = sqlx::query_scalar("SELECT MAX(id) + 1 FROM survey_response")
        .fetch_one(&mut *tx)
        .await?;
    for c in 1..k {
        let (off, roff) = (base * c, rbase * c);
        for sql in [
            format!(
                "INSERT INTO survey (id, org_id, org_path, org_name, period, year, template, questions, \
                 opened_on, closed_on, opened_by, opened_at) SELECT id + {off}, org_id, org_path, org_name, \
                 period, year, template, questions, opened_on, closed_on, opened_by, opened_at \
                 FROM survey WHERE id < {base}"
            ),
            format!(
                "INSERT INTO survey_batch (survey_id, batch, tokens, issued_on, issued_by) \
                 SELECT survey_id + {off}, batch, tokens, issued_on, issued_by FROM survey_batch \
                 WHERE survey_id < {base}"
            ),
            format!(
                "INSERT INTO survey_response (id, survey_id, answered_on, scores, rated, satisfied, comment) \
                 SELECT id + {roff}, survey_id + {off}, answered_on, scores, rated, satisfied, comment \
                 FROM survey_response WHERE id < {rbase}"
            ),
        ] {
            sqlx::query(&sql).execute(&mut *tx).await?;
        }
    }
    let t = Instant::now();
    let rows = survey_tally::rebuild(&mut tx).await?;
    let rebuild = t.elapsed();
    tx.commit().await?;
    let mut conn = store.acquire().await?;
    let n: (i64, i64) = sqlx::query_as(
        "SELECT (SELECT COUNT(*) FROM survey), (SELECT COUNT(*) FROM survey_response)",
    )
    .fetch_one(&mut *conn)
    .await?;
    jiceng_store::bulk::analyze(&mut conn).await?;
    jiceng_store::bulk::settle(&mut conn, &["survey", "survey_tally"]).await?;
    drop(conn);
    println!(
        "{} surveys, {} responses; rebuild (figures and {rows} tally rows): {:.2} s",
        n.0,
        n.1,
        rebuild.as_secs_f64()
    );
    let root: String = {
        let mut conn = store.acquire().await?;
        sqlx::query_scalar("SELECT path FROM org WHERE parent_id IS NULL ORDER BY id LIMIT 1")
            .fetch_one(&mut *conn)
            .await?
    };
    let w = Within {
        year: year as i32,
        period: None,
    };
    for (label, p) in [("root", root.as_str()), ("township", township.as_str())] {
        let store = &store;
        let stored_totals = median(|| async move {
            let mut c = store.acquire().await?;
            survey_report::totals(&mut c, p, w).await?;
            Ok(())
        })
        .await?;
        let raw_totals = median(|| async move {
            let mut c = store.acquire().await?;
            survey_raw::totals(&mut c, &Scope::subtree(p), Some(year as i32), None).await?;
            Ok(())
        })
        .await?;
        let list = median(|| async move {
            let mut c = store.acquire().await?;
            survey_report::list(&mut c, p, w, 500).await?;
            Ok(())
        })
        .await?;
        let list_all = median(|| async move {
            let mut c = store.acquire().await?;
            survey_report::list_all(&mut c, p, 500).await?;
            Ok(())
        })
        .await?;
        let below = median(|| async move {
            let mut c = store.acquire().await?;
            survey_report::below(&mut c, p, w, 600, 500).await?;
            Ok(())
        })
        .await?;
        let ms = |d: Duration| d.as_secs_f64() * 1000.0;
        println!(
            "{label:9} totals stored {:.2} ms (from the records {:.2} ms); list {:.2} ms; all years {:.2} ms; below 60 % {:.2} ms",
            ms(stored_totals),
            ms(raw_totals),
            ms(list),
            ms(list_all),
            ms(below)
        );
    }
    Ok(())
}
