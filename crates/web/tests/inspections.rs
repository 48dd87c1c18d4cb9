//! 督查 in the pages, on SQLite and PostgreSQL: the county's inspector records an
//! inspection of 甲村 with one problem; 甲村's secretary sees it on the home page and
//! reports it fixed; the inspector's list then has nothing left to fix.

mod common;

use axum::http::StatusCode;
use common::*;
use jiceng_store::contract_test;
use jiceng_store::testing::TestDb;

contract_test!(
    an_inspection_finds_a_problem_the_branch_fixes,
    |db: TestDb| async move {
        let f = fixture(&db).await;
        let (b001, c001) = (f.orgs["B001"], f.orgs["C001"]);
        let today = f.app.today();
        let deadline = (today + chrono::Duration::days(7)).to_string();
        let mut insp = logged_in(&f.app, "inspector").await;
        let form = insp.get(&format!("/inspections/new?org={b001}")).await;
        assert_eq!(form.status, StatusCode::OK, "{}", form.text());
        let csrf = csrf_of(&form.text());
        let post = |on: String| {
            vec![
                ("csrf", csrf.clone()),
                ("on", on),
                ("inspectors", "王督查、李检查".to_string()),
                ("methods", "OnSite".to_string()),
                ("methods", "Records".to_string()),
                ("findings", "组织生活记录不规范。".to_string()),
                ("problem_0", "党员大会记录未写明应到实到".to_string()),
                ("owner_0", "支部书记".to_string()),
                ("deadline_0", deadline.clone()),
            ]
        };
        let bad = post((today + chrono::Duration::days(1)).to_string());
        let pairs: Vec<(&str, &str)> = bad.iter().map(|(k, v)| (*k, v.as_str())).collect();
        let r = insp
            .post_form(&format!("/inspections/new?org={b001}"), &pairs)
            .await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", r.text());
        assert!(r.text().contains("请在督查后登记"), "{}", r.text());
        let good = post(today.to_string());
        let pairs: Vec<(&str, &str)> = good.iter().map(|(k, v)| (*k, v.as_str())).collect();
        let r = insp
            .post_form(&format!("/inspections/new?org={b001}"), &pairs)
            .await;
        assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.text());
        let id: i64 = r
            .location()
            .unwrap()
            .trim_start_matches("/inspections/")
            .split('?')
            .next()
            .unwrap()
            .parse()
            .unwrap();

        let mut sec = logged_in(&f.app, "sec-a").await;
        let home = sec.get("/").await.text();
        assert!(home.contains("督查发现的问题1个待整改"), "{home}");
        let page = sec.get(&format!("/inspections/{id}")).await.text();
        assert!(page.contains("党员大会记录未写明应到实到"), "{page}");
        assert!(page.contains("id=\"fix-1\""), "{page}");
        let r = sec
            .post_form(
                &format!("/inspections/{id}/fix"),
                &[
                    ("csrf", &csrf_of(&page)),
                    ("seq", "1"),
                    ("fixed_on", &today.to_string()),
                    ("note", "已补写应到实到人数"),
                ],
            )
            .await;
        assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.text());
        let list = insp.get(&format!("/inspections?org={c001}")).await.text();
        assert!(list.contains("id=\"open-none\""), "{list}");
        assert!(list.contains("甲村党支部"), "{list}");
        // The ledger counts the inspection for 甲村 this month.
        let api = api_client(&f.app, "dept")
            .await
            .get(&format!("/api/v1/burden?org={c001}"))
            .await
            .json();
        assert_eq!(api["totals"]["items"], 1, "{api}");
    }
);
