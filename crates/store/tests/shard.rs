//! The shard of the rows a Citus cluster distributes (`store/src/shard.rs`): every
//! meeting, attendance and stored month carries the top subtree its org lies in, and a
//! subtree moved into another top subtree takes its rows along. On SQLite, PostgreSQL and,
//! when `JICENG_TEST_PG` is a coordinator, the cluster (where the rows change node).

mod common;
use common::*;

use std::collections::BTreeMap;

use jiceng_domain::{path, OrgKind, Period};
use jiceng_store::meetings::{self, ListFilter};
use jiceng_store::testing::TestDb;
use jiceng_store::{contract_test, tree, Scope};

/// root(1) → 甲镇(2) → 东村(4); root → 乙镇(3) → 南村(5).
async fn two_top_subtrees(db: &TestDb) -> Vec<String> {
    let mut list = county_and_towns(dated_org);
    list.push(dated_org(4, Some(2), OrgKind::Branch, "东村党支部"));
    list.push(dated_org(5, Some(3), OrgKind::Branch, "南村党支部"));
    tree_of(db, &list).await
}

/// Meeting 1 at 东村 and 2 at 南村, each with one attendee.
async fn two_meetings(db: &TestDb, paths: &[String]) {
    theme_day_attended(db, (1, 4, &paths[3]), 11).await;
    theme_day_attended(db, (2, 5, &paths[4]), 12).await;
}

/// Every sharded row's (org or meeting id, shard), checked against its path: a meeting's
/// and a month's shard is their path's, an attendance's its meeting's.
async fn shards(db: &TestDb) -> BTreeMap<(&'static str, i64), String> {
    let mut c = db.store.acquire().await.unwrap();
    let mut out = BTreeMap::new();
    let rows: Vec<(i64, String, String)> =
        sqlx::query_as("SELECT id, org_path, shard FROM meeting")
            .fetch_all(&mut *c)
            .await
            .unwrap();
    for (id, p, shard) in rows {
        assert_eq!(shard, path::shard(&p), "meeting {id} at {p}");
        out.insert(("meeting", id), shard);
    }
    let rows: Vec<(i64, String, String)> =
        sqlx::query_as("SELECT branch_id, branch_path, shard FROM compliance_month")
            .fetch_all(&mut *c)
            .await
            .unwrap();
    for (id, p, shard) in rows {
        assert_eq!(shard, path::shard(&p), "the month of branch {id} at {p}");
        out.insert(("month", id), shard);
    }
    let rows: Vec<(i64, String)> = sqlx::query_as("SELECT meeting_id, shard FROM meeting_attendee")
        .fetch_all(&mut *c)
        .await
        .unwrap();
    for (id, shard) in rows {
        assert_eq!(
            Some(&shard),
            out.get(&("meeting", id)),
            "who attended meeting {id}"
        );
        out.insert(("attendee", id), shard);
    }
    out
}

contract_test!(
    the_sharded_rows_follow_their_subtree_into_another,
    |db: TestDb| async move {
        let paths = two_top_subtrees(&db).await;
        two_meetings(&db, &paths).await;
        let (a, b) = (path::shard(&paths[1]), path::shard(&paths[2]));
        assert_ne!(a, b);
        let before = shards(&db).await;
        assert_eq!(before.len(), 6, "two meetings, months and attendances");
        assert_eq!(before[&("meeting", 1)], a);
        assert_eq!(before[&("attendee", 2)], b);

        // 东村 moves from 甲镇 to 乙镇: its rows take 乙镇's shard, nothing else moves.
        let mut tx = db.store.begin().await.unwrap();
        let new = tree::move_subtree(&mut tx, 4, 3).await.unwrap();
        tx.commit().await.unwrap();
        let after = shards(&db).await;
        assert_eq!(after.len(), 6, "no row lost or doubled: {after:?}");
        assert!(
            after.values().all(|s| s == b),
            "every row now in 乙镇's shard: {after:?}"
        );

        // And they read as before, under the new parent.
        let mut c = db.store.acquire().await.unwrap();
        let town = Scope::subtree(&paths[2]);
        let (listed, total) = meetings::list(&mut c, &town, &ListFilter::default(), 0, 10)
            .await
            .unwrap();
        assert_eq!(total, 2);
        assert!(listed
            .iter()
            .any(|m| m.meeting.id == 1 && m.org_path == new));
        assert_eq!(meetings::attendees(&mut c, 1).await.unwrap().len(), 1);
        let facts = meetings::month_facts(&mut c, &town, &[Period::Month(2026, 7)])
            .await
            .unwrap();
        assert_eq!(facts.len(), 2, "both branches' July under 乙镇");
        let attended =
            meetings::attendance_in_scope(&mut c, &town, (d("2026-01-01"), d("2026-12-31")))
                .await
                .unwrap();
        assert_eq!(attended.len(), 2);
    }
);

contract_test!(
    a_move_inside_a_top_subtree_keeps_the_shard,
    |db: TestDb| async move {
        let mut list = county_and_towns(dated_org);
        list.push(dated_org(4, Some(2), OrgKind::Branch, "东村党支部"));
        list.push(dated_org(5, Some(3), OrgKind::Branch, "南村党支部"));
        list.push(dated_org(
            6,
            Some(2),
            OrgKind::PrimaryCommittee,
            "甲镇联合党委",
        ));
        let paths = tree_of(&db, &list).await;
        two_meetings(&db, &paths).await;
        let before = shards(&db).await;
        let mut tx = db.store.begin().await.unwrap();
        tree::move_subtree(&mut tx, 4, 6).await.unwrap();
        tx.commit().await.unwrap();
        assert_eq!(shards(&db).await, before);
    }
);
