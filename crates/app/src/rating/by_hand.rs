//! Rating by hand: an adjusted number of stars and manual indicator scores, each with a
//! reason and audited.

use super::*;

/// A change's reason as given, trimmed: at least two characters, within a note's limits;
/// `label` names the field in the refusal ("请填写理由").
pub(crate) fn reason_of(reason: &str, label: &'static str) -> Result<String> {
    let r = reason.trim();
    if r.chars().count() < 2 {
        return Err(input(format!("请填写{label}")));
    }
    jiceng_domain::text::TextField {
        label,
        ..jiceng_domain::text::NOTE
    }
    .check(r)
    .map_err(input)?;
    Ok(r.to_string())
}

/// Adjusts the stars of a stored rating by hand (`stars: None` removes the adjustment).
/// Needs a reason and [`access::AdjustRating`]; audited.
pub async fn adjust(
    app: &App,
    grant: &Grant<access::AdjustRating>,
    target: &InScope<OrgRecord>,
    year: i32,
    stars: Option<i64>,
    reason: &str,
) -> Result<()> {
    let actor = grant.actor();
    let reason = reason_of(reason, "理由")?;
    if let Some(s) = stars.filter(|s| !(1..=5).contains(s)) {
        return Err(input(format!("星级应为1至5：{s}")));
    }
    let mut conn = app.store.acquire().await?;
    let before = rating_store::get(&mut conn, &target.subtree(), target.org.id, year)
        .await?
        .ok_or_else(|| {
            input(format!(
                "{}尚无{year}年度评定结果，请先运行评定（jiceng rate）",
                target.org.name
            ))
        })?;
    drop(conn);
    let adj = stars.map(|s| Adjustment {
        stars: s,
        by: actor.username.clone(),
        reason: reason.clone(),
        at: app.now().format("%Y-%m-%dT%H:%M:%SZ").to_string(),
    });
    let before_json = serde_json::json!({
        "stars": before.stars(),
        "computed_stars": before.computed_stars,
    });
    let after_json = serde_json::json!({ "stars": stars.or(before.computed_stars), "adjusted_stars": stars, "reason": reason });
    let adj_ref = &adj;
    audit::Entry::new(
        actor,
        AuditAction::RatingAdjust,
        format!("{} {year}年度星级", target.org.name),
    )
    .org(&**target)
    .before(before_json)
    .after(after_json)
    .write(app, |mut tx| async move {
        rating_store::set_adjustment(&mut tx, target.org.id, year, adj_ref.as_ref()).await?;
        Ok(tx)
    })
    .await
}

/// Scores a manual indicator of an org for a year by hand (0–100, with a reason; audited).
/// Needs [`access::Rate`]. Takes effect at the next rating.
#[allow(clippy::too_many_arguments)]
pub async fn score_manual(
    app: &App,
    grant: &Grant<access::Rate>,
    target: &InScope<OrgRecord>,
    year: i32,
    code: &str,
    score: f64,
    reason: &str,
) -> Result<()> {
    let actor = grant.actor();
    check_year(app, year)?;
    let reason = reason_of(reason, "理由")?;
    if !(score.is_finite() && (0.0..=100.0).contains(&score)) {
        return Err(input(format!("分数应在0至100之间：{score}")));
    }
    let as_of = dr::as_of(year, app.today());
    let book = indicator_book(app).await?;
    let set = book
        .for_domain(target.org.domain, as_of)
        .ok_or_else(|| input("没有可用的评定指标体系"))?;
    let ind = set
        .indicators
        .iter()
        .find(|i| i.code == code.trim())
        .filter(|i| i.kind == jiceng_domain::rating::IndicatorKind::Manual)
        .ok_or_else(|| {
            let manual: Vec<String> = set
                .indicators
                .iter()
                .filter(|i| i.kind == jiceng_domain::rating::IndicatorKind::Manual)
                .map(|i| format!("{}（{}）", i.code, i.name))
                .collect();
            input(format!(
                "“{}”不是指标体系“{}”中人工评分的指标；可评分的指标：{}",
                code.trim(),
                set.name,
                manual.join("、")
            ))
        })?;
    let s = ManualScore {
        org_id: target.org.id,
        year,
        code: ind.code.clone(),
        org_path: target.path.clone(),
        score,
        reason: reason.clone(),
        scored_by: actor.username.clone(),
    };
    let after = serde_json::json!({ "year": year, "indicator": ind.code, "score": score, "reason": reason });
    let s_ref = &s;
    audit::Entry::new(
        actor,
        AuditAction::RatingManualScore,
        format!("{} {year}年度“{}”评分", target.org.name, s.code),
    )
    .org(&**target)
    .after(after)
    .write(app, |mut tx| async move {
        rating_store::set_manual_score(&mut tx, s_ref).await?;
        Ok(tx)
    })
    .await
}
