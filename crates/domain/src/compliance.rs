//! Compliance of organizational life (组织生活合规, SPEC C4 and R): for one branch and one
//! period, what was due and what was held. Pure: the store gathers the branch's facts and
//! the meetings counted by month.
//!
//! The choices, kept simple on purpose (also in docs/ARCHITECTURE.md):
//!
//! - **Spans.** Every obligation has a cadence (monthly, quarterly, yearly) and is judged
//!   once per *span* of that cadence lying wholly inside the period: a month judges only
//!   the monthly obligations; a quarter its three months separately (each month must have
//!   its own) plus the quarterly ones once; a year its twelve months, four quarters and the
//!   yearly ones. A quarterly obligation is never judged on a month, even its last: the
//!   month is not over the quarter, and a month report that failed branches in March but
//!   not in February would read as a rule nobody wrote.
//! - **Counting.** A meeting counts in the spans holding its date, nowhere else. Two theme
//!   days in July do not make up for none in August: within each span at most the number
//!   due is credited, so `held` in a shortfall is the credited count.
//! - **Rules.** Each span is judged by the rule set in force on its last day, the day the
//!   obligation falls due; a meeting's date decides only which spans it counts in.
//! - **Who is due.** Branches (党支部) only; group meetings for each of a branch's groups.
//!   An org is due in a span only if it existed throughout it (founded on or before its
//!   first day, or founding unknown; not dissolved before its last day), so a branch set
//!   up on the 20th owes nothing for that month. Whether a branch has a committee is taken
//!   as recorded now: the tree keeps no dated history of it.

use std::collections::BTreeMap;

use chrono::Datelike;
use serde::{Deserialize, Serialize};

use crate::meeting::{Cadence, MeetingKind, Period};
use crate::{Date, RuleBook};

/// What the rules need to know about one branch.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct BranchFacts {
    pub branch_id: i64,
    pub has_committee: bool,
    pub founded_on: Option<Date>,
    pub dissolved_on: Option<Date>,
    /// Its groups (党小组), each owing a group meeting a month.
    pub groups: Vec<GroupFacts>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct GroupFacts {
    pub group_id: i64,
    pub founded_on: Option<Date>,
    pub dissolved_on: Option<Date>,
}

/// Whether an org with these dates existed throughout `span`.
pub fn alive_throughout(
    founded_on: Option<Date>,
    dissolved_on: Option<Date>,
    span: Period,
) -> bool {
    founded_on.is_none_or(|f| f <= span.first_day())
        && dissolved_on.is_none_or(|d| d > span.last_day())
}

/// Meetings of one branch and its groups in one month, counted by kind (and by group).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct MonthTally {
    /// Indexed by `MeetingKind::index`; group meetings of all groups together.
    pub by_kind: [i64; 7],
    /// Group meetings by group id.
    pub groups: BTreeMap<i64, i64>,
}

impl MonthTally {
    pub fn total(&self) -> i64 {
        self.by_kind.iter().sum()
    }

    /// Adds one meeting; `group` is the group that held a group meeting.
    pub fn add(&mut self, kind: MeetingKind, group: Option<i64>) {
        self.by_kind[kind.index()] += 1;
        if kind == MeetingKind::GroupMeeting {
            if let Some(g) = group {
                *self.groups.entry(g).or_default() += 1;
            }
        }
    }

    pub fn merge(&mut self, other: &MonthTally) {
        for (a, b) in self.by_kind.iter_mut().zip(other.by_kind) {
            *a += b;
        }
        for (g, n) in &other.groups {
            *self.groups.entry(*g).or_default() += n;
        }
    }
}

/// The meetings of one branch (and its groups), counted by month: what compliance reads.
/// Built from meetings, or from the stored monthly facts (the same numbers).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Tally {
    pub months: BTreeMap<(i32, u32), MonthTally>,
}

impl Tally {
    /// Adds one meeting held on `date`; `group` is the group of a group meeting.
    pub fn add(&mut self, kind: MeetingKind, group: Option<i64>, date: Date) {
        self.months
            .entry((date.year(), date.month()))
            .or_default()
            .add(kind, group);
    }

    pub fn add_month(&mut self, year: i32, month: u32, t: &MonthTally) {
        self.months.entry((year, month)).or_default().merge(t);
    }

    fn in_span(&self, span: Period) -> impl Iterator<Item = &MonthTally> {
        let (from, to) = (span.first_day(), span.last_day());
        self.months
            .range((from.year(), from.month())..=(to.year(), to.month()))
            .map(|(_, t)| t)
    }

    /// Meetings of `kind` in `span` (of `group`, for group meetings when given).
    pub fn held(&self, kind: MeetingKind, group: Option<i64>, span: Period) -> i64 {
        self.in_span(span)
            .map(|t| match (kind, group) {
                (MeetingKind::GroupMeeting, Some(g)) => t.groups.get(&g).copied().unwrap_or(0),
                _ => t.by_kind[kind.index()],
            })
            .sum()
    }

    /// All meetings in `span`.
    pub fn total(&self, span: Period) -> i64 {
        self.in_span(span).map(MonthTally::total).sum()
    }
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
}

impl Obligation {
    pub fn met(&self) -> bool {
        self.held >= self.due
    }

    /// What counts toward the obligation: at most the number due.
    pub fn credited(&self) -> i64 {
        self.held.min(self.due)
    }
}

/// A shortfall of one kind (and group) over the period: the sums over its spans of what
/// was due and of what was credited.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Shortfall {
    pub kind: MeetingKind,
    pub group: Option<i64>,
    pub due: i64,
    pub held: i64,
    /// The spans that fell short.
    pub spans: Vec<Period>,
}

/// One branch's compliance over one period.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Compliance {
    pub branch_id: i64,
    pub period: Period,
    /// Every obligation due in the period (those with nothing due are left out), ordered
    /// by kind, group, span.
    pub obligations: Vec<Obligation>,
    /// Meetings of any kind held in the period by the branch or its groups.
    pub held_total: i64,
}

impl Compliance {
    /// Whether anything was due: a branch that owed nothing is not counted.
    pub fn judged(&self) -> bool {
        !self.obligations.is_empty()
    }

    pub fn compliant(&self) -> bool {
        self.obligations.iter().all(Obligation::met)
    }

    /// Judged, and nothing at all held.
    pub fn held_nothing(&self) -> bool {
        self.judged() && self.held_total == 0
    }

    /// The obligations not yet met.
    pub fn open(&self) -> impl Iterator<Item = &Obligation> {
        self.obligations.iter().filter(|o| !o.met())
    }

    /// The shortfalls by kind and group, in kind order.
    pub fn missing(&self) -> Vec<Shortfall> {
        let mut by: BTreeMap<(MeetingKind, Option<i64>), Shortfall> = BTreeMap::new();
        for o in &self.obligations {
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

/// Judges one branch over `period` (see the module comment for the rules of judging).
pub fn judge(branch: &BranchFacts, tally: &Tally, period: Period, rules: &RuleBook) -> Compliance {
    let mut obligations = Vec::new();
    for kind in MeetingKind::ALL {
        for span in period.spans(kind.cadence()) {
            if !alive_throughout(branch.founded_on, branch.dissolved_on, span) {
                continue;
            }
            let due = kind.required(rules.in_force(span.last_day()));
            if due <= 0 {
                continue;
            }
            match kind {
                MeetingKind::CommitteeMeeting if !branch.has_committee => {}
                MeetingKind::GroupMeeting => {
                    for g in &branch.groups {
                        if alive_throughout(g.founded_on, g.dissolved_on, span) {
                            obligations.push(Obligation {
                                kind,
                                group: Some(g.group_id),
                                span,
                                due,
                                held: tally.held(kind, Some(g.group_id), span),
                            });
                        }
                    }
                }
                _ => obligations.push(Obligation {
                    kind,
                    group: None,
                    span,
                    due,
                    held: tally.held(kind, None, span),
                }),
            }
        }
    }
    obligations.sort_by_key(|a| (a.kind, a.group, a.span));
    Compliance {
        branch_id: branch.branch_id,
        period,
        obligations,
        held_total: tally.total(period),
    }
}

/// The obligations still open on `today`: this month's monthly ones, this quarter's
/// quarterly ones and this year's yearly ones (what a branch sees as 本月待办).
pub fn open_on(
    branch: &BranchFacts,
    tally: &Tally,
    today: Date,
    rules: &RuleBook,
) -> Vec<Obligation> {
    let mut out = Vec::new();
    for cadence in [Cadence::Monthly, Cadence::Quarterly, Cadence::Yearly] {
        let span = Period::of(cadence, today);
        out.extend(
            judge(branch, tally, span, rules)
                .obligations
                .into_iter()
                .filter(|o| o.kind.cadence() == cadence && !o.met()),
        );
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn d(s: &str) -> Date {
        Date::parse_from_str(s, "%Y-%m-%d").unwrap()
    }

    fn branch(has_committee: bool, groups: &[i64]) -> BranchFacts {
        BranchFacts {
            branch_id: 1,
            has_committee,
            founded_on: Some(d("2000-01-01")),
            dissolved_on: None,
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
        let c = judge(&b, &Tally::default(), Period::Month(2026, 9), &book());
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
        let mut t = Tally::default();
        // Two theme days in July, none in August, one in September; a general meeting
        // on the quarter's first day; a party lecture the day after the quarter.
        t.add(MeetingKind::ThemeDay, None, d("2026-07-01"));
        t.add(MeetingKind::ThemeDay, None, d("2026-07-20"));
        t.add(MeetingKind::ThemeDay, None, d("2026-09-30"));
        t.add(MeetingKind::GeneralMeeting, None, d("2026-07-01"));
        t.add(MeetingKind::PartyLecture, None, d("2026-10-01"));
        t.add(MeetingKind::PartyLecture, None, d("2026-06-30"));
        let c = judge(&b, &t, Period::Quarter(2026, 3), &book());
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
        let c = judge(&b, &Tally::default(), Period::Year(2026), &book());
        let count = |k| c.obligations.iter().filter(|o| o.kind == k).count();
        assert_eq!(count(MeetingKind::ThemeDay), 12);
        assert_eq!(count(MeetingKind::CommitteeMeeting), 12);
        assert_eq!(count(MeetingKind::GroupMeeting), 12);
        assert_eq!(count(MeetingKind::GeneralMeeting), 4);
        assert_eq!(count(MeetingKind::PartyLecture), 4);
        assert_eq!(count(MeetingKind::LifeMeeting), 1);
        assert_eq!(count(MeetingKind::DemocraticEvaluation), 1);
        assert!(judge(&b, &everything(&[3]), Period::Year(2026), &book()).compliant());
    }

    #[test]
    fn orgs_owe_only_spans_they_existed_throughout() {
        let mut b = branch(false, &[5, 6]);
        b.founded_on = Some(d("2026-08-20"));
        b.groups[1].dissolved_on = Some(d("2026-09-30"));
        let c = judge(&b, &Tally::default(), Period::Quarter(2026, 3), &book());
        // Only September is owed, and the quarter not at all; group 6 dissolved on its
        // last day owes nothing for September.
        let got: Vec<(MeetingKind, Option<i64>, Period)> = c
            .obligations
            .iter()
            .map(|o| (o.kind, o.group, o.span))
            .collect();
        assert_eq!(
            got,
            vec![
                (MeetingKind::GroupMeeting, Some(5), Period::Month(2026, 9)),
                (MeetingKind::ThemeDay, None, Period::Month(2026, 9)),
            ]
        );
        b.founded_on = Some(d("2026-10-01"));
        assert!(!judge(&b, &Tally::default(), Period::Quarter(2026, 3), &book()).judged());
    }

    #[test]
    fn each_span_is_judged_by_the_rules_in_force_on_its_last_day() {
        let base = RuleBook::shipped().sets()[0].clone();
        let mut later = base.clone();
        later.id = "2026-09".into();
        later.effective_from = d("2026-09-30");
        later.meetings.theme_day_per_month = 2;
        let book = RuleBook::new(vec![base, later]);
        let c = judge(
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
        let mut t = Tally::default();
        t.add(MeetingKind::ThemeDay, None, d("2026-08-03"));
        t.add(MeetingKind::GeneralMeeting, None, d("2026-07-03"));
        t.add(MeetingKind::LifeMeeting, None, d("2026-01-15"));
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
            let before = judge(&b, &tally(&ms), p, &book);
            let mut more = ms.clone();
            more.push(extra);
            let after = judge(&b, &tally(&more), p, &book);
            prop_assert_eq!(before.obligations.len(), after.obligations.len());
            for (x, y) in before.obligations.iter().zip(&after.obligations) {
                prop_assert!(y.held >= x.held);
            }
            if before.compliant() {
                prop_assert!(after.compliant());
            }
            prop_assert!(after.held_total >= before.held_total);
        }

        // A branch that holds every kind every month (each group too) complies in any period.
        #[test]
        fn holding_everything_every_month_complies(b in arb_branch(), p in arb_period()) {
            let groups: Vec<i64> = b.groups.iter().map(|g| g.group_id).collect();
            let c = judge(&b, &everything(&groups), p, &book());
            prop_assert!(c.compliant(), "{:?}", c.missing());
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
            prop_assert_eq!(judge(&b, &tally(&ms), p, &book), judge(&b, &tally(&inside), p, &book));
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
            let year = judge(&b, &t, Period::Year(y), &book);
            let mut parts: Vec<Obligation> = Vec::new();
            for q in 1..=4 {
                let quarter = judge(&b, &t, Period::Quarter(y, q), &book);
                let mut from_months = Vec::new();
                for m in Period::Quarter(y, q).months() {
                    from_months.extend(judge(&b, &t, m, &book).obligations);
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
