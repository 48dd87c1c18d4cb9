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
