//! Hostile and oversized uploads through the web, on SQLite and PostgreSQL: a spreadsheet
//! bomb is refused with the Chinese message and the server answers the next request;
//! messages and reports name the user's file, never the server's folder; uploads over the
//! import limit are refused; axum's own rejections answer in the application's form.

mod common;

use axum::http::StatusCode;
use common::*;
use jiceng_store::contract_test;
use jiceng_store::testing::TestDb;

/// The far-corner bomb: a header at A1 and one value at XFD1048576 (the last cell Excel
/// has). Read as a dense range it needed 549 GB and aborted the server.
fn far_corner_xlsx() -> Vec<u8> {
    let mut wb = rust_xlsxwriter::Workbook::new();
    let ws = wb.add_worksheet();
    ws.write_string(0, 0, "姓名").unwrap();
    ws.write_string(1_048_575, 16_383, "x").unwrap();
    wb.save_to_buffer().unwrap()
}

/// The API's dry run of a members CSV.
const MEMBERS_DRY_RUN: &str = "/api/v1/imports/members?format=csv&dry_run=true";

/// The web's configuration with uploads to import limited to `bytes`.
fn import_limited_to(bytes: u64) -> jiceng_web::WebConfig {
    jiceng_web::WebConfig {
        import_max_bytes: Some(bytes),
        ..Default::default()
    }
}

/// The message of an API answer that must be a refusal (400).
fn refusal(r: &Resp) -> String {
    assert_eq!(r.status, StatusCode::BAD_REQUEST, "{}", r.text());
    r.json()["error"].as_str().unwrap().to_string()
}

contract_test!(
    a_spreadsheet_bomb_is_refused_and_the_server_stays_up,
    |db: TestDb| async move {
        let f = fixture(&db).await;
        let mut api = api_client(&f.app, "sec-a").await;
        let r = api
            .post_bytes(
                "/api/v1/imports/members?format=xlsx&dry_run=true",
                far_corner_xlsx(),
            )
            .await;
        let msg = refusal(&r);
        assert!(
            msg.contains("超出导入限制") && msg.contains("XFD1048576"),
            "{msg}"
        );
        assert!(msg.contains("上传文件.xlsx"), "the upload's name: {msg}");
        assert!(
            !msg.contains("jiceng-uploads") && !msg.contains('/'),
            "{msg}"
        );
        let me = api.get("/api/v1/me").await;
        assert_eq!(
            me.status,
            StatusCode::OK,
            "the server answers after the bomb"
        );

        // The same through the page: the error names the user's file.
        let mut c = logged_in(&f.app, "sec-a").await;
        let csrf = c.csrf().await;
        let r = c
            .import_members(&csrf, "", "炸弹名册.xlsx", &far_corner_xlsx())
            .await;
        assert_eq!(r.status, StatusCode::BAD_REQUEST);
        let html = r.text();
        assert!(
            html.contains("炸弹名册.xlsx") && html.contains("XFD1048576"),
            "{html}"
        );
        assert!(!html.contains("jiceng-uploads"), "{html}");
    }
);

contract_test!(
    reports_and_errors_name_the_users_file_only,
    |db: TestDb| async move {
        let f = fixture(&db).await;
        let mut api = api_client(&f.app, "dept").await;
        let csv = newcomer_csv();
        let r = api.post_bytes(MEMBERS_DRY_RUN, csv.into_bytes()).await;
        assert_eq!(r.status, StatusCode::OK, "{}", r.text());
        assert_eq!(r.json()["file"], "上传文件.csv");

        let mut c = logged_in(&f.app, "dept").await;
        let csrf = c.csrf().await;
        let r = c
            .import_members(
                &csrf,
                "",
                "C:\\桌面\\没有表头.csv",
                "甲,乙\n1,2\n".as_bytes(),
            )
            .await;
        let html = r.text();
        assert!(html.contains("文件 没有表头.csv 中找不到表头行"), "{html}");
        assert!(
            !html.contains("jiceng-uploads") && !html.contains("桌面"),
            "{html}"
        );
    }
);

contract_test!(
    uploads_over_the_import_limit_are_refused,
    |db: TestDb| async move {
        let f = fixture(&db).await;
        let config = import_limited_to(1024);
        let mut api = api_client(&f.app, "dept").await;
        api.router = jiceng_web::router_with(f.app.clone(), config.clone());
        let big = format!("{MEMBER_HEADER}\n{}", "x".repeat(2000));
        let r = api
            .post_bytes(MEMBERS_DRY_RUN, big.clone().into_bytes())
            .await;
        assert_eq!(r.status, StatusCode::PAYLOAD_TOO_LARGE, "{}", r.text());
        assert!(
            r.json()["error"].as_str().unwrap().contains("上限"),
            "{}",
            r.text()
        );

        let mut c = logged_in(&f.app, "dept").await;
        c.router = jiceng_web::router_with(f.app.clone(), config);
        let csrf = c.csrf().await;
        let r = c.import_members(&csrf, "", "大.csv", big.as_bytes()).await;
        assert_eq!(r.status, StatusCode::PAYLOAD_TOO_LARGE);
        assert!(r.text().contains("上传的文件超过"), "{}", r.text());
    }
);

contract_test!(axum_rejections_answer_in_chinese, |db: TestDb| async move {
    let f = fixture(&db).await;
    let mut api = api_client(&f.app, "dept").await;
    let r = api.get("/api/v1/ratings?year=abc").await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST);
    assert_eq!(r.json()["error"], "查询参数 year 应为整数", "{}", r.text());
    let r = api.get("/api/v1/ratings?page=99999999999999999999").await;
    assert_eq!(
        r.json()["error"],
        "查询参数 page 数值超出范围",
        "{}",
        r.text()
    );
    // An org in a path is an id, a code or an exact name (the extractor of every org
    // route): a word that names none is not found, said in Chinese with the word.
    let r = api.get("/api/v1/orgs/abc").await;
    assert_eq!(r.status, StatusCode::NOT_FOUND);
    let msg = r.json()["error"].as_str().unwrap_or("").to_string();
    assert!(msg.contains("找不到党组织“abc”"), "{msg}");
    let mut c = logged_in(&f.app, "dept").await;
    let r = c.get("/orgs/abc").await;
    assert_eq!(r.status, StatusCode::NOT_FOUND);
    let html = r.text();
    assert!(
        html.contains("找不到党组织“abc”") && html.contains("<html"),
        "{html}"
    );
    // A meeting's id is still a number.
    let r = api.get("/api/v1/meetings/abc").await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST);
    assert_eq!(r.json()["error"], "地址中的参数“abc”应为整数");
});

contract_test!(
    the_upload_limit_sizes_what_reading_an_upload_may_hold,
    |db: TestDb| async move {
        let f = fixture(&db).await;
        // 10,000 bytes of upload allow 1,000 cells (`UPLOAD_BYTES_PER_CELL`): a file of
        // 2,000 one-letter cells in 4,000 bytes is refused at the cap, before the
        // server holds them, though the process's own cap is 5,000,000 cells.
        let config = import_limited_to(10_000);
        assert_eq!(config.import_read_limits().max_cells, 1_000);
        let mut api = api_client(&f.app, "dept").await;
        api.router = jiceng_web::router_with(f.app.clone(), config);
        let tiny = format!("{MEMBER_HEADER}\n{}", "a,a,a,a,a,a,a,a,a,a\n".repeat(200));
        assert!(tiny.len() < 10_000);
        let r = api.post_bytes(MEMBERS_DRY_RUN, tiny.into_bytes()).await;
        let msg = refusal(&r);
        assert!(
            msg.contains("超出导入限制") && msg.contains("1000 个单元格"),
            "{msg}"
        );
    }
);

contract_test!(
    a_roster_wrong_everywhere_answers_a_bounded_report,
    |db: TestDb| async move {
        let f = fixture(&db).await;
        let mut api = api_client(&f.app, "dept").await;
        // 1,500 rows, each with an ID number that is not one, the first with a name of
        // 10,000 characters: the answer lists the first 1,000 errors and counts them all.
        let long = "长".repeat(10_000);
        let mut csv = format!("{MEMBER_HEADER}\n");
        for i in 0..1_500 {
            let name = if i == 0 { long.as_str() } else { "张三" };
            csv.push_str(&member_line(
                name,
                "男",
                "1970-03-15",
                "坏号",
                "B001",
                "",
                i,
            ));
            csv.push('\n');
        }
        let r = api.post_bytes(MEMBERS_DRY_RUN, csv.into_bytes()).await;
        assert_eq!(r.status, StatusCode::OK, "{}", r.text());
        let j = r.json();
        assert_eq!(j["rows"], 1_500);
        assert_eq!(j["valid"], 0);
        assert_eq!(j["errors_total"], 1_501);
        let errors = j["errors"].as_array().unwrap();
        assert_eq!(errors.len(), 1_000);
        assert_eq!(
            (&errors[1]["row"], &errors[1]["column"]),
            (&2.into(), &"姓名".into())
        );
        assert_eq!(errors[1]["message"], "「姓名」过长（10000字，最多50字）");
        assert_eq!(errors[999]["row"], 1_000);
        assert!(r.bytes.len() < 200_000, "{} bytes", r.bytes.len());
    }
);

contract_test!(
    a_stray_byte_in_a_utf8_upload_is_reported_where_it_is,
    |db: TestDb| async move {
        let f = fixture(&db).await;
        let mut api = api_client(&f.app, "dept").await;
        let mut bytes = b"\xEF\xBB\xBF".to_vec();
        bytes.extend_from_slice(format!("{MEMBER_HEADER}\n").as_bytes());
        bytes.extend_from_slice(b"\xD5\xC5\xC8\xFD,"); // 张三 in GBK
        bytes.extend_from_slice("男,汉族\n".as_bytes());
        let r = api.post_bytes(MEMBERS_DRY_RUN, bytes).await;
        let msg = refusal(&r);
        assert!(
            msg.starts_with("文件 上传文件.csv 第2行第1列含有无效的 UTF-8 字节"),
            "{msg}"
        );
    }
);

contract_test!(
    bodies_are_bounded_but_the_import_form_takes_its_upload,
    |db: TestDb| async move {
        let f = fixture(&db).await;
        let mut api = api_client(&f.app, "sec-a").await;
        // A meeting of 2 MB: over the general body limit, refused before it is parsed.
        let minutes = "记".repeat(700_000);
        let r = api
            .post_json(
                "/api/v1/meetings",
                serde_json::json!({ "org_id": f.orgs["B001"], "kind": "主题党日",
                    "date": "2026-06-01", "topic": "长", "expected": 5, "present": 5,
                    "minutes": minutes }),
            )
            .await;
        assert_eq!(r.status, StatusCode::PAYLOAD_TOO_LARGE, "{}", r.text());
        // Within the body limit but over the minutes' own: the field's message.
        let r = api
            .post_json(
                "/api/v1/meetings",
                serde_json::json!({ "org_id": f.orgs["B001"], "kind": "主题党日",
                    "date": "2026-06-01", "topic": "长", "expected": 5, "present": 5,
                    "minutes": "记".repeat(20_001) }),
            )
            .await;
        assert_eq!(r.status, StatusCode::BAD_REQUEST, "{}", r.text());
        assert_eq!(
            r.json()["error"],
            "「会议记录」过长（20001字，最多20000字）"
        );
        // The import form's upload of 1.5 MB is not the general limit's to refuse.
        let mut c = logged_in(&f.app, "sec-a").await;
        let csrf = c.csrf().await;
        let padded = format!("{MEMBER_HEADER}\n{}", ",,,\n".repeat(400_000));
        assert!(padded.len() > jiceng_web::BODY_LIMIT);
        let r = c
            .import_members(&csrf, "", "空行.csv", padded.as_bytes())
            .await;
        assert_ne!(r.status, StatusCode::PAYLOAD_TOO_LARGE, "{}", r.text());
        assert!(r.text().contains("空行.csv"), "{}", r.text());
        // A form field of the upload past its own small limit is refused.
        let r = c
            .post_multipart(
                "/import",
                &[
                    ("csrf", &csrf),
                    ("kind", "members"),
                    ("org", &"x".repeat(10_000)),
                ],
                ("a.csv", b"x\n"),
            )
            .await;
        assert_eq!(r.status, StatusCode::BAD_REQUEST);
        assert!(r.text().contains("过长"), "{}", r.text());
    }
);
