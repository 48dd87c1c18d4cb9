//! 督查 (SPEC C6): an inspection of an org recorded by the inspecting org — optionally
//! about a task that reached it — with the problems found, each owned and due; the
//! inspected org reports each problem fixed. Open problems surface among the inspected
//! org's reminders and the inspector's; an inspection counts in the burden ledger of the
//! inspected org (the month it was held, the inspecting org as issuer). Audited.

use std::collections::HashMap;

use chrono::NaiveDate;
use jiceng_domain::inspection::{self, InspectionDraft, InspectionError, Method, ProblemStatus};
use jiceng_domain::Period;
use jiceng_store::inspections::{self as store, StoredInspection, StoredProblem};
use jiceng_store::Scope;
use serde::Serialize;
use serde_json::json;

use crate::access::{Grant, InScope, RecordInspections, ReportTasks};
use crate::audit::{self, AuditAction};
use crate::auth::time_text;
use crate::refusal::Refused;
use crate::{App, AppError, OrgRecord, OrgRef, Result};

/// How many inspections and open problems a list shows.
pub const LIST_MAX: i64 = 200;

impl From<InspectionError> for AppError {
    fn from(e: InspectionError) -> AppError {
        AppError::MemberLife(Refused {
            field: e.field(),
            message: e.to_string(),
        })
    }
}

/// A problem as shown.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ProblemLine {
    pub inspection_id: i64,
    pub seq: i64,
    /// The inspected org's name.
    pub org_name: String,
    pub description: String,
    pub owner: String,
    pub deadline: NaiveDate,
    pub status: ProblemStatus,
    pub fixed_on: Option<NaiveDate>,
    pub fix_note: Option<String>,
}

/// An inspection as shown.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Inspection {
    pub id: i64,
    pub org_id: i64,
    pub org: OrgRef,
    pub by_org_name: String,
    /// The task it was about: id and title.
    pub task: Option<(i64, String)>,
    pub held_on: NaiveDate,
    pub inspectors: Vec<String>,
    pub methods: Vec<Method>,
    pub findings: String,
    pub recorded_by: String,
    pub problems: Vec<ProblemLine>,
}

impl Inspection {
    pub fn methods_text(&self) -> String {
        let labels: Vec<&str> = self.methods.iter().map(|m| m.label()).collect();
        labels.join("、")
    }
    pub fn open(&self) -> usize {
        self.problems
            .iter()
            .filter(|p| !p.status.is_fixed())
            .count()
    }
    pub fn overdue(&self) -> usize {
        self.problems
            .iter()
            .filter(|p| p.status.is_overdue())
            .count()
    }
}

/// The inspections of a subtree in a period and its open problems.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct InspectionList {
    pub org: OrgRef,
    pub org_id: i64,
    pub period: String,
    pub inspections: Vec<Inspection>,
    /// Problems not yet fixed in the subtree (any period), the earliest deadline first.
    pub open: Vec<ProblemLine>,
    pub today: NaiveDate,
}

fn line(p: &StoredProblem, org_name: &str, today: NaiveDate) -> ProblemLine {
    ProblemLine {
        inspection_id: p.record_id,
        seq: p.seq,
        org_name: org_name.to_string(),
        description: p.description.clone(),
        owner: p.owner.clone(),
        deadline: p.deadline,
        status: ProblemStatus::of(p.fixed_on, p.deadline, today),
        fixed_on: p.fixed_on,
        fix_note: p.fix_note.clone(),
    }
}

/// The inspections as shown: their orgs, problems and tasks read once for all of them.
async fn shown(app: &App, found: Vec<StoredInspection>) -> Result<Vec<Inspection>> {
    let today = app.today();
    let ids: Vec<i64> = found.iter().map(|i| i.id).collect();
    let org_ids: Vec<i64> = found.iter().map(|i| i.org_id).collect();
    let mut task_ids: Vec<i64> = found.iter().filter_map(|i| i.task_id).collect();
    task_ids.sort_unstable();
    task_ids.dedup();
    let mut conn = app.store.acquire().await?;
    let orgs: HashMap<i64, OrgRef> = jiceng_store::orgs::by_ids(&mut conn, &org_ids)
        .await?
        .iter()
        .map(|o| (o.org.id, OrgRef::of(&o.org)))
        .collect();
    let mut problems: HashMap<i64, Vec<StoredProblem>> = HashMap::new();
    for p in jiceng_store::problems::INSPECTION
        .of(&mut conn, &ids)
        .await?
    {
        problems.entry(p.record_id).or_default().push(p);
    }
    let mut tasks = HashMap::new();
    for t in task_ids {
        if let Some(x) = jiceng_store::tasks::get(&mut conn, t).await? {
            tasks.insert(t, x.title);
        }
    }
    drop(conn);
    Ok(found
        .into_iter()
        .map(|i| {
            let org = orgs.get(&i.org_id).cloned().unwrap_or(OrgRef {
                code: String::new(),
                name: String::new(),
            });
            let problems = problems
                .get(&i.id)
                .map(|ps| ps.iter().map(|p| line(p, &org.name, today)).collect())
                .unwrap_or_default();
            Inspection {
                id: i.id,
                org_id: i.org_id,
                by_org_name: i.by_org_name,
                task: i
                    .task_id
                    .and_then(|t| tasks.get(&t).map(|title| (t, title.clone()))),
                held_on: i.held_on,
                inspectors: i.inspectors.split('、').map(str::to_string).collect(),
                methods: i.methods.split(',').filter_map(Method::parse).collect(),
                findings: i.findings,
                recorded_by: i.recorded_by,
                problems,
                org,
            }
        })
        .collect())
}

/// Records an inspection of `org` (the inspecting org is the recorder's own, or `org`
/// for an account bound to none). `task`: a task that reached `org` (or that it issued).
pub async fn record(
    app: &App,
    grant: &Grant<RecordInspections>,
    org: &InScope<OrgRecord>,
    task: Option<i64>,
    d: &InspectionDraft,
) -> Result<i64> {
    let today = app.today();
    let c = inspection::check(d, today)?;
    let actor = grant.actor();
    let mut conn = app.store.acquire().await?;
    if let Some(t) = task {
        let reached = jiceng_store::tasks::target(&mut conn, t, org.org.id)
            .await?
            .is_some();
        let issued = jiceng_store::tasks::get(&mut conn, t)
            .await?
            .is_some_and(|x| x.org_id == org.org.id);
        if !reached && !issued {
            return Err(AppError::MemberLife(Refused {
                field: "task",
                message: format!("任务{t}没有下达到{}", org.org.name),
            }));
        }
    }
    let by = match actor.org_id() {
        Some(id) => jiceng_store::orgs::get(&mut conn, &Scope::All, id).await?,
        None => None,
    }
    .unwrap_or_else(|| (**org).clone());
    drop(conn);
    let id = app.store.reserve_ids("inspection", 1).await?;
    let now = app.now();
    let stored = StoredInspection {
        id,
        org_id: org.org.id,
        org_path: org.path.clone(),
        by_org_id: by.org.id,
        by_org_name: by.org.name.clone(),
        task_id: task,
        held_on: c.on,
        inspectors: c.inspectors.join("、"),
        methods: c
            .methods
            .iter()
            .map(|m| m.code())
            .collect::<Vec<_>>()
            .join(","),
        findings: c.findings.clone(),
        recorded_by: actor.username().to_string(),
        recorded_at: time_text(now),
    };
    let problems: Vec<StoredProblem> = c
        .problems
        .iter()
        .enumerate()
        .map(|(i, p)| StoredProblem {
            record_id: id,
            seq: i as i64 + 1,
            org_path: org.path.clone(),
            description: p.description.clone(),
            owner: p.owner.clone(),
            deadline: p.deadline,
            fixed_on: None,
            fix_note: None,
            fixed_by: None,
        })
        .collect();
    let ledger = [jiceng_store::tasks::BurdenRow {
        org_id: org.org.id,
        org_path: org.path.clone(),
        year_month: crate::tasks::burden::month_key(c.on),
        issuer_id: by.org.id,
        level: jiceng_domain::task::BurdenLevel::of(org.org.kind, org.org.domain)
            .code()
            .to_string(),
        items: 1,
        questions: 0,
        answered: 0,
        asked_held: 0,
    }];
    let entry = audit::Entry::new(actor, AuditAction::InspectionRecord, id.to_string())
        .org(Some(&**org))
        .after(json!({
            "on": c.on.to_string(),
            "inspectors": c.inspectors,
            "problems": c.problems.len(),
            "task": task,
        }));
    let (stored, problems, ledger, entry) = (&stored, &problems, &ledger, &entry);
    audit::with_retry(|| async move {
        let mut tx = app.store.begin().await?;
        store::insert(&mut tx, stored, problems).await?;
        jiceng_store::tasks::add_burden(&mut tx, ledger).await?;
        entry.commit(tx, now).await
    })
    .await?;
    Ok(id)
}

/// An inspection of an org in `org`'s subtree, or not found.
pub async fn get(app: &App, org: &InScope<OrgRecord>, id: i64) -> Result<Inspection> {
    let mut conn = app.store.acquire().await?;
    let i = store::get(&mut conn, &org.subtree(), id)
        .await?
        .ok_or_else(|| AppError::NotFound("督查记录".into()))?;
    drop(conn);
    Ok(shown(app, vec![i]).await?.remove(0))
}

/// The inspections of `org`'s subtree held in `period`, and its open problems.
pub async fn list(app: &App, org: &InScope<OrgRecord>, period: Period) -> Result<InspectionList> {
    let today = app.today();
    let mut conn = app.store.acquire().await?;
    let found = store::list(
        &mut conn,
        &org.subtree(),
        period.first_day(),
        period.last_day(),
        LIST_MAX,
    )
    .await?;
    let open =
        crate::problems::open_named(&mut conn, jiceng_store::problems::INSPECTION, org, LIST_MAX)
            .await?;
    drop(conn);
    let open = open.iter().map(|(p, name)| line(p, name, today)).collect();
    let inspections = shown(app, found).await?;
    Ok(InspectionList {
        org: org.org_ref(),
        org_id: org.org.id,
        period: period.to_string(),
        inspections,
        open,
        today,
    })
}

/// Records problem `seq` of inspection `id` (of an org in `org`'s subtree) fixed.
pub async fn fix(
    app: &App,
    grant: &Grant<ReportTasks>,
    org: &InScope<OrgRecord>,
    id: i64,
    seq: i64,
    fixed_on: Option<NaiveDate>,
    note: &str,
) -> Result<()> {
    let i = get(app, org, id).await?;
    let fixing = crate::problems::Fixing {
        table: jiceng_store::problems::INSPECTION,
        action: AuditAction::ProblemFix,
        record_id: id,
        seq,
        status: i.problems.iter().find(|p| p.seq == seq).map(|p| p.status),
        what: "督查发现的问题",
        since: i.held_on,
        since_label: "督查日期",
    };
    crate::problems::fix(app, grant, org, fixing, fixed_on, note).await
}

/// The open problems of `org` itself (`own`) or of its whole subtree: how many, how many
/// overdue, the earliest deadline.
pub async fn open_of(
    app: &App,
    org: &InScope<OrgRecord>,
    own: bool,
) -> Result<(i64, i64, Option<NaiveDate>)> {
    crate::problems::open_of(app, jiceng_store::problems::INSPECTION, org, own).await
}

impl InspectionList {
    /// The workbook: the inspections of the period, then every problem they found.
    pub fn to_sheets(&self) -> Vec<jiceng_io::Sheet> {
        use jiceng_io::{OutCell, Sheet};
        let text = |s: &str| OutCell::Text(s.to_string());
        let names = |h: &[&str]| h.iter().map(|s| s.to_string()).collect();
        let title = format!(
            "{}督查情况（{}，截至{}）",
            self.org.name, self.period, self.today
        );
        let rows = self
            .inspections
            .iter()
            .map(|i| {
                vec![
                    OutCell::Date(i.held_on),
                    text(&i.org.name),
                    text(&i.org.code),
                    text(&i.by_org_name),
                    text(&i.inspectors.join("、")),
                    text(&i.methods_text()),
                    text(i.task.as_ref().map_or("", |t| t.1.as_str())),
                    text(&i.findings),
                    OutCell::Int(i.problems.len() as i64),
                    OutCell::Int(i.open() as i64),
                ]
            })
            .collect();
        let problems = self
            .inspections
            .iter()
            .flat_map(|i| {
                i.problems.iter().map(move |p| {
                    vec![
                        OutCell::Date(i.held_on),
                        text(&i.org.name),
                        text(&p.description),
                        text(&p.owner),
                        OutCell::Date(p.deadline),
                        text(p.status.label()),
                        p.fixed_on.map_or(OutCell::Empty, OutCell::Date),
                        text(p.fix_note.as_deref().unwrap_or("")),
                    ]
                })
            })
            .collect();
        vec![
            Sheet {
                name: "督查记录".into(),
                title: title.clone(),
                headers: names(&[
                    "督查日期",
                    "被督查的党组织",
                    "组织代码",
                    "督查单位",
                    "督查人员",
                    "督查方式",
                    "督查的任务",
                    "督查情况",
                    "发现问题",
                    "待整改",
                ]),
                rows,
            },
            Sheet {
                name: "发现的问题".into(),
                title,
                headers: names(&[
                    "督查日期",
                    "党组织",
                    "问题",
                    "整改责任人",
                    "整改时限",
                    "状态",
                    "整改完成日期",
                    "整改情况",
                ]),
                rows: problems,
            },
        ]
    }
}
