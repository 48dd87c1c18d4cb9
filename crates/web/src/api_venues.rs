//! 活动场所 and 村（社区）书记报酬 in the JSON API (issue #18): the venues of a subtree with
//! their quarters, one venue with its meetings, recording, editing and retiring one, the
//! venues a meeting of an org may name; the remuneration records of a year against the
//! standard, recording one, the department's standard. The same use cases as the pages
//! (`jiceng_app::venues`); a refusal is a 400 with the reason and the field.

use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::Json;
use jiceng_app::access::{Action, RecordPay, RecordVenues, SetRules};
use jiceng_app::venues::{self, VenueForm};
use serde::Deserialize;
use serde_json::{json, Map, Value};

use crate::api::{refusal, to_json, ApiResult, JsonBody};
use crate::error::ApiError;
use crate::extract::QueryOrg;
use crate::pages::duty::YearParam;
use crate::pages::venues::ListParam;
use crate::routes::{Guard, Routes, Subject};
use crate::session::ApiUser;
use crate::AppState;

pub fn routes() -> Routes {
    let read = Guard::May(Action::ReadData);
    let record = Guard::May(Action::RecordVenues);
    Routes::new()
        .get("/venues", read, Subject::QueryOrg, list)
        .post("/venues", record, Subject::QueryOrg, create)
        .get("/venues/usable", read, Subject::QueryOrg, usable)
        .get("/venues/{id}", read, Subject::Venue, show)
        .post("/venues/{id}", record, Subject::Venue, update)
        .post("/venues/{id}/retire", record, Subject::Venue, retire)
        .get("/remuneration", read, Subject::QueryOrg, pays)
        .post(
            "/remuneration",
            Guard::May(Action::RecordPay),
            Subject::QueryOrg,
            record_pay,
        )
        .get("/remuneration/standard", read, Subject::None, standard)
        .put(
            "/remuneration/standard",
            Guard::May(Action::SetRules),
            Subject::None,
            set_standard,
        )
}

async fn list(
    State(state): State<AppState>,
    QueryOrg { org, .. }: QueryOrg<ApiUser>,
    Query(q): Query<ListParam>,
) -> ApiResult {
    let year = q.year().map_err(ApiError)?;
    let shown = q.shown().map_err(ApiError)?;
    Ok(to_json(&venues::list(&state.app, &org, year, shown).await?))
}

async fn show(
    State(state): State<AppState>,
    Path(id): Path<i64>,
    QueryOrg { org, .. }: QueryOrg<ApiUser>,
    Query(q): Query<ListParam>,
) -> ApiResult {
    let year = q.year().map_err(ApiError)?;
    Ok(to_json(&venues::get(&state.app, &org, id, year).await?))
}

/// The venues a meeting of `?org=` may name (those it or an org above it uses).
async fn usable(
    State(state): State<AppState>,
    QueryOrg { org, .. }: QueryOrg<ApiUser>,
) -> ApiResult {
    Ok(to_json(&venues::usable(&state.app, &org).await?))
}

/// Records a venue kept by `?org=`: `201 {"id": …}`, or the refusal.
async fn create(
    State(state): State<AppState>,
    QueryOrg { user, org }: QueryOrg<ApiUser>,
    JsonBody(f): JsonBody<VenueForm>,
) -> ApiResult<Response> {
    let grant = user.actor.grant::<RecordVenues>()?;
    match venues::record(&state.app, &grant, &org, &f).await {
        Ok(id) => Ok((StatusCode::CREATED, Json(json!({ "id": id }))).into_response()),
        Err(e) => refusal(e),
    }
}

/// Rewrites a venue's fields and the orgs using it: 204, or the refusal.
async fn update(
    State(state): State<AppState>,
    Path(id): Path<i64>,
    QueryOrg { user, org }: QueryOrg<ApiUser>,
    JsonBody(f): JsonBody<VenueForm>,
) -> ApiResult<Response> {
    let grant = user.actor.grant::<RecordVenues>()?;
    match venues::update(&state.app, &grant, &org, id, &f).await {
        Ok(()) => Ok(StatusCode::NO_CONTENT.into_response()),
        Err(e) => refusal(e),
    }
}

#[derive(Deserialize, Default)]
struct RetireInput {
    #[serde(default)]
    retired_on: Option<chrono::NaiveDate>,
}

/// Retires a venue (from `retired_on`, default today): 204, or the refusal.
async fn retire(
    State(state): State<AppState>,
    Path(id): Path<i64>,
    QueryOrg { user, org }: QueryOrg<ApiUser>,
    JsonBody(i): JsonBody<RetireInput>,
) -> ApiResult<Response> {
    let grant = user.actor.grant::<RecordVenues>()?;
    match venues::retire(&state.app, &grant, &org, id, i.retired_on).await {
        Ok(()) => Ok(StatusCode::NO_CONTENT.into_response()),
        Err(e) => refusal(e),
    }
}

async fn pays(
    State(state): State<AppState>,
    QueryOrg { org, .. }: QueryOrg<ApiUser>,
    Query(q): Query<ListParam>,
) -> ApiResult {
    let year = q.year().map_err(ApiError)?;
    Ok(to_json(&venues::pays(&state.app, &org, year).await?))
}

#[derive(Deserialize)]
struct PayInput {
    /// The village or community (id, code or name); absent: `?org=`.
    #[serde(default)]
    org: Option<String>,
    year: Option<i32>,
    amount: Option<i64>,
    #[serde(default)]
    source: String,
}

/// Records a secretary's remuneration of a year: 204, or the refusal.
async fn record_pay(
    State(state): State<AppState>,
    QueryOrg { user, org }: QueryOrg<ApiUser>,
    JsonBody(i): JsonBody<PayInput>,
) -> ApiResult<Response> {
    let grant = user.actor.grant::<RecordPay>()?;
    let target = venues::pay_target(
        &state.app,
        &user.actor,
        &org,
        i.org.as_deref().unwrap_or(""),
    )
    .await?;
    match venues::record_pay(&state.app, &grant, &target, i.year, i.amount, &i.source).await {
        Ok(()) => Ok(StatusCode::NO_CONTENT.into_response()),
        Err(e) => refusal(e),
    }
}

/// The standard `?year=` (default this year) is judged by, and where it comes from.
async fn standard(
    State(state): State<AppState>,
    _user: ApiUser,
    Query(q): Query<YearParam>,
) -> ApiResult {
    let year = q.year(&state).map_err(ApiError)?;
    Ok(to_json(&venues::pay_standard(&state.app, year).await?))
}

#[derive(Deserialize)]
struct StandardInput {
    from_year: Option<i32>,
    village_min_yuan: Option<i64>,
    community_min_yuan: Option<i64>,
}

/// The department's standard of secretaries' remuneration from a year on: the standard as
/// that year now reads, or the refusal.
async fn set_standard(
    State(state): State<AppState>,
    user: ApiUser,
    JsonBody(i): JsonBody<StandardInput>,
) -> ApiResult<Response> {
    let grant = user.actor.grant::<SetRules>()?;
    match venues::set_pay_standard(
        &state.app,
        &grant,
        i.from_year,
        i.village_min_yuan,
        i.community_min_yuan,
    )
    .await
    {
        Ok(s) => Ok(to_json(&s).into_response()),
        Err(e) => refusal(e),
    }
}

pub(crate) fn schemas() -> Map<String, Value> {
    let s = |t: &str, d: &str| json!({ "type": t, "description": d });
    let date = |d: &str| json!({ "type": "string", "format": "date", "description": d });
    let v = json!({
        "VenueList": {
            "type": "object",
            "description": "活动场所：org、org_id、year、today、shown（all / idle）、total（本组织及以下的场所数）、flagged（该年有季度铁将军把门的场所数）、definition、venues（id、org_id、org、name、address、area 平方米、facilities 设施代码、facility_labels、shared_with、opened_on、retired_on、quarters（四个季度，各为 {\"used\": 次数}、\"idle\" 铁将军把门、\"running\" 进行中不判定、\"future\"、\"not_in_use\" 未整季度在用）、last_held 最近一次会议日期）",
        },
        "VenueDetail": {
            "type": "object",
            "description": "一处活动场所：venue（同 VenueList.venues）、year、users（使用的党组织：org_id、org）、by_quarter（四个季度在此召开的会议：id、org、kind、kind_label、date、topic）",
        },
        "VenueInput": {
            "type": "object",
            "properties": {
                "name": s("string", "场所名称"),
                "address": s("string", "地址"),
                "area": s("integer", "面积（平方米，选填）"),
                "facilities": { "type": "array", "items": { "type": "string" }, "description": "设施：activity_room 党员活动室、meeting_room 会议室、av_equipment 电教设备、library 图书室、service_hall 便民服务大厅、notice_board 党务公开栏、remote_education 远程教育站点、honor_wall 党建文化墙（代码或中文名称）" },
                "shared_with": s("string", "与谁共享（选填）"),
                "opened_on": date("启用日期（不晚于今天；不填为今天）"),
                "users": { "type": "array", "items": { "type": "integer" }, "description": "使用该场所的党组织 id（org 及其下级；不填为 org）" },
            },
            "required": ["name", "address"],
        },
        "VenueCreated": {
            "type": "object",
            "properties": { "id": s("integer", "场所 id") },
            "required": ["id"],
        },
        "VenueRetire": {
            "type": "object",
            "properties": { "retired_on": date("停用日期（不早于启用日期，不晚于今天；不填为今天）") },
        },
        "VenueChoices": {
            "type": "array",
            "description": "org 的会议可选的活动场所（本组织或其上级使用的在用场所）：id、name",
            "items": { "type": "object" },
        },
        "PayList": {
            "type": "object",
            "description": "村（社区）党组织书记报酬：org、org_id、year（默认上一年）、standard（rules：village_min_yuan、community_min_yuan、source；set_by：组织部门设定时为 [账号, 日期, 起始年度]）、rows（org_id、org、domain_label、amount 元、source、standard 元、below 是否低于标准；低于的在前）、below",
        },
        "PayInput": {
            "type": "object",
            "properties": {
                "org": s("string", "村或社区党组织（org 及以下的 id、组织代码或完整名称；不填为 org）"),
                "year": s("integer", "年度（不晚于今年）"),
                "amount": s("integer", "年报酬（元）"),
                "source": s("string", "报酬来源，如财政补贴、集体经济"),
            },
            "required": ["year", "amount", "source"],
        },
        "PayStandardInput": {
            "type": "object",
            "properties": {
                "from_year": s("integer", "自哪一年度起适用（2000年至明年；此前年度仍按原标准）"),
                "village_min_yuan": s("integer", "村党组织书记年报酬标准（元）"),
                "community_min_yuan": s("integer", "社区党组织书记年报酬标准（元）"),
            },
            "required": ["from_year", "village_min_yuan", "community_min_yuan"],
        },
        "PayStandard": {
            "type": "object",
            "description": "year 年度适用的报酬标准：year、rules（village_min_yuan、community_min_yuan、source）、set_by（组织部门设定时为 [账号, 日期, 起始年度]，否则 null，即规则集的本地示例）",
        },
    });
    match v {
        Value::Object(m) => m,
        _ => Map::new(),
    }
}
