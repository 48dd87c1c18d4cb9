//! 党费 through the API and the pages, on SQLite and PostgreSQL (today 2026-06-30): 甲村's
//! secretary sets two bases (5000 在职 → 50.00; 3000 离退休 → 15.00) and records January to
//! May at once; 乙村's secretary cannot touch 甲村's members; 本月待办 says two have not
//! paid; 全部已交 on the sheet records June; a member without a base is refused with the
//! reason; the county's 收缴统计 adds up to the hand count, drills down and exports.

mod common;

use axum::http::StatusCode;
use common::{api_client, csrf_of, fixture, logged_in};
use jiceng_store::contract_test;
use jiceng_store::testing::TestDb;
use serde_json::json;

contract_test!(
    a_branch_records_its_dues_and_the_county_counts_them,
    |db: TestDb| async move {
        let f = fixture(&db).await;
        let (zhang, li, wang) = (f.members["张建国"], f.members["李秀英"], f.members["王伟"]);
        let b001 = f.orgs["B001"];
        let mut a = api_client(&f.app, "sec-a").await;
        let r = a
            .post_json(
                &format!("/api/v1/members/{zhang}/dues/base"),
                json!({"from_month": "2026-01", "category": "在职", "amount": "5000"}),
            )
            .await;
        assert_eq!(r.status, StatusCode::OK, "{}", r.text());
        assert_eq!(
            r.json()["dues"]["current"]["monthly_yuan"],
            "50.00",
            "5000 × 1 %"
        );
        let r = a
            .post_json(
                &format!("/api/v1/members/{li}/dues/base"),
                json!({"from_month": "2026-01", "category": "retired", "amount": "3000"}),
            )
            .await;
        assert_eq!(
            r.json()["dues"]["current"]["monthly_yuan"],
            "15.00",
            "3000 × 0.5 %"
        );
        let r = a
            .post_json(
                &format!("/api/v1/members/{li}/dues/base"),
                json!({"from_month": "2026-01", "category": "在职"}),
            )
            .await;
        assert_eq!(
            (r.status, r.json()["field"].clone()),
            (StatusCode::BAD_REQUEST, json!("amount"))
        );
        // 乙村's secretary: 甲村's members are not there.
        let mut b = api_client(&f.app, "sec-b").await;
        let r = b
            .post_json(
                &format!("/api/v1/members/{zhang}/dues/base"),
                json!({"from_month": "2026-01", "category": "student"}),
            )
            .await;
        assert_eq!(r.status, StatusCode::NOT_FOUND);
        let r = a
            .post_json(
                &format!("/api/v1/dues/payments?org={b001}"),
                json!({"member_ids": [zhang, li], "from_month": "2026-01", "to_month": "2026-05", "paid_on": "2026-05-31"}),
            )
            .await;
        assert_eq!(r.json()["recorded"], 10, "{}", r.text());
        let sheet = a.get(&format!("/api/v1/dues?org={b001}")).await.json();
        assert_eq!(sheet["running"], true);
        assert_eq!(
            (sheet["assessed"].clone(), sheet["unassessed"].clone()),
            (json!(2), json!(3))
        );
        assert_eq!(
            (sheet["due_yuan"].clone(), sheet["paid_members"].clone()),
            (json!("65.00"), json!(0))
        );

        // The pages: 本月待办 says two have not paid; 全部已交 records June for both.
        let mut page = logged_in(&f.app, "sec-a").await;
        let due = page.get(&format!("/orgs/{b001}/due")).await.text();
        assert!(
            due.contains("<strong>2</strong> 名党员的党费未登记交纳"),
            "{due}"
        );
        let html = page.get(&format!("/dues?org={b001}")).await.text();
        assert!(html.contains("全部已交（2人，今天）"), "{html}");
        let csrf = csrf_of(&html);
        let (z, l, w) = (zhang.to_string(), li.to_string(), wang.to_string());
        // 王伟 has no base: refused, with the reason, and nothing recorded.
        let r = page
            .post_form(
                &format!("/dues/pay?org={b001}"),
                &[
                    ("csrf", &csrf),
                    ("month", "2026-06"),
                    ("paid_on", "2026-06-30"),
                    ("member_id", &z),
                    ("member_id", &w),
                ],
            )
            .await;
        assert_eq!(r.status, StatusCode::BAD_REQUEST);
        assert!(
            r.text().contains("王伟尚未核定2026年6月的党费基数"),
            "{}",
            r.text()
        );
        let r = page
            .post_form(
                &format!("/dues/pay?org={b001}"),
                &[
                    ("csrf", &csrf),
                    ("month", "2026-06"),
                    ("paid_on", "2026-06-30"),
                    ("member_id", &z),
                    ("member_id", &l),
                ],
            )
            .await;
        assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.text());
        let html = page
            .get(&format!("/dues?org={b001}&month=2026-06"))
            .await
            .text();
        assert!(
            html.contains(&format!("id=\"paid-{zhang}\">已交 50.00")),
            "{html}"
        );
        let due = page.get(&format!("/orgs/{b001}/due")).await.text();
        assert!(!due.contains("党费未登记交纳"), "{due}");
        let member = page.get(&format!("/members/{zhang}")).await.text();
        assert!(
            member.contains("每月应交 <strong>50.00</strong> 元"),
            "{member}"
        );
        // Without the token, nothing is recorded.
        let r = page
            .post_form(
                &format!("/dues/handover?org={b001}"),
                &[
                    ("month", "2026-06"),
                    ("amount", "65"),
                    ("handed_on", "2026-06-30"),
                ],
            )
            .await;
        assert_eq!(r.status, StatusCode::FORBIDDEN);

        // The county: (50 + 15) × 6 months due and paid.
        let mut dept = api_client(&f.app, "dept").await;
        let r = dept.get("/api/v1/reports/dues?org=C001&period=2026").await;
        assert_eq!(r.status, StatusCode::OK, "{}", r.text());
        let o = r.json();
        assert_eq!(
            (
                o["total"]["due_fen"].clone(),
                o["total"]["paid_fen"].clone()
            ),
            (json!(39000), json!(39000))
        );
        assert_eq!(o["total"]["paid_members"], 12);
        let t001 = o["by_child"]
            .as_array()
            .unwrap()
            .iter()
            .find(|c| c["code"] == "T001")
            .unwrap()
            .clone();
        assert_eq!(t001["total"]["due_fen"], 39000);
        let mut page = logged_in(&f.app, "dept").await;
        let html = page.get("/reports/dues?org=C001").await.text();
        let down = format!("/reports/dues?org={}&amp;period=2026", f.orgs["T001"]);
        assert!(
            html.contains("党费收缴统计") && html.contains(&down),
            "{html}"
        );
        let r = page
            .get("/reports/dues?org=C001&period=2026&format=xlsx")
            .await;
        assert_eq!(r.status, StatusCode::OK);
        let r = page.get("/reports/dues?org=C001&period=20XX").await;
        assert_eq!(r.status, StatusCode::BAD_REQUEST);
    }
);
