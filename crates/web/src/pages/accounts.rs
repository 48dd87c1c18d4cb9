//! Accounts in the browser (账号管理, issue #16 point 6): the list of the accounts one
//! keeps, filtered and paged; a new account (the system administrator), the branch
//! secretaries' accounts opened in one step (the department), disable, enable and reset
//! with a one-time password shown once to print; role and scope (the security
//! administrator); and one's own account with its sessions (我的账号).

use std::collections::HashMap;

use askama::Template;
use axum::extract::{Path, Query, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Redirect, Response};
use jiceng_app::access::{Action, Grant, InScope, KeepAccounts, ProvisionAccounts, Role};
use jiceng_app::users::provision::{self, Opened, Plan};
use jiceng_app::users::sessions::{self, SessionInfo};
use jiceng_app::users::{self, NewUser, RoleGrant, UserInfo};
use jiceng_app::{AppError, OrgRecord};
use serde::Deserialize;

use super::{html, html_status, Nav, Pager};
use crate::error::PageError;
use crate::extract::{CsrfForm, NoFields, QueryOrg};
use crate::routes::{Guard, Routes, Subject};
use crate::session::{self, User};
use crate::AppState;

pub fn routes() -> Routes {
    let keep = Guard::May(Action::KeepAccounts);
    let assign = Guard::May(Action::AssignRoles);
    let provision = Guard::May(Action::ProvisionAccounts);
    Routes::new()
        .get(
            "/accounts",
            Guard::May(Action::ListAccounts),
            Subject::None,
            list,
        )
        .post(
            "/accounts/add",
            Guard::May(Action::ManageAccounts),
            Subject::None,
            add,
        )
        .post("/accounts/{id}/reset", keep, Subject::Account, reset)
        .post("/accounts/{id}/disable", keep, Subject::Account, disable)
        .post("/accounts/{id}/enable", keep, Subject::Account, enable)
        .get("/accounts/{id}/role", assign, Subject::Account, role_form)
        .post("/accounts/{id}/role", assign, Subject::Account, set_role)
        .get(
            "/accounts/provision",
            provision,
            Subject::QueryOrg,
            provision_page,
        )
        .post(
            "/accounts/provision",
            provision,
            Subject::QueryOrg,
            provision_open,
        )
        .get("/account", Guard::Session, Subject::None, own_account)
        .post(
            "/account/sessions/end",
            Guard::Session,
            Subject::None,
            end_sessions,
        )
}

// ---------------------------------------------------------------- the list

#[derive(Deserialize, Default)]
#[serde(default)]
struct ListQuery {
    q: String,
    role: String,
    state: String,
    page: Option<i64>,
    done: String,
}

/// One account of the list, with what the viewer may do to it.
struct Row {
    u: UserInfo,
    state: &'static str,
    keep: bool,
}

#[derive(Template)]
#[template(path = "accounts.html")]
struct ListPage {
    title: String,
    nav: Nav,
    rows: Vec<Row>,
    pager: Pager,
    q: String,
    role: String,
    state: String,
    roles: Vec<(&'static str, &'static str)>,
    can_add: bool,
    can_provision: bool,
    can_assign: bool,
    done: String,
    error: Option<String>,
    typed: AddForm,
}

const PAGE: usize = 50;

fn state_of(u: &UserInfo) -> &'static str {
    if u.disabled {
        "已停用"
    } else if u.locked_until.is_some() {
        "已锁定"
    } else if u.must_change_password {
        "待修改初始密码"
    } else {
        "正常"
    }
}

fn matches(u: &UserInfo, q: &ListQuery) -> bool {
    let text = q.q.trim();
    let found = text.is_empty()
        || u.username.contains(text)
        || u.display_name.as_deref().is_some_and(|n| n.contains(text))
        || u.org_name.as_deref().is_some_and(|n| n.contains(text))
        || u.org_code.as_deref().is_some_and(|c| c == text);
    let role = q.role.is_empty() || u.role.code() == q.role;
    let state = match q.state.as_str() {
        "" => true,
        "disabled" => u.disabled,
        "locked" => u.locked_until.is_some(),
        "pending" => u.must_change_password && !u.disabled,
        "never" => u.last_login.is_none(),
        _ => true,
    };
    found && role && state
}

async fn list_page(
    state: &AppState,
    user: &User,
    q: &ListQuery,
    typed: AddForm,
    error: Option<String>,
) -> Result<ListPage, PageError> {
    let actor = &user.actor;
    let all = users::list_users(&state.app, &actor.grant()?).await?;
    let found: Vec<UserInfo> = all.into_iter().filter(|u| matches(u, q)).collect();
    let total = found.len();
    let pages = total.div_ceil(PAGE).max(1);
    let page = (q.page.unwrap_or(1).max(1) as usize).min(pages);
    let rows = found
        .into_iter()
        .skip((page - 1) * PAGE)
        .take(PAGE)
        .map(|u| Row {
            state: state_of(&u),
            keep: users::may_keep(actor, &u),
            u,
        })
        .collect();
    let params = [
        ("q", q.q.clone()),
        ("role", q.role.clone()),
        ("state", q.state.clone()),
    ];
    Ok(ListPage {
        title: "账号管理".into(),
        nav: Nav::of(user),
        rows,
        pager: Pager::new(
            "/accounts",
            &params,
            page as i64,
            pages as i64,
            total as i64,
        ),
        q: q.q.clone(),
        role: q.role.clone(),
        state: q.state.clone(),
        roles: Role::ALL.iter().map(|r| (r.code(), r.label())).collect(),
        can_add: actor.may(Action::ManageAccounts),
        can_provision: actor.may(Action::ProvisionAccounts),
        can_assign: actor.may(Action::AssignRoles),
        done: done_text(&q.done).to_string(),
        error,
        typed,
    })
}

fn done_text(done: &str) -> &'static str {
    match done {
        "disabled" => "账号已停用，其登录会话已结束。",
        "enabled" => "账号已启用。",
        "role" => "角色和管理范围已保存，该账号原有的登录会话已结束。",
        _ => "",
    }
}

async fn list(
    State(state): State<AppState>,
    user: User,
    Query(q): Query<ListQuery>,
) -> Result<Response, PageError> {
    html(&list_page(&state, &user, &q, AddForm::default(), None).await?)
}

// ---------------------------------------------------------------- passwords shown once

/// Accounts with their one-time passwords, shown once (to print and hand over).
#[derive(Template)]
#[template(path = "accounts_issued.html")]
struct IssuedPage {
    title: String,
    nav: Nav,
    what: String,
    issued: Vec<Opened>,
}

fn issued(user: &User, what: String, issued: Vec<Opened>) -> Result<Response, PageError> {
    html(&IssuedPage {
        title: "一次性密码".into(),
        nav: Nav::of(user),
        what,
        issued,
    })
}

fn one(u: &UserInfo, password: String) -> Opened {
    Opened {
        opening: provision::Opening {
            org_id: 0,
            org: jiceng_app::OrgRef {
                code: u.org_code.clone().unwrap_or_default(),
                name: u.org_name.clone().unwrap_or_else(|| "—".into()),
            },
            kind_label: u.role.label().to_string(),
            secretary: u.display_name.clone(),
            username: u.username.clone(),
        },
        password,
    }
}

// ---------------------------------------------------------------- add, reset, disable

/// A refused form's status: an org (or member) not found in scope is 404, as everywhere;
/// anything else typed wrong, 400. The page is shown again either way, with the message.
fn refusal_status(e: &AppError) -> StatusCode {
    match e {
        AppError::OrgNotFound(_) | AppError::NotFound(_) => StatusCode::NOT_FOUND,
        _ => StatusCode::BAD_REQUEST,
    }
}

#[derive(Deserialize, Default, Clone)]
#[serde(default)]
struct AddForm {
    username: String,
    org: String,
    display_name: String,
}

async fn add(
    State(state): State<AppState>,
    CsrfForm { user, form: f }: CsrfForm<AddForm>,
) -> Result<Response, PageError> {
    // 三权分立: the system administrator opens the account as 党员 without a member record;
    // the security administrator then gives it its role and scope.
    let role = Role::Member;
    let password = users::one_time_password(&state.app, role)?;
    let new = NewUser {
        username: f.username.clone(),
        password: password.clone(),
        role,
        org: Some(f.org.clone()),
        member_id: None,
        display_name: Some(f.display_name.clone()),
        must_change: true,
    };
    match users::add_user(&state.app, &user.actor, new).await {
        Ok(u) => issued(
            &user,
            format!(
                "已新建账号“{}”。角色和管理范围请由安全管理员分配。",
                u.username
            ),
            vec![one(&u, password)],
        ),
        Err(
            e @ (AppError::Input(_) | AppError::OrgNotFound(_) | AppError::OrgAmbiguous { .. }),
        ) => {
            let q = ListQuery::default();
            let status = refusal_status(&e);
            let page = list_page(&state, &user, &q, f, Some(e.to_string())).await?;
            html_status(status, &page)
        }
        Err(e) => Err(e.into()),
    }
}

/// The account `id` the actor keeps: its current row.
async fn kept(state: &AppState, user: &User, id: i64) -> Result<UserInfo, PageError> {
    Ok(users::account(&state.app, &user.actor, id).await?)
}

async fn reset(
    State(state): State<AppState>,
    Path(id): Path<i64>,
    CsrfForm { user, .. }: CsrfForm<NoFields>,
) -> Result<Response, PageError> {
    user.actor.grant::<KeepAccounts>()?;
    let u = kept(&state, &user, id).await?;
    let password = users::one_time_password(&state.app, u.role)?;
    users::reset_password(&state.app, &user.actor, &u.username, &password).await?;
    issued(
        &user,
        format!(
            "已重置“{}”的密码，原有登录会话已结束。用户用一次性密码登录后须先设置自己的新密码。",
            u.username
        ),
        vec![one(&u, password)],
    )
}

async fn disable(
    State(state): State<AppState>,
    Path(id): Path<i64>,
    CsrfForm { user, .. }: CsrfForm<NoFields>,
) -> Result<Response, PageError> {
    switch(&state, &user, id, true).await
}

async fn enable(
    State(state): State<AppState>,
    Path(id): Path<i64>,
    CsrfForm { user, .. }: CsrfForm<NoFields>,
) -> Result<Response, PageError> {
    switch(&state, &user, id, false).await
}

/// Disables (or enables) the account `id`, back to the list with its notice.
async fn switch(state: &AppState, user: &User, id: i64, off: bool) -> Result<Response, PageError> {
    let u = kept(state, user, id).await?;
    let to = if off {
        users::disable_user(&state.app, &user.actor, &u.username).await?;
        "/accounts?done=disabled"
    } else {
        users::enable_user(&state.app, &user.actor, &u.username).await?;
        "/accounts?done=enabled"
    };
    Ok(Redirect::to(to).into_response())
}

// ---------------------------------------------------------------- role and scope

#[derive(Template)]
#[template(path = "account_role.html")]
struct RolePage {
    title: String,
    nav: Nav,
    u: UserInfo,
    roles: Vec<(&'static str, &'static str)>,
    role: String,
    org: String,
    member_id: String,
    error: Option<String>,
}

#[derive(Deserialize, Default)]
#[serde(default)]
struct RoleForm {
    role: String,
    org: String,
    member_id: String,
}

fn role_page(user: &User, u: UserInfo, f: RoleForm, error: Option<String>) -> RolePage {
    RolePage {
        title: format!("分配角色 · {}", u.username),
        nav: Nav::of(user),
        roles: Role::ALL.iter().map(|r| (r.code(), r.label())).collect(),
        role: if f.role.is_empty() {
            u.role.code().to_string()
        } else {
            f.role
        },
        org: if f.org.is_empty() {
            u.org_code.clone().unwrap_or_default()
        } else {
            f.org
        },
        member_id: f.member_id,
        error,
        u,
    }
}

async fn role_form(
    State(state): State<AppState>,
    Path(id): Path<i64>,
    user: User,
) -> Result<Response, PageError> {
    let u = kept(&state, &user, id).await?;
    html(&role_page(&user, u, RoleForm::default(), None))
}

async fn set_role(
    State(state): State<AppState>,
    Path(id): Path<i64>,
    CsrfForm { user, form: f }: CsrfForm<RoleForm>,
) -> Result<Response, PageError> {
    let u = kept(&state, &user, id).await?;
    let refused = |f: RoleForm, e: AppError| -> Result<Response, PageError> {
        html_status(
            refusal_status(&e),
            &role_page(&user, u.clone(), f, Some(e.to_string())),
        )
    };
    let Some(role) = Role::from_code(f.role.trim()) else {
        return refused(f, AppError::Input("请选择角色".into()));
    };
    let member_id = match f.member_id.trim() {
        "" => None,
        m => match m.parse::<i64>() {
            Ok(id) => Some(id),
            Err(_) => return refused(f, AppError::Input("党员编号应为数字".into())),
        },
    };
    let grant = RoleGrant {
        username: u.username.clone(),
        role,
        org: Some(f.org.clone()),
        member_id,
    };
    match users::set_role(&state.app, &user.actor, grant).await {
        Ok(_) => Ok(Redirect::to("/accounts?done=role").into_response()),
        Err(
            e @ (AppError::Input(_)
            | AppError::OrgNotFound(_)
            | AppError::OrgAmbiguous { .. }
            | AppError::NotFound(_)),
        ) => refused(f, e),
        Err(e) => Err(e.into()),
    }
}

// ---------------------------------------------------------------- 批量开通书记账号

#[derive(Template)]
#[template(path = "accounts_provision.html")]
struct ProvisionPage {
    title: String,
    nav: Nav,
    plan: Plan,
    batch: usize,
    error: Option<String>,
}

async fn provision_page(
    State(state): State<AppState>,
    QueryOrg { user, org }: QueryOrg<User>,
) -> Result<Response, PageError> {
    let grant = user.actor.grant::<ProvisionAccounts>()?;
    html(&ProvisionPage::of(&state, &user, &grant, &org, None).await?)
}

impl ProvisionPage {
    async fn of(
        state: &AppState,
        user: &User,
        grant: &Grant<ProvisionAccounts>,
        org: &InScope<OrgRecord>,
        error: Option<String>,
    ) -> Result<ProvisionPage, PageError> {
        let plan = provision::plan(&state.app, grant, org).await?;
        Ok(ProvisionPage {
            title: format!("批量开通书记账号 · {}", plan.org.name),
            nav: Nav::of(user),
            plan,
            batch: provision::BATCH,
            error,
        })
    }
}

async fn provision_open(
    State(state): State<AppState>,
    QueryOrg { org, .. }: QueryOrg<User>,
    CsrfForm { user, form }: CsrfForm<HashMap<String, String>>,
) -> Result<Response, PageError> {
    let grant = user.actor.grant::<ProvisionAccounts>()?;
    let chosen: Vec<i64> = form
        .keys()
        .filter_map(|k| k.strip_prefix("org_"))
        .filter_map(|id| id.parse().ok())
        .collect();
    match provision::open(&state.app, &grant, &org, Some(&chosen)).await {
        Ok(opened) => issued(
            &user,
            format!(
                "已为{}下的{}个党支部开通书记账号。",
                org.org.name,
                opened.len()
            ),
            opened,
        ),
        Err(AppError::Input(message)) => html_status(
            StatusCode::BAD_REQUEST,
            &ProvisionPage::of(&state, &user, &grant, &org, Some(message)).await?,
        ),
        Err(e) => Err(e.into()),
    }
}

// ---------------------------------------------------------------- 我的账号

#[derive(Template)]
#[template(path = "account.html")]
struct OwnPage {
    title: String,
    nav: Nav,
    username: String,
    role: String,
    sessions: Vec<SessionInfo>,
    ended: Option<u64>,
}

#[derive(Deserialize, Default)]
#[serde(default)]
struct OwnQuery {
    ended: Option<u64>,
}

async fn own_account(
    State(state): State<AppState>,
    headers: HeaderMap,
    user: User,
    Query(q): Query<OwnQuery>,
) -> Result<Response, PageError> {
    let token = session::cookie(&headers, session::SESSION_COOKIE).unwrap_or_default();
    html(&OwnPage {
        title: "我的账号".into(),
        nav: Nav::of(&user),
        username: user.actor.username().to_string(),
        role: user.actor.role().label().to_string(),
        sessions: sessions::list(&state.app, &token).await?,
        ended: q.ended,
    })
}

async fn end_sessions(
    State(state): State<AppState>,
    headers: HeaderMap,
    _: CsrfForm<NoFields>,
) -> Result<Response, PageError> {
    let token = session::cookie(&headers, session::SESSION_COOKIE).unwrap_or_default();
    let ended = sessions::end_others(&state.app, &token).await?;
    Ok(Redirect::to(&format!("/account?ended={ended}")).into_response())
}
