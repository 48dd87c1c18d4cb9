//! Meetings (SPEC C4) and the stored monthly facts compliance is judged from.
//!
//! Writing a meeting rewrites its branch's `compliance_month` row for that month in the
//! same transaction (a recount of the branch's month, so a correction or a deletion is
//! handled the same way). A report for any subtree and period reads those rows one
//! month at a time by literal path range, plus the subtree's branches and groups from
//! `org` — never the meeting rows themselves.
//!
//! Indexes (migration 3): `meeting_key` (org, kind, date, topic; unique: a meeting is
//! recorded once), `meeting_branch` (branch, date: the month recount), `meeting_path`
//! (path, date: scoped lists), `compliance_month` primary key (branch, month: one
//! branch's months), `compliance_month_path` (month, path: a subtree's month).

use std::collections::{BTreeMap, HashSet};

use jiceng_domain::compliance::MonthTally;
use jiceng_domain::{path, Attendance, AttendanceStatus, Meeting, MeetingKind, OrgKind, Period};
use sqlx::any::AnyRow;
use sqlx::Row;

use crate::row::{from_row, Cells};
use crate::sql::{counted_page, insert_many, Sql, Val, IN_CHUNK};
use crate::{opt_date, parse_date_text, Conn, Result, Scope, StoreError};

mod months;
mod summaries;

use months::parse_year_month;
pub use months::{branch_month_facts, month_facts, rebuild, refresh_months, MonthFacts};
pub use summaries::{
    branches_and_groups, forget_touched, mark_touched, put_summary, replace_summaries, summaries,
    touched, touched_stamps, LifeOrg, Summary, Touched,
};

/// A meeting as stored: the record, where it sits in the tree and its derived quorum.
#[derive(Debug, Clone, PartialEq)]
pub struct StoredMeeting {
    pub meeting: Meeting,
    /// The path of the org that held it (the group's, for a group meeting).
    pub org_path: String,
    /// The branch it counts for (the group's branch, for a group meeting).
    pub branch_id: i64,
    /// For a general meeting that voted: whether the quorum was there.
    pub quorum_ok: Option<bool>,
    pub created_by: String,
}

impl StoredMeeting {
    /// The path of the branch it counts for.
    pub fn branch_path(&self) -> String {
        if self.branch_id == self.meeting.org_id {
            self.org_path.clone()
        } else {
            parent_path(&self.org_path)
        }
    }
}

/// The path of a node's parent (`/1/2/` for `/1/2/3/`).
fn parent_path(p: &str) -> String {
    let trimmed = &p[..p.len() - 1];
    match trimmed.rfind('/') {
        Some(i) => trimmed[..=i].to_string(),
        None => "/".into(),
    }
}

const COLS: &str = "id, org_id, org_path, branch_id, kind, held_on, topic, venue, host, expected, \
    present, excused, full_expected, full_present, masses_present, central_task, members_needs, \
    votes, quorum_ok, minutes, decisions, excused_reasons, created_by, kinds, for_year, election";

const WRITE_COLS: [&str; 28] = [
    "id",
    "org_id",
    "org_path",
    "branch_id",
    "kind",
    "held_on",
    "topic",
    "venue",
    "host",
    "expected",
    "present",
    "excused",
    "full_expected",
    "full_present",
    "masses_present",
    "central_task",
    "members_needs",
    "votes",
    "quorum_ok",
    "minutes",
    "decisions",
    "excused_reasons",
    "created_by",
    "created_at",
    "kinds",
    "for_year",
    "election",
    "shard",
];

/// The kinds of a meeting as stored in `meeting.kinds`: codes joined by ','.
fn kinds_text(m: &Meeting) -> String {
    m.kinds()
        .iter()
        .map(|k| k.code())
        .collect::<Vec<_>>()
        .join(",")
}

fn parse_kinds(s: &str) -> Result<Vec<MeetingKind>> {
    s.split(',')
        .filter(|c| !c.is_empty())
        .map(|c| {
            MeetingKind::from_code(c).ok_or_else(|| StoreError::Corrupt(format!("会议类型 {c}")))
        })
        .collect()
}

fn vals(s: &StoredMeeting, now: &str) -> Vec<Val> {
    let m = &s.meeting;
    vec![
        m.id.into(),
        m.org_id.into(),
        s.org_path.clone().into(),
        s.branch_id.into(),
        m.kind.code().into(),
        m.date.into(),
        m.topic.clone().into(),
        m.venue.clone().into(),
        m.host.clone().into(),
        m.expected.into(),
        m.present.into(),
        m.excused.into(),
        m.full_expected.into(),
        m.full_present.into(),
        m.masses_present.into(),
        m.central_task.into(),
        m.members_needs.into(),
        m.votes.into(),
        s.quorum_ok.map(|b| b as i64).into(),
        m.minutes.clone().into(),
        m.decisions.clone().into(),
        serde_json::to_string(&m.excused_reasons)
            .expect("strings serialize")
            .into(),
        s.created_by.clone().into(),
        now.to_string().into(),
        kinds_text(m).into(),
        m.for_year.map(i64::from).into(),
        m.election.into(),
        path::shard(&s.org_path).into(),
    ]
}

fn from_row(row: &AnyRow) -> Result<StoredMeeting> {
    let held: String = row.try_get("held_on")?;
    let reasons: String = row.try_get("excused_reasons")?;
    let quorum: Option<i64> = row.try_get("quorum_ok")?;
    let first = row.coded("kind", "会议类型", MeetingKind::from_code)?;
    let kinds: String = row.try_get("kinds")?;
    let for_year: Option<i64> = row.try_get("for_year")?;
    Ok(from_row!(
        row,
        StoredMeeting {
            meeting: from_row!(
                row,
                Meeting {
                    id,
                    org_id,
                    kind: first,
                    also: parse_kinds(&kinds)?
                        .into_iter()
                        .filter(|k| *k != first)
                        .collect(),
                    for_year: for_year.and_then(|y| i32::try_from(y).ok()),
                    election: row.flag("election")?,
                    date: parse_date_text(&held)?,
                    topic,
                    venue,
                    host,
                    expected,
                    present,
                    excused,
                    excused_reasons: serde_json::from_str(&reasons)
                        .map_err(|e| StoreError::Corrupt(format!("请假事由：{e}")))?,
                    minutes,
                    decisions,
                    masses_present,
                    central_task: row.flag("central_task")?,
                    members_needs: row.flag("members_needs")?,
                    votes: row.flag("votes")?,
                    full_expected,
                    full_present,
                }
            ),
            org_path,
            branch_id,
            quorum_ok: quorum.map(|q| q != 0),
            created_by,
        }
    ))
}

/// Inserts meetings (ids assigned by the caller) and rewrites the monthly facts of every
/// branch and month they touch. Run it inside the caller's transaction.
pub async fn insert(conn: &mut Conn, meetings: &[StoredMeeting]) -> Result<()> {
    let now = crate::now_text();
    let rows: Vec<Vec<Val>> = meetings.iter().map(|m| vals(m, &now)).collect();
    insert_many(conn, "meeting", &WRITE_COLS, &rows).await?;
    // The records of each branch start no later than the month of its meeting.
    let mut starts: BTreeMap<i64, chrono::NaiveDate> = BTreeMap::new();
    for m in meetings {
        let first = Period::month_of(m.meeting.date).first_day();
        let e = starts.entry(m.branch_id).or_insert(first);
        *e = (*e).min(first);
    }
    let mut by_day: BTreeMap<chrono::NaiveDate, Vec<i64>> = BTreeMap::new();
    for (branch, day) in starts {
        by_day.entry(day).or_default().push(branch);
    }
    for (day, branches) in by_day {
        lower_records_from(conn, &branches, day).await?;
    }
    let touched: Vec<(i64, String, Period)> = meetings
        .iter()
        .map(|m| {
            (
                m.branch_id,
                m.branch_path(),
                Period::month_of(m.meeting.date),
            )
        })
        .collect();
    refresh_months(conn, &touched).await
}

/// Sets the records start (台账起始日, `org.records_from`) of `org_ids` to `day` where it
/// is later or unset: min(existing, day). A ledger or a meeting shows the records reach
/// back at least that far.
pub async fn lower_records_from(
    conn: &mut Conn,
    org_ids: &[i64],
    day: chrono::NaiveDate,
) -> Result<()> {
    for chunk in org_ids.chunks(IN_CHUNK) {
        let q = Sql::new("UPDATE org SET records_from = ")
            .bind(day)
            .push(" WHERE (records_from IS NULL OR records_from > ")
            .bind(day)
            .push(") AND id IN ")
            .in_list(chunk);
        q.execute(&mut *conn).await?;
    }
    Ok(())
}

/// Records who attended a meeting (held by the org at `org_path`: the rows sit in its
/// shard, beside the meeting).
pub async fn insert_attendees(
    conn: &mut Conn,
    (meeting_id, org_path): (i64, &str),
    attendees: &[Attendance],
) -> Result<()> {
    let shard = path::shard(org_path);
    let rows: Vec<Vec<Val>> = attendees
        .iter()
        .map(|a| {
            vec![
                meeting_id.into(),
                a.member_id.into(),
                a.status.code().into(),
                a.reason.clone().into(),
                a.full.into(),
                shard.into(),
            ]
        })
        .collect();
    insert_many(
        conn,
        "meeting_attendee",
        &[
            "meeting_id",
            "member_id",
            "status",
            "reason",
            "is_full",
            "shard",
        ],
        &rows,
    )
    .await
}

/// The attendance taken at the meetings of a subtree held from `from` to `to`: (member,
/// status code, the meeting's branch), one row per meeting and member — a meeting recorded
/// without its roster adds none.
pub async fn attendance_in_scope(
    conn: &mut Conn,
    scope: &Scope,
    (from, to): (chrono::NaiveDate, chrono::NaiveDate),
) -> Result<Vec<(i64, String, i64)>> {
    Sql::new(
        "SELECT a.member_id, a.status, m.branch_id FROM meeting m \
         JOIN meeting_attendee a ON a.meeting_id = m.id AND a.shard = m.shard \
         WHERE m.held_on >= ",
    )
    .bind(from)
    .push(" AND m.held_on <= ")
    .bind(to)
    .push(" AND ")
    .sharded_scope("m.org_path", scope)
    .fetch_all_as(&mut *conn)
    .await
}

/// One member's attendance at the meetings held from `from` to `to`, oldest first:
/// (meeting id, day, kind code, topic, status code). A meeting recorded by counts only
/// names nobody and is not here.
pub async fn attendance_of_member(
    conn: &mut Conn,
    member_id: i64,
    (from, to): (chrono::NaiveDate, chrono::NaiveDate),
) -> Result<Vec<(i64, chrono::NaiveDate, String, String, String)>> {
    let rows = Sql::new(
        "SELECT m.id, m.held_on, m.kind, m.topic, a.status FROM meeting_attendee a \
         JOIN meeting m ON m.id = a.meeting_id AND m.shard = a.shard WHERE a.member_id = ",
    )
    .bind(member_id)
    .push(" AND m.held_on >= ")
    .bind(from)
    .push(" AND m.held_on <= ")
    .bind(to)
    .push(" ORDER BY m.held_on, m.id")
    .fetch_all(&mut *conn)
    .await?;
    rows.iter()
        .map(|r| {
            let held: String = r.try_get("held_on")?;
            Ok((
                r.try_get("id")?,
                crate::parse_date_text(&held)?,
                r.try_get("kind")?,
                r.try_get("topic")?,
                r.try_get("status")?,
            ))
        })
        .collect()
}

/// Who attended a meeting, by member id.
pub async fn attendees(conn: &mut Conn, meeting_id: i64) -> Result<Vec<Attendance>> {
    Sql::new("SELECT member_id, status, reason, is_full FROM meeting_attendee WHERE meeting_id = ")
        .bind(meeting_id)
        .push(" ORDER BY member_id")
        .fetch_map(&mut *conn, |r| {
            Ok(from_row!(
                r,
                Attendance {
                    member_id,
                    reason,
                    status: r.coded("status", "出席情况", AttendanceStatus::from_code)?,
                    full: r.flag("is_full")?,
                }
            ))
        })
        .await
}

/// Deletes a meeting in the scope (a correction) and rewrites its month's facts.
/// Returns whether it existed.
pub async fn delete(conn: &mut Conn, scope: &Scope, id: i64) -> Result<bool> {
    let Some(m) = get(conn, scope, id).await? else {
        return Ok(false);
    };
    let venue = crate::venues::venue_of_meeting(conn, id).await?;
    sqlx::query("DELETE FROM meeting_attendee WHERE meeting_id = $1")
        .bind(id)
        .execute(&mut *conn)
        .await?;
    crate::mobile_in::forget_meeting(conn, id).await?;
    sqlx::query("DELETE FROM meeting WHERE id = $1")
        .bind(id)
        .execute(&mut *conn)
        .await?;
    refresh_months(
        conn,
        &[(
            m.branch_id,
            m.branch_path(),
            Period::month_of(m.meeting.date),
        )],
    )
    .await?;
    // The venue it was held at counts one meeting fewer.
    crate::venue_rollup::touch(conn, &venue.into_iter().collect::<Vec<_>>()).await?;
    Ok(true)
}

/// One meeting by id, if it is in the scope.
pub async fn get(conn: &mut Conn, scope: &Scope, id: i64) -> Result<Option<StoredMeeting>> {
    let q = Sql::new(format!("SELECT {COLS} FROM meeting WHERE id = "))
        .bind(id)
        .push(" AND ")
        .sharded_scope("org_path", scope);
    q.fetch_opt_map(&mut *conn, from_row).await
}

/// The meeting with this key (org, kind, date, topic), if recorded.
pub async fn find(
    conn: &mut Conn,
    org_id: i64,
    kind: MeetingKind,
    date: chrono::NaiveDate,
    topic: &str,
) -> Result<Option<StoredMeeting>> {
    Sql::new(format!("SELECT {COLS} FROM meeting WHERE org_id = "))
        .bind(org_id)
        .push(" AND kind = ")
        .bind(kind.code())
        .push(" AND held_on = ")
        .bind(date)
        .push(" AND topic = ")
        .bind(topic)
        .fetch_opt_map(&mut *conn, from_row)
        .await
}

/// The key of a meeting: org, kind, date, topic.
pub type MeetingKey = (i64, MeetingKind, chrono::NaiveDate, String);

/// The keys of the meetings held by `org_ids` between `from` and `to` (inclusive), to
/// tell which rows of a ledger are recorded already.
pub async fn keys(
    conn: &mut Conn,
    org_ids: &[i64],
    from: chrono::NaiveDate,
    to: chrono::NaiveDate,
) -> Result<HashSet<MeetingKey>> {
    let mut out = HashSet::new();
    for chunk in org_ids.chunks(IN_CHUNK) {
        let q = Sql::new("SELECT org_id, kind, held_on, topic FROM meeting WHERE held_on >= ")
            .bind(from)
            .push(" AND held_on <= ")
            .bind(to)
            .push(" AND org_id IN ")
            .in_list(chunk);
        for r in q.fetch_all(&mut *conn).await? {
            let kind: String = r.try_get("kind")?;
            let held: String = r.try_get("held_on")?;
            out.insert((
                r.try_get("org_id")?,
                MeetingKind::from_code(&kind)
                    .ok_or_else(|| StoreError::Corrupt(format!("会议类型 {kind}")))?,
                parse_date_text(&held)?,
                r.try_get("topic")?,
            ));
        }
    }
    Ok(out)
}

/// Meetings in the scope, newest first, optionally within dates and of one branch (with
/// its groups). Returns the page and the total.
pub async fn list(
    conn: &mut Conn,
    scope: &Scope,
    filter: &ListFilter,
    offset: i64,
    limit: i64,
) -> Result<(Vec<StoredMeeting>, i64)> {
    let select = |what: &str| {
        let mut q =
            Sql::new(format!("SELECT {what} FROM meeting WHERE ")).sharded_scope("org_path", scope);
        if let Some(b) = filter.branch_id {
            q = q.push(" AND branch_id = ").bind(b);
        }
        if let Some(f) = filter.from {
            q = q.push(" AND held_on >= ").bind(f);
        }
        if let Some(t) = filter.to {
            q = q.push(" AND held_on <= ").bind(t);
        }
        if let Some(k) = filter.kind {
            q = q
                .push(" AND (',' || kinds || ',') LIKE ")
                .bind(format!("%,{},%", k.code()));
        }
        if let Some(t) = filter.topic.as_deref() {
            q = q.push(" AND topic LIKE ").bind(format!("%{t}%"));
        }
        q
    };
    let columns = (COLS, "held_on DESC, id DESC");
    counted_page(conn, select, columns, (offset, limit), None, from_row).await
}

/// What `list` narrows to.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct ListFilter {
    pub branch_id: Option<i64>,
    pub from: Option<chrono::NaiveDate>,
    pub to: Option<chrono::NaiveDate>,
    pub kind: Option<MeetingKind>,
    /// Words the topic contains.
    pub topic: Option<String>,
}
