//! The store's contract, run against SQLite and PostgreSQL alike.

mod common;
use common::*;

use jiceng_domain::{
    Coverage, Domain, Gender, MemberStatus, OperatingStatus, OrgKind, Position, PositionKind, Unit,
};
use jiceng_store::members::StoredMember;
use jiceng_store::testing::TestDb;
use jiceng_store::units::StoredUnit;
use jiceng_store::{contract_test, facts, members, orgs, positions, units, Scope};

fn member(id: i64, org_id: i64, path: &str, status: MemberStatus) -> StoredMember {
    StoredMember {
        gender: if id % 3 == 0 {
            Gender::Female
        } else {
            Gender::Male
        },
        status,
        full_on: if status == MemberStatus::Full {
            Some(d("2006-07-01"))
        } else {
            None
        },
        occupation: Some("农民".into()),
        ..base_member(id, org_id, path)
    }
}

/// county(1) → town A(2) → village branch(4), village branch(5); county → town B(3) → branch(6)
async fn tree(db: &TestDb) -> Vec<String> {
    let mut list = county_and_towns(dated_org);
    list.extend([
        dated_org(4, Some(2), OrgKind::Branch, "东村党支部"),
        dated_org(5, Some(2), OrgKind::Branch, "西村党支部"),
        dated_org(6, Some(3), OrgKind::Branch, "东村党支部"),
    ]);
    tree_of(db, &list).await
}

contract_test!(migrations_are_idempotent, |db: TestDb| async move {
    // Opening again applies nothing new and keeps the data.
    tree(&db).await;
    let again = jiceng_store::Store::open(&db.url).await.unwrap();
    let applied = jiceng_store::migrate::run(&again).await.unwrap();
    assert!(applied.is_empty());
    let mut c = again.acquire().await.unwrap();
    assert_eq!(orgs::count(&mut c, &Scope::All).await.unwrap(), 6);
    drop(c);
    again.close().await;
});

contract_test!(scope_sees_its_subtree_only, |db: TestDb| async move {
    let paths = tree(&db).await;
    let town_a = Scope::subtree(&paths[1]);
    let mut c = db.store.acquire().await.unwrap();
    let listed: Vec<i64> = orgs::list(&mut c, &town_a)
        .await
        .unwrap()
        .iter()
        .map(|o| o.org.id)
        .collect();
    assert_eq!(listed, vec![2, 4, 5]);
    // A sibling's org is invisible by id, by code and by name.
    assert!(orgs::get(&mut c, &town_a, 6).await.unwrap().is_none());
    assert!(orgs::get_by_code(&mut c, &town_a, "C6")
        .await
        .unwrap()
        .is_none());
    assert_eq!(
        orgs::find_by_name(&mut c, &town_a, "东村党支部")
            .await
            .unwrap()
            .len(),
        1
    );
    assert_eq!(
        orgs::find_by_name(&mut c, &Scope::All, "东村党支部")
            .await
            .unwrap()
            .len(),
        2
    );
    assert!(orgs::get(&mut c, &Scope::Nothing, 1)
        .await
        .unwrap()
        .is_none());
    assert_eq!(
        orgs::children(&mut c, &Scope::All, 2).await.unwrap().len(),
        2
    );
    // Ids past 35 change the base-36 width: ranges must still be exact.
    let mut tx = db.store.begin().await.unwrap();
    orgs::insert(
        &mut tx,
        &[
            dated_org(36, Some(1), OrgKind::PrimaryCommittee, "丙镇党委"),
            dated_org(1296, Some(36), OrgKind::Branch, "南村党支部"),
        ],
    )
    .await
    .unwrap();
    tx.commit().await.unwrap();
    let n = orgs::list(&mut c, &town_a).await.unwrap().len();
    assert_eq!(n, 3);
    let county = orgs::get(&mut c, &Scope::All, 1).await.unwrap().unwrap();
    assert_eq!(
        orgs::count(&mut c, &Scope::subtree(&county.path))
            .await
            .unwrap(),
        8
    );
});

contract_test!(
    members_are_scoped_searched_and_matched,
    |db: TestDb| async move {
        let paths = tree(&db).await;
        let mut tx = db.store.begin().await.unwrap();
        members::insert(
            &mut tx,
            &[
                member(10, 4, &paths[3], MemberStatus::Full),
                member(11, 4, &paths[3], MemberStatus::Probationary),
                member(12, 6, &paths[5], MemberStatus::Full),
            ],
        )
        .await
        .unwrap();
        tx.commit().await.unwrap();
        let mut c = db.store.acquire().await.unwrap();
        let a = Scope::subtree(&paths[1]);
        let (page, total) = members::search(&mut c, &a, None, 0, 10).await.unwrap();
        assert_eq!(total, 2);
        assert!(page.iter().all(|m| m.org_id == 4));
        let (_, total) = members::search(&mut c, &a, Some("成员12"), 0, 10)
            .await
            .unwrap();
        assert_eq!(total, 0, "a member of the other town is not found by name");
        assert!(members::get(&mut c, &a, 12).await.unwrap().is_none());
        assert!(members::get(&mut c, &Scope::All, 12)
            .await
            .unwrap()
            .is_some());
        let found = members::by_id_hashes(&mut c, &["hash11".into(), "nope".into()])
            .await
            .unwrap();
        assert_eq!(found.len(), 1);
        assert_eq!(found[0].status, MemberStatus::Probationary);
        let mut m = found[0].clone();
        m.name = "改名".into();
        members::update(&mut c, &m).await.unwrap();
        assert_eq!(
            members::get(&mut c, &Scope::All, 11)
                .await
                .unwrap()
                .unwrap()
                .name,
            "改名"
        );
        let mut n = 0;
        members::for_each_in_scope(&mut c, &Scope::All, |_| n += 1)
            .await
            .unwrap();
        assert_eq!(n, 3);
    }
);

contract_test!(
    a_failed_transaction_writes_nothing,
    |db: TestDb| async move {
        let paths = tree(&db).await;
        let mut tx = db.store.begin().await.unwrap();
        members::insert(&mut tx, &[member(10, 4, &paths[3], MemberStatus::Full)])
            .await
            .unwrap();
        // The same ID hash twice violates the unique index.
        let mut dup = member(11, 4, &paths[3], MemberStatus::Full);
        dup.id_hash = "hash10".into();
        assert!(members::insert(&mut tx, &[dup]).await.is_err());
        drop(tx);
        let mut c = db.store.acquire().await.unwrap();
        let (_, total) = members::search(&mut c, &Scope::All, None, 0, 10)
            .await
            .unwrap();
        assert_eq!(total, 0);
    }
);

contract_test!(
    facts_roll_up_and_refresh_incrementally,
    |db: TestDb| async move {
        let paths = tree(&db).await;
        let day = d("2026-06-30");
        let mut tx = db.store.begin().await.unwrap();
        let mut ms = Vec::new();
        for i in 0..5 {
            ms.push(member(
                100 + i,
                4,
                &paths[3],
                if i < 4 {
                    MemberStatus::Full
                } else {
                    MemberStatus::Probationary
                },
            ));
        }
        for i in 0..3 {
            ms.push(member(200 + i, 6, &paths[5], MemberStatus::Full));
        }
        members::insert(&mut tx, &ms).await.unwrap();
        positions::insert(
            &mut tx,
            &[
                Position {
                    id: 1,
                    member_id: 100,
                    org_id: 4,
                    kind: PositionKind::Secretary,
                    started_on: Some(d("2024-01-01")),
                    ended_on: None,
                },
                Position {
                    id: 2,
                    member_id: 200,
                    org_id: 6,
                    kind: PositionKind::Secretary,
                    started_on: Some(d("2020-01-01")),
                    ended_on: Some(d("2026-01-15")),
                },
            ],
        )
        .await
        .unwrap();
        let unit =
            |id: i64, org_id: i64, path: &str, coverage: Coverage, status: OperatingStatus| {
                StoredUnit {
                    unit: Unit {
                        id,
                        name: format!("单位{id}"),
                        credit_code: None,
                        domain: Domain::NonPublicEnterprise,
                        region_code: None,
                        status,
                        employees: Some(20),
                        full_members: 3,
                        coverage,
                        org_id,
                        instructor: None,
                    },
                    org_path: path.into(),
                }
            };
        units::insert(
            &mut tx,
            &[
                unit(
                    1,
                    4,
                    &paths[3],
                    Coverage::OwnOrg,
                    OperatingStatus::Operating,
                ),
                unit(
                    2,
                    5,
                    &paths[4],
                    Coverage::JointOrg,
                    OperatingStatus::Operating,
                ),
                unit(
                    3,
                    5,
                    &paths[4],
                    Coverage::JointOrg,
                    OperatingStatus::Operating,
                ),
                unit(
                    4,
                    2,
                    &paths[1],
                    Coverage::Uncovered,
                    OperatingStatus::Operating,
                ),
                unit(
                    5,
                    2,
                    &paths[1],
                    Coverage::Instructor,
                    OperatingStatus::Closed,
                ),
            ],
        )
        .await
        .unwrap();
        facts::refresh(&mut tx, facts::shipped_rules(), &[4, 5, 6, 2], day)
            .await
            .unwrap();
        tx.commit().await.unwrap();

        let mut c = db.store.acquire().await.unwrap();
        let county = orgs::by_ids(&mut c, &[1]).await.unwrap().remove(0);
        assert_eq!(
            (county.facts.subtree_members, county.facts.subtree_full),
            (8, 7)
        );
        let b4 = orgs::by_ids(&mut c, &[4]).await.unwrap().remove(0);
        assert_eq!(
            (
                b4.facts.direct_members,
                b4.facts.direct_full,
                b4.facts.units_covered
            ),
            (5, 4, 1)
        );
        assert!(b4.facts.has_secretary);
        let b6 = orgs::by_ids(&mut c, &[6]).await.unwrap().remove(0);
        assert!(!b6.facts.has_secretary);
        assert_eq!(b6.facts.secretary_vacant_since, Some(d("2026-01-15")));
        let b5 = orgs::by_ids(&mut c, &[5]).await.unwrap().remove(0);
        assert_eq!(b5.facts.units_covered, 2);
        let (stats, cov, on) = facts::stats(&mut c, 1).await.unwrap().unwrap();
        assert_eq!(on, day);
        assert_eq!(stats.total, 8);
        assert_eq!(stats.probationary, 1);
        let t = cov.total();
        assert_eq!(
            (t.operating, t.own_org, t.org_covered, t.work_covered),
            (4, 1, 3, 3)
        );

        // Adding one member to town B's branch changes B and the county, not town A.
        let mut tx = db.store.begin().await.unwrap();
        members::insert(&mut tx, &[member(300, 6, &paths[5], MemberStatus::Full)])
            .await
            .unwrap();
        let n = facts::refresh(&mut tx, facts::shipped_rules(), &[6], day)
            .await
            .unwrap();
        tx.commit().await.unwrap();
        assert_eq!(n, 3, "the branch and its two ancestors");
        let county = orgs::by_ids(&mut c, &[1]).await.unwrap().remove(0);
        assert_eq!(county.facts.subtree_members, 9);
        let (stats, _, _) = facts::stats(&mut c, 1).await.unwrap().unwrap();
        assert_eq!(stats.total, 9);
        let town_a = orgs::by_ids(&mut c, &[2]).await.unwrap().remove(0);
        assert_eq!(town_a.facts.subtree_members, 5);

        // Gap candidates: the uncovered operating unit and the jointly covered ones with 3 full.
        let g = units::gap_candidates(&mut c, &Scope::subtree(&paths[0]), 3)
            .await
            .unwrap();
        let ids: Vec<i64> = g.iter().map(|u| u.unit.id).collect();
        assert_eq!(ids, vec![2, 3, 4]);
    }
);

contract_test!(moving_a_subtree_rewrites_paths, |db: TestDb| async move {
    let paths = tree(&db).await;
    let mut tx = db.store.begin().await.unwrap();
    members::insert(&mut tx, &[member(10, 4, &paths[3], MemberStatus::Full)])
        .await
        .unwrap();
    // Branch 4 (under town A) moves to town B.
    let new = orgs::move_subtree(&mut tx, 4, 3).await.unwrap();
    tx.commit().await.unwrap();
    let mut c = db.store.acquire().await.unwrap();
    let b = Scope::subtree(&paths[2]);
    let ids: Vec<i64> = orgs::list(&mut c, &b)
        .await
        .unwrap()
        .iter()
        .map(|o| o.org.id)
        .collect();
    assert_eq!(ids.len(), 3);
    assert!(ids.contains(&4));
    let moved = orgs::get(&mut c, &Scope::All, 4).await.unwrap().unwrap();
    assert_eq!(moved.path, new);
    assert_eq!(moved.org.parent_id, Some(3));
    assert_eq!(moved.depth, 3);
    assert!(
        members::get(&mut c, &b, 10).await.unwrap().is_some(),
        "the member moved with the branch"
    );
    assert!(members::get(&mut c, &Scope::subtree(&paths[1]), 10)
        .await
        .unwrap()
        .is_none());
    // An org cannot move under its own descendant.
    let mut tx = db.store.begin().await.unwrap();
    assert!(orgs::move_subtree(&mut tx, 3, 4).await.is_err());
});

contract_test!(ids_are_reserved_in_blocks, |db: TestDb| async move {
    tree(&db).await;
    let a = db.store.reserve_ids("org", 10).await.unwrap();
    assert_eq!(a, 7, "starts after the stored maximum");
    let b = db.store.reserve_ids("org", 5).await.unwrap();
    assert_eq!(b, 17);
    db.store.bump_ids("org", 100).await.unwrap();
    assert_eq!(db.store.reserve_ids("org", 1).await.unwrap(), 100);
});

contract_test!(
    ids_ahead_are_unique_across_handles,
    |db: TestDb| async move {
        // Two handles on one database (two server processes), each taking ids one at a time
        // from blocks it reserved ahead, concurrently with plain reservations: no id twice.
        let other = jiceng_store::Store::open(&db.url).await.unwrap();
        let mut seen = std::collections::HashSet::new();
        let mut tasks = Vec::new();
        for i in 0..8 {
            let s = if i % 2 == 0 {
                db.store.clone()
            } else {
                other.clone()
            };
            tasks.push(tokio::spawn(async move {
                let mut got = Vec::new();
                for _ in 0..100 {
                    got.push(s.next_id("survey_response").await.unwrap());
                }
                got.push(s.reserve_ids("survey_response", 1).await.unwrap());
                got
            }));
        }
        for t in tasks {
            for id in t.await.unwrap() {
                assert!(seen.insert(id), "id {id} handed out twice");
            }
        }
        assert_eq!(seen.len(), 808);
        other.close().await;
    }
);

contract_test!(
    every_path_column_is_rewritten_by_a_move,
    |db: TestDb| async move {
        // The schema's own list of path columns (every `*_path` column of every table), read
        // from the database; `tree::PATH_COLUMNS` must name each, or a move would leave
        // records under the old path (outside every scope that should see them).
        let store = jiceng_store::Store::open(&db.url).await.unwrap();
        let mut conn = store.acquire().await.unwrap();
        let mut schema: Vec<(String, String)> = match store.backend() {
            jiceng_store::Backend::Sqlite => {
                let tables: Vec<(String,)> = sqlx::query_as(
                "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'",
            )
            .fetch_all(&mut *conn)
            .await
            .unwrap();
                let mut cols = vec![];
                for (t,) in tables {
                    let names: Vec<(String,)> =
                        sqlx::query_as(&format!("SELECT name FROM pragma_table_info('{t}')"))
                            .fetch_all(&mut *conn)
                            .await
                            .unwrap();
                    cols.extend(names.into_iter().map(|(c,)| (t.clone(), c)));
                }
                cols
            }
            jiceng_store::Backend::Postgres => sqlx::query_as(
                "SELECT table_name::TEXT, column_name::TEXT FROM information_schema.columns \
             WHERE table_schema = current_schema()",
            )
            .fetch_all(&mut *conn)
            .await
            .unwrap(),
        };
        schema.retain(|(t, c)| {
            c.ends_with("_path")
                && t != "org"
                && !jiceng_store::tree::KEPT_PATH_COLUMNS
                    .iter()
                    .any(|(kt, kc, _)| kt == t && kc == c)
        });
        schema.sort();
        let mut listed: Vec<(String, String)> = jiceng_store::tree::PATH_COLUMNS
            .iter()
            .map(|(t, c)| (t.to_string(), c.to_string()))
            .collect();
        listed.sort();
        assert!(
            schema.len() >= 15,
            "the schema has its path columns: {schema:?}"
        );
        assert_eq!(
            schema, listed,
            "every *_path column of the schema is rewritten by tree::move_subtree"
        );
    }
);

contract_test!(
    a_members_group_is_set_alone_and_only_in_its_org,
    |db: TestDb| async move {
        let paths = tree(&db).await;
        let mut tx = db.store.begin().await.unwrap();
        members::insert(
            &mut tx,
            &[
                member(1, 4, &paths[3], MemberStatus::Full),
                member(2, 4, &paths[3], MemberStatus::Full),
                member(3, 5, &paths[4], MemberStatus::Full),
            ],
        )
        .await
        .unwrap();
        // Member 1 is edited meanwhile: setting the group keeps that edit.
        let mut one = member(1, 4, &paths[3], MemberStatus::Full);
        one.occupation = Some("教师".into());
        members::update(&mut tx, &one).await.unwrap();
        // Org 4 asks for 1, 2 and 3 in its group 40: member 3 is another org's.
        let changed = members::set_group(&mut tx, 4, &[1, 2, 3], Some(40))
            .await
            .unwrap();
        tx.commit().await.unwrap();
        assert_eq!(changed, 2);
        let mut c = db.store.acquire().await.unwrap();
        let read = members::by_ids(&mut c, &Scope::All, &[1, 2, 3])
            .await
            .unwrap();
        let group = |id: i64| read.iter().find(|m| m.id == id).unwrap().group_id;
        assert_eq!((group(1), group(2), group(3)), (Some(40), Some(40), None));
        assert_eq!(
            read.iter()
                .find(|m| m.id == 1)
                .unwrap()
                .occupation
                .as_deref(),
            Some("教师")
        );
        // Out of the group again; a full-row update carries the group as read.
        let mut tx = db.store.begin().await.unwrap();
        assert_eq!(members::set_group(&mut tx, 4, &[2], None).await.unwrap(), 1);
        tx.commit().await.unwrap();
        let two = members::get(&mut c, &Scope::All, 2).await.unwrap().unwrap();
        assert_eq!(two.group_id, None);
        let one = members::get(&mut c, &Scope::All, 1).await.unwrap().unwrap();
        let mut tx = db.store.begin().await.unwrap();
        members::update(&mut tx, &one).await.unwrap();
        tx.commit().await.unwrap();
        let again = members::get(&mut c, &Scope::All, 1).await.unwrap().unwrap();
        assert_eq!(again.group_id, Some(40));
    }
);

contract_test!(
    a_statement_run_with_a_null_number_then_a_number_keeps_working,
    |db: TestDb| async move {
        // sqlx 0.8's `Any` sends a NULL f64 to PostgreSQL as float4: the same insert run
        // first with no score (a measure 暂无数据) and then with one (the cached statement's
        // parameter typed float4) failed with "incorrect binary data format" until the
        // binder sent NULLs as float8.
        // The stored gaps of a big region's leaf orgs (JSON text, NULL when not stored)
        // round-trip with them.
        use jiceng_domain::scorecard::{org_gaps, Scored, WeakestRules};
        use jiceng_store::scorecard::{replace, Built, StoredCard};
        let rules = WeakestRules {
            target: None,
            tail_share: Some(0.1),
            list_max: 3,
        };
        let gaps = |score: Option<f64>| {
            let leaves: Vec<Scored> = (0..7)
                .map(|i| Scored {
                    id: i,
                    weight: 1.0,
                    scores: [Some(i as f64 * 13.7), None, None, score, None],
                })
                .collect();
            score.map(|_| Box::new(org_gaps(&leaves, &rules)))
        };
        let card = |score: Option<f64>| StoredCard {
            org_id: 1,
            parent_id: None,
            org_path: "/1/".into(),
            leaf: true,
            orgs: 1,
            inputs: Default::default(),
            scores: [Some(50.0), None, None, score, None],
            org_gaps: gaps(score),
            weak: jiceng_domain::weakness::WeakTally {
                diagnosed: 3,
                weak_orgs: score.map_or(0, |_| 1),
                ..Default::default()
            },
        };
        let built = Built {
            built_at: "2026-12-01T00:00:00Z".into(),
            rules_fingerprint: "x".into(),
        };
        let mut c = db.store.acquire().await.unwrap();
        for score in [None, Some(75.0), None, Some(80.0)] {
            replace(&mut c, "2026", &built, &[card(score)])
                .await
                .unwrap();
            let got = jiceng_store::scorecard::get(&mut c, "2026", 1)
                .await
                .unwrap()
                .unwrap();
            assert_eq!(got.scores[3], score);
            assert_eq!(got.weak, card(score).weak);
            let stored = jiceng_store::scorecard::org_gaps(&mut c, "2026", 1)
                .await
                .unwrap();
            assert_eq!(stored.map(Box::new), gaps(score));
        }
    }
);

contract_test!(
    a_rotation_waits_for_the_writers_holding_the_key,
    |db: TestDb| async move {
        use jiceng_store::protection::{hold_key_fingerprint, set_key_fingerprint};
        use std::time::Duration;
        // What a writer that encrypts holds.
        async fn held(tx: &mut jiceng_store::Conn) -> Option<String> {
            hold_key_fingerprint(tx, false).await.unwrap()
        }
        let mut tx = db.store.begin().await.unwrap();
        set_key_fingerprint(&mut tx, "old").await.unwrap();
        tx.commit().await.unwrap();
        // A writer that encrypts holds the key until its commit.
        let mut writer = db.store.begin().await.unwrap();
        assert_eq!(held(&mut writer).await.as_deref(), Some("old"));
        if db.backend() == jiceng_store::Backend::Postgres {
            // Another writer shares it at once.
            let mut other = db.store.begin().await.unwrap();
            let shared = tokio::time::timeout(
                Duration::from_secs(5),
                hold_key_fingerprint(&mut other, false),
            )
            .await
            .expect("writers share the key");
            assert_eq!(shared.unwrap().as_deref(), Some("old"));
            other.commit().await.unwrap();
        }
        // The rotation waits for the writer, then sees and changes the latest value.
        let store = db.store.clone();
        let rotation = tokio::spawn(async move {
            let mut tx = store.begin().await.unwrap();
            let seen = hold_key_fingerprint(&mut tx, true).await.unwrap();
            set_key_fingerprint(&mut tx, "new").await.unwrap();
            tx.commit().await.unwrap();
            seen
        });
        tokio::time::sleep(Duration::from_millis(300)).await;
        assert!(!rotation.is_finished(), "the rotation waits for the writer");
        writer.commit().await.unwrap();
        let seen = tokio::time::timeout(Duration::from_secs(10), rotation)
            .await
            .expect("the rotation goes on after the writer's commit")
            .unwrap();
        assert_eq!(seen.as_deref(), Some("old"));
        // A writer after the rotation sees the new key.
        let mut after = db.store.begin().await.unwrap();
        assert_eq!(held(&mut after).await.as_deref(), Some("new"));
        after.commit().await.unwrap();
    }
);
