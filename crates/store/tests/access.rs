//! The store's contract for users, sessions, the audit log and the key fingerprint, run
//! against SQLite and PostgreSQL alike.

mod common;
use common::*;

use std::collections::BTreeMap;

use jiceng_domain::OrgKind;
use jiceng_store::audit::{self, ChainProblem, NewEvent, Sealer, GENESIS};
use jiceng_store::testing::TestDb;
use jiceng_store::users::{self, NewUserRecord, StoredSession};
use jiceng_store::{contract_test, protection, Scope};

/// county(1) → town A(2) → branch(4); county → town B(3)
async fn tree(db: &TestDb) -> Vec<String> {
    let mut list = county_and_towns(bare_org);
    list.extend([bare_org(4, Some(2), OrgKind::Branch, "东村党支部")]);
    tree_of(db, &list).await
}

fn user(id: i64, name: &str, org_id: Option<i64>) -> NewUserRecord {
    NewUserRecord {
        id,
        username: name.into(),
        password_hash: "$argon2id$v=19$m=8,t=1,p=1$c2FsdHNhbHQ$aGFzaA".into(),
        role: "secretary".into(),
        org_id,
        member_id: None,
        display_name: None,
        must_change_password: false,
    }
}

const NOW: &str = "2026-12-15T02:00:00Z";

fn event(n: i64, org: Option<(i64, &str)>) -> NewEvent {
    NewEvent {
        at: format!("2026-12-15T02:00:{:02}.000Z", n % 60),
        actor_id: 7,
        actor: "张三".into(),
        code: 20,
        action: "import".into(),
        target: format!("文件{n}.xlsx"),
        org_id: org.map(|o| o.0),
        org_path: org.map(|o| o.1.to_string()),
        before: None,
        after: Some(format!("{{\"written\":{n}}}")),
    }
}

/// A keyed MAC for the tests (the application's is HMAC with the audit key).
struct TestSealer(&'static str);

impl Sealer for TestSealer {
    fn seal(&self, prev: &str, canonical: &[u8]) -> String {
        use sha2::{Digest, Sha256};
        let mut h = Sha256::new();
        h.update(self.0.as_bytes());
        h.update(prev.as_bytes());
        h.update(canonical);
        h.finalize().iter().map(|b| format!("{b:02x}")).collect()
    }
}

const KEY: TestSealer = TestSealer("the audit key");

async fn append(db: &TestDb, e: &NewEvent) -> i64 {
    let mut tx = db.store.begin().await.unwrap();
    let seq = audit::append(&mut tx, e, &KEY).await.unwrap();
    tx.commit().await.unwrap();
    seq
}

/// Appends entries 1 to `n` (no org) to the chain; each one's MAC by its seq.
async fn chain_of(db: &TestDb, n: i64) -> BTreeMap<i64, String> {
    for i in 1..=n {
        append(db, &event(i, None)).await;
    }
    let mut c = db.store.acquire().await.unwrap();
    let (all, _) = audit::list(&mut c, &Scope::All, 0, n).await.unwrap();
    all.into_iter().map(|e| (e.seq, e.hash)).collect()
}

contract_test!(users_are_scoped_by_their_org, |db: TestDb| async move {
    let paths = tree(&db).await;
    let mut c = db.store.acquire().await.unwrap();
    users::insert(&mut c, &user(1, "county", Some(1)), NOW)
        .await
        .unwrap();
    users::insert(&mut c, &user(2, "town_a", Some(2)), NOW)
        .await
        .unwrap();
    users::insert(&mut c, &user(3, "branch", Some(4)), NOW)
        .await
        .unwrap();
    users::insert(&mut c, &user(4, "town_b", Some(3)), NOW)
        .await
        .unwrap();
    users::insert(&mut c, &user(5, "nobody", None), NOW)
        .await
        .unwrap();
    // The username is unique.
    assert!(users::insert(&mut c, &user(6, "county", None), NOW)
        .await
        .is_err());

    let names = |v: Vec<users::StoredUser>| v.into_iter().map(|u| u.username).collect::<Vec<_>>();
    let all = users::list(&mut c, &Scope::All).await.unwrap();
    assert_eq!(
        names(all),
        ["branch", "county", "nobody", "town_a", "town_b"]
    );
    let town_a = Scope::subtree(&paths[1]);
    assert_eq!(
        names(users::list(&mut c, &town_a).await.unwrap()),
        ["branch", "town_a"]
    );
    assert!(users::list(&mut c, &Scope::Nothing)
        .await
        .unwrap()
        .is_empty());
    // Outside the scope a user is not found, and one without an org only in All.
    assert!(users::get_by_username(&mut c, &town_a, "town_b")
        .await
        .unwrap()
        .is_none());
    assert!(users::get_by_username(&mut c, &town_a, "nobody")
        .await
        .unwrap()
        .is_none());
    let b = users::get_by_username(&mut c, &town_a, "branch")
        .await
        .unwrap()
        .unwrap();
    assert_eq!(b.org_code.as_deref(), Some("C4"));
    assert_eq!(b.org_path.as_deref(), Some(paths[3].as_str()));
    let n = users::get_by_username(&mut c, &Scope::All, "nobody")
        .await
        .unwrap()
        .unwrap();
    assert_eq!((n.org_id, n.org_path), (None, None));
});

contract_test!(failures_lock_and_success_clears, |db: TestDb| async move {
    tree(&db).await;
    let mut c = db.store.acquire().await.unwrap();
    users::insert(&mut c, &user(1, "u", Some(2)), NOW)
        .await
        .unwrap();
    let until = "2026-12-15T02:15:00Z";
    let reserve = |n: i64| users::Reservation::Granted { n };
    // Three may be tried; each reservation counts one failure until settled.
    for n in 1..=3 {
        assert_eq!(
            users::reserve_attempt(&mut c, "u", 3, NOW).await.unwrap(),
            reserve(n)
        );
    }
    assert_eq!(
        users::reserve_attempt(&mut c, "u", 3, NOW).await.unwrap(),
        users::Reservation::Refused { locked_until: None }
    );
    assert_eq!(
        users::attempt_failed(&mut c, "u", 3, NOW, until)
            .await
            .unwrap()
            .as_deref(),
        Some(until)
    );
    let u = users::get(&mut c, 1).await.unwrap().unwrap();
    assert_eq!(
        (u.failed_logins, u.locked_until.as_deref()),
        (3, Some(until))
    );
    // A success while locked changes nothing.
    assert!(!users::attempt_succeeded(&mut c, "u", NOW).await.unwrap());
    // After the lock: a fresh count, and a success clears it.
    let later = "2026-12-15T02:16:00Z";
    assert_eq!(
        users::reserve_attempt(&mut c, "u", 3, later).await.unwrap(),
        reserve(1)
    );
    assert_eq!(
        users::attempt_failed(&mut c, "u", 3, later, until)
            .await
            .unwrap(),
        None
    );
    assert_eq!(
        users::reserve_attempt(&mut c, "u", 3, later).await.unwrap(),
        reserve(2)
    );
    assert!(users::attempt_succeeded(&mut c, "u", later).await.unwrap());
    users::record_login(&mut c, 1, later).await.unwrap();
    let u = users::get(&mut c, 1).await.unwrap().unwrap();
    assert_eq!(
        (u.failed_logins, u.locked_until, u.last_login_at.as_deref()),
        (0, None, Some(later))
    );
    // Unknown names are counted the same way, in the same table.
    for n in 1..=3 {
        assert_eq!(
            users::reserve_attempt(&mut c, "nobody-here", 3, NOW)
                .await
                .unwrap(),
            reserve(n)
        );
    }
    // A new password clears the name's lockout and records when it was set.
    for _ in 0..3 {
        users::reserve_attempt(&mut c, "u", 3, later).await.unwrap();
    }
    users::attempt_failed(&mut c, "u", 3, later, "2026-12-15T02:31:00Z")
        .await
        .unwrap();
    users::set_password(&mut c, 1, "new", later, true)
        .await
        .unwrap();
    let u = users::get(&mut c, 1).await.unwrap().unwrap();
    assert_eq!((u.password_hash.as_str(), u.locked_until), ("new", None));
    assert_eq!(u.password_changed_at.as_deref(), Some(later));
    assert!(u.must_change_password, "set by someone else: to be changed");
    users::set_password(&mut c, 1, "own", later, false)
        .await
        .unwrap();
    assert!(
        !users::get(&mut c, 1)
            .await
            .unwrap()
            .unwrap()
            .must_change_password
    );
    // Housekeeping forgets names not tried lately (and not locked).
    assert_eq!(
        users::purge_attempts(&mut c, later, later).await.unwrap(),
        1,
        "nobody-here, tried at NOW"
    );
    users::set_disabled(&mut c, 1, true, NOW).await.unwrap();
    assert!(users::get(&mut c, 1).await.unwrap().unwrap().disabled);
    assert!(users::set_disabled(&mut c, 99, true, NOW).await.is_err());
});

contract_test!(sessions_by_token_hash, |db: TestDb| async move {
    let mut c = db.store.acquire().await.unwrap();
    let s = |h: &str, user_id: i64, seen: &str| StoredSession {
        token_hash: h.into(),
        user_id,
        csrf: format!("csrf-{h}"),
        created_at: "2026-12-15T01:00:00Z".into(),
        last_seen: seen.into(),
    };
    users::create_session(&mut c, &s("a", 1, "2026-12-15T01:00:00Z"))
        .await
        .unwrap();
    users::create_session(&mut c, &s("b", 1, "2026-12-15T01:40:00Z"))
        .await
        .unwrap();
    users::create_session(&mut c, &s("c", 2, "2026-12-15T01:50:00Z"))
        .await
        .unwrap();
    assert_eq!(
        users::session(&mut c, "a").await.unwrap().unwrap().csrf,
        "csrf-a"
    );
    assert!(users::session(&mut c, "zz").await.unwrap().is_none());
    let mine: Vec<String> = users::sessions_of(&mut c, 1)
        .await
        .unwrap()
        .into_iter()
        .map(|s| s.token_hash)
        .collect();
    assert_eq!(
        mine,
        ["b", "a"],
        "the user's own, the most recently seen first"
    );
    users::touch_session(&mut c, "a", "2026-12-15T01:45:00Z")
        .await
        .unwrap();
    assert_eq!(
        users::session(&mut c, "a")
            .await
            .unwrap()
            .unwrap()
            .last_seen,
        "2026-12-15T01:45:00Z"
    );
    assert_eq!(
        users::delete_idle_sessions(&mut c, "2026-12-15T01:42:00Z")
            .await
            .unwrap(),
        1
    );
    assert!(users::session(&mut c, "b").await.unwrap().is_none());
    assert_eq!(users::delete_sessions_of(&mut c, 1).await.unwrap(), 1);
    users::delete_session(&mut c, "c").await.unwrap();
    assert!(users::session(&mut c, "c").await.unwrap().is_none());
});

contract_test!(audit_chain_links_and_is_scoped, |db: TestDb| async move {
    let paths = tree(&db).await;
    assert_eq!(append(&db, &event(1, None)).await, 1);
    assert_eq!(append(&db, &event(2, Some((2, &paths[1])))).await, 2);
    assert_eq!(append(&db, &event(3, Some((4, &paths[3])))).await, 3);
    assert_eq!(append(&db, &event(4, Some((3, &paths[2])))).await, 4);
    let mut c = db.store.acquire().await.unwrap();
    let r = audit::verify(&mut c, &KEY, &[]).await.unwrap();
    assert_eq!((r.entries, r.problems.clone()), (4, vec![]));

    let (all, total) = audit::list(&mut c, &Scope::All, 0, 10).await.unwrap();
    assert_eq!(total, 4);
    assert_eq!(all.iter().map(|e| e.seq).collect::<Vec<_>>(), [4, 3, 2, 1]);
    assert_eq!(all[3].prev_hash, GENESIS);
    assert_eq!(all[2].prev_hash, all[3].hash);
    assert_eq!(r.last_hash.as_deref(), Some(all[0].hash.as_str()));
    assert_eq!(all[1].org_code.as_deref(), Some("C4"));
    let (page, total) = audit::list(&mut c, &Scope::All, 1, 2).await.unwrap();
    assert_eq!(
        (page.iter().map(|e| e.seq).collect::<Vec<_>>(), total),
        (vec![3, 2], 4)
    );
    // Town A sees its own and its branch's entries; no org means All only.
    let (a, total) = audit::list(&mut c, &Scope::subtree(&paths[1]), 0, 10)
        .await
        .unwrap();
    assert_eq!(
        (a.iter().map(|e| e.seq).collect::<Vec<_>>(), total),
        (vec![3, 2], 2)
    );
    let (none, total) = audit::list(&mut c, &Scope::Nothing, 0, 10).await.unwrap();
    assert_eq!((none.len(), total), (0, 0));
});

contract_test!(audit_verify_finds_edits_and_gaps, |db: TestDb| async move {
    chain_of(&db, 6).await;
    let mut c = db.store.acquire().await.unwrap();
    sqlx::query("UPDATE audit_event SET after = '{\"written\":999}' WHERE seq = 2")
        .execute(&mut *c)
        .await
        .unwrap();
    sqlx::query("DELETE FROM audit_event WHERE seq = 4")
        .execute(&mut *c)
        .await
        .unwrap();
    let r = audit::verify(&mut c, &KEY, &[]).await.unwrap();
    assert_eq!(r.entries, 5);
    assert_eq!(
        r.problems,
        vec![
            ChainProblem::Modified(2),
            ChainProblem::Missing { from: 4, to: 4 }
        ]
    );
    // An entry edited together with its hash breaks the link from the next one.
    let fake = audit::event_mac(&KEY, GENESIS, 1, &event(100, None));
    sqlx::query("UPDATE audit_event SET hash = $1, target = '文件100.xlsx', at = $2, after = $3 WHERE seq = 1")
        .bind(fake)
        .bind(event(100, None).at)
        .bind(event(100, None).after)
        .execute(&mut *c)
        .await
        .unwrap();
    let r = audit::verify(&mut c, &KEY, &[]).await.unwrap();
    assert!(
        r.problems.contains(&ChainProblem::BrokenLink(2)),
        "{:?}",
        r.problems
    );
    assert!(
        !r.problems.contains(&ChainProblem::Modified(1)),
        "{:?}",
        r.problems
    );
    // Cutting the last entries off shows against the head.
    sqlx::query("DELETE FROM audit_event WHERE seq >= 5")
        .execute(&mut *c)
        .await
        .unwrap();
    let r = audit::verify(&mut c, &KEY, &[]).await.unwrap();
    assert!(
        r.problems
            .contains(&ChainProblem::Missing { from: 4, to: 6 }),
        "{:?}",
        r.problems
    );
});

contract_test!(concurrent_appends_keep_one_chain, |db: TestDb| async move {
    // Writers queue on the head: twenty concurrent transactions, each retried on a
    // conflict as the application does, leave one unbroken chain.
    let mut tasks = Vec::new();
    for n in 0..20i64 {
        let store = db.store.clone();
        tasks.push(tokio::spawn(async move {
            let mut attempt = 0;
            loop {
                let r: jiceng_store::Result<i64> = async {
                    let mut tx = store.begin().await?;
                    let seq = audit::append(&mut tx, &event(n, None), &KEY).await?;
                    tx.commit().await?;
                    Ok(seq)
                }
                .await;
                match r {
                    Err(e) if audit::is_conflict(&e) && attempt < 5 => {
                        attempt += 1;
                        tokio::time::sleep(std::time::Duration::from_millis(5 * attempt)).await;
                    }
                    other => return other.unwrap(),
                }
            }
        }));
    }
    let mut seqs = Vec::new();
    for t in tasks {
        seqs.push(t.await.unwrap());
    }
    seqs.sort_unstable();
    assert_eq!(seqs, (1..=20).collect::<Vec<_>>());
    let mut c = db.store.acquire().await.unwrap();
    let r = audit::verify(&mut c, &KEY, &[]).await.unwrap();
    assert_eq!((r.entries, r.problems), (20, vec![]));
});

contract_test!(key_fingerprint_is_kept, |db: TestDb| async move {
    let mut c = db.store.acquire().await.unwrap();
    assert_eq!(protection::key_fingerprint(&mut c).await.unwrap(), None);
    protection::set_key_fingerprint(&mut c, "aaa")
        .await
        .unwrap();
    protection::set_key_fingerprint(&mut c, "bbb")
        .await
        .unwrap();
    assert_eq!(
        protection::key_fingerprint(&mut c)
            .await
            .unwrap()
            .as_deref(),
        Some("bbb")
    );
    assert!(protection::ciphers(&mut c, 0, 10).await.unwrap().is_empty());
});

/// Writes `n` entries the way the log was written before the keyed chain (unkeyed
/// SHA-256), and moves the unsealed `keyed` mark behind them as migration 0009 does on
/// an existing database.
async fn legacy_entries(db: &TestDb, n: i64) {
    let mut c = db.store.acquire().await.unwrap();
    let mut prev = GENESIS.to_string();
    for seq in 1..=n {
        let e = event(seq, None);
        let hash = audit::event_hash(&prev, seq, &e);
        sqlx::query(
            "INSERT INTO audit_event (seq, at, actor_id, actor, code, action, target, org_id, org_path, \
             before, after, prev_hash, hash) VALUES ($1, $2, $3, $4, $5, $6, $7, NULL, NULL, NULL, $8, $9, $10)",
        )
        .bind(seq)
        .bind(e.at.clone())
        .bind(e.actor_id)
        .bind(e.actor.clone())
        .bind(e.code)
        .bind(e.action.clone())
        .bind(e.target.clone())
        .bind(e.after.clone())
        .bind(prev.clone())
        .bind(hash.clone())
        .execute(&mut *c)
        .await
        .unwrap();
        prev = hash;
    }
    sqlx::query("UPDATE audit_head SET seq = $1, hash = $2 WHERE id = 1")
        .bind(n)
        .bind(prev.clone())
        .execute(&mut *c)
        .await
        .unwrap();
    sqlx::query("UPDATE audit_mark SET seq = $1, prev = $2 WHERE kind = 'keyed'")
        .bind(n + 1)
        .bind(prev)
        .execute(&mut *c)
        .await
        .unwrap();
}

contract_test!(
    keyed_chain_starts_after_the_legacy_entries,
    |db: TestDb| async move {
        legacy_entries(&db, 3).await;
        let mut c = db.store.acquire().await.unwrap();
        let r = audit::verify(&mut c, &KEY, &[]).await.unwrap();
        assert_eq!((r.entries, r.keyed_from, r.problems), (3, None, vec![]));
        drop(c);
        for n in 4..=6 {
            append(&db, &event(n, None)).await;
        }
        let mut c = db.store.acquire().await.unwrap();
        let r = audit::verify(&mut c, &KEY, &[]).await.unwrap();
        assert_eq!((r.entries, r.keyed_from, r.problems), (6, Some(4), vec![]));
        // The keyed entries do not verify with another key; the legacy ones still do.
        let wrong = TestSealer("a guessed key");
        let r = audit::verify(&mut c, &wrong, &[]).await.unwrap();
        assert_eq!(
            r.problems,
            vec![
                ChainProblem::MarkForged("keyed".into()),
                ChainProblem::Modified(4),
                ChainProblem::Modified(5),
                ChainProblem::Modified(6)
            ]
        );
        // Re-chaining everything with plain SHA-256 (the review's attack) fails at the first
        // keyed entry.
        let all = audit::list(&mut c, &Scope::All, 0, 10).await.unwrap().0;
        let mut prev = GENESIS.to_string();
        for e in all.iter().rev() {
            let h = audit::event_hash(&prev, e.seq, &e.event);
            sqlx::query("UPDATE audit_event SET prev_hash = $1, hash = $2 WHERE seq = $3")
                .bind(prev.clone())
                .bind(h.clone())
                .bind(e.seq)
                .execute(&mut *c)
                .await
                .unwrap();
            prev = h;
        }
        sqlx::query("UPDATE audit_head SET hash = $1 WHERE id = 1")
            .bind(prev)
            .execute(&mut *c)
            .await
            .unwrap();
        let r = audit::verify(&mut c, &KEY, &[]).await.unwrap();
        assert_eq!(
            r.problems.first(),
            Some(&ChainProblem::Modified(4)),
            "{:?}",
            r.problems
        );
    }
);

contract_test!(
    marks_and_anchors_find_cuts_and_moves,
    |db: TestDb| async move {
        let macs = chain_of(&db, 6).await;
        let mac_of = |seq: i64| macs[&seq].clone();
        let mut c = db.store.acquire().await.unwrap();
        let anchors = vec![(3, mac_of(3)), (6, mac_of(6))];
        let r = audit::verify(&mut c, &KEY, &anchors).await.unwrap();
        assert_eq!((r.keyed_from, r.last_seq, r.problems), (Some(1), 6, vec![]));
        // An anchor naming another MAC.
        let r = audit::verify(&mut c, &KEY, &[(3, mac_of(2))])
            .await
            .unwrap();
        assert_eq!(r.problems, vec![ChainProblem::AnchorMismatch { seq: 3 }]);
        // The keyed mark moved (to pass entries off as unkeyed) no longer matches its MAC.
        sqlx::query("UPDATE audit_mark SET seq = 5 WHERE kind = 'keyed'")
            .execute(&mut *c)
            .await
            .unwrap();
        let r = audit::verify(&mut c, &KEY, &[]).await.unwrap();
        assert_eq!(r.problems[0], ChainProblem::MarkForged("keyed".into()));
        sqlx::query("DELETE FROM audit_mark WHERE kind = 'keyed'")
            .execute(&mut *c)
            .await
            .unwrap();
        let r = audit::verify(&mut c, &KEY, &[]).await.unwrap();
        assert_eq!(r.problems[0], ChainProblem::MarkMissing);
    }
);

contract_test!(
    a_purge_leaves_a_chain_that_verifies,
    |db: TestDb| async move {
        let macs = chain_of(&db, 6).await;
        let mac_of = |seq: i64| macs[&seq].clone();
        let mut c = db.store.acquire().await.unwrap();
        let mut tx = db.store.begin().await.unwrap();
        audit::hold_head(&mut tx).await.unwrap();
        assert_eq!(audit::purge(&mut tx, &KEY, 4, NOW).await.unwrap(), 3);
        tx.commit().await.unwrap();
        // The anchor before the cut still matches (the cut's prev), as does the one after.
        let anchors = vec![(3, mac_of(3)), (5, mac_of(5))];
        let r = audit::verify(&mut c, &KEY, &anchors).await.unwrap();
        assert_eq!((r.entries, r.cut_at, r.problems), (3, Some(4), vec![]));
        // A forged cut (more removed, the mark moved without the key) is found.
        sqlx::query("DELETE FROM audit_event WHERE seq = 4")
            .execute(&mut *c)
            .await
            .unwrap();
        sqlx::query("UPDATE audit_mark SET seq = 5, prev = $1 WHERE kind = 'cut'")
            .bind(mac_of(4))
            .execute(&mut *c)
            .await
            .unwrap();
        let r = audit::verify(&mut c, &KEY, &[]).await.unwrap();
        assert!(
            r.problems.contains(&ChainProblem::MarkForged("cut".into())),
            "{:?}",
            r.problems
        );
    }
);
