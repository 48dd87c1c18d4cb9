//! 督查 in the JSON API (issue #17): the inspections of a subtree in a period with its
//! open problems, recording one, and a problem fixed. The same use cases as the pages
//! (`jiceng_app::inspections`); a refusal is a 400 with the reason and the field.

use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::Json;
use jiceng_app::access::{Action, RecordInspections, ReportTasks};
use jiceng_app::inspections;
use jiceng_domain::inspection::{InspectionDraft, Method, ProblemDraft};
use serde::Deserialize;
use serde_json::{json, Map, Value};

use crate::api::{refusal, to_json, ApiResult, JsonBody};
use crate::error::{ApiError, WebError};
use crate::extract::QueryOrg;
use crate::parse::parse_period;
use crate::routes::{Guard, Routes, Subject};
use crate::session::ApiUser;
use crate::AppState;

pub fn routes() -> Routes {
    Routes::new()
        .get(
            "/inspections",
            Guard::May(Action::ReadData),
            Subject::QueryOrg,
            list,
        )
        .post(
            "/inspections",
            Guard::May(Action::RecordInspections),
            Subject::QueryOrg,
            record,
        )
        .post(
            "/inspections/{id}/fix",
            Guard::May(Action::ReportTasks),
            Subject::Inspection,
            fix,
        )
}

#[derive(Deserialize)]
struct PeriodQuery {
    period: Option<String>,
}

async fn list(
    State(state): State<AppState>,
    QueryOrg { org, .. }: QueryOrg<ApiUser>,
    Query(q): Query<PeriodQuery>,
) -> ApiResult {
    let today = state.app.today();
    let period = match q.period.as_deref().map(str::trim).filter(|p| !p.is_empty()) {
        None => jiceng_domain::Period::Year(chrono::Datelike::year(&today)),
        Some(p) => parse_period(Some(p), today).map_err(|m| ApiError(WebError::BadRequest(m)))?,
    };
    Ok(to_json(&inspections::list(&state.app, &org, period).await?))
}

#[derive(Deserialize)]
struct InspectionInput {
    on: Option<chrono::NaiveDate>,
    #[serde(default)]
    inspectors: String,
    #[serde(default)]
    methods: Vec<String>,
    #[serde(default)]
    findings: String,
    #[serde(default)]
    problems: Vec<ProblemDraft>,
    #[serde(default)]
    task: Option<i64>,
}

/// Records an inspection of `?org=`: `201 {"id": …}`, or the refusal.
async fn record(
    State(state): State<AppState>,
    QueryOrg { user, org }: QueryOrg<ApiUser>,
    JsonBody(i): JsonBody<InspectionInput>,
) -> ApiResult<Response> {
    let grant = user.actor.grant::<RecordInspections>()?;
    let methods = i
        .methods
        .iter()
        .map(|m| {
            Method::parse(m)
                .ok_or_else(|| ApiError(WebError::BadRequest(format!("无法识别的督查方式：{m}"))))
        })
        .collect::<Result<Vec<_>, _>>()?;
    let d = InspectionDraft {
        on: i.on,
        inspectors: i.inspectors,
        methods,
        findings: i.findings,
        problems: i.problems,
    };
    match inspections::record(&state.app, &grant, &org, i.task, &d).await {
        Ok(id) => Ok((StatusCode::CREATED, Json(json!({ "id": id }))).into_response()),
        Err(e) => refusal(e),
    }
}

/// A problem's fix (督查's and 述职评议's alike).
#[derive(Deserialize)]
pub(crate) struct FixInput {
    pub seq: i64,
    pub fixed_on: Option<chrono::NaiveDate>,
    #[serde(default)]
    pub note: String,
}

/// Problem `seq` of the inspection fixed: `204`, or the refusal.
async fn fix(
    State(state): State<AppState>,
    Path(id): Path<i64>,
    QueryOrg { user, org }: QueryOrg<ApiUser>,
    JsonBody(f): JsonBody<FixInput>,
) -> ApiResult<Response> {
    let grant = user.actor.grant::<ReportTasks>()?;
    match inspections::fix(&state.app, &grant, &org, id, f.seq, f.fixed_on, &f.note).await {
        Ok(()) => Ok(StatusCode::NO_CONTENT.into_response()),
        Err(e) => refusal(e),
    }
}

pub(crate) fn schemas() -> Map<String, Value> {
    let s = |t: &str, d: &str| json!({ "type": t, "description": d });
    let date = |d: &str| json!({ "type": "string", "format": "date", "description": d });
    let v = json!({
        "InspectionList": {
            "type": "object",
            "description": "督查：org、period、inspections（期间内本组织及以下的督查记录，最多200条：id、org、by_org_name 督查单位、task、held_on、inspectors、methods（OnSite 实地查看、Records 查阅资料、Interviews 个别访谈、Questionnaire 问卷测评）、findings、problems（seq、description、owner 整改责任人、deadline、status：Open 整改中 / Overdue 逾期未整改 / Fixed 已整改 / FixedLate 逾期整改、fixed_on、fix_note））、open（本组织及以下待整改的问题，时限最早的在前）",
        },
        "InspectionInput": {
            "type": "object",
            "properties": {
                "on": date("督查日期（不晚于今天）"),
                "inspectors": s("string", "督查人员，用顿号分隔"),
                "methods": { "type": "array", "items": { "type": "string" }, "description": "督查方式：OnSite、Records、Interviews、Questionnaire（或中文名称）" },
                "findings": s("string", "督查情况"),
                "problems": { "type": "array", "items": { "type": "object" }, "description": "发现的问题：description、owner（整改责任人）、deadline（整改时限，不早于督查日期）" },
                "task": s("integer", "督查的任务 id（须下达到被督查的党组织）"),
            },
            "required": ["on", "inspectors", "methods", "findings"],
        },
        "InspectionCreated": {
            "type": "object",
            "properties": { "id": s("integer", "督查记录 id") },
            "required": ["id"],
        },
        "ProblemFix": {
            "type": "object",
            "properties": {
                "seq": s("integer", "问题序号"),
                "fixed_on": date("整改完成日期"),
                "note": s("string", "整改情况"),
            },
            "required": ["seq", "fixed_on", "note"],
        },
    });
    match v {
        Value::Object(m) => m,
        _ => Map::new(),
    }
}
