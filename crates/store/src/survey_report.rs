//! The surveys of a subtree as a department reads them, from the stored figures (migration
//! 0047): the totals are the org's tally rows (`survey_tally`), the lists indexed reads
//! with a LIMIT over the surveys' own figures — never a count over tokens or responses.
//!
//! A list is read one of two ways: a subtree with few surveys reads its path range
//! (`survey_path`) and sorts it; a subtree holding a large share of the surveys walks the
//! index in the list's order (`survey_latest`, `survey_year_latest`, `survey_year_share`)
//! keeping the rows of the subtree until the LIMIT is met. PostgreSQL's planner chooses
//! between them from its statistics (EXPLAIN: the walk at a county root holding every
//! survey, the range at a township). SQLite's is told by the stored counts: the range
//! costs the subtree's surveys, the walk about `limit × all ÷ subtree` rows, so the range
//! is read while the subtree's count squared is at most `limit × all` — with the walk's
//! indexes out of reach (`+year`, a `+` in the order), else the index is walked with the
//! path compared as a prefix, out of the range index's reach.

use jiceng_domain::path;

use crate::sql::Sql;
use crate::survey_tally::{self, Figures};
use crate::surveys::{counted_from_row, SurveyRow, COUNTED_COLS};
use crate::{Conn, Result, Scope};

/// Which surveys: those of `year`, or only those of one period code (`2026H2`).
#[derive(Debug, Clone, Copy)]
pub struct Within<'a> {
    pub year: i32,
    pub period: Option<&'a str>,
}

/// The totals of the surveys within.
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct SurveyTotals {
    pub surveys: i64,
    pub open: i64,
    pub issued: i64,
    pub responses: i64,
    pub ratings: i64,
    pub satisfied: i64,
}

impl From<Figures> for SurveyTotals {
    fn from(f: Figures) -> SurveyTotals {
        SurveyTotals {
            surveys: f.surveys,
            open: f.open,
            issued: f.issued,
            responses: f.responses,
            ratings: f.ratings,
            satisfied: f.satisfied,
        }
    }
}

fn org_of(org_path: &str) -> i64 {
    path::ids(org_path).last().copied().unwrap_or(0)
}

/// The totals of the surveys within the subtree of the org at `org_path`: its stored rows.
pub async fn totals(conn: &mut Conn, org_path: &str, w: Within<'_>) -> Result<SurveyTotals> {
    Ok(
        survey_tally::of_org(conn, org_of(org_path), Some(w.year), w.period)
            .await?
            .into(),
    )
}

/// How the subtree of `org_path` is read: `None` when it holds no survey (nothing to
/// read).
async fn walk(
    conn: &mut Conn,
    org_path: &str,
    year: Option<i32>,
    period: Option<&str>,
    limit: i64,
) -> Result<Option<Form>> {
    let ids = path::ids(org_path);
    let (Some(&root), Some(&org)) = (ids.first(), ids.last()) else {
        return Ok(None);
    };
    let sub = survey_tally::of_org(conn, org, year, period).await?.surveys;
    if sub == 0 {
        return Ok(None);
    }
    let all = if root == org {
        sub
    } else {
        survey_tally::of_org(conn, root, year, period)
            .await?
            .surveys
    };
    Ok(Some(
        if crate::backup::backend_of(conn) == crate::Backend::Postgres {
            Form::Planned
        } else if sub.saturating_mul(sub) > limit.saturating_mul(all) {
            Form::Walk
        } else {
            Form::Range
        },
    ))
}

/// How a list is read.
#[derive(Debug, Clone, Copy, PartialEq)]
enum Form {
    /// The subtree's path range, sorted (the list's indexes kept out of reach).
    Range,
    /// The list's index walked in order, the path compared as a prefix (SQLite).
    Walk,
    /// The range and the order as they are: PostgreSQL's planner picks between the two
    /// from its statistics (the walk at a province, the range at a township).
    Planned,
}

impl Form {
    fn year(self) -> &'static str {
        if self == Form::Range {
            " AND +s.year = "
        } else {
            " AND s.year = "
        }
    }

    fn latest_first(self) -> &'static str {
        if self == Form::Range {
            " ORDER BY +s.is_open DESC, s.opened_on DESC, s.id DESC LIMIT "
        } else {
            " ORDER BY s.is_open DESC, s.opened_on DESC, s.id DESC LIMIT "
        }
    }

    fn lowest_first(self) -> &'static str {
        if self == Form::Range {
            " ORDER BY +s.closed_share, s.id LIMIT "
        } else {
            " ORDER BY s.closed_share, s.id LIMIT "
        }
    }
}

/// The query's head and the subtree's predicate: a range on the path, or for SQLite's walk
/// a prefix compared that no index serves (its planner would take the range's index).
fn head(form: Form, org_path: &str) -> Sql {
    let cols: Vec<String> = COUNTED_COLS.iter().map(|c| format!("s.{c}")).collect();
    let q = Sql::new(format!("SELECT {} FROM survey s WHERE ", cols.join(", ")));
    if form == Form::Walk {
        q.push(&format!(
            "SUBSTR(s.org_path, 1, {}) = ",
            org_path.chars().count()
        ))
        .bind(org_path)
    } else {
        q.scope("s.org_path", &Scope::subtree(org_path))
    }
}

/// The surveys within (the open first, then the latest opened; at most `limit`) with their
/// figures.
pub async fn list(
    conn: &mut Conn,
    org_path: &str,
    w: Within<'_>,
    limit: i64,
) -> Result<Vec<SurveyRow>> {
    let Some(form) = walk(conn, org_path, Some(w.year), w.period, limit).await? else {
        return Ok(Vec::new());
    };
    let mut q = head(form, org_path).push(form.year()).bind(w.year);
    if let Some(p) = w.period {
        q = q.push(" AND s.period = ").bind(p);
    }
    q.push(form.latest_first())
        .bind(limit)
        .fetch_map(&mut *conn, counted_from_row)
        .await
}

/// Every survey of the subtree of `org_path`, of any year (the open first, then the latest
/// opened; at most `limit`), with their figures.
pub async fn list_all(conn: &mut Conn, org_path: &str, limit: i64) -> Result<Vec<SurveyRow>> {
    let Some(form) = walk(conn, org_path, None, None, limit).await? else {
        return Ok(Vec::new());
    };
    head(form, org_path)
        .push(form.latest_first())
        .bind(limit)
        .fetch_map(&mut *conn, counted_from_row)
        .await
}

/// The closed surveys within whose satisfaction (satisfied ratings over ratings) is below
/// `min_permille` / 1000, the lowest first (at most `limit`). The stored share bounds the
/// index range (a share below the bound is at most the bound as a double, rounding being
/// monotone); the integers decide.
pub async fn below(
    conn: &mut Conn,
    org_path: &str,
    w: Within<'_>,
    min_permille: i64,
    limit: i64,
) -> Result<Vec<SurveyRow>> {
    let Some(form) = walk(conn, org_path, Some(w.year), w.period, limit).await? else {
        return Ok(Vec::new());
    };
    let mut q = head(form, org_path)
        .push(form.year())
        .bind(w.year)
        .push(" AND s.closed_share <= ")
        .bind(min_permille as f64 / 1000.0)
        .push(" AND s.satisfied * 1000 < ")
        .bind(min_permille)
        .push(" * s.ratings");
    if let Some(p) = w.period {
        q = q.push(" AND s.period = ").bind(p);
    }
    q.push(form.lowest_first())
        .bind(limit)
        .fetch_map(&mut *conn, counted_from_row)
        .await
}
