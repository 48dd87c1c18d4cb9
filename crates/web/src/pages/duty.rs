//! 述职评议考核: the year's duty reports, integrity reports and departure audits of an org's
//! subtree with its open problems and the grades counted, the form that records one of an
//! org (the kind chosen at its top), and a record with its problems, where the org reports
//! each one fixed. The year's workbook for the department.

use askama::Template;
use axum::extract::{Multipart, Path, Query, State};
use axum::response::Response;
use axum::Form;
use jiceng_app::access::{Action, InScope, RecordDuty, ReportTasks, SetRules};
use jiceng_app::duties::{self, DutyList, DutyRecord};
use jiceng_app::kept_file::RecordFile;
use jiceng_app::refusal::refused;
use jiceng_app::tasks::files::FILE_MAX;
use jiceng_app::OrgRecord;
use jiceng_domain::duty::{DutyDraft, DutyGrading, DutyKind, Grade, Votes};
use jiceng_domain::inspection::ProblemStatus;
use serde::Deserialize;

use crate::error::{PageError, WebError};
use crate::extract::QueryOrg;
use crate::pages::refusal::Refusal;
use crate::pages::{done_redirect, html_status, small_upload, stored_file, xlsx, DoneParam, Nav};
use crate::parse::{parse_day, Fields};
use crate::routes::{Guard, Routes, Subject};
use crate::session::User;
use crate::AppState;

pub fn routes() -> Routes {
    let record = Guard::May(Action::RecordDuty);
    let read = Guard::May(Action::ReadData);
    Routes::new()
        .get("/duty", read, Subject::QueryOrg, list)
        .get("/duty/export.xlsx", read, Subject::QueryOrg, export)
        .get("/duty/new", record, Subject::QueryOrg, form)
        .post("/duty/new", record, Subject::QueryOrg, submit)
        .post(
            "/duty/grading",
            Guard::May(Action::SetRules),
            Subject::QueryOrg,
            set_grading,
        )
        .get("/duty/{id}", read, Subject::Duty, show)
        .post(
            "/duty/{id}/fix",
            Guard::May(Action::ReportTasks),
            Subject::Duty,
            fix,
        )
        .get("/duty/{id}/files/{fid}", read, Subject::Duty, open_file)
        // A scanned report is larger than the general body limit.
        .post_with("/duty/{id}/file", record, Subject::Duty, upload_file, |m| {
            m.layer(axum::extract::DefaultBodyLimit::max(
                small_upload::body_max(FILE_MAX),
            ))
        })
}

/// `?year=`: empty is this year; a year from 2000 to next year.
#[derive(Deserialize)]
pub(crate) struct YearParam {
    year: Option<String>,
}

impl YearParam {
    pub(crate) fn year(&self, state: &AppState) -> Result<i32, WebError> {
        let this = chrono::Datelike::year(&state.app.today());
        match self
            .year
            .as_deref()
            .map(str::trim)
            .filter(|y| !y.is_empty())
        {
            None => Ok(this),
            Some(y) => y
                .parse::<i32>()
                .ok()
                .filter(|y| (2000..=this + 1).contains(y))
                .ok_or_else(|| WebError::BadRequest(format!("无法识别的年度：{y}"))),
        }
    }
}

#[derive(Template)]
#[template(path = "duties.html")]
struct ListPage {
    title: String,
    nav: Nav,
    l: DutyList,
    can_record: bool,
    kinds: Vec<(&'static str, &'static str)>,
    grades: Vec<(&'static str, i64)>,
    /// The grading rule in force, in words, and its source.
    rule: String,
    rule_source: String,
    /// The grading in force (the form's values), and whether the viewer may set it.
    grading: DutyGrading,
    can_set: bool,
    done: Option<String>,
    e: Refusal,
}

impl ListPage {
    fn late(&self, s: &ProblemStatus) -> bool {
        s.is_overdue()
    }
    fn share_percent(&self) -> String {
        format!("{}", (self.grading.poor_share_max * 1000.0).round() / 10.0)
    }
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

async fn list_page(
    state: &AppState,
    user: &User,
    org: &InScope<OrgRecord>,
    year: i32,
    done: Option<String>,
    e: Refusal,
) -> Result<Response, PageError> {
    let l = duties::list(&state.app, org, year).await?;
    let rules = duties::rules(&state.app).await?;
    html_status(
        e.status(),
        &ListPage {
            title: format!("述职评议考核 · {}", org.org.name),
            nav: Nav::of(user),
            can_record: user.actor.may(Action::RecordDuty),
            kinds: DutyKind::ALL
                .iter()
                .map(|k| (k.code(), k.label()))
                .collect(),
            grades: Grade::ALL
                .iter()
                .zip(l.grades)
                .map(|(g, n)| (g.label(), n))
                .collect(),
            rule: rules.describe(),
            grading: DutyGrading::of(&rules),
            rule_source: rules.source,
            can_set: user.actor.may(Action::SetRules),
            l,
            done,
            e,
        },
    )
}

/// The department's grading of duty reports: back to the list saying so, or the list
/// again with the reason (400).
async fn set_grading(
    State(state): State<AppState>,
    QueryOrg { user, org }: QueryOrg<User>,
    Form(fields): Form<Vec<(String, String)>>,
) -> Result<Response, PageError> {
    let (fields, grant) = user.form_for::<SetRules>(fields)?;
    let num = |name: &str, what: &str| -> Result<f64, PageError> {
        let v = fields.get(name);
        v.trim()
            .parse::<f64>()
            .ok()
            .filter(|x| x.is_finite())
            .ok_or_else(|| {
                PageError(WebError::BadRequest(format!(
                    "{what}应为数字，填写的是“{v}”"
                )))
            })
    };
    let g = DutyGrading {
        good_min: num("good_min", "“好”的最低平均分")?,
        fairly_good_min: num("fairly_good_min", "“较好”的最低平均分")?,
        average_min: num("average_min", "“一般”的最低平均分")?,
        poor_share_max: num("poor_share", "“差”票的比例")? / 100.0,
    };
    match duties::set_grading(&state.app, &grant, g).await {
        Ok(_) => Ok(done_redirect(
            &format!("/duty?org={}", org.org.id),
            "已保存述职评议等次规则",
        )),
        Err(e) => {
            let e = Refusal::of(e)?;
            let year = chrono::Datelike::year(&state.app.today());
            list_page(&state, &user, &org, year, None, e).await
        }
    }
}

async fn export(
    State(state): State<AppState>,
    QueryOrg { org, .. }: QueryOrg<User>,
    Query(q): Query<YearParam>,
) -> Result<Response, PageError> {
    let year = q.year(&state).map_err(PageError)?;
    let l = duties::list(&state.app, &org, year).await?;
    let bytes = jiceng_io::workbook_bytes(&l.to_sheets())
        .map_err(|e| PageError(WebError::BadRequest(e)))?;
    Ok(xlsx(
        &format!("{}{}年度述职评议考核.xlsx", org.org.name, year),
        bytes,
    ))
}

/// The form's values as typed.
#[derive(Default)]
struct Values {
    kind: String,
    year: String,
    person: String,
    position: String,
    on: String,
    meeting: String,
    from: String,
    to: String,
    report: String,
    /// 好, 较好, 一般, 差.
    votes: [String; 4],
    problems: Vec<(String, String, String)>,
}

#[derive(Template)]
#[template(path = "duty_new.html")]
struct NewPage {
    title: String,
    nav: Nav,
    org_id: i64,
    org_name: String,
    today: String,
    kind: DutyKind,
    kinds: Vec<(&'static str, &'static str)>,
    grades: Vec<(usize, &'static str)>,
    v: Values,
    e: Refusal,
}

impl NewPage {
    fn audit(&self) -> bool {
        self.kind == DutyKind::Departure
    }
    fn is(&self, code: &str) -> bool {
        self.kind.code() == code
    }
}

#[derive(Deserialize)]
struct KindQuery {
    kind: Option<String>,
}

async fn new_page(
    state: &AppState,
    user: &User,
    org: &InScope<OrgRecord>,
    v: Values,
    e: Refusal,
) -> Result<Response, PageError> {
    let kind = DutyKind::parse(&v.kind).unwrap_or(DutyKind::Duty);
    let status = e.form_status();
    html_status(
        status,
        &NewPage {
            title: format!("登记{} · {}", kind.label(), org.org.name),
            nav: Nav::of(user),
            org_id: org.org.id,
            org_name: org.org.name.clone(),
            today: state.app.today().to_string(),
            kind,
            kinds: DutyKind::ALL
                .iter()
                .map(|k| (k.code(), k.label()))
                .collect(),
            grades: Grade::ALL
                .iter()
                .enumerate()
                .map(|(i, g)| (i, g.label()))
                .collect(),
            v,
            e,
        },
    )
}

async fn form(
    State(state): State<AppState>,
    QueryOrg { user, org }: QueryOrg<User>,
    Query(q): Query<KindQuery>,
) -> Result<Response, PageError> {
    let today = state.app.today();
    let kind = q
        .kind
        .as_deref()
        .and_then(DutyKind::parse)
        .unwrap_or(DutyKind::Duty);
    // A duty report is heard in the year or early the next: in the first quarter the form
    // offers last year.
    let year = chrono::Datelike::year(&today)
        - i32::from(chrono::Datelike::month(&today) <= 3 && kind != DutyKind::Departure);
    let v = Values {
        kind: kind.code().into(),
        year: year.to_string(),
        on: today.to_string(),
        position: if kind == DutyKind::Departure {
            String::new()
        } else {
            "党支部书记".into()
        },
        problems: vec![Default::default(); super::inspections::PROBLEM_ROWS],
        ..Values::default()
    };
    new_page(&state, &user, &org, v, Refusal::default()).await
}

fn values_of(f: &Fields) -> Values {
    let problems = super::inspections::problem_rows(f);
    Values {
        kind: f.get("kind"),
        year: f.get("year"),
        person: f.get("person"),
        position: f.get("position"),
        on: f.get("on"),
        meeting: f.get("meeting"),
        from: f.get("from"),
        to: f.get("to"),
        report: f.get("report"),
        votes: [
            f.get("votes_0"),
            f.get("votes_1"),
            f.get("votes_2"),
            f.get("votes_3"),
        ],
        problems,
    }
}

fn draft_of(v: &Values) -> Result<DutyDraft, Refusal> {
    let bad = |field: &'static str, message: String| Refusal { field, message };
    let kind = DutyKind::parse(&v.kind)
        .ok_or_else(|| bad("kind", format!("无法识别的类别：{}", v.kind)))?;
    let year = match v.year.trim() {
        "" => None,
        y => Some(
            y.parse::<i32>()
                .map_err(|_| bad("year", format!("无法识别的年度：{y}")))?,
        ),
    };
    let mut votes = [0i64; 4];
    for (i, (n, g)) in v.votes.iter().zip(Grade::ALL).enumerate() {
        votes[i] = match n.trim() {
            "" => 0,
            t => t
                .parse::<i64>()
                .map_err(|_| bad("votes", format!("“{}”票数应为整数：{t}", g.label())))?,
        };
    }
    let problems = super::inspections::problem_drafts(&v.problems)?;
    Ok(DutyDraft {
        kind,
        year,
        person: v.person.clone(),
        position: v.position.clone(),
        on: parse_day(&v.on, kind.day_label()).map_err(|m| bad("on", m))?,
        meeting: v.meeting.clone(),
        from: parse_day(&v.from, "任职起始日期").map_err(|m| bad("period", m))?,
        to: parse_day(&v.to, "离任日期").map_err(|m| bad("period", m))?,
        report: v.report.clone(),
        votes: Votes {
            good: votes[0],
            fairly_good: votes[1],
            average: votes[2],
            poor: votes[3],
        },
        problems,
    })
}

async fn submit(
    State(state): State<AppState>,
    QueryOrg { user, org }: QueryOrg<User>,
    Form(fields): Form<Vec<(String, String)>>,
) -> Result<Response, PageError> {
    let (fields, grant) = user.form_for::<RecordDuty>(fields)?;
    let v = values_of(&fields);
    let draft = match draft_of(&v) {
        Ok(d) => d,
        Err(e) => return new_page(&state, &user, &org, v, e).await,
    };
    match duties::record(&state.app, &grant, &org, &draft).await {
        Ok(id) => Ok(done_redirect(
            &format!("/duty/{id}?org={}", org.org.id),
            &format!("已登记{}", draft.kind.label()),
        )),
        Err(e) => {
            let e = Refusal::of(e)?;
            new_page(&state, &user, &org, v, e).await
        }
    }
}

#[derive(Template)]
#[template(path = "duty.html")]
struct ShowPage {
    title: String,
    nav: Nav,
    at_id: i64,
    r: DutyRecord,
    can_fix: bool,
    /// The viewer records duty reports (it may upload the report as a file).
    can_record: bool,
    today: String,
    flash: Option<String>,
    e: Refusal,
}

impl ShowPage {
    fn late(&self, s: &ProblemStatus) -> bool {
        s.is_overdue()
    }
    fn audit(&self) -> bool {
        self.r.kind == DutyKind::Departure
    }
    fn score_text(&self) -> String {
        self.r.score.map_or(String::new(), |s| format!("{s:.1}"))
    }
    fn file_href(&self, f: &RecordFile) -> String {
        duties::file_href(f)
    }
}

async fn show_page(
    state: &AppState,
    user: &User,
    org: &InScope<OrgRecord>,
    id: i64,
    flash: Option<String>,
    e: Refusal,
) -> Result<Response, PageError> {
    let r = duties::get(&state.app, org, id).await?;
    html_status(
        e.status(),
        &ShowPage {
            title: format!("{} · {}", r.kind.label(), r.org.name),
            nav: Nav::of(user),
            at_id: org.org.id,
            can_fix: user.actor.may(Action::ReportTasks),
            can_record: user.actor.may(Action::RecordDuty),
            today: state.app.today().to_string(),
            r,
            flash,
            e,
        },
    )
}

async fn show(
    State(state): State<AppState>,
    Path(id): Path<i64>,
    QueryOrg { user, org }: QueryOrg<User>,
    Query(d): Query<DoneParam>,
) -> Result<Response, PageError> {
    show_page(&state, &user, &org, id, d.done, Refusal::default()).await
}

/// The record's report as a file (述职报告, 审计报告): back to the record saying so, or
/// the record again with the reason (400).
async fn upload_file(
    State(state): State<AppState>,
    Path(id): Path<i64>,
    QueryOrg { user, org }: QueryOrg<User>,
    mp: Multipart,
) -> Result<Response, PageError> {
    let form = small_upload::read(mp, FILE_MAX).await?;
    user.check_csrf(&form.get("csrf"))?;
    let grant = user.actor.grant::<RecordDuty>()?;
    let result = match form.chosen() {
        None => Err(refused("file", "请选择要上传的文件")),
        Some((name, bytes)) => duties::attach(&state.app, &grant, &org, id, &name, &bytes).await,
    };
    match result {
        Ok(f) => Ok(done_redirect(
            &format!("/duty/{id}?org={}", org.org.id),
            &format!("已上传“{}”", f.name),
        )),
        Err(e) => {
            let e = Refusal::of(e)?;
            show_page(&state, &user, &org, id, None, e).await
        }
    }
}

/// A record's file: shown when a photo or a PDF, else saved.
async fn open_file(
    State(state): State<AppState>,
    Path((id, fid)): Path<(i64, i64)>,
    user: User,
) -> Result<Response, PageError> {
    let (f, bytes) = duties::open_file(&state.app, &user.actor, id, fid).await?;
    Ok(stored_file(&f.name, &f.content_type, bytes))
}

async fn fix(
    State(state): State<AppState>,
    Path(id): Path<i64>,
    QueryOrg { user, org }: QueryOrg<User>,
    Form(fields): Form<Vec<(String, String)>>,
) -> Result<Response, PageError> {
    let (fields, grant) = user.form_for::<ReportTasks>(fields)?;
    let (seq, on) = super::inspections::fix_of(&fields)?;
    match duties::fix(&state.app, &grant, &org, id, seq, on, &fields.get("note")).await {
        Ok(()) => Ok(done_redirect(
            &format!("/duty/{id}?org={}", org.org.id),
            "已登记整改",
        )),
        Err(e) => {
            let e = Refusal::of(e)?;
            show_page(&state, &user, &org, id, None, e).await
        }
    }
}
