//! 述职评议考核 (SPEC C6): the annual duty reports of the secretaries of branches and
//! committees, recorded by the org above with the evaluators' grades — the grade given by
//! the rule set in force on the day — and the problems named; 述职述廉 and 离任审计 recorded
//! the same way. The org reports each problem fixed; open ones surface among its reminders
//! and the recorder's. The grades and the overdue problems feed the rating's 重点任务完成.
//! No ranking of people: the lists go by org and day. Audited.

use std::collections::{BTreeMap, HashMap};

use chrono::NaiveDate;
use jiceng_domain::duty::{
    self, DutyDraft, DutyError, DutyGrading, DutyKind, DutyRules, Grade, Votes,
};
use jiceng_domain::inspection::ProblemStatus;
use jiceng_domain::rating::is_rated;
use jiceng_store::duties::{self as store, StoredDuty};
use jiceng_store::problems::StoredProblem;
use jiceng_store::record_files::{self, StoredFile, DUTY};
use jiceng_store::Scope;
use serde::{Deserialize, Serialize};
use serde_json::json;

use crate::access::{Action, Actor, Grant, InScope, RecordDuty, ReportTasks, SetRules};
use crate::audit::{self, AuditAction};
use crate::auth::time_text;
use crate::kept_file::{self, RecordFile};
use crate::refusal::{refused, Refused};
use crate::{App, AppError, OrgRecord, OrgRef, Result};

/// How many records and open problems a list shows.
pub const LIST_MAX: i64 = 200;

impl From<DutyError> for AppError {
    fn from(e: DutyError) -> AppError {
        AppError::MemberLife(Refused {
            field: e.field(),
            message: e.to_string(),
        })
    }
}

/// A problem as shown.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct DutyProblem {
    pub record_id: i64,
    pub seq: i64,
    /// The org of the record.
    pub org_name: String,
    pub description: String,
    pub owner: String,
    pub deadline: NaiveDate,
    pub status: ProblemStatus,
    pub fixed_on: Option<NaiveDate>,
    pub fix_note: Option<String>,
}

/// A record as shown.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct DutyRecord {
    pub id: i64,
    pub kind: DutyKind,
    pub org_id: i64,
    pub org: OrgRef,
    pub by_org_name: String,
    pub year: i32,
    pub person: String,
    pub position: String,
    pub held_on: NaiveDate,
    /// The meeting, or the auditor.
    pub meeting: String,
    pub period_from: Option<NaiveDate>,
    pub period_to: Option<NaiveDate>,
    pub report: String,
    pub votes: Votes,
    pub grade: Option<Grade>,
    /// The evaluators' average points.
    pub score: Option<f64>,
    pub recorded_by: String,
    pub problems: Vec<DutyProblem>,
    /// The report (or the audit's findings) as a file, when one was uploaded (read for
    /// one record, not for lists).
    pub files: Vec<RecordFile>,
}

impl DutyRecord {
    pub fn open(&self) -> usize {
        self.problems
            .iter()
            .filter(|p| !p.status.is_fixed())
            .count()
    }
    pub fn overdue(&self) -> usize {
        self.problems
            .iter()
            .filter(|p| p.status.is_overdue())
            .count()
    }
    pub fn grade_label(&self) -> &'static str {
        self.grade.map_or("", Grade::label)
    }
    /// 好20 较好8 一般2 差0 (empty when nobody graded).
    pub fn votes_text(&self) -> String {
        if self.votes.total() == 0 {
            return String::new();
        }
        Grade::ALL
            .iter()
            .map(|g| format!("{}{}", g.label(), self.votes.of(*g)))
            .collect::<Vec<_>>()
            .join(" ")
    }
}

/// The records of a subtree on a year, its open problems, and the grades counted.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct DutyList {
    pub org: OrgRef,
    pub org_id: i64,
    pub year: i32,
    pub records: Vec<DutyRecord>,
    /// Problems not yet fixed in the subtree (any year), the earliest deadline first.
    pub open: Vec<DutyProblem>,
    /// The 述职评议考核 of the year by grade (好, 较好, 一般, 差), and ungraded.
    pub grades: [i64; 4],
    pub today: NaiveDate,
}

fn line(p: &StoredProblem, org_name: &str, today: NaiveDate) -> DutyProblem {
    DutyProblem {
        record_id: p.record_id,
        seq: p.seq,
        org_name: org_name.to_string(),
        description: p.description.clone(),
        owner: p.owner.clone(),
        deadline: p.deadline,
        status: ProblemStatus::of(p.fixed_on, p.deadline, today),
        fixed_on: p.fixed_on,
        fix_note: p.fix_note.clone(),
    }
}

/// The records as shown: their orgs and problems read once for all of them.
async fn shown(app: &App, found: Vec<StoredDuty>) -> Result<Vec<DutyRecord>> {
    let today = app.today();
    let ids: Vec<i64> = found.iter().map(|d| d.id).collect();
    let org_ids: Vec<i64> = found.iter().map(|d| d.org_id).collect();
    let mut conn = app.store.acquire().await?;
    let orgs: HashMap<i64, OrgRef> = jiceng_store::orgs::by_ids(&mut conn, &org_ids)
        .await?
        .iter()
        .map(|o| (o.org.id, OrgRef::of(&o.org)))
        .collect();
    let mut problems: HashMap<i64, Vec<StoredProblem>> = HashMap::new();
    for p in jiceng_store::problems::DUTY.of(&mut conn, &ids).await? {
        problems.entry(p.record_id).or_default().push(p);
    }
    drop(conn);
    Ok(found
        .into_iter()
        .map(|d| {
            let org = orgs.get(&d.org_id).cloned().unwrap_or(OrgRef {
                code: String::new(),
                name: String::new(),
            });
            let problems = problems
                .get(&d.id)
                .map(|ps| ps.iter().map(|p| line(p, &org.name, today)).collect())
                .unwrap_or_default();
            DutyRecord {
                id: d.id,
                kind: d.kind,
                org_id: d.org_id,
                by_org_name: d.by_org_name,
                year: d.year,
                person: d.person,
                position: d.position,
                held_on: d.held_on,
                meeting: d.meeting,
                period_from: d.period_from,
                period_to: d.period_to,
                report: d.report,
                votes: d.votes,
                grade: d.grade,
                score: d.score,
                recorded_by: d.recorded_by,
                problems,
                files: Vec::new(),
                org,
            }
        })
        .collect())
}

/// Records a duty report, an integrity report or a departure audit of `org` (a branch or
/// committee: an org that has a secretary), graded by the rule set in force on its day.
/// The recording org is the recorder's own (or `org` for an account bound to none).
pub async fn record(
    app: &App,
    grant: &Grant<RecordDuty>,
    org: &InScope<OrgRecord>,
    d: &DutyDraft,
) -> Result<i64> {
    if !is_rated(org.org.kind) {
        return Err(AppError::MemberLife(Refused {
            field: "org",
            message: format!(
                "{}是{}，不设书记：述职评议考核、述职述廉和离任审计登记在党委、党总支或党支部",
                org.org.name,
                org.org.kind.label()
            ),
        }));
    }
    let today = app.today();
    let (rules, rules_id) = rules_on(app, d.on.unwrap_or(today)).await?;
    let c = duty::check(d, &rules, today)?;
    let actor = grant.actor();
    let mut conn = app.store.acquire().await?;
    let by = match actor.org_id() {
        Some(id) => jiceng_store::orgs::get(&mut conn, &Scope::All, id).await?,
        None => None,
    }
    .unwrap_or_else(|| (**org).clone());
    drop(conn);
    let id = app.store.reserve_ids("duty_record", 1).await?;
    let now = app.now();
    let stored = StoredDuty {
        id,
        kind: c.kind,
        org_id: org.org.id,
        org_path: org.path.clone(),
        by_org_id: by.org.id,
        by_org_name: by.org.name.clone(),
        year: c.year,
        person: c.person.clone(),
        position: c.position.clone(),
        held_on: c.on,
        meeting: c.meeting.clone(),
        period_from: c.from,
        period_to: c.to,
        report: c.report.clone(),
        votes: c.votes,
        grade: c.grade,
        score: rules.score(&c.votes),
        rules_id,
        recorded_by: actor.username().to_string(),
        recorded_at: time_text(now),
    };
    let problems: Vec<StoredProblem> = c
        .problems
        .iter()
        .enumerate()
        .map(|(i, p)| StoredProblem {
            record_id: id,
            seq: i as i64 + 1,
            org_path: org.path.clone(),
            description: p.description.clone(),
            owner: p.owner.clone(),
            deadline: p.deadline,
            fixed_on: None,
            fix_note: None,
            fixed_by: None,
        })
        .collect();
    let entry = audit::Entry::new(actor, AuditAction::DutyRecord, id.to_string())
        .org(Some(&**org))
        .after(json!({
            "kind": c.kind.code(),
            "year": c.year,
            "on": c.on.to_string(),
            "person": c.person,
            "grade": c.grade.map(Grade::code),
            "votes": c.votes.total(),
            "problems": c.problems.len(),
        }));
    let (stored, problems, entry) = (&stored, &problems, &entry);
    audit::with_retry(|| async move {
        let mut tx = app.store.begin().await?;
        store::insert(&mut tx, stored, problems).await?;
        entry.commit(tx, now).await
    })
    .await?;
    Ok(id)
}

/// The department's grading as stored: the grading, who set it and when.
#[derive(Debug, Clone, Serialize, Deserialize)]
struct StoredGrading {
    grading: DutyGrading,
    by: String,
    on: NaiveDate,
}

async fn stored_grading(app: &App) -> Result<Option<StoredGrading>> {
    let mut conn = app.store.acquire().await?;
    let raw = store::grading(&mut conn).await?;
    Ok(raw.and_then(|r| serde_json::from_str(&r).ok()))
}

/// The rule a record of `day` is graded by — the rule set in force on that day, graded as
/// the department set it if it did — with the id stored beside the grade.
async fn rules_on(app: &App, day: NaiveDate) -> Result<(DutyRules, String)> {
    let set = app.rules.in_force(day);
    Ok(match stored_grading(app).await? {
        Some(s) => (
            s.grading.apply(
                &set.duty,
                format!(
                    "组织部门设定（{}，{}）；各等次分值和逾期问题扣分按规则集{}",
                    s.by, s.on, set.id
                ),
            ),
            format!("{}+组织部门{}", set.id, s.on),
        ),
        None => (set.duty.clone(), set.id.clone()),
    })
}

/// The grading rule in force today, and where it comes from.
pub async fn rules(app: &App) -> Result<DutyRules> {
    Ok(rules_on(app, app.today()).await?.0)
}

/// The department sets how duty reports are graded from now on (the least average of each
/// grade and the share of 差 that makes 差); a record keeps the grade it was given.
/// Audited.
pub async fn set_grading(app: &App, grant: &Grant<SetRules>, g: DutyGrading) -> Result<DutyRules> {
    g.check().map_err(|m| refused("grading", m))?;
    let before = DutyGrading::of(&rules(app).await?);
    let stored = StoredGrading {
        grading: g,
        by: grant.actor().username().to_string(),
        on: app.today(),
    };
    let text =
        serde_json::to_string(&stored).map_err(|e| AppError::Input(format!("无法保存：{e}")))?;
    let now = app.now();
    let entry = audit::Entry::new(grant.actor(), AuditAction::DutyGrading, "duty_grading")
        .before(json!(before))
        .after(json!(g));
    let (text, entry) = (&text, &entry);
    audit::with_retry(|| async move {
        let mut tx = app.store.begin().await?;
        store::set_grading(&mut tx, text).await?;
        entry.commit(tx, now).await
    })
    .await?;
    rules(app).await
}

/// A record of an org in `org`'s subtree, or not found.
pub async fn get(app: &App, org: &InScope<OrgRecord>, id: i64) -> Result<DutyRecord> {
    let mut conn = app.store.acquire().await?;
    let d = store::get(&mut conn, &org.subtree(), id)
        .await?
        .ok_or_else(|| AppError::NotFound("述职评议记录".into()))?;
    let files = record_files::of_record(&mut conn, DUTY, id, &org.subtree()).await?;
    drop(conn);
    let mut r = shown(app, vec![d]).await?.remove(0);
    r.files = files.iter().map(RecordFile::of).collect();
    Ok(r)
}

/// The path a page links to for a duty record's file.
pub fn file_href(f: &RecordFile) -> String {
    format!("/duty/{}/files/{}", f.record_id, f.id)
}

/// Keeps `bytes` (uploaded as `name`) as the report of duty record `id` of `org`'s subtree
/// — the 述职报告 as the secretary wrote it, or the audit's report — in place of an
/// earlier one: a photo, a PDF, a Word or Excel document, taken by its bytes, at most
/// [`crate::tasks::files::FILE_MAX`]; refused with the reason otherwise. Audited.
pub async fn attach(
    app: &App,
    grant: &Grant<RecordDuty>,
    org: &InScope<OrgRecord>,
    id: i64,
    name: &str,
    bytes: &[u8],
) -> Result<RecordFile> {
    let mut conn = app.store.acquire().await?;
    let d = store::get(&mut conn, &org.subtree(), id)
        .await?
        .ok_or_else(|| AppError::NotFound("述职评议记录".into()))?;
    drop(conn);
    let fallback = format!("{}{}", d.person, d.kind.label());
    let (name, content_type) =
        kept_file::check(name, bytes, crate::tasks::files::FILE_MAX, &fallback)
            .map_err(|m| refused("file", m))?;
    let now = app.now();
    let actor = grant.actor();
    let f = StoredFile {
        id: app.store.reserve_ids("record_file", 1).await?,
        record_kind: DUTY.into(),
        record_id: id,
        org_id: d.org_id,
        org_path: d.org_path.clone(),
        field: 0,
        name: name.clone(),
        content_type: content_type.to_string(),
        size: bytes.len() as i64,
        uploaded_by: actor.username().to_string(),
        uploaded_at: time_text(now),
    };
    let entry = audit::Entry::new(actor, AuditAction::DutyFile, id.to_string())
        .org(Some(&**org))
        .after(json!({ "kind": d.kind.label(), "name": name, "size": f.size }));
    let (entry, f_ref) = (&entry, &f);
    audit::with_retry(|| async move {
        let mut tx = app.store.begin().await?;
        record_files::put(&mut tx, f_ref, bytes).await?;
        entry.commit(tx, now).await
    })
    .await?;
    Ok(RecordFile::of(&f))
}

/// The file `file_id` of duty record `id` with its bytes, if the actor's scope holds the
/// record's org: else not found.
pub async fn open_file(
    app: &App,
    actor: &Actor,
    id: i64,
    file_id: i64,
) -> Result<(RecordFile, Vec<u8>)> {
    if !actor.may(Action::ReadData) {
        return Err(AppError::Forbidden);
    }
    let mut conn = app.store.acquire().await?;
    match record_files::get(&mut conn, &actor.scope, DUTY, id, file_id).await? {
        Some((f, bytes)) => Ok((RecordFile::of(&f), bytes)),
        None => Err(AppError::NotFound("述职评议记录的文件".into())),
    }
}

/// The records of `org`'s subtree on `year`, and its open problems.
pub async fn list(app: &App, org: &InScope<OrgRecord>, year: i32) -> Result<DutyList> {
    let today = app.today();
    let mut conn = app.store.acquire().await?;
    let found = store::list(&mut conn, &org.subtree(), year, LIST_MAX).await?;
    let open =
        crate::problems::open_named(&mut conn, jiceng_store::problems::DUTY, org, LIST_MAX).await?;
    let mut grades = [0i64; 4];
    for (g, n) in store::grades_in_scope(&mut conn, &org.subtree(), year).await? {
        grades[Grade::ALL.iter().position(|x| *x == g).unwrap_or(3)] = n;
    }
    drop(conn);
    let open = open.iter().map(|(p, name)| line(p, name, today)).collect();
    Ok(DutyList {
        org: org.org_ref(),
        org_id: org.org.id,
        year,
        records: shown(app, found).await?,
        open,
        grades,
        today,
    })
}

/// Records problem `seq` of record `id` (of an org in `org`'s subtree) fixed.
pub async fn fix(
    app: &App,
    grant: &Grant<ReportTasks>,
    org: &InScope<OrgRecord>,
    id: i64,
    seq: i64,
    fixed_on: Option<NaiveDate>,
    note: &str,
) -> Result<()> {
    let d = get(app, org, id).await?;
    let fixing = crate::problems::Fixing {
        table: jiceng_store::problems::DUTY,
        action: AuditAction::DutyProblemFix,
        record_id: id,
        seq,
        status: d.problems.iter().find(|p| p.seq == seq).map(|p| p.status),
        what: "述职评议指出的问题",
        since: d.held_on,
        since_label: d.kind.day_label(),
    };
    crate::problems::fix(app, grant, org, fixing, fixed_on, note).await
}

/// The open problems of `org` itself (`own`) or of its whole subtree: how many, how many
/// overdue, the earliest deadline.
pub async fn open_of(
    app: &App,
    org: &InScope<OrgRecord>,
    own: bool,
) -> Result<(i64, i64, Option<NaiveDate>)> {
    crate::problems::open_of(app, jiceng_store::problems::DUTY, org, own).await
}

/// One org's line in the year's report.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct DutyLine {
    pub org: OrgRef,
    /// The grade of its latest 述职评议考核 of the year.
    pub grade: Option<Grade>,
    pub duty: i64,
    pub integrity: i64,
    pub departure: i64,
    pub problems: i64,
    pub open: i64,
    pub overdue: i64,
}

/// 述职评议考核 of a subtree on a year: each org with a record, by org code.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct DutyReport {
    pub org: OrgRef,
    pub year: i32,
    pub as_of: NaiveDate,
    pub lines: Vec<DutyLine>,
}

/// The report behind `jiceng report duty`: per org of the subtree with a record of the
/// year, its records by kind, grade and problems (three reads for the whole subtree).
pub async fn report(app: &App, org: &InScope<OrgRecord>, year: i32) -> Result<DutyReport> {
    let today = app.today();
    let mut conn = app.store.acquire().await?;
    let counts = store::counts_in_scope(&mut conn, &org.subtree(), year, today).await?;
    let mut ids: Vec<i64> = counts.iter().map(|c| c.0).collect();
    ids.dedup();
    let orgs: HashMap<i64, OrgRef> = jiceng_store::orgs::by_ids(&mut conn, &ids)
        .await?
        .iter()
        .map(|o| (o.org.id, OrgRef::of(&o.org)))
        .collect();
    drop(conn);
    let mut by_org: BTreeMap<String, DutyLine> = BTreeMap::new();
    for (id, kind, grade, problems, open, overdue) in counts {
        let Some(o) = orgs.get(&id) else { continue };
        let l = by_org.entry(o.code.clone()).or_insert_with(|| DutyLine {
            org: o.clone(),
            ..DutyLine::default()
        });
        match kind {
            DutyKind::Duty => {
                l.duty += 1;
                if grade.is_some() {
                    l.grade = grade;
                }
            }
            DutyKind::Integrity => l.integrity += 1,
            DutyKind::Departure => l.departure += 1,
        }
        l.problems += problems;
        l.open += open;
        l.overdue += overdue;
    }
    Ok(DutyReport {
        org: org.org_ref(),
        year,
        as_of: today,
        lines: by_org.into_values().collect(),
    })
}

impl DutyReport {
    pub fn to_sheets(&self) -> Vec<jiceng_io::Sheet> {
        use jiceng_io::{OutCell, Sheet};
        let text = |s: &str| OutCell::Text(s.to_string());
        let rows = self
            .lines
            .iter()
            .map(|l| {
                vec![
                    text(&l.org.code),
                    text(&l.org.name),
                    text(l.grade.map_or("", Grade::label)),
                    OutCell::Int(l.duty),
                    OutCell::Int(l.integrity),
                    OutCell::Int(l.departure),
                    OutCell::Int(l.problems),
                    OutCell::Int(l.open),
                    OutCell::Int(l.overdue),
                ]
            })
            .collect();
        vec![Sheet {
            name: "述职评议考核".into(),
            title: format!(
                "{}{}年度述职评议考核（截至{}）",
                self.org.name, self.year, self.as_of
            ),
            headers: [
                "组织代码",
                "党组织",
                "述职评议等次",
                "述职评议考核",
                "述职述廉",
                "离任审计",
                "指出问题",
                "待整改",
                "逾期未整改",
            ]
            .iter()
            .map(|s| s.to_string())
            .collect(),
            rows,
        }]
    }
}

impl DutyList {
    /// The workbook: the year's records, then every problem they named.
    pub fn to_sheets(&self) -> Vec<jiceng_io::Sheet> {
        use jiceng_io::{OutCell, Sheet};
        let text = |s: &str| OutCell::Text(s.to_string());
        let names = |h: &[&str]| h.iter().map(|s| s.to_string()).collect();
        let title = format!(
            "{}{}年度述职评议考核、述职述廉和离任审计（截至{}）",
            self.org.name, self.year, self.today
        );
        let rows = self
            .records
            .iter()
            .map(|d| {
                vec![
                    text(d.kind.label()),
                    OutCell::Date(d.held_on),
                    text(&d.org.name),
                    text(&d.org.code),
                    text(&d.person),
                    text(&d.position),
                    text(&d.meeting),
                    text(&d.votes_text()),
                    text(d.grade_label()),
                    OutCell::Int(d.problems.len() as i64),
                    OutCell::Int(d.open() as i64),
                ]
            })
            .collect();
        let problems = self
            .records
            .iter()
            .flat_map(|d| {
                d.problems.iter().map(move |p| {
                    vec![
                        text(d.kind.label()),
                        text(&d.org.name),
                        text(&d.person),
                        text(&p.description),
                        text(&p.owner),
                        OutCell::Date(p.deadline),
                        text(p.status.label()),
                        p.fixed_on.map_or(OutCell::Empty, OutCell::Date),
                        text(p.fix_note.as_deref().unwrap_or("")),
                    ]
                })
            })
            .collect();
        vec![
            Sheet {
                name: "记录".into(),
                title: title.clone(),
                headers: names(&[
                    "类别",
                    "日期",
                    "党组织",
                    "组织代码",
                    "姓名",
                    "职务",
                    "会议或审计单位",
                    "测评票",
                    "等次",
                    "指出问题",
                    "待整改",
                ]),
                rows,
            },
            Sheet {
                name: "指出的问题".into(),
                title,
                headers: names(&[
                    "类别",
                    "党组织",
                    "姓名",
                    "问题",
                    "整改责任人",
                    "整改时限",
                    "状态",
                    "整改完成日期",
                    "整改情况",
                ]),
                rows: problems,
            },
        ]
    }
}
