//! A year of organizational life for the generated branches: the twelve months up to "today"
//! of 三会一课, 主题党日, 组织生活会 and 民主评议党员, as a branch secretary would record
//! them, with the unevenness of real records — most branches keep every obligation, some
//! miss a few, a few keep almost none and about one in a hundred holds nothing at all.
//!
//! Deterministic for a seed and a county (each branch draws from its own generator).

use chrono::{Datelike, Months, NaiveDate};
use jiceng_domain::{Meeting, MeetingKind, Org, OrgKind};
use std::collections::HashMap;

use crate::rng::Rng;
use crate::Batch;

/// How diligent a branch is: the chance that each obligation is met.
#[derive(Debug, Clone, Copy)]
enum Habit {
    Diligent,
    Patchy,
    Lax,
    Silent,
}

impl Habit {
    fn draw(r: &mut Rng) -> Habit {
        let x = r.f64();
        if x < 0.01 {
            Habit::Silent
        } else if x < 0.06 {
            Habit::Lax
        } else if x < 0.20 {
            Habit::Patchy
        } else {
            Habit::Diligent
        }
    }

    fn keeps(self) -> f64 {
        match self {
            Habit::Diligent => 0.995,
            Habit::Patchy => 0.8,
            Habit::Lax => 0.3,
            Habit::Silent => 0.0,
        }
    }
}

const TOPICS: [&str; 12] = [
    "学习贯彻党的二十大精神",
    "学习党章党规",
    "深化基层党建引领基层治理",
    "发展壮大村级集体经济",
    "为民办实事",
    "党员先锋岗践诺",
    "乡村振兴重点任务推进",
    "安全生产和防汛工作",
    "文明实践志愿服务",
    "矛盾纠纷排查化解",
    "党风廉政建设",
    "党员教育管理",
];

/// The first day of the generated records: the first day of the month eleven months
/// before `as_of`. The ledgers of every generated branch start then (`org.records_from`),
/// so a branch that holds nothing is a real shortfall, not 暂无数据.
pub fn records_start(as_of: NaiveDate) -> NaiveDate {
    (as_of - Months::new(11)).with_day(1).expect("day 1")
}

/// The branches `generate` writes a year of organizational life for (silent ones too).
pub fn covered_branches(batch: &Batch) -> Vec<i64> {
    batch
        .orgs
        .iter()
        .filter(|o| o.kind == OrgKind::Branch && o.dissolved_on.is_none())
        .map(|o| o.id)
        .collect()
}

/// The meetings of the batch's branches and groups, ids from `first_id` on, dated in the
/// twelve months that end with `as_of` (never after it).
pub fn generate(batch: &Batch, as_of: NaiveDate, seed: u64, first_id: i64) -> Vec<Meeting> {
    let mut members: HashMap<i64, (i64, i64)> = HashMap::new();
    for m in &batch.members {
        let e = members.entry(m.org_id).or_default();
        e.0 += 1;
        if m.status_on(as_of) == jiceng_domain::MemberStatus::Full {
            e.1 += 1;
        }
    }
    let mut group_size: HashMap<i64, i64> = HashMap::new();
    for g in batch.member_groups.values() {
        *group_size.entry(*g).or_default() += 1;
    }
    let mut groups: HashMap<i64, Vec<&Org>> = HashMap::new();
    for o in &batch.orgs {
        if o.kind == OrgKind::Group && o.dissolved_on.is_none() {
            if let Some(p) = o.parent_id {
                groups.entry(p).or_default().push(o);
            }
        }
    }
    let start = records_start(as_of);
    let mut out = Vec::new();
    let mut next = first_id;
    for b in batch
        .orgs
        .iter()
        .filter(|o| o.kind == OrgKind::Branch && o.dissolved_on.is_none())
    {
        let mut r = Rng::for_part(seed, &format!("meetings {}", b.code));
        let habit = Habit::draw(&mut r);
        let from = b.founded_on.map_or(start, |f| f.max(start));
        let (n, full) = members.get(&b.id).copied().unwrap_or((0, 0));
        let n = n.max(1);
        let mut add = |r: &mut Rng, org: &Org, kind: MeetingKind, day: NaiveDate, expected: i64| {
            let excused = r.range(0, expected / 8);
            let absent = if r.chance(0.3) {
                r.range(0, expected / 10)
            } else {
                0
            };
            let present = (expected - excused - absent).max(1);
            let votes = kind == MeetingKind::GeneralMeeting && r.chance(0.3);
            let (full_expected, full_present) = if kind == MeetingKind::GeneralMeeting {
                let fe = full.max(1);
                (Some(fe), Some((fe * present / expected).clamp(1, fe)))
            } else {
                (None, None)
            };
            let topic = TOPICS[r.index(TOPICS.len())];
            out.push(Meeting {
                id: next,
                org_id: org.id,
                kind,
                also: vec![],
                for_year: None,
                election: false,
                date: day,
                topic: format!("{}月{}：{topic}", day.month(), kind.short_label()),
                venue: Some("党员活动室".into()),
                host: None,
                expected,
                present,
                excused,
                excused_reasons: (0..excused)
                    .map(|i| ["外出务工", "生病住院", "工作冲突"][(i % 3) as usize].into())
                    .collect(),
                minutes: None,
                decisions: None,
                masses_present: Some(if kind == MeetingKind::ThemeDay && r.chance(0.3) {
                    r.range(3, 20)
                } else {
                    0
                }),
                central_task: r.chance(0.4),
                members_needs: r.chance(0.3),
                votes,
                full_expected,
                full_present,
            });
            next += 1;
        };
        let keeps = habit.keeps();
        // Monthly: 主题党日, 支委会 where there is a committee, each group's 党小组会.
        let mut month = start;
        while month <= as_of {
            let last = last_day(month).min(as_of);
            if last >= from {
                let lo = month.max(from);
                // This month is partly over: the share of it that has passed.
                let share = f64::from(last.day() - lo.day() + 1) / f64::from(last_day(month).day());
                if r.chance(keeps * share) {
                    let d = day_in(&mut r, lo, last);
                    add(&mut r, b, MeetingKind::ThemeDay, d, n);
                }
                if b.committee == Some(true) && r.chance(keeps * share) {
                    let d = day_in(&mut r, lo, last);
                    add(&mut r, b, MeetingKind::CommitteeMeeting, d, 3.min(n));
                }
                let gs = groups.get(&b.id).map(Vec::as_slice).unwrap_or(&[]);
                for g in gs {
                    if r.chance(keeps * share) {
                        let d = day_in(&mut r, lo, last);
                        let size = group_size.get(&g.id).copied().unwrap_or(0);
                        add(&mut r, g, MeetingKind::GroupMeeting, d, size.max(1));
                    }
                }
            }
            month = month + Months::new(1);
        }
        // Quarterly: 支部党员大会 and 党课, in the part of each quarter in the window.
        let mut q = NaiveDate::from_ymd_opt(start.year(), (start.month0() / 3) * 3 + 1, 1)
            .expect("quarter start");
        while q <= as_of {
            let end = (q + Months::new(3)).pred_opt().expect("day before");
            let (lo, hi) = (q.max(from), end.min(as_of));
            if lo <= hi {
                let share = f64::from((hi - lo).num_days() as i32 + 1)
                    / f64::from((end - q).num_days() as i32 + 1);
                for kind in [MeetingKind::GeneralMeeting, MeetingKind::PartyLecture] {
                    if r.chance(keeps * share.min(1.0)) {
                        let d = day_in(&mut r, lo, hi);
                        add(&mut r, b, kind, d, n);
                    }
                }
            }
            q = q + Months::new(3);
        }
        // Yearly: 组织生活会 and 民主评议党员, mostly early in the year.
        for year in start.year()..=as_of.year() {
            let (y0, y1) = (
                NaiveDate::from_ymd_opt(year, 1, 1).expect("Jan 1"),
                NaiveDate::from_ymd_opt(year, 12, 31).expect("Dec 31"),
            );
            let (lo, hi) = (y0.max(from).max(start), y1.min(as_of));
            if lo > hi {
                continue;
            }
            let share = f64::from((hi - lo).num_days() as i32 + 1) / 365.0;
            for kind in [MeetingKind::LifeMeeting, MeetingKind::DemocraticEvaluation] {
                if r.chance(keeps * (share * 1.5).min(1.0)) {
                    let early = NaiveDate::from_ymd_opt(year, 3, 31).expect("Mar 31");
                    let d = if lo <= early && early <= hi && r.chance(0.8) {
                        day_in(&mut r, lo, early)
                    } else {
                        day_in(&mut r, lo, hi)
                    };
                    add(&mut r, b, kind, d, n);
                }
            }
        }
    }
    out
}

fn last_day(month_start: NaiveDate) -> NaiveDate {
    (month_start + Months::new(1))
        .pred_opt()
        .expect("day before")
}

/// A day in `[lo, hi]` (both included).
fn day_in(r: &mut Rng, lo: NaiveDate, hi: NaiveDate) -> NaiveDate {
    let span = (hi - lo).num_days().max(0);
    lo + chrono::Days::new(r.range(0, span) as u64)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{Divisions, GenOptions, Generator, IdBase};

    fn county(as_of: NaiveDate) -> Batch {
        let ids = IdBase {
            org: 1,
            member: 1,
            unit: 1,
            position: 1,
        };
        let mut g = Generator::new(
            Divisions::embedded_county(),
            GenOptions { seed: 3, as_of },
            ids,
        );
        g.next_batch().unwrap()
    }

    #[test]
    fn a_year_of_meetings_never_after_today_and_uneven() {
        let as_of = NaiveDate::from_ymd_opt(2026, 8, 15).unwrap();
        let batch = county(as_of);
        let ms = generate(&batch, as_of, 3, 100);
        let branches = batch
            .orgs
            .iter()
            .filter(|o| o.kind == OrgKind::Branch)
            .count();
        assert!(ms.len() > branches * 20, "{} meetings", ms.len());
        let start = NaiveDate::from_ymd_opt(2025, 9, 1).unwrap();
        assert!(ms.iter().all(|m| m.date >= start && m.date <= as_of));
        // Unique ids from the first one; the key (org, kind, date, topic) unique too.
        assert!(ms.iter().enumerate().all(|(i, m)| m.id == 100 + i as i64));
        let keys: std::collections::HashSet<_> = ms
            .iter()
            .map(|m| (m.org_id, m.kind, m.date, m.topic.clone()))
            .collect();
        assert_eq!(keys.len(), ms.len());
        // Some branches hold nothing, most hold a theme day nearly every month.
        let mut held: HashMap<i64, usize> = HashMap::new();
        for m in ms.iter().filter(|m| m.kind == MeetingKind::ThemeDay) {
            *held.entry(m.org_id).or_default() += 1;
        }
        let silent = branches - held.len();
        assert!(
            silent > 0 && silent < branches / 20,
            "{silent} of {branches}"
        );
        let keen = held.values().filter(|n| **n >= 11).count();
        assert!(keen > branches / 2, "{keen} of {branches}");
        // Every meeting passes the checks a recorded one passes.
        for m in &ms {
            assert!(m.present <= m.expected && m.present + m.excused <= m.expected);
        }
        // The same seed, the same meetings.
        assert_eq!(generate(&batch, as_of, 3, 100), ms);
    }
}
