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

mod events;
mod tree;

pub use events::*;
pub use tree::*;

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

use crate::input;

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

/// One org written: what its history and the audit log say of it.
struct Change<'a> {
    org: &'a StoredOrg,
    action: &'static str,
    audit: AuditAction,
    before: Option<&'a Org>,
    after: Option<&'a Org>,
}

impl<'a> Change<'a> {
    /// A change of a stored org from `before` to `after`.
    fn edit(
        org: &'a StoredOrg,
        action: &'static str,
        audit: AuditAction,
        before: &'a Org,
        after: &'a Org,
    ) -> Self {
        Change {
            org,
            action,
            audit,
            before: Some(before),
            after: Some(after),
        }
    }

    /// A new org (or a note on one) as `after`.
    fn new(org: &'a StoredOrg, action: &'static str, audit: AuditAction, after: &'a Org) -> Self {
        Change {
            org,
            action,
            audit,
            before: None,
            after: Some(after),
        }
    }
}

/// Writes a change of the tree in one transaction, run again as a whole on a conflict:
/// `rows` (the rows written), then the facts of `touched` refreshed, then the history and
/// audit entries of `changes` (every writer takes the org locks before the log's head),
/// then the commit.
async fn write<F, Fut>(
    app: &App,
    actor: &Actor,
    reason: &str,
    touched: &[i64],
    changes: &[Change<'_>],
    rows: F,
) -> Result<()>
where
    F: Fn(jiceng_store::Tx<'static>) -> Fut,
    Fut: std::future::Future<Output = Result<jiceng_store::Tx<'static>>>,
{
    let history = app
        .store
        .reserve_ids("history", changes.len() as i64)
        .await?;
    let today = app.today();
    let rows = &rows;
    audit::with_retry(|| async move {
        let mut tx = rows(app.store.begin().await?).await?;
        facts::refresh(&mut tx, &app.rules, touched, today).await?;
        commit(tx, actor, reason, changes, history).await
    })
    .await
}

/// Writes the history entries and audit entries of a change as the transaction's last
/// writes, and commits it.
async fn commit(
    mut tx: jiceng_store::Tx<'_>,
    actor: &Actor,
    reason: &str,
    changes: &[Change<'_>],
    first_history: i64,
) -> Result<()> {
    let entries: Vec<HistoryEntry> = changes
        .iter()
        .map(|c| HistoryEntry {
            org_id: c.org.org.id,
            actor: actor.username.clone(),
            action: c.action.into(),
            reason: Some(reason.to_string()),
            before: c.before.map(|o| json(o).to_string()),
            after: c.after.map(|o| json(o).to_string()),
        })
        .collect();
    org_store::record_history(&mut tx, first_history, &entries).await?;
    for c in changes {
        let mut after = c.after.map(json);
        if let Some(serde_json::Value::Object(m)) = after.as_mut() {
            m.insert("reason".into(), serde_json::Value::String(reason.into()));
        }
        audit::Entry::new(actor, c.audit, format!("org:{}", c.org.org.id))
            .org(c.org)
            .before(c.before.map(json))
            .after(after)
            .record(&mut tx, chrono::Utc::now())
            .await?;
    }
    tx.commit().await?;
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

/// The dated facts a form edit states: a new election (换届) on its day, and a change of
/// the committee statement on `committee_on` (set up with no day: undated; none with no
/// day: from today). Nothing when the form repeats what is on record.
fn form_events(before: &Org, after: &Org, f: &OrgFields, today: NaiveDate) -> Vec<OrgEvent> {
    let election = f
        .last_election_on
        .filter(|e| before.last_election_on != Some(*e));
    // Back to unknown (`None`): the events stay (they were stated); the row says unknown
    // until somebody states it again.
    let committee = after
        .committee
        .filter(|_| after.committee != before.committee);
    stated_events(election, committee, f.committee_on, today)
}

/// The dated facts a statement makes: an election (换届) on its day, and a committee set
/// up on `committee_on` (undated when not given) or stated absent from `committee_on`
/// (from today when not given).
pub(crate) fn stated_events(
    election: Option<NaiveDate>,
    committee: Option<bool>,
    committee_on: Option<NaiveDate>,
    today: NaiveDate,
) -> Vec<OrgEvent> {
    let event = |kind: EventKind, on: Option<NaiveDate>| OrgEvent {
        kind,
        on,
        until: None,
    };
    let mut out: Vec<OrgEvent> = election
        .map(|e| event(EventKind::Election, Some(e)))
        .into_iter()
        .collect();
    match committee {
        Some(true) => out.push(event(EventKind::CommitteeSet, committee_on)),
        Some(false) => out.push(event(
            EventKind::CommitteeNone,
            Some(committee_on.unwrap_or(today)),
        )),
        None => {}
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
