//! 党费 in the JSON API: an org's 党费收缴表 for a month, payments and 上缴 recorded, a
//! member's base (核定), payments and 撤销, and the 收缴统计. The same use cases as the pages
//! (`jiceng_app::dues`); a refusal is a 400 with the reason and the field.

use axum::extract::{Path, Query, State};
use axum::response::{IntoResponse, Response};
use axum::Json;
use jiceng_app::access::{Action, RecordDues};
use jiceng_app::dues::{self, BaseInput, HandoverInput, PayInput};
use jiceng_domain::Period;
use serde::Deserialize;
use serde_json::{json, Value};

use crate::api::{bad, refusal, to_json, ApiResult, JsonBody};
use crate::error::ApiError;
use crate::extract::QueryOrg;
use crate::routes::{Guard, Routes, Subject};
use crate::session::ApiUser;
use crate::AppState;

pub fn routes() -> Routes {
    let may = Guard::May(Action::RecordDues);
    let read = Guard::May(Action::ReadData);
    Routes::new()
        .get("/dues", read, Subject::QueryOrg, sheet)
        .post("/dues/payments", may, Subject::QueryOrg, pay)
        .post("/dues/handover", may, Subject::QueryOrg, handover)
        .get("/reports/dues", read, Subject::QueryOrg, report)
        .post("/members/{id}/dues/base", may, Subject::Member, base)
        .post(
            "/members/{id}/dues/payments",
            may,
            Subject::Member,
            member_pay,
        )
        .post("/members/{id}/dues/unpay", may, Subject::Member, unpay)
}

#[derive(Deserialize)]
struct MonthQuery {
    #[serde(default)]
    month: Option<String>,
}

fn month(raw: Option<&str>, today: chrono::NaiveDate) -> Result<Period, ApiError> {
    match raw.map(str::trim).filter(|s| !s.is_empty()) {
        None => Ok(Period::month_of(today)),
        Some(s) => match Period::parse(s) {
            Ok(p @ Period::Month(..)) => Ok(p),
            _ => Err(bad(format!("无法识别的月份“{s}”（应为 2026-08）"))),
        },
    }
}

async fn sheet(
    State(state): State<AppState>,
    QueryOrg { org, .. }: QueryOrg<ApiUser>,
    Query(q): Query<MonthQuery>,
) -> ApiResult {
    let m = month(q.month.as_deref(), state.app.today())?;
    Ok(to_json(&dues::sheet(&state.app, &org, m).await?))
}

/// Records payments of the org's own members: `200` with how many months were recorded.
async fn pay(
    State(state): State<AppState>,
    QueryOrg { user, org }: QueryOrg<ApiUser>,
    JsonBody(input): JsonBody<PayInput>,
) -> ApiResult<Response> {
    let grant = user.actor.grant::<RecordDues>()?;
    match dues::pay(&state.app, &grant, &org, &input).await {
        Ok(n) => Ok(Json(json!({ "recorded": n })).into_response()),
        Err(e) => refusal(e),
    }
}

async fn handover(
    State(state): State<AppState>,
    QueryOrg { user, org }: QueryOrg<ApiUser>,
    JsonBody(input): JsonBody<HandoverInput>,
) -> ApiResult<Response> {
    let grant = user.actor.grant::<RecordDues>()?;
    match dues::hand_over(&state.app, &grant, &org, &input).await {
        Ok(()) => Ok(Json(json!({ "recorded": 1 })).into_response()),
        Err(e) => refusal(e),
    }
}

#[derive(Deserialize)]
struct PeriodQuery {
    #[serde(default)]
    period: Option<String>,
}

/// The 收缴统计 for `?period=` (a month or a year; default this year), as `jiceng report
/// dues --format json`.
async fn report(
    State(state): State<AppState>,
    QueryOrg { org, .. }: QueryOrg<ApiUser>,
    Query(q): Query<PeriodQuery>,
) -> ApiResult {
    let today = state.app.today();
    let raw = q
        .period
        .filter(|p| !p.trim().is_empty())
        .unwrap_or_else(|| chrono::Datelike::year(&today).to_string());
    let period = crate::parse::parse_period(Some(&raw), today).map_err(bad)?;
    Ok(to_json(&dues::overview(&state.app, &org, period).await?))
}

/// The member's page as it now reads (its `dues` part), after a write.
async fn member_page(state: &AppState, user: &ApiUser, id: i64) -> ApiResult<Response> {
    Ok(
        to_json(&jiceng_app::browse::member_view(&state.app, &user.actor, id).await?)
            .into_response(),
    )
}

async fn base(
    State(state): State<AppState>,
    user: ApiUser,
    Path(id): Path<i64>,
    JsonBody(input): JsonBody<BaseInput>,
) -> ApiResult<Response> {
    let grant = user.actor.grant::<RecordDues>()?;
    match dues::set_base(&state.app, &grant, id, &input).await {
        Ok(_) => member_page(&state, &user, id).await,
        Err(e) => refusal(e),
    }
}

async fn member_pay(
    State(state): State<AppState>,
    user: ApiUser,
    Path(id): Path<i64>,
    JsonBody(input): JsonBody<PayInput>,
) -> ApiResult<Response> {
    let grant = user.actor.grant::<RecordDues>()?;
    match dues::pay_member(&state.app, &grant, id, &input).await {
        Ok(_) => member_page(&state, &user, id).await,
        Err(e) => refusal(e),
    }
}

#[derive(Deserialize)]
struct UnpayBody {
    month: String,
}

async fn unpay(
    State(state): State<AppState>,
    user: ApiUser,
    Path(id): Path<i64>,
    JsonBody(b): JsonBody<UnpayBody>,
) -> ApiResult<Response> {
    let grant = user.actor.grant::<RecordDues>()?;
    match dues::unpay(&state.app, &grant, id, &b.month).await {
        Ok(()) => member_page(&state, &user, id).await,
        Err(e) => refusal(e),
    }
}

/// The schemas of 党费 in the OpenAPI document.
pub(crate) fn schemas() -> serde_json::Map<String, Value> {
    let s = |t: &str, d: &str| json!({ "type": t, "description": d });
    let date = |d: &str| json!({ "type": "string", "format": "date", "description": d });
    let all = json!({
        "DuesSheet": {
            "type": "object",
            "description": "党费收缴表（本组织直属党员，一个月）：month、running（本月未结束，未交不计欠交）；rows 每人 name、id_number（脱敏）、category（党费类别，未核定为 null）、base_yuan、due_yuan（每月应交）、paid、paid_yuan、paid_on、arrears_months、arrears_yuan（截至上月的欠交）、unpaid_run、flagged（连续未交满规定月数）；assessed、due_yuan、paid_members、paid_yuan、unassessed、flagged；handed_yuan、handed_on（上缴）；subtree（含下级的存储统计）",
        },
        "DuesOverview": {
            "type": "object",
            "description": "党费收缴统计（与 jiceng report dues --format json 相同）：period、months（逐月）、total 与 by_child（每个直属下级）的 members（核定人数）、due_fen/due_yuan（应交）、paid_members（交纳人次）、paid_fen/paid_yuan（实交）、rate（收缴率%）、flagged；handed_yuan（上缴）；flagged_total 与 flagged（连续未交纳满规定月数的党员，身份证号脱敏，最多200人）",
        },
        "DuesPayInput": {
            "type": "object",
            "properties": {
                "member_ids": { "type": "array", "items": { "type": "integer" }, "description": "交纳的党员 id（本组织直属党员；按党员登记时忽略）" },
                "from_month": s("string", "起始月份 2026-01"),
                "to_month": s("string", "截止月份（一次交纳多月时）"),
                "paid_on": date("交纳日期"),
                "amount": s("string", "实交金额（元，仅一人时；不填按每月应交）"),
            },
            "required": ["member_ids", "from_month", "paid_on"],
        },
        "DuesBaseInput": {
            "type": "object",
            "properties": {
                "from_month": s("string", "自何月起 2026-01"),
                "category": s("string", "salaried（在职）、retired（离退休）、farmer（农民）、student（学生）、unemployed（下岗失业）、relief（享受最低生活保障），或中文"),
                "amount": s("string", "税后月工资、养老金或农民党员月交纳额（元）"),
            },
            "required": ["from_month", "category"],
        },
        "DuesHandoverInput": {
            "type": "object",
            "properties": {
                "month": s("string", "月份 2026-11"),
                "amount": s("string", "上缴金额（元）"),
                "handed_on": date("上缴日期"),
            },
            "required": ["month", "amount", "handed_on"],
        },
        "DuesMonth": {
            "type": "object",
            "properties": { "month": s("string", "撤销交纳记录的月份 2026-11") },
            "required": ["month"],
        },
    });
    match all {
        Value::Object(m) => m,
        _ => unreachable!("an object literal"),
    }
}
