//! Writing a recruitment ledger (发展党员工作台账) read by `import::recruitment`: each row's
//! person matched by the ID number's keyed hash, the steps not yet recorded added, the
//! derived facts judged again, and the roster row of a person the higher committee
//! approved (⑰) made as `record_step` makes it — unless the roster already holds them
//! (imported first): then the applicant is linked to that member, left as it is.
//! Everything in one transaction with the stored facts and the `Import` audit entry.

use std::collections::{HashMap, HashSet};

use chrono::NaiveDate;
use jiceng_domain::recruitment::{Place, Progress, Sponsor, StepKind, StepRecord};
use jiceng_domain::MemberStatus;
use jiceng_store::members::{self as member_store, StoredMember};
use jiceng_store::recruitment::{self as store, StoredApplicant, StoredStep};
use jiceng_store::{Conn, Scope};

use super::{derived, progress, ways};
use crate::import::{ImportOptions, ImportReport, RowError};
use crate::{App, OrgRecord, Result};

/// One ledger row, checked: the person (id 0) and the steps its dates give.
#[derive(Debug, Clone)]
pub(crate) struct LedgerPerson {
    pub row: usize,
    pub person: StoredApplicant,
    pub steps: Vec<StepRecord>,
    /// The file's column title of each step's date (parallel to `steps`).
    pub columns: Vec<String>,
    /// 入党介绍人 by name, looked up on the roster into the ⑨ step.
    pub sponsors: Vec<String>,
}

/// Looks the named sponsors up among the current members of `scope`: one of that name in
/// the person's branch, else one in the scope, is on the roster (full from the day they
/// became full); none or several is a name not on the roster (not a violation).
pub(crate) async fn find_sponsors(
    app: &App,
    scope: &Scope,
    people: &mut [LedgerPerson],
) -> Result<()> {
    let names: HashSet<String> = people.iter().flat_map(|p| p.sponsors.clone()).collect();
    if names.is_empty() {
        return Ok(());
    }
    let mut found: HashMap<String, Vec<StoredMember>> = HashMap::new();
    let mut conn = app.store.acquire().await?;
    member_store::for_each_in_scope(&mut conn, scope, |m| {
        if names.contains(&m.name) {
            found.entry(m.name.clone()).or_default().push(m.clone());
        }
    })
    .await?;
    drop(conn);
    for p in people.iter_mut() {
        let Some(step) = p
            .steps
            .iter_mut()
            .find(|s| s.kind == StepKind::SponsorsNamed)
        else {
            continue;
        };
        let on = step.on;
        step.sponsors = p
            .sponsors
            .iter()
            .map(|name| sponsor(found.get(name), name, p.person.org_id, on))
            .collect();
    }
    Ok(())
}

fn sponsor(of_name: Option<&Vec<StoredMember>>, name: &str, org_id: i64, on: NaiveDate) -> Sponsor {
    let all = of_name.map(Vec::as_slice).unwrap_or_default();
    let here: Vec<&StoredMember> = all.iter().filter(|m| m.org_id == org_id).collect();
    let one = match (here.as_slice(), all) {
        ([m], _) => Some(*m),
        ([], [m]) => Some(m),
        _ => None,
    };
    match one {
        Some(m) => super::record::sponsor_of(m, on),
        None => Sponsor {
            member_id: None,
            name: name.to_string(),
            full_on: None,
            on_roster: false,
        },
    }
}

/// The time rules the row's dates break, judged today: notes of the import (the row is
/// imported; the past happened).
pub(crate) fn violations(app: &App, p: &LedgerPerson) -> Vec<RowError> {
    let judged = progress(app, &p.person, &p.steps, app.today());
    judged
        .violations
        .iter()
        .map(|v| RowError {
            row: p.row,
            column: p
                .steps
                .iter()
                .position(|s| s.kind == v.step && s.on == v.on)
                .map(|i| p.columns[i].clone())
                .unwrap_or_default(),
            message: format!(
                "违反时限规定（{}）：{}",
                crate::reports::recruitment::rule_label(v.rule),
                v.detail
            ),
            name: None,
        })
        .collect()
}

/// What the write does, planned before the transaction.
#[derive(Default)]
struct Plan {
    inserts: Vec<StoredApplicant>,
    updates: Vec<StoredApplicant>,
    steps: Vec<StoredStep>,
    members: Vec<StoredMember>,
    /// Members made full (㉔ added for a person already on the roster): id, full_on.
    confirm: Vec<(i64, NaiveDate)>,
    touched: Vec<i64>,
}

/// Matches, plans and writes the valid rows; counts them in `report`.
pub(crate) async fn write(
    app: &App,
    opts: &ImportOptions,
    (scope, scope_org): (&Scope, Option<&OrgRecord>),
    people: Vec<LedgerPerson>,
    report: &mut ImportReport,
) -> Result<()> {
    let hashes: Vec<String> = people.iter().map(|p| p.person.id_hash.clone()).collect();
    let mut conn = app.store.acquire().await?;
    let known: HashMap<String, StoredApplicant> = store::by_id_hashes(&mut conn, &hashes)
        .await?
        .into_iter()
        .map(|a| (a.id_hash.clone(), a))
        .collect();
    let on_roster: HashMap<String, StoredMember> = member_store::by_id_hashes(&mut conn, &hashes)
        .await?
        .into_iter()
        .map(|m| (m.id_hash.clone(), m))
        .collect();
    let ids: Vec<i64> = known.values().map(|a| a.id).collect();
    let mut recorded = ways(&mut conn, &ids).await?;
    drop(conn);
    let mut plan = Plan::default();
    let mut ids = Ids::reserve(app, &people, &known).await?;
    let by = opts.actor.username().to_string();
    for p in people {
        let old = known.get(&p.person.id_hash);
        let member = on_roster.get(&p.person.id_hash);
        let outside = old.is_some_and(|a| !scope.contains(&a.org_path))
            || member.is_some_and(|m| !scope.contains(&m.org_path));
        if outside {
            report.referred.push(RowError {
                row: p.row,
                column: String::new(),
                message: "未导入：该人员的记录不在本次导入范围内，请联系上级党组织".into(),
                name: None,
            });
            continue;
        }
        if old.is_none()
            && member.is_some()
            && !p.steps.iter().any(|s| s.kind == StepKind::Approved)
        {
            report.notes.push(RowError {
                row: p.row,
                column: String::new(),
                message: "该身份证号已在党员名册中，本行未作为入党申请人导入".into(),
                name: None,
            });
            continue;
        }
        let before: Vec<StepRecord> = old
            .and_then(|a| recorded.remove(&a.id))
            .unwrap_or_default()
            .into_iter()
            .map(|(_, r)| r)
            .collect();
        let ctx = (app, &mut ids, by.as_str());
        plan_person(ctx, &mut plan, p, (old, member, before), report);
    }
    commit(app, opts, scope_org, plan, report).await
}

/// The steps of `ledger` not yet in `before`; a key step recorded on another day is kept
/// as recorded (a note says so).
fn new_steps(
    p: &LedgerPerson,
    before: &[StepRecord],
    notes: &mut Vec<RowError>,
) -> Vec<StepRecord> {
    let mut out = Vec::new();
    for (s, col) in p.steps.iter().zip(&p.columns) {
        if before.iter().any(|b| b.kind == s.kind && b.on == s.on) {
            continue;
        }
        let once = s.kind.place() != Place::Repeated;
        if let Some(b) = before.iter().find(|b| once && b.kind == s.kind) {
            notes.push(RowError {
                row: p.row,
                column: col.clone(),
                message: format!(
                    "「{}」已记录为 {}，台账为 {}，未更改",
                    s.kind.title(),
                    b.on,
                    s.on
                ),
                name: None,
            });
            continue;
        }
        out.push(s.clone());
    }
    out
}

fn plan_person(
    (app, ids, by): (&App, &mut Ids, &str),
    plan: &mut Plan,
    p: LedgerPerson,
    (old, member, before): (
        Option<&StoredApplicant>,
        Option<&StoredMember>,
        Vec<StepRecord>,
    ),
    report: &mut ImportReport,
) {
    let added = new_steps(&p, &before, &mut report.notes);
    if old.is_some() && added.is_empty() {
        report.unchanged += 1;
        return;
    }
    let mut a = match old {
        Some(a) => a.clone(),
        None => {
            let mut a = p.person.clone();
            a.id = take(&mut ids.applicant);
            a
        }
    };
    let mut all = before;
    all.extend(added.iter().cloned());
    let judged = progress(app, &a, &all, app.today());
    a.derived = derived(&judged, &all);
    let now = app.now().to_rfc3339();
    for s in &added {
        plan.steps.push(StoredStep {
            id: take(&mut ids.step),
            applicant_id: a.id,
            step: s.kind.number(),
            on: s.on,
            detail: serde_json::to_string(s).expect("a step serialises"),
            recorded_by: by.to_string(),
            recorded_at: now.clone(),
        });
    }
    roster(plan, ids, &mut a, member, (&judged, &all, &added));
    plan.touched.push(a.org_id);
    match old {
        Some(_) => plan.updates.push(a),
        None => plan.inserts.push(a),
    }
}

/// The roster's side of a person: linked to the member already on it, or given the row
/// `record_step` would have made at ⑰ (full from the probation's end after ㉔); a member
/// made before and confirmed by the ledger becomes full.
fn roster(
    plan: &mut Plan,
    ids: &mut Ids,
    a: &mut StoredApplicant,
    member: Option<&StoredMember>,
    (judged, all, added): (&Progress, &[StepRecord], &[StepRecord]),
) {
    let confirmed = judged.confirmed_on.and(judged.probation_ends);
    match (a.member_id, member, judged.admitted_on) {
        (None, Some(m), Some(_)) => a.member_id = Some(m.id),
        (None, None, Some(_)) => {
            let id = take(&mut ids.member);
            a.member_id = Some(id);
            plan.members
                .extend(super::record::admitted_member(a, id, all, judged));
        }
        (Some(id), _, _) if added.iter().any(|s| s.kind == StepKind::Confirmed) => {
            if let Some(f) = confirmed {
                plan.confirm.push((id, f));
            }
        }
        _ => {}
    }
}

/// Ids reserved in blocks for a whole write, enough for every row (some may go unused).
struct Ids {
    applicant: i64,
    step: i64,
    member: i64,
}

impl Ids {
    async fn reserve(
        app: &App,
        people: &[LedgerPerson],
        known: &HashMap<String, StoredApplicant>,
    ) -> Result<Ids> {
        let new = people
            .iter()
            .filter(|p| !known.contains_key(&p.person.id_hash))
            .count();
        let steps: usize = people.iter().map(|p| p.steps.len()).sum();
        let approved = people
            .iter()
            .filter(|p| p.steps.iter().any(|s| s.kind == StepKind::Approved))
            .count();
        Ok(Ids {
            applicant: app.store.reserve_ids("applicant", new as i64).await?,
            step: app
                .store
                .reserve_ids("recruitment_step", steps as i64)
                .await?,
            member: app.store.reserve_ids("member", approved as i64).await?,
        })
    }
}

/// The next id of a block.
fn take(next: &mut i64) -> i64 {
    *next += 1;
    *next - 1
}

/// How many rows name a person (applicant or member) recorded outside `scope`: counted
/// by a check for the audit entry, never told to the importer.
pub(crate) async fn outside(app: &App, scope: &Scope, people: &[LedgerPerson]) -> Result<usize> {
    let hashes: Vec<String> = people.iter().map(|p| p.person.id_hash.clone()).collect();
    let mut conn = app.store.acquire().await?;
    let mut paths: HashMap<String, String> = store::by_id_hashes(&mut conn, &hashes)
        .await?
        .into_iter()
        .map(|a| (a.id_hash, a.org_path))
        .collect();
    for m in member_store::by_id_hashes(&mut conn, &hashes).await? {
        paths.entry(m.id_hash).or_insert(m.org_path);
    }
    Ok(paths.values().filter(|p| !scope.contains(p)).count())
}

/// Makes a probationary member full from `full_on` (㉔ recorded by a ledger).
async fn confirm(conn: &mut Conn, id: i64, full_on: NaiveDate) -> Result<()> {
    if let Some(mut m) = member_store::get(conn, &Scope::All, id).await? {
        if m.status == MemberStatus::Probationary {
            m.status = MemberStatus::Full;
            m.full_on = Some(full_on);
            member_store::update(conn, &m).await?;
        }
    }
    Ok(())
}

async fn commit(
    app: &App,
    opts: &ImportOptions,
    scope_org: Option<&OrgRecord>,
    mut plan: Plan,
    report: &mut ImportReport,
) -> Result<()> {
    plan.touched.sort_unstable();
    plan.touched.dedup();
    let written = plan.inserts.len() + plan.updates.len();
    let (plan, summary) = (&plan, &*report);
    crate::audit::with_retry(|| async move {
        let mut tx = app.store.begin().await?;
        crate::privacy::ensure_key(&mut tx, &app.crypto).await?;
        store::insert(&mut tx, &plan.inserts).await?;
        for a in &plan.updates {
            store::update(&mut tx, a).await?;
        }
        store::insert_steps(&mut tx, &plan.steps).await?;
        member_store::insert(&mut tx, &plan.members).await?;
        for (id, on) in &plan.confirm {
            confirm(&mut tx, *id, *on).await?;
        }
        jiceng_store::facts::refresh(&mut tx, &app.rules, &plan.touched, app.today()).await?;
        crate::import::record_import(
            &mut tx,
            app,
            opts,
            "recruitment",
            summary,
            written,
            scope_org,
        )
        .await?;
        tx.commit().await?;
        Ok(())
    })
    .await?;
    report.written = written;
    Ok(())
}
