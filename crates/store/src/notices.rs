//! 站内提醒 sent down the tree: a notice to a branch from the org above (the township's
//! one-click 提醒), read back as the branch's reminders. Kept in this server only.

use chrono::NaiveDate;
use sqlx::any::AnyRow;

use crate::row::{from_row, Cells};
use crate::sql::{insert_many, Sql, Val};
use crate::{Conn, Result, Scope};

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StoredNotice {
    pub id: i64,
    /// The branch it is for.
    pub org_id: i64,
    pub org_path: String,
    /// The org that sent it, and its name then.
    pub from_org_id: i64,
    pub from_name: String,
    pub text: String,
    pub sent_on: NaiveDate,
    /// The account that sent it, and when (UTC text).
    pub sent_by: String,
    pub sent_at: String,
}

const COLS: [&str; 9] = [
    "id",
    "org_id",
    "org_path",
    "from_org_id",
    "from_name",
    "text",
    "sent_on",
    "sent_by",
    "sent_at",
];

fn vals(n: &StoredNotice) -> Vec<Val> {
    vec![
        n.id.into(),
        n.org_id.into(),
        n.org_path.clone().into(),
        n.from_org_id.into(),
        n.from_name.clone().into(),
        n.text.clone().into(),
        n.sent_on.into(),
        n.sent_by.clone().into(),
        n.sent_at.clone().into(),
    ]
}

fn notice_from_row(r: &AnyRow) -> Result<StoredNotice> {
    Ok(from_row!(
        r,
        StoredNotice {
            id,
            org_id,
            org_path,
            from_org_id,
            from_name,
            text,
            sent_on: r.date("sent_on")?,
            sent_by,
            sent_at,
        }
    ))
}

pub async fn insert(conn: &mut Conn, notices: &[StoredNotice]) -> Result<()> {
    let rows: Vec<Vec<Val>> = notices.iter().map(vals).collect();
    insert_many(conn, "notice", &COLS, &rows).await
}

/// The notices to orgs of `scope` sent on or after `from`, the newest first.
pub async fn since(conn: &mut Conn, scope: &Scope, from: NaiveDate) -> Result<Vec<StoredNotice>> {
    Sql::new(format!("SELECT {} FROM notice WHERE ", COLS.join(", ")))
        .scope("org_path", scope)
        .push(" AND sent_on >= ")
        .bind(from)
        .push(" ORDER BY sent_at DESC, id DESC")
        .fetch_map(&mut *conn, notice_from_row)
        .await
}
