//! A file as a task's outcome (SPEC C6: "the outcome required … a file"): a target uploads
//! one file for each file field of the task's form — a photo, a PDF, a Word or Excel
//! document, taken by its bytes, at most [`FILE_MAX`] — replacing its earlier file for the
//! field; the line's answer is the file's name, so reporting the task done needs it as it
//! needs the other answers. Read by the target and the orgs above it (the issuer among
//! them) within their scope; uploads audited.

use jiceng_domain::task::{Answer, AnswerKind};
use jiceng_store::record_files::{self as store, StoredFile, TASK};
use jiceng_store::tasks as task_store;
use serde_json::json;

use super::report::answers_of;
use crate::access::{Action, Actor, Grant, InScope, ReportTasks};
use crate::audit::{self, AuditAction};
use crate::auth::time_text;
use crate::kept_file::{self, RecordFile};
use crate::refusal::refused;
use crate::{App, AppError, OrgRecord, Result};

/// The largest file (10 MB: a scanned roster or a report of a few dozen pages).
pub const FILE_MAX: usize = 10 * 1024 * 1024;

/// The path a page links to for a task's file.
pub fn href(f: &RecordFile) -> String {
    format!("/tasks/{}/files/{}", f.record_id, f.id)
}

/// Stores `bytes` (uploaded as `name`) as `org`'s file for field `field` of task
/// `task_id`: not found when `org` is not a target; refused, with the reason, when no
/// field is named or it asks for no file, or the file is empty, too large or of another
/// kind. The line's answer becomes the file's name (its progress and done left as they
/// are). Audited.
pub async fn upload(
    app: &App,
    grant: &Grant<ReportTasks>,
    org: &InScope<OrgRecord>,
    task_id: i64,
    field: Option<usize>,
    name: &str,
    bytes: &[u8],
) -> Result<RecordFile> {
    let t = super::get(app, task_id).await?;
    let mut conn = app.store.acquire().await?;
    let mut line = task_store::target(&mut conn, task_id, org.org.id)
        .await?
        .ok_or_else(|| AppError::NotFound("任务".into()))?;
    drop(conn);
    let Some(field) = field else {
        return Err(refused("file", "请指明要上传文件的报送项"));
    };
    let label = match t.fields.get(field) {
        Some(f) if f.source.asked() == Some(AnswerKind::File) => f.label.clone(),
        Some(f) => return Err(refused("file", format!("“{}”不需要上传文件", f.label))),
        None => return Err(refused("file", format!("没有第{}项报送内容", field + 1))),
    };
    let (name, content_type) =
        kept_file::check(name, bytes, FILE_MAX, &label).map_err(|m| refused("file", m))?;
    let now = app.now();
    let actor = grant.actor();
    let f = StoredFile {
        id: app.store.reserve_ids("record_file", 1).await?,
        record_kind: TASK.into(),
        record_id: task_id,
        org_id: org.org.id,
        org_path: line.org_path.clone(),
        field: field as i64,
        name: name.clone(),
        content_type: content_type.to_string(),
        size: bytes.len() as i64,
        uploaded_by: actor.username().to_string(),
        uploaded_at: time_text(now),
    };
    let mut answers = answers_of(&line.answers);
    let before = answers.get(&field).map(Answer::text);
    answers.insert(field, Answer::File(name.clone()));
    line.answers = serde_json::to_string(&answers)
        .map_err(|e| AppError::Input(format!("报送内容无法保存：{e}")))?;
    line.reported_at = Some(f.uploaded_at.clone());
    line.reported_by = Some(f.uploaded_by.clone());
    let entry = audit::Entry::new(actor, AuditAction::TaskFile, task_id.to_string())
        .org(Some(&**org))
        .before(json!({ "field": label, "name": before }))
        .after(json!({ "field": label, "name": name, "size": f.size }));
    let (line, entry, f_ref) = (&line, &entry, &f);
    audit::with_retry(|| async move {
        let mut tx = app.store.begin().await?;
        store::put(&mut tx, f_ref, bytes).await?;
        task_store::save_report(&mut tx, line, 0).await?;
        entry.commit(tx, now).await
    })
    .await?;
    Ok(RecordFile::of(&f))
}

/// The files of task `task_id` given by `org`'s subtree (the targets the actor sees).
pub async fn of_task(app: &App, org: &InScope<OrgRecord>, task_id: i64) -> Result<Vec<RecordFile>> {
    let mut conn = app.store.acquire().await?;
    Ok(store::of_record(&mut conn, TASK, task_id, &org.subtree())
        .await?
        .iter()
        .map(RecordFile::of)
        .collect())
}

/// The file `file_id` of task `task_id` with its bytes, if the actor's scope holds the
/// target that gave it (the target itself and the orgs above it): else not found.
pub async fn open(
    app: &App,
    actor: &Actor,
    task_id: i64,
    file_id: i64,
) -> Result<(RecordFile, Vec<u8>)> {
    if !actor.may(Action::ReadData) {
        return Err(AppError::Forbidden);
    }
    let mut conn = app.store.acquire().await?;
    match store::get(&mut conn, &actor.scope, TASK, task_id, file_id).await? {
        Some((f, bytes)) => Ok((RecordFile::of(&f), bytes)),
        None => Err(AppError::NotFound("报送文件".into())),
    }
}
