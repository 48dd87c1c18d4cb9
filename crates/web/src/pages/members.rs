//! The member roster (search by name or exact ID number, filter by org, sort, paginate,
//! export), the member page with the audited "show the full ID number" button, and edit.
//!
//! An ID number is searched only through the form's POST (`/members/search`, with the
//! CSRF token): it never lands in a URL, a log, the history or a pager link, and the
//! answer does not echo it. A GET whose `q` looks like one is refused (issue #11).

use askama::Template;
use axum::extract::{Path, Query, State};
use axum::response::{IntoResponse, Redirect, Response};
use jiceng_app::access::{Actor, Unmask, Write};
use jiceng_app::browse::{self, MemberPage, MemberQuery, MemberSort, MemberView};
use jiceng_app::member_admin::{self, MemberEdit};
use serde::Deserialize;

use super::listing::{list_export, list_org, list_title, query_string};
use super::{html, DoneParam, Nav, Pager};
use crate::error::{PageError, WebError};
use crate::extract::{CsrfForm, NoFields};
use crate::routes::{Guard, Routes, Subject};
use crate::session::User;
use crate::AppState;
use jiceng_app::access::Action;

pub fn routes() -> Routes {
    Routes::new()
        .get(
            "/members",
            Guard::MayOrSelf(Action::ReadData),
            Subject::QueryOrg,
            roster,
        )
        .post(
            "/members/search",
            Guard::MayOrSelf(Action::ReadData),
            Subject::None,
            search,
        )
        .get(
            "/members/export.xlsx",
            Guard::MayOrSelf(Action::ReadData),
            Subject::QueryOrg,
            export,
        )
        .post(
            "/members/export-full.xlsx",
            Guard::May(Action::ExportFullIds),
            Subject::QueryOrg,
            export_full,
        )
        .get(
            "/members/{id}",
            Guard::MayOrSelf(Action::ReadData),
            Subject::Member,
            member_page,
        )
        .post(
            "/members/{id}/reveal",
            Guard::May(Action::Unmask),
            Subject::Member,
            reveal,
        )
        .get(
            "/members/{id}/edit",
            Guard::May(Action::Write),
            Subject::Member,
            edit_form,
        )
        .post(
            "/members/{id}/edit",
            Guard::May(Action::Write),
            Subject::Member,
            edit,
        )
}

#[derive(Deserialize, Default)]
pub struct RosterQuery {
    pub org: Option<String>,
    pub q: Option<String>,
    /// 人员类别 and flags: Full, Probationary, mobile, lost.
    pub kind: Option<String>,
    pub gender: Option<String>,
    /// An age band's code (`browse::AGE_BANDS`).
    pub age: Option<String>,
    /// A band of 党龄 (`browse::YEAR_BANDS`).
    pub years: Option<String>,
    /// An education's label.
    pub education: Option<String>,
    pub sort: Option<String>,
    pub page: Option<i64>,
    pub page_size: Option<i64>,
}

impl RosterQuery {
    /// The query, its `org` (an id) resolved in the actor's scope.
    pub async fn to_query(
        &self,
        state: &AppState,
        actor: &Actor,
    ) -> Result<MemberQuery, PageError> {
        Ok(MemberQuery {
            org: list_org(state, actor, &self.org).await?,
            direct_only: false,
            q: self.q.clone(),
            kind: self.kind.clone().filter(|s| !s.is_empty()),
            gender: self.gender.clone().filter(|s| !s.is_empty()),
            age: self.age.clone().filter(|s| !s.is_empty()),
            years: self.years.clone().filter(|s| !s.is_empty()),
            education: self.education.clone().filter(|s| !s.is_empty()),
            sort: self
                .sort
                .as_deref()
                .and_then(MemberSort::parse)
                .unwrap_or_default(),
            page: self.page.unwrap_or(1),
            page_size: self.page_size.unwrap_or(20),
        })
    }
}

/// The options of a filter's select, the current one marked.
fn choices(options: &[(&'static str, &'static str)], current: &str) -> Vec<SortChoice> {
    options
        .iter()
        .map(|(v, l)| SortChoice {
            value: v,
            label: l,
            selected: *v == current,
        })
        .collect()
}

/// The choices of a band filter: 全部, then each band.
fn band_choices(
    bands: &[(&'static str, &'static str, u32, u32)],
    current: &str,
) -> Vec<SortChoice> {
    std::iter::once(("", "全部"))
        .chain(bands.iter().map(|b| (b.0, b.1)))
        .map(|(v, l)| SortChoice {
            value: v,
            label: l,
            selected: v == current,
        })
        .collect()
}

pub struct SortChoice {
    pub value: &'static str,
    pub label: &'static str,
    pub selected: bool,
}

#[derive(Template)]
#[template(path = "members.html")]
struct RosterPage {
    title: String,
    nav: Nav,
    org_id: String,
    org_name: Option<String>,
    q: String,
    /// The caption of a search by ID number (masked).
    by_id: Option<String>,
    sorts: Vec<SortChoice>,
    list: MemberPage,
    pager: Pager,
    export: String,
    /// The department may export the roster with full ID numbers (a reason, audited).
    can_export_full: bool,
    /// The roster's lines can be ticked for 批量转出.
    can_transfer: bool,
    kinds: Vec<SortChoice>,
    genders: Vec<SortChoice>,
    ages: Vec<SortChoice>,
    years: Vec<SortChoice>,
    educations: Vec<SortChoice>,
    error: Option<String>,
}

/// Whether a search text looks like an ID number (15 to 18 digits, the last maybe X):
/// such a text is taken only in a request body.
pub(crate) fn looks_like_id_number(q: &str) -> bool {
    let q = q.trim();
    let n = q.chars().count();
    (15..=18).contains(&n)
        && q.char_indices()
            .all(|(i, c)| c.is_ascii_digit() || (i == q.len() - 1 && (c == 'X' || c == 'x')))
}

/// The refusal of an ID number in a URL.
pub(crate) const ID_IN_URL: &str =
    "按公民身份号码查找请使用页面上的查询表单（号码随表单提交，不出现在网址中）";

fn refuse_id_in_url(rq: &RosterQuery) -> Result<(), PageError> {
    match rq.q.as_deref() {
        Some(q) if looks_like_id_number(q) => {
            Err(PageError(WebError::BadRequest(ID_IN_URL.to_string())))
        }
        _ => Ok(()),
    }
}

async fn roster(
    State(state): State<AppState>,
    user: User,
    Query(rq): Query<RosterQuery>,
) -> Result<Response, PageError> {
    refuse_id_in_url(&rq)?;
    roster_page(&state, &user, &rq, None).await
}

#[derive(Deserialize, Default)]
#[serde(default)]
struct SearchForm {
    q: String,
    org: String,
    sort: String,
    kind: String,
    gender: String,
    age: String,
    years: String,
    education: String,
}

/// The search form: a name goes back to the roster's address (so its pages link as
/// before); an ID number is answered here, in the body, and not echoed.
async fn search(
    State(state): State<AppState>,
    CsrfForm { user, form: f }: CsrfForm<SearchForm>,
) -> Result<Response, PageError> {
    let rq = RosterQuery {
        org: Some(f.org.clone()).filter(|s| !s.trim().is_empty()),
        q: Some(f.q.trim().to_string()).filter(|s| !s.is_empty()),
        sort: Some(f.sort.clone()).filter(|s| !s.is_empty()),
        kind: Some(f.kind.clone()).filter(|s| !s.is_empty()),
        gender: Some(f.gender.clone()).filter(|s| !s.is_empty()),
        age: Some(f.age.clone()).filter(|s| !s.is_empty()),
        years: Some(f.years.clone()).filter(|s| !s.is_empty()),
        education: Some(f.education.clone()).filter(|s| !s.is_empty()),
        page: None,
        page_size: None,
    };
    match rq.q.as_deref() {
        Some(q) if looks_like_id_number(q) => {
            let shown = match jiceng_domain::IdNumber::parse(q) {
                Ok(id) => format!("按公民身份号码 {} 查找的结果", id.masked()),
                Err(_) => "按公民身份号码查找的结果".to_string(),
            };
            roster_page(&state, &user, &rq, Some(shown)).await
        }
        _ => {
            let params = [
                ("org", rq.org.clone().unwrap_or_default()),
                ("q", rq.q.clone().unwrap_or_default()),
                ("sort", rq.sort.clone().unwrap_or_default()),
                ("kind", rq.kind.clone().unwrap_or_default()),
                ("gender", rq.gender.clone().unwrap_or_default()),
                ("age", rq.age.clone().unwrap_or_default()),
                ("years", rq.years.clone().unwrap_or_default()),
                ("education", rq.education.clone().unwrap_or_default()),
            ];
            let query = query_string(&params);
            let to = if query.is_empty() {
                "/members".to_string()
            } else {
                format!("/members?{query}")
            };
            Ok(Redirect::to(&to).into_response())
        }
    }
}

/// The roster for `rq`; `by_id` (the masked number's caption) when `rq.q` is an ID number
/// from the form, which then appears in no link and not in the search box.
async fn roster_page(
    state: &AppState,
    user: &User,
    rq: &RosterQuery,
    by_id: Option<String>,
) -> Result<Response, PageError> {
    let query = rq.to_query(state, &user.actor).await?;
    let org_name = query.org.as_ref().map(|o| o.org.name.clone());
    let (list, error) = match browse::members(&state.app, &user.actor, &query).await {
        Ok(l) => (l, None),
        Err(jiceng_app::AppError::Input(m)) => (
            MemberPage {
                items: Vec::new(),
                total: 0,
                page: 1,
                page_size: 20,
            },
            // A number from the form is not echoed, even when malformed.
            Some(if by_id.is_some() {
                "公民身份号码无效（请核对校验位和出生日期）".to_string()
            } else {
                m
            }),
        ),
        Err(e) => return Err(e.into()),
    };
    let echoed = if by_id.is_some() { None } else { rq.q.clone() };
    let params = vec![
        ("org", rq.org.clone().unwrap_or_default()),
        ("q", echoed.clone().unwrap_or_default()),
        ("sort", query.sort.code().to_string()),
        ("kind", rq.kind.clone().unwrap_or_default()),
        ("gender", rq.gender.clone().unwrap_or_default()),
        ("age", rq.age.clone().unwrap_or_default()),
        ("years", rq.years.clone().unwrap_or_default()),
        ("education", rq.education.clone().unwrap_or_default()),
    ];
    let pager = Pager::new("/members", &params, list.page, list.pages(), list.total);
    let export = format!("/members/export.xlsx?{}", query_string(&params));
    let sorts = [
        ("org", "按组织"),
        ("name", "按姓名"),
        ("joined", "按入党日期"),
        ("birth", "按出生日期"),
    ]
    .iter()
    .map(|(v, l)| SortChoice {
        value: v,
        label: l,
        selected: *v == query.sort.code(),
    })
    .collect();
    html(&RosterPage {
        title: "党员名册".into(),
        nav: Nav::of(user),
        org_id: query
            .org
            .as_ref()
            .map(|o| o.org.id.to_string())
            .unwrap_or_default(),
        org_name,
        q: echoed.unwrap_or_default(),
        by_id,
        sorts,
        list,
        pager,
        export,
        can_export_full: user.actor.may(Action::ExportFullIds),
        can_transfer: user.actor.may(Action::TransferMembers),
        kinds: choices(
            &[
                ("", "全部"),
                ("Full", "正式党员"),
                ("Probationary", "预备党员"),
                ("mobile", "流动党员"),
                ("lost", "失联党员"),
            ],
            rq.kind.as_deref().unwrap_or(""),
        ),
        genders: choices(
            &[("", "全部"), ("Male", "男"), ("Female", "女")],
            rq.gender.as_deref().unwrap_or(""),
        ),
        ages: band_choices(&browse::AGE_BANDS, rq.age.as_deref().unwrap_or("")),
        years: band_choices(&browse::YEAR_BANDS, rq.years.as_deref().unwrap_or("")),
        educations: std::iter::once(("", "全部"))
            .chain(
                jiceng_domain::Education::ALL
                    .iter()
                    .map(|e| (e.label(), e.label())),
            )
            .map(|(v, l)| SortChoice {
                value: v,
                label: l,
                selected: v == rq.education.as_deref().unwrap_or(""),
            })
            .collect(),
        error,
    })
}

async fn export(
    State(state): State<AppState>,
    user: User,
    Query(rq): Query<RosterQuery>,
) -> Result<Response, PageError> {
    refuse_id_in_url(&rq)?;
    let query = rq.to_query(&state, &user.actor).await?;
    let root = query.org.as_deref();
    let (rows, places) = browse::members_all(
        &state.app,
        &user.actor,
        &query,
        jiceng_app::export::MAX_ROWS,
    )
    .await?;
    let title = list_title(root, "党员名册");
    let sheet = jiceng_app::export::members_sheet(&title, &rows, &places);
    list_export(&state, &user, "members", root, &title, sheet).await
}

#[derive(Deserialize, Default)]
#[serde(default)]
struct FullForm {
    reason: String,
}

/// The roster of the `?org=` subtree with full ID numbers, for the department: the reason
/// is required and recorded with the export in the audit log.
async fn export_full(
    State(state): State<AppState>,
    crate::extract::QueryOrg { org, .. }: crate::extract::QueryOrg<User>,
    CsrfForm { user, form }: CsrfForm<FullForm>,
) -> Result<Response, PageError> {
    let grant = user.actor.grant::<jiceng_app::access::ExportFullIds>()?;
    let sheet =
        jiceng_app::privacy::export_full_ids(&state.app, &grant, &org, &form.reason).await?;
    let bytes =
        jiceng_io::workbook_bytes(&[sheet]).map_err(|e| PageError(WebError::BadRequest(e)))?;
    Ok(super::xlsx(
        &format!("{}党员名册（完整身份证号）.xlsx", org.org.name),
        bytes,
    ))
}

#[derive(Template)]
#[template(path = "member.html")]
struct MemberPageT {
    title: String,
    nav: Nav,
    m: MemberView,
    revealed: Option<String>,
    flash: Option<String>,
}

async fn member_page(
    State(state): State<AppState>,
    user: User,
    Path(id): Path<i64>,
    Query(d): Query<DoneParam>,
) -> Result<Response, PageError> {
    let m = browse::member_view(&state.app, &user.actor, id).await?;
    html(&MemberPageT {
        title: m.member.name.clone(),
        nav: Nav::of(&user),
        m,
        revealed: None,
        flash: d.done.and_then(|d| match d.as_str() {
            "edited" => Some("已保存修改".to_string()),
            "transferred_in" => {
                Some("已接收系统外转入的组织关系，党员已列入本组织名册".to_string())
            }
            "exited" => Some("已登记出党".to_string()),
            "mobility" => Some("已登记流动或失联情况".to_string()),
            _ => None,
        }),
    })
}

async fn reveal(
    State(state): State<AppState>,
    Path(id): Path<i64>,
    CsrfForm { user, .. }: CsrfForm<NoFields>,
) -> Result<Response, PageError> {
    let grant = user.actor.grant::<Unmask>()?;
    let number = jiceng_app::privacy::reveal_id_number(&state.app, &grant, id).await?;
    let m = browse::member_view(&state.app, &user.actor, id).await?;
    html(&MemberPageT {
        title: m.member.name.clone(),
        nav: Nav::of(&user),
        m,
        revealed: Some(number),
        flash: None,
    })
}

#[derive(Template)]
#[template(path = "member_form.html")]
struct EditPage {
    title: String,
    nav: Nav,
    id: i64,
    name: String,
    ethnicity: String,
    education: String,
    occupation: String,
    phone_masked: String,
    status_full: bool,
    full_on: String,
    error: Option<String>,
    educations: Vec<&'static str>,
}

async fn edit_form(
    State(state): State<AppState>,
    user: User,
    Path(id): Path<i64>,
) -> Result<Response, PageError> {
    user.actor.grant::<Write>()?;
    let m = browse::member_in_scope(&state.app, &user.actor, id).await?;
    let e = MemberEdit::of(&m);
    html(&EditPage {
        title: format!("修改 {}", m.name),
        nav: Nav::of(&user),
        id,
        name: e.name,
        ethnicity: e.ethnicity.unwrap_or_default(),
        education: e.education.unwrap_or_default(),
        occupation: e.occupation.unwrap_or_default(),
        phone_masked: m.phone_masked.clone().unwrap_or_default(),
        status_full: m.status == jiceng_domain::MemberStatus::Full,
        full_on: e.full_on.map(|d| d.to_string()).unwrap_or_default(),
        error: None,
        educations: jiceng_domain::Education::ALL
            .iter()
            .map(|e| e.label())
            .collect(),
    })
}

#[derive(Deserialize, Default)]
#[serde(default)]
struct EditForm {
    name: String,
    ethnicity: String,
    education: String,
    occupation: String,
    phone: String,
    status: String,
    full_on: String,
}

async fn edit(
    State(state): State<AppState>,
    Path(id): Path<i64>,
    CsrfForm { user, form: f }: CsrfForm<EditForm>,
) -> Result<Response, PageError> {
    let some = |s: &str| Some(s.trim().to_string()).filter(|s| !s.is_empty());
    let full_on = match some(&f.full_on) {
        Some(s) => match chrono::NaiveDate::parse_from_str(&s, "%Y-%m-%d") {
            Ok(d) => Ok(Some(d)),
            Err(_) => Err(jiceng_app::AppError::Input(format!(
                "转正日期格式应为 年-月-日：{s}"
            ))),
        },
        None => Ok(None),
    };
    let result = match full_on {
        Ok(full_on) => {
            let edit = MemberEdit {
                name: f.name.clone(),
                ethnicity: some(&f.ethnicity),
                education: some(&f.education),
                occupation: some(&f.occupation),
                phone: some(&f.phone),
                status: f.status.clone(),
                full_on,
            };
            match user.actor.grant::<Write>() {
                Ok(grant) => member_admin::update_member(&state.app, &grant, id, &edit).await,
                Err(e) => Err(e),
            }
        }
        Err(e) => Err(e),
    };
    match result {
        Ok(()) => Ok(Redirect::to(&format!("/members/{id}?done=edited")).into_response()),
        Err(jiceng_app::AppError::Input(message)) => {
            let m = browse::member_in_scope(&state.app, &user.actor, id).await?;
            html(&EditPage {
                title: format!("修改 {}", m.name),
                nav: Nav::of(&user),
                id,
                name: f.name,
                ethnicity: f.ethnicity,
                education: f.education,
                occupation: f.occupation,
                phone_masked: m.phone_masked.clone().unwrap_or_default(),
                status_full: f.status == "正式党员" || f.status == "Full",
                full_on: f.full_on,
                error: Some(message),
                educations: jiceng_domain::Education::ALL
                    .iter()
                    .map(|e| e.label())
                    .collect(),
            })
        }
        Err(e) => Err(e.into()),
    }
}
