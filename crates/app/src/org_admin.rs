//! Writes to the org tree from the forms and the API: create, edit, move (re-affiliate),
//! merge and dissolve. Each checks the actor's scope and the structure rules, records the
//! reason in the org's history and an audit entry, and refreshes the derived facts — all
//! in one transaction. A dissolved org keeps its records.

use chrono::NaiveDate;
use jiceng_domain::{Domain, Org, OrgKind, RegionCode};
use jiceng_store::orgs::{self as org_store, HistoryEntry, StoredOrg};
use jiceng_store::{browse as browse_store, facts, Scope};
use serde::{Deserialize, Serialize};

use crate::access::Actor;
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
    #[serde(default)]
    pub has_committee: bool,
    #[serde(default)]
    pub approving_org: Option<String>,
    /// The org's code; assigned when left empty on create.
    #[serde(default)]
    pub code: Option<String>,
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
            has_committee: o.has_committee,
            approving_org: o.approving_org.clone(),
            code: Some(o.code.clone()),
        }
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
    org.founded_on = f.founded_on;
    org.last_election_on = f.last_election_on;
    org.has_committee = f.has_committee;
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

fn can_write(actor: &Actor) -> Result<()> {
    if !actor.role.can_write() || actor.role == crate::access::Role::Member {
        return Err(AppError::Forbidden);
    }
    Ok(())
}

async fn get_in_scope(app: &App, actor: &Actor, id: i64) -> Result<StoredOrg> {
    let mut conn = app.store.acquire().await?;
    org_store::get(&mut conn, &actor.scope, id)
        .await?
        .ok_or_else(|| AppError::NotFound("党组织".into()))
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
    actor: &Actor,
    parent_id: i64,
    fields: &OrgFields,
    reason: &str,
) -> Result<i64> {
    can_write(actor)?;
    let reason = reason_text(reason)?;
    let parent = get_in_scope(app, actor, parent_id).await?;
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
        has_committee: false,
        approving_org: None,
        dissolved_on: None,
    };
    apply(&mut org, fields, today)?;
    check_affiliation(parent.org.kind, org.kind)?;
    let code = blank(&fields.code);
    if let Some(c) = &code {
        check_code(app, actor, c, &parent, &org).await?;
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
    let (org, reason) = (&org, &reason);
    audit::with_retry(|| async move {
        let mut tx = app.store.begin().await?;
        org_store::insert(&mut tx, std::slice::from_ref(org)).await?;
        let stored = org_store::get(&mut tx, &Scope::All, org.id)
            .await?
            .ok_or_else(|| AppError::NotFound("党组织".into()))?;
        facts::refresh(&mut tx, &[org.id], today).await?;
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
    actor: &Actor,
    id: i64,
    fields: &OrgFields,
    reason: &str,
) -> Result<()> {
    can_write(actor)?;
    let reason = reason_text(reason)?;
    let stored = get_in_scope(app, actor, id).await?;
    let today = app.today();
    let before = stored.org.clone();
    let mut after = before.clone();
    apply(&mut after, fields, today)?;
    if let Some(c) = blank(&fields.code).filter(|c| *c != before.code) {
        check_code(app, actor, &c, &stored, &after).await?;
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
    if after == before {
        return Ok(());
    }
    let history = app.store.reserve_ids("history", 1).await?;
    let (before, after, stored, reason) = (&before, &after, &stored, &reason);
    audit::with_retry(|| async move {
        let mut tx = app.store.begin().await?;
        org_store::update(&mut tx, after).await?;
        facts::refresh(&mut tx, &[id], today).await?;
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
    actor: &Actor,
    id: i64,
    new_parent: i64,
    reason: &str,
) -> Result<()> {
    can_write(actor)?;
    let reason = reason_text(reason)?;
    let stored = get_in_scope(app, actor, id).await?;
    let parent = get_in_scope(app, actor, new_parent).await?;
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
        facts::refresh(&mut tx, touched, today).await?;
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
pub async fn merge(app: &App, actor: &Actor, from: i64, into: i64, reason: &str) -> Result<()> {
    can_write(actor)?;
    let reason = reason_text(reason)?;
    if from == into {
        return Err(input("不能与自身合并"));
    }
    let src = get_in_scope(app, actor, from).await?;
    let dst = get_in_scope(app, actor, into).await?;
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
        facts::refresh(&mut tx, touched, today).await?;
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
pub async fn dissolve(app: &App, actor: &Actor, id: i64, reason: &str) -> Result<()> {
    can_write(actor)?;
    let reason = reason_text(reason)?;
    let stored = get_in_scope(app, actor, id).await?;
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
        facts::refresh(&mut tx, &[id], today).await?;
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
