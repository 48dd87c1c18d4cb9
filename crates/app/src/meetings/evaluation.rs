//! 民主评议党员 results (SPEC R: yearly; 优秀 at most the share of the rules in force, a
//! third): each member of the branch graded at the evaluation meeting, recorded as a whole
//! for the meeting and audited; the member's own record shows their grades.

use std::collections::{HashMap, HashSet};

use jiceng_domain::evaluation::{self, Grade};
use jiceng_domain::MeetingKind;
use jiceng_store::evaluations::{self as store, StoredEvaluation};
use jiceng_store::Scope;
use serde::Serialize;

use super::view::{get, MeetingView};
use crate::access::{Actor, Grant, RecordLife};
use crate::audit::{self, AuditAction};
use crate::{App, AppError, Result};

/// One member's line of the sheet.
#[derive(Debug, Clone, Serialize)]
pub struct EvaluationLine {
    pub member_id: i64,
    pub name: String,
    /// The grade recorded (`Grade::code`), if any.
    pub grade: Option<&'static str>,
}

/// The grades of an evaluation meeting, and who may be graded.
#[derive(Debug, Clone, Serialize)]
pub struct EvaluationSheet {
    pub meeting: MeetingView,
    /// The branch's members on the day (and anyone graded then who has since left).
    pub lines: Vec<EvaluationLine>,
    /// How many of each grade are recorded, in the order of `Grade::ALL`: (label, n).
    pub counts: Vec<(&'static str, usize)>,
    pub recorded: bool,
    /// The most 优秀 the rules allow for all the lines.
    pub excellent_allowed: usize,
}

/// The sheet of the meeting `id` (in the actor's scope), which must have served as a
/// 民主评议党员.
pub async fn sheet(app: &App, actor: &Actor, id: i64) -> Result<EvaluationSheet> {
    let meeting = get(app, actor, id).await?;
    if !meeting
        .kinds
        .contains(&MeetingKind::DemocraticEvaluation.code())
    {
        return Err(AppError::Input(format!(
            "“{}”不是民主评议党员会议，不能登记评议结果",
            meeting.topic
        )));
    }
    let mut conn = app.store.acquire().await?;
    let given = store::of_meeting(&mut conn, id).await?;
    let roster = jiceng_store::members::of_orgs(&mut conn, &[meeting.branch_id]).await?;
    let on_roster: HashSet<i64> = roster.iter().map(|m| m.id).collect();
    let gone: Vec<i64> = given
        .iter()
        .map(|g| g.member_id)
        .filter(|m| !on_roster.contains(m))
        .collect();
    let left = jiceng_store::members::by_ids(&mut conn, &Scope::All, &gone).await?;
    drop(conn);
    let grade: HashMap<i64, &'static str> = given
        .iter()
        .filter_map(|g| Some((g.member_id, Grade::parse(&g.grade)?.code())))
        .collect();
    let mut members: Vec<_> = roster
        .into_iter()
        .filter(|m| m.joined_on <= meeting.date)
        .chain(left)
        .collect();
    members.sort_by_key(|m| (m.joined_on, m.id));
    let lines: Vec<EvaluationLine> = members
        .iter()
        .map(|m| EvaluationLine {
            member_id: m.id,
            name: m.name.clone(),
            grade: grade.get(&m.id).copied(),
        })
        .collect();
    let share = app
        .rules
        .in_force(meeting.date)
        .meetings
        .excellent_max_share;
    Ok(EvaluationSheet {
        counts: Grade::ALL
            .iter()
            .map(|g| {
                (
                    g.label(),
                    lines.iter().filter(|l| l.grade == Some(g.code())).count(),
                )
            })
            .collect(),
        recorded: !given.is_empty(),
        excellent_allowed: evaluation::excellent_allowed(lines.len(), share),
        lines,
        meeting,
    })
}

/// Records the grades of the evaluation meeting `id` as a whole (replacing any before):
/// each member of the sheet at most once; 优秀 within the share of the rules in force on
/// the meeting's day; audited with the counts before and after. Answers how many.
pub async fn record(
    app: &App,
    grant: &Grant<RecordLife>,
    id: i64,
    grades: &[(i64, Grade)],
) -> Result<usize> {
    let actor = grant.actor();
    let s = sheet(app, actor, id).await?;
    let names: HashMap<i64, &str> = s
        .lines
        .iter()
        .map(|l| (l.member_id, l.name.as_str()))
        .collect();
    let mut seen = HashSet::new();
    for (m, _) in grades {
        if !names.contains_key(m) {
            return Err(AppError::Input(format!(
                "党员（id {m}）不是“{}”会议当日的党员，不能参加本次评议",
                s.meeting.org.name
            )));
        }
        if !seen.insert(*m) {
            return Err(AppError::Input(format!("“{}”评了两次", names[m])));
        }
    }
    if grades.is_empty() {
        return Err(AppError::Input("请为参加评议的党员选择评议等次".into()));
    }
    let only: Vec<Grade> = grades.iter().map(|(_, g)| *g).collect();
    let share = app
        .rules
        .in_force(s.meeting.date)
        .meetings
        .excellent_max_share;
    evaluation::check(&only, share).map_err(AppError::Input)?;
    let mut conn = app.store.acquire().await?;
    let path = jiceng_store::meetings::get(&mut conn, &Scope::All, id)
        .await?
        .map(|m| m.org_path)
        .ok_or_else(|| AppError::NotFound("会议记录".into()))?;
    let org = jiceng_store::orgs::get(&mut conn, &Scope::All, s.meeting.org_id).await?;
    drop(conn);
    let rows: Vec<StoredEvaluation> = grades
        .iter()
        .map(|(m, g)| StoredEvaluation {
            meeting_id: id,
            member_id: *m,
            org_path: path.clone(),
            year: i64::from(s.meeting.for_year),
            grade: g.code().to_string(),
        })
        .collect();
    let count = |list: &[Grade]| -> serde_json::Value {
        Grade::ALL
            .iter()
            .map(|g| {
                (
                    g.label().to_string(),
                    serde_json::Value::from(list.iter().filter(|x| *x == g).count()),
                )
            })
            .collect::<serde_json::Map<_, _>>()
            .into()
    };
    let before: Vec<Grade> = s
        .lines
        .iter()
        .filter_map(|l| l.grade.and_then(Grade::parse))
        .collect();
    let (rows_ref, org_ref) = (&rows, org.as_ref());
    audit::Entry::new(
        actor,
        AuditAction::EvaluationRecord,
        format!("{}（会议 id {id}）", s.meeting.org.name),
    )
    .org(org_ref)
    .before((!before.is_empty()).then(|| count(&before)))
    .after(count(&only))
    .write(app, |mut tx| async move {
        store::replace_of_meeting(&mut tx, id, rows_ref).await?;
        Ok(tx)
    })
    .await?;
    Ok(rows.len())
}

/// A member's grade of one year, as their record shows it.
#[derive(Debug, Clone, Serialize)]
pub struct MemberGrade {
    pub year: i64,
    pub grade: &'static str,
    pub meeting_id: i64,
}

/// The member's grades, latest first.
pub(crate) async fn of_member(
    conn: &mut jiceng_store::Conn,
    member_id: i64,
) -> Result<Vec<MemberGrade>> {
    Ok(store::of_member(conn, member_id)
        .await?
        .into_iter()
        .filter_map(|e| {
            Some(MemberGrade {
                year: e.year,
                grade: Grade::parse(&e.grade)?.label(),
                meeting_id: e.meeting_id,
            })
        })
        .collect())
}
