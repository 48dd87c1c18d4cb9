//! The rectification report (整顿工作进展, SPEC C5): every case of a subtree and year with
//! its stage, weaknesses, assistance, measures done and overdue, and whether it stalled;
//! counts by stage; the overdue measures. Read by path range (cases, measures), never per
//! case.

use std::collections::BTreeMap;

use chrono::NaiveDate;
use jiceng_domain::rectification::Stage;
use jiceng_io::{OutCell, Sheet};
use serde::Serialize;

use super::OrgRef;
use crate::access::InScope;
use crate::rectification::{cases_of_year, stall_days, OverdueMeasure};
use crate::{App, OrgRecord, Result};

#[derive(Debug, Clone, Serialize)]
pub struct RectificationReport {
    pub org: OrgRef,
    pub year: i32,
    pub as_of: NaiveDate,
    pub cases: usize,
    /// Accepted (验收销号) or reviewed.
    pub closed: usize,
    pub by_stage: Vec<StageCount>,
    pub overdue_measures: usize,
    pub stalled_cases: usize,
    pub items: Vec<CaseRow>,
    pub overdue: Vec<OverdueMeasure>,
}

#[derive(Debug, Clone, Serialize)]
pub struct StageCount {
    pub stage: &'static str,
    pub label: &'static str,
    pub cases: usize,
}

#[derive(Debug, Clone, Serialize)]
pub struct CaseRow {
    pub org: OrgRef,
    pub kinds: Vec<&'static str>,
    pub stage: &'static str,
    pub stage_label: &'static str,
    pub opened_on: NaiveDate,
    pub deadline: Option<NaiveDate>,
    pub cadre: Option<String>,
    pub departments: Vec<String>,
    pub measures: usize,
    pub measures_done: usize,
    pub measures_overdue: usize,
    pub accepted_on: Option<NaiveDate>,
    pub last_activity_on: NaiveDate,
    pub stalled: bool,
    /// The org's path (a page groups the cases by region).
    #[serde(skip)]
    pub org_path: String,
}

/// The report for the subtree of `root` (resolved in the actor's scope) and `year`.
pub async fn run(app: &App, root: &InScope<OrgRecord>, year: i32) -> Result<RectificationReport> {
    let today = app.today();
    let (cases, refs) = cases_of_year(app, &root.subtree(), year).await?;
    let mut by_stage: BTreeMap<Stage, usize> = BTreeMap::new();
    let mut items = Vec::new();
    let mut overdue = Vec::new();
    for c in &cases {
        let Some(org) = refs.get(&c.org_id) else {
            continue;
        };
        let k = &c.case;
        *by_stage.entry(k.stage).or_default() += 1;
        let late = k.overdue(today);
        for m in &late {
            overdue.push(OverdueMeasure {
                org: org.clone(),
                year: c.year,
                stage: k.stage.code(),
                seq: m.seq,
                text: m.text.clone(),
                owner: m.owner.clone(),
                deadline: m.deadline,
                days_overdue: (today - m.deadline).num_days(),
            });
        }
        items.push(CaseRow {
            org: org.clone(),
            kinds: k.kinds.iter().map(|x| x.code()).collect(),
            stage: k.stage.code(),
            stage_label: k.stage.label(),
            opened_on: k.opened_on,
            deadline: k.deadline(),
            cadre: k.cadre.clone(),
            departments: k.departments.clone(),
            measures: k.measures.len(),
            measures_done: k.measures.iter().filter(|m| m.done_on.is_some()).count(),
            measures_overdue: late.len(),
            accepted_on: k.accepted_on,
            last_activity_on: k.last_activity_on,
            stalled: k.stalled(today, stall_days(app)),
            org_path: c.org_path.clone(),
        });
    }
    overdue.sort_by_key(|m| (m.deadline, m.org.code.clone(), m.seq));
    Ok(RectificationReport {
        org: OrgRef::of(&root.org),
        year,
        as_of: today,
        cases: items.len(),
        closed: items.iter().filter(|i| i.accepted_on.is_some()).count(),
        by_stage: Stage::ALL
            .iter()
            .map(|s| StageCount {
                stage: s.code(),
                label: s.label(),
                cases: by_stage.get(s).copied().unwrap_or(0),
            })
            .collect(),
        overdue_measures: overdue.len(),
        stalled_cases: items.iter().filter(|i| i.stalled).count(),
        items,
        overdue,
    })
}

fn opt_date(d: Option<NaiveDate>) -> OutCell {
    d.map(OutCell::Date).unwrap_or(OutCell::Empty)
}

fn kinds_text(kinds: &[&str]) -> String {
    kinds
        .iter()
        .filter_map(|k| jiceng_domain::WeaknessKind::from_code(k))
        .map(|k| k.char())
        .collect::<Vec<_>>()
        .join("、")
}

impl RectificationReport {
    pub fn to_sheets(&self) -> Vec<Sheet> {
        let rows = self
            .items
            .iter()
            .map(|c| {
                vec![
                    OutCell::Text(c.org.code.clone()),
                    OutCell::Text(c.org.name.clone()),
                    OutCell::Text(kinds_text(&c.kinds)),
                    OutCell::Text(c.stage_label.into()),
                    OutCell::Date(c.opened_on),
                    opt_date(c.deadline),
                    OutCell::Text(c.cadre.clone().unwrap_or_default()),
                    OutCell::Text(c.departments.join("、")),
                    OutCell::Int(c.measures as i64),
                    OutCell::Int(c.measures_done as i64),
                    OutCell::Int(c.measures_overdue as i64),
                    opt_date(c.accepted_on),
                    OutCell::Text(if c.stalled { "是" } else { "" }.into()),
                ]
            })
            .collect();
        let overdue = self
            .overdue
            .iter()
            .map(|m| {
                vec![
                    OutCell::Text(m.org.code.clone()),
                    OutCell::Text(m.org.name.clone()),
                    OutCell::Int(m.seq),
                    OutCell::Text(m.text.clone()),
                    OutCell::Text(m.owner.clone()),
                    OutCell::Date(m.deadline),
                    OutCell::Int(m.days_overdue),
                ]
            })
            .collect();
        vec![
            Sheet {
                name: "整顿台账".into(),
                title: format!(
                    "{} {}年度软弱涣散基层党组织整顿进展（截至{}；共{}个，已验收销号{}个）",
                    self.org.name, self.year, self.as_of, self.cases, self.closed
                ),
                headers: [
                    "组织代码",
                    "党组织",
                    "问题类型",
                    "整顿阶段",
                    "确定日期",
                    "整改时限",
                    "包联领导干部",
                    "帮扶部门",
                    "整改措施数",
                    "已完成",
                    "已逾期",
                    "验收销号日期",
                    "进展停滞",
                ]
                .map(String::from)
                .to_vec(),
                rows,
            },
            Sheet {
                name: "逾期措施".into(),
                title: format!(
                    "{} {}年度逾期未完成的整改措施（{}项）",
                    self.org.name,
                    self.year,
                    self.overdue.len()
                ),
                headers: [
                    "组织代码",
                    "党组织",
                    "序号",
                    "整改措施",
                    "责任人",
                    "完成时限",
                    "逾期天数",
                ]
                .map(String::from)
                .to_vec(),
                rows: overdue,
            },
        ]
    }
}
