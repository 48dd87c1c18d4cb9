//! Party organizations (党组织), their kinds, domains and region codes.

use serde::{Deserialize, Serialize};

use crate::Date;

/// The kind of a party organization, highest first.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub enum OrgKind {
    /// 地方党委 (省委/市委/县委): roots of a jurisdiction; not grassroots.
    LocalCommittee,
    /// 党工委 (街道/园区/机关工委).
    WorkingCommittee,
    /// 基层党委.
    PrimaryCommittee,
    /// 党总支.
    GeneralBranch,
    /// 党支部 (a joint branch is a branch covering several units).
    Branch,
    /// 党小组.
    Group,
}

impl OrgKind {
    pub const ALL: [OrgKind; 6] = [
        OrgKind::LocalCommittee,
        OrgKind::WorkingCommittee,
        OrgKind::PrimaryCommittee,
        OrgKind::GeneralBranch,
        OrgKind::Branch,
        OrgKind::Group,
    ];

    /// The GLOSSARY code name, as stored and as used in the API.
    pub fn code(self) -> &'static str {
        match self {
            OrgKind::LocalCommittee => "LocalCommittee",
            OrgKind::WorkingCommittee => "WorkingCommittee",
            OrgKind::PrimaryCommittee => "PrimaryCommittee",
            OrgKind::GeneralBranch => "GeneralBranch",
            OrgKind::Branch => "Branch",
            OrgKind::Group => "Group",
        }
    }

    /// The Chinese term shown to users.
    pub fn label(self) -> &'static str {
        match self {
            OrgKind::LocalCommittee => "地方党委",
            OrgKind::WorkingCommittee => "党工委",
            OrgKind::PrimaryCommittee => "党委",
            OrgKind::GeneralBranch => "党总支",
            OrgKind::Branch => "党支部",
            OrgKind::Group => "党小组",
        }
    }

    /// Rank in the hierarchy: a higher number leads a lower one.
    pub fn rank(self) -> u8 {
        match self {
            OrgKind::LocalCommittee => 6,
            OrgKind::WorkingCommittee => 5,
            OrgKind::PrimaryCommittee => 4,
            OrgKind::GeneralBranch => 3,
            OrgKind::Branch => 2,
            OrgKind::Group => 1,
        }
    }

    /// Committees (local, working, primary) as opposed to branches and groups.
    pub fn is_committee(self) -> bool {
        self.rank() >= 4
    }

    pub fn from_code(s: &str) -> Option<OrgKind> {
        OrgKind::ALL.into_iter().find(|k| k.code() == s)
    }

    /// Parses what a roster writes in the 组织类别 column.
    pub fn parse_label(s: &str) -> Option<OrgKind> {
        let s = s.trim();
        if let Some(k) = OrgKind::from_code(s) {
            return Some(k);
        }
        Some(match s {
            "地方党委" | "省委" | "市委" | "州委" | "盟委" | "县委" | "区委" | "旗委"
            | "市委(地级)" => OrgKind::LocalCommittee,
            "党工委" | "工委" | "街道党工委" | "园区党工委" | "机关工委" => {
                OrgKind::WorkingCommittee
            }
            "党委" | "基层党委" | "党组织委员会" => OrgKind::PrimaryCommittee,
            "党总支" | "总支" | "党总支部" | "党总支委员会" => {
                OrgKind::GeneralBranch
            }
            "党支部" | "支部" | "联合党支部" | "联合支部" | "功能型党支部" => {
                OrgKind::Branch
            }
            "党小组" | "小组" => OrgKind::Group,
            _ if OrgKind::is_temporary_label(s) => OrgKind::Branch,
            _ => return None,
        })
    }

    /// A 组织类别 label naming a 临时党支部 (set up for a project, a training course or
    /// members away; rules review S18).
    pub fn is_temporary_label(s: &str) -> bool {
        matches!(s.trim(), "临时党支部" | "临时支部")
    }
}

/// The domain (领域) of an org or unit.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub enum Domain {
    Village,
    Community,
    Township,
    Street,
    Organ,
    PublicInstitution,
    StateEnterprise,
    NonPublicEnterprise,
    ForeignEnterprise,
    SocialGroup,
    PrivateNonEnterprise,
    FarmerCooperative,
    NewMedia,
    NewEmployment,
    Park,
    Building,
}

impl Domain {
    pub const ALL: [Domain; 16] = [
        Domain::Village,
        Domain::Community,
        Domain::Township,
        Domain::Street,
        Domain::Organ,
        Domain::PublicInstitution,
        Domain::StateEnterprise,
        Domain::NonPublicEnterprise,
        Domain::ForeignEnterprise,
        Domain::SocialGroup,
        Domain::PrivateNonEnterprise,
        Domain::FarmerCooperative,
        Domain::NewMedia,
        Domain::NewEmployment,
        Domain::Park,
        Domain::Building,
    ];

    pub fn code(self) -> &'static str {
        match self {
            Domain::Village => "Village",
            Domain::Community => "Community",
            Domain::Township => "Township",
            Domain::Street => "Street",
            Domain::Organ => "Organ",
            Domain::PublicInstitution => "PublicInstitution",
            Domain::StateEnterprise => "StateEnterprise",
            Domain::NonPublicEnterprise => "NonPublicEnterprise",
            Domain::ForeignEnterprise => "ForeignEnterprise",
            Domain::SocialGroup => "SocialGroup",
            Domain::PrivateNonEnterprise => "PrivateNonEnterprise",
            Domain::FarmerCooperative => "FarmerCooperative",
            Domain::NewMedia => "NewMedia",
            Domain::NewEmployment => "NewEmployment",
            Domain::Park => "Park",
            Domain::Building => "Building",
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            Domain::Village => "农村",
            Domain::Community => "社区",
            Domain::Township => "乡镇",
            Domain::Street => "街道",
            Domain::Organ => "机关",
            Domain::PublicInstitution => "事业单位",
            Domain::StateEnterprise => "国有企业",
            Domain::NonPublicEnterprise => "非公有制企业",
            Domain::ForeignEnterprise => "外资企业",
            Domain::SocialGroup => "社会团体",
            Domain::PrivateNonEnterprise => "民办非企业单位",
            Domain::FarmerCooperative => "农民合作社",
            Domain::NewMedia => "新兴媒体",
            Domain::NewEmployment => "新就业群体",
            Domain::Park => "园区",
            Domain::Building => "商务楼宇",
        }
    }

    pub fn from_code(s: &str) -> Option<Domain> {
        Domain::ALL.into_iter().find(|d| d.code() == s)
    }

    /// Parses the 所属领域 / 单位类型 columns of real rosters, with their common aliases.
    pub fn parse_label(s: &str) -> Option<Domain> {
        let s = s.trim();
        if let Some(d) = Domain::from_code(s) {
            return Some(d);
        }
        if let Some(d) = Domain::ALL.into_iter().find(|d| d.label() == s) {
            return Some(d);
        }
        Some(match s {
            "村" | "行政村" | "农村村" | "建制村" | "村委会" => Domain::Village,
            "城市社区" | "社区居委会" | "居委会" | "城镇社区" => Domain::Community,
            "乡" | "镇" | "乡镇机关" => Domain::Township,
            "街道办事处" | "街道机关" => Domain::Street,
            "党政机关" | "机关单位" | "行政机关" => Domain::Organ,
            "学校" | "医院" | "科研院所" | "公立医院" | "高校" | "中小学" | "事业" => {
                Domain::PublicInstitution
            }
            "国企" | "国有控股企业" | "国有及国有控股企业" | "央企" => {
                Domain::StateEnterprise
            }
            "非公企业" | "民营企业" | "私营企业" | "个体工商户" | "非公有制经济组织" => {
                Domain::NonPublicEnterprise
            }
            "外企" | "外商投资企业" | "港澳台资企业" | "外资" => {
                Domain::ForeignEnterprise
            }
            "社团" | "社会组织" | "行业协会" | "协会" | "学会" | "商会" => {
                Domain::SocialGroup
            }
            "民非" | "社会服务机构" | "民办非企业" => Domain::PrivateNonEnterprise,
            "合作社" | "农民专业合作社" | "专业合作社" => Domain::FarmerCooperative,
            "互联网企业" | "新媒体" => Domain::NewMedia,
            "新就业形态" | "快递" | "外卖" | "网约车" => Domain::NewEmployment,
            "产业园区" | "开发区" | "工业园区" => Domain::Park,
            "楼宇" | "商务楼" => Domain::Building,
            _ => return None,
        })
    }
}

/// A 12-digit statistical division code (GB/T 2260 + NBS); shorter codes are padded with zeros.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub struct RegionCode(String);

impl RegionCode {
    /// Accepts 2, 4, 6, 9 or 12 ASCII digits (what the division tables use) and pads to 12.
    pub fn parse(s: &str) -> Result<RegionCode, String> {
        let s = s.trim();
        if !s.bytes().all(|b| b.is_ascii_digit()) {
            return Err(format!("行政区划代码只能由数字组成：{s}"));
        }
        match s.len() {
            2 | 4 | 6 | 9 | 12 => {}
            n => {
                return Err(format!(
                    "行政区划代码应为12位数字（或2、4、6、9位），实为{n}位"
                ))
            }
        }
        if &s[..2] == "00" {
            return Err(format!("行政区划代码的省级部分无效：{s}"));
        }
        let mut code = s.to_string();
        while code.len() < 12 {
            code.push('0');
        }
        Ok(RegionCode(code))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// A party organization: a node of the tree.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Org {
    pub id: i64,
    /// The org's code: given by the user or assigned when created. Unique.
    pub code: String,
    pub name: String,
    pub kind: OrgKind,
    pub domain: Option<Domain>,
    pub region_code: Option<RegionCode>,
    /// The org that leads this one (隶属关系); `None` for a root.
    pub parent_id: Option<i64>,
    pub founded_on: Option<Date>,
    /// The last election (换届) on record; today's copy of the latest `election` event.
    pub last_election_on: Option<Date>,
    /// Whether a 支委会 (or, for committees and general branches, their committee) exists
    /// today: `None` when nobody stated it (暂无数据). Kept in step with the dated
    /// `committee_set` / `committee_none` events (`domain::history`), which judgements read.
    pub committee: Option<bool>,
    /// An approved term length in years overriding the rule for the kind (任期年限).
    pub term_years: Option<i64>,
    /// A 临时党支部: its members' formal relations stay at home, so it is not judged as a
    /// standing branch.
    pub temporary: bool,
    /// The org that approved its setting up (批准机关), as written.
    pub approving_org: Option<String>,
    pub dissolved_on: Option<Date>,
}
