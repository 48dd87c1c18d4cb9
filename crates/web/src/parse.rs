//! What the pages and the API read from text the same way: meeting kinds, days, periods
//! and whole numbers, each refused with a Chinese message naming what was typed.

use chrono::NaiveDate;
use jiceng_domain::{MeetingKind, Period};

/// A meeting kind by its code (`ThemeDay`) or its Chinese name (主题党日, 支委会 …).
pub(crate) fn parse_kind(s: &str) -> Result<Option<MeetingKind>, String> {
    let s = s.trim();
    if s.is_empty() {
        return Ok(None);
    }
    MeetingKind::parse_label(s)
        .map(Some)
        .ok_or_else(|| format!("无法识别的会议类型“{s}”"))
}

/// Meeting kinds from a label that may combine several (主题党日暨党员大会) and a list of
/// codes or labels; empty is none.
pub(crate) fn parse_kinds(label: &str, more: &[String]) -> Result<Vec<MeetingKind>, String> {
    let mut out = Vec::new();
    for s in std::iter::once(label).chain(more.iter().map(String::as_str)) {
        let s = s.trim();
        if s.is_empty() {
            continue;
        }
        let ks = MeetingKind::from_code(s)
            .map(|k| vec![k])
            .or_else(|| MeetingKind::parse_labels(s))
            .ok_or_else(|| format!("无法识别的会议类型“{s}”"))?;
        out.extend(ks);
    }
    out.sort();
    out.dedup();
    Ok(out)
}

/// A date as `YYYY-MM-DD`; empty is none.
pub(crate) fn parse_day(s: &str, what: &str) -> Result<Option<NaiveDate>, String> {
    let s = s.trim();
    if s.is_empty() {
        return Ok(None);
    }
    NaiveDate::parse_from_str(s, "%Y-%m-%d")
        .map(Some)
        .map_err(|_| format!("{what}格式应为 年-月-日（如 2026-06-30）：{s}"))
}

/// A period (`2026-06`, `2026Q2`, `2026`), this month when empty.
pub(crate) fn parse_period(s: Option<&str>, today: NaiveDate) -> Result<Period, String> {
    match s.map(str::trim).filter(|s| !s.is_empty()) {
        None => Ok(Period::month_of(today)),
        Some(p) => {
            let period = Period::parse(p)?;
            // A period not begun has no records to count: refused, not reported as empty.
            if period.first_day() > today {
                return Err(format!("统计期间{period}尚未开始（今天是{today}）"));
            }
            Ok(period)
        }
    }
}

/// A query parameter `name` as a whole number; absent or blank is none.
pub(crate) fn parse_int(name: &str, v: &Option<String>) -> Result<Option<i64>, String> {
    match v.as_deref().map(str::trim).filter(|s| !s.is_empty()) {
        None => Ok(None),
        Some(s) => s
            .parse()
            .map(Some)
            .map_err(|_| format!("参数 {name} 应为整数：{s}")),
    }
}

/// A submitted form's fields by name, in the order posted (a name may repeat: ticked
/// boxes, one select per member).
pub(crate) struct Fields(pub Vec<(String, String)>);

impl Fields {
    /// The first value of `name`, or empty.
    pub fn get(&self, name: &str) -> String {
        self.0
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.clone())
            .unwrap_or_default()
    }

    /// Whether a box `name` was ticked.
    pub fn ticked(&self, name: &str) -> bool {
        !self.get(name).is_empty()
    }

    /// Every non-empty value of a repeated `name` (ticked boxes).
    pub fn all(&self, name: &str) -> Vec<String> {
        self.0
            .iter()
            .filter(|(k, v)| k == name && !v.is_empty())
            .map(|(_, v)| v.clone())
            .collect()
    }

    /// Each field whose name starts with `prefix`, with the rest of its name: the
    /// `g_<member>` of a form with one select per member.
    pub fn prefixed<'a>(&'a self, prefix: &'a str) -> impl Iterator<Item = (&'a str, &'a str)> {
        self.0
            .iter()
            .filter_map(move |(k, v)| Some((k.strip_prefix(prefix)?, v.as_str())))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_period_not_begun_is_refused() {
        let today = NaiveDate::from_ymd_opt(2026, 6, 30).unwrap();
        assert_eq!(
            parse_period(Some("2026Q2"), today),
            Ok(Period::Quarter(2026, 2))
        );
        assert_eq!(parse_period(Some("2026"), today), Ok(Period::Year(2026)));
        let refused = parse_period(Some("2026-07"), today).unwrap_err();
        assert!(refused.contains("尚未开始"), "{refused}");
        assert!(parse_period(Some("2027"), today).is_err());
    }

    #[test]
    fn kinds_days_periods_and_numbers_are_read_or_refused_in_chinese() {
        assert_eq!(
            parse_kind(" 支委会 "),
            Ok(Some(MeetingKind::CommitteeMeeting))
        );
        assert_eq!(parse_kind(""), Ok(None));
        assert_eq!(
            parse_kind("茶话会"),
            Err("无法识别的会议类型“茶话会”".into())
        );
        assert_eq!(
            parse_kinds("主题党日暨党员大会", &["PartyLecture".into()]),
            Ok(vec![
                MeetingKind::GeneralMeeting,
                MeetingKind::PartyLecture,
                MeetingKind::ThemeDay
            ])
        );
        let day = NaiveDate::from_ymd_opt(2026, 6, 30).unwrap();
        assert_eq!(parse_day("2026-06-30", "会议日期"), Ok(Some(day)));
        assert!(parse_day("2026-6-3x", "会议日期")
            .unwrap_err()
            .starts_with("会议日期格式应为"));
        assert_eq!(parse_period(None, day), Ok(Period::Month(2026, 6)));
        assert_eq!(
            parse_period(Some("2026Q2"), day),
            Ok(Period::Quarter(2026, 2))
        );
        assert_eq!(parse_int("page", &Some(" 3 ".into())), Ok(Some(3)));
        assert_eq!(
            parse_int("page", &Some("x".into())),
            Err("参数 page 应为整数：x".into())
        );
    }
}
