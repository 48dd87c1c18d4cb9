//! Reading a spreadsheet file into a grid of cells.

use std::collections::BTreeMap;
use std::io::{Cursor, Read};
use std::path::Path;

use calamine::{Data, DataRef, Dimensions, ExcelDateTime, Reader, Xls, XlsError, Xlsx, XlsxError};
use chrono::NaiveDate;

use crate::biff::{self, BiffProblem};
use crate::cells::normalize_text;
use crate::limits::{column_name, configured_limits, human_bytes, ReadLimits};
use crate::zipcheck::{self, ZipProblem};

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
    /// A cap of `ReadLimits` was reached: `detail` says where and which.
    #[error("文件 {file} 超出导入限制：{detail}。请拆分文件后分批导入")]
    Limit { file: String, detail: String },
    /// Bytes that are not text in the file's encoding.
    #[error("文件 {file} 第{row}行{reason}")]
    Encoding {
        file: String,
        row: usize,
        reason: String,
    },
}

/// Reads the first worksheet of an .xlsx/.xlsm/.xls file, or a .csv file in UTF-8 (with
/// or without BOM) or GBK/GB18030 (detected when the bytes are not valid UTF-8), within the
/// limits configured for this process (`configure_limits`; `ReadLimits::DEFAULT` unless set).
///
/// For spreadsheets, `cells[i]` of every row is spreadsheet column `i` (0 = column A),
/// even when the used range starts further right. The file's content decides between
/// .xlsx and .xls (a workbook saved as .xlsx but named .xls reads fine). Messages name the
/// file by its file name only, never by the folder it sits in.
pub fn read_grid(path: &Path) -> Result<Grid, ReadError> {
    read_grid_with(path, &configured_limits())
}

/// As `read_grid`, within `limits`. A file beyond a cap is refused (`ReadError::Limit`)
/// before the memory it would need is allocated: workbooks are read cell by cell, never as
/// a dense range sized by what the file claims.
pub fn read_grid_with(path: &Path, limits: &ReadLimits) -> Result<Grid, ReadError> {
    let file = path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_else(|| path.display().to_string());
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
    let bytes = read_capped(path, limits).map_err(|e| match e {
        Capped::Io(e) => ReadError::Open {
            file: file.clone(),
            reason: io_reason(&e),
        },
        Capped::TooBig(size) => ReadError::Limit {
            file: file.clone(),
            detail: format!(
                "文件大小 {} 超过上限 {}",
                human_bytes(size),
                human_bytes(limits.max_file_bytes)
            ),
        },
    })?;
    let (sheet, rows) = match kind {
        Kind::Csv => ("csv".to_string(), csv_rows(&file, &bytes, limits)?),
        Kind::Excel => excel_rows_guarded(&file, &bytes, limits)?,
    };
    if rows.is_empty() {
        return Err(ReadError::Empty { file });
    }
    Ok(Grid { file, sheet, rows })
}

enum Capped {
    Io(std::io::Error),
    TooBig(u64),
}

/// The file's bytes, refused beyond `max_file_bytes` (by its size, and by what is read: a
/// file may grow or be a pipe).
fn read_capped(path: &Path, limits: &ReadLimits) -> Result<Vec<u8>, Capped> {
    let f = std::fs::File::open(path).map_err(Capped::Io)?;
    let size = f.metadata().map_err(Capped::Io)?.len();
    if size > limits.max_file_bytes {
        return Err(Capped::TooBig(size));
    }
    let mut bytes = Vec::with_capacity(size as usize);
    f.take(limits.max_file_bytes + 1)
        .read_to_end(&mut bytes)
        .map_err(Capped::Io)?;
    if bytes.len() as u64 > limits.max_file_bytes {
        return Err(Capped::TooBig(bytes.len() as u64));
    }
    Ok(bytes)
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

/// `excel_rows`, with a panic inside the workbook reader (a corrupt part it did not expect,
/// found by the fuzz tests: an overflowing `<dimension>` in calamine) answered as a broken
/// file of this name instead of ending the request or the server.
fn excel_rows_guarded(
    file: &str,
    bytes: &[u8],
    limits: &ReadLimits,
) -> Result<(String, Vec<GridRow>), ReadError> {
    std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
        excel_rows(file, bytes, limits)
    }))
    .unwrap_or_else(|_| {
        Err(ReadError::Open {
            file: file.to_string(),
            reason: "工作簿内部结构损坏，无法读取；请用 Excel 打开后另存为 .xlsx 再导入"
                .to_string(),
        })
    })
}

fn excel_rows(
    file: &str,
    bytes: &[u8],
    limits: &ReadLimits,
) -> Result<(String, Vec<GridRow>), ReadError> {
    let open_err = |reason: String| ReadError::Open {
        file: file.to_string(),
        reason,
    };
    let limit_err = |detail: String| ReadError::Limit {
        file: file.to_string(),
        detail,
    };
    if bytes.starts_with(ZIP_MAGIC) {
        zipcheck::check(bytes, limits).map_err(|p| match p {
            ZipProblem::Broken(reason) => open_err(reason),
            ZipProblem::Limit(detail) => limit_err(detail),
        })?;
        let mut wb = Xlsx::new(Cursor::new(bytes)).map_err(|e| match e {
            XlsxError::Password => open_err(PASSWORD.to_string()),
            e => open_err(format!("不是有效的 .xlsx 文件（{e}）")),
        })?;
        let Some(name) = wb.sheet_names().first().cloned() else {
            return Err(ReadError::Empty {
                file: file.to_string(),
            });
        };
        let mut sheet = SparseSheet::new(file, &name, limits);
        {
            let mut reader = wb
                .worksheet_cells_reader(&name)
                .map_err(|e| open_err(format!("无法读取工作表“{name}”（{e}）")))?;
            while let Some(cell) = reader
                .next_cell()
                .map_err(|e| open_err(format!("无法读取工作表“{name}”（{e}）")))?
            {
                let (row, col) = cell.get_position();
                sheet.add(row, col, cell.get_value())?;
            }
        }
        let merged = wb
            .merge_cells_by_sheet_name(&name)
            .map_err(|e| open_err(format!("无法读取工作表“{name}”的合并单元格（{e}）")))?;
        let rows = sheet.finish(&merged)?;
        Ok((name, rows))
    } else if bytes.starts_with(OLE_MAGIC) {
        // An encrypted .xlsx is an OLE container too.
        if matches!(Xlsx::new(Cursor::new(bytes)), Err(XlsxError::Password)) {
            return Err(open_err(PASSWORD.to_string()));
        }
        biff::check(bytes, limits).map_err(|p| match p {
            BiffProblem::Broken(reason) => open_err(reason),
            BiffProblem::Limit(detail) => limit_err(detail),
        })?;
        let mut wb = Xls::new(Cursor::new(bytes)).map_err(|e| match e {
            XlsError::Password => open_err(PASSWORD.to_string()),
            e => open_err(format!("不是有效的 .xls 文件（{e}）")),
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
        let mut sheet = SparseSheet::new(file, &name, limits);
        for (row, col, value) in range.used_cells() {
            let (row0, col0) = range.start().unwrap_or((0, 0));
            sheet.add(row0 + row as u32, col0 + col as u32, &data_ref(value))?;
        }
        drop(range);
        let rows = sheet.finish(&merged)?;
        Ok((name, rows))
    } else if bytes.is_empty() {
        Err(open_err("文件是空的".to_string()))
    } else {
        Err(open_err(
            "文件内容不是 Excel 工作簿（可能是网页、PDF 或文本改了扩展名），请用 Excel 另存为 .xlsx 后再导入".to_string(),
        ))
    }
}

/// A borrowed view of an owned `Data`, so .xls cells go through the same path as .xlsx.
fn data_ref(d: &Data) -> DataRef<'_> {
    match d {
        Data::Int(i) => DataRef::Int(*i),
        Data::Float(f) => DataRef::Float(*f),
        Data::String(s) => DataRef::SharedString(s),
        Data::Bool(b) => DataRef::Bool(*b),
        Data::DateTime(dt) => DataRef::DateTime(*dt),
        Data::DateTimeIso(s) => DataRef::DateTimeIso(s.clone()),
        Data::DurationIso(s) => DataRef::DurationIso(s.clone()),
        Data::Error(e) => DataRef::Error(e.clone()),
        Data::Empty => DataRef::Empty,
    }
}

/// The cells of a worksheet as they are read, by row, with the caps counted as they grow;
/// `finish` lays them out as dense rows (`cells[i]` = column i) once the size is known to
/// be within the caps.
struct SparseSheet<'a> {
    file: &'a str,
    sheet: &'a str,
    limits: &'a ReadLimits,
    /// Rows as they are read, each as wide as its rightmost value so far (padded to the
    /// sheet's width in `finish`).
    rows: BTreeMap<u32, Vec<Cell>>,
    /// Cells the rows hold so far, blanks left of a value included.
    held: usize,
    /// Columns up to the rightmost value (errors and blank text included, as the used range
    /// of the sheet counts them).
    width: usize,
    first_row: u32,
    last_row: u32,
    any: bool,
    cells: usize,
    text_bytes: usize,
}

impl<'a> SparseSheet<'a> {
    fn new(file: &'a str, sheet: &'a str, limits: &'a ReadLimits) -> SparseSheet<'a> {
        SparseSheet {
            file,
            sheet,
            limits,
            rows: BTreeMap::new(),
            width: 0,
            first_row: 0,
            last_row: 0,
            any: false,
            cells: 0,
            text_bytes: 0,
            held: 0,
        }
    }

    fn limit(&self, detail: String) -> ReadError {
        ReadError::Limit {
            file: self.file.to_string(),
            detail: format!("工作表“{}”{detail}", self.sheet),
        }
    }

    fn add(&mut self, row: u32, col: u32, value: &DataRef<'_>) -> Result<(), ReadError> {
        if matches!(value, DataRef::Empty) {
            return Ok(());
        }
        let place = || format!("{}{}", column_name(col as usize), u64::from(row) + 1);
        let l = self.limits;
        if row as usize >= l.max_rows {
            return Err(self.limit(format!(
                "单元格 {} 在第{}行，超过行数上限 {} 行",
                place(),
                u64::from(row) + 1,
                l.max_rows
            )));
        }
        if col as usize >= l.max_columns {
            return Err(self.limit(format!(
                "单元格 {} 在第{}列，超过列数上限 {} 列（{}列）",
                place(),
                u64::from(col) + 1,
                l.max_columns,
                column_name(l.max_columns - 1)
            )));
        }
        if let Some(text) = ref_text(value) {
            let chars = text.chars().count();
            if chars > l.max_cell_chars {
                return Err(self.limit(format!(
                    "单元格 {} 有 {chars} 个字符，超过每格上限 {} 个",
                    place(),
                    l.max_cell_chars
                )));
            }
        }
        self.cells += 1;
        if self.cells > l.max_cells {
            return Err(self.limit(format!(
                "到单元格 {} 已超过 {} 个有内容的单元格（上限）",
                place(),
                l.max_cells
            )));
        }
        if self.any {
            self.first_row = self.first_row.min(row);
            self.last_row = self.last_row.max(row);
        } else {
            (self.first_row, self.last_row, self.any) = (row, row, true);
        }
        self.width = self.width.max(col as usize + 1);
        let cell = ref_to_cell(value);
        if cell == Cell::Empty {
            return Ok(());
        }
        if let Cell::Text(t) = &cell {
            self.text_bytes += t.len();
            if self.text_bytes > l.max_text_bytes {
                return Err(self.limit(format!(
                    "到单元格 {} 文字总量已超过上限 {}",
                    place(),
                    human_bytes(l.max_text_bytes as u64)
                )));
            }
        }
        let line = self.rows.entry(row).or_default();
        let col = col as usize;
        if line.len() <= col {
            self.held += col + 1 - line.len();
            if self.held > l.max_cells {
                return Err(self.limit(format!(
                    "到单元格 {} 已超过 {} 个单元格（上限；一行中值左边的空白也计入）",
                    place(),
                    l.max_cells
                )));
            }
            let line = self.rows.entry(row).or_default();
            line.resize(col + 1, Cell::Empty);
            line[col] = cell;
        } else {
            // A later cell at the same place wins, as in calamine's ranges.
            line[col] = cell;
        }
        Ok(())
    }

    /// Dense rows, blank rows dropped, merged regions filled with their top-left value
    /// (clipped to the used range: nothing outside it can carry data).
    fn finish(mut self, merged: &[Dimensions]) -> Result<Vec<GridRow>, ReadError> {
        let width = self.width;
        let rows = std::mem::take(&mut self.rows);
        let max_cells = self.limits.max_cells;
        let too_many = |rows: usize| {
            self.limit(format!(
                "共 {rows} 行 × {width} 列，超过单元格上限 {max_cells} 个（行数 × 最宽一行的列数，空白也计入）"
            ))
        };
        if rows.len().saturating_mul(width) > max_cells {
            return Err(too_many(rows.len()));
        }
        let mut dense = rows;
        for line in dense.values_mut() {
            line.resize(width, Cell::Empty);
        }
        for m in merged {
            let (top, left) = (m.start.0, m.start.1 as usize);
            if !self.any || top < self.first_row || top > self.last_row || left >= width {
                continue;
            }
            let Some(value) = dense.get(&top).map(|r| r[left].clone()) else {
                continue;
            };
            if value == Cell::Empty {
                continue;
            }
            let bottom = m.end.0.min(self.last_row);
            let right = (m.end.1 as usize).min(width - 1);
            for row in top..=bottom {
                if !dense.contains_key(&row) {
                    if (dense.len() + 1).saturating_mul(width) > max_cells {
                        return Err(too_many(dense.len() + 1));
                    }
                    dense.insert(row, vec![Cell::Empty; width]);
                }
                if let Some(line) = dense.get_mut(&row) {
                    for cell in &mut line[left..=right.max(left)] {
                        *cell = value.clone();
                    }
                }
            }
        }
        Ok(dense
            .into_iter()
            .filter(|(_, cells)| cells.iter().any(|c| *c != Cell::Empty))
            .map(|(row, cells)| GridRow {
                number: row as usize + 1,
                cells,
            })
            .collect())
    }
}

fn ref_text<'b>(d: &'b DataRef<'_>) -> Option<&'b str> {
    match d {
        DataRef::String(s) | DataRef::DateTimeIso(s) | DataRef::DurationIso(s) => Some(s),
        DataRef::SharedString(s) => Some(s),
        _ => None,
    }
}

fn ref_to_cell(d: &DataRef<'_>) -> Cell {
    match d {
        DataRef::String(s) => text_cell(s),
        DataRef::SharedString(s) => text_cell(s),
        DataRef::Float(f) => Cell::Number(*f),
        DataRef::Int(i) => Cell::Number(*i as f64),
        DataRef::Bool(b) => Cell::Bool(*b),
        DataRef::DateTime(dt) => date_time_cell(dt),
        DataRef::DateTimeIso(s) => iso_to_cell(s),
        DataRef::DurationIso(s) => text_cell(s),
        DataRef::Error(_) | DataRef::Empty => Cell::Empty,
    }
}

fn date_time_cell(dt: &ExcelDateTime) -> Cell {
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
/// else GB18030 (a superset of GBK and GB2312). Nothing is ever turned into U+FFFD: a byte
/// that is not text in the file's encoding is an error naming its row and column. The
/// encoding is UTF-8 when the file says so (its BOM), or when its Chinese text is UTF-8
/// and only a few bytes are not (a GBK name pasted into a UTF-8 roster); GB18030 when
/// the file is not UTF-8 at all.
fn decode_csv(file: &str, bytes: &[u8]) -> Result<String, ReadError> {
    if let Some(rest) = bytes.strip_prefix(b"\xEF\xBB\xBF") {
        return utf8(file, rest);
    }
    if bytes.starts_with(b"\xFF\xFE") {
        return utf16(file, encoding_rs::UTF_16LE, &bytes[2..]);
    }
    if bytes.starts_with(b"\xFE\xFF") {
        return utf16(file, encoding_rs::UTF_16BE, &bytes[2..]);
    }
    if std::str::from_utf8(bytes).is_ok() || mostly_utf8(bytes) {
        return utf8(file, bytes);
    }
    strict(
        file,
        encoding_rs::GB18030,
        bytes,
        "既不是 UTF-8 也不是 GBK 编码的文字",
    )
}

/// `bytes` as UTF-8, or the row and column of the first byte that is not.
fn utf8(file: &str, bytes: &[u8]) -> Result<String, ReadError> {
    match std::str::from_utf8(bytes) {
        Ok(s) => Ok(s.to_string()),
        Err(e) => {
            let before = std::str::from_utf8(&bytes[..e.valid_up_to()]).unwrap_or_default();
            let (row, column) = position(before);
            Err(ReadError::Encoding {
                file: file.to_string(),
                row,
                reason: format!(
                    "第{column}列含有无效的 UTF-8 字节（可能混入了 GBK 等其他编码的文字）：请把整个文件另存为 UTF-8 后再导入"
                ),
            })
        }
    }
}

fn utf16(
    file: &str,
    encoding: &'static encoding_rs::Encoding,
    bytes: &[u8],
) -> Result<String, ReadError> {
    strict(file, encoding, bytes, "无效的 UTF-16 字节")
}

/// `bytes` in `encoding`, or the row and column where a byte is not text in it.
fn strict(
    file: &str,
    encoding: &'static encoding_rs::Encoding,
    bytes: &[u8],
    what: &str,
) -> Result<String, ReadError> {
    if let Some(text) = encoding.decode_without_bom_handling_and_without_replacement(bytes) {
        return Ok(text.into_owned());
    }
    // Malformed: decode again, up to the bad byte, to say where it is.
    let mut decoder = encoding.new_decoder_without_bom_handling();
    let mut out = String::with_capacity(
        decoder
            .max_utf8_buffer_length_without_replacement(bytes.len())
            .unwrap_or(bytes.len() * 3),
    );
    let (result, _read) = decoder.decode_to_string_without_replacement(bytes, &mut out, true);
    match result {
        encoding_rs::DecoderResult::InputEmpty => Ok(out),
        // The buffer was sized for the whole input; a full one cannot happen.
        encoding_rs::DecoderResult::OutputFull => Err(ReadError::Open {
            file: file.to_string(),
            reason: "文件解码失败".to_string(),
        }),
        encoding_rs::DecoderResult::Malformed(..) => {
            let (row, column) = position(&out);
            Err(ReadError::Encoding {
                file: file.to_string(),
                row,
                reason: format!("第{column}列含有{what}：请把文件另存为 UTF-8 后再导入"),
            })
        }
    }
}

/// Whether bytes that are not valid UTF-8 are UTF-8 all the same, with a few bytes of
/// something else: their three- and four-byte characters (Chinese) outnumber the invalid
/// sequences at least four to one. GBK text makes a valid three-byte UTF-8 sequence only
/// by chance, for about one character in fifty, and an invalid one for nearly every
/// character.
fn mostly_utf8(bytes: &[u8]) -> bool {
    let (mut wide, mut invalid) = (0usize, 0usize);
    let mut rest = bytes;
    loop {
        match std::str::from_utf8(rest) {
            Ok(s) => {
                wide += s.chars().filter(|c| c.len_utf8() >= 3).count();
                break;
            }
            Err(e) => {
                let valid = std::str::from_utf8(&rest[..e.valid_up_to()]).unwrap_or_default();
                wide += valid.chars().filter(|c| c.len_utf8() >= 3).count();
                invalid += 1;
                let skip = e.error_len().unwrap_or(rest.len() - e.valid_up_to());
                rest = &rest[e.valid_up_to() + skip..];
                if rest.is_empty() {
                    break;
                }
            }
        }
    }
    wide >= 4 * invalid
}

/// The row and column (1-based, as `csv_rows` numbers them) at the end of `text`, the
/// decoded part of a CSV file before a bad byte: line breaks and separators inside
/// quotes do not count.
fn position(text: &str) -> (usize, usize) {
    let delimiter = sniff_delimiter(text) as char;
    let (mut row, mut column, mut quoted) = (1, 1, false);
    let mut chars = text.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '"' => quoted = !quoted,
            '\r' | '\n' if !quoted => {
                if c == '\r' && chars.peek() == Some(&'\n') {
                    chars.next();
                }
                row += 1;
                column = 1;
            }
            c if c == delimiter && !quoted => column += 1,
            _ => {}
        }
    }
    (row, column)
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

fn csv_rows(file: &str, bytes: &[u8], limits: &ReadLimits) -> Result<Vec<GridRow>, ReadError> {
    let text = decode_csv(file, bytes)?;
    let mut reader = csv::ReaderBuilder::new()
        .has_headers(false)
        .flexible(true)
        .delimiter(sniff_delimiter(&text))
        .from_reader(text.as_bytes());
    let mut rows = Vec::new();
    let mut record = csv::StringRecord::new();
    let limit = |detail: String| ReadError::Limit {
        file: file.to_string(),
        detail,
    };
    let (mut cells_held, mut text_bytes) = (0usize, 0usize);
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
        if !record.iter().any(|f| !f.trim().is_empty()) {
            continue;
        }
        if number > limits.max_rows {
            return Err(limit(format!(
                "第{number}行超过行数上限 {} 行",
                limits.max_rows
            )));
        }
        // Trailing empty fields hold nothing: only the columns up to the last value count.
        let used = record
            .iter()
            .enumerate()
            .filter(|(_, f)| !f.trim().is_empty())
            .last()
            .map_or(0, |(i, _)| i + 1);
        if used > limits.max_columns {
            return Err(limit(format!(
                "第{number}行有 {used} 列，超过列数上限 {} 列",
                limits.max_columns
            )));
        }
        for (i, field) in record.iter().enumerate() {
            let chars = field.chars().count();
            if chars > limits.max_cell_chars {
                return Err(limit(format!(
                    "第{number}行第{}列（{}列）有 {chars} 个字符，超过每格上限 {} 个",
                    i + 1,
                    column_name(i),
                    limits.max_cell_chars
                )));
            }
        }
        cells_held += record.len();
        if cells_held > limits.max_cells {
            return Err(limit(format!(
                "到第{number}行已超过 {} 个单元格（上限）",
                limits.max_cells
            )));
        }
        let cells: Vec<Cell> = record.iter().map(text_cell).collect();
        text_bytes += cells
            .iter()
            .map(|c| match c {
                Cell::Text(t) => t.len(),
                _ => 0,
            })
            .sum::<usize>();
        if text_bytes > limits.max_text_bytes {
            return Err(limit(format!(
                "到第{number}行文字总量已超过上限 {}",
                human_bytes(limits.max_text_bytes as u64)
            )));
        }
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
