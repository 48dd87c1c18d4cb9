//! 结对共建 (SPEC C8): an org, a department or an enterprise — an org of the tree, or a
//! body outside it named as text — supports a grassroots org: with what, since when, until
//! when. Shown on both sides' pages and counted by the department: by kind, and the
//! grassroots orgs without any pairing.

use serde::{Deserialize, Serialize};

use crate::disclosure::{bad, coded, text, DisclosureError};
use crate::Date;

pub const PARTNER_MAX: usize = 100;
pub const CONTENT_MAX: usize = 2_000;

coded!(
    /// The form of a pairing.
    PairingKind {
        DepartmentVillage => "部门包村",
        EnterpriseVillage => "企业联村",
        VillageCommunity => "村居共建",
        OrganBranch => "机关联支部",
        Other => "其他结对共建",
    }
);

/// A pairing as written. The supporter is an org of the tree (`partner_org`, chosen by
/// the caller) or a body named as text (`partner_name`).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct PairingDraft {
    pub kind: Option<PairingKind>,
    /// The outside body's name, when the supporter is not an org of the tree.
    pub partner_name: String,
    /// What the support is.
    pub content: String,
    pub since: Option<Date>,
    pub until: Option<Date>,
}

/// A pairing checked.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct CheckedPairing {
    pub kind: PairingKind,
    pub partner_name: Option<String>,
    pub content: String,
    pub since: Date,
    pub until: Option<Date>,
}

/// Checks a pairing that began on or before `today`.
pub fn check(d: &PairingDraft, today: Date) -> Result<CheckedPairing, DisclosureError> {
    let kind = d.kind.ok_or_else(|| bad("kind", "请选择结对形式"))?;
    let partner_name = text("partner_name", &d.partner_name, PARTNER_MAX, "结对单位名称")?;
    let content = text("content", &d.content, CONTENT_MAX, "共建内容")?
        .ok_or_else(|| bad("content", "请填写共建内容"))?;
    let since = d.since.ok_or_else(|| bad("since", "请填写结对开始日期"))?;
    if since > today {
        return Err(bad("since", format!("开始日期{since}晚于今天（{today}）")));
    }
    if let Some(u) = d.until {
        if u < since {
            return Err(bad("until", format!("结束日期{u}早于开始日期{since}")));
        }
    }
    Ok(CheckedPairing {
        kind,
        partner_name,
        content,
        since,
        until: d.until,
    })
}

/// Whether a pairing from `since` until `until` holds on `day`.
pub fn holds_on(since: Date, until: Option<Date>, day: Date) -> bool {
    since <= day && until.is_none_or(|u| u >= day)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_pairing_needs_kind_content_and_a_start_not_ahead() {
        let today: Date = "2026-12-06".parse().unwrap();
        let mut d = PairingDraft {
            kind: Some(PairingKind::DepartmentVillage),
            partner_name: String::new(),
            content: "帮建村级活动场所".into(),
            since: Some("2026-03-01".parse().unwrap()),
            until: None,
        };
        assert!(check(&d, today).is_ok());
        d.until = Some("2026-01-01".parse().unwrap());
        assert_eq!(check(&d, today).unwrap_err().field, "until");
        d.until = None;
        d.kind = None;
        assert_eq!(check(&d, today).unwrap_err().field, "kind");
        assert!(holds_on("2026-03-01".parse().unwrap(), None, today));
    }
}
