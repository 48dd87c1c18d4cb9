//! Hostile files: each is refused with a clear message naming the file (never its folder),
//! the place and the cap, without allocating what the file claims.

mod common;
mod hostile;

use common::Scratch;
use hostile::*;
use jiceng_io::{read_grid, read_grid_with, Cell, ReadError, ReadLimits};

fn write(scratch: &Scratch, name: &str, bytes: &[u8]) -> std::path::PathBuf {
    let p = scratch.path(name);
    std::fs::write(&p, bytes).unwrap();
    p
}

/// Why reading `bytes`, written to `name`, with `limits` is refused.
fn refused(scratch: &Scratch, name: &str, bytes: &[u8], limits: &ReadLimits) -> String {
    let err = read_grid_with(&write(scratch, name, bytes), limits).unwrap_err();
    err.to_string()
}

fn no_folder(err: &ReadError, scratch: &Scratch) {
    let text = err.to_string();
    assert!(
        !text.contains(&*scratch.dir.to_string_lossy()),
        "the message shows the folder: {text}"
    );
}

#[test]
fn far_corner_cell_is_refused_by_its_column() {
    let s = Scratch::new("corner");
    let p = write(&s, "名册.xlsx", &far_corner());
    let err = read_grid(&p).unwrap_err();
    let text = err.to_string();
    assert!(matches!(err, ReadError::Limit { .. }), "{err:?}");
    assert!(text.contains("名册.xlsx"), "{text}");
    assert!(text.contains("XFD1048576"), "{text}");
    assert!(text.contains("1024"), "the cap: {text}");
    no_folder(&err, &s);
}

#[test]
fn a_far_row_within_the_caps_costs_two_rows() {
    // A1 + Z400000: before, a dense range of 10 million cells (~600 MB).
    let s = Scratch::new("far-row");
    let bytes = workbook(
        Some("A1:Z400000"),
        &[
            row(1, &[cell("A1", "姓名")]),
            row(400_000, &[cell("Z400000", "x")]),
        ],
        None,
    );
    let grid = read_grid(&write(&s, "名册.xlsx", &bytes)).unwrap();
    let numbers: Vec<usize> = grid.rows.iter().map(|r| r.number).collect();
    assert_eq!(numbers, [1, 400_000]);
    assert_eq!(grid.rows[1].cells.len(), 26);
    assert_eq!(grid.rows[1].cells[25], Cell::Text("x".into()));
}

#[test]
fn rows_beyond_the_cap_are_refused_with_the_row() {
    let s = Scratch::new("rows");
    let bytes = workbook(
        None,
        &[
            row(1, &[cell("A1", "姓名")]),
            row(5001, &[cell("B5001", "x")]),
        ],
        None,
    );
    let limits = ReadLimits {
        max_rows: 5000,
        ..ReadLimits::DEFAULT
    };
    let text = refused(&s, "a.xlsx", &bytes, &limits);
    assert!(text.contains("第5001行") && text.contains("5000"), "{text}");
}

#[test]
fn hundred_thousand_columns_are_refused() {
    let s = Scratch::new("columns");
    // Column 100,000 is EQXD, beyond even Excel's XFD.
    let bytes = workbook(
        Some("A1:EQXD1"),
        &[row(1, &[cell("A1", "姓名"), cell("EQXD1", "x")])],
        None,
    );
    let err = read_grid(&write(&s, "宽.xlsx", &bytes)).unwrap_err();
    let text = err.to_string();
    assert!(
        text.contains("EQXD1") && text.contains("第100000列"),
        "{text}"
    );
}

#[test]
fn too_many_cells_by_rows_times_width() {
    let s = Scratch::new("cells");
    // One value per row, but one row is 500 columns wide: 100 rows × 500 = 50,000 cells.
    let mut rows = vec![row(1, &[cell("A1", "姓名"), cell("SF1", "宽")])];
    rows.extend((2..=100).map(|r| row(r, &[cell(&format!("A{r}"), "张三")])));
    let bytes = workbook(None, &rows, None);
    let limits = ReadLimits {
        max_cells: 40_000,
        ..ReadLimits::DEFAULT
    };
    let text = refused(&s, "a.xlsx", &bytes, &limits);
    assert!(
        text.contains("100 行 × 500 列") && text.contains("40000"),
        "{text}"
    );
    // Within the cap it reads.
    let limits = ReadLimits {
        max_cells: 50_000,
        ..ReadLimits::DEFAULT
    };
    assert_eq!(
        read_grid_with(&s.path("a.xlsx"), &limits)
            .unwrap()
            .rows
            .len(),
        100
    );
}

#[test]
fn wide_sparse_rows_are_refused_while_reading() {
    // Every row has one value in column 500: 500 cells held per row.
    let s = Scratch::new("sparse");
    let rows: Vec<String> = (1..=100)
        .map(|r| row(r, &[cell(&format!("SF{r}"), "x")]))
        .collect();
    let limits = ReadLimits {
        max_cells: 40_000,
        ..ReadLimits::DEFAULT
    };
    let text = refused(&s, "a.xlsx", &workbook(None, &rows, None), &limits);
    assert!(text.contains("SF81") && text.contains("40000"), "{text}");
}

#[test]
fn a_cell_longer_than_the_cap_is_refused_with_its_place() {
    let s = Scratch::new("chars");
    let long = "党".repeat(101);
    let bytes = workbook(
        None,
        &[row(1, &[cell("A1", "姓名")]), row(2, &[cell("A2", &long)])],
        None,
    );
    let limits = ReadLimits {
        max_cell_chars: 100,
        ..ReadLimits::DEFAULT
    };
    let text = refused(&s, "a.xlsx", &bytes, &limits);
    assert!(
        text.contains("A2") && text.contains("101") && text.contains("100"),
        "{text}"
    );

    let csv = format!("姓名,备注\n张三,{long}\n");
    let text = refused(&s, "a.csv", csv.as_bytes(), &limits);
    assert!(
        text.contains("第2行第2列") && text.contains("101"),
        "{text}"
    );
}

#[test]
fn text_total_is_capped() {
    let s = Scratch::new("text");
    let rows: Vec<String> = (1..=50)
        .map(|r| row(r, &[cell(&format!("A{r}"), &"x".repeat(100))]))
        .collect();
    let limits = ReadLimits {
        max_text_bytes: 4000,
        ..ReadLimits::DEFAULT
    };
    let text = refused(&s, "a.xlsx", &workbook(None, &rows, None), &limits);
    assert!(text.contains("文字总量"), "{text}");
}

#[test]
fn a_million_shared_strings_are_refused() {
    let s = Scratch::new("sst");
    let rows = [row(1, &[cell("A1", "姓名")])];
    let bytes = workbook(None, &rows, Some(&shared_strings(1_048_576, 1_048_576)));
    let err = read_grid(&write(&s, "a.xlsx", &bytes)).unwrap_err();
    assert!(matches!(err, ReadError::Limit { .. }), "{err:?}");
    assert!(err.to_string().contains("共享字符串"), "{err}");
    // Held but not declared: counted.
    let limits = ReadLimits {
        max_shared_strings: 1000,
        ..ReadLimits::DEFAULT
    };
    let bytes = workbook(None, &rows, Some(&shared_strings(10, 1001)));
    let text = refused(&s, "b.xlsx", &bytes, &limits);
    assert!(text.contains("共享字符串超过 1000"), "{text}");
    // Declared but not held: calamine would reserve the claim (an abort at this size).
    let bytes = workbook(None, &rows, Some(&shared_strings(999_999_999_999, 1)));
    let err = read_grid(&write(&s, "c.xlsx", &bytes)).unwrap_err();
    assert!(err.to_string().contains("999999999999"), "{err}");
}

#[test]
fn zip_bomb_is_refused_while_inflating() {
    let s = Scratch::new("zipbomb");
    // 1 GiB of spaces in the sheet XML: a file of about a megabyte.
    let bytes = inflating_workbook(&[b' '; 1 << 20], 1024);
    assert!(bytes.len() < 4 << 20, "{}", bytes.len());
    let err = read_grid(&write(&s, "炸弹.xlsx", &bytes)).unwrap_err();
    assert!(matches!(err, ReadError::Limit { .. }), "{err:?}");
    assert!(err.to_string().contains("炸弹.xlsx"), "{err}");

    // Short tags instead of one long run: stopped by the inflated-size cap, whether the
    // zip declares its sizes honestly or not.
    let bytes = inflating_workbook(&b"<x/>".repeat(1 << 18), 64); // 64 MiB
    let limits = ReadLimits {
        max_unzipped_bytes: 8 << 20,
        ..ReadLimits::DEFAULT
    };
    let text = refused(&s, "b.xlsx", &bytes, &limits);
    assert!(text.contains("解压后共 64.0 MB 以上"), "{text}");
    let err = read_grid_with(&write(&s, "c.xlsx", &lying_sizes(bytes)), &limits).unwrap_err();
    assert!(!matches!(err, ReadError::Empty { .. }), "{err:?}");
    eprintln!("lying sizes: {err}");
}

#[test]
fn truncated_and_renamed_files_say_what_they_are() {
    let s = Scratch::new("renamed");
    let good = small_roster();
    assert_eq!(
        read_grid(&write(&s, "好.xlsx", &good)).unwrap().rows.len(),
        3
    );
    for cut in [good.len() / 3, good.len() / 2, good.len() - 10] {
        let err = read_grid(&write(&s, "断.xlsx", &good[..cut])).unwrap_err();
        assert!(matches!(err, ReadError::Open { .. }), "{err:?}");
        assert!(err.to_string().contains("断.xlsx"), "{err}");
    }
    let not_excel: [(&str, &[u8]); 3] = [
        (
            "csv.xlsx",
            "姓名,公民身份号码\n张三,11010519491231002X\n".as_bytes(),
        ),
        (
            "pdf.xlsx",
            b"%PDF-1.7\n%\xE2\xE3\xCF\xD3\n1 0 obj<<>>endobj\n",
        ),
        (
            "random.xlsx",
            &[0x13, 0x37, 0x00, 0xFF, 0x42, 0x99, 0x01, 0x02],
        ),
    ];
    for (name, bytes) in not_excel {
        let err = read_grid(&write(&s, name, bytes)).unwrap_err();
        let text = err.to_string();
        assert!(
            text.contains("不是 Excel 工作簿") && text.contains(name),
            "{text}"
        );
        no_folder(&err, &s);
    }
}

#[test]
fn bom_utf8_csv_with_a_stray_byte_names_the_row() {
    let s = Scratch::new("bom");
    let mut bytes = b"\xEF\xBB\xBF\xE5\xA7\x93\xE5\x90\x8D\n\xE5\xBC\xA0\xE4\xB8\x89\n".to_vec();
    bytes.extend_from_slice(b"\xD5\xC5\xC8\xFD\n"); // 张三 in GBK on line 3
    let err = read_grid(&write(&s, "名单.csv", &bytes)).unwrap_err();
    let text = err.to_string();
    assert!(matches!(err, ReadError::Encoding { row: 3, .. }), "{err:?}");
    assert!(
        text.contains("名单.csv") && text.contains("第3行") && text.contains("UTF-8"),
        "{text}"
    );
    // Without the BOM the same bytes are GB18030, as before.
    let gbk = b"\xD0\xD5\xC3\xFB\n\xD5\xC5\xC8\xFD\n";
    let grid = read_grid(&write(&s, "gbk.csv", gbk)).unwrap();
    assert_eq!(grid.rows[1].cells[0], Cell::Text("张三".into()));
}

#[test]
fn the_file_size_is_capped() {
    let s = Scratch::new("size");
    let limits = ReadLimits {
        max_file_bytes: 1000,
        ..ReadLimits::DEFAULT
    };
    let csv = "姓名\n".to_string() + &"张三\n".repeat(200);
    let text = refused(&s, "a.csv", csv.as_bytes(), &limits);
    assert!(text.contains("文件大小"), "{text}");
}
