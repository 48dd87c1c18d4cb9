//! 减负台账 counted up the tree (issue #17, point 6). Beside `burden_month` (what one issuer
//! sent one org in a month):
//! - `burden_org`: each org's month over all issuers (the heaviest are read from it);
//! - `burden_rollup`: per org on the way from the root, month, level and *an org's month
//!   total of items*: how many orgs below (or at) it received that many, and their sums —
//!   so the orgs at or over any ceiling are counted without reading them, whatever the
//!   ceilings are set to later;
//! - `burden_issuer`: per org on the way, month and issuing org: the orgs reached below it
//!   and the sums.
//!
//! Moved in the transaction that adds to the ledger (by what the rows held before); a month
//! is counted whole the first time it is needed (`burden_rolled` marks the months counted),
//! and counted again after a subtree move.

use std::collections::{HashMap, HashSet};

use jiceng_domain::path;

use crate::sql::{insert_many_then, Sql, Val, IN_CHUNK};
use crate::tasks::BurdenRow;
use crate::{Conn, Result, Scope};

/// Items, questions, answered, asked anyway.
pub type Sums = [i64; 4];

fn add(a: &mut Sums, b: &Sums, sign: i64) {
    for i in 0..4 {
        a[i] += sign * b[i];
    }
}

fn sums_of(r: &BurdenRow) -> Sums {
    [r.items, r.questions, r.answered, r.asked_held]
}

/// One bucket of `burden_rollup`: the orgs of `level` whose month total is `items`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Bucket {
    pub level: String,
    pub items: i64,
    pub orgs: i64,
    pub sums: Sums,
}

/// One issuer's line at an org.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct IssuerSums {
    pub issuer_id: i64,
    pub orgs: i64,
    pub sums: Sums,
}

/// One org's month over all issuers.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OrgMonth {
    pub org_id: i64,
    pub level: String,
    pub sums: Sums,
}

/// The changes to the counts, gathered before they are written.
#[derive(Default)]
struct Deltas {
    buckets: HashMap<(i64, String, i64), (i64, Sums)>,
    issuers: HashMap<(i64, i64), (i64, Sums)>,
}

impl Deltas {
    /// An org's month total moves from `old` (none: it had nothing) to `new`.
    fn org(&mut self, org_path: &str, level: &str, old: Option<&Sums>, new: &Sums) {
        for anc in path::ids(org_path) {
            if let Some(old) = old {
                let b = self
                    .buckets
                    .entry((anc, level.to_string(), old[0]))
                    .or_default();
                b.0 -= 1;
                add(&mut b.1, old, -1);
            }
            let b = self
                .buckets
                .entry((anc, level.to_string(), new[0]))
                .or_default();
            b.0 += 1;
            add(&mut b.1, new, 1);
        }
    }

    /// An issuer's row of an org adds `sums` (`new_pair`: the issuer had not reached the
    /// org this month).
    fn issuer(&mut self, org_path: &str, issuer: i64, new_pair: bool, sums: &Sums) {
        for anc in path::ids(org_path) {
            let e = self.issuers.entry((anc, issuer)).or_default();
            e.0 += i64::from(new_pair);
            add(&mut e.1, sums, 1);
        }
    }

    async fn write(self, conn: &mut Conn, month: &str) -> Result<()> {
        let rows: Vec<Vec<Val>> = self
            .buckets
            .into_iter()
            .filter(|(_, (n, s))| *n != 0 || s.iter().any(|x| *x != 0))
            .map(|((anc, level, items), (n, s))| {
                vec![
                    anc.into(),
                    month.to_string().into(),
                    level.into(),
                    items.into(),
                    n.into(),
                    s[1].into(),
                    s[2].into(),
                    s[3].into(),
                ]
            })
            .collect();
        insert_many_then(
            conn,
            "burden_rollup",
            &[
                "anc_id",
                "year_month",
                "level",
                "items",
                "orgs",
                "questions",
                "answered",
                "asked_held",
            ],
            &rows,
            " ON CONFLICT (anc_id, year_month, level, items) DO UPDATE SET \
             orgs = burden_rollup.orgs + excluded.orgs, \
             questions = burden_rollup.questions + excluded.questions, \
             answered = burden_rollup.answered + excluded.answered, \
             asked_held = burden_rollup.asked_held + excluded.asked_held",
        )
        .await?;
        let rows: Vec<Vec<Val>> = self
            .issuers
            .into_iter()
            .map(|((anc, issuer), (n, s))| {
                vec![
                    anc.into(),
                    month.to_string().into(),
                    issuer.into(),
                    n.into(),
                    s[0].into(),
                    s[1].into(),
                    s[2].into(),
                    s[3].into(),
                ]
            })
            .collect();
        insert_many_then(
            conn,
            "burden_issuer",
            &[
                "anc_id",
                "year_month",
                "issuer_id",
                "orgs",
                "items",
                "questions",
                "answered",
                "asked_held",
            ],
            &rows,
            " ON CONFLICT (anc_id, year_month, issuer_id) DO UPDATE SET \
             orgs = burden_issuer.orgs + excluded.orgs, \
             items = burden_issuer.items + excluded.items, \
             questions = burden_issuer.questions + excluded.questions, \
             answered = burden_issuer.answered + excluded.answered, \
             asked_held = burden_issuer.asked_held + excluded.asked_held",
        )
        .await
    }
}

/// Whether `month` is counted up the tree.
pub async fn rolled(conn: &mut Conn, month: &str) -> Result<bool> {
    let n: Vec<(i64,)> = Sql::new("SELECT COUNT(*) FROM burden_rolled WHERE year_month = ")
        .bind(month.to_string())
        .fetch_all_as(&mut *conn)
        .await?;
    Ok(n.first().is_some_and(|(n,)| *n > 0))
}

/// Writes `burden_org` for the rows of one month (summed per org, month and issuer) and
/// moves the counts, before `burden_month` takes them (a month not yet counted is counted
/// whole first, see [`ensure`]).
pub(crate) async fn before_add(conn: &mut Conn, month: &str, rows: &[&BurdenRow]) -> Result<()> {
    ensure(conn, month).await?;
    // The month's mark locked first: two additions to one month move its counts one after
    // the other, each from what the other committed.
    Sql::new("UPDATE burden_rolled SET year_month = year_month WHERE year_month = ")
        .bind(month.to_string())
        .execute(&mut *conn)
        .await?;
    let mut orgs: Vec<i64> = rows.iter().map(|r| r.org_id).collect();
    orgs.sort_unstable();
    orgs.dedup();
    // What each org had this month, and which issuers had reached it.
    let mut old: HashMap<i64, Sums> = HashMap::new();
    let mut pairs: HashSet<(i64, i64)> = HashSet::new();
    for chunk in orgs.chunks(IN_CHUNK) {
        let got: Vec<(i64, i64, i64, i64, i64)> = Sql::new(
            "SELECT org_id, items, questions, answered, asked_held FROM burden_org WHERE year_month = ",
        )
        .bind(month.to_string())
        .push(" AND org_id IN ")
        .in_list(chunk.iter().copied())
        .fetch_all_as(&mut *conn)
        .await?;
        old.extend(got.into_iter().map(|(o, a, b, c, d)| (o, [a, b, c, d])));
        let got: Vec<(i64, i64)> =
            Sql::new("SELECT org_id, issuer_id FROM burden_month WHERE year_month = ")
                .bind(month.to_string())
                .push(" AND org_id IN ")
                .in_list(chunk.iter().copied())
                .fetch_all_as(&mut *conn)
                .await?;
        pairs.extend(got);
    }
    let mut d = Deltas::default();
    let per_org = sum_per_org(rows.iter().copied(), &mut d, |r| {
        !pairs.contains(&(r.org_id, r.issuer_id))
    });
    let mut org_rows = Vec::with_capacity(per_org.len());
    for (org, (p, level, added)) in per_org {
        let before = old.get(&org);
        let mut new = before.copied().unwrap_or_default();
        add(&mut new, &added, 1);
        d.org(p, level, before, &new);
        org_rows.push(org_row(org, p, month, level, &added));
    }
    write_orgs(conn, &org_rows).await?;
    d.write(conn, month).await
}

/// The rows' sums per org (with its path and level), each row's issuer counted in `d`
/// (`new_pair`: the issuer had not reached the org this month).
fn sum_per_org<'a>(
    rows: impl Iterator<Item = &'a BurdenRow>,
    d: &mut Deltas,
    new_pair: impl Fn(&BurdenRow) -> bool,
) -> HashMap<i64, (&'a str, &'a str, Sums)> {
    let mut per_org: HashMap<i64, (&str, &str, Sums)> = HashMap::new();
    for r in rows {
        let s = sums_of(r);
        let e = per_org
            .entry(r.org_id)
            .or_insert((r.org_path.as_str(), r.level.as_str(), [0; 4]));
        add(&mut e.2, &s, 1);
        d.issuer(&r.org_path, r.issuer_id, new_pair(r), &s);
    }
    per_org
}

/// A `burden_org` row (an addition to it when the org has one).
fn org_row(org: i64, path: &str, month: &str, level: &str, s: &Sums) -> Vec<Val> {
    vec![
        org.into(),
        path.to_string().into(),
        month.to_string().into(),
        level.to_string().into(),
        s[0].into(),
        s[1].into(),
        s[2].into(),
        s[3].into(),
    ]
}

const ORG_COLS: [&str; 8] = [
    "org_id",
    "org_path",
    "year_month",
    "level",
    "items",
    "questions",
    "answered",
    "asked_held",
];

async fn write_orgs(conn: &mut Conn, rows: &[Vec<Val>]) -> Result<()> {
    insert_many_then(
        conn,
        "burden_org",
        &ORG_COLS,
        rows,
        " ON CONFLICT (org_id, year_month) DO UPDATE SET \
         items = burden_org.items + excluded.items, \
         questions = burden_org.questions + excluded.questions, \
         answered = burden_org.answered + excluded.answered, \
         asked_held = burden_org.asked_held + excluded.asked_held",
    )
    .await
}

/// Counts `month` whole from `burden_month` when it is not counted yet (written before the
/// counts were kept, or after a subtree move).
pub async fn ensure(conn: &mut Conn, month: &str) -> Result<()> {
    if rolled(conn, month).await? {
        return Ok(());
    }
    // The mark first: of two transactions counting the same month, the second waits here
    // for the first and then leaves the counting to it.
    let marked = Sql::new("INSERT INTO burden_rolled (year_month) VALUES (")
        .bind(month.to_string())
        .push(") ON CONFLICT (year_month) DO NOTHING")
        .execute(&mut *conn)
        .await?
        .rows_affected();
    if marked == 0 {
        return Ok(());
    }
    for table in ["burden_org", "burden_rollup", "burden_issuer"] {
        Sql::new(format!("DELETE FROM {table} WHERE year_month = "))
            .bind(month.to_string())
            .execute(&mut *conn)
            .await?;
    }
    let rows = crate::tasks::burden(conn, &Scope::All, month).await?;
    let mut d = Deltas::default();
    let per_org = sum_per_org(rows.iter(), &mut d, |_| true);
    let mut org_rows = Vec::with_capacity(per_org.len());
    for (org, (p, level, s)) in per_org {
        d.org(p, level, None, &s);
        org_rows.push(org_row(org, p, month, level, &s));
    }
    write_orgs(conn, &org_rows).await?;
    d.write(conn, month).await
}

/// Forgets the counts of the months with an org in the subtree at `path` (after the subtree
/// moved there): they are counted again when next needed.
pub async fn forget_under(conn: &mut Conn, path: &str) -> Result<()> {
    let months: Vec<(String,)> = Sql::new("SELECT DISTINCT year_month FROM burden_month WHERE ")
        .scope("org_path", &Scope::subtree(path))
        .fetch_all_as(&mut *conn)
        .await?;
    for (m,) in months {
        Sql::new("DELETE FROM burden_rolled WHERE year_month = ")
            .bind(m)
            .execute(&mut *conn)
            .await?;
    }
    Ok(())
}

/// The buckets at org `at` for `month` (the orgs of its subtree, by level and month total).
pub async fn buckets(conn: &mut Conn, at: i64, month: &str) -> Result<Vec<Bucket>> {
    let rows: Vec<(String, i64, i64, i64, i64, i64)> = Sql::new(
        "SELECT level, items, orgs, questions, answered, asked_held FROM burden_rollup WHERE anc_id = ",
    )
    .bind(at)
    .push(" AND year_month = ")
    .bind(month.to_string())
    .push(" AND orgs > 0")
    .fetch_all_as(&mut *conn)
    .await?;
    Ok(rows
        .into_iter()
        .map(|(level, items, orgs, q, a, h)| Bucket {
            level,
            items,
            orgs,
            sums: [items * orgs, q, a, h],
        })
        .collect())
}

/// The issuers' lines at org `at` for `month`.
pub async fn issuers(conn: &mut Conn, at: i64, month: &str) -> Result<Vec<IssuerSums>> {
    let rows: Vec<(i64, i64, i64, i64, i64, i64)> = Sql::new(
        "SELECT issuer_id, orgs, items, questions, answered, asked_held FROM burden_issuer WHERE anc_id = ",
    )
    .bind(at)
    .push(" AND year_month = ")
    .bind(month.to_string())
    .push(" AND orgs > 0")
    .fetch_all_as(&mut *conn)
    .await?;
    Ok(rows
        .into_iter()
        .map(|(issuer_id, orgs, a, b, c, d)| IssuerSums {
            issuer_id,
            orgs,
            sums: [a, b, c, d],
        })
        .collect())
}

fn org_month(r: (i64, String, i64, i64, i64, i64)) -> OrgMonth {
    OrgMonth {
        org_id: r.0,
        level: r.1,
        sums: [r.2, r.3, r.4, r.5],
    }
}

/// The `burden_org` rows of `scope` in `month`, as [`org_month`] reads them.
fn select_orgs(scope: &Scope, month: &str) -> Sql {
    Sql::new(
        "SELECT org_id, level, items, questions, answered, asked_held FROM burden_org WHERE year_month = ",
    )
    .bind(month.to_string())
    .push(" AND ")
    .scope("org_path", scope)
}

/// Every org of `scope` with anything in `month` (a small subtree's).
pub async fn orgs(conn: &mut Conn, scope: &Scope, month: &str) -> Result<Vec<OrgMonth>> {
    let rows: Vec<(i64, String, i64, i64, i64, i64)> =
        select_orgs(scope, month).fetch_all_as(&mut *conn).await?;
    Ok(rows.into_iter().map(org_month).collect())
}

/// The `limit` orgs of `level` in `scope` that received the most in `month` (ties: the
/// latest org first), read in that order from the index.
pub async fn most(
    conn: &mut Conn,
    scope: &Scope,
    month: &str,
    level: &str,
    limit: i64,
) -> Result<Vec<OrgMonth>> {
    let rows: Vec<(i64, String, i64, i64, i64, i64)> = select_orgs(scope, month)
        .push(" AND level = ")
        .bind(level.to_string())
        .push(" ORDER BY items DESC, org_id DESC LIMIT ")
        .bind(limit)
        .fetch_all_as(&mut *conn)
        .await?;
    Ok(rows.into_iter().map(org_month).collect())
}

/// How many issuers reached each of `orgs` in `month`.
pub async fn issuer_counts(
    conn: &mut Conn,
    orgs: &[i64],
    month: &str,
) -> Result<HashMap<i64, i64>> {
    let mut out = HashMap::new();
    for chunk in orgs.chunks(IN_CHUNK) {
        let rows: Vec<(i64, i64)> =
            Sql::new("SELECT org_id, COUNT(*) FROM burden_month WHERE year_month = ")
                .bind(month.to_string())
                .push(" AND org_id IN ")
                .in_list(chunk.iter().copied())
                .push(" GROUP BY org_id")
                .fetch_all_as(&mut *conn)
                .await?;
        out.extend(rows);
    }
    Ok(out)
}
