//! `jiceng rate`, `jiceng rating …`, `jiceng weak …` and `jiceng rectify …` (SPEC C5):
//! rating, the weak-org decisions and the records their signals read, and the steps of a
//! rectification case. The command line acts as the system administrator; every write is
//! audited by the use case.

use std::fmt::Write;
use std::process::ExitCode;

use anyhow::{bail, Context, Result};
use chrono::NaiveDate;
use clap::{Subcommand, ValueEnum};
use jiceng_app::access::{self, Actor};
use jiceng_app::rating::{OrgRating, RateSummary, RatingsReport, StarCount};
use jiceng_app::rectification::{self, CaseView, OverdueMeasure, StalledCase};
use jiceng_app::reports::rectification::RectificationReport;
use jiceng_app::reports::weak::WeakReport;
use jiceng_app::weak::FundingKind;
use jiceng_app::{rating, weak, App};
use jiceng_domain::rectification::{NewMeasure, ReviewOutcome};
use jiceng_domain::{Decision, SignalRule, WeaknessKind};

use crate::system_org;

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
        #[arg(long)]
        org: String,
        #[arg(long)]
        year: i32,
        #[arg(long)]
        json: bool,
    },
    /// Adjust a stored rating's stars by hand (a reason is required; audited).
    Adjust {
        #[arg(long)]
        org: String,
        #[arg(long)]
        year: i32,
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
        #[arg(long)]
        org: String,
        #[arg(long)]
        year: i32,
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
        #[arg(long)]
        org: String,
        #[arg(long)]
        year: i32,
        /// 瘫 乱 散 软 懒 弱 穷 贪, or the code (Paralysis …).
        #[arg(long)]
        kind: String,
        #[arg(long)]
        reason: String,
    },
    /// Dismiss a suspected weakness.
    Dismiss {
        #[arg(long)]
        org: String,
        #[arg(long)]
        year: i32,
        #[arg(long)]
        kind: String,
        #[arg(long)]
        reason: String,
    },
    /// Every signal of one org and year (fired, clear, no data, not applicable).
    Diagnose {
        #[arg(long)]
        org: String,
        #[arg(long)]
        year: i32,
        #[arg(long)]
        json: bool,
    },
    /// Record a signal reported by hand (乱 above all), with its source.
    Signal {
        #[arg(long)]
        org: String,
        #[arg(long)]
        year: i32,
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
        #[arg(long)]
        org: String,
        #[arg(long)]
        year: i32,
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
        #[arg(long)]
        org: String,
        #[arg(long)]
        year: i32,
        #[arg(long)]
        json: bool,
    },
    /// Add measures to the plan: --measure "措施|责任人|YYYY-MM-DD" (repeatable).
    Plan {
        #[arg(long)]
        org: String,
        #[arg(long)]
        year: i32,
        #[arg(long = "measure", required = true)]
        measures: Vec<String>,
    },
    /// Assign the leading cadre who 包联 the org and the departments (default: those the
    /// mapping gives for the case's weaknesses).
    Assign {
        #[arg(long)]
        org: String,
        #[arg(long)]
        year: i32,
        #[arg(long)]
        cadre: String,
        #[arg(long = "department")]
        departments: Vec<String>,
    },
    /// Report progress with its evidence.
    Progress {
        #[arg(long)]
        org: String,
        #[arg(long)]
        year: i32,
        #[arg(long)]
        text: String,
        #[arg(long)]
        evidence: String,
    },
    /// Mark a measure done.
    Done {
        #[arg(long)]
        org: String,
        #[arg(long)]
        year: i32,
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
        #[arg(long)]
        org: String,
        #[arg(long)]
        year: i32,
        #[arg(long)]
        until: NaiveDate,
        #[arg(long)]
        reason: String,
    },
    /// Accept and close the case (验收销号): every measure must be done.
    Accept {
        #[arg(long)]
        org: String,
        #[arg(long)]
        year: i32,
        #[arg(long)]
        note: String,
    },
    /// The review a year after acceptance (回头看): consolidated or relapsed.
    Review {
        #[arg(long)]
        org: String,
        #[arg(long)]
        year: i32,
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

fn render_org_rating(r: &OrgRating) -> String {
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

fn render_case(c: &CaseView) -> String {
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

fn render_overdue(list: &[OverdueMeasure]) -> String {
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

fn render_stalled(list: &[StalledCase]) -> String {
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

/// `jiceng rate`.
pub async fn rate(app: &App, org: &str, year: i32, json: bool) -> Result<ExitCode> {
    let grant = Actor::system().grant::<access::Rate>()?;
    let root = system_org(app, org).await?;
    let r = rating::rate(app, &grant, &root, year).await?;
    if json {
        println!("{}", serde_json::to_string_pretty(&r)?);
    } else {
        print!("{}", render_rate(&r));
    }
    Ok(ExitCode::SUCCESS)
}

pub async fn rating_cmd(app: &App, cmd: RatingCmd) -> Result<ExitCode> {
    let actor = Actor::system();
    match cmd {
        RatingCmd::Show { org, year, json } => {
            let r = rating::org_rating(app, &system_org(app, &org).await?, year).await?;
            if json {
                println!("{}", serde_json::to_string_pretty(&r)?);
            } else {
                print!("{}", render_org_rating(&r));
            }
        }
        RatingCmd::Adjust {
            org,
            year,
            stars,
            clear,
            reason,
        } => {
            let stars = if clear { None } else { stars };
            let grant = actor.grant::<access::AdjustRating>()?;
            let target = system_org(app, &org).await?;
            rating::adjust(app, &grant, &target, year, stars, &reason).await?;
            println!(
                "已{}（已记入审计日志）",
                match stars {
                    Some(n) => format!("将{org} {year}年度星级调整为{n}星"),
                    None => format!("撤销{org} {year}年度星级的人工调整"),
                }
            );
        }
        RatingCmd::Score {
            org,
            year,
            indicator,
            score,
            reason,
        } => {
            let grant = actor.grant::<access::Rate>()?;
            let target = system_org(app, &org).await?;
            rating::score_manual(app, &grant, &target, year, &indicator, score, &reason).await?;
            println!("已记录{org} {year}年度“{indicator}”评分{score}（下次评定时计入）");
        }
        RatingCmd::Sets => {
            let book = rating::indicator_book(app).await?;
            println!("{}", serde_json::to_string_pretty(book.sets())?);
        }
    }
    Ok(ExitCode::SUCCESS)
}

pub async fn weak_cmd(app: &App, cmd: WeakCmd) -> Result<ExitCode> {
    let actor = Actor::system();
    match cmd {
        WeakCmd::Confirm {
            org,
            year,
            kind: k,
            reason,
        } => {
            let grant = actor.grant::<access::DecideWeakness>()?;
            let target = system_org(app, &org).await?;
            let d = weak::confirm(app, &grant, &target, year, kind(&k)?, &reason).await?;
            println!(
                "已确定{}（{}）{}年度问题“{}”{}",
                d.org.name,
                d.org.code,
                year,
                kind(&k)?.label(),
                if d.case_opened {
                    "，已建立整顿台账（jiceng rectify plan …）"
                } else {
                    ""
                }
            );
        }
        WeakCmd::Dismiss {
            org,
            year,
            kind: k,
            reason,
        } => {
            let grant = actor.grant::<access::DecideWeakness>()?;
            let target = system_org(app, &org).await?;
            let d = weak::dismiss(app, &grant, &target, year, kind(&k)?, &reason).await?;
            println!(
                "已排除{}（{}）{}年度问题“{}”",
                d.org.name,
                d.org.code,
                year,
                kind(&k)?.label()
            );
        }
        WeakCmd::Diagnose { org, year, json } => {
            let r = weak::diagnosis(app, &system_org(app, &org).await?, year).await?;
            if json {
                println!("{}", serde_json::to_string_pretty(&r)?);
            } else {
                println!(
                    "{}（{}）{}年度问题信号（截至{}）",
                    r.org.name, r.org.code, year, r.as_of
                );
                for x in &r.signals {
                    let k = WeaknessKind::from_code(x.kind)
                        .map(|k| k.char())
                        .unwrap_or("");
                    let rule = SignalRule::from_code(x.rule)
                        .map(|r| r.label())
                        .unwrap_or(x.rule);
                    println!("  {k} [{}] {rule}：{}", x.state_label(), x.evidence);
                }
            }
        }
        WeakCmd::Signal {
            org,
            year,
            kind: k,
            evidence,
            source,
        } => {
            let grant = actor.grant::<access::ReportSignal>()?;
            let target = system_org(app, &org).await?;
            weak::record_signal(app, &grant, &target, year, kind(&k)?, &evidence, &source).await?;
            println!("已录入{org} {year}年度问题线索（{}）", kind(&k)?.label());
        }
        WeakCmd::Case {
            org,
            date,
            subject,
            summary,
            sanction,
            source,
            team,
        } => {
            let grant = actor.grant::<access::DecideWeakness>()?;
            weak::record_case(
                app,
                &grant,
                &system_org(app, &org).await?,
                &weak::NewCase {
                    decided_on: date,
                    subject,
                    summary,
                    sanction,
                    source,
                    team,
                },
            )
            .await?;
            let whose = if team { "，涉及班子成员" } else { "" };
            println!("已录入{org}违纪违法案件（{date}{whose}）");
        }
        WeakCmd::Funding {
            org,
            year,
            kind: k,
            amount,
            source,
        } => {
            let fk = match k {
                FundingArg::Operating => FundingKind::Operating,
                FundingArg::CollectiveIncome => FundingKind::CollectiveIncome,
            };
            let grant = actor.grant::<access::Rate>()?;
            let target = system_org(app, &org).await?;
            weak::record_funding(app, &grant, &target, year, fk, amount, &source).await?;
            println!("已录入{org} {year}年度{}{amount}元", fk.label());
        }
    }
    Ok(ExitCode::SUCCESS)
}

fn measure(s: &str) -> Result<NewMeasure> {
    let parts: Vec<&str> = s.split('|').map(str::trim).collect();
    let [text, owner, deadline] = parts.as_slice() else {
        bail!("整改措施应写作“措施|责任人|完成时限(YYYY-MM-DD)”：{s}");
    };
    Ok(NewMeasure {
        text: text.to_string(),
        owner: owner.to_string(),
        deadline: NaiveDate::parse_from_str(deadline, "%Y-%m-%d")
            .with_context(|| format!("完成时限应为YYYY-MM-DD：{deadline}"))?,
    })
}

pub async fn rectify_cmd(app: &App, cmd: RectifyCmd) -> Result<ExitCode> {
    let (case, json) = match cmd {
        RectifyCmd::Show { org, year, json } => (
            rectification::get(app, &system_org(app, &org).await?, year).await?,
            json,
        ),
        RectifyCmd::Overdue { org, json } => {
            let root = system_org(app, org.as_deref().unwrap_or("")).await?;
            let list = rectification::overdue(app, &root).await?;
            if json {
                println!("{}", serde_json::to_string_pretty(&list)?);
            } else {
                print!("{}", render_overdue(&list));
            }
            return Ok(ExitCode::SUCCESS);
        }
        RectifyCmd::Stalled { org, days, json } => {
            let days = days.unwrap_or_else(|| rectification::stall_days(app));
            let root = system_org(app, org.as_deref().unwrap_or("")).await?;
            let list = rectification::stalled(app, &root, days).await?;
            if json {
                println!("{}", serde_json::to_string_pretty(&list)?);
            } else {
                print!("{}", render_stalled(&list));
            }
            return Ok(ExitCode::SUCCESS);
        }
        step => (rectify_step(app, step).await?, false),
    };
    if json {
        println!("{}", serde_json::to_string_pretty(&case)?);
    } else {
        print!("{}", render_case(&case));
    }
    Ok(ExitCode::SUCCESS)
}

/// One step of a case, with the grant its kind needs (`access::PERMISSIONS`).
async fn rectify_step(app: &App, cmd: RectifyCmd) -> Result<CaseView> {
    let a = Actor::system();
    let plan = || a.grant::<access::PlanRectification>();
    let report = || a.grant::<access::ReportProgress>();
    let decide = || a.grant::<access::AcceptRectification>();
    Ok(match cmd {
        RectifyCmd::Plan {
            org,
            year,
            measures,
        } => {
            let ms = measures
                .iter()
                .map(|m| measure(m))
                .collect::<Result<Vec<_>>>()?;
            let o = system_org(app, &org).await?;
            rectification::plan(app, &plan()?, &o, year, ms).await?
        }
        RectifyCmd::Assign {
            org,
            year,
            cadre,
            departments,
        } => {
            let o = system_org(app, &org).await?;
            rectification::assign(app, &plan()?, &o, year, &cadre, departments).await?
        }
        RectifyCmd::Progress {
            org,
            year,
            text,
            evidence,
        } => {
            let o = system_org(app, &org).await?;
            rectification::progress(app, &report()?, &o, year, &text, &evidence).await?
        }
        RectifyCmd::Done {
            org,
            year,
            measure,
            on,
            note,
        } => {
            let o = system_org(app, &org).await?;
            rectification::complete_measure(app, &report()?, &o, year, measure, on, note).await?
        }
        RectifyCmd::Extend {
            org,
            year,
            until,
            reason,
        } => {
            let o = system_org(app, &org).await?;
            rectification::extend(app, &decide()?, &o, year, &reason, until).await?
        }
        RectifyCmd::Accept { org, year, note } => {
            let o = system_org(app, &org).await?;
            rectification::accept(app, &decide()?, &o, year, &note).await?
        }
        RectifyCmd::Review {
            org,
            year,
            outcome,
            note,
        } => {
            let o = ReviewOutcome::parse(&outcome)
                .with_context(|| format!("回头看结果应为“巩固”或“反弹”：{outcome}"))?;
            let target = system_org(app, &org).await?;
            rectification::review(app, &decide()?, &target, year, o, &note).await?
        }
        RectifyCmd::Show { .. } | RectifyCmd::Overdue { .. } | RectifyCmd::Stalled { .. } => {
            unreachable!("rectify_cmd answers these itself")
        }
    })
}

trait StateLabel {
    fn state_label(&self) -> &'static str;
}

impl StateLabel for weak::SignalRow {
    fn state_label(&self) -> &'static str {
        self.state.label()
    }
}
