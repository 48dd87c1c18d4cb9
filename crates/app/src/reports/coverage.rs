//! The coverage report (SPEC C2): per domain the operating units and the three rates, and
//! the gap lists. The counts come from the stored subtree facts of the root; the gap lists
//! from an indexed scan of the subtree's units.

use std::collections::BTreeMap;

use jiceng_domain::coverage::{gaps, UnitFacts};
use jiceng_domain::{DomainCoverage, Gap};
use jiceng_io::{OutCell, Sheet};
use jiceng_store::{facts, units as unit_store};
use serde::Serialize;

use super::{round4, OrgRef};
use crate::access::InScope;
use crate::{App, OrgRecord, Result};

#[derive(Debug, Clone, Serialize)]
pub struct CoverageReport {
    pub org: OrgRef,
    pub facts_on: Option<chrono::NaiveDate>,
    /// Keyed by the domain's Chinese name.
    pub by_domain: BTreeMap<String, DomainRow>,
    pub total: DomainRow,
    pub should_have_org: Vec<GapUnit>,
    pub uncovered: Vec<GapUnit>,
    /// When the lists were cut to a page (`run_limited`): how many units each gap holds
    /// in the whole subtree.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub should_have_org_total: Option<i64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub uncovered_total: Option<i64>,
}

impl CoverageReport {
    /// Units that should have an org and have none (应建未建) plus units no org covers
    /// (空白点) in the whole subtree: the totals where the lists were cut to a page.
    pub fn gaps_total(&self) -> i64 {
        self.should_have_org_total
            .unwrap_or(self.should_have_org.len() as i64)
            + self.uncovered_total.unwrap_or(self.uncovered.len() as i64)
    }
}

#[derive(Debug, Clone, Serialize)]
pub struct DomainRow {
    pub operating: i64,
    pub own_org: i64,
    pub org_covered: i64,
    pub work_covered: i64,
    pub org_rate: Option<f64>,
    pub own_rate: Option<f64>,
    pub work_rate: Option<f64>,
    /// 1 − org_rate: the share of operating units with no party org (the seed's figure).
    pub no_org_rate: Option<f64>,
}

impl DomainRow {
    fn of(c: &DomainCoverage) -> DomainRow {
        DomainRow {
            operating: c.operating,
            own_org: c.own_org,
            org_covered: c.org_covered,
            work_covered: c.work_covered,
            org_rate: round4(c.org_rate()),
            own_rate: round4(c.own_rate()),
            work_rate: round4(c.work_rate()),
            no_org_rate: round4(c.org_rate().map(|r| 1.0 - r)),
        }
    }
}

#[derive(Debug, Clone, Serialize)]
pub struct GapUnit {
    pub name: String,
    pub credit_code: Option<String>,
    pub domain: String,
    pub full_members: i64,
    pub coverage: String,
    pub org: String,
}

/// The report for the subtree of `root` (resolved in the actor's scope).
pub async fn run(app: &App, root: &InScope<OrgRecord>) -> Result<CoverageReport> {
    run_limited(app, root, None).await
}

/// The report with each gap list cut to the first `limit` candidate units in tree order,
/// and the whole subtree's count of each gap: stored (one row) when every org of the
/// subtree was checked today with the rules this app runs, else counted here.
pub async fn run_limited(
    app: &App,
    root: &InScope<OrgRecord>,
    limit: Option<usize>,
) -> Result<CoverageReport> {
    let today = app.today();
    let rules = app.rules.in_force(today);
    let mut conn = app.store.acquire().await?;
    let stored = facts::stats(&mut conn, root.org.id).await?;
    let (cov, facts_on) = match stored {
        Some((_, c, d)) => (c, Some(d)),
        None => (Default::default(), None),
    };
    let subtree = root.subtree();
    let min_full = rules.org.unit_should_have_org_at_full;
    let mut totals = None;
    let candidates = match limit {
        None => unit_store::gap_candidates(&mut conn, &subtree, min_full).await?,
        Some(n) => {
            let t = facts::totals(&mut conn, root.org.id).await?;
            match t.filter(|t| {
                t.checked_on == Some(today) && app.rules.sets() == facts::shipped_rules().sets()
            }) {
                Some(t) => {
                    let get = |g: Gap| *t.gaps.get(facts::gap_code(g)).unwrap_or(&0);
                    totals = Some((get(Gap::ShouldHaveOrg), get(Gap::Uncovered)));
                    unit_store::gap_candidates_first(&mut conn, &subtree, min_full, n as i64)
                        .await?
                }
                None => {
                    // Nothing stored for today: classify them all, and keep the first.
                    let mut all = unit_store::gap_candidates(&mut conn, &subtree, min_full).await?;
                    let (mut s, mut u) = (0, 0);
                    for x in &all {
                        for g in gaps(&unit_facts(&x.unit), rules) {
                            match g {
                                Gap::ShouldHaveOrg => s += 1,
                                Gap::Uncovered => u += 1,
                            }
                        }
                    }
                    totals = Some((s, u));
                    all.sort_by(|a, b| a.org_path.cmp(&b.org_path));
                    all.truncate(n);
                    all
                }
            }
        }
    };
    let org_ids: Vec<i64> = candidates.iter().map(|u| u.unit.org_id).collect();
    let names: std::collections::HashMap<i64, String> =
        jiceng_store::orgs::by_ids(&mut conn, &org_ids)
            .await?
            .into_iter()
            .map(|o| (o.org.id, o.org.name))
            .collect();
    drop(conn);
    let mut should_have_org = Vec::new();
    let mut uncovered = Vec::new();
    for u in candidates {
        let x = &u.unit;
        let item = GapUnit {
            name: x.name.clone(),
            credit_code: x.credit_code.as_ref().map(|c| c.as_str().to_string()),
            domain: x.domain.label().into(),
            full_members: x.full_members,
            coverage: x.coverage.label().into(),
            org: names.get(&x.org_id).cloned().unwrap_or_default(),
        };
        for g in gaps(&unit_facts(x), rules) {
            match g {
                Gap::ShouldHaveOrg => should_have_org.push(item.clone()),
                Gap::Uncovered => uncovered.push(item.clone()),
            }
        }
    }
    Ok(CoverageReport {
        org: OrgRef::of(&root.org),
        facts_on,
        by_domain: cov
            .by_domain
            .iter()
            .map(|(d, c)| (d.label().to_string(), DomainRow::of(c)))
            .collect(),
        total: DomainRow::of(&cov.total()),
        should_have_org,
        uncovered,
        should_have_org_total: totals.map(|t| t.0),
        uncovered_total: totals.map(|t| t.1),
    })
}

fn unit_facts(x: &jiceng_domain::Unit) -> UnitFacts {
    UnitFacts {
        domain: x.domain,
        status: x.status,
        coverage: x.coverage,
        full_members: x.full_members,
    }
}

fn pct(v: Option<f64>) -> OutCell {
    v.map(OutCell::Percent).unwrap_or(OutCell::Empty)
}

impl CoverageReport {
    pub fn to_sheets(&self) -> Vec<Sheet> {
        let mut rows: Vec<Vec<OutCell>> = self.by_domain.iter().map(|(d, r)| row(d, r)).collect();
        rows.push(row("合计", &self.total));
        let gap_sheet = |name: &str, title: &str, list: &[GapUnit]| Sheet {
            name: name.into(),
            title: format!("{} {}（共{}个）", self.org.name, title, list.len()),
            headers: vec![
                "单位名称".into(),
                "统一社会信用代码".into(),
                "单位类型".into(),
                "正式党员人数".into(),
                "覆盖方式".into(),
                "所属党组织".into(),
            ],
            rows: list
                .iter()
                .map(|u| {
                    vec![
                        OutCell::Text(u.name.clone()),
                        OutCell::Text(u.credit_code.clone().unwrap_or_default()),
                        OutCell::Text(u.domain.clone()),
                        OutCell::Int(u.full_members),
                        OutCell::Text(u.coverage.clone()),
                        OutCell::Text(u.org.clone()),
                    ]
                })
                .collect(),
        };
        vec![
            Sheet {
                name: "覆盖率".into(),
                title: format!("{} 党的组织和工作覆盖情况", self.org.name),
                headers: vec![
                    "领域".into(),
                    "在业单位数".into(),
                    "单独组建".into(),
                    "已建党组织(单独+联合)".into(),
                    "工作覆盖".into(),
                    "组织覆盖率".into(),
                    "单独组建率".into(),
                    "工作覆盖率".into(),
                    "未建党组织比例".into(),
                ],
                rows,
            },
            gap_sheet("应建未建", "应建未建单位", &self.should_have_org),
            gap_sheet("空白点", "党建工作空白点", &self.uncovered),
        ]
    }
}

fn row(name: &str, r: &DomainRow) -> Vec<OutCell> {
    vec![
        OutCell::Text(name.into()),
        OutCell::Int(r.operating),
        OutCell::Int(r.own_org),
        OutCell::Int(r.org_covered),
        OutCell::Int(r.work_covered),
        pct(r.org_rate),
        pct(r.own_rate),
        pct(r.work_rate),
        pct(r.no_org_rate),
    ]
}
