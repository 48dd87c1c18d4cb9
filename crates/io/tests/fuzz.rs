//! Fuzzing the reader and the header locator with proptest (cargo fuzz needs nightly):
//! arbitrary bytes, and mutations of a small valid .xlsx and .csv, named .xlsx, .xls and
//! .csv. Nothing may panic, and what is read stays within the limits it was read with.
//! The case counts keep the file to a few seconds.

mod common;
mod hostile;

use common::{spec, Scratch};
use jiceng_io::{locate_header, read_grid_with, ColumnSpec, ReadLimits};
use proptest::prelude::*;

const SPECS: [ColumnSpec; 3] = [
    spec("姓名", &["名字"], true),
    spec("公民身份号码", &["身份证号"], true),
    spec("入党日期", &[], false),
];

/// Small caps, so a mutation that grows something meets them.
fn limits() -> ReadLimits {
    ReadLimits {
        max_file_bytes: 1 << 20,
        max_unzipped_bytes: 4 << 20,
        max_rows: 10_000,
        max_columns: 64,
        max_cells: 20_000,
        max_cell_chars: 500,
        max_text_bytes: 1 << 20,
        max_shared_strings: 1_000,
    }
}

fn check(bytes: &[u8], name: &str) {
    let s = Scratch::new("fuzz");
    let p = s.path(name);
    std::fs::write(&p, bytes).unwrap();
    let l = limits();
    if let Ok(grid) = read_grid_with(&p, &l) {
        assert!(grid.rows.len() <= l.max_rows);
        let cells: usize = grid.rows.iter().map(|r| r.cells.len()).sum();
        assert!(cells <= l.max_cells, "{cells} cells");
        for r in &grid.rows {
            assert!(r.number >= 1 && r.number <= l.max_rows);
            assert!(r.cells.len() <= l.max_columns);
        }
        let _ = locate_header(&grid, &SPECS);
    }
}

#[derive(Debug, Clone)]
enum Mutation {
    Flip(usize, u8),
    Cut(usize),
    Insert(usize, Vec<u8>),
    Remove(usize, usize),
}

fn mutations() -> impl Strategy<Value = Vec<Mutation>> {
    let one = prop_oneof![
        (any::<usize>(), any::<u8>()).prop_map(|(i, b)| Mutation::Flip(i, b)),
        any::<usize>().prop_map(Mutation::Cut),
        (any::<usize>(), prop::collection::vec(any::<u8>(), 1..16))
            .prop_map(|(i, v)| Mutation::Insert(i, v)),
        (any::<usize>(), 1usize..64).prop_map(|(i, n)| Mutation::Remove(i, n)),
    ];
    prop::collection::vec(one, 1..6)
}

fn mutate(mut bytes: Vec<u8>, ms: &[Mutation]) -> Vec<u8> {
    for m in ms {
        if bytes.is_empty() {
            break;
        }
        let len = bytes.len();
        match m {
            Mutation::Flip(i, b) => bytes[i % len] ^= b | 1,
            Mutation::Cut(i) => bytes.truncate(i % len),
            Mutation::Insert(i, v) => {
                let at = i % len;
                bytes.splice(at..at, v.iter().copied());
            }
            Mutation::Remove(i, n) => {
                let at = i % len;
                let end = (at + n).min(len);
                bytes.drain(at..end);
            }
        }
    }
    bytes
}

/// An .xlsx stored without compression, so mutations hit the XML itself.
fn stored_xlsx() -> Vec<u8> {
    use std::io::Write;
    use zip::write::SimpleFileOptions;
    let src = hostile::small_roster();
    let mut archive = zip::ZipArchive::new(std::io::Cursor::new(src)).unwrap();
    let mut out = std::io::Cursor::new(Vec::new());
    {
        let mut w = zip::ZipWriter::new(&mut out);
        let opts = SimpleFileOptions::default().compression_method(zip::CompressionMethod::Stored);
        for i in 0..archive.len() {
            let mut f = archive.by_index(i).unwrap();
            let mut body = Vec::new();
            std::io::Read::read_to_end(&mut f, &mut body).unwrap();
            w.start_file(f.name().unwrap().into_owned(), opts).unwrap();
            w.write_all(&body).unwrap();
        }
        w.finish().unwrap();
    }
    out.into_inner()
}

const CSV: &str = "\u{feff}花名册\n姓名,公民身份号码,入党日期\n张三,11010519491231002X,2001-07-01\n\"李 四\",110105194912310038,\"2001年7月1日\"\n";

proptest! {
    #![proptest_config(ProptestConfig { cases: 200, failure_persistence: None, ..ProptestConfig::default() })]

    #[test]
    fn arbitrary_bytes(bytes in prop::collection::vec(any::<u8>(), 0..2048), ext in 0usize..3) {
        let name = ["a.xlsx", "a.xls", "a.csv"][ext];
        check(&bytes, name);
        // Behind each magic number too, so the container readers see them.
        let mut zip = b"PK\x03\x04".to_vec();
        zip.extend_from_slice(&bytes);
        check(&zip, "z.xlsx");
        let mut ole = vec![0xD0, 0xCF, 0x11, 0xE0, 0xA1, 0xB1, 0x1A, 0xE1];
        ole.extend_from_slice(&bytes);
        check(&ole, "o.xls");
    }

    #[test]
    fn mutated_xlsx(ms in mutations(), stored in any::<bool>()) {
        let base = if stored { stored_xlsx() } else { hostile::small_roster() };
        check(&mutate(base, &ms), "m.xlsx");
    }

    #[test]
    fn mutated_xml_parts(sheet_ms in mutations(), shared_ms in mutations()) {
        let (sheet, shared) = hostile::roster_parts();
        let bytes = hostile::workbook_with_parts(
            &mutate(sheet.into_bytes(), &sheet_ms),
            &mutate(shared.into_bytes(), &shared_ms),
        );
        check(&bytes, "x.xlsx");
    }

    #[test]
    fn mutated_csv(ms in mutations()) {
        check(&mutate(CSV.as_bytes().to_vec(), &ms), "m.csv");
    }
}

#[test]
fn the_unmutated_seeds_read() {
    let s = Scratch::new("seed");
    let (sheet, shared) = hostile::roster_parts();
    let p = s.path("seed.xlsx");
    std::fs::write(
        &p,
        hostile::workbook_with_parts(sheet.as_bytes(), shared.as_bytes()),
    )
    .unwrap();
    let grid = read_grid_with(&p, &limits()).unwrap();
    let numbers: Vec<usize> = grid.rows.iter().map(|r| r.number).collect();
    // C3 is part of the merged C2:C3: filled with C2's value.
    assert_eq!(numbers, [1, 2, 3]);
    assert_eq!(grid.rows[1].cells[0], jiceng_io::Cell::Text("张三".into()));
    assert_eq!(grid.rows[2].cells[2], grid.rows[1].cells[2]);
    assert!(locate_header(&grid, &SPECS).is_ok());
    let p = s.path("seed.csv");
    std::fs::write(&p, CSV).unwrap();
    assert_eq!(read_grid_with(&p, &limits()).unwrap().rows.len(), 4);
    let p = s.path("stored.xlsx");
    std::fs::write(&p, stored_xlsx()).unwrap();
    assert_eq!(read_grid_with(&p, &limits()).unwrap().rows.len(), 3);
}
