//! Building a period's scorecards (issue #19): every org's own inputs read in bulk — the
//! rating's gathered year (`rating::gather_on`: a handful of path-range reads per root)
//! and one grouped read of the 群众诉求 — summed up the tree in memory, deepest first,
//! scored, and written in one transaction.
//!
//! What an org brings itself (its own inputs; a subtree's are their sums):
//! - every rated org (a standing 基层党委, 党总支 or 党支部 on the day): 书记配备 and 按期换届
//!   (flags, when the facts are recorded), 无软弱涣散 (not confirmed weak for the year),
//!   its tasks (`set_tasks`), its latest graded 述职评议考核 and the problems its duty
//!   records named, its latest closed survey of the period;
//! - a branch: its organizational life (`LifeTotals` of its own summary);
//! - a village's top org: its collective income against the standard, when both are known;
//! - every org: the requests assigned to it and received in the period.
//!
//! 学时 and 发展党员 are stored per subtree (the `training` and `recruitment_tally`
//! tallies), so each org's subtree figure is read as stored (学时 judged once the year is
//! over; admissions of the period's year) rather than summed.
//!
//! 组织设置 (a rated org whose facts were checked, without a stored anomaly) and the
//! coverage of units (each org's stored subtree figure, `org_stats`) are those of the
//! facts day, so only a period still running reads them.
//!
//! - every org: the problems of the inspections of it held in the period, and its 整顿
//!   cases of the period's year (销号) and their measures (by their deadline).
//!
//! - every org: its hand score of 发展成效 for the period (`hand`), when given.
//!
//! Every rated org is also diagnosed as the weak-org report diagnoses it (its signals,
//! the department's decisions of the year laid over), and the counts (`WeakTally`) summed
//! up the tree and stored: a large region's analysis report reads them.
//!
//! A region with many leaf orgs ([`GAPS_STORED_FROM`]) has their part of its weakest link
//! (each measure's median, ranked orgs and what-if over them) computed here and stored,
//! so its card reads one row: each root's leaf orgs sorted by path once, a region's are a
//! slice of them.

use std::collections::{HashMap, HashSet};

use crate::reports::weak::status_of;
use chrono::NaiveDate;
use jiceng_domain::history::SecretaryState;
use jiceng_domain::inspection::ProblemStatus;
use jiceng_domain::mass_request::RequestCounts;
use jiceng_domain::rating::IndicatorBook;
use jiceng_domain::recruitment::tally::YearAdmissions;
use jiceng_domain::rectification::{Measure as RectMeasure, Stage};
use jiceng_domain::rules::RuleSet;
use jiceng_domain::scorecard::ScorePeriod;
use jiceng_domain::scorecard::{org_gaps, score, Ratio, ScorecardInputs, Scored, WeakestRules};
use jiceng_domain::structure::{term_on, OrgFacts as CheckFacts};
use jiceng_domain::weakness::{diagnose, WeakTally};
use jiceng_domain::year_facts::{LifeTotals, OrgYearFacts};
use jiceng_domain::{path, DomainCoverage, OrgKind};
use jiceng_domain::{Decision, RuleBook, WeaknessKind};
use jiceng_store::recruitment::tally as recruitment_tally;
use jiceng_store::scorecard::{self as store, Built, StoredCard};
use jiceng_store::weak::StoredWeakness;
use jiceng_store::Scope;

use crate::rating::{gather_on, Gathered};
use crate::{App, Result};

/// A region with at least this many leaf orgs below it has their weakest-link gaps
/// stored by the build (a county has a few thousand, a province's root hundreds of
/// thousands; below this a card reads the leaf orgs' scores, a few milliseconds).
pub const GAPS_STORED_FROM: usize = 1000;

/// The day a period's figures are as of: its last day, or today while it runs.
pub fn as_of(period: ScorePeriod, today: NaiveDate) -> NaiveDate {
    period.last_day().min(today)
}

/// What the build was made by: the scorecard rules in force on the period's day, as
/// JSON (a change of weights or ranges makes the next read build again).
pub(crate) fn fingerprint(rules: &RuleSet) -> String {
    serde_json::to_string(&rules.scorecard).unwrap_or_default()
}

/// One build at a time in a process: the readers that find a period unbuilt at once wait
/// for the first one's build instead of each building it again (see `ensure`).
pub(crate) async fn one_at_a_time() -> tokio::sync::MutexGuard<'static, ()> {
    static BUILDING: std::sync::OnceLock<tokio::sync::Mutex<()>> = std::sync::OnceLock::new();
    BUILDING
        .get_or_init(|| tokio::sync::Mutex::new(()))
        .lock()
        .await
}

/// Builds `period` whole: every org's subtree inputs and scores, written in one
/// transaction (the period's old rows replaced). Answers the build and the orgs written.
pub async fn build(app: &App, period: ScorePeriod) -> Result<(Built, usize)> {
    let today = app.today();
    let day = as_of(period, today);
    let year = period.year();
    let rules = app.rules.in_force(day);
    let mut conn = app.store.acquire().await?;
    let roots = store::roots(&mut conn).await?;
    let first = period.first_day();
    let requests: HashMap<i64, RequestCounts> = jiceng_store::requests::counts_by_org(
        &mut conn,
        &Scope::All,
        Some((first, day)),
        rules.mass_requests.overdue_before(day),
    )
    .await?
    .into_iter()
    .collect();
    let added = added_inputs(&mut conn, period, first, day).await?;
    // The stored anomalies and coverage are those of the facts day: a period still
    // running reads them.
    let (anomalous, coverage) = if day == today {
        let a = store::anomalous_orgs(&mut conn).await?;
        (Some(a), store::coverage(&mut conn).await?)
    } else {
        (None, HashMap::new())
    };
    // The weak orgs: each rated org diagnosed as the weak-org report diagnoses it, with
    // the department's decisions of the year laid over.
    let weak_stored = jiceng_store::weak::list(&mut conn, &Scope::All, year).await?;
    drop(conn);
    let decided = crate::reports::weak::decisions(weak_stored);
    let book = crate::rating::indicator_book(app).await?;
    // The year is judged (学时) only once it is over.
    let year_over = today > NaiveDate::from_ymd_opt(year, 12, 31).expect("a valid day");
    let mut cards = Vec::new();
    for root in &roots {
        let g = gather_on(app, root, year, day).await?;
        let ids: Vec<i64> = g.orgs.iter().map(|o| o.id).collect();
        let mut conn = app.store.acquire().await?;
        let admissions: HashMap<i64, YearAdmissions> = recruitment_tally::stored(&mut conn, &ids)
            .await?
            .into_iter()
            .map(|(id, t)| (id, t.admitted_in(year)))
            .collect();
        drop(conn);
        let own = Own {
            requests: &requests,
            added: &added,
            admissions: &admissions,
            anomalous: anomalous.as_ref(),
            coverage: &coverage,
            book: &book,
            decided: &decided,
            rulebook: &app.rules,
        };
        let mut sub = subtree_cards(&g, period, rules, &own, year_over);
        store_org_gaps(&mut sub, &rules.scorecard.weakest, app.scorecard_gaps_from);
        cards.extend(sub);
    }
    let built = Built {
        built_at: app.now().format("%Y-%m-%dT%H:%M:%SZ").to_string(),
        rules_fingerprint: fingerprint(rules),
    };
    let mut tx = app.store.begin().await?;
    store::replace(&mut tx, &period.code(), &built, &cards).await?;
    tx.commit().await?;
    Ok((built, cards.len()))
}

/// What every org brings itself beyond the gathered year, by org id.
struct Own<'a> {
    requests: &'a HashMap<i64, RequestCounts>,
    /// The 督查 problems and the 整顿 cases and measures (see [`added_inputs`]).
    added: &'a HashMap<i64, ScorecardInputs>,
    /// Each org's subtree admissions of the year (stored per subtree: read, not summed).
    admissions: &'a HashMap<i64, YearAdmissions>,
    /// The orgs with a structure anomaly, when the period is still running.
    anomalous: Option<&'a HashSet<i64>>,
    /// Each org's subtree coverage of units (stored per subtree: read, not summed).
    coverage: &'a HashMap<i64, DomainCoverage>,
    /// What the weak orgs are diagnosed by, and the decisions of the year.
    book: &'a IndicatorBook,
    decided: &'a HashMap<i64, std::collections::BTreeMap<WeaknessKind, StoredWeakness>>,
    rulebook: &'a RuleBook,
}

/// Each org's own inputs from the problems of the inspections of it held in the period
/// (judged on `day`), and from the 整顿 cases of the period's year: accepted (验收销号)
/// or reviewed among its cases, its measures done by their deadline (judged on `day`).
async fn added_inputs(
    conn: &mut jiceng_store::Conn,
    period: ScorePeriod,
    first: NaiveDate,
    day: NaiveDate,
) -> Result<HashMap<i64, ScorecardInputs>> {
    let mut added: HashMap<i64, ScorecardInputs> = HashMap::new();
    // 发展成效 scored by hand: points / orgs scored (0–100 each).
    for (org, points) in store::hand_scores(conn, &period.code()).await? {
        added.entry(org).or_default().development_score += Ratio::of(points, 1);
    }
    for (org, deadline, fixed_on) in store::inspection_problems(conn, first, day).await? {
        let status = ProblemStatus::of(fixed_on, deadline, day);
        added.entry(org).or_default().add_problem(status);
    }
    let closed = [Stage::Accepted.code(), Stage::Reviewed.code()];
    for (org, stage) in store::rectification_cases(conn, period.year()).await? {
        added.entry(org).or_default().weak_rectified +=
            Ratio::flag(closed.contains(&stage.as_str()));
    }
    for (org, deadline, done_on) in store::rectification_measures(conn, period.year()).await? {
        let m = RectMeasure {
            seq: 0,
            text: String::new(),
            owner: String::new(),
            deadline,
            done_on,
            note: None,
        };
        added
            .entry(org)
            .or_default()
            .add_rectification_measure(&m, day);
    }
    Ok(added)
}

/// The cards of one gathered root's subtree: own inputs, summed deepest first, scored.
fn subtree_cards(
    g: &Gathered,
    period: ScorePeriod,
    rules: &RuleSet,
    extra: &Own,
    year_over: bool,
) -> Vec<StoredCard> {
    let n = g.orgs.len();
    let mut inputs: Vec<ScorecardInputs> = Vec::with_capacity(n);
    let mut rated = vec![false; n];
    let mut weak = vec![WeakTally::default(); n];
    for (i, o) in g.orgs.iter().enumerate() {
        let mut own = ScorecardInputs::default();
        if let Some(f) = g.facts(i) {
            rated[i] = true;
            own_of_rated(&mut own, &f, o.kind, period, rules);
            if let Some(set) = extra.book.for_domain(o.domain, g.as_of) {
                let signals = diagnose(&f, set, extra.rulebook);
                let mine = extra.decided.get(&o.id);
                let found: Vec<(WeaknessKind, Decision)> = WeaknessKind::ALL
                    .into_iter()
                    .filter_map(|k| {
                        let status = status_of(k, &signals, mine.and_then(|m| m.get(&k)))?;
                        Some((k, status))
                    })
                    .collect();
                weak[i] = WeakTally::org(&found);
            }
            if let (Some(a), Some(_)) = (extra.anomalous, o.facts_on) {
                own.structure_sound = Ratio::flag(!a.contains(&o.id));
            }
        }
        if let Some(c) = extra.requests.get(&o.id) {
            own.set_requests(c);
        }
        if let Some(a) = extra.added.get(&o.id) {
            own.add(a);
        }
        inputs.push(own);
    }
    // Deepest first: each org's subtree sum is complete before it joins its parent's.
    let mut order: Vec<usize> = (0..n).collect();
    order.sort_by_key(|&i| std::cmp::Reverse(path::depth(&g.orgs[i].path)));
    let mut orgs = vec![0i64; n];
    let mut rated_below = vec![false; n];
    for &i in &order {
        orgs[i] += i64::from(rated[i]);
        let parent = g.orgs[i].parent_id.and_then(|p| g.position(p));
        if let Some(p) = parent {
            let (sum, count, below) = (inputs[i], orgs[i], rated[i] || rated_below[i]);
            inputs[p].add(&sum);
            let w = weak[i];
            weak[p].add(&w);
            orgs[p] += count;
            rated_below[p] |= below;
        }
    }
    (0..n)
        .map(|i| {
            let o = &g.orgs[i];
            let mut sub = inputs[i];
            // 学时 is stored per subtree: read, not summed.
            sub.training_met = Ratio::default();
            if let Some(t) = g.training_of(o.id) {
                sub.set_training(&t, year_over);
            }
            if let Some(a) = extra.admissions.get(&o.id) {
                sub.set_admissions(a);
            }
            if let Some(c) = extra.coverage.get(&o.id) {
                sub.set_coverage(c);
            }
            StoredCard {
                org_id: o.id,
                parent_id: o.parent_id,
                org_path: o.path.clone(),
                leaf: rated[i] && !rated_below[i],
                orgs: orgs[i],
                inputs: sub,
                scores: score(&sub, &rules.scorecard).scores(),
                org_gaps: None,
                weak: weak[i],
            }
        })
        .collect()
}

/// Sets the gaps of their leaf orgs on the cards of one root's subtree with at least
/// `from` leaf orgs below them (themselves included when a leaf, as a card reads them).
fn store_org_gaps(cards: &mut [StoredCard], rules: &WeakestRules, from: usize) {
    let mut leaves: Vec<usize> = (0..cards.len()).filter(|&i| cards[i].leaf).collect();
    if leaves.len() < from.max(1) {
        return;
    }
    leaves.sort_by(|&a, &b| cards[a].org_path.cmp(&cards[b].org_path));
    let mut gaps = Vec::new();
    for (i, c) in cards.iter().enumerate() {
        let upper = path::subtree_upper(&c.org_path);
        let lo = leaves.partition_point(|&l| cards[l].org_path < c.org_path);
        let hi = leaves.partition_point(|&l| cards[l].org_path < upper);
        if hi - lo < from.max(1) {
            continue;
        }
        let orgs: Vec<Scored> = leaves[lo..hi]
            .iter()
            .map(|&l| Scored {
                id: cards[l].org_id,
                weight: 1.0,
                scores: cards[l].scores,
            })
            .collect();
        gaps.push((i, org_gaps(&orgs, rules)));
    }
    for (i, g) in gaps {
        cards[i].org_gaps = Some(Box::new(g));
    }
}

/// The inputs a rated org brings itself (see the module doc).
fn own_of_rated(
    own: &mut ScorecardInputs,
    f: &OrgYearFacts,
    kind: OrgKind,
    period: ScorePeriod,
    rules: &RuleSet,
) {
    match f.secretary {
        SecretaryState::InOffice => own.secretary_in_place = Ratio::flag(true),
        SecretaryState::Vacant { .. } => own.secretary_in_place = Ratio::flag(false),
        SecretaryState::Unknown => {}
    }
    if let Some(current) = term_current(f, rules) {
        own.term_current = Ratio::flag(current);
    }
    own.not_weak = Ratio::flag(!f.confirmed_weak);
    if kind == OrgKind::Branch {
        if let Some(l) = &f.life {
            let mut t = LifeTotals::default();
            t.add(l);
            own.set_life(&t);
        }
    }
    if let Some(t) = &f.tasks {
        own.set_tasks(t);
    }
    if let Some(d) = &f.duty {
        own.set_duty_grade(d.grade);
        let fixed = d.problems - d.open;
        own.problems_fixed += Ratio::of(fixed, fixed + d.overdue);
    }
    if let Some(s) = &f.satisfaction {
        // A half-year reads only its own survey, a quarter its half-year's; a year its
        // latest of any.
        if matches!(period, ScorePeriod::Year(_)) || s.period == period.survey() {
            own.set_survey(s);
        }
    }
    if f.village_top {
        let fu = &f.funding;
        if let (Some(income), Some(standard)) =
            (fu.collective_income_yuan, fu.collective_standard_yuan)
        {
            own.collective_income = Ratio::flag(income >= standard);
        }
    }
}

/// Whether the org's term still runs on the day (`None`: it has no term, or the
/// election that would date it is not recorded).
fn term_current(f: &OrgYearFacts, rules: &RuleSet) -> Option<bool> {
    let facts = CheckFacts {
        org_id: f.org_id,
        code: String::new(),
        name: String::new(),
        kind: f.kind,
        domain: f.domain,
        parent_kind: None,
        founded_on: f.founded_on,
        last_election_on: f.last_election_on,
        committee: f.committee,
        direct_members: 0,
        direct_full: 0,
        subtree_members: f.subtree_members,
        subtree_full: f.subtree_full,
        units_covered: 0,
        secretary: f.secretary,
        term_years: f.term_years,
        postponed_until: f.postponed_until,
        temporary: false,
        approved: false,
    };
    let term = term_on(&facts, rules, f.as_of).ok()??;
    Some(term.ends_on >= f.as_of)
}
