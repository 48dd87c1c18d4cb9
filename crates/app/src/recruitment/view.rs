//! Reading the pipeline: a person's page (details masked, the timeline, the judgement, the
//! steps that may be recorded next) and a branch's board (people by stage, what is due).
//! The board counts from the subtree's stored tally and lists from the derived columns
//! stored with each applicant; it never judges again.

use chrono::{Datelike, NaiveDate};
use jiceng_domain::recruitment::{self as domain, Progress, RecruitStage, StepKind, StepRecord};
use jiceng_store::orgs as org_store;
use jiceng_store::recruitment::{self as store, Listed};
use serde::Serialize;

use super::{progress, stage_label, ways};
use crate::access::{Action, Grant, InScope, ReadData};
use crate::{App, AppError, OrgRecord, Result};

/// One recorded step as the timeline shows it.
#[derive(Debug, Clone, Serialize)]
pub struct StepView {
    pub id: i64,
    pub number: i64,
    pub title: String,
    /// The 细则's stage (1–5) the step belongs to; `None` for events.
    pub part: Option<u8>,
    pub record: StepRecord,
    pub recorded_by: String,
    pub recorded_at: String,
}

/// A person's page.
#[derive(Debug, Clone, Serialize)]
pub struct PersonView {
    pub id: i64,
    pub name: String,
    pub gender: &'static str,
    pub ethnicity: String,
    pub birth_date: NaiveDate,
    pub id_masked: String,
    pub education: Option<&'static str>,
    pub occupation: Option<String>,
    pub front_line: bool,
    pub phone_masked: Option<String>,
    pub org_id: i64,
    pub org_name: String,
    pub stage: String,
    pub stage_label: &'static str,
    pub member_id: Option<i64>,
    pub steps: Vec<StepView>,
    pub progress: Progress,
    /// The steps the record form may offer now (their place on the way allows them).
    pub allowed: Vec<StepKind>,
    pub can_record: bool,
}

/// A person's page, for an actor who may read data in the person's org.
pub async fn person(app: &App, grant: &Grant<ReadData>, id: i64) -> Result<PersonView> {
    let actor = grant.actor();
    let mut conn = app.store.acquire().await?;
    let a = store::get(&mut conn, &actor.scope, id)
        .await?
        .ok_or_else(|| AppError::NotFound("入党申请人".into()))?;
    let org = org_store::by_ids(&mut conn, &[a.org_id]).await?;
    let recorded = ways(&mut conn, &[id])
        .await?
        .remove(&id)
        .unwrap_or_default();
    drop(conn);
    let records: Vec<StepRecord> = recorded.iter().map(|(_, r)| r.clone()).collect();
    let p = progress(app, &a, &records, app.today());
    Ok(PersonView {
        id: a.id,
        name: a.name.clone(),
        gender: a.gender.label(),
        ethnicity: a.ethnicity.clone(),
        birth_date: a.birth_date,
        id_masked: a.id_masked.clone(),
        education: a.education.map(|e| e.label()),
        occupation: a.occupation.clone(),
        front_line: a.front_line,
        phone_masked: a.phone_masked.clone(),
        org_id: a.org_id,
        org_name: org.first().map(|o| o.org.name.clone()).unwrap_or_default(),
        stage: a.derived.stage.clone(),
        stage_label: stage_label(&a.derived.stage),
        member_id: a.member_id,
        steps: recorded
            .into_iter()
            .map(|(s, r)| StepView {
                id: s.id,
                number: s.step,
                title: r.kind.title(),
                part: r.kind.part(),
                record: r,
                recorded_by: s.recorded_by,
                recorded_at: s.recorded_at,
            })
            .collect(),
        allowed: domain::check::allowed(&app.rules, &records),
        can_record: actor.may(Action::RecordRecruitment),
        progress: p,
    })
}

/// One person on a board: the stored judgement.
#[derive(Debug, Clone, Serialize)]
pub struct PersonRow {
    pub id: i64,
    pub name: String,
    pub id_masked: String,
    pub org_id: i64,
    pub org_name: String,
    pub stage: String,
    pub stage_label: &'static str,
    pub next_step: Option<i64>,
    pub next_title: Option<String>,
    pub deadline: Option<NaiveDate>,
    pub not_before: Option<NaiveDate>,
    pub overdue: bool,
    /// Due by the end of this month (or overdue).
    pub due_this_month: bool,
    pub violations: i64,
}

impl PersonRow {
    fn of(a: &Listed, today: NaiveDate) -> PersonRow {
        let d = &a.derived;
        let month_end = jiceng_domain::Period::month_of(today).last_day();
        PersonRow {
            id: a.id,
            name: a.name.clone(),
            id_masked: a.id_masked.clone(),
            org_id: a.org_id,
            org_name: a.org_name.clone(),
            stage: d.stage.clone(),
            stage_label: stage_label(&d.stage),
            next_step: d.next_step,
            next_title: d
                .next_step
                .and_then(StepKind::from_number)
                .map(|k| k.title()),
            deadline: d.next_deadline,
            not_before: d.next_not_before,
            overdue: d.next_deadline.is_some_and(|x| x < today),
            due_this_month: d.next_deadline.is_some_and(|x| x <= month_end),
            violations: d.violations,
        }
    }
}

/// The count of one stage.
#[derive(Debug, Clone, Serialize)]
pub struct StageCount {
    pub stage: &'static str,
    pub label: &'static str,
    pub count: i64,
}

/// A subtree's board: counts by stage and every person still on the way.
#[derive(Debug, Clone, Serialize)]
pub struct Board {
    pub org_id: i64,
    pub org_name: String,
    pub today: NaiveDate,
    pub year: i32,
    pub by_stage: Vec<StageCount>,
    /// Withdrawn or cancelled.
    pub ended: i64,
    /// People on the way (not yet full, not ended), due first.
    pub people: Vec<PersonRow>,
    /// All the people on the way (`people` may be cut to a page).
    pub people_total: usize,
    pub due_this_month: usize,
    pub overdue: usize,
    pub can_record: bool,
}

/// The board of `org`'s subtree.
pub async fn board(app: &App, org: &InScope<OrgRecord>, can_record: bool) -> Result<Board> {
    board_cut(app, org, can_record, None).await
}

/// The people a board page lists at most (the counts are always complete; the export
/// and the lower orgs' boards have the rest).
pub const BOARD_PAGE: usize = 200;

/// The board of `org`'s subtree with its list cut to the first `limit` people by deadline.
pub async fn board_cut(
    app: &App,
    org: &InScope<OrgRecord>,
    can_record: bool,
    limit: Option<usize>,
) -> Result<Board> {
    let today = app.today();
    let scope = org.subtree();
    let month_end = jiceng_domain::Period::month_of(today).last_day();
    let mut conn = app.store.acquire().await?;
    // Every count from the subtree's stored tally (one row), never a judgement.
    let tally = store::tally::of(&mut conn, org.org.id).await?;
    let due_this_month = tally.due_by(month_end) as usize;
    let overdue = tally.overdue(today) as usize;
    let people = nearest(&mut conn, &scope, &tally, limit.map(|n| n as i64)).await?;
    drop(conn);
    let count = |key: &str| tally.stage(key);
    let by_stage = RecruitStage::ALL
        .into_iter()
        .map(|s| StageCount {
            stage: s.key(),
            label: s.label(),
            count: count(s.key()),
        })
        .collect();
    let open = ["applicant", "activist", "candidate", "probationary"];
    let people_total = open.iter().map(|k| count(k)).sum::<i64>() as usize;
    let people: Vec<PersonRow> = people.iter().map(|a| PersonRow::of(a, today)).collect();
    Ok(Board {
        org_id: org.org.id,
        org_name: org.org.name.clone(),
        today,
        year: today.year(),
        by_stage,
        ended: count("withdrawn") + count("cancelled"),
        due_this_month,
        overdue,
        people,
        people_total,
        can_record,
    })
}

/// The first `limit` people of the subtree by deadline (all of them without a limit). A
/// wide subtree (`limit` × everyone dated < its own dated², roughly a province's or a
/// city's) walks the deadlines up to the day by which `limit` of its people are due (from
/// its tally) instead of its whole path range; the answer is the same.
async fn nearest(
    conn: &mut jiceng_store::Conn,
    scope: &jiceng_store::Scope,
    tally: &domain::Tally,
    limit: Option<i64>,
) -> Result<Vec<Listed>> {
    if let Some((n, until)) = limit.and_then(|n| Some((n, tally.day_by_which(n)?))) {
        let roots: Vec<i64> = jiceng_store::browse::roots(conn)
            .await?
            .iter()
            .map(|r| r.org.id)
            .collect();
        let everyone: i64 = store::tally::stored(conn, &roots)
            .await?
            .values()
            .map(|t| t.dated())
            .sum();
        let own = tally.dated();
        if (n as i128) * (everyone as i128) < (own as i128) * (own as i128) {
            return Ok(store::due_soonest(conn, scope, until, n).await?);
        }
    }
    Ok(store::due(conn, scope, None, limit).await?)
}

/// A member the record form offers as an 入党介绍人.
#[derive(Debug, Clone, Serialize)]
pub struct SponsorChoice {
    pub id: i64,
    pub name: String,
}

/// The full members (today, not exited) of the branch that received person `id`'s
/// application, its groups included, by name: whom the form offers as 入党介绍人.
pub async fn sponsor_choices(
    app: &App,
    grant: &Grant<ReadData>,
    id: i64,
) -> Result<Vec<SponsorChoice>> {
    let actor = grant.actor();
    let mut conn = app.store.acquire().await?;
    let a = store::get(&mut conn, &actor.scope, id)
        .await?
        .ok_or_else(|| AppError::NotFound("入党申请人".into()))?;
    let today = app.today();
    let (members, _) = jiceng_store::members::search(
        &mut conn,
        &jiceng_store::Scope::subtree(&a.org_path),
        None,
        0,
        1000,
    )
    .await?;
    Ok(members
        .into_iter()
        .filter(|m| {
            jiceng_domain::member::status_on(m.status, m.full_on, today)
                == jiceng_domain::MemberStatus::Full
        })
        .map(|m| SponsorChoice {
            id: m.id,
            name: m.name,
        })
        .collect())
}

impl Board {
    /// The board's people as a sheet (ID numbers masked), for the Excel export.
    pub fn sheet(&self) -> jiceng_io::Sheet {
        use jiceng_io::OutCell;
        let date = |d: Option<NaiveDate>| d.map_or(OutCell::Empty, OutCell::Date);
        jiceng_io::Sheet {
            name: "发展党员".into(),
            title: format!(
                "{} 发展党员工作进度（{}，共{}人）",
                self.org_name,
                self.today,
                self.people.len()
            ),
            headers: [
                "姓名",
                "公民身份号码",
                "所在党组织",
                "阶段",
                "下一步",
                "截止日期",
                "不早于",
                "是否逾期",
                "违反时间规定",
            ]
            .iter()
            .map(|s| s.to_string())
            .collect(),
            rows: self
                .people
                .iter()
                .map(|p| {
                    vec![
                        OutCell::Text(p.name.clone()),
                        OutCell::Text(p.id_masked.clone()),
                        OutCell::Text(p.org_name.clone()),
                        OutCell::Text(p.stage_label.to_string()),
                        OutCell::Text(p.next_title.clone().unwrap_or_default()),
                        date(p.deadline),
                        date(p.not_before),
                        OutCell::Text(if p.overdue { "逾期" } else { "" }.into()),
                        OutCell::Int(p.violations),
                    ]
                })
                .collect(),
        }
    }
}
