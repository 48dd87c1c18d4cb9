//! How much of a spreadsheet the reader accepts: every cap on what an uploaded file may make
//! the process hold, in one place, with defaults well above a real roster.

use std::sync::RwLock;

/// The caps applied while a file is read (`read_grid_with`). A file beyond any of them is
/// refused with `ReadError::Limit`, naming the file, where the cap was reached and the cap,
/// before the memory it would need is allocated.
///
/// The defaults accept a roster far larger than a county's (a county has some 50,000
/// members; the defaults take 250,000 rows of 20 columns) and keep the memory one read may
/// take to a few hundred MB whatever the file claims: measured (`tests/worst_case.rs`),
/// 5,000,000 cells of 800,000 distinct texts peak at 429 MiB, 1,000,000 cells of 128 bytes
/// (the text cap) at 361 MiB; the bombs of `tests/bombs_rss.rs` add under 1 MiB.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReadLimits {
    /// Size of the file as stored (an .xlsx is compressed). Default 64 MiB.
    pub max_file_bytes: u64,
    /// Total size of an .xlsx's zip entries once inflated, counted while inflating (the
    /// sizes the zip directory declares are checked too, but a zip bomb lies about them).
    /// Default 512 MiB.
    pub max_unzipped_bytes: u64,
    /// The highest row number a value may sit in (Excel's own maximum: 1,048,576).
    pub max_rows: usize,
    /// The highest column a value may sit in (1-based; default 1,024, column AMJ: a roster
    /// form has a few dozen).
    pub max_columns: usize,
    /// Cells the grid may hold, counted as rows with data × the widest row's columns (so
    /// it bounds the non-empty cells too). Default 5,000,000.
    pub max_cells: usize,
    /// Characters in one cell (Excel's own maximum: 32,767).
    pub max_cell_chars: usize,
    /// Bytes of text (UTF-8) in all cells together. Default 128 MiB.
    pub max_text_bytes: usize,
    /// Entries of an .xlsx's shared-string table (declared and counted). Default 1,000,000.
    pub max_shared_strings: usize,
}

impl ReadLimits {
    pub const DEFAULT: ReadLimits = ReadLimits {
        max_file_bytes: 64 * 1024 * 1024,
        max_unzipped_bytes: 512 * 1024 * 1024,
        max_rows: 1_048_576,
        max_columns: 1_024,
        max_cells: 5_000_000,
        max_cell_chars: 32_767,
        max_text_bytes: 128 * 1024 * 1024,
        max_shared_strings: 1_000_000,
    };

    /// The longest single XML token (a text run or a tag) an .xlsx part may hold: the XML
    /// parser buffers one token whole, so a sheet of nothing but whitespace must not
    /// become one buffer of gigabytes. Ten bytes per character of the cell cap (a
    /// character escaped as `&#x10FFFF;`) plus 64 KiB for the tag around it.
    pub fn max_xml_token_bytes(&self) -> usize {
        self.max_cell_chars
            .saturating_mul(10)
            .saturating_add(64 * 1024)
    }

    /// The limits with every cap given in `JICENG_IMPORT_MAX_*` environment variables
    /// replacing the default (`JICENG_IMPORT_MAX_FILE_MB`, `..._UNZIPPED_MB`, `..._ROWS`,
    /// `..._COLUMNS`, `..._CELLS`, `..._CELL_CHARS`, `..._TEXT_MB`, `..._SHARED_STRINGS`).
    /// A value that is not a positive whole number is an error naming the variable.
    pub fn from_env() -> Result<ReadLimits, String> {
        Self::from_lookup(|name| std::env::var(name).ok())
    }

    /// As `from_env`, with the variables looked up by `get` (for tests and the CLI).
    pub fn from_lookup(get: impl Fn(&str) -> Option<String>) -> Result<ReadLimits, String> {
        let mut l = ReadLimits::DEFAULT;
        let num = |name: &str| -> Result<Option<u64>, String> {
            match get(name) {
                None => Ok(None),
                Some(v) if v.trim().is_empty() => Ok(None),
                Some(v) => match v.trim().parse::<u64>() {
                    Ok(n) if n > 0 => Ok(Some(n)),
                    _ => Err(format!("环境变量 {name} 的值“{v}”无效：应为正整数")),
                },
            }
        };
        const MB: u64 = 1024 * 1024;
        if let Some(n) = num("JICENG_IMPORT_MAX_FILE_MB")? {
            l.max_file_bytes = n.saturating_mul(MB);
        }
        if let Some(n) = num("JICENG_IMPORT_MAX_UNZIPPED_MB")? {
            l.max_unzipped_bytes = n.saturating_mul(MB);
        }
        if let Some(n) = num("JICENG_IMPORT_MAX_ROWS")? {
            l.max_rows = n as usize;
        }
        if let Some(n) = num("JICENG_IMPORT_MAX_COLUMNS")? {
            l.max_columns = n as usize;
        }
        if let Some(n) = num("JICENG_IMPORT_MAX_CELLS")? {
            l.max_cells = n as usize;
        }
        if let Some(n) = num("JICENG_IMPORT_MAX_CELL_CHARS")? {
            l.max_cell_chars = n as usize;
        }
        if let Some(n) = num("JICENG_IMPORT_MAX_TEXT_MB")? {
            l.max_text_bytes = n.saturating_mul(MB) as usize;
        }
        if let Some(n) = num("JICENG_IMPORT_MAX_SHARED_STRINGS")? {
            l.max_shared_strings = n as usize;
        }
        Ok(l)
    }
}

impl Default for ReadLimits {
    fn default() -> ReadLimits {
        ReadLimits::DEFAULT
    }
}

static CONFIGURED: RwLock<ReadLimits> = RwLock::new(ReadLimits::DEFAULT);

/// Sets the limits `read_grid` applies in this process (the CLI and `jiceng serve` call it
/// once at start from their flags and environment).
pub fn configure_limits(limits: ReadLimits) {
    *CONFIGURED.write().unwrap_or_else(|e| e.into_inner()) = limits;
}

/// The limits `read_grid` applies: `ReadLimits::DEFAULT` unless `configure_limits` was called.
pub fn configured_limits() -> ReadLimits {
    CONFIGURED.read().unwrap_or_else(|e| e.into_inner()).clone()
}

/// A byte count for a message: "64 MB", "1.5 MB", "900 KB".
pub(crate) fn human_bytes(n: u64) -> String {
    const MB: u64 = 1024 * 1024;
    if n >= MB {
        if n.is_multiple_of(MB) {
            format!("{} MB", n / MB)
        } else {
            format!("{:.1} MB", n as f64 / MB as f64)
        }
    } else {
        format!("{} KB", n.div_ceil(1024))
    }
}

/// The spreadsheet name of a 0-based column: 0 → A, 25 → Z, 26 → AA, 16383 → XFD.
pub fn column_name(mut col: usize) -> String {
    let mut out = Vec::new();
    loop {
        out.push(b'A' + (col % 26) as u8);
        if col < 26 {
            break;
        }
        col = col / 26 - 1;
    }
    out.reverse();
    String::from_utf8(out).unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn column_names() {
        assert_eq!(column_name(0), "A");
        assert_eq!(column_name(25), "Z");
        assert_eq!(column_name(26), "AA");
        assert_eq!(column_name(1023), "AMJ");
        assert_eq!(column_name(16383), "XFD");
    }

    #[test]
    fn env_overrides_and_refuses_nonsense() {
        let l = ReadLimits::from_lookup(|n| match n {
            "JICENG_IMPORT_MAX_ROWS" => Some("1000".into()),
            "JICENG_IMPORT_MAX_FILE_MB" => Some("8".into()),
            _ => None,
        })
        .unwrap();
        assert_eq!(l.max_rows, 1000);
        assert_eq!(l.max_file_bytes, 8 * 1024 * 1024);
        assert_eq!(l.max_cells, ReadLimits::DEFAULT.max_cells);
        let e = ReadLimits::from_lookup(|n| (n == "JICENG_IMPORT_MAX_CELLS").then(|| "-3".into()))
            .unwrap_err();
        assert!(e.contains("JICENG_IMPORT_MAX_CELLS"), "{e}");
    }
}
