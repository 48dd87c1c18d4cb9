//! Writing workbooks and reading them back.

mod common;

use std::io::Cursor;

use calamine::{Data, Reader, Xlsx};
use common::{d, n, row, spec, t, Scratch};
use jiceng_io::xlsx::workbook_bytes;
use jiceng_io::{locate_header, read_grid, write_workbook, Cell, OutCell, Sheet};

fn report() -> Sheet {
    Sheet {
        name: "统计/汇总[2024]".to_string(),
        title: "城关镇党员统计表（截至2024年6月30日）".to_string(),
        headers: vec![
            "党组织名称".to_string(),
            "党员数".to_string(),
            "女党员占比".to_string(),
            "平均年龄".to_string(),
            "换届日期".to_string(),
            "备注".to_string(),
        ],
        rows: vec![
            vec![
                OutCell::Text("城关镇第一党支部".to_string()),
                OutCell::Int(24),
                OutCell::Percent(0.416),
                OutCell::Float(52.5),
                OutCell::Date(d(2021, 7, 1)),
                OutCell::Empty,
            ],
            vec![
                OutCell::Text("城关镇机关党支部（含离退休干部）".repeat(3)),
                OutCell::Int(-3),
                OutCell::Percent(1.0),
                OutCell::Float(f64::NAN),
                OutCell::Date(d(1899, 1, 1)),
                OutCell::Text("超长".to_string()),
            ],
            // A short row.
            vec![OutCell::Text("合计".to_string()), OutCell::Int(21)],
        ],
    }
}

#[test]
fn write_then_read_back() {
    let scratch = Scratch::new("roundtrip");
    let path = scratch.path("统计表.xlsx");
    let other = Sheet {
        name: "第二页".to_string(),
        title: "另一张表".to_string(),
        headers: vec![],
        rows: vec![],
    };
    write_workbook(&path, &[report(), other]).unwrap();

    let grid = read_grid(&path).unwrap();
    assert_eq!(grid.sheet, "统计_汇总_2024_");
    let numbers: Vec<usize> = grid.rows.iter().map(|r| r.number).collect();
    assert_eq!(numbers, vec![1, 2, 3, 4, 5]);

    // The title is merged across the header's columns.
    let title = row(&grid, 1);
    assert_eq!(title.cells.len(), 6);
    assert!(title
        .cells
        .iter()
        .all(|c| *c == t("城关镇党员统计表(截至2024年6月30日)")));

    assert_eq!(row(&grid, 2).cells[2], t("女党员占比"));
    let r3 = &row(&grid, 3).cells;
    assert_eq!(r3[0], t("城关镇第一党支部"));
    assert_eq!(r3[1], n(24.0));
    assert_eq!(r3[2], n(0.416), "percent is a number, not a date");
    assert_eq!(r3[3], n(52.5));
    assert_eq!(r3[4], Cell::Date(d(2021, 7, 1)));
    assert_eq!(r3[5], Cell::Empty);
    let r4 = &row(&grid, 4).cells;
    assert_eq!(r4[1], n(-3.0));
    assert_eq!(r4[2], n(1.0));
    assert_eq!(r4[3], Cell::Empty, "NaN is written blank");
    assert_eq!(r4[4], t("1899-01-01"), "no Excel serial before 1900: text");
    assert_eq!(row(&grid, 5).cells[..2], [t("合计"), n(21.0)]);

    let specs = [spec("党组织名称", &[], true), spec("党员数", &[], true)];
    let m = locate_header(&grid, &specs).unwrap();
    assert_eq!(m.header_index, 1);
}

#[test]
fn bytes_are_a_real_workbook() {
    let bytes = workbook_bytes(&[report()]).unwrap();
    assert!(bytes.starts_with(b"PK\x03\x04"));
    let mut wb = Xlsx::new(Cursor::new(bytes)).unwrap();
    assert_eq!(wb.sheet_names(), vec!["统计_汇总_2024_".to_string()]);
    let name = wb.sheet_names()[0].clone();
    let range = wb.worksheet_range(&name).unwrap();
    assert_eq!(range.start(), Some((0, 0)));
    assert_eq!(
        range.get_value((1, 0)),
        Some(&Data::String("党组织名称".to_string()))
    );
    match range.get_value((2, 4)) {
        Some(Data::DateTime(dt)) => assert_eq!(dt.as_f64(), 44378.0),
        other => panic!("expected a date cell, got {other:?}"),
    }
    let merged = wb.merge_cells_by_sheet_name(&name).unwrap();
    assert_eq!(merged.len(), 1);
    assert_eq!((merged[0].start, merged[0].end), ((0, 0), (0, 5)));
}

#[test]
fn sheet_names_are_cut_cleaned_and_unique() {
    let long = "党".repeat(40);
    let sheets: Vec<Sheet> = [long.as_str(), long.as_str(), "a?b", ""]
        .iter()
        .map(|name| Sheet {
            name: name.to_string(),
            title: "表".to_string(),
            headers: vec!["列".to_string()],
            rows: vec![vec![OutCell::Int(1)]],
        })
        .collect();
    let bytes = workbook_bytes(&sheets).unwrap();
    let wb = Xlsx::new(Cursor::new(bytes)).unwrap();
    let names = wb.sheet_names();
    assert_eq!(names.len(), 4);
    assert_eq!(names[0], "党".repeat(31));
    assert_eq!(names[1], format!("{}(2)", "党".repeat(28)));
    assert_eq!(names[2], "a_b");
    assert_eq!(names[3], "Sheet4");
}

#[test]
fn single_column_and_empty_sheets() {
    let scratch = Scratch::new("single");
    let path = scratch.path("one.xlsx");
    let sheet = Sheet {
        name: "名单".to_string(),
        title: "名单".to_string(),
        headers: vec!["姓名".to_string()],
        rows: vec![vec![OutCell::Text("张三".to_string())]],
    };
    write_workbook(&path, &[sheet]).unwrap();
    let grid = read_grid(&path).unwrap();
    assert_eq!(grid.rows.len(), 3);
    assert_eq!(grid.rows[0].cells, vec![t("名单")]);

    let bare = Sheet {
        name: "空".to_string(),
        title: String::new(),
        headers: vec![],
        rows: vec![],
    };
    assert!(workbook_bytes(&[bare]).is_ok());
    assert!(workbook_bytes(&[]).is_ok());
}

#[test]
fn unwritable_path_is_an_error() {
    let scratch = Scratch::new("unwritable");
    let path = scratch.path("no/such/dir/x.xlsx");
    let err = write_workbook(&path, &[report()]).unwrap_err();
    assert!(err.contains("无法保存工作簿"), "{err}");
}

#[test]
fn styles_as_calamine_sees_them() {
    let bytes = workbook_bytes(&[report()]).unwrap();
    let mut wb = Xlsx::new(Cursor::new(bytes)).unwrap();
    let name = wb.sheet_names()[0].clone();
    let styles = wb.worksheet_style(&name).unwrap();

    let title = styles.get((0, 0)).expect("title style");
    let font = title.font.as_ref().expect("title font");
    assert!(font.is_bold());
    assert_eq!(font.size, Some(16.0));

    let header = styles.get((1, 2)).expect("header style");
    assert!(header.font.as_ref().is_some_and(|f| f.is_bold()));
    assert!(header.fill.is_some());
    assert!(header.borders.is_some());

    let format_of = |pos| {
        styles
            .get(pos)
            .and_then(|s| s.number_format.as_ref())
            .map(|f| f.format_code.clone())
    };
    assert_eq!(format_of((2, 2)).as_deref(), Some("0.0%"));
    assert_eq!(format_of((2, 4)).as_deref(), Some("yyyy-mm-dd"));
}

/// The worksheet XML: frozen below the header, column widths from the content.
#[test]
fn freeze_panes_and_column_widths() {
    use std::io::Read;

    let bytes = workbook_bytes(&[report()]).unwrap();
    let mut zip = zip::ZipArchive::new(Cursor::new(bytes)).unwrap();
    let mut xml = String::new();
    zip.by_name("xl/worksheets/sheet1.xml")
        .unwrap()
        .read_to_string(&mut xml)
        .unwrap();

    assert!(xml.contains(r#"topLeftCell="A3""#), "{xml}");
    assert!(xml.contains(r#"state="frozen""#), "{xml}");
    assert!(xml.contains(r#"ySplit="2""#), "{xml}");

    // <col min="1" max="1" width="50.7109375" customWidth="1"/>, one per column.
    let widths: Vec<f64> = xml
        .split("<col ")
        .skip(1)
        .map(|c| {
            let w = c.split("width=\"").nth(1).unwrap();
            w[..w.find('"').unwrap()].parse().unwrap()
        })
        .collect();
    assert_eq!(widths.len(), 6, "{xml}");
    // Excel stores the width plus padding (~0.71); compare whole characters.
    let chars: Vec<u32> = widths.iter().map(|w| w.floor() as u32).collect();
    // Column 1: a very long Chinese name → capped at 50.
    assert_eq!(chars[0], 50);
    // Column 2: "党员数" is 6 wide + 2 → 8 (the minimum anyway).
    assert_eq!(chars[1], 8);
    // Column 3: "女党员占比" is 10 wide + 2.
    assert_eq!(chars[2], 12);
    // Column 5: a date is 10 wide + 2.
    assert_eq!(chars[4], 12);
}
