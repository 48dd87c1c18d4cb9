//! Dated facts of an org (rules review, errors 2, 4, 6, 8 and 10): what is known about
//! its offices, committee, elections and term, and from which day. Every judgement asks
//! these "as of a day", so a past year is judged by that year's facts and a fact nobody
//! recorded stays unknown instead of turning into a failure.
//!
//! Pure: the store reads the events (`org_event`) and the secretary's offices
//! (`position`); these functions answer questions about a day.

use serde::{Deserialize, Serialize};

use crate::Date;

/// What happened to an org, on a day (`org_event.kind`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub enum EventKind {
    /// 换届选举 held: a new term starts on the day.
    Election,
    /// A committee (支委会 / 总支委员会 / 党委) elected or set up on the day.
    CommitteeSet,
    /// Stated on the day: no committee (never set up, or dissolved).
    CommitteeNone,
    /// The higher committee approved postponing the 换届 to `until` (≤ the rule's limit).
    TermPostponed,
    /// The secretary's office recorded as vacant from the day (no predecessor on record).
    SecretaryVacant,
}

impl EventKind {
    pub const ALL: [EventKind; 5] = [
        EventKind::Election,
        EventKind::CommitteeSet,
        EventKind::CommitteeNone,
        EventKind::TermPostponed,
        EventKind::SecretaryVacant,
    ];

    pub fn code(self) -> &'static str {
        match self {
            EventKind::Election => "election",
            EventKind::CommitteeSet => "committee_set",
            EventKind::CommitteeNone => "committee_none",
            EventKind::TermPostponed => "term_postponed",
            EventKind::SecretaryVacant => "secretary_vacant",
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            EventKind::Election => "换届选举",
            EventKind::CommitteeSet => "设立委员会",
            EventKind::CommitteeNone => "未设委员会",
            EventKind::TermPostponed => "批准延期换届",
            EventKind::SecretaryVacant => "书记空缺",
        }
    }

    pub fn from_code(s: &str) -> Option<EventKind> {
        EventKind::ALL.into_iter().find(|k| k.code() == s)
    }
}

/// One dated fact. `on` is `None` when the fact is known but its day is not (a committee
/// that exists, elected nobody knows when): it then holds from the start of the records.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct OrgEvent {
    pub kind: EventKind,
    pub on: Option<Date>,
    /// For `TermPostponed`: the day the postponed term ends.
    pub until: Option<Date>,
}

/// A secretary's office: from `started` (unknown: held since before the records) to
/// `ended` (exclusive; `None`: still in office).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Office {
    pub started: Option<Date>,
    pub ended: Option<Date>,
}

/// The secretary's office on a day.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum SecretaryState {
    /// Somebody holds it.
    InOffice,
    /// Recorded vacant since the day the last holder left (or a vacancy was recorded).
    Vacant { since: Date },
    /// Nobody was ever recorded: 暂无数据, never "vacant".
    Unknown,
}

impl SecretaryState {
    pub fn in_office(self) -> bool {
        self == SecretaryState::InOffice
    }

    pub fn vacant_since(self) -> Option<Date> {
        match self {
            SecretaryState::Vacant { since } => Some(since),
            _ => None,
        }
    }
}

/// Everything dated about one org.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct OrgHistory {
    /// In any order; the functions sort what they need.
    pub events: Vec<OrgEvent>,
    /// The secretary's offices (positions of kind 书记).
    pub secretaries: Vec<Office>,
    /// 台账起始日: the first day the org's records cover; nothing before it is judged.
    pub records_from: Option<Date>,
    /// An approved term length overriding the rule for its kind (年).
    pub term_years: Option<i64>,
}

impl OrgHistory {
    /// The latest event of `kinds` in force on `day` (undated events count as earliest).
    fn latest(&self, kinds: &[EventKind], day: Date) -> Option<&OrgEvent> {
        self.events
            .iter()
            .filter(|e| kinds.contains(&e.kind) && e.on.is_none_or(|d| d <= day))
            .max_by_key(|e| e.on)
    }

    /// Whether the org had a committee on `day`: `None` when nothing was recorded.
    pub fn committee_on(&self, day: Date) -> Option<bool> {
        self.latest(&[EventKind::CommitteeSet, EventKind::CommitteeNone], day)
            .map(|e| e.kind == EventKind::CommitteeSet)
    }

    /// The committee's state changes, in date order: what compliance needs to tell the
    /// months a committee existed from those it did not.
    pub fn committee(&self) -> CommitteeHistory {
        let mut changes: Vec<(Option<Date>, bool)> = self
            .events
            .iter()
            .filter(|e| matches!(e.kind, EventKind::CommitteeSet | EventKind::CommitteeNone))
            .map(|e| (e.on, e.kind == EventKind::CommitteeSet))
            .collect();
        changes.sort_by_key(|c| c.0);
        CommitteeHistory { changes }
    }

    /// The last election held on or before `day`.
    pub fn last_election_on(&self, day: Date) -> Option<Date> {
        self.events
            .iter()
            .filter(|e| e.kind == EventKind::Election)
            .filter_map(|e| e.on)
            .filter(|d| *d <= day)
            .max()
    }

    /// The last election on or before `day`, or — when no election event is recorded —
    /// the election date kept on the org's row (rows written before the dated facts, or
    /// by the generator, carry it there only), if it is not after `day`.
    pub fn election_or_row(&self, row: Option<Date>, day: Date) -> Option<Date> {
        self.last_election_on(day)
            .or_else(|| row.filter(|e| *e <= day))
    }

    /// Whether the org had a committee on `day`: from the dated events when any committee
    /// event is recorded (unknown before the first), else the row's stated committee,
    /// undated — as migration 14 backfills it.
    pub fn committee_or_row(&self, row: Option<bool>, day: Date) -> Option<bool> {
        let recorded = self
            .events
            .iter()
            .any(|e| matches!(e.kind, EventKind::CommitteeSet | EventKind::CommitteeNone));
        if recorded {
            self.committee_on(day)
        } else {
            row
        }
    }

    /// The end of an approved postponement in force on `day` (approved on or before it,
    /// for the term running then).
    pub fn postponed_until(&self, day: Date) -> Option<Date> {
        let since = self.last_election_on(day);
        self.events
            .iter()
            .filter(|e| e.kind == EventKind::TermPostponed)
            .filter(|e| e.on.is_none_or(|d| d <= day))
            .filter(|e| match (e.on, since) {
                (Some(on), Some(s)) => on >= s,
                _ => true,
            })
            .filter_map(|e| e.until)
            .max()
    }

    /// The secretary's office on `day`.
    pub fn secretary_on(&self, day: Date) -> SecretaryState {
        let holds = self
            .secretaries
            .iter()
            .any(|o| o.started.is_none_or(|s| s <= day) && o.ended.is_none_or(|e| e > day));
        if holds {
            return SecretaryState::InOffice;
        }
        let left = self
            .secretaries
            .iter()
            .filter_map(|o| o.ended)
            .filter(|e| *e <= day);
        let recorded = self
            .events
            .iter()
            .filter(|e| e.kind == EventKind::SecretaryVacant)
            .filter_map(|e| e.on)
            .filter(|d| *d <= day);
        match left.chain(recorded).max() {
            Some(since) => SecretaryState::Vacant { since },
            None => SecretaryState::Unknown,
        }
    }

    /// Whether `day` lies within the records (unknown start: everything does).
    pub fn recorded_on(&self, day: Date) -> bool {
        self.records_from.is_none_or(|f| f <= day)
    }
}

/// When a committee existed: a list of dated states (undated first, as "from the start").
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct CommitteeHistory {
    pub changes: Vec<(Option<Date>, bool)>,
}

impl CommitteeHistory {
    /// The same state for all time (`None`: nothing recorded).
    pub fn always(state: Option<bool>) -> CommitteeHistory {
        CommitteeHistory {
            changes: state.map(|s| vec![(None, s)]).unwrap_or_default(),
        }
    }

    /// The state on `day`: `None` when nothing recorded applies yet.
    pub fn on(&self, day: Date) -> Option<bool> {
        self.changes
            .iter()
            .filter(|(d, _)| d.is_none_or(|d| d <= day))
            .max_by_key(|(d, _)| *d)
            .map(|(_, s)| *s)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(s: &str) -> Date {
        s.parse().unwrap()
    }

    fn ev(kind: EventKind, on: &str) -> OrgEvent {
        OrgEvent {
            kind,
            on: Some(d(on)),
            until: None,
        }
    }

    #[test]
    fn committee_unknown_until_recorded_then_dated() {
        let h = OrgHistory {
            events: vec![ev(EventKind::CommitteeSet, "2026-11-20")],
            ..Default::default()
        };
        assert_eq!(h.committee_on(d("2026-11-19")), None);
        assert_eq!(h.committee_on(d("2026-11-20")), Some(true));
        let h = OrgHistory {
            events: vec![
                OrgEvent {
                    kind: EventKind::CommitteeSet,
                    on: None,
                    until: None,
                },
                ev(EventKind::CommitteeNone, "2025-03-01"),
            ],
            ..Default::default()
        };
        assert_eq!(h.committee_on(d("2020-01-01")), Some(true));
        assert_eq!(h.committee_on(d("2025-03-01")), Some(false));
        assert_eq!(h.committee().on(d("2025-02-28")), Some(true));
    }

    #[test]
    fn secretary_never_recorded_is_unknown_not_vacant() {
        let h = OrgHistory::default();
        assert_eq!(h.secretary_on(d("2026-06-30")), SecretaryState::Unknown);
    }

    #[test]
    fn secretary_who_left_leaves_a_dated_vacancy() {
        // S2b: 张某 2021-04-01 .. 2025-09-30, 李某 from 2026-03-01.
        let h = OrgHistory {
            secretaries: vec![
                Office {
                    started: Some(d("2021-04-01")),
                    ended: Some(d("2025-09-30")),
                },
                Office {
                    started: Some(d("2026-03-01")),
                    ended: None,
                },
            ],
            ..Default::default()
        };
        assert_eq!(h.secretary_on(d("2021-03-31")), SecretaryState::Unknown);
        assert!(h.secretary_on(d("2025-09-29")).in_office());
        assert_eq!(
            h.secretary_on(d("2025-12-31")),
            SecretaryState::Vacant {
                since: d("2025-09-30")
            }
        );
        assert!(h.secretary_on(d("2026-03-01")).in_office());
    }

    #[test]
    fn the_row_stands_in_only_where_nothing_dated_is_recorded() {
        let bare = OrgHistory::default();
        assert_eq!(
            bare.election_or_row(Some(d("2024-05-01")), d("2026-01-01")),
            Some(d("2024-05-01"))
        );
        // An election on the row after the day judged did not yet happen then.
        assert_eq!(
            bare.election_or_row(Some(d("2026-05-01")), d("2026-01-01")),
            None
        );
        assert_eq!(
            bare.committee_or_row(Some(true), d("2026-01-01")),
            Some(true)
        );
        assert_eq!(bare.committee_or_row(None, d("2026-01-01")), None);
        let dated = OrgHistory {
            events: vec![
                ev(EventKind::Election, "2021-01-15"),
                ev(EventKind::CommitteeNone, "2025-03-01"),
            ],
            ..Default::default()
        };
        assert_eq!(
            dated.election_or_row(Some(d("2024-05-01")), d("2026-01-01")),
            Some(d("2021-01-15"))
        );
        assert_eq!(
            dated.committee_or_row(Some(true), d("2026-01-01")),
            Some(false)
        );
        // Before the first dated committee event: unknown, not the row's statement.
        assert_eq!(dated.committee_or_row(Some(true), d("2024-01-01")), None);
    }

    #[test]
    fn elections_and_postponements_as_of_a_day() {
        let h = OrgHistory {
            events: vec![
                ev(EventKind::Election, "2021-01-15"),
                ev(EventKind::Election, "2026-01-15"),
                OrgEvent {
                    kind: EventKind::TermPostponed,
                    on: Some(d("2023-12-01")),
                    until: Some(d("2024-12-31")),
                },
            ],
            ..Default::default()
        };
        assert_eq!(h.last_election_on(d("2025-12-31")), Some(d("2021-01-15")));
        assert_eq!(h.last_election_on(d("2026-02-01")), Some(d("2026-01-15")));
        assert_eq!(h.postponed_until(d("2024-06-01")), Some(d("2024-12-31")));
        assert_eq!(h.postponed_until(d("2023-11-30")), None);
        // A postponement of the previous term does not carry into the new one.
        assert_eq!(h.postponed_until(d("2026-02-01")), None);
    }
}
