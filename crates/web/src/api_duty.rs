//! 述职评议考核 in the JSON API (issue #17): the year's duty reports, integrity reports and
//! departure audits of a subtree with its open problems, the report by org, one record,
//! recording one, and a problem fixed. The same use cases as the pages
//! (`jiceng_app::duties`); a refusal is a 400 with the reason and the field.

use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::Json;
use jiceng_app::access::{Action, RecordDuty, ReportTasks};
use jiceng_app::duties;
use jiceng_app::tasks::files::FILE_MAX;
use jiceng_domain::duty::{DutyDraft, DutyGrading, DutyKind, Votes};
use jiceng_domain::inspection::ProblemDraft;
use serde::Deserialize;
use serde_json::{json, Map, Value};

use crate::api::{refusal, to_json, ApiResult, JsonBody};
use crate::api_inspections::FixInput;
use crate::error::{ApiError, WebError};
use crate::extract::QueryOrg;
use crate::pages::duty::YearParam;
use crate::routes::{Guard, Routes, Subject};
use crate::session::ApiUser;
use crate::AppState;

pub fn routes() -> Routes {
    let read = Guard::May(Action::ReadData);
    Routes::new()
        .get("/duty", read, Subject::QueryOrg, list)
        .get("/duty/report", read, Subject::QueryOrg, report)
        .post(
            "/duty",
            Guard::May(Action::RecordDuty),
            Subject::QueryOrg,
            record,
        )
        .put(
            "/duty/grading",
            Guard::May(Action::SetRules),
            Subject::None,
            set_grading,
        )
        .get("/duty/{id}", read, Subject::Duty, show)
        .post(
            "/duty/{id}/fix",
            Guard::May(Action::ReportTasks),
            Subject::Duty,
            fix,
        )
        .get("/duty/{id}/files/{fid}", read, Subject::Duty, open_file)
        // A scanned report is larger than the general body limit.
        .post_with(
            "/duty/{id}/file",
            Guard::May(Action::RecordDuty),
            Subject::Duty,
            upload_file,
            |m| m.layer(axum::extract::DefaultBodyLimit::max(FILE_MAX)),
        )
}

/// The department's grading of duty reports: the rule as it now reads, or the refusal.
async fn set_grading(
    State(state): State<AppState>,
    user: ApiUser,
    JsonBody(g): JsonBody<DutyGrading>,
) -> ApiResult<Response> {
    let grant = user.actor.grant::<jiceng_app::access::SetRules>()?;
    match duties::set_grading(&state.app, &grant, g).await {
        Ok(r) => Ok(to_json(&json!({
            "grading": DutyGrading::of(&r),
            "rule": r.describe(),
            "source": r.source,
        }))
        .into_response()),
        Err(e) => refusal(e),
    }
}

#[derive(Deserialize)]
struct FileName {
    #[serde(default)]
    name: String,
}

/// The record's report as a file (the request body, named `?name=`): 201 with the file as
/// kept, or the refusal.
async fn upload_file(
    State(state): State<AppState>,
    Path(id): Path<i64>,
    QueryOrg { user, org }: QueryOrg<ApiUser>,
    Query(p): Query<FileName>,
    body: axum::body::Bytes,
) -> ApiResult<Response> {
    let grant = user.actor.grant::<RecordDuty>()?;
    match duties::attach(&state.app, &grant, &org, id, &p.name, &body).await {
        Ok(f) => Ok((StatusCode::CREATED, to_json(&f)).into_response()),
        Err(e) => refusal(e),
    }
}

/// A record's file, as kept.
async fn open_file(
    State(state): State<AppState>,
    Path((id, fid)): Path<(i64, i64)>,
    user: ApiUser,
) -> ApiResult<Response> {
    let (f, bytes) = duties::open_file(&state.app, &user.actor, id, fid).await?;
    Ok(crate::pages::stored_file(&f.name, &f.content_type, bytes))
}

async fn list(
    State(state): State<AppState>,
    QueryOrg { org, .. }: QueryOrg<ApiUser>,
    Query(q): Query<YearParam>,
) -> ApiResult {
    let year = q.year(&state).map_err(ApiError)?;
    Ok(to_json(&duties::list(&state.app, &org, year).await?))
}

async fn report(
    State(state): State<AppState>,
    QueryOrg { org, .. }: QueryOrg<ApiUser>,
    Query(q): Query<YearParam>,
) -> ApiResult {
    let year = q.year(&state).map_err(ApiError)?;
    Ok(to_json(&duties::report(&state.app, &org, year).await?))
}

async fn show(
    State(state): State<AppState>,
    Path(id): Path<i64>,
    QueryOrg { org, .. }: QueryOrg<ApiUser>,
) -> ApiResult {
    Ok(to_json(&duties::get(&state.app, &org, id).await?))
}

#[derive(Deserialize)]
struct DutyInput {
    kind: String,
    year: Option<i32>,
    #[serde(default)]
    person: String,
    #[serde(default)]
    position: String,
    on: Option<chrono::NaiveDate>,
    #[serde(default)]
    meeting: String,
    from: Option<chrono::NaiveDate>,
    to: Option<chrono::NaiveDate>,
    #[serde(default)]
    report: String,
    #[serde(default)]
    votes: Votes,
    #[serde(default)]
    problems: Vec<ProblemDraft>,
}

/// Records a duty report, integrity report or departure audit of `?org=`:
/// `201 {"id": …}`, or the refusal.
async fn record(
    State(state): State<AppState>,
    QueryOrg { user, org }: QueryOrg<ApiUser>,
    JsonBody(i): JsonBody<DutyInput>,
) -> ApiResult<Response> {
    let grant = user.actor.grant::<RecordDuty>()?;
    let kind = DutyKind::parse(&i.kind)
        .ok_or_else(|| ApiError(WebError::BadRequest(format!("无法识别的类别：{}", i.kind))))?;
    let d = DutyDraft {
        kind,
        year: i.year,
        person: i.person,
        position: i.position,
        on: i.on,
        meeting: i.meeting,
        from: i.from,
        to: i.to,
        report: i.report,
        votes: i.votes,
        problems: i.problems,
    };
    match duties::record(&state.app, &grant, &org, &d).await {
        Ok(id) => Ok((StatusCode::CREATED, Json(json!({ "id": id }))).into_response()),
        Err(e) => refusal(e),
    }
}

/// Problem `seq` of the record fixed: `204`, or the refusal.
async fn fix(
    State(state): State<AppState>,
    Path(id): Path<i64>,
    QueryOrg { user, org }: QueryOrg<ApiUser>,
    JsonBody(f): JsonBody<FixInput>,
) -> ApiResult<Response> {
    let grant = user.actor.grant::<ReportTasks>()?;
    match duties::fix(&state.app, &grant, &org, id, f.seq, f.fixed_on, &f.note).await {
        Ok(()) => Ok(StatusCode::NO_CONTENT.into_response()),
        Err(e) => refusal(e),
    }
}

pub(crate) fn schemas() -> Map<String, Value> {
    let s = |t: &str, d: &str| json!({ "type": t, "description": d });
    let date = |d: &str| json!({ "type": "string", "format": "date", "description": d });
    let v = json!({
        "DutyList": {
            "type": "object",
            "description": "述职评议考核：org、year、records（本年度本组织及以下的记录，最多200条：id、kind（Duty 述职评议考核 / Integrity 述职述廉 / Departure 离任审计）、org、by_org_name 登记单位、year、person、position、held_on、meeting（会议或审计单位）、period_from、period_to、report、votes（good、fairly_good、average、poor）、grade（Good 好 / FairlyGood 较好 / Average 一般 / Poor 差，未测评为 null）、score 测评平均分、problems（seq、description、owner、deadline、status、fixed_on、fix_note））、open（本组织及以下待整改的问题）、grades（本年度述职评议考核按好、较好、一般、差计数）",
        },
        "DutyGrading": {
            "type": "object",
            "properties": {
                "good_min": s("number", "“好”的最低平均分"),
                "fairly_good_min": s("number", "“较好”的最低平均分"),
                "average_min": s("number", "“一般”的最低平均分，低于此为差"),
                "poor_share_max": s("number", "“差”票超过此比例（0–1）定为差"),
            },
            "required": ["good_min", "fairly_good_min", "average_min", "poor_share_max"],
        },
        "DutyGradingSet": {
            "type": "object",
            "properties": {
                "grading": { "$ref": "#/components/schemas/DutyGrading" },
                "rule": s("string", "规则的文字说明"),
                "source": s("string", "来源（组织部门设定者和日期）"),
            },
        },
        "DutyRecord": {
            "type": "object",
            "description": "一条述职评议考核、述职述廉或离任审计记录，字段同 DutyList.records；files 为上传的报告原文（RecordFile：id、name、size……，GET /duty/{id}/files/{fid} 读取）",
        },
        "DutyReport": {
            "type": "object",
            "description": "按党组织汇总本年度记录：org、year、as_of、lines（org、grade 最近一次述职评议等次、duty、integrity、departure 各类记录数、problems 指出问题、open 待整改、overdue 逾期未整改）",
        },
        "DutyInput": {
            "type": "object",
            "properties": {
                "kind": s("string", "Duty（述职评议考核）、Integrity（述职述廉）、Departure（离任审计），或中文名称"),
                "year": s("integer", "述职的年度（离任审计不填，取审计日期的年度）"),
                "person": s("string", "述职人或离任干部姓名"),
                "position": s("string", "职务"),
                "on": date("述职日期或审计日期（不晚于今天）"),
                "meeting": s("string", "述职的会议，或审计单位"),
                "from": date("离任审计：任职起始日期"),
                "to": date("离任审计：离任日期"),
                "report": s("string", "述职报告（要点）或审计发现的情况"),
                "votes": { "type": "object", "description": "测评票数：good 好、fairly_good 较好、average 一般、poor 差（述职评议考核必填，离任审计不填）" },
                "problems": { "type": "array", "items": { "type": "object" }, "description": "指出的问题：description、owner（整改责任人）、deadline（整改时限，不早于述职或审计日期）" },
            },
            "required": ["kind", "person", "position", "on", "meeting", "report"],
        },
        "DutyCreated": {
            "type": "object",
            "properties": { "id": s("integer", "记录 id") },
            "required": ["id"],
        },
    });
    match v {
        Value::Object(m) => m,
        _ => Map::new(),
    }
}
