//! Rating pages (分类评定、评星定级, SPEC C5): the stars distribution of a subtree and year
//! with drill-down by child org and the list of rated orgs (exportable), a (re)rating
//! button for the roles that may rate, and one org's rating with every indicator's score,
//! weight and evidence and the hand adjustment (a reason is required; audited).
//!
//! The helpers the weak-org and rectification pages share are in `pages/common.rs`.

use askama::Template;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use axum::Form;
use jiceng_app::access::{self, Action, InScope};
use jiceng_app::rating::{self, RatingsReport, StarCount};
use jiceng_app::{AppError, OrgRecord};
use serde::Deserialize;

use super::common::{export, form_org, rated_org, year_of, years};
use super::reports::{tabs, Tab};
use super::{html, urlencode, Nav, Pager};
use crate::charts;
use crate::error::{PageError, WebError};
use crate::extract::{PathOrg, QueryOrg};
use crate::routes::{Guard, Routes, Subject};
use crate::session::User;
use crate::AppState;

pub fn routes() -> Routes {
    Routes::new()
        .get(
            "/reports/ratings",
            Guard::May(Action::ReadData),
            Subject::QueryOrg,
            ratings_page,
        )
        .post(
            "/reports/ratings/compute",
            Guard::May(Action::Rate),
            Subject::QueryOrg,
            compute,
        )
        .get(
            "/orgs/{id}/rating",
            Guard::May(Action::ReadData),
            Subject::Org,
            org_rating_page,
        )
        .post(
            "/orgs/{id}/rating/adjust",
            Guard::May(Action::AdjustRating),
            Subject::Org,
            adjust,
        )
}

pub(super) fn stars_text(s: Option<i64>) -> String {
    match s {
        Some(n) if (1..=5).contains(&n) => "★".repeat(n as usize),
        Some(n) => format!("{n}星"),
        None => "未定星".into(),
    }
}

fn score_text(s: Option<f64>) -> String {
    s.map(|x| format!("{x:.1}"))
        .unwrap_or_else(|| "暂无数据".into())
}

fn flash_of(done: Option<&str>) -> Option<String> {
    Some(
        match done? {
            "rated" => "已完成本年度评定",
            "adjusted" => "已调整星级（已记入审计日志）",
            "unadjusted" => "已撤销人工调整（已记入审计日志）",
            _ => return None,
        }
        .to_string(),
    )
}

// ---------------------------------------------------------------- distribution

#[derive(Deserialize)]
struct ListParams {
    year: Option<String>,
    stars: Option<String>,
    page: Option<i64>,
    format: Option<String>,
    done: Option<String>,
}

pub struct StarRow {
    pub label: String,
    pub n: i64,
    pub share: String,
    pub href: String,
}

pub struct LevelRow {
    pub href: String,
    pub name: String,
    pub rated: i64,
    /// 5★ down to 1★, then no stars.
    pub counts: Vec<i64>,
}

pub struct ItemRow {
    pub href: String,
    pub name: String,
    pub stars: String,
    pub computed: String,
    pub score: String,
    pub weight: String,
    pub adjusted: bool,
}

#[derive(Template)]
#[template(path = "rating_list.html")]
struct RatingsPage {
    title: String,
    nav: Nav,
    tabs: Vec<Tab>,
    org_id: i64,
    org_name: String,
    year: i32,
    years: Vec<i32>,
    rated: i64,
    chart: String,
    star_rows: Vec<StarRow>,
    levels: Vec<LevelRow>,
    items: Vec<ItemRow>,
    filter: String,
    pager: Pager,
    can_rate: bool,
    flash: Option<String>,
    error: Option<String>,
}

const PAGE_SIZE: i64 = 50;

/// `?stars=` as the use case takes it: "none" is rated without stars.
fn stars_filter(s: &Option<String>) -> Result<Option<Option<i64>>, PageError> {
    match s.as_deref().map(str::trim).filter(|s| !s.is_empty()) {
        None => Ok(None),
        Some("none") => Ok(Some(None)),
        Some(v) => v
            .parse()
            .map(|n| Some(Some(n)))
            .map_err(|_| PageError(WebError::BadRequest(format!("星级无效：{v}")))),
    }
}

/// The counts 5★…1★ and no stars, in that order.
fn counts_of(stars: &[StarCount]) -> Vec<i64> {
    let of = |s: Option<i64>| {
        stars
            .iter()
            .find(|c| c.stars == s)
            .map(|c| c.orgs)
            .unwrap_or(0)
    };
    let mut v: Vec<i64> = (1..=5).rev().map(|s| of(Some(s))).collect();
    v.push(of(None));
    v
}

async fn ratings_page(
    State(state): State<AppState>,
    QueryOrg { user, org }: QueryOrg<User>,
    Query(p): Query<ListParams>,
) -> Result<Response, PageError> {
    let year = year_of(&state, &p.year)?;
    rating::check_year(&state.app, year)?;
    let filter = stars_filter(&p.stars)?;
    if p.format.as_deref() == Some("xlsx") {
        let max = jiceng_app::export::MAX_ROWS;
        let r = rating::ratings(&state.app, &org, year, filter, 1, max).await?;
        return export(&state, &user, "星级评定", &org, year, r.to_sheets()).await;
    }
    let page = p.page.unwrap_or(1).max(1);
    // A province's distribution reads every rated org's index entry: kept a minute.
    let key = (org.org.id, year, filter, page);
    let r = match state.ratings.get(&state, &key) {
        Some(r) => r,
        None => {
            let r = rating::ratings(&state.app, &org, year, filter, page, PAGE_SIZE).await?;
            state.ratings.put(&state, key, r.clone());
            r
        }
    };
    render_ratings(
        &state,
        &user,
        &org,
        year,
        &p,
        &r,
        page,
        None,
        StatusCode::OK,
    )
}

#[allow(clippy::too_many_arguments)]
fn render_ratings(
    state: &AppState,
    user: &User,
    org: &OrgRecord,
    year: i32,
    p: &ListParams,
    r: &RatingsReport,
    page: i64,
    error: Option<String>,
    status: StatusCode,
) -> Result<Response, PageError> {
    let counts = counts_of(&r.stars);
    let labels: Vec<String> = (1..=5)
        .rev()
        .map(|s| format!("{s}星"))
        .chain(std::iter::once("未定星".to_string()))
        .collect();
    let codes: Vec<String> = (1..=5)
        .rev()
        .map(|s| s.to_string())
        .chain(std::iter::once("none".to_string()))
        .collect();
    let base = format!("/reports/ratings?org={}&year={year}", org.org.id);
    let star_rows: Vec<StarRow> = labels
        .iter()
        .zip(&counts)
        .zip(&codes)
        .map(|((l, n), c)| StarRow {
            label: l.clone(),
            n: *n,
            share: if r.rated > 0 {
                format!("{:.1}%", *n as f64 * 100.0 / r.rated as f64)
            } else {
                "—".into()
            },
            href: format!("{base}&stars={c}"),
        })
        .collect();
    let chart = charts::bars(
        &format!("{year}年度星级分布"),
        &star_rows
            .iter()
            .map(|s| (s.label.clone(), s.n as f64, s.n.to_string()))
            .collect::<Vec<_>>(),
    );
    let levels = r
        .levels
        .iter()
        .map(|l| LevelRow {
            href: format!(
                "/reports/ratings?org={}&year={year}",
                urlencode(&l.org.code)
            ),
            name: l.org.name.clone(),
            rated: l.rated,
            counts: counts_of(&l.stars),
        })
        .collect();
    let items = r
        .items
        .iter()
        .map(|i| ItemRow {
            href: format!("/orgs/{}/rating?year={year}", urlencode(&i.org.code)),
            name: i.org.name.clone(),
            stars: stars_text(i.stars),
            computed: stars_text(i.computed_stars),
            score: score_text(i.score),
            weight: format!("{:.0}%", i.weight_with_data * 100.0),
            adjusted: i.adjusted,
        })
        .collect();
    let pages = ((r.total + PAGE_SIZE - 1) / PAGE_SIZE).max(1);
    let stars = p.stars.clone().unwrap_or_default();
    let mut resp = html(&RatingsPage {
        title: "星级评定".into(),
        nav: Nav::of(user),
        tabs: tabs(org.org.id, "ratings"),
        org_id: org.org.id,
        org_name: org.org.name.clone(),
        year,
        years: years(state),
        rated: r.rated,
        chart,
        star_rows,
        levels,
        items,
        filter: match stars.as_str() {
            "" => String::new(),
            "none" => "未定星".into(),
            s => format!("{s}星"),
        },
        pager: Pager::new(
            "/reports/ratings",
            &[
                ("org", org.org.id.to_string()),
                ("year", year.to_string()),
                ("stars", stars),
            ],
            page,
            pages,
            r.total,
        ),
        can_rate: user.actor.may(Action::Rate),
        flash: flash_of(p.done.as_deref()),
        error,
    })?;
    *resp.status_mut() = status;
    Ok(resp)
}

#[derive(Deserialize)]
struct ComputeForm {
    #[serde(default)]
    csrf: String,
    org: String,
    year: String,
}

async fn compute(
    State(state): State<AppState>,
    user: User,
    Form(f): Form<ComputeForm>,
) -> Result<Response, PageError> {
    user.check_csrf(&f.csrf)?;
    let org = form_org(&state, &user, &f.org).await?;
    let year = year_of(&state, &Some(f.year.clone()))?;
    let grant = user.actor.grant::<access::Rate>()?;
    match rating::rate(&state.app, &grant, &org, year).await {
        Ok(_) => Ok(Redirect::to(&format!(
            "/reports/ratings?org={}&year={year}&done=rated",
            org.org.id
        ))
        .into_response()),
        Err(AppError::Input(msg)) => {
            let p = ListParams {
                year: Some(year.to_string()),
                stars: None,
                page: None,
                format: None,
                done: None,
            };
            let r = rating::ratings(&state.app, &org, year, None, 1, PAGE_SIZE).await?;
            render_ratings(
                &state,
                &user,
                &org,
                year,
                &p,
                &r,
                1,
                Some(msg),
                StatusCode::BAD_REQUEST,
            )
        }
        Err(e) => Err(e.into()),
    }
}

// ---------------------------------------------------------------- one org

pub struct IndicatorRow {
    pub name: String,
    pub weight: String,
    pub no_data: bool,
    pub score: String,
    pub evidence: String,
}

pub struct SignalLine {
    pub kind: String,
    pub label: String,
    pub state: String,
    pub fired: bool,
    pub evidence: String,
}

#[derive(Template)]
#[template(path = "rating_org.html")]
struct OrgRatingPage {
    title: String,
    nav: Nav,
    org_id: i64,
    org_name: String,
    year: i32,
    years: Vec<i32>,
    as_of: String,
    stored: bool,
    stars: String,
    computed_stars: String,
    score: String,
    rated_on: String,
    evidence: String,
    adjusted_by: Option<String>,
    adjusted_reason: Option<String>,
    indicators: Vec<IndicatorRow>,
    current_stars: String,
    current_score: String,
    signals: Vec<SignalLine>,
    can_adjust: bool,
    can_rate: bool,
    flash: Option<String>,
    error: Option<String>,
    reason: String,
}

#[derive(Deserialize)]
struct YearParams {
    year: Option<String>,
    done: Option<String>,
}

fn indicator_rows(list: &[jiceng_domain::rating::IndicatorScore]) -> Vec<IndicatorRow> {
    list.iter()
        .map(|i| IndicatorRow {
            name: i.name.clone(),
            weight: format!("{}", i.weight),
            no_data: i.state == jiceng_domain::rating::ScoreState::NoData,
            score: i
                .score
                .map(|s| format!("{s:.1}"))
                .unwrap_or_else(|| i.state.label().into()),
            evidence: i.evidence.clone(),
        })
        .collect()
}

#[allow(clippy::too_many_arguments)]
async fn render_org_rating(
    state: &AppState,
    user: &User,
    org: &InScope<OrgRecord>,
    year: i32,
    flash: Option<String>,
    error: Option<String>,
    reason: String,
    status: StatusCode,
) -> Result<Response, PageError> {
    let r = rating::org_rating(&state.app, org, year).await?;
    let current_stars = stars_text(r.current.stars.map(i64::from));
    let current_score = score_text(r.current.score);
    let signals = r
        .signals
        .iter()
        .map(|s| SignalLine {
            kind: jiceng_domain::WeaknessKind::from_code(s.kind)
                .map(|k| k.char())
                .unwrap_or("")
                .into(),
            label: s.label.into(),
            state: s.state.into(),
            fired: s.state == "触发",
            evidence: s.evidence.clone(),
        })
        .collect();
    let page = match &r.stored {
        Some(st) => OrgRatingPage {
            title: format!("{} 星级评定", org.org.name),
            nav: Nav::of(user),
            org_id: org.org.id,
            org_name: org.org.name.clone(),
            year,
            years: years(state),
            as_of: r.as_of.to_string(),
            stored: true,
            stars: stars_text(st.stars),
            computed_stars: stars_text(st.computed_stars),
            score: score_text(st.score),
            rated_on: st.as_of.to_string(),
            evidence: st.evidence.clone(),
            adjusted_by: st.adjusted_by.clone(),
            adjusted_reason: st.adjusted_reason.clone(),
            indicators: indicator_rows(&st.indicators),
            current_stars,
            current_score,
            signals,
            can_adjust: user.actor.may(Action::AdjustRating),
            can_rate: user.actor.may(Action::Rate),
            flash,
            error,
            reason,
        },
        None => OrgRatingPage {
            title: format!("{} 星级评定", org.org.name),
            nav: Nav::of(user),
            org_id: org.org.id,
            org_name: org.org.name.clone(),
            year,
            years: years(state),
            as_of: r.as_of.to_string(),
            stored: false,
            stars: current_stars.clone(),
            computed_stars: current_stars.clone(),
            score: current_score.clone(),
            rated_on: String::new(),
            evidence: r.current.evidence.clone(),
            adjusted_by: None,
            adjusted_reason: None,
            indicators: indicator_rows(&r.current.indicators),
            current_stars,
            current_score,
            signals,
            can_adjust: false,
            can_rate: user.actor.may(Action::Rate),
            flash,
            error,
            reason,
        },
    };
    let mut resp = html(&page)?;
    *resp.status_mut() = status;
    Ok(resp)
}

async fn org_rating_page(
    State(state): State<AppState>,
    PathOrg { user, org }: PathOrg<User>,
    Query(p): Query<YearParams>,
) -> Result<Response, PageError> {
    let (org, year) = match rated_org(&state, org, &p.year, "ratings")? {
        Ok(x) => x,
        Err(redirect) => return Ok(redirect),
    };
    render_org_rating(
        &state,
        &user,
        &org,
        year,
        flash_of(p.done.as_deref()),
        None,
        String::new(),
        StatusCode::OK,
    )
    .await
}

#[derive(Deserialize)]
struct AdjustForm {
    #[serde(default)]
    csrf: String,
    year: String,
    /// 1–5, or empty to remove the adjustment.
    #[serde(default)]
    stars: String,
    #[serde(default)]
    reason: String,
}

async fn adjust(
    State(state): State<AppState>,
    user: User,
    Path(id): Path<String>,
    Form(f): Form<AdjustForm>,
) -> Result<Response, PageError> {
    user.check_csrf(&f.csrf)?;
    let org = form_org(&state, &user, &id).await?;
    let year = year_of(&state, &Some(f.year.clone()))?;
    let stars = match f.stars.trim() {
        "" => None,
        s => Some(
            s.parse::<i64>()
                .map_err(|_| PageError(WebError::BadRequest(format!("星级无效：{s}"))))?,
        ),
    };
    let grant = user.actor.grant::<access::AdjustRating>()?;
    match rating::adjust(&state.app, &grant, &org, year, stars, &f.reason).await {
        Ok(()) => Ok(Redirect::to(&format!(
            "/orgs/{}/rating?year={year}&done={}",
            org.org.id,
            if stars.is_some() {
                "adjusted"
            } else {
                "unadjusted"
            }
        ))
        .into_response()),
        Err(AppError::Input(msg)) => {
            render_org_rating(
                &state,
                &user,
                &org,
                year,
                None,
                Some(msg),
                f.reason.clone(),
                StatusCode::BAD_REQUEST,
            )
            .await
        }
        Err(e) => Err(e.into()),
    }
}
