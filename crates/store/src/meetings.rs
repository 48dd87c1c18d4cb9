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
use jiceng_domain::{Attendance, AttendanceStatus, Meeting, MeetingKind, OrgKind, Period};
use sqlx::any::AnyRow;
use sqlx::Row;

use crate::row::{from_row, Cells};
use crate::sql::{counted_page, insert_many, Sql, Val, IN_CHUNK};
use crate::{opt_date, parse_date_text, Conn, Result, Scope, StoreError};

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

const WRITE_COLS: [&str; 27] = [
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

/// Records who attended a meeting.
pub async fn insert_attendees(
    conn: &mut Conn,
    meeting_id: i64,
    attendees: &[Attendance],
) -> Result<()> {
    let rows: Vec<Vec<Val>> = attendees
        .iter()
        .map(|a| {
            vec![
                meeting_id.into(),
                a.member_id.into(),
                a.status.code().into(),
                a.reason.clone().into(),
                a.full.into(),
            ]
        })
        .collect();
    insert_many(
        conn,
        "meeting_attendee",
        &["meeting_id", "member_id", "status", "reason", "is_full"],
        &rows,
    )
    .await
}

/// Who attended a meeting, by member id.
pub async fn attendees(conn: &mut Conn, meeting_id: i64) -> Result<Vec<Attendance>> {
    let rows = sqlx::query(
        "SELECT member_id, status, reason, is_full FROM meeting_attendee WHERE meeting_id = $1 ORDER BY member_id",
    )
    .bind(meeting_id)
    .fetch_all(&mut *conn)
    .await?;
    rows.iter()
        .map(|r| {
            let status: String = r.try_get("status")?;
            Ok(Attendance {
                member_id: r.try_get("member_id")?,
                status: AttendanceStatus::from_code(&status)
                    .ok_or_else(|| StoreError::Corrupt(format!("出席情况 {status}")))?,
                reason: r.try_get("reason")?,
                full: r.flag("is_full")?,
            })
        })
        .collect()
}

/// Deletes a meeting in the scope (a correction) and rewrites its month's facts.
/// Returns whether it existed.
pub async fn delete(conn: &mut Conn, scope: &Scope, id: i64) -> Result<bool> {
    let Some(m) = get(conn, scope, id).await? else {
        return Ok(false);
    };
    sqlx::query("DELETE FROM meeting_attendee WHERE meeting_id = $1")
        .bind(id)
        .execute(&mut *conn)
        .await?;
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
    Ok(true)
}

/// One meeting by id, if it is in the scope.
pub async fn get(conn: &mut Conn, scope: &Scope, id: i64) -> Result<Option<StoredMeeting>> {
    let q = Sql::new(format!("SELECT {COLS} FROM meeting WHERE id = "))
        .bind(id)
        .push(" AND ")
        .scope("org_path", scope);
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
        let mut q = Sql::new(format!("SELECT {what} FROM meeting WHERE ")).scope("org_path", scope);
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
}

/// The stored facts of one branch in one month.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct MonthFacts {
    pub branch_id: i64,
    pub branch_path: String,
    pub year: i32,
    pub month: u32,
    pub tally: MonthTally,
    pub meetings: i64,
    pub expected: i64,
    pub present: i64,
    pub masses_present: i64,
    /// Meetings whose 群众参与人数 was recorded (the rest are unknown, not 0).
    pub masses_recorded: i64,
    pub votes: i64,
    pub quorum_failed: i64,
}

const KIND_COLS: [(MeetingKind, &str); 7] = [
    (MeetingKind::GeneralMeeting, "general_meetings"),
    (MeetingKind::CommitteeMeeting, "committee_meetings"),
    (MeetingKind::GroupMeeting, "group_meetings"),
    (MeetingKind::PartyLecture, "party_lectures"),
    (MeetingKind::ThemeDay, "theme_days"),
    (MeetingKind::LifeMeeting, "life_meetings"),
    (MeetingKind::DemocraticEvaluation, "democratic_evaluations"),
];

const MONTH_COLS: &str = "branch_id, branch_path, year_month, general_meetings, committee_meetings, \
    group_meetings, party_lectures, theme_days, life_meetings, democratic_evaluations, group_counts, \
    meetings, expected, present, masses_present, votes, quorum_failed, prior_year, masses_recorded";

/// Reads a row of `MONTH_COLS` by position (a province's year is millions of rows).
fn month_from_row(row: &AnyRow) -> Result<MonthFacts> {
    let ym: String = row.try_get(2)?;
    let (year, month) = parse_year_month(&ym)?;
    let mut tally = MonthTally::default();
    for (i, (k, _)) in KIND_COLS.iter().enumerate() {
        tally.by_kind[k.index()] = row.try_get(3 + i)?;
    }
    let groups: String = row.try_get(10)?;
    if groups != "{}" {
        tally.groups = serde_json::from_str::<BTreeMap<i64, i64>>(&groups)
            .map_err(|e| StoreError::Corrupt(format!("党小组会次数：{e}")))?;
    }
    let prior: String = row.try_get(17)?;
    if prior != "{}" {
        let by: BTreeMap<String, i64> = serde_json::from_str(&prior)
            .map_err(|e| StoreError::Corrupt(format!("上一年度会议次数：{e}")))?;
        for (code, n) in by {
            let k = MeetingKind::from_code(&code)
                .ok_or_else(|| StoreError::Corrupt(format!("会议类型 {code}")))?;
            tally.prior_year[k.index()] = n;
        }
    }
    tally.meetings = row.try_get(11)?;
    Ok(MonthFacts {
        branch_id: row.try_get(0)?,
        branch_path: row.try_get(1)?,
        year,
        month,
        tally,
        masses_recorded: row.try_get(18)?,
        meetings: row.try_get(11)?,
        expected: row.try_get(12)?,
        present: row.try_get(13)?,
        masses_present: row.try_get(14)?,
        votes: row.try_get(15)?,
        quorum_failed: row.try_get(16)?,
    })
}

fn month_vals(f: &MonthFacts, now: &str) -> Vec<Val> {
    let mut v: Vec<Val> = vec![
        f.branch_id.into(),
        f.branch_path.clone().into(),
        format!("{:04}-{:02}", f.year, f.month).into(),
    ];
    for (k, _) in KIND_COLS {
        v.push(f.tally.by_kind[k.index()].into());
    }
    v.push(
        serde_json::to_string(&f.tally.groups)
            .expect("a map serializes")
            .into(),
    );
    v.extend([
        f.meetings.into(),
        f.expected.into(),
        f.present.into(),
        f.masses_present.into(),
        f.votes.into(),
        f.quorum_failed.into(),
        now.to_string().into(),
        prior_text(&f.tally).into(),
        f.masses_recorded.into(),
    ]);
    v
}

fn prior_text(t: &MonthTally) -> String {
    let by: BTreeMap<&str, i64> = MeetingKind::ALL
        .iter()
        .filter(|k| t.prior_year[k.index()] > 0)
        .map(|k| (k.code(), t.prior_year[k.index()]))
        .collect();
    serde_json::to_string(&by).expect("a map serializes")
}

async fn write_months(conn: &mut Conn, facts: &[MonthFacts]) -> Result<()> {
    let now = crate::now_text();
    let mut cols: Vec<&str> = vec!["branch_id", "branch_path", "year_month"];
    cols.extend(KIND_COLS.iter().map(|(_, c)| *c));
    cols.extend([
        "group_counts",
        "meetings",
        "expected",
        "present",
        "masses_present",
        "votes",
        "quorum_failed",
        "updated_at",
        "prior_year",
        "masses_recorded",
    ]);
    let rows: Vec<Vec<Val>> = facts
        .iter()
        .filter(|f| f.meetings > 0)
        .map(|f| month_vals(f, &now))
        .collect();
    insert_many(conn, "compliance_month", &cols, &rows).await
}

/// The per-meeting aggregate both recounts read: by kinds, 所属年度 and holding org.
const AGG: &str = "kinds, for_year, org_id, COUNT(*) AS n, CAST(SUM(expected) AS BIGINT) AS e, \
    CAST(SUM(present) AS BIGINT) AS p, CAST(COALESCE(SUM(masses_present), 0) AS BIGINT) AS mp, \
    CAST(SUM(CASE WHEN masses_present IS NULL THEN 0 ELSE 1 END) AS BIGINT) AS mr, \
    CAST(SUM(votes) AS BIGINT) AS v, \
    CAST(SUM(CASE WHEN quorum_ok = 0 THEN 1 ELSE 0 END) AS BIGINT) AS qf";

fn add_agg(f: &mut MonthFacts, row: &AnyRow) -> Result<()> {
    let kinds: String = row.try_get("kinds")?;
    let kinds = parse_kinds(&kinds)?;
    let for_year: Option<i64> = row.try_get("for_year")?;
    let prior = for_year.is_some_and(|y| y < i64::from(f.year));
    let org_id: i64 = row.try_get("org_id")?;
    let n: i64 = row.try_get("n")?;
    for kind in kinds {
        f.tally.by_kind[kind.index()] += n;
        if prior {
            f.tally.prior_year[kind.index()] += n;
        }
        if kind == MeetingKind::GroupMeeting {
            *f.tally.groups.entry(org_id).or_default() += n;
        }
    }
    f.tally.meetings += n;
    f.meetings += n;
    f.masses_recorded += row.try_get::<i64, _>("mr")?;
    f.expected += row.try_get::<i64, _>("e")?;
    f.present += row.try_get::<i64, _>("p")?;
    f.masses_present += row.try_get::<i64, _>("mp")?;
    f.votes += row.try_get::<i64, _>("v")?;
    f.quorum_failed += row.try_get::<i64, _>("qf")?;
    Ok(())
}

/// Recounts the stored facts of the touched (branch, branch path, month)s from the
/// meetings. Batched: for each chunk of branches one delete and one grouped read over the
/// months from the earliest touched to the latest (every month in between is recounted
/// too, which is the same recount), so a ledger of thousands of rows costs a few queries.
pub async fn refresh_months(conn: &mut Conn, touched: &[(i64, String, Period)]) -> Result<()> {
    if touched.is_empty() {
        return Ok(());
    }
    let mut paths: BTreeMap<i64, String> = BTreeMap::new();
    let (mut from, mut to) = (touched[0].2.first_day(), touched[0].2.last_day());
    for (branch, branch_path, month) in touched {
        if month.month_key().is_none() {
            return Err(StoreError::Corrupt(format!("不是月份：{month}")));
        }
        paths.insert(*branch, branch_path.clone());
        from = from.min(month.first_day());
        to = to.max(month.last_day());
    }
    let (from_key, to_key) = (
        Period::month_of(from).month_key().expect("a month"),
        Period::month_of(to).month_key().expect("a month"),
    );
    let ids: Vec<i64> = paths.keys().copied().collect();
    // Two meetings of one branch and month recorded at once take turns here, so the
    // second recount sees the first meeting and its rows (PostgreSQL; SQLite's write
    // transactions hold the only write lock already).
    crate::sql::lock_orgs(conn, &ids).await?;
    for chunk in ids.chunks(IN_CHUNK) {
        Sql::new("DELETE FROM compliance_month WHERE year_month >= ")
            .bind(from_key.as_str())
            .push(" AND year_month <= ")
            .bind(to_key.as_str())
            .push(" AND branch_id IN ")
            .in_list(chunk)
            .execute(&mut *conn)
            .await?;
        let q = Sql::new(format!(
            "SELECT branch_id, SUBSTR(held_on, 1, 7) AS ym, {AGG} FROM meeting WHERE held_on >= "
        ))
        .bind(from)
        .push(" AND held_on <= ")
        .bind(to)
        .push(" AND branch_id IN ")
        .in_list(chunk)
        .push(" GROUP BY branch_id, SUBSTR(held_on, 1, 7), kinds, for_year, org_id");
        let mut facts: BTreeMap<(i64, String), MonthFacts> = BTreeMap::new();
        for r in q.fetch_all(&mut *conn).await? {
            let branch: i64 = r.try_get("branch_id")?;
            let ym: String = r.try_get("ym")?;
            let f = match facts.entry((branch, ym.clone())) {
                std::collections::btree_map::Entry::Occupied(e) => e.into_mut(),
                std::collections::btree_map::Entry::Vacant(e) => {
                    let (year, month) = parse_year_month(&ym)?;
                    e.insert(MonthFacts {
                        branch_id: branch,
                        branch_path: paths[&branch].clone(),
                        year,
                        month,
                        ..Default::default()
                    })
                }
            };
            add_agg(f, &r)?;
        }
        let facts: Vec<MonthFacts> = facts.into_values().collect();
        write_months(conn, &facts).await?;
    }
    Ok(())
}

fn parse_year_month(ym: &str) -> Result<(i32, u32)> {
    let bad = || StoreError::Corrupt(format!("年月 {ym}"));
    let (y, m) = ym.split_once('-').ok_or_else(bad)?;
    let (y, m): (i32, u32) = (y.parse().map_err(|_| bad())?, m.parse().map_err(|_| bad())?);
    if !(1..=12).contains(&m) {
        return Err(bad());
    }
    Ok((y, m))
}

/// Rebuilds every monthly fact of the branches in `scope` from the meetings (after a
/// restore, a bulk load, or an org moved). Returns the rows written.
pub async fn rebuild(conn: &mut Conn, scope: &Scope) -> Result<usize> {
    Sql::new("DELETE FROM compliance_month WHERE ")
        .scope("branch_path", scope)
        .execute(&mut *conn)
        .await?;
    let q = Sql::new(format!(
        "SELECT branch_id, SUBSTR(held_on, 1, 7) AS ym, org_path, {AGG} FROM meeting WHERE "
    ))
    .scope("org_path", scope)
    .push(" GROUP BY branch_id, SUBSTR(held_on, 1, 7), org_path, kinds, for_year, org_id");
    let mut facts: BTreeMap<(i64, String), MonthFacts> = BTreeMap::new();
    for r in q.fetch_all(&mut *conn).await? {
        let branch: i64 = r.try_get("branch_id")?;
        let org_id: i64 = r.try_get("org_id")?;
        let ym: String = r.try_get("ym")?;
        let org_path: String = r.try_get("org_path")?;
        let (year, month) = parse_year_month(&ym)?;
        let f = facts
            .entry((branch, ym.clone()))
            .or_insert_with(|| MonthFacts {
                branch_id: branch,
                branch_path: if org_id == branch {
                    org_path.clone()
                } else {
                    parent_path(&org_path)
                },
                year,
                month,
                ..Default::default()
            });
        add_agg(f, &r)?;
    }
    let facts: Vec<MonthFacts> = facts.into_values().collect();
    // Only rows of branches in the scope were deleted above.
    let facts: Vec<MonthFacts> = facts
        .into_iter()
        .filter(|f| scope.contains(&f.branch_path))
        .collect();
    write_months(conn, &facts).await?;
    Ok(facts.len())
}

/// The stored facts of the branches in `scope` for each of `months` (one indexed read per
/// month: equality on the month, literal range on the path).
pub async fn month_facts(
    conn: &mut Conn,
    scope: &Scope,
    months: &[Period],
) -> Result<Vec<MonthFacts>> {
    let keys: Vec<String> = months
        .iter()
        .map(|m| {
            m.month_key()
                .ok_or_else(|| StoreError::Corrupt(format!("不是月份：{m}")))
        })
        .collect::<Result<_>>()?;
    if keys.is_empty() {
        return Ok(vec![]);
    }
    // One statement for all the months (an index range per month, in month order): a
    // township's diagnosis reads 18 months, and each statement costs a round trip.
    let q = Sql::new(format!(
        "SELECT {MONTH_COLS} FROM compliance_month WHERE year_month IN "
    ))
    .in_list(keys)
    .push(" AND ")
    .scope("branch_path", scope);
    q.fetch_map(&mut *conn, month_from_row).await
}

/// The stored facts of one branch for `months`.
pub async fn branch_month_facts(
    conn: &mut Conn,
    branch_id: i64,
    months: &[Period],
) -> Result<Vec<MonthFacts>> {
    let keys: Vec<String> = months.iter().filter_map(|m| m.month_key()).collect();
    if keys.is_empty() {
        return Ok(vec![]);
    }
    let q = Sql::new(format!(
        "SELECT {MONTH_COLS} FROM compliance_month WHERE branch_id = "
    ))
    .bind(branch_id)
    .push(" AND year_month IN ")
    .in_list(keys)
    .push(" ORDER BY year_month");
    q.fetch_map(&mut *conn, month_from_row).await
}

/// A branch or group as compliance needs it: a lean row of `org`.
#[derive(Debug, Clone, PartialEq)]
pub struct LifeOrg {
    pub id: i64,
    pub parent_id: Option<i64>,
    pub code: String,
    pub name: String,
    pub kind: OrgKind,
    pub path: String,
    pub has_committee: bool,
    pub founded_on: Option<chrono::NaiveDate>,
    pub dissolved_on: Option<chrono::NaiveDate>,
    /// The effective records start: `org.records_from`, else the first day of the month
    /// of the earliest stored month with meetings; `None`: no records.
    pub records_from: Option<chrono::NaiveDate>,
    /// A 临时党支部.
    pub temporary: bool,
    /// `org.committee` (today's state, 'yes'/'no'; `None` unknown): read only where no
    /// dated committee event is recorded.
    pub committee: Option<bool>,
}

/// The branches and groups of the scope, in path order.
pub async fn branches_and_groups(conn: &mut Conn, scope: &Scope) -> Result<Vec<LifeOrg>> {
    let q = Sql::new(
        "SELECT id, parent_id, code, name, kind, path, has_committee, founded_on, dissolved_on, \
         records_from, temporary, committee, \
         (SELECT MIN(c.year_month) FROM compliance_month c WHERE c.branch_id = org.id) AS first_month \
         FROM org WHERE ",
    )
    .scope("path", scope)
    .push(" AND kind IN ('Branch', 'Group') ORDER BY path");
    q.fetch_all(&mut *conn)
        .await?
        .iter()
        .map(|r| {
            let kind: String = r.try_get("kind")?;
            Ok(from_row!(
                r,
                LifeOrg {
                    id,
                    parent_id,
                    code,
                    name,
                    kind: OrgKind::from_code(&kind)
                        .ok_or_else(|| StoreError::Corrupt(format!("组织类别 {kind}")))?,
                    path,
                    has_committee: r.flag("has_committee")?,
                    founded_on: r.opt_date("founded_on")?,
                    dissolved_on: r.opt_date("dissolved_on")?,
                    records_from: match opt_date(r.try_get("records_from")?)? {
                        Some(d) => Some(d),
                        None => r
                            .try_get::<Option<String>, _>("first_month")?
                            .map(|ym| {
                                let (y, m) = parse_year_month(&ym)?;
                                Ok::<_, StoreError>(Period::Month(y, m).first_day())
                            })
                            .transpose()?,
                    },
                    temporary: r.flag("temporary")?,
                    committee: match r.try_get::<Option<String>, _>("committee")?.as_deref() {
                        Some("yes") => Some(true),
                        Some("no") => Some(false),
                        _ => None,
                    },
                }
            ))
        })
        .collect()
}

/// Compliance of one org's subtree in one period, as a refresh stored it.
#[derive(Debug, Clone, PartialEq)]
pub struct Summary {
    pub org_id: i64,
    pub org_path: String,
    pub period: Period,
    pub branches: i64,
    pub compliant: i64,
    pub held_nothing: i64,
    pub meetings: i64,
    pub expected: i64,
    pub present: i64,
    pub quorum_failed: i64,
    /// When the refresh ran (UTC, ISO 8601).
    pub computed_at: String,
    /// The figures count spans closed by this day (截至…已结束的周期); `None`: none.
    pub judged_through: Option<chrono::NaiveDate>,
}

const SUMMARY_COLS: [&str; 12] = [
    "org_id",
    "org_path",
    "period",
    "branches",
    "compliant",
    "held_nothing",
    "meetings",
    "expected",
    "present",
    "quorum_failed",
    "computed_at",
    "judged_through",
];

/// Replaces the stored summaries of `period` for every org in `scope` with `rows`.
pub async fn replace_summaries(
    conn: &mut Conn,
    scope: &Scope,
    period: Period,
    rows: &[Summary],
) -> Result<()> {
    Sql::new("DELETE FROM compliance_summary WHERE period = ")
        .bind(period.to_string())
        .push(" AND ")
        .scope("org_path", scope)
        .execute(&mut *conn)
        .await?;
    let vals: Vec<Vec<Val>> = rows
        .iter()
        .map(|s| {
            vec![
                s.org_id.into(),
                s.org_path.clone().into(),
                s.period.to_string().into(),
                s.branches.into(),
                s.compliant.into(),
                s.held_nothing.into(),
                s.meetings.into(),
                s.expected.into(),
                s.present.into(),
                s.quorum_failed.into(),
                s.computed_at.clone().into(),
                s.judged_through.map(crate::date_text).into(),
            ]
        })
        .collect();
    insert_many(conn, "compliance_summary", &SUMMARY_COLS, &vals).await
}

/// The stored summaries of `period` for these orgs (those that have one).
pub async fn summaries(conn: &mut Conn, period: Period, org_ids: &[i64]) -> Result<Vec<Summary>> {
    let mut out = Vec::new();
    for chunk in org_ids.chunks(IN_CHUNK) {
        let q = Sql::new(format!(
            "SELECT {} FROM compliance_summary WHERE period = ",
            SUMMARY_COLS.join(", ")
        ))
        .bind(period.to_string())
        .push(" AND org_id IN ")
        .in_list(chunk);
        for r in q.fetch_all(&mut *conn).await? {
            let p: String = r.try_get("period")?;
            out.push(from_row!(
                r,
                Summary {
                    org_id,
                    org_path,
                    period: Period::parse(&p).map_err(StoreError::Corrupt)?,
                    branches,
                    compliant,
                    held_nothing,
                    meetings,
                    expected,
                    present,
                    quorum_failed,
                    computed_at,
                    judged_through: r.opt_date("judged_through")?,
                }
            ));
        }
    }
    Ok(out)
}
