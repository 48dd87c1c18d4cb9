//! `import orgs`: the org tree from a spreadsheet. Orgs are matched by code, or by name
//! under the same parent; parents may be named by code or name, in the file or stored.

use std::collections::{HashMap, HashSet};
use std::path::Path;

use jiceng_domain::{Domain, EventKind, Org, OrgEvent, OrgKind, RegionCode};
use jiceng_store::history as org_history;
use jiceng_store::orgs::{self as org_store, HistoryEntry, StoredOrg};
use jiceng_store::referral::ReferralKind;
use jiceng_store::Scope;

use jiceng_domain::text::{self, TextField};

use super::{
    columns, sort_errors, ErrorList, ImportOptions, ImportReport, Progress, RowCheck, RowError,
};
use crate::{App, Result};

/// The text columns and their limits.
const LIMITS: [(usize, TextField); 4] = [
    (NAME, text::ORG_NAME),
    (PARENT, text::ORG_REF),
    (CODE, text::ORG_CODE),
    (APPROVING, text::APPROVING_ORG),
];

columns! {
    NAME = required("组织名称", ["党组织名称", "党组织全称", "组织全称", "名称", "单位名称"]),
    KIND = required("组织类别", ["党组织类别", "组织类型", "党组织类型", "类别", "组织性质"]),
    PARENT = optional("上级党组织", ["上级组织", "上级党组织名称", "上级党组织代码", "隶属党组织", "上级党委", "所属上级党组织"]),
    DOMAIN = optional("所属领域", ["领域", "所在领域", "党组织所在单位类型", "单位类别"]),
    REGION = optional("行政区划代码", ["区划代码", "所在地区划代码", "行政区划", "所在行政区划代码"]),
    FOUNDED = optional("成立日期", ["成立时间", "建立日期", "建立时间", "组建日期", "组建时间"]),
    ELECTION = optional("最近换届日期", ["换届日期", "最近换届时间", "上次换届日期", "上次换届时间", "本届当选日期", "换届时间"]),
    COMMITTEE = optional("是否设立支委会", ["设立支委会", "是否设支委会", "支委会", "是否成立支委会", "是否设立委员会", "是否设委员会"]),
    CODE = optional("组织代码", ["党组织代码", "党组织编码", "组织编码", "代码", "编码"]),
    APPROVING = optional("批准机关", ["批准单位", "批准成立机关", "审批机关"]),
    TERM_YEARS = optional("任期年限", ["任期", "每届任期", "任期（年）", "任期(年)", "批准任期"]),
}

struct Parsed {
    row: usize,
    name: String,
    kind: OrgKind,
    parent_key: Option<String>,
    domain: Option<Domain>,
    region: Option<RegionCode>,
    founded: Option<chrono::NaiveDate>,
    election: Option<chrono::NaiveDate>,
    /// 是否设立支委会: blank is unknown, never "no".
    committee: Option<bool>,
    code: Option<String>,
    approving: Option<String>,
    term_years: Option<i64>,
    temporary: bool,
}

#[derive(Clone, Copy, PartialEq, Eq, Debug)]
enum ParentRef {
    Root,
    Stored(i64),
    Row(usize),
}

pub async fn run(
    app: &App,
    file: &Path,
    opts: &ImportOptions,
    progress: &dyn Progress,
) -> Result<ImportReport> {
    // The per-user limit of real imports comes first: a refused import costs nothing.
    if !opts.dry_run {
        crate::referral::check_import_rate(app, &opts.actor).await?;
    }
    let today = app.today();
    let (
        table,
        mut report,
        super::Start {
            scope: _,
            scope_org: default_parent,
            orgs: stored,
        },
    ) = super::open(app, file, opts, &COLUMNS).await?;
    let lookup = super::OrgLookup::of(&stored);
    let (by_code, by_name) = (&lookup.by_code, &lookup.by_name);

    // 1. Parse every row.
    progress.start("检查", table.rows.len() as u64);
    let mut parsed: Vec<Option<Parsed>> = Vec::with_capacity(table.rows.len());
    let mut errors: Vec<Vec<RowError>> = Vec::with_capacity(table.rows.len());
    for row in &table.rows {
        let mut c = RowCheck::new(row, &table.titles);
        c.lengths(&LIMITS);
        let name = c.required(NAME);
        let kind_text = c.text(KIND).unwrap_or_default();
        let kind = c.required_label(KIND, OrgKind::parse_label, |k| {
            format!("无法识别的组织类别：{k}（应为地方党委、党工委、党委、党总支、党支部或党小组）")
        });
        let domain = c.text_label(DOMAIN, Domain::parse_label, |d| {
            format!("无法识别的领域：{d}")
        });
        let region = c.text_as(REGION, RegionCode::parse);
        let founded = c.date(FOUNDED);
        let election = c.date(ELECTION);
        if let Some(f) = founded.filter(|f| *f > today) {
            c.error(FOUNDED, format!("成立日期晚于今天：{f}"));
        }
        if let Some(e) = election {
            if e > today {
                c.error(ELECTION, format!("换届日期晚于今天：{e}"));
            } else if let Some(f) = founded.filter(|f| e < *f) {
                c.error(ELECTION, format!("换届日期{e}早于成立日期{f}"));
            }
        }
        let committee = c.yes_no(COMMITTEE);
        let term_years = c.count(TERM_YEARS).and_then(|y| {
            if (1..=10).contains(&y) {
                Some(y)
            } else {
                c.error(TERM_YEARS, format!("任期年限应为1至10年：{y}"));
                None
            }
        });
        let code = c.text(CODE);
        let approving = c.text(APPROVING);
        let parent_key = c.text(PARENT);
        let ok = c.errors.is_empty();
        errors.push(c.errors);
        parsed.push(match (ok, name, kind) {
            (true, Some(name), Some(kind)) => Some(Parsed {
                row: row.number,
                temporary: kind == OrgKind::Branch
                    && (OrgKind::is_temporary_label(&kind_text)
                        || name.contains("临时党支部")
                        || name.contains("临时支部")),
                name,
                kind,
                parent_key,
                domain,
                region,
                founded,
                election,
                committee,
                code,
                approving,
                term_years,
            }),
            _ => None,
        });
        progress.inc(1);
    }
    let title = |col: usize| table.titles[col].clone();

    // 2. Duplicates within the file.
    let mut seen_code: HashMap<String, usize> = HashMap::new();
    let mut seen_name: HashMap<(Option<String>, String), usize> = HashMap::new();
    for i in 0..parsed.len() {
        let Some(p) = &parsed[i] else { continue };
        let mut err = None;
        if let Some(code) = &p.code {
            if let Some(j) = seen_code.get(code) {
                err = Some((
                    CODE,
                    format!("组织代码与第{}行重复：{code}", table.rows[*j].number),
                ));
            } else {
                seen_code.insert(code.clone(), i);
            }
        }
        let key = (p.parent_key.clone(), p.name.clone());
        if err.is_none() && p.code.is_none() {
            if let Some(j) = seen_name.get(&key) {
                err = Some((
                    NAME,
                    format!("与第{}行重复（同一上级下同名）", table.rows[*j].number),
                ));
            }
        }
        seen_name.entry(key).or_insert(i);
        if let Some((col, msg)) = err {
            errors[i].push(RowError {
                row: p.row,
                column: title(col),
                message: msg,
                name: None,
            });
            parsed[i] = None;
        }
    }

    // 3. Resolve parents: a row of the file (by code, then unique name), else a stored org
    // in the scope (by code, then unique name), else the --org org.
    let mut file_code: HashMap<&str, usize> = HashMap::new();
    let mut file_name: HashMap<&str, Vec<usize>> = HashMap::new();
    for (i, p) in parsed.iter().enumerate() {
        if let Some(p) = p {
            if let Some(c) = &p.code {
                file_code.insert(c.as_str(), i);
            }
            file_name.entry(p.name.as_str()).or_default().push(i);
        }
    }
    let mut parent_of: Vec<Option<ParentRef>> = vec![None; parsed.len()];
    let mut new_errors: Vec<(usize, RowError)> = Vec::new();
    for (i, p) in parsed.iter().enumerate() {
        let Some(p) = p else { continue };
        let r = match &p.parent_key {
            None => Ok(match &default_parent {
                Some(o) => ParentRef::Stored(o.org.id),
                None => ParentRef::Root,
            }),
            Some(key) => {
                if let Some(&j) = file_code.get(key.as_str()) {
                    Ok(ParentRef::Row(j))
                } else if let Some(rows) = file_name.get(key.as_str()).filter(|v| v.len() == 1) {
                    Ok(ParentRef::Row(rows[0]))
                } else if let Some(o) = by_code.get(key.as_str()) {
                    Ok(ParentRef::Stored(o.org.id))
                } else if file_name
                    .get(key.as_str())
                    .map(|v| v.len() > 1)
                    .unwrap_or(false)
                {
                    Err(format!(
                        "上级党组织“{key}”在文件中有多个同名组织，请改填组织代码"
                    ))
                } else {
                    match by_name.get(key.as_str()).map(|v| v.as_slice()) {
                        Some([o]) => Ok(ParentRef::Stored(o.org.id)),
                        Some(v) if v.len() > 1 => Err(format!(
                            "上级党组织“{key}”名称不唯一（{}个），请改填组织代码",
                            v.len()
                        )),
                        _ => Err(match &default_parent {
                            Some(o) => format!("在“{}”范围内找不到上级党组织“{key}”", o.org.name),
                            None => format!("找不到上级党组织“{key}”"),
                        }),
                    }
                }
            }
        };
        match r {
            Ok(ParentRef::Row(j)) if j == i => new_errors.push((
                i,
                RowError {
                    row: p.row,
                    column: title(PARENT),
                    message: "上级党组织不能是自己".into(),
                    name: None,
                },
            )),
            Ok(r) => parent_of[i] = Some(r),
            Err(m) => new_errors.push((
                i,
                RowError {
                    row: p.row,
                    column: title(PARENT),
                    message: m,
                    name: None,
                },
            )),
        }
    }
    for (i, e) in new_errors {
        errors[i].push(e);
        parsed[i] = None;
    }

    // 4. Cycles within the file, and rows whose parent row is bad.
    loop {
        let mut changed = false;
        for i in 0..parsed.len() {
            if parsed[i].is_none() {
                continue;
            }
            if let Some(ParentRef::Row(j)) = parent_of[i] {
                if parsed[j].is_none() {
                    let p = parsed[i].take().expect("checked");
                    let msg = format!(
                        "上级党组织（第{}行）有错误，本行无法导入",
                        table.rows[j].number
                    );
                    errors[i].push(RowError {
                        row: p.row,
                        column: title(PARENT),
                        message: msg,
                        name: None,
                    });
                    changed = true;
                }
            }
        }
        if !changed {
            break;
        }
    }
    let order = match topo_order(&parsed, &parent_of) {
        Ok(o) => o,
        Err(cycle) => {
            for i in cycle {
                if let Some(p) = parsed[i].take() {
                    errors[i].push(RowError {
                        row: p.row,
                        column: title(PARENT),
                        message: "上级党组织关系形成循环".into(),
                        name: None,
                    });
                }
            }
            topo_order(&parsed, &parent_of).unwrap_or_default()
        }
    };

    // 5. Match stored orgs and plan the writes, parents first. A code used outside the
    // scope is answered as a free one (no oracle); a real import refers the row (below).
    let mut outside: HashMap<usize, StoredOrg> = HashMap::new();
    let mut id_of: Vec<Option<i64>> = vec![None; parsed.len()];
    let mut new_rows: Vec<usize> = Vec::new();
    let mut matched: Vec<(usize, &StoredOrg)> = Vec::new();
    let mut child_by_name: HashMap<(Option<i64>, &str), &StoredOrg> = HashMap::new();
    for o in &stored {
        child_by_name.insert((o.org.parent_id, o.org.name.as_str()), o);
    }
    let mut conn = app.store.acquire().await?;
    for &i in &order {
        let p = parsed[i].as_ref().expect("ordered rows are valid");
        let parent_id = match parent_of[i].expect("resolved") {
            ParentRef::Root => None,
            ParentRef::Stored(id) => Some(id),
            ParentRef::Row(j) => id_of[j],
        };
        let existing = match &p.code {
            Some(code) => match by_code.get(code.as_str()) {
                Some(o) => Some(*o),
                None => {
                    if let Some(other) =
                        org_store::get_by_code(&mut conn, &Scope::All, code).await?
                    {
                        outside.insert(i, other);
                    }
                    None
                }
            },
            None => parent_id
                .and_then(|pid| child_by_name.get(&(Some(pid), p.name.as_str())).copied())
                .or_else(|| {
                    if parent_id.is_none() {
                        child_by_name.get(&(None, p.name.as_str())).copied()
                    } else {
                        None
                    }
                }),
        };
        match existing {
            Some(o) => {
                id_of[i] = Some(o.org.id);
                matched.push((i, o));
            }
            None => new_rows.push(i),
        }
    }
    drop(conn);
    // Rows dropped while matching take their children with them.
    let bad_parent: HashSet<usize> = (0..parsed.len()).filter(|i| parsed[*i].is_none()).collect();
    for i in 0..parsed.len() {
        if let (Some(p), Some(ParentRef::Row(j))) = (&parsed[i], parent_of[i]) {
            if bad_parent.contains(&j) {
                errors[i].push(RowError {
                    row: p.row,
                    column: title(PARENT),
                    message: format!(
                        "上级党组织（第{}行）有错误，本行无法导入",
                        table.rows[j].number
                    ),
                    name: None,
                });
            }
        }
    }

    let bad_rows: HashSet<usize> = errors.iter().flatten().map(|e| e.row).collect();
    let mut all_errors = ErrorList::default();
    all_errors.extend(errors.into_iter().flatten());
    all_errors.finish(&mut report);
    progress.finish();
    let matches = || {
        outside
            .keys()
            .filter(|i| {
                parsed[**i]
                    .as_ref()
                    .is_some_and(|p| !bad_rows.contains(&p.row))
            })
            .count()
    };
    if super::ends_with_check(app, opts, "orgs", &report, default_parent.as_ref(), matches).await? {
        return Ok(report);
    }
    for p in parsed.iter_mut() {
        if p.as_ref()
            .map(|p| bad_rows.contains(&p.row))
            .unwrap_or(false)
        {
            *p = None;
        }
    }

    // 5b. Refer each row whose code is used outside the scope; the rows below it in the
    // file wait with it (their parent is not created), named in its referral.
    let mut held_by: HashMap<usize, usize> = HashMap::new();
    for &i in &order {
        if parsed[i].is_none() {
            continue;
        }
        if outside.contains_key(&i) {
            held_by.insert(i, i);
        } else if let Some(ParentRef::Row(j)) = parent_of[i] {
            if let Some(&root) = held_by.get(&j) {
                held_by.insert(i, root);
            }
        }
    }
    let mut pending = Vec::new();
    for &i in &order {
        let (Some(p), Some(other)) = (parsed[i].as_ref(), outside.get(&i)) else {
            continue;
        };
        if held_by.get(&i) != Some(&i) {
            continue;
        }
        let from = match parent_of[i] {
            Some(ParentRef::Stored(id)) => lookup.by_id.get(&id).copied(),
            _ => default_parent.as_ref(),
        };
        let below: Vec<serde_json::Value> = order
            .iter()
            .filter(|k| **k != i && held_by.get(*k) == Some(&i))
            .filter_map(|k| parsed[*k].as_ref())
            .map(|c| serde_json::json!({ "row": c.row, "name": c.name, "code": c.code }))
            .collect();
        pending.push(crate::referral::Pending {
            kind: ReferralKind::Org,
            row: Some(p.row),
            from_org_id: from.map(|o| o.org.id),
            from_path: from.map(|o| o.path.clone()),
            existing_id: other.org.id,
            existing_org_id: other.org.id,
            existing_path: other.path.clone(),
            data: serde_json::json!({
                "name": p.name,
                "kind": p.kind.label(),
                "code": p.code,
                "parent": p.parent_key,
                "domain": p.domain.map(|d| d.label()),
                "region_code": p.region.as_ref().map(|r| r.as_str().to_string()),
                "founded_on": p.founded.map(|d| d.to_string()),
                "last_election_on": p.election.map(|d| d.to_string()),
                "committee": p.committee,
                "term_years": p.term_years,
                "temporary": p.temporary,
                "approving_org": p.approving,
                "rows_below": below,
            }),
            key: p.code.clone().unwrap_or_default(),
        });
    }
    for &i in &order {
        if held_by.contains_key(&i) {
            if let Some(p) = parsed[i].take() {
                report.referred.push(RowError {
                    row: p.row,
                    column: title(CODE),
                    message: crate::referral::REFERRED.into(),
                    name: None,
                });
            }
        }
    }
    sort_errors(&mut report.referred);
    let referrals =
        crate::referral::prepare(app, &opts.actor, "orgs", &report.file, pending).await?;

    // 6. Assign ids to new orgs (parents first) and build the records.
    let valid_new: Vec<usize> = new_rows
        .into_iter()
        .filter(|i| parsed[*i].is_some())
        .collect();
    let first = app.store.reserve_ids("org", valid_new.len() as i64).await?;
    for (k, &i) in valid_new.iter().enumerate() {
        id_of[i] = Some(first + k as i64);
    }
    let parent_id_of = |i: usize| -> Option<i64> {
        match parent_of[i].expect("resolved") {
            ParentRef::Root => None,
            ParentRef::Stored(id) => Some(id),
            ParentRef::Row(j) => id_of[j],
        }
    };
    let mut inserts: Vec<Org> = Vec::new();
    let mut history: Vec<HistoryEntry> = Vec::new();
    // Dated facts the file states (election, committee), recorded as events; for stored
    // orgs only those not on record already (checked in the transaction).
    let mut events: Vec<(i64, OrgEvent)> = Vec::new();
    for &i in &valid_new {
        let p = parsed[i].as_ref().expect("valid");
        let id = id_of[i].expect("assigned");
        let org = Org {
            id,
            code: p.code.clone().unwrap_or_else(|| generated_code(id)),
            name: p.name.clone(),
            kind: p.kind,
            domain: p.domain,
            region_code: p.region.clone(),
            parent_id: parent_id_of(i),
            founded_on: p.founded,
            last_election_on: p.election,
            committee: p.committee,
            term_years: p.term_years,
            temporary: p.temporary,
            approving_org: p.approving.clone(),
            dissolved_on: None,
        };
        events.extend(dated_events(p, today).into_iter().map(|e| (id, e)));
        history.push(HistoryEntry {
            org_id: id,
            actor: opts.actor.username.clone(),
            action: "Create".into(),
            reason: Some(format!("导入 {} 第{}行", report.file, p.row)),
            before: None,
            after: Some(serde_json::to_string(&org).expect("serializable")),
        });
        inserts.push(org);
    }
    let mut updates: Vec<Org> = Vec::new();
    let mut moves: Vec<(i64, i64, Option<i64>)> = Vec::new();
    for (i, stored_org) in &matched {
        let Some(p) = parsed[*i].as_ref() else {
            continue;
        };
        let before = &stored_org.org;
        let mut after = before.clone();
        after.name = p.name.clone();
        after.kind = p.kind;
        if p.domain.is_some() {
            after.domain = p.domain;
        }
        if p.region.is_some() {
            after.region_code = p.region.clone();
        }
        if p.founded.is_some() {
            after.founded_on = p.founded;
        }
        if p.election.is_some() {
            // The latest on record stays the latest: an older date is history.
            after.last_election_on = p.election.max(before.last_election_on);
        }
        if p.committee.is_some() {
            after.committee = p.committee;
        }
        if p.approving.is_some() {
            after.approving_org = p.approving.clone();
        }
        if p.term_years.is_some() {
            after.term_years = p.term_years;
        }
        after.temporary = p.temporary;
        for e in dated_events(p, today) {
            // A committee event only when the statement changes what is on record.
            let same = match e.kind {
                EventKind::CommitteeSet => before.committee == Some(true),
                EventKind::CommitteeNone => before.committee == Some(false),
                _ => false,
            };
            if !same {
                events.push((before.id, e));
            }
        }
        let new_parent = parent_id_of(*i);
        let moved = new_parent != before.parent_id && new_parent.is_some();
        if moved {
            moves.push((before.id, new_parent.expect("some"), before.parent_id));
        }
        if after != *before || moved {
            history.push(HistoryEntry {
                org_id: before.id,
                actor: opts.actor.username.clone(),
                action: if moved {
                    "Move".into()
                } else {
                    "Update".into()
                },
                reason: Some(format!("导入 {} 第{}行", report.file, p.row)),
                before: Some(serde_json::to_string(before).expect("serializable")),
                after: Some(serde_json::to_string(&after).expect("serializable")),
            });
            updates.push(after);
        } else {
            report.unchanged += 1;
        }
    }

    // 7. Write everything in one transaction, then the derived facts in the same one.
    progress.start("写入", (inserts.len() + updates.len()) as u64);
    let history_first = app
        .store
        .reserve_ids("history", history.len() as i64)
        .await?;
    let written = inserts.len() + updates.len();
    let event_first = app
        .store
        .reserve_ids("org_event", events.len() as i64)
        .await?;
    let (inserts, updates, moves, history) = (&inserts, &updates, &moves, &history);
    let events = &events;
    let (report_ref, org_ref, referrals) = (&report, default_parent.as_ref(), &referrals);
    crate::audit::with_retry(|| async move {
        let mut tx = app.store.begin().await?;
        crate::referral::write(&mut tx, app, &opts.actor, org_ref, referrals).await?;
        org_store::insert(&mut tx, inserts).await?;
        for u in updates {
            org_store::update(&mut tx, u).await?;
        }
        let mut touched: Vec<i64> = inserts
            .iter()
            .map(|o| o.id)
            .chain(updates.iter().map(|o| o.id))
            .collect();
        for (id, to, from) in moves {
            org_store::move_subtree(&mut tx, *id, *to).await?;
            touched.extend(from.iter().copied());
            touched.push(*to);
        }
        org_store::record_history(&mut tx, history_first, history).await?;
        // The dated facts, skipping those already on record (a re-import of the same
        // file adds nothing); each keeps the org row's copies in step.
        let ids: Vec<i64> = events.iter().map(|(id, _)| *id).collect();
        let on_record = org_history::of_orgs(&mut tx, &ids).await?;
        for (k, (org_id, e)) in events.iter().enumerate() {
            let known = on_record
                .get(org_id)
                .is_some_and(|h| h.events.iter().any(|x| x.kind == e.kind && x.on == e.on));
            if !known {
                org_history::record(&mut tx, event_first + k as i64, *org_id, e, Some("导入"))
                    .await?;
            }
        }
        jiceng_store::facts::refresh(&mut tx, &app.rules, &touched, today).await?;
        super::record_import(&mut tx, app, opts, "orgs", report_ref, written, org_ref).await?;
        tx.commit().await?;
        Ok(())
    })
    .await?;
    progress.finish();
    report.written = written;
    Ok(report)
}

/// The dated facts a row states: its 最近换届日期 as an election, and 是否设立支委会 as a
/// committee set up (dated by the election when given, else undated: it exists, since
/// when is unknown) or stated absent (dated by the election, else the import day: the
/// statement is only known true from then on).
fn dated_events(p: &Parsed, today: chrono::NaiveDate) -> Vec<OrgEvent> {
    crate::org_admin::stated_events(p.election, p.committee, p.election, today)
}

/// The code of an org created without one.
pub fn generated_code(id: i64) -> String {
    format!("JC{id:08}")
}

/// Valid rows ordered parents first; `Err` with the rows on a cycle.
fn topo_order(
    parsed: &[Option<Parsed>],
    parent_of: &[Option<ParentRef>],
) -> std::result::Result<Vec<usize>, Vec<usize>> {
    let n = parsed.len();
    let mut children: Vec<Vec<usize>> = vec![Vec::new(); n];
    let mut roots = Vec::new();
    for i in 0..n {
        if parsed[i].is_none() {
            continue;
        }
        match parent_of[i] {
            Some(ParentRef::Row(j)) => children[j].push(i),
            _ => roots.push(i),
        }
    }
    let mut order = Vec::new();
    let mut stack: Vec<usize> = roots.into_iter().rev().collect();
    while let Some(i) = stack.pop() {
        order.push(i);
        for &c in children[i].iter().rev() {
            stack.push(c);
        }
    }
    let valid = parsed.iter().filter(|p| p.is_some()).count();
    if order.len() == valid {
        Ok(order)
    } else {
        let placed: HashSet<usize> = order.into_iter().collect();
        Err((0..n)
            .filter(|i| parsed[*i].is_some() && !placed.contains(i))
            .collect())
    }
}
