//! 党务公开 and 结对共建 in the JSON API (issue #18): an org's disclosure (its items with
//! their state, its public page's address), publishing a free item or a figure, withdrawing
//! one; a subtree's pairings counted, recording and ending one. The same use cases as the
//! pages (`jiceng_app::disclosure`, `jiceng_app::pairing`); a refusal is a 400 with the
//! reason and the field. The public page itself (`/p/{key}`) is a page, not an API call.

use axum::extract::{Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::Json;
use jiceng_app::access::{Action, PublishDisclosure, RecordPairing};
use jiceng_app::disclosure::{self, Publication};
use jiceng_app::pairing::{self, NewPairing};
use jiceng_domain::disclosure::{Audience, Figure, FreeDraft, ItemKind};
use jiceng_domain::pairing::{PairingDraft, PairingKind};
use serde::Deserialize;
use serde_json::{json, Map, Value};

use crate::api::{refusal, to_json, ApiResult, JsonBody};
use crate::error::{ApiError, WebError};
use crate::extract::QueryOrg;
use crate::pages::pairing::OnParam;
use crate::routes::{Guard, Routes, Subject};
use crate::session::ApiUser;
use crate::AppState;

pub fn routes() -> Routes {
    let read = Guard::May(Action::ReadData);
    let publish = Guard::May(Action::PublishDisclosure);
    let record = Guard::May(Action::RecordPairing);
    Routes::new()
        .get("/disclosure", read, Subject::QueryOrg, board)
        .post("/disclosure", publish, Subject::QueryOrg, publish_item)
        .post("/disclosure/withdraw", publish, Subject::QueryOrg, withdraw)
        .get("/pairing", read, Subject::QueryOrg, overview)
        .post("/pairing", record, Subject::QueryOrg, create_pairing)
        .post("/pairing/end", record, Subject::QueryOrg, end_pairing)
}

fn bad(m: String) -> ApiError {
    ApiError(WebError::BadRequest(m))
}

async fn board(
    State(state): State<AppState>,
    QueryOrg { org, .. }: QueryOrg<ApiUser>,
) -> ApiResult {
    let b = disclosure::board(&state.app, &org).await?;
    let public_path = b.public_key.as_ref().map(|k| format!("/p/{k}"));
    let mut v = serde_json::to_value(&b).expect("serializable");
    v["public_path"] = json!(public_path);
    Ok(Json(v))
}

#[derive(Deserialize)]
struct ItemInput {
    audience: String,
    /// Decision or Notice for a free item; Figure (or absent with `figure`) for a figure.
    #[serde(default)]
    kind: String,
    #[serde(default)]
    title: String,
    #[serde(default)]
    body: String,
    day: Option<chrono::NaiveDate>,
    #[serde(default)]
    figure: String,
    year: Option<i32>,
    survey: Option<i64>,
}

/// Publishes an item of `?org=`: `201 {"id": …, "public_path": …}`, or the refusal.
async fn publish_item(
    State(state): State<AppState>,
    QueryOrg { user, org }: QueryOrg<ApiUser>,
    JsonBody(i): JsonBody<ItemInput>,
) -> ApiResult<Response> {
    let grant = user.actor.grant::<PublishDisclosure>()?;
    let audience = Audience::parse(&i.audience).ok_or_else(|| {
        bad(format!(
            "无法识别的公开范围：{}（Members 或 Public）",
            i.audience
        ))
    })?;
    let what = if !i.figure.trim().is_empty() || i.kind.trim() == ItemKind::Figure.code() {
        let figure = match i.figure.trim() {
            "" => None,
            f => Some(Figure::parse(f).ok_or_else(|| bad(format!("无法识别的公开数据：{f}")))?),
        };
        Publication::Figure {
            figure,
            year: i.year,
            survey: i.survey,
        }
    } else {
        let kind = match i.kind.trim() {
            "" => None,
            k => Some(ItemKind::parse(k).ok_or_else(|| bad(format!("无法识别的类别：{k}")))?),
        };
        Publication::Free(FreeDraft {
            kind,
            title: i.title,
            body: i.body,
            day: i.day,
        })
    };
    match disclosure::publish(&state.app, &grant, &org, Some(audience), &what).await {
        Ok(id) => {
            let path = disclosure::public_path(&state.app, org.org.id).await?;
            Ok((
                StatusCode::CREATED,
                Json(json!({ "id": id, "public_path": path })),
            )
                .into_response())
        }
        Err(e) => refusal(e),
    }
}

#[derive(Deserialize)]
struct WithdrawInput {
    id: i64,
}

/// Withdraws item `id` of `?org=`'s subtree: 204, or the refusal.
async fn withdraw(
    State(state): State<AppState>,
    QueryOrg { user, org }: QueryOrg<ApiUser>,
    JsonBody(i): JsonBody<WithdrawInput>,
) -> ApiResult<Response> {
    let grant = user.actor.grant::<PublishDisclosure>()?;
    match disclosure::withdraw(&state.app, &grant, &org, i.id).await {
        Ok(()) => Ok(StatusCode::NO_CONTENT.into_response()),
        Err(e) => refusal(e),
    }
}

async fn overview(
    State(state): State<AppState>,
    QueryOrg { org, .. }: QueryOrg<ApiUser>,
    Query(q): Query<OnParam>,
) -> ApiResult {
    let on = q.day().map_err(ApiError)?;
    Ok(to_json(&pairing::overview(&state.app, &org, on).await?))
}

#[derive(Deserialize)]
struct PairingInput {
    kind: String,
    #[serde(default)]
    supported: String,
    #[serde(default)]
    partner_org: String,
    #[serde(default)]
    partner_name: String,
    #[serde(default)]
    content: String,
    since: Option<chrono::NaiveDate>,
    until: Option<chrono::NaiveDate>,
}

/// Records a pairing of a grassroots org of `?org=`'s subtree: `201 {"id": …}`.
async fn create_pairing(
    State(state): State<AppState>,
    QueryOrg { user, org }: QueryOrg<ApiUser>,
    JsonBody(i): JsonBody<PairingInput>,
) -> ApiResult<Response> {
    let grant = user.actor.grant::<RecordPairing>()?;
    let kind = PairingKind::parse(&i.kind)
        .ok_or_else(|| bad(format!("无法识别的结对形式：{}", i.kind)))?;
    let new = NewPairing {
        draft: PairingDraft {
            kind: Some(kind),
            partner_name: i.partner_name,
            content: i.content,
            since: i.since,
            until: i.until,
        },
        supported: i.supported,
        partner_org: i.partner_org,
    };
    match pairing::record(&state.app, &grant, &org, &new).await {
        Ok(id) => Ok((StatusCode::CREATED, Json(json!({ "id": id }))).into_response()),
        Err(e) => refusal(e),
    }
}

#[derive(Deserialize)]
struct EndInput {
    id: i64,
    until: Option<chrono::NaiveDate>,
}

/// Ends pairing `id` (blank `until`: today): 204, or the refusal.
async fn end_pairing(
    State(state): State<AppState>,
    QueryOrg { user, org }: QueryOrg<ApiUser>,
    JsonBody(i): JsonBody<EndInput>,
) -> ApiResult<Response> {
    let grant = user.actor.grant::<RecordPairing>()?;
    match pairing::end(&state.app, &grant, &org, i.id, i.until).await {
        Ok(()) => Ok(StatusCode::NO_CONTENT.into_response()),
        Err(e) => refusal(e),
    }
}

pub(crate) fn schemas() -> Map<String, Value> {
    let s = |t: &str, d: &str| json!({ "type": t, "description": d });
    let v = json!({
        "DisclosureBoard": {
            "type": "object",
            "description": "党务公开：org、org_id、public_key 与 public_path（本组织公开页地址 /p/{key}，首次公开后生成；未公开过为 null）、items（本组织的公开事项，最新的在前：id、audience（Members 向党员公开、Public 向社会公开）、kind（Decision、Notice、Figure）、figure（DuesYear、AdmittedYear、SurveyResult、RequestsYear）、title、body、day（数据为计算日期，公开后不再变动）、state（Published、Withdrawn）、published_by、published_at、withdrawn_by、withdrawn_at）、surveys（可公开结果的已结束测评：id、label）、today",
        },
        "DisclosureInput": {
            "type": "object",
            "properties": {
                "audience": s("string", "公开范围：Members（向党员公开，登录后可见）或 Public（在本组织公开页向社会公开，无需登录）"),
                "kind": s("string", "自由事项的类别：Decision（决策事项）或 Notice（通知公告）；公开数据时可为 Figure 或不填"),
                "title": s("string", "标题（自由事项，≤100字）"),
                "body": s("string", "内容（自由事项，≤5000字）"),
                "day": s("string", "日期（自由事项，不晚于今天），如 2026-12-01"),
                "figure": s("string", "公开数据：DuesYear（党费收缴情况）、AdmittedYear（发展党员情况）、RequestsYear（群众诉求办理情况）、SurveyResult（群众满意度测评结果）；公开时按台账计算并固定"),
                "year": s("integer", "年度（DuesYear、AdmittedYear、RequestsYear）"),
                "survey": s("integer", "已结束的本组织测评 id（SurveyResult）"),
            },
            "required": ["audience"],
        },
        "DisclosureCreated": {
            "type": "object",
            "properties": {
                "id": s("integer", "公开事项 id"),
                "public_path": s("string", "本组织公开页地址 /p/{key}"),
            },
            "required": ["id", "public_path"],
        },
        "DisclosureWithdraw": {
            "type": "object",
            "properties": { "id": s("integer", "要撤回的公开事项 id（org 及以下）") },
            "required": ["id"],
        },
        "PairingOverview": {
            "type": "object",
            "description": "结对共建：org、org_id、on 统计日期、by_kind（[结对形式, 数量]，形式为 DepartmentVillage 部门包村、EnterpriseVillage 企业联村、VillageCommunity 村居共建、OrganBranch 机关联支部、Other）、total、covered 有结对的基层党组织数、unpaired_total 与 unpaired（无结对的基层党组织：code、name，最多500个）、pairings（在结对的：id、org_id、org 受援党组织、partner_org_id、partner_name 结对单位、kind、content、since、until、holds、recorded_by）",
        },
        "PairingInput": {
            "type": "object",
            "properties": {
                "kind": s("string", "结对形式：DepartmentVillage、EnterpriseVillage、VillageCommunity、OrganBranch、Other（或中文名称）"),
                "supported": s("string", "受援的基层党组织（org 及以下；id、代码或完整名称；不填为 org 本身）"),
                "partner_org": s("string", "结对的党组织（本系统中的；id、代码或完整名称）"),
                "partner_name": s("string", "或结对单位名称（部门、企业等不在本系统中的）"),
                "content": s("string", "共建内容"),
                "since": s("string", "开始日期"),
                "until": s("string", "结束日期（选填）"),
            },
            "required": ["kind", "content", "since"],
        },
        "PairingCreated": {
            "type": "object",
            "properties": { "id": s("integer", "结对 id") },
            "required": ["id"],
        },
        "PairingEnd": {
            "type": "object",
            "properties": {
                "id": s("integer", "结对 id（受援党组织在 org 及以下）"),
                "until": s("string", "结束日期（不填为今天）"),
            },
            "required": ["id"],
        },
    });
    match v {
        Value::Object(m) => m,
        _ => Map::new(),
    }
}
