//! Each org's stars over its subtree per year (`rating_tally`): how many rated orgs of the
//! subtree, the org itself included, hold each number of stars. Kept by every write of a
//! rating — a run rewrites its subtree's counts from the stored rows and moves its
//! ancestors' by the difference ([`after_rating`]), a hand adjustment moves its chain by
//! one ([`after_adjustment`]), a subtree move takes the subtree's counts from the old chain
//! to the new ([`moved`]) — so a page reads one row per child and star count
//! ([`read`]) and equals [`crate::ratings::distribution`] of each subtree.

use std::collections::{BTreeMap, HashMap};

use jiceng_domain::path;

use crate::sql::{insert_many, insert_many_then, Sql, Val, IN_CHUNK};
use crate::{Conn, Result, Scope};

/// How many orgs hold each number of stars (`None`: rated without stars).
pub type Stars = BTreeMap<Option<i64>, i64>;

/// The stored key of "rated without stars".
const NO_STARS: i64 = -1;

fn key(s: Option<i64>) -> i64 {
    s.unwrap_or(NO_STARS)
}

fn unkey(k: i64) -> Option<i64> {
    (k != NO_STARS).then_some(k)
}

const COLS: [&str; 4] = ["org_id", "year", "stars", "n"];

/// One stored row: an org's count (or a change to it) of orgs with `stars` in `year`.
fn row(org_id: i64, year: i32, stars: i64, n: i64) -> Vec<Val> {
    vec![
        org_id.into(),
        i64::from(year).into(),
        stars.into(),
        n.into(),
    ]
}

/// The stored counts of `ids` in `year` (an org without rows has none).
pub async fn read(conn: &mut Conn, year: i32, ids: &[i64]) -> Result<HashMap<i64, Stars>> {
    let mut out: HashMap<i64, Stars> = HashMap::new();
    for chunk in ids.chunks(IN_CHUNK) {
        let q = Sql::new("SELECT org_id, stars, n FROM rating_tally WHERE year = ")
            .bind(year)
            .push(" AND org_id IN ")
            .in_list(chunk);
        for (id, stars, n) in q.fetch_all_as::<(i64, i64, i64), _>(&mut *conn).await? {
            out.entry(id).or_default().insert(unkey(stars), n);
        }
    }
    Ok(out)
}

/// Adds `delta` to the counts of each of `ids` in `year` (rows at zero removed).
async fn add(conn: &mut Conn, year: i32, ids: &[i64], delta: &Stars) -> Result<()> {
    let delta: Vec<(i64, i64)> = delta
        .iter()
        .filter(|(_, d)| **d != 0)
        .map(|(s, d)| (key(*s), *d))
        .collect();
    if delta.is_empty() || ids.is_empty() {
        return Ok(());
    }
    // In id order, so two writers moving the same ancestors take their rows in turn.
    let mut ids = ids.to_vec();
    ids.sort_unstable();
    ids.dedup();
    let rows: Vec<Vec<Val>> = ids
        .iter()
        .flat_map(|id| delta.iter().map(move |(s, d)| row(*id, year, *s, *d)))
        .collect();
    insert_many_then(
        conn,
        "rating_tally",
        &COLS,
        &rows,
        " ON CONFLICT (org_id, year, stars) DO UPDATE SET n = rating_tally.n + excluded.n",
    )
    .await?;
    for chunk in ids.chunks(IN_CHUNK) {
        Sql::new("DELETE FROM rating_tally WHERE year = ")
            .bind(year)
            .push(" AND n = 0 AND org_id IN ")
            .in_list(chunk)
            .execute(&mut *conn)
            .await?;
    }
    Ok(())
}

/// After the ratings of `year` in the subtree of `root` (id, path) were rewritten: the
/// subtree's counts rebuilt from the stored rows (one range read), and the ancestors'
/// moved by what the root's counts gained or lost. Run it in the rating's transaction.
pub async fn after_rating(conn: &mut Conn, root: (i64, &str), year: i32) -> Result<()> {
    let (root_id, root_path) = root;
    let scope = Scope::subtree(root_path);
    let old = read(conn, year, &[root_id])
        .await?
        .remove(&root_id)
        .unwrap_or_default();
    let rated = Sql::new(
        "SELECT org_path, COALESCE(adjusted_stars, computed_stars, -1) AS s FROM rating WHERE ",
    )
    .year_in(year, &scope)
    .fetch_all_as::<(String, i64), _>(&mut *conn)
    .await?;
    let depth = path::ids(root_path).len() - 1;
    let mut counts: HashMap<(i64, i64), i64> = HashMap::new();
    for (p, s) in &rated {
        for id in path::ids(p).into_iter().skip(depth) {
            *counts.entry((id, *s)).or_default() += 1;
        }
    }
    Sql::new("DELETE FROM rating_tally WHERE year = ")
        .bind(year)
        .push(" AND org_id IN (SELECT id FROM org WHERE ")
        .scope("path", &scope)
        .push(")")
        .execute(&mut *conn)
        .await?;
    let mut sorted: Vec<(&(i64, i64), &i64)> = counts.iter().collect();
    sorted.sort_unstable();
    let rows: Vec<Vec<Val>> = sorted
        .into_iter()
        .map(|((id, s), n)| row(*id, year, *s, *n))
        .collect();
    insert_many(conn, "rating_tally", &COLS, &rows).await?;
    let mut delta: Stars = Stars::new();
    for ((id, s), n) in &counts {
        if *id == root_id {
            *delta.entry(unkey(*s)).or_default() += n;
        }
    }
    for (s, n) in old {
        *delta.entry(s).or_default() -= n;
    }
    let above: Vec<i64> = path::ids(root_path).into_iter().take(depth).collect();
    add(conn, year, &above, &delta).await
}

/// After one org's stars in `year` changed from `from` to `to` (a hand adjustment set or
/// cleared): its chain, itself included, moves by one.
pub async fn after_adjustment(
    conn: &mut Conn,
    org_path: &str,
    year: i32,
    from: Option<i64>,
    to: Option<i64>,
) -> Result<()> {
    if from == to {
        return Ok(());
    }
    let delta: Stars = [(from, -1), (to, 1)].into_iter().collect();
    add(conn, year, &path::ids(org_path), &delta).await
}

/// Before the subtree of `org_id` moves from `old_path` to `new_path`: its counts of every
/// year leave the old ancestors and join the new ones (its own and its subtree's rows stay).
pub async fn moved(conn: &mut Conn, org_id: i64, old_path: &str, new_path: &str) -> Result<()> {
    let rows = Sql::new("SELECT year, stars, n FROM rating_tally WHERE org_id = ")
        .bind(org_id)
        .fetch_all_as::<(i64, i64, i64), _>(&mut *conn)
        .await?;
    let mut by_year: BTreeMap<i32, Stars> = BTreeMap::new();
    for (year, s, n) in rows {
        by_year.entry(year as i32).or_default().insert(unkey(s), n);
    }
    // The ancestors both chains share keep their counts.
    let (old_above, new_above) = (path::ids(old_path), path::ids(new_path));
    let shared = old_above
        .iter()
        .zip(&new_above)
        .take_while(|(a, b)| a == b)
        .count();
    let only = |ids: &[i64]| ids[shared.min(ids.len())..ids.len() - 1].to_vec();
    let (leave, join) = (only(&old_above), only(&new_above));
    for (year, stars) in by_year {
        let minus: Stars = stars.iter().map(|(s, n)| (*s, -n)).collect();
        add(conn, year, &leave, &minus).await?;
        add(conn, year, &join, &stars).await?;
    }
    Ok(())
}
