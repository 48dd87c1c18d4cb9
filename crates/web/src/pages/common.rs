//! Helpers shared by several page files (none borrows from a sibling page file).

/// One tab of the report pages' strip.
pub struct Tab {
    pub href: String,
    pub label: &'static str,
    pub active: bool,
}

/// The report pages' tabs for `org`, with `active` (a report's path name) marked.
pub(super) fn tabs(org: i64, active: &str) -> Vec<Tab> {
    [
        ("structure", "组织设置"),
        ("coverage", "覆盖情况"),
        ("members", "党员队伍结构"),
        ("compliance", "组织生活"),
        ("ratings", "星级评定"),
        ("weak", "软弱涣散"),
        ("rectification", "整顿进展"),
    ]
    .iter()
    .map(|(k, l)| Tab {
        href: format!("/reports/{k}?org={org}"),
        label: l,
        active: *k == active,
    })
    .collect()
}
