//! 检验标准 stored per org and period (issue #19) on SQLite and PostgreSQL: the test
//! township (镇党委 → 东村 (→ 南村), 西村党总支 → 西村第一, 镇机关) with 群众诉求 planted
//! on two leaf branches — 镇机关 all resolved to the requesters' satisfaction, 西村第一
//! with one open past its deadline and one requester dissatisfied. The scores are
//! computed here by hand from the default rules' ranges and weights (docs/SCORECARD.md):
//! the card's 人民是否满意 and its indicators, a measure without records (暂无数据),
//! the children's heat map, the weakest link naming 西村第一, the figures as stored until
//! the period is built again, a secretary vacancy counted, and who may read and build.

mod common;

use common::*;
use jiceng_app::access::{Actor, BuildScorecard, Role, ScoreDevelopment, ViewScorecard};
use jiceng_app::org_admin::EventInput;
use jiceng_app::scorecard::Period;
use jiceng_app::scorecard::{self, Card};
use jiceng_app::App;
use jiceng_domain::mass_request::Feedback;
use jiceng_domain::scorecard::Measure;
use jiceng_store::contract_test;
use jiceng_store::testing::TestDb;

/// The default rules' linear normalisation: 0 at `floor`, 100 at `target`.
fn lin(p: f64, floor: f64, target: f64) -> f64 {
    if p <= floor {
        0.0
    } else if p >= target {
        100.0
    } else {
        100.0 * (p - floor) / (target - floor)
    }
}

/// 人民是否满意 from requests alone (no survey): resolved (0.5–1, weight 2), in time
/// (0.5–1, weight 1), feedback satisfied (0.6–1, weight 1).
fn satisfaction(received: f64, resolved: f64, overdue: f64, given: f64, pleased: f64) -> f64 {
    let r = lin(resolved / received, 0.5, 1.0);
    let t = lin((received - overdue) / received, 0.5, 1.0);
    let f = lin(pleased / given, 0.6, 1.0);
    (2.0 * r + t + f) / 4.0
}

async fn card_of_period(app: &App, key: &str, period: Period) -> Card {
    let grant = dept().grant::<ViewScorecard>().unwrap();
    let o = org(app, &dept(), key).await.unwrap();
    scorecard::card(app, &grant, &o, period).await.unwrap()
}

async fn card_of(app: &App, actor: &Actor, key: &str) -> Card {
    let grant = actor.grant::<ViewScorecard>().unwrap();
    let o = org(app, actor, key).await.unwrap();
    scorecard::card(app, &grant, &o, Period::Year(2026))
        .await
        .unwrap()
}

fn close(a: Option<f64>, b: f64, what: &str) {
    let a = a.unwrap_or_else(|| panic!("{what}: 暂无数据, expected {b}"));
    assert!((a - b).abs() < 1e-6, "{what}: {a} != {b}");
}

contract_test!(scorecard_of_a_township, |db: TestDb| async move {
    let app = on(&db, "2026-12-15");
    let dir = Dir::new("scorecard");
    load_township(&app, &dir, false).await;
    // 镇机关: two requests resolved, both satisfied.
    request(&app, 9001, "T005", Some(Feedback::Satisfied)).await;
    request(&app, 9002, "T005", Some(Feedback::Satisfied)).await;
    // 西村第一: three resolved (two satisfied, one not), one open since March (overdue).
    request(&app, 9003, "T004", Some(Feedback::Satisfied)).await;
    request(&app, 9004, "T004", Some(Feedback::Satisfied)).await;
    request(&app, 9005, "T004", Some(Feedback::Dissatisfied)).await;
    request(&app, 9006, "T004", None).await;
    let sat = Measure::Satisfaction.index();

    let town = card_of(&app, &dept(), "T001").await;
    let m = &town.card.measures[&Measure::Satisfaction];
    close(m.score, satisfaction(6.0, 5.0, 1.0, 5.0, 4.0), "township");
    let resolved = m
        .indicators
        .iter()
        .find(|i| i.code == "requests_resolved")
        .unwrap();
    assert_eq!((resolved.num, resolved.den), (5, 6));
    let survey = m
        .indicators
        .iter()
        .find(|i| i.code == "survey_satisfied")
        .unwrap();
    assert_eq!(survey.score, None, "no survey: 暂无数据");
    assert!(m.missing.iter().any(|s| s.contains("群众满意度测评")));
    let dev = &town.card.measures[&Measure::Development];
    assert_eq!(dev.score, None, "no collective income, no hand score");
    assert!(!town.built_at.is_empty() && town.freshness().starts_with("截至 "));

    // The heat map: the township's children in path order, each its subtree's figure.
    let kids: Vec<(&str, Option<f64>)> = town
        .children
        .iter()
        .map(|c| (c.org.name.as_str(), c.scores[sat]))
        .collect();
    assert_eq!(kids.len(), 3, "{kids:?}");
    let of = |name: &str| kids.iter().find(|k| k.0 == name).unwrap().1;
    assert_eq!(of("东村党支部"), None, "no request below 东村");
    let weak = satisfaction(4.0, 3.0, 1.0, 3.0, 2.0);
    close(of("西村党总支"), weak, "西村党总支");
    close(
        of("镇机关党支部"),
        satisfaction(2.0, 2.0, 0.0, 2.0, 2.0),
        "镇机关",
    );
    let west = town.children.iter().find(|c| c.org.code == "T003").unwrap();
    assert_eq!(west.orgs, 2, "西村党总支 and its branch are rated");

    // The weakest link over the leaf orgs names 西村第一 for 人民是否满意.
    let gap = &town.weakest.by_measure[sat];
    let orgs = gap.orgs.as_ref().expect("leaf orgs with a score");
    assert_eq!(orgs.with_data, 2, "南村 has no request: no data");
    let first = orgs.ranked.first().expect("one below the median");
    assert_eq!(town.name_of(first.org), "西村第一党支部");
    close(Some(first.score), weak, "西村第一 in the list");

    // A new record shows only once the period is built again.
    exec(
        &app,
        &format!(
            "UPDATE mass_request SET resolved_on = '2026-12-01', resolve_days = 275, \
             feedback = '{}' WHERE id = 9006",
            Feedback::Satisfied.code()
        ),
    )
    .await;
    let stale = card_of(&app, &dept(), "T001").await;
    assert_eq!(stale.card, town.card, "read, not computed");
    let grant = dept().grant::<BuildScorecard>().unwrap();
    let done = scorecard::rebuild(&app, &grant, Period::Year(2026))
        .await
        .unwrap();
    assert_eq!(done.orgs, 6);
    let fresh = card_of(&app, &dept(), "T001").await;
    close(
        fresh.card.measures[&Measure::Satisfaction].score,
        satisfaction(6.0, 6.0, 0.0, 6.0, 5.0),
        "rebuilt",
    );

    // A secretary vacancy recorded at 西村第一 (no secretary on record before): one more
    // org judged at the township, none more in office; 西村党总支's subtree 0 of 1.
    let sec = |c: &Card| {
        let i = c.card.measures[&Measure::CadreQuality]
            .indicators
            .iter()
            .find(|i| i.code == "secretary_in_place")
            .unwrap()
            .clone();
        (i.num, i.den)
    };
    let before = sec(&fresh);
    let vacant = EventInput {
        kind: "secretary_vacant".into(),
        on: d("2026-05-01"),
        until: None,
    };
    record_event(
        &app,
        &dept(),
        org_id(&app, "T004").await,
        &vacant,
        "书记调离",
    )
    .await
    .unwrap();
    scorecard::rebuild(&app, &grant, Period::Year(2026))
        .await
        .unwrap();
    let after = card_of(&app, &dept(), "T001").await;
    assert_eq!(sec(&after), (before.0, before.1 + 1));
    assert_eq!(sec(&card_of(&app, &dept(), "T003").await), (0, 1));

    // Access: a branch secretary reads his own subtree; a member reads none; only the
    // department builds.
    assert!(Actor::for_test(8, "m", Role::Member)
        .grant::<ViewScorecard>()
        .is_err());
    assert!(Actor::for_test(9, "c", Role::Committee)
        .grant::<BuildScorecard>()
        .is_err());
    assert!(Actor::for_test(10, "s", Role::Secretary)
        .grant::<ViewScorecard>()
        .is_ok());
});

contract_test!(
    the_daily_refresh_builds_the_running_periods_built_before_today,
    |db: TestDb| async move {
        let at = |s: &str| {
            chrono::NaiveDateTime::parse_from_str(s, "%Y-%m-%d %H:%M")
                .unwrap()
                .and_utc()
        };
        let mut app = on(&db, "2026-12-15");
        let dir = Dir::new("scorecard-daily");
        load_township(&app, &dir, false).await;
        let grant = dept().grant::<BuildScorecard>().unwrap();
        // Nothing built: nothing to refresh (a period's first read builds it).
        assert!(scorecard::refresh_current(&app).await.unwrap().is_empty());
        // The year built yesterday (China time): built again today, the half-year not
        // (never built), and not twice in a day.
        app.fixed_now = Some(at("2026-12-14 10:00"));
        scorecard::rebuild(&app, &grant, Period::Year(2026))
            .await
            .unwrap();
        scorecard::rebuild(&app, &grant, Period::Year(2025))
            .await
            .unwrap();
        app.fixed_now = Some(at("2026-12-15 01:00"));
        let done = scorecard::refresh_current(&app).await.unwrap();
        assert_eq!(
            done,
            vec!["2026".to_string()],
            "2025 is over; 2026H2 unbuilt"
        );
        assert!(scorecard::refresh_current(&app).await.unwrap().is_empty());
        // Built at 2026-12-14 17:00 UTC is already 12-15 in China: not stale.
        app.fixed_now = Some(at("2026-12-14 17:00"));
        scorecard::rebuild(&app, &grant, Period::Half(2026, 2))
            .await
            .unwrap();
        assert!(scorecard::refresh_current(&app).await.unwrap().is_empty());
    }
);

/// The (num, den) of an indicator of the org's card.
fn indicator(c: &Card, m: Measure, code: &str) -> (i64, i64) {
    let i = c.card.measures[&m]
        .indicators
        .iter()
        .find(|i| i.code == code)
        .unwrap_or_else(|| panic!("{code}"));
    (i.num, i.den)
}

contract_test!(
    an_election_kept_on_the_row_only_is_judged_as_the_structure_checks_judge_it,
    |db: TestDb| async move {
        // Rows written before the dated facts, or by the generator, carry the last
        // election on the org row and no election event: 按期换届 reads the row, as the
        // structure checks do, instead of calling the term unknown.
        let app = on(&db, "2026-12-15");
        let dir = Dir::new("scorecard-row-election");
        load_township(&app, &dir, false).await;
        let grant = dept().grant::<BuildScorecard>().unwrap();
        let east = org_id(&app, "T002").await;
        let term = |c: &Card| indicator(c, Measure::CadreQuality, "term_current");
        exec(
            &app,
            &format!("DELETE FROM org_event WHERE org_id = {east} AND kind = 'election'"),
        )
        .await;
        exec(
            &app,
            &format!("UPDATE org SET last_election_on = NULL WHERE id = {east}"),
        )
        .await;
        scorecard::rebuild(&app, &grant, Period::Year(2026))
            .await
            .unwrap();
        let unknown = term(&card_of(&app, &dept(), "T001").await);
        let unknown_east = term(&card_of(&app, &dept(), "T002").await);
        // An election two years ago on the row only: judged, and current (3-year term).
        exec(
            &app,
            &format!("UPDATE org SET last_election_on = '2024-05-01' WHERE id = {east}"),
        )
        .await;
        scorecard::rebuild(&app, &grant, Period::Year(2026))
            .await
            .unwrap();
        let town = card_of(&app, &dept(), "T001").await;
        assert_eq!(term(&town), (unknown.0 + 1, unknown.1 + 1));
        assert_eq!(
            term(&card_of(&app, &dept(), "T002").await),
            (unknown_east.0 + 1, unknown_east.1 + 1),
            "东村 itself judged, 南村 below it as before"
        );
        // One after the day judged did not happen yet: 2025 does not count it.
        let year_2025 = async |row: &str| {
            exec(
                &app,
                &format!("UPDATE org SET last_election_on = '{row}' WHERE id = {east}"),
            )
            .await;
            scorecard::rebuild(&app, &grant, Period::Year(2025))
                .await
                .unwrap();
            term(&card_of_period(&app, "T002", Period::Year(2025)).await)
        };
        let later = year_2025("2026-03-01").await;
        let before = year_2025("2024-05-01").await;
        assert_eq!(
            before,
            (later.0 + 1, later.1 + 1),
            "not yet elected on 2025-12-31"
        );
    }
);

contract_test!(a_quarter_is_a_period_of_its_own, |db: TestDb| async move {
    // 2026Q3's requests are those received July–September; the quarter's card is stored
    // under its own code beside the year's.
    let app = on(&db, "2026-12-15");
    let dir = Dir::new("scorecard-quarter");
    load_township(&app, &dir, false).await;
    request(&app, 9101, "T005", Some(Feedback::Satisfied)).await; // 2026-03-01
    request(&app, 9102, "T005", None).await;
    exec(
        &app,
        "UPDATE mass_request SET received_on = '2026-08-10' WHERE id = 9102",
    )
    .await;
    let p = scorecard::period("2026Q3").unwrap();
    assert_eq!(p, Period::Quarter(2026, 3));
    assert!(scorecard::period("2026Q5").is_err());
    let grant = dept().grant::<ViewScorecard>().unwrap();
    let o = org(&app, &dept(), "T005").await.unwrap();
    let q3 = scorecard::card(&app, &grant, &o, p).await.unwrap();
    assert_eq!(q3.period, "2026Q3");
    assert_eq!(q3.period_label, "2026年第三季度");
    assert_eq!(q3.as_of, d("2026-09-30"));
    assert_eq!(
        indicator(&q3, Measure::Satisfaction, "requests_resolved"),
        (0, 1),
        "only August's open request"
    );
    let year = scorecard::card(&app, &grant, &o, Period::Year(2026))
        .await
        .unwrap();
    assert_eq!(
        indicator(&year, Measure::Satisfaction, "requests_resolved"),
        (1, 2)
    );
    let q1 = scorecard::card(&app, &grant, &o, Period::Quarter(2026, 1))
        .await
        .unwrap();
    assert_eq!(
        indicator(&q1, Measure::Satisfaction, "requests_resolved"),
        (1, 1)
    );
});

contract_test!(
    the_department_scores_development_by_hand_and_the_period_counts_it,
    |db: TestDb| async move {
        // 发展成效 is the one indicator no record yields: a hand score per org and period,
        // summed up the tree (points / orgs scored), counted on the period's next read.
        let app = on(&db, "2026-12-15");
        let dir = Dir::new("scorecard-hand");
        load_township(&app, &dir, false).await;
        let dev = |c: &Card| {
            let m = &c.card.measures[&Measure::Development];
            (
                indicator(c, Measure::Development, "development_score"),
                m.score,
            )
        };
        let before = card_of(&app, &dept(), "T001").await;
        assert_eq!(
            dev(&before),
            ((0, 0), None),
            "no collective income, no hand score"
        );
        let grant = dept().grant::<ScoreDevelopment>().unwrap();
        let give = async |key: &str, period: Period, score: Option<i64>, reason: &str| {
            let o = org(&app, &dept(), key).await.unwrap();
            scorecard::hand::give(&app, &grant, &o, period, score, reason).await
        };
        let year = Period::Year(2026);
        give("T004", year, Some(60), "村集体经济项目进展较慢")
            .await
            .unwrap();
        give("T005", year, Some(90), "服务群众成效明显")
            .await
            .unwrap();
        let town = card_of(&app, &dept(), "T001").await;
        assert_eq!(dev(&town), ((150, 2), Some(75.0)), "read again: built anew");
        assert_eq!(dev(&card_of(&app, &dept(), "T003").await).0, (60, 1));
        let view = dept().grant::<ViewScorecard>().unwrap();
        let o = org(&app, &dept(), "T004").await.unwrap();
        let given = scorecard::hand::given(&app, &view, &o, year).await.unwrap();
        assert_eq!(
            given.map(|g| (g.score, g.reason)),
            Some((60, "村集体经济项目进展较慢".into()))
        );
        // Another period has none of them.
        let h1 = card_of_period(&app, "T001", Period::Half(2026, 1)).await;
        assert_eq!(dev(&h1).0, (0, 0));

        // Refused: out of range, no reason, a period not begun, nothing to take back.
        for (score, reason, period) in [
            (Some(101), "理由充分", year),
            (Some(-1), "理由充分", year),
            (Some(80), " ", year),
            (Some(80), "理由充分", Period::Year(2027)),
            (None, "撤销", Period::Quarter(2026, 1)),
        ] {
            let e = give("T004", period, score, reason).await.unwrap_err();
            assert!(matches!(e, jiceng_app::AppError::Input(_)), "{e:?}");
        }
        // Taken back: the township's figure is 西村第一's alone.
        give("T005", year, None, "评分有误，撤销").await.unwrap();
        assert_eq!(
            dev(&card_of(&app, &dept(), "T001").await),
            ((60, 1), Some(60.0))
        );
        // Only the department scores.
        for role in [Role::Committee, Role::Secretary, Role::Member] {
            assert!(Actor::for_test(11, "x", role)
                .grant::<ScoreDevelopment>()
                .is_err());
        }
    }
);

contract_test!(
    a_trend_reads_the_stored_snapshots_and_builds_none,
    |db: TestDb| async move {
        let app = on(&db, "2026-12-15");
        let dir = Dir::new("scorecard-trend");
        load_township(&app, &dir, false).await;
        request(&app, 9201, "T005", Some(Feedback::Satisfied)).await;
        let view = dept().grant::<ViewScorecard>().unwrap();
        let o = org(&app, &dept(), "T003").await.unwrap();
        let year = scorecard::card(&app, &view, &o, Period::Year(2026))
            .await
            .unwrap();
        let q1 = scorecard::card(&app, &view, &o, Period::Quarter(2026, 1))
            .await
            .unwrap();
        let periods = [
            Period::Year(2025),
            Period::Quarter(2026, 1),
            Period::Half(2026, 1),
            Period::Year(2026),
        ];
        let t = scorecard::trend(&app, &view, &o, &periods).await.unwrap();
        let got: Vec<(&str, bool)> = t
            .iter()
            .map(|p| (p.period.as_str(), p.built_at.is_some()))
            .collect();
        assert_eq!(
            got,
            [
                ("2025", false),
                ("2026Q1", true),
                ("2026H1", false),
                ("2026", true)
            ]
        );
        assert_eq!(t[0].scores, None, "never built: not built by the trend");
        assert_eq!(t[1].scores, Some(q1.card.scores()));
        assert_eq!(t[3].scores, Some(year.card.scores()));
        assert_eq!(
            (t[1].short.as_str(), t[3].label.as_str()),
            ("2026Q1", "2026年度")
        );
        // Still unbuilt after the trend.
        let again = scorecard::trend(&app, &view, &o, &periods[..1])
            .await
            .unwrap();
        assert_eq!(again[0].built_at, None);
    }
);

contract_test!(
    a_regions_weakest_link_read_from_its_stored_org_gaps_is_the_same,
    |db: TestDb| async move {
        // The build stores the leaf orgs' gaps of every region with at least
        // `scorecard_gaps_from` of them; the card then reads them instead of the leaves.
        let mut app = on(&db, "2026-12-15");
        let dir = Dir::new("scorecard-gaps");
        load_township(&app, &dir, false).await;
        request(&app, 9001, "T005", Some(Feedback::Satisfied)).await;
        request(&app, 9003, "T004", Some(Feedback::Dissatisfied)).await;
        request(&app, 9004, "T004", None).await;
        let build = dept().grant::<BuildScorecard>().unwrap();
        let keys = ["T001", "T002", "T003", "T004", "T005", "T006"];
        let period = Period::Year(2026);
        let stored = async |app: &App, key: &str| {
            let o = org(app, &dept(), key).await.unwrap();
            let mut c = app.store().acquire().await.unwrap();
            jiceng_store::scorecard::org_gaps(&mut c, "2026", o.org.id)
                .await
                .unwrap()
        };

        app.scorecard_gaps_from = usize::MAX;
        scorecard::rebuild(&app, &build, period).await.unwrap();
        let mut read = Vec::new();
        for key in keys {
            assert!(stored(&app, key).await.is_none(), "{key}");
            read.push(card_of_period(&app, key, period).await);
        }

        app.scorecard_gaps_from = 2;
        scorecard::rebuild(&app, &build, period).await.unwrap();
        // The township has three leaf orgs below it (南村, 西村第一, 镇机关); 东村 and
        // 西村党总支 one each, read from the leaves as before.
        assert!(stored(&app, "T001").await.is_some());
        assert!(stored(&app, "T002").await.is_none());
        assert!(stored(&app, "T003").await.is_none());
        let town = &read[0].weakest;
        assert!(town.measure.is_some() && !town.orgs.is_empty(), "{town:?}");
        for (key, before) in keys.into_iter().zip(&read) {
            let now = card_of_period(&app, key, period).await;
            assert_eq!(now.weakest, before.weakest, "{key}");
            assert_eq!(now.card, before.card, "{key}");
            assert_eq!(now.names, before.names, "{key}");
        }
        // The township's card reads what is stored, not its leaves: stored gaps of no
        // org with a score leave its weakest link without orgs.
        let mut c = app.store().acquire().await.unwrap();
        let none = "[null,null,null,null,null]";
        sqlx::query(&format!(
            "UPDATE scorecard_org SET org_gaps = '{none}' WHERE org_gaps IS NOT NULL"
        ))
        .execute(&mut *c)
        .await
        .unwrap();
        drop(c);
        let town = card_of_period(&app, "T001", period).await;
        assert!(town.weakest.orgs.is_empty());
        assert!(town.weakest.by_measure.iter().all(|g| g.orgs.is_none()));
    }
);
