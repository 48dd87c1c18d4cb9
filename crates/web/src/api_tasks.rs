//! 任务部署 and 减负台账 in the JSON API (issue #17): an org's tasks, issuing one (or its
//! preview), a task seen from an org, a target's report, the month's burden ledger. The
//! same use cases as the pages (`jiceng_app::tasks`); a refusal is a 400 with the reason
//! and the field.

use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::Json;
use jiceng_app::access::{Action, IssueTasks, ReportTasks};
use jiceng_app::import::{task_outcomes, ImportOptions, NoProgress};
use jiceng_app::tasks::{self, burden, files, Draft, Report, TargetFilter};
use jiceng_domain::task::{AnswerKind, FieldDraft, HeldFigure};
use jiceng_domain::{Domain, OrgKind};
use serde::Deserialize;
use serde_json::{json, Map, Value};

use crate::api::{body_file, flag, refusal, to_json, ApiResult, JsonBody};
use crate::error::{ApiError, WebError};
use crate::extract::QueryOrg;
use crate::pages::import as import_page;
use crate::routes::{Guard, Routes, Subject};
use crate::session::ApiUser;
use crate::AppState;

pub fn routes() -> Routes {
    Routes::new()
        .get(
            "/tasks",
            Guard::May(Action::ReadData),
            Subject::QueryOrg,
            list,
        )
        .post(
            "/tasks",
            Guard::May(Action::IssueTasks),
            Subject::QueryOrg,
            issue,
        )
        .get(
            "/tasks/{id}",
            Guard::May(Action::ReadData),
            Subject::Task,
            show,
        )
        .post(
            "/tasks/{id}/report",
            Guard::May(Action::ReportTasks),
            Subject::Task,
            report,
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
            |m| m.layer(axum::extract::DefaultBodyLimit::max(files::FILE_MAX)),
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
        .post(
            "/tasks/{id}/outcomes",
            Guard::May(Action::IssueTasks),
            Subject::Task,
            import_outcomes,
        )
        .get(
            "/burden",
            Guard::May(Action::ReadData),
            Subject::QueryOrg,
            ledger,
        )
        .put(
            "/burden/ceilings",
            Guard::May(Action::SetRules),
            Subject::None,
            set_ceilings,
        )
}

fn bad(m: String) -> ApiError {
    ApiError(WebError::BadRequest(m))
}

async fn list(State(state): State<AppState>, QueryOrg { org, .. }: QueryOrg<ApiUser>) -> ApiResult {
    Ok(to_json(&tasks::list(&state.app, &org).await?))
}

#[derive(Deserialize)]
struct FieldInput {
    #[serde(default)]
    label: String,
    /// `Number`, `Text`, `YesNo` or `File`.
    #[serde(default)]
    kind: Option<String>,
    /// A held figure's code (`FullMembers` …).
    #[serde(default)]
    held: Option<String>,
    #[serde(default)]
    ask_anyway: bool,
}

#[derive(Deserialize)]
struct TaskInput {
    title: String,
    content: String,
    deadline: Option<chrono::NaiveDate>,
    #[serde(default)]
    fields: Vec<FieldInput>,
    #[serde(default)]
    kinds: Vec<String>,
    #[serde(default)]
    domains: Vec<String>,
    #[serde(default)]
    under: Option<i64>,
    #[serde(default)]
    weak_only: bool,
    /// The task this org received and passes down.
    #[serde(default)]
    parent: Option<i64>,
    /// Only say what sending would do.
    #[serde(default)]
    preview: bool,
}

fn draft_of(i: &TaskInput) -> Result<Draft, ApiError> {
    let mut fields = Vec::new();
    for f in &i.fields {
        let kind = match f.kind.as_deref() {
            None | Some("") => None,
            Some(k) => Some(
                AnswerKind::from_code(k)
                    .ok_or_else(|| bad(format!("无法识别的报送项类型：{k}")))?,
            ),
        };
        let held = match f.held.as_deref() {
            None | Some("") => None,
            Some(h) => Some(
                HeldFigure::from_code(h)
                    .ok_or_else(|| bad(format!("无法识别的系统已掌握数据：{h}")))?,
            ),
        };
        fields.push(FieldDraft {
            label: f.label.clone(),
            kind,
            held,
            ask_anyway: f.ask_anyway,
        });
    }
    let kinds = i
        .kinds
        .iter()
        .map(|k| OrgKind::from_code(k).ok_or_else(|| bad(format!("无法识别的组织类别：{k}"))))
        .collect::<Result<_, _>>()?;
    let domains = i
        .domains
        .iter()
        .map(|k| Domain::from_code(k).ok_or_else(|| bad(format!("无法识别的领域：{k}"))))
        .collect::<Result<_, _>>()?;
    Ok(Draft {
        title: i.title.clone(),
        content: i.content.clone(),
        deadline: i.deadline,
        fields,
        filter: TargetFilter {
            kinds,
            domains,
            under: i.under,
            weak_only: i.weak_only,
        },
    })
}

/// Issues a task from `?org=` (`201 {"id", "targets"}`), or with `"preview": true` says
/// what sending would do (200).
async fn issue(
    State(state): State<AppState>,
    QueryOrg { user, org }: QueryOrg<ApiUser>,
    JsonBody(input): JsonBody<TaskInput>,
) -> ApiResult<Response> {
    let grant = user.actor.grant::<IssueTasks>()?;
    let draft = draft_of(&input)?;
    if input.preview {
        return match tasks::preview(&state.app, &grant, &org, &draft).await {
            Ok(p) => Ok(to_json(&p).into_response()),
            Err(e) => refusal(e),
        };
    }
    match tasks::issue(&state.app, &grant, &org, &draft, input.parent).await {
        Ok(done) => Ok((StatusCode::CREATED, Json(json!(done))).into_response()),
        Err(e) => refusal(e),
    }
}

async fn show(
    State(state): State<AppState>,
    Path(id): Path<i64>,
    QueryOrg { user, org }: QueryOrg<ApiUser>,
) -> ApiResult {
    Ok(to_json(
        &tasks::view(&state.app, &user.actor, id, &org, false).await?,
    ))
}

#[derive(Deserialize)]
struct ReportInput {
    #[serde(default)]
    done: bool,
    #[serde(default)]
    progress: String,
    #[serde(default)]
    answers: Vec<String>,
    #[serde(default)]
    evidence: String,
}

/// `?org=`'s report of the task: `204`, or the refusal.
async fn report(
    State(state): State<AppState>,
    Path(id): Path<i64>,
    QueryOrg { user, org }: QueryOrg<ApiUser>,
    JsonBody(input): JsonBody<ReportInput>,
) -> ApiResult<Response> {
    let grant = user.actor.grant::<ReportTasks>()?;
    let r = Report {
        done: input.done,
        progress: input.progress,
        answers: input.answers,
        evidence: input.evidence,
    };
    match tasks::report(&state.app, &grant, &org, id, &r).await {
        Ok(()) => Ok(StatusCode::NO_CONTENT.into_response()),
        Err(e) => refusal(e),
    }
}

#[derive(Deserialize)]
struct FileParams {
    field: Option<usize>,
    #[serde(default)]
    name: String,
}

/// `?org=`'s file for `?field=` of the task (the request body, named `?name=`): 201 with
/// the file as stored, or the refusal.
async fn upload_file(
    State(state): State<AppState>,
    Path(id): Path<i64>,
    QueryOrg { user, org }: QueryOrg<ApiUser>,
    Query(p): Query<FileParams>,
    body: axum::body::Bytes,
) -> ApiResult<Response> {
    let grant = user.actor.grant::<ReportTasks>()?;
    match files::upload(&state.app, &grant, &org, id, p.field, &p.name, &body).await {
        Ok(f) => Ok((StatusCode::CREATED, to_json(&f)).into_response()),
        Err(e) => refusal(e),
    }
}

/// A file a target gave for the task, as stored.
async fn open_file(
    State(state): State<AppState>,
    Path((id, fid)): Path<(i64, i64)>,
    user: ApiUser,
) -> ApiResult<Response> {
    let (f, bytes) = files::open(&state.app, &user.actor, id, fid).await?;
    Ok(crate::pages::stored_file(&f.name, &f.content_type, bytes))
}

#[derive(Deserialize)]
struct OutcomesParams {
    dry_run: Option<String>,
    format: Option<String>,
}

/// The outcomes of `?org=`'s task imported for its targets from a workbook (the request
/// body, as the template lays it out): the import's report; nothing is written unless
/// every row is right.
async fn import_outcomes(
    State(state): State<AppState>,
    Path(id): Path<i64>,
    QueryOrg { user, org }: QueryOrg<ApiUser>,
    Query(p): Query<OutcomesParams>,
    body: axum::body::Body,
) -> ApiResult {
    let incoming = body_file(&state, p.format.as_deref(), body).await?;
    let opts = ImportOptions {
        org: Some(org.clone()),
        dry_run: flag("dry_run", &p.dry_run)?,
        skip_invalid: false,
        actor: user.actor.clone(),
    };
    let upload = incoming
        .finish()
        .await?
        .ok_or_else(|| WebError::Internal("上传文件未保存".into()))?;
    let result = match import_page::import_slot(&state).await {
        Ok((_slot, app)) => task_outcomes::run(&app, &upload.path, id, &opts, &NoProgress).await,
        Err(e) => Err(e),
    };
    upload.remove();
    Ok(to_json(&result?))
}

/// Reminds the open targets of `?org=`'s task: `{"done": reminded, "already": …}`.
async fn remind(
    State(state): State<AppState>,
    Path(id): Path<i64>,
    QueryOrg { user, org }: QueryOrg<ApiUser>,
) -> ApiResult<Response> {
    let grant = user.actor.grant::<IssueTasks>()?;
    match tasks::remind(&state.app, &grant, &org, id).await {
        Ok(u) => Ok(to_json(&u).into_response()),
        Err(e) => refusal(e),
    }
}

#[derive(Deserialize)]
struct ExtendInput {
    deadline: chrono::NaiveDate,
    /// Only these targets (org ids); none: every open target.
    #[serde(default)]
    orgs: Option<Vec<i64>>,
}

/// Moves the deadline of the open targets of `?org=`'s task: `{"done": moved}`.
async fn extend(
    State(state): State<AppState>,
    Path(id): Path<i64>,
    QueryOrg { user, org }: QueryOrg<ApiUser>,
    JsonBody(input): JsonBody<ExtendInput>,
) -> ApiResult<Response> {
    let grant = user.actor.grant::<IssueTasks>()?;
    let orgs = input.orgs.as_deref();
    match tasks::extend(&state.app, &grant, &org, id, orgs, input.deadline).await {
        Ok(u) => Ok(to_json(&u).into_response()),
        Err(e) => refusal(e),
    }
}

#[derive(Deserialize)]
struct CeilingsInput {
    village_monthly_max: i64,
    township_monthly_max: i64,
    other_monthly_max: i64,
}

/// Sets the monthly burden ceilings: the ceilings now in force.
async fn set_ceilings(
    State(state): State<AppState>,
    user: ApiUser,
    JsonBody(c): JsonBody<CeilingsInput>,
) -> ApiResult<Response> {
    let grant = user.actor.grant::<jiceng_app::access::SetRules>()?;
    let (v, t, o) = (
        c.village_monthly_max,
        c.township_monthly_max,
        c.other_monthly_max,
    );
    match burden::set_ceilings(&state.app, &grant, v, t, o).await {
        Ok(r) => Ok(to_json(&r).into_response()),
        Err(e) => refusal(e),
    }
}

#[derive(Deserialize)]
struct MonthQuery {
    month: Option<String>,
}

async fn ledger(
    State(state): State<AppState>,
    QueryOrg { org, .. }: QueryOrg<ApiUser>,
    Query(q): Query<MonthQuery>,
) -> ApiResult {
    let month = q
        .month
        .filter(|m| !m.trim().is_empty())
        .unwrap_or_else(|| burden::month_key(state.app.today()));
    Ok(to_json(
        &burden::ledger(&state.app, &org, month.trim()).await?,
    ))
}

pub(crate) fn schemas() -> Map<String, Value> {
    let s = |t: &str, d: &str| json!({ "type": t, "description": d });
    let v = json!({
        "TaskList": {
            "type": "object",
            "description": "本组织的任务：issued（本组织下达的）、received（下达到本组织的，含 deadline、status：Open 办理中 / Overdue 逾期未完成 / Done 已完成 / DoneLate 逾期完成、passed_to 分解下达的任务 id）、below（下级党组织下达的）；每项 task 含 id、title、content、fields、org_id、org_name、parent_id、issued_on、deadline、targets、done、issued_by；各最多100项",
        },
        "TaskInput": {
            "type": "object",
            "properties": {
                "title": s("string", "任务名称（不超过60字）"),
                "content": s("string", "任务内容和要求"),
                "deadline": { "type": "string", "format": "date", "description": "完成时限（不早于今天；分解下达时不晚于上级要求）" },
                "fields": { "type": "array", "description": "报送内容（最多12项）：label、kind（Number、Text、YesNo、File：上传文件）或 held（系统已掌握的数据：Members、FullMembers、ProbationaryMembers、OrgsBelow、Branches、HasSecretary、UnitsCovered，由系统填写，不向基层提问）、ask_anyway（仍要求基层填报，计入减负台账）；名称与系统已掌握的数据相同的项目自动改由系统填写", "items": { "type": "object" } },
                "kinds": { "type": "array", "items": { "type": "string" }, "description": "任务对象的组织类别（WorkingCommittee、PrimaryCommittee、GeneralBranch、Branch、Group），不填为除党小组外的全部" },
                "domains": { "type": "array", "items": { "type": "string" }, "description": "任务对象的领域（Village、Community……），不填为全部" },
                "under": s("integer", "只发给这个下级党组织及其以下"),
                "weak_only": s("boolean", "只发给本年度确定的软弱涣散党组织"),
                "parent": s("integer", "分解下达：本组织收到的任务 id"),
                "preview": s("boolean", "只预览：任务对象数量、前20个、本月已达到上限的数量、发送后超过上限的数量、报送内容（系统代答的项目）"),
            },
            "required": ["title", "content", "deadline"],
        },
        "TaskIssued": {
            "type": "object",
            "properties": { "id": s("integer", "任务 id"), "targets": s("integer", "任务对象数量") },
            "required": ["id", "targets"],
        },
        "TaskView": {
            "type": "object",
            "description": "从 org 看一项任务：task；at、at_id；at_issuer（org 为下达单位，可提醒、延期）；own（org 本身为任务对象时的完成情况）；counts（targets、done、done_late、overdue）；children（每个直属下级的 counts）；lines（任务对象逐个：org、parent_name、status、deadline、done_on、progress、evidence、answers（每个报送项：text，by_system 为系统填写，file 为上传文件的 id）、reported_by、passed_to；超过500个时为空，lines_cut 为 true，请按下级查看）；parent 与 passed（上级任务与分解下达的任务）；facts_on（系统填写的数据截至日期）",
        },
        "TaskReport": {
            "type": "object",
            "properties": {
                "done": s("boolean", "已完成（须填写全部由基层填写的报送项）"),
                "progress": s("string", "进展情况"),
                "answers": { "type": "array", "items": { "type": "string" }, "description": "按报送内容的顺序逐项填写；系统填写的项目留空；文件项以 POST /tasks/{id}/file 上传，此处填写的内容不予采用" },
                "evidence": s("string", "佐证材料"),
            },
        },
        "RecordFile": {
            "type": "object",
            "properties": {
                "id": s("integer", "文件 id"),
                "record_id": s("integer", "任务或述职评议记录的 id"),
                "org_id": s("integer", "上传文件的党组织 id（任务对象，或述职评议记录的党组织）"),
                "field": s("integer", "任务报送项的序号（从0起）；述职报告为0"),
                "name": s("string", "文件名"),
                "content_type": s("string", "按文件内容识别的类型"),
                "size": s("integer", "字节数"),
                "size_label": s("string", "大小（如 1.2 MB）"),
                "uploaded_by": s("string", "上传的账户"),
                "uploaded_at": s("string", "上传时间（UTC）"),
            },
            "required": ["id", "record_id", "org_id", "field", "name", "size"],
        },
        "TaskUrged": {
            "type": "object",
            "properties": {
                "done": s("integer", "提醒或延期的任务对象数"),
                "already": s("integer", "今天已提醒过、未再提醒的任务对象数"),
            },
            "required": ["done", "already"],
        },
        "TaskExtend": {
            "type": "object",
            "properties": {
                "deadline": { "type": "string", "format": "date", "description": "新的完成时限（不早于今天）" },
                "orgs": { "type": "array", "items": { "type": "integer" }, "description": "只延期这些任务对象（党组织 id）；不填为全部未完成的" },
            },
            "required": ["deadline"],
        },
        "BurdenCeilings": {
            "type": "object",
            "properties": {
                "village_monthly_max": s("integer", "村（社区）党组织每月最多收到的任务和督查（1–100）"),
                "township_monthly_max": s("integer", "乡镇（街道）党（工）委每月最多（1–100）"),
                "other_monthly_max": s("integer", "其他党组织每月最多（1–100）"),
                "source": s("string", "依据（回答中：组织部门设定者和日期，或随系统提供的本地示例）"),
            },
            "required": ["village_monthly_max", "township_monthly_max", "other_monthly_max"],
        },
        "BurdenLedger": {
            "type": "object",
            "description": "减负台账（一个月）：org、month、ceilings（每月上限：village_monthly_max、township_monthly_max、other_monthly_max、source）、totals（items 任务项次、questions 填报项次、answered 系统代答项次、asked_held 仍要求填报系统已掌握数据的项次）、levels（按层级：ceiling、orgs、at 达到上限、over 超过上限、sums）、issuers（按下达单位）、heaviest（负担最重的50个党组织：load 为 Under/At/Over）、over（超过上限的党组织数）",
        },
    });
    match v {
        Value::Object(m) => m,
        _ => Map::new(),
    }
}
