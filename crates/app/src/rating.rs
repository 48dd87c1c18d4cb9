//! Rating (分类定级、评星定级, SPEC C5): gathering each org's facts for a year from stored
//! derived facts, computing stars with the indicator set of its domain, storing them with
//! the suspected weaknesses (one transaction, audited), hand adjustments and hand scores
//! (a reason each, audited), and reading ratings back.
//!
//! Scale: a subtree is read in a handful of literal path-range reads — the orgs, their
//! dated facts (events and secretaries' offices), one grouped read of the member rows
//! (members, full members and the latest recruit of each org on the day judged), the
//! monthly compliance facts, the first recorded month before them, funding, discipline
//! cases, manual signals and scores — never a query per org and never meeting rows. A
//! province of 570 thousand orgs is rated from those reads in one pass.

use std::collections::{BTreeMap, HashMap, HashSet};
use std::time::Instant;

use chrono::NaiveDate;
use jiceng_domain::compliance::{BranchFacts, GroupFacts};
use jiceng_domain::rating::{
    self as dr, BranchMonths, CaseNote, FundingFacts, IndicatorBook, IndicatorScore, IndicatorSet,
    LifeSummary, LifeTotals, ManualSignal, OrgYearFacts, Rating, Recruitment,
};
use jiceng_domain::weakness::{diagnose, suspected, Signal};
use jiceng_domain::{path, Decision, Domain, OrgHistory, OrgKind, WeaknessKind};
use jiceng_io::{OutCell, Sheet};
use jiceng_store::orgs::{self as org_store, StoredOrg};
use jiceng_store::ratings::{
    self as rating_store, Adjustment, ManualScore, RatedOrg, StoredRating,
};
use jiceng_store::weak::{self as weak_store, FundingKind, SignalNote, StoredWeakness};
use jiceng_store::{meetings as meeting_store, Scope};
use serde::Serialize;

use crate::access::{self, Grant, InScope};
use crate::audit::{self, AuditAction};
use crate::reports::OrgRef;
use crate::{App, AppError, OrgRecord, Result};

fn input(msg: impl Into<String>) -> AppError {
    AppError::Input(msg.into())
}

/// Years that can be rated: from 2000 to the current one.
pub fn check_year(app: &App, year: i32) -> Result<()> {
    let now = chrono::Datelike::year(&app.today());
    if !(2000..=now).contains(&year) {
        return Err(input(format!("年度应在2000至{now}之间：{year}")));
    }
    Ok(())
}

/// The indicator sets in use: the shipped ones and those the department stored.
pub async fn indicator_book(app: &App) -> Result<IndicatorBook> {
    let mut conn = app.store.acquire().await?;
    let stored = rating_store::indicator_sets(&mut conn).await?;
    Ok(IndicatorBook::shipped().with(stored))
}

/// Stores an edited indicator set (a copy of a shipped one with a new id or version).
/// Needs [`access::SetRules`]; audited.
pub async fn save_indicator_set(
    app: &App,
    grant: &Grant<access::SetRules>,
    set: &IndicatorSet,
) -> Result<()> {
    let actor = grant.actor();
    let problems = set.problems();
    if !problems.is_empty() {
        return Err(input(problems.join("；")));
    }
    let after = serde_json::json!({ "id": set.id, "version": set.version, "effective_from": set.effective_from });
    // Recorded at the actor's org.
    let entry = audit::Entry::new(
        actor,
        AuditAction::IndicatorSetSave,
        format!("指标体系 {}（第{}版）", set.id, set.version),
    )
    .after(after);
    let entry = &entry;
    audit::with_retry(|| async move {
        let mut tx = app.store.begin().await?;
        rating_store::save_indicator_set(&mut tx, set, &actor.username).await?;
        entry.commit(tx, app.now()).await
    })
    .await
}

/// What rating and diagnosis know of a subtree for one year, read in batches; the facts
/// of each org are assembled on demand ([`Gathered::facts`]). Every fact is as it was on
/// `as_of` (the year's last day, or the day asked for while the year runs): the
/// secretary, committee, elections and term from the dated records, the members from the
/// roster's dates, never from today's stored facts (review error 8).
pub struct Gathered {
    pub root: StoredOrg,
    pub year: i32,
    pub as_of: NaiveDate,
    /// Every org of the subtree, in path order.
    pub orgs: Vec<RatedOrg>,
    index: HashMap<i64, usize>,
    histories: HashMap<i64, OrgHistory>,
    /// Members of each org's subtree on `as_of`.
    members: HashMap<i64, jiceng_store::members::MembersOnDay>,
    /// The village top orgs of the subtree.
    tops: HashSet<i64>,
    /// Orgs below a village top.
    under_top: HashSet<i64>,
    life: HashMap<i64, LifeSummary>,
    totals: HashMap<i64, LifeTotals>,
    funding: HashMap<i64, FundingFacts>,
    cases: HashMap<i64, Vec<CaseNote>>,
    signals: HashMap<i64, Vec<ManualSignal>>,
    manual: HashMap<i64, BTreeMap<String, f64>>,
}

impl Gathered {
    /// The position of an org in `orgs`.
    pub fn position(&self, org_id: i64) -> Option<usize> {
        self.index.get(&org_id).copied()
    }

    /// Whether the org at `i` is rated this year: a standing grassroots org (not a
    /// 临时党支部) that existed on the day.
    pub fn is_rated(&self, i: usize) -> bool {
        let o = &self.orgs[i];
        dr::is_rated(o.kind)
            && !o.temporary
            && o.dissolved_on.is_none_or(|d| d > self.as_of)
            && o.founded_on.is_none_or(|f| f <= self.as_of)
    }

    /// The facts of the org at `i` on the day judged, if it is rated.
    pub fn facts(&self, i: usize) -> Option<OrgYearFacts> {
        if !self.is_rated(i) {
            return None;
        }
        let o = &self.orgs[i];
        let day = self.as_of;
        let empty = OrgHistory::default();
        let h = self.histories.get(&o.id).unwrap_or(&empty);
        let m = self.members.get(&o.id).copied().unwrap_or_default();
        let village_top = self.tops.contains(&o.id);
        let recruitment = if !village_top {
            Recruitment::NotApplicable
        } else if m.members == 0 {
            // No roster loaded for the village: unknown, never "nobody recruited".
            Recruitment::NoMembers
        } else {
            Recruitment::LastJoined(m.last_recruit)
        };
        Some(OrgYearFacts {
            org_id: o.id,
            kind: o.kind,
            domain: o.domain,
            year: self.year,
            as_of: day,
            founded_on: o.founded_on,
            last_election_on: h.last_election_on(day),
            term_years: h.term_years,
            postponed_until: h.postponed_until(day),
            committee: h.committee_on(day),
            subtree_members: m.members,
            subtree_full: m.full,
            secretary: h.secretary_on(day),
            village_top,
            under_village_top: self.under_top.contains(&o.id),
            recruitment,
            life: self.life.get(&o.id).cloned(),
            subtree_life: self.totals.get(&o.id).copied().unwrap_or_default(),
            funding: self.funding.get(&o.id).copied().unwrap_or_default(),
            discipline_cases: self.cases.get(&o.id).cloned().unwrap_or_default(),
            manual_signals: self.signals.get(&o.id).cloned().unwrap_or_default(),
            manual_scores: self.manual.get(&o.id).cloned().unwrap_or_default(),
        })
    }

    /// The oldest day the stored org facts of the subtree were computed for (`None` if
    /// some never were).
    pub fn facts_on(&self) -> Option<NaiveDate> {
        let mut oldest: Option<NaiveDate> = None;
        for o in &self.orgs {
            match o.facts_on {
                None => return None,
                Some(d) => oldest = Some(oldest.map_or(d, |x| x.min(d))),
            }
        }
        oldest
    }
}

/// Reads everything rating and diagnosis of `year` need for the subtree of `root`: a
/// handful of path-range reads (orgs, dated facts, one grouped read of the members on the
/// day, the monthly meeting facts, the first recorded month before them, funding, cases,
/// manual signals and scores), never a query per org.
pub async fn gather(app: &App, root: &OrgRecord, year: i32) -> Result<Gathered> {
    let as_of = dr::as_of(year, app.today());
    let scope = Scope::subtree(&root.path);
    let rules = app.rules.in_force(as_of);
    let lookback =
        u32::try_from(rules.weak_signals.no_committee_meeting_months.max(0)).unwrap_or(6);
    // Compliance of the year is judged on the day asked; sessions held for the year in
    // its 所属年度 window (the next year's first months) are read too.
    let judged_on = app.today().max(as_of);
    let window_end = rules.meetings.prior_year_window_end(year).min(judged_on);
    let months = dr::months_needed(year, window_end.max(as_of), lookback);
    let mut conn = app.store.acquire().await?;
    let orgs = rating_store::orgs(&mut conn, &scope).await?;
    let root_parent = match root.org.parent_id {
        Some(p) => org_store::get(&mut conn, &Scope::All, p)
            .await?
            .map(|o| (o.org.kind, o.org.domain)),
        None => None,
    };
    let histories = jiceng_store::history::in_scope(&mut conn, &scope).await?;
    let own_members = jiceng_store::members::on_day(&mut conn, &scope, as_of).await?;
    let month_rows = meeting_store::month_facts(&mut conn, &scope, &months).await?;
    let first_key = months
        .first()
        .and_then(|m| m.month_key())
        .unwrap_or_default();
    let first_before = rating_store::first_meeting_months(&mut conn, &scope, &first_key).await?;
    let funding_rows = weak_store::funding(&mut conn, &scope, year).await?;
    let case_rows = weak_store::cases(&mut conn, &scope, year).await?;
    let signal_rows = weak_store::signals(&mut conn, &scope, year).await?;
    let manual = rating_store::manual_scores(&mut conn, &scope, year).await?;
    drop(conn);

    let index: HashMap<i64, usize> = orgs.iter().enumerate().map(|(i, o)| (o.id, i)).collect();
    // Members of each subtree on the day: own counts added to every ancestor in scope.
    let mut members: HashMap<i64, jiceng_store::members::MembersOnDay> = HashMap::new();
    for o in &orgs {
        let Some(own) = own_members.get(&o.id) else {
            continue;
        };
        for anc in path::ids(&o.path) {
            if index.contains_key(&anc) {
                let e = members.entry(anc).or_default();
                e.members += own.members;
                e.full += own.full;
                e.last_recruit = e.last_recruit.max(own.last_recruit);
            }
        }
    }
    // Village tops, and the orgs below them (judged there).
    let mut tops: HashSet<i64> = HashSet::new();
    for o in &orgs {
        let parent = match o.parent_id.and_then(|p| index.get(&p)) {
            Some(&j) => Some((orgs[j].kind, orgs[j].domain)),
            None => root_parent,
        };
        if dr::is_village_top(o.kind, o.domain, parent) {
            tops.insert(o.id);
        }
    }
    let top_of = |o: &RatedOrg| -> Option<i64> {
        path::ids(&o.path)
            .into_iter()
            .find(|a| *a != o.id && tops.contains(a))
    };
    // A rated village org that is not a top has a village 党委 or 党总支 above it (even
    // when that is outside the subtree read).
    let under_top: HashSet<i64> = orgs
        .iter()
        .filter(|o| {
            dr::is_rated(o.kind) && o.domain == Some(Domain::Village) && !tops.contains(&o.id)
        })
        .map(|o| o.id)
        .collect();

    let mut groups: HashMap<i64, Vec<GroupFacts>> = HashMap::new();
    for o in orgs.iter().filter(|o| o.kind == OrgKind::Group) {
        if let Some(p) = o.parent_id {
            groups.entry(p).or_default().push(GroupFacts {
                group_id: o.id,
                founded_on: o.founded_on,
                dissolved_on: o.dissolved_on,
            });
        }
    }
    let mut months_of: HashMap<i64, BranchMonths> = HashMap::new();
    for r in &month_rows {
        let m = months_of.entry(r.branch_id).or_default();
        m.tally.add_month(r.year, r.month, &r.tally);
        let a = m.attendance.entry((r.year, r.month)).or_default();
        a.0 += r.expected;
        a.1 += r.present;
    }
    let empty = BranchMonths::default();
    let no_history = OrgHistory::default();
    // Where an org's records start: its 台账起始日, else its first recorded meeting.
    let records_start = |id: i64| -> Option<NaiveDate> {
        histories.get(&id).and_then(|h| h.records_from).or_else(|| {
            first_before
                .get(&id)
                .copied()
                .or_else(|| months_of.get(&id).and_then(|m| m.first_recorded()))
        })
    };
    let mut life: HashMap<i64, LifeSummary> = HashMap::new();
    let mut totals: HashMap<i64, LifeTotals> = HashMap::new();
    for o in &orgs {
        if o.kind != OrgKind::Branch
            || o.temporary
            || o.dissolved_on.is_some_and(|d| d <= as_of)
            || o.founded_on.is_some_and(|f| f > as_of)
        {
            continue;
        }
        // The dated committee decides which spans owe a 支委会 (see `dr::life_summary`).
        let branch = BranchFacts {
            branch_id: o.id,
            // Owes every kind here; the dated committee and the records start are applied
            // by `dr::life_summary`.
            committee: jiceng_domain::history::CommitteeHistory::always(Some(true)),
            founded_on: o.founded_on,
            dissolved_on: o.dissolved_on,
            records_from: Some(chrono::NaiveDate::MIN),
            temporary: false,
            groups: groups.remove(&o.id).unwrap_or_default(),
        };
        let h = histories.get(&o.id).unwrap_or(&no_history);
        let l = dr::life_summary(
            &branch,
            months_of.get(&o.id).unwrap_or(&empty),
            &h.committee(),
            records_start(o.id),
            dr::YearJudged {
                year,
                as_of,
                judged_on,
            },
            &app.rules,
        );
        for anc in path::ids(&o.path) {
            if index.contains_key(&anc) {
                totals.entry(anc).or_default().add(&l);
            }
        }
        life.insert(o.id, l);
    }
    // A village 党总支 or 党委 is judged on its branches' life summed, and on its own
    // 委员会's meetings (review error 11).
    let mut village: HashMap<i64, LifeSummary> = HashMap::new();
    for &top in &tops {
        let Some(&i) = index.get(&top) else { continue };
        let t = &orgs[i];
        if t.kind == OrgKind::Branch {
            continue;
        }
        let parts: Vec<&LifeSummary> = orgs
            .iter()
            .filter(|o| top_of(o) == Some(top))
            .filter_map(|o| life.get(&o.id))
            .collect();
        let h = histories.get(&top).unwrap_or(&no_history);
        let committee = dr::committee_window(
            &h.committee(),
            &months_of.get(&top).unwrap_or(&empty).tally,
            t.founded_on,
            h.records_from
                .or_else(|| first_before.get(&top).copied())
                .or_else(|| months_of.get(&top).and_then(|m| m.first_recorded())),
            as_of,
            &app.rules,
        );
        let mut l = LifeSummary::village(&parts, committee);
        if l.periods.is_empty() {
            l.periods = dr::judged_periods(year, as_of);
        }
        village.insert(top, l);
    }
    life.extend(village);
    let mut funding: HashMap<i64, FundingFacts> = HashMap::new();
    for f in &funding_rows {
        let e = funding.entry(f.org_id).or_default();
        let yuan = Some(f.amount_fen as f64 / 100.0);
        match f.kind {
            FundingKind::Operating => e.operating_yuan = yuan,
            FundingKind::CollectiveIncome => e.collective_income_yuan = yuan,
        }
    }
    let mut cases: HashMap<i64, Vec<CaseNote>> = HashMap::new();
    for c in case_rows.into_iter().filter(|c| c.decided_on <= as_of) {
        cases.entry(c.org_id).or_default().push(CaseNote {
            decided_on: c.decided_on,
            summary: format!("{}：{}", c.subject, c.summary),
            team: c.team,
        });
    }
    let mut signals: HashMap<i64, Vec<ManualSignal>> = HashMap::new();
    for s in signal_rows {
        signals.entry(s.org_id).or_default().push(ManualSignal {
            kind: s.kind,
            evidence: s.evidence,
            source: s.source,
        });
    }
    Ok(Gathered {
        root: root.clone(),
        year,
        as_of,
        orgs,
        index,
        histories,
        members,
        tops,
        under_top,
        life,
        totals,
        funding,
        cases,
        signals,
        manual,
    })
}

/// The weaknesses suspected from fired signals, as stored rows.
pub(crate) fn suspicions(
    org: &RatedOrg,
    year: i32,
    as_of: NaiveDate,
    signals: &[Signal],
) -> Vec<StoredWeakness> {
    suspected(signals)
        .into_iter()
        .map(|(kind, fired)| StoredWeakness {
            org_id: org.id,
            year,
            kind,
            org_path: org.path.clone(),
            status: Decision::Suspected,
            signals: fired.iter().map(|s| note(s)).collect(),
            diagnosed_on: as_of,
            decided_by: None,
            decided_at: None,
            reason: None,
        })
        .collect()
}

pub(crate) fn note(s: &Signal) -> SignalNote {
    SignalNote {
        rule: s.rule,
        evidence: s.evidence.clone(),
        source: s.source.clone(),
    }
}

/// How many orgs have a number of stars (`stars: null`: rated without stars).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct StarCount {
    pub stars: Option<i64>,
    pub orgs: i64,
}

/// How many orgs are suspected of one weakness.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct KindCount {
    pub kind: &'static str,
    pub label: &'static str,
    pub orgs: i64,
}

/// What a rating run did.
#[derive(Debug, Clone, Serialize)]
pub struct RateSummary {
    pub org: OrgRef,
    pub year: i32,
    pub as_of: NaiveDate,
    /// The oldest day the stored org facts were computed for.
    pub facts_on: Option<NaiveDate>,
    /// Orgs of the subtree read, and of those rated.
    pub orgs: usize,
    pub rated: usize,
    /// By stars, adjustments counted; highest first, no stars last.
    pub stars: Vec<StarCount>,
    /// Orgs with at least one weakness suspected, and by kind.
    pub suspected_orgs: usize,
    pub suspected: Vec<KindCount>,
    pub seconds: f64,
}

fn star_counts(map: &BTreeMap<Option<i64>, i64>) -> Vec<StarCount> {
    let mut v: Vec<StarCount> = map
        .iter()
        .map(|(s, n)| StarCount {
            stars: *s,
            orgs: *n,
        })
        .collect();
    v.sort_by_key(|c| std::cmp::Reverse(c.stars.map(|s| s + 1).unwrap_or(0)));
    v
}

/// Orgs rated and written per chunk: the work of a province is never held at once.
const CHUNK: usize = 10_000;

#[derive(Default)]
struct Tally {
    rated: usize,
    stars: BTreeMap<Option<i64>, i64>,
    by_kind: BTreeMap<WeaknessKind, i64>,
    suspected_orgs: usize,
}

/// Rates every org of the subtree of `org` for `year` and stores the ratings and the
/// suspected weaknesses (replacing those of an earlier run; hand adjustments and decided
/// weaknesses stay). Needs [`access::Rate`].
///
/// One transaction with the audit entry; inside it the orgs are rated and written
/// [`CHUNK`] at a time.
pub async fn rate(
    app: &App,
    grant: &Grant<access::Rate>,
    root: &InScope<OrgRecord>,
    year: i32,
) -> Result<RateSummary> {
    let actor = grant.actor();
    check_year(app, year)?;
    let started = Instant::now();
    let scope = root.subtree();
    let book = indicator_book(app).await?;
    let g = gather(app, root, year).await?;
    // Every rated org needs a set: fail before writing anything.
    for o in g.orgs.iter().filter(|o| dr::is_rated(o.kind)) {
        if book.for_domain(o.domain, g.as_of).is_none() {
            return Err(input("没有可用的评定指标体系"));
        }
    }
    let (g_ref, book_ref, scope_ref, root_ref) = (&g, &book, &scope, &**root);
    let t = audit::with_retry(|| async move {
        let mut tx = app.store.begin().await?;
        let mut adjustments = rating_store::adjustments(&mut tx, scope_ref, year).await?;
        rating_store::delete(&mut tx, scope_ref, year).await?;
        let decided = weak_store::clear_suspected(&mut tx, scope_ref, year).await?;
        let mut t = Tally::default();
        let mut rows: Vec<StoredRating> = Vec::with_capacity(CHUNK);
        let mut weak_rows: Vec<StoredWeakness> = Vec::new();
        for i in 0..g_ref.orgs.len() {
            let Some(f) = g_ref.facts(i) else { continue };
            let o = &g_ref.orgs[i];
            let set = book_ref
                .for_domain(o.domain, g_ref.as_of)
                .ok_or_else(|| input("没有可用的评定指标体系"))?;
            let r: Rating = dr::rate(&f, set, &app.rules);
            let sus = suspicions(o, year, g_ref.as_of, &diagnose(&f, set, &app.rules));
            t.suspected_orgs += usize::from(!sus.is_empty());
            for w in &sus {
                *t.by_kind.entry(w.kind).or_default() += 1;
            }
            weak_rows.extend(sus);
            let row = StoredRating {
                org_id: o.id,
                year,
                org_path: o.path.clone(),
                set_id: r.set_id,
                set_version: r.set_version,
                as_of: g_ref.as_of,
                computed_stars: r.stars.map(i64::from),
                score: r.score,
                weight_with_data: r.weight_with_data,
                indicators: r.indicators,
                evidence: r.evidence,
                adjustment: adjustments.remove(&o.id),
            };
            *t.stars.entry(row.stars()).or_default() += 1;
            t.rated += 1;
            rows.push(row);
            if rows.len() >= CHUNK {
                rating_store::insert(&mut tx, &rows).await?;
                weak_store::insert_suspected(&mut tx, &weak_rows, &decided).await?;
                rows.clear();
                weak_rows.clear();
            }
        }
        rating_store::insert(&mut tx, &rows).await?;
        weak_store::insert_suspected(&mut tx, &weak_rows, &decided).await?;
        let after = serde_json::json!({
            "year": year,
            "rated": t.rated,
            "stars": star_counts(&t.stars),
            "suspected_orgs": t.suspected_orgs,
        });
        let target = format!(
            "{} {year}年度分类定级（{}个党组织）",
            root_ref.org.name, t.rated
        );
        audit::Entry::new(actor, AuditAction::RatingCompute, target)
            .org(root_ref)
            .after(after)
            .commit(tx, app.now())
            .await?;
        Ok(t)
    })
    .await?;
    if t.rated >= jiceng_store::bulk::SETTLE_MIN_ROWS {
        let mut conn = app.store.acquire().await?;
        jiceng_store::bulk::settle(&mut conn, &["rating", "weakness"]).await?;
    }
    Ok(RateSummary {
        org: OrgRef::of(&root.org),
        year,
        as_of: g.as_of,
        facts_on: g.facts_on(),
        orgs: g.orgs.len(),
        rated: t.rated,
        stars: star_counts(&t.stars),
        suspected_orgs: t.suspected_orgs,
        suspected: t
            .by_kind
            .into_iter()
            .map(|(k, n)| KindCount {
                kind: k.code(),
                label: k.label(),
                orgs: n,
            })
            .collect(),
        seconds: (started.elapsed().as_secs_f64() * 1000.0).round() / 1000.0,
    })
}

/// Fills the names and weights of stored indicator scores from the set they were rated by
/// (the store keeps only codes, states, scores and evidence).
pub fn name_scores(book: &IndicatorBook, set_id: &str, version: i64, list: &mut [IndicatorScore]) {
    let set = book
        .sets()
        .iter()
        .find(|s| s.id == set_id && s.version == version);
    for i in list {
        match set.and_then(|s| s.indicators.iter().find(|x| x.code == i.code)) {
            Some(x) => {
                i.name = x.name.clone();
                i.weight = x.weight;
            }
            None => i.name = i.code.clone(),
        }
    }
}

/// A stored rating as lists and pages show it.
#[derive(Debug, Clone, Serialize)]
pub struct RatingItem {
    pub org: OrgRef,
    pub kind: &'static str,
    /// The stars that count (an adjustment's, else the computed ones).
    pub stars: Option<i64>,
    pub computed_stars: Option<i64>,
    pub score: Option<f64>,
    pub weight_with_data: f64,
    pub adjusted: bool,
}

/// The ratings of a subtree and year: the stars distribution at the root and for each
/// direct child (by region), and a page of the orgs.
#[derive(Debug, Clone, Serialize)]
pub struct RatingsReport {
    pub org: OrgRef,
    pub year: i32,
    pub rated: i64,
    pub stars: Vec<StarCount>,
    pub levels: Vec<LevelStars>,
    pub items: Vec<RatingItem>,
    /// Orgs matching (for paging `items`).
    pub total: i64,
}

impl RatingsReport {
    /// The workbook of the ratings (one sheet, the listed orgs), the same from the command
    /// line and the web (the web's layout).
    pub fn to_sheets(&self) -> Vec<Sheet> {
        let rows = self.items.iter().map(rating_row).collect();
        vec![Sheet {
            name: "星级评定".into(),
            title: format!(
                "{} {}年度分类定级（评定{}个）",
                self.org.name, self.year, self.rated
            ),
            headers: [
                "组织代码",
                "党组织",
                "星级",
                "计算星级",
                "得分",
                "有数据的权重",
                "人工调整",
            ]
            .map(String::from)
            .to_vec(),
            rows,
        }]
    }
}

fn rating_row(i: &RatingItem) -> Vec<OutCell> {
    vec![
        OutCell::Text(i.org.code.clone()),
        OutCell::Text(i.org.name.clone()),
        match i.stars {
            Some(s) => OutCell::Int(s),
            None => OutCell::Text("未定星".into()),
        },
        match i.computed_stars {
            Some(s) => OutCell::Int(s),
            None => OutCell::Empty,
        },
        match i.score {
            Some(s) => OutCell::Text(format!("{s:.1}")),
            None => OutCell::Text("暂无数据".into()),
        },
        OutCell::Text(format!("{:.0}%", i.weight_with_data * 100.0)),
        OutCell::Text(if i.adjusted { "是" } else { "" }.into()),
    ]
}

#[derive(Debug, Clone, Serialize)]
pub struct LevelStars {
    pub org: OrgRef,
    pub rated: i64,
    pub stars: Vec<StarCount>,
}

/// The stored ratings of `year` under `org`: distribution (root and each direct child)
/// and page `page` (from 1) of the orgs, narrowed to a number of stars if given
/// (`Some(None)`: rated without stars). Resolving the org refused who may not read.
pub async fn ratings(
    app: &App,
    root: &InScope<OrgRecord>,
    year: i32,
    stars: Option<Option<i64>>,
    page: i64,
    page_size: i64,
) -> Result<RatingsReport> {
    let scope = root.subtree();
    let page_size = page_size.clamp(1, 1_000_000);
    let mut conn = app.store.acquire().await?;
    // The subtree's distribution is its children's plus the root's own rating: one read of
    // the subtree's index, not two.
    let children = org_store::children(&mut conn, &scope, root.org.id).await?;
    let mut dist: BTreeMap<Option<i64>, i64> = BTreeMap::new();
    if let Some(own) = rating_store::get(&mut conn, &scope, root.org.id, year).await? {
        *dist.entry(own.stars()).or_default() += 1;
    }
    let mut levels = Vec::new();
    for c in &children {
        let d = rating_store::distribution(&mut conn, &Scope::subtree(&c.path), year).await?;
        for (k, n) in &d {
            *dist.entry(*k).or_default() += n;
        }
        let rated: i64 = d.values().sum();
        if rated > 0 {
            levels.push(LevelStars {
                org: OrgRef::of(&c.org),
                rated,
                stars: star_counts(&d),
            });
        }
    }
    let offset = (page.max(1) - 1).saturating_mul(page_size);
    // The total is the distribution's (same rows), so the index is not read a second time.
    let total = rating_store::count_of(&dist, stars);
    let rows = rating_store::page(&mut conn, &scope, year, stars, offset, page_size).await?;
    let ids: Vec<i64> = rows.iter().map(|r| r.org_id).collect();
    let orgs: HashMap<i64, StoredOrg> = org_store::by_ids(&mut conn, &ids)
        .await?
        .into_iter()
        .map(|o| (o.org.id, o))
        .collect();
    drop(conn);
    let items = rows
        .iter()
        .filter_map(|r| {
            let o = orgs.get(&r.org_id)?;
            Some(RatingItem {
                org: OrgRef::of(&o.org),
                kind: o.org.kind.code(),
                stars: r.stars(),
                computed_stars: r.computed_stars,
                score: r.score,
                weight_with_data: r.weight_with_data,
                adjusted: r.adjustment.is_some(),
            })
        })
        .collect();
    Ok(RatingsReport {
        org: OrgRef::of(&root.org),
        year,
        rated: dist.values().sum(),
        stars: star_counts(&dist),
        levels,
        items,
        total,
    })
}

/// One org's rating in full: the stored one (with its adjustment), the one its records
/// give today, and every signal of the diagnosis (those without data included).
#[derive(Debug, Clone, Serialize)]
pub struct OrgRating {
    pub org: OrgRef,
    pub kind: &'static str,
    pub year: i32,
    pub as_of: NaiveDate,
    pub stored: Option<StoredView>,
    /// Computed now from the records (what a re-rating would store).
    pub current: Rating,
    pub signals: Vec<SignalView>,
}

#[derive(Debug, Clone, Serialize)]
pub struct StoredView {
    pub stars: Option<i64>,
    pub computed_stars: Option<i64>,
    pub score: Option<f64>,
    pub as_of: NaiveDate,
    pub set_id: String,
    pub set_version: i64,
    pub evidence: String,
    pub indicators: Vec<IndicatorScore>,
    pub adjusted_by: Option<String>,
    pub adjusted_reason: Option<String>,
}

#[derive(Debug, Clone, Serialize)]
pub struct SignalView {
    pub rule: &'static str,
    pub label: &'static str,
    pub kind: &'static str,
    pub state: &'static str,
    pub evidence: String,
}

/// The rating of one org (resolved in the actor's scope) for `year`.
pub async fn org_rating(app: &App, target: &InScope<OrgRecord>, year: i32) -> Result<OrgRating> {
    check_year(app, year)?;
    if !dr::is_rated(target.org.kind) {
        return Err(input(format!(
            "{}是{}，不参加分类定级（评定对象为基层党委、党总支和党支部）",
            target.org.name,
            target.org.kind.label()
        )));
    }
    let g = gather(app, target, year).await?;
    let i = g
        .position(target.org.id)
        .ok_or_else(|| AppError::NotFound("党组织".into()))?;
    let f = g.facts(i).ok_or_else(|| {
        input(format!(
            "{}在{year}年不参加评定（尚未成立或已撤销）",
            target.org.name
        ))
    })?;
    let book = indicator_book(app).await?;
    let set = book
        .for_domain(target.org.domain, g.as_of)
        .ok_or_else(|| input("没有可用的评定指标体系"))?;
    let current = dr::rate(&f, set, &app.rules);
    let signals = diagnose(&f, set, &app.rules)
        .into_iter()
        .map(|s| SignalView {
            rule: s.rule.code(),
            label: s.rule.label(),
            kind: s.kind.code(),
            state: s.state.label(),
            evidence: match &s.source {
                Some(src) => format!("{}（来源：{src}）", s.evidence),
                None => s.evidence,
            },
        })
        .collect();
    let mut conn = app.store.acquire().await?;
    let stored = rating_store::get(&mut conn, &target.subtree(), target.org.id, year)
        .await?
        .map(|r| StoredView {
            stars: r.stars(),
            computed_stars: r.computed_stars,
            score: r.score,
            as_of: r.as_of,
            set_id: r.set_id.clone(),
            set_version: r.set_version,
            evidence: r.evidence.clone(),
            indicators: {
                let mut list = r.indicators.clone();
                name_scores(&book, &r.set_id, r.set_version, &mut list);
                list
            },
            adjusted_by: r.adjustment.as_ref().map(|a| a.by.clone()),
            adjusted_reason: r.adjustment.as_ref().map(|a| a.reason.clone()),
        });
    Ok(OrgRating {
        org: OrgRef::of(&target.org),
        kind: target.org.kind.code(),
        year,
        as_of: g.as_of,
        stored,
        current,
        signals,
    })
}

fn reason_of(reason: &str) -> Result<String> {
    let r = reason.trim();
    if r.chars().count() < 2 {
        return Err(input("请填写理由"));
    }
    jiceng_domain::text::TextField {
        label: "理由",
        ..jiceng_domain::text::NOTE
    }
    .check(r)
    .map_err(input)?;
    Ok(r.to_string())
}

/// Adjusts the stars of a stored rating by hand (`stars: None` removes the adjustment).
/// Needs a reason and [`access::AdjustRating`]; audited.
pub async fn adjust(
    app: &App,
    grant: &Grant<access::AdjustRating>,
    target: &InScope<OrgRecord>,
    year: i32,
    stars: Option<i64>,
    reason: &str,
) -> Result<()> {
    let actor = grant.actor();
    let reason = reason_of(reason)?;
    if let Some(s) = stars.filter(|s| !(1..=5).contains(s)) {
        return Err(input(format!("星级应为1至5：{s}")));
    }
    let mut conn = app.store.acquire().await?;
    let before = rating_store::get(&mut conn, &target.subtree(), target.org.id, year)
        .await?
        .ok_or_else(|| {
            input(format!(
                "{}尚无{year}年度评定结果，请先运行评定（jiceng rate）",
                target.org.name
            ))
        })?;
    drop(conn);
    let adj = stars.map(|s| Adjustment {
        stars: s,
        by: actor.username.clone(),
        reason: reason.clone(),
        at: app.now().format("%Y-%m-%dT%H:%M:%SZ").to_string(),
    });
    let before_json = serde_json::json!({
        "stars": before.stars(),
        "computed_stars": before.computed_stars,
    });
    let after_json = serde_json::json!({ "stars": stars.or(before.computed_stars), "adjusted_stars": stars, "reason": reason });
    let entry = audit::Entry::new(
        actor,
        AuditAction::RatingAdjust,
        format!("{} {year}年度星级", target.org.name),
    )
    .org(&**target)
    .before(before_json)
    .after(after_json);
    let (adj_ref, entry) = (&adj, &entry);
    audit::with_retry(|| async move {
        let mut tx = app.store.begin().await?;
        rating_store::set_adjustment(&mut tx, target.org.id, year, adj_ref.as_ref()).await?;
        entry.commit(tx, app.now()).await
    })
    .await
}

/// Scores a manual indicator of an org for a year by hand (0–100, with a reason; audited).
/// Needs [`access::Rate`]. Takes effect at the next rating.
#[allow(clippy::too_many_arguments)]
pub async fn score_manual(
    app: &App,
    grant: &Grant<access::Rate>,
    target: &InScope<OrgRecord>,
    year: i32,
    code: &str,
    score: f64,
    reason: &str,
) -> Result<()> {
    let actor = grant.actor();
    check_year(app, year)?;
    let reason = reason_of(reason)?;
    if !(score.is_finite() && (0.0..=100.0).contains(&score)) {
        return Err(input(format!("分数应在0至100之间：{score}")));
    }
    let as_of = dr::as_of(year, app.today());
    let book = indicator_book(app).await?;
    let set = book
        .for_domain(target.org.domain, as_of)
        .ok_or_else(|| input("没有可用的评定指标体系"))?;
    let ind = set
        .indicators
        .iter()
        .find(|i| i.code == code.trim())
        .filter(|i| i.kind == jiceng_domain::rating::IndicatorKind::Manual)
        .ok_or_else(|| {
            let manual: Vec<String> = set
                .indicators
                .iter()
                .filter(|i| i.kind == jiceng_domain::rating::IndicatorKind::Manual)
                .map(|i| format!("{}（{}）", i.code, i.name))
                .collect();
            input(format!(
                "“{}”不是指标体系“{}”中人工评分的指标；可评分的指标：{}",
                code.trim(),
                set.name,
                manual.join("、")
            ))
        })?;
    let s = ManualScore {
        org_id: target.org.id,
        year,
        code: ind.code.clone(),
        org_path: target.path.clone(),
        score,
        reason: reason.clone(),
        scored_by: actor.username.clone(),
    };
    let after = serde_json::json!({ "year": year, "indicator": ind.code, "score": score, "reason": reason });
    let entry = audit::Entry::new(
        actor,
        AuditAction::RatingManualScore,
        format!("{} {year}年度“{}”评分", target.org.name, s.code),
    )
    .org(&**target)
    .after(after);
    let (s_ref, entry) = (&s, &entry);
    audit::with_retry(|| async move {
        let mut tx = app.store.begin().await?;
        rating_store::set_manual_score(&mut tx, s_ref).await?;
        entry.commit(tx, app.now()).await
    })
    .await
}
