//! Weak organizations (软弱涣散, SPEC C5): the organization department's decisions on
//! suspected weaknesses (confirm or dismiss, with a reason, audited; a confirmation opens
//! the org's rectification case), and the records the signals read where nothing else
//! records them: signals reported by hand (乱 above all), discipline cases and funding.
//!
//! The weak-org report itself is `reports::weak`.

use chrono::NaiveDate;
use jiceng_domain::rating as dr;
use jiceng_domain::rectification::Case;
use jiceng_domain::weakness::{diagnose, Signal, SignalState};
use jiceng_domain::{Decision, Domain, WeaknessKind};
use jiceng_store::rectification::{self as rect_store, Event, StoredCase};
/// What a funding record is of (the command line and the pages name it).
pub use jiceng_store::weak::FundingKind;
use jiceng_store::weak::{
    self as weak_store, DisciplineCase, FundingRecord, ManualSignalRecord, SignalNote,
    StoredWeakness,
};
use jiceng_store::Scope;
use serde::Serialize;

use crate::access::{self, Actor, Grant, InScope};
use crate::audit::{self, AuditAction};
use crate::rating::{check_year, note, OneOrg, Purpose};
use crate::reports::OrgRef;
use crate::{App, AppError, OrgRecord, Result};

mod records;

pub use records::*;

use crate::input;

fn required(s: &str, what: &str) -> Result<String> {
    let t = s.trim();
    if t.chars().count() < 2 {
        return Err(input(format!("请填写{what}")));
    }
    let len = t.chars().count();
    if len > jiceng_domain::text::NOTE.max {
        return Err(input(jiceng_domain::text::too_long(
            what,
            len,
            jiceng_domain::text::NOTE.max,
        )));
    }
    Ok(t.to_string())
}

/// A signal as the report shows it: the rule's code and the evidence (with its source for
/// a manual report).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct SignalItem {
    pub rule: &'static str,
    pub evidence: String,
}

impl SignalItem {
    pub fn of(n: &SignalNote) -> SignalItem {
        SignalItem {
            rule: n.rule.code(),
            evidence: match &n.source {
                Some(s) => format!("{}（来源：{s}）", n.evidence),
                None => n.evidence.clone(),
            },
        }
    }
}

/// The signals of one org and year as diagnosed now (every rule, those without data
/// included), with the org.
pub(crate) async fn signals_of(
    app: &App,
    target: &OrgRecord,
    year: i32,
) -> Result<(NaiveDate, Vec<Signal>)> {
    let one = OneOrg::read(app, target, year, Purpose::Diagnosis).await?;
    Ok((one.as_of, diagnose(&one.facts, one.set(), &app.rules)))
}

/// What a decision left.
#[derive(Debug, Clone, Serialize)]
pub struct Decided {
    pub org: OrgRef,
    pub year: i32,
    pub kind: &'static str,
    pub status: &'static str,
    pub signals: Vec<SignalItem>,
    /// A confirmation opened the org's rectification case for the year.
    pub case_opened: bool,
}

/// Confirms a suspected weakness (确定): the org's rectification case for the year is
/// opened (or the kind added to it). Needs [`access::DecideWeakness`]; a reason is
/// required; audited.
pub async fn confirm(
    app: &App,
    grant: &Grant<access::DecideWeakness>,
    org: &InScope<OrgRecord>,
    year: i32,
    kind: WeaknessKind,
    reason: &str,
) -> Result<Decided> {
    decide(
        app,
        grant.actor(),
        org,
        year,
        kind,
        Decision::Confirmed,
        reason,
    )
    .await
}

/// Dismisses a suspected weakness (排除) with a reason; audited.
pub async fn dismiss(
    app: &App,
    grant: &Grant<access::DecideWeakness>,
    org: &InScope<OrgRecord>,
    year: i32,
    kind: WeaknessKind,
    reason: &str,
) -> Result<Decided> {
    decide(
        app,
        grant.actor(),
        org,
        year,
        kind,
        Decision::Dismissed,
        reason,
    )
    .await
}

async fn decide(
    app: &App,
    actor: &Actor,
    target: &OrgRecord,
    year: i32,
    kind: WeaknessKind,
    decision: Decision,
    reason: &str,
) -> Result<Decided> {
    check_year(app, year)?;
    let reason = required(reason, "理由")?;
    let mut state = OrgState::read(app, target, year).await?;
    let planned = state.plan(app, target, kind, decision, &reason).await?;
    let decided = planned.decided(target);
    write_decisions(app, actor, &[(target, planned)]).await?;
    Ok(decided)
}

/// At most this many weaknesses are decided in one batch (each reads its org's records).
pub const BATCH_MAX: usize = 100;

/// Decides several suspected weaknesses of orgs in `root`'s subtree at once with one shared
/// reason (批量确定 / 批量排除: a county department works through a township's list):
/// every pick is checked first and then all are stored in one transaction, one audit entry
/// each — nothing is stored if any pick is refused (the error names its org and kind).
/// Picks of one org are decided in turn (the first confirmation opens the case, the next
/// adds its kind).
pub async fn decide_many(
    app: &App,
    grant: &Grant<access::DecideWeakness>,
    root: &InScope<OrgRecord>,
    year: i32,
    picks: &[(i64, WeaknessKind)],
    decision: Decision,
    reason: &str,
) -> Result<Vec<Decided>> {
    check_year(app, year)?;
    if !matches!(decision, Decision::Confirmed | Decision::Dismissed) {
        return Err(input("处理方式只能是确定或排除"));
    }
    if picks.is_empty() {
        return Err(input("请先勾选要处理的问题"));
    }
    if picks.len() > BATCH_MAX {
        return Err(input(format!(
            "一次最多处理{BATCH_MAX}条，已勾选{}条",
            picks.len()
        )));
    }
    let reason = required(reason, "理由")?;
    let actor = grant.actor();
    // The orgs in the order first picked, each with its kinds.
    let mut orgs: Vec<(i64, Vec<WeaknessKind>)> = Vec::new();
    for &(id, kind) in picks {
        match orgs.iter_mut().find(|(o, _)| *o == id) {
            Some((_, kinds)) if !kinds.contains(&kind) => kinds.push(kind),
            Some(_) => {}
            None => orgs.push((id, vec![kind])),
        }
    }
    let mut targets = Vec::with_capacity(orgs.len());
    for (id, _) in &orgs {
        let t = access::resolve(app, actor, &access::OrgKey::Id(*id)).await?;
        if !t.path.starts_with(root.path.as_str()) {
            return Err(AppError::NotFound("党组织".into()));
        }
        targets.push(t.into_inner());
    }
    let mut planned = Vec::with_capacity(picks.len());
    for ((_, kinds), target) in orgs.iter().zip(&targets) {
        let mut state = OrgState::read(app, target, year).await?;
        for &kind in kinds {
            let p = state
                .plan(app, target, kind, decision, &reason)
                .await
                .map_err(|e| match e {
                    AppError::Input(m) => input(format!("{}：{m}", target.org.name)),
                    other => other,
                })?;
            planned.push((target, p));
        }
    }
    let decided = planned.iter().map(|(t, p)| p.decided(t)).collect();
    write_decisions(app, actor, &planned).await?;
    Ok(decided)
}

/// What one org's decisions start from: its signals as diagnosed now, its stored decisions
/// and its rectification case of the year (kept up to date as decisions are planned).
struct OrgState {
    year: i32,
    as_of: NaiveDate,
    signals: Vec<Signal>,
    stored: Vec<StoredWeakness>,
    case: Option<StoredCase>,
}

/// One decision ready to store: the row, the row it replaces, the case change with its
/// timeline summary and step.
struct Planned {
    row: StoredWeakness,
    before: Option<StoredWeakness>,
    change: Option<(StoredCase, String, &'static str)>,
    case_opened: bool,
}

impl Planned {
    fn decided(&self, target: &OrgRecord) -> Decided {
        Decided {
            org: OrgRef::of(&target.org),
            year: self.row.year,
            kind: self.row.kind.code(),
            status: self.row.status.code(),
            signals: self.row.signals.iter().map(SignalItem::of).collect(),
            case_opened: self.case_opened,
        }
    }
}

impl OrgState {
    async fn read(app: &App, target: &OrgRecord, year: i32) -> Result<OrgState> {
        let (as_of, signals) = signals_of(app, target, year).await?;
        let mut conn = app.store.acquire().await?;
        let stored = weak_store::of_org(&mut conn, target.org.id, year).await?;
        let case = rect_store::get(&mut conn, &Scope::All, target.org.id, year).await?;
        Ok(OrgState {
            year,
            as_of,
            signals,
            stored,
            case,
        })
    }

    /// Plans one decision and keeps the state in step with it.
    async fn plan(
        &mut self,
        app: &App,
        target: &OrgRecord,
        kind: WeaknessKind,
        decision: Decision,
        reason: &str,
    ) -> Result<Planned> {
        let year = self.year;
        let fired: Vec<SignalNote> = self
            .signals
            .iter()
            .filter(|s| s.kind == kind && s.state == SignalState::Fired)
            .map(note)
            .collect();
        let before = self.stored.iter().find(|w| w.kind == kind).cloned();
        let evidence = if !fired.is_empty() {
            fired
        } else {
            before
                .as_ref()
                .map(|b| b.signals.clone())
                .unwrap_or_default()
        };
        if evidence.is_empty() {
            return Err(input(match decision {
                Decision::Confirmed => format!(
                    "{}在{year}年没有“{}”的问题信号；如经核实确有此问题，请先录入问题线索（jiceng weak signal）",
                    target.org.name,
                    kind.label()
                ),
                _ => format!(
                    "{}在{year}年没有疑似“{}”的问题，无需排除",
                    target.org.name,
                    kind.label()
                ),
            }));
        }
        let row = StoredWeakness {
            org_id: target.org.id,
            year,
            kind,
            org_path: target.path.clone(),
            status: decision,
            signals: evidence,
            diagnosed_on: self.as_of,
            decided_by: None,
            decided_at: Some(app.now().format("%Y-%m-%dT%H:%M:%SZ").to_string()),
            reason: Some(reason.to_string()),
        };
        // The case: opened by the first confirmation, kinds kept in step with decisions.
        let (change, case_opened) = case_change(
            app,
            target,
            year,
            kind,
            decision,
            reason,
            self.case.as_ref(),
            &self.stored,
        )
        .await?;
        self.stored.retain(|w| w.kind != kind);
        self.stored.push(row.clone());
        if let Some((c, _, _)) = &change {
            self.case = Some(c.clone());
        }
        Ok(Planned {
            row,
            before,
            change,
            case_opened,
        })
    }
}

/// Stores decisions, the case changes they make (with their timeline entries) and one
/// audit entry each, in one transaction.
async fn write_decisions(
    app: &App,
    actor: &Actor,
    planned: &[(&OrgRecord, Planned)],
) -> Result<()> {
    let today = app.today();
    let changes = planned.iter().filter(|(_, p)| p.change.is_some()).count();
    let first_event = match changes {
        0 => 0,
        n => {
            app.store
                .reserve_ids("rectification_event", n as i64)
                .await?
        }
    };
    let mut rows = Vec::with_capacity(planned.len());
    let mut next_event = first_event;
    for (target, p) in planned {
        let mut row = p.row.clone();
        row.decided_by = Some(actor.username.clone());
        let event = p.change.as_ref().map(|(c, summary, step)| {
            next_event += 1;
            Event {
                id: next_event - 1,
                case_id: c.id,
                org_path: c.org_path.clone(),
                on: today,
                step: step.to_string(),
                from: c.case.stage,
                to: c.case.stage,
                summary: summary.clone(),
                actor: actor.username.clone(),
            }
        });
        let (kind, decision, year) = (row.kind, row.status, row.year);
        let reason = row.reason.clone().unwrap_or_default();
        let before_json = p.before.as_ref().map(|b| {
            serde_json::json!({ "kind": kind.code(), "status": b.status.code(), "reason": b.reason })
        });
        let after_json =
            serde_json::json!({ "kind": kind.code(), "status": decision.code(), "reason": reason });
        let action = match decision {
            Decision::Confirmed => AuditAction::WeaknessConfirm,
            _ => AuditAction::WeaknessDismiss,
        };
        let entry = audit::Entry::new(
            actor,
            action,
            format!("{} {year}年度“{}”", target.org.name, kind.label()),
        )
        .org(*target)
        .before(before_json)
        .after(after_json);
        rows.push((row, p.change.as_ref().map(|(c, _, _)| c), event, entry));
    }
    let (rows, now) = (&rows, app.now());
    audit::with_retry(|| async move {
        let mut tx = app.store.begin().await?;
        for (row, case, event, _) in rows {
            weak_store::upsert(&mut tx, row).await?;
            if let (Some(c), Some(e)) = (case, event) {
                rect_store::save(&mut tx, c).await?;
                rect_store::add_event(&mut tx, e).await?;
            }
        }
        for (_, _, _, entry) in rows {
            entry.record(&mut tx, now).await?;
        }
        tx.commit().await?;
        Ok(())
    })
    .await
}

/// The change a decision makes to the org's rectification case of the year, with its
/// timeline summary and step: the first confirmation opens it (`true`), a further
/// confirmation adds the kind, a dismissal removes it.
#[allow(clippy::too_many_arguments)]
async fn case_change(
    app: &App,
    target: &OrgRecord,
    year: i32,
    kind: WeaknessKind,
    decision: Decision,
    reason: &str,
    case: Option<&StoredCase>,
    stored: &[StoredWeakness],
) -> Result<(Option<(StoredCase, String, &'static str)>, bool)> {
    let today = app.today();
    let mut case_change: Option<(StoredCase, String, &'static str)> = None;
    let mut case_opened = false;
    match (case, decision) {
        (None, Decision::Confirmed) => {
            let mut kinds: Vec<WeaknessKind> = stored
                .iter()
                .filter(|w| w.status == Decision::Confirmed && w.kind != kind)
                .map(|w| w.kind)
                .collect();
            kinds.push(kind);
            kinds.sort();
            let id = app.store.reserve_ids("rectification", 1).await?;
            let labels: Vec<&str> = kinds.iter().map(|k| k.label()).collect();
            case_change = Some((
                StoredCase {
                    id,
                    org_id: target.org.id,
                    year,
                    org_path: target.path.clone(),
                    case: Case::open(kinds, today),
                },
                format!("确定软弱涣散问题：{}。理由：{reason}", labels.join("、")),
                "open",
            ));
            case_opened = true;
        }
        (Some(c), Decision::Confirmed) if !c.case.kinds.contains(&kind) => {
            let mut c = c.clone();
            c.case.kinds.push(kind);
            c.case.kinds.sort();
            c.case.last_activity_on = today;
            case_change = Some((
                c,
                format!("新增确定问题：{}。理由：{reason}", kind.label()),
                "add_kind",
            ));
        }
        (Some(c), Decision::Dismissed) if c.case.kinds.contains(&kind) => {
            let mut c = c.clone();
            c.case.kinds.retain(|k| *k != kind);
            c.case.last_activity_on = today;
            case_change = Some((
                c,
                format!("排除问题：{}。理由：{reason}", kind.label()),
                "remove_kind",
            ));
        }
        _ => {}
    }
    Ok((case_change, case_opened))
}

/// Every signal of one org and year as diagnosed now, those without data included (the
/// org's diagnosis page).
#[derive(Debug, Clone, Serialize)]
pub struct Diagnosis {
    pub org: OrgRef,
    pub year: i32,
    pub as_of: NaiveDate,
    pub signals: Vec<SignalRow>,
    /// The stored decisions of the year.
    pub decisions: Vec<DecisionRow>,
    /// The stage of the year's rectification case, if one is open.
    pub rectification: Option<&'static str>,
}

#[derive(Debug, Clone, Serialize)]
pub struct SignalRow {
    pub kind: &'static str,
    pub rule: &'static str,
    /// fired, clear, no_data or not_applicable.
    pub state: SignalState,
    pub evidence: String,
}

#[derive(Debug, Clone, Serialize)]
pub struct DecisionRow {
    pub kind: &'static str,
    pub status: &'static str,
    pub decided_by: Option<String>,
    pub reason: Option<String>,
}

/// The diagnosis of one org (resolved in the actor's scope) for `year`.
pub async fn diagnosis(app: &App, target: &InScope<OrgRecord>, year: i32) -> Result<Diagnosis> {
    check_year(app, year)?;
    let (as_of, signals) = signals_of(app, target, year).await?;
    let mut conn = app.store.acquire().await?;
    let stored = weak_store::of_org(&mut conn, target.org.id, year).await?;
    let case = rect_store::get(&mut conn, &target.subtree(), target.org.id, year).await?;
    Ok(Diagnosis {
        org: OrgRef::of(&target.org),
        year,
        as_of,
        signals: signals
            .iter()
            .map(|s| SignalRow {
                kind: s.kind.code(),
                rule: s.rule.code(),
                state: s.state,
                evidence: match &s.source {
                    Some(src) => format!("{}（来源：{src}）", s.evidence),
                    None => s.evidence.clone(),
                },
            })
            .collect(),
        decisions: stored
            .iter()
            .filter(|w| w.status != Decision::Suspected)
            .map(|w| DecisionRow {
                kind: w.kind.code(),
                status: w.status.code(),
                decided_by: w.decided_by.clone(),
                reason: w.reason.clone(),
            })
            .collect(),
        rectification: case.map(|c| c.case.stage.code()),
    })
}
