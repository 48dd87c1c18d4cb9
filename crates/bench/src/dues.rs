//! 党费 and 组织关系转接 at scale (issue #15, point 8): a year of dues for every member of a
//! data set — a base each (the category from the roster's occupation, a pay from the
//! member's id), every month paid up to the running one except one member in eleven who
//! stopped in April, the running month half paid — loaded in bulk and counted with
//! `store::dues::rebuild`; then the cost of receiving a letter between two counties (the
//! member, both orgs' stored facts and their months moved in one transaction).

use std::time::Instant;

use anyhow::Result;
use jiceng_app::App;
use jiceng_domain::dues::{self as rule, DuesCategory};
use jiceng_domain::Period;
use jiceng_store::dues::{StoredBase, StoredPayment};
use jiceng_store::Scope;
use serde::Serialize;

/// What loading the year of dues cost.
#[derive(Debug, Clone, Serialize)]
pub struct DuesLoad {
    pub members: usize,
    pub payments: usize,
    pub load_seconds: f64,
    pub rebuild_seconds: f64,
    pub month_rows: usize,
}

/// Loads a year of dues into the set unless it holds some already (then `None`).
pub async fn ensure(app: &App) -> Result<Option<DuesLoad>> {
    let mut conn = app.store().acquire().await?;
    let have: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM (SELECT 1 FROM dues_base LIMIT 1) t")
        .fetch_one(&mut *conn)
        .await?;
    if have > 0 {
        return Ok(None);
    }
    let today = app.today();
    let current = Period::month_of(today);
    let Period::Month(year, _) = current else {
        return Ok(None);
    };
    let january = Period::Month(year, 1);
    let t = Instant::now();
    let mut people: Vec<(i64, i64, chrono::NaiveDate, u8)> = Vec::new();
    jiceng_store::members::for_each_in_scope(&mut conn, &Scope::All, |m| {
        if m.exited_on.is_some() {
            return;
        }
        let job = m.occupation.as_deref().unwrap_or("");
        let kind = if job.contains("退休") {
            1
        } else if job.contains("农") {
            2
        } else if job.contains("学生") {
            3
        } else {
            0
        };
        people.push((m.id, m.org_id, m.joined_on, kind));
    })
    .await?;
    drop(conn);
    let first = app
        .store()
        .reserve_ids("dues_base", people.len() as i64)
        .await?;
    let now = chrono::Utc::now().to_rfc3339();
    let (mut members, mut payments) = (0, 0);
    for (c, chunk) in people.chunks(50_000).enumerate() {
        let (mut bases, mut pays) = (Vec::new(), Vec::new());
        for (i, (id, org_id, joined, kind)) in chunk.iter().enumerate() {
            let n = c * 50_000 + i;
            let (category, base) = match kind {
                1 => (DuesCategory::Retired, Some((2500 + (id % 40) * 100) * 100)),
                2 => (DuesCategory::Farmer, Some(50)),
                3 => (DuesCategory::Student, None),
                _ => (DuesCategory::Salaried, Some((2600 + (id % 90) * 100) * 100)),
            };
            let from = january.max(Period::month_of(*joined));
            if from > current {
                continue;
            }
            let monthly = rule::monthly(
                &app.rules,
                from.first_day(),
                category,
                base.map(|f| f as f64 / 100.0),
            )
            .unwrap_or(20);
            bases.push(StoredBase {
                id: first + n as i64,
                member_id: *id,
                from_month: from.to_string(),
                category: category.code().into(),
                base_fen: base,
                monthly_fen: monthly,
                recorded_by: "bench".into(),
                recorded_at: now.clone(),
            });
            let stopped = n % 11 == 5;
            for month in rule::months(from, current) {
                let paid = if month == current {
                    n % 2 == 0 && !stopped
                } else {
                    !stopped || month < Period::Month(year, 4)
                };
                if paid {
                    pays.push(StoredPayment {
                        member_id: *id,
                        month: month.to_string(),
                        org_id: *org_id,
                        amount_fen: monthly,
                        paid_on: month.last_day().min(today),
                        recorded_by: "bench".into(),
                        recorded_at: now.clone(),
                    });
                }
            }
        }
        members += bases.len();
        payments += pays.len();
        let mut tx = app.store().begin().await?;
        jiceng_store::dues::load(&mut tx, &bases, &pays).await?;
        tx.commit().await?;
    }
    let load_seconds = t.elapsed().as_secs_f64();
    let t = Instant::now();
    let lapse = app.rules.in_force(today).membership.lapse_months;
    let mut tx = app.store().begin().await?;
    let month_rows =
        jiceng_store::dues::rebuild(&mut tx, &rule::months(january, current), lapse).await?;
    tx.commit().await?;
    Ok(Some(DuesLoad {
        members,
        payments,
        load_seconds,
        rebuild_seconds: t.elapsed().as_secs_f64(),
        month_rows,
    }))
}

/// The cost of receiving a letter of 组织关系转接 between branches of two counties: a
/// member of `from` (the bench's branch) to the first branch with members outside its
/// county, and back again — each receipt timed (the member, their offices, both orgs' facts
/// and dues months, the audit entry, in one transaction). Answers the times in ms.
pub async fn transfer_costs(
    app: &App,
    county: &str,
    branch: &str,
    runs: usize,
) -> Result<Vec<f64>> {
    use jiceng_app::access::{self, Actor, TransferMembers};
    use jiceng_app::transfer::{self, NewLetter};
    let system = Actor::system();
    let grant = system.grant::<TransferMembers>()?;
    let resolve = |k: String| {
        let system = system.clone();
        async move { access::resolve(app, &system, &access::OrgKey::parse(Some(&k))).await }
    };
    let county = resolve(county.to_string()).await?;
    let source = resolve(branch.to_string()).await?;
    let mut conn = app.store().acquire().await?;
    let target = sqlx::query_as::<_, (i64, String)>(
        "SELECT id, code FROM org WHERE kind = 'Branch' AND dissolved_on IS NULL AND direct_members >= 3 \
         AND (path < $1 OR path >= $2) ORDER BY id LIMIT 1",
    )
    .bind(county.path.clone())
    .bind(jiceng_domain::path::subtree_upper(&county.path))
    .fetch_optional(&mut *conn)
    .await?;
    let member: Option<i64> = sqlx::query_scalar(
        "SELECT id FROM member WHERE org_id = $1 AND exited_on IS NULL ORDER BY id DESC LIMIT 1",
    )
    .bind(source.org.id)
    .fetch_optional(&mut *conn)
    .await?;
    drop(conn);
    let (Some((_, target_code)), Some(member)) = (target, member) else {
        return Ok(vec![]);
    };
    let (mut from, mut to) = (source.org.code.clone(), target_code);
    let mut times = Vec::new();
    let today = app.today();
    for _ in 0..runs {
        let letter = NewLetter {
            to: Some(to.clone()),
            issued_on: today,
            reason: "基准测试：工作调动".into(),
            ..NewLetter::default()
        };
        let id = transfer::issue(app, &grant, member, &letter).await?;
        let t = Instant::now();
        transfer::receive(app, &grant, id, today).await?;
        times.push(t.elapsed().as_secs_f64() * 1e3);
        std::mem::swap(&mut from, &mut to);
    }
    Ok(times)
}
