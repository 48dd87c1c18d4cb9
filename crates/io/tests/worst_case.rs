//! The memory a file just within the default caps costs to read, for the figures in the
//! docs. Slow (it writes workbooks of millions of cells), so ignored by default; run one at
//! a time, each in its own process (VmHWM is process-wide):
//!
//! ```sh
//! cargo test --release -p jiceng-io --test worst_case -- --ignored --exact cells_at_the_cap --nocapture
//! cargo test --release -p jiceng-io --test worst_case -- --ignored --exact text_at_the_cap --nocapture
//! ```

mod common;
mod hostile;

use common::Scratch;
use jiceng_io::{read_grid, ReadLimits};

fn measure(label: &str, rows: u32, cols: u16, text: impl Fn(u32, u16) -> String) {
    let s = Scratch::new("worst");
    let p = s.path("worst.xlsx");
    {
        let mut wb = rust_xlsxwriter::Workbook::new();
        let ws = wb.add_worksheet();
        for r in 0..rows {
            for c in 0..cols {
                ws.write_string(r, c, text(r, c)).unwrap();
            }
        }
        wb.save(&p).unwrap();
    }
    let size = std::fs::metadata(&p).unwrap().len();
    let before = hostile::peak_rss_kib();
    let grid = read_grid(&p).unwrap();
    let after = hostile::peak_rss_kib();
    eprintln!(
        "{label}: {rows} rows × {cols} columns, file {:.1} MB, peak RSS {} MiB before reading, {} MiB after (+{} MiB)",
        size as f64 / 1048576.0,
        before / 1024,
        after / 1024,
        (after - before) / 1024
    );
    assert_eq!(grid.rows.len(), rows as usize);
}

#[test]
#[ignore]
fn cells_at_the_cap() {
    // 250,000 rows × 20 columns = 5,000,000 cells (the default cap), distinct short texts.
    let l = ReadLimits::DEFAULT;
    assert_eq!(250_000 * 20, l.max_cells);
    measure("cells", 250_000, 20, |r, c| format!("{r}-{c}"));
}

#[test]
#[ignore]
fn text_at_the_cap() {
    // 1,000,000 cells of 130 characters ≈ the 128 MiB text cap, all distinct.
    measure("text", 100_000, 10, |r, c| {
        format!("{r:>10}{c:>4}{}", "文".repeat(38))
    });
}
