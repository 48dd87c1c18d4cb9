//! A meeting in full (its page and the API) and what the record form needs of a branch.

use std::collections::HashMap;

use chrono::NaiveDate;
use jiceng_domain::{MeetingKind, MemberStatus, OrgKind, Quorum};
use jiceng_store::meetings as meeting_store;
use jiceng_store::orgs as org_store;
use jiceng_store::Scope;
use serde::Serialize;

use super::branch_in_scope;
use crate::access::{Action, Actor, InScope};
use crate::reports::OrgRef;
use crate::{App, AppError, OrgRecord, Result};

/// A meeting in full, as its page and the API show it.
#[derive(Debug, Clone, Serialize)]
pub struct MeetingView {
    pub id: i64,
    pub org_id: i64,
    pub org: OrgRef,
    pub branch_id: i64,
    pub kind: &'static str,
    pub label: &'static str,
    pub kinds: Vec<&'static str>,
    pub labels: Vec<&'static str>,
    /// 所属年度 of its yearly kinds.
    pub for_year: i32,
    /// A 换届选举 (quorum four fifths).
    pub election: bool,
    pub date: NaiveDate,
    pub topic: String,
    pub venue: Option<String>,
    /// The 活动场所 it names, if any.
    pub venue_id: Option<i64>,
    pub host: Option<String>,
    pub expected: i64,
    pub present: i64,
    pub excused: i64,
    pub attendance_rate: Option<f64>,
    pub excused_reasons: Vec<String>,
    pub minutes: Option<String>,
    pub decisions: Option<String>,
    /// `None`: not recorded.
    pub masses_present: Option<i64>,
    pub central_task: bool,
    pub members_needs: bool,
    pub votes: bool,
    /// For a general meeting that voted: the quorum as judged by the rules in force.
    pub quorum: Option<Quorum>,
    /// Attendance picked from the roster (empty when only counts were entered).
    pub attendees: Vec<AttendeeView>,
    /// 流入党员 who took part (列席, without a vote): (registration id, name).
    pub guests: Vec<(i64, String)>,
    pub recorded_by: String,
}

#[derive(Debug, Clone, Serialize)]
pub struct AttendeeView {
    pub member_id: i64,
    pub name: String,
    pub status: &'static str,
    pub status_label: &'static str,
    pub reason: Option<String>,
    pub full: bool,
}

/// One meeting in the actor's scope.
pub async fn get(app: &App, actor: &Actor, id: i64) -> Result<MeetingView> {
    if !actor.may(Action::ReadData) {
        return Err(AppError::Forbidden);
    }
    let mut conn = app.store.acquire().await?;
    let m = meeting_store::get(&mut conn, &actor.scope, id)
        .await?
        .ok_or_else(|| AppError::NotFound("会议记录".into()))?;
    let org = org_store::get(&mut conn, &Scope::All, m.meeting.org_id)
        .await?
        .ok_or_else(|| AppError::NotFound("党组织".into()))?;
    let attendance = meeting_store::attendees(&mut conn, id).await?;
    let guests = jiceng_store::mobile_in::guests_of(&mut conn, id).await?;
    let venue_id = jiceng_store::venues::venue_of_meeting(&mut conn, id).await?;
    // 记录人: the recorder's name where the account has one, the account beside it.
    let recorder = jiceng_store::users::get_by_username(&mut conn, &Scope::All, &m.created_by)
        .await?
        .and_then(|u| u.display_name)
        .filter(|n| !n.trim().is_empty())
        .map(|n| format!("{n}（{}）", m.created_by))
        .unwrap_or_else(|| m.created_by.clone());
    let names: HashMap<i64, String> = if attendance.is_empty() {
        HashMap::new()
    } else {
        jiceng_store::members::of_orgs(&mut conn, &[m.branch_id])
            .await?
            .into_iter()
            .map(|x| (x.id, x.name))
            .collect()
    };
    drop(conn);
    let quorum = m.meeting.quorum(app.rules.in_force(m.meeting.date));
    let me = &m.meeting;
    Ok(MeetingView {
        id: me.id,
        org_id: me.org_id,
        org: OrgRef::of(&org.org),
        branch_id: m.branch_id,
        kind: me.kind.code(),
        label: me.kind.label(),
        kinds: me.kinds().iter().map(|k| k.code()).collect(),
        labels: me.kinds().iter().map(|k| k.label()).collect(),
        for_year: me.credited_year(),
        election: me.election,
        date: me.date,
        topic: me.topic.clone(),
        venue: me.venue.clone(),
        venue_id,
        host: me.host.clone(),
        expected: me.expected,
        present: me.present,
        excused: me.excused,
        attendance_rate: crate::reports::round4(me.attendance_rate()),
        excused_reasons: me.excused_reasons.clone(),
        minutes: me.minutes.clone(),
        decisions: me.decisions.clone(),
        masses_present: me.masses_present,
        central_task: me.central_task,
        members_needs: me.members_needs,
        votes: me.votes,
        quorum,
        attendees: attendance
            .iter()
            .map(|a| AttendeeView {
                member_id: a.member_id,
                name: names
                    .get(&a.member_id)
                    .cloned()
                    .unwrap_or_else(|| format!("党员（id {}，已转出）", a.member_id)),
                status: a.status.code(),
                status_label: a.status.label(),
                reason: a.reason.clone(),
                full: a.full,
            })
            .collect(),
        guests,
        recorded_by: recorder,
    })
}

/// A member of a branch's roster, for picking attendance.
#[derive(Debug, Clone, Serialize)]
pub struct RosterMember {
    pub id: i64,
    pub name: String,
    /// A full member (正式党员) today.
    pub full: bool,
    /// Joined the party: a meeting held before is not theirs to attend (not an absence).
    pub joined_on: NaiveDate,
    /// Sits on the branch committee (书记, 副书记, 委员) today: the roster of a 支委会.
    pub committee: bool,
    /// The branch's group the member sits in (所在党小组): the roster of its 党小组会.
    pub group: Option<i64>,
}

/// What the record form needs for an org (a branch, or a group): its branch, the
/// branch's groups and its roster.
#[derive(Debug, Clone, Serialize)]
pub struct RecordContext {
    pub branch: OrgRef,
    pub branch_id: i64,
    /// The group the form was opened for, if any.
    pub group_id: Option<i64>,
    pub has_committee: bool,
    /// (id, name) of the branch's live groups.
    pub groups: Vec<(i64, String)>,
    pub roster: Vec<RosterMember>,
    /// 流入党员 taking part in the branch's life today (列席, without a vote): (registration
    /// id, name).
    pub guests: Vec<(i64, String)>,
    /// The 活动场所 the branch (or an org above it) uses, to name the meeting's venue.
    pub venues: Vec<crate::venues::VenueChoice>,
}

impl RecordContext {
    /// Who is expected at a meeting of `kind` (held by `group`, for a 党小组会) on `date`:
    /// the committee for a 支委会 and the group's members for a 党小组会 (each where the
    /// records name them; else the whole roster), the roster for the rest — never those
    /// who joined the party after the date (a backfilled meeting was not theirs; not an
    /// absence).
    pub fn expected(
        &self,
        kind: Option<MeetingKind>,
        group: Option<i64>,
        date: Option<NaiveDate>,
    ) -> Vec<&RosterMember> {
        let committee_only =
            kind == Some(MeetingKind::CommitteeMeeting) && self.roster.iter().any(|m| m.committee);
        let group = group
            .filter(|_| kind == Some(MeetingKind::GroupMeeting))
            .filter(|g| self.roster.iter().any(|m| m.group == Some(*g)));
        self.roster
            .iter()
            .filter(|m| date.is_none_or(|d| m.joined_on <= d))
            .filter(|m| !committee_only || m.committee)
            .filter(|m| group.is_none_or(|g| m.group == Some(g)))
            .collect()
    }

    /// How many of the roster sit in `group`.
    pub fn group_size(&self, group: i64) -> usize {
        self.roster
            .iter()
            .filter(|m| m.group == Some(group))
            .count()
    }
}

/// The branch (and groups and roster) of an org in the actor's scope that meetings may
/// be recorded for.
pub async fn record_context(app: &App, org: &InScope<OrgRecord>) -> Result<RecordContext> {
    let mut conn = app.store.acquire().await?;
    let branch =
        branch_in_scope(&mut conn, org, "组织生活由党支部（党小组会由党小组）记录").await?;
    let today = app.today();
    let groups: Vec<(i64, String)> = crate::groups::live_groups(&mut conn, &branch)
        .await?
        .into_iter()
        .map(|g| (g.org.id, g.org.name))
        .collect();
    let live: std::collections::HashSet<i64> = groups.iter().map(|g| g.0).collect();
    // Each member's first office today, in the order of PositionKind (书记, 副书记, the
    // 委员, 党小组组长): the roster's order, as a 花名册 lists people.
    let mut office: std::collections::HashMap<i64, jiceng_domain::PositionKind> =
        std::collections::HashMap::new();
    for p in jiceng_store::positions::of_orgs(&mut conn, &[branch.org.id]).await? {
        if p.started_on.is_none_or(|d| d <= today) && p.ended_on.is_none_or(|d| d > today) {
            let first = office.entry(p.member_id).or_insert(p.kind);
            *first = (*first).min(p.kind);
        }
    }
    let committee = |id: i64| {
        office
            .get(&id)
            .is_some_and(|k| *k != jiceng_domain::PositionKind::GroupLeader)
    };
    let mut roster: Vec<RosterMember> = jiceng_store::members::of_orgs(&mut conn, &[branch.org.id])
        .await?
        .into_iter()
        .map(|m| RosterMember {
            id: m.id,
            full: jiceng_domain::member::status_on(m.status, m.full_on, today)
                == MemberStatus::Full,
            joined_on: m.joined_on,
            committee: committee(m.id),
            group: crate::groups::group_of(&m, &live),
            name: m.name,
        })
        .collect();
    // 花名册 order: the offices first (书记, 副书记, 委员, 组长), then full members before
    // probationary ones, each by the day they joined (not by the code points of names).
    let rank = |id: i64| office.get(&id).map_or(u8::MAX, |k| *k as u8);
    roster.sort_by_key(|m| (rank(m.id), !m.full, m.joined_on, m.id));
    let guests = jiceng_store::mobile_in::in_scope(&mut conn, &Scope::subtree(&branch.path), true)
        .await?
        .into_iter()
        .filter(|g| g.org_id == branch.org.id && g.since <= today)
        .map(|g| (g.id, g.name))
        .collect();
    let venues = crate::venues::usable_in(&mut conn, &branch).await?;
    Ok(RecordContext {
        branch: OrgRef::of(&branch.org),
        branch_id: branch.org.id,
        group_id: (org.org.kind == OrgKind::Group).then_some(org.org.id),
        has_committee: branch.org.committee == Some(true),
        groups,
        roster,
        guests,
        venues,
    })
}
