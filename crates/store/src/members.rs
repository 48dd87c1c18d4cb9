//! Members as stored. The ID number is kept encrypted with a keyed hash for matching and
//! a masked copy for display, the phone encrypted with a masked copy; the store never sees
//! the key (the app encrypts).

use std::collections::HashMap;

use jiceng_domain::{Education, Gender, MemberStatus};
use sqlx::any::AnyRow;
use sqlx::Row;

use crate::row::{from_row, Cells};
use crate::sql::{counted_page, fetch_chunked, insert_many, Sql, Val};
use crate::{parse_date_text, Conn, Result, Scope, StoreError};

/// A member's record as stored (the ID number only as hash, cipher and mask).
#[derive(Debug, Clone, PartialEq)]
pub struct StoredMember {
    pub id: i64,
    pub org_id: i64,
    pub org_path: String,
    pub name: String,
    pub gender: Gender,
    pub ethnicity: String,
    pub birth_date: chrono::NaiveDate,
    pub id_hash: String,
    pub id_cipher: String,
    pub id_masked: String,
    pub education: Option<Education>,
    pub status: MemberStatus,
    pub joined_on: chrono::NaiveDate,
    pub full_on: Option<chrono::NaiveDate>,
    pub occupation: Option<String>,
    /// The phone encrypted by the app (`Crypto::protect_phone`); never stored in clear.
    pub phone_cipher: Option<String>,
    /// The phone masked for display (`138****0012`).
    pub phone_masked: Option<String>,
    pub mobile: bool,
    pub lost_contact: bool,
    pub exited_on: Option<chrono::NaiveDate>,
    /// 转入日期: the day the relation came in from elsewhere (joined the party elsewhere,
    /// so not this org's recruit).
    pub transferred_in_on: Option<chrono::NaiveDate>,
    /// 所在党小组: one of the branch's groups, or none. Honoured only while that group is
    /// a live 党小组 under `org_id` (see `app::groups`).
    pub group_id: Option<i64>,
}

pub(crate) const MEMBER_COLS: &str = "id, org_id, org_path, name, gender, ethnicity, birth_date, id_hash, \
    id_cipher, id_masked, education, status, joined_on, full_on, occupation, phone_cipher, phone_masked, mobile, lost_contact, exited_on, transferred_in_on, group_id";

const WRITE_COLS: [&str; 23] = [
    "id",
    "org_id",
    "org_path",
    "name",
    "gender",
    "ethnicity",
    "birth_date",
    "id_hash",
    "id_cipher",
    "id_masked",
    "education",
    "status",
    "joined_on",
    "full_on",
    "occupation",
    "phone_cipher",
    "phone_masked",
    "mobile",
    "lost_contact",
    "exited_on",
    "transferred_in_on",
    "group_id",
    "updated_at",
];

pub(crate) fn member_from_row(row: &AnyRow) -> Result<StoredMember> {
    let gender: String = row.try_get("gender")?;
    let status: String = row.try_get("status")?;
    let education: Option<String> = row.try_get("education")?;
    Ok(from_row!(
        row,
        StoredMember {
            id,
            org_id,
            org_path,
            name,
            gender: Gender::parse_label(&gender)
                .ok_or_else(|| StoreError::Corrupt(format!("性别 {gender}")))?,
            ethnicity,
            birth_date: parse_date_text(&row.try_get::<String, _>("birth_date")?)?,
            id_hash,
            id_cipher,
            id_masked,
            education: education.and_then(|e| Education::parse_label(&e)),
            status: MemberStatus::parse_label(&status)
                .ok_or_else(|| StoreError::Corrupt(format!("人员类别 {status}")))?,
            joined_on: parse_date_text(&row.try_get::<String, _>("joined_on")?)?,
            full_on: row.opt_date("full_on")?,
            occupation,
            phone_cipher,
            phone_masked,
            mobile: row.flag("mobile")?,
            lost_contact: row.flag("lost_contact")?,
            exited_on: row.opt_date("exited_on")?,
            transferred_in_on: row.opt_date("transferred_in_on")?,
            group_id,
        }
    ))
}

fn vals(m: &StoredMember, now: &str) -> Vec<Val> {
    vec![
        m.id.into(),
        m.org_id.into(),
        m.org_path.clone().into(),
        m.name.clone().into(),
        m.gender.code().into(),
        m.ethnicity.clone().into(),
        m.birth_date.into(),
        m.id_hash.clone().into(),
        m.id_cipher.clone().into(),
        m.id_masked.clone().into(),
        m.education.map(|e| e.label()).into(),
        m.status.code().into(),
        m.joined_on.into(),
        m.full_on.into(),
        m.occupation.clone().into(),
        m.phone_cipher.clone().into(),
        m.phone_masked.clone().into(),
        m.mobile.into(),
        m.lost_contact.into(),
        m.exited_on.into(),
        m.transferred_in_on.into(),
        m.group_id.into(),
        now.into(),
    ]
}

pub async fn insert(conn: &mut Conn, members: &[StoredMember]) -> Result<()> {
    let now = crate::now_text();
    let rows: Vec<Vec<Val>> = members.iter().map(|m| vals(m, &now)).collect();
    insert_many(conn, "member", &WRITE_COLS, &rows).await
}

/// Replaces a member's record (matched by id).
pub async fn update(conn: &mut Conn, m: &StoredMember) -> Result<()> {
    let now = crate::now_text();
    let v = vals(m, &now);
    crate::sql::update_row(conn, "member", &WRITE_COLS, v).await?;
    Ok(())
}

/// Puts the current members `ids` of `org_id` in the group `group` (`None`: in none),
/// touching nothing else of their records. Answers how many rows changed.
pub async fn set_group(
    conn: &mut Conn,
    org_id: i64,
    ids: &[i64],
    group: Option<i64>,
) -> Result<u64> {
    let now = crate::now_text();
    let mut changed = 0;
    for chunk in ids.chunks(crate::sql::IN_CHUNK) {
        changed += Sql::new("UPDATE member SET group_id = ")
            .bind(group)
            .push(", updated_at = ")
            .bind(now.clone())
            .push(" WHERE org_id = ")
            .bind(org_id)
            .push(" AND exited_on IS NULL AND id IN ")
            .in_list(chunk.iter().copied())
            .execute(&mut *conn)
            .await?
            .rows_affected();
    }
    Ok(changed)
}

/// Members by their ID-number hashes (any scope: matching on import must find a member
/// wherever they are, so that a person is never entered twice).
pub async fn by_id_hashes(conn: &mut Conn, hashes: &[String]) -> Result<Vec<StoredMember>> {
    let select = |c: &[String]| {
        Sql::new(format!(
            "SELECT {MEMBER_COLS} FROM member WHERE id_hash IN "
        ))
        .in_list(c)
    };
    fetch_chunked(conn, hashes, select, member_from_row).await
}

pub async fn get(conn: &mut Conn, scope: &Scope, id: i64) -> Result<Option<StoredMember>> {
    Sql::new(format!("SELECT {MEMBER_COLS} FROM member WHERE id = "))
        .bind(id)
        .push(" AND ")
        .scope("org_path", scope)
        .fetch_opt_map(&mut *conn, member_from_row)
        .await
}

/// The members `ids` whose org lies in `scope` (exited or not).
pub async fn by_ids(conn: &mut Conn, scope: &Scope, ids: &[i64]) -> Result<Vec<StoredMember>> {
    let select = |c: &[i64]| {
        Sql::new(format!("SELECT {MEMBER_COLS} FROM member WHERE id IN "))
            .in_list(c)
            .push(" AND ")
            .scope("org_path", scope)
    };
    fetch_chunked(conn, ids, select, member_from_row).await
}

/// Current members (not exited) of the given orgs.
pub async fn of_orgs(conn: &mut Conn, org_ids: &[i64]) -> Result<Vec<StoredMember>> {
    let select = |c: &[i64]| {
        Sql::new(format!("SELECT {MEMBER_COLS} FROM member WHERE org_id IN "))
            .in_list(c)
            .push(" AND exited_on IS NULL")
    };
    fetch_chunked(conn, org_ids, select, member_from_row).await
}

/// A page of current members in the scope, by name; with an optional name or masked-ID
/// filter. Returns the page and the total.
pub async fn search(
    conn: &mut Conn,
    scope: &Scope,
    name_like: Option<&str>,
    offset: i64,
    limit: i64,
) -> Result<(Vec<StoredMember>, i64)> {
    let select = |what: &str| {
        let q = Sql::new(format!("SELECT {what} FROM member WHERE "))
            .scope("org_path", scope)
            .push(" AND exited_on IS NULL");
        match name_like {
            Some(n) => q.push(" AND name LIKE ").bind(format!("%{n}%")),
            None => q,
        }
    };
    let columns = (MEMBER_COLS, "name, id");
    counted_page(
        conn,
        select,
        columns,
        (offset, limit),
        None,
        member_from_row,
    )
    .await
}

/// Streams every current member in the scope through `f` in pages (for live statistics
/// on a past date); memory stays flat whatever the subtree's size.
pub async fn for_each_in_scope(
    conn: &mut Conn,
    scope: &Scope,
    mut f: impl FnMut(&StoredMember),
) -> Result<()> {
    let mut after = i64::MIN;
    loop {
        let rows = Sql::new(format!("SELECT {MEMBER_COLS} FROM member WHERE "))
            .scope("org_path", scope)
            .push(" AND id > ")
            .bind(after)
            .push(" ORDER BY id LIMIT 5000")
            .fetch_all(&mut *conn)
            .await?;
        if rows.is_empty() {
            return Ok(());
        }
        for row in &rows {
            let m = member_from_row(row)?;
            after = m.id;
            f(&m);
        }
    }
}

/// The members of one org on a day (structure as of a day, rating of a past year).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct MembersOnDay {
    /// On the roll that day: joined (and, if transferred in, arrived) on or before it,
    /// and not exited on or before it (an exit day ends membership, as `ended_on` ends an
    /// office and `dissolved_on` an org).
    pub members: i64,
    /// Of those, full members that day (confirmed on or before it; a full member
    /// recorded without a confirmation date counts as full).
    pub full: i64,
    /// The latest joining date on or before the day of a member who joined here: never
    /// transferred in, or transferred in before joining (so admitted here). Members who
    /// have since left count: they were recruited.
    pub last_recruit: Option<chrono::NaiveDate>,
}

/// [`MembersOnDay`] of every org of the scope with members, in one grouped statement
/// over the scope's member rows (`member_path` index range), counted in the org each
/// member belongs to now; then the members whose relation moved out of an org of the scope
/// after the day (a received letter, `member_transfer`) are counted where they were that
/// day (`transferred_out`). Grouped by `org_path` (one
/// path per org), so SQLite groups in index order without a sort: 2.2–2.6 s per 2 million
/// member rows stored in import order, measured with SQLite on this machine.
pub async fn on_day(
    conn: &mut Conn,
    scope: &Scope,
    day: chrono::NaiveDate,
) -> Result<HashMap<i64, MembersOnDay>> {
    let on_roll = "joined_on <= $1 AND (transferred_in_on IS NULL OR transferred_in_on <= $1) \
                   AND (exited_on IS NULL OR exited_on > $1)";
    let sql = format!(
        "SELECT MIN(org_id) AS org_id, \
         SUM(CASE WHEN {on_roll} THEN 1 ELSE 0 END) AS members, \
         SUM(CASE WHEN {on_roll} AND ((full_on IS NOT NULL AND full_on <= $1) \
             OR (full_on IS NULL AND status IN ('Full', '正式党员'))) THEN 1 ELSE 0 END) AS full_members, \
         MAX(CASE WHEN joined_on <= $1 AND (transferred_in_on IS NULL OR transferred_in_on <= joined_on) \
             THEN joined_on END) AS last_recruit \
         FROM member WHERE "
    );
    let mut out = HashMap::new();
    let q = Sql::numbered(sql, vec![day.into()])
        .scope("org_path", scope)
        .push(" GROUP BY org_path");
    for r in q.fetch_all(&mut *conn).await? {
        out.insert(
            r.try_get::<i64, _>("org_id")?,
            MembersOnDay {
                members: r.try_get::<Option<i64>, _>("members")?.unwrap_or(0),
                full: r.try_get::<Option<i64>, _>("full_members")?.unwrap_or(0),
                last_recruit: r.opt_date("last_recruit")?,
            },
        );
    }
    transferred_out(conn, scope, day, &mut out).await?;
    Ok(out)
}

/// A member whose relation moved, as `transferred_out` reads them.
#[derive(Clone, Copy)]
struct Moved {
    joined: chrono::NaiveDate,
    full_on: Option<chrono::NaiveDate>,
    full_now: bool,
    exited: Option<chrono::NaiveDate>,
}

/// Adds to `out` the members whose relation left an org of the scope by a letter received
/// after `day`: each counts, that day, in the org the first such letter came from, and a
/// member recruited in the org they first left counts as its recruit.
async fn transferred_out(
    conn: &mut Conn,
    scope: &Scope,
    day: chrono::NaiveDate,
    out: &mut HashMap<i64, MembersOnDay>,
) -> Result<()> {
    const MOVED: &str = "SELECT t.id, t.member_id, t.from_org_id, t.decided_on, m.joined_on, \
         m.full_on, m.status, m.exited_on FROM member_transfer t JOIN member m ON m.id = t.member_id \
         WHERE t.state = 'received' AND t.from_org_id IS NOT NULL AND ";
    let rows = Sql::new(MOVED)
        .scope("t.from_path", scope)
        .fetch_all(&mut *conn)
        .await?;
    if rows.is_empty() {
        return Ok(());
    }
    let mut in_scope = std::collections::HashSet::new();
    let mut people: HashMap<i64, Moved> = HashMap::new();
    for r in &rows {
        in_scope.insert(r.try_get::<i64, _>("id")?);
        let status: String = r.try_get("status")?;
        people.insert(
            r.try_get("member_id")?,
            Moved {
                joined: r.date("joined_on")?,
                full_on: r.opt_date("full_on")?,
                full_now: MemberStatus::parse_label(&status) == Some(MemberStatus::Full),
                exited: r.opt_date("exited_on")?,
            },
        );
    }
    // Every received letter of these members, in order: where each stood on the day.
    let ids: Vec<i64> = people.keys().copied().collect();
    let select = |c: &[i64]| {
        Sql::new(
            "SELECT id, member_id, from_org_id, decided_on FROM member_transfer \
             WHERE state = 'received' AND member_id IN ",
        )
        .in_list(c.to_vec())
    };
    let mut letters: Vec<(i64, chrono::NaiveDate, i64, Option<i64>)> = Vec::new();
    for chunk in ids.chunks(crate::sql::IN_CHUNK) {
        for r in select(chunk).fetch_all(&mut *conn).await? {
            letters.push((
                r.try_get("member_id")?,
                r.date("decided_on")?,
                r.try_get("id")?,
                r.try_get("from_org_id")?,
            ));
        }
    }
    letters.sort();
    let mut seen_first = std::collections::HashSet::new();
    let mut placed = std::collections::HashSet::new();
    for (member, decided, id, from) in letters {
        let Some(&Moved {
            joined,
            full_on,
            full_now,
            exited,
        }) = people.get(&member)
        else {
            continue;
        };
        let first = seen_first.insert(member);
        let Some(from) = from else { continue };
        if !in_scope.contains(&id) {
            if decided > day {
                placed.insert(member);
            }
            continue;
        }
        let slot = out.entry(from).or_default();
        // Recruited where they first left (joined before that letter was received).
        if first && joined <= day && joined <= decided {
            slot.last_recruit = slot.last_recruit.max(Some(joined));
        }
        if decided <= day || !placed.insert(member) {
            continue;
        }
        if joined <= day && exited.is_none_or(|e| e > day) {
            slot.members += 1;
            let full = match full_on {
                Some(f) => f <= day,
                None => full_now,
            };
            slot.full += i64::from(full);
        }
    }
    Ok(())
}
