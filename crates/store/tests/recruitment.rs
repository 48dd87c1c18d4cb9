//! The recruitment reads of a subtree that must scale to a province (issue #14, point 8):
//! stage counts, the admissions of a year, the due list and the people with violations,
//! each from the stored columns, on SQLite and PostgreSQL alike.

mod common;
use common::*;

use jiceng_domain::{Domain, Education, Gender, OrgKind};
use jiceng_store::recruitment::{self as store, Derived, StoredApplicant};
use jiceng_store::testing::TestDb;
use jiceng_store::{contract_test, Scope};

/// The county (1), 甲镇 (2) with 东村 (4, a village) and 镇机关 (5, an organ), 乙镇 (3)
/// with 南村 (6); their paths by id.
async fn tree(db: &TestDb) -> std::collections::HashMap<i64, String> {
    let mut list = county_and_towns(bare_org);
    list.push(bare_org(4, Some(2), OrgKind::Branch, "东村党支部"));
    let mut organ = bare_org(5, Some(2), OrgKind::Branch, "镇机关党支部");
    organ.domain = Some(Domain::Organ);
    list.push(organ);
    list.push(bare_org(6, Some(3), OrgKind::Branch, "南村党支部"));
    let paths = tree_of(db, &list).await;
    list.iter().map(|o| o.id).zip(paths).collect()
}

fn applicant(id: i64, org_id: i64, path: &str, name: &str, derived: Derived) -> StoredApplicant {
    StoredApplicant {
        id,
        org_id,
        org_path: path.into(),
        name: name.into(),
        gender: if id % 2 == 0 {
            Gender::Female
        } else {
            Gender::Male
        },
        ethnicity: "汉族".into(),
        birth_date: d("1998-03-01"),
        id_hash: format!("hash{id}"),
        id_cipher: "x".into(),
        id_masked: "370102********001X".into(),
        education: Some(Education::Bachelor),
        occupation: None,
        front_line: id % 3 == 0,
        phone_cipher: None,
        phone_masked: None,
        derived,
        member_id: None,
    }
}

/// Stage, next step and its deadline, violations, the day of ⑰.
fn judged(
    stage: &str,
    next: Option<(i64, Option<&str>)>,
    violations: i64,
    admitted: Option<&str>,
) -> Derived {
    Derived {
        stage: stage.into(),
        next_step: next.map(|(n, _)| n),
        next_deadline: next.and_then(|(_, by)| by).map(d),
        next_not_before: None,
        violations,
        applied_on: Some(d("2024-03-01")),
        admitted_on: admitted.map(d),
        confirmed_on: None,
    }
}

/// Eleven people across the three branches, at every stage.
async fn people(db: &TestDb) -> std::collections::HashMap<i64, String> {
    let paths = tree(db).await;
    let p = |id: i64, org: i64, name: &str, derived: Derived| {
        applicant(id, org, &paths[&org], name, derived)
    };
    let rows = vec![
        p(
            1,
            4,
            "赵一",
            judged("applicant", Some((2, Some("2026-04-01"))), 1, None),
        ),
        p(
            2,
            4,
            "钱二",
            judged("activist", Some((4, Some("2026-12-20"))), 0, None),
        ),
        p(3, 4, "孙三", judged("candidate", Some((8, None)), 2, None)),
        p(
            4,
            4,
            "李四",
            judged("probationary", Some((18, None)), 0, Some("2026-01-01")),
        ),
        p(
            5,
            5,
            "周五",
            judged(
                "probationary",
                Some((19, Some("2026-03-15"))),
                0,
                Some("2026-12-31"),
            ),
        ),
        p(
            6,
            5,
            "吴六",
            judged("confirmed", None, 0, Some("2025-12-31")),
        ),
        p(7, 5, "郑七", judged("withdrawn", None, 3, None)),
        p(
            8,
            6,
            "王八",
            judged("applicant", Some((2, Some("2026-01-10"))), 1, None),
        ),
        p(
            9,
            6,
            "冯九",
            judged("probationary", Some((18, None)), 0, Some("2026-06-30")),
        ),
        p(
            10,
            6,
            "陈十",
            judged("cancelled", None, 0, Some("2026-02-01")),
        ),
        p(
            11,
            4,
            "褚十一",
            judged("applicant", Some((2, Some("2026-04-01"))), 0, None),
        ),
    ];
    let mut tx = db.store.begin().await.unwrap();
    store::insert(&mut tx, &rows).await.unwrap();
    tx.commit().await.unwrap();
    paths
}

contract_test!(stage_counts_of_a_subtree, |db: TestDb| async move {
    let paths = people(&db).await;
    let mut c = db.store.acquire().await.unwrap();
    let mut town = store::stage_counts(&mut c, &Scope::subtree(&paths[&2]))
        .await
        .unwrap();
    town.sort();
    let want: Vec<(String, i64)> = [
        ("activist", 1),
        ("applicant", 2),
        ("candidate", 1),
        ("confirmed", 1),
        ("probationary", 2),
        ("withdrawn", 1),
    ]
    .iter()
    .map(|(s, n)| (s.to_string(), *n))
    .collect();
    assert_eq!(town, want);
    let all: i64 = store::stage_counts(&mut c, &Scope::All)
        .await
        .unwrap()
        .iter()
        .map(|(_, n)| n)
        .sum();
    assert_eq!(all, 11);
    let none = store::stage_counts(&mut c, &Scope::Nothing).await.unwrap();
    assert!(none.is_empty());
});

contract_test!(admissions_of_a_year, |db: TestDb| async move {
    let paths = people(&db).await;
    let mut c = db.store.acquire().await.unwrap();
    // The year's first and last days count; the day before the year does not; a person
    // cancelled after ⑰ was admitted all the same.
    let county = store::admitted_in(&mut c, &Scope::subtree(&paths[&1]), 2026)
        .await
        .unwrap();
    let ids: Vec<i64> = county.iter().map(|a| a.id).collect();
    assert_eq!(ids, [4, 5, 9, 10], "tree order, then id");
    let li = &county[0];
    assert_eq!(
        (li.org_id, li.org_path.as_str(), li.gender, li.birth_date),
        (4, paths[&4].as_str(), Gender::Female, d("1998-03-01"))
    );
    assert_eq!(
        (li.education, li.front_line, li.admitted_on, li.domain),
        (
            Some(Education::Bachelor),
            false,
            d("2026-01-01"),
            Some(Domain::Village)
        )
    );
    assert_eq!(
        county[1].domain,
        Some(Domain::Organ),
        "the branch's domain, joined"
    );
    let town = store::admitted_in(&mut c, &Scope::subtree(&paths[&3]), 2026)
        .await
        .unwrap();
    assert_eq!(town.iter().map(|a| a.id).collect::<Vec<_>>(), [9, 10]);
    let last = store::admitted_in(&mut c, &Scope::All, 2025).await.unwrap();
    assert_eq!(last.iter().map(|a| a.id).collect::<Vec<_>>(), [6]);
});

contract_test!(the_due_list_by_deadline, |db: TestDb| async move {
    let paths = people(&db).await;
    let mut c = db.store.acquire().await.unwrap();
    let names = |l: &[store::Listed]| l.iter().map(|x| x.name.clone()).collect::<Vec<_>>();
    // Everyone with a next step: deadlines first (by day, then tree order and name), then
    // those without; the ended (withdrawn, cancelled, confirmed with nothing next) not.
    let all = store::due(&mut c, &Scope::All, None, None).await.unwrap();
    assert_eq!(
        names(&all),
        [
            "王八",
            "周五",
            "褚十一",
            "赵一",
            "钱二",
            "孙三",
            "李四",
            "冯九"
        ]
        .map(String::from)
    );
    let first = &all[0];
    assert_eq!(
        (
            first.org_code.as_str(),
            first.org_name.as_str(),
            first.id_masked.as_str()
        ),
        ("C6", "南村党支部", "370102********001X")
    );
    assert_eq!(
        (first.derived.next_step, first.derived.next_deadline),
        (Some(2), Some(d("2026-01-10")))
    );
    // Up to a day, in a subtree, limited.
    let town = Scope::subtree(&paths[&2]);
    let soon = store::due(&mut c, &town, Some(d("2026-04-01")), None)
        .await
        .unwrap();
    assert_eq!(names(&soon), ["周五", "褚十一", "赵一"].map(String::from));
    let two = store::due(&mut c, &town, Some(d("2026-12-31")), Some(2))
        .await
        .unwrap();
    assert_eq!(names(&two), ["周五", "褚十一"].map(String::from));
    let branch = store::due(&mut c, &Scope::subtree(&paths[&6]), None, Some(10))
        .await
        .unwrap();
    assert_eq!(names(&branch), ["王八", "冯九"].map(String::from));
});

contract_test!(the_people_with_violations, |db: TestDb| async move {
    let paths = people(&db).await;
    let mut c = db.store.acquire().await.unwrap();
    let all = store::with_violations(&mut c, &Scope::All, None)
        .await
        .unwrap();
    let got: Vec<(i64, i64)> = all.iter().map(|l| (l.id, l.derived.violations)).collect();
    // Tree order: 东村 (4), 镇机关 (5), 南村 (6); ended people too.
    assert_eq!(got.iter().map(|x| x.0).collect::<Vec<_>>(), [3, 1, 7, 8]);
    assert!(got.iter().all(|(_, n)| *n > 0));
    let one = store::with_violations(&mut c, &Scope::subtree(&paths[&2]), Some(1))
        .await
        .unwrap();
    assert_eq!(one.len(), 1);
    let south = store::with_violations(&mut c, &Scope::subtree(&paths[&3]), None)
        .await
        .unwrap();
    assert_eq!(south.iter().map(|l| l.id).collect::<Vec<_>>(), [8]);
});

contract_test!(
    stage_summary_counts_overdue_and_violations,
    |db: TestDb| async move {
        let paths = people(&db).await;
        let mut c = db.store.acquire().await.unwrap();
        let day = chrono::NaiveDate::from_ymd_opt(2026, 3, 1).unwrap();
        for scope in [Scope::All, Scope::subtree(&paths[&2]), Scope::Nothing] {
            let mut got: Vec<(String, i64, i64, i64)> = store::stage_summary(&mut c, &scope, day)
                .await
                .unwrap()
                .into_iter()
                .map(|s| (s.stage, s.count, s.overdue, s.violations))
                .collect();
            got.sort();
            // The same figures counted from the rows themselves.
            let rows = store::in_scope(&mut c, &scope).await.unwrap();
            let mut want: std::collections::BTreeMap<String, (i64, i64, i64)> = Default::default();
            for a in &rows {
                let e = want.entry(a.derived.stage.clone()).or_default();
                e.0 += 1;
                e.1 += i64::from(a.derived.next_deadline.is_some_and(|d| d < day));
                e.2 += a.derived.violations;
            }
            let want: Vec<_> = want
                .into_iter()
                .map(|(s, (n, o, v))| (s, n, o, v))
                .collect();
            assert_eq!(got, want, "{scope:?}");
        }
        let all = store::stage_summary(&mut c, &Scope::All, day)
            .await
            .unwrap();
        assert!(
            all.iter().any(|s| s.overdue > 0),
            "the fixture has someone overdue"
        );
    }
);

contract_test!(count_due_is_the_due_list_counted, |db: TestDb| async move {
    let paths = people(&db).await;
    let mut c = db.store.acquire().await.unwrap();
    for day in ["2026-01-09", "2026-01-10", "2026-03-31", "2027-01-01"] {
        let day: chrono::NaiveDate = day.parse().unwrap();
        for scope in [Scope::All, Scope::subtree(&paths[&2]), Scope::Nothing] {
            let listed = store::due(&mut c, &scope, Some(day), None).await.unwrap();
            let counted = store::count_due(&mut c, &scope, day).await.unwrap();
            assert_eq!(counted, listed.len() as i64, "{day} {scope:?}");
        }
    }
});
