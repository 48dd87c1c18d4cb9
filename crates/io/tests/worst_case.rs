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

/// Writes the workbook here, then reads it in a child process (this test binary running
/// `read_the_file`): writing it costs more memory than reading, and VmHWM keeps the peak.
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
    let out = std::process::Command::new(std::env::current_exe().unwrap())
        .args(["--ignored", "--exact", "read_the_file", "--nocapture"])
        .env("JICENG_WORST_FILE", &p)
        .output()
        .unwrap();
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "{err}");
    let line = err
        .lines()
        .find(|l| l.starts_with("read "))
        .expect("the child's figures");
    eprintln!(
        "{label}: {rows} rows × {cols} columns, file {:.1} MB; {line}",
        size as f64 / 1048576.0
    );
}

/// The child: reads `JICENG_WORST_FILE` and prints its rows and the peak RSS.
#[test]
#[ignore]
fn read_the_file() {
    let Some(p) = std::env::var_os("JICENG_WORST_FILE") else {
        return;
    };
    let before = hostile::peak_rss_kib();
    let grid = read_grid(std::path::Path::new(&p)).unwrap();
    let after = hostile::peak_rss_kib();
    eprintln!(
        "read {} rows: peak RSS {} MiB before reading, {} MiB after",
        grid.rows.len(),
        before / 1024,
        after / 1024
    );
}

#[test]
#[ignore]
fn cells_at_the_cap() {
    // 250,000 rows × 20 columns = 5,000,000 cells (the default cap); 800,000 distinct
    // short texts (within the shared-string cap).
    let l = ReadLimits::DEFAULT;
    assert_eq!(250_000 * 20, l.max_cells);
    measure("cells", 250_000, 20, |r, c| format!("{}-{c}", r % 40_000));
}

#[test]
#[ignore]
fn text_at_the_cap() {
    // 1,000,000 cells of 130 characters ≈ the 128 MiB text cap, all distinct.
    measure("text", 100_000, 10, |r, c| {
        format!("{r:>10}{c:>4}{}", "文".repeat(38))
    });
}
