//! 群众满意度测评 in the JSON API (issue #18 point 3): the surveys of a subtree with their
//! rates, opening one, its results, issuing a batch of tokens (returned this once; only
//! their hashes are kept) and closing it. The same use cases as the pages
//! (`jiceng_app::surveys`); a refusal is a 400 with the reason and the field. The public
//! answering page has no API: it is a page for a phone, reached with a printed token.

use axum::extract::Query;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::Json;
use jiceng_app::access::{Action, RunSurveys, SetRules};
use jiceng_app::surveys::{self, questionnaire::Questionnaire};
use jiceng_domain::survey::{Question, QuestionnaireTexts};
use serde::Deserialize;
use serde_json::{json, Map, Value};

use crate::api::{refusal, to_json, ApiResult, JsonBody};
use crate::error::{ApiError, WebError};
use crate::extract::QueryOrg;
use crate::routes::{Guard, Routes, Subject};
use crate::session::ApiUser;
use crate::AppState;

pub fn routes() -> Routes {
    let read = Guard::May(Action::ReadData);
    let run = Guard::May(Action::RunSurveys);
    Routes::new()
        .get("/surveys", read, Subject::QueryOrg, list)
        .post("/surveys", run, Subject::QueryOrg, create)
        .get(
            "/surveys/questionnaire",
            read,
            Subject::QueryOrg,
            questionnaire,
        )
        .put(
            "/surveys/questionnaire",
            Guard::May(Action::SetRules),
            Subject::QueryOrg,
            set_questionnaire,
        )
        .get("/surveys/{id}", read, Subject::Survey, show)
        .post("/surveys/{id}/tokens", run, Subject::Survey, issue)
        .post("/surveys/{id}/close", run, Subject::Survey, close)
}

async fn list(State(state): State<AppState>, QueryOrg { org, .. }: QueryOrg<ApiUser>) -> ApiResult {
    Ok(to_json(&surveys::list(&state.app, &org).await?))
}

async fn show(
    State(state): State<AppState>,
    Path(id): Path<i64>,
    QueryOrg { org, .. }: QueryOrg<ApiUser>,
) -> ApiResult {
    Ok(to_json(&surveys::get(&state.app, &org, id).await?))
}

#[derive(Deserialize)]
struct SurveyInput {
    #[serde(default)]
    period: String,
}

/// Opens a survey of `?org=`: `201 {"id": …}`, or the refusal.
async fn create(
    State(state): State<AppState>,
    QueryOrg { user, org }: QueryOrg<ApiUser>,
    JsonBody(i): JsonBody<SurveyInput>,
) -> ApiResult<Response> {
    let grant = user.actor.grant::<RunSurveys>()?;
    match surveys::open(&state.app, &grant, &org, &i.period).await {
        Ok(id) => Ok((StatusCode::CREATED, Json(json!({ "id": id }))).into_response()),
        Err(e) => refusal(e),
    }
}

#[derive(Deserialize)]
struct BatchInput {
    count: Option<i64>,
}

/// Issues a batch: `201 {"survey_id", "batch", "codes"}` — the only time the codes are
/// given — or the refusal.
async fn issue(
    State(state): State<AppState>,
    Path(id): Path<i64>,
    QueryOrg { user, org }: QueryOrg<ApiUser>,
    JsonBody(i): JsonBody<BatchInput>,
) -> ApiResult<Response> {
    let grant = user.actor.grant::<RunSurveys>()?;
    match surveys::issue(&state.app, &grant, &org, id, i.count).await {
        Ok(b) => {
            let mut resp = (StatusCode::CREATED, Json(b)).into_response();
            resp.headers_mut().insert(
                axum::http::header::CACHE_CONTROL,
                axum::http::HeaderValue::from_static("no-store"),
            );
            Ok(resp)
        }
        Err(e) => refusal(e),
    }
}

/// Closes a survey: 204, or the refusal (closed already).
async fn close(
    State(state): State<AppState>,
    Path(id): Path<i64>,
    QueryOrg { user, org }: QueryOrg<ApiUser>,
) -> ApiResult<Response> {
    let grant = user.actor.grant::<RunSurveys>()?;
    match surveys::close(&state.app, &grant, &org, id).await {
        Ok(()) => Ok(StatusCode::NO_CONTENT.into_response()),
        Err(e) => refusal(e),
    }
}

fn questionnaire_json(q: &Questionnaire) -> Value {
    json!({
        "day": q.day,
        "template": q.rules.template,
        "questions": q.rules.questions,
        "title": q.rules.title,
        "note": q.rules.note,
        "intro": q.rules.intro,
        "comment_prompt": q.rules.comment_prompt,
        "texts": q.texts,
        "set_by": q.set_by,
        "origin": q.origin(),
    })
}

#[derive(Deserialize)]
struct DayParam {
    day: Option<String>,
}

/// The questionnaire in force on `?day=` (default today) and where it comes from.
async fn questionnaire(
    State(state): State<AppState>,
    QueryOrg { .. }: QueryOrg<ApiUser>,
    Query(q): Query<DayParam>,
) -> ApiResult {
    let day = match q.day.as_deref().map(str::trim).filter(|d| !d.is_empty()) {
        None => state.app.today(),
        Some(d) => d
            .parse()
            .map_err(|_| ApiError(WebError::BadRequest(format!("无法识别的日期：{d}"))))?,
    };
    let q = surveys::questionnaire::in_force(&state.app, day).await?;
    Ok(to_json(&questionnaire_json(&q)))
}

#[derive(Deserialize)]
struct QuestionnaireInput {
    from: chrono::NaiveDate,
    questions: Vec<Question>,
    /// The title, opening note and comment prompt (each optional: the rule set's).
    #[serde(flatten)]
    texts: QuestionnaireTexts,
}

/// The department's questionnaire from a day on: the questionnaire as that day now reads,
/// or the refusal.
async fn set_questionnaire(
    State(state): State<AppState>,
    QueryOrg { user, .. }: QueryOrg<ApiUser>,
    JsonBody(i): JsonBody<QuestionnaireInput>,
) -> ApiResult<Response> {
    let grant = user.actor.grant::<SetRules>()?;
    match surveys::questionnaire::set_with(&state.app, &grant, i.from, &i.questions, &i.texts).await
    {
        Ok(q) => Ok(Json(questionnaire_json(&q)).into_response()),
        Err(e) => refusal(e),
    }
}

pub(crate) fn schemas() -> Map<String, Value> {
    let s = |t: &str, d: &str| json!({ "type": t, "description": d });
    let v = json!({
        "SurveyList": {
            "type": "object",
            "description": "群众满意度测评：org、org_id、surveys（本组织及以下的测评，进行中的在前，最多500项：id、org_id、org 被测评党组织、period（2026、2026H1、2026H2）、period_label、opened_on、closed_on（进行中为 null）、issued 发放测评码张数、responses 收回答卷份数、response_rate 参与率（无发放为 null）、satisfaction 满意率（无答卷为 null））、definition 满意率和参与率的定义",
        },
        "SurveyResults": {
            "type": "object",
            "description": "一次测评的结果：summary（同 SurveyList.surveys）、template 题目版本、tally（questions：code、text、counts 依次为很满意、满意、基本满意、不满意、很不满意的人次；responses；issued）、comments 意见和建议（原文，不评分、不排序）、batches（batch、tokens、used、issued_on、issued_by）、definition。答卷不含测评码、网络地址或具体时间",
        },
        "SurveyInput": {
            "type": "object",
            "properties": {
                "period": s("string", "测评期间：年度如 2026，半年如 2026H1、2026H2（已开始的期间）"),
            },
            "required": ["period"],
        },
        "SurveyCreated": {
            "type": "object",
            "properties": { "id": s("integer", "测评 id") },
            "required": ["id"],
        },
        "SurveyQuestionnaire": {
            "type": "object",
            "description": "day 当日发起的测评所用的问卷：template 题目版本、questions（code、text，依次作答，每题五级：很满意、满意、基本满意、不满意、很不满意）、title 问卷标题、note 开头说明（可为空）、intro 不记名说明（规则集的，不可改）、comment_prompt 意见建议的提示语（选填）、texts（组织部门设定的 title、note、comment_prompt，空为规则集的）、set_by（组织部门设定时为 [账号, 设定日期, 起始日期]，否则 null，即规则集的本地示例）、origin 来源说明",
        },
        "SurveyQuestionnaireInput": {
            "type": "object",
            "properties": {
                "from": { "type": "string", "format": "date", "description": "自哪一天起发起的测评使用此问卷（今天至一年内；已发起的测评保留原题目）" },
                "questions": s("array", "评价题，按作答顺序：code（字母、数字、下划线或连字符，不超过20个，不重复）、text（不超过100字）；1至10题。五级评价、选填的意见建议和不记名说明不变"),
                "title": s("string", "问卷标题（选填，不超过30字；不填用规则集的）"),
                "note": s("string", "开头说明（选填，不超过300字，显示在不记名说明之前）"),
                "comment_prompt": s("string", "意见建议的提示语（选填，不超过60字；不填用规则集的）"),
            },
            "required": ["from", "questions"],
        },
        "SurveyBatchInput": {
            "type": "object",
            "properties": { "count": s("integer", "本批测评码张数（1至500）") },
            "required": ["count"],
        },
        "SurveyBatch": {
            "type": "object",
            "properties": {
                "survey_id": s("integer", "测评 id"),
                "batch": s("integer", "批次号"),
                "codes": { "type": "array", "items": { "type": "string" }, "description": "测评码（只在此返回一次，系统只保存摘要）；作答地址为 /s/{测评码}" },
            },
            "required": ["survey_id", "batch", "codes"],
        },
    });
    match v {
        Value::Object(m) => m,
        _ => Map::new(),
    }
}
