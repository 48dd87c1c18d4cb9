//! 党员教育培训学时 (issue #15, point 5): an org records a training (title, organiser,
//! dates, hours, online or in person) with its attendees from its roster; each member's
//! hours of a calendar year are held against what the rules of that year ask (32 学时, 56
//! for secretaries and committee members, from the positions held), and who is short is
//! counted per org and up the tree from the stored tallies (`store::training`), so a
//! province's overview reads one row per org it lists.
//!
//! A year not over is progress (还差N学时), never 未达标; a subtree with no hours recorded
//! in the year is 暂无数据. The staffing checks (`staff`) sit beside it.

pub mod staff;

use std::collections::HashMap;

use chrono::{Datelike, NaiveDate};
use jiceng_domain::training::{self as rule, hours_text, Mode, Standing, Tally};
use jiceng_store::training::{self as store, PersonYear, StoredTraining};
use jiceng_store::{orgs as org_store, Scope};
use serde::{Deserialize, Serialize};

use crate::access::{Grant, InScope, RecordTraining};
use crate::audit::{self, AuditAction};
use crate::refusal::refused;
use crate::{App, AppError, OrgRecord, OrgRef, Result};

/// What the record form, the API and a sign-in list give.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct TrainingInput {
    pub title: String,
    #[serde(default)]
    pub organiser: String,
    pub starts_on: NaiveDate,
    pub ends_on: NaiveDate,
    /// As written: "3", "3.5".
    pub hours: String,
    /// `in_person` or `online` (or 线下 / 线上).
    pub mode: String,
    /// The members who attended (ids on the org's roster).
    #[serde(default)]
    pub attendees: Vec<i64>,
    /// Hours credited to one attendee when not the training's (a sign-in list's column).
    #[serde(default, skip_serializing_if = "HashMap::is_empty")]
    pub credited: HashMap<i64, String>,
}

/// A training as a page shows it.
#[derive(Debug, Clone, Serialize)]
pub struct TrainingView {
    pub id: i64,
    pub org_name: String,
    pub title: String,
    pub organiser: String,
    pub starts_on: NaiveDate,
    pub ends_on: NaiveDate,
    pub hours: String,
    pub mode: &'static str,
    pub attendees: i64,
}

fn view(t: &StoredTraining, org_name: &str, attendees: i64) -> TrainingView {
    TrainingView {
        id: t.id,
        org_name: org_name.to_string(),
        title: t.title.clone(),
        organiser: t.organiser.clone(),
        starts_on: t.starts_on,
        ends_on: t.ends_on,
        hours: hours_text(t.hours),
        mode: Mode::from_code(&t.mode).map_or("", Mode::label),
        attendees,
    }
}

/// A training checked: the row to write and the attendees with their tenths.
pub(crate) struct Checked {
    pub training: StoredTraining,
    pub attendees: Vec<(i64, i64)>,
}

/// Checks `input` for the org `org` on `today` (the attendees are checked by the caller
/// against the roster). `id` is the training's id, reserved by the caller.
pub(crate) fn check(
    app: &App,
    org: &OrgRecord,
    input: &TrainingInput,
    (id, by): (i64, &str),
) -> Result<Checked> {
    let title = input.title.trim();
    let hours = rule::parse_hours(&input.hours).map_err(|e| refused("hours", e))?;
    rule::check(title, input.starts_on, input.ends_on, hours, app.today())
        .map_err(|(f, m)| refused(f, m))?;
    jiceng_domain::text::TextField::new("培训名称", 100)
        .check(title)
        .map_err(|e| refused("title", e))?;
    let organiser = input.organiser.trim();
    jiceng_domain::text::TextField::new("主办单位", 100)
        .check(organiser)
        .map_err(|e| refused("organiser", e))?;
    let mode = Mode::parse(&input.mode)
        .ok_or_else(|| refused("mode", format!("培训方式应为线上或线下：{}", input.mode)))?;
    let mut attendees: Vec<(i64, i64)> = Vec::with_capacity(input.attendees.len());
    let mut ids = input.attendees.clone();
    ids.sort_unstable();
    ids.dedup();
    if ids.is_empty() {
        return Err(refused("attendees", "请勾选参加培训的党员"));
    }
    for m in ids {
        let credited = match input.credited.get(&m) {
            Some(h) => rule::parse_hours(h).map_err(|e| refused("attendees", e))?,
            None => hours,
        };
        attendees.push((m, credited));
    }
    Ok(Checked {
        training: StoredTraining {
            id,
            org_id: org.org.id,
            org_path: org.path.clone(),
            year: input.starts_on.year(),
            title: title.to_string(),
            organiser: if organiser.is_empty() {
                org.org.name.clone()
            } else {
                organiser.to_string()
            },
            starts_on: input.starts_on,
            ends_on: input.ends_on,
            hours,
            mode: mode.code().to_string(),
            recorded_by: by.to_string(),
            recorded_at: app.now().to_rfc3339(),
        },
        attendees,
    })
}

/// The current members of `org`'s subtree among `ids`, by id with their org: the roster
/// a training's attendees must come from.
pub(crate) async fn on_roster(
    app: &App,
    org: &InScope<OrgRecord>,
    ids: &[i64],
) -> Result<HashMap<i64, i64>> {
    let mut conn = app.store.acquire().await?;
    Ok(
        jiceng_store::members::by_ids(&mut conn, &org.subtree(), ids)
            .await?
            .into_iter()
            .filter(|m| m.exited_on.is_none())
            .map(|m| (m.id, m.org_id))
            .collect(),
    )
}

/// Writes checked trainings in one transaction with their audit entry, and refreshes the
/// tallies of the orgs touched (the recording org and the attendees' orgs) for each year.
pub(crate) async fn write(
    app: &App,
    grant: &Grant<RecordTraining>,
    org: &OrgRecord,
    rows: &[(Checked, Vec<i64>)],
) -> Result<()> {
    let summary: Vec<serde_json::Value> = rows
        .iter()
        .map(|(c, _)| {
            serde_json::json!({
                "id": c.training.id,
                "title": c.training.title,
                "starts_on": c.training.starts_on,
                "hours": hours_text(c.training.hours),
                "attendees": c.attendees.len(),
            })
        })
        .collect();
    let target = match rows {
        [(c, _)] => format!("training:{}", c.training.id),
        _ => format!("org:{}", org.org.id),
    };
    audit::Entry::new(grant.actor(), AuditAction::TrainingRecorded, target)
        .org(org)
        .after(serde_json::json!({ "trainings": summary }))
        .write(app, |mut tx| async move {
            let mut by_year: HashMap<i32, Vec<i64>> = HashMap::new();
            for (c, orgs) in rows {
                store::insert(&mut tx, &c.training, &c.attendees).await?;
                let touched = by_year.entry(c.training.year).or_default();
                touched.push(c.training.org_id);
                touched.extend(orgs);
            }
            for (year, mut touched) in by_year {
                touched.sort_unstable();
                touched.dedup();
                store::refresh(&mut tx, &app.rules, &touched, year).await?;
            }
            Ok(tx)
        })
        .await
}

/// Records a training of `org` with its attendees (current members of its subtree).
/// Answers the training's id.
pub async fn record(
    app: &App,
    grant: &Grant<RecordTraining>,
    org: &InScope<OrgRecord>,
    input: &TrainingInput,
) -> Result<i64> {
    let id = app.store.reserve_ids("training", 1).await?;
    let checked = check(app, org, input, (id, grant.actor().username()))?;
    let ids: Vec<i64> = checked.attendees.iter().map(|(m, _)| *m).collect();
    let roster = on_roster(app, org, &ids).await?;
    if let Some(missing) = ids.iter().find(|m| !roster.contains_key(m)) {
        return Err(refused(
            "attendees",
            format!("党员（id {missing}）不在{}的名册上", org.org.name),
        ));
    }
    let mut conn = app.store.acquire().await?;
    if store::find(
        &mut conn,
        org.org.id,
        input.starts_on,
        &checked.training.title,
    )
    .await?
    .is_some()
    {
        return Err(refused(
            "title",
            format!(
                "{}已登记过{}开始的“{}”",
                org.org.name, input.starts_on, checked.training.title
            ),
        ));
    }
    drop(conn);
    let mut orgs: Vec<i64> = roster.values().copied().collect();
    orgs.sort_unstable();
    orgs.dedup();
    write(app, grant, org, &[(checked, orgs)]).await?;
    Ok(id)
}

/// A member's standing as a page shows it.
#[derive(Debug, Clone, Serialize)]
pub struct PersonView {
    pub member_id: i64,
    pub name: String,
    pub id_number: String,
    pub org_name: String,
    /// Owes the secretaries' and committee members' hours.
    pub leading: bool,
    pub hours: String,
    pub required: String,
    /// 已达标, 还差N学时, 未达标（差N学时）.
    pub standing: String,
    pub met: bool,
}

/// `recorded`: the member's org recorded any hours in the year (else 暂无数据, not short).
fn person_view(
    app: &App,
    p: &PersonYear,
    (year, recorded): (i32, bool),
    org_name: &str,
) -> PersonView {
    let st = Standing::of(p.year.hours, p.required, year, app.today());
    let standing = if recorded || st.is_met() {
        st.label()
    } else {
        "暂无数据（本组织未记录学时）".to_string()
    };
    PersonView {
        member_id: p.member_id,
        name: p.name.clone(),
        id_number: p.id_masked.clone(),
        org_name: org_name.to_string(),
        leading: p.year.leading,
        hours: hours_text(p.year.hours),
        required: hours_text(p.required),
        standing,
        met: st.is_met(),
    }
}

/// One org's line of an overview: its subtree's tally and what it says.
#[derive(Debug, Clone, Serialize)]
pub struct Line {
    pub org_id: i64,
    pub code: String,
    pub name: String,
    #[serde(flatten)]
    pub tally: Tally,
    pub hours_total: String,
    /// 暂无数据 (no hours recorded in the year); 进行中 (the year runs: 还差 is progress);
    /// else the share done.
    pub status: String,
    /// The share of members whose hours are done, when judged (a year over, records).
    pub met_share: Option<f64>,
}

fn line(o: &OrgRecord, t: Tally, year: i32, today: NaiveDate) -> Line {
    let share = t.judged_share(year, today);
    let silent = if t.unrecorded > 0 {
        format!("；{}人所在组织未记录学时（暂无数据）", t.unrecorded)
    } else {
        String::new()
    };
    let status = if !t.recorded() {
        "暂无数据".to_string()
    } else if !rule::year_over(year, today) {
        format!("进行中：{}人已达标，{}人还差学时{silent}", t.met, t.short)
    } else {
        format!(
            "达标率{:.1}%，{}人未达标{silent}",
            share.unwrap_or(0.0) * 100.0,
            t.short
        )
    };
    Line {
        org_id: o.org.id,
        code: o.org.code.clone(),
        name: o.org.name.clone(),
        tally: t,
        hours_total: hours_text(t.hours),
        status,
        met_share: share,
    }
}

/// An org's training year: its subtree's tally and each direct child's, from the stored
/// tallies (one read per level), the hours the rules ask, and the staffing checks.
#[derive(Debug, Clone, Serialize)]
pub struct Overview {
    pub org: OrgRef,
    pub org_id: i64,
    pub parent_id: Option<i64>,
    pub year: i32,
    pub today: NaiveDate,
    /// The year is not over: short is progress, not failure.
    pub running: bool,
    pub member_hours: String,
    pub leading_hours: String,
    pub total: Line,
    pub children: Vec<Line>,
    pub staffing: staff::Staffing,
}

/// The training overview of `org`'s subtree in `year` (stored facts only).
pub async fn overview(app: &App, org: &InScope<OrgRecord>, year: i32) -> Result<Overview> {
    let today = app.today();
    let mut conn = app.store.acquire().await?;
    let children = org_store::children(&mut conn, &Scope::All, org.org.id).await?;
    let mut ids: Vec<i64> = children.iter().map(|c| c.org.id).collect();
    ids.push(org.org.id);
    let tallies = store::stored(&mut conn, &ids, year).await?;
    drop(conn);
    let get = |id: i64| tallies.get(&id).copied().unwrap_or_default();
    let staffing = staff::staffing(app, org, get(org.org.id)).await?;
    Ok(Overview {
        org: org.org_ref(),
        org_id: org.org.id,
        parent_id: org.org.parent_id,
        year,
        today,
        running: !rule::year_over(year, today),
        member_hours: hours_text(rule::required_tenths(&app.rules, year, false)),
        leading_hours: hours_text(rule::required_tenths(&app.rules, year, true)),
        total: line(org, get(org.org.id), year, today),
        children: children
            .iter()
            .map(|c| line(c, get(c.org.id), year, today))
            .collect(),
        staffing,
    })
}

/// The most people a list shows (the counts are complete).
pub const LIST: usize = 200;

/// `jiceng report training`: the overview with the members short of hours (ID numbers
/// masked), at most [`LIST`], found under the children whose stored tally has any.
#[derive(Debug, Clone, Serialize)]
pub struct Report {
    #[serde(flatten)]
    pub overview: Overview,
    pub short_total: i64,
    pub short: Vec<PersonView>,
}

/// The members of `scope` short of their hours in `year`, at most `max`, read a page at
/// a time in tree order.
async fn short_in(
    app: &App,
    scope: &Scope,
    year: i32,
    max: usize,
    names: &mut HashMap<i64, String>,
) -> Result<Vec<PersonView>> {
    const PAGE: i64 = 2_000;
    let mut out = Vec::new();
    let mut offset = 0;
    loop {
        let mut conn = app.store.acquire().await?;
        let page = store::people(&mut conn, &app.rules, scope, year, (PAGE, offset)).await?;
        let mut missing: Vec<i64> = page
            .iter()
            .map(|p| p.org_id)
            .filter(|id| !names.contains_key(id))
            .collect();
        missing.sort_unstable();
        missing.dedup();
        for o in org_store::by_ids(&mut conn, &missing).await? {
            names.insert(o.org.id, o.org.name);
        }
        let orgs: Vec<i64> = page.iter().map(|p| p.org_id).collect();
        let recorded = store::orgs_with_hours(&mut conn, &orgs, year).await?;
        drop(conn);
        // Short: hours not done in an org that recorded any (else 暂无数据).
        for p in page
            .iter()
            .filter(|p| p.year.hours < p.required && recorded.contains(&p.org_id))
        {
            if out.len() >= max {
                return Ok(out);
            }
            let name = names.get(&p.org_id).cloned().unwrap_or_default();
            out.push(person_view(app, p, (year, true), &name));
        }
        if (page.len() as i64) < PAGE {
            return Ok(out);
        }
        offset += PAGE;
    }
}

pub async fn report(app: &App, org: &InScope<OrgRecord>, year: i32) -> Result<Report> {
    let overview = overview(app, org, year).await?;
    let mut names = HashMap::new();
    let mut short = Vec::new();
    let wanted = (overview.total.tally.short.max(0) as usize).min(LIST);
    if wanted > 0 {
        // The org's own members, then each child's subtree that has anyone short.
        let own_direct = overview.total.tally.short
            - overview.children.iter().map(|c| c.tally.short).sum::<i64>();
        if own_direct > 0 {
            let mut conn = app.store.acquire().await?;
            let direct = store::people(
                &mut conn,
                &app.rules,
                &Scope::subtree(&org.path),
                year,
                (LIST as i64, 0),
            )
            .await?;
            drop(conn);
            for p in direct
                .iter()
                .filter(|p| p.org_id == org.org.id && p.year.hours < p.required)
            {
                short.push(person_view(app, p, (year, true), &org.org.name));
            }
        }
        let mut conn = app.store.acquire().await?;
        let children = org_store::children(&mut conn, &Scope::All, org.org.id).await?;
        drop(conn);
        for c in &overview.children {
            if short.len() >= wanted {
                break;
            }
            if c.tally.short == 0 {
                continue;
            }
            let Some(child) = children.iter().find(|o| o.org.id == c.org_id) else {
                continue;
            };
            let more = short_in(
                app,
                &Scope::subtree(&child.path),
                year,
                wanted - short.len(),
                &mut names,
            )
            .await?;
            short.extend(more);
        }
        short.truncate(LIST);
    }
    Ok(Report {
        short_total: overview.total.tally.short,
        overview,
        short,
    })
}

impl Report {
    /// The workbook: the counts by child org, the members short of hours, the staffing
    /// checks.
    pub fn to_sheets(&self) -> Vec<jiceng_io::Sheet> {
        use jiceng_io::{OutCell, Sheet};
        let o = &self.overview;
        let text = |s: &str| OutCell::Text(s.to_string());
        let int = |n: i64| OutCell::Int(n);
        let counts = |l: &Line| {
            vec![
                text(&l.name),
                int(l.tally.members),
                int(l.tally.met),
                int(l.tally.short),
                int(l.tally.leading),
                int(l.tally.leading_short),
                int(l.tally.secretaries_untrained),
                text(&l.hours_total),
                text(&l.status),
            ]
        };
        let mut rows: Vec<Vec<OutCell>> = o.children.iter().map(counts).collect();
        let mut total = counts(&o.total);
        total[0] = text("合计");
        rows.push(total);
        let word = if o.running {
            "还差学时"
        } else {
            "未达标"
        };
        let people = self
            .short
            .iter()
            .map(|p| {
                vec![
                    text(&p.name),
                    text(&p.id_number),
                    text(&p.org_name),
                    text(if p.leading {
                        "书记或委员"
                    } else {
                        "党员"
                    }),
                    text(&p.hours),
                    text(&p.required),
                    text(&p.standing),
                ]
            })
            .collect();
        let staffing = o
            .staffing
            .townships
            .iter()
            .map(|t| {
                vec![
                    text(&t.name),
                    int(t.organizers),
                    int(t.instructors),
                    int(o.staffing.min),
                    text(if t.short { "不足" } else { "" }),
                ]
            })
            .collect();
        let head = format!("{}{}年度", o.org.name, o.year);
        vec![
            Sheet {
                name: "学时".into(),
                title: format!("{head}党员教育培训学时（截至{}）", o.today),
                headers: [
                    "党组织",
                    "党员",
                    "已达标",
                    word,
                    "书记和委员",
                    "其中学时不足",
                    "无培训的支部书记",
                    "学时合计",
                    "情况",
                ]
                .map(String::from)
                .to_vec(),
                rows,
            },
            Sheet {
                name: "名单".into(),
                title: format!("{head}学时不足的党员"),
                headers: [
                    "姓名",
                    "公民身份号码",
                    "党组织",
                    "身份",
                    "已有学时",
                    "应有学时",
                    "情况",
                ]
                .map(String::from)
                .to_vec(),
                rows: people,
            },
            Sheet {
                name: "党建工作力量".into(),
                title: format!("{}乡镇党委党建工作力量", o.org.name),
                headers: ["乡镇党委", "组织员", "党建工作指导员", "应配", "情况"]
                    .map(String::from)
                    .to_vec(),
                rows: staffing,
            },
        ]
    }
}

/// A branch's (or any org's) training year: its members with their hours and the
/// trainings recorded by the org and below.
#[derive(Debug, Clone, Serialize)]
pub struct OrgYear {
    pub overview: Overview,
    pub people: Vec<PersonView>,
    pub trainings: Vec<TrainingView>,
}

/// The members of `org`'s subtree (at most [`LIST`] × 5) with their hours of `year`, and
/// the trainings of the year recorded in it.
pub async fn org_year(app: &App, org: &InScope<OrgRecord>, year: i32) -> Result<OrgYear> {
    let overview = overview(app, org, year).await?;
    let mut conn = app.store.acquire().await?;
    let people = store::people(
        &mut conn,
        &app.rules,
        &org.subtree(),
        year,
        (LIST as i64 * 5, 0),
    )
    .await?;
    let listed = store::in_scope(&mut conn, &org.subtree(), year, LIST as i64).await?;
    let mut ids: Vec<i64> = people.iter().map(|p| p.org_id).collect();
    ids.extend(listed.iter().map(|l| l.training.org_id));
    ids.sort_unstable();
    ids.dedup();
    let names: HashMap<i64, String> = org_store::by_ids(&mut conn, &ids)
        .await?
        .into_iter()
        .map(|o| (o.org.id, o.org.name))
        .collect();
    let orgs: Vec<i64> = people.iter().map(|p| p.org_id).collect();
    let recorded = store::orgs_with_hours(&mut conn, &orgs, year).await?;
    drop(conn);
    let name = |id: i64| names.get(&id).map(String::as_str).unwrap_or("");
    Ok(OrgYear {
        overview,
        people: people
            .iter()
            .map(|p| {
                let seen = recorded.contains(&p.org_id);
                person_view(app, p, (year, seen), name(p.org_id))
            })
            .collect(),
        trainings: listed
            .iter()
            .map(|l| view(&l.training, name(l.training.org_id), l.attendees))
            .collect(),
    })
}

/// A member's trainings and this year's hours, for the member page.
#[derive(Debug, Clone, Serialize)]
pub struct MemberTraining {
    pub year: i32,
    pub hours: String,
    pub required: String,
    pub standing: String,
    pub met: bool,
    /// Newest first: the training and the hours credited.
    pub trainings: Vec<(TrainingView, String)>,
}

/// The member `member_id`'s trainings (the reader sees the member).
pub(crate) async fn of_member(app: &App, member_id: i64) -> Result<Option<MemberTraining>> {
    let year = app.today().year();
    let mut conn = app.store.acquire().await?;
    let Some(p) = store::person(&mut conn, &app.rules, member_id, year).await? else {
        return Ok(None);
    };
    let list = store::of_member(&mut conn, member_id).await?;
    let mut ids: Vec<i64> = list.iter().map(|(t, _)| t.org_id).collect();
    ids.sort_unstable();
    ids.dedup();
    let names: HashMap<i64, String> = org_store::by_ids(&mut conn, &ids)
        .await?
        .into_iter()
        .map(|o| (o.org.id, o.org.name))
        .collect();
    let recorded = !store::orgs_with_hours(&mut conn, &[p.org_id], year)
        .await?
        .is_empty();
    drop(conn);
    let v = person_view(app, &p, (year, recorded), "");
    Ok(Some(MemberTraining {
        year,
        hours: v.hours,
        required: v.required,
        standing: v.standing,
        met: v.met,
        trainings: list
            .iter()
            .map(|(t, credited)| {
                let org_name = names.get(&t.org_id).map(String::as_str).unwrap_or("");
                (view(t, org_name, 0), hours_text(*credited))
            })
            .collect(),
    }))
}

/// 本月待办: how many members of `org`'s subtree have not yet done this year's hours
/// (stored tally; `None` when none, or the year is over: then it is a result, not a task).
pub async fn short_this_year(app: &App, org: &InScope<OrgRecord>) -> Result<Option<i64>> {
    let year = app.today().year();
    let mut conn = app.store.acquire().await?;
    let t = store::tally(&mut conn, org.org.id, year).await?;
    Ok((t.short > 0).then_some(t.short))
}

/// 本月待办's line about 学时 this year: members still short, or nothing recorded at all.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub enum DueTraining {
    /// This many members have not yet done this year's hours (before 12-31: a task).
    Short(i64),
    /// Members on the roll and no hours recorded this year (暂无数据: record the trainings).
    NothingRecorded,
}

/// What 本月待办 says of 学时 for `org`'s subtree this year (stored tally); `None`: nothing
/// to do (everyone done, or nobody on the roll).
pub async fn due_this_year(app: &App, org: &InScope<OrgRecord>) -> Result<Option<DueTraining>> {
    let year = app.today().year();
    let mut conn = app.store.acquire().await?;
    let t = store::tally(&mut conn, org.org.id, year).await?;
    Ok(if t.members == 0 {
        None
    } else if !t.recorded() {
        Some(DueTraining::NothingRecorded)
    } else if t.short > 0 {
        Some(DueTraining::Short(t.short))
    } else {
        None
    })
}

/// The training `id` if the reader sees its org, with its attendees.
pub async fn get(
    app: &App,
    actor: &crate::access::Actor,
    id: i64,
) -> Result<(TrainingView, Vec<(i64, String)>)> {
    let mut conn = app.store.acquire().await?;
    let t = store::get(&mut conn, &actor.scope, id)
        .await?
        .ok_or_else(|| AppError::NotFound("培训".into()))?;
    let who = store::attendees(&mut conn, id).await?;
    let org_name = org_store::get(&mut conn, &Scope::All, t.org_id)
        .await?
        .map(|o| o.org.name)
        .unwrap_or_default();
    drop(conn);
    Ok((
        view(&t, &org_name, who.len() as i64),
        who.into_iter().map(|(m, h)| (m, hours_text(h))).collect(),
    ))
}
