//! Imports of rosters and registries from spreadsheets. Every row is checked before
//! anything is written; the report names each bad row by the number the user sees in the
//! spreadsheet, its column and the reason. All or nothing, unless `skip_invalid`.

pub mod dues;
pub mod funding;
pub mod meetings;
pub mod members;
pub mod orgs;
pub mod pairing;
pub mod recruitment;
pub mod requests;
pub mod task_outcomes;
pub mod template;
pub mod training;
pub mod transfers;
pub mod units;

use std::path::Path;

use jiceng_io::{configured_limits, locate_header, read_grid_with, Cell, ColumnSpec};
use serde::Serialize;

use jiceng_domain::OrgKind;
use jiceng_store::orgs::StoredOrg;
use jiceng_store::Scope;

use crate::access::{Actor, InScope};
use crate::{App, AppError, Result};

mod row;
#[cfg(test)]
mod tests;

pub(crate) use row::*;

#[derive(Debug, Clone)]
pub struct ImportOptions {
    /// The subtree in which org names in the file are resolved (code or unique name),
    /// resolved in the actor's scope by the front end (`access::resolve`); `None`: the
    /// actor's own org (everything, for an actor who sees everything).
    pub org: Option<InScope<StoredOrg>>,
    pub dry_run: bool,
    pub skip_invalid: bool,
    /// Who imports: the scope names are resolved in, the org history and the audit log.
    pub actor: Actor,
}

impl Default for ImportOptions {
    /// No subtree, a real import, all or nothing, by the system.
    fn default() -> ImportOptions {
        ImportOptions {
            org: None,
            dry_run: false,
            skip_invalid: false,
            actor: Actor::system(),
        }
    }
}

/// The subtree an import works in and the org it is recorded against: `--org` resolved
/// within the actor's scope, else the actor's own org (an actor with everything in scope
/// and no `--org` works on the whole tree). The actor's role must allow writing.
pub(crate) async fn import_scope(
    app: &App,
    opts: &ImportOptions,
) -> Result<(Scope, Option<StoredOrg>)> {
    let actor = &opts.actor;
    actor.grant::<crate::access::Write>()?;
    match &opts.org {
        Some(o) => Ok((o.subtree(), Some((**o).clone()))),
        None => match (&actor.scope, actor.org_id) {
            (Scope::All, _) => Ok((Scope::All, None)),
            (Scope::Subtree { .. }, Some(id)) => {
                let mut conn = app.store.acquire().await?;
                let o = jiceng_store::orgs::get(&mut conn, &actor.scope, id)
                    .await?
                    .ok_or(AppError::Forbidden)?;
                Ok((Scope::subtree(&o.path), Some(o)))
            }
            _ => Err(AppError::Forbidden),
        },
    }
}

/// What every import starts from: the scope it works in (`import_scope`), the org it is
/// recorded against, and the scope's orgs as they stand (looked up with [`OrgLookup`]).
pub(crate) struct Start {
    pub scope: Scope,
    pub scope_org: Option<StoredOrg>,
    pub orgs: Vec<StoredOrg>,
}

pub(crate) async fn start(app: &App, opts: &ImportOptions) -> Result<Start> {
    let (scope, scope_org) = import_scope(app, opts).await?;
    let mut conn = app.store.acquire().await?;
    let orgs = jiceng_store::orgs::list(&mut conn, &scope).await?;
    Ok(Start {
        scope,
        scope_org,
        orgs,
    })
}

/// What an import opens with: the file read against its columns, an empty report of it,
/// and the [`Start`] of its scope.
pub(crate) async fn open(
    app: &App,
    file: &Path,
    opts: &ImportOptions,
    columns: &[ColumnSpec],
) -> Result<(Table, ImportReport, Start)> {
    let table = row::read_table(app, file, columns)?;
    let report = new_report(file, &table, opts);
    Ok((table, report, start(app, opts).await?))
}

/// The current members of `scope` a file names in its ID-number column `id`, by the
/// number's hash (one read): what the dues, training and transfer imports match rows to.
pub(crate) async fn members_named(
    app: &App,
    table: &Table,
    id: usize,
    scope: &Scope,
) -> Result<std::collections::HashMap<String, jiceng_store::members::StoredMember>> {
    let hashes: Vec<String> = table
        .rows
        .iter()
        .filter_map(|row| {
            let c = row::RowCheck::new(row, &table.titles);
            let n = c
                .text(id)
                .and_then(|t| jiceng_domain::IdNumber::parse(&t).ok())?;
            Some(app.crypto.id_hash(&n))
        })
        .collect();
    let mut conn = app.store.acquire().await?;
    Ok(jiceng_store::members::by_id_hashes(&mut conn, &hashes)
        .await?
        .into_iter()
        .filter(|m| m.exited_on.is_none() && scope.contains(&m.org_path))
        .map(|m| (m.id_hash.clone(), m))
        .collect())
}

/// An empty report for `table` read from `file`.
/// The report's `file` is the file's name only, never the folder it was read from (an
/// upload waits in the server's private folder under the name the user gave it).
pub(crate) fn new_report(file: &Path, table: &Table, opts: &ImportOptions) -> ImportReport {
    ImportReport {
        file: file
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_else(|| file.display().to_string()),
        rows: table.rows.len(),
        dry_run: opts.dry_run,
        ..Default::default()
    }
}

/// The orgs of an import's scope as files name them: by code, or by a name unique in
/// the scope.
pub(crate) struct OrgLookup<'a> {
    pub by_id: std::collections::HashMap<i64, &'a StoredOrg>,
    pub by_code: std::collections::HashMap<&'a str, &'a StoredOrg>,
    pub by_name: std::collections::HashMap<&'a str, Vec<&'a StoredOrg>>,
    /// The live 党小组 under each org (by the org's id).
    pub groups: std::collections::HashMap<i64, Vec<&'a StoredOrg>>,
}

impl<'a> OrgLookup<'a> {
    pub fn of(orgs: &'a [StoredOrg]) -> OrgLookup<'a> {
        let mut by_name: std::collections::HashMap<&str, Vec<&StoredOrg>> = Default::default();
        let mut groups: std::collections::HashMap<i64, Vec<&StoredOrg>> = Default::default();
        for o in orgs {
            by_name.entry(o.org.name.as_str()).or_default().push(o);
            if let (OrgKind::Group, None, Some(parent)) =
                (o.org.kind, o.org.dissolved_on, o.org.parent_id)
            {
                groups.entry(parent).or_default().push(o);
            }
        }
        OrgLookup {
            by_id: orgs.iter().map(|o| (o.org.id, o)).collect(),
            by_code: orgs.iter().map(|o| (o.org.code.as_str(), o)).collect(),
            by_name,
            groups,
        }
    }

    /// The 党小组 of `branch` a cell names: its code, its full name, or the end of its
    /// name ("第一党小组" for 沙庄村第一党支部第一党小组) when only one ends so; or why
    /// not, in Chinese.
    pub fn group_of(
        &self,
        branch: &StoredOrg,
        key: &str,
    ) -> std::result::Result<&'a StoredOrg, String> {
        let groups = self.groups.get(&branch.org.id).map_or(&[][..], |g| g);
        let exact = groups
            .iter()
            .find(|g| g.org.code == key || g.org.name == key);
        if let Some(g) = exact {
            return Ok(g);
        }
        let ending: Vec<_> = groups
            .iter()
            .filter(|g| g.org.name.ends_with(key))
            .collect();
        match ending.as_slice() {
            [g] => Ok(g),
            [] if groups.is_empty() => Err(format!(
                "“{}”没有党小组，不能填写所在党小组“{key}”（请先建立党小组）",
                branch.org.name
            )),
            [] => Err(format!(
                "“{}”没有名为“{key}”的党小组（现有：{}）",
                branch.org.name,
                groups
                    .iter()
                    .map(|g| g.org.name.as_str())
                    .collect::<Vec<_>>()
                    .join("、")
            )),
            _ => Err(format!(
                "“{key}”可指“{}”的{}个党小组，请填写党小组全称",
                branch.org.name,
                ending.len()
            )),
        }
    }

    /// The org a cell names (its code, or its name when unique), or why not, in Chinese;
    /// `hint` is added to the message of a name that is not unique.
    pub fn find(&self, key: &str, hint: &str) -> std::result::Result<&'a StoredOrg, String> {
        if let Some(o) = self.by_code.get(key) {
            return Ok(o);
        }
        match self.by_name.get(key).map(|v| v.as_slice()) {
            Some([o]) => Ok(o),
            Some(v) if v.len() > 1 => Err(format!(
                "党组织“{key}”名称不唯一（{}个），请改填组织代码{hint}",
                v.len()
            )),
            _ => Err(format!(
                "找不到党组织“{key}”（请先导入组织，或检查导入范围）"
            )),
        }
    }
}

/// Whether the import ends with its check (a dry run, or bad rows without
/// `--skip-invalid`); the check is then recorded, with how many rows would go to the
/// higher org (`matches`, counted only then).
pub(crate) async fn ends_with_check(
    app: &App,
    opts: &ImportOptions,
    kind: &str,
    report: &ImportReport,
    org: Option<&StoredOrg>,
    matches: impl FnOnce() -> usize,
) -> Result<bool> {
    if !report.ends_with_check(opts) {
        return Ok(false);
    }
    crate::referral::record_check(app, &opts.actor, kind, report, org, matches()).await?;
    Ok(true)
}

/// Records one `Import` entry in the import's transaction: the file's name and the counts.
pub(crate) async fn record_import(
    conn: &mut jiceng_store::Conn,
    app: &App,
    opts: &ImportOptions,
    kind: &str,
    report: &ImportReport,
    written: usize,
    org: Option<&StoredOrg>,
) -> Result<()> {
    let name = Path::new(&report.file)
        .file_name()
        .map(|n| n.to_string_lossy().to_string())
        .unwrap_or_else(|| report.file.clone());
    crate::audit::Entry::new(&opts.actor, crate::audit::AuditAction::Import, name)
        .org(org)
        .after(serde_json::json!({
            "kind": kind,
            "rows": report.rows,
            "valid": report.valid,
            "written": written,
            "unchanged": report.unchanged,
            "skipped_invalid": report.rows - report.valid,
        }))
        .record(conn, app.now())
        .await
}

impl ImportReport {
    /// Whether nothing is written: a dry run, or bad rows without `--skip-invalid`.
    pub(crate) fn ends_with_check(&self, opts: &ImportOptions) -> bool {
        (!self.errors.is_empty() && !opts.skip_invalid) || opts.dry_run
    }
}

/// The outcome of an import. `written` counts rows inserted or changed; a row equal to
/// what is stored is valid but not written.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct ImportReport {
    pub file: String,
    pub rows: usize,
    pub valid: usize,
    pub written: usize,
    pub unchanged: usize,
    /// Rows with nothing filled in, skipped (未填写): a task's targets that have not
    /// answered in the workbook (`task_outcomes`).
    pub blank: usize,
    pub dry_run: bool,
    /// The first `MAX_LISTED_ERRORS` errors, by row and column.
    pub errors: Vec<RowError>,
    /// Every error found, listed or not.
    pub errors_total: usize,
    /// Rows not written but handed to the higher org (`referral::REFERRED`); never in a
    /// dry run, which answers them as new rows.
    pub referred: Vec<RowError>,
    /// What was accepted but not judged, or done besides the rows (a joining date older
    /// than the rule book; a secretary's post ended by a new one), for the user to see.
    #[serde(default)]
    pub notes: Vec<RowError>,
}

impl ImportReport {
    /// Whether the import wrote (or, in a dry run, would write) what the file holds.
    pub fn ok(&self) -> bool {
        self.errors.is_empty()
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct RowError {
    pub row: usize,
    pub column: String,
    pub message: String,
    /// The person the row is about (its 姓名 cell), to find the row by.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
}

/// The most errors a report lists: the first by row and column; the rest are counted
/// (`ImportReport::errors_total`). A roster of 250,000 rows wrong in every column once
/// answered with a million errors: 258 MB of JSON and 2.9 GB of server memory for one
/// 12 MB upload. A thousand is more than anyone fixes before trying again.
pub const MAX_LISTED_ERRORS: usize = 1_000;

/// The longest message an error keeps, in characters: messages quote the cell, and a
/// cell may hold 32,767 characters.
pub const MAX_MESSAGE_CHARS: usize = 300;

/// `message` cut to `MAX_MESSAGE_CHARS` characters (with an ellipsis).
pub(crate) fn short_message(message: String) -> String {
    if message.chars().count() <= MAX_MESSAGE_CHARS {
        return message;
    }
    let mut s: String = message.chars().take(MAX_MESSAGE_CHARS - 1).collect();
    s.push('…');
    s
}

/// The errors of an import as they are found: every bad row remembered, every error
/// counted, and only the first `MAX_LISTED_ERRORS` (by row, then column, then the order
/// found) kept, so a file wrong everywhere costs no more memory than one wrong in places.
#[derive(Default)]
pub(crate) struct ErrorList {
    kept: std::collections::BinaryHeap<Ranked>,
    total: usize,
    bad_rows: std::collections::HashSet<usize>,
}

struct Ranked(usize, RowError);

impl Ranked {
    fn key(&self) -> (usize, &str, usize) {
        (self.1.row, self.1.column.as_str(), self.0)
    }
}

impl PartialEq for Ranked {
    fn eq(&self, o: &Ranked) -> bool {
        self.key() == o.key()
    }
}
impl Eq for Ranked {}
impl PartialOrd for Ranked {
    fn partial_cmp(&self, o: &Ranked) -> Option<std::cmp::Ordering> {
        Some(self.cmp(o))
    }
}
impl Ord for Ranked {
    fn cmp(&self, o: &Ranked) -> std::cmp::Ordering {
        self.key().cmp(&o.key())
    }
}

impl ErrorList {
    pub fn push(&mut self, mut e: RowError) {
        self.bad_rows.insert(e.row);
        e.message = short_message(e.message);
        self.kept.push(Ranked(self.total, e));
        self.total += 1;
        if self.kept.len() > MAX_LISTED_ERRORS {
            self.kept.pop();
        }
    }

    pub fn extend(&mut self, errors: impl IntoIterator<Item = RowError>) {
        for e in errors {
            self.push(e);
        }
    }

    /// Puts the errors into the report: the kept ones in order, the total, and the rows
    /// without an error as `valid`.
    pub fn finish(self, report: &mut ImportReport) {
        let mut kept = self.kept.into_vec();
        kept.sort();
        report.errors = kept.into_iter().map(|r| r.1).collect();
        report.errors_total = self.total;
        report.valid = report.rows - self.bad_rows.len();
    }
}

/// Progress of a long import, shown by the CLI as a bar on a terminal.
pub trait Progress: Send + Sync {
    fn start(&self, _stage: &str, _total: u64) {}
    fn inc(&self, _n: u64) {}
    fn finish(&self) {}
}

pub struct NoProgress;
impl Progress for NoProgress {}

/// Orders the errors by row, then column, as the user reads the file.
pub(crate) fn sort_errors(errors: &mut [RowError]) {
    errors.sort_by(|a, b| a.row.cmp(&b.row).then_with(|| a.column.cmp(&b.column)));
}
