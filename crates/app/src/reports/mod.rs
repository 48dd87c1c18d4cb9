//! Derived reports for any subtree: structure anomalies, coverage, member structure.
//! Each is a plain serializable value (the JSON of the CLI and the API) and can be laid
//! out as an Excel workbook.

pub mod analysis;
pub mod compliance;
pub mod coverage;
pub mod members;
pub mod recruitment;
pub mod rectification;
pub mod structure;
pub mod transfers;
pub mod weak;

pub use crate::OrgRef;

/// A rate rounded for display (four decimals), `None` when nothing to divide.
pub(crate) fn round4(v: Option<f64>) -> Option<f64> {
    v.map(|x| (x * 10_000.0).round() / 10_000.0)
}
