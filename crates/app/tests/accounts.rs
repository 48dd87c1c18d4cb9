//! Accounts as a county department keeps them (issue #16, point 6): the branch
//! secretaries' accounts opened in one step with one-time passwords, changed at the first
//! login; the department's reach over accounts (its subtree, the delegated roles only);
//! one's own sessions. On SQLite and PostgreSQL, over the township fixture.

mod common;

use common::*;
use jiceng_app::access::{Actor, Role};
use jiceng_app::audit::AuditAction;
use jiceng_app::auth;
use jiceng_app::users::{self, provision, sessions};
use jiceng_app::AppError;
use jiceng_store::contract_test;
use jiceng_store::testing::TestDb;

const PASSWORD: &str = "Dept-pass-2026";

/// The department's account bound to `code`, logged in: its actor.
async fn department_at(app: &jiceng_app::App, name: &str, code: &str) -> Actor {
    add_user(app, name, PASSWORD, Role::Department, Some(code))
        .await
        .unwrap();
    auth::login(app, name, PASSWORD).await.unwrap().actor
}

contract_test!(
    the_department_opens_the_secretaries_accounts_with_one_time_passwords,
    |db: TestDb| async move {
        let (app, _dir) = township_at_t0(&db, "provision").await;
        let dept = department_at(&app, "zzb", "T001").await;
        let grant = dept.grant().unwrap();
        let town = org(&app, &dept, "T001").await.unwrap();

        // An account already named like a branch's code: that branch is opened by hand.
        add_user(&app, "T005", PASSWORD, Role::Secretary, Some("T002"))
            .await
            .unwrap();
        let plan = provision::plan(&app, &grant, &town).await.unwrap();
        let names: Vec<&str> = plan.openings.iter().map(|o| o.username.as_str()).collect();
        // T002 already has a secretary's account (the one named T005, bound to it).
        assert_eq!(names.len(), 3, "{names:?}");
        assert!(!names.contains(&"T002") && !names.contains(&"T005"));
        assert_eq!((plan.with, plan.without), (1, 4));
        assert_eq!(plan.taken.len(), 1);
        assert_eq!(plan.taken[0].username, "T005");
        let south = plan.openings.iter().find(|o| o.username == "T006").unwrap();
        assert_eq!(
            south.secretary.as_deref(),
            Some("沈丁"),
            "the secretary in office"
        );
        assert_eq!(south.org.name, "南村党支部");

        // One chosen, then the rest; each password is shown once and works once.
        let t006 = org_id(&app, "T006").await;
        let one = provision::open(&app, &grant, &town, Some(&[t006]))
            .await
            .unwrap();
        assert_eq!(one.len(), 1);
        assert_eq!(one[0].opening.username, "T006");
        let rest = provision::open(&app, &grant, &town, None).await.unwrap();
        assert_eq!(rest.len(), 2, "T003 and T004; T006 is not opened twice");
        let e = provision::open(&app, &grant, &town, None)
            .await
            .unwrap_err();
        assert!(e.to_string().contains("都已有书记账号"), "{e}");

        let s = auth::login(&app, "T006", &one[0].password).await.unwrap();
        assert!(
            s.must_change_password,
            "a one-time password is changed first"
        );
        assert_eq!(s.actor.role(), Role::Secretary);
        auth::change_password(&app, &s.token, &one[0].password, "Nancun-2026-new")
            .await
            .unwrap();
        let s = auth::login(&app, "T006", "Nancun-2026-new").await.unwrap();
        assert!(!s.must_change_password);
        let listed = users::list_users(&app, &dept.grant().unwrap())
            .await
            .unwrap();
        let t006_info = listed.iter().find(|u| u.username == "T006").unwrap();
        assert_eq!(t006_info.display_name.as_deref(), Some("沈丁"));
        assert_eq!(t006_info.org_code.as_deref(), Some("T006"));

        let log = audit_log(&app).await;
        let opened = log
            .iter()
            .filter(|e| e.code == AuditAction::UserAdd.code() && e.actor == "zzb")
            .count();
        assert_eq!(opened, 3, "one entry per account");

        // A secretary may not open accounts.
        assert!(matches!(
            s.actor.grant::<jiceng_app::access::ProvisionAccounts>(),
            Err(AppError::Forbidden)
        ));
    }
);

contract_test!(
    the_department_manages_only_its_subtree_and_the_delegated_roles,
    |db: TestDb| async move {
        let (app, _dir) = township_at_t0(&db, "provision-reach").await;
        let west = department_at(&app, "xc-dept", "T003").await;
        add_user(&app, "dongcun", PASSWORD, Role::Secretary, Some("T002"))
            .await
            .unwrap();
        add_user(&app, "xicun1", PASSWORD, Role::Secretary, Some("T004"))
            .await
            .unwrap();
        add_user(&app, "xc-peer", PASSWORD, Role::Department, Some("T004"))
            .await
            .unwrap();

        // Outside its subtree: not found, as an org would be.
        let e = users::reset_password(&app, &west, "dongcun", "Another-pass-1")
            .await
            .unwrap_err();
        assert!(matches!(e, AppError::NotFound(_)), "{e:?}");
        // Another department account, even below: refused.
        let e = users::disable_user(&app, &west, "xc-peer")
            .await
            .unwrap_err();
        assert!(matches!(e, AppError::Forbidden), "{e:?}");

        // A secretary below: disabled (its sessions end), enabled, reset.
        let s = auth::login(&app, "xicun1", PASSWORD).await.unwrap();
        users::disable_user(&app, &west, "xicun1").await.unwrap();
        assert!(auth::resume(&app, &s.token).await.unwrap().is_none());
        assert!(matches!(
            auth::login(&app, "xicun1", PASSWORD).await,
            Err(auth::AuthError::Disabled)
        ));
        users::enable_user(&app, &west, "xicun1").await.unwrap();
        let fresh = users::one_time_password(&app, Role::Secretary).unwrap();
        users::reset_password(&app, &west, "xicun1", &fresh)
            .await
            .unwrap();
        assert!(
            auth::login(&app, "xicun1", &fresh)
                .await
                .unwrap()
                .must_change_password
        );
        let actions: Vec<i64> = audit_log(&app)
            .await
            .into_iter()
            .filter(|e| e.actor == "xc-dept" && e.target == "xicun1")
            .map(|e| e.code)
            .collect();
        assert_eq!(
            actions,
            [
                AuditAction::PasswordReset.code(),
                AuditAction::UserEnable.code(),
                AuditAction::UserDisable.code(),
            ],
            "newest first"
        );
        // One-time passwords meet the policy, differ, and avoid the look-alikes.
        let other = users::one_time_password(&app, Role::Secretary).unwrap();
        assert_ne!(fresh, other);
        for pw in [&fresh, &other] {
            app.auth
                .password
                .check(pw, "xicun1", Role::Secretary)
                .unwrap();
            assert!(!pw.contains(['0', 'O', '1', 'l', 'I']), "{pw}");
        }

        // The system administrator's reach is unchanged: any account in its scope.
        users::disable_user(&app, &Actor::system(), "xc-peer")
            .await
            .unwrap();
    }
);

contract_test!(
    one_sees_and_ends_ones_own_sessions,
    |db: TestDb| async move {
        let (app, _dir) = township_at_t0(&db, "own-sessions").await;
        add_user(&app, "dongcun", PASSWORD, Role::Secretary, Some("T002"))
            .await
            .unwrap();
        let phone = auth::login(&app, "dongcun", PASSWORD).await.unwrap();
        let desk = auth::login(&app, "dongcun", PASSWORD).await.unwrap();
        let list = sessions::list(&app, &desk.token).await.unwrap();
        assert_eq!(list.len(), 2);
        assert_eq!(list.iter().filter(|s| s.current).count(), 1);
        assert_eq!(sessions::end_others(&app, &desk.token).await.unwrap(), 1);
        assert!(auth::resume(&app, &phone.token).await.unwrap().is_none());
        assert!(auth::resume(&app, &desk.token).await.unwrap().is_some());
        let log = audit_log(&app).await;
        assert!(log
            .iter()
            .any(|e| e.code == AuditAction::SessionsEnd.code() && e.actor == "dongcun"));
    }
);
