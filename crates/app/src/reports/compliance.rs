//! The compliance report of organizational life (SPEC C4): for every branch in a subtree
//! and a period (month, quarter, year) whether it complied, each shortfall with how many
//! were due and held, the branches that held nothing, and the rates at the root and at
//! each of its direct children.
//!
//! Read from stored facts only: the subtree's branches and groups (`org`, by path range)
//! and the monthly facts (`compliance_month`, one indexed read per month). The rules of
//! judging are in `jiceng_domain::compliance`.

use std::collections::{BTreeMap, HashMap};

use jiceng_domain::compliance::{judge, Tally};
use jiceng_domain::{path, MeetingKind, Period};
use jiceng_io::{OutCell, Sheet};
use jiceng_store::meetings as meeting_store;
use jiceng_store::orgs as org_store;
use jiceng_store::Scope;
use serde::Serialize;

use super::{round4, OrgRef};
use crate::access::{Actor, Role};
use crate::meetings::branch_facts;
use crate::{App, AppError, Result};

#[derive(Debug, Clone, Serialize)]
pub struct ComplianceReport {
    pub org: OrgRef,
    pub period: Period,
    /// Branches that owed anything in the period.
    pub branches: usize,
    pub compliant: usize,
    /// compliant / branches, four decimals; `null` when no branch owed anything.
    pub rate: Option<f64>,
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
    pub due: i64,
    pub met: i64,
}

/// The report for the subtree of `root` (code or unique name, in the actor's scope).
pub async fn run(app: &App, actor: &Actor, root: &str, period: Period) -> Result<ComplianceReport> {
    if actor.role == Role::Member {
        return Err(AppError::Forbidden);
    }
    let root = app.resolve_org(&actor.scope, root).await?;
    let scope = Scope::subtree(&root.path);
    let mut conn = app.store.acquire().await?;
    let orgs = meeting_store::branches_and_groups(&mut conn, &scope).await?;
    let children = org_store::children(&mut conn, &scope, root.org.id).await?;
    let rows = meeting_store::month_facts(&mut conn, &scope, &period.months()).await?;
    drop(conn);

    let mut tallies: HashMap<i64, Tally> = HashMap::new();
    let mut attendance = Attendance::default();
    let mut quorum_failed = 0;
    for r in &rows {
        tallies
            .entry(r.branch_id)
            .or_default()
            .add_month(r.year, r.month, &r.tally);
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
    let refs: HashMap<i64, OrgRef> = orgs
        .iter()
        .map(|o| {
            (
                o.id,
                OrgRef {
                    code: o.code.clone(),
                    name: o.name.clone(),
                },
            )
        })
        .collect();
    // Which direct child of the root each branch lies under.
    let root_depth = path::depth(&root.path);
    let mut level: BTreeMap<i64, (usize, usize)> = BTreeMap::new();
    let empty = Tally::default();
    let mut report = ComplianceReport {
        org: OrgRef::of(&root.org),
        period,
        branches: 0,
        compliant: 0,
        rate: None,
        noncompliant: vec![],
        held_nothing: vec![],
        levels: vec![],
        attendance,
        quorum_failed,
        calendar: vec![],
    };
    let mut calendar: BTreeMap<(Period, MeetingKind), (i64, i64)> = BTreeMap::new();
    for (i, facts) in branch_facts(&orgs) {
        let o = &orgs[i];
        let tally = tallies.get(&o.id).unwrap_or(&empty);
        let c = judge(&facts, tally, period, &app.rules);
        if !c.judged() {
            continue;
        }
        for ob in &c.obligations {
            let cell = calendar.entry((ob.span, ob.kind)).or_default();
            cell.0 += 1;
            cell.1 += ob.met() as i64;
        }
        report.branches += 1;
        let ok = c.compliant();
        if let Some(child) = path::ids(&o.path).get(root_depth) {
            let e = level.entry(*child).or_default();
            e.0 += 1;
            e.1 += ok as usize;
        }
        let me = refs[&o.id].clone();
        if ok {
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
                    group: s.group.and_then(|g| refs.get(&g).cloned()),
                })
                .collect(),
        });
    }
    report.rate = rate(report.compliant, report.branches);
    report.levels = children
        .iter()
        .filter_map(|c| {
            let (b, ok) = level.get(&c.org.id).copied()?;
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
        .map(|((span, kind), (due, met))| CalendarCell {
            span,
            kind: kind.code(),
            due,
            met,
        })
        .collect();
    Ok(report)
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
