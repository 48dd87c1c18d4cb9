//! 流入党员 (issue #15, point 2): a party member whose membership (组织关系) is elsewhere takes
//! part in the organizational life of a branch here, without voting rights there (SPEC R).
//! The host branch registers them — from their 流动党员活动证 or by their ID number, which
//! links the member's own record when their membership is in the system too — and ticks
//! them on its meetings as 列席. They are never the host's members: no count, rate or
//! quorum of the host includes them. A linked member's attendance is organizational life
//! for the home branch as well (the 自行脱党 judgement reads it), and the home branch sees
//! where they take part on the member's page.

use chrono::NaiveDate;
use jiceng_domain::OrgKind;
use jiceng_store::mobile_in::{self as store, StoredGuest};
use jiceng_store::orgs::StoredOrg;
use jiceng_store::{members as member_store, orgs as org_store, Conn, Scope};
use serde::{Deserialize, Serialize};

use crate::access::{Grant, InScope, Write};
use crate::audit::{self, AuditAction};
use crate::meetings::RecordError;
use crate::refusal::refused;
use crate::{App, AppError, OrgRecord, Result};

/// What the registration form and the API give.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct GuestInput {
    pub name: String,
    pub id_number: String,
    /// 组织关系所在党组织, as the 活动证 names it (taken from the system when the member is
    /// in it).
    #[serde(default)]
    pub home_org: Option<String>,
    pub since: NaiveDate,
    #[serde(default)]
    pub contact: Option<String>,
    #[serde(default)]
    pub certificate_no: Option<String>,
}

/// A 流入党员 as pages show them.
#[derive(Debug, Clone, Serialize)]
pub struct GuestView {
    pub id: i64,
    pub name: String,
    pub id_number: String,
    /// The host branch.
    pub org_id: i64,
    pub org_name: String,
    pub home_org: String,
    /// Whether their membership is in the system (their record linked).
    pub linked: bool,
    pub since: NaiveDate,
    pub until: Option<NaiveDate>,
    pub contact: Option<String>,
    pub certificate_no: Option<String>,
}

pub(crate) fn view(g: &StoredGuest, org_name: &str) -> GuestView {
    GuestView {
        id: g.id,
        name: g.name.clone(),
        id_number: g.id_masked.clone(),
        org_id: g.org_id,
        org_name: org_name.to_string(),
        home_org: g.home_org.clone(),
        linked: g.member_id.is_some(),
        since: g.since,
        until: g.until,
        contact: g.contact_masked.clone(),
        certificate_no: g.certificate_no.clone(),
    }
}

/// Registers a 流入党员 at `org` (a branch) from `since`. Answers the registration's id.
pub async fn register(
    app: &App,
    grant: &Grant<Write>,
    org: &InScope<OrgRecord>,
    input: &GuestInput,
) -> Result<i64> {
    if org.org.kind != OrgKind::Branch {
        return Err(refused(
            "org",
            format!(
                "“{}”是{}：流入党员在党支部参加组织生活，请在党支部登记",
                org.org.name,
                org.org.kind.label()
            ),
        ));
    }
    let name = input.name.trim();
    if name.is_empty() {
        return Err(refused("name", "请填写姓名"));
    }
    jiceng_domain::text::MEMBER_NAME
        .check(name)
        .map_err(|e| refused("name", e))?;
    let id = jiceng_domain::IdNumber::parse(&input.id_number)
        .map_err(|e| refused("id_number", e.to_string()))?;
    let today = app.today();
    if input.since > today {
        return Err(refused("since", format!("日期晚于今天：{}", input.since)));
    }
    let id_hash = app.crypto.id_hash(&id);
    let mut conn = app.store.acquire().await?;
    if let Some(g) = store::current_of(&mut conn, org.org.id, &id_hash).await? {
        return Err(refused(
            "id_number",
            format!("{}已自{}起登记为本支部的流入党员", g.name, g.since),
        ));
    }
    let home = member_store::by_id_hashes(&mut conn, std::slice::from_ref(&id_hash))
        .await?
        .into_iter()
        .find(|m| m.exited_on.is_none());
    let (member_id, home_org) = match home {
        Some(m) => {
            if m.name != name {
                return Err(refused(
                    "name",
                    "姓名与身份证号在党员名册中的记录不符，请核对流动党员活动证",
                ));
            }
            if m.org_id == org.org.id {
                return Err(refused("id_number", format!("{name}是本支部的党员")));
            }
            let home = org_store::get(&mut conn, &Scope::All, m.org_id)
                .await?
                .ok_or_else(|| AppError::NotFound("党组织".into()))?;
            (Some(m.id), home.org.name)
        }
        None => {
            let home = crate::trimmed(&input.home_org).ok_or_else(|| {
                refused(
                    "home_org",
                    "该党员不在本系统的党员名册中：请填写其组织关系所在党组织",
                )
            })?;
            jiceng_domain::text::ORG_NAME
                .check(&home)
                .map_err(|e| refused("home_org", e))?;
            (None, home)
        }
    };
    drop(conn);
    let (contact_cipher, contact_masked) = crate::mobility::contact(app, &input.contact)?;
    let certificate_no = crate::trimmed(&input.certificate_no);
    if certificate_no
        .as_ref()
        .is_some_and(|c| c.chars().count() > 40)
    {
        return Err(refused("certificate_no", "流动党员活动证号不超过40个字"));
    }
    let g = StoredGuest {
        id: app.store.reserve_ids("mobile_in", 1).await?,
        org_id: org.org.id,
        org_path: org.path.clone(),
        member_id,
        name: name.to_string(),
        id_hash,
        id_cipher: app.crypto.encrypt(&id),
        id_masked: id.masked(),
        home_org,
        since: input.since,
        until: None,
        contact_cipher,
        contact_masked,
        certificate_no,
        recorded_by: grant.actor().username().to_string(),
        recorded_at: app.now().to_rfc3339(),
    };
    write(app, grant, org, &g, true).await?;
    Ok(g.id)
}

/// Records that the 流入党员 `id`, registered in `org`'s subtree, left on `on` (returned
/// home, moved on).
pub async fn leave(
    app: &App,
    grant: &Grant<Write>,
    org: &InScope<OrgRecord>,
    id: i64,
    on: NaiveDate,
) -> Result<()> {
    let mut conn = app.store.acquire().await?;
    let mut g = store::get(&mut conn, &org.subtree(), id)
        .await?
        .ok_or_else(|| AppError::NotFound("流入党员".into()))?;
    let host = org_store::get(&mut conn, &Scope::All, g.org_id)
        .await?
        .ok_or_else(|| AppError::NotFound("党组织".into()))?;
    drop(conn);
    if g.until.is_some() {
        return Err(refused("on", format!("{}已登记离开", g.name)));
    }
    if on < g.since || on > app.today() {
        return Err(refused(
            "on",
            format!("离开日期{on}应在{}与今天之间", g.since),
        ));
    }
    g.until = Some(on);
    write(app, grant, &host, &g, false).await
}

async fn write(
    app: &App,
    grant: &Grant<Write>,
    org: &OrgRecord,
    g: &StoredGuest,
    is_new: bool,
) -> Result<()> {
    audit::Entry::new(
        grant.actor(),
        AuditAction::MobileIn,
        format!("mobile_in:{}", g.id),
    )
    .org(org)
    .after(serde_json::json!({
        "name": g.name,
        "id_number": g.id_masked,
        "home_org": g.home_org,
        "linked": g.member_id.is_some(),
        "since": g.since,
        "until": g.until,
        "certificate_no": g.certificate_no,
    }))
    .write(app, |mut tx| async move {
        if is_new {
            store::insert(&mut tx, g).await?;
        } else {
            store::update(&mut tx, g).await?;
        }
        Ok(tx)
    })
    .await
}

/// The 流入党员 of `org`'s subtree: those taking part now, then (with `all`) those who left.
pub async fn of_org(app: &App, org: &InScope<OrgRecord>, all: bool) -> Result<Vec<GuestView>> {
    let mut conn = app.store.acquire().await?;
    let guests = store::in_scope(&mut conn, &org.subtree(), !all).await?;
    views(&mut conn, &guests).await
}

/// Where a member of the system takes (or took) part as a 流入党员, for their own page.
pub(crate) async fn of_member(app: &App, member_id: i64) -> Result<Vec<GuestView>> {
    let mut conn = app.store.acquire().await?;
    let guests = store::of_member(&mut conn, member_id).await?;
    views(&mut conn, &guests).await
}

async fn views(conn: &mut Conn, guests: &[StoredGuest]) -> Result<Vec<GuestView>> {
    let names = crate::browse::org_names(conn, guests.iter().map(|g| g.org_id)).await?;
    Ok(guests
        .iter()
        .map(|g| view(g, crate::browse::name_in(&names, g.org_id)))
        .collect())
}

/// The registrations `ids` checked as guests of a meeting of `branch` on `date`: each
/// registered there and taking part on that day.
pub(crate) async fn guests_on(
    conn: &mut Conn,
    branch: &StoredOrg,
    date: NaiveDate,
    ids: &[i64],
) -> Result<Vec<StoredGuest>> {
    let mut out: Vec<StoredGuest> = Vec::new();
    for id in ids {
        let g = store::get(conn, &Scope::subtree(&branch.path), *id)
            .await?
            .filter(|g| g.org_id == branch.org.id)
            .ok_or_else(|| RecordError::NotGuest {
                guest_id: *id,
                branch: branch.org.name.clone(),
            })?;
        if g.since > date || g.until.is_some_and(|u| u < date) {
            return Err(RecordError::GuestNotThen {
                name: g.name.clone(),
                date,
            }
            .into());
        }
        if out.iter().any(|o| o.id == g.id) {
            return Err(RecordError::Repeated(g.name.clone()).into());
        }
        out.push(g);
    }
    Ok(out)
}
