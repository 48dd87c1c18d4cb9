//! 活动场所 counted per org (issue #18; migration 0046), so that a province's venue page
//! reads the venues it shows and one tally instead of grouping a year's meetings over its
//! whole path range:
//!
//! - `venue_year`: each venue of a built year with its meetings by quarter and the first
//!   quarter it would be 铁将军把门 (`venue::first_idle`, not a function of the day), in
//!   the list's order (path, name, id);
//! - `venue_tally`: each org's subtree of a year — its venues, and how many would be idle
//!   from each quarter on, so the venues idle on a day are the first
//!   `venue::ended_quarters` of them added up;
//! - `venue_built`: the years built whole.
//!
//! A year is built whole on its first page ([`ensure`]). From then on a venue written or
//! retired, and a meeting that names a venue, deleted or given one, recompute that
//! venue's rows ([`touch`]) and the tallies of its org and all its ancestors, in the
//! writer's transaction; `facts::refresh` refreshes the tallies of an org added, moved or
//! dissolved. A venue counts every meeting held there, whichever org held it.

use std::collections::HashMap;

use chrono::NaiveDate;
use jiceng_domain::venue as domain;
use serde::{Deserialize, Serialize};

use crate::rollup::{self, Merge};
use crate::sql::{insert_many, Sql, Val, IN_CHUNK};
use crate::venues::{self, StoredVenue};
use crate::{Conn, Result, Scope};

const TALLY: &str = "venue_tally";

/// A subtree's venues of a year, as stored (JSON) per org.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Tally {
    pub venues: i64,
    /// `idle_from[q-1]`: the venues whose first idle quarter is `q`.
    pub idle_from: [i64; 4],
}

impl Merge for Tally {
    fn merge(&mut self, o: &Tally) {
        self.venues += o.venues;
        for (a, b) in self.idle_from.iter_mut().zip(o.idle_from) {
            *a += b;
        }
    }
}

impl Tally {
    /// The venues idle once `ended` quarters have ended.
    pub fn idle(&self, ended: u32) -> i64 {
        self.idle_from.iter().take(ended as usize).sum()
    }
}

/// A venue's row of a year.
#[derive(Debug, Clone)]
struct Year {
    venue_id: i64,
    org_id: i64,
    org_path: String,
    name: String,
    held: [i64; 4],
    first_idle: Option<u32>,
}

impl Year {
    fn of(v: &StoredVenue, year: i32, held: [i64; 4]) -> Year {
        Year {
            venue_id: v.id,
            org_id: v.org_id,
            org_path: v.org_path.clone(),
            name: v.name.clone(),
            held,
            first_idle: domain::first_idle(year, v.opened_on, v.retired_on, held),
        }
    }

    fn vals(&self, year: i32) -> Vec<Val> {
        let mut v: Vec<Val> = vec![
            self.venue_id.into(),
            i64::from(year).into(),
            self.org_id.into(),
            self.org_path.clone().into(),
            self.name.clone().into(),
        ];
        v.extend(self.held.iter().map(|h| Val::Int(*h)));
        v.push(self.first_idle.map(i64::from).into());
        v
    }
}

const YEAR_COLS: [&str; 10] = [
    "venue_id",
    "year",
    "org_id",
    "org_path",
    "name",
    "held1",
    "held2",
    "held3",
    "held4",
    "first_idle",
];

/// The meetings held at venues in `year` by quarter: all of the year's, or of `ids`.
async fn held(conn: &mut Conn, year: i32, ids: Option<&[i64]>) -> Result<HashMap<i64, [i64; 4]>> {
    let q = || {
        Sql::new(format!(
            "SELECT venue_id, {} AS q, COUNT(*) AS n FROM meeting WHERE held_on >= ",
            venues::QUARTER
        ))
        .bind(format!("{year:04}-01-01"))
        .push(" AND held_on <= ")
        .bind(format!("{year:04}-12-31"))
    };
    let mut rows: Vec<(i64, i64, i64)> = Vec::new();
    match ids {
        None => {
            let q = q().push(" AND venue_id IS NOT NULL GROUP BY 1, 2");
            rows = q.fetch_all_as(&mut *conn).await?;
        }
        Some(ids) => {
            for chunk in ids.chunks(IN_CHUNK) {
                let q = q()
                    .push(" AND venue_id IN ")
                    .in_list(chunk)
                    .push(" GROUP BY 1, 2");
                rows.extend(q.fetch_all_as::<(i64, i64, i64), _>(&mut *conn).await?);
            }
        }
    }
    let mut out: HashMap<i64, [i64; 4]> = HashMap::new();
    for (v, q, n) in rows {
        if (1..=4).contains(&q) {
            out.entry(v).or_default()[(q - 1) as usize] += n;
        }
    }
    Ok(out)
}

async fn built_years(conn: &mut Conn) -> Result<Vec<i32>> {
    Ok(Sql::new("SELECT year FROM venue_built ORDER BY year")
        .fetch_all_as::<(i64,), _>(&mut *conn)
        .await?
        .into_iter()
        .map(|(y,)| y as i32)
        .collect())
}

/// Whether `year` is built (a read).
pub async fn is_built(conn: &mut Conn, year: i32) -> Result<bool> {
    Ok(built_years(conn).await?.contains(&year))
}

/// Builds `year` whole unless it is built; whether it built (the caller commits).
pub async fn ensure(conn: &mut Conn, year: i32) -> Result<bool> {
    if is_built(conn, year).await? {
        return Ok(false);
    }
    rollup::lock_roots(conn).await?;
    if is_built(conn, year).await? {
        return Ok(false);
    }
    let all = venues::list(conn, &Scope::All, i64::MAX).await?;
    let held = held(conn, year, None).await?;
    let rows: Vec<Year> = all
        .iter()
        .map(|v| Year::of(v, year, held.get(&v.id).copied().unwrap_or_default()))
        .collect();
    Sql::new("DELETE FROM venue_year WHERE year = ")
        .bind(year)
        .execute(&mut *conn)
        .await?;
    write_years(conn, year, &rows).await?;
    let orgs: Vec<(i64, Option<i64>, String)> = Sql::new("SELECT id, parent_id, path FROM org")
        .fetch_all_as(&mut *conn)
        .await?;
    let mut tallies = own(&rows);
    let links: Vec<(i64, Option<i64>, &str)> =
        orgs.iter().map(|(i, p, s)| (*i, *p, s.as_str())).collect();
    rollup::roll_up(&links, &mut tallies);
    rollup::clear(conn, TALLY, year, None).await?;
    let ids: Vec<i64> = orgs.iter().map(|o| o.0).collect();
    rollup::write(conn, TALLY, year, &ids, &tallies).await?;
    insert_many(
        conn,
        "venue_built",
        &["year", "built_at"],
        &[vec![i64::from(year).into(), crate::now_text().into()]],
    )
    .await?;
    Ok(true)
}

async fn write_years(conn: &mut Conn, year: i32, rows: &[Year]) -> Result<()> {
    let vals: Vec<Vec<Val>> = rows.iter().map(|r| r.vals(year)).collect();
    insert_many(conn, "venue_year", &YEAR_COLS, &vals).await
}

/// Each org's own venues as a tally.
fn own(rows: &[Year]) -> HashMap<i64, Tally> {
    let mut out: HashMap<i64, Tally> = HashMap::new();
    for r in rows {
        let t = out.entry(r.org_id).or_default();
        t.venues += 1;
        if let Some(q) = r.first_idle {
            t.idle_from[(q - 1) as usize] += 1;
        }
    }
    out
}

/// Recomputes the rows of `venue_ids` (written, retired, or a meeting there changed) for
/// every built year, and the tallies of their orgs and ancestors.
pub async fn touch(conn: &mut Conn, venue_ids: &[i64]) -> Result<()> {
    let years = built_years(conn).await?;
    if venue_ids.is_empty() || years.is_empty() {
        return Ok(());
    }
    let vs = venues::by_ids(conn, venue_ids).await?;
    let orgs: Vec<i64> = vs.iter().map(|v| v.org_id).collect();
    for year in years {
        let held = held(conn, year, Some(venue_ids)).await?;
        for chunk in venue_ids.chunks(IN_CHUNK) {
            Sql::new("DELETE FROM venue_year WHERE year = ")
                .bind(year)
                .push(" AND venue_id IN ")
                .in_list(chunk)
                .execute(&mut *conn)
                .await?;
        }
        let rows: Vec<Year> = vs
            .iter()
            .map(|v| Year::of(v, year, held.get(&v.id).copied().unwrap_or_default()))
            .collect();
        write_years(conn, year, &rows).await?;
        refresh_year(conn, &orgs, year).await?;
    }
    Ok(())
}

/// Recomputes the tallies of `touched` orgs and all their ancestors for every built
/// year (an org added, moved or dissolved).
pub async fn refresh(conn: &mut Conn, touched: &[i64]) -> Result<()> {
    if touched.is_empty() {
        return Ok(());
    }
    for year in built_years(conn).await? {
        refresh_year(conn, touched, year).await?;
    }
    Ok(())
}

async fn refresh_year(conn: &mut Conn, touched: &[i64], year: i32) -> Result<()> {
    let ids = rollup::chain(conn, touched).await?;
    let mut links: Vec<(i64, Option<i64>, String)> = Vec::with_capacity(ids.len());
    let mut tallies: HashMap<i64, Tally> = rollup::seeds(conn, TALLY, year, &ids).await?;
    for chunk in ids.chunks(IN_CHUNK) {
        let q = Sql::new("SELECT id, parent_id, path FROM org WHERE id IN ").in_list(chunk);
        links.extend(
            q.fetch_all_as::<(i64, Option<i64>, String), _>(&mut *conn)
                .await?,
        );
        let q = Sql::new("SELECT org_id, first_idle FROM venue_year WHERE year = ")
            .bind(year)
            .push(" AND org_id IN ")
            .in_list(chunk);
        for (org, first) in q.fetch_all_as::<(i64, Option<i64>), _>(&mut *conn).await? {
            let t = tallies.entry(org).or_default();
            t.venues += 1;
            if let Some(q) = first.filter(|q| (1..=4).contains(q)) {
                t.idle_from[(q - 1) as usize] += 1;
            }
        }
    }
    let refs: Vec<(i64, Option<i64>, &str)> =
        links.iter().map(|(i, p, s)| (*i, *p, s.as_str())).collect();
    rollup::roll_up(&refs, &mut tallies);
    rollup::clear(conn, TALLY, year, Some(&ids)).await?;
    rollup::write(conn, TALLY, year, &ids, &tallies).await
}

/// The stored tally of `org_id`'s subtree for `year`.
pub async fn tally(conn: &mut Conn, org_id: i64, year: i32) -> Result<Tally> {
    Ok(rollup::read::<Tally>(conn, TALLY, &[org_id], year)
        .await?
        .remove(&org_id)
        .unwrap_or_default())
}

/// The meetings by quarter of `ids` in a built year.
pub async fn held_of(conn: &mut Conn, ids: &[i64], year: i32) -> Result<HashMap<i64, [i64; 4]>> {
    let mut out = HashMap::with_capacity(ids.len());
    for chunk in ids.chunks(IN_CHUNK) {
        let q =
            Sql::new("SELECT venue_id, held1, held2, held3, held4 FROM venue_year WHERE year = ")
                .bind(year)
                .push(" AND venue_id IN ")
                .in_list(chunk);
        for (v, a, b, c, d) in q
            .fetch_all_as::<(i64, i64, i64, i64, i64), _>(&mut *conn)
            .await?
        {
            out.insert(v, [a, b, c, d]);
        }
    }
    Ok(out)
}

/// The venues of `scope` idle once `ended` quarters of `year` ended, in the list's
/// order, at most `limit`: an index walk over the year's rows.
pub async fn idle(
    conn: &mut Conn,
    scope: &Scope,
    year: i32,
    ended: u32,
    limit: i64,
) -> Result<Vec<StoredVenue>> {
    if ended == 0 {
        return Ok(Vec::new());
    }
    let cols: Vec<String> = venues::COLS.iter().map(|c| format!("v.{c}")).collect();
    Sql::new(format!(
        "SELECT {} FROM venue_year y JOIN venue v ON v.id = y.venue_id WHERE y.year = ",
        cols.join(", ")
    ))
    .bind(year)
    .push(" AND y.first_idle <= ")
    .bind(i64::from(ended))
    .push(" AND ")
    .scope("y.org_path", scope)
    .push(" ORDER BY y.org_path, y.name, y.venue_id")
    .page(limit, 0)
    .fetch_map(&mut *conn, venues::venue_from_row)
    .await
}

/// The last day a meeting was held at each of `ids` up to `until` (index lookups).
pub async fn last_held(
    conn: &mut Conn,
    ids: &[i64],
    until: NaiveDate,
) -> Result<Vec<(i64, NaiveDate)>> {
    let mut out = Vec::with_capacity(ids.len());
    for chunk in ids.chunks(IN_CHUNK) {
        let q = Sql::new("SELECT venue_id, MAX(held_on) FROM meeting WHERE venue_id IN ")
            .in_list(chunk)
            .push(" AND held_on <= ")
            .bind(until)
            .push(" GROUP BY venue_id");
        for (v, d) in q.fetch_all_as::<(i64, String), _>(&mut *conn).await? {
            out.push((v, crate::parse_date_text(&d)?));
        }
    }
    Ok(out)
}
