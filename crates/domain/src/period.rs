//! Calendar periods (a month, a quarter, a year) that organizational life, compliance and
//! every report are judged over, in China's calendar; parsed from 2026-08, 2026Q3 or 2026.

use std::fmt;

use chrono::Datelike;
use serde::{Deserialize, Serialize};

use crate::Date;

/// How often an obligation falls due.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub enum Cadence {
    Monthly,
    Quarterly,
    Yearly,
}

/// A calendar period: a month, a quarter or a year.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Period {
    Month(i32, u32),
    Quarter(i32, u32),
    Year(i32),
}

impl Period {
    /// Parses `2026-08` (or `2026-8`, `202608`), `2026Q3` (or `2026-Q3`, `2026q3`) and `2026`.
    pub fn parse(s: &str) -> Result<Period, String> {
        let t: String = s.trim().to_ascii_uppercase();
        let bad = || {
            format!(
                "无法识别的期间“{}”（应为 2026-08、2026Q3 或 2026）",
                s.trim()
            )
        };
        let year = |y: &str| -> Result<i32, String> {
            if y.len() != 4 || !y.bytes().all(|b| b.is_ascii_digit()) {
                return Err(bad());
            }
            y.parse::<i32>().map_err(|_| bad())
        };
        if let Some((y, q)) = t.split_once('Q') {
            let y = year(y.trim_end_matches('-'))?;
            let q: u32 = q.parse().map_err(|_| bad())?;
            if !(1..=4).contains(&q) {
                return Err(bad());
            }
            return Ok(Period::Quarter(y, q));
        }
        let (y, m) = if let Some((y, m)) = t.split_once(['-', '/', '.']) {
            (y, Some(m))
        } else if t.len() == 6 && t.bytes().all(|b| b.is_ascii_digit()) {
            (&t[..4], Some(&t[4..]))
        } else {
            (t.as_str(), None)
        };
        let y = year(y)?;
        match m {
            None => Ok(Period::Year(y)),
            Some(m) => {
                if m.is_empty() || m.len() > 2 || !m.bytes().all(|b| b.is_ascii_digit()) {
                    return Err(bad());
                }
                let m: u32 = m.parse().map_err(|_| bad())?;
                if !(1..=12).contains(&m) {
                    return Err(bad());
                }
                Ok(Period::Month(y, m))
            }
        }
    }

    pub fn month_of(d: Date) -> Period {
        Period::Month(d.year(), d.month())
    }

    pub fn quarter_of(d: Date) -> Period {
        Period::Quarter(d.year(), (d.month() - 1) / 3 + 1)
    }

    pub fn year_of(d: Date) -> Period {
        Period::Year(d.year())
    }

    /// The span of `cadence` that holds `d`.
    pub fn of(cadence: Cadence, d: Date) -> Period {
        match cadence {
            Cadence::Monthly => Period::month_of(d),
            Cadence::Quarterly => Period::quarter_of(d),
            Cadence::Yearly => Period::year_of(d),
        }
    }

    pub fn first_day(self) -> Date {
        let (y, m) = match self {
            Period::Month(y, m) => (y, m),
            Period::Quarter(y, q) => (y, (q - 1) * 3 + 1),
            Period::Year(y) => (y, 1),
        };
        Date::from_ymd_opt(y, m, 1).expect("valid period")
    }

    pub fn last_day(self) -> Date {
        let (y, m) = match self {
            Period::Month(y, m) => (y, m),
            Period::Quarter(y, q) => (y, q * 3),
            Period::Year(y) => (y, 12),
        };
        let (ny, nm) = if m == 12 { (y + 1, 1) } else { (y, m + 1) };
        Date::from_ymd_opt(ny, nm, 1)
            .expect("valid period")
            .pred_opt()
            .expect("a day before")
    }

    pub fn contains(self, d: Date) -> bool {
        self.first_day() <= d && d <= self.last_day()
    }

    /// The months of the period, in order.
    pub fn months(self) -> Vec<Period> {
        let (y, from, to) = match self {
            Period::Month(y, m) => (y, m, m),
            Period::Quarter(y, q) => (y, (q - 1) * 3 + 1, q * 3),
            Period::Year(y) => (y, 1, 12),
        };
        (from..=to).map(|m| Period::Month(y, m)).collect()
    }

    /// The quarters wholly inside the period (none for a month).
    pub fn quarters(self) -> Vec<Period> {
        match self {
            Period::Month(..) => vec![],
            Period::Quarter(..) => vec![self],
            Period::Year(y) => (1..=4).map(|q| Period::Quarter(y, q)).collect(),
        }
    }

    /// The years wholly inside the period (none for a month or a quarter).
    pub fn years(self) -> Vec<Period> {
        match self {
            Period::Year(_) => vec![self],
            _ => vec![],
        }
    }

    /// The spans of `cadence` judged in this period (see `compliance`).
    pub fn spans(self, cadence: Cadence) -> Vec<Period> {
        match cadence {
            Cadence::Monthly => self.months(),
            Cadence::Quarterly => self.quarters(),
            Cadence::Yearly => self.years(),
        }
    }

    /// `YYYY-MM` of a month (the key of the stored monthly facts).
    pub fn month_key(self) -> Option<String> {
        match self {
            Period::Month(y, m) => Some(format!("{y:04}-{m:02}")),
            _ => None,
        }
    }

    /// The Chinese name: 2026年8月, 2026年第3季度, 2026年.
    pub fn label(self) -> String {
        match self {
            Period::Month(y, m) => format!("{y}年{m}月"),
            Period::Quarter(y, q) => format!("{y}年第{q}季度"),
            Period::Year(y) => format!("{y}年"),
        }
    }
}

impl fmt::Display for Period {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Period::Month(y, m) => write!(f, "{y:04}-{m:02}"),
            Period::Quarter(y, q) => write!(f, "{y:04}Q{q}"),
            Period::Year(y) => write!(f, "{y:04}"),
        }
    }
}

impl std::str::FromStr for Period {
    type Err = String;
    fn from_str(s: &str) -> Result<Period, String> {
        Period::parse(s)
    }
}

impl Serialize for Period {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&self.to_string())
    }
}

impl<'de> Deserialize<'de> for Period {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Period, D::Error> {
        let s = String::deserialize(d)?;
        Period::parse(&s).map_err(serde::de::Error::custom)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(s: &str) -> Date {
        Date::parse_from_str(s, "%Y-%m-%d").unwrap()
    }

    #[test]
    fn periods_parse_and_bound() {
        assert_eq!(Period::parse("2026Q3"), Ok(Period::Quarter(2026, 3)));
        assert_eq!(Period::parse("2026-q3"), Ok(Period::Quarter(2026, 3)));
        assert_eq!(Period::parse("2026-08"), Ok(Period::Month(2026, 8)));
        assert_eq!(Period::parse("2026-8"), Ok(Period::Month(2026, 8)));
        assert_eq!(Period::parse("202608"), Ok(Period::Month(2026, 8)));
        assert_eq!(Period::parse(" 2026 "), Ok(Period::Year(2026)));
        for bad in [
            "2026Q5",
            "2026Q0",
            "2026-13",
            "26",
            "2026-",
            "Q3",
            "abc",
            "",
            // Six bytes that are not six digits (a period typed in words) are refused,
            // not sliced inside a character.
            "三月",
            "年月",
            "2026年8月",
            "二〇二六",
        ] {
            assert!(Period::parse(bad).is_err(), "{bad}");
        }
        let q = Period::Quarter(2026, 3);
        assert_eq!(q.to_string(), "2026Q3");
        assert_eq!(
            (q.first_day(), q.last_day()),
            (d("2026-07-01"), d("2026-09-30"))
        );
        assert!(!q.contains(d("2026-06-30")));
        assert!(q.contains(d("2026-07-01")));
        assert!(q.contains(d("2026-09-30")));
        assert!(!q.contains(d("2026-10-01")));
        assert_eq!(Period::Month(2024, 2).last_day(), d("2024-02-29"));
        assert_eq!(Period::Month(2026, 12).last_day(), d("2026-12-31"));
        assert_eq!(Period::Year(2026).months().len(), 12);
        assert_eq!(Period::Year(2026).quarters().len(), 4);
        assert_eq!(
            q.months(),
            vec![
                Period::Month(2026, 7),
                Period::Month(2026, 8),
                Period::Month(2026, 9)
            ]
        );
        assert_eq!(Period::Month(2026, 8).to_string(), "2026-08");
        assert_eq!(Period::Month(2026, 8).label(), "2026年8月");
        assert_eq!(
            Period::quarter_of(d("2026-12-31")),
            Period::Quarter(2026, 4)
        );
        let json = serde_json::to_string(&q).unwrap();
        assert_eq!(json, "\"2026Q3\"");
        assert_eq!(serde_json::from_str::<Period>(&json).unwrap(), q);
    }

    proptest::proptest! {
        // Every period prints as it parses, and its bounds hold exactly its days.
        #[test]
        fn periods_round_trip(y in 1990i32..2100, m in 1u32..=12, q in 1u32..=4, off in 0i64..400) {
            for p in [Period::Month(y, m), Period::Quarter(y, q), Period::Year(y)] {
                proptest::prop_assert_eq!(Period::parse(&p.to_string()), Ok(p));
                let day = p.first_day() + chrono::Days::new(off as u64);
                proptest::prop_assert_eq!(p.contains(day), day <= p.last_day());
                proptest::prop_assert!(!p.contains(p.first_day().pred_opt().unwrap()));
                let months = p.months();
                proptest::prop_assert_eq!(months[0].first_day(), p.first_day());
                proptest::prop_assert_eq!(months[months.len() - 1].last_day(), p.last_day());
            }
        }
    }
}
