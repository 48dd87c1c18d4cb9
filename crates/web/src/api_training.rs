//! 党员教育培训学时 in the JSON API (issue #15, point 5): the year of an org's subtree (as
//! `jiceng report training --format json`), recording a training, and a party-building
//! staff post of an org. The same use cases as the pages (`jiceng_app::training`); a
//! refusal is a 400 with the reason and the field.

use axum::extract::{Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::Json;
use jiceng_app::access::{Action, RecordTraining, Write};
use jiceng_app::training::{self, staff, TrainingInput};
use serde::Deserialize;
use serde_json::{json, Map, Value};

use crate::api::{refusal, to_json, ApiResult, JsonBody};
use crate::error::{ApiError, WebError};
use crate::extract::{PathOrg, QueryOrg};
use crate::routes::{Guard, Routes, Subject};
use crate::session::ApiUser;
use crate::AppState;

pub fn routes() -> Routes {
    Routes::new()
        .get(
            "/training",
            Guard::May(Action::ReadData),
            Subject::QueryOrg,
            report,
        )
        .post(
            "/training",
            Guard::May(Action::RecordTraining),
            Subject::QueryOrg,
            record,
        )
        .post(
            "/orgs/{id}/staff",
            Guard::May(Action::Write),
            Subject::Org,
            staff_post,
        )
}

#[derive(Deserialize)]
struct YearQuery {
    #[serde(default)]
    year: Option<i32>,
}

/// The year (default this one) of the subtree: counts per child org from the stored
/// tallies, the members short of hours (masked IDs), the staffing checks.
async fn report(
    State(state): State<AppState>,
    QueryOrg { org, .. }: QueryOrg<ApiUser>,
    Query(q): Query<YearQuery>,
) -> ApiResult {
    let year = q
        .year
        .unwrap_or_else(|| chrono::Datelike::year(&state.app.today()));
    if !(1921..=9999).contains(&year) {
        return Err(ApiError(WebError::BadRequest(format!("年度无效：{year}"))));
    }
    Ok(to_json(&training::report(&state.app, &org, year).await?))
}

/// Records a training of `?org=` with its attendees: `201 {"id": …}`, or the refusal.
async fn record(
    State(state): State<AppState>,
    QueryOrg { user, org }: QueryOrg<ApiUser>,
    JsonBody(input): JsonBody<TrainingInput>,
) -> ApiResult<Response> {
    let grant = user.actor.grant::<RecordTraining>()?;
    match training::record(&state.app, &grant, &org, &input).await {
        Ok(id) => Ok((StatusCode::CREATED, Json(json!({ "id": id }))).into_response()),
        Err(e) => refusal(e),
    }
}

/// Appoints a staff member of the org, or ends a post: the org's staff as they now stand.
async fn staff_post(
    State(state): State<AppState>,
    PathOrg { user, org }: PathOrg<ApiUser>,
    JsonBody(input): JsonBody<staff::StaffInput>,
) -> ApiResult<Response> {
    let grant = user.actor.grant::<Write>()?;
    match staff::record(&state.app, &grant, &org, &input).await {
        Ok(()) => Ok(to_json(&staff::of_org(&state.app, &org).await?).into_response()),
        Err(e) => refusal(e),
    }
}

pub(crate) fn schemas() -> Map<String, Value> {
    let s = |t: &str, d: &str| json!({ "type": t, "description": d });
    let date = |d: &str| json!({ "type": "string", "format": "date", "description": d });
    let v = json!({
        "TrainingReport": {
            "type": "object",
            "description": "党员教育培训学时（与 jiceng report training --format json 相同）：org、org_id、year、today、running（年度未结束：学时不足为“还差”，不作未达标认定）、member_hours、leading_hours（党员与书记、委员应有学时）；total 与 children（每个直属下级，读存储的按年汇总）的 members、met、short、leading、leading_short、branch_secretaries、secretaries_untrained、attended（有学时记录的人数，0 为暂无数据）、unrecorded（所在组织本年度未记录任何学时的人数：暂无数据，不计入达标或不足）、hours（十分之一学时）、hours_total、status、met_share；staffing（乡镇党委组织员、党建工作指导员配备，本年度无学时的支部书记）；short_total 与 short（学时不足的党员，身份证号脱敏，最多200人）",
        },
        "TrainingInput": {
            "type": "object",
            "properties": {
                "title": s("string", "培训名称"),
                "organiser": s("string", "主办单位（默认为本组织）"),
                "starts_on": date("开始日期"),
                "ends_on": date("结束日期（与开始日期同一年度）"),
                "hours": s("string", "学时，最多一位小数，如 3.5"),
                "mode": s("string", "in_person（线下）或 online（线上）"),
                "attendees": { "type": "array", "items": { "type": "integer" }, "description": "参加的党员 id（本组织及下级名册上的党员）" },
                "credited": { "type": "object", "additionalProperties": { "type": "string" }, "description": "个别党员的实得学时（党员 id → 学时），不填为培训学时" },
            },
            "required": ["title", "starts_on", "ends_on", "hours", "mode", "attendees"],
        },
        "TrainingCreated": {
            "type": "object",
            "properties": { "id": s("integer", "培训 id") },
            "required": ["id"],
        },
        "StaffInput": {
            "type": "object",
            "properties": {
                "action": s("string", "appoint（登记任职）或 end（免去）"),
                "name": s("string", "姓名（登记任职时必填）"),
                "role": s("string", "岗位：组织员、党务工作者、专职副书记、党建工作指导员、联络员（或 Organizer、Instructor 等代码）"),
                "on": date("任职或免去日期"),
                "staff_id": s("integer", "免去时：人员记录 id"),
            },
            "required": ["action", "on"],
        },
        "StaffList": {
            "type": "array",
            "description": "本组织的党建工作人员：id、name、role、since、until（空为在任）",
            "items": { "type": "object" },
        },
    });
    match v {
        Value::Object(m) => m,
        _ => Map::new(),
    }
}
