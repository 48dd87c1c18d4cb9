//! 经费保障: the funding of an org's subtree for a year — totals by kind and source, the
//! orgs below their standard with the shortfall, those without a record (未录入), the
//! villages' collective income, the children to drill down to, the org's own records —
//! with the standards in force and who set them (the department sets its own here); the
//! record form (the org picked from the subtree) and the workbook. The register is
//! imported on the import page (`/funding/import` leads there).

use askama::Template;
use axum::extract::{Query, State};
use axum::response::{Redirect, Response};
use axum::Form;
use jiceng_app::access::{Action, InScope, RecordFunding, SetRules};
use jiceng_app::funding::{self, NewFunding, Overview};
use jiceng_app::OrgRecord;
use jiceng_domain::funding::{
    parse_yuan, FundingKind, FundingRules, FundingSource, FundingStandard,
};
use jiceng_domain::Domain;

use crate::error::{PageError, WebError};
use crate::extract::QueryOrg;
use crate::pages::duty::YearParam;
use crate::pages::refusal::Refusal;
use crate::pages::{done_redirect, html_status, xlsx, DoneParam, Nav};
use crate::parse::Fields;
use crate::routes::{Guard, Routes, Subject};
use crate::session::User;
use crate::AppState;

pub fn routes() -> Routes {
    let record = Guard::May(Action::RecordFunding);
    let read = Guard::May(Action::ReadData);
    Routes::new()
        .get("/funding", read, Subject::QueryOrg, list)
        .get("/funding/export.xlsx", read, Subject::QueryOrg, export)
        .get("/funding/new", record, Subject::QueryOrg, form)
        .post("/funding/new", record, Subject::QueryOrg, submit)
        .get("/funding/import", record, Subject::QueryOrg, import)
        .post(
            "/funding/standards",
            Guard::May(Action::SetRules),
            Subject::QueryOrg,
            set_standards,
        )
}

/// The domains the department's form offers a standard for.
const FORM_DOMAINS: [Domain; 6] = [
    Domain::Village,
    Domain::Community,
    Domain::Organ,
    Domain::PublicInstitution,
    Domain::StateEnterprise,
    Domain::NonPublicEnterprise,
];

/// A row of the standards form: the domain, its standard as typed.
pub(crate) struct StandardRow {
    code: &'static str,
    label: &'static str,
    operating: String,
    collective: String,
    village: bool,
}

#[derive(Template)]
#[template(path = "funding.html")]
struct ListPage {
    title: String,
    nav: Nav,
    o: Overview,
    lines: Vec<String>,
    can_record: bool,
    can_set: bool,
    rows: Vec<StandardRow>,
    done: Option<String>,
    e: Refusal,
}

impl ListPage {
    fn yuan(&self, fen: &i64) -> String {
        Overview::yuan(fen)
    }
}

fn standard_rows(rules: &FundingRules) -> Vec<StandardRow> {
    let text = |v: Option<f64>| v.map_or_else(String::new, |v| format!("{v}"));
    FORM_DOMAINS
        .iter()
        .map(|&d| {
            let s = rules
                .standards
                .iter()
                .find(|s| s.domain == d && s.level.is_none());
            StandardRow {
                code: d.code(),
                label: d.label(),
                operating: text(s.map(|s| s.operating_yuan)),
                collective: text(s.and_then(|s| s.collective_income_yuan)),
                village: d == Domain::Village,
            }
        })
        .collect()
}

async fn list_page(
    state: &AppState,
    user: &User,
    org: &InScope<OrgRecord>,
    year: i32,
    done: Option<String>,
    e: Refusal,
) -> Result<Response, PageError> {
    let o = funding::overview(&state.app, org, year).await?;
    let status = e.form_status();
    html_status(
        status,
        &ListPage {
            title: format!("经费保障 · {}", org.org.name),
            nav: Nav::of(user),
            lines: o.standards.lines(),
            rows: standard_rows(&o.standards.rules),
            can_record: user.actor.may(Action::RecordFunding),
            can_set: user.actor.may(Action::SetRules),
            o,
            done,
            e,
        },
    )
}

async fn list(
    State(state): State<AppState>,
    QueryOrg { user, org }: QueryOrg<User>,
    Query(q): Query<YearParam>,
    Query(d): Query<DoneParam>,
) -> Result<Response, PageError> {
    let year = q.year(&state).map_err(PageError)?;
    list_page(&state, &user, &org, year, d.done, Refusal::default()).await
}

async fn export(
    State(state): State<AppState>,
    QueryOrg { org, .. }: QueryOrg<User>,
    Query(q): Query<YearParam>,
) -> Result<Response, PageError> {
    let year = q.year(&state).map_err(PageError)?;
    let o = funding::overview(&state.app, &org, year).await?;
    let bytes = jiceng_io::workbook_bytes(&o.to_sheets())
        .map_err(|e| PageError(WebError::BadRequest(e)))?;
    Ok(xlsx(
        &format!("{}{year}年度经费保障.xlsx", org.org.name),
        bytes,
    ))
}

async fn import(QueryOrg { org, .. }: QueryOrg<User>) -> Redirect {
    Redirect::to(&format!("/import?kind=funding&org={}", org.org.code))
}

/// The form's values as typed.
#[derive(Default)]
struct Values {
    org: String,
    year: String,
    kind: String,
    source: String,
    amount: String,
    note: String,
}

#[derive(Template)]
#[template(path = "funding_new.html")]
struct NewPage {
    title: String,
    nav: Nav,
    org_id: i64,
    org_name: String,
    kinds: Vec<(&'static str, &'static str)>,
    sources: Vec<(&'static str, &'static str)>,
    /// The live orgs of the subtree a record may be for (suggested as the user types).
    orgs: Vec<(String, String)>,
    v: Values,
    e: Refusal,
}

/// How many orgs the form suggests.
const ORGS_SHOWN: i64 = 500;

async fn new_page(
    state: &AppState,
    user: &User,
    org: &InScope<OrgRecord>,
    v: Values,
    e: Refusal,
) -> Result<Response, PageError> {
    let status = e.form_status();
    html_status(
        status,
        &NewPage {
            title: format!("登记经费 · {}", org.org.name),
            nav: Nav::of(user),
            org_id: org.org.id,
            org_name: org.org.name.clone(),
            kinds: FundingKind::ALL
                .iter()
                .map(|k| (k.code(), k.label()))
                .collect(),
            sources: FundingSource::ALL
                .iter()
                .map(|k| (k.code(), k.label()))
                .collect(),
            orgs: jiceng_app::browse::subtree_orgs(&state.app, org, ORGS_SHOWN)
                .await?
                .into_iter()
                .filter(|o| !o.dissolved && o.kind != "Group")
                .map(|o| (o.code, o.name))
                .collect(),
            v,
            e,
        },
    )
}

async fn form(
    State(state): State<AppState>,
    QueryOrg { user, org }: QueryOrg<User>,
) -> Result<Response, PageError> {
    let v = Values {
        year: chrono::Datelike::year(&state.app.today()).to_string(),
        ..Values::default()
    };
    new_page(&state, &user, &org, v, Refusal::default()).await
}

fn values_of(f: &Fields) -> Values {
    Values {
        org: f.get("org_key"),
        year: f.get("year"),
        kind: f.get("kind"),
        source: f.get("source"),
        amount: f.get("amount"),
        note: f.get("note"),
    }
}

fn funding_of(v: &Values) -> Result<NewFunding, Refusal> {
    let bad = |field: &'static str, message: String| Refusal { field, message };
    let year = v
        .year
        .trim()
        .parse::<i32>()
        .map_err(|_| bad("year", format!("年度应为四位数字：{}", v.year.trim())))?;
    let kind = FundingKind::parse(&v.kind)
        .ok_or_else(|| bad("kind", format!("请选择经费类型：{}", v.kind.trim())))?;
    let source = FundingSource::parse(&v.source)
        .ok_or_else(|| bad("source", format!("请选择来源：{}", v.source.trim())))?;
    let yuan = parse_yuan(&v.amount).map_err(|m| bad("amount", m))?;
    Ok(NewFunding {
        org: v.org.clone(),
        year,
        kind,
        source,
        yuan,
        note: v.note.clone(),
    })
}

async fn submit(
    State(state): State<AppState>,
    QueryOrg { user, org }: QueryOrg<User>,
    Form(fields): Form<Vec<(String, String)>>,
) -> Result<Response, PageError> {
    let (fields, grant) = user.form_for::<RecordFunding>(fields)?;
    let v = values_of(&fields);
    let new = match funding_of(&v) {
        Ok(n) => n,
        Err(e) => return new_page(&state, &user, &org, v, e).await,
    };
    match funding::record(&state.app, &grant, &org, &new).await {
        Ok(()) => Ok(done_redirect(
            &format!("/funding?org={}&year={}", org.org.id, new.year),
            "已登记经费",
        )),
        Err(e) => {
            let e = Refusal::of(e)?;
            new_page(&state, &user, &org, v, e).await
        }
    }
}

/// The department's standards from a year on: one per domain (blank: none); the
/// standards it set for a level are kept.
async fn set_standards(
    State(state): State<AppState>,
    QueryOrg { user, org }: QueryOrg<User>,
    Form(fields): Form<Vec<(String, String)>>,
) -> Result<Response, PageError> {
    let (fields, grant) = user.form_for::<SetRules>(fields)?;
    let this = chrono::Datelike::year(&state.app.today());
    let refuse = |message: String| Refusal {
        field: "standards",
        message,
    };
    let parsed = (|| -> Result<(i32, FundingRules), Refusal> {
        let from_year =
            fields.get("from_year").trim().parse::<i32>().map_err(|_| {
                refuse(format!("起始年度应为四位数字：{}", fields.get("from_year")))
            })?;
        let mut standards: Vec<FundingStandard> = Vec::new();
        for d in FORM_DOMAINS {
            let op = fields.get(&format!("op_{}", d.code()));
            if op.trim().is_empty() {
                continue;
            }
            let operating_yuan =
                parse_yuan(&op).map_err(|m| refuse(format!("{}：{m}", d.label())))?;
            let col = fields.get(&format!("col_{}", d.code()));
            let collective_income_yuan = match col.trim() {
                "" => None,
                c => Some(parse_yuan(c).map_err(|m| refuse(format!("{}：{m}", d.label())))?),
            };
            standards.push(FundingStandard {
                domain: d,
                level: None,
                operating_yuan,
                collective_income_yuan,
            });
        }
        Ok((
            from_year,
            FundingRules {
                standards,
                source: {
                    let s = fields.get("source");
                    if s.trim().is_empty() {
                        "组织部门设定".to_string()
                    } else {
                        s.trim().to_string()
                    }
                },
            },
        ))
    })();
    let (from_year, mut rules) = match parsed {
        Ok(p) => p,
        Err(e) => return list_page(&state, &user, &org, this, None, e).await,
    };
    // Standards set for a level (through the API) stay.
    let current = funding::standards(&state.app, from_year).await?;
    rules.standards.extend(
        current
            .rules
            .standards
            .into_iter()
            .filter(|s| s.level.is_some()),
    );
    match funding::set_standards(&state.app, &grant, from_year, rules).await {
        Ok(_) => Ok(done_redirect(
            &format!("/funding?org={}&year={from_year}", org.org.id),
            "已保存经费保障标准",
        )),
        Err(e) => {
            let e = Refusal::of(e)?;
            list_page(&state, &user, &org, this, None, e).await
        }
    }
}
