//! Reading CSV files in the encodings offices actually produce.

mod common;

use common::{row, spec, t, Scratch};
use jiceng_io::{locate_header, parse_date, read_grid, Cell, ReadError};

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
        spec("姓名", &[], true),
        spec("身份证号", &["公民身份号码"], true),
        spec("出生日期", &[], false),
    ];
    let m = locate_header(grid, &specs).unwrap();
    assert_eq!(m.header_index, 1);
    assert_eq!(m.columns, vec![Some(0), Some(3), Some(2)]);
}

#[test]
fn utf8_with_bom() {
    let mut bytes = b"\xEF\xBB\xBF".to_vec();
    bytes.extend_from_slice(ROSTER.as_bytes());
    let grid = read_bytes("名册.csv", &bytes).unwrap();
    assert_eq!(grid.sheet, "csv");
    check_roster(&grid);
}

#[test]
fn utf8_without_bom_and_crlf() {
    let grid = read_bytes("名册.CSV", ROSTER.replace('\n', "\r\n").as_bytes()).unwrap();
    // The quoted field keeps its CRLF, which normalisation turns into one space.
    check_roster(&grid);
}

#[test]
fn gbk() {
    let (bytes, _, unmappable) = encoding_rs::GBK.encode(ROSTER);
    assert!(!unmappable);
    assert!(
        std::str::from_utf8(&bytes).is_err(),
        "the fixture must not be UTF-8"
    );
    let grid = read_bytes("名册.csv", &bytes).unwrap();
    check_roster(&grid);
}

#[test]
fn gb18030_only_characters() {
    // 𠀀 (U+20000) and € exist in GB18030 but not in GBK's two-byte set.
    let text = "姓名,备注\n王𠀀,€\n";
    let (bytes, _, unmappable) = encoding_rs::GB18030.encode(text);
    assert!(!unmappable);
    let grid = read_bytes("名册.csv", &bytes).unwrap();
    assert_eq!(grid.rows[1].cells, vec![t("王𠀀"), t("€")]);
}

#[test]
fn utf16_tab_separated() {
    // Excel's "Unicode text" export: UTF-16LE with BOM, tab-separated.
    let text = "姓名\t性别\n张三\t男\n";
    let mut bytes = vec![0xFF, 0xFE];
    for unit in text.encode_utf16() {
        bytes.extend_from_slice(&unit.to_le_bytes());
    }
    let grid = read_bytes("名册.csv", &bytes).unwrap();
    assert_eq!(grid.rows[0].cells, vec![t("姓名"), t("性别")]);
    assert_eq!(grid.rows[1].cells, vec![t("张三"), t("男")]);
}

#[test]
fn leading_blank_lines_count() {
    let grid = read_bytes("a.csv", "\n\n姓名,性别\n\n\n张三,男".as_bytes()).unwrap();
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

/// Reads `bytes` as `name` in a scratch folder.
fn read_bytes(name: &str, bytes: &[u8]) -> Result<jiceng_io::Grid, ReadError> {
    let scratch = Scratch::new("csv-enc");
    let path = scratch.path(name);
    std::fs::write(&path, bytes).unwrap();
    read_grid(&path)
}

/// A roster in UTF-8 whose row 3, column 2 holds 张三 in GBK (D5C5 C8FD), as when a name
/// is pasted from an older file.
fn roster_with_a_gbk_name(bom: bool) -> Vec<u8> {
    let mut bytes = if bom {
        b"\xEF\xBB\xBF".to_vec()
    } else {
        vec![]
    };
    bytes.extend_from_slice("姓名,性别,民族,所在党支部\n李四,女,汉族,东村党支部\n".as_bytes());
    bytes.extend_from_slice("王五,".as_bytes());
    bytes.extend_from_slice(b"\xD5\xC5\xC8\xFD");
    bytes.extend_from_slice(",汉族,东村党支部\n".as_bytes());
    bytes
}

#[test]
fn a_stray_byte_in_a_bom_utf8_file_is_reported_with_row_and_column() {
    let err = read_bytes("名单.csv", &roster_with_a_gbk_name(true)).unwrap_err();
    assert!(matches!(err, ReadError::Encoding { row: 3, .. }), "{err:?}");
    let text = err.to_string();
    assert!(
        text.starts_with("文件 名单.csv 第3行第2列含有无效的 UTF-8 字节"),
        "{text}"
    );
    assert!(!text.contains('\u{FFFD}'), "{text}");
}

#[test]
fn a_stray_byte_in_a_utf8_file_without_bom_is_reported_too() {
    // Once decoded whole as GB18030: mojibake, then 找不到表头行 with no word of encodings.
    let err = read_bytes("名单.csv", &roster_with_a_gbk_name(false)).unwrap_err();
    assert!(
        err.to_string()
            .starts_with("文件 名单.csv 第3行第2列含有无效的 UTF-8 字节"),
        "{err}"
    );
}

#[test]
fn the_position_follows_quotes_and_separators() {
    // A quoted field spanning two lines is one row; the comma inside quotes is no column.
    let mut bytes = "\u{FEFF}姓名,备注,民族\n\"王\n五\",\"甲,乙\","
        .as_bytes()
        .to_vec();
    bytes.push(0xFF);
    bytes.extend_from_slice(b"\n");
    let err = read_bytes("a.csv", &bytes).unwrap_err();
    assert!(err.to_string().contains("第2行第3列"), "{err}");
    // Tab-separated, the bad byte first on its line.
    let mut bytes = "姓名\t民族\n张三\t汉族\n".as_bytes().to_vec();
    bytes.extend_from_slice(b"\xFFabc\t1\n");
    let err = read_bytes("b.csv", &bytes).unwrap_err();
    assert!(err.to_string().contains("第3行第1列"), "{err}");
}

#[test]
fn bytes_that_are_neither_utf8_nor_gbk_are_refused_not_replaced() {
    // ASCII with one byte that no encoding the reader knows makes text of.
    let err = read_bytes("x.csv", b"name,sex\nab\xFFc,m\n").unwrap_err();
    let text = err.to_string();
    assert!(
        text.contains("第2行第1列") && text.contains("GBK"),
        "{text}"
    );
    // A UTF-16 file with an unpaired surrogate.
    let mut bytes = vec![0xFF, 0xFE];
    for unit in "姓名\t性别\n张".encode_utf16() {
        bytes.extend_from_slice(&unit.to_le_bytes());
    }
    bytes.extend_from_slice(&0xD800u16.to_le_bytes());
    bytes.extend_from_slice(&u16::from(b'\n').to_le_bytes());
    let err = read_bytes("u.csv", &bytes).unwrap_err();
    assert!(err.to_string().contains("第2行第1列"), "{err}");
}

#[test]
fn gbk_with_the_odd_valid_utf8_sequence_is_still_gbk() {
    // In GBK, 洹啊 is E4 A1 B0 A1, and E4 A1 B0 happens to be valid UTF-8 (䡰): a GBK roster
    // makes such sequences now and then, and must still read as GBK, not as UTF-8 with
    // stray bytes.
    let (probe, _, _) = encoding_rs::GBK.encode("洹啊");
    assert!(
        std::str::from_utf8(&probe[..3]).is_ok(),
        "the fixture needs the sequence"
    );
    let text = "姓名,性别,出生日期,身份证号,工作岗位\n".to_string()
        + &"洹啊明,男,1985-03-12,11010519491231002X,镇政府干部\n".repeat(50);
    let (bytes, _, unmappable) = encoding_rs::GBK.encode(&text);
    assert!(!unmappable);
    let grid = read_bytes("g.csv", &bytes).unwrap();
    assert_eq!(grid.rows[1].cells[0], t("洹啊明"));
    assert_eq!(grid.rows[50].cells[4], t("镇政府干部"));
}
