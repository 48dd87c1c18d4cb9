//! The surveys of a subtree as a department reads them, from the stored figures (migration
//! 0047): the totals are the org's tally rows (`survey_tally`), the lists indexed reads
//! with a LIMIT over the surveys' own figures — never a count over tokens or responses.
//!
//! A list is read one of two ways, chosen by the stored counts: a subtree with few
//! surveys reads its path range (`survey_path`) and sorts it; a subtree holding a large
//! share of the surveys walks the index in the list's order (`survey_latest`,
//! `survey_year_latest`, `survey_year_share`) keeping the rows of the subtree until the
//! LIMIT is met. The range costs the subtree's surveys; the walk about
//! `limit × all ÷ subtree` rows: the range is read while the subtree's count squared is
//! at most `limit × all`. Each form keeps the other's index out of reach (`+year` and a
//! `+` in the order, or the path compared as a prefix), so neither engine picks the range
//! at a province nor the walk at a township.

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
/// read), `Some(true)` when the index is walked, `Some(false)` when its range is read.
async fn walk(
    conn: &mut Conn,
    org_path: &str,
    year: Option<i32>,
    period: Option<&str>,
    limit: i64,
) -> Result<Option<bool>> {
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
    Ok(Some(sub.saturating_mul(sub) > limit.saturating_mul(all)))
}

/// The query's head and the subtree's predicate: a range on the path (the range read) or
/// a prefix compared that no index serves (the walk).
fn head(walking: bool, org_path: &str) -> Sql {
    let cols: Vec<String> = COUNTED_COLS.iter().map(|c| format!("s.{c}")).collect();
    let q = Sql::new(format!("SELECT {} FROM survey s WHERE ", cols.join(", ")));
    if walking {
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
    let Some(walking) = walk(conn, org_path, Some(w.year), w.period, limit).await? else {
        return Ok(Vec::new());
    };
    let mut q = head(walking, org_path).push(if walking {
        " AND s.year = "
    } else {
        " AND +s.year = "
    });
    q = q.bind(w.year);
    if let Some(p) = w.period {
        q = q.push(" AND s.period = ").bind(p);
    }
    let order = if walking {
        " ORDER BY s.is_open DESC, s.opened_on DESC, s.id DESC LIMIT "
    } else {
        " ORDER BY +s.is_open DESC, s.opened_on DESC, s.id DESC LIMIT "
    };
    q.push(order)
        .bind(limit)
        .fetch_map(&mut *conn, counted_from_row)
        .await
}

/// Every survey of the subtree of `org_path`, of any year (the open first, then the latest
/// opened; at most `limit`), with their figures.
pub async fn list_all(conn: &mut Conn, org_path: &str, limit: i64) -> Result<Vec<SurveyRow>> {
    let Some(walking) = walk(conn, org_path, None, None, limit).await? else {
        return Ok(Vec::new());
    };
    let order = if walking {
        " ORDER BY s.is_open DESC, s.opened_on DESC, s.id DESC LIMIT "
    } else {
        " ORDER BY +s.is_open DESC, s.opened_on DESC, s.id DESC LIMIT "
    };
    head(walking, org_path)
        .push(order)
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
    let Some(walking) = walk(conn, org_path, Some(w.year), w.period, limit).await? else {
        return Ok(Vec::new());
    };
    let mut q = head(walking, org_path)
        .push(if walking {
            " AND s.year = "
        } else {
            " AND +s.year = "
        })
        .bind(w.year)
        .push(" AND s.closed_share <= ")
        .bind(min_permille as f64 / 1000.0)
        .push(" AND s.satisfied * 1000 < ")
        .bind(min_permille)
        .push(" * s.ratings");
    if let Some(p) = w.period {
        q = q.push(" AND s.period = ").bind(p);
    }
    let order = if walking {
        " ORDER BY s.closed_share, s.id LIMIT "
    } else {
        " ORDER BY +s.closed_share, s.id LIMIT "
    };
    q.push(order)
        .bind(limit)
        .fetch_map(&mut *conn, counted_from_row)
        .await
}
