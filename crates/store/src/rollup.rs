//! The machinery the per-year subtree tallies share (`funding_rollup`, `venue_rollup`):
//! a tally per org and year, stored as JSON in a table `(org_id, year, tally)`, each the
//! sum of the org's own part and its children's tallies.
//!
//! - [`chain`]: the touched orgs and all their ancestors, locked (PostgreSQL);
//! - [`seeds`]: the stored tallies of the untouched children of a chain, added to their
//!   parents;
//! - [`roll_up`]: each node's own part plus its children's, deepest first;
//! - [`write`] and [`read`]: the tallies replaced and read back.

use std::collections::{HashMap, HashSet};

use jiceng_domain::path;
use serde::de::DeserializeOwned;
use serde::Serialize;

use crate::sql::{insert_many, lock_orgs, Sql, Val, IN_CHUNK};
use crate::{Conn, Result, StoreError};

/// A tally that adds up over a subtree.
pub trait Merge: Default + Clone + PartialEq + Serialize + DeserializeOwned {
    fn merge(&mut self, other: &Self);
}

/// The touched orgs and all their ancestors (locked on PostgreSQL).
pub async fn chain(conn: &mut Conn, touched: &[i64]) -> Result<Vec<i64>> {
    let mut set: HashSet<i64> = HashSet::new();
    for chunk in touched.chunks(IN_CHUNK) {
        let q = Sql::new("SELECT path FROM org WHERE id IN ").in_list(chunk);
        for (p,) in q.fetch_all_as::<(String,), _>(&mut *conn).await? {
            set.extend(path::ids(&p));
        }
    }
    let mut ids: Vec<i64> = set.into_iter().collect();
    ids.sort_unstable();
    lock_orgs(conn, &ids).await?;
    Ok(ids)
}

/// The roots of the tree, locked: a whole year built serialises with every refresh.
pub async fn lock_roots(conn: &mut Conn) -> Result<()> {
    let roots: Vec<i64> = Sql::new("SELECT id FROM org WHERE parent_id IS NULL")
        .fetch_all_as::<(i64,), _>(&mut *conn)
        .await?
        .into_iter()
        .map(|(id,)| id)
        .collect();
    lock_orgs(conn, &roots).await
}

fn parse<T: DeserializeOwned>(json: &str) -> Result<T> {
    serde_json::from_str(json).map_err(|e| StoreError::Corrupt(e.to_string()))
}

/// The stored tallies in `table` of the children of `ids` that are not in `ids`, each
/// added to its parent's entry.
pub async fn seeds<T: Merge>(
    conn: &mut Conn,
    table: &'static str,
    year: i32,
    ids: &[i64],
) -> Result<HashMap<i64, T>> {
    let set: HashSet<i64> = ids.iter().copied().collect();
    let mut out: HashMap<i64, T> = HashMap::new();
    for chunk in ids.chunks(IN_CHUNK) {
        let q = Sql::new(format!(
            "SELECT o.id, o.parent_id, t.tally FROM org o JOIN {table} t \
             ON t.org_id = o.id WHERE t.year = "
        ))
        .bind(year)
        .push(" AND o.parent_id IN ")
        .in_list(chunk);
        for (id, parent, json) in q.fetch_all_as::<(i64, i64, String), _>(&mut *conn).await? {
            if !set.contains(&id) {
                out.entry(parent).or_default().merge(&parse::<T>(&json)?);
            }
        }
    }
    Ok(out)
}

/// Adds each node's tally (its own part plus what `tallies` holds for it already) to its
/// parent's when the parent is a node too, deepest first. A node: `(id, parent, path)`.
pub fn roll_up<T: Merge>(nodes: &[(i64, Option<i64>, &str)], tallies: &mut HashMap<i64, T>) {
    let set: HashSet<i64> = nodes.iter().map(|n| n.0).collect();
    let mut order: Vec<&(i64, Option<i64>, &str)> = nodes.iter().collect();
    order.sort_by_key(|n| std::cmp::Reverse(path::ids(n.2).len()));
    for (id, parent, _) in order {
        let Some(parent) = parent.filter(|p| set.contains(p)) else {
            continue;
        };
        if let Some(mine) = tallies.get(id).cloned() {
            tallies.entry(parent).or_default().merge(&mine);
        }
    }
}

/// Deletes the rows of `year` in `table` — of `clear` only, or all when `None`.
pub async fn clear(
    conn: &mut Conn,
    table: &'static str,
    year: i32,
    ids: Option<&[i64]>,
) -> Result<()> {
    let q = || Sql::new(format!("DELETE FROM {table} WHERE year = ")).bind(year);
    match ids {
        None => {
            q().execute(&mut *conn).await?;
        }
        Some(ids) => {
            for chunk in ids.chunks(IN_CHUNK) {
                q().push(" AND org_id IN ")
                    .in_list(chunk)
                    .execute(&mut *conn)
                    .await?;
            }
        }
    }
    Ok(())
}

/// Writes the non-empty tallies of `ids` (cleared before by the caller).
pub async fn write<T: Merge>(
    conn: &mut Conn,
    table: &'static str,
    year: i32,
    ids: &[i64],
    tallies: &HashMap<i64, T>,
) -> Result<()> {
    let mut rows: Vec<Vec<Val>> = Vec::new();
    for id in ids {
        let Some(t) = tallies.get(id).filter(|t| **t != T::default()) else {
            continue;
        };
        let json = serde_json::to_string(t).map_err(|e| StoreError::Corrupt(e.to_string()))?;
        rows.push(vec![(*id).into(), i64::from(year).into(), json.into()]);
    }
    insert_many(conn, table, &["org_id", "year", "tally"], &rows).await
}

/// The stored tallies of `ids` (an org without a row has an empty one).
pub async fn read<T: Merge>(
    conn: &mut Conn,
    table: &'static str,
    ids: &[i64],
    year: i32,
) -> Result<HashMap<i64, T>> {
    let mut out = HashMap::with_capacity(ids.len());
    for chunk in ids.chunks(IN_CHUNK) {
        let q = Sql::new(format!("SELECT org_id, tally FROM {table} WHERE year = "))
            .bind(year)
            .push(" AND org_id IN ")
            .in_list(chunk);
        for (id, json) in q.fetch_all_as::<(i64, String), _>(&mut *conn).await? {
            out.insert(id, parse::<T>(&json)?);
        }
    }
    Ok(out)
}
