//! Finding the header row and the columns by name.

use crate::{Cell, Grid};

/// A column the importer knows: its canonical name and the aliases real rosters use.
#[derive(Debug, Clone, Copy)]
pub struct ColumnSpec {
    pub name: &'static str,
    pub aliases: &'static [&'static str],
    pub required: bool,
}

/// Where the header is and which spreadsheet column holds each spec (by index into
/// `specs`; `None` when absent).
#[derive(Debug, Clone, PartialEq)]
pub struct HeaderMatch {
    /// Index into `Grid::rows` of the header row; data rows follow it.
    pub header_index: usize,
    /// For each spec, the cell index in a row.
    pub columns: Vec<Option<usize>>,
    /// For each spec, the header text as the file wrote it (for error messages).
    pub titles: Vec<Option<String>>,
}

#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum HeaderError {
    #[error("文件 {file} 中找不到表头行（应包含列：{expected}）")]
    NotFound { file: String, expected: String },
    #[error("文件 {file} 第{row}行表头缺少必填列：{missing}")]
    Missing { file: String, row: usize, missing: String },
}

/// Looks in the first 20 rows for the row that matches the most specs (title rows above
/// it are skipped). Header cells match a spec when, after removing spaces, `*`, `＊`,
/// brackets and notes like "（必填）" or "(yyyy-mm-dd)", they equal its name or an alias.
pub fn locate_header(grid: &Grid, specs: &[ColumnSpec]) -> Result<HeaderMatch, HeaderError> {
    let _ = (grid, specs);
    let _ = Cell::Empty;
    todo!("H1")
}
