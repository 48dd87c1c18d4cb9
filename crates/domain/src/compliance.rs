//! Compliance of organizational life (组织生活合规, SPEC C4 and R): for one branch, one
//! period and the day it is asked on, what was due and what was held. Pure: the store
//! gathers the branch's facts and the meetings counted by month.
//!
//! The choices (also in docs/ARCHITECTURE.md):
//!
//! - **The judging day.** Every judgement takes the day it is asked for (`as_of`). A span
//!   whose last day (its *due-by* day) has not passed on that day is **open** (待办: what
//!   is still due and by when), never a shortfall. `compliant`, the rates and the stored
//!   summaries count closed spans only (review error #1).
//! - **Spans.** Every obligation has a cadence from the rule data (`cadence_of`: monthly,
//!   quarterly or yearly, and a count) and is judged once per span of that cadence lying
//!   wholly inside the period. A quarterly obligation is never judged on a month.
//! - **Counting.** A meeting counts for each of its kinds (主题党日暨党员大会 counts for both)
//!   in the spans holding its date. A yearly kind may be credited to the year before
//!   (所属年度) when held within the rule's window after that year; that year's yearly
//!   obligations stay open until the window closes. Within each span at most the number
//!   due is credited.
//! - **Rules.** Each span is judged by the rule set in force on its last day.
//! - **Who is due.** Branches (党支部) only, not 临时党支部; group meetings for each group.
//!   An org owes a month only if it existed throughout it; a quarter or a year if it
//!   existed throughout at least the rule's number of its months (`partial_spans`); an org
//!   dissolved on a day still exists that day.
//! - **Unknown is not "no".** A closed span beginning before the branch's records start
//!   (台账起始日), or any closed span of a branch with no records at all, is 暂无数据
//!   unless it was met anyway (a running one is still 待办); 支委会 is owed in a month only if the committee existed on its last
//!   day, and is 暂无数据 where nobody recorded whether it did.

use std::collections::BTreeMap;

use chrono::Datelike;
use serde::{Deserialize, Serialize};

use crate::history::CommitteeHistory;
use crate::meeting::MeetingKind;
use crate::period::{Cadence, Period};
use crate::{Date, RuleBook};

/// What the rules need to know about one branch.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct BranchFacts {
    pub branch_id: i64,
    /// When its committee existed (dated; unknown where nothing was recorded).
    pub committee: CommitteeHistory,
    pub founded_on: Option<Date>,
    pub dissolved_on: Option<Date>,
    /// The effective start of its records: `org.records_from`, else the first day of the
    /// month of its earliest meeting; `None`: no records at all (台账未录入).
    pub records_from: Option<Date>,
    /// A 临时党支部: not judged as a standing branch.
    pub temporary: bool,
    /// Its groups (党小组), each owing a group meeting a month.
    pub groups: Vec<GroupFacts>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct GroupFacts {
    pub group_id: i64,
    pub founded_on: Option<Date>,
    pub dissolved_on: Option<Date>,
}

/// Whether an org with these dates existed throughout `span` (dissolved on its last day
/// still counts: the org existed that day).
pub fn alive_throughout(
    founded_on: Option<Date>,
    dissolved_on: Option<Date>,
    span: Period,
) -> bool {
    founded_on.is_none_or(|f| f <= span.first_day())
        && dissolved_on.is_none_or(|d| d >= span.last_day())
}

/// Whether an org with these dates owes a span of `cadence` by `rules`: it existed
/// throughout at least the rule's number of the span's months.
pub fn owes(
    founded_on: Option<Date>,
    dissolved_on: Option<Date>,
    span: Period,
    cadence: Cadence,
    rules: &crate::rules::PartialSpanRules,
) -> bool {
    let whole = span
        .months()
        .into_iter()
        .filter(|m| alive_throughout(founded_on, dissolved_on, *m))
        .count() as u32;
    whole >= rules.min_months(cadence).min(span.months().len() as u32)
}

/// Meetings of one branch and its groups in one month, counted by kind (and by group).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct MonthTally {
    /// Indexed by `MeetingKind::index`; group meetings of all groups together. A meeting
    /// of several kinds counts once for each.
    pub by_kind: [i64; 7],
    /// Of `by_kind`, those held for the year before (所属年度 = the year before).
    #[serde(default)]
    pub prior_year: [i64; 7],
    /// Group meetings by group id.
    pub groups: BTreeMap<i64, i64>,
    /// Meetings held (each once, whatever its kinds).
    #[serde(default)]
    pub meetings: i64,
}

impl MonthTally {
    pub fn total(&self) -> i64 {
        self.meetings
    }

    /// Adds one meeting of one kind; `group` is the group that held a group meeting.
    pub fn add(&mut self, kind: MeetingKind, group: Option<i64>) {
        self.add_kinds(&[kind], group, false);
    }

    /// Adds one meeting of `kinds`; `prior_year`: held for the year before its date's.
    pub fn add_kinds(&mut self, kinds: &[MeetingKind], group: Option<i64>, prior_year: bool) {
        self.meetings += 1;
        for kind in kinds {
            self.by_kind[kind.index()] += 1;
            if prior_year {
                self.prior_year[kind.index()] += 1;
            }
            if *kind == MeetingKind::GroupMeeting {
                if let Some(g) = group {
                    *self.groups.entry(g).or_default() += 1;
                }
            }
        }
    }

    pub fn merge(&mut self, other: &MonthTally) {
        for (a, b) in self.by_kind.iter_mut().zip(other.by_kind) {
            *a += b;
        }
        for (a, b) in self.prior_year.iter_mut().zip(other.prior_year) {
            *a += b;
        }
        for (g, n) in &other.groups {
            *self.groups.entry(*g).or_default() += n;
        }
        self.meetings += other.meetings;
    }
}

/// The meetings of one branch (and its groups), counted by month: what compliance reads.
/// Built from meetings, or from the stored monthly facts (the same numbers).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Tally {
    pub months: BTreeMap<(i32, u32), MonthTally>,
}

impl Tally {
    /// Adds one meeting of one kind held on `date`; `group` is the group of a group meeting.
    pub fn add(&mut self, kind: MeetingKind, group: Option<i64>, date: Date) {
        self.add_meeting(&[kind], group, date, None);
    }

    /// Adds one meeting of `kinds` held on `date` for `for_year` (所属年度; `None`: the
    /// date's year).
    pub fn add_meeting(
        &mut self,
        kinds: &[MeetingKind],
        group: Option<i64>,
        date: Date,
        for_year: Option<i32>,
    ) {
        let prior = for_year.is_some_and(|y| y < date.year());
        self.months
            .entry((date.year(), date.month()))
            .or_default()
            .add_kinds(kinds, group, prior);
    }

    pub fn add_month(&mut self, year: i32, month: u32, t: &MonthTally) {
        self.months.entry((year, month)).or_default().merge(t);
    }

    fn months_between(&self, from: Date, to: Date) -> impl Iterator<Item = &MonthTally> {
        self.months
            .range((from.year(), from.month())..=(to.year(), to.month()))
            .map(|(_, t)| t)
    }

    fn in_span(&self, span: Period) -> impl Iterator<Item = &MonthTally> {
        self.months_between(span.first_day(), span.last_day())
    }

    fn count(t: &MonthTally, kind: MeetingKind, group: Option<i64>) -> i64 {
        match (kind, group) {
            (MeetingKind::GroupMeeting, Some(g)) => t.groups.get(&g).copied().unwrap_or(0),
            _ => t.by_kind[kind.index()],
        }
    }

    /// Meetings of `kind` held in `span` by date (of `group`, for group meetings).
    pub fn held(&self, kind: MeetingKind, group: Option<i64>, span: Period) -> i64 {
        self.in_span(span)
            .map(|t| Tally::count(t, kind, group))
            .sum()
    }

    /// Meetings of `kind` credited to the year `year`: those held in it and not for the
    /// year before, and those held after it up to `window_end` for it.
    pub fn held_for_year(&self, kind: MeetingKind, year: i32, window_end: Date) -> i64 {
        let y = Period::Year(year);
        let own: i64 = self
            .in_span(y)
            .map(|t| t.by_kind[kind.index()] - t.prior_year[kind.index()])
            .sum();
        let later: i64 = if window_end > y.last_day() {
            let next = y.last_day().succ_opt().expect("a next day");
            self.months_between(next, window_end)
                .map(|t| t.prior_year[kind.index()])
                .sum()
        } else {
            0
        };
        own + later
    }

    /// All meetings in `span`.
    pub fn total(&self, span: Period) -> i64 {
        self.in_span(span).map(MonthTally::total).sum()
    }
}

/// Why an obligation cannot be judged (暂无数据), in words a user reads.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub enum NoData {
    /// No records start and no meeting ever recorded: 台账未录入.
    NoRecords,
    /// The span begins before the records start.
    BeforeRecords,
    /// Nobody recorded whether the branch had a committee (支委会 owed or not).
    CommitteeUnknown,
    /// The span ended before the earliest rule set took effect: no rule of the book
    /// judged it (a 2017 ledger is not held to the 2018 条例's monthly 主题党日).
    BeforeRules,
}

impl NoData {
    pub fn code(self) -> &'static str {
        match self {
            NoData::NoRecords => "no_records",
            NoData::BeforeRecords => "before_records",
            NoData::CommitteeUnknown => "committee_unknown",
            NoData::BeforeRules => "before_rules",
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            NoData::NoRecords => "台账未录入",
            NoData::BeforeRecords => "台账起始日前",
            NoData::CommitteeUnknown => "是否设立支委会未登记",
            NoData::BeforeRules => "早于现行规则生效日",
        }
    }
}

/// Where an obligation stands on the judging day.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum State {
    /// Its due-by day has passed: met or a shortfall.
    Closed,
    /// Its due-by day has not passed: 待办 (never a shortfall).
    Open,
    /// 暂无数据.
    NoData(NoData),
}

/// One obligation in one span: how many were due and how many held.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Obligation {
    pub kind: MeetingKind,
    /// The group owing it, for group meetings.
    pub group: Option<i64>,
    pub span: Period,
    pub due: i64,
    pub held: i64,
    /// The last day it can be met: the span's last day, or for a yearly one the end of
    /// the 所属年度 window.
    pub due_by: Date,
    pub state: State,
}

impl Obligation {
    pub fn met(&self) -> bool {
        self.held >= self.due
    }

    /// What counts toward the obligation: at most the number due.
    pub fn credited(&self) -> i64 {
        self.held.min(self.due)
    }

    pub fn closed(&self) -> bool {
        self.state == State::Closed
    }

    /// A closed obligation not met: the only kind of failure.
    pub fn short(&self) -> bool {
        self.closed() && !self.met()
    }

    /// Still to do by `due_by` (待办).
    pub fn pending(&self) -> bool {
        self.state == State::Open && !self.met()
    }
}

/// A shortfall of one kind (and group) over the period's closed spans: the sums over
/// those spans of what was due and of what was credited.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Shortfall {
    pub kind: MeetingKind,
    pub group: Option<i64>,
    pub due: i64,
    pub held: i64,
    /// The spans that fell short.
    pub spans: Vec<Period>,
}

/// One branch's compliance over one period, judged on `as_of`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Compliance {
    pub branch_id: i64,
    pub period: Period,
    /// The judging day.
    pub as_of: Date,
    /// Every obligation of the period (those with nothing due are left out), closed,
    /// open or without data, ordered by kind, group, span.
    pub obligations: Vec<Obligation>,
    /// Meetings of any kind held in the period by the branch or its groups.
    pub held_total: i64,
    /// Meetings held in the closed months of the period.
    pub held_closed: i64,
    /// A 临时党支部: owes nothing (临时党支部，不按常设支部考核).
    pub temporary: bool,
}

impl Compliance {
    /// Whether any obligation is closed: only those count toward compliance and rates.
    pub fn judged(&self) -> bool {
        self.obligations.iter().any(Obligation::closed)
    }

    /// Every closed obligation met (and at least one closed).
    pub fn compliant(&self) -> bool {
        self.judged() && !self.obligations.iter().any(Obligation::short)
    }

    /// Judged, and nothing at all held in the closed months.
    pub fn held_nothing(&self) -> bool {
        self.judged() && self.held_closed == 0
    }

    /// The obligations still to do (待办): open and not yet met.
    pub fn open(&self) -> impl Iterator<Item = &Obligation> {
        self.obligations.iter().filter(|o| o.pending())
    }

    /// The obligations without data (暂无数据), with the reason.
    pub fn no_data(&self) -> impl Iterator<Item = (&Obligation, NoData)> {
        self.obligations.iter().filter_map(|o| match o.state {
            State::NoData(r) => Some((o, r)),
            _ => None,
        })
    }

    /// The shortfalls of closed spans by kind and group, in kind order.
    pub fn missing(&self) -> Vec<Shortfall> {
        let mut by: BTreeMap<(MeetingKind, Option<i64>), Shortfall> = BTreeMap::new();
        for o in self.obligations.iter().filter(|o| o.closed()) {
            let s = by.entry((o.kind, o.group)).or_insert_with(|| Shortfall {
                kind: o.kind,
                group: o.group,
                due: 0,
                held: 0,
                spans: vec![],
            });
            s.due += o.due;
            s.held += o.credited();
            if !o.met() {
                s.spans.push(o.span);
            }
        }
        by.into_values().filter(|s| !s.spans.is_empty()).collect()
    }
}

/// The last day of the last month of `period` over on `as_of` (`None`: none is over):
/// what "截至…已结束的周期" names. (A yearly obligation may stay open past it while its
/// 所属年度 window runs.)
pub fn judged_through(period: Period, as_of: Date) -> Option<Date> {
    period
        .months()
        .into_iter()
        .map(Period::last_day)
        .filter(|d| *d < as_of)
        .max()
}

/// Judges one branch over `period` on `as_of` (see the module comment for the rules).
pub fn judge(
    branch: &BranchFacts,
    tally: &Tally,
    period: Period,
    rules: &RuleBook,
    as_of: Date,
) -> Compliance {
    let mut obligations = Vec::new();
    let closed_months: Vec<Period> = period
        .months()
        .into_iter()
        .filter(|m| m.last_day() < as_of)
        .collect();
    let held_closed = closed_months.iter().map(|m| tally.total(*m)).sum();
    if branch.temporary {
        return Compliance {
            branch_id: branch.branch_id,
            period,
            as_of,
            obligations,
            held_total: tally.total(period),
            held_closed,
            temporary: true,
        };
    }
    let period_rules = &rules.in_force(period.last_day()).meetings;
    for kind in MeetingKind::ALL {
        let cadence = period_rules.cadence_of(kind).span;
        for span in period.spans(cadence) {
            let set = &rules.in_force(span.last_day()).meetings;
            let due = set.cadence_of(kind).count;
            if due <= 0 {
                continue;
            }
            // A yearly span (not of a group) may be credited by sessions held for it
            // within the 所属年度 window, and stays open until the window closes.
            let year_window = match span {
                Period::Year(y) if kind != MeetingKind::GroupMeeting => {
                    Some((y, set.prior_year_window_end(y)))
                }
                _ => None,
            };
            let due_by = year_window.map_or(span.last_day(), |(_, end)| end);
            let held_of = |g: Option<i64>| match year_window {
                Some((y, end)) => tally.held_for_year(kind, y, end),
                None => tally.held(kind, g, span),
            };
            // A span still running is open (待办) whatever the records say: it is not
            // judged yet. A closed one without records, or not met before the records
            // start, is 暂无数据; so is 支委会 where nobody recorded a committee.
            let state_of = |held: i64, committee_unknown: bool| {
                let met = held >= due;
                if committee_unknown && !met {
                    State::NoData(NoData::CommitteeUnknown)
                } else if due_by >= as_of {
                    State::Open
                } else if !met && rules.covering(span.last_day()).is_none() {
                    State::NoData(NoData::BeforeRules)
                } else if !met && branch.records_from.is_none() {
                    State::NoData(NoData::NoRecords)
                } else if !met && branch.records_from.is_some_and(|r| span.first_day() < r) {
                    State::NoData(NoData::BeforeRecords)
                } else {
                    State::Closed
                }
            };
            if kind == MeetingKind::GroupMeeting {
                for g in &branch.groups {
                    if owes(
                        g.founded_on,
                        g.dissolved_on,
                        span,
                        cadence,
                        &set.partial_spans,
                    ) && owes(
                        branch.founded_on,
                        branch.dissolved_on,
                        span,
                        cadence,
                        &set.partial_spans,
                    ) {
                        let held = held_of(Some(g.group_id));
                        obligations.push(Obligation {
                            kind,
                            group: Some(g.group_id),
                            span,
                            due,
                            held,
                            due_by,
                            state: state_of(held, false),
                        });
                    }
                }
                continue;
            }
            if !owes(
                branch.founded_on,
                branch.dissolved_on,
                span,
                cadence,
                &set.partial_spans,
            ) {
                continue;
            }
            let mut committee_unknown = false;
            if kind == MeetingKind::CommitteeMeeting {
                match branch.committee.on(span.last_day()) {
                    Some(true) => {}
                    Some(false) => continue,
                    None => committee_unknown = true,
                }
            }
            let held = held_of(None);
            obligations.push(Obligation {
                kind,
                group: None,
                span,
                due,
                held,
                due_by,
                state: state_of(held, committee_unknown),
            });
        }
    }
    obligations.sort_by_key(|a| (a.kind, a.group, a.span));
    Compliance {
        branch_id: branch.branch_id,
        period,
        as_of,
        obligations,
        held_total: tally.total(period),
        held_closed,
        temporary: false,
    }
}

/// The obligations still to do on `today` (本月/本季度/本年度待办): this month's monthly
/// ones, this quarter's quarterly ones, this year's yearly ones, and last year's yearly
/// ones while the 所属年度 window is open.
pub fn open_on(
    branch: &BranchFacts,
    tally: &Tally,
    today: Date,
    rules: &RuleBook,
) -> Vec<Obligation> {
    let mut out = Vec::new();
    let set = &rules.in_force(today).meetings;
    let mut spans = vec![
        (Cadence::Yearly, Period::Year(today.year() - 1)),
        (Cadence::Monthly, Period::month_of(today)),
        (Cadence::Quarterly, Period::quarter_of(today)),
        (Cadence::Yearly, Period::year_of(today)),
    ];
    if set.prior_year_window_end(today.year() - 1) < today {
        spans.remove(0);
    }
    for (cadence, span) in spans {
        out.extend(
            judge(branch, tally, span, rules, today)
                .obligations
                .into_iter()
                .filter(|o| set.cadence_of(o.kind).span == cadence && o.pending()),
        );
    }
    out
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;
    use proptest::prelude::*;

    fn d(s: &str) -> Date {
        Date::parse_from_str(s, "%Y-%m-%d").unwrap()
    }

    /// Judged on a day after every span (all closed).
    fn judge_later(b: &BranchFacts, t: &Tally, p: Period, book: &RuleBook) -> Compliance {
        judge(b, t, p, book, d("2100-01-01"))
    }

    /// The meetings held: (kind, group, day).
    fn held(meetings: &[(MeetingKind, Option<i64>, &str)]) -> Tally {
        let mut t = Tally::default();
        for (kind, group, day) in meetings {
            t.add(*kind, *group, d(day));
        }
        t
    }

    /// A branch founded in 2000 with its records from then, and `groups`.
    pub(crate) fn branch(has_committee: bool, groups: &[i64]) -> BranchFacts {
        BranchFacts {
            branch_id: 1,
            committee: CommitteeHistory::always(Some(has_committee)),
            founded_on: Some(d("2000-01-01")),
            dissolved_on: None,
            records_from: Some(d("2000-01-01")),
            temporary: false,
            groups: groups
                .iter()
                .map(|g| GroupFacts {
                    group_id: *g,
                    founded_on: None,
                    dissolved_on: None,
                })
                .collect(),
        }
    }

    fn book() -> RuleBook {
        RuleBook::shipped()
    }

    /// Every kind held once in every month of 2025–2027 (group meetings by each group).
    fn everything(groups: &[i64]) -> Tally {
        let mut t = Tally::default();
        for y in 2025..=2027 {
            for m in 1..=12 {
                let day = Date::from_ymd_opt(y, m, 15).unwrap();
                for k in MeetingKind::ALL {
                    if k == MeetingKind::GroupMeeting {
                        for g in groups {
                            t.add(k, Some(*g), day);
                        }
                    } else {
                        t.add(k, None, day);
                    }
                }
            }
        }
        t
    }

    #[test]
    fn a_month_judges_only_monthly_obligations() {
        let b = branch(true, &[7, 8]);
        let c = judge_later(&b, &Tally::default(), Period::Month(2026, 9), &book());
        let kinds: Vec<(MeetingKind, Option<i64>)> =
            c.obligations.iter().map(|o| (o.kind, o.group)).collect();
        assert_eq!(
            kinds,
            vec![
                (MeetingKind::CommitteeMeeting, None),
                (MeetingKind::GroupMeeting, Some(7)),
                (MeetingKind::GroupMeeting, Some(8)),
                (MeetingKind::ThemeDay, None),
            ]
        );
        assert!(c.held_nothing());
        assert!(!c.compliant());
    }

    #[test]
    fn a_quarter_judges_each_month_and_the_quarter() {
        let b = branch(false, &[]);
        // Two theme days in July, none in August, one in September; a general meeting
        // on the quarter's first day; a party lecture the day after the quarter.
        let t = held(&[
            (MeetingKind::ThemeDay, None, "2026-07-01"),
            (MeetingKind::ThemeDay, None, "2026-07-20"),
            (MeetingKind::ThemeDay, None, "2026-09-30"),
            (MeetingKind::GeneralMeeting, None, "2026-07-01"),
            (MeetingKind::PartyLecture, None, "2026-10-01"),
            (MeetingKind::PartyLecture, None, "2026-06-30"),
        ]);
        let c = judge_later(&b, &t, Period::Quarter(2026, 3), &book());
        assert_eq!(
            c.obligations.len(),
            3 + 1 + 1,
            "3 theme days, general meeting, lecture"
        );
        assert_eq!(c.held_total, 4);
        let missing = c.missing();
        assert_eq!(missing.len(), 2);
        assert_eq!(
            (missing[0].kind, missing[0].due, missing[0].held),
            (MeetingKind::PartyLecture, 1, 0)
        );
        assert_eq!(
            (
                missing[1].kind,
                missing[1].due,
                missing[1].held,
                missing[1].spans.clone()
            ),
            (MeetingKind::ThemeDay, 3, 2, vec![Period::Month(2026, 8)])
        );
        // Without a committee, no committee meetings are due.
        assert!(c
            .obligations
            .iter()
            .all(|o| o.kind != MeetingKind::CommitteeMeeting));
    }

    #[test]
    fn a_year_judges_months_quarters_and_the_year() {
        let b = branch(true, &[3]);
        let c = judge_later(&b, &Tally::default(), Period::Year(2026), &book());
        let count = |k| c.obligations.iter().filter(|o| o.kind == k).count();
        assert_eq!(count(MeetingKind::ThemeDay), 12);
        assert_eq!(count(MeetingKind::CommitteeMeeting), 12);
        assert_eq!(count(MeetingKind::GroupMeeting), 12);
        assert_eq!(count(MeetingKind::GeneralMeeting), 4);
        assert_eq!(count(MeetingKind::PartyLecture), 4);
        assert_eq!(count(MeetingKind::LifeMeeting), 1);
        assert_eq!(count(MeetingKind::DemocraticEvaluation), 1);
        assert!(judge_later(&b, &everything(&[3]), Period::Year(2026), &book()).compliant());
    }

    #[test]
    fn orgs_owe_only_spans_they_existed_throughout() {
        let mut b = branch(false, &[5, 6]);
        b.founded_on = Some(d("2026-08-20"));
        b.groups[1].dissolved_on = Some(d("2026-09-30"));
        let c = judge_later(&b, &Tally::default(), Period::Quarter(2026, 3), &book());
        // Only September is owed (one whole month of the quarter is less than the rule's
        // two, so the quarter is not); group 6, dissolved on September's last day, existed
        // that day and owes September (review S17: the old reading let it off).
        let got: Vec<(MeetingKind, Option<i64>, Period)> = c
            .obligations
            .iter()
            .map(|o| (o.kind, o.group, o.span))
            .collect();
        assert_eq!(
            got,
            vec![
                (MeetingKind::GroupMeeting, Some(5), Period::Month(2026, 9)),
                (MeetingKind::GroupMeeting, Some(6), Period::Month(2026, 9)),
                (MeetingKind::ThemeDay, None, Period::Month(2026, 9)),
            ]
        );
        b.founded_on = Some(d("2026-10-01"));
        assert!(!judge_later(&b, &Tally::default(), Period::Quarter(2026, 3), &book()).judged());
    }

    #[test]
    fn each_span_is_judged_by_the_rules_in_force_on_its_last_day() {
        let base = RuleBook::shipped().sets()[0].clone();
        let mut later = base.clone();
        later.id = "2026-09".into();
        later.effective_from = d("2026-09-30");
        later.meetings.theme_day_per_month = 2;
        let book = RuleBook::new(vec![base, later]);
        let c = judge_later(
            &branch(false, &[]),
            &Tally::default(),
            Period::Quarter(2026, 3),
            &book,
        );
        let dues: Vec<i64> = c
            .obligations
            .iter()
            .filter(|o| o.kind == MeetingKind::ThemeDay)
            .map(|o| o.due)
            .collect();
        assert_eq!(dues, vec![1, 1, 2]);
    }

    #[test]
    fn open_on_lists_this_month_quarter_and_year() {
        let b = branch(false, &[]);
        let t = held(&[
            (MeetingKind::ThemeDay, None, "2026-08-03"),
            (MeetingKind::GeneralMeeting, None, "2026-07-03"),
            (MeetingKind::LifeMeeting, None, "2026-01-15"),
        ]);
        let open: Vec<(MeetingKind, Period)> = open_on(&b, &t, d("2026-08-10"), &book())
            .into_iter()
            .map(|o| (o.kind, o.span))
            .collect();
        assert_eq!(
            open,
            vec![
                (MeetingKind::PartyLecture, Period::Quarter(2026, 3)),
                (MeetingKind::DemocraticEvaluation, Period::Year(2026)),
            ]
        );
    }

    #[test]
    fn s1_a_running_year_is_open_not_failed() {
        // S1: on 2026-07-05 a branch that held everything due from January to June.
        let b = branch(true, &[3]);
        let mut t = Tally::default();
        for m in 1..=6 {
            let day = Date::from_ymd_opt(2026, m, 10).unwrap();
            for k in [
                MeetingKind::ThemeDay,
                MeetingKind::CommitteeMeeting,
                MeetingKind::GeneralMeeting,
                MeetingKind::PartyLecture,
            ] {
                t.add(k, None, day);
            }
            t.add(MeetingKind::GroupMeeting, Some(3), day);
        }
        let today = d("2026-07-05");
        let c = judge(&b, &t, Period::Year(2026), &book(), today);
        assert!(c.compliant(), "{:?}", c.missing());
        assert!(c.missing().is_empty());
        let open: Vec<(MeetingKind, Period, Date)> = c
            .open()
            .map(|o| (o.kind, o.span, o.due_by))
            .filter(|o| o.0 != MeetingKind::ThemeDay || o.1 == Period::Month(2026, 7))
            .collect();
        assert!(open.contains(&(
            MeetingKind::ThemeDay,
            Period::Month(2026, 7),
            d("2026-07-31")
        )));
        assert!(open.contains(&(
            MeetingKind::LifeMeeting,
            Period::Year(2026),
            d("2027-03-31")
        )));
        assert_eq!(
            judged_through(Period::Year(2026), today),
            Some(d("2026-06-30"))
        );
        // The month just begun: nothing closed, nothing judged, nothing failed.
        let m = judge(&b, &t, Period::Month(2026, 7), &book(), today);
        assert!(!m.judged() && !m.compliant() && m.missing().is_empty());
        assert_eq!(m.open().count(), 3);
        assert_eq!(
            judged_through(Period::Month(2026, 7), d("2026-07-01")),
            None
        );
    }

    #[test]
    fn s12_committee_owed_from_the_month_it_existed() {
        // S12: first 支委会 elected 2026-11-20; before that nobody recorded anything.
        let mut b = branch(false, &[]);
        b.committee = CommitteeHistory {
            changes: vec![(Some(d("2026-11-20")), true)],
        };
        let c = judge_later(&b, &Tally::default(), Period::Year(2026), &book());
        let committee: Vec<(Period, State)> = c
            .obligations
            .iter()
            .filter(|o| o.kind == MeetingKind::CommitteeMeeting)
            .map(|o| (o.span, o.state))
            .collect();
        assert_eq!(committee.len(), 12);
        assert_eq!(committee[10], (Period::Month(2026, 11), State::Closed));
        assert_eq!(committee[11], (Period::Month(2026, 12), State::Closed));
        assert!(committee[..10]
            .iter()
            .all(|(_, s)| *s == State::NoData(NoData::CommitteeUnknown)));
        let short = c
            .missing()
            .into_iter()
            .find(|s| s.kind == MeetingKind::CommitteeMeeting)
            .unwrap();
        assert_eq!((short.due, short.held), (2, 0));
        // A committee stated absent until then owes nothing before November.
        b.committee.changes.insert(0, (None, false));
        let c = judge_later(&b, &Tally::default(), Period::Year(2026), &book());
        assert_eq!(
            c.obligations
                .iter()
                .filter(|o| o.kind == MeetingKind::CommitteeMeeting)
                .count(),
            2
        );
    }

    #[test]
    fn s17_partial_spans_owe_by_rule() {
        // Founded 2026-01-02: no January, but Q1 (two whole months) and the year.
        let mut b = branch(false, &[]);
        b.founded_on = Some(d("2026-01-02"));
        let c = judge_later(&b, &Tally::default(), Period::Year(2026), &book());
        let spans = |k: MeetingKind| -> Vec<Period> {
            c.obligations
                .iter()
                .filter(|o| o.kind == k)
                .map(|o| o.span)
                .collect()
        };
        assert_eq!(spans(MeetingKind::ThemeDay).len(), 11);
        assert!(!spans(MeetingKind::ThemeDay).contains(&Period::Month(2026, 1)));
        assert_eq!(spans(MeetingKind::GeneralMeeting).len(), 4);
        assert_eq!(spans(MeetingKind::LifeMeeting), vec![Period::Year(2026)]);
        // Dissolved 2026-12-31: owes December, Q4 and the year.
        let mut b = branch(false, &[]);
        b.dissolved_on = Some(d("2026-12-31"));
        let c = judge_later(&b, &Tally::default(), Period::Year(2026), &book());
        assert_eq!(
            c.obligations
                .iter()
                .filter(|o| o.kind == MeetingKind::ThemeDay)
                .count(),
            12
        );
        assert!(c
            .obligations
            .iter()
            .any(|o| o.span == Period::Quarter(2026, 4)));
        assert!(c
            .obligations
            .iter()
            .any(|o| o.kind == MeetingKind::LifeMeeting));
        // Founded 2026-08-20: owes no 2026 yearly items (four whole months < six).
        let mut b = branch(false, &[]);
        b.founded_on = Some(d("2026-08-20"));
        let c = judge_later(&b, &Tally::default(), Period::Year(2026), &book());
        assert!(!c
            .obligations
            .iter()
            .any(|o| o.kind == MeetingKind::LifeMeeting));
    }

    #[test]
    fn s18_a_temporary_branch_owes_nothing() {
        let mut b = branch(true, &[1]);
        b.temporary = true;
        let c = judge_later(&b, &Tally::default(), Period::Year(2026), &book());
        assert!(c.temporary && !c.judged() && c.obligations.is_empty());
        assert!(open_on(&b, &Tally::default(), d("2026-07-05"), &book()).is_empty());
    }

    #[test]
    fn s22_a_ledger_older_than_the_rules_is_not_judged_by_them() {
        // 2017: before the earliest set (2019-01-01). Held nothing, yet nothing fails.
        let mut b = branch(true, &[]);
        b.records_from = Some(d("2017-01-01"));
        let c = judge_later(&b, &Tally::default(), Period::Year(2017), &book());
        assert!(c.missing().is_empty(), "{:?}", c.missing());
        assert!(c.no_data().all(|(_, r)| r == NoData::BeforeRules));
        assert!(c.no_data().count() > 0);
        // 2019 is judged by the 2019 set.
        let mut b = branch(true, &[]);
        b.records_from = Some(d("2019-01-01"));
        let c = judge_later(&b, &Tally::default(), Period::Year(2019), &book());
        assert!(!c.missing().is_empty());
    }

    #[test]
    fn s24_no_records_is_no_data_not_held_nothing() {
        let mut b = branch(true, &[]);
        b.records_from = None;
        let c = judge_later(&b, &Tally::default(), Period::Year(2026), &book());
        assert!(!c.judged() && !c.held_nothing() && c.missing().is_empty());
        assert!(c.no_data().all(|(_, r)| r == NoData::NoRecords));
        // Records from July: the first half and the year are 暂无数据, the rest judged.
        b.records_from = Some(d("2026-07-01"));
        let c = judge_later(&b, &Tally::default(), Period::Year(2026), &book());
        let themes: Vec<State> = c
            .obligations
            .iter()
            .filter(|o| o.kind == MeetingKind::ThemeDay)
            .map(|o| o.state)
            .collect();
        assert_eq!(themes[5], State::NoData(NoData::BeforeRecords));
        assert_eq!(themes[6], State::Closed);
        assert!(c
            .obligations
            .iter()
            .filter(|o| o.kind == MeetingKind::LifeMeeting)
            .all(|o| o.state == State::NoData(NoData::BeforeRecords)));
        assert!(c.held_nothing(), "judged months with nothing held");
    }

    #[test]
    fn s9_one_meeting_serves_several_obligations() {
        let b = branch(false, &[]);
        let mut t = Tally::default();
        let kinds = MeetingKind::parse_labels("主题党日暨党员大会").unwrap();
        t.add_meeting(&kinds, None, d("2026-03-15"), None);
        t.add(MeetingKind::ThemeDay, None, d("2026-01-15"));
        t.add(MeetingKind::ThemeDay, None, d("2026-02-15"));
        t.add_meeting(
            &MeetingKind::parse_labels("党员大会（党课）").unwrap(),
            None,
            d("2026-02-20"),
            None,
        );
        let c = judge_later(&b, &t, Period::Quarter(2026, 1), &book());
        assert!(c.compliant(), "{:?}", c.missing());
        assert_eq!(c.held_total, 4, "each meeting once");
    }

    #[test]
    fn s10_a_yearly_session_belongs_to_its_year() {
        let b = branch(false, &[]);
        let mut t = Tally::default();
        let both = [MeetingKind::LifeMeeting, MeetingKind::DemocraticEvaluation];
        // 2025年度 held 2026-01-20; 2026年度 held 2026-12-28.
        t.add_meeting(&both, None, d("2026-01-20"), Some(2025));
        t.add_meeting(&both, None, d("2026-12-28"), None);
        let yearly = |c: &Compliance| -> Vec<(MeetingKind, i64, State)> {
            c.obligations
                .iter()
                .filter(|o| o.span == Period::Year(c.period.first_day().year()))
                .filter(|o| both.contains(&o.kind))
                .map(|o| (o.kind, o.held, o.state))
                .collect()
        };
        let y25 = judge(&b, &t, Period::Year(2025), &book(), d("2026-02-01"));
        assert_eq!(
            yearly(&y25),
            vec![
                (MeetingKind::LifeMeeting, 1, State::Open),
                (MeetingKind::DemocraticEvaluation, 1, State::Open)
            ]
        );
        // Before the session: open (待办) until 2026-03-31, not missing.
        let before = judge(&b, &t, Period::Year(2025), &book(), d("2026-01-10"));
        assert_eq!(before.open().filter(|o| both.contains(&o.kind)).count(), 0);
        let empty = judge(
            &b,
            &Tally::default(),
            Period::Year(2025),
            &book(),
            d("2026-01-10"),
        );
        assert_eq!(empty.open().filter(|o| both.contains(&o.kind)).count(), 2);
        assert!(empty.missing().iter().all(|s| !both.contains(&s.kind)));
        let y26 = judge(&b, &t, Period::Year(2026), &book(), d("2027-04-01"));
        assert_eq!(
            yearly(&y26),
            vec![
                (MeetingKind::LifeMeeting, 1, State::Closed),
                (MeetingKind::DemocraticEvaluation, 1, State::Closed)
            ]
        );
        // 本年度待办 in January 2026 lists 2025's yearly items until held.
        let todo = open_on(&b, &Tally::default(), d("2026-01-10"), &book());
        assert!(todo
            .iter()
            .any(|o| o.span == Period::Year(2025) && o.kind == MeetingKind::LifeMeeting));
        let todo = open_on(&b, &t, d("2026-01-25"), &book());
        assert!(!todo.iter().any(|o| o.span == Period::Year(2025)));
    }

    #[test]
    fn s20_a_local_rule_two_lectures_a_year() {
        let mut set = RuleBook::shipped().sets()[0].clone();
        set.meetings.cadences.insert(
            MeetingKind::PartyLecture,
            crate::rules::CadenceRule {
                span: Cadence::Yearly,
                count: 2,
            },
        );
        let book = RuleBook::new(vec![set]);
        let b = branch(false, &[]);
        let t = held(&[
            (MeetingKind::PartyLecture, None, "2026-03-20"),
            (MeetingKind::PartyLecture, None, "2026-09-18"),
        ]);
        let c = judge(&b, &t, Period::Year(2026), &book, d("2027-06-01"));
        let lectures: Vec<&Obligation> = c
            .obligations
            .iter()
            .filter(|o| o.kind == MeetingKind::PartyLecture)
            .collect();
        assert_eq!(lectures.len(), 1);
        assert_eq!(
            (lectures[0].span, lectures[0].due, lectures[0].held),
            (Period::Year(2026), 2, 2)
        );
        assert!(!c
            .missing()
            .iter()
            .any(|s| s.kind == MeetingKind::PartyLecture));
        // And none judged on a quarter.
        let q = judge(&b, &t, Period::Quarter(2026, 2), &book, d("2027-06-01"));
        assert!(!q
            .obligations
            .iter()
            .any(|o| o.kind == MeetingKind::PartyLecture));
    }

    fn arb_day() -> impl Strategy<Value = Date> {
        (0i64..(4 * 366)).prop_map(|x| d("2024-12-01") + chrono::Days::new(x as u64))
    }

    fn arb_period() -> impl Strategy<Value = Period> {
        prop_oneof![
            (2025i32..=2027, 1u32..=12).prop_map(|(y, m)| Period::Month(y, m)),
            (2025i32..=2027, 1u32..=4).prop_map(|(y, q)| Period::Quarter(y, q)),
            (2025i32..=2027).prop_map(Period::Year),
        ]
    }

    fn arb_meeting() -> impl Strategy<Value = (MeetingKind, Option<i64>, Date)> {
        (0usize..7, 0i64..3, 0i64..(3 * 366)).prop_map(|(k, g, day)| {
            let kind = MeetingKind::ALL[k];
            let date = d("2025-01-01") + chrono::Days::new(day as u64);
            let group = (kind == MeetingKind::GroupMeeting).then_some(g);
            (kind, group, date)
        })
    }

    fn arb_branch() -> impl Strategy<Value = BranchFacts> {
        (any::<bool>(), 0usize..3, proptest::option::of(0i64..1000)).prop_map(|(c, n, founded)| {
            let mut b = branch(c, &(0..n as i64).collect::<Vec<_>>());
            b.founded_on = founded.map(|x| d("2024-06-01") + chrono::Days::new(x as u64));
            b
        })
    }

    fn tally(ms: &[(MeetingKind, Option<i64>, Date)]) -> Tally {
        let mut t = Tally::default();
        for (k, g, day) in ms {
            t.add(*k, *g, *day);
        }
        t
    }

    proptest! {
        // Holding one more meeting never makes a compliant branch non-compliant, and
        // never lowers what any obligation counts as held.
        #[test]
        fn adding_a_meeting_never_hurts(
            b in arb_branch(),
            ms in proptest::collection::vec(arb_meeting(), 0..60),
            extra in arb_meeting(),
            p in arb_period(),
        ) {
            let book = book();
            let before = judge_later(&b, &tally(&ms), p, &book);
            let mut more = ms.clone();
            more.push(extra);
            let after = judge_later(&b, &tally(&more), p, &book);
            prop_assert_eq!(before.obligations.len(), after.obligations.len());
            for (x, y) in before.obligations.iter().zip(&after.obligations) {
                prop_assert!(y.held >= x.held);
            }
            if before.compliant() {
                prop_assert!(after.compliant());
            }
            prop_assert!(after.held_total >= before.held_total);
        }

        // No judgement of a running span ever reports a shortfall: whatever the day
        // asked, every obligation whose due-by day has not passed is open, and nothing
        // open is missing, failed or counted in the rates.
        #[test]
        fn a_running_span_is_never_a_shortfall(
            b in arb_branch(),
            ms in proptest::collection::vec(arb_meeting(), 0..60),
            p in arb_period(),
            today in arb_day(),
        ) {
            let c = judge(&b, &tally(&ms), p, &book(), today);
            for o in &c.obligations {
                if o.due_by >= today {
                    prop_assert!(!o.short(), "{:?}", o);
                    prop_assert!(o.state != State::Closed);
                }
            }
            for s in c.missing() {
                for span in s.spans {
                    prop_assert!(span.last_day() < today);
                }
            }
            if c.obligations.iter().all(|o| o.due_by >= today) {
                prop_assert!(!c.judged() && !c.held_nothing() && !c.compliant());
            }
            for o in open_on(&b, &tally(&ms), today, &book()) {
                prop_assert!(o.due_by >= today && !o.short());
            }
        }

        // A branch that holds every kind every month (each group too) complies in any period.
        #[test]
        fn holding_everything_every_month_complies(b in arb_branch(), p in arb_period()) {
            let groups: Vec<i64> = b.groups.iter().map(|g| g.group_id).collect();
            let c = judge_later(&b, &everything(&groups), p, &book());
            prop_assert!(!c.judged() || c.compliant(), "{:?}", c.missing());
            prop_assert!(!c.held_nothing());
        }

        // Meetings outside the period change nothing.
        #[test]
        fn only_the_period_counts(
            b in arb_branch(),
            ms in proptest::collection::vec(arb_meeting(), 0..60),
            p in arb_period(),
        ) {
            let inside: Vec<_> = ms.iter().copied().filter(|m| p.contains(m.2)).collect();
            let book = book();
            prop_assert_eq!(judge_later(&b, &tally(&ms), p, &book), judge_later(&b, &tally(&inside), p, &book));
        }

        // A year's obligations are exactly its months' monthly ones, its quarters'
        // quarterly ones and its own yearly ones: judging is consistent across periods.
        #[test]
        fn periods_nest(
            b in arb_branch(),
            ms in proptest::collection::vec(arb_meeting(), 0..80),
            y in 2025i32..=2027,
        ) {
            let book = book();
            let t = tally(&ms);
            let year = judge_later(&b, &t, Period::Year(y), &book);
            let mut parts: Vec<Obligation> = Vec::new();
            for q in 1..=4 {
                let quarter = judge_later(&b, &t, Period::Quarter(y, q), &book);
                let mut from_months = Vec::new();
                for m in Period::Quarter(y, q).months() {
                    from_months.extend(judge_later(&b, &t, m, &book).obligations);
                }
                let monthly: Vec<Obligation> = quarter
                    .obligations
                    .iter()
                    .filter(|o| o.kind.cadence() == Cadence::Monthly)
                    .cloned()
                    .collect();
                from_months.sort_by_key(|a| (a.kind, a.group, a.span));
                prop_assert_eq!(&monthly, &from_months);
                parts.extend(quarter.obligations);
            }
            parts.extend(
                year.obligations.iter().filter(|o| o.kind.cadence() == Cadence::Yearly).cloned(),
            );
            parts.sort_by_key(|a| (a.kind, a.group, a.span));
            prop_assert_eq!(year.obligations, parts);
        }
    }
}
