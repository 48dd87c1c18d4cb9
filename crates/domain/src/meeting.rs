//! Organizational life (组织生活, SPEC C4): the kinds of meeting, a meeting's record, the
//! attendance and the quorum of a vote (the calendar periods are `period.rs`).
//!
//! Deliberately absent (SPEC C4, the 2023–2024 anti-formalism rules): check-in duties,
//! points, rankings of people and online-time counts.

use chrono::Datelike;
use serde::{Deserialize, Serialize};

use crate::period::Cadence;
use crate::{Date, OrgKind, RuleSet};

/// The kinds of meeting (三会一课 and the rest), in the order the regulations list them.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub enum MeetingKind {
    /// 支部党员大会.
    GeneralMeeting,
    /// 支部委员会会议 (支委会).
    CommitteeMeeting,
    /// 党小组会 (held by a group, not the branch).
    GroupMeeting,
    /// 党课.
    PartyLecture,
    /// 主题党日.
    ThemeDay,
    /// 组织生活会.
    LifeMeeting,
    /// 民主评议党员.
    DemocraticEvaluation,
}

impl MeetingKind {
    pub const ALL: [MeetingKind; 7] = [
        MeetingKind::GeneralMeeting,
        MeetingKind::CommitteeMeeting,
        MeetingKind::GroupMeeting,
        MeetingKind::PartyLecture,
        MeetingKind::ThemeDay,
        MeetingKind::LifeMeeting,
        MeetingKind::DemocraticEvaluation,
    ];

    /// The GLOSSARY code name, as stored and as used in the API.
    pub fn code(self) -> &'static str {
        match self {
            MeetingKind::GeneralMeeting => "GeneralMeeting",
            MeetingKind::CommitteeMeeting => "CommitteeMeeting",
            MeetingKind::GroupMeeting => "GroupMeeting",
            MeetingKind::PartyLecture => "PartyLecture",
            MeetingKind::ThemeDay => "ThemeDay",
            MeetingKind::LifeMeeting => "LifeMeeting",
            MeetingKind::DemocraticEvaluation => "DemocraticEvaluation",
        }
    }

    /// The Chinese term shown to users.
    pub fn label(self) -> &'static str {
        match self {
            MeetingKind::GeneralMeeting => "支部党员大会",
            MeetingKind::CommitteeMeeting => "支部委员会会议",
            MeetingKind::GroupMeeting => "党小组会",
            MeetingKind::PartyLecture => "党课",
            MeetingKind::ThemeDay => "主题党日",
            MeetingKind::LifeMeeting => "组织生活会",
            MeetingKind::DemocraticEvaluation => "民主评议党员",
        }
    }

    /// A short label for narrow columns and phone screens.
    pub fn short_label(self) -> &'static str {
        match self {
            MeetingKind::GeneralMeeting => "党员大会",
            MeetingKind::CommitteeMeeting => "支委会",
            MeetingKind::GroupMeeting => "党小组会",
            MeetingKind::PartyLecture => "党课",
            MeetingKind::ThemeDay => "主题党日",
            MeetingKind::LifeMeeting => "组织生活会",
            MeetingKind::DemocraticEvaluation => "民主评议",
        }
    }

    pub fn from_code(s: &str) -> Option<MeetingKind> {
        MeetingKind::ALL.into_iter().find(|k| k.code() == s)
    }

    /// Parses what a ledger writes in the 会议类型 column, with the aliases real ledgers use.
    pub fn parse_label(s: &str) -> Option<MeetingKind> {
        let s: String = s.chars().filter(|c| !c.is_whitespace()).collect();
        if let Some(k) = MeetingKind::from_code(&s) {
            return Some(k);
        }
        Some(match s.as_str() {
            "支部党员大会" | "党员大会" | "党支部党员大会" | "全体党员大会" | "支部大会" => {
                MeetingKind::GeneralMeeting
            }
            "支部委员会会议" | "支委会" | "支委会会议" | "支部委员会" | "党支部委员会会议" => {
                MeetingKind::CommitteeMeeting
            }
            "党小组会" | "党小组会议" | "小组会" | "党小组学习会" => {
                MeetingKind::GroupMeeting
            }
            "党课" | "讲党课" | "专题党课" | "上党课" => MeetingKind::PartyLecture,
            "主题党日" | "主题党日活动" | "党日活动" | "固定党日" | "支部主题党日" => {
                MeetingKind::ThemeDay
            }
            "组织生活会" | "专题组织生活会" | "支部组织生活会" => {
                MeetingKind::LifeMeeting
            }
            "民主评议党员" | "民主评议" | "民主评议党员会议" | "评议党员" => {
                MeetingKind::DemocraticEvaluation
            }
            _ => return None,
        })
    }

    /// Parses a combined ledger label into the set of kinds it names: "主题党日暨党员大会",
    /// "组织生活会并开展民主评议党员", "党员大会、党课", "党员大会（党课）",
    /// "组织生活会暨民主评议党员". Each part must be a known label; `None` otherwise.
    /// The kinds come back once each, in `ALL` order.
    pub fn parse_labels(s: &str) -> Option<Vec<MeetingKind>> {
        let s: String = s.chars().filter(|c| !c.is_whitespace()).collect();
        if s.is_empty() {
            return None;
        }
        if let Some(k) = MeetingKind::parse_label(&s) {
            return Some(vec![k]);
        }
        let mut kinds = Vec::new();
        let parts = s.split(|c: char| {
            matches!(
                c,
                '暨' | '并'
                    | '、'
                    | '，'
                    | ','
                    | '+'
                    | '＋'
                    | '/'
                    | '（'
                    | '）'
                    | '('
                    | ')'
                    | '及'
                    | '和'
            )
        });
        for part in parts.filter(|p| !p.is_empty()) {
            let mut p = part;
            for prefix in ["同时", "开展", "召开", "进行", "结合", "举行"] {
                p = p.strip_prefix(prefix).unwrap_or(p);
            }
            kinds.push(MeetingKind::parse_label(p)?);
        }
        kinds.sort();
        kinds.dedup();
        (!kinds.is_empty()).then_some(kinds)
    }

    /// How often it is due by default (SPEC R); the rule data may say otherwise
    /// (`MeetingRules::cadence_of`).
    pub fn cadence(self) -> Cadence {
        match self {
            MeetingKind::CommitteeMeeting | MeetingKind::GroupMeeting | MeetingKind::ThemeDay => {
                Cadence::Monthly
            }
            MeetingKind::GeneralMeeting | MeetingKind::PartyLecture => Cadence::Quarterly,
            MeetingKind::LifeMeeting | MeetingKind::DemocraticEvaluation => Cadence::Yearly,
        }
    }

    /// How many are due in one span of its cadence by `rules` (`MeetingRules::cadence_of`).
    pub fn required(self, rules: &RuleSet) -> i64 {
        rules.meetings.cadence_of(self).count
    }

    /// The kind of org that holds it: a group for group meetings, a branch for the rest.
    pub fn held_by(self) -> OrgKind {
        if self == MeetingKind::GroupMeeting {
            OrgKind::Group
        } else {
            OrgKind::Branch
        }
    }

    /// Index into per-kind arrays (the order of `ALL`).
    pub fn index(self) -> usize {
        MeetingKind::ALL
            .iter()
            .position(|k| *k == self)
            .expect("in ALL")
    }
}

/// Whether a member was there (for meetings recorded from the roster).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum AttendanceStatus {
    Present,
    Excused,
    Absent,
}

impl AttendanceStatus {
    pub fn code(self) -> &'static str {
        match self {
            AttendanceStatus::Present => "present",
            AttendanceStatus::Excused => "excused",
            AttendanceStatus::Absent => "absent",
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            AttendanceStatus::Present => "出席",
            AttendanceStatus::Excused => "请假",
            AttendanceStatus::Absent => "缺席",
        }
    }

    pub fn from_code(s: &str) -> Option<AttendanceStatus> {
        [
            AttendanceStatus::Present,
            AttendanceStatus::Excused,
            AttendanceStatus::Absent,
        ]
        .into_iter()
        .find(|a| a.code() == s)
    }
}

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

/// The longest topic, in characters (the topic is part of the meeting's key; minutes and
/// decisions hold the long text).
pub const TOPIC_MAX: usize = 200;

/// Why a meeting cannot be recorded as given.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum MeetingError {
    #[error("会议日期{0}晚于今天")]
    InFuture(Date),
    #[error("会议主题不能为空")]
    NoTopic,
    #[error("会议主题过长（{0}字，最多{max}字）", max = TOPIC_MAX)]
    TopicTooLong(usize),
    /// A free-text field beyond its limit (`text`): the venue, the host, the minutes, the
    /// decisions or a reason for an absence.
    #[error("{}", crate::text::too_long(field.label, *len, field.max))]
    TooLong {
        field: crate::text::TextField,
        len: usize,
    },
    #[error("人数不能为负数")]
    Negative,
    #[error("应到人数不能为0")]
    NoneExpected,
    #[error("实到{present}人加请假{excused}人，超过应到{expected}人")]
    TooMany {
        expected: i64,
        present: i64,
        excused: i64,
    },
    #[error("实到有表决权党员{present}人，超过应到{expected}人")]
    TooManyVoting { expected: i64, present: i64 },
    #[error("{kind}只能由党小组召开，“{org}”是{org_kind}")]
    GroupOnly {
        kind: &'static str,
        org: String,
        org_kind: &'static str,
    },
    #[error("{kind}应由党支部召开，“{org}”是{org_kind}")]
    BranchOnly {
        kind: &'static str,
        org: String,
        org_kind: &'static str,
    },
    #[error("“{org}”在{date}时已撤销或尚未成立")]
    OrgNotLive { org: String, date: Date },
    #[error("所属年度{year}年不符：{date}召开的会议只能计入当年，或在{until}前计入上一年度")]
    ForYear { year: i32, date: Date, until: Date },
}

impl Meeting {
    /// Checks the record on `today` for an org of `org_kind` named `org_name`.
    pub fn check(&self, org_kind: OrgKind, org_name: &str, today: Date) -> Vec<MeetingError> {
        let mut errors = Vec::new();
        if self.date > today {
            errors.push(MeetingError::InFuture(self.date));
        }
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
        } else {
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
        if let Some(bad) = self.kinds().into_iter().find(|k| k.held_by() != org_kind) {
            let wanted = bad.held_by();
            let (kind, org, org_kind) = (bad.label(), org_name.to_string(), org_kind.label());
            errors.push(if wanted == OrgKind::Group {
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
            });
        }
        errors
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
mod tests {
    use super::*;
    use crate::RuleBook;

    fn d(s: &str) -> Date {
        Date::parse_from_str(s, "%Y-%m-%d").unwrap()
    }

    pub(crate) fn meeting(kind: MeetingKind, date: &str) -> Meeting {
        Meeting {
            id: 0,
            org_id: 1,
            kind,
            also: vec![],
            for_year: None,
            election: false,
            date: d(date),
            topic: "学习".into(),
            venue: None,
            host: None,
            expected: 10,
            present: 8,
            excused: 1,
            excused_reasons: vec![],
            minutes: None,
            decisions: None,
            masses_present: None,
            central_task: false,
            members_needs: false,
            votes: false,
            full_expected: None,
            full_present: None,
        }
    }

    #[test]
    fn kinds_round_trip_and_ledger_aliases_parse() {
        for k in MeetingKind::ALL {
            assert_eq!(MeetingKind::from_code(k.code()), Some(k));
            assert_eq!(MeetingKind::parse_label(k.label()), Some(k));
            assert_eq!(MeetingKind::parse_label(k.short_label()), Some(k));
            assert_eq!(MeetingKind::ALL[k.index()], k);
        }
        let cases = [
            ("党员大会", MeetingKind::GeneralMeeting),
            ("支部党员大会", MeetingKind::GeneralMeeting),
            ("支委会", MeetingKind::CommitteeMeeting),
            ("支部委员会会议", MeetingKind::CommitteeMeeting),
            ("党小组会", MeetingKind::GroupMeeting),
            ("党 课", MeetingKind::PartyLecture),
            ("主题党日", MeetingKind::ThemeDay),
            ("组织生活会", MeetingKind::LifeMeeting),
            ("民主评议党员", MeetingKind::DemocraticEvaluation),
            ("民主评议", MeetingKind::DemocraticEvaluation),
        ];
        for (s, k) in cases {
            assert_eq!(MeetingKind::parse_label(s), Some(k), "{s}");
        }
        assert_eq!(MeetingKind::parse_label("座谈会"), None);
    }

    #[test]
    fn combined_labels_parse_to_sets() {
        use MeetingKind::*;
        let cases: [(&str, &[MeetingKind]); 6] = [
            ("主题党日暨党员大会", &[GeneralMeeting, ThemeDay]),
            (
                "组织生活会暨民主评议党员",
                &[LifeMeeting, DemocraticEvaluation],
            ),
            (
                "组织生活会并开展民主评议党员",
                &[LifeMeeting, DemocraticEvaluation],
            ),
            ("党员大会、党课", &[GeneralMeeting, PartyLecture]),
            ("党员大会（党课）", &[GeneralMeeting, PartyLecture]),
            ("党课", &[PartyLecture]),
        ];
        for (s, want) in cases {
            assert_eq!(MeetingKind::parse_labels(s).as_deref(), Some(want), "{s}");
        }
        assert_eq!(MeetingKind::parse_labels("主题党日暨座谈会"), None);
        assert_eq!(MeetingKind::parse_labels(""), None);
        assert_eq!(year_named_in("2025年度组织生活会"), Some(2025));
        assert_eq!(year_named_in("年度组织生活会"), None);
        assert!(names_election("支部委员会换届选举党员大会"));
    }

    #[test]
    fn s16_election_quorum_is_four_fifths_of_the_roster() {
        let rules = RuleBook::shipped().sets()[0].clone();
        let mut m = meeting(MeetingKind::GeneralMeeting, "2026-06-20");
        m.election = true;
        m.expected = 30;
        m.present = 18;
        m.full_expected = Some(30);
        m.full_present = Some(18);
        let q = m.quorum(&rules).unwrap();
        assert_eq!((q.needed, q.ok), (25, false), "more than 24 of 30");
        m.full_present = Some(25);
        assert!(m.quorum(&rules).unwrap().ok);
        // S16b: an ordinary vote, 14 of a roster of 30 present.
        let mut v = meeting(MeetingKind::GeneralMeeting, "2026-06-20");
        v.votes = true;
        v.full_expected = Some(30);
        v.full_present = Some(14);
        assert_eq!(v.quorum(&rules).unwrap().needed, 16);
        assert!(!v.quorum(&rules).unwrap().ok);
        // A 所属年度 outside the window is refused.
        let mut y = meeting(MeetingKind::LifeMeeting, "2026-04-02");
        y.for_year = Some(2025);
        assert!(y.check_year(&rules).is_some());
        y.date = d("2026-03-31");
        assert!(y.check_year(&rules).is_none());
        y.for_year = Some(2027);
        assert!(y.check_year(&rules).is_some());
    }

    #[test]
    fn checks_name_each_problem() {
        let today = d("2026-09-15");
        let m = meeting(MeetingKind::ThemeDay, "2026-09-15");
        assert!(m.check(OrgKind::Branch, "甲支部", today).is_empty());
        let mut bad = meeting(MeetingKind::ThemeDay, "2026-09-16");
        bad.present = 10;
        bad.excused = 1;
        bad.topic = " ".into();
        let errs = bad.check(OrgKind::Branch, "甲支部", today);
        assert!(errs.contains(&MeetingError::InFuture(d("2026-09-16"))));
        assert!(errs.contains(&MeetingError::NoTopic));
        assert!(errs
            .iter()
            .any(|e| matches!(e, MeetingError::TooMany { .. })));
        let mut long = meeting(MeetingKind::ThemeDay, "2026-09-01");
        long.topic = "长".repeat(TOPIC_MAX + 1);
        assert_eq!(
            long.check(OrgKind::Branch, "甲支部", today),
            vec![MeetingError::TopicTooLong(TOPIC_MAX + 1)]
        );
        let mut wordy = meeting(MeetingKind::ThemeDay, "2026-09-01");
        wordy.minutes = Some("记".repeat(crate::text::MINUTES.max + 1));
        wordy.excused_reasons = vec!["病假".into(), "事".repeat(2_001)];
        let errs = wordy.check(OrgKind::Branch, "甲支部", today);
        assert_eq!(
            errs.iter().map(|e| e.to_string()).collect::<Vec<_>>(),
            vec![
                "「会议记录」过长（20001字，最多20000字）",
                "「请假事由」过长（2001字，最多2000字）"
            ]
        );
        let g = meeting(MeetingKind::GroupMeeting, "2026-09-01");
        let errs = g.check(OrgKind::Branch, "甲支部", today);
        assert!(matches!(errs[0], MeetingError::GroupOnly { .. }));
        assert!(errs[0].to_string().contains("党小组"));
        let b = meeting(MeetingKind::GeneralMeeting, "2026-09-01");
        assert!(matches!(
            b.check(OrgKind::Group, "第一党小组", today)[0],
            MeetingError::BranchOnly { .. }
        ));
        assert!(g.check(OrgKind::Group, "第一党小组", today).is_empty());
    }

    #[test]
    fn quorum_needs_more_than_half() {
        let rules = RuleBook::shipped().sets()[0].clone();
        let mut m = meeting(MeetingKind::GeneralMeeting, "2026-09-01");
        assert_eq!(m.quorum(&rules), None, "no vote, no quorum to judge");
        m.votes = true;
        m.expected = 10;
        m.present = 5;
        let q = m.quorum(&rules).unwrap();
        assert_eq!(
            (q.needed, q.ok),
            (6, false),
            "exactly half is not more than half"
        );
        m.present = 6;
        assert!(m.quorum(&rules).unwrap().ok);
        m.expected = 9;
        m.present = 5;
        assert_eq!(m.quorum(&rules).unwrap().needed, 5);
        assert!(m.quorum(&rules).unwrap().ok);
        // Voting members counted apart from probationary ones.
        m.full_expected = Some(8);
        m.full_present = Some(4);
        assert!(!m.quorum(&rules).unwrap().ok);
        let mut c = meeting(MeetingKind::CommitteeMeeting, "2026-09-01");
        c.votes = true;
        assert_eq!(c.quorum(&rules), None);
        assert_eq!(m.attendance_rate(), Some(5.0 / 9.0));
        assert_eq!(attendance_rate(0, 0), None);
    }
}
