//! 党费 (issue #15, point 4): a member's base (核定: the category and the pay or pension, from
//! a month on) gives the monthly amount by the bracket table of the rules in force
//! (`domain::dues`); the branch records what was paid per member and month (one month, or
//! several at once), and what it passed up (上缴). Arrears and the six months unpaid in a
//! row are derived, never typed, and put to the branch — never acted on. Each org's month
//! is stored counted (`store::dues`), so the 收缴统计 of a province is one row per org.
//!
//! A running month is not a failure: a month counts as unpaid only once it is over.

mod overview;
mod record;
mod sheet;

use std::collections::HashMap;

use chrono::NaiveDate;
use jiceng_domain::dues::{self as rule, DuesCategory, MonthDue};
use jiceng_domain::Period;
use jiceng_store::dues::{self as store, StoredBase, StoredPayment};
use serde::Serialize;

pub use overview::{overview, ChildDues, DuesOverview, FlaggedMember, MonthTotal};
pub use record::{hand_over, pay, set_base, unpay, BaseInput, HandoverInput, PayInput};
pub use sheet::{sheet, DuesSheet, SheetRow};

use crate::{App, Result};

/// How far back a member's account is read (months before the current one).
pub const ACCOUNT_MONTHS: u32 = 24;

/// A base as a page shows it.
#[derive(Debug, Clone, Serialize)]
pub struct BaseView {
    pub from_month: String,
    pub category_code: &'static str,
    pub category: &'static str,
    /// The pay, pension or farmer's amount, 元.
    pub base_yuan: Option<String>,
    pub monthly_yuan: String,
    pub recorded_by: String,
}

impl BaseView {
    fn of(b: &StoredBase) -> BaseView {
        let c = DuesCategory::parse(&b.category).unwrap_or(DuesCategory::Student);
        BaseView {
            from_month: b.from_month.clone(),
            category_code: c.code(),
            category: c.label(),
            base_yuan: b.base_fen.map(rule::yuan),
            monthly_yuan: rule::yuan(b.monthly_fen),
            recorded_by: b.recorded_by.clone(),
        }
    }
}

/// One month of a member's account.
#[derive(Debug, Clone, Serialize)]
pub struct MonthView {
    pub month: String,
    pub label: String,
    pub due_yuan: String,
    pub paid_yuan: Option<String>,
    pub paid_on: Option<NaiveDate>,
    /// The month is not over (unpaid so far is not arrears).
    pub running: bool,
}

/// A member's dues: the bases, the months read, what is owed.
#[derive(Debug, Clone, Serialize)]
pub struct MemberDues {
    pub bases: Vec<BaseView>,
    /// The base in force this month.
    pub current: Option<BaseView>,
    /// From the first base (at most [`ACCOUNT_MONTHS`] back) to this month, newest first.
    pub months: Vec<MonthView>,
    /// Months over and unpaid, and their amount.
    pub arrears_months: usize,
    pub arrears_yuan: String,
    /// Months over and unpaid one after another, up to the last month over.
    pub unpaid_run: usize,
    /// `unpaid_run` reached the rule's months (SPEC R): for the branch to decide.
    pub flagged: bool,
}

pub(crate) fn month_of(key: &str) -> Option<Period> {
    match Period::parse(key) {
        Ok(p @ Period::Month(..)) => Some(p),
        _ => None,
    }
}

fn key(p: Period) -> String {
    p.month_key().unwrap_or_default()
}

/// Each member's bases as (first month, monthly 分), in month order.
pub(crate) fn bases_by_month(bases: &[StoredBase]) -> Vec<(Period, i64)> {
    bases
        .iter()
        .filter_map(|b| Some((month_of(&b.from_month)?, b.monthly_fen)))
        .collect()
}

/// The months of one member's account up to `current` (the running month), with what
/// was paid, and the arrears over the months before it.
pub(crate) struct Account {
    pub months: Vec<MonthDue>,
    pub paid_on: HashMap<Period, NaiveDate>,
    pub arrears: (usize, i64),
    pub run: usize,
}

pub(crate) fn account_of(
    bases: &[StoredBase],
    payments: &[&StoredPayment],
    current: Period,
) -> Account {
    let paid: HashMap<Period, i64> = payments
        .iter()
        .filter_map(|p| Some((month_of(&p.month)?, p.amount_fen)))
        .collect();
    let paid_on = payments
        .iter()
        .filter_map(|p| Some((month_of(&p.month)?, p.paid_on)))
        .collect();
    let from = rule::months_back(current, ACCOUNT_MONTHS);
    let months = rule::account(&bases_by_month(bases), &paid, (from, current));
    let over: Vec<MonthDue> = months
        .iter()
        .copied()
        .filter(|m| m.month < current)
        .collect();
    Account {
        arrears: rule::arrears(&over),
        run: rule::unpaid_run(&over),
        months,
        paid_on,
    }
}

/// A member's dues, for the member page (the caller has shown the member is readable).
pub(crate) async fn of_member(app: &App, member_id: i64) -> Result<Option<MemberDues>> {
    let current = Period::month_of(app.today());
    let mut conn = app.store.acquire().await?;
    let bases = store::bases_of(&mut conn, &[member_id])
        .await?
        .remove(&member_id)
        .unwrap_or_default();
    if bases.is_empty() {
        return Ok(None);
    }
    let from = key(rule::months_back(current, ACCOUNT_MONTHS));
    let payments = store::payments_of(&mut conn, &[member_id], (&from, &key(current))).await?;
    drop(conn);
    let acc = account_of(&bases, &payments.iter().collect::<Vec<_>>(), current);
    let lapse = app.rules.in_force(app.today()).membership.lapse_months;
    let current_base = bases
        .iter()
        .rev()
        .find(|b| b.from_month <= key(current))
        .map(BaseView::of);
    Ok(Some(MemberDues {
        bases: bases.iter().map(BaseView::of).collect(),
        current: current_base,
        months: acc
            .months
            .iter()
            .rev()
            .map(|m| MonthView {
                month: key(m.month),
                label: m.month.label(),
                due_yuan: rule::yuan(m.due_fen),
                paid_yuan: m.paid_fen.map(rule::yuan),
                paid_on: acc.paid_on.get(&m.month).copied(),
                running: m.month == current,
            })
            .collect(),
        arrears_months: acc.arrears.0,
        arrears_yuan: rule::yuan(acc.arrears.1),
        unpaid_run: acc.run,
        flagged: acc.run as i64 >= lapse,
    }))
}

/// What 本月待办 says of dues for `org` this month, from its stored facts: members with a
/// base who have not paid yet, and those with the rule's months unpaid in a row (both 0
/// when no one is assessed).
pub async fn month_todo(
    app: &App,
    org: &crate::access::InScope<crate::OrgRecord>,
) -> Result<(i64, i64)> {
    let mut conn = app.store.acquire().await?;
    let month = key(Period::month_of(app.today()));
    let f = store::month_facts(&mut conn, &[org.org.id], &month)
        .await?
        .remove(&org.org.id)
        .unwrap_or_default();
    Ok((
        (f.subtree.members - f.subtree.paid_members).max(0),
        f.subtree.flagged,
    ))
}

/// Records payments of member `id` (in the actor's scope) to their org: the member page's
/// form and the API.
pub async fn pay_member(
    app: &App,
    grant: &crate::access::Grant<crate::access::RecordDues>,
    id: i64,
    input: &PayInput,
) -> Result<usize> {
    let mut conn = app.store.acquire().await?;
    let m = jiceng_store::members::get(&mut conn, &grant.actor().scope, id)
        .await?
        .filter(|m| m.exited_on.is_none())
        .ok_or_else(|| crate::AppError::NotFound("党员".into()))?;
    drop(conn);
    let org =
        crate::access::resolve(app, grant.actor(), &crate::access::OrgKey::Id(m.org_id)).await?;
    let input = PayInput {
        member_ids: vec![id],
        ..input.clone()
    };
    pay(app, grant, &org, &input).await
}
