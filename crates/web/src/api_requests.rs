//! 群众诉求 in the JSON API (issue #18): the requests of a subtree with their counts, one
//! request, receiving one, its progress and its resolution. The same use cases as the pages
//! (`jiceng_app::mass_requests`); a refusal is a 400 with the reason and the field. The
//! requester's name and phone go in encrypted and come out masked, on the request only.

use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::Json;
use jiceng_app::access::{Action, RecordRequests};
use jiceng_app::mass_requests::{self, NewRequest};
use jiceng_domain::mass_request::{Category, Channel, Feedback, RequestDraft, ResolutionDraft};
use serde::Deserialize;
use serde_json::{json, Map, Value};

use crate::api::{refusal, to_json, ApiResult, JsonBody};
use crate::error::{ApiError, WebError};
use crate::extract::QueryOrg;
use crate::pages::requests::ListParam;
use crate::routes::{Guard, Routes, Subject};
use crate::session::ApiUser;
use crate::AppState;

pub fn routes() -> Routes {
    let read = Guard::May(Action::ReadData);
    let record = Guard::May(Action::RecordRequests);
    Routes::new()
        .get("/requests", read, Subject::QueryOrg, list)
        .post("/requests", record, Subject::QueryOrg, create)
        .get("/requests/{id}", read, Subject::Request, show)
        .post(
            "/requests/{id}/progress",
            record,
            Subject::Request,
            progress,
        )
        .post("/requests/{id}/resolve", record, Subject::Request, resolve)
}

async fn list(
    State(state): State<AppState>,
    QueryOrg { org, .. }: QueryOrg<ApiUser>,
    Query(q): Query<ListParam>,
) -> ApiResult {
    let shown = q.shown().map_err(ApiError)?;
    let month = q.month().map_err(ApiError)?;
    Ok(to_json(
        &mass_requests::list(&state.app, &org, shown, month).await?,
    ))
}

async fn show(
    State(state): State<AppState>,
    Path(id): Path<i64>,
    QueryOrg { org, .. }: QueryOrg<ApiUser>,
) -> ApiResult {
    Ok(to_json(&mass_requests::get(&state.app, &org, id).await?))
}

#[derive(Deserialize)]
struct RequestInput {
    channel: String,
    received_on: Option<chrono::NaiveDate>,
    category: String,
    #[serde(default)]
    content: String,
    #[serde(default)]
    handler: String,
    #[serde(default)]
    assign_to: String,
    #[serde(default)]
    requester_name: String,
    #[serde(default)]
    requester_phone: String,
}

fn bad(m: String) -> ApiError {
    ApiError(WebError::BadRequest(m))
}

/// Receives a request at `?org=`: `201 {"id": …}`, or the refusal.
async fn create(
    State(state): State<AppState>,
    QueryOrg { user, org }: QueryOrg<ApiUser>,
    JsonBody(i): JsonBody<RequestInput>,
) -> ApiResult<Response> {
    let grant = user.actor.grant::<RecordRequests>()?;
    let channel = Channel::parse(&i.channel)
        .ok_or_else(|| bad(format!("无法识别的受理渠道：{}", i.channel)))?;
    let category = Category::parse(&i.category)
        .ok_or_else(|| bad(format!("无法识别的诉求类别：{}", i.category)))?;
    let new = NewRequest {
        draft: RequestDraft {
            channel: Some(channel),
            received_on: i.received_on,
            category: Some(category),
            content: i.content,
            handler: i.handler,
            requester_name: i.requester_name,
        },
        assign_to: i.assign_to,
        requester_phone: i.requester_phone,
    };
    match mass_requests::record(&state.app, &grant, &org, &new).await {
        Ok(id) => Ok((StatusCode::CREATED, Json(json!({ "id": id }))).into_response()),
        Err(e) => refusal(e),
    }
}

#[derive(Deserialize)]
struct ProgressInput {
    on: Option<chrono::NaiveDate>,
    #[serde(default)]
    note: String,
}

/// A progress note: `201 {"seq": …}`, or the refusal.
async fn progress(
    State(state): State<AppState>,
    Path(id): Path<i64>,
    QueryOrg { user, org }: QueryOrg<ApiUser>,
    JsonBody(p): JsonBody<ProgressInput>,
) -> ApiResult<Response> {
    let grant = user.actor.grant::<RecordRequests>()?;
    match mass_requests::progress(&state.app, &grant, &org, id, p.on, &p.note).await {
        Ok(seq) => Ok((StatusCode::CREATED, Json(json!({ "seq": seq }))).into_response()),
        Err(e) => refusal(e),
    }
}

#[derive(Deserialize)]
struct ResolveInput {
    resolved_on: Option<chrono::NaiveDate>,
    #[serde(default)]
    result: String,
    feedback: Option<String>,
}

/// The request resolved: `204`, or the refusal.
async fn resolve(
    State(state): State<AppState>,
    Path(id): Path<i64>,
    QueryOrg { user, org }: QueryOrg<ApiUser>,
    JsonBody(r): JsonBody<ResolveInput>,
) -> ApiResult<Response> {
    let grant = user.actor.grant::<RecordRequests>()?;
    let feedback = match r.feedback.as_deref().map(str::trim) {
        None | Some("") => None,
        Some(f) => {
            Some(Feedback::parse(f).ok_or_else(|| bad(format!("无法识别的诉求人反馈：{f}")))?)
        }
    };
    let draft = ResolutionDraft {
        on: r.resolved_on,
        result: r.result,
        feedback,
    };
    match mass_requests::resolve(&state.app, &grant, &org, id, &draft).await {
        Ok(()) => Ok(StatusCode::NO_CONTENT.into_response()),
        Err(e) => refusal(e),
    }
}

pub(crate) fn schemas() -> Map<String, Value> {
    let s = |t: &str, d: &str| json!({ "type": t, "description": d });
    let date = |d: &str| json!({ "type": "string", "format": "date", "description": d });
    let v = json!({
        "RequestList": {
            "type": "object",
            "description": "群众诉求：org、shown（All / Open / Overdue / Resolved）、month（受理月份，未选为 null）、requests（本组织及以下承办的诉求，未办结的在前、受理早的在前，最多500条：id、org_id、org 承办党组织、by_org_name 受理单位、channel（Visit 走访 / Phone 来电 / Letter 来信 / Online 网络 / ReceptionDay 接待日 / Other 其他）、received_on、category（Infrastructure 基础设施 / Employment 就业 / Medical 医疗 / Education 教育 / Elderly 养老 / Environment 环境 / Dispute 矛盾纠纷 / Other 其他）、content、handler 责任人、status（Open 办理中 / Overdue 逾期未办结 / Resolved 已办结）、days（未办结：已受理天数；已办结：办结用时）、resolved_on、result、feedback（Satisfied 满意 / BasicallySatisfied 基本满意 / Dissatisfied 不满意 / NoFeedback 未反馈）；列表不含诉求人信息）、counts（received、resolved、days 办结用时合计、overdue、with_feedback 有反馈、satisfied 满意和基本满意）、overdue_days 逾期天数（规则集）、today",
        },
        "MassRequest": {
            "type": "object",
            "description": "一件群众诉求，字段同 RequestList.requests，另有 requester、phone（诉求人姓名和电话，脱敏；未留为缺省）和 progress（seq、on、note、recorded_by）",
        },
        "RequestInput": {
            "type": "object",
            "properties": {
                "channel": s("string", "受理渠道：Visit、Phone、Letter、Online、ReceptionDay、Other，或中文名称"),
                "received_on": date("受理日期（不晚于今天）"),
                "category": s("string", "诉求类别：Infrastructure、Employment、Medical、Education、Elderly、Environment、Dispute、Other，或中文名称"),
                "content": s("string", "诉求内容"),
                "handler": s("string", "责任人"),
                "assign_to": s("string", "承办党组织：org 或其下级的 id、组织代码或完整名称（不填为 org）"),
                "requester_name": s("string", "诉求人姓名（选填，加密保存）"),
                "requester_phone": s("string", "诉求人联系电话（选填，加密保存）"),
            },
            "required": ["channel", "received_on", "category", "content", "handler"],
        },
        "RequestCreated": {
            "type": "object",
            "properties": { "id": s("integer", "诉求 id") },
            "required": ["id"],
        },
        "RequestProgress": {
            "type": "object",
            "properties": {
                "on": date("进展日期（不早于受理日期，不晚于今天）"),
                "note": s("string", "办理进展"),
            },
            "required": ["on", "note"],
        },
        "RequestProgressCreated": {
            "type": "object",
            "properties": { "seq": s("integer", "进展序号") },
            "required": ["seq"],
        },
        "RequestResolve": {
            "type": "object",
            "properties": {
                "resolved_on": date("办结日期（不早于受理日期，不晚于今天）"),
                "result": s("string", "办理结果"),
                "feedback": s("string", "诉求人反馈：Satisfied、BasicallySatisfied、Dissatisfied、NoFeedback，或中文名称"),
            },
            "required": ["resolved_on", "result", "feedback"],
        },
    });
    match v {
        Value::Object(m) => m,
        _ => Map::new(),
    }
}
