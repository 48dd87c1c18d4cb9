//! Concurrent writers are normal: 8 and 64 tasks sharing one store record meetings (for
//! different branches and for the same one), edit members and reserve ids, all at once,
//! on SQLite and PostgreSQL. Every write succeeds, every id is handed out once, the
//! stored monthly facts and member counts match a recount, and the audit chain verifies.

mod common;

use std::collections::HashSet;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;

use common::*;
use jiceng_app::access::Actor;
use jiceng_app::meetings::{self, NewMeeting};
use jiceng_app::member_admin::{self, MemberEdit};
use jiceng_domain::{MeetingKind, OrgKind};
use jiceng_store::testing::TestDb;
use jiceng_store::{contract_test, Scope};

/// `writers` tasks, each doing `rounds` rounds of: a meeting of its own branch, a meeting
/// of the branch every task writes to, a member edit, an id reservation.
async fn storm(db: TestDb, writers: usize, rounds: usize) {
    let app = app(&db);
    let dir = Dir::new("concurrency");
    load_township(&app, &dir, false).await;
    let mut c = app.store().acquire().await.unwrap();
    let branches: Vec<i64> = jiceng_store::orgs::list(&mut c, &Scope::All)
        .await
        .unwrap()
        .into_iter()
        .filter(|o| o.org.kind == OrgKind::Branch)
        .map(|o| o.org.id)
        .collect();
    let (members, _) = jiceng_store::members::search(&mut c, &Scope::All, None, 0, 1000)
        .await
        .unwrap();
    drop(c);
    assert!(branches.len() >= 2 && members.len() >= 4);
    let members = Arc::new(members);
    let errors = Arc::new(AtomicUsize::new(0));
    let started = std::time::Instant::now();
    let mut tasks = Vec::new();
    for w in 0..writers {
        let (app, branches, members, errors) = (
            app.clone(),
            branches.clone(),
            members.clone(),
            errors.clone(),
        );
        tasks.push(tokio::spawn(async move {
            let actor = Actor::system();
            let mut ids = Vec::new();
            let fail = |what: String| {
                eprintln!("{what}");
                errors.fetch_add(1, Ordering::Relaxed);
            };
            for r in 0..rounds {
                let day = d("2026-11-01") + chrono::Days::new(((w + r) % 30) as u64);
                for (org_id, tag) in [
                    (branches[w % branches.len()], "own"),
                    (branches[0], "shared"),
                ] {
                    let m = NewMeeting {
                        kind: Some(MeetingKind::ThemeDay),
                        date: Some(day),
                        topic: format!("并发{tag}{w}-{r}"),
                        expected: Some(3),
                        present: Some(3),
                        excused: Some(0),
                        ..Default::default()
                    };
                    let grant = actor.grant::<jiceng_app::access::RecordLife>().unwrap();
                    let key = jiceng_app::access::OrgKey::Id(org_id);
                    let org = match jiceng_app::access::resolve(&app, &actor, &key).await {
                        Ok(o) => o,
                        Err(e) => {
                            fail(format!("org {w}/{r}: {e:?}"));
                            continue;
                        }
                    };
                    if let Err(e) = meetings::record(&app, &grant, &org, &m).await {
                        fail(format!("meeting {w}/{r}: {e:?}"));
                    }
                }
                // Members edited by several tasks at once (every fourth task shares one).
                let m = &members[(w + r) % members.len()];
                let mut edit = MemberEdit::of(m);
                edit.occupation = Some(format!("职业{w}-{r}"));
                if let Err(e) =
                    async { member_admin::update_member(&app, &actor.grant()?, m.id, &edit).await }
                        .await
                {
                    fail(format!("member {w}/{r}: {e:?}"));
                }
                match app.store().reserve_ids("history", 3).await {
                    Ok(first) => ids.extend(first..first + 3),
                    Err(e) => fail(format!("ids {w}/{r}: {e:?}")),
                }
            }
            ids
        }));
    }
    let mut all = Vec::new();
    for t in tasks {
        all.extend(t.await.unwrap());
    }
    let errors = errors.load(Ordering::Relaxed);
    eprintln!(
        "{:?}, {writers} writers × {rounds} rounds: {errors} errors in {:.1} s",
        db.backend(),
        started.elapsed().as_secs_f64()
    );
    assert_eq!(errors, 0, "writes failed under concurrency");
    let distinct: HashSet<i64> = all.iter().copied().collect();
    assert_eq!(distinct.len(), all.len(), "an id was handed out twice");
    assert_eq!(all.len(), writers * rounds * 3);

    // The stored monthly facts are those a recount gives.
    let pool = app.store().pool();
    let stored: Vec<(i64, String, i64)> = sqlx::query_as(
        "SELECT branch_id, year_month, meetings FROM compliance_month ORDER BY branch_id, year_month",
    )
    .fetch_all(pool)
    .await
    .unwrap();
    let recount: Vec<(i64, String, i64)> = sqlx::query_as(
        "SELECT branch_id, SUBSTR(held_on, 1, 7), COUNT(*) FROM meeting \
         GROUP BY branch_id, SUBSTR(held_on, 1, 7) ORDER BY 1, 2",
    )
    .fetch_all(pool)
    .await
    .unwrap();
    assert_eq!(
        stored, recount,
        "compliance_month disagrees with the meetings"
    );
    let n: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM meeting")
        .fetch_one(pool)
        .await
        .unwrap();
    assert_eq!(n as usize, writers * rounds * 2);

    let report = jiceng_app::audit::verify(&app).await.unwrap();
    assert!(report.ok, "{:?}", report.problems);
    assert!(report.entries as usize >= writers * rounds * 3);
}

contract_test!(
    eight_writers,
    |db: TestDb| async move { storm(db, 8, 12).await }
);

contract_test!(sixty_four_writers, |db: TestDb| async move {
    storm(db, 64, 3).await
});
