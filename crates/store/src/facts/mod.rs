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
//! its anomaly list a path-range read. The recruitment tallies of the same orgs
//! (`recruitment::tally`) and the training tallies of the facts day's year
//! (`training::refresh`) are refreshed with them.

use std::collections::{BTreeMap, HashMap, HashSet};
use std::sync::OnceLock;

use jiceng_domain::member_stats::Profile;
use jiceng_domain::structure::{check_org, Anomaly, OrgFacts};
use jiceng_domain::{
    path, AnomalyRule, Coverage, CoverageReport, Gap, MemberStats, MemberStatus, OperatingStatus,
    OrgHistory, RuleBook, RuleSet, SecretaryState,
};
use sqlx::Row;

use crate::row::{from_row, Cells};
use crate::sql::{insert_many, Sql, Val, IN_CHUNK};
use crate::{members, orgs, units, Conn, Result, StoreError};

mod refresh;

pub use refresh::refresh;

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
    // on the row only.
    f.last_election_on = history.election_or_row(o.org.last_election_on, day);
    f.committee = history.committee_or_row(o.org.committee, day);
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

/// The stored subtree totals of one org (orgs, anomalies by rule, gaps), if refreshed.
pub async fn totals(conn: &mut Conn, org_id: i64) -> Result<Option<Totals>> {
    Sql::new("SELECT subtree_orgs, anomaly_counts, gap_counts, checked_on FROM org_stats WHERE org_id = ")
        .bind(org_id)
        .fetch_opt_map(&mut *conn, |row| {
            Ok(Totals {
                orgs: row.try_get("subtree_orgs")?,
                anomalies: parse_counts(row.try_get("anomaly_counts")?)?,
                gaps: parse_counts(row.try_get("gap_counts")?)?,
                checked_on: row.opt_date("checked_on")?,
            })
        })
        .await
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
