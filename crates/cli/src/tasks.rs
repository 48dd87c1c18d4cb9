//! `jiceng report tasks`, `burden`, `inspections` and `duty` as tables.

use std::fmt::Write;

use jiceng_app::tasks::burden::Ledger;
use jiceng_app::tasks::TasksReport;
use jiceng_domain::task::Load;

/// The tasks of the period, one line each, then the orgs overdue.
pub fn render(r: &TasksReport) -> String {
    let mut s = String::new();
    let _ = writeln!(
        s,
        "\n== {}（{}）{}下达的任务，截至 {} ==",
        r.org.name, r.org.code, r.period, r.today
    );
    if r.tasks.is_empty() {
        let _ = writeln!(s, "本期间没有下达任务。");
        return s;
    }
    let _ = writeln!(
        s,
        "{:<24} {:<16} {:>10} {:>6} {:>6} {:>8} {:>8}",
        "任务", "下达单位", "完成时限", "对象", "已完成", "逾期完成", "逾期未完成"
    );
    for l in &r.tasks {
        let c = &l.counts;
        let _ = writeln!(
            s,
            "{:<24} {:<16} {:>10} {:>6} {:>6} {:>8} {:>8}",
            l.task.title,
            l.task.org_name,
            l.task.deadline,
            c.targets,
            c.done,
            c.done_late,
            c.overdue
        );
    }
    let t = &r.totals;
    let _ = writeln!(
        s,
        "合计：任务对象{}个次，已完成{}（其中逾期完成{}），逾期未完成{}",
        t.targets, t.done, t.done_late, t.overdue
    );
    for l in r.tasks.iter().filter(|l| !l.overdue.is_empty()) {
        let names: Vec<&str> = l.overdue.iter().map(|o| o.name.as_str()).collect();
        let _ = writeln!(s, "逾期未完成「{}」：{}", l.task.title, names.join("、"));
    }
    s
}

/// The month's ledger: by level, by issuer, the most burdened orgs.
pub fn render_ledger(l: &Ledger) -> String {
    let mut s = String::new();
    let t = &l.totals;
    let _ = writeln!(
        s,
        "\n== {}（{}）减负台账 {} ==\n收到任务{}项次，填报{}项次，系统代答{}项次，仍要求填报已掌握数据{}项次；超过每月上限的党组织{}个",
        l.org.name, l.org.code, l.month, t.items, t.questions, t.answered, t.asked_held, l.over
    );
    let _ = writeln!(
        s,
        "{:<22} {:>6} {:>8} {:>6} {:>6} {:>6}",
        "层级", "上限", "收到的组织", "达到", "超过", "项次"
    );
    for v in &l.levels {
        let _ = writeln!(
            s,
            "{:<22} {:>6} {:>8} {:>6} {:>6} {:>6}",
            v.level.label(),
            v.ceiling,
            v.orgs,
            v.at,
            v.over,
            v.sums.items
        );
    }
    let _ = writeln!(s, "下达单位：");
    for i in &l.issuers {
        let _ = writeln!(
            s,
            "  {:<22} 下达到{}个组织，{}项次，系统代答{}项次",
            i.name, i.orgs, i.sums.items, i.sums.answered
        );
    }
    let _ = writeln!(s, "负担最重的党组织：");
    for o in &l.heaviest {
        let flag = match o.load {
            Load::Over => "超过上限",
            Load::At => "已达上限",
            Load::Under => "",
        };
        let _ = writeln!(
            s,
            "  {:<22} {:<10} {}项（上限{}） {}",
            o.org.name, o.parent_name, o.sums.items, o.ceiling, flag
        );
    }
    s
}

/// The inspections of the period, then the problems not yet fixed.
pub fn render_inspections(l: &jiceng_app::inspections::InspectionList) -> String {
    let mut s = String::new();
    let _ = writeln!(
        s,
        "\n== {}（{}）{}督查情况，截至 {} ==",
        l.org.name, l.org.code, l.period, l.today
    );
    for i in &l.inspections {
        let _ = writeln!(
            s,
            "{} {:<20} {}（{}） 问题{}个，待整改{}个",
            i.held_on,
            i.org.name,
            i.by_org_name,
            i.methods_text(),
            i.problems.len(),
            i.open()
        );
    }
    let _ = writeln!(s, "待整改的问题{}个：", l.open.len());
    for p in &l.open {
        let _ = writeln!(
            s,
            "  {:<20} {} （{}，{}前）{}",
            p.org_name,
            p.description,
            p.owner,
            p.deadline,
            if p.status.is_overdue() { "逾期" } else { "" }
        );
    }
    s
}

/// 述职评议考核 of the year by org.
pub fn render_duty(r: &jiceng_app::duties::DutyReport) -> String {
    let mut s = String::new();
    let _ = writeln!(
        s,
        "\n== {}（{}）{}年度述职评议考核，截至 {} ==",
        r.org.name, r.org.code, r.year, r.as_of
    );
    let _ = writeln!(
        s,
        "{:<22} {:<6} {:>6} {:>6} {:>6} {:>6} {:>6} {:>6}",
        "党组织", "等次", "述职", "述廉", "离任审计", "问题", "待整改", "逾期"
    );
    for l in &r.lines {
        let _ = writeln!(
            s,
            "{:<22} {:<6} {:>6} {:>6} {:>6} {:>6} {:>6} {:>6}",
            l.org.name,
            l.grade.map_or("—", |g| g.label()),
            l.duty,
            l.integrity,
            l.departure,
            l.problems,
            l.open,
            l.overdue
        );
    }
    if r.lines.is_empty() {
        let _ = writeln!(s, "（本年度没有记录）");
    }
    s
}
