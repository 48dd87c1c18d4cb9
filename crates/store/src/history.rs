//! Dated facts of orgs (`org_event`, the secretary's `position`s, `org.records_from`,
//! `org.term_years`), read as one `domain::OrgHistory` per org. What they mean on a day
//! is `domain::history`'s business.

use std::collections::HashMap;

use jiceng_domain::{EventKind, Office, OrgEvent, OrgHistory, PositionKind};
use sqlx::Row;

use crate::row::Cells;
use crate::scope::Scope;
use crate::sql::{Sql, IN_CHUNK};
use crate::{opt_date, Conn, Result, StoreError};

/// One `org_event` row (`org_id, kind, on_date, until_date`) as an org id and its event.
fn event_from_row(row: &sqlx::any::AnyRow) -> Result<(i64, OrgEvent)> {
    let kind: String = row.try_get("kind")?;
    let kind = EventKind::from_code(&kind)
        .ok_or_else(|| StoreError::Corrupt(format!("组织事件 {kind}")))?;
    Ok((
        row.try_get("org_id")?,
        OrgEvent {
            kind,
            on: row.opt_date("on_date")?,
            until: row.opt_date("until_date")?,
        },
    ))
}

/// Sets the records start and approved term of an `org` row (`id, records_from,
/// term_years`) on its history.
fn org_columns(row: &sqlx::any::AnyRow, out: &mut HashMap<i64, OrgHistory>) -> Result<()> {
    let records_from = opt_date(row.try_get("records_from")?)?;
    let term_years: Option<i64> = row.try_get("term_years")?;
    let h = out.entry(row.try_get("id")?).or_default();
    h.records_from = records_from;
    h.term_years = term_years;
    Ok(())
}

/// The history of every org of `scope` in three statements by path range (orgs, their
/// events, their secretaries' offices): what a subtree report or rating reads, for a
/// province without a statement per chunk of ids. Orgs with nothing recorded may be
/// missing from the map (read them as `OrgHistory::default()`).
pub async fn in_scope(conn: &mut Conn, scope: &Scope) -> Result<HashMap<i64, OrgHistory>> {
    let mut out: HashMap<i64, OrgHistory> = HashMap::new();
    let orgs = Sql::new("SELECT id, records_from, term_years FROM org WHERE ")
        .scope("path", scope)
        .push(" AND (records_from IS NOT NULL OR term_years IS NOT NULL)");
    for row in orgs.fetch_all(&mut *conn).await? {
        org_columns(&row, &mut out)?;
    }
    let events = Sql::new(
        "SELECT e.org_id, e.kind, e.on_date, e.until_date FROM org_event e \
         JOIN org o ON o.id = e.org_id WHERE ",
    )
    .scope("o.path", scope);
    for row in events.fetch_all(&mut *conn).await? {
        let (org_id, event) = event_from_row(&row)?;
        out.entry(org_id).or_default().events.push(event);
    }
    let secretaries = Sql::new(
        "SELECT p.org_id, p.started_on, p.ended_on FROM position p \
         JOIN org o ON o.id = p.org_id WHERE p.kind = ",
    )
    .bind(PositionKind::Secretary.code())
    .push(" AND ")
    .scope("o.path", scope);
    for row in secretaries.fetch_all(&mut *conn).await? {
        out.entry(row.try_get("org_id")?)
            .or_default()
            .secretaries
            .push(Office {
                started: row.opt_date("started_on")?,
                ended: row.opt_date("ended_on")?,
            });
    }
    Ok(out)
}

/// The history of each of `org_ids` (every id gets one, empty when nothing is recorded).
pub async fn of_orgs(conn: &mut Conn, org_ids: &[i64]) -> Result<HashMap<i64, OrgHistory>> {
    let mut out: HashMap<i64, OrgHistory> = org_ids
        .iter()
        .map(|id| (*id, OrgHistory::default()))
        .collect();
    for chunk in org_ids.chunks(IN_CHUNK) {
        let events =
            Sql::new("SELECT org_id, kind, on_date, until_date FROM org_event WHERE org_id IN ")
                .in_list(chunk);
        for row in events.fetch_all(&mut *conn).await? {
            let (org_id, event) = event_from_row(&row)?;
            out.entry(org_id).or_default().events.push(event);
        }
        let q =
            Sql::new("SELECT id, records_from, term_years FROM org WHERE id IN ").in_list(chunk);
        for row in q.fetch_all(&mut *conn).await? {
            org_columns(&row, &mut out)?;
        }
    }
    for p in crate::positions::of_orgs(conn, org_ids).await? {
        if p.kind == PositionKind::Secretary {
            out.entry(p.org_id).or_default().secretaries.push(Office {
                started: p.started_on,
                ended: p.ended_on,
            });
        }
    }
    Ok(out)
}

/// Records one event (`id` from `Store::reserve_ids("org_event", …)`).
pub async fn add(
    conn: &mut Conn,
    id: i64,
    org_id: i64,
    event: &OrgEvent,
    note: Option<&str>,
) -> Result<()> {
    sqlx::query(
        "INSERT INTO org_event (id, org_id, kind, on_date, until_date, note, recorded_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7)",
    )
    .bind(id)
    .bind(org_id)
    .bind(event.kind.code())
    .bind(event.on.map(crate::date_text))
    .bind(event.until.map(crate::date_text))
    .bind(note)
    .bind(crate::now_text())
    .execute(&mut *conn)
    .await?;
    Ok(())
}

/// Sets the records' first day of an org (`None`: unknown, everything is judged).
pub async fn set_records_from(
    conn: &mut Conn,
    org_id: i64,
    from: Option<chrono::NaiveDate>,
) -> Result<()> {
    sqlx::query("UPDATE org SET records_from = $1 WHERE id = $2")
        .bind(from.map(crate::date_text))
        .bind(org_id)
        .execute(&mut *conn)
        .await?;
    Ok(())
}

/// Records one event and keeps the org row's copies in step in the same transaction:
/// `org.committee` (and the older `has_committee`) from the latest committee fact,
/// `org.last_election_on` from the latest election. Every writer of events goes through
/// here, so the row and the events cannot disagree.
pub async fn record(
    conn: &mut Conn,
    id: i64,
    org_id: i64,
    event: &OrgEvent,
    note: Option<&str>,
) -> Result<()> {
    add(conn, id, org_id, event, note).await?;
    sync_org(conn, org_id).await
}

/// Sets `org.committee`, `has_committee` and `last_election_on` from the org's events.
pub async fn sync_org(conn: &mut Conn, org_id: i64) -> Result<()> {
    let h = of_orgs(conn, &[org_id])
        .await?
        .remove(&org_id)
        .unwrap_or_default();
    let committee = h.committee().changes.last().map(|c| c.1);
    let election = h
        .events
        .iter()
        .filter(|e| e.kind == EventKind::Election)
        .filter_map(|e| e.on)
        .max();
    sqlx::query(
        "UPDATE org SET committee = $1, has_committee = $2, last_election_on = COALESCE($3, last_election_on) \
         WHERE id = $4",
    )
    .bind(crate::orgs::committee_text(committee))
    .bind((committee == Some(true)) as i64)
    .bind(election.map(crate::date_text))
    .bind(org_id)
    .execute(&mut *conn)
    .await?;
    Ok(())
}

/// The events of one org, newest first, with their notes (for the org page).
pub async fn events(conn: &mut Conn, org_id: i64) -> Result<Vec<(OrgEvent, Option<String>)>> {
    let rows = sqlx::query(
        "SELECT kind, on_date, until_date, note FROM org_event WHERE org_id = $1 \
         ORDER BY on_date DESC, id DESC",
    )
    .bind(org_id)
    .fetch_all(&mut *conn)
    .await?;
    let mut out = Vec::with_capacity(rows.len());
    for row in rows {
        let kind: String = row.try_get("kind")?;
        out.push((
            OrgEvent {
                kind: EventKind::from_code(&kind)
                    .ok_or_else(|| StoreError::Corrupt(format!("组织事件 {kind}")))?,
                on: row.opt_date("on_date")?,
                until: row.opt_date("until_date")?,
            },
            row.try_get("note")?,
        ));
    }
    Ok(out)
}
