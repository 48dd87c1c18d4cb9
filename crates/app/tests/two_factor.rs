//! The second factor (TOTP and recovery codes) and the separated duties (三权分立) of the
//! system administrator, the security administrator and the auditor, on SQLite and
//! PostgreSQL, over the township fixture.

mod common;

use chrono::Duration;
use common::*;
use jiceng_app::access::{Actor, Role};
use jiceng_app::audit::{self, AuditAction};
use jiceng_app::auth::{self, AuthError, PendingLogin, Session};
use jiceng_app::browse::{self, MemberQuery};
use jiceng_app::users::{self, NewUser, RoleGrant};
use jiceng_app::{privacy, totp, App, AppError, Crypto};
use jiceng_store::testing::TestDb;
use jiceng_store::{contract_test, Scope};

const PASSWORD: &str = "correct horse 1";

async fn add(app: &App, username: &str, role: Role, org: Option<&str>) {
    add_user(app, username, PASSWORD, role, org).await.unwrap();
}

/// The step of the app's clock.
fn step(app: &App) -> i64 {
    app.totp.step_of(app.now())
}

/// Logs in with the password; the pending login of a user with a second factor.
async fn pending(app: &App, username: &str) -> PendingLogin {
    match auth::login(app, username, PASSWORD).await {
        Err(AuthError::SecondFactor(p)) => p,
        other => panic!("expected the second step, got {other:?}"),
    }
}

/// Why the second step of `p` with `code` is refused.
async fn refusal(app: &App, p: &PendingLogin, code: &str) -> AuthError {
    totp::complete_login(app, &p.0, code).await.unwrap_err()
}

/// Enrols a user through its own pages' use cases: the prepared secret, a first code.
/// Answers the secret (base32) and the recovery codes.
async fn enrol_self(app: &App, username: &str) -> (String, Vec<String>) {
    let s = auth::login(app, username, PASSWORD).await.unwrap();
    assert!(totp::must_enrol(app, &s.actor).await.unwrap() || !app.totp.required(s.actor.role()));
    let status = totp::status(app, &s.actor).await.unwrap();
    assert!(!status.enrolled);
    let p = status.pending.unwrap();
    let code = totp::code_at(&app.totp, &p.secret_base32, step(app)).unwrap();
    let codes = totp::confirm(app, &s.actor, &code).await.unwrap();
    (p.secret_base32, codes)
}

async fn failed_logins(app: &App, username: &str) -> i64 {
    // The login's counter by name (`login_attempt`), which wrong codes share.
    let mut c = app.store().acquire().await.unwrap();
    let n: Option<i64> =
        sqlx::query_scalar("SELECT failures FROM login_attempt WHERE name_key = $1")
            .bind(jiceng_app::auth::name_key(username))
            .fetch_optional(&mut *c)
            .await
            .unwrap();
    n.unwrap_or(0)
}

/// A six-digit code that is not `code`.
fn other_code(code: &str) -> String {
    let n: u32 = code.parse().unwrap();
    format!("{:06}", (n + 1) % 1_000_000)
}

contract_test!(
    enrolment_then_login_needs_the_code,
    |db: TestDb| async move {
        let (app, _dir) = township_at_t0(&db, "two-factor").await;
        add(&app, "adm", Role::Admin, None).await;
        // Before enrolment a privileged user logs in, but must enrol first.
        let s = auth::login(&app, "adm", PASSWORD).await.unwrap();
        assert!(totp::must_enrol(&app, &s.actor).await.unwrap());
        let first = totp::status(&app, &s.actor).await.unwrap();
        let again = totp::status(&app, &s.actor).await.unwrap();
        let (p1, p2) = (first.pending.unwrap(), again.pending.unwrap());
        assert_eq!(
            p1.secret_base32, p2.secret_base32,
            "reloading keeps the secret"
        );
        assert!(p1.qr_svg.starts_with("<svg") && p1.qr_svg.contains("<path"));
        assert!(p1.uri.starts_with("otpauth://totp/jiceng:adm?secret="));
        // Stored encrypted, never the base32 text.
        let mut c = app.store().acquire().await.unwrap();
        let stored = jiceng_store::totp::get(&mut c, s.actor.user_id())
            .await
            .unwrap()
            .unwrap();
        drop(c);
        assert!(!stored.confirmed);
        assert!(!stored.secret.contains(&p1.secret_base32));
        let right = totp::code_at(&app.totp, &p1.secret_base32, step(&app)).unwrap();
        let e = totp::confirm(&app, &s.actor, &other_code(&right))
            .await
            .unwrap_err();
        assert!(e.to_string().contains("动态验证码不正确"), "{e}");
        let codes = totp::confirm(&app, &s.actor, &right).await.unwrap();
        assert_eq!(codes.len(), 10);
        assert!(!totp::must_enrol(&app, &s.actor).await.unwrap());
        let entry = audit_log(&app)
            .await
            .into_iter()
            .find(|e| e.code == AuditAction::TotpEnrol.code())
            .unwrap();
        assert_eq!(
            (entry.actor.as_str(), entry.target.as_str()),
            ("adm", "adm")
        );

        // Now the password alone opens no session.
        let p = pending(&app, "adm").await;
        // The enrolment's code is used: not accepted again (replay), and counted.
        assert!(matches!(
            refusal(&app, &p, &right).await,
            AuthError::BadSecondFactor
        ));
        assert_eq!(failed_logins(&app, "adm").await, 1);
        // Thirty seconds later the next code opens the session.
        let later = at(&app, t0() + Duration::seconds(30));
        let next = totp::code_at(&app.totp, &p1.secret_base32, step(&later)).unwrap();
        let s: Session = totp::complete_login(&later, &p.0, &next).await.unwrap();
        assert_eq!(s.actor.username(), "adm");
        assert!(auth::resume(&later, &s.token).await.unwrap().is_some());
        assert_eq!(failed_logins(&app, "adm").await, 0);
        // The pending login is spent.
        assert!(matches!(
            refusal(&later, &p, &next).await,
            AuthError::PendingExpired
        ));
        // The same code once more (a replay within its window) is refused and counted.
        let p = pending(&later, "adm").await;
        assert!(matches!(
            refusal(&later, &p, &next).await,
            AuthError::BadSecondFactor
        ));
        assert_eq!(failed_logins(&app, "adm").await, 1);
        let failed = audit_log(&app)
            .await
            .into_iter()
            .find(|e| e.code == AuditAction::LoginFailed.code())
            .unwrap();
        assert_eq!(
            failed.after.as_ref().unwrap()["reason"],
            "bad_second_factor"
        );
        // A code of the step after next (inside the window of ±1) is taken.
        let ahead = totp::code_at(&app.totp, &p1.secret_base32, step(&later) + 1).unwrap();
        totp::complete_login(&later, &p.0, &ahead).await.unwrap();
        // Two steps away is outside the window.
        let p = pending(&later, "adm").await;
        let far = totp::code_at(&app.totp, &p1.secret_base32, step(&later) + 3).unwrap();
        assert!(matches!(
            refusal(&later, &p, &far).await,
            AuthError::BadSecondFactor
        ));
    }
);

contract_test!(wrong_codes_count_and_lock, |db: TestDb| async move {
    let (app, _dir) = township_at_t0(&db, "two-factor").await;
    add(&app, "dept", Role::Department, Some("T001")).await;
    let (secret, _) = enrol_self(&app, "dept").await;
    let later = at(&app, t0() + Duration::seconds(60));
    let right = totp::code_at(&app.totp, &secret, step(&later)).unwrap();
    let p = pending(&later, "dept").await;
    for n in 1..5 {
        assert!(matches!(
            refusal(&later, &p, &other_code(&right)).await,
            AuthError::BadSecondFactor
        ));
        assert_eq!(failed_logins(&app, "dept").await, n);
    }
    // Garbage counts too.
    assert!(matches!(
        refusal(&later, &p, "letmein").await,
        AuthError::Locked { .. }
    ));
    // Locked: the pending login is gone, and the password is refused for now.
    assert!(matches!(
        refusal(&later, &p, &right).await,
        AuthError::PendingExpired
    ));
    assert!(matches!(
        auth::login(&later, "dept", PASSWORD).await.unwrap_err(),
        AuthError::Locked { .. }
    ));
    let reasons: Vec<String> = audit_log(&app)
        .await
        .iter()
        .filter(|e| e.code == AuditAction::LoginFailed.code())
        .map(|e| {
            e.after.as_ref().unwrap()["reason"]
                .as_str()
                .unwrap()
                .to_string()
        })
        .collect();
    assert_eq!(reasons.len(), 6, "{reasons:?}");
    assert!(reasons.contains(&"bad_second_factor_locked".to_string()));
    // A second step left too long starts over at the password.
    let free = at(&app, t0() + Duration::minutes(30));
    let p = pending(&free, "dept").await;
    let late = at(&app, t0() + Duration::minutes(36));
    let code = totp::code_at(&app.totp, &secret, step(&late)).unwrap();
    assert!(matches!(
        refusal(&late, &p, &code).await,
        AuthError::PendingExpired
    ));
});

contract_test!(recovery_codes_work_once, |db: TestDb| async move {
    let (app, _dir) = township_at_t0(&db, "two-factor").await;
    add(&app, "aud", Role::Auditor, Some("T001")).await;
    let (_, codes) = enrol_self(&app, "aud").await;
    // Typed in lower case without dashes, it is still the code.
    let typed = codes[3].replace('-', "").to_lowercase();
    let p = pending(&app, "aud").await;
    totp::complete_login(&app, &p.0, &typed).await.unwrap();
    let login = audit_log(&app)
        .await
        .into_iter()
        .find(|e| e.code == AuditAction::Login.code())
        .unwrap();
    assert_eq!(
        login.after.as_ref().unwrap()["second_factor"],
        "recovery_code"
    );
    assert_eq!(login.after.as_ref().unwrap()["recovery_left"], 9);
    let p = pending(&app, "aud").await;
    assert!(matches!(
        refusal(&app, &p, &codes[3]).await,
        AuthError::BadSecondFactor
    ));
    totp::complete_login(&app, &p.0, &codes[4]).await.unwrap();
    // Another user's code is not this user's.
    add(&app, "dept", Role::Department, Some("T001")).await;
    let (_, theirs) = enrol_self(&app, "dept").await;
    let p = pending(&app, "aud").await;
    assert!(matches!(
        refusal(&app, &p, &theirs[0]).await,
        AuthError::BadSecondFactor
    ));
});

contract_test!(separated_duties, |db: TestDb| async move {
    let (app, _dir) = township_at_t0(&db, "two-factor").await;
    add(&app, "adm", Role::Admin, None).await;
    add(&app, "sec", Role::Security, None).await;
    add(&app, "aud", Role::Auditor, None).await;
    add(&app, "aud1", Role::Auditor, Some("T001")).await;
    let adm = auth::login(&app, "adm", PASSWORD).await.unwrap().actor;
    let sec = auth::login(&app, "sec", PASSWORD).await.unwrap().actor;
    let aud = auth::login(&app, "aud", PASSWORD).await.unwrap().actor;
    let aud1 = auth::login(&app, "aud1", PASSWORD).await.unwrap().actor;
    let grant = |username: &str, role: Role, org: Option<&str>| RoleGrant {
        username: username.into(),
        role,
        org: org.map(str::to_string),
        member_id: None,
    };

    // The system administrator adds accounts, but gives no roles and reads no log.
    let fresh = |username: &str| NewUser {
        username: username.into(),
        password: PASSWORD.into(),
        role: Role::Member,
        org: None,
        member_id: None,
        display_name: None,
        must_change: false,
    };
    users::add_user(&app, &adm, fresh("newbie")).await.unwrap();
    users::add_user(&app, &adm, fresh("newaud")).await.unwrap();
    let e = users::add_user(
        &app,
        &adm,
        NewUser {
            role: Role::Department,
            ..fresh("x")
        },
    )
    .await
    .unwrap_err();
    assert!(e.to_string().contains("系统管理员不能分配角色"), "{e}");
    assert!(matches!(
        users::set_role(&app, &adm, grant("newbie", Role::Department, Some("T001")))
            .await
            .unwrap_err(),
        AppError::Forbidden
    ));
    assert!(matches!(
        adm.grant::<jiceng_app::access::ReadAudit>().unwrap_err(),
        AppError::Forbidden
    ));
    assert!(matches!(
        async { totp::reset(&app, &adm.grant()?, "sec").await }
            .await
            .unwrap_err(),
        AppError::Forbidden
    ));

    // The security administrator gives roles and scopes, adds no accounts, reads no log
    // and no business data.
    assert!(matches!(
        users::add_user(&app, &sec, fresh("y")).await.unwrap_err(),
        AppError::Forbidden
    ));
    assert!(matches!(
        sec.grant::<jiceng_app::access::ReadAudit>().unwrap_err(),
        AppError::Forbidden
    ));
    assert_eq!(sec.scope(), &Scope::Nothing);
    let u = users::set_role(&app, &sec, grant("newbie", Role::Department, Some("T001")))
        .await
        .unwrap();
    assert_eq!(
        (u.role, u.org_code.as_deref()),
        (Role::Department, Some("T001"))
    );
    let u = users::set_role(&app, &sec, grant("newbie", Role::Department, Some("T002")))
        .await
        .unwrap();
    assert_eq!(u.org_code.as_deref(), Some("T002"));
    // A fresh account may become an auditor; an account that is one of the three never
    // changes role, and a used account never becomes one of them.
    users::set_role(&app, &sec, grant("newaud", Role::Auditor, Some("T001")))
        .await
        .unwrap();
    for (who, role) in [
        ("adm", Role::Auditor),
        ("aud", Role::Admin),
        ("newaud", Role::Security),
        ("newaud", Role::Department),
        ("newbie", Role::Auditor),
    ] {
        let e = users::set_role(&app, &sec, grant(who, role, None))
            .await
            .unwrap_err();
        assert!(e.to_string().contains("三权分立"), "{who} → {role:?}: {e}");
    }
    // Not its own role either.
    let e = users::set_role(&app, &sec, grant("sec", Role::Department, Some("T001")))
        .await
        .unwrap_err();
    assert!(e.to_string().contains("自己"), "{e}");
    // The command line bootstraps (its acts are audited as system) but keeps the rule.
    let e = users::set_role(&app, &Actor::system(), grant("adm", Role::Auditor, None))
        .await
        .unwrap_err();
    assert!(e.to_string().contains("三权分立"), "{e}");
    // Second-factor resets are the security administrator's.
    totp::enrol_for(&app, &Actor::system(), "adm")
        .await
        .unwrap();
    async { totp::reset(&app, &sec.grant()?, "adm").await }
        .await
        .unwrap();
    assert!(totp::must_enrol(&app, &adm).await.unwrap());

    // The auditor reads the log (everything, without an org; its subtree with one), and
    // no business data.
    assert_eq!(aud.scope(), &Scope::Nothing);
    let roster = browse::members(
        &app,
        &aud1,
        &MemberQuery {
            page: 1,
            kind: None,
            gender: None,
            page_size: 50,
            ..Default::default()
        },
    )
    .await;
    assert!(
        roster.as_ref().map(|p| p.items.is_empty()).unwrap_or(true),
        "{roster:?}"
    );
    assert!(
        // The auditor reads no business data: the report's org is refused at resolution.
        common::org(&app, &aud1, "T001").await.is_err()
    );
    assert!(async { users::list_users(&app, &aud.grant()?).await }
        .await
        .is_err());
    let (all, _) = audit::list(&app, &aud.grant().unwrap(), 1, 500)
        .await
        .unwrap();
    let codes: Vec<i64> = all.iter().map(|e| e.code).collect();
    for a in [
        AuditAction::UserAdd,
        AuditAction::RoleChange,
        AuditAction::ScopeChange,
        AuditAction::TotpEnrol,
        AuditAction::TotpReset,
    ] {
        assert!(codes.contains(&a.code()), "{a:?} in {codes:?}");
    }
    let role_change = all
        .iter()
        .find(|e| e.code == AuditAction::RoleChange.code() && e.target == "newbie")
        .unwrap();
    assert_eq!(role_change.actor, "sec");
    assert_eq!(role_change.before.as_ref().unwrap()["role"], "member");
    assert_eq!(role_change.after.as_ref().unwrap()["role"], "department");
    // The subtree auditor sees the grants into its subtree.
    let (mine, _) = audit::list(&app, &aud1.grant().unwrap(), 1, 500)
        .await
        .unwrap();
    assert!(mine
        .iter()
        .any(|e| e.code == AuditAction::RoleChange.code() && e.target == "newaud"));
    assert!(mine
        .iter()
        .all(|e| e.org_code.as_deref().is_some_and(|c| c.starts_with('T'))));
});

contract_test!(key_rotation_keeps_second_factors, |db: TestDb| async move {
    let (app, _dir) = township_at_t0(&db, "two-factor").await;
    add(&app, "adm", Role::Admin, None).await;
    add(&app, "sec", Role::Security, None).await;
    add(&app, "sec1", Role::Security, Some("T001")).await;
    let issued = totp::enrol_for(&app, &Actor::system(), "adm")
        .await
        .unwrap();
    assert_eq!(issued.recovery_codes.len(), 10);
    assert!(totp::enrol_for(&app, &Actor::system(), "adm")
        .await
        .is_err());
    let new = Crypto::from_key(&[9u8; 32]);
    let adm = auth::login(&app, "adm", PASSWORD).await;
    assert!(matches!(adm, Err(AuthError::SecondFactor(_))));
    let sec1 = auth::login(&app, "sec1", PASSWORD).await.unwrap().actor;
    assert!(matches!(
        async { privacy::rotate_key(&app, &sec1.grant()?, &new).await }
            .await
            .unwrap_err(),
        AppError::Forbidden
    ));
    let sec = auth::login(&app, "sec", PASSWORD).await.unwrap().actor;
    async { privacy::rotate_key(&app, &sec.grant()?, &new).await }
        .await
        .unwrap();
    let mut rotated = app.clone();
    rotated.crypto = new;
    let later = at(&rotated, t0() + Duration::seconds(30));
    let p = pending(&later, "adm").await;
    let code = totp::code_at(&app.totp, &issued.enrolment.secret_base32, step(&later)).unwrap();
    totp::complete_login(&later, &p.0, &code).await.unwrap();
});
