//! The demo's orgs and accounts' second factors, read for the command line's `demo`
//! (which must not reach the store itself).

use jiceng_domain::{Domain, OrgKind};
use jiceng_store::Scope;

use crate::{App, AppError, OrgRecord, Result};

/// The orgs the demo accounts are bound to, and a member of the branch.
pub struct DemoOrgs {
    pub county: OrgRecord,
    pub township: OrgRecord,
    pub branch: OrgRecord,
    pub member_id: i64,
    pub member_name: String,
}

/// Picks the demo's township (a township committee under the county), its branch with
/// the most village members (up to 40) and a member of it.
pub async fn pick_orgs(app: &App, county_code: &str) -> Result<DemoOrgs> {
    let county = app.resolve_org(&Scope::All, county_code).await?;
    let mut conn = app.store.acquire().await?;
    let kids = jiceng_store::orgs::children(&mut conn, &Scope::All, county.org.id)
        .await
        .unwrap_or_default();
    let township: OrgRecord = kids
        .iter()
        .find(|o| o.org.kind == OrgKind::PrimaryCommittee && o.org.domain == Some(Domain::Township))
        .or_else(|| kids.iter().find(|o| o.org.kind.is_committee()))
        .cloned()
        .ok_or_else(|| AppError::Input("演示县下没有乡镇党委".into()))?;
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
        .ok_or_else(|| AppError::Input("演示乡镇下没有党支部".into()))?;
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
    let member = members
        .first()
        .ok_or_else(|| AppError::Input("演示支部没有党员".into()))?;
    Ok(DemoOrgs {
        county,
        township,
        branch,
        member_id: member.id,
        member_name: member.name.clone(),
    })
}

/// The confirmed TOTP secret (base32) of a demo account, if it has one.
pub async fn confirmed_secret(app: &App, username: &str) -> Result<Option<String>> {
    let mut conn = app.store.acquire().await?;
    let user = jiceng_store::users::get_by_username(&mut conn, &Scope::All, username)
        .await?
        .ok_or_else(|| AppError::Input(format!("演示账号 {username} 不存在")))?;
    let stored = jiceng_store::totp::get(&mut conn, user.id).await?;
    drop(conn);
    match stored {
        Some(t) if t.confirmed => Ok(Some(crate::totp::stored_secret_base32(app, &t.secret)?)),
        _ => Ok(None),
    }
}
