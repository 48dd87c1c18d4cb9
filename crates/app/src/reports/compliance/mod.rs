//! The compliance report of organizational life (SPEC C4): for every branch in a subtree
//! and a period (month, quarter, year) whether it complied, each shortfall with how many
//! were due and held, the branches that held nothing, and the rates at the root and at
//! each of its direct children.
//!
//! Read from stored facts only: the subtree's branches and groups (`org`, by path range)
//! and the monthly facts (`compliance_month`, one indexed read per month). The rules of
//! judging are in `jiceng_domain::compliance`.

use crate::access::InScope;
use crate::OrgRecord;
use std::collections::{BTreeMap, HashMap};

use chrono::NaiveDate;
use jiceng_domain::compliance::{judge, judged_through, Compliance, Tally};
use jiceng_domain::compliance::{NoData, State};
use jiceng_domain::{path, MeetingKind, Period};
use jiceng_io::{OutCell, Sheet};
use jiceng_store::facts as facts_store;
use jiceng_store::meetings::{self as meeting_store, LifeOrg, Summary};
use jiceng_store::orgs as org_store;
use jiceng_store::Scope;
use serde::Serialize;

use super::{round4, OrgRef};

use crate::meetings::{branch_facts, branch_histories};
use crate::{App, Result};

mod sheets;
mod summaries;
mod touched;

pub use summaries::*;
pub use touched::*;

#[derive(Debug, Clone, Serialize)]
pub struct ComplianceReport {
    pub org: OrgRef,
    pub period: Period,
    /// The judging day: spans whose last day has not passed on it are open (待办).
    pub as_of: NaiveDate,
    /// The figures count the spans closed by this day (截至…已结束的周期); `None`: no
    /// span of the period has closed yet, so nothing is judged.
    pub judged_through: Option<NaiveDate>,
    /// "截至2026年7月4日已结束的周期" or "本期尚无已结束的周期".
    pub judged_note: String,
    /// Branches with a closed obligation in the period.
    pub branches: usize,
    pub compliant: usize,
    /// compliant / branches, four decimals; `null` when no branch owed anything.
    pub rate: Option<f64>,
    /// What is still due (待办) in spans not yet over, by branch.
    pub pending: Vec<Pending>,
    /// Branches with obligations that cannot be judged (暂无数据), and why.
    pub no_data: Vec<NoDataRow>,
    /// 临时党支部 in the subtree: not judged as standing branches.
    pub temporary: Vec<OrgRef>,
    pub noncompliant: Vec<NonCompliant>,
    /// Branches that held no meeting of any kind in the period (they are also in
    /// `noncompliant`).
    pub held_nothing: Vec<OrgRef>,
    /// The root's direct children that hold branches, each with its subtree's figures.
    pub levels: Vec<Level>,
    /// Attendance over all meetings of the subtree's branches and groups in the period.
    pub attendance: Attendance,
    /// General meetings that voted without a quorum.
    pub quorum_failed: i64,
    /// For each span and kind, how many branches (or groups) owed it and how many met it
    /// (the month × kind calendar).
    pub calendar: Vec<CalendarCell>,
}

#[derive(Debug, Clone, Serialize)]
pub struct Pending {
    pub org: OrgRef,
    pub items: Vec<PendingItem>,
}

#[derive(Debug, Clone, Serialize)]
pub struct PendingItem {
    pub kind: &'static str,
    pub span: Period,
    pub due: i64,
    pub held: i64,
    /// The last day it can be met.
    pub due_by: NaiveDate,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub group: Option<OrgRef>,
}

#[derive(Debug, Clone, Serialize)]
pub struct NoDataRow {
    pub org: OrgRef,
    /// 暂无数据 and why, e.g. "台账未录入", "是否设立支委会未登记（支部委员会会议）".
    pub reasons: Vec<String>,
}

#[derive(Debug, Clone, Serialize)]
pub struct NonCompliant {
    pub org: OrgRef,
    /// The org above the branch (所属乡镇/上级党组织), when it lies in the report's subtree.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub parent: Option<OrgRef>,
    pub missing: Vec<Missing>,
}

#[derive(Debug, Clone, Serialize)]
pub struct Missing {
    /// GLOSSARY name, e.g. "GeneralMeeting".
    pub kind: &'static str,
    /// Due over the period (summed over its spans).
    pub due: i64,
    /// Held and credited: within each span at most the number due.
    pub held: i64,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub group: Option<OrgRef>,
}

#[derive(Debug, Clone, Serialize)]
pub struct Level {
    pub org: OrgRef,
    /// The child's id (a page's drill-down links by it).
    #[serde(skip)]
    pub org_id: i64,
    pub branches: usize,
    pub compliant: usize,
    /// Branches that held nothing in the period.
    #[serde(skip)]
    pub held_nothing: usize,
    pub rate: Option<f64>,
}

#[derive(Debug, Clone, Default, Serialize)]
pub struct Attendance {
    pub meetings: i64,
    pub expected: i64,
    pub present: i64,
    pub rate: Option<f64>,
    pub masses_present: i64,
}

#[derive(Debug, Clone, Serialize)]
pub struct CalendarCell {
    pub span: Period,
    pub kind: &'static str,
    /// Branches (or groups) owing it in a closed span, and those that met it.
    pub due: i64,
    pub met: i64,
    /// Owing it in a span still running (待办, not yet judged).
    pub open: i64,
    /// Owing it where it cannot be judged (暂无数据).
    pub no_data: i64,
}

/// Every judged branch of a subtree with its verdict, and the period's sums.
struct Judged {
    orgs: Vec<LifeOrg>,
    /// Index into `orgs`, verdict, and the branch's (meetings, expected, present,
    /// failed quorums) in the period: every branch with anything to say (judged, open
    /// or without data); `Compliance::judged` tells those the figures count.
    verdicts: Vec<(usize, Compliance, [i64; 4])>,
    /// Index into `orgs` of the 临时党支部.
    temporary: Vec<usize>,
    attendance: Attendance,
    quorum_failed: i64,
}

/// The months whose facts judging `period` reads: its own, and for a year the months of
/// the next year within the 所属年度 window (sessions held then for it).
fn months_read(app: &App, period: Period) -> Vec<Period> {
    let mut months = period.months();
    if let Period::Year(y) = period {
        let end = app
            .rules
            .in_force(period.last_day())
            .meetings
            .prior_year_window_end(y);
        months.extend(
            Period::Year(y + 1)
                .months()
                .into_iter()
                .filter(|m| m.first_day() <= end),
        );
    }
    months
}

/// Judges every branch of `scope` over `period` on `as_of` from the stored facts.
async fn judge_subtree(
    app: &App,
    scope: &Scope,
    period: Period,
    as_of: NaiveDate,
) -> Result<Judged> {
    let mut conn = app.store.acquire().await?;
    let orgs = meeting_store::branches_and_groups(&mut conn, scope).await?;
    let histories = branch_histories(&mut conn, &orgs).await?;
    let rows = meeting_store::month_facts(&mut conn, scope, &months_read(app, period)).await?;
    drop(conn);
    let mut tallies: HashMap<i64, (Tally, [i64; 4])> = HashMap::new();
    let mut attendance = Attendance::default();
    let mut quorum_failed = 0;
    for r in &rows {
        let (t, sums) = tallies.entry(r.branch_id).or_default();
        t.add_month(r.year, r.month, &r.tally);
        if !period.contains(Period::Month(r.year, r.month).first_day()) {
            // A month after the year, read only for sessions held for it.
            continue;
        }
        sums[0] += r.meetings;
        sums[1] += r.expected;
        sums[2] += r.present;
        sums[3] += r.quorum_failed;
        attendance.meetings += r.meetings;
        attendance.expected += r.expected;
        attendance.present += r.present;
        attendance.masses_present += r.masses_present;
        quorum_failed += r.quorum_failed;
    }
    attendance.rate = round4(jiceng_domain::meeting::attendance_rate(
        attendance.expected,
        attendance.present,
    ));
    let empty = (Tally::default(), [0; 4]);
    let mut temporary = Vec::new();
    let verdicts = branch_facts(&orgs, &histories)
        .into_iter()
        .filter_map(|(i, facts)| {
            let (tally, sums) = tallies.get(&facts.branch_id).unwrap_or(&empty);
            let c = judge(&facts, tally, period, &app.rules, as_of);
            if c.temporary {
                temporary.push(i);
            }
            (!c.obligations.is_empty()).then_some((i, c, *sums))
        })
        .collect();
    Ok(Judged {
        orgs,
        verdicts,
        temporary,
        attendance,
        quorum_failed,
    })
}

/// "截至…已结束的周期": what the figures of `period` on `as_of` count.
pub fn judged_note(period: Period, as_of: NaiveDate) -> String {
    match judged_through(period, as_of) {
        None => "本期尚无已结束的周期，未作考核（均为待办）".to_string(),
        Some(d) if d == period.last_day() => format!(
            "截至{}已结束的周期（本期已结束）",
            d.format("%Y年%-m月%-d日")
        ),
        Some(d) => format!(
            "截至{}已结束的周期，未结束的列为待办",
            d.format("%Y年%-m月%-d日")
        ),
    }
}

/// The report for the subtree of `root` (resolved in the actor's scope), judged today.
pub async fn run(app: &App, root: &InScope<OrgRecord>, period: Period) -> Result<ComplianceReport> {
    run_on(app, root, period, app.today()).await
}

/// The report judged on `as_of` (`--as-of`): spans whose last day has not passed then
/// are open (待办), never shortfalls.
pub async fn run_on(
    app: &App,
    root: &InScope<OrgRecord>,
    period: Period,
    as_of: NaiveDate,
) -> Result<ComplianceReport> {
    let scope = root.subtree();
    let j = judge_subtree(app, &scope, period, as_of).await?;
    let mut conn = app.store.acquire().await?;
    let children = org_store::children(&mut conn, &scope, root.org.id).await?;
    drop(conn);
    let by_id: HashMap<i64, &LifeOrg> = j.orgs.iter().map(|o| (o.id, o)).collect();
    let name = |o: &LifeOrg| OrgRef {
        code: o.code.clone(),
        name: o.name.clone(),
    };
    let mut report = ComplianceReport {
        org: OrgRef::of(&root.org),
        period,
        as_of,
        judged_through: judged_through(period, as_of),
        judged_note: judged_note(period, as_of),
        branches: j.verdicts.iter().filter(|v| v.1.judged()).count(),
        compliant: 0,
        rate: None,
        pending: vec![],
        no_data: vec![],
        temporary: j.temporary.iter().map(|i| name(&j.orgs[*i])).collect(),
        noncompliant: vec![],
        held_nothing: vec![],
        levels: vec![],
        attendance: j.attendance.clone(),
        quorum_failed: j.quorum_failed,
        calendar: vec![],
    };
    let mut calendar: BTreeMap<(Period, MeetingKind), [i64; 4]> = BTreeMap::new();
    // The org above each branch not compliant, read once for all of them.
    let mut parent_ids: Vec<Option<i64>> = Vec::new();
    let group_ref = |g: Option<i64>| g.and_then(|g| by_id.get(&g).map(|g| name(g)));
    for (i, c, _) in &j.verdicts {
        let o = &j.orgs[*i];
        for ob in &c.obligations {
            let cell = calendar.entry((ob.span, ob.kind)).or_default();
            match ob.state {
                State::Closed => {
                    cell[0] += 1;
                    cell[1] += ob.met() as i64;
                }
                State::Open => cell[2] += 1,
                State::NoData(_) => cell[3] += 1,
            }
        }
        let me = name(o);
        let items: Vec<PendingItem> = c
            .open()
            .map(|ob| PendingItem {
                kind: ob.kind.code(),
                span: ob.span,
                due: ob.due,
                held: ob.held,
                due_by: ob.due_by,
                group: group_ref(ob.group),
            })
            .collect();
        if !items.is_empty() {
            report.pending.push(Pending {
                org: me.clone(),
                items,
            });
        }
        let mut reasons: Vec<String> = Vec::new();
        for (ob, why) in c.no_data() {
            let r = if why == NoData::CommitteeUnknown {
                format!("{}（{}）", why.label(), ob.kind.label())
            } else {
                why.label().to_string()
            };
            if !reasons.contains(&r) {
                reasons.push(r);
            }
        }
        if !reasons.is_empty() {
            report.no_data.push(NoDataRow {
                org: me.clone(),
                reasons,
            });
        }
        if !c.judged() {
            continue;
        }
        if c.compliant() {
            report.compliant += 1;
            continue;
        }
        if c.held_nothing() {
            report.held_nothing.push(me.clone());
        }
        parent_ids.push(o.parent_id);
        report.noncompliant.push(NonCompliant {
            org: me,
            parent: None,
            missing: c
                .missing()
                .into_iter()
                .map(|s| Missing {
                    kind: s.kind.code(),
                    due: s.due,
                    held: s.held,
                    group: group_ref(s.group),
                })
                .collect(),
        });
    }
    report.rate = rate(report.compliant, report.branches);
    let mut wanted: Vec<i64> = parent_ids.iter().flatten().copied().collect();
    wanted.sort_unstable();
    wanted.dedup();
    let mut conn = app.store.acquire().await?;
    let parents: HashMap<i64, OrgRef> = org_store::by_ids(&mut conn, &wanted)
        .await?
        .into_iter()
        .filter(|p| root.subtree().contains(&p.path))
        .map(|p| (p.org.id, OrgRef::of(&p.org)))
        .collect();
    drop(conn);
    for (n, p) in report.noncompliant.iter_mut().zip(&parent_ids) {
        n.parent = p.and_then(|p| parents.get(&p).cloned());
    }
    let by_child = child_counts(&j, &root.path);
    report.levels = children
        .iter()
        .filter_map(|c| {
            let (b, ok, none) = by_child.get(&c.org.id).copied()?;
            Some(Level {
                org: OrgRef::of(&c.org),
                org_id: c.org.id,
                branches: b,
                compliant: ok,
                held_nothing: none,
                rate: rate(ok, b),
            })
        })
        .collect();
    report.calendar = calendar
        .into_iter()
        .map(|((span, kind), [due, met, open, no_data])| CalendarCell {
            span,
            kind: kind.code(),
            due,
            met,
            open,
            no_data,
        })
        .collect();
    Ok(report)
}

/// Judged branches, compliant ones and ones that held nothing, by the direct child of
/// `root_path` each lies under.
fn child_counts(j: &Judged, root_path: &str) -> HashMap<i64, (usize, usize, usize)> {
    let depth = path::depth(root_path);
    let mut out: HashMap<i64, (usize, usize, usize)> = HashMap::new();
    for (i, c, _) in j.verdicts.iter().filter(|v| v.1.judged()) {
        if let Some(child) = path::ids(&j.orgs[*i].path).get(depth) {
            let e = out.entry(*child).or_default();
            e.0 += 1;
            e.1 += c.compliant() as usize;
            e.2 += c.held_nothing() as usize;
        }
    }
    out
}

/// The paths of a node's ancestors, root first (not the node itself).
fn ancestor_paths(p: &str) -> Vec<&str> {
    p.char_indices()
        .filter(|(_, ch)| *ch == '/')
        .map(|(i, _)| &p[..=i])
        .filter(|a| a.len() > 1 && a.len() < p.len())
        .collect()
}

fn rate(ok: usize, of: usize) -> Option<f64> {
    round4((of > 0).then(|| ok as f64 / of as f64))
}

fn label(kind: &str) -> &'static str {
    MeetingKind::from_code(kind)
        .map(|k| k.label())
        .unwrap_or("")
}
