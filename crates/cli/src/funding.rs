//! `jiceng report funding`: the funding of a subtree for a year as a table (the workbook
//! is the report's own sheets, the same the web exports).

use std::fmt::Write;

use jiceng_app::funding::Overview;

pub fn render(o: &Overview) -> String {
    let mut s = String::new();
    let _ = writeln!(
        s,
        "\n== {}（{}）及以下{}年度经费保障 ==",
        o.org.name, o.org.code, o.year
    );
    let _ = writeln!(
        s,
        "各类经费合计 {} 元  有记录的党组织 {}  适用标准 {}  低于标准 {}  未录入 {}  差额合计 {} 元",
        Overview::yuan(&o.received_total),
        o.orgs_recorded,
        o.judged,
        o.below_count,
        o.missing_count,
        o.shortfall
    );
    let _ = writeln!(s, "标准：{}", o.origin);
    for l in o.standards.lines() {
        let _ = writeln!(s, "  {l}");
    }
    let _ = writeln!(s, "\n-- 按类型和来源（元） --");
    let mut head = format!("{:<16}", "经费类型");
    for src in &o.sources {
        let _ = write!(head, " {:>12}", src.label());
    }
    let _ = writeln!(s, "{head} {:>14}", "合计");
    for k in &o.kinds {
        let mut line = format!("{:<16}", k.kind.label());
        for f in &k.by_source {
            let _ = write!(line, " {:>12}", Overview::yuan(f));
        }
        let _ = writeln!(s, "{line} {:>14}", Overview::yuan(&k.total));
    }
    let _ = writeln!(s, "\n-- 运转经费低于标准 --");
    if o.below.is_empty() {
        let _ = writeln!(s, "（无）");
    }
    for j in &o.below {
        let _ = writeln!(
            s,
            "{}（{}） 运转经费 {} 元，标准 {} 元，差 {} 元",
            j.org.name,
            j.org.code,
            j.operating.as_deref().unwrap_or(""),
            j.standard,
            j.shortfall.as_deref().unwrap_or("")
        );
    }
    let _ = writeln!(s, "\n-- 未录入运转经费 --");
    if o.missing.is_empty() {
        let _ = writeln!(s, "（无）");
    }
    for j in &o.missing {
        let _ = writeln!(s, "{}（{}） 标准 {} 元", j.org.name, j.org.code, j.standard);
    }
    if !o.incomes.is_empty() {
        let _ = writeln!(s, "\n-- 村集体经济收入 --");
        for i in &o.incomes {
            let below = if i.below { "  低于标准" } else { "" };
            let _ = writeln!(s, "{}（{}） {} 元{below}", i.org.name, i.org.code, i.income);
        }
    }
    s
}
