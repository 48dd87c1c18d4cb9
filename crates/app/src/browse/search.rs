//! The header's search (全局搜索): one text looked up in the actor's scope as an org (name
//! or exact code), a member (name, or an exact ID number through its keyed hash), a unit
//! (name) and a meeting (words of its topic), a few of each with their totals, so that a page can open the one record
//! found straight away or list the rest.

use serde::Serialize;

use super::{
    members, search_orgs, summaries, units, MemberQuery, MemberRow, MemberSort, OrgSummary,
};
use super::{UnitQuery, UnitRow};
use crate::access::{Action, Actor};
use crate::{App, AppError, Result};

/// How many of each kind a search shows.
pub const SHOWN: i64 = 10;

#[derive(Debug, Clone, Serialize, Default)]
pub struct Found {
    pub orgs: Vec<OrgSummary>,
    /// Orgs found (at most the org search's 50).
    pub orgs_total: usize,
    pub members: Vec<MemberRow>,
    pub members_total: i64,
    pub units: Vec<UnitRow>,
    pub units_total: i64,
    /// Meetings whose topic holds the text, with where each was held.
    pub meetings: Option<crate::meetings::MeetingPage>,
    /// Meetings were not searched: the scope is too large (the page says where to look).
    pub meetings_skipped: bool,
}

/// What a search found exactly once, to open straight away.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Only {
    Org(i64),
    Member(i64),
    Meeting(i64),
}

impl Found {
    pub fn is_empty(&self) -> bool {
        self.orgs_total == 0
            && self.members_total == 0
            && self.units_total == 0
            && self.meetings_total() == 0
    }

    /// Meetings found.
    pub fn meetings_total(&self) -> i64 {
        self.meetings.as_ref().map_or(0, |m| m.total)
    }

    /// The one record found, when there is exactly one org or one member and nothing else.
    pub fn only(&self) -> Option<Only> {
        match (
            self.orgs.as_slice(),
            self.members.as_slice(),
            self.units_total,
        ) {
            ([o], [], 0) if self.orgs_total == 1 && self.meetings_total() == 0 => {
                Some(Only::Org(o.id))
            }
            ([], [m], 0) if self.members_total == 1 && self.meetings_total() == 0 => {
                Some(Only::Member(m.id))
            }
            ([], [], 0) if self.meetings_total() == 1 => self
                .meetings
                .as_ref()
                .and_then(|m| m.rows.first())
                .map(|m| Only::Meeting(m.id)),
            _ => None,
        }
    }
}

/// Looks `q` up in the actor's scope. At least one character; an org code matches
/// exactly, a name anywhere in it.
pub async fn search(app: &App, actor: &Actor, q: &str) -> Result<Found> {
    if !actor.may(Action::ReadData) {
        return Err(AppError::Forbidden);
    }
    let q = q.trim();
    if q.is_empty() {
        return Ok(Found::default());
    }
    if q.chars().count() > 50 {
        return Err(AppError::Input("搜索内容过长（最多50个字）".into()));
    }
    let mut orgs = search_orgs(app, actor, q).await?;
    // An exact code first (a code is typed whole; names are searched within).
    if let Ok(o) = app.resolve_org(&actor.scope, q).await {
        if o.org.code == q && !orgs.iter().any(|x| x.id == o.org.id) {
            let mut conn = app.store.acquire().await?;
            let mut by_code = summaries(&mut conn, &[o]).await?;
            by_code.append(&mut orgs);
            orgs = by_code;
        }
    }
    let orgs_total = orgs.len();
    orgs.truncate(SHOWN as usize);
    let found_members = members(
        app,
        actor,
        &MemberQuery {
            org: None,
            direct_only: false,
            q: Some(q.to_string()),
            kind: None,
            gender: None,
            sort: MemberSort::Org,
            page: 1,
            page_size: SHOWN,
            ..Default::default()
        },
    )
    .await?;
    let found_units = units(
        app,
        actor,
        &UnitQuery {
            q: Some(q.to_string()),
            page: 1,
            page_size: SHOWN,
            ..Default::default()
        },
    )
    .await?;
    // Topics are searched by words, not by an ID number.
    let (meetings, meetings_skipped) = if jiceng_domain::IdNumber::parse(q).is_ok() {
        (None, false)
    } else {
        let found = crate::meetings::search(app, actor, q, SHOWN).await?;
        let skipped = found.is_none();
        (found, skipped)
    };
    Ok(Found {
        meetings,
        meetings_skipped,
        orgs,
        orgs_total,
        members: found_members.items,
        members_total: found_members.total,
        units: found_units.items,
        units_total: found_units.total,
    })
}
