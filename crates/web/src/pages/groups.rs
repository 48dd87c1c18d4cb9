//! 党小组成员: the page where a branch secretary places the branch's members in its
//! groups (one select per member, saved at once), so that a 党小组会 lists the group's
//! members. Opened from the branch's or a group's page; a group's members come first.

use askama::Template;
use axum::extract::{Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use axum::Form;
use jiceng_app::access::{Action, Write};
use jiceng_app::groups::{self, BranchGroups};
use jiceng_app::AppError;
use serde::Deserialize;

use super::{html, html_status, Nav};
use crate::error::PageError;
use crate::extract::PathOrg;
use crate::parse::Fields;
use crate::routes::{Guard, Routes, Subject};
use crate::session::User;
use crate::AppState;

pub fn routes() -> Routes {
    Routes::new()
        .get(
            "/orgs/{id}/groups",
            Guard::May(Action::ReadData),
            Subject::Org,
            page,
        )
        .post(
            "/orgs/{id}/groups",
            Guard::May(Action::Write),
            Subject::Org,
            save,
        )
}

/// One member's line: the select's options are the branch's groups.
pub struct Line {
    pub id: i64,
    pub name: String,
    pub full: bool,
    pub leads: bool,
    /// The group chosen (id), or empty.
    pub group: String,
    pub group_name: String,
}

#[derive(Template)]
#[template(path = "groups.html")]
struct GroupsPage {
    title: String,
    nav: Nav,
    id: i64,
    g: BranchGroups,
    lines: Vec<Line>,
    can_edit: bool,
    flash: Option<String>,
    error: Option<String>,
}

fn groups_page(
    user: &User,
    id: i64,
    g: BranchGroups,
    chosen: Option<&[(i64, Option<i64>)]>,
    flash: Option<String>,
    error: Option<String>,
) -> GroupsPage {
    let name_of = |gid: Option<i64>| {
        gid.and_then(|gid| g.groups.iter().find(|x| x.id == gid))
            .map(|x| x.name.clone())
            .unwrap_or_default()
    };
    let lines = g
        .roster
        .iter()
        .map(|l| {
            // A refused form shows what was chosen, not what is stored.
            let group = chosen
                .and_then(|c| c.iter().find(|(m, _)| *m == l.id).map(|(_, g)| *g))
                .unwrap_or(l.group);
            Line {
                id: l.id,
                name: l.name.clone(),
                full: l.full,
                leads: l.leads.is_some() && l.leads == l.group,
                group: group.map(|g| g.to_string()).unwrap_or_default(),
                group_name: name_of(group),
            }
        })
        .collect();
    GroupsPage {
        title: format!("党小组成员 · {}", g.branch.name),
        nav: Nav::of(user),
        id,
        can_edit: user.actor.may(Action::Write),
        lines,
        g,
        flash,
        error,
    }
}

#[derive(Deserialize)]
pub(super) struct Saved {
    saved: Option<usize>,
}

async fn page(
    State(state): State<AppState>,
    PathOrg { user, org }: PathOrg<User>,
    Query(q): Query<Saved>,
) -> Result<Response, PageError> {
    let g = groups::of_branch(&state.app, &org).await?;
    let flash = q.saved.map(|n| match n {
        0 => "没有改动".to_string(),
        n => format!("已保存：{n}名党员的党小组已调整"),
    });
    html(&groups_page(&user, org.org.id, g, None, flash, None))
}

/// The placement a form gives: `g_<member>` = a group's id, or empty for none.
fn placement(fields: &Fields) -> Result<Vec<(i64, Option<i64>)>, String> {
    let mut out = Vec::new();
    for (member, v) in fields.prefixed("g_") {
        let member: i64 = member
            .parse()
            .map_err(|_| format!("无法识别的党员编号：{member}"))?;
        let group = match v.trim() {
            "" => None,
            g => Some(
                g.parse::<i64>()
                    .map_err(|_| format!("无法识别的党小组编号：{g}"))?,
            ),
        };
        out.push((member, group));
    }
    Ok(out)
}

async fn save(
    State(state): State<AppState>,
    PathOrg { user, org }: PathOrg<User>,
    Form(fields): Form<Vec<(String, String)>>,
) -> Result<Response, PageError> {
    let (fields, grant) = user.form_for::<Write>(fields)?;
    let id = org.org.id;
    let chosen = placement(&fields);
    let refused = match &chosen {
        Ok(chosen) => match groups::assign(&state.app, &grant, &org, chosen).await {
            Ok(done) => {
                let to = format!("/orgs/{id}/groups?saved={}", done.changed);
                return Ok(Redirect::to(&to).into_response());
            }
            Err(AppError::Input(why)) => why,
            Err(other) => return Err(other.into()),
        },
        Err(why) => why.clone(),
    };
    let g = groups::of_branch(&state.app, &org).await?;
    let page = groups_page(&user, id, g, chosen.as_deref().ok(), None, Some(refused));
    html_status(StatusCode::UNPROCESSABLE_ENTITY, &page)
}

#[cfg(test)]
mod tests {
    use super::{placement, Fields};

    #[test]
    fn a_form_gives_each_member_a_group_or_none() {
        let f = |pairs: &[(&str, &str)]| {
            Fields(
                pairs
                    .iter()
                    .map(|(k, v)| (k.to_string(), v.to_string()))
                    .collect(),
            )
        };
        assert_eq!(
            placement(&f(&[("csrf", "x"), ("g_7", "12"), ("g_8", "")])),
            Ok(vec![(7, Some(12)), (8, None)])
        );
        assert!(placement(&f(&[("g_x", "12")])).is_err());
        assert!(placement(&f(&[("g_7", "第一")])).is_err());
    }
}
