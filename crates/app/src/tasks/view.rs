//! A task seen from an org: the issuer (or an org above it) sees every target, an org
//! below the issuer the targets of its own subtree. Completion by the org's direct
//! children (drill down by opening one), each target's line with its answers — a held
//! field answered by the system from the target's stored facts, said so — and the
//! workbook of all outcomes.

use std::collections::HashMap;

use chrono::NaiveDate;
use jiceng_domain::task::{AnswerKind, FieldSource, HeldFigure, TargetStatus};
use jiceng_domain::OrgKind;
use jiceng_store::task_rollup as rollup;
use jiceng_store::tasks::{self as store, StoredTarget};
use jiceng_store::Scope;
use serde::Serialize;

use super::report::answers_of;
use super::Task;
use crate::access::{Actor, InScope};
use crate::{App, AppError, OrgRecord, OrgRef, Result};

/// Above this many targets in view, the page shows the children's counts only (open a
/// child to see its lines); the export has them all.
pub const LINES_MAX: usize = 500;

/// Completion counts.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub struct Counts {
    pub targets: i64,
    pub done: i64,
    /// Of the done, those done after their deadline.
    pub done_late: i64,
    /// Not done and past the deadline.
    pub overdue: i64,
}

impl Counts {
    pub(crate) fn add(&mut self, s: TargetStatus) {
        self.targets += 1;
        match s {
            TargetStatus::Done => self.done += 1,
            TargetStatus::DoneLate => {
                self.done += 1;
                self.done_late += 1;
            }
            TargetStatus::Overdue => self.overdue += 1,
            TargetStatus::Open => {}
        }
    }

    /// Adds a row of the counts kept up the tree, judged on `today`.
    pub(crate) fn add_row(&mut self, r: &rollup::Rollup, today: NaiveDate) {
        self.targets += r.targets;
        self.done += r.done;
        self.done_late += r.done_late;
        if today > r.deadline {
            self.overdue += r.targets - r.done;
        }
    }

    pub(crate) fn of_rows(rows: &[rollup::Rollup], today: NaiveDate) -> Counts {
        let mut c = Counts::default();
        for r in rows {
            c.add_row(r, today);
        }
        c
    }

    pub fn open(&self) -> i64 {
        self.targets - self.done
    }

    pub fn percent(&self) -> i64 {
        if self.targets == 0 {
            0
        } else {
            self.done * 100 / self.targets
        }
    }
}

/// One direct child of the org the task is seen from, with its subtree's targets.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ChildLine {
    pub org_id: i64,
    pub name: String,
    pub counts: Counts,
}

/// One answer on a line.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Cell {
    pub text: String,
    /// Answered by the system from what it holds (never asked).
    pub by_system: bool,
    /// The id of the file uploaded for it (`text` is its name; `files::open` reads it).
    pub file: Option<i64>,
}

/// One target.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct TargetLine {
    pub org_id: i64,
    pub org: OrgRef,
    pub parent_name: String,
    pub status: TargetStatus,
    pub deadline: NaiveDate,
    pub done_on: Option<NaiveDate>,
    pub progress: String,
    pub evidence: String,
    /// One per field of the form.
    pub answers: Vec<Cell>,
    pub reported_by: Option<String>,
    pub passed_to: Option<i64>,
}

/// A task seen from an org.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct TaskView {
    pub task: Task,
    /// The org it is seen from.
    pub at_id: i64,
    pub at: OrgRef,
    /// `at` is the issuing org (it may remind and extend).
    pub at_issuer: bool,
    /// `at` is itself a target: its own line.
    pub own: Option<TargetLine>,
    pub counts: Counts,
    pub children: Vec<ChildLine>,
    /// The targets in view, in tree order (empty above [`LINES_MAX`]).
    pub lines: Vec<TargetLine>,
    pub lines_cut: bool,
    /// The task this one passes down, and the tasks passed down from it.
    pub parent: Option<Task>,
    pub passed: Vec<Task>,
    /// The day the held answers are read for (the stored facts' day).
    pub facts_on: Option<NaiveDate>,
    /// The day the statuses are judged on.
    pub today: NaiveDate,
}

/// The id of the org right below `at_path` on the way to `path` (`path` inside it).
fn child_of(at_path: &str, path: &str) -> Option<i64> {
    let rest = path.strip_prefix(at_path)?;
    let seg = rest.split('/').next().filter(|s| !s.is_empty())?;
    i64::from_str_radix(seg, 36).ok()
}

/// The held figures of the orgs of `lines`, as text (one read of each target's row, and of
/// its subtree for the counts of orgs below).
async fn held_values(
    app: &App,
    lines: &[StoredTarget],
    figures: &[HeldFigure],
) -> Result<(HashMap<(i64, HeldFigure), String>, Option<NaiveDate>)> {
    let mut out = HashMap::new();
    if figures.is_empty() || lines.is_empty() {
        return Ok((out, None));
    }
    let ids: Vec<i64> = lines.iter().map(|l| l.org_id).collect();
    let mut conn = app.store.acquire().await?;
    let orgs = jiceng_store::orgs::by_ids(&mut conn, &ids).await?;
    let needs_tree = figures
        .iter()
        .any(|f| matches!(f, HeldFigure::OrgsBelow | HeldFigure::Branches));
    let mut facts_on = None;
    for o in &orgs {
        let f = &o.facts;
        facts_on = facts_on.min(f.facts_on).or(f.facts_on);
        let (mut below, mut branches) = (0, i64::from(o.org.kind == OrgKind::Branch));
        if needs_tree && o.org.kind != OrgKind::Branch && o.org.kind != OrgKind::Group {
            let sub = jiceng_store::orgs::list(&mut conn, &Scope::subtree(&o.path)).await?;
            for s in sub
                .iter()
                .filter(|s| s.org.dissolved_on.is_none() && s.org.id != o.org.id)
            {
                below += 1;
                branches += i64::from(s.org.kind == OrgKind::Branch);
            }
        }
        for &fig in figures {
            let v = match fig {
                HeldFigure::Members => f.subtree_members.to_string(),
                HeldFigure::FullMembers => f.subtree_full.to_string(),
                HeldFigure::ProbationaryMembers => (f.subtree_members - f.subtree_full).to_string(),
                HeldFigure::OrgsBelow => below.to_string(),
                HeldFigure::Branches => branches.to_string(),
                HeldFigure::HasSecretary => if f.has_secretary { "是" } else { "否" }.to_string(),
                HeldFigure::UnitsCovered => f.units_covered.to_string(),
            };
            out.insert((o.org.id, fig), v);
        }
    }
    Ok((out, facts_on))
}

/// The lines of `targets`, their answers filled (held fields from `held`).
fn lines_of(
    task: &Task,
    targets: &[StoredTarget],
    orgs: &HashMap<i64, (OrgRef, String)>,
    held: &HashMap<(i64, HeldFigure), String>,
    today: NaiveDate,
) -> Vec<TargetLine> {
    targets
        .iter()
        .map(|l| {
            let given = answers_of(&l.answers);
            let answers = task
                .fields
                .iter()
                .enumerate()
                .map(|(i, f)| match f.source {
                    FieldSource::Held(h) => Cell {
                        text: held.get(&(l.org_id, h)).cloned().unwrap_or_default(),
                        by_system: true,
                        file: None,
                    },
                    _ => Cell {
                        text: given.get(&i).map(|a| a.text()).unwrap_or_default(),
                        by_system: false,
                        file: None,
                    },
                })
                .collect();
            let (org, parent_name) = orgs.get(&l.org_id).cloned().unwrap_or_else(|| {
                (
                    OrgRef {
                        code: String::new(),
                        name: format!("党组织{}", l.org_id),
                    },
                    String::new(),
                )
            });
            TargetLine {
                org_id: l.org_id,
                org,
                parent_name,
                status: TargetStatus::of(l.done_on, l.deadline, today),
                deadline: l.deadline,
                done_on: l.done_on,
                progress: l.progress.clone(),
                evidence: l.evidence.clone(),
                answers,
                reported_by: l.reported_by.clone(),
                passed_to: l.passed_to,
            }
        })
        .collect()
}

/// Task `task_id` seen from `at`: all its targets when `at` is the issuer or above it,
/// those of `at`'s subtree when `at` is below the issuer (not found when none are).
/// `all_lines`: every line whatever their number (the export).
pub async fn view(
    app: &App,
    actor: &Actor,
    task_id: i64,
    at: &InScope<OrgRecord>,
    all_lines: bool,
) -> Result<TaskView> {
    let task = super::get(app, task_id).await?;
    let today = app.today();
    let mut conn = app.store.acquire().await?;
    let issuer = jiceng_store::orgs::get(&mut conn, &Scope::All, task.org_id)
        .await?
        .ok_or_else(|| AppError::NotFound("任务".into()))?;
    let above = at.subtree().contains(&issuer.path);
    let below = Scope::subtree(&issuer.path).contains(&at.path);
    if !above && !below {
        return Err(AppError::NotFound("任务".into()));
    }
    let scope = if above {
        Scope::subtree(&issuer.path)
    } else {
        at.subtree()
    };
    // The counts come from the task's rows up the tree: the org it is seen from (the issuer
    // when seen from above it), then its children.
    if !rollup::has_rows(&mut conn, task_id, task.org_id).await? {
        drop(conn);
        let mut tx = app.store.begin().await?;
        rollup::rebuild(&mut tx, task_id).await?;
        tx.commit().await?;
        conn = app.store.acquire().await?;
    }
    let counted = if above { issuer.org.id } else { at.org.id };
    let mine = rollup::at(&mut conn, task_id, &[counted]).await?;
    if mine.is_empty() && !above {
        return Err(AppError::NotFound("任务".into()));
    }
    let counts = Counts::of_rows(&mine, today);
    // The lines themselves (their answers and progress) only when they are shown.
    let show = all_lines || counts.targets <= LINES_MAX as i64;
    let shown: Vec<StoredTarget> = if show {
        store::targets(&mut conn, task_id, &scope).await?
    } else {
        store::target(&mut conn, task_id, at.org.id)
            .await?
            .into_iter()
            .collect()
    };
    let children = jiceng_store::orgs::children(&mut conn, &at.subtree(), at.org.id).await?;
    let mut by_child: HashMap<i64, Counts> = HashMap::new();
    if counted == at.org.id {
        let ids: Vec<i64> = children.iter().map(|c| c.org.id).collect();
        for r in rollup::at(&mut conn, task_id, &ids).await? {
            by_child.entry(r.org_id).or_default().add_row(&r, today);
        }
    } else if let Some(c) = child_of(&at.path, &issuer.path) {
        // Seen from above the issuer: all of it lies below one child.
        by_child.insert(c, counts);
    }
    let parent = match task.parent_id {
        Some(p) => store::get(&mut conn, p).await?.map(Task::of).transpose()?,
        None => None,
    };
    let passed = store::children(&mut conn, task_id)
        .await?
        .into_iter()
        .filter(|t| actor.scope.contains(&t.org_path))
        .map(Task::of)
        .collect::<Result<Vec<_>>>()?;
    drop(conn);

    let children: Vec<ChildLine> = children
        .into_iter()
        .filter_map(|c| {
            by_child.get(&c.org.id).map(|n| ChildLine {
                org_id: c.org.id,
                name: c.org.name.clone(),
                counts: *n,
            })
        })
        .collect();

    let figures: Vec<HeldFigure> = task
        .fields
        .iter()
        .filter_map(|f| match f.source {
            FieldSource::Held(h) => Some(h),
            _ => None,
        })
        .collect();
    let (held, facts_on) = held_values(app, &shown, &figures).await?;
    let mut conn = app.store.acquire().await?;
    let ids: Vec<i64> = shown.iter().map(|l| l.org_id).collect();
    let rows = jiceng_store::orgs::by_ids(&mut conn, &ids).await?;
    let parent_ids: Vec<i64> = rows.iter().filter_map(|o| o.org.parent_id).collect();
    let parents: HashMap<i64, String> = jiceng_store::orgs::by_ids(&mut conn, &parent_ids)
        .await?
        .into_iter()
        .map(|o| (o.org.id, o.org.name))
        .collect();
    drop(conn);
    let names: HashMap<i64, (OrgRef, String)> = rows
        .iter()
        .map(|o| {
            let p = o
                .org
                .parent_id
                .and_then(|p| parents.get(&p).cloned())
                .unwrap_or_default();
            (o.org.id, (OrgRef::of(&o.org), p))
        })
        .collect();
    let mut lines = lines_of(&task, &shown, &names, &held, today);
    let asks_files = task
        .fields
        .iter()
        .any(|f| f.source.asked() == Some(AnswerKind::File));
    if asks_files && !lines.is_empty() {
        let mut conn = app.store.acquire().await?;
        let files = jiceng_store::record_files::of_record(
            &mut conn,
            jiceng_store::record_files::TASK,
            task_id,
            &scope,
        )
        .await?;
        drop(conn);
        let by_line: HashMap<(i64, i64), i64> =
            files.iter().map(|f| ((f.org_id, f.field), f.id)).collect();
        for l in &mut lines {
            for (i, c) in l.answers.iter_mut().enumerate() {
                c.file = by_line.get(&(l.org_id, i as i64)).copied();
            }
        }
    }
    let own = lines.iter().find(|l| l.org_id == at.org.id).cloned();
    if !show {
        lines.clear();
    }
    Ok(TaskView {
        at_id: at.org.id,
        at: at.org_ref(),
        at_issuer: at.org.id == task.org_id,
        own,
        counts,
        children,
        lines,
        lines_cut: !show,
        parent,
        passed,
        facts_on,
        today,
        task,
    })
}

impl TaskView {
    /// The workbook of all outcomes: one row per target, a column per field (the system's
    /// answers marked), then the children's counts.
    pub fn to_sheets(&self) -> Vec<jiceng_io::Sheet> {
        use jiceng_io::{OutCell, Sheet};
        let text = |s: &str| OutCell::Text(s.to_string());
        let mut headers: Vec<String> = [
            "党组织",
            "组织代码",
            "上级党组织",
            "状态",
            "完成时限",
            "完成日期",
            "进展情况",
        ]
        .iter()
        .map(|s| s.to_string())
        .collect();
        for f in &self.task.fields {
            headers.push(match f.source {
                FieldSource::Held(_) => format!("{}（系统填写）", f.label),
                _ => f.label.clone(),
            });
        }
        headers.push("佐证材料".into());
        headers.push("报告人".into());
        let rows = self
            .lines
            .iter()
            .map(|l| {
                let mut r = vec![
                    text(&l.org.name),
                    text(&l.org.code),
                    text(&l.parent_name),
                    text(l.status.label()),
                    OutCell::Date(l.deadline),
                    l.done_on.map_or(OutCell::Empty, OutCell::Date),
                    text(&l.progress),
                ];
                r.extend(l.answers.iter().map(|a| text(&a.text)));
                r.push(text(&l.evidence));
                r.push(text(l.reported_by.as_deref().unwrap_or("")));
                r
            })
            .collect();
        let title = format!(
            "{}（{}下达，{}完成）· {} · 截至{}",
            self.task.title, self.task.org_name, self.task.deadline, self.at.name, self.today
        );
        let count_row = |name: &str, c: &Counts| {
            vec![
                text(name),
                OutCell::Int(c.targets),
                OutCell::Int(c.done),
                OutCell::Int(c.done_late),
                OutCell::Int(c.overdue),
                OutCell::Int(c.open() - c.overdue),
            ]
        };
        let mut by_child: Vec<Vec<OutCell>> = self
            .children
            .iter()
            .map(|c| count_row(&c.name, &c.counts))
            .collect();
        by_child.push(count_row("合计", &self.counts));
        vec![
            Sheet {
                name: "完成情况".into(),
                title: title.clone(),
                headers,
                rows,
            },
            Sheet {
                name: "按下级汇总".into(),
                title,
                headers: [
                    "党组织",
                    "任务对象",
                    "已完成",
                    "其中逾期完成",
                    "逾期未完成",
                    "办理中",
                ]
                .iter()
                .map(|s| s.to_string())
                .collect(),
                rows: by_child,
            },
        ]
    }
}

#[cfg(test)]
mod tests {
    use super::child_of;

    #[test]
    fn the_child_on_the_way_is_read_from_the_path() {
        assert_eq!(
            child_of("/1/", "/1/2s/9ix/"),
            Some(i64::from_str_radix("2s", 36).unwrap())
        );
        assert_eq!(child_of("/1/2s/", "/1/2s/"), None);
        assert_eq!(child_of("/1/2s/", "/1/3/"), None);
    }
}
