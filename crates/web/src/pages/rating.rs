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
use jiceng_app::access::{self, Action};
use jiceng_app::rating::{self, RatingsReport, StarCount};
use jiceng_app::{AppError, OrgRecord};
use serde::Deserialize;

use super::common::{
    after_form, export, form_org, form_org_year, org_page, tabs, year_of, years, Notice, OrgReport,
    OrgYear, Page, Tab, RATING,
};
use super::{html_status, urlencode, Nav, Pager};
use crate::charts;
use crate::error::{PageError, WebError};
use crate::extract::{CsrfForm, QueryOrg};
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
            org_page::<Rating>,
        )
        .post(
            "/orgs/{id}/rating/adjust",
            Guard::May(Action::AdjustRating),
            Subject::Org,
            adjust,
        )
}

/// "五星级" … "一星级", as the rules name the levels (not "5星").
fn level_name(s: i64) -> String {
    match s {
        5 => "五星级".into(),
        4 => "四星级".into(),
        3 => "三星级".into(),
        2 => "二星级".into(),
        1 => "一星级".into(),
        n => format!("{n}星"),
    }
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
        return export(&state, &user, "星级评定", &org, Some(year), r.to_sheets()).await;
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
        .map(level_name)
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
    let chart = charts::counts(
        &format!("{year}年度星级分布"),
        star_rows.iter().map(|s| (s.label.clone(), s.n)),
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
    html_status(
        status,
        &RatingsPage {
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
                s => s
                    .parse()
                    .map(level_name)
                    .unwrap_or_else(|_| format!("{s}星")),
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
            flash: RATING.flash(p.done.as_deref()),
            error,
        },
    )
}

#[derive(Deserialize)]
struct ComputeForm {
    org: String,
    year: String,
}

async fn compute(
    State(state): State<AppState>,
    CsrfForm { user, form: f }: CsrfForm<ComputeForm>,
) -> Result<Response, PageError> {
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

/// One org's rating page.
struct Rating;

impl OrgReport for Rating {
    const PAGE: Page = RATING;

    async fn render(at: OrgYear<'_>, notice: Notice) -> Result<Response, PageError> {
        let (state, user, org, year) = (at.state, at.user, at.org, at.year);
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
        // Archived: the stored rating, and the current figures beside it; else the current.
        let stored = r.stored.as_ref();
        let page = OrgRatingPage {
            title: format!("{} 星级评定", org.org.name),
            nav: Nav::of(user),
            org_id: org.org.id,
            org_name: org.org.name.clone(),
            year,
            years: years(state),
            as_of: r.as_of.to_string(),
            stored: stored.is_some(),
            stars: stored.map_or(current_stars.clone(), |st| stars_text(st.stars)),
            computed_stars: stored
                .map_or(current_stars.clone(), |st| stars_text(st.computed_stars)),
            score: stored.map_or(current_score.clone(), |st| score_text(st.score)),
            rated_on: stored.map(|st| st.as_of.to_string()).unwrap_or_default(),
            evidence: stored
                .map_or(&r.current.evidence, |st| &st.evidence)
                .clone(),
            adjusted_by: stored.and_then(|st| st.adjusted_by.clone()),
            adjusted_reason: stored.and_then(|st| st.adjusted_reason.clone()),
            indicators: indicator_rows(stored.map_or(&r.current.indicators, |st| &st.indicators)),
            current_stars,
            current_score,
            signals,
            can_adjust: stored.is_some() && user.actor.may(Action::AdjustRating),
            can_rate: user.actor.may(Action::Rate),
            flash: notice.flash,
            error: notice.error,
            reason: notice.reason,
        };
        html_status(notice.status, &page)
    }
}

#[derive(Deserialize)]
struct AdjustForm {
    year: String,
    /// 1–5, or empty to remove the adjustment.
    #[serde(default)]
    stars: String,
    #[serde(default)]
    reason: String,
}

async fn adjust(
    State(state): State<AppState>,
    Path(id): Path<String>,
    CsrfForm { user, form: f }: CsrfForm<AdjustForm>,
) -> Result<Response, PageError> {
    let (org, year) = form_org_year(&state, &user, &id, &f.year).await?;
    let stars = match f.stars.trim() {
        "" => None,
        s => Some(
            s.parse::<i64>()
                .map_err(|_| PageError(WebError::BadRequest(format!("星级无效：{s}"))))?,
        ),
    };
    let grant = user.actor.grant::<access::AdjustRating>()?;
    let result = rating::adjust(&state.app, &grant, &org, year, stars, &f.reason)
        .await
        .map(|()| {
            match stars {
                Some(_) => "adjusted",
                None => "unadjusted",
            }
            .to_string()
        });
    after_form::<Rating>(&state, &user, &org, year, result, &f.reason).await
}
