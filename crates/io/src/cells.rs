//! Parsing cells the way real rosters write them.

use chrono::{Datelike, Duration, NaiveDate};

use crate::Cell;

/// The largest Excel serial date (9999-12-31) in the 1900 date system.
const MAX_SERIAL: f64 = 2_958_465.0;

/// Trims, folds full-width ASCII (digits, letters, punctuation, the ideographic space) to
/// half-width, drops zero-width characters and NBSP, collapses inner whitespace runs to one
/// space.
pub fn normalize_text(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    // True while the last character pushed was a (collapsed) space; starts true so that
    // leading whitespace is dropped.
    let mut pending_space = false;
    for c in s.chars() {
        let c = match c {
            '\u{FF01}'..='\u{FF5E}' => char::from_u32(c as u32 - 0xFEE0).unwrap_or(c),
            '\u{3000}' | '\u{00A0}' => ' ',
            '\u{200B}'..='\u{200D}' | '\u{FEFF}' | '\u{2060}' => continue,
            other => other,
        };
        if c.is_whitespace() {
            pending_space = true;
            continue;
        }
        if pending_space && !out.is_empty() {
            out.push(' ');
        }
        pending_space = false;
        out.push(c);
    }
    out
}

/// A date from a date cell, an Excel serial number (1900 date system), or text:
/// "1985.3.12", "1985年3月12日", "1985/03/12", "1985-3-12", "19850312", "1985.03" (the
/// first of the month), with full-width digits already folded. Errors are Chinese.
///
/// Also accepted: a trailing time ("1985-03-12 00:00:00", "1985-03-12T08:30"), a trailing
/// separator ("1985.3.12."), spaces anywhere, "198503" (first of the month), an 8-digit
/// number cell read as YYYYMMDD (19850312), a 6-digit number cell read as YYYYMM when it
/// looks like one (198503), and 5-digit text that is an Excel serial ("31118").
pub fn parse_date(cell: &Cell) -> Result<NaiveDate, String> {
    match cell {
        Cell::Date(d) => Ok(*d),
        Cell::Empty => Err("日期为空".to_string()),
        Cell::Bool(b) => Err(format!(
            "无法识别的日期：{}",
            if *b { "TRUE" } else { "FALSE" }
        )),
        Cell::Number(n) => date_from_number(*n),
        Cell::Text(t) => {
            let t = normalize_text(t);
            if t.is_empty() {
                return Err("日期为空".to_string());
            }
            date_from_text(&t)
        }
    }
}

/// An Excel serial date (1900 system, with Excel's fake 1900-02-29 as serial 60) to a
/// date. The fraction (time of day) is dropped.
pub fn excel_serial_to_date(serial: f64) -> Result<NaiveDate, String> {
    let shown = fmt_number(serial);
    if !(1.0..MAX_SERIAL + 1.0).contains(&serial) {
        return Err(format!("无法识别的日期：{shown}"));
    }
    let days = serial.floor() as i64;
    if days == 60 {
        return Err(format!("日期不存在：{shown}（1900-02-29）"));
    }
    let base = if days < 60 {
        NaiveDate::from_ymd_opt(1899, 12, 31)
    } else {
        NaiveDate::from_ymd_opt(1899, 12, 30)
    }
    .expect("valid base date");
    base.checked_add_signed(Duration::days(days))
        .ok_or_else(|| format!("无法识别的日期：{shown}"))
}

/// The Excel serial (1900 system) of a date; the inverse of [`excel_serial_to_date`] for
/// dates from 1900-03-01 on.
pub fn date_to_excel_serial(date: NaiveDate) -> f64 {
    let base = NaiveDate::from_ymd_opt(1899, 12, 30).expect("valid base date");
    let days = (date - base).num_days();
    if date < NaiveDate::from_ymd_opt(1900, 3, 1).expect("valid date") {
        (days - 1) as f64
    } else {
        days as f64
    }
}

fn date_from_number(n: f64) -> Result<NaiveDate, String> {
    let shown = fmt_number(n);
    if !n.is_finite() {
        return Err(format!("无法识别的日期：{shown}"));
    }
    if n.fract() == 0.0 {
        // 19850312 → 1985-03-12
        if (10_000_101.0..=99_991_231.0).contains(&n) {
            let v = n as i64;
            return ymd_checked(v / 10_000, v / 100 % 100, v % 100, &shown);
        }
        // 198503 → 1985-03-01, only where it cannot sensibly be a serial (serial 198503
        // is in the year 2443).
        if (180_001.0..=210_012.0).contains(&n) {
            let v = n as i64;
            let (y, m) = (v / 100, v % 100);
            if (1..=12).contains(&m) {
                return ymd_checked(y, m, 1, &shown);
            }
        }
    }
    excel_serial_to_date(n)
}

fn date_from_text(t: &str) -> Result<NaiveDate, String> {
    let invalid = || format!("无法识别的日期：{t}");
    let date_part = strip_time(t);
    let s: String = date_part.chars().filter(|c| !c.is_whitespace()).collect();
    if s.is_empty() {
        return Err(invalid());
    }

    if s.chars().all(|c| c.is_ascii_digit()) {
        return match s.len() {
            8 => {
                let v: i64 = s.parse().map_err(|_| invalid())?;
                ymd_checked(v / 10_000, v / 100 % 100, v % 100, t)
            }
            6 => {
                let v: i64 = s.parse().map_err(|_| invalid())?;
                ymd_checked(v / 100, v % 100, 1, t)
            }
            // An Excel serial that lost its date format on the way (e.g. through a CSV).
            5 => {
                let v: f64 = s.parse().map_err(|_| invalid())?;
                excel_serial_to_date(v).map_err(|_| invalid())
            }
            _ => Err(invalid()),
        };
    }

    // Split into digit groups separated by single date separators; a trailing separator
    // ("1985.3.12." or "1985年3月12日") is fine.
    let mut groups: Vec<&str> = Vec::new();
    let mut rest = s.as_str();
    loop {
        let end = rest
            .find(|c: char| !c.is_ascii_digit())
            .unwrap_or(rest.len());
        if end == 0 {
            return Err(invalid());
        }
        groups.push(&rest[..end]);
        rest = &rest[end..];
        let Some(sep) = rest.chars().next() else {
            break;
        };
        if !is_date_separator(sep) {
            return Err(invalid());
        }
        rest = &rest[sep.len_utf8()..];
        if rest.is_empty() {
            break;
        }
    }
    if !(2..=3).contains(&groups.len())
        || groups[0].len() != 4
        || groups[1..].iter().any(|g| g.len() > 2)
    {
        return Err(invalid());
    }
    let num = |g: &str| g.parse::<i64>().map_err(|_| invalid());
    let y = num(groups[0])?;
    let m = num(groups[1])?;
    let d = if groups.len() == 3 {
        num(groups[2])?
    } else {
        1
    };
    ymd_checked(y, m, d, t)
}

/// "1985-03-12 00:00:00" → "1985-03-12"; "1985-03-12T08:30" → "1985-03-12". Text without
/// a time is returned as is.
fn strip_time(t: &str) -> &str {
    let Some(colon) = t.find(':') else {
        return t;
    };
    let before = t[..colon].trim_end_matches(|c: char| c.is_ascii_digit());
    let trimmed = before.trim_end();
    if trimmed.len() < before.len() {
        return trimmed;
    }
    if let Some(date) = before.strip_suffix('T') {
        return date.trim_end();
    }
    t
}

fn is_date_separator(c: char) -> bool {
    matches!(c, '.' | '/' | '-' | '年' | '月' | '日' | '号' | '、' | '_')
}

fn ymd_checked(y: i64, m: i64, d: i64, shown: &str) -> Result<NaiveDate, String> {
    if !(1000..=9999).contains(&y) {
        return Err(format!("无法识别的日期：{shown}"));
    }
    u32::try_from(m)
        .ok()
        .zip(u32::try_from(d).ok())
        .and_then(|(m, d)| NaiveDate::from_ymd_opt(y as i32, m, d))
        .filter(|date| date.year() == y as i32)
        .ok_or_else(|| format!("日期不存在：{shown}"))
}

/// A whole number from a number cell or text ("12", "12人", "1,200"). Errors are Chinese.
pub fn parse_int(cell: &Cell) -> Result<i64, String> {
    match cell {
        Cell::Empty => Err("数值为空".to_string()),
        Cell::Number(n) => {
            if n.is_finite() && n.fract() == 0.0 && n.abs() < 9.0e15 {
                Ok(*n as i64)
            } else {
                Err(format!("不是整数：{}", fmt_number(*n)))
            }
        }
        Cell::Bool(b) => Err(format!("不是整数：{}", if *b { "TRUE" } else { "FALSE" })),
        Cell::Date(d) => Err(format!("不是整数：{d}")),
        Cell::Text(t) => {
            let t = normalize_text(t);
            if t.is_empty() {
                return Err("数值为空".to_string());
            }
            int_from_text(&t).ok_or_else(|| format!("不是整数：{t}"))
        }
    }
}

fn int_from_text(t: &str) -> Option<i64> {
    let s: String = t.chars().filter(|c| !c.is_whitespace()).collect();
    // A unit after the number: "12人", "3个", "5名", "4户".
    let s = s.trim_end_matches(|c: char| c.is_alphabetic() && !c.is_ascii());
    let (negative, digits) = match s.strip_prefix('-') {
        Some(rest) => (true, rest),
        None => (false, s.strip_prefix('+').unwrap_or(s)),
    };
    // "12.0" and "12.00" are whole numbers.
    let digits = match digits.split_once('.') {
        Some((whole, frac)) if !frac.is_empty() && frac.chars().all(|c| c == '0') => whole,
        Some(_) => return None,
        None => digits,
    };
    let plain: String = if digits.contains([',', '，']) {
        // Thousands separators must group by three: "1,200", "12,345,678".
        let groups: Vec<&str> = digits.split([',', '，']).collect();
        let first_ok = (1..=3).contains(&groups[0].len());
        let rest_ok = groups[1..].iter().all(|g| g.len() == 3);
        if !first_ok || !rest_ok {
            return None;
        }
        groups.concat()
    } else {
        digits.to_string()
    };
    if plain.is_empty() || !plain.chars().all(|c| c.is_ascii_digit()) {
        return None;
    }
    let v: i64 = plain.parse().ok()?;
    Some(if negative { -v } else { v })
}

/// A number as a person would write it: 12 rather than 12.0.
pub(crate) fn fmt_number(n: f64) -> String {
    if n.is_finite() && n.fract() == 0.0 && n.abs() < 1e15 {
        format!("{}", n as i64)
    } else {
        format!("{n}")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(y: i32, m: u32, day: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, day).unwrap()
    }

    fn text(s: &str) -> Cell {
        Cell::Text(s.to_string())
    }

    #[test]
    fn normalize_folds_full_width_and_spaces() {
        assert_eq!(normalize_text("  张　三  "), "张 三");
        assert_eq!(normalize_text("１２３ＡＢｃ"), "123ABc");
        assert_eq!(normalize_text("（必填）"), "(必填)");
        assert_eq!(
            normalize_text("a\u{200B}b\u{200C}c\u{200D}d\u{FEFF}"),
            "abcd"
        );
        assert_eq!(normalize_text("\u{00A0}x\u{00A0}\u{00A0}y\u{00A0}"), "x y");
        assert_eq!(normalize_text("a \t\r\n b"), "a b");
        assert_eq!(normalize_text(""), "");
        assert_eq!(normalize_text(" \u{3000}\u{00A0} "), "");
        assert_eq!(normalize_text("～！"), "~!");
        // Outside the full-width block: untouched.
        assert_eq!(normalize_text("【党支部】"), "【党支部】");
    }

    #[test]
    fn normalize_is_idempotent() {
        for s in [
            "  a  b ",
            "１　２",
            "\u{FEFF}姓名\u{200B}",
            "x\u{00A0}\u{3000}y",
        ] {
            let once = normalize_text(s);
            assert_eq!(normalize_text(&once), once);
        }
    }

    #[test]
    fn dates_from_text() {
        let want = d(1985, 3, 12);
        for s in [
            "1985.3.12",
            "1985.03.12",
            "1985年3月12日",
            "1985年3月12",
            "1985/03/12",
            "1985/3/12",
            "1985-3-12",
            "1985-03-12",
            "1985-03-12 00:00:00",
            "1985-03-12T08:30:00",
            "1985/3/12 8:30",
            "19850312",
            "1985.3.12.",
            " 1985 . 3 . 12 ",
            "1985 年 3 月 12 日",
            "１９８５．３．１２",
            "1985年03月12号",
        ] {
            assert_eq!(parse_date(&text(s)), Ok(want), "{s}");
        }
    }

    #[test]
    fn month_only_dates_are_the_first() {
        let want = d(1985, 3, 1);
        for s in [
            "1985.3",
            "1985.03",
            "1985年3月",
            "1985-03",
            "1985/3",
            "198503",
            "1985.3.",
        ] {
            assert_eq!(parse_date(&text(s)), Ok(want), "{s}");
        }
    }

    #[test]
    fn impossible_and_unreadable_dates() {
        for (input, message) in [
            ("1985.2.30", "日期不存在：1985.2.30"),
            ("1985.13.1", "日期不存在：1985.13.1"),
            ("19850230", "日期不存在：19850230"),
            ("1985.0.1", "日期不存在：1985.0.1"),
            ("2023.2.29", "日期不存在：2023.2.29"),
        ] {
            assert_eq!(
                parse_date(&text(input)),
                Err(message.to_string()),
                "{input}"
            );
        }
        assert_eq!(parse_date(&text("2024.2.29")), Ok(d(2024, 2, 29)));
        for s in [
            "abc",
            "85.3.12",
            "1985",
            "1985..3",
            "1985.3.12.5",
            "1985.123.1",
            "三月",
            "-",
        ] {
            assert_eq!(
                parse_date(&text(s)),
                Err(format!("无法识别的日期：{s}")),
                "{s}"
            );
        }
        assert_eq!(parse_date(&Cell::Empty), Err("日期为空".to_string()));
        assert_eq!(parse_date(&text("  ")), Err("日期为空".to_string()));
        assert!(parse_date(&Cell::Bool(true)).is_err());
    }

    #[test]
    fn dates_from_numbers() {
        assert_eq!(parse_date(&Cell::Number(1.0)), Ok(d(1900, 1, 1)));
        assert_eq!(parse_date(&Cell::Number(59.0)), Ok(d(1900, 2, 28)));
        assert!(parse_date(&Cell::Number(60.0))
            .unwrap_err()
            .starts_with("日期不存在"));
        assert_eq!(parse_date(&Cell::Number(61.0)), Ok(d(1900, 3, 1)));
        assert_eq!(parse_date(&Cell::Number(31118.0)), Ok(d(1985, 3, 12)));
        assert_eq!(parse_date(&Cell::Number(31118.75)), Ok(d(1985, 3, 12)));
        assert_eq!(parse_date(&Cell::Number(45658.0)), Ok(d(2025, 1, 1)));
        assert_eq!(parse_date(&Cell::Number(2_958_465.0)), Ok(d(9999, 12, 31)));
        assert_eq!(parse_date(&Cell::Number(19850312.0)), Ok(d(1985, 3, 12)));
        assert_eq!(parse_date(&Cell::Number(198503.0)), Ok(d(1985, 3, 1)));
        assert!(parse_date(&Cell::Number(19850230.0))
            .unwrap_err()
            .starts_with("日期不存在"));
        assert_eq!(
            parse_date(&Cell::Number(0.0)),
            Err("无法识别的日期：0".to_string())
        );
        assert!(parse_date(&Cell::Number(-5.0)).is_err());
        assert!(parse_date(&Cell::Number(2_958_466.0)).is_err());
        assert!(parse_date(&Cell::Number(f64::NAN)).is_err());
        assert_eq!(parse_date(&text("31118")), Ok(d(1985, 3, 12)));
        assert_eq!(parse_date(&Cell::Date(d(2001, 7, 1))), Ok(d(2001, 7, 1)));
    }

    #[test]
    fn serial_round_trip() {
        let mut date = d(1900, 3, 1);
        let end = d(2100, 1, 1);
        while date < end {
            let serial = date_to_excel_serial(date);
            assert_eq!(excel_serial_to_date(serial), Ok(date));
            date += Duration::days(97);
        }
        assert_eq!(date_to_excel_serial(d(1900, 1, 1)), 1.0);
        assert_eq!(date_to_excel_serial(d(1900, 2, 28)), 59.0);
        assert_eq!(date_to_excel_serial(d(1900, 3, 1)), 61.0);
    }

    #[test]
    fn ints() {
        assert_eq!(parse_int(&Cell::Number(12.0)), Ok(12));
        assert_eq!(parse_int(&Cell::Number(-3.0)), Ok(-3));
        assert_eq!(
            parse_int(&Cell::Number(12.5)),
            Err("不是整数：12.5".to_string())
        );
        assert!(parse_int(&Cell::Number(f64::INFINITY)).is_err());
        for (s, want) in [
            ("12", 12),
            ("12人", 12),
            ("12 人", 12),
            ("1,200", 1200),
            ("1，200", 1200),
            ("12,345,678", 12_345_678),
            ("１２", 12),
            (" 12 ", 12),
            ("12.0", 12),
            ("-4", -4),
            ("+4", 4),
            ("0", 0),
            ("3个", 3),
        ] {
            assert_eq!(parse_int(&text(s)), Ok(want), "{s}");
        }
        for s in [
            "12.5", "1,20", "12,", "abc", "十二", "约12人", "12abc", "人", "-", "1.2.3",
        ] {
            assert_eq!(parse_int(&text(s)), Err(format!("不是整数：{s}")), "{s}");
        }
        assert_eq!(parse_int(&Cell::Empty), Err("数值为空".to_string()));
        assert_eq!(parse_int(&text(" ")), Err("数值为空".to_string()));
        assert!(parse_int(&Cell::Bool(false)).is_err());
        assert!(parse_int(&Cell::Date(d(2000, 1, 1))).is_err());
    }
}
