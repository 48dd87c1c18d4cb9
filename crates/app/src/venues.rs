//! 活动场所 and 村（社区）书记报酬 (SPEC C7, issue #18 point 2). A venue is kept by an org
//! (its address, area, facilities, what it is shared with) and used by orgs of that org's
//! subtree (a village's venue by its branches); a meeting may name one of the venues its
//! org or an ancestor uses. A quarter that ended without a meeting at a venue in use all
//! of it is 铁将军把门, read for a subtree from the meetings in one grouped read by path.
//!
//! A village's or community's secretary's yearly remuneration is an optional record, read
//! against the standard in force for the year (rule data, or the department's own from a
//! year on: `pay.rs`); those below it are listed.

use std::collections::HashMap;

use chrono::{Datelike, NaiveDate};
use jiceng_domain::venue::{self as domain, QuarterState, VenueError};
use jiceng_domain::OrgKind;
use jiceng_store::venue_rollup as rollup;
use jiceng_store::venues::{self as store, StoredVenue};
use jiceng_store::{Conn, Scope};
use serde::{Deserialize, Serialize};
use serde_json::json;

use crate::access::{Grant, InScope, RecordVenues};
use crate::audit::{self, AuditAction};
use crate::auth::time_text;
use crate::refusal::{refused, Refused};
use crate::{App, AppError, OrgRecord, OrgRef, Result};

mod pay;

pub use pay::{
    pay_standard, pay_target, pays, record_pay, set_pay_standard, PayList, PayRow, PayStandard,
    EARLIEST_YEAR,
};

/// How many venues a list shows.
pub const LIST_MAX: i64 = 2_000;

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

/// A venue as listed: its fields, its owner, its quarters of the year, its last meeting.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct VenueRow {
    pub id: i64,
    pub org_id: i64,
    pub org: OrgRef,
    pub name: String,
    pub address: String,
    pub area: Option<i64>,
    pub facilities: Vec<String>,
    pub facility_labels: Vec<&'static str>,
    pub shared_with: Option<String>,
    pub opened_on: NaiveDate,
    pub retired_on: Option<NaiveDate>,
    pub quarters: [QuarterState; 4],
    /// The last day a meeting was held there (any year up to today).
    pub last_held: Option<NaiveDate>,
}

impl VenueRow {
    /// How many quarters of the year were 铁将军把门.
    pub fn idle_quarters(&self) -> usize {
        self.quarters.iter().filter(|q| q.is_idle()).count()
    }

    pub fn flagged(&self) -> bool {
        self.idle_quarters() > 0
    }

    pub fn quarter_labels(&self) -> Vec<String> {
        self.quarters.iter().map(|q| q.label()).collect()
    }

    pub fn facilities_text(&self) -> String {
        if self.facility_labels.is_empty() {
            "—".into()
        } else {
            self.facility_labels.join("、")
        }
    }

    pub fn area_text(&self) -> String {
        self.area.map_or_else(|| "—".into(), |a| format!("{a}㎡"))
    }

    pub fn last_held_text(&self) -> String {
        self.last_held
            .map_or_else(|| "从未".into(), |d| d.to_string())
    }

    pub fn status_label(&self) -> &'static str {
        if self.retired_on.is_some() {
            "已停用"
        } else {
            "在用"
        }
    }
}

fn row_of(
    v: StoredVenue,
    org: OrgRef,
    held: [i64; 4],
    last_held: Option<NaiveDate>,
    year: i32,
    today: NaiveDate,
) -> VenueRow {
    let quarters = domain::quarters(year, v.opened_on, v.retired_on, held, today);
    VenueRow {
        id: v.id,
        org_id: v.org_id,
        org,
        facility_labels: v
            .facilities
            .iter()
            .filter_map(|c| domain::facility_label(c))
            .collect(),
        name: v.name,
        address: v.address,
        area: v.area,
        facilities: v.facilities,
        shared_with: v.shared_with,
        opened_on: v.opened_on,
        retired_on: v.retired_on,
        quarters,
        last_held,
    }
}

/// Which venues a list shows.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Shown {
    #[default]
    All,
    /// Those with a quarter of 铁将军把门 in the year.
    Idle,
}

impl Shown {
    pub fn parse(s: &str) -> Option<Shown> {
        match s {
            "" | "all" => Some(Shown::All),
            "idle" => Some(Shown::Idle),
            _ => None,
        }
    }

    pub fn code(self) -> &'static str {
        match self {
            Shown::All => "all",
            Shown::Idle => "idle",
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            Shown::All => "全部场所",
            Shown::Idle => "铁将军把门的场所",
        }
    }
}

/// The venues of a subtree for a year, with their quarters.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct VenueList {
    pub org: OrgRef,
    pub org_id: i64,
    pub year: i32,
    pub today: NaiveDate,
    pub shown: Shown,
    pub venues: Vec<VenueRow>,
    /// Venues of the subtree in all (before the filter).
    pub total: usize,
    /// Venues with at least one quarter of 铁将军把门.
    pub flagged: usize,
    pub definition: &'static str,
}

pub const IDLE_DEFINITION: &str = "铁将军把门：季度已结束、场所整季度在用（季度首日前启用、季度内未停用），而该季度没有任何会议记录选择在该场所召开；进行中的季度不判定。";

impl VenueList {
    /// Whether the list stopped at [`LIST_MAX`] (the counts are of all).
    pub fn capped(&self) -> bool {
        self.venues.len() as i64 >= LIST_MAX
    }
}

/// Builds the stored venue rows and tallies of `year` unless built (its first page;
/// `jiceng bench` times it apart): whether it built.
pub async fn build(app: &App, year: i32) -> Result<bool> {
    let mut conn = app.store.acquire().await?;
    if rollup::is_built(&mut conn, year).await? {
        return Ok(false);
    }
    drop(conn);
    let mut tx = app.store.begin().await?;
    let built = rollup::ensure(&mut tx, year).await?;
    tx.commit().await?;
    Ok(built)
}

/// The venues kept by orgs of `org`'s subtree with their quarters of `year` (default: this
/// year), as stored per venue and year (`venue_rollup`; the year built whole on its first
/// page): the subtree's tally (venues, idle ones), the venues shown (the first of the
/// list, or of the idle ones, by an index walk), their quarters and last meeting.
pub async fn list(
    app: &App,
    org: &InScope<OrgRecord>,
    year: Option<i32>,
    shown: Shown,
) -> Result<VenueList> {
    let today = app.today();
    let year = year.unwrap_or(today.year());
    if !(EARLIEST_YEAR..=today.year() + 1).contains(&year) {
        return Err(refused(
            "year",
            format!("年度应在{EARLIEST_YEAR}至{}之间：{year}", today.year() + 1),
        ));
    }
    let scope = org.subtree();
    build(app, year).await?;
    let mut conn = app.store.acquire().await?;
    let ended = domain::ended_quarters(year, today);
    let tally = rollup::tally(&mut conn, org.org.id, year).await?;
    let venues = match shown {
        Shown::All => store::list(&mut conn, &scope, LIST_MAX).await?,
        Shown::Idle => rollup::idle(&mut conn, &scope, year, ended, LIST_MAX).await?,
    };
    let mut ids: Vec<i64> = venues.iter().map(|v| v.id).collect();
    let held = rollup::held_of(&mut conn, &ids, year).await?;
    let last: HashMap<i64, NaiveDate> = rollup::last_held(&mut conn, &ids, today)
        .await?
        .into_iter()
        .collect();
    ids = venues.iter().map(|v| v.org_id).collect();
    ids.sort_unstable();
    ids.dedup();
    let orgs: HashMap<i64, OrgRef> = jiceng_store::orgs::by_ids(&mut conn, &ids)
        .await?
        .iter()
        .map(|o| (o.org.id, OrgRef::of(&o.org)))
        .collect();
    drop(conn);
    let venues: Vec<VenueRow> = venues
        .into_iter()
        .map(|v| {
            let o = orgs.get(&v.org_id).cloned().unwrap_or(OrgRef {
                code: String::new(),
                name: String::new(),
            });
            let h = held.get(&v.id).copied().unwrap_or_default();
            let l = last.get(&v.id).copied();
            row_of(v, o, h, l, year, today)
        })
        .collect();
    Ok(VenueList {
        org: org.org_ref(),
        org_id: org.org.id,
        year,
        today,
        shown,
        venues,
        total: tally.venues as usize,
        flagged: tally.idle(ended) as usize,
        definition: IDLE_DEFINITION,
    })
}

/// An org using a venue.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct VenueUserView {
    pub org_id: i64,
    pub org: OrgRef,
}

/// A meeting held at a venue.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct HeldMeeting {
    pub id: i64,
    pub org: OrgRef,
    pub kind: String,
    pub kind_label: &'static str,
    pub date: NaiveDate,
    pub topic: String,
}

/// A venue with the orgs using it and the meetings held there in a year, by quarter.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct VenueDetail {
    pub venue: VenueRow,
    pub year: i32,
    pub users: Vec<VenueUserView>,
    /// The meetings of each quarter, by day.
    pub by_quarter: [Vec<HeldMeeting>; 4],
}

/// Venue `id` (kept by an org of `org`'s subtree) for `year` (default this year).
pub async fn get(
    app: &App,
    org: &InScope<OrgRecord>,
    id: i64,
    year: Option<i32>,
) -> Result<VenueDetail> {
    let v = stored(app, org, id).await?;
    let today = app.today();
    let year = year.unwrap_or(today.year());
    let mut conn = app.store.acquire().await?;
    let meetings = store::meetings_at(&mut conn, id, year).await?;
    let user_ids: Vec<i64> = store::users_of(&mut conn, &[id])
        .await?
        .into_iter()
        .map(|(_, o)| o)
        .collect();
    let last = rollup::last_held(&mut conn, &[id], today)
        .await?
        .into_iter()
        .next()
        .map(|(_, d)| d);
    let mut ids: Vec<i64> = meetings
        .iter()
        .map(|m| m.org_id)
        .chain(user_ids.iter().copied())
        .chain([v.org_id])
        .collect();
    ids.sort_unstable();
    ids.dedup();
    let orgs: HashMap<i64, OrgRef> = jiceng_store::orgs::by_ids(&mut conn, &ids)
        .await?
        .iter()
        .map(|o| (o.org.id, OrgRef::of(&o.org)))
        .collect();
    drop(conn);
    let name = |id: i64| {
        orgs.get(&id).cloned().unwrap_or(OrgRef {
            code: String::new(),
            name: String::new(),
        })
    };
    let mut held = [0i64; 4];
    let mut by_quarter: [Vec<HeldMeeting>; 4] = Default::default();
    for m in meetings {
        let q = domain::quarter_of(m.held_on) as usize - 1;
        held[q] += 1;
        by_quarter[q].push(HeldMeeting {
            id: m.id,
            org: name(m.org_id),
            kind_label: jiceng_domain::MeetingKind::from_code(&m.kind)
                .map_or("会议", |k| k.label()),
            kind: m.kind,
            date: m.held_on,
            topic: m.topic,
        });
    }
    let owner = name(v.org_id);
    Ok(VenueDetail {
        venue: row_of(v, owner, held, last, year, today),
        year,
        users: user_ids
            .into_iter()
            .map(|o| VenueUserView {
                org_id: o,
                org: name(o),
            })
            .collect(),
        by_quarter,
    })
}

/// The orgs a venue of `owner` may be used by (its subtree, not dissolved, not groups), for
/// a form: the owner first, at most 300.
pub async fn user_choices(app: &App, owner: &OrgRecord) -> Result<Vec<VenueUserView>> {
    let mut conn = app.store.acquire().await?;
    let ids = store::subtree_ids(&mut conn, &Scope::subtree(&owner.path), 300).await?;
    let mut orgs = jiceng_store::orgs::by_ids(&mut conn, &ids).await?;
    drop(conn);
    orgs.sort_by(|a, b| a.path.cmp(&b.path));
    Ok(orgs
        .iter()
        .filter(|o| o.org.kind != OrgKind::Group && o.org.dissolved_on.is_none())
        .map(|o| VenueUserView {
            org_id: o.org.id,
            org: OrgRef::of(&o.org),
        })
        .collect())
}

/// `jiceng report venues`: the venues of a subtree with their quarters of a year, and the
/// secretaries' remuneration of that year against the standard.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct VenueReport {
    pub venues: VenueList,
    pub pay: PayList,
}

/// The report of `org`'s subtree for `year`.
pub async fn report(app: &App, org: &InScope<OrgRecord>, year: i32) -> Result<VenueReport> {
    Ok(VenueReport {
        venues: list(app, org, Some(year), Shown::All).await?,
        pay: pays(app, org, Some(year)).await?,
    })
}

impl VenueReport {
    /// The workbook: the venues with their quarters, then the remuneration records.
    pub fn to_sheets(&self) -> Vec<jiceng_io::Sheet> {
        use jiceng_io::{OutCell, Sheet};
        let text = |s: &str| OutCell::Text(s.to_string());
        let names = |h: &[&str]| h.iter().map(|s| s.to_string()).collect();
        let l = &self.venues;
        let venue_rows = l
            .venues
            .iter()
            .map(|v| {
                let mut row = vec![
                    text(&v.org.name),
                    text(&v.org.code),
                    text(&v.name),
                    text(&v.address),
                    v.area.map_or(OutCell::Empty, OutCell::Int),
                    text(&v.facilities_text()),
                    text(v.shared_with.as_deref().unwrap_or("")),
                    OutCell::Date(v.opened_on),
                    text(v.status_label()),
                ];
                row.extend(v.quarter_labels().iter().map(|q| text(q)));
                row.push(v.last_held.map_or(OutCell::Empty, OutCell::Date));
                row
            })
            .collect();
        let p = &self.pay;
        let pay_rows = p
            .rows
            .iter()
            .map(|r| {
                vec![
                    text(&r.org.name),
                    text(&r.org.code),
                    text(r.domain_label),
                    OutCell::Int(r.amount),
                    text(&r.source),
                    r.standard.map_or(OutCell::Empty, OutCell::Int),
                    text(if r.below { "低于标准" } else { "" }),
                ]
            })
            .collect();
        vec![
            Sheet {
                name: "活动场所".into(),
                title: format!(
                    "{}及以下活动场所{}年使用情况（截至{}；{}）",
                    l.org.name, l.year, l.today, l.definition
                ),
                headers: names(&[
                    "党组织",
                    "组织代码",
                    "场所名称",
                    "地址",
                    "面积（㎡）",
                    "设施",
                    "共享情况",
                    "启用日期",
                    "状态",
                    "第一季度",
                    "第二季度",
                    "第三季度",
                    "第四季度",
                    "最近一次会议",
                ]),
                rows: venue_rows,
            },
            Sheet {
                name: "书记报酬".into(),
                title: format!(
                    "{}及以下村（社区）党组织书记{}年报酬（{}）",
                    p.org.name,
                    p.year,
                    p.standard_text()
                ),
                headers: names(&[
                    "党组织",
                    "组织代码",
                    "类别",
                    "年报酬（元）",
                    "来源",
                    "标准（元）",
                    "是否低于标准",
                ]),
                rows: pay_rows,
            },
        ]
    }
}
