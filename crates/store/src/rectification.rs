//! Rectification cases (整顿, SPEC C5): one per org and year, with its measures and its
//! timeline (every step, progress reports with their evidence included). The workflow's
//! rules are `jiceng_domain::rectification`; this stores a case as the domain left it.
//!
//! Lists of a subtree read by literal path range: cases on `org_path`, measures on
//! `(org_path, deadline)` (the overdue list), so neither reads per case.

use std::collections::HashMap;

use jiceng_domain::rectification::{Case, Measure, ReviewOutcome, Stage};
use jiceng_domain::WeaknessKind;
use sqlx::any::AnyRow;
use sqlx::Row;

use crate::row::{from_row, Cells};
use crate::sql::{insert_many, Sql, Val};
use crate::{parse_date_text, Conn, Result, Scope, StoreError};

/// A case as stored: where it sits, and the domain's case.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StoredCase {
    pub id: i64,
    pub org_id: i64,
    pub year: i32,
    pub org_path: String,
    pub case: Case,
}

const CASE_COLS: &str = "id, org_id, year, org_path, stage, kinds, opened_on, cadre, departments, \
    extended_to, extension_reason, accepted_on, acceptance_note, reviewed_on, review_outcome, \
    review_note, last_activity_on";

fn case_from_row(r: &AnyRow) -> Result<StoredCase> {
    let stage: String = r.try_get("stage")?;
    let kinds: String = r.try_get("kinds")?;
    let deps: String = r.try_get("departments")?;
    let opened: String = r.try_get("opened_on")?;
    let last: String = r.try_get("last_activity_on")?;
    let outcome: Option<String> = r.try_get("review_outcome")?;
    let kinds: Vec<String> =
        serde_json::from_str(&kinds).map_err(|e| StoreError::Corrupt(format!("问题类型：{e}")))?;
    Ok(from_row!(
        r,
        StoredCase {
            id,
            org_id,
            year: r.year()?,
            org_path,
            case: from_row!(
                r,
                Case {
                    stage: Stage::from_code(&stage)
                        .ok_or_else(|| StoreError::Corrupt(format!("整顿阶段 {stage}")))?,
                    kinds: kinds
                        .iter()
                        .map(|k| {
                            WeaknessKind::from_code(k)
                                .ok_or_else(|| StoreError::Corrupt(format!("问题类型 {k}")))
                        })
                        .collect::<Result<_>>()?,
                    opened_on: parse_date_text(&opened)?,
                    measures: vec![],
                    cadre,
                    departments: serde_json::from_str(&deps)
                        .map_err(|e| StoreError::Corrupt(format!("帮扶部门：{e}")))?,
                    extended_to: r.opt_date("extended_to")?,
                    extension_reason,
                    accepted_on: r.opt_date("accepted_on")?,
                    acceptance_note,
                    reviewed_on: r.opt_date("reviewed_on")?,
                    review_outcome: match outcome {
                        Some(o) => Some(
                            ReviewOutcome::parse(&o)
                                .ok_or_else(|| StoreError::Corrupt(format!("回头看结果 {o}")))?,
                        ),
                        None => None,
                    },
                    review_note,
                    last_activity_on: parse_date_text(&last)?,
                }
            ),
        }
    ))
}

fn measure_from_row(r: &AnyRow) -> Result<(i64, Measure)> {
    let deadline: String = r.try_get("deadline")?;
    Ok((
        r.try_get("case_id")?,
        from_row!(
            r,
            Measure {
                seq,
                text,
                owner,
                deadline: parse_date_text(&deadline)?,
                done_on: r.opt_date("done_on")?,
                note,
            }
        ),
    ))
}

async fn measures_of(conn: &mut Conn, case_id: i64) -> Result<Vec<Measure>> {
    Sql::new(
        "SELECT case_id, seq, text, owner, deadline, done_on, note FROM rectification_measure \
         WHERE case_id = ",
    )
    .bind(case_id)
    .push(" ORDER BY seq")
    .fetch_map(&mut *conn, |r| measure_from_row(r).map(|(_, m)| m))
    .await
}

/// The case of an org and year, with its measures, if it exists in the scope.
pub async fn get(
    conn: &mut Conn,
    scope: &Scope,
    org_id: i64,
    year: i32,
) -> Result<Option<StoredCase>> {
    let row = Sql::new(format!(
        "SELECT {CASE_COLS} FROM rectification WHERE org_id = "
    ))
    .bind(org_id)
    .push(" AND ")
    .year_in(year, scope)
    .fetch_optional(&mut *conn)
    .await?;
    let Some(row) = row else { return Ok(None) };
    let mut c = case_from_row(&row)?;
    c.case.measures = measures_of(conn, c.id).await?;
    Ok(Some(c))
}

/// The cases of the scope (of one year, or open ones of any year), with their measures,
/// in path order. Two range reads, whatever the number of cases.
pub async fn list(conn: &mut Conn, scope: &Scope, filter: CaseFilter) -> Result<Vec<StoredCase>> {
    let q =
        Sql::new(format!("SELECT {CASE_COLS} FROM rectification WHERE ")).scope("org_path", scope);
    let q = match filter {
        CaseFilter::Year(y) => q.push(" AND year = ").bind(y),
        CaseFilter::Open => q.push(" AND stage <> 'Accepted' AND stage <> 'Reviewed'"),
    };
    let mut cases: Vec<StoredCase> = q
        .push(" ORDER BY org_path, year")
        .fetch_all(&mut *conn)
        .await?
        .iter()
        .map(case_from_row)
        .collect::<Result<_>>()?;
    if cases.is_empty() {
        return Ok(cases);
    }
    let measures = Sql::new(
        "SELECT case_id, seq, text, owner, deadline, done_on, note FROM rectification_measure \
         WHERE ",
    )
    .scope("org_path", scope)
    .push(" ORDER BY case_id, seq")
    .fetch_all(&mut *conn)
    .await?;
    let mut by_case: HashMap<i64, Vec<Measure>> = HashMap::new();
    for r in &measures {
        let (id, m) = measure_from_row(r)?;
        by_case.entry(id).or_default().push(m);
    }
    for c in &mut cases {
        c.case.measures = by_case.remove(&c.id).unwrap_or_default();
    }
    Ok(cases)
}

/// Which cases [`list`] reads.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CaseFilter {
    Year(i32),
    /// Not yet accepted, of any year.
    Open,
}

fn case_vals(c: &StoredCase) -> Vec<Val> {
    let k = &c.case;
    let kinds: Vec<&str> = k.kinds.iter().map(|x| x.code()).collect();
    vec![
        Val::Int(c.id),
        Val::Int(c.org_id),
        Val::Int(c.year as i64),
        Val::Text(c.org_path.clone()),
        Val::Text(k.stage.code().into()),
        Val::Text(serde_json::to_string(&kinds).expect("codes serialize")),
        Val::Text(crate::date_text(k.opened_on)),
        Val::OptText(k.cadre.clone()),
        Val::Text(serde_json::to_string(&k.departments).expect("names serialize")),
        Val::OptText(k.deadline().map(crate::date_text)),
        Val::OptText(k.extended_to.map(crate::date_text)),
        Val::OptText(k.extension_reason.clone()),
        Val::OptText(k.accepted_on.map(crate::date_text)),
        Val::OptText(k.acceptance_note.clone()),
        Val::OptText(k.reviewed_on.map(crate::date_text)),
        Val::OptText(k.review_outcome.map(|o| o.code().to_string())),
        Val::OptText(k.review_note.clone()),
        Val::Text(crate::date_text(k.last_activity_on)),
        Val::Text(crate::now_text()),
    ]
}

const CASE_WRITE: [&str; 19] = [
    "id",
    "org_id",
    "year",
    "org_path",
    "stage",
    "kinds",
    "opened_on",
    "cadre",
    "departments",
    "deadline",
    "extended_to",
    "extension_reason",
    "accepted_on",
    "acceptance_note",
    "reviewed_on",
    "review_outcome",
    "review_note",
    "last_activity_on",
    "updated_at",
];

/// Writes a case and its measures (replacing what was stored under its id).
pub async fn save(conn: &mut Conn, c: &StoredCase) -> Result<()> {
    for table in ["rectification_measure"] {
        sqlx::query(&format!("DELETE FROM {table} WHERE case_id = $1"))
            .bind(c.id)
            .execute(&mut *conn)
            .await?;
    }
    sqlx::query("DELETE FROM rectification WHERE id = $1")
        .bind(c.id)
        .execute(&mut *conn)
        .await?;
    insert_many(conn, "rectification", &CASE_WRITE, &[case_vals(c)]).await?;
    let rows: Vec<Vec<Val>> = c
        .case
        .measures
        .iter()
        .map(|m| {
            vec![
                Val::Int(c.id),
                Val::Int(m.seq),
                Val::Text(c.org_path.clone()),
                Val::Text(m.text.clone()),
                Val::Text(m.owner.clone()),
                Val::Text(crate::date_text(m.deadline)),
                Val::OptText(m.done_on.map(crate::date_text)),
                Val::OptText(m.note.clone()),
            ]
        })
        .collect();
    insert_many(
        conn,
        "rectification_measure",
        &[
            "case_id", "seq", "org_path", "text", "owner", "deadline", "done_on", "note",
        ],
        &rows,
    )
    .await
}

/// One entry of a case's timeline.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Event {
    pub id: i64,
    pub case_id: i64,
    pub org_path: String,
    pub on: chrono::NaiveDate,
    /// The step's code (`plan`, `progress`, …; `open` for the diagnosis).
    pub step: String,
    pub from: Stage,
    pub to: Stage,
    pub summary: String,
    pub actor: String,
}

pub async fn add_event(conn: &mut Conn, e: &Event) -> Result<()> {
    insert_many(
        conn,
        "rectification_event",
        &[
            "id",
            "case_id",
            "org_path",
            "on_day",
            "step",
            "stage_from",
            "stage_to",
            "summary",
            "actor",
            "recorded_at",
        ],
        &[vec![
            Val::Int(e.id),
            Val::Int(e.case_id),
            Val::Text(e.org_path.clone()),
            Val::Text(crate::date_text(e.on)),
            Val::Text(e.step.clone()),
            Val::Text(e.from.code().into()),
            Val::Text(e.to.code().into()),
            Val::Text(e.summary.clone()),
            Val::Text(e.actor.clone()),
            Val::Text(crate::now_text()),
        ]],
    )
    .await
}

/// A case's timeline, oldest first.
pub async fn events(conn: &mut Conn, case_id: i64) -> Result<Vec<Event>> {
    sqlx::query(
        "SELECT id, case_id, org_path, on_day, step, stage_from, stage_to, summary, actor \
         FROM rectification_event WHERE case_id = $1 ORDER BY id",
    )
    .bind(case_id)
    .fetch_all(&mut *conn)
    .await?
    .iter()
    .map(|r| {
        let on: String = r.try_get("on_day")?;
        let from: String = r.try_get("stage_from")?;
        let to: String = r.try_get("stage_to")?;
        let stage = |s: &str| {
            Stage::from_code(s).ok_or_else(|| StoreError::Corrupt(format!("整顿阶段 {s}")))
        };
        Ok(from_row!(
            r,
            Event {
                id,
                case_id,
                org_path,
                on: parse_date_text(&on)?,
                step,
                from: stage(&from)?,
                to: stage(&to)?,
                summary,
                actor,
            }
        ))
    })
    .collect()
}

/// The measures of open cases in the scope that are not done and past their deadline on
/// `today`, by deadline: (case id, measure).
pub async fn overdue(
    conn: &mut Conn,
    scope: &Scope,
    today: chrono::NaiveDate,
) -> Result<Vec<(i64, Measure)>> {
    Sql::new(
        "SELECT m.case_id, m.seq, m.text, m.owner, m.deadline, m.done_on, m.note \
         FROM rectification_measure m JOIN rectification c ON c.id = m.case_id \
         WHERE m.deadline < ",
    )
    .bind(today)
    .push(" AND ")
    .scope("m.org_path", scope)
    .push(
        " AND m.done_on IS NULL \
         AND c.stage <> 'Accepted' AND c.stage <> 'Reviewed' ORDER BY m.deadline, m.case_id, m.seq",
    )
    .fetch_map(&mut *conn, measure_from_row)
    .await
}

/// The stored assistance mapping (JSON), if the department changed the shipped one.
pub async fn assistance_mapping(conn: &mut Conn) -> Result<Option<String>> {
    Ok(
        sqlx::query_scalar("SELECT value FROM app_setting WHERE name = 'assistance_mapping'")
            .fetch_optional(&mut *conn)
            .await?,
    )
}

/// Stores the assistance mapping (JSON).
pub async fn set_assistance_mapping(conn: &mut Conn, json: &str) -> Result<()> {
    sqlx::query("DELETE FROM app_setting WHERE name = 'assistance_mapping'")
        .execute(&mut *conn)
        .await?;
    sqlx::query("INSERT INTO app_setting (name, value) VALUES ('assistance_mapping', $1)")
        .bind(json.to_string())
        .execute(&mut *conn)
        .await?;
    Ok(())
}
