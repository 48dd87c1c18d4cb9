//! The foundation's reports as pages with charts, each exportable to Excel (audited).

use askama::Template;
use axum::extract::{Query, State};
use axum::response::Response;
use jiceng_app::reports::{coverage, members, structure};
use serde::Deserialize;

use super::common::{export, tabs, Tab};
use super::{html, Nav};
use crate::charts;
use crate::error::{PageError, WebError};
use crate::extract::QueryOrg;
use crate::routes::{Guard, Routes, Subject};
use crate::session::User;
use crate::AppState;
use jiceng_app::access::Action;

pub fn routes() -> Routes {
    Routes::new()
        .get(
            "/reports/structure",
            Guard::May(Action::ReadData),
            Subject::QueryOrg,
            structure_page,
        )
        .get(
            "/reports/coverage",
            Guard::May(Action::ReadData),
            Subject::QueryOrg,
            coverage_page,
        )
        .get(
            "/reports/members",
            Guard::May(Action::ReadData),
            Subject::QueryOrg,
            members_page,
        )
}

/// The query of a report page; `?org=` is read by [`QueryOrg`].
#[derive(Deserialize)]
struct Params {
    rule: Option<String>,
    format: Option<String>,
    /// The structure report's day (YYYY-MM-DD): the dated facts as they stood then.
    as_of: Option<String>,
}

fn wants_xlsx(p: &Params) -> bool {
    p.format.as_deref() == Some("xlsx")
}

pub struct AnomalyRow {
    pub org_id: i64,
    pub org_name: String,
    pub org_code: String,
    /// 上级党组织.
    pub parent: String,
    pub kind: String,
    pub label: String,
    pub detail: String,
}

#[derive(Template)]
#[template(path = "report_structure.html")]
struct StructurePage {
    title: String,
    nav: Nav,
    tabs: Vec<Tab>,
    org_id: i64,
    org_name: String,
    as_of: String,
    facts_on: String,
    orgs: usize,
    chart: String,
    counts: Vec<(String, String, usize)>,
    rule: String,
    rows: Vec<AnomalyRow>,
    shown_of: usize,
    /// Orgs whose check could not be made (暂无数据), by what is missing; empty when read
    /// from the stored anomalies.
    missing: Vec<(String, usize)>,
}

const SHOWN: usize = 500;

async fn structure_page(
    State(state): State<AppState>,
    QueryOrg { user, org }: QueryOrg<User>,
    Query(p): Query<Params>,
) -> Result<Response, PageError> {
    let as_of = match p.as_of.as_deref().map(str::trim).filter(|s| !s.is_empty()) {
        Some(d) => Some(
            chrono::NaiveDate::parse_from_str(d, "%Y-%m-%d").map_err(|_| {
                PageError(WebError::App(jiceng_app::AppError::Input(format!(
                    "日期格式应为 年-月-日：{d}"
                ))))
            })?,
        ),
        None => None,
    };
    // A chosen day is checked org by org with the dated facts of that day (and says what
    // is missing); today reads the stored anomalies.
    let r = match as_of {
        Some(day) => structure::live(&state.app, &org, day, None).await?,
        None => structure::run(&state.app, &org, state.app.today()).await?,
    };
    let missing: Vec<(String, usize)> = r
        .missing
        .iter()
        .flat_map(|m| {
            jiceng_domain::structure::MissingFact::ALL
                .iter()
                .map(move |f| (f.label().to_string(), *m.get(f.code()).unwrap_or(&0)))
        })
        .collect();
    if wants_xlsx(&p) {
        return export(&state, &user, "组织设置", &org, None, r.to_sheets()).await;
    }
    let rule = p.rule.clone().unwrap_or_default();
    let counts: Vec<(String, String, usize)> = jiceng_domain::AnomalyRule::ALL
        .iter()
        .map(|x| {
            (
                x.code().to_string(),
                x.label().to_string(),
                *r.counts.get(x.code()).unwrap_or(&0),
            )
        })
        .collect();
    let chart = charts::counts(
        "组织设置问题（按规则）",
        counts
            .iter()
            .filter(|c| c.2 > 0)
            .map(|c| (c.1.clone(), c.2 as i64)),
    );
    let matching: Vec<&structure::AnomalyItem> = r
        .anomalies
        .iter()
        .filter(|a| rule.is_empty() || a.rule == rule)
        .collect();
    let shown_of = matching.len();
    let shown: Vec<&structure::AnomalyItem> = matching.into_iter().take(SHOWN).collect();
    let places = structure::places(&state.app, &shown).await?;
    let rows = shown
        .into_iter()
        .map(|a| AnomalyRow {
            org_id: a.org_id,
            parent: places
                .get(&a.org_id)
                .map(|p| p.parent.clone())
                .unwrap_or_default(),
            org_name: a.org.name.clone(),
            org_code: a.org.code.clone(),
            kind: a.kind.clone(),
            label: a.label.clone(),
            detail: structure::describe(&a.detail),
        })
        .collect();
    html(&StructurePage {
        title: "组织设置情况".into(),
        nav: Nav::of(&user),
        tabs: tabs(org.org.id, "structure"),
        org_id: org.org.id,
        org_name: org.org.name.clone(),
        as_of: r.as_of.to_string(),
        facts_on: r.facts_on.map(|d| d.to_string()).unwrap_or_default(),
        orgs: r.orgs,
        chart,
        counts,
        rule,
        rows,
        shown_of,
        missing,
    })
}

pub struct CoverageRow {
    pub domain: String,
    pub operating: i64,
    pub own_org: i64,
    pub org_covered: i64,
    pub work_covered: i64,
    pub org_rate: String,
    pub own_rate: String,
    pub work_rate: String,
    pub no_org_rate: String,
}

impl CoverageRow {
    fn of(d: &str, r: &coverage::DomainRow) -> CoverageRow {
        CoverageRow {
            domain: d.to_string(),
            operating: r.operating,
            own_org: r.own_org,
            org_covered: r.org_covered,
            work_covered: r.work_covered,
            org_rate: charts::pct(r.org_rate),
            own_rate: charts::pct(r.own_rate),
            work_rate: charts::pct(r.work_rate),
            no_org_rate: charts::pct(r.no_org_rate),
        }
    }
}

#[derive(Template)]
#[template(path = "report_coverage.html")]
struct CoveragePage {
    title: String,
    nav: Nav,
    tabs: Vec<Tab>,
    org_id: i64,
    org_name: String,
    facts_on: String,
    chart: String,
    no_org_chart: String,
    rows: Vec<CoverageRow>,
    total: CoverageRow,
    should_have_org: Vec<coverage::GapUnit>,
    uncovered: Vec<coverage::GapUnit>,
    should_total: usize,
    uncovered_total: usize,
}

async fn coverage_page(
    State(state): State<AppState>,
    QueryOrg { user, org }: QueryOrg<User>,
    Query(p): Query<Params>,
) -> Result<Response, PageError> {
    let r = coverage::run(&state.app, &org).await?;
    if wants_xlsx(&p) {
        return export(&state, &user, "覆盖情况", &org, None, r.to_sheets()).await;
    }
    let chart = charts::domain_rates("党的组织覆盖率（按领域）", &r.by_domain, |x| {
        x.org_rate
    });
    let no_org_chart = charts::domain_rates(
        "未建立党组织的比例（按领域）",
        &r.by_domain,
        |x| x.no_org_rate,
    );
    html(&CoveragePage {
        title: "党的组织和工作覆盖".into(),
        nav: Nav::of(&user),
        tabs: tabs(org.org.id, "coverage"),
        org_id: org.org.id,
        org_name: org.org.name.clone(),
        facts_on: r.facts_on.map(|d| d.to_string()).unwrap_or_default(),
        chart,
        no_org_chart,
        rows: r
            .by_domain
            .iter()
            .map(|(d, x)| CoverageRow::of(d, x))
            .collect(),
        total: CoverageRow::of("合计", &r.total),
        should_total: r.should_have_org.len(),
        uncovered_total: r.uncovered.len(),
        should_have_org: r.should_have_org.iter().take(SHOWN).cloned().collect(),
        uncovered: r.uncovered.iter().take(SHOWN).cloned().collect(),
    })
}

pub struct DimView {
    pub name: String,
    pub chart: String,
    pub rows: Vec<(String, i64, String)>,
}

#[derive(Template)]
#[template(path = "report_members.html")]
struct MembersPage {
    title: String,
    nav: Nav,
    tabs: Vec<Tab>,
    org_id: i64,
    org_name: String,
    as_of: String,
    total: i64,
    full: i64,
    probationary: i64,
    female: String,
    minority: String,
    college: String,
    young: String,
    dims: Vec<DimView>,
}

async fn members_page(
    State(state): State<AppState>,
    QueryOrg { user, org }: QueryOrg<User>,
    Query(p): Query<Params>,
) -> Result<Response, PageError> {
    let day = org.facts.facts_on.unwrap_or_else(|| state.app.today());
    let r = members::run(&state.app, &org, day).await?;
    if wants_xlsx(&p) {
        return export(&state, &user, "党员队伍结构", &org, None, r.to_sheets()).await;
    }
    let total = r.total;
    let dims = r
        .dimensions()
        .into_iter()
        .map(|(name, bands)| {
            let chart = if name == "性别" {
                charts::pie(name, &bands)
            } else {
                charts::counts(name, bands.iter().cloned())
            };
            DimView {
                name: name.to_string(),
                chart,
                rows: bands
                    .into_iter()
                    .map(|(k, n)| {
                        let share = if total > 0 {
                            format!("{:.1}%", n as f64 * 100.0 / total as f64)
                        } else {
                            "—".into()
                        };
                        (k, n, share)
                    })
                    .collect(),
            }
        })
        .collect();
    html(&MembersPage {
        title: "党员队伍结构".into(),
        nav: Nav::of(&user),
        tabs: tabs(org.org.id, "members"),
        org_id: org.org.id,
        org_name: org.org.name.clone(),
        as_of: r.as_of.to_string(),
        total: r.total,
        full: r.full,
        probationary: r.probationary,
        female: charts::pct(r.female_rate),
        minority: charts::pct(r.minority_rate),
        college: charts::pct(r.college_rate),
        young: charts::pct(r.under_35_rate),
        dims,
    })
}
