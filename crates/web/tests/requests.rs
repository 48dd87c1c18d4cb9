//! 群众诉求 in the pages and the API, on SQLite and PostgreSQL: the department receives a
//! request for 甲村 with the requester's name and phone (a day to come is refused on the
//! form, 422, what was typed kept); it is overdue, in red, among the secretary's reminders;
//! the secretary notes progress and resolves it (feedback required); another comes through
//! the API; the list, its counts and the workbook count them, and the requester appears
//! masked on the request's own page only.

mod common;

use axum::http::StatusCode;
use common::*;
use jiceng_store::contract_test;
use jiceng_store::testing::TestDb;
use serde_json::json;

contract_test!(
    a_request_is_received_assigned_resolved_and_counted,
    |db: TestDb| async move {
        let f = fixture(&db).await;
        let (b001, c001) = (f.orgs["B001"], f.orgs["C001"]);
        let today = f.app.today();
        let long_ago = (today - chrono::Duration::days(40)).to_string();
        // An inspector may not receive one.
        let mut insp = logged_in(&f.app, "inspector").await;
        let r = insp.get(&format!("/requests/new?org={b001}")).await;
        assert_eq!(r.status, StatusCode::FORBIDDEN);

        let mut dept = logged_in(&f.app, "dept").await;
        let form = dept.get(&format!("/requests/new?org={c001}")).await;
        assert_eq!(form.status, StatusCode::OK, "{}", form.text());
        assert!(form.text().contains("受理群众诉求："), "{}", form.text());
        // The form suggests the subtree's orgs to assign to.
        assert!(
            form.text()
                .contains("<option value=\"B001\">甲村党支部</option>"),
            "{}",
            form.text()
        );
        let csrf = csrf_of(&form.text());
        let post = |on: String| {
            vec![
                ("csrf", csrf.clone()),
                ("channel", "Phone".to_string()),
                ("received_on", on),
                ("category", "Infrastructure".to_string()),
                ("content", "村道坑洼积水，请求修补".to_string()),
                ("assign_to", "B001".to_string()),
                ("handler", "甲村书记".to_string()),
                ("requester_name", "赵某".to_string()),
                ("requester_phone", "13900001111".to_string()),
            ]
        };
        let bad = post((today + chrono::Duration::days(1)).to_string());
        let pairs: Vec<(&str, &str)> = bad.iter().map(|(k, v)| (*k, v.as_str())).collect();
        let r = dept
            .post_form(&format!("/requests/new?org={c001}"), &pairs)
            .await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", r.text());
        assert!(r.text().contains("受理日期"), "{}", r.text());
        assert!(r.text().contains("村道坑洼积水"), "what was typed is kept");
        let good = post(long_ago.clone());
        let pairs: Vec<(&str, &str)> = good.iter().map(|(k, v)| (*k, v.as_str())).collect();
        let r = dept
            .post_form(&format!("/requests/new?org={c001}"), &pairs)
            .await;
        assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.text());
        let id: i64 = r
            .location()
            .unwrap()
            .trim_start_matches("/requests/")
            .split('?')
            .next()
            .unwrap()
            .parse()
            .unwrap();
        let page = dept.get(&format!("/requests/{id}?org={c001}")).await.text();
        assert!(
            page.contains("赵*") && page.contains("139****1111"),
            "{page}"
        );
        assert!(
            !page.contains("赵某") && !page.contains("13900001111"),
            "{page}"
        );
        assert!(page.contains("逾期未办结"), "{page}");

        // The list: overdue in red, no requester in it.
        let list = dept.get(&format!("/requests?org={c001}")).await.text();
        assert!(
            list.contains("class=\"late\"") && list.contains("村道坑洼积水"),
            "{list}"
        );
        assert!(!list.contains("赵"), "{list}");
        assert!(list.contains("规则来源：本地示例"), "{list}");

        // The secretary: the reminder, progress, then resolution (feedback required).
        let mut sec = logged_in(&f.app, "sec-a").await;
        let home = sec.get("/").await.text();
        assert!(
            home.contains("群众诉求1件未办结（其中1件逾期未办结）"),
            "{home}"
        );
        assert!(home.contains("/requests?org="), "{home}");
        let page = sec.get(&format!("/requests/{id}")).await.text();
        let csrf = csrf_of(&page);
        let r = sec
            .post_form(
                &format!("/requests/{id}/progress"),
                &[
                    ("csrf", &csrf),
                    ("on", &today.to_string()),
                    ("note", "已联系镇村建办现场查看"),
                ],
            )
            .await;
        assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.text());
        let r = sec
            .post_form(
                &format!("/requests/{id}/resolve"),
                &[
                    ("csrf", &csrf),
                    ("resolved_on", &today.to_string()),
                    ("result", "已修补路面"),
                    ("feedback", ""),
                ],
            )
            .await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", r.text());
        assert!(r.text().contains("请选择诉求人反馈"), "{}", r.text());
        let r = sec
            .post_form(
                &format!("/requests/{id}/resolve"),
                &[
                    ("csrf", &csrf),
                    ("resolved_on", &today.to_string()),
                    ("result", "已修补路面"),
                    ("feedback", "BasicallySatisfied"),
                ],
            )
            .await;
        assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.text());
        let page = sec.get(&format!("/requests/{id}")).await.text();
        assert!(
            page.contains("已联系镇村建办现场查看")
                && page.contains("已办结")
                && page.contains("基本满意")
                && page.contains("（40天）"),
            "{page}"
        );

        // Through the API: a day to come refused with its field, then one received today.
        let mut api = api_client(&f.app, "dept").await;
        let body = |on: String| {
            json!({
                "channel": "走访", "received_on": on, "category": "养老",
                "content": "独居老人助餐", "handler": "甲村书记", "assign_to": "B001"
            })
        };
        let r = api
            .post_json(
                &format!("/api/v1/requests?org={c001}"),
                body((today + chrono::Duration::days(1)).to_string()),
            )
            .await;
        assert_eq!(r.status, StatusCode::BAD_REQUEST);
        assert_eq!(r.json()["field"], "received_on", "{}", r.text());
        let r = api
            .post_json(
                &format!("/api/v1/requests?org={c001}"),
                body(today.to_string()),
            )
            .await;
        assert_eq!(r.status, StatusCode::CREATED, "{}", r.text());
        let second = r.json()["id"].as_i64().unwrap();
        let r = api
            .post_json(
                &format!("/api/v1/requests/{second}/progress?org={c001}"),
                json!({"on": today.to_string(), "note": "已安排志愿者"}),
            )
            .await;
        assert_eq!(r.status, StatusCode::CREATED, "{}", r.text());
        assert_eq!(r.json()["seq"], 1);
        let one = api
            .get(&format!("/api/v1/requests/{id}?org={c001}"))
            .await
            .json();
        assert_eq!(one["phone"], "139****1111", "{one}");
        assert_eq!(one["status"], "Resolved", "{one}");

        let list = api.get(&format!("/api/v1/requests?org={c001}")).await;
        let text = list.text();
        assert!(!text.contains("赵") && !text.contains("1111"), "{text}");
        let list = list.json();
        assert_eq!(list["requests"].as_array().unwrap().len(), 2, "{list}");
        assert_eq!(list["requests"][0]["id"], second, "open first: {list}");
        assert_eq!(
            (
                &list["counts"]["received"],
                &list["counts"]["resolved"],
                &list["counts"]["days"],
                &list["counts"]["satisfied"]
            ),
            (&json!(2), &json!(1), &json!(40), &json!(1)),
            "{list}"
        );
        let open = api
            .get(&format!("/api/v1/requests?org={c001}&status=open"))
            .await
            .json();
        assert_eq!(open["requests"].as_array().unwrap().len(), 1, "{open}");
        let page = dept.get(&format!("/requests?org={c001}")).await.text();
        assert!(
            page.contains("50.0%") && page.contains("40.0天"),
            "resolution rate and average days: {page}"
        );

        let x = dept.get(&format!("/requests/export.xlsx?org={c001}")).await;
        assert_eq!(x.status, StatusCode::OK);
        assert!(x.bytes.starts_with(b"PK"), "an xlsx (zip) file");
        let sheet = xlsx_text(&x.bytes);
        assert!(
            sheet.contains("独居老人助餐") && !sheet.contains("赵"),
            "{sheet}"
        );
        assert_eq!(
            dept.get(&format!("/requests?org={c001}&month=abc"))
                .await
                .status,
            StatusCode::BAD_REQUEST
        );
    }
);

/// A 群众诉求台账 as the project's xlsx writer writes one: a title row, the header, the rows.
fn register(rows: &[[&str; 9]]) -> Vec<u8> {
    use jiceng_io::{OutCell, Sheet};
    let headers = [
        "编号",
        "受理日期",
        "渠道",
        "类别",
        "诉求内容",
        "承办组织",
        "承办人",
        "办结日期",
        "办理结果",
    ];
    jiceng_io::workbook_bytes(&[Sheet {
        name: "台账".into(),
        title: "甲镇群众诉求台账".into(),
        headers: headers.iter().map(|h| h.to_string()).collect(),
        rows: rows
            .iter()
            .map(|r| r.iter().map(|c| OutCell::Text(c.to_string())).collect())
            .collect(),
    }])
    .unwrap()
}

contract_test!(
    a_requests_register_uploads_checks_and_imports_on_confirmation,
    |db: TestDb| async move {
        let f = fixture(&db).await;
        let mut c = logged_in(&f.app, "committee").await;
        let page = c.get("/import?kind=requests").await.text();
        assert!(page.contains("群众诉求台账"), "{page}");
        let r = c.get("/import/template/requests.xlsx").await;
        assert_eq!(r.status, StatusCode::OK);
        let csrf = c.csrf().await;
        let good = [
            "R-1",
            "2026-06-02",
            "来电",
            "环境",
            "河道垃圾",
            "B001",
            "甲村书记",
            "",
            "",
        ];
        // A row naming an org outside 甲镇 and one resolved without a result: refused.
        let bytes = register(&[
            good,
            [
                "R-2",
                "2026-06-03",
                "走访",
                "就业",
                "求职",
                "B003",
                "书记",
                "",
                "",
            ],
            [
                "R-3",
                "2026-06-04",
                "走访",
                "医疗",
                "看病",
                "B002",
                "书记",
                "2026-06-05",
                "",
            ],
        ]);
        let fields = [
            ("csrf", csrf.as_str()),
            ("kind", "requests"),
            ("org", "T001"),
        ];
        let r = c
            .post_multipart("/import", &fields, ("诉求台账.xlsx", bytes.as_slice()))
            .await;
        assert_eq!(r.status, StatusCode::OK, "{}", r.text());
        let html = r.text();
        assert!(
            html.contains("第4行") && html.contains("承办组织"),
            "{html}"
        );
        assert!(
            html.contains("第5行") && html.contains("办理结果"),
            "{html}"
        );
        assert!(
            !html.contains("import-confirm"),
            "no confirmation while errors remain"
        );
        // Fixed, it imports on confirmation, and once only.
        let fixed = register(&[good]);
        for round in 0..2 {
            let r = c
                .post_multipart("/import", &fields, ("诉求台账.xlsx", fixed.as_slice()))
                .await;
            let html = r.text();
            assert!(html.contains("import-confirm"), "{html}");
            let token = quoted_after(&html, "name=\"token\" value=\"");
            let r = c
                .post_form("/import/confirm", &[("csrf", &csrf), ("token", &token)])
                .await;
            assert_eq!(r.status, StatusCode::OK, "{round}: {}", r.text());
            assert!(r.text().contains("import-done"));
        }
        let t001 = f.orgs["T001"];
        let list = c.get(&format!("/requests?org={t001}")).await.text();
        assert_eq!(list.matches(">河道垃圾</a>").count(), 1, "{list}");
        assert!(list.contains("id=\"requests-import\""), "{list}");
    }
);
