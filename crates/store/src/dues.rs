//! 党费 (issue #15, point 4): members' bases (`dues_base`), payments (`dues_payment`, one row
//! per member and month), what an org passed up (`dues_handover`), and each org's stored
//! monthly facts (`dues_month`), its own members' and its subtree's, refreshed for the
//! touched orgs and their ancestors in the writer's transaction — so a province's 收缴统计
//! is one row per org it lists, never a sum over 85 million payments.
//!
//! Months are `YYYY-MM` keys ([`jiceng_domain::Period::month_key`]).

use std::collections::{HashMap, HashSet};

use jiceng_domain::dues::months_back;
use jiceng_domain::{path, Period};
use sqlx::any::AnyRow;
use sqlx::Row;

use crate::row::{from_row, Cells};
use crate::sql::{fetch_chunked, insert_many, lock_orgs, Sql, Val, IN_CHUNK};
use crate::{orgs, Conn, Result, Scope};

/// A member's base from a month on.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StoredBase {
    pub id: i64,
    pub member_id: i64,
    pub from_month: String,
    /// A [`jiceng_domain::dues::DuesCategory`] code.
    pub category: String,
    /// The pay or pension (在职, 离退休) or the branch's amount (农民), in 分.
    pub base_fen: Option<i64>,
    /// What the bracket table of the rules in force in `from_month` gave.
    pub monthly_fen: i64,
    pub recorded_by: String,
    pub recorded_at: String,
}

const BASE_COLS: [&str; 8] = [
    "id",
    "member_id",
    "from_month",
    "category",
    "base_fen",
    "monthly_fen",
    "recorded_by",
    "recorded_at",
];

fn base_row(r: &AnyRow) -> Result<StoredBase> {
    Ok(from_row!(
        r,
        StoredBase {
            id,
            member_id,
            from_month,
            category,
            base_fen,
            monthly_fen,
            recorded_by,
            recorded_at,
        }
    ))
}

fn base_vals(b: &StoredBase) -> Vec<Val> {
    vec![
        b.id.into(),
        b.member_id.into(),
        b.from_month.clone().into(),
        b.category.clone().into(),
        b.base_fen.into(),
        b.monthly_fen.into(),
        b.recorded_by.clone().into(),
        b.recorded_at.clone().into(),
    ]
}

/// Sets the base of `b.member_id` from `b.from_month` (a base already set from that month
/// is replaced).
pub async fn set_base(conn: &mut Conn, b: &StoredBase) -> Result<()> {
    Sql::new("DELETE FROM dues_base WHERE member_id = ")
        .bind(b.member_id)
        .push(" AND from_month = ")
        .bind(b.from_month.clone())
        .execute(&mut *conn)
        .await?;
    insert_many(conn, "dues_base", &BASE_COLS, &[base_vals(b)]).await
}

/// The bases of `members`, each member's in month order.
pub async fn bases_of(conn: &mut Conn, members: &[i64]) -> Result<HashMap<i64, Vec<StoredBase>>> {
    let rows = fetch_chunked(
        conn,
        members,
        |c| {
            Sql::new(format!(
                "SELECT {} FROM dues_base WHERE member_id IN ",
                BASE_COLS.join(", ")
            ))
            .in_list(c)
            .push(" ORDER BY member_id, from_month")
        },
        base_row,
    )
    .await?;
    let mut out: HashMap<i64, Vec<StoredBase>> = HashMap::new();
    for b in rows {
        out.entry(b.member_id).or_default().push(b);
    }
    Ok(out)
}

/// One month paid by one member.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StoredPayment {
    pub member_id: i64,
    pub month: String,
    /// The org it was paid to (kept when the member moves on).
    pub org_id: i64,
    pub amount_fen: i64,
    pub paid_on: chrono::NaiveDate,
    pub recorded_by: String,
    pub recorded_at: String,
}

const PAY_COLS: [&str; 7] = [
    "member_id",
    "month",
    "org_id",
    "amount_fen",
    "paid_on",
    "recorded_by",
    "recorded_at",
];

fn pay_row(r: &AnyRow) -> Result<StoredPayment> {
    Ok(from_row!(
        r,
        StoredPayment {
            member_id,
            month,
            org_id,
            amount_fen,
            paid_on: r.date("paid_on")?,
            recorded_by,
            recorded_at,
        }
    ))
}

fn pay_vals(p: &StoredPayment) -> Vec<Val> {
    vec![
        p.member_id.into(),
        p.month.clone().into(),
        p.org_id.into(),
        p.amount_fen.into(),
        p.paid_on.into(),
        p.recorded_by.clone().into(),
        p.recorded_at.clone().into(),
    ]
}

/// Writes payments, replacing what was recorded for the same member and month.
pub async fn pay(conn: &mut Conn, payments: &[StoredPayment]) -> Result<()> {
    for p in payments {
        Sql::new("DELETE FROM dues_payment WHERE member_id = ")
            .bind(p.member_id)
            .push(" AND month = ")
            .bind(p.month.clone())
            .execute(&mut *conn)
            .await?;
    }
    let rows: Vec<Vec<Val>> = payments.iter().map(pay_vals).collect();
    insert_many(conn, "dues_payment", &PAY_COLS, &rows).await
}

/// Removes the payment of `member_id` for `month` (a payment recorded by mistake).
/// Answers whether there was one.
pub async fn unpay(conn: &mut Conn, member_id: i64, month: &str) -> Result<bool> {
    let r = Sql::new("DELETE FROM dues_payment WHERE member_id = ")
        .bind(member_id)
        .push(" AND month = ")
        .bind(month)
        .execute(&mut *conn)
        .await?;
    Ok(r.rows_affected() > 0)
}

/// The payments of `members` from `from` to `to` (months, inclusive), in month order.
pub async fn payments_of(
    conn: &mut Conn,
    members: &[i64],
    (from, to): (&str, &str),
) -> Result<Vec<StoredPayment>> {
    fetch_chunked(
        conn,
        members,
        |c| {
            Sql::new(format!(
                "SELECT {} FROM dues_payment WHERE member_id IN ",
                PAY_COLS.join(", ")
            ))
            .in_list(c)
            .push(" AND month >= ")
            .bind(from)
            .push(" AND month <= ")
            .bind(to)
            .push(" ORDER BY member_id, month")
        },
        pay_row,
    )
    .await
}

/// What an org passed up (上缴) for a month.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StoredHandover {
    pub org_id: i64,
    pub month: String,
    pub amount_fen: i64,
    pub handed_on: chrono::NaiveDate,
    pub recorded_by: String,
    pub recorded_at: String,
}

const HAND_COLS: [&str; 6] = [
    "org_id",
    "month",
    "amount_fen",
    "handed_on",
    "recorded_by",
    "recorded_at",
];

/// Records (or replaces) what `h.org_id` passed up for `h.month`.
pub async fn hand_over(conn: &mut Conn, h: &StoredHandover) -> Result<()> {
    Sql::new("DELETE FROM dues_handover WHERE org_id = ")
        .bind(h.org_id)
        .push(" AND month = ")
        .bind(h.month.clone())
        .execute(&mut *conn)
        .await?;
    let row: Vec<Val> = vec![
        h.org_id.into(),
        h.month.clone().into(),
        h.amount_fen.into(),
        h.handed_on.into(),
        h.recorded_by.clone().into(),
        h.recorded_at.clone().into(),
    ];
    insert_many(conn, "dues_handover", &HAND_COLS, &[row]).await
}

/// What `orgs` passed up for `month`, by org.
pub async fn handovers(
    conn: &mut Conn,
    orgs: &[i64],
    month: &str,
) -> Result<HashMap<i64, StoredHandover>> {
    let rows = fetch_chunked(
        conn,
        orgs,
        |c| {
            Sql::new(format!(
                "SELECT {} FROM dues_handover WHERE month = ",
                HAND_COLS.join(", ")
            ))
            .bind(month)
            .push(" AND org_id IN ")
            .in_list(c)
        },
        |r| {
            Ok(from_row!(
                r,
                StoredHandover {
                    org_id,
                    month,
                    amount_fen,
                    handed_on: r.date("handed_on")?,
                    recorded_by,
                    recorded_at,
                }
            ))
        },
    )
    .await?;
    Ok(rows.into_iter().map(|h| (h.org_id, h)).collect())
}

/// Dues counted for one month: due from the members with a base, paid, and the members
/// with `lapse_months` unpaid before the month (flagged).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, serde::Serialize)]
pub struct Tally {
    pub members: i64,
    pub due_fen: i64,
    pub paid_members: i64,
    pub paid_fen: i64,
    pub flagged: i64,
}

impl Tally {
    fn add(&mut self, o: &Tally) {
        self.members += o.members;
        self.due_fen += o.due_fen;
        self.paid_members += o.paid_members;
        self.paid_fen += o.paid_fen;
        self.flagged += o.flagged;
    }
}

/// One org's stored facts for one month: its own members and its subtree's.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, serde::Serialize)]
pub struct MonthFacts {
    pub direct: Tally,
    pub subtree: Tally,
}

const MONTH_COLS: [&str; 12] = [
    "org_id",
    "month",
    "members",
    "due_fen",
    "paid_members",
    "paid_fen",
    "flagged",
    "sub_members",
    "sub_due_fen",
    "sub_paid_members",
    "sub_paid_fen",
    "sub_flagged",
];

fn month_row(r: &AnyRow) -> Result<(i64, MonthFacts)> {
    let t = |p: &str| -> Result<Tally> {
        Ok(Tally {
            members: r.try_get(format!("{p}members").as_str())?,
            due_fen: r.try_get(format!("{p}due_fen").as_str())?,
            paid_members: r.try_get(format!("{p}paid_members").as_str())?,
            paid_fen: r.try_get(format!("{p}paid_fen").as_str())?,
            flagged: r.try_get(format!("{p}flagged").as_str())?,
        })
    };
    Ok((
        r.try_get("org_id")?,
        MonthFacts {
            direct: t("")?,
            subtree: t("sub_")?,
        },
    ))
}

/// The stored facts of `orgs` for `month` (an org without a row has nothing due or paid
/// in its subtree).
pub async fn month_facts(
    conn: &mut Conn,
    orgs: &[i64],
    month: &str,
) -> Result<HashMap<i64, MonthFacts>> {
    Ok(fetch_chunked(
        conn,
        orgs,
        |c| {
            Sql::new(format!(
                "SELECT {} FROM dues_month WHERE month = ",
                MONTH_COLS.join(", ")
            ))
            .bind(month)
            .push(" AND org_id IN ")
            .in_list(c)
        },
        month_row,
    )
    .await?
    .into_iter()
    .collect())
}

/// The stored facts of `orgs` for every month from `from` to `to` (keys `2026-01`), by
/// month and org: one read per chunk of orgs for the whole span (an overview of a year).
pub async fn month_facts_between(
    conn: &mut Conn,
    orgs: &[i64],
    (from, to): (&str, &str),
) -> Result<HashMap<String, HashMap<i64, MonthFacts>>> {
    let rows = fetch_chunked(
        conn,
        orgs,
        |c| {
            Sql::new(format!(
                "SELECT {} FROM dues_month WHERE month >= ",
                MONTH_COLS.join(", ")
            ))
            .bind(from)
            .push(" AND month <= ")
            .bind(to)
            .push(" AND org_id IN ")
            .in_list(c)
        },
        |r| Ok((r.try_get::<String, _>("month")?, month_row(r)?)),
    )
    .await?;
    let mut out: HashMap<String, HashMap<i64, MonthFacts>> = HashMap::new();
    for (month, (id, f)) in rows {
        out.entry(month).or_default().insert(id, f);
    }
    Ok(out)
}

/// The 上缴 recorded by `orgs` from `from` to `to`, summed per org (fen).
pub async fn handed_between(
    conn: &mut Conn,
    orgs: &[i64],
    (from, to): (&str, &str),
) -> Result<HashMap<i64, i64>> {
    let rows = fetch_chunked(
        conn,
        orgs,
        |c| {
            Sql::new("SELECT org_id, amount_fen FROM dues_handover WHERE month >= ")
                .bind(from)
                .push(" AND month <= ")
                .bind(to)
                .push(" AND org_id IN ")
                .in_list(c)
        },
        |r| {
            Ok((
                r.try_get::<i64, _>("org_id")?,
                r.try_get::<i64, _>("amount_fen")?,
            ))
        },
    )
    .await?;
    let mut out: HashMap<i64, i64> = HashMap::new();
    for (org, fen) in rows {
        *out.entry(org).or_default() += fen;
    }
    Ok(out)
}

/// The stored subtree facts of one org for each of `months` (absent: nothing that month).
pub async fn months_of(
    conn: &mut Conn,
    org_id: i64,
    (from, to): (&str, &str),
) -> Result<HashMap<String, MonthFacts>> {
    let rows = Sql::new(format!(
        "SELECT {} FROM dues_month WHERE org_id = ",
        MONTH_COLS.join(", ")
    ))
    .bind(org_id)
    .push(" AND month >= ")
    .bind(from)
    .push(" AND month <= ")
    .bind(to)
    .fetch_all(&mut *conn)
    .await?;
    rows.iter()
        .map(|r| Ok((r.try_get::<String, _>("month")?, month_row(r)?.1)))
        .collect()
}

/// A member counted in a month: in the org during it, with a base in force.
struct Counted {
    org_id: i64,
    monthly_fen: i64,
    /// The first month of the member's earliest base (unpaid months before it are not
    /// arrears: the dues were not assessed here).
    since: String,
}

/// Recomputes the facts of `touched` orgs and all their ancestors for `month`, in the
/// caller's transaction: each org's own members read once (with their bases in force and
/// their payments of the window), the untouched children's stored rows added. A member
/// counts in a month when they were on the roster during it and a base was in force;
/// flagged when each of the `lapse_months` months before it (from their first base on)
/// went unpaid. Answers how many orgs were written.
pub async fn refresh(
    conn: &mut Conn,
    touched: &[i64],
    month: Period,
    lapse_months: i64,
) -> Result<usize> {
    let Some(key) = month.month_key() else {
        return Ok(0);
    };
    if touched.is_empty() {
        return Ok(0);
    }
    let mut set: HashSet<i64> = HashSet::new();
    for o in orgs::by_ids(conn, touched).await? {
        set.extend(path::ids(&o.path));
    }
    let ids: Vec<i64> = set.iter().copied().collect();
    lock_orgs(conn, &ids).await?;
    let all = orgs::by_ids(conn, &ids).await?;
    let paths: Vec<String> = all.iter().map(|o| o.path.clone()).collect();
    let (first, last) = (month.first_day(), month.last_day());

    // The members of these orgs with a base from this month or before.
    let mut counted: HashMap<i64, Counted> = HashMap::new();
    for chunk in paths.chunks(IN_CHUNK) {
        let q = Sql::new(
            "SELECT m.id, m.org_id, m.joined_on, m.exited_on, b.from_month, b.monthly_fen \
             FROM member m JOIN dues_base b ON b.member_id = m.id WHERE b.from_month <= ",
        )
        .bind(key.clone())
        .push(" AND m.org_path IN ")
        .in_list(chunk.iter().cloned())
        .push(" ORDER BY m.id, b.from_month");
        for r in q.fetch_all(&mut *conn).await? {
            let joined = r.date("joined_on")?;
            let exited = r.opt_date("exited_on")?;
            if joined > last || exited.is_some_and(|e| e <= first) {
                continue;
            }
            let id: i64 = r.try_get("id")?;
            let from: String = r.try_get("from_month")?;
            let fen: i64 = r.try_get("monthly_fen")?;
            counted
                .entry(id)
                .and_modify(|c| c.monthly_fen = fen)
                .or_insert(Counted {
                    org_id: r.try_get("org_id")?,
                    monthly_fen: fen,
                    since: from,
                });
        }
    }
    let mut direct: HashMap<i64, Tally> = HashMap::new();
    for c in counted.values() {
        let t = direct.entry(c.org_id).or_default();
        t.members += 1;
        t.due_fen += c.monthly_fen;
    }
    // Paid this month to these orgs.
    for chunk in ids.chunks(IN_CHUNK) {
        let q = Sql::new("SELECT org_id, amount_fen FROM dues_payment WHERE month = ")
            .bind(key.clone())
            .push(" AND org_id IN ")
            .in_list(chunk);
        for r in q.fetch_all(&mut *conn).await? {
            let t = direct.entry(r.try_get("org_id")?).or_default();
            t.paid_members += 1;
            t.paid_fen += r.try_get::<i64, _>("amount_fen")?;
        }
    }
    // Flagged: every month of the window before this one unpaid, since the first base.
    let lapse = lapse_months.max(1) as u32;
    let window_from = months_back(month, lapse).month_key().unwrap_or_default();
    let window_to = months_back(month, 1).month_key().unwrap_or_default();
    let candidates: Vec<i64> = counted
        .iter()
        .filter(|(_, c)| c.since <= window_from)
        .map(|(id, _)| *id)
        .collect();
    let mut paid_in_window: HashSet<i64> = HashSet::new();
    for chunk in candidates.chunks(IN_CHUNK) {
        let q = Sql::new("SELECT DISTINCT member_id FROM dues_payment WHERE month >= ")
            .bind(window_from.clone())
            .push(" AND month <= ")
            .bind(window_to.clone())
            .push(" AND member_id IN ")
            .in_list(chunk);
        for r in q.fetch_all(&mut *conn).await? {
            paid_in_window.insert(r.try_get("member_id")?);
        }
    }
    let path_of: HashMap<i64, &str> = all.iter().map(|o| (o.org.id, o.path.as_str())).collect();
    let mut flags: Vec<Vec<Val>> = Vec::new();
    for id in candidates.iter().filter(|id| !paid_in_window.contains(id)) {
        let org_id = counted[id].org_id;
        direct.entry(org_id).or_default().flagged += 1;
        flags.push(vec![
            (*id).into(),
            key.clone().into(),
            org_id.into(),
            path_of.get(&org_id).copied().unwrap_or_default().into(),
        ]);
    }
    // By path, which the index (month, org_path) finds; by org id it would read every
    // flag of the month (a province's 650 thousand: 0.7 s per transfer).
    for chunk in paths.chunks(IN_CHUNK) {
        Sql::new("DELETE FROM dues_flag WHERE month = ")
            .bind(key.clone())
            .push(" AND org_path IN ")
            .in_list(chunk.iter().cloned())
            .execute(&mut *conn)
            .await?;
    }
    insert_many(
        conn,
        "dues_flag",
        &["member_id", "month", "org_id", "org_path"],
        &flags,
    )
    .await?;

    // The untouched children's stored rows.
    let mut parent_of: HashMap<i64, i64> = HashMap::new();
    for chunk in ids.chunks(IN_CHUNK) {
        let q = Sql::new("SELECT id, parent_id FROM org WHERE parent_id IN ").in_list(chunk);
        for r in q.fetch_all(&mut *conn).await? {
            let id: i64 = r.try_get("id")?;
            if !set.contains(&id) {
                parent_of.insert(id, r.try_get("parent_id")?);
            }
        }
    }
    let kids: Vec<i64> = parent_of.keys().copied().collect();
    let mut subtree: HashMap<i64, Tally> = HashMap::new();
    for (kid, f) in month_facts(conn, &kids, &key).await? {
        subtree.entry(parent_of[&kid]).or_default().add(&f.subtree);
    }
    // Deepest first: each org's subtree is its own plus its children's.
    let mut order: Vec<(usize, i64, Option<i64>)> = all
        .iter()
        .map(|o| (path::ids(&o.path).len(), o.org.id, o.org.parent_id))
        .collect();
    order.sort_by(|a, b| b.0.cmp(&a.0).then(a.1.cmp(&b.1)));
    let mut rows: Vec<Vec<Val>> = Vec::new();
    for (_, id, parent) in order {
        let own = direct.get(&id).copied().unwrap_or_default();
        let mut sub = subtree.remove(&id).unwrap_or_default();
        sub.add(&own);
        if let Some(p) = parent.filter(|p| set.contains(p)) {
            subtree.entry(p).or_default().add(&sub);
        }
        if sub != Tally::default() {
            rows.push(vec![
                id.into(),
                key.clone().into(),
                own.members.into(),
                own.due_fen.into(),
                own.paid_members.into(),
                own.paid_fen.into(),
                own.flagged.into(),
                sub.members.into(),
                sub.due_fen.into(),
                sub.paid_members.into(),
                sub.paid_fen.into(),
                sub.flagged.into(),
            ]);
        }
    }
    for chunk in ids.chunks(IN_CHUNK) {
        Sql::new("DELETE FROM dues_month WHERE month = ")
            .bind(key.clone())
            .push(" AND org_id IN ")
            .in_list(chunk)
            .execute(&mut *conn)
            .await?;
    }
    insert_many(conn, "dues_month", &MONTH_COLS, &rows).await?;
    Ok(ids.len())
}

/// Members of a subtree whose payments stopped, as the last refresh of `month` found
/// them (each with the rule's months unpaid in a row before it, since their first base): at
/// most `limit`, in tree order — a path range read to its first rows, whatever the size.
pub async fn flagged_in_scope(
    conn: &mut Conn,
    scope: &Scope,
    month: Period,
    limit: i64,
) -> Result<Vec<i64>> {
    Sql::new("SELECT member_id FROM dues_flag WHERE month = ")
        .bind(month.month_key().unwrap_or_default())
        .push(" AND ")
        .scope("org_path", scope)
        .push(" ORDER BY org_path, member_id LIMIT ")
        .bind(limit)
        .fetch_all(&mut *conn)
        .await?
        .iter()
        .map(|r| Ok(r.try_get("member_id")?))
        .collect()
}

/// Makes every org's monthly facts and flags for `months` again from all the records: one
/// read of the members with a base, one keyset-paged read of the payments, the org tree
/// added up in memory, then the rows written — the way a data set loaded in bulk gets its
/// facts (a province's year is one pass, not a refresh per org). Answers the rows written.
pub async fn rebuild(conn: &mut Conn, months: &[Period], lapse_months: i64) -> Result<usize> {
    let keys: Vec<String> = months.iter().filter_map(|m| m.month_key()).collect();
    if keys.is_empty() {
        return Ok(0);
    }
    let index = |k: &str| keys.iter().position(|x| x == k);
    let lapse = lapse_months.max(1) as u32;
    // Window months before the first asked one count for the flags: read from there.
    let from = months_back(months[0], lapse)
        .month_key()
        .unwrap_or_default();
    let to = keys.last().cloned().unwrap_or_default();
    let mut paid: HashMap<(i64, usize), (i64, i64)> = HashMap::new();
    // Members with their bases (in month order) and the months they paid.
    struct M {
        org_id: i64,
        joined: chrono::NaiveDate,
        exited: Option<chrono::NaiveDate>,
        bases: Vec<(String, i64)>,
        /// Bit `n`: paid the `n`th month from `from`.
        paid: u64,
    }
    let ord = |k: &str| -> Option<u32> {
        let (y, m) = k.split_once('-')?;
        Some(y.parse::<u32>().ok()? * 12 + m.parse::<u32>().ok()?)
    };
    let base_ord = ord(&from).unwrap_or_default();
    let bit = |k: &str| {
        ord(k)
            .and_then(|o| o.checked_sub(base_ord))
            .filter(|b| *b < 64)
    };
    let mut members: HashMap<i64, M> = HashMap::new();
    // Member ids in windows (a member's rows never split between two reads).
    let (lo, hi): (Option<i64>, Option<i64>) =
        Sql::new("SELECT MIN(member_id), MAX(member_id) FROM dues_base")
            .fetch_one(&mut *conn)
            .await
            .and_then(|r| Ok((r.try_get(0)?, r.try_get(1)?)))?;
    let (Some(lo), Some(hi)) = (lo, hi) else {
        return Ok(0);
    };
    // Windows of about 100,000 members each, bounded by the ids themselves (ids come in
    // reserved blocks, so a fixed span of ids could hold none or millions).
    const WINDOW: i64 = 100_000;
    let mut start = lo - 1;
    while start < hi {
        let end: i64 = Sql::new("SELECT member_id FROM dues_base WHERE member_id > ")
            .bind(start)
            .push(" ORDER BY member_id LIMIT 1 OFFSET ")
            .bind(WINDOW - 1)
            .fetch_optional(&mut *conn)
            .await?
            .map(|r| r.try_get(0))
            .transpose()?
            .unwrap_or(hi);
        let rows = Sql::new(
            "SELECT m.id, m.org_id, m.joined_on, m.exited_on, b.from_month, b.monthly_fen \
             FROM dues_base b JOIN member m ON m.id = b.member_id WHERE b.member_id > ",
        )
        .bind(start)
        .push(" AND b.member_id <= ")
        .bind(end)
        .push(" ORDER BY b.member_id, b.from_month")
        .fetch_all(&mut *conn)
        .await?;
        for r in &rows {
            let id: i64 = r.try_get("id")?;
            let m = match members.entry(id) {
                std::collections::hash_map::Entry::Occupied(e) => e.into_mut(),
                std::collections::hash_map::Entry::Vacant(e) => e.insert(M {
                    org_id: r.try_get("org_id")?,
                    joined: r.date("joined_on")?,
                    exited: r.opt_date("exited_on")?,
                    bases: Vec::new(),
                    paid: 0,
                }),
            };
            m.bases
                .push((r.try_get("from_month")?, r.try_get("monthly_fen")?));
        }
        // Payments of the months read, by member; paid per org and asked month.
        let rows = Sql::new(
            "SELECT member_id, month, org_id, amount_fen FROM dues_payment WHERE member_id > ",
        )
        .bind(start)
        .push(" AND member_id <= ")
        .bind(end)
        .fetch_all(&mut *conn)
        .await?;
        // The months are kept here, not in the SQL: with a range on both columns the
        // planner may take the month index and read every payment of the months per window.
        for r in &rows {
            let id: i64 = r.try_get("member_id")?;
            let month: String = r.try_get("month")?;
            if month < from || month > to {
                continue;
            }
            if let Some(i) = index(&month) {
                let e = paid.entry((r.try_get("org_id")?, i)).or_default();
                e.0 += 1;
                e.1 += r.try_get::<i64, _>("amount_fen")?;
            }
            if let (Some(m), Some(b)) = (members.get_mut(&id), bit(&month)) {
                m.paid |= 1 << b;
            }
        }
        start = end;
    }
    // Each org's own tallies and flags per asked month.
    let mut direct: Vec<HashMap<i64, Tally>> = vec![HashMap::new(); keys.len()];
    let mut flags: Vec<Vec<(i64, i64)>> = vec![Vec::new(); keys.len()];
    for (i, month) in months.iter().enumerate() {
        let (first, last) = (month.first_day(), month.last_day());
        let key = &keys[i];
        let window: u64 = (1..=lapse)
            .filter_map(|n| months_back(*month, n).month_key())
            .filter_map(|k| bit(&k))
            .fold(0, |acc, b| acc | 1 << b);
        let window_from = months_back(*month, lapse).month_key().unwrap_or_default();
        for (id, m) in &members {
            if m.joined > last || m.exited.is_some_and(|e| e <= first) {
                continue;
            }
            let Some(fen) = m.bases.iter().rev().find(|(f, _)| f <= key).map(|b| b.1) else {
                continue;
            };
            let t = direct[i].entry(m.org_id).or_default();
            t.members += 1;
            t.due_fen += fen;
            let since = &m.bases[0].0;
            if *since <= window_from && m.paid & window == 0 {
                t.flagged += 1;
                flags[i].push((*id, m.org_id));
            }
        }
        for ((org, j), (n, fen)) in &paid {
            if *j == i {
                let t = direct[i].entry(*org).or_default();
                t.paid_members += n;
                t.paid_fen += fen;
            }
        }
    }
    drop(members);
    // The tree, deepest first.
    let rows = Sql::new("SELECT id, parent_id, path FROM org")
        .fetch_all(&mut *conn)
        .await?;
    let mut tree: Vec<(usize, i64, Option<i64>, String)> = rows
        .iter()
        .map(|r| {
            let p: String = r.try_get("path")?;
            Ok((
                path::ids(&p).len(),
                r.try_get("id")?,
                r.try_get("parent_id")?,
                p,
            ))
        })
        .collect::<Result<_>>()?;
    tree.sort_by(|a, b| b.0.cmp(&a.0).then(a.1.cmp(&b.1)));
    let path_of: HashMap<i64, &str> = tree.iter().map(|t| (t.1, t.3.as_str())).collect();
    let mut written = 0;
    for (i, key) in keys.iter().enumerate() {
        let mut sub: HashMap<i64, Tally> = HashMap::new();
        let mut rows: Vec<Vec<Val>> = Vec::new();
        for (_, id, parent, _) in &tree {
            let own = direct[i].get(id).copied().unwrap_or_default();
            let mut s = sub.remove(id).unwrap_or_default();
            s.add(&own);
            if s == Tally::default() {
                continue;
            }
            if let Some(p) = parent {
                sub.entry(*p).or_default().add(&s);
            }
            rows.push(vec![
                (*id).into(),
                key.clone().into(),
                own.members.into(),
                own.due_fen.into(),
                own.paid_members.into(),
                own.paid_fen.into(),
                own.flagged.into(),
                s.members.into(),
                s.due_fen.into(),
                s.paid_members.into(),
                s.paid_fen.into(),
                s.flagged.into(),
            ]);
        }
        Sql::new("DELETE FROM dues_month WHERE month = ")
            .bind(key.clone())
            .execute(&mut *conn)
            .await?;
        Sql::new("DELETE FROM dues_flag WHERE month = ")
            .bind(key.clone())
            .execute(&mut *conn)
            .await?;
        written += rows.len();
        insert_many(conn, "dues_month", &MONTH_COLS, &rows).await?;
        let flag_rows: Vec<Vec<Val>> = flags[i]
            .iter()
            .map(|(m, o)| {
                vec![
                    (*m).into(),
                    key.clone().into(),
                    (*o).into(),
                    path_of.get(o).copied().unwrap_or_default().into(),
                ]
            })
            .collect();
        insert_many(
            conn,
            "dues_flag",
            &["member_id", "month", "org_id", "org_path"],
            &flag_rows,
        )
        .await?;
    }
    Ok(written)
}

/// Loads bases and payments in bulk, without replacing anything (a generated data set; the
/// caller [`rebuild`]s the months after).
pub async fn load(conn: &mut Conn, bases: &[StoredBase], payments: &[StoredPayment]) -> Result<()> {
    let rows: Vec<Vec<Val>> = bases.iter().map(base_vals).collect();
    insert_many(conn, "dues_base", &BASE_COLS, &rows).await?;
    let rows: Vec<Vec<Val>> = payments.iter().map(pay_vals).collect();
    insert_many(conn, "dues_payment", &PAY_COLS, &rows).await
}
