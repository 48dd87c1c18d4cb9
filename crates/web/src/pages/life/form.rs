//! The record form as submitted: its values kept as text (a refused form comes back as
//! filled), read into a `NewMeeting`, and the errors placed by field — the form's own and
//! the use case's, each by the field it names (`RecordError::field`).

use std::collections::HashMap;

use chrono::NaiveDate;
use jiceng_app::meetings::{Field, NewMeeting, RecordContext, RecordErrors};
use jiceng_domain::{AttendanceStatus, MeetingKind};

pub(super) use crate::parse::Fields;
use crate::parse::{parse_day, parse_kind};

/// Each roster member's attendance as ticked (`att_<id>`: present / excused / absent,
/// anything else absent) and the reason typed (`reason_<id>`).
pub(super) type Statuses = HashMap<i64, (&'static str, String)>;

/// The form's values as text, so a refused form comes back as the user filled it.
#[derive(Default)]
pub struct RecordValues {
    pub kind: String,
    pub group: String,
    pub date: String,
    pub topic: String,
    pub venue: String,
    /// The 活动场所 picked (its id; empty: none).
    pub venue_id: String,
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
    /// 流入党员 ticked as 列席 (registration ids).
    pub guests: Vec<String>,
    /// A second meeting of the kind in its span confirmed (仍然保存).
    pub confirm_repeat: bool,
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

impl RecordValues {
    pub(super) fn read(f: &Fields) -> RecordValues {
        RecordValues {
            kind: f.get("kind"),
            group: f.get("group"),
            date: f.get("date"),
            topic: f.get("topic"),
            venue: f.get("venue"),
            venue_id: f.get("venue_id"),
            host: f.get("host"),
            expected: f.get("expected"),
            present: f.get("present"),
            excused: f.get("excused"),
            minutes: f.get("minutes"),
            decisions: f.get("decisions"),
            masses_present: f.get("masses_present"),
            central_task: f.ticked("central_task"),
            members_needs: f.ticked("members_needs"),
            votes: f.ticked("votes"),
            also: f.all("also"),
            for_year: f.get("for_year"),
            election: f.ticked("election"),
            guests: f.all("guest"),
            confirm_repeat: f.ticked("confirm_repeat"),
            back: f.get("back"),
        }
    }
}

/// The attendance ticked for each member of the roster.
pub(super) fn statuses(f: &Fields, ctx: &RecordContext) -> Statuses {
    ctx.roster
        .iter()
        .map(|m| {
            let s = AttendanceStatus::from_code(&f.get(&format!("att_{}", m.id)))
                .unwrap_or(AttendanceStatus::Absent);
            (m.id, (s.code(), f.get(&format!("reason_{}", m.id))))
        })
        .collect()
}

impl FieldErrors {
    pub(super) fn any(&self) -> bool {
        self.kind.is_some()
            || self.date.is_some()
            || self.topic.is_some()
            || self.attendance.is_some()
            || self.masses.is_some()
            || self.general.is_some()
    }

    /// Places each reason the use case refused the meeting for beside the field it is
    /// about (the rest above the form).
    pub(super) fn place(&mut self, refused: &RecordErrors) {
        for r in refused.iter() {
            let slot = match r.field() {
                Some(Field::Kind) => &mut self.kind,
                Some(Field::Date) => &mut self.date,
                Some(Field::Topic) => &mut self.topic,
                Some(Field::Attendance) => &mut self.attendance,
                None => &mut self.general,
            };
            match slot {
                Some(s) => {
                    s.push('；');
                    s.push_str(&r.to_string());
                }
                None => *slot = Some(r.to_string()),
            }
        }
    }
}

/// A value the form must have: read, or why not into `slot` (blank: `missing`).
fn required<T>(
    read: Result<Option<T>, String>,
    missing: &str,
    slot: &mut Option<String>,
) -> Option<T> {
    match read {
        Ok(Some(v)) => Some(v),
        Ok(None) => {
            *slot = Some(missing.into());
            None
        }
        Err(m) => {
            *slot = Some(m);
            None
        }
    }
}

/// A head count as typed; empty is not recorded (unknown), not 0.
fn count(s: &str, what: &str, slot: &mut Option<String>) -> Option<i64> {
    let s = s.trim();
    if s.is_empty() {
        return None;
    }
    match s.parse::<i64>() {
        Ok(n) if n >= 0 => Some(n),
        _ => {
            *slot = Some(format!("{what}应为不小于0的整数：{s}"));
            None
        }
    }
}

/// 所属年度 as typed ("2025", "2025年", "2025年度"); empty is none.
fn for_year(s: &str, slot: &mut Option<String>) -> Option<i32> {
    let y = s.trim();
    if y.is_empty() {
        return None;
    }
    match y.trim_end_matches("年度").trim_end_matches('年').parse() {
        Ok(year) => Some(year),
        Err(_) => {
            *slot = Some(format!("所属年度应为四位年份：{y}"));
            None
        }
    }
}

/// The meeting as the form gives it, with what the form itself refuses in `e` (the use
/// case checks the rest), and the org that held it: the group chosen for a group
/// meeting (else `opened_for`, refused), the branch for the rest.
pub(super) fn read_meeting(
    f: &RecordValues,
    ctx: &RecordContext,
    statuses: &Statuses,
    today: NaiveDate,
    opened_for: i64,
    e: &mut FieldErrors,
) -> (NewMeeting, i64) {
    let kind = required(parse_kind(&f.kind), "请选择会议类型", &mut e.kind);
    let date = match required(
        parse_day(&f.date, "会议日期"),
        "请填写会议日期",
        &mut e.date,
    ) {
        Some(d) if d > today => {
            e.date = Some(format!("会议日期{d}晚于今天"));
            None
        }
        d => d,
    };
    if f.topic.trim().is_empty() {
        e.topic = Some("请填写会议主题".into());
    }
    let masses_present = count(&f.masses_present, "群众参与人数", &mut e.masses);
    let for_year = for_year(&f.for_year, &mut e.date);
    let mut new = NewMeeting {
        kind,
        also: f
            .also
            .iter()
            .filter_map(|c| MeetingKind::from_code(c))
            .collect(),
        for_year,
        election: f.election,
        date,
        topic: f.topic.clone(),
        venue: Some(f.venue.clone()),
        venue_id: f.venue_id.trim().parse().ok(),
        host: Some(f.host.clone()),
        minutes: Some(f.minutes.clone()),
        decisions: Some(f.decisions.clone()),
        masses_present,
        central_task: f.central_task,
        members_needs: f.members_needs,
        votes: f.votes,
        ..Default::default()
    };
    read_attendance(f, ctx, statuses, &mut new, &mut e.attendance);
    new.guests = f.guests.iter().filter_map(|g| g.parse().ok()).collect();
    let org_id = if kind == Some(MeetingKind::GroupMeeting) {
        chosen_group(f, ctx).unwrap_or_else(|| {
            e.kind = Some("党小组会请选择召开的党小组".into());
            opened_for
        })
    } else {
        ctx.branch_id
    };
    (new, org_id)
}

/// The group a form names (its select), if one of the branch's.
pub(super) fn chosen_group(f: &RecordValues, ctx: &RecordContext) -> Option<i64> {
    f.group
        .trim()
        .parse::<i64>()
        .ok()
        .filter(|g| ctx.groups.iter().any(|(gid, _)| gid == g))
}

/// Who attended: picked from the roster where the branch has one, else the counts typed.
fn read_attendance(
    f: &RecordValues,
    ctx: &RecordContext,
    statuses: &Statuses,
    new: &mut NewMeeting,
    slot: &mut Option<String>,
) {
    if ctx.roster.is_empty() {
        new.expected = count(&f.expected, "应到人数", slot);
        new.present = count(&f.present, "实到人数", slot);
        new.excused = count(&f.excused, "请假人数", slot);
        if new.expected.is_none() && slot.is_none() {
            *slot = Some("请填写应到、实到人数".into());
        }
        return;
    }
    new.attendees = ctx
        .expected(new.kind, chosen_group(f, ctx), new.date)
        .into_iter()
        .map(|m| {
            let (s, reason) = &statuses[&m.id];
            let status = AttendanceStatus::from_code(s).unwrap_or(AttendanceStatus::Absent);
            let reason = Some(reason.trim().to_string()).filter(|r| !r.is_empty());
            (m.id, status, reason)
        })
        .collect();
    if !new
        .attendees
        .iter()
        .any(|a| a.1 == AttendanceStatus::Present)
    {
        *slot = Some("请至少勾选一名出席的党员".into());
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use jiceng_app::meetings::{MeetingError, RecordError};

    #[test]
    fn refusals_are_placed_by_the_field_they_name() {
        let day = NaiveDate::from_ymd_opt(2026, 6, 10).unwrap();
        let refused = RecordErrors::of(vec![
            MeetingError::InFuture(day).into(),
            RecordError::Duplicate {
                org: "甲支部".into(),
                date: day,
                kind: "主题党日",
                topic: "学习".into(),
            },
            RecordError::Repeated("张三".into()),
            RecordError::CountMismatch {
                what: "应到",
                given: 4,
                got: 3,
            },
            MeetingError::NoTopic.into(),
            RecordError::NoKind,
            RecordError::GroupOutsideBranch("第一党小组".into()),
        ])
        .unwrap();
        let mut e = FieldErrors::default();
        e.place(&refused);
        assert_eq!(e.date.as_deref(), Some("会议日期2026-06-10晚于今天"));
        assert_eq!(
            e.topic.as_deref(),
            Some("甲支部已记录过2026-06-10的主题党日“学习”；会议主题不能为空")
        );
        assert_eq!(
            e.attendance.as_deref(),
            Some("党员“张三”重复出现；应到人数4与所选党员不符（按名单为3人）")
        );
        assert_eq!(e.kind.as_deref(), Some("请选择会议类型"));
        assert_eq!(
            e.general.as_deref(),
            Some("党小组“第一党小组”不在党支部之下，无法记录组织生活")
        );
        assert!(e.masses.is_none() && e.any());
    }
}
