//! `jiceng report training` as a table: the year's 学时 per child org, the members short
//! of hours, the staffing checks.

use std::fmt::Write;

/// `jiceng report training` as a table: the counts by child org, the staffing checks,
/// then the members short of hours.
pub fn render(r: &jiceng_app::training::Report) -> String {
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
