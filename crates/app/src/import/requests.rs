//! `import requests`: 群众诉求台账 — one row per request: 编号 (optional), 受理日期, 渠道,
//! 类别, 诉求内容, 诉求人姓名 and 联系电话 (optional), 承办组织 (code or unique name, of the
//! import's subtree, not a 党小组), 承办人, and once done 办结日期, 办理结果 and 群众评价
//! (满意, 基本满意, 不满意; blank: 未反馈). Every row is checked as the record form checks a
//! request (`mass_request::check`, the phone by `privacy::check_phone`) and, when resolved,
//! as the resolve form checks a resolution (`check_resolution`). The requests are received
//! by the import's org (its `--org`, else the importer's own; for an actor over the whole
//! tree without one, by the org they are assigned to). The requester's name and phone are
//! encrypted as `mass_requests::record` encrypts them, the key checked in the same
//! transaction. Nothing is written unless every row is valid; then every request in one
//! transaction, with one `Import` entry (kind `requests`; nothing of the requesters).
//!
//! Imported again, a register does not double: a row is the stored request of the
//! import's subtree with the same 编号, or — a row without one, or a number not stored yet
//! matching a request stored without one — with the same 承办组织, 受理日期 and 诉求内容.
//! Such a row is not written again (unchanged), except that a request still open which
//! the row gives as 办结 is resolved with the row's result and feedback. What else the row
//! says differently is left as stored. Two rows of one file with the same key are an error.

use std::collections::HashMap;
use std::path::Path;

use chrono::NaiveDate;
use jiceng_domain::mass_request::{
    self as domain, Category, Channel, Feedback, RequestDraft, ResolutionDraft,
};
use jiceng_domain::OrgKind;
use jiceng_store::requests::{self as store, StoredRequest};

use super::{columns, ErrorList, ImportOptions, ImportReport, OrgLookup, Progress};
use super::{RowCheck, Start};
use crate::access::RecordRequests;
use crate::auth::time_text;
use crate::{App, Result};

columns! {
    NUMBER = optional("编号", ["登记编号", "诉求编号", "台账编号"]),
    RECEIVED = required("受理日期", ["受理时间", "登记日期", "接收日期"]),
    CHANNEL = required("渠道", ["受理渠道", "诉求渠道", "来源渠道"]),
    CATEGORY = required("类别", ["诉求类别", "诉求类型", "类型"]),
    CONTENT = required("诉求内容", ["诉求事项", "反映问题", "主要诉求"]),
    NAME = optional("诉求人姓名", ["诉求人", "反映人"]),
    PHONE = optional("联系电话", ["诉求人电话", "电话", "联系方式"]),
    ORG = required("承办组织", ["承办党组织", "承办单位", "交办党组织", "责任党组织"]),
    HANDLER = required("承办人", ["责任人", "经办人"]),
    RESOLVED = optional("办结日期", ["办结时间", "完成日期"]),
    RESULT = optional("办理结果", ["办理情况", "办结情况"]),
    FEEDBACK = optional("群众评价", ["诉求人反馈", "满意度", "群众满意度"]),
}

/// A row checked: the request as it would be stored (without its id), its resolution.
struct Row {
    register_no: Option<String>,
    org_id: i64,
    org_path: String,
    org_name: String,
    draft: domain::CheckedRequest,
    phone: Option<String>,
    done: Option<domain::Resolution>,
}

/// What a row is found as: by its register number, or by org, day and content.
#[derive(Clone, PartialEq, Eq, Hash)]
enum Key {
    Number(String),
    Same(i64, NaiveDate, String),
}

impl Row {
    fn same(&self) -> Key {
        Key::Same(
            self.org_id,
            self.draft.received_on,
            self.draft.content.clone(),
        )
    }
}

pub async fn run(
    app: &App,
    file: &Path,
    opts: &ImportOptions,
    progress: &dyn Progress,
) -> Result<ImportReport> {
    let grant = opts.actor.grant::<RecordRequests>()?;
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
    let today = app.today();
    let mut errors = ErrorList::default();
    let mut seen: HashMap<Key, usize> = HashMap::new();
    let mut rows: Vec<Row> = Vec::new();
    progress.start("检查", table.rows.len() as u64);
    for row in &table.rows {
        let mut c = RowCheck::new(row, &table.titles);
        if let Some(r) = check_row(&mut c, &lookup, today) {
            once(&mut c, &mut seen, &r);
            if c.errors.is_empty() {
                rows.push(r);
            }
        }
        errors.extend(c.errors);
        progress.inc(1);
    }
    progress.finish();
    table.rows = Vec::new();
    errors.finish(&mut report);
    let (new, resolve) = match_stored(app, &scope, &rows).await?;
    report.unchanged = rows.len() - new.len() - resolve.len();
    if report.ends_with_check(opts) {
        return Ok(report);
    }
    let written = new.len() + resolve.len();
    write(
        app,
        opts,
        grant.actor(),
        scope_org.as_ref(),
        (&new, &resolve),
        &report,
    )
    .await?;
    report.written = written;
    Ok(report)
}

/// Reports a row whose key an earlier row of the file has: its 编号, else its org, day
/// and content.
fn once(c: &mut RowCheck, seen: &mut HashMap<Key, usize>, r: &Row) {
    let key = match &r.register_no {
        Some(n) => Key::Number(n.clone()),
        None => r.same(),
    };
    match seen.get(&key) {
        Some(first) => {
            let (col, what) = match key {
                Key::Number(_) => (NUMBER, "编号"),
                Key::Same(..) => (CONTENT, "承办组织、受理日期和诉求内容"),
            };
            c.error(col, format!("与第{first}行重复：{what}相同"));
        }
        None => {
            seen.insert(key, c.number);
        }
    }
}

/// Writes the new requests (received by `by`) and resolves the open ones the file gives
/// as done, in one transaction with the `Import` entry.
async fn write(
    app: &App,
    opts: &ImportOptions,
    actor: &crate::access::Actor,
    by: Option<&jiceng_store::orgs::StoredOrg>,
    (new, resolve): (&[&Row], &[(i64, domain::Resolution)]),
    report: &ImportReport,
) -> Result<()> {
    let written = new.len() + resolve.len();
    let first_id = match new.len() {
        0 => 0,
        n => app.store.reserve_ids("mass_request", n as i64).await?,
    };
    let now = app.now();
    let stored: Vec<StoredRequest> = new
        .iter()
        .enumerate()
        .map(|(i, r)| to_stored(app, r, first_id + i as i64, by, actor.username(), now))
        .collect();
    let protects = stored
        .iter()
        .any(|r| r.name_cipher.is_some() || r.phone_cipher.is_some());
    let stored = &stored;
    crate::audit::with_retry(|| async move {
        let mut tx = app.store.begin().await?;
        if protects {
            crate::privacy::ensure_key(&mut tx, &app.crypto).await?;
        }
        store::insert_all(&mut tx, stored).await?;
        for (id, d) in resolve {
            store::resolve(
                &mut tx,
                *id,
                d.on,
                &d.result,
                d.feedback,
                d.days,
                actor.username(),
            )
            .await?;
        }
        super::record_import(&mut tx, app, opts, "requests", report, written, by).await?;
        tx.commit().await?;
        Ok(())
    })
    .await
}

/// The rows not stored yet, and the stored open requests (by id) the file gives as
/// resolved; the other rows are unchanged.
async fn match_stored<'a>(
    app: &App,
    scope: &jiceng_store::Scope,
    rows: &'a [Row],
) -> Result<(Vec<&'a Row>, Vec<(i64, domain::Resolution)>)> {
    let (Some(from), Some(to)) = (
        rows.iter().map(|r| r.draft.received_on).min(),
        rows.iter().map(|r| r.draft.received_on).max(),
    ) else {
        return Ok((Vec::new(), Vec::new()));
    };
    let numbers: Vec<String> = rows.iter().filter_map(|r| r.register_no.clone()).collect();
    let mut conn = app.store.acquire().await?;
    let stored = store::register_matches(&mut conn, scope, (from, to), &numbers).await?;
    drop(conn);
    let by_number: HashMap<&str, &StoredRequest> = stored
        .iter()
        .filter_map(|s| Some((s.register_no.as_deref()?, s)))
        .collect();
    let mut by_same: HashMap<Key, Vec<&StoredRequest>> = HashMap::new();
    for s in &stored {
        let key = Key::Same(s.org_id, s.received_on, s.content.clone());
        by_same.entry(key).or_default().push(s);
    }
    let (mut new, mut resolve) = (Vec::new(), Vec::new());
    for r in rows {
        let same = by_same.get(&r.same()).map_or(&[][..], |v| v.as_slice());
        let found = match &r.register_no {
            Some(n) => by_number
                .get(n.as_str())
                .copied()
                .or_else(|| same.iter().find(|s| s.register_no.is_none()).copied()),
            None => same.first().copied(),
        };
        match (found, &r.done) {
            (None, _) => new.push(r),
            (Some(s), Some(done)) if s.resolved_on.is_none() => resolve.push((s.id, done.clone())),
            (Some(_), _) => {}
        }
    }
    Ok((new, resolve))
}

/// A row as stored: received by `by` (the import's org; else the org it is assigned to),
/// the requester encrypted and masked as `mass_requests::record` does.
fn to_stored(
    app: &App,
    r: &Row,
    id: i64,
    by: Option<&jiceng_store::orgs::StoredOrg>,
    username: &str,
    now: chrono::DateTime<chrono::Utc>,
) -> StoredRequest {
    let c = &r.draft;
    let (name_cipher, name_masked) = match &c.requester_name {
        Some(n) => (Some(app.crypto.encrypt_text(n)), Some(domain::mask_name(n))),
        None => (None, None),
    };
    let (phone_cipher, phone_masked) = match &r.phone {
        Some(p) => {
            let (c, m) = app.crypto.protect_phone(p);
            (Some(c), Some(m))
        }
        None => (None, None),
    };
    let (by_org_id, by_org_name) = match by {
        Some(o) => (o.org.id, o.org.name.clone()),
        None => (r.org_id, r.org_name.clone()),
    };
    let done = r.done.as_ref();
    StoredRequest {
        id,
        org_id: r.org_id,
        org_path: r.org_path.clone(),
        by_org_id,
        by_org_name,
        channel: c.channel,
        received_on: c.received_on,
        category: c.category,
        content: c.content.clone(),
        handler: c.handler.clone(),
        name_cipher,
        name_masked,
        phone_cipher,
        phone_masked,
        resolved_on: done.map(|d| d.on),
        result: done.map(|d| d.result.clone()),
        feedback: done.map(|d| d.feedback),
        resolve_days: done.map(|d| d.days),
        resolved_by: done.map(|_| username.to_string()),
        recorded_by: username.to_string(),
        recorded_at: time_text(now),
        register_no: r.register_no.clone(),
    }
}

fn labels<T: Copy>(all: &[T], label: fn(T) -> &'static str) -> String {
    all.iter().map(|k| label(*k)).collect::<Vec<_>>().join("、")
}

/// The column a refusal of the domain's checks is about.
fn column_of(field: &str) -> usize {
    match field {
        "channel" => CHANNEL,
        "received_on" => RECEIVED,
        "category" => CATEGORY,
        "handler" => HANDLER,
        "requester_name" => NAME,
        "resolved_on" => RESOLVED,
        "result" => RESULT,
        "feedback" => FEEDBACK,
        _ => CONTENT,
    }
}

/// One row checked as the record and resolve forms check theirs, or `None` with its
/// errors in `c`.
fn check_row(c: &mut RowCheck, lookup: &OrgLookup, today: NaiveDate) -> Option<Row> {
    let register_no = c.text(NUMBER).map(|s| s.trim().to_string());
    if register_no.as_ref().is_some_and(|n| n.chars().count() > 50) {
        c.error(NUMBER, "编号过长（最多50字）");
    }
    let org = c
        .required(ORG)
        .and_then(|k| match lookup.find(k.trim(), "") {
            Ok(o) if o.org.kind == OrgKind::Group => {
                let m = format!("{}是党小组：诉求交办其所在的党支部", o.org.name);
                c.error(ORG, m);
                None
            }
            Ok(o) => Some(o),
            Err(m) => {
                c.error(ORG, m);
                None
            }
        });
    let received_on = c.required_date(RECEIVED);
    let channel = c.required_label(CHANNEL, Channel::parse, |s| {
        let all = labels(Channel::ALL, Channel::label);
        format!("无法识别的渠道“{s}”（应为{all}）")
    });
    let category = c.required_label(CATEGORY, Category::parse, |s| {
        let all = labels(Category::ALL, Category::label);
        format!("无法识别的类别“{s}”（应为{all}）")
    });
    let phone = c.text_as(PHONE, crate::privacy::check_phone);
    let resolved_on = c.date(RESOLVED);
    let feedback = c.text_label(FEEDBACK, Feedback::parse, |s| {
        let all = labels(Feedback::ALL, Feedback::label);
        format!("无法识别的群众评价“{s}”（应为{all}，未评价的可不填）")
    });
    let draft = RequestDraft {
        channel,
        received_on,
        category,
        content: c.text(CONTENT).unwrap_or_default(),
        handler: c.text(HANDLER).unwrap_or_default(),
        requester_name: c.text(NAME).unwrap_or_default(),
    };
    let (org, received_on) = (org?, received_on?);
    channel?;
    category?;
    let checked = match domain::check(&draft, today) {
        Ok(d) => d,
        Err(e) => {
            c.error(column_of(e.field), e.message);
            return None;
        }
    };
    let done = resolution(c, (resolved_on, feedback), received_on, today)?;
    if !c.errors.is_empty() {
        return None;
    }
    Some(Row {
        register_no,
        org_id: org.org.id,
        org_path: org.path.clone(),
        org_name: org.org.name.clone(),
        draft: checked,
        phone,
        done,
    })
}

/// The row's resolution, checked as the resolve form checks one: `Some(None)` for a
/// request still open (办结日期, 办理结果 and 群众评价 all blank); `None` with the error in
/// `c` for a result or feedback without the day, or a resolution the form refuses.
fn resolution(
    c: &mut RowCheck,
    (on, feedback): (Option<NaiveDate>, Option<Feedback>),
    received_on: NaiveDate,
    today: NaiveDate,
) -> Option<Option<domain::Resolution>> {
    let result = c.text(RESULT);
    if c.text(RESOLVED).is_none() {
        if result.is_some() || c.text(FEEDBACK).is_some() {
            let m = "填写了办理结果或群众评价，但未填写办结日期（未办结的诉求这两列留空）";
            c.error(RESOLVED, m);
            return None;
        }
        return Some(None);
    }
    let r = ResolutionDraft {
        on: Some(on?),
        result: result.unwrap_or_default(),
        feedback: Some(feedback.unwrap_or(Feedback::NoFeedback)),
    };
    match domain::check_resolution(&r, received_on, false, today) {
        Ok(d) => Some(Some(d)),
        Err(e) => {
            c.error(column_of(e.field), e.message);
            None
        }
    }
}
