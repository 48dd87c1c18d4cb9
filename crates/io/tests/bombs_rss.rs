//! The far-corner bomb of the security review (a 5 KB .xlsx with values at A1 and
//! XFD1048576 once made the reader allocate 549 GB and abort the process) and the
//! whitespace bomb of the reliability review (2 MB → 2.1 GB): read here in bounded memory.
//! VmHWM is process-wide, so this file holds one test and runs in its own process.

mod common;
mod hostile;

use common::Scratch;
use hostile::*;
use jiceng_io::{read_grid, ReadError};

#[test]
fn bombs_are_refused_in_bounded_memory() {
    let s = Scratch::new("rss");
    let files = [
        ("corner.xlsx", far_corner()),
        (
            "far-row.xlsx",
            workbook(
                Some("A1:AZ1048576"),
                &[
                    row(1, &[cell("A1", "姓名")]),
                    row(1_048_576, &[cell("AZ1048576", "x")]),
                ],
                None,
            ),
        ),
        ("spaces.xlsx", inflating_workbook(&[b' '; 1 << 20], 2048)),
        (
            "sst.xlsx",
            workbook(
                None,
                &[row(1, &[cell("A1", "姓名")])],
                Some(&shared_strings(u32::MAX as u64, 1)),
            ),
        ),
    ];
    let paths: Vec<_> = files
        .iter()
        .map(|(name, bytes)| {
            let p = s.path(name);
            std::fs::write(&p, bytes).unwrap();
            p
        })
        .collect();
    drop(files);
    let before = peak_rss_kib();
    let corner = read_grid(&paths[0]).unwrap_err();
    assert!(matches!(corner, ReadError::Limit { .. }), "{corner:?}");
    let far_row = read_grid(&paths[1]).unwrap();
    assert_eq!(far_row.rows.len(), 2);
    assert!(matches!(read_grid(&paths[2]), Err(ReadError::Limit { .. })));
    assert!(matches!(read_grid(&paths[3]), Err(ReadError::Limit { .. })));
    let growth_mib = (peak_rss_kib() - before) / 1024;
    eprintln!(
        "peak RSS before {} MiB, growth reading four bombs: {growth_mib} MiB",
        before / 1024
    );
    assert!(growth_mib < 100, "peak RSS grew by {growth_mib} MiB");
}
