//! The recruitment reads of a subtree that must scale to a province (issue #14, point 8):
//! stage counts, the admissions of a year, the due list, the people with violations and each
//! org's stored tally, on SQLite and PostgreSQL alike.

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

/// The tallies of `ids` as stored.
async fn tallies_of(
    c: &mut jiceng_store::Conn,
    ids: &[i64],
) -> std::collections::BTreeMap<i64, jiceng_domain::recruitment::Tally> {
    let mut got = store::tally::stored(c, ids).await.unwrap();
    ids.iter()
        .map(|id| (*id, got.remove(id).unwrap_or_default()))
        .collect()
}

/// A subtree's tally counted again from its rows (the obvious way).
async fn counted(
    c: &mut jiceng_store::Conn,
    scope: &Scope,
    domains: &std::collections::HashMap<i64, Domain>,
) -> jiceng_domain::recruitment::Tally {
    use jiceng_domain::recruitment::{Admission, Counted, Tally};
    let mut t = Tally::default();
    for a in store::in_scope(c, scope).await.unwrap() {
        let d = &a.derived;
        t.add(&Counted {
            stage: &d.stage,
            deadline: d.next_step.and(d.next_deadline),
            violations: d.violations,
            admission: d.admitted_on.map(|on| Admission {
                gender: a.gender,
                birth_date: a.birth_date,
                education: a.education,
                front_line: a.front_line,
                domain: domains.get(&a.org_id).copied(),
                admitted_on: on,
            }),
        });
    }
    t
}

contract_test!(tallies_add_up_the_tree, |db: TestDb| async move {
    let paths = people(&db).await;
    let domains: std::collections::HashMap<i64, Domain> = [
        (4, Domain::Village),
        (5, Domain::Organ),
        (6, Domain::Village),
        (2, Domain::Village),
        (3, Domain::Village),
        (1, Domain::Village),
    ]
    .into();
    let mut tx = db.store.begin().await.unwrap();
    // The three branches touched: every ancestor is counted with them.
    store::tally::refresh(&mut tx, &[4, 5, 6]).await.unwrap();
    tx.commit().await.unwrap();
    let mut c = db.store.acquire().await.unwrap();
    let ids = [1, 2, 3, 4, 5, 6];
    let stored = tallies_of(&mut c, &ids).await;
    for id in ids {
        let want = counted(&mut c, &Scope::subtree(&paths[&id]), &domains).await;
        assert_eq!(stored[&id], want, "org {id}");
    }
    let county = &stored[&1];
    assert_eq!(county.stage("applicant"), 3);
    assert_eq!(county.stage("probationary"), 3);
    assert_eq!(county.violations_total(), 7);
    // Overdue on 2026-03-01: 赵一 and 褚十一 (04-01) are not, 王八 (01-10) is.
    let day = d("2026-03-01");
    assert_eq!(county.overdue(day), 1);
    assert_eq!(county.due_by(d("2026-04-01")), 4);
    // 2026: 李四 (东村, female), 周五 (机关), 冯九 (南村), 陈十 (南村, female, cancelled
    // after ⑰): all under 35 and college-educated, 冯九 on the front line; young farmers are
    // the villages' three.
    assert_eq!(county.admitted_in(2026), [4, 4, 2, 1, 4, 3]);
    assert_eq!(stored[&3].admitted_in(2026), [2, 2, 1, 1, 2, 2]);
    assert_eq!(county.admitted_in(2025), [1, 1, 1, 1, 1, 0]);
    // Rebuilt from scratch: the same rows.
    let mut tx = db.store.begin().await.unwrap();
    let written = store::tally::rebuild(&mut tx).await.unwrap();
    tx.commit().await.unwrap();
    assert_eq!(written, ids.len());
    assert_eq!(tallies_of(&mut c, &ids).await, stored);
});

contract_test!(
    a_refresh_reads_untouched_children,
    |db: TestDb| async move {
        let paths = people(&db).await;
        let mut tx = db.store.begin().await.unwrap();
        store::tally::rebuild(&mut tx).await.unwrap();
        tx.commit().await.unwrap();
        let mut c = db.store.acquire().await.unwrap();
        let before = tallies_of(&mut c, &[1, 2, 3, 4]).await;
        // 钱二 (东村) becomes a 发展对象 and 南村's people leave the tree's counts: only 东村
        // is refreshed, 南村 (6) is read from its stored row.
        let mut qian = store::get(&mut c, &Scope::All, 2).await.unwrap().unwrap();
        qian.derived.stage = "candidate".into();
        qian.derived.next_deadline = None;
        drop(c);
        let mut tx = db.store.begin().await.unwrap();
        store::update(&mut tx, &qian).await.unwrap();
        store::tally::refresh(&mut tx, &[4]).await.unwrap();
        tx.commit().await.unwrap();
        let mut c = db.store.acquire().await.unwrap();
        let after = tallies_of(&mut c, &[1, 2, 3, 4]).await;
        assert_eq!(after[&3], before[&3], "乙镇 untouched");
        for id in [1, 2, 4] {
            assert_eq!(
                after[&id].stage("activist"),
                before[&id].stage("activist") - 1
            );
            assert_eq!(
                after[&id].stage("candidate"),
                before[&id].stage("candidate") + 1
            );
            assert_eq!(
                after[&id].due_by(d("2027-01-01")),
                before[&id].due_by(d("2027-01-01")) - 1
            );
        }
        assert_eq!(paths.len(), 6);
        // Nobody left under 南村 (6): its row goes, and its town counts nothing.
        for id in [8, 9, 10] {
            let mut a = store::get(&mut c, &Scope::All, id).await.unwrap().unwrap();
            a.org_id = 4;
            a.org_path = paths[&4].clone();
            drop(c);
            let mut tx = db.store.begin().await.unwrap();
            store::update(&mut tx, &a).await.unwrap();
            tx.commit().await.unwrap();
            c = db.store.acquire().await.unwrap();
        }
        drop(c);
        let mut tx = db.store.begin().await.unwrap();
        store::tally::refresh(&mut tx, &[4, 6]).await.unwrap();
        tx.commit().await.unwrap();
        let mut c = db.store.acquire().await.unwrap();
        let moved = tallies_of(&mut c, &[1, 3, 6]).await;
        assert_eq!(moved[&6], Default::default());
        assert_eq!(moved[&3], Default::default());
        assert_eq!(moved[&1], after[&1], "the county counts the same people");
    }
);

contract_test!(the_soonest_are_the_due_list_cut, |db: TestDb| async move {
    let paths = people(&db).await;
    let mut tx = db.store.begin().await.unwrap();
    store::tally::rebuild(&mut tx).await.unwrap();
    tx.commit().await.unwrap();
    let mut c = db.store.acquire().await.unwrap();
    // For every subtree and cut: walking the deadlines up to the day by which `n` people
    // are due gives the first `n` of the due list, ties on that day cut alike.
    for org in [1, 2, 3, 4, 6] {
        let scope = Scope::subtree(&paths[&org]);
        let t = store::tally::of(&mut c, org).await.unwrap();
        for n in 1..=t.dated() {
            let until = t.day_by_which(n).expect("n people are dated");
            let soonest = store::due_soonest(&mut c, &scope, until, n).await.unwrap();
            let cut = store::due(&mut c, &scope, None, Some(n)).await.unwrap();
            assert_eq!(soonest, cut, "org {org}, n {n}");
        }
    }
});
