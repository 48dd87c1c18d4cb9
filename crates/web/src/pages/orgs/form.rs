//! The forms to create an org below another and to edit an org's facts; a refused form
//! comes back as it was filled, with why.

use askama::Template;
use axum::extract::State;
use axum::response::{IntoResponse, Redirect, Response};
use jiceng_app::access::{Grant, InScope, Write};
use jiceng_app::browse;
use jiceng_app::org_admin::{self, OrgFields};
use jiceng_app::OrgRecord;
use jiceng_domain::{Domain, OrgKind};
use serde::Deserialize;

use super::Choice;
use crate::error::{PageError, WebError};
use crate::extract::{CsrfForm, PathOrg};
use crate::pages::{html, Nav};
use crate::session::User;
use crate::AppState;

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
pub(super) struct OrgForm {
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

pub(super) fn parse_date(s: &str, what: &str) -> Result<Option<chrono::NaiveDate>, String> {
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

/// What the new and the edit form differ in.
struct Heading {
    title: String,
    action: String,
    heading: String,
    context: String,
    back: String,
}

impl Heading {
    /// A new org below `parent`.
    fn new(parent: &InScope<OrgRecord>) -> Heading {
        let id = parent.org.id;
        Heading {
            title: "新建下级党组织".into(),
            action: format!("/orgs/{id}/new"),
            heading: "新建下级党组织".into(),
            context: format!("上级党组织：{}", parent.org.name),
            back: format!("/orgs/{id}"),
        }
    }

    /// `o`'s facts.
    fn edit(o: &InScope<OrgRecord>) -> Heading {
        let id = o.org.id;
        Heading {
            title: format!("修改 {}", o.org.name),
            action: format!("/orgs/{id}/edit"),
            heading: "修改党组织信息".into(),
            context: o.org.name.clone(),
            back: format!("/orgs/{id}"),
        }
    }
}

/// The org form with its values, the kind and domain selected, and a refusal if any.
fn form_page(
    user: &User,
    h: Heading,
    error: Option<String>,
    f: FormValues,
    kind: &str,
    domain: &str,
    reason: String,
) -> Result<Response, PageError> {
    html(&OrgFormPage {
        title: h.title,
        nav: Nav::of(user),
        action: h.action,
        heading: h.heading,
        context: h.context,
        back: h.back,
        error,
        f,
        kinds: kind_choices(kind),
        domains: domain_choices(domain),
        reason,
    })
}

/// A posted form as it came back refused: its values, and why.
fn refused_form(
    user: &User,
    h: Heading,
    e: WebError,
    form: &OrgForm,
) -> Result<Response, PageError> {
    let message = refusal(e)?;
    let values = form.values();
    form_page(
        user,
        h,
        Some(message),
        values,
        &form.kind,
        &form.domain,
        form.reason.clone(),
    )
}

/// The form's fields (refused first: bad input before a missing permission), and the grant.
fn checked(form: &OrgForm, user: &User) -> Result<(OrgFields, Grant<Write>), WebError> {
    let fields = form.fields().map_err(WebError::BadRequest)?;
    let grant = user.actor.grant::<Write>()?;
    Ok((fields, grant))
}

pub(super) async fn new_form(
    PathOrg { user, org: parent }: PathOrg<User>,
) -> Result<Response, PageError> {
    let domain = parent.org.domain.map(|d| d.code()).unwrap_or("");
    let values = FormValues::default();
    form_page(
        &user,
        Heading::new(&parent),
        None,
        values,
        "Branch",
        domain,
        String::new(),
    )
}

pub(super) async fn create(
    State(state): State<AppState>,
    PathOrg { org: parent, .. }: PathOrg<User>,
    CsrfForm { user, form }: CsrfForm<OrgForm>,
) -> Result<Response, PageError> {
    let result = match checked(&form, &user) {
        Ok((fields, grant)) => {
            org_admin::create(&state.app, &grant, &parent, &fields, &form.reason)
                .await
                .map_err(WebError::from)
        }
        Err(e) => Err(e),
    };
    match result {
        Ok(new_id) => Ok(Redirect::to(&format!("/orgs/{new_id}?done=created")).into_response()),
        Err(e) => refused_form(&user, Heading::new(&parent), e, &form),
    }
}

/// A refusal the form shows (bad input); anything else becomes an error page.
fn refusal(e: WebError) -> Result<String, PageError> {
    match e {
        WebError::BadRequest(m) => Ok(m),
        WebError::App(jiceng_app::AppError::Input(m)) => Ok(m),
        other => Err(PageError(other)),
    }
}

pub(super) async fn edit_form(
    State(state): State<AppState>,
    PathOrg { user, org: o }: PathOrg<User>,
) -> Result<Response, PageError> {
    let f = OrgFields::of(&o.org);
    let records_from = browse::records_from(&state.app, &o).await?;
    let values = FormValues {
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
    };
    let domain = f.domain.as_deref().unwrap_or("");
    form_page(
        &user,
        Heading::edit(&o),
        None,
        values,
        &f.kind,
        domain,
        String::new(),
    )
}

pub(super) async fn edit(
    State(state): State<AppState>,
    PathOrg { org: o, .. }: PathOrg<User>,
    CsrfForm { user, form }: CsrfForm<OrgForm>,
) -> Result<Response, PageError> {
    let id = o.org.id;
    let result = match checked(&form, &user) {
        Ok((fields, grant)) => org_admin::edit(&state.app, &grant, &o, &fields, &form.reason)
            .await
            .map_err(WebError::from),
        Err(e) => Err(e),
    };
    match result {
        Ok(()) => Ok(Redirect::to(&format!("/orgs/{id}?done=edited")).into_response()),
        Err(e) => refused_form(&user, Heading::edit(&o), e, &form),
    }
}
