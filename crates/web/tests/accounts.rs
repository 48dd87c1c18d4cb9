//! Accounts in the browser (issue #16, point 6), through the pages on SQLite and
//! PostgreSQL: the department opens the branch secretaries' accounts and prints their
//! one-time passwords, a secretary changes it at the first login, the department resets
//! and disables within its subtree; the system administrator adds, the security
//! administrator gives the role; one's own sessions.

mod common;

use axum::http::StatusCode;
use common::*;
use jiceng_store::contract_test;
use jiceng_store::testing::TestDb;

/// The one-time passwords of an issued page, with their user names, in order.
fn issued(html: &str) -> Vec<(String, String)> {
    let cells: Vec<String> = html
        .split("<td class=\"secret")
        .skip(1)
        .map(|c| {
            let c = &c[c.find('>').unwrap() + 1..];
            c[..c.find("</td>").unwrap()].trim().to_string()
        })
        .collect();
    cells
        .chunks(2)
        .map(|p| (p[0].clone(), p[1].clone()))
        .collect()
}

contract_test!(
    the_department_opens_and_keeps_the_secretaries_accounts_in_the_browser,
    |db: TestDb| async move {
        let f = fixture(&db).await;
        let mut dept = logged_in(&f.app, "dept").await;
        let csrf = dept.csrf().await;

        // The list: the department sees the accounts of its county, with actions on the
        // delegated ones only.
        let page = dept.get("/accounts").await;
        assert_eq!(page.status, StatusCode::OK, "{}", page.text());
        let text = page.text();
        assert!(text.contains("sec-a") && text.contains("批量开通书记账号"));
        assert!(
            !text.contains("新建并生成一次性密码"),
            "adding is the administrator's"
        );
        let page = dept.get("/accounts?role=secretary&q=乙村").await.text();
        assert!(
            page.contains("sec-b") && !page.contains("sec-a"),
            "filtered"
        );

        // The plan: B001 and B002 have accounts, B003 has none.
        let plan = dept.get("/accounts/provision?org=C001").await;
        assert_eq!(plan.status, StatusCode::OK);
        let text = plan.text();
        assert!(
            text.contains("丙村党支部") && !text.contains("甲村党支部"),
            "{text}"
        );
        let b003 = f.orgs["B003"].to_string();
        let opened = dept
            .post_form(
                "/accounts/provision?org=C001",
                &[("csrf", &csrf), (&format!("org_{b003}"), "1")],
            )
            .await;
        assert_eq!(opened.status, StatusCode::OK, "{}", opened.text());
        let pairs = issued(&opened.text());
        assert_eq!(pairs.len(), 1);
        assert_eq!(pairs[0].0, "B003", "named by the org's code");
        let again = dept
            .post_form("/accounts/provision?org=C001", &[("csrf", &csrf)])
            .await;
        assert_eq!(again.status, StatusCode::BAD_REQUEST);
        assert!(again.text().contains("都已有书记账号"));

        // The secretary's first login goes to the password's change, and nowhere else.
        let mut sec = Client::new(&f.app);
        let r = sec.login("B003", &pairs[0].1).await;
        assert_eq!(r.location().as_deref(), Some("/account/password"));
        let r = sec.get("/orgs").await;
        assert!(r.status.is_redirection(), "{}", r.status);
        let sec_csrf = csrf_of(&sec.get("/account/password").await.text());
        assert!(sec
            .get("/account/password")
            .await
            .text()
            .contains("初始密码"));
        let r = sec
            .post_form(
                "/account/password",
                &[
                    ("csrf", &sec_csrf),
                    ("current", &pairs[0].1),
                    ("new", "Bingcun-2026-mine"),
                    ("confirm", "Bingcun-2026-mine"),
                ],
            )
            .await;
        assert!(r.status.is_redirection(), "{}", r.text());
        assert_eq!(sec.get("/orgs").await.status, StatusCode::OK);

        // Reset: a new one-time password; the old sessions end.
        let mut sec_a = logged_in(&f.app, "sec-a").await;
        assert_eq!(sec_a.get("/accounts").await.status, StatusCode::FORBIDDEN);
        let id = account_id(&mut dept, "sec-a").await;
        let r = dept
            .post_form(&format!("/accounts/{id}/reset"), &[("csrf", &csrf)])
            .await;
        assert_eq!(r.status, StatusCode::OK, "{}", r.text());
        let fresh = issued(&r.text());
        assert_eq!(fresh[0].0, "sec-a");
        assert!(
            sec_a.get("/orgs").await.status.is_redirection(),
            "signed out"
        );
        let r = Client::new(&f.app).login("sec-a", &fresh[0].1).await;
        assert_eq!(r.location().as_deref(), Some("/account/password"));
        // Disable, enable.
        let r = dept
            .post_form(&format!("/accounts/{id}/disable"), &[("csrf", &csrf)])
            .await;
        assert_eq!(r.location().as_deref(), Some("/accounts?done=disabled"));
        let r = Client::new(&f.app).login("sec-a", &fresh[0].1).await;
        assert!(r.text().contains("账户已停用"), "{}", r.text());
        let r = dept
            .post_form(&format!("/accounts/{id}/enable"), &[("csrf", &csrf)])
            .await;
        assert_eq!(r.location().as_deref(), Some("/accounts?done=enabled"));
        // Not another department's account, nor an administrator's.
        let inspector = account_id(&mut dept, "inspector").await;
        let r = dept
            .post_form(&format!("/accounts/{inspector}/reset"), &[("csrf", &csrf)])
            .await;
        assert_eq!(r.status, StatusCode::FORBIDDEN);
    }
);

/// The id of the account `name`, read off the list's row.
async fn account_id(c: &mut Client, name: &str) -> i64 {
    let text = c.get(&format!("/accounts?q={name}")).await.text();
    let row = text
        .split("<tr id=\"account-")
        .skip(1)
        .find(|r| r.contains(&format!("<td>{name}</td>")))
        .unwrap_or_else(|| panic!("{name} listed: {text}"));
    row[..row.find('"').unwrap()].parse().unwrap()
}

contract_test!(
    the_administrators_add_and_give_roles_and_one_ends_ones_sessions,
    |db: TestDb| async move {
        let f = fixture(&db).await;
        let mut admin = logged_in(&f.app, "admin").await;
        let csrf = admin.csrf().await;
        let r = admin
            .post_form(
                "/accounts/add",
                &[
                    ("csrf", &csrf),
                    ("username", "zhang-zzb"),
                    ("display_name", "张组织"),
                    ("org", "C001"),
                ],
            )
            .await;
        assert_eq!(r.status, StatusCode::OK, "{}", r.text());
        let pw = issued(&r.text())[0].1.clone();
        let r = admin
            .post_form(
                "/accounts/add",
                &[("csrf", &csrf), ("username", "x"), ("org", "NOPE")],
            )
            .await;
        assert_eq!(r.status, StatusCode::NOT_FOUND);
        assert!(r.text().contains("找不到党组织"), "shown on the page");

        let mut security = logged_in(&f.app, "security").await;
        let s_csrf = security.csrf().await;
        let id = account_id(&mut security, "zhang-zzb").await;
        let form = security.get(&format!("/accounts/{id}/role")).await;
        assert_eq!(form.status, StatusCode::OK, "{}", form.text());
        let r = security
            .post_form(
                &format!("/accounts/{id}/role"),
                &[("csrf", &s_csrf), ("role", "department"), ("org", "C001")],
            )
            .await;
        assert_eq!(r.location().as_deref(), Some("/accounts?done=role"));
        let r = security
            .post_form(
                &format!("/accounts/{id}/role"),
                &[("csrf", &s_csrf), ("role", "admin"), ("org", "C001")],
            )
            .await;
        assert_eq!(r.status, StatusCode::BAD_REQUEST);
        assert!(r.text().contains("三权分立"));

        // The new account logs in with its one-time password and must change it first.
        let r = Client::new(&f.app).login_password("zhang-zzb", &pw).await;
        assert!(
            r.status.is_redirection() || is_code_page(&r),
            "{}",
            r.status
        );

        // One's own sessions: two, one ended.
        let mut desk = logged_in(&f.app, "sec-b").await;
        let mut phone = logged_in(&f.app, "sec-b").await;
        let page = desk.get("/account").await.text();
        assert_eq!(page.matches("<tr><td>").count(), 2, "{page}");
        assert!(page.contains("本设备"));
        let csrf = csrf_of(&page);
        let r = desk
            .post_form("/account/sessions/end", &[("csrf", &csrf)])
            .await;
        assert_eq!(r.location().as_deref(), Some("/account?ended=1"));
        assert!(phone.get("/orgs").await.status.is_redirection());
        assert_eq!(desk.get("/orgs").await.status, StatusCode::OK);

        // A secretary's own branch: no 调整隶属, 合并 or 撤销 (the level above's); the
        // township's committee sees them on the same branch.
        let b002 = format!("/orgs/{}", f.orgs["B002"]);
        let own = desk.get(&b002).await.text();
        assert!(own.contains("org-life-link") && !own.contains("org-move-link"));
        assert!(!own.contains("org-merge-link") && !own.contains("org-dissolve-link"));
        let mut committee = logged_in(&f.app, "committee").await;
        let above = committee.get(&b002).await.text();
        assert!(above.contains("org-move-link") && above.contains("org-dissolve-link"));
    }
);
