//! Units (单位): enterprises, social organizations, villages, communities, organs… and how
//! each is covered by a party organization.

use serde::{Deserialize, Serialize};

use crate::{Coverage, CreditCode, Domain, RegionCode};

/// 经营状态: only operating units count in coverage rates.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum OperatingStatus {
    Operating,
    Closed,
}

impl OperatingStatus {
    pub fn label(self) -> &'static str {
        match self {
            OperatingStatus::Operating => "存续",
            OperatingStatus::Closed => "注销",
        }
    }
    /// 存续/在业/开业/正常/运营 count as operating; 注销/吊销/撤销/停业/歇业/迁出/清算 do not.
    pub fn parse_label(s: &str) -> Option<OperatingStatus> {
        let s = s.trim();
        const OPERATING: [&str; 8] = [
            "存续",
            "在业",
            "开业",
            "正常",
            "运营",
            "营业",
            "在营",
            "存续（在营、开业、在册）",
        ];
        const CLOSED: [&str; 9] = [
            "注销",
            "吊销",
            "撤销",
            "停业",
            "歇业",
            "迁出",
            "清算",
            "吊销未注销",
            "已注销",
        ];
        if OPERATING.contains(&s) || s.starts_with("存续") || s.starts_with("在业") {
            Some(OperatingStatus::Operating)
        } else if CLOSED.iter().any(|c| s.starts_with(c)) {
            Some(OperatingStatus::Closed)
        } else {
            None
        }
    }
}

/// A unit and how it is covered (组织覆盖 / 工作覆盖).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Unit {
    pub id: i64,
    pub name: String,
    /// 统一社会信用代码; villages and communities without one may leave it empty.
    pub credit_code: Option<CreditCode>,
    pub domain: Domain,
    pub region_code: Option<RegionCode>,
    pub status: OperatingStatus,
    pub employees: Option<i64>,
    /// 正式党员人数 employed in the unit.
    pub full_members: i64,
    pub coverage: Coverage,
    /// The org that covers it (own or joint), or for instructor coverage and gaps the org
    /// responsible for it. The unit is in that org's subtree.
    pub org_id: i64,
    /// 党建工作指导员 / 联络员, as written.
    pub instructor: Option<String>,
}
