//! The reads of a subtree's recruitment that must scale to a province: each answers from
//! the stored (derived) columns of the people it lists, through a path-range index of
//! migration 0019, so its work follows the length of its answer, not the subtree's size.

use chrono::NaiveDate;
use jiceng_domain::{Domain, Education, Gender};
use sqlx::any::AnyRow;

use super::{derived_from_row, Derived};
use crate::row::{from_row, Cells};
use crate::sql::Sql;
use crate::{Conn, Result, Scope};

/// An applicant as a list of a subtree shows them: who, where, the stored judgement.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Listed {
    pub id: i64,
    pub org_id: i64,
    pub org_path: String,
    pub org_code: String,
    pub org_name: String,
    pub name: String,
    pub id_masked: String,
    pub birth_date: NaiveDate,
    pub derived: Derived,
}

/// A person the higher committee approved (⑰), with what a plan's structure targets
/// count: gender, birth date, education, 生产工作一线, and the domain of the branch.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Admitted {
    pub id: i64,
    pub org_id: i64,
    pub org_path: String,
    pub gender: Gender,
    pub birth_date: NaiveDate,
    pub education: Option<Education>,
    pub front_line: bool,
    pub admitted_on: NaiveDate,
    /// The domain (领域) of the org that received the application.
    pub domain: Option<Domain>,
}

/// `applicant a` walked through `index`. SQLite is told which (`INDEXED BY`): its planner
/// sees the same path range in every `(org_path, …)` index and takes any of them, where
/// the one whose second column the read filters on spares the rows it does not list
/// (1.3–1.6× at a province's root). PostgreSQL chooses by its statistics.
fn applicant_via(conn: &Conn, index: &str) -> String {
    if conn.backend_name() == "PostgreSQL" {
        "applicant a".into()
    } else {
        format!("applicant a INDEXED BY {index}")
    }
}

/// The listed columns of the applicants walked through `index`, their org joined.
fn listed(conn: &Conn, index: &str) -> Sql {
    Sql::new(format!(
        "SELECT a.id, a.org_id, a.org_path, o.code AS org_code, o.name AS org_name, a.name, \
         a.id_masked, a.birth_date, a.stage, a.next_step, a.next_deadline, a.next_not_before, \
         a.violations, a.applied_on, a.admitted_on, a.confirmed_on FROM {} \
         JOIN org o ON o.id = a.org_id WHERE ",
        applicant_via(conn, index)
    ))
}

fn listed_from_row(r: &AnyRow) -> Result<Listed> {
    Ok(from_row!(
        r,
        Listed {
            id,
            org_id,
            org_path,
            org_code,
            org_name,
            name,
            id_masked,
            birth_date: r.date("birth_date")?,
            derived: derived_from_row(r)?,
        }
    ))
}

fn limited(sql: Sql, limit: Option<i64>) -> Sql {
    match limit {
        Some(n) => sql.push(" LIMIT ").bind(n.max(0)),
        None => sql,
    }
}

/// The people of a subtree with a next step to take (withdrawn, cancelled and those at
/// the end of the way have none), by deadline (none last), then tree order and name; with
/// `until`, only those whose deadline is at most that day. At most `limit` of them.
pub async fn due(
    conn: &mut Conn,
    scope: &Scope,
    until: Option<NaiveDate>,
    limit: Option<i64>,
) -> Result<Vec<Listed>> {
    let mut sql = listed(conn, "applicant_path_deadline").scope("a.org_path", scope);
    sql = match until {
        Some(day) => sql.push(" AND a.next_deadline <= ").bind(day),
        None => sql,
    };
    let sql = sql.push(
        " AND a.next_step IS NOT NULL ORDER BY (CASE WHEN a.next_deadline IS NULL THEN 1 ELSE 0 END), \
         a.next_deadline, a.org_path, a.name, a.id",
    );
    limited(sql, limit)
        .fetch_map(&mut *conn, listed_from_row)
        .await
}

/// The first `limit` people of `due(scope, Some(until), …)` in the same order, read by
/// walking the deadlines up to `until` in order (index `(next_deadline, org_path)`) and
/// keeping the subtree's: for a wide subtree and an `until` that bounds the answer (the
/// tally's day by which `limit` people are due), a few hundred entries instead of the
/// whole path range.
pub async fn due_soonest(
    conn: &mut Conn,
    scope: &Scope,
    until: NaiveDate,
    limit: i64,
) -> Result<Vec<Listed>> {
    listed(conn, "applicant_deadline_path")
        .push("a.next_deadline <= ")
        .bind(until)
        .push(" AND ")
        .scope("a.org_path", scope)
        .push(
            " AND a.next_step IS NOT NULL ORDER BY a.next_deadline, a.org_path, a.name, a.id \
             LIMIT ",
        )
        .bind(limit.max(0))
        .fetch_map(&mut *conn, listed_from_row)
        .await
}

/// The people of a subtree whose stored judgement found a violation of a time rule
/// (`violations > 0`), in tree order then name; at most `limit` of them.
pub async fn with_violations(
    conn: &mut Conn,
    scope: &Scope,
    limit: Option<i64>,
) -> Result<Vec<Listed>> {
    let sql = listed(conn, "applicant_path_violations")
        .scope("a.org_path", scope)
        .push(" AND a.violations > 0 ORDER BY a.org_path, a.name, a.id");
    limited(sql, limit)
        .fetch_map(&mut *conn, listed_from_row)
        .await
}

/// The people of a subtree approved (⑰) in `year`, in tree order.
pub async fn admitted_in(conn: &mut Conn, scope: &Scope, year: i32) -> Result<Vec<Admitted>> {
    let (Some(first), Some(last)) = (
        NaiveDate::from_ymd_opt(year, 1, 1),
        NaiveDate::from_ymd_opt(year, 12, 31),
    ) else {
        return Ok(Vec::new());
    };
    Sql::new(format!(
        "SELECT a.id, a.org_id, a.org_path, a.gender, a.birth_date, a.education, \
         a.front_line, a.admitted_on, o.domain FROM {} JOIN org o ON o.id = a.org_id WHERE ",
        applicant_via(conn, "applicant_path_admitted")
    ))
    .scope("a.org_path", scope)
    .push(" AND a.admitted_on >= ")
    .bind(first)
    .push(" AND a.admitted_on <= ")
    .bind(last)
    .push(" ORDER BY a.org_path, a.id")
    .fetch_map(&mut *conn, |r| {
        Ok(from_row!(
            r,
            Admitted {
                id,
                org_id,
                org_path,
                gender: r.coded("gender", "性别", Gender::parse_label)?,
                birth_date: r.date("birth_date")?,
                education: r.opt_coded("education", "学历", Education::parse_label)?,
                front_line: r.flag("front_line")?,
                admitted_on: r.date("admitted_on")?,
                domain: r.opt_coded("domain", "领域", Domain::from_code)?,
            }
        ))
    })
    .await
}
