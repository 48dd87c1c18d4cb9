//! 经费保障 (SPEC C7): what an org's funding is of and where it comes from, and the
//! minimum standards per domain, level and year that 穷 and the rating's Funding indicator
//! judge the org's operating funding (the sum of its 运转经费 of the year) against.
//!
//! The standards are rule data: the rule set in force carries a local example with its
//! source ([`FundingRules::default`]); the department sets its own from a year on
//! (`app::funding::set_standards`), and the page prints the rule in force and who set it.

use serde::{Deserialize, Serialize};

use crate::{Domain, OrgKind};

/// The longest note a record keeps, in characters.
pub const NOTE_MAX: usize = 200;

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

            /// By code only (as stored).
            pub fn from_code(s: &str) -> Option<$name> {
                $name::ALL.iter().copied().find(|k| k.code() == s)
            }
        }
    };
}

coded!(
    /// What a funding record is of. The codes of the first and the last are those stored
    /// before 经费保障 had kinds of its own (migration 0042 keeps them).
    FundingKind {
        /// 运转经费: what 穷 and the rating judge against the standard.
        Operating => "运转经费",
        /// 服务群众专项经费.
        ServiceMasses => "服务群众专项经费",
        /// 党建工作经费.
        PartyWork => "党建工作经费",
        /// 党费返还 (dues passed back down for the org's work).
        DuesReturn => "党费返还",
        Other => "其他",
        /// 村集体经济收入: the village's income of the year, one figure per village.
        CollectiveIncome => "村集体经济收入",
    }
);

coded!(
    /// Where the money comes from.
    FundingSource {
        Finance => "财政",
        Dues => "党费",
        Collective => "集体经济",
        Enterprise => "企业",
        Other => "其他",
    }
);

impl FundingKind {
    /// The kinds an org receives (all but the village's collective income).
    pub fn received() -> impl Iterator<Item = FundingKind> {
        FundingKind::ALL
            .iter()
            .copied()
            .filter(|k| *k != FundingKind::CollectiveIncome)
    }
}

/// The minimum standard of one domain (and level, when given) in yuan a year.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct FundingStandard {
    pub domain: Domain,
    /// The level (党委, 党总支, 党支部…) it is for; `None`: every level of the domain. A
    /// standard naming the org's level wins over one for the whole domain.
    #[serde(default)]
    pub level: Option<OrgKind>,
    /// 运转经费 a year at least.
    pub operating_yuan: f64,
    /// 村集体经济收入 a year at least (villages); `None`: not judged.
    #[serde(default)]
    pub collective_income_yuan: Option<f64>,
}

/// The standards of a rule set, with their source.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct FundingRules {
    pub standards: Vec<FundingStandard>,
    pub source: String,
}

impl Default for FundingRules {
    fn default() -> FundingRules {
        FundingRules {
            standards: vec![
                FundingStandard {
                    domain: Domain::Village,
                    level: None,
                    operating_yuan: 100_000.0,
                    collective_income_yuan: Some(50_000.0),
                },
                FundingStandard {
                    domain: Domain::Community,
                    level: None,
                    operating_yuan: 100_000.0,
                    collective_income_yuan: None,
                },
            ],
            source: "本地示例（中央要求建立以财政投入为主的村级组织运转经费保障制度，具体标准由各省区市确定；此处按“每村（社区）每年运转经费不低于10万元、村集体经济年收入不低于5万元（低于即为集体经济薄弱村）”示例，与默认评定指标体系一致；组织部门按本地文件设定）".into(),
        }
    }
}

/// Why a set of standards cannot be used.
pub type StandardsError = String;

impl FundingRules {
    /// The standard that applies to an org of `domain` and `level`: the one naming its
    /// level, else the one for its whole domain; `None`: its domain has none.
    pub fn for_org(&self, domain: Option<Domain>, level: OrgKind) -> Option<&FundingStandard> {
        let domain = domain?;
        self.standards
            .iter()
            .find(|s| s.domain == domain && s.level == Some(level))
            .or_else(|| {
                self.standards
                    .iter()
                    .find(|s| s.domain == domain && s.level.is_none())
            })
    }

    /// Every amount a finite number of yuan, not negative; one standard per domain and
    /// level; collective income only for villages.
    pub fn check(&self) -> Result<(), StandardsError> {
        let ok = |v: f64| v.is_finite() && (0.0..1e11).contains(&v);
        for (i, s) in self.standards.iter().enumerate() {
            let what = match s.level {
                Some(l) => format!("{}（{}）", s.domain.label(), l.label()),
                None => s.domain.label().to_string(),
            };
            if !ok(s.operating_yuan) {
                return Err(format!("{what}的运转经费标准应为不小于0的金额（元）"));
            }
            if let Some(c) = s.collective_income_yuan {
                if s.domain != Domain::Village {
                    return Err(format!("{what}不是村，不设村集体经济收入标准"));
                }
                if !ok(c) {
                    return Err(format!("{what}的村集体经济收入标准应为不小于0的金额（元）"));
                }
            }
            if self.standards[..i]
                .iter()
                .any(|o| o.domain == s.domain && o.level == s.level)
            {
                return Err(format!("{what}的标准重复"));
            }
        }
        Ok(())
    }
}

/// Yuan as fen (1/100 yuan), rounded; `None`: not a finite amount within 10^11 yuan
/// nor negative.
pub fn fen_of(yuan: f64) -> Option<i64> {
    (yuan.is_finite() && (0.0..1e11).contains(&yuan)).then(|| (yuan * 100.0).round() as i64)
}

/// Fen as yuan text with two decimals (`12345.60`).
pub fn yuan_text(fen: i64) -> String {
    let sign = if fen < 0 { "-" } else { "" };
    let a = fen.unsigned_abs();
    format!("{sign}{}.{:02}", a / 100, a % 100)
}

/// An amount as typed (`12,345.6`, `12345.60元`, `1.2万`), as yuan; or why not.
pub fn parse_yuan(s: &str) -> Result<f64, String> {
    let t = s.trim().replace([',', '，', ' '], "");
    let (t, scale) = match t.strip_suffix("万元").or_else(|| t.strip_suffix('万')) {
        Some(t) => (t.to_string(), 10_000.0),
        None => (t.trim_end_matches('元').to_string(), 1.0),
    };
    let v: f64 = t
        .parse()
        .map_err(|_| format!("金额应为数字（元）：{}", s.trim()))?;
    let v = v * scale;
    if fen_of(v).is_none() {
        return Err(format!("金额应为不小于0的数字（元）：{}", s.trim()));
    }
    Ok(v)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn level_wins_over_domain() {
        let mut r = FundingRules::default();
        r.standards.push(FundingStandard {
            domain: Domain::Village,
            level: Some(OrgKind::PrimaryCommittee),
            operating_yuan: 150_000.0,
            collective_income_yuan: None,
        });
        assert_eq!(
            r.for_org(Some(Domain::Village), OrgKind::PrimaryCommittee)
                .map(|s| s.operating_yuan),
            Some(150_000.0)
        );
        assert_eq!(
            r.for_org(Some(Domain::Village), OrgKind::Branch)
                .map(|s| s.operating_yuan),
            Some(100_000.0)
        );
        assert!(r.for_org(Some(Domain::Organ), OrgKind::Branch).is_none());
        assert!(r.for_org(None, OrgKind::Branch).is_none());
        assert!(r.check().is_ok());
    }

    #[test]
    fn checks_refuse_nonsense() {
        let mut r = FundingRules::default();
        r.standards[1].collective_income_yuan = Some(1.0);
        assert!(r.check().unwrap_err().contains("不是村"));
        let mut r = FundingRules::default();
        r.standards[0].operating_yuan = -1.0;
        assert!(r.check().is_err());
        let mut r = FundingRules::default();
        r.standards.push(r.standards[0].clone());
        assert!(r.check().unwrap_err().contains("重复"));
    }

    #[test]
    fn amounts() {
        assert_eq!(parse_yuan("12,345.6元"), Ok(12_345.6));
        assert_eq!(parse_yuan("1.2万"), Ok(12_000.0));
        assert!(parse_yuan("-5").is_err());
        assert!(parse_yuan("abc").is_err());
        assert_eq!(fen_of(0.015), Some(2));
        assert_eq!(yuan_text(1_234_560), "12345.60");
        assert_eq!(
            FundingKind::parse("党费返还"),
            Some(FundingKind::DuesReturn)
        );
        assert_eq!(
            FundingSource::parse("Finance"),
            Some(FundingSource::Finance)
        );
    }
}
