//! 检验标准（五个是否）and 木桶效应 on the web (issue #19): an org's scorecard of a
//! period read from the stored figures — the five measures with every indicator, its
//! evidence and a link to the records behind it; the weakest link with the children and
//! orgs pulling it down and the what-if; the children × measures heat map (SVG, numbers in
//! the cells, drill-down to each child's own card) with the same figures as a table; the
//! trend over the stored periods — and the department's 重新计算.

use askama::Template;
use axum::extract::{Query, State};
use axum::response::Response;
use chrono::Datelike;
use jiceng_app::access::{Action, BuildScorecard, ScoreDevelopment, ViewScorecard};
use jiceng_app::scorecard::{self, score_text, Card, Period, TrendPoint};
use jiceng_domain::scorecard::{Contribution, Measure, MeasureScores};
use serde::Deserialize;

use super::common::{export, tabs, Tab};
use super::{done_redirect, html, Nav};
use crate::charts::{self, HeatRow};
use crate::error::PageError;
use crate::extract::{CsrfForm, NoFields, QueryOrg};
use crate::routes::{Guard, Routes, Subject};
use crate::session::User;
use crate::AppState;

pub fn routes() -> Routes {
    Routes::new()
        .get(
            "/reports/scorecard",
            Guard::May(Action::ViewScorecard),
            Subject::QueryOrg,
            page,
        )
        .post(
            "/reports/scorecard/build",
            Guard::May(Action::BuildScorecard),
            Subject::QueryOrg,
            build,
        )
        .post(
            "/reports/scorecard/hand",
            Guard::May(Action::ScoreDevelopment),
            Subject::QueryOrg,
            hand,
        )
}

#[derive(Deserialize)]
struct Params {
    period: Option<String>,
    format: Option<String>,
    done: Option<String>,
}

/// The period asked (default: this year), refused in Chinese when it cannot be read.
fn period_of(state: &AppState, p: &Option<String>) -> Result<Period, PageError> {
    let this_year = state.app.today().year().to_string();
    let asked = p.as_deref().map(str::trim).filter(|s| !s.is_empty());
    Ok(scorecard::period(asked.unwrap_or(&this_year))?)
}

/// The periods the picker offers, newest first: each year, its halves and its quarters
/// that have begun, this year's and the two years' before.
fn periods(state: &AppState) -> Vec<(String, String)> {
    let today = state.app.today();
    let y = today.year();
    (y - 2..=y)
        .rev()
        .flat_map(|y| {
            [
                Period::Year(y),
                Period::Half(y, 2),
                Period::Half(y, 1),
                Period::Quarter(y, 4),
                Period::Quarter(y, 3),
                Period::Quarter(y, 2),
                Period::Quarter(y, 1),
            ]
        })
        .filter(|p| p.first_day() <= today)
        .map(|p| (p.code(), p.label()))
        .collect()
}

/// Where the records behind an indicator are listed, for the org (drill-down).
fn records_of(code: &str, org: i64, year: i32) -> Option<String> {
    let to = match code {
        "org_coverage" | "work_coverage" => format!("/reports/coverage?org={org}"),
        "life_compliance" => format!("/reports/compliance?org={org}"),
        "structure_sound" | "secretary_in_place" | "term_current" => {
            format!("/reports/structure?org={org}")
        }
        "not_weak" => format!("/reports/weak?org={org}&year={year}"),
        "weak_rectified" | "measures_on_time" => {
            format!("/reports/rectification?org={org}&year={year}")
        }
        "training_met" => format!("/training?org={org}&year={year}"),
        "duty_good" => format!("/duty?org={org}&year={year}"),
        "recruits_young" => format!("/recruitment?org={org}"),
        "tasks_on_time" => format!("/tasks?org={org}"),
        "problems_fixed" => format!("/inspections?org={org}"),
        "collective_income" => format!("/funding?org={org}&year={year}"),
        "survey_satisfied" => format!("/surveys?org={org}"),
        "requests_resolved" | "requests_in_time" | "feedback_satisfied" => {
            format!("/requests?org={org}")
        }
        _ => return None,
    };
    Some(to)
}

pub struct IndicatorView {
    pub label: String,
    pub manual: bool,
    pub weight: String,
    pub ratio: String,
    pub score: String,
    pub evidence: String,
    pub href: String,
}

pub struct MeasureView {
    pub code: &'static str,
    pub label: String,
    pub score: String,
    /// The card's bin class (its colour, in app.css).
    pub bin: &'static str,
    /// "有数据的指标权重占 80%".
    pub coverage: String,
    pub indicators: Vec<IndicatorView>,
    pub missing: Vec<String>,
    pub weakest: bool,
}

pub struct RankedView {
    pub org_id: i64,
    pub name: String,
    pub score: String,
    pub weight: String,
    pub contribution: String,
}

pub struct ChildView {
    pub org_id: i64,
    pub name: String,
    pub orgs: i64,
    pub scores: Vec<String>,
}

pub struct TrendView {
    pub label: String,
    pub scores: Vec<String>,
    pub built_at: String,
}

#[derive(Template)]
#[template(path = "scorecard.html")]
struct Page {
    title: String,
    nav: Nav,
    tabs: Vec<Tab>,
    org_id: i64,
    org_name: String,
    period: String,
    period_label: String,
    periods: Vec<(String, String)>,
    freshness: String,
    as_of: String,
    done: Option<String>,
    can_build: bool,
    /// The org's hand score of 发展成效 for the period, and whether the reader may give one.
    hand: Option<scorecard::hand::Given>,
    can_score: bool,
    measures: Vec<MeasureView>,
    measure_chart: String,
    /// 短板 and what it is: the sentence naming the weakest measure.
    weakest: Option<String>,
    what_if: Option<String>,
    children_ranked: Vec<RankedView>,
    orgs_ranked: Vec<RankedView>,
    children_below: usize,
    orgs_below: usize,
    contribution_chart: String,
    heat: String,
    labels: Vec<&'static str>,
    children: Vec<ChildView>,
    trend_chart: String,
    trend: Vec<TrendView>,
}

fn ranked(card: &Card, list: &[Contribution]) -> Vec<RankedView> {
    list.iter()
        .map(|c| RankedView {
            org_id: c.org,
            name: card.name_of(c.org),
            score: format!("{:.1}", c.score),
            weight: format!("{}", c.weight),
            contribution: format!("{:.2}", c.contribution),
        })
        .collect()
}

fn texts(scores: &MeasureScores) -> Vec<String> {
    scores.iter().map(|s| score_text(*s)).collect()
}

/// The measures, each with its indicators, evidence and drill-down.
fn measures(card: &Card, year: i32) -> Vec<MeasureView> {
    let weakest = card.weakest.measure;
    Measure::ALL
        .into_iter()
        .filter_map(|m| card.card.measures.get(&m).map(|s| (m, s)))
        .map(|(m, s)| MeasureView {
            code: m.code(),
            label: m.label().to_string(),
            score: score_text(s.score),
            bin: charts::heat_class(s.score),
            coverage: if s.score.is_some() {
                format!("有记录的指标占权重 {:.0}%", s.weight_with_data * 100.0)
            } else {
                "各项指标均无记录".to_string()
            },
            indicators: s
                .indicators
                .iter()
                .map(|i| IndicatorView {
                    label: i.label.clone(),
                    manual: i.manual,
                    weight: format!("{}", i.weight),
                    ratio: if i.den > 0 {
                        format!("{} / {}", i.num, i.den)
                    } else {
                        "—".into()
                    },
                    score: score_text(i.score),
                    evidence: i.evidence.clone(),
                    href: records_of(&i.code, card.org_id, year).unwrap_or_default(),
                })
                .collect(),
            missing: s.missing.clone(),
            weakest: weakest == Some(m),
        })
        .collect()
}

/// "短板：素质是否提高（52.3 分），最低的一项。"
fn weakest_sentence(card: &Card) -> Option<String> {
    let m = card.weakest.measure?;
    Some(format!(
        "短板：{}（{} 分），是五项中得分最低的一项。",
        m.label(),
        score_text(card.weakest.score)
    ))
}

/// The what-if in words, with every figure it is made of.
fn what_if_sentence(card: &Card) -> Option<String> {
    let w = card.weakest.what_if.as_ref()?;
    let m = card.weakest.measure?;
    let gap = card.weakest.by_measure.iter().find(|g| g.measure == m)?;
    let level = if w.level == "orgs" {
        gap.orgs.as_ref()
    } else {
        gap.children.as_ref()
    }?;
    let (who, each) = if w.level == "orgs" {
        ("基层党组织", "各基层党组织")
    } else {
        ("下级单位", "各下级单位（按组织数加权）")
    };
    if w.raised == 0 {
        return Some(format!(
            "在“{}”一项上，没有{}低于中位数 {:.1} 分，短板不在个别单位，而在整体。",
            m.label(),
            if w.level == "orgs" {
                "基层党组织"
            } else {
                "下级单位"
            },
            level.median
        ));
    }
    let mark = if (level.target - level.median).abs() < 1e-9 {
        "中位数"
    } else {
        "目标"
    };
    Some(format!(
        "在“{}”一项上，若得分低于{mark} {:.1} 分的 {} 个{who}都达到 {:.1} 分，{each}的平均得分将由 {:.1} 升至 {:.1}，提高 {:.1} 分。",
        m.label(),
        w.target,
        w.raised,
        w.target,
        w.before,
        w.after,
        w.gain
    ))
}

fn trend_views(points: &[TrendPoint]) -> (String, Vec<TrendView>) {
    let labels: Vec<String> = points.iter().map(|p| p.short.clone()).collect();
    let series: Vec<(String, Vec<Option<f64>>)> = Measure::ALL
        .into_iter()
        .map(|m| {
            (
                m.label().to_string(),
                points
                    .iter()
                    .map(|p| p.scores.and_then(|s| s[m.index()]))
                    .collect(),
            )
        })
        .collect();
    let title = "五项得分趋势（已计算的各期）";
    let chart = if points.iter().filter(|p| p.scores.is_some()).count() < 2 {
        format!(
            r##"<p class="muted" id="trend-none">{title}：已计算的期间不足两期，暂无趋势。打开其他期间的评分即计算该期。</p>"##
        )
    } else {
        charts::score_lines(title, &labels, &series)
    };
    let rows = points
        .iter()
        .map(|p| TrendView {
            label: p.label.clone(),
            scores: match &p.scores {
                Some(s) => texts(s),
                None if p.built_at.is_some() => vec!["暂无数据".into(); 5],
                None => vec!["未计算".into(); 5],
            },
            built_at: p
                .built_at
                .as_deref()
                .map_or_else(|| "未计算".into(), scorecard::built_time),
        })
        .collect();
    (chart, rows)
}

async fn page(
    State(state): State<AppState>,
    QueryOrg { user, org }: QueryOrg<User>,
    Query(p): Query<Params>,
) -> Result<Response, PageError> {
    let grant = user.actor.grant::<ViewScorecard>()?;
    let period = period_of(&state, &p.period)?;
    let card = scorecard::card(&state.app, &grant, &org, period).await?;
    let hand = scorecard::hand::given(&state.app, &grant, &org, period).await?;
    if p.format.as_deref() == Some("xlsx") {
        return export(&state, &user, "检验标准", &org, None, card.to_sheets()).await;
    }
    let year = period.year();
    let labels: Vec<&'static str> = Measure::ALL.iter().map(|m| m.label()).collect();
    let heat_rows: Vec<HeatRow> = card
        .children
        .iter()
        .map(|c| HeatRow {
            label: c.org.name.clone(),
            href: format!("/reports/scorecard?org={}&period={}", c.org_id, card.period),
            scores: c.scores.to_vec(),
        })
        .collect();
    let heat = charts::heat_map(
        &format!("下级 × 五项得分（{}）", card.period_label),
        &labels,
        &heat_rows,
    );
    let measure_chart = charts::bars(
        "五项得分（0–100，暂无数据不画）",
        &Measure::ALL
            .iter()
            .filter_map(|m| {
                let s = card.card.measures.get(m)?.score?;
                Some((m.label().to_string(), s, format!("{s:.1}")))
            })
            .collect::<Vec<_>>(),
    );
    let contribution_chart = charts::bars(
        "拉低短板最多的下级（对平均分的拉低，分）",
        &card
            .weakest
            .children
            .iter()
            .map(|c| {
                (
                    card.name_of(c.org),
                    c.contribution,
                    format!("{:.2}", c.contribution),
                )
            })
            .collect::<Vec<_>>(),
    );
    let gap = card
        .weakest
        .measure
        .and_then(|m| card.weakest.by_measure.iter().find(|g| g.measure == m));
    let points = scorecard::trend(
        &state.app,
        &grant,
        &org,
        &scorecard::trend_periods(state.app.today()),
    )
    .await?;
    let (trend_chart, trend) = trend_views(&points);
    html(&Page {
        title: "检验标准".into(),
        nav: Nav::of(&user),
        tabs: tabs(org.org.id, "scorecard"),
        org_id: org.org.id,
        org_name: org.org.name.clone(),
        period: card.period.clone(),
        period_label: card.period_label.clone(),
        periods: periods(&state),
        freshness: card.freshness(),
        as_of: card.as_of.to_string(),
        done: p.done.clone(),
        can_build: user.actor.may(Action::BuildScorecard),
        hand: hand.map(|h| scorecard::hand::Given {
            scored_at: scorecard::built_time(&h.scored_at),
            ..h
        }),
        can_score: user.actor.may(Action::ScoreDevelopment),
        measures: measures(&card, year),
        measure_chart,
        weakest: weakest_sentence(&card),
        what_if: what_if_sentence(&card),
        children_ranked: ranked(&card, &card.weakest.children),
        orgs_ranked: ranked(&card, &card.weakest.orgs),
        children_below: gap.and_then(|g| g.children.as_ref()).map_or(0, |l| l.below),
        orgs_below: gap.and_then(|g| g.orgs.as_ref()).map_or(0, |l| l.below),
        contribution_chart,
        heat,
        labels,
        children: card
            .children
            .iter()
            .map(|c| ChildView {
                org_id: c.org_id,
                name: c.org.name.clone(),
                orgs: c.orgs,
                scores: texts(&c.scores),
            })
            .collect(),
        trend_chart,
        trend,
    })
}

/// 重新计算: the department builds the period again now (every org), then the page.
async fn build(
    State(state): State<AppState>,
    QueryOrg { org, .. }: QueryOrg<User>,
    Query(p): Query<Params>,
    CsrfForm { user, .. }: CsrfForm<NoFields>,
) -> Result<Response, PageError> {
    let grant = user.actor.grant::<BuildScorecard>()?;
    let period = period_of(&state, &p.period)?;
    let done = scorecard::rebuild(&state.app, &grant, period).await?;
    Ok(done_redirect(
        &format!(
            "/reports/scorecard?org={}&period={}",
            org.org.id,
            period.code()
        ),
        &format!("已重新计算{}个党组织的评分（{}）", done.orgs, done.built_at),
    ))
}

#[derive(Deserialize)]
struct HandForm {
    #[serde(default)]
    score: String,
    #[serde(default)]
    reason: String,
}

/// 发展成效人工评分: the department scores the org for the period (an empty score takes
/// the score back), then the page; the period is built again on that read.
async fn hand(
    State(state): State<AppState>,
    QueryOrg { org, .. }: QueryOrg<User>,
    Query(p): Query<Params>,
    CsrfForm { user, form }: CsrfForm<HandForm>,
) -> Result<Response, PageError> {
    let grant = user.actor.grant::<ScoreDevelopment>()?;
    let period = period_of(&state, &p.period)?;
    let score = match form.score.trim() {
        "" => None,
        s => Some(
            s.parse::<i64>()
                .map_err(|_| jiceng_app::AppError::Input(format!("得分应为0至100的整数：{s}")))?,
        ),
    };
    scorecard::hand::give(&state.app, &grant, &org, period, score, &form.reason).await?;
    Ok(done_redirect(
        &format!(
            "/reports/scorecard?org={}&period={}",
            org.org.id,
            period.code()
        ),
        &match score {
            Some(s) => format!("已记录“发展成效”人工评分{s}分，本期已按新评分重新计算"),
            None => "已撤销“发展成效”人工评分，本期已重新计算".to_string(),
        },
    ))
}
