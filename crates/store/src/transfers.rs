//! 组织关系转接 (issue #15): the letters (`member_transfer`). A letter is seen by the orgs
//! at both of its ends — `from_path` or `to_path` in the reader's scope — and an inbox is a
//! path range on either (indexes `(to_path, state)`, `(from_path, state)`).

use chrono::NaiveDate;
use jiceng_domain::transfer::{LetterState, Outside};
use sqlx::any::AnyRow;

use crate::row::{from_row, Cells};
use crate::sql::{insert_many, update_row, Sql, Val};
use crate::{Conn, Result, Scope};

/// A letter as stored.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StoredTransfer {
    pub id: i64,
    /// The member the letter is about (for a letter from outside: the member made when it
    /// was received).
    pub member_id: Option<i64>,
    pub letter_no: String,
    pub issued_on: NaiveDate,
    pub valid_until: NaiveDate,
    /// The sending org; `None`: from outside the system (`outside` says where).
    pub from_org_id: Option<i64>,
    pub from_path: Option<String>,
    pub from_name: String,
    /// The receiving org; `None`: to outside the system.
    pub to_org_id: Option<i64>,
    pub to_path: Option<String>,
    pub to_name: String,
    pub outside: Option<Outside>,
    pub reason: String,
    pub state: LetterState,
    /// What the letter says of the member, JSON (name, gender, birth date, masked ID number,
    /// standing, joining and confirmation dates): all the receiving org sees before it
    /// accepts.
    pub person: String,
    /// The day received, returned, withdrawn or closed by receipt.
    pub decided_on: Option<NaiveDate>,
    /// The reason returned, or the receipt's words.
    pub decision_note: Option<String>,
    pub issued_by: String,
    pub decided_by: Option<String>,
    pub recorded_at: String,
}

const COLS: [&str; 20] = [
    "id",
    "member_id",
    "letter_no",
    "issued_on",
    "valid_until",
    "from_org_id",
    "from_path",
    "from_name",
    "to_org_id",
    "to_path",
    "to_name",
    "outside",
    "reason",
    "state",
    "person",
    "decided_on",
    "decision_note",
    "issued_by",
    "decided_by",
    "recorded_at",
];

fn select() -> String {
    format!("SELECT {} FROM member_transfer WHERE ", COLS.join(", "))
}

fn vals(t: &StoredTransfer) -> Vec<Val> {
    vec![
        t.id.into(),
        Val::OptInt(t.member_id),
        t.letter_no.clone().into(),
        t.issued_on.into(),
        t.valid_until.into(),
        Val::OptInt(t.from_org_id),
        t.from_path.clone().into(),
        t.from_name.clone().into(),
        Val::OptInt(t.to_org_id),
        t.to_path.clone().into(),
        t.to_name.clone().into(),
        t.outside.map(|o| o.code()).into(),
        t.reason.clone().into(),
        t.state.code().into(),
        t.person.clone().into(),
        t.decided_on.into(),
        t.decision_note.clone().into(),
        t.issued_by.clone().into(),
        t.decided_by.clone().into(),
        t.recorded_at.clone().into(),
    ]
}

fn from_row(r: &AnyRow) -> Result<StoredTransfer> {
    Ok(from_row!(
        r,
        StoredTransfer {
            id,
            member_id,
            letter_no,
            issued_on: r.date("issued_on")?,
            valid_until: r.date("valid_until")?,
            from_org_id,
            from_path,
            from_name,
            to_org_id,
            to_path,
            to_name,
            outside: r.opt_coded("outside", "转接去向", Outside::parse)?,
            reason,
            state: r.coded("state", "介绍信状态", LetterState::parse)?,
            person,
            decided_on: r.opt_date("decided_on")?,
            decision_note,
            issued_by,
            decided_by,
            recorded_at,
        }
    ))
}

pub async fn insert(conn: &mut Conn, letters: &[StoredTransfer]) -> Result<()> {
    let rows: Vec<Vec<Val>> = letters.iter().map(vals).collect();
    insert_many(conn, "member_transfer", &COLS, &rows).await
}

/// Rewrites a letter (matched by id): its state and decision.
pub async fn update(conn: &mut Conn, t: &StoredTransfer) -> Result<()> {
    update_row(conn, "member_transfer", &COLS, vals(t)).await?;
    Ok(())
}

/// A letter seen from the scope: sent from it or addressed to it.
pub async fn get(conn: &mut Conn, scope: &Scope, id: i64) -> Result<Option<StoredTransfer>> {
    Sql::new(select())
        .push("id = ")
        .bind(id)
        .push(" AND (")
        .scope("from_path", scope)
        .push(" OR ")
        .scope("to_path", scope)
        .push(")")
        .fetch_opt_map(&mut *conn, from_row)
        .await
}

/// Which end of the letters a list reads.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum End {
    /// Addressed to an org of the scope (`to_path`).
    Incoming,
    /// Sent from an org of the scope (`from_path`).
    Outgoing,
}

impl End {
    fn column(self) -> &'static str {
        match self {
            End::Incoming => "to_path",
            End::Outgoing => "from_path",
        }
    }
}

/// The letters at one end of the scope in the given states, the oldest first, at most
/// `limit`.
pub async fn at_end(
    conn: &mut Conn,
    scope: &Scope,
    end: End,
    states: &[LetterState],
    limit: i64,
) -> Result<Vec<StoredTransfer>> {
    let codes: Vec<&str> = states.iter().map(|s| s.code()).collect();
    Sql::new(select())
        .scope(end.column(), scope)
        .push(" AND state IN ")
        .in_list(codes)
        .push(" ORDER BY issued_on, id LIMIT ")
        .bind(limit)
        .fetch_map(&mut *conn, from_row)
        .await
}

/// The letters at one end of the scope decided on or after `since`, the latest first.
pub async fn decided_since(
    conn: &mut Conn,
    scope: &Scope,
    end: End,
    since: NaiveDate,
    limit: i64,
) -> Result<Vec<StoredTransfer>> {
    Sql::new(select())
        .scope(end.column(), scope)
        .push(" AND decided_on >= ")
        .bind(since)
        .push(" ORDER BY decided_on DESC, id DESC LIMIT ")
        .bind(limit)
        .fetch_map(&mut *conn, from_row)
        .await
}

/// How many letters at one end of the scope are in `state`, and of those how many were
/// valid only until before `today` (overdue).
pub async fn count_at_end(
    conn: &mut Conn,
    scope: &Scope,
    end: End,
    state: LetterState,
    today: NaiveDate,
) -> Result<(i64, i64)> {
    let row = Sql::numbered(
        "SELECT COUNT(*) AS n, SUM(CASE WHEN valid_until < $1 THEN 1 ELSE 0 END) AS late \
         FROM member_transfer WHERE ",
        vec![today.into()],
    )
    .scope(end.column(), scope)
    .push(" AND state = ")
    .bind(state.code())
    .fetch_one(&mut *conn)
    .await?;
    use sqlx::Row;
    Ok((
        row.try_get::<i64, _>("n")?,
        row.try_get::<Option<i64>, _>("late")?.unwrap_or(0),
    ))
}

/// Every letter about a member, oldest first (the member page's history).
pub async fn of_member(conn: &mut Conn, member_id: i64) -> Result<Vec<StoredTransfer>> {
    Sql::new(select())
        .push("member_id = ")
        .bind(member_id)
        .push(" ORDER BY issued_on, id")
        .fetch_map(&mut *conn, from_row)
        .await
}

/// The letters with an end in the scope that matter to a period `[from, to]`: issued or
/// decided in it, or still waiting (a report's rows; the period's letters, not the
/// subtree's members, so a province's year is read in one pass).
pub async fn touching(
    conn: &mut Conn,
    scope: &Scope,
    from: NaiveDate,
    to: NaiveDate,
) -> Result<Vec<StoredTransfer>> {
    Sql::new(select())
        .push("(")
        .scope("from_path", scope)
        .push(" OR ")
        .scope("to_path", scope)
        .push(") AND issued_on <= ")
        .bind(to)
        .push(" AND (state = 'issued' OR issued_on >= ")
        .bind(from)
        .push(" OR decided_on >= ")
        .bind(from)
        .push(") ORDER BY issued_on, id")
        .fetch_map(&mut *conn, from_row)
        .await
}

/// The waiting letters (`issued`) of the given members, in one chunked read.
pub async fn waiting_of_members(
    conn: &mut Conn,
    member_ids: &[i64],
) -> Result<Vec<StoredTransfer>> {
    let statement = |c: &[i64]| {
        Sql::new(select())
            .push("state = 'issued' AND member_id IN ")
            .in_list(c.to_vec())
    };
    crate::sql::fetch_chunked(conn, member_ids, statement, from_row).await
}
