//! One venue seen: the orgs using it and the meetings held there in a year by quarter;
//! the orgs a venue's form may name as users.

use chrono::{Datelike, NaiveDate};
use jiceng_domain::venue as domain;
use jiceng_domain::OrgKind;
use jiceng_store::venue_rollup as rollup;
use jiceng_store::venues as store;
use jiceng_store::Scope;
use serde::Serialize;

use super::list::row_of;
use super::{stored, VenueRow};
use crate::access::InScope;
use crate::{App, OrgRecord, OrgRef, Result};

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
    let ids: Vec<i64> = meetings
        .iter()
        .map(|m| m.org_id)
        .chain(user_ids.iter().copied())
        .chain([v.org_id])
        .collect();
    let name = super::org_refs(&mut conn, ids).await?;
    drop(conn);
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
