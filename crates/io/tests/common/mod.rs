//! Shared helpers: a per-test scratch directory and small constructors.
#![allow(dead_code)]

use std::path::PathBuf;
use std::sync::atomic::{AtomicUsize, Ordering};

use chrono::NaiveDate;
use jiceng_io::{Cell, ColumnSpec, Grid, GridRow};

static COUNTER: AtomicUsize = AtomicUsize::new(0);

/// A fresh, empty directory under the system temp dir, removed when dropped.
pub struct Scratch {
    pub dir: PathBuf,
}

impl Scratch {
    pub fn new(label: &str) -> Scratch {
        let n = COUNTER.fetch_add(1, Ordering::SeqCst);
        let dir =
            std::env::temp_dir().join(format!("jiceng-io-test-{}-{label}-{n}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).expect("create scratch dir");
        Scratch { dir }
    }

    pub fn path(&self, name: &str) -> PathBuf {
        self.dir.join(name)
    }
}

impl Drop for Scratch {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}

pub fn t(s: &str) -> Cell {
    Cell::Text(s.to_string())
}

pub fn n(x: f64) -> Cell {
    Cell::Number(x)
}

pub fn d(y: i32, m: u32, day: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, day).unwrap()
}

/// A grid from rows of text ("" = empty), numbered 1, 2, 3, ...
pub fn text_grid(rows: &[&[&str]]) -> Grid {
    Grid {
        file: "名册.xlsx".to_string(),
        sheet: "Sheet1".to_string(),
        rows: rows
            .iter()
            .enumerate()
            .map(|(i, cells)| GridRow {
                number: i + 1,
                cells: cells
                    .iter()
                    .map(|s| if s.is_empty() { Cell::Empty } else { t(s) })
                    .collect(),
            })
            .collect(),
    }
}

/// The row with spreadsheet row number `number`.
pub fn row(grid: &Grid, number: usize) -> &GridRow {
    grid.rows
        .iter()
        .find(|r| r.number == number)
        .unwrap_or_else(|| panic!("no row {number} in {:?}", grid.rows))
}

/// A column to look for: its name, the other titles it goes by, whether it must be there.
pub const fn spec(
    name: &'static str,
    aliases: &'static [&'static str],
    required: bool,
) -> ColumnSpec {
    ColumnSpec {
        name,
        aliases,
        required,
    }
}

/// Header titles as `locate_header` reports them.
pub fn titles(found: &[Option<&str>]) -> Vec<Option<String>> {
    found.iter().map(|t| t.map(str::to_string)).collect()
}
