//! `jiceng report pairing` as a table: the subtree's 结对共建 on the day, by kind, the
//! grassroots orgs covered and those without any pairing, then each pairing.

use std::fmt::Write;

use jiceng_app::pairing::PairingOverview;

pub fn render(o: &PairingOverview) -> String {
    let mut s = String::new();
    let _ = writeln!(
        s,
        "\n== {}（{}）及以下结对共建，截至 {} ==",
        o.org.name, o.org.code, o.on
    );
    let kinds: Vec<String> = o
        .by_kind
        .iter()
        .map(|(k, n)| format!("{} {n}", k.label()))
        .collect();
    let _ = writeln!(s, "{}  合计 {}", kinds.join("  "), o.total);
    let _ = writeln!(
        s,
        "有结对的基层党组织 {}  无结对的基层党组织 {}",
        o.covered, o.unpaired_total
    );
    let _ = writeln!(
        s,
        "{:<10} {:<20} {:<20} {:<12} {:<12}  共建内容",
        "结对形式", "受援党组织", "结对单位", "开始", "结束"
    );
    for p in &o.pairings {
        let _ = writeln!(
            s,
            "{:<10} {:<20} {:<20} {:<12} {:<12}  {}",
            p.kind.label(),
            p.org.name,
            p.partner_name,
            p.since.to_string(),
            p.until_text(),
            p.content.chars().take(40).collect::<String>()
        );
    }
    if o.pairings.is_empty() {
        let _ = writeln!(s, "（没有在结对的结对共建）");
    }
    if !o.unpaired.is_empty() {
        let _ = writeln!(s, "无结对的基层党组织：");
        for u in &o.unpaired {
            let _ = writeln!(s, "  {}（{}）", u.name, u.code);
        }
        if o.unpaired_total > o.unpaired.len() as i64 {
            let _ = writeln!(s, "  （只列出前{}个）", o.unpaired.len());
        }
    }
    s
}
