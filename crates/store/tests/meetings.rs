//! Meetings and their stored monthly facts, on SQLite and PostgreSQL alike.

mod common;
use common::*;

use jiceng_domain::{Attendance, AttendanceStatus, MeetingKind, Org, OrgKind, Period};
use jiceng_store::meetings::{self, ListFilter, StoredMeeting};
use jiceng_store::testing::TestDb;
use jiceng_store::{contract_test, orgs, Scope};

fn org(id: i64, parent: Option<i64>, kind: OrgKind, name: &str, committee: bool) -> Org {
    Org {
        founded_on: Some(d("2015-01-01")),
        committee: Some(committee),
        ..bare_org(id, parent, kind, name)
    }
}

/// county(1) → town(2) → branch(4) with groups 7, 8; town → branch(5); county → town(3) → branch(6)
async fn tree(db: &TestDb) -> Vec<String> {
    tree_of(
        db,
        &[
            org(1, None, OrgKind::LocalCommittee, "某县委", true),
            org(2, Some(1), OrgKind::PrimaryCommittee, "甲镇党委", true),
            org(3, Some(1), OrgKind::PrimaryCommittee, "乙镇党委", true),
            org(4, Some(2), OrgKind::Branch, "东村党支部", true),
            org(5, Some(2), OrgKind::Branch, "西村党支部", false),
            org(6, Some(3), OrgKind::Branch, "南村党支部", false),
            org(7, Some(4), OrgKind::Group, "第一党小组", false),
            org(8, Some(4), OrgKind::Group, "第二党小组", false),
        ],
    )
    .await
}

/// A meeting as one row: id, org, kind, date, topic and the branch it counts for.
type Row = (i64, i64, MeetingKind, &'static str, &'static str, i64);

fn stored_rows(paths: &[String], rows: &[Row]) -> Vec<StoredMeeting> {
    rows.iter()
        .map(|&(id, org_id, kind, date, topic, branch)| {
            stored(meeting(id, org_id, kind, date, topic), paths, branch)
        })
        .collect()
}

/// Writes the meetings of `rows` (ids of `paths`' orgs).
async fn write_rows(db: &TestDb, paths: &[String], rows: &[Row]) {
    write(db, stored_rows(paths, rows)).await
}

async fn write(db: &TestDb, ms: Vec<StoredMeeting>) {
    let mut tx = db.store.begin().await.unwrap();
    meetings::insert(&mut tx, &ms).await.unwrap();
    tx.commit().await.unwrap();
}

contract_test!(
    meetings_round_trip_and_facts_follow,
    |db: TestDb| async move {
        let paths = tree(&db).await;
        let mut m1 = meeting(1, 4, MeetingKind::GeneralMeeting, "2026-07-01", "学习党章");
        m1.votes = true;
        m1.full_expected = Some(9);
        m1.full_present = Some(4);
        let mut s1 = stored(m1, &paths, 4);
        s1.quorum_ok = Some(false);
        let mut all = vec![s1.clone()];
        all.extend(stored_rows(
            &paths,
            &[
                (2, 7, MeetingKind::GroupMeeting, "2026-07-15", "学习", 4),
                (3, 7, MeetingKind::GroupMeeting, "2026-07-31", "学习", 4),
                (4, 8, MeetingKind::GroupMeeting, "2026-08-01", "学习", 4),
                (5, 4, MeetingKind::ThemeDay, "2026-07-31", "植树", 4),
                (6, 6, MeetingKind::ThemeDay, "2026-07-10", "植树", 6),
                (7, 4, MeetingKind::ThemeDay, "2026-06-30", "植树", 4),
            ],
        ));
        write(&db, all).await;
        let mut c = db.store.acquire().await.unwrap();
        let got = meetings::get(&mut c, &Scope::All, 1)
            .await
            .unwrap()
            .unwrap();
        assert_eq!(got, s1, "a meeting reads back as written");
        // Out of scope: town B's subtree does not hold branch 4's meeting.
        assert!(meetings::get(&mut c, &Scope::subtree(&paths[2]), 1)
            .await
            .unwrap()
            .is_none());

        // July of town A: branch 4 only (branch 5 held nothing, so has no row).
        let july = meetings::month_facts(
            &mut c,
            &Scope::subtree(&paths[1]),
            &[Period::Month(2026, 7)],
        )
        .await
        .unwrap();
        assert_eq!(july.len(), 1);
        let f = &july[0];
        assert_eq!(
            (f.branch_id, f.branch_path.as_str()),
            (4, paths[3].as_str())
        );
        assert_eq!((f.year, f.month, f.meetings), (2026, 7, 4));
        assert_eq!(f.tally.by_kind[MeetingKind::GeneralMeeting.index()], 1);
        assert_eq!(f.tally.by_kind[MeetingKind::GroupMeeting.index()], 2);
        assert_eq!(f.tally.by_kind[MeetingKind::ThemeDay.index()], 1);
        assert_eq!(f.tally.groups.get(&7), Some(&2));
        assert_eq!(f.tally.groups.get(&8), None);
        assert_eq!((f.expected, f.present, f.masses_present), (40, 32, 8));
        assert_eq!((f.votes, f.quorum_failed), (1, 1));
        // The whole county, a quarter's months.
        let q3 = meetings::month_facts(&mut c, &Scope::All, &Period::Quarter(2026, 3).months())
            .await
            .unwrap();
        let mut keys: Vec<(i64, u32, i64)> = q3
            .iter()
            .map(|f| (f.branch_id, f.month, f.meetings))
            .collect();
        keys.sort();
        assert_eq!(keys, vec![(4, 7, 4), (4, 8, 1), (6, 7, 1)]);
        let own = meetings::branch_month_facts(&mut c, 4, &Period::Year(2026).months())
            .await
            .unwrap();
        let months: Vec<u32> = own.iter().map(|f| f.month).collect();
        assert_eq!(months, vec![6, 7, 8]);

        // Lists: scoped, by branch, by dates, newest first.
        let (list, total) = meetings::list(
            &mut c,
            &Scope::subtree(&paths[1]),
            &ListFilter {
                branch_id: Some(4),
                from: Some(d("2026-07-01")),
                to: Some(d("2026-09-30")),
                kind: None,
                ..Default::default()
            },
            0,
            3,
        )
        .await
        .unwrap();
        assert_eq!(total, 5);
        let ids: Vec<i64> = list.iter().map(|m| m.meeting.id).collect();
        assert_eq!(ids, vec![4, 5, 3]);
        let (_, groups_only) = meetings::list(
            &mut c,
            &Scope::subtree(&paths[6]),
            &ListFilter::default(),
            0,
            10,
        )
        .await
        .unwrap();
        assert_eq!(groups_only, 2);

        // Keys tell a ledger's recorded rows.
        let keys = meetings::keys(&mut c, &[4, 7], d("2026-07-01"), d("2026-07-31"))
            .await
            .unwrap();
        assert_eq!(keys.len(), 4);
        assert!(keys.contains(&(4, MeetingKind::ThemeDay, d("2026-07-31"), "植树".into())));
        let found = meetings::find(&mut c, 6, MeetingKind::ThemeDay, d("2026-07-10"), "植树")
            .await
            .unwrap();
        assert_eq!(found.map(|m| m.meeting.id), Some(6));
    }
);

contract_test!(a_meeting_is_recorded_once, |db: TestDb| async move {
    let paths = tree(&db).await;
    write_rows(
        &db,
        &paths,
        &[(1, 4, MeetingKind::ThemeDay, "2026-07-01", "植树", 4)],
    )
    .await;
    let mut tx = db.store.begin().await.unwrap();
    let again = meetings::insert(
        &mut tx,
        &stored_rows(
            &paths,
            &[(2, 4, MeetingKind::ThemeDay, "2026-07-01", "植树", 4)],
        ),
    )
    .await;
    assert!(again.is_err(), "the unique key refuses a second copy");
    drop(tx);
    // Another topic the same day is another meeting.
    write_rows(
        &db,
        &paths,
        &[(3, 4, MeetingKind::ThemeDay, "2026-07-01", "清扫", 4)],
    )
    .await;
    let mut c = db.store.acquire().await.unwrap();
    let f = meetings::branch_month_facts(&mut c, 4, &[Period::Month(2026, 7)])
        .await
        .unwrap();
    assert_eq!(f[0].meetings, 2);
});

contract_test!(
    deleting_and_rebuilding_keep_facts_true,
    |db: TestDb| async move {
        let paths = tree(&db).await;
        write_rows(
            &db,
            &paths,
            &[
                (1, 4, MeetingKind::ThemeDay, "2026-07-01", "甲", 4),
                (2, 4, MeetingKind::PartyLecture, "2026-07-02", "乙", 4),
                (3, 8, MeetingKind::GroupMeeting, "2026-09-02", "丙", 4),
                (4, 5, MeetingKind::ThemeDay, "2026-09-03", "丁", 5),
            ],
        )
        .await;
        let mut c = db.store.acquire().await.unwrap();
        let months = Period::Quarter(2026, 3).months();
        let mut before = meetings::month_facts(&mut c, &Scope::All, &months)
            .await
            .unwrap();
        before.sort_by_key(|f| (f.branch_id, f.month));

        // A rebuild from the meetings gives the same rows.
        let mut tx = db.store.begin().await.unwrap();
        assert_eq!(meetings::rebuild(&mut tx, &Scope::All).await.unwrap(), 3);
        tx.commit().await.unwrap();
        let mut after = meetings::month_facts(&mut c, &Scope::All, &months)
            .await
            .unwrap();
        after.sort_by_key(|f| (f.branch_id, f.month));
        assert_eq!(before, after);

        // Deleting a meeting recounts its month; the last of a month removes the row.
        let mut tx = db.store.begin().await.unwrap();
        assert!(meetings::delete(&mut tx, &Scope::All, 1).await.unwrap());
        assert!(meetings::delete(&mut tx, &Scope::All, 3).await.unwrap());
        assert!(
            !meetings::delete(&mut tx, &Scope::subtree(&paths[2]), 4)
                .await
                .unwrap(),
            "out of scope"
        );
        tx.commit().await.unwrap();
        let left = meetings::branch_month_facts(&mut c, 4, &months)
            .await
            .unwrap();
        assert_eq!(left.len(), 1);
        assert_eq!(left[0].month, 7);
        assert_eq!(left[0].tally.by_kind[MeetingKind::ThemeDay.index()], 0);
        assert_eq!(left[0].tally.by_kind[MeetingKind::PartyLecture.index()], 1);
    }
);

contract_test!(attendees_and_lean_org_rows, |db: TestDb| async move {
    let paths = tree(&db).await;
    write_rows(
        &db,
        &paths,
        &[(1, 4, MeetingKind::GeneralMeeting, "2026-07-01", "甲", 4)],
    )
    .await;
    let list = vec![
        Attendance {
            member_id: 11,
            status: AttendanceStatus::Present,
            reason: None,
            full: true,
        },
        Attendance {
            member_id: 12,
            status: AttendanceStatus::Excused,
            reason: Some("生病".into()),
            full: false,
        },
    ];
    let mut tx = db.store.begin().await.unwrap();
    meetings::insert_attendees(&mut tx, (1, &paths[3]), &list)
        .await
        .unwrap();
    tx.commit().await.unwrap();
    let mut c = db.store.acquire().await.unwrap();
    assert_eq!(meetings::attendees(&mut c, 1).await.unwrap(), list);

    let rows = meetings::branches_and_groups(&mut c, &Scope::subtree(&paths[1]))
        .await
        .unwrap();
    let got: Vec<(i64, OrgKind, bool)> = rows
        .iter()
        .map(|o| (o.id, o.kind, o.has_committee))
        .collect();
    assert_eq!(
        got,
        vec![
            (4, OrgKind::Branch, true),
            (7, OrgKind::Group, false),
            (8, OrgKind::Group, false),
            (5, OrgKind::Branch, false),
        ]
    );
    assert_eq!(rows[1].parent_id, Some(4));
});

contract_test!(moved_paths_follow_the_org, |db: TestDb| async move {
    let paths = tree(&db).await;
    write_rows(
        &db,
        &paths,
        &[
            (1, 7, MeetingKind::GroupMeeting, "2026-07-01", "甲", 4),
            (2, 4, MeetingKind::ThemeDay, "2026-07-01", "乙", 4),
        ],
    )
    .await;
    // Branch 4 moves from town A to town B.
    let mut tx = db.store.begin().await.unwrap();
    // `move_subtree` rewrites the meetings' and facts' paths too (`meetings::move_paths`).
    let new = orgs::move_subtree(&mut tx, 4, 3).await.unwrap();
    tx.commit().await.unwrap();
    let mut c = db.store.acquire().await.unwrap();
    let july = [Period::Month(2026, 7)];
    assert!(
        meetings::month_facts(&mut c, &Scope::subtree(&paths[1]), &july)
            .await
            .unwrap()
            .is_empty()
    );
    let in_b = meetings::month_facts(&mut c, &Scope::subtree(&paths[2]), &july)
        .await
        .unwrap();
    assert_eq!(in_b.len(), 1);
    assert_eq!(in_b[0].branch_path, new);
    let m = meetings::get(&mut c, &Scope::subtree(&new), 1)
        .await
        .unwrap()
        .unwrap();
    assert!(m.org_path.starts_with(&new));
    assert_eq!(m.branch_path(), new);
});

contract_test!(
    summaries_are_replaced_per_subtree_and_period,
    |db: TestDb| async move {
        let paths = tree(&db).await;
        let sum = |org_id: i64, path: &str, period: Period, branches: i64| meetings::Summary {
            org_id,
            org_path: path.to_string(),
            period,
            branches,
            compliant: 1,
            held_nothing: 0,
            meetings: 3,
            expected: 30,
            present: 27,
            quorum_failed: 0,
            computed_at: "2026-09-01T00:00:00Z".into(),
            judged_through: Some(d("2026-08-31")),
        };
        let q3 = Period::Quarter(2026, 3);
        let mut tx = db.store.begin().await.unwrap();
        meetings::replace_summaries(
            &mut tx,
            &Scope::All,
            q3,
            &[
                sum(1, &paths[0], q3, 3),
                sum(2, &paths[1], q3, 2),
                sum(3, &paths[2], q3, 1),
            ],
        )
        .await
        .unwrap();
        meetings::replace_summaries(
            &mut tx,
            &Scope::All,
            Period::Year(2026),
            &[sum(1, &paths[0], Period::Year(2026), 3)],
        )
        .await
        .unwrap();
        // Refreshing town A's subtree replaces its rows only.
        meetings::replace_summaries(
            &mut tx,
            &Scope::subtree(&paths[1]),
            q3,
            &[sum(2, &paths[1], q3, 5)],
        )
        .await
        .unwrap();
        tx.commit().await.unwrap();
        let mut c = db.store.acquire().await.unwrap();
        let mut got: Vec<(i64, i64)> = meetings::summaries(&mut c, q3, &[1, 2, 3, 4])
            .await
            .unwrap()
            .iter()
            .map(|s| (s.org_id, s.branches))
            .collect();
        got.sort();
        assert_eq!(got, vec![(1, 3), (2, 5), (3, 1)]);
        let year = meetings::summaries(&mut c, Period::Year(2026), &[1])
            .await
            .unwrap();
        assert_eq!(year.len(), 1);
        assert_eq!(year[0], sum(1, &paths[0], Period::Year(2026), 3));
    }
);
