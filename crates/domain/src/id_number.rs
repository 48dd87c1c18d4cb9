//! 公民身份号码 (GB 11643-1999): 18 characters, check character by ISO 7064 MOD 11-2.

use serde::{Deserialize, Serialize};

use crate::{Date, Gender};

/// A checked 18-character citizen ID number; the check character is stored upper-case.
#[derive(Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct IdNumber(String);

impl std::fmt::Debug for IdNumber {
    // Never print a whole ID number in logs.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "IdNumber({})", self.masked())
    }
}

/// ISO 7064 MOD 11-2 weights of positions 1–17.
const WEIGHTS: [u32; 17] = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2];
/// Check character by `sum % 11`.
const CHECK_CHARS: &[u8; 11] = b"10X98765432";

/// The check character of 17 ASCII digits.
fn check_char(body: &[u8]) -> char {
    debug_assert_eq!(body.len(), 17);
    let sum: u32 = body
        .iter()
        .zip(WEIGHTS)
        .map(|(b, w)| u32::from(b - b'0') * w)
        .sum();
    CHECK_CHARS[(sum % 11) as usize] as char
}

/// The date written as YYYYMMDD, if it is a real calendar date in the years the standard
/// can hold for living people.
fn parse_birth(digits: &str) -> Option<Date> {
    let year: i32 = digits.get(0..4)?.parse().ok()?;
    let month: u32 = digits.get(4..6)?.parse().ok()?;
    let day: u32 = digits.get(6..8)?.parse().ok()?;
    if !(1900..=2100).contains(&year) {
        return None;
    }
    Date::from_ymd_opt(year, month, day)
}

impl IdNumber {
    /// Parses and checks: 17 digits plus a check character (digit or X, lower-case x
    /// accepted), a valid birth date in positions 7–14, and the check character.
    /// Errors are Chinese sentences for the user.
    pub fn parse(s: &str) -> Result<IdNumber, String> {
        let s = s.trim();
        let n = s.chars().count();
        if n != 18 {
            return Err(format!("公民身份号码应为18位，实为{n}位"));
        }
        // 18 chars, but only ASCII is valid: checking bytes after this is safe.
        if !s.is_ascii() {
            return Err("公民身份号码只能由数字和校验位X组成".to_string());
        }
        let upper = s.to_ascii_uppercase();
        let bytes = upper.as_bytes();
        if !bytes[..17].iter().all(u8::is_ascii_digit) {
            return Err("公民身份号码前17位应全部为数字".to_string());
        }
        let last = bytes[17];
        if !(last.is_ascii_digit() || last == b'X') {
            return Err("公民身份号码第18位应为数字或X".to_string());
        }
        let birth = &upper[6..14];
        if parse_birth(birth).is_none() {
            return Err(format!("公民身份号码中的出生日期无效：{birth}"));
        }
        let want = check_char(&bytes[..17]);
        if last as char != want {
            return Err(format!("公民身份号码校验位错误：应为{want}"));
        }
        Ok(IdNumber(upper))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// The birth date encoded in the number.
    pub fn birth_date(&self) -> Date {
        // Only `parse` and `synthesize` build an IdNumber, and both check the date;
        // a value deserialized from a tampered store is the only way to get here.
        parse_birth(&self.0[6..14]).expect("IdNumber holds a checked birth date")
    }

    /// The gender encoded in the number (17th digit: odd male, even female).
    pub fn gender(&self) -> Gender {
        let d = self.0.as_bytes()[16];
        if (d - b'0') % 2 == 1 {
            Gender::Male
        } else {
            Gender::Female
        }
    }

    /// `371102********182X`: first six and last four shown.
    pub fn masked(&self) -> String {
        // Defensive slicing: a deserialized value is not re-checked, and Debug must
        // never panic or leak more than it should.
        let s = &self.0;
        match (s.get(..6), s.get(s.len().saturating_sub(4)..)) {
            (Some(head), Some(tail)) if s.len() >= 10 && s.is_ascii() => {
                format!("{head}********{tail}")
            }
            _ => "******************".to_string(),
        }
    }

    /// Makes a valid number from a 6-digit region, a birth date, a 3-digit sequence
    /// (its parity gives the gender) — for synthetic data only.
    pub fn synthesize(region6: &str, birth: Date, sequence: u16) -> IdNumber {
        // Keep the result valid whatever the caller passes: non-digits become 0, and the
        // region is cut or padded to six digits.
        let mut region: String = region6
            .chars()
            .filter(|c| c.is_ascii())
            .map(|c| if c.is_ascii_digit() { c } else { '0' })
            .take(6)
            .collect();
        while region.len() < 6 {
            region.push('0');
        }
        // The standard's dates stop at 1900..=2100; clamp so the number still parses.
        let lo = Date::from_ymd_opt(1900, 1, 1).expect("valid date");
        let hi = Date::from_ymd_opt(2100, 12, 31).expect("valid date");
        let birth = birth.clamp(lo, hi);
        let body = format!("{region}{}{:03}", birth.format("%Y%m%d"), sequence % 1000);
        let check = check_char(body.as_bytes());
        IdNumber(format!("{body}{check}"))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn d(y: i32, m: u32, day: u32) -> Date {
        Date::from_ymd_opt(y, m, day).unwrap()
    }

    #[test]
    fn parses_known_valid_numbers() {
        // The standard's own example and a number ending in X.
        let id = IdNumber::parse("11010519491231002X").unwrap();
        assert_eq!(id.birth_date(), d(1949, 12, 31));
        assert_eq!(id.gender(), Gender::Female);
        let id = IdNumber::parse(" 440524188001010014 ");
        assert!(id.is_err(), "year 1880 is outside 1900..=2100");
        let id = IdNumber::parse("110105194912310021");
        assert!(id.is_err());
    }

    #[test]
    fn accepts_lower_case_x_and_stores_upper() {
        let id = IdNumber::parse("11010519491231002x").unwrap();
        assert_eq!(id.as_str(), "11010519491231002X");
    }

    #[test]
    fn errors_are_clear() {
        assert_eq!(
            IdNumber::parse("11010519491231002").unwrap_err(),
            "公民身份号码应为18位，实为17位"
        );
        assert_eq!(
            IdNumber::parse("110105194912310021").unwrap_err(),
            "公民身份号码校验位错误：应为X"
        );
        assert_eq!(
            IdNumber::parse("371102198513321826").unwrap_err(),
            "公民身份号码中的出生日期无效：19851332"
        );
        assert!(IdNumber::parse("1101051949123100AX").is_err());
        assert!(IdNumber::parse("11010519491231002Y").is_err());
        assert!(IdNumber::parse("１１０１０５１９４９１２３１００２Ｘ").is_err());
        // 29 February only in leap years.
        let ok = IdNumber::synthesize("110105", d(2000, 2, 29), 1);
        assert!(IdNumber::parse(ok.as_str()).is_ok());
        let mut bad = ok.as_str().to_string();
        bad.replace_range(6..14, "19000229");
        assert!(IdNumber::parse(&bad).unwrap_err().contains("出生日期无效"));
    }

    #[test]
    fn masks_middle() {
        let id = IdNumber::synthesize("371102", d(1985, 6, 1), 182);
        let m = id.masked();
        assert!(m.starts_with("371102********182"));
        assert_eq!(m.chars().count(), 18);
        assert!(!format!("{id:?}").contains("19850601"));
    }

    #[test]
    fn synthesize_sets_parts() {
        let id = IdNumber::synthesize("371102", d(1985, 6, 1), 1182);
        assert_eq!(&id.as_str()[..17], "37110219850601182");
        assert_eq!(id.gender(), Gender::Female);
        let id = IdNumber::synthesize("371102", d(1985, 6, 1), 7);
        assert_eq!(&id.as_str()[14..17], "007");
        assert_eq!(id.gender(), Gender::Male);
    }

    proptest! {
        #[test]
        fn synthesized_numbers_always_parse(
            region in 100000u32..=999999,
            days in 0i64..73000,
            seq in any::<u16>(),
        ) {
            let birth = d(1900, 1, 1) + chrono::Duration::days(days);
            let id = IdNumber::synthesize(&region.to_string(), birth, seq);
            let parsed = IdNumber::parse(id.as_str()).unwrap();
            prop_assert_eq!(&parsed, &id);
            prop_assert_eq!(parsed.birth_date(), birth);
            let male = (seq % 1000) % 2 == 1;
            prop_assert_eq!(parsed.gender() == Gender::Male, male);
        }

        #[test]
        fn parse_never_panics(s in "\\PC{0,24}") {
            let _ = IdNumber::parse(&s);
        }

        #[test]
        fn one_changed_digit_is_caught(seq in 0u16..1000, pos in 0usize..17, delta in 1u8..10) {
            let id = IdNumber::synthesize("110105", d(1990, 1, 1), seq);
            let mut b = id.as_str().as_bytes().to_vec();
            b[pos] = b'0' + (b[pos] - b'0' + delta) % 10;
            let s = String::from_utf8(b).unwrap();
            // MOD 11-2 detects every single substitution (unless the date breaks first).
            prop_assert!(IdNumber::parse(&s).is_err());
        }
    }
}
