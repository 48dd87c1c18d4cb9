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

impl IdNumber {
    /// Parses and checks: 17 digits plus a check character (digit or X, lower-case x
    /// accepted), a valid birth date in positions 7–14, and the check character.
    /// Errors are Chinese sentences for the user.
    pub fn parse(s: &str) -> Result<IdNumber, String> {
        let _ = s;
        todo!("H2")
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// The birth date encoded in the number.
    pub fn birth_date(&self) -> Date {
        todo!("H2")
    }

    /// The gender encoded in the number (17th digit: odd male, even female).
    pub fn gender(&self) -> Gender {
        todo!("H2")
    }

    /// `371102********182X`: first six and last four shown.
    pub fn masked(&self) -> String {
        todo!("H2")
    }

    /// Makes a valid number from a 6-digit region, a birth date, a 3-digit sequence
    /// (its parity gives the gender) — for synthetic data only.
    pub fn synthesize(region6: &str, birth: Date, sequence: u16) -> IdNumber {
        let _ = (region6, birth, sequence);
        todo!("H2")
    }
}
