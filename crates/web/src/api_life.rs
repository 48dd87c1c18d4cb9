//! Organizational life in the JSON API (SPEC C4): record a meeting, list and read meetings,
//! a branch's open obligations (本月待办) and the compliance report of a subtree. The same
//! use cases as the pages (`jiceng_app::meetings`, `jiceng_app::reports::compliance`).
//!
//! Also the server's periodic refresh of the stored compliance summaries, which the
//! higher levels' figures are read from.

use axum::body::Bytes;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::Json;
use jiceng_app::access::{self, OrgKey, RecordLife};
use jiceng_app::meetings::{self, NewMeeting};
use jiceng_app::reports::compliance;
use jiceng_domain::AttendanceStatus;
use serde::Deserialize;
use serde_json::json;

use crate::api::{bad, body, to_json, ApiResult};
use crate::extract::{PathOrg, QueryOrg};
use crate::parse::{parse_day, parse_int, parse_kinds, parse_period};
use crate::routes::{Guard, Routes, Subject};
use crate::session::ApiUser;
use crate::AppState;
use jiceng_app::access::Action;

pub fn routes() -> Routes {
    Routes::new()
        .post(
            "/meetings",
            Guard::May(Action::RecordLife),
            Subject::None,
            record,
        )
        .get(
            "/meetings",
            Guard::May(Action::ReadData),
            Subject::QueryOrg,
            list,
        )
        .get(
            "/meetings/{id}",
            Guard::May(Action::ReadData),
            Subject::Meeting,
            meeting,
        )
        .put(
            "/meetings/{id}",
            Guard::May(Action::RecordLife),
            Subject::Meeting,
            correct,
        )
        .post(
            "/meetings/{id}/void",
            Guard::May(Action::RecordLife),
            Subject::Meeting,
            void,
        )
        .get(
            "/orgs/{id}/due",
            Guard::May(Action::ReadData),
            Subject::Org,
            due,
        )
        .get(
            "/reports/compliance",
            Guard::May(Action::ReadData),
            Subject::QueryOrg,
            report,
        )
}

#[derive(Deserialize)]
struct AttendeeBody {
    member_id: i64,
    /// present, excused or absent.
    status: String,
    #[serde(default)]
    reason: Option<String>,
}

#[derive(Deserialize)]
struct MeetingBody {
    org_id: i64,
    /// One kind, or a combined label (主题党日暨党员大会).
    #[serde(default)]
    kind: String,
    /// Further kinds the same session served (codes or labels).
    #[serde(default)]
    kinds: Vec<String>,
    /// 所属年度 (the year a yearly session is for).
    #[serde(default)]
    for_year: Option<i32>,
    /// A 换届选举 (quorum four fifths).
    #[serde(default)]
    election: bool,
    #[serde(default)]
    date: String,
    #[serde(default)]
    topic: String,
    #[serde(default)]
    venue: Option<String>,
    /// 活动场所: one of the venues the org (or an org above it) uses.
    #[serde(default)]
    venue_id: Option<i64>,
    #[serde(default)]
    host: Option<String>,
    #[serde(default)]
    expected: Option<i64>,
    #[serde(default)]
    present: Option<i64>,
    #[serde(default)]
    excused: Option<i64>,
    #[serde(default)]
    attendees: Vec<AttendeeBody>,
    #[serde(default)]
    excused_reasons: Vec<String>,
    /// 流入党员 who took part (列席): their registration ids at the branch.
    #[serde(default)]
    guests: Vec<i64>,
    #[serde(default)]
    minutes: Option<String>,
    #[serde(default)]
    decisions: Option<String>,
    /// Absent or null: not recorded (unknown, not 0).
    #[serde(default)]
    masses_present: Option<i64>,
    #[serde(default)]
    central_task: bool,
    #[serde(default)]
    members_needs: bool,
    #[serde(default)]
    votes: bool,
}

impl MeetingBody {
    fn to_new(&self) -> Result<NewMeeting, String> {
        let mut attendees = Vec::new();
        for a in &self.attendees {
            let status = AttendanceStatus::from_code(a.status.trim()).ok_or_else(|| {
                format!(
                    "出席情况应为 present、excused 或 absent：{}",
                    a.status.trim()
                )
            })?;
            attendees.push((a.member_id, status, a.reason.clone()));
        }
        let kinds = parse_kinds(&self.kind, &self.kinds)?;
        Ok(NewMeeting {
            kind: kinds.first().copied(),
            also: kinds.iter().skip(1).copied().collect(),
            for_year: self.for_year,
            election: self.election,
            date: parse_day(&self.date, "会议日期")?,
            topic: self.topic.clone(),
            venue: self.venue.clone(),
            venue_id: self.venue_id,
            host: self.host.clone(),
            expected: self.expected,
            present: self.present,
            excused: self.excused,
            attendees,
            guests: self.guests.clone(),
            excused_reasons: self.excused_reasons.clone(),
            minutes: self.minutes.clone(),
            decisions: self.decisions.clone(),
            masses_present: self.masses_present,
            central_task: self.central_task,
            members_needs: self.members_needs,
            votes: self.votes,
        })
    }
}

async fn record(State(state): State<AppState>, user: ApiUser, b: Bytes) -> ApiResult<Response> {
    let body: MeetingBody = body(&b)?;
    let new = body.to_new().map_err(bad)?;
    let grant = user.actor.grant::<RecordLife>()?;
    let org = access::resolve(&state.app, &user.actor, &OrgKey::Id(body.org_id)).await?;
    let r = meetings::record(&state.app, &grant, &org, &new).await?;
    Ok((StatusCode::CREATED, to_json(&r)).into_response())
}

/// A correction: the meeting as it should read, and why (`reason`, required).
#[derive(Deserialize)]
struct CorrectionBody {
    #[serde(flatten)]
    meeting: MeetingBody,
    #[serde(default)]
    reason: String,
}

/// Corrects a recorded meeting (更正): `200` with the record that replaces it (a new id).
async fn correct(
    State(state): State<AppState>,
    user: ApiUser,
    Path(id): Path<i64>,
    b: Bytes,
) -> ApiResult<Response> {
    let body: CorrectionBody = body(&b)?;
    let new = body.meeting.to_new().map_err(bad)?;
    let grant = user.actor.grant::<RecordLife>()?;
    let org = access::resolve(&state.app, &user.actor, &OrgKey::Id(body.meeting.org_id)).await?;
    let r = meetings::correct(&state.app, &grant, &org, id, &new, &body.reason).await?;
    Ok(to_json(&r).into_response())
}

#[derive(Deserialize)]
struct VoidBody {
    #[serde(default)]
    reason: String,
}

/// Voids a recorded meeting (作废) with the reason: `204`.
async fn void(
    State(state): State<AppState>,
    user: ApiUser,
    Path(id): Path<i64>,
    b: Bytes,
) -> ApiResult<Response> {
    let body: VoidBody = body(&b)?;
    let grant = user.actor.grant::<RecordLife>()?;
    meetings::void(&state.app, &grant, id, &body.reason).await?;
    Ok(StatusCode::NO_CONTENT.into_response())
}

#[derive(Deserialize)]
struct ListParams {
    org: Option<String>,
    period: Option<String>,
    /// The judging day (`YYYY-MM-DD`; default today).
    as_of: Option<String>,
    page: Option<String>,
    page_size: Option<String>,
}

async fn list(
    State(state): State<AppState>,
    user: ApiUser,
    Query(p): Query<ListParams>,
) -> ApiResult {
    // `?org=` narrows to a subtree; without it, the actor's whole scope (every root).
    let org = match OrgKey::parse(p.org.as_deref()) {
        OrgKey::Home => None,
        key => Some(access::resolve(&state.app, &user.actor, &key).await?),
    };
    let page = parse_int("page", &p.page).map_err(bad)?.unwrap_or(1).max(1);
    let size = parse_int("page_size", &p.page_size)
        .map_err(bad)?
        .unwrap_or(20)
        .clamp(1, 200);
    let (items, total) = match &org {
        Some(org) => meetings::list_under(&state.app, org, page, size).await?,
        None => meetings::list(&state.app, &user.actor, &Default::default(), page, size).await?,
    };
    Ok(Json(
        json!({ "items": items, "total": total, "page": page, "page_size": size }),
    ))
}

async fn meeting(State(state): State<AppState>, user: ApiUser, Path(id): Path<i64>) -> ApiResult {
    Ok(to_json(&meetings::get(&state.app, &user.actor, id).await?))
}

async fn due(State(state): State<AppState>, PathOrg { org, .. }: PathOrg<ApiUser>) -> ApiResult {
    let today = state.app.today();
    Ok(to_json(&meetings::due(&state.app, &org, today).await?))
}

async fn report(
    State(state): State<AppState>,
    QueryOrg { org, .. }: QueryOrg<ApiUser>,
    Query(p): Query<ListParams>,
) -> ApiResult {
    let today = state.app.today();
    let as_of = parse_day(p.as_of.as_deref().unwrap_or(""), "as_of")
        .map_err(bad)?
        .unwrap_or(today);
    let period = parse_period(p.period.as_deref(), as_of).map_err(bad)?;
    Ok(to_json(
        &compliance::run_on(&state.app, &org, period, as_of).await?,
    ))
}

/// Keeps the stored derived facts fresh while serving. Every `WebConfig::touched_refresh`
/// (seconds): the summaries above the orgs a meeting touched since the last pass
/// (`refresh_touched_life`), so a province's figures count a meeting within a minute.
/// Shortly after start, when the day changes and then every `WebConfig::summary_refresh`:
/// every org's facts when the day has changed, the whole tree's compliance summaries of
/// this month, quarter and year (and of last quarter once a day), the day's scorecards and
/// the session housekeeping.
pub(crate) async fn refresh_summaries_every(state: AppState) {
    let every = state.config.summary_refresh();
    let pass_every = state.config.touched_refresh();
    tokio::time::sleep(every.min(std::time::Duration::from_secs(3))).await;
    let mut last_quarter_day = None;
    let mut last_scorecard_day = None;
    let mut last_whole: Option<(std::time::Instant, chrono::NaiveDate)> = None;
    loop {
        let today = state.app.today();
        let whole_due = last_whole.is_none_or(|(at, day)| day != today || at.elapsed() >= every);
        if !whole_due {
            match jiceng_app::refresh_touched_life(&state.app).await {
                Ok(_) => {
                    *state.summaries_refreshed.lock().expect("refresh time") =
                        Some(state.app.now());
                }
                Err(e) => {
                    use std::io::Write;
                    let _ = writeln!(
                        std::io::stderr(),
                        "jiceng-web: compliance summary pass failed: {e:?}"
                    );
                }
            }
            tokio::time::sleep(pass_every).await;
            continue;
        }
        last_whole = Some((std::time::Instant::now(), today));
        // A new day: every org's derived facts first (terms run out, deadlines pass), so
        // the dashboards and reports keep reading stored rows.
        if let Err(e) = jiceng_app::refresh_if_stale(&state.app).await {
            use std::io::Write;
            let _ = writeln!(
                std::io::stderr(),
                "jiceng-web: daily refresh of derived facts failed: {e:?}"
            );
        }
        // Last quarter's once a day (the home pages compare it with this one).
        let with_last = last_quarter_day != Some(today);
        match jiceng_app::refresh_life_summaries_of(&state.app, with_last).await {
            Ok(_) => {
                last_quarter_day = Some(today);
                *state.summaries_refreshed.lock().expect("refresh time") = Some(state.app.now());
            }
            Err(e) => {
                use std::io::Write;
                let _ = writeln!(
                    std::io::stderr(),
                    "jiceng-web: compliance summary refresh failed: {e:?}"
                );
            }
        }
        // Once a day: the running periods' scorecards built before today, again.
        if last_scorecard_day != Some(today) {
            match jiceng_app::scorecard::refresh_current(&state.app).await {
                Ok(_) => last_scorecard_day = Some(today),
                Err(e) => {
                    use std::io::Write;
                    let _ = writeln!(
                        std::io::stderr(),
                        "jiceng-web: daily scorecard rebuild failed: {e:?}"
                    );
                }
            }
        }
        // Expired sessions and the failure bookkeeping of names long untried.
        if let Err(e) = jiceng_app::auth::purge_idle_sessions(&state.app).await {
            use std::io::Write;
            let _ = writeln!(
                std::io::stderr(),
                "jiceng-web: session housekeeping failed: {e:?}"
            );
        }
        tokio::time::sleep(pass_every).await;
    }
}
