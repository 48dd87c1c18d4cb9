//! 减负台账 (SPEC C6): what reached the orgs of a subtree in a month — tasks by issuing
//! org, the questions asked, those the system answered instead ("最多报一次") and those
//! asked although it held the answer — against the monthly ceiling of each level. The
//! ceilings are rule data (`RuleSet::burden`, a local example shipped) that the department
//! may replace (`app_setting`), audited.

use std::collections::HashMap;

use chrono::NaiveDate;
use jiceng_domain::rules::BurdenRules;
use jiceng_domain::task::{load, BurdenLevel, Load};
use jiceng_store::burden_rollup as rollup;
use jiceng_store::tasks as store;
use serde::Serialize;
use serde_json::json;

use crate::access::{Grant, InScope, SetRules};
use crate::audit::{self, AuditAction};
use crate::refusal::refused;
use crate::{App, AppError, OrgRecord, OrgRef, Result};

/// The ledger's month key of a day: `YYYY-MM`.
pub fn month_key(day: NaiveDate) -> String {
    day.format("%Y-%m").to_string()
}

/// The ceilings in force: the department's, else the rule set's in force today.
pub async fn ceilings(app: &App) -> Result<BurdenRules> {
    Ok(stored(app)
        .await?
        .unwrap_or_else(|| app.rules.in_force(app.today()).burden.clone()))
}

async fn stored(app: &App) -> Result<Option<BurdenRules>> {
    let mut conn = app.store.acquire().await?;
    let raw = store::ceilings(&mut conn).await?;
    Ok(raw.and_then(|r| serde_json::from_str(&r).ok()))
}

/// Sets the monthly ceilings (each at least 1). Audited.
pub async fn set_ceilings(
    app: &App,
    grant: &Grant<SetRules>,
    village: i64,
    township: i64,
    other: i64,
) -> Result<BurdenRules> {
    for (v, what) in [
        (village, "村（社区）"),
        (township, "乡镇（街道）"),
        (other, "其他"),
    ] {
        if !(1..=100).contains(&v) {
            return Err(refused(
                "ceiling",
                format!("{what}每月上限应为1至100之间的整数，填写的是{v}"),
            ));
        }
    }
    let before = ceilings(app).await?;
    let rules = BurdenRules {
        village_monthly_max: village,
        township_monthly_max: township,
        other_monthly_max: other,
        source: format!(
            "组织部门设定（{}，{}）",
            grant.actor().username(),
            app.today()
        ),
    };
    let text =
        serde_json::to_string(&rules).map_err(|e| AppError::Input(format!("无法保存：{e}")))?;
    let now = app.now();
    let entry = audit::Entry::new(grant.actor(), AuditAction::BurdenCeiling, "burden_ceiling")
        .before(json!({
            "village": before.village_monthly_max,
            "township": before.township_monthly_max,
            "other": before.other_monthly_max,
        }))
        .after(json!({ "village": village, "township": township, "other": other }));
    let (text, entry) = (&text, &entry);
    audit::with_retry(|| async move {
        let mut tx = app.store.begin().await?;
        store::set_ceilings(&mut tx, text).await?;
        entry.commit(tx, now).await
    })
    .await?;
    Ok(rules)
}

/// Sums of the ledger.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub struct Sums {
    /// Tasks (and later inspections, data requests) that reached an org, counted per org.
    pub items: i64,
    /// Questions asked of the orgs, counted per org.
    pub questions: i64,
    /// Questions the system answered instead.
    pub answered: i64,
    /// Questions asked although the system held the answer.
    pub asked_held: i64,
}

impl Sums {
    /// From the store's items, questions, answered, asked anyway.
    fn of(s: &rollup::Sums) -> Sums {
        Sums {
            items: s[0],
            questions: s[1],
            answered: s[2],
            asked_held: s[3],
        }
    }

    fn add_sums(&mut self, o: &Sums) {
        self.items += o.items;
        self.questions += o.questions;
        self.answered += o.answered;
        self.asked_held += o.asked_held;
    }
}

/// One level's line.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct LevelLine {
    pub level: BurdenLevel,
    pub ceiling: i64,
    /// Orgs of the level that received anything.
    pub orgs: i64,
    /// Of them, at the ceiling and over it.
    pub at: i64,
    pub over: i64,
    pub sums: Sums,
}

/// One issuing org's line.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct IssuerLine {
    pub org_id: i64,
    pub name: String,
    /// Orgs it reached.
    pub orgs: i64,
    pub sums: Sums,
}

/// One receiving org's line.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct OrgLine {
    pub org_id: i64,
    pub org: OrgRef,
    pub parent_name: String,
    pub level: BurdenLevel,
    pub ceiling: i64,
    pub load: Load,
    /// From how many issuing orgs.
    pub issuers: i64,
    pub sums: Sums,
}

/// The ledger of a subtree for a month.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Ledger {
    pub org: OrgRef,
    pub org_id: i64,
    pub month: String,
    pub ceilings: BurdenRules,
    pub totals: Sums,
    pub levels: Vec<LevelLine>,
    /// The heaviest issuers first.
    pub issuers: Vec<IssuerLine>,
    /// The most burdened orgs first (at most [`HEAVIEST`]).
    pub heaviest: Vec<OrgLine>,
    /// Orgs over their ceiling, in all.
    pub over: i64,
}

/// How many orgs the ledger lists.
pub const HEAVIEST: usize = 50;

/// A subtree with at most this many orgs reached in the month has them all read to find the
/// heaviest; a larger one reads the heaviest of each level in order.
const READ_ALL_AT_MOST: i64 = 2_000;

/// The ledger of `org`'s subtree for `month` (`YYYY-MM`).
pub async fn ledger(app: &App, org: &InScope<OrgRecord>, month: &str) -> Result<Ledger> {
    if chrono::NaiveDate::parse_from_str(&format!("{month}-01"), "%Y-%m-%d").is_err() {
        return Err(AppError::Input(format!(
            "月份应写成2026-12，填写的是“{month}”"
        )));
    }
    let ceilings = ceilings(app).await?;
    // The month counted up the tree (counted whole the first time it is read).
    let mut conn = app.store.acquire().await?;
    if !rollup::rolled(&mut conn, month).await? {
        drop(conn);
        let mut tx = app.store.begin().await?;
        rollup::ensure(&mut tx, month).await?;
        tx.commit().await?;
        conn = app.store.acquire().await?;
    }
    let buckets = rollup::buckets(&mut conn, org.org.id, month).await?;
    let issuer_rows = rollup::issuers(&mut conn, org.org.id, month).await?;
    // The most burdened: a small subtree's orgs all; a large one's, the heaviest of each
    // level read in order from the index (the heaviest overall are among them).
    let reached: i64 = buckets.iter().map(|b| b.orgs).sum();
    let candidates = if reached <= READ_ALL_AT_MOST {
        rollup::orgs(&mut conn, &org.subtree(), month).await?
    } else {
        let mut levels: Vec<&str> = buckets.iter().map(|b| b.level.as_str()).collect();
        levels.sort_unstable();
        levels.dedup();
        let mut all = Vec::new();
        for level in levels {
            all.extend(
                rollup::most(&mut conn, &org.subtree(), month, level, HEAVIEST as i64).await?,
            );
        }
        all
    };
    drop(conn);
    let level_of = |code: &str| BurdenLevel::from_code(code).unwrap_or(BurdenLevel::Other);
    let mut totals = Sums::default();
    let mut per_level: HashMap<BurdenLevel, LevelLine> = HashMap::new();
    for b in &buckets {
        let sums = Sums::of(&b.sums);
        totals.add_sums(&sums);
        let level = level_of(&b.level);
        let ceiling = ceilings.ceiling(level);
        let l = per_level.entry(level).or_insert(LevelLine {
            level,
            ceiling,
            orgs: 0,
            at: 0,
            over: 0,
            sums: Sums::default(),
        });
        l.orgs += b.orgs;
        l.sums.add_sums(&sums);
        match load(b.items, ceiling) {
            Load::At => l.at += b.orgs,
            Load::Over => l.over += b.orgs,
            Load::Under => {}
        }
    }
    let levels: Vec<LevelLine> = BurdenLevel::ALL
        .into_iter()
        .filter_map(|l| per_level.remove(&l))
        .collect();
    let over = levels.iter().map(|l| l.over).sum();
    // The most burdened first: furthest above the ceiling, then by items, then the latest
    // org; only those listed are read further.
    let mut ranked: Vec<(i64, Sums, BurdenLevel)> = candidates
        .iter()
        .map(|o| (o.org_id, Sums::of(&o.sums), level_of(&o.level)))
        .collect();
    ranked.sort_by(|a, b| {
        (b.1.items - ceilings.ceiling(b.2))
            .cmp(&(a.1.items - ceilings.ceiling(a.2)))
            .then(b.1.items.cmp(&a.1.items))
            .then(b.0.cmp(&a.0))
    });
    ranked.truncate(HEAVIEST);
    let listed: Vec<i64> = ranked.iter().map(|r| r.0).collect();
    let mut conn = app.store.acquire().await?;
    let issuer_counts = rollup::issuer_counts(&mut conn, &listed, month).await?;
    let orgs: HashMap<i64, OrgRecord> = jiceng_store::orgs::by_ids(&mut conn, &listed)
        .await?
        .into_iter()
        .map(|o| (o.org.id, o))
        .collect();
    let mut more: Vec<i64> = orgs.values().filter_map(|o| o.org.parent_id).collect();
    more.extend(issuer_rows.iter().map(|i| i.issuer_id));
    more.sort_unstable();
    more.dedup();
    let names: HashMap<i64, String> = jiceng_store::orgs::by_ids(&mut conn, &more)
        .await?
        .into_iter()
        .map(|o| (o.org.id, o.org.name))
        .collect();
    drop(conn);
    let lines: Vec<OrgLine> = ranked
        .into_iter()
        .filter_map(|(id, sums, level)| {
            let o = orgs.get(&id)?;
            let issuers = issuer_counts.get(&id).copied().unwrap_or(0);
            let ceiling = ceilings.ceiling(level);
            Some(OrgLine {
                org_id: id,
                org: OrgRef::of(&o.org),
                parent_name: o
                    .org
                    .parent_id
                    .and_then(|p| names.get(&p).cloned())
                    .unwrap_or_default(),
                level,
                ceiling,
                load: load(sums.items, ceiling),
                issuers,
                sums,
            })
        })
        .collect();
    let mut issuers: Vec<IssuerLine> = issuer_rows
        .iter()
        .map(|i| IssuerLine {
            org_id: i.issuer_id,
            name: names
                .get(&i.issuer_id)
                .cloned()
                .unwrap_or_else(|| format!("党组织{}", i.issuer_id)),
            orgs: i.orgs,
            sums: Sums::of(&i.sums),
        })
        .collect();
    issuers.sort_by(|a, b| {
        b.sums
            .items
            .cmp(&a.sums.items)
            .then(a.org_id.cmp(&b.org_id))
    });
    Ok(Ledger {
        org: org.org_ref(),
        org_id: org.org.id,
        month: month.to_string(),
        ceilings,
        totals,
        levels,
        issuers,
        heaviest: lines,
        over,
    })
}
