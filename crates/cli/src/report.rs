//! `jiceng report`: a subtree's derived reports as JSON, a table or a workbook.

use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::{Context, Result};
use chrono::NaiveDate;
use jiceng_app::rating::RatingsReport;
use jiceng_app::reports::compliance::ComplianceReport;
use jiceng_app::reports::coverage::CoverageReport;
use jiceng_app::reports::members::MembersReport;
use jiceng_app::reports::recruitment::RecruitmentReport;
use jiceng_app::reports::rectification::RectificationReport;
use jiceng_app::reports::structure::StructureReport;
use jiceng_app::reports::transfers::TransfersReport;
use jiceng_app::reports::weak::WeakReport;
use jiceng_app::{clock, reports, App};
use jiceng_io::Sheet;
use serde::Serialize;

use crate::args::{Format, ReportArgs, ReportKind};
use crate::open::system_org;
use crate::{rating, render};

/// A report as the command line gives it: its table, its sheets and the title a
/// workbook is named by.
trait Shown: Serialize {
    fn table(&self) -> String;
    fn sheets(&self) -> Vec<Sheet>;
    fn title(&self) -> String;
}

macro_rules! shown {
    ($report:ty, $table:path, $title:literal) => {
        shown!(@impl $report, $table, |r| format!(concat!($title, "-{}"), r.org.name));
    };
    ($report:ty, $table:path, $title:literal, $part:ident) => {
        shown!(@impl $report, $table, |r| format!(concat!($title, "-{}-{}"), r.org.name, r.$part));
    };
    (@impl $report:ty, $table:path, |$r:ident| $title:expr) => {
        impl Shown for $report {
            fn table(&self) -> String {
                $table(self)
            }
            fn sheets(&self) -> Vec<Sheet> {
                self.to_sheets()
            }
            fn title(&self) -> String {
                let $r = self;
                $title
            }
        }
    };
}

shown!(StructureReport, render::structure, "组织设置");
shown!(CoverageReport, render::coverage, "覆盖情况");
shown!(MembersReport, render::members, "党员结构");
shown!(ComplianceReport, render::compliance, "组织生活", period);
shown!(WeakReport, rating::render_weak, "软弱涣散排查", year);
shown!(
    RectificationReport,
    rating::render_rectification,
    "整顿进展",
    year
);
shown!(RatingsReport, rating::render_ratings, "分类定级", year);
shown!(
    RecruitmentReport,
    crate::recruitment::render_report,
    "发展党员",
    year
);

shown!(
    TransfersReport,
    crate::transfers::render_report,
    "组织关系转接",
    period
);

impl Shown for jiceng_app::mobility::Mobility {
    fn table(&self) -> String {
        crate::transfers::render_mobility(self)
    }
    fn sheets(&self) -> Vec<Sheet> {
        self.to_sheets()
    }
    fn title(&self) -> String {
        format!("流动和失联党员-{}", self.org.name)
    }
}

impl Shown for jiceng_app::dues::DuesOverview {
    fn table(&self) -> String {
        crate::dues::render(self)
    }
    fn sheets(&self) -> Vec<Sheet> {
        self.to_sheets()
    }
    fn title(&self) -> String {
        format!("党费收缴统计-{}-{}", self.org.name, self.period)
    }
}

impl Shown for jiceng_app::training::Report {
    fn table(&self) -> String {
        crate::training::render(self)
    }
    fn sheets(&self) -> Vec<Sheet> {
        self.to_sheets()
    }
    fn title(&self) -> String {
        format!(
            "党员教育培训学时-{}-{}",
            self.overview.org.name, self.overview.year
        )
    }
}

impl Shown for jiceng_app::tasks::TasksReport {
    fn table(&self) -> String {
        crate::tasks::render(self)
    }
    fn sheets(&self) -> Vec<Sheet> {
        self.to_sheets()
    }
    fn title(&self) -> String {
        format!("任务完成情况-{}-{}", self.org.name, self.period)
    }
}

impl Shown for jiceng_app::mass_requests::RequestList {
    fn table(&self) -> String {
        crate::masses::render(self)
    }
    fn sheets(&self) -> Vec<Sheet> {
        self.to_sheets()
    }
    fn title(&self) -> String {
        format!(
            "群众诉求-{}-{}",
            self.org.name,
            self.month.as_deref().unwrap_or("全部")
        )
    }
}

impl Shown for jiceng_app::surveys::SurveyReport {
    fn table(&self) -> String {
        crate::masses::render_surveys(self)
    }
    fn sheets(&self) -> Vec<Sheet> {
        self.to_sheets()
    }
    fn title(&self) -> String {
        format!("群众满意度测评-{}-{}", self.org.name, self.period)
    }
}

impl Shown for jiceng_app::funding::Overview {
    fn table(&self) -> String {
        crate::funding::render(self)
    }
    fn sheets(&self) -> Vec<Sheet> {
        self.to_sheets()
    }
    fn title(&self) -> String {
        format!("经费保障-{}-{}", self.org.name, self.year)
    }
}

impl Shown for jiceng_app::venues::VenueReport {
    fn table(&self) -> String {
        crate::masses::render_venues(self)
    }
    fn sheets(&self) -> Vec<Sheet> {
        self.to_sheets()
    }
    fn title(&self) -> String {
        format!("活动场所-{}-{}", self.venues.org.name, self.venues.year)
    }
}

impl Shown for jiceng_app::pairing::PairingOverview {
    fn table(&self) -> String {
        crate::pairing::render(self)
    }
    fn sheets(&self) -> Vec<Sheet> {
        self.to_sheets()
    }
    fn title(&self) -> String {
        format!("结对共建-{}-{}", self.org.name, self.on)
    }
}

impl Shown for jiceng_app::duties::DutyReport {
    fn table(&self) -> String {
        crate::tasks::render_duty(self)
    }
    fn sheets(&self) -> Vec<Sheet> {
        self.to_sheets()
    }
    fn title(&self) -> String {
        format!("述职评议考核-{}-{}", self.org.name, self.year)
    }
}

impl Shown for jiceng_app::inspections::InspectionList {
    fn table(&self) -> String {
        crate::tasks::render_inspections(self)
    }
    fn sheets(&self) -> Vec<Sheet> {
        self.to_sheets()
    }
    fn title(&self) -> String {
        format!("督查情况-{}-{}", self.org.name, self.period)
    }
}

impl Shown for jiceng_app::tasks::burden::Ledger {
    fn table(&self) -> String {
        crate::tasks::render_ledger(self)
    }
    fn sheets(&self) -> Vec<Sheet> {
        self.to_sheets()
    }
    fn title(&self) -> String {
        format!("减负台账-{}-{}", self.org.name, self.month)
    }
}

/// Where and how a report is given: printed in a format, or written to a workbook.
struct Output {
    format: Format,
    out: Option<PathBuf>,
    day: NaiveDate,
}

impl Shown for jiceng_app::scorecard::Card {
    fn table(&self) -> String {
        crate::scorecard::render(self)
    }
    fn sheets(&self) -> Vec<Sheet> {
        self.to_sheets()
    }
    fn title(&self) -> String {
        format!("检验标准-{}-{}", self.org.name, self.period)
    }
}

impl Output {
    fn give(&self, r: &impl Shown) -> Result<()> {
        match self.format {
            Format::Json => println!("{}", serde_json::to_string_pretty(r)?),
            Format::Table => print!("{}", r.table()),
            Format::Xlsx => {
                let day = self.day;
                let path = self
                    .out
                    .clone()
                    .unwrap_or_else(|| PathBuf::from(format!("{}-{day}.xlsx", r.title())));
                jiceng_io::write_workbook(&path, &r.sheets()).map_err(anyhow::Error::msg)?;
                println!("已写入 {}", path.display());
            }
            Format::Docx | Format::Html => {
                anyhow::bail!("--format docx 和 html 只用于分析研判报告（report analysis）")
            }
        }
        Ok(())
    }

    /// A paper (the analysis report) as Word, HTML or text.
    fn paper(&self, p: &jiceng_app::paper::Paper) -> Result<()> {
        match self.format {
            Format::Docx => {
                let path = self
                    .out
                    .clone()
                    .unwrap_or_else(|| PathBuf::from(&p.file_name));
                std::fs::write(&path, p.docx()?)
                    .with_context(|| format!("无法写入 {}", path.display()))?;
                println!("已写入 {}", path.display());
            }
            Format::Html => match &self.out {
                Some(path) => {
                    std::fs::write(path, p.html())
                        .with_context(|| format!("无法写入 {}", path.display()))?;
                    println!("已写入 {}", path.display());
                }
                None => print!("{}", p.html()),
            },
            Format::Table => print!("{}", p.text()),
            Format::Json | Format::Xlsx => {
                anyhow::bail!("分析研判报告的 --format 为 docx、html 或 table")
            }
        }
        Ok(())
    }
}

/// A 测评 year or half-year from --period (2026, 2026H1, 2026H2) or --year.
fn survey_period(args: &ReportArgs) -> Result<jiceng_domain::survey::SurveyPeriod> {
    Ok(match (args.period.as_deref(), args.year) {
        (Some(p), _) => {
            jiceng_domain::survey::SurveyPeriod::parse(p).map_err(anyhow::Error::msg)?
        }
        (None, Some(y)) => jiceng_domain::survey::SurveyPeriod::Year(y),
        (None, None) => anyhow::bail!("此报告需要 --period（如 2026 或 2026H2）或 --year"),
    })
}

/// A scorecard's year, half-year or quarter from --period (2026, 2026H2, 2026Q3) or
/// --year.
fn score_period(args: &ReportArgs) -> Result<jiceng_app::scorecard::Period> {
    Ok(match (args.period.as_deref(), args.year) {
        (Some(p), _) => jiceng_app::scorecard::period(p)?,
        (None, Some(y)) => jiceng_app::scorecard::Period::Year(y),
        (None, None) => {
            anyhow::bail!("此报告需要 --period（如 2026、2026H2 或 2026Q3）或 --year")
        }
    })
}

pub(crate) async fn report(app: &App, args: ReportArgs) -> Result<ExitCode> {
    let day = args.as_of.unwrap_or_else(clock::today);
    let need_year = || args.year.context("此报告需要 --year（如 2026）");
    let show = Output {
        format: args.format,
        out: args.out.clone(),
        day,
    };
    // The period is checked before the org is looked up.
    let period = match args.what {
        ReportKind::Compliance
        | ReportKind::Transfers
        | ReportKind::Dues
        | ReportKind::Training
        | ReportKind::Tasks
        | ReportKind::Burden
        | ReportKind::Inspections
        | ReportKind::Requests
        | ReportKind::Duty => {
            let period = args
                .period
                .as_deref()
                .context("此报告需要 --period（如 2026-08、2026Q3 或 2026）")?;
            Some(jiceng_domain::Period::parse(period).map_err(anyhow::Error::msg)?)
        }
        _ => None,
    };
    let root = system_org(app, &args.org).await?;
    match args.what {
        ReportKind::Structure => show.give(&reports::structure::run(app, &root, day).await?)?,
        ReportKind::Coverage => show.give(&reports::coverage::run(app, &root).await?)?,
        ReportKind::Members => show.give(&reports::members::run(app, &root, day).await?)?,
        ReportKind::Compliance => {
            let period = period.expect("parsed above");
            // Judged on --as-of (default today): spans not over then are 待办.
            show.give(&reports::compliance::run_on(app, &root, period, day).await?)?
        }
        ReportKind::Weak => show.give(&reports::weak::run(app, &root, need_year()?).await?)?,
        ReportKind::Rectification => {
            show.give(&reports::rectification::run(app, &root, need_year()?).await?)?
        }
        ReportKind::Recruitment => {
            show.give(&reports::recruitment::run(app, &root, need_year()?).await?)?
        }
        ReportKind::Mobility => show.give(&jiceng_app::mobility::mobility(app, &root).await?)?,
        ReportKind::Training => {
            let jiceng_domain::Period::Year(year) = period.expect("parsed above") else {
                anyhow::bail!("学时按自然年度统计：--period 请写年度（如 2026）");
            };
            show.give(&jiceng_app::training::report(app, &root, year).await?)?
        }
        ReportKind::Transfers => {
            let period = period.expect("parsed above");
            show.give(&reports::transfers::run(app, &root, period).await?)?
        }
        ReportKind::Dues => {
            let period = period.expect("parsed above");
            show.give(&jiceng_app::dues::overview(app, &root, period).await?)?
        }
        ReportKind::Tasks => {
            let period = period.expect("parsed above");
            show.give(&jiceng_app::tasks::report_of_period(app, &root, period).await?)?
        }
        ReportKind::Inspections => {
            let period = period.expect("parsed above");
            show.give(&jiceng_app::inspections::list(app, &root, period).await?)?
        }
        ReportKind::Duty => {
            let jiceng_domain::Period::Year(year) = period.expect("parsed above") else {
                anyhow::bail!("述职评议考核按年度统计：--period 请写年度（如 2026）");
            };
            show.give(&jiceng_app::duties::report(app, &root, year).await?)?
        }
        ReportKind::Requests => show.give(
            &jiceng_app::mass_requests::list_in(
                app,
                &root,
                jiceng_app::mass_requests::Shown::All,
                period,
            )
            .await?,
        )?,
        ReportKind::Scorecard => {
            let period = score_period(&args)?;
            let grant = jiceng_app::access::Actor::system().grant()?;
            show.give(&jiceng_app::scorecard::card(app, &grant, &root, period).await?)?
        }
        ReportKind::Analysis => {
            let period = score_period(&args)?;
            let grant = jiceng_app::access::Actor::system().grant()?;
            show.paper(&reports::analysis::analysis(app, &grant, &root, period).await?)?
        }
        ReportKind::Surveys => {
            let period = survey_period(&args)?;
            show.give(&jiceng_app::surveys::report(app, &root, period).await?)?
        }
        ReportKind::Funding => {
            show.give(&jiceng_app::funding::overview(app, &root, need_year()?).await?)?
        }
        ReportKind::Venues => {
            show.give(&jiceng_app::venues::report(app, &root, need_year()?).await?)?
        }
        ReportKind::Pairing => {
            let on = jiceng_app::pairing::as_of_year(app, need_year()?);
            show.give(&jiceng_app::pairing::overview(app, &root, Some(on)).await?)?
        }
        ReportKind::Burden => {
            let jiceng_domain::Period::Month(y, m) = period.expect("parsed above") else {
                anyhow::bail!("减负台账按月统计：--period 请写月份（如 2026-12）");
            };
            let month = format!("{y}-{m:02}");
            show.give(&jiceng_app::tasks::burden::ledger(app, &root, &month).await?)?
        }
        ReportKind::Ratings => {
            let all = show.format == Format::Xlsx || show.format == Format::Json;
            let size = if all { 1_000_000 } else { 50 };
            show.give(&jiceng_app::rating::ratings(app, &root, need_year()?, None, 1, size).await?)?
        }
    }
    Ok(ExitCode::SUCCESS)
}
