//! The password policy (等保 level 3): a length by role, three of four character classes,
//! not the username, not a common password, and a renewal period for privileged roles.
//! The numbers are [`PasswordPolicy`] (in `AuthConfig`), with defaults.
//!
//! Character classes: upper-case letters, lower-case letters, digits, and everything else
//! ("symbols": punctuation, spaces, and letters without case such as Chinese characters —
//! a Chinese character is outside the alphabets a guesser tries first, so it counts as a
//! symbol, not as a class of its own).

use std::collections::HashSet;
use std::sync::OnceLock;

use chrono::{DateTime, Duration, Utc};

use crate::access::Role;
use crate::{AppError, Result};

/// The shipped list of common weak passwords (one a line, `#` comments).
const COMMON: &str = include_str!("../data/common-passwords.txt");

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PasswordPolicy {
    /// The shortest password for a role that is not privileged.
    pub min_chars: usize,
    /// The shortest password for a privileged role ([`is_privileged`]).
    pub min_chars_privileged: usize,
    pub max_chars: usize,
    /// How many of the four classes (upper, lower, digit, symbol) a password must use.
    pub min_classes: usize,
    /// Days after which a password must be changed, for roles that are not privileged
    /// (`None`: never).
    pub renewal_days: Option<i64>,
    /// The same for privileged roles.
    pub renewal_days_privileged: Option<i64>,
}

impl Default for PasswordPolicy {
    fn default() -> PasswordPolicy {
        PasswordPolicy {
            min_chars: 8,
            min_chars_privileged: 10,
            max_chars: 256,
            min_classes: 3,
            renewal_days: None,
            renewal_days_privileged: Some(90),
        }
    }
}

/// The roles whose accounts are held to the stricter rules: they administer users, see
/// or judge the whole county and more, or read the audit log. Every role is listed so
/// that a new one must be placed here.
pub fn is_privileged(role: Role) -> bool {
    match role {
        Role::Admin | Role::Security | Role::Department | Role::Auditor => true,
        Role::Committee | Role::Secretary | Role::Inspector | Role::Member => false,
    }
}

impl PasswordPolicy {
    pub fn min_chars_for(&self, role: Role) -> usize {
        if is_privileged(role) {
            self.min_chars_privileged
        } else {
            self.min_chars
        }
    }

    pub fn renewal_days_for(&self, role: Role) -> Option<i64> {
        if is_privileged(role) {
            self.renewal_days_privileged
        } else {
            self.renewal_days
        }
    }

    /// Whether a password set at `changed_at` (UTC) is past its renewal at `now`. A
    /// password without a recorded time is past it where renewal applies.
    pub fn must_renew(
        &self,
        role: Role,
        changed_at: Option<DateTime<Utc>>,
        now: DateTime<Utc>,
    ) -> bool {
        match (self.renewal_days_for(role), changed_at) {
            (None, _) => false,
            (Some(_), None) => true,
            (Some(days), Some(t)) => now - t >= Duration::days(days),
        }
    }

    /// Checks a new password for a user (its name and role); the message says what is
    /// missing.
    pub fn check(&self, password: &str, username: &str, role: Role) -> Result<()> {
        let n = password.chars().count();
        let min = self.min_chars_for(role);
        if n < min {
            let whose = if is_privileged(role) {
                format!("{}账户的", role.label())
            } else {
                String::new()
            };
            return Err(AppError::Input(format!("{whose}密码至少需要{min}个字符")));
        }
        if n > self.max_chars {
            return Err(AppError::Input(format!(
                "密码过长（最多{}个字符）",
                self.max_chars
            )));
        }
        let classes = classes(password);
        if classes < self.min_classes {
            return Err(AppError::Input(format!(
                "密码需包含大写字母、小写字母、数字、符号（含汉字）中的至少{}类，现只有{classes}类",
                self.min_classes
            )));
        }
        let lower = password.to_lowercase();
        let name = username.trim().to_lowercase();
        // A name of one or two characters would refuse half of all passwords: only equal.
        if !name.is_empty()
            && (lower == name || (name.chars().count() >= 3 && lower.contains(&name)))
        {
            return Err(AppError::Input("密码不能包含用户名".into()));
        }
        if is_common(password) {
            return Err(AppError::Input(
                "密码过于常见（在常用弱密码表中），请换一个不易猜到的密码".into(),
            ));
        }
        Ok(())
    }
}

/// How many of upper, lower, digit and symbol (anything else) the password uses.
pub fn classes(password: &str) -> usize {
    let (mut upper, mut lower, mut digit, mut symbol) = (false, false, false, false);
    for c in password.chars() {
        if c.is_uppercase() {
            upper = true;
        } else if c.is_lowercase() {
            lower = true;
        } else if c.is_ascii_digit() {
            digit = true;
        } else {
            symbol = true;
        }
    }
    [upper, lower, digit, symbol]
        .into_iter()
        .filter(|b| *b)
        .count()
}

/// Lower case without spaces, '-', '_' and '.'.
fn normalise(s: &str) -> String {
    s.to_lowercase()
        .chars()
        .filter(|c| !matches!(c, ' ' | '-' | '_' | '.'))
        .collect()
}

fn common_set() -> &'static HashSet<String> {
    static SET: OnceLock<HashSet<String>> = OnceLock::new();
    SET.get_or_init(|| {
        COMMON
            .lines()
            .map(str::trim)
            .filter(|l| !l.is_empty() && !l.starts_with('#'))
            .map(normalise)
            .collect()
    })
}

/// Whether the password is in the shipped list, or is one with digits or symbols added
/// before or after it (`Password2026!`, `!qaz2wsx`).
pub fn is_common(password: &str) -> bool {
    let set = common_set();
    let full = normalise(password);
    if set.contains(&full) {
        return true;
    }
    let alnum = full.trim_matches(|c: char| !c.is_alphanumeric());
    let core = full.trim_matches(|c: char| !c.is_alphabetic());
    set.contains(alnum) || (!core.is_empty() && set.contains(core))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn check(p: &str, user: &str, role: Role) -> std::result::Result<(), String> {
        PasswordPolicy::default()
            .check(p, user, role)
            .map_err(|e| e.to_string())
    }

    #[test]
    fn length_depends_on_the_role() {
        assert!(check("Ab1!xyzw", "zhang", Role::Secretary).is_ok());
        let e = check("Ab1!xyzw", "zhang", Role::Admin).unwrap_err();
        assert!(e.contains("至少需要10个字符"), "{e}");
        assert!(check("Ab1!xyzwvu", "zhang", Role::Admin).is_ok());
        assert!(check("Ab1!xyz", "zhang", Role::Member).is_err());
        for r in Role::ALL {
            let min = PasswordPolicy::default().min_chars_for(r);
            assert_eq!(min, if is_privileged(r) { 10 } else { 8 }, "{r:?}");
        }
        assert!(is_privileged(Role::Department) && is_privileged(Role::Auditor));
        assert!(!is_privileged(Role::Committee));
    }

    #[test]
    fn three_classes_of_four() {
        assert_eq!(classes("12345678"), 1);
        assert_eq!(classes("abcdEFGH"), 2);
        assert_eq!(classes("abcdEF12"), 3);
        assert_eq!(classes("aB1!"), 4);
        // Chinese characters count as symbols.
        assert_eq!(classes("党建abcd12"), 3);
        let e = check("12345678901", "zhang", Role::Admin).unwrap_err();
        assert!(e.contains("至少3类") && e.contains("只有1类"), "{e}");
        assert!(check("abcdefgh12", "zhang", Role::Secretary).is_err());
        assert!(check("jiceng党建2026", "zhang", Role::Admin).is_ok());
    }

    #[test]
    fn not_the_username() {
        let e = check("Zhangwei-2026", "zhangwei", Role::Secretary).unwrap_err();
        assert!(e.contains("用户名"), "{e}");
        assert!(check("ZHANGWEI", "zhangwei", Role::Secretary).is_err());
        // A short name only when equal.
        assert!(check("Xy-2026-ab", "xy", Role::Secretary).is_ok());
        assert!(check("Xy", "xy", Role::Secretary).is_err());
    }

    #[test]
    fn not_a_common_password() {
        for p in [
            "Aa123456",
            "Password1",
            "P@ssw0rd",
            "Woaini1314",
            "Qwerty123!",
            "Admin@2026",
            "1qaz@WSX",
            "1Qaz2wsx!",
            "Abc-123456",
        ] {
            let e = check(p, "someone", Role::Secretary).unwrap_err();
            assert!(e.contains("常见") || e.contains("至少"), "{p}: {e}");
            assert!(
                is_common(p) || p.chars().count() < 8,
                "{p} should be in the list"
            );
        }
        assert!(!is_common("Correct-Horse-7"));
        assert!(!is_common("Demo@admin2026"));
        assert!(check("Correct-Horse-7", "someone", Role::Admin).is_ok());
    }

    #[test]
    fn the_list_is_shipped_and_long_enough() {
        assert!(common_set().len() >= 300, "{}", common_set().len());
        assert!(common_set().contains("123456"));
    }

    #[test]
    fn renewal_for_privileged_roles_only() {
        let p = PasswordPolicy::default();
        let t = DateTime::parse_from_rfc3339("2026-01-01T00:00:00Z")
            .unwrap()
            .with_timezone(&Utc);
        assert!(!p.must_renew(Role::Admin, Some(t), t + Duration::days(89)));
        assert!(p.must_renew(Role::Admin, Some(t), t + Duration::days(90)));
        assert!(!p.must_renew(Role::Secretary, Some(t), t + Duration::days(900)));
        let yearly = PasswordPolicy {
            renewal_days: Some(365),
            ..PasswordPolicy::default()
        };
        assert!(yearly.must_renew(Role::Secretary, Some(t), t + Duration::days(365)));
    }
}
