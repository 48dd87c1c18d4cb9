//! Organizational life pages (SPEC C4): a branch's 本月待办 with one tap to record, the
//! phone-first record form, the meeting page, the org's organizational-life tab, the
//! subtree compliance report with drill-down and a month × kind heat map, and exports.
//!
//! Nothing here counts check-ins, points, rankings of people or online time (SPEC C4).

use std::collections::HashMap;

use askama::Template;
use axum::extract::{Path, Query, State};
use axum::response::{IntoResponse, Redirect, Response};
use axum::Form;
use chrono::{Datelike, NaiveDate};
use jiceng_app::access::{self, Action, OrgKey, RecordLife};
use jiceng_app::meetings::{
    self, Due, ListFilter, MeetingRow, MeetingView, NewMeeting, RecordContext,
};
use jiceng_app::reports::compliance::{self, ComplianceReport, Overview};
use jiceng_app::{browse, AppError};
use jiceng_domain::{AttendanceStatus, Cadence, MeetingKind, Period};
use serde::Deserialize;

use super::common::{tabs, Tab};
use super::{html, opt_i64, xlsx, Nav, Pager};
use crate::api_life::{parse_day, parse_kind, parse_period};
use crate::charts;
use crate::error::{PageError, WebError};
use crate::extract::{PathOrg, QueryOrg};
use crate::routes::{Guard, Routes, Subject};
use crate::session::User;
use crate::AppState;
use jiceng_app::current_periods;

pub fn routes() -> Routes {
    Routes::new()
        .get(
            "/orgs/{id}/due",
            Guard::May(Action::ReadData),
            Subject::Org,
            due_page,
        )
        .get(
            "/orgs/{id}/life",
            Guard::May(Action::ReadData),
            Subject::Org,
            org_life,
        )
        .get(
            "/orgs/{id}/meetings/new",
            Guard::May(Action::RecordLife),
            Subject::Org,
            record_form,
        )
        .post(
            "/orgs/{id}/meetings/new",
            Guard::May(Action::RecordLife),
            Subject::Org,
            record_submit,
        )
        .get(
            "/meetings",
            Guard::May(Action::ReadData),
            Subject::QueryOrg,
            meetings_page,
        )
        .get(
            "/meetings/export.xlsx",
            Guard::May(Action::ReadData),
            Subject::QueryOrg,
            meetings_export,
        )
        .get(
            "/meetings/{id}",
            Guard::May(Action::ReadData),
            Subject::Meeting,
            meeting_page,
        )
        .get(
            "/reports/compliance",
            Guard::May(Action::ReadData),
            Subject::QueryOrg,
            compliance_page,
        )
}

/// `YYYY-MM-DD HH:MM` in China Standard Time, from a UTC instant.
fn cst(t: chrono::DateTime<chrono::Utc>) -> String {
    (t + chrono::Duration::hours(8))
        .format("%Y-%m-%d %H:%M")
        .to_string()
}

/// The same for a stored `computed_at` text (`…Z`).
fn cst_text(s: &str) -> String {
    chrono::DateTime::parse_from_rfc3339(s)
        .map(|t| cst(t.with_timezone(&chrono::Utc)))
        .unwrap_or_else(|_| s.to_string())
}

/// What the pages say about how fresh the figures are.
fn freshness(state: &AppState, overview: Option<&Overview>) -> String {
    let minutes = (state.config.summary_refresh().as_secs() / 60).max(1);
    let last = *state.summaries_refreshed.lock().expect("refresh time");
    let last = match last {
        Some(t) => format!("最近一次刷新：{}（北京时间）", cst(t)),
        None => "本服务启动后尚未刷新".to_string(),
    };
    let source = match overview {
        Some(o) if o.source == "summary" => format!(
            "本页数字取自汇总（计算于{}（北京时间））。",
            o.computed_at.as_deref().map(cst_text).unwrap_or_default()
        ),
        Some(_) => "本页数字为实时计算。".to_string(),
        None => String::new(),
    };
    format!(
        "数据时效：支部记录会议后，本支部及所在乡镇、县（{}个支部以内）的数字立即更新；更大范围的数字取自每{minutes}分钟刷新一次的汇总，{last}。{source}",
        compliance::LIVE_MAX_BRANCHES
    )
}

// ---------------------------------------------------------------- heat map

pub struct HeatCell {
    /// 0: covered by a cell above (rowspan).
    pub rowspan: u32,
    pub text: String,
    pub class: &'static str,
    pub title: String,
}

pub struct HeatRow {
    pub label: String,
    pub cells: Vec<HeatCell>,
}

pub struct HeatMap {
    pub year: i32,
    pub kinds: Vec<&'static str>,
    pub rows: Vec<HeatRow>,
}

/// The month × kind calendar of a year: monthly obligations per month, quarterly ones over
/// their quarter's three months, yearly ones over the whole year; each cell shows how
/// many owed it met (`met/due`), coloured by the share.
fn heat_map(year: i32, cells: &[compliance::CalendarCell], today: NaiveDate) -> HeatMap {
    let by: HashMap<(Period, &str), (i64, i64, i64, i64)> = cells
        .iter()
        .map(|c| ((c.span, c.kind), (c.due, c.met, c.open, c.no_data)))
        .collect();
    // Each kind's cadence as the rules judged it (rule data: 党课 may be yearly).
    let cadence = |k: MeetingKind| -> Cadence {
        let spans = cells.iter().filter(|c| c.kind == k.code()).map(|c| c.span);
        let mut found = None;
        for sp in spans {
            found = Some(match sp {
                Period::Year(_) => Cadence::Yearly,
                Period::Quarter(..) => Cadence::Quarterly,
                Period::Month(..) => Cadence::Monthly,
            });
        }
        found.unwrap_or(k.cadence())
    };
    let cell = |span: Period, k: MeetingKind, rowspan: u32| -> HeatCell {
        let Some((due, met, open_n, no_data)) = by.get(&(span, k.code())).copied() else {
            return HeatCell {
                rowspan,
                text: "—".into(),
                class: "na",
                title: format!("{} {}：无应开展的组织", span.label(), k.label()),
            };
        };
        let title = format!(
            "{} {}：应开展{due}个，已开展{met}个",
            span.label(),
            k.label()
        );
        if span.first_day() > today {
            return HeatCell {
                rowspan,
                text: "未到".into(),
                class: "future",
                title,
            };
        }
        // Nothing closed: a span still running (待办) or one without data (暂无数据).
        if due == 0 {
            return if open_n > 0 {
                HeatCell {
                    rowspan,
                    text: "待办".into(),
                    class: "open",
                    title: format!(
                        "{} {}：尚未结束，{open_n}个组织待办",
                        span.label(),
                        k.label()
                    ),
                }
            } else {
                HeatCell {
                    rowspan,
                    text: "暂无数据".into(),
                    class: "nodata",
                    title: format!(
                        "{} {}：{no_data}个组织暂无数据（台账未录入或是否设立支委会未登记）",
                        span.label(),
                        k.label()
                    ),
                }
            };
        }
        let share = if due > 0 {
            met as f64 / due as f64
        } else {
            1.0
        };
        // Closed spans only reach here: never 待办.
        let open = false;
        let class = if open {
            "open"
        } else if share >= 1.0 {
            "h4"
        } else if share >= 0.8 {
            "h3"
        } else if share >= 0.5 {
            "h2"
        } else if share > 0.0 {
            "h1"
        } else {
            "h0"
        };
        let text = if due == 1 {
            if met >= 1 {
                "✓".to_string()
            } else if open {
                "待办".to_string()
            } else {
                "✗".to_string()
            }
        } else {
            format!("{met}/{due}")
        };
        HeatCell {
            rowspan,
            text,
            class,
            title,
        }
    };
    let rows: Vec<HeatRow> = (1..=12u32)
        .map(|m| {
            let cells = MeetingKind::ALL
                .iter()
                .map(|k| match cadence(*k) {
                    Cadence::Monthly => cell(Period::Month(year, m), *k, 1),
                    Cadence::Quarterly if m % 3 == 1 => {
                        cell(Period::Quarter(year, (m - 1) / 3 + 1), *k, 3)
                    }
                    Cadence::Yearly if m == 1 => cell(Period::Year(year), *k, 12),
                    _ => HeatCell {
                        rowspan: 0,
                        text: String::new(),
                        class: "",
                        title: String::new(),
                    },
                })
                .collect();
            HeatRow {
                label: format!("{m}月"),
                cells,
            }
        })
        .collect();
    // Kinds nobody in the subtree owes (no committee, no groups) are left out: a phone
    // has room for five columns, not seven.
    let owed: Vec<bool> = (0..MeetingKind::ALL.len())
        .map(|i| {
            rows.iter()
                .any(|r: &HeatRow| r.cells[i].rowspan > 0 && r.cells[i].class != "na")
        })
        .collect();
    let rows = rows
        .into_iter()
        .map(|r| HeatRow {
            label: r.label,
            cells: r
                .cells
                .into_iter()
                .zip(&owed)
                .filter(|(_, o)| **o)
                .map(|(c, _)| c)
                .collect(),
        })
        .collect();
    HeatMap {
        year,
        kinds: MeetingKind::ALL
            .iter()
            .zip(&owed)
            .filter(|(_, o)| **o)
            .map(|(k, _)| k.short_label())
            .collect(),
        rows,
    }
}

// ---------------------------------------------------------------- 本月待办

pub struct DueLine {
    pub label: String,
    pub group: Option<String>,
    pub due: i64,
    pub held: i64,
    pub deadline: String,
    pub record: String,
}

pub struct DueSection {
    pub id: &'static str,
    pub heading: String,
    pub lines: Vec<DueLine>,
    pub empty: &'static str,
}

#[derive(Template)]
#[template(path = "life_due.html")]
struct DuePage {
    title: String,
    nav: Nav,
    branch_id: i64,
    branch_name: String,
    today: String,
    flash: Option<(i64, String)>,
    sections: Vec<DueSection>,
    open: usize,
    /// 暂无数据 and 临时党支部 notes.
    notes: Vec<String>,
    done: Vec<MeetingRow>,
    month_label: String,
    can_write: bool,
    freshness: String,
}

#[derive(Deserialize)]
struct DoneParam {
    done: Option<String>,
}

fn due_sections(d: &Due) -> Vec<DueSection> {
    let line = |i: &meetings::DueItem| DueLine {
        label: i.label.to_string(),
        group: i.group.as_ref().map(|g| g.name.clone()),
        due: i.due,
        held: i.held,
        deadline: format!("{}月{}日", i.deadline.month(), i.deadline.day()),
        record: format!("/orgs/{}/meetings/new?kind={}&back=due", i.org_id, i.kind),
    };
    let of = |p: Period| d.items.iter().filter(|i| i.span == p).map(line).collect();
    let last_year = Period::Year(d.year.first_day().year() - 1);
    let mut out = vec![];
    let late: Vec<DueLine> = of(last_year);
    if !late.is_empty() {
        out.push(DueSection {
            id: "due-last-year",
            heading: format!("上年度（{}度，可在次年初补开）", last_year.label()),
            lines: late,
            empty: "",
        });
    }
    out.extend([
        DueSection {
            id: "due-month",
            heading: format!("本月（{}）", d.month.label()),
            lines: of(d.month),
            empty: "本月应开展的组织生活已全部完成。",
        },
        DueSection {
            id: "due-quarter",
            heading: format!("本季度（{}）", d.quarter.label()),
            lines: of(d.quarter),
            empty: "本季度应开展的组织生活已全部完成。",
        },
        DueSection {
            id: "due-year",
            heading: format!("本年度（{}）", d.year.label()),
            lines: of(d.year),
            empty: "本年度应开展的组织生活已全部完成。",
        },
    ]);
    out
}

async fn due_page(
    State(state): State<AppState>,
    PathOrg { user, org }: PathOrg<User>,
    Query(q): Query<DoneParam>,
) -> Result<Response, PageError> {
    let today = state.app.today();
    let d = meetings::due(&state.app, &org, today).await?;
    let month = Period::month_of(today);
    let (done, _) = meetings::list(
        &state.app,
        &user.actor,
        &ListFilter {
            branch_id: Some(d.branch_id),
            from: Some(month.first_day()),
            to: Some(month.last_day()),
            kind: None,
        },
        1,
        100,
    )
    .await?;
    let flash = match opt_i64(&q.done)? {
        Some(mid) => meetings::get(&state.app, &user.actor, mid)
            .await
            .ok()
            .map(|m| (m.id, format!("已记录：{} {}“{}”", m.date, m.label, m.topic))),
        None => None,
    };
    let sections = due_sections(&d);
    html(&DuePage {
        title: format!("本月待办 · {}", d.branch.name),
        nav: Nav::of(&user),
        branch_id: d.branch_id,
        branch_name: d.branch.name.clone(),
        today: today.to_string(),
        flash,
        open: d.items.len(),
        notes: d.notes.clone(),
        sections,
        done,
        month_label: month.label(),
        can_write: user.actor.may(Action::RecordLife),
        freshness: freshness(&state, None),
    })
}

// ---------------------------------------------------------------- record form

pub struct KindChoice {
    pub value: &'static str,
    pub label: &'static str,
    pub selected: bool,
}

pub struct AttendeeLine {
    pub id: i64,
    pub name: String,
    pub full: bool,
    pub status: &'static str,
    pub reason: String,
}

/// The form's values as text, so a refused form comes back as the user filled it.
#[derive(Default)]
pub struct RecordValues {
    pub kind: String,
    pub group: String,
    pub date: String,
    pub topic: String,
    pub venue: String,
    pub host: String,
    pub expected: String,
    pub present: String,
    pub excused: String,
    pub minutes: String,
    pub decisions: String,
    pub masses_present: String,
    pub central_task: bool,
    pub members_needs: bool,
    pub votes: bool,
    /// Further kinds the same session served (codes of the ticked boxes).
    pub also: Vec<String>,
    /// 所属年度 (empty: the date's year).
    pub for_year: String,
    /// A 换届选举.
    pub election: bool,
    pub back: String,
}

/// Errors by field; `general` for the rest.
#[derive(Default)]
pub struct FieldErrors {
    pub kind: Option<String>,
    pub date: Option<String>,
    pub topic: Option<String>,
    pub attendance: Option<String>,
    pub masses: Option<String>,
    pub general: Option<String>,
}

impl FieldErrors {
    fn any(&self) -> bool {
        self.kind.is_some()
            || self.date.is_some()
            || self.topic.is_some()
            || self.attendance.is_some()
            || self.masses.is_some()
            || self.general.is_some()
    }

    /// Places a use case's refusal (one or more messages joined by "；") by its words.
    fn place(&mut self, message: &str) {
        for m in message.split('；').map(str::trim).filter(|m| !m.is_empty()) {
            let slot =
                if m.contains("会议类型") || m.contains("只能由党小组") || m.contains("应由党支部")
                {
                    &mut self.kind
                } else if m.contains("日期") || m.contains("撤销或尚未成立") {
                    &mut self.date
                } else if m.contains("主题") || m.contains("已记录过") {
                    &mut self.topic
                } else if m.contains("人数") || m.contains("党员") || m.contains("应到") {
                    &mut self.attendance
                } else {
                    &mut self.general
                };
            match slot {
                Some(s) => {
                    s.push('；');
                    s.push_str(m);
                }
                None => *slot = Some(m.to_string()),
            }
        }
    }
}

#[derive(Template)]
#[template(path = "life_record.html")]
struct RecordPage {
    title: String,
    nav: Nav,
    action: String,
    branch_id: i64,
    branch_name: String,
    today: String,
    kinds: Vec<KindChoice>,
    /// The kinds a combined session may also serve (ticked boxes).
    also: Vec<KindChoice>,
    groups: Vec<(i64, String, bool)>,
    attendees: Vec<AttendeeLine>,
    f: RecordValues,
    e: FieldErrors,
}

fn kind_choices(ctx: &RecordContext, selected: &str) -> Vec<KindChoice> {
    MeetingKind::ALL
        .iter()
        .filter(|k| {
            // Only what this branch can hold: group meetings need a group, committee
            // meetings a committee (still offered when preselected).
            let code = k.code();
            code == selected
                || match k {
                    MeetingKind::GroupMeeting => !ctx.groups.is_empty(),
                    MeetingKind::CommitteeMeeting => ctx.has_committee,
                    _ => true,
                }
        })
        .map(|k| KindChoice {
            value: k.code(),
            label: k.label(),
            selected: k.code() == selected,
        })
        .collect()
}

fn record_page(
    user: &User,
    id: i64,
    ctx: &RecordContext,
    f: RecordValues,
    statuses: &HashMap<i64, (&'static str, String)>,
    e: FieldErrors,
    today: NaiveDate,
) -> RecordPage {
    let attendees = ctx
        .roster
        .iter()
        .map(|m| {
            let (status, reason) = statuses
                .get(&m.id)
                .cloned()
                .unwrap_or(("present", String::new()));
            AttendeeLine {
                id: m.id,
                name: m.name.clone(),
                full: m.full,
                status,
                reason,
            }
        })
        .collect();
    RecordPage {
        title: format!("记录组织生活 · {}", ctx.branch.name),
        nav: Nav::of(user),
        action: format!("/orgs/{id}/meetings/new"),
        branch_id: ctx.branch_id,
        branch_name: ctx.branch.name.clone(),
        today: today.to_string(),
        kinds: kind_choices(ctx, &f.kind),
        also: kind_choices(ctx, "")
            .into_iter()
            .filter(|k| k.value != MeetingKind::GroupMeeting.code())
            .map(|k| KindChoice {
                selected: f.also.iter().any(|a| a == k.value),
                ..k
            })
            .collect(),
        groups: ctx
            .groups
            .iter()
            .map(|(gid, name)| (*gid, name.clone(), f.group == gid.to_string()))
            .collect(),
        attendees,
        f,
        e,
    }
}

#[derive(Deserialize)]
struct NewParams {
    kind: Option<String>,
    back: Option<String>,
}

async fn record_form(
    State(state): State<AppState>,
    PathOrg { user, org }: PathOrg<User>,
    Query(q): Query<NewParams>,
) -> Result<Response, PageError> {
    user.actor.grant::<RecordLife>()?;
    let id = org.org.id;
    let ctx = meetings::record_context(&state.app, &org).await?;
    let today = state.app.today();
    let kind = q
        .kind
        .as_deref()
        .and_then(|k| parse_kind(k).ok().flatten())
        .map(|k| k.code().to_string())
        .unwrap_or_default();
    let f = RecordValues {
        kind,
        group: ctx.group_id.map(|g| g.to_string()).unwrap_or_default(),
        date: today.to_string(),
        back: q.back.unwrap_or_default(),
        ..Default::default()
    };
    html(&record_page(
        &user,
        id,
        &ctx,
        f,
        &HashMap::new(),
        FieldErrors::default(),
        today,
    ))
}

async fn record_submit(
    State(state): State<AppState>,
    PathOrg { user, org }: PathOrg<User>,
    Form(fields): Form<Vec<(String, String)>>,
) -> Result<Response, PageError> {
    let id = org.org.id;
    let field = |name: &str| -> String {
        fields
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.clone())
            .unwrap_or_default()
    };
    user.check_csrf(&field("csrf"))?;
    let grant = user.actor.grant::<RecordLife>()?;
    let ctx = meetings::record_context(&state.app, &org).await?;
    let today = state.app.today();
    let f = RecordValues {
        kind: field("kind"),
        group: field("group"),
        date: field("date"),
        topic: field("topic"),
        venue: field("venue"),
        host: field("host"),
        expected: field("expected"),
        present: field("present"),
        excused: field("excused"),
        minutes: field("minutes"),
        decisions: field("decisions"),
        masses_present: field("masses_present"),
        central_task: !field("central_task").is_empty(),
        members_needs: !field("members_needs").is_empty(),
        votes: !field("votes").is_empty(),
        also: fields
            .iter()
            .filter(|(k, v)| k == "also" && !v.is_empty())
            .map(|(_, v)| v.clone())
            .collect(),
        for_year: field("for_year"),
        election: !field("election").is_empty(),
        back: field("back"),
    };
    // Attendance picked from the roster: `att_<member id>` = present / excused / absent,
    // `reason_<member id>` the reason of an absence.
    let mut statuses: HashMap<i64, (&'static str, String)> = HashMap::new();
    for m in &ctx.roster {
        let s = AttendanceStatus::from_code(&field(&format!("att_{}", m.id)))
            .unwrap_or(AttendanceStatus::Absent);
        statuses.insert(m.id, (s.code(), field(&format!("reason_{}", m.id))));
    }
    let mut e = FieldErrors::default();
    let kind = match parse_kind(&f.kind) {
        Ok(Some(k)) => Some(k),
        Ok(None) => {
            e.kind = Some("请选择会议类型".into());
            None
        }
        Err(m) => {
            e.kind = Some(m);
            None
        }
    };
    let date = match parse_day(&f.date, "会议日期") {
        Ok(Some(d)) if d > today => {
            e.date = Some(format!("会议日期{d}晚于今天"));
            None
        }
        Ok(Some(d)) => Some(d),
        Ok(None) => {
            e.date = Some("请填写会议日期".into());
            None
        }
        Err(m) => {
            e.date = Some(m);
            None
        }
    };
    if f.topic.trim().is_empty() {
        e.topic = Some("请填写会议主题".into());
    }
    let count = |s: &str, what: &str, e: &mut Option<String>| -> Option<i64> {
        let s = s.trim();
        if s.is_empty() {
            return None;
        }
        match s.parse::<i64>() {
            Ok(n) if n >= 0 => Some(n),
            _ => {
                *e = Some(format!("{what}应为不小于0的整数：{s}"));
                None
            }
        }
    };
    // Empty: not recorded (unknown), not 0.
    let masses = count(&f.masses_present, "群众参与人数", &mut e.masses);
    let also: Vec<MeetingKind> = f
        .also
        .iter()
        .filter_map(|c| MeetingKind::from_code(c))
        .collect();
    let for_year = match f.for_year.trim() {
        "" => None,
        y => match y
            .trim_end_matches("年度")
            .trim_end_matches('年')
            .parse::<i32>()
        {
            Ok(y) => Some(y),
            Err(_) => {
                e.date = Some(format!("所属年度应为四位年份：{y}"));
                None
            }
        },
    };
    let (mut expected, mut present, mut excused) = (None, None, None);
    let mut attendees = Vec::new();
    if ctx.roster.is_empty() {
        expected = count(&f.expected, "应到人数", &mut e.attendance);
        present = count(&f.present, "实到人数", &mut e.attendance);
        excused = count(&f.excused, "请假人数", &mut e.attendance);
        if expected.is_none() && e.attendance.is_none() {
            e.attendance = Some("请填写应到、实到人数".into());
        }
    } else {
        for m in &ctx.roster {
            let (s, reason) = &statuses[&m.id];
            let status = AttendanceStatus::from_code(s).unwrap_or(AttendanceStatus::Absent);
            attendees.push((
                m.id,
                status,
                Some(reason.trim().to_string()).filter(|r| !r.is_empty()),
            ));
        }
        if !attendees.iter().any(|a| a.1 == AttendanceStatus::Present) {
            e.attendance = Some("请至少勾选一名出席的党员".into());
        }
    }
    // A group meeting is recorded for the group chosen (or the one the form was opened for).
    let org_id = if kind == Some(MeetingKind::GroupMeeting) {
        match f.group.trim().parse::<i64>() {
            Ok(g) if ctx.groups.iter().any(|(gid, _)| *gid == g) => g,
            _ => {
                e.kind = Some("党小组会请选择召开的党小组".into());
                id
            }
        }
    } else {
        ctx.branch_id
    };
    let mut recorded = None;
    if !e.any() {
        let new = NewMeeting {
            kind,
            also,
            for_year,
            election: f.election,
            date,
            topic: f.topic.clone(),
            venue: Some(f.venue.clone()),
            host: Some(f.host.clone()),
            expected,
            present,
            excused,
            attendees,
            excused_reasons: vec![],
            minutes: Some(f.minutes.clone()),
            decisions: Some(f.decisions.clone()),
            masses_present: masses,
            central_task: f.central_task,
            members_needs: f.members_needs,
            votes: f.votes,
        };
        // The group (or the branch) chosen, proven in the actor's scope like the path's org.
        let held_by = if org_id == id {
            org.clone()
        } else {
            access::resolve(&state.app, &user.actor, &OrgKey::Id(org_id)).await?
        };
        match meetings::record(&state.app, &grant, &held_by, &new).await {
            Ok(r) => recorded = Some(r),
            Err(AppError::Input(m)) => e.place(&m),
            Err(other) => return Err(other.into()),
        }
    }
    if let Some(r) = recorded {
        let to = if f.back == "due" {
            format!("/orgs/{}/due?done={}", ctx.branch_id, r.id)
        } else {
            format!("/meetings/{}?done=recorded", r.id)
        };
        return Ok(Redirect::to(&to).into_response());
    }
    let mut resp = html(&record_page(&user, id, &ctx, f, &statuses, e, today))?;
    *resp.status_mut() = axum::http::StatusCode::UNPROCESSABLE_ENTITY;
    Ok(resp)
}

// ---------------------------------------------------------------- meeting page

#[derive(Template)]
#[template(path = "life_meeting.html")]
struct MeetingPage {
    title: String,
    nav: Nav,
    m: MeetingView,
    rate: String,
    flash: bool,
    breadcrumb: Vec<(i64, String)>,
}

async fn meeting_page(
    State(state): State<AppState>,
    user: User,
    Path(id): Path<i64>,
    Query(q): Query<DoneParam>,
) -> Result<Response, PageError> {
    let m = meetings::get(&state.app, &user.actor, id).await?;
    let branch = access::resolve(&state.app, &user.actor, &OrgKey::Id(m.branch_id)).await?;
    let breadcrumb = browse::breadcrumb(&state.app, &user.actor, &branch).await?;
    html(&MeetingPage {
        title: format!("{} · {}", m.label, m.topic),
        nav: Nav::of(&user),
        rate: charts::pct(m.attendance_rate),
        flash: q.done.as_deref() == Some("recorded"),
        breadcrumb,
        m,
    })
}

// ---------------------------------------------------------------- the org's tab

#[derive(Template)]
#[template(path = "life_org.html")]
struct OrgLifePage {
    title: String,
    nav: Nav,
    org_id: i64,
    org_name: String,
    kind_label: String,
    is_branch: bool,
    can_write: bool,
    open: usize,
    month_label: String,
    rate: String,
    branches: i64,
    compliant: i64,
    held_nothing: i64,
    heat: Option<HeatMap>,
    recent: Vec<MeetingRow>,
    total: i64,
    freshness: String,
}

async fn org_life(
    State(state): State<AppState>,
    PathOrg { user, org }: PathOrg<User>,
) -> Result<Response, PageError> {
    let id = org.org.id;
    let today = state.app.today();
    let month = Period::month_of(today);
    let is_branch = org.org.kind == jiceng_domain::OrgKind::Branch;
    let o = compliance::overview(&state.app, &org, month).await?;
    let (open, heat) = if is_branch {
        let d = meetings::due(&state.app, &org, today).await?;
        let year = Period::year_of(today);
        let r = compliance::run(&state.app, &org, year).await?;
        (
            d.items.len(),
            Some(heat_map(today.year(), &r.calendar, today)),
        )
    } else {
        (0, None)
    };
    let (recent, total) = meetings::list_under(&state.app, &org, 1, 10).await?;
    html(&OrgLifePage {
        title: format!("组织生活 · {}", org.org.name),
        nav: Nav::of(&user),
        org_id: id,
        org_name: org.org.name.clone(),
        kind_label: org.org.kind.label().to_string(),
        is_branch,
        can_write: user.actor.may(Action::RecordLife),
        open,
        month_label: month.label(),
        rate: charts::pct(o.org.rate),
        branches: o.org.branches,
        compliant: o.org.compliant,
        held_nothing: o.org.held_nothing,
        heat,
        recent,
        total,
        freshness: freshness(&state, Some(&o)),
    })
}

// ---------------------------------------------------------------- meeting list

/// The query of the meeting list; `?org=` is read by [`QueryOrg`].
#[derive(Deserialize)]
struct ListParams {
    page: Option<i64>,
}

#[derive(Template)]
#[template(path = "life_meetings.html")]
struct MeetingsPage {
    title: String,
    nav: Nav,
    org_id: i64,
    org_name: String,
    rows: Vec<MeetingRow>,
    pager: Pager,
}

const PAGE: i64 = 20;

async fn meetings_page(
    State(state): State<AppState>,
    QueryOrg { user, org }: QueryOrg<User>,
    Query(p): Query<ListParams>,
) -> Result<Response, PageError> {
    let page = p.page.unwrap_or(1).max(1);
    let (rows, total) = meetings::list_under(&state.app, &org, page, PAGE).await?;
    let pages = ((total + PAGE - 1) / PAGE).max(1);
    html(&MeetingsPage {
        title: format!("会议记录 · {}", org.org.name),
        nav: Nav::of(&user),
        org_id: org.org.id,
        org_name: org.org.name.clone(),
        rows,
        pager: Pager::new(
            "/meetings",
            &[("org", org.org.id.to_string())],
            page,
            pages,
            total,
        ),
    })
}

async fn meetings_export(
    State(state): State<AppState>,
    QueryOrg { user, org }: QueryOrg<User>,
) -> Result<Response, PageError> {
    let (rows, _) = meetings::list_under(&state.app, &org, 1, jiceng_app::export::MAX_ROWS).await?;
    let title = format!("{} 会议记录", org.org.name);
    let sheet = meetings::meetings_sheet(&title, &rows);
    let bytes =
        jiceng_app::export::workbook(&state.app, &user.actor, "meetings", Some(&org), &[sheet])
            .await?;
    Ok(xlsx(&format!("{title}.xlsx"), bytes))
}

// ---------------------------------------------------------------- compliance report

#[derive(Deserialize)]
struct ReportParams {
    period: Option<String>,
    page: Option<i64>,
    format: Option<String>,
}

pub struct ChildLine {
    pub id: i64,
    pub name: String,
    pub kind_label: String,
    pub is_branch: bool,
    pub branches: i64,
    pub compliant: i64,
    pub rate: String,
    pub held_nothing: i64,
}

pub struct MissingLine {
    pub name: String,
    pub missing: String,
    pub held_nothing: bool,
}

pub struct PeriodLink {
    pub label: String,
    pub href: String,
    pub active: bool,
}

#[derive(Template)]
#[template(path = "life_compliance.html")]
struct CompliancePage {
    title: String,
    nav: Nav,
    tabs: Vec<Tab>,
    org_id: i64,
    org_name: String,
    period: String,
    period_label: String,
    periods: Vec<PeriodLink>,
    branches: i64,
    compliant: i64,
    rate: String,
    held_nothing_n: i64,
    attendance: String,
    quorum_failed: Option<i64>,
    children: Vec<ChildLine>,
    detail: bool,
    noncompliant: Vec<MissingLine>,
    noncompliant_total: usize,
    pager: Pager,
    held_nothing: Vec<String>,
    heat: Option<HeatMap>,
    freshness: String,
    /// "截至…已结束的周期": the figures count closed spans only.
    judged_note: String,
    /// Branches with something still due (待办), with what and by when.
    pending: Vec<MissingLine>,
    /// Branches that cannot be judged (暂无数据), with why.
    no_data: Vec<MissingLine>,
    /// 临时党支部 (not judged as standing branches).
    temporary: Vec<String>,
}

fn missing_text(n: &compliance::NonCompliant) -> String {
    n.missing
        .iter()
        .map(|m| {
            let label = MeetingKind::from_code(m.kind)
                .map(|k| k.label())
                .unwrap_or(m.kind);
            let group = m
                .group
                .as_ref()
                .map(|g| format!("（{}）", g.name))
                .unwrap_or_default();
            format!("{label}{group} 应{}次、已{}次", m.due, m.held)
        })
        .collect::<Vec<_>>()
        .join("；")
}

fn label_of(code: &str) -> &'static str {
    MeetingKind::from_code(code)
        .map(|k| k.label())
        .unwrap_or("")
}

fn period_links(org: i64, period: Period, today: NaiveDate) -> Vec<PeriodLink> {
    let [m, q, y] = current_periods(today);
    let prev_month = Period::month_of(m.first_day() - chrono::Duration::days(1));
    let prev_quarter = Period::quarter_of(q.first_day() - chrono::Duration::days(1));
    let prev_year = Period::year_of(y.first_day() - chrono::Duration::days(1));
    [
        ("本月", m),
        ("上月", prev_month),
        ("本季度", q),
        ("上季度", prev_quarter),
        ("本年度", y),
        ("上年度", prev_year),
    ]
    .into_iter()
    .map(|(l, p)| PeriodLink {
        label: l.to_string(),
        href: format!("/reports/compliance?org={org}&period={p}"),
        active: p == period,
    })
    .collect()
}

async fn compliance_page(
    State(state): State<AppState>,
    QueryOrg { user, org }: QueryOrg<User>,
    Query(p): Query<ReportParams>,
) -> Result<Response, PageError> {
    let today = state.app.today();
    let period =
        parse_period(p.period.as_deref(), today).map_err(|m| PageError(WebError::BadRequest(m)))?;
    if p.format.as_deref() == Some("xlsx") {
        let r = compliance::run(&state.app, &org, period).await?;
        let bytes = jiceng_app::export::workbook(
            &state.app,
            &user.actor,
            "report:组织生活",
            Some(&org),
            &r.to_sheets(),
        )
        .await?;
        return Ok(xlsx(
            &format!("组织生活-{}-{}.xlsx", org.org.name, period),
            bytes,
        ));
    }
    let o = compliance::overview(&state.app, &org, period).await?;
    let kinds: HashMap<i64, (String, bool)> = browse::org_children(&state.app, &org)
        .await?
        .into_iter()
        .map(|c| (c.id, (c.kind_label, c.kind == "Branch")))
        .collect();
    let children = o
        .children
        .iter()
        .map(|c| {
            let (kind_label, is_branch) = kinds.get(&c.org_id).cloned().unwrap_or_default();
            ChildLine {
                id: c.org_id,
                name: c.org.name.clone(),
                kind_label,
                is_branch,
                branches: c.branches,
                compliant: c.compliant,
                rate: charts::pct(c.rate),
                held_nothing: c.held_nothing,
            }
        })
        .collect();
    // The lists and the calendar judge every branch: done for a subtree judged live
    // (a county or less), left to the export and to the drill-down above that.
    let detail = o.source == "live";
    let page = p.page.unwrap_or(1).max(1);
    let (mut report, mut heat): (Option<ComplianceReport>, Option<HeatMap>) = (None, None);
    if detail {
        let r = compliance::run(&state.app, &org, period).await?;
        let year = match period {
            Period::Month(y, _) | Period::Quarter(y, _) | Period::Year(y) => y,
        };
        let cal = if matches!(period, Period::Year(_)) {
            r.calendar.clone()
        } else {
            compliance::run(&state.app, &org, Period::Year(year))
                .await?
                .calendar
        };
        heat = Some(heat_map(year, &cal, today));
        report = Some(r);
    }
    let pending: Vec<MissingLine> = report
        .as_ref()
        .map(|r| {
            r.pending
                .iter()
                .take(PAGE as usize)
                .map(|p| MissingLine {
                    name: p.org.name.clone(),
                    missing: p
                        .items
                        .iter()
                        .map(|i| {
                            format!(
                                "{}{} 应{}次、已{}次，{}前",
                                label_of(i.kind),
                                i.group
                                    .as_ref()
                                    .map(|g| format!("（{}）", g.name))
                                    .unwrap_or_default(),
                                i.due,
                                i.held,
                                i.due_by
                            )
                        })
                        .collect::<Vec<_>>()
                        .join("；"),
                    held_nothing: false,
                })
                .collect()
        })
        .unwrap_or_default();
    let no_data: Vec<MissingLine> = report
        .as_ref()
        .map(|r| {
            r.no_data
                .iter()
                .take(PAGE as usize)
                .map(|n| MissingLine {
                    name: n.org.name.clone(),
                    missing: format!("暂无数据：{}", n.reasons.join("；")),
                    held_nothing: false,
                })
                .collect()
        })
        .unwrap_or_default();
    let temporary: Vec<String> = report
        .as_ref()
        .map(|r| r.temporary.iter().map(|t| t.name.clone()).collect())
        .unwrap_or_default();
    let noncompliant_total = report.as_ref().map(|r| r.noncompliant.len()).unwrap_or(0);
    let pages = ((noncompliant_total as i64 + PAGE - 1) / PAGE).max(1);
    let held: std::collections::HashSet<String> = report
        .as_ref()
        .map(|r| r.held_nothing.iter().map(|h| h.code.clone()).collect())
        .unwrap_or_default();
    let noncompliant = report
        .as_ref()
        .map(|r| {
            r.noncompliant
                .iter()
                .skip((page.min(pages) - 1).saturating_mul(PAGE) as usize)
                .take(PAGE as usize)
                .map(|n| MissingLine {
                    name: n.org.name.clone(),
                    missing: missing_text(n),
                    held_nothing: held.contains(&n.org.code),
                })
                .collect()
        })
        .unwrap_or_default();
    let attendance = report
        .as_ref()
        .map(|r| {
            format!(
                "会议{}次，参会率{}，群众参与{}人次",
                r.attendance.meetings,
                charts::pct(r.attendance.rate),
                r.attendance.masses_present
            )
        })
        .unwrap_or_default();
    html(&CompliancePage {
        title: format!("组织生活开展情况 · {}", org.org.name),
        nav: Nav::of(&user),
        tabs: tabs(org.org.id, "compliance"),
        org_id: org.org.id,
        org_name: org.org.name.clone(),
        period: period.to_string(),
        period_label: period.label(),
        periods: period_links(org.org.id, period, today),
        branches: o.org.branches,
        compliant: o.org.compliant,
        rate: charts::pct(o.org.rate),
        held_nothing_n: o.org.held_nothing,
        attendance,
        quorum_failed: report.as_ref().map(|r| r.quorum_failed),
        children,
        detail,
        noncompliant,
        noncompliant_total,
        pager: Pager::new(
            "/reports/compliance",
            &[
                ("org", org.org.id.to_string()),
                ("period", period.to_string()),
            ],
            page,
            pages,
            noncompliant_total as i64,
        ),
        held_nothing: report
            .map(|r| r.held_nothing.into_iter().map(|h| h.name).collect())
            .unwrap_or_default(),
        heat,
        freshness: freshness(&state, Some(&o)),
        judged_note: o.judged_note.clone(),
        pending,
        no_data,
        temporary,
    })
}
