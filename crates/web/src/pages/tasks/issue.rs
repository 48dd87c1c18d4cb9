//! 部署任务: the form (title, content, deadline, the orgs it goes to by kind, domain,
//! region and this year's weak orgs, the fields to report — each a new question or a figure
//! the system holds), its preview (how many orgs, which, how many already carry their
//! month's ceiling, the form as the grassroots will see it) and the sending. With
//! `?parent=` the form passes down a task the org received (分解下达).

use askama::Template;
use axum::extract::{Query, State};
use axum::response::Response;
use axum::Form;
use jiceng_app::access::{Action, IssueTasks};
use jiceng_app::browse;
use jiceng_app::tasks::{self, Draft, Preview, TargetFilter, Task};
use jiceng_domain::task::{AnswerKind, FieldDraft, FieldSource, HeldFigure, FIELDS_MAX};
use jiceng_domain::{Domain, OrgKind};
use serde::Deserialize;

use crate::error::PageError;
use crate::extract::QueryOrg;
use crate::pages::refusal::Refusal;
use crate::pages::{done_redirect, html_status, Nav};
use crate::parse::{parse_day, Fields};
use crate::routes::{Guard, Routes, Subject};
use crate::session::User;
use crate::AppState;

pub fn routes() -> Routes {
    let may = Guard::May(Action::IssueTasks);
    Routes::new()
        .get("/tasks/new", may, Subject::QueryOrg, form)
        .post("/tasks/new", may, Subject::QueryOrg, submit)
}

/// Rows of the fields table the empty form offers.
const ROWS: usize = 5;

/// One row of the fields table as typed: the label, the choice (`Number`, `Text`,
/// `YesNo`, or `held:<figure>`) and "ask anyway".
#[derive(Default, Clone)]
pub(super) struct Row {
    pub label: String,
    pub choice: String,
    pub ask: bool,
}

#[derive(Default)]
struct Values {
    title: String,
    content: String,
    deadline: String,
    rows: Vec<Row>,
    kinds: Vec<String>,
    domains: Vec<String>,
    under: String,
    weak: bool,
    parent: String,
}

impl Values {
    fn has_kind(&self, code: &str) -> bool {
        self.kinds.iter().any(|k| k == code)
    }
    fn has_domain(&self, code: &str) -> bool {
        self.domains.iter().any(|k| k == code)
    }
}

impl Row {
    fn chose(&self, code: &str) -> bool {
        self.choice == code
    }
}

#[derive(Template)]
#[template(path = "task_new.html")]
struct NewPage {
    title: String,
    nav: Nav,
    org_id: i64,
    org_name: String,
    today: String,
    parent: Option<Task>,
    v: Values,
    kinds: Vec<(&'static str, &'static str)>,
    domains: Vec<(&'static str, &'static str)>,
    children: Vec<(i64, String)>,
    answer_kinds: Vec<(&'static str, &'static str)>,
    held: Vec<(String, &'static str)>,
    preview: Option<Preview>,
    e: Refusal,
}

impl NewPage {
    /// How a field of the preview will be answered.
    fn source_text(&self, s: &FieldSource) -> String {
        match s {
            FieldSource::Asked(k) => format!("由基层填写（{}）", k.label()),
            FieldSource::Held(_) => "系统已掌握，由系统填写，不需基层填报".into(),
            FieldSource::AskedHeld(_) => "系统已掌握，仍要求基层填报（计入减负台账）".into(),
        }
    }
    fn held_source(&self, s: &FieldSource) -> bool {
        matches!(s, FieldSource::Held(_))
    }
    fn asked_held(&self, s: &FieldSource) -> bool {
        matches!(s, FieldSource::AskedHeld(_))
    }
}

const KINDS: [OrgKind; 5] = [
    OrgKind::WorkingCommittee,
    OrgKind::PrimaryCommittee,
    OrgKind::GeneralBranch,
    OrgKind::Branch,
    OrgKind::Group,
];

#[derive(Deserialize)]
struct NewQuery {
    parent: Option<String>,
}

/// The draft a form gives, or the refusal of a field it cannot read.
fn draft_of(v: &Values) -> Result<Draft, Refusal> {
    let bad = |field: &'static str, message: String| Refusal { field, message };
    let deadline = parse_day(&v.deadline, "完成时限").map_err(|m| bad("deadline", m))?;
    let mut fields = Vec::new();
    for r in &v.rows {
        let (kind, held) = match r.choice.strip_prefix("held:") {
            Some(code) => (
                None,
                Some(
                    HeldFigure::from_code(code)
                        .ok_or_else(|| bad("fields", format!("无法识别的报送项类型：{code}")))?,
                ),
            ),
            None => (AnswerKind::from_code(&r.choice), None),
        };
        fields.push(FieldDraft {
            label: r.label.clone(),
            kind,
            held,
            ask_anyway: r.ask,
        });
    }
    let kinds = v
        .kinds
        .iter()
        .map(|k| {
            OrgKind::from_code(k).ok_or_else(|| bad("targets", format!("无法识别的组织类别：{k}")))
        })
        .collect::<Result<Vec<_>, _>>()?;
    let domains = v
        .domains
        .iter()
        .map(|k| Domain::from_code(k).ok_or_else(|| bad("targets", format!("无法识别的领域：{k}"))))
        .collect::<Result<Vec<_>, _>>()?;
    let under = match v.under.trim() {
        "" => None,
        u => Some(
            u.parse::<i64>()
                .map_err(|_| bad("targets", format!("无法识别的范围：{u}")))?,
        ),
    };
    Ok(Draft {
        title: v.title.clone(),
        content: v.content.clone(),
        deadline,
        fields,
        filter: TargetFilter {
            kinds,
            domains,
            under,
            weak_only: v.weak,
        },
    })
}

fn values_of(f: &Fields) -> Values {
    let mut rows = Vec::new();
    for i in 0..FIELDS_MAX {
        let label = f.get(&format!("label_{i}"));
        let choice = f.get(&format!("kind_{i}"));
        if label.is_empty() && choice.is_empty() && i >= ROWS {
            continue;
        }
        rows.push(Row {
            label,
            choice,
            ask: f.ticked(&format!("ask_{i}")),
        });
    }
    Values {
        title: f.get("title"),
        content: f.get("content"),
        deadline: f.get("deadline"),
        rows,
        kinds: f.all("kinds"),
        domains: f.all("domains"),
        under: f.get("under"),
        weak: f.ticked("weak"),
        parent: f.get("parent"),
    }
}

/// A draft written back as the form's values (passing a task down).
fn values_from_draft(d: &Draft, parent: i64) -> Values {
    let rows = d
        .fields
        .iter()
        .map(|f| Row {
            label: f.label.clone(),
            choice: match (f.held, f.kind) {
                (Some(h), _) => format!("held:{}", h.code()),
                (None, Some(k)) => k.code().to_string(),
                (None, None) => String::new(),
            },
            ask: f.ask_anyway,
        })
        .collect();
    Values {
        title: d.title.clone(),
        content: d.content.clone(),
        deadline: d.deadline.map(|d| d.to_string()).unwrap_or_default(),
        rows,
        parent: parent.to_string(),
        ..Values::default()
    }
}

async fn page(
    state: &AppState,
    user: &User,
    org: &jiceng_app::access::InScope<jiceng_app::OrgRecord>,
    mut v: Values,
    parent: Option<Task>,
    preview: Option<Preview>,
    e: Refusal,
) -> Result<Response, PageError> {
    while v.rows.len() < ROWS.max(v.rows.len() + 1).min(FIELDS_MAX) {
        v.rows.push(Row::default());
    }
    let children = browse::org_children(&state.app, org)
        .await?
        .into_iter()
        .filter(|c| !c.dissolved)
        .map(|c| (c.id, c.name))
        .collect();
    let status = e.form_status();
    let p = NewPage {
        title: if parent.is_some() {
            "分解下达任务".into()
        } else {
            "部署任务".into()
        },
        nav: Nav::of(user),
        org_id: org.org.id,
        org_name: org.org.name.clone(),
        today: state.app.today().to_string(),
        parent,
        v,
        kinds: KINDS.iter().map(|k| (k.code(), k.label())).collect(),
        domains: Domain::ALL.iter().map(|d| (d.code(), d.label())).collect(),
        children,
        answer_kinds: AnswerKind::ALL
            .iter()
            .map(|k| (k.code(), k.label()))
            .collect(),
        held: HeldFigure::ALL
            .iter()
            .map(|h| (format!("held:{}", h.code()), h.label()))
            .collect(),
        preview,
        e,
    };
    html_status(status, &p)
}

async fn form(
    State(state): State<AppState>,
    QueryOrg { user, org }: QueryOrg<User>,
    Query(q): Query<NewQuery>,
) -> Result<Response, PageError> {
    let parent_id = q
        .parent
        .as_deref()
        .and_then(|p| p.trim().parse::<i64>().ok());
    let (v, parent) = match parent_id {
        Some(p) => {
            let (task, draft) = tasks::pass_down_draft(&state.app, &org, p).await?;
            (values_from_draft(&draft, p), Some(task))
        }
        None => (
            Values {
                kinds: vec![OrgKind::Branch.code().into()],
                ..Values::default()
            },
            None,
        ),
    };
    page(&state, &user, &org, v, parent, None, Refusal::default()).await
}

async fn submit(
    State(state): State<AppState>,
    QueryOrg { user, org }: QueryOrg<User>,
    Form(fields): Form<Vec<(String, String)>>,
) -> Result<Response, PageError> {
    let (fields, grant) = user.form_for::<IssueTasks>(fields)?;
    let v = values_of(&fields);
    let parent_id = match v.parent.trim() {
        "" => None,
        p => Some(p.parse::<i64>().map_err(|_| {
            PageError(crate::error::WebError::BadRequest(format!(
                "无法识别的上级任务：{p}"
            )))
        })?),
    };
    let parent = match parent_id {
        Some(p) => Some(tasks::pass_down_draft(&state.app, &org, p).await?.0),
        None => None,
    };
    let draft = match draft_of(&v) {
        Ok(d) => d,
        Err(e) => return page(&state, &user, &org, v, parent, None, e).await,
    };
    let send = fields.get("step") == "send";
    if send {
        match tasks::issue(&state.app, &grant, &org, &draft, parent_id).await {
            Ok(done) => {
                return Ok(done_redirect(
                    &format!("/tasks/{}?org={}", done.id, org.org.id),
                    &format!("任务已下达到{}个党组织", done.targets),
                ));
            }
            Err(e) => {
                let e = Refusal::of(e)?;
                return page(&state, &user, &org, v, parent, None, e).await;
            }
        }
    }
    match tasks::preview(&state.app, &grant, &org, &draft).await {
        Ok(p) => page(&state, &user, &org, v, parent, Some(p), Refusal::default()).await,
        Err(e) => {
            let e = Refusal::of(e)?;
            page(&state, &user, &org, v, parent, None, e).await
        }
    }
}
