//! The 组织关系转接 report of a subtree for a period (`jiceng report transfers`,
//! `/api/v1/reports/transfers`): for the org and each direct child, the relations that left
//! it and came into it (a move between two orgs of one subtree is neither, for that
//! subtree), those returned, and those waiting now with how many are overdue; and every
//! overdue letter with an end in the subtree, the people named with masked ID numbers.

use chrono::NaiveDate;
use jiceng_domain::transfer::{self as rule, LetterState};
use jiceng_domain::Period;
use jiceng_io::{OutCell, Sheet};
use jiceng_store::transfers::{self as store, StoredTransfer};
use jiceng_store::{orgs as org_store, Scope};
use serde::Serialize;

use crate::access::InScope;
use crate::transfer::Person;
use crate::{App, OrgRecord, OrgRef, Result};

/// What moved across one org's boundary.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct Flows {
    /// Letters issued in the period for members leaving it.
    pub issued_out: i64,
    /// Relations that left it in the period (received elsewhere, or closed by receipt).
    pub left: i64,
    /// Relations that came into it in the period (received here, from elsewhere or from
    /// outside the system).
    pub arrived: i64,
    /// Letters from it returned in the period.
    pub returned: i64,
    /// Letters from it waiting now (the sending org still responsible), and overdue.
    pub waiting_out: i64,
    pub overdue_out: i64,
    /// Letters to it waiting now, and overdue.
    pub waiting_in: i64,
    pub overdue_in: i64,
}

/// A letter overdue now (逾期未接收), as the report names it.
#[derive(Debug, Clone, Serialize)]
pub struct Overdue {
    pub letter_no: String,
    pub name: String,
    /// Masked.
    pub id_number: String,
    pub from: String,
    pub to: String,
    pub issued_on: NaiveDate,
    pub valid_until: NaiveDate,
}

#[derive(Debug, Clone, Serialize)]
pub struct ChildFlows {
    pub org_id: i64,
    pub code: String,
    pub name: String,
    #[serde(flatten)]
    pub flows: Flows,
}

#[derive(Debug, Clone, Serialize)]
pub struct TransfersReport {
    pub org: OrgRef,
    pub period: String,
    pub from: NaiveDate,
    pub to: NaiveDate,
    /// The day "waiting" and "overdue" are judged on.
    pub as_of: NaiveDate,
    pub totals: Flows,
    pub by_child: Vec<ChildFlows>,
    pub overdue: Vec<Overdue>,
}

fn inside(p: &Option<String>, node: &str) -> bool {
    p.as_deref().is_some_and(|p| p.starts_with(node))
}

/// Adds one letter to the flows of the org at `node` (its path).
fn count(
    f: &mut Flows,
    t: &StoredTransfer,
    node: &str,
    (from, to, as_of): (NaiveDate, NaiveDate, NaiveDate),
) {
    let (out, into) = (inside(&t.from_path, node), inside(&t.to_path, node));
    let in_period = |d: Option<NaiveDate>| d.is_some_and(|d| d >= from && d <= to);
    let overdue = rule::overdue(t.state, t.valid_until, as_of);
    if out && !into {
        f.issued_out += i64::from(in_period(Some(t.issued_on)));
        let gone = matches!(t.state, LetterState::Received | LetterState::Closed);
        f.left += i64::from(gone && in_period(t.decided_on));
        f.returned += i64::from(t.state == LetterState::Returned && in_period(t.decided_on));
        if t.state == LetterState::Issued {
            f.waiting_out += 1;
            f.overdue_out += i64::from(overdue);
        }
    }
    if into && !out {
        f.arrived += i64::from(t.state == LetterState::Received && in_period(t.decided_on));
        if t.state == LetterState::Issued {
            f.waiting_in += 1;
            f.overdue_in += i64::from(overdue);
        }
    }
}

/// The report of `org`'s subtree for `period`, waiting letters judged today.
pub async fn run(app: &App, org: &InScope<OrgRecord>, period: Period) -> Result<TransfersReport> {
    let as_of = app.today();
    let (from, to) = (period.first_day(), period.last_day());
    let mut conn = app.store.acquire().await?;
    let letters = store::touching(&mut conn, &org.subtree(), from, to).await?;
    let children = org_store::children(&mut conn, &Scope::All, org.org.id).await?;
    drop(conn);
    let span = (from, to, as_of);
    let mut totals = Flows::default();
    let mut by_child: Vec<ChildFlows> = children
        .iter()
        .map(|c| ChildFlows {
            org_id: c.org.id,
            code: c.org.code.clone(),
            name: c.org.name.clone(),
            flows: Flows::default(),
        })
        .collect();
    let mut overdue = Vec::new();
    for t in &letters {
        count(&mut totals, t, &org.path, span);
        for (c, row) in children.iter().zip(by_child.iter_mut()) {
            count(&mut row.flows, t, &c.path, span);
        }
        if rule::overdue(t.state, t.valid_until, as_of) {
            let p: Person = serde_json::from_str(&t.person).unwrap_or_default();
            overdue.push(Overdue {
                letter_no: t.letter_no.clone(),
                name: p.name,
                id_number: p.id_number,
                from: t.from_name.clone(),
                to: t.to_name.clone(),
                issued_on: t.issued_on,
                valid_until: t.valid_until,
            });
        }
    }
    Ok(TransfersReport {
        org: org.org_ref(),
        period: period.label(),
        from,
        to,
        as_of,
        totals,
        by_child,
        overdue,
    })
}

const FLOW_HEADERS: [&str; 8] = [
    "开具转出",
    "转出办结",
    "转入",
    "被退回",
    "转出待接收",
    "其中逾期",
    "待本组织接收",
    "其中逾期",
];

fn flow_cells(f: &Flows) -> Vec<OutCell> {
    [
        f.issued_out,
        f.left,
        f.arrived,
        f.returned,
        f.waiting_out,
        f.overdue_out,
        f.waiting_in,
        f.overdue_in,
    ]
    .into_iter()
    .map(OutCell::Int)
    .collect()
}

impl TransfersReport {
    /// The rows of the by-child table: each child, then 合计 (the org itself).
    pub fn flow_rows(&self) -> Vec<(String, &Flows)> {
        let mut rows: Vec<(String, &Flows)> = self
            .by_child
            .iter()
            .map(|c| (c.name.clone(), &c.flows))
            .collect();
        rows.push(("合计".into(), &self.totals));
        rows
    }

    pub fn to_sheets(&self) -> Vec<Sheet> {
        let head = format!("{} {}", self.org.name, self.period);
        let text = |s: &str| OutCell::Text(s.to_string());
        vec![
            Sheet {
                name: "转接情况".into(),
                title: format!("{head}组织关系转接情况（待接收截至{}）", self.as_of),
                headers: std::iter::once("党组织")
                    .chain(FLOW_HEADERS)
                    .map(String::from)
                    .collect(),
                rows: self
                    .flow_rows()
                    .into_iter()
                    .map(|(name, f)| std::iter::once(text(&name)).chain(flow_cells(f)).collect())
                    .collect(),
            },
            Sheet {
                name: "逾期未接收".into(),
                title: format!("{head}逾期未接收的介绍信（{}封）", self.overdue.len()),
                headers: [
                    "介绍信编号",
                    "姓名",
                    "公民身份号码",
                    "转出",
                    "转入",
                    "开具日期",
                    "有效期至",
                ]
                .map(String::from)
                .to_vec(),
                rows: self
                    .overdue
                    .iter()
                    .map(|o| {
                        vec![
                            text(&o.letter_no),
                            text(&o.name),
                            text(&o.id_number),
                            text(&o.from),
                            text(&o.to),
                            OutCell::Date(o.issued_on),
                            OutCell::Date(o.valid_until),
                        ]
                    })
                    .collect(),
            },
        ]
    }
}
