//! `jiceng report tasks`: the tasks issued in a period by an org and the orgs below it,
//! each with its completion (targets, done, done late, overdue) and the orgs overdue, and
//! the workbook of it. The burden ledger's report is `burden::ledger`.

use jiceng_domain::task::TargetStatus;
use jiceng_domain::Period;
use jiceng_store::tasks as store;
use serde::Serialize;

use super::view::Counts;
use super::Task;
use crate::access::InScope;
use crate::{App, OrgRecord, OrgRef, Result};

/// How many tasks the report reads (the newest first).
pub const REPORT_MAX: i64 = 1_000;

/// One task of the report.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct TaskLine {
    pub task: Task,
    pub counts: Counts,
    /// The targets past their deadline and not done.
    pub overdue: Vec<OrgRef>,
}

/// The tasks of a subtree issued in a period.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct TasksReport {
    pub org: OrgRef,
    pub period: String,
    pub today: chrono::NaiveDate,
    pub tasks: Vec<TaskLine>,
    pub totals: Counts,
}

/// The tasks `org` and the orgs below it issued in `period`, judged today.
pub async fn report(app: &App, org: &InScope<OrgRecord>, period: Period) -> Result<TasksReport> {
    let today = app.today();
    let mut conn = app.store.acquire().await?;
    let mut issued = store::issued_by(&mut conn, org.org.id, REPORT_MAX).await?;
    issued.extend(store::issued_below(&mut conn, &org.subtree(), org.org.id, REPORT_MAX).await?);
    issued.retain(|t| period.contains(t.issued_on));
    issued.sort_by(|a, b| b.issued_on.cmp(&a.issued_on).then(b.id.cmp(&a.id)));
    let mut tasks = Vec::new();
    let mut totals = Counts::default();
    for t in issued {
        let targets =
            store::targets(&mut conn, t.id, &jiceng_store::Scope::subtree(&t.org_path)).await?;
        let mut counts = Counts::default();
        let mut late_ids = Vec::new();
        for l in &targets {
            let s = TargetStatus::of(l.done_on, l.deadline, today);
            counts.add(s);
            totals.add(s);
            if s == TargetStatus::Overdue {
                late_ids.push(l.org_id);
            }
        }
        let overdue = jiceng_store::orgs::by_ids(&mut conn, &late_ids)
            .await?
            .iter()
            .map(|o| OrgRef::of(&o.org))
            .collect();
        tasks.push(TaskLine {
            task: Task::of(t)?,
            counts,
            overdue,
        });
    }
    Ok(TasksReport {
        org: org.org_ref(),
        period: period.to_string(),
        today,
        tasks,
        totals,
    })
}

impl TasksReport {
    /// The workbook: one row per task, then one per overdue target.
    pub fn to_sheets(&self) -> Vec<jiceng_io::Sheet> {
        use jiceng_io::{OutCell, Sheet};
        let text = |s: &str| OutCell::Text(s.to_string());
        let title = format!(
            "{}任务完成情况（{}，截至{}）",
            self.org.name, self.period, self.today
        );
        let rows = self
            .tasks
            .iter()
            .map(|l| {
                vec![
                    text(&l.task.title),
                    text(&l.task.org_name),
                    OutCell::Date(l.task.issued_on),
                    OutCell::Date(l.task.deadline),
                    OutCell::Int(l.counts.targets),
                    OutCell::Int(l.counts.done),
                    OutCell::Int(l.counts.done_late),
                    OutCell::Int(l.counts.overdue),
                ]
            })
            .collect();
        let late = self
            .tasks
            .iter()
            .flat_map(|l| {
                l.overdue.iter().map(move |o| {
                    vec![
                        text(&l.task.title),
                        text(&l.task.org_name),
                        text(&o.name),
                        text(&o.code),
                        OutCell::Date(l.task.deadline),
                    ]
                })
            })
            .collect();
        let names = |h: &[&str]| h.iter().map(|s| s.to_string()).collect();
        vec![
            Sheet {
                name: "任务".into(),
                title: title.clone(),
                headers: names(&[
                    "任务",
                    "下达单位",
                    "下达日期",
                    "完成时限",
                    "任务对象",
                    "已完成",
                    "其中逾期完成",
                    "逾期未完成",
                ]),
                rows,
            },
            Sheet {
                name: "逾期未完成".into(),
                title,
                headers: names(&["任务", "下达单位", "党组织", "组织代码", "完成时限"]),
                rows: late,
            },
        ]
    }
}

impl super::burden::Ledger {
    /// The workbook: by level, by issuer, the most burdened orgs.
    pub fn to_sheets(&self) -> Vec<jiceng_io::Sheet> {
        use jiceng_io::{OutCell, Sheet};
        let text = |s: &str| OutCell::Text(s.to_string());
        let int = OutCell::Int;
        let names = |h: &[&str]| h.iter().map(|s| s.to_string()).collect();
        let title = format!("{}减负台账（{}）", self.org.name, self.month);
        vec![
            Sheet {
                name: "按层级".into(),
                title: title.clone(),
                headers: names(&[
                    "层级",
                    "每月上限",
                    "收到任务的组织",
                    "达到上限",
                    "超过上限",
                    "任务项次",
                    "填报项次",
                    "系统代答",
                    "仍要求填报已掌握数据",
                ]),
                rows: self
                    .levels
                    .iter()
                    .map(|l| {
                        vec![
                            text(l.level.label()),
                            int(l.ceiling),
                            int(l.orgs),
                            int(l.at),
                            int(l.over),
                            int(l.sums.items),
                            int(l.sums.questions),
                            int(l.sums.answered),
                            int(l.sums.asked_held),
                        ]
                    })
                    .collect(),
            },
            Sheet {
                name: "按下达单位".into(),
                title: title.clone(),
                headers: names(&[
                    "下达单位",
                    "下达到的组织",
                    "任务项次",
                    "填报项次",
                    "系统代答",
                    "仍要求填报已掌握数据",
                ]),
                rows: self
                    .issuers
                    .iter()
                    .map(|i| {
                        vec![
                            text(&i.name),
                            int(i.orgs),
                            int(i.sums.items),
                            int(i.sums.questions),
                            int(i.sums.answered),
                            int(i.sums.asked_held),
                        ]
                    })
                    .collect(),
            },
            Sheet {
                name: "负担最重的党组织".into(),
                title,
                headers: names(&[
                    "党组织",
                    "组织代码",
                    "上级党组织",
                    "层级",
                    "收到任务",
                    "每月上限",
                    "超过上限",
                    "下达单位数",
                ]),
                rows: self
                    .heaviest
                    .iter()
                    .map(|o| {
                        vec![
                            text(&o.org.name),
                            text(&o.org.code),
                            text(&o.parent_name),
                            text(o.level.label()),
                            int(o.sums.items),
                            int(o.ceiling),
                            text(if o.load == jiceng_domain::task::Load::Over {
                                "是"
                            } else {
                                ""
                            }),
                            int(o.issuers),
                        ]
                    })
                    .collect(),
            },
        ]
    }
}
