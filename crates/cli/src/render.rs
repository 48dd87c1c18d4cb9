//! Plain-text tables for the terminal.

use std::fmt::Write;

use jiceng_app::import::ImportReport;
use jiceng_app::reports::compliance::ComplianceReport;
use jiceng_app::reports::coverage::CoverageReport;
use jiceng_app::reports::members::MembersReport;
use jiceng_app::reports::structure::{describe, StructureReport};

fn pct(v: Option<f64>) -> String {
    v.map(|x| format!("{:.1}%", x * 100.0))
        .unwrap_or_else(|| "—".into())
}

pub fn import(r: &ImportReport, skip_invalid: bool) -> String {
    let mut s = String::new();
    let _ = writeln!(s, "文件：{}", r.file);
    let _ = writeln!(
        s,
        "数据行 {}，有效 {}，有误 {}，写入 {}，无变化 {}",
        r.rows,
        r.valid,
        r.rows - r.valid,
        r.written,
        r.unchanged
    );
    if r.blank > 0 {
        let _ = writeln!(s, "未填写 {}（跳过）", r.blank);
    }
    if r.dry_run {
        let _ = writeln!(s, "（试运行：未写入任何数据）");
    } else if !r.errors.is_empty() && !skip_invalid {
        let _ = writeln!(
            s,
            "有错误，未写入任何数据。请修改后重新导入，或加 --skip-invalid 只导入正确的行。"
        );
    }
    if !r.errors.is_empty() {
        let _ = writeln!(s, "\n{:<6} {:<14} 原因", "行号", "列");
        for e in &r.errors {
            let _ = writeln!(s, "{:<6} {:<14} {}", e.row, e.column, e.message);
        }
        if r.errors_total > r.errors.len() {
            let _ = writeln!(
                s,
                "……共 {} 处错误，以上列出前 {} 处；请先改正这些再重新导入。",
                r.errors_total,
                r.errors.len()
            );
        }
    }
    if !r.notes.is_empty() {
        let _ = writeln!(s, "\n提示（不影响导入，请核实）：{} 条", r.notes.len());
        for e in &r.notes {
            let _ = writeln!(s, "{:<6} {:<14} {}", e.row, e.column, e.message);
        }
    }
    if !r.referred.is_empty() {
        let _ = writeln!(
            s,
            "\n未写入、已提交上级党组织处理的行：{} 行",
            r.referred.len()
        );
        for e in &r.referred {
            let _ = writeln!(s, "{:<6} {}", e.row, e.message);
        }
    }
    s
}

pub fn structure(r: &StructureReport) -> String {
    let mut s = String::new();
    let _ = writeln!(
        s,
        "\n== {}（{}）组织设置检查，截至 {}：共 {} 个党组织，发现 {} 个问题 ==",
        r.org.name,
        r.org.code,
        r.as_of,
        r.orgs,
        r.anomalies.len()
    );
    for (rule, n) in &r.counts {
        if *n > 0 {
            let label = jiceng_domain::AnomalyRule::ALL
                .iter()
                .find(|x| x.code() == rule)
                .map(|x| x.label())
                .unwrap_or(rule);
            let _ = writeln!(s, "  {label}：{n}");
        }
    }
    // Checks not made for want of a record: 暂无数据, never a failure.
    if let Some(missing) = &r.missing {
        for m in jiceng_domain::structure::MissingFact::ALL {
            let n = missing.get(m.code()).copied().unwrap_or(0);
            if n > 0 {
                let _ = writeln!(s, "  暂无数据（{}）：{n}个党组织", m.label());
            }
        }
    }
    for a in r.anomalies.iter().take(30) {
        let _ = writeln!(
            s,
            "  - {}（{}）{}：{}",
            a.org.name,
            a.kind,
            a.label,
            describe(&a.detail)
        );
    }
    if r.anomalies.len() > 30 {
        let _ = writeln!(
            s,
            "  ……其余 {} 条请用 --format json 或 xlsx 查看",
            r.anomalies.len() - 30
        );
    }
    s
}

pub fn coverage(r: &CoverageReport) -> String {
    let mut s = String::new();
    let _ = writeln!(
        s,
        "\n== {}（{}）党的组织和工作覆盖 ==",
        r.org.name, r.org.code
    );
    let _ = writeln!(
        s,
        "  {:<10} {:>8} {:>8} {:>8} {:>8} {:>9} {:>9} {:>9}",
        "领域", "在业", "单独组建", "已建组织", "工作覆盖", "组织覆盖率", "单建率", "工作覆盖率"
    );
    let mut line = |name: &str, d: &jiceng_app::reports::coverage::DomainRow| {
        let _ = writeln!(
            s,
            "  {:<10} {:>8} {:>8} {:>8} {:>8} {:>9} {:>9} {:>9}",
            name,
            d.operating,
            d.own_org,
            d.org_covered,
            d.work_covered,
            pct(d.org_rate),
            pct(d.own_rate),
            pct(d.work_rate)
        );
    };
    for (d, row) in &r.by_domain {
        line(d, row);
    }
    line("合计", &r.total);
    let _ = writeln!(
        s,
        "  应建未建：{} 个单位；空白点：{} 个单位",
        r.should_have_org.len(),
        r.uncovered.len()
    );
    s
}

pub fn members(r: &MembersReport) -> String {
    let mut s = String::new();
    let _ = writeln!(
        s,
        "\n== {}（{}）党员队伍结构，截至 {} ==",
        r.org.name, r.org.code, r.as_of
    );
    let _ = writeln!(
        s,
        "  党员总数 {}：正式党员 {}，预备党员 {}",
        r.total, r.full, r.probationary
    );
    let _ = writeln!(
        s,
        "  女党员 {}，少数民族 {}，大专及以上 {}，35岁及以下 {}",
        pct(r.female_rate),
        pct(r.minority_rate),
        pct(r.college_rate),
        pct(r.under_35_rate)
    );
    for (dim, bands) in r.dimensions() {
        let parts: Vec<String> = bands.iter().map(|(b, n)| format!("{b} {n}")).collect();
        let _ = writeln!(s, "  {dim}：{}", parts.join("，"));
    }
    s
}

pub fn compliance(r: &ComplianceReport) -> String {
    let mut s = String::new();
    let _ = writeln!(
        s,
        "\n== {}（{}）{}组织生活开展情况 ==",
        r.org.name,
        r.org.code,
        r.period.label()
    );
    let _ = writeln!(
        s,
        "  应开展支部 {} 个，达标 {} 个，达标率 {}；未开展任何组织生活 {} 个",
        r.branches,
        r.compliant,
        pct(r.rate),
        r.held_nothing.len()
    );
    let _ = writeln!(
        s,
        "  按{}计；待办 {} 个支部，暂无数据 {} 个支部，临时党支部 {} 个（不按常设支部考核）",
        r.judged_note,
        r.pending.len(),
        r.no_data.len(),
        r.temporary.len()
    );
    let _ = writeln!(
        s,
        "  会议 {} 次，应到 {} 人次，实到 {} 人次，参会率 {}；群众参与 {} 人次；表决未达法定人数 {} 次",
        r.attendance.meetings,
        r.attendance.expected,
        r.attendance.present,
        pct(r.attendance.rate),
        r.attendance.masses_present,
        r.quorum_failed
    );
    if !r.levels.is_empty() {
        let _ = writeln!(
            s,
            "\n  {:<24} {:>8} {:>8} {:>8}",
            "下级党组织", "支部数", "达标数", "达标率"
        );
        for l in &r.levels {
            let _ = writeln!(
                s,
                "  {:<24} {:>8} {:>8} {:>8}",
                l.org.name,
                l.branches,
                l.compliant,
                pct(l.rate)
            );
        }
    }
    if !r.noncompliant.is_empty() {
        let _ = writeln!(s, "\n  未达标支部：");
    }
    for n in r.noncompliant.iter().take(30) {
        let items: Vec<String> = n
            .missing
            .iter()
            .map(|m| {
                let label = jiceng_domain::MeetingKind::from_code(m.kind)
                    .map(|k| k.label())
                    .unwrap_or(m.kind);
                match &m.group {
                    Some(g) => format!("{}（{}）应{}次 实{}次", label, g.name, m.due, m.held),
                    None => format!("{label} 应{}次 实{}次", m.due, m.held),
                }
            })
            .collect();
        let _ = writeln!(
            s,
            "  - {}（{}）：{}",
            n.org.name,
            n.org.code,
            items.join("；")
        );
    }
    if r.noncompliant.len() > 30 {
        let _ = writeln!(
            s,
            "  ……其余 {} 个支部请用 --format json 或 xlsx 查看",
            r.noncompliant.len() - 30
        );
    }
    s
}
