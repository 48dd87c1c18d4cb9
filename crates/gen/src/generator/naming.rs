//! What the generator calls things: committees of provinces, cities and counties, the
//! kind of a township (镇, 乡, 街道) and the base name of a village.

use jiceng_domain::Domain;

use crate::divisions::Division;

/// 山东省 → 山东省委; 内蒙古自治区 → 内蒙古自治区党委.
pub(super) fn province_committee_name(name: &str) -> String {
    if name.ends_with("自治区") {
        format!("{name}党委")
    } else {
        format!("{name}委")
    }
}

/// 济宁市 → 济宁市委; 大兴安岭地区 → 大兴安岭地委; `None` for the groupings that have
/// no committee (市辖区, 县, 省直辖县级行政区划).
pub(super) fn city_committee_name(name: &str) -> Option<String> {
    if name == "市辖区" || name == "县" || name.ends_with("直辖县级行政区划") {
        return None;
    }
    Some(match name.strip_suffix("地区") {
        Some(base) => format!("{base}地委"),
        None => format!("{name}委"),
    })
}

/// 汶上县 → 汶上县委; 市中区 → 市中区委; 曲阜市 → 曲阜市委; 乌拉盖管理区管委会 → 乌拉盖管理区党委.
pub(super) fn county_committee_name(name: &str) -> String {
    let zone = [
        "开发区",
        "新区",
        "园区",
        "示范区",
        "管理区",
        "高新区",
        "新城",
    ];
    if zone.iter().any(|z| name.ends_with(z)) {
        format!("{name}党工委")
    } else if name.ends_with(['县', '区', '市', '旗']) {
        format!("{name}委")
    } else {
        format!("{}党委", name.strip_suffix("管委会").unwrap_or(name))
    }
}

/// What a township-level division is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum TownKind {
    /// 镇, 乡, 苏木: a primary committee.
    Rural,
    /// 街道 (and 办事处): a working committee.
    Street,
    /// 开发区, 园区 …: a working committee of the park.
    Park,
    /// 农场, 林场, 监狱 …: a primary committee of the body.
    Other(Domain),
}

pub(super) fn town_kind(name: &str) -> TownKind {
    if name.ends_with("街道") || name.ends_with("办事处") {
        TownKind::Street
    } else if name.ends_with('镇') || name.ends_with('乡') || name.ends_with("苏木") {
        TownKind::Rural
    } else if [
        "开发区",
        "园区",
        "产业园",
        "工业园",
        "新区",
        "示范区",
        "保税区",
        "经济区",
        "度假区",
        "景区",
        "管理区",
        "片区",
        "管委会",
    ]
    .iter()
    .any(|s| name.contains(s))
    {
        TownKind::Park
    } else if name.ends_with('场') || name.ends_with("公司") {
        TownKind::Other(Domain::StateEnterprise)
    } else if name.ends_with("监狱")
        || name.ends_with('局')
        || name.ends_with('处')
        || name.ends_with("中心")
    {
        TownKind::Other(Domain::Organ)
    } else {
        TownKind::Other(Domain::Township)
    }
}

/// Urban (居委会, 社区) rather than rural: by name, else by the NBS code (001–199 居委会).
pub(super) fn is_community(v: &Division) -> bool {
    let n = &v.name;
    if n.contains("社区") || n.contains("居委") || n.contains("居民委员会") {
        return true;
    }
    if n.contains("村委") || n.contains("村民委员会") || n.contains("嘎查") || n.ends_with('村')
    {
        return false;
    }
    v.code
        .get(9..12)
        .and_then(|s| s.parse::<u32>().ok())
        .is_some_and(|x| x < 200)
}

/// The name an org of the village takes: 张庄村村委会 → 张庄村, 大肖庄村委会 → 大肖庄村,
/// 南门社区居民委员会 → 南门社区, 西门居委会 → 西门社区, 刘村 → 刘村.
pub fn village_base(name: &str) -> String {
    for s in ["村民委员会", "村委会", "村委"] {
        if let Some(b) = name.strip_suffix(s) {
            if b.is_empty() {
                break;
            }
            return if b.ends_with('村') {
                b.to_string()
            } else {
                format!("{b}村")
            };
        }
    }
    for s in ["居民委员会", "居委会", "居委"] {
        if let Some(b) = name.strip_suffix(s) {
            if b.is_empty() {
                break;
            }
            return if b.ends_with("社区") {
                b.to_string()
            } else {
                format!("{b}社区")
            };
        }
    }
    name.strip_suffix("委员会")
        .filter(|b| !b.is_empty())
        .unwrap_or(name)
        .to_string()
}
