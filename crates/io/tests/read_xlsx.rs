//! Reading real .xlsx files built at test time with rust_xlsxwriter.

mod common;

use common::{d, n, row, spec, t, titles, Scratch};
use jiceng_io::{locate_header, parse_date, parse_int, read_grid, Cell, ReadError};
use rust_xlsxwriter::{ExcelDateTime, Format, Workbook};

const TITLE: &str = "城关镇第一党支部党员花名册";

/// The workbook `build` makes, saved as `name` in a scratch folder and read back.
fn read_built(name: &str, build: impl FnOnce(&mut Workbook)) -> Result<jiceng_io::Grid, ReadError> {
    let scratch = Scratch::new("built");
    let path = scratch.path(name);
    let mut wb = Workbook::new();
    build(&mut wb);
    wb.save(&path).unwrap();
    read_grid(&path)
}

/// A roster the way counties send them: a merged title, a note row, a header with notes
/// in brackets, dates typed every which way, a vertically merged branch column, blank
/// rows in the middle.
fn roster_fixture(path: &std::path::Path) {
    let mut wb = Workbook::new();
    let ws = wb.add_worksheet();
    ws.set_name("花名册").unwrap();
    let date_fmt = Format::new().set_num_format("yyyy-mm-dd");
    let datetime_fmt = Format::new().set_num_format("yyyy-mm-dd hh:mm");
    let plain = Format::new();

    ws.merge_range(0, 0, 0, 7, TITLE, &plain).unwrap();
    ws.write_string(1, 0, "填报单位：城关镇党委    填报日期：2024年6月")
        .unwrap();
    let headers = [
        "序号",
        "姓 名",
        "性别*",
        "出生日期(yyyy-mm-dd)",
        "公民身份号码",
        "入党时间（必填）",
        "所在支部",
        "人数",
    ];
    for (c, h) in headers.iter().enumerate() {
        ws.write_string(2, c as u16, *h).unwrap();
    }

    // Excel row 4
    ws.write_number(3, 0, 1).unwrap();
    ws.write_string(3, 1, "  张　三 ").unwrap();
    ws.write_string(3, 2, "男").unwrap();
    let birth = ExcelDateTime::from_ymd(1985, 3, 12).unwrap();
    ws.write_datetime_with_format(3, 3, &birth, &date_fmt)
        .unwrap();
    ws.write_string(3, 4, "11010519491231002x").unwrap();
    ws.write_string(3, 5, "2010.7.1").unwrap();
    ws.merge_range(3, 6, 5, 6, "第一支部", &plain).unwrap();
    ws.write_string(3, 7, "１２人").unwrap();

    // Excel row 5: the birth date as a bare serial number.
    ws.write_number(4, 0, 2).unwrap();
    ws.write_string(4, 1, "李四").unwrap();
    ws.write_string(4, 2, "女").unwrap();
    ws.write_number(4, 3, 31118).unwrap();
    ws.write_string(4, 4, "110105194912310029").unwrap();
    ws.write_string(4, 5, "2010年7月1日").unwrap();
    ws.write_number(4, 7, 12).unwrap();

    // Excel row 6: a date-time.
    ws.write_number(5, 0, 3).unwrap();
    ws.write_string(5, 1, "王五").unwrap();
    ws.write_string(5, 2, "男").unwrap();
    let with_time = ExcelDateTime::parse_from_str("1985-03-12 08:30:00").unwrap();
    ws.write_datetime_with_format(5, 3, &with_time, &datetime_fmt)
        .unwrap();
    ws.write_string(5, 4, "11010519491231003X").unwrap();
    ws.write_string(5, 5, "2010/07/01").unwrap();
    ws.write_string(5, 7, "1,200").unwrap();

    // Excel row 7: nothing. Excel row 8: only whitespace.
    ws.write_string(7, 1, "   ").unwrap();
    ws.write_string(7, 3, "\u{3000}\u{00A0}").unwrap();

    // Excel row 9 and 10: text dates.
    ws.write_number(8, 0, 4).unwrap();
    ws.write_string(8, 1, "赵六").unwrap();
    ws.write_string(8, 3, "19850312").unwrap();
    ws.write_string(8, 5, "2010-07-01 00:00:00").unwrap();
    ws.write_string(8, 6, "第二支部").unwrap();
    ws.write_boolean(8, 7, true).unwrap();

    ws.write_number(9, 0, 5).unwrap();
    ws.write_string(9, 1, "钱七").unwrap();
    ws.write_string(9, 3, "１９８５．３．１２").unwrap();
    ws.write_string(9, 5, "2010.7").unwrap();

    wb.save(path).unwrap();
}

#[test]
fn roster_rows_numbers_and_values() {
    let scratch = Scratch::new("roster");
    let path = scratch.path("花名册.xlsx");
    roster_fixture(&path);
    let grid = read_grid(&path).unwrap();

    assert_eq!(grid.sheet, "花名册");
    assert_eq!(
        grid.file,
        path.file_name().unwrap().to_str().unwrap(),
        "the file name only"
    );
    let numbers: Vec<usize> = grid.rows.iter().map(|r| r.number).collect();
    assert_eq!(numbers, vec![1, 2, 3, 4, 5, 6, 9, 10]);

    // The merged title fills every cell of its region.
    let title = row(&grid, 1);
    assert_eq!(title.cells.len(), 8);
    assert!(title.cells.iter().all(|c| *c == t(TITLE)), "{title:?}");

    // The note row is not merged: only column A.
    let note = row(&grid, 2);
    assert_eq!(
        note.cells[0],
        t("填报单位:城关镇党委 填报日期:2024年6月"),
        "full-width colon folded"
    );
    assert!(note.cells[1..].iter().all(|c| *c == Cell::Empty));

    let header = row(&grid, 3);
    assert_eq!(header.cells[1], t("姓 名"));
    assert_eq!(header.cells[5], t("入党时间(必填)"));

    let r4 = row(&grid, 4);
    assert_eq!(r4.cells[0], n(1.0));
    assert_eq!(r4.cells[1], t("张 三"));
    assert_eq!(r4.cells[3], Cell::Date(d(1985, 3, 12)));
    assert_eq!(r4.cells[4], t("11010519491231002x"));
    assert_eq!(r4.cells[6], t("第一支部"));
    assert_eq!(r4.cells[7], t("12人"));
    assert_eq!(parse_int(&r4.cells[7]), Ok(12));

    let r5 = row(&grid, 5);
    assert_eq!(r5.cells[3], n(31118.0));
    assert_eq!(r5.cells[6], t("第一支部"), "vertically merged");
    assert_eq!(r5.cells[7], n(12.0));

    let r6 = row(&grid, 6);
    assert_eq!(r6.cells[3], Cell::Date(d(1985, 3, 12)), "time dropped");
    assert_eq!(r6.cells[4], t("11010519491231003X"));
    assert_eq!(r6.cells[6], t("第一支部"), "vertically merged");
    assert_eq!(parse_int(&r6.cells[7]), Ok(1200));

    let r9 = row(&grid, 9);
    assert_eq!(r9.cells[6], t("第二支部"));
    assert_eq!(r9.cells[7], Cell::Bool(true));
    assert_eq!(r9.cells[2], Cell::Empty);

    let r10 = row(&grid, 10);
    assert_eq!(r10.cells[3], t("1985.3.12"), "full-width folded");

    // Every birth date and join date parses.
    for r in &grid.rows[3..] {
        assert_eq!(
            parse_date(&r.cells[3]),
            Ok(d(1985, 3, 12)),
            "row {}",
            r.number
        );
        assert_eq!(
            parse_date(&r.cells[5]),
            Ok(d(2010, 7, 1)),
            "row {}",
            r.number
        );
    }
}

#[test]
fn roster_header_is_found_below_the_title() {
    let scratch = Scratch::new("roster-header");
    let path = scratch.path("roster.xlsx");
    roster_fixture(&path);
    let grid = read_grid(&path).unwrap();
    let specs = [
        spec("姓名", &[], true),
        spec("身份证号", &["公民身份号码", "身份证号码"], true),
        spec("出生日期", &["出生年月"], false),
        spec("入党时间", &["入党日期"], true),
        spec("性别", &[], false),
        spec("学历", &[], false),
    ];
    let m = locate_header(&grid, &specs).unwrap();
    assert_eq!(m.header_index, 2);
    assert_eq!(grid.rows[m.header_index].number, 3);
    assert_eq!(
        m.columns,
        vec![Some(1), Some(4), Some(3), Some(5), Some(2), None]
    );
    assert_eq!(
        m.titles,
        titles(&[
            Some("姓 名"),
            Some("公民身份号码"),
            Some("出生日期(yyyy-mm-dd)"),
            Some("入党时间(必填)"),
            Some("性别*"),
            None,
        ])
    );
}

/// Text dates in every shape rosters use, one per row, plus merged blocks.
#[test]
fn text_dates_in_all_formats() {
    let cases: &[(&str, (i32, u32, u32))] = &[
        ("1985.3.12", (1985, 3, 12)),
        ("1985.03.12", (1985, 3, 12)),
        ("1985年3月12日", (1985, 3, 12)),
        ("1985年3月12", (1985, 3, 12)),
        ("1985/03/12", (1985, 3, 12)),
        ("1985/3/12", (1985, 3, 12)),
        ("1985-3-12", (1985, 3, 12)),
        ("1985-03-12 00:00:00", (1985, 3, 12)),
        ("19850312", (1985, 3, 12)),
        ("1985.3", (1985, 3, 1)),
        ("1985年3月", (1985, 3, 1)),
        ("1985-03", (1985, 3, 1)),
        ("1985.3.12.", (1985, 3, 12)),
        (" 1985 . 3 . 12 ", (1985, 3, 12)),
        ("１９８５年３月１２日", (1985, 3, 12)),
        ("1985\u{00A0}年3月12日", (1985, 3, 12)),
    ];
    let grid = read_built("dates.XLSX", |wb| {
        let ws = wb.add_worksheet();
        ws.write_string(0, 0, "日期").unwrap();
        ws.write_string(0, 3, "备注").unwrap();
        for (i, (text, _)) in cases.iter().enumerate() {
            ws.write_string(i as u32 + 1, 0, *text).unwrap();
        }
        // A 2x2 merged block to the right.
        ws.merge_range(1, 2, 2, 3, "合并", &Format::new()).unwrap();
    })
    .unwrap();
    assert_eq!(grid.rows.len(), cases.len() + 1);
    for (i, (text, (y, m, day))) in cases.iter().enumerate() {
        let r = &grid.rows[i + 1];
        assert_eq!(r.number, i + 2);
        assert_eq!(parse_date(&r.cells[0]), Ok(d(*y, *m, *day)), "{text:?}");
    }
    for r in &grid.rows[1..3] {
        assert_eq!(r.cells[2], t("合并"));
        assert_eq!(r.cells[3], t("合并"));
    }
    assert_eq!(grid.rows[3].cells.get(2), Some(&Cell::Empty));
}

/// A merged region reaching past the last column that holds any value is cut at that
/// column (nothing in the cut part could belong to a data column).
#[test]
fn merged_region_beyond_the_used_range_is_clipped() {
    let grid = read_built("clip.xlsx", |wb| {
        let ws = wb.add_worksheet();
        ws.merge_range(0, 0, 0, 9, "标题", &Format::new()).unwrap();
        ws.write_string(1, 0, "姓名").unwrap();
        ws.write_string(1, 1, "性别").unwrap();
        ws.merge_range(2, 0, 40, 0, "张三", &Format::new()).unwrap();
        ws.write_string(2, 1, "男").unwrap();
    })
    .unwrap();
    assert_eq!(grid.rows.len(), 3);
    for r in &grid.rows {
        assert_eq!(r.cells.len(), 2, "{r:?}");
    }
    assert_eq!(grid.rows[0].cells, vec![t("标题"), t("标题")]);
    assert_eq!(grid.rows[2].cells, vec![t("张三"), t("男")]);
}

#[test]
fn used_range_not_at_a1_keeps_absolute_positions() {
    let grid = read_built("offset.xlsx", |wb| {
        let ws = wb.add_worksheet();
        ws.write_string(4, 2, "姓名").unwrap();
        ws.write_string(4, 3, "性别").unwrap();
        ws.write_string(6, 2, "张三").unwrap();
        ws.write_string(6, 3, "男").unwrap();
    })
    .unwrap();
    assert_eq!(grid.rows.len(), 2);
    assert_eq!(grid.rows[0].number, 5);
    assert_eq!(grid.rows[1].number, 7);
    assert_eq!(
        grid.rows[0].cells,
        vec![Cell::Empty, Cell::Empty, t("姓名"), t("性别")]
    );
    assert_eq!(grid.rows[1].cells[2], t("张三"));
}

#[test]
fn only_the_first_sheet_is_read() {
    let grid = read_built("two.xlsm", |wb| {
        wb.add_worksheet()
            .set_name("第一页")
            .unwrap()
            .write_string(0, 0, "一")
            .unwrap();
        wb.add_worksheet()
            .set_name("第二页")
            .unwrap()
            .write_string(0, 0, "二")
            .unwrap();
    })
    .unwrap();
    assert_eq!(grid.sheet, "第一页");
    assert_eq!(grid.rows.len(), 1);
    assert_eq!(grid.rows[0].cells, vec![t("一")]);
}

#[test]
fn xlsx_content_named_xls_still_reads() {
    let grid = read_built("导出.xls", |wb| {
        wb.add_worksheet().write_string(0, 0, "姓名").unwrap();
    })
    .unwrap();
    assert_eq!(grid.rows[0].cells, vec![t("姓名")]);
}

#[test]
fn empty_sheet_is_an_empty_error() {
    let err = read_built("empty.xlsx", |wb| {
        let ws = wb.add_worksheet();
        ws.write_string(3, 3, "  ").unwrap();
    })
    .unwrap_err();
    assert!(matches!(err, ReadError::Empty { .. }), "{err:?}");
    assert!(err.to_string().contains("没有工作表或数据"));
}

#[test]
fn bad_files_give_clean_errors() {
    let scratch = Scratch::new("bad");

    let missing = scratch.path("不存在.xlsx");
    let err = read_grid(&missing).unwrap_err();
    assert!(matches!(err, ReadError::Open { .. }));
    assert!(err.to_string().contains("文件不存在"), "{err}");

    let txt = scratch.path("名册.txt");
    std::fs::write(&txt, "姓名").unwrap();
    let err = read_grid(&txt).unwrap_err();
    assert!(matches!(err, ReadError::Format { .. }));
    assert!(err.to_string().contains("不受支持"));

    let noext = scratch.path("名册");
    std::fs::write(&noext, "姓名").unwrap();
    assert!(matches!(read_grid(&noext), Err(ReadError::Format { .. })));

    // A corrupted .xls: the OLE signature, then garbage.
    let xls = scratch.path("坏.xls");
    let mut bytes = vec![0xD0, 0xCF, 0x11, 0xE0, 0xA1, 0xB1, 0x1A, 0xE1];
    bytes.extend((0..2000u32).map(|i| (i * 7 % 251) as u8));
    std::fs::write(&xls, &bytes).unwrap();
    let err = read_grid(&xls).unwrap_err();
    assert!(matches!(err, ReadError::Open { .. }), "{err:?}");
    assert!(err.to_string().contains("xls"), "{err}");

    // An HTML page saved as .xls (some systems export these).
    let html = scratch.path("导出.xls");
    std::fs::write(&html, "<html><table><tr><td>姓名</td></tr></table></html>").unwrap();
    let err = read_grid(&html).unwrap_err();
    assert!(err.to_string().contains("另存为"), "{err}");

    // A truncated .xlsx.
    let xlsx = scratch.path("坏.xlsx");
    let mut wb = Workbook::new();
    wb.add_worksheet().write_string(0, 0, "姓名").unwrap();
    let good = wb.save_to_buffer().unwrap();
    std::fs::write(&xlsx, &good[..good.len() / 2]).unwrap();
    let err = read_grid(&xlsx).unwrap_err();
    assert!(matches!(err, ReadError::Open { .. }), "{err:?}");

    let empty = scratch.path("空.xlsx");
    std::fs::write(&empty, b"").unwrap();
    assert!(read_grid(&empty).unwrap_err().to_string().contains("空"));
}
