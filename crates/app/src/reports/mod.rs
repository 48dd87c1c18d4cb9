//! Derived reports for any subtree: structure anomalies, coverage, member structure.
//! Each is a plain serializable value (the JSON of the CLI and the API) and can be laid
//! out as an Excel workbook.

pub mod compliance;
pub mod coverage;
pub mod members;
pub mod rectification;
pub mod structure;
pub mod weak;

use serde::Serialize;

/// An org as reports name it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct OrgRef {
    pub code: String,
    pub name: String,
}

impl OrgRef {
    pub fn of(o: &jiceng_domain::Org) -> OrgRef {
        OrgRef {
            code: o.code.clone(),
            name: o.name.clone(),
        }
    }
}

/// A rate rounded for display (four decimals), `None` when nothing to divide.
pub(crate) fn round4(v: Option<f64>) -> Option<f64> {
    v.map(|x| (x * 10_000.0).round() / 10_000.0)
}
