//! `jiceng report transfers` as a table: the flows of the org and each child for the period,
//! then the overdue letters.

use std::fmt::Write;

use jiceng_app::reports::transfers::TransfersReport;

pub fn render_report(r: &TransfersReport) -> String {
    let mut s = String::new();
    let _ = writeln!(
        s,
        "\n== {}（{}）{} 组织关系转接（{} 至 {}；待接收截至 {}）==",
        r.org.name, r.org.code, r.period, r.from, r.to, r.as_of
    );
    let _ = writeln!(
        s,
        "{:<24} {:>6} {:>6} {:>6} {:>6} {:>8} {:>6} {:>8} {:>6}",
        "党组织",
        "开具转出",
        "转出办结",
        "转入",
        "被退回",
        "转出待接收",
        "逾期",
        "待本级接收",
        "逾期"
    );
    for (name, f) in r.flow_rows() {
        let _ = writeln!(
            s,
            "{:<24} {:>6} {:>6} {:>6} {:>6} {:>8} {:>6} {:>8} {:>6}",
            name,
            f.issued_out,
            f.left,
            f.arrived,
            f.returned,
            f.waiting_out,
            f.overdue_out,
            f.waiting_in,
            f.overdue_in
        );
    }
    let _ = writeln!(s, "\n逾期未接收（{} 封）：", r.overdue.len());
    for o in &r.overdue {
        let _ = writeln!(
            s,
            "  {} {} {}：{} → {}，{} 开具，{} 前有效",
            o.letter_no, o.name, o.id_number, o.from, o.to, o.issued_on, o.valid_until
        );
    }
    s
}

/// `jiceng report mobility` as a table: the counts by child org, then the people with a
/// proposal.
pub fn render_mobility(r: &jiceng_app::mobility::Mobility) -> String {
    let mut s = String::new();
    let _ = writeln!(
        s,
        "\n== {}（{}）流动党员和失联党员，截至 {} ==",
        r.org.name, r.org.code, r.today
    );
    let _ = writeln!(
        s,
        "{:<24} {:>6} {:>12} {:>6} {:>12} {:>10}",
        "党组织", "外出", "应转移组织关系", "失联", "应启动停止党籍", "应启动除名"
    );
    let rows = r.by_child.iter().map(|c| (c.name.as_str(), &c.counts));
    for (name, c) in rows {
        let _ = writeln!(
            s,
            "{:<24} {:>6} {:>12} {:>6} {:>12} {:>10}",
            name, c.away, c.transfer_due, c.lost, c.suspension, c.removal
        );
    }
    let _ = writeln!(
        s,
        "{:<24} {:>6} {:>12} {:>6} {:>12} {:>10}",
        "合计", r.away_total, r.transfer_due, r.lost_total, r.suspension, r.removal
    );
    let flagged: Vec<_> = r
        .away
        .iter()
        .chain(&r.lost)
        .filter(|p| p.proposal.is_some())
        .collect();
    let _ = writeln!(s, "\n应由支部研究处置（{} 人）：", flagged.len());
    for p in flagged {
        let _ = writeln!(
            s,
            "  {} {} {}：{}自 {}，{}",
            p.name,
            p.id_number,
            p.org_name,
            p.kind,
            p.since
                .map_or_else(|| "未登记".to_string(), |d| d.to_string()),
            p.proposal.unwrap_or("")
        );
    }
    s
}

/// `jiceng report training` as a table: the counts by child org, the staffing checks,
/// then the members short of hours.
pub fn render_training(r: &jiceng_app::training::Report) -> String {
    let o = &r.overview;
    let mut s = String::new();
    let _ = writeln!(
        s,
        "\n== {}（{}）{}年度党员教育培训学时，截至 {}（党员应{}学时，书记和委员应{}学时）==",
        o.org.name, o.org.code, o.year, o.today, o.member_hours, o.leading_hours
    );
    let word = if o.running {
        "还差学时"
    } else {
        "未达标"
    };
    let _ = writeln!(
        s,
        "{:<24} {:>6} {:>6} {:>8} {:>10} {:>14} {:>8}  情况",
        "党组织", "党员", "已达标", word, "书记和委员", "其中学时不足", "学时合计"
    );
    for l in o.children.iter().chain(std::iter::once(&o.total)) {
        let name = if l.org_id == o.org_id {
            "合计"
        } else {
            &l.name
        };
        let t = &l.tally;
        let _ = writeln!(
            s,
            "{:<24} {:>6} {:>6} {:>8} {:>10} {:>14} {:>8}  {}",
            name, t.members, t.met, t.short, t.leading, t.leading_short, l.hours_total, l.status
        );
    }
    let st = &o.staffing;
    let _ = writeln!(
        s,
        "\n本年度无培训学时的支部书记：{} 人（共 {} 人）",
        st.secretaries_untrained, st.secretaries
    );
    let _ = writeln!(
        s,
        "乡镇党委党建工作力量（组织员和党建工作指导员应不少于 {} 名）：{} 个乡镇党委中 {} 个不足",
        st.min, st.townships_total, st.townships_short
    );
    for t in st.townships.iter().filter(|t| t.short) {
        let _ = writeln!(
            s,
            "  {}：组织员 {} 名，党建工作指导员 {} 名",
            t.name, t.organizers, t.instructors
        );
    }
    let _ = writeln!(
        s,
        "\n学时不足的党员（{} 人，列出 {} 人）：",
        r.short_total,
        r.short.len()
    );
    for p in &r.short {
        let _ = writeln!(
            s,
            "  {} {} {}：{}/{}学时，{}",
            p.name, p.id_number, p.org_name, p.hours, p.required, p.standing
        );
    }
    s
}
