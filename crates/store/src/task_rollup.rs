//! A task's completion counted up the tree (`task_rollup`): for each org on the way from the
//! issuer to a target (the issuer and the target included) and each deadline, how many
//! targets lie at or below it, how many are done and how many of those late. A province's
//! task to 90,000 villages is seen from its root as a handful of rows: the root's own, and
//! its children's. Written with the targets, moved by every report (one row per ancestor)
//! and rebuilt whole for an extension or a subtree move; a task without rows (written before
//! the table) is rebuilt the first time it is read.
//!
//! Overdue is not stored: it depends on the day. A row whose deadline has passed holds
//! `targets - done` overdue targets.

use std::collections::HashMap;

use chrono::NaiveDate;
use jiceng_domain::path;

use crate::sql::{insert_many, Sql, Val, IN_CHUNK};
use crate::{Conn, Result};

/// One row: the targets at or below `org_id` with `deadline`.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Rollup {
    pub org_id: i64,
    pub deadline: NaiveDate,
    pub targets: i64,
    pub done: i64,
    pub done_late: i64,
}

const COLS: [&str; 6] = [
    "task_id",
    "org_id",
    "deadline",
    "targets",
    "done",
    "done_late",
];

/// The orgs a target counts at: from the issuer down to the target itself (only the
/// issuer when the target no longer lies below it).
pub fn counted_at(issuer_id: i64, target_path: &str) -> Vec<i64> {
    let ids = path::ids(target_path);
    match ids.iter().position(|id| *id == issuer_id) {
        Some(at) => ids[at..].to_vec(),
        None => vec![issuer_id],
    }
}

/// The rows of targets given as (path, deadline, done_on).
fn count<'a>(
    issuer_id: i64,
    targets: impl Iterator<Item = (&'a str, NaiveDate, Option<NaiveDate>)>,
) -> Vec<Rollup> {
    let mut rows: HashMap<(i64, NaiveDate), Rollup> = HashMap::new();
    for (p, deadline, done_on) in targets {
        for org_id in counted_at(issuer_id, p) {
            let r = rows.entry((org_id, deadline)).or_insert(Rollup {
                org_id,
                deadline,
                ..Rollup::default()
            });
            r.targets += 1;
            if let Some(d) = done_on {
                r.done += 1;
                r.done_late += i64::from(d > deadline);
            }
        }
    }
    rows.into_values().collect()
}

/// Writes the rows of a task's targets (in the issuing transaction).
pub async fn write<'a>(
    conn: &mut Conn,
    task_id: i64,
    issuer_id: i64,
    targets: impl Iterator<Item = (&'a str, NaiveDate, Option<NaiveDate>)>,
) -> Result<()> {
    let rows: Vec<Vec<Val>> = count(issuer_id, targets)
        .into_iter()
        .map(|r| {
            vec![
                task_id.into(),
                r.org_id.into(),
                r.deadline.into(),
                r.targets.into(),
                r.done.into(),
                r.done_late.into(),
            ]
        })
        .collect();
    insert_many(conn, "task_rollup", &COLS, &rows).await
}

/// Locks the task's row for the rest of the transaction: its reports, extensions and
/// recounts go one after the other (a recount then reads every report committed).
pub async fn lock(conn: &mut Conn, task_id: i64) -> Result<()> {
    Sql::new("UPDATE task SET done = done WHERE id = ")
        .bind(task_id)
        .execute(&mut *conn)
        .await?;
    Ok(())
}

/// Counts the task's targets again from their rows (after an extension moved deadlines,
/// or a subtree move changed who lies on the way).
pub async fn rebuild(conn: &mut Conn, task_id: i64) -> Result<()> {
    lock(conn, task_id).await?;
    let issuer: Vec<(i64,)> = Sql::new("SELECT org_id FROM task WHERE id = ")
        .bind(task_id)
        .fetch_all_as(&mut *conn)
        .await?;
    let Some((issuer_id,)) = issuer.into_iter().next() else {
        return Ok(());
    };
    let targets: Vec<(String, String, Option<String>)> =
        Sql::new("SELECT org_path, deadline, done_on FROM task_target WHERE task_id = ")
            .bind(task_id)
            .fetch_all_as(&mut *conn)
            .await?;
    let parsed = targets
        .iter()
        .map(|(p, d, done)| {
            Ok((
                p.as_str(),
                crate::parse_date_text(d)?,
                done.as_deref().map(crate::parse_date_text).transpose()?,
            ))
        })
        .collect::<Result<Vec<_>>>()?;
    Sql::new("DELETE FROM task_rollup WHERE task_id = ")
        .bind(task_id)
        .execute(&mut *conn)
        .await?;
    write(conn, task_id, issuer_id, parsed.into_iter()).await
}

/// Rebuilds the rows of every task with a target in the subtree at `path` (after the
/// subtree moved there).
pub async fn rebuild_under(conn: &mut Conn, path: &str) -> Result<()> {
    let tasks: Vec<(i64,)> = Sql::new("SELECT DISTINCT task_id FROM task_target WHERE ")
        .scope("org_path", &crate::Scope::subtree(path))
        .fetch_all_as(&mut *conn)
        .await?;
    for (t,) in tasks {
        rebuild(conn, t).await?;
    }
    Ok(())
}

/// Moves one target's report: `before` and `after` are its (deadline, done_on).
pub async fn report(
    conn: &mut Conn,
    task_id: i64,
    issuer_id: i64,
    target_path: &str,
    deadline: NaiveDate,
    before: Option<NaiveDate>,
    after: Option<NaiveDate>,
) -> Result<()> {
    let side = |d: Option<NaiveDate>| match d {
        Some(d) => (1, i64::from(d > deadline)),
        None => (0, 0),
    };
    let (b, a) = (side(before), side(after));
    let (done, late) = (a.0 - b.0, a.1 - b.1);
    if done == 0 && late == 0 {
        return Ok(());
    }
    Sql::new("UPDATE task_rollup SET done = done + ")
        .bind(done)
        .push(", done_late = done_late + ")
        .bind(late)
        .push(" WHERE task_id = ")
        .bind(task_id)
        .push(" AND deadline = ")
        .bind(deadline)
        .push(" AND org_id IN ")
        .in_list(counted_at(issuer_id, target_path))
        .execute(&mut *conn)
        .await?;
    Ok(())
}

/// The rows of a task at the orgs `ids` (one read per [`IN_CHUNK`] orgs).
pub async fn at(conn: &mut Conn, task_id: i64, ids: &[i64]) -> Result<Vec<Rollup>> {
    let mut out = Vec::new();
    for chunk in ids.chunks(IN_CHUNK) {
        let rows: Vec<(i64, String, i64, i64, i64)> = Sql::new(
            "SELECT org_id, deadline, targets, done, done_late FROM task_rollup WHERE task_id = ",
        )
        .bind(task_id)
        .push(" AND org_id IN ")
        .in_list(chunk.iter().copied())
        .fetch_all_as(&mut *conn)
        .await?;
        for (org_id, deadline, targets, done, done_late) in rows {
            out.push(Rollup {
                org_id,
                deadline: crate::parse_date_text(&deadline)?,
                targets,
                done,
                done_late,
            });
        }
    }
    Ok(out)
}

/// Whether the task has its rows (a task written before the table has none).
pub async fn has_rows(conn: &mut Conn, task_id: i64, issuer_id: i64) -> Result<bool> {
    let n: Vec<(i64,)> = Sql::new("SELECT COUNT(*) FROM task_rollup WHERE task_id = ")
        .bind(task_id)
        .push(" AND org_id = ")
        .bind(issuer_id)
        .fetch_all_as(&mut *conn)
        .await?;
    Ok(n.first().is_some_and(|(n,)| *n > 0))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_target_counts_at_each_org_from_the_issuer_down() {
        // Issuer 2s (id 100) at /1/2s/; a target /1/2s/9ix/a/ counts at 100, 9ix, a.
        let p = "/1/2s/9ix/a/";
        assert_eq!(counted_at(100, p), vec![100, 12_345, 10]);
        assert_eq!(counted_at(7, p), vec![7], "not below the issuer any more");
        let d = |s: &str| s.parse::<NaiveDate>().unwrap();
        let rows = count(
            100,
            [
                (p, d("2026-12-20"), Some(d("2026-12-21"))),
                ("/1/2s/9ix/b/", d("2026-12-20"), None),
            ]
            .into_iter(),
        );
        let at = |id: i64| rows.iter().find(|r| r.org_id == id).copied().unwrap();
        assert_eq!(
            (at(100).targets, at(100).done, at(100).done_late),
            (2, 1, 1)
        );
        assert_eq!((at(11).targets, at(11).done), (1, 0));
        assert_eq!(rows.len(), 4);
    }
}
