//! The writes of 党费: a member's base (核定), payments (one month, several at once, or a
//! branch's month ticked off), a payment undone, what an org passed up. Each write
//! recounts the months it touched for the org and its ancestors in its own transaction.

use std::collections::{BTreeSet, HashMap};

use chrono::NaiveDate;
use jiceng_domain::dues::{self as rule, DuesCategory};
use jiceng_domain::Period;
use jiceng_store::dues::{self as store, StoredBase, StoredHandover, StoredPayment};
use jiceng_store::members::{self as member_store, StoredMember};
use jiceng_store::{orgs as org_store, Conn, Scope};
use serde::{Deserialize, Serialize};

use super::{key, month_of};
use crate::access::{Grant, InScope, RecordDues};
use crate::audit::{self, AuditAction};
use crate::refusal::refused;
use crate::{App, AppError, OrgRecord, Result};

/// A base as a form or the API gives it.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct BaseInput {
    /// `YYYY-MM`: the first month the base is for.
    pub from_month: String,
    /// A category code or label (在职, 离退休, 农民, 学生, 下岗失业, 享受最低生活保障).
    pub category: String,
    /// 元: the after-tax monthly pay (在职), the pension (离退休), the amount the branch
    /// set (农民); not read for the others.
    #[serde(default)]
    pub amount: Option<String>,
}

/// Payments as a form, the API or an import row gives them: the members, the months
/// (`from_month` to `to_month`, one month when `to_month` is blank), the day.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct PayInput {
    pub member_ids: Vec<i64>,
    pub from_month: String,
    #[serde(default)]
    pub to_month: Option<String>,
    pub paid_on: NaiveDate,
    /// 元, the sum paid for all the months (one member only); blank: what each month
    /// asked.
    #[serde(default)]
    pub amount: Option<String>,
}

/// What an org passed up for a month.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct HandoverInput {
    pub month: String,
    /// 元.
    pub amount: String,
    pub handed_on: NaiveDate,
}

fn lapse(app: &App) -> i64 {
    app.rules.in_force(app.today()).membership.lapse_months
}

/// Recounts, for `orgs` and their ancestors, every month from the earliest of `months`
/// (at most two years back) to the running one: a month's flags read the months before it.
async fn recount(
    tx: &mut Conn,
    orgs: &[i64],
    months: &BTreeSet<Period>,
    (current, lapse): (Period, i64),
) -> Result<()> {
    let oldest = rule::months_back(current, 24);
    let from = months.iter().next().copied().unwrap_or(current).max(oldest);
    for m in rule::months(from.min(current), current) {
        store::refresh(tx, orgs, m, lapse).await?;
    }
    Ok(())
}

fn parse_month(field: &'static str, s: &str) -> Result<Period> {
    month_of(s.trim()).ok_or_else(|| {
        refused(
            field,
            format!("无法识别的月份“{}”（应为 2026-08）", s.trim()),
        )
    })
}

async fn member_here(app: &App, grant: &Grant<RecordDues>, id: i64) -> Result<StoredMember> {
    let mut conn = app.store.acquire().await?;
    member_store::get(&mut conn, &grant.actor().scope, id)
        .await?
        .filter(|m| m.exited_on.is_none())
        .ok_or_else(|| AppError::NotFound("党员".into()))
}

/// 核定: sets the base of member `id` from `input.from_month` on (a base set from the
/// same month is replaced; an earlier one stays for the months before).
pub async fn set_base(
    app: &App,
    grant: &Grant<RecordDues>,
    id: i64,
    input: &BaseInput,
) -> Result<StoredBase> {
    let m = member_here(app, grant, id).await?;
    let current = Period::month_of(app.today());
    let from = parse_month("from_month", &input.from_month)?;
    if from > rule::next_month(current) {
        return Err(refused("from_month", "起始月份不能晚于下月"));
    }
    if from.last_day() < m.joined_on {
        return Err(refused(
            "from_month",
            format!("起始月份早于入党日期{}", m.joined_on),
        ));
    }
    let category = DuesCategory::parse(&input.category).ok_or_else(|| {
        refused(
            "category",
            format!(
                "无法识别的党费类别“{}”（在职、离退休、农民、学生、下岗失业、享受最低生活保障）",
                input.category.trim()
            ),
        )
    })?;
    let amount = match crate::trimmed(&input.amount) {
        None => None,
        Some(a) => Some(rule::parse_yuan(&a).ok_or_else(|| {
            refused(
                "amount",
                format!("金额“{a}”不是以元为单位的非负数（最多两位小数）"),
            )
        })?),
    };
    let read = if category.has_base() || category == DuesCategory::Farmer {
        amount
    } else {
        None
    };
    let monthly = rule::monthly(
        &app.rules,
        from.first_day(),
        category,
        read.map(|f| f as f64 / 100.0),
    )
    .map_err(|e| refused("amount", e.0))?;
    let b = StoredBase {
        id: app.store.reserve_ids("dues_base", 1).await?,
        member_id: m.id,
        from_month: key(from),
        category: category.code().to_string(),
        base_fen: read,
        monthly_fen: monthly,
        recorded_by: grant.actor().username().to_string(),
        recorded_at: app.now().to_rfc3339(),
    };
    let org = org_of(app, m.org_id).await?;
    let months: BTreeSet<Period> = rule::months(from.max(rule::months_back(current, 24)), current)
        .into_iter()
        .collect();
    let ctx = (current, lapse(app));
    let (b_ref, org_id) = (&b, m.org_id);
    let months = &months;
    audit::Entry::new(
        grant.actor(),
        AuditAction::DuesBase,
        format!("member:{}", m.id),
    )
    .org(&org)
    .after(serde_json::json!({
        "name": m.name,
        "from_month": b.from_month,
        "category": category.label(),
        "base": b.base_fen.map(rule::yuan),
        "monthly": rule::yuan(b.monthly_fen),
    }))
    .write(app, |mut tx| async move {
        store::set_base(&mut tx, b_ref).await?;
        recount(&mut tx, &[org_id], months, ctx).await?;
        Ok(tx)
    })
    .await?;
    Ok(b)
}

async fn org_of(app: &App, id: i64) -> Result<OrgRecord> {
    let mut conn = app.store.acquire().await?;
    org_store::get(&mut conn, &Scope::All, id)
        .await?
        .ok_or_else(|| AppError::NotFound("党组织".into()))
}

/// Records payments of members of `org` (its own members) for the months of `input`:
/// each month must be assessed (a base in force); a month already paid is replaced.
/// Answers how many months were recorded.
pub async fn pay(
    app: &App,
    grant: &Grant<RecordDues>,
    org: &InScope<OrgRecord>,
    input: &PayInput,
) -> Result<usize> {
    let today = app.today();
    let current = Period::month_of(today);
    let from = parse_month("from_month", &input.from_month)?;
    let to = match crate::trimmed(&input.to_month) {
        Some(t) => parse_month("to_month", &t)?,
        None => from,
    };
    if to < from {
        return Err(refused("to_month", "截止月份早于起始月份"));
    }
    if rule::months(current, to).len() > 13 {
        return Err(refused("to_month", "预交党费最多到12个月以后"));
    }
    if input.paid_on > today {
        return Err(refused(
            "paid_on",
            format!("交纳日期晚于今天：{}", input.paid_on),
        ));
    }
    if input.member_ids.is_empty() {
        return Err(refused("member_ids", "请选择交纳党费的党员"));
    }
    let months = rule::months(from, to);
    let total = match crate::trimmed(&input.amount) {
        None => None,
        Some(_) if input.member_ids.len() > 1 => {
            return Err(refused("amount", "多人同时登记时按应交金额登记，不填金额"))
        }
        Some(a) => Some(rule::parse_yuan(&a).ok_or_else(|| {
            refused(
                "amount",
                format!("金额“{a}”不是以元为单位的非负数（最多两位小数）"),
            )
        })?),
    };
    let mut conn = app.store.acquire().await?;
    let here: HashMap<i64, StoredMember> = member_store::of_orgs(&mut conn, &[org.org.id])
        .await?
        .into_iter()
        .map(|m| (m.id, m))
        .collect();
    let bases = store::bases_of(&mut conn, &input.member_ids).await?;
    drop(conn);
    let mut rows = Vec::new();
    let now = app.now().to_rfc3339();
    let by = grant.actor().username().to_string();
    for id in &input.member_ids {
        let m = here.get(id).ok_or_else(|| {
            refused(
                "member_ids",
                format!("党员（编号{id}）不是{}的党员", org.org.name),
            )
        })?;
        let dues = super::bases_by_month(bases.get(id).map(Vec::as_slice).unwrap_or(&[]));
        let due: Vec<i64> = months
            .iter()
            .map(|p| {
                dues.iter()
                    .rev()
                    .find(|(f, _)| f <= p)
                    .map(|(_, fen)| *fen)
                    .ok_or_else(|| {
                        refused(
                            "from_month",
                            format!("{}尚未核定{}的党费基数，请先核定", m.name, p.label()),
                        )
                    })
            })
            .collect::<Result<_>>()?;
        let amounts: Vec<i64> = match total {
            None => due,
            Some(t) => {
                let n = months.len() as i64;
                (0..n).map(|i| t / n + i64::from(i < t % n)).collect()
            }
        };
        for (p, fen) in months.iter().zip(amounts) {
            rows.push(StoredPayment {
                member_id: m.id,
                month: key(*p),
                org_id: org.org.id,
                amount_fen: fen,
                paid_on: input.paid_on,
                recorded_by: by.clone(),
                recorded_at: now.clone(),
            });
        }
    }
    let names: Vec<&str> = input
        .member_ids
        .iter()
        .filter_map(|id| here.get(id).map(|m| m.name.as_str()))
        .collect();
    let touched: BTreeSet<Period> = months.iter().copied().collect();
    let (rows_ref, org_id, touched) = (&rows, org.org.id, &touched);
    let ctx = (current, lapse(app));
    audit::Entry::new(
        grant.actor(),
        AuditAction::DuesPayment,
        format!("org:{}", org_id),
    )
    .org(&**org)
    .after(serde_json::json!({
        "members": names,
        "from_month": key(from),
        "to_month": key(to),
        "paid_on": input.paid_on,
        "amount": rows.iter().map(|r| r.amount_fen).sum::<i64>() as f64 / 100.0,
    }))
    .write(app, |mut tx| async move {
        store::pay(&mut tx, rows_ref).await?;
        recount(&mut tx, &[org_id], touched, ctx).await?;
        Ok(tx)
    })
    .await?;
    Ok(rows.len())
}

/// Removes a payment recorded by mistake (the month of member `id`).
pub async fn unpay(app: &App, grant: &Grant<RecordDues>, id: i64, month: &str) -> Result<()> {
    let m = member_here(app, grant, id).await?;
    let p = parse_month("month", month)?;
    let mut conn = app.store.acquire().await?;
    let paid = store::payments_of(&mut conn, &[id], (&key(p), &key(p))).await?;
    drop(conn);
    let Some(was) = paid.into_iter().next() else {
        return Err(refused(
            "month",
            format!("{}没有{}的交纳记录", m.name, p.label()),
        ));
    };
    let org = org_of(app, was.org_id).await?;
    let touched: BTreeSet<Period> = [p].into_iter().collect();
    let ctx = (Period::month_of(app.today()), lapse(app));
    let (org_id, touched, month_key) = (was.org_id, &touched, key(p));
    let month_key = &month_key;
    audit::Entry::new(
        grant.actor(),
        AuditAction::DuesPayment,
        format!("member:{id}"),
    )
    .org(&org)
    .before(serde_json::json!({
        "name": m.name,
        "month": was.month,
        "amount": rule::yuan(was.amount_fen),
        "paid_on": was.paid_on,
    }))
    .write(app, |mut tx| async move {
        store::unpay(&mut tx, id, month_key).await?;
        recount(&mut tx, &[org_id], touched, ctx).await?;
        Ok(tx)
    })
    .await
}

/// Records what `org` passed up (上缴) for a month (replacing what was recorded).
pub async fn hand_over(
    app: &App,
    grant: &Grant<RecordDues>,
    org: &InScope<OrgRecord>,
    input: &HandoverInput,
) -> Result<()> {
    let p = parse_month("month", &input.month)?;
    if p > Period::month_of(app.today()) {
        return Err(refused("month", "月份晚于本月"));
    }
    if input.handed_on > app.today() {
        return Err(refused(
            "handed_on",
            format!("上缴日期晚于今天：{}", input.handed_on),
        ));
    }
    let fen = rule::parse_yuan(&input.amount).ok_or_else(|| {
        refused(
            "amount",
            format!(
                "金额“{}”不是以元为单位的非负数（最多两位小数）",
                input.amount.trim()
            ),
        )
    })?;
    let h = StoredHandover {
        org_id: org.org.id,
        month: key(p),
        amount_fen: fen,
        handed_on: input.handed_on,
        recorded_by: grant.actor().username().to_string(),
        recorded_at: app.now().to_rfc3339(),
    };
    let h_ref = &h;
    audit::Entry::new(
        grant.actor(),
        AuditAction::DuesHandover,
        format!("org:{}", org.org.id),
    )
    .org(&**org)
    .after(serde_json::json!({
        "month": h.month,
        "amount": rule::yuan(fen),
        "handed_on": h.handed_on,
    }))
    .write(app, |mut tx| async move {
        store::hand_over(&mut tx, h_ref).await?;
        Ok(tx)
    })
    .await
}
