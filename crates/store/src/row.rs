//! Reading stored rows: the fields named after their columns, and the columns stored in
//! words of their own (dates as ISO text, flags as 0/1, years as BIGINT, enums as codes).

use sqlx::any::AnyRow;
use sqlx::Row;

use crate::{parse_date_text, Result, StoreError};

/// A struct read from a row, written as its literal: a field given alone (shorthand) is
/// read from the column of its name, `field: expression` as given.
/// `from_row!(r, Lease { holder, pid, beat_at: r.date("beat_at")? })`.
macro_rules! from_row {
    ($row:expr, $T:ident { $($body:tt)* }) => {
        from_row!(@read $row, $T, [] $($body)*)
    };
    (@read $row:expr, $T:ident, [$($done:tt)*]) => {{
        use sqlx::Row as _;
        $T { $($done)* }
    }};
    (@read $row:expr, $T:ident, [$($done:tt)*] $f:ident : $e:expr $(, $($rest:tt)*)?) => {
        from_row!(@read $row, $T, [$($done)* $f: $e,] $($($rest)*)?)
    };
    (@read $row:expr, $T:ident, [$($done:tt)*] $f:ident $(, $($rest:tt)*)?) => {
        from_row!(@read $row, $T, [$($done)* $f: $row.try_get(stringify!($f))?,] $($($rest)*)?)
    };
}
pub(crate) use from_row;

/// The columns stored in words of their own.
pub(crate) trait Cells {
    /// A date stored as ISO text.
    fn date(&self, col: &str) -> Result<chrono::NaiveDate>;
    /// A date stored as ISO text, or NULL.
    fn opt_date(&self, col: &str) -> Result<Option<chrono::NaiveDate>>;
    /// The `year` column (BIGINT).
    fn year(&self) -> Result<i32>;
    /// A flag stored as 0/1.
    fn flag(&self, col: &str) -> Result<bool>;
    /// Text that may be NULL, read as empty.
    fn text_or_empty(&self, col: &str) -> Result<String>;
    /// A value stored as its code; an unknown code is corruption, named by `what`.
    fn coded<T>(&self, col: &str, what: &str, parse: impl FnOnce(&str) -> Option<T>) -> Result<T>;
    /// A value stored as its code, or NULL.
    fn opt_coded<T>(
        &self,
        col: &str,
        what: &str,
        parse: impl FnOnce(&str) -> Option<T>,
    ) -> Result<Option<T>>;
}

impl Cells for AnyRow {
    fn date(&self, col: &str) -> Result<chrono::NaiveDate> {
        parse_date_text(&self.try_get::<String, _>(col)?)
    }

    fn opt_date(&self, col: &str) -> Result<Option<chrono::NaiveDate>> {
        crate::opt_date(self.try_get(col)?)
    }

    fn year(&self) -> Result<i32> {
        Ok(self.try_get::<i64, _>("year")? as i32)
    }

    fn flag(&self, col: &str) -> Result<bool> {
        Ok(self.try_get::<i64, _>(col)? != 0)
    }

    fn text_or_empty(&self, col: &str) -> Result<String> {
        Ok(self.try_get::<Option<String>, _>(col)?.unwrap_or_default())
    }

    fn coded<T>(&self, col: &str, what: &str, parse: impl FnOnce(&str) -> Option<T>) -> Result<T> {
        let code: String = self.try_get(col)?;
        parse(&code).ok_or_else(|| StoreError::Corrupt(format!("{what} {code}")))
    }

    fn opt_coded<T>(
        &self,
        col: &str,
        what: &str,
        parse: impl FnOnce(&str) -> Option<T>,
    ) -> Result<Option<T>> {
        match self.try_get::<Option<String>, _>(col)? {
            Some(code) => parse(&code)
                .map(Some)
                .ok_or_else(|| StoreError::Corrupt(format!("{what} {code}"))),
            None => Ok(None),
        }
    }
}
