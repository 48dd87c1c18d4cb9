//! `import transfers`: letters for many members at once (批量转出: a village branch split,
//! a school's graduates leaving in July). Each row names a current member of the import's
//! scope by ID number and name, the receiving org (anywhere in the tree, by code or unique
//! name) or an outside destination, the day and the reason. Every row is checked as the
//! letter form checks one letter; nothing is written unless all are valid, then every letter
//! in one transaction. The letters wait for their receiving orgs as any letter does.

use std::collections::HashMap;
use std::path::Path;

use jiceng_domain::text::{self, TextField};
use jiceng_domain::transfer::{self as rule, LetterState, Outside};
use jiceng_domain::{IdNumber, OrgKind};
use jiceng_store::members::StoredMember;
use jiceng_store::orgs::StoredOrg;
use jiceng_store::transfers::{self as store, StoredTransfer};
use jiceng_store::Scope;

use super::{columns, ErrorList, ImportOptions, ImportReport, Progress, RowCheck};
use crate::access::TransferMembers;
use crate::transfer::Person;
use crate::{App, AppError, Result};

const LIMITS: [(usize, TextField); 5] = [
    (NAME, text::MEMBER_NAME),
    (TO, text::ORG_REF),
    (TO_NAME, text::ORG_NAME),
    (LETTER, text::LETTER_NO),
    (REASON, text::TRANSFER_REASON),
];

columns! {
    NAME = required("姓名", ["党员姓名"]),
    ID = required("公民身份号码", ["身份证号", "身份证号码", "公民身份证号码"]),
    TO = optional("接收党组织", ["转入党组织", "转往党组织", "去向党组织", "接收党组织代码", "转入单位党组织"]),
    OUTSIDE = optional("系统外去向", ["去向类别", "转往系统外"]),
    TO_NAME = optional("系统外接收单位", ["接收单位", "接收单位名称"]),
    LETTER = optional("介绍信编号", ["编号", "介绍信号", "介绍信字号"]),
    ISSUED = required("开具日期", ["转出日期", "介绍信开具日期", "日期"]),
    REASON = required("转接原因", ["原因", "转出原因", "转移原因"]),
}

/// Destinations as the file names them, looked up once each in the whole tree.
struct Destinations<'a> {
    app: &'a App,
    seen: HashMap<String, std::result::Result<StoredOrg, String>>,
}

impl Destinations<'_> {
    async fn find(&mut self, key: &str) -> Result<std::result::Result<StoredOrg, String>> {
        if let Some(found) = self.seen.get(key) {
            return Ok(found.clone());
        }
        let found = match self.app.resolve_org(&Scope::All, key).await {
            Ok(o) if o.org.dissolved_on.is_some() => Err(format!("{}已撤销", o.org.name)),
            Ok(o) if o.org.kind == OrgKind::Group => {
                Err("组织关系应转入党支部（或党总支、党委），不能转入党小组".into())
            }
            Ok(o) => Ok(o),
            Err(e @ (AppError::OrgNotFound(_) | AppError::OrgAmbiguous { .. })) => {
                Err(e.to_string())
            }
            Err(other) => return Err(other),
        };
        self.seen.insert(key.to_string(), found.clone());
        Ok(found)
    }
}

/// What one valid row becomes: the member and where the letter goes.
struct Parsed {
    member: StoredMember,
    to: std::result::Result<StoredOrg, (Outside, String)>,
    letter_no: Option<String>,
    issued_on: chrono::NaiveDate,
    reason: String,
}

pub async fn run(
    app: &App,
    file: &Path,
    opts: &ImportOptions,
    progress: &dyn Progress,
) -> Result<ImportReport> {
    opts.actor.grant::<TransferMembers>()?;
    let today = app.today();
    let (
        mut table,
        mut report,
        super::Start {
            scope, scope_org, ..
        },
    ) = super::open(app, file, opts, &COLUMNS).await?;
    // The members the file names, by ID-number hash, among the scope's current members.
    let members = super::members_named(app, &table, ID, &scope).await?;
    let mut conn = app.store.acquire().await?;
    // Their waiting letters: the same letter again is unchanged, another is refused.
    let ids: Vec<i64> = members.values().map(|m| m.id).collect();
    let waiting: HashMap<i64, StoredTransfer> = store::waiting_of_members(&mut conn, &ids)
        .await?
        .into_iter()
        .filter_map(|t| Some((t.member_id?, t)))
        .collect();
    drop(conn);
    let mut dests = Destinations {
        app,
        seen: HashMap::new(),
    };
    progress.start("检查", table.rows.len() as u64);
    let mut parsed: Vec<Parsed> = Vec::new();
    let mut errors = ErrorList::default();
    let mut rows_of: HashMap<i64, usize> = HashMap::new();
    for row in &table.rows {
        let mut c = RowCheck::new(row, &table.titles);
        c.lengths(&LIMITS);
        let name = c.required(NAME);
        let id = c.required_as(ID, IdNumber::parse);
        let issued_on = c.required_date(ISSUED);
        let reason = c.required(REASON);
        let member = id.and_then(|id| match members.get(&app.crypto.id_hash(&id)) {
            Some(m) if name.as_deref().is_none_or(|n| n.trim() == m.name) => Some(m.clone()),
            Some(m) => {
                c.error(NAME, format!("与身份证号对应的党员是“{}”", m.name));
                None
            }
            None => {
                c.error(ID, "本范围内的党员名册中没有这个身份证号");
                None
            }
        });
        if let Some(prev) = member
            .as_ref()
            .and_then(|m| rows_of.insert(m.id, row.number))
        {
            c.error(ID, format!("与第{prev}行是同一名党员"));
        }
        let to = match (c.text(OUTSIDE), c.text(TO)) {
            (Some(kind), _) => match (Outside::parse(&kind), c.text(TO_NAME)) {
                (Some(o), Some(n)) => Some(Err((o, n))),
                (None, _) => {
                    c.error(
                        OUTSIDE,
                        format!("无法识别的去向：{kind}（系统外党组织、军队、境外或其他）"),
                    );
                    None
                }
                (_, None) => {
                    c.error(TO_NAME, "转往系统外的，请填写接收单位名称");
                    None
                }
            },
            (None, Some(key)) => match dests.find(key.trim()).await? {
                Ok(o) => Some(Ok(o)),
                Err(e) => {
                    c.error(TO, e);
                    None
                }
            },
            (None, None) => {
                c.error(TO, "请填写接收党组织（或系统外去向和接收单位）");
                None
            }
        };
        if let (Some(m), Some(to), Some(on), Some(reason)) = (member, to, issued_on, reason) {
            if let Some(t) = waiting.get(&m.id) {
                let again = t.issued_on == on
                    && match &to {
                        Ok(o) => t.to_org_id == Some(o.org.id),
                        Err((_, name)) => t.to_org_id.is_none() && &t.to_name == name,
                    };
                if again && c.errors.is_empty() {
                    report.unchanged += 1;
                } else if !again {
                    c.error(
                        ID,
                        format!(
                            "{}已有一封待接收的介绍信（{}），请先撤回",
                            m.name, t.letter_no
                        ),
                    );
                }
                errors.extend(c.errors);
                progress.inc(1);
                continue;
            }
            let same = matches!(&to, Ok(o) if o.org.id == m.org_id);
            match rule::check_issue(on, today, m.joined_on, &reason, same) {
                Err(e) => {
                    let col = match e.field {
                        "to" => TO,
                        "issued_on" => ISSUED,
                        _ => REASON,
                    };
                    c.error(col, e.message);
                }
                Ok(()) if c.errors.is_empty() => parsed.push(Parsed {
                    member: m,
                    to,
                    letter_no: c.text(LETTER),
                    issued_on: on,
                    reason: reason.trim().to_string(),
                }),
                Ok(()) => {}
            }
        }
        errors.extend(c.errors);
        progress.inc(1);
    }
    progress.finish();
    table.rows = Vec::new();
    errors.finish(&mut report);
    if report.ends_with_check(opts) {
        return Ok(report);
    }
    let letters = letters(app, opts, parsed).await?;
    let written = letters.len();
    let (letters, report_ref, org) = (&letters, &report, scope_org.as_ref());
    crate::audit::with_retry(|| async move {
        let mut tx = app.store.begin().await?;
        store::insert(&mut tx, letters).await?;
        super::record_import(&mut tx, app, opts, "transfers", report_ref, written, org).await?;
        tx.commit().await?;
        Ok(())
    })
    .await?;
    report.written = written;
    Ok(report)
}

/// The letters of the valid rows, numbered, each from its member's org as it stands.
async fn letters(
    app: &App,
    opts: &ImportOptions,
    parsed: Vec<Parsed>,
) -> Result<Vec<StoredTransfer>> {
    let first = app
        .store
        .reserve_ids("member_transfer", parsed.len() as i64)
        .await?;
    let mut conn = app.store.acquire().await?;
    let org_ids: Vec<i64> = parsed.iter().map(|p| p.member.org_id).collect();
    let from: HashMap<i64, StoredOrg> = jiceng_store::orgs::by_ids(&mut conn, &org_ids)
        .await?
        .into_iter()
        .map(|o| (o.org.id, o))
        .collect();
    drop(conn);
    let now = app.now().to_rfc3339();
    let mut out = Vec::with_capacity(parsed.len());
    for (n, p) in parsed.into_iter().enumerate() {
        let id = first + n as i64;
        let f = from
            .get(&p.member.org_id)
            .ok_or_else(|| AppError::NotFound("党组织".into()))?;
        let (to_org_id, to_path, to_name, outside) = match p.to {
            Ok(o) => (Some(o.org.id), Some(o.path), o.org.name, None),
            Err((kind, name)) => (None, None, name, Some(kind)),
        };
        out.push(StoredTransfer {
            id,
            member_id: Some(p.member.id),
            letter_no: p
                .letter_no
                .unwrap_or_else(|| format!("转字〔{}〕{id}号", p.issued_on.format("%Y"))),
            issued_on: p.issued_on,
            valid_until: rule::valid_until(&app.rules, p.issued_on),
            from_org_id: Some(f.org.id),
            from_path: Some(f.path.clone()),
            from_name: f.org.name.clone(),
            to_org_id,
            to_path,
            to_name,
            outside,
            reason: p.reason,
            state: LetterState::Issued,
            person: serde_json::to_string(&Person::of(&p.member)).expect("a person serialises"),
            decided_on: None,
            decision_note: None,
            issued_by: opts.actor.username().to_string(),
            decided_by: None,
            recorded_at: now.clone(),
        });
    }
    Ok(out)
}
