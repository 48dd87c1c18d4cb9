//! Parsing cells the way real rosters write them.

use chrono::NaiveDate;

use crate::Cell;

/// Trims, folds full-width ASCII (digits, letters, punctuation, the ideographic space) to
/// half-width, drops zero-width characters and NBSP, collapses inner whitespace runs to one
/// space.
pub fn normalize_text(s: &str) -> String {
    let _ = s;
    todo!("H1")
}

/// A date from a date cell, an Excel serial number (1900 date system), or text:
/// "1985.3.12", "1985年3月12日", "1985/03/12", "1985-3-12", "19850312", "1985.03" (the
/// first of the month), with full-width digits already folded. Errors are Chinese.
pub fn parse_date(cell: &Cell) -> Result<NaiveDate, String> {
    let _ = cell;
    todo!("H1")
}

/// A whole number from a number cell or text ("12", "12人", "1,200"). Errors are Chinese.
pub fn parse_int(cell: &Cell) -> Result<i64, String> {
    let _ = cell;
    todo!("H1")
}
