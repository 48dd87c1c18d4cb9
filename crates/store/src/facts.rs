//! Stored derived facts of each org (SCALE.md): direct and subtree member counts, units
//! covered, the secretary's office, and subtree statistics (member structure, coverage).
//!
//! After a write, `refresh` recomputes the facts of the touched orgs and of every
//! ancestor, deepest first, reading the stored subtree facts of untouched children — so a
//! high-level report is one indexed lookup and never a count over member rows.
//!
//! The structure anomalies of each org (SPEC C1, by the app's rule book, the set in force
//! on the facts day) are stored too (`org_anomaly`), with subtree totals of orgs,
//! anomalies by rule and coverage gaps, so a province's structure summary is one row and
//! its anomaly list a path-range read.

use std::collections::{BTreeMap, HashMap, HashSet};
use std::sync::OnceLock;

use jiceng_domain::member_stats::Profile;
use jiceng_domain::structure::{check_org, Anomaly, OrgFacts};
use jiceng_domain::{
    path, AnomalyRule, Coverage, CoverageReport, EventKind, Gap, MemberStats, MemberStatus,
    OperatingStatus, OrgHistory, RuleBook, RuleSet, SecretaryState,
};
use sqlx::Row;

use crate::row::{from_row, Cells};
use crate::sql::{insert_many, Sql, Val, IN_CHUNK};
use crate::{members, orgs, units, Conn, Result, StoreError};

#[derive(Debug, Clone, Default)]
struct Computed {
    direct_members: i64,
    direct_full: i64,
    subtree_members: i64,
    subtree_full: i64,
    units_covered: i64,
    has_secretary: bool,
    secretary_vacant_since: Option<chrono::NaiveDate>,
    direct_stats: MemberStats,
    direct_coverage: CoverageReport,
    subtree_stats: MemberStats,
    subtree_coverage: CoverageReport,
    /// The org's own anomalies, and the subtree's totals.
    anomalies: Vec<Anomaly>,
    direct_gaps: Counts,
    totals: Totals,
}

/// Counts by a code (an anomaly rule, a gap kind), as stored in JSON.
pub type Counts = BTreeMap<String, i64>;

/// Subtree totals stored beside the subtree statistics.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Totals {
    /// Orgs in the subtree, the root and dissolved ones included.
    pub orgs: i64,
    /// Anomalies of the subtree's live orgs by rule code, and the live orgs missing a
    /// record a check needs by `MISSING_PREFIX` key.
    pub anomalies: Counts,
    /// Units of the subtree in each coverage gap ("ShouldHaveOrg", "Uncovered").
    pub gaps: Counts,
    /// The oldest day on which an org of the subtree had its anomalies and gaps computed;
    /// `None` when some never had (a database migrated before `jiceng refresh`).
    pub checked_on: Option<chrono::NaiveDate>,
}

impl Totals {
    fn merge(&mut self, other: &Totals) {
        self.orgs += other.orgs;
        add_counts(&mut self.anomalies, &other.anomalies);
        add_counts(&mut self.gaps, &other.gaps);
        self.checked_on = match (self.checked_on, other.checked_on) {
            (Some(a), Some(b)) => Some(a.min(b)),
            _ => None,
        };
    }
}

fn add_counts(into: &mut Counts, from: &Counts) {
    for (k, v) in from {
        *into.entry(k.clone()).or_default() += v;
    }
}

/// The shipped rule book (parsed once): the reports trust stored anomalies and gaps only
/// when the app's rules are these (the rules every writer of the facts holds).
pub fn shipped_rules() -> &'static RuleBook {
    static RULES: OnceLock<RuleBook> = OnceLock::new();
    RULES.get_or_init(RuleBook::shipped)
}

/// The gap kind's code as stored.
pub fn gap_code(g: Gap) -> &'static str {
    match g {
        Gap::ShouldHaveOrg => "ShouldHaveOrg",
        Gap::Uncovered => "Uncovered",
    }
}

/// What the structure checks know of a stored org on `day`, given its parent's kind and
/// its dated history (the secretary, committee, election and postponement in force then).
pub fn org_facts(
    o: &orgs::StoredOrg,
    parent_kind: Option<jiceng_domain::OrgKind>,
    history: &OrgHistory,
    day: chrono::NaiveDate,
) -> OrgFacts {
    let mut f = OrgFacts {
        org_id: o.org.id,
        code: o.org.code.clone(),
        name: o.org.name.clone(),
        kind: o.org.kind,
        domain: o.org.domain,
        parent_kind,
        founded_on: o.org.founded_on,
        last_election_on: None,
        committee: None,
        direct_members: o.facts.direct_members,
        direct_full: o.facts.direct_full,
        subtree_members: o.facts.subtree_members,
        subtree_full: o.facts.subtree_full,
        units_covered: o.facts.units_covered,
        secretary: SecretaryState::Unknown,
        term_years: None,
        postponed_until: None,
        temporary: o.org.temporary,
        approved: o
            .org
            .approving_org
            .as_deref()
            .is_some_and(|a| !a.trim().is_empty()),
    }
    .dated(history, day);
    // Rows written before the dated facts (or by `gen`) carry the election and committee
    // on the row only: read as the migration backfills them (an election on its day, a
    // committee stated with its day unknown).
    if f.last_election_on.is_none() {
        f.last_election_on = o.org.last_election_on.filter(|e| *e <= day);
    }
    let committee_recorded = history
        .events
        .iter()
        .any(|e| matches!(e.kind, EventKind::CommitteeSet | EventKind::CommitteeNone));
    if !committee_recorded {
        f.committee = o.org.committee;
    }
    f
}

/// Whether an org was live on `day` (founded by then, when known, and not dissolved on
/// or before it): a dissolution scheduled for later does not hide it today.
pub fn live_on(o: &jiceng_domain::Org, day: chrono::NaiveDate) -> bool {
    o.dissolved_on.is_none_or(|d| d > day) && o.founded_on.is_none_or(|f| f <= day)
}

/// The anomalies of an org live on `day` (none otherwise).
fn anomalies_of(
    o: &orgs::StoredOrg,
    parent_kind: Option<jiceng_domain::OrgKind>,
    history: &OrgHistory,
    rules: &RuleSet,
    day: chrono::NaiveDate,
) -> Vec<Anomaly> {
    if !live_on(&o.org, day) {
        return vec![];
    }
    check_org(&org_facts(o, parent_kind, history, day), rules, day)
}

/// The key under which the subtree totals count orgs missing a record (暂无数据), beside
/// the anomaly rules: `Missing:Secretary`, `Missing:Committee`, `Missing:Election`.
pub const MISSING_PREFIX: &str = "Missing:";

/// The records an org live on `day` lacks for its checks, as counts by `MISSING_PREFIX`
/// key (they do not depend on the parent's kind).
fn missing_of(
    o: &orgs::StoredOrg,
    history: &OrgHistory,
    rules: &RuleSet,
    day: chrono::NaiveDate,
) -> Counts {
    let mut c = Counts::new();
    if !live_on(&o.org, day) {
        return c;
    }
    let f = org_facts(o, None, history, day);
    for m in jiceng_domain::structure::missing(&f, rules, day) {
        *c.entry(format!("{MISSING_PREFIX}{}", m.code()))
            .or_default() += 1;
    }
    c
}

fn count_rules(list: &[Anomaly]) -> Counts {
    let mut c = Counts::new();
    for a in list {
        *c.entry(a.rule.code().to_string()).or_default() += 1;
    }
    c
}

fn rule_seq(rule: AnomalyRule) -> i64 {
    AnomalyRule::ALL
        .iter()
        .position(|r| *r == rule)
        .expect("a listed rule") as i64
}

fn parse_counts(s: Option<String>) -> Result<Counts> {
    match s {
        Some(s) => serde_json::from_str(&s).map_err(|e| StoreError::Corrupt(e.to_string())),
        None => Ok(Counts::new()),
    }
}

/// The member's profile for statistics.
pub fn profile(m: &members::StoredMember) -> Profile<'_> {
    Profile {
        gender: m.gender,
        ethnicity: &m.ethnicity,
        birth_date: m.birth_date,
        education: m.education,
        occupation: m.occupation.as_deref(),
        joined_on: m.joined_on,
        status: m.status,
        full_on: m.full_on,
    }
}

/// Recomputes the facts of `touched` orgs and all their ancestors as of `day`, their
/// anomalies and gaps by the set of `rules` in force on `day` (the app's rule book).
/// Returns how many orgs were refreshed.
pub async fn refresh(
    conn: &mut Conn,
    rules: &RuleBook,
    touched: &[i64],
    day: chrono::NaiveDate,
) -> Result<usize> {
    if touched.is_empty() {
        return Ok(0);
    }
    let rules = rules.in_force(day);
    // The touched orgs and their ancestors.
    let touched_rows = orgs::by_ids(conn, touched).await?;
    let mut set: HashSet<i64> = HashSet::new();
    for o in &touched_rows {
        for id in path::ids(&o.path) {
            set.insert(id);
        }
    }
    let ids: Vec<i64> = set.iter().copied().collect();
    // Concurrent refreshes of overlapping orgs take turns: each reads what the one before
    // it committed, and none writes counts from a stale snapshot (PostgreSQL).
    crate::sql::lock_orgs(conn, &ids).await?;
    let all = orgs::by_ids(conn, &ids).await?;
    let mut computed: HashMap<i64, Computed> = HashMap::with_capacity(all.len());
    for o in &all {
        computed.insert(o.org.id, Computed::default());
    }

    // Direct facts: members, secretaries, units of each org itself.
    // Only the columns the statistics need (a county's refresh reads every member row).
    for chunk in ids.chunks(IN_CHUNK) {
        let q = Sql::new(
            "SELECT org_id, gender, ethnicity, birth_date, education, status, joined_on, \
             full_on, occupation FROM member WHERE org_id IN ",
        )
        .in_list(chunk)
        .push(" AND exited_on IS NULL");
        for row in q.fetch_all(&mut *conn).await? {
            let org_id: i64 = row.try_get(0)?;
            let gender: String = row.try_get(1)?;
            let ethnicity: String = row.try_get(2)?;
            let birth: String = row.try_get(3)?;
            let education: Option<String> = row.try_get(4)?;
            let status: String = row.try_get(5)?;
            let joined: String = row.try_get(6)?;
            let full_on = crate::opt_date(row.try_get(7)?)?;
            let occupation: Option<String> = row.try_get(8)?;
            let status = MemberStatus::parse_label(&status)
                .ok_or_else(|| StoreError::Corrupt(format!("人员类别 {status}")))?;
            let p = Profile {
                gender: jiceng_domain::Gender::parse_label(&gender)
                    .ok_or_else(|| StoreError::Corrupt(format!("性别 {gender}")))?,
                ethnicity: &ethnicity,
                birth_date: crate::parse_date_text(&birth)?,
                education: education.and_then(|e| jiceng_domain::Education::parse_label(&e)),
                occupation: occupation.as_deref(),
                joined_on: crate::parse_date_text(&joined)?,
                status,
                full_on,
            };
            let c = computed.get_mut(&org_id).expect("member of a listed org");
            c.direct_members += 1;
            if jiceng_domain::member::status_on(status, full_on, day) == MemberStatus::Full {
                c.direct_full += 1;
            }
            c.direct_stats.add_profile(&p, day);
        }
    }
    // The secretary's office from the dated positions and recorded vacancies: nobody
    // ever recorded is unknown (has_secretary 0, vacant_since NULL), never "vacant since
    // founding" (review error 2).
    let mut histories = crate::history::of_orgs(conn, &ids).await?;
    for (id, h) in &histories {
        let state = h.secretary_on(day);
        let c = computed.get_mut(id).expect("listed");
        c.has_secretary = state.in_office();
        c.secretary_vacant_since = state.vacant_since();
    }
    for u in units::of_orgs(conn, &ids).await? {
        let c = computed.get_mut(&u.unit.org_id).expect("listed");
        if u.unit.status == OperatingStatus::Operating
            && matches!(u.unit.coverage, Coverage::OwnOrg | Coverage::JointOrg)
        {
            c.units_covered += 1;
        }
        let facts = jiceng_domain::coverage::UnitFacts {
            domain: u.unit.domain,
            status: u.unit.status,
            coverage: u.unit.coverage,
            full_members: u.unit.full_members,
        };
        c.direct_coverage.add(&facts);
        for g in jiceng_domain::coverage::gaps(&facts, rules) {
            *c.direct_gaps.entry(gap_code(g).to_string()).or_default() += 1;
        }
    }

    // Stored subtree facts of the children that were not touched. A child of a touched
    // org has its own anomalies checked again (its parent's kind may have changed), and
    // its stored anomaly totals moved by the difference.
    let touched_set: HashSet<i64> = touched.iter().copied().collect();
    let kind_of: HashMap<i64, jiceng_domain::OrgKind> =
        all.iter().map(|o| (o.org.id, o.org.kind)).collect();
    let mut children: BTreeMap<i64, Vec<ChildFacts>> = BTreeMap::new();
    let mut changed_totals: Vec<(i64, Counts)> = Vec::new();
    let mut rechecked: Vec<(orgs::StoredOrg, Vec<Anomaly>)> = Vec::new();
    // Two indexed reads rather than a join: a planner that misjudges the IN list would
    // scan all of `org_stats` for every chunk (seen on PostgreSQL during `gen`).
    let mut kids: Vec<orgs::StoredOrg> = Vec::new();
    for chunk in ids.chunks(IN_CHUNK) {
        let q = Sql::new(format!(
            "SELECT {} FROM org WHERE parent_id IN ",
            orgs::ORG_COLS
        ))
        .in_list(chunk);
        for row in q.fetch_all(&mut *conn).await? {
            let child = orgs::org_from_row(&row)?;
            if !set.contains(&child.org.id) {
                kids.push(child);
            }
        }
    }
    let kid_ids: Vec<i64> = kids.iter().map(|k| k.org.id).collect();
    let rechecked_ids: Vec<i64> = kids
        .iter()
        .filter(|k| k.org.parent_id.is_some_and(|p| touched_set.contains(&p)))
        .map(|k| k.org.id)
        .collect();
    histories.extend(crate::history::of_orgs(conn, &rechecked_ids).await?);
    let mut stored: HashMap<i64, ChildStats> = HashMap::new();
    for chunk in kid_ids.chunks(IN_CHUNK) {
        let q = Sql::new(
            "SELECT org_id, member_stats, coverage, subtree_orgs, anomaly_counts, gap_counts, \
             checked_on FROM org_stats WHERE org_id IN ",
        )
        .in_list(chunk);
        for row in q.fetch_all(&mut *conn).await? {
            let stats: String = row.try_get("member_stats")?;
            let cov: String = row.try_get("coverage")?;
            stored.insert(
                row.try_get("org_id")?,
                ChildStats {
                    stats: serde_json::from_str(&stats)
                        .map_err(|e| StoreError::Corrupt(e.to_string()))?,
                    coverage: serde_json::from_str(&cov)
                        .map_err(|e| StoreError::Corrupt(e.to_string()))?,
                    totals: Totals {
                        orgs: row.try_get("subtree_orgs")?,
                        anomalies: parse_counts(row.try_get("anomaly_counts")?)?,
                        gaps: parse_counts(row.try_get("gap_counts")?)?,
                        checked_on: row.opt_date("checked_on")?,
                    },
                },
            );
        }
    }
    for child in kids {
        let parent = child.org.parent_id.expect("a child has a parent");
        let id = child.org.id;
        let s = stored.remove(&id).unwrap_or_else(|| ChildStats {
            // A child never refreshed counts as itself, and makes the totals incomplete.
            stats: MemberStats::default(),
            coverage: CoverageReport::default(),
            totals: Totals {
                orgs: 1,
                ..Totals::default()
            },
        });
        if touched_set.contains(&parent) {
            let list = anomalies_of(
                &child,
                kind_of.get(&parent).copied(),
                &histories[&id],
                rules,
                day,
            );
            rechecked.push((child.clone(), list));
        }
        children.entry(parent).or_default().push(ChildFacts {
            id,
            members: child.facts.subtree_members,
            full: child.facts.subtree_full,
            stats: s.stats,
            coverage: s.coverage,
            totals: Totals {
                orgs: s.totals.orgs.max(1),
                ..s.totals
            },
        });
    }
    let moved = recheck_children(conn, &rechecked).await?;
    for kids in children.values_mut() {
        for k in kids.iter_mut() {
            if let Some((old, new)) = moved.get(&k.id) {
                for (rule, n) in old {
                    *k.totals.anomalies.entry(rule.clone()).or_default() -= n;
                }
                add_counts(&mut k.totals.anomalies, new);
                k.totals.anomalies.retain(|_, n| *n != 0);
                changed_totals.push((k.id, k.totals.anomalies.clone()));
            }
        }
    }

    // Roll up, deepest first.
    let mut order: Vec<(i64, i64, Option<i64>)> = all
        .iter()
        .map(|o| (o.depth, o.org.id, o.org.parent_id))
        .collect();
    order.sort_by(|a, b| b.0.cmp(&a.0).then(a.1.cmp(&b.1)));
    for (_, id, _) in &order {
        let c = computed.get_mut(id).expect("listed");
        c.subtree_members += c.direct_members;
        c.subtree_full += c.direct_full;
        let ds = c.direct_stats.clone();
        c.subtree_stats.merge(&ds);
        let dc = c.direct_coverage.clone();
        c.subtree_coverage.merge(&dc);
        c.totals.orgs += 1;
        c.totals.gaps = c.direct_gaps.clone();
        c.totals.checked_on = Some(day);
        if let Some(kids) = children.get(id) {
            for k in kids {
                c.subtree_members += k.members;
                c.subtree_full += k.full;
                c.subtree_stats.merge(&k.stats);
                c.subtree_coverage.merge(&k.coverage);
                c.totals.merge(&k.totals);
            }
        }
    }
    // The anomalies need each org's finished subtree counts and its parent's kind.
    let parent_kind: HashMap<i64, jiceng_domain::OrgKind> = all
        .iter()
        .filter_map(|o| {
            o.org
                .parent_id
                .and_then(|p| kind_of.get(&p).map(|k| (o.org.id, *k)))
        })
        .collect();
    let by_id: HashMap<i64, &orgs::StoredOrg> = all.iter().map(|o| (o.org.id, o)).collect();
    for (_, id, parent) in &order {
        // Children come before parents in `order`, so each parent gets finished children.
        {
            let c = computed.get_mut(id).expect("listed");
            let mut o = (*by_id[id]).clone();
            o.facts.direct_members = c.direct_members;
            o.facts.direct_full = c.direct_full;
            o.facts.subtree_members = c.subtree_members;
            o.facts.subtree_full = c.subtree_full;
            o.facts.units_covered = c.units_covered;
            o.facts.has_secretary = c.has_secretary;
            o.facts.secretary_vacant_since = c.secretary_vacant_since;
            c.anomalies =
                anomalies_of(&o, parent_kind.get(id).copied(), &histories[id], rules, day);
            let own = count_rules(&c.anomalies);
            add_counts(&mut c.totals.anomalies, &own);
            add_counts(
                &mut c.totals.anomalies,
                &missing_of(&o, &histories[id], rules, day),
            );
        }
        if let Some(p) = parent.filter(|p| set.contains(p)) {
            let child = computed.get(id).expect("listed").clone();
            let pc = computed.get_mut(&p).expect("listed");
            pc.subtree_members += child.subtree_members;
            pc.subtree_full += child.subtree_full;
            pc.subtree_stats.merge(&child.subtree_stats);
            pc.subtree_coverage.merge(&child.subtree_coverage);
            pc.totals.merge(&child.totals);
        }
    }

    // Write back.
    let day_text = crate::date_text(day);
    for (id, c) in &computed {
        sqlx::query(
            "UPDATE org SET direct_members = $1, direct_full = $2, subtree_members = $3, subtree_full = $4, \
             units_covered = $5, has_secretary = $6, secretary_vacant_since = $7, facts_on = $8 WHERE id = $9",
        )
        .bind(c.direct_members)
        .bind(c.direct_full)
        .bind(c.subtree_members)
        .bind(c.subtree_full)
        .bind(c.units_covered)
        .bind(c.has_secretary as i64)
        .bind(c.secretary_vacant_since.map(crate::date_text))
        .bind(day_text.clone())
        .bind(*id)
        .execute(&mut *conn)
        .await?;
    }
    for chunk in ids.chunks(IN_CHUNK) {
        let q = Sql::new("DELETE FROM org_stats WHERE org_id IN ").in_list(chunk);
        q.execute(&mut *conn).await?;
    }
    let rows: Vec<Vec<Val>> = computed
        .iter()
        .map(|(id, c)| {
            vec![
                (*id).into(),
                serde_json::to_string(&c.subtree_stats)
                    .expect("serializable")
                    .into(),
                serde_json::to_string(&c.subtree_coverage)
                    .expect("serializable")
                    .into(),
                day_text.clone().into(),
                c.totals.orgs.into(),
                counts_json(&c.totals.anomalies).into(),
                counts_json(&c.totals.gaps).into(),
                c.totals.checked_on.into(),
            ]
        })
        .collect();
    insert_many(
        conn,
        "org_stats",
        &[
            "org_id",
            "member_stats",
            "coverage",
            "facts_on",
            "subtree_orgs",
            "anomaly_counts",
            "gap_counts",
            "checked_on",
        ],
        &rows,
    )
    .await?;
    for (id, counts) in &changed_totals {
        sqlx::query("UPDATE org_stats SET anomaly_counts = $1 WHERE org_id = $2")
            .bind(counts_json(counts))
            .bind(*id)
            .execute(&mut *conn)
            .await?;
    }
    delete_anomalies(conn, &ids).await?;
    let path_of: HashMap<i64, &str> = all.iter().map(|o| (o.org.id, o.path.as_str())).collect();
    let anomaly_rows: Vec<Vec<Val>> = computed
        .iter()
        .flat_map(|(id, c)| c.anomalies.iter().map(move |a| (*id, a)))
        .map(|(id, a)| anomaly_row(id, path_of[&id], a))
        .collect();
    insert_many(conn, "org_anomaly", ANOMALY_COLS, &anomaly_rows).await?;
    // The latest joining date in each subtree (SPEC C5: a village that recruits nobody).
    crate::ratings::refresh_last_joined(conn, &ids).await?;
    Ok(computed.len())
}

/// A child's stored subtree statistics and totals.
struct ChildStats {
    stats: MemberStats,
    coverage: CoverageReport,
    totals: Totals,
}

/// What the roll-up reads of a child that was not refreshed.
struct ChildFacts {
    id: i64,
    members: i64,
    full: i64,
    stats: MemberStats,
    coverage: CoverageReport,
    totals: Totals,
}

const ANOMALY_COLS: &[&str] = &["org_id", "seq", "org_path", "rule", "detail"];

fn anomaly_row(org_id: i64, path: &str, a: &Anomaly) -> Vec<Val> {
    vec![
        org_id.into(),
        rule_seq(a.rule).into(),
        path.into(),
        a.rule.code().into(),
        a.detail.to_string().into(),
    ]
}

fn counts_json(c: &Counts) -> String {
    serde_json::to_string(c).expect("serializable")
}

async fn delete_anomalies(conn: &mut Conn, ids: &[i64]) -> Result<()> {
    for chunk in ids.chunks(IN_CHUNK) {
        let q = Sql::new("DELETE FROM org_anomaly WHERE org_id IN ").in_list(chunk);
        q.execute(&mut *conn).await?;
    }
    Ok(())
}

/// Writes the anomalies of children checked again whose list changed; returns, for each,
/// its old and new counts by rule.
async fn recheck_children(
    conn: &mut Conn,
    rechecked: &[(orgs::StoredOrg, Vec<Anomaly>)],
) -> Result<HashMap<i64, (Counts, Counts)>> {
    let mut moved = HashMap::new();
    if rechecked.is_empty() {
        return Ok(moved);
    }
    let ids: Vec<i64> = rechecked.iter().map(|(o, _)| o.org.id).collect();
    let mut stored: HashMap<i64, Vec<(String, String)>> = HashMap::new();
    for chunk in ids.chunks(IN_CHUNK) {
        let q = Sql::new("SELECT org_id, rule, detail FROM org_anomaly WHERE org_id IN ")
            .in_list(chunk)
            .push(" ORDER BY org_id, seq");
        for row in q.fetch_all(&mut *conn).await? {
            stored
                .entry(row.try_get("org_id")?)
                .or_default()
                .push((row.try_get("rule")?, row.try_get("detail")?));
        }
    }
    let mut changed = Vec::new();
    for (o, list) in rechecked {
        let now: Vec<(String, String)> = list
            .iter()
            .map(|a| (a.rule.code().to_string(), a.detail.to_string()))
            .collect();
        let before = stored.remove(&o.org.id).unwrap_or_default();
        if now == before {
            continue;
        }
        let mut old = Counts::new();
        for (rule, _) in &before {
            *old.entry(rule.clone()).or_default() += 1;
        }
        moved.insert(o.org.id, (old, count_rules(list)));
        changed.push(o.org.id);
    }
    delete_anomalies(conn, &changed).await?;
    let rows: Vec<Vec<Val>> = rechecked
        .iter()
        .filter(|(o, _)| moved.contains_key(&o.org.id))
        .flat_map(|(o, list)| list.iter().map(move |a| anomaly_row(o.org.id, &o.path, a)))
        .collect();
    insert_many(conn, "org_anomaly", ANOMALY_COLS, &rows).await?;
    Ok(moved)
}

/// The stored subtree totals of one org (orgs, anomalies by rule, gaps), if refreshed.
pub async fn totals(conn: &mut Conn, org_id: i64) -> Result<Option<Totals>> {
    let row = sqlx::query(
        "SELECT subtree_orgs, anomaly_counts, gap_counts, checked_on FROM org_stats WHERE org_id = $1",
    )
    .bind(org_id)
    .fetch_optional(&mut *conn)
    .await?;
    let Some(row) = row else { return Ok(None) };
    Ok(Some(Totals {
        orgs: row.try_get("subtree_orgs")?,
        anomalies: parse_counts(row.try_get("anomaly_counts")?)?,
        gaps: parse_counts(row.try_get("gap_counts")?)?,
        checked_on: row.opt_date("checked_on")?,
    }))
}

/// A stored anomaly with the org it belongs to, as a report lists it.
#[derive(Debug, Clone, PartialEq)]
pub struct StoredAnomaly {
    pub org_id: i64,
    pub code: String,
    pub name: String,
    pub kind: jiceng_domain::OrgKind,
    pub rule: AnomalyRule,
    pub detail: serde_json::Value,
}

/// The stored anomalies of a scope in tree order (each org's in rule order), the first
/// `limit` when given.
pub async fn anomalies(
    conn: &mut Conn,
    scope: &crate::Scope,
    limit: Option<i64>,
) -> Result<Vec<StoredAnomaly>> {
    let mut q = Sql::new(
        "SELECT a.org_id, a.rule, a.detail, o.code, o.name, o.kind FROM org_anomaly a \
         JOIN org o ON o.id = a.org_id WHERE ",
    )
    .scope("a.org_path", scope)
    .push(" ORDER BY a.org_path, a.seq");
    if let Some(n) = limit {
        q = q.push(&format!(" LIMIT {}", n.max(0)));
    }
    let rows = q.fetch_all(&mut *conn).await?;
    let mut out = Vec::with_capacity(rows.len());
    for row in rows {
        let rule: String = row.try_get("rule")?;
        let kind: String = row.try_get("kind")?;
        let detail: String = row.try_get("detail")?;
        out.push(from_row!(
            row,
            StoredAnomaly {
                org_id,
                code,
                name,
                kind: jiceng_domain::OrgKind::from_code(&kind)
                    .ok_or_else(|| StoreError::Corrupt(format!("组织类别 {kind}")))?,
                rule: AnomalyRule::from_code(&rule)
                    .ok_or_else(|| StoreError::Corrupt(format!("规则 {rule}")))?,
                detail: serde_json::from_str(&detail)
                    .map_err(|e| StoreError::Corrupt(e.to_string()))?,
            }
        ));
    }
    Ok(out)
}

/// The stored subtree statistics of one org: member structure, coverage, and the day
/// they were computed for.
pub async fn stats(
    conn: &mut Conn,
    org_id: i64,
) -> Result<Option<(MemberStats, CoverageReport, chrono::NaiveDate)>> {
    let row =
        sqlx::query("SELECT member_stats, coverage, facts_on FROM org_stats WHERE org_id = $1")
            .bind(org_id)
            .fetch_optional(&mut *conn)
            .await?;
    let Some(row) = row else { return Ok(None) };
    let s: String = row.try_get("member_stats")?;
    let c: String = row.try_get("coverage")?;
    let d: String = row.try_get("facts_on")?;
    Ok(Some((
        serde_json::from_str(&s).map_err(|e| StoreError::Corrupt(e.to_string()))?,
        serde_json::from_str(&c).map_err(|e| StoreError::Corrupt(e.to_string()))?,
        crate::parse_date_text(&d)?,
    )))
}
