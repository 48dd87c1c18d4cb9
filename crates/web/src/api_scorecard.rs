//! 检验标准（五个是否）in the JSON API (issue #19 point 5): an org's card of a period (as
//! `jiceng report scorecard --format json`) read from the stored figures, and the
//! department's rebuild of a period (as `jiceng scorecard build`).

use axum::extract::{Query, State};
use jiceng_app::access::{Action, BuildScorecard, ViewScorecard};
use jiceng_app::scorecard;
use serde::Deserialize;
use serde_json::{json, Map, Value};

use crate::api::{to_json, ApiResult};
use crate::extract::QueryOrg;
use crate::routes::{Guard, Routes, Subject};
use crate::session::ApiUser;
use crate::AppState;

pub fn routes() -> Routes {
    Routes::new()
        .get(
            "/scorecard",
            Guard::May(Action::ViewScorecard),
            Subject::QueryOrg,
            card,
        )
        .post(
            "/scorecard/build",
            Guard::May(Action::BuildScorecard),
            Subject::QueryOrg,
            build,
        )
}

#[derive(Deserialize)]
struct PeriodQuery {
    #[serde(default)]
    period: Option<String>,
}

/// The period asked (default this year).
fn period_of(state: &AppState, q: &PeriodQuery) -> jiceng_app::Result<scorecard::Period> {
    let this_year = chrono::Datelike::year(&state.app.today()).to_string();
    scorecard::period(q.period.as_deref().unwrap_or(&this_year))
}

/// The org's card of the period: measures, indicators, the children's heat map, the
/// weakest link with names, and `built_at` (截至).
async fn card(
    State(state): State<AppState>,
    QueryOrg { user, org }: QueryOrg<ApiUser>,
    Query(q): Query<PeriodQuery>,
) -> ApiResult {
    let grant = user.actor.grant::<ViewScorecard>()?;
    let period = period_of(&state, &q)?;
    Ok(to_json(
        &scorecard::card(&state.app, &grant, &org, period).await?,
    ))
}

/// Builds the period again now: `{"built_at", "orgs"}`.
async fn build(
    State(state): State<AppState>,
    QueryOrg { user, .. }: QueryOrg<ApiUser>,
    Query(q): Query<PeriodQuery>,
) -> ApiResult {
    let grant = user.actor.grant::<BuildScorecard>()?;
    let period = period_of(&state, &q)?;
    Ok(to_json(
        &scorecard::rebuild(&state.app, &grant, period).await?,
    ))
}

pub(crate) fn schemas() -> Map<String, Value> {
    let v = json!({
        "Scorecard": {
            "type": "object",
            "description": "检验标准（五个是否，与 jiceng report scorecard --format json 相同）：org、org_id、period、period_label、as_of、built_at（存储的数字截至何时计算）；measures（Function、CadreQuality、Implementation、Development、Satisfaction 各自的 label、score（0–100，null 为暂无数据）、weight_with_data、indicators（code、label、manual、weight、num、den、score、evidence）、missing）；children（每个直属下级的五项得分，热力图）；weakest（最短板 measure 与 score，拉低最多的下级 children 与基层党组织 orgs（org 为 id）、what_if、by_measure）；names（weakest 与 children 中各 id 的 code、name）",
        },
        "ScorecardBuilt": {
            "type": "object",
            "description": "重新计算的期间：built_at（计算时间）、orgs（写入的党组织数）",
        },
    });
    match v {
        Value::Object(m) => m,
        _ => Map::new(),
    }
}
