//! The JSON API of rating, weak organizations and rectification (SPEC C5), through the
//! same use cases as the pages: ratings of a subtree and year (distribution by stars, at
//! the root and per direct child) and of one org with its indicators and evidence; the
//! hand adjustment; the weak-org report and its summary; confirm / dismiss; the
//! rectification report, overdue measures, stalled cases, one case and each step.
//!
//! `{id}` is an org's id or code; outside the user's subtree it is 404 (`PathOrg`,
//! `QueryOrg`); who may write is the permission table's (`Grant`).

use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::Json;
use chrono::{Datelike, NaiveDate};
use jiceng_app::access::{self, Action, OrgKey};
use jiceng_app::rectification;
use jiceng_app::reports::{rectification as rect_report, weak as weak_report};
use jiceng_app::{rating, weak, AppError};
use jiceng_domain::rectification::{NewMeasure, ReviewOutcome};
use jiceng_domain::WeaknessKind;
use serde::Deserialize;
use serde_json::Value;

use crate::api::{bad, to_json, ApiResult, JsonBody};
use crate::error::{ApiError, WebError};
use crate::extract::{PathOrg, QueryOrg};
use crate::routes::{Guard, Routes, Subject};
use crate::session::ApiUser;
use crate::AppState;

pub fn routes() -> Routes {
    Routes::new()
        .get(
            "/ratings",
            Guard::May(Action::ReadData),
            Subject::QueryOrg,
            ratings,
        )
        .post("/ratings", Guard::May(Action::Rate), Subject::None, rate)
        .get(
            "/orgs/{id}/rating",
            Guard::May(Action::ReadData),
            Subject::Org,
            org_rating,
        )
        .post(
            "/orgs/{id}/rating/adjust",
            Guard::May(Action::AdjustRating),
            Subject::Org,
            adjust,
        )
        .get(
            "/weak",
            Guard::May(Action::ReadData),
            Subject::QueryOrg,
            weak_list,
        )
        .get(
            "/weak/summary",
            Guard::May(Action::ReadData),
            Subject::QueryOrg,
            weak_summary,
        )
        .get(
            "/orgs/{id}/weak",
            Guard::May(Action::ReadData),
            Subject::Org,
            diagnosis,
        )
        .post(
            "/orgs/{id}/weak/{decision}",
            Guard::May(Action::DecideWeakness),
            Subject::Org,
            decide,
        )
        .get(
            "/rectification",
            Guard::May(Action::ReadData),
            Subject::QueryOrg,
            rect_list,
        )
        .get(
            "/rectification/overdue",
            Guard::May(Action::ReadData),
            Subject::QueryOrg,
            overdue,
        )
        .get(
            "/rectification/stalled",
            Guard::May(Action::ReadData),
            Subject::QueryOrg,
            stalled,
        )
        .get(
            "/orgs/{id}/rectification",
            Guard::May(Action::ReadData),
            Subject::Org,
            case,
        )
        .post(
            "/orgs/{id}/rectification/{step}",
            Guard::May(Action::ReportProgress),
            Subject::Org,
            step,
        )
}

fn year_of(state: &AppState, year: Option<i32>) -> i32 {
    year.unwrap_or_else(|| state.app.today().year())
}

#[derive(Deserialize)]
struct YearQuery {
    year: Option<i32>,
}

/// A handler reading one report of the org its request names (`$org`: `PathOrg` or
/// `QueryOrg`) and a year (`?year=`, default this year), answered as JSON.
macro_rules! year_read {
    ($name:ident, $org:ident, $read:path) => {
        async fn $name(
            State(state): State<AppState>,
            $org { org, .. }: $org<ApiUser>,
            Query(q): Query<YearQuery>,
        ) -> ApiResult {
            Ok(to_json(
                &$read(&state.app, &org, year_of(&state, q.year)).await?,
            ))
        }
    };
}

year_read!(org_rating, PathOrg, rating::org_rating);
year_read!(weak_list, QueryOrg, weak_report::run);
year_read!(weak_summary, QueryOrg, weak_report::summary);
year_read!(diagnosis, PathOrg, weak::diagnosis);
year_read!(rect_list, QueryOrg, rect_report::run);
year_read!(case, PathOrg, rectification::get);

// ---------------------------------------------------------------- ratings

#[derive(Deserialize)]
struct ListQuery {
    year: Option<i32>,
    /// 1–5, or "none" for rated without stars.
    stars: Option<String>,
    page: Option<i64>,
    page_size: Option<i64>,
}

async fn ratings(
    State(state): State<AppState>,
    QueryOrg { org, .. }: QueryOrg<ApiUser>,
    Query(q): Query<ListQuery>,
) -> ApiResult {
    let stars = match q.stars.as_deref().map(str::trim).filter(|s| !s.is_empty()) {
        None => None,
        Some("none") => Some(None),
        Some(s) => {
            Some(Some(s.parse::<i64>().map_err(|_| {
                bad(format!("参数 stars 应为1至5或none：{s}"))
            })?))
        }
    };
    let r = rating::ratings(
        &state.app,
        &org,
        year_of(&state, q.year),
        stars,
        q.page.unwrap_or(1),
        q.page_size.unwrap_or(20).clamp(1, 200),
    )
    .await?;
    Ok(to_json(&r))
}

#[derive(Deserialize)]
struct RateBody {
    #[serde(default)]
    org: Option<String>,
    year: Option<i32>,
}

async fn rate(
    State(state): State<AppState>,
    user: ApiUser,
    JsonBody(r): JsonBody<RateBody>,
) -> ApiResult {
    // The org is in the body: resolved here as the extractors do for a query or a path.
    let org = access::resolve(&state.app, &user.actor, &OrgKey::parse(r.org.as_deref())).await?;
    let grant = user.actor.grant::<access::Rate>()?;
    let s = rating::rate(&state.app, &grant, &org, year_of(&state, r.year)).await?;
    Ok(to_json(&s))
}

#[derive(Deserialize)]
struct AdjustBody {
    year: Option<i32>,
    /// 1–5; null removes the adjustment.
    stars: Option<i64>,
    #[serde(default)]
    reason: String,
}

async fn adjust(
    State(state): State<AppState>,
    PathOrg { user, org }: PathOrg<ApiUser>,
    JsonBody(a): JsonBody<AdjustBody>,
) -> ApiResult<StatusCode> {
    let grant = user.actor.grant::<access::AdjustRating>()?;
    let year = year_of(&state, a.year);
    rating::adjust(&state.app, &grant, &org, year, a.stars, &a.reason).await?;
    Ok(StatusCode::NO_CONTENT)
}

// ---------------------------------------------------------------- weak orgs

#[derive(Deserialize)]
struct DecideBody {
    year: Option<i32>,
    /// A weakness: its code (Paralysis …), its character (瘫 …) or its label.
    kind: String,
    #[serde(default)]
    reason: String,
}

async fn decide(
    State(state): State<AppState>,
    PathOrg { user, org }: PathOrg<ApiUser>,
    Path((_, decision)): Path<(String, String)>,
    JsonBody(d): JsonBody<DecideBody>,
) -> ApiResult {
    let kind =
        WeaknessKind::parse(&d.kind).ok_or_else(|| bad(format!("问题类型无效：{}", d.kind)))?;
    let year = year_of(&state, d.year);
    let app = &state.app;
    let grant = || user.actor.grant::<access::DecideWeakness>();
    let r = match decision.as_str() {
        "confirm" => weak::confirm(app, &grant()?, &org, year, kind, &d.reason).await?,
        "dismiss" => weak::dismiss(app, &grant()?, &org, year, kind, &d.reason).await?,
        other => {
            return Err(ApiError(WebError::App(AppError::NotFound(format!(
                "操作“{other}”"
            )))))
        }
    };
    Ok(to_json(&r))
}

// ---------------------------------------------------------------- rectification

#[derive(Deserialize)]
struct AlertQuery {
    days: Option<i64>,
}

async fn overdue(
    State(state): State<AppState>,
    QueryOrg { org, .. }: QueryOrg<ApiUser>,
) -> ApiResult {
    let items = rectification::overdue(&state.app, &org).await?;
    Ok(Json(serde_json::json!({ "items": items })))
}

async fn stalled(
    State(state): State<AppState>,
    QueryOrg { org, .. }: QueryOrg<ApiUser>,
    Query(q): Query<AlertQuery>,
) -> ApiResult {
    let days = q
        .days
        .unwrap_or_else(|| rectification::stall_days(&state.app))
        .max(1);
    let items = rectification::stalled(&state.app, &org, days).await?;
    Ok(Json(serde_json::json!({ "items": items })))
}

#[derive(Deserialize)]
struct MeasureBody {
    text: String,
    owner: String,
    deadline: NaiveDate,
}

/// Every step's fields; each step reads those it needs.
#[derive(Deserialize)]
struct StepBody {
    year: Option<i32>,
    #[serde(default)]
    measures: Vec<MeasureBody>,
    #[serde(default)]
    cadre: String,
    #[serde(default)]
    departments: Vec<String>,
    #[serde(default)]
    text: String,
    #[serde(default)]
    evidence: String,
    seq: Option<i64>,
    done_on: Option<NaiveDate>,
    note: Option<String>,
    #[serde(default)]
    reason: String,
    until: Option<NaiveDate>,
    #[serde(default)]
    outcome: String,
}

async fn step(
    State(state): State<AppState>,
    PathOrg { user, org }: PathOrg<ApiUser>,
    Path((_, step)): Path<(String, String)>,
    JsonBody(s): JsonBody<StepBody>,
) -> ApiResult {
    let year = year_of(&state, s.year);
    let (app, a, o) = (&state.app, &user.actor, &org);
    let plan = || a.grant::<access::PlanRectification>();
    let report = || a.grant::<access::ReportProgress>();
    let decide = || a.grant::<access::AcceptRectification>();
    let note = s.note.clone().unwrap_or_default();
    let c = match step.as_str() {
        "plan" => {
            let ms = s
                .measures
                .into_iter()
                .map(|m| NewMeasure {
                    text: m.text,
                    owner: m.owner,
                    deadline: m.deadline,
                })
                .collect();
            rectification::plan(app, &plan()?, o, year, ms).await?
        }
        "assign" => rectification::assign(app, &plan()?, o, year, &s.cadre, s.departments).await?,
        "progress" => {
            rectification::progress(app, &report()?, o, year, &s.text, &s.evidence).await?
        }
        "complete" => {
            let seq = s.seq.ok_or_else(|| bad("请填写措施序号 seq"))?;
            rectification::complete_measure(app, &report()?, o, year, seq, s.done_on, s.note)
                .await?
        }
        "extend" => {
            let until = s
                .until
                .ok_or_else(|| bad("请填写延期至 until（年-月-日）"))?;
            rectification::extend(app, &decide()?, o, year, &s.reason, until).await?
        }
        "accept" => {
            let why = Some(s.reason.as_str()).filter(|r| !r.trim().is_empty());
            rectification::accept(app, &decide()?, o, year, &note, why).await?
        }
        "review" => {
            let outcome = ReviewOutcome::parse(&s.outcome)
                .ok_or_else(|| bad("outcome 应为 Consolidated 或 Relapsed"))?;
            rectification::review(app, &decide()?, o, year, outcome, &note).await?
        }
        other => {
            return Err(ApiError(WebError::App(AppError::NotFound(format!(
                "整顿步骤“{other}”"
            )))))
        }
    };
    Ok(to_json(&c))
}

// ---------------------------------------------------------------- OpenAPI schemas

/// The request and response schemas of these routes (merged into the OpenAPI document).
pub(crate) fn schemas() -> serde_json::Map<String, Value> {
    use serde_json::json;
    let obj = |props: Value, required: &[&str]| json!({ "type": "object", "properties": props, "required": required });
    let s = |t: &str| json!({ "type": t });
    let ns = |t: &str| json!({ "type": [t, "null"] });
    let date = json!({ "type": "string", "format": "date" });
    let org_ref = obj(
        json!({ "code": s("string"), "name": s("string") }),
        &["code", "name"],
    );
    let kind = json!({ "type": "string", "description": "问题类型：Paralysis Disorder Disunity Softness Idleness Ineffectiveness Poverty Graft，或 瘫 乱 散 软 懒 弱 穷 贪" });
    let year = json!({ "type": "integer", "description": "年度（默认为今年）" });
    let stars = json!({ "type": "array", "items": obj(json!({ "stars": ns("integer"), "orgs": s("integer") }), &["stars", "orgs"]), "description": "按星级的党组织数，stars 为 null 表示未定星" });
    let v = json!({
        "RateRequest": obj(json!({ "org": { "type": ["string", "null"], "description": "党组织 id、代码或名称（默认为本人所属组织）" }, "year": year }), &[]),
        "RateSummary": { "type": "object", "description": "org、year、as_of、facts_on、orgs（读取）、rated（评定）、stars（分布）、suspected_orgs、suspected（按类型）、seconds" },
        "RatingsReport": obj(json!({
            "org": org_ref, "year": s("integer"), "rated": s("integer"), "stars": stars,
            "levels": { "type": "array", "description": "各直属下级的星级分布（org、rated、stars）", "items": { "type": "object" } },
            "items": { "type": "array", "items": obj(json!({
                "org": org_ref, "kind": s("string"), "stars": ns("integer"), "computed_stars": ns("integer"),
                "score": ns("number"), "weight_with_data": s("number"), "adjusted": s("boolean"),
            }), &["org", "stars", "adjusted"]) },
            "total": s("integer"),
        }), &["org", "year", "rated", "stars", "items", "total"]),
        "OrgRating": { "type": "object", "description": "org、kind、year、as_of；stored（已存档的评定：stars、computed_stars、score、evidence、indicators（code、name、weight、state：scored/no_data/not_applicable、score、evidence）、adjusted_by、adjusted_reason，未评定时为 null）；current（按今日记录计算）；signals（rule、label、kind、state、evidence）", "properties": {
            "stored": { "type": ["object", "null"] }, "current": { "type": "object" },
            "signals": { "type": "array", "items": { "type": "object" } },
        }, "required": ["org", "year", "current", "signals"] },
        "RatingAdjust": obj(json!({
            "year": year,
            "stars": { "type": ["integer", "null"], "description": "1–5；null 撤销人工调整" },
            "reason": { "type": "string", "description": "理由，必填" },
        }), &["stars", "reason"]),
        "WeakReport": obj(json!({
            "org": org_ref, "year": s("integer"),
            "weak": { "type": "array", "items": obj(json!({
                "org": org_ref,
                "weaknesses": { "type": "array", "items": obj(json!({
                    "kind": s("string"),
                    "status": { "type": "string", "enum": ["suspected", "confirmed", "dismissed"] },
                    "signals": { "type": "array", "items": obj(json!({ "rule": s("string"), "evidence": s("string") }), &["rule", "evidence"]) },
                }), &["kind", "status", "signals"]) },
            }), &["org", "weaknesses"]) },
        }), &["org", "year", "weak"]),
        "WeakSummary": { "type": "object", "description": "org、year、as_of、diagnosed（排查数）、weak_orgs（存在未排除问题的党组织数）、by_kind（kind、label、suspected、confirmed、dismissed）、by_region（各直属下级：org、weak_orgs、by_kind）" },
        "Diagnosis": { "type": "object", "description": "org、year、as_of、signals（kind、rule、state：fired/clear/no_data/not_applicable、evidence）、decisions（kind、status、decided_by、reason）、rectification（整顿台账阶段或 null）" },
        "WeakDecision": obj(json!({ "year": year, "kind": kind, "reason": { "type": "string", "description": "理由，必填" } }), &["kind", "reason"]),
        "Decided": obj(json!({
            "org": org_ref, "year": s("integer"), "kind": s("string"), "status": s("string"),
            "signals": { "type": "array", "items": { "type": "object" } },
            "case_opened": { "type": "boolean", "description": "本次确定建立了整顿台账" },
        }), &["org", "year", "kind", "status", "case_opened"]),
        "RectificationReport": { "type": "object", "description": "org、year、as_of、cases、closed、by_stage（stage、label、cases）、overdue_measures、stalled_cases、items（org、kinds、stage、stage_label、opened_on、deadline、cadre、departments、measures、measures_done、measures_overdue、accepted_on、last_activity_on、stalled）、overdue（OverdueMeasure）" },
        "OverdueList": obj(json!({ "items": { "type": "array", "items": obj(json!({
            "org": org_ref, "year": s("integer"), "stage": s("string"), "seq": s("integer"),
            "text": s("string"), "owner": s("string"), "deadline": date, "days_overdue": s("integer"),
        }), &["org", "year", "seq", "text", "owner", "deadline", "days_overdue"]) } }), &["items"]),
        "StalledList": obj(json!({ "items": { "type": "array", "items": obj(json!({
            "org": org_ref, "year": s("integer"), "stage": s("string"), "stage_label": s("string"),
            "last_activity_on": date, "days_idle": s("integer"), "deadline": ns("string"),
        }), &["org", "year", "stage", "last_activity_on", "days_idle"]) } }), &["items"]),
        "RectificationCase": obj(json!({
            "org": org_ref, "year": s("integer"),
            "stage": { "type": "string", "enum": ["Diagnosed", "Planned", "AssistanceAssigned", "InProgress", "Extended", "Accepted", "Reviewed"] },
            "stage_label": s("string"),
            "kinds": { "type": "array", "items": obj(json!({ "kind": s("string"), "label": s("string") }), &["kind", "label"]) },
            "opened_on": date, "deadline": ns("string"), "cadre": ns("string"),
            "departments": { "type": "array", "items": s("string") },
            "measures": { "type": "array", "items": obj(json!({
                "seq": s("integer"), "text": s("string"), "owner": s("string"), "deadline": date,
                "done_on": ns("string"), "note": ns("string"), "overdue": s("boolean"),
            }), &["seq", "text", "owner", "deadline", "overdue"]) },
            "accepted_on": ns("string"), "review_due_on": ns("string"), "reviewed_on": ns("string"),
            "last_activity_on": date, "stalled": s("boolean"),
            "timeline": { "type": "array", "items": obj(json!({
                "on": date, "step": s("string"), "from": s("string"), "to": s("string"),
                "summary": s("string"), "actor": s("string"),
            }), &["on", "step", "summary", "actor"]) },
        }), &["org", "year", "stage", "kinds", "measures", "timeline"]),
        "RectificationPlan": obj(json!({ "year": year, "measures": { "type": "array", "items": obj(json!({
            "text": s("string"), "owner": s("string"), "deadline": date,
        }), &["text", "owner", "deadline"]) } }), &["measures"]),
        "RectificationAssign": obj(json!({
            "year": year, "cadre": { "type": "string", "description": "包联的领导干部" },
            "departments": { "type": "array", "items": s("string"), "description": "帮扶部门；空则按问题类型对应" },
        }), &["cadre"]),
        "RectificationProgress": obj(json!({ "year": year, "text": s("string"), "evidence": { "type": "string", "description": "佐证材料" } }), &["text", "evidence"]),
        "RectificationComplete": obj(json!({ "year": year, "seq": s("integer"), "done_on": { "type": ["string", "null"], "format": "date", "description": "默认今天" }, "note": ns("string") }), &["seq"]),
        "RectificationExtend": obj(json!({ "year": year, "until": date, "reason": s("string") }), &["until", "reason"]),
        "RectificationAccept": obj(json!({ "year": year, "note": { "type": "string", "description": "验收意见" }, "reason": { "type": "string", "description": "确定的软弱涣散情形按今天的记录仍存在时，仍予验收的理由（记入验收意见和审计日志）；不填则此时不予验收" } }), &["note"]),
        "RectificationReview": obj(json!({ "year": year, "outcome": { "type": "string", "enum": ["Consolidated", "Relapsed"] }, "note": s("string") }), &["outcome", "note"]),
    });
    match v {
        Value::Object(m) => m,
        _ => serde_json::Map::new(),
    }
}
