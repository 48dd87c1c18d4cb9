//! 发展党员 through HTTP (in-process, SQLite and PostgreSQL): the board and the person's
//! page for a secretary in scope and 404 outside it, the Excel export, registration and
//! step forms that refuse beside the field with the input kept and change nothing, the
//! approval (⑰) putting the person on the roster, and the API's round trip.

mod common;

use axum::http::StatusCode;
use common::recruitment::{applicant, candidate_at_eleven};
use common::*;
use jiceng_store::contract_test;
use jiceng_store::testing::TestDb;
use serde_json::json;

/// Posts a step through the person's form.
async fn record(c: &mut Client, csrf: &str, id: i64, fields: &[(&str, &str)]) -> Resp {
    let mut all = vec![("csrf", csrf)];
    all.extend_from_slice(fields);
    c.post_form(&format!("/recruitment/people/{id}/steps"), &all)
        .await
}

contract_test!(
    the_board_and_the_person_page_in_scope,
    |db: TestDb| async move {
        let f = fixture(&db).await;
        let (b001, b003) = (f.orgs["B001"], f.orgs["B003"]);
        let id = candidate_at_eleven(&f, "B001", "林申请", 81).await;
        let away = candidate_at_eleven(&f, "B003", "郑远方", 82).await;
        let mut c = logged_in(&f.app, "sec-a").await;
        assert!(c.get("/").await.text().contains("href=\"/recruitment\""));
        let board = c.get(&format!("/recruitment?org={b001}")).await;
        assert_eq!(board.status, StatusCode::OK, "{}", board.text());
        let text = board.text();
        for want in [
            "林申请",
            "发展对象",
            "⑫ 支部委员会审查",
            "登记入党申请人",
            "甲村党支部",
        ] {
            assert!(text.contains(want), "{want}: {text}");
        }
        assert!(
            !text.contains("郑远方"),
            "another town's person is not on the board"
        );
        let page = c.get(&format!("/recruitment/people/{id}")).await;
        assert_eq!(page.status, StatusCode::OK, "{}", page.text());
        let text = page.text();
        for want in [
            "一、申请入党",
            "三、发展对象的确定和考察",
            "入党介绍人：张建国、李秀英",
            "集中培训：24学时",
            "id=\"step-form\"",
            "<option value=\"12\" selected>⑫ 支部委员会审查</option>",
        ] {
            assert!(text.contains(want), "{want}: {text}");
        }
        assert!(text.contains("********"), "the ID number is masked");
        assert!(!text.contains(&id_number("2000-03-04", 81)));
        // Outside the secretary's branch: not found, as a missing record.
        for path in [
            format!("/recruitment/people/{away}"),
            format!("/recruitment?org={b003}"),
            format!("/api/v1/recruitment/people/{away}"),
        ] {
            let r = if path.starts_with("/api") {
                api_client(&f.app, "sec-a").await.get(&path).await
            } else {
                c.get(&path).await
            };
            assert_eq!(r.status, StatusCode::NOT_FOUND, "{path}: {}", r.text());
        }
        // The board exported, audited like every export.
        let x = c.get(&format!("/recruitment/export.xlsx?org={b001}")).await;
        assert_eq!(x.status, StatusCode::OK);
        let cells = xlsx_text(&x.bytes);
        assert!(
            cells.contains("林申请") && cells.contains("发展对象"),
            "{cells}"
        );
        // A talk six weeks after the application: the violation named on the page; an
        // application a month old without a talk: overdue on the board.
        let late = applicant(&f, "B001", ("钱迟到", 85), "2026-03-02", Some("2026-04-15")).await;
        applicant(&f, "B001", ("孙等待", 86), "2026-05-04", None).await;
        let text = c.get(&format!("/recruitment/people/{late}")).await.text();
        assert!(
            text.contains("违反时间规定（1）") && text.contains("② 党组织派人谈话"),
            "{text}"
        );
        let text = c.get(&format!("/recruitment?org={b001}")).await.text();
        assert!(
            text.contains("<span class=\"badge red\">逾期</span>"),
            "{text}"
        );
        assert!(
            text.contains("<span class=\"badge red\">违规1项</span>"),
            "{text}"
        );
        // An inspector reads the board but is offered no form.
        let mut i = logged_in(&f.app, "inspector").await;
        let text = i.get(&format!("/recruitment/people/{id}")).await.text();
        assert!(
            text.contains("林申请") && !text.contains("step-form"),
            "{text}"
        );
    }
);

contract_test!(
    refused_forms_say_why_and_the_approval_reaches_the_roster,
    |db: TestDb| async move {
        let f = fixture(&db).await;
        let b001 = f.orgs["B001"];
        let id = candidate_at_eleven(&f, "B001", "林申请", 81).await;
        let mut c = logged_in(&f.app, "sec-a").await;
        let csrf = c.csrf().await;
        // Registration refused beside the ID number, what was typed kept.
        let path = format!("/recruitment/new?org={b001}");
        let r = c
            .post_form(
                &path,
                &[
                    ("csrf", &csrf),
                    ("name", "吴新人"),
                    ("id_number", "37083020010505123X"),
                    ("applied_on", "2026-06-01"),
                ],
            )
            .await;
        assert_eq!(r.status, StatusCode::BAD_REQUEST);
        assert!(r.text().contains("id=\"error-id_number\""), "{}", r.text());
        assert!(r.text().contains("value=\"吴新人\""));
        let good = id_number("2001-05-05", 83);
        let r = c
            .post_form(
                &path,
                &[
                    ("csrf", &csrf),
                    ("name", "吴新人"),
                    ("id_number", &good),
                    ("applied_on", "2026-06-01"),
                ],
            )
            .await;
        assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.text());
        assert!(r.location().unwrap().contains("done=registered"));
        // ⑫ to ⑭, then a vote whose 赞成 is not more than half: refused at the vote.
        for (n, on) in [
            ("12", "2026-04-01"),
            ("13", "2026-04-10"),
            ("14", "2026-04-15"),
        ] {
            let r = record(&mut c, &csrf, id, &[("step", n), ("on", on)]).await;
            assert_eq!(r.status, StatusCode::SEE_OTHER, "{n}: {}", r.text());
        }
        let vote = |yes: &'static str| {
            vec![
                ("step", "15"),
                ("on", "2026-05-08"),
                ("notice_from", "2026-04-27"),
                ("notice_to", "2026-05-07"),
                ("vote_due", "5"),
                ("vote_present", "5"),
                ("vote_yes", yes),
                ("vote_secret", "1"),
            ]
        };
        let r = record(&mut c, &csrf, id, &vote("2")).await;
        assert_eq!(r.status, StatusCode::BAD_REQUEST);
        let text = r.text();
        assert!(text.contains("id=\"error-vote\""), "{text}");
        assert!(
            text.contains("未超过应到会有表决权的正式党员5人的半数"),
            "{text}"
        );
        assert!(text.contains(
            "id=\"vote_yes\" name=\"vote_yes\" min=\"0\" inputmode=\"numeric\" value=\"2\""
        ));
        let page = c.get(&format!("/recruitment/people/{id}")).await.text();
        assert!(
            !page.contains("⑮ 支部大会讨论接收预备党员</span>"),
            "nothing recorded"
        );
        // The vote as it was, the higher committee's talk and approval.
        let r = record(&mut c, &csrf, id, &vote("5")).await;
        assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.text());
        for (n, on) in [("16", "2026-05-20"), ("17", "2026-06-01")] {
            let r = record(&mut c, &csrf, id, &[("step", n), ("on", on)]).await;
            assert_eq!(r.status, StatusCode::SEE_OTHER, "{n}: {}", r.text());
        }
        let page = c.get(&format!("/recruitment/people/{id}")).await.text();
        assert!(page.contains("id=\"member-link\""), "{page}");
        assert!(page.contains("表决：应到5人，实到5人，赞成5票"), "{page}");
        let roster = c.get(&format!("/members?org={b001}")).await.text();
        assert!(
            roster.contains("林申请") && roster.contains("预备党员"),
            "{roster}"
        );
        // The member page shows how they joined, and the documents are generated from it.
        let member = page
            .split("href=\"/members/")
            .nth(1)
            .and_then(|s| s.split('"').next())
            .expect("the member link")
            .to_string();
        let mpage = c.get(&format!("/members/{member}")).await.text();
        assert!(
            mpage.contains("发展过程") && mpage.contains("⑰ 上级党委审批"),
            "{mpage}"
        );
        let doc = c
            .get(&format!(
                "/recruitment/people/{id}/documents/branch-resolution"
            ))
            .await;
        assert_eq!(doc.status, StatusCode::OK);
        let xml = jiceng_io::docx::document_xml(&doc.bytes).expect("a .docx");
        assert!(xml.contains("林申请") && xml.contains("赞成5票"), "{xml}");
    }
);

contract_test!(the_api_round_trip, |db: TestDb| async move {
    let f = fixture(&db).await;
    let b001 = f.orgs["B001"];
    let mut a = api_client(&f.app, "sec-a").await;
    let path = format!("/api/v1/recruitment/people?org={b001}");
    let bad =
        json!({"name": "吴新人", "id_number": "37083020010505123X", "applied_on": "2026-06-01"});
    let r = a.post_json(&path, bad).await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST);
    assert_eq!(r.json()["field"], "id_number", "{}", r.text());
    let new = json!({"name": "吴新人", "id_number": id_number("2001-05-05", 84),
                     "education": "大学本科", "front_line": true, "applied_on": "2026-06-01"});
    let r = a.post_json(&path, new).await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.text());
    let id = r.json()["id"].as_i64().unwrap();
    let steps = format!("/api/v1/recruitment/people/{id}/steps");
    let r = a
        .post_json(
            &steps,
            json!({"step": "2", "on": "2026-06-10", "people": "张建国"}),
        )
        .await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.text());
    // Twice, or dated before the talk: refused with the reason and its field.
    let r = a
        .post_json(&steps, json!({"step": "2", "on": "2026-06-11"}))
        .await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST);
    assert_eq!(r.json()["field"], "step");
    assert!(r.json()["error"].as_str().unwrap().contains("已经记录"));
    let r = a
        .post_json(&steps, json!({"step": "3", "on": "2026-06-05"}))
        .await;
    assert_eq!(
        (r.status, r.json()["field"].clone()),
        (StatusCode::BAD_REQUEST, json!("on"))
    );
    let p = a
        .get(&format!("/api/v1/recruitment/people/{id}"))
        .await
        .json();
    assert_eq!(p["name"], "吴新人");
    assert_eq!(p["stage"], "applicant");
    assert_eq!(p["steps"].as_array().unwrap().len(), 2);
    assert!(p["id_masked"].as_str().unwrap().contains('*'));
    let b = a
        .get(&format!("/api/v1/recruitment?org={b001}"))
        .await
        .json();
    assert_eq!(b["by_stage"][0]["stage"], "applicant");
    assert_eq!(b["by_stage"][0]["count"], 1);
    assert_eq!(b["people"][0]["name"], "吴新人");
    // A role that may read but not record.
    let mut i = api_client(&f.app, "inspector").await;
    let r = i
        .post_json(&steps, json!({"step": "3", "on": "2026-06-20"}))
        .await;
    assert_eq!(r.status, StatusCode::FORBIDDEN);
});
