//! The periods a scorecard is built for: a year, a half-year (the analysis reports a
//! department files) or a quarter.

use serde::{Deserialize, Serialize};

use crate::survey::SurveyPeriod;
use crate::Date;

/// A scorecard's period.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub enum ScorePeriod {
    Year(i32),
    /// The first (1) or second (2) half of the year.
    Half(i32, u32),
    /// The quarter 1–4.
    Quarter(i32, u32),
}

const QUARTERS: [&str; 4] = ["一", "二", "三", "四"];

impl ScorePeriod {
    /// `2026`, `2026H1`, `2026H2`, `2026Q1`…`2026Q4` (also `2026-H1`, `2026上半年`,
    /// `2026下半年`, `2026年度`, `2026年第三季度`).
    pub fn parse(s: &str) -> Result<ScorePeriod, String> {
        let t = s.trim().to_ascii_uppercase().replace(['-', ' '], "");
        let bad = || {
            format!(
                "无法识别的期间“{}”（应为 2026、2026H1、2026H2 或 2026Q3）",
                s.trim()
            )
        };
        if t.len() < 4 || !t.is_char_boundary(4) {
            return Err(bad());
        }
        let (year, rest) = t.split_at(4);
        if !year.bytes().all(|b| b.is_ascii_digit()) {
            return Err(bad());
        }
        let year: i32 = year.parse().map_err(|_| bad())?;
        if !(2000..=2100).contains(&year) {
            return Err(bad());
        }
        let rest = rest.trim_start_matches('年');
        let quarter = |q: &str| -> Option<u32> {
            if let Some(d) = q.strip_prefix('Q') {
                return d.parse().ok().filter(|q| (1..=4).contains(q));
            }
            let n = q.strip_prefix('第')?.strip_suffix("季度")?;
            QUARTERS.iter().position(|c| *c == n).map(|i| i as u32 + 1)
        };
        match rest {
            "" | "度" => Ok(ScorePeriod::Year(year)),
            "H1" | "上半年" => Ok(ScorePeriod::Half(year, 1)),
            "H2" | "下半年" => Ok(ScorePeriod::Half(year, 2)),
            q => quarter(q)
                .map(|q| ScorePeriod::Quarter(year, q))
                .ok_or_else(bad),
        }
    }

    /// As stored and in links: `2026`, `2026H2`, `2026Q3`.
    pub fn code(self) -> String {
        match self {
            ScorePeriod::Year(y) => y.to_string(),
            ScorePeriod::Half(y, h) => format!("{y}H{h}"),
            ScorePeriod::Quarter(y, q) => format!("{y}Q{q}"),
        }
    }

    /// `2026年度`, `2026年上半年`, `2026年第三季度`.
    pub fn label(self) -> String {
        match self {
            ScorePeriod::Year(y) => format!("{y}年度"),
            ScorePeriod::Half(y, 1) => format!("{y}年上半年"),
            ScorePeriod::Half(y, _) => format!("{y}年下半年"),
            ScorePeriod::Quarter(y, q) => {
                format!("{y}年第{}季度", QUARTERS[(q.clamp(1, 4) - 1) as usize])
            }
        }
    }

    /// A short label for a chart's axis: `2026年`, `2026上`, `2026Q3`.
    pub fn short(self) -> String {
        match self {
            ScorePeriod::Year(y) => format!("{y}年"),
            ScorePeriod::Half(y, 1) => format!("{y}上"),
            ScorePeriod::Half(y, _) => format!("{y}下"),
            ScorePeriod::Quarter(y, q) => format!("{y}Q{q}"),
        }
    }

    pub fn year(self) -> i32 {
        match self {
            ScorePeriod::Year(y) | ScorePeriod::Half(y, _) | ScorePeriod::Quarter(y, _) => y,
        }
    }

    /// The first and last months of the period.
    fn months(self) -> (u32, u32) {
        match self {
            ScorePeriod::Year(_) => (1, 12),
            ScorePeriod::Half(_, 1) => (1, 6),
            ScorePeriod::Half(..) => (7, 12),
            ScorePeriod::Quarter(_, q) => {
                let q = q.clamp(1, 4);
                ((q - 1) * 3 + 1, q * 3)
            }
        }
    }

    pub fn first_day(self) -> Date {
        Date::from_ymd_opt(self.year(), self.months().0, 1).expect("a valid day")
    }

    pub fn last_day(self) -> Date {
        let (y, m) = (self.year(), self.months().1);
        let (ny, nm) = if m == 12 { (y + 1, 1) } else { (y, m + 1) };
        Date::from_ymd_opt(ny, nm, 1)
            .and_then(|d| d.pred_opt())
            .expect("a valid day")
    }

    /// The 群众满意度测评 period whose survey the period reads: a year its own, a
    /// half-year its own, a quarter its half-year's.
    pub fn survey(self) -> SurveyPeriod {
        match self {
            ScorePeriod::Year(y) => SurveyPeriod::Year(y),
            ScorePeriod::Half(y, h) => SurveyPeriod::Half(y, h),
            ScorePeriod::Quarter(y, q) => SurveyPeriod::Half(y, if q <= 2 { 1 } else { 2 }),
        }
    }
}

impl std::fmt::Display for ScorePeriod {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.code())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(s: &str) -> Date {
        s.parse().unwrap()
    }

    #[test]
    fn parses_years_halves_and_quarters_in_either_script() {
        for (s, p) in [
            ("2026", ScorePeriod::Year(2026)),
            ("2026年度", ScorePeriod::Year(2026)),
            ("2026H1", ScorePeriod::Half(2026, 1)),
            ("2026-h2", ScorePeriod::Half(2026, 2)),
            ("2026下半年", ScorePeriod::Half(2026, 2)),
            ("2026Q3", ScorePeriod::Quarter(2026, 3)),
            ("2026-q1", ScorePeriod::Quarter(2026, 1)),
            ("2026年第四季度", ScorePeriod::Quarter(2026, 4)),
        ] {
            assert_eq!(ScorePeriod::parse(s), Ok(p), "{s}");
            assert_eq!(ScorePeriod::parse(&p.code()), Ok(p));
        }
        for s in [
            "",
            "26",
            "2026Q5",
            "2026Q0",
            "2026H3",
            "2026-08",
            "二〇二六",
            "2026第五季度",
        ] {
            let e = ScorePeriod::parse(s).unwrap_err();
            assert!(e.contains("2026Q3"), "{s}: {e}");
        }
    }

    #[test]
    fn days_labels_and_the_survey_read() {
        let q = ScorePeriod::Quarter(2026, 3);
        assert_eq!(
            (q.first_day(), q.last_day()),
            (d("2026-07-01"), d("2026-09-30"))
        );
        assert_eq!(q.label(), "2026年第三季度");
        assert_eq!(q.survey(), SurveyPeriod::Half(2026, 2));
        let h = ScorePeriod::Half(2026, 1);
        assert_eq!(
            (h.first_day(), h.last_day()),
            (d("2026-01-01"), d("2026-06-30"))
        );
        assert_eq!(ScorePeriod::Year(2026).last_day(), d("2026-12-31"));
        assert_eq!(ScorePeriod::Quarter(2026, 4).last_day(), d("2026-12-31"));
    }
}
