//! Working days by the official calendar (国务院办公厅 节假日安排): holidays and the
//! weekend days worked instead (调休上班) are data, `rules/calendar-cn.json`. A year the
//! file does not list is reckoned by weekends alone, and says so.

use std::collections::{BTreeMap, BTreeSet};

use chrono::{Datelike, Weekday};
use serde::Deserialize;

use crate::Date;

/// The shipped calendar, embedded at build time.
pub const SHIPPED_CALENDAR: &str = include_str!("../../rules/calendar-cn.json");

#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct WorkCalendar {
    pub source: String,
    holidays: BTreeSet<Date>,
    workdays: BTreeSet<Date>,
    years: BTreeSet<i32>,
}

#[derive(Deserialize)]
struct File {
    source: String,
    years: BTreeMap<i32, Year>,
}

#[derive(Deserialize)]
struct Year {
    holidays: Vec<(Date, Date)>,
    workdays: Vec<Date>,
}

impl WorkCalendar {
    /// The calendar shipped with jiceng.
    pub fn shipped() -> WorkCalendar {
        WorkCalendar::parse(SHIPPED_CALENDAR).expect("the shipped calendar parses")
    }

    pub fn parse(json: &str) -> Result<WorkCalendar, String> {
        let file: File = serde_json::from_str(json).map_err(|e| e.to_string())?;
        let mut cal = WorkCalendar {
            source: file.source,
            ..WorkCalendar::default()
        };
        for (year, y) in file.years {
            cal.years.insert(year);
            for (from, to) in y.holidays {
                if to < from {
                    return Err(format!("{year}: 假期 {from} 至 {to} 起止颠倒"));
                }
                cal.holidays
                    .extend(from.iter_days().take_while(|d| *d <= to));
            }
            cal.workdays.extend(y.workdays);
        }
        Ok(cal)
    }

    /// Whether the calendar knows the holidays of `year` (else weekends alone count).
    pub fn knows(&self, year: i32) -> bool {
        self.years.contains(&year)
    }

    pub fn is_working_day(&self, day: Date) -> bool {
        if self.workdays.contains(&day) {
            return true;
        }
        if self.holidays.contains(&day) {
            return false;
        }
        !matches!(day.weekday(), Weekday::Sat | Weekday::Sun)
    }

    /// Working days from `from` to `to`, both included (0 when `to` is before `from`).
    pub fn working_days(&self, from: Date, to: Date) -> u32 {
        from.iter_days()
            .take_while(|d| *d <= to)
            .filter(|d| self.is_working_day(*d))
            .count() as u32
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(s: &str) -> Date {
        s.parse().unwrap()
    }

    #[test]
    fn weekends_holidays_and_worked_weekends() {
        let cal = WorkCalendar::shipped();
        assert!(cal.knows(2026) && !cal.knows(2031));
        // Mon 2026-03-02 to Fri 03-06: five working days.
        assert_eq!(cal.working_days(d("2026-03-02"), d("2026-03-06")), 5);
        // Over a weekend: Thu to Wed is five.
        assert_eq!(cal.working_days(d("2026-03-05"), d("2026-03-11")), 5);
        // 国庆: 10-01 to 10-07 off, Sat 10-10 worked.
        assert_eq!(cal.working_days(d("2026-10-01"), d("2026-10-07")), 0);
        assert!(cal.is_working_day(d("2026-10-10")));
        assert!(!cal.is_working_day(d("2026-02-16")));
        assert!(cal.is_working_day(d("2026-02-14")));
        assert_eq!(cal.working_days(d("2026-03-06"), d("2026-03-05")), 0);
    }

    #[test]
    fn a_reversed_holiday_is_refused() {
        let bad = r#"{"source":"x","years":{"2026":{"holidays":[["2026-01-03","2026-01-01"]],"workdays":[]}}}"#;
        assert!(WorkCalendar::parse(bad).unwrap_err().contains("起止颠倒"));
    }
}
