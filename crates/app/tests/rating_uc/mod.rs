//! The rating, weak-org and rectification use cases called as the front ends call them:
//! the grant asked of the permission table first (a refused role is refused whatever the
//! org), then the org key resolved for the actor (`common::org`), then the use case. The
//! tests keep the shape they had when the use cases took `(actor, org: &str)`.

#![allow(dead_code)]

use chrono::NaiveDate;
use jiceng_app::access::{self, Actor, InScope};
use jiceng_app::rating::{OrgRating, RateSummary, RatingsReport};
use jiceng_app::rectification::{CaseView, OverdueMeasure, StalledCase};
use jiceng_app::reports::rectification::RectificationReport;
use jiceng_app::reports::weak::{WeakReport, WeakSummary};
use jiceng_app::weak::{Decided, Diagnosis, FundingKind, NewCase};
use jiceng_app::{rating, rectification, reports, weak, App, OrgRecord, Result};
use jiceng_domain::rectification::{NewMeasure, ReviewOutcome};
use jiceng_domain::WeaknessKind;

async fn org(app: &App, a: &Actor, key: &str) -> Result<InScope<OrgRecord>> {
    access::resolve(app, a, &access::OrgKey::parse(Some(key))).await
}

pub async fn rate(app: &App, a: &Actor, key: &str, year: i32) -> Result<RateSummary> {
    let g = a.grant::<access::Rate>()?;
    rating::rate(app, &g, &org(app, a, key).await?, year).await
}

pub async fn ratings(
    app: &App,
    a: &Actor,
    key: &str,
    year: i32,
    stars: Option<Option<i64>>,
    page: i64,
    size: i64,
) -> Result<RatingsReport> {
    rating::ratings(app, &org(app, a, key).await?, year, stars, page, size).await
}

pub async fn org_rating(app: &App, a: &Actor, key: &str, year: i32) -> Result<OrgRating> {
    rating::org_rating(app, &org(app, a, key).await?, year).await
}

pub async fn adjust(
    app: &App,
    a: &Actor,
    key: &str,
    year: i32,
    stars: Option<i64>,
    reason: &str,
) -> Result<()> {
    let g = a.grant::<access::AdjustRating>()?;
    rating::adjust(app, &g, &org(app, a, key).await?, year, stars, reason).await
}

#[allow(clippy::too_many_arguments)]
pub async fn score_manual(
    app: &App,
    a: &Actor,
    key: &str,
    year: i32,
    code: &str,
    score: f64,
    reason: &str,
) -> Result<()> {
    let g = a.grant::<access::Rate>()?;
    let o = org(app, a, key).await?;
    rating::score_manual(app, &g, &o, year, code, score, reason).await
}

pub async fn confirm(
    app: &App,
    a: &Actor,
    key: &str,
    year: i32,
    kind: WeaknessKind,
    reason: &str,
) -> Result<Decided> {
    let g = a.grant::<access::DecideWeakness>()?;
    weak::confirm(app, &g, &org(app, a, key).await?, year, kind, reason).await
}

pub async fn dismiss(
    app: &App,
    a: &Actor,
    key: &str,
    year: i32,
    kind: WeaknessKind,
    reason: &str,
) -> Result<Decided> {
    let g = a.grant::<access::DecideWeakness>()?;
    weak::dismiss(app, &g, &org(app, a, key).await?, year, kind, reason).await
}

/// 批量确定 / 批量排除 under `root`, the picks named by org code.
pub async fn decide_many(
    app: &App,
    a: &Actor,
    root: &str,
    year: i32,
    picks: &[(&str, WeaknessKind)],
    decision: jiceng_domain::Decision,
    reason: &str,
) -> Result<Vec<Decided>> {
    let g = a.grant::<access::DecideWeakness>()?;
    let root = org(app, a, root).await?;
    let mut ids = Vec::new();
    for (code, kind) in picks {
        ids.push((org(app, a, code).await?.org.id, *kind));
    }
    weak::decide_many(app, &g, &root, year, &ids, decision, reason).await
}

pub async fn record_signal(
    app: &App,
    a: &Actor,
    key: &str,
    year: i32,
    kind: WeaknessKind,
    evidence: &str,
    source: &str,
) -> Result<()> {
    let g = a.grant::<access::ReportSignal>()?;
    let o = org(app, a, key).await?;
    weak::record_signal(app, &g, &o, year, kind, evidence, source).await
}

pub async fn record_case(app: &App, a: &Actor, key: &str, new: &NewCase) -> Result<()> {
    let g = a.grant::<access::DecideWeakness>()?;
    weak::record_case(app, &g, &org(app, a, key).await?, new).await
}

pub async fn record_funding(
    app: &App,
    a: &Actor,
    key: &str,
    year: i32,
    kind: FundingKind,
    yuan: f64,
    source: &str,
) -> Result<()> {
    let g = a.grant::<access::Rate>()?;
    let o = org(app, a, key).await?;
    weak::record_funding(app, &g, &o, year, kind, yuan, source).await
}

pub async fn diagnosis(app: &App, a: &Actor, key: &str, year: i32) -> Result<Diagnosis> {
    weak::diagnosis(app, &org(app, a, key).await?, year).await
}

pub async fn weak_report(app: &App, a: &Actor, key: &str, year: i32) -> Result<WeakReport> {
    reports::weak::run(app, &org(app, a, key).await?, year).await
}

pub async fn weak_summary(app: &App, a: &Actor, key: &str, year: i32) -> Result<WeakSummary> {
    reports::weak::summary(app, &org(app, a, key).await?, year).await
}

pub async fn rect_report(
    app: &App,
    a: &Actor,
    key: &str,
    year: i32,
) -> Result<RectificationReport> {
    reports::rectification::run(app, &org(app, a, key).await?, year).await
}

pub async fn get(app: &App, a: &Actor, key: &str, year: i32) -> Result<CaseView> {
    rectification::get(app, &org(app, a, key).await?, year).await
}

pub async fn plan(
    app: &App,
    a: &Actor,
    key: &str,
    year: i32,
    ms: Vec<NewMeasure>,
) -> Result<CaseView> {
    let g = a.grant::<access::PlanRectification>()?;
    rectification::plan(app, &g, &org(app, a, key).await?, year, ms).await
}

pub async fn assign(
    app: &App,
    a: &Actor,
    key: &str,
    year: i32,
    cadre: &str,
    departments: Vec<String>,
) -> Result<CaseView> {
    let g = a.grant::<access::PlanRectification>()?;
    let o = org(app, a, key).await?;
    rectification::assign(app, &g, &o, year, cadre, departments).await
}

pub async fn progress(
    app: &App,
    a: &Actor,
    key: &str,
    year: i32,
    text: &str,
    evidence: &str,
) -> Result<CaseView> {
    let g = a.grant::<access::ReportProgress>()?;
    rectification::progress(app, &g, &org(app, a, key).await?, year, text, evidence).await
}

pub async fn complete_measure(
    app: &App,
    a: &Actor,
    key: &str,
    year: i32,
    seq: i64,
    done_on: Option<NaiveDate>,
    note: Option<String>,
) -> Result<CaseView> {
    let g = a.grant::<access::ReportProgress>()?;
    let o = org(app, a, key).await?;
    rectification::complete_measure(app, &g, &o, year, seq, done_on, note).await
}

pub async fn extend(
    app: &App,
    a: &Actor,
    key: &str,
    year: i32,
    reason: &str,
    until: NaiveDate,
) -> Result<CaseView> {
    let g = a.grant::<access::AcceptRectification>()?;
    rectification::extend(app, &g, &org(app, a, key).await?, year, reason, until).await
}

pub async fn accept(app: &App, a: &Actor, key: &str, year: i32, note: &str) -> Result<CaseView> {
    accept_despite(app, a, key, year, note, None).await
}

/// 验收销号 with the reason for accepting a weakness the records still show.
pub async fn accept_despite(
    app: &App,
    a: &Actor,
    key: &str,
    year: i32,
    note: &str,
    reason: Option<&str>,
) -> Result<CaseView> {
    let g = a.grant::<access::AcceptRectification>()?;
    rectification::accept(app, &g, &org(app, a, key).await?, year, note, reason).await
}

pub async fn review(
    app: &App,
    a: &Actor,
    key: &str,
    year: i32,
    outcome: ReviewOutcome,
    note: &str,
) -> Result<CaseView> {
    let g = a.grant::<access::AcceptRectification>()?;
    rectification::review(app, &g, &org(app, a, key).await?, year, outcome, note).await
}

/// Under `key`, or the actor's home org (`None`).
pub async fn overdue(app: &App, a: &Actor, key: Option<&str>) -> Result<Vec<OverdueMeasure>> {
    rectification::overdue(app, &org(app, a, key.unwrap_or("")).await?).await
}

pub async fn stalled(
    app: &App,
    a: &Actor,
    key: Option<&str>,
    days: i64,
) -> Result<Vec<StalledCase>> {
    rectification::stalled(app, &org(app, a, key.unwrap_or("")).await?, days).await
}
