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
pub(crate) mod tests;
