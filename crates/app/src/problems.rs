//! A problem named by a record — an inspection's (督查) or a duty record's (述职评议考核,
//! 述职述廉, 离任审计) — reported fixed by the org, once, and the open ones counted for the
//! reminders. The one way both go through.

use chrono::NaiveDate;
use jiceng_domain::inspection::{self, InspectionError, ProblemStatus};
use std::collections::HashMap;

use jiceng_store::problems::{Problems, StoredProblem};
use serde_json::json;

use crate::access::{Grant, InScope, ReportTasks};
use crate::audit::{self, AuditAction};
use crate::{App, AppError, OrgRecord, Result};

/// The problem being fixed, as its record shows it.
pub(crate) struct Fixing<'a> {
    pub table: Problems,
    pub action: AuditAction,
    pub record_id: i64,
    pub seq: i64,
    /// Where it stands now (`None`: the record names no such problem).
    pub status: Option<ProblemStatus>,
    /// What the problem is called when not found (督查发现的问题).
    pub what: &'a str,
    /// The record's day (a fix cannot be earlier) and its name (督查日期).
    pub since: NaiveDate,
    pub since_label: &'a str,
}

/// Records the problem fixed on `fixed_on` with what was done. Audited.
pub(crate) async fn fix(
    app: &App,
    grant: &Grant<ReportTasks>,
    org: &InScope<OrgRecord>,
    f: Fixing<'_>,
    fixed_on: Option<NaiveDate>,
    note: &str,
) -> Result<()> {
    let already = || AppError::from(InspectionError::Fix("这个问题已登记整改".into()));
    let status = f
        .status
        .ok_or_else(|| AppError::NotFound(f.what.to_string()))?;
    if status.is_fixed() {
        return Err(already());
    }
    let on = inspection::check_fix_since(f.since, f.since_label, fixed_on, note, app.today())?;
    let now = app.now();
    let by = grant.actor().username().to_string();
    let note = note.trim().to_string();
    let (id, seq, table) = (f.record_id, f.seq, f.table);
    let entry = audit::Entry::new(grant.actor(), f.action, format!("{id}-{seq}"))
        .org(Some(&**org))
        .after(json!({ "fixed_on": on.to_string(), "note": note }));
    let (entry, note, by) = (&entry, &note, &by);
    audit::with_retry(|| async move {
        let mut tx = app.store.begin().await?;
        if !table.fix(&mut tx, id, seq, on, note, by).await? {
            return Err(already());
        }
        entry.commit(tx, now).await
    })
    .await
}

/// The open problems of `org` itself (`own`) or of its whole subtree: how many, how many
/// overdue, the earliest deadline.
pub(crate) async fn open_of(
    app: &App,
    table: Problems,
    org: &InScope<OrgRecord>,
    own: bool,
) -> Result<(i64, i64, Option<NaiveDate>)> {
    let mut conn = app.store.acquire().await?;
    let own = own.then_some(org.path.as_str());
    Ok(table
        .open_count(&mut conn, &org.subtree(), own, app.today())
        .await?)
}

/// The problems not yet fixed in `org`'s subtree, the earliest deadline first (at most
/// `limit`), each with the name of its record's org (read once for all of them).
pub(crate) async fn open_named(
    conn: &mut jiceng_store::Conn,
    table: Problems,
    org: &InScope<OrgRecord>,
    limit: i64,
) -> Result<Vec<(StoredProblem, String)>> {
    let open = table.open(conn, &org.subtree(), limit).await?;
    let ids: Vec<i64> = open.iter().map(|(_, id)| *id).collect();
    let names: HashMap<i64, String> = jiceng_store::orgs::by_ids(conn, &ids)
        .await?
        .into_iter()
        .map(|o| (o.org.id, o.org.name))
        .collect();
    Ok(open
        .into_iter()
        .map(|(p, id)| {
            let name = names.get(&id).cloned().unwrap_or_default();
            (p, name)
        })
        .collect())
}
