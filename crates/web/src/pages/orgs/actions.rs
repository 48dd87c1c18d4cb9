//! Moving, merging and dissolving an org from its page, and its dated facts: an election,
//! a committee set up or dissolved, an approved postponement, a vacancy; ending an office.

use askama::Template;
use axum::extract::{Path, State};
use axum::response::{IntoResponse, Redirect, Response};
use jiceng_app::access::{self, InScope, OrgKey, Write};
use jiceng_app::org_admin;
use jiceng_app::OrgRecord;
use serde::Deserialize;

use super::form::parse_date;
use crate::error::PageError;
use crate::extract::{CsrfForm, PathOrg};
use crate::pages::{html, Nav};
use crate::session::User;
use crate::AppState;

#[derive(Template)]
#[template(path = "org_action.html")]
struct ActionPage {
    title: String,
    nav: Nav,
    action: String,
    heading: String,
    org_name: String,
    explain: String,
    target_label: String,
    target: String,
    reason: String,
    submit: String,
    back: String,
    error: Option<String>,
}

/// An action on an org from its page: what its form says, and its `?done=`.
struct Act {
    path: &'static str,
    heading: &'static str,
    explain: &'static str,
    /// The other org's field (none for dissolving).
    target_label: &'static str,
    done: &'static str,
}

const MOVE: Act = Act {
    path: "move",
    heading: "调整隶属关系",
    explain: "把本组织（连同全部下级组织、党员和单位）调整到新的上级党组织之下。新的上级须在您的管理范围内，且不能形成“小马拉大车”。",
    target_label: "新的上级党组织（组织代码或完整名称）",
    done: "moved",
};

const MERGE: Act = Act {
    path: "merge",
    heading: "合并党组织",
    explain: "把本组织并入另一个党组织：下级组织、党员和单位转入对方，本组织的职务终止并标记为撤销（记录保留）。",
    target_label: "并入的党组织（组织代码或完整名称）",
    done: "merged",
};

const DISSOLVE: Act = Act {
    path: "dissolve",
    heading: "撤销党组织",
    explain: "撤销本组织（记录和沿革保留）。须先调整或撤销全部下级组织，并转出全部党员。",
    target_label: "",
    done: "dissolved",
};

#[derive(Deserialize, Default)]
#[serde(default)]
pub(super) struct ActionForm {
    target: String,
    reason: String,
}

fn action_form(
    user: &User,
    o: &InScope<OrgRecord>,
    act: &Act,
    error: Option<String>,
    form: Option<&ActionForm>,
) -> Result<Response, PageError> {
    let id = o.org.id;
    html(&ActionPage {
        title: act.heading.into(),
        nav: Nav::of(user),
        action: format!("/orgs/{id}/{}", act.path),
        heading: act.heading.into(),
        org_name: o.org.name.clone(),
        explain: act.explain.into(),
        target_label: act.target_label.into(),
        target: form.map(|f| f.target.clone()).unwrap_or_default(),
        reason: form.map(|f| f.reason.clone()).unwrap_or_default(),
        submit: act.heading.into(),
        back: format!("/orgs/{id}"),
        error,
    })
}

/// Moves, merges or dissolves `org` as the form says; a refused form comes back with why.
async fn act_post(
    state: AppState,
    org: InScope<OrgRecord>,
    CsrfForm { user, form }: CsrfForm<ActionForm>,
    act: &Act,
) -> Result<Response, PageError> {
    // Refused after the form's own checks, as the use case refused before.
    let grant = user.actor.grant::<Write>().ok();
    let grant = || grant.as_ref().ok_or(jiceng_app::AppError::Forbidden);
    let app = &state.app;
    let result: Result<(), jiceng_app::AppError> = async {
        if act.path == DISSOLVE.path {
            return org_admin::dissolve(app, grant()?, &org, &form.reason).await;
        }
        let key = form.target.trim();
        if key.is_empty() {
            return Err(jiceng_app::AppError::Input("请填写目标党组织".into()));
        }
        let target = access::resolve(app, &user.actor, &OrgKey::parse(Some(key))).await?;
        if act.path == MOVE.path {
            org_admin::move_org(app, grant()?, &org, &target, &form.reason).await
        } else {
            org_admin::merge(app, grant()?, &org, &target, &form.reason).await
        }
    }
    .await;
    match result {
        Ok(()) => {
            let id = org.org.id;
            Ok(Redirect::to(&format!("/orgs/{id}?done={}", act.done)).into_response())
        }
        Err(
            e @ (jiceng_app::AppError::Input(_)
            | jiceng_app::AppError::OrgNotFound(_)
            | jiceng_app::AppError::OrgAmbiguous { .. }),
        ) => action_form(&user, &org, act, Some(e.to_string()), Some(&form)),
        Err(e) => Err(e.into()),
    }
}

pub(super) async fn move_form(p: PathOrg<User>) -> Result<Response, PageError> {
    action_form(&p.user, &p.org, &MOVE, None, None)
}
pub(super) async fn merge_form(p: PathOrg<User>) -> Result<Response, PageError> {
    action_form(&p.user, &p.org, &MERGE, None, None)
}
pub(super) async fn dissolve_form(p: PathOrg<User>) -> Result<Response, PageError> {
    action_form(&p.user, &p.org, &DISSOLVE, None, None)
}
pub(super) async fn move_org(
    State(s): State<AppState>,
    p: PathOrg<User>,
    f: CsrfForm<ActionForm>,
) -> Result<Response, PageError> {
    act_post(s, p.org, f, &MOVE).await
}
pub(super) async fn merge(
    State(s): State<AppState>,
    p: PathOrg<User>,
    f: CsrfForm<ActionForm>,
) -> Result<Response, PageError> {
    act_post(s, p.org, f, &MERGE).await
}
pub(super) async fn dissolve(
    State(s): State<AppState>,
    p: PathOrg<User>,
    f: CsrfForm<ActionForm>,
) -> Result<Response, PageError> {
    act_post(s, p.org, f, &DISSOLVE).await
}

// ---------------------------------------------------------------- dated facts

#[derive(Deserialize, Default)]
#[serde(default)]
pub(super) struct EventForm {
    kind: String,
    on: String,
    until: String,
    reason: String,
}

/// Records an election, a committee set up or dissolved, an approved postponement of
/// the 换届 or a secretary vacancy, from the org page.
pub(super) async fn record_event(
    State(state): State<AppState>,
    PathOrg { org, .. }: PathOrg<User>,
    CsrfForm { user, form }: CsrfForm<EventForm>,
) -> Result<Response, PageError> {
    let id = org.org.id;
    let on = parse_date(&form.on, "日期")
        .map_err(jiceng_app::AppError::Input)?
        .ok_or_else(|| jiceng_app::AppError::Input("请填写日期".into()))?;
    let until = parse_date(&form.until, "延期至").map_err(jiceng_app::AppError::Input)?;
    let grant = user.actor.grant::<Write>()?;
    org_admin::record_event(
        &state.app,
        &grant,
        &org,
        &org_admin::EventInput {
            kind: form.kind.clone(),
            on,
            until,
        },
        &form.reason,
    )
    .await?;
    Ok(Redirect::to(&format!("/orgs/{id}?done=event")).into_response())
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub(super) struct EndForm {
    on: String,
    reason: String,
    /// Where to go back to: the org page or the member page.
    back: String,
}

/// Ends a position (离任) from the org or member page.
pub(super) async fn end_position(
    State(state): State<AppState>,
    Path(pid): Path<i64>,
    CsrfForm { user, form }: CsrfForm<EndForm>,
) -> Result<Response, PageError> {
    let on = parse_date(&form.on, "离任日期")
        .map_err(jiceng_app::AppError::Input)?
        .ok_or_else(|| jiceng_app::AppError::Input("请填写离任日期".into()))?;
    let grant = user.actor.grant::<Write>()?;
    jiceng_app::member_admin::end_position(&state.app, &grant, pid, on, &form.reason).await?;
    let back = form.back.trim();
    let safe = (back.starts_with("/orgs/") || back.starts_with("/members/"))
        && back[1..]
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'/');
    let to = if safe { back } else { "/orgs" };
    let sep = if to.starts_with("/orgs/") {
        "?done=ended"
    } else {
        ""
    };
    Ok(Redirect::to(&format!("{to}{sep}")).into_response())
}
