//! Exports that reconcile, in process, on SQLite and PostgreSQL: the roster and unit
//! exports carry each row's org code and the org above it; the department's roster with
//! full ID numbers needs a reason, is recorded in the audit log (without the numbers), and
//! is refused to every other role.

mod common;

use axum::http::StatusCode;
use common::*;
use jiceng_store::contract_test;
use jiceng_store::testing::TestDb;

contract_test!(
    the_department_exports_full_ids_with_a_reason_and_a_trace,
    |db: TestDb| async move {
        let f = fixture(&db).await;
        let (c001, t001) = (f.orgs["C001"], f.orgs["T001"]);
        let mut c = logged_in(&f.app, "dept").await;
        let csrf = c.csrf().await;
        let full = id_number("1980-05-20", 12); // 李秀英 of 甲村 (B001, under T001)

        // The ordinary export: masked, with the hierarchy beside each row.
        let r = c.get(&format!("/members/export.xlsx?org={c001}")).await;
        assert_eq!(r.status, StatusCode::OK);
        let text = xlsx_text(&r.bytes);
        assert!(!text.contains(&full), "masked");
        for want in ["上级党组织", "B001", "甲镇党委", "T001"] {
            assert!(text.contains(want), "{want}: {text}");
        }

        // The roster filters by 人员类别 and gender, and its export follows the filter.
        let page = c
            .get(&format!("/members?org={c001}&gender=Female"))
            .await
            .text();
        assert!(
            page.contains("李秀英") && !page.contains("张建国"),
            "{page}"
        );
        assert!(
            page.contains("gender=Female"),
            "the pager and export keep it"
        );
        let page = c
            .get(&format!("/members?org={c001}&kind=lost"))
            .await
            .text();
        assert!(!page.contains("李秀英"), "nobody is 失联: {page}");
        let r = c
            .get(&format!("/members/export.xlsx?org={c001}&gender=Female"))
            .await;
        let text = xlsx_text(&r.bytes);
        assert!(
            text.contains("李秀英") && !text.contains("张建国"),
            "{text}"
        );

        // The roster page offers the full export to the department only.
        let page = c.get(&format!("/members?org={t001}")).await.text();
        assert!(page.contains("export-full-form"), "{page}");
        let path = format!("/members/export-full.xlsx?org={t001}");
        // Without a reason: refused, nothing recorded.
        let r = c
            .post_form(&path, &[("csrf", &csrf), ("reason", " ")])
            .await;
        assert_eq!(r.status, StatusCode::BAD_REQUEST, "{}", r.text());
        assert!(r.text().contains("请填写导出用途"), "{}", r.text());
        let r = c
            .post_form(
                &path,
                &[("csrf", &csrf), ("reason", "与全国党员管理信息系统核对")],
            )
            .await;
        assert_eq!(r.status, StatusCode::OK, "{}", r.text());
        let text = xlsx_text(&r.bytes);
        assert!(text.contains(&full), "the full number: {text}");
        assert!(
            text.contains("与全国党员管理信息系统核对"),
            "the reason in the title"
        );
        assert!(!text.contains("周丽"), "only T001's subtree: {text}");

        // The audit log has the export with its reason and count, never the number.
        let mut audit = logged_in(&f.app, "auditor").await;
        let log = audit.get("/audit").await.text();
        assert!(log.contains("导出含完整身份证号的名册"), "{log}");
        let r = audit.get("/audit/export.xlsx").await;
        assert_eq!(r.status, StatusCode::OK);
        let csv = xlsx_text(&r.bytes);
        assert!(csv.contains("与全国党员管理信息系统核对"), "{csv}");
        assert!(!csv.contains(&full), "never the number in the log");

        // Every other role: no form, 403.
        for who in ["committee", "sec-a", "inspector"] {
            let mut u = logged_in(&f.app, who).await;
            let page = u.get("/members").await.text();
            assert!(!page.contains("export-full-form"), "{who}");
            let t = u.csrf().await;
            let r = u
                .post_form(
                    "/members/export-full.xlsx",
                    &[("csrf", &t), ("reason", "与全国党员管理信息系统核对")],
                )
                .await;
            assert_eq!(r.status, StatusCode::FORBIDDEN, "{who}: {}", r.text());
        }
    }
);
