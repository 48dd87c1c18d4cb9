//! No oracle over HTTP (issue #11), on SQLite and PostgreSQL: an ID number is searched only
//! in a request body and appears in no URL of the answer; a colliding import row is
//! answered in the check like a new one and referred on the real import, the referral
//! seen and settled by the department and the committee above both, not by the secretary.

mod common;

use axum::http::StatusCode;
use common::*;
use jiceng_store::contract_test;
use jiceng_store::testing::TestDb;
use serde_json::json;

contract_test!(
    id_numbers_travel_only_in_request_bodies,
    |db: TestDb| async move {
        let f = fixture(&db).await;
        let wang = id_number("1990-07-01", 13);
        let yang = id_number("1988-04-04", 23);
        let mut api = api_client(&f.app, "sec-a").await;
        // GET with a number is refused, saying how to search instead, without the number.
        let r = api.get(&format!("/api/v1/members?q={wang}")).await;
        assert_eq!(r.status, StatusCode::BAD_REQUEST);
        assert!(
            r.text().contains("POST /api/v1/members/search"),
            "{}",
            r.text()
        );
        assert!(!r.text().contains(&wang));
        // A name still works by GET.
        assert_eq!(
            api.get(&format!("/api/v1/members?q={}", enc("王伟")))
                .await
                .json()["total"],
            1
        );
        // POST finds the person in scope, and nobody outside it.
        let r = api
            .post_json("/api/v1/members/search", json!({ "q": wang }))
            .await;
        assert_eq!(r.status, StatusCode::OK, "{}", r.text());
        assert_eq!(r.json()["total"], 1);
        assert_eq!(r.json()["items"][0]["name"], "王伟");
        assert!(!r.text().contains(&wang));
        let r = api
            .post_json("/api/v1/members/search", json!({ "q": yang }))
            .await;
        assert_eq!(r.json()["total"], 0);
        let bad = "370830199007010130";
        let r = api
            .post_json("/api/v1/members/search", json!({ "q": bad }))
            .await;
        assert_eq!(r.status, StatusCode::BAD_REQUEST);
        assert!(r.text().contains("公民身份号码无效") && !r.text().contains(bad));

        // Pages: the form posts; a GET with a number is refused.
        let mut c = logged_in(&f.app, "sec-a").await;
        let r = c.get(&format!("/members?q={wang}")).await;
        assert_eq!(r.status, StatusCode::BAD_REQUEST);
        assert!(r.text().contains("查询表单") && !r.text().contains(&wang));
        let r = c.get(&format!("/members/export.xlsx?q={wang}")).await;
        assert_eq!(r.status, StatusCode::BAD_REQUEST);
        let roster = c.get("/members").await.text();
        assert!(roster.contains("action=\"/members/search\""), "{roster}");
        let csrf = c.csrf().await;
        let r = c
            .post_form(
                "/members/search",
                &[("csrf", &csrf), ("q", &wang), ("org", "")],
            )
            .await;
        assert_eq!(r.status, StatusCode::OK, "{}", r.text());
        let page = r.text();
        assert!(
            page.contains("王伟</a>") && !page.contains("张建国</a>"),
            "{page}"
        );
        assert!(
            page.contains("370830********"),
            "the caption shows the masked number"
        );
        // The number is nowhere in the answer: not in the box, a pager or an export link.
        assert!(!page.contains(&wang), "{page}");
        let r = c
            .post_form("/members/search", &[("csrf", &csrf), ("q", bad)])
            .await;
        assert!(r.text().contains("公民身份号码无效") && !r.text().contains(bad));
        // Without the token: refused.
        let r = c.post_form("/members/search", &[("q", &wang)]).await;
        assert_eq!(r.status, StatusCode::FORBIDDEN);
        // A name goes back to the roster's address, its pages linked as before.
        let r = c
            .post_form("/members/search", &[("csrf", &csrf), ("q", "王伟")])
            .await;
        assert_eq!(r.status, StatusCode::SEE_OTHER);
        let to = r.location().unwrap();
        assert_eq!(to, format!("/members?q={}", enc("王伟")));
        assert!(c.get(&to).await.text().contains("王伟</a>"));
    }
);

contract_test!(
    colliding_import_rows_are_referred_to_the_common_org,
    |db: TestDb| async move {
        let f = fixture(&db).await;
        let yang = id_number("1988-04-04", 23); // 杨帆, 乙村党支部 (B002)
        let fresh = id_number("1988-04-04", 27);
        let csv = |id: &str| {
            format!(
                "{MEMBER_HEADER}\n{}\n{}\n",
                member_line("某甲", "男", "1988-04-04", id, "B001", "", 61),
                plain_line("某乙", "男", "1991-01-01", 41, "B001", 62),
            )
        };
        let mut api = api_client(&f.app, "sec-a").await;
        let url = "/api/v1/imports/members?format=csv&dry_run=true";
        let a = api.post_bytes(url, csv(&yang).into_bytes()).await.json();
        let b = api.post_bytes(url, csv(&fresh).into_bytes()).await.json();
        let strip = |mut v: serde_json::Value| {
            v["file"] = json!("");
            v
        };
        assert_eq!(strip(a), strip(b), "the check tells nothing");

        let r = api
            .post_bytes(
                "/api/v1/imports/members?format=csv",
                csv(&yang).into_bytes(),
            )
            .await;
        assert_eq!(r.status, StatusCode::OK, "{}", r.text());
        let rep = r.json();
        assert_eq!(rep["written"], 1, "{rep}");
        assert_eq!(rep["referred"][0]["row"], 2);
        assert_eq!(rep["referred"][0]["message"], "已提交上级党组织处理");
        for word in ["乙村", "甲镇", "B002", "T001", "转接"] {
            assert!(!r.text().contains(word), "{word}: {}", r.text());
        }

        // The secretary may not see referrals; the county and 甲镇 (holding 甲村 and 乙村) do.
        assert_eq!(
            api.get("/api/v1/referrals").await.status,
            StatusCode::FORBIDDEN
        );
        let mut c = logged_in(&f.app, "sec-a").await;
        assert_eq!(c.get("/referrals").await.status, StatusCode::FORBIDDEN);
        assert!(!c.get("/").await.text().contains("href=\"/referrals\""));
        let mut dept = api_client(&f.app, "dept").await;
        let list = dept.get("/api/v1/referrals").await.json();
        assert_eq!(list["total"], 1, "{list}");
        let item = &list["items"][0];
        assert_eq!(item["common_org"], "甲镇党委");
        assert_eq!(item["from_org"], "甲村党支部");
        assert_eq!(item["existing_org"], "乙村党支部");
        assert!(!list.to_string().contains(&yang));
        assert!(!list.to_string().contains("id_cipher"));
        let id = item["id"].as_i64().unwrap();
        let mut committee = logged_in(&f.app, "committee").await;
        assert!(committee
            .get("/")
            .await
            .text()
            .contains("href=\"/referrals\""));
        let page = committee.get("/referrals").await;
        assert_eq!(page.status, StatusCode::OK);
        assert!(
            page.text().contains(&format!("referral-{id}")),
            "{}",
            page.text()
        );
        assert!(!page.text().contains(&yang));

        // Settled on the page (CSRF, a reason), then no longer pending; dismissing it now
        // is refused.
        let csrf = committee.csrf().await;
        let r = committee
            .post_form(
                &format!("/referrals/{id}/close"),
                &[("csrf", &csrf), ("decision", "settle"), ("reason", "")],
            )
            .await;
        assert!(r.text().contains("请填写处理意见"), "{}", r.text());
        let r = committee
            .post_form(
                &format!("/referrals/{id}/close"),
                &[
                    ("csrf", &csrf),
                    ("decision", "settle"),
                    ("reason", "已办理组织关系转接"),
                ],
            )
            .await;
        assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.text());
        assert_eq!(dept.get("/api/v1/referrals").await.json()["total"], 0);
        let all = dept.get("/api/v1/referrals?status=all").await.json();
        assert_eq!(all["items"][0]["status"], "settled");
        assert_eq!(all["items"][0]["reason"], "已办理组织关系转接");
        let r = dept
            .post_json(
                &format!("/api/v1/referrals/{id}/dismiss"),
                json!({ "reason": "重复" }),
            )
            .await;
        assert_eq!(r.status, StatusCode::BAD_REQUEST, "{}", r.text());
        // A secretary may not settle.
        let mut sec_b = api_client(&f.app, "sec-b").await;
        assert_eq!(
            sec_b
                .post_json(
                    &format!("/api/v1/referrals/{id}/settle"),
                    json!({ "reason": "x" })
                )
                .await
                .status,
            StatusCode::FORBIDDEN
        );
    }
);
