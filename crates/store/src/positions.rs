//! Positions held by members in orgs (书记, 副书记, 委员, 党小组组长…).

use jiceng_domain::{Position, PositionKind};

use crate::row::{from_row, Cells};
use crate::sql::{fetch_chunked, insert_many, Sql, Val};
use crate::{Conn, Result};

pub async fn insert(conn: &mut Conn, positions: &[Position]) -> Result<()> {
    let rows: Vec<Vec<Val>> = positions
        .iter()
        .map(|p| {
            vec![
                p.id.into(),
                p.member_id.into(),
                p.org_id.into(),
                p.kind.code().into(),
                p.started_on.into(),
                p.ended_on.into(),
            ]
        })
        .collect();
    insert_many(
        conn,
        "position",
        &[
            "id",
            "member_id",
            "org_id",
            "kind",
            "started_on",
            "ended_on",
        ],
        &rows,
    )
    .await
}

/// Ends a position on a date.
pub async fn end(conn: &mut Conn, id: i64, on: chrono::NaiveDate) -> Result<()> {
    sqlx::query("UPDATE position SET ended_on = $1 WHERE id = $2")
        .bind(crate::date_text(on))
        .bind(id)
        .execute(&mut *conn)
        .await?;
    Ok(())
}

fn from_row(r: &sqlx::any::AnyRow) -> Result<Position> {
    Ok(from_row!(
        r,
        Position {
            id,
            member_id,
            org_id,
            kind: r.coded("kind", "职务", PositionKind::from_code)?,
            started_on: r.opt_date("started_on")?,
            ended_on: r.opt_date("ended_on")?,
        }
    ))
}

const POSITION_COLS: &str =
    "SELECT id, member_id, org_id, kind, started_on, ended_on FROM position";

/// Positions held (or once held) in the given orgs.
pub async fn of_orgs(conn: &mut Conn, org_ids: &[i64]) -> Result<Vec<Position>> {
    let select = |c: &[i64]| Sql::new(format!("{POSITION_COLS} WHERE org_id IN ")).in_list(c);
    fetch_chunked(conn, org_ids, select, from_row).await
}

/// Positions of the given members.
pub async fn of_members(conn: &mut Conn, member_ids: &[i64]) -> Result<Vec<Position>> {
    let select = |c: &[i64]| Sql::new(format!("{POSITION_COLS} WHERE member_id IN ")).in_list(c);
    fetch_chunked(conn, member_ids, select, from_row).await
}

/// One position by id.
pub async fn get(conn: &mut Conn, id: i64) -> Result<Option<Position>> {
    Sql::new(format!("{POSITION_COLS} WHERE id = "))
        .bind(id)
        .fetch_opt_map(&mut *conn, from_row)
        .await
}
