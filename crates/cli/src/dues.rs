//! `jiceng report dues` as a table: the 收缴统计 of the org's children for the period, month
//! by month, then the members with six months unpaid in a row.

use std::fmt::Write;

use jiceng_app::dues::{DuesOverview, MonthTotal};

fn line(s: &mut String, name: &str, t: &MonthTotal, handed: Option<&str>) {
    let rate = t
        .rate
        .map_or_else(|| "—".to_string(), |r| format!("{r:.1}%"));
    let _ = writeln!(
        s,
        "{:<24} {:>8} {:>12} {:>8} {:>12} {:>8} {:>8} {:>10}",
        name,
        t.members,
        t.due_yuan,
        t.paid_members,
        t.paid_yuan,
        rate,
        t.flagged,
        handed.unwrap_or("")
    );
}

pub fn render(r: &DuesOverview) -> String {
    let mut s = String::new();
    let _ = writeln!(
        s,
        "\n== {}（{}）{} 党费收缴统计{} ==",
        r.org.name,
        r.org.code,
        r.period_label,
        if r.running {
            "（本月未结束，未交不计为欠交）"
        } else {
            ""
        }
    );
    let head = |s: &mut String, first: &str| {
        let _ = writeln!(
            s,
            "{:<24} {:>8} {:>12} {:>8} {:>12} {:>8} {:>8} {:>10}",
            first,
            "核定人数",
            "应交（元）",
            "交纳人次",
            "实交（元）",
            "收缴率",
            "连续未交",
            "上缴（元）"
        );
    };
    head(&mut s, "党组织");
    for c in &r.by_child {
        if c.recorded {
            line(&mut s, &c.name, &c.total, c.handed_yuan.as_deref());
        } else {
            let _ = writeln!(s, "{:<24} {:>8}", c.name, "暂无数据（未登记党费）");
        }
    }
    line(&mut s, "合计", &r.total, None);
    if r.months.len() > 1 {
        let _ = writeln!(s);
        head(&mut s, "月份");
        for m in &r.months {
            line(&mut s, &m.month, m, None);
        }
    }
    let _ = writeln!(
        s,
        "\n连续{}个月未交纳党费，提交党支部研究处置（{} 人）：",
        r.lapse_months, r.flagged_total
    );
    for f in &r.flagged {
        let _ = writeln!(s, "  {} {} {}", f.name, f.id_number, f.org_name);
    }
    s
}
