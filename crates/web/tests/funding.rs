//! 经费保障 in the pages and the API, on SQLite and PostgreSQL: the township committee
//! records 甲村's and 乙村's operating funding on the form (a negative amount refused on
//! its field, 422, what was typed kept); both villages are listed below standard with
//! their shortfall on /funding and in the workbook and the API; the department sets its
//! own standard and the page prints it and who set it; a secretary may not record; the
//! register's import page is reached from /funding/import.

mod common;

use axum::http::StatusCode;
use common::*;
use jiceng_store::contract_test;
use jiceng_store::testing::TestDb;
use serde_json::json;

contract_test!(
    two_villages_below_standard_show_on_the_page_the_workbook_and_the_api,
    |db: TestDb| async move {
        let f = fixture(&db).await;
        let t001 = f.orgs["T001"];
        let year = chrono::Datelike::year(&f.app.today()).to_string();
        let mut sec = logged_in(&f.app, "sec-a").await;
        let r = sec
            .get(&format!("/funding/new?org={}", f.orgs["B001"]))
            .await;
        assert_eq!(r.status, StatusCode::FORBIDDEN);

        let mut com = logged_in(&f.app, "committee").await;
        let page = com.get(&format!("/funding?org={t001}")).await;
        assert_eq!(page.status, StatusCode::OK, "{}", page.text());
        assert!(page.text().contains("未录入"), "{}", page.text());
        let form = com.get(&format!("/funding/new?org={t001}")).await;
        assert_eq!(form.status, StatusCode::OK, "{}", form.text());
        assert!(
            form.text()
                .contains("<option value=\"B001\">甲村党支部</option>"),
            "{}",
            form.text()
        );
        let csrf = csrf_of(&form.text());
        let post = |org: &str, amount: &str| {
            vec![
                ("csrf", csrf.clone()),
                ("org_key", org.to_string()),
                ("year", year.clone()),
                ("kind", "Operating".to_string()),
                ("source", "Finance".to_string()),
                ("amount", amount.to_string()),
                ("note", "镇财政所拨付".to_string()),
            ]
        };
        let bad = post("B001", "-60000");
        let pairs: Vec<(&str, &str)> = bad.iter().map(|(k, v)| (*k, v.as_str())).collect();
        let r = com
            .post_form(&format!("/funding/new?org={t001}"), &pairs)
            .await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", r.text());
        assert!(r.text().contains("金额"), "{}", r.text());
        assert!(r.text().contains("镇财政所拨付"), "what was typed is kept");
        for (org, amount) in [("B001", "60,000"), ("B002", "3万")] {
            let good = post(org, amount);
            let pairs: Vec<(&str, &str)> = good.iter().map(|(k, v)| (*k, v.as_str())).collect();
            let r = com
                .post_form(&format!("/funding/new?org={t001}"), &pairs)
                .await;
            assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.text());
        }

        // Both villages below the standard of 100000, with their shortfall.
        let page = com.get(&format!("/funding?org={t001}")).await.text();
        assert!(page.contains("id=\"funding-below\""), "{page}");
        assert!(
            page.contains("甲村党支部") && page.contains("乙村党支部"),
            "{page}"
        );
        assert!(
            page.contains("40000.00") && page.contains("70000.00"),
            "{page}"
        );
        assert!(
            page.contains("规则集"),
            "the rule in force is printed: {page}"
        );
        let x = com.get(&format!("/funding/export.xlsx?org={t001}")).await;
        assert_eq!(x.status, StatusCode::OK);
        assert!(x.bytes.starts_with(b"PK"));

        // The API: the same overview; a refusal names its field.
        let mut api = api_client(&f.app, "committee").await;
        let o = api.get(&format!("/api/v1/funding?org={t001}")).await;
        assert_eq!(o.status, StatusCode::OK, "{}", o.text());
        let o = o.json();
        assert_eq!(o["below_count"], 2, "{o}");
        assert_eq!(o["below"][0]["shortfall"], "40000.00");
        let r = api
            .post_json(
                &format!("/api/v1/funding?org={t001}"),
                json!({"year": year.parse::<i32>().unwrap(), "kind": "村集体经济收入",
                       "source": "集体经济", "amount_yuan": 10000.0}),
            )
            .await;
        assert_eq!(r.status, StatusCode::BAD_REQUEST, "{}", r.text());
        assert_eq!(r.json()["field"], "kind", "{}", r.text());
        let r = api
            .post_json(
                &format!("/api/v1/funding?org={t001}"),
                json!({"org": "B001", "year": year.parse::<i32>().unwrap(), "kind": "运转经费",
                       "source": "党费", "amount_yuan": 45000.0}),
            )
            .await;
        assert_eq!(r.status, StatusCode::CREATED, "{}", r.text());
        let o = api.get(&format!("/api/v1/funding?org={t001}")).await.json();
        assert_eq!(o["below_count"], 1, "甲村 reaches 105000: {o}");

        // The department sets its own standard; the page prints it and who set it.
        let mut dept = logged_in(&f.app, "dept").await;
        let page = dept.get(&format!("/funding?org={t001}")).await.text();
        let csrf = csrf_of(&page);
        let r = dept
            .post_form(
                &format!("/funding/standards?org={t001}"),
                &[
                    ("csrf", &csrf),
                    ("from_year", &year),
                    ("op_Village", "20000"),
                    ("col_Village", ""),
                    ("source", "某县文件"),
                ],
            )
            .await;
        assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.text());
        let page = dept.get(&format!("/funding?org={t001}")).await.text();
        assert!(page.contains("组织部门设定（dept"), "{page}");
        assert!(page.contains("id=\"funding-below-none\""), "{page}");
        let r = dept
            .post_form(
                &format!("/funding/standards?org={t001}"),
                &[("csrf", &csrf), ("from_year", &year), ("op_Village", "-1")],
            )
            .await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", r.text());
        // The committee may not set standards.
        let com_csrf = csrf_of(&com.get(&format!("/funding?org={t001}")).await.text());
        let r = com
            .post_form(
                &format!("/funding/standards?org={t001}"),
                &[
                    ("csrf", &com_csrf),
                    ("from_year", &year),
                    ("op_Village", "1"),
                ],
            )
            .await;
        assert_eq!(r.status, StatusCode::FORBIDDEN);

        // The register's import.
        let r = com.get(&format!("/funding/import?org={t001}")).await;
        assert!(r.status.is_redirection(), "{:?}", r.status);
        assert!(r.location().unwrap().starts_with("/import?kind=funding"));
        let r = com.get("/import?kind=funding").await;
        assert_eq!(r.status, StatusCode::OK, "{}", r.text());
        assert!(r.text().contains("经费保障台账"), "{}", r.text());
    }
);
