//! The compliance report of a subtree (组织生活开展情况): the org and its children, the
//! branches that fell short, are still due or cannot be judged, the year's calendar, and
//! the workbook.

use std::collections::{HashMap, HashSet};

use askama::Template;
use axum::extract::{Query, State};
use axum::response::Response;
use chrono::NaiveDate;
use jiceng_app::access::InScope;
use jiceng_app::browse;
use jiceng_app::current_periods;
use jiceng_app::reports::compliance::{self, ComplianceReport, Overview};
use jiceng_app::{OrgRecord, OrgRef};
use jiceng_domain::{MeetingKind, Period};
use serde::Deserialize;

use super::heat::{heat_map, HeatMap};
use super::{freshness, PAGE};
use crate::charts;
use crate::error::{PageError, WebError};
use crate::extract::QueryOrg;
use crate::pages::common::{tabs, Tab};
use crate::pages::{html, urlencode, xlsx, Nav, Pager};
use crate::parse::parse_period;
use crate::session::User;
use crate::AppState;

#[derive(Deserialize)]
pub(super) struct ReportParams {
    period: Option<String>,
    page: Option<i64>,
    format: Option<String>,
}

pub struct ChildLine {
    pub id: i64,
    pub name: String,
    pub kind_label: String,
    pub is_branch: bool,
    pub branches: i64,
    pub compliant: i64,
    pub rate: String,
    pub held_nothing: i64,
}

pub struct MissingLine {
    pub name: String,
    /// The branch's calendar (empty: no link).
    pub href: String,
    /// The org above the branch.
    pub parent: String,
    pub missing: String,
    pub held_nothing: bool,
}

pub struct PeriodLink {
    pub label: String,
    pub href: String,
    pub active: bool,
}

#[derive(Template)]
#[template(path = "life_compliance.html")]
struct CompliancePage {
    title: String,
    nav: Nav,
    tabs: Vec<Tab>,
    org_id: i64,
    org_name: String,
    period: String,
    period_label: String,
    periods: Vec<PeriodLink>,
    branches: i64,
    compliant: i64,
    rate: String,
    held_nothing_n: i64,
    attendance: String,
    quorum_failed: Option<i64>,
    children: Vec<ChildLine>,
    detail: bool,
    noncompliant: Vec<MissingLine>,
    noncompliant_total: usize,
    pager: Pager,
    held_nothing: Vec<String>,
    heat: Option<HeatMap>,
    freshness: String,
    /// "截至…已结束的周期": the figures count closed spans only.
    judged_note: String,
    /// Branches with something still due (待办), with what and by when.
    pending: Vec<MissingLine>,
    /// Branches that cannot be judged (暂无数据), with why.
    no_data: Vec<MissingLine>,
    /// 临时党支部 (not judged as standing branches).
    temporary: Vec<String>,
}

/// One kind a branch owes: "党课（第一党小组） 应1次、已0次".
fn owed(kind: &str, group: Option<&OrgRef>, due: i64, held: i64) -> String {
    let label = MeetingKind::from_code(kind).map_or(kind, |k| k.label());
    let group = group.map(|g| format!("（{}）", g.name)).unwrap_or_default();
    format!("{label}{group} 应{due}次、已{held}次")
}

fn period_links(org: i64, period: Period, today: NaiveDate) -> Vec<PeriodLink> {
    let [m, q, y] = current_periods(today);
    let prev_month = Period::month_of(m.first_day() - chrono::Duration::days(1));
    let prev_quarter = Period::quarter_of(q.first_day() - chrono::Duration::days(1));
    let prev_year = Period::year_of(y.first_day() - chrono::Duration::days(1));
    [
        ("本月", m),
        ("上月", prev_month),
        ("本季度", q),
        ("上季度", prev_quarter),
        ("本年度", y),
        ("上年度", prev_year),
    ]
    .into_iter()
    .map(|(l, p)| PeriodLink {
        label: l.to_string(),
        href: format!("/reports/compliance?org={org}&period={p}"),
        active: p == period,
    })
    .collect()
}

pub(super) async fn compliance_page(
    State(state): State<AppState>,
    QueryOrg { user, org }: QueryOrg<User>,
    Query(p): Query<ReportParams>,
) -> Result<Response, PageError> {
    let today = state.app.today();
    let period =
        parse_period(p.period.as_deref(), today).map_err(|m| PageError(WebError::BadRequest(m)))?;
    if p.format.as_deref() == Some("xlsx") {
        return export(&state, &user, &org, period).await;
    }
    // Up to a county every branch is judged now, once: the figures are the lists' own.
    // Above that, the figures are the stored summaries' and the lists the drill-down's and
    // the export's.
    let page = p.page.unwrap_or(1).max(1);
    let (o, report, heat) = if compliance::lists_fit(&state.app, &org).await? {
        let (r, heat) = judged_in_full(&state, &org, period, today).await?;
        (compliance::overview_of(&org, &r), Some(r), Some(heat))
    } else {
        (
            compliance::overview(&state.app, &org, period).await?,
            None,
            None,
        )
    };
    let children = child_lines(&state, &org, &o).await?;
    let detail = report.is_some();
    let l = Lists::of(report.as_ref(), page);
    html(&CompliancePage {
        title: format!("组织生活开展情况 · {}", org.org.name),
        nav: Nav::of(&user),
        tabs: tabs(org.org.id, "compliance"),
        org_id: org.org.id,
        org_name: org.org.name.clone(),
        period: period.to_string(),
        period_label: period.label(),
        periods: period_links(org.org.id, period, today),
        branches: o.org.branches,
        compliant: o.org.compliant,
        rate: charts::pct(o.org.rate),
        held_nothing_n: o.org.held_nothing,
        attendance: l.attendance,
        quorum_failed: l.quorum_failed,
        children,
        detail,
        noncompliant: l.noncompliant,
        noncompliant_total: l.noncompliant_total,
        pager: Pager::new(
            "/reports/compliance",
            &[
                ("org", org.org.id.to_string()),
                ("period", period.to_string()),
            ],
            page,
            l.pages,
            l.noncompliant_total as i64,
        ),
        held_nothing: l.held_nothing,
        heat,
        freshness: freshness(&state, Some(&o)),
        judged_note: o.judged_note.clone(),
        pending: l.pending,
        no_data: l.no_data,
        temporary: l.temporary,
    })
}

/// The report as a workbook (`?format=xlsx`).
async fn export(
    state: &AppState,
    user: &User,
    org: &InScope<OrgRecord>,
    period: Period,
) -> Result<Response, PageError> {
    let r = compliance::run(&state.app, org, period).await?;
    let bytes = jiceng_app::export::workbook(
        &state.app,
        &user.actor,
        "report:组织生活",
        Some(org),
        &r.to_sheets(),
    )
    .await?;
    Ok(xlsx(
        &format!("组织生活-{}-{}.xlsx", org.org.name, period),
        bytes,
    ))
}

/// The org's children with their figures, each with its kind.
async fn child_lines(
    state: &AppState,
    org: &InScope<OrgRecord>,
    o: &Overview,
) -> Result<Vec<ChildLine>, PageError> {
    let kinds: HashMap<i64, (String, bool)> = browse::org_children(&state.app, org)
        .await?
        .into_iter()
        .map(|c| (c.id, (c.kind_label, c.kind == "Branch")))
        .collect();
    Ok(o.children
        .iter()
        .map(|c| {
            let (kind_label, is_branch) = kinds.get(&c.org_id).cloned().unwrap_or_default();
            ChildLine {
                id: c.org_id,
                name: c.org.name.clone(),
                kind_label,
                is_branch,
                branches: c.branches,
                compliant: c.compliant,
                rate: charts::pct(c.rate),
                held_nothing: c.held_nothing,
            }
        })
        .collect())
}

/// The period judged branch by branch, and the calendar of its year.
async fn judged_in_full(
    state: &AppState,
    org: &InScope<OrgRecord>,
    period: Period,
    today: NaiveDate,
) -> Result<(ComplianceReport, HeatMap), PageError> {
    let r = compliance::run(&state.app, org, period).await?;
    let year = match period {
        Period::Month(y, _) | Period::Quarter(y, _) | Period::Year(y) => y,
    };
    let heat = if matches!(period, Period::Year(_)) {
        heat_map(year, &r.calendar, today)
    } else {
        let whole = compliance::run(&state.app, org, Period::Year(year)).await?;
        heat_map(year, &whole.calendar, today)
    };
    Ok((r, heat))
}

/// The branch lists of a report judged in full (a page of each), or none.
#[derive(Default)]
struct Lists {
    noncompliant: Vec<MissingLine>,
    noncompliant_total: usize,
    pages: i64,
    pending: Vec<MissingLine>,
    no_data: Vec<MissingLine>,
    temporary: Vec<String>,
    held_nothing: Vec<String>,
    attendance: String,
    quorum_failed: Option<i64>,
}

impl Lists {
    fn of(r: Option<&ComplianceReport>, page: i64) -> Lists {
        let Some(r) = r else {
            return Lists {
                pages: 1,
                ..Lists::default()
            };
        };
        let total = r.noncompliant.len();
        let pages = ((total as i64 + PAGE - 1) / PAGE).max(1);
        let held: HashSet<&str> = r.held_nothing.iter().map(|h| h.code.as_str()).collect();
        let line = |name: &str, missing: String, held_nothing: bool| MissingLine {
            name: name.to_string(),
            href: String::new(),
            parent: String::new(),
            missing,
            held_nothing,
        };
        Lists {
            noncompliant: r
                .noncompliant
                .iter()
                .skip((page.min(pages) - 1).saturating_mul(PAGE) as usize)
                .take(PAGE as usize)
                .map(|n| {
                    let missing = n
                        .missing
                        .iter()
                        .map(|m| owed(m.kind, m.group.as_ref(), m.due, m.held));
                    let missing = missing.collect::<Vec<_>>().join("；");
                    MissingLine {
                        href: format!("/orgs/{}/life", urlencode(&n.org.code)),
                        parent: n
                            .parent
                            .as_ref()
                            .map(|p| p.name.clone())
                            .unwrap_or_default(),
                        ..line(&n.org.name, missing, held.contains(n.org.code.as_str()))
                    }
                })
                .collect(),
            noncompliant_total: total,
            pages,
            pending: r
                .pending
                .iter()
                .take(PAGE as usize)
                .map(|p| {
                    let items = p.items.iter().map(|i| {
                        let owed = owed(i.kind, i.group.as_ref(), i.due, i.held);
                        format!("{owed}，{}前", i.due_by)
                    });
                    line(&p.org.name, items.collect::<Vec<_>>().join("；"), false)
                })
                .collect(),
            no_data: r
                .no_data
                .iter()
                .take(PAGE as usize)
                .map(|n| {
                    line(
                        &n.org.name,
                        format!("暂无数据：{}", n.reasons.join("；")),
                        false,
                    )
                })
                .collect(),
            temporary: r.temporary.iter().map(|t| t.name.clone()).collect(),
            held_nothing: r.held_nothing.iter().map(|h| h.name.clone()).collect(),
            attendance: format!(
                "会议{}次，参会率{}，群众参与{}人次",
                r.attendance.meetings,
                charts::pct(r.attendance.rate),
                r.attendance.masses_present
            ),
            quorum_failed: Some(r.quorum_failed),
        }
    }
}
