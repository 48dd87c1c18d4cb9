//! 导入模板 (issue #16, point 5): every import offers an .xlsx to fill, whose header the
//! import itself finds (every column, no row of data to delete first), with a 填写说明 sheet
//! listing the aliases.

mod common;

use axum::http::StatusCode;
use common::*;
use jiceng_store::contract_test;
use jiceng_store::testing::TestDb;

const KINDS: [&str; 10] = [
    "orgs",
    "members",
    "units",
    "meetings",
    "recruitment",
    "transfers",
    "dues",
    "training",
    "requests",
    "pairing",
];

fn specs(kind: &str) -> &'static [jiceng_io::ColumnSpec] {
    use jiceng_app::import;
    match kind {
        "orgs" => &import::orgs::COLUMNS,
        "members" => &import::members::COLUMNS,
        "units" => &import::units::COLUMNS,
        "meetings" => &import::meetings::COLUMNS,
        "recruitment" => &import::recruitment::COLUMNS,
        "transfers" => &import::transfers::COLUMNS,
        "dues" => &import::dues::COLUMNS,
        "requests" => &import::requests::COLUMNS,
        "pairing" => &import::pairing::COLUMNS,
        _ => &import::training::COLUMNS,
    }
}

contract_test!(
    every_import_has_a_template_it_reads_itself,
    |db: TestDb| async move {
        let f = fixture(&db).await;
        let mut c = logged_in(&f.app, "committee").await;
        let page = c.get("/import").await.text();
        for kind in KINDS {
            assert!(
                page.contains(&format!("href=\"/import/template/{kind}.xlsx\"")),
                "{kind}"
            );
            let r = c.get(&format!("/import/template/{kind}.xlsx")).await;
            assert_eq!(r.status, StatusCode::OK, "{kind}");
            let path = f.dir.file(&format!("{kind}-template.xlsx"));
            std::fs::write(&path, &r.bytes).unwrap();
            let grid = jiceng_io::read_grid(&path).unwrap();
            let specs = specs(kind);
            let found = jiceng_io::locate_header(&grid, specs).unwrap();
            assert!(
                found.columns.iter().all(Option::is_some),
                "{kind}: every column of the template is found"
            );
            assert_eq!(
                grid.rows.len(),
                found.header_index + 1,
                "{kind}: no example row to delete before importing"
            );
        }
        assert_eq!(
            c.get("/import/template/nothing.xlsx").await.status,
            StatusCode::NOT_FOUND
        );
        // A secretary may download them too (it imports its branch's ledgers).
        let mut sec = logged_in(&f.app, "sec-a").await;
        assert_eq!(
            sec.get("/import/template/meetings.xlsx").await.status,
            StatusCode::OK
        );
    }
);

contract_test!(an_empty_file_is_named_as_empty, |db: TestDb| async move {
    let f = fixture(&db).await;
    let mut c = logged_in(&f.app, "committee").await;
    let csrf = c.csrf().await;
    let r = c.import_members(&csrf, "T001", "党员名册.xlsx", b"").await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST);
    let text = r.text();
    assert!(text.contains("文件“党员名册.xlsx”是空的"), "{text}");
});

contract_test!(
    an_error_names_the_person_of_its_row,
    |db: TestDb| async move {
        let f = fixture(&db).await;
        let mut c = logged_in(&f.app, "committee").await;
        let csrf = c.csrf().await;
        let bad = member_line(
            "钱多",
            "男",
            "1997-01-02",
            "37083019970102123X",
            "乙村党支部",
            "",
            61,
        );
        let csv = format!("{MEMBER_HEADER}\n{bad}\n");
        let r = c
            .import_members(&csrf, "T001", "新党员.csv", csv.as_bytes())
            .await;
        let text = r.text();
        let table = &text[text.find("import-error-table").expect("an error table")..];
        assert!(table.contains("<td>钱多</td>"), "{table}");
        assert!(
            text.contains("新党员.csv") && !text.contains("/tmp/"),
            "the user's file, not the server's"
        );
    }
);
