//! `import dues`: a branch's 党费收缴表 (or a township's, for its branches). Each row names a
//! current member of the scope by ID number and name, the months paid (`2026-03`, or
//! `2026-01至2026-03` for several at once), the day, and optionally the amount (blank: what
//! the months ask) and the base (类别 and 基数, setting the member's base from the first
//! month when it differs from the one in force). Every row is checked; nothing is written
//! unless all are valid, then everything in one transaction with the months recounted.
//! The same sheet again changes nothing.

use std::collections::{BTreeSet, HashMap};
use std::path::Path;

use jiceng_domain::dues::{self as rule, DuesCategory};
use jiceng_domain::text;
use jiceng_domain::{IdNumber, Period};
use jiceng_store::dues::{self as store, StoredBase, StoredPayment};
use jiceng_store::members::StoredMember;

use super::{columns, ErrorList, ImportOptions, ImportReport, Progress, RowCheck};
use crate::access::RecordDues;
use crate::{App, Result};

columns! {
    NAME = required("姓名", ["党员姓名"]),
    ID = required("公民身份号码", ["身份证号", "身份证号码", "公民身份证号码"]),
    MONTHS = required("交纳月份", ["月份", "所属月份", "党费月份", "交纳期间"]),
    PAID_ON = required("交纳日期", ["缴纳日期", "收缴日期", "日期"]),
    AMOUNT = optional("实交金额", ["实交党费", "交纳金额", "缴纳金额", "金额", "实交金额（元）"]),
    CATEGORY = optional("党费类别", ["类别", "人员类别", "收入类别"]),
    BASE = optional("党费基数", ["基数", "计交基数", "月工资收入", "税后工资", "养老金", "月收入"]),
}

/// `2026-03`, or two months joined by 至, ~, -- or —: the first and the last.
fn months_of(s: &str) -> std::result::Result<(Period, Period), String> {
    let month = |t: &str| match Period::parse(t.trim()) {
        Ok(p @ Period::Month(..)) => Ok(p),
        _ => Err(format!(
            "无法识别的月份“{}”（应为 2026-03，或 2026-01至2026-03）",
            s.trim()
        )),
    };
    let parts: Vec<&str> = s.split(['至', '~', '～', '—']).collect();
    match parts.as_slice() {
        [one] => month(one).map(|m| (m, m)),
        [a, b] => {
            let (a, b) = (month(a)?, month(b)?);
            if b < a {
                return Err(format!("截止月份早于起始月份：{}", s.trim()));
            }
            Ok((a, b))
        }
        _ => Err(format!("无法识别的月份“{}”", s.trim())),
    }
}

/// One valid row.
struct Parsed {
    member: StoredMember,
    months: Vec<Period>,
    paid_on: chrono::NaiveDate,
    amount: Option<i64>,
    base: Option<(DuesCategory, Option<i64>, i64)>,
}

pub async fn run(
    app: &App,
    file: &Path,
    opts: &ImportOptions,
    progress: &dyn Progress,
) -> Result<ImportReport> {
    opts.actor.grant::<RecordDues>()?;
    let today = app.today();
    let current = Period::month_of(today);
    let (
        mut table,
        mut report,
        super::Start {
            scope, scope_org, ..
        },
    ) = super::open(app, file, opts, &COLUMNS).await?;
    // The members the file names, by ID-number hash, among the scope's current members.
    let members = super::members_named(app, &table, ID, &scope).await?;
    let mut conn = app.store.acquire().await?;
    let ids: Vec<i64> = members.values().map(|m| m.id).collect();
    let bases = store::bases_of(&mut conn, &ids).await?;
    let from = rule::months_back(current, 36)
        .month_key()
        .unwrap_or_default();
    let paid: HashMap<(i64, String), StoredPayment> =
        store::payments_of(&mut conn, &ids, (&from, "9999-12"))
            .await?
            .into_iter()
            .map(|p| ((p.member_id, p.month.clone()), p))
            .collect();
    drop(conn);
    progress.start("检查", table.rows.len() as u64);
    let mut parsed: Vec<Parsed> = Vec::new();
    let mut errors = ErrorList::default();
    let mut seen: HashMap<(i64, Period), usize> = HashMap::new();
    for row in &table.rows {
        let mut c = RowCheck::new(row, &table.titles);
        c.lengths(&[(NAME, text::MEMBER_NAME)]);
        let name = c.required(NAME);
        let id = c.required_as(ID, IdNumber::parse);
        let span = c.required_as(MONTHS, months_of);
        let paid_on = c.required_date(PAID_ON);
        if paid_on.is_some_and(|d| d > today) {
            c.error(
                PAID_ON,
                format!("交纳日期晚于今天：{}", paid_on.unwrap_or(today)),
            );
        }
        let amount = c.text_as(AMOUNT, |s| {
            rule::parse_yuan(s)
                .ok_or_else(|| format!("金额“{s}”不是以元为单位的非负数（最多两位小数）"))
        });
        let category = c.text_label(CATEGORY, DuesCategory::parse, |s| {
            format!(
                "无法识别的党费类别“{s}”（在职、离退休、农民、学生、下岗失业、享受最低生活保障）"
            )
        });
        let base_amount = c.text_as(BASE, |s| {
            rule::parse_yuan(s)
                .ok_or_else(|| format!("基数“{s}”不是以元为单位的非负数（最多两位小数）"))
        });
        if base_amount.is_some() && category.is_none() && c.text(CATEGORY).is_none() {
            c.error(CATEGORY, "填写了党费基数的，请同时填写党费类别");
        }
        let member = id.and_then(|id| match members.get(&app.crypto.id_hash(&id)) {
            Some(m) if name.as_deref().is_none_or(|n| n.trim() == m.name) => Some(m.clone()),
            Some(m) => {
                c.error(NAME, format!("与身份证号对应的党员是“{}”", m.name));
                None
            }
            None => {
                c.error(ID, "本范围内的党员名册中没有这个身份证号");
                None
            }
        });
        let months = span.map(|(a, b)| rule::months(a, b)).unwrap_or_default();
        if let Some(last) = months.last() {
            if rule::months(current, *last).len() > 13 {
                c.error(MONTHS, "预交党费最多到12个月以后");
            }
        }
        if let Some(m) = &member {
            for p in &months {
                if let Some(prev) = seen.insert((m.id, *p), row.number) {
                    c.error(
                        MONTHS,
                        format!("{}的{}已在第{prev}行登记", m.name, p.label()),
                    );
                }
                if p.last_day() < m.joined_on {
                    c.error(MONTHS, format!("{}早于入党日期{}", p.label(), m.joined_on));
                }
            }
        }
        let base = match (&member, category, months.first()) {
            (Some(_), Some(cat), Some(first)) => {
                let read = (cat.has_base() || cat == DuesCategory::Farmer)
                    .then_some(base_amount)
                    .flatten();
                match rule::monthly(
                    &app.rules,
                    first.first_day(),
                    cat,
                    read.map(|f| f as f64 / 100.0),
                ) {
                    Ok(fen) => Some((cat, read, fen)),
                    Err(e) => {
                        c.error(BASE, e.0);
                        None
                    }
                }
            }
            _ => None,
        };
        if let (Some(m), Some(on)) = (member, paid_on) {
            // Each month must be assessed: by the row's base or one already set.
            let have: Vec<(Period, i64)> = bases
                .get(&m.id)
                .map(|b| {
                    b.iter()
                        .filter_map(|b| {
                            Some((crate::dues::month_of(&b.from_month)?, b.monthly_fen))
                        })
                        .collect()
                })
                .unwrap_or_default();
            if base.is_none() {
                if let Some(p) = months.iter().find(|p| !have.iter().any(|(f, _)| f <= *p)) {
                    c.error(
                        CATEGORY,
                        format!(
                            "{}尚未核定{}的党费基数，请填写党费类别和基数",
                            m.name,
                            p.label()
                        ),
                    );
                }
            }
            if c.errors.is_empty() && !months.is_empty() {
                parsed.push(Parsed {
                    member: m,
                    months,
                    paid_on: on,
                    amount,
                    base,
                });
            }
        }
        errors.extend(c.errors);
        progress.inc(1);
    }
    progress.finish();
    table.rows = Vec::new();
    errors.finish(&mut report);
    if report.ends_with_check(opts) {
        return Ok(report);
    }
    // What the rows write: bases that differ from the one in force, payments that differ.
    let now = app.now().to_rfc3339();
    let by = opts.actor.username().to_string();
    let mut new_bases: Vec<StoredBase> = Vec::new();
    let mut payments: Vec<StoredPayment> = Vec::new();
    let mut touched: HashMap<Period, BTreeSet<i64>> = HashMap::new();
    for p in &parsed {
        let first = p.months[0];
        let mut dues: Vec<(Period, i64)> = bases
            .get(&p.member.id)
            .map(|b| crate::dues::bases_by_month(b))
            .unwrap_or_default();
        let mut changed = false;
        if let Some((cat, read, fen)) = p.base {
            let in_force = bases.get(&p.member.id).and_then(|b| {
                b.iter()
                    .rev()
                    .find(|b| crate::dues::month_of(&b.from_month).is_some_and(|f| f <= first))
            });
            let same = in_force.is_some_and(|b| {
                b.category == cat.code() && b.base_fen == read && b.monthly_fen == fen
            });
            if !same {
                new_bases.push(StoredBase {
                    id: 0,
                    member_id: p.member.id,
                    from_month: first.month_key().unwrap_or_default(),
                    category: cat.code().to_string(),
                    base_fen: read,
                    monthly_fen: fen,
                    recorded_by: by.clone(),
                    recorded_at: now.clone(),
                });
                dues.retain(|(f, _)| *f != first);
                dues.push((first, fen));
                dues.sort();
                changed = true;
                for m in rule::months(first, current) {
                    touched.entry(m).or_default().insert(p.member.org_id);
                }
            }
        }
        let n = p.months.len() as i64;
        for (i, m) in p.months.iter().enumerate() {
            let fen = match p.amount {
                Some(t) => t / n + i64::from((i as i64) < t % n),
                None => dues.iter().rev().find(|(f, _)| f <= m).map_or(0, |d| d.1),
            };
            let key = m.month_key().unwrap_or_default();
            let same = paid.get(&(p.member.id, key.clone())).is_some_and(|old| {
                old.amount_fen == fen && old.paid_on == p.paid_on && old.org_id == p.member.org_id
            });
            if !same {
                payments.push(StoredPayment {
                    member_id: p.member.id,
                    month: key,
                    org_id: p.member.org_id,
                    amount_fen: fen,
                    paid_on: p.paid_on,
                    recorded_by: by.clone(),
                    recorded_at: now.clone(),
                });
                changed = true;
            }
            touched.entry(*m).or_default().insert(p.member.org_id);
        }
        if !changed {
            report.unchanged += 1;
        }
    }
    let written = parsed.len() - report.unchanged;
    if written == 0 {
        return Ok(report);
    }
    if !new_bases.is_empty() {
        let first = app
            .store
            .reserve_ids("dues_base", new_bases.len() as i64)
            .await?;
        for (i, b) in new_bases.iter_mut().enumerate() {
            b.id = first + i as i64;
        }
    }
    let lapse = app.rules.in_force(today).membership.lapse_months;
    // Every month from the earliest touched to the running one: a month's flags read the
    // months before it.
    let all: BTreeSet<i64> = touched.values().flatten().copied().collect();
    if let Some(first) = touched.keys().min().copied() {
        let from = first.max(rule::months_back(current, 24));
        for m in rule::months(from.min(current), current) {
            touched.entry(m).or_default().extend(all.iter().copied());
        }
    }
    let mut months: Vec<(Period, Vec<i64>)> = touched
        .into_iter()
        .filter(|(m, _)| *m <= current)
        .map(|(m, o)| (m, o.into_iter().collect()))
        .collect();
    months.sort();
    let (bases_ref, pays_ref, months_ref) = (&new_bases, &payments, &months);
    let (report_ref, org) = (&report, scope_org.as_ref());
    crate::audit::with_retry(|| async move {
        let mut tx = app.store.begin().await?;
        for b in bases_ref {
            store::set_base(&mut tx, b).await?;
        }
        store::pay(&mut tx, pays_ref).await?;
        for (m, orgs) in months_ref {
            store::refresh(&mut tx, orgs, *m, lapse).await?;
        }
        super::record_import(&mut tx, app, opts, "dues", report_ref, written, org).await?;
        tx.commit().await?;
        Ok(())
    })
    .await?;
    report.written = written;
    Ok(report)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn months_as_sheets_write_them() {
        let m = |y, m| Period::Month(y, m);
        assert_eq!(months_of("2026-03"), Ok((m(2026, 3), m(2026, 3))));
        assert_eq!(months_of("2026-01至2026-03"), Ok((m(2026, 1), m(2026, 3))));
        assert_eq!(months_of("2026.01~2026.06"), Ok((m(2026, 1), m(2026, 6))));
        assert!(months_of("2026-03至2026-01").is_err());
        assert!(months_of("三月").is_err());
    }
}
