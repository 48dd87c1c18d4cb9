//! Rewrites `crates/gen/data/county.csv`, the county embedded in the binary, from the
//! division tables: `cargo run -p jiceng-gen --example extract_embedded_county`
//! (`JICENG_DIVISIONS_DIR` names the tables when they are not at `../shared/data/divisions`).
//! The test `embedded_county_matches_the_tables` checks the two agree.

use std::path::Path;

use jiceng_gen::divisions::{default_data_dir, EMBEDDED_COUNTY_CODE};
use jiceng_gen::Divisions;

fn main() {
    let dir = default_data_dir();
    let d = Divisions::load(&dir, Some(EMBEDDED_COUNTY_CODE))
        .unwrap_or_else(|e| panic!("division tables at {}: {e}", dir.display()));
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("data/county.csv");
    std::fs::write(&path, d.to_csv()).expect("write data/county.csv");
    println!("wrote {}", path.display());
}
