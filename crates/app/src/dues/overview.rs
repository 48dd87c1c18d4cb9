//! 党费收缴统计: an org's subtree for a month or a year from the stored monthly facts — the
//! month by month totals, each direct child's figures and what it passed up, and the
//! members with the rule's months unpaid in a row (named, IDs masked; the first
//! [`LIST`], the count complete). Reads one row per org and month, whatever the size.

use std::collections::HashMap;

use jiceng_domain::dues::{self as rule};
use jiceng_domain::Period;
use jiceng_store::dues::{self as store, Tally};
use jiceng_store::{members as member_store, orgs as org_store, Scope};
use serde::Serialize;

use super::key;
use crate::access::InScope;
use crate::{App, OrgRecord, OrgRef, Result};

/// The most people the flagged list names.
pub const LIST: usize = 200;

/// Counted figures for a month (or a year's months added up: the members and the
/// flagged are the last month's, the money and the 人次 the sum).
#[derive(Debug, Clone, Serialize)]
pub struct MonthTotal {
    pub month: String,
    pub members: i64,
    pub due_fen: i64,
    pub due_yuan: String,
    pub paid_members: i64,
    pub paid_fen: i64,
    pub paid_yuan: String,
    pub flagged: i64,
    /// 收缴率: paid over due, in percent (none when nothing was due).
    pub rate: Option<f64>,
}

impl MonthTotal {
    pub fn of(month: &str, t: &Tally) -> MonthTotal {
        MonthTotal {
            month: month.to_string(),
            members: t.members,
            due_fen: t.due_fen,
            due_yuan: rule::yuan(t.due_fen),
            paid_members: t.paid_members,
            paid_fen: t.paid_fen,
            paid_yuan: rule::yuan(t.paid_fen),
            flagged: t.flagged,
            rate: (t.due_fen > 0).then(|| t.paid_fen as f64 * 100.0 / t.due_fen as f64),
        }
    }

    /// The months added up (in order): money and 人次 summed, the rest the last month's.
    fn sum(label: &str, months: &[Tally]) -> MonthTotal {
        let mut t = months.last().copied().unwrap_or_default();
        t.due_fen = months.iter().map(|m| m.due_fen).sum();
        t.paid_fen = months.iter().map(|m| m.paid_fen).sum();
        t.paid_members = months.iter().map(|m| m.paid_members).sum();
        MonthTotal::of(label, &t)
    }
}

/// One direct child's figures over the period.
#[derive(Debug, Clone, Serialize)]
pub struct ChildDues {
    pub org_id: i64,
    pub code: String,
    pub name: String,
    pub total: MonthTotal,
    /// Anything assessed or paid in its subtree over the period; `false`: 暂无数据 (dues are
    /// not recorded there), never "nothing due".
    pub recorded: bool,
    /// What it passed up over the period's months (none recorded: `None`).
    pub handed_yuan: Option<String>,
}

/// A member with the rule's months unpaid in a row.
#[derive(Debug, Clone, Serialize)]
pub struct FlaggedMember {
    pub member_id: i64,
    pub name: String,
    pub id_number: String,
    pub org_name: String,
}

/// The 收缴统计 of an org's subtree (`jiceng report dues`).
#[derive(Debug, Clone, Serialize)]
pub struct DuesOverview {
    pub org: OrgRef,
    pub org_id: i64,
    /// `2026-08` or `2026`.
    pub period: String,
    pub period_label: String,
    /// The period's months up to the running one, each with the subtree's figures.
    pub months: Vec<MonthTotal>,
    pub total: MonthTotal,
    /// The running month is in the period (its unpaid so far is not arrears).
    pub running: bool,
    pub by_child: Vec<ChildDues>,
    /// Members whose payments stopped for the rule's months, as of the running month:
    /// the count of the stored facts, the first [`LIST`] named.
    pub flagged_total: i64,
    pub flagged: Vec<FlaggedMember>,
    pub lapse_months: i64,
}

/// The figures of `org`'s subtree for `period` (a month or a year).
pub async fn overview(app: &App, org: &InScope<OrgRecord>, period: Period) -> Result<DuesOverview> {
    let today = app.today();
    let current = Period::month_of(today);
    let months: Vec<Period> = period
        .months()
        .into_iter()
        .filter(|m| *m <= current)
        .collect();
    let keys: Vec<String> = months.iter().map(|m| key(*m)).collect();
    let mut conn = app.store.acquire().await?;
    let children = org_store::children(&mut conn, &Scope::All, org.org.id).await?;
    let mut ids: Vec<i64> = children.iter().map(|c| c.org.id).collect();
    ids.push(org.org.id);
    let (mut per_month, mut handed) = (Vec::with_capacity(keys.len()), HashMap::new());
    if let (Some(first), Some(last)) = (keys.first(), keys.last()) {
        let mut by_month = store::month_facts_between(&mut conn, &ids, (first, last)).await?;
        per_month = keys
            .iter()
            .map(|k| by_month.remove(k).unwrap_or_default())
            .collect();
        handed = store::handed_between(&mut conn, &ids, (first, last)).await?;
    }
    let lapse = app.rules.in_force(today).membership.lapse_months;
    let flagged_ids =
        store::flagged_in_scope(&mut conn, &org.subtree(), current, LIST as i64).await?;
    let people = member_store::by_ids(&mut conn, &org.subtree(), &flagged_ids).await?;
    let mut org_ids: Vec<i64> = people.iter().map(|m| m.org_id).collect();
    org_ids.sort_unstable();
    org_ids.dedup();
    let names: HashMap<i64, String> = org_store::by_ids(&mut conn, &org_ids)
        .await?
        .into_iter()
        .map(|o| (o.org.id, o.org.name))
        .collect();
    let current_facts = store::month_facts(&mut conn, &[org.org.id], &key(current))
        .await?
        .remove(&org.org.id);
    drop(conn);
    let series = |id: i64| -> Vec<Tally> {
        per_month
            .iter()
            .map(|m| m.get(&id).map(|f| f.subtree).unwrap_or_default())
            .collect()
    };
    let mine = series(org.org.id);
    let mut flagged: Vec<FlaggedMember> = people
        .iter()
        .map(|m| FlaggedMember {
            member_id: m.id,
            name: m.name.clone(),
            id_number: m.id_masked.clone(),
            org_name: names.get(&m.org_id).cloned().unwrap_or_default(),
        })
        .collect();
    flagged.sort_by_key(|f| flagged_ids.iter().position(|i| *i == f.member_id));
    let label = period.to_string();
    Ok(DuesOverview {
        org: org.org_ref(),
        org_id: org.org.id,
        period: label.clone(),
        period_label: period.label(),
        months: keys
            .iter()
            .zip(&mine)
            .map(|(k, t)| MonthTotal::of(k, t))
            .collect(),
        total: MonthTotal::sum(&label, &mine),
        running: months.contains(&current),
        by_child: children
            .iter()
            .map(|c| ChildDues {
                org_id: c.org.id,
                code: c.org.code.clone(),
                name: c.org.name.clone(),
                total: MonthTotal::sum(&label, &series(c.org.id)),
                recorded: series(c.org.id).iter().any(|t| *t != Tally::default()),
                handed_yuan: handed.get(&c.org.id).map(|f| rule::yuan(*f)),
            })
            .collect(),
        flagged_total: current_facts.map_or(0, |f| f.subtree.flagged),
        flagged,
        lapse_months: lapse,
    })
}

impl DuesOverview {
    /// The workbook: the figures by child org and month by month, then the flagged.
    pub fn to_sheets(&self) -> Vec<jiceng_io::Sheet> {
        use jiceng_io::{OutCell, Sheet};
        let text = |s: &str| OutCell::Text(s.to_string());
        let money = |fen: i64| OutCell::Float(fen as f64 / 100.0);
        let rate = |r: Option<f64>| r.map_or(text("—"), |r| OutCell::Percent(r / 100.0));
        let line = |name: &str, t: &MonthTotal, handed: Option<&str>| {
            vec![
                text(name),
                OutCell::Int(t.members),
                money(t.due_fen),
                OutCell::Int(t.paid_members),
                money(t.paid_fen),
                rate(t.rate),
                OutCell::Int(t.flagged),
                text(handed.unwrap_or("")),
            ]
        };
        let mut rows: Vec<Vec<OutCell>> = self
            .by_child
            .iter()
            .map(|c| {
                if c.recorded {
                    line(&c.name, &c.total, c.handed_yuan.as_deref())
                } else {
                    vec![text(&c.name), text("暂无数据")]
                }
            })
            .collect();
        rows.push(line("合计", &self.total, None));
        let headers = |first: &str| {
            [
                first,
                "核定人数",
                "应交（元）",
                "交纳人次",
                "实交（元）",
                "收缴率",
                "连续未交",
                "上缴（元）",
            ]
            .map(String::from)
            .to_vec()
        };
        let head = format!("{}{}", self.org.name, self.period_label);
        vec![
            Sheet {
                name: "收缴统计".into(),
                title: format!("{head}党费收缴统计"),
                headers: headers("党组织"),
                rows,
            },
            Sheet {
                name: "逐月".into(),
                title: format!("{head}党费逐月收缴"),
                headers: headers("月份"),
                rows: self
                    .months
                    .iter()
                    .map(|m| line(&m.month, m, None))
                    .collect(),
            },
            Sheet {
                name: "连续未交".into(),
                title: format!(
                    "{}连续{}个月未交纳党费的党员（提交党支部研究处置）",
                    self.org.name, self.lapse_months
                ),
                headers: ["姓名", "公民身份号码", "党组织"]
                    .map(String::from)
                    .to_vec(),
                rows: self
                    .flagged
                    .iter()
                    .map(|f| vec![text(&f.name), text(&f.id_number), text(&f.org_name)])
                    .collect(),
            },
        ]
    }
}
