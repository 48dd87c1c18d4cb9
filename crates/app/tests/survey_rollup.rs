//! 群众满意度测评's stored figures (migration 0047) on SQLite and PostgreSQL: after a
//! realistic sequence — a survey of 南村 issued, answered and closed, a second of 东村
//! issued and answered while open, a third of 西村 for the other half, 南村 moved under
//! 西村党总支 — each survey's figures, each org's tally (at the moved org, its old and new
//! parent and the root) and the report's lists equal what is counted from the records;
//! `survey_tally::rebuild` writes the same rows again.

mod common;

use std::collections::HashMap;

use common::*;
use jiceng_app::access::{Actor, Role, RunSurveys};
use jiceng_app::surveys::{self, Answered};
use jiceng_domain::path;
use jiceng_domain::survey::SurveyPeriod;
use jiceng_store::survey_tally::{self, Figures};
use jiceng_store::testing::TestDb;
use jiceng_store::{contract_test, survey_raw, Scope};

async fn answer(app: &jiceng_app::App, code: &str, scores: [i64; 3]) -> Answered {
    let by: HashMap<&str, String> = ["work", "secretary", "service"]
        .into_iter()
        .zip(scores.map(|s| s.to_string()))
        .collect();
    surveys::answer(app, code, |q| by.get(q).cloned(), "")
        .await
        .unwrap()
}

/// Every org on `org_path` (root first): its stored figures of `year`/`period` equal
/// those counted from the records of its subtree.
async fn assert_tallies(
    app: &jiceng_app::App,
    org_path: &str,
    year: Option<i32>,
    period: Option<&str>,
) {
    let mut conn = app.store().acquire().await.unwrap();
    let parts: Vec<&str> = org_path.split('/').filter(|s| !s.is_empty()).collect();
    for depth in 1..=parts.len() {
        let at = format!("/{}/", parts[..depth].join("/"));
        let id = *path::ids(&at).last().unwrap();
        let stored = survey_tally::of_org(&mut conn, id, year, period)
            .await
            .unwrap();
        let raw = survey_raw::totals(&mut conn, &Scope::subtree(&at), year, period)
            .await
            .unwrap();
        assert_eq!(stored, raw, "org {id} at {at}, {year:?} {period:?}");
    }
}

async fn tally_rows(
    conn: &mut jiceng_store::Conn,
) -> Vec<(i64, String, i64, i64, i64, i64, i64, i64)> {
    sqlx::query_as(
        "SELECT org_id, period, surveys, still_open, issued, responses, ratings, satisfied \
         FROM survey_tally WHERE surveys <> 0 OR issued <> 0 ORDER BY org_id, period",
    )
    .fetch_all(&mut *conn)
    .await
    .unwrap()
}

/// Each survey's stored figures equal its records'.
async fn assert_each(app: &jiceng_app::App) {
    let mut conn = app.store().acquire().await.unwrap();
    let raw = survey_raw::each(&mut conn, &Scope::All).await.unwrap();
    assert!(!raw.is_empty());
    for (id, f) in raw {
        let stored = jiceng_store::surveys::counts_of(&mut conn, id)
            .await
            .unwrap();
        assert_eq!(
            stored,
            (f.issued, f.responses, f.ratings, f.satisfied),
            "survey {id}"
        );
    }
}

/// Everything checked: the tallies on each org's path for the year, each half and all
/// years, each survey, and the report's lists against the records.
async fn assert_all(app: &jiceng_app::App, paths: &[&str]) {
    for p in paths {
        for (year, period) in [
            (Some(2026), None),
            (Some(2026), Some("2026H1")),
            (Some(2026), Some("2026H2")),
            (None, None),
        ] {
            assert_tallies(app, p, year, period).await;
        }
    }
    assert_each(app).await;
}

contract_test!(
    stored_survey_figures_equal_the_records_after_issue_answer_close_and_a_move,
    |db: TestDb| async move {
        let app = on(&db, "2026-12-05");
        let dir = Dir::new("survey-rollup");
        load_township(&app, &dir, false).await;
        let township = sys_org(&app, "T001").await;
        let committee =
            Actor::for_test(12, "zuzhi", Role::Committee).at(township.org.id, &township.path);
        let run = committee.grant::<RunSurveys>().unwrap();
        let home = org(&app, &committee, "T001").await.unwrap();
        let dong = org(&app, &committee, "T002").await.unwrap();
        let xi = org(&app, &committee, "T003").await.unwrap();
        let nan = org(&app, &committee, "T006").await.unwrap();
        assert!(
            nan.path.starts_with(&dong.path),
            "南村 is under 东村 at first"
        );

        // 南村 2026H2: 5 tokens, 3 answers (5,4,3 | 1,2,2 | 3,3,1: 5 of 9 satisfied), closed.
        let a = surveys::open(&app, &run, &nan, "2026H2").await.unwrap();
        let b = surveys::issue(&app, &run, &nan, a, Some(5)).await.unwrap();
        for (code, s) in b.codes.iter().zip([[5, 4, 3], [1, 2, 2], [3, 3, 1]]) {
            assert_eq!(answer(&app, code, s).await, Answered::Recorded);
        }
        assert_eq!(
            answer(&app, &b.codes[0], [5, 5, 5]).await,
            Answered::Refused(surveys::Ballot::Used),
            "a used token moves nothing"
        );
        assert_all(&app, &[&nan.path]).await;
        surveys::close(&app, &run, &nan, a).await.unwrap();
        assert_all(&app, &[&nan.path]).await;

        // 东村 2026 (the year): two batches, 4 answers, left open.
        let c = surveys::open(&app, &run, &dong, "2026").await.unwrap();
        let b1 = surveys::issue(&app, &run, &dong, c, Some(3)).await.unwrap();
        let b2 = surveys::issue(&app, &run, &dong, c, Some(4)).await.unwrap();
        for (code, s) in
            b1.codes
                .iter()
                .chain(&b2.codes[..2])
                .zip([[5, 5, 5], [2, 2, 2], [4, 3, 2], [1, 5, 5]])
        {
            assert_eq!(answer(&app, code, s).await, Answered::Recorded);
        }
        // 西村 2026H1: 2 tokens, 1 answer, closed.
        let e = surveys::open(&app, &run, &xi, "2026H1").await.unwrap();
        let b = surveys::issue(&app, &run, &xi, e, Some(2)).await.unwrap();
        assert_eq!(
            answer(&app, &b.codes[0], [3, 2, 1]).await,
            Answered::Recorded
        );
        surveys::close(&app, &run, &xi, e).await.unwrap();
        assert_all(&app, &[&nan.path, &dong.path, &xi.path]).await;

        // 南村 moves under 西村党总支: its figures leave 东村's tally and join 西村's.
        jiceng_app::org_admin::move_org(
            &app,
            &committee.grant().unwrap(),
            &nan,
            &xi,
            "调整隶属关系",
        )
        .await
        .unwrap();
        let nan = org(&app, &committee, "T006").await.unwrap();
        assert!(nan.path.starts_with(&xi.path));
        assert_all(&app, &[&nan.path, &dong.path, &xi.path]).await;
        let mut conn = app.store().acquire().await.unwrap();
        let dong_h2 = survey_tally::of_org(&mut conn, dong.org.id, Some(2026), Some("2026H2"))
            .await
            .unwrap();
        assert_eq!(
            dong_h2,
            Figures::default(),
            "东村 no longer holds 南村's survey"
        );
        let xi_year = survey_tally::of_org(&mut conn, xi.org.id, Some(2026), None)
            .await
            .unwrap();
        assert_eq!(
            (
                xi_year.surveys,
                xi_year.issued,
                xi_year.responses,
                xi_year.satisfied
            ),
            (2, 7, 4, 5 + 1)
        );
        drop(conn);

        // The report reads the same as the records say, at the root and below.
        let year = SurveyPeriod::parse("2026").unwrap();
        for at in [&home, &xi, &dong, &nan] {
            let r = surveys::report(&app, at, year).await.unwrap();
            let mut conn = app.store().acquire().await.unwrap();
            let raw = survey_raw::totals(&mut conn, &Scope::subtree(&at.path), Some(2026), None)
                .await
                .unwrap();
            assert_eq!(
                (
                    r.totals.surveys,
                    r.totals.open,
                    r.totals.issued,
                    r.totals.responses
                ),
                (raw.surveys, raw.open, raw.issued, raw.responses)
            );
            let each = survey_raw::each(&mut conn, &Scope::subtree(&at.path))
                .await
                .unwrap();
            assert_eq!(r.surveys.len(), each.len(), "{}", at.org.name);
            for s in &r.surveys {
                let f = each[&s.id];
                assert_eq!((s.issued, s.responses), (f.issued, f.responses));
            }
            // Below 60 %: the closed ones with a share under it, the lowest first.
            let min = (r.min_share * 1000.0).round() as i64;
            let mut below: Vec<(f64, i64)> = each
                .iter()
                .filter(|(_, f)| {
                    f.open == 0 && f.ratings > 0 && f.satisfied * 1000 < min * f.ratings
                })
                .map(|(id, f)| (f.satisfied as f64 / f.ratings as f64, *id))
                .collect();
            below.sort_by(|x, y| x.partial_cmp(y).unwrap());
            let got: Vec<i64> = r.below.iter().map(|s| s.id).collect();
            let want: Vec<i64> = below.iter().map(|b| b.1).collect();
            assert_eq!(got, want, "{}", at.org.name);
            let l = surveys::list(&app, at).await.unwrap();
            assert_eq!(l.surveys.len(), each.len());
        }
        let r = surveys::report(&app, &home, year).await.unwrap();
        assert_eq!(r.below.iter().map(|s| s.id).collect::<Vec<_>>(), [e, a]);
        assert!(r.surveys[0].is_open(), "the open one first");

        // Made again from the records: the same rows.
        let mut conn = app.store().acquire().await.unwrap();
        let before = tally_rows(&mut conn).await;
        drop(conn);
        let mut tx = app.store().begin().await.unwrap();
        let n = survey_tally::rebuild(&mut tx).await.unwrap();
        tx.commit().await.unwrap();
        let mut conn = app.store().acquire().await.unwrap();
        let after = tally_rows(&mut conn).await;
        assert_eq!(before, after);
        assert_eq!(n, after.len());
        drop(conn);
        assert_all(&app, &[&nan.path, &dong.path, &xi.path]).await;
    }
);
