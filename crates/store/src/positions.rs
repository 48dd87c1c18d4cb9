//! Positions held by members in orgs (书记, 副书记, 委员, 党小组组长…).

use jiceng_domain::{Position, PositionKind};
use sqlx::Row;

use crate::sql::{insert_many, Sql, Val, IN_CHUNK};
use crate::{opt_date, Conn, Result, StoreError};

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
    let kind: String = r.try_get("kind")?;
    Ok(Position {
        id: r.try_get("id")?,
        member_id: r.try_get("member_id")?,
        org_id: r.try_get("org_id")?,
        kind: PositionKind::from_code(&kind)
            .ok_or_else(|| StoreError::Corrupt(format!("职务 {kind}")))?,
        started_on: opt_date(r.try_get("started_on")?)?,
        ended_on: opt_date(r.try_get("ended_on")?)?,
    })
}

/// Positions held (or once held) in the given orgs.
pub async fn of_orgs(conn: &mut Conn, org_ids: &[i64]) -> Result<Vec<Position>> {
    let mut out = Vec::new();
    for chunk in org_ids.chunks(IN_CHUNK) {
        let q = Sql::new("SELECT id, member_id, org_id, kind, started_on, ended_on FROM position WHERE org_id IN ").in_list(chunk);
        for row in q.fetch_all(&mut *conn).await? {
            out.push(from_row(&row)?);
        }
    }
    Ok(out)
}

/// Positions of the given members.
pub async fn of_members(conn: &mut Conn, member_ids: &[i64]) -> Result<Vec<Position>> {
    let mut out = Vec::new();
    for chunk in member_ids.chunks(IN_CHUNK) {
        let q = Sql::new("SELECT id, member_id, org_id, kind, started_on, ended_on FROM position WHERE member_id IN ").in_list(chunk);
        for row in q.fetch_all(&mut *conn).await? {
            out.push(from_row(&row)?);
        }
    }
    Ok(out)
}

/// One position by id.
pub async fn get(conn: &mut Conn, id: i64) -> Result<Option<Position>> {
    sqlx::query(
        "SELECT id, member_id, org_id, kind, started_on, ended_on FROM position WHERE id = $1",
    )
    .bind(id)
    .fetch_optional(&mut *conn)
    .await?
    .map(|r| from_row(&r))
    .transpose()
}
