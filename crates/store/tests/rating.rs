//! The store's contract for ratings, weaknesses and rectification (SPEC C5), on SQLite
//! and PostgreSQL alike.

mod common;
use common::*;

use chrono::NaiveDate;
use jiceng_domain::rating::{IndicatorBook, IndicatorScore, ScoreState};
use jiceng_domain::rectification::{Case, NewMeasure, ReviewOutcome, Stage, Step};
use jiceng_domain::{Decision, OrgKind, SignalRule, WeaknessKind};
use jiceng_store::members::StoredMember;
use jiceng_store::ratings::{self, Adjustment, ManualScore, RatedOrg, StoredRating};
use jiceng_store::rectification::{self as rect, CaseFilter, Event, StoredCase};
use jiceng_store::testing::TestDb;
use jiceng_store::weak::{
    self, DisciplineCase, FundingKind, FundingRecord, ManualSignalRecord, SignalNote,
    StoredWeakness,
};
use jiceng_store::{contract_test, facts, members, orgs, Scope};

/// county(1) → town A(2) → village general branch(4) → branch(5); town A → branch(6);
/// county → town B(3) → branch(7).
async fn tree(db: &TestDb) -> Vec<String> {
    let mut list = county_and_towns(dated_org);
    list.extend([
        dated_org(4, Some(2), OrgKind::GeneralBranch, "东村党总支"),
        dated_org(5, Some(4), OrgKind::Branch, "东村第一党支部"),
        dated_org(6, Some(2), OrgKind::Branch, "西村党支部"),
        dated_org(7, Some(3), OrgKind::Branch, "南村党支部"),
    ]);
    tree_of(db, &list).await
}

fn member(id: i64, org_id: i64, path: &str, joined: &str) -> StoredMember {
    StoredMember {
        joined_on: d(joined),
        full_on: Some(d(joined) + chrono::Duration::days(366)),
        ..base_member(id, org_id, path)
    }
}

fn rating(org_id: i64, path: &str, year: i32, stars: Option<i64>) -> StoredRating {
    StoredRating {
        org_id,
        year,
        org_path: path.into(),
        set_id: "village-default".into(),
        set_version: 1,
        as_of: d("2026-12-15"),
        computed_stars: stars,
        score: stars.map(|s| s as f64 * 17.5 + 0.25),
        weight_with_data: 0.8125,
        indicators: vec![IndicatorScore {
            code: "SecretaryInPlace".into(),
            name: "书记配备到位".into(),
            weight: 10.0,
            state: ScoreState::Scored,
            score: Some(100.0),
            evidence: "书记在岗".into(),
        }],
        evidence: "得分".into(),
        adjustment: None,
    }
}

/// Refreshes the stored facts of `ids` as of 2026-12-15 with the shipped rules, and commits.
async fn refresh_and_commit(mut tx: jiceng_store::Tx<'static>, ids: &[i64]) {
    facts::refresh(&mut tx, facts::shipped_rules(), ids, d("2026-12-15"))
        .await
        .unwrap();
    tx.commit().await.unwrap();
}

/// Each org's id and the stored day the last member of its subtree joined.
fn last_joined(orgs: &[RatedOrg]) -> Vec<(i64, Option<NaiveDate>)> {
    orgs.iter().map(|o| (o.id, o.subtree_last_joined)).collect()
}

contract_test!(
    subtree_last_joined_is_a_stored_fact,
    |db: TestDb| async move {
        let p = tree(&db).await;
        let mut tx = db.store.begin().await.unwrap();
        members::insert(
            &mut tx,
            &[
                member(1, 5, &p[4], "2010-03-01"),
                member(2, 5, &p[4], "2025-07-01"),
                member(3, 6, &p[5], "2001-01-01"),
                member(4, 4, &p[3], "2019-09-09"),
            ],
        )
        .await
        .unwrap();
        refresh_and_commit(tx, &[4, 5, 6, 7]).await;
        let mut c = db.store.acquire().await.unwrap();
        let all = ratings::orgs(&mut c, &Scope::All).await.unwrap();
        assert_eq!(
            last_joined(&all),
            vec![
                (1, Some(d("2025-07-01"))),
                (2, Some(d("2025-07-01"))),
                (4, Some(d("2025-07-01"))),
                (5, Some(d("2025-07-01"))),
                (6, Some(d("2001-01-01"))),
                (3, None),
                (7, None),
            ]
        );
        drop(c);
        // A member leaving is a refresh of its org: the untouched sibling's value is read
        // from its stored fact.
        let mut tx = db.store.begin().await.unwrap();
        sqlx::query("UPDATE member SET exited_on = '2026-01-01' WHERE id = 2")
            .execute(&mut *tx)
            .await
            .unwrap();
        refresh_and_commit(tx, &[5]).await;
        let mut c = db.store.acquire().await.unwrap();
        let scoped = ratings::orgs(&mut c, &Scope::subtree(&p[1])).await.unwrap();
        assert_eq!(
            last_joined(&scoped),
            vec![
                (2, Some(d("2019-09-09"))),
                (4, Some(d("2019-09-09"))),
                (5, Some(d("2010-03-01"))),
                (6, Some(d("2001-01-01"))),
            ]
        );
        assert!(scoped.iter().all(|o| o.facts_on == Some(d("2026-12-15"))));
    }
);

contract_test!(
    ratings_replace_keep_adjustments_and_respect_scope,
    |db: TestDb| async move {
        let p = tree(&db).await;
        let mut tx = db.store.begin().await.unwrap();
        ratings::replace(
            &mut tx,
            &Scope::All,
            2026,
            &[
                rating(4, &p[3], 2026, Some(3)),
                rating(5, &p[4], 2026, Some(4)),
                rating(6, &p[5], 2026, None),
                rating(7, &p[6], 2026, Some(4)),
                rating(7, &p[6], 2025, Some(1)),
            ],
        )
        .await
        .unwrap();
        let adj = Adjustment {
            stars: 2,
            by: "dept".into(),
            reason: "群众反映强烈".into(),
            at: "2026-12-16T01:00:00Z".into(),
        };
        assert!(ratings::set_adjustment(&mut tx, 5, 2026, Some(&adj))
            .await
            .unwrap());
        assert!(!ratings::set_adjustment(&mut tx, 99, 2026, Some(&adj))
            .await
            .unwrap());
        tx.commit().await.unwrap();

        let mut c = db.store.acquire().await.unwrap();
        let town_a = Scope::subtree(&p[1]);
        let got = ratings::get(&mut c, &town_a, 5, 2026)
            .await
            .unwrap()
            .unwrap();
        assert_eq!(got.stars(), Some(2));
        assert_eq!(got.computed_stars, Some(4));
        assert_eq!(got.score, Some(70.25));
        assert_eq!(got.weight_with_data, 0.8125);
        assert_eq!(got.indicators[0].evidence, "书记在岗");
        assert_eq!(got.adjustment.as_ref().unwrap().reason, "群众反映强烈");
        // Out of scope: not found.
        assert!(ratings::get(&mut c, &town_a, 7, 2026)
            .await
            .unwrap()
            .is_none());
        let dist = ratings::distribution(&mut c, &town_a, 2026).await.unwrap();
        assert_eq!(
            dist.into_iter().collect::<Vec<_>>(),
            vec![(None, 1), (Some(2), 1), (Some(3), 1)]
        );
        let (page, total) = ratings::list(&mut c, &Scope::All, 2026, None, 0, 2)
            .await
            .unwrap();
        assert_eq!(total, 4);
        assert_eq!(
            page.iter().map(|r| r.org_id).collect::<Vec<_>>(),
            vec![4, 5]
        );
        let (none, n) = ratings::list(&mut c, &Scope::All, 2026, Some(None), 0, 10)
            .await
            .unwrap();
        assert_eq!((n, none[0].org_id), (1, 6));
        let (fours, n) = ratings::list(&mut c, &Scope::All, 2026, Some(Some(4)), 0, 10)
            .await
            .unwrap();
        assert_eq!((n, fours[0].org_id), (1, 7));
        let adjs = ratings::adjustments(&mut c, &town_a, 2026).await.unwrap();
        assert_eq!(adjs.len(), 1);
        drop(c);

        // Re-rating town A's 2026 leaves town B and 2025 alone.
        let mut tx = db.store.begin().await.unwrap();
        let mut again = rating(5, &p[4], 2026, Some(5));
        again.adjustment = adjs.get(&5).cloned();
        ratings::replace(&mut tx, &town_a, 2026, &[again])
            .await
            .unwrap();
        tx.commit().await.unwrap();
        let mut c = db.store.acquire().await.unwrap();
        let (_, total) = ratings::list(&mut c, &Scope::All, 2026, None, 0, 10)
            .await
            .unwrap();
        assert_eq!(total, 2);
        let r = ratings::get(&mut c, &Scope::All, 5, 2026)
            .await
            .unwrap()
            .unwrap();
        assert_eq!((r.computed_stars, r.stars()), (Some(5), Some(2)));
        assert!(ratings::get(&mut c, &Scope::All, 7, 2025)
            .await
            .unwrap()
            .is_some());
        // A page without its count is the same page.
        for stars in [None, Some(None), Some(Some(2)), Some(Some(4))] {
            let (listed, _) = ratings::list(&mut c, &Scope::All, 2026, stars, 0, 10)
                .await
                .unwrap();
            let paged = ratings::page(&mut c, &Scope::All, 2026, stars, 0, 10)
                .await
                .unwrap();
            assert_eq!(listed, paged, "stars {stars:?}");
        }

        // After a big batch the tables are settled: on PostgreSQL vacuumed and analyzed
        // (the planner then counts the rows and reads the stars index alone).
        jiceng_store::bulk::settle(&mut c, &["rating", "weakness"])
            .await
            .unwrap();
        if db.backend() == jiceng_store::Backend::Postgres {
            let vacuumed: i64 = sqlx::query_scalar(
                "SELECT COUNT(*) FROM pg_stat_user_tables WHERE relname IN ('rating', 'weakness') \
                 AND last_vacuum IS NOT NULL AND last_analyze IS NOT NULL",
            )
            .fetch_one(&mut *c)
            .await
            .unwrap();
            assert_eq!(vacuumed, 2);
        }
    }
);

contract_test!(manual_scores_and_indicator_sets, |db: TestDb| async move {
    let p = tree(&db).await;
    let mut tx = db.store.begin().await.unwrap();
    for score in [60.0, 85.5] {
        ratings::set_manual_score(
            &mut tx,
            &ManualScore {
                org_id: 5,
                year: 2026,
                code: "WorkPerformance".into(),
                org_path: p[4].clone(),
                score,
                reason: "述职评议".into(),
                scored_by: "dept".into(),
            },
        )
        .await
        .unwrap();
    }
    let mut set = IndicatorBook::shipped().sets()[0].clone();
    set.version = 7;
    set.name = "修订版".into();
    ratings::save_indicator_set(&mut tx, &set, "dept")
        .await
        .unwrap();
    ratings::save_indicator_set(&mut tx, &set, "dept")
        .await
        .unwrap();
    tx.commit().await.unwrap();
    let mut c = db.store.acquire().await.unwrap();
    let m = ratings::manual_scores(&mut c, &Scope::subtree(&p[1]), 2026)
        .await
        .unwrap();
    assert_eq!(m[&5]["WorkPerformance"], 85.5);
    assert!(ratings::manual_scores(&mut c, &Scope::subtree(&p[2]), 2026)
        .await
        .unwrap()
        .is_empty());
    let sets = ratings::indicator_sets(&mut c).await.unwrap();
    assert_eq!(sets, vec![set]);
});

fn weakness(org_id: i64, path: &str, kind: WeaknessKind, status: Decision) -> StoredWeakness {
    StoredWeakness {
        org_id,
        year: 2026,
        kind,
        org_path: path.into(),
        status,
        signals: vec![SignalNote {
            rule: SignalRule::SecretaryVacant,
            evidence: "书记自2026-08-01起空缺".into(),
            source: None,
        }],
        diagnosed_on: d("2026-12-15"),
        decided_by: (status != Decision::Suspected).then(|| "dept".into()),
        decided_at: None,
        reason: (status != Decision::Suspected).then(|| "核实属实".into()),
    }
}

contract_test!(
    weaknesses_keep_decisions_across_diagnoses,
    |db: TestDb| async move {
        let p = tree(&db).await;
        let mut tx = db.store.begin().await.unwrap();
        weak::replace_suspected(
            &mut tx,
            &Scope::All,
            2026,
            &[
                weakness(5, &p[4], WeaknessKind::Paralysis, Decision::Suspected),
                weakness(5, &p[4], WeaknessKind::Disunity, Decision::Suspected),
                weakness(7, &p[6], WeaknessKind::Idleness, Decision::Suspected),
            ],
        )
        .await
        .unwrap();
        weak::upsert(
            &mut tx,
            &weakness(5, &p[4], WeaknessKind::Paralysis, Decision::Confirmed),
        )
        .await
        .unwrap();
        tx.commit().await.unwrap();
        // Diagnosing town A again: Disunity is gone, Paralysis stays confirmed (its suspicion
        // is not written twice), town B untouched.
        let mut tx = db.store.begin().await.unwrap();
        weak::replace_suspected(
            &mut tx,
            &Scope::subtree(&p[1]),
            2026,
            &[
                weakness(5, &p[4], WeaknessKind::Paralysis, Decision::Suspected),
                weakness(6, &p[5], WeaknessKind::Poverty, Decision::Suspected),
            ],
        )
        .await
        .unwrap();
        tx.commit().await.unwrap();
        let mut c = db.store.acquire().await.unwrap();
        let all: Vec<(i64, WeaknessKind, Decision)> = weak::list(&mut c, &Scope::All, 2026)
            .await
            .unwrap()
            .iter()
            .map(|w| (w.org_id, w.kind, w.status))
            .collect();
        assert_eq!(
            all,
            vec![
                (5, WeaknessKind::Paralysis, Decision::Confirmed),
                (6, WeaknessKind::Poverty, Decision::Suspected),
                (7, WeaknessKind::Idleness, Decision::Suspected),
            ]
        );
        let mine = weak::of_org(&mut c, 5, 2026).await.unwrap();
        assert_eq!(mine[0].reason.as_deref(), Some("核实属实"));
        assert_eq!(mine[0].signals[0].rule, SignalRule::SecretaryVacant);
        assert!(weak::list(&mut c, &Scope::All, 2025)
            .await
            .unwrap()
            .is_empty());
    }
);

contract_test!(records_for_signals, |db: TestDb| async move {
    let p = tree(&db).await;
    let id = db.store.reserve_ids("weakness_signal", 1).await.unwrap();
    let cid = db.store.reserve_ids("discipline_case", 1).await.unwrap();
    let mut tx = db.store.begin().await.unwrap();
    weak::insert_signal(
        &mut tx,
        &ManualSignalRecord {
            id,
            org_id: 6,
            year: 2026,
            kind: WeaknessKind::Disorder,
            org_path: p[5].clone(),
            evidence: "群体性上访3次".into(),
            source: "县信访局通报".into(),
            recorded_by: "dept".into(),
        },
    )
    .await
    .unwrap();
    weak::insert_case(
        &mut tx,
        &DisciplineCase {
            id: cid,
            org_id: 7,
            year: 2026,
            org_path: p[6].clone(),
            decided_on: d("2026-05-01"),
            subject: "村党支部书记".into(),
            summary: "违规发放补贴".into(),
            sanction: Some("党内严重警告".into()),
            source: "县纪委监委通报".into(),
            recorded_by: "dept".into(),
            team: true,
        },
    )
    .await
    .unwrap();
    for amount in [1_000_000, 4_500_050] {
        weak::upsert_funding(
            &mut tx,
            &FundingRecord {
                org_id: 6,
                year: 2026,
                kind: FundingKind::CollectiveIncome,
                source: weak::FundingSource::Collective,
                org_path: p[5].clone(),
                amount_fen: amount,
                note: Some("村财务报表".into()),
                recorded_by: "dept".into(),
            },
        )
        .await
        .unwrap();
    }
    tx.commit().await.unwrap();
    let mut c = db.store.acquire().await.unwrap();
    let a = Scope::subtree(&p[1]);
    let s = weak::signals(&mut c, &a, 2026).await.unwrap();
    assert_eq!((s.len(), s[0].kind), (1, WeaknessKind::Disorder));
    assert!(weak::cases(&mut c, &a, 2026).await.unwrap().is_empty());
    let cases = weak::cases(&mut c, &Scope::All, 2026).await.unwrap();
    assert_eq!(cases[0].sanction.as_deref(), Some("党内严重警告"));
    let f = weak::funding(&mut c, &a, 2026).await.unwrap();
    assert_eq!(f.len(), 1);
    assert_eq!(f[0].amount_fen, 4_500_050);
    assert!(weak::funding(&mut c, &a, 2025).await.unwrap().is_empty());
});

contract_test!(
    rectification_cases_measures_timeline_overdue,
    |db: TestDb| async move {
        let p = tree(&db).await;
        let t = d("2026-12-15");
        let mut case = Case::open(vec![WeaknessKind::Paralysis, WeaknessKind::Disunity], t);
        case.apply(
            Step::Plan {
                measures: vec![
                    NewMeasure {
                        text: "选配书记".into(),
                        owner: "镇组织委员".into(),
                        deadline: d("2027-01-31"),
                    },
                    NewMeasure {
                        text: "恢复三会一课".into(),
                        owner: "支部".into(),
                        deadline: d("2027-03-31"),
                    },
                ],
            },
            t,
        )
        .unwrap();
        let id = db.store.reserve_ids("rectification", 1).await.unwrap();
        let stored = StoredCase {
            id,
            org_id: 5,
            year: 2026,
            org_path: p[4].clone(),
            case,
        };
        let eid = db
            .store
            .reserve_ids("rectification_event", 1)
            .await
            .unwrap();
        let mut tx = db.store.begin().await.unwrap();
        rect::save(&mut tx, &stored).await.unwrap();
        rect::add_event(
            &mut tx,
            &Event {
                id: eid,
                case_id: id,
                org_path: p[4].clone(),
                on: t,
                step: "plan".into(),
                from: Stage::Diagnosed,
                to: Stage::Planned,
                summary: "整改措施：…".into(),
                actor: "dept".into(),
            },
        )
        .await
        .unwrap();
        tx.commit().await.unwrap();

        let mut c = db.store.acquire().await.unwrap();
        let got = rect::get(&mut c, &Scope::subtree(&p[1]), 5, 2026)
            .await
            .unwrap()
            .unwrap();
        assert_eq!(got, stored);
        assert!(rect::get(&mut c, &Scope::subtree(&p[2]), 5, 2026)
            .await
            .unwrap()
            .is_none());
        let ev = rect::events(&mut c, id).await.unwrap();
        assert_eq!((ev.len(), ev[0].to), (1, Stage::Planned));
        // Overdue on Feb 1: measure 1; not in town B.
        let late = rect::overdue(&mut c, &Scope::All, d("2027-02-01"))
            .await
            .unwrap();
        assert_eq!(late.len(), 1);
        assert_eq!((late[0].0, late[0].1.seq), (id, 1));
        assert!(
            rect::overdue(&mut c, &Scope::subtree(&p[2]), d("2027-02-01"))
                .await
                .unwrap()
                .is_empty()
        );
        assert_eq!(
            rect::list(&mut c, &Scope::All, CaseFilter::Open)
                .await
                .unwrap()
                .len(),
            1
        );
        drop(c);

        // Done and accepted: nothing overdue, no longer open; the review outcome round-trips.
        let mut s = stored.clone();
        let feb = d("2027-02-10");
        s.case
            .apply(
                Step::Assign {
                    cadre: "县委常委".into(),
                    departments: vec!["县委组织部".into()],
                },
                feb,
            )
            .unwrap();
        s.case
            .apply(
                Step::Progress {
                    text: "书记已到岗".into(),
                    evidence: "任职文件".into(),
                },
                feb,
            )
            .unwrap();
        for seq in [1, 2] {
            s.case
                .apply(
                    Step::CompleteMeasure {
                        seq,
                        done_on: feb,
                        note: None,
                    },
                    feb,
                )
                .unwrap();
        }
        s.case
            .apply(
                Step::Accept {
                    note: "合格".into(),
                },
                feb,
            )
            .unwrap();
        s.case
            .apply(
                Step::Review {
                    outcome: ReviewOutcome::Consolidated,
                    note: "稳定".into(),
                },
                d("2028-02-10"),
            )
            .unwrap();
        let mut tx = db.store.begin().await.unwrap();
        rect::save(&mut tx, &s).await.unwrap();
        tx.commit().await.unwrap();
        let mut c = db.store.acquire().await.unwrap();
        assert!(rect::overdue(&mut c, &Scope::All, d("2028-03-01"))
            .await
            .unwrap()
            .is_empty());
        assert!(rect::list(&mut c, &Scope::All, CaseFilter::Open)
            .await
            .unwrap()
            .is_empty());
        let back = rect::list(&mut c, &Scope::All, CaseFilter::Year(2026))
            .await
            .unwrap();
        assert_eq!(back, vec![s]);
    }
);

contract_test!(
    moving_an_org_moves_its_c5_records,
    |db: TestDb| async move {
        let p = tree(&db).await;
        let mut tx = db.store.begin().await.unwrap();
        ratings::replace(
            &mut tx,
            &Scope::All,
            2026,
            &[rating(5, &p[4], 2026, Some(3))],
        )
        .await
        .unwrap();
        weak::upsert(
            &mut tx,
            &weakness(5, &p[4], WeaknessKind::Paralysis, Decision::Confirmed),
        )
        .await
        .unwrap();
        // Move the general branch (with branch 5) from town A to town B.
        let new = orgs::move_subtree(&mut tx, 4, 3).await.unwrap();
        tx.commit().await.unwrap();
        let mut c = db.store.acquire().await.unwrap();
        let b = Scope::subtree(&p[2]);
        assert!(new.starts_with(&p[2]));
        let r = ratings::get(&mut c, &b, 5, 2026).await.unwrap().unwrap();
        assert!(r.org_path.starts_with(&new));
        assert_eq!(weak::list(&mut c, &b, 2026).await.unwrap().len(), 1);
        assert!(weak::list(&mut c, &Scope::subtree(&p[1]), 2026)
            .await
            .unwrap()
            .is_empty());
    }
);
