//! Writes to the org tree from the forms and the API: create, edit, move (re-affiliate),
//! merge and dissolve. Each checks the actor's scope and the structure rules, records the
//! reason in the org's history and an audit entry, and refreshes the derived facts — all
//! in one transaction. A dissolved org keeps its records.

use chrono::NaiveDate;
use jiceng_domain::structure::{term_on, OrgFacts};
use jiceng_domain::{Domain, Org, OrgKind, RegionCode};
use jiceng_domain::{EventKind, OrgEvent, OrgHistory, SecretaryState};
use jiceng_store::history as org_history;
use jiceng_store::orgs::{self as org_store, HistoryEntry, StoredOrg};
use jiceng_store::{browse as browse_store, facts, Scope};
use serde::{Deserialize, Serialize};

use crate::access::{Actor, Grant, InScope, Write};
use crate::audit::{self, AuditAction};
use crate::{App, AppError, Result};

/// The fields of an org a form edits.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct OrgFields {
    pub name: String,
    /// An `OrgKind` code.
    pub kind: String,
    /// A `Domain` code, or empty.
    #[serde(default)]
    pub domain: Option<String>,
    #[serde(default)]
    pub region_code: Option<String>,
    #[serde(default)]
    pub founded_on: Option<NaiveDate>,
    #[serde(default)]
    pub last_election_on: Option<NaiveDate>,
    /// Whether a committee exists: `None` unknown (暂无数据), never read as "no".
    #[serde(default, alias = "has_committee")]
    pub committee: Option<bool>,
    /// The day the committee was set up or dissolved, when the statement changes (a
    /// committee set up with no day given holds from the start of the records; "none"
    /// with no day holds from today).
    #[serde(default)]
    pub committee_on: Option<NaiveDate>,
    #[serde(default)]
    pub approving_org: Option<String>,
    /// The org's code; assigned when left empty on create.
    #[serde(default)]
    pub code: Option<String>,
    /// An approved term length (年) overriding the rule for the kind.
    #[serde(default)]
    pub term_years: Option<i64>,
    /// A 临时党支部.
    #[serde(default)]
    pub temporary: bool,
    /// 台账起始日: the first day the org's records cover (nothing before it is judged).
    #[serde(default)]
    pub records_from: Option<NaiveDate>,
}

impl OrgFields {
    pub fn of(o: &Org) -> OrgFields {
        OrgFields {
            name: o.name.clone(),
            kind: o.kind.code().into(),
            domain: o.domain.map(|d| d.code().to_string()),
            region_code: o.region_code.as_ref().map(|r| r.as_str().to_string()),
            founded_on: o.founded_on,
            last_election_on: o.last_election_on,
            committee: o.committee,
            committee_on: None,
            approving_org: o.approving_org.clone(),
            code: Some(o.code.clone()),
            term_years: o.term_years,
            temporary: o.temporary,
            records_from: None,
        }
    }

    /// The fields with the org's 台账起始日 (kept apart from the row: see `history`).
    pub fn with_records_from(mut self, from: Option<NaiveDate>) -> OrgFields {
        self.records_from = from;
        self
    }
}

fn input(msg: impl Into<String>) -> AppError {
    AppError::Input(msg.into())
}

fn blank(s: &Option<String>) -> Option<String> {
    s.as_deref()
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .map(str::to_string)
}

/// Checks the fields and applies them to `org`.
fn apply(org: &mut Org, f: &OrgFields, today: NaiveDate) -> Result<()> {
    let name = f.name.trim();
    if name.is_empty() {
        return Err(input("请填写党组织名称"));
    }
    use jiceng_domain::text;
    text::ORG_NAME.check(name).map_err(input)?;
    org.name = name.to_string();
    org.kind = OrgKind::from_code(&f.kind)
        .or_else(|| OrgKind::parse_label(&f.kind))
        .ok_or_else(|| input(format!("无法识别的组织类别：{}", f.kind)))?;
    org.domain = match blank(&f.domain) {
        Some(d) => Some(
            Domain::from_code(&d)
                .or_else(|| Domain::parse_label(&d))
                .ok_or_else(|| input(format!("无法识别的领域：{d}")))?,
        ),
        None => None,
    };
    org.region_code = match blank(&f.region_code) {
        Some(r) => Some(RegionCode::parse(&r).map_err(input)?),
        None => None,
    };
    if let Some(d) = f.founded_on.filter(|d| *d > today) {
        return Err(input(format!("成立日期晚于今天：{d}")));
    }
    if let Some(e) = f.last_election_on {
        if e > today {
            return Err(input(format!("换届日期晚于今天：{e}")));
        }
        if let Some(fd) = f.founded_on.filter(|fd| e < *fd) {
            return Err(input(format!("换届日期{e}早于成立日期{fd}")));
        }
    }
    if let Some(y) = f.term_years.filter(|y| !(1..=10).contains(y)) {
        return Err(input(format!("任期年限应为1至10年：{y}")));
    }
    if let Some(d) = f.committee_on.filter(|d| *d > today) {
        return Err(input(format!("委员会设立或撤销日期晚于今天：{d}")));
    }
    org.founded_on = f.founded_on;
    // An election date moved back is history; the latest on record stays.
    org.last_election_on = match (f.last_election_on, org.last_election_on) {
        (Some(new), Some(old)) => Some(new.max(old)),
        (new, old) => new.or(old),
    };
    org.committee = f.committee;
    org.term_years = f.term_years;
    org.temporary = f.temporary && org.kind == OrgKind::Branch;
    org.approving_org = blank(&f.approving_org);
    text::APPROVING_ORG
        .check(org.approving_org.as_deref().unwrap_or(""))
        .map_err(input)?;
    text::ORG_CODE
        .check(f.code.as_deref().unwrap_or(""))
        .map_err(input)?;
    Ok(())
}

/// 小马拉大车: a branch, general branch or group may only lead kinds below it; committees
/// may lead committees. The same rule as the structure check, refused at the door.
fn check_affiliation(parent: OrgKind, child: OrgKind) -> Result<()> {
    if !parent.is_committee() && child.rank() >= parent.rank() {
        return Err(input(format!(
            "隶属关系倒挂（小马拉大车）：{}不能领导{}",
            parent.label(),
            child.label()
        )));
    }
    Ok(())
}

fn reason_text(reason: &str) -> Result<String> {
    let r = reason.trim();
    if r.is_empty() {
        return Err(input("请填写原因（记入组织沿革）"));
    }
    jiceng_domain::text::TextField {
        label: "原因",
        ..jiceng_domain::text::NOTE
    }
    .check(r)
    .map_err(input)?;
    Ok(r.to_string())
}

fn json(o: &Org) -> serde_json::Value {
    serde_json::to_value(o).expect("serializable")
}

struct Change<'a> {
    org_id: i64,
    action: &'static str,
    audit: AuditAction,
    audit_org: &'a StoredOrg,
    before: Option<&'a Org>,
    after: Option<&'a Org>,
}

/// Writes the history entries and audit entries of a change.
async fn record(
    tx: &mut jiceng_store::Conn,
    actor: &Actor,
    reason: &str,
    changes: &[Change<'_>],
    first_history: i64,
) -> Result<()> {
    let entries: Vec<HistoryEntry> = changes
        .iter()
        .map(|c| HistoryEntry {
            org_id: c.org_id,
            actor: actor.username.clone(),
            action: c.action.into(),
            reason: Some(reason.to_string()),
            before: c.before.map(|o| json(o).to_string()),
            after: c.after.map(|o| json(o).to_string()),
        })
        .collect();
    org_store::record_history(tx, first_history, &entries).await?;
    for c in changes {
        let mut after = c.after.map(json);
        if let Some(serde_json::Value::Object(m)) = after.as_mut() {
            m.insert("reason".into(), serde_json::Value::String(reason.into()));
        }
        audit::record(
            tx,
            actor,
            c.audit,
            &format!("org:{}", c.org_id),
            Some(c.audit_org),
            c.before.map(json),
            after,
        )
        .await?;
    }
    Ok(())
}

/// The answer to a code used outside the actor's scope: the form cannot take it, and the
/// actor is not told where it is used (issue #11: no oracle); the department is.
pub const CODE_REFERRED: &str =
    "该组织代码暂不能使用，已提交上级党组织处理；可将组织代码留空，由系统自动生成";

/// Refuses a code already used: by an org the actor sees, saying so; by one outside the
/// actor's scope, with [`CODE_REFERRED`] after referring the clash to the department of the
/// lowest org holding both (`from`: the org written, or the parent of a new one).
async fn check_code(
    app: &App,
    actor: &Actor,
    code: &str,
    from: &StoredOrg,
    org: &Org,
) -> Result<()> {
    let mut conn = app.store.acquire().await?;
    if org_store::get_by_code(&mut conn, &actor.scope, code)
        .await?
        .is_some()
    {
        return Err(input(format!("组织代码{code}已被使用")));
    }
    let Some(other) = org_store::get_by_code(&mut conn, &Scope::All, code).await? else {
        return Ok(());
    };
    drop(conn);
    let pending = crate::referral::Pending {
        kind: jiceng_store::referral::ReferralKind::Org,
        row: None,
        from_org_id: Some(from.org.id),
        from_path: Some(from.path.clone()),
        existing_id: other.org.id,
        existing_org_id: other.org.id,
        existing_path: other.path.clone(),
        data: serde_json::json!({
            "name": org.name,
            "kind": org.kind.label(),
            "code": code,
            "org_id": (org.id != 0).then_some(org.id),
            "parent_id": org.parent_id,
        }),
        key: code.to_string(),
    };
    crate::referral::refer_now(app, actor, "org_form", "表单", Some(from), pending).await?;
    Err(input(CODE_REFERRED))
}

/// Creates an org under `parent_id`. Returns its id.
pub async fn create(
    app: &App,
    grant: &Grant<Write>,
    parent: &InScope<StoredOrg>,
    fields: &OrgFields,
    reason: &str,
) -> Result<i64> {
    let actor = grant.actor();
    let reason = reason_text(reason)?;
    let parent: &StoredOrg = parent;
    if parent.org.dissolved_on.is_some() {
        return Err(input("上级党组织已撤销"));
    }
    let today = app.today();
    let mut org = Org {
        id: 0,
        code: String::new(),
        name: String::new(),
        kind: OrgKind::Branch,
        domain: None,
        region_code: None,
        parent_id: Some(parent.org.id),
        founded_on: None,
        last_election_on: None,
        committee: None,
        term_years: None,
        temporary: false,
        approving_org: None,
        dissolved_on: None,
    };
    apply(&mut org, fields, today)?;
    // A new org states its facts from nothing: its election and committee are events.
    let blank_org = Org {
        committee: None,
        last_election_on: None,
        ..org.clone()
    };
    let events = form_events(&blank_org, &org, fields, today);
    check_affiliation(parent.org.kind, org.kind)?;
    let code = blank(&fields.code);
    if let Some(c) = &code {
        check_code(app, actor, c, parent, &org).await?;
    }
    {
        let mut conn = app.store.acquire().await?;
        let siblings =
            org_store::find_by_name(&mut conn, &Scope::subtree(&parent.path), &org.name).await?;
        if siblings
            .iter()
            .any(|s| s.org.parent_id == Some(parent.org.id) && s.org.dissolved_on.is_none())
        {
            return Err(input(format!(
                "{}下已有同名党组织“{}”",
                parent.org.name, org.name
            )));
        }
    }
    org.id = app.store.reserve_ids("org", 1).await?;
    org.code = code.unwrap_or_else(|| crate::import::orgs::generated_code(org.id));
    let history = app.store.reserve_ids("history", 1).await?;
    let event_first = app
        .store
        .reserve_ids("org_event", events.len() as i64)
        .await?;
    let (org, reason, events) = (&org, &reason, &events);
    audit::with_retry(|| async move {
        let mut tx = app.store.begin().await?;
        org_store::insert(&mut tx, std::slice::from_ref(org)).await?;
        write_events(&mut tx, org.id, event_first, events, reason).await?;
        if fields.records_from.is_some() {
            org_history::set_records_from(&mut tx, org.id, fields.records_from).await?;
        }
        let stored = org_store::get(&mut tx, &Scope::All, org.id)
            .await?
            .ok_or_else(|| AppError::NotFound("党组织".into()))?;
        facts::refresh(&mut tx, &app.rules, &[org.id], today).await?;
        record(
            &mut tx,
            actor,
            reason,
            &[Change {
                org_id: org.id,
                action: "Create",
                audit: AuditAction::OrgCreate,
                audit_org: &stored,
                before: None,
                after: Some(org),
            }],
            history,
        )
        .await?;
        tx.commit().await?;
        Ok(())
    })
    .await?;
    Ok(org.id)
}

/// Edits an org's own fields (not its place in the tree).
pub async fn edit(
    app: &App,
    grant: &Grant<Write>,
    org: &InScope<StoredOrg>,
    fields: &OrgFields,
    reason: &str,
) -> Result<()> {
    let actor = grant.actor();
    let reason = reason_text(reason)?;
    let stored: &StoredOrg = org;
    let id = stored.org.id;
    let today = app.today();
    let before = stored.org.clone();
    let mut after = before.clone();
    apply(&mut after, fields, today)?;
    if let Some(c) = blank(&fields.code).filter(|c| *c != before.code) {
        check_code(app, actor, &c, stored, &after).await?;
        after.code = c;
    }
    if after.kind != before.kind {
        let mut conn = app.store.acquire().await?;
        if let Some(p) = before.parent_id {
            if let Some(parent) = org_store::get(&mut conn, &Scope::All, p).await? {
                check_affiliation(parent.org.kind, after.kind)?;
            }
        }
        for child in org_store::children(&mut conn, &Scope::All, id).await? {
            if child.org.dissolved_on.is_none() {
                check_affiliation(after.kind, child.org.kind)?;
            }
        }
    }
    let records_from = {
        let mut conn = app.store.acquire().await?;
        org_history::of_orgs(&mut conn, &[id])
            .await?
            .remove(&id)
            .and_then(|h| h.records_from)
    };
    let events = form_events(&before, &after, fields, today);
    let records_changed = fields.records_from.is_some() && fields.records_from != records_from;
    if after == before && events.is_empty() && !records_changed {
        return Ok(());
    }
    let history = app.store.reserve_ids("history", 1).await?;
    let event_first = app
        .store
        .reserve_ids("org_event", events.len() as i64)
        .await?;
    let (before, after, stored, reason, events) = (&before, &after, &stored, &reason, &events);
    audit::with_retry(|| async move {
        let mut tx = app.store.begin().await?;
        org_store::update(&mut tx, after).await?;
        write_events(&mut tx, id, event_first, events, reason).await?;
        if records_changed {
            org_history::set_records_from(&mut tx, id, fields.records_from).await?;
        }
        facts::refresh(&mut tx, &app.rules, &[id], today).await?;
        record(
            &mut tx,
            actor,
            reason,
            &[Change {
                org_id: id,
                action: "Update",
                audit: AuditAction::OrgUpdate,
                audit_org: stored,
                before: Some(before),
                after: Some(after),
            }],
            history,
        )
        .await?;
        tx.commit().await?;
        Ok(())
    })
    .await
}

/// Re-affiliates an org (and its subtree) under a new parent in the actor's scope.
pub async fn move_org(
    app: &App,
    grant: &Grant<Write>,
    org: &InScope<StoredOrg>,
    new_parent: &InScope<StoredOrg>,
    reason: &str,
) -> Result<()> {
    let actor = grant.actor();
    let reason = reason_text(reason)?;
    let (stored, parent): (&StoredOrg, &StoredOrg) = (org, new_parent);
    let (id, new_parent) = (stored.org.id, parent.org.id);
    if actor.org_id == Some(id) {
        return Err(input(
            "不能调整本人所属党组织自身的隶属关系（请由上级办理）",
        ));
    }
    if parent.path.starts_with(&stored.path) {
        return Err(input("不能把党组织移到它自己或它的下级之下"));
    }
    if stored.org.parent_id == Some(new_parent) {
        return Err(input("新的上级与原上级相同"));
    }
    if parent.org.dissolved_on.is_some() {
        return Err(input("新的上级党组织已撤销"));
    }
    check_affiliation(parent.org.kind, stored.org.kind)?;
    let today = app.today();
    let before = stored.org.clone();
    let mut after = before.clone();
    after.parent_id = Some(new_parent);
    let history = app.store.reserve_ids("history", 1).await?;
    let mut touched = vec![id, new_parent];
    touched.extend(before.parent_id);
    let (before, after, stored, reason, touched) = (&before, &after, &stored, &reason, &touched);
    audit::with_retry(|| async move {
        let mut tx = app.store.begin().await?;
        org_store::move_subtree(&mut tx, id, new_parent).await?;
        facts::refresh(&mut tx, &app.rules, touched, today).await?;
        record(
            &mut tx,
            actor,
            reason,
            &[Change {
                org_id: id,
                action: "Move",
                audit: AuditAction::OrgMove,
                audit_org: stored,
                before: Some(before),
                after: Some(after),
            }],
            history,
        )
        .await?;
        tx.commit().await?;
        Ok(())
    })
    .await
}

/// Merges `from` into `into`: its children, members and units move to `into`, its
/// positions end, and `from` is dissolved (its records and history are kept).
pub async fn merge(
    app: &App,
    grant: &Grant<Write>,
    from: &InScope<StoredOrg>,
    into: &InScope<StoredOrg>,
    reason: &str,
) -> Result<()> {
    let actor = grant.actor();
    let reason = reason_text(reason)?;
    let (src, dst): (&StoredOrg, &StoredOrg) = (from, into);
    let (from, into) = (src.org.id, dst.org.id);
    if from == into {
        return Err(input("不能与自身合并"));
    }
    if actor.org_id == Some(from) {
        return Err(input("不能合并本人所属的党组织（请由上级办理）"));
    }
    if src.org.dissolved_on.is_some() || dst.org.dissolved_on.is_some() {
        return Err(input("已撤销的党组织不能合并"));
    }
    if dst.path.starts_with(&src.path) {
        return Err(input("不能并入自己的下级党组织"));
    }
    let today = app.today();
    let mut conn = app.store.acquire().await?;
    let kids = org_store::children(&mut conn, &Scope::All, from).await?;
    let held = jiceng_store::positions::of_orgs(&mut conn, &[from]).await?;
    drop(conn);
    for k in kids.iter().filter(|k| k.org.dissolved_on.is_none()) {
        check_affiliation(dst.org.kind, k.org.kind)?;
    }
    let before = src.org.clone();
    let mut after = before.clone();
    after.dissolved_on = Some(today);
    let history = app.store.reserve_ids("history", 2).await?;
    let merged_note = Org {
        name: format!("{}（并入{}）", before.name, dst.org.name),
        ..after.clone()
    };
    let mut touched = vec![from, into];
    touched.extend(before.parent_id);
    let (kids, held, src, dst, before, after, merged_note, reason, touched) = (
        &kids,
        &held,
        &src,
        &dst,
        &before,
        &after,
        &merged_note,
        &reason,
        &touched,
    );
    audit::with_retry(|| async move {
        let mut tx = app.store.begin().await?;
        for k in kids {
            org_store::move_subtree(&mut tx, k.org.id, into).await?;
        }
        browse_store::move_members_and_units(&mut tx, from, into, &dst.path).await?;
        for p in held.iter().filter(|p| p.ended_on.is_none()) {
            jiceng_store::positions::end(&mut tx, p.id, today).await?;
        }
        org_store::update(&mut tx, after).await?;
        facts::refresh(&mut tx, &app.rules, touched, today).await?;
        record(
            &mut tx,
            actor,
            reason,
            &[
                Change {
                    org_id: from,
                    action: "MergedInto",
                    audit: AuditAction::OrgMerge,
                    audit_org: src,
                    before: Some(before),
                    after: Some(after),
                },
                Change {
                    org_id: into,
                    action: "Merge",
                    audit: AuditAction::OrgMerge,
                    audit_org: dst,
                    before: None,
                    after: Some(merged_note),
                },
            ],
            history,
        )
        .await?;
        tx.commit().await?;
        Ok(())
    })
    .await
}

/// Dissolves an org that has no live children and no members left (move them first).
pub async fn dissolve(
    app: &App,
    grant: &Grant<Write>,
    org: &InScope<StoredOrg>,
    reason: &str,
) -> Result<()> {
    let actor = grant.actor();
    let reason = reason_text(reason)?;
    let stored: &StoredOrg = org;
    let id = stored.org.id;
    if actor.org_id == Some(id) {
        return Err(input("不能撤销本人所属的党组织（请由上级办理）"));
    }
    if stored.org.dissolved_on.is_some() {
        return Err(input("该党组织已撤销"));
    }
    let mut conn = app.store.acquire().await?;
    let live = browse_store::live_children(&mut conn, id).await?;
    drop(conn);
    if live > 0 {
        return Err(input(format!(
            "该党组织还有{live}个下级党组织，请先调整或撤销下级"
        )));
    }
    if stored.facts.direct_members > 0 {
        return Err(input(format!(
            "该党组织还有{}名党员，请先转移组织关系或并入其他党组织",
            stored.facts.direct_members
        )));
    }
    let today = app.today();
    let before = stored.org.clone();
    let mut after = before.clone();
    after.dissolved_on = Some(today);
    let history = app.store.reserve_ids("history", 1).await?;
    let (before, after, stored, reason) = (&before, &after, &stored, &reason);
    audit::with_retry(|| async move {
        let mut tx = app.store.begin().await?;
        org_store::update(&mut tx, after).await?;
        facts::refresh(&mut tx, &app.rules, &[id], today).await?;
        record(
            &mut tx,
            actor,
            reason,
            &[Change {
                org_id: id,
                action: "Dissolve",
                audit: AuditAction::OrgDissolve,
                audit_org: stored,
                before: Some(before),
                after: Some(after),
            }],
            history,
        )
        .await?;
        tx.commit().await?;
        Ok(())
    })
    .await
}

/// The dated facts a form edit states: a new election (换届) on its day, and a change of
/// the committee statement on `committee_on` (set up with no day: undated; none with no
/// day: from today). Nothing when the form repeats what is on record.
fn form_events(before: &Org, after: &Org, f: &OrgFields, today: NaiveDate) -> Vec<OrgEvent> {
    let mut out = Vec::new();
    if let Some(e) = f
        .last_election_on
        .filter(|e| before.last_election_on != Some(*e))
    {
        out.push(OrgEvent {
            kind: EventKind::Election,
            on: Some(e),
            until: None,
        });
    }
    if after.committee != before.committee {
        match after.committee {
            Some(true) => out.push(OrgEvent {
                kind: EventKind::CommitteeSet,
                on: f.committee_on,
                until: None,
            }),
            Some(false) => out.push(OrgEvent {
                kind: EventKind::CommitteeNone,
                on: Some(f.committee_on.unwrap_or(today)),
                until: None,
            }),
            // Back to unknown: the events stay (they were stated); the row says unknown
            // until somebody states it again.
            None => {}
        }
    }
    out
}

async fn write_events(
    tx: &mut jiceng_store::Conn,
    org_id: i64,
    first: i64,
    events: &[OrgEvent],
    note: &str,
) -> Result<()> {
    for (k, e) in events.iter().enumerate() {
        org_history::record(tx, first + k as i64, org_id, e, Some(note)).await?;
    }
    Ok(())
}

/// A dated fact recorded by hand from the org page, the API or the CLI.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct EventInput {
    /// An `EventKind` code: election, committee_set, committee_none, term_postponed,
    /// secretary_vacant.
    pub kind: String,
    /// The day it happened (for term_postponed: the day of the approval).
    pub on: NaiveDate,
    /// For term_postponed: the day the postponed term ends.
    #[serde(default)]
    pub until: Option<NaiveDate>,
}

/// Records a dated fact of an org (an election, the committee set up or dissolved, an
/// approved postponement of the 换届, a secretary vacancy with no predecessor on record),
/// with its reason in the org's history and an audit entry, the org row kept in step and
/// the facts refreshed, in one transaction.
pub async fn record_event(
    app: &App,
    grant: &Grant<Write>,
    org: &InScope<StoredOrg>,
    event: &EventInput,
    reason: &str,
) -> Result<()> {
    let actor = grant.actor();
    let reason = reason_text(reason)?;
    let stored: &StoredOrg = org;
    let id = stored.org.id;
    if stored.org.dissolved_on.is_some() {
        return Err(input("该党组织已撤销"));
    }
    let today = app.today();
    let kind = EventKind::from_code(&event.kind)
        .or_else(|| EventKind::ALL.into_iter().find(|k| k.label() == event.kind))
        .ok_or_else(|| input(format!("无法识别的事项：{}", event.kind)))?;
    if event.on > today {
        return Err(input(format!("日期晚于今天：{}", event.on)));
    }
    if let Some(f) = stored.org.founded_on.filter(|f| event.on < *f) {
        return Err(input(format!("日期{}早于成立日期{f}", event.on)));
    }
    let mut conn = app.store.acquire().await?;
    let history = org_history::of_orgs(&mut conn, &[id])
        .await?
        .remove(&id)
        .unwrap_or_default();
    drop(conn);
    let until = match kind {
        EventKind::TermPostponed => {
            let until = event.until.ok_or_else(|| input("请填写延期至的日期"))?;
            let rules = app.rules.in_force(event.on);
            let facts = OrgFacts {
                org_id: id,
                code: stored.org.code.clone(),
                name: stored.org.name.clone(),
                kind: stored.org.kind,
                domain: stored.org.domain,
                parent_kind: None,
                founded_on: stored.org.founded_on,
                last_election_on: None,
                committee: None,
                direct_members: 0,
                direct_full: 0,
                subtree_members: 0,
                subtree_full: 0,
                units_covered: 0,
                secretary: SecretaryState::Unknown,
                term_years: None,
                postponed_until: None,
                temporary: stored.org.temporary,
                approved: false,
            }
            .dated(
                &OrgHistory {
                    events: history
                        .events
                        .iter()
                        .filter(|e| e.kind != EventKind::TermPostponed)
                        .cloned()
                        .collect(),
                    ..history.clone()
                },
                event.on,
            );
            let term = match term_on(&facts, rules, event.on) {
                Ok(Some(t)) => t,
                Ok(None) => return Err(input("该党组织不实行任期制，无需延期换届")),
                Err(_) => return Err(input("换届时间未登记，请先登记最近一次换届选举的日期")),
            };
            let max_months =
                u32::try_from(rules.terms.postponement_max_years.max(0) * 12).unwrap_or(0);
            let limit = term
                .ends_on
                .checked_add_months(chrono::Months::new(max_months))
                .unwrap_or(term.ends_on);
            if until <= term.ends_on {
                return Err(input(format!(
                    "延期至{until}不晚于本届届满日期{}",
                    term.ends_on
                )));
            }
            if until > limit {
                return Err(input(format!(
                    "延期一般不超过{}年：本届{}届满，最迟延期至{limit}",
                    rules.terms.postponement_max_years, term.ends_on
                )));
            }
            Some(until)
        }
        EventKind::SecretaryVacant => {
            if history.secretary_on(event.on).in_office() {
                return Err(input(
                    "该日有书记在任：请在党员页面结束其书记职务（离任日期即空缺起始日）",
                ));
            }
            None
        }
        _ => None,
    };
    let e = OrgEvent {
        kind,
        on: Some(event.on),
        until,
    };
    let history_id = app.store.reserve_ids("history", 1).await?;
    let event_id = app.store.reserve_ids("org_event", 1).await?;
    let (e, stored, reason) = (&e, &stored, &reason);
    audit::with_retry(|| async move {
        let mut tx = app.store.begin().await?;
        org_history::record(&mut tx, event_id, id, e, Some(reason)).await?;
        facts::refresh(&mut tx, &app.rules, &[id], today).await?;
        let after = org_store::get(&mut tx, &Scope::All, id)
            .await?
            .ok_or_else(|| AppError::NotFound("党组织".into()))?;
        let entry = HistoryEntry {
            org_id: id,
            actor: actor.username.clone(),
            action: "Event".into(),
            reason: Some(format!(
                "{}（{}{}）：{reason}",
                e.kind.label(),
                event.on,
                e.until.map(|u| format!("，延期至{u}")).unwrap_or_default()
            )),
            before: None,
            after: Some(serde_json::to_string(e).expect("serializable")),
        };
        org_store::record_history(&mut tx, history_id, std::slice::from_ref(&entry)).await?;
        audit::record(
            &mut tx,
            actor,
            AuditAction::OrgUpdate,
            &format!("org:{id}"),
            Some(stored),
            Some(json(&stored.org)),
            Some(serde_json::json!({
                "event": e,
                "org": json(&after.org),
                "reason": reason,
            })),
        )
        .await?;
        tx.commit().await?;
        Ok(())
    })
    .await
}
