//! Weak organizations (软弱涣散, SPEC C5): the subtree's weak orgs by kind (the eight, with
//! counts) and by region (direct children), each org's weaknesses with their status,
//! signals and evidence, the rules that had no data (暂无数据); one org's diagnosis with
//! every signal and the department's confirm / dismiss form (a reason is required;
//! audited; a confirmation opens the rectification case). Exportable.

use askama::Template;
use axum::extract::{Path, Query, State};
use axum::response::{IntoResponse, Response};
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
use super::listing::{query_string, Pager};
use super::{html_status, urlencode, Nav};
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
            "/reports/weak/decide",
            Guard::May(Action::DecideWeakness),
            Subject::QueryOrg,
            decide_many,
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

#[derive(Deserialize, Default)]
struct ListParams {
    year: Option<String>,
    kind: Option<String>,
    /// suspected (待研判), confirmed, dismissed; empty: all.
    status: Option<String>,
    /// A direct child's id: only the orgs under it.
    under: Option<i64>,
    page: Option<i64>,
    format: Option<String>,
    /// After a batch decision: how many, and which.
    done: Option<String>,
    n: Option<usize>,
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
    /// This page filtered to the region.
    pub list_href: String,
    pub weak_orgs: usize,
    pub kinds: String,
}

pub struct SignalLine {
    pub rule: String,
    pub evidence: String,
}

pub struct WeakLine {
    pub kind: String,
    /// The checkbox's value: `<org id>:<kind code>`.
    pub pick: String,
    pub picked: bool,
    pub status: String,
    pub status_code: String,
    pub class: String,
    pub signals: Vec<SignalLine>,
}

pub struct OrgLine {
    pub rank: usize,
    pub name: String,
    pub href: String,
    /// The direct child of the page's org it lies under (所属).
    pub region: String,
    pub weaknesses: Vec<WeakLine>,
}

pub struct NoDataLine {
    pub kind: String,
    pub rule: String,
    pub n: usize,
}

pub struct Choice {
    pub value: String,
    pub label: String,
    pub selected: bool,
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
    kind_choices: Vec<Choice>,
    status_choices: Vec<Choice>,
    region_choices: Vec<Choice>,
    filtered: bool,
    orgs: Vec<OrgLine>,
    pager: Pager,
    can_decide: bool,
    batch_max: usize,
    flash: Option<String>,
    error: Option<String>,
    reason: String,
    /// Where the batch form posts (the filters kept).
    decide_href: String,
    no_data: Vec<NoDataLine>,
    /// The figures are the last rating run's (a large subtree), not diagnosed now.
    stored: bool,
}

/// Orgs a page of the list shows.
const PAGE_SIZE: usize = 50;

/// The order the department works through the list: orgs with weaknesses still to decide
/// first, then those with more kinds, then more signals; within that, by code (行政区划 order).
fn priority(w: &weak_report::WeakOrg) -> (usize, usize, usize) {
    let open = w
        .weaknesses
        .iter()
        .filter(|x| x.status == "suspected")
        .count();
    let kinds = w
        .weaknesses
        .iter()
        .filter(|x| x.status != "dismissed")
        .count();
    let signals: usize = w.weaknesses.iter().map(|x| x.signals.len()).sum();
    (
        usize::from(open == 0),
        usize::MAX - kinds,
        usize::MAX - signals,
    )
}

impl ListParams {
    /// The kind filter, if it names a kind.
    fn kind(&self) -> Option<&'static str> {
        self.kind
            .as_deref()
            .and_then(WeaknessKind::from_code)
            .map(|k| k.code())
    }

    /// The status filter, if it names a status.
    fn status(&self) -> Option<&str> {
        self.status
            .as_deref()
            .filter(|s| ["suspected", "confirmed", "dismissed"].contains(s))
    }
}

/// The list's address parameters: the org, the year and the filters that apply.
fn list_query(
    org_id: i64,
    year: i32,
    kind: Option<&str>,
    status: Option<&str>,
    under: Option<i64>,
) -> Vec<(&'static str, String)> {
    let mut params = vec![("org", org_id.to_string()), ("year", year.to_string())];
    if let Some(k) = kind {
        params.push(("kind", k.to_string()));
    }
    if let Some(s) = status {
        params.push(("status", s.to_string()));
    }
    if let Some(u) = under {
        params.push(("under", u.to_string()));
    }
    params
}

/// What a re-shown list carries after a refused batch: the message, the reason typed and
/// the boxes ticked.
#[derive(Default)]
struct Refused {
    error: Option<String>,
    reason: String,
    picks: Vec<String>,
}

async fn weak_page(
    State(state): State<AppState>,
    QueryOrg { user, org }: QueryOrg<User>,
    Query(p): Query<ListParams>,
) -> Result<Response, PageError> {
    list(&state, &user, &org, &p, Refused::default()).await
}

async fn list(
    state: &AppState,
    user: &User,
    org: &jiceng_app::access::InScope<jiceng_app::OrgRecord>,
    p: &ListParams,
    refused: Refused,
) -> Result<Response, PageError> {
    let year = year_of(state, &p.year)?;
    let r = weak_report::run(&state.app, org, year).await?;
    if p.format.as_deref() == Some("xlsx") {
        return export(state, user, "软弱涣散", org, Some(year), r.to_sheets()).await;
    }
    let s = weak_report::summarize(&state.app, org, &r).await?;
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
                href: format!("{base}&kind={}#weak-orgs", k.code()),
            }
        })
        .collect();
    let chart = charts::counts(
        &format!("{year}年度软弱涣散问题（疑似与已确定，按类型）"),
        kinds
            .iter()
            .map(|k| (k.label.to_string(), k.suspected + k.confirmed)),
    );
    // The direct children by id, for the 所属 column and the filter.
    let depth = jiceng_domain::path::depth(&org.path);
    let region_of = |w: &weak_report::WeakOrg| {
        jiceng_domain::path::ids(&w.path)
            .get(depth)
            .copied()
            .unwrap_or_default()
    };
    let region_ids: Vec<(i64, String)> = s
        .by_region
        .iter()
        .map(|x| (x.id, x.org.name.clone()))
        .collect();
    let region_name = |id: i64| {
        region_ids
            .iter()
            .find(|(i, _)| *i == id)
            .map(|(_, n)| n.clone())
            .unwrap_or_default()
    };
    let regions = s
        .by_region
        .iter()
        .map(|x| RegionLine {
            name: x.org.name.clone(),
            href: format!("/reports/weak?org={}&year={year}", urlencode(&x.org.code)),
            list_href: format!("{base}&under={}#weak-orgs", x.id),
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
    let (kind, status) = (p.kind(), p.status());
    let under = p.under.filter(|id| region_ids.iter().any(|(i, _)| i == id));
    let mut matching: Vec<&weak_report::WeakOrg> = r
        .weak
        .iter()
        .filter(|w| {
            w.weaknesses
                .iter()
                .any(|x| kind.is_none_or(|k| x.kind == k) && status.is_none_or(|s| x.status == s))
        })
        .filter(|w| under.is_none_or(|u| region_of(w) == u))
        .collect();
    matching.sort_by_key(|w| (priority(w), w.org.code.clone()));
    let total = matching.len();
    let pages = total.div_ceil(PAGE_SIZE).max(1);
    let page = (p.page.unwrap_or(1).max(1) as usize).min(pages);
    let mut params = list_query(org.org.id, year, kind, status, under);
    let pager = Pager::new(
        "/reports/weak",
        &params,
        page as i64,
        pages as i64,
        total as i64,
    );
    params.push(("page", page.to_string()));
    let decide_href = format!("/reports/weak/decide?{}", query_string(&params));
    let orgs = matching
        .into_iter()
        .enumerate()
        .skip((page - 1) * PAGE_SIZE)
        .take(PAGE_SIZE)
        .map(|(i, w)| {
            let id = jiceng_domain::path::ids(&w.path)
                .last()
                .copied()
                .unwrap_or_default();
            OrgLine {
                rank: i + 1,
                name: w.org.name.clone(),
                href: format!("/orgs/{}/weak?year={year}", urlencode(&w.org.code)),
                region: if region_of(w) == id {
                    String::new()
                } else {
                    region_name(region_of(w))
                },
                weaknesses: w
                    .weaknesses
                    .iter()
                    .map(|x| {
                        let pick = format!("{id}:{}", x.kind);
                        WeakLine {
                            kind: kind_label(x.kind).into(),
                            picked: refused.picks.contains(&pick),
                            pick,
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
                        }
                    })
                    .collect(),
            }
        })
        .collect();
    let choice = |value: &str, label: &str, selected: bool| Choice {
        value: value.into(),
        label: label.into(),
        selected,
    };
    let kind_choices = std::iter::once(choice("", "全部类型", kind.is_none()))
        .chain(
            WeaknessKind::ALL
                .iter()
                .map(|k| choice(k.code(), k.label(), kind == Some(k.code()))),
        )
        .collect();
    let status_choices = [
        ("", "全部状态"),
        ("suspected", "疑似（待研判）"),
        ("confirmed", "已确定"),
        ("dismissed", "已排除"),
    ]
    .iter()
    .map(|(v, l)| choice(v, l, status.unwrap_or("") == *v))
    .collect();
    let region_choices = std::iter::once(choice("", "全部下级", under.is_none()))
        .chain(
            region_ids
                .iter()
                .map(|(id, n)| choice(&id.to_string(), n, under == Some(*id))),
        )
        .collect();
    let flash = match (p.done.as_deref(), p.n) {
        (Some("confirm"), Some(n)) => Some(format!("已确定{n}条问题，并已建立或更新整顿台账。")),
        (Some("dismiss"), Some(n)) => Some(format!("已排除{n}条问题。")),
        _ => None,
    };
    let status_code = if refused.error.is_some() {
        axum::http::StatusCode::BAD_REQUEST
    } else {
        axum::http::StatusCode::OK
    };
    html_status(
        status_code,
        &WeakPage {
            title: "软弱涣散基层党组织".into(),
            nav: Nav::of(user),
            tabs: tabs(org.org.id, "weak"),
            org_id: org.org.id,
            org_name: org.org.name.clone(),
            year,
            years: years(state),
            as_of: r.as_of.to_string(),
            diagnosed: r.diagnosed,
            stored: r.stored,
            weak_orgs: s.weak_orgs,
            chart,
            kinds,
            regions,
            kind_choices,
            status_choices,
            region_choices,
            filtered: kind.is_some() || status.is_some() || under.is_some(),
            orgs,
            pager,
            can_decide: user.actor.may(Action::DecideWeakness),
            batch_max: weak::BATCH_MAX,
            flash,
            error: refused.error,
            reason: refused.reason,
            decide_href,
            no_data: r
                .no_data
                .iter()
                .map(|(rule, k, n)| NoDataLine {
                    kind: k.label().into(),
                    rule: rule.label().into(),
                    n: *n,
                })
                .collect(),
        },
    )
}

/// 批量确定 / 批量排除 from the list: the ticked weaknesses (`pick` = `<org id>:<kind>`), one
/// shared reason, all or nothing; back to the same page of the list.
async fn decide_many(
    State(state): State<AppState>,
    QueryOrg { org, .. }: QueryOrg<User>,
    Query(p): Query<ListParams>,
    CsrfForm { user, form }: CsrfForm<Vec<(String, String)>>,
) -> Result<Response, PageError> {
    let get = |name: &str| {
        form.iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.clone())
            .unwrap_or_default()
    };
    let raw: Vec<String> = form
        .iter()
        .filter(|(k, v)| k == "pick" && !v.is_empty())
        .map(|(_, v)| v.clone())
        .collect();
    let mut picks = Vec::with_capacity(raw.len());
    for r in &raw {
        let pick = r
            .split_once(':')
            .and_then(|(id, k)| Some((id.parse::<i64>().ok()?, WeaknessKind::from_code(k)?)));
        match pick {
            Some(x) => picks.push(x),
            None => return Err(PageError(WebError::BadRequest(format!("勾选项无效：{r}")))),
        }
    }
    let year = year_of(&state, &p.year)?;
    let (decision, word) = match get("decision").as_str() {
        "confirm" => (Decision::Confirmed, "confirm"),
        "dismiss" => (Decision::Dismissed, "dismiss"),
        other => {
            return Err(PageError(WebError::BadRequest(format!(
                "处理方式无效：{other}"
            ))))
        }
    };
    let reason = get("reason");
    let grant = user.actor.grant::<access::DecideWeakness>()?;
    match weak::decide_many(&state.app, &grant, &org, year, &picks, decision, &reason).await {
        Ok(done) => {
            let mut params = list_query(org.org.id, year, p.kind(), p.status(), p.under);
            if let Some(pg) = p.page {
                params.push(("page", pg.to_string()));
            }
            params.push(("done", word.to_string()));
            params.push(("n", done.len().to_string()));
            Ok(axum::response::Redirect::to(&format!(
                "/reports/weak?{}#weak-orgs",
                query_string(&params)
            ))
            .into_response())
        }
        Err(jiceng_app::AppError::Input(msg)) => {
            let p = ListParams {
                done: None,
                n: None,
                format: None,
                ..p
            };
            list(
                &state,
                &user,
                &org,
                &p,
                Refused {
                    error: Some(msg),
                    reason,
                    picks: raw,
                },
            )
            .await
        }
        Err(e) => Err(e.into()),
    }
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
