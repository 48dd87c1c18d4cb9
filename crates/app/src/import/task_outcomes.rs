//! `import task-outcomes`: a task's outcomes (任务部署) from the workbook its targets filled
//! in — the issuing org imports on behalf of its targets. One row per target org (its code
//! or name), a column per item asked of the grassroots (never a figure the system holds:
//! it answers those itself), 进展情况, 佐证材料, 是否完成. [`template`] writes the workbook
//! to fill, the targets listed with what they have reported so far.
//!
//! Every row is checked as the report form checks a report (`tasks::report::check`: a
//! number with two decimals at most, 是/否, every asked item answered when done) and the
//! org besides: known in the issuer's subtree, a target of the task, named once. A row
//! with nothing filled in is skipped (未填写); one equal to the stored report is unchanged.
//! Nothing is written unless every row is valid; then each row is written as that org's
//! report — the same store write and audit entry as the form — in one transaction.

use std::collections::HashMap;
use std::path::Path;

use jiceng_domain::task::{Answer, AnswerKind, FieldSource, PROGRESS_MAX, TEXT_ANSWER_MAX};
use jiceng_io::OutCell;
use jiceng_store::orgs::StoredOrg;
use jiceng_store::tasks::{self as store, StoredTarget};
use jiceng_store::Scope;

use super::template::{workbook_of, TemplateColumn};
use super::{
    columns, read_table_with, ErrorList, ImportOptions, ImportReport, OrgLookup, Progress, RowCheck,
};
use crate::access::{Grant, InScope, IssueTasks};
use crate::tasks::report::{answers_of, check, stamp, Part};
use crate::tasks::{Report, Task};
use crate::{App, AppError, OrgRecord, Result};

columns! {
    CODE = optional("党组织代码", ["组织代码", "代码"]),
    NAME = optional("党组织名称", ["党组织", "组织名称", "单位名称"]),
    PROGRESS = optional("进展情况", ["进展", "工作进展"]),
    EVIDENCE = optional("佐证材料", ["佐证材料说明", "佐证"]),
    DONE = optional("是否完成", ["已完成", "是否已完成"]),
}

/// The fields of `t` asked of the grassroots, by index: one column each, after
/// [`COLUMNS`]. A file is not typed in a cell: it is uploaded on the task's page.
fn asked(t: &Task) -> Vec<usize> {
    t.fields
        .iter()
        .enumerate()
        .filter(|(_, f)| f.source.asked().is_some_and(|k| k != AnswerKind::File))
        .map(|(i, _)| i)
        .collect()
}

/// The workbook to fill for task `task_id`, issued by `org`: one row per target of the
/// task with its code, name and what it has reported so far; a drop-down of 是/否 on
/// 是否完成 and on the yes/no items; the 填写说明 sheet. Returns the file's name too.
pub async fn template(
    app: &App,
    _grant: &Grant<IssueTasks>,
    org: &InScope<OrgRecord>,
    task_id: i64,
) -> Result<(String, Vec<u8>)> {
    let t = own(app, org, task_id).await?;
    let mut conn = app.store.acquire().await?;
    let lines = store::targets(&mut conn, task_id, &org.subtree()).await?;
    let ids: Vec<i64> = lines.iter().map(|l| l.org_id).collect();
    let orgs: HashMap<i64, StoredOrg> = jiceng_store::orgs::by_ids(&mut conn, &ids)
        .await?
        .into_iter()
        .map(|o| (o.org.id, o))
        .collect();
    drop(conn);
    let asked = asked(&t);
    let yes_no = || Some(vec!["是".to_string(), "否".to_string()]);
    let column = |name: &str, hint: &str| TemplateColumn {
        name: name.into(),
        required: false,
        aliases: String::new(),
        hint: hint.into(),
        choices: None,
    };
    let fixed = |i: usize, hint: &str| TemplateColumn {
        aliases: COLUMNS[i].aliases.join("、"),
        ..column(COLUMNS[i].name, hint)
    };
    let key_hint = "已列出本任务的全部任务对象，请勿修改（代码、名称填写其一即可）";
    // In the order of the report form: who, the items, then progress, evidence and done.
    let mut columns = vec![fixed(CODE, key_hint), fixed(NAME, key_hint)];
    for &i in &asked {
        let f = &t.fields[i];
        let mut c = column(&f.label, "");
        match f.source.asked() {
            Some(AnswerKind::YesNo) => c.choices = yes_no(),
            Some(AnswerKind::Number) => c.hint = "数字，最多两位小数".into(),
            _ => c.hint = format!("文字，{TEXT_ANSWER_MAX}字以内"),
        }
        if let FieldSource::AskedHeld(h) = f.source {
            c.hint = format!(
                "{}（系统已掌握“{}”，下达单位仍要求填报）",
                c.hint,
                h.label()
            );
        }
        columns.push(c);
    }
    columns.push(fixed(
        PROGRESS,
        &format!("文字，{PROGRESS_MAX}字以内；未完成的，填写进展情况或已有的报送内容"),
    ));
    columns.push(fixed(
        EVIDENCE,
        &format!("佐证材料的说明（名称、存放位置等），{PROGRESS_MAX}字以内"),
    ));
    let mut done_column = fixed(DONE, "");
    done_column.choices = yes_no();
    columns.push(done_column);
    let text = |s: &str| {
        if s.is_empty() {
            OutCell::Empty
        } else {
            OutCell::Text(s.to_string())
        }
    };
    let rows: Vec<Vec<OutCell>> = lines
        .iter()
        .map(|l| {
            let (code, name) = orgs
                .get(&l.org_id)
                .map_or(("", ""), |o| (o.org.code.as_str(), o.org.name.as_str()));
            let given = answers_of(&l.answers);
            let done = match (l.done_on, &l.reported_at) {
                (Some(_), _) => "是",
                (None, Some(_)) => "否",
                (None, None) => "",
            };
            let mut row = vec![text(code), text(name)];
            row.extend(asked.iter().map(|i| match given.get(i) {
                Some(Answer::Number(n)) => {
                    n.parse::<f64>().map_or_else(|_| text(n), OutCell::Float)
                }
                Some(a) => text(&a.text()),
                None => OutCell::Empty,
            }));
            row.extend([text(&l.progress), text(&l.evidence), text(done)]);
            row
        })
        .collect();
    let bytes = workbook_of(&format!("{}完成情况", t.title), &columns, rows)?;
    Ok((format!("{}-完成情况导入模板.xlsx", t.title), bytes))
}

/// The task, checked to be `org`'s own (another's reads as not found).
async fn own(app: &App, org: &StoredOrg, task_id: i64) -> Result<Task> {
    let t = crate::tasks::get(app, task_id).await?;
    if t.org_id != org.org.id {
        return Err(AppError::NotFound("任务".into()));
    }
    Ok(t)
}

/// One valid row: the target's line as stored, the report the row makes, its answers.
struct Parsed {
    line: StoredTarget,
    report: Report,
    answers: Vec<Option<Answer>>,
}

/// Imports the outcomes of task `task_id` from `file`. The import's org (`opts.org`, else
/// the actor's own) must be the task's issuer; an actor over the whole tree without one
/// (the command line) imports for the task's issuer.
pub async fn run(
    app: &App,
    file: &Path,
    task_id: i64,
    opts: &ImportOptions,
    progress: &dyn Progress,
) -> Result<ImportReport> {
    let grant = opts.actor.grant::<IssueTasks>()?;
    let super::Start {
        scope_org, orgs, ..
    } = super::start(app, opts).await?;
    let t = crate::tasks::get(app, task_id).await?;
    let issuer = match scope_org {
        Some(o) => o,
        None => orgs
            .iter()
            .find(|o| o.org.id == t.org_id)
            .cloned()
            .ok_or_else(|| AppError::NotFound("任务".into()))?,
    };
    let t = own(app, &issuer, task_id).await?;
    let subtree = Scope::subtree(&issuer.path);
    let inside: Vec<StoredOrg> = orgs
        .into_iter()
        .filter(|o| subtree.contains(&o.path))
        .collect();
    let lookup = OrgLookup::of(&inside);
    let mut conn = app.store.acquire().await?;
    let targets: HashMap<i64, StoredTarget> = store::targets(&mut conn, task_id, &subtree)
        .await?
        .into_iter()
        .map(|l| (l.org_id, l))
        .collect();
    drop(conn);

    let asked = asked(&t);
    let labels: Vec<String> = asked.iter().map(|&i| t.fields[i].label.clone()).collect();
    let mut table = read_table_with(app, file, &COLUMNS, &labels)?;
    let mut report = super::new_report(file, &table, opts);
    let column_of = |part: Part| match part {
        Part::Answer(i) => asked
            .iter()
            .position(|&a| a == i)
            // A file field has no column (a file is uploaded on the task's page): its
            // refusal is about the line reported done.
            .map_or(DONE, |k| COLUMNS.len() + k),
        Part::Progress => PROGRESS,
        Part::Evidence => EVIDENCE,
    };
    progress.start("检查", table.rows.len() as u64);
    let mut errors = ErrorList::default();
    let mut parsed: Vec<Parsed> = Vec::new();
    let mut seen: HashMap<i64, usize> = HashMap::new();
    for row in &table.rows {
        progress.inc(1);
        let mut c = RowCheck::new(row, &table.titles);
        let done = c.yes_no(DONE);
        let mut answers = vec![String::new(); t.fields.len()];
        for (k, &i) in asked.iter().enumerate() {
            answers[i] = c.text(COLUMNS.len() + k).unwrap_or_default();
        }
        let r = Report {
            done: done.unwrap_or(false),
            progress: c.text(PROGRESS).unwrap_or_default(),
            answers,
            evidence: c.text(EVIDENCE).unwrap_or_default(),
        };
        let nothing = !r.done
            && c.errors.is_empty()
            && r.progress.trim().is_empty()
            && r.evidence.trim().is_empty()
            && r.answers.iter().all(|a| a.trim().is_empty());
        if nothing {
            report.blank += 1;
            continue;
        }
        let code = c.text(CODE).map(|s| s.trim().to_string());
        let name = c.text(NAME).map(|s| s.trim().to_string());
        let (key_col, key) = match (&code, &name) {
            (Some(k), _) => (CODE, Some(k.as_str())),
            (None, Some(n)) => (NAME, Some(n.as_str())),
            (None, None) => (CODE, None),
        };
        let org = match key.map(|k| lookup.find(k, "")) {
            None => {
                c.error(CODE, "请填写党组织代码或党组织名称");
                None
            }
            Some(Err(m)) => {
                c.error(key_col, m);
                None
            }
            Some(Ok(o)) => Some(o),
        };
        let line = org.and_then(|o| {
            if let (Some(code), Some(name)) = (&code, &name) {
                if o.org.code == *code && o.org.name != *name {
                    c.error(
                        NAME,
                        format!("组织代码“{code}”是“{}”，与所填名称“{name}”不符", o.org.name),
                    );
                }
            }
            let Some(line) = targets.get(&o.org.id) else {
                c.error(key_col, format!("“{}”不是本任务的任务对象", o.org.name));
                return None;
            };
            if let Some(first) = seen.get(&o.org.id) {
                c.error(
                    key_col,
                    format!("“{}”已在第{first}行填写，每个党组织只填一行", o.org.name),
                );
                return None;
            }
            seen.insert(o.org.id, row.number);
            Some(line)
        });
        let stored = line.map(|l| answers_of(&l.answers)).unwrap_or_default();
        match check(&t, &r, &stored) {
            Ok(answers) => {
                if let (Some(line), true) = (line, c.errors.is_empty()) {
                    parsed.push(Parsed {
                        line: line.clone(),
                        report: r,
                        answers,
                    });
                }
            }
            Err(faults) => {
                for f in faults {
                    c.error(column_of(f.part), f.message);
                }
            }
        }
        errors.extend(c.errors);
    }
    progress.finish();
    table.rows = Vec::new();
    errors.finish(&mut report);
    if report.ends_with_check(opts) {
        return Ok(report);
    }

    // Each row as the form would store it; a row equal to the stored report is unchanged.
    let (today, now) = (app.today(), app.now());
    let mut writes = Vec::with_capacity(parsed.len());
    for p in parsed {
        let org = lookup
            .by_id
            .get(&p.line.org_id)
            .copied()
            .ok_or_else(|| AppError::NotFound("党组织".into()))?;
        let mut line = p.line.clone();
        let (delta, entry) = stamp(
            &mut line,
            org,
            &p.report,
            p.answers,
            grant.actor(),
            today,
            now,
        )?;
        let same = line.done_on == p.line.done_on
            && line.progress == p.line.progress
            && line.evidence == p.line.evidence
            && line.answers == p.line.answers
            && p.line.reported_at.is_some();
        if same {
            report.unchanged += 1;
        } else {
            writes.push((line, delta, entry));
        }
    }
    let written = writes.len();
    if written == 0 {
        return Ok(report);
    }
    let (writes_ref, report_ref, issuer_ref) = (&writes, &report, &issuer);
    crate::audit::with_retry(|| async move {
        let mut tx = app.store.begin().await?;
        for (line, delta, entry) in writes_ref {
            store::save_report(&mut tx, line, *delta).await?;
            entry.record(&mut tx, now).await?;
        }
        super::record_import(
            &mut tx,
            app,
            opts,
            "task-outcomes",
            report_ref,
            written,
            Some(issuer_ref),
        )
        .await?;
        tx.commit().await?;
        Ok(())
    })
    .await?;
    report.written = written;
    Ok(report)
}
