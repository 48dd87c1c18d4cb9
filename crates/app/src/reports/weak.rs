//! The weak-org report (软弱涣散基层党组织排查, SPEC C5): every org of a subtree with a
//! weakness in a year — suspected from its signals now, or confirmed or dismissed by the
//! organization department — each weakness with its status and the signals and evidence
//! behind it. Also the summary by kind and by region for pages.
//!
//! Diagnosed from stored facts at the time of asking (`rating::gather`: a few path-range
//! reads), with the stored decisions laid over: a decided weakness keeps its status; its
//! signals are today's if it still fires, else those the decision saw. A suspicion whose
//! signals have gone (the records were put right) is not listed.

use std::collections::{BTreeMap, HashMap};

use chrono::NaiveDate;
use jiceng_domain::weakness::{diagnose, SignalState, WeakTally};
use jiceng_domain::Signal;
use jiceng_domain::{path, Decision, SignalRule, WeaknessKind};
use jiceng_io::{OutCell, Sheet};
use jiceng_store::orgs as org_store;
use jiceng_store::weak::{self as weak_store, StoredWeakness};
use jiceng_store::Scope;
use serde::Serialize;

use super::OrgRef;
use crate::access::InScope;
use crate::rating::{check_year, gather, indicator_book, note};
use crate::weak::SignalItem;
use crate::{App, AppError, OrgRecord, Result};

/// The report; its JSON is exactly `{"org", "year", "weak": [{"org": {"code","name"},
/// "weaknesses": [{"kind", "status", "signals": [{"rule", "evidence"}]}]}]}`.
#[derive(Debug, Clone, Serialize)]
pub struct WeakReport {
    pub org: OrgRef,
    pub year: i32,
    pub weak: Vec<WeakOrg>,
    /// The day judged.
    #[serde(skip)]
    pub as_of: NaiveDate,
    /// Orgs diagnosed.
    #[serde(skip)]
    pub diagnosed: usize,
    /// For each rule, how many orgs it could not judge for want of data (暂无数据).
    #[serde(skip)]
    pub no_data: Vec<(SignalRule, WeaknessKind, usize)>,
    /// Read from what the last rating run stored (a subtree above [`LIVE_MAX_ORGS`]),
    /// not diagnosed now; `no_data` is then unknown (empty).
    #[serde(skip)]
    pub stored: bool,
}

/// Above this many orgs the report reads the weaknesses the last rating run stored (each
/// with its signals, and the department's decisions) instead of diagnosing every org at
/// the time of asking: live, a county takes a fifth of a second and a province over half
/// a minute (docs/PERFORMANCE.md).
pub const LIVE_MAX_ORGS: i64 = 20_000;

#[derive(Debug, Clone, Serialize)]
pub struct WeakOrg {
    pub org: OrgRef,
    pub weaknesses: Vec<WeakItem>,
    #[serde(skip)]
    pub path: String,
}

#[derive(Debug, Clone, Serialize)]
pub struct WeakItem {
    /// GLOSSARY name, e.g. "Paralysis".
    pub kind: &'static str,
    /// suspected, confirmed or dismissed.
    pub status: &'static str,
    pub signals: Vec<SignalItem>,
}

/// The weak orgs of the subtree of `root` (resolved in the actor's scope) in `year`.
pub async fn run(app: &App, root: &InScope<OrgRecord>, year: i32) -> Result<WeakReport> {
    run_with_limit(app, root, year, LIVE_MAX_ORGS).await
}

/// The report, diagnosed live when the subtree has at most `live_max_orgs` orgs (or
/// nothing was rated for the year), else from the stored weaknesses.
pub async fn run_with_limit(
    app: &App,
    root: &InScope<OrgRecord>,
    year: i32,
    live_max_orgs: i64,
) -> Result<WeakReport> {
    check_year(app, year)?;
    let scope = root.subtree();
    let mut conn = app.store.acquire().await?;
    let size = jiceng_store::facts::totals(&mut conn, root.org.id)
        .await?
        .map_or(0, |t| t.orgs);
    if size > live_max_orgs {
        // The subtree's rated orgs, from the root's stored stars counts.
        let rated: i64 = jiceng_store::rating_tally::read(&mut conn, year, &[root.org.id])
            .await?
            .values()
            .flat_map(|d| d.values())
            .sum();
        if rated > 0 {
            return from_stored(&mut conn, root, &scope, year, rated as usize).await;
        }
    }
    drop(conn);
    let book = indicator_book(app).await?;
    let g = gather(app, root, year).await?;
    let mut conn = app.store.acquire().await?;
    let stored = weak_store::list(&mut conn, &scope, year).await?;
    drop(conn);
    let decided = decisions(stored);
    let mut no_data: BTreeMap<(SignalRule, WeaknessKind), usize> = BTreeMap::new();
    let mut weak = Vec::new();
    let mut diagnosed = 0;
    for i in 0..g.orgs.len() {
        let Some(f) = g.facts(i) else { continue };
        let o = &g.orgs[i];
        let set = book
            .for_domain(o.domain, g.as_of)
            .ok_or_else(|| AppError::Input("没有可用的评定指标体系".into()))?;
        let signals = diagnose(&f, set, &app.rules);
        diagnosed += 1;
        for s in signals.iter().filter(|s| s.state == SignalState::NoData) {
            *no_data.entry((s.rule, s.kind)).or_default() += 1;
        }
        let items = weaknesses_of(&signals, decided.get(&o.id));
        if !items.is_empty() {
            weak.push(WeakOrg {
                org: OrgRef {
                    code: o.code.clone(),
                    name: o.name.clone(),
                },
                weaknesses: items,
                path: o.path.clone(),
            });
        }
    }
    Ok(WeakReport {
        org: OrgRef::of(&root.org),
        year,
        weak,
        as_of: g.as_of,
        diagnosed,
        no_data: no_data.into_iter().map(|((r, k), n)| (r, k, n)).collect(),
        stored: false,
    })
}

/// The department's decisions (confirmed, dismissed) among the stored weaknesses, by org.
pub(crate) fn decisions(
    stored: Vec<StoredWeakness>,
) -> HashMap<i64, BTreeMap<WeaknessKind, StoredWeakness>> {
    let mut decided: HashMap<i64, BTreeMap<WeaknessKind, StoredWeakness>> = HashMap::new();
    for w in stored {
        if w.status != Decision::Suspected {
            decided.entry(w.org_id).or_default().insert(w.kind, w);
        }
    }
    decided
}

/// The status of an org's weakness of `kind` from its signals of now with its decision laid
/// over (see the module doc): as decided, else suspected when a signal fires, else none.
pub(crate) fn status_of(
    kind: WeaknessKind,
    signals: &[Signal],
    decision: Option<&StoredWeakness>,
) -> Option<Decision> {
    let fired = signals
        .iter()
        .any(|s| s.kind == kind && s.state == SignalState::Fired);
    match decision {
        Some(d) => Some(d.status),
        None => fired.then_some(Decision::Suspected),
    }
}

/// An org's weaknesses from its signals of now with its decisions laid over, in the order
/// of the kinds: each with today's signals when they fire, else those the decision saw.
pub(crate) fn weaknesses_of(
    signals: &[Signal],
    mine: Option<&BTreeMap<WeaknessKind, StoredWeakness>>,
) -> Vec<WeakItem> {
    let mut items = Vec::new();
    for kind in WeaknessKind::ALL {
        let decision = mine.and_then(|m| m.get(&kind));
        let Some(status) = status_of(kind, signals, decision) else {
            continue;
        };
        let fired: Vec<SignalItem> = signals
            .iter()
            .filter(|s| s.kind == kind && s.state == SignalState::Fired)
            .map(|s| SignalItem::of(&note(s)))
            .collect();
        let signals = match decision {
            Some(d) if fired.is_empty() => d.signals.iter().map(SignalItem::of).collect(),
            _ => fired,
        };
        items.push(WeakItem {
            kind: kind.code(),
            status: status.code(),
            signals,
        });
    }
    items
}

/// The summary of a subtree's weak orgs as its scorecard build counted them
/// ([`WeakTally`]: diagnosed then, with the decisions of then), without regions.
pub fn summary_of_tally(org: OrgRef, year: i32, as_of: NaiveDate, t: &WeakTally) -> WeakSummary {
    let by_kind = WeaknessKind::ALL
        .iter()
        .zip(t.by_kind)
        .filter(|(_, n)| n.iter().any(|x| *x > 0))
        .map(|(k, [suspected, confirmed, dismissed])| KindRow {
            kind: k.code(),
            label: k.label(),
            suspected,
            confirmed,
            dismissed,
        })
        .collect();
    WeakSummary {
        org,
        year,
        as_of,
        diagnosed: t.diagnosed as usize,
        weak_orgs: t.weak_orgs as usize,
        by_kind,
        by_region: Vec::new(),
    }
}

/// The report from the stored weaknesses of `year` (what `jiceng rate` diagnosed, with the
/// decisions since), in tree order; `rated` orgs were diagnosed.
async fn from_stored(
    conn: &mut jiceng_store::Conn,
    root: &org_store::StoredOrg,
    scope: &Scope,
    year: i32,
    rated: usize,
) -> Result<WeakReport> {
    let rows = weak_store::list(conn, scope, year).await?;
    let mut ids: Vec<i64> = rows.iter().map(|w| w.org_id).collect();
    ids.dedup();
    let refs: HashMap<i64, OrgRef> = org_store::by_ids(conn, &ids)
        .await?
        .into_iter()
        .map(|o| (o.org.id, OrgRef::of(&o.org)))
        .collect();
    let as_of = rows
        .iter()
        .map(|w| w.diagnosed_on)
        .max()
        .unwrap_or(root.facts.facts_on.unwrap_or_default());
    let mut weak: Vec<WeakOrg> = Vec::new();
    for w in rows {
        let item = WeakItem {
            kind: w.kind.code(),
            status: w.status.code(),
            signals: w.signals.iter().map(SignalItem::of).collect(),
        };
        match weak.last_mut() {
            Some(last) if last.path == w.org_path => last.weaknesses.push(item),
            _ => {
                let Some(org) = refs.get(&w.org_id) else {
                    continue;
                };
                weak.push(WeakOrg {
                    org: org.clone(),
                    weaknesses: vec![item],
                    path: w.org_path.clone(),
                });
            }
        }
    }
    let order = |code: &str| WeaknessKind::ALL.iter().position(|k| k.code() == code);
    for w in &mut weak {
        w.weaknesses.sort_by_key(|i| order(i.kind));
    }
    Ok(WeakReport {
        org: OrgRef::of(&root.org),
        year,
        weak,
        as_of,
        diagnosed: rated,
        no_data: Vec::new(),
        stored: true,
    })
}

fn kind_label(code: &str) -> &'static str {
    WeaknessKind::from_code(code)
        .map(|k| k.label())
        .unwrap_or("")
}

fn rule_label(code: &str) -> &'static str {
    SignalRule::from_code(code).map(|r| r.label()).unwrap_or("")
}

fn status_label(code: &str) -> &'static str {
    Decision::from_code(code).map(|d| d.label()).unwrap_or("")
}

impl WeakReport {
    /// Orgs with at least one weakness not dismissed.
    pub fn weak_orgs(&self) -> usize {
        self.weak
            .iter()
            .filter(|w| w.weaknesses.iter().any(|x| x.status != "dismissed"))
            .count()
    }

    /// Counts by kind: (kind, suspected, confirmed, dismissed).
    pub fn by_kind(&self) -> Vec<KindRow> {
        let mut m: BTreeMap<WeaknessKind, KindRow> = BTreeMap::new();
        for w in &self.weak {
            for x in &w.weaknesses {
                let Some(k) = WeaknessKind::from_code(x.kind) else {
                    continue;
                };
                let row = m.entry(k).or_insert_with(|| KindRow {
                    kind: k.code(),
                    label: k.label(),
                    ..Default::default()
                });
                match x.status {
                    "confirmed" => row.confirmed += 1,
                    "dismissed" => row.dismissed += 1,
                    _ => row.suspected += 1,
                }
            }
        }
        m.into_values().collect()
    }

    pub fn to_sheets(&self) -> Vec<Sheet> {
        let mut rows = Vec::new();
        for w in &self.weak {
            for x in &w.weaknesses {
                for s in &x.signals {
                    rows.push(vec![
                        OutCell::Text(w.org.code.clone()),
                        OutCell::Text(w.org.name.clone()),
                        OutCell::Text(kind_label(x.kind).into()),
                        OutCell::Text(status_label(x.status).into()),
                        OutCell::Text(rule_label(s.rule).into()),
                        OutCell::Text(s.evidence.clone()),
                    ]);
                }
            }
        }
        let kinds: Vec<Vec<OutCell>> = self
            .by_kind()
            .iter()
            .map(|k| {
                vec![
                    OutCell::Text(k.label.into()),
                    OutCell::Int(k.suspected),
                    OutCell::Int(k.confirmed),
                    OutCell::Int(k.dismissed),
                ]
            })
            .collect();
        let no_data: Vec<Vec<OutCell>> = self
            .no_data
            .iter()
            .map(|(r, k, n)| {
                vec![
                    OutCell::Text(k.label().into()),
                    OutCell::Text(r.label().into()),
                    OutCell::Int(*n as i64),
                ]
            })
            .collect();
        vec![
            Sheet {
                name: "问题清单".into(),
                title: format!(
                    "{} {}年度软弱涣散基层党组织排查（截至{}；排查{}个，存在问题{}个）",
                    self.org.name,
                    self.year,
                    self.as_of,
                    self.diagnosed,
                    self.weak_orgs()
                ),
                headers: ["组织代码", "党组织", "问题类型", "状态", "问题信号", "依据"]
                    .map(String::from)
                    .to_vec(),
                rows,
            },
            Sheet {
                name: "按类型统计".into(),
                title: format!("{} {}年度软弱涣散问题按类型统计", self.org.name, self.year),
                headers: ["问题类型", "疑似", "已确定", "已排除"]
                    .map(String::from)
                    .to_vec(),
                rows: kinds,
            },
            Sheet {
                name: "暂无数据".into(),
                title: format!(
                    "{} {}年度无法判断的信号（暂无数据，不等于没有问题）",
                    self.org.name, self.year
                ),
                headers: ["问题类型", "信号", "暂无数据的党组织数"]
                    .map(String::from)
                    .to_vec(),
                rows: no_data,
            },
        ]
    }
}

#[derive(Debug, Clone, Default, Serialize)]
pub struct KindRow {
    pub kind: &'static str,
    pub label: &'static str,
    pub suspected: i64,
    pub confirmed: i64,
    pub dismissed: i64,
}

/// Weak orgs by kind and by region (the root's direct children), for the department's
/// pages.
#[derive(Debug, Clone, Serialize)]
pub struct WeakSummary {
    pub org: OrgRef,
    pub year: i32,
    pub as_of: NaiveDate,
    pub diagnosed: usize,
    /// Orgs with a weakness not dismissed.
    pub weak_orgs: usize,
    pub by_kind: Vec<KindRow>,
    pub by_region: Vec<RegionRow>,
}

#[derive(Debug, Clone, Serialize)]
pub struct RegionRow {
    pub org: OrgRef,
    /// The child's id (a page filters its list by it).
    #[serde(skip)]
    pub id: i64,
    pub weak_orgs: usize,
    pub by_kind: Vec<KindRow>,
}

/// The report of `root` and `year`, summed up by kind and by region.
pub async fn summary(app: &App, root: &InScope<OrgRecord>, year: i32) -> Result<WeakSummary> {
    let r = run(app, root, year).await?;
    summarize(app, root, &r).await
}

/// The summary of a report already run for `root` (a page shows both without diagnosing
/// twice).
pub async fn summarize(
    app: &App,
    root: &InScope<OrgRecord>,
    r: &WeakReport,
) -> Result<WeakSummary> {
    let year = r.year;
    let mut conn = app.store.acquire().await?;
    let children = org_store::children(&mut conn, &root.subtree(), root.org.id).await?;
    drop(conn);
    let depth = path::depth(&root.path);
    let mut by_region = Vec::new();
    for c in &children {
        let part = WeakReport {
            weak: r
                .weak
                .iter()
                .filter(|w| path::ids(&w.path).get(depth) == Some(&c.org.id))
                .cloned()
                .collect(),
            ..r.clone()
        };
        if !part.weak.is_empty() {
            by_region.push(RegionRow {
                org: OrgRef::of(&c.org),
                id: c.org.id,
                weak_orgs: part.weak_orgs(),
                by_kind: part.by_kind(),
            });
        }
    }
    Ok(WeakSummary {
        org: r.org.clone(),
        year,
        as_of: r.as_of,
        diagnosed: r.diagnosed,
        weak_orgs: r.weak_orgs(),
        by_kind: r.by_kind(),
        by_region,
    })
}
