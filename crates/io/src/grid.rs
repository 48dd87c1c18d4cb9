//! Reading a spreadsheet file into a grid of cells.

use std::io::Cursor;
use std::path::Path;

use calamine::{Data, Dimensions, Range, Reader, Xls, XlsError, Xlsx, XlsxError};
use chrono::NaiveDate;

use crate::cells::normalize_text;

/// One cell as read, before any column-specific parsing. Text is already normalised
/// (`cells::normalize_text`: trimmed, full-width ASCII folded to half-width, inner
/// whitespace runs collapsed).
#[derive(Debug, Clone, PartialEq)]
pub enum Cell {
    Empty,
    Text(String),
    Number(f64),
    /// A cell the spreadsheet itself typed as a date (or date-time; the time is dropped).
    Date(NaiveDate),
    Bool(bool),
}

/// A row with the 1-based row number the user sees in the spreadsheet (for CSV, the line's
/// record number, 1 for the first record).
#[derive(Debug, Clone, PartialEq)]
pub struct GridRow {
    pub number: usize,
    pub cells: Vec<Cell>,
}

/// The first worksheet of a file (or the CSV), blank rows dropped; a merged region's value
/// is repeated in every cell of the region.
#[derive(Debug, Clone, PartialEq)]
pub struct Grid {
    /// The file name as given, for error messages.
    pub file: String,
    pub sheet: String,
    pub rows: Vec<GridRow>,
}

#[derive(Debug, thiserror::Error)]
pub enum ReadError {
    #[error("无法打开文件 {file}：{reason}")]
    Open { file: String, reason: String },
    #[error("文件 {file} 的格式不受支持（支持 .xlsx、.xls、.csv）")]
    Format { file: String },
    #[error("文件 {file} 中没有工作表或数据")]
    Empty { file: String },
}

/// Reads the first worksheet of an .xlsx/.xlsm/.xls file, or a .csv file in UTF-8 (with
/// or without BOM) or GBK/GB18030 (detected when the bytes are not valid UTF-8).
///
/// For spreadsheets, `cells[i]` of every row is spreadsheet column `i` (0 = column A),
/// even when the used range starts further right. The file's content decides between
/// .xlsx and .xls (a workbook saved as .xlsx but named .xls reads fine).
pub fn read_grid(path: &Path) -> Result<Grid, ReadError> {
    let file = path.display().to_string();
    let ext = path
        .extension()
        .and_then(|e| e.to_str())
        .map(|e| e.to_ascii_lowercase())
        .unwrap_or_default();
    let kind = match ext.as_str() {
        "xlsx" | "xlsm" | "xls" => Kind::Excel,
        "csv" => Kind::Csv,
        _ => return Err(ReadError::Format { file }),
    };
    let bytes = std::fs::read(path).map_err(|e| ReadError::Open {
        file: file.clone(),
        reason: io_reason(&e),
    })?;
    let (sheet, rows) = match kind {
        Kind::Csv => ("csv".to_string(), csv_rows(&file, &bytes)?),
        Kind::Excel => excel_rows(&file, &bytes)?,
    };
    if rows.is_empty() {
        return Err(ReadError::Empty { file });
    }
    Ok(Grid { file, sheet, rows })
}

enum Kind {
    Excel,
    Csv,
}

fn io_reason(e: &std::io::Error) -> String {
    match e.kind() {
        std::io::ErrorKind::NotFound => "文件不存在".to_string(),
        std::io::ErrorKind::PermissionDenied => "没有读取权限".to_string(),
        _ => e.to_string(),
    }
}

const PASSWORD: &str = "工作簿设有打开密码，请在 Excel 中取消密码后再导入";
const ZIP_MAGIC: &[u8] = b"PK\x03\x04";
const OLE_MAGIC: &[u8] = &[0xD0, 0xCF, 0x11, 0xE0, 0xA1, 0xB1, 0x1A, 0xE1];

fn excel_rows(file: &str, bytes: &[u8]) -> Result<(String, Vec<GridRow>), ReadError> {
    let open_err = |reason: String| ReadError::Open {
        file: file.to_string(),
        reason,
    };
    if bytes.starts_with(ZIP_MAGIC) {
        let mut wb = Xlsx::new(Cursor::new(bytes)).map_err(|e| match e {
            XlsxError::Password => open_err(PASSWORD.to_string()),
            e => open_err(format!("不是有效的 .xlsx 文件（{e}）")),
        })?;
        let Some(name) = wb.sheet_names().first().cloned() else {
            return Err(ReadError::Empty {
                file: file.to_string(),
            });
        };
        let range = wb
            .worksheet_range(&name)
            .map_err(|e| open_err(format!("无法读取工作表“{name}”（{e}）")))?;
        let merged = wb
            .merge_cells_by_sheet_name(&name)
            .map_err(|e| open_err(format!("无法读取工作表“{name}”的合并单元格（{e}）")))?;
        Ok((name, range_rows(&range, &merged)))
    } else if bytes.starts_with(OLE_MAGIC) {
        let mut wb = Xls::new(Cursor::new(bytes)).map_err(|e| {
            // An encrypted .xlsx is an OLE container too.
            let encrypted_xlsx = matches!(Xlsx::new(Cursor::new(bytes)), Err(XlsxError::Password));
            match e {
                _ if encrypted_xlsx => open_err(PASSWORD.to_string()),
                XlsError::Password => open_err(PASSWORD.to_string()),
                e => open_err(format!("不是有效的 .xls 文件（{e}）")),
            }
        })?;
        let Some(name) = wb.sheet_names().first().cloned() else {
            return Err(ReadError::Empty {
                file: file.to_string(),
            });
        };
        let range = wb
            .worksheet_range(&name)
            .map_err(|e| open_err(format!("无法读取工作表“{name}”（{e}）")))?;
        let merged = wb
            .merge_cells_by_sheet_name(&name)
            .map_err(|e| open_err(format!("无法读取工作表“{name}”的合并单元格（{e}）")))?;
        Ok((name, range_rows(&range, &merged)))
    } else if bytes.is_empty() {
        Err(open_err("文件是空的".to_string()))
    } else {
        Err(open_err(
            "文件内容不是 Excel 工作簿（可能是网页或文本改了扩展名），请用 Excel 另存为 .xlsx 后再导入".to_string(),
        ))
    }
}

/// The rows of a worksheet range, blank rows dropped, merged regions filled with their
/// top-left value, cells indexed by absolute column.
fn range_rows(range: &Range<Data>, merged: &[Dimensions]) -> Vec<GridRow> {
    let Some((row0, col0)) = range.start() else {
        return Vec::new();
    };
    let (height, width) = range.get_size();
    let (row0, col0) = (row0 as usize, col0 as usize);
    let total_width = col0 + width;
    let mut rows: Vec<Vec<Cell>> = range
        .rows()
        .map(|r| {
            let mut cells = vec![Cell::Empty; col0];
            cells.extend(r.iter().map(data_to_cell));
            cells.resize(total_width, Cell::Empty);
            cells
        })
        .collect();

    for m in merged {
        let (top, left) = (m.start.0 as usize, m.start.1 as usize);
        let (bottom, right) = (m.end.0 as usize, m.end.1 as usize);
        if top < row0 || top >= row0 + height || left >= total_width {
            // The top-left cell lies outside the used range: the region is empty.
            continue;
        }
        let value = rows[top - row0][left].clone();
        if value == Cell::Empty {
            continue;
        }
        // Clip to the used range: nothing outside it can carry data.
        let bottom = bottom.min(row0 + height - 1);
        let right = right.min(total_width - 1);
        for row in &mut rows[top - row0..=bottom - row0] {
            for cell in &mut row[left..=right] {
                *cell = value.clone();
            }
        }
    }

    rows.into_iter()
        .enumerate()
        .filter(|(_, cells)| cells.iter().any(|c| *c != Cell::Empty))
        .map(|(i, cells)| GridRow {
            number: row0 + i + 1,
            cells,
        })
        .collect()
}

fn data_to_cell(d: &Data) -> Cell {
    match d {
        Data::String(s) => text_cell(s),
        Data::Float(f) => Cell::Number(*f),
        Data::Int(i) => Cell::Number(*i as f64),
        Data::Bool(b) => Cell::Bool(*b),
        Data::DateTime(dt) => {
            let serial = dt.as_f64();
            if dt.is_duration() || serial < 1.0 {
                // A duration or a bare time of day: not a date.
                return Cell::Number(serial);
            }
            let (y, m, day, ..) = dt.to_ymd_hms_milli();
            match NaiveDate::from_ymd_opt(i32::from(y), u32::from(m), u32::from(day)) {
                Some(date) => Cell::Date(date),
                // Excel's fake 1900-02-29: keep the serial so parse_date reports it.
                None => Cell::Number(serial),
            }
        }
        Data::DateTimeIso(s) => iso_to_cell(s),
        Data::DurationIso(s) => text_cell(s),
        Data::Error(_) | Data::Empty => Cell::Empty,
    }
}

fn iso_to_cell(s: &str) -> Cell {
    let date_part = s.split(['T', ' ']).next().unwrap_or(s);
    match NaiveDate::parse_from_str(date_part, "%Y-%m-%d") {
        Ok(date) => Cell::Date(date),
        Err(_) => text_cell(s),
    }
}

fn text_cell(s: &str) -> Cell {
    let t = normalize_text(s);
    if t.is_empty() {
        Cell::Empty
    } else {
        Cell::Text(t)
    }
}

/// Decodes CSV bytes: UTF-8 (BOM stripped), UTF-16 with a BOM (Excel's "Unicode text"),
/// else GB18030 (a superset of GBK and GB2312).
fn decode_csv(bytes: &[u8]) -> String {
    if let Some(rest) = bytes.strip_prefix(b"\xEF\xBB\xBF") {
        return String::from_utf8_lossy(rest).into_owned();
    }
    if bytes.starts_with(b"\xFF\xFE") {
        return encoding_rs::UTF_16LE
            .decode_with_bom_removal(bytes)
            .0
            .into_owned();
    }
    if bytes.starts_with(b"\xFE\xFF") {
        return encoding_rs::UTF_16BE
            .decode_with_bom_removal(bytes)
            .0
            .into_owned();
    }
    match std::str::from_utf8(bytes) {
        Ok(s) => s.to_string(),
        Err(_) => encoding_rs::GB18030
            .decode_without_bom_handling(bytes)
            .0
            .into_owned(),
    }
}

/// Comma, unless the first non-blank line has tabs (or semicolons) and no commas.
fn sniff_delimiter(text: &str) -> u8 {
    let first = text.lines().find(|l| !l.trim().is_empty()).unwrap_or("");
    if first.contains(',') {
        b','
    } else if first.contains('\t') {
        b'\t'
    } else if first.contains(';') {
        b';'
    } else {
        b','
    }
}

fn csv_rows(file: &str, bytes: &[u8]) -> Result<Vec<GridRow>, ReadError> {
    let text = decode_csv(bytes);
    let mut reader = csv::ReaderBuilder::new()
        .has_headers(false)
        .flexible(true)
        .delimiter(sniff_delimiter(&text))
        .from_reader(text.as_bytes());
    let mut rows = Vec::new();
    let mut record = csv::StringRecord::new();
    // The row Excel would show: blank lines the csv reader skips still count as rows, and
    // a quoted field spanning lines stays in one row. A record's position is where the
    // reader started looking for it, before the blank lines it skipped.
    let mut number = 0usize;
    loop {
        let more = reader
            .read_record(&mut record)
            .map_err(|e| ReadError::Open {
                file: file.to_string(),
                reason: format!("CSV 格式错误（{e}）"),
            })?;
        if !more {
            break;
        }
        let start = record.position().map_or(0, |p| p.byte() as usize);
        let bytes = text.as_bytes();
        let mut ahead = bytes.get(start..).unwrap_or_default();
        // The reader stops between the \r and \n of a CRLF terminator.
        if start > 0 && bytes[start - 1] == b'\r' && ahead.first() == Some(&b'\n') {
            ahead = &ahead[1..];
        }
        number += leading_line_breaks(ahead) + 1;
        let cells: Vec<Cell> = record.iter().map(text_cell).collect();
        if cells.iter().any(|c| *c != Cell::Empty) {
            rows.push(GridRow { number, cells });
        }
    }
    Ok(rows)
}

/// How many line breaks (`\n`, `\r\n` or `\r`) `bytes` starts with.
fn leading_line_breaks(bytes: &[u8]) -> usize {
    let mut count = 0;
    let mut i = 0;
    while i < bytes.len() {
        match bytes[i] {
            b'\r' if bytes.get(i + 1) == Some(&b'\n') => i += 2,
            b'\r' | b'\n' => i += 1,
            _ => break,
        }
        count += 1;
    }
    count
}
