//! 活动场所 and 村（社区）书记报酬 (SPEC C7, issue #18 point 2). A venue is kept by an org
//! (its address, area, facilities, what it is shared with) and used by orgs of that org's
//! subtree (a village's venue by its branches); a meeting may name one of the venues its
//! org or an ancestor uses. A quarter that ended without a meeting at a venue in use all
//! of it is 铁将军把门, counted per venue and org and year (`venue_rollup`; `list.rs`).
//!
//! A village's or community's secretary's yearly remuneration is an optional record, read
//! against the standard in force for the year (rule data, or the department's own from a
//! year on: `pay.rs`); those below it are listed.

use chrono::NaiveDate;
use jiceng_domain::venue::{self as domain, VenueError};
use jiceng_domain::OrgKind;
use jiceng_store::venues::{self as store, StoredVenue};
use jiceng_store::{Conn, Scope};
use serde::{Deserialize, Serialize};
use serde_json::json;

use crate::access::{Grant, InScope, RecordVenues};
use crate::audit::{self, AuditAction};
use crate::auth::time_text;
use crate::refusal::{refused, Refused};
use crate::{App, AppError, OrgRecord, OrgRef, Result};

mod detail;
mod list;
mod pay;

pub use detail::{get, user_choices, HeldMeeting, VenueDetail, VenueUserView};
pub use list::{build, list, report, Shown, VenueList, VenueReport, VenueRow, IDLE_DEFINITION};

pub use pay::{
    pay_standard, pay_target, pays, record_pay, set_pay_standard, PayList, PayRow, PayStandard,
    EARLIEST_YEAR,
};

/// How many venues a list shows (a page, as the survey and request lists: the counts
/// above it are of the whole subtree, and a child org or the idle filter narrows it).
pub const LIST_MAX: i64 = 500;

impl From<VenueError> for AppError {
    fn from(e: VenueError) -> AppError {
        AppError::MemberLife(Refused {
            field: e.field,
            message: e.message,
        })
    }
}

/// A venue as a form or the API gives it.
#[derive(Debug, Clone, Default, Deserialize)]
pub struct VenueForm {
    pub name: String,
    pub address: String,
    /// m².
    pub area: Option<i64>,
    /// Facility codes or labels.
    #[serde(default)]
    pub facilities: Vec<String>,
    pub shared_with: Option<String>,
    /// The day it came into use; `None`: today.
    pub opened_on: Option<NaiveDate>,
    /// The orgs using it (ids, of the owner's subtree); empty: the owner alone.
    #[serde(default)]
    pub users: Vec<i64>,
}

/// The orgs of `users` (default: the owner), each of the owner's subtree and not a
/// dissolved one.
async fn users_of(
    conn: &mut Conn,
    owner: &OrgRecord,
    users: &[i64],
) -> Result<Vec<store::VenueUser>> {
    let mut ids: Vec<i64> = if users.is_empty() {
        vec![owner.org.id]
    } else {
        users.to_vec()
    };
    ids.sort_unstable();
    ids.dedup();
    let found = jiceng_store::orgs::by_ids(conn, &ids).await?;
    let subtree = Scope::subtree(&owner.path);
    let mut out = Vec::new();
    for id in &ids {
        match found.iter().find(|o| o.org.id == *id) {
            Some(o) if subtree.contains(&o.path) && o.org.dissolved_on.is_none() => {
                out.push((o.org.id, o.path.clone()))
            }
            Some(o) => {
                return Err(refused(
                    "users",
                    format!(
                        "{}不是{}或其下级党组织（或已撤销），不能使用该场所",
                        o.org.name, owner.org.name
                    ),
                ))
            }
            None => return Err(refused("users", format!("找不到党组织（id {id}）"))),
        }
    }
    Ok(out)
}

fn checked(app: &App, f: &VenueForm) -> Result<domain::VenueFields> {
    let today = app.today();
    Ok(domain::check_venue(
        &f.name,
        &f.address,
        f.area,
        &f.facilities,
        f.shared_with.as_deref(),
        f.opened_on.unwrap_or(today),
        today,
    )?)
}

fn audit_value(v: &StoredVenue, users: &[store::VenueUser]) -> serde_json::Value {
    json!({
        "name": v.name,
        "address": v.address,
        "area": v.area,
        "facilities": v.facilities,
        "shared_with": v.shared_with,
        "opened_on": v.opened_on,
        "users": users.iter().map(|u| u.0).collect::<Vec<_>>(),
    })
}

/// Records a venue kept by `owner` (an org of the actor's subtree, not a group). Audited.
pub async fn record(
    app: &App,
    grant: &Grant<RecordVenues>,
    owner: &InScope<OrgRecord>,
    f: &VenueForm,
) -> Result<i64> {
    if owner.org.kind == OrgKind::Group {
        return Err(refused(
            "org",
            format!("{}是党小组：场所登记在其所在的党支部", owner.org.name),
        ));
    }
    let fields = checked(app, f)?;
    let mut conn = app.store.acquire().await?;
    let users = users_of(&mut conn, owner, &f.users).await?;
    drop(conn);
    let id = app.store.reserve_ids("venue", 1).await?;
    let actor = grant.actor();
    let now = app.now();
    let v = StoredVenue {
        id,
        org_id: owner.org.id,
        org_path: owner.path.clone(),
        name: fields.name,
        address: fields.address,
        area: fields.area,
        facilities: fields.facilities,
        shared_with: fields.shared_with,
        opened_on: fields.opened_on,
        retired_on: None,
        recorded_by: actor.username().to_string(),
        recorded_at: time_text(now),
    };
    let entry = audit::Entry::new(
        actor,
        AuditAction::VenueRecord,
        format!("{}（场所 id {id}）", v.name),
    )
    .org(Some(&**owner))
    .after(audit_value(&v, &users));
    let (v, users, entry) = (&v, &users, &entry);
    audit::with_retry(|| async move {
        let mut tx = app.store.begin().await?;
        store::insert(&mut tx, v, users).await?;
        entry.commit(tx, now).await
    })
    .await?;
    Ok(id)
}

async fn stored(app: &App, org: &InScope<OrgRecord>, id: i64) -> Result<StoredVenue> {
    let mut conn = app.store.acquire().await?;
    store::get(&mut conn, &org.subtree(), id)
        .await?
        .ok_or_else(|| AppError::NotFound("活动场所".into()))
}

async fn owner_of(conn: &mut Conn, v: &StoredVenue) -> Result<OrgRecord> {
    jiceng_store::orgs::get(conn, &Scope::All, v.org_id)
        .await?
        .ok_or_else(|| AppError::NotFound("党组织".into()))
}

/// Changes venue `id` (of an org of `org`'s subtree): its fields and the orgs using it.
/// Audited with the venue before and after.
pub async fn update(
    app: &App,
    grant: &Grant<RecordVenues>,
    org: &InScope<OrgRecord>,
    id: i64,
    f: &VenueForm,
) -> Result<()> {
    let old = stored(app, org, id).await?;
    let fields = checked(app, f)?;
    let mut conn = app.store.acquire().await?;
    let owner = owner_of(&mut conn, &old).await?;
    let users = users_of(&mut conn, &owner, &f.users).await?;
    let old_users: Vec<store::VenueUser> = store::users_of(&mut conn, &[id])
        .await?
        .into_iter()
        .map(|(_, o)| (o, String::new()))
        .collect();
    drop(conn);
    let v = StoredVenue {
        name: fields.name,
        address: fields.address,
        area: fields.area,
        facilities: fields.facilities,
        shared_with: fields.shared_with,
        opened_on: fields.opened_on,
        ..old.clone()
    };
    let now = app.now();
    let entry = audit::Entry::new(
        grant.actor(),
        AuditAction::VenueUpdate,
        format!("{}（场所 id {id}）", v.name),
    )
    .org(Some(&owner))
    .before(audit_value(&old, &old_users))
    .after(audit_value(&v, &users));
    let (v, users, entry) = (&v, &users, &entry);
    audit::with_retry(|| async move {
        let mut tx = app.store.begin().await?;
        store::update(&mut tx, v, users).await?;
        entry.commit(tx, now).await
    })
    .await
}

/// Retires venue `id` (停用) from `day` (default today): no meeting names it from then
/// and no quarter after is judged. Audited.
pub async fn retire(
    app: &App,
    grant: &Grant<RecordVenues>,
    org: &InScope<OrgRecord>,
    id: i64,
    day: Option<NaiveDate>,
) -> Result<()> {
    let v = stored(app, org, id).await?;
    let today = app.today();
    let day = day.unwrap_or(today);
    if day > today {
        return Err(refused("retired_on", "停用日期不能晚于今天"));
    }
    if day < v.opened_on {
        return Err(refused("retired_on", "停用日期不能早于启用日期"));
    }
    if v.retired_on.is_some() {
        return Err(refused("retired_on", "该场所已停用"));
    }
    let mut conn = app.store.acquire().await?;
    let owner = owner_of(&mut conn, &v).await?;
    drop(conn);
    let now = app.now();
    let entry = audit::Entry::new(
        grant.actor(),
        AuditAction::VenueRetire,
        format!("{}（场所 id {id}）", v.name),
    )
    .org(Some(&owner))
    .after(json!({ "retired_on": day }));
    let entry = &entry;
    audit::with_retry(|| async move {
        let mut tx = app.store.begin().await?;
        if !store::retire(&mut tx, id, day).await? {
            return Err(refused("retired_on", "该场所已停用"));
        }
        entry.commit(tx, now).await
    })
    .await
}

/// A venue a meeting of an org may name.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct VenueChoice {
    pub id: i64,
    pub name: String,
}

/// The venues in use that `org` or one of its ancestors uses (a village's venue serves its
/// branches and groups), each once, by name.
pub async fn usable(app: &App, org: &OrgRecord) -> Result<Vec<VenueChoice>> {
    let mut conn = app.store.acquire().await?;
    usable_in(&mut conn, org).await
}

pub(crate) async fn usable_in(conn: &mut Conn, org: &OrgRecord) -> Result<Vec<VenueChoice>> {
    let ids = jiceng_domain::path::ids(&org.path);
    let mut out: Vec<VenueChoice> = store::usable_by(conn, &ids)
        .await?
        .into_iter()
        .map(|(_, v)| VenueChoice {
            id: v.id,
            name: v.name,
        })
        .collect();
    out.sort_by(|a, b| a.name.cmp(&b.name).then(a.id.cmp(&b.id)));
    out.dedup_by_key(|c| c.id);
    Ok(out)
}

/// The venue `venue` checked as one `org` may name on `date`: used by the org or an
/// ancestor, in use (opened on or before the date, not retired). Its name.
pub(crate) async fn check_usable(
    conn: &mut Conn,
    org: &OrgRecord,
    venue: i64,
    date: NaiveDate,
) -> Result<String> {
    let ids = jiceng_domain::path::ids(&org.path);
    let found = store::usable_by(conn, &ids)
        .await?
        .into_iter()
        .map(|(_, v)| v)
        .find(|v| v.id == venue);
    match found {
        Some(v) if v.opened_on <= date => Ok(v.name),
        Some(v) => Err(crate::meetings::RecordError::Venue(format!(
            "场所“{}”{}才启用，晚于会议日期",
            v.name, v.opened_on
        ))
        .into()),
        None => Err(crate::meetings::RecordError::Venue(format!(
            "所选场所不是{}（或其上级党组织）使用的在用场所",
            org.org.name
        ))
        .into()),
    }
}

/// A facility as shown.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Facility {
    pub code: &'static str,
    pub label: &'static str,
}

/// Every facility of the list.
pub fn facilities() -> Vec<Facility> {
    domain::FACILITIES
        .iter()
        .map(|(code, label)| Facility { code, label })
        .collect()
}

/// The orgs of `ids` as shown (one read; repeated and unknown ids allowed): an unknown one
/// reads as blank.
async fn org_refs(conn: &mut Conn, ids: Vec<i64>) -> Result<impl Fn(i64) -> OrgRef> {
    let orgs = OrgRef::by_ids(conn, &ids).await?;
    Ok(move |id: i64| orgs.get(&id).cloned().unwrap_or_default())
}
