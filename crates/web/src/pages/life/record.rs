//! The phone-first record form: the kinds this branch can hold, its groups and roster,
//! and the submission, refused beside the fields it is about or recorded.

use std::collections::HashMap;

use askama::Template;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use axum::Form;
use chrono::NaiveDate;
use jiceng_app::access::{self, OrgKey, RecordLife};
use jiceng_app::meetings::{self, MeetingRow, MeetingView, RecordContext, Recorded};
use jiceng_app::AppError;
use jiceng_domain::MeetingKind;
use serde::Deserialize;

use super::form::{read_meeting, statuses, FieldErrors, Fields, RecordValues, Statuses};
use crate::error::PageError;
use crate::extract::{CsrfForm, PathOrg};
use crate::pages::{html, Nav};
use crate::parse::parse_kind;
use crate::session::User;
use crate::AppState;

pub struct KindChoice {
    pub value: &'static str,
    pub label: &'static str,
    pub selected: bool,
}

pub struct AttendeeLine {
    pub id: i64,
    pub name: String,
    pub full: bool,
    pub status: &'static str,
    pub reason: String,
    /// Expected for the kind, group and date as the form stands (the rest are hidden;
    /// `forms.js` shows them as the kind, group or date change, by the data below).
    pub shown: bool,
    pub committee: bool,
    /// The member's group id, or empty.
    pub group: String,
    pub joined: String,
}

#[derive(Template)]
#[template(path = "life_record.html")]
struct RecordPage {
    title: String,
    nav: Nav,
    action: String,
    branch_id: i64,
    branch_name: String,
    today: String,
    kinds: Vec<KindChoice>,
    /// The kinds a combined session may also serve (ticked boxes).
    also: Vec<KindChoice>,
    groups: Vec<(i64, String, bool)>,
    attendees: Vec<AttendeeLine>,
    /// The branch's 流入党员 today: (registration id, name, ticked).
    guests: Vec<(i64, String, bool)>,
    /// The 活动场所 the branch uses: (id, name, selected).
    venues: Vec<(i64, String, bool)>,
    f: RecordValues,
    e: FieldErrors,
    /// Correcting a recorded meeting (更正): the reason is asked for.
    correcting: bool,
    reason: String,
    /// Meetings of the same kind already recorded in the span: saved only once confirmed.
    repeat: Vec<MeetingRow>,
}

fn kind_choices(ctx: &RecordContext, selected: &str) -> Vec<KindChoice> {
    MeetingKind::ALL
        .iter()
        .filter(|k| {
            // Only what this branch can hold: group meetings need a group, committee
            // meetings a committee (still offered when preselected).
            let code = k.code();
            code == selected
                || match k {
                    MeetingKind::GroupMeeting => !ctx.groups.is_empty(),
                    MeetingKind::CommitteeMeeting => ctx.has_committee,
                    _ => true,
                }
        })
        .map(|k| KindChoice {
            value: k.code(),
            label: k.label(),
            selected: k.code() == selected,
        })
        .collect()
}

fn record_page(
    user: &User,
    id: i64,
    ctx: &RecordContext,
    f: RecordValues,
    statuses: &Statuses,
    e: FieldErrors,
    today: NaiveDate,
) -> RecordPage {
    // The lines the form shows: who the kind and the date expect, as far as typed.
    let kind = parse_kind(&f.kind).ok().flatten();
    let date = crate::parse::parse_day(&f.date, "").ok().flatten();
    let expected: std::collections::HashSet<i64> = ctx
        .expected(kind, super::form::chosen_group(&f, ctx), date)
        .iter()
        .map(|m| m.id)
        .collect();
    let attendees = ctx
        .roster
        .iter()
        .map(|m| {
            let (status, reason) = statuses
                .get(&m.id)
                .cloned()
                .unwrap_or(("present", String::new()));
            AttendeeLine {
                id: m.id,
                name: m.name.clone(),
                full: m.full,
                status,
                reason,
                shown: expected.contains(&m.id),
                committee: m.committee,
                group: m.group.map(|g| g.to_string()).unwrap_or_default(),
                joined: m.joined_on.to_string(),
            }
        })
        .collect();
    RecordPage {
        title: format!("记录组织生活 · {}", ctx.branch.name),
        nav: Nav::of(user),
        action: format!("/orgs/{id}/meetings/new"),
        branch_id: ctx.branch_id,
        branch_name: ctx.branch.name.clone(),
        today: today.to_string(),
        kinds: kind_choices(ctx, &f.kind),
        also: kind_choices(ctx, "")
            .into_iter()
            .filter(|k| k.value != MeetingKind::GroupMeeting.code())
            .map(|k| KindChoice {
                selected: f.also.iter().any(|a| a == k.value),
                ..k
            })
            .collect(),
        groups: ctx
            .groups
            .iter()
            .map(|(gid, name)| {
                let label = match ctx.group_size(*gid) {
                    0 => name.clone(),
                    n => format!("{name}（{n}人）"),
                };
                (*gid, label, f.group == gid.to_string())
            })
            .collect(),
        attendees,
        venues: ctx
            .venues
            .iter()
            .map(|v| (v.id, v.name.clone(), f.venue_id == v.id.to_string()))
            .collect(),
        guests: ctx
            .guests
            .iter()
            .map(|(gid, name)| (*gid, name.clone(), f.guests.contains(&gid.to_string())))
            .collect(),
        f,
        e,
        correcting: false,
        reason: String::new(),
        repeat: Vec::new(),
    }
}

#[derive(Deserialize)]
pub(super) struct NewParams {
    kind: Option<String>,
    back: Option<String>,
}

pub(super) async fn record_form(
    State(state): State<AppState>,
    PathOrg { user, org }: PathOrg<User>,
    Query(q): Query<NewParams>,
) -> Result<Response, PageError> {
    user.actor.grant::<RecordLife>()?;
    let id = org.org.id;
    let ctx = meetings::record_context(&state.app, &org).await?;
    let today = state.app.today();
    let kind = q
        .kind
        .as_deref()
        .and_then(|k| parse_kind(k).ok().flatten())
        .map(|k| k.code().to_string())
        .unwrap_or_default();
    let f = RecordValues {
        kind,
        group: ctx.group_id.map(|g| g.to_string()).unwrap_or_default(),
        date: today.to_string(),
        back: q.back.unwrap_or_default(),
        ..Default::default()
    };
    html(&record_page(
        &user,
        id,
        &ctx,
        f,
        &HashMap::new(),
        FieldErrors::default(),
        today,
    ))
}

pub(super) async fn record_submit(
    State(state): State<AppState>,
    PathOrg { user, org }: PathOrg<User>,
    Form(fields): Form<Vec<(String, String)>>,
) -> Result<Response, PageError> {
    let id = org.org.id;
    let fields = Fields(fields);
    user.check_csrf(&fields.get("csrf"))?;
    let grant = user.actor.grant::<RecordLife>()?;
    let ctx = meetings::record_context(&state.app, &org).await?;
    let today = state.app.today();
    let f = RecordValues::read(&fields);
    let statuses = statuses(&fields, &ctx);
    let mut e = FieldErrors::default();
    let (new, org_id) = read_meeting(&f, &ctx, &statuses, today, id, &mut e);
    let mut repeat = Vec::new();
    if !e.any() {
        // The group (or the branch) chosen, proven in the actor's scope like the path's org.
        let held_by = if org_id == id {
            org.clone()
        } else {
            access::resolve(&state.app, &user.actor, &OrgKey::Id(org_id)).await?
        };
        repeat = repeats(&state, &held_by, &new, &f, None).await?;
        if repeat.is_empty() {
            match meetings::record(&state.app, &grant, &held_by, &new).await {
                Ok(r) => return Ok(Redirect::to(&after_recording(&f, &ctx, &r)).into_response()),
                Err(AppError::Meeting(refused)) => e.place(&refused),
                Err(other) => return Err(other.into()),
            }
        }
    }
    refused_or_warned(RecordPage {
        repeat,
        ..record_page(&user, id, &ctx, f, &statuses, e, today)
    })
}

/// The form again: 422 with the reasons it was refused, or 200 with the warning of a
/// meeting of the same kind already recorded in the span (saved once confirmed).
fn refused_or_warned(page: RecordPage) -> Result<Response, PageError> {
    let refused = page.e.any();
    let mut resp = html(&page)?;
    if refused {
        *resp.status_mut() = StatusCode::UNPROCESSABLE_ENTITY;
    }
    Ok(resp)
}

/// The meetings of the same kind already recorded in the span of `new`, unless the form
/// confirms a second one (`confirm_repeat`) or `new` is one of them (a duplicate, refused).
async fn repeats(
    state: &AppState,
    org: &access::InScope<jiceng_app::OrgRecord>,
    new: &meetings::NewMeeting,
    f: &RecordValues,
    except: Option<i64>,
) -> Result<Vec<MeetingRow>, PageError> {
    match (f.confirm_repeat, new.kind, new.date) {
        (false, Some(kind), Some(date)) => {
            let seen = meetings::same_span(&state.app, org, kind, date, except).await?;
            // The very same record (date and topic) is refused as a duplicate instead.
            let same = |m: &MeetingRow| m.date == date && m.topic == new.topic.trim();
            Ok(if seen.iter().any(same) {
                Vec::new()
            } else {
                seen
            })
        }
        _ => Ok(Vec::new()),
    }
}

/// Where a recorded meeting leads: back to the branch's due list, or to its page.
fn after_recording(f: &RecordValues, ctx: &RecordContext, r: &Recorded) -> String {
    if f.back == "due" {
        format!("/orgs/{}/due?done={}", ctx.branch_id, r.id)
    } else {
        format!("/meetings/{}?done=recorded", r.id)
    }
}

// ---------------------------------------------------------------- 更正 and 作废

/// The form's values as the recorded meeting `m` has them.
fn values_of(m: &MeetingView) -> (RecordValues, Statuses) {
    let f = RecordValues {
        kind: m.kind.to_string(),
        group: if m.org_id != m.branch_id {
            m.org_id.to_string()
        } else {
            String::new()
        },
        date: m.date.to_string(),
        topic: m.topic.clone(),
        venue: m.venue.clone().unwrap_or_default(),
        venue_id: m.venue_id.map(|v| v.to_string()).unwrap_or_default(),
        host: m.host.clone().unwrap_or_default(),
        expected: m.expected.to_string(),
        present: m.present.to_string(),
        excused: m.excused.to_string(),
        minutes: m.minutes.clone().unwrap_or_default(),
        decisions: m.decisions.clone().unwrap_or_default(),
        masses_present: m.masses_present.map(|n| n.to_string()).unwrap_or_default(),
        central_task: m.central_task,
        members_needs: m.members_needs,
        votes: m.votes,
        also: m.kinds.iter().skip(1).map(|k| k.to_string()).collect(),
        for_year: if m.for_year != chrono::Datelike::year(&m.date) {
            m.for_year.to_string()
        } else {
            String::new()
        },
        election: m.election,
        guests: m.guests.iter().map(|(id, _)| id.to_string()).collect(),
        confirm_repeat: false,
        back: String::new(),
    };
    let statuses = m
        .attendees
        .iter()
        .map(|a| {
            (
                a.member_id,
                (a.status, a.reason.clone().unwrap_or_default()),
            )
        })
        .collect();
    (f, statuses)
}

/// The record form filled with a recorded meeting, to correct it with a reason.
pub(super) async fn correct_form(
    State(state): State<AppState>,
    user: User,
    Path(id): Path<i64>,
) -> Result<Response, PageError> {
    user.actor.grant::<RecordLife>()?;
    let m = meetings::get(&state.app, &user.actor, id).await?;
    let org = access::resolve(&state.app, &user.actor, &OrgKey::Id(m.org_id)).await?;
    let ctx = meetings::record_context(&state.app, &org).await?;
    let (f, statuses) = values_of(&m);
    let page = RecordPage {
        title: format!("更正组织生活记录 · {}", m.topic),
        action: format!("/meetings/{id}/edit"),
        correcting: true,
        ..record_page(
            &user,
            org.org.id,
            &ctx,
            f,
            &statuses,
            FieldErrors::default(),
            state.app.today(),
        )
    };
    html(&page)
}

pub(super) async fn correct_submit(
    State(state): State<AppState>,
    user: User,
    Path(id): Path<i64>,
    Form(fields): Form<Vec<(String, String)>>,
) -> Result<Response, PageError> {
    let fields = Fields(fields);
    user.check_csrf(&fields.get("csrf"))?;
    let grant = user.actor.grant::<RecordLife>()?;
    let old = meetings::get(&state.app, &user.actor, id).await?;
    let org = access::resolve(&state.app, &user.actor, &OrgKey::Id(old.branch_id)).await?;
    let ctx = meetings::record_context(&state.app, &org).await?;
    let today = state.app.today();
    let f = RecordValues::read(&fields);
    let statuses = statuses(&fields, &ctx);
    let reason = fields.get("reason");
    let mut e = FieldErrors::default();
    let (new, org_id) = read_meeting(&f, &ctx, &statuses, today, ctx.branch_id, &mut e);
    let mut repeat = Vec::new();
    if !e.any() {
        let held_by = access::resolve(&state.app, &user.actor, &OrgKey::Id(org_id)).await?;
        repeat = repeats(&state, &held_by, &new, &f, Some(id)).await?;
        if repeat.is_empty() {
            match meetings::correct(&state.app, &grant, &held_by, id, &new, &reason).await {
                Ok(r) => {
                    return Ok(
                        Redirect::to(&format!("/meetings/{}?done=corrected", r.id)).into_response()
                    )
                }
                Err(AppError::Meeting(refused)) => e.place(&refused),
                Err(other) => return Err(other.into()),
            }
        }
    }
    refused_or_warned(RecordPage {
        title: format!("更正组织生活记录 · {}", old.topic),
        action: format!("/meetings/{id}/edit"),
        correcting: true,
        reason,
        repeat,
        ..record_page(&user, org.org.id, &ctx, f, &statuses, e, today)
    })
}

#[derive(Default, Deserialize)]
pub(super) struct VoidForm {
    #[serde(default)]
    reason: String,
}

/// Voids a recorded meeting with the reason; back to the branch's organizational life, or
/// to the meeting's page with the refusal.
pub(super) async fn void_submit(
    State(state): State<AppState>,
    Path(id): Path<i64>,
    CsrfForm { user, form }: CsrfForm<VoidForm>,
) -> Result<Response, PageError> {
    let grant = user.actor.grant::<RecordLife>()?;
    let m = meetings::get(&state.app, &user.actor, id).await?;
    match meetings::void(&state.app, &grant, id, &form.reason).await {
        Ok(()) => {
            Ok(Redirect::to(&format!("/orgs/{}/life?done=voided", m.branch_id)).into_response())
        }
        Err(AppError::Meeting(refused)) => {
            let why: Vec<String> = refused.iter().map(|r| r.to_string()).collect();
            let page = super::meetings::meeting_view(
                &state,
                &user,
                id,
                String::new(),
                Some(why.join("；")),
            )
            .await?;
            let mut resp = html(&page)?;
            *resp.status_mut() = StatusCode::BAD_REQUEST;
            Ok(resp)
        }
        Err(other) => Err(other.into()),
    }
}
