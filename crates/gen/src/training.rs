//! Two years of 党员教育培训 for the generated branches, as a secretary would record them:
//! last year whole and this year up to "today" — 集中学习 and 网络培训 of a few 学时 each,
//! most members attending, a 书记专题培训 for the leading members — with the unevenness of
//! real records: most branches reach the 32 学时, some fall short, about one in ten records
//! nothing (暂无数据, not a failure).
//!
//! Deterministic for a seed and a county (each branch draws from its own generator).

use std::collections::{HashMap, HashSet};

use chrono::{Datelike, NaiveDate};
use jiceng_domain::training::{is_leading, Mode};
use jiceng_domain::OrgKind;

use crate::rng::Rng;
use crate::Batch;

/// A generated training: the branch, what and when, the hours (tenths) and who attended.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Training {
    pub id: i64,
    pub org_id: i64,
    pub title: String,
    pub starts_on: NaiveDate,
    pub ends_on: NaiveDate,
    pub hours: i64,
    pub mode: Mode,
    /// Member ids (each credited the training's hours).
    pub attendees: Vec<i64>,
}

const TITLES: [(&str, Mode, i64); 8] = [
    ("集中学习党的创新理论", Mode::InPerson, 40),
    ("学习党章党规党纪", Mode::InPerson, 40),
    ("灯塔在线网络培训", Mode::Online, 60),
    ("乡村振兴专题培训", Mode::InPerson, 40),
    ("红色教育基地现场教学", Mode::InPerson, 60),
    ("学习强国专题学习", Mode::Online, 40),
    ("党史学习教育", Mode::InPerson, 40),
    ("基层治理能力提升培训", Mode::Online, 40),
];

/// The trainings of the batch's branches in last year and this year up to `as_of`, ids
/// from `first_id` on.
pub fn generate(batch: &Batch, as_of: NaiveDate, seed: u64, first_id: i64) -> Vec<Training> {
    let mut members: HashMap<i64, Vec<i64>> = HashMap::new();
    for m in &batch.members {
        members.entry(m.org_id).or_default().push(m.id);
    }
    let leading: HashSet<i64> = batch
        .positions
        .iter()
        .filter(|p| is_leading(p.kind) && p.ended_on.is_none())
        .map(|p| p.member_id)
        .collect();
    let mut out = Vec::new();
    let mut next = first_id;
    for b in batch
        .orgs
        .iter()
        .filter(|o| o.kind == OrgKind::Branch && o.dissolved_on.is_none())
    {
        let Some(roster) = members.get(&b.id).filter(|r| !r.is_empty()) else {
            continue;
        };
        let mut r = Rng::for_part(seed, &format!("training {}", b.code));
        // How much of the 32 学时 the branch provides in a year (tenths), or nothing.
        let yearly = match r.f64() {
            x if x < 0.10 => continue,
            x if x < 0.25 => r.range(160, 300),
            _ => r.range(340, 420),
        };
        let attend = if yearly < 320 { 0.8 } else { 0.95 };
        for year in [as_of.year() - 1, as_of.year()] {
            let first = NaiveDate::from_ymd_opt(year, 1, 1).expect("a year");
            let last = NaiveDate::from_ymd_opt(year, 12, 31)
                .expect("a year")
                .min(as_of);
            if b.founded_on.is_some_and(|f| f > first) || last < first {
                continue;
            }
            // This year: the share of it that has passed.
            let share = (last.ordinal() as f64 / 365.0).min(1.0);
            let mut given = 0;
            while given < (yearly as f64 * share) as i64 {
                let (title, mode, hours) = TITLES[r.index(TITLES.len())];
                let day = first + chrono::Days::new(r.below(u64::from(last.ordinal())));
                let attendees: Vec<i64> = roster
                    .iter()
                    .copied()
                    .filter(|_| r.chance(attend))
                    .collect();
                given += hours;
                if attendees.is_empty() {
                    continue;
                }
                out.push(Training {
                    id: next,
                    org_id: b.id,
                    title: format!("{}月{title}（第{}期）", day.month(), next - first_id + 1),
                    starts_on: day,
                    ends_on: day,
                    hours,
                    mode,
                    attendees,
                });
                next += 1;
            }
            // The leading members' own course, most years.
            let leaders: Vec<i64> = roster
                .iter()
                .copied()
                .filter(|m| leading.contains(m))
                .collect();
            if !leaders.is_empty() && r.chance(0.8 * share) {
                let day = first + chrono::Days::new(r.below(u64::from(last.ordinal())));
                out.push(Training {
                    id: next,
                    org_id: b.id,
                    title: format!("{year}年度支部书记和委员专题培训"),
                    starts_on: day,
                    ends_on: day,
                    hours: r.range(16, 28) * 10,
                    mode: Mode::InPerson,
                    attendees: leaders,
                });
                next += 1;
            }
        }
    }
    out
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
    fn two_years_of_trainings_never_after_today_and_uneven() {
        let as_of = NaiveDate::from_ymd_opt(2026, 8, 15).unwrap();
        let batch = county(as_of);
        let ts = generate(&batch, as_of, 3, 100);
        assert_eq!(ts, generate(&batch, as_of, 3, 100), "deterministic");
        assert!(ts
            .iter()
            .all(|t| t.starts_on <= as_of && t.starts_on.year() >= 2025));
        assert!(ts.iter().any(|t| t.starts_on.year() == 2026));
        let ids: HashSet<i64> = ts.iter().map(|t| t.id).collect();
        assert_eq!(ids.len(), ts.len());
        let with: HashSet<i64> = ts.iter().map(|t| t.org_id).collect();
        let branches = batch
            .orgs
            .iter()
            .filter(|o| o.kind == OrgKind::Branch)
            .count();
        assert!(
            with.len() < branches && with.len() > branches / 2,
            "{} of {branches} branches record trainings",
            with.len()
        );
    }
}
