//! 结对共建: the pairings (`pairing`) of a supported grassroots org (`org_path`) and its
//! supporter (an org of the tree at `partner_path`, or a body outside it). A subtree's
//! counts are one grouped read by the path range; the grassroots orgs without a pairing
//! one read with `NOT EXISTS`.

use chrono::NaiveDate;
use jiceng_domain::pairing::PairingKind;
use sqlx::any::AnyRow;

use crate::row::{from_row, Cells};
use crate::sql::{insert_many, Sql, Val};
use crate::{Conn, Result, Scope};

#[derive(Debug, Clone, PartialEq)]
pub struct StoredPairing {
    pub id: i64,
    /// The supported org.
    pub org_id: i64,
    pub org_path: String,
    /// The supporter, when it is an org of the tree.
    pub partner_org_id: Option<i64>,
    pub partner_path: Option<String>,
    /// The supporter's name (the org's name then, or the outside body's).
    pub partner_name: String,
    pub kind: PairingKind,
    pub content: String,
    pub since: NaiveDate,
    pub until: Option<NaiveDate>,
    pub recorded_by: String,
    pub recorded_at: String,
}

const COLS: [&str; 12] = [
    "id",
    "org_id",
    "org_path",
    "partner_org_id",
    "partner_path",
    "partner_name",
    "kind",
    "content",
    "since",
    "until",
    "recorded_by",
    "recorded_at",
];

fn pairing_from_row(r: &AnyRow) -> Result<StoredPairing> {
    Ok(from_row!(
        r,
        StoredPairing {
            id,
            org_id,
            org_path,
            partner_org_id,
            partner_path,
            partner_name,
            kind: r.coded("kind", "pairing kind", PairingKind::parse)?,
            content,
            since: r.date("since")?,
            until: r.opt_date("until")?,
            recorded_by,
            recorded_at,
        }
    ))
}

pub async fn insert(conn: &mut Conn, p: &StoredPairing) -> Result<()> {
    insert_all(conn, std::slice::from_ref(p)).await
}

fn row_of(p: &StoredPairing) -> Vec<Val> {
    vec![
        p.id.into(),
        p.org_id.into(),
        p.org_path.clone().into(),
        p.partner_org_id.into(),
        p.partner_path.clone().into(),
        p.partner_name.clone().into(),
        p.kind.code().into(),
        p.content.clone().into(),
        p.since.into(),
        p.until.into(),
        p.recorded_by.clone().into(),
        p.recorded_at.clone().into(),
    ]
}

/// A pairing whose supported org or supporting org lies within `scope`.
pub async fn get(conn: &mut Conn, scope: &Scope, id: i64) -> Result<Option<StoredPairing>> {
    Sql::new(format!(
        "SELECT {} FROM pairing WHERE id = ",
        COLS.join(", ")
    ))
    .bind(id)
    .push(" AND (")
    .scope("org_path", scope)
    .push(" OR (partner_path IS NOT NULL AND ")
    .scope("partner_path", scope)
    .push("))")
    .fetch_opt_map(&mut *conn, pairing_from_row)
    .await
}

/// The pairings of supported orgs within `scope` begun from `from` to `to` (what an
/// imported register may hold again).
pub async fn begun_in(
    conn: &mut Conn,
    scope: &Scope,
    (from, to): (NaiveDate, NaiveDate),
) -> Result<Vec<StoredPairing>> {
    Sql::new(format!("SELECT {} FROM pairing WHERE ", COLS.join(", ")))
        .scope("org_path", scope)
        .push(" AND since >= ")
        .bind(from)
        .push(" AND since <= ")
        .bind(to)
        .fetch_map(&mut *conn, pairing_from_row)
        .await
}

/// Writes pairings (an imported register), in multi-row statements.
pub async fn insert_all(conn: &mut Conn, pairings: &[StoredPairing]) -> Result<()> {
    let rows: Vec<Vec<Val>> = pairings.iter().map(row_of).collect();
    insert_many(conn, "pairing", &COLS, &rows).await
}

/// Ends pairing `id` on `until` (only if it is open or ends later).
pub async fn end(conn: &mut Conn, id: i64, until: NaiveDate) -> Result<bool> {
    let done = Sql::new("UPDATE pairing SET until = ")
        .bind(until)
        .push(" WHERE id = ")
        .bind(id)
        .push(" AND (until IS NULL OR until > ")
        .bind(until)
        .push(")")
        .execute(&mut *conn)
        .await?;
    Ok(done.rows_affected() == 1)
}

/// The pairings org `org_id` is on either side of, the latest first.
pub async fn of_org(conn: &mut Conn, org_id: i64) -> Result<Vec<StoredPairing>> {
    Sql::new(format!(
        "SELECT {} FROM pairing WHERE org_id = ",
        COLS.join(", ")
    ))
    .bind(org_id)
    .push(" OR partner_org_id = ")
    .bind(org_id)
    .push(" ORDER BY since DESC, id DESC")
    .fetch_map(&mut *conn, pairing_from_row)
    .await
}

/// The pairings of supported orgs within `scope` holding on `day`, the latest first (at
/// most `limit`).
pub async fn in_scope(
    conn: &mut Conn,
    scope: &Scope,
    day: NaiveDate,
    limit: i64,
) -> Result<Vec<StoredPairing>> {
    Sql::new(format!("SELECT {} FROM pairing WHERE ", COLS.join(", ")))
        .scope("org_path", scope)
        .push(" AND since <= ")
        .bind(day)
        .push(" AND (until IS NULL OR until >= ")
        .bind(day)
        .push(") ORDER BY since DESC, id DESC LIMIT ")
        .bind(limit)
        .fetch_map(&mut *conn, pairing_from_row)
        .await
}

/// The pairings of supported orgs within `scope` holding on `day`, by kind, and how many
/// supported orgs they cover: one grouped read.
pub async fn counts(
    conn: &mut Conn,
    scope: &Scope,
    day: NaiveDate,
) -> Result<(Vec<(PairingKind, i64)>, i64)> {
    let rows: Vec<(String, i64)> = Sql::new("SELECT kind, COUNT(*) FROM pairing WHERE ")
        .scope("org_path", scope)
        .push(" AND since <= ")
        .bind(day)
        .push(" AND (until IS NULL OR until >= ")
        .bind(day)
        .push(") GROUP BY kind")
        .fetch_all_as(&mut *conn)
        .await?;
    let covered: i64 = Sql::new("SELECT COUNT(DISTINCT org_id) FROM pairing WHERE ")
        .scope("org_path", scope)
        .push(" AND since <= ")
        .bind(day)
        .push(" AND (until IS NULL OR until >= ")
        .bind(day)
        .push(")")
        .fetch_scalar(&mut *conn)
        .await?;
    let mut out = Vec::new();
    for (code, n) in rows {
        let kind = PairingKind::parse(&code)
            .ok_or_else(|| crate::StoreError::Corrupt(format!("unknown pairing kind {code}")))?;
        out.push((kind, n));
    }
    out.sort();
    Ok((out, covered))
}

/// The orgs of kind `kinds` within `scope`, not dissolved, with no pairing holding on
/// `day`: how many, and the first `limit` (id, code, name) by path.
pub async fn unpaired(
    conn: &mut Conn,
    scope: &Scope,
    kinds: &[&str],
    day: NaiveDate,
    limit: i64,
) -> Result<(i64, Vec<(i64, String, String)>)> {
    let cond = |sql: Sql| -> Sql {
        sql.scope("o.path", scope)
            .push(" AND o.dissolved_on IS NULL AND o.kind IN ")
            .in_list(kinds.iter().map(|k| k.to_string()))
            .push(" AND NOT EXISTS (SELECT 1 FROM pairing p WHERE p.org_id = o.id AND p.since <= ")
            .bind(day)
            .push(" AND (p.until IS NULL OR p.until >= ")
            .bind(day)
            .push("))")
    };
    let n: i64 = cond(Sql::new("SELECT COUNT(*) FROM org o WHERE "))
        .fetch_scalar(&mut *conn)
        .await?;
    let rows: Vec<(i64, String, String)> =
        cond(Sql::new("SELECT o.id, o.code, o.name FROM org o WHERE "))
            .push(" ORDER BY o.path LIMIT ")
            .bind(limit)
            .fetch_all_as(&mut *conn)
            .await?;
    Ok((n, rows))
}
