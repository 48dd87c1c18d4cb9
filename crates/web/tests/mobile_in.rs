//! 流入党员 through the pages and the API, on SQLite and PostgreSQL (today 2026-06-30).
//! 甲村's secretary registers 杨帆 of 乙村 (found by the ID number, linked) and a member from
//! outside the system, ticks them on a theme day — not in 应到 or 实到 — and the meeting page
//! lists them 列席; a refused registration comes back with the reason beside its field and
//! what was typed; 乙村's secretary sees on 杨帆's page where he takes part, and cannot end
//! 甲村's registration; the API lists them and records the departure.

mod common;

use axum::http::StatusCode;
use common::{api_client, fixture, id_number, logged_in};
use jiceng_store::contract_test;
use jiceng_store::testing::TestDb;
use serde_json::json;

contract_test!(
    a_branch_registers_mobile_members_and_they_attend_without_a_vote,
    |db: TestDb| async move {
        let f = fixture(&db).await;
        let (b001, b002) = (f.orgs["B001"], f.orgs["B002"]);
        let mut a = logged_in(&f.app, "sec-a").await;
        let page = a.get(&format!("/mobility?org={b001}")).await;
        assert_eq!(page.status, StatusCode::OK, "{}", page.text());
        assert!(page.text().contains("id=\"guest-form\""));
        let csrf = a.csrf().await;
        let path = format!("/mobility/in?org={b001}");
        let yang_id = id_number("1988-04-04", 23);
        // A wrong name for the ID number: refused beside the field, the typing kept.
        let r = a
            .post_form(
                &path,
                &[
                    ("csrf", csrf.as_str()),
                    ("name", "杨凡"),
                    ("id_number", yang_id.as_str()),
                    ("since", "2026-05-01"),
                ],
            )
            .await;
        assert_eq!(r.status, StatusCode::BAD_REQUEST);
        assert!(r.text().contains("姓名与身份证号在党员名册中的记录不符"));
        assert!(r.text().contains("value=\"杨凡\""));
        for (name, idn, home) in [
            ("杨帆", yang_id.clone(), ""),
            (
                "孙流入",
                id_number("1991-01-01", 91),
                "浙江省宁波市某社区党支部",
            ),
        ] {
            let r = a
                .post_form(
                    &path,
                    &[
                        ("csrf", csrf.as_str()),
                        ("name", name),
                        ("id_number", idn.as_str()),
                        ("home_org", home),
                        ("since", "2026-05-01"),
                        ("contact", "13900001111"),
                    ],
                )
                .await;
            assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.text());
        }
        let page = a.get(&format!("/mobility?org={b001}")).await.text();
        assert!(page.contains("乙村党支部") && page.contains("浙江省宁波市某社区党支部"));
        assert!(page.contains("139****1111"), "the phone masked");

        // The theme day: the form offers them as 列席; the counts are the roster's.
        let form = a
            .get(&format!("/orgs/{b001}/meetings/new?kind=ThemeDay"))
            .await
            .text();
        assert_eq!(form.matches("name=\"guest\"").count(), 2, "{form}");
        let guests = f.app.clone();
        let listed = {
            let mut api = api_client(&guests, "sec-a").await;
            api.get(&format!("/api/v1/mobility/in?org={b001}"))
                .await
                .json()
        };
        let ids: Vec<String> = listed
            .as_array()
            .unwrap()
            .iter()
            .map(|g| g["id"].as_i64().unwrap().to_string())
            .collect();
        assert_eq!(listed[0]["linked"], true);
        let mut fields: Vec<(String, String)> = vec![
            ("csrf".into(), csrf.clone()),
            ("kind".into(), "ThemeDay".into()),
            ("date".into(), "2026-06-12".into()),
            ("topic".into(), "流入党员一同参加的主题党日".into()),
        ];
        for name in ["张建国", "李秀英", "王伟", "赵敏", "刘洋"] {
            fields.push((format!("att_{}", f.members[name]), "present".into()));
        }
        fields.extend(ids.iter().map(|i| ("guest".to_string(), i.clone())));
        let refs: Vec<(&str, &str)> = fields
            .iter()
            .map(|(k, v)| (k.as_str(), v.as_str()))
            .collect();
        let r = a
            .post_form(&format!("/orgs/{b001}/meetings/new"), &refs)
            .await;
        assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.text());
        let mut api = api_client(&f.app, "sec-a").await;
        let list = api
            .get(&format!("/api/v1/meetings?org={b001}"))
            .await
            .json();
        let m = list["items"]
            .as_array()
            .unwrap()
            .iter()
            .find(|m| m["topic"] == "流入党员一同参加的主题党日")
            .unwrap()
            .clone();
        assert_eq!(
            (m["expected"].as_i64(), m["present"].as_i64()),
            (Some(5), Some(5))
        );
        let view = a.get(&format!("/meetings/{}", m["id"])).await.text();
        assert!(
            view.contains("流入党员列席（无表决权）：孙流入、杨帆"),
            "{view}"
        );

        // 乙村 sees where its member takes part; it cannot end 甲村's registration.
        let mut b = api_client(&f.app, "sec-b").await;
        let yang = b
            .get(&format!("/api/v1/members/{}", f.members["杨帆"]))
            .await
            .json();
        assert_eq!(yang["guest_at"][0]["org_name"], "甲村党支部");
        let r = b
            .post_json(
                &format!("/api/v1/mobility/in/leave?org={b001}"),
                json!({"id": listed[0]["id"], "on": "2026-06-20"}),
            )
            .await;
        assert_eq!(r.status, StatusCode::NOT_FOUND);
        let r = b
            .post_json(
                &format!("/api/v1/mobility/in/leave?org={b002}"),
                json!({"id": listed[0]["id"], "on": "2026-06-20"}),
            )
            .await;
        assert_eq!(r.status, StatusCode::NOT_FOUND, "{}", r.text());
        // 甲村 records that 杨帆 went home; the API registers and refuses as the page does.
        let r = api
            .post_json(
                &format!("/api/v1/mobility/in/leave?org={b001}"),
                json!({"id": listed[0]["id"], "on": "2026-06-20"}),
            )
            .await;
        assert_eq!(r.status, StatusCode::OK, "{}", r.text());
        assert_eq!(r.json().as_array().unwrap().len(), 1);
        let r = api
            .post_json(
                &format!("/api/v1/mobility/in?org={b001}"),
                json!({"name": "刘洋", "id_number": id_number("1985-09-09", 15), "since": "2026-06-01"}),
            )
            .await;
        assert_eq!(r.status, StatusCode::BAD_REQUEST);
        assert_eq!(r.json()["field"], "id_number");
        let report = api
            .get(&format!("/api/v1/mobility?org={b001}"))
            .await
            .json();
        assert_eq!(report["incoming_total"], 1);
    }
);
