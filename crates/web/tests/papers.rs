//! Papers to print and file, in process, on SQLite and PostgreSQL: a meeting's record with
//! its sign-in sheet (a line per member of the roster, blank lines when only counts were
//! recorded), a branch's register of the year, a rectification file; each as an A4 page and
//! as a .docx with the same text; out of scope is not found.

mod common;

use axum::http::StatusCode;
use common::{api_client, fixture, logged_in};
use jiceng_store::contract_test;
use jiceng_store::testing::TestDb;
use serde_json::json;

fn docx_text(bytes: &[u8]) -> String {
    jiceng_io::docx::document_xml(bytes).expect("a .docx package")
}

contract_test!(
    meetings_registers_and_rectification_files_print_and_download,
    |db: TestDb| async move {
        let f = fixture(&db).await;
        let (b001, b002) = (f.orgs["B001"], f.orgs["B002"]);
        let mut a = logged_in(&f.app, "sec-a").await;
        let csrf = a.csrf().await;
        // A theme day with its roster: four present, one excused with a reason.
        let r = common::record_b001(
            &mut a,
            &f,
            &csrf,
            &[
                ("kind", "ThemeDay"),
                ("date", "2026-06-15"),
                ("topic", "学习党章主题党日"),
                ("venue", "村党群服务中心"),
                ("host", "张建国"),
                ("minutes", "一、集中学习党章\n二、交流发言"),
            ],
            &[("刘洋", "excused", "外出务工")],
        )
        .await;
        assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.text());
        let to = r.location().unwrap();
        let id: i64 = to
            .trim_start_matches("/meetings/")
            .split('?')
            .next()
            .unwrap()
            .parse()
            .unwrap();

        // The meeting page links to its paper; the paper has the facts and the sheet.
        let page = a.get(&format!("/meetings/{id}")).await.text();
        assert!(page.contains("meeting-print") && page.contains("meeting-docx"));
        let r = a.get(&format!("/meetings/{id}/print")).await;
        assert_eq!(r.status, StatusCode::OK, "{}", r.text());
        let page = r.text();
        for want in [
            "甲村党支部主题党日记录",
            "地　　点：村党群服务中心",
            "应到5人，实到4人，请假1人",
            "请假人员：刘洋（外出务工）</p>",
            "一、集中学习党章",
            "签到表",
            "本人签名",
            "李秀英",
        ] {
            assert!(page.contains(want), "{want}: {page}");
        }
        let r = a.get(&format!("/meetings/{id}/record.docx")).await;
        assert_eq!(r.status, StatusCode::OK);
        assert!(r.headers["content-type"]
            .to_str()
            .unwrap()
            .contains("wordprocessingml"));
        let xml = docx_text(&r.bytes);
        for want in [
            "甲村党支部主题党日记录",
            "刘洋（外出务工）",
            "本人签名",
            "赵敏",
        ] {
            assert!(xml.contains(want), "{want}");
        }
        // Five members on the sheet, one row each, under the header.
        assert_eq!(
            xml.matches("<w:tr>").count() + xml.matches("<w:tr ").count(),
            6
        );

        // A meeting recorded by counts: blank lines to sign by hand, as many as expected.
        let mut api = api_client(&f.app, "sec-a").await;
        let r = api
            .post_json(
                "/api/v1/meetings",
                json!({"org_id": b001, "kind": "PartyLecture", "date": "2026-06-20",
                       "topic": "研究发展党员工作", "expected": 3, "present": 3, "excused": 0}),
            )
            .await;
        assert_eq!(r.status, StatusCode::CREATED, "{}", r.text());
        let counted = r.json()["id"].as_i64().unwrap();
        let xml = docx_text(
            &a.get(&format!("/meetings/{counted}/record.docx"))
                .await
                .bytes,
        );
        assert_eq!(
            xml.matches("<w:tr>").count() + xml.matches("<w:tr ").count(),
            4
        );

        // The branch's register of the year, oldest first, both meetings.
        let page = a.get(&format!("/orgs/{b001}/life")).await.text();
        assert!(page.contains("register-print"), "{page}");
        let r = a
            .get(&format!("/orgs/{b001}/life/register?year=2026"))
            .await;
        assert_eq!(r.status, StatusCode::OK, "{}", r.text());
        let page = r.text();
        assert!(
            page.contains("甲村党支部2026年度“三会一课”记录台账"),
            "{page}"
        );
        let (first, second) = (
            page.find("学习党章主题党日").unwrap(),
            page.find("研究发展党员工作").unwrap(),
        );
        assert!(first < second, "oldest first");
        assert!(page.contains("共记录会议2次"), "{page}");
        let r = a
            .get(&format!("/orgs/{b001}/life/register?year=2026&format=docx"))
            .await;
        assert!(docx_text(&r.bytes).contains("研究发展党员工作"));
        // A year not begun is refused.
        let r = a
            .get(&format!("/orgs/{b001}/life/register?year=2030"))
            .await;
        assert_eq!(r.status, StatusCode::BAD_REQUEST);

        // Another branch's secretary finds none of it.
        let mut b = logged_in(&f.app, "sec-b").await;
        assert_eq!(
            b.get(&format!("/meetings/{id}/print")).await.status,
            StatusCode::NOT_FOUND
        );
        assert_eq!(
            b.get(&format!("/meetings/{id}/record.docx")).await.status,
            StatusCode::NOT_FOUND
        );
        assert_eq!(
            b.get(&format!("/orgs/{b001}/life/register")).await.status,
            StatusCode::NOT_FOUND
        );

        // A rectification file: 乙村 has held nothing since its records began (散); the
        // department confirms it, plans a measure, and prints the file.
        {
            let mut c = db.store.acquire().await.unwrap();
            jiceng_store::history::set_records_from(
                &mut c,
                b002,
                Some(chrono::NaiveDate::from_ymd_opt(2025, 1, 1).unwrap()),
            )
            .await
            .unwrap();
        }
        let mut d = logged_in(&f.app, "dept").await;
        let dcsrf = d.csrf().await;
        assert_eq!(
            d.get(&format!("/orgs/{b002}/rectification/file?year=2026"))
                .await
                .status,
            StatusCode::SEE_OTHER,
            "no case yet: the case page says so"
        );
        let r = d
            .post_form(
                &format!("/orgs/{b002}/weak/decide"),
                &[
                    ("csrf", &dcsrf),
                    ("year", "2026"),
                    ("kind", "Disunity"),
                    ("decision", "confirm"),
                    ("reason", "半年未开展组织生活"),
                ],
            )
            .await;
        assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.text());
        let r = d
            .post_form(
                &format!("/orgs/{b002}/rectification/plan"),
                &[
                    ("csrf", &dcsrf),
                    ("year", "2026"),
                    ("text", "每月按期召开支部党员大会"),
                    ("owner", "陈静"),
                    ("deadline", "2026-09-30"),
                ],
            )
            .await;
        assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.text());
        let case = d
            .get(&format!("/orgs/{b002}/rectification?year=2026"))
            .await
            .text();
        assert!(case.contains("file-print") && case.contains("file-docx"));
        let page = d
            .get(&format!("/orgs/{b002}/rectification/file?year=2026"))
            .await
            .text();
        for want in [
            "乙村党支部2026年度软弱涣散整顿台账",
            "散（组织涣散）",
            "每月按期召开支部党员大会",
            "陈静",
            "半年未开展组织生活",
            "县委组织部意见",
        ] {
            assert!(page.contains(want), "{want}: {page}");
        }
        let xml = docx_text(
            &d.get(&format!(
                "/orgs/{b002}/rectification/file?year=2026&format=docx"
            ))
            .await
            .bytes,
        );
        assert!(xml.contains("每月按期召开支部党员大会") && xml.contains("半年未开展组织生活"));
    }
);
