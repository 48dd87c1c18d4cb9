//! 流入党员 (issue #15, point 2): members of other orgs who take part in the organizational
//! life of a host branch here without a vote (`mobile_in`), and which of them took part in
//! which of its meetings (`meeting_guest`).

use chrono::NaiveDate;
use sqlx::any::AnyRow;

use crate::row::{from_row, Cells};
use crate::sql::{insert_many, update_row, Sql, Val};
use crate::{Conn, Result, Scope};

/// A 流入党员 registered at a host branch.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StoredGuest {
    pub id: i64,
    /// The host branch.
    pub org_id: i64,
    pub org_path: String,
    /// The member's own record, when their membership is in the system too.
    pub member_id: Option<i64>,
    pub name: String,
    pub id_hash: String,
    pub id_cipher: String,
    pub id_masked: String,
    /// 组织关系所在党组织: the name of the org that holds their membership.
    pub home_org: String,
    pub since: NaiveDate,
    /// Left; `None` while they take part here.
    pub until: Option<NaiveDate>,
    pub contact_cipher: Option<String>,
    pub contact_masked: Option<String>,
    pub certificate_no: Option<String>,
    pub recorded_by: String,
    pub recorded_at: String,
}

const COLS: [&str; 16] = [
    "id",
    "org_id",
    "org_path",
    "member_id",
    "name",
    "id_hash",
    "id_cipher",
    "id_masked",
    "home_org",
    "since",
    "until",
    "contact_cipher",
    "contact_masked",
    "certificate_no",
    "recorded_by",
    "recorded_at",
];

fn vals(g: &StoredGuest) -> Vec<Val> {
    vec![
        g.id.into(),
        g.org_id.into(),
        g.org_path.clone().into(),
        g.member_id.into(),
        g.name.clone().into(),
        g.id_hash.clone().into(),
        g.id_cipher.clone().into(),
        g.id_masked.clone().into(),
        g.home_org.clone().into(),
        g.since.into(),
        g.until.into(),
        g.contact_cipher.clone().into(),
        g.contact_masked.clone().into(),
        g.certificate_no.clone().into(),
        g.recorded_by.clone().into(),
        g.recorded_at.clone().into(),
    ]
}

fn from_row(r: &AnyRow) -> Result<StoredGuest> {
    Ok(from_row!(
        r,
        StoredGuest {
            id,
            org_id,
            org_path,
            member_id,
            name,
            id_hash,
            id_cipher,
            id_masked,
            home_org,
            since: r.date("since")?,
            until: r.opt_date("until")?,
            contact_cipher,
            contact_masked,
            certificate_no,
            recorded_by,
            recorded_at,
        }
    ))
}

fn select() -> String {
    format!("SELECT {} FROM mobile_in WHERE ", COLS.join(", "))
}

pub async fn insert(conn: &mut Conn, g: &StoredGuest) -> Result<()> {
    insert_many(conn, "mobile_in", &COLS, &[vals(g)]).await
}

pub async fn update(conn: &mut Conn, g: &StoredGuest) -> Result<()> {
    update_row(conn, "mobile_in", &COLS, vals(g)).await?;
    Ok(())
}

/// One registration, when its host branch is in `scope`.
pub async fn get(conn: &mut Conn, scope: &Scope, id: i64) -> Result<Option<StoredGuest>> {
    Ok(Sql::new(select())
        .push("id = ")
        .bind(id)
        .push(" AND ")
        .scope("org_path", scope)
        .fetch_map(&mut *conn, from_row)
        .await?
        .pop())
}

/// The registrations of host branches in `scope`, those still taking part first (by
/// branch, then by when they came), then those who left (`current` alone: only the first).
pub async fn in_scope(conn: &mut Conn, scope: &Scope, current: bool) -> Result<Vec<StoredGuest>> {
    let mut q = Sql::new(select()).scope("org_path", scope);
    if current {
        q = q.push(" AND until IS NULL");
    }
    q.push(" ORDER BY CASE WHEN until IS NULL THEN 0 ELSE 1 END, org_path, since, id")
        .fetch_map(&mut *conn, from_row)
        .await
}

/// The host branch's registration of the person with this ID hash still taking part.
pub async fn current_of(
    conn: &mut Conn,
    org_id: i64,
    id_hash: &str,
) -> Result<Option<StoredGuest>> {
    Ok(Sql::new(select())
        .push("org_id = ")
        .bind(org_id)
        .push(" AND id_hash = ")
        .bind(id_hash.to_string())
        .push(" AND until IS NULL")
        .fetch_map(&mut *conn, from_row)
        .await?
        .pop())
}

/// Where a member of the system takes part as a 流入党员, every registration, oldest first.
pub async fn of_member(conn: &mut Conn, member_id: i64) -> Result<Vec<StoredGuest>> {
    Sql::new(select())
        .push("member_id = ")
        .bind(member_id)
        .push(" ORDER BY since, id")
        .fetch_map(&mut *conn, from_row)
        .await
}

/// Records which guests took part in a meeting (in the meeting's transaction).
pub async fn attend(conn: &mut Conn, meeting_id: i64, guests: &[StoredGuest]) -> Result<()> {
    let rows: Vec<Vec<Val>> = guests
        .iter()
        .map(|g| vec![meeting_id.into(), g.id.into(), g.member_id.into()])
        .collect();
    insert_many(
        conn,
        "meeting_guest",
        &["meeting_id", "guest_id", "member_id"],
        &rows,
    )
    .await
}

/// The guests who took part in a meeting: (registration id, name).
pub async fn guests_of(conn: &mut Conn, meeting_id: i64) -> Result<Vec<(i64, String)>> {
    Sql::new(
        "SELECT g.id, g.name FROM meeting_guest a JOIN mobile_in g ON g.id = a.guest_id \
         WHERE a.meeting_id = ",
    )
    .bind(meeting_id)
    .push(" ORDER BY g.name, g.id")
    .fetch_all_as(&mut *conn)
    .await
}

/// Removes a meeting's guests (the meeting deleted).
pub async fn forget_meeting(conn: &mut Conn, meeting_id: i64) -> Result<()> {
    Sql::new("DELETE FROM meeting_guest WHERE meeting_id = ")
        .bind(meeting_id)
        .execute(&mut *conn)
        .await?;
    Ok(())
}

/// Members of `member_ids` who took part as guests in a meeting held in `[from, to]`
/// anywhere in the system: (member id, day held).
pub async fn guest_life_of(
    conn: &mut Conn,
    member_ids: &[i64],
    (from, to): (NaiveDate, NaiveDate),
) -> Result<Vec<(i64, NaiveDate)>> {
    crate::sql::fetch_chunked(
        conn,
        member_ids,
        |c| {
            Sql::new(
                "SELECT a.member_id, m.held_on FROM meeting_guest a JOIN meeting m \
                 ON m.id = a.meeting_id WHERE m.held_on >= ",
            )
            .bind(from)
            .push(" AND m.held_on <= ")
            .bind(to)
            .push(" AND a.member_id IN ")
            .in_list(c)
        },
        |r| {
            use sqlx::Row;
            Ok((r.try_get("member_id")?, r.date("held_on")?))
        },
    )
    .await
}
