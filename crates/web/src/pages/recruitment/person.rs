//! A person's page: details (ID masked), the timeline by the 细则's five stages, the next
//! due step and every violation, and the form recording a step — the step select offers
//! what the way allows now, with the fields that step needs; a refusal comes back at its
//! field with the input kept.

use askama::Template;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use jiceng_app::access::{ReadData, RecordRecruitment};
use jiceng_app::recruitment::documents::DocKind;
use jiceng_app::recruitment::view::{sponsor_choices, SponsorChoice, StepView};
use jiceng_app::recruitment::{self, PersonView};
use jiceng_app::AppError;
use jiceng_domain::recruitment::StepKind;
use serde::Deserialize;

use super::day;
use super::step_form::{Needs, Refusal, StepValues};
use crate::error::PageError;
use crate::extract::CsrfForm;
use crate::pages::{docx, html, html_status, Nav};
use crate::session::User;
use crate::AppState;

/// The 细则's five stages, as the timeline's headings.
const PARTS: [&str; 5] = [
    "一、申请入党",
    "二、入党积极分子的确定和培养教育",
    "三、发展对象的确定和考察",
    "四、预备党员的接收",
    "五、预备党员的教育考察和转正",
];

/// One recorded step as the timeline shows it.
pub struct Line {
    pub title: String,
    pub on: String,
    /// What was recorded with it, one line each (people, sponsors, vote, 公示 …).
    pub details: Vec<String>,
}

pub struct Part {
    pub heading: &'static str,
    pub lines: Vec<Line>,
}

pub struct Choice {
    pub number: i64,
    pub title: String,
    pub selected: bool,
}

#[derive(Template)]
#[template(path = "recruitment_person.html")]
struct PersonPage {
    title: String,
    nav: Nav,
    p: PersonView,
    flash: Option<&'static str>,
    parts: Vec<Part>,
    next: Option<(String, String, bool)>,
    violations: Vec<(String, String, String)>,
    choices: Vec<Choice>,
    needs: Needs,
    sponsors: Vec<(SponsorChoice, bool)>,
    today: String,
    f: StepValues,
    e: Refusal,
    /// The documents a recorder may generate: (key, label).
    documents: Vec<(&'static str, &'static str)>,
}

fn details(s: &StepView) -> Vec<String> {
    let r = &s.record;
    let mut out = Vec::new();
    if !r.people.is_empty() {
        out.push(format!("人员：{}", r.people.join("、")));
    }
    if !r.sponsors.is_empty() {
        let names: Vec<&str> = r.sponsors.iter().map(|p| p.name.as_str()).collect();
        out.push(format!("入党介绍人：{}", names.join("、")));
    }
    if let Some(v) = r.vote {
        let secret = match v.secret {
            Some(true) => "，无记名投票",
            Some(false) => "，举手表决",
            None => "",
        };
        out.push(format!(
            "表决：应到{}人，实到{}人，赞成{}票，反对{}票，弃权{}票，书面意见{}份{secret}",
            v.due, v.present, v.yes, v.no, v.abstain, v.written
        ));
    }
    if let Some(n) = r.notice {
        out.push(format!("公示：{} 至 {}", n.from, n.to));
    }
    if let Some(t) = r.training {
        let days = t.days.map(|d| format!("{d}天")).unwrap_or_default();
        let hours = t.hours.map(|h| format!("{h}学时")).unwrap_or_default();
        out.push(format!("集中培训：{days}{hours}"));
    }
    if let Some(u) = r.until {
        out.push(format!("预备期延长至：{u}"));
    }
    if let Some(d) = &r.doc_ref {
        out.push(format!("文号：{d}"));
    }
    if let Some(n) = &r.note {
        out.push(format!("备注：{n}"));
    }
    out
}

/// The timeline by stage; the events (撤回, 未通过, 延长, 取消) under the stage they fell in.
fn parts(p: &PersonView) -> Vec<Part> {
    let mut parts: Vec<Part> = PARTS
        .iter()
        .map(|heading| Part {
            heading,
            lines: Vec::new(),
        })
        .collect();
    let mut current = 1u8;
    for s in &p.steps {
        current = s.part.unwrap_or(current);
        parts[usize::from(current) - 1].lines.push(Line {
            title: s.title.clone(),
            on: s.record.on.to_string(),
            details: details(s),
        });
    }
    parts
}

/// The step the form opens with: the one asked for, else the next due, else the first.
fn chosen(p: &PersonView, asked: Option<&str>) -> Option<StepKind> {
    let allowed = |k: &StepKind| p.allowed.contains(k);
    asked
        .filter(|s| !s.trim().is_empty())
        .and_then(StepKind::parse)
        .filter(allowed)
        .or(p.progress.next.as_ref().map(|d| d.step).filter(allowed))
        .or(p.allowed.first().copied())
}

/// The next due step: its title, its deadline (or earliest day) and whether it is overdue.
fn next_due(p: &PersonView) -> Option<(String, String, bool)> {
    p.progress.next.as_ref().map(|d| {
        let when = match (d.deadline, d.not_before) {
            (Some(x), _) => format!("截止 {}", day(Some(x))),
            (None, Some(n)) => format!("不早于 {}", day(Some(n))),
            (None, None) => "规定未设期限".to_string(),
        };
        (d.step.title(), when, d.overdue)
    })
}

/// The steps the form offers, `kind` selected.
fn choices(p: &PersonView, kind: Option<StepKind>) -> Vec<Choice> {
    p.allowed
        .iter()
        .map(|k| Choice {
            number: k.number(),
            title: k.title(),
            selected: Some(*k) == kind,
        })
        .collect()
}

async fn page(
    state: &AppState,
    user: &User,
    id: i64,
    f: StepValues,
    e: Refusal,
    flash: Option<&'static str>,
) -> Result<PersonPage, PageError> {
    let read = user.actor.grant::<ReadData>()?;
    let p = recruitment::person(&state.app, &read, id).await?;
    let kind = chosen(&p, Some(f.step.as_str()));
    let needs = Needs::of(kind.unwrap_or(StepKind::Apply));
    let sponsors = if needs.sponsors && p.can_record {
        sponsor_choices(&state.app, &read, id)
            .await?
            .into_iter()
            .map(|c| {
                let on = f.sponsors.contains(&c.id.to_string());
                (c, on)
            })
            .collect()
    } else {
        Vec::new()
    };
    Ok(PersonPage {
        title: format!("{} · 发展党员", p.name),
        nav: Nav::of(user),
        flash,
        parts: parts(&p),
        next: next_due(&p),
        violations: p
            .progress
            .violations
            .iter()
            .map(|v| (v.step.title(), v.on.to_string(), v.detail.clone()))
            .collect(),
        choices: choices(&p, kind),
        needs,
        sponsors,
        today: state.app.today().to_string(),
        f: StepValues {
            step: kind.map(|k| k.number().to_string()).unwrap_or_default(),
            ..f
        },
        e,
        documents: if p.can_record {
            DocKind::ALL.iter().map(|k| (k.key(), k.label())).collect()
        } else {
            Vec::new()
        },
        p,
    })
}

#[derive(Deserialize)]
pub(super) struct PersonParams {
    step: Option<String>,
    done: Option<String>,
}

pub(super) async fn person_page(
    State(state): State<AppState>,
    user: User,
    Path(id): Path<i64>,
    Query(q): Query<PersonParams>,
) -> Result<Response, PageError> {
    let flash = match q.done.as_deref() {
        Some("registered") => Some("已登记入党申请人（① 递交入党申请书）。"),
        Some("recorded") => Some("已记录。"),
        _ => None,
    };
    let f = StepValues {
        step: q.step.unwrap_or_default(),
        on: state.app.today().to_string(),
        vote_secret: true,
        ..Default::default()
    };
    html(&page(&state, &user, id, f, Refusal::default(), flash).await?)
}

pub(super) async fn step_submit(
    State(state): State<AppState>,
    Path(id): Path<i64>,
    CsrfForm { user, form }: CsrfForm<Vec<(String, String)>>,
) -> Result<Response, PageError> {
    let grant = user.actor.grant::<RecordRecruitment>()?;
    let f = StepValues::read(&form);
    let refusal = match f.input() {
        Ok(input) => match recruitment::record_step(&state.app, &grant, id, &input).await {
            Ok(_) => {
                return Ok(Redirect::to(&format!(
                    "/recruitment/people/{id}?done=recorded#timeline"
                ))
                .into_response())
            }
            Err(AppError::Recruitment(r)) => Refusal {
                field: r.field,
                message: r.message,
            },
            Err(other) => return Err(other.into()),
        },
        Err(r) => r,
    };
    let page = page(&state, &user, id, f, refusal, None).await?;
    html_status(StatusCode::BAD_REQUEST, &page)
}

/// A document of the person's way (`.docx`), generated from what is recorded; one whose
/// facts are missing answers 400 naming the steps to record first.
pub(super) async fn document(
    State(state): State<AppState>,
    user: User,
    Path((id, kind)): Path<(i64, String)>,
) -> Result<Response, PageError> {
    let grant = user.actor.grant::<RecordRecruitment>()?;
    let kind = DocKind::parse(&kind).ok_or_else(|| AppError::NotFound("文书".into()))?;
    let paper = recruitment::papers::generate(&state.app, &grant, kind, &[id]).await?;
    Ok(docx(&paper.file_name, paper.bytes))
}
