//! 群众诉求台账 and 结对共建台账 imported from real .xlsx files on SQLite and PostgreSQL
//! (issue #18 point 6): a bad row — an org unknown or outside the importer's subtree, a
//! date that is none, 办结日期 without 办理结果, an end before the start — refuses the whole
//! file with its row and column named and nothing written; a good file imports, the
//! requester encrypted as the record form does and kept out of the audit log; imported
//! again nothing doubles (an open request the file now gives as resolved is resolved, an
//! open pairing it gives an end is ended).

mod common;

use common::*;
use jiceng_app::access::{Actor, Role};
use jiceng_app::import::{self, ImportOptions, ImportReport, NoProgress};
use jiceng_app::mass_requests::{self, Shown};
use jiceng_app::App;
use jiceng_store::contract_test;
use jiceng_store::testing::TestDb;

fn staff(org: &jiceng_app::OrgRecord, role: Role, name: &str) -> Actor {
    Actor::for_test(12, name, role).at(org.org.id, &org.path)
}

async fn opts_of(app: &App, code: &str, role: Role) -> ImportOptions {
    let home = sys_org(app, code).await;
    let actor = staff(&home, role, "zuzhi");
    let home = org(app, &actor, code).await.unwrap();
    ImportOptions {
        org: Some(home),
        actor,
        ..ImportOptions::default()
    }
}

async fn count(app: &App, table: &str) -> i64 {
    let mut conn = app.store().acquire().await.unwrap();
    sqlx::query_scalar(&format!("SELECT COUNT(*) FROM {table}"))
        .fetch_one(&mut *conn)
        .await
        .unwrap()
}

async fn requests(app: &App, file: &std::path::Path, opts: &ImportOptions) -> ImportReport {
    import::requests::run(app, file, opts, &NoProgress)
        .await
        .unwrap()
}

async fn pairings(app: &App, file: &std::path::Path, opts: &ImportOptions) -> ImportReport {
    import::pairing::run(app, file, opts, &NoProgress)
        .await
        .unwrap()
}

const REQUEST_HEADER: [&str; 12] = [
    "编号",
    "受理日期",
    "渠道",
    "类别",
    "诉求内容",
    "诉求人姓名",
    "联系电话",
    "承办组织",
    "承办人",
    "办结日期",
    "办理结果",
    "群众评价",
];

/// A request row: number, day received, content, assigned org, and the resolution
/// (day, result, feedback) when done.
fn request_row(no: &str, on: C, content: &str, org: &str, done: [&str; 3]) -> Option<Vec<C>> {
    let [day, result, feedback] = done;
    Some(vec![
        s(no),
        on,
        s("走访"),
        s("基础设施"),
        s(content),
        s(""),
        s(""),
        s(org),
        s("王村委"),
        s(day),
        s(result),
        s(feedback),
    ])
}

const OPEN: [&str; 3] = ["", "", ""];

contract_test!(
    a_requests_register_imports_all_or_nothing_and_never_doubles,
    |db: TestDb| async move {
        let app = on(&db, "2026-12-05");
        let dir = Dir::new("requests-import");
        load_township(&app, &dir, false).await;
        let opts = opts_of(&app, "T001", Role::Committee).await;
        let title = "测试镇群众诉求台账";

        let bad = dir.file("诉求台账-错.xlsx");
        xlsx(
            &bad,
            title,
            &REQUEST_HEADER,
            &[
                request_row("2026-001", C::D(2026, 11, 2), "村道积水", "T002", OPEN),
                request_row(
                    "2026-002",
                    C::D(2026, 11, 3),
                    "路灯不亮",
                    "北村党支部",
                    OPEN,
                ),
                request_row("2026-003", s("2026-13-40"), "垃圾清运", "T003", OPEN),
                request_row(
                    "2026-004",
                    C::D(2026, 11, 4),
                    "医保报销咨询",
                    "T004",
                    ["2026-11-20", "", "满意"],
                ),
                request_row("2026-001", C::D(2026, 11, 5), "重复编号", "T004", OPEN),
            ],
        );
        let r = requests(&app, &bad, &opts).await;
        assert!(!r.ok());
        assert_eq!(r.file, "诉求台账-错.xlsx");
        assert_errors(
            &r,
            &[
                (4, "承办组织"),
                (5, "受理日期"),
                (6, "办理结果"),
                (7, "编号"),
            ],
            &[
                (0, "找不到党组织"),
                (2, "请填写办理结果"),
                (3, "与第3行重复"),
            ],
        );
        assert_eq!(r.written, 0);
        assert_eq!(count(&app, "mass_request").await, 0, "nothing written");

        // Out of the importer's subtree: 东村's committee may not assign to 西村.
        let east = opts_of(&app, "T002", Role::Committee).await;
        let outside = dir.file("东村诉求台账.xlsx");
        xlsx(
            &outside,
            title,
            &REQUEST_HEADER,
            &[
                request_row("", C::D(2026, 11, 2), "村道积水", "T006", OPEN),
                request_row("", C::D(2026, 11, 2), "水渠堵塞", "T003", OPEN),
            ],
        );
        let r = requests(&app, &outside, &east).await;
        assert_errors(&r, &[(4, "承办组织")], &[(0, "找不到党组织“T003”")]);
        assert_eq!(count(&app, "mass_request").await, 0, "nothing written");

        // A good register: one with the requester's contact and resolved, two open.
        let mut with_contact = request_row(
            "2026-001",
            C::D(2026, 11, 2),
            "村道积水，请求修补",
            "东村党支部",
            ["2026-11-12", "已修补路面", "满意"],
        )
        .unwrap();
        with_contact[5] = s("赵某某");
        with_contact[6] = C::N(13_900_001_111.0);
        let good_rows = |resolved: bool| {
            let done = |r: [&'static str; 3]| if resolved { r } else { OPEN };
            vec![
                Some(with_contact.clone()),
                request_row(
                    "2026-002",
                    C::D(2026, 11, 3),
                    "路灯不亮",
                    "T004",
                    done(["2026-11-30", "已更换灯具", "基本满意"]),
                ),
                request_row(
                    "",
                    C::D(2026, 11, 4),
                    "医保报销咨询",
                    "T006",
                    done(["2026-11-06", "已解答", ""]),
                ),
            ]
        };
        let good = dir.file("诉求台账.xlsx");
        xlsx(&good, title, &REQUEST_HEADER, &good_rows(false));
        let r = requests(&app, &good, &opts).await;
        assert!(r.ok(), "{:?}", r.errors);
        assert_eq!((r.written, r.unchanged), (3, 0));
        let home = opts.org.clone().unwrap();
        let l = mass_requests::list(&app, &home, Shown::All, None)
            .await
            .unwrap();
        assert_eq!((l.counts.received, l.counts.resolved), (3, 1));
        let first = l
            .requests
            .iter()
            .find(|m| m.content.starts_with("村道积水"))
            .unwrap();
        assert_eq!(first.by_org_name, "测试镇党委");
        assert_eq!(first.org.code, "T002");
        assert_eq!(
            first.feedback,
            Some(jiceng_domain::mass_request::Feedback::Satisfied)
        );
        assert_eq!(first.days, 10);
        // The requester: encrypted as the form stores it, masked on the request's page.
        let shown = mass_requests::get(&app, &home, first.id).await.unwrap();
        let masked = jiceng_domain::mass_request::mask_name("赵某某");
        assert_eq!(shown.requester.as_deref(), Some(masked.as_str()));
        assert!(shown
            .phone
            .as_deref()
            .is_some_and(|p| !p.contains("00001111")));
        let mut conn = app.store().acquire().await.unwrap();
        let stored = jiceng_store::requests::get(&mut conn, &jiceng_store::Scope::All, first.id)
            .await
            .unwrap()
            .unwrap();
        drop(conn);
        let cipher = stored.name_cipher.clone().unwrap();
        assert!(!cipher.contains("赵"));
        assert_eq!(app.crypto.decrypt_text(&cipher).unwrap(), "赵某某");
        assert_eq!(stored.register_no.as_deref(), Some("2026-001"));

        // Imported again: nothing doubles.
        let r = requests(&app, &good, &opts).await;
        assert!(r.ok(), "{:?}", r.errors);
        assert_eq!((r.written, r.unchanged), (0, 3));
        assert_eq!(count(&app, "mass_request").await, 3);
        // The register a month on: the two open ones are now resolved.
        let later = dir.file("诉求台账-12月.xlsx");
        xlsx(&later, title, &REQUEST_HEADER, &good_rows(true));
        let r = requests(&app, &later, &opts).await;
        assert!(r.ok(), "{:?}", r.errors);
        assert_eq!((r.written, r.unchanged), (2, 1));
        assert_eq!(count(&app, "mass_request").await, 3);
        let l = mass_requests::list(&app, &home, Shown::All, None)
            .await
            .unwrap();
        assert_eq!((l.counts.received, l.counts.resolved), (3, 3));

        // Audited once per import that wrote, without the requester.
        let log = audit_log(&app).await;
        let imports: Vec<_> = log
            .iter()
            .filter(|e| e.action == "import")
            .filter(|e| e.after.as_ref().is_some_and(|a| a["kind"] == "requests"))
            .collect();
        assert_eq!(imports.len(), 3, "{imports:?}");
        let text = format!("{log:?}");
        for secret in ["赵某某", "13900001111"] {
            assert!(!text.contains(secret), "{secret} in the audit log");
        }
        // The template opens with the columns the import reads.
        let bytes = import::template::workbook("群众诉求台账", &import::requests::COLUMNS).unwrap();
        let path = dir.file("模板.xlsx");
        std::fs::write(&path, bytes).unwrap();
        let grid = jiceng_io::read_grid(&path).unwrap();
        let found = jiceng_io::locate_header(&grid, &import::requests::COLUMNS).unwrap();
        assert!(found.columns.iter().all(Option::is_some));
    }
);

const PAIRING_HEADER: [&str; 6] = [
    "结对类型",
    "支持方",
    "受援组织",
    "共建内容",
    "开始日期",
    "结束日期",
];

fn pairing_row(kind: &str, partner: &str, org: &str, since: C, until: &str) -> Option<Vec<C>> {
    Some(vec![
        s(kind),
        s(partner),
        s(org),
        s("帮建村级活动场所，每季度开展一次联学"),
        since,
        s(until),
    ])
}

contract_test!(
    a_pairing_register_imports_all_or_nothing_and_never_doubles,
    |db: TestDb| async move {
        let app = on(&db, "2026-12-05");
        let dir = Dir::new("pairing-import");
        load_township(&app, &dir, false).await;
        let opts = opts_of(&app, "T001", Role::Committee).await;
        let title = "测试镇结对共建台账";

        let bad = dir.file("结对台账-错.xlsx");
        xlsx(
            &bad,
            title,
            &PAIRING_HEADER,
            &[
                pairing_row("部门包村", "县农业农村局", "T002", C::D(2026, 3, 1), ""),
                pairing_row(
                    "企业联村",
                    "某某食品有限公司",
                    "北村党支部",
                    C::D(2026, 3, 1),
                    "",
                ),
                pairing_row("村居共建", "T005", "T006", s("2026年3月32日"), ""),
                pairing_row(
                    "部门包村",
                    "县交通局",
                    "T004",
                    C::D(2026, 3, 1),
                    "2026-01-01",
                ),
                pairing_row("乱结对", "县交通局", "T004", C::D(2026, 3, 1), ""),
                pairing_row("村居共建", "T006", "T006", C::D(2026, 3, 1), ""),
            ],
        );
        let r = pairings(&app, &bad, &opts).await;
        assert_errors(
            &r,
            &[
                (4, "受援组织"),
                (5, "开始日期"),
                (6, "结束日期"),
                (7, "结对类型"),
                (8, "支持方"),
            ],
            &[
                (0, "找不到党组织"),
                (2, "早于开始日期"),
                (3, "无法识别的结对类型"),
                (4, "同一个党组织"),
            ],
        );
        assert_eq!(r.written, 0);
        assert_eq!(count(&app, "pairing").await, 0, "nothing written");

        // Out of the importer's subtree.
        let east = opts_of(&app, "T002", Role::Committee).await;
        let outside = dir.file("东村结对台账.xlsx");
        xlsx(
            &outside,
            title,
            &PAIRING_HEADER,
            &[pairing_row(
                "部门包村",
                "县交通局",
                "T004",
                C::D(2026, 3, 1),
                "",
            )],
        );
        let r = pairings(&app, &outside, &east).await;
        assert_errors(&r, &[(3, "受援组织")], &[(0, "找不到党组织“T004”")]);
        assert_eq!(count(&app, "pairing").await, 0, "nothing written");

        let rows = |ended: &'static str| {
            vec![
                pairing_row("部门包村", "县农业农村局", "T002", C::D(2026, 3, 1), ""),
                pairing_row(
                    "企业联村",
                    "某某食品有限公司",
                    "西村第一党支部",
                    C::D(2026, 4, 1),
                    "",
                ),
                pairing_row("村居共建", "T005", "T006", C::D(2026, 5, 1), ended),
            ]
        };
        let good = dir.file("结对台账.xlsx");
        xlsx(&good, title, &PAIRING_HEADER, &rows(""));
        let r = pairings(&app, &good, &opts).await;
        assert!(r.ok(), "{:?}", r.errors);
        assert_eq!((r.written, r.unchanged), (3, 0));
        let home = opts.org.clone().unwrap();
        let o = jiceng_app::pairing::overview(&app, &home, None)
            .await
            .unwrap();
        assert_eq!(o.total, 3);
        let partnered = o
            .pairings
            .iter()
            .find(|p| p.kind == jiceng_domain::pairing::PairingKind::VillageCommunity)
            .unwrap();
        assert_eq!(partnered.partner_name, "镇机关党支部");
        assert_eq!(partnered.partner_org_id, Some(org_id(&app, "T005").await));
        // Imported again: nothing doubles; an end given later ends the open pairing.
        let r = pairings(&app, &good, &opts).await;
        assert_eq!((r.written, r.unchanged), (0, 3));
        let ended = dir.file("结对台账-结束.xlsx");
        xlsx(&ended, title, &PAIRING_HEADER, &rows("2026-11-30"));
        let r = pairings(&app, &ended, &opts).await;
        assert!(r.ok(), "{:?}", r.errors);
        assert_eq!((r.written, r.unchanged), (1, 2));
        assert_eq!(count(&app, "pairing").await, 3);
        let o = jiceng_app::pairing::overview(&app, &home, None)
            .await
            .unwrap();
        assert_eq!(o.total, 2, "the ended pairing no longer holds today");
        let imports = audit_log(&app)
            .await
            .into_iter()
            .filter(|e| e.action == "import")
            .filter(|e| e.after.as_ref().is_some_and(|a| a["kind"] == "pairing"))
            .count();
        assert_eq!(imports, 3);
    }
);
