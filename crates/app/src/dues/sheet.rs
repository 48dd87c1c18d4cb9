//! 党费收缴表: one org's own members for one month — each one's category, what the month
//! asks, whether and when it was paid, the arrears — with the month's totals, what was
//! passed up, and the subtree's stored figures.

use chrono::NaiveDate;
use jiceng_domain::dues::{self as rule, DuesCategory};
use jiceng_domain::Period;
use jiceng_store::dues::{self as store};
use jiceng_store::members as member_store;
use serde::Serialize;

use super::{account_of, key, ACCOUNT_MONTHS};
use crate::access::InScope;
use crate::{App, OrgRecord, OrgRef, Result};

/// One member's line.
#[derive(Debug, Clone, Serialize)]
pub struct SheetRow {
    pub member_id: i64,
    pub name: String,
    pub id_number: String,
    /// `None`: no base in force that month (未核定).
    pub category: Option<&'static str>,
    pub base_yuan: Option<String>,
    pub due_yuan: Option<String>,
    pub paid_yuan: Option<String>,
    pub paid_on: Option<NaiveDate>,
    /// Paid to another org (before a transfer), or here.
    pub paid: bool,
    /// Months over and unpaid (as of today), their amount, and how many in a row.
    pub arrears_months: usize,
    pub arrears_yuan: String,
    pub unpaid_run: usize,
    pub flagged: bool,
}

/// The sheet of one org and month.
#[derive(Debug, Clone, Serialize)]
pub struct DuesSheet {
    pub org: OrgRef,
    pub org_id: i64,
    pub month: String,
    pub month_label: String,
    /// The month is not over: unpaid so far is not arrears.
    pub running: bool,
    pub rows: Vec<SheetRow>,
    /// Members with a base that month, what they owe, who paid and how much.
    pub assessed: usize,
    pub due_yuan: String,
    pub paid_members: usize,
    pub paid_yuan: String,
    /// Members without a base that month (未核定): not counted as due.
    pub unassessed: usize,
    /// Members with the rule's months unpaid in a row, for the branch to decide.
    pub flagged: usize,
    pub lapse_months: i64,
    /// What was passed up (上缴) for the month: amount and day.
    pub handed_yuan: Option<String>,
    pub handed_on: Option<NaiveDate>,
    /// The stored figures of the org's whole subtree (orgs below it included).
    pub subtree: Option<super::MonthTotal>,
}

/// The 党费收缴表 of `org`'s own members for `month`.
pub async fn sheet(app: &App, org: &InScope<OrgRecord>, month: Period) -> Result<DuesSheet> {
    let today = app.today();
    let current = Period::month_of(today);
    let mk = key(month);
    let mut conn = app.store.acquire().await?;
    let mut members = member_store::of_orgs(&mut conn, &[org.org.id]).await?;
    members.retain(|m| m.joined_on <= month.last_day());
    members.sort_by(|a, b| a.name.cmp(&b.name).then(a.id.cmp(&b.id)));
    let ids: Vec<i64> = members.iter().map(|m| m.id).collect();
    let bases = store::bases_of(&mut conn, &ids).await?;
    let from = key(rule::months_back(current.min(month), ACCOUNT_MONTHS));
    let to = key(current.max(month));
    let payments = store::payments_of(&mut conn, &ids, (&from, &to)).await?;
    let handed = store::handovers(&mut conn, &[org.org.id], &mk)
        .await?
        .remove(&org.org.id);
    let stored = store::month_facts(&mut conn, &[org.org.id], &mk)
        .await?
        .remove(&org.org.id);
    drop(conn);
    let lapse = app.rules.in_force(today).membership.lapse_months;
    let (mut due, mut paid, mut paid_n, mut assessed, mut flagged) = (0i64, 0i64, 0, 0, 0);
    let rows: Vec<SheetRow> = members
        .iter()
        .map(|m| {
            let mine = bases.get(&m.id).map(Vec::as_slice).unwrap_or(&[]);
            let pays: Vec<_> = payments.iter().filter(|p| p.member_id == m.id).collect();
            let acc = account_of(mine, &pays, current);
            let base = mine.iter().rev().find(|b| b.from_month <= mk);
            let this = pays.iter().find(|p| p.month == mk);
            if let Some(b) = base {
                assessed += 1;
                due += b.monthly_fen;
            }
            if let Some(p) = this.filter(|p| p.org_id == org.org.id) {
                paid_n += 1;
                paid += p.amount_fen;
            }
            let is_flagged = acc.run as i64 >= lapse;
            flagged += usize::from(is_flagged);
            SheetRow {
                member_id: m.id,
                name: m.name.clone(),
                id_number: m.id_masked.clone(),
                category: base
                    .and_then(|b| DuesCategory::parse(&b.category))
                    .map(DuesCategory::label),
                base_yuan: base.and_then(|b| b.base_fen).map(rule::yuan),
                due_yuan: base.map(|b| rule::yuan(b.monthly_fen)),
                paid_yuan: this.map(|p| rule::yuan(p.amount_fen)),
                paid_on: this.map(|p| p.paid_on),
                paid: this.is_some(),
                arrears_months: acc.arrears.0,
                arrears_yuan: rule::yuan(acc.arrears.1),
                unpaid_run: acc.run,
                flagged: is_flagged,
            }
        })
        .collect();
    let has_children = stored.is_some_and(|f| f.subtree != f.direct);
    Ok(DuesSheet {
        org: org.org_ref(),
        org_id: org.org.id,
        month: mk.clone(),
        month_label: month.label(),
        running: month == current,
        unassessed: rows.len() - assessed,
        assessed,
        due_yuan: rule::yuan(due),
        paid_members: paid_n,
        paid_yuan: rule::yuan(paid),
        flagged,
        lapse_months: lapse,
        handed_yuan: handed.as_ref().map(|h| rule::yuan(h.amount_fen)),
        handed_on: handed.as_ref().map(|h| h.handed_on),
        subtree: stored
            .filter(|_| has_children)
            .map(|f| super::MonthTotal::of(&mk, &f.subtree)),
        rows,
    })
}
