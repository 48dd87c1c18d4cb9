//! 发展党员, the department's side, through HTTP (in-process, SQLite and PostgreSQL): the
//! overview by child org with the counts of each, a plan set through the form shown on
//! it and one exceeding the parent's refused at the form with the reason, a ledger
//! imported through the import page (dry run, then confirm) putting people on the board,
//! and the API's report, overview and plan.

mod common;

use axum::http::StatusCode;
use common::recruitment::{applicant, candidate_at_eleven};
use common::*;
use jiceng_store::contract_test;
use jiceng_store::testing::TestDb;
use serde_json::json;

/// The `<tr id="{id}">` row of a table (`child-{org id}` of the overview, `plan-{key}`
/// of the plan fulfilment).
fn tr(html: &str, id: &str) -> String {
    let start = format!("<tr id=\"{id}\">");
    let at = html
        .find(&start)
        .unwrap_or_else(|| panic!("no row {id}: {html}"));
    let rest = &html[at..];
    rest[..rest.find("</tr>").unwrap()].to_string()
}

fn child_row(html: &str, id: i64) -> String {
    tr(html, &format!("child-{id}"))
}

fn plan_row(html: &str, key: &str) -> String {
    tr(html, &format!("plan-{key}"))
}

/// Posts the plan form of `org` for 2026.
async fn post_plan(c: &mut Client, csrf: &str, org: i64, fields: &[(&str, &str)]) -> Resp {
    let mut all = vec![("csrf", csrf)];
    all.extend_from_slice(fields);
    c.post_form(&format!("/recruitment/plan?org={org}&year=2026"), &all)
        .await
}

contract_test!(
    the_overview_lists_children_and_the_plan_form_sets_and_refuses,
    |db: TestDb| async move {
        let f = fixture(&db).await;
        let (c001, t001, t002) = (f.orgs["C001"], f.orgs["T001"], f.orgs["T002"]);
        candidate_at_eleven(&f, "B001", "林申请", 81).await;
        applicant(&f, "B002", ("孙等待", 86), "2026-01-05", None).await;
        applicant(&f, "B003", ("钱迟到", 85), "2026-03-02", Some("2026-04-15")).await;
        let mut dept = logged_in(&f.app, "dept").await;
        let r = dept
            .get(&format!("/recruitment?org={c001}&year=2026"))
            .await;
        assert_eq!(r.status, StatusCode::OK, "{}", r.text());
        let html = r.text();
        assert!(html.contains("2026年发展党员计划完成情况"), "{html}");
        // 甲镇党委: one applicant (overdue: no talk within a month), one candidate.
        let row = child_row(&html, t001);
        assert!(row.contains(&format!("href=\"/recruitment?org={t001}&amp;year=2026\"")));
        assert!(row.contains("甲镇党委"), "{row}");
        let counts = "<td class=\"num\">1</td><td class=\"num\">0</td><td class=\"num\">1</td><td class=\"num\">0</td><td class=\"num\">0</td>";
        assert!(row.contains(counts), "{row}");
        assert!(row.contains("<td class=\"num overdue alarm\">"), "{row}");
        // 乙镇党委: one applicant whose talk came six weeks late — one violation.
        let row = child_row(&html, t002);
        assert!(row.contains("<td class=\"num faults\">1</td>"), "{row}");
        assert!(
            row.contains("<td class=\"num target\">—</td>"),
            "no plan yet: {row}"
        );
        // The year's report as a workbook (按阶段 first, then 待办, 违规, 计划完成).
        let x = dept
            .get(&format!("/recruitment/report.xlsx?org={c001}&year=2026"))
            .await;
        assert_eq!(x.status, StatusCode::OK);
        let cells = xlsx_text(&x.bytes);
        assert!(
            cells.contains("测试县委 2026年发展党员各阶段人数") && cells.contains("发展对象"),
            "{cells}"
        );
        // The department sets the county's plan; the overview shows it.
        let csrf = dept.csrf().await;
        let r = post_plan(&mut dept, &csrf, c001, &[("target", "10"), ("women", "4")]).await;
        assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.text());
        assert!(r.location().unwrap().contains("year=2026"));
        let html = dept
            .get(&format!("/recruitment?org={c001}&year=2026"))
            .await
            .text();
        let total = plan_row(&html, "total");
        assert!(
            total.contains("<td class=\"num target\">10</td>"),
            "{total}"
        );
        assert!(total.contains("<td class=\"num gap\">10</td>"), "{total}");
        let women = plan_row(&html, "women");
        assert!(women.contains("<td class=\"num target\">4</td>"), "{women}");
        // The form comes back filled.
        let form = dept
            .get(&format!("/recruitment/plan?org={c001}&year=2026"))
            .await
            .text();
        assert!(
            form.contains("id=\"target\" name=\"target\" value=\"10\""),
            "{form}"
        );
        // A township's plan above the county's: refused at the form, nothing stored.
        let mut com = logged_in(&f.app, "committee").await;
        let csrf = com.csrf().await;
        let r = post_plan(&mut com, &csrf, t001, &[("target", "12")]).await;
        assert_eq!(r.status, StatusCode::BAD_REQUEST, "{}", r.text());
        let text = r.text();
        assert!(text.contains("超过上级测试县委2026年计划10人"), "{text}");
        assert!(text.contains("value=\"12\""), "the form as typed: {text}");
        let r = post_plan(&mut com, &csrf, t001, &[("target", "x")]).await;
        assert_eq!(r.status, StatusCode::BAD_REQUEST);
        assert!(r.text().contains("计划总数应填写人数"), "{}", r.text());
        let html = dept
            .get(&format!("/recruitment?org={c001}&year=2026"))
            .await
            .text();
        assert!(child_row(&html, t001).contains("<td class=\"num target\">—</td>"));
        // Within it: stored, and the county's overview shows the township's target.
        let r = post_plan(&mut com, &csrf, t001, &[("target", "6")]).await;
        assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.text());
        let html = dept
            .get(&format!("/recruitment?org={c001}&year=2026"))
            .await
            .text();
        let row = child_row(&html, t001);
        assert!(row.contains("<td class=\"num target\">6</td>"), "{row}");
        assert!(row.contains("<td class=\"num gap\">6</td>"), "{row}");
        // A secretary may not plan: the form is not found for them.
        let mut sec = logged_in(&f.app, "sec-a").await;
        let b001 = f.orgs["B001"];
        let r = sec
            .get(&format!("/recruitment/plan?org={b001}&year=2026"))
            .await;
        assert!(r.status.is_client_error(), "{}", r.status);
        assert!(!sec
            .get(&format!("/recruitment?org={b001}"))
            .await
            .text()
            .contains("set-plan"));
    }
);

contract_test!(
    a_ledger_imported_through_the_page_puts_people_on_the_board,
    |db: TestDb| async move {
        let f = fixture(&db).await;
        let b001 = f.orgs["B001"];
        let mut c = logged_in(&f.app, "committee").await;
        let csrf = c.csrf().await;
        let form = c.get("/import").await.text();
        assert!(form.contains("发展党员台账"), "{form}");
        let header = "姓名,公民身份号码,所在支部,递交申请书日期,谈话日期";
        let good = format!(
            "周新,{},甲村党支部,2026-03-02,2026-03-20",
            id_number("2001-05-06", 91)
        );
        let bad = "吴错,12345,甲村党支部,2026-03-02,";
        let fields = [
            ("csrf", csrf.as_str()),
            ("kind", "recruitment"),
            ("org", ""),
        ];
        let body = format!("{header}\n{good}\n{bad}\n");
        let r = c
            .post_multipart("/import", &fields, ("台账.csv", body.as_bytes()))
            .await;
        let html = r.text();
        assert!(
            html.contains("第3行") && html.contains("公民身份号码"),
            "{html}"
        );
        assert!(!html.contains("import-confirm"), "{html}");
        let board = c.get(&format!("/recruitment?org={b001}")).await.text();
        assert!(!board.contains("周新"), "nothing written on a bad ledger");
        // Fixed: the dry run passes, and the confirmation writes.
        let body = format!("{header}\n{good}\n");
        let r = c
            .post_multipart("/import", &fields, ("台账.csv", body.as_bytes()))
            .await;
        let html = r.text();
        assert!(html.contains("import-confirm"), "{html}");
        let token = quoted_after(&html, "name=\"token\" value=\"");
        assert!(!c
            .get(&format!("/recruitment?org={b001}"))
            .await
            .text()
            .contains("周新"));
        let r = c
            .post_form("/import/confirm", &[("csrf", &csrf), ("token", &token)])
            .await;
        assert_eq!(r.status, StatusCode::OK, "{}", r.text());
        let board = c.get(&format!("/recruitment?org={b001}")).await.text();
        assert!(board.contains("周新"), "{board}");
    }
);

contract_test!(
    the_api_answers_the_report_the_overview_and_the_plan,
    |db: TestDb| async move {
        let f = fixture(&db).await;
        let (c001, t001) = (f.orgs["C001"], f.orgs["T001"]);
        candidate_at_eleven(&f, "B001", "林申请", 81).await;
        applicant(&f, "B003", ("钱迟到", 85), "2026-03-02", Some("2026-04-15")).await;
        let mut api = api_client(&f.app, "dept").await;
        let r = api
            .put_json(
                &format!("/api/v1/recruitment/plans?org={c001}&year=2026"),
                json!({"target": 8, "structure": {"women": 3, "under_35": 5}}),
            )
            .await;
        assert_eq!(r.status, StatusCode::OK, "{}", r.text());
        assert_eq!(r.json()["target"], 8, "{}", r.text());
        let v = api
            .get(&format!("/api/v1/reports/recruitment?org={c001}&year=2026"))
            .await
            .json();
        for key in ["org", "year", "by_stage", "due", "violations", "plan"] {
            assert!(v.get(key).is_some(), "{key}: {v}");
        }
        for stage in [
            "applicant",
            "activist",
            "candidate",
            "probationary",
            "confirmed",
        ] {
            assert!(v["by_stage"][stage].is_i64(), "{stage}: {v}");
        }
        assert_eq!(v["by_stage"]["candidate"], 1, "{v}");
        assert_eq!(v["plan"]["target"], 8, "{v}");
        assert_eq!(v["plan"]["admitted"], 0, "{v}");
        assert_eq!(v["plan"]["structure"]["women"]["target"], 3, "{v}");
        let due = &v["due"][0];
        for key in ["person", "org", "step", "step_name", "deadline"] {
            assert!(due.get(key).is_some(), "{key}: {due}");
        }
        assert!(due["person"]["id_masked"].as_str().unwrap().contains('*'));
        let bad = &v["violations"][0];
        for key in ["person", "org", "step", "rule", "detail"] {
            assert!(bad.get(key).is_some(), "{key}: {bad}");
        }
        let o = api
            .get(&format!(
                "/api/v1/recruitment/overview?org={c001}&year=2026"
            ))
            .await
            .json();
        assert_eq!(o["children"].as_array().unwrap().len(), 2, "{o}");
        let town = o["children"]
            .as_array()
            .unwrap()
            .iter()
            .find(|c| c["org_id"] == t001)
            .unwrap();
        assert_eq!(town["by_stage"][2], 1, "{o}");
        assert_eq!(o["total"]["plan"]["target"], 8, "{o}");
        // A township's plan above the county's: 400 with the reason, nothing changed.
        let mut com = api_client(&f.app, "committee").await;
        let r = com
            .put_json(
                &format!("/api/v1/recruitment/plans?org={t001}&year=2026"),
                json!({"target": 9}),
            )
            .await;
        assert_eq!(r.status, StatusCode::BAD_REQUEST, "{}", r.text());
        assert!(
            r.json()["error"].as_str().unwrap().contains("超过上级"),
            "{}",
            r.text()
        );
        let r = api
            .get(&format!(
                "/api/v1/reports/recruitment?org={c001}&year=twenty"
            ))
            .await;
        assert_eq!(r.status, StatusCode::BAD_REQUEST, "{}", r.text());
    }
);
