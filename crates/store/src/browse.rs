//! Reads for browsing (pages and the API): pages of members and units with filters and
//! sorts, org search by name, child counts for the lazily expanding tree, and the few
//! writes the org forms need (merging moves members and units). Every scoped read takes a
//! literal [`Scope`]; none loads a whole subtree.

use std::collections::HashMap;

use sqlx::Row;

use crate::members::{member_from_row, StoredMember, MEMBER_COLS};
use crate::orgs::{org_from_row, StoredOrg, ORG_COLS};
use crate::sql::{counted_page, Sql, IN_CHUNK};
use crate::units::{from_row as unit_from_row, StoredUnit, UNIT_COLS};
use crate::{Conn, Result, Scope};

/// How a member list is ordered.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum MemberSort {
    /// By organization (the path index serves it, even for a province), then id.
    #[default]
    Org,
    Name,
    Joined,
    Birth,
}

impl MemberSort {
    pub fn parse(s: &str) -> Option<MemberSort> {
        Some(match s {
            "org" => MemberSort::Org,
            "name" => MemberSort::Name,
            "joined" => MemberSort::Joined,
            "birth" => MemberSort::Birth,
            _ => return None,
        })
    }

    pub fn code(self) -> &'static str {
        match self {
            MemberSort::Org => "org",
            MemberSort::Name => "name",
            MemberSort::Joined => "joined",
            MemberSort::Birth => "birth",
        }
    }

    fn order_by(self) -> &'static str {
        match self {
            MemberSort::Org => "org_path, id",
            MemberSort::Name => "name, id",
            MemberSort::Joined => "joined_on, id",
            MemberSort::Birth => "birth_date, id",
        }
    }
}

/// A filter on current members (those not exited).
#[derive(Debug, Clone, Default)]
pub struct MemberFilter {
    /// Part of the name.
    pub name_like: Option<String>,
    /// The keyed hash of an exact ID number.
    pub id_hash: Option<String>,
    /// Only the members whose relation is in this org itself.
    pub org_id: Option<i64>,
    /// Only this member (a `Member` user sees themself only).
    pub member_id: Option<i64>,
    /// A `MemberStatus` code (Full, Probationary).
    pub status: Option<String>,
    /// A `Gender` code (Male, Female).
    pub gender: Option<String>,
    /// Only those away (流动党员).
    pub mobile: bool,
    /// Only those out of contact (失联党员).
    pub lost_contact: bool,
    /// Born after the first day and on or before the second (an age band).
    pub born: Option<(chrono::NaiveDate, chrono::NaiveDate)>,
    /// Joined after the first day and on or before the second (a band of 党龄).
    pub joined: Option<(chrono::NaiveDate, chrono::NaiveDate)>,
    /// An `Education` label (大学本科…).
    pub education: Option<String>,
    pub sort: MemberSort,
}

impl MemberFilter {
    /// Whether the filter narrows the subtree's current members at all (else its stored
    /// count is the total).
    pub fn narrows(&self) -> bool {
        self.name_like.is_some()
            || self.id_hash.is_some()
            || self.member_id.is_some()
            || self.status.is_some()
            || self.gender.is_some()
            || self.mobile
            || self.lost_contact
            || self.born.is_some()
            || self.joined.is_some()
            || self.education.is_some()
    }
}

/// Escapes `%`, `_` and `\` for a LIKE pattern with `ESCAPE '\'`.
/// Narrows to the names containing `n` (taken literally), unless it is empty.
fn name_like(q: Sql, n: Option<&str>) -> Sql {
    match n.filter(|n| !n.is_empty()) {
        Some(n) => q
            .push(" AND name LIKE ")
            .bind(format!("%{}%", like_escape(n)))
            .push(" ESCAPE '\\'"),
        None => q,
    }
}

fn like_escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + 2);
    for c in s.chars() {
        if matches!(c, '%' | '_' | '\\') {
            out.push('\\');
        }
        out.push(c);
    }
    out
}

/// A page of current members in `scope` matching `filter`, and the total matching. When
/// `known_total` is given (the stored subtree count, for an unfiltered list) the count
/// query is skipped: counting a province's members live takes seconds (SCALE.md).
pub async fn members_page(
    conn: &mut Conn,
    scope: &Scope,
    filter: &MemberFilter,
    offset: i64,
    limit: i64,
    known_total: Option<i64>,
) -> Result<(Vec<StoredMember>, i64)> {
    let select = |what: &str| {
        let q = Sql::new(format!("SELECT {what} FROM member WHERE "))
            .scope("org_path", scope)
            .push(" AND exited_on IS NULL");
        let mut q = name_like(q, filter.name_like.as_deref());
        if let Some(h) = &filter.id_hash {
            q = q.push(" AND id_hash = ").bind(h.as_str());
        }
        if let Some(o) = filter.org_id {
            q = q.push(" AND org_id = ").bind(o);
        }
        if let Some(m) = filter.member_id {
            q = q.push(" AND id = ").bind(m);
        }
        if let Some(st) = &filter.status {
            q = q.push(" AND status = ").bind(st.as_str());
        }
        if let Some(g) = &filter.gender {
            q = q.push(" AND gender = ").bind(g.as_str());
        }
        if filter.mobile {
            q = q.push(" AND mobile = ").bind(1i64);
        }
        if filter.lost_contact {
            q = q.push(" AND lost_contact = ").bind(1i64);
        }
        if let Some((after, until)) = filter.born {
            q = q
                .push(" AND birth_date > ")
                .bind(after)
                .push(" AND birth_date <= ")
                .bind(until);
        }
        if let Some((after, until)) = filter.joined {
            q = q
                .push(" AND joined_on > ")
                .bind(after)
                .push(" AND joined_on <= ")
                .bind(until);
        }
        if let Some(e) = &filter.education {
            q = q.push(" AND education = ").bind(e.as_str());
        }
        q
    };
    let columns = (MEMBER_COLS, filter.sort.order_by());
    counted_page(
        conn,
        select,
        columns,
        (offset, limit),
        known_total,
        member_from_row,
    )
    .await
}

/// A filter on units.
#[derive(Debug, Clone, Default)]
pub struct UnitFilter {
    pub name_like: Option<String>,
    /// A `Coverage` code (OwnOrg, JointOrg, Instructor, Uncovered…).
    pub coverage: Option<String>,
    /// A `Domain` code.
    pub domain: Option<String>,
}

/// A page of units in `scope` by name, and the total matching.
pub async fn units_page(
    conn: &mut Conn,
    scope: &Scope,
    filter: &UnitFilter,
    offset: i64,
    limit: i64,
) -> Result<(Vec<StoredUnit>, i64)> {
    let select = |what: &str| {
        let q = Sql::new(format!("SELECT {what} FROM unit WHERE ")).scope("org_path", scope);
        let mut q = name_like(q, filter.name_like.as_deref());
        if let Some(c) = &filter.coverage {
            q = q.push(" AND coverage = ").bind(c.as_str());
        }
        if let Some(d) = &filter.domain {
            q = q.push(" AND domain = ").bind(d.as_str());
        }
        q
    };
    let columns = (UNIT_COLS, "name, id");
    counted_page(conn, select, columns, (offset, limit), None, unit_from_row).await
}

/// Orgs in `scope` whose name contains `q`, at most `limit`, by path. The scan stops at
/// `limit` matches, so a common word in a province answers quickly.
pub async fn search_orgs(
    conn: &mut Conn,
    scope: &Scope,
    q: &str,
    limit: i64,
) -> Result<Vec<StoredOrg>> {
    let rows = Sql::new(format!("SELECT {ORG_COLS} FROM org WHERE "))
        .scope("path", scope)
        .push(" AND name LIKE ")
        .bind(format!("%{}%", like_escape(q)))
        .push(" ESCAPE '\\' LIMIT ")
        .bind(limit)
        .fetch_all(&mut *conn)
        .await?;
    let mut out = rows.iter().map(org_from_row).collect::<Result<Vec<_>>>()?;
    out.sort_by(|a, b| a.path.cmp(&b.path));
    Ok(out)
}

/// How many children (dissolved ones included) each of `parents` has.
pub async fn child_counts(conn: &mut Conn, parents: &[i64]) -> Result<HashMap<i64, i64>> {
    let mut out = HashMap::new();
    for chunk in parents.chunks(IN_CHUNK) {
        let q = Sql::new("SELECT parent_id, COUNT(*) AS n FROM org WHERE parent_id IN ")
            .in_list(chunk.iter().copied())
            .push(" GROUP BY parent_id");
        for row in q.fetch_all(&mut *conn).await? {
            out.insert(row.try_get("parent_id")?, row.try_get("n")?);
        }
    }
    Ok(out)
}

/// Names of members by id (any scope: for positions of an org the caller has checked).
pub async fn member_names(conn: &mut Conn, ids: &[i64]) -> Result<HashMap<i64, String>> {
    let mut out = HashMap::new();
    for chunk in ids.chunks(IN_CHUNK) {
        let q = Sql::new("SELECT id, name FROM member WHERE id IN ").in_list(chunk.iter().copied());
        for row in q.fetch_all(&mut *conn).await? {
            out.insert(row.try_get("id")?, row.try_get("name")?);
        }
    }
    Ok(out)
}

/// Moves the members, units and people applying (发展党员) of `from` into `to` (whose path
/// is `to_path`), the ends of its unsettled letters (组织关系转接) and its current 流入党员:
/// a merge. Returns how
/// many members and units moved.
pub async fn move_members_and_units(
    conn: &mut Conn,
    from: i64,
    to: i64,
    to_path: &str,
) -> Result<(u64, u64)> {
    let mut moved = [0u64; 3];
    for (i, table) in ["member", "unit", "applicant"].iter().enumerate() {
        let done = sqlx::query(&format!(
            "UPDATE {table} SET org_id = $1, org_path = $2, updated_at = $3 WHERE org_id = $4"
        ))
        .bind(to)
        .bind(to_path.to_string())
        .bind(crate::now_text())
        .bind(from)
        .execute(&mut *conn)
        .await?;
        moved[i] = done.rows_affected();
    }
    for end in ["from", "to"] {
        sqlx::query(&format!(
            "UPDATE member_transfer SET {end}_org_id = $1, {end}_path = $2 \
             WHERE {end}_org_id = $3 AND state IN ('issued', 'returned')"
        ))
        .bind(to)
        .bind(to_path.to_string())
        .bind(from)
        .execute(&mut *conn)
        .await?;
    }
    // 流入党员 taking part in the merged branch now take part in the one it joins.
    sqlx::query(
        "UPDATE mobile_in SET org_id = $1, org_path = $2 WHERE org_id = $3 AND until IS NULL",
    )
    .bind(to)
    .bind(to_path.to_string())
    .bind(from)
    .execute(&mut *conn)
    .await?;
    Ok((moved[0], moved[1]))
}

/// Live (not dissolved) children of an org, for the checks before dissolving.
pub async fn live_children(conn: &mut Conn, parent: i64) -> Result<i64> {
    let row = sqlx::query("SELECT COUNT(*) FROM org WHERE parent_id = $1 AND dissolved_on IS NULL")
        .bind(parent)
        .fetch_one(&mut *conn)
        .await?;
    Ok(row.try_get(0)?)
}

/// The roots of the tree (orgs without a parent), by id.
pub async fn roots(conn: &mut Conn) -> Result<Vec<StoredOrg>> {
    Sql::new(format!(
        "SELECT {ORG_COLS} FROM org WHERE parent_id IS NULL ORDER BY id LIMIT 100"
    ))
    .fetch_map(&mut *conn, org_from_row)
    .await
}

/// Live orgs in the scope by kind code.
pub async fn kind_counts(conn: &mut Conn, scope: &Scope) -> Result<HashMap<String, i64>> {
    let q = Sql::new("SELECT kind, COUNT(*) AS n FROM org WHERE ")
        .scope("path", scope)
        .push(" AND dissolved_on IS NULL GROUP BY kind");
    let mut out = HashMap::new();
    for row in q.fetch_all(&mut *conn).await? {
        out.insert(row.try_get("kind")?, row.try_get("n")?);
    }
    Ok(out)
}

/// Orgs in the scope in path order (parents first), at most `limit`.
pub async fn orgs_in_scope(conn: &mut Conn, scope: &Scope, limit: i64) -> Result<Vec<StoredOrg>> {
    Sql::new(format!("SELECT {ORG_COLS} FROM org WHERE "))
        .scope("path", scope)
        .push(" ORDER BY path LIMIT ")
        .bind(limit)
        .fetch_map(&mut *conn, org_from_row)
        .await
}
