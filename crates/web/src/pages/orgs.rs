//! Org pages: the lazily expanding tree and search, the org page, and the forms to create,
//! edit, move, merge and dissolve.

use askama::Template;
use axum::extract::{Path, Query, State};
use axum::response::{IntoResponse, Redirect, Response};
use axum::Json;
use jiceng_app::access::{self, Action, InScope, OrgKey, Write};
use jiceng_app::browse::{self, OrgSummary, OrgView};
use jiceng_app::org_admin::{self, OrgFields};
use jiceng_app::OrgRecord;
use jiceng_domain::{Domain, OrgKind};
use serde::Deserialize;

use super::{html, xlsx, DoneParam, Nav};
use crate::error::PageError;
use crate::extract::{CsrfForm, PathOrg, SearchParam};
use crate::routes::{Guard, Routes, Subject};
use crate::session::User;
use crate::AppState;

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
    flash: Option<String>,
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
    html(&OrgPage {
        title: o.name.clone(),
        nav: Nav::of(&user),
        can_write: user.actor.may(Action::Write),
        flash: flash_text(f.done.as_deref()),
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

// ---------------------------------------------------------------- forms

pub struct Choice {
    pub value: String,
    pub label: String,
    pub selected: bool,
}

#[derive(Template)]
#[template(path = "org_form.html")]
struct OrgFormPage {
    title: String,
    nav: Nav,
    action: String,
    heading: String,
    context: String,
    back: String,
    error: Option<String>,
    f: FormValues,
    kinds: Vec<Choice>,
    domains: Vec<Choice>,
    reason: String,
}

/// The form's values as text, so a refused form comes back as the user filled it.
#[derive(Default)]
struct FormValues {
    name: String,
    code: String,
    region_code: String,
    founded_on: String,
    last_election_on: String,
    /// "", "yes" or "no": 暂无数据 / 已设立 / 未设立.
    committee: String,
    committee_on: String,
    approving_org: String,
    term_years: String,
    temporary: bool,
    records_from: String,
}

#[derive(Deserialize, Default)]
#[serde(default)]
struct OrgForm {
    name: String,
    kind: String,
    domain: String,
    region_code: String,
    founded_on: String,
    last_election_on: String,
    committee: String,
    committee_on: String,
    approving_org: String,
    term_years: String,
    temporary: Option<String>,
    records_from: String,
    code: String,
    reason: String,
}

fn parse_date(s: &str, what: &str) -> Result<Option<chrono::NaiveDate>, String> {
    let s = s.trim();
    if s.is_empty() {
        return Ok(None);
    }
    chrono::NaiveDate::parse_from_str(s, "%Y-%m-%d")
        .map(Some)
        .map_err(|_| format!("{what}格式应为 年-月-日：{s}"))
}

fn nonempty(s: &str) -> Option<String> {
    Some(s.trim().to_string()).filter(|s| !s.is_empty())
}

impl OrgForm {
    fn fields(&self) -> Result<OrgFields, String> {
        Ok(OrgFields {
            name: self.name.clone(),
            kind: self.kind.clone(),
            domain: nonempty(&self.domain),
            region_code: nonempty(&self.region_code),
            founded_on: parse_date(&self.founded_on, "成立日期")?,
            last_election_on: parse_date(&self.last_election_on, "换届日期")?,
            committee: match self.committee.trim() {
                "yes" => Some(true),
                "no" => Some(false),
                _ => None,
            },
            committee_on: parse_date(&self.committee_on, "委员会设立或撤销日期")?,
            approving_org: nonempty(&self.approving_org),
            code: nonempty(&self.code),
            term_years: match self.term_years.trim() {
                "" => None,
                t => Some(
                    t.parse::<i64>()
                        .map_err(|_| format!("任期年限应为数字：{t}"))?,
                ),
            },
            temporary: self.temporary.is_some(),
            records_from: parse_date(&self.records_from, "台账起始日")?,
        })
    }

    fn values(&self) -> FormValues {
        FormValues {
            name: self.name.clone(),
            code: self.code.clone(),
            region_code: self.region_code.clone(),
            founded_on: self.founded_on.clone(),
            last_election_on: self.last_election_on.clone(),
            committee: self.committee.clone(),
            committee_on: self.committee_on.clone(),
            approving_org: self.approving_org.clone(),
            term_years: self.term_years.clone(),
            temporary: self.temporary.is_some(),
            records_from: self.records_from.clone(),
        }
    }
}

fn committee_value(c: Option<bool>) -> &'static str {
    match c {
        Some(true) => "yes",
        Some(false) => "no",
        None => "",
    }
}

fn kind_choices(selected: &str) -> Vec<Choice> {
    OrgKind::ALL
        .iter()
        .map(|k| Choice {
            value: k.code().into(),
            label: k.label().into(),
            selected: k.code() == selected,
        })
        .collect()
}

fn domain_choices(selected: &str) -> Vec<Choice> {
    let mut v = vec![Choice {
        value: String::new(),
        label: "（未填）".into(),
        selected: selected.is_empty(),
    }];
    v.extend(Domain::ALL.iter().map(|d| Choice {
        value: d.code().into(),
        label: d.label().into(),
        selected: d.code() == selected,
    }));
    v
}

async fn new_form(PathOrg { user, org: parent }: PathOrg<User>) -> Result<Response, PageError> {
    let id = parent.org.id;
    html(&OrgFormPage {
        title: "新建下级党组织".into(),
        nav: Nav::of(&user),
        action: format!("/orgs/{id}/new"),
        heading: "新建下级党组织".into(),
        context: format!("上级党组织：{}", parent.org.name),
        back: format!("/orgs/{id}"),
        error: None,
        f: FormValues::default(),
        kinds: kind_choices("Branch"),
        domains: domain_choices(parent.org.domain.map(|d| d.code()).unwrap_or("")),
        reason: String::new(),
    })
}

async fn create(
    State(state): State<AppState>,
    PathOrg { org: parent, .. }: PathOrg<User>,
    CsrfForm { user, form }: CsrfForm<OrgForm>,
) -> Result<Response, PageError> {
    let id = parent.org.id;
    let result = match (form.fields(), user.actor.grant::<Write>()) {
        (Ok(fields), Ok(grant)) => {
            org_admin::create(&state.app, &grant, &parent, &fields, &form.reason)
                .await
                .map_err(|e| e.into())
        }
        (Ok(_), Err(e)) => Err(e.into()),
        (Err(m), _) => Err(crate::error::WebError::BadRequest(m)),
    };
    match result {
        Ok(new_id) => Ok(Redirect::to(&format!("/orgs/{new_id}?done=created")).into_response()),
        Err(e) => {
            let message = refusal(e)?;
            html(&OrgFormPage {
                title: "新建下级党组织".into(),
                nav: Nav::of(&user),
                action: format!("/orgs/{id}/new"),
                heading: "新建下级党组织".into(),
                context: format!("上级党组织：{}", parent.org.name),
                back: format!("/orgs/{id}"),
                error: Some(message),
                f: form.values(),
                kinds: kind_choices(&form.kind),
                domains: domain_choices(&form.domain),
                reason: form.reason.clone(),
            })
        }
    }
}

/// A refusal the form shows (bad input); anything else becomes an error page.
fn refusal(e: crate::error::WebError) -> Result<String, PageError> {
    use crate::error::WebError;
    match e {
        WebError::BadRequest(m) => Ok(m),
        WebError::App(jiceng_app::AppError::Input(m)) => Ok(m),
        other => Err(PageError(other)),
    }
}

async fn edit_form(
    State(state): State<AppState>,
    PathOrg { user, org: o }: PathOrg<User>,
) -> Result<Response, PageError> {
    let id = o.org.id;
    let f = OrgFields::of(&o.org);
    let records_from = browse::records_from(&state.app, &o).await?;
    html(&OrgFormPage {
        title: format!("修改 {}", o.org.name),
        nav: Nav::of(&user),
        action: format!("/orgs/{id}/edit"),
        heading: "修改党组织信息".into(),
        context: o.org.name.clone(),
        back: format!("/orgs/{id}"),
        error: None,
        f: FormValues {
            name: f.name.clone(),
            code: f.code.clone().unwrap_or_default(),
            region_code: f.region_code.clone().unwrap_or_default(),
            founded_on: f.founded_on.map(|d| d.to_string()).unwrap_or_default(),
            last_election_on: f
                .last_election_on
                .map(|d| d.to_string())
                .unwrap_or_default(),
            committee: committee_value(f.committee).into(),
            committee_on: String::new(),
            approving_org: f.approving_org.clone().unwrap_or_default(),
            term_years: f.term_years.map(|y| y.to_string()).unwrap_or_default(),
            temporary: f.temporary,
            records_from: records_from.map(|d| d.to_string()).unwrap_or_default(),
        },
        kinds: kind_choices(&f.kind),
        domains: domain_choices(f.domain.as_deref().unwrap_or("")),
        reason: String::new(),
    })
}

async fn edit(
    State(state): State<AppState>,
    PathOrg { org: o, .. }: PathOrg<User>,
    CsrfForm { user, form }: CsrfForm<OrgForm>,
) -> Result<Response, PageError> {
    let id = o.org.id;
    let result = match (form.fields(), user.actor.grant::<Write>()) {
        (Ok(fields), Ok(grant)) => org_admin::edit(&state.app, &grant, &o, &fields, &form.reason)
            .await
            .map_err(|e| e.into()),
        (Ok(_), Err(e)) => Err(e.into()),
        (Err(m), _) => Err(crate::error::WebError::BadRequest(m)),
    };
    match result {
        Ok(()) => Ok(Redirect::to(&format!("/orgs/{id}?done=edited")).into_response()),
        Err(e) => {
            let message = refusal(e)?;
            html(&OrgFormPage {
                title: format!("修改 {}", o.org.name),
                nav: Nav::of(&user),
                action: format!("/orgs/{id}/edit"),
                heading: "修改党组织信息".into(),
                context: o.org.name.clone(),
                back: format!("/orgs/{id}"),
                error: Some(message),
                f: form.values(),
                kinds: kind_choices(&form.kind),
                domains: domain_choices(&form.domain),
                reason: form.reason.clone(),
            })
        }
    }
}

// ---------------------------------------------------------------- move, merge, dissolve

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
struct ActionForm {
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

async fn move_form(p: PathOrg<User>) -> Result<Response, PageError> {
    action_form(&p.user, &p.org, &MOVE, None, None)
}
async fn merge_form(p: PathOrg<User>) -> Result<Response, PageError> {
    action_form(&p.user, &p.org, &MERGE, None, None)
}
async fn dissolve_form(p: PathOrg<User>) -> Result<Response, PageError> {
    action_form(&p.user, &p.org, &DISSOLVE, None, None)
}
async fn move_org(
    State(s): State<AppState>,
    p: PathOrg<User>,
    f: CsrfForm<ActionForm>,
) -> Result<Response, PageError> {
    act_post(s, p.org, f, &MOVE).await
}
async fn merge(
    State(s): State<AppState>,
    p: PathOrg<User>,
    f: CsrfForm<ActionForm>,
) -> Result<Response, PageError> {
    act_post(s, p.org, f, &MERGE).await
}
async fn dissolve(
    State(s): State<AppState>,
    p: PathOrg<User>,
    f: CsrfForm<ActionForm>,
) -> Result<Response, PageError> {
    act_post(s, p.org, f, &DISSOLVE).await
}

// ---------------------------------------------------------------- dated facts

#[derive(Deserialize, Default)]
#[serde(default)]
struct EventForm {
    kind: String,
    on: String,
    until: String,
    reason: String,
}

/// Records an election, a committee set up or dissolved, an approved postponement of
/// the 换届 or a secretary vacancy, from the org page.
async fn record_event(
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
struct EndForm {
    on: String,
    reason: String,
    /// Where to go back to: the org page or the member page.
    back: String,
}

/// Ends a position (离任) from the org or member page.
async fn end_position(
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
