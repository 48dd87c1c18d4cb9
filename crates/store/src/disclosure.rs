//! 党务公开: the items an org published (`disclosure_item`) and the public key of its
//! public page (`disclosure_key`). The public page reads by the key alone: the published,
//! not withdrawn public items of the one org the key belongs to.

use chrono::NaiveDate;
use jiceng_domain::disclosure::{Audience, Figure, ItemKind};
use sqlx::any::AnyRow;

use crate::row::{from_row, Cells};
use crate::sql::{insert_many, Sql, Val};
use crate::{Conn, Result, Scope};

#[derive(Debug, Clone, PartialEq)]
pub struct StoredItem {
    pub id: i64,
    pub org_id: i64,
    pub org_path: String,
    pub audience: Audience,
    pub kind: ItemKind,
    pub figure: Option<Figure>,
    /// The year (`2026`) or the survey (its id) the figure is of.
    pub figure_of: Option<String>,
    pub title: String,
    pub body: String,
    /// The item's day: a free item's as written, a figure's the day it was computed.
    pub day: NaiveDate,
    pub published_by: String,
    pub published_at: String,
    pub withdrawn_by: Option<String>,
    pub withdrawn_at: Option<String>,
}

const COLS: [&str; 14] = [
    "id",
    "org_id",
    "org_path",
    "audience",
    "kind",
    "figure",
    "figure_of",
    "title",
    "body",
    "day",
    "published_by",
    "published_at",
    "withdrawn_by",
    "withdrawn_at",
];

fn item_from_row(r: &AnyRow) -> Result<StoredItem> {
    Ok(from_row!(
        r,
        StoredItem {
            id,
            org_id,
            org_path,
            audience: r.coded("audience", "disclosure audience", Audience::parse)?,
            kind: r.coded("kind", "disclosure kind", ItemKind::parse)?,
            figure: r.opt_coded("figure", "disclosure figure", Figure::parse)?,
            figure_of,
            title,
            body,
            day: r.date("day")?,
            published_by,
            published_at,
            withdrawn_by,
            withdrawn_at,
        }
    ))
}

/// Writes an item.
pub async fn insert(conn: &mut Conn, i: &StoredItem) -> Result<()> {
    let row: Vec<Val> = vec![
        i.id.into(),
        i.org_id.into(),
        i.org_path.clone().into(),
        i.audience.code().into(),
        i.kind.code().into(),
        i.figure.map(|f| f.code().to_string()).into(),
        i.figure_of.clone().into(),
        i.title.clone().into(),
        i.body.clone().into(),
        i.day.into(),
        i.published_by.clone().into(),
        i.published_at.clone().into(),
        i.withdrawn_by.clone().into(),
        i.withdrawn_at.clone().into(),
    ];
    insert_many(conn, "disclosure_item", &COLS, &[row]).await
}

/// An item by id, of an org within `scope`.
pub async fn get(conn: &mut Conn, scope: &Scope, id: i64) -> Result<Option<StoredItem>> {
    Sql::new(format!(
        "SELECT {} FROM disclosure_item WHERE id = ",
        COLS.join(", ")
    ))
    .bind(id)
    .push(" AND ")
    .scope("org_path", scope)
    .fetch_opt_map(&mut *conn, item_from_row)
    .await
}

/// The items of org `org_id` (not of its subtree), the newest first: all of them, or the
/// published ones only (not withdrawn), of `audience` if given.
pub async fn of_org(
    conn: &mut Conn,
    org_id: i64,
    published_only: bool,
    audience: Option<Audience>,
    limit: i64,
) -> Result<Vec<StoredItem>> {
    let mut q = Sql::new(format!(
        "SELECT {} FROM disclosure_item WHERE org_id = ",
        COLS.join(", ")
    ))
    .bind(org_id);
    if published_only {
        q = q.push(" AND withdrawn_at IS NULL");
    }
    if let Some(a) = audience {
        q = q.push(" AND audience = ").bind(a.code());
    }
    q.push(" ORDER BY day DESC, id DESC LIMIT ")
        .bind(limit)
        .fetch_map(&mut *conn, item_from_row)
        .await
}

/// The published (not withdrawn) items of the orgs `org_ids` (an org and those above it:
/// a path's few), the newest first.
pub async fn of_orgs(conn: &mut Conn, org_ids: &[i64], limit: i64) -> Result<Vec<StoredItem>> {
    if org_ids.is_empty() {
        return Ok(Vec::new());
    }
    Sql::new(format!(
        "SELECT {} FROM disclosure_item WHERE withdrawn_at IS NULL AND org_id IN ",
        COLS.join(", ")
    ))
    .in_list(org_ids.iter().copied())
    .push(" ORDER BY day DESC, id DESC LIMIT ")
    .bind(limit)
    .fetch_map(&mut *conn, item_from_row)
    .await
}

/// Withdraws item `id` if it is still published (`false`: withdrawn already).
pub async fn withdraw(conn: &mut Conn, id: i64, by: &str, at: &str) -> Result<bool> {
    let done = Sql::new("UPDATE disclosure_item SET withdrawn_by = ")
        .bind(by)
        .push(", withdrawn_at = ")
        .bind(at)
        .push(" WHERE id = ")
        .bind(id)
        .push(" AND withdrawn_at IS NULL")
        .execute(&mut *conn)
        .await?;
    Ok(done.rows_affected() == 1)
}

/// The public key of org `org_id`, if it has one.
pub async fn key_of(conn: &mut Conn, org_id: i64) -> Result<Option<String>> {
    let rows: Vec<(String,)> = Sql::new("SELECT public_key FROM disclosure_key WHERE org_id = ")
        .bind(org_id)
        .fetch_all_as(&mut *conn)
        .await?;
    Ok(rows.into_iter().next().map(|r| r.0))
}

/// Gives org `org_id` the public key `fresh` unless it has one; answers its key.
pub async fn ensure_key(conn: &mut Conn, org_id: i64, fresh: &str, at: &str) -> Result<String> {
    if let Some(k) = key_of(conn, org_id).await? {
        return Ok(k);
    }
    Sql::new("INSERT INTO disclosure_key (org_id, public_key, created_at) VALUES (")
        .bind(org_id)
        .push(", ")
        .bind(fresh)
        .push(", ")
        .bind(at)
        .push(") ON CONFLICT (org_id) DO NOTHING")
        .execute(&mut *conn)
        .await?;
    Ok(key_of(conn, org_id)
        .await?
        .unwrap_or_else(|| fresh.to_string()))
}

/// The org a public key belongs to.
pub async fn org_of_key(conn: &mut Conn, key: &str) -> Result<Option<i64>> {
    let rows: Vec<(i64,)> = Sql::new("SELECT org_id FROM disclosure_key WHERE public_key = ")
        .bind(key)
        .fetch_all_as(&mut *conn)
        .await?;
    Ok(rows.first().map(|r| r.0))
}
