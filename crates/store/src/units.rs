//! Units (单位) as stored, with the org that covers or is responsible for each.

use jiceng_domain::{Coverage, CreditCode, Domain, OperatingStatus, RegionCode, Unit};
use sqlx::any::AnyRow;
use sqlx::Row;

use crate::row::from_row;
use crate::sql::{fetch_chunked, insert_many, Sql, Val};
use crate::{Conn, Result, Scope, StoreError};

#[derive(Debug, Clone, PartialEq)]
pub struct StoredUnit {
    pub unit: Unit,
    pub org_path: String,
}

pub(crate) const UNIT_COLS: &str =
    "id, name, credit_code, domain, region_code, status, employees, full_members, coverage, org_id, org_path, instructor";

const WRITE_COLS: [&str; 13] = [
    "id",
    "name",
    "credit_code",
    "domain",
    "region_code",
    "status",
    "employees",
    "full_members",
    "coverage",
    "org_id",
    "org_path",
    "instructor",
    "updated_at",
];

pub(crate) fn from_row(r: &AnyRow) -> Result<StoredUnit> {
    let domain: String = r.try_get("domain")?;
    let status: String = r.try_get("status")?;
    let coverage: String = r.try_get("coverage")?;
    let credit: Option<String> = r.try_get("credit_code")?;
    let region: Option<String> = r.try_get("region_code")?;
    Ok(StoredUnit {
        unit: from_row!(
            r,
            Unit {
                id,
                name,
                credit_code: credit
                    .map(|c| CreditCode::parse(&c))
                    .transpose()
                    .map_err(StoreError::Corrupt)?,
                domain: Domain::from_code(&domain)
                    .ok_or_else(|| StoreError::Corrupt(format!("单位类型 {domain}")))?,
                region_code: region
                    .map(|c| RegionCode::parse(&c))
                    .transpose()
                    .map_err(StoreError::Corrupt)?,
                status: match status.as_str() {
                    "Operating" => OperatingStatus::Operating,
                    "Closed" => OperatingStatus::Closed,
                    s => return Err(StoreError::Corrupt(format!("经营状态 {s}"))),
                },
                employees,
                full_members,
                coverage: Coverage::from_code(&coverage)
                    .ok_or_else(|| StoreError::Corrupt(format!("覆盖方式 {coverage}")))?,
                org_id,
                instructor,
            }
        ),
        org_path: r.try_get("org_path")?,
    })
}

pub fn status_code(s: OperatingStatus) -> &'static str {
    match s {
        OperatingStatus::Operating => "Operating",
        OperatingStatus::Closed => "Closed",
    }
}

fn vals(u: &StoredUnit, now: &str) -> Vec<Val> {
    let x = &u.unit;
    vec![
        x.id.into(),
        x.name.clone().into(),
        x.credit_code.as_ref().map(|c| c.as_str()).into(),
        x.domain.code().into(),
        x.region_code.as_ref().map(|r| r.as_str()).into(),
        status_code(x.status).into(),
        x.employees.into(),
        x.full_members.into(),
        x.coverage.code().into(),
        x.org_id.into(),
        u.org_path.clone().into(),
        x.instructor.clone().into(),
        now.into(),
    ]
}

pub async fn insert(conn: &mut Conn, units: &[StoredUnit]) -> Result<()> {
    let now = crate::now_text();
    let rows: Vec<Vec<Val>> = units.iter().map(|u| vals(u, &now)).collect();
    insert_many(conn, "unit", &WRITE_COLS, &rows).await
}

pub async fn update(conn: &mut Conn, u: &StoredUnit) -> Result<()> {
    let now = crate::now_text();
    let v = vals(u, &now);
    crate::sql::update_row(conn, "unit", &WRITE_COLS, v).await?;
    Ok(())
}

/// Units by credit code (any scope: a unit is one record wherever it is filed).
pub async fn by_credit_codes(conn: &mut Conn, codes: &[String]) -> Result<Vec<StoredUnit>> {
    let select = |c: &[String]| {
        Sql::new(format!(
            "SELECT {UNIT_COLS} FROM unit WHERE credit_code IN "
        ))
        .in_list(c)
    };
    fetch_chunked(conn, codes, select, from_row).await
}

/// Units of the given orgs (covering or responsible).
pub async fn of_orgs(conn: &mut Conn, org_ids: &[i64]) -> Result<Vec<StoredUnit>> {
    let select =
        |c: &[i64]| Sql::new(format!("SELECT {UNIT_COLS} FROM unit WHERE org_id IN ")).in_list(c);
    fetch_chunked(conn, org_ids, select, from_row).await
}

/// The units of the scope [`gap_candidates`] reads, before its ORDER BY.
fn gap_filter(scope: &Scope, min_full: i64) -> Sql {
    Sql::new(format!("SELECT {UNIT_COLS} FROM unit WHERE "))
        .scope("org_path", scope)
        .push(" AND status = 'Operating' AND ((full_members >= ")
        .bind(min_full)
        .push(" AND coverage <> 'OwnOrg') OR coverage = 'Uncovered')")
}

/// Operating units in the scope that may fall in a gap: those with `min_full` or more full
/// members and no own org, and those not covered at all. The caller classifies them by
/// the domain's rules; this only narrows the rows read.
pub async fn gap_candidates(
    conn: &mut Conn,
    scope: &Scope,
    min_full: i64,
) -> Result<Vec<StoredUnit>> {
    gap_filter(scope, min_full)
        .push(" ORDER BY name, id")
        .fetch_map(&mut *conn, from_row)
        .await
}

/// The first `limit` gap candidates of the scope in tree order (`org_path`): a page read
/// straight from the path index, for a subtree too large to list whole.
pub async fn gap_candidates_first(
    conn: &mut Conn,
    scope: &Scope,
    min_full: i64,
    limit: i64,
) -> Result<Vec<StoredUnit>> {
    gap_filter(scope, min_full)
        .push(&format!(" ORDER BY org_path LIMIT {}", limit.max(0)))
        .fetch_map(&mut *conn, from_row)
        .await
}

/// Every unit in the scope (for lists and exports), by name.
pub async fn list(conn: &mut Conn, scope: &Scope) -> Result<Vec<StoredUnit>> {
    let q = Sql::new(format!("SELECT {UNIT_COLS} FROM unit WHERE "))
        .scope("org_path", scope)
        .push(" ORDER BY name, id");
    q.fetch_map(&mut *conn, from_row).await
}
