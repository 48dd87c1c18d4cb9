//! `import pairing`: 结对共建台账 — one row per pairing: 结对类型 (部门包村, 企业联村,
//! 村居共建, 机关联支部, 其他结对共建), 支持方, 受援组织, 共建内容, 开始日期, 结束日期
//! (optional). 受援组织 is a grassroots org (基层党委, 党总支, 党支部) of the import's subtree,
//! by code or unique name. 支持方 is an org of the subtree when the cell is one's code or
//! name (a name several orgs bear is an error), else a department or enterprise outside
//! the tree named as text, as the record form allows. Every row is checked as the record
//! form checks a pairing (`pairing::check`: the kind, the content, a start not after today,
//! an end not before the start; the partner and the supported org not the same). Nothing
//! is written unless every row is valid; then every pairing in one transaction, with one
//! `Import` entry (kind `pairing`).
//!
//! Imported again, a register does not double: a row is the stored pairing of the
//! subtree with the same 结对类型, 支持方 (by name: an org's name as stored), 受援组织 and
//! 开始日期, and is not written again (unchanged) — except that a pairing stored without
//! an end which the row gives one is ended on that day. Two rows of one file with the same
//! key are an error.

use std::collections::HashMap;
use std::path::Path;

use chrono::NaiveDate;
use jiceng_domain::pairing::{self as domain, CheckedPairing, PairingDraft, PairingKind};
use jiceng_store::orgs::StoredOrg;
use jiceng_store::pairing::{self as store, StoredPairing};

use super::{columns, ErrorList, ImportOptions, ImportReport, OrgLookup, Progress};
use super::{RowCheck, Start};
use crate::access::RecordPairing;
use crate::auth::time_text;
use crate::pairing::GRASSROOTS;
use crate::{App, Result};

columns! {
    KIND = required("结对类型", ["结对形式", "共建类型", "类型"]),
    PARTNER = required("支持方", ["结对单位", "帮扶单位", "共建单位", "支持单位"]),
    SUPPORTED = required("受援组织", ["受援党组织", "结对党组织", "帮扶对象", "被帮扶党组织"]),
    CONTENT = required("共建内容", ["结对内容", "帮扶内容", "主要内容"]),
    SINCE = required("开始日期", ["结对日期", "开始时间", "结对时间"]),
    UNTIL = optional("结束日期", ["结束时间", "截止日期"]),
}

/// What a pairing is found as: kind, the partner's name, the supported org, the start.
type Key = (PairingKind, String, i64, NaiveDate);

fn key_of(p: &StoredPairing) -> Key {
    (p.kind, p.partner_name.clone(), p.org_id, p.since)
}

pub async fn run(
    app: &App,
    file: &Path,
    opts: &ImportOptions,
    progress: &dyn Progress,
) -> Result<ImportReport> {
    let grant = opts.actor.grant::<RecordPairing>()?;
    let (
        mut table,
        mut report,
        Start {
            scope,
            scope_org,
            orgs,
        },
    ) = super::open(app, file, opts, &COLUMNS).await?;
    let lookup = OrgLookup::of(&orgs);
    let (today, actor) = (app.today(), grant.actor());
    let now = app.now();
    let mut errors = ErrorList::default();
    let mut seen: HashMap<Key, usize> = HashMap::new();
    let mut rows: Vec<StoredPairing> = Vec::new();
    progress.start("检查", table.rows.len() as u64);
    for row in &table.rows {
        let mut c = RowCheck::new(row, &table.titles);
        if let Some(mut p) = check_row(&mut c, &lookup, today) {
            p.recorded_by = actor.username().to_string();
            p.recorded_at = time_text(now);
            match seen.get(&key_of(&p)) {
                Some(first) => c.error(
                    SINCE,
                    format!("与第{first}行重复：结对类型、支持方、受援组织和开始日期相同"),
                ),
                None => {
                    seen.insert(key_of(&p), row.number);
                }
            }
            if c.errors.is_empty() {
                rows.push(p);
            }
        }
        errors.extend(c.errors);
        progress.inc(1);
    }
    progress.finish();
    table.rows = Vec::new();
    errors.finish(&mut report);
    let valid = rows.len();
    let (mut new, end) = match_stored(app, &scope, rows).await?;
    report.unchanged = valid - new.len() - end.len();
    if report.ends_with_check(opts) {
        return Ok(report);
    }
    let written = new.len() + end.len();
    if !new.is_empty() {
        let first = app.store.reserve_ids("pairing", new.len() as i64).await?;
        for (i, p) in new.iter_mut().enumerate() {
            p.id = first + i as i64;
        }
    }
    write(app, opts, scope_org.as_ref(), (&new, &end), &report).await?;
    report.written = written;
    Ok(report)
}

/// Writes the new pairings and ends the open ones the file gives an end, in one
/// transaction with the `Import` entry.
async fn write(
    app: &App,
    opts: &ImportOptions,
    by: Option<&StoredOrg>,
    (new, end): (&[StoredPairing], &[(i64, NaiveDate)]),
    report: &ImportReport,
) -> Result<()> {
    let written = new.len() + end.len();
    crate::audit::with_retry(|| async move {
        let mut tx = app.store.begin().await?;
        store::insert_all(&mut tx, new).await?;
        for (id, until) in end {
            store::end(&mut tx, *id, *until).await?;
        }
        super::record_import(&mut tx, app, opts, "pairing", report, written, by).await?;
        tx.commit().await?;
        Ok(())
    })
    .await
}

/// The pairings not stored yet, and the stored open ones (by id) the file gives an end;
/// the other rows are unchanged.
async fn match_stored(
    app: &App,
    scope: &jiceng_store::Scope,
    rows: Vec<StoredPairing>,
) -> Result<(Vec<StoredPairing>, Vec<(i64, NaiveDate)>)> {
    let (Some(from), Some(to)) = (
        rows.iter().map(|p| p.since).min(),
        rows.iter().map(|p| p.since).max(),
    ) else {
        return Ok((Vec::new(), Vec::new()));
    };
    let mut conn = app.store.acquire().await?;
    let stored: HashMap<Key, StoredPairing> = store::begun_in(&mut conn, scope, (from, to))
        .await?
        .into_iter()
        .map(|p| (key_of(&p), p))
        .collect();
    drop(conn);
    let (mut new, mut end) = (Vec::new(), Vec::new());
    for p in rows {
        match stored.get(&key_of(&p)) {
            None => new.push(p),
            Some(s) => {
                if let (None, Some(u)) = (s.until, p.until) {
                    end.push((s.id, u));
                }
            }
        }
    }
    Ok((new, end))
}

/// The supporter a cell names: an org of the subtree by code or unique name, else a body
/// outside the tree (`Ok(None)`); a name several orgs bear is an error.
fn partner<'a>(
    lookup: &OrgLookup<'a>,
    key: &str,
) -> std::result::Result<Option<&'a StoredOrg>, String> {
    let found = lookup.by_code.contains_key(key) || lookup.by_name.contains_key(key);
    if !found {
        return Ok(None);
    }
    lookup.find(key, "（系统外单位请写全称）").map(Some)
}

/// The pairing checked as the record form checks it, or `None` with the error in `c` on
/// the column of the field refused.
fn domain_checked(
    c: &mut RowCheck,
    draft: &PairingDraft,
    today: NaiveDate,
) -> Option<CheckedPairing> {
    match domain::check(draft, today) {
        Ok(p) => Some(p),
        Err(e) => {
            let col = match e.field {
                "kind" => KIND,
                "partner_name" => PARTNER,
                "since" => SINCE,
                "until" => UNTIL,
                _ => CONTENT,
            };
            c.error(col, e.message);
            None
        }
    }
}

/// The grassroots org of the subtree a cell names, or why not.
fn supported_org<'a>(
    lookup: &OrgLookup<'a>,
    key: &str,
) -> std::result::Result<&'a StoredOrg, String> {
    let o = lookup.find(key, "")?;
    if !GRASSROOTS.contains(&o.org.kind) {
        return Err(format!(
            "{}是{}：结对共建的对象是基层党组织（基层党委、党总支、党支部）",
            o.org.name,
            o.org.kind.label()
        ));
    }
    Ok(o)
}

/// One row checked as the record form checks a pairing, or `None` with its errors in `c`.
/// The pairing's id, recorder and time are the caller's.
fn check_row(c: &mut RowCheck, lookup: &OrgLookup, today: NaiveDate) -> Option<StoredPairing> {
    let kind = c.required_label(KIND, PairingKind::parse, |s| {
        let all: Vec<&str> = PairingKind::ALL.iter().map(|k| k.label()).collect();
        format!("无法识别的结对类型“{s}”（应为{}）", all.join("、"))
    });
    let supported = c
        .required(SUPPORTED)
        .and_then(|k| match supported_org(lookup, k.trim()) {
            Ok(o) => Some(o),
            Err(m) => {
                c.error(SUPPORTED, m);
                None
            }
        });
    let partner_cell = c.required(PARTNER).map(|s| s.trim().to_string());
    let partner_org = partner_cell
        .as_deref()
        .and_then(|k| match partner(lookup, k) {
            Ok(o) => Some(o),
            Err(m) => {
                c.error(PARTNER, m);
                None
            }
        });
    let since = c.required_date(SINCE);
    let until = c.date(UNTIL);
    let draft = PairingDraft {
        kind,
        partner_name: match partner_org {
            Some(None) => partner_cell.clone().unwrap_or_default(),
            _ => String::new(),
        },
        content: c.text(CONTENT).unwrap_or_default(),
        since,
        until,
    };
    let (_, supported, partner_org) = (kind?, supported?, partner_org?);
    since?;
    if c.text(UNTIL).is_some() && until.is_none() {
        return None;
    }
    let checked = domain_checked(c, &draft, today)?;
    if partner_org.is_some_and(|p| p.org.id == supported.org.id) {
        c.error(PARTNER, "结对双方不能是同一个党组织");
    }
    if !c.errors.is_empty() {
        return None;
    }
    Some(StoredPairing {
        id: 0,
        org_id: supported.org.id,
        org_path: supported.path.clone(),
        partner_org_id: partner_org.map(|p| p.org.id),
        partner_path: partner_org.map(|p| p.path.clone()),
        partner_name: match partner_org {
            Some(p) => p.org.name.clone(),
            None => checked.partner_name.unwrap_or_default(),
        },
        kind: checked.kind,
        content: checked.content,
        since: checked.since,
        until: checked.until,
        recorded_by: String::new(),
        recorded_at: String::new(),
    })
}
