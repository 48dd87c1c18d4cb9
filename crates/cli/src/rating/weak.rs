//! `jiceng weak …`: confirm or dismiss a suspected weakness, and the records its signals
//! read (signals by hand, discipline cases, funding).

use std::process::ExitCode;

use anyhow::Result;
use jiceng_app::access::{self, Actor};
use jiceng_app::weak::{self, FundingKind};
use jiceng_app::App;
use jiceng_domain::{SignalRule, WeaknessKind};

use super::render::StateLabel;
use super::{kind, FundingArg, OrgYear, WeakCmd};

pub async fn weak_cmd(app: &App, cmd: WeakCmd) -> Result<ExitCode> {
    let actor = Actor::system();
    match cmd {
        WeakCmd::Confirm { at, kind, reason } => decide(app, true, &at, &kind, &reason).await?,
        WeakCmd::Dismiss { at, kind, reason } => decide(app, false, &at, &kind, &reason).await?,
        WeakCmd::Diagnose { at, json } => diagnose(app, &at, json).await?,
        WeakCmd::Signal {
            at,
            kind: k,
            evidence,
            source,
        } => {
            let grant = actor.grant::<access::ReportSignal>()?;
            let target = at.org(app).await?;
            let k = kind(&k)?;
            weak::record_signal(app, &grant, &target, at.year, k, &evidence, &source).await?;
            println!("已录入{} {}年度问题线索（{}）", at.org, at.year, k.label());
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
                &crate::system_org(app, &org).await?,
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
            at,
            kind: k,
            amount,
            source,
        } => {
            let fk = match k {
                FundingArg::Operating => FundingKind::Operating,
                FundingArg::CollectiveIncome => FundingKind::CollectiveIncome,
            };
            let grant = actor.grant::<access::Rate>()?;
            let target = at.org(app).await?;
            weak::record_funding(app, &grant, &target, at.year, fk, amount, &source).await?;
            println!("已录入{} {}年度{}{amount}元", at.org, at.year, fk.label());
        }
    }
    Ok(ExitCode::SUCCESS)
}

/// Confirms (`confirm`) or dismisses a suspected weakness.
async fn decide(app: &App, confirm: bool, at: &OrgYear, k: &str, reason: &str) -> Result<()> {
    let grant = Actor::system().grant::<access::DecideWeakness>()?;
    let target = at.org(app).await?;
    let k = kind(k)?;
    let d = if confirm {
        weak::confirm(app, &grant, &target, at.year, k, reason).await?
    } else {
        weak::dismiss(app, &grant, &target, at.year, k, reason).await?
    };
    let (verb, then) = match (confirm, d.case_opened) {
        (true, true) => ("确定", "，已建立整顿台账（jiceng rectify plan …）"),
        (true, false) => ("确定", ""),
        (false, _) => ("排除", ""),
    };
    println!(
        "已{verb}{}（{}）{}年度问题“{}”{then}",
        d.org.name,
        d.org.code,
        at.year,
        k.label()
    );
    Ok(())
}

/// Every signal of one org and year.
async fn diagnose(app: &App, at: &OrgYear, json: bool) -> Result<()> {
    let r = weak::diagnosis(app, &at.org(app).await?, at.year).await?;
    if json {
        println!("{}", serde_json::to_string_pretty(&r)?);
        return Ok(());
    }
    println!(
        "{}（{}）{}年度问题信号（截至{}）",
        r.org.name, r.org.code, at.year, r.as_of
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
    Ok(())
}
