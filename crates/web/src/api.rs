//! The JSON API under `/api/v1`: everything the pages do, through the same use cases.
//! Authentication is a bearer token from `POST /api/v1/auth/login` (lockout applies);
//! no cookie is read here, so the API needs no CSRF token. The routes are listed once in
//! `openapi::ROUTES`, from which the OpenAPI document is generated.

use axum::body::{Bytes, HttpBody};
use axum::extract::{FromRequest, Path, Query, Request, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::{Json, Router};
use jiceng_app::access::{self, Actor, InScope, OrgKey, Unmask, Write};
use jiceng_app::browse::{self, MemberQuery, MemberSort, UnitQuery};
use jiceng_app::import::ImportOptions;
use jiceng_app::member_admin::{self, MemberEdit};
use jiceng_app::org_admin::{self, OrgFields};
use jiceng_app::referral::ReferralStatus;
use jiceng_app::{auth, AppError, OrgRecord};
use serde::de::DeserializeOwned;
use serde::Deserialize;
use serde_json::{json, Value};

use crate::error::{ApiError, WebError};
use crate::extract::{PathOrg, QueryOrg, SearchParam};
use crate::pages::import::{self as import_page, Kind};
use crate::routes::{Guard, Routes, Subject};
use crate::session::ApiUser;
use crate::AppState;
use jiceng_app::access::Action;

/// The API's router: its table, and a JSON 404 for any other path under `/api/v1`.
pub fn router(state: &AppState) -> Router<AppState> {
    routes().into_router(state, true).fallback(not_found)
}

/// The API's route table (paths relative to `/api/v1`).
pub fn routes() -> Routes {
    Routes::new()
        .get("/openapi.json", Guard::Public, Subject::None, openapi)
        .post("/auth/login", Guard::Public, Subject::None, login)
        .post("/auth/logout", Guard::Session, Subject::None, logout)
        .post(
            "/auth/password",
            Guard::Session,
            Subject::None,
            change_password,
        )
        .get("/me", Guard::Session, Subject::None, me)
        .get(
            "/dashboard",
            Guard::May(Action::ReadData),
            Subject::QueryOrg,
            dashboard,
        )
        .get("/orgs", Guard::May(Action::ReadData), Subject::None, orgs)
        .get(
            "/orgs/{id}",
            Guard::May(Action::ReadData),
            Subject::Org,
            org,
        )
        .put(
            "/orgs/{id}",
            Guard::May(Action::Write),
            Subject::Org,
            edit_org,
        )
        .get(
            "/orgs/{id}/children",
            Guard::May(Action::ReadData),
            Subject::Org,
            children,
        )
        .post(
            "/orgs/{id}/children",
            Guard::May(Action::Write),
            Subject::Org,
            create_org,
        )
        .post(
            "/orgs/{id}/move",
            Guard::May(Action::Write),
            Subject::Org,
            move_org,
        )
        .post(
            "/orgs/{id}/merge",
            Guard::May(Action::Write),
            Subject::Org,
            merge_org,
        )
        .post(
            "/orgs/{id}/dissolve",
            Guard::May(Action::Write),
            Subject::Org,
            dissolve_org,
        )
        .post(
            "/orgs/{id}/events",
            Guard::May(Action::Write),
            Subject::Org,
            org_event,
        )
        .post(
            "/positions/{id}/end",
            Guard::May(Action::Write),
            Subject::Position,
            end_position,
        )
        .get(
            "/members",
            Guard::MayOrSelf(Action::ReadData),
            Subject::QueryOrg,
            members,
        )
        .post(
            "/members/search",
            Guard::MayOrSelf(Action::ReadData),
            Subject::None,
            search_members,
        )
        .get(
            "/members/{id}",
            Guard::MayOrSelf(Action::ReadData),
            Subject::Member,
            member,
        )
        .put(
            "/members/{id}",
            Guard::May(Action::Write),
            Subject::Member,
            edit_member,
        )
        .post(
            "/members/{id}/id-number",
            Guard::May(Action::Unmask),
            Subject::Member,
            reveal,
        )
        .get(
            "/units",
            Guard::May(Action::ReadData),
            Subject::QueryOrg,
            units,
        )
        .get(
            "/reports/{kind}",
            Guard::May(Action::ReadData),
            Subject::QueryOrg,
            report,
        )
        .post(
            "/imports/{kind}",
            Guard::May(Action::Write),
            Subject::None,
            import,
        )
        .get(
            "/audit",
            Guard::May(Action::ReadAudit),
            Subject::None,
            audit,
        )
        .get(
            "/referrals",
            Guard::May(Action::HandleReferrals),
            Subject::None,
            referrals,
        )
        .post(
            "/referrals/{id}/settle",
            Guard::May(Action::HandleReferrals),
            Subject::Referral,
            settle_referral,
        )
        .post(
            "/referrals/{id}/dismiss",
            Guard::May(Action::HandleReferrals),
            Subject::Referral,
            dismiss_referral,
        )
        .merge(crate::api_life::routes())
        .merge(crate::api_rating::routes())
        .merge(crate::api_recruitment::routes())
        .merge(crate::api_member_life::routes())
        .merge(crate::api_dues::routes())
        .merge(crate::api_training::routes())
        .merge(crate::api_scorecard::routes())
        .merge(crate::api_tasks::routes())
        .merge(crate::api_inspections::routes())
        .merge(crate::api_duty::routes())
        .merge(crate::api_requests::routes())
        .merge(crate::api_surveys::routes())
        .merge(crate::api_funding::routes())
        .merge(crate::api_venues::routes())
        .merge(crate::api_disclosure::routes())
}

pub(crate) type ApiResult<T = Json<Value>> = Result<T, ApiError>;

async fn not_found() -> ApiError {
    ApiError(WebError::App(AppError::NotFound("接口".into())))
}

pub(crate) fn bad(msg: impl Into<String>) -> ApiError {
    ApiError(WebError::BadRequest(msg.into()))
}

pub(crate) fn body<T: DeserializeOwned>(b: &Bytes) -> Result<T, ApiError> {
    serde_json::from_slice(b).map_err(|e| bad(format!("请求内容不是有效的 JSON：{e}")))
}

/// A request body read as JSON (whatever its content type, as the API always read it); not
/// JSON, or not the shape `T` asks for, is a 400 saying why.
pub(crate) struct JsonBody<T>(pub T);

impl<T: DeserializeOwned> FromRequest<AppState> for JsonBody<T> {
    type Rejection = Response;

    async fn from_request(req: Request, state: &AppState) -> Result<Self, Response> {
        let b = Bytes::from_request(req, state)
            .await
            .map_err(IntoResponse::into_response)?;
        body(&b).map(JsonBody).map_err(IntoResponse::into_response)
    }
}

fn int(name: &str, v: &Option<String>) -> Result<Option<i64>, ApiError> {
    match v.as_deref().map(str::trim).filter(|s| !s.is_empty()) {
        None => Ok(None),
        Some(s) => s
            .parse()
            .map(Some)
            .map_err(|_| bad(format!("参数 {name} 应为整数：{s}"))),
    }
}

pub(crate) fn to_json<T: serde::Serialize>(v: &T) -> Json<Value> {
    Json(serde_json::to_value(v).expect("serializable"))
}

async fn openapi() -> Json<Value> {
    Json(crate::openapi::document())
}

// ---------------------------------------------------------------- auth

#[derive(Deserialize)]
struct LoginBody {
    username: String,
    password: String,
    /// The current code of the user's authenticator (or a recovery code), for a user with
    /// a second factor.
    #[serde(default)]
    totp: Option<String>,
}

async fn login(
    State(state): State<AppState>,
    JsonBody(l): JsonBody<LoginBody>,
) -> Result<Response, ApiError> {
    let s = match auth::login(&state.app, l.username.trim(), &l.password).await {
        Ok(s) => s,
        // The password was right; the second factor decides, in the same request.
        Err(auth::AuthError::SecondFactor(pending)) => {
            match l.totp.as_deref().map(str::trim).filter(|t| !t.is_empty()) {
                Some(code) => {
                    jiceng_app::totp::complete_login(&state.app, &pending.0, code).await?
                }
                None => {
                    // Unused, the pending login expires by itself.
                    let mut resp = (
                        StatusCode::UNAUTHORIZED,
                        Json(json!({ "error": "需要动态验证码", "second_factor": true })),
                    )
                        .into_response();
                    resp.headers_mut().insert(
                        axum::http::header::WWW_AUTHENTICATE,
                        axum::http::HeaderValue::from_static("Bearer"),
                    );
                    return Ok(resp);
                }
            }
        }
        Err(e) => return Err(e.into()),
    };
    Ok(Json(json!({
        "token": s.token,
        "username": s.actor.username(),
        "role": s.actor.role().code(),
        "must_change_password": s.must_change_password,
    }))
    .into_response())
}

#[derive(Deserialize)]
struct PasswordBody {
    current_password: String,
    new_password: String,
}

async fn change_password(
    State(state): State<AppState>,
    user: ApiUser,
    JsonBody(p): JsonBody<PasswordBody>,
) -> ApiResult<StatusCode> {
    auth::change_password(
        &state.app,
        &user.token,
        &p.current_password,
        &p.new_password,
    )
    .await?;
    Ok(StatusCode::NO_CONTENT)
}

async fn logout(State(state): State<AppState>, user: ApiUser) -> ApiResult<StatusCode> {
    auth::logout(&state.app, &user.token).await?;
    Ok(StatusCode::NO_CONTENT)
}

async fn me(user: ApiUser) -> Json<Value> {
    let a = &user.actor;
    Json(json!({
        "user_id": a.user_id(),
        "username": a.username(),
        "role": a.role().code(),
        "role_label": a.role().label(),
        "org_id": a.org_id(),
        "member_id": a.member_id(),
    }))
}

// ---------------------------------------------------------------- orgs

/// An org key as typed (`?org=`, a body's `target` or `org`), resolved in the actor's
/// scope: blank is the home org.
async fn org_key(
    state: &AppState,
    actor: &Actor,
    key: Option<&str>,
) -> ApiResult<InScope<OrgRecord>> {
    Ok(access::resolve(&state.app, actor, &OrgKey::parse(key)).await?)
}

async fn dashboard(State(state): State<AppState>, q: QueryOrg<ApiUser>) -> ApiResult {
    let d = state.dashboard(&q.org).await?;
    Ok(to_json(&*d))
}

async fn orgs(
    State(state): State<AppState>,
    user: ApiUser,
    Query(q): Query<SearchParam>,
) -> ApiResult {
    let items = match q.q.as_deref().map(str::trim).filter(|s| !s.is_empty()) {
        Some(q) => browse::search_orgs(&state.app, &user.actor, q).await?,
        None => browse::tree_roots(&state.app, &user.actor).await?,
    };
    Ok(Json(json!({ "items": items })))
}

async fn org(State(state): State<AppState>, PathOrg { user, org }: PathOrg<ApiUser>) -> ApiResult {
    Ok(to_json(
        &browse::org_view(&state.app, &user.actor, &org).await?,
    ))
}

async fn children(
    State(state): State<AppState>,
    PathOrg { org, .. }: PathOrg<ApiUser>,
) -> ApiResult {
    Ok(Json(
        json!({ "items": browse::org_children(&state.app, &org).await? }),
    ))
}

/// The org page after a write, read again (its facts and history changed).
async fn org_after(state: &AppState, actor: &Actor, id: i64) -> ApiResult {
    let org = access::resolve(&state.app, actor, &OrgKey::Id(id)).await?;
    Ok(to_json(&browse::org_view(&state.app, actor, &org).await?))
}

#[derive(Deserialize)]
struct OrgWrite {
    #[serde(flatten)]
    fields: OrgFields,
    #[serde(default)]
    reason: String,
}

async fn create_org(
    State(state): State<AppState>,
    PathOrg { user, org }: PathOrg<ApiUser>,
    JsonBody(w): JsonBody<OrgWrite>,
) -> ApiResult<Response> {
    let grant = user.actor.grant::<Write>()?;
    let new_id = org_admin::create(&state.app, &grant, &org, &w.fields, &w.reason).await?;
    Ok((StatusCode::CREATED, Json(json!({ "id": new_id }))).into_response())
}

async fn edit_org(
    State(state): State<AppState>,
    PathOrg { user, org }: PathOrg<ApiUser>,
    JsonBody(w): JsonBody<OrgWrite>,
) -> ApiResult {
    let grant = user.actor.grant::<Write>()?;
    org_admin::edit(&state.app, &grant, &org, &w.fields, &w.reason).await?;
    org_after(&state, &user.actor, org.org.id).await
}

#[derive(Deserialize, Default)]
#[serde(default)]
struct ActionBody {
    /// The other org: its id, code or unique name.
    target: Option<Value>,
    reason: String,
}

async fn target_org(
    state: &AppState,
    actor: &Actor,
    t: &Option<Value>,
) -> ApiResult<InScope<OrgRecord>> {
    let key = match t {
        Some(Value::Number(n)) => n.to_string(),
        Some(Value::String(s)) if !s.trim().is_empty() => s.clone(),
        _ => return Err(bad("请填写目标党组织（target：id、组织代码或完整名称）")),
    };
    org_key(state, actor, Some(&key)).await
}

async fn move_org(
    State(state): State<AppState>,
    PathOrg { user, org }: PathOrg<ApiUser>,
    JsonBody(a): JsonBody<ActionBody>,
) -> ApiResult {
    let t = target_org(&state, &user.actor, &a.target).await?;
    let grant = user.actor.grant::<Write>()?;
    org_admin::move_org(&state.app, &grant, &org, &t, &a.reason).await?;
    org_after(&state, &user.actor, org.org.id).await
}

async fn merge_org(
    State(state): State<AppState>,
    PathOrg { user, org }: PathOrg<ApiUser>,
    JsonBody(a): JsonBody<ActionBody>,
) -> ApiResult {
    let t = target_org(&state, &user.actor, &a.target).await?;
    let grant = user.actor.grant::<Write>()?;
    org_admin::merge(&state.app, &grant, &org, &t, &a.reason).await?;
    org_after(&state, &user.actor, t.org.id).await
}

async fn dissolve_org(
    State(state): State<AppState>,
    PathOrg { user, org }: PathOrg<ApiUser>,
    JsonBody(a): JsonBody<ActionBody>,
) -> ApiResult {
    let grant = user.actor.grant::<Write>()?;
    org_admin::dissolve(&state.app, &grant, &org, &a.reason).await?;
    org_after(&state, &user.actor, org.org.id).await
}

#[derive(Deserialize)]
struct EventBody {
    #[serde(flatten)]
    event: org_admin::EventInput,
    #[serde(default)]
    reason: String,
}

/// Records a dated fact of an org: an election, a committee set up or dissolved, an
/// approved postponement (with `until`), a secretary vacancy with no predecessor.
async fn org_event(
    State(state): State<AppState>,
    PathOrg { user, org }: PathOrg<ApiUser>,
    JsonBody(e): JsonBody<EventBody>,
) -> ApiResult {
    let grant = user.actor.grant::<Write>()?;
    org_admin::record_event(&state.app, &grant, &org, &e.event, &e.reason).await?;
    org_after(&state, &user.actor, org.org.id).await
}

#[derive(Deserialize)]
struct EndBody {
    on: chrono::NaiveDate,
    #[serde(default)]
    reason: String,
}

/// Ends a position (离任) on a day.
async fn end_position(
    State(state): State<AppState>,
    user: ApiUser,
    Path(id): Path<i64>,
    JsonBody(e): JsonBody<EndBody>,
) -> ApiResult {
    let grant = user.actor.grant::<Write>()?;
    member_admin::end_position(&state.app, &grant, id, e.on, &e.reason).await?;
    Ok(to_json(&json!({ "position": id, "ended_on": e.on })))
}

// ---------------------------------------------------------------- members and units

#[derive(Deserialize)]
struct ListParams {
    org: Option<String>,
    q: Option<String>,
    sort: Option<String>,
    coverage: Option<String>,
    domain: Option<String>,
    page: Option<String>,
    page_size: Option<String>,
}

/// The org a list narrows to: `?org=` when given (else the actor's whole scope).
async fn list_org(
    state: &AppState,
    actor: &Actor,
    org: &Option<String>,
) -> ApiResult<Option<InScope<OrgRecord>>> {
    match org.as_deref().map(str::trim).filter(|s| !s.is_empty()) {
        None => Ok(None),
        Some(k) => Ok(Some(org_key(state, actor, Some(k)).await?)),
    }
}

async fn members(
    State(state): State<AppState>,
    user: ApiUser,
    Query(p): Query<ListParams>,
) -> ApiResult {
    // An ID number is taken only in a request body (`POST /members/search`), so that it
    // never lands in a URL or an access log (issue #11).
    if p.q
        .as_deref()
        .is_some_and(crate::pages::looks_like_id_number)
    {
        return Err(bad(
            "按公民身份号码查找请使用 POST /api/v1/members/search，在请求体中提交号码（号码不应出现在网址中）",
        ));
    }
    member_list(&state, &user, p).await
}

/// The body of `POST /members/search`: the roster query, the text (a name or a full ID
/// number) in the body.
#[derive(Deserialize, Default)]
#[serde(default)]
struct SearchBody {
    q: Option<String>,
    org: Option<Value>,
    sort: Option<String>,
    page: Option<i64>,
    page_size: Option<i64>,
}

async fn search_members(State(state): State<AppState>, user: ApiUser, b: Bytes) -> ApiResult {
    let s: SearchBody = serde_json::from_slice(&b)
        .map_err(|_| bad("请求内容应为 JSON 对象：{\"q\": \"姓名或公民身份号码\", \"org\": …}"))?;
    let org = match s.org {
        None | Some(Value::Null) => None,
        Some(Value::String(v)) => Some(v),
        Some(Value::Number(n)) => Some(n.to_string()),
        Some(_) => return Err(bad("org 应为党组织的 id 或组织代码")),
    };
    let p = ListParams {
        org,
        q: s.q,
        sort: s.sort,
        coverage: None,
        domain: None,
        page: s.page.map(|v| v.to_string()),
        page_size: s.page_size.map(|v| v.to_string()),
    };
    member_list(&state, &user, p).await
}

async fn member_list(state: &AppState, user: &ApiUser, p: ListParams) -> ApiResult {
    let sort = match p.sort.as_deref().filter(|s| !s.is_empty()) {
        Some(s) => MemberSort::parse(s)
            .ok_or_else(|| bad(format!("排序方式应为 org、name、joined 或 birth：{s}")))?,
        None => MemberSort::default(),
    };
    let query = MemberQuery {
        org: list_org(state, &user.actor, &p.org).await?,
        kind: None,
        gender: None,
        direct_only: false,
        q: p.q.clone(),
        sort,
        page: int("page", &p.page)?.unwrap_or(1),
        page_size: int("page_size", &p.page_size)?.unwrap_or(20),
        ..Default::default()
    };
    match browse::members(&state.app, &user.actor, &query).await {
        Ok(page) => Ok(to_json(&page)),
        // A malformed number is not echoed back.
        Err(AppError::Input(_))
            if p.q
                .as_deref()
                .is_some_and(crate::pages::looks_like_id_number) =>
        {
            Err(bad("公民身份号码无效（请核对校验位和出生日期）"))
        }
        Err(e) => Err(e.into()),
    }
}

async fn member(State(state): State<AppState>, user: ApiUser, Path(id): Path<i64>) -> ApiResult {
    Ok(to_json(
        &browse::member_view(&state.app, &user.actor, id).await?,
    ))
}

async fn edit_member(
    State(state): State<AppState>,
    user: ApiUser,
    Path(id): Path<i64>,
    JsonBody(e): JsonBody<MemberEdit>,
) -> ApiResult {
    let grant = user.actor.grant::<Write>()?;
    member_admin::update_member(&state.app, &grant, id, &e).await?;
    Ok(to_json(
        &browse::member_view(&state.app, &user.actor, id).await?,
    ))
}

async fn reveal(State(state): State<AppState>, user: ApiUser, Path(id): Path<i64>) -> ApiResult {
    let grant = user.actor.grant::<Unmask>()?;
    let n = jiceng_app::privacy::reveal_id_number(&state.app, &grant, id).await?;
    Ok(Json(json!({ "id": id, "id_number": n })))
}

async fn units(
    State(state): State<AppState>,
    user: ApiUser,
    Query(p): Query<ListParams>,
) -> ApiResult {
    let query = UnitQuery {
        org: list_org(&state, &user.actor, &p.org).await?,
        q: p.q.clone(),
        coverage: p.coverage.clone().filter(|s| !s.is_empty()),
        domain: p.domain.clone().filter(|s| !s.is_empty()),
        page: int("page", &p.page)?.unwrap_or(1),
        page_size: int("page_size", &p.page_size)?.unwrap_or(20),
    };
    Ok(to_json(
        &browse::units(&state.app, &user.actor, &query).await?,
    ))
}

// ---------------------------------------------------------------- reports

async fn report(
    State(state): State<AppState>,
    QueryOrg { org, .. }: QueryOrg<ApiUser>,
    Path(kind): Path<String>,
) -> ApiResult {
    let app = &state.app;
    match kind.as_str() {
        "structure" => Ok(to_json(
            &jiceng_app::reports::structure::run(app, &org, app.today()).await?,
        )),
        "coverage" => Ok(to_json(
            &jiceng_app::reports::coverage::run(app, &org).await?,
        )),
        "members" => {
            let day = org.facts.facts_on.unwrap_or_else(|| app.today());
            Ok(to_json(
                &jiceng_app::reports::members::run(app, &org, day).await?,
            ))
        }
        other => Err(ApiError(WebError::App(AppError::NotFound(format!(
            "报表“{other}”"
        ))))),
    }
}

// ---------------------------------------------------------------- imports

#[derive(Deserialize)]
struct ImportParams {
    org: Option<String>,
    dry_run: Option<String>,
    format: Option<String>,
    skip_invalid: Option<String>,
}

pub(crate) fn flag(name: &str, v: &Option<String>) -> Result<bool, ApiError> {
    match v.as_deref().map(str::trim) {
        None | Some("") | Some("false") | Some("0") => Ok(false),
        Some("true") | Some("1") => Ok(true),
        Some(s) => Err(bad(format!("参数 {name} 应为 true 或 false：{s}"))),
    }
}

async fn import(
    State(state): State<AppState>,
    user: ApiUser,
    Path(kind): Path<String>,
    Query(p): Query<ImportParams>,
    body: axum::body::Body,
) -> ApiResult {
    let kind = Kind::parse(&kind).ok_or_else(|| {
        ApiError(WebError::App(AppError::NotFound(format!(
            "导入类型“{kind}”"
        ))))
    })?;
    user.actor.grant::<Write>()?;
    let incoming = body_file(&state, p.format.as_deref(), body).await?;
    let org = match p.org.as_deref().map(str::trim).filter(|s| !s.is_empty()) {
        Some(k) => Some(org_key(&state, &user.actor, Some(k)).await?),
        // The import itself falls back to the actor's home org (or the whole tree).
        None => None,
    };
    let opts = ImportOptions {
        org,
        dry_run: flag("dry_run", &p.dry_run)?,
        skip_invalid: flag("skip_invalid", &p.skip_invalid)?,
        actor: user.actor.clone(),
    };
    let upload = incoming
        .finish()
        .await?
        .ok_or_else(|| WebError::Internal("上传文件未保存".into()))?;
    let result = import_page::run_upload(&state, kind, &upload.path, &opts).await;
    upload.remove();
    Ok(to_json(&result?))
}

/// An import's file sent as the request body, in `format` (xlsx by default), received
/// into its private file within the import limit.
pub(crate) async fn body_file(
    state: &AppState,
    format: Option<&str>,
    body: axum::body::Body,
) -> Result<import_page::Incoming, ApiError> {
    let format = format.unwrap_or("xlsx");
    let ext = import_page::extension(&format!("x.{format}"))
        .ok_or_else(|| bad(format!("format 应为 xlsx、xls 或 csv：{format}")))?;
    // The API has no file name: the report and every message say 上传文件.<format>.
    let mut incoming = import_page::Incoming::new(state, "上传文件", Some(ext))?;
    let mut body = body;
    while let Some(frame) =
        std::future::poll_fn(|cx| std::pin::Pin::new(&mut body).poll_frame(cx)).await
    {
        let frame = frame.map_err(|e| bad(format!("上传失败：{e}")))?;
        if let Ok(data) = frame.into_data() {
            incoming.push(&data).await?;
        }
    }
    if incoming.len == 0 {
        return Err(bad("请求体为空：请以文件内容作为请求体上传"));
    }
    Ok(incoming)
}

// ---------------------------------------------------------------- audit

async fn audit(
    State(state): State<AppState>,
    user: ApiUser,
    Query(p): Query<ListParams>,
) -> ApiResult {
    let page = int("page", &p.page)?.unwrap_or(1);
    let size = int("page_size", &p.page_size)?.unwrap_or(50);
    let (items, total) =
        jiceng_app::audit::list(&state.app, &user.actor.grant()?, page, size).await?;
    Ok(Json(
        json!({ "items": items, "total": total, "page": page, "page_size": size }),
    ))
}

// ---------------------------------------------------------------- referrals

#[derive(Deserialize)]
struct ReferralParams {
    status: Option<String>,
    page: Option<String>,
    page_size: Option<String>,
}

async fn referrals(
    State(state): State<AppState>,
    user: ApiUser,
    Query(p): Query<ReferralParams>,
) -> ApiResult {
    let status = match p.status.as_deref().map(str::trim).filter(|s| !s.is_empty()) {
        None => Some(ReferralStatus::Pending),
        Some("all") => None,
        Some(s) => Some(ReferralStatus::from_code(s).ok_or_else(|| {
            bad(format!(
                "status 应为 pending、settled、dismissed 或 all：{s}"
            ))
        })?),
    };
    let page = int("page", &p.page)?.unwrap_or(1);
    let size = int("page_size", &p.page_size)?.unwrap_or(50);
    let grant = user.actor.grant::<jiceng_app::access::HandleReferrals>()?;
    Ok(to_json(
        &jiceng_app::referral::list(&state.app, &grant, status, page, size).await?,
    ))
}

async fn close_referral(
    state: &AppState,
    user: &ApiUser,
    id: i64,
    settled: bool,
    b: &Bytes,
) -> ApiResult {
    let a: ActionBody = body(b)?;
    let grant = user.actor.grant::<jiceng_app::access::HandleReferrals>()?;
    jiceng_app::referral::close(&state.app, &grant, id, settled, &a.reason).await?;
    Ok(to_json(
        &jiceng_app::referral::get(&state.app, &grant, id).await?,
    ))
}

async fn settle_referral(
    State(state): State<AppState>,
    user: ApiUser,
    Path(id): Path<i64>,
    b: Bytes,
) -> ApiResult {
    close_referral(&state, &user, id, true, &b).await
}

async fn dismiss_referral(
    State(state): State<AppState>,
    user: ApiUser,
    Path(id): Path<i64>,
    b: Bytes,
) -> ApiResult {
    close_referral(&state, &user, id, false, &b).await
}

/// A typed refusal (`AppError::MemberLife`: transfers, exits, dues, training, tasks) as a
/// 400 with its reason and field; any other error as the API maps it.
pub(crate) fn refusal(e: AppError) -> ApiResult<Response> {
    match e {
        AppError::MemberLife(r) => Ok((
            StatusCode::BAD_REQUEST,
            Json(json!({ "error": r.message, "field": r.field })),
        )
            .into_response()),
        other => Err(ApiError::from(other)),
    }
}
