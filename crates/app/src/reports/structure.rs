//! The structure report (SPEC C1): every anomaly in a subtree with its rule and facts.

use std::collections::{BTreeMap, HashMap};

use chrono::NaiveDate;
use jiceng_domain::structure::{check_org, missing, MissingFact};
use jiceng_domain::AnomalyRule;
use jiceng_io::{OutCell, Sheet};
use jiceng_store::orgs as org_store;
use jiceng_store::{facts, Scope};
use serde::Serialize;

use super::OrgRef;
use crate::access::InScope;
use crate::{App, OrgRecord, Result};

#[derive(Debug, Clone, Serialize)]
pub struct StructureReport {
    pub org: OrgRef,
    pub as_of: NaiveDate,
    /// The day the stored member counts were computed for.
    pub facts_on: Option<NaiveDate>,
    pub orgs: usize,
    /// Count of anomalies by rule (GLOSSARY name).
    pub counts: BTreeMap<String, usize>,
    pub anomalies: Vec<AnomalyItem>,
    /// Live orgs whose check could not be made for want of a record (暂无数据), by
    /// `MissingFact` code: no secretary on record, 是否设立支委会 not stated, no election
    /// on record.
    pub missing: Option<BTreeMap<String, usize>>,
}

#[derive(Debug, Clone, Serialize)]
pub struct AnomalyItem {
    pub org: OrgRef,
    /// The org's id (a page links by it).
    #[serde(skip)]
    pub org_id: i64,
    pub kind: String,
    pub rule: String,
    pub label: String,
    pub detail: serde_json::Value,
}

/// Checks every live org of the subtree of `root` (resolved in the actor's scope) on
/// `as_of`.
pub async fn run(
    app: &App,
    root: &InScope<OrgRecord>,
    as_of: NaiveDate,
) -> Result<StructureReport> {
    run_limited(app, root, as_of, None).await
}

/// The report with at most `limit` anomalies listed (the counts are always complete).
///
/// When every org of the subtree had its anomalies stored on `as_of` with the rules this
/// app runs (`facts::refresh`, SCALE.md), the counts are one stored row and the list a
/// path-range read; otherwise each live org is checked here.
pub async fn run_limited(
    app: &App,
    root: &InScope<OrgRecord>,
    as_of: NaiveDate,
    limit: Option<usize>,
) -> Result<StructureReport> {
    if let Some(r) = stored(app, root, as_of, limit).await? {
        return Ok(r);
    }
    checked(app, root, as_of, limit).await
}

/// The report checked here, org by org, whatever is stored (the fallback, and what the
/// stored anomalies are tested against).
pub async fn live(
    app: &App,
    root: &InScope<OrgRecord>,
    as_of: NaiveDate,
    limit: Option<usize>,
) -> Result<StructureReport> {
    checked(app, root, as_of, limit).await
}

async fn stored(
    app: &App,
    root: &org_store::StoredOrg,
    as_of: NaiveDate,
    limit: Option<usize>,
) -> Result<Option<StructureReport>> {
    let mut conn = app.store.acquire().await?;
    if app.rules.sets() == facts::shipped_rules().sets() {
        if let Some(t) = facts::totals(&mut conn, root.org.id).await? {
            if t.checked_on == Some(as_of) {
                let list = facts::anomalies(
                    &mut conn,
                    &Scope::subtree(&root.path),
                    limit.map(|n| n as i64),
                )
                .await?;
                let mut counts: BTreeMap<String, usize> = AnomalyRule::ALL
                    .iter()
                    .map(|r| (r.code().to_string(), 0))
                    .collect();
                let mut missing: BTreeMap<String, usize> = MissingFact::ALL
                    .iter()
                    .map(|m| (m.code().to_string(), 0))
                    .collect();
                for (rule, n) in &t.anomalies {
                    let n = (*n).max(0) as usize;
                    match rule.strip_prefix(facts::MISSING_PREFIX) {
                        Some(m) => *missing.entry(m.to_string()).or_default() += n,
                        None => *counts.entry(rule.clone()).or_default() += n,
                    }
                }
                return Ok(Some(StructureReport {
                    org: OrgRef::of(&root.org),
                    as_of,
                    facts_on: root.facts.facts_on,
                    orgs: t.orgs as usize,
                    counts,
                    missing: Some(missing),
                    anomalies: list
                        .into_iter()
                        .map(|a| AnomalyItem {
                            org_id: a.org_id,
                            org: OrgRef {
                                code: a.code,
                                name: a.name,
                            },
                            kind: a.kind.label().to_string(),
                            rule: a.rule.code().to_string(),
                            label: a.rule.label().to_string(),
                            detail: a.detail,
                        })
                        .collect(),
                }));
            }
        }
    }
    Ok(None)
}

async fn checked(
    app: &App,
    root: &org_store::StoredOrg,
    as_of: NaiveDate,
    limit: Option<usize>,
) -> Result<StructureReport> {
    let rules = app.rules.in_force(as_of);
    let mut conn = app.store.acquire().await?;
    let subtree = Scope::subtree(&root.path);
    let mut orgs = org_store::list(&mut conn, &subtree).await?;
    let parent_of_root = match root.org.parent_id {
        Some(p) => org_store::get(&mut conn, &Scope::All, p)
            .await?
            .map(|o| o.org.kind),
        None => None,
    };
    // The dated facts of every org, read as of the report's day.
    let histories = jiceng_store::history::in_scope(&mut conn, &subtree).await?;
    // Member counts as of a day other than the stored facts' day are counted again:
    // members joined by then and not exited by then, rolled up the tree (SPEC C1 and
    // issue 12 point 7). Units covered are today's (units carry no dates).
    if root.facts.facts_on != Some(as_of) {
        let counts = jiceng_store::members::on_day(&mut conn, &subtree, as_of).await?;
        recount(&mut orgs, &counts);
    }
    drop(conn);
    let kinds: HashMap<i64, jiceng_domain::OrgKind> =
        orgs.iter().map(|o| (o.org.id, o.org.kind)).collect();
    let mut anomalies = Vec::new();
    let mut counts: BTreeMap<String, usize> = AnomalyRule::ALL
        .iter()
        .map(|r| (r.code().to_string(), 0))
        .collect();
    let mut missing_counts: BTreeMap<String, usize> = MissingFact::ALL
        .iter()
        .map(|m| (m.code().to_string(), 0))
        .collect();
    let empty = jiceng_domain::OrgHistory::default();
    for o in orgs.iter().filter(|o| facts::live_on(&o.org, as_of)) {
        let parent_kind = if o.org.id == root.org.id {
            parent_of_root
        } else {
            o.org.parent_id.and_then(|p| kinds.get(&p).copied())
        };
        let history = histories.get(&o.org.id).unwrap_or(&empty);
        let f = facts::org_facts(o, parent_kind, history, as_of);
        for m in missing(&f, rules, as_of) {
            *missing_counts.entry(m.code().to_string()).or_default() += 1;
        }
        for a in check_org(&f, rules, as_of) {
            *counts.entry(a.rule.code().to_string()).or_default() += 1;
            if limit.is_some_and(|n| anomalies.len() >= n) {
                continue;
            }
            anomalies.push(AnomalyItem {
                org_id: o.org.id,
                org: OrgRef::of(&o.org),
                kind: o.org.kind.label().to_string(),
                rule: a.rule.code().to_string(),
                label: a.rule.label().to_string(),
                detail: a.detail,
            });
        }
    }
    Ok(StructureReport {
        org: OrgRef::of(&root.org),
        as_of,
        facts_on: root.facts.facts_on,
        orgs: orgs.len(),
        counts,
        anomalies,
        missing: Some(missing_counts),
    })
}

/// Replaces the stored member counts with those of another day, direct and subtree.
fn recount(
    orgs: &mut [org_store::StoredOrg],
    counts: &HashMap<i64, jiceng_store::members::MembersOnDay>,
) {
    let index: HashMap<i64, usize> = orgs
        .iter()
        .enumerate()
        .map(|(i, o)| (o.org.id, i))
        .collect();
    for o in orgs.iter_mut() {
        let c = counts.get(&o.org.id).copied().unwrap_or_default();
        let (m, f) = (c.members, c.full);
        o.facts.direct_members = m;
        o.facts.direct_full = f;
        o.facts.subtree_members = m;
        o.facts.subtree_full = f;
    }
    // Deepest first, each org's finished subtree added to its parent.
    let mut order: Vec<usize> = (0..orgs.len()).collect();
    order.sort_by_key(|i| std::cmp::Reverse(orgs[*i].depth));
    for i in order {
        let Some(p) = orgs[i].org.parent_id.and_then(|p| index.get(&p).copied()) else {
            continue;
        };
        let (m, f) = (orgs[i].facts.subtree_members, orgs[i].facts.subtree_full);
        orgs[p].facts.subtree_members += m;
        orgs[p].facts.subtree_full += f;
    }
}

impl StructureReport {
    pub fn to_sheets(&self) -> Vec<Sheet> {
        let summary = Sheet {
            name: "汇总".into(),
            title: format!("{} 组织设置情况（截至{}）", self.org.name, self.as_of),
            headers: vec!["问题".into(), "规则代码".into(), "数量".into()],
            rows: AnomalyRule::ALL
                .iter()
                .map(|r| {
                    vec![
                        OutCell::Text(r.label().into()),
                        OutCell::Text(r.code().into()),
                        OutCell::Int(*self.counts.get(r.code()).unwrap_or(&0) as i64),
                    ]
                })
                .chain(self.missing.iter().flat_map(|m| {
                    MissingFact::ALL.iter().map(move |f| {
                        vec![
                            OutCell::Text(format!("暂无数据：{}", f.label())),
                            OutCell::Text(f.code().into()),
                            OutCell::Int(*m.get(f.code()).unwrap_or(&0) as i64),
                        ]
                    })
                }))
                .collect(),
        };
        let list = Sheet {
            name: "问题清单".into(),
            title: format!(
                "{} 组织设置问题清单（截至{}，共{}条）",
                self.org.name,
                self.as_of,
                self.anomalies.len()
            ),
            headers: vec![
                "组织代码".into(),
                "组织名称".into(),
                "组织类别".into(),
                "问题".into(),
                "详情".into(),
            ],
            rows: self
                .anomalies
                .iter()
                .map(|a| {
                    vec![
                        OutCell::Text(a.org.code.clone()),
                        OutCell::Text(a.org.name.clone()),
                        OutCell::Text(a.kind.clone()),
                        OutCell::Text(a.label.clone()),
                        OutCell::Text(describe(&a.detail)),
                    ]
                })
                .collect(),
        };
        vec![summary, list]
    }
}

/// An anomaly's details as a sentence an official reads ("党员52名，超过50名"), from the
/// figures the rule recorded; figures of an unknown shape as 名称：值 pairs.
pub fn describe(detail: &serde_json::Value) -> String {
    let Some(map) = detail.as_object() else {
        return detail.to_string();
    };
    let int = |k: &str| map.get(k).and_then(|v| v.as_i64());
    let text = |k: &str| map.get(k).and_then(|v| v.as_str()).map(str::to_string);
    let kind = |k: &str| {
        text(k).map(|s| {
            jiceng_domain::OrgKind::from_code(&s)
                .map(|k| k.label().to_string())
                .unwrap_or(s)
        })
    };
    let has = |keys: &[&str]| map.len() == keys.len() && keys.iter().all(|k| map.contains_key(*k));
    let sentence = if has(&["parent_kind", "kind"]) {
        kind("parent_kind")
            .zip(kind("kind"))
            .map(|(p, k)| format!("上级为{p}，本级为{k}（下级组织的层级应低于上级）"))
    } else if has(&["members", "limit"]) {
        int("members")
            .zip(int("limit"))
            .map(|(m, l)| format!("党员{m}名，超过{l}名"))
    } else if has(&["full", "minimum"]) {
        int("full")
            .zip(int("minimum"))
            .map(|(f, l)| format!("正式党员{f}名，少于{l}名"))
    } else if has(&["members", "min", "max"]) {
        match (int("members"), int("min"), int("max")) {
            (Some(m), Some(a), Some(b)) => Some(format!("党员{m}名，不在{a}至{b}名之间")),
            _ => None,
        }
    } else if has(&["units", "limit"]) {
        int("units")
            .zip(int("limit"))
            .map(|(u, l)| format!("联合覆盖{u}个单位，超过{l}个"))
    } else if has(&["full", "threshold"]) {
        int("full")
            .zip(int("threshold"))
            .map(|(f, t)| format!("正式党员{f}名，{t}名以上应设立支部委员会"))
    } else if has(&["term_years", "since", "ends_on", "overdue_days"]) {
        match (
            int("term_years"),
            text("since"),
            text("ends_on"),
            int("overdue_days"),
        ) {
            (Some(y), Some(s), Some(e), Some(d)) => {
                Some(format!("任期{y}年，自{s}起，应于{e}换届，已超期{d}天"))
            }
            _ => None,
        }
    } else if has(&["term_years", "ends_on", "days_left"]) {
        match (int("term_years"), text("ends_on"), int("days_left")) {
            (Some(y), Some(e), Some(d)) => Some(format!("任期{y}年，应于{e}换届，还有{d}天")),
            _ => None,
        }
    } else if has(&["since", "days"]) {
        text("since")
            .zip(int("days"))
            .map(|(s, d)| format!("书记自{s}起空缺，已{d}天"))
    } else if has(&["members", "suggested_kind"]) {
        int("members")
            .zip(kind("suggested_kind"))
            .map(|(m, k)| format!("党员{m}名，应调整为{k}"))
    } else {
        None
    };
    sentence.unwrap_or_else(|| pairs(map))
}

/// Figures of an unknown shape, each named in Chinese where the name is known.
fn pairs(map: &serde_json::Map<String, serde_json::Value>) -> String {
    fn name(k: &str) -> &str {
        match k {
            "members" => "党员数",
            "full" => "正式党员数",
            "limit" | "max" => "上限",
            "minimum" | "min" => "下限",
            "threshold" => "标准",
            "units" => "覆盖单位数",
            "parent_kind" => "上级类别",
            "kind" => "本级类别",
            "term_years" => "任期(年)",
            "since" => "起始",
            "ends_on" => "届满日期",
            "overdue_days" => "超期天数",
            "days_left" => "剩余天数",
            "days" => "空缺天数",
            "suggested_kind" => "建议升格为",
            other => other,
        }
    }
    map.iter()
        .map(|(k, v)| {
            let v = match v {
                serde_json::Value::String(s) => jiceng_domain::OrgKind::from_code(s)
                    .map(|k| k.label().to_string())
                    .unwrap_or_else(|| s.clone()),
                serde_json::Value::Null => "未知".into(),
                other => other.to_string(),
            };
            format!("{}：{}", name(k), v)
        })
        .collect::<Vec<_>>()
        .join("；")
}

/// Where the orgs of `items` sit (the org above each, 上级党组织), for a page's list.
pub async fn places(
    app: &App,
    items: &[&AnomalyItem],
) -> Result<std::collections::HashMap<i64, crate::browse::Place>> {
    let mut conn = app.store.acquire().await?;
    crate::browse::places_of(&mut conn, items.iter().map(|a| a.org_id)).await
}

#[cfg(test)]
mod describe_tests {
    use super::describe;
    use serde_json::json;

    #[test]
    fn details_read_as_sentences() {
        assert_eq!(
            describe(&json!({ "members": 52, "limit": 50 })),
            "党员52名，超过50名"
        );
        assert_eq!(
            describe(&json!({ "full": 2, "minimum": 3 })),
            "正式党员2名，少于3名"
        );
        assert_eq!(
            describe(&json!({ "since": "2026-03-31", "days": 91 })),
            "书记自2026-03-31起空缺，已91天"
        );
        assert_eq!(
            describe(&json!({ "members": 120, "suggested_kind": "PrimaryCommittee" })),
            "党员120名，应调整为党委"
        );
        // An unknown shape falls back to named pairs.
        assert_eq!(describe(&json!({ "members": 3 })), "党员数：3");
    }
}
