//! 党员教育培训学时 (issue #15, point 5; migration 0026): trainings (`training`, with the
//! recording org's path), who attended with the hours credited (`training_attendance`),
//! each org's subtree tally per year (`training_tally`), and the party-building staff of
//! an org (`org_staff`: 组织员, 党建指导员 …).
//!
//! [`refresh`] recomputes the tallies of touched orgs and all their ancestors for one
//! year, deepest first, from their own members and the stored tallies of their untouched
//! children, in the writer's transaction (as `recruitment::tally` does) — so an overview
//! of a province reads one row per org it lists. `facts::refresh` calls it for the facts
//! day's year, so a roster change (a member in, out, moved, a position) is counted too.

use std::collections::{HashMap, HashSet};

use chrono::NaiveDate;
use jiceng_domain::training::{self as rule, MemberYear, Tally};
use jiceng_domain::{path, OrgKind, PositionKind, RuleBook};
use sqlx::any::AnyRow;
use sqlx::Row;

use crate::row::{from_row, Cells};
use crate::sql::{insert_many, lock_orgs, update_row, Sql, Val, IN_CHUNK};
use crate::{orgs, positions, Conn, Result, Scope, StoreError};

/// A training as stored.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StoredTraining {
    pub id: i64,
    pub org_id: i64,
    pub org_path: String,
    pub year: i32,
    pub title: String,
    pub organiser: String,
    pub starts_on: NaiveDate,
    pub ends_on: NaiveDate,
    /// Tenths of 学时.
    pub hours: i64,
    /// `in_person` or `online` (`training::Mode::code`).
    pub mode: String,
    pub recorded_by: String,
    pub recorded_at: String,
}

const COLS: [&str; 12] = [
    "id",
    "org_id",
    "org_path",
    "year",
    "title",
    "organiser",
    "starts_on",
    "ends_on",
    "hours",
    "mode",
    "recorded_by",
    "recorded_at",
];

fn vals(t: &StoredTraining) -> Vec<Val> {
    vec![
        t.id.into(),
        t.org_id.into(),
        t.org_path.clone().into(),
        i64::from(t.year).into(),
        t.title.clone().into(),
        t.organiser.clone().into(),
        t.starts_on.into(),
        t.ends_on.into(),
        t.hours.into(),
        t.mode.clone().into(),
        t.recorded_by.clone().into(),
        t.recorded_at.clone().into(),
    ]
}

fn from_row(r: &AnyRow) -> Result<StoredTraining> {
    Ok(from_row!(
        r,
        StoredTraining {
            id,
            org_id,
            org_path,
            year: r.year()?,
            title,
            organiser,
            starts_on: r.date("starts_on")?,
            ends_on: r.date("ends_on")?,
            hours,
            mode,
            recorded_by,
            recorded_at,
        }
    ))
}

fn cols(prefix: &str) -> String {
    COLS.iter()
        .map(|c| format!("{prefix}{c}"))
        .collect::<Vec<_>>()
        .join(", ")
}

/// Writes a training and its attendees (member id, tenths).
pub async fn insert(conn: &mut Conn, t: &StoredTraining, attendees: &[(i64, i64)]) -> Result<()> {
    insert_many(conn, "training", &COLS, &[vals(t)]).await?;
    let rows: Vec<Vec<Val>> = attendees
        .iter()
        .map(|(m, h)| {
            vec![
                t.id.into(),
                (*m).into(),
                i64::from(t.year).into(),
                (*h).into(),
            ]
        })
        .collect();
    insert_many(
        conn,
        "training_attendance",
        &["training_id", "member_id", "year", "hours"],
        &rows,
    )
    .await
}

/// The training `id` if its org lies in `scope`.
pub async fn get(conn: &mut Conn, scope: &Scope, id: i64) -> Result<Option<StoredTraining>> {
    Sql::new(format!("SELECT {} FROM training WHERE id = ", cols("")))
        .bind(id)
        .push(" AND ")
        .scope("org_path", scope)
        .fetch_opt_map(&mut *conn, from_row)
        .await
}

/// The training of `org_id` that starts on `starts_on` with `title` (the key that makes a
/// sign-in list imported twice add nothing).
pub async fn find(
    conn: &mut Conn,
    org_id: i64,
    starts_on: NaiveDate,
    title: &str,
) -> Result<Option<StoredTraining>> {
    Sql::new(format!("SELECT {} FROM training WHERE org_id = ", cols("")))
        .bind(org_id)
        .push(" AND starts_on = ")
        .bind(starts_on)
        .push(" AND title = ")
        .bind(title)
        .fetch_opt_map(&mut *conn, from_row)
        .await
}

/// A training with how many attended.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Listed {
    pub training: StoredTraining,
    pub attendees: i64,
}

/// The trainings recorded by the orgs of `scope` in `year`, newest first, at most `limit`.
pub async fn in_scope(
    conn: &mut Conn,
    scope: &Scope,
    year: i32,
    limit: i64,
) -> Result<Vec<Listed>> {
    let rows = Sql::new(format!(
        "SELECT {}, (SELECT COUNT(*) FROM training_attendance a WHERE a.training_id = t.id) \
         AS n FROM training t WHERE t.year = ",
        cols("t.")
    ))
    .bind(i64::from(year))
    .push(" AND ")
    .scope("t.org_path", scope)
    .push(" ORDER BY t.starts_on DESC, t.id DESC")
    .page(limit, 0)
    .fetch_all(&mut *conn)
    .await?;
    rows.iter()
        .map(|r| {
            Ok(Listed {
                training: from_row(r)?,
                attendees: r.try_get("n")?,
            })
        })
        .collect()
}

/// The attendees of a training: member id and tenths credited.
pub async fn attendees(conn: &mut Conn, training_id: i64) -> Result<Vec<(i64, i64)>> {
    let rows = Sql::new("SELECT member_id, hours FROM training_attendance WHERE training_id = ")
        .bind(training_id)
        .push(" ORDER BY member_id")
        .fetch_all(&mut *conn)
        .await?;
    rows.iter()
        .map(|r| Ok((r.try_get("member_id")?, r.try_get("hours")?)))
        .collect()
}

/// A member's trainings with the tenths credited, newest first.
pub async fn of_member(conn: &mut Conn, member_id: i64) -> Result<Vec<(StoredTraining, i64)>> {
    let rows = Sql::new(format!(
        "SELECT {}, a.hours AS credited FROM training_attendance a \
         JOIN training t ON t.id = a.training_id WHERE a.member_id = ",
        cols("t.")
    ))
    .bind(member_id)
    .push(" ORDER BY t.starts_on DESC, t.id DESC")
    .fetch_all(&mut *conn)
    .await?;
    rows.iter()
        .map(|r| Ok((from_row(r)?, r.try_get("credited")?)))
        .collect()
}

/// The tenths of `members` in `year`, by member (a member without hours is absent).
pub async fn hours_of(conn: &mut Conn, members: &[i64], year: i32) -> Result<HashMap<i64, i64>> {
    let mut out = HashMap::new();
    for chunk in members.chunks(IN_CHUNK) {
        let q = Sql::new(
            "SELECT member_id, CAST(SUM(hours) AS BIGINT) AS h FROM training_attendance \
             WHERE year = ",
        )
        .bind(i64::from(year))
        .push(" AND member_id IN ")
        .in_list(chunk)
        .push(" GROUP BY member_id");
        for r in q.fetch_all(&mut *conn).await? {
            out.insert(r.try_get("member_id")?, r.try_get("h")?);
        }
    }
    Ok(out)
}

/// A current member with their hours of a year and what they owe.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PersonYear {
    pub member_id: i64,
    pub name: String,
    pub id_masked: String,
    pub org_id: i64,
    pub org_path: String,
    pub year: MemberYear,
    /// Tenths owed by the rules of the year.
    pub required: i64,
}

const PERSON: &str = "SELECT m.id, m.name, m.id_masked, m.org_id, m.org_path, o.kind AS org_kind \
                      FROM member m JOIN org o ON o.id = m.org_id WHERE m.exited_on IS NULL AND ";

/// The members of the rows `rows` (read with [`PERSON`]) with their hours and positions
/// in `year`: three reads, chunked.
async fn people_of(
    conn: &mut Conn,
    rules: &RuleBook,
    rows: &[AnyRow],
    year: i32,
) -> Result<Vec<PersonYear>> {
    let ids: Vec<i64> = rows
        .iter()
        .map(|r| r.try_get("id"))
        .collect::<std::result::Result<_, _>>()?;
    let hours = hours_of(conn, &ids, year).await?;
    let mut leading: HashSet<i64> = HashSet::new();
    let mut secretary: HashSet<(i64, i64)> = HashSet::new();
    for chunk in ids.chunks(IN_CHUNK) {
        for p in positions::of_members(conn, chunk).await? {
            if !rule::held_in(year, p.started_on, p.ended_on) {
                continue;
            }
            if rule::is_leading(p.kind) {
                leading.insert(p.member_id);
            }
            if p.kind == PositionKind::Secretary {
                secretary.insert((p.member_id, p.org_id));
            }
        }
    }
    let (member_req, leading_req) = (
        rule::required_tenths(rules, year, false),
        rule::required_tenths(rules, year, true),
    );
    rows.iter()
        .map(|r| {
            let id: i64 = r.try_get("id")?;
            let org_id: i64 = r.try_get("org_id")?;
            let kind: String = r.try_get("org_kind")?;
            let is_leading = leading.contains(&id);
            let year_facts = MemberYear {
                hours: hours.get(&id).copied().unwrap_or(0),
                leading: is_leading,
                branch_secretary: kind == OrgKind::Branch.code()
                    && secretary.contains(&(id, org_id)),
            };
            Ok(PersonYear {
                member_id: id,
                name: r.try_get("name")?,
                id_masked: r.try_get("id_masked")?,
                org_id,
                org_path: r.try_get("org_path")?,
                year: year_facts,
                required: if is_leading { leading_req } else { member_req },
            })
        })
        .collect()
}

/// A page of the current members of `scope` in tree order (`org_path`, id) with their
/// hours of `year` and what they owe.
pub async fn people(
    conn: &mut Conn,
    rules: &RuleBook,
    scope: &Scope,
    year: i32,
    (limit, offset): (i64, i64),
) -> Result<Vec<PersonYear>> {
    let rows = Sql::new(PERSON)
        .scope("m.org_path", scope)
        .push(" ORDER BY m.org_path, m.id")
        .page(limit, offset)
        .fetch_all(&mut *conn)
        .await?;
    people_of(conn, rules, &rows, year).await
}

/// One member with their hours of `year` (`None`: not a current member).
pub async fn person(
    conn: &mut Conn,
    rules: &RuleBook,
    member_id: i64,
    year: i32,
) -> Result<Option<PersonYear>> {
    let rows = Sql::new(PERSON)
        .push("m.id = ")
        .bind(member_id)
        .fetch_all(&mut *conn)
        .await?;
    Ok(people_of(conn, rules, &rows, year).await?.pop())
}

/// Recomputes the tallies of `year` of the `touched` orgs and all their ancestors. Answers
/// how many orgs' tallies were written.
pub async fn refresh(
    conn: &mut Conn,
    rules: &RuleBook,
    touched: &[i64],
    year: i32,
) -> Result<usize> {
    if touched.is_empty() {
        return Ok(0);
    }
    let mut set: HashSet<i64> = HashSet::new();
    for o in orgs::by_ids(conn, touched).await? {
        set.extend(path::ids(&o.path));
    }
    let ids: Vec<i64> = set.iter().copied().collect();
    lock_orgs(conn, &ids).await?;
    let all = orgs::by_ids(conn, &ids).await?;
    let paths: Vec<String> = all.iter().map(|o| o.path.clone()).collect();
    let mut direct: HashMap<i64, Tally> = HashMap::new();
    for chunk in paths.chunks(IN_CHUNK) {
        let rows = Sql::new(PERSON)
            .push("m.org_path IN ")
            .in_list(chunk.iter().cloned())
            .fetch_all(&mut *conn)
            .await?;
        for p in people_of(conn, rules, &rows, year).await? {
            direct.entry(p.org_id).or_default().add(&p.year, p.required);
        }
    }
    // An org none of whose own members has any hours recorded nothing: 暂无数据.
    for t in direct.values_mut() {
        t.unrecorded_if_empty();
    }
    // The untouched children's stored tallies (as `recruitment::tally::refresh` reads them).
    let mut parent_of: HashMap<i64, i64> = HashMap::new();
    for chunk in ids.chunks(IN_CHUNK) {
        let q = Sql::new("SELECT id, parent_id FROM org WHERE parent_id IN ").in_list(chunk);
        for r in q.fetch_all(&mut *conn).await? {
            let id: i64 = r.try_get("id")?;
            if !set.contains(&id) {
                parent_of.insert(id, r.try_get("parent_id")?);
            }
        }
    }
    let kids: Vec<i64> = parent_of.keys().copied().collect();
    for (id, t) in stored(conn, &kids, year).await? {
        direct.entry(parent_of[&id]).or_default().merge(&t);
    }
    // Deepest first, each node's subtree added to its parent's.
    let mut nodes: Vec<(i64, Option<i64>, i64)> = all
        .iter()
        .map(|o| (o.org.id, o.org.parent_id, o.depth))
        .collect();
    nodes.sort_by_key(|n| std::cmp::Reverse(n.2));
    for (id, parent, _) in &nodes {
        let Some(parent) = parent.filter(|p| set.contains(p)) else {
            continue;
        };
        if let Some(mine) = direct.get(id).copied() {
            direct.entry(parent).or_default().merge(&mine);
        }
    }
    write(conn, &ids, year, &direct).await?;
    Ok(ids.len())
}

/// Writes the tallies of `ids` for `year` (each replaced; an empty tally is no row).
async fn write(
    conn: &mut Conn,
    ids: &[i64],
    year: i32,
    tallies: &HashMap<i64, Tally>,
) -> Result<()> {
    for chunk in ids.chunks(IN_CHUNK) {
        Sql::new("DELETE FROM training_tally WHERE year = ")
            .bind(i64::from(year))
            .push(" AND org_id IN ")
            .in_list(chunk)
            .execute(&mut *conn)
            .await?;
    }
    let now = crate::now_text();
    let mut rows: Vec<Vec<Val>> = Vec::new();
    for id in ids {
        let Some(t) = tallies.get(id).filter(|t| **t != Tally::default()) else {
            continue;
        };
        let json = serde_json::to_string(t).map_err(|e| StoreError::Corrupt(e.to_string()))?;
        rows.push(vec![
            (*id).into(),
            i64::from(year).into(),
            json.into(),
            now.clone().into(),
        ]);
    }
    insert_many(
        conn,
        "training_tally",
        &["org_id", "year", "tally", "computed_at"],
        &rows,
    )
    .await
}

/// The stored tallies of `ids` for `year` (an org without one has no member in its subtree).
pub async fn stored(conn: &mut Conn, ids: &[i64], year: i32) -> Result<HashMap<i64, Tally>> {
    let mut out = HashMap::with_capacity(ids.len());
    for chunk in ids.chunks(IN_CHUNK) {
        let q = Sql::new("SELECT org_id, tally FROM training_tally WHERE year = ")
            .bind(i64::from(year))
            .push(" AND org_id IN ")
            .in_list(chunk);
        for r in q.fetch_all(&mut *conn).await? {
            let json: String = r.try_get("tally")?;
            let t: Tally =
                serde_json::from_str(&json).map_err(|e| StoreError::Corrupt(e.to_string()))?;
            out.insert(r.try_get("org_id")?, t);
        }
    }
    Ok(out)
}

/// The stored tally of one org's subtree for `year` (empty when nobody is in it).
pub async fn tally(conn: &mut Conn, org_id: i64, year: i32) -> Result<Tally> {
    Ok(stored(conn, &[org_id], year)
        .await?
        .remove(&org_id)
        .unwrap_or_default())
}

/// A party-building staff member of an org (组织员, 党建指导员 …).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StoredStaff {
    pub id: i64,
    pub org_id: i64,
    pub org_path: String,
    pub name: String,
    pub member_id: Option<i64>,
    /// `StaffRole::code`.
    pub role: String,
    pub since: NaiveDate,
    pub until: Option<NaiveDate>,
    pub recorded_by: String,
    pub recorded_at: String,
}

const STAFF_COLS: [&str; 10] = [
    "id",
    "org_id",
    "org_path",
    "name",
    "member_id",
    "role",
    "since",
    "until",
    "recorded_by",
    "recorded_at",
];

fn staff_vals(s: &StoredStaff) -> Vec<Val> {
    vec![
        s.id.into(),
        s.org_id.into(),
        s.org_path.clone().into(),
        s.name.clone().into(),
        s.member_id.into(),
        s.role.clone().into(),
        s.since.into(),
        s.until.into(),
        s.recorded_by.clone().into(),
        s.recorded_at.clone().into(),
    ]
}

fn staff_from_row(r: &AnyRow) -> Result<StoredStaff> {
    Ok(from_row!(
        r,
        StoredStaff {
            id,
            org_id,
            org_path,
            name,
            member_id,
            role,
            since: r.date("since")?,
            until: r.opt_date("until")?,
            recorded_by,
            recorded_at,
        }
    ))
}

pub async fn insert_staff(conn: &mut Conn, s: &StoredStaff) -> Result<()> {
    insert_many(conn, "org_staff", &STAFF_COLS, &[staff_vals(s)]).await
}

pub async fn update_staff(conn: &mut Conn, s: &StoredStaff) -> Result<()> {
    update_row(conn, "org_staff", &STAFF_COLS, staff_vals(s)).await?;
    Ok(())
}

/// The staff of the orgs of `scope` (in post or not), in tree order.
pub async fn staff_in_scope(conn: &mut Conn, scope: &Scope) -> Result<Vec<StoredStaff>> {
    Sql::new(format!(
        "SELECT {} FROM org_staff WHERE ",
        STAFF_COLS.join(", ")
    ))
    .scope("org_path", scope)
    .push(" ORDER BY org_path, since, id")
    .fetch_map(&mut *conn, staff_from_row)
    .await
}

/// The staff member `id` if their org lies in `scope`.
pub async fn staff_get(conn: &mut Conn, scope: &Scope, id: i64) -> Result<Option<StoredStaff>> {
    Sql::new(format!(
        "SELECT {} FROM org_staff WHERE id = ",
        STAFF_COLS.join(", ")
    ))
    .bind(id)
    .push(" AND ")
    .scope("org_path", scope)
    .fetch_opt_map(&mut *conn, staff_from_row)
    .await
}

/// The township committees (基层党委 of the 乡镇 domain) of `scope`, in tree order: id,
/// name and path.
pub async fn townships(conn: &mut Conn, scope: &Scope) -> Result<Vec<(i64, String, String)>> {
    let rows = Sql::new("SELECT id, name, path FROM org WHERE kind = ")
        .bind(OrgKind::PrimaryCommittee.code())
        .push(" AND domain = ")
        .bind(jiceng_domain::Domain::Township.code())
        .push(" AND dissolved_on IS NULL AND ")
        .scope("path", scope)
        .push(" ORDER BY path")
        .fetch_all(&mut *conn)
        .await?;
    rows.iter()
        .map(|r| Ok((r.try_get("id")?, r.try_get("name")?, r.try_get("path")?)))
        .collect()
}

/// Whether a staff post is held on `day`.
pub fn in_post(s: &StoredStaff, day: NaiveDate) -> bool {
    s.since <= day && s.until.is_none_or(|u| u >= day)
}

/// The stored tallies of `year` of every org of `scope` (one path-range read joined to
/// the org rows: what rating reads for a subtree).
pub async fn tallies_in_scope(
    conn: &mut Conn,
    scope: &Scope,
    year: i32,
) -> Result<HashMap<i64, Tally>> {
    let rows = Sql::new(
        "SELECT t.org_id, t.tally FROM training_tally t JOIN org o ON o.id = t.org_id \
         WHERE t.year = ",
    )
    .bind(i64::from(year))
    .push(" AND ")
    .scope("o.path", scope)
    .fetch_all(&mut *conn)
    .await?;
    let mut out = HashMap::with_capacity(rows.len());
    for r in &rows {
        let json: String = r.try_get("tally")?;
        let t: Tally =
            serde_json::from_str(&json).map_err(|e| StoreError::Corrupt(e.to_string()))?;
        out.insert(r.try_get("org_id")?, t);
    }
    Ok(out)
}

/// Writes many trainings and their attendees at once (generated data): multi-row inserts.
pub async fn insert_many_trainings(
    conn: &mut Conn,
    rows: &[(StoredTraining, Vec<(i64, i64)>)],
) -> Result<()> {
    let trainings: Vec<Vec<Val>> = rows.iter().map(|(t, _)| vals(t)).collect();
    insert_many(conn, "training", &COLS, &trainings).await?;
    let attendance: Vec<Vec<Val>> = rows
        .iter()
        .flat_map(|(t, who)| {
            who.iter().map(|(m, h)| {
                vec![
                    t.id.into(),
                    (*m).into(),
                    i64::from(t.year).into(),
                    (*h).into(),
                ]
            })
        })
        .collect();
    insert_many(
        conn,
        "training_attendance",
        &["training_id", "member_id", "year", "hours"],
        &attendance,
    )
    .await
}

/// Which of `org_ids` recorded any hours in `year`: some current member of the org itself
/// has hours (an org that has none is 暂无数据, as [`Tally::unrecorded_if_empty`] counts it).
pub async fn orgs_with_hours(conn: &mut Conn, org_ids: &[i64], year: i32) -> Result<HashSet<i64>> {
    let mut ids = org_ids.to_vec();
    ids.sort_unstable();
    ids.dedup();
    let mut out = HashSet::new();
    for chunk in ids.chunks(IN_CHUNK) {
        let q = Sql::new(
            "SELECT DISTINCT m.org_id FROM training_attendance a JOIN member m \
             ON m.id = a.member_id WHERE m.exited_on IS NULL AND a.year = ",
        )
        .bind(i64::from(year))
        .push(" AND m.org_id IN ")
        .in_list(chunk);
        for r in q.fetch_all(&mut *conn).await? {
            out.insert(r.try_get("org_id")?);
        }
    }
    Ok(out)
}
