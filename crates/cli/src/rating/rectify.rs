//! `jiceng rectify …`: the steps of a rectification case, and the overdue and stalled.

use std::process::ExitCode;

use anyhow::{bail, Context, Result};
use chrono::NaiveDate;
use jiceng_app::access::{self, Actor};
use jiceng_app::rectification::{self, CaseView};
use jiceng_app::App;
use jiceng_domain::rectification::{NewMeasure, ReviewOutcome};

use super::render::{render_case, render_overdue, render_stalled};
use super::{print, RectifyCmd};
use crate::system_org;

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
    match cmd {
        RectifyCmd::Show { at, json } => {
            let case = rectification::get(app, &at.org(app).await?, at.year).await?;
            print(json, &case, render_case)?;
        }
        RectifyCmd::Overdue { org, json } => {
            let root = system_org(app, org.as_deref().unwrap_or("")).await?;
            let list = rectification::overdue(app, &root).await?;
            print(json, &list, |l| render_overdue(l))?;
        }
        RectifyCmd::Stalled { org, days, json } => {
            let days = days.unwrap_or_else(|| rectification::stall_days(app));
            let root = system_org(app, org.as_deref().unwrap_or("")).await?;
            let list = rectification::stalled(app, &root, days).await?;
            print(json, &list, |l| render_stalled(l))?;
        }
        step => print!("{}", render_case(&rectify_step(app, step).await?)),
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
        RectifyCmd::Plan { at, measures } => {
            let ms = measures
                .iter()
                .map(|m| measure(m))
                .collect::<Result<Vec<_>>>()?;
            let o = at.org(app).await?;
            rectification::plan(app, &plan()?, &o, at.year, ms).await?
        }
        RectifyCmd::Assign {
            at,
            cadre,
            departments,
        } => {
            let o = at.org(app).await?;
            rectification::assign(app, &plan()?, &o, at.year, &cadre, departments).await?
        }
        RectifyCmd::Progress { at, text, evidence } => {
            let o = at.org(app).await?;
            rectification::progress(app, &report()?, &o, at.year, &text, &evidence).await?
        }
        RectifyCmd::Done {
            at,
            measure,
            on,
            note,
        } => {
            let o = at.org(app).await?;
            rectification::complete_measure(app, &report()?, &o, at.year, measure, on, note).await?
        }
        RectifyCmd::Extend { at, until, reason } => {
            let o = at.org(app).await?;
            rectification::extend(app, &decide()?, &o, at.year, &reason, until).await?
        }
        RectifyCmd::Accept { at, note, reason } => {
            let o = at.org(app).await?;
            rectification::accept(app, &decide()?, &o, at.year, &note, reason.as_deref()).await?
        }
        RectifyCmd::Review { at, outcome, note } => {
            let o = ReviewOutcome::parse(&outcome)
                .with_context(|| format!("回头看结果应为“巩固”或“反弹”：{outcome}"))?;
            let target = at.org(app).await?;
            rectification::review(app, &decide()?, &target, at.year, o, &note).await?
        }
        RectifyCmd::Show { .. } | RectifyCmd::Overdue { .. } | RectifyCmd::Stalled { .. } => {
            unreachable!("rectify_cmd answers these itself")
        }
    })
}
