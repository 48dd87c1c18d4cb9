//! Writing .xlsx workbooks in the layout a county office files: a title row, a header
//! row, the data, column widths that fit Chinese text, frozen header.

use std::path::Path;

use rust_xlsxwriter::{
    Color, DataValidation, DataValidationErrorStyle, ExcelDateTime, Format, FormatAlign,
    FormatBorder, Workbook, Worksheet, XlsxError,
};

/// A value to write.
#[derive(Debug, Clone, PartialEq)]
pub enum OutCell {
    Text(String),
    Int(i64),
    /// Written as a number with the percent format (0.416 shows as 41.6%).
    Percent(f64),
    Float(f64),
    Date(chrono::NaiveDate),
    Empty,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Sheet {
    /// Worksheet name (≤ 31 characters; longer names are cut).
    pub name: String,
    /// A title row above the header (merged across the columns), e.g. the report's name,
    /// org and date.
    pub title: String,
    pub headers: Vec<String>,
    pub rows: Vec<Vec<OutCell>>,
}

/// Writes the sheets to `path` (a real .xlsx file).
pub fn write_workbook(path: &Path, sheets: &[Sheet]) -> Result<(), String> {
    let mut workbook = build_workbook(sheets)?;
    workbook
        .save(path)
        .map_err(|e| format!("无法保存工作簿 {}：{e}", path.display()))
}

/// The same workbook as bytes (for web downloads).
pub fn workbook_bytes(sheets: &[Sheet]) -> Result<Vec<u8>, String> {
    let mut workbook = build_workbook(sheets)?;
    workbook
        .save_to_buffer()
        .map_err(|e| format!("无法生成工作簿：{e}"))
}

/// The values a column of a sheet takes, offered as a drop-down (数据验证) in the rows below
/// its header (an import template's 组织类别, 人员类别, 会议类型…). Other values still
/// go in after a warning: the import also reads the names it knows beside these.
pub struct Choices {
    pub sheet: usize,
    pub column: usize,
    pub values: Vec<String>,
}

/// Rows below the header a template's drop-downs cover.
const CHOICE_ROWS: u32 = 10_000;

/// [`workbook_bytes`] with drop-down lists on the columns `choices` names.
pub fn workbook_bytes_with_choices(
    sheets: &[Sheet],
    choices: &[Choices],
) -> Result<Vec<u8>, String> {
    let mut workbook = build_workbook(sheets)?;
    for c in choices {
        let ws = workbook
            .worksheet_from_index(c.sheet)
            .map_err(|e| format!("无法写入下拉选项：{e}"))?;
        let col = col_num(c.column).map_err(|e| format!("无法写入下拉选项：{e}"))?;
        let list = DataValidation::new()
            .allow_list_strings(&c.values)
            .and_then(|v| v.set_error_title("不在可选范围内"))
            .and_then(|v| {
                v.set_error_message("请从下拉列表中选择；确需填写其他写法的，点“是”继续。")
            })
            .map_err(|e| format!("无法写入下拉选项：{e}"))?
            .set_error_style(DataValidationErrorStyle::Warning);
        ws.add_data_validation(2, col, 2 + CHOICE_ROWS, col, &list)
            .map_err(|e| format!("无法写入下拉选项：{e}"))?;
    }
    workbook
        .save_to_buffer()
        .map_err(|e| format!("无法生成工作簿：{e}"))
}

/// Excel's limits.
const MAX_SHEET_NAME: usize = 31;
const MAX_CELL_CHARS: usize = 32_767;
const MIN_WIDTH: usize = 8;
const MAX_WIDTH: usize = 50;

struct Formats {
    title: Format,
    header: Format,
    text: Format,
    number: Format,
    percent: Format,
    date: Format,
}

impl Formats {
    fn new() -> Formats {
        let cell = Format::new()
            .set_border(FormatBorder::Thin)
            .set_align(FormatAlign::VerticalCenter);
        Formats {
            title: Format::new()
                .set_bold()
                .set_font_size(16)
                .set_align(FormatAlign::Center)
                .set_align(FormatAlign::VerticalCenter),
            header: Format::new()
                .set_bold()
                .set_background_color(Color::RGB(0xD9E1F2))
                .set_border(FormatBorder::Thin)
                .set_align(FormatAlign::Center)
                .set_align(FormatAlign::VerticalCenter)
                .set_text_wrap(),
            text: cell.clone(),
            number: cell.clone(),
            percent: cell.clone().set_num_format("0.0%"),
            date: cell.set_num_format("yyyy-mm-dd"),
        }
    }
}

fn build_workbook(sheets: &[Sheet]) -> Result<Workbook, String> {
    let mut workbook = Workbook::new();
    let formats = Formats::new();
    let mut used_names: Vec<String> = Vec::new();
    for (i, sheet) in sheets.iter().enumerate() {
        let name = unique_sheet_name(&sheet.name, i, &used_names);
        used_names.push(name.clone());
        let worksheet = workbook.add_worksheet();
        write_sheet(worksheet, &name, sheet, &formats)
            .map_err(|e| format!("无法写入工作表“{name}”：{e}"))?;
    }
    Ok(workbook)
}

fn write_sheet(
    ws: &mut Worksheet,
    name: &str,
    sheet: &Sheet,
    f: &Formats,
) -> Result<(), XlsxError> {
    ws.set_name(name)?;

    let columns = sheet
        .headers
        .len()
        .max(sheet.rows.iter().map(Vec::len).max().unwrap_or(0))
        .max(1);
    let title_columns = sheet.headers.len().max(1);
    let title = truncate_chars(&sheet.title);
    if title_columns > 1 {
        ws.merge_range(0, 0, 0, col_num(title_columns - 1)?, &title, &f.title)?;
    } else {
        ws.write_string_with_format(0, 0, title, &f.title)?;
    }
    ws.set_row_height(0, 28)?;

    let mut widths = vec![MIN_WIDTH; columns];
    for (c, header) in sheet.headers.iter().enumerate() {
        ws.write_string_with_format(1, col_num(c)?, truncate_chars(header), &f.header)?;
        widths[c] = widths[c].max(display_width(header) + 2);
    }

    for (r, row) in sheet.rows.iter().enumerate() {
        let r = u32::try_from(r + 2).map_err(|_| XlsxError::RowColumnLimitError)?;
        for (c, cell) in row.iter().enumerate() {
            let col = col_num(c)?;
            let shown = match cell {
                OutCell::Text(t) => {
                    ws.write_string_with_format(r, col, truncate_chars(t), &f.text)?;
                    display_width(t)
                }
                OutCell::Int(n) => {
                    ws.write_number_with_format(r, col, *n as f64, &f.number)?;
                    n.to_string().len()
                }
                OutCell::Float(x) if x.is_finite() => {
                    ws.write_number_with_format(r, col, *x, &f.number)?;
                    x.to_string().len().min(12)
                }
                OutCell::Percent(x) if x.is_finite() => {
                    ws.write_number_with_format(r, col, *x, &f.percent)?;
                    format!("{:.1}%", x * 100.0).len()
                }
                OutCell::Date(d) => {
                    use chrono::Datelike;
                    let date = u16::try_from(d.year()).ok().and_then(|y| {
                        ExcelDateTime::from_ymd(y, d.month() as u8, d.day() as u8).ok()
                    });
                    match date {
                        Some(date) => {
                            ws.write_datetime_with_format(r, col, date, &f.date)?;
                        }
                        // Before 1900 or after 9999: Excel has no serial for it.
                        None => {
                            ws.write_string_with_format(r, col, d.to_string(), &f.text)?;
                        }
                    }
                    10
                }
                OutCell::Float(_) | OutCell::Percent(_) | OutCell::Empty => {
                    ws.write_blank(r, col, &f.text)?;
                    0
                }
            };
            widths[c] = widths[c].max(shown + 2);
        }
    }

    for (c, w) in widths.iter().enumerate() {
        ws.set_column_width(col_num(c)?, (*w).min(MAX_WIDTH) as f64)?;
    }
    ws.set_freeze_panes(2, 0)?;
    Ok(())
}

fn col_num(c: usize) -> Result<u16, XlsxError> {
    u16::try_from(c).map_err(|_| XlsxError::RowColumnLimitError)
}

fn truncate_chars(s: &str) -> String {
    match s.char_indices().nth(MAX_CELL_CHARS) {
        Some((i, _)) => s[..i].to_string(),
        None => s.to_string(),
    }
}

/// A valid worksheet name from `name`: the characters Excel forbids (`[]:*?/\`) become
/// `_`, leading and trailing apostrophes go, at most 31 characters, "Sheet{n}" when
/// nothing is left, and a "(2)"-style suffix when an earlier sheet has the same name
/// (Excel compares names case-insensitively).
pub fn sheet_name(name: &str) -> String {
    unique_sheet_name(name, 0, &[])
}

fn unique_sheet_name(name: &str, index: usize, used: &[String]) -> String {
    let cleaned: String = name
        .chars()
        .map(|c| match c {
            '[' | ']' | ':' | '*' | '?' | '/' | '\\' => '_',
            c if c.is_control() => ' ',
            c => c,
        })
        .collect();
    let cleaned = cleaned.trim().trim_matches('\'').trim();
    let base = if cleaned.is_empty() {
        format!("Sheet{}", index + 1)
    } else {
        cleaned.to_string()
    };
    let taken = |candidate: &str| {
        used.iter()
            .any(|u| u.to_lowercase() == candidate.to_lowercase())
    };
    let first = truncate_utf16(&base, MAX_SHEET_NAME);
    if !taken(&first) {
        return first;
    }
    (2..)
        .map(|n| {
            let suffix = format!("({n})");
            let head = truncate_utf16(&base, MAX_SHEET_NAME - suffix.len());
            format!("{}{suffix}", head.trim_end_matches('\''))
        })
        .find(|candidate| !taken(candidate))
        .expect("some suffix is free")
}

/// At most `max` UTF-16 code units (Excel's measure of a sheet name's length).
fn truncate_utf16(s: &str, max: usize) -> String {
    let mut len = 0;
    let mut out = String::new();
    for c in s.chars() {
        len += c.len_utf16();
        if len > max {
            break;
        }
        out.push(c);
    }
    out.trim_end_matches('\'').to_string()
}

/// Roughly how many columns of a fixed-width font `s` needs: East Asian wide characters
/// count 2, others 1; the longest line of a multi-line text.
pub fn display_width(s: &str) -> usize {
    s.lines()
        .map(|line| line.chars().map(char_width).sum())
        .max()
        .unwrap_or(0)
}

fn char_width(c: char) -> usize {
    match c as u32 {
        0x1100..=0x115F
        | 0x2E80..=0x303E
        | 0x3041..=0x33FF
        | 0x3400..=0x4DBF
        | 0x4E00..=0x9FFF
        | 0xA000..=0xA4CF
        | 0xAC00..=0xD7A3
        | 0xF900..=0xFAFF
        | 0xFE30..=0xFE4F
        | 0xFF00..=0xFF60
        | 0xFFE0..=0xFFE6
        | 0x20000..=0x3FFFD => 2,
        _ => 1,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_column_with_choices_offers_them_as_a_drop_down() {
        let sheet = Sheet {
            name: "模板".into(),
            title: "党员名册".into(),
            headers: vec!["姓名".into(), "人员类别".into()],
            rows: vec![],
        };
        let bytes = workbook_bytes_with_choices(
            &[sheet],
            &[Choices {
                sheet: 0,
                column: 1,
                values: vec!["正式党员".into(), "预备党员".into()],
            }],
        )
        .unwrap();
        let mut zip = zip::ZipArchive::new(std::io::Cursor::new(bytes)).unwrap();
        let mut xml = String::new();
        std::io::Read::read_to_string(
            &mut zip.by_name("xl/worksheets/sheet1.xml").unwrap(),
            &mut xml,
        )
        .unwrap();
        assert!(xml.contains("<dataValidation "), "{xml}");
        assert!(xml.contains("sqref=\"B3:B10003\""), "{xml}");
        assert!(xml.contains("正式党员,预备党员"), "{xml}");
        assert!(xml.contains("errorStyle=\"warning\""), "{xml}");
    }

    #[test]
    fn sheet_names_are_made_valid() {
        assert_eq!(sheet_name("党员/名册[2024]"), "党员_名册_2024_");
        assert_eq!(sheet_name("a:b*c?d\\e"), "a_b_c_d_e");
        assert_eq!(sheet_name("  "), "Sheet1");
        assert_eq!(sheet_name("'引号'"), "引号");
        let long = "一".repeat(40);
        assert_eq!(sheet_name(&long).chars().count(), 31);
        let used = vec!["名册".to_string()];
        assert_eq!(unique_sheet_name("名册", 1, &used), "名册(2)");
        let used = vec![long.chars().take(31).collect::<String>()];
        let second = unique_sheet_name(&long, 1, &used);
        assert_eq!(second.chars().count(), 31);
        assert!(second.ends_with("(2)"));
        let used = vec!["Sheet".to_string()];
        assert_eq!(unique_sheet_name("SHEET", 1, &used), "SHEET(2)");
    }

    #[test]
    fn widths_count_cjk_double() {
        assert_eq!(display_width("abc"), 3);
        assert_eq!(display_width("党员"), 4);
        assert_eq!(display_width("a党"), 3);
        assert_eq!(display_width("（）"), 4);
        assert_eq!(display_width("ab\n党员党员"), 8);
        assert_eq!(display_width(""), 0);
    }
}
