//! A member's own home (党员首页, SPEC C4 and the member's self-service): their attendance
//! this year, meeting by meeting with the rate; what their branch has yet to hold this
//! month, quarter and year (the branch's 本月待办, so a member knows what is coming); the
//! branch's latest meetings. Only the member's own records and their branch's schedule.

use chrono::{Datelike, NaiveDate};
use jiceng_domain::{AttendanceStatus, MeetingKind};
use jiceng_store::meetings as meeting_store;
use serde::Serialize;

use crate::access::{own_org, Actor, Role};
use crate::meetings::{due, list_page, ListFilter};
use crate::{App, AppError, Result};

#[derive(Debug, Clone, Serialize)]
pub struct MemberHome {
    pub member_id: i64,
    pub name: String,
    pub branch: String,
    /// 党龄: whole years since joining.
    pub party_years: i64,
    pub year: i32,
    pub attended: Vec<Attended>,
    pub present: usize,
    pub excused: usize,
    pub absent: usize,
    /// Present of all named, `None` when none named the member.
    pub rate: Option<f64>,
    /// What the branch still owes, soonest first.
    pub upcoming: Vec<Upcoming>,
    /// Why the schedule may be incomplete (暂无数据 and why).
    pub notes: Vec<String>,
    /// The branch's latest meetings (newest first).
    pub recent: Vec<Recent>,
    /// The member's 民主评议 grades, latest first.
    pub evaluations: Vec<crate::meetings::evaluation::MemberGrade>,
    /// 党务公开: what the member's org and the orgs above it publish and have not
    /// withdrawn (to the members or the public), newest first.
    pub disclosed: Vec<crate::disclosure::Item>,
}

#[derive(Debug, Clone, Serialize)]
pub struct Attended {
    pub date: NaiveDate,
    pub label: &'static str,
    pub topic: String,
    pub status: &'static str,
    pub status_label: &'static str,
}

#[derive(Debug, Clone, Serialize)]
pub struct Upcoming {
    pub label: &'static str,
    pub group: Option<String>,
    pub deadline: NaiveDate,
    pub due: i64,
    pub held: i64,
}

#[derive(Debug, Clone, Serialize)]
pub struct Recent {
    pub date: NaiveDate,
    pub labels: String,
    pub topic: String,
}

/// The home of the member the actor's account is bound to.
pub async fn home(app: &App, actor: &Actor) -> Result<MemberHome> {
    if actor.role() != Role::Member {
        return Err(AppError::Forbidden);
    }
    let (m, org) = own_org(app, actor).await?;
    let member_id = m.id;
    let today = app.today();
    let year = today.year();
    let from = NaiveDate::from_ymd_opt(year, 1, 1).unwrap_or(today);
    let mut conn = app.store.acquire().await?;
    let rows = meeting_store::attendance_of_member(&mut conn, member_id, (from, today)).await?;
    drop(conn);
    let attended: Vec<Attended> = rows
        .into_iter()
        .map(|(_, date, kind, topic, status)| {
            let s = AttendanceStatus::from_code(&status).unwrap_or(AttendanceStatus::Absent);
            Attended {
                date,
                label: MeetingKind::from_code(&kind).map_or("会议", |k| k.label()),
                topic,
                status: s.code(),
                status_label: s.label(),
            }
        })
        .collect();
    let count = |s: AttendanceStatus| attended.iter().filter(|a| a.status == s.code()).count();
    let (present, excused, absent) = (
        count(AttendanceStatus::Present),
        count(AttendanceStatus::Excused),
        count(AttendanceStatus::Absent),
    );
    let named = attended.len();
    // The branch's schedule: only when the member's org holds meetings (a branch or a
    // group's branch); an org that does not says nothing.
    let (mut upcoming, notes) = match due(app, &org, today).await {
        Ok(d) => (
            d.items
                .iter()
                .filter(|i| i.deadline >= today)
                .map(|i| Upcoming {
                    label: i.label,
                    group: i.group.as_ref().map(|g| g.name.clone()),
                    deadline: i.deadline,
                    due: i.due,
                    held: i.held,
                })
                .collect::<Vec<_>>(),
            d.notes,
        ),
        Err(AppError::Input(_)) | Err(AppError::NotFound(_)) => (Vec::new(), Vec::new()),
        Err(e) => return Err(e),
    };
    upcoming.sort_by_key(|u| u.deadline);
    let (recent, _) = list_page(app, &org.subtree(), &ListFilter::default(), 1, 5).await?;
    let mut conn = app.store.acquire().await?;
    let evaluations = crate::meetings::evaluation::of_member(&mut conn, member_id).await?;
    drop(conn);
    let disclosed = crate::disclosure::for_member_of(app, &org.path).await?;
    Ok(MemberHome {
        disclosed,
        evaluations,
        member_id,
        name: m.name.clone(),
        branch: org.org.name.clone(),
        party_years: party_years(m.joined_on, today),
        year,
        present,
        excused,
        absent,
        rate: (named > 0).then(|| present as f64 / named as f64),
        attended,
        upcoming,
        notes,
        recent: recent
            .into_iter()
            .map(|r| Recent {
                date: r.date,
                labels: r.labels.join("、"),
                topic: r.topic,
            })
            .collect(),
    })
}

/// Whole years from `joined` to `today`.
pub fn party_years(joined: NaiveDate, today: NaiveDate) -> i64 {
    let mut y = (today.year() - joined.year()) as i64;
    if (today.month(), today.day()) < (joined.month(), joined.day()) {
        y -= 1;
    }
    y.max(0)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn party_years_count_whole_years() {
        let d = |s: &str| NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap();
        assert_eq!(party_years(d("2000-07-01"), d("2026-06-30")), 25);
        assert_eq!(party_years(d("2000-07-01"), d("2026-07-01")), 26);
        assert_eq!(party_years(d("2026-07-01"), d("2026-06-30")), 0);
    }
}
