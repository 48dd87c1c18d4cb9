//! `jiceng recruitment plan` and the recruitment report's table.

use std::collections::BTreeMap;
use std::fmt::Write;
use std::process::ExitCode;

use anyhow::Result;
use clap::Subcommand;
use jiceng_app::access::{Actor, PlanRecruitment};
use jiceng_app::recruitment::plan::{self, Plan, TARGETS};
use jiceng_app::reports::recruitment::{rule_label, RecruitmentReport};
use jiceng_app::App;

use crate::open::system_org;

#[derive(Subcommand)]
pub(crate) enum RecruitmentCmd {
    /// Set an org's plan for a year (发展党员计划): the total and the structure targets.
    /// A lower org's plan must fit within its nearest planned ancestor's.
    Plan {
        /// The org: its code, or its exact name where unique.
        #[arg(long)]
        org: String,
        #[arg(long)]
        year: i32,
        /// 发展党员总数.
        #[arg(long)]
        target: i64,
        /// 35岁以下 (age on the day of ⑰).
        #[arg(long = "under-35")]
        under_35: Option<i64>,
        /// 女性.
        #[arg(long)]
        women: Option<i64>,
        /// 生产工作一线.
        #[arg(long)]
        front_line: Option<i64>,
        /// 大专及以上学历.
        #[arg(long)]
        college: Option<i64>,
        /// 农村青年农民 (a village's branch, under 35).
        #[arg(long)]
        young_farmers: Option<i64>,
    },
}

pub(crate) async fn command(app: &App, cmd: RecruitmentCmd) -> Result<ExitCode> {
    let RecruitmentCmd::Plan {
        org,
        year,
        target,
        under_35,
        women,
        front_line,
        college,
        young_farmers,
    } = cmd;
    let given = [under_35, women, front_line, college, young_farmers];
    let structure: BTreeMap<String, i64> = TARGETS
        .iter()
        .zip(given)
        .filter_map(|((k, _), n)| n.map(|n| (k.to_string(), n)))
        .collect();
    let root = system_org(app, &org).await?;
    let grant = Actor::system().grant::<PlanRecruitment>()?;
    plan::set_plan(app, &grant, &root, year, &Plan { target, structure }).await?;
    let f = plan::fulfilment(app, &root, year).await?;
    println!(
        "已设定 {} {year}年发展党员计划 {target} 人；已发展 {} 人",
        f.root.org.name, f.root.admitted
    );
    Ok(ExitCode::SUCCESS)
}

fn or_dash(n: Option<i64>) -> String {
    n.map_or_else(|| "—".to_string(), |n| n.to_string())
}

/// The report as the terminal shows it.
pub fn render_report(r: &RecruitmentReport) -> String {
    let mut s = String::new();
    let _ = writeln!(
        s,
        "\n== {}（{}）{}年发展党员工作，截至 {} ==",
        r.org.name, r.org.code, r.year, r.as_of
    );
    let stages: Vec<String> = r
        .by_stage
        .rows()
        .iter()
        .map(|(l, n)| format!("{l} {n}"))
        .collect();
    let _ = writeln!(s, "各阶段人数：{}", stages.join("，"));
    let _ = writeln!(
        s,
        "计划 {} 人，已发展（上级党委审批）{} 人",
        or_dash(r.plan.target),
        r.plan.admitted
    );
    for (key, label) in TARGETS {
        if let Some(t) = r.plan.structure.get(key) {
            let _ = writeln!(
                s,
                "  {label}：计划 {}，实际 {}",
                or_dash(t.target),
                t.actual
            );
        }
    }
    let _ = writeln!(s, "\n待办（{} 人）：", r.due.len());
    for d in &r.due {
        let by = d
            .deadline
            .map_or_else(|| "—".to_string(), |d| d.to_string());
        let _ = writeln!(
            s,
            "  {} {} {}  第{}步 {}  截止 {by}",
            d.org.name, d.person.name, d.person.id_masked, d.step, d.step_name
        );
    }
    let _ = writeln!(s, "\n违规（{} 项）：", r.violations.len());
    for v in &r.violations {
        let _ = writeln!(
            s,
            "  {} {}  第{}步  {}：{}",
            v.org.name,
            v.person.name,
            v.step,
            rule_label(v.rule),
            v.detail
        );
    }
    s
}
