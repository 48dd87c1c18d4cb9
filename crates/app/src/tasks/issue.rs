//! Issuing a task: the targets a filter picks in the issuer's subtree, the preview (how
//! many, who, the form as it will be sent, how many targets already carry their month's
//! ceiling), and the write — the task, its targets and the burden ledger in one
//! transaction. Passing a task down is issuing one with a parent.

use std::collections::{HashMap, HashSet};

use chrono::NaiveDate;
use jiceng_domain::task::{self, BurdenLevel, Field, FieldDraft, Questions};
use jiceng_domain::{Domain, OrgKind};
use jiceng_store::tasks::{self as store, BurdenRow, StoredTarget, StoredTask};
use serde::Serialize;
use serde_json::json;

use super::{burden, Task};
use crate::access::{Grant, InScope, IssueTasks};
use crate::audit::{self, AuditAction};
use crate::auth::time_text;
use crate::refusal::refused;
use crate::{App, AppError, OrgRecord, OrgRef, Result};

/// Which orgs of the issuer's subtree a task goes to.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct TargetFilter {
    /// The kinds (none: every kind but 党小组).
    pub kinds: Vec<OrgKind>,
    /// The domains (none: any).
    pub domains: Vec<Domain>,
    /// Only the subtree of this org (an org below the issuer: a township, a city).
    pub under: Option<i64>,
    /// Only this year's orgs confirmed 软弱涣散.
    pub weak_only: bool,
}

/// A task as written on the form.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Draft {
    pub title: String,
    pub content: String,
    pub deadline: Option<NaiveDate>,
    pub fields: Vec<FieldDraft>,
    pub filter: TargetFilter,
}

/// What sending would do.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Preview {
    /// The form as it will be sent: held figures recognised.
    pub fields: Vec<Field>,
    pub questions: Questions,
    /// The orgs it would reach.
    pub count: usize,
    /// The first of them, in tree order, with their parent's name.
    pub sample: Vec<(OrgRef, String)>,
    /// Targets that have already received their level's monthly ceiling (or more).
    pub at_ceiling: usize,
    /// Targets this task would put over the ceiling.
    pub would_exceed: usize,
    /// The targets by level: how many, and the ceiling.
    pub by_level: Vec<(BurdenLevel, usize, i64)>,
}

/// How many targets a preview names.
pub const SAMPLE: usize = 20;

/// A task issued.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Issued {
    pub id: i64,
    pub targets: usize,
}

/// The orgs of `org`'s subtree the filter picks (never `org` itself, nor a dissolved org),
/// in tree order, with the names of their parents.
async fn pick(
    app: &App,
    org: &InScope<OrgRecord>,
    f: &TargetFilter,
) -> Result<(Vec<OrgRecord>, HashMap<i64, String>)> {
    let mut conn = app.store.acquire().await?;
    let scope = match f.under {
        None => org.subtree(),
        Some(id) => {
            let under = jiceng_store::orgs::get(&mut conn, &org.subtree(), id)
                .await?
                .ok_or_else(|| AppError::NotFound("党组织".into()))?;
            jiceng_store::Scope::subtree(&under.path)
        }
    };
    let all = jiceng_store::orgs::list(&mut conn, &scope).await?;
    let weak: Option<HashSet<i64>> = if f.weak_only {
        let year = chrono::Datelike::year(&app.today());
        Some(
            jiceng_store::weak::confirmed_orgs(&mut conn, &scope, year)
                .await?
                .into_iter()
                .collect(),
        )
    } else {
        None
    };
    drop(conn);
    let names: HashMap<i64, String> = all.iter().map(|o| (o.org.id, o.org.name.clone())).collect();
    let picked: Vec<OrgRecord> = all
        .into_iter()
        .filter(|o| o.org.id != org.org.id && o.org.dissolved_on.is_none())
        .filter(|o| {
            if f.kinds.is_empty() {
                o.org.kind != OrgKind::Group
            } else {
                f.kinds.contains(&o.org.kind)
            }
        })
        .filter(|o| f.domains.is_empty() || o.org.domain.is_some_and(|d| f.domains.contains(&d)))
        .filter(|o| weak.as_ref().is_none_or(|w| w.contains(&o.org.id)))
        .collect();
    Ok((picked, names))
}

fn checked(app: &App, d: &Draft) -> Result<(NaiveDate, Vec<Field>)> {
    let deadline = d
        .deadline
        .ok_or_else(|| refused("deadline", "请填写完成时限"))?;
    let fields = task::check(&d.title, &d.content, app.today(), deadline, &d.fields)?;
    Ok((deadline, fields))
}

/// What sending `draft` from `org` would do. Refused like [`issue`] (the form's checks),
/// and when the filter picks nothing.
pub async fn preview(
    app: &App,
    _grant: &Grant<IssueTasks>,
    org: &InScope<OrgRecord>,
    draft: &Draft,
) -> Result<Preview> {
    let (_, fields) = checked(app, draft)?;
    let (targets, names) = pick(app, org, &draft.filter).await?;
    if targets.is_empty() {
        return Err(refused(
            "targets",
            "按所选条件没有找到下级党组织，请调整范围",
        ));
    }
    let ceilings = burden::ceilings(app).await?;
    let month = burden::month_key(app.today());
    let mut conn = app.store.acquire().await?;
    let items = store::items_of_month(&mut conn, &org.subtree(), &month).await?;
    drop(conn);
    let mut by_level: HashMap<BurdenLevel, usize> = HashMap::new();
    let (mut at_ceiling, mut would_exceed) = (0, 0);
    for t in &targets {
        let level = BurdenLevel::of(t.org.kind, t.org.domain);
        *by_level.entry(level).or_default() += 1;
        let ceiling = ceilings.ceiling(level);
        let had = items.get(&t.org.id).copied().unwrap_or(0);
        if had >= ceiling {
            at_ceiling += 1;
        }
        if had + 1 > ceiling {
            would_exceed += 1;
        }
    }
    let sample = targets
        .iter()
        .take(SAMPLE)
        .map(|o| {
            let parent = o
                .org
                .parent_id
                .and_then(|p| names.get(&p).cloned())
                .unwrap_or_default();
            (OrgRef::of(&o.org), parent)
        })
        .collect();
    Ok(Preview {
        questions: task::questions(&fields),
        fields,
        count: targets.len(),
        sample,
        at_ceiling,
        would_exceed,
        by_level: BurdenLevel::ALL
            .into_iter()
            .filter_map(|l| by_level.get(&l).map(|n| (l, *n, ceilings.ceiling(l))))
            .collect(),
    })
}

/// Issues `draft` from `org` to the orgs its filter picks: the task, a target row each and
/// a line each in the month's burden ledger, audited, in one transaction. `parent`: the
/// task `org` received and is passing down (分解下达) — the new task must be due by the
/// parent's deadline for `org`, and the parent's line records the new task.
pub async fn issue(
    app: &App,
    grant: &Grant<IssueTasks>,
    org: &InScope<OrgRecord>,
    draft: &Draft,
    parent: Option<i64>,
) -> Result<Issued> {
    let (deadline, fields) = checked(app, draft)?;
    if let Some(p) = parent {
        let mut conn = app.store.acquire().await?;
        let line = store::target(&mut conn, p, org.org.id)
            .await?
            .ok_or_else(|| AppError::NotFound("任务".into()))?;
        drop(conn);
        if line.passed_to.is_some() {
            return Err(refused("title", "本组织已分解下达过这项任务"));
        }
        if deadline > line.deadline {
            return Err(refused(
                "deadline",
                format!("分解下达的完成时限不能晚于上级要求的{}", line.deadline),
            ));
        }
    }
    let (targets, _) = pick(app, org, &draft.filter).await?;
    if targets.is_empty() {
        return Err(refused(
            "targets",
            "按所选条件没有找到下级党组织，请调整范围",
        ));
    }
    let actor = grant.actor();
    let today = app.today();
    let now = app.now();
    let id = app.store.reserve_ids("task", 1).await?;
    let q = task::questions(&fields);
    let form = serde_json::to_string(&fields)
        .map_err(|e| AppError::Input(format!("报送内容无法保存：{e}")))?;
    let t = StoredTask {
        id,
        org_id: org.org.id,
        org_path: org.path.clone(),
        org_name: org.org.name.clone(),
        parent_id: parent,
        title: draft.title.trim().to_string(),
        content: draft.content.trim().to_string(),
        form,
        issued_on: today,
        deadline,
        targets: targets.len() as i64,
        done: 0,
        issued_by: actor.username().to_string(),
        issued_at: time_text(now),
    };
    let month = burden::month_key(today);
    let lines: Vec<StoredTarget> = targets
        .iter()
        .map(|o| StoredTarget {
            task_id: id,
            org_id: o.org.id,
            org_path: o.path.clone(),
            deadline,
            done_on: None,
            progress: String::new(),
            answers: "{}".into(),
            evidence: String::new(),
            reported_at: None,
            reported_by: None,
            passed_to: None,
        })
        .collect();
    let ledger: Vec<BurdenRow> = targets
        .iter()
        .map(|o| BurdenRow {
            org_id: o.org.id,
            org_path: o.path.clone(),
            year_month: month.clone(),
            issuer_id: org.org.id,
            level: BurdenLevel::of(o.org.kind, o.org.domain).code().to_string(),
            items: 1,
            questions: q.asked,
            answered: q.answered,
            asked_held: q.asked_held,
        })
        .collect();
    let entry = audit::Entry::new(actor, AuditAction::TaskIssue, id.to_string())
        .org(Some(&**org))
        .after(json!({
            "title": t.title,
            "deadline": deadline.to_string(),
            "targets": targets.len(),
            "parent": parent,
            "questions": q.asked,
            "answered_by_system": q.answered,
        }));
    let (t_ref, lines_ref, ledger_ref, entry) = (&t, &lines, &ledger, &entry);
    let issuer = org.org.id;
    audit::with_retry(|| async move {
        let mut tx = app.store.begin().await?;
        store::insert(&mut tx, t_ref, lines_ref).await?;
        store::add_burden(&mut tx, ledger_ref).await?;
        if let Some(p) = parent {
            store::set_passed(&mut tx, p, issuer, id).await?;
        }
        entry.commit(tx, now).await
    })
    .await?;
    Ok(Issued {
        id,
        targets: targets.len(),
    })
}

/// The form of a task `org` received, written again as its own draft to pass down: the
/// same title, content and fields, due by `org`'s deadline. Not found unless `org` is one
/// of its targets.
pub async fn pass_down_draft(
    app: &App,
    org: &InScope<OrgRecord>,
    parent: i64,
) -> Result<(Task, Draft)> {
    let t = super::get(app, parent).await?;
    let mut conn = app.store.acquire().await?;
    let line = store::target(&mut conn, parent, org.org.id)
        .await?
        .ok_or_else(|| AppError::NotFound("任务".into()))?;
    drop(conn);
    let fields = t
        .fields
        .iter()
        .map(|f| {
            let (kind, held, ask_anyway) = match f.source {
                task::FieldSource::Asked(k) => (Some(k), None, false),
                task::FieldSource::Held(h) => (None, Some(h), false),
                task::FieldSource::AskedHeld(h) => (None, Some(h), true),
            };
            FieldDraft {
                label: f.label.clone(),
                kind,
                held,
                ask_anyway,
            }
        })
        .collect();
    let draft = Draft {
        title: t.title.clone(),
        content: t.content.clone(),
        deadline: Some(line.deadline),
        fields,
        filter: TargetFilter::default(),
    };
    Ok((t, draft))
}
