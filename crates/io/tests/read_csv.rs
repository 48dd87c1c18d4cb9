//! Reading CSV files in the encodings offices actually produce.

mod common;

use common::{row, t, Scratch};
use jiceng_io::{locate_header, parse_date, read_grid, Cell, ColumnSpec, ReadError};

const ROSTER: &str = "党员花名册,,,\n\
姓名,性别,出生日期,身份证号\n\
张　三 ,男,1985.3.12,11010519491231002x\n\
\n\
李四,女,１９８５年３月１２日,110105194912310029\n\
, , ,\n\
\"王\n五\",男,1985/03/12\n\
赵六,女,19850312,110105194912310045,多余\n";

fn check_roster(grid: &jiceng_io::Grid) {
    let numbers: Vec<usize> = grid.rows.iter().map(|r| r.number).collect();
    // Line 4 is blank and record 6 has only separators and spaces: both dropped but
    // counted. The quoted name spanning two lines is one row, as Excel shows it.
    assert_eq!(numbers, vec![1, 2, 3, 5, 7, 8]);
    assert_eq!(
        row(grid, 1).cells,
        vec![t("党员花名册"), Cell::Empty, Cell::Empty, Cell::Empty]
    );
    assert_eq!(
        row(grid, 2).cells,
        vec![t("姓名"), t("性别"), t("出生日期"), t("身份证号")]
    );
    let r3 = row(grid, 3);
    assert_eq!(r3.cells[0], t("张 三"));
    assert_eq!(r3.cells[3], t("11010519491231002x"));
    assert_eq!(row(grid, 5).cells[2], t("1985年3月12日"));
    // Ragged records: short and long rows are kept as they are.
    assert_eq!(
        row(grid, 7).cells,
        vec![t("王 五"), t("男"), t("1985/03/12")]
    );
    assert_eq!(row(grid, 8).cells.len(), 5);
    for number in [3, 5, 7, 8] {
        let date = parse_date(&row(grid, number).cells[2]).unwrap();
        assert_eq!(date.to_string(), "1985-03-12", "row {number}");
    }

    let specs = [
        ColumnSpec {
            name: "姓名",
            aliases: &[],
            required: true,
        },
        ColumnSpec {
            name: "身份证号",
            aliases: &["公民身份号码"],
            required: true,
        },
        ColumnSpec {
            name: "出生日期",
            aliases: &[],
            required: false,
        },
    ];
    let m = locate_header(grid, &specs).unwrap();
    assert_eq!(m.header_index, 1);
    assert_eq!(m.columns, vec![Some(0), Some(3), Some(2)]);
}

#[test]
fn utf8_with_bom() {
    let scratch = Scratch::new("csv-bom");
    let path = scratch.path("名册.csv");
    let mut bytes = b"\xEF\xBB\xBF".to_vec();
    bytes.extend_from_slice(ROSTER.as_bytes());
    std::fs::write(&path, bytes).unwrap();
    let grid = read_grid(&path).unwrap();
    assert_eq!(grid.sheet, "csv");
    check_roster(&grid);
}

#[test]
fn utf8_without_bom_and_crlf() {
    let scratch = Scratch::new("csv-crlf");
    let path = scratch.path("名册.CSV");
    std::fs::write(&path, ROSTER.replace('\n', "\r\n")).unwrap();
    let grid = read_grid(&path).unwrap();
    // The quoted field keeps its CRLF, which normalisation turns into one space.
    check_roster(&grid);
}

#[test]
fn gbk() {
    let scratch = Scratch::new("csv-gbk");
    let path = scratch.path("名册.csv");
    let (bytes, _, unmappable) = encoding_rs::GBK.encode(ROSTER);
    assert!(!unmappable);
    assert!(
        std::str::from_utf8(&bytes).is_err(),
        "the fixture must not be UTF-8"
    );
    std::fs::write(&path, &bytes).unwrap();
    let grid = read_grid(&path).unwrap();
    check_roster(&grid);
}

#[test]
fn gb18030_only_characters() {
    // 𠀀 (U+20000) and € exist in GB18030 but not in GBK's two-byte set.
    let scratch = Scratch::new("csv-gb18030");
    let path = scratch.path("名册.csv");
    let text = "姓名,备注\n王𠀀,€\n";
    let (bytes, _, unmappable) = encoding_rs::GB18030.encode(text);
    assert!(!unmappable);
    std::fs::write(&path, &bytes).unwrap();
    let grid = read_grid(&path).unwrap();
    assert_eq!(grid.rows[1].cells, vec![t("王𠀀"), t("€")]);
}

#[test]
fn utf16_tab_separated() {
    // Excel's "Unicode text" export: UTF-16LE with BOM, tab-separated.
    let scratch = Scratch::new("csv-utf16");
    let path = scratch.path("名册.csv");
    let text = "姓名\t性别\n张三\t男\n";
    let mut bytes = vec![0xFF, 0xFE];
    for unit in text.encode_utf16() {
        bytes.extend_from_slice(&unit.to_le_bytes());
    }
    std::fs::write(&path, &bytes).unwrap();
    let grid = read_grid(&path).unwrap();
    assert_eq!(grid.rows[0].cells, vec![t("姓名"), t("性别")]);
    assert_eq!(grid.rows[1].cells, vec![t("张三"), t("男")]);
}

#[test]
fn leading_blank_lines_count() {
    let scratch = Scratch::new("csv-leading");
    let path = scratch.path("a.csv");
    std::fs::write(&path, "\n\n姓名,性别\n\n\n张三,男").unwrap();
    let grid = read_grid(&path).unwrap();
    let numbers: Vec<usize> = grid.rows.iter().map(|r| r.number).collect();
    assert_eq!(numbers, vec![3, 6]);
}

#[test]
fn empty_and_blank_csv() {
    let scratch = Scratch::new("csv-empty");
    for (name, content) in [
        ("empty.csv", ""),
        ("blank.csv", "\n , ,\n\u{3000}\n"),
        ("bom.csv", "\u{FEFF}"),
    ] {
        let path = scratch.path(name);
        std::fs::write(&path, content).unwrap();
        let err = read_grid(&path).unwrap_err();
        assert!(matches!(err, ReadError::Empty { .. }), "{name}: {err:?}");
    }
}
