//! The demo's accounts: one per role, bound to orgs of the generated county, with fixed
//! passwords (`Demo@<role>2026`, which meet the password policy). The privileged ones
//! (those `TotpConfig::required_roles` names) are enrolled with a fresh random TOTP secret,
//! printed with the accounts. For the demo database only — never use these passwords for
//! real data.

use anyhow::{Context, Result};
use jiceng_app::access::{Actor, Role};
use jiceng_app::users::{self, NewUser};
use jiceng_app::App;
use jiceng_domain::{Domain, OrgKind};
use jiceng_store::orgs::StoredOrg;
use jiceng_store::Scope;

pub struct DemoAccount {
    pub username: String,
    pub password: String,
    pub note: String,
    /// The TOTP secret (base32) of a privileged account.
    pub totp_secret: Option<String>,
}

/// The password of a demo account.
pub fn password(role: Role) -> String {
    format!("Demo@{}2026", role.code())
}

/// Picks the orgs of the accounts and creates the accounts that are missing.
pub async fn ensure_accounts(app: &App, county_code: &str) -> Result<Vec<DemoAccount>> {
    let system = Actor::system();
    let county = app.resolve_org(&Scope::All, county_code).await?;
    let mut conn = app.store.acquire().await?;
    let kids = jiceng_store::orgs::children(&mut conn, &Scope::All, county.org.id)
        .await
        .unwrap_or_default();
    let township: StoredOrg = kids
        .iter()
        .find(|o| o.org.kind == OrgKind::PrimaryCommittee && o.org.domain == Some(Domain::Township))
        .or_else(|| kids.iter().find(|o| o.org.kind.is_committee()))
        .cloned()
        .context("演示县下没有乡镇党委")?;
    let orgs = jiceng_store::orgs::list(&mut conn, &Scope::subtree(&township.path)).await?;
    let branch = orgs
        .iter()
        .filter(|o| o.org.kind == OrgKind::Branch && o.org.dissolved_on.is_none())
        .max_by_key(|o| {
            (
                o.org.domain == Some(Domain::Village),
                o.facts.direct_members.min(40),
                std::cmp::Reverse(o.org.id),
            )
        })
        .cloned()
        .context("演示乡镇下没有党支部")?;
    let (members, _) = jiceng_store::browse::members_page(
        &mut conn,
        &Scope::All,
        &jiceng_store::browse::MemberFilter {
            org_id: Some(branch.org.id),
            ..Default::default()
        },
        0,
        1,
        Some(0),
    )
    .await?;
    let member = members.first().context("演示支部没有党员")?;
    drop(conn);
    let plan: Vec<(Role, Option<&StoredOrg>, Option<i64>, String)> = vec![
        (
            Role::Admin,
            None,
            None,
            "系统管理员（账户、设置、备份；全部数据）".into(),
        ),
        (
            Role::Security,
            None,
            None,
            "安全管理员（角色、范围、密钥、动态验证码重置；不看业务数据）".into(),
        ),
        (
            Role::Department,
            Some(&county),
            None,
            format!("县委组织部：{}", county.org.name),
        ),
        (
            Role::Committee,
            Some(&township),
            None,
            format!("乡镇党委：{}", township.org.name),
        ),
        (
            Role::Secretary,
            Some(&branch),
            None,
            format!("支部书记：{}", branch.org.name),
        ),
        (
            Role::Inspector,
            Some(&county),
            None,
            format!("督查（只读）：{}", county.org.name),
        ),
        (
            Role::Member,
            Some(&branch),
            Some(member.id),
            format!("党员本人：{}（{}）", member.name, branch.org.name),
        ),
        (
            Role::Auditor,
            Some(&county),
            None,
            format!("审计员（只看审计日志）：{}", county.org.name),
        ),
    ];
    let existing: Vec<String> = users::list_users(app, &system.grant()?)
        .await?
        .into_iter()
        .map(|u| u.username)
        .collect();
    let mut out = Vec::new();
    for (role, org, member_id, note) in plan {
        let username = format!("demo-{}", role.code());
        if !existing.contains(&username) {
            users::add_user(
                app,
                &system,
                NewUser {
                    username: username.clone(),
                    password: password(role),
                    role,
                    org: org.map(|o| o.org.code.clone()),
                    member_id,
                    display_name: Some(format!("演示{}", role.label())),
                },
            )
            .await?;
        }
        let totp_secret = if app.totp.required(role) {
            Some(demo_secret(app, &system, &username).await?)
        } else {
            None
        };
        out.push(DemoAccount {
            username,
            password: password(role),
            note,
            totp_secret,
        });
    }
    Ok(out)
}

/// The TOTP secret of a privileged demo account: enrolled now with a fresh random secret,
/// or (a demo started again) the one it has.
async fn demo_secret(app: &App, system: &Actor, username: &str) -> Result<String> {
    let mut conn = app.store.acquire().await?;
    let user = jiceng_store::users::get_by_username(&mut conn, &Scope::All, username)
        .await?
        .with_context(|| format!("演示账号 {username} 不存在"))?;
    let stored = jiceng_store::totp::get(&mut conn, user.id).await?;
    drop(conn);
    match stored {
        Some(t) if t.confirmed => Ok(jiceng_app::totp::stored_secret_base32(app, &t.secret)?),
        _ => Ok(jiceng_app::totp::enrol_for(app, system, username)
            .await?
            .enrolment
            .secret_base32),
    }
}
