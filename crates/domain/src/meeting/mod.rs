//! Organizational life (组织生活, SPEC C4): the kinds of meeting, a meeting's record, the
//! attendance and the quorum of a vote (the calendar periods are `period.rs`).
//!
//! Deliberately absent (SPEC C4, the 2023–2024 anti-formalism rules): check-in duties,
//! points, rankings of people and online-time counts.

use chrono::Datelike;
use serde::{Deserialize, Serialize};

use crate::{Date, OrgKind, RuleSet};

mod error;
mod kind;

pub use error::{Field, MeetingError, TOPIC_MAX};
pub use kind::{AttendanceStatus, MeetingKind};

/// One member's attendance at a meeting (picked from the roster).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Attendance {
    pub member_id: i64,
    pub status: AttendanceStatus,
    /// The reason given for an absence (请假事由).
    pub reason: Option<String>,
    /// A full member (正式党员) on the meeting's date: only they vote.
    pub full: bool,
}

/// A meeting (会议 / 活动) as recorded.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Meeting {
    pub id: i64,
    /// The branch, or the group for a group meeting.
    pub org_id: i64,
    /// The first of its kinds (in `MeetingKind::ALL` order): part of the meeting's key.
    pub kind: MeetingKind,
    /// The other obligations the same session served (主题党日暨党员大会: 党员大会 is
    /// `kind`, 主题党日 is here). Credited to each (review error #5).
    #[serde(default)]
    pub also: Vec<MeetingKind>,
    /// 所属年度: the year a yearly session is for (the "2025年度组织生活会" held in
    /// January 2026); `None`: its date's year.
    #[serde(default)]
    pub for_year: Option<i32>,
    /// A 换届选举 (its quorum is the election share, SPEC R).
    #[serde(default)]
    pub election: bool,
    pub date: Date,
    pub topic: String,
    pub venue: Option<String>,
    pub host: Option<String>,
    /// 应到 / 实到 / 请假 (members).
    pub expected: i64,
    pub present: i64,
    pub excused: i64,
    /// The reasons for absences, as written (one per excused member where known).
    pub excused_reasons: Vec<String>,
    pub minutes: Option<String>,
    pub decisions: Option<String>,
    /// People from outside the party who took part (群众参与); `None` when not recorded
    /// (a ledger without the column): unknown, not 0.
    pub masses_present: Option<i64>,
    /// Tied to the central task (围绕中心工作).
    pub central_task: bool,
    /// Answering members' needs (回应党员需求).
    pub members_needs: bool,
    /// The meeting voted on something (表决).
    pub votes: bool,
    /// Voting (full) members expected and present, where known; a vote's quorum is
    /// judged on these, or on `expected` / `present` when unknown.
    pub full_expected: Option<i64>,
    pub full_present: Option<i64>,
}

impl Meeting {
    /// Checks the record on `today` for an org of `org_kind` named `org_name`.
    pub fn check(&self, org_kind: OrgKind, org_name: &str, today: Date) -> Vec<MeetingError> {
        let mut errors = Vec::new();
        if self.date > today {
            errors.push(MeetingError::InFuture(self.date));
        }
        self.check_texts(&mut errors);
        self.check_counts(&mut errors);
        errors.extend(self.check_holder(org_kind, org_name));
        errors
    }

    /// The topic (not blank, not too long) and every free-text field within its limit.
    fn check_texts(&self, errors: &mut Vec<MeetingError>) {
        if self.topic.trim().is_empty() {
            errors.push(MeetingError::NoTopic);
        }
        let len = self.topic.trim().chars().count();
        if len > TOPIC_MAX {
            errors.push(MeetingError::TopicTooLong(len));
        }
        use crate::text::{DECISIONS, EXCUSED_REASONS, HOST, MINUTES, VENUE};
        let texts = [
            (VENUE, self.venue.as_deref()),
            (HOST, self.host.as_deref()),
            (MINUTES, self.minutes.as_deref()),
            (DECISIONS, self.decisions.as_deref()),
        ]
        .into_iter()
        .chain(
            self.excused_reasons
                .iter()
                .map(|r| (EXCUSED_REASONS, Some(r.as_str()))),
        );
        for (field, value) in texts {
            let len = value.map_or(0, |v| v.trim().chars().count());
            if len > field.max {
                errors.push(MeetingError::TooLong { field, len });
            }
        }
    }

    /// The head counts: none negative, someone expected, no more present than expected.
    fn check_counts(&self, errors: &mut Vec<MeetingError>) {
        let counts = [
            self.expected,
            self.present,
            self.excused,
            self.masses_present.unwrap_or(0),
            self.full_expected.unwrap_or(0),
            self.full_present.unwrap_or(0),
        ];
        if counts.iter().any(|n| *n < 0) {
            errors.push(MeetingError::Negative);
            return;
        }
        if self.expected == 0 {
            errors.push(MeetingError::NoneExpected);
        }
        if self.present + self.excused > self.expected {
            errors.push(MeetingError::TooMany {
                expected: self.expected,
                present: self.present,
                excused: self.excused,
            });
        }
        if let (Some(e), Some(p)) = (self.full_expected, self.full_present) {
            if p > e {
                errors.push(MeetingError::TooManyVoting {
                    expected: e,
                    present: p,
                });
            }
        }
    }

    /// Each kind held by the kind of org that holds it (a group meeting by a group).
    fn check_holder(&self, org_kind: OrgKind, org_name: &str) -> Option<MeetingError> {
        let bad = self.kinds().into_iter().find(|k| k.held_by() != org_kind)?;
        let (kind, org, org_kind) = (bad.label(), org_name.to_string(), org_kind.label());
        Some(if bad.held_by() == OrgKind::Group {
            MeetingError::GroupOnly {
                kind,
                org,
                org_kind,
            }
        } else {
            MeetingError::BranchOnly {
                kind,
                org,
                org_kind,
            }
        })
    }

    /// Every kind the meeting served, once each, in `ALL` order.
    pub fn kinds(&self) -> Vec<MeetingKind> {
        let mut k: Vec<MeetingKind> = std::iter::once(self.kind)
            .chain(self.also.iter().copied())
            .collect();
        k.sort();
        k.dedup();
        k
    }

    /// Sets the kinds from a set: the first becomes `kind`, the rest `also`.
    pub fn set_kinds(&mut self, kinds: &[MeetingKind]) {
        let mut k = kinds.to_vec();
        k.sort();
        k.dedup();
        if let Some((first, rest)) = k.split_first() {
            self.kind = *first;
            self.also = rest.to_vec();
        }
    }

    pub fn has_kind(&self, kind: MeetingKind) -> bool {
        self.kind == kind || self.also.contains(&kind)
    }

    /// The year its yearly obligations are credited to.
    pub fn credited_year(&self) -> i32 {
        self.for_year.unwrap_or(self.date.year())
    }

    /// Checks 所属年度 against the rules in force on its date: its date's year, or the
    /// year before when held within the window after that year (rule data).
    pub fn check_year(&self, rules: &RuleSet) -> Option<MeetingError> {
        let y = self.for_year?;
        let ok = y == self.date.year()
            || (y == self.date.year() - 1 && self.date <= rules.meetings.prior_year_window_end(y));
        (!ok).then(|| MeetingError::ForYear {
            year: y,
            date: self.date,
            until: rules.meetings.prior_year_window_end(self.date.year() - 1),
        })
    }

    /// 实到 / 应到; `None` when nobody was expected.
    pub fn attendance_rate(&self) -> Option<f64> {
        attendance_rate(self.expected, self.present)
    }

    /// The quorum of a vote, for a general meeting that voted or elected (SPEC R: more
    /// than the rule's share of the voting, that is full, members present: half for an
    /// ordinary vote, four fifths for an election). `None` otherwise.
    ///
    /// The base (应到) is `full_expected`: for a meeting recorded from the roster, the
    /// branch's full members on the roster that day (not those picked), else what the
    /// ledger wrote as 应到. Nobody is subtracted for 请假: the 条例 counts every member
    /// with a vote, and the five categories the 中组部 lets an election leave out need an
    /// approval the system does not record.
    pub fn quorum(&self, rules: &RuleSet) -> Option<Quorum> {
        if !self.has_kind(MeetingKind::GeneralMeeting) || !(self.votes || self.election) {
            return None;
        }
        let voting = self.full_expected.unwrap_or(self.expected);
        let present = self.full_present.unwrap_or(self.present);
        let share = if self.election {
            rules.meetings.election_quorum_share
        } else {
            rules.meetings.vote_quorum_share
        };
        Some(Quorum::judge(voting, present, share))
    }
}

/// The year a topic names as the one it is for ("2025年度组织生活会" → 2025).
pub fn year_named_in(topic: &str) -> Option<i32> {
    let i = topic.find("年度")?;
    let digits: String = topic[..i]
        .chars()
        .rev()
        .take_while(|c| c.is_ascii_digit())
        .collect::<Vec<_>>()
        .into_iter()
        .rev()
        .collect();
    (digits.len() == 4).then(|| digits.parse().ok()).flatten()
}

/// Whether a topic names an election (换届选举, 选举).
pub fn names_election(topic: &str) -> bool {
    topic.contains("换届") || topic.contains("选举")
}

/// `present / expected`; `None` when nobody was expected.
pub fn attendance_rate(expected: i64, present: i64) -> Option<f64> {
    (expected > 0).then(|| present as f64 / expected as f64)
}

/// Whether a vote had its quorum.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Quorum {
    /// Voting (full) members.
    pub voting: i64,
    pub present: i64,
    /// The fewest present for the quorum: the least whole number above `share × voting`.
    pub needed: i64,
    pub ok: bool,
}

impl Quorum {
    pub fn judge(voting: i64, present: i64, share: f64) -> Quorum {
        // "More than half": the least integer strictly greater than share × voting.
        let needed = (share * voting as f64).floor() as i64 + 1;
        Quorum {
            voting,
            present,
            needed,
            ok: voting > 0 && present >= needed,
        }
    }
}
#[cfg(test)]
mod tests;
