//! 统一社会信用代码 (GB 32100-2015): 18 characters, check character by the standard's
//! weights over the 31-character alphabet (no I, O, Z, S, V).

use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct CreditCode(String);

/// The GB 32100 alphabet; a character's value is its index (I, O, Z, S, V are left out
/// because they are easily misread).
const ALPHABET: &[u8; 31] = b"0123456789ABCDEFGHJKLMNPQRTUWXY";
/// GB 32100 weights of positions 1–17 (3^i mod 31).
const WEIGHTS: [u32; 17] = [
    1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28,
];
/// GB 11714 weights of the 8 body characters of an organization code.
const ORG_CODE_WEIGHTS: [u32; 8] = [3, 7, 9, 10, 5, 8, 4, 2];

fn value(c: u8) -> Option<u32> {
    ALPHABET.iter().position(|&a| a == c).map(|i| i as u32)
}

/// The GB 32100 check character of 17 characters already known to be in the alphabet.
fn check_char(body: &[u8]) -> char {
    debug_assert_eq!(body.len(), 17);
    let sum: u32 = body
        .iter()
        .zip(WEIGHTS)
        .map(|(&c, w)| value(c).expect("checked alphabet") * w)
        .sum();
    ALPHABET[((31 - sum % 31) % 31) as usize] as char
}

/// The GB 11714 check character of an organization code body (8 characters 0-9 A-Z,
/// valued 0–35).
fn org_code_check(body: &[u8]) -> char {
    debug_assert_eq!(body.len(), 8);
    let sum: u32 = body
        .iter()
        .zip(ORG_CODE_WEIGHTS)
        .map(|(&c, w)| {
            let v = match c {
                b'0'..=b'9' => u32::from(c - b'0'),
                b'A'..=b'Z' => u32::from(c - b'A') + 10,
                _ => 0,
            };
            v * w
        })
        .sum();
    match 11 - sum % 11 {
        10 => 'X',
        11 => '0',
        n => char::from(b'0' + n as u8),
    }
}

impl CreditCode {
    /// Parses and checks (upper-cases first). Errors are Chinese sentences for the user.
    pub fn parse(s: &str) -> Result<CreditCode, String> {
        let s = s.trim().to_uppercase();
        let n = s.chars().count();
        if n != 18 {
            return Err(format!("统一社会信用代码应为18位，实为{n}位"));
        }
        if let Some(bad) = s
            .chars()
            .find(|c| !c.is_ascii() || value(*c as u8).is_none())
        {
            return Err(format!(
                "统一社会信用代码含有无效字符“{bad}”（只能使用数字和除I、O、Z、S、V以外的大写字母）"
            ));
        }
        let bytes = s.as_bytes();
        let want = check_char(&bytes[..17]);
        if bytes[17] as char != want {
            return Err(format!("统一社会信用代码校验位错误：应为{want}"));
        }
        Ok(CreditCode(s))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// Makes a valid code for synthetic data: registration department and kind
    /// (e.g. "91" enterprise, "51" social organization, "52" private non-enterprise, "93"
    /// farmer cooperative, "54" village committee uses "54"), a 6-digit region, and a serial
    /// that fills the 9-character organization code (its own check character computed
    /// by GB 11714).
    ///
    /// The result always parses: characters of `kind2` outside the alphabet and
    /// non-digits of `region6` become `0`, both are cut or padded to length, and the
    /// organization code body is the serial modulo 10^8 in digits (its GB 11714 check
    /// may be `X`, which GB 32100 allows).
    pub fn synthesize(kind2: &str, region6: &str, serial: u64) -> CreditCode {
        let fit = |s: &str, len: usize, ok: &dyn Fn(u8) -> bool| -> String {
            let mut out: String = s
                .to_ascii_uppercase()
                .bytes()
                .map(|b| if ok(b) { b as char } else { '0' })
                .take(len)
                .collect();
            while out.len() < len {
                out.push('0');
            }
            out
        };
        let kind = fit(kind2, 2, &|b| value(b).is_some());
        let region = fit(region6, 6, &|b| b.is_ascii_digit());
        let org_body = format!("{:08}", serial % 100_000_000);
        let org_check = org_code_check(org_body.as_bytes());
        let body = format!("{kind}{region}{org_body}{org_check}");
        let check = check_char(body.as_bytes());
        CreditCode(format!("{body}{check}"))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn parses_published_codes() {
        // Codes printed on public business licences.
        for code in [
            "91350100M000100Y43",
            "911100001000128552",
            "91310000MA1FL1MMXL",
        ] {
            assert!(CreditCode::parse(code).is_ok(), "{code}");
        }
        assert_eq!(
            CreditCode::parse(" 91350100m000100y43 ").unwrap().as_str(),
            "91350100M000100Y43"
        );
    }

    #[test]
    fn errors_are_clear() {
        assert_eq!(
            CreditCode::parse("91350100M000100Y4").unwrap_err(),
            "统一社会信用代码应为18位，实为17位"
        );
        let err = CreditCode::parse("91350100M000100Y44").unwrap_err();
        assert_eq!(err, "统一社会信用代码校验位错误：应为3");
        assert!(CreditCode::parse("91350100I000100Y43")
            .unwrap_err()
            .contains("无效字符"));
        assert!(CreditCode::parse("９1350100M000100Y43").is_err());
    }

    #[test]
    fn organization_code_check_matches_gb11714() {
        // The standard's own example is D2143569-X; M000100Y-4 is from a real licence.
        assert_eq!(org_code_check(b"D2143569"), 'X');
        assert_eq!(org_code_check(b"M000100Y"), '4');
        assert_eq!(org_code_check(b"00000000"), '0');
    }

    #[test]
    fn synthesize_lays_out_parts() {
        let c = CreditCode::synthesize("91", "371102", 42);
        assert_eq!(&c.as_str()[..8], "91371102");
        assert_eq!(&c.as_str()[8..16], "00000042");
        // Bad input still gives a valid code.
        let c = CreditCode::synthesize("iz", "37x", 1);
        assert!(CreditCode::parse(c.as_str()).is_ok());
    }

    proptest! {
        #[test]
        fn synthesized_codes_always_parse(
            kind in prop::sample::select(vec!["91", "92", "93", "51", "52", "53", "54", "11", "12"]),
            region in 100000u32..=999999,
            serial in any::<u64>(),
        ) {
            let c = CreditCode::synthesize(kind, &region.to_string(), serial);
            prop_assert_eq!(CreditCode::parse(c.as_str()).unwrap(), c);
        }

        #[test]
        fn parse_never_panics(s in "\\PC{0,24}") {
            let _ = CreditCode::parse(&s);
        }

        #[test]
        fn one_changed_char_is_caught(serial in any::<u64>(), pos in 0usize..17, delta in 1usize..31) {
            let c = CreditCode::synthesize("91", "110105", serial);
            let mut b = c.as_str().as_bytes().to_vec();
            let v = value(b[pos]).unwrap() as usize;
            b[pos] = ALPHABET[(v + delta) % 31];
            let s = String::from_utf8(b).unwrap();
            prop_assert!(CreditCode::parse(&s).is_err());
        }
    }
}
