//! 发展党员 (issue #14): applicants, their steps and the annual plans. An applicant's
//! stage, next step and violation count are derived by the app and stored with the row
//! (`Derived`), so a board or an overview of a subtree is a path range, never a judgement.

use chrono::NaiveDate;
use jiceng_domain::{Education, Gender};
use sqlx::any::AnyRow;

use crate::row::{from_row, Cells};
use crate::sql::{fetch_chunked, insert_many, replace_one, update_row, Sql, Val};
use crate::{Conn, Result, Scope, StoreError};

mod lists;
pub mod tally;
pub use lists::{admitted_in, due, due_soonest, with_violations, Admitted, Listed};

/// What the app derives from an applicant's steps, judged on the day written.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Derived {
    /// `RecruitStage::key()`, or `withdrawn` / `cancelled`.
    pub stage: String,
    pub next_step: Option<i64>,
    pub next_deadline: Option<NaiveDate>,
    pub next_not_before: Option<NaiveDate>,
    pub violations: i64,
    pub applied_on: Option<NaiveDate>,
    pub admitted_on: Option<NaiveDate>,
    pub confirmed_on: Option<NaiveDate>,
}

/// A person applying, as stored. The ID number as members': keyed hash, ciphertext, mask.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StoredApplicant {
    pub id: i64,
    pub org_id: i64,
    pub org_path: String,
    pub name: String,
    pub gender: Gender,
    pub ethnicity: String,
    pub birth_date: NaiveDate,
    pub id_hash: String,
    pub id_cipher: String,
    pub id_masked: String,
    pub education: Option<Education>,
    pub occupation: Option<String>,
    /// 生产、工作一线 (a structure target of the plans).
    pub front_line: bool,
    pub phone_cipher: Option<String>,
    pub phone_masked: Option<String>,
    pub derived: Derived,
    /// The roster row made when the higher committee approved (⑰).
    pub member_id: Option<i64>,
}

/// One recorded step: its kind's number, its day, the rest of the record as JSON.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StoredStep {
    pub id: i64,
    pub applicant_id: i64,
    pub step: i64,
    pub on: NaiveDate,
    pub detail: String,
    pub recorded_by: String,
    /// UTC, ISO 8601.
    pub recorded_at: String,
}

/// An org's recruitment plan for a year: the total and the structure targets (JSON).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StoredPlan {
    pub org_id: i64,
    pub year: i32,
    pub org_path: String,
    pub target: i64,
    pub structure: String,
    pub updated_by: String,
    pub updated_at: String,
}

const COLS: [&str; 25] = [
    "id",
    "org_id",
    "org_path",
    "name",
    "gender",
    "ethnicity",
    "birth_date",
    "id_hash",
    "id_cipher",
    "id_masked",
    "education",
    "occupation",
    "front_line",
    "phone_cipher",
    "phone_masked",
    "stage",
    "next_step",
    "next_deadline",
    "next_not_before",
    "violations",
    "applied_on",
    "admitted_on",
    "confirmed_on",
    "member_id",
    "updated_at",
];

fn select() -> String {
    format!("SELECT {} FROM applicant WHERE ", COLS.join(", "))
}

fn vals(a: &StoredApplicant, now: &str) -> Vec<Val> {
    let d = &a.derived;
    vec![
        a.id.into(),
        a.org_id.into(),
        a.org_path.clone().into(),
        a.name.clone().into(),
        a.gender.label().into(),
        a.ethnicity.clone().into(),
        a.birth_date.into(),
        a.id_hash.clone().into(),
        a.id_cipher.clone().into(),
        a.id_masked.clone().into(),
        a.education.map(|e| e.label()).into(),
        a.occupation.clone().into(),
        i64::from(a.front_line).into(),
        a.phone_cipher.clone().into(),
        a.phone_masked.clone().into(),
        d.stage.clone().into(),
        Val::OptInt(d.next_step),
        d.next_deadline.into(),
        d.next_not_before.into(),
        d.violations.into(),
        d.applied_on.into(),
        d.admitted_on.into(),
        d.confirmed_on.into(),
        Val::OptInt(a.member_id),
        now.into(),
    ]
}

fn from_row(r: &AnyRow) -> Result<StoredApplicant> {
    Ok(from_row!(
        r,
        StoredApplicant {
            id,
            org_id,
            org_path,
            name,
            gender: r.coded("gender", "性别", Gender::parse_label)?,
            ethnicity,
            birth_date: r.date("birth_date")?,
            id_hash,
            id_cipher,
            id_masked,
            education: r.opt_coded("education", "学历", Education::parse_label)?,
            occupation,
            front_line: r.flag("front_line")?,
            phone_cipher,
            phone_masked,
            derived: derived_from_row(r)?,
            member_id,
        }
    ))
}

/// The derived columns of an applicant's row.
fn derived_from_row(r: &AnyRow) -> Result<Derived> {
    Ok(from_row!(
        r,
        Derived {
            stage,
            next_step,
            next_deadline: r.opt_date("next_deadline")?,
            next_not_before: r.opt_date("next_not_before")?,
            violations,
            applied_on: r.opt_date("applied_on")?,
            admitted_on: r.opt_date("admitted_on")?,
            confirmed_on: r.opt_date("confirmed_on")?,
        }
    ))
}

pub async fn insert(conn: &mut Conn, people: &[StoredApplicant]) -> Result<()> {
    let now = crate::now_text();
    let rows: Vec<Vec<Val>> = people.iter().map(|a| vals(a, &now)).collect();
    insert_many(conn, "applicant", &COLS, &rows).await
}

/// Rewrites an applicant's row (matched by id): fields and derived facts.
pub async fn update(conn: &mut Conn, a: &StoredApplicant) -> Result<()> {
    update_row(conn, "applicant", &COLS, vals(a, &crate::now_text())).await?;
    Ok(())
}

/// An applicant in the scope.
pub async fn get(conn: &mut Conn, scope: &Scope, id: i64) -> Result<Option<StoredApplicant>> {
    Sql::new(select())
        .push("id = ")
        .bind(id)
        .push(" AND ")
        .scope("org_path", scope)
        .fetch_opt_map(&mut *conn, from_row)
        .await
}

/// Applicants by ID-number hash, in any scope (a person applies once, wherever).
pub async fn by_id_hashes(conn: &mut Conn, hashes: &[String]) -> Result<Vec<StoredApplicant>> {
    let statement = |c: &[String]| Sql::new(select()).push("id_hash IN ").in_list(c.to_vec());
    fetch_chunked(conn, hashes, statement, from_row).await
}

/// Up to `limit` applicants after the id `after`, by id — a walk over everyone. In a
/// transaction on PostgreSQL the rows are locked until it ends (SQLite's writer holds the
/// database), so that a step recorded meanwhile waits instead of being overwritten.
pub async fn after_id(conn: &mut Conn, after: i64, limit: i64) -> Result<Vec<StoredApplicant>> {
    let lock = if conn.backend_name() == "PostgreSQL" {
        " FOR UPDATE"
    } else {
        ""
    };
    Sql::new(select())
        .push("id > ")
        .bind(after)
        .push(" ORDER BY id LIMIT ")
        .bind(limit)
        .push(lock)
        .fetch_map(&mut *conn, from_row)
        .await
}

const JUDGED_BY: &str = "recruitment_judged_by";

/// The fingerprint of the rules and calendar the stored judgements were made by, and the
/// day (`fingerprint@YYYY-MM-DD`), if recorded.
pub async fn judged_by(conn: &mut Conn) -> Result<Option<String>> {
    crate::protection::setting(conn, JUDGED_BY).await
}

pub async fn set_judged_by(conn: &mut Conn, value: &str) -> Result<()> {
    crate::protection::set_setting(conn, JUDGED_BY, value).await
}

/// The applicants of a subtree (every stage), in tree order then name.
pub async fn in_scope(conn: &mut Conn, scope: &Scope) -> Result<Vec<StoredApplicant>> {
    Sql::new(select())
        .scope("org_path", scope)
        .push(" ORDER BY org_path, name, id")
        .fetch_map(&mut *conn, from_row)
        .await
}

/// How many applicants of a subtree are at each stage: (stage, count). A path range read
/// from the index `(org_path, stage)` alone (migration 0019), whatever the subtree's size.
pub async fn stage_counts(conn: &mut Conn, scope: &Scope) -> Result<Vec<(String, i64)>> {
    let rows = Sql::new("SELECT stage, COUNT(*) AS n FROM applicant WHERE ")
        .scope("org_path", scope)
        .push(" GROUP BY stage")
        .fetch_all(&mut *conn)
        .await?;
    rows.iter()
        .map(|r| {
            use sqlx::Row;
            Ok((r.try_get("stage")?, r.try_get("n")?))
        })
        .collect()
}

const STEP_COLS: [&str; 7] = [
    "id",
    "applicant_id",
    "step",
    "on_date",
    "detail",
    "recorded_by",
    "recorded_at",
];

pub async fn insert_steps(conn: &mut Conn, steps: &[StoredStep]) -> Result<()> {
    let rows: Vec<Vec<Val>> = steps
        .iter()
        .map(|s| {
            vec![
                s.id.into(),
                s.applicant_id.into(),
                s.step.into(),
                s.on.into(),
                s.detail.clone().into(),
                s.recorded_by.clone().into(),
                s.recorded_at.clone().into(),
            ]
        })
        .collect();
    insert_many(conn, "recruitment_step", &STEP_COLS, &rows).await
}

fn step_from_row(r: &AnyRow) -> Result<StoredStep> {
    Ok(from_row!(
        r,
        StoredStep {
            id,
            applicant_id,
            step,
            on: r.date("on_date")?,
            detail,
            recorded_by,
            recorded_at,
        }
    ))
}

/// The steps of the given applicants, by applicant, day and step.
pub async fn steps_of(conn: &mut Conn, applicant_ids: &[i64]) -> Result<Vec<StoredStep>> {
    let statement = |c: &[i64]| {
        Sql::new(format!(
            "SELECT {} FROM recruitment_step WHERE applicant_id IN ",
            STEP_COLS.join(", ")
        ))
        .in_list(c.to_vec())
        .push(" ORDER BY applicant_id, on_date, step, id")
    };
    let mut steps = fetch_chunked(conn, applicant_ids, statement, step_from_row).await?;
    steps.sort_by_key(|s| (s.applicant_id, s.on, s.step, s.id));
    Ok(steps)
}

const PLAN_COLS: &str = "org_id, year, org_path, target, structure, updated_by, updated_at";

fn plan_from_row(r: &AnyRow) -> Result<StoredPlan> {
    Ok(from_row!(
        r,
        StoredPlan {
            org_id,
            year: r.year()?,
            org_path,
            target,
            structure,
            updated_by,
            updated_at,
        }
    ))
}

/// Writes an org's plan for a year (replacing the one stored).
pub async fn put_plan(conn: &mut Conn, p: &StoredPlan) -> Result<()> {
    if p.target < 0 {
        return Err(StoreError::Corrupt("计划数不能为负".into()));
    }
    replace_one(
        conn,
        "recruitment_plan",
        &["org_id", "year"],
        vec![
            ("org_id", p.org_id.into()),
            ("year", i64::from(p.year).into()),
            ("org_path", p.org_path.clone().into()),
            ("target", p.target.into()),
            ("structure", p.structure.clone().into()),
            ("updated_by", p.updated_by.clone().into()),
            ("updated_at", p.updated_at.clone().into()),
        ],
    )
    .await
}

/// The plans of a subtree for a year, in tree order.
pub async fn plans_in(conn: &mut Conn, scope: &Scope, year: i32) -> Result<Vec<StoredPlan>> {
    Sql::new(format!(
        "SELECT {PLAN_COLS} FROM recruitment_plan WHERE year = "
    ))
    .bind(i64::from(year))
    .push(" AND ")
    .scope("org_path", scope)
    .push(" ORDER BY org_path")
    .fetch_map(&mut *conn, plan_from_row)
    .await
}

/// The plans of the orgs `ids` for a year (the key `(org_id, year)`, whatever the
/// subtrees' sizes).
pub async fn plans_of(conn: &mut Conn, ids: &[i64], year: i32) -> Result<Vec<StoredPlan>> {
    let statement = |c: &[i64]| {
        Sql::new(format!(
            "SELECT {PLAN_COLS} FROM recruitment_plan WHERE year = "
        ))
        .bind(i64::from(year))
        .push(" AND org_id IN ")
        .in_list(c.to_vec())
    };
    fetch_chunked(conn, ids, statement, plan_from_row).await
}

/// One org's plan for a year.
pub async fn plan_of(conn: &mut Conn, org_id: i64, year: i32) -> Result<Option<StoredPlan>> {
    Sql::new(format!(
        "SELECT {PLAN_COLS} FROM recruitment_plan WHERE org_id = "
    ))
    .bind(org_id)
    .push(" AND year = ")
    .bind(i64::from(year))
    .fetch_opt_map(&mut *conn, plan_from_row)
    .await
}

/// The applicant whose approval (⑰) made the member `member_id`, if any.
pub async fn by_member(conn: &mut Conn, member_id: i64) -> Result<Option<StoredApplicant>> {
    Sql::new(select())
        .push("member_id = ")
        .bind(member_id)
        .fetch_opt_map(&mut *conn, from_row)
        .await
}
