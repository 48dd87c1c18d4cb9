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

/// A spell still lasting, with the member it is about.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OpenSpell {
    pub spell: StoredSpell,
    pub name: String,
    pub id_masked: String,
    pub org_id: i64,
    pub org_path: String,
}

/// The spells still lasting of the scope's current members, oldest first.
pub async fn open_in_scope(conn: &mut Conn, scope: &Scope) -> Result<Vec<OpenSpell>> {
    let cols: Vec<String> = COLS.iter().map(|c| format!("s.{c}")).collect();
    let rows = Sql::new(format!(
        "SELECT {}, m.name, m.id_masked, m.org_id, m.org_path FROM member_mobility s \
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
            Ok(OpenSpell {
                spell: from_row(r)?,
                name: r.try_get("name")?,
                id_masked: r.try_get("id_masked")?,
                org_id: r.try_get("org_id")?,
                org_path: r.try_get("org_path")?,
            })
        })
        .collect()
}

/// The scope's current members flagged away (`mobile`) or lost (`lost_contact`) with no
/// spell recorded (rosters that carried the flag alone): each as a spell without a start
/// (`since` is the member's joining day, never read; `kind` as flagged, id 0).
pub async fn flagged_without_spell(conn: &mut Conn, scope: &Scope) -> Result<Vec<OpenSpell>> {
    let rows = Sql::new(
        "SELECT m.id, m.name, m.id_masked, m.org_id, m.org_path, m.mobile, m.lost_contact, \
         m.joined_on FROM member m WHERE (m.mobile = 1 OR m.lost_contact = 1) \
         AND m.exited_on IS NULL AND ",
    )
    .scope("m.org_path", scope)
    .push(
        " AND NOT EXISTS (SELECT 1 FROM member_mobility s WHERE s.member_id = m.id \
         AND s.until IS NULL) ORDER BY m.org_path, m.name",
    )
    .fetch_all(&mut *conn)
    .await?;
    use sqlx::Row;
    let mut out = Vec::new();
    for r in &rows {
        for (flag, kind) in [("mobile", "away"), ("lost_contact", "lost")] {
            if !r.flag(flag)? {
                continue;
            }
            out.push(OpenSpell {
                spell: StoredSpell {
                    id: 0,
                    member_id: r.try_get("id")?,
                    kind: kind.into(),
                    since: r.date("joined_on")?,
                    until: None,
                    place: None,
                    contact_cipher: None,
                    contact_masked: None,
                    certificate_no: None,
                    suspended_on: None,
                    suspended_by: None,
                    suspension_document: None,
                    recorded_by: String::new(),
                    recorded_at: String::new(),
                },
                name: r.try_get("name")?,
                id_masked: r.try_get("id_masked")?,
                org_id: r.try_get("org_id")?,
                org_path: r.try_get("org_path")?,
            });
        }
    }
    Ok(out)
}
