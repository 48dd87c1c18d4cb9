//! Rating of grassroots orgs (分类定级、评星定级, SPEC C5): dated indicator sets per domain,
//! the facts of one org and year they are scored from, and `rate` — pure.
//!
//! Each indicator is derived from records or scored by hand, has a weight, and scores
//! 0–100, "no data" (暂无数据) or "not applicable" (不适用). An indicator without data is
//! never scored 0 or 100: it is left out of the weighted mean, and the rating says how much
//! of the applicable weight had data; below the set's minimum no stars are given.
//!
//! The shipped sets live in `crates/domain/rules/indicators-*.json`, embedded and listed
//! in [`SHIPPED_INDICATOR_FILES`]; the organization department may store edited copies.

mod indicators;
mod scoring;

pub use crate::year_facts::*;
pub use indicators::*;
pub use scoring::*;

#[cfg(test)]
pub(crate) mod tests;
