//! 经费保障 (SPEC C7): funding records by org, year, kind and source (one per the four;
//! migration 0042), and the reads of a subtree the pages and the report need — each one
//! query by literal path range, grouped in SQL, never one per org.

use jiceng_domain::funding::{FundingKind, FundingSource};
use jiceng_domain::OrgKind;
use serde::Serialize;
use sqlx::Row;

use crate::row::{from_row, Cells};
use crate::sql::{replace_one, Sql, Val};
use crate::{Conn, Result, Scope};

/// One record: an org's amount of one kind from one source for a year.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FundingRecord {
    pub org_id: i64,
    pub year: i32,
    pub kind: FundingKind,
    pub source: FundingSource,
    pub org_path: String,
    /// In fen (1/100 yuan).
    pub amount_fen: i64,
    pub note: Option<String>,
    pub recorded_by: String,
}

/// Records (or corrects) the amount of one kind from one source for an org and year,
/// and counts it in the stored tallies of the org and its ancestors (`funding_rollup`).
pub async fn upsert(conn: &mut Conn, f: &FundingRecord) -> Result<()> {
    upsert_many(conn, std::slice::from_ref(f)).await
}

/// [`upsert`] of many records (an import): the tallies refreshed once per year.
pub async fn upsert_many(conn: &mut Conn, recs: &[FundingRecord]) -> Result<()> {
    let mut touched: std::collections::BTreeMap<i32, Vec<i64>> = Default::default();
    for f in recs {
        write_one(conn, f).await?;
        touched.entry(f.year).or_default().push(f.org_id);
    }
    for (year, orgs) in touched {
        crate::funding_rollup::refresh_record(conn, &orgs, year).await?;
    }
    Ok(())
}

async fn write_one(conn: &mut Conn, f: &FundingRecord) -> Result<()> {
    replace_one(
        conn,
        "funding",
        &["org_id", "year", "kind", "source"],
        vec![
            ("org_id", Val::Int(f.org_id)),
            ("year", Val::Int(f.year as i64)),
            ("kind", Val::Text(f.kind.code().into())),
            ("source", Val::Text(f.source.code().into())),
            ("org_path", Val::Text(f.org_path.clone())),
            ("amount_fen", Val::Int(f.amount_fen)),
            ("note", Val::OptText(f.note.clone())),
            ("recorded_by", Val::Text(f.recorded_by.clone())),
            ("recorded_at", Val::Text(crate::now_text())),
        ],
    )
    .await
}

/// Removes the record of one kind from one source (a record made by mistake); whether
/// there was one.
pub async fn remove(
    conn: &mut Conn,
    org_id: i64,
    year: i32,
    kind: FundingKind,
    source: FundingSource,
) -> Result<bool> {
    let done = Sql::new("DELETE FROM funding WHERE org_id = ")
        .bind(org_id)
        .push(" AND year = ")
        .bind(year)
        .push(" AND kind = ")
        .bind(kind.code())
        .push(" AND source = ")
        .bind(source.code())
        .execute(&mut *conn)
        .await?;
    let done = done.rows_affected() > 0;
    if done {
        crate::funding_rollup::refresh_record(conn, &[org_id], year).await?;
    }
    Ok(done)
}

fn record_of(r: &sqlx::any::AnyRow) -> Result<FundingRecord> {
    Ok(from_row!(
        r,
        FundingRecord {
            org_id,
            org_path,
            amount_fen,
            note,
            recorded_by,
            year: r.year()?,
            kind: r.coded("kind", "经费类型", FundingKind::from_code)?,
            source: r.coded("source", "经费来源", FundingSource::from_code)?
        }
    ))
}

const COLS: &str = "org_id, year, kind, source, org_path, amount_fen, note, recorded_by";

/// The records of `year` in the scope, in path, kind and source order.
pub async fn of_year(conn: &mut Conn, scope: &Scope, year: i32) -> Result<Vec<FundingRecord>> {
    Sql::new(format!("SELECT {COLS} FROM funding WHERE "))
        .year_in(year, scope)
        .push(" ORDER BY org_path, kind, source")
        .fetch_map(&mut *conn, record_of)
        .await
}

/// The records of one org (every year, the latest first), at most `limit`.
pub async fn of_org(conn: &mut Conn, org_id: i64, limit: i64) -> Result<Vec<FundingRecord>> {
    Sql::new(format!("SELECT {COLS} FROM funding WHERE org_id = "))
        .bind(org_id)
        .push(" ORDER BY year DESC, kind, source")
        .page(limit, 0)
        .fetch_map(&mut *conn, record_of)
        .await
}

/// The sums of a subtree's records of a year by kind and source, in fen, with how many
/// orgs have any (one grouped read).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct Totals {
    /// (kind, source, fen, records).
    pub cells: Vec<(FundingKind, FundingSource, i64, i64)>,
    /// Orgs with at least one record of the year.
    pub orgs_recorded: i64,
}

pub async fn totals(conn: &mut Conn, scope: &Scope, year: i32) -> Result<Totals> {
    let cells = Sql::new(
        "SELECT kind, source, CAST(SUM(amount_fen) AS BIGINT) AS fen, COUNT(*) AS n \
         FROM funding WHERE ",
    )
    .year_in(year, scope)
    .push(" GROUP BY kind, source ORDER BY kind, source")
    .fetch_map(&mut *conn, |r| {
        Ok((
            r.coded("kind", "经费类型", FundingKind::from_code)?,
            r.coded("source", "经费来源", FundingSource::from_code)?,
            r.try_get::<i64, _>("fen")?,
            r.try_get::<i64, _>("n")?,
        ))
    })
    .await?;
    let orgs_recorded: i64 = Sql::new("SELECT COUNT(DISTINCT org_id) FROM funding WHERE ")
        .year_in(year, scope)
        .fetch_scalar(&mut *conn)
        .await?;
    Ok(Totals {
        cells,
        orgs_recorded,
    })
}

/// A standard as the judged-orgs read takes it: the org's domain and level (`None`: every
/// level) and the least operating funding in fen. Level-specific ones are tried first.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, serde::Deserialize)]
pub struct StandardFen {
    pub domain: String,
    pub level: Option<String>,
    pub operating_fen: i64,
    pub collective_fen: Option<i64>,
}

/// One judged org of a subtree: its standard and what it has.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct JudgedOrg {
    pub org_id: i64,
    pub code: String,
    pub name: String,
    pub path: String,
    pub standard_fen: i64,
    /// The sum of its 运转经费 of the year; `None`: none recorded (未录入).
    pub operating_fen: Option<i64>,
}

/// How the judged orgs of a subtree stand.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct Standing {
    /// Live orgs whose domain and level have a standard (a village's sub-branches are
    /// judged at the village).
    pub judged: i64,
    pub below: i64,
    pub missing: i64,
    /// The shortfall of those below, summed (fen).
    pub shortfall_fen: i64,
    /// Those below standard, then those without a record, in path order, at most `limit`
    /// of each.
    pub below_orgs: Vec<JudgedOrg>,
    pub missing_orgs: Vec<JudgedOrg>,
}

/// The SQL of the judged orgs of `scope` with their standard (`std`) and the sum of their
/// 运转经费 of the year (`fen`, NULL: none): one derived table, grouped by path range.
fn judged_sql(scope: &Scope, year: i32, standards: &[StandardFen]) -> Sql {
    let rated = [
        OrgKind::PrimaryCommittee,
        OrgKind::GeneralBranch,
        OrgKind::Branch,
    ];
    let mut q = Sql::new("SELECT o.id, o.code, o.name, o.path, CASE");
    let mut ordered: Vec<&StandardFen> = standards.iter().filter(|s| s.level.is_some()).collect();
    ordered.extend(standards.iter().filter(|s| s.level.is_none()));
    for s in ordered {
        q = q.push(" WHEN o.domain = ").bind(s.domain.clone());
        if let Some(l) = &s.level {
            q = q.push(" AND o.kind = ").bind(l.clone());
        }
        q = q.push(" THEN ").bind(s.operating_fen);
    }
    q = q
        .push(" ELSE NULL END AS std, f.fen FROM org o LEFT JOIN org p ON p.id = o.parent_id ")
        .push(
            "LEFT JOIN (SELECT org_id, CAST(SUM(amount_fen) AS BIGINT) AS fen FROM funding WHERE ",
        )
        .year_in(year, scope)
        .push(" AND kind = ")
        .bind(FundingKind::Operating.code())
        .push(" GROUP BY org_id) f ON f.org_id = o.id WHERE o.dissolved_on IS NULL AND ")
        .scope("o.path", scope)
        .push(" AND o.kind IN ")
        .in_list(rated.iter().map(|k| k.code()))
        // A village org under a village 党委 or 党总支 is judged at the village.
        .push(" AND NOT (o.domain = 'Village' AND p.domain = 'Village' AND p.kind IN ")
        .in_list([
            OrgKind::PrimaryCommittee.code(),
            OrgKind::GeneralBranch.code(),
        ])
        .push(")");
    q
}

/// The judged orgs of a subtree against `standards`: the counts, the shortfall, and those
/// below standard and without a record (at most `limit` of each). Three grouped reads.
pub async fn standing(
    conn: &mut Conn,
    scope: &Scope,
    year: i32,
    standards: &[StandardFen],
    limit: i64,
) -> Result<Standing> {
    if standards.is_empty() {
        return Ok(Standing::default());
    }
    let inner = judged_sql(scope, year, standards);
    let counts = Sql::numbered(
        format!(
            "SELECT COUNT(*) AS judged, \
             CAST(COALESCE(SUM(CASE WHEN j.fen IS NOT NULL AND j.fen < j.std THEN 1 ELSE 0 END), 0) AS BIGINT) AS below, \
             CAST(COALESCE(SUM(CASE WHEN j.fen IS NULL THEN 1 ELSE 0 END), 0) AS BIGINT) AS missing, \
             CAST(COALESCE(SUM(CASE WHEN j.fen IS NOT NULL AND j.fen < j.std THEN j.std - j.fen ELSE 0 END), 0) AS BIGINT) AS short \
             FROM ({}) j WHERE j.std IS NOT NULL",
            inner.text()
        ),
        inner.vals().to_vec(),
    )
    .fetch_map(&mut *conn, |r| {
        Ok((
            r.try_get::<i64, _>("judged")?,
            r.try_get::<i64, _>("below")?,
            r.try_get::<i64, _>("missing")?,
            r.try_get::<i64, _>("short")?,
        ))
    })
    .await?
    .into_iter()
    .next()
    .unwrap_or_default();
    let list = |cond: &str| {
        Sql::numbered(
            format!(
                "SELECT j.id, j.code, j.name, j.path, j.std, j.fen FROM ({}) j \
                 WHERE j.std IS NOT NULL AND {cond} ORDER BY j.path",
                inner.text()
            ),
            inner.vals().to_vec(),
        )
        .page(limit, 0)
    };
    let judged_of = |r: &sqlx::any::AnyRow| -> Result<JudgedOrg> {
        Ok(JudgedOrg {
            org_id: r.try_get("id")?,
            code: r.try_get("code")?,
            name: r.try_get("name")?,
            path: r.try_get("path")?,
            standard_fen: r.try_get("std")?,
            operating_fen: r.try_get("fen")?,
        })
    };
    let below_orgs = list("j.fen IS NOT NULL AND j.fen < j.std")
        .fetch_map(&mut *conn, judged_of)
        .await?;
    let missing_orgs = list("j.fen IS NULL")
        .fetch_map(&mut *conn, judged_of)
        .await?;
    Ok(Standing {
        judged: counts.0,
        below: counts.1,
        missing: counts.2,
        shortfall_fen: counts.3,
        below_orgs,
        missing_orgs,
    })
}

/// A village's collective income of the year (the sum of its records), with its org.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct VillageIncome {
    pub org_id: i64,
    pub code: String,
    pub name: String,
    pub fen: i64,
}

/// The villages of a subtree with a collective income recorded for the year, in path
/// order, at most `limit` (one grouped read).
pub async fn collective_incomes(
    conn: &mut Conn,
    scope: &Scope,
    year: i32,
    limit: i64,
) -> Result<Vec<VillageIncome>> {
    Sql::new(
        "SELECT o.id, o.code, o.name, f.fen FROM (SELECT org_id, MIN(org_path) AS org_path, \
         CAST(SUM(amount_fen) AS BIGINT) AS fen FROM funding WHERE ",
    )
    .year_in(year, scope)
    .push(" AND kind = ")
    .bind(FundingKind::CollectiveIncome.code())
    .push(" GROUP BY org_id) f JOIN org o ON o.id = f.org_id ORDER BY f.org_path")
    .page(limit, 0)
    .fetch_map(&mut *conn, |r| {
        Ok(VillageIncome {
            org_id: r.try_get("id")?,
            code: r.try_get("code")?,
            name: r.try_get("name")?,
            fen: r.try_get("fen")?,
        })
    })
    .await
}

/// Each child of `parent` (live, in `scope`): the sums of its subtree's records of the
/// year — 运转经费 and all kinds received — for the drill-down (one grouped read over the
/// parent's range, by the child's path prefix).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ChildSums {
    pub org_id: i64,
    pub code: String,
    pub name: String,
    pub operating_fen: i64,
    pub received_fen: i64,
    pub collective_fen: i64,
}

pub async fn child_sums(
    conn: &mut Conn,
    parent_id: i64,
    scope: &Scope,
    year: i32,
) -> Result<Vec<ChildSums>> {
    Sql::new(
        "SELECT c.id, c.code, c.name, \
         CAST(COALESCE(SUM(CASE WHEN f.kind = 'Operating' THEN f.amount_fen ELSE 0 END), 0) AS BIGINT) AS op, \
         CAST(COALESCE(SUM(CASE WHEN f.kind <> 'CollectiveIncome' THEN f.amount_fen ELSE 0 END), 0) AS BIGINT) AS rec, \
         CAST(COALESCE(SUM(CASE WHEN f.kind = 'CollectiveIncome' THEN f.amount_fen ELSE 0 END), 0) AS BIGINT) AS col \
         FROM org c LEFT JOIN funding f ON f.year = ",
    )
    .bind(year)
    .push(" AND f.org_path >= c.path AND f.org_path < c.path || '~' WHERE c.parent_id = ")
    .bind(parent_id)
    .push(" AND c.dissolved_on IS NULL AND ")
    .scope("c.path", scope)
    .push(" GROUP BY c.id, c.code, c.name, c.path ORDER BY c.path")
    .fetch_map(&mut *conn, |r| {
        Ok(ChildSums {
            org_id: r.try_get("id")?,
            code: r.try_get("code")?,
            name: r.try_get("name")?,
            operating_fen: r.try_get("op")?,
            received_fen: r.try_get("rec")?,
            collective_fen: r.try_get("col")?,
        })
    })
    .await
}

const STANDARDS: &str = "funding_standards";

/// The department's funding standards (JSON), if it set any.
pub async fn standards_setting(conn: &mut Conn) -> Result<Option<String>> {
    crate::protection::setting(conn, STANDARDS).await
}

/// Stores the department's funding standards (JSON).
pub async fn set_standards_setting(conn: &mut Conn, json: &str) -> Result<()> {
    crate::protection::set_setting(conn, STANDARDS, json).await
}
