//! 流动党员 and 失联党员 (issue #15): the spells a member is away or lost
//! (`member_mobility`), read by member or by the scope of the members' orgs.

use chrono::NaiveDate;
use sqlx::any::AnyRow;

use crate::row::{from_row, Cells};
use crate::sql::{insert_many, update_row, Sql, Val};
use crate::{Conn, Result, Scope};

/// A spell away (`away`) or lost to contact (`lost`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StoredSpell {
    pub id: i64,
    pub member_id: i64,
    /// `away` or `lost`.
    pub kind: String,
    pub since: NaiveDate,
    /// Back, or found; `None` while it lasts.
    pub until: Option<NaiveDate>,
    pub place: Option<String>,
    pub contact_cipher: Option<String>,
    pub contact_masked: Option<String>,
    pub certificate_no: Option<String>,
    pub suspended_on: Option<NaiveDate>,
    pub suspended_by: Option<String>,
    pub suspension_document: Option<String>,
    pub recorded_by: String,
    pub recorded_at: String,
}

const COLS: [&str; 14] = [
    "id",
    "member_id",
    "kind",
    "since",
    "until",
    "place",
    "contact_cipher",
    "contact_masked",
    "certificate_no",
    "suspended_on",
    "suspended_by",
    "suspension_document",
    "recorded_by",
    "recorded_at",
];

fn vals(s: &StoredSpell) -> Vec<Val> {
    vec![
        s.id.into(),
        s.member_id.into(),
        s.kind.clone().into(),
        s.since.into(),
        s.until.into(),
        s.place.clone().into(),
        s.contact_cipher.clone().into(),
        s.contact_masked.clone().into(),
        s.certificate_no.clone().into(),
        s.suspended_on.into(),
        s.suspended_by.clone().into(),
        s.suspension_document.clone().into(),
        s.recorded_by.clone().into(),
        s.recorded_at.clone().into(),
    ]
}

fn from_row(r: &AnyRow) -> Result<StoredSpell> {
    Ok(from_row!(
        r,
        StoredSpell {
            id,
            member_id,
            kind,
            since: r.date("since")?,
            until: r.opt_date("until")?,
            place,
            contact_cipher,
            contact_masked,
            certificate_no,
            suspended_on: r.opt_date("suspended_on")?,
            suspended_by,
            suspension_document,
            recorded_by,
            recorded_at,
        }
    ))
}

pub async fn insert(conn: &mut Conn, s: &StoredSpell) -> Result<()> {
    insert_many(conn, "member_mobility", &COLS, &[vals(s)]).await
}

pub async fn update(conn: &mut Conn, s: &StoredSpell) -> Result<()> {
    update_row(conn, "member_mobility", &COLS, vals(s)).await?;
    Ok(())
}

/// A member's spells, oldest first.
pub async fn of_member(conn: &mut Conn, member_id: i64) -> Result<Vec<StoredSpell>> {
    Sql::new(format!(
        "SELECT {} FROM member_mobility WHERE member_id = ",
        COLS.join(", ")
    ))
    .bind(member_id)
    .push(" ORDER BY since, id")
    .fetch_map(&mut *conn, from_row)
    .await
}

/// The spells still lasting of the scope's current members, oldest first, with each
/// member's name, masked ID number and org: (spell, name, masked ID, org id).
pub async fn open_in_scope(
    conn: &mut Conn,
    scope: &Scope,
) -> Result<Vec<(StoredSpell, String, String, i64)>> {
    let cols: Vec<String> = COLS.iter().map(|c| format!("s.{c}")).collect();
    let rows = Sql::new(format!(
        "SELECT {}, m.name, m.id_masked, m.org_id FROM member_mobility s \
         JOIN member m ON m.id = s.member_id WHERE s.until IS NULL AND m.exited_on IS NULL AND ",
        cols.join(", ")
    ))
    .scope("m.org_path", scope)
    .push(" ORDER BY s.since, s.id")
    .fetch_all(&mut *conn)
    .await?;
    use sqlx::Row;
    rows.iter()
        .map(|r| {
            Ok((
                from_row(r)?,
                r.try_get("name")?,
                r.try_get("id_masked")?,
                r.try_get("org_id")?,
            ))
        })
        .collect()
}
