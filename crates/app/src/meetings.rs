//! Organizational life (SPEC C4): recording a meeting (the branch's facts for its month
//! rewritten and the audit entry written in the same transaction) and what a branch still
//! owes this month, quarter and year (本月待办).
//!
//! Nothing here counts check-ins, points, rankings of people or online time (SPEC C4).

use std::collections::{HashMap, HashSet};

use chrono::{Datelike, NaiveDate};
use jiceng_domain::compliance::{self, BranchFacts, GroupFacts, Tally};
use jiceng_domain::{
    Attendance, AttendanceStatus, Meeting, MeetingKind, MemberStatus, OrgKind, Period, Quorum,
};
/// How a meeting list is narrowed (branch, dates, kind).
pub use jiceng_store::meetings::ListFilter;
use jiceng_store::meetings::{self as meeting_store, LifeOrg, StoredMeeting};
use jiceng_store::orgs::{self as org_store, StoredOrg};
use jiceng_store::{Conn, Scope};
use serde::Serialize;

use crate::access::{Action, Actor, Grant, InScope, RecordLife};
use crate::audit::{self, AuditAction};
use crate::reports::OrgRef;
use crate::{App, AppError, OrgRecord, Result};

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
    pub host: Option<String>,
    /// Plain counts (a ledger, or a quick entry); derived from `attendees` when those
    /// are given, and then, if also given, they must agree.
    pub expected: Option<i64>,
    pub present: Option<i64>,
    pub excused: Option<i64>,
    /// Picked from the branch's roster: each member's attendance, with a reason for an
    /// absence.
    pub attendees: Vec<(i64, AttendanceStatus, Option<String>)>,
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

fn input(msg: impl Into<String>) -> AppError {
    AppError::Input(msg.into())
}

/// The branch a meeting of `org` counts for: the org itself, or a group's branch.
async fn branch_of(conn: &mut Conn, org: &StoredOrg) -> Result<StoredOrg> {
    if org.org.kind != OrgKind::Group {
        return Ok(org.clone());
    }
    let parent = match org.org.parent_id {
        Some(p) => org_store::get(conn, &Scope::All, p).await?,
        None => None,
    };
    match parent {
        Some(p) if p.org.kind == OrgKind::Branch => Ok(p),
        _ => Err(input(format!(
            "党小组“{}”不在党支部之下，无法记录组织生活",
            org.org.name
        ))),
    }
}

/// Whether an org with these dates existed on `day`.
fn live_on(founded: Option<NaiveDate>, dissolved: Option<NaiveDate>, day: NaiveDate) -> bool {
    founded.is_none_or(|f| f <= day) && dissolved.is_none_or(|d| d > day)
}

/// The dated histories (committee) of the branches among `orgs`.
pub(crate) async fn branch_histories(
    conn: &mut Conn,
    orgs: &[LifeOrg],
) -> Result<HashMap<i64, jiceng_domain::OrgHistory>> {
    let ids: Vec<i64> = orgs
        .iter()
        .filter(|o| o.kind == OrgKind::Branch)
        .map(|o| o.id)
        .collect();
    Ok(jiceng_store::history::of_orgs(conn, &ids).await?)
}

/// Records one meeting of `org` (the branch, or the group for a group meeting), resolved
/// in the actor's scope. Checks: the org is a branch (a group for group meetings) that
/// existed on the date; the date is not in the future; present + excused ≤ expected;
/// attendees are members of the branch; the same meeting (org, kind, date, topic) is not
/// recorded yet.
pub async fn record(
    app: &App,
    grant: &Grant<RecordLife>,
    org: &InScope<OrgRecord>,
    new: &NewMeeting,
) -> Result<Recorded> {
    let actor = grant.actor();
    let org: &OrgRecord = org;
    let today = app.today();
    let mut kinds: Vec<MeetingKind> = new.kind.into_iter().chain(new.also.clone()).collect();
    kinds.sort();
    kinds.dedup();
    let kind = *kinds.first().ok_or_else(|| input("请选择会议类型"))?;
    let date = new.date.ok_or_else(|| input("请填写会议日期"))?;
    let mut conn = app.store.acquire().await?;
    let branch = branch_of(&mut conn, org).await?;

    // Counts: from the roster when attendees are given.
    let (mut expected, mut present, mut excused) = (
        new.expected.unwrap_or(0),
        new.present.unwrap_or(0),
        new.excused.unwrap_or(0),
    );
    let mut reasons = new.excused_reasons.clone();
    let mut attendance = Vec::new();
    let (mut full_expected, mut full_present) = (None, None);
    if !new.attendees.is_empty() {
        let roster: HashMap<i64, jiceng_store::members::StoredMember> =
            jiceng_store::members::of_orgs(&mut conn, &[branch.org.id])
                .await?
                .into_iter()
                .map(|m| (m.id, m))
                .collect();
        let mut seen = HashSet::new();
        // 应到 of a vote: the branch's voting roster on the day (full members then), not
        // the members picked (review error #15).
        let fe = roster
            .values()
            .filter(|m| m.joined_on <= date)
            .filter(|m| {
                jiceng_domain::member::status_on(m.status, m.full_on, date) == MemberStatus::Full
            })
            .count() as i64;
        let mut fp = 0;
        for (member_id, status, reason) in &new.attendees {
            let m = roster.get(member_id).ok_or_else(|| {
                input(format!(
                    "党员（id {member_id}）不是“{}”的党员",
                    branch.org.name
                ))
            })?;
            if !seen.insert(*member_id) {
                return Err(input(format!("党员“{}”重复出现", m.name)));
            }
            if let Some(r) = reason {
                jiceng_domain::text::TextField {
                    label: "事由",
                    ..jiceng_domain::text::NOTE
                }
                .check(r)
                .map_err(|e| input(format!("{}：{e}", m.name)))?;
            }
            if m.joined_on > date {
                return Err(input(format!("党员“{}”在会议日期时尚未入党", m.name)));
            }
            let full =
                jiceng_domain::member::status_on(m.status, m.full_on, date) == MemberStatus::Full;
            fp += (full && *status == AttendanceStatus::Present) as i64;
            if *status == AttendanceStatus::Excused {
                if let Some(r) = reason.as_ref().filter(|r| !r.trim().is_empty()) {
                    reasons.push(format!("{}：{}", m.name, r.trim()));
                }
            }
            attendance.push(Attendance {
                member_id: *member_id,
                status: *status,
                reason: reason.clone().filter(|r| !r.trim().is_empty()),
                full,
            });
        }
        let count = |s| attendance.iter().filter(|a| a.status == s).count() as i64;
        let derived = (
            attendance.len() as i64,
            count(AttendanceStatus::Present),
            count(AttendanceStatus::Excused),
        );
        for (given, got, what) in [
            (new.expected, derived.0, "应到"),
            (new.present, derived.1, "实到"),
            (new.excused, derived.2, "请假"),
        ] {
            if let Some(g) = given.filter(|g| *g != got) {
                return Err(input(format!(
                    "{what}人数{g}与所选党员不符（按名单为{got}人）"
                )));
            }
        }
        (expected, present, excused) = derived;
        (full_expected, full_present) = (Some(fe), Some(fp));
    }

    let topic = new.topic.trim().to_string();
    let mut meeting = Meeting {
        id: 0,
        org_id: org.org.id,
        kind,
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
        venue: clean(&new.venue),
        host: clean(&new.host),
        expected,
        present,
        excused,
        excused_reasons: reasons,
        minutes: clean(&new.minutes),
        decisions: clean(&new.decisions),
        masses_present: new.masses_present,
        central_task: new.central_task,
        members_needs: new.members_needs,
        votes: new.votes,
        full_expected,
        full_present,
    };
    meeting.set_kinds(&kinds);
    let mut problems: Vec<String> = meeting
        .check(org.org.kind, &org.org.name, today)
        .iter()
        .map(|e| e.to_string())
        .collect();
    if let Some(e) = meeting.check_year(app.rules.in_force(date)) {
        problems.push(e.to_string());
    }
    if !live_on(org.org.founded_on, org.org.dissolved_on, date) {
        problems.push(
            jiceng_domain::meeting::MeetingError::OrgNotLive {
                org: org.org.name.clone(),
                date,
            }
            .to_string(),
        );
    }
    if !problems.is_empty() {
        return Err(input(problems.join("；")));
    }
    if meeting_store::find(&mut conn, org.org.id, kind, date, &meeting.topic)
        .await?
        .is_some()
    {
        return Err(input(format!(
            "{}已记录过{date}的{}“{}”",
            org.org.name,
            kind.label(),
            meeting.topic
        )));
    }
    drop(conn);

    let rules = app.rules.in_force(date);
    let quorum = meeting.quorum(rules);
    let id = app.store.reserve_ids("meeting", 1).await?;
    let stored = StoredMeeting {
        meeting: Meeting { id, ..meeting },
        org_path: org.path.clone(),
        branch_id: branch.org.id,
        quorum_ok: quorum.map(|q| q.ok),
        created_by: actor.username.clone(),
    };
    let kind_codes: Vec<&'static str> = kinds.iter().map(|k| k.code()).collect();
    let after = serde_json::json!({
        "kind": kind.code(),
        "kinds": kind_codes,
        "for_year": stored.meeting.for_year,
        "election": stored.meeting.election,
        "date": date,
        "topic": stored.meeting.topic,
        "expected": expected,
        "present": present,
        "excused": excused,
        "masses_present": stored.meeting.masses_present,
        "votes": stored.meeting.votes,
        "quorum_ok": stored.quorum_ok,
    });
    let (stored_ref, attendance_ref, org_ref, after_ref) = (&stored, &attendance, org, &after);
    audit::with_retry(|| async move {
        let mut tx = app.store.begin().await?;
        meeting_store::insert(&mut tx, std::slice::from_ref(stored_ref)).await?;
        meeting_store::insert_attendees(&mut tx, id, attendance_ref).await?;
        audit::record_at(
            &mut tx,
            app.now(),
            actor,
            AuditAction::MeetingRecord,
            &format!("{}（会议 id {id}）", org_ref.org.name),
            Some(org_ref),
            None,
            Some(after_ref.clone()),
        )
        .await?;
        tx.commit().await?;
        Ok(())
    })
    .await?;
    Ok(Recorded {
        id,
        org: OrgRef::of(&org.org),
        kind: kind.code(),
        label: kind.label(),
        kinds: kind_codes,
        for_year: stored.meeting.credited_year(),
        date,
        topic: stored.meeting.topic.clone(),
        expected,
        present,
        excused,
        attendance_rate: crate::reports::round4(stored.meeting.attendance_rate()),
        quorum,
    })
}

fn clean(s: &Option<String>) -> Option<String> {
    s.as_ref()
        .map(|s| s.trim().to_string())
        .filter(|s| !s.is_empty())
}

/// The compliance facts of the branches among `orgs` (branches and groups, as
/// `meetings::branches_and_groups` reads them).
pub(crate) fn branch_facts(
    orgs: &[LifeOrg],
    histories: &HashMap<i64, jiceng_domain::OrgHistory>,
) -> Vec<(usize, BranchFacts)> {
    let mut groups: HashMap<i64, Vec<GroupFacts>> = HashMap::new();
    for o in orgs.iter().filter(|o| o.kind == OrgKind::Group) {
        if let Some(p) = o.parent_id {
            groups.entry(p).or_default().push(GroupFacts {
                group_id: o.id,
                founded_on: o.founded_on,
                dissolved_on: o.dissolved_on,
            });
        }
    }
    orgs.iter()
        .enumerate()
        .filter(|(_, o)| o.kind == OrgKind::Branch)
        .map(|(i, o)| {
            (
                i,
                BranchFacts {
                    branch_id: o.id,
                    committee: histories
                        .get(&o.id)
                        .map(|h| h.committee())
                        .filter(|c| !c.changes.is_empty())
                        .unwrap_or_else(|| {
                            // No dated event: today's stated committee, undated; as in
                            // migration 14, a stored has_committee = 1 is a statement
                            // and a 0 is not (unknown).
                            let stated = o.committee.or(o.has_committee.then_some(true));
                            jiceng_domain::history::CommitteeHistory::always(stated)
                        }),
                    founded_on: o.founded_on,
                    dissolved_on: o.dissolved_on,
                    records_from: o.records_from,
                    temporary: o.temporary,
                    groups: groups.remove(&o.id).unwrap_or_default(),
                },
            )
        })
        .collect()
}

/// One open obligation.
#[derive(Debug, Clone, Serialize)]
pub struct DueItem {
    /// GLOSSARY name, e.g. "ThemeDay".
    pub kind: &'static str,
    pub label: &'static str,
    /// The span it is owed for ("2026-08", "2026Q3", "2026").
    pub span: Period,
    pub span_label: String,
    /// The last day it can be met: the span's last day, or for last year's yearly items
    /// the end of the 所属年度 window.
    pub deadline: NaiveDate,
    pub due: i64,
    pub held: i64,
    /// The group that owes it, for group meetings.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub group: Option<OrgRef>,
    /// The org to record it for (the group for a group meeting, else the branch).
    pub org_id: i64,
}

/// What a branch still owes on a day (本月待办).
#[derive(Debug, Clone, Serialize)]
pub struct Due {
    pub branch: OrgRef,
    pub branch_id: i64,
    pub today: NaiveDate,
    pub month: Period,
    pub quarter: Period,
    pub year: Period,
    /// Last year's yearly obligations while their window is open, then this month's
    /// monthly, this quarter's quarterly and this year's yearly obligations not yet met.
    pub items: Vec<DueItem>,
    /// Why nothing (or not everything) is listed: 临时党支部, 台账未录入 (暂无数据).
    pub notes: Vec<String>,
}

/// The branch of an org in scope (itself, or a group's branch); any other kind of org is
/// refused with `why` (what only a branch does).
async fn branch_in_scope(
    conn: &mut jiceng_store::Conn,
    org: &InScope<OrgRecord>,
    why: &str,
) -> Result<StoredOrg> {
    let branch = branch_of(conn, org).await?;
    if branch.org.kind != OrgKind::Branch {
        return Err(input(format!(
            "“{}”是{}：{why}",
            branch.org.name,
            branch.org.kind.label()
        )));
    }
    Ok(branch)
}

/// The open obligations of a branch (or of a group's branch) in the actor's scope on
/// `today`: this month's, this quarter's and this year's.
pub async fn due(app: &App, org: &InScope<OrgRecord>, today: NaiveDate) -> Result<Due> {
    let mut conn = app.store.acquire().await?;
    let branch = branch_in_scope(&mut conn, org, "组织生活按党支部统计").await?;
    let orgs = meeting_store::branches_and_groups(&mut conn, &Scope::subtree(&branch.path)).await?;
    let orgs: Vec<LifeOrg> = orgs
        .into_iter()
        .filter(|o| o.id == branch.org.id || o.parent_id == Some(branch.org.id))
        .collect();
    let histories = branch_histories(&mut conn, &orgs).await?;
    let facts = branch_facts(&orgs, &histories)
        .into_iter()
        .find(|(_, f)| f.branch_id == branch.org.id)
        .map(|(_, f)| f)
        .ok_or_else(|| AppError::NotFound("党支部".into()))?;
    let year = Period::year_of(today);
    let months: Vec<Period> = Period::Year(today.year() - 1)
        .months()
        .into_iter()
        .chain(year.months())
        .collect();
    let rows = meeting_store::branch_month_facts(&mut conn, branch.org.id, &months).await?;
    drop(conn);
    let mut tally = Tally::default();
    for r in &rows {
        tally.add_month(r.year, r.month, &r.tally);
    }
    let names: HashMap<i64, &LifeOrg> = orgs.iter().map(|o| (o.id, o)).collect();
    let items = compliance::open_on(&facts, &tally, today, &app.rules)
        .into_iter()
        .map(|o| DueItem {
            kind: o.kind.code(),
            label: o.kind.label(),
            span: o.span,
            span_label: o.span.label(),
            deadline: o.due_by,
            due: o.due,
            held: o.held,
            group: o.group.and_then(|g| names.get(&g)).map(|g| OrgRef {
                code: g.code.clone(),
                name: g.name.clone(),
            }),
            org_id: o.group.unwrap_or(branch.org.id),
        })
        .collect();
    Ok(Due {
        branch: OrgRef::of(&branch.org),
        branch_id: branch.org.id,
        today,
        month: Period::month_of(today),
        quarter: Period::quarter_of(today),
        year,
        notes: due_notes(&facts, today, &app.rules),
        items,
    })
}

/// What a branch's due list cannot say, in words (暂无数据 and why).
fn due_notes(f: &BranchFacts, today: NaiveDate, rules: &jiceng_domain::RuleBook) -> Vec<String> {
    let mut out = Vec::new();
    if f.temporary {
        out.push("临时党支部，不按常设支部考核".to_string());
        return out;
    }
    match f.records_from {
        None => out.push("台账未录入：组织生活暂无数据".to_string()),
        Some(r) if r > today => {}
        Some(r) => {
            if r > Period::year_of(today).first_day() {
                out.push(format!("台账起始日为{r}，此前的期间暂无数据"));
            }
        }
    }
    let committee_owed = rules
        .in_force(today)
        .meetings
        .cadence_of(MeetingKind::CommitteeMeeting)
        .count
        > 0;
    if committee_owed && f.committee.on(today).is_none() {
        out.push("是否设立支委会未登记：支部委员会会议暂无数据".to_string());
    }
    out
}

/// A meeting as lists show it.
#[derive(Debug, Clone, Serialize)]
pub struct MeetingRow {
    pub id: i64,
    pub org_id: i64,
    pub kind: &'static str,
    pub label: &'static str,
    /// Every kind it served, `kind` first (GLOSSARY names) and their labels.
    pub kinds: Vec<&'static str>,
    pub labels: Vec<&'static str>,
    /// 所属年度 of its yearly kinds.
    pub for_year: i32,
    pub date: NaiveDate,
    pub topic: String,
    pub host: Option<String>,
    pub expected: i64,
    pub present: i64,
    pub excused: i64,
    pub attendance_rate: Option<f64>,
    /// `None`: not recorded.
    pub masses_present: Option<i64>,
    pub quorum_ok: Option<bool>,
}

impl MeetingRow {
    pub fn of(m: &StoredMeeting) -> MeetingRow {
        MeetingRow {
            id: m.meeting.id,
            org_id: m.meeting.org_id,
            kind: m.meeting.kind.code(),
            label: m.meeting.kind.label(),
            kinds: m.meeting.kinds().iter().map(|k| k.code()).collect(),
            labels: m.meeting.kinds().iter().map(|k| k.label()).collect(),
            for_year: m.meeting.credited_year(),
            date: m.meeting.date,
            topic: m.meeting.topic.clone(),
            host: m.meeting.host.clone(),
            expected: m.meeting.expected,
            present: m.meeting.present,
            excused: m.meeting.excused,
            attendance_rate: crate::reports::round4(m.meeting.attendance_rate()),
            masses_present: m.meeting.masses_present,
            quorum_ok: m.quorum_ok,
        }
    }
}

/// A page of the meetings in the actor's scope (newest first), narrowed by `filter`;
/// `page` counts from 1. Returns the rows and the total.
pub async fn list(
    app: &App,
    actor: &Actor,
    filter: &ListFilter,
    page: i64,
    page_size: i64,
) -> Result<(Vec<MeetingRow>, i64)> {
    if !actor.may(Action::ReadData) {
        return Err(AppError::Forbidden);
    }
    let page_size = page_size.clamp(1, 500);
    let offset = (page.max(1) - 1).saturating_mul(page_size);
    let mut conn = app.store.acquire().await?;
    let (rows, total) =
        meeting_store::list(&mut conn, &actor.scope, filter, offset, page_size).await?;
    Ok((rows.iter().map(MeetingRow::of).collect(), total))
}

/// Rebuilds the stored monthly facts of the whole tree from the meetings (after a
/// restore or a bulk load). Returns the rows written.
pub async fn rebuild_facts(app: &App) -> Result<usize> {
    audit::with_retry(|| async {
        let mut tx = app.store.begin().await?;
        let n = meeting_store::rebuild(&mut tx, &Scope::All).await?;
        tx.commit().await?;
        Ok(n)
    })
    .await
}

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
        recorded_by: m.created_by.clone(),
    })
}

/// A member of a branch's roster, for picking attendance.
#[derive(Debug, Clone, Serialize)]
pub struct RosterMember {
    pub id: i64,
    pub name: String,
    /// A full member (正式党员) today.
    pub full: bool,
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
}

/// The branch (and groups and roster) of an org in the actor's scope that meetings may
/// be recorded for.
pub async fn record_context(app: &App, org: &InScope<OrgRecord>) -> Result<RecordContext> {
    let mut conn = app.store.acquire().await?;
    let branch =
        branch_in_scope(&mut conn, org, "组织生活由党支部（党小组会由党小组）记录").await?;
    let today = app.today();
    let groups = org_store::children(&mut conn, &Scope::subtree(&branch.path), branch.org.id)
        .await?
        .into_iter()
        .filter(|g| g.org.kind == OrgKind::Group && g.org.dissolved_on.is_none())
        .map(|g| (g.org.id, g.org.name.clone()))
        .collect();
    let mut roster: Vec<RosterMember> = jiceng_store::members::of_orgs(&mut conn, &[branch.org.id])
        .await?
        .into_iter()
        .map(|m| RosterMember {
            id: m.id,
            full: jiceng_domain::member::status_on(m.status, m.full_on, today)
                == MemberStatus::Full,
            name: m.name,
        })
        .collect();
    roster.sort_by(|a, b| a.name.cmp(&b.name).then(a.id.cmp(&b.id)));
    Ok(RecordContext {
        branch: OrgRef::of(&branch.org),
        branch_id: branch.org.id,
        group_id: (org.org.kind == OrgKind::Group).then_some(org.org.id),
        has_committee: branch.org.committee == Some(true),
        groups,
        roster,
    })
}

/// A page of the meetings held in the subtree of `org` (resolved in the actor's scope),
/// newest first; `page` counts from 1. Returns the rows and the total.
pub async fn list_under(
    app: &App,
    org: &InScope<OrgRecord>,
    page: i64,
    page_size: i64,
) -> Result<(Vec<MeetingRow>, i64)> {
    let mut conn = app.store.acquire().await?;
    let page_size = page_size.clamp(1, 5_000);
    let offset = (page.max(1) - 1).saturating_mul(page_size);
    let (rows, total) = meeting_store::list(
        &mut conn,
        &org.subtree(),
        &ListFilter::default(),
        offset,
        page_size,
    )
    .await?;
    Ok((rows.iter().map(MeetingRow::of).collect(), total))
}

/// The meetings of a list as a sheet (the meeting list export).
pub fn meetings_sheet(title: &str, rows: &[MeetingRow]) -> jiceng_io::Sheet {
    use jiceng_io::OutCell;
    jiceng_io::Sheet {
        name: "会议记录".into(),
        title: title.to_string(),
        headers: [
            "日期",
            "类型",
            "主题",
            "主持人",
            "应到",
            "实到",
            "请假",
            "参会率",
            "群众参与人数",
            "表决人数过半",
        ]
        .iter()
        .map(|s| s.to_string())
        .collect(),
        rows: rows
            .iter()
            .map(|r| {
                vec![
                    OutCell::Text(r.date.to_string()),
                    OutCell::Text(r.labels.join("暨")),
                    OutCell::Text(r.topic.clone()),
                    OutCell::Text(r.host.clone().unwrap_or_default()),
                    OutCell::Int(r.expected),
                    OutCell::Int(r.present),
                    OutCell::Int(r.excused),
                    r.attendance_rate
                        .map(OutCell::Percent)
                        .unwrap_or(OutCell::Empty),
                    r.masses_present.map(OutCell::Int).unwrap_or(OutCell::Empty),
                    OutCell::Text(
                        match r.quorum_ok {
                            Some(true) => "是",
                            Some(false) => "否",
                            None => "",
                        }
                        .into(),
                    ),
                ]
            })
            .collect(),
    }
}
