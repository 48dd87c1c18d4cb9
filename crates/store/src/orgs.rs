//! The org tree: rows, paths, lookups, history.

use std::collections::HashMap;

use jiceng_domain::{path, Domain, Org, OrgKind, RegionCode};
use sqlx::any::AnyRow;
use sqlx::Row;

use crate::row::{from_row, Cells};
use crate::sql::{insert_many, Sql, Val, IN_CHUNK};
use crate::{Conn, Result, Scope, StoreError};

/// An org as stored: the record, its place in the tree and its stored facts.
#[derive(Debug, Clone, PartialEq)]
pub struct StoredOrg {
    pub org: Org,
    pub path: String,
    pub depth: i64,
    pub facts: StoredFacts,
}

/// Facts derived from members, positions and units (see `facts`).
#[derive(Debug, Clone, Default, PartialEq)]
pub struct StoredFacts {
    pub direct_members: i64,
    pub direct_full: i64,
    pub subtree_members: i64,
    pub subtree_full: i64,
    pub units_covered: i64,
    pub has_secretary: bool,
    pub secretary_vacant_since: Option<chrono::NaiveDate>,
    /// The day the facts were computed for; `None` if never.
    pub facts_on: Option<chrono::NaiveDate>,
}

pub(crate) const ORG_COLS: &str =
    "id, code, name, kind, domain, region_code, parent_id, path, depth, \
    founded_on, last_election_on, committee, term_years, temporary, approving_org, dissolved_on, direct_members, \
    direct_full, subtree_members, subtree_full, units_covered, has_secretary, \
    secretary_vacant_since, facts_on";

pub(crate) fn org_from_row(row: &AnyRow) -> Result<StoredOrg> {
    let kind: String = row.try_get("kind")?;
    let domain: Option<String> = row.try_get("domain")?;
    let region: Option<String> = row.try_get("region_code")?;
    let org = from_row!(
        row,
        Org {
            id,
            code,
            name,
            kind: OrgKind::from_code(&kind)
                .ok_or_else(|| StoreError::Corrupt(format!("组织类别 {kind}")))?,
            domain: match domain {
                Some(d) => Some(
                    Domain::from_code(&d)
                        .ok_or_else(|| StoreError::Corrupt(format!("领域 {d}")))?,
                ),
                None => None,
            },
            region_code: region
                .map(|r| RegionCode::parse(&r))
                .transpose()
                .map_err(StoreError::Corrupt)?,
            parent_id,
            founded_on: row.opt_date("founded_on")?,
            last_election_on: row.opt_date("last_election_on")?,
            committee: committee_from(row.try_get("committee")?)?,
            term_years,
            temporary: row.flag("temporary")?,
            approving_org,
            dissolved_on: row.opt_date("dissolved_on")?,
        }
    );
    Ok(StoredOrg {
        org,
        path: row.try_get("path")?,
        depth: row.try_get("depth")?,
        facts: from_row!(
            row,
            StoredFacts {
                direct_members,
                direct_full,
                subtree_members,
                subtree_full,
                units_covered,
                has_secretary: row.flag("has_secretary")?,
                secretary_vacant_since: row.opt_date("secretary_vacant_since")?,
                facts_on: row.opt_date("facts_on")?,
            }
        ),
    })
}

/// `org.committee`: 'yes', 'no', or NULL when nobody stated it.
pub fn committee_text(c: Option<bool>) -> Option<&'static str> {
    c.map(|c| if c { "yes" } else { "no" })
}

pub(crate) fn committee_from(s: Option<String>) -> Result<Option<bool>> {
    match s.as_deref() {
        None => Ok(None),
        Some("yes") => Ok(Some(true)),
        Some("no") => Ok(Some(false)),
        Some(other) => Err(StoreError::Corrupt(format!("委员会 {other}"))),
    }
}

/// An org's own fields, as `update` writes them (`insert` writes them too, after the
/// tree columns).
const RECORD_COLS: [&str; 13] = [
    "code",
    "name",
    "kind",
    "domain",
    "region_code",
    "founded_on",
    "last_election_on",
    "committee",
    "has_committee",
    "term_years",
    "temporary",
    "approving_org",
    "dissolved_on",
];

/// The values of `RECORD_COLS`, in order. `has_committee` (read by code written before
/// the committee could be unknown) follows `committee`: unknown is stored as 0 there.
fn record_vals(o: &Org) -> Vec<Val> {
    vec![
        o.code.clone().into(),
        o.name.clone().into(),
        o.kind.code().into(),
        o.domain.map(|d| d.code()).into(),
        o.region_code.as_ref().map(|r| r.as_str()).into(),
        o.founded_on.into(),
        o.last_election_on.into(),
        committee_text(o.committee).into(),
        (o.committee == Some(true)).into(),
        Val::OptInt(o.term_years),
        o.temporary.into(),
        o.approving_org.clone().into(),
        o.dissolved_on.into(),
    ]
}

/// Inserts orgs whose parents are stored already or come earlier in `orgs`. Returns the
/// path of each, in order.
pub async fn insert(conn: &mut Conn, orgs: &[Org]) -> Result<Vec<String>> {
    let mut known: HashMap<i64, String> = HashMap::new();
    let missing: Vec<i64> = {
        let ids: std::collections::HashSet<i64> = orgs.iter().map(|o| o.id).collect();
        let mut m: Vec<i64> = orgs
            .iter()
            .filter_map(|o| o.parent_id)
            .filter(|p| !ids.contains(p))
            .collect();
        m.sort_unstable();
        m.dedup();
        m
    };
    for chunk in missing.chunks(IN_CHUNK) {
        let q = Sql::new("SELECT id, path FROM org WHERE id IN ").in_list(chunk.iter().copied());
        for row in q.fetch_all(&mut *conn).await? {
            known.insert(row.try_get("id")?, row.try_get("path")?);
        }
    }
    let now = crate::now_text();
    let mut rows = Vec::with_capacity(orgs.len());
    let mut paths = Vec::with_capacity(orgs.len());
    for o in orgs {
        let parent_path = match o.parent_id {
            Some(p) => Some(
                known
                    .get(&p)
                    .cloned()
                    .ok_or_else(|| StoreError::NotFound(format!("上级党组织（id {p}）")))?,
            ),
            None => None,
        };
        let p = path::child_path(parent_path.as_deref(), o.id);
        known.insert(o.id, p.clone());
        let mut vals = vec![
            Val::Int(o.id),
            Val::OptInt(o.parent_id),
            p.clone().into(),
            (path::depth(&p) as i64).into(),
        ];
        vals.extend(record_vals(o));
        vals.push(now.clone().into());
        rows.push(vals);
        paths.push(p);
    }
    insert_many(
        conn,
        "org",
        &[
            &["id", "parent_id", "path", "depth"][..],
            &RECORD_COLS,
            &["updated_at"],
        ]
        .concat(),
        &rows,
    )
    .await?;
    Ok(paths)
}

/// Updates an org's own fields (not its place in the tree: see `move_subtree`).
pub async fn update(conn: &mut Conn, o: &Org) -> Result<()> {
    let columns = [&["id"][..], &RECORD_COLS, &["updated_at"]].concat();
    let mut vals = vec![Val::Int(o.id)];
    vals.extend(record_vals(o));
    vals.push(crate::now_text().into());
    let done = crate::sql::update_row(conn, "org", &columns, vals).await?;
    if done.rows_affected() == 0 {
        return Err(StoreError::NotFound(format!("党组织（id {}）", o.id)));
    }
    Ok(())
}

pub use crate::tree::move_subtree;

/// The orgs in the scope whose `column` equals `v`, then `tail` (ORDER BY, LIMIT).
async fn select_where(
    conn: &mut Conn,
    scope: &Scope,
    column: &'static str,
    v: Val,
    tail: &str,
) -> Result<Vec<StoredOrg>> {
    Sql::new(format!("SELECT {ORG_COLS} FROM org WHERE {column} = "))
        .bind(v)
        .push(" AND ")
        .scope("path", scope)
        .push(tail)
        .fetch_map(&mut *conn, org_from_row)
        .await
}

/// One org by id, if it is in the scope.
pub async fn get(conn: &mut Conn, scope: &Scope, id: i64) -> Result<Option<StoredOrg>> {
    Ok(select_where(conn, scope, "id", id.into(), "").await?.pop())
}

/// One org by code, if it is in the scope.
pub async fn get_by_code(conn: &mut Conn, scope: &Scope, code: &str) -> Result<Option<StoredOrg>> {
    Ok(select_where(conn, scope, "code", code.into(), "")
        .await?
        .pop())
}

/// Orgs with exactly this name in the scope.
pub async fn find_by_name(conn: &mut Conn, scope: &Scope, name: &str) -> Result<Vec<StoredOrg>> {
    select_where(conn, scope, "name", name.into(), " ORDER BY path LIMIT 50").await
}

/// Every org in the scope, in path order (parents before children). For a province this
/// is some 300 thousand rows: callers that only need counts read stored facts instead.
pub async fn list(conn: &mut Conn, scope: &Scope) -> Result<Vec<StoredOrg>> {
    Sql::new(format!("SELECT {ORG_COLS} FROM org WHERE "))
        .scope("path", scope)
        .push(" ORDER BY path")
        .fetch_map(&mut *conn, org_from_row)
        .await
}

/// The children of an org, in 党内 order (division code, then name with numbers counted).
pub async fn children(conn: &mut Conn, scope: &Scope, parent_id: i64) -> Result<Vec<StoredOrg>> {
    let mut kids =
        select_where(conn, scope, "parent_id", parent_id.into(), " ORDER BY name").await?;
    // 党内顺序: by division code, then by name with its numbers counted (第一、第二、第三).
    jiceng_domain::order::sort_siblings(&mut kids, |o| &o.org);
    Ok(kids)
}

/// Orgs by id (any scope: for internal use after the caller has checked the scope).
pub async fn by_ids(conn: &mut Conn, ids: &[i64]) -> Result<Vec<StoredOrg>> {
    let mut out = Vec::with_capacity(ids.len());
    for chunk in ids.chunks(IN_CHUNK) {
        let q = Sql::new(format!("SELECT {ORG_COLS} FROM org WHERE id IN "))
            .in_list(chunk.iter().copied());
        for row in q.fetch_all(&mut *conn).await? {
            out.push(org_from_row(&row)?);
        }
    }
    Ok(out)
}

/// Counts orgs in the scope.
pub async fn count(conn: &mut Conn, scope: &Scope) -> Result<i64> {
    Sql::new("SELECT COUNT(*) FROM org WHERE ")
        .scope("path", scope)
        .fetch_scalar(&mut *conn)
        .await
}

/// One entry of an org's history (who, when, what, why).
#[derive(Debug, Clone, PartialEq)]
pub struct HistoryEntry {
    pub org_id: i64,
    pub actor: String,
    pub action: String,
    pub reason: Option<String>,
    pub before: Option<String>,
    pub after: Option<String>,
}

pub async fn record_history(
    conn: &mut Conn,
    first_id: i64,
    entries: &[HistoryEntry],
) -> Result<()> {
    let now = crate::now_text();
    let rows: Vec<Vec<Val>> = entries
        .iter()
        .enumerate()
        .map(|(i, e)| {
            vec![
                Val::Int(first_id + i as i64),
                e.org_id.into(),
                now.clone().into(),
                e.actor.clone().into(),
                e.action.clone().into(),
                e.reason.clone().into(),
                e.before.clone().into(),
                e.after.clone().into(),
            ]
        })
        .collect();
    insert_many(
        conn,
        "org_history",
        &[
            "id", "org_id", "at", "actor", "action", "reason", "before", "after",
        ],
        &rows,
    )
    .await
}

/// An org's history, newest first.
pub async fn history(conn: &mut Conn, org_id: i64) -> Result<Vec<(String, HistoryEntry)>> {
    Sql::new(
        "SELECT org_id, at, actor, action, reason, before, after FROM org_history WHERE org_id = ",
    )
    .bind(org_id)
    .push(" ORDER BY id DESC")
    .fetch_map(&mut *conn, |r| {
        let entry = from_row!(
            r,
            HistoryEntry {
                org_id,
                actor,
                action,
                reason,
                before,
                after
            }
        );
        Ok((r.try_get("at")?, entry))
    })
    .await
}
