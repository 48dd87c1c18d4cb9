//! Finding the header row and columns by name.

mod common;

use common::{spec, text_grid, titles};
use jiceng_io::header::clean_header;
use jiceng_io::{locate_header, Cell, ColumnSpec, Grid, GridRow, HeaderError};

const SPECS: &[ColumnSpec] = &[
    spec("姓名", &["党员姓名"], true),
    spec("身份证号", &["公民身份号码", "身份证号码", "ID"], true),
    spec("出生日期", &["出生年月"], false),
    spec("入党时间", &["入党日期", "加入党组织日期"], true),
    spec("学历", &[], false),
];

#[test]
fn clean_header_removes_notes() {
    assert_eq!(clean_header("出生日期(yyyy-mm-dd)"), "出生日期");
    assert_eq!(clean_header("姓名（必填）"), "姓名");
    assert_eq!(clean_header("* 姓 名"), "姓名");
    assert_eq!(clean_header("＊身份证号【18位】"), "身份证号");
    assert_eq!(clean_header("学历[选填]"), "学历");
    assert_eq!(clean_header("入党时间（格式（如）2001.7.1）"), "入党时间");
    assert_eq!(clean_header("性别："), "性别");
    assert_eq!(clean_header("姓名（必填"), "姓名");
    assert_eq!(clean_header("（备注）"), "");
    assert_eq!(clean_header("出生\n日期"), "出生日期");
}

#[test]
fn header_below_title_rows_with_aliases_and_notes() {
    let grid = text_grid(&[
        &["2024年党员花名册"],
        &["填报单位：城关镇党委", "", "", "填报日期：2024.6"],
        &[
            "序号",
            "* 姓 名",
            "公民身份号码（18位）",
            "出生年月(yyyy-mm)",
            "加入党组织日期【必填】",
            "备注",
        ],
        &["1", "张三", "110105194912310029", "1985.3", "2010.7.1", ""],
    ]);
    let m = locate_header(&grid, SPECS).unwrap();
    assert_eq!(m.header_index, 2);
    assert_eq!(m.columns, vec![Some(1), Some(2), Some(3), Some(4), None]);
    assert_eq!(
        m.titles,
        titles(&[
            Some("* 姓 名"),
            Some("公民身份号码（18位）"),
            Some("出生年月(yyyy-mm)"),
            Some("加入党组织日期【必填】"),
            None,
        ])
    );
}

#[test]
fn ascii_names_compare_case_insensitively() {
    let grid = text_grid(&[&["姓名", "id", "入党时间"]]);
    let m = locate_header(&grid, SPECS).unwrap();
    assert_eq!(m.columns, vec![Some(0), Some(1), None, Some(2), None]);
}

#[test]
fn missing_required_columns_are_named() {
    let grid = text_grid(&[
        &["党员名册"],
        &["姓名", "性别", "出生日期", "学历"],
        &["张三", "男", "1985.3.12", "大学"],
    ]);
    let err = locate_header(&grid, SPECS).unwrap_err();
    assert_eq!(
        err,
        HeaderError::Missing {
            file: "名册.xlsx".to_string(),
            row: 2,
            missing: "身份证号、入党时间".to_string(),
        }
    );
    assert_eq!(
        err.to_string(),
        "文件 名册.xlsx 第2行表头缺少必填列：身份证号、入党时间"
    );
}

#[test]
fn missing_row_number_is_the_spreadsheet_row() {
    let mut grid = text_grid(&[&["标题"], &["姓名", "出生日期"]]);
    grid.rows[0].number = 1;
    grid.rows[1].number = 4; // blank rows 2 and 3 were dropped
    match locate_header(&grid, SPECS) {
        Err(HeaderError::Missing { row, .. }) => assert_eq!(row, 4),
        other => panic!("{other:?}"),
    }
}

#[test]
fn no_header_row_is_not_found() {
    let grid = text_grid(&[&["党员名册"], &["张三", "男"], &["姓名", "性别"]]);
    let err = locate_header(&grid, SPECS).unwrap_err();
    assert_eq!(
        err,
        HeaderError::NotFound {
            file: "名册.xlsx".to_string(),
            expected: "姓名、身份证号、出生日期、入党时间、学历".to_string(),
        }
    );
    assert!(err.to_string().contains("找不到表头行"));

    let empty = Grid {
        file: "x.csv".to_string(),
        sheet: "csv".to_string(),
        rows: vec![],
    };
    assert!(matches!(
        locate_header(&empty, SPECS),
        Err(HeaderError::NotFound { .. })
    ));
}

#[test]
fn only_the_first_twenty_rows_are_searched() {
    let mut rows: Vec<&[&str]> = vec![&["说明"]; 20];
    rows.push(&["姓名", "身份证号", "入党时间"]);
    let grid = text_grid(&rows);
    assert!(matches!(
        locate_header(&grid, SPECS),
        Err(HeaderError::NotFound { .. })
    ));

    let mut rows: Vec<&[&str]> = vec![&["说明"]; 19];
    rows.push(&["姓名", "身份证号", "入党时间"]);
    let grid = text_grid(&rows);
    assert_eq!(locate_header(&grid, SPECS).unwrap().header_index, 19);
}

#[test]
fn most_matches_wins_and_ties_go_to_the_earliest() {
    let grid = text_grid(&[
        &["姓名", "身份证号"],
        &["姓名", "身份证号", "入党时间"],
        &["姓名", "身份证号", "入党时间"],
    ]);
    assert_eq!(locate_header(&grid, SPECS).unwrap().header_index, 1);
}

#[test]
fn a_column_is_taken_once_in_spec_order() {
    const SAME: &[ColumnSpec] = &[
        spec("时间", &[], true),
        spec("入党时间", &["时间"], true),
        spec("姓名", &[], true),
    ];
    let grid = text_grid(&[&["姓名", "时间", "时间"]]);
    let m = locate_header(&grid, SAME).unwrap();
    assert_eq!(m.columns, vec![Some(1), Some(2), Some(0)]);

    let grid = text_grid(&[&["姓名", "时间"]]);
    match locate_header(&grid, SAME) {
        Err(HeaderError::Missing { missing, .. }) => assert_eq!(missing, "入党时间"),
        other => panic!("{other:?}"),
    }
}

#[test]
fn a_single_spec_needs_one_match() {
    const ONE: &[ColumnSpec] = &[spec("姓名", &[], true)];
    let grid = text_grid(&[&["标题"], &["序号", "姓名"]]);
    let m = locate_header(&grid, ONE).unwrap();
    assert_eq!(m.header_index, 1);
    assert_eq!(m.columns, vec![Some(1)]);
}

#[test]
fn non_text_cells_never_match() {
    let grid = Grid {
        file: "a.xlsx".to_string(),
        sheet: "Sheet1".to_string(),
        rows: vec![GridRow {
            number: 1,
            cells: vec![
                Cell::Number(1.0),
                Cell::Text("姓名".to_string()),
                Cell::Empty,
                Cell::Text("身份证号".to_string()),
                Cell::Bool(true),
                Cell::Text("入党时间".to_string()),
            ],
        }],
    };
    let m = locate_header(&grid, SPECS).unwrap();
    assert_eq!(m.columns, vec![Some(1), Some(3), None, Some(5), None]);
}
