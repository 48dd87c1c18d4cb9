//! 述职评议考核 in the pages and the API, on SQLite and PostgreSQL: the department records
//! 甲村's secretary's duty report with the evaluators' grades and one problem (a report
//! without grades is refused on the form); the secretary sees the problem on the home page
//! and reports it fixed; a departure audit comes through the API; the year's list, report
//! and workbook count them.

mod common;

use axum::http::StatusCode;
use common::*;
use jiceng_store::contract_test;
use jiceng_store::testing::TestDb;
use serde_json::json;

contract_test!(
    a_duty_report_is_graded_and_its_problem_fixed,
    |db: TestDb| async move {
        let f = fixture(&db).await;
        let (b001, c001) = (f.orgs["B001"], f.orgs["C001"]);
        let today = f.app.today();
        let year = chrono::Datelike::year(&today).to_string();
        let deadline = (today + chrono::Duration::days(30)).to_string();
        // An inspector may not record one.
        let mut insp = logged_in(&f.app, "inspector").await;
        let r = insp.get(&format!("/duty/new?org={b001}")).await;
        assert_eq!(r.status, StatusCode::FORBIDDEN);

        let mut dept = logged_in(&f.app, "dept").await;
        let form = dept.get(&format!("/duty/new?org={b001}&kind=Duty")).await;
        assert_eq!(form.status, StatusCode::OK, "{}", form.text());
        assert!(form.text().contains("登记述职评议考核：甲村党支部"));
        let csrf = csrf_of(&form.text());
        let post = |good: &str| {
            vec![
                ("csrf", csrf.clone()),
                ("kind", "Duty".to_string()),
                ("year", year.clone()),
                ("person", "甲村书记".to_string()),
                ("position", "党支部书记".to_string()),
                ("on", today.to_string()),
                ("meeting", "乡镇党委述职评议会".to_string()),
                ("report", "全年按时开展组织生活。".to_string()),
                ("votes_0", good.to_string()),
                ("votes_1", "3".to_string()),
                ("problem_0", "发展党员工作滞后".to_string()),
                ("owner_0", "支部书记".to_string()),
                ("deadline_0", deadline.clone()),
            ]
        };
        let bad = post("x");
        let pairs: Vec<(&str, &str)> = bad.iter().map(|(k, v)| (*k, v.as_str())).collect();
        let r = dept
            .post_form(&format!("/duty/new?org={b001}"), &pairs)
            .await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", r.text());
        assert!(r.text().contains("“好”票数应为整数"), "{}", r.text());
        // What was typed is kept.
        assert!(r.text().contains("发展党员工作滞后"), "{}", r.text());
        // 7 好, 3 较好: (700 + 240) / 10 = 94 → 好.
        let good = post("7");
        let pairs: Vec<(&str, &str)> = good.iter().map(|(k, v)| (*k, v.as_str())).collect();
        let r = dept
            .post_form(&format!("/duty/new?org={b001}"), &pairs)
            .await;
        assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.text());
        let id: i64 = r
            .location()
            .unwrap()
            .trim_start_matches("/duty/")
            .split('?')
            .next()
            .unwrap()
            .parse()
            .unwrap();
        let page = dept.get(&format!("/duty/{id}?org={b001}")).await.text();
        assert!(page.contains("评议等次") && page.contains("94.0"), "{page}");

        let mut sec = logged_in(&f.app, "sec-a").await;
        let home = sec.get("/").await.text();
        assert!(home.contains("述职评议等指出的问题1个待整改"), "{home}");
        assert!(home.contains("/duty?org="), "{home}");
        let page = sec.get(&format!("/duty/{id}")).await.text();
        assert!(page.contains("id=\"fix-1\""), "{page}");
        let r = sec
            .post_form(
                &format!("/duty/{id}/fix"),
                &[
                    ("csrf", &csrf_of(&page)),
                    ("seq", "1"),
                    ("fixed_on", &today.to_string()),
                    ("note", "已确定入党积极分子2名"),
                ],
            )
            .await;
        assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.text());
        // The secretary may not record one.
        assert_eq!(
            sec.get(&format!("/duty/new?org={b001}")).await.status,
            StatusCode::FORBIDDEN
        );

        // A departure audit through the API; a day to come is refused with its field.
        let mut api = api_client(&f.app, "dept").await;
        let audit = |on: String| {
            json!({
                "kind": "离任审计", "person": "甲村原主任", "position": "村委会主任",
                "on": on, "meeting": "县审计局", "from": "2021-01-10",
                "to": today.to_string(), "report": "账目清楚。"
            })
        };
        let r = api
            .post_json(
                &format!("/api/v1/duty?org={b001}"),
                audit((today + chrono::Duration::days(1)).to_string()),
            )
            .await;
        assert_eq!(r.status, StatusCode::BAD_REQUEST);
        assert_eq!(r.json()["field"], "on", "{}", r.text());
        let r = api
            .post_json(
                &format!("/api/v1/duty?org={b001}"),
                audit(today.to_string()),
            )
            .await;
        assert_eq!(r.status, StatusCode::CREATED, "{}", r.text());

        let list = api.get(&format!("/api/v1/duty?org={c001}")).await.json();
        assert_eq!(list["records"].as_array().unwrap().len(), 2, "{list}");
        assert_eq!(list["grades"], json!([1, 0, 0, 0]), "{list}");
        assert_eq!(list["open"], json!([]), "{list}");
        let report = api
            .get(&format!("/api/v1/duty/report?org={c001}"))
            .await
            .json();
        let line = &report["lines"][0];
        assert_eq!(
            (
                &line["grade"],
                &line["duty"],
                &line["departure"],
                &line["problems"],
                &line["open"]
            ),
            (&json!("Good"), &json!(1), &json!(1), &json!(1), &json!(0)),
            "{report}"
        );
        let page = dept.get(&format!("/duty?org={c001}")).await.text();
        assert!(
            page.contains("甲村原主任") && page.contains("duty-open-none"),
            "{page}"
        );
        // The rule is printed from the rule set in force, with its source.
        assert!(
            page.contains("90分以上为好") && page.contains("规则来源：本地示例"),
            "{page}"
        );
        let x = dept.get(&format!("/duty/export.xlsx?org={c001}")).await;
        assert_eq!(x.status, StatusCode::OK);
        assert!(x.bytes.starts_with(b"PK"), "an xlsx (zip) file");
        assert_eq!(
            dept.get(&format!("/duty?org={c001}&year=abc")).await.status,
            StatusCode::BAD_REQUEST
        );
    }
);

contract_test!(
    a_duty_record_keeps_its_report_as_a_file,
    |db: TestDb| async move {
        let f = fixture(&db).await;
        let b001 = f.orgs["B001"];
        let today = f.app.today().to_string();
        let mut api = api_client(&f.app, "dept").await;
        let r = api
            .post_json(
                &format!("/api/v1/duty?org={b001}"),
                json!({
                    "kind": "离任审计", "person": "甲村原主任", "position": "村委会主任",
                    "on": today, "meeting": "县审计局", "from": "2021-01-10",
                    "to": today, "report": "账目清楚，详见审计报告。"
                }),
            )
            .await;
        assert_eq!(r.status, StatusCode::CREATED, "{}", r.text());
        let id = r.json()["id"].as_i64().unwrap();

        // The department uploads the audit's report on the record's page; a file that is
        // no document is refused on the page (400) with the reason.
        let mut dept = logged_in(&f.app, "dept").await;
        let page = dept.get(&format!("/duty/{id}?org={b001}")).await.text();
        assert!(page.contains("id=\"duty-file-form\""), "{page}");
        assert!(page.contains("上传审计报告原文"), "{page}");
        let csrf = csrf_of(&page);
        let upload = format!("/duty/{id}/file?org={b001}");
        let r = dept
            .post_multipart(&upload, &[("csrf", &csrf)], ("报告.pdf", b"not a pdf"))
            .await;
        assert_eq!(r.status, StatusCode::BAD_REQUEST, "{}", r.text());
        assert!(
            r.text().contains("不是照片（JPG、PNG）、PDF"),
            "{}",
            r.text()
        );
        let pdf: &[u8] = b"%PDF-1.4\n%synthetic audit report\n%%EOF\n";
        let r = dept
            .post_multipart(&upload, &[("csrf", &csrf)], ("审计报告.pdf", pdf))
            .await;
        assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.text());
        let page = dept.get(&r.location().unwrap()).await.text();
        assert!(page.contains("已上传“审计报告.pdf”"), "{page}");
        assert!(page.contains("重新上传审计报告原文"), "{page}");

        // The record through the API names the file; it reads back; 乙村 cannot reach it,
        // nor can the file be read under another record's id.
        let v = api
            .get(&format!("/api/v1/duty/{id}?org={b001}"))
            .await
            .json();
        let files = v["files"].as_array().unwrap();
        assert_eq!(files.len(), 1, "{v}");
        assert_eq!(files[0]["name"], "审计报告.pdf");
        let fid = files[0]["id"].as_i64().unwrap();
        let r = dept.get(&format!("/duty/{id}/files/{fid}")).await;
        assert_eq!((r.status, r.bytes.as_slice()), (StatusCode::OK, pdf));
        let mut sec = logged_in(&f.app, "sec-a").await;
        assert_eq!(
            sec.get(&format!("/duty/{id}/files/{fid}")).await.status,
            StatusCode::OK
        );
        let mut other = logged_in(&f.app, "sec-b").await;
        assert_eq!(
            other.get(&format!("/duty/{id}/files/{fid}")).await.status,
            StatusCode::NOT_FOUND
        );
        assert_eq!(
            dept.get(&format!("/duty/{}/files/{fid}", id + 1))
                .await
                .status,
            StatusCode::NOT_FOUND
        );
        // A secretary may not upload one; the API replaces the file.
        let csrf_b = sec.csrf().await;
        let r = sec
            .post_multipart(&upload, &[("csrf", &csrf_b)], ("x.pdf", pdf))
            .await;
        assert_eq!(r.status, StatusCode::FORBIDDEN);
        let r = api
            .post_bytes(
                &format!("/api/v1/duty/{id}/file?org={b001}&name=report.docx"),
                b"PK\x03\x04 word".to_vec(),
            )
            .await;
        assert_eq!(r.status, StatusCode::CREATED, "{}", r.text());
        let v = api
            .get(&format!("/api/v1/duty/{id}?org={b001}"))
            .await
            .json();
        assert_eq!(v["files"].as_array().unwrap().len(), 1, "{v}");
        assert_eq!(v["files"][0]["name"], "report.docx");
        // Audited.
        let mut aud = api_client(&f.app, "auditor").await;
        let log = aud.get("/api/v1/audit?page_size=200").await.text();
        assert_eq!(log.matches("\"action\":\"duty_file\"").count(), 2, "{log}");
    }
);

contract_test!(
    the_department_sets_how_duty_reports_are_graded,
    |db: TestDb| async move {
        let f = fixture(&db).await;
        let (b001, c001) = (f.orgs["B001"], f.orgs["C001"]);
        let today = f.app.today().to_string();
        let year = chrono::Datelike::year(&f.app.today());
        let mut dept = logged_in(&f.app, "dept").await;
        let page = dept.get(&format!("/duty?org={c001}")).await.text();
        assert!(page.contains("id=\"grading-form\""), "{page}");
        assert!(page.contains("90分以上为好"), "{page}");
        let csrf = csrf_of(&page);
        let set = |good: &str, fairly: &str| {
            vec![
                ("csrf", csrf.clone()),
                ("good_min", good.to_string()),
                ("fairly_good_min", fairly.to_string()),
                ("average_min", "65".to_string()),
                ("poor_share", "25".to_string()),
            ]
        };
        // 较好 above 好: refused on the page, nothing changed.
        let bad = set("80", "85");
        let bad: Vec<(&str, &str)> = bad.iter().map(|(k, v)| (*k, v.as_str())).collect();
        let r = dept
            .post_form(&format!("/duty/grading?org={c001}"), &bad)
            .await;
        assert_eq!(r.status, StatusCode::BAD_REQUEST, "{}", r.text());
        assert!(r.text().contains("好高于较好"), "{}", r.text());
        assert!(r.text().contains("90分以上为好"), "{}", r.text());
        let good = set("95", "80");
        let good: Vec<(&str, &str)> = good.iter().map(|(k, v)| (*k, v.as_str())).collect();
        let r = dept
            .post_form(&format!("/duty/grading?org={c001}"), &good)
            .await;
        assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.text());
        let page = dept.get(&r.location().unwrap()).await.text();
        assert!(page.contains("已保存述职评议等次规则"), "{page}");
        assert!(page.contains("95分以上为好"), "{page}");
        assert!(page.contains("超过25%的定为差"), "{page}");
        assert!(page.contains("组织部门设定（dept"), "{page}");

        // A report of seven 好 and three 较好 (94 points) is now 较好, not 好.
        let mut api = api_client(&f.app, "dept").await;
        let r = api
            .post_json(
                &format!("/api/v1/duty?org={b001}"),
                json!({
                    "kind": "述职评议考核", "year": year, "person": "甲村书记",
                    "position": "党支部书记", "on": today, "meeting": "党员大会",
                    "report": "抓党建工作情况。", "votes": {"good": 7, "fairly_good": 3}
                }),
            )
            .await;
        assert_eq!(r.status, StatusCode::CREATED, "{}", r.text());
        let id = r.json()["id"].as_i64().unwrap();
        let v = api
            .get(&format!("/api/v1/duty/{id}?org={b001}"))
            .await
            .json();
        assert_eq!(v["grade"], "FairlyGood", "{v}");

        // Through the API; a secretary may not; audited.
        let r = api
            .put_json(
                "/api/v1/duty/grading",
                json!({"good_min": 90, "fairly_good_min": 75, "average_min": 60, "poor_share_max": 0.5}),
            )
            .await;
        assert_eq!(r.status, StatusCode::OK, "{}", r.text());
        assert!(
            r.json()["rule"].as_str().unwrap().contains("超过50%"),
            "{}",
            r.text()
        );
        let r = api
            .put_json(
                "/api/v1/duty/grading",
                json!({"good_min": 90, "fairly_good_min": 75, "average_min": 60, "poor_share_max": 0}),
            )
            .await;
        assert_eq!(r.status, StatusCode::BAD_REQUEST, "{}", r.text());
        assert_eq!(r.json()["field"], "grading");
        let mut sec = api_client(&f.app, "sec-a").await;
        let r = sec
            .put_json(
                "/api/v1/duty/grading",
                json!({"good_min": 50, "fairly_good_min": 40, "average_min": 30, "poor_share_max": 1}),
            )
            .await;
        assert_eq!(r.status, StatusCode::FORBIDDEN);
        let mut aud = api_client(&f.app, "auditor").await;
        let log = aud.get("/api/v1/audit?page_size=200").await.text();
        assert_eq!(
            log.matches("\"action\":\"duty_grading\"").count(),
            2,
            "{log}"
        );
    }
);
