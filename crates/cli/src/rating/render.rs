//! The tables of the rating, weak-org and rectification commands.

use std::fmt::Write;

use jiceng_app::rating::{OrgRating, RateSummary, RatingsReport, StarCount};
use jiceng_app::rectification::{CaseView, OverdueMeasure, StalledCase};
use jiceng_app::reports::rectification::RectificationReport;
use jiceng_app::reports::weak::WeakReport;
use jiceng_app::weak;
use jiceng_domain::{Decision, SignalRule, WeaknessKind};

fn stars_text(s: Option<i64>) -> String {
    match s {
        Some(n) => format!(
            "{}{}",
            "★".repeat(n as usize),
            "☆".repeat(5 - n.clamp(0, 5) as usize)
        ),
        None => "未定级".into(),
    }
}

fn stars_line(counts: &[StarCount]) -> String {
    counts
        .iter()
        .map(|c| match c.stars {
            Some(n) => format!("{n}星 {}", c.orgs),
            None => format!("未定级 {}", c.orgs),
        })
        .collect::<Vec<_>>()
        .join("，")
}

pub fn render_rate(r: &RateSummary) -> String {
    let mut s = String::new();
    let _ = writeln!(
        s,
        "{}（{}）{}年度分类定级：读取党组织{}个，评定{}个（截至{}；派生数据日期{}；用时{:.1}秒）",
        r.org.name,
        r.org.code,
        r.year,
        r.orgs,
        r.rated,
        r.as_of,
        r.facts_on
            .map(|d| d.to_string())
            .unwrap_or_else(|| "部分未计算，请运行 jiceng refresh".into()),
        r.seconds
    );
    let _ = writeln!(s, "  星级分布：{}", stars_line(&r.stars));
    let _ = writeln!(s, "  疑似软弱涣散：{}个党组织", r.suspected_orgs);
    for k in &r.suspected {
        let _ = writeln!(s, "    {}：{}", k.label, k.orgs);
    }
    s
}

pub fn render_ratings(r: &RatingsReport) -> String {
    let mut s = String::new();
    let _ = writeln!(
        s,
        "\n== {}（{}）{}年度星级：评定{}个 ==\n  {}",
        r.org.name,
        r.org.code,
        r.year,
        r.rated,
        stars_line(&r.stars)
    );
    for l in &r.levels {
        let _ = writeln!(s, "  {}：{}", l.org.name, stars_line(&l.stars));
    }
    for i in r.items.iter().take(50) {
        let _ = writeln!(
            s,
            "  {:<10} {:<20} {} {}{}",
            i.org.code,
            i.org.name,
            stars_text(i.stars),
            i.score
                .map(|x| format!("{x:.1}分"))
                .unwrap_or_else(|| "—".into()),
            if i.adjusted { "（人工调整）" } else { "" }
        );
    }
    if r.total > 50 {
        let _ = writeln!(
            s,
            "  ……共{}个，其余请用 --format json 或 xlsx 查看",
            r.total
        );
    }
    s
}

pub(super) fn render_org_rating(r: &OrgRating) -> String {
    let mut s = String::new();
    let _ = writeln!(
        s,
        "{}（{}）{}年度，截至{}",
        r.org.name, r.org.code, r.year, r.as_of
    );
    match &r.stored {
        Some(st) => {
            let _ = writeln!(
                s,
                "  已存评定：{}（计算{}）{}；{}",
                stars_text(st.stars),
                stars_text(st.computed_stars),
                st.adjusted_reason
                    .as_ref()
                    .map(|x| format!("，人工调整理由：{x}"))
                    .unwrap_or_default(),
                st.evidence
            );
        }
        None => {
            let _ = writeln!(s, "  尚未评定（运行 jiceng rate 后保存）");
        }
    }
    let _ = writeln!(
        s,
        "  按当前记录：{}；{}",
        stars_text(r.current.stars.map(i64::from)),
        r.current.evidence
    );
    for i in &r.current.indicators {
        let _ = writeln!(
            s,
            "    {:<16} 权重{:>4} {:>6}  {}",
            i.name,
            i.weight,
            i.score
                .map(|x| format!("{x:.1}"))
                .unwrap_or_else(|| i.state.label().into()),
            i.evidence
        );
    }
    let _ = writeln!(s, "  问题信号：");
    for x in &r.signals {
        let _ = writeln!(s, "    [{}] {}：{}", x.state, x.label, x.evidence);
    }
    s
}

pub fn render_weak(r: &WeakReport) -> String {
    let mut s = String::new();
    let _ = writeln!(
        s,
        "\n== {}（{}）{}年度软弱涣散排查（截至{}）：排查{}个，存在问题{}个 ==",
        r.org.name,
        r.org.code,
        r.year,
        r.as_of,
        r.diagnosed,
        r.weak_orgs()
    );
    for w in &r.weak {
        let _ = writeln!(s, "  {}（{}）", w.org.name, w.org.code);
        for x in &w.weaknesses {
            let label = WeaknessKind::from_code(x.kind)
                .map(|k| k.label())
                .unwrap_or(x.kind);
            let status = Decision::from_code(x.status)
                .map(|d| d.label())
                .unwrap_or(x.status);
            let _ = writeln!(s, "    {label} [{status}]");
            for sig in &x.signals {
                let rule = SignalRule::from_code(sig.rule)
                    .map(|r| r.label())
                    .unwrap_or(sig.rule);
                let _ = writeln!(s, "      - {rule}：{}", sig.evidence);
            }
        }
    }
    if !r.no_data.is_empty() {
        let _ = writeln!(s, "  暂无数据、无法判断的信号（不等于没有问题）：");
        for (rule, _, n) in &r.no_data {
            let _ = writeln!(s, "    {}：{}个党组织", rule.label(), n);
        }
    }
    s
}

pub(super) fn render_case(c: &CaseView) -> String {
    let mut s = String::new();
    let kinds: Vec<&str> = c.kinds.iter().map(|k| k.label).collect();
    let _ = writeln!(
        s,
        "{}（{}）{}年度整顿：{}；问题：{}；确定于{}{}",
        c.org.name,
        c.org.code,
        c.year,
        c.stage_label,
        kinds.join("、"),
        c.opened_on,
        c.deadline.map(|d| format!("；时限{d}")).unwrap_or_default()
    );
    if let Some(cadre) = &c.cadre {
        let _ = writeln!(
            s,
            "  包联领导干部：{cadre}；帮扶部门：{}",
            c.departments.join("、")
        );
    }
    for m in &c.measures {
        let _ = writeln!(
            s,
            "  {}. {}（{}，{}前）{}{}",
            m.seq,
            m.text,
            m.owner,
            m.deadline,
            m.done_on
                .map(|d| format!(" 已于{d}完成"))
                .unwrap_or_default(),
            if m.overdue { " 【逾期】" } else { "" }
        );
    }
    if c.stalled {
        let _ = writeln!(s, "  【进展停滞：自{}起无新进展】", c.last_activity_on);
    }
    let _ = writeln!(s, "  进程：");
    for e in &c.timeline {
        let _ = writeln!(s, "    {} {}：{}", e.on, e.actor, e.summary);
    }
    s
}

pub(super) fn render_overdue(list: &[OverdueMeasure]) -> String {
    let mut s = format!("逾期未完成的整改措施：{}项\n", list.len());
    for m in list {
        let _ = writeln!(
            s,
            "  {}（{}）{}年度 第{}项 {}（{}，{}前，逾期{}天）",
            m.org.name, m.org.code, m.year, m.seq, m.text, m.owner, m.deadline, m.days_overdue
        );
    }
    s
}

pub(super) fn render_stalled(list: &[StalledCase]) -> String {
    let mut s = format!("进展停滞的整顿：{}个\n", list.len());
    for c in list {
        let _ = writeln!(
            s,
            "  {}（{}）{}年度 {}，{}天无新进展（最近{}）",
            c.org.name, c.org.code, c.year, c.stage_label, c.days_idle, c.last_activity_on
        );
    }
    s
}

pub fn render_rectification(r: &RectificationReport) -> String {
    let mut s = String::new();
    let _ = writeln!(
        s,
        "\n== {}（{}）{}年度整顿进展（截至{}）：{}个，已验收销号{}个，逾期措施{}项，停滞{}个 ==",
        r.org.name,
        r.org.code,
        r.year,
        r.as_of,
        r.cases,
        r.closed,
        r.overdue_measures,
        r.stalled_cases
    );
    let stages: Vec<String> = r
        .by_stage
        .iter()
        .filter(|b| b.cases > 0)
        .map(|b| format!("{} {}", b.label, b.cases))
        .collect();
    let _ = writeln!(s, "  {}", stages.join("，"));
    for c in &r.items {
        let _ = writeln!(
            s,
            "  {}（{}）{}：措施{}项，完成{}项，逾期{}项{}",
            c.org.name,
            c.org.code,
            c.stage_label,
            c.measures,
            c.measures_done,
            c.measures_overdue,
            if c.stalled { "，进展停滞" } else { "" }
        );
    }
    if !r.overdue.is_empty() {
        s.push_str(&render_overdue(&r.overdue));
    }
    s
}

pub(super) trait StateLabel {
    fn state_label(&self) -> &'static str;
}

impl StateLabel for weak::SignalRow {
    fn state_label(&self) -> &'static str {
        self.state.label()
    }
}
