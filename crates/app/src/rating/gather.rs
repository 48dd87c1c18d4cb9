//! What rating and diagnosis read of a subtree for one year (`gather`, in a handful of
//! path-range reads) and of one org (`OneOrg`), and the weaknesses suspected from it.

use super::*;

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
    /// The 经费保障 standards the year is judged by (`crate::funding::standards`).
    funding_rules: jiceng_domain::funding::FundingRules,
    cases: HashMap<i64, Vec<CaseNote>>,
    signals: HashMap<i64, Vec<ManualSignal>>,
    manual: HashMap<i64, BTreeMap<String, f64>>,
    /// Each org's stored training tally of the year.
    training: HashMap<i64, jiceng_domain::training::Tally>,
    /// Each org's tasks with a deadline in the year, judged on `as_of`.
    tasks: HashMap<i64, jiceng_domain::task::TaskTally>,
    /// Each org's 述职评议考核 of the year and the problems its duty records named.
    duty: HashMap<i64, jiceng_domain::duty::DutyFacts>,
    /// The 群众诉求 of each org's subtree over the 懒 window (orgs without any: absent).
    masses: HashMap<i64, jiceng_domain::mass_request::MassFacts>,
    /// The latest 群众满意度测评 of the year each org closed by the day (orgs without one:
    /// absent).
    satisfaction: HashMap<i64, jiceng_domain::survey::SatisfactionFacts>,
    /// Orgs with a weakness confirmed for the year (the set may cap their stars).
    confirmed: HashSet<i64>,
}

impl Gathered {
    /// The stored training tally of the org's subtree for the year (`None`: none stored).
    pub fn training_of(&self, org_id: i64) -> Option<jiceng_domain::training::Tally> {
        self.training.get(&org_id).copied()
    }

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
            last_election_on: h.election_or_row(o.last_election_on, day),
            term_years: h.term_years,
            postponed_until: h.postponed_until(day),
            committee: h.committee_or_row(o.committee, day),
            subtree_members: m.members,
            subtree_full: m.full,
            secretary: h.secretary_on(day),
            village_top,
            under_village_top: self.under_top.contains(&o.id),
            recruitment,
            life: self.life.get(&o.id).cloned(),
            subtree_life: self.totals.get(&o.id).copied().unwrap_or_default(),
            funding: {
                let mut f = self.funding.get(&o.id).copied().unwrap_or_default();
                if let Some(s) = self.funding_rules.for_org(o.domain, o.kind) {
                    f.operating_standard_yuan = Some(s.operating_yuan);
                    f.collective_standard_yuan = s.collective_income_yuan;
                }
                f
            },
            discipline_cases: self.cases.get(&o.id).cloned().unwrap_or_default(),
            manual_signals: self.signals.get(&o.id).cloned().unwrap_or_default(),
            manual_scores: self.manual.get(&o.id).cloned().unwrap_or_default(),
            training: self.training.get(&o.id).copied(),
            tasks: self.tasks.get(&o.id).copied(),
            duty: self.duty.get(&o.id).copied(),
            masses: self.masses.get(&o.id).copied(),
            satisfaction: self.satisfaction.get(&o.id).cloned(),
            confirmed_weak: self.confirmed.contains(&o.id),
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
    gather_on(app, root, year, dr::as_of(year, app.today())).await
}

/// As [`gather`], every fact as it was on `as_of` (a day of `year`: the scorecard of a
/// half-year asks for its last day).
pub async fn gather_on(
    app: &App,
    root: &OrgRecord,
    year: i32,
    as_of: NaiveDate,
) -> Result<Gathered> {
    let scope = Scope::subtree(&root.path);
    let rules = app.rules.in_force(as_of);
    let lookback =
        u32::try_from(rules.weak_signals.no_committee_meeting_months.max(0)).unwrap_or(6);
    // Compliance of the year is judged on the day asked; sessions held for the year in
    // its 所属年度 window (the next year's first months) are read too.
    let judged_on = app.today().max(as_of);
    let window_end = rules.meetings.prior_year_window_end(year).min(judged_on);
    let months = dr::months_needed(year, window_end.max(as_of), lookback);
    let funding_rules = crate::funding::standards(app, year).await?.rules;
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
    let training = jiceng_store::training::tallies_in_scope(&mut conn, &scope, year).await?;
    let tasks = jiceng_store::tasks::tallies_in_scope(&mut conn, &scope, year, as_of).await?;
    let duty = jiceng_store::duties::facts_in_scope(&mut conn, &scope, year, as_of).await?;
    // 懒: the requests of the window before the day, summed up each org's subtree.
    let window = u32::try_from(rules.weak_signals.masses_window_months.max(1)).unwrap_or(12);
    let masses = jiceng_store::requests::facts_in_scope(
        &mut conn,
        &scope,
        as_of
            .checked_sub_months(chrono::Months::new(window))
            .unwrap_or(as_of),
        as_of,
        rules.mass_requests.overdue_before(as_of),
    )
    .await?;
    // 软 and Satisfaction: the latest survey of the year closed by the day, per org.
    let satisfaction = crate::surveys::facts_in_scope(&mut conn, &scope, year, as_of).await?;
    let signal_rows = weak_store::signals(&mut conn, &scope, year).await?;
    let manual = rating_store::manual_scores(&mut conn, &scope, year).await?;
    let confirmed: HashSet<i64> = weak_store::confirmed_orgs(&mut conn, &scope, year)
        .await?
        .into_iter()
        .collect();
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
    // Each org's life under its top, found once per org (not once per top: a province has
    // thousands of village tops and half a million orgs).
    let mut under: HashMap<i64, Vec<&LifeSummary>> = HashMap::new();
    for o in &orgs {
        if let (Some(top), Some(l)) = (top_of(o), life.get(&o.id)) {
            under.entry(top).or_default().push(l);
        }
    }
    let mut village: HashMap<i64, LifeSummary> = HashMap::new();
    for &top in &tops {
        let Some(&i) = index.get(&top) else { continue };
        let t = &orgs[i];
        if t.kind == OrgKind::Branch {
            continue;
        }
        let parts: Vec<&LifeSummary> = under.remove(&top).unwrap_or_default();
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
        // The operating funding is the sum of the org's 运转经费 of the year from every
        // source; the collective income, of its 村集体经济收入 records.
        let add = |v: Option<f64>| Some(v.unwrap_or(0.0) + f.amount_fen as f64 / 100.0);
        match f.kind {
            FundingKind::Operating => e.operating_yuan = add(e.operating_yuan),
            FundingKind::CollectiveIncome => {
                e.collective_income_yuan = add(e.collective_income_yuan)
            }
            _ => {}
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
        funding_rules,
        cases,
        signals,
        manual,
        training,
        tasks,
        duty,
        masses,
        satisfaction,
        confirmed,
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

/// What one org's facts of a year are read for: a rating (分类定级) or a diagnosis
/// (软弱涣散排查).
#[derive(Debug, Clone, Copy)]
pub(crate) enum Purpose {
    Rating,
    Diagnosis,
}

/// One org's facts of a year, as of the year's end (or the day asked while it runs), with
/// the indicator book whose set in force then scores and diagnoses them.
pub(crate) struct OneOrg {
    pub as_of: NaiveDate,
    pub facts: OrgYearFacts,
    pub book: IndicatorBook,
    domain: Option<Domain>,
}

impl OneOrg {
    /// Reads them; an org that is not rated (only basic-level committees, general branches
    /// and branches are), that did not exist in the year, or that no set covers is refused
    /// in the words of `purpose`.
    pub(crate) async fn read(
        app: &App,
        target: &OrgRecord,
        year: i32,
        purpose: Purpose,
    ) -> Result<OneOrg> {
        let (task, object, short) = match purpose {
            Purpose::Rating => ("分类定级", "评定对象", "评定"),
            Purpose::Diagnosis => ("软弱涣散排查", "排查对象", "排查"),
        };
        let org = &target.org;
        if !dr::is_rated(org.kind) {
            return Err(input(format!(
                "{}是{}，不参加{task}（{object}为基层党委、党总支和党支部）",
                org.name,
                org.kind.label()
            )));
        }
        let g = gather(app, target, year).await?;
        let i = g
            .position(org.id)
            .ok_or_else(|| AppError::NotFound("党组织".into()))?;
        let facts = g.facts(i).ok_or_else(|| {
            input(format!(
                "{}在{year}年不参加{short}（尚未成立或已撤销）",
                org.name
            ))
        })?;
        let book = indicator_book(app).await?;
        if book.for_domain(org.domain, g.as_of).is_none() {
            return Err(input("没有可用的评定指标体系"));
        }
        Ok(OneOrg {
            as_of: g.as_of,
            facts,
            book,
            domain: org.domain,
        })
    }

    /// The indicator set in force for the org on `as_of`.
    pub(crate) fn set(&self) -> &IndicatorSet {
        self.book
            .for_domain(self.domain, self.as_of)
            .expect("checked when read")
    }
}
