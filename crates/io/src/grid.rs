//! Reading a spreadsheet file into a grid of cells.

use std::path::Path;

use chrono::NaiveDate;

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
pub fn read_grid(path: &Path) -> Result<Grid, ReadError> {
    let _ = path;
    todo!("H1")
}
