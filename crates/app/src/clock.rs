//! "Today" for records and deadlines: the calendar date in China Standard Time (UTC+8, no
//! daylight saving), unless overridden with `JICENG_TODAY=YYYY-MM-DD` (for tests and for
//! reproducing a report as it was).

use chrono::{FixedOffset, NaiveDate, Utc};

pub fn today() -> NaiveDate {
    if let Ok(s) = std::env::var("JICENG_TODAY") {
        if let Ok(d) = NaiveDate::parse_from_str(s.trim(), "%Y-%m-%d") {
            return d;
        }
    }
    let cst = FixedOffset::east_opt(8 * 3600).expect("valid offset");
    Utc::now().with_timezone(&cst).date_naive()
}

/// A day that can be moved while a server runs (clones share it): a journey test sets it
/// to watch a deadline pass. Unset, it changes nothing.
#[derive(Debug, Clone, Default)]
pub struct SharedDay(std::sync::Arc<std::sync::RwLock<Option<NaiveDate>>>);

impl SharedDay {
    pub fn set(&self, day: NaiveDate) {
        *self.0.write().expect("shared day") = Some(day);
    }

    pub fn get(&self) -> Option<NaiveDate> {
        *self.0.read().expect("shared day")
    }
}
