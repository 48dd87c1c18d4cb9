//! Org pages: the lazily expanding tree and search, the org page, and the forms to create,
//! edit, move, merge and dissolve.

use askama::Template;
use axum::extract::{Query, State};
use axum::response::Response;
use axum::Json;
use jiceng_app::access::Action;
use jiceng_app::browse::{self, OrgSummary, OrgView};

use super::{html, xlsx, DoneParam, Nav};
use crate::error::PageError;
use crate::extract::{PathOrg, SearchParam};
use crate::routes::{Guard, Routes, Subject};
use crate::session::User;
use crate::AppState;

mod actions;
mod form;

use actions::{
    dissolve, dissolve_form, end_position, merge, merge_form, move_form, move_org, record_event,
};
use form::{create, edit, edit_form, new_form};

pub fn routes() -> Routes {
    Routes::new()
        .get("/orgs", Guard::May(Action::ReadData), Subject::None, tree)
        .get(
            "/orgs/{id}",
            Guard::May(Action::ReadData),
            Subject::Org,
            org_page,
        )
        .get(
            "/orgs/{id}/children.json",
            Guard::May(Action::ReadData),
            Subject::Org,
            children_json,
        )
        .get(
            "/orgs/{id}/export.xlsx",
            Guard::May(Action::ReadData),
            Subject::Org,
            export,
        )
        .get(
            "/orgs/{id}/new",
            Guard::May(Action::Write),
            Subject::Org,
            new_form,
        )
        .post(
            "/orgs/{id}/new",
            Guard::May(Action::Write),
            Subject::Org,
            create,
        )
        .get(
            "/orgs/{id}/edit",
            Guard::May(Action::Write),
            Subject::Org,
            edit_form,
        )
        .post(
            "/orgs/{id}/edit",
            Guard::May(Action::Write),
            Subject::Org,
            edit,
        )
        .get(
            "/orgs/{id}/move",
            Guard::May(Action::Write),
            Subject::Org,
            move_form,
        )
        .post(
            "/orgs/{id}/move",
            Guard::May(Action::Write),
            Subject::Org,
            move_org,
        )
        .get(
            "/orgs/{id}/merge",
            Guard::May(Action::Write),
            Subject::Org,
            merge_form,
        )
        .post(
            "/orgs/{id}/merge",
            Guard::May(Action::Write),
            Subject::Org,
            merge,
        )
        .get(
            "/orgs/{id}/dissolve",
            Guard::May(Action::Write),
            Subject::Org,
            dissolve_form,
        )
        .post(
            "/orgs/{id}/dissolve",
            Guard::May(Action::Write),
            Subject::Org,
            dissolve,
        )
        .post(
            "/orgs/{id}/event",
            Guard::May(Action::Write),
            Subject::Org,
            record_event,
        )
        .post(
            "/positions/{pid}/end",
            Guard::May(Action::Write),
            Subject::Position,
            end_position,
        )
}

#[derive(Template)]
#[template(path = "tree.html")]
struct TreePage {
    title: String,
    nav: Nav,
    q: String,
    roots: Vec<OrgSummary>,
    found: Option<Vec<OrgSummary>>,
}

async fn tree(
    State(state): State<AppState>,
    user: User,
    Query(q): Query<SearchParam>,
) -> Result<Response, PageError> {
    let query = q.q.unwrap_or_default();
    let found = if query.trim().is_empty() {
        None
    } else {
        Some(browse::search_orgs(&state.app, &user.actor, &query).await?)
    };
    let roots = browse::tree_roots(&state.app, &user.actor).await?;
    html(&TreePage {
        title: "组织".into(),
        nav: Nav::of(&user),
        q: query,
        roots,
        found,
    })
}

async fn children_json(
    State(state): State<AppState>,
    PathOrg { org, .. }: PathOrg<User>,
) -> Result<Json<Vec<OrgSummary>>, PageError> {
    Ok(Json(browse::org_children(&state.app, &org).await?))
}

#[derive(Template)]
#[template(path = "org.html")]
struct OrgPage {
    title: String,
    nav: Nav,
    o: OrgView,
    can_write: bool,
    /// The org is the user's own: its re-affiliation, merge and dissolution are the
    /// level above's (the use cases refuse them), so their buttons are not shown.
    own: bool,
    flash: Option<String>,
    /// The org's party-building staff (组织员, 党建工作指导员 …).
    staff: Vec<jiceng_app::training::staff::StaffView>,
    /// 党务公开: what the org has published and not withdrawn (its members see it).
    disclosed: Vec<jiceng_app::disclosure::Item>,
    /// 结对共建: the org's pairings, as the supported org and as the supporter.
    pairings: jiceng_app::pairing::OrgPairings,
}

fn flash_text(done: Option<&str>) -> Option<String> {
    Some(
        match done? {
            "created" => "已新建党组织",
            "edited" => "已保存修改",
            "moved" => "已调整隶属关系",
            "merged" => "已完成合并",
            "dissolved" => "已撤销该党组织",
            "event" => "已登记",
            "ended" => "已结束该职务",
            "staff" => "已登记党建工作人员",
            _ => return None,
        }
        .to_string(),
    )
}

async fn org_page(
    State(state): State<AppState>,
    PathOrg { user, org }: PathOrg<User>,
    Query(f): Query<DoneParam>,
) -> Result<Response, PageError> {
    let o = browse::org_view(&state.app, &user.actor, &org).await?;
    let staff = jiceng_app::training::staff::of_org(&state.app, &org).await?;
    let disclosed = jiceng_app::disclosure::for_members(&state.app, org.org.id).await?;
    let pairings = jiceng_app::pairing::of_org(&state.app, org.org.id).await?;
    html(&OrgPage {
        title: o.name.clone(),
        nav: Nav::of(&user),
        can_write: user.actor.may(Action::Write),
        own: user.actor.org_id() == Some(o.id),
        flash: flash_text(f.done.as_deref()),
        staff,
        disclosed,
        pairings,
        o,
    })
}

async fn export(
    State(state): State<AppState>,
    PathOrg { user, org: root }: PathOrg<User>,
) -> Result<Response, PageError> {
    let id = root.org.id;
    let rows = browse::subtree_orgs(&state.app, &root, jiceng_app::export::MAX_ROWS).await?;
    let sheet = jiceng_app::export::orgs_sheet(&format!("{} 及下级党组织", root.org.name), &rows);
    let bytes = jiceng_app::export::workbook(
        &state.app,
        &user.actor,
        &format!("orgs:{id}"),
        Some(&root),
        &[sheet],
    )
    .await?;
    Ok(xlsx(&format!("党组织-{}.xlsx", root.org.name), bytes))
}

/// One option of a select.
pub struct Choice {
    pub value: String,
    pub label: String,
    pub selected: bool,
}
