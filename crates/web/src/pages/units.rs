//! The unit registry with each unit's coverage, filtered and paginated, exportable.

use askama::Template;
use axum::extract::{Query, State};
use axum::response::Response;
use jiceng_app::browse::{self, UnitPage, UnitQuery};
use jiceng_domain::{Coverage, Domain};
use serde::Deserialize;

use super::listing::{list_export, list_org, list_title, query_string};
use super::orgs::Choice;
use super::{html, Nav, Pager};
use crate::charts;
use crate::error::PageError;
use crate::routes::{Guard, Routes, Subject};
use crate::session::User;
use crate::AppState;
use jiceng_app::access::Action;

const COVERAGES: [Coverage; 4] = [
    Coverage::OwnOrg,
    Coverage::JointOrg,
    Coverage::Instructor,
    Coverage::Uncovered,
];

pub fn routes() -> Routes {
    Routes::new()
        .get(
            "/units",
            Guard::May(Action::ReadData),
            Subject::QueryOrg,
            registry,
        )
        .get(
            "/units/export.xlsx",
            Guard::May(Action::ReadData),
            Subject::QueryOrg,
            export,
        )
}

#[derive(Deserialize, Default)]
pub struct UnitParams {
    pub org: Option<String>,
    pub q: Option<String>,
    pub coverage: Option<String>,
    pub domain: Option<String>,
    pub page: Option<i64>,
    pub page_size: Option<i64>,
}

impl UnitParams {
    /// The query, its `org` (an id) resolved in the actor's scope.
    pub async fn to_query(
        &self,
        state: &AppState,
        actor: &jiceng_app::access::Actor,
    ) -> Result<UnitQuery, PageError> {
        Ok(UnitQuery {
            org: list_org(state, actor, &self.org).await?,
            q: self.q.clone(),
            coverage: self.coverage.clone().filter(|s| !s.is_empty()),
            domain: self.domain.clone().filter(|s| !s.is_empty()),
            page: self.page.unwrap_or(1),
            page_size: self.page_size.unwrap_or(20),
        })
    }
}

#[derive(Template)]
#[template(path = "units.html")]
struct UnitsPage {
    title: String,
    nav: Nav,
    org_id: String,
    org_name: String,
    q: String,
    coverages: Vec<Choice>,
    domains: Vec<Choice>,
    list: UnitPage,
    pager: Pager,
    export: String,
    org_rate: String,
    own_rate: String,
    work_rate: String,
    chart: String,
}

async fn registry(
    State(state): State<AppState>,
    user: User,
    Query(p): Query<UnitParams>,
) -> Result<Response, PageError> {
    let query = p.to_query(&state, &user.actor).await?;
    let root = match &query.org {
        Some(o) => Some(jiceng_app::OrgRecord::clone(o)),
        None => browse::home_org(&state.app, &user.actor).await?,
    };
    let list = browse::units(&state.app, &user.actor, &query).await?;
    let (org_rate, own_rate, work_rate, chart) = match &root {
        Some(o) => {
            // The report takes the org proven in scope (life's interim: resolved by id).
            let o = jiceng_app::access::resolve(
                &state.app,
                &user.actor,
                &jiceng_app::access::OrgKey::Id(o.org.id),
            )
            .await?;
            let cov = jiceng_app::reports::coverage::run(&state.app, &o).await?;
            let chart =
                charts::domain_rates("党的工作覆盖率（按领域）", &cov.by_domain, |r| r.work_rate);
            (
                charts::pct(cov.total.org_rate),
                charts::pct(cov.total.own_rate),
                charts::pct(cov.total.work_rate),
                chart,
            )
        }
        None => ("—".into(), "—".into(), "—".into(), String::new()),
    };
    let params = vec![
        ("org", p.org.clone().unwrap_or_default()),
        ("q", p.q.clone().unwrap_or_default()),
        ("coverage", p.coverage.clone().unwrap_or_default()),
        ("domain", p.domain.clone().unwrap_or_default()),
    ];
    let pager = Pager::new("/units", &params, list.page, list.pages(), list.total);
    let export = format!("/units/export.xlsx?{}", query_string(&params));
    let sel_cov = p.coverage.clone().unwrap_or_default();
    let mut coverages = vec![Choice {
        value: String::new(),
        label: "全部".into(),
        selected: sel_cov.is_empty(),
    }];
    coverages.extend(COVERAGES.iter().map(|c| Choice {
        value: c.code().into(),
        label: c.label().into(),
        selected: c.code() == sel_cov,
    }));
    let sel_dom = p.domain.clone().unwrap_or_default();
    let mut domains = vec![Choice {
        value: String::new(),
        label: "全部".into(),
        selected: sel_dom.is_empty(),
    }];
    domains.extend(Domain::ALL.iter().map(|d| Choice {
        value: d.code().into(),
        label: d.label().into(),
        selected: d.code() == sel_dom,
    }));
    html(&UnitsPage {
        title: "单位".into(),
        nav: Nav::of(&user),
        org_id: query
            .org
            .as_ref()
            .map(|o| o.org.id.to_string())
            .unwrap_or_default(),
        org_name: root.map(|o| o.org.name).unwrap_or_default(),
        q: p.q.clone().unwrap_or_default(),
        coverages,
        domains,
        list,
        pager,
        export,
        org_rate,
        own_rate,
        work_rate,
        chart,
    })
}

async fn export(
    State(state): State<AppState>,
    user: User,
    Query(p): Query<UnitParams>,
) -> Result<Response, PageError> {
    let query = p.to_query(&state, &user.actor).await?;
    let root = query.org.as_deref();
    let (rows, places) = browse::units_all(
        &state.app,
        &user.actor,
        &query,
        jiceng_app::export::MAX_ROWS,
    )
    .await?;
    let title = list_title(root, "单位");
    let sheet = jiceng_app::export::units_sheet(&title, &rows, &places);
    list_export(&state, &user, "units", root, &title, sheet).await
}
