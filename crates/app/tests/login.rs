//! A login that holds (issue #11 point 4): the lockout under concurrent attempts, unknown
//! names treated like known ones, the password policy and renewal, the session lifetime;
//! on SQLite and PostgreSQL.

mod common;

use chrono::Duration;
use common::*;
use jiceng_app::access::{Actor, Role};
use jiceng_app::audit::{self, AuditAction};
use jiceng_app::auth::{self, AuthError};
use jiceng_app::users::{self};
use jiceng_app::{App, AppError};
use jiceng_store::testing::TestDb;
use jiceng_store::users::{self as user_store, Reservation};
use jiceng_store::{contract_test, Scope};

const PASSWORD: &str = "Correct-horse-1";

/// An app at `t0` with the slow-down off (tests do not wait).
fn setup(db: &TestDb) -> App {
    let mut app = app(db);
    app.fixed_now = Some(t0());
    app.auth.slow_step_ms = 0;
    app
}

async fn add(app: &App, username: &str, role: Role, password: &str) -> Result<(), AppError> {
    add_user(app, username, password, role, None)
        .await
        .map(|_| ())
}

async fn failed_logins(app: &App, target: &str) -> Vec<serde_json::Value> {
    audit_log(app)
        .await
        .into_iter()
        .filter(|e| e.code == AuditAction::LoginFailed.code() && e.target == target)
        .map(|e| e.after.unwrap_or_default())
        .collect()
}

/// 30 wrong passwords at once for `name`, on the test's multi-thread runtime over the
/// store's pool: how many answered "wrong" and how many "locked".
async fn burst(app: &App, name: &str) -> (usize, usize) {
    let tasks: Vec<_> = (0..30)
        .map(|i| {
            let app = app.clone();
            let name = name.to_string();
            tokio::spawn(async move { auth::login(&app, &name, &format!("Wrong-pass-{i}")).await })
        })
        .collect();
    let (mut wrong, mut locked) = (0, 0);
    for t in tasks {
        match t.await.unwrap() {
            Err(AuthError::BadCredentials) => wrong += 1,
            Err(AuthError::Locked { .. }) => locked += 1,
            other => panic!("{other:?}"),
        }
    }
    (wrong, locked)
}

contract_test!(
    a_burst_verifies_five_passwords_and_locks,
    |db: TestDb| async move {
        let app = setup(&db);
        add(&app, "zhen", Role::Committee, PASSWORD).await.unwrap();
        let (wrong, locked) = burst(&app, "zhen").await;
        // The failure that finds five counted locks; those verified before it answer
        // "wrong" (at most four), every other one "locked".
        assert!(wrong <= 4 && wrong + locked == 30, "{wrong} {locked}");
        let log = failed_logins(&app, "zhen").await;
        assert_eq!(log.len(), 30, "every attempt is counted in the log");
        let verified = log
            .iter()
            .filter(|a| a["reason"].as_str().unwrap().starts_with("bad_password"))
            .count();
        assert_eq!(verified, 5, "only five passwords were verified");
        let mut ns: Vec<i64> = log.iter().filter_map(|a| a["failures"].as_i64()).collect();
        ns.sort();
        assert_eq!(ns, vec![1, 2, 3, 4, 5]);
        // Locked for 15 minutes: the right password is refused inside the window …
        let inside = at(&app, t0() + Duration::minutes(14));
        assert!(matches!(
            auth::login(&inside, "zhen", PASSWORD).await.unwrap_err(),
            AuthError::Locked { .. }
        ));
        let list = async { users::list_users(&inside, &Actor::system().grant()?).await }
            .await
            .unwrap();
        assert_eq!(list[0].locked_until.as_deref(), Some("2026-12-15 10:15"));
        // … and accepted after it, which starts the count afresh.
        let after = at(&app, t0() + Duration::minutes(16));
        auth::login(&after, "zhen", PASSWORD).await.unwrap();
        let mut c = app.store().acquire().await.unwrap();
        let u = user_store::get_by_username(&mut c, &Scope::All, "zhen")
            .await
            .unwrap()
            .unwrap();
        assert_eq!((u.failed_logins, u.locked_until), (0, None));
    }
);

contract_test!(
    a_success_after_a_concurrent_lock_is_refused,
    |db: TestDb| async move {
        let app = setup(&db);
        add(&app, "zhen", Role::Committee, PASSWORD).await.unwrap();
        let now = "2026-12-15T02:00:00Z";
        let until = "2026-12-15T02:15:00Z";
        let mut c = app.store().acquire().await.unwrap();
        // The right password's attempt is reserved first and still being verified …
        assert_eq!(
            user_store::reserve_attempt(&mut c, "zhen", 5, now)
                .await
                .unwrap(),
            Reservation::Granted { n: 1 }
        );
        // … while four wrong ones are reserved and fail; the count (5) reaches the limit.
        for n in 2..=5 {
            assert_eq!(
                user_store::reserve_attempt(&mut c, "zhen", 5, now)
                    .await
                    .unwrap(),
                Reservation::Granted { n }
            );
        }
        assert_eq!(
            user_store::reserve_attempt(&mut c, "zhen", 5, now)
                .await
                .unwrap(),
            Reservation::Refused { locked_until: None }
        );
        let locked = user_store::attempt_failed(&mut c, "zhen", 5, now, until)
            .await
            .unwrap();
        assert_eq!(locked.as_deref(), Some(until));
        // The right password arrives after the lock: refused, the lock stays.
        assert!(!user_store::attempt_succeeded(&mut c, "zhen", now)
            .await
            .unwrap());
        assert_eq!(
            user_store::reserve_attempt(&mut c, "zhen", 5, now)
                .await
                .unwrap(),
            Reservation::Refused {
                locked_until: Some(until.to_string())
            }
        );
        // After the lock a reservation starts afresh.
        assert_eq!(
            user_store::reserve_attempt(&mut c, "zhen", 5, "2026-12-15T02:16:00Z")
                .await
                .unwrap(),
            Reservation::Granted { n: 1 }
        );
    }
);

contract_test!(
    unknown_names_answer_and_lock_alike,
    |db: TestDb| async move {
        let app = setup(&db);
        add(&app, "zhen", Role::Committee, PASSWORD).await.unwrap();
        let mut answers = Vec::new();
        for name in ["zhen", "nobody"] {
            let mut seq = Vec::new();
            for _ in 0..7 {
                let e = auth::login(&app, name, "Wrong-pass-1").await.unwrap_err();
                let kind = match &e {
                    AuthError::BadCredentials => "wrong",
                    AuthError::Locked { .. } => "locked",
                    other => panic!("{other:?}"),
                };
                seq.push((kind, e.to_string()));
            }
            answers.push(seq);
        }
        assert_eq!(
            answers[0], answers[1],
            "known and unknown names answer alike"
        );
        let kinds: Vec<&str> = answers[0].iter().map(|(k, _)| *k).collect();
        assert_eq!(
            kinds,
            ["wrong", "wrong", "wrong", "wrong", "locked", "locked", "locked"]
        );
        assert_eq!(
            answers[0][4].1,
            "登录失败次数过多，账户已锁定至2026-12-15 10:15"
        );
        // A burst on an unknown name is held the same way.
        let (wrong, locked) = burst(&app, "nobody-else").await;
        assert!(wrong <= 4 && wrong + locked == 30, "{wrong} {locked}");
        let verified = failed_logins(&app, "nobody-else")
            .await
            .iter()
            .filter(|a| a["reason"].as_str().unwrap().starts_with("unknown_user"))
            .count();
        assert_eq!(verified, 5);
        // The locks of these names do not touch another.
        add(&app, "li", Role::Secretary, PASSWORD).await.unwrap();
        auth::login(&app, "li", PASSWORD).await.unwrap();
    }
);

contract_test!(the_password_policy_is_enforced, |db: TestDb| async move {
    let app = setup(&db);
    for (name, role, pw, says) in [
        ("weak-admin", Role::Admin, "12345678", "至少需要10个字符"),
        ("weak-admin", Role::Admin, "abcdefghij", "至少3类"),
        ("same", Role::Secretary, "Same-2026-x", "用户名"),
        ("li", Role::Secretary, "Aa123456", "常见"),
        ("li", Role::Department, "Woaini1314!", "常见"),
        ("li", Role::Secretary, "Ab1-xyz", "至少需要8个字符"),
    ] {
        let e = add(&app, name, role, pw).await.unwrap_err();
        assert!(e.to_string().contains(says), "{name} {pw}: {e}");
    }
    add(&app, "li", Role::Secretary, "Ab1-xyzw").await.unwrap();
    add(&app, "boss", Role::Admin, "Jiceng-党建-9")
        .await
        .unwrap();
    // A reset is held to the user's role too.
    let e = users::reset_password(&app, &Actor::system(), "boss", "Short-1")
        .await
        .unwrap_err();
    assert!(e.to_string().contains("至少需要10个字符"), "{e}");
});

contract_test!(
    privileged_passwords_must_be_renewed,
    |db: TestDb| async move {
        let app = setup(&db);
        add(&app, "boss", Role::Admin, PASSWORD).await.unwrap();
        add(&app, "li", Role::Secretary, PASSWORD).await.unwrap();
        let s = auth::login(&app, "boss", PASSWORD).await.unwrap();
        assert!(!s.must_change_password);
        // 90 days later the administrator must change the password; the secretary need not.
        let later = at(&app, t0() + Duration::days(90));
        let old = auth::login(&later, "boss", PASSWORD).await.unwrap();
        assert!(old.must_change_password);
        let other = auth::login(&later, "boss", PASSWORD).await.unwrap();
        assert!(
            !auth::login(&later, "li", PASSWORD)
                .await
                .unwrap()
                .must_change_password
        );
        // A wrong current password, a weak new one, the same one: refused.
        assert!(matches!(
            auth::change_password(&later, &old.token, "Wrong-pass-9", "Brand-new-pass-1")
                .await
                .unwrap_err(),
            AuthError::BadCredentials
        ));
        let e = auth::change_password(&later, &old.token, PASSWORD, "Boss-12345678x")
            .await
            .unwrap_err();
        assert!(e.to_string().contains("用户名"), "{e}");
        let e = auth::change_password(&later, &old.token, PASSWORD, PASSWORD)
            .await
            .unwrap_err();
        assert!(e.to_string().contains("相同"), "{e}");
        auth::change_password(&later, &old.token, PASSWORD, "Brand-new-pass-1")
            .await
            .unwrap();
        // This session goes on, unflagged; the other one ended.
        let again = auth::resume(&later, &old.token).await.unwrap().unwrap();
        assert!(!again.must_change_password);
        assert!(auth::resume(&later, &other.token).await.unwrap().is_none());
        auth::login(&later, "boss", "Brand-new-pass-1")
            .await
            .unwrap();
        let log = audit::list(&app, &Actor::system().grant().unwrap(), 1, 500)
            .await
            .unwrap()
            .0;
        let change = log
            .iter()
            .find(|e| e.code == AuditAction::PasswordChange.code())
            .expect("audited");
        assert_eq!((change.code, change.target.as_str()), (13, "boss"));
        assert!(!serde_json::to_string(change)
            .unwrap()
            .contains("Brand-new-pass-1"));
        assert!(audit::verify(&app).await.unwrap().ok);
    }
);

contract_test!(sessions_end_after_their_lifetime, |db: TestDb| async move {
    let app = setup(&db);
    add(&app, "li", Role::Secretary, PASSWORD).await.unwrap();
    let s = auth::login(&app, "li", PASSWORD).await.unwrap();
    // Used every 20 minutes: alive for 12 hours, then gone however busy.
    let mut t = t0();
    while t < t0() + Duration::hours(12) - Duration::minutes(20) {
        t += Duration::minutes(20);
        assert!(
            auth::resume(&at(&app, t), &s.token)
                .await
                .unwrap()
                .is_some(),
            "{t}"
        );
    }
    let past = at(&app, t0() + Duration::hours(12) + Duration::minutes(1));
    assert!(auth::resume(&past, &s.token).await.unwrap().is_none());
    // The lifetime is configurable.
    let s = auth::login(&app, "li", PASSWORD).await.unwrap();
    let mut short = at(&app, t0() + Duration::minutes(25));
    short.auth.max_session_minutes = 20;
    short.auth.idle_minutes = 60;
    assert!(auth::resume(&short, &s.token).await.unwrap().is_none());
});
