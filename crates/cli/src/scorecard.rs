//! `jiceng scorecard build|score` and the table of `jiceng report scorecard`.

use std::fmt::Write;
use std::process::ExitCode;

use anyhow::Result;
use clap::Subcommand;
use jiceng_app::access::Actor;
use jiceng_app::scorecard::{self, score_text, Card};
use jiceng_app::App;
use jiceng_domain::scorecard::Measure;

#[derive(Subcommand)]
pub(crate) enum ScorecardCmd {
    /// Computes and stores every org's scorecard of --period again.
    Build {
        /// 2026, 2026H1, 2026H2 or 2026Q1…2026Q4.
        #[arg(long)]
        period: String,
    },
    /// 发展成效 scored by hand: gives --org a score of 0–100 for --period with a reason
    /// (audited; the period is built again on its next read), or takes it back (--clear).
    Score {
        /// The org's code or name.
        #[arg(long)]
        org: String,
        /// 2026, 2026H1, 2026H2 or 2026Q1…2026Q4.
        #[arg(long)]
        period: String,
        /// 0–100.
        #[arg(long, required_unless_present = "clear", conflicts_with = "clear")]
        score: Option<i64>,
        /// Takes the org's hand score of the period back.
        #[arg(long)]
        clear: bool,
        #[arg(long)]
        reason: String,
    },
}

pub(crate) async fn command(app: &App, cmd: ScorecardCmd) -> Result<ExitCode> {
    match cmd {
        ScorecardCmd::Build { period } => {
            let period = scorecard::period(&period)?;
            let grant = Actor::system().grant()?;
            let started = std::time::Instant::now();
            let built = scorecard::rebuild(app, &grant, period).await?;
            println!(
                "已计算 {} 检验标准：{} 个党组织，用时 {:.1} 秒（截至 {}）",
                period.label(),
                built.orgs,
                started.elapsed().as_secs_f64(),
                built.built_at
            );
        }
        ScorecardCmd::Score {
            org,
            period,
            score,
            clear: _,
            reason,
        } => {
            let period = scorecard::period(&period)?;
            let grant = Actor::system().grant()?;
            let target = crate::open::system_org(app, &org).await?;
            scorecard::hand::give(app, &grant, &target, period, score, &reason).await?;
            match score {
                Some(s) => println!(
                    "已记录{}{}“发展成效”人工评分{s}分（已记入审计日志；该期间下次查看时重新计算）",
                    target.org.name,
                    period.label()
                ),
                None => println!(
                    "已撤销{}{}“发展成效”人工评分（已记入审计日志）",
                    target.org.name,
                    period.label()
                ),
            }
        }
    }
    Ok(ExitCode::SUCCESS)
}

/// The card as a table: the measures and their indicators, the heat map, the weakest link.
pub(crate) fn render(c: &Card) -> String {
    let mut s = String::new();
    let _ = writeln!(
        s,
        "\n== {}（{}）检验标准（五个是否），{}，{} ==",
        c.org.name,
        c.org.code,
        c.period_label,
        c.freshness()
    );
    for (m, ms) in &c.card.measures {
        let _ = writeln!(
            s,
            "{} {}（有数据的权重 {:.0}%）",
            m.label(),
            score_text(ms.score),
            ms.weight_with_data * 100.0
        );
        for i in &ms.indicators {
            let _ = writeln!(
                s,
                "    {:<24} {:>8}  {}",
                i.label,
                score_text(i.score),
                i.evidence
            );
        }
    }
    if !c.children.is_empty() {
        let _ = writeln!(s, "\n-- 下级热力图 --");
        let head: Vec<&str> = Measure::ALL.iter().map(|m| m.label()).collect();
        let _ = writeln!(s, "{:<24} {}", "下级党组织", head.join("  "));
        for ch in &c.children {
            let cells: Vec<String> = ch.scores.iter().map(|v| score_text(*v)).collect();
            let _ = writeln!(s, "{:<24} {}", ch.org.name, cells.join("  "));
        }
    }
    let w = &c.weakest;
    match w.measure {
        Some(m) => {
            let _ = writeln!(
                s,
                "\n-- 木桶短板：{}（{}）--",
                m.label(),
                score_text(w.score)
            );
            for (level, list) in [("下级", &w.children), ("基层党组织", &w.orgs)] {
                for e in list {
                    let _ = writeln!(
                        s,
                        "{level} {:<24} 得分 {:.1}  拉低 {:.2} 分",
                        c.name_of(e.org),
                        e.score,
                        e.contribution
                    );
                }
            }
        }
        None => {
            let _ = writeln!(s, "\n-- 木桶短板：暂无数据 --");
        }
    }
    s
}
