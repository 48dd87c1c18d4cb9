//! Users, login, lockout, sessions, scopes, the audit chain and ID-number privacy, on
//! SQLite and PostgreSQL, over the township fixture.

mod common;

use chrono::{DateTime, Duration, Utc};
use common::*;
use jiceng_app::access::{Actor, Role};
use jiceng_app::audit::{self, AuditAction};
use jiceng_app::auth::{self, AuthError};
use jiceng_app::import::{self, ImportOptions, NoProgress};
use jiceng_app::users::{self, NewUser};
use jiceng_app::{privacy, App, AppError, Crypto};
use jiceng_store::testing::TestDb;
use jiceng_store::{contract_test, Scope};

const PASSWORD: &str = "correct horse 1";

async fn add(app: &App, username: &str, role: Role, org: Option<&str>) -> users::UserInfo {
    add_user(app, username, PASSWORD, role, org).await.unwrap()
}

async fn path_of(app: &App, code: &str) -> String {
    app.resolve_org(&Scope::All, code).await.unwrap().path
}

async fn member_id(app: &App, name: &str) -> i64 {
    let mut c = app.store().acquire().await.unwrap();
    let (list, _) = jiceng_store::members::search(&mut c, &Scope::All, Some(name), 0, 5)
        .await
        .unwrap();
    assert_eq!(list.len(), 1, "{name}");
    list[0].id
}

contract_test!(login_resume_logout, |db: TestDb| async move {
    let (app, _dir) = township_at_t0(&db, "access").await;
    add(&app, "zhen", Role::Committee, Some("T001")).await;
    let s = auth::login(&app, "zhen", PASSWORD).await.unwrap();
    assert_eq!(s.token.len(), 64);
    assert_eq!(s.csrf.len(), 64);
    assert_ne!(s.token, s.csrf);
    assert_eq!(s.actor.username(), "zhen");
    assert_eq!(s.actor.role(), Role::Committee);
    // Only the token's hash is stored.
    let mut c = app.store().acquire().await.unwrap();
    assert!(jiceng_store::users::session(&mut c, &s.token)
        .await
        .unwrap()
        .is_none());
    drop(c);
    let again = auth::resume(&app, &s.token).await.unwrap().unwrap();
    assert_eq!(
        (again.csrf.as_str(), &again.actor),
        (s.csrf.as_str(), &s.actor)
    );
    assert!(auth::resume(&app, "not a token").await.unwrap().is_none());
    assert!(auth::resume(&app, &"0".repeat(64)).await.unwrap().is_none());
    auth::logout(&app, &s.token).await.unwrap();
    assert!(auth::resume(&app, &s.token).await.unwrap().is_none());
    auth::logout(&app, &s.token).await.unwrap();

    let log = audit_log(&app).await;
    let codes: Vec<i64> = log.iter().map(|e| e.code).collect();
    // Newest first: logout, login, user add, then the three imports.
    assert_eq!(&codes[..4], &[3, 1, 10, 20]);
    assert_eq!(log[1].target, "zhen");
    assert_eq!(log[1].org_code.as_deref(), Some("T001"));
    assert_eq!(log[1].label, "登录");
});

contract_test!(wrong_password_and_unknown_user, |db: TestDb| async move {
    let (app, _dir) = township_at_t0(&db, "access").await;
    add(&app, "zhen", Role::Committee, Some("T001")).await;
    let e = auth::login(&app, "zhen", "wrong password")
        .await
        .unwrap_err();
    assert!(matches!(e, AuthError::BadCredentials), "{e:?}");
    assert_eq!(e.to_string(), "用户名或密码错误");
    let e = auth::login(&app, "nobody", PASSWORD).await.unwrap_err();
    assert!(matches!(e, AuthError::BadCredentials), "{e:?}");
    let log = audit_log(&app).await;
    assert_eq!(log[0].code, AuditAction::LoginFailed.code());
    assert_eq!(log[0].target, "nobody");
    assert_eq!(log[1].code, AuditAction::LoginFailed.code());
    assert_eq!(log[1].after.as_ref().unwrap()["failures"], 1);
    // The password is in no entry.
    for e in &log {
        let text = serde_json::to_string(e).unwrap();
        assert!(!text.contains("wrong password") && !text.contains(PASSWORD));
    }
    // A success starts the count afresh.
    auth::login(&app, "zhen", PASSWORD).await.unwrap();
    let mut c = app.store().acquire().await.unwrap();
    let u = jiceng_store::users::get_by_username(&mut c, &Scope::All, "zhen")
        .await
        .unwrap()
        .unwrap();
    assert_eq!(u.failed_logins, 0);
});

contract_test!(lockout_after_five_failures, |db: TestDb| async move {
    let (app, _dir) = township_at_t0(&db, "access").await;
    add(&app, "zhen", Role::Committee, Some("T001")).await;
    for i in 1..=4 {
        let e = auth::login(&app, "zhen", "bad password").await.unwrap_err();
        assert!(matches!(e, AuthError::BadCredentials), "attempt {i}: {e:?}");
    }
    // The fifth failure locks for 15 minutes: until 10:15 China time.
    let e = auth::login(&app, "zhen", "bad password").await.unwrap_err();
    match &e {
        AuthError::Locked { until } => assert_eq!(until, "2026-12-15 10:15"),
        other => panic!("{other:?}"),
    }
    assert_eq!(
        e.to_string(),
        "登录失败次数过多，账户已锁定至2026-12-15 10:15"
    );
    // While locked even the right password is refused.
    let later = at(&app, t0() + Duration::minutes(14));
    assert!(matches!(
        auth::login(&later, "zhen", PASSWORD).await.unwrap_err(),
        AuthError::Locked { .. }
    ));
    let list = async { users::list_users(&later, &Actor::system().grant()?).await }
        .await
        .unwrap();
    assert_eq!(list[0].locked_until.as_deref(), Some("2026-12-15 10:15"));
    // After the window it opens again.
    let after = at(&app, t0() + Duration::minutes(16));
    auth::login(&after, "zhen", PASSWORD).await.unwrap();
    assert_eq!(
        async { users::list_users(&after, &Actor::system().grant()?).await }
            .await
            .unwrap()[0]
            .locked_until,
        None
    );

    // Twenty wrong passwords: locked, and the count is configurable.
    let mut strict = at(&app, t0() + Duration::minutes(30));
    strict.auth.max_failures = 3;
    let mut locked = 0;
    for _ in 0..20 {
        if let AuthError::Locked { .. } = auth::login(&strict, "zhen", "bad password")
            .await
            .unwrap_err()
        {
            locked += 1;
        }
    }
    assert_eq!(locked, 18);
    // An administrator's new password clears the lockout.
    users::reset_password(&strict, &Actor::system(), "zhen", "Another password")
        .await
        .unwrap();
    auth::login(&strict, "zhen", "Another password")
        .await
        .unwrap();
    assert!(matches!(
        auth::login(&strict, "zhen", PASSWORD).await.unwrap_err(),
        AuthError::BadCredentials
    ));
    assert!(audit::verify(&app).await.unwrap().ok);
});

contract_test!(idle_sessions_expire, |db: TestDb| async move {
    let (app, _dir) = township_at_t0(&db, "access").await;
    add(&app, "zhen", Role::Committee, Some("T001")).await;
    let s = auth::login(&app, "zhen", PASSWORD).await.unwrap();
    // Used after 29 minutes: still valid, and seen again.
    let t29 = at(&app, t0() + Duration::minutes(29));
    assert!(auth::resume(&t29, &s.token).await.unwrap().is_some());
    let t58 = at(&app, t0() + Duration::minutes(58));
    assert!(auth::resume(&t58, &s.token).await.unwrap().is_some());
    // Then idle for 31 minutes: gone, and deleted.
    let t89 = at(&app, t0() + Duration::minutes(89));
    assert!(auth::resume(&t89, &s.token).await.unwrap().is_none());
    assert!(auth::resume(&t58, &s.token).await.unwrap().is_none());
    // The idle time is configurable.
    let s = auth::login(&app, "zhen", PASSWORD).await.unwrap();
    let mut short = at(&app, t0() + Duration::minutes(6));
    short.auth.idle_minutes = 5;
    assert!(auth::resume(&short, &s.token).await.unwrap().is_none());
});

contract_test!(disabled_users_cannot_log_in, |db: TestDb| async move {
    let (app, _dir) = township_at_t0(&db, "access").await;
    add(&app, "zhen", Role::Committee, Some("T001")).await;
    let s = auth::login(&app, "zhen", PASSWORD).await.unwrap();
    users::disable_user(&app, &Actor::system(), "zhen")
        .await
        .unwrap();
    assert!(auth::resume(&app, &s.token).await.unwrap().is_none());
    let e = auth::login(&app, "zhen", PASSWORD).await.unwrap_err();
    assert!(matches!(e, AuthError::Disabled), "{e:?}");
    assert_eq!(e.to_string(), "账户已停用");
    // A wrong password still says only that.
    assert!(matches!(
        auth::login(&app, "zhen", "bad password").await.unwrap_err(),
        AuthError::BadCredentials
    ));
    let list = async { users::list_users(&app, &Actor::system().grant()?).await }
        .await
        .unwrap();
    assert!(list[0].disabled);
    let log = audit_log(&app).await;
    assert!(log
        .iter()
        .any(|e| e.code == AuditAction::UserDisable.code()));
});

contract_test!(scopes_follow_the_users_org, |db: TestDb| async move {
    let (app, _dir) = township_at_t0(&db, "access").await;
    add(&app, "zhen", Role::Committee, Some("T001")).await;
    add(&app, "dongcun", Role::Secretary, Some("东村党支部")).await;
    add(&app, "floating", Role::Secretary, None).await;
    add(&app, "root", Role::Admin, None).await;
    add(&app, "self", Role::Member, Some("T002")).await;
    let actor = |name: &'static str| {
        let app = app.clone();
        async move { auth::login(&app, name, PASSWORD).await.unwrap().actor }
    };
    let zhen = actor("zhen").await;
    let dongcun = actor("dongcun").await;
    assert_eq!(zhen.scope(), &Scope::subtree(&path_of(&app, "T001").await));
    assert_eq!(
        dongcun.scope(),
        &Scope::subtree(&path_of(&app, "T002").await)
    );
    assert_eq!(actor("floating").await.scope(), &Scope::Nothing);
    assert_eq!(actor("root").await.scope(), &Scope::All);
    // A member user's scope is its org's subtree; use cases narrow it to member_id.
    assert_eq!(
        actor("self").await.scope(),
        &Scope::subtree(&path_of(&app, "T002").await)
    );

    let mut c = app.store().acquire().await.unwrap();
    let count = |s: Scope| {
        let app = app.clone();
        async move {
            let mut c = app.store().acquire().await.unwrap();
            jiceng_store::members::search(&mut c, &s, None, 0, 1)
                .await
                .unwrap()
                .1
        }
    };
    // 东村 8 + 南村 3 below it; the township all 17.
    assert_eq!(count(zhen.scope().clone()).await, 17);
    assert_eq!(count(dongcun.scope().clone()).await, 11);
    assert_eq!(count(Scope::Nothing).await, 0);
    let other = app.resolve_org(&Scope::All, "T005").await.unwrap();
    assert!(
        jiceng_store::orgs::get(&mut c, dongcun.scope(), other.org.id)
            .await
            .unwrap()
            .is_none()
    );
    drop(c);
    // The branch secretary cannot resolve an org outside its branch either.
    assert!(matches!(
        app.resolve_org(dongcun.scope(), "T005").await.unwrap_err(),
        AppError::OrgNotFound(_)
    ));
});

contract_test!(users_are_managed_within_scope, |db: TestDb| async move {
    let (app, _dir) = township_at_t0(&db, "access").await;
    let sys = Actor::system();
    let new = |username: &str, password: &str, org: Option<&str>| NewUser {
        username: username.into(),
        password: password.into(),
        role: Role::Secretary,
        org: org.map(str::to_string),
        member_id: None,
        display_name: Some("测试".into()),
        must_change: false,
    };
    let e = users::add_user(&app, &sys, new("a", "short", Some("T002")))
        .await
        .unwrap_err();
    assert_eq!(e.to_string(), "密码至少需要8个字符");
    let u = users::add_user(&app, &sys, new("a", PASSWORD, Some("T002")))
        .await
        .unwrap();
    assert_eq!(
        (u.org_code.as_deref(), u.org_name.as_deref()),
        (Some("T002"), Some("东村党支部"))
    );
    let e = users::add_user(&app, &sys, new("a", PASSWORD, Some("T005")))
        .await
        .unwrap_err();
    assert!(e.to_string().contains("已存在"), "{e}");
    assert!(matches!(
        users::add_user(&app, &sys, new("b", PASSWORD, Some("NOPE")))
            .await
            .unwrap_err(),
        AppError::OrgNotFound(_)
    ));
    // Stored as argon2id, never in clear.
    let mut c = app.store().acquire().await.unwrap();
    let stored = jiceng_store::users::get(&mut c, u.id)
        .await
        .unwrap()
        .unwrap();
    assert!(
        stored.password_hash.starts_with("$argon2id$"),
        "{}",
        stored.password_hash
    );
    drop(c);

    // A township administrator manages its own subtree only.
    add(&app, "zadmin", Role::Admin, Some("T001")).await;
    add(&app, "elsewhere", Role::Admin, None).await;
    let zadmin = auth::login(&app, "zadmin", PASSWORD).await.unwrap().actor;
    let names: Vec<String> = async { users::list_users(&app, &zadmin.grant()?).await }
        .await
        .unwrap()
        .into_iter()
        .map(|u| u.username)
        .collect();
    assert_eq!(names, ["a", "zadmin"]);
    assert!(matches!(
        users::disable_user(&app, &zadmin, "elsewhere")
            .await
            .unwrap_err(),
        AppError::NotFound(_)
    ));
    // 三权分立: a system administrator adds accounts without a role (党员 without a
    // member record); the security administrator gives roles.
    let fresh = |username: &str, org: Option<&str>| NewUser {
        role: Role::Member,
        ..new(username, PASSWORD, org)
    };
    let e = users::add_user(&app, &zadmin, new("c", PASSWORD, Some("T005")))
        .await
        .unwrap_err();
    assert!(e.to_string().contains("安全管理员"), "{e}");
    assert!(matches!(
        users::add_user(&app, &zadmin, fresh("c", None))
            .await
            .unwrap_err(),
        AppError::Forbidden
    ));
    users::add_user(&app, &zadmin, fresh("c", Some("T005")))
        .await
        .unwrap();
    // Other roles manage no users.
    let a = auth::login(&app, "a", PASSWORD).await.unwrap().actor;
    assert!(matches!(
        async { users::list_users(&app, &a.grant()?).await }
            .await
            .unwrap_err(),
        AppError::Forbidden
    ));
    assert!(matches!(
        users::reset_password(&app, &a, "c", "whatever pw")
            .await
            .unwrap_err(),
        AppError::Forbidden
    ));
    assert_eq!(AppError::Forbidden.to_string(), "无权执行此操作");
});

contract_test!(imports_are_audited_and_scoped, |db: TestDb| async move {
    let (app, dir) = township_at_t0(&db, "access").await;
    let log = audit_log(&app).await;
    assert_eq!(log.len(), 3);
    let targets: Vec<&str> = log.iter().map(|e| e.target.as_str()).collect();
    assert_eq!(targets, ["单位.xlsx", "党员名册.xlsx", "组织.xlsx"]);
    assert!(log.iter().all(|e| e.code == 20 && e.actor == "system"));
    assert_eq!(log[1].after.as_ref().unwrap()["written"], 17);
    assert_eq!(log[1].after.as_ref().unwrap()["kind"], "members");

    // A branch secretary's import is resolved in its branch and recorded against it;
    // an inspector may not import.
    add(&app, "dongcun", Role::Secretary, Some("T002")).await;
    add(&app, "ins", Role::Inspector, Some("T001")).await;
    let dongcun = auth::login(&app, "dongcun", PASSWORD).await.unwrap().actor;
    let ins = auth::login(&app, "ins", PASSWORD).await.unwrap().actor;
    let (_, members, _) = township(&dir);
    let opts = |actor: Actor| ImportOptions {
        actor,
        ..Default::default()
    };
    assert!(matches!(
        import::members::run(&app, &members, &opts(ins), &NoProgress)
            .await
            .unwrap_err(),
        AppError::Forbidden
    ));
    let r = import::members::run(&app, &members, &opts(dongcun.clone()), &NoProgress)
        .await
        .unwrap();
    // Members of other branches are not found within 东村.
    assert!(
        r.errors.iter().all(|e| e.message.contains("找不到党组织")),
        "{:?}",
        r.errors
    );
    assert_eq!(r.errors.len(), 6);
    // A subtree outside its branch is not found when the front end resolves it.
    assert!(matches!(
        common::org(&app, &dongcun, "T005").await.unwrap_err(),
        AppError::OrgNotFound(_)
    ));
});

contract_test!(
    audit_log_is_read_by_admins_and_auditors,
    |db: TestDb| async move {
        let (app, _dir) = township_at_t0(&db, "access").await;
        add(&app, "dongcun", Role::Secretary, Some("T002")).await;
        add(&app, "jiguan", Role::Secretary, Some("T005")).await;
        add(&app, "aud", Role::Auditor, Some("T002")).await;
        let dongcun = auth::login(&app, "dongcun", PASSWORD).await.unwrap().actor;
        auth::login(&app, "jiguan", PASSWORD).await.unwrap();
        let aud = auth::login(&app, "aud", PASSWORD).await.unwrap().actor;
        assert!(matches!(
            dongcun
                .grant::<jiceng_app::access::ReadAudit>()
                .unwrap_err(),
            AppError::Forbidden
        ));
        let (mine, total) = audit::list(&app, &aud.grant().unwrap(), 1, 50)
            .await
            .unwrap();
        // Within 东村: adding dongcun and aud, and their logins; not 镇机关's, not imports.
        assert_eq!(total, 4, "{mine:?}");
        assert!(mine.iter().all(|e| e.org_code.as_deref() == Some("T002")));
        let (page, total) = audit::list(&app, &Actor::system().grant().unwrap(), 2, 3)
            .await
            .unwrap();
        assert_eq!(total, 3 + 3 + 3);
        assert_eq!(page.iter().map(|e| e.seq).collect::<Vec<_>>(), [6, 5, 4]);
    }
);

contract_test!(audit_verify_detects_tampering, |db: TestDb| async move {
    let (app, _dir) = township_at_t0(&db, "access").await;
    add(&app, "zhen", Role::Committee, Some("T001")).await;
    for _ in 0..3 {
        auth::login(&app, "zhen", PASSWORD).await.unwrap();
    }
    let r = audit::verify(&app).await.unwrap();
    assert!(r.ok && r.problems.is_empty(), "{:?}", r.problems);
    assert_eq!(r.entries, 7);
    let mut c = app.store().acquire().await.unwrap();
    sqlx::query("UPDATE audit_event SET after = '{\"written\":0}' WHERE seq = 2")
        .execute(&mut *c)
        .await
        .unwrap();
    drop(c);
    let r = audit::verify(&app).await.unwrap();
    assert!(!r.ok);
    assert_eq!(r.problems, ["第2条记录被修改"]);
    let mut c = app.store().acquire().await.unwrap();
    sqlx::query("DELETE FROM audit_event WHERE seq = 5")
        .execute(&mut *c)
        .await
        .unwrap();
    drop(c);
    let r = audit::verify(&app).await.unwrap();
    assert_eq!(r.entries, 6);
    assert_eq!(r.problems, ["第2条记录被修改", "第5条记录缺失"]);
});

contract_test!(
    full_id_numbers_are_shown_to_few_and_audited,
    |db: TestDb| async move {
        let (app, _dir) = township_at_t0(&db, "access").await;
        add(&app, "dongcun", Role::Secretary, Some("T002")).await;
        add(&app, "ins", Role::Inspector, Some("T001")).await;
        add(&app, "root", Role::Admin, None).await;
        let dongcun = auth::login(&app, "dongcun", PASSWORD).await.unwrap().actor;
        let ins = auth::login(&app, "ins", PASSWORD).await.unwrap().actor;
        let root = auth::login(&app, "root", PASSWORD).await.unwrap().actor;
        let zhao = member_id(&app, "赵一").await; // 东村
        let chu = member_id(&app, "褚甲").await; // 镇机关
        let before = audit_log(&app).await.len();
        assert!(matches!(
            async { privacy::reveal_id_number(&app, &ins.grant()?, zhao).await }
                .await
                .unwrap_err(),
            AppError::Forbidden
        ));
        assert!(matches!(
            async { privacy::reveal_id_number(&app, &root.grant()?, zhao).await }
                .await
                .unwrap_err(),
            AppError::Forbidden
        ));
        assert!(matches!(
            async { privacy::reveal_id_number(&app, &dongcun.grant()?, chu).await }
                .await
                .unwrap_err(),
            AppError::NotFound(_)
        ));
        assert!(matches!(
            async { privacy::reveal_id_number(&app, &dongcun.grant()?, 999_999).await }
                .await
                .unwrap_err(),
            AppError::NotFound(_)
        ));
        assert_eq!(
            audit_log(&app).await.len(),
            before,
            "refusals write nothing"
        );
        let full = async { privacy::reveal_id_number(&app, &dongcun.grant()?, zhao).await }
            .await
            .unwrap();
        let expected = id(0, d("1970-03-12"), false);
        assert_eq!(full, expected);
        let log = audit_log(&app).await;
        assert_eq!(log.len(), before + 1);
        assert_eq!(log[0].code, AuditAction::ViewIdNumber.code());
        assert_eq!(log[0].actor, "dongcun");
        assert_eq!(log[0].org_code.as_deref(), Some("T002"));
        assert!(log[0].target.contains("赵一"), "{}", log[0].target);
        assert!(!serde_json::to_string(&log[0]).unwrap().contains(&expected));
    }
);

contract_test!(
    concurrent_audited_writes_keep_the_chain,
    |db: TestDb| async move {
        let (app, _dir) = township_at_t0(&db, "access").await;
        add(&app, "dongcun", Role::Secretary, Some("T002")).await;
        let dongcun = auth::login(&app, "dongcun", PASSWORD).await.unwrap().actor;
        let zhao = member_id(&app, "赵一").await;
        let before = audit::verify(&app).await.unwrap().entries;
        // Twenty audited writes at once: ten views of an ID number, ten caller transactions
        // recording an export, each run through with_retry.
        let mut tasks = Vec::new();
        for n in 0..20 {
            let app = app.clone();
            let actor = dongcun.clone();
            tasks.push(tokio::spawn(async move {
                if n % 2 == 0 {
                    async { privacy::reveal_id_number(&app, &actor.grant()?, zhao).await }
                        .await
                        .map(|_| ())
                } else {
                    audit::with_retry(|| async {
                        let mut tx = app.store().begin().await?;
                        audit::Entry::new(&actor, AuditAction::Export, format!("导出{n}.xlsx"))
                            .after(Some(serde_json::json!({ "rows": n })))
                            .record(&mut tx, chrono::Utc::now())
                            .await?;
                        tx.commit().await?;
                        Ok(())
                    })
                    .await
                }
            }));
        }
        for t in tasks {
            t.await.unwrap().unwrap();
        }
        let r = audit::verify(&app).await.unwrap();
        assert!(r.ok, "{:?}", r.problems);
        assert_eq!(r.entries, before + 20);
    }
);

contract_test!(
    key_rotation_re_encrypts_every_number,
    |db: TestDb| async move {
        let (app, _dir) = township_at_t0(&db, "access").await;
        privacy::check_key(&app).await.unwrap();
        add(&app, "dongcun", Role::Secretary, Some("T002")).await;
        let dongcun = auth::login(&app, "dongcun", PASSWORD).await.unwrap().actor;
        let zhao = member_id(&app, "赵一").await;
        let full = async { privacy::reveal_id_number(&app, &dongcun.grant()?, zhao).await }
            .await
            .unwrap();
        let new = Crypto::from_key(&[9u8; 32]);
        assert!(matches!(
            async { privacy::rotate_key(&app, &dongcun.grant()?, &new).await }
                .await
                .unwrap_err(),
            AppError::Forbidden
        ));
        assert_eq!(
            async { privacy::rotate_key(&app, &Actor::system().grant()?, &new).await }
                .await
                .unwrap(),
            17
        );
        // The old key is now refused; the new one reads and matches the same people.
        assert!(privacy::check_key(&app).await.is_err());
        let mut rotated = app.clone();
        rotated.crypto = new.clone();
        privacy::check_key(&rotated).await.unwrap();
        assert_eq!(
            async { privacy::reveal_id_number(&rotated, &dongcun.grant()?, zhao).await }
                .await
                .unwrap(),
            full
        );
        let dir = Dir::new("rotated");
        let (_, members, _) = township(&dir);
        let r = import::members::run(&rotated, &members, &ImportOptions::default(), &NoProgress)
            .await
            .unwrap();
        assert_eq!((r.written, r.unchanged), (0, 17), "matched by the new hash");
        // The log was sealed again with the new key's audit key, the old one no longer fits.
        let r = audit::verify(&rotated).await.unwrap();
        assert!(r.ok, "{:?}", r.problems);
        assert!(!audit::verify(&app).await.unwrap().ok);
    }
);

// ---------------------------------------------------------------- the keyed, anchored log

/// Records one export entry by `actor` at `when`.
async fn rec(app: &App, when: DateTime<Utc>, actor: &Actor, target: &str) {
    audit::with_retry(|| async {
        let mut tx = app.store().begin().await?;
        audit::Entry::new(actor, AuditAction::Export, target)
            .record(&mut tx, when)
            .await?;
        tx.commit().await?;
        Ok(())
    })
    .await
    .unwrap();
}

/// An app with an anchor file and `n` entries, anchored.
async fn anchored(db: &TestDb, n: i64) -> (App, Dir) {
    let mut app = app(db);
    app.fixed_now = Some(t0());
    let dir = Dir::new("anchor");
    app.audit.anchor = Some(dir.file("jiceng-audit.anchor"));
    for i in 0..n {
        rec(
            &app,
            t0() + Duration::seconds(i),
            &Actor::system(),
            &format!("名册{i}"),
        )
        .await;
    }
    audit::write_anchor(&app).await.unwrap().unwrap();
    (app, dir)
}

/// What an attacker with the database (not the key) does after editing: recompute every
/// entry's hash in order and move the head — the review's Python re-chainer — with plain
/// SHA-256 (`wrong` None) or with HMAC under a key of their own.
async fn rechain(app: &App, wrong: Option<&Crypto>) {
    use jiceng_store::audit as st;
    let mut c = app.store().acquire().await.unwrap();
    let (mut all, _) = st::list(&mut c, &Scope::All, 0, 10_000).await.unwrap();
    all.reverse();
    let mut prev = st::GENESIS.to_string();
    for e in &all {
        let h = match wrong {
            None => st::event_hash(&prev, e.seq, &e.event),
            Some(k) => st::event_mac(&audit::AuditSealer(k.clone()), &prev, e.seq, &e.event),
        };
        sqlx::query("UPDATE audit_event SET prev_hash = $1, hash = $2 WHERE seq = $3")
            .bind(prev.clone())
            .bind(h.clone())
            .bind(e.seq)
            .execute(&mut *c)
            .await
            .unwrap();
        prev = h;
    }
    let last = all.last().map_or(0, |e| e.seq);
    sqlx::query("UPDATE audit_head SET seq = $1, hash = $2 WHERE id = 1")
        .bind(last)
        .bind(prev)
        .execute(&mut *c)
        .await
        .unwrap();
}

/// Re-chains as `rechain` does and verifies: the keyed chain is found broken from its first
/// entry on, whatever the attacker recomputed with. The report, for what else it says.
async fn rechained_is_caught(app: &App, wrong: Option<&Crypto>) -> audit::VerifyReport {
    rechain(app, wrong).await;
    let r = audit::verify(app).await.unwrap();
    assert!(!r.ok);
    // Every MAC was recomputed without the key: the first entry is the first bad one.
    assert_eq!(r.problems[0], "第1条记录被修改", "{:?}", r.problems);
    r
}

contract_test!(
    verify_reports_the_keyed_chain_and_anchors,
    |db: TestDb| async move {
        let mut app = app(&db);
        let dir = Dir::new("no-anchor");
        app.audit.anchor = Some(dir.file("a.anchor"));
        rec(&app, t0(), &Actor::system(), "名册").await;
        let r = audit::verify(&app).await.unwrap();
        assert!(r.ok, "{:?}", r.problems);
        assert!(
            r.notes.iter().any(|n| n.starts_with("尚无审计锚点")),
            "{:?}",
            r.notes
        );
        assert!(
            r.notes.iter().any(|n| n == "全部记录由审计密钥签名"),
            "{:?}",
            r.notes
        );
        let (app, _dir) = anchored(&db, 5).await;
        let r = audit::verify(&app).await.unwrap();
        assert!(r.ok, "{:?}", r.problems);
        assert_eq!((r.entries, r.anchors), (6, 1));
        // Nothing new: no second anchor; a new entry: one more.
        assert!(audit::write_anchor(&app).await.unwrap().is_none());
        rec(&app, t0(), &Actor::system(), "名册").await;
        assert_eq!(audit::write_anchor(&app).await.unwrap().unwrap().seq, 7);
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let mode = std::fs::metadata(app.audit.anchor.as_ref().unwrap())
                .unwrap()
                .permissions()
                .mode();
            assert_eq!(mode & 0o777, 0o600);
        }
    }
);

contract_test!(
    edit_and_rechain_with_sha256_is_found,
    |db: TestDb| async move {
        let (app, _dir) = anchored(&db, 8).await;
        exec(
            &app,
            "UPDATE audit_event SET actor = 'demo-auditor', actor_id = 7 WHERE seq = 3",
        )
        .await;
        let r = rechained_is_caught(&app, None).await;
        assert!(
            r.problems
                .iter()
                .any(|p| p.starts_with("第8条记录与锚点不符")),
            "{:?}",
            r.problems
        );
    }
);

contract_test!(
    rechain_with_hmac_and_a_wrong_key_is_found,
    |db: TestDb| async move {
        let (app, _dir) = anchored(&db, 8).await;
        exec(&app, "UPDATE audit_event SET target = '无' WHERE seq = 5").await;
        rechained_is_caught(&app, Some(&Crypto::from_key(&[1u8; 32]))).await;
    }
);

contract_test!(
    delete_renumber_and_rechain_is_found,
    |db: TestDb| async move {
        let (app, _dir) = anchored(&db, 10).await;
        exec(&app, "DELETE FROM audit_event WHERE seq IN (4, 5, 6)").await;
        exec(&app, "UPDATE audit_event SET seq = seq - 3 WHERE seq > 6").await;
        let r = rechained_is_caught(&app, None).await;
        assert_eq!(r.entries, 7);
        assert!(
            r.problems
                .contains(&"锚点已记至第10条，但日志只到第7条（末尾记录被删除）".to_string()),
            "{:?}",
            r.problems
        );
    }
);

contract_test!(
    truncate_and_move_the_head_is_found,
    |db: TestDb| async move {
        let (app, _dir) = anchored(&db, 10).await;
        exec(&app, "DELETE FROM audit_event WHERE seq > 5").await;
        let mut c = app.store().acquire().await.unwrap();
        let (last, _) = jiceng_store::audit::list(&mut c, &Scope::All, 0, 1)
            .await
            .unwrap();
        sqlx::query("UPDATE audit_head SET seq = 5, hash = $1 WHERE id = 1")
            .bind(last[0].hash.clone())
            .execute(&mut *c)
            .await
            .unwrap();
        drop(c);
        let r = audit::verify(&app).await.unwrap();
        assert!(!r.ok);
        assert_eq!(
            r.problems,
            ["锚点已记至第10条，但日志只到第5条（末尾记录被删除）"]
        );
    }
);

contract_test!(wipe_and_reset_the_head_is_found, |db: TestDb| async move {
    let (app, _dir) = anchored(&db, 6).await;
    exec(&app, "DELETE FROM audit_event").await;
    exec(&app, "UPDATE audit_head SET seq = 0, hash = '0000000000000000000000000000000000000000000000000000000000000000' WHERE id = 1").await;
    let r = audit::verify(&app).await.unwrap();
    assert!(!r.ok);
    assert_eq!(r.entries, 0);
    assert!(
        r.problems
            .contains(&"审计日志为空，但锚点已记至第6条（日志被清空）".to_string()),
        "{:?}",
        r.problems
    );
    // Even without the anchor file, the sealed start of the keyed chain shows the cut.
    let mut bare = app.clone();
    bare.audit.anchor = None;
    let r = audit::verify(&bare).await.unwrap();
    assert_eq!(
        r.problems,
        ["带密钥的记录自第1条起，但日志只到第0条（末尾记录被删除）"]
    );
});

contract_test!(a_forged_anchor_is_found, |db: TestDb| async move {
    let (app, _dir) = anchored(&db, 4).await;
    let path = app.audit.anchor.clone().unwrap();
    let mut text = std::fs::read_to_string(&path).unwrap();
    // An attacker who rewrote the log writes an anchor for it: without the key its MAC
    // is wrong.
    text.push_str("4\tabcdef\t2026-12-15T02:00:00.000Z\t0123\n");
    std::fs::write(&path, text).unwrap();
    let r = audit::verify(&app).await.unwrap();
    assert!(!r.ok);
    assert_eq!(r.problems.len(), 1, "{:?}", r.problems);
    assert!(
        r.problems[0].ends_with("第2行与审计密钥不符（被伪造或修改）"),
        "{:?}",
        r.problems
    );
});

contract_test!(
    every_entry_is_seen_by_the_auditors_of_its_org,
    |db: TestDb| async move {
        let (app, _dir) = township_at_t0(&db, "access").await;
        add(&app, "zhenadmin", Role::Admin, Some("T001")).await;
        add(&app, "dongcun", Role::Secretary, Some("T002")).await;
        add(&app, "zhenaud", Role::Auditor, Some("T001")).await;
        add(&app, "aud", Role::Auditor, None).await;
        let zhenadmin = auth::login(&app, "zhenadmin", PASSWORD)
            .await
            .unwrap()
            .actor;
        let dongcun = auth::login(&app, "dongcun", PASSWORD).await.unwrap().actor;
        let zhenaud = auth::login(&app, "zhenaud", PASSWORD).await.unwrap().actor;
        let aud = auth::login(&app, "aud", PASSWORD).await.unwrap().actor;
        // A roster export without an org, an admin adding a user without an org, a failed
        // login under an unknown name.
        let sheet = jiceng_io::Sheet {
            name: "党员".into(),
            title: "党员名册".into(),
            headers: vec!["姓名".into()],
            rows: vec![],
        };
        jiceng_app::export::workbook(
            &app,
            &dongcun,
            "members",
            None,
            std::slice::from_ref(&sheet),
        )
        .await
        .unwrap();
        jiceng_app::export::workbook(&app, &zhenadmin, "units", None, &[sheet])
            .await
            .unwrap();
        users::add_user(
            &app,
            &zhenadmin,
            NewUser {
                username: "free".into(),
                password: PASSWORD.into(),
                // 三权分立: the administrator adds the account; its role comes later.
                role: Role::Member,
                org: Some("T002".into()),
                member_id: None,
                display_name: None,
                must_change: false,
            },
        )
        .await
        .unwrap();
        assert!(auth::login(&app, "no-such-user", PASSWORD).await.is_err());
        let (seen, _) = audit::list(&app, &zhenaud.grant().unwrap(), 1, 500)
            .await
            .unwrap();
        let export = seen
            .iter()
            .find(|e| e.action == "export" && e.actor == "dongcun")
            .expect("the roster export without ?org= is seen by the township's auditor");
        assert_eq!(export.org_code.as_deref(), Some("T002"));
        let add = seen
            .iter()
            .find(|e| e.action == "user_add" && e.target == "free")
            .expect("the admin's action is seen by the township's auditor");
        assert_eq!(add.org_code.as_deref(), Some("T002"));
        let admin_export = seen
            .iter()
            .find(|e| e.action == "export" && e.actor == "zhenadmin")
            .expect("the admin's export without an org is recorded at the admin's org");
        assert_eq!(admin_export.org_code.as_deref(), Some("T001"));
        assert!(!seen.iter().any(|e| e.target == "no-such-user"));
        // The auditor bound to no org reads the whole log, entries without an org included.
        let (all, total) = audit::list(&app, &aud.grant().unwrap(), 1, 500)
            .await
            .unwrap();
        let (_, everything) = audit::list(&app, &Actor::system().grant().unwrap(), 1, 500)
            .await
            .unwrap();
        assert_eq!(total, everything);
        assert!(all.iter().any(|e| e.target == "no-such-user"));
    }
);

contract_test!(
    retention_is_enforced_and_a_purge_verifies,
    |db: TestDb| async move {
        assert!(matches!(
            audit::AuditConfig::default().with_retention(5),
            Err(AppError::Input(m)) if m.contains("不得少于6个月")
        ));
        assert_eq!(
            audit::AuditConfig::default()
                .with_retention(12)
                .unwrap()
                .retention_months,
            12
        );
        let mut app = app(&db); // today 2026-12-15
        app.fixed_now = Some(t0());
        let dir = Dir::new("purge");
        app.audit.anchor = Some(dir.file("a.anchor"));
        let old = DateTime::parse_from_rfc3339("2026-03-01T00:00:00Z")
            .unwrap()
            .with_timezone(&Utc);
        for i in 0..4 {
            rec(&app, old + Duration::days(i), &Actor::system(), "旧").await;
        }
        audit::write_anchor(&app).await.unwrap();
        for i in 0..3 {
            rec(&app, t0() + Duration::seconds(i), &Actor::system(), "新").await;
        }
        audit::write_anchor(&app).await.unwrap();
        // Within six months of today (2026-06-15 on): refused, nothing removed.
        let e = audit::purge(&app, &Actor::system(), d("2026-07-01"))
            .await
            .unwrap_err();
        assert!(
            matches!(&e, AppError::Input(m) if m.contains("须保存6个月")),
            "{e:?}"
        );
        assert_eq!(audit::verify(&app).await.unwrap().entries, 7);
        let aud = Actor::system().with_role(Role::Auditor);
        assert!(matches!(
            audit::purge(&app, &aud, d("2026-04-01")).await.unwrap_err(),
            AppError::Forbidden
        ));
        assert_eq!(
            audit::purge(&app, &Actor::system(), d("2026-06-01"))
                .await
                .unwrap(),
            4
        );
        let r = audit::verify(&app).await.unwrap();
        assert!(r.ok, "{:?}", r.problems);
        assert_eq!(r.entries, 4); // three new ones and the purge's own entry
        assert!(
            r.notes
                .iter()
                .any(|n| n.starts_with("第5条之前的记录已按保存期限清理")),
            "{:?}",
            r.notes
        );
        let log = audit_log(&app).await;
        assert_eq!(log[0].action, "audit_purge");
    }
);

contract_test!(
    the_export_holds_the_period_and_is_audited,
    |db: TestDb| async move {
        let mut app = app(&db);
        app.fixed_now = Some(t0());
        let days = [
            "2026-11-30T23:59:59Z",
            "2026-12-01T00:00:00Z",
            "2026-12-02T10:00:00Z",
            "2026-12-03T00:00:00Z",
        ];
        for (i, t) in days.iter().enumerate() {
            let t = DateTime::parse_from_rfc3339(t).unwrap().with_timezone(&Utc);
            rec(&app, t, &Actor::system(), &format!("名册{i}")).await;
        }
        let aud = Actor::system().with_role(Role::Auditor);
        let period = audit::Period {
            from: Some(d("2026-12-01")),
            to: Some(d("2026-12-02")),
        };
        let (got, bytes) = audit::export(&app, &aud.grant().unwrap(), period)
            .await
            .unwrap();
        assert_eq!(
            got.iter().map(|e| e.target.as_str()).collect::<Vec<_>>(),
            ["名册1", "名册2"]
        );
        let dir = Dir::new("audit-export");
        let f = dir.file("audit.xlsx");
        std::fs::write(&f, &bytes).unwrap();
        let grid = jiceng_io::read_grid(&f).unwrap();
        let text: Vec<String> = grid
            .rows
            .iter()
            .flat_map(|r| r.cells.iter().map(|c| format!("{c:?}")))
            .collect();
        assert!(text.iter().any(|c| c.contains("名册2")), "{text:?}");
        assert!(!text.iter().any(|c| c.contains("名册3")), "{text:?}");
        let csv = audit::csv(&got);
        assert_eq!(csv.lines().count(), 3);
        assert!(csv.lines().nth(2).unwrap().contains("名册2"));
        let log = audit_log(&app).await;
        assert_eq!(
            (log[0].action.as_str(), log[0].actor.as_str()),
            ("audit_export", "system")
        );
        // Only administrators and auditors export it; a bad period is refused.
        let sec = Actor::system().with_role(Role::Secretary);
        assert!(matches!(
            sec.grant::<jiceng_app::access::ReadAudit>().unwrap_err(),
            AppError::Forbidden
        ));
        let back = audit::Period {
            from: Some(d("2026-12-03")),
            to: Some(d("2026-12-01")),
        };
        assert!(matches!(
            audit::export(&app, &aud.grant().unwrap(), back)
                .await
                .unwrap_err(),
            AppError::Input(_)
        ));
    }
);
