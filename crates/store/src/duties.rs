//! 述职评议考核, 述职述廉 and 离任审计: the records of orgs (`duty_record`), read within a
//! scope by the org's path; the problems they named are `problems::DUTY`.

use std::collections::HashMap;

use chrono::NaiveDate;
use jiceng_domain::duty::{DutyFacts, DutyKind, Grade, Votes};
use jiceng_domain::inspection::ProblemStatus;
use sqlx::any::AnyRow;

use crate::problems::StoredProblem;
use crate::row::{from_row, Cells};
use crate::sql::{insert_many, Sql, Val};
use crate::{Conn, Result, Scope};

#[derive(Debug, Clone, PartialEq)]
pub struct StoredDuty {
    pub id: i64,
    pub kind: DutyKind,
    pub org_id: i64,
    pub org_path: String,
    /// The recording org, and its name then.
    pub by_org_id: i64,
    pub by_org_name: String,
    pub year: i32,
    pub person: String,
    pub position: String,
    pub held_on: NaiveDate,
    /// The meeting, or the auditor.
    pub meeting: String,
    pub period_from: Option<NaiveDate>,
    pub period_to: Option<NaiveDate>,
    pub report: String,
    pub votes: Votes,
    pub grade: Option<Grade>,
    pub score: Option<f64>,
    /// The rule set that graded it.
    pub rules_id: String,
    pub recorded_by: String,
    pub recorded_at: String,
}

const COLS: [&str; 23] = [
    "id",
    "kind",
    "org_id",
    "org_path",
    "by_org_id",
    "by_org_name",
    "year",
    "person",
    "position",
    "held_on",
    "meeting",
    "period_from",
    "period_to",
    "report",
    "good",
    "fairly_good",
    "average",
    "poor",
    "grade",
    "score",
    "rules_id",
    "recorded_by",
    "recorded_at",
];

fn duty_from_row(r: &AnyRow) -> Result<StoredDuty> {
    Ok(from_row!(
        r,
        StoredDuty {
            id,
            kind: r.coded("kind", "duty kind", DutyKind::parse)?,
            org_id,
            org_path,
            by_org_id,
            by_org_name,
            year: r.year()?,
            person,
            position,
            held_on: r.date("held_on")?,
            meeting,
            period_from: r.opt_date("period_from")?,
            period_to: r.opt_date("period_to")?,
            report,
            votes: Votes {
                good: r.try_get("good")?,
                fairly_good: r.try_get("fairly_good")?,
                average: r.try_get("average")?,
                poor: r.try_get("poor")?,
            },
            grade: r.opt_coded("grade", "duty grade", Grade::parse)?,
            score,
            rules_id,
            recorded_by,
            recorded_at,
        }
    ))
}

/// Writes a record and its problems.
pub async fn insert(conn: &mut Conn, d: &StoredDuty, problems: &[StoredProblem]) -> Result<()> {
    let row: Vec<Val> = vec![
        d.id.into(),
        d.kind.code().to_string().into(),
        d.org_id.into(),
        d.org_path.clone().into(),
        d.by_org_id.into(),
        d.by_org_name.clone().into(),
        i64::from(d.year).into(),
        d.person.clone().into(),
        d.position.clone().into(),
        d.held_on.into(),
        d.meeting.clone().into(),
        d.period_from.map(|x| x.to_string()).into(),
        d.period_to.map(|x| x.to_string()).into(),
        d.report.clone().into(),
        d.votes.good.into(),
        d.votes.fairly_good.into(),
        d.votes.average.into(),
        d.votes.poor.into(),
        d.grade.map(|g| g.code().to_string()).into(),
        d.score.into(),
        d.rules_id.clone().into(),
        d.recorded_by.clone().into(),
        d.recorded_at.clone().into(),
    ];
    insert_many(conn, "duty_record", &COLS, &[row]).await?;
    crate::problems::DUTY.insert(conn, problems).await
}

/// A record by id within `scope`.
pub async fn get(conn: &mut Conn, scope: &Scope, id: i64) -> Result<Option<StoredDuty>> {
    Sql::new(format!(
        "SELECT {} FROM duty_record WHERE id = ",
        COLS.join(", ")
    ))
    .bind(id)
    .push(" AND ")
    .scope("org_path", scope)
    .fetch_opt_map(&mut *conn, duty_from_row)
    .await
}

/// The records of orgs in `scope` on `year`, by day, the latest first (at most `limit`).
pub async fn list(
    conn: &mut Conn,
    scope: &Scope,
    year: i32,
    limit: i64,
) -> Result<Vec<StoredDuty>> {
    Sql::new(format!(
        "SELECT {} FROM duty_record WHERE ",
        COLS.join(", ")
    ))
    .scope("org_path", scope)
    .push(" AND year = ")
    .bind(i64::from(year))
    .push(" ORDER BY held_on DESC, id DESC LIMIT ")
    .bind(limit)
    .fetch_map(&mut *conn, duty_from_row)
    .await
}

/// What each org of `scope` brings to its rating of `year` on `as_of` from its records of
/// the year heard by then: the latest graded 述职评议考核, and the problems named (fixed
/// after `as_of` counts as open). Two reads for the whole scope.
pub async fn facts_in_scope(
    conn: &mut Conn,
    scope: &Scope,
    year: i32,
    as_of: NaiveDate,
) -> Result<HashMap<i64, DutyFacts>> {
    let graded: Vec<(i64, String, String, f64)> = Sql::new(
        "SELECT org_id, held_on, grade, score FROM duty_record WHERE grade IS NOT NULL AND kind = ",
    )
    .bind(DutyKind::Duty.code().to_string())
    .push(" AND year = ")
    .bind(i64::from(year))
    .push(" AND held_on <= ")
    .bind(as_of)
    .push(" AND ")
    .scope("org_path", scope)
    .push(" ORDER BY held_on, id")
    .fetch_all_as(&mut *conn)
    .await?;
    let mut out: HashMap<i64, DutyFacts> = HashMap::new();
    for (org, _, grade, score) in graded {
        let f = out.entry(org).or_default();
        f.grade = Grade::parse(&grade);
        f.score = Some(score);
    }
    let problems: Vec<(i64, String, Option<String>)> = Sql::new(
        "SELECT r.org_id, p.deadline, p.fixed_on FROM duty_problem p \
         JOIN duty_record r ON r.id = p.record_id WHERE r.year = ",
    )
    .bind(i64::from(year))
    .push(" AND r.held_on <= ")
    .bind(as_of)
    .push(" AND ")
    .scope("p.org_path", scope)
    .fetch_all_as(&mut *conn)
    .await?;
    for (org, deadline, fixed_on) in problems {
        let deadline = crate::parse_date_text(&deadline)?;
        let fixed_on = fixed_on
            .map(|d| crate::parse_date_text(&d))
            .transpose()?
            .filter(|d| *d <= as_of);
        let f = out.entry(org).or_default();
        f.problems += 1;
        let status = ProblemStatus::of(fixed_on, deadline, as_of);
        if !status.is_fixed() {
            f.open += 1;
        }
        if status.is_overdue() {
            f.overdue += 1;
        }
    }
    Ok(out)
}

/// The year's graded 述职评议考核 of orgs in `scope`, counted by grade (one read).
pub async fn grades_in_scope(
    conn: &mut Conn,
    scope: &Scope,
    year: i32,
) -> Result<Vec<(Grade, i64)>> {
    let rows: Vec<(String, i64)> =
        Sql::new("SELECT grade, COUNT(*) FROM duty_record WHERE kind = ")
            .bind(DutyKind::Duty.code().to_string())
            .push(" AND grade IS NOT NULL AND year = ")
            .bind(i64::from(year))
            .push(" AND ")
            .scope("org_path", scope)
            .push(" GROUP BY grade")
            .fetch_all_as(&mut *conn)
            .await?;
    rows.into_iter()
        .map(|(g, n)| {
            Grade::parse(&g)
                .map(|g| (g, n))
                .ok_or_else(|| crate::StoreError::Corrupt(format!("duty grade {g}")))
        })
        .collect()
}

/// Per org of `scope`: the year's records by kind, graded 述职评议考核 by grade, problems
/// named, open, overdue on `today` (the report's counts; one read each).
pub async fn counts_in_scope(
    conn: &mut Conn,
    scope: &Scope,
    year: i32,
    today: NaiveDate,
) -> Result<Vec<(i64, DutyKind, Option<Grade>, i64, i64, i64)>> {
    let rows: Vec<(i64, String, Option<String>, i64)> =
        Sql::new("SELECT r.org_id, r.kind, r.grade, r.id FROM duty_record r WHERE r.year = ")
            .bind(i64::from(year))
            .push(" AND ")
            .scope("r.org_path", scope)
            .push(" ORDER BY r.org_id, r.held_on, r.id")
            .fetch_all_as(&mut *conn)
            .await?;
    let problems: Vec<(i64, String, Option<String>)> = Sql::new(
        "SELECT p.record_id, p.deadline, p.fixed_on FROM duty_problem p \
         JOIN duty_record r ON r.id = p.record_id WHERE r.year = ",
    )
    .bind(i64::from(year))
    .push(" AND ")
    .scope("p.org_path", scope)
    .fetch_all_as(&mut *conn)
    .await?;
    let mut per: HashMap<i64, (i64, i64, i64)> = HashMap::new();
    for (record, deadline, fixed_on) in problems {
        let deadline = crate::parse_date_text(&deadline)?;
        let fixed_on = fixed_on.map(|d| crate::parse_date_text(&d)).transpose()?;
        let s = ProblemStatus::of(fixed_on, deadline, today);
        let c = per.entry(record).or_default();
        c.0 += 1;
        c.1 += i64::from(!s.is_fixed());
        c.2 += i64::from(s.is_overdue());
    }
    rows.into_iter()
        .map(|(org, kind, grade, id)| {
            let kind = DutyKind::parse(&kind)
                .ok_or_else(|| crate::StoreError::Corrupt(format!("duty kind {kind}")))?;
            let (n, open, late) = per.get(&id).copied().unwrap_or_default();
            Ok((
                org,
                kind,
                grade.as_deref().and_then(Grade::parse),
                n,
                open,
                late,
            ))
        })
        .collect()
}

const GRADING: &str = "duty_grading";

/// The department's grading of duty reports (JSON), if it set one.
pub async fn grading(conn: &mut Conn) -> Result<Option<String>> {
    crate::protection::setting(conn, GRADING).await
}

/// Stores the department's grading of duty reports (JSON).
pub async fn set_grading(conn: &mut Conn, json: &str) -> Result<()> {
    crate::protection::set_setting(conn, GRADING, json).await
}
