//! A meeting's attachments in process, on SQLite and PostgreSQL: the secretary adds a photo
//! of the sign-in sheet and a PDF, sees them on the record's page (the photo inline),
//! is refused a file of another kind, an oversized one and one without the token; another
//! branch's secretary finds none of them; a correction keeps them, a void removes them;
//! adding and removing are audited.

mod common;

use axum::http::StatusCode;
use common::{api_client, fixture, logged_in};
use jiceng_store::contract_test;
use jiceng_store::testing::TestDb;
use serde_json::json;

const PNG: &[u8] = b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDRsample";

contract_test!(
    a_secretary_attaches_the_sign_in_sheet,
    |db: TestDb| async move {
        let f = fixture(&db).await;
        let b001 = f.orgs["B001"];
        let mut api = api_client(&f.app, "sec-a").await;
        let r = api
            .post_json(
                "/api/v1/meetings",
                json!({"org_id": b001, "kind": "ThemeDay", "date": "2026-06-15",
                       "topic": "六月主题党日", "expected": 5, "present": 5, "excused": 0}),
            )
            .await;
        assert_eq!(r.status, StatusCode::CREATED, "{}", r.text());
        let id = r.json()["id"].as_i64().unwrap();
        let mut a = logged_in(&f.app, "sec-a").await;
        let csrf = a.csrf().await;
        let page = a.get(&format!("/meetings/{id}")).await.text();
        assert!(page.contains("no-attachments") && page.contains("attach-form"));
        let upload = format!("/meetings/{id}/attachments");

        // A photo and a PDF.
        let r = a
            .post_multipart(&upload, &[("csrf", &csrf)], ("签到表.png", PNG))
            .await;
        assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.text());
        let r = a
            .post_multipart(&upload, &[("csrf", &csrf)], ("会议记录.pdf", b"%PDF-1.4 x"))
            .await;
        assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.text());
        let page = a.get(&format!("/meetings/{id}?done=attached")).await.text();
        assert!(page.contains("附件已上传"), "{page}");
        assert!(
            page.contains("签到表.png") && page.contains("会议记录.pdf"),
            "{page}"
        );
        assert!(
            page.contains("<img src=\"/meetings/"),
            "the photo inline: {page}"
        );
        let list = jiceng_app::meetings::attachments::list(
            &f.app,
            &jiceng_app::access::Actor::for_test(0, "t", jiceng_app::access::Role::Admin),
            id,
        )
        .await
        .unwrap();
        assert_eq!(list.len(), 2);
        let photo = list[0].id;
        let r = a.get(&format!("/meetings/{id}/attachments/{photo}")).await;
        assert_eq!(r.status, StatusCode::OK);
        assert_eq!(r.bytes, PNG);
        assert_eq!(r.headers["content-type"], "image/png");
        assert!(r.headers["content-disposition"]
            .to_str()
            .unwrap()
            .starts_with("inline;"));

        // Refused: another kind (whatever its name says), too large, no token.
        let r = a
            .post_multipart(&upload, &[("csrf", &csrf)], ("照片.jpg", b"<html>x</html>"))
            .await;
        assert_eq!(r.status, StatusCode::BAD_REQUEST, "{}", r.text());
        assert!(
            r.text().contains("不是照片（JPG、PNG）、PDF 或 Word"),
            "{}",
            r.text()
        );
        let big = [PNG, &vec![0u8; 5 * 1024 * 1024]].concat();
        let r = a
            .post_multipart(&upload, &[("csrf", &csrf)], ("大照片.png", &big))
            .await;
        assert_eq!(r.status, StatusCode::BAD_REQUEST, "{}", r.text());
        assert!(r.text().contains("5 MB"), "{}", r.text());
        let r = a
            .post_multipart(&upload, &[("csrf", "wrong")], ("签到表2.png", PNG))
            .await;
        assert_eq!(r.status, StatusCode::FORBIDDEN, "{}", r.text());

        // Another branch's secretary: not found.
        let mut b = logged_in(&f.app, "sec-b").await;
        assert_eq!(
            b.get(&format!("/meetings/{id}/attachments/{photo}"))
                .await
                .status,
            StatusCode::NOT_FOUND
        );
        let bcsrf = b.csrf().await;
        let r = b
            .post_multipart(&upload, &[("csrf", &bcsrf)], ("x.png", PNG))
            .await;
        assert_eq!(r.status, StatusCode::NOT_FOUND, "{}", r.text());

        // A correction keeps them (on the new record); removing one is audited.
        let r = api
            .put_json(
                &format!("/api/v1/meetings/{id}"),
                json!({"org_id": b001, "kind": "ThemeDay", "date": "2026-06-15",
                       "topic": "六月主题党日（更正）", "expected": 5, "present": 4, "excused": 1,
                       "reason": "出席人数录错"}),
            )
            .await;
        assert_eq!(r.status, StatusCode::OK, "{}", r.text());
        let new_id = r.json()["id"].as_i64().unwrap();
        assert_ne!(new_id, id);
        let page = a.get(&format!("/meetings/{new_id}")).await.text();
        assert!(
            page.contains("签到表.png") && page.contains("会议记录.pdf"),
            "{page}"
        );
        let r = a
            .post_form(
                &format!("/meetings/{new_id}/attachments/{photo}/delete"),
                &[("csrf", &csrf)],
            )
            .await;
        assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.text());
        let page = a.get(&format!("/meetings/{new_id}")).await.text();
        assert!(!page.contains("签到表.png") && page.contains("会议记录.pdf"));
        let mut aud = api_client(&f.app, "auditor").await;
        let log = aud.get("/api/v1/audit?page_size=200").await.text();
        for action in ["attachment_add", "attachment_remove"] {
            assert!(log.contains(action), "{action}");
        }

        // A void removes the rest with the record.
        let r = a
            .post_form(
                &format!("/meetings/{new_id}/void"),
                &[("csrf", &csrf), ("reason", "重复录入")],
            )
            .await;
        assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.text());
        let left = jiceng_app::meetings::attachments::list(
            &f.app,
            &jiceng_app::access::Actor::for_test(0, "t", jiceng_app::access::Role::Admin),
            new_id,
        )
        .await;
        assert!(left.is_err(), "the record is gone");
        let mut conn = db.store.acquire().await.unwrap();
        assert!(jiceng_store::attachments::of_meeting(&mut conn, new_id)
            .await
            .unwrap()
            .is_empty());
    }
);
