//! Problems named by a record — an inspection's (`inspection_problem`), a duty report's or
//! audit's (`duty_problem`) — each owned and due, and once fixed the day, what was done and
//! who reported it; read within a scope by the org's path. One set of functions for both
//! tables ([`Problems`]).

use chrono::NaiveDate;
use sqlx::any::AnyRow;
use sqlx::Row;

use crate::row::{from_row, Cells};
use crate::sql::{insert_many, Sql, Val, IN_CHUNK};
use crate::{Conn, Result, Scope};

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StoredProblem {
    /// The inspection or duty record that named it.
    pub record_id: i64,
    /// From 1, in the order written.
    pub seq: i64,
    pub org_path: String,
    pub description: String,
    pub owner: String,
    pub deadline: NaiveDate,
    pub fixed_on: Option<NaiveDate>,
    pub fix_note: Option<String>,
    pub fixed_by: Option<String>,
}

/// A table of problems: its name, the column of its record's id, and the records' table
/// (which has the org's `org_id`).
#[derive(Debug, Clone, Copy)]
pub struct Problems {
    table: &'static str,
    columns: [&'static str; 9],
    records: &'static str,
}

/// 督查's problems.
pub const INSPECTION: Problems = Problems {
    table: "inspection_problem",
    columns: cols("inspection_id"),
    records: "inspection",
};

/// 述职评议考核's, 述职述廉's and 离任审计's problems.
pub const DUTY: Problems = Problems {
    table: "duty_problem",
    columns: cols("record_id"),
    records: "duty_record",
};

const fn cols(key: &'static str) -> [&'static str; 9] {
    [
        key,
        "seq",
        "org_path",
        "description",
        "owner",
        "deadline",
        "fixed_on",
        "fix_note",
        "fixed_by",
    ]
}

fn problem_from_row(r: &AnyRow) -> Result<StoredProblem> {
    Ok(from_row!(
        r,
        StoredProblem {
            record_id: r.try_get("record_key")?,
            seq,
            org_path,
            description,
            owner,
            deadline: r.date("deadline")?,
            fixed_on: r.opt_date("fixed_on")?,
            fix_note,
            fixed_by,
        }
    ))
}

impl Problems {
    fn key(&self) -> &'static str {
        self.columns[0]
    }

    /// The columns to select, from the table aliased `alias`, the key as `record_key`.
    fn select(&self, alias: &str) -> String {
        let mut out = vec![format!("{alias}{} AS record_key", self.key())];
        out.extend(self.columns[1..].iter().map(|c| format!("{alias}{c}")));
        out.join(", ")
    }

    /// Writes the problems of a record.
    pub async fn insert(&self, conn: &mut Conn, problems: &[StoredProblem]) -> Result<()> {
        let rows: Vec<Vec<Val>> = problems
            .iter()
            .map(|p| {
                vec![
                    p.record_id.into(),
                    p.seq.into(),
                    p.org_path.clone().into(),
                    p.description.clone().into(),
                    p.owner.clone().into(),
                    p.deadline.into(),
                    p.fixed_on.map(|d| d.to_string()).into(),
                    p.fix_note.clone().into(),
                    p.fixed_by.clone().into(),
                ]
            })
            .collect();
        insert_many(conn, self.table, &self.columns, &rows).await
    }

    /// The problems of the records `ids`, by record and in order (one read per
    /// [`IN_CHUNK`] records).
    pub async fn of(&self, conn: &mut Conn, ids: &[i64]) -> Result<Vec<StoredProblem>> {
        let mut out = Vec::new();
        for chunk in ids.chunks(IN_CHUNK) {
            out.extend(
                Sql::new(format!(
                    "SELECT {} FROM {} WHERE {} IN ",
                    self.select(""),
                    self.table,
                    self.key()
                ))
                .in_list(chunk.iter().copied())
                .push(&format!(" ORDER BY {}, seq", self.key()))
                .fetch_map(&mut *conn, problem_from_row)
                .await?,
            );
        }
        Ok(out)
    }

    /// The problems not yet fixed of orgs in `scope`, the earliest deadline first (at most
    /// `limit`), each with the id of its record's org.
    pub async fn open(
        &self,
        conn: &mut Conn,
        scope: &Scope,
        limit: i64,
    ) -> Result<Vec<(StoredProblem, i64)>> {
        Sql::new(format!(
            "SELECT {}, r.org_id FROM {} p JOIN {} r ON r.id = p.{} WHERE p.fixed_on IS NULL AND ",
            self.select("p."),
            self.table,
            self.records,
            self.key()
        ))
        .scope("p.org_path", scope)
        .push(&format!(
            " ORDER BY p.deadline, p.{}, p.seq LIMIT ",
            self.key()
        ))
        .bind(limit)
        .fetch_map(&mut *conn, |r| {
            Ok((problem_from_row(r)?, r.try_get("org_id")?))
        })
        .await
    }

    /// The problems not yet fixed of orgs in `scope` (or of the org at exactly `own`
    /// path): how many, how many past their deadline on `today`, the earliest deadline.
    pub async fn open_count(
        &self,
        conn: &mut Conn,
        scope: &Scope,
        own: Option<&str>,
        today: NaiveDate,
    ) -> Result<(i64, i64, Option<NaiveDate>)> {
        let mut q = Sql::new("SELECT COUNT(*), COALESCE(SUM(CASE WHEN deadline < ")
            .bind(today)
            .push(&format!(
                " THEN 1 ELSE 0 END), 0), MIN(deadline) FROM {} WHERE fixed_on IS NULL AND ",
                self.table
            ));
        q = match own {
            Some(path) => q.push("org_path = ").bind(path.to_string()),
            None => q.scope("org_path", scope),
        };
        let rows: Vec<(i64, i64, Option<String>)> = q.fetch_all_as(&mut *conn).await?;
        let (n, late, first) = rows.into_iter().next().unwrap_or((0, 0, None));
        Ok((
            n,
            late,
            first.map(|d| crate::parse_date_text(&d)).transpose()?,
        ))
    }

    /// Records a problem fixed. Returns whether a problem not yet fixed was found.
    pub async fn fix(
        &self,
        conn: &mut Conn,
        record_id: i64,
        seq: i64,
        on: NaiveDate,
        note: &str,
        by: &str,
    ) -> Result<bool> {
        let done = Sql::new(format!("UPDATE {} SET fixed_on = ", self.table))
            .bind(on)
            .push(", fix_note = ")
            .bind(note.to_string())
            .push(", fixed_by = ")
            .bind(by.to_string())
            .push(&format!(" WHERE fixed_on IS NULL AND {} = ", self.key()))
            .bind(record_id)
            .push(" AND seq = ")
            .bind(seq)
            .execute(&mut *conn)
            .await?;
        Ok(done.rows_affected() == 1)
    }
}
