//! 组织关系转接 through the API, on SQLite and PostgreSQL: 甲村's secretary issues a letter
//! for 王伟 to 丙村党支部 (another town); 乙村's secretary cannot see it; the sender cannot
//! receive its own letter (400 with the field); 丙村's secretary receives it, 王伟 is 丙村's
//! and no longer 甲村's; the county's report counts the move for each town, not for itself.

mod common;

use axum::http::StatusCode;
use common::{add_secretary, api_client, fixture, logged_in};
use jiceng_store::contract_test;
use jiceng_store::testing::TestDb;
use serde_json::json;

contract_test!(
    a_letter_through_the_api_moves_the_member_on_receipt,
    |db: TestDb| async move {
        let f = fixture(&db).await;
        add_secretary(&f.app, "sec-c", "B003").await;
        let wang = f.members["王伟"];
        let mut a = api_client(&f.app, "sec-a").await;
        let body = json!({"to": "丙村党支部", "issued_on": "2026-06-20", "reason": "到丙村定居"});
        let r = a
            .post_json(&format!("/api/v1/members/{wang}/transfer"), body.clone())
            .await;
        assert_eq!(r.status, StatusCode::CREATED, "{}", r.text());
        let id = r.json()["id"].as_i64().unwrap();
        assert_eq!(r.json()["state"], "待接收");
        // A second letter for him waits for the first.
        let r = a
            .post_json(&format!("/api/v1/members/{wang}/transfer"), body)
            .await;
        assert_eq!(
            (r.status, r.json()["field"].clone()),
            (StatusCode::BAD_REQUEST, json!("member"))
        );
        let mut b = api_client(&f.app, "sec-b").await;
        assert_eq!(
            b.get(&format!("/api/v1/transfers/{id}")).await.status,
            StatusCode::NOT_FOUND
        );
        let r = a
            .post_json(
                &format!("/api/v1/transfers/{id}/receive"),
                json!({"on": "2026-06-30"}),
            )
            .await;
        assert_eq!(r.status, StatusCode::BAD_REQUEST, "{}", r.text());
        assert_eq!(r.json()["field"], "state");

        let mut c = api_client(&f.app, "sec-c").await;
        let inbox = c.get("/api/v1/transfers").await.json();
        assert_eq!(inbox["incoming_total"], 1);
        assert_eq!(inbox["incoming"][0]["person"]["name"], "王伟");
        assert!(
            inbox["incoming"][0]["member_id"].is_null(),
            "only the letter before receipt"
        );
        assert_eq!(
            c.get(&format!("/api/v1/members/{wang}")).await.status,
            StatusCode::NOT_FOUND
        );
        let r = c
            .post_json(
                &format!("/api/v1/transfers/{id}/receive"),
                json!({"on": "2026-06-30"}),
            )
            .await;
        assert_eq!(r.status, StatusCode::OK, "{}", r.text());
        assert_eq!(r.json()["state"], "已接收");
        assert_eq!(
            c.get(&format!("/api/v1/members/{wang}")).await.status,
            StatusCode::OK
        );
        assert_eq!(
            a.get(&format!("/api/v1/members/{wang}")).await.status,
            StatusCode::NOT_FOUND
        );

        let mut dept = api_client(&f.app, "dept").await;
        let r = dept
            .get("/api/v1/reports/transfers?org=C001&period=2026")
            .await;
        assert_eq!(r.status, StatusCode::OK, "{}", r.text());
        let report = r.json();
        assert_eq!(report["totals"]["left"], 0, "a move inside the county");
        let town = |code: &str| {
            report["by_child"]
                .as_array()
                .unwrap()
                .iter()
                .find(|c| c["code"] == code)
                .cloned()
                .unwrap()
        };
        assert_eq!(
            (
                town("T001")["left"].clone(),
                town("T002")["arrived"].clone()
            ),
            (json!(1), json!(1))
        );
        // The department's page of the same, drilling down, and its workbook.
        let mut page = logged_in(&f.app, "dept").await;
        let r = page.get("/reports/transfers?org=C001&period=2026").await;
        assert_eq!(r.status, StatusCode::OK);
        let html = r.text();
        let t001 = format!("/reports/transfers?org={}&amp;period=2026", f.orgs["T001"]);
        assert!(
            html.contains("组织关系转接情况") && html.contains(&t001),
            "{html}"
        );
        let r = page
            .get("/reports/transfers?org=C001&period=2026&format=xlsx")
            .await;
        assert_eq!(r.status, StatusCode::OK);
        assert!(r.headers[axum::http::header::CONTENT_TYPE]
            .to_str()
            .unwrap()
            .contains("spreadsheetml"));
        let r = page.get("/reports/transfers?org=C001&period=20XX").await;
        assert_eq!(
            r.status,
            StatusCode::BAD_REQUEST,
            "a period that is none says so"
        );
    }
);

contract_test!(
    members_ticked_on_the_roster_move_together_or_not_at_all,
    |db: TestDb| async move {
        let f = fixture(&db).await;
        let (wang, zhao, liu) = (f.members["王伟"], f.members["赵敏"], f.members["刘洋"]);
        let b001 = f.orgs["B001"];
        let mut c = logged_in(&f.app, "sec-a").await;
        let roster = c.get(&format!("/members?org={b001}")).await.text();
        assert!(roster.contains("batch-transfer-submit"), "{roster}");
        assert!(roster.contains(&format!("name=\"pick\" value=\"{wang}\"")));
        // 刘洋 already has a letter waiting: the batch names him and writes nothing.
        let mut api = api_client(&f.app, "sec-a").await;
        let r = api
            .post_json(
                &format!("/api/v1/members/{liu}/transfer"),
                json!({"to": "丙村党支部", "issued_on": "2026-06-20", "reason": "到丙村定居"}),
            )
            .await;
        assert_eq!(r.status, StatusCode::CREATED, "{}", r.text());
        let form = c
            .get(&format!(
                "/transfers/batch?org={b001}&pick={wang}&pick={zhao}&pick={liu}"
            ))
            .await;
        assert_eq!(form.status, StatusCode::OK);
        let form = form.text();
        assert!(form.contains("王伟") && form.contains("赵敏") && form.contains("开具3封介绍信"));
        let csrf = common::csrf_of(&form);
        let post = |picks: Vec<i64>| {
            let mut v = vec![
                ("csrf".to_string(), csrf.clone()),
                ("to".to_string(), "B002".to_string()),
                ("issued_on".to_string(), "2026-06-25".to_string()),
                ("reason".to_string(), "村党支部调整".to_string()),
            ];
            v.extend(
                picks
                    .into_iter()
                    .map(|p| ("pick".to_string(), p.to_string())),
            );
            v
        };
        let fields = post(vec![wang, zhao, liu]);
        let refs: Vec<(&str, &str)> = fields
            .iter()
            .map(|(k, v)| (k.as_str(), v.as_str()))
            .collect();
        let r = c
            .post_form(&format!("/transfers/batch?org={b001}"), &refs)
            .await;
        assert_eq!(r.status, StatusCode::BAD_REQUEST);
        assert!(
            r.text().contains("刘洋已有一封待接收的介绍信"),
            "{}",
            r.text()
        );
        let out = api.get("/api/v1/transfers").await.json();
        assert_eq!(out["outgoing_total"], 1, "{out}");
        // Without him: two letters, one for each, waiting at 乙村.
        let fields = post(vec![wang, zhao]);
        let refs: Vec<(&str, &str)> = fields
            .iter()
            .map(|(k, v)| (k.as_str(), v.as_str()))
            .collect();
        let r = c
            .post_form(&format!("/transfers/batch?org={b001}"), &refs)
            .await;
        assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.text());
        let out = api.get("/api/v1/transfers").await.json();
        assert_eq!(out["outgoing_total"], 3, "{out}");
        let mut b = api_client(&f.app, "sec-b").await;
        let inbox = b.get("/api/v1/transfers").await.json();
        assert_eq!(inbox["incoming_total"], 2, "{inbox}");
        // Another branch's member cannot be slipped in.
        let mut other = logged_in(&f.app, "sec-b").await;
        let r = other.get(&format!("/transfers/batch?pick={wang}")).await;
        assert_eq!(r.status, StatusCode::NOT_FOUND);
    }
);
