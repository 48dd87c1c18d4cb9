//! 活动场所: the venues of orgs (`venue`, read within a scope by the owner's path), the orgs
//! using each (`venue_user`), the venue a meeting names (`meeting.venue_id`) and the
//! meetings held at the venues of a subtree per quarter in one grouped read by path;
//! 村（社区）书记报酬: the yearly records (`secretary_pay`) and the department's standard
//! (an `app_setting`).

use chrono::NaiveDate;
use sqlx::any::AnyRow;

use crate::row::{from_row, Cells};
use crate::sql::{fetch_chunked, insert_many, replace_one, update_row, Sql, Val, IN_CHUNK};
use crate::{Conn, Result, Scope};

#[derive(Debug, Clone, PartialEq)]
pub struct StoredVenue {
    pub id: i64,
    /// The org that keeps it.
    pub org_id: i64,
    pub org_path: String,
    pub name: String,
    pub address: String,
    pub area: Option<i64>,
    /// Facility codes (`domain::venue::FACILITIES`).
    pub facilities: Vec<String>,
    pub shared_with: Option<String>,
    pub opened_on: NaiveDate,
    pub retired_on: Option<NaiveDate>,
    pub recorded_by: String,
    pub recorded_at: String,
}

pub(crate) const COLS: [&str; 12] = [
    "id",
    "org_id",
    "org_path",
    "name",
    "address",
    "area",
    "facilities",
    "shared_with",
    "opened_on",
    "retired_on",
    "recorded_by",
    "recorded_at",
];

pub(crate) fn venue_from_row(r: &AnyRow) -> Result<StoredVenue> {
    let facilities: String = sqlx::Row::try_get(r, "facilities")?;
    Ok(from_row!(
        r,
        StoredVenue {
            id,
            org_id,
            org_path,
            name,
            address,
            area,
            facilities: facilities
                .split(',')
                .filter(|s| !s.is_empty())
                .map(str::to_string)
                .collect(),
            shared_with,
            opened_on: r.date("opened_on")?,
            retired_on: r.opt_date("retired_on")?,
            recorded_by,
            recorded_at,
        }
    ))
}

fn row_of(v: &StoredVenue) -> Vec<Val> {
    vec![
        v.id.into(),
        v.org_id.into(),
        v.org_path.clone().into(),
        v.name.clone().into(),
        v.address.clone().into(),
        v.area.into(),
        v.facilities.join(",").into(),
        v.shared_with.clone().into(),
        v.opened_on.into(),
        v.retired_on.into(),
        v.recorded_by.clone().into(),
        v.recorded_at.clone().into(),
    ]
}

/// An org using a venue: its id and path.
pub type VenueUser = (i64, String);

async fn set_users(conn: &mut Conn, id: i64, users: &[VenueUser]) -> Result<()> {
    Sql::new("DELETE FROM venue_user WHERE venue_id = ")
        .bind(id)
        .execute(&mut *conn)
        .await?;
    let rows: Vec<Vec<Val>> = users
        .iter()
        .map(|(org, path)| vec![id.into(), (*org).into(), path.clone().into()])
        .collect();
    insert_many(
        conn,
        "venue_user",
        &["venue_id", "org_id", "org_path"],
        &rows,
    )
    .await
}

/// Writes a venue and the orgs using it.
pub async fn insert(conn: &mut Conn, v: &StoredVenue, users: &[VenueUser]) -> Result<()> {
    insert_many(conn, "venue", &COLS, &[row_of(v)]).await?;
    set_users(conn, v.id, users).await?;
    crate::venue_rollup::touch(conn, &[v.id]).await
}

/// Rewrites a venue's fields (not its owner, not who recorded it) and the orgs using it.
pub async fn update(conn: &mut Conn, v: &StoredVenue, users: &[VenueUser]) -> Result<()> {
    update_row(
        conn,
        "venue",
        &[
            "id",
            "name",
            "address",
            "area",
            "facilities",
            "shared_with",
            "opened_on",
        ],
        vec![
            v.id.into(),
            v.name.clone().into(),
            v.address.clone().into(),
            v.area.into(),
            v.facilities.join(",").into(),
            v.shared_with.clone().into(),
            v.opened_on.into(),
        ],
    )
    .await?;
    set_users(conn, v.id, users).await?;
    crate::venue_rollup::touch(conn, &[v.id]).await
}

/// Retires venue `id` on `day`; false when it was retired already.
pub async fn retire(conn: &mut Conn, id: i64, day: NaiveDate) -> Result<bool> {
    let done = Sql::new("UPDATE venue SET retired_on = ")
        .bind(day)
        .push(" WHERE retired_on IS NULL AND id = ")
        .bind(id)
        .execute(&mut *conn)
        .await?;
    crate::venue_rollup::touch(conn, &[id]).await?;
    Ok(done.rows_affected() == 1)
}

/// A venue by id within `scope` (of its owner).
pub async fn get(conn: &mut Conn, scope: &Scope, id: i64) -> Result<Option<StoredVenue>> {
    Sql::new(format!("SELECT {} FROM venue WHERE id = ", COLS.join(", ")))
        .bind(id)
        .push(" AND ")
        .scope("org_path", scope)
        .fetch_opt_map(&mut *conn, venue_from_row)
        .await
}

/// The venues `ids` (any scope; unknown ids left out).
pub async fn by_ids(conn: &mut Conn, ids: &[i64]) -> Result<Vec<StoredVenue>> {
    let mut out = Vec::with_capacity(ids.len());
    for chunk in ids.chunks(IN_CHUNK) {
        let q = Sql::new(format!(
            "SELECT {} FROM venue WHERE id IN ",
            COLS.join(", ")
        ))
        .in_list(chunk.iter().copied());
        out.extend(q.fetch_map(&mut *conn, venue_from_row).await?);
    }
    Ok(out)
}

/// The venues kept by orgs of `scope`, by owner then name, at most `limit`.
pub async fn list(conn: &mut Conn, scope: &Scope, limit: i64) -> Result<Vec<StoredVenue>> {
    Sql::new(format!("SELECT {} FROM venue WHERE ", COLS.join(", ")))
        .scope("org_path", scope)
        .push(" ORDER BY org_path, name, id LIMIT ")
        .bind(limit)
        .fetch_map(&mut *conn, venue_from_row)
        .await
}

/// The orgs using each of `venues`: `(venue_id, org_id)`.
pub async fn users_of(conn: &mut Conn, venues: &[i64]) -> Result<Vec<(i64, i64)>> {
    fetch_chunked(
        conn,
        venues,
        |chunk| {
            Sql::new("SELECT venue_id, org_id FROM venue_user WHERE venue_id IN ")
                .in_list(chunk.iter().copied())
                .push(" ORDER BY venue_id, org_id")
        },
        |r| {
            use sqlx::Row;
            Ok((r.try_get(0)?, r.try_get(1)?))
        },
    )
    .await
}

/// The venues in use (not retired) that any of `orgs` uses: `(org_id, venue)`, a venue
/// once per org using it. `orgs` are an org and its ancestors (a venue the village uses
/// serves its branches and groups).
pub async fn usable_by(conn: &mut Conn, orgs: &[i64]) -> Result<Vec<(i64, StoredVenue)>> {
    let cols: Vec<String> = COLS.iter().map(|c| format!("v.{c}")).collect();
    let mut out = Vec::new();
    for chunk in orgs.chunks(IN_CHUNK) {
        let rows = Sql::new(format!(
            "SELECT u.org_id AS user_id, {} FROM venue_user u JOIN venue v ON v.id = u.venue_id \
             WHERE v.retired_on IS NULL AND u.org_id IN ",
            cols.join(", ")
        ))
        .in_list(chunk.iter().copied())
        .push(" ORDER BY v.name, v.id")
        .fetch_all(&mut *conn)
        .await?;
        for r in &rows {
            use sqlx::Row;
            out.push((r.try_get("user_id")?, venue_from_row(r)?));
        }
    }
    Ok(out)
}

/// The ids of the orgs of `scope`, by path, at most `limit` (a venue form's choice of
/// the orgs using it).
pub async fn subtree_ids(conn: &mut Conn, scope: &Scope, limit: i64) -> Result<Vec<i64>> {
    Sql::new("SELECT id FROM org WHERE ")
        .scope("path", scope)
        .push(" ORDER BY path LIMIT ")
        .bind(limit)
        .fetch_all_as::<(i64,), _>(&mut *conn)
        .await
        .map(|v| v.into_iter().map(|(id,)| id).collect())
}

/// Names the venue of meeting `meeting` (or none).
pub async fn set_meeting_venue(conn: &mut Conn, meeting: i64, venue: Option<i64>) -> Result<()> {
    let before = venue_of_meeting(conn, meeting).await?;
    Sql::new("UPDATE meeting SET venue_id = ")
        .bind(venue)
        .push(" WHERE id = ")
        .bind(meeting)
        .execute(&mut *conn)
        .await?;
    let mut touched: Vec<i64> = before.into_iter().chain(venue).collect();
    touched.dedup();
    crate::venue_rollup::touch(conn, &touched).await
}

/// Names the venues of many meetings: `(meeting_id, venue_id)`, one statement per venue
/// and chunk.
pub async fn set_meeting_venues(conn: &mut Conn, pairs: &[(i64, i64)]) -> Result<()> {
    let mut by_venue: std::collections::BTreeMap<i64, Vec<i64>> = Default::default();
    for (m, v) in pairs {
        by_venue.entry(*v).or_default().push(*m);
    }
    let mut touched: std::collections::BTreeSet<i64> = by_venue.keys().copied().collect();
    let meetings: Vec<i64> = pairs.iter().map(|p| p.0).collect();
    for chunk in meetings.chunks(IN_CHUNK) {
        let q =
            Sql::new("SELECT DISTINCT venue_id FROM meeting WHERE venue_id IS NOT NULL AND id IN ")
                .in_list(chunk);
        touched.extend(
            q.fetch_all_as::<(i64,), _>(&mut *conn)
                .await?
                .into_iter()
                .map(|v| v.0),
        );
    }
    for (venue, meetings) in by_venue {
        for chunk in meetings.chunks(IN_CHUNK) {
            Sql::new("UPDATE meeting SET venue_id = ")
                .bind(venue)
                .push(" WHERE id IN ")
                .in_list(chunk.iter().copied())
                .execute(&mut *conn)
                .await?;
        }
    }
    let touched: Vec<i64> = touched.into_iter().collect();
    crate::venue_rollup::touch(conn, &touched).await
}

/// The venue meeting `meeting` names, if any.
pub async fn venue_of_meeting(conn: &mut Conn, meeting: i64) -> Result<Option<i64>> {
    Sql::new("SELECT venue_id FROM meeting WHERE id = ")
        .bind(meeting)
        .fetch_scalar::<Option<i64>, _>(&mut *conn)
        .await
}

/// The quarter of `held_on` (ISO text) in SQL both backends share.
pub(crate) const QUARTER: &str = "CAST(CASE WHEN substr(held_on, 6, 2) <= '03' THEN 1 \
     WHEN substr(held_on, 6, 2) <= '06' THEN 2 \
     WHEN substr(held_on, 6, 2) <= '09' THEN 3 ELSE 4 END AS BIGINT)";

/// A meeting held at a venue.
#[derive(Debug, Clone, PartialEq)]
pub struct HeldMeeting {
    pub id: i64,
    pub org_id: i64,
    pub kind: String,
    pub held_on: NaiveDate,
    pub topic: String,
}

/// The meetings held at venue `venue` in `year`, by day.
pub async fn meetings_at(conn: &mut Conn, venue: i64, year: i32) -> Result<Vec<HeldMeeting>> {
    Sql::new("SELECT id, org_id, kind, held_on, topic FROM meeting WHERE venue_id = ")
        .bind(venue)
        .push(" AND held_on >= ")
        .bind(format!("{year:04}-01-01"))
        .push(" AND held_on <= ")
        .bind(format!("{year:04}-12-31"))
        .push(" ORDER BY held_on, id")
        .fetch_map(&mut *conn, |r| {
            Ok(from_row!(
                r,
                HeldMeeting {
                    id,
                    org_id,
                    kind,
                    held_on: r.date("held_on")?,
                    topic,
                }
            ))
        })
        .await
}

/// A village's or community's secretary's remuneration of a year.
#[derive(Debug, Clone, PartialEq)]
pub struct StoredPay {
    pub org_id: i64,
    pub org_path: String,
    pub year: i32,
    /// Whole 元.
    pub amount: i64,
    pub source: String,
    pub recorded_by: String,
    pub recorded_at: String,
}

/// Writes the remuneration of an org's secretary for a year, in place of an earlier one.
pub async fn set_pay(conn: &mut Conn, p: &StoredPay) -> Result<()> {
    replace_one(
        conn,
        "secretary_pay",
        &["org_id", "year"],
        vec![
            ("org_id", p.org_id.into()),
            ("org_path", p.org_path.clone().into()),
            ("year", p.year.into()),
            ("amount", p.amount.into()),
            ("source", p.source.clone().into()),
            ("recorded_by", p.recorded_by.clone().into()),
            ("recorded_at", p.recorded_at.clone().into()),
        ],
    )
    .await
}

/// The remuneration of an org's secretary for a year, if recorded.
pub async fn pay_of(conn: &mut Conn, org_id: i64, year: i32) -> Result<Option<StoredPay>> {
    Sql::new(
        "SELECT org_id, org_path, year, amount, source, recorded_by, recorded_at \
         FROM secretary_pay WHERE org_id = ",
    )
    .bind(org_id)
    .push(" AND year = ")
    .bind(year)
    .fetch_opt_map(&mut *conn, pay_from_row)
    .await
}

fn pay_from_row(r: &AnyRow) -> Result<StoredPay> {
    Ok(from_row!(
        r,
        StoredPay {
            org_id,
            org_path,
            year: r.year()?,
            amount,
            source,
            recorded_by,
            recorded_at,
        }
    ))
}

/// The remuneration records of `year` of orgs of `scope`, by path.
pub async fn pays(conn: &mut Conn, scope: &Scope, year: i32) -> Result<Vec<StoredPay>> {
    Sql::new(
        "SELECT org_id, org_path, year, amount, source, recorded_by, recorded_at \
         FROM secretary_pay WHERE ",
    )
    .year_in(year, scope)
    .push(" ORDER BY org_path")
    .fetch_map(&mut *conn, pay_from_row)
    .await
}

const PAY_STANDARD: &str = "secretary_pay_standard";

/// The department's standard of secretaries' remuneration (JSON), if it set one.
pub async fn pay_standard(conn: &mut Conn) -> Result<Option<String>> {
    crate::protection::setting(conn, PAY_STANDARD).await
}

/// Stores the department's standard of secretaries' remuneration (JSON).
pub async fn set_pay_standard(conn: &mut Conn, json: &str) -> Result<()> {
    crate::protection::set_setting(conn, PAY_STANDARD, json).await
}

/// The meetings an org held from `from` to `to`: `(id, day)`, by day (the demo names the
/// venue of some).
pub async fn meetings_of(
    conn: &mut Conn,
    org_id: i64,
    from: NaiveDate,
    to: NaiveDate,
) -> Result<Vec<(i64, NaiveDate)>> {
    let rows = Sql::new("SELECT id, held_on FROM meeting WHERE org_id = ")
        .bind(org_id)
        .push(" AND held_on >= ")
        .bind(from)
        .push(" AND held_on <= ")
        .bind(to)
        .push(" ORDER BY held_on, id")
        .fetch_all_as::<(i64, String), _>(&mut *conn)
        .await?;
    rows.into_iter()
        .map(|(id, d)| Ok((id, crate::parse_date_text(&d)?)))
        .collect()
}
