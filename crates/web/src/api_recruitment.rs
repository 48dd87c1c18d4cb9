//! 发展党员 in the JSON API (SPEC C3): a subtree's board, a person's page, registering a
//! person applying and recording a step. The same use cases as the pages
//! (`jiceng_app::recruitment`); a refused step is a 400 with the reason and the field.
//! The department's side: the overview by child org, the report of a year (the keys of
//! `report recruitment --format json`) and an org's plan for a year.

use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::Json;
use jiceng_app::access::{Action, PlanRecruitment, ReadData, RecordRecruitment};
use jiceng_app::recruitment::plan::{self, Plan};
use jiceng_app::recruitment::{self, NewApplicant, StepInput};
use jiceng_app::AppError;
use serde::Deserialize;
use serde_json::{json, Value};

use crate::api::{bad, to_json, ApiResult, JsonBody};
use crate::error::ApiError;
use crate::extract::QueryOrg;
use crate::routes::{Guard, Routes, Subject};
use crate::session::ApiUser;
use crate::AppState;

pub fn routes() -> Routes {
    Routes::new()
        .get(
            "/recruitment",
            Guard::May(Action::ReadData),
            Subject::QueryOrg,
            board,
        )
        .post(
            "/recruitment/people",
            Guard::May(Action::RecordRecruitment),
            Subject::QueryOrg,
            register,
        )
        .get(
            "/recruitment/people/{id}",
            Guard::May(Action::ReadData),
            Subject::Applicant,
            person,
        )
        .post(
            "/recruitment/people/{id}/steps",
            Guard::May(Action::RecordRecruitment),
            Subject::Applicant,
            step,
        )
        .get(
            "/recruitment/overview",
            Guard::May(Action::ReadData),
            Subject::QueryOrg,
            overview,
        )
        .get(
            "/reports/recruitment",
            Guard::May(Action::ReadData),
            Subject::QueryOrg,
            report,
        )
        .put(
            "/recruitment/plans",
            Guard::May(Action::PlanRecruitment),
            Subject::QueryOrg,
            set_plan,
        )
}

/// `?year=` of the department's side.
#[derive(Deserialize)]
struct YearQuery {
    year: Option<String>,
}

impl YearQuery {
    /// The year asked for (default this year); not a year is a 400.
    fn year(&self, state: &AppState) -> Result<i32, ApiError> {
        match self
            .year
            .as_deref()
            .map(str::trim)
            .filter(|y| !y.is_empty())
        {
            None => Ok(chrono::Datelike::year(&state.app.today())),
            Some(y) => y
                .parse::<i32>()
                .ok()
                .filter(|y| (2000..=2100).contains(y))
                .ok_or_else(|| bad(format!("year 应为年度（如 2026）：{y}"))),
        }
    }
}

async fn overview(
    State(state): State<AppState>,
    QueryOrg { org, .. }: QueryOrg<ApiUser>,
    Query(q): Query<YearQuery>,
) -> ApiResult {
    let year = q.year(&state)?;
    Ok(to_json(
        &recruitment::overview::overview(&state.app, &org, year).await?,
    ))
}

async fn report(
    State(state): State<AppState>,
    QueryOrg { org, .. }: QueryOrg<ApiUser>,
    Query(q): Query<YearQuery>,
) -> ApiResult {
    let year = q.year(&state)?;
    Ok(to_json(
        &jiceng_app::reports::recruitment::run(&state.app, &org, year).await?,
    ))
}

/// Sets the org's plan for the year: `200` with its fulfilment, or `400 {"error", "field"}`.
async fn set_plan(
    State(state): State<AppState>,
    QueryOrg { user, org }: QueryOrg<ApiUser>,
    Query(q): Query<YearQuery>,
    JsonBody(p): JsonBody<Plan>,
) -> ApiResult<Response> {
    let grant = user.actor.grant::<PlanRecruitment>()?;
    let year = q.year(&state)?;
    match plan::set_plan(&state.app, &grant, &org, year, &p).await {
        Ok(()) => {
            let now = plan::fulfilment(&state.app, &org, year).await?;
            Ok(Json(serde_json::to_value(&now.root).expect("serialises")).into_response())
        }
        Err(e) => created(Err(e)),
    }
}

/// A use case's answer as `201 {"id": …}`, its refusal as `400 {"error", "field"}`.
fn created(r: Result<i64, AppError>) -> ApiResult<Response> {
    match r {
        Ok(id) => Ok((StatusCode::CREATED, Json(json!({ "id": id }))).into_response()),
        Err(AppError::Recruitment(refused)) => Ok((
            StatusCode::BAD_REQUEST,
            Json(json!({ "error": refused.message, "field": refused.field })),
        )
            .into_response()),
        Err(other) => Err(ApiError::from(other)),
    }
}

async fn board(
    State(state): State<AppState>,
    QueryOrg { user, org }: QueryOrg<ApiUser>,
) -> ApiResult {
    let can_record = user.actor.may(Action::RecordRecruitment);
    Ok(to_json(
        &recruitment::board(&state.app, &org, can_record).await?,
    ))
}

async fn person(
    State(state): State<AppState>,
    user: ApiUser,
    Path(id): Path<i64>,
) -> ApiResult<Json<Value>> {
    let grant = user.actor.grant::<ReadData>()?;
    Ok(to_json(&recruitment::person(&state.app, &grant, id).await?))
}

async fn register(
    State(state): State<AppState>,
    QueryOrg { user, org }: QueryOrg<ApiUser>,
    JsonBody(new): JsonBody<NewApplicant>,
) -> ApiResult<Response> {
    let grant = user.actor.grant::<RecordRecruitment>()?;
    created(recruitment::register(&state.app, &grant, &org, &new).await)
}

async fn step(
    State(state): State<AppState>,
    user: ApiUser,
    Path(id): Path<i64>,
    JsonBody(input): JsonBody<StepInput>,
) -> ApiResult<Response> {
    let grant = user.actor.grant::<RecordRecruitment>()?;
    created(recruitment::record_step(&state.app, &grant, id, &input).await)
}

/// The schemas of 发展党员 in the OpenAPI document.
pub(crate) fn schemas() -> serde_json::Map<String, Value> {
    let obj = |props: Value, required: &[&str]| json!({ "type": "object", "properties": props, "required": required });
    let s = |t: &str| json!({ "type": t });
    let ns = |t: &str| json!({ "type": [t, "null"] });
    let date = json!({ "type": "string", "format": "date" });
    let ndate = json!({ "type": ["string", "null"], "format": "date" });
    let vote = obj(
        json!({
            "due": { "type": "integer", "description": "应到会有表决权的正式党员" },
            "present": { "type": "integer", "description": "实到会有表决权的正式党员" },
            "yes": s("integer"), "no": s("integer"), "abstain": s("integer"),
            "written": { "type": "integer", "description": "因故不能到会的正式党员的书面意见" },
            "secret": { "type": ["boolean", "null"], "description": "无记名投票" },
        }),
        &["due", "present", "yes", "no", "abstain"],
    );
    let v = json!({
        "NewApplicant": obj(json!({
            "name": s("string"),
            "id_number": { "type": "string", "description": "公民身份号码（GB 11643），性别与出生日期由此得出；加密保存，只显示脱敏号码" },
            "ethnicity": ns("string"),
            "education": { "type": ["string", "null"], "description": "学历：研究生、大学本科、大学专科、中专、高中、初中及以下" },
            "occupation": { "type": ["string", "null"], "description": "工作岗位" },
            "front_line": { "type": "boolean", "description": "生产、工作一线" },
            "phone": ns("string"),
            "applied_on": { "type": "string", "format": "date", "description": "递交入党申请书的日期（步骤①）" },
        }), &["name", "id_number", "applied_on"]),
        "StepInput": obj(json!({
            "step": { "type": "string", "description": "步骤：编号 1–25（事件 101 撤回申请、102 支部大会未通过、103 延长预备期、104 取消预备党员资格）或名称" },
            "on": date,
            "doc_ref": { "type": ["string", "null"], "description": "文号" },
            "people": { "type": ["string", "null"], "description": "相关人员姓名（谈话人、培养联系人、参加审查的支委），逗号或换行分隔" },
            "sponsor_ids": { "type": "array", "items": s("integer"), "description": "入党介绍人：名册中的正式党员 id（步骤⑨，两名）" },
            "vote": { "oneOf": [vote, { "type": "null" }], "description": "支部大会表决（步骤⑮、㉓）" },
            "notice_from": ndate, "notice_to": ndate,
            "training_days": ns("integer"), "training_hours": ns("number"),
            "until": { "type": ["string", "null"], "format": "date", "description": "延长预备期：延长后的截止日期" },
            "note": ns("string"),
        }), &["step", "on"]),
        "RecruitmentBoard": { "type": "object", "description": "org_id、org_name、today、year、by_stage（stage：applicant/activist/candidate/probationary/confirmed、label、count）、ended（已终止或取消）、people（发展中的人员，截止日期最早的在前：id、name、id_masked、org_id、org_name、stage、stage_label、next_step、next_title、deadline、not_before、overdue、due_this_month、violations）、due_this_month、overdue、can_record", "properties": {
            "by_stage": { "type": "array", "items": { "type": "object" } },
            "people": { "type": "array", "items": { "type": "object" } },
        }, "required": ["org_id", "by_stage", "people"] },
        "RecruitmentPerson": { "type": "object", "description": "id、name、gender、ethnicity、birth_date、id_masked（脱敏）、education、occupation、front_line、phone_masked、org_id、org_name、stage、stage_label、member_id（⑰后为党员 id）、steps（id、number、title、part 1–5、record、recorded_by、recorded_at）、progress（stage、closed、last、admitted_on、confirmed_on、probation_ends、next：step、deadline、not_before、overdue；violations：rule、step、on、detail、rule_set）、allowed（现在可记录的步骤）、can_record", "properties": {
            "steps": { "type": "array", "items": { "type": "object" } },
            "progress": { "type": "object" },
        }, "required": ["id", "name", "id_masked", "steps", "progress"] },
        "RecruitmentPlan": obj(json!({
            "target": { "type": "integer", "description": "计划发展党员总数" },
            "structure": { "type": "object", "additionalProperties": s("integer"), "description": "结构指标（可缺）：under_35（35岁以下）、women（女性）、front_line（生产工作一线）、college（大专及以上学历）、young_farmers（农村青年农民）" },
        }), &["target"]),
        "PlanFulfilment": { "type": "object", "description": "org（code、name）、year、target（未设置为 null）、admitted（当年经上级党委审批接收的预备党员数）、gap（target − admitted）、structure（各结构指标：target、actual、gap）", "properties": {
            "structure": { "type": "object" },
        }, "required": ["org", "year", "admitted", "structure"] },
        "RecruitmentOverview": { "type": "object", "description": "org、org_id、year、today、children（每个直属下级：org_id、org、by_stage［申请人、积极分子、发展对象、预备党员、正式党员］、overdue、violations、plan（PlanFulfilment））、total（本级及全部下级合计，plan 为本级计划完成情况）", "properties": {
            "children": { "type": "array", "items": { "type": "object" } },
            "total": { "type": "object" },
        }, "required": ["org", "year", "children", "total"] },
        "RecruitmentReport": { "type": "object", "description": "org（code、name）、year、by_stage（applicant、activist、candidate、probationary、confirmed）、due（person：name、id_masked；org；step；step_name；deadline）、violations（person、org、step、rule、detail）、plan（target、admitted、structure：各指标 target、actual）", "properties": {
            "by_stage": { "type": "object" },
            "due": { "type": "array", "items": { "type": "object" } },
            "violations": { "type": "array", "items": { "type": "object" } },
            "plan": { "type": "object" },
        }, "required": ["org", "year", "by_stage", "due", "violations", "plan"] },
    });
    match v {
        Value::Object(m) => m,
        _ => unreachable!("an object"),
    }
}
