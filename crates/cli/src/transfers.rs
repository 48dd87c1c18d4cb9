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
    let l = &r.lapse;
    if !l.judged {
        let _ = writeln!(s, "\n自行脱党提示：党员较多，请按乡镇或党支部查看。");
    } else {
        let _ = writeln!(
            s,
            "\n{}至{}连续{}个月未参加组织生活或未交纳党费（{} 人，提交党支部研究）：",
            l.from,
            l.to,
            l.months,
            l.cases.len()
        );
        for c in &l.cases {
            let _ = writeln!(
                s,
                "  {} {} {}：{}",
                c.name,
                c.id_number,
                c.org_name,
                c.reasons.join("；")
            );
        }
        if l.attendance_unrecorded > 0 {
            let _ = writeln!(
                s,
                "  （{} 人所在支部未登记会议出席名单，未判断组织生活）",
                l.attendance_unrecorded
            );
        }
    }
    s
}
