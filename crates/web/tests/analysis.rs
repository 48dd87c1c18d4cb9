//! 分析研判报告 in process, on SQLite and PostgreSQL: the committee reads its township's
//! report as a page (the four sections, the charts' SVG inline, the link to the Word file)
//! and downloads the .docx; a branch secretary reads his own branch's; another branch or
//! a township out of scope is not found; a member is refused.

mod common;

use axum::http::StatusCode;
use common::{fixture, logged_in};
use jiceng_store::contract_test;
use jiceng_store::testing::TestDb;

contract_test!(
    the_analysis_report_as_a_page_and_a_word_file,
    |db: TestDb| async move {
        let f = fixture(&db).await;
        let (t001, t002, b001, b002) = (
            f.orgs["T001"],
            f.orgs["T002"],
            f.orgs["B001"],
            f.orgs["B002"],
        );
        let mut c = logged_in(&f.app, "committee").await;
        let r = c.get(&format!("/orgs/{t001}/analysis?period=2026")).await;
        assert_eq!(r.status, StatusCode::OK, "{}", r.text());
        let page = r.text();
        for want in [
            "甲镇党委2026年度基层党建工作分析研判报告",
            "一、基本情况",
            "二、主要做法和成效",
            "三、存在的问题",
            "四、下一步工作建议",
            "附件1",
            "<svg",
            "图1",
            &format!("/orgs/{t001}/analysis.docx?period=2026"),
        ] {
            assert!(page.contains(want), "{want}: {page}");
        }
        let r = c
            .get(&format!("/orgs/{t001}/analysis.docx?period=2026H2"))
            .await;
        assert_eq!(r.status, StatusCode::OK);
        assert!(r.headers["content-type"]
            .to_str()
            .unwrap()
            .contains("wordprocessingml"));
        let xml = jiceng_io::docx::document_xml(&r.bytes).expect("a .docx package");
        assert!(
            xml.contains("2026年下半年基层党建工作分析研判报告"),
            "{xml}"
        );
        assert_eq!(
            c.get(&format!("/orgs/{t001}/analysis?period=2026Q5"))
                .await
                .status,
            StatusCode::BAD_REQUEST
        );
        // Out of scope: another township.
        assert_eq!(
            c.get(&format!("/orgs/{t002}/analysis")).await.status,
            StatusCode::NOT_FOUND
        );
        assert_eq!(
            c.get(&format!("/orgs/{t002}/analysis.docx")).await.status,
            StatusCode::NOT_FOUND
        );
        // A branch secretary: his own branch, not the next one.
        let mut a = logged_in(&f.app, "sec-a").await;
        assert_eq!(
            a.get(&format!("/orgs/{b001}/analysis?period=2026"))
                .await
                .status,
            StatusCode::OK
        );
        assert_eq!(
            a.get(&format!("/orgs/{b002}/analysis?period=2026"))
                .await
                .status,
            StatusCode::NOT_FOUND
        );
        assert_eq!(
            a.get(&format!("/orgs/{b002}/analysis.docx?period=2026"))
                .await
                .status,
            StatusCode::NOT_FOUND
        );
        // A member reads no org's figures.
        let mut m = logged_in(&f.app, "member").await;
        let s = m.get(&format!("/orgs/{b001}/analysis")).await.status;
        assert!(
            s == StatusCode::FORBIDDEN || s == StatusCode::NOT_FOUND,
            "{s}"
        );
    }
);
