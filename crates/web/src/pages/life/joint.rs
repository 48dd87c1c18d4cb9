//! 联合开展: one activity a township (or a system's committee) holds with several of its
//! branches — a joint 主题党日, a 党课 for the villages together — recorded once from the
//! org above them, each branch credited with its own meeting (its 应到 the members it had
//! on the day, its 实到 and 请假 as typed). All or nothing.

use askama::Template;
use axum::extract::{Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use axum::Form;
use jiceng_app::access::RecordLife;
use jiceng_app::meetings::{self, JointContext, JointLine, NewMeeting};
use jiceng_app::AppError;
use jiceng_domain::MeetingKind;
use serde::Deserialize;

use crate::error::PageError;
use crate::extract::PathOrg;
use crate::pages::listing::urlencode;
use crate::pages::{html, html_status, Nav};
use crate::parse::{parse_day, parse_kind, Fields};
use crate::session::User;
use crate::AppState;

/// The kinds held jointly: a theme day, a party lecture (the meetings of a branch's own
/// members — 支委会, 党员大会, 党小组会 — are each branch's).
const JOINT_KINDS: [MeetingKind; 2] = [MeetingKind::ThemeDay, MeetingKind::PartyLecture];

/// A branch's line as the form shows it.
pub struct Line {
    pub id: i64,
    pub name: String,
    pub parent: String,
    pub members: i64,
    pub picked: bool,
    pub present: String,
    pub excused: String,
}

#[derive(Template)]
#[template(path = "life_joint.html")]
struct JointPage {
    title: String,
    nav: Nav,
    org_id: i64,
    org_name: String,
    today: String,
    /// (code, label, chosen).
    kinds: Vec<(&'static str, &'static str, bool)>,
    date: String,
    topic: String,
    venue: String,
    /// The 活动场所 the org may name: (id, name, chosen).
    venues: Vec<(i64, String, bool)>,
    host: String,
    minutes: String,
    lines: Vec<Line>,
    error: Option<String>,
}

#[derive(Deserialize, Default)]
pub(super) struct JointParams {
    kind: Option<String>,
}

fn joint_page(
    user: &User,
    ctx: &JointContext,
    org_id: i64,
    fields: &Fields,
    today: chrono::NaiveDate,
    error: Option<String>,
) -> JointPage {
    let one = |k: &str| fields.get(k);
    let picked = fields.all("pick");
    let kind = one("kind");
    JointPage {
        title: format!("联合开展组织生活 · {}", ctx.org.name),
        nav: Nav::of(user),
        org_id,
        org_name: ctx.org.name.clone(),
        today: today.to_string(),
        kinds: JOINT_KINDS
            .iter()
            .map(|k| (k.code(), k.label(), k.code() == kind))
            .collect(),
        date: Some(one("date"))
            .filter(|d| !d.is_empty())
            .unwrap_or_else(|| today.to_string()),
        topic: one("topic"),
        venue: one("venue"),
        venues: ctx
            .venues
            .iter()
            .map(|v| (v.id, v.name.clone(), one("venue_id") == v.id.to_string()))
            .collect(),
        host: one("host"),
        minutes: one("minutes"),
        lines: ctx
            .branches
            .iter()
            .map(|b| Line {
                id: b.id,
                name: b.name.clone(),
                parent: b.parent.clone(),
                members: b.members,
                picked: picked.contains(&b.id.to_string()),
                present: one(&format!("present_{}", b.id)),
                excused: one(&format!("excused_{}", b.id)),
            })
            .collect(),
        error,
    }
}

pub(super) async fn joint_form(
    State(state): State<AppState>,
    PathOrg { user, org }: PathOrg<User>,
    Query(q): Query<JointParams>,
) -> Result<Response, PageError> {
    user.actor.grant::<RecordLife>()?;
    let today = state.app.today();
    let ctx = meetings::joint_context(&state.app, &org, today).await?;
    let kind = q
        .kind
        .as_deref()
        .and_then(|k| parse_kind(k).ok().flatten())
        .filter(|k| JOINT_KINDS.contains(k))
        .unwrap_or(MeetingKind::ThemeDay);
    let fields = Fields(vec![("kind".to_string(), kind.code().to_string())]);
    html(&joint_page(&user, &ctx, org.org.id, &fields, today, None))
}

/// A count typed in a branch's line: empty is none, else a whole number ≥ 0.
fn count(s: &str, what: &str, branch: &str) -> Result<Option<i64>, String> {
    match s.trim() {
        "" => Ok(None),
        t => t
            .parse::<i64>()
            .ok()
            .filter(|n| *n >= 0)
            .map(Some)
            .ok_or_else(|| format!("{branch}：{what}应为不小于0的整数（{t}）")),
    }
}

pub(super) async fn joint_submit(
    State(state): State<AppState>,
    PathOrg { user, org }: PathOrg<User>,
    Form(fields): Form<Vec<(String, String)>>,
) -> Result<Response, PageError> {
    let fields = Fields(fields);
    let one = |k: &str| fields.get(k);
    user.check_csrf(&one("csrf"))?;
    let grant = user.actor.grant::<RecordLife>()?;
    let today = state.app.today();
    let date = parse_day(&one("date"), "会议日期");
    let day = date.clone().ok().flatten().unwrap_or(today);
    let ctx = meetings::joint_context(&state.app, &org, day).await?;
    let refused = match read(&ctx, &fields, date) {
        Ok((base, lines)) => {
            match meetings::record_joint(&state.app, &grant, &org, &base, &lines).await {
                Ok(done) => {
                    let to = format!(
                        "/meetings?org={}&topic={}",
                        org.org.id,
                        urlencode(&done.first().map(|d| d.topic.clone()).unwrap_or_default())
                    );
                    return Ok(Redirect::to(&to).into_response());
                }
                Err(AppError::Input(why)) => why,
                Err(other) => return Err(other.into()),
            }
        }
        Err(why) => why,
    };
    let page = joint_page(&user, &ctx, org.org.id, &fields, today, Some(refused));
    html_status(StatusCode::UNPROCESSABLE_ENTITY, &page)
}

/// The activity the form asks for and each picked branch's counts, or why not.
fn read(
    ctx: &JointContext,
    fields: &Fields,
    date: Result<Option<chrono::NaiveDate>, String>,
) -> Result<(NewMeeting, Vec<JointLine>), String> {
    let one = |k: &str| fields.get(k);
    let kind = match parse_kind(&one("kind")) {
        Ok(Some(k)) if JOINT_KINDS.contains(&k) => k,
        _ => return Err("请选择会议类型（主题党日或党课）".into()),
    };
    let date = match date {
        Ok(Some(d)) => d,
        Ok(None) => return Err("请填写会议日期".into()),
        Err(e) => return Err(e),
    };
    if one("topic").trim().is_empty() {
        return Err("请填写会议主题".into());
    }
    let picked = fields.all("pick");
    let chosen: Vec<_> = ctx
        .branches
        .iter()
        .filter(|b| picked.contains(&b.id.to_string()))
        .collect();
    if chosen.is_empty() {
        return Err("请勾选参加的党支部".into());
    }
    if picked.len() != chosen.len() {
        return Err("勾选的党组织不是本级以下可参加的党支部，请刷新页面".into());
    }
    let text = |k: &str| Some(one(k)).filter(|t| !t.trim().is_empty());
    let venue_id = match one("venue_id").trim() {
        "" => None,
        v => match v.parse::<i64>() {
            Ok(id) if ctx.venues.iter().any(|c| c.id == id) => Some(id),
            _ => return Err("所选活动场所不是本组织可用的场所，请刷新页面".into()),
        },
    };
    let mut lines = Vec::with_capacity(chosen.len());
    for b in chosen {
        let present = match count(&one(&format!("present_{}", b.id)), "实到人数", &b.name)? {
            Some(n) => n,
            None => return Err(format!("{}：请填写实到人数", b.name)),
        };
        let excused = count(&one(&format!("excused_{}", b.id)), "请假人数", &b.name)?;
        lines.push(JointLine {
            branch_id: b.id,
            present,
            excused: excused.unwrap_or(0),
        });
    }
    let base = NewMeeting {
        kind: Some(kind),
        date: Some(date),
        topic: one("topic"),
        venue: text("venue"),
        venue_id,
        host: text("host"),
        minutes: text("minutes"),
        ..Default::default()
    };
    Ok((base, lines))
}
