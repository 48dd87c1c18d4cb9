//! Property tests for the cell parsers.

use chrono::{Datelike, NaiveDate};
use jiceng_io::cells::{date_to_excel_serial, excel_serial_to_date};
use jiceng_io::{normalize_text, parse_date, parse_int, Cell};
use proptest::prelude::*;

fn full_width(s: &str) -> String {
    s.chars()
        .map(|c| match c {
            '!'..='~' => char::from_u32(c as u32 + 0xFEE0).unwrap(),
            ' ' => '\u{3000}',
            c => c,
        })
        .collect()
}

fn date() -> impl Strategy<Value = NaiveDate> {
    (1900i32..2100, 1u32..=12, 1u32..=31)
        .prop_filter_map("valid date", |(y, m, d)| NaiveDate::from_ymd_opt(y, m, d))
}

proptest! {
    #[test]
    fn normalize_is_idempotent(s in "\\PC{0,40}") {
        let once = normalize_text(&s);
        prop_assert_eq!(normalize_text(&once), once.clone());
        prop_assert_eq!(once.trim(), once.as_str());
        prop_assert!(!once.contains("  "));
    }

    #[test]
    fn full_width_ascii_folds_to_ascii(s in "[!-~]{1,30}") {
        prop_assert_eq!(normalize_text(&full_width(&s)), s);
    }

    #[test]
    fn written_dates_parse_back(date in date(), style in 0usize..9, fw in any::<bool>()) {
        let (y, m, d) = (date.year(), date.month(), date.day());
        let text = match style {
            0 => format!("{y}.{m}.{d}"),
            1 => format!("{y}.{m:02}.{d:02}"),
            2 => format!("{y}年{m}月{d}日"),
            3 => format!("{y}/{m:02}/{d:02}"),
            4 => format!("{y}-{m}-{d}"),
            5 => format!("{y}-{m:02}-{d:02} 00:00:00"),
            6 => format!("{y}{m:02}{d:02}"),
            7 => format!("{y}.{m}.{d}."),
            _ => format!(" {y} 年 {m} 月 {d} 日 "),
        };
        let text = if fw { full_width(&text) } else { text };
        prop_assert_eq!(parse_date(&Cell::Text(text)), Ok(date));
    }

    #[test]
    fn serials_round_trip(date in date()) {
        prop_assume!(date >= NaiveDate::from_ymd_opt(1900, 3, 1).unwrap());
        let serial = date_to_excel_serial(date);
        prop_assert_eq!(excel_serial_to_date(serial), Ok(date));
        prop_assert_eq!(parse_date(&Cell::Number(serial)), Ok(date));
        prop_assert_eq!(parse_date(&Cell::Number(serial + 0.99)), Ok(date));
    }

    #[test]
    fn ints_with_separators_and_units(v in 0i64..10_000_000_000, unit in prop::sample::select(vec!["", "人", "个", " 名"])) {
        let plain = v.to_string();
        let mut grouped = String::new();
        for (i, c) in plain.chars().enumerate() {
            if i > 0 && (plain.len() - i) % 3 == 0 {
                grouped.push(',');
            }
            grouped.push(c);
        }
        prop_assert_eq!(parse_int(&Cell::Text(format!("{plain}{unit}"))), Ok(v));
        prop_assert_eq!(parse_int(&Cell::Text(format!("{grouped}{unit}"))), Ok(v));
        prop_assert_eq!(parse_int(&Cell::Text(full_width(&plain))), Ok(v));
        prop_assert_eq!(parse_int(&Cell::Number(v as f64)), Ok(v));
    }

    #[test]
    fn parsers_never_panic(s in "\\PC{0,30}", x in any::<f64>()) {
        let _ = parse_date(&Cell::Text(s.clone()));
        let _ = parse_int(&Cell::Text(s));
        let _ = parse_date(&Cell::Number(x));
        let _ = parse_int(&Cell::Number(x));
    }
}
