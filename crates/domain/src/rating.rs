//! Rating of grassroots orgs (分类定级、评星定级, SPEC C5): dated indicator sets per domain,
//! the facts of one org and year they are scored from, and `rate` — pure.
//!
//! Each indicator is derived from records or scored by hand, has a weight, and scores
//! 0–100, "no data" (暂无数据) or "not applicable" (不适用). An indicator without data is
//! never scored 0 or 100: it is left out of the weighted mean, and the rating says how much
//! of the applicable weight had data; below the set's minimum no stars are given.
//!
//! The shipped sets live in `crates/domain/rules/indicators-*.json`, embedded and listed
//! in [`SHIPPED_INDICATOR_FILES`]; the organization department may store edited copies.

use std::collections::BTreeMap;

use chrono::Months;
use serde::{Deserialize, Serialize};

use crate::compliance::{judge, BranchFacts, Obligation, Tally};
use crate::history::{CommitteeHistory, SecretaryState};
use crate::structure::term_ends_on;
use crate::{Date, Domain, MeetingKind, OrgKind, Period, RuleBook};

/// Indicators computed from records. Those whose records do not exist yet (training,
/// satisfaction, task completion) are declared and always score "no data".
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub enum DerivedIndicator {
    /// 组织生活按规定开展: share of the obligations met in the judged periods.
    ComplianceRate,
    /// 书记配备: a secretary holds office.
    SecretaryInPlace,
    /// 班子健全: a committee where 7+ full members require one.
    CommitteeComplete,
    /// 按期换届: the term has not run out.
    TermCurrent,
    /// 发展党员: a member joined in the last two years (village orgs).
    RecruitedRecently,
    /// 参会率: present / expected over the year's meetings.
    Attendance,
    /// 经费保障: operating funding against the standard of the set.
    Funding,
    /// 党员教育培训 (no record yet).
    TrainingHours,
    /// 群众满意度 (no record yet).
    Satisfaction,
    /// 任务完成 (no record yet).
    TaskCompletion,
}

impl DerivedIndicator {
    pub const ALL: [DerivedIndicator; 10] = [
        DerivedIndicator::ComplianceRate,
        DerivedIndicator::SecretaryInPlace,
        DerivedIndicator::CommitteeComplete,
        DerivedIndicator::TermCurrent,
        DerivedIndicator::RecruitedRecently,
        DerivedIndicator::Attendance,
        DerivedIndicator::Funding,
        DerivedIndicator::TrainingHours,
        DerivedIndicator::Satisfaction,
        DerivedIndicator::TaskCompletion,
    ];

    pub fn code(self) -> &'static str {
        match self {
            DerivedIndicator::ComplianceRate => "ComplianceRate",
            DerivedIndicator::SecretaryInPlace => "SecretaryInPlace",
            DerivedIndicator::CommitteeComplete => "CommitteeComplete",
            DerivedIndicator::TermCurrent => "TermCurrent",
            DerivedIndicator::RecruitedRecently => "RecruitedRecently",
            DerivedIndicator::Attendance => "Attendance",
            DerivedIndicator::Funding => "Funding",
            DerivedIndicator::TrainingHours => "TrainingHours",
            DerivedIndicator::Satisfaction => "Satisfaction",
            DerivedIndicator::TaskCompletion => "TaskCompletion",
        }
    }

    pub fn from_code(s: &str) -> Option<DerivedIndicator> {
        DerivedIndicator::ALL.into_iter().find(|d| d.code() == s)
    }
}

/// How an indicator gets its score.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum IndicatorKind {
    Derived(DerivedIndicator),
    /// Scored by hand (0–100) for each org and year; "no data" until scored.
    Manual,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Indicator {
    /// Stable within the set (the key of manual scores).
    pub code: String,
    /// The Chinese name shown.
    pub name: String,
    pub weight: f64,
    pub kind: IndicatorKind,
}

/// Minimum standards a set holds for its domains (SPEC C7), in yuan per year.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Standards {
    /// Operating funding of the org (运转经费); `None`: no standard, not judged.
    #[serde(default)]
    pub operating_funding_yuan: Option<f64>,
    /// Collective income of the village (村集体经济收入); `None`: not judged.
    #[serde(default)]
    pub collective_income_yuan: Option<f64>,
}

/// One version of the indicators for some domains, from a day on.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct IndicatorSet {
    pub id: String,
    pub version: i64,
    pub effective_from: Date,
    /// The domains it rates; empty: the fallback for every domain without a set of its own.
    pub domains: Vec<Domain>,
    pub name: String,
    /// Where the indicators and numbers come from.
    pub source: String,
    /// The least score of 1, 2, 3, 4 and 5 stars, ascending, within 0–100.
    pub stars: [f64; 5],
    /// The least share of the applicable weight that must have data for stars to be given.
    pub min_weight_with_data: f64,
    #[serde(default)]
    pub standards: Standards,
    pub indicators: Vec<Indicator>,
}

impl IndicatorSet {
    /// Every problem of the set, in Chinese (empty when it is usable).
    pub fn problems(&self) -> Vec<String> {
        let mut out = Vec::new();
        if self.id.trim().is_empty() {
            out.push("指标体系编号不能为空".to_string());
        }
        if self.indicators.is_empty() {
            out.push("指标体系至少要有一项指标".to_string());
        }
        let mut seen = std::collections::HashSet::new();
        for i in &self.indicators {
            if i.code.trim().is_empty() || i.name.trim().is_empty() {
                out.push("每项指标都要有代码和名称".to_string());
            }
            if !seen.insert(i.code.as_str()) {
                out.push(format!("指标代码“{}”重复", i.code));
            }
            if !(i.weight.is_finite() && i.weight > 0.0) {
                out.push(format!("指标“{}”的权重应大于0", i.name));
            }
        }
        let s = &self.stars;
        if !s.iter().all(|x| x.is_finite() && (0.0..=100.0).contains(x))
            || !s.windows(2).all(|w| w[0] <= w[1])
        {
            out.push("星级分数线应在0至100之间并由低到高排列".to_string());
        }
        if !(0.0..=1.0).contains(&self.min_weight_with_data) {
            out.push("有数据指标的最低权重占比应在0至1之间".to_string());
        }
        for v in [
            self.standards.operating_funding_yuan,
            self.standards.collective_income_yuan,
        ]
        .into_iter()
        .flatten()
        {
            if !(v.is_finite() && v >= 0.0) {
                out.push("经费标准不能为负数".to_string());
            }
        }
        out
    }

    /// The weight of the whole set.
    pub fn total_weight(&self) -> f64 {
        self.indicators.iter().map(|i| i.weight).sum()
    }
}

/// The shipped indicator files, embedded at build time. Add a new file here (a test checks
/// that every `rules/indicators-*.json` is listed).
pub const SHIPPED_INDICATOR_FILES: &[(&str, &str)] = &[
    (
        "indicators-2024-village.json",
        include_str!("../rules/indicators-2024-village.json"),
    ),
    (
        "indicators-2024-community.json",
        include_str!("../rules/indicators-2024-community.json"),
    ),
    (
        "indicators-2024-general.json",
        include_str!("../rules/indicators-2024-general.json"),
    ),
];

/// The indicator sets in use: shipped ones and any stored by the organization department.
#[derive(Debug, Clone, Default)]
pub struct IndicatorBook {
    sets: Vec<IndicatorSet>,
}

impl IndicatorBook {
    pub fn shipped() -> IndicatorBook {
        IndicatorBook::new(
            SHIPPED_INDICATOR_FILES
                .iter()
                .map(|(name, text)| {
                    serde_json::from_str::<IndicatorSet>(text).unwrap_or_else(|e| {
                        panic!(
                            "shipped indicator file crates/domain/rules/{name} is malformed: {e}"
                        )
                    })
                })
                .collect(),
        )
    }

    pub fn new(sets: Vec<IndicatorSet>) -> IndicatorBook {
        IndicatorBook { sets }
    }

    /// Adds sets (stored ones); a set with the id and version of one present replaces it.
    pub fn with(mut self, sets: Vec<IndicatorSet>) -> IndicatorBook {
        for s in sets {
            self.sets
                .retain(|x| !(x.id == s.id && x.version == s.version));
            self.sets.push(s);
        }
        self
    }

    pub fn sets(&self) -> &[IndicatorSet] {
        &self.sets
    }

    /// The set rating an org of `domain` on `day`: among the sets naming the domain, the
    /// latest in force (highest version on a tie); else the latest fallback set in force;
    /// else, when `day` precedes them all, the earliest of those.
    pub fn for_domain(&self, domain: Option<Domain>, day: Date) -> Option<&IndicatorSet> {
        let specific: Vec<&IndicatorSet> = match domain {
            Some(d) => self
                .sets
                .iter()
                .filter(|s| s.domains.contains(&d))
                .collect(),
            None => vec![],
        };
        if !specific.is_empty() {
            return pick(specific, day);
        }
        pick(
            self.sets.iter().filter(|s| s.domains.is_empty()).collect(),
            day,
        )
    }
}

fn pick(cands: Vec<&IndicatorSet>, day: Date) -> Option<&IndicatorSet> {
    let in_force = cands
        .iter()
        .filter(|s| s.effective_from <= day)
        .max_by_key(|s| (s.effective_from, s.version))
        .copied();
    in_force.or_else(|| {
        cands
            .iter()
            .min_by_key(|s| (s.effective_from, std::cmp::Reverse(s.version)))
            .copied()
    })
}

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
}

/// Evidence texts that recur in nearly every rating. Stored ratings refer to them by
/// position instead of repeating them (a province's ratings shrink to a third), so the list
/// is append-only: never reorder or change an entry.
pub const COMMON_EVIDENCE: &[&str] = &[
    "暂无数据：尚未记录党员教育培训学时",
    "暂无数据：尚未开展群众满意度测评",
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

/// The state of an indicator's score.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ScoreState {
    Scored,
    /// 暂无数据: counts toward the applicable weight, not toward the score.
    NoData,
    /// 不适用: left out altogether.
    NotApplicable,
}

impl ScoreState {
    pub fn label(self) -> &'static str {
        match self {
            ScoreState::Scored => "已评分",
            ScoreState::NoData => "暂无数据",
            ScoreState::NotApplicable => "不适用",
        }
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct IndicatorScore {
    pub code: String,
    pub name: String,
    pub weight: f64,
    pub state: ScoreState,
    /// 0–100 when scored.
    pub score: Option<f64>,
    /// What the score rests on, in Chinese.
    pub evidence: String,
}

/// The rating of one org for one year.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Rating {
    pub set_id: String,
    pub set_version: i64,
    /// 1–5; `None` when too little of the weight had data.
    pub stars: Option<u8>,
    /// The weighted mean of the scored indicators (one decimal); `None` if none scored.
    pub score: Option<f64>,
    /// The share of the applicable weight that had data (0–1, four decimals).
    pub weight_with_data: f64,
    pub indicators: Vec<IndicatorScore>,
    /// One line on how the stars came about.
    pub evidence: String,
}

fn round1(x: f64) -> f64 {
    (x * 10.0).round() / 10.0
}

fn pct(num: i64, den: i64) -> String {
    format!("{:.1}%", num as f64 * 100.0 / den as f64)
}

fn ymd(d: Date) -> String {
    d.format("%Y-%m-%d").to_string()
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

fn periods_label(periods: &[Period]) -> String {
    match periods {
        [] => String::new(),
        [one] => one.label(),
        [first, .., last] => format!("{}至{}", first.label(), last.label()),
    }
}

fn yuan(v: f64) -> String {
    if v >= 10_000.0 {
        format!("{:.2}万元", v / 10_000.0)
    } else {
        format!("{v:.0}元")
    }
}

type Outcome = (ScoreState, Option<f64>, String);

fn scored(score: f64, evidence: String) -> Outcome {
    (
        ScoreState::Scored,
        Some(round1(score.clamp(0.0, 100.0))),
        evidence,
    )
}

fn no_data(evidence: impl Into<String>) -> Outcome {
    (
        ScoreState::NoData,
        None,
        format!("暂无数据：{}", evidence.into()),
    )
}

fn not_applicable(evidence: impl Into<String>) -> Outcome {
    (
        ScoreState::NotApplicable,
        None,
        format!("不适用：{}", evidence.into()),
    )
}

/// Whether an org of this kind elects a secretary (the office can be vacant).
pub fn elects_secretary(kind: OrgKind) -> bool {
    is_rated(kind)
}

fn derived(d: DerivedIndicator, f: &OrgYearFacts, set: &IndicatorSet, book: &RuleBook) -> Outcome {
    let rules = book.in_force(f.as_of);
    match d {
        DerivedIndicator::ComplianceRate => {
            let t = &f.subtree_life;
            if t.branches == 0 {
                return not_applicable("下无党支部，组织生活按党支部统计");
            }
            if t.due == 0 {
                let why = match &f.life {
                    Some(l) if l.periods.is_empty() => "本年度尚无已结束的季度".to_string(),
                    _ if t.unrecorded == t.branches => "组织生活台账尚无记录".to_string(),
                    _ => "统计期间内无应开展的组织生活".to_string(),
                };
                return no_data(why);
            }
            let of = if f.kind == OrgKind::Branch {
                String::new()
            } else {
                format!("（所属{}个党支部合计）", t.branches)
            };
            let period = f
                .life
                .as_ref()
                .map(|l| periods_label(&l.periods))
                .filter(|s| !s.is_empty())
                .map(|s| format!("；统计期间：{s}"))
                .unwrap_or_default();
            scored(
                t.met as f64 * 100.0 / t.due as f64,
                format!(
                    "应开展组织生活{}项，按规定开展{}项（{}）{of}{period}",
                    t.due,
                    t.met,
                    pct(t.met, t.due)
                ),
            )
        }
        DerivedIndicator::Attendance => {
            let t = &f.subtree_life;
            if t.branches == 0 {
                return not_applicable("下无党支部");
            }
            if t.expected == 0 {
                return no_data("本年度无记录应到人数的会议");
            }
            scored(
                t.present as f64 * 100.0 / t.expected as f64,
                format!(
                    "本年度会议应到{}人次，实到{}人次（{}）",
                    t.expected,
                    t.present,
                    pct(t.present, t.expected)
                ),
            )
        }
        DerivedIndicator::SecretaryInPlace => {
            if !elects_secretary(f.kind) {
                return not_applicable("不设书记");
            }
            match f.secretary {
                SecretaryState::InOffice => scored(100.0, "书记在岗".into()),
                SecretaryState::Vacant { since } => scored(
                    0.0,
                    format!(
                        "书记空缺{}个月（自{}起）",
                        months_between(since, f.as_of),
                        ymd(since)
                    ),
                ),
                SecretaryState::Unknown => no_data("未记录书记任职情况"),
            }
        }
        DerivedIndicator::CommitteeComplete => {
            let need = rules.org.committee_required_at_full;
            if f.subtree_members == 0 {
                return no_data("党员名册尚无记录");
            }
            if f.subtree_full < need {
                return not_applicable(format!(
                    "正式党员{}人，不足{need}人，不要求设立委员会",
                    f.subtree_full
                ));
            }
            match f.committee {
                None => no_data("未记录是否设立委员会"),
                Some(true) => scored(100.0, format!("正式党员{}人，已设立委员会", f.subtree_full)),
                Some(false) => scored(
                    0.0,
                    format!("正式党员{}人（{need}人以上），未设立委员会", f.subtree_full),
                ),
            }
        }
        DerivedIndicator::TermCurrent => {
            let Some(years) = f.term_years.or(rules.term_years(f.kind, f.domain)) else {
                return not_applicable("无任期");
            };
            let first_term = f.last_election_on.is_none();
            let Some(start) = f.last_election_on.or(f.founded_on) else {
                return no_data("未记录换届选举时间和成立时间");
            };
            let Some(term_end) = term_ends_on(start, years) else {
                return no_data("任期日期无效");
            };
            // An approved postponement moves the end (never earlier).
            let ends = f.postponed_until.map_or(term_end, |p| p.max(term_end));
            let postponed = if ends > term_end {
                "（经批准延期）"
            } else {
                ""
            };
            if ends >= f.as_of {
                let which = if first_term { "首届" } else { "本届" };
                scored(
                    100.0,
                    format!("{which}任期{years}年，至{}届满{postponed}", ymd(ends)),
                )
            } else if first_term {
                // No election on record and the first term counted from founding is
                // over: the elections may well have been held, just not recorded.
                no_data(format!(
                    "未记录换届选举时间（自成立之日{}起计算的首届任期已于{}届满）",
                    ymd(start),
                    ymd(ends)
                ))
            } else {
                scored(
                    0.0,
                    format!(
                        "任期{years}年，已于{}届满，逾期{}天未换届",
                        ymd(ends),
                        (f.as_of - ends).num_days()
                    ),
                )
            }
        }
        DerivedIndicator::RecruitedRecently => {
            let years = rules.weak_signals.village_no_recruit_years;
            match f.recruitment {
                Recruitment::NotApplicable => not_applicable("只评村党组织"),
                Recruitment::Unknown => no_data("入党日期汇总尚未计算（请运行 jiceng refresh）"),
                Recruitment::NoMembers => no_data("党员名册尚无记录"),
                Recruitment::LastJoined(None) => scored(0.0, "没有党员入党记录".into()),
                Recruitment::LastJoined(Some(d)) => {
                    if recruited_within(d, f.as_of, years) {
                        scored(
                            100.0,
                            format!("近{years}年发展了党员（最近入党日期{}）", ymd(d)),
                        )
                    } else {
                        scored(
                            0.0,
                            format!("近{years}年未发展党员（最近入党日期{}）", ymd(d)),
                        )
                    }
                }
            }
        }
        DerivedIndicator::Funding => {
            let Some(standard) = set.standards.operating_funding_yuan else {
                return not_applicable("本指标体系未设运转经费标准");
            };
            if f.under_village_top {
                return not_applicable("村党组织的经费按村统计");
            }
            match f.funding.operating_yuan {
                None => no_data(format!("未录入{}年度运转经费", f.year)),
                Some(v) if standard <= 0.0 => scored(100.0, format!("运转经费{}", yuan(v))),
                Some(v) => scored(
                    v * 100.0 / standard,
                    format!("{}年度运转经费{}，标准{}", f.year, yuan(v), yuan(standard)),
                ),
            }
        }
        DerivedIndicator::TrainingHours => no_data("尚未记录党员教育培训学时"),
        DerivedIndicator::Satisfaction => no_data("尚未开展群众满意度测评"),
        DerivedIndicator::TaskCompletion => no_data("尚未记录任务完成情况"),
    }
}

/// Whether someone who joined on `joined` counts as recruited within `years` of `as_of`.
pub fn recruited_within(joined: Date, as_of: Date, years: i64) -> bool {
    let months = u32::try_from(years.max(0) * 12).unwrap_or(u32::MAX);
    match joined.checked_add_months(Months::new(months)) {
        Some(until) => until > as_of,
        None => true,
    }
}

/// Rates one org for one year by `set` (pure).
pub fn rate(facts: &OrgYearFacts, set: &IndicatorSet, book: &RuleBook) -> Rating {
    let mut indicators = Vec::with_capacity(set.indicators.len());
    let (mut w_applicable, mut w_scored, mut sum) = (0.0, 0.0, 0.0);
    for ind in &set.indicators {
        let (state, score, evidence) = match ind.kind {
            IndicatorKind::Derived(d) => derived(d, facts, set, book),
            IndicatorKind::Manual => match facts.manual_scores.get(&ind.code) {
                Some(s) if s.is_finite() => {
                    scored(*s, format!("人工评分{:.1}", s.clamp(0.0, 100.0)))
                }
                _ => no_data("尚未人工评分"),
            },
        };
        match state {
            ScoreState::Scored => {
                w_applicable += ind.weight;
                w_scored += ind.weight;
                sum += ind.weight * score.unwrap_or(0.0);
            }
            ScoreState::NoData => w_applicable += ind.weight,
            ScoreState::NotApplicable => {}
        }
        indicators.push(IndicatorScore {
            code: ind.code.clone(),
            name: ind.name.clone(),
            weight: ind.weight,
            state,
            score,
            evidence,
        });
    }
    let score = (w_scored > 0.0).then(|| round1(sum / w_scored));
    let share = if w_applicable > 0.0 {
        (w_scored / w_applicable * 10_000.0).round() / 10_000.0
    } else {
        0.0
    };
    let stars = match score {
        Some(s) if share >= set.min_weight_with_data => {
            let n = set.stars.iter().filter(|t| s >= **t).count();
            Some(n.max(1) as u8)
        }
        _ => None,
    };
    let evidence = match (score, stars) {
        (None, _) => "暂无数据：没有可评分的指标，未评定星级".to_string(),
        (Some(s), None) => format!(
            "得分{s:.1}，但有数据的指标权重仅占{:.0}%（不足{:.0}%），未评定星级",
            share * 100.0,
            set.min_weight_with_data * 100.0
        ),
        (Some(s), Some(n)) => format!(
            "得分{s:.1}（有数据的指标权重占{:.0}%），评为{n}星",
            share * 100.0
        ),
    };
    Rating {
        set_id: set.id.clone(),
        set_version: set.version,
        stars,
        score,
        weight_with_data: share,
        indicators,
        evidence,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::compliance::GroupFacts;
    use proptest::prelude::*;

    fn d(s: &str) -> Date {
        Date::parse_from_str(s, "%Y-%m-%d").unwrap()
    }

    fn book() -> RuleBook {
        RuleBook::shipped()
    }

    fn village() -> IndicatorSet {
        IndicatorBook::shipped()
            .for_domain(Some(Domain::Village), d("2026-06-01"))
            .unwrap()
            .clone()
    }

    /// A healthy village branch judged at the end of 2026.
    pub(crate) fn facts() -> OrgYearFacts {
        OrgYearFacts {
            org_id: 1,
            kind: OrgKind::Branch,
            domain: Some(Domain::Village),
            year: 2026,
            as_of: d("2026-12-31"),
            founded_on: Some(d("2001-07-01")),
            last_election_on: Some(d("2024-01-10")),
            term_years: None,
            postponed_until: None,
            committee: Some(true),
            subtree_members: 14,
            subtree_full: 12,
            secretary: SecretaryState::InOffice,
            village_top: true,
            under_village_top: false,
            recruitment: Recruitment::LastJoined(Some(d("2025-07-01"))),
            life: Some(LifeSummary {
                periods: vec![Period::Year(2026)],
                records_from: Some(d("2020-01-01")),
                due: 50,
                met: 50,
                quarters: vec![],
                held_nothing: vec![],
                committee: CommitteeWindow::NoCommittee,
                expected: 100,
                present: 90,
            }),
            subtree_life: LifeTotals {
                branches: 1,
                unrecorded: 0,
                due: 50,
                met: 50,
                expected: 100,
                present: 90,
            },
            funding: FundingFacts {
                operating_yuan: Some(120_000.0),
                collective_income_yuan: Some(80_000.0),
            },
            discipline_cases: vec![],
            manual_signals: vec![],
            manual_scores: BTreeMap::from([("WorkPerformance".to_string(), 90.0)]),
        }
    }

    fn score_of<'a>(r: &'a Rating, code: &str) -> &'a IndicatorScore {
        r.indicators.iter().find(|i| i.code == code).unwrap()
    }

    #[test]
    fn shipped_sets_parse_are_valid_and_listed() {
        let book = IndicatorBook::shipped();
        assert_eq!(book.sets().len(), SHIPPED_INDICATOR_FILES.len());
        for s in book.sets() {
            assert!(s.problems().is_empty(), "{}: {:?}", s.id, s.problems());
            assert!((s.total_weight() - 100.0).abs() < 1e-9, "{}", s.id);
            assert!(s.source.contains("条例"), "{}", s.id);
        }
        let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("rules");
        for entry in std::fs::read_dir(dir).unwrap() {
            let name = entry.unwrap().file_name().to_string_lossy().into_owned();
            if name.starts_with("indicators-") && name.ends_with(".json") {
                assert!(
                    SHIPPED_INDICATOR_FILES.iter().any(|(n, _)| *n == name),
                    "rules/{name} is not listed in SHIPPED_INDICATOR_FILES"
                );
            }
        }
        // Every derived indicator is declared in the village set.
        let v = village();
        for di in DerivedIndicator::ALL {
            assert!(
                v.indicators
                    .iter()
                    .any(|i| i.kind == IndicatorKind::Derived(di)),
                "{di:?}"
            );
        }
    }

    #[test]
    fn set_by_domain_and_date() {
        let book = IndicatorBook::shipped();
        let day = d("2026-06-01");
        assert_eq!(
            book.for_domain(Some(Domain::Village), day).unwrap().id,
            "village-default"
        );
        assert_eq!(
            book.for_domain(Some(Domain::Community), day).unwrap().id,
            "community-default"
        );
        assert_eq!(
            book.for_domain(Some(Domain::NonPublicEnterprise), day)
                .unwrap()
                .id,
            "general-default"
        );
        assert_eq!(book.for_domain(None, day).unwrap().id, "general-default");
        // Before every set: the earliest.
        assert_eq!(
            book.for_domain(Some(Domain::Village), d("2000-01-01"))
                .unwrap()
                .id,
            "village-default"
        );
        // A stored copy with a later version and date wins from its date on.
        let mut edited = village();
        edited.version = 2;
        edited.effective_from = d("2027-01-01");
        edited.name = "修订".into();
        let book = book.with(vec![edited]);
        assert_eq!(
            book.for_domain(Some(Domain::Village), day).unwrap().version,
            1
        );
        assert_eq!(
            book.for_domain(Some(Domain::Village), d("2027-03-01"))
                .unwrap()
                .version,
            2
        );
    }

    #[test]
    fn problems_are_named() {
        let mut s = village();
        s.indicators[1].code = s.indicators[0].code.clone();
        s.indicators[2].weight = 0.0;
        s.stars = [0.0, 70.0, 60.0, 80.0, 90.0];
        s.min_weight_with_data = 1.5;
        let p = s.problems();
        assert_eq!(p.len(), 4, "{p:?}");
    }

    #[test]
    fn healthy_village_branch_scores_high_and_no_data_is_not_scored() {
        let r = rate(&facts(), &village(), &book());
        assert_eq!(score_of(&r, "ComplianceRate").score, Some(100.0));
        assert_eq!(score_of(&r, "Attendance").score, Some(90.0));
        assert_eq!(score_of(&r, "SecretaryInPlace").score, Some(100.0));
        assert_eq!(score_of(&r, "CommitteeComplete").score, Some(100.0));
        assert_eq!(score_of(&r, "TermCurrent").score, Some(100.0));
        assert_eq!(score_of(&r, "RecruitedRecently").score, Some(100.0));
        assert_eq!(score_of(&r, "Funding").score, Some(100.0));
        for code in ["TrainingHours", "Satisfaction", "TaskCompletion"] {
            let s = score_of(&r, code);
            assert_eq!(s.state, ScoreState::NoData, "{code}");
            assert_eq!(s.score, None);
            assert!(s.evidence.starts_with("暂无数据"), "{}", s.evidence);
        }
        assert!(r.score.unwrap() > 95.0);
        assert_eq!(r.stars, Some(5));
        assert!(r.weight_with_data < 1.0 && r.weight_with_data > 0.5);
    }

    #[test]
    fn each_derived_indicator_falls_with_its_record() {
        let set = village();
        let b = book();
        let base = rate(&facts(), &set, &b).score.unwrap();

        let mut f = facts();
        f.secretary = SecretaryState::Vacant {
            since: d("2026-08-01"),
        };
        let r = rate(&f, &set, &b);
        assert_eq!(score_of(&r, "SecretaryInPlace").score, Some(0.0));
        assert_eq!(
            score_of(&r, "SecretaryInPlace").evidence,
            "书记空缺4个月（自2026-08-01起）"
        );
        assert!(r.score.unwrap() < base);

        // S2: a secretary never recorded is "no data", not 0.
        f.secretary = SecretaryState::Unknown;
        assert_eq!(
            score_of(&rate(&f, &set, &b), "SecretaryInPlace").state,
            ScoreState::NoData
        );

        let mut f = facts();
        f.committee = Some(false);
        assert_eq!(
            score_of(&rate(&f, &set, &b), "CommitteeComplete").score,
            Some(0.0)
        );
        // S4: a committee nobody stated is "no data".
        f.committee = None;
        assert_eq!(
            score_of(&rate(&f, &set, &b), "CommitteeComplete").state,
            ScoreState::NoData
        );
        f.committee = Some(false);
        f.subtree_full = 6;
        assert_eq!(
            score_of(&rate(&f, &set, &b), "CommitteeComplete").state,
            ScoreState::NotApplicable
        );

        let mut f = facts();
        f.last_election_on = Some(d("2021-01-10"));
        let t = rate(&f, &set, &b);
        assert_eq!(score_of(&t, "TermCurrent").score, Some(0.0));
        assert!(score_of(&t, "TermCurrent").evidence.contains("逾期"));
        // S5: an approved longer term (the override wins over the rule).
        f.term_years = Some(6);
        assert_eq!(
            score_of(&rate(&f, &set, &b), "TermCurrent").score,
            Some(100.0)
        );
        f.term_years = None;
        // An approved postponement moves the end.
        f.postponed_until = Some(d("2027-01-10"));
        let t = rate(&f, &set, &b);
        assert_eq!(score_of(&t, "TermCurrent").score, Some(100.0));
        assert!(score_of(&t, "TermCurrent").evidence.contains("延期"));
        f.postponed_until = None;
        // S8: no election recorded and the first term from founding is over: no data.
        f.last_election_on = None;
        let t = rate(&f, &set, &b);
        assert_eq!(score_of(&t, "TermCurrent").state, ScoreState::NoData);
        assert!(score_of(&t, "TermCurrent").evidence.contains("首届任期"));
        // A young org's first term, from founding, still running: scored.
        f.founded_on = Some(d("2024-05-01"));
        assert_eq!(
            score_of(&rate(&f, &set, &b), "TermCurrent").score,
            Some(100.0)
        );
        f.founded_on = None;
        assert_eq!(
            score_of(&rate(&f, &set, &b), "TermCurrent").state,
            ScoreState::NoData
        );

        let mut f = facts();
        f.recruitment = Recruitment::LastJoined(Some(d("2023-05-01")));
        assert_eq!(
            score_of(&rate(&f, &set, &b), "RecruitedRecently").score,
            Some(0.0)
        );
        f.recruitment = Recruitment::Unknown;
        assert_eq!(
            score_of(&rate(&f, &set, &b), "RecruitedRecently").state,
            ScoreState::NoData
        );
        // S24: no roster loaded.
        f.recruitment = Recruitment::NoMembers;
        assert_eq!(
            score_of(&rate(&f, &set, &b), "RecruitedRecently").state,
            ScoreState::NoData
        );
        f.recruitment = Recruitment::NotApplicable;
        assert_eq!(
            score_of(&rate(&f, &set, &b), "RecruitedRecently").state,
            ScoreState::NotApplicable
        );

        let mut f = facts();
        f.subtree_life.met = 25;
        assert_eq!(
            score_of(&rate(&f, &set, &b), "ComplianceRate").score,
            Some(50.0)
        );
        f.subtree_life.due = 0;
        assert_eq!(
            score_of(&rate(&f, &set, &b), "ComplianceRate").state,
            ScoreState::NoData
        );

        let mut f = facts();
        f.funding.operating_yuan = Some(50_000.0);
        assert_eq!(score_of(&rate(&f, &set, &b), "Funding").score, Some(50.0));
        f.funding.operating_yuan = None;
        assert_eq!(
            score_of(&rate(&f, &set, &b), "Funding").state,
            ScoreState::NoData
        );

        let mut f = facts();
        f.manual_scores.clear();
        assert_eq!(
            score_of(&rate(&f, &set, &b), "WorkPerformance").state,
            ScoreState::NoData
        );
    }

    #[test]
    fn common_evidence_is_what_rating_writes() {
        let mut f = facts();
        f.manual_scores.clear();
        f.subtree_life.expected = 0;
        let r = rate(&f, &village(), &book());
        let texts: Vec<&str> = r.indicators.iter().map(|i| i.evidence.as_str()).collect();
        for t in &COMMON_EVIDENCE[..6] {
            assert!(texts.contains(t), "{t} not produced: {texts:?}");
        }
        let mut seen = std::collections::HashSet::new();
        assert!(COMMON_EVIDENCE.iter().all(|t| seen.insert(*t)));
    }

    #[test]
    fn too_little_data_gives_no_stars() {
        let mut f = facts();
        f.subtree_life = LifeTotals {
            branches: 1,
            ..Default::default()
        };
        f.life = None;
        f.funding = FundingFacts::default();
        f.manual_scores.clear();
        f.recruitment = Recruitment::Unknown;
        let r = rate(&f, &village(), &book());
        assert!(r.score.is_some());
        assert_eq!(r.stars, None, "{}", r.evidence);
        assert!(r.evidence.contains("未评定星级"));
    }

    #[test]
    fn judged_periods_and_windows() {
        assert_eq!(
            judged_periods(2026, d("2026-12-15")),
            vec![
                Period::Quarter(2026, 1),
                Period::Quarter(2026, 2),
                Period::Quarter(2026, 3)
            ]
        );
        assert_eq!(judged_periods(2026, d("2026-03-31")), vec![]);
        assert_eq!(
            judged_periods(2026, d("2026-04-01")),
            vec![Period::Quarter(2026, 1)]
        );
        assert_eq!(
            judged_periods(2026, d("2026-12-31")),
            vec![Period::Year(2026)]
        );
        assert_eq!(as_of(2025, d("2026-12-15")), d("2025-12-31"));
        assert_eq!(as_of(2026, d("2026-12-15")), d("2026-12-15"));
        assert_eq!(months_back(d("2026-03-15"), 6), Period::Month(2025, 9));
        let m = months_needed(2026, d("2026-12-15"), 12);
        assert_eq!(m.first(), Some(&Period::Month(2025, 12)));
        assert_eq!(m.last(), Some(&Period::Month(2026, 12)));
        assert_eq!(m.len(), 13);
        assert_eq!(months_between(d("2026-08-16"), d("2026-12-15")), 3);
        assert_eq!(months_between(d("2026-08-15"), d("2026-12-15")), 4);
    }

    fn branch() -> BranchFacts {
        branch_with_groups(&[9])
    }

    fn branch_with_groups(groups: &[i64]) -> BranchFacts {
        BranchFacts {
            branch_id: 1,
            committee: crate::history::CommitteeHistory::always(Some(true)),
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

    fn committee(state: Option<bool>) -> CommitteeHistory {
        CommitteeHistory::always(state)
    }

    /// Everything held every month of 2025–2026, except in `skip`.
    fn everything(skip: &[(i32, u32)]) -> BranchMonths {
        let mut m = BranchMonths::default();
        for y in 2025..=2026 {
            for mo in 1..=12 {
                if skip.contains(&(y, mo)) {
                    continue;
                }
                let day = Date::from_ymd_opt(y, mo, 10).unwrap();
                for k in MeetingKind::ALL {
                    let g = (k == MeetingKind::GroupMeeting).then_some(9);
                    m.tally.add(k, g, day);
                }
                m.attendance.insert((y, mo), (10, 9));
            }
        }
        m
    }

    fn summary(
        b: &BranchFacts,
        m: &BranchMonths,
        c: &CommitteeHistory,
        from: Option<&str>,
        as_of: &str,
    ) -> LifeSummary {
        let as_of = d(as_of);
        life_summary(
            b,
            m,
            c,
            from.map(d),
            YearJudged {
                year: chrono::Datelike::year(&as_of),
                as_of,
                judged_on: as_of,
            },
            &book(),
        )
    }

    #[test]
    fn life_summary_of_a_branch() {
        let b = branch();
        let yes = committee(Some(true));
        let from = Some("2020-01-01");
        let l = summary(&b, &everything(&[]), &yes, from, "2026-12-15");
        assert_eq!(l.periods.len(), 3);
        assert_eq!(l.due, l.met);
        assert!(l.held_nothing.is_empty());
        let CommitteeWindow::Judged(w) = l.committee else {
            panic!("{:?}", l.committee)
        };
        assert_eq!(w.held, 7);
        assert_eq!(w.from, Period::Month(2026, 6));
        assert_eq!((l.expected, l.present), (120, 108));

        // Nothing in Q2 and Q3 (and no committee meeting since May).
        let skip: Vec<(i32, u32)> = (4..=12).map(|m| (2026, m)).collect();
        let l = summary(&b, &everything(&skip), &yes, from, "2026-12-15");
        assert_eq!(
            l.held_nothing,
            vec![Period::Quarter(2026, 2), Period::Quarter(2026, 3)]
        );
        assert!(l.met * 2 < l.due);
        assert_eq!(
            l.committee,
            CommitteeWindow::Judged(WindowCheck {
                from: Period::Month(2026, 6),
                to: Period::Month(2026, 12),
                held: 0
            })
        );

        // Without a committee, none is owed; unknown is unknown; a young branch owes no
        // window.
        let l = summary(
            &b,
            &everything(&[]),
            &committee(Some(false)),
            from,
            "2026-12-15",
        );
        assert_eq!(l.committee, CommitteeWindow::NoCommittee);
        let l = summary(&b, &everything(&[]), &committee(None), from, "2026-12-15");
        assert_eq!(l.committee, CommitteeWindow::Unknown);
        let mut young = branch();
        young.founded_on = Some(d("2026-09-01"));
        let l = summary(&young, &everything(&[]), &yes, from, "2026-12-15");
        assert!(matches!(l.committee, CommitteeWindow::Young { .. }));
    }

    #[test]
    fn nothing_before_the_records_is_judged() {
        // S24: nothing recorded at all: nothing judged, nothing "held nothing".
        let b = branch();
        let yes = committee(Some(true));
        let none = BranchMonths::default();
        let l = summary(&b, &none, &yes, None, "2026-12-15");
        assert_eq!((l.due, l.met), (0, 0));
        assert!(l.held_nothing.is_empty() && l.quarters.is_empty());
        assert_eq!(l.committee, CommitteeWindow::Unrecorded { from: None });
        // Records from 2026-07-01: only Q3 is judged (Q1, Q2 are not "held nothing").
        let skip: Vec<(i32, u32)> = (1..=6).map(|m| (2026, m)).collect();
        let l = summary(
            &b,
            &everything(&skip),
            &yes,
            Some("2026-07-01"),
            "2026-12-15",
        );
        assert_eq!(l.quarters, vec![Period::Quarter(2026, 3)]);
        assert!(l.held_nothing.is_empty());
        assert_eq!(l.due, l.met);
        assert_eq!(
            l.committee,
            CommitteeWindow::Unrecorded {
                from: Some(d("2026-07-01"))
            }
        );
    }

    #[test]
    fn a_new_committee_owes_from_its_day() {
        // S12: first 支委会 elected 2026-11-20; diagnosed 2026-12-15 with none held.
        let b = branch();
        let c = CommitteeHistory {
            changes: vec![(Some(d("2026-11-20")), true)],
        };
        let mut m = everything(&[]);
        for mo in 1..=12 {
            if let Some(t) = m.tally.months.get_mut(&(2026, mo)) {
                t.by_kind[MeetingKind::CommitteeMeeting.index()] = 0;
            }
        }
        let l = summary(&b, &m, &c, Some("2020-01-01"), "2026-12-15");
        assert_eq!(
            l.committee,
            CommitteeWindow::Young {
                since: d("2026-11-20")
            }
        );
        // No 支委会 owed in Q1–Q3: every obligation judged was met.
        assert_eq!(l.due, l.met);
    }

    #[test]
    fn groups_count_as_one_obligation_a_month() {
        // S13: six groups meeting quarterly, everything else held, 2025 judged as a whole.
        let b = branch_with_groups(&[1, 2, 3, 4, 5, 6]);
        let mut m = BranchMonths::default();
        for mo in 1..=12u32 {
            let day = Date::from_ymd_opt(2025, mo, 10).unwrap();
            for k in MeetingKind::ALL {
                if k == MeetingKind::GroupMeeting {
                    if mo % 3 == 1 {
                        for g in 1..=6 {
                            m.tally.add(k, Some(g), day);
                        }
                    }
                } else {
                    m.tally.add(k, None, day);
                }
            }
        }
        // Judged after the 所属年度 window (31 March 2026), so the yearly ones count.
        let l = life_summary(
            &b,
            &m,
            &committee(Some(true)),
            Some(d("2020-01-01")),
            YearJudged {
                year: 2025,
                as_of: d("2025-12-31"),
                judged_on: d("2026-06-01"),
            },
            &book(),
        );
        // 12 theme days + 12 committee + 4 general + 4 lectures + 1 + 1 + 12 group-months.
        assert_eq!(l.due, 46);
        assert_eq!(l.met, 38);
        assert!(l.met as f64 / l.due as f64 >= 0.6);
    }

    #[test]
    fn a_village_sums_its_branches() {
        let q = |n| Period::Quarter(2026, n);
        let part = |held_nothing: Vec<Period>| LifeSummary {
            periods: vec![q(1), q(2), q(3)],
            records_from: Some(d("2020-01-01")),
            due: 10,
            met: 5,
            quarters: vec![q(1), q(2), q(3)],
            held_nothing,
            committee: CommitteeWindow::NoCommittee,
            expected: 10,
            present: 8,
        };
        let (a, b) = (part(vec![q(2)]), part(vec![q(2), q(3)]));
        let v = LifeSummary::village(&[&a, &b], CommitteeWindow::Unknown);
        assert_eq!((v.due, v.met, v.expected), (20, 10, 20));
        assert_eq!(v.held_nothing, vec![q(2)]);
    }

    proptest! {
        // The score lies in 0–100, stars in 1–5, and more weight with data never shows
        // stars where a set demanding all of it would not.
        #[test]
        fn rating_is_bounded(
            met in 0i64..=60,
            extra_due in 0i64..=60,
            present in 0i64..=100,
            extra_expected in 0i64..=100,
            secretary in any::<bool>(),
            committee in any::<bool>(),
            full in 0i64..30,
            funding in proptest::option::of(0.0f64..500_000.0),
            manual in proptest::option::of(-50.0f64..150.0),
            joined_days_ago in proptest::option::of(0i64..5000),
        ) {
            let mut f = facts();
            f.subtree_life = LifeTotals {
                branches: 1,
                unrecorded: 0,
                due: met + extra_due,
                met,
                expected: present + extra_expected,
                present,
            };
            f.secretary = if secretary {
                SecretaryState::InOffice
            } else {
                SecretaryState::Vacant { since: d("2025-01-01") }
            };
            f.committee = Some(committee);
            f.subtree_full = full;
            f.funding.operating_yuan = funding;
            f.manual_scores.clear();
            if let Some(m) = manual {
                f.manual_scores.insert("WorkPerformance".into(), m);
            }
            f.recruitment = Recruitment::LastJoined(
                joined_days_ago.map(|n| f.as_of - chrono::Duration::days(n)),
            );
            let set = village();
            let r = rate(&f, &set, &book());
            let s = r.score.unwrap();
            prop_assert!((0.0..=100.0).contains(&s));
            let stars = r.stars.unwrap();
            prop_assert!((1..=5).contains(&stars));
            for i in &r.indicators {
                if let Some(x) = i.score {
                    prop_assert!((0.0..=100.0).contains(&x));
                }
                prop_assert_eq!(i.score.is_some(), i.state == ScoreState::Scored);
            }
            // Raising a hand score never lowers the total.
            let mut g = f.clone();
            g.manual_scores.insert("WorkPerformance".into(), 100.0);
            prop_assert!(rate(&g, &set, &book()).score.unwrap() >= s - 1e-9 || manual.is_none());
        }
    }
}
