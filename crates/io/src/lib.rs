//! Spreadsheets in and out. Reading turns an .xlsx, .xls or .csv file into a `Grid` of
//! normalised cells with the row numbers the user sees; `header` finds the header row and
//! the columns by name; `cells` parses dates and numbers the way real rosters write them;
//! `xlsx` writes workbooks.

pub mod cells;
pub mod grid;
pub mod header;
pub mod xlsx;

pub use cells::{normalize_text, parse_date, parse_int};
pub use grid::{read_grid, Cell, Grid, GridRow, ReadError};
pub use header::{locate_header, ColumnSpec, HeaderError, HeaderMatch};
pub use xlsx::{workbook_bytes, write_workbook, OutCell, Sheet};
