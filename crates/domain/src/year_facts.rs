//! The facts of one org and year that rating and the weakness diagnosis read
//! ([`OrgYearFacts`] and its parts), and the calendar of a judged year: the day it is
//! judged as of, the months read, the committee window, organizational life summed.

use std::collections::BTreeMap;

use chrono::Months;
use serde::{Deserialize, Serialize};

use crate::compliance::{judge, BranchFacts, Obligation, Tally};
use crate::history::{CommitteeHistory, SecretaryState};
use crate::{Date, Domain, MeetingKind, OrgKind, Period, RuleBook};

/// Whether a village's recruitment is judged for this org, and what is known.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum Recruitment {
    /// Not the top org of a village.
    NotApplicable,
    /// The stored fact is not computed yet (facts older than the schema).
    Unknown,
    /// No member on record in the subtree on the day (the roster is not loaded): 暂无数据,
    /// never "nobody recruited".
    NoMembers,
    /// The latest joining date, on or before the day, of the members of the subtree who
    /// joined here (members transferred in after joining elsewhere are not recruits);
    /// `None`: members on record, none of them recruited here.
    LastJoined(Option<Date>),
}

/// The committee meetings of one org over the window of `no_committee_meeting_months`
/// (瘫), or why they are not judged.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum CommitteeWindow {
    /// Whether the org has a committee is not recorded (暂无数据).
    Unknown,
    /// No committee on the day: nothing owed.
    NoCommittee,
    /// The committee (or the org) is younger than the window: not judged yet.
    Young { since: Date },
    /// The meeting records start within the window (or there are none): 暂无数据.
    Unrecorded { from: Option<Date> },
    /// Judged: the committee existed and the records cover the whole window.
    Judged(WindowCheck),
}

/// A month window of one branch: from the first month to the last, and how many meetings
/// of the kind in question it held.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct WindowCheck {
    pub from: Period,
    pub to: Period,
    pub held: i64,
}

/// The organizational life of one branch (or, summed, of a village's branches) in the
/// year, as diagnosis and rating read it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct LifeSummary {
    /// The periods judged: the year when it is over, else its quarters that are.
    pub periods: Vec<Period>,
    /// The first day the records cover (台账起始日, else the first month with a recorded
    /// meeting); `None`: nothing recorded, so nothing is judged (暂无数据).
    pub records_from: Option<Date>,
    /// Branch-level obligations due and met in those periods, spans before the records
    /// left out: one per kind and span, the group meetings of a month counting as one
    /// obligation of the branch, met when every group due met ([`branch_level`]).
    pub due: i64,
    pub met: i64,
    /// Complete quarters within the records in which something was owed.
    pub quarters: Vec<Period>,
    /// Of those, the quarters in which nothing at all was held.
    pub held_nothing: Vec<Period>,
    /// Committee meetings over the window of `no_committee_meeting_months`.
    pub committee: CommitteeWindow,
    /// Attendance over the year's meetings up to the day.
    pub expected: i64,
    pub present: i64,
}

impl LifeSummary {
    /// The organizational life of a village top org: its branches' summed (a quarter
    /// counts as "nothing held" when no branch of the village held anything in it), with
    /// the committee window of the top org's own 委员会.
    pub fn village(parts: &[&LifeSummary], committee: CommitteeWindow) -> LifeSummary {
        let mut quarters: Vec<Period> = parts.iter().flat_map(|p| p.quarters.clone()).collect();
        quarters.sort();
        quarters.dedup();
        let held_nothing = quarters
            .iter()
            .copied()
            .filter(|q| {
                parts
                    .iter()
                    .filter(|p| p.quarters.contains(q))
                    .all(|p| p.held_nothing.contains(q))
            })
            .collect();
        LifeSummary {
            periods: parts.first().map(|p| p.periods.clone()).unwrap_or_default(),
            records_from: parts.iter().filter_map(|p| p.records_from).min(),
            due: parts.iter().map(|p| p.due).sum(),
            met: parts.iter().map(|p| p.met).sum(),
            quarters,
            held_nothing,
            committee,
            expected: parts.iter().map(|p| p.expected).sum(),
            present: parts.iter().map(|p| p.present).sum(),
        }
    }
}

/// Sums of organizational life over the branches of a subtree.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct LifeTotals {
    pub branches: i64,
    /// Branches with no record of organizational life at all.
    #[serde(default)]
    pub unrecorded: i64,
    pub due: i64,
    pub met: i64,
    pub expected: i64,
    pub present: i64,
}

impl LifeTotals {
    pub fn add(&mut self, l: &LifeSummary) {
        self.branches += 1;
        self.unrecorded += i64::from(l.records_from.is_none());
        self.due += l.due;
        self.met += l.met;
        self.expected += l.expected;
        self.present += l.present;
    }

    pub fn merge(&mut self, o: &LifeTotals) {
        self.branches += o.branches;
        self.unrecorded += o.unrecorded;
        self.due += o.due;
        self.met += o.met;
        self.expected += o.expected;
        self.present += o.present;
    }
}

/// Funding recorded for the org and year (yuan); `None` where nothing is recorded.
#[derive(Debug, Clone, Copy, Default, PartialEq, Serialize, Deserialize)]
pub struct FundingFacts {
    pub operating_yuan: Option<f64>,
    pub collective_income_yuan: Option<f64>,
    /// The 经费保障 standard that applies to the org's domain and level for the year
    /// (`domain::funding`: the department's, else the rule set's); `None`: none names its
    /// domain, and the indicator set's standard is the one judged.
    #[serde(default)]
    pub operating_standard_yuan: Option<f64>,
    #[serde(default)]
    pub collective_standard_yuan: Option<f64>,
}

impl FundingFacts {
    /// The operating funding standard judged: the 经费保障 standard of the org's domain,
    /// else the indicator set's.
    pub fn operating_standard(&self, set: Option<f64>) -> Option<f64> {
        self.operating_standard_yuan.or(set)
    }

    /// The collective income standard judged, as [`FundingFacts::operating_standard`].
    pub fn collective_standard(&self, set: Option<f64>) -> Option<f64> {
        self.collective_standard_yuan.or(set)
    }
}

/// A discipline case recorded against the org or its members in the year.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CaseNote {
    pub decided_on: Date,
    pub summary: String,
    /// Against the team (书记, 班子成员, 村干部): only these mark the org 贪.
    #[serde(default)]
    pub team: bool,
}

/// A signal recorded by hand (乱 above all), with where it comes from.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ManualSignal {
    pub kind: crate::weakness::WeaknessKind,
    pub evidence: String,
    pub source: String,
}

/// Everything rating and diagnosis read of one org for one year, gathered from stored
/// facts by the caller.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct OrgYearFacts {
    pub org_id: i64,
    pub kind: OrgKind,
    pub domain: Option<Domain>,
    pub year: i32,
    /// The day judged: the year's last day, or today while the year runs. Every fact
    /// below is as it was on this day.
    pub as_of: Date,
    pub founded_on: Option<Date>,
    /// The last election held on or before the day (`None`: none recorded).
    pub last_election_on: Option<Date>,
    /// A term length approved for this org, overriding the rule for its kind (年).
    pub term_years: Option<i64>,
    /// The end of an approved postponement of the 换届 in force on the day.
    pub postponed_until: Option<Date>,
    /// Whether the org had a committee on the day (`None`: not recorded).
    pub committee: Option<bool>,
    /// Members and full members of the subtree on the day (joined, or transferred in, on
    /// or before it and not exited before it).
    pub subtree_members: i64,
    pub subtree_full: i64,
    /// The secretary's office on the day.
    pub secretary: SecretaryState,
    /// The top org of a village (its collective income, recruitment, organizational life
    /// and committee meetings are judged there).
    pub village_top: bool,
    /// Below a village top org: its organizational life, masses work and funding are
    /// judged at the top (the org a county rectifies).
    #[serde(default)]
    pub under_village_top: bool,
    pub recruitment: Recruitment,
    /// The org's own organizational life (branches only).
    pub life: Option<LifeSummary>,
    /// Summed over the branches of the subtree (the org itself included).
    pub subtree_life: LifeTotals,
    pub funding: FundingFacts,
    pub discipline_cases: Vec<CaseNote>,
    pub manual_signals: Vec<ManualSignal>,
    /// Hand scores of manual indicators, by indicator code.
    pub manual_scores: BTreeMap<String, f64>,
    /// A weakness of the org was confirmed (已确定为软弱涣散) for the year: the indicator
    /// set may cap its stars (`IndicatorSet::confirmed_weak_max_stars`).
    #[serde(default)]
    pub confirmed_weak: bool,
    /// The subtree's training hours of the year (the stored tally; `None`: none stored,
    /// no member on record).
    #[serde(default)]
    pub training: Option<crate::training::Tally>,
    /// The tasks that reached the org itself with a deadline in the year (`None`: none).
    #[serde(default)]
    pub tasks: Option<crate::task::TaskTally>,
    /// The org's 述职评议考核 of the year and the problems its duty records named (`None`:
    /// none recorded).
    #[serde(default)]
    pub duty: Option<crate::duty::DutyFacts>,
    /// The 群众诉求 of the org's subtree over the 懒 window before the day (`None`: none
    /// recorded, 暂无数据).
    #[serde(default)]
    pub masses: Option<crate::mass_request::MassFacts>,
    /// The org's latest 群众满意度测评 of the year closed on or before the day (`None`:
    /// none closed, 暂无数据).
    #[serde(default)]
    pub satisfaction: Option<crate::survey::SatisfactionFacts>,
}

/// Evidence texts that recur in nearly every rating. Stored ratings refer to them by
/// position instead of repeating them (a province's ratings shrink to a third), so the list
/// is append-only: never reorder or change an entry.
pub const COMMON_EVIDENCE: &[&str] = &[
    "暂无数据：尚未记录党员教育培训学时",
    "暂无数据：尚未开展群众满意度测评",
    // Retired (issue #17: tasks are recorded now); kept for the ratings stored with it.
    "暂无数据：尚未记录任务完成情况",
    "暂无数据：尚未人工评分",
    "书记在岗",
    "暂无数据：本年度无记录应到人数的会议",
    "不适用：下无党支部，组织生活按党支部统计",
    "不适用：下无党支部",
    "不适用：不设书记",
    "不适用：只评村党组织",
    "不适用：本指标体系未设运转经费标准",
    "不适用：无任期",
    "暂无数据：统计期间内无应开展的组织生活",
    "暂无数据：本年度尚无已结束的季度",
    "暂无数据：未记录书记任职情况",
    "暂无数据：未记录是否设立委员会",
    "暂无数据：党员名册尚无记录",
    "暂无数据：组织生活台账尚无记录",
    "不适用：村党组织的经费按村统计",
    "暂无数据：没有到期的上级部署任务",
];

/// The kinds of org that are rated and diagnosed: the grassroots orgs that elect a
/// secretary (groups belong to their branch; local and working committees are not rated).
pub fn is_rated(kind: OrgKind) -> bool {
    matches!(
        kind,
        OrgKind::PrimaryCommittee | OrgKind::GeneralBranch | OrgKind::Branch
    )
}

/// Whether an org is the top org of a village: a village org that is not a sub-branch of
/// a village general branch or committee.
pub fn is_village_top(
    kind: OrgKind,
    domain: Option<Domain>,
    parent: Option<(OrgKind, Option<Domain>)>,
) -> bool {
    if domain != Some(Domain::Village) || !is_rated(kind) {
        return false;
    }
    !matches!(
        parent,
        Some((
            OrgKind::PrimaryCommittee | OrgKind::GeneralBranch,
            Some(Domain::Village)
        ))
    )
}

/// The day a year is judged on: its last day once over, else `today`.
pub fn as_of(year: i32, today: Date) -> Date {
    let last = Period::Year(year).last_day();
    if today >= last {
        last
    } else {
        today
    }
}

/// The periods of `year` judged on `as_of`: the whole year once it is over, else the
/// quarters already over (none in the first quarter).
pub fn judged_periods(year: i32, as_of: Date) -> Vec<Period> {
    let y = Period::Year(year);
    if as_of >= y.last_day() {
        return vec![y];
    }
    y.quarters()
        .into_iter()
        .filter(|q| q.last_day() < as_of)
        .collect()
}

/// The month `n` months before the month of `day`.
pub fn months_back(day: Date, n: u32) -> Period {
    let first = Period::month_of(day).first_day();
    Period::month_of(first.checked_sub_months(Months::new(n)).unwrap_or(first))
}

/// The months whose stored facts rating and diagnosis of `year` read on `as_of`: from the
/// start of the longest look-back window to the month of `as_of`.
pub fn months_needed(year: i32, as_of: Date, lookback_months: u32) -> Vec<Period> {
    let from = months_back(as_of, lookback_months)
        .first_day()
        .min(Period::Year(year).first_day());
    let to = Period::month_of(as_of);
    let mut out = Vec::new();
    let mut m = Period::month_of(from);
    while m <= to {
        out.push(m);
        let next = m.last_day().succ_opt().expect("a next day");
        m = Period::month_of(next);
    }
    out
}

/// What is counted of one branch's months: meetings by kind (for compliance) and
/// attendance. (Non-members present at meetings are not read: 三会一课 are internal
/// meetings, and the column is optional in a ledger — review error 3.)
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct BranchMonths {
    pub tally: Tally,
    /// (expected, present) by month.
    pub attendance: BTreeMap<(i32, u32), (i64, i64)>,
}

impl BranchMonths {
    /// The first month with a meeting recorded among the months read.
    pub fn first_recorded(&self) -> Option<Date> {
        self.tally
            .months
            .iter()
            .find(|(_, t)| t.total() > 0)
            .and_then(|((y, m), _)| Date::from_ymd_opt(*y, *m, 1))
    }
}

/// A window of `months` full months before the month of `as_of`, with that month: a
/// branch fires only after at least `months` whole months without.
fn window(as_of: Date, months: u32) -> (Period, Period) {
    (months_back(as_of, months), Period::month_of(as_of))
}

fn key(p: Period) -> (i32, u32) {
    let d = p.first_day();
    (chrono::Datelike::year(&d), chrono::Datelike::month(&d))
}

/// The day the committee in office on `day` was set up: `Some(None)` when it has been
/// there since before the records (an undated statement); `None` when there is none.
fn committee_since(committee: &CommitteeHistory, day: Date) -> Option<Option<Date>> {
    let mut since: Option<Option<Date>> = None;
    for (on, state) in &committee.changes {
        if on.is_some_and(|d| d > day) {
            break;
        }
        match (state, since) {
            (true, None) => since = Some(*on),
            (true, Some(_)) => {}
            (false, _) => since = None,
        }
    }
    since
}

/// The committee meetings of an org over the window of `no_committee_meeting_months`
/// before `as_of`, judged only when a committee is on record throughout it and the
/// records (from `records_from`) cover it.
pub fn committee_window(
    committee: &CommitteeHistory,
    tally: &Tally,
    founded_on: Option<Date>,
    records_from: Option<Date>,
    as_of: Date,
    book: &RuleBook,
) -> CommitteeWindow {
    match committee.on(as_of) {
        None => return CommitteeWindow::Unknown,
        Some(false) => return CommitteeWindow::NoCommittee,
        Some(true) => {}
    }
    let n = u32::try_from(
        book.in_force(as_of)
            .weak_signals
            .no_committee_meeting_months,
    )
    .unwrap_or(6)
    .max(1);
    let (from, to) = window(as_of, n);
    let start = from.first_day();
    let since = committee_since(committee, as_of).flatten();
    let young = [since, founded_on]
        .into_iter()
        .flatten()
        .filter(|d| *d > start)
        .max();
    if let Some(since) = young {
        return CommitteeWindow::Young { since };
    }
    match records_from {
        Some(r) if r <= start => CommitteeWindow::Judged(WindowCheck {
            from,
            to,
            held: months_in(from, to)
                .map(|m| tally.held(MeetingKind::CommitteeMeeting, None, m))
                .sum(),
        }),
        other => CommitteeWindow::Unrecorded { from: other },
    }
}

/// Whether an obligation is judged: its span is over (a yearly one whose 所属年度 window
/// still runs is 待办), lies within the records, and a committee meeting is owed only for
/// spans at whose end a committee was on record — a committee elected on 20 November owes
/// November's 支委会, as in `domain::compliance`.
fn judged_obligation(o: &Obligation, committee: &CommitteeHistory, records_from: Date) -> bool {
    if !o.closed() || o.span.first_day() < records_from {
        return false;
    }
    o.kind != MeetingKind::CommitteeMeeting || committee.on(o.span.last_day()) == Some(true)
}

/// Branch-level obligations due and met (散, review error 9): one per kind and span, and
/// the group meetings of one month as one obligation of the branch, met when every group
/// that owed one met it. A branch with six groups thus weighs its groups like one monthly
/// kind, not six times the 党员大会.
pub fn branch_level<'a>(obligations: impl Iterator<Item = &'a Obligation>) -> (i64, i64) {
    let mut groups: BTreeMap<Period, bool> = BTreeMap::new();
    let (mut due, mut met) = (0, 0);
    for o in obligations {
        if o.kind == MeetingKind::GroupMeeting {
            let all = groups.entry(o.span).or_insert(true);
            *all = *all && o.met();
        } else {
            due += 1;
            met += i64::from(o.met());
        }
    }
    due += groups.len() as i64;
    met += groups.values().filter(|m| **m).count() as i64;
    (due, met)
}

/// The year a life summary is for, the day its facts are taken (`as_of`: the year's last
/// day, or the day asked while it runs) and the day it is judged on (the day asked).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct YearJudged {
    pub year: i32,
    pub as_of: Date,
    pub judged_on: Date,
}

/// The organizational life of one branch in `year`, judged on `as_of`: only spans within
/// its records (from `records_from`; `None`: nothing recorded, nothing judged), and the
/// committee meetings by the dated committee. `branch.committee` should always be `true`:
/// the dated `committee` decides which spans owe a 支委会.
pub fn life_summary(
    branch: &BranchFacts,
    months: &BranchMonths,
    committee: &CommitteeHistory,
    records_from: Option<Date>,
    when: YearJudged,
    book: &RuleBook,
) -> LifeSummary {
    let YearJudged {
        year,
        as_of,
        judged_on,
    } = when;
    let periods = judged_periods(year, as_of);
    // `judged_on` is the day asked (after `as_of` for a past year): the spans ending on
    // `as_of` are over by then; a yearly obligation whose 所属年度 window still runs on it
    // is 待办 and not judged (`Obligation::closed`), and once the window has closed the
    // sessions held in it for the year are credited (`Tally::held_for_year`).
    let judged_on = judged_on.max(as_of.succ_opt().unwrap_or(as_of));
    let (mut due, mut met) = (0, 0);
    let mut quarters = Vec::new();
    let mut held_nothing = Vec::new();
    if let Some(from) = records_from {
        for p in &periods {
            let c = judge(branch, &months.tally, *p, book, judged_on);
            let (d, m) = branch_level(
                c.obligations
                    .iter()
                    .filter(|o| judged_obligation(o, committee, from)),
            );
            due += d;
            met += m;
        }
        for q in periods.iter().flat_map(|p| p.quarters()) {
            let c = judge(branch, &months.tally, q, book, judged_on);
            if q.first_day() >= from
                && c.obligations
                    .iter()
                    .any(|o| judged_obligation(o, committee, from))
            {
                quarters.push(q);
                if c.held_total == 0 {
                    held_nothing.push(q);
                }
            }
        }
    }
    let committee = committee_window(
        committee,
        &months.tally,
        branch.founded_on,
        records_from,
        as_of,
        book,
    );
    let (mut expected, mut present) = (0, 0);
    for m in months_in(Period::Month(year, 1), Period::month_of(as_of)) {
        if let Some((e, p)) = months.attendance.get(&key(m)) {
            expected += e;
            present += p;
        }
    }
    LifeSummary {
        periods,
        records_from,
        due,
        met,
        quarters,
        held_nothing,
        committee,
        expected,
        present,
    }
}

/// The months from `from` to `to`, inclusive.
pub fn months_in(from: Period, to: Period) -> impl Iterator<Item = Period> {
    let mut next = Some(from);
    std::iter::from_fn(move || {
        let m = next?;
        if m > to {
            return None;
        }
        next = m.last_day().succ_opt().map(Period::month_of);
        Some(m)
    })
}

/// Whole months from `since` to `day` (0 when `day` is before it).
pub fn months_between(since: Date, day: Date) -> i64 {
    use chrono::Datelike;
    if day <= since {
        return 0;
    }
    let mut n = (day.year() - since.year()) as i64 * 12 + day.month() as i64 - since.month() as i64;
    if day.day() < since.day() {
        n -= 1;
    }
    n.max(0)
}

/// Whether an org of this kind elects a secretary (the office can be vacant).
pub fn elects_secretary(kind: OrgKind) -> bool {
    is_rated(kind)
}

/// Whether someone who joined on `joined` counts as recruited within `years` of `as_of`.
pub fn recruited_within(joined: Date, as_of: Date, years: i64) -> bool {
    let months = u32::try_from(years.max(0) * 12).unwrap_or(u32::MAX);
    match joined.checked_add_months(Months::new(months)) {
        Some(until) => until > as_of,
        None => true,
    }
}
