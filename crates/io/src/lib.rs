//! Spreadsheets in and out. Reading turns an .xlsx, .xls or .csv file into a `Grid` of
//! normalised cells with the row numbers the user sees; `header` finds the header row and
//! the columns by name; `cells` parses dates and numbers the way real rosters write them;
//! `xlsx` writes workbooks; `docx` writes documents in the official layout.

mod biff;
pub mod cells;
pub mod chart;
pub mod docx;
pub mod grid;
pub mod header;
pub mod limits;
pub mod xlsx;
mod zipcheck;

pub use cells::{normalize_text, parse_date, parse_int};
pub use grid::{read_grid, read_grid_with, Cell, Grid, GridRow, ReadError};
pub use header::{locate_header, ColumnSpec, HeaderError, HeaderMatch};
pub use limits::{configure_limits, configured_limits, ReadLimits};
pub use xlsx::{
    workbook_bytes, workbook_bytes_with_choices, write_workbook, Choices, OutCell, Sheet,
};
