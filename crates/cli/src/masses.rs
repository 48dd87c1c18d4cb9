//! `jiceng report requests` as a table: the counts of the subtree's 群众诉求 in the period,
//! then each request (open first, the oldest on top; never the requester).

use std::fmt::Write;

use jiceng_app::mass_requests::{share_text, RequestList};

pub fn render(l: &RequestList) -> String {
    let mut s = String::new();
    let span = l.month.as_deref().unwrap_or("全部");
    let _ = writeln!(
        s,
        "\n== {}（{}）及以下群众诉求，受理期间 {}，截至 {} ==",
        l.org.name, l.org.code, span, l.today
    );
    let c = &l.counts;
    let _ = writeln!(
        s,
        "受理 {}  办结 {}  办结率 {}  平均办结 {}  逾期未办结（超过{}天） {}  诉求人满意 {}",
        c.received,
        c.resolved,
        share_text(c.resolution_rate()),
        l.average_text(),
        l.overdue_days,
        c.overdue,
        share_text(c.satisfied_share()),
    );
    let _ = writeln!(
        s,
        "{:<12} {:<8} {:<8} {:<20} {:<10} {:>5}  诉求内容",
        "受理日期", "渠道", "类别", "承办党组织", "状态", "天数"
    );
    for r in &l.requests {
        let _ = writeln!(
            s,
            "{:<12} {:<8} {:<8} {:<20} {:<10} {:>5}  {}",
            r.received_on.to_string(),
            r.channel.label(),
            r.category.label(),
            r.org.name,
            r.status.label(),
            r.days,
            r.content.chars().take(40).collect::<String>()
        );
    }
    if l.requests.is_empty() {
        let _ = writeln!(s, "（没有群众诉求）");
    } else if l.capped() {
        let _ = writeln!(s, "（只列出前{}件；以上计数为全部）", l.requests.len());
    }
    s
}
