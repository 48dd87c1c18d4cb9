//! A task seen from an org (`?org=`, the home org by default): what it asks, its
//! completion by child org (open one to drill down), the lines with their answers — the
//! system's marked — the org's own report when it is a target, and for the issuer the
//! reminder and the extension; the workbook of all outcomes.

use askama::Template;
use axum::extract::{Multipart, Path, Query, State};
use axum::response::Response;
use axum::Form;
use jiceng_app::access::InScope;
use jiceng_app::access::{Action, IssueTasks, ReportTasks};
use jiceng_app::import::{task_outcomes, ImportOptions, ImportReport, NoProgress};
use jiceng_app::kept_file::RecordFile;
use jiceng_app::refusal::refused;
use jiceng_app::tasks::files;
use jiceng_app::tasks::{self, Report, TaskView};
use jiceng_app::{AppError, OrgRecord};
use jiceng_domain::task::{AnswerKind, FieldSource, TargetStatus};

use crate::error::{PageError, WebError};
use crate::extract::QueryOrg;
use crate::pages::import as import_page;
use crate::pages::refusal::Refusal;
use crate::pages::{done_redirect, html_status, small_upload, stored_file, xlsx, DoneParam, Nav};
use crate::parse::parse_day;
use crate::routes::{Guard, Routes, Subject};
use crate::session::User;
use crate::AppState;

pub fn routes() -> Routes {
    Routes::new()
        .get(
            "/tasks/{id}",
            Guard::May(Action::ReadData),
            Subject::Task,
            show,
        )
        .get(
            "/tasks/{id}/export.xlsx",
            Guard::May(Action::ReadData),
            Subject::Task,
            export,
        )
        .post(
            "/tasks/{id}/report",
            Guard::May(Action::ReportTasks),
            Subject::Task,
            report,
        )
        .post(
            "/tasks/{id}/remind",
            Guard::May(Action::IssueTasks),
            Subject::Task,
            remind,
        )
        .post(
            "/tasks/{id}/extend",
            Guard::May(Action::IssueTasks),
            Subject::Task,
            extend,
        )
        .get(
            "/tasks/{id}/outcomes-template.xlsx",
            Guard::May(Action::IssueTasks),
            Subject::Task,
            outcomes_template,
        )
        .get(
            "/tasks/{id}/files/{fid}",
            Guard::May(Action::ReadData),
            Subject::Task,
            open_file,
        )
        // A scanned report is larger than the general body limit.
        .post_with(
            "/tasks/{id}/file",
            Guard::May(Action::ReportTasks),
            Subject::Task,
            upload_file,
            |m| {
                m.layer(axum::extract::DefaultBodyLimit::max(
                    small_upload::body_max(files::FILE_MAX),
                ))
            },
        )
        // The upload bounds itself (the import limit), as the general import's does.
        .post_with(
            "/tasks/{id}/import",
            Guard::May(Action::IssueTasks),
            Subject::Task,
            import_outcomes,
            |m| m.layer(axum::extract::DefaultBodyLimit::disable()),
        )
}

#[derive(Template)]
#[template(path = "task.html")]
struct TaskPage {
    title: String,
    nav: Nav,
    v: TaskView,
    can_report: bool,
    can_urge: bool,
    /// The viewer records inspections (a line links to the form, about this task).
    can_inspect: bool,
    /// The org may pass its line down (it issues tasks and has not yet).
    can_pass: bool,
    /// The files the org in view gave for the task's file fields.
    own_files: Vec<RecordFile>,
    /// The report form's values when it was refused, else the stored line's.
    answers: Vec<String>,
    progress: String,
    evidence: String,
    done_ticked: bool,
    flash: Option<String>,
    e: Refusal,
}

impl TaskPage {
    fn held(&self, s: &FieldSource) -> bool {
        matches!(s, FieldSource::Held(_))
    }
    fn answer(&self, i: &usize) -> &str {
        self.answers.get(*i).map(String::as_str).unwrap_or("")
    }
    fn own_answer(&self, i: &usize) -> String {
        self.v
            .own
            .as_ref()
            .and_then(|l| l.answers.get(*i))
            .map(|c| c.text.clone())
            .unwrap_or_default()
    }
    fn label(&self, i: &usize) -> &str {
        self.v
            .task
            .fields
            .get(*i)
            .map(|f| f.label.as_str())
            .unwrap_or("")
    }
    fn late(&self, s: &TargetStatus) -> bool {
        *s == TargetStatus::Overdue
    }
    fn yes_no(&self, s: &FieldSource) -> bool {
        s.asked() == Some(AnswerKind::YesNo)
    }
    fn is_file(&self, s: &FieldSource) -> bool {
        s.asked() == Some(AnswerKind::File)
    }
    fn own_file(&self, i: &usize) -> Option<&RecordFile> {
        self.own_files.iter().find(|f| f.field == *i)
    }
    fn file_href(&self, file: &i64) -> String {
        format!("/tasks/{}/files/{file}", self.v.task.id)
    }
}

/// The task's page seen from `org`, with the org's own files.
async fn page_of(
    state: &AppState,
    user: &User,
    id: i64,
    org: &InScope<OrgRecord>,
    form: Option<(&Report, Refusal)>,
    flash: Option<String>,
) -> Result<TaskPage, PageError> {
    let v = tasks::view(&state.app, &user.actor, id, org, false).await?;
    let own_files = if v.own.is_some() {
        files::of_task(&state.app, org, id)
            .await?
            .into_iter()
            .filter(|f| f.org_id == org.org.id)
            .collect()
    } else {
        Vec::new()
    };
    Ok(task_page(user, v, own_files, form, flash))
}

fn task_page(
    user: &User,
    v: TaskView,
    own_files: Vec<RecordFile>,
    form: Option<(&Report, Refusal)>,
    flash: Option<String>,
) -> TaskPage {
    let own = v.own.as_ref();
    let (answers, progress, evidence, done_ticked, e) = match form {
        Some((r, e)) => (
            r.answers.clone(),
            r.progress.clone(),
            r.evidence.clone(),
            r.done,
            e,
        ),
        None => (
            own.map(|l| {
                l.answers
                    .iter()
                    .map(|c| {
                        if c.by_system {
                            String::new()
                        } else {
                            c.text.clone()
                        }
                    })
                    .collect()
            })
            .unwrap_or_default(),
            own.map(|l| l.progress.clone()).unwrap_or_default(),
            own.map(|l| l.evidence.clone()).unwrap_or_default(),
            own.is_some_and(|l| l.done_on.is_some()),
            Refusal::default(),
        ),
    };
    let a = &user.actor;
    TaskPage {
        title: v.task.title.clone(),
        nav: Nav::of(user),
        can_report: own.is_some() && a.may(Action::ReportTasks),
        can_urge: v.at_issuer && a.may(Action::IssueTasks),
        can_inspect: a.may(Action::RecordInspections),
        can_pass: own.is_some_and(|l| l.passed_to.is_none()) && a.may(Action::IssueTasks),
        own_files,
        answers,
        progress,
        evidence,
        done_ticked,
        flash,
        e,
        v,
    }
}

async fn show(
    State(state): State<AppState>,
    Path(id): Path<i64>,
    QueryOrg { user, org }: QueryOrg<User>,
    Query(q): Query<DoneParam>,
) -> Result<Response, PageError> {
    html_status(
        axum::http::StatusCode::OK,
        &page_of(&state, &user, id, &org, None, q.done).await?,
    )
}

async fn export(
    State(state): State<AppState>,
    Path(id): Path<i64>,
    QueryOrg { user, org }: QueryOrg<User>,
) -> Result<Response, PageError> {
    let v = tasks::view(&state.app, &user.actor, id, &org, true).await?;
    let bytes = jiceng_io::workbook_bytes(&v.to_sheets())
        .map_err(|e| PageError(crate::error::WebError::BadRequest(e)))?;
    Ok(xlsx(&format!("{}-完成情况.xlsx", v.task.title), bytes))
}

fn back(id: i64, org: i64, note: &str) -> Response {
    done_redirect(&format!("/tasks/{id}?org={org}"), note)
}

async fn report(
    State(state): State<AppState>,
    Path(id): Path<i64>,
    QueryOrg { user, org }: QueryOrg<User>,
    Form(fields): Form<Vec<(String, String)>>,
) -> Result<Response, PageError> {
    let (fields, grant) = user.form_for::<ReportTasks>(fields)?;
    let n = fields
        .prefixed("answer_")
        .filter_map(|(i, _)| i.parse::<usize>().ok())
        .max()
        .map_or(0, |m| m + 1);
    let r = Report {
        done: fields.ticked("done"),
        progress: fields.get("progress"),
        answers: (0..n).map(|i| fields.get(&format!("answer_{i}"))).collect(),
        evidence: fields.get("evidence"),
    };
    match tasks::report(&state.app, &grant, &org, id, &r).await {
        Ok(()) => Ok(back(
            id,
            org.org.id,
            if r.done {
                "已报告完成"
            } else {
                "已报告进展"
            },
        )),
        Err(e) => {
            let e = Refusal::of(e)?;
            let status = e.status();
            html_status(
                status,
                &page_of(&state, &user, id, &org, Some((&r, e)), None).await?,
            )
        }
    }
}

async fn remind(
    State(state): State<AppState>,
    Path(id): Path<i64>,
    QueryOrg { user, org }: QueryOrg<User>,
    Form(fields): Form<Vec<(String, String)>>,
) -> Result<Response, PageError> {
    let (_, grant) = user.form_for::<IssueTasks>(fields)?;
    let u = tasks::remind(&state.app, &grant, &org, id).await?;
    let note = match (u.done, u.already) {
        (0, 0) => "没有未完成的党组织".to_string(),
        (0, a) => format!("今天已提醒过{a}个未完成的党组织"),
        (n, 0) => format!("已提醒{n}个未完成的党组织"),
        (n, a) => format!("已提醒{n}个未完成的党组织（另{a}个今天已提醒过）"),
    };
    Ok(back(id, org.org.id, &note))
}

async fn extend(
    State(state): State<AppState>,
    Path(id): Path<i64>,
    QueryOrg { user, org }: QueryOrg<User>,
    Form(fields): Form<Vec<(String, String)>>,
) -> Result<Response, PageError> {
    let (fields, grant) = user.form_for::<IssueTasks>(fields)?;
    let bad = |m: String| PageError(crate::error::WebError::BadRequest(m));
    let deadline = parse_day(&fields.get("deadline"), "新的完成时限")
        .map_err(bad)?
        .ok_or_else(|| bad("请填写新的完成时限".into()))?;
    let target = fields.get("target");
    let only: Option<Vec<i64>> = match target.trim() {
        "" => None,
        t => Some(vec![t
            .parse::<i64>()
            .map_err(|_| bad(format!("无法识别的党组织：{t}")))?]),
    };
    match tasks::extend(&state.app, &grant, &org, id, only.as_deref(), deadline).await {
        Ok(u) => Ok(back(
            id,
            org.org.id,
            &format!("已将{}个未完成党组织的完成时限延至{deadline}", u.done),
        )),
        Err(e) => {
            let e = Refusal::of(e)?;
            let mut p = page_of(&state, &user, id, &org, None, None).await?;
            p.e = e;
            html_status(axum::http::StatusCode::UNPROCESSABLE_ENTITY, &p)
        }
    }
}

/// A target's file for a field of the task's form: taken by its bytes, replacing the
/// earlier one; back to the task saying so, or the page again with the reason (400).
async fn upload_file(
    State(state): State<AppState>,
    Path(id): Path<i64>,
    QueryOrg { user, org }: QueryOrg<User>,
    mp: Multipart,
) -> Result<Response, PageError> {
    let form = small_upload::read(mp, files::FILE_MAX).await?;
    user.check_csrf(&form.get("csrf"))?;
    let grant = user.actor.grant::<ReportTasks>()?;
    let field = form.get("field").trim().parse::<usize>().ok();
    let result = match form.chosen() {
        None => Err(refused("file", "请选择要上传的文件")),
        Some((name, bytes)) => {
            files::upload(&state.app, &grant, &org, id, field, &name, &bytes).await
        }
    };
    match result {
        Ok(f) => Ok(back(id, org.org.id, &format!("已上传“{}”", f.name))),
        Err(e) => {
            let e = Refusal::of(e)?;
            let status = e.status();
            let mut p = page_of(&state, &user, id, &org, None, None).await?;
            p.e = e;
            html_status(status, &p)
        }
    }
}

/// A file a target gave for the task: shown when a photo or a PDF, else saved.
async fn open_file(
    State(state): State<AppState>,
    Path((id, fid)): Path<(i64, i64)>,
    user: User,
) -> Result<Response, PageError> {
    let (f, bytes) = files::open(&state.app, &user.actor, id, fid).await?;
    Ok(stored_file(&f.name, &f.content_type, bytes))
}

/// 从表格导入完成情况: the workbook to fill for the task, its targets listed.
async fn outcomes_template(
    State(state): State<AppState>,
    Path(id): Path<i64>,
    QueryOrg { user, org }: QueryOrg<User>,
) -> Result<Response, PageError> {
    let grant = user.actor.grant::<IssueTasks>()?;
    let (name, bytes) = task_outcomes::template(&state.app, &grant, &org, id).await?;
    Ok(xlsx(&name, bytes))
}

#[derive(Template)]
#[template(path = "task_import.html")]
struct ImportPage {
    title: String,
    nav: Nav,
    task_id: i64,
    org_id: i64,
    file_name: String,
    /// Why the file could not be read at all.
    error: Option<String>,
    report: Option<ImportReport>,
}

/// The issuer's import of its targets' outcomes: written at once when every row is right
/// (back to the task, saying what was written), else the rows' errors and nothing written.
async fn import_outcomes(
    State(state): State<AppState>,
    Path(id): Path<i64>,
    QueryOrg { user, org }: QueryOrg<User>,
    mp: Multipart,
) -> Result<Response, PageError> {
    let mut received = import_page::receive(&state, mp).await?;
    user.check_csrf(&received.get("csrf"))?;
    let page =
        |file_name: String, error: Option<String>, report: Option<ImportReport>| ImportPage {
            title: "导入完成情况".into(),
            nav: Nav::of(&user),
            task_id: id,
            org_id: org.org.id,
            file_name,
            error,
            report,
        };
    let (file_name, incoming) = match received.file() {
        Ok(f) => f,
        Err(m) => {
            return html_status(
                axum::http::StatusCode::BAD_REQUEST,
                &page(String::new(), Some(m), None),
            )
        }
    };
    let upload = incoming
        .finish()
        .await?
        .ok_or_else(|| WebError::Internal("上传文件未保存".into()))?;
    let opts = ImportOptions {
        org: Some(org.clone()),
        dry_run: false,
        skip_invalid: false,
        actor: user.actor.clone(),
    };
    let result = match import_page::import_slot(&state).await {
        Ok((_slot, app)) => task_outcomes::run(&app, &upload.path, id, &opts, &NoProgress).await,
        Err(e) => Err(e),
    };
    upload.remove();
    match result {
        Ok(r) if r.ok() => Ok(back(
            id,
            org.org.id,
            &format!(
                "已从表格导入完成情况：写入{}个党组织，{}个与已报告的相同，{}个未填写",
                r.written, r.unchanged, r.blank
            ),
        )),
        Ok(r) => html_status(
            axum::http::StatusCode::UNPROCESSABLE_ENTITY,
            &page(file_name, None, Some(r)),
        ),
        Err(e @ (AppError::Read(_) | AppError::Header(_) | AppError::Input(_))) => html_status(
            axum::http::StatusCode::BAD_REQUEST,
            &page(file_name, Some(e.to_string()), None),
        ),
        Err(e) => Err(e.into()),
    }
}
