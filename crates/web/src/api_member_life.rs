//! A member's life after admission in the JSON API (SPEC C3): 组织关系转接 — an org's
//! letters, one letter, issuing a letter for a member, the receiving org's 接收 and 退回, the
//! sender's 撤回 and 回执, a letter from outside the system, the report — and 出党登记. The
//! same use cases as the pages (`jiceng_app::transfer`, `jiceng_app::member_exit`); a
//! refusal is a 400 with the reason and the field.

use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::Json;
use chrono::NaiveDate;
use jiceng_app::access::{Action, TransferMembers, Write};
use jiceng_app::member_exit::{self, ExitInput};
use jiceng_app::transfer::{self, Arrival, NewLetter};
use jiceng_app::AppError;
use serde::Deserialize;
use serde_json::{json, Value};

use crate::api::{refusal, to_json, ApiResult, JsonBody};
use crate::extract::QueryOrg;
use crate::routes::{Guard, Routes, Subject};
use crate::session::ApiUser;
use crate::AppState;

pub fn routes() -> Routes {
    let may = Guard::May(Action::TransferMembers);
    let mut routes = Routes::new();
    for action in transfer::Decision::ACTIONS {
        let path = format!("/transfers/{{id}}/{action}");
        let handler = move |State(state): State<AppState>,
                            user: ApiUser,
                            Path(id): Path<i64>,
                            JsonBody(b): JsonBody<DecisionBody>| async move {
            decide(state, user, id, b, action).await
        };
        routes = routes.post(&path, may, Subject::Transfer, handler);
    }
    routes
        .get(
            "/transfers",
            Guard::May(Action::ReadData),
            Subject::QueryOrg,
            letters,
        )
        .post("/transfers/in", may, Subject::QueryOrg, arrive)
        .get(
            "/transfers/{id}",
            Guard::May(Action::ReadData),
            Subject::Transfer,
            letter,
        )
        .post("/members/{id}/transfer", may, Subject::Member, issue)
        .post(
            "/members/{id}/exit",
            Guard::May(Action::Write),
            Subject::Member,
            exit,
        )
        .get(
            "/mobility",
            Guard::May(Action::ReadData),
            Subject::QueryOrg,
            mobility_list,
        )
        .post(
            "/members/{id}/mobility",
            Guard::May(Action::Write),
            Subject::Member,
            mobility_record,
        )
        .get(
            "/mobility/in",
            Guard::May(Action::ReadData),
            Subject::QueryOrg,
            guests,
        )
        .post(
            "/mobility/in",
            Guard::May(Action::Write),
            Subject::QueryOrg,
            register_guest,
        )
        .post(
            "/mobility/in/leave",
            Guard::May(Action::Write),
            Subject::QueryOrg,
            guest_leaves,
        )
        .get(
            "/reports/transfers",
            Guard::May(Action::ReadData),
            Subject::QueryOrg,
            report,
        )
}

/// Records a member's exit: `200` with the member's page as it now reads, or the refusal.
async fn exit(
    State(state): State<AppState>,
    user: ApiUser,
    Path(id): Path<i64>,
    JsonBody(input): JsonBody<ExitInput>,
) -> ApiResult<Response> {
    let grant = user.actor.grant::<Write>()?;
    match member_exit::record_exit(&state.app, &grant, id, &input).await {
        Ok(()) => Ok(
            to_json(&jiceng_app::browse::member_view(&state.app, &user.actor, id).await?)
                .into_response(),
        ),
        Err(e) => refusal(e),
    }
}

async fn mobility_list(
    State(state): State<AppState>,
    QueryOrg { org, .. }: QueryOrg<ApiUser>,
) -> ApiResult {
    Ok(to_json(
        &jiceng_app::mobility::mobility(&state.app, &org).await?,
    ))
}

/// Records 外出, 返回, 失联, 恢复联系 or 停止党籍: `200` with the member's page, or the refusal.
async fn mobility_record(
    State(state): State<AppState>,
    user: ApiUser,
    Path(id): Path<i64>,
    JsonBody(input): JsonBody<jiceng_app::mobility::MobilityInput>,
) -> ApiResult<Response> {
    let grant = user.actor.grant::<Write>()?;
    match jiceng_app::mobility::record(&state.app, &grant, id, &input).await {
        Ok(()) => Ok(
            to_json(&jiceng_app::browse::member_view(&state.app, &user.actor, id).await?)
                .into_response(),
        ),
        Err(e) => refusal(e),
    }
}

#[derive(Deserialize)]
struct GuestsQuery {
    #[serde(default)]
    all: bool,
}

/// The 流入党员 of the subtree: those taking part now (`?all=true`: also those who left).
async fn guests(
    State(state): State<AppState>,
    QueryOrg { org, .. }: QueryOrg<ApiUser>,
    Query(q): Query<GuestsQuery>,
) -> ApiResult {
    Ok(to_json(
        &jiceng_app::mobile_in::of_org(&state.app, &org, q.all).await?,
    ))
}

/// Registers a 流入党员 at the branch `?org=`: `201` with the registration's id, or the
/// refusal.
async fn register_guest(
    State(state): State<AppState>,
    QueryOrg { org, user }: QueryOrg<ApiUser>,
    JsonBody(input): JsonBody<jiceng_app::mobile_in::GuestInput>,
) -> ApiResult<Response> {
    let grant = user.actor.grant::<Write>()?;
    match jiceng_app::mobile_in::register(&state.app, &grant, &org, &input).await {
        Ok(id) => Ok((StatusCode::CREATED, Json(json!({ "id": id }))).into_response()),
        Err(e) => refusal(e),
    }
}

#[derive(Deserialize)]
struct LeaveBody {
    id: i64,
    on: NaiveDate,
}

/// Records that a 流入党员 of the subtree left: `200` with the subtree's 流入党员 as they now
/// stand, or the refusal.
async fn guest_leaves(
    State(state): State<AppState>,
    QueryOrg { org, user }: QueryOrg<ApiUser>,
    JsonBody(b): JsonBody<LeaveBody>,
) -> ApiResult<Response> {
    let grant = user.actor.grant::<Write>()?;
    match jiceng_app::mobile_in::leave(&state.app, &grant, &org, b.id, b.on).await {
        Ok(()) => Ok(
            to_json(&jiceng_app::mobile_in::of_org(&state.app, &org, false).await?).into_response(),
        ),
        Err(e) => refusal(e),
    }
}

#[derive(Deserialize)]
struct PeriodQuery {
    #[serde(default)]
    period: Option<String>,
}

/// The report of the subtree for `?period=` (default: this month), as `jiceng report
/// transfers --format json`.
async fn report(
    State(state): State<AppState>,
    QueryOrg { org, .. }: QueryOrg<ApiUser>,
    Query(q): Query<PeriodQuery>,
) -> ApiResult {
    let period = crate::parse::parse_period(q.period.as_deref(), state.app.today())
        .map_err(crate::api::bad)?;
    Ok(to_json(
        &jiceng_app::reports::transfers::run(&state.app, &org, period).await?,
    ))
}

/// A use case's refusal as `400 {"error", "field"}`; anything else as itself.
/// A decision's answer: the letter as it now stands, or the refusal.
async fn decided(
    state: &AppState,
    user: &ApiUser,
    id: i64,
    r: Result<(), AppError>,
) -> ApiResult<Response> {
    match r {
        Ok(()) => {
            Ok(to_json(&transfer::letter(&state.app, &user.actor, id).await?).into_response())
        }
        Err(e) => refusal(e),
    }
}

async fn letters(
    State(state): State<AppState>,
    QueryOrg { user, org }: QueryOrg<ApiUser>,
) -> ApiResult {
    Ok(to_json(
        &transfer::letters(&state.app, &user.actor, &org).await?,
    ))
}

async fn letter(State(state): State<AppState>, user: ApiUser, Path(id): Path<i64>) -> ApiResult {
    Ok(to_json(
        &transfer::letter(&state.app, &user.actor, id).await?,
    ))
}

async fn issue(
    State(state): State<AppState>,
    user: ApiUser,
    Path(id): Path<i64>,
    JsonBody(new): JsonBody<NewLetter>,
) -> ApiResult<Response> {
    let grant = user.actor.grant::<TransferMembers>()?;
    match transfer::issue(&state.app, &grant, id, &new).await {
        Ok(t) => Ok((
            StatusCode::CREATED,
            to_json(&transfer::letter(&state.app, &user.actor, t).await?),
        )
            .into_response()),
        Err(e) => refusal(e),
    }
}

/// The body of a decision: the day (接收, 回执) and the reason (退回, 撤回) or the
/// receipt's words (回执).
#[derive(Deserialize)]
struct DecisionBody {
    #[serde(default)]
    on: Option<NaiveDate>,
    #[serde(default)]
    reason: Option<String>,
    #[serde(default)]
    note: Option<String>,
}

/// 接收, 退回, 撤回 or 回执 (`action`), each a route of its own.
async fn decide(
    state: AppState,
    user: ApiUser,
    id: i64,
    b: DecisionBody,
    action: &str,
) -> ApiResult<Response> {
    let grant = user.actor.grant::<TransferMembers>()?;
    let words = b.reason.or(b.note).unwrap_or_default();
    let r = match transfer::Decision::parse(action, b.on, &words) {
        Ok(d) => transfer::decide(&state.app, &grant, id, &d).await,
        Err(e) => Err(e),
    };
    decided(&state, &user, id, r).await
}

async fn arrive(
    State(state): State<AppState>,
    QueryOrg { user, org }: QueryOrg<ApiUser>,
    JsonBody(a): JsonBody<Arrival>,
) -> ApiResult<Response> {
    let grant = user.actor.grant::<TransferMembers>()?;
    match transfer::arrive(&state.app, &grant, &org, &a).await {
        Ok(id) => Ok((StatusCode::CREATED, Json(json!({ "member_id": id }))).into_response()),
        Err(e) => refusal(e),
    }
}

/// The schemas of 组织关系转接 in the OpenAPI document.
pub(crate) fn schemas() -> serde_json::Map<String, Value> {
    let s = |t: &str, d: &str| json!({ "type": t, "description": d });
    let date = |d: &str| json!({ "type": "string", "format": "date", "description": d });
    let letter = json!({
        "type": "object",
        "description": "一封组织关系介绍信，从读者一方看：id、letter_no、issued_on、valid_until（有效期至）、from、to、outside（系统外去向/来源）、reason、state（待接收/已接收/已退回/已撤回/已回执）、state_code、person（介绍信所载：姓名、性别、民族、出生日期、脱敏身份证号、人员类别、入党与转正日期）、decided_on、decision_note、overdue（逾期未接收）、days_left、member_id（读者可查看该党员时）、side（sender/receiver/both）、can_receive、can_return、can_withdraw、can_close",
    });
    let list = |d: &str| json!({ "type": "array", "items": { "$ref": "#/components/schemas/TransferLetter" }, "description": d });
    let all = json!({
        "TransferLetter": letter,
        "TransferLetters": {
            "type": "object",
            "properties": {
                "incoming": list("本级及下级待接收的介绍信（最早的在前，最多200封）"),
                "outgoing": list("本级及下级转出、尚未办结（待接收或被退回）的介绍信"),
                "recent": list("近90天办结的介绍信（两端）"),
                "incoming_total": s("integer", "待接收总数"),
                "incoming_overdue": s("integer", "待接收中已过有效期的"),
                "outgoing_total": s("integer", "转出未办结总数"),
                "outgoing_overdue": s("integer", "转出逾期未被接收的"),
            },
            "required": ["incoming", "outgoing", "recent", "incoming_total"],
        },
        "NewLetter": {
            "type": "object",
            "properties": {
                "to": s("string", "接收党组织：组织代码、完整名称或 id（本系统内任何党组织）"),
                "outside": s("string", "转往系统外时：other_system、army、abroad、other（或中文）"),
                "to_name": s("string", "系统外接收单位名称"),
                "letter_no": s("string", "介绍信编号（不填由系统编号）"),
                "issued_on": date("开具日期"),
                "reason": s("string", "转接原因"),
            },
            "required": ["issued_on", "reason"],
        },
        "TransferDay": {
            "type": "object",
            "properties": { "on": date("接收或回执日期"), "note": s("string", "回执说明") },
            "required": ["on"],
        },
        "TransferReason": {
            "type": "object",
            "properties": { "reason": s("string", "退回或撤回原因") },
        },
        "TransferArrival": {
            "type": "object",
            "properties": {
                "name": s("string", "姓名"),
                "id_number": s("string", "公民身份号码"),
                "ethnicity": s("string", "民族"),
                "education": s("string", "学历"),
                "status": s("string", "正式党员或预备党员"),
                "joined_on": date("入党日期"),
                "full_on": date("转正日期"),
                "phone": s("string", "联系电话"),
                "outside": s("string", "来源：other_system、army、abroad、other"),
                "from_name": s("string", "开具介绍信的党组织"),
                "letter_no": s("string", "介绍信编号"),
                "issued_on": date("介绍信开具日期"),
                "received_on": date("接收日期"),
                "reason": s("string", "转接原因"),
            },
            "required": ["name", "id_number", "status", "joined_on", "from_name", "letter_no", "issued_on", "received_on"],
        },
        "TransfersReport": {
            "type": "object",
            "description": "组织关系转接报表（与 jiceng report transfers --format json 相同）：org、period、from、to、as_of；totals 与 by_child（每个直属下级）的 issued_out（开具转出）、left（转出办结）、arrived（转入）、returned（被退回）、waiting_out、overdue_out、waiting_in、overdue_in；overdue（逾期未接收的介绍信，身份证号脱敏）。同一范围内部的调动不计入该范围的转出、转入",
        },
        "ExitInput": {
            "type": "object",
            "properties": {
                "kind": s("string", "出党方式：death（死亡）、withdrawal（退党）、persuaded（劝退）、removal（除名）、expulsion（开除党籍）、self_lapse（自行脱党）、probation_cancelled（取消预备党员资格），或中文"),
                "on": date("出党日期"),
                "decided_by": s("string", "作出决定的党组织（死亡以外必填）"),
                "document": s("string", "文号"),
                "note": s("string", "说明"),
            },
            "required": ["kind", "on"],
        },
        "MobilityInput": {
            "type": "object",
            "properties": {
                "action": s("string", "away（外出）、back（返回）、lost（失联）、found（恢复联系）、suspend（停止党籍决定）"),
                "on": date("日期"),
                "place": s("string", "外出地点（外出时必填）"),
                "contact": s("string", "联系电话"),
                "certificate_no": s("string", "流动党员活动证号"),
                "decided_by": s("string", "作出停止党籍决定的党组织"),
                "document": s("string", "文号"),
            },
            "required": ["action", "on"],
        },
        "Mobility": {
            "type": "object",
            "description": "本级及下级外出（away）和失联（lost）党员，每人含 since、place、contact（脱敏）、certificate_no、suspended_on、proposal（按规定应由支部研究的事项：外出满6个月应转移组织关系、失联满6个月应启动停止党籍程序、停止党籍满2年应启动除名程序）；transfer_due、suspension、removal 为人数；incoming：在本级及下级党支部参加组织生活的流入党员（无表决权，不计入本组织党员），incoming_total 为人数；lapse：按最近已结束的规定月数内的会议签到和党费记录，可能属于自行脱党的党员（cases，每人 reasons：未参加组织生活、未交纳党费；judged 为 false 时党员过多未判断；attendance_unrecorded：所在支部未登记出席名单、未判断组织生活的人数），提交党支部研究，不自动处理",
        },
        "GuestInput": {
            "type": "object",
            "properties": {
                "name": s("string", "姓名"),
                "id_number": s("string", "公民身份号码"),
                "home_org": s("string", "组织关系所在党组织（本系统内的党员按身份证号自动关联，可不填）"),
                "since": date("流入日期：开始在本支部参加组织生活的日期"),
                "contact": s("string", "联系电话"),
                "certificate_no": s("string", "流动党员活动证号"),
            },
            "required": ["name", "id_number", "since"],
        },
        "GuestLeave": {
            "type": "object",
            "properties": {
                "id": s("integer", "流入党员登记 id"),
                "on": date("离开日期"),
            },
            "required": ["id", "on"],
        },
        "Guests": {
            "type": "array",
            "description": "流入党员：id、name、id_number（脱敏）、org_id 和 org_name（参加组织生活的党支部）、home_org（组织关系所在党组织）、linked（组织关系在本系统内）、since、until、contact（脱敏）、certificate_no",
            "items": { "type": "object" },
        },
        "ArrivedMember": {
            "type": "object",
            "properties": { "member_id": s("integer", "列入名册的党员 id") },
            "required": ["member_id"],
        },
    });
    match all {
        Value::Object(m) => m,
        _ => unreachable!("an object literal"),
    }
}
