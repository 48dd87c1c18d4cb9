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
    pub branches: usize,
    pub compliant: usize,
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
        report.noncompliant.push(NonCompliant {
            org: me,
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
    let by_child = child_counts(&j, &root.path);
    report.levels = children
        .iter()
        .filter_map(|c| {
            let (b, ok, _) = by_child.get(&c.org.id).copied()?;
            Some(Level {
                org: OrgRef::of(&c.org),
                branches: b,
                compliant: ok,
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

/// Recomputes the stored summaries (`compliance_summary`) of every org above the
/// branches of the subtree of `root` (the whole tree when `None`) for each period. Run
/// by `jiceng refresh` and, in a server, every few minutes: the higher levels' figures
/// are as fresh as the last run (each row says when). Returns the rows written.
pub async fn refresh_summaries(
    app: &App,
    root: Option<&InScope<OrgRecord>>,
    periods: &[Period],
) -> Result<usize> {
    let scope = root.map_or(Scope::All, |r| r.subtree());
    let mut written = 0;
    let as_of = app.today();
    for period in periods {
        let j = judge_subtree(app, &scope, *period, as_of).await?;
        let computed_at = app.now().format("%Y-%m-%dT%H:%M:%SZ").to_string();
        let mut sums: BTreeMap<&str, Summary> = BTreeMap::new();
        let branch_paths: std::collections::HashSet<&str> = j
            .verdicts
            .iter()
            .filter(|v| v.1.judged())
            .map(|(i, _, _)| j.orgs[*i].path.as_str())
            .collect();
        for (i, c, [meetings, expected, present, qf]) in j.verdicts.iter().filter(|v| v.1.judged())
        {
            let own = j.orgs[*i].path.as_str();
            for a in ancestor_paths(own).into_iter().chain([own]) {
                if !scope.contains(a) {
                    continue;
                }
                let s = sums.entry(a).or_insert_with(|| Summary {
                    org_id: path::ids(a).last().copied().unwrap_or_default(),
                    org_path: a.to_string(),
                    period: *period,
                    branches: 0,
                    compliant: 0,
                    held_nothing: 0,
                    meetings: 0,
                    expected: 0,
                    present: 0,
                    quorum_failed: 0,
                    computed_at: computed_at.clone(),
                    judged_through: judged_through(*period, as_of),
                });
                s.branches += 1;
                s.compliant += c.compliant() as i64;
                s.held_nothing += c.held_nothing() as i64;
                s.meetings += meetings;
                s.expected += expected;
                s.present += present;
                s.quorum_failed += qf;
            }
        }
        // A branch's own row is kept only when other branches sit below it; the rest are
        // judged live on a page (cheap) and would make the table as long as the tree.
        let rows: Vec<Summary> = sums
            .into_values()
            .filter(|s| s.branches > 1 || !branch_paths.contains(s.org_path.as_str()))
            .collect();
        written += rows.len();
        let (rows, scope) = (&rows, &scope);
        crate::audit::with_retry(|| async move {
            let mut tx = app.store.begin().await?;
            meeting_store::replace_summaries(&mut tx, scope, *period, rows).await?;
            tx.commit().await?;
            Ok(())
        })
        .await?;
    }
    Ok(written)
}

/// The branches an org may have below it for its figures to be judged live on a page;
/// above this, the stored summaries are read.
pub const LIVE_MAX_BRANCHES: i64 = 2_000;

/// One org's compliance figures on a page.
#[derive(Debug, Clone, Serialize)]
pub struct OverviewRow {
    pub org: OrgRef,
    pub org_id: i64,
    pub branches: i64,
    pub compliant: i64,
    pub held_nothing: i64,
    pub rate: Option<f64>,
}

/// The compliance of an org and of each of its direct children (the drill-down page):
/// judged live for a township-sized subtree, read from the stored summaries above that.
#[derive(Debug, Clone, Serialize)]
pub struct Overview {
    pub org: OverviewRow,
    pub period: Period,
    /// The judging day and what the figures count (closed spans only).
    pub as_of: NaiveDate,
    pub judged_through: Option<NaiveDate>,
    pub judged_note: String,
    /// "live" (judged now from the branches' facts) or "summary" (stored by a refresh).
    pub source: &'static str,
    /// When the stored summary was computed (UTC); `None` when live.
    pub computed_at: Option<String>,
    pub children: Vec<OverviewRow>,
}

pub async fn overview(app: &App, org: &InScope<OrgRecord>, period: Period) -> Result<Overview> {
    overview_with_limit(app, org, period, LIVE_MAX_BRANCHES).await
}

/// `overview` with the size above which stored summaries are read (tests, tuning).
pub async fn overview_with_limit(
    app: &App,
    org: &InScope<OrgRecord>,
    period: Period,
    live_max_branches: i64,
) -> Result<Overview> {
    let as_of = app.today();
    let mut conn = app.store.acquire().await?;
    let children = org_store::children(&mut conn, &org.subtree(), org.org.id).await?;
    let stored = meeting_store::summaries(&mut conn, period, &[org.org.id]).await?;
    let row = |o: &jiceng_domain::Org, b: i64, ok: i64, none: i64| OverviewRow {
        org: OrgRef::of(o),
        org_id: o.id,
        branches: b,
        compliant: ok,
        held_nothing: none,
        rate: rate(ok as usize, b as usize),
    };
    // Large subtrees read the stored summaries. A period none of whose obligations has
    // closed yet (a running month) has no summary rows at all: its size is then told by
    // the subtree's stored org count (orgs ≥ branches), so a province's page never judges
    // its branches live just because the month is young.
    let large = match stored.first() {
        Some(s) => s.branches > live_max_branches,
        None => facts_store::totals(&mut conn, org.org.id)
            .await?
            .is_some_and(|t| t.orgs > live_max_branches),
    };
    let nothing_closed = || Summary {
        org_id: org.org.id,
        org_path: org.path.clone(),
        period,
        branches: 0,
        compliant: 0,
        held_nothing: 0,
        meetings: 0,
        expected: 0,
        present: 0,
        quorum_failed: 0,
        computed_at: app.now().format("%Y-%m-%dT%H:%M:%SZ").to_string(),
        judged_through: judged_through(period, as_of),
    };
    if large {
        let top = stored.first().cloned().unwrap_or_else(nothing_closed);
        let ids: Vec<i64> = children.iter().map(|c| c.org.id).collect();
        let below: HashMap<i64, Summary> = meeting_store::summaries(&mut conn, period, &ids)
            .await?
            .into_iter()
            .map(|s| (s.org_id, s))
            .collect();
        drop(conn);
        let mut rows = Vec::new();
        for c in &children {
            if let Some(s) = below.get(&c.org.id) {
                rows.push(row(&c.org, s.branches, s.compliant, s.held_nothing));
            } else if c.org.kind == jiceng_domain::OrgKind::Branch {
                // A branch straight under a large org: judged live (its subtree is small).
                let j = judge_subtree(app, &Scope::subtree(&c.path), period, as_of).await?;
                let ok = j.verdicts.iter().filter(|v| v.1.compliant()).count() as i64;
                let none = j.verdicts.iter().filter(|v| v.1.held_nothing()).count() as i64;
                let judged = j.verdicts.iter().filter(|v| v.1.judged()).count() as i64;
                if judged > 0 {
                    rows.push(row(&c.org, judged, ok, none));
                }
            }
        }
        return Ok(Overview {
            org: row(&org.org, top.branches, top.compliant, top.held_nothing),
            period,
            // The summary was judged on the day it was computed.
            as_of,
            judged_through: top.judged_through,
            judged_note: judged_note(period, as_of),
            source: "summary",
            computed_at: Some(top.computed_at.clone()),
            children: rows,
        });
    }
    drop(conn);
    let j = judge_subtree(app, &Scope::subtree(&org.path), period, as_of).await?;
    let ok = j.verdicts.iter().filter(|v| v.1.compliant()).count() as i64;
    let none = j.verdicts.iter().filter(|v| v.1.held_nothing()).count() as i64;
    let judged = j.verdicts.iter().filter(|v| v.1.judged()).count() as i64;
    let by_child = child_counts(&j, &org.path);
    Ok(Overview {
        org: row(&org.org, judged, ok, none),
        period,
        as_of,
        judged_through: judged_through(period, as_of),
        judged_note: judged_note(period, as_of),
        source: "live",
        computed_at: None,
        children: children
            .iter()
            .filter_map(|c| {
                let (b, ok, none) = by_child.get(&c.org.id).copied()?;
                Some(row(&c.org, b as i64, ok as i64, none as i64))
            })
            .collect(),
    })
}

fn rate(ok: usize, of: usize) -> Option<f64> {
    round4((of > 0).then(|| ok as f64 / of as f64))
}

fn label(kind: &str) -> &'static str {
    MeetingKind::from_code(kind)
        .map(|k| k.label())
        .unwrap_or("")
}

impl ComplianceReport {
    pub fn to_sheets(&self) -> Vec<Sheet> {
        let pct = |v: Option<f64>| v.map(OutCell::Percent).unwrap_or(OutCell::Empty);
        let mut summary = vec![vec![
            OutCell::Text(self.org.code.clone()),
            OutCell::Text(self.org.name.clone()),
            OutCell::Int(self.branches as i64),
            OutCell::Int(self.compliant as i64),
            pct(self.rate),
        ]];
        for l in &self.levels {
            summary.push(vec![
                OutCell::Text(l.org.code.clone()),
                OutCell::Text(l.org.name.clone()),
                OutCell::Int(l.branches as i64),
                OutCell::Int(l.compliant as i64),
                pct(l.rate),
            ]);
        }
        let mut missing = Vec::new();
        for n in &self.noncompliant {
            for m in &n.missing {
                missing.push(vec![
                    OutCell::Text(n.org.code.clone()),
                    OutCell::Text(n.org.name.clone()),
                    OutCell::Text(label(m.kind).into()),
                    OutCell::Text(m.group.as_ref().map(|g| g.name.clone()).unwrap_or_default()),
                    OutCell::Int(m.due),
                    OutCell::Int(m.held),
                ]);
            }
        }
        let period = self.period.label();
        vec![
            Sheet {
                name: "汇总".into(),
                title: format!(
                    "{} {}组织生活开展情况（应开展支部{}个，达标{}个；参会率{}）",
                    self.org.name,
                    period,
                    self.branches,
                    self.compliant,
                    self.attendance
                        .rate
                        .map(|r| format!("{:.1}%", r * 100.0))
                        .unwrap_or_else(|| "—".into())
                ),
                headers: vec![
                    "组织代码".into(),
                    "党组织".into(),
                    "应开展支部数".into(),
                    "达标支部数".into(),
                    "达标率".into(),
                ],
                rows: summary,
            },
            Sheet {
                name: "未达标明细".into(),
                title: format!(
                    "{} {}组织生活未达标明细（{}个支部）",
                    self.org.name,
                    period,
                    self.noncompliant.len()
                ),
                headers: vec![
                    "组织代码".into(),
                    "党支部".into(),
                    "缺项".into(),
                    "党小组".into(),
                    "应开展次数".into(),
                    "已开展次数".into(),
                ],
                rows: missing,
            },
            Sheet {
                name: "未开展组织生活".into(),
                title: format!(
                    "{} {}未开展任何组织生活的支部（{}个）",
                    self.org.name,
                    period,
                    self.held_nothing.len()
                ),
                headers: vec!["组织代码".into(), "党支部".into()],
                rows: self
                    .held_nothing
                    .iter()
                    .map(|o| vec![OutCell::Text(o.code.clone()), OutCell::Text(o.name.clone())])
                    .collect(),
            },
        ]
    }
}
