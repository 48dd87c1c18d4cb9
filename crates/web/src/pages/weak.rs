//! Weak organizations (软弱涣散, SPEC C5): the subtree's weak orgs by kind (the eight, with
//! counts) and by region (direct children), each org's weaknesses with their status,
//! signals and evidence, the rules that had no data (暂无数据); one org's diagnosis with
//! every signal and the department's confirm / dismiss form (a reason is required;
//! audited; a confirmation opens the rectification case). Exportable.

use askama::Template;
use axum::extract::{Path, Query, State};
use axum::response::Response;
use jiceng_app::access::{self, Action};
use jiceng_app::reports::weak as weak_report;
use jiceng_app::weak;
use jiceng_domain::weakness::SignalState;
use jiceng_domain::{Decision, SignalRule, WeaknessKind};
use serde::Deserialize;

use super::common::{
    after_form, export, form_org_year, org_page, tabs, year_of, years, Notice, OrgReport, OrgYear,
    Page, Tab, WEAK,
};
use super::{html, html_status, urlencode, Nav};
use crate::charts;
use crate::error::{PageError, WebError};
use crate::extract::{CsrfForm, QueryOrg};
use crate::routes::{Guard, Routes, Subject};
use crate::session::User;
use crate::AppState;

pub fn routes() -> Routes {
    Routes::new()
        .get(
            "/reports/weak",
            Guard::May(Action::ReadData),
            Subject::QueryOrg,
            weak_page,
        )
        .get(
            "/orgs/{id}/weak",
            Guard::May(Action::ReadData),
            Subject::Org,
            org_page::<Weak>,
        )
        .post(
            "/orgs/{id}/weak/decide",
            Guard::May(Action::DecideWeakness),
            Subject::Org,
            decide,
        )
}

fn kind_char(code: &str) -> &'static str {
    WeaknessKind::from_code(code)
        .map(|k| k.char())
        .unwrap_or("")
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

fn status_class(code: &str) -> &'static str {
    match code {
        "confirmed" => "red",
        "dismissed" => "green",
        _ => "",
    }
}

// ---------------------------------------------------------------- the subtree

#[derive(Deserialize)]
struct ListParams {
    year: Option<String>,
    kind: Option<String>,
    format: Option<String>,
}

pub struct KindLine {
    pub code: &'static str,
    pub label: &'static str,
    pub suspected: i64,
    pub confirmed: i64,
    pub dismissed: i64,
    pub href: String,
}

pub struct RegionLine {
    pub name: String,
    pub href: String,
    pub weak_orgs: usize,
    pub kinds: String,
}

pub struct SignalLine {
    pub rule: String,
    pub evidence: String,
}

pub struct WeakLine {
    pub kind: String,
    pub status: String,
    pub status_code: String,
    pub class: String,
    pub signals: Vec<SignalLine>,
}

pub struct OrgLine {
    pub name: String,
    pub href: String,
    pub weaknesses: Vec<WeakLine>,
}

pub struct NoDataLine {
    pub kind: String,
    pub rule: String,
    pub n: usize,
}

#[derive(Template)]
#[template(path = "weak_list.html")]
struct WeakPage {
    title: String,
    nav: Nav,
    tabs: Vec<Tab>,
    org_id: i64,
    org_name: String,
    year: i32,
    years: Vec<i32>,
    as_of: String,
    diagnosed: usize,
    weak_orgs: usize,
    chart: String,
    kinds: Vec<KindLine>,
    regions: Vec<RegionLine>,
    filter: String,
    orgs: Vec<OrgLine>,
    shown_of: usize,
    no_data: Vec<NoDataLine>,
    /// The figures are the last rating run's (a large subtree), not diagnosed now.
    stored: bool,
}

const SHOWN: usize = 500;

async fn weak_page(
    State(state): State<AppState>,
    QueryOrg { user, org }: QueryOrg<User>,
    Query(p): Query<ListParams>,
) -> Result<Response, PageError> {
    let year = year_of(&state, &p.year)?;
    let r = weak_report::run(&state.app, &org, year).await?;
    if p.format.as_deref() == Some("xlsx") {
        return export(&state, &user, "软弱涣散", &org, Some(year), r.to_sheets()).await;
    }
    let s = weak_report::summarize(&state.app, &org, &r).await?;
    let base = format!("/reports/weak?org={}&year={year}", org.org.id);
    let kinds: Vec<KindLine> = WeaknessKind::ALL
        .iter()
        .map(|k| {
            let row = s.by_kind.iter().find(|x| x.kind == k.code());
            KindLine {
                code: k.code(),
                label: k.label(),
                suspected: row.map(|x| x.suspected).unwrap_or(0),
                confirmed: row.map(|x| x.confirmed).unwrap_or(0),
                dismissed: row.map(|x| x.dismissed).unwrap_or(0),
                href: format!("{base}&kind={}", k.code()),
            }
        })
        .collect();
    let chart = charts::counts(
        &format!("{year}年度软弱涣散问题（疑似与已确定，按类型）"),
        kinds
            .iter()
            .map(|k| (k.label.to_string(), k.suspected + k.confirmed)),
    );
    let regions = s
        .by_region
        .iter()
        .map(|x| RegionLine {
            name: x.org.name.clone(),
            href: format!("/reports/weak?org={}&year={year}", urlencode(&x.org.code)),
            weak_orgs: x.weak_orgs,
            kinds: x
                .by_kind
                .iter()
                .filter(|k| k.suspected + k.confirmed > 0)
                .map(|k| format!("{}{}", kind_char(k.kind), k.suspected + k.confirmed))
                .collect::<Vec<_>>()
                .join(" "),
        })
        .collect();
    let kind = p
        .kind
        .as_deref()
        .and_then(WeaknessKind::from_code)
        .map(|k| k.code());
    let matching: Vec<&weak_report::WeakOrg> = r
        .weak
        .iter()
        .filter(|w| kind.is_none_or(|k| w.weaknesses.iter().any(|x| x.kind == k)))
        .collect();
    let shown_of = matching.len();
    let orgs = matching
        .into_iter()
        .take(SHOWN)
        .map(|w| OrgLine {
            name: w.org.name.clone(),
            href: format!("/orgs/{}/weak?year={year}", urlencode(&w.org.code)),
            weaknesses: w
                .weaknesses
                .iter()
                .map(|x| WeakLine {
                    kind: kind_label(x.kind).into(),
                    status: status_label(x.status).into(),
                    status_code: x.status.into(),
                    class: status_class(x.status).into(),
                    signals: x
                        .signals
                        .iter()
                        .map(|s| SignalLine {
                            rule: rule_label(s.rule).into(),
                            evidence: s.evidence.clone(),
                        })
                        .collect(),
                })
                .collect(),
        })
        .collect();
    html(&WeakPage {
        title: "软弱涣散基层党组织".into(),
        nav: Nav::of(&user),
        tabs: tabs(org.org.id, "weak"),
        org_id: org.org.id,
        org_name: org.org.name.clone(),
        year,
        years: years(&state),
        as_of: r.as_of.to_string(),
        diagnosed: r.diagnosed,
        stored: r.stored,
        weak_orgs: s.weak_orgs,
        chart,
        kinds,
        regions,
        filter: kind.map(kind_label).unwrap_or("").into(),
        orgs,
        shown_of,
        no_data: r
            .no_data
            .iter()
            .map(|(rule, k, n)| NoDataLine {
                kind: k.label().into(),
                rule: rule.label().into(),
                n: *n,
            })
            .collect(),
    })
}

// ---------------------------------------------------------------- one org

pub struct DiagLine {
    pub kind: String,
    pub rule: String,
    pub state: String,
    pub fired: bool,
    pub evidence: String,
}

pub struct KindDecision {
    pub code: &'static str,
    pub label: &'static str,
    pub status: String,
    /// suspected, confirmed, dismissed, or empty.
    pub status_code: &'static str,
    pub class: String,
    pub fired: bool,
    /// (rule, evidence) of the signals that fire.
    pub evidence: Vec<(String, String)>,
    pub decided_by: String,
    pub reason: String,
}

#[derive(Template)]
#[template(path = "weak_org.html")]
struct OrgWeakPage {
    title: String,
    nav: Nav,
    org_id: i64,
    org_name: String,
    year: i32,
    years: Vec<i32>,
    as_of: String,
    signals: Vec<DiagLine>,
    kinds: Vec<KindDecision>,
    case_stage: Option<String>,
    can_decide: bool,
    flash: Option<String>,
    error: Option<String>,
    reason: String,
}

/// One org's diagnosis page.
struct Weak;

impl OrgReport for Weak {
    const PAGE: Page = WEAK;

    async fn render(at: OrgYear<'_>, notice: Notice) -> Result<Response, PageError> {
        let (state, user, org, year) = (at.state, at.user, at.org, at.year);
        let d = weak::diagnosis(&state.app, org, year).await?;
        let kinds = WeaknessKind::ALL
            .iter()
            .map(|k| {
                let fired = d
                    .signals
                    .iter()
                    .any(|s| s.kind == k.code() && s.state == SignalState::Fired);
                let dec = d.decisions.iter().find(|x| x.kind == k.code());
                let status = match dec {
                    Some(x) => x.status,
                    None if fired => "suspected",
                    None => "",
                };
                KindDecision {
                    code: k.code(),
                    label: k.label(),
                    status: if status.is_empty() {
                        "无问题信号".into()
                    } else {
                        status_label(status).into()
                    },
                    status_code: status,
                    class: status_class(status).into(),
                    fired,
                    evidence: d
                        .signals
                        .iter()
                        .filter(|s| s.kind == k.code() && s.state == SignalState::Fired)
                        .map(|s| (rule_label(s.rule).to_string(), s.evidence.clone()))
                        .collect(),
                    decided_by: dec.and_then(|x| x.decided_by.clone()).unwrap_or_default(),
                    reason: dec.and_then(|x| x.reason.clone()).unwrap_or_default(),
                }
            })
            .collect();
        let signals = d
            .signals
            .iter()
            .map(|s| DiagLine {
                kind: kind_char(s.kind).into(),
                rule: rule_label(s.rule).into(),
                state: s.state.label().into(),
                fired: s.state == SignalState::Fired,
                evidence: s.evidence.clone(),
            })
            .collect();
        let page = OrgWeakPage {
            title: format!("{} 软弱涣散排查", org.org.name),
            nav: Nav::of(user),
            org_id: org.org.id,
            org_name: org.org.name.clone(),
            year,
            years: years(state),
            as_of: d.as_of.to_string(),
            signals,
            kinds,
            case_stage: d.rectification.and_then(|c| {
                jiceng_domain::rectification::Stage::from_code(c).map(|s| s.label().to_string())
            }),
            can_decide: user.actor.may(Action::DecideWeakness),
            flash: notice.flash,
            error: notice.error,
            reason: notice.reason,
        };
        html_status(notice.status, &page)
    }
}

#[derive(Deserialize)]
struct DecideForm {
    year: String,
    kind: String,
    /// confirm or dismiss.
    decision: String,
    #[serde(default)]
    reason: String,
}

async fn decide(
    State(state): State<AppState>,
    Path(id): Path<String>,
    CsrfForm { user, form: f }: CsrfForm<DecideForm>,
) -> Result<Response, PageError> {
    let (org, year) = form_org_year(&state, &user, &id, &f.year).await?;
    let kind = WeaknessKind::parse(&f.kind)
        .ok_or_else(|| PageError(WebError::BadRequest(format!("问题类型无效：{}", f.kind))))?;
    let app = &state.app;
    let grant = || user.actor.grant::<access::DecideWeakness>();
    let result = match f.decision.as_str() {
        "confirm" => weak::confirm(app, &grant()?, &org, year, kind, &f.reason).await,
        "dismiss" => weak::dismiss(app, &grant()?, &org, year, kind, &f.reason).await,
        other => {
            return Err(PageError(WebError::BadRequest(format!(
                "处理方式无效：{other}"
            ))))
        }
    };
    let result = result.map(|d| d.status.to_string());
    after_form::<Weak>(&state, &user, &org, year, result, &f.reason).await
}
