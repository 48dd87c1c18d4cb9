//! A target's report of a task (progress, the answers to the asked fields, evidence, done
//! or not yet), and the issuer's urging: a reminder to every open target (站内提醒, once
//! a day), or a later deadline for all open targets or some.

use std::collections::BTreeMap;

use chrono::{DateTime, NaiveDate, Utc};
use jiceng_domain::task::{self, Answer, AnswerKind, TaskError, PROGRESS_MAX};
use jiceng_store::notices::{self as notices_store, StoredNotice};
use jiceng_store::tasks as store;
use serde::Serialize;
use serde_json::json;

use super::Task;
use crate::access::{Actor, Grant, InScope, IssueTasks, ReportTasks};
use crate::audit::{self, AuditAction};
use crate::auth::time_text;
use crate::refusal::refused;
use crate::{App, AppError, OrgRecord, Result};

/// A target's report as the form sends it.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Report {
    /// Reported done (else progress only).
    pub done: bool,
    pub progress: String,
    /// One per field of the form, by index (held fields' entries are ignored).
    pub answers: Vec<String>,
    pub evidence: String,
}

/// The stored answers of a line, by field index.
pub(crate) fn answers_of(json: &str) -> BTreeMap<usize, Answer> {
    serde_json::from_str(json).unwrap_or_default()
}

/// The part of the report form a fault is about.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Part {
    /// The answer to the n-th field (from 0) of the task's form.
    Answer(usize),
    Progress,
    Evidence,
}

/// One thing wrong with a report.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Fault {
    pub part: Part,
    pub message: String,
}

impl Fault {
    /// The refusal the report form shows for it, with its field.
    fn refusal(self) -> AppError {
        match self.part {
            Part::Answer(i) => TaskError::Answer(i, self.message).into(),
            Part::Progress => TaskError::Progress(self.message).into(),
            Part::Evidence => refused("evidence", self.message),
        }
    }
}

/// A report checked against the task's form: the answers by field, or every fault (each
/// answer, the progress, the evidence; a report of nothing once the rest is right). The
/// form shows the first; an import of many reports lists them all. A file field is
/// answered by the file already uploaded for it (`stored`, the line's answers), whatever
/// the report says: a file comes only by [`super::files::upload`].
pub(crate) fn check(
    t: &Task,
    r: &Report,
    stored: &BTreeMap<usize, Answer>,
) -> std::result::Result<Vec<Option<Answer>>, Vec<Fault>> {
    let mut faults = Vec::new();
    let mut answers = Vec::with_capacity(t.fields.len());
    for (i, f) in t.fields.iter().enumerate() {
        let uploaded;
        let raw = if f.source.asked() == Some(AnswerKind::File) {
            uploaded = stored.get(&i).map(Answer::text).unwrap_or_default();
            uploaded.as_str()
        } else {
            r.answers.get(i).map_or("", String::as_str)
        };
        match task::check_answer(i, f, raw, r.done) {
            Ok(a) => answers.push(a),
            Err(e) => {
                answers.push(None);
                faults.push(Fault {
                    part: Part::Answer(i),
                    message: e.to_string(),
                });
            }
        }
    }
    let progress = r.progress.trim();
    if progress.chars().count() > PROGRESS_MAX {
        faults.push(Fault {
            part: Part::Progress,
            message: format!("进展情况不超过{PROGRESS_MAX}个字"),
        });
    }
    if r.evidence.trim().chars().count() > PROGRESS_MAX {
        faults.push(Fault {
            part: Part::Evidence,
            message: format!("佐证材料说明不超过{PROGRESS_MAX}个字"),
        });
    }
    if faults.is_empty() && !r.done && progress.is_empty() && answers.iter().all(Option::is_none) {
        faults.push(Fault {
            part: Part::Progress,
            message: "请填写进展情况，或填写报送内容".into(),
        });
    }
    if faults.is_empty() {
        Ok(answers)
    } else {
        Err(faults)
    }
}

/// `line` with the report `r` (its `answers` checked) written on it, by `actor` at `now`:
/// done kept from the day first reported, unticking reopens. Returns the change to the
/// task's count of done targets and the audit entry of the report.
pub(crate) fn stamp<'a>(
    line: &mut store::StoredTarget,
    org: &'a OrgRecord,
    r: &Report,
    answers: Vec<Option<Answer>>,
    actor: &'a Actor,
    today: NaiveDate,
    now: DateTime<Utc>,
) -> Result<(i64, audit::Entry<'a>)> {
    let before = json!({
        "done_on": line.done_on.map(|d| d.to_string()),
        "progress": line.progress,
    });
    let was_done = line.done_on.is_some();
    line.done_on = match (r.done, line.done_on) {
        (true, Some(d)) => Some(d),
        (true, None) => Some(today),
        (false, _) => None,
    };
    line.progress = r.progress.trim().to_string();
    line.evidence = r.evidence.trim().to_string();
    let by_index: BTreeMap<usize, Answer> = answers
        .into_iter()
        .enumerate()
        .filter_map(|(i, a)| a.map(|a| (i, a)))
        .collect();
    line.answers = serde_json::to_string(&by_index)
        .map_err(|e| AppError::Input(format!("报送内容无法保存：{e}")))?;
    line.reported_at = Some(time_text(now));
    line.reported_by = Some(actor.username().to_string());
    let delta = match (was_done, line.done_on.is_some()) {
        (false, true) => 1,
        (true, false) => -1,
        _ => 0,
    };
    let entry = audit::Entry::new(actor, AuditAction::TaskReport, line.task_id.to_string())
        .org(Some(org))
        .before(before)
        .after(json!({
            "done_on": line.done_on.map(|d| d.to_string()),
            "progress": line.progress,
            "answers": by_index.len(),
        }));
    Ok((delta, entry))
}

/// Stores `org`'s report of task `task_id`. `org` must be one of the task's targets. A
/// report marked done needs every asked field answered; reported done again keeps the day
/// it was first done; unticking done reopens the line.
pub async fn report(
    app: &App,
    grant: &Grant<ReportTasks>,
    org: &InScope<OrgRecord>,
    task_id: i64,
    r: &Report,
) -> Result<()> {
    let t = super::get(app, task_id).await?;
    let mut conn = app.store.acquire().await?;
    let mut line = store::target(&mut conn, task_id, org.org.id)
        .await?
        .ok_or_else(|| AppError::NotFound("任务".into()))?;
    drop(conn);
    let answers = check(&t, r, &answers_of(&line.answers)).map_err(|faults| {
        faults
            .into_iter()
            .next()
            .map(Fault::refusal)
            .unwrap_or_else(|| AppError::Input("报告有误".into()))
    })?;
    let now = app.now();
    let (delta, entry) = stamp(&mut line, org, r, answers, grant.actor(), app.today(), now)?;
    let (line, entry) = (&line, &entry);
    audit::with_retry(|| async move {
        let mut tx = app.store.begin().await?;
        store::save_report(&mut tx, line, delta).await?;
        entry.commit(tx, now).await
    })
    .await
}

/// What an urging did.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Urged {
    /// Targets reminded, or whose deadline moved.
    pub done: usize,
    /// Open targets already reminded of this task today (not again).
    pub already: usize,
}

/// The task, checked to be `org`'s own.
async fn own(app: &App, org: &InScope<OrgRecord>, task_id: i64) -> Result<Task> {
    let t = super::get(app, task_id).await?;
    if t.org_id != org.org.id {
        return Err(AppError::NotFound("任务".into()));
    }
    Ok(t)
}

fn reminder_text(t: &Task, deadline: NaiveDate, today: NaiveDate) -> String {
    let when = if deadline < today {
        format!(
            "已于{}月{}日逾期",
            deadline.format("%-m"),
            deadline.format("%-d")
        )
    } else {
        format!(
            "请于{}月{}日前完成",
            deadline.format("%-m"),
            deadline.format("%-d")
        )
    };
    format!("{}提醒：任务“{}”{}并报告", t.org_name, t.title, when)
}

/// Reminds every open target of `org`'s task (a notice on its home page), at most once a
/// day per task and target. Audited.
pub async fn remind(
    app: &App,
    grant: &Grant<IssueTasks>,
    org: &InScope<OrgRecord>,
    task_id: i64,
) -> Result<Urged> {
    let t = own(app, org, task_id).await?;
    let today = app.today();
    let now = app.now();
    let mut conn = app.store.acquire().await?;
    let open: Vec<store::StoredTarget> = store::targets(&mut conn, task_id, &org.subtree())
        .await?
        .into_iter()
        .filter(|l| l.done_on.is_none())
        .collect();
    let sent_today = notices_store::since(&mut conn, &org.subtree(), today).await?;
    drop(conn);
    let mut out = Vec::new();
    let mut already = 0;
    for l in &open {
        let text = reminder_text(&t, l.deadline, today);
        let dup = sent_today
            .iter()
            .any(|n| n.org_id == l.org_id && n.from_org_id == org.org.id && n.text == text);
        if dup {
            already += 1;
            continue;
        }
        out.push(StoredNotice {
            id: 0,
            org_id: l.org_id,
            org_path: l.org_path.clone(),
            from_org_id: org.org.id,
            from_name: org.org.name.clone(),
            text,
            sent_on: today,
            sent_by: grant.actor().username().to_string(),
            sent_at: time_text(now),
        });
    }
    if out.is_empty() {
        return Ok(Urged { done: 0, already });
    }
    let first = app.store.reserve_ids("notice", out.len() as i64).await?;
    for (i, n) in out.iter_mut().enumerate() {
        n.id = first + i as i64;
    }
    let entry = audit::Entry::new(grant.actor(), AuditAction::TaskUrge, task_id.to_string())
        .org(Some(&**org))
        .after(json!({ "reminded": out.len() }));
    let (out_ref, entry) = (&out, &entry);
    audit::with_retry(|| async move {
        let mut tx = app.store.begin().await?;
        notices_store::insert(&mut tx, out_ref).await?;
        entry.commit(tx, now).await
    })
    .await?;
    Ok(Urged {
        done: out.len(),
        already,
    })
}

/// Moves the deadline of `org`'s task to `deadline` for its open targets — all of them, or
/// the orgs named (by id). The new deadline must be today or later. Audited.
pub async fn extend(
    app: &App,
    grant: &Grant<IssueTasks>,
    org: &InScope<OrgRecord>,
    task_id: i64,
    orgs: Option<&[i64]>,
    deadline: NaiveDate,
) -> Result<Urged> {
    let t = own(app, org, task_id).await?;
    let today = app.today();
    if deadline < today {
        return Err(refused(
            "deadline",
            format!("新的完成时限{deadline}早于今天（{today}）"),
        ));
    }
    if orgs.is_some_and(|o| o.is_empty()) {
        return Err(refused("targets", "请选择要延期的党组织"));
    }
    let mut conn = app.store.acquire().await?;
    let open = store::targets(&mut conn, task_id, &org.subtree())
        .await?
        .into_iter()
        .filter(|l| l.done_on.is_none() && orgs.is_none_or(|o| o.contains(&l.org_id)))
        .count();
    drop(conn);
    if open == 0 {
        return Err(refused("targets", "没有需要延期的未完成党组织"));
    }
    let now = app.now();
    let entry = audit::Entry::new(grant.actor(), AuditAction::TaskUrge, task_id.to_string())
        .org(Some(&**org))
        .before(json!({ "deadline": t.deadline.to_string() }))
        .after(json!({ "deadline": deadline.to_string(), "orgs": orgs }));
    let entry = &entry;
    let moved = audit::with_retry(|| async move {
        let mut tx = app.store.begin().await?;
        let n = store::extend(&mut tx, task_id, orgs, deadline).await?;
        entry.record(&mut tx, now).await?;
        tx.commit().await?;
        Ok(n)
    })
    .await?;
    Ok(Urged {
        done: moved as usize,
        already: 0,
    })
}
