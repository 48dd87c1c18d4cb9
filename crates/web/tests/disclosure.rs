//! 党务公开 and 结对共建 in the pages and the API, on SQLite and PostgreSQL: 甲村's secretary
//! publishes a notice to the public and a decision to the members through the page's forms
//! (a day to come refused, 422, on its field), a figure through the API; the public page
//! `/p/{key}`, without a session, shows exactly the published public items — no member of
//! the county by name, no link into the application, no members' item — under the same
//! CSP and referrer policy as every page; an unknown key is 404; a withdrawn item is gone
//! at once; the member sees the members' item at home. The department records a pairing
//! and sees it counted; both orgs' pages show it.

mod common;

use axum::http::StatusCode;
use common::*;
use jiceng_store::contract_test;
use jiceng_store::testing::TestDb;
use serde_json::json;

fn key_of(page: &str) -> String {
    let at = page.find("/p/").expect("the public address on the page") + 3;
    page[at..]
        .chars()
        .take_while(|c| c.is_ascii_alphanumeric())
        .collect()
}

contract_test!(
    a_public_page_shows_the_published_public_items_and_nothing_else,
    |db: TestDb| async move {
        let f = fixture(&db).await;
        let b001 = f.orgs["B001"];
        let today = f.app.today().to_string();
        // An inspector may not publish.
        let mut insp = logged_in(&f.app, "inspector").await;
        let page = insp.get(&format!("/disclosure?org={b001}")).await;
        assert_eq!(page.status, StatusCode::OK, "{}", page.text());
        let csrf = csrf_of(&page.text());
        let r = insp
            .post_form(
                &format!("/disclosure/publish?org={b001}"),
                &[("csrf", &csrf)],
            )
            .await;
        assert_eq!(r.status, StatusCode::FORBIDDEN);

        let mut sec = logged_in(&f.app, "sec-a").await;
        let page = sec.get(&format!("/disclosure?org={b001}")).await;
        assert_eq!(page.status, StatusCode::OK, "{}", page.text());
        assert!(
            page.text().contains("首次公开事项后生成"),
            "{}",
            page.text()
        );
        let csrf = csrf_of(&page.text());
        let tomorrow = (f.app.today() + chrono::Duration::days(1)).to_string();
        let r = sec
            .post_form(
                &format!("/disclosure/publish?org={b001}"),
                &[
                    ("csrf", &csrf),
                    ("audience", "Public"),
                    ("kind", "Notice"),
                    ("title", "关于开展冬季环境整治的通知"),
                    ("body", "周六上午集合"),
                    ("day", &tomorrow),
                ],
            )
            .await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", r.text());
        assert!(r.text().contains("晚于今天"), "{}", r.text());
        assert!(r.text().contains("关于开展冬季环境整治的通知"), "kept");
        for (audience, kind, title) in [
            ("Public", "Notice", "关于开展冬季环境整治的通知"),
            ("Members", "Decision", "关于确定发展对象的决定"),
        ] {
            let r = sec
                .post_form(
                    &format!("/disclosure/publish?org={b001}"),
                    &[
                        ("csrf", &csrf),
                        ("audience", audience),
                        ("kind", kind),
                        ("title", title),
                        ("body", "内容见公开栏"),
                        ("day", &today),
                    ],
                )
                .await;
            assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.text());
        }
        // A figure through the API (the department), computed and frozen.
        let mut api = api_client(&f.app, "dept").await;
        let r = api
            .post_json(
                &format!("/api/v1/disclosure?org={b001}"),
                json!({ "audience": "Public", "figure": "AdmittedYear", "year": 2026 }),
            )
            .await;
        assert_eq!(r.status, StatusCode::CREATED, "{}", r.text());
        let public_path = r.json()["public_path"].as_str().unwrap().to_string();
        let r = api
            .post_json(
                &format!("/api/v1/disclosure?org={b001}"),
                json!({ "audience": "Public", "figure": "DuesYear", "year": 2099 }),
            )
            .await;
        assert_eq!(r.status, StatusCode::BAD_REQUEST, "{}", r.text());
        assert_eq!(r.json()["field"], "year");
        let board = api.get(&format!("/api/v1/disclosure?org={b001}")).await;
        assert_eq!(board.status, StatusCode::OK);
        assert_eq!(board.json()["items"].as_array().unwrap().len(), 3);
        assert_eq!(
            board.json()["public_path"].as_str(),
            Some(public_path.as_str())
        );

        let page = sec.get(&format!("/disclosure?org={b001}")).await.text();
        let key = key_of(&page);
        assert_eq!(format!("/p/{key}"), public_path);

        // The public page, no session.
        let mut phone = Client::new(&f.app);
        let p = phone.get(&public_path).await;
        assert_eq!(p.status, StatusCode::OK, "{}", p.text());
        let text = p.text();
        assert!(text.contains("甲村党支部"), "{text}");
        assert!(text.contains("关于开展冬季环境整治的通知"), "{text}");
        assert!(text.contains("2026年发展党员情况"), "{text}");
        assert!(text.contains("发布后不再变动"), "{text}");
        assert!(
            !text.contains("关于确定发展对象的决定"),
            "a members' item: {text}"
        );
        assert!(
            !text.contains("sec-a") && !text.contains("dept"),
            "who published: {text}"
        );
        for name in f.members.keys() {
            assert!(!text.contains(name.as_str()), "{name} on the public page");
        }
        // No link into the application, no form, no inline style.
        assert!(!text.contains("<a "), "{text}");
        assert!(!text.contains("<form"), "{text}");
        assert!(!text.contains("style="), "{text}");
        assert!(text.contains("name=\"viewport\""));
        assert_eq!(
            p.headers.get("referrer-policy").unwrap().to_str().unwrap(),
            "same-origin"
        );
        assert_eq!(
            p.headers
                .get("content-security-policy")
                .unwrap()
                .to_str()
                .unwrap(),
            jiceng_web::CSP
        );
        // The newest first: the figure (today, published last) above the notice.
        assert!(text.find("发展党员情况").unwrap() < text.find("冬季环境整治").unwrap());
        // Unknown keys: 404.
        for bad in [
            "/p/abcdefghijkmnpqrstuvwxyz23",
            &format!("/p/{b001}"),
            "/p/B001",
        ] {
            let r = phone.get(bad).await;
            assert_eq!(r.status, StatusCode::NOT_FOUND, "{bad}");
            assert!(!r.text().contains("甲村党支部"), "{bad}");
        }

        // The member sees the members' item at home; the org's page lists them.
        let mut member = logged_in(&f.app, "member").await;
        let home = member.get("/").await.text();
        assert!(home.contains("关于确定发展对象的决定"), "{home}");
        let org_page = sec.get(&format!("/orgs/{b001}")).await.text();
        assert!(org_page.contains("/disclosure?org="), "{org_page}");
        assert!(org_page.contains("关于确定发展对象的决定"), "{org_page}");

        // Withdrawn: gone at once.
        let id = board.json()["items"]
            .as_array()
            .unwrap()
            .iter()
            .find(|i| i["title"] == "关于开展冬季环境整治的通知")
            .unwrap()["id"]
            .as_i64()
            .unwrap();
        let r = sec
            .post_form(
                &format!("/disclosure/withdraw?org={b001}"),
                &[("csrf", &csrf), ("id", &id.to_string())],
            )
            .await;
        assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.text());
        let text = phone.get(&public_path).await.text();
        assert!(!text.contains("冬季环境整治"), "{text}");
        assert!(text.contains("发展党员情况"), "{text}");
        let r = api
            .post_json(
                &format!("/api/v1/disclosure/withdraw?org={b001}"),
                json!({ "id": id }),
            )
            .await;
        assert_eq!(r.status, StatusCode::BAD_REQUEST, "{}", r.text());
        let page = sec.get(&format!("/disclosure?org={b001}")).await.text();
        assert!(page.contains("已撤回"), "{page}");
    }
);

contract_test!(
    a_pairing_is_recorded_shown_on_both_pages_and_counted,
    |db: TestDb| async move {
        let f = fixture(&db).await;
        let (b001, c001, t001) = (f.orgs["B001"], f.orgs["C001"], f.orgs["T001"]);
        let mut dept = logged_in(&f.app, "dept").await;
        let page = dept.get(&format!("/pairing?org={c001}")).await;
        assert_eq!(page.status, StatusCode::OK, "{}", page.text());
        let csrf = csrf_of(&page.text());
        let r = dept
            .post_form(
                &format!("/pairing/new?org={c001}"),
                &[
                    ("csrf", &csrf),
                    ("kind", "DepartmentVillage"),
                    ("supported", "B001"),
                    ("partner_org", ""),
                    ("partner_name", ""),
                    ("content", "帮建活动场所"),
                    ("since", "2026-01-01"),
                ],
            )
            .await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", r.text());
        assert!(r.text().contains("请填写结对单位"), "{}", r.text());
        let r = dept
            .post_form(
                &format!("/pairing/new?org={c001}"),
                &[
                    ("csrf", &csrf),
                    ("kind", "OrganBranch"),
                    ("supported", "B001"),
                    ("partner_org", "T001"),
                    ("content", "帮建活动场所"),
                    ("since", "2026-01-01"),
                ],
            )
            .await;
        assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.text());
        let page = dept.get(&format!("/pairing?org={c001}")).await.text();
        assert!(page.contains("帮建活动场所"), "{page}");
        assert!(page.contains("机关联支部"), "{page}");
        // Both sides' pages.
        let supported = dept.get(&format!("/orgs/{b001}")).await.text();
        assert!(supported.contains("结对帮扶本组织"), "{supported}");
        let partner = dept.get(&format!("/orgs/{t001}")).await.text();
        assert!(partner.contains("本组织结对"), "{partner}");
        // The API counts it.
        let mut api = api_client(&f.app, "dept").await;
        let o = api.get(&format!("/api/v1/pairing?org={c001}")).await;
        assert_eq!(o.status, StatusCode::OK, "{}", o.text());
        assert_eq!(o.json()["total"], 1);
        assert_eq!(o.json()["covered"], 1);
        let r = api
            .post_json(
                &format!("/api/v1/pairing?org={c001}"),
                json!({ "kind": "EnterpriseVillage", "supported": "B002", "partner_name": "某某农业合作社", "content": "收购农产品", "since": "2026-06-01" }),
            )
            .await;
        assert_eq!(r.status, StatusCode::CREATED, "{}", r.text());
        let id = r.json()["id"].as_i64().unwrap();
        let r = api
            .post_json(
                &format!("/api/v1/pairing/end?org={c001}"),
                json!({ "id": id }),
            )
            .await;
        assert_eq!(r.status, StatusCode::NO_CONTENT, "{}", r.text());
        let x = dept.get(&format!("/pairing/export.xlsx?org={c001}")).await;
        assert_eq!(x.status, StatusCode::OK);
    }
);

/// A 结对共建台账 as the project's xlsx writer writes one: a title row, the header, the rows.
fn pairing_register(rows: &[[&str; 6]]) -> Vec<u8> {
    use jiceng_io::{OutCell, Sheet};
    let headers = [
        "结对类型",
        "支持方",
        "受援组织",
        "共建内容",
        "开始日期",
        "结束日期",
    ];
    jiceng_io::workbook_bytes(&[Sheet {
        name: "台账".into(),
        title: "甲镇结对共建台账".into(),
        headers: headers.iter().map(|h| h.to_string()).collect(),
        rows: rows
            .iter()
            .map(|r| r.iter().map(|c| OutCell::Text(c.to_string())).collect())
            .collect(),
    }])
    .unwrap()
}

contract_test!(
    a_pairing_register_uploads_checks_and_imports_on_confirmation_once,
    |db: TestDb| async move {
        let f = fixture(&db).await;
        let (b001, t001) = (f.orgs["B001"], f.orgs["T001"]);
        let mut dept = logged_in(&f.app, "dept").await;
        let page = dept.get("/import?kind=pairing").await.text();
        assert!(page.contains("结对共建台账"), "{page}");
        let r = dept.get("/import/template/pairing.xlsx").await;
        assert_eq!(r.status, StatusCode::OK);
        let csrf = dept.csrf().await;
        let good = [
            "部门包村",
            "县农业农村局",
            "B001",
            "帮建村级活动场所",
            "2026-03-01",
            "",
        ];
        // A row naming an org outside 甲镇, and one ending before it starts: refused.
        let bytes = pairing_register(&[
            good,
            [
                "企业联村",
                "某农业公司",
                "B003",
                "产业帮扶",
                "2026-03-01",
                "",
            ],
            [
                "村居共建",
                "甲村党支部",
                "B002",
                "共办活动",
                "2026-05-01",
                "2026-04-01",
            ],
        ]);
        let fields = [
            ("csrf", csrf.as_str()),
            ("kind", "pairing"),
            ("org", "T001"),
        ];
        let r = dept
            .post_multipart("/import", &fields, ("结对台账.xlsx", bytes.as_slice()))
            .await;
        assert_eq!(r.status, StatusCode::OK, "{}", r.text());
        let html = r.text();
        assert!(
            html.contains("第4行") && html.contains("受援组织"),
            "{html}"
        );
        assert!(
            html.contains("第5行") && html.contains("结束日期"),
            "{html}"
        );
        assert!(
            !html.contains("import-confirm"),
            "no confirmation while errors remain"
        );
        // Fixed, it imports on confirmation; the same file again adds nothing.
        let fixed = pairing_register(&[good]);
        for round in 0..2 {
            let r = dept
                .post_multipart("/import", &fields, ("结对台账.xlsx", fixed.as_slice()))
                .await;
            let html = r.text();
            assert!(html.contains("import-confirm"), "{round}: {html}");
            let token = quoted_after(&html, "name=\"token\" value=\"");
            let r = dept
                .post_form("/import/confirm", &[("csrf", &csrf), ("token", &token)])
                .await;
            assert_eq!(r.status, StatusCode::OK, "{round}: {}", r.text());
            assert!(r.text().contains("import-done"), "{round}: {}", r.text());
        }
        let list = dept.get(&format!("/pairing?org={t001}")).await.text();
        assert_eq!(list.matches("帮建村级活动场所").count(), 1, "{list}");
        let supported = dept.get(&format!("/orgs/{b001}")).await.text();
        assert!(supported.contains("县农业农村局"), "{supported}");
    }
);
