//! 站内提醒: what is due for the org a user works for, read from what is already recorded —
//! this month's organizational life still to hold (a branch's 本月待办; above it, how many
//! branches still owe this month's), 换届 past or near the end of the term (the stored
//! anomalies), tasks from above still to report (任务部署), letters of 组织关系转接 waiting
//! to be received, rectification measures near or
//! past their deadline, and import referrals waiting. Nothing is sent outside the server;
//! nothing is scored or ranked.

use chrono::{Duration, NaiveDate};
use jiceng_domain::structure::AnomalyRule;
use jiceng_domain::{OrgKind, Period};
use serde::Serialize;

use crate::access::{Action, Actor, InScope};
use crate::{App, OrgRecord, Result};

/// Measures due within this many days are "near their deadline".
pub const NEAR_DAYS: i64 = 7;

/// Above this many orgs (a county and up) the branches still owing this month are not
/// counted on the home page: judging a county's branches live costs hundreds of
/// milliseconds (a township's, about 7 ms), and the compliance page does that work.
pub const BRANCHES_AT_MOST: i64 = 500;

/// What a reminder is about (the page that lists it).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub enum ReminderKind {
    /// A branch's organizational life still due (本月待办).
    Meetings,
    /// Branches below that still owe this month's organizational life.
    Branches,
    /// 换届: terms ended or ending.
    Election,
    /// Letters of 组织关系转接 to receive.
    Letters,
    /// Rectification measures near or past their deadline.
    Rectification,
    /// Import referrals waiting for a decision.
    Referrals,
    /// A notice from the org above (一键提醒) this month.
    Notice,
    /// Tasks issued to this org not yet reported done (任务部署).
    Tasks,
    /// Problems an inspection found, not yet fixed: the org's own, or for an inspector
    /// those of the subtree (督查).
    Problems,
    /// Problems a duty report, integrity report or departure audit named, not yet fixed:
    /// the org's own, or for the recorder those of the subtree (述职评议考核).
    DutyProblems,
    /// 群众诉求 assigned to the org or its subtree, not yet resolved (逾期未办结 first).
    MassRequests,
}

/// One item of the list.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Reminder {
    pub kind: ReminderKind,
    pub text: String,
    pub count: i64,
    /// Past its deadline (shown first, in red).
    pub overdue: bool,
    /// The earliest deadline among what it counts, if it has one.
    pub deadline: Option<NaiveDate>,
}

/// Problems named and not yet fixed (`open`: how many, overdue, the first deadline): the
/// org's own, or the whole scope's for who records them (`scope`).
fn problems(
    kind: ReminderKind,
    scope: bool,
    what: &str,
    (open, late, first): (i64, i64, Option<NaiveDate>),
    out: &mut Vec<Reminder>,
) {
    if open == 0 {
        return;
    }
    let whose = if scope { "本范围" } else { "" };
    let late_text = if late > 0 {
        format!("（其中{late}个已逾期）")
    } else {
        String::new()
    };
    out.push(Reminder {
        kind,
        text: format!("{whose}{what}{open}个待整改{late_text}"),
        count: open,
        overdue: late > 0,
        deadline: first,
    });
}

/// The reminders of `org` for `actor`, overdue first, then by deadline.
pub async fn of(app: &App, actor: &Actor, org: &InScope<OrgRecord>) -> Result<Vec<Reminder>> {
    let today = app.today();
    let mut out = Vec::new();
    let mut conn = app.store.acquire().await?;
    let totals = jiceng_store::facts::totals(&mut conn, org.org.id).await?;
    drop(conn);
    let size = totals.as_ref().map_or(i64::MAX, |t| t.orgs);
    if org.org.kind == OrgKind::Branch {
        meetings_due(app, org, today, &mut out).await?;
        for n in crate::notices::of_month(app, org).await? {
            out.push(Reminder {
                kind: ReminderKind::Notice,
                text: n.text,
                count: 1,
                overdue: false,
                deadline: None,
            });
        }
    } else if org.org.kind != OrgKind::Group && size <= BRANCHES_AT_MOST {
        branches_owing(app, org, today, &mut out).await?;
    }
    if let Some(t) = &totals {
        elections(app, t, &mut out);
    }
    let (open, late, first) = crate::tasks::open_of(app, org).await?;
    if open > 0 {
        let late_text = if late > 0 {
            format!("（其中{late}项已逾期）")
        } else {
            String::new()
        };
        out.push(Reminder {
            kind: ReminderKind::Tasks,
            text: format!("上级部署的任务{open}项待完成{late_text}"),
            count: open,
            overdue: late > 0,
            deadline: first,
        });
    }
    let inspects = actor.may(Action::RecordInspections);
    let open = crate::inspections::open_of(app, org, !inspects).await?;
    problems(
        ReminderKind::Problems,
        inspects,
        "督查发现的问题",
        open,
        &mut out,
    );
    let records = actor.may(Action::RecordDuty);
    let open = crate::duties::open_of(app, org, !records).await?;
    problems(
        ReminderKind::DutyProblems,
        records,
        "述职评议等指出的问题",
        open,
        &mut out,
    );
    if actor.may(Action::RecordRequests) {
        let (open, late, first) = crate::mass_requests::open_of(app, org).await?;
        if open > 0 {
            let whose = if org.org.kind == OrgKind::Branch {
                ""
            } else {
                "本范围"
            };
            let late_text = if late > 0 {
                format!("（其中{late}件逾期未办结）")
            } else {
                String::new()
            };
            out.push(Reminder {
                kind: ReminderKind::MassRequests,
                text: format!("{whose}群众诉求{open}件未办结{late_text}"),
                count: open,
                overdue: late > 0,
                // The earliest received: its limit runs from then.
                deadline: first
                    .map(|d| d + Duration::days(crate::mass_requests::rules(app).overdue_days)),
            });
        }
    }
    let (letters, late) = crate::transfer::waiting(app, org).await?;
    if letters > 0 {
        let late_text = if late > 0 {
            format!("（其中{late}封已超过有效期限）")
        } else {
            String::new()
        };
        out.push(Reminder {
            kind: ReminderKind::Letters,
            text: format!("待接收的组织关系介绍信{letters}封{late_text}"),
            count: letters,
            overdue: late > 0,
            deadline: None,
        });
    }
    rectification(app, org, today, &mut out).await?;
    if actor.may(Action::HandleReferrals) {
        let grant = actor.grant()?;
        let pending = crate::referral::list(
            app,
            &grant,
            Some(crate::referral::ReferralStatus::Pending),
            1,
            1,
        )
        .await?
        .total;
        if pending > 0 {
            out.push(Reminder {
                kind: ReminderKind::Referrals,
                text: format!("待处理的导入转办事项{pending}件"),
                count: pending,
                overdue: false,
                deadline: None,
            });
        }
    }
    out.sort_by_key(|r| (!r.overdue, r.deadline.unwrap_or(NaiveDate::MAX)));
    Ok(out)
}

/// A branch's 本月待办: what is owed by the end of this month.
async fn meetings_due(
    app: &App,
    org: &InScope<OrgRecord>,
    today: NaiveDate,
    out: &mut Vec<Reminder>,
) -> Result<()> {
    let due = crate::meetings::due(app, org, today).await?;
    let month_end = Period::month_of(today).last_day();
    let now: Vec<_> = due
        .items
        .iter()
        .filter(|i| i.deadline <= month_end)
        .collect();
    if now.is_empty() {
        return Ok(());
    }
    let mut labels: Vec<&str> = now.iter().map(|i| i.label).collect();
    labels.dedup();
    out.push(Reminder {
        kind: ReminderKind::Meetings,
        text: format!("本月还需开展：{}", labels.join("、")),
        count: now.len() as i64,
        overdue: false,
        deadline: now.iter().map(|i| i.deadline).min(),
    });
    Ok(())
}

/// Above the branches: how many still owe this month's organizational life.
async fn branches_owing(
    app: &App,
    org: &InScope<OrgRecord>,
    today: NaiveDate,
    out: &mut Vec<Reminder>,
) -> Result<()> {
    let month = Period::month_of(today);
    let report = crate::reports::compliance::run(app, org, month).await?;
    let owing = report.pending.len() as i64;
    if owing > 0 {
        let idle = report
            .pending
            .iter()
            .filter(|p| p.items.iter().all(|i| i.held == 0))
            .count();
        out.push(Reminder {
            kind: ReminderKind::Branches,
            text: format!(
                "本月还有{owing}个党支部未完成组织生活（其中{idle}个尚未开展本月应开展的任何一项）"
            ),
            count: owing,
            overdue: false,
            deadline: Some(month.last_day()),
        });
    }
    Ok(())
}

/// 换届: the stored anomalies of the subtree (refreshed daily with the facts).
fn elections(app: &App, totals: &jiceng_store::facts::Totals, out: &mut Vec<Reminder>) {
    let count = |rule: AnomalyRule| totals.anomalies.get(rule.code()).copied().unwrap_or(0);
    let expired = count(AnomalyRule::TermExpired);
    let expiring = count(AnomalyRule::TermExpiring);
    let days = app.rules.in_force(app.today()).terms.expiring_within_days;
    if expired > 0 {
        out.push(Reminder {
            kind: ReminderKind::Election,
            text: format!("任期已满未换届的党组织{expired}个"),
            count: expired,
            overdue: true,
            deadline: None,
        });
    }
    if expiring > 0 {
        out.push(Reminder {
            kind: ReminderKind::Election,
            text: format!("{days}天内任期届满、应按期换届的党组织{expiring}个"),
            count: expiring,
            overdue: false,
            deadline: None,
        });
    }
}

/// Measures of open rectification cases past or within [`NEAR_DAYS`] of their deadline.
async fn rectification(
    app: &App,
    org: &InScope<OrgRecord>,
    today: NaiveDate,
    out: &mut Vec<Reminder>,
) -> Result<()> {
    let mut conn = app.store.acquire().await?;
    let soon = today + Duration::days(NEAR_DAYS + 1);
    let measures = jiceng_store::rectification::overdue(&mut conn, &org.subtree(), soon).await?;
    let (late, near): (Vec<_>, Vec<_>) = measures.iter().partition(|(_, m)| m.deadline < today);
    if !late.is_empty() {
        out.push(Reminder {
            kind: ReminderKind::Rectification,
            text: format!("已超过期限未完成的整顿措施{}项", late.len()),
            count: late.len() as i64,
            overdue: true,
            deadline: late.iter().map(|(_, m)| m.deadline).min(),
        });
    }
    if !near.is_empty() {
        out.push(Reminder {
            kind: ReminderKind::Rectification,
            text: format!("{NEAR_DAYS}天内到期的整顿措施{}项", near.len()),
            count: near.len() as i64,
            overdue: false,
            deadline: near.iter().map(|(_, m)| m.deadline).min(),
        });
    }
    Ok(())
}
