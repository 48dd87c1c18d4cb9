//! 经费保障 in the JSON API (issue #18): the funding of a subtree for a year, recording a
//! record, the standards in force and the department's own. The same use cases as the
//! pages (`jiceng_app::funding`); a refusal is a 400 with the reason and the field.

use axum::extract::{Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::Json;
use jiceng_app::access::{Action, RecordFunding, SetRules};
use jiceng_app::funding::{self, NewFunding};
use jiceng_domain::funding::{FundingKind, FundingRules, FundingSource, FundingStandard};
use serde::Deserialize;
use serde_json::{json, Map, Value};

use crate::api::{refusal, to_json, ApiResult, JsonBody};
use crate::error::{ApiError, WebError};
use crate::extract::QueryOrg;
use crate::pages::duty::YearParam;
use crate::routes::{Guard, Routes, Subject};
use crate::session::ApiUser;
use crate::AppState;

pub fn routes() -> Routes {
    let read = Guard::May(Action::ReadData);
    Routes::new()
        .get("/funding", read, Subject::QueryOrg, list)
        .post(
            "/funding",
            Guard::May(Action::RecordFunding),
            Subject::QueryOrg,
            create,
        )
        .get("/funding/standards", read, Subject::QueryOrg, standards)
        .put(
            "/funding/standards",
            Guard::May(Action::SetRules),
            Subject::QueryOrg,
            set_standards,
        )
}

async fn list(
    State(state): State<AppState>,
    QueryOrg { org, .. }: QueryOrg<ApiUser>,
    Query(q): Query<YearParam>,
) -> ApiResult {
    let year = q.year(&state).map_err(ApiError)?;
    Ok(to_json(&funding::overview(&state.app, &org, year).await?))
}

async fn standards(
    State(state): State<AppState>,
    QueryOrg { .. }: QueryOrg<ApiUser>,
    Query(q): Query<YearParam>,
) -> ApiResult {
    let year = q.year(&state).map_err(ApiError)?;
    let s = funding::standards(&state.app, year).await?;
    Ok(to_json(&json!({
        "year": s.year,
        "standards": s.rules.standards,
        "source": s.rules.source,
        "origin": s.origin(),
    })))
}

#[derive(Deserialize)]
struct FundingInput {
    #[serde(default)]
    org: String,
    year: i32,
    kind: String,
    source: String,
    amount_yuan: f64,
    #[serde(default)]
    note: String,
}

fn bad(m: String) -> ApiError {
    ApiError(WebError::BadRequest(m))
}

/// Records (or corrects) a record at `?org=` for `org` of its subtree: `201`, or the
/// refusal.
async fn create(
    State(state): State<AppState>,
    QueryOrg { user, org }: QueryOrg<ApiUser>,
    JsonBody(i): JsonBody<FundingInput>,
) -> ApiResult<Response> {
    let grant = user.actor.grant::<RecordFunding>()?;
    let kind = FundingKind::parse(&i.kind)
        .ok_or_else(|| bad(format!("无法识别的经费类型：{}", i.kind)))?;
    let source = FundingSource::parse(&i.source)
        .ok_or_else(|| bad(format!("无法识别的经费来源：{}", i.source)))?;
    let new = NewFunding {
        org: i.org,
        year: i.year,
        kind,
        source,
        yuan: i.amount_yuan,
        note: i.note,
    };
    match funding::record(&state.app, &grant, &org, &new).await {
        Ok(()) => Ok((StatusCode::CREATED, Json(json!({ "saved": true }))).into_response()),
        Err(e) => refusal(e),
    }
}

#[derive(Deserialize)]
struct StandardsInput {
    from_year: i32,
    standards: Vec<FundingStandard>,
    #[serde(default)]
    source: String,
}

async fn set_standards(
    State(state): State<AppState>,
    QueryOrg { user, .. }: QueryOrg<ApiUser>,
    JsonBody(i): JsonBody<StandardsInput>,
) -> ApiResult<Response> {
    let grant = user.actor.grant::<SetRules>()?;
    let rules = FundingRules {
        standards: i.standards,
        source: if i.source.trim().is_empty() {
            "组织部门设定".into()
        } else {
            i.source.trim().to_string()
        },
    };
    match funding::set_standards(&state.app, &grant, i.from_year, rules).await {
        Ok(s) => Ok(Json(json!({
            "year": s.year,
            "standards": s.rules.standards,
            "source": s.rules.source,
            "origin": s.origin(),
        }))
        .into_response()),
        Err(e) => refusal(e),
    }
}

pub(crate) fn schemas() -> Map<String, Value> {
    let s = |t: &str, d: &str| json!({ "type": t, "description": d });
    let v = json!({
        "FundingOverview": {
            "type": "object",
            "description": "经费保障：org、org_id、year、standards（适用的标准：rules.standards 各领域 domain、层级 level（null 为该领域各层级）、operating_yuan 运转经费标准、collective_income_yuan 村集体经济收入标准；set_by 组织部门设定的人、日期、起始年度，null 为规则集示例）、origin 标准来源、sources 来源（Finance 财政 / Dues 党费 / Collective 集体经济 / Enterprise 企业 / Other 其他）、kinds（各经费类型 kind：Operating 运转经费 / ServiceMasses 服务群众专项经费 / PartyWork 党建工作经费 / DuesReturn 党费返还 / Other 其他 / CollectiveIncome 村集体经济收入，by_source 按来源的分、total、records）、source_totals、received_total（不含村集体经济收入，单位分）、orgs_recorded、judged 适用标准的党组织数、below_count、missing_count（未录入）、shortfall 差额合计（元）、below 与 missing（org_id、org、standard、operating（未录入为 null）、shortfall，各最多200个）、incomes 村集体经济收入、children 各下级党组织及以下的合计（元）、own 本级当年记录",
        },
        "FundingInput": {
            "type": "object",
            "properties": {
                "org": s("string", "经费所属党组织：org 或其下级的 id、组织代码或完整名称（不填为 org）"),
                "year": s("integer", "年度"),
                "kind": s("string", "经费类型：Operating、ServiceMasses、PartyWork、DuesReturn、Other、CollectiveIncome，或中文名称"),
                "source": s("string", "来源：Finance、Dues、Collective、Enterprise、Other，或中文名称"),
                "amount_yuan": s("number", "金额（元，不小于0）"),
                "note": s("string", "备注（选填，200字以内）"),
            },
            "required": ["year", "kind", "source", "amount_yuan"],
        },
        "FundingSaved": {
            "type": "object",
            "properties": { "saved": s("boolean", "已保存（同一党组织、年度、类型和来源只保留一条，再次登记即更正）") },
            "required": ["saved"],
        },
        "FundingStandards": {
            "type": "object",
            "description": "适用于 year 的经费保障标准：standards（domain、level、operating_yuan、collective_income_yuan）、source 依据、origin 来源说明（组织部门设定的人和日期，或规则集的本地示例）",
        },
        "FundingStandardsInput": {
            "type": "object",
            "properties": {
                "from_year": s("integer", "自哪一年度起适用（此前年度不变）"),
                "standards": s("array", "各领域的标准：domain（Village、Community、Organ…）、level（PrimaryCommittee、GeneralBranch、Branch，选填）、operating_yuan、collective_income_yuan（仅村，选填）"),
                "source": s("string", "依据（文件名称、文号）"),
            },
            "required": ["from_year", "standards"],
        },
    });
    match v {
        Value::Object(m) => m,
        _ => Map::new(),
    }
}
