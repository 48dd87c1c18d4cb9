//! The demo's accounts: one per role, bound to orgs of the generated county, with fixed
//! passwords (`Demo@<role>2026`, which meet the password policy). The privileged ones
//! (those `TotpConfig::required_roles` names) are enrolled with a fresh random TOTP secret,
//! printed with the accounts. For the demo database only — never use these passwords for
//! real data.

use anyhow::Result;
use jiceng_app::access::{Actor, Role};
use jiceng_app::users::{self, NewUser};
use jiceng_app::App;
use jiceng_app::OrgRecord as StoredOrg;

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
    let jiceng_app::demo::DemoOrgs {
        county,
        township,
        branch,
        member_id,
        member_name,
    } = jiceng_app::demo::pick_orgs(app, county_code).await?;
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
            Some(member_id),
            format!("党员本人：{}（{}）", member_name, branch.org.name),
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
                    must_change: false,
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
    match jiceng_app::demo::confirmed_secret(app, username).await? {
        Some(secret) => Ok(secret),
        None => Ok(jiceng_app::totp::enrol_for(app, system, username)
            .await?
            .enrolment
            .secret_base32),
    }
}
