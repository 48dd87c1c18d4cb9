//! The department's overview on the board of an org with child orgs: a line per child
//! (people by stage, overdue, violations, the year's plan and admissions, each drilling
//! down to the child's board) and the org's own plan fulfilment by structure target.

use jiceng_app::recruitment::overview::{ChildRow, Overview};
use jiceng_app::recruitment::plan::TARGETS;
use serde::Deserialize;

/// `?year=` of the board and the plan form.
#[derive(Deserialize)]
pub(super) struct YearQuery {
    year: Option<String>,
}

impl YearQuery {
    /// The year asked for, or `default` when absent or not a year.
    pub(super) fn or(&self, default: i32) -> i32 {
        self.year
            .as_deref()
            .and_then(|y| y.trim().parse::<i32>().ok())
            .filter(|y| (2000..=2100).contains(y))
            .unwrap_or(default)
    }
}

/// A number or a dash.
pub(super) fn or_dash(n: Option<i64>) -> String {
    n.map_or_else(|| "—".to_string(), |n| n.to_string())
}

/// One child org's line.
pub struct ChildLine {
    pub org_id: i64,
    pub name: String,
    pub counts: [i64; 5],
    pub overdue: i64,
    pub violations: i64,
    pub target: String,
    pub admitted: i64,
    pub gap: String,
}

impl ChildLine {
    fn of(c: &ChildRow) -> ChildLine {
        ChildLine {
            org_id: c.org_id,
            name: c.org.name.clone(),
            counts: c.by_stage,
            overdue: c.overdue,
            violations: c.violations,
            target: or_dash(c.plan.target),
            admitted: c.plan.admitted,
            gap: or_dash(c.plan.gap),
        }
    }
}

/// One line of the org's plan fulfilment: the total or a structure target.
pub struct TargetLine {
    pub key: &'static str,
    pub label: &'static str,
    pub target: String,
    pub actual: i64,
    pub gap: String,
}

/// What the board shows of the overview.
pub struct OverviewView {
    pub year: i32,
    pub children: Vec<ChildLine>,
    pub total: ChildLine,
    pub plan: Vec<TargetLine>,
}

impl OverviewView {
    pub(super) fn of(o: &Overview) -> OverviewView {
        let p = &o.total.plan;
        let mut plan = vec![TargetLine {
            key: "total",
            label: "发展党员总数",
            target: or_dash(p.target),
            actual: p.admitted,
            gap: or_dash(p.gap),
        }];
        for (key, label) in TARGETS {
            if let Some(t) = p.structure.get(key) {
                plan.push(TargetLine {
                    key,
                    label,
                    target: or_dash(t.target),
                    actual: t.actual,
                    gap: or_dash(t.gap),
                });
            }
        }
        OverviewView {
            year: o.year,
            children: o.children.iter().map(ChildLine::of).collect(),
            total: ChildLine::of(&o.total),
            plan,
        }
    }
}
