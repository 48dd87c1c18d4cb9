//! `jiceng report requests` as a table: the counts of the subtree's 群众诉求 in the period,
//! then each request (open first, the oldest on top; never the requester); `jiceng report
//! surveys`: the subtree's 群众满意度测评 of a period; `jiceng report venues`: the venues
//! with their quarters, then the secretaries' remuneration.
use std::fmt::Write;

use jiceng_app::mass_requests::{share_text, RequestList};
use jiceng_app::surveys::{SurveyReport, SurveySummary};

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

pub fn render_surveys(r: &SurveyReport) -> String {
    let mut s = String::new();
    let _ = writeln!(
        s,
        "\n== {}（{}）及以下群众满意度测评，{}，截至 {} ==",
        r.org.name, r.org.code, r.period_label, r.today
    );
    let t = &r.totals;
    let _ = writeln!(
        s,
        "测评 {}（进行中 {}）  发放测评码 {}  收回答卷 {}  参评率 {}  满意率 {}",
        t.surveys,
        t.open,
        t.issued,
        t.responses,
        share_text(t.response_rate),
        share_text(t.satisfaction),
    );
    let _ = writeln!(s, "满意率口径：{}", r.definition);
    let line = |s: &mut String, v: &SurveySummary| {
        let _ = writeln!(
            s,
            "{:<20} {:<10} {:<12} {:<12} {:>6} {:>6} {:>8} {:>8}",
            v.org.name,
            v.period_label,
            v.opened_on.to_string(),
            v.closed_on.map_or("进行中".to_string(), |d| d.to_string()),
            v.issued,
            v.responses,
            v.response_rate_text(),
            v.satisfaction_text(),
        );
    };
    let head = format!(
        "{:<20} {:<10} {:<12} {:<12} {:>6} {:>6} {:>8} {:>8}",
        "党组织", "期间", "开始", "结束", "发放", "收回", "参评率", "满意率"
    );
    let _ = writeln!(
        s,
        "\n已结束且满意率低于{:.0}%：{} 个",
        r.min_share * 100.0,
        r.below.len()
    );
    if !r.below.is_empty() {
        let _ = writeln!(s, "{head}");
        for v in &r.below {
            line(&mut s, v);
        }
    }
    let _ = writeln!(s, "\n{head}");
    for v in &r.surveys {
        line(&mut s, v);
    }
    if r.surveys.is_empty() {
        let _ = writeln!(s, "（本期间没有测评）");
    } else if r.capped() {
        let _ = writeln!(s, "（只列出前{}项；以上计数为全部）", r.surveys.len());
    }
    s
}

pub fn render_venues(r: &jiceng_app::venues::VenueReport) -> String {
    let mut s = String::new();
    let l = &r.venues;
    let _ = writeln!(
        s,
        "\n== {}（{}）及以下活动场所 {}年，截至 {} ==",
        l.org.name, l.org.code, l.year, l.today
    );
    let _ = writeln!(s, "场所 {}  有季度铁将军把门 {}", l.total, l.flagged);
    let _ = writeln!(
        s,
        "{:<20} {:<16} {:<12} {:<12} {:<12} {:<12} 最近一次会议",
        "场所", "党组织", "一季度", "二季度", "三季度", "四季度"
    );
    for v in &l.venues {
        let q = v.quarter_labels();
        let _ = writeln!(
            s,
            "{:<20} {:<16} {:<12} {:<12} {:<12} {:<12} {}",
            v.name,
            v.org.name,
            q[0],
            q[1],
            q[2],
            q[3],
            v.last_held_text()
        );
    }
    if l.venues.is_empty() {
        let _ = writeln!(s, "（没有活动场所）");
    }
    let _ = writeln!(s, "{}", l.definition);
    let p = &r.pay;
    let _ = writeln!(
        s,
        "\n== 村（社区）党组织书记{}年报酬：{}，低于标准 {} ==",
        p.year,
        p.standard_text(),
        p.below
    );
    for row in &p.rows {
        let _ = writeln!(
            s,
            "{:<20} {:<4} {:>10} 元  {}{}",
            row.org.name,
            row.domain_label,
            row.amount,
            row.source,
            if row.below { "  低于标准" } else { "" }
        );
    }
    if p.rows.is_empty() {
        let _ = writeln!(s, "（没有登记）");
    }
    s
}
