//! 群众满意度测评 on SQLite and PostgreSQL: the township's committee opens a survey of 东村
//! for the second half of 2026 and issues a batch of ten tokens; four respondents answer
//! (one token tried twice, one forged, one answered at the same moment twice); the
//! results, the satisfaction and response rates as the hand computation says; the
//! response rows hold no token, address or time finer than the day; the audit holds
//! neither a token nor an answer; once closed, the rating's Satisfaction indicator and 软
//! of the diagnosis read it.

mod common;

use std::collections::HashMap;

use common::*;
use jiceng_app::access::{Actor, Role, RunSurveys};
use jiceng_app::surveys::{self, Answered, Ballot};
use jiceng_app::AppError;
use jiceng_domain::SignalState;
use jiceng_store::contract_test;
use jiceng_store::testing::TestDb;
use sqlx::{Column, Row};

fn staff(org: &jiceng_app::OrgRecord, role: Role, name: &str) -> Actor {
    Actor::for_test(12, name, role).at(org.org.id, &org.path)
}

fn field(e: &AppError) -> &'static str {
    match e {
        AppError::MemberLife(r) => r.field,
        other => panic!("not a refusal with a field: {other}"),
    }
}

/// Answers in question order (工作, 书记, 服务) as scores.
async fn answer(app: &jiceng_app::App, code: &str, scores: [i64; 3], comment: &str) -> Answered {
    let by: HashMap<&str, String> = ["work", "secretary", "service"]
        .into_iter()
        .zip(scores.map(|s| s.to_string()))
        .collect();
    surveys::answer(app, code, |q| by.get(q).cloned(), comment)
        .await
        .unwrap()
}

async fn satisfaction(app: &jiceng_app::App, code: &str) -> (Option<f64>, String, SignalState) {
    let org = sys_org(app, code).await;
    let r = jiceng_app::rating::org_rating(app, &org, 2026)
        .await
        .unwrap();
    let i = r
        .current
        .indicators
        .into_iter()
        .find(|i| i.code == "Satisfaction")
        .unwrap();
    let d = jiceng_app::weak::diagnosis(app, &org, 2026).await.unwrap();
    let s = d
        .signals
        .into_iter()
        .find(|s| s.rule == "LowSatisfaction")
        .unwrap();
    (i.score, format!("{} | {}", i.evidence, s.evidence), s.state)
}

contract_test!(
    a_survey_is_answered_once_per_token_and_feeds_the_rating,
    |db: TestDb| async move {
        let app = on(&db, "2026-12-05");
        let dir = Dir::new("surveys");
        load_township(&app, &dir, false).await;
        let township = sys_org(&app, "T001").await;
        let committee = staff(&township, Role::Committee, "zuzhi");
        let dong = org(&app, &committee, "T002").await.unwrap();
        let home = org(&app, &committee, "T001").await.unwrap();
        let run = committee.grant::<RunSurveys>().unwrap();
        // A secretary does not survey the masses about himself.
        assert!(staff(&township, Role::Secretary, "s")
            .grant::<RunSurveys>()
            .is_err());

        // Nothing surveyed: 暂无数据, never 0.
        let (score, e, state) = satisfaction(&app, "T002").await;
        assert_eq!(score, None, "{e}");
        assert_eq!(state, SignalState::NoData, "{e}");

        // Refused on their fields.
        let e = surveys::open(&app, &run, &dong, "2027").await.unwrap_err();
        assert_eq!(field(&e), "period");
        let e = surveys::open(&app, &run, &dong, "2026H3")
            .await
            .unwrap_err();
        assert_eq!(field(&e), "period");
        let id = surveys::open(&app, &run, &dong, "2026H2").await.unwrap();
        let e = surveys::open(&app, &run, &dong, "2026H2")
            .await
            .unwrap_err();
        assert_eq!(field(&e), "period", "the same period is already open");
        let e = surveys::issue(&app, &run, &dong, id, Some(0))
            .await
            .unwrap_err();
        assert_eq!(field(&e), "count");

        let batch = surveys::issue(&app, &run, &dong, id, Some(10))
            .await
            .unwrap();
        assert_eq!(batch.batch, 1);
        assert_eq!(batch.codes.len(), 10);
        let mut distinct = batch.codes.clone();
        distinct.sort();
        distinct.dedup();
        assert_eq!(distinct.len(), 10);
        let codes = &batch.codes;

        // The public view of a token: open, with the questionnaire and the org's name.
        match surveys::ballot(&app, &surveys::grouped(&codes[0]))
            .await
            .unwrap()
        {
            Ballot::Open {
                org_name,
                questions,
                ..
            } => {
                assert_eq!(org_name, dong.org.name);
                assert_eq!(questions.len(), 3);
            }
            other => panic!("{other:?}"),
        }
        // A forged token and rubbish are unknown.
        assert_eq!(
            surveys::ballot(&app, "ABCD-EFGH-JKMN").await.unwrap(),
            Ballot::Unknown
        );
        assert_eq!(surveys::ballot(&app, "x").await.unwrap(), Ballot::Unknown);
        assert_eq!(
            answer(&app, "ABCD-EFGH-JKMN", [5, 5, 5], "").await,
            Answered::Refused(Ballot::Unknown)
        );

        // An unanswered question is refused on its field, and the token stays unused.
        let e = surveys::answer(&app, &codes[0], |q| (q == "work").then(|| "5".into()), "")
            .await
            .unwrap_err();
        assert_eq!(field(&e), "q2");

        // Four responses: ratings 5,4,3 | 4,2,2 | 1,2,3 | 2,2,5 — 12 ratings of which 6 are
        // 很满意/满意/基本满意: 50 %. Four of ten tokens: 40 %.
        assert_eq!(
            answer(&app, &codes[0], [5, 4, 3], "村里路灯修好了").await,
            Answered::Recorded
        );
        assert_eq!(
            answer(&app, &codes[1], [4, 2, 2], "").await,
            Answered::Recorded
        );
        assert_eq!(
            answer(&app, &codes[2].to_lowercase(), [1, 2, 3], "希望多开展活动").await,
            Answered::Recorded
        );
        // The same token twice at the same moment: one answer counts.
        let (a, b) = tokio::join!(
            answer(&app, &codes[3], [2, 2, 5], ""),
            answer(&app, &codes[3], [2, 2, 5], "")
        );
        let mut both = [a, b];
        both.sort_by_key(|x| x != &Answered::Recorded);
        assert_eq!(both, [Answered::Recorded, Answered::Refused(Ballot::Used)]);
        // A token used is refused afterwards, on the page and on answering.
        assert_eq!(
            surveys::ballot(&app, &codes[0]).await.unwrap(),
            Ballot::Used
        );
        assert_eq!(
            answer(&app, &codes[0], [5, 5, 5], "").await,
            Answered::Refused(Ballot::Used)
        );

        let r = surveys::get(&app, &home, id).await.unwrap();
        assert_eq!(r.summary.responses, 4);
        assert_eq!(r.summary.issued, 10);
        assert_eq!(r.summary.response_rate_text(), "40.0%");
        assert_eq!(r.summary.satisfaction_text(), "50.0%");
        assert_eq!(r.tally.questions[0].counts, [1, 1, 0, 1, 1]);
        assert_eq!(r.mean_text(0), "3.00");
        assert_eq!(r.mean_text(1), "2.50");
        assert_eq!(r.mean_text(2), "3.25");
        let mut comments = r.comments.clone();
        comments.sort();
        assert_eq!(comments, ["希望多开展活动", "村里路灯修好了"]);
        assert_eq!(r.batches.len(), 1);
        assert_eq!((r.batches[0].tokens, r.batches[0].used), (10, 4));

        let l = surveys::list(&app, &home).await.unwrap();
        assert_eq!(l.surveys.len(), 1);
        assert!(l.surveys[0].is_open());

        // The rows: the response holds no token, no address, no time finer than the day; the
        // token table holds hashes and a flag.
        let mut c = app.store().acquire().await.unwrap();
        let rows = sqlx::query("SELECT * FROM survey_response")
            .fetch_all(&mut *c)
            .await
            .unwrap();
        assert_eq!(rows.len(), 4);
        let cols: Vec<String> = rows[0]
            .columns()
            .iter()
            .map(|c| c.name().to_string())
            .collect();
        assert_eq!(
            cols,
            [
                "id",
                "survey_id",
                "answered_on",
                "scores",
                "rated",
                "satisfied",
                "comment"
            ]
        );
        for row in &rows {
            let on: String = row.try_get("answered_on").unwrap();
            assert_eq!(on, "2026-12-05");
        }
        let token_cols: Vec<String> = sqlx::query("SELECT * FROM survey_token")
            .fetch_all(&mut *c)
            .await
            .unwrap()[0]
            .columns()
            .iter()
            .map(|c| c.name().to_string())
            .collect();
        assert_eq!(token_cols, ["hash", "survey_id", "batch", "used"]);
        let stored: Vec<String> = sqlx::query("SELECT hash FROM survey_token")
            .fetch_all(&mut *c)
            .await
            .unwrap()
            .iter()
            .map(|r| r.try_get::<String, _>("hash").unwrap())
            .collect();
        for code in codes {
            assert!(!stored.contains(code), "a token stored in clear");
            assert!(stored.contains(&surveys::token_hash(code)));
        }
        drop(c);

        // Still open: the rating does not read it yet.
        let (score, e, _) = satisfaction(&app, "T002").await;
        assert_eq!(score, None, "{e}");

        surveys::close(&app, &run, &dong, id).await.unwrap();
        let e = surveys::close(&app, &run, &dong, id).await.unwrap_err();
        assert_eq!(field(&e), "close");
        let e = surveys::issue(&app, &run, &dong, id, Some(5))
            .await
            .unwrap_err();
        assert_eq!(field(&e), "count");
        assert_eq!(
            answer(&app, &codes[5], [5, 5, 5], "").await,
            Answered::Refused(Ballot::Closed)
        );

        // Closed at 50 % < 60 % (the rule set's satisfaction_min_share): 软 fires and the
        // indicator scores 50.
        let (score, e, state) = satisfaction(&app, "T002").await;
        assert_eq!(score, Some(50.0), "{e}");
        assert_eq!(state, SignalState::Fired, "{e}");
        assert!(e.contains("满意率50.0%"), "{e}");

        // Neither a token nor an answer reaches the audit log.
        let log = format!("{:?}", audit_log(&app).await);
        for code in codes {
            assert!(!log.contains(code.as_str()), "a token in the audit log");
        }
        assert!(!log.contains("路灯"), "a comment in the audit log");
        assert!(
            log.contains("survey_tokens") || log.contains("SurveyTokens"),
            "{log}"
        );
    }
);

contract_test!(
    a_clear_survey_clears_softness_and_none_answered_is_no_data,
    |db: TestDb| async move {
        let app = on(&db, "2026-12-05");
        let dir = Dir::new("surveys-clear");
        load_township(&app, &dir, false).await;
        let township = sys_org(&app, "T001").await;
        let committee = staff(&township, Role::Committee, "zuzhi");
        let dong = org(&app, &committee, "T002").await.unwrap();
        let run = committee.grant::<RunSurveys>().unwrap();
        // Closed with no answer: 暂无数据.
        let id = surveys::open(&app, &run, &dong, "2026H1").await.unwrap();
        surveys::issue(&app, &run, &dong, id, Some(3))
            .await
            .unwrap();
        surveys::close(&app, &run, &dong, id).await.unwrap();
        let (score, e, state) = satisfaction(&app, "T002").await;
        assert_eq!(score, None, "{e}");
        assert_eq!(state, SignalState::NoData, "{e}");
        // The latest closed survey counts: 3 of 3 ratings satisfied.
        let id = surveys::open(&app, &run, &dong, "2026H2").await.unwrap();
        let b = surveys::issue(&app, &run, &dong, id, Some(3))
            .await
            .unwrap();
        assert_eq!(
            answer(&app, &b.codes[0], [3, 4, 5], "").await,
            Answered::Recorded
        );
        surveys::close(&app, &run, &dong, id).await.unwrap();
        let (score, e, state) = satisfaction(&app, "T002").await;
        assert_eq!(score, Some(100.0), "{e}");
        assert_eq!(state, SignalState::Clear, "{e}");
    }
);

contract_test!(
    the_report_totals_a_township_s_surveys_and_names_those_below_the_share,
    |db: TestDb| async move {
        let app = on(&db, "2026-12-05");
        let dir = Dir::new("surveys-report");
        load_township(&app, &dir, false).await;
        let township = sys_org(&app, "T001").await;
        let committee = staff(&township, Role::Committee, "zuzhi");
        let home = org(&app, &committee, "T001").await.unwrap();
        let run = committee.grant::<RunSurveys>().unwrap();
        // 东村 2026H2: 4 tokens, 2 answers, ratings 5,4,3 | 1,1,2 — 3 of 6 satisfied (50 %),
        // closed: below 60 %.
        let dong = org(&app, &committee, "T002").await.unwrap();
        let a = surveys::open(&app, &run, &dong, "2026H2").await.unwrap();
        let b = surveys::issue(&app, &run, &dong, a, Some(4)).await.unwrap();
        assert_eq!(
            answer(&app, &b.codes[0], [5, 4, 3], "").await,
            Answered::Recorded
        );
        assert_eq!(
            answer(&app, &b.codes[1], [1, 1, 2], "").await,
            Answered::Recorded
        );
        surveys::close(&app, &run, &dong, a).await.unwrap();
        // 西村 2026 (the year): 2 tokens, 1 answer, all satisfied; closed.
        let xi = org(&app, &committee, "T003").await.unwrap();
        let c = surveys::open(&app, &run, &xi, "2026").await.unwrap();
        let b = surveys::issue(&app, &run, &xi, c, Some(2)).await.unwrap();
        assert_eq!(
            answer(&app, &b.codes[0], [5, 5, 4], "").await,
            Answered::Recorded
        );
        surveys::close(&app, &run, &xi, c).await.unwrap();
        // 镇机关 2026H2, still open: 3 tokens, 1 answer all 非常不满意 — open, so never "below".
        let jiguan = org(&app, &committee, "T005").await.unwrap();
        let d = surveys::open(&app, &run, &jiguan, "2026H2").await.unwrap();
        let b = surveys::issue(&app, &run, &jiguan, d, Some(3))
            .await
            .unwrap();
        assert_eq!(
            answer(&app, &b.codes[0], [1, 1, 1], "").await,
            Answered::Recorded
        );

        let year = jiceng_domain::survey::SurveyPeriod::parse("2026").unwrap();
        let r = surveys::report(&app, &home, year).await.unwrap();
        assert_eq!(r.totals.surveys, 3);
        assert_eq!(r.totals.open, 1);
        assert_eq!(r.totals.issued, 9);
        assert_eq!(r.totals.responses, 4);
        // Ratings: 6 + 3 + 3 = 12, satisfied 3 + 3 + 0 = 6.
        assert_eq!(r.totals.satisfaction, Some(0.5));
        assert_eq!(r.totals.response_rate, Some(4.0 / 9.0));
        let below: Vec<&str> = r.below.iter().map(|s| s.org.code.as_str()).collect();
        assert_eq!(below, [dong.org.code.as_str()]);
        assert_eq!(r.surveys.len(), 3);
        assert!(r.surveys[0].is_open(), "the open one first");
        let sheets = r.to_sheets();
        assert_eq!(sheets.len(), 3);
        assert_eq!(sheets[1].rows.len(), 1);
        assert_eq!(sheets[2].rows.len(), 3);

        // The first half: none. The second half: the two of 2026H2, not the year's.
        let h1 = jiceng_domain::survey::SurveyPeriod::parse("2026H1").unwrap();
        let r = surveys::report(&app, &home, h1).await.unwrap();
        assert_eq!((r.totals.surveys, r.totals.satisfaction), (0, None));
        let h2 = jiceng_domain::survey::SurveyPeriod::parse("2026H2").unwrap();
        let r = surveys::report(&app, &home, h2).await.unwrap();
        assert_eq!((r.totals.surveys, r.totals.responses), (2, 3));
        // Within 西村's subtree: only its own.
        let r = surveys::report(&app, &xi, year).await.unwrap();
        assert_eq!((r.totals.surveys, r.below.len()), (1, 0));
    }
);

contract_test!(
    a_village_answering_at_once_is_written_together_and_each_token_once,
    |db: TestDb| async move {
        // 120 phones answer at the same moment, 40 of them a second time with the same
        // token: the answers are written in shared transactions, yet every token counts
        // once, every acknowledged answer is stored, and a close waits for none lost.
        let app = on(&db, "2026-12-05");
        let dir = Dir::new("surveys-crowd");
        load_township(&app, &dir, false).await;
        let township = sys_org(&app, "T001").await;
        let committee = staff(&township, Role::Committee, "zuzhi");
        let dong = org(&app, &committee, "T002").await.unwrap();
        let run = committee.grant::<RunSurveys>().unwrap();
        let id = surveys::open(&app, &run, &dong, "2026H2").await.unwrap();
        let b = surveys::issue(&app, &run, &dong, id, Some(120))
            .await
            .unwrap();
        let mut tasks = Vec::new();
        for (i, code) in b.codes.iter().chain(b.codes.iter().take(40)).enumerate() {
            let (app, code) = (app.clone(), code.clone());
            tasks.push(tokio::spawn(async move {
                let s = 1 + (i % 5) as i64;
                answer(&app, &code, [s, s, 5], "").await
            }));
        }
        let mut recorded = 0;
        let mut used = 0;
        for t in tasks {
            match t.await.unwrap() {
                Answered::Recorded => recorded += 1,
                Answered::Refused(Ballot::Used) => used += 1,
                other => panic!("{other:?}"),
            }
        }
        assert_eq!((recorded, used), (120, 40));
        let r = surveys::get(&app, &dong, id).await.unwrap();
        assert_eq!(r.summary.responses, 120);
        assert_eq!(r.batches.iter().map(|b| b.used).sum::<i64>(), 120);
        for code in &b.codes[..3] {
            assert_eq!(
                answer(&app, code, [5, 5, 5], "").await,
                Answered::Refused(Ballot::Used)
            );
        }
    }
);
