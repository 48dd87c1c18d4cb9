//! `jiceng rate`, `jiceng rating …`, `jiceng weak …` and `jiceng rectify …` (SPEC C5):
//! rating, the weak-org decisions and the records their signals read, and the steps of a
//! rectification case. The command line acts as the system administrator; every write is
//! audited by the use case.

mod rectify;
mod render;
mod weak;

use std::process::ExitCode;

use anyhow::{Context, Result};
use chrono::NaiveDate;
use clap::{Args, Subcommand, ValueEnum};
use jiceng_app::access::{self, Actor, InScope};
use jiceng_app::{rating, App, OrgRecord};
use jiceng_domain::WeaknessKind;

pub use self::rectify::rectify_cmd;
pub use self::render::{render_ratings, render_rectification, render_weak};
pub use self::weak::weak_cmd;
use crate::system_org;

/// The org and the year a command is about.
#[derive(Args)]
pub struct OrgYear {
    #[arg(long)]
    org: String,
    #[arg(long)]
    year: i32,
}

impl OrgYear {
    /// The org, resolved for the command line's actor.
    async fn org(&self, app: &App) -> Result<InScope<OrgRecord>> {
        system_org(app, &self.org).await
    }
}

/// Prints `value` as JSON, or else the table `render` makes of it.
fn print<T: serde::Serialize>(
    json: bool,
    value: &T,
    render: impl FnOnce(&T) -> String,
) -> Result<()> {
    if json {
        println!("{}", serde_json::to_string_pretty(value)?);
    } else {
        print!("{}", render(value));
    }
    Ok(())
}

fn kind(s: &str) -> Result<WeaknessKind> {
    WeaknessKind::parse(s).with_context(|| {
        format!("无法识别的问题类型“{s}”（可用：瘫 乱 散 软 懒 弱 穷 贪，或 Paralysis、Disorder、Disunity、Softness、Idleness、Ineffectiveness、Poverty、Graft）")
    })
}

#[derive(Clone, Copy, ValueEnum)]
pub enum FundingArg {
    /// 运转经费
    Operating,
    /// 村集体经济收入
    CollectiveIncome,
}

#[derive(Subcommand)]
pub enum RatingCmd {
    /// One org's rating: stored stars, each indicator's score and evidence, and every
    /// signal of the diagnosis (those without data included).
    Show {
        #[command(flatten)]
        at: OrgYear,
        #[arg(long)]
        json: bool,
    },
    /// Adjust a stored rating's stars by hand (a reason is required; audited).
    Adjust {
        #[command(flatten)]
        at: OrgYear,
        /// 1–5; leave out with --clear to remove the adjustment.
        #[arg(long, required_unless_present = "clear")]
        stars: Option<i64>,
        #[arg(long)]
        clear: bool,
        #[arg(long)]
        reason: String,
    },
    /// Score a manual indicator (0–100) of an org for a year (a reason is required).
    Score {
        #[command(flatten)]
        at: OrgYear,
        /// The indicator's code, e.g. WorkPerformance.
        #[arg(long)]
        indicator: String,
        #[arg(long)]
        score: f64,
        #[arg(long)]
        reason: String,
    },
    /// The indicator sets in use (shipped and stored), as JSON.
    Sets,
}

#[derive(Subcommand)]
pub enum WeakCmd {
    /// Confirm a suspected weakness (opens the org's rectification case).
    Confirm {
        #[command(flatten)]
        at: OrgYear,
        /// 瘫 乱 散 软 懒 弱 穷 贪, or the code (Paralysis …).
        #[arg(long)]
        kind: String,
        #[arg(long)]
        reason: String,
    },
    /// Dismiss a suspected weakness.
    Dismiss {
        #[command(flatten)]
        at: OrgYear,
        #[arg(long)]
        kind: String,
        #[arg(long)]
        reason: String,
    },
    /// Every signal of one org and year (fired, clear, no data, not applicable).
    Diagnose {
        #[command(flatten)]
        at: OrgYear,
        #[arg(long)]
        json: bool,
    },
    /// Record a signal reported by hand (乱 above all), with its source.
    Signal {
        #[command(flatten)]
        at: OrgYear,
        #[arg(long)]
        kind: String,
        #[arg(long)]
        evidence: String,
        #[arg(long)]
        source: String,
    },
    /// Record a discipline case (贪): the subject's role, never a name.
    Case {
        #[arg(long)]
        org: String,
        /// The day of the decision (YYYY-MM-DD); its year is the case's year.
        #[arg(long)]
        date: NaiveDate,
        /// Whose case, e.g. 村党支部书记.
        #[arg(long)]
        subject: String,
        #[arg(long)]
        summary: String,
        #[arg(long)]
        sanction: Option<String>,
        #[arg(long)]
        source: String,
        /// The case is against the team (书记, 班子成员, 村干部); only such cases mark the
        /// organization 贪. Without it: a member's own case.
        #[arg(long)]
        team: bool,
    },
    /// Record operating funding or a village's collective income for a year (yuan).
    Funding {
        #[command(flatten)]
        at: OrgYear,
        #[arg(long, value_enum)]
        kind: FundingArg,
        #[arg(long)]
        amount: f64,
        #[arg(long)]
        source: String,
    },
}

#[derive(Subcommand)]
pub enum RectifyCmd {
    /// The case of an org and year with its timeline.
    Show {
        #[command(flatten)]
        at: OrgYear,
        #[arg(long)]
        json: bool,
    },
    /// Add measures to the plan: --measure "措施|责任人|YYYY-MM-DD" (repeatable).
    Plan {
        #[command(flatten)]
        at: OrgYear,
        #[arg(long = "measure", required = true)]
        measures: Vec<String>,
    },
    /// Assign the leading cadre who 包联 the org and the departments (default: those the
    /// mapping gives for the case's weaknesses).
    Assign {
        #[command(flatten)]
        at: OrgYear,
        #[arg(long)]
        cadre: String,
        #[arg(long = "department")]
        departments: Vec<String>,
    },
    /// Report progress with its evidence.
    Progress {
        #[command(flatten)]
        at: OrgYear,
        #[arg(long)]
        text: String,
        #[arg(long)]
        evidence: String,
    },
    /// Mark a measure done.
    Done {
        #[command(flatten)]
        at: OrgYear,
        /// The measure's number (1, 2, …).
        #[arg(long)]
        measure: i64,
        /// Default today.
        #[arg(long)]
        on: Option<NaiveDate>,
        #[arg(long)]
        note: Option<String>,
    },
    /// Extend the deadline, with a reason.
    Extend {
        #[command(flatten)]
        at: OrgYear,
        #[arg(long)]
        until: NaiveDate,
        #[arg(long)]
        reason: String,
    },
    /// Accept and close the case (验收销号): every measure must be done.
    Accept {
        #[command(flatten)]
        at: OrgYear,
        #[arg(long)]
        note: String,
        /// Why it is accepted although a confirmed weakness is still found in the records
        /// (recorded with the acceptance); without it such a case is refused.
        #[arg(long)]
        reason: Option<String>,
    },
    /// The review a year after acceptance (回头看): consolidated or relapsed.
    Review {
        #[command(flatten)]
        at: OrgYear,
        /// 巩固 (consolidated) or 反弹 (relapsed).
        #[arg(long)]
        outcome: String,
        #[arg(long)]
        note: String,
    },
    /// Overdue measures of open cases (in the subtree of --org, default everything).
    Overdue {
        #[arg(long)]
        org: Option<String>,
        #[arg(long)]
        json: bool,
    },
    /// Open cases with no step for --days days (default: the rule data's
    /// stalled_case_days, 60 in the shipped rules).
    Stalled {
        #[arg(long)]
        org: Option<String>,
        #[arg(long)]
        days: Option<i64>,
        #[arg(long)]
        json: bool,
    },
}

/// `jiceng rate`.
pub async fn rate(app: &App, org: &str, year: i32, json: bool) -> Result<ExitCode> {
    let grant = Actor::system().grant::<access::Rate>()?;
    let root = system_org(app, org).await?;
    let r = rating::rate(app, &grant, &root, year).await?;
    print(json, &r, render::render_rate)?;
    Ok(ExitCode::SUCCESS)
}

pub async fn rating_cmd(app: &App, cmd: RatingCmd) -> Result<ExitCode> {
    let actor = Actor::system();
    match cmd {
        RatingCmd::Show { at, json } => {
            let r = rating::org_rating(app, &at.org(app).await?, at.year).await?;
            print(json, &r, render::render_org_rating)?;
        }
        RatingCmd::Adjust {
            at,
            stars,
            clear,
            reason,
        } => {
            let stars = if clear { None } else { stars };
            let grant = actor.grant::<access::AdjustRating>()?;
            let target = at.org(app).await?;
            rating::adjust(app, &grant, &target, at.year, stars, &reason).await?;
            let OrgYear { org, year } = at;
            println!(
                "已{}（已记入审计日志）",
                match stars {
                    Some(n) => format!("将{org} {year}年度星级调整为{n}星"),
                    None => format!("撤销{org} {year}年度星级的人工调整"),
                }
            );
        }
        RatingCmd::Score {
            at,
            indicator,
            score,
            reason,
        } => {
            let grant = actor.grant::<access::Rate>()?;
            let target = at.org(app).await?;
            rating::score_manual(app, &grant, &target, at.year, &indicator, score, &reason).await?;
            let OrgYear { org, year } = at;
            println!("已记录{org} {year}年度“{indicator}”评分{score}（下次评定时计入）");
        }
        RatingCmd::Sets => {
            let book = rating::indicator_book(app).await?;
            println!("{}", serde_json::to_string_pretty(book.sets())?);
        }
    }
    Ok(ExitCode::SUCCESS)
}
