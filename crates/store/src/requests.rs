//! 群众诉求: the requests assigned to orgs (`mass_request`), read within a scope by the
//! assigned org's path, and their progress notes (`mass_request_progress`). The requester's
//! name and phone are stored as the app encrypted them; nothing here reads them in clear.

use std::collections::HashMap;

use chrono::NaiveDate;
use jiceng_domain::mass_request::{Category, Channel, Feedback, MassFacts, RequestCounts};
use sqlx::any::AnyRow;

use crate::row::{from_row, Cells};
use crate::sql::{insert_many, Sql, Val};
use crate::{Conn, Result, Scope};

#[derive(Debug, Clone, PartialEq)]
pub struct StoredRequest {
    pub id: i64,
    /// The org it is assigned to.
    pub org_id: i64,
    pub org_path: String,
    /// The org that received it, and its name then.
    pub by_org_id: i64,
    pub by_org_name: String,
    pub channel: Channel,
    pub received_on: NaiveDate,
    pub category: Category,
    pub content: String,
    pub handler: String,
    pub name_cipher: Option<String>,
    pub name_masked: Option<String>,
    pub phone_cipher: Option<String>,
    pub phone_masked: Option<String>,
    pub resolved_on: Option<NaiveDate>,
    pub result: Option<String>,
    pub feedback: Option<Feedback>,
    pub resolve_days: Option<i64>,
    pub resolved_by: Option<String>,
    pub recorded_by: String,
    pub recorded_at: String,
    /// The number the township's register gives it (编号), when it was imported with one.
    pub register_no: Option<String>,
}

const COLS: [&str; 22] = [
    "id",
    "org_id",
    "org_path",
    "by_org_id",
    "by_org_name",
    "channel",
    "received_on",
    "category",
    "content",
    "handler",
    "name_cipher",
    "name_masked",
    "phone_cipher",
    "phone_masked",
    "resolved_on",
    "result",
    "feedback",
    "resolve_days",
    "resolved_by",
    "recorded_by",
    "recorded_at",
    "register_no",
];

fn request_from_row(r: &AnyRow) -> Result<StoredRequest> {
    Ok(from_row!(
        r,
        StoredRequest {
            id,
            org_id,
            org_path,
            by_org_id,
            by_org_name,
            channel: r.coded("channel", "request channel", Channel::parse)?,
            received_on: r.date("received_on")?,
            category: r.coded("category", "request category", Category::parse)?,
            content,
            handler,
            name_cipher,
            name_masked,
            phone_cipher,
            phone_masked,
            resolved_on: r.opt_date("resolved_on")?,
            result,
            feedback: r.opt_coded("feedback", "request feedback", Feedback::parse)?,
            resolve_days,
            resolved_by,
            recorded_by,
            recorded_at,
            register_no,
        }
    ))
}

/// Writes a request.
pub async fn insert(conn: &mut Conn, r: &StoredRequest) -> Result<()> {
    insert_all(conn, std::slice::from_ref(r)).await
}

/// Writes requests (an imported register), in multi-row statements.
pub async fn insert_all(conn: &mut Conn, requests: &[StoredRequest]) -> Result<()> {
    let rows: Vec<Vec<Val>> = requests.iter().map(row_of).collect();
    insert_many(conn, "mass_request", &COLS, &rows).await
}

fn row_of(r: &StoredRequest) -> Vec<Val> {
    vec![
        r.id.into(),
        r.org_id.into(),
        r.org_path.clone().into(),
        r.by_org_id.into(),
        r.by_org_name.clone().into(),
        r.channel.code().into(),
        r.received_on.into(),
        r.category.code().into(),
        r.content.clone().into(),
        r.handler.clone().into(),
        r.name_cipher.clone().into(),
        r.name_masked.clone().into(),
        r.phone_cipher.clone().into(),
        r.phone_masked.clone().into(),
        r.resolved_on.into(),
        r.result.clone().into(),
        r.feedback.map(|f| f.code().to_string()).into(),
        r.resolve_days.into(),
        r.resolved_by.clone().into(),
        r.recorded_by.clone().into(),
        r.recorded_at.clone().into(),
        r.register_no.clone().into(),
    ]
}

/// The requests of `scope` an imported register may hold again: those received from
/// `from` to `to`, and those whose register number is one of `numbers`.
pub async fn register_matches(
    conn: &mut Conn,
    scope: &Scope,
    (from, to): (NaiveDate, NaiveDate),
    numbers: &[String],
) -> Result<Vec<StoredRequest>> {
    let select = || {
        Sql::new(format!(
            "SELECT {} FROM mass_request WHERE ",
            COLS.join(", ")
        ))
        .scope("org_path", scope)
    };
    let mut found = select()
        .push(" AND received_on >= ")
        .bind(from)
        .push(" AND received_on <= ")
        .bind(to)
        .fetch_map(&mut *conn, request_from_row)
        .await?;
    for chunk in numbers.chunks(crate::sql::IN_CHUNK) {
        let more = select()
            .push(" AND register_no IN ")
            .in_list(chunk.iter().cloned())
            .fetch_map(&mut *conn, request_from_row)
            .await?;
        found.extend(
            more.into_iter()
                .filter(|r| r.received_on < from || r.received_on > to),
        );
    }
    Ok(found)
}

/// A request by id within `scope`.
pub async fn get(conn: &mut Conn, scope: &Scope, id: i64) -> Result<Option<StoredRequest>> {
    Sql::new(format!(
        "SELECT {} FROM mass_request WHERE id = ",
        COLS.join(", ")
    ))
    .bind(id)
    .push(" AND ")
    .scope("org_path", scope)
    .fetch_opt_map(&mut *conn, request_from_row)
    .await
}

/// Which requests a list shows.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Which {
    #[default]
    All,
    /// Not resolved.
    Open,
    /// Not resolved and received before the day given.
    OverdueBefore(NaiveDate),
    Resolved,
}

/// `received_on` within a month, as the first and last day.
pub type Month = Option<(NaiveDate, NaiveDate)>;

fn filtered(sql: Sql, scope: &Scope, which: Which, month: Month) -> Sql {
    let mut q = sql.scope("org_path", scope);
    q = match which {
        Which::All => q,
        Which::Open => q.push(" AND resolved_on IS NULL"),
        Which::OverdueBefore(day) => q
            .push(" AND resolved_on IS NULL AND received_on < ")
            .bind(day),
        Which::Resolved => q.push(" AND resolved_on IS NOT NULL"),
    };
    if let Some((from, to)) = month {
        q = q
            .push(" AND received_on >= ")
            .bind(from)
            .push(" AND received_on <= ")
            .bind(to);
    }
    q
}

/// The requests of `scope`: the open ones first, the oldest first (the overdue on top),
/// then the resolved, the latest received first (at most `limit`).
pub async fn list(
    conn: &mut Conn,
    scope: &Scope,
    which: Which,
    month: Month,
    limit: i64,
) -> Result<Vec<StoredRequest>> {
    filtered(
        Sql::new(format!(
            "SELECT {} FROM mass_request WHERE ",
            COLS.join(", ")
        )),
        scope,
        which,
        month,
    )
    .push(
        " ORDER BY CASE WHEN resolved_on IS NULL THEN 0 ELSE 1 END, \
         CASE WHEN resolved_on IS NULL THEN received_on ELSE '' END, \
         received_on DESC, id DESC LIMIT ",
    )
    .bind(limit)
    .fetch_map(&mut *conn, request_from_row)
    .await
}

/// The requests of `scope` (received in `month`, or all) counted in one read: received,
/// resolved and their days, open past `overdue_before`, and the feedback given.
pub async fn counts(
    conn: &mut Conn,
    scope: &Scope,
    month: Month,
    overdue_before: NaiveDate,
) -> Result<RequestCounts> {
    Ok(counted(conn, scope, month, overdue_before, false)
        .await?
        .into_iter()
        .next()
        .map(|(_, c)| c)
        .unwrap_or_default())
}

/// As [`counts`], per assigned org of the scope in one grouped read (orgs without a
/// request: absent).
pub async fn counts_by_org(
    conn: &mut Conn,
    scope: &Scope,
    month: Month,
    overdue_before: NaiveDate,
) -> Result<Vec<(i64, RequestCounts)>> {
    counted(conn, scope, month, overdue_before, true).await
}

async fn counted(
    conn: &mut Conn,
    scope: &Scope,
    month: Month,
    overdue_before: NaiveDate,
    by_org: bool,
) -> Result<Vec<(i64, RequestCounts)>> {
    let given = format!(
        "feedback IS NOT NULL AND feedback <> '{}'",
        Feedback::NoFeedback.code()
    );
    let satisfied = format!(
        "feedback IN ('{}', '{}')",
        Feedback::Satisfied.code(),
        Feedback::BasicallySatisfied.code()
    );
    let key = if by_org {
        "org_id"
    } else {
        "CAST(0 AS BIGINT)"
    };
    let q = filtered(
        Sql::numbered(
            format!(
            "SELECT {key}, COUNT(*), \
             CAST(COALESCE(SUM(CASE WHEN resolved_on IS NULL THEN 0 ELSE 1 END), 0) AS BIGINT), \
             CAST(COALESCE(SUM(resolve_days), 0) AS BIGINT), \
             CAST(COALESCE(SUM(CASE WHEN resolved_on IS NULL AND received_on < $1 THEN 1 ELSE 0 END), 0) AS BIGINT), \
             CAST(COALESCE(SUM(CASE WHEN {given} THEN 1 ELSE 0 END), 0) AS BIGINT), \
             CAST(COALESCE(SUM(CASE WHEN {satisfied} THEN 1 ELSE 0 END), 0) AS BIGINT) \
             FROM mass_request WHERE "
            ),
            vec![overdue_before.into()],
        ),
        scope,
        Which::All,
        month,
    );
    let q = if by_org {
        q.push(" GROUP BY org_id")
    } else {
        q
    };
    Ok(
        q.fetch_all_as::<(i64, i64, i64, i64, i64, i64, i64), _>(&mut *conn)
            .await?
            .into_iter()
            .map(
                |(org, received, resolved, days, overdue, with_feedback, satisfied)| {
                    let c = RequestCounts {
                        received,
                        resolved,
                        days,
                        overdue,
                        with_feedback,
                        satisfied,
                    };
                    (org, c)
                },
            )
            .collect(),
    )
}

/// Records a request resolved, if it was still open (`false`: someone resolved it first).
pub async fn resolve(
    conn: &mut Conn,
    id: i64,
    on: NaiveDate,
    result: &str,
    feedback: Feedback,
    days: i64,
    by: &str,
) -> Result<bool> {
    let done = Sql::new("UPDATE mass_request SET resolved_on = ")
        .bind(on)
        .push(", result = ")
        .bind(result)
        .push(", feedback = ")
        .bind(feedback.code())
        .push(", resolve_days = ")
        .bind(days)
        .push(", resolved_by = ")
        .bind(by)
        .push(" WHERE id = ")
        .bind(id)
        .push(" AND resolved_on IS NULL")
        .execute(&mut *conn)
        .await?;
    Ok(done.rows_affected() == 1)
}

/// A progress note.
#[derive(Debug, Clone, PartialEq)]
pub struct StoredProgress {
    pub request_id: i64,
    pub seq: i64,
    pub org_path: String,
    pub noted_on: NaiveDate,
    pub note: String,
    pub recorded_by: String,
    pub recorded_at: String,
}

const PROGRESS_COLS: [&str; 7] = [
    "request_id",
    "seq",
    "org_path",
    "noted_on",
    "note",
    "recorded_by",
    "recorded_at",
];

/// Holds request `id` for the rest of the transaction if it is still open (`false`: it
/// was resolved meanwhile): the row lock orders concurrent notes on PostgreSQL, so the next
/// `seq` read after it is free; SQLite's write transaction already holds the database.
pub async fn hold_open(conn: &mut Conn, id: i64) -> Result<bool> {
    let done = Sql::new("UPDATE mass_request SET id = id WHERE id = ")
        .bind(id)
        .push(" AND resolved_on IS NULL")
        .execute(&mut *conn)
        .await?;
    Ok(done.rows_affected() == 1)
}

/// Adds a progress note as the request's next (its `seq` is given by the notes there are).
pub async fn add_progress(conn: &mut Conn, p: &StoredProgress) -> Result<i64> {
    let last: Option<i64> =
        Sql::new("SELECT MAX(seq) FROM mass_request_progress WHERE request_id = ")
            .bind(p.request_id)
            .fetch_scalar(&mut *conn)
            .await?;
    let seq = last.unwrap_or(0) + 1;
    let row: Vec<Val> = vec![
        p.request_id.into(),
        seq.into(),
        p.org_path.clone().into(),
        p.noted_on.into(),
        p.note.clone().into(),
        p.recorded_by.clone().into(),
        p.recorded_at.clone().into(),
    ];
    insert_many(conn, "mass_request_progress", &PROGRESS_COLS, &[row]).await?;
    Ok(seq)
}

/// The progress notes of a request, in order.
pub async fn progress_of(conn: &mut Conn, request_id: i64) -> Result<Vec<StoredProgress>> {
    Sql::new(format!(
        "SELECT {} FROM mass_request_progress WHERE request_id = ",
        PROGRESS_COLS.join(", ")
    ))
    .bind(request_id)
    .push(" ORDER BY seq")
    .fetch_map(&mut *conn, |r| {
        Ok(from_row!(
            r,
            StoredProgress {
                request_id,
                seq,
                org_path,
                noted_on: r.date("noted_on")?,
                note,
                recorded_by,
                recorded_at,
            }
        ))
    })
    .await
}

/// The open requests assigned to the org `own` itself (or, `None`, to any org of `scope`):
/// how many, how many received before `overdue_before`, the earliest day received.
pub async fn open_of(
    conn: &mut Conn,
    scope: &Scope,
    own: Option<i64>,
    overdue_before: NaiveDate,
) -> Result<(i64, i64, Option<NaiveDate>)> {
    let mut q = Sql::numbered(
        "SELECT COUNT(*), \
         CAST(COALESCE(SUM(CASE WHEN received_on < $1 THEN 1 ELSE 0 END), 0) AS BIGINT), \
         MIN(received_on) FROM mass_request WHERE resolved_on IS NULL AND ",
        vec![overdue_before.into()],
    )
    .scope("org_path", scope);
    if let Some(id) = own {
        q = q.push(" AND org_id = ").bind(id);
    }
    let (n, late, first): (i64, i64, Option<String>) = q
        .fetch_all_as(&mut *conn)
        .await?
        .into_iter()
        .next()
        .unwrap_or_default();
    Ok((n, late, crate::opt_date(first)?))
}

/// What the requests bring to the diagnosis and rating of every org of `scope` on
/// `as_of`: per org, summed over its subtree (the org itself included), the requests
/// received from `from` to `as_of`, resolved in that span, and open on `as_of` though
/// received before `overdue_before`; and the meetings held in that span with people from
/// outside the party taking part (群众参与). One grouped read of each by the org's path;
/// each path's counts are added to the org and every ancestor on it. Orgs with neither in
/// their subtree are absent (暂无数据).
pub async fn facts_in_scope(
    conn: &mut Conn,
    scope: &Scope,
    from: NaiveDate,
    as_of: NaiveDate,
    overdue_before: NaiveDate,
) -> Result<HashMap<i64, MassFacts>> {
    let rows: Vec<(String, i64, i64, i64)> = Sql::numbered(
        "SELECT org_path, \
         CAST(SUM(CASE WHEN received_on >= $1 THEN 1 ELSE 0 END) AS BIGINT), \
         CAST(SUM(CASE WHEN resolved_on IS NOT NULL AND resolved_on >= $1 AND resolved_on <= $2 THEN 1 ELSE 0 END) AS BIGINT), \
         CAST(SUM(CASE WHEN received_on < $3 AND (resolved_on IS NULL OR resolved_on > $2) THEN 1 ELSE 0 END) AS BIGINT) \
         FROM mass_request WHERE received_on <= $2 AND (resolved_on IS NULL OR resolved_on >= $1) AND ",
        vec![from.into(), as_of.into(), overdue_before.into()],
    )
    .scope("org_path", scope)
    .push(" GROUP BY org_path")
    .fetch_all_as(&mut *conn)
    .await?;
    let mut out: HashMap<i64, MassFacts> = HashMap::new();
    for (path, received, resolved, overdue) in rows {
        let here = MassFacts {
            received,
            resolved,
            overdue,
            meetings: 0,
        };
        for id in jiceng_domain::path::ids(&path) {
            out.entry(id).or_default().add(&here);
        }
    }
    let meetings: Vec<(String, i64)> = Sql::numbered(
        "SELECT org_path, COUNT(*) FROM meeting \
         WHERE masses_present > 0 AND held_on >= $1 AND held_on <= $2 AND ",
        vec![from.into(), as_of.into()],
    )
    .sharded_scope("org_path", scope)
    .push(" GROUP BY org_path")
    .fetch_all_as(&mut *conn)
    .await?;
    for (path, n) in meetings {
        for id in jiceng_domain::path::ids(&path) {
            out.entry(id).or_default().meetings += n;
        }
    }
    out.retain(|_, m| *m != MassFacts::default());
    Ok(out)
}

/// Every request's protected name and phone, for a key rotation: id, name cipher, phone
/// cipher.
pub async fn ciphers(conn: &mut Conn) -> Result<Vec<(i64, Option<String>, Option<String>)>> {
    Sql::new(
        "SELECT id, name_cipher, phone_cipher FROM mass_request \
         WHERE name_cipher IS NOT NULL OR phone_cipher IS NOT NULL ORDER BY id",
    )
    .fetch_all_as(&mut *conn)
    .await
}

/// A request's name and phone encrypted anew.
pub async fn set_ciphers(
    conn: &mut Conn,
    id: i64,
    name_cipher: Option<String>,
    phone_cipher: Option<String>,
) -> Result<()> {
    Sql::new("UPDATE mass_request SET name_cipher = ")
        .bind(name_cipher)
        .push(", phone_cipher = ")
        .bind(phone_cipher)
        .push(" WHERE id = ")
        .bind(id)
        .execute(&mut *conn)
        .await?;
    Ok(())
}
