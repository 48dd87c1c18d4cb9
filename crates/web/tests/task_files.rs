//! A file as a task's outcome in the pages and the API, on SQLite and PostgreSQL: the
//! department asks the village branches for a scanned roster; 甲村's secretary sees the
//! upload form, is refused a file that is not a document (400, the reason on the page),
//! uploads a PDF, reports done; the department opens the file from the line; 乙村's
//! secretary cannot; through the API a file is uploaded as the body and read back.

mod common;

use axum::http::{header, StatusCode};
use common::*;
use jiceng_store::contract_test;
use jiceng_store::testing::TestDb;
use serde_json::json;

const PDF: &[u8] = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n";

contract_test!(
    a_branch_uploads_the_file_a_task_asks_for_and_the_department_opens_it,
    |db: TestDb| async move {
        let f = fixture(&db).await;
        let c001 = f.orgs["C001"].to_string();
        let deadline = (f.app.today() + chrono::Duration::days(10)).to_string();
        let mut dept = logged_in(&f.app, "dept").await;
        let csrf = dept.csrf().await;
        let sent = dept
            .post_form(
                &format!("/tasks/new?org={c001}"),
                &[
                    ("csrf", &csrf),
                    ("title", "报送党员名册"),
                    ("content", "请上传盖章的党员名册扫描件。"),
                    ("deadline", &deadline),
                    ("kinds", "Branch"),
                    ("domains", "Village"),
                    ("label_0", "党员名册"),
                    ("kind_0", "File"),
                    ("step", "send"),
                ],
            )
            .await;
        assert_eq!(sent.status, StatusCode::SEE_OTHER, "{}", sent.text());
        let id: i64 = sent
            .location()
            .unwrap()
            .trim_start_matches("/tasks/")
            .split('?')
            .next()
            .unwrap()
            .parse()
            .unwrap();

        // 甲村: the upload form for the file; no text box for it in the report.
        let mut sec = logged_in(&f.app, "sec-a").await;
        let page = sec.get(&format!("/tasks/{id}")).await.text();
        assert!(page.contains("id=\"file-form-0\""), "{page}");
        assert!(page.contains("尚未上传"), "{page}");
        assert!(!page.contains("name=\"answer_0\""), "{page}");
        let csrf = csrf_of(&page);
        // Done before the upload: refused, named.
        let r = sec
            .post_form(
                &format!("/tasks/{id}/report"),
                &[("csrf", &csrf), ("done", "1"), ("answer_0", "x.pdf")],
            )
            .await;
        assert_eq!(r.status, StatusCode::BAD_REQUEST, "{}", r.text());
        assert!(r.text().contains("请上传“党员名册”"), "{}", r.text());
        // Not a document: 400 and the reason on the page.
        let upload = format!("/tasks/{id}/file");
        let r = sec
            .post_multipart(
                &upload,
                &[("csrf", &csrf), ("field", "0")],
                ("名册.exe", b"MZ\x90"),
            )
            .await;
        assert_eq!(r.status, StatusCode::BAD_REQUEST, "{}", r.text());
        assert!(r.text().contains("id=\"file-error\""), "{}", r.text());
        assert!(
            r.text().contains("不是照片（JPG、PNG）、PDF"),
            "{}",
            r.text()
        );
        // Without the token: refused before anything is read into the store.
        let r = sec
            .post_multipart(&upload, &[("field", "0")], ("名册.pdf", PDF))
            .await;
        assert_eq!(r.status, StatusCode::FORBIDDEN, "{}", r.text());
        let r = sec
            .post_multipart(
                &upload,
                &[("csrf", &csrf), ("field", "0")],
                ("名册.pdf", PDF),
            )
            .await;
        assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.text());
        let page = sec.get(&r.location().unwrap()).await.text();
        assert!(page.contains("已上传“名册.pdf”"), "{page}");
        assert!(page.contains("重新上传"), "{page}");
        let r = sec
            .post_form(
                &format!("/tasks/{id}/report"),
                &[("csrf", &csrf), ("done", "1"), ("progress", "已上传")],
            )
            .await;
        assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.text());

        // The department: the line links the file; it opens inline as a PDF.
        let view = dept.get(&format!("/tasks/{id}?org={c001}")).await.text();
        let prefix = format!("<a href=\"/tasks/{id}/files/");
        let at = view.find(&prefix).unwrap_or_else(|| panic!("{view}"));
        let href: String = view[at + 9..].chars().take_while(|c| *c != '"').collect();
        let file = dept.get(&href).await;
        assert_eq!(file.status, StatusCode::OK);
        assert_eq!(file.bytes, PDF);
        assert_eq!(file.headers[header::CONTENT_TYPE], "application/pdf");
        // 乙村's secretary cannot reach 甲村's file; nor can anyone under another task's id.
        let mut other = logged_in(&f.app, "sec-b").await;
        assert_eq!(other.get(&href).await.status, StatusCode::NOT_FOUND);
        let fid = href.rsplit('/').next().unwrap();
        let r = dept.get(&format!("/tasks/{}/files/{fid}", id + 1)).await;
        assert_eq!(r.status, StatusCode::NOT_FOUND);

        // The API: 乙村 uploads its roster as the body, then reads it back.
        let mut api = api_client(&f.app, "sec-b").await;
        let r = api
            .post_bytes(
                &format!("/api/v1/tasks/{id}/file?field=0&name=%E5%90%8D%E5%86%8C.pdf"),
                PDF.to_vec(),
            )
            .await;
        assert_eq!(r.status, StatusCode::CREATED, "{}", r.text());
        assert_eq!(r.json()["name"], "名册.pdf");
        let r_fid = r.json()["id"].as_i64().unwrap();
        assert_eq!(r.json()["content_type"], "application/pdf");
        let r = api
            .post_bytes(
                &format!("/api/v1/tasks/{id}/file?field=0&name=a.pdf"),
                b"hello".to_vec(),
            )
            .await;
        assert_eq!(r.status, StatusCode::BAD_REQUEST, "{}", r.text());
        assert_eq!(r.json()["field"], "file");
        let r = api
            .post_json(
                &format!("/api/v1/tasks/{id}/report"),
                json!({"done": true, "progress": "已上传"}),
            )
            .await;
        assert_eq!(r.status, StatusCode::NO_CONTENT, "{}", r.text());
        let fid = r_fid;
        let r = api.get(&format!("/api/v1/tasks/{id}/files/{fid}")).await;
        assert_eq!((r.status, r.bytes.as_slice()), (StatusCode::OK, PDF));
        let v = api_client(&f.app, "dept")
            .await
            .get(&format!("/api/v1/tasks/{id}?org={c001}"))
            .await
            .json();
        assert_eq!(v["counts"]["done"], 2);
        let line = v["lines"]
            .as_array()
            .unwrap()
            .iter()
            .find(|l| l["org"]["code"] == "B002")
            .unwrap();
        assert_eq!(
            (
                line["answers"][0]["text"].as_str(),
                line["answers"][0]["file"].as_i64()
            ),
            (Some("名册.pdf"), Some(r_fid))
        );
    }
);
