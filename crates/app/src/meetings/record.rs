//! Recording a meeting: the attendance checked against the branch's roster, the record
//! against the rules in force, then the meeting, its attendees, the audit entry and the
//! branch's monthly facts written in one transaction.

use std::collections::{HashMap, HashSet};

use chrono::{Datelike, NaiveDate};
use jiceng_domain::meeting::MeetingError;
use jiceng_domain::{Attendance, AttendanceStatus, Meeting, MeetingKind, MemberStatus, Quorum};
use jiceng_store::meetings::{self as meeting_store, StoredMeeting};
use jiceng_store::members::StoredMember;
use jiceng_store::orgs::StoredOrg;
use jiceng_store::Conn;
use serde::Serialize;

use super::{branch_of, RecordError, RecordErrors};
use crate::access::{Actor, Grant, InScope, RecordLife};
use crate::audit::{self, AuditAction};
use crate::reports::OrgRef;
use crate::{App, AppError, OrgRecord, Result};
use jiceng_store::Scope;

/// A meeting to record, as a branch secretary enters it.
#[derive(Debug, Clone, Default)]
pub struct NewMeeting {
    pub kind: Option<MeetingKind>,
    /// Further kinds the same session served (主题党日暨党员大会); credited to each.
    pub also: Vec<MeetingKind>,
    pub date: Option<NaiveDate>,
    /// 所属年度 (a yearly session held for the year before); `None`: the year the topic
    /// names ("2025年度…"), else the date's year.
    pub for_year: Option<i32>,
    /// A 换届选举 (also when the topic says 换届/选举): its quorum is four fifths.
    pub election: bool,
    pub topic: String,
    pub venue: Option<String>,
    /// 活动场所: one of the venues the org (or an ancestor) uses; its name is the free-text
    /// place when that is left blank.
    pub venue_id: Option<i64>,
    pub host: Option<String>,
    /// Plain counts (a ledger, or a quick entry); derived from `attendees` when those
    /// are given, and then, if also given, they must agree.
    pub expected: Option<i64>,
    pub present: Option<i64>,
    pub excused: Option<i64>,
    /// Picked from the branch's roster: each member's attendance, with a reason for an
    /// absence.
    pub attendees: Vec<(i64, AttendanceStatus, Option<String>)>,
    /// 流入党员 who took part (列席, without a vote): their registrations at the branch
    /// (`mobile_in` ids). Not in 应到, 实到 or the quorum.
    pub guests: Vec<i64>,
    pub excused_reasons: Vec<String>,
    pub minutes: Option<String>,
    pub decisions: Option<String>,
    /// `None`: not recorded (unknown, not 0).
    pub masses_present: Option<i64>,
    pub central_task: bool,
    pub members_needs: bool,
    pub votes: bool,
}

/// A recorded meeting with what the rules say of it.
#[derive(Debug, Clone, Serialize)]
pub struct Recorded {
    pub id: i64,
    pub org: OrgRef,
    pub kind: &'static str,
    pub label: &'static str,
    /// Every kind it served (GLOSSARY names), `kind` first.
    pub kinds: Vec<&'static str>,
    /// 所属年度 of its yearly kinds.
    pub for_year: i32,
    pub date: NaiveDate,
    pub topic: String,
    pub expected: i64,
    pub present: i64,
    pub excused: i64,
    pub attendance_rate: Option<f64>,
    /// For a general meeting that voted.
    pub quorum: Option<Quorum>,
}

/// Whether an org with these dates existed on `day`.
fn live_on(founded: Option<NaiveDate>, dissolved: Option<NaiveDate>, day: NaiveDate) -> bool {
    founded.is_none_or(|f| f <= day) && dissolved.is_none_or(|d| d > day)
}

/// Records one meeting of `org` (the branch, or the group for a group meeting), resolved
/// in the actor's scope. Checks: the org is a branch (a group for group meetings) that
/// existed on the date; the date is not in the future; present + excused ≤ expected;
/// attendees are members of the branch; the same meeting (org, kind, date, topic) is not
/// recorded yet. A refusal is `AppError::Meeting`, each reason with its form field.
pub async fn record(
    app: &App,
    grant: &Grant<RecordLife>,
    org: &InScope<OrgRecord>,
    new: &NewMeeting,
) -> Result<Recorded> {
    let p = prepare(app, grant, org, new, None).await?;
    save(app, grant.actor(), org, &p, None).await?;
    Ok(Recorded::of(org, &p.stored.meeting, p.quorum))
}

/// Corrects the recorded meeting `id` (更正): the meeting as `new` gives it replaces the
/// old one — checked as a new record would be, held by the same branch — and the old one's
/// attendance, the branch's monthly facts and the audit entry (the record before and after,
/// and `reason`) follow in one transaction. Answers the corrected record (a new id).
pub async fn correct(
    app: &App,
    grant: &Grant<RecordLife>,
    org: &InScope<OrgRecord>,
    id: i64,
    new: &NewMeeting,
    reason: &str,
) -> Result<Recorded> {
    let reason = super::change_reason(reason)?;
    let old = super::view::get(app, grant.actor(), id).await?;
    let p = prepare(app, grant, org, new, Some(id)).await?;
    if p.stored.branch_id != old.branch_id {
        return Err(RecordError::OtherBranch(old.org.name.clone()).into());
    }
    let before = serde_json::to_value(&old).ok();
    save(app, grant.actor(), org, &p, Some((id, before, reason))).await?;
    Ok(Recorded::of(org, &p.stored.meeting, p.quorum))
}

/// A meeting checked and ready to write.
struct Prepared {
    stored: StoredMeeting,
    attendance: Vec<Attendance>,
    guests: Vec<jiceng_store::mobile_in::StoredGuest>,
    quorum: Option<Quorum>,
    venue_id: Option<i64>,
}

/// `new` checked for `org` as the rules and the records stand (`replacing`: the meeting a
/// correction replaces, which is no duplicate of itself).
async fn prepare(
    app: &App,
    grant: &Grant<RecordLife>,
    org: &InScope<OrgRecord>,
    new: &NewMeeting,
    replacing: Option<i64>,
) -> Result<Prepared> {
    let org: &OrgRecord = org;
    let mut kinds: Vec<MeetingKind> = new.kind.into_iter().chain(new.also.clone()).collect();
    kinds.sort();
    kinds.dedup();
    let kind = *kinds.first().ok_or(RecordError::NoKind)?;
    let date = new.date.ok_or(RecordError::NoDate)?;
    let mut conn = app.store.acquire().await?;
    let branch = branch_of(&mut conn, org).await?;
    let counts = if new.attendees.is_empty() {
        Counts::given(new)
    } else {
        Counts::from_roster(&mut conn, &branch, org, date, new).await?
    };
    let (mut meeting, attendance) = meeting_of(org, new, &kinds, date, counts);
    if let Some(v) = new.venue_id {
        let name = crate::venues::check_usable(&mut conn, org, v, date).await?;
        if meeting.venue.is_none() {
            meeting.venue = Some(name);
        }
    }
    if let Some(refused) = RecordErrors::of(refusals(app, org, &meeting)) {
        return Err(refused.into());
    }
    if meeting_store::find(&mut conn, org.org.id, kind, date, &meeting.topic)
        .await?
        .is_some_and(|m| Some(m.meeting.id) != replacing)
    {
        return Err(RecordError::Duplicate {
            org: org.org.name.clone(),
            date,
            kind: kind.label(),
            topic: meeting.topic,
        }
        .into());
    }
    let guests = crate::mobile_in::guests_on(&mut conn, &branch, date, &new.guests).await?;
    drop(conn);
    let quorum = meeting.quorum(app.rules.in_force(date));
    let id = app.store.reserve_ids("meeting", 1).await?;
    let stored = StoredMeeting {
        meeting: Meeting { id, ..meeting },
        org_path: org.path.clone(),
        branch_id: branch.org.id,
        quorum_ok: quorum.map(|q| q.ok),
        created_by: grant.actor().username.clone(),
    };
    Ok(Prepared {
        stored,
        attendance,
        guests,
        quorum,
        venue_id: new.venue_id,
    })
}

/// The head counts of a meeting, and its attendance where picked from the roster.
struct Counts {
    expected: i64,
    present: i64,
    excused: i64,
    reasons: Vec<String>,
    attendance: Vec<Attendance>,
    /// Voting (full) members expected and present, known from the roster only.
    full: Option<(i64, i64)>,
}

impl Counts {
    /// The counts as given (a ledger, or a quick entry).
    fn given(new: &NewMeeting) -> Counts {
        Counts {
            expected: new.expected.unwrap_or(0),
            present: new.present.unwrap_or(0),
            excused: new.excused.unwrap_or(0),
            reasons: new.excused_reasons.clone(),
            attendance: vec![],
            full: None,
        }
    }

    /// The attendance picked from `branch`'s roster on `date` and the counts it gives,
    /// which must agree with any given beside it. 应到 of a vote is the branch's voting
    /// roster on the day (its full members then), not the members picked (review error
    /// #15).
    ///
    /// A 党小组会 held by `org` (a group some of whose members the records name) is
    /// attended by its members only.
    async fn from_roster(
        conn: &mut Conn,
        branch: &StoredOrg,
        org: &StoredOrg,
        date: NaiveDate,
        new: &NewMeeting,
    ) -> Result<Counts> {
        let roster: HashMap<i64, StoredMember> =
            jiceng_store::members::of_orgs(conn, &[branch.org.id])
                .await?
                .into_iter()
                .map(|m| (m.id, m))
                .collect();
        let group = (org.org.kind == jiceng_domain::OrgKind::Group
            && new.kind == Some(MeetingKind::GroupMeeting))
        .then_some(org.org.id)
        .filter(|g| roster.values().any(|m| m.group_id == Some(*g)));
        let full_expected = roster
            .values()
            .filter(|m| m.joined_on <= date && full_on(m, date))
            .count() as i64;
        let mut seen = HashSet::new();
        let mut reasons = new.excused_reasons.clone();
        let mut attendance = Vec::new();
        for (member_id, status, reason) in &new.attendees {
            let m = roster
                .get(member_id)
                .ok_or_else(|| RecordError::NotOnRoster {
                    member_id: *member_id,
                    branch: branch.org.name.clone(),
                })?;
            if !seen.insert(*member_id) {
                return Err(RecordError::Repeated(m.name.clone()).into());
            }
            if group.is_some_and(|g| m.group_id != Some(g)) {
                return Err(RecordError::NotInGroup {
                    name: m.name.clone(),
                    group: org.org.name.clone(),
                }
                .into());
            }
            let a = attendee(m, *status, reason, date)?;
            if let (AttendanceStatus::Excused, Some(r)) = (a.status, &a.reason) {
                reasons.push(format!("{}：{}", m.name, r.trim()));
            }
            attendance.push(a);
        }
        let count = |s| attendance.iter().filter(|a| a.status == s).count() as i64;
        let full_present = attendance
            .iter()
            .filter(|a| a.full && a.status == AttendanceStatus::Present)
            .count() as i64;
        let counts = Counts {
            expected: attendance.len() as i64,
            present: count(AttendanceStatus::Present),
            excused: count(AttendanceStatus::Excused),
            reasons,
            full: Some((full_expected, full_present)),
            attendance,
        };
        counts.agree_with(new)?;
        Ok(counts)
    }

    /// The counts given beside the attendance picked, each equal to the one it gives.
    fn agree_with(&self, new: &NewMeeting) -> Result<(), RecordError> {
        for (given, got, what) in [
            (new.expected, self.expected, "应到"),
            (new.present, self.present, "实到"),
            (new.excused, self.excused, "请假"),
        ] {
            if let Some(given) = given.filter(|g| *g != got) {
                return Err(RecordError::CountMismatch { what, given, got });
            }
        }
        Ok(())
    }
}

/// Whether `m` was a full member (正式党员, with a vote) on `date`.
fn full_on(m: &StoredMember, date: NaiveDate) -> bool {
    jiceng_domain::member::status_on(m.status, m.full_on, date) == MemberStatus::Full
}

/// One member's attendance on `date`: a member then, with a reason within its limit.
fn attendee(
    m: &StoredMember,
    status: AttendanceStatus,
    reason: &Option<String>,
    date: NaiveDate,
) -> Result<Attendance, RecordError> {
    if let Some(r) = reason {
        jiceng_domain::text::TextField {
            label: "事由",
            ..jiceng_domain::text::NOTE
        }
        .check(r)
        .map_err(|message| RecordError::Reason {
            name: m.name.clone(),
            message,
        })?;
    }
    if m.joined_on > date {
        return Err(RecordError::NotYetMember(m.name.clone()));
    }
    Ok(Attendance {
        member_id: m.id,
        status,
        reason: reason.clone().filter(|r| !r.trim().is_empty()),
        full: full_on(m, date),
    })
}

/// The meeting record of `new` (not yet checked) and its attendance.
fn meeting_of(
    org: &OrgRecord,
    new: &NewMeeting,
    kinds: &[MeetingKind],
    date: NaiveDate,
    c: Counts,
) -> (Meeting, Vec<Attendance>) {
    let topic = new.topic.trim().to_string();
    let mut meeting = Meeting {
        id: 0,
        org_id: org.org.id,
        kind: kinds[0],
        also: vec![],
        for_year: new
            .for_year
            .or_else(|| jiceng_domain::meeting::year_named_in(&topic))
            .filter(|y| *y != date.year()),
        election: new.election
            || (kinds.contains(&MeetingKind::GeneralMeeting)
                && jiceng_domain::meeting::names_election(&topic)),
        date,
        topic,
        venue: crate::trimmed(&new.venue),
        host: crate::trimmed(&new.host),
        expected: c.expected,
        present: c.present,
        excused: c.excused,
        excused_reasons: c.reasons,
        minutes: crate::trimmed(&new.minutes),
        decisions: crate::trimmed(&new.decisions),
        masses_present: new.masses_present,
        central_task: new.central_task,
        members_needs: new.members_needs,
        votes: new.votes,
        full_expected: c.full.map(|f| f.0),
        full_present: c.full.map(|f| f.1),
    };
    meeting.set_kinds(kinds);
    (meeting, c.attendance)
}

/// Everything the rules say against recording `meeting` for `org`: the record itself
/// (today), its 所属年度 (the rules in force on its date), the org alive on its date.
fn refusals(app: &App, org: &OrgRecord, meeting: &Meeting) -> Vec<RecordError> {
    let mut out: Vec<RecordError> = meeting
        .check(org.org.kind, &org.org.name, app.today())
        .into_iter()
        .map(RecordError::from)
        .collect();
    out.extend(
        meeting
            .check_year(app.rules.in_force(meeting.date))
            .map(RecordError::from),
    );
    if !live_on(org.org.founded_on, org.org.dissolved_on, meeting.date) {
        out.push(
            MeetingError::OrgNotLive {
                org: org.org.name.clone(),
                date: meeting.date,
            }
            .into(),
        );
    }
    out
}

/// Writes the meeting, its attendees and guests and the audit entry in one transaction
/// (retried on a conflict); a correction deletes the meeting it replaces (`replaces`: its
/// id, its record before and the reason) in the same one.
async fn save(
    app: &App,
    actor: &Actor,
    org: &OrgRecord,
    p: &Prepared,
    replaces: Option<(i64, Option<serde_json::Value>, String)>,
) -> Result<()> {
    let replaces = &replaces;
    audit::with_retry(|| async move {
        let mut tx = app.store.begin().await?;
        write(&mut tx, app, actor, org, p, replaces).await?;
        tx.commit().await?;
        Ok(())
    })
    .await
}

/// Writes a prepared meeting (replacing `replaces`' meeting, for a correction), its
/// attendance, guests and audit entry in `tx`.
async fn write(
    tx: &mut Conn,
    app: &App,
    actor: &Actor,
    org: &OrgRecord,
    p: &Prepared,
    replaces: &Option<(i64, Option<serde_json::Value>, String)>,
) -> Result<()> {
    let stored = &p.stored;
    let m = &stored.meeting;
    let id = m.id;
    let kind_codes: Vec<&'static str> = m.kinds().iter().map(|k| k.code()).collect();
    let mut after = serde_json::json!({
        "kind": m.kind.code(),
        "kinds": kind_codes,
        "for_year": m.for_year,
        "election": m.election,
        "date": m.date,
        "topic": m.topic,
        "expected": m.expected,
        "present": m.present,
        "excused": m.excused,
        "masses_present": m.masses_present,
        "votes": m.votes,
        "quorum_ok": stored.quorum_ok,
        "venue_id": p.venue_id,
        "guests": p.guests.iter().map(|g| g.name.as_str()).collect::<Vec<_>>(),
    });
    let (action, target, before) = match replaces {
        None => (
            AuditAction::MeetingRecord,
            format!("{}（会议 id {id}）", org.org.name),
            None,
        ),
        Some((old, before, reason)) => {
            after["reason"] = serde_json::Value::from(reason.as_str());
            after["replaces"] = serde_json::Value::from(*old);
            (
                AuditAction::MeetingCorrect,
                format!("{}（会议 id {old} 更正为 {id}）", org.org.name),
                before.clone(),
            )
        }
    };
    let old = replaces.as_ref().map(|r| r.0);
    if let Some(old) = old {
        if !meeting_store::delete(tx, &Scope::All, old).await? {
            return Err(AppError::NotFound("会议记录".into()));
        }
    }
    meeting_store::insert(tx, std::slice::from_ref(stored)).await?;
    meeting_store::insert_attendees(tx, (id, &stored.org_path), &p.attendance).await?;
    if p.venue_id.is_some() {
        jiceng_store::venues::set_meeting_venue(tx, id, p.venue_id).await?;
    }
    jiceng_store::mobile_in::attend(tx, id, &p.guests).await?;
    if let Some(old) = old {
        // A correction takes the record's attachments and 民主评议 grades along.
        jiceng_store::attachments::move_to(tx, old, id).await?;
        let year = i64::from(m.credited_year());
        jiceng_store::evaluations::move_to(tx, old, id, &stored.org_path, year).await?;
    }
    audit::Entry::new(actor, action, target)
        .org(Some(org))
        .before(before)
        .after(Some(after))
        .record(tx, app.now())
        .await
}

/// One activity held jointly by several branches (a township's 联合主题党日, a 党课 for
/// the villages together), recorded for each: every meeting checked as `record` checks one
/// (each branch's refusal named), then all written in one transaction — all or nothing.
pub async fn record_many(
    app: &App,
    grant: &Grant<RecordLife>,
    held: &[(InScope<OrgRecord>, NewMeeting)],
) -> Result<Vec<Recorded>> {
    let mut prepared = Vec::with_capacity(held.len());
    let mut refused = Vec::new();
    for (org, new) in held {
        match prepare(app, grant, org, new, None).await {
            Ok(p) => prepared.push((org, p)),
            Err(e) => refused.push(format!("{}：{e}", org.org.name)),
        }
    }
    if !refused.is_empty() {
        return Err(AppError::Input(refused.join("；")));
    }
    // Branches in one order, so that two batches lock their facts alike.
    prepared.sort_by_key(|(org, _)| org.org.id);
    let (actor, prepared_ref) = (grant.actor(), &prepared);
    audit::with_retry(|| async move {
        let mut tx = app.store.begin().await?;
        for (org, p) in prepared_ref {
            write(&mut tx, app, actor, org, p, &None).await?;
        }
        tx.commit().await?;
        Ok(())
    })
    .await?;
    Ok(prepared
        .iter()
        .map(|(org, p)| Recorded::of(org, &p.stored.meeting, p.quorum))
        .collect())
}

impl Recorded {
    fn of(org: &OrgRecord, m: &Meeting, quorum: Option<Quorum>) -> Recorded {
        Recorded {
            id: m.id,
            org: OrgRef::of(&org.org),
            kind: m.kind.code(),
            label: m.kind.label(),
            kinds: m.kinds().iter().map(|k| k.code()).collect(),
            for_year: m.credited_year(),
            date: m.date,
            topic: m.topic.clone(),
            expected: m.expected,
            present: m.present,
            excused: m.excused,
            attendance_rate: crate::reports::round4(m.attendance_rate()),
            quorum,
        }
    }
}
