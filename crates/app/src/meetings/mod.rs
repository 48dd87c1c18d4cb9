//! Organizational life (SPEC C4): recording a meeting (the branch's facts for its month
//! rewritten and the audit entry written in the same transaction, `record`), what a branch
//! still owes this month, quarter and year (本月待办, `due`), and the meetings as lists and
//! pages show them (`view`); a recorded meeting corrected (更正, `correct`) or voided (作废,
//! `void`) with a reason, its facts following in the same transaction.
//!
//! Nothing here counts check-ins, points, rankings of people or online time (SPEC C4).

pub mod attachments;
mod due;
mod error;
pub mod evaluation;
mod joint;
mod record;
mod view;

/// How a meeting list is narrowed (branch, dates, kind).
pub use jiceng_store::meetings::ListFilter;
use jiceng_store::meetings::{self as meeting_store, StoredMeeting};
use jiceng_store::orgs::{self as org_store, StoredOrg};
use jiceng_store::{Conn, Scope};
use serde::Serialize;

pub(crate) use due::{branch_facts, branch_histories};
pub use due::{due, Due, DueItem};
pub use error::{Field, MeetingError, RecordError, RecordErrors};
pub use joint::{joint_context, record_joint, JointBranch, JointContext, JointLine};
pub(crate) use record::record_many;
pub use record::{correct, record, NewMeeting, Recorded};
pub use view::{get, record_context, AttendeeView, MeetingView, RecordContext, RosterMember};

use crate::access::{Action, Actor, Grant, InScope, RecordLife};
use crate::audit;
use crate::{App, AppError, OrgRecord, Result};
use chrono::NaiveDate;
use jiceng_domain::{MeetingKind, OrgKind};
use std::collections::HashMap;

/// The branch a meeting of `org` counts for: the org itself, or a group's branch.
async fn branch_of(conn: &mut Conn, org: &StoredOrg) -> Result<StoredOrg> {
    if org.org.kind != OrgKind::Group {
        return Ok(org.clone());
    }
    let parent = match org.org.parent_id {
        Some(p) => org_store::get(conn, &Scope::All, p).await?,
        None => None,
    };
    match parent {
        Some(p) if p.org.kind == OrgKind::Branch => Ok(p),
        _ => Err(RecordError::GroupOutsideBranch(org.org.name.clone()).into()),
    }
}

/// The branch of an org in scope (itself, or a group's branch); any other kind of org is
/// refused with `why` (what only a branch does).
async fn branch_in_scope(
    conn: &mut Conn,
    org: &InScope<OrgRecord>,
    why: &'static str,
) -> Result<StoredOrg> {
    let branch = branch_of(conn, org).await?;
    if branch.org.kind != OrgKind::Branch {
        return Err(RecordError::NotBranch {
            org: branch.org.name.clone(),
            kind_label: branch.org.kind.label(),
            why,
        }
        .into());
    }
    Ok(branch)
}

/// A meeting as lists show it.
#[derive(Debug, Clone, Serialize)]
pub struct MeetingRow {
    pub id: i64,
    pub org_id: i64,
    pub kind: &'static str,
    pub label: &'static str,
    /// Every kind it served, `kind` first (GLOSSARY names) and their labels.
    pub kinds: Vec<&'static str>,
    pub labels: Vec<&'static str>,
    /// 所属年度 of its yearly kinds.
    pub for_year: i32,
    pub date: NaiveDate,
    pub topic: String,
    pub host: Option<String>,
    pub expected: i64,
    pub present: i64,
    pub excused: i64,
    pub attendance_rate: Option<f64>,
    /// `None`: not recorded.
    pub masses_present: Option<i64>,
    pub quorum_ok: Option<bool>,
}

impl MeetingRow {
    pub fn of(m: &StoredMeeting) -> MeetingRow {
        MeetingRow {
            id: m.meeting.id,
            org_id: m.meeting.org_id,
            kind: m.meeting.kind.code(),
            label: m.meeting.kind.label(),
            kinds: m.meeting.kinds().iter().map(|k| k.code()).collect(),
            labels: m.meeting.kinds().iter().map(|k| k.label()).collect(),
            for_year: m.meeting.credited_year(),
            date: m.meeting.date,
            topic: m.meeting.topic.clone(),
            host: m.meeting.host.clone(),
            expected: m.meeting.expected,
            present: m.meeting.present,
            excused: m.meeting.excused,
            attendance_rate: crate::reports::round4(m.meeting.attendance_rate()),
            masses_present: m.meeting.masses_present,
            quorum_ok: m.quorum_ok,
        }
    }
}

/// A page of the meetings in the actor's scope (newest first), narrowed by `filter`;
/// `page` counts from 1. Returns the rows and the total.
pub async fn list(
    app: &App,
    actor: &Actor,
    filter: &ListFilter,
    page: i64,
    page_size: i64,
) -> Result<(Vec<MeetingRow>, i64)> {
    if !actor.may(Action::ReadData) {
        return Err(AppError::Forbidden);
    }
    list_page(app, &actor.scope, filter, page, page_size.clamp(1, 500)).await
}

/// A page of the meetings in `scope` narrowed by `filter` (newest first); `page` counts
/// from 1. Returns the rows and the total.
pub(crate) async fn list_page(
    app: &App,
    scope: &Scope,
    filter: &ListFilter,
    page: i64,
    page_size: i64,
) -> Result<(Vec<MeetingRow>, i64)> {
    let offset = (page.max(1) - 1).saturating_mul(page_size);
    let mut conn = app.store.acquire().await?;
    let (rows, total) = meeting_store::list(&mut conn, scope, filter, offset, page_size).await?;
    Ok((rows.iter().map(MeetingRow::of).collect(), total))
}

/// Rebuilds the stored monthly facts of the whole tree from the meetings (after a
/// restore or a bulk load). Returns the rows written.
pub async fn rebuild_facts(app: &App) -> Result<usize> {
    audit::with_retry(|| async {
        let mut tx = app.store.begin().await?;
        let n = meeting_store::rebuild(&mut tx, &Scope::All).await?;
        tx.commit().await?;
        Ok(n)
    })
    .await
}

/// A page of the meetings held in the subtree of `org` (resolved in the actor's scope),
/// newest first; `page` counts from 1. Returns the rows and the total.
pub async fn list_under(
    app: &App,
    org: &InScope<OrgRecord>,
    page: i64,
    page_size: i64,
) -> Result<(Vec<MeetingRow>, i64)> {
    let page_size = page_size.clamp(1, 5_000);
    list_page(app, &org.subtree(), &ListFilter::default(), page, page_size).await
}

/// What a page's meeting list narrows to: words of the topic, a kind.
#[derive(Debug, Clone, Default)]
pub struct MeetingQuery {
    pub topic: Option<String>,
    pub kind: Option<MeetingKind>,
}

impl MeetingQuery {
    fn filter(&self) -> Result<ListFilter> {
        let topic = self
            .topic
            .as_deref()
            .map(str::trim)
            .filter(|t| !t.is_empty());
        if topic.is_some_and(|t| t.chars().count() > 50) {
            return Err(AppError::Input("会议主题的查找词过长（最多50个字）".into()));
        }
        Ok(ListFilter {
            kind: self.kind,
            topic: topic.map(str::to_string),
            ..Default::default()
        })
    }
}

/// A page of meetings with where each was held (the org and the org above it).
#[derive(Debug, Clone, Serialize)]
pub struct MeetingPage {
    pub rows: Vec<MeetingRow>,
    pub places: HashMap<i64, crate::browse::Place>,
    pub total: i64,
}

impl MeetingPage {
    /// The org that held a row, and the org above it.
    pub fn place(&self, row: &MeetingRow) -> crate::browse::Place {
        self.places.get(&row.org_id).cloned().unwrap_or_default()
    }
}

async fn with_places(app: &App, (rows, total): (Vec<MeetingRow>, i64)) -> Result<MeetingPage> {
    let mut conn = app.store.acquire().await?;
    let places = crate::browse::places_of(&mut conn, rows.iter().map(|r| r.org_id)).await?;
    Ok(MeetingPage {
        rows,
        places,
        total,
    })
}

/// The most orgs below the org whose meetings are searched by words of their topic (a
/// city's tens of thousands): a word is found by reading every meeting of the subtree, so a
/// province's or the nation's are left to the meeting lists of its cities and counties.
pub const TOPIC_SEARCH_MAX_ORGS: i64 = 30_000;

/// Whether the subtree of `org_id` is small enough to search its meetings' topics.
async fn topics_searchable(app: &App, org_id: Option<i64>, max_orgs: i64) -> Result<bool> {
    let Some(org_id) = org_id else {
        return Ok(false);
    };
    let mut conn = app.store.acquire().await?;
    Ok(jiceng_store::facts::totals(&mut conn, org_id)
        .await?
        .is_some_and(|t| t.orgs <= max_orgs))
}

/// A page of the meetings held in the subtree of `org` (newest first) narrowed by `q`,
/// with where each was held; `page` counts from 1. Words of the topic are looked for up
/// to [`TOPIC_SEARCH_MAX_ORGS`] orgs below.
pub async fn page_under(
    app: &App,
    org: &InScope<OrgRecord>,
    q: &MeetingQuery,
    page: i64,
    page_size: i64,
) -> Result<MeetingPage> {
    let filter = q.filter()?;
    if filter.topic.is_some()
        && !topics_searchable(app, Some(org.org.id), TOPIC_SEARCH_MAX_ORGS).await?
    {
        return Err(AppError::Input(format!(
            "“{}”以下党组织较多，按会议主题查找请在市、县或乡镇的会议记录中进行",
            org.org.name
        )));
    }
    let page_size = page_size.clamp(1, 500);
    let rows = list_page(app, &org.subtree(), &filter, page, page_size).await?;
    with_places(app, rows).await
}

/// The meetings in the actor's scope whose topic holds `topic` (the header's search);
/// `None` when the scope is over [`TOPIC_SEARCH_MAX_ORGS`] orgs (or the whole tree).
pub async fn search(
    app: &App,
    actor: &Actor,
    topic: &str,
    shown: i64,
) -> Result<Option<MeetingPage>> {
    search_with_limit(app, actor, topic, shown, TOPIC_SEARCH_MAX_ORGS).await
}

/// [`search`] with the largest scope searched given (tests).
pub async fn search_with_limit(
    app: &App,
    actor: &Actor,
    topic: &str,
    shown: i64,
    max_orgs: i64,
) -> Result<Option<MeetingPage>> {
    if !actor.may(Action::ReadData) {
        return Err(AppError::Forbidden);
    }
    if !topics_searchable(app, actor.org_id, max_orgs).await? {
        return Ok(None);
    }
    let q = MeetingQuery {
        topic: Some(topic.to_string()),
        kind: None,
    };
    let rows = list_page(app, &actor.scope, &q.filter()?, 1, shown).await?;
    Ok(Some(with_places(app, rows).await?))
}

/// The meetings held in the subtree of `org` as the export's sheet, newest first: each
/// with its branch (name and code) and the org above it (所属乡镇/上级党组织), so the rows
/// reconcile with a township's own lists. Up to `export::MAX_ROWS` rows; when there are
/// more, the title says how many of how many (never cut silently).
pub async fn export_sheet(app: &App, org: &InScope<OrgRecord>) -> Result<jiceng_io::Sheet> {
    use jiceng_io::OutCell;
    let max = crate::export::MAX_ROWS;
    let (rows, total) = list_page(app, &org.subtree(), &ListFilter::default(), 1, max).await?;
    let mut conn = app.store.acquire().await?;
    let mut ids: Vec<i64> = rows.iter().map(|r| r.org_id).collect();
    ids.sort_unstable();
    ids.dedup();
    let held: std::collections::HashMap<i64, OrgRecord> = org_store::by_ids(&mut conn, &ids)
        .await?
        .into_iter()
        .map(|o| (o.org.id, o))
        .collect();
    let parents =
        crate::browse::org_names(&mut conn, held.values().filter_map(|o| o.org.parent_id)).await?;
    drop(conn);
    let shown = rows.len() as i64;
    let title = if total > shown {
        format!(
            "{} 会议记录（共{total}条，本表列出最近的{shown}条；请按下级党组织分别导出其余记录）",
            org.org.name
        )
    } else {
        format!("{} 会议记录（共{total}条）", org.org.name)
    };
    let text = |s: &str| OutCell::Text(s.to_string());
    Ok(jiceng_io::Sheet {
        name: "会议记录".into(),
        title,
        headers: [
            "上级党组织",
            "党组织",
            "组织代码",
            "日期",
            "类型",
            "主题",
            "主持人",
            "应到",
            "实到",
            "请假",
            "参会率",
            "群众参与人数",
            "表决人数过半",
        ]
        .iter()
        .map(|s| s.to_string())
        .collect(),
        rows: rows
            .iter()
            .map(|r| {
                let o = held.get(&r.org_id);
                let parent = o
                    .and_then(|o| o.org.parent_id)
                    .and_then(|p| parents.get(&p))
                    .map_or("", String::as_str);
                vec![
                    text(parent),
                    text(o.map_or("", |o| o.org.name.as_str())),
                    text(o.map_or("", |o| o.org.code.as_str())),
                    OutCell::Text(r.date.to_string()),
                    OutCell::Text(r.labels.join("暨")),
                    OutCell::Text(r.topic.clone()),
                    OutCell::Text(r.host.clone().unwrap_or_default()),
                    OutCell::Int(r.expected),
                    OutCell::Int(r.present),
                    OutCell::Int(r.excused),
                    r.attendance_rate
                        .map(OutCell::Percent)
                        .unwrap_or(OutCell::Empty),
                    r.masses_present.map(OutCell::Int).unwrap_or(OutCell::Empty),
                    OutCell::Text(
                        match r.quorum_ok {
                            Some(true) => "是",
                            Some(false) => "否",
                            None => "",
                        }
                        .into(),
                    ),
                ]
            })
            .collect(),
    })
}

/// The meetings of `kind` already recorded in the span of its cadence that holds `date`
/// (the month of a theme day, the quarter of a general meeting, the year of a 组织生活会)
/// for `org` — its branch, or for a group meeting the group — but `except` (a correction's
/// own record). The record form warns of them before saving a second one.
pub async fn same_span(
    app: &App,
    org: &InScope<OrgRecord>,
    kind: jiceng_domain::MeetingKind,
    date: NaiveDate,
    except: Option<i64>,
) -> Result<Vec<MeetingRow>> {
    let span = jiceng_domain::Period::of(kind.cadence(), date);
    let mut conn = app.store.acquire().await?;
    let branch = branch_of(&mut conn, org).await?;
    let filter = ListFilter {
        branch_id: Some(branch.org.id),
        from: Some(span.first_day()),
        to: Some(span.last_day()),
        kind: Some(kind),
        ..Default::default()
    };
    let (rows, _) =
        meeting_store::list(&mut conn, &Scope::subtree(&branch.path), &filter, 0, 50).await?;
    Ok(rows
        .iter()
        .filter(|m| Some(m.meeting.id) != except)
        .filter(|m| {
            kind != jiceng_domain::MeetingKind::GroupMeeting || m.meeting.org_id == org.org.id
        })
        .map(MeetingRow::of)
        .collect())
}

/// The reason given for correcting or voiding a meeting, trimmed and within its limit.
fn change_reason(reason: &str) -> Result<String> {
    let r = reason.trim();
    if r.is_empty() {
        return Err(RecordError::NoReason.into());
    }
    let max = jiceng_domain::text::NOTE.max;
    if r.chars().count() > max {
        return Err(RecordError::LongReason(max).into());
    }
    Ok(r.to_string())
}

/// Voids the recorded meeting `id` (作废: recorded in error, or never held), with the reason:
/// the meeting, its attendance and guests are removed and the branch's monthly facts
/// recounted in one transaction; the audit entry keeps the record as it was and the reason.
pub async fn void(app: &App, grant: &Grant<RecordLife>, id: i64, reason: &str) -> Result<()> {
    let reason = change_reason(reason)?;
    let actor = grant.actor();
    let old = view::get(app, actor, id).await?;
    let mut conn = app.store.acquire().await?;
    let org = org_store::get(&mut conn, &Scope::All, old.org_id)
        .await?
        .ok_or_else(|| AppError::NotFound("党组织".into()))?;
    drop(conn);
    let before = serde_json::to_value(&old).ok();
    audit::Entry::new(
        actor,
        audit::AuditAction::MeetingVoid,
        format!("{}（会议 id {id}）", old.org.name),
    )
    .org(&org)
    .before(before)
    .after(serde_json::json!({ "reason": reason }))
    .write(app, |mut tx| async move {
        if !meeting_store::delete(&mut tx, &Scope::All, id).await? {
            return Err(AppError::NotFound("会议记录".into()));
        }
        jiceng_store::attachments::delete_of_meeting(&mut tx, id).await?;
        jiceng_store::evaluations::delete_of_meeting(&mut tx, id).await?;
        Ok(tx)
    })
    .await
}
