//! How evidence lines print numbers, dates, periods and money (rating and the weakness
//! diagnosis share them, so that a figure reads the same on both pages).

use crate::{Date, Period};

/// One decimal.
pub fn round1(x: f64) -> f64 {
    (x * 10.0).round() / 10.0
}

/// A share as a percentage with one decimal (`den` > 0).
pub fn pct(num: i64, den: i64) -> String {
    format!("{:.1}%", num as f64 * 100.0 / den as f64)
}

/// A day as 2026-06-30.
pub fn ymd(d: Date) -> String {
    d.format("%Y-%m-%d").to_string()
}

/// A run of periods: 2026年1月至2026年6月.
pub fn periods_label(periods: &[Period]) -> String {
    match periods {
        [] => String::new(),
        [one] => one.label(),
        [first, .., last] => format!("{}至{}", first.label(), last.label()),
    }
}

/// An amount in 元, or 万元 from ten thousand.
pub fn yuan(v: f64) -> String {
    if v >= 10_000.0 {
        format!("{:.2}万元", v / 10_000.0)
    } else {
        format!("{v:.0}元")
    }
}
