//! The pages: login, the dashboard, orgs, members, units, reports, imports, the audit
//! log. Each handler resolves the user from the session cookie, calls the same use case
//! the API calls, and renders an askama template.

mod account;
mod common;
pub mod import;
mod life;
mod members;
mod orgs;
mod rating;
pub(crate) mod rectification;
pub(crate) mod referrals;

pub(crate) use members::looks_like_id_number;
mod reports;
mod units;
mod weak;

use askama::Template;
use axum::extract::{Query, State};
use axum::http::{header, HeaderMap, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Redirect, Response};
use axum::Form;
use jiceng_app::access::{self, Action, OrgKey, Role};
use jiceng_app::{auth, browse};
use serde::Deserialize;

use crate::charts;
use crate::error::{PageError, WebError};
use crate::routes::{Guard, Routes, Subject};
use crate::session::{self, User};
use crate::AppState;

pub fn routes() -> Routes {
    Routes::new()
        .get("/", Guard::Session, Subject::None, dashboard)
        .get("/login", Guard::Public, Subject::None, login_form)
        .post("/login", Guard::Public, Subject::None, login)
        .post("/logout", Guard::Session, Subject::None, logout)
        .get(
            "/account/password",
            Guard::Session,
            Subject::None,
            password_form,
        )
        .post(
            "/account/password",
            Guard::Session,
            Subject::None,
            change_password,
        )
        .get(
            "/audit",
            Guard::May(Action::ReadAudit),
            Subject::None,
            audit_log,
        )
        .get(
            "/audit/export.xlsx",
            Guard::May(Action::ReadAudit),
            Subject::None,
            audit_export,
        )
        .merge(account::routes())
        .merge(orgs::routes())
        .merge(members::routes())
        .merge(units::routes())
        .merge(reports::routes())
        .merge(rating::routes())
        .merge(weak::routes())
        .merge(rectification::routes())
        .merge(referrals::routes())
        .merge(life::routes())
        .merge(import::routes())
}

/// What the layout needs: who is logged in, their CSRF token, which links to show.
pub struct Nav {
    pub username: String,
    pub role: String,
    pub csrf: String,
    pub is_member: bool,
    pub member_id: Option<i64>,
    pub can_write: bool,
    pub can_audit: bool,
    /// The department and committees handle import referrals (`/referrals`).
    pub can_refer: bool,
    /// Whether the role reads business data (not the security administrator, not the
    /// auditor): the business links are shown only then.
    pub reads_data: bool,
}

impl Nav {
    pub fn of(user: &User) -> Nav {
        let a = &user.actor;
        Nav {
            username: a.username.clone(),
            role: a.role.label().to_string(),
            csrf: user.csrf.clone(),
            is_member: a.role == Role::Member,
            member_id: a.member_id,
            can_write: a.may(Action::Write),
            can_refer: jiceng_app::referral::can_handle(a),
            can_audit: jiceng_app::audit::may_read(a),
            reads_data: a.role.reads_data(),
        }
    }
}

/// Renders a template as an HTML response.
pub fn html<T: Template>(t: &T) -> Result<Response, PageError> {
    let body = t.render()?;
    Ok((
        [
            (header::CONTENT_TYPE, "text/html; charset=utf-8"),
            (header::CACHE_CONTROL, "no-store"),
        ],
        body,
    )
        .into_response())
}

/// An .xlsx download.
pub fn xlsx(name: &str, bytes: Vec<u8>) -> Response {
    let encoded: String = name
        .bytes()
        .map(|b| {
            if b.is_ascii_alphanumeric() || b == b'.' || b == b'-' || b == b'_' {
                (b as char).to_string()
            } else {
                format!("%{b:02X}")
            }
        })
        .collect();
    (
        [
            (
                header::CONTENT_TYPE,
                "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet".to_string(),
            ),
            (
                header::CONTENT_DISPOSITION,
                format!("attachment; filename=\"export.xlsx\"; filename*=UTF-8''{encoded}"),
            ),
            (header::CACHE_CONTROL, "no-store".to_string()),
        ],
        bytes,
    )
        .into_response()
}

/// Pages of a list: links keep the other query parameters.
pub struct Pager {
    pub page: i64,
    pub pages: i64,
    pub total: i64,
    pub prev: Option<String>,
    pub next: Option<String>,
}

impl Pager {
    pub fn new(base: &str, params: &[(&str, String)], page: i64, pages: i64, total: i64) -> Pager {
        let link = |p: i64| {
            let mut q: Vec<String> = params
                .iter()
                .filter(|(_, v)| !v.is_empty())
                .map(|(k, v)| format!("{k}={}", urlencode(v)))
                .collect();
            q.push(format!("page={p}"));
            format!("{base}?{}", q.join("&"))
        };
        Pager {
            page,
            pages,
            total,
            prev: (page > 1).then(|| link(page - 1)),
            next: (page < pages).then(|| link(page + 1)),
        }
    }
}

/// Percent-encodes a query value.
pub fn urlencode(s: &str) -> String {
    s.bytes()
        .map(|b| {
            if b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.' | b'~') {
                (b as char).to_string()
            } else {
                format!("%{b:02X}")
            }
        })
        .collect()
}

/// A query parameter that may be empty (`?org=`): empty is absent.
pub fn opt_i64(s: &Option<String>) -> Result<Option<i64>, PageError> {
    match s.as_deref().map(str::trim).filter(|s| !s.is_empty()) {
        None => Ok(None),
        Some(v) => v
            .parse()
            .map(Some)
            .map_err(|_| PageError(WebError::BadRequest(format!("参数无效：{v}")))),
    }
}

// ---------------------------------------------------------------- login / logout

#[derive(Template)]
#[template(path = "login.html")]
struct LoginPage {
    csrf: String,
    username: String,
    error: Option<String>,
}

async fn login_page(
    state: &AppState,
    headers: &HeaderMap,
    status: StatusCode,
    username: String,
    error: Option<String>,
) -> Result<Response, PageError> {
    // A login form carries a token bound to a pre-session cookie (see `session`): a page
    // elsewhere cannot log a browser in under another account.
    let (cookie_value, token) = session::login_presession(state).await?;
    let page = LoginPage {
        csrf: token,
        username,
        error,
    };
    let mut resp = html(&page)?;
    *resp.status_mut() = status;
    let secure = session::secure(state, headers);
    let cookie = session::set_cookie(
        session::login_cookie_name(secure),
        &cookie_value,
        secure,
        Some(3600),
    );
    resp.headers_mut().append(
        header::SET_COOKIE,
        HeaderValue::from_str(&cookie).map_err(|e| WebError::Internal(e.to_string()))?,
    );
    Ok(resp)
}

/// The login page refusing a throttled request (429, with the message).
pub(crate) async fn login_refused(
    state: &AppState,
    headers: &HeaderMap,
    message: String,
) -> Response {
    match login_page(
        state,
        headers,
        StatusCode::TOO_MANY_REQUESTS,
        String::new(),
        Some(message.clone()),
    )
    .await
    {
        Ok(r) => r,
        Err(_) => (StatusCode::TOO_MANY_REQUESTS, message).into_response(),
    }
}

/// A login (or second-step) form from another site, or without this server's pre-session
/// token: the login page again (403), nothing checked.
pub(crate) async fn refuse_login_form(
    state: &AppState,
    headers: &HeaderMap,
    csrf: &str,
    username: &str,
) -> Result<Option<Response>, PageError> {
    if session::same_origin(headers) && session::login_form_valid(state, headers, csrf).await? {
        return Ok(None);
    }
    login_page(
        state,
        headers,
        StatusCode::FORBIDDEN,
        username.to_string(),
        Some("登录表单已失效，请重新输入".into()),
    )
    .await
    .map(Some)
}

async fn login_form(
    State(state): State<AppState>,
    headers: HeaderMap,
) -> Result<Response, PageError> {
    login_page(&state, &headers, StatusCode::OK, String::new(), None).await
}

#[derive(Deserialize)]
struct LoginForm {
    #[serde(default)]
    csrf: String,
    username: String,
    password: String,
}

async fn login(
    State(state): State<AppState>,
    headers: HeaderMap,
    Form(f): Form<LoginForm>,
) -> Result<Response, PageError> {
    if let Some(refused) = refuse_login_form(&state, &headers, &f.csrf, &f.username).await? {
        return Ok(refused);
    }
    match auth::login(&state.app, f.username.trim(), &f.password).await {
        Ok(s) => {
            let secure = session::secure(&state, &headers);
            let to = if s.must_change_password {
                "/account/password"
            } else {
                "/"
            };
            let mut resp = Redirect::to(to).into_response();
            let h = resp.headers_mut();
            h.append(
                header::SET_COOKIE,
                HeaderValue::from_str(&session::set_cookie(
                    session::SESSION_COOKIE,
                    &s.token,
                    secure,
                    None,
                ))
                .map_err(|e| WebError::Internal(e.to_string()))?,
            );
            h.append(
                header::SET_COOKIE,
                HeaderValue::from_str(&session::set_cookie(
                    session::login_cookie_name(secure),
                    "",
                    secure,
                    Some(0),
                ))
                .map_err(|e| WebError::Internal(e.to_string()))?,
            );
            Ok(resp)
        }
        // ---- second factor: the password was right, the code page follows (account.rs) ----
        Err(auth::AuthError::SecondFactor(pending)) => {
            account::code_page(&state, &headers, StatusCode::OK, Some(&pending), None).await
        }
        Err(e) => {
            let (status, message) = WebError::Auth(e).status_and_message();
            if status == StatusCode::INTERNAL_SERVER_ERROR {
                return Err(PageError(WebError::Internal(message)));
            }
            login_page(&state, &headers, status, f.username, Some(message)).await
        }
    }
}

// ---------------------------------------------------------------- own password

#[derive(Template)]
#[template(path = "account_password.html")]
struct PasswordPage {
    username: String,
    csrf: String,
    /// The password is past its renewal (the page says so, and nothing else is open).
    expired: bool,
    error: Option<String>,
    done: bool,
    min_chars: usize,
    min_chars_privileged: usize,
    min_classes: usize,
}

fn password_page(
    state: &AppState,
    user: &User,
    status: StatusCode,
    error: Option<String>,
    done: bool,
) -> Result<Response, PageError> {
    let page = PasswordPage {
        username: user.actor.username.clone(),
        csrf: user.csrf.clone(),
        expired: user.must_change_password,
        error,
        done,
        min_chars: state.app.auth.password.min_chars,
        min_chars_privileged: state.app.auth.password.min_chars_privileged,
        min_classes: state.app.auth.password.min_classes,
    };
    let mut resp = html(&page)?;
    *resp.status_mut() = status;
    Ok(resp)
}

#[derive(Deserialize)]
struct DoneQuery {
    done: Option<String>,
}

async fn password_form(
    State(state): State<AppState>,
    user: User,
    Query(q): Query<DoneQuery>,
) -> Result<Response, PageError> {
    password_page(&state, &user, StatusCode::OK, None, q.done.is_some())
}

#[derive(Deserialize)]
struct PasswordForm {
    #[serde(default)]
    csrf: String,
    current: String,
    new: String,
    confirm: String,
}

async fn change_password(
    State(state): State<AppState>,
    headers: HeaderMap,
    user: User,
    Form(f): Form<PasswordForm>,
) -> Result<Response, PageError> {
    user.check_csrf(&f.csrf)?;
    if f.new != f.confirm {
        return password_page(
            &state,
            &user,
            StatusCode::BAD_REQUEST,
            Some("两次输入的新密码不一致".into()),
            false,
        );
    }
    let token = session::cookie(&headers, session::SESSION_COOKIE).unwrap_or_default();
    match auth::change_password(&state.app, &token, &f.current, &f.new).await {
        Ok(()) => Ok(Redirect::to("/account/password?done=1").into_response()),
        Err(e) => {
            let (status, message) = WebError::Auth(e).status_and_message();
            if status == StatusCode::INTERNAL_SERVER_ERROR {
                return Err(PageError(WebError::Internal(message)));
            }
            password_page(&state, &user, status, Some(message), false)
        }
    }
}

#[derive(Deserialize)]
struct CsrfForm {
    #[serde(default)]
    csrf: String,
}

async fn logout(
    State(state): State<AppState>,
    headers: HeaderMap,
    user: User,
    Form(f): Form<CsrfForm>,
) -> Result<Response, PageError> {
    user.check_csrf(&f.csrf)?;
    if let Some(token) = session::cookie(&headers, session::SESSION_COOKIE) {
        auth::logout(&state.app, &token).await?;
    }
    let mut resp = Redirect::to("/login").into_response();
    resp.headers_mut().append(
        header::SET_COOKIE,
        HeaderValue::from_str(&session::set_cookie(
            session::SESSION_COOKIE,
            "",
            session::secure(&state, &headers),
            Some(0),
        ))
        .map_err(|e| WebError::Internal(e.to_string()))?,
    );
    Ok(resp)
}

// ---------------------------------------------------------------- dashboard

/// A line of the seed text (习近平总书记关于基层党建工作重要论述), shown on the dashboard.
pub const SEED_QUOTE: &str = "党的工作最坚实的力量支撑在基层，最突出的矛盾问题也在基层，必须把抓基层打基础作为长远之计和固本之举。";
pub const SEED_SOURCE: &str = "——《习近平总书记关于基层党建工作重要论述》";

pub struct Card {
    pub n: String,
    pub label: String,
    pub id: String,
}

pub struct RuleLine {
    pub code: String,
    pub label: String,
    pub n: usize,
}

pub struct CoverageLine {
    pub domain: String,
    pub operating: i64,
    pub own_org: i64,
    pub org_covered: i64,
    pub org_rate: String,
    pub work_rate: String,
}

#[derive(Template)]
#[template(path = "dashboard.html")]
struct DashboardPage {
    title: String,
    nav: Nav,
    org_id: i64,
    org_name: String,
    org_kind: String,
    breadcrumb: Vec<(i64, String)>,
    quote: &'static str,
    source: &'static str,
    facts_on: String,
    cards: Vec<Card>,
    rules: Vec<RuleLine>,
    anomaly_chart: String,
    coverage: Vec<CoverageLine>,
    coverage_chart: String,
    gender_chart: String,
    age_chart: String,
    education_chart: String,
    kinds_chart: String,
    /// Overdue measures and stalled rectification cases (department, inspector, admin).
    rect: Option<rectification::Alerts>,
}

#[derive(Template)]
#[template(path = "empty.html")]
struct EmptyPage {
    title: String,
    nav: Nav,
    message: String,
}

#[derive(Deserialize)]
struct OrgParam {
    org: Option<String>,
}

async fn dashboard(
    State(state): State<AppState>,
    user: User,
    Query(q): Query<OrgParam>,
) -> Result<Response, PageError> {
    // 三权分立: the auditor's home is the log; the security administrator has no pages of
    // business data.
    match user.actor.role {
        Role::Auditor => return Ok(Redirect::to("/audit").into_response()),
        Role::Security => {
            return html(&EmptyPage {
                title: "首页".into(),
                nav: Nav::of(&user),
                message: "安全管理员在服务器上分配角色和范围（jiceng user role）、重置动态验证码（jiceng user 2fa reset）、轮换密钥（jiceng key rotate）；这些操作都记入审计日志。安全管理员不查看业务数据。".into(),
            })
        }
        _ => {}
    }
    if user.actor.role == Role::Member {
        return Ok(match user.actor.member_id {
            Some(id) => Redirect::to(&format!("/members/{id}")).into_response(),
            None => html(&EmptyPage {
                title: "首页".into(),
                nav: Nav::of(&user),
                message: "您的账号尚未关联党员信息，请联系所在支部。".into(),
            })?,
        });
    }
    let key = match opt_i64(&q.org)? {
        Some(id) => OrgKey::Id(id),
        None => OrgKey::Home,
    };
    let root = match access::resolve(&state.app, &user.actor, &key).await {
        Ok(root) => root,
        Err(jiceng_app::AppError::NotFound(_)) if key == OrgKey::Home => {
            return html(&EmptyPage {
                title: "首页".into(),
                nav: Nav::of(&user),
                message: "您的账号没有关联党组织，看不到任何数据。请联系管理员。".into(),
            });
        }
        Err(e) => return Err(e.into()),
    };
    let d = state.dashboard(&root).await?;
    let breadcrumb = browse::breadcrumb(&state.app, &user.actor, &root).await?;
    let mut page = dashboard_page(&user, &d, breadcrumb);
    page.rect = rectification::alerts(&state, &user.actor, &root).await?;
    html(&page)
}

fn dashboard_page(
    user: &User,
    d: &browse::Dashboard,
    breadcrumb: Vec<(i64, String)>,
) -> DashboardPage {
    let cov = &d.coverage;
    let cards = vec![
        Card {
            n: d.orgs.to_string(),
            label: "党组织（含本级）".into(),
            id: "card-orgs".into(),
        },
        Card {
            n: d.members.to_string(),
            label: "党员".into(),
            id: "card-members".into(),
        },
        Card {
            n: format!("{} / {}", d.full, d.probationary),
            label: "正式 / 预备党员".into(),
            id: "card-full".into(),
        },
        Card {
            n: d.anomalies_total.to_string(),
            label: "组织设置问题".into(),
            id: "card-anomalies".into(),
        },
        Card {
            n: cov.total.operating.to_string(),
            label: "在业单位".into(),
            id: "card-units".into(),
        },
        Card {
            n: charts::pct(cov.total.org_rate),
            label: "党的组织覆盖率".into(),
            id: "card-org-rate".into(),
        },
        Card {
            n: charts::pct(cov.total.work_rate),
            label: "党的工作覆盖率".into(),
            id: "card-work-rate".into(),
        },
        Card {
            n: (cov.should_have_org.len() + cov.uncovered.len()).to_string(),
            label: "应建未建 + 空白点".into(),
            id: "card-gaps".into(),
        },
    ];
    let rules: Vec<RuleLine> = d
        .anomalies
        .iter()
        .map(|(code, label, n)| RuleLine {
            code: code.clone(),
            label: label.clone(),
            n: *n,
        })
        .collect();
    let anomaly_chart = charts::bars(
        "组织设置问题（按规则）",
        &rules
            .iter()
            .filter(|r| r.n > 0)
            .map(|r| (r.label.clone(), r.n as f64, r.n.to_string()))
            .collect::<Vec<_>>(),
    );
    let coverage: Vec<CoverageLine> = cov
        .by_domain
        .iter()
        .map(|(d, r)| CoverageLine {
            domain: d.clone(),
            operating: r.operating,
            own_org: r.own_org,
            org_covered: r.org_covered,
            org_rate: charts::pct(r.org_rate),
            work_rate: charts::pct(r.work_rate),
        })
        .collect();
    let coverage_chart = charts::bars(
        "党的组织覆盖率（按领域）",
        &cov.by_domain
            .iter()
            .filter(|(_, r)| r.operating > 0)
            .map(|(d, r)| {
                (
                    d.clone(),
                    r.org_rate.unwrap_or(0.0),
                    charts::pct(r.org_rate),
                )
            })
            .collect::<Vec<_>>(),
    );
    let dims = d.member_report.dimensions();
    let dim = |name: &str| -> Vec<(String, i64)> {
        dims.iter()
            .find(|(n, _)| *n == name)
            .map(|(_, v)| v.clone())
            .unwrap_or_default()
    };
    let as_bars = |v: Vec<(String, i64)>| -> Vec<(String, f64, String)> {
        v.into_iter()
            .map(|(k, n)| (k, n as f64, n.to_string()))
            .collect()
    };
    DashboardPage {
        title: format!("{} 工作台", d.org.name),
        nav: Nav::of(user),
        org_id: d.org.id,
        org_name: d.org.name.clone(),
        org_kind: d.org.kind_label.clone(),
        breadcrumb,
        quote: SEED_QUOTE,
        source: SEED_SOURCE,
        facts_on: d
            .facts_on
            .map(|f| f.to_string())
            .unwrap_or_else(|| "尚未计算".into()),
        cards,
        rules,
        anomaly_chart,
        coverage,
        coverage_chart,
        gender_chart: charts::pie("性别", &dim("性别")),
        age_chart: charts::bars("年龄", &as_bars(dim("年龄"))),
        education_chart: charts::bars("学历", &as_bars(dim("学历"))),
        kinds_chart: charts::bars(
            "党组织类别",
            &d.orgs_by_kind
                .iter()
                .map(|(k, n)| (k.clone(), *n as f64, n.to_string()))
                .collect::<Vec<_>>(),
        ),
        rect: None,
    }
}

// ---------------------------------------------------------------- audit log

#[derive(Template)]
#[template(path = "audit.html")]
struct AuditPage {
    title: String,
    nav: Nav,
    entries: Vec<jiceng_app::audit::AuditEntry>,
    pager: Pager,
}

#[derive(Deserialize)]
struct PageParam {
    page: Option<i64>,
}

async fn audit_log(
    State(state): State<AppState>,
    user: User,
    Query(q): Query<PageParam>,
) -> Result<Response, PageError> {
    let page = q.page.unwrap_or(1).max(1);
    let (entries, total) =
        jiceng_app::audit::list(&state.app, &user.actor.grant()?, page, 50).await?;
    let pages = ((total + 49) / 50).max(1);
    html(&AuditPage {
        title: "审计日志".into(),
        nav: Nav::of(&user),
        entries,
        pager: Pager::new("/audit", &[], page, pages, total),
    })
}

#[derive(Deserialize)]
struct PeriodParam {
    from: Option<String>,
    to: Option<String>,
}

fn day(name: &str, v: &Option<String>) -> Result<Option<chrono::NaiveDate>, jiceng_app::AppError> {
    match v.as_deref().map(str::trim).filter(|s| !s.is_empty()) {
        None => Ok(None),
        Some(s) => chrono::NaiveDate::parse_from_str(s, "%Y-%m-%d")
            .map(Some)
            .map_err(|_| {
                jiceng_app::AppError::Input(format!("{name}“{s}”不是日期（应为 YYYY-MM-DD）"))
            }),
    }
}

/// The audit log of the reader's scope for the assessor, `?from=&to=` (days, UTC);
/// the export is itself recorded.
async fn audit_export(
    State(state): State<AppState>,
    user: User,
    Query(q): Query<PeriodParam>,
) -> Result<Response, PageError> {
    let period = jiceng_app::audit::Period {
        from: day("起始日期", &q.from)?,
        to: day("截止日期", &q.to)?,
    };
    let (_, bytes) = jiceng_app::audit::export(&state.app, &user.actor.grant()?, period).await?;
    Ok(xlsx("审计日志.xlsx", bytes))
}
