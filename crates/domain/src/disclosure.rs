//! 党务公开 (SPEC C8): an org publishes chosen items to its members (seen after login) or
//! to its public page (no login). An item is free — a decision, a notice, with its title,
//! body and day — or a figure derived from the org's records, chosen from a fixed list
//! ([`Figure`]) and frozen in the item, with the day it was computed, when it is published.
//! A withdrawn item is on no page any more. The public page shows published public items
//! only: nothing else of the org, no member.

use serde::{Deserialize, Serialize};

use crate::Date;

pub const TITLE_MAX: usize = 100;
pub const BODY_MAX: usize = 5_000;

macro_rules! coded {
    ($(#[$m:meta])* $name:ident { $($(#[$vm:meta])* $v:ident => $label:literal),* $(,)? }) => {
        $(#[$m])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
        pub enum $name {
            $($(#[$vm])* $v),*
        }

        impl $name {
            pub const ALL: &'static [$name] = &[$($name::$v),*];

            pub fn code(self) -> &'static str {
                match self {
                    $($name::$v => stringify!($v)),*
                }
            }

            pub fn label(self) -> &'static str {
                match self {
                    $($name::$v => $label),*
                }
            }

            /// By code or Chinese label.
            pub fn parse(s: &str) -> Option<$name> {
                let s = s.trim();
                $name::ALL
                    .iter()
                    .copied()
                    .find(|k| k.code() == s || k.label() == s)
            }
        }
    };
}

pub(crate) use coded;

coded!(
    /// Who sees a published item.
    Audience {
        /// The org's members, after login (the org's page, the member's home).
        Members => "向党员公开",
        /// Anyone, on the org's public page, without login.
        Public => "向社会公开",
    }
);

coded!(
    /// What an item is.
    ItemKind {
        Decision => "决策事项",
        Notice => "通知公告",
        /// A figure computed from the org's records when published.
        Figure => "数据公开",
    }
);

coded!(
    /// The figures an org may publish, each computed from its records (its subtree's) and
    /// frozen when published.
    Figure {
        /// 党费收缴: dues collected in a year, 人次 paying, the rate.
        DuesYear => "党费收缴情况",
        /// 发展党员: members admitted in a year.
        AdmittedYear => "发展党员情况",
        /// 群众满意度测评: the results of a closed survey of the org.
        SurveyResult => "群众满意度测评结果",
        /// 群众诉求: requests received and resolved in a year.
        RequestsYear => "群众诉求办理情况",
    }
);

impl Figure {
    /// Whether the figure is of a year (else of a survey).
    pub fn needs_year(self) -> bool {
        !matches!(self, Figure::SurveyResult)
    }
}

/// Where a published item stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub enum ItemState {
    Published,
    Withdrawn,
}

impl ItemState {
    pub fn label(self) -> &'static str {
        match self {
            ItemState::Published => "已公开",
            ItemState::Withdrawn => "已撤回",
        }
    }
}

/// What is wrong with an item, and the field.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DisclosureError {
    pub field: &'static str,
    pub message: String,
}

impl std::fmt::Display for DisclosureError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.message)
    }
}

impl std::error::Error for DisclosureError {}

pub(crate) fn bad(field: &'static str, message: impl Into<String>) -> DisclosureError {
    DisclosureError {
        field,
        message: message.into(),
    }
}

pub(crate) fn text(
    field: &'static str,
    s: &str,
    max: usize,
    what: &str,
) -> Result<Option<String>, DisclosureError> {
    let s = s.trim();
    if s.is_empty() {
        return Ok(None);
    }
    let n = s.chars().count();
    if n > max {
        return Err(bad(field, crate::text::too_long(what, n, max)));
    }
    Ok(Some(s.to_string()))
}

/// A free item as written: a decision or a notice.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct FreeDraft {
    pub kind: Option<ItemKind>,
    pub title: String,
    pub body: String,
    pub day: Option<Date>,
}

/// A free item checked.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CheckedFree {
    pub kind: ItemKind,
    pub title: String,
    pub body: String,
    pub day: Date,
}

/// Checks a free item of `today` or before.
pub fn check_free(d: &FreeDraft, today: Date) -> Result<CheckedFree, DisclosureError> {
    let kind = match d.kind {
        Some(k @ (ItemKind::Decision | ItemKind::Notice)) => k,
        Some(ItemKind::Figure) => {
            return Err(bad("kind", "数据公开请选择要公开的数据，由系统计算"))
        }
        None => return Err(bad("kind", "请选择公开事项的类别")),
    };
    let title =
        text("title", &d.title, TITLE_MAX, "标题")?.ok_or_else(|| bad("title", "请填写标题"))?;
    let body = text("body", &d.body, BODY_MAX, "内容")?.ok_or_else(|| bad("body", "请填写内容"))?;
    let day = d.day.ok_or_else(|| bad("day", "请填写日期"))?;
    if day > today {
        return Err(bad("day", format!("日期{day}晚于今天（{today}）")));
    }
    Ok(CheckedFree {
        kind,
        title,
        body,
        day,
    })
}

/// Checks the year of a figure: a year that has begun, not before 2000.
pub fn check_year(year: Option<i32>, today: Date) -> Result<i32, DisclosureError> {
    use chrono::Datelike;
    let y = year.ok_or_else(|| bad("year", "请填写年度"))?;
    if y < 2000 || y > today.year() {
        return Err(bad("year", format!("年度{y}不在2000年至今年之间")));
    }
    Ok(y)
}

/// A share as printed in a figure (`75.0%`).
pub fn percent(share: f64) -> String {
    format!("{:.1}%", share * 100.0)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn day(s: &str) -> Date {
        s.parse().unwrap()
    }

    #[test]
    fn a_free_item_needs_kind_title_body_and_a_day_not_ahead() {
        let today = day("2026-12-06");
        let mut d = FreeDraft {
            kind: Some(ItemKind::Notice),
            title: " 关于开展主题党日的通知 ".into(),
            body: "12月10日上午9时".into(),
            day: Some(today),
        };
        let c = check_free(&d, today).unwrap();
        assert_eq!(c.title, "关于开展主题党日的通知");
        d.day = Some(day("2026-12-07"));
        assert_eq!(check_free(&d, today).unwrap_err().field, "day");
        d.day = Some(today);
        d.kind = Some(ItemKind::Figure);
        assert_eq!(check_free(&d, today).unwrap_err().field, "kind");
        d.kind = Some(ItemKind::Decision);
        d.body = " ".into();
        assert_eq!(check_free(&d, today).unwrap_err().field, "body");
    }

    #[test]
    fn codes_and_labels_parse() {
        assert_eq!(Audience::parse("Public"), Some(Audience::Public));
        assert_eq!(Figure::parse("发展党员情况"), Some(Figure::AdmittedYear));
        assert!(check_year(Some(2027), day("2026-01-01")).is_err());
        assert_eq!(check_year(Some(2026), day("2026-01-01")), Ok(2026));
    }
}
