//! 减负台账 (SPEC C6): what reached the orgs of a subtree in a month — tasks by issuing
//! org, the questions asked, those the system answered instead ("最多报一次") and those
//! asked although it held the answer — against the monthly ceiling of each level. The
//! ceilings are rule data (`RuleSet::burden`, a local example shipped) that the department
//! may replace (`app_setting`), audited.

use std::collections::HashMap;

use chrono::NaiveDate;
use jiceng_domain::rules::BurdenRules;
use jiceng_domain::task::{load, BurdenLevel, Load};
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
    fn add(&mut self, r: &store::BurdenRow) {
        self.items += r.items;
        self.questions += r.questions;
        self.answered += r.answered;
        self.asked_held += r.asked_held;
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

/// The ledger of `org`'s subtree for `month` (`YYYY-MM`).
pub async fn ledger(app: &App, org: &InScope<OrgRecord>, month: &str) -> Result<Ledger> {
    if chrono::NaiveDate::parse_from_str(&format!("{month}-01"), "%Y-%m-%d").is_err() {
        return Err(AppError::Input(format!(
            "月份应写成2026-12，填写的是“{month}”"
        )));
    }
    let ceilings = ceilings(app).await?;
    let mut conn = app.store.acquire().await?;
    let rows = store::burden(&mut conn, &org.subtree(), month).await?;
    drop(conn);
    let mut totals = Sums::default();
    // Per receiving org: its sums, how many issuers, its level (kept on its rows).
    let mut per_org: HashMap<i64, (Sums, i64, BurdenLevel)> = HashMap::new();
    let mut per_issuer: HashMap<i64, (Sums, i64)> = HashMap::new();
    for r in &rows {
        totals.add(r);
        let level = BurdenLevel::from_code(&r.level).unwrap_or(BurdenLevel::Other);
        let o = per_org
            .entry(r.org_id)
            .or_insert_with(|| (Sums::default(), 0, level));
        o.0.add(r);
        o.1 += 1;
        let i = per_issuer.entry(r.issuer_id).or_default();
        i.0.add(r);
        i.1 += 1;
    }
    let loaded = |sums: &Sums, level: BurdenLevel| load(sums.items, ceilings.ceiling(level));
    let levels = BurdenLevel::ALL
        .into_iter()
        .filter_map(|level| {
            let of: Vec<&(Sums, i64, BurdenLevel)> =
                per_org.values().filter(|o| o.2 == level).collect();
            if of.is_empty() {
                return None;
            }
            let mut sums = Sums::default();
            for o in &of {
                sums.items += o.0.items;
                sums.questions += o.0.questions;
                sums.answered += o.0.answered;
                sums.asked_held += o.0.asked_held;
            }
            Some(LevelLine {
                level,
                ceiling: ceilings.ceiling(level),
                orgs: of.len() as i64,
                at: of
                    .iter()
                    .filter(|o| loaded(&o.0, level) == Load::At)
                    .count() as i64,
                over: of
                    .iter()
                    .filter(|o| loaded(&o.0, level) == Load::Over)
                    .count() as i64,
                sums,
            })
        })
        .collect();
    let over = per_org
        .values()
        .filter(|o| loaded(&o.0, o.2) == Load::Over)
        .count() as i64;
    // The most burdened first: furthest above the ceiling, then by items; only those
    // listed are read (a province's month reaches every village).
    let mut ranked: Vec<(i64, Sums, i64, BurdenLevel)> = per_org
        .into_iter()
        .map(|(id, (sums, issuers, level))| (id, sums, issuers, level))
        .collect();
    ranked.sort_by(|a, b| {
        (b.1.items - ceilings.ceiling(b.3))
            .cmp(&(a.1.items - ceilings.ceiling(a.3)))
            .then(b.1.items.cmp(&a.1.items))
            .then(a.0.cmp(&b.0))
    });
    ranked.truncate(HEAVIEST);
    let listed: Vec<i64> = ranked.iter().map(|r| r.0).collect();
    let mut conn = app.store.acquire().await?;
    let orgs: HashMap<i64, OrgRecord> = jiceng_store::orgs::by_ids(&mut conn, &listed)
        .await?
        .into_iter()
        .map(|o| (o.org.id, o))
        .collect();
    let mut more: Vec<i64> = orgs.values().filter_map(|o| o.org.parent_id).collect();
    more.extend(per_issuer.keys().copied());
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
        .filter_map(|(id, sums, issuers, level)| {
            let o = orgs.get(&id)?;
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
    let mut issuers: Vec<IssuerLine> = per_issuer
        .into_iter()
        .map(|(id, (sums, orgs))| IssuerLine {
            org_id: id,
            name: names
                .get(&id)
                .cloned()
                .unwrap_or_else(|| format!("党组织{id}")),
            orgs,
            sums,
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
