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
        assert_eq!(r.status, StatusCode::BAD_REQUEST, "{}", r.text());
        let msg = r.json()["error"].as_str().unwrap().to_string();
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
            .post_multipart(
                "/import",
                &[("csrf", &csrf), ("kind", "members"), ("org", "")],
                ("炸弹名册.xlsx", &far_corner_xlsx()),
            )
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
        let csv = format!(
            "{MEMBER_HEADER}\n{}\n",
            member_line(
                "冯唐",
                "男",
                "1992-02-02",
                &id_number("1992-02-02", 45),
                "B001",
                "",
                53
            )
        );
        let r = api
            .post_bytes(
                "/api/v1/imports/members?format=csv&dry_run=true",
                csv.into_bytes(),
            )
            .await;
        assert_eq!(r.status, StatusCode::OK, "{}", r.text());
        assert_eq!(r.json()["file"], "上传文件.csv");

        let mut c = logged_in(&f.app, "dept").await;
        let csrf = c.csrf().await;
        let r = c
            .post_multipart(
                "/import",
                &[("csrf", &csrf), ("kind", "members"), ("org", "")],
                ("C:\\桌面\\没有表头.csv", "甲,乙\n1,2\n".as_bytes()),
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
        let config = jiceng_web::WebConfig {
            import_max_bytes: Some(1024),
            ..Default::default()
        };
        let mut api = api_client(&f.app, "dept").await;
        api.router = jiceng_web::router_with(f.app.clone(), config.clone());
        let big = format!("{MEMBER_HEADER}\n{}", "x".repeat(2000));
        let r = api
            .post_bytes(
                "/api/v1/imports/members?format=csv&dry_run=true",
                big.clone().into_bytes(),
            )
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
        let r = c
            .post_multipart(
                "/import",
                &[("csrf", &csrf), ("kind", "members"), ("org", "")],
                ("大.csv", big.as_bytes()),
            )
            .await;
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
    let r = api.get("/api/v1/orgs/abc").await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST);
    assert_eq!(r.json()["error"], "地址中的参数“abc”应为整数");
    let mut c = logged_in(&f.app, "dept").await;
    let r = c.get("/orgs/abc").await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST);
    let html = r.text();
    assert!(
        html.contains("地址中的参数“abc”应为整数") && html.contains("<html"),
        "{html}"
    );
});
