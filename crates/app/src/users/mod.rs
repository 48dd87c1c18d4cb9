//! Users: added, listed, disabled and given a new password by the system administrator,
//! within its own scope; given a role and a scope by the security administrator (三权分立:
//! the system administrator gives neither). The organization department opens the branch
//! secretaries' accounts of its subtree ([`provision`]) and disables, enables and resets
//! the accounts of the delegated roles there ([`DELEGATED_ROLES`]). Every change is audited in its transaction. A password someone else
//! set is a one-time password: its user changes it at the next login.

pub mod provision;
pub mod sessions;

use jiceng_store::orgs::StoredOrg;
use jiceng_store::users::{self as user_store, NewUserRecord, StoredUser};
use jiceng_store::{Conn, Scope};
use serde::Serialize;
use serde_json::json;

use crate::access::{Action, Actor, Grant, ListAccounts, Role};
use crate::audit::{self, AuditAction};
use crate::auth::{hash_password, local_text, parse_time, time_text};
use crate::{App, AppError, Result};

#[derive(Debug, Clone, PartialEq)]
pub struct NewUser {
    pub username: String,
    pub password: String,
    pub role: Role,
    /// The org whose subtree the user sees: its code, or its unique name.
    pub org: Option<String>,
    /// The member record of a `Member` user.
    pub member_id: Option<i64>,
    pub display_name: Option<String>,
    /// A one-time password (the web's new account): to be changed at the first login.
    pub must_change: bool,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct UserInfo {
    pub id: i64,
    pub username: String,
    pub role: Role,
    pub org_code: Option<String>,
    pub org_name: Option<String>,
    pub display_name: Option<String>,
    pub disabled: bool,
    /// While the account is locked: until when (China Standard Time, `YYYY-MM-DD HH:MM`).
    pub locked_until: Option<String>,
    /// The last login (China Standard Time), if any.
    pub last_login: Option<String>,
    /// Its password is a one-time password not yet changed.
    pub must_change_password: bool,
}

fn info(app: &App, u: &StoredUser) -> Result<UserInfo> {
    let role = Role::from_code(&u.role).ok_or_else(|| {
        AppError::Store(jiceng_store::StoreError::Corrupt(format!(
            "角色 {}",
            u.role
        )))
    })?;
    let now = app.now();
    Ok(UserInfo {
        id: u.id,
        username: u.username.clone(),
        role,
        org_code: u.org_code.clone(),
        org_name: u.org_name.clone(),
        display_name: u.display_name.clone(),
        disabled: u.disabled,
        locked_until: u
            .locked_until
            .as_deref()
            .and_then(parse_time)
            .filter(|t| *t > now)
            .map(local_text),
        last_login: u
            .last_login_at
            .as_deref()
            .and_then(parse_time)
            .map(local_text),
        must_change_password: u.must_change_password,
    })
}

fn check_admin(actor: &Actor) -> Result<()> {
    if actor.may(Action::ManageAccounts) {
        Ok(())
    } else {
        Err(AppError::Forbidden)
    }
}

/// The roles whose accounts the organization department disables, enables and resets in
/// its subtree ([`Action::KeepAccounts`]): never its own kind, never a separated role.
pub const DELEGATED_ROLES: [Role; 3] = [Role::Secretary, Role::Committee, Role::Member];

/// Whether `actor` may disable, enable or reset the account `u` (already found in its
/// scope): the system administrator any, the department the delegated roles' bound to an
/// org.
fn may_manage(actor: &Actor, u: &StoredUser) -> bool {
    if actor.may(Action::ManageAccounts) {
        return true;
    }
    actor.may(Action::KeepAccounts)
        && u.org_id.is_some()
        && Role::from_code(&u.role).is_some_and(|r| DELEGATED_ROLES.contains(&r))
}

/// A one-time password for an account of `role`: long enough for the role's policy, of
/// upper- and lower-case letters and digits without the ones read alike (0/O, 1/l/I), so
/// it can be read off paper and typed on a phone.
pub fn one_time_password(app: &App, role: Role) -> Result<String> {
    const UPPER: &[u8] = b"ABCDEFGHJKLMNPQRSTUVWXYZ";
    const LOWER: &[u8] = b"abcdefghijkmnpqrstuvwxyz";
    const DIGIT: &[u8] = b"23456789";
    const SYMBOL: &[u8] = b"#+-=";
    let policy = &app.auth.password;
    let n = policy.min_chars_for(role).max(10);
    // A symbol only where the policy asks for all four classes.
    let symbols = policy.min_classes > 3;
    for _ in 0..100 {
        let mut bytes = vec![0u8; n];
        getrandom::getrandom(&mut bytes)
            .map_err(|e| AppError::Input(format!("系统随机数不可用：{e}")))?;
        let pw: String = bytes
            .iter()
            .enumerate()
            .map(|(i, b)| {
                let set = match i % 5 {
                    4 if symbols => SYMBOL,
                    3 | 4 => DIGIT,
                    1 => UPPER,
                    _ => LOWER,
                };
                set[*b as usize % set.len()] as char
            })
            .collect();
        if policy.check(&pw, "", role).is_ok() {
            return Ok(pw);
        }
    }
    Err(AppError::Input(
        "无法按密码策略生成一次性密码，请检查密码策略设置".into(),
    ))
}

/// The subtree of accounts (and audit entries) an actor administers: its org's subtree;
/// for a system or security administrator or an auditor without an org, everything. This
/// is not what it may read of the business data (`actor.scope`: nothing for the security
/// administrator and the auditor).
pub async fn org_scope(conn: &mut Conn, actor: &Actor) -> Result<Scope> {
    if actor.is_system() {
        return Ok(Scope::All);
    }
    match actor.org_id {
        Some(id) => Ok(
            match jiceng_store::orgs::get(conn, &Scope::All, id).await? {
                Some(o) => Scope::subtree(&o.path),
                None => Scope::Nothing,
            },
        ),
        None if actor.role.is_separated() => Ok(Scope::All),
        None => Ok(Scope::Nothing),
    }
}

/// The password policy for a user of this name and role (`password::PasswordPolicy`, in
/// the app's `AuthConfig`): length by role, character classes, not the name, not common.
pub fn check_password(app: &App, password: &str, username: &str, role: Role) -> Result<()> {
    app.auth.password.check(password, username, role)
}

fn check_username(username: &str) -> Result<()> {
    let n = username.chars().count();
    if n == 0 || n > 64 {
        return Err(AppError::Input("用户名应为1至64个字符".into()));
    }
    if username
        .chars()
        .any(|c| c.is_whitespace() || c.is_control())
    {
        return Err(AppError::Input("用户名不能包含空格或控制字符".into()));
    }
    Ok(())
}

async fn org_of(conn: &mut Conn, u: &StoredUser) -> Result<Option<StoredOrg>> {
    match u.org_id {
        Some(id) => Ok(jiceng_store::orgs::get(conn, &Scope::All, id).await?),
        None => Ok(None),
    }
}

/// A user the actor may manage: in its scope (else `NotFound`), and of a role it manages
/// (else `Forbidden`).
async fn managed(app: &App, actor: &Actor, username: &str) -> Result<StoredUser> {
    if !actor.may(Action::KeepAccounts) {
        return Err(AppError::Forbidden);
    }
    let mut conn = app.store.acquire().await?;
    let user = user_store::get_by_username(&mut conn, &actor.scope, username.trim())
        .await?
        .ok_or_else(|| AppError::NotFound(format!("用户“{}”", username.trim())))?;
    if !may_manage(actor, &user) {
        return Err(AppError::Forbidden);
    }
    Ok(user)
}

/// Adds a user. Only an administrator may, and only within its own scope: the new
/// user's org must lie in it, and a user without an org only an administrator without
/// one may add.
///
/// 三权分立: only the command line (the operator bootstrapping accounts) gives a role at
/// creation. The system administrator adds an account as 党员 without a member record
/// (it reads nothing) and the security administrator then gives it its role and scope
/// ([`set_role`]).
pub async fn add_user(app: &App, actor: &Actor, new: NewUser) -> Result<UserInfo> {
    check_admin(actor)?;
    if !actor.is_system() && (new.role != Role::Member || new.member_id.is_some()) {
        return Err(AppError::Input(
            "系统管理员不能分配角色：新账户先以“党员（未关联党员信息）”创建，角色和范围由安全管理员分配"
                .into(),
        ));
    }
    let username = new.username.trim().to_string();
    check_username(&username)?;
    check_password(app, &new.password, &username, new.role)?;
    let org = match new.org.as_deref().map(str::trim).filter(|s| !s.is_empty()) {
        Some(key) => Some(app.resolve_org(&actor.scope, key).await?),
        None if actor.scope == Scope::All => None,
        None => return Err(AppError::Forbidden),
    };
    let mut conn = app.store.acquire().await?;
    if let Some(id) = new.member_id {
        if jiceng_store::members::get(&mut conn, &actor.scope, id)
            .await?
            .is_none()
        {
            return Err(AppError::NotFound(format!("党员（id {id}）")));
        }
    }
    let exists = |username: &str| AppError::Input(format!("用户名“{username}”已存在"));
    if user_store::get_by_username(&mut conn, &Scope::All, &username)
        .await?
        .is_some()
    {
        return Err(exists(&username));
    }
    drop(conn);
    let record = NewUserRecord {
        id: app.store.reserve_ids("user", 1).await?,
        username: username.clone(),
        password_hash: hash_password(&new.password).await?,
        role: new.role.code().to_string(),
        org_id: org.as_ref().map(|o| o.org.id),
        member_id: new.member_id,
        display_name: new
            .display_name
            .map(|s| s.trim().to_string())
            .filter(|s| !s.is_empty()),
        must_change_password: new.must_change,
    };
    let now = app.now();
    let after = json!({
        "username": record.username,
        "role": record.role,
        "org": org.as_ref().map(|o| o.org.code.clone()),
        "member_id": record.member_id,
        "display_name": record.display_name,
    });
    let entry = audit::Entry::new(actor, AuditAction::UserAdd, &record.username)
        .org(org.as_ref())
        .after(after);
    let (record, entry) = (&record, &entry);
    let done = audit::with_retry(|| async move {
        let mut tx = app.store.begin().await?;
        user_store::insert(&mut tx, record, &time_text(now)).await?;
        entry.commit(tx, now).await
    })
    .await;
    match done {
        Err(AppError::Store(jiceng_store::StoreError::Db(jiceng_store::SqlxError::Database(
            e,
        )))) if e.is_unique_violation() => {
            return Err(exists(&username));
        }
        other => other?,
    }
    let mut conn = app.store.acquire().await?;
    let stored = user_store::get(&mut conn, record.id)
        .await?
        .ok_or_else(|| AppError::NotFound(format!("用户“{username}”")))?;
    info(app, &stored)
}

/// The users in the scope of the system or the security administrator, by name.
pub async fn list_users(app: &App, grant: &Grant<ListAccounts>) -> Result<Vec<UserInfo>> {
    let actor = grant.actor();
    let mut conn = app.store.acquire().await?;
    let scope = org_scope(&mut conn, actor).await?;
    user_store::list(&mut conn, &scope)
        .await?
        .iter()
        .map(|u| info(app, u))
        .collect()
}

/// Whether `actor` may disable, enable or reset the account listed as `u` (a page shows
/// the buttons then).
pub fn may_keep(actor: &Actor, u: &UserInfo) -> bool {
    u.id != actor.user_id
        && (actor.may(Action::ManageAccounts)
            || (actor.may(Action::KeepAccounts)
                && u.org_code.is_some()
                && DELEGATED_ROLES.contains(&u.role)))
}

/// The account `id`, if it lies in the actor's area (else not found).
pub async fn account(app: &App, actor: &Actor, id: i64) -> Result<UserInfo> {
    let mut conn = app.store.acquire().await?;
    let area = org_scope(&mut conn, actor).await?;
    let u = user_store::get(&mut conn, id)
        .await?
        .filter(|u| match u.org_path.as_deref() {
            Some(p) => area.contains(p),
            None => area == Scope::All,
        })
        .ok_or_else(|| AppError::NotFound(format!("用户（id {id}）")))?;
    info(app, &u)
}

/// Disables a user and ends its sessions.
pub async fn disable_user(app: &App, actor: &Actor, username: &str) -> Result<()> {
    set_disabled(app, actor, username, true).await
}

/// Enables a disabled user again (its password as it was).
pub async fn enable_user(app: &App, actor: &Actor, username: &str) -> Result<()> {
    set_disabled(app, actor, username, false).await
}

async fn set_disabled(app: &App, actor: &Actor, username: &str, disabled: bool) -> Result<()> {
    let user = managed(app, actor, username).await?;
    if user.id == actor.user_id {
        return Err(AppError::Input("不能停用或启用自己的账户".into()));
    }
    if user.disabled == disabled {
        return Ok(());
    }
    let action = if disabled {
        AuditAction::UserDisable
    } else {
        AuditAction::UserEnable
    };
    let now = app.now();
    audit::with_retry(|| async {
        let mut tx = app.store.begin().await?;
        user_store::set_disabled(&mut tx, user.id, disabled, &time_text(now)).await?;
        user_store::delete_sessions_of(&mut tx, user.id).await?;
        let org = org_of(&mut tx, &user).await?;
        audit::Entry::new(actor, action, &user.username)
            .org(org.as_ref())
            .before(json!({ "disabled": !disabled }))
            .after(json!({ "disabled": disabled }))
            .commit(tx, now)
            .await
    })
    .await
}

/// Sets a new password, clears any lockout and ends the user's sessions. The password is a
/// one-time password: its user must change it at the next login.
pub async fn reset_password(
    app: &App,
    actor: &Actor,
    username: &str,
    password: &str,
) -> Result<()> {
    let user = managed(app, actor, username).await?;
    let role = Role::from_code(&user.role).ok_or_else(|| {
        AppError::Store(jiceng_store::StoreError::Corrupt(format!(
            "角色 {}",
            user.role
        )))
    })?;
    check_password(app, password, &user.username, role)?;
    let hash = hash_password(password).await?;
    let now = app.now();
    let before = json!({
        "failed_logins": user.failed_logins,
        "locked_until": user.locked_until,
    });
    let (user, hash, before) = (&user, &hash, &before);
    audit::with_retry(|| async move {
        let mut tx = app.store.begin().await?;
        user_store::set_password(&mut tx, user.id, hash, &time_text(now), true).await?;
        user_store::delete_sessions_of(&mut tx, user.id).await?;
        let org = org_of(&mut tx, user).await?;
        audit::Entry::new(actor, AuditAction::PasswordReset, &user.username)
            .org(org.as_ref())
            .before(before.clone())
            .after(
                json!({ "failed_logins": 0, "locked_until": null, "must_change_password": true }),
            )
            .commit(tx, now)
            .await
    })
    .await
}

/// A role and a scope given to an account.
#[derive(Debug, Clone, PartialEq)]
pub struct RoleGrant {
    pub username: String,
    pub role: Role,
    /// The org whose subtree the account sees (code or unique name); none: nothing (a
    /// separated role without an org: everything).
    pub org: Option<String>,
    /// The member record of a `Member` account.
    pub member_id: Option<i64>,
}

/// Gives an account its role and scope: the security administrator, for accounts and
/// orgs in its area (not its own account), or the command line. Audited (`RoleChange`,
/// or `ScopeChange` when only the org or member record changes); the account's sessions
/// end, so the new rights hold at once.
///
/// 三权分立: an account holding one of the separated roles (system administrator,
/// security administrator, auditor) keeps it; a separated role is given only to a fresh
/// account (党员 without a member record, as the system administrator adds them). So no
/// account ever holds two of them, one after the other either.
pub async fn set_role(app: &App, actor: &Actor, grant: RoleGrant) -> Result<UserInfo> {
    if !actor.may(Action::AssignRoles) {
        return Err(AppError::Forbidden);
    }
    let mut conn = app.store.acquire().await?;
    let area = org_scope(&mut conn, actor).await?;
    let username = grant.username.trim();
    let user = user_store::get_by_username(&mut conn, &area, username)
        .await?
        .ok_or_else(|| AppError::NotFound(format!("用户“{username}”")))?;
    drop(conn);
    if user.id == actor.user_id {
        return Err(AppError::Input(
            "不能更改自己的角色或范围，请由另一位安全管理员操作".into(),
        ));
    }
    let current = info(app, &user)?.role;
    let fresh = current == Role::Member && user.member_id.is_none();
    if current != grant.role {
        if current.is_separated() {
            return Err(AppError::Input(format!(
                "三权分立：{}账户的角色不能更改为{}（系统管理员、安全管理员和审计员须各用独立账户，请另建账户）",
                current.label(),
                grant.role.label()
            )));
        }
        if grant.role.is_separated() && !fresh {
            return Err(AppError::Input(format!(
                "三权分立：{}只能授予新建的账户（“{}”已是{}），请另建账户",
                grant.role.label(),
                user.username,
                current.label()
            )));
        }
    }
    let org = match grant
        .org
        .as_deref()
        .map(str::trim)
        .filter(|s| !s.is_empty())
    {
        Some(key) => Some(app.resolve_org(&area, key).await?),
        None if area == Scope::All => None,
        None => {
            return Err(AppError::Input(
                "请指定党组织（--org）：只能在本人管理的范围内分配".into(),
            ))
        }
    };
    let member_id = match (grant.role, grant.member_id) {
        (Role::Member, Some(id)) => {
            let scope = match &org {
                Some(o) => Scope::subtree(&o.path),
                None => Scope::All,
            };
            let mut conn = app.store.acquire().await?;
            if jiceng_store::members::get(&mut conn, &scope, id)
                .await?
                .is_none()
            {
                return Err(AppError::NotFound(format!("党员（id {id}）")));
            }
            Some(id)
        }
        (Role::Member, None) => None,
        (_, Some(_)) => {
            return Err(AppError::Input("只有党员账户可以关联党员信息".into()));
        }
        (_, None) => None,
    };
    let org_id = org.as_ref().map(|o| o.org.id);
    if current == grant.role && org_id == user.org_id && member_id == user.member_id {
        return info(app, &user);
    }
    let action = if current == grant.role {
        AuditAction::ScopeChange
    } else {
        AuditAction::RoleChange
    };
    let before = json!({
        "role": user.role,
        "org": user.org_code,
        "member_id": user.member_id,
    });
    let after = json!({
        "role": grant.role.code(),
        "org": org.as_ref().map(|o| o.org.code.clone()),
        "member_id": member_id,
    });
    let now = app.now();
    audit::with_retry(|| {
        let (before, after) = (before.clone(), after.clone());
        let (user, org) = (&user, &org);
        async move {
            let mut tx = app.store.begin().await?;
            user_store::set_role(
                &mut tx,
                user.id,
                grant.role.code(),
                org_id,
                member_id,
                &time_text(now),
            )
            .await?;
            user_store::delete_sessions_of(&mut tx, user.id).await?;
            // Recorded under the new org (under the old one when the account loses its
            // org), so the auditor of the area the account now belongs to sees it.
            let old_org = org_of(&mut tx, user).await?;
            audit::Entry::new(actor, action, &user.username)
                .org(org.as_ref().or(old_org.as_ref()))
                .before(before)
                .after(after)
                .commit(tx, now)
                .await
        }
    })
    .await?;
    let mut conn = app.store.acquire().await?;
    let stored = user_store::get(&mut conn, user.id)
        .await?
        .ok_or_else(|| AppError::NotFound(format!("用户“{username}”")))?;
    info(app, &stored)
}
