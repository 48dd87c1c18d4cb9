//! 经费保障 counted per org (issue #18; migration 0046), so that a province's funding
//! overview reads one row per org it shows instead of grouping a year's records over its
//! whole path range:
//!
//! - `funding_tally`: each org's subtree of a year — the sums by kind and source, the orgs
//!   with a record, and how its judged orgs stand against the year's standards;
//! - `funding_listed`: each org a list of the overview names — below standard, without a
//!   运转经费 record (未录入), or with a collective income — walked in path order;
//! - `funding_built`: the years built whole, with the standards they were judged by.
//!
//! A year is built whole on its first overview ([`ensure`]), bottom-up in memory and
//! written once. From then on [`refresh`] recomputes the touched orgs and all their
//! ancestors in the writer's transaction (a record written or removed; `facts::refresh`
//! for an org added, moved, dissolved or changed), from their own records and the stored
//! tallies of their untouched children — as `training::refresh` does. Standards other
//! than those a year was built by (the department set new ones, or another rule set came
//! into force) make the next overview build the year again. The figures equal those of
//! `funding::{totals, standing, collective_incomes, child_sums}`, which compute them from
//! the records and stay the definition the stored ones are tested against.

use std::collections::{BTreeMap, HashMap};

use jiceng_domain::funding::{FundingKind, FundingSource};
use jiceng_domain::OrgKind;
use serde::{Deserialize, Serialize};
use sqlx::Row;

use crate::funding::{ChildSums, JudgedOrg, StandardFen, Totals, VillageIncome};
use crate::rollup::{self, Merge};
use crate::sql::{insert_many, Sql, Val, IN_CHUNK};
use crate::{Conn, Result, Scope, StoreError};

const TALLY: &str = "funding_tally";
const LISTED: &str = "funding_listed";

/// A subtree's funding of a year, as stored (JSON) per org.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Tally {
    /// `"Kind/Source"` → `[fen, records]`.
    pub cells: BTreeMap<String, [i64; 2]>,
    /// Orgs with at least one record of the year.
    pub orgs_recorded: i64,
    /// Live orgs judged against a standard, those below it, those without a 运转经费
    /// record, and the shortfall of those below (fen).
    pub judged: i64,
    pub below: i64,
    pub missing: i64,
    pub shortfall_fen: i64,
}

impl Merge for Tally {
    fn merge(&mut self, o: &Tally) {
        for (k, v) in &o.cells {
            let c = self.cells.entry(k.clone()).or_default();
            c[0] += v[0];
            c[1] += v[1];
        }
        self.orgs_recorded += o.orgs_recorded;
        self.judged += o.judged;
        self.below += o.below;
        self.missing += o.missing;
        self.shortfall_fen += o.shortfall_fen;
    }
}

impl Tally {
    /// The sums by kind and source, as `funding::totals` gives them.
    pub fn totals(&self) -> Result<Totals> {
        let mut cells = Vec::with_capacity(self.cells.len());
        for (key, [fen, n]) in &self.cells {
            let (k, s) = key.split_once('/').unwrap_or((key, ""));
            let kind = FundingKind::from_code(k)
                .ok_or_else(|| StoreError::Corrupt(format!("经费类型 {k}")))?;
            let source = FundingSource::from_code(s)
                .ok_or_else(|| StoreError::Corrupt(format!("经费来源 {s}")))?;
            cells.push((kind, source, *fen, *n));
        }
        Ok(Totals {
            cells,
            orgs_recorded: self.orgs_recorded,
        })
    }

    /// 运转经费, all kinds received, and collective income (fen).
    fn sums(&self) -> (i64, i64, i64) {
        let (mut op, mut rec, mut col) = (0, 0, 0);
        for (key, [fen, _]) in &self.cells {
            let kind = key.split_once('/').map_or(key.as_str(), |(k, _)| k);
            if kind == FundingKind::Operating.code() {
                op += fen;
            }
            if kind == FundingKind::CollectiveIncome.code() {
                col += fen;
            } else {
                rec += fen;
            }
        }
        (op, rec, col)
    }
}

/// What an org is for the judging (`funding::standing`'s SQL, in Rust).
#[derive(Debug, Clone)]
struct Node {
    id: i64,
    parent: Option<i64>,
    path: String,
    domain: Option<String>,
    kind: String,
    live: bool,
    /// A village org under a village 党委 or 党总支: judged at the village, not itself.
    under_village: bool,
}

const NODE_SQL: &str = "SELECT o.id, o.parent_id, o.path, o.domain, o.kind, o.dissolved_on, \
     p.domain AS pdomain, p.kind AS pkind FROM org o LEFT JOIN org p ON p.id = o.parent_id";

fn node_of(r: &sqlx::any::AnyRow) -> Result<Node> {
    let domain: Option<String> = r.try_get("domain")?;
    let pdomain: Option<String> = r.try_get("pdomain")?;
    let pkind: Option<String> = r.try_get("pkind")?;
    let village = Some("Village");
    let committee = [
        OrgKind::PrimaryCommittee.code(),
        OrgKind::GeneralBranch.code(),
    ];
    Ok(Node {
        id: r.try_get("id")?,
        parent: r.try_get("parent_id")?,
        path: r.try_get("path")?,
        under_village: domain.as_deref() == village
            && pdomain.as_deref() == village
            && pkind.is_some_and(|k| committee.contains(&k.as_str())),
        domain,
        kind: r.try_get("kind")?,
        live: r.try_get::<Option<String>, _>("dissolved_on")?.is_none(),
    })
}

/// The standard an org is judged by: the first of its domain and level, else of its
/// domain at every level (as `funding::judged_sql` orders them).
fn standard_of(n: &Node, standards: &[StandardFen]) -> Option<i64> {
    let rated = [
        OrgKind::PrimaryCommittee.code(),
        OrgKind::GeneralBranch.code(),
        OrgKind::Branch.code(),
    ];
    if !n.live || n.under_village || !rated.contains(&n.kind.as_str()) {
        return None;
    }
    let domain = n.domain.as_deref()?;
    let of = |level: bool| {
        standards.iter().find(|s| {
            s.domain == domain
                && match &s.level {
                    Some(l) => level && *l == n.kind,
                    None => !level,
                }
        })
    };
    of(true).or_else(|| of(false)).map(|s| s.operating_fen)
}

/// One org's own records of the year: `(kind, source, fen)`.
type Own = Vec<(String, String, i64)>;

/// An org's own tally and the list rows it belongs in: `(status, standard, fen)`.
fn own(n: &Node, records: &Own, standards: &[StandardFen]) -> (Tally, Vec<Listed>) {
    let mut t = Tally::default();
    let mut listed = Vec::new();
    let (mut op, mut col) = (None::<i64>, None::<i64>);
    for (kind, source, fen) in records {
        let c = t.cells.entry(format!("{kind}/{source}")).or_default();
        c[0] += fen;
        c[1] += 1;
        if kind == FundingKind::Operating.code() {
            *op.get_or_insert(0) += fen;
        }
        if kind == FundingKind::CollectiveIncome.code() {
            *col.get_or_insert(0) += fen;
        }
    }
    t.orgs_recorded = i64::from(!records.is_empty());
    if let Some(std) = standard_of(n, standards) {
        t.judged = 1;
        match op {
            None => {
                t.missing = 1;
                listed.push(Listed::new(n, "missing", Some(std), None));
            }
            Some(f) if f < std => {
                t.below = 1;
                t.shortfall_fen = std - f;
                listed.push(Listed::new(n, "below", Some(std), Some(f)));
            }
            Some(_) => {}
        }
    }
    if let Some(f) = col {
        listed.push(Listed::new(n, "income", None, Some(f)));
    }
    (t, listed)
}

/// A row of `funding_listed`.
#[derive(Debug, Clone)]
struct Listed {
    org_id: i64,
    status: &'static str,
    path: String,
    standard_fen: Option<i64>,
    fen: Option<i64>,
}

impl Listed {
    fn new(n: &Node, status: &'static str, standard_fen: Option<i64>, fen: Option<i64>) -> Self {
        Listed {
            org_id: n.id,
            status,
            path: n.path.clone(),
            standard_fen,
            fen,
        }
    }
}

/// The records of a year, of `ids` only when given: org → its own records.
async fn records(conn: &mut Conn, year: i32, ids: Option<&[i64]>) -> Result<HashMap<i64, Own>> {
    let mut out: HashMap<i64, Own> = HashMap::new();
    let q = || {
        Sql::new("SELECT org_id, kind, source, amount_fen FROM funding WHERE year = ").bind(year)
    };
    let mut add = |rows: Vec<sqlx::any::AnyRow>| -> Result<()> {
        for r in rows {
            out.entry(r.try_get("org_id")?).or_default().push((
                r.try_get("kind")?,
                r.try_get("source")?,
                r.try_get("amount_fen")?,
            ));
        }
        Ok(())
    };
    match ids {
        None => add(q().fetch_all(&mut *conn).await?)?,
        Some(ids) => {
            for chunk in ids.chunks(IN_CHUNK) {
                add(q()
                    .push(" AND org_id IN ")
                    .in_list(chunk)
                    .fetch_all(&mut *conn)
                    .await?)?;
            }
        }
    }
    Ok(out)
}

/// The standards a built year was judged by, or `None` if the year is not built.
async fn built(conn: &mut Conn, year: i32) -> Result<Option<Vec<StandardFen>>> {
    let json: Option<String> = Sql::new("SELECT standards FROM funding_built WHERE year = ")
        .bind(year)
        .fetch_optional(&mut *conn)
        .await?
        .map(|r| r.try_get("standards"))
        .transpose()?;
    json.map(|j| serde_json::from_str(&j).map_err(|e| StoreError::Corrupt(e.to_string())))
        .transpose()
}

/// Whether `year` is built for `standards` (a read: no lock, no write).
pub async fn is_built(conn: &mut Conn, year: i32, standards: &[StandardFen]) -> Result<bool> {
    Ok(built(conn, year).await?.as_deref() == Some(standards))
}

/// Builds `year` whole for `standards` unless it was built for them already; returns
/// whether it built (the caller commits). Serialised with [`refresh`] by locking the roots.
pub async fn ensure(conn: &mut Conn, year: i32, standards: &[StandardFen]) -> Result<bool> {
    if built(conn, year).await?.as_deref() == Some(standards) {
        return Ok(false);
    }
    rollup::lock_roots(conn).await?;
    // Another writer may have built it while this one waited for the lock.
    if built(conn, year).await?.as_deref() == Some(standards) {
        return Ok(false);
    }
    build(conn, year, standards).await?;
    let json = serde_json::to_string(standards).map_err(|e| StoreError::Corrupt(e.to_string()))?;
    Sql::new("DELETE FROM funding_built WHERE year = ")
        .bind(year)
        .execute(&mut *conn)
        .await?;
    insert_many(
        conn,
        "funding_built",
        &["year", "standards", "built_at"],
        &[vec![
            i64::from(year).into(),
            json.into(),
            crate::now_text().into(),
        ]],
    )
    .await?;
    Ok(true)
}

/// Computes every org's tally and list rows of `year`, deepest first, and writes them.
async fn build(conn: &mut Conn, year: i32, standards: &[StandardFen]) -> Result<()> {
    let nodes = Sql::new(NODE_SQL).fetch_map(&mut *conn, node_of).await?;
    let recs = records(conn, year, None).await?;
    let ids: Vec<i64> = nodes.iter().map(|n| n.id).collect();
    let (tallies, listed) = compute(&nodes, &recs, standards, HashMap::new());
    rollup::clear(conn, TALLY, year, None).await?;
    rollup::clear(conn, LISTED, year, None).await?;
    write(conn, year, &ids, &tallies, &listed).await
}

/// Each node's subtree tally (its own part, the `seeds` of its untouched children, its
/// nodes' children's), and the list rows of the nodes themselves.
fn compute(
    nodes: &[Node],
    recs: &HashMap<i64, Own>,
    standards: &[StandardFen],
    mut tallies: HashMap<i64, Tally>,
) -> (HashMap<i64, Tally>, Vec<Listed>) {
    let mut listed = Vec::new();
    let empty = Own::new();
    for n in nodes {
        let (t, l) = own(n, recs.get(&n.id).unwrap_or(&empty), standards);
        tallies.entry(n.id).or_default().merge(&t);
        listed.extend(l);
    }
    let links: Vec<(i64, Option<i64>, &str)> = nodes
        .iter()
        .map(|n| (n.id, n.parent, n.path.as_str()))
        .collect();
    rollup::roll_up(&links, &mut tallies);
    (tallies, listed)
}

/// Recomputes the tallies and list rows of `touched` and all their ancestors for every
/// built year, in the caller's transaction.
pub async fn refresh(conn: &mut Conn, touched: &[i64]) -> Result<()> {
    if touched.is_empty() {
        return Ok(());
    }
    let years: Vec<(i64, String)> = Sql::new("SELECT year, standards FROM funding_built")
        .fetch_all_as(&mut *conn)
        .await?;
    for (year, json) in years {
        let standards: Vec<StandardFen> =
            serde_json::from_str(&json).map_err(|e| StoreError::Corrupt(e.to_string()))?;
        refresh_year(conn, touched, year as i32, &standards).await?;
    }
    Ok(())
}

/// [`refresh`] for the year of a record written or removed (nothing while the year is
/// not built: its first overview builds it).
pub async fn refresh_record(conn: &mut Conn, orgs: &[i64], year: i32) -> Result<()> {
    if let Some(standards) = built(conn, year).await? {
        refresh_year(conn, orgs, year, &standards).await?;
    }
    Ok(())
}

async fn refresh_year(
    conn: &mut Conn,
    touched: &[i64],
    year: i32,
    standards: &[StandardFen],
) -> Result<()> {
    let ids = rollup::chain(conn, touched).await?;
    let mut nodes = Vec::with_capacity(ids.len());
    for chunk in ids.chunks(IN_CHUNK) {
        let q = Sql::new(format!("{NODE_SQL} WHERE o.id IN ")).in_list(chunk);
        nodes.extend(q.fetch_map(&mut *conn, node_of).await?);
    }
    let recs = records(conn, year, Some(&ids)).await?;
    let seeds = rollup::seeds(conn, TALLY, year, &ids).await?;
    let (tallies, listed) = compute(&nodes, &recs, standards, seeds);
    rollup::clear(conn, TALLY, year, Some(&ids)).await?;
    rollup::clear(conn, LISTED, year, Some(&ids)).await?;
    write(conn, year, &ids, &tallies, &listed).await
}

/// Writes the non-empty tallies of `ids` and the list rows (their rows cleared before).
async fn write(
    conn: &mut Conn,
    year: i32,
    ids: &[i64],
    tallies: &HashMap<i64, Tally>,
    listed: &[Listed],
) -> Result<()> {
    rollup::write(conn, TALLY, year, ids, tallies).await?;
    let rows: Vec<Vec<Val>> = listed
        .iter()
        .map(|l| {
            vec![
                l.org_id.into(),
                i64::from(year).into(),
                l.status.into(),
                l.path.clone().into(),
                l.standard_fen.into(),
                l.fen.into(),
            ]
        })
        .collect();
    insert_many(
        conn,
        "funding_listed",
        &[
            "org_id",
            "year",
            "status",
            "org_path",
            "standard_fen",
            "fen",
        ],
        &rows,
    )
    .await
}

/// The stored tally of `org_id`'s subtree for `year` (none: nothing in it).
pub async fn tally(conn: &mut Conn, org_id: i64, year: i32) -> Result<Tally> {
    Ok(rollup::read::<Tally>(conn, TALLY, &[org_id], year)
        .await?
        .remove(&org_id)
        .unwrap_or_default())
}

fn listed_sql(scope: &Scope, year: i32, status: &str, limit: i64) -> Sql {
    Sql::new(
        "SELECT l.org_id, o.code, o.name, l.org_path, l.standard_fen, l.fen \
         FROM funding_listed l JOIN org o ON o.id = l.org_id WHERE l.year = ",
    )
    .bind(year)
    .push(" AND l.status = ")
    .bind(status)
    .push(" AND ")
    .scope("l.org_path", scope)
    .push(" ORDER BY l.org_path")
    .page(limit, 0)
}

/// Those of a subtree below standard (`below`) or without a 运转经费 record
/// (`missing`), in path order, at most `limit`: an index walk.
pub async fn judged(
    conn: &mut Conn,
    scope: &Scope,
    year: i32,
    below: bool,
    limit: i64,
) -> Result<Vec<JudgedOrg>> {
    let status = if below { "below" } else { "missing" };
    listed_sql(scope, year, status, limit)
        .fetch_map(&mut *conn, |r| {
            Ok(JudgedOrg {
                org_id: r.try_get("org_id")?,
                code: r.try_get("code")?,
                name: r.try_get("name")?,
                path: r.try_get("org_path")?,
                standard_fen: r.try_get::<Option<i64>, _>("standard_fen")?.unwrap_or(0),
                operating_fen: r.try_get("fen")?,
            })
        })
        .await
}

/// The orgs of a subtree with a collective income of the year, in path order, at most
/// `limit` (as `funding::collective_incomes`).
pub async fn incomes(
    conn: &mut Conn,
    scope: &Scope,
    year: i32,
    limit: i64,
) -> Result<Vec<VillageIncome>> {
    listed_sql(scope, year, "income", limit)
        .fetch_map(&mut *conn, |r| {
            Ok(VillageIncome {
                org_id: r.try_get("org_id")?,
                code: r.try_get("code")?,
                name: r.try_get("name")?,
                fen: r.try_get::<Option<i64>, _>("fen")?.unwrap_or(0),
            })
        })
        .await
}

/// Each live child of `parent` in `scope` with its subtree's sums (as
/// `funding::child_sums`): the children, then their stored tallies.
pub async fn children(
    conn: &mut Conn,
    parent: i64,
    scope: &Scope,
    year: i32,
) -> Result<Vec<ChildSums>> {
    let kids: Vec<(i64, String, String)> =
        Sql::new("SELECT id, code, name FROM org WHERE parent_id = ")
            .bind(parent)
            .push(" AND dissolved_on IS NULL AND ")
            .scope("path", scope)
            .push(" ORDER BY path")
            .fetch_all_as(&mut *conn)
            .await?;
    let ids: Vec<i64> = kids.iter().map(|k| k.0).collect();
    let tallies = rollup::read::<Tally>(conn, TALLY, &ids, year).await?;
    Ok(kids
        .into_iter()
        .map(|(org_id, code, name)| {
            let (op, rec, col) = tallies.get(&org_id).map(Tally::sums).unwrap_or_default();
            ChildSums {
                org_id,
                code,
                name,
                operating_fen: op,
                received_fen: rec,
                collective_fen: col,
            }
        })
        .collect())
}
