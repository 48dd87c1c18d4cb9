//! Writing .xlsx workbooks in the layout a county office files: a title row, a header
//! row, the data, column widths that fit Chinese text, frozen header.

use std::path::Path;

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
    let _ = (path, sheets);
    todo!("H1")
}

/// The same workbook as bytes (for web downloads).
pub fn workbook_bytes(sheets: &[Sheet]) -> Result<Vec<u8>, String> {
    let _ = sheets;
    todo!("H1")
}
