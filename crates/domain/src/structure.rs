//! Structure checks of the org tree (SPEC C1): each anomaly with the rule that fired and the
//! facts behind it. Pure: the facts are gathered by the store.

use serde::{Deserialize, Serialize};

use crate::{Date, Domain, OrgKind, RuleSet};

/// What the checks need to know about one org, as of the report's day.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct OrgFacts {
    pub org_id: i64,
    pub code: String,
    pub name: String,
    pub kind: OrgKind,
    pub domain: Option<Domain>,
    pub parent_kind: Option<OrgKind>,
    pub founded_on: Option<Date>,
    pub last_election_on: Option<Date>,
    pub has_committee: bool,
    /// Members whose relation is in this org itself.
    pub direct_members: i64,
    pub direct_full: i64,
    /// Members in the whole subtree (this org included).
    pub subtree_members: i64,
    pub subtree_full: i64,
    /// Units this org covers (own or joint organization).
    pub units_covered: i64,
    /// A secretary holds office on the day.
    pub has_secretary: bool,
    /// When the office became vacant: the end of the last secretary's term, or the
    /// founding date when there never was one; `None` when unknown or not vacant.
    pub secretary_vacant_since: Option<Date>,
}

/// The rules of SPEC C1, by their GLOSSARY names.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub enum AnomalyRule {
    InvertedAffiliation,
    BranchOver50,
    BranchUnder3Full,
    GeneralBranchSize,
    JointOver5Units,
    CommitteeMissing,
    TermExpired,
    TermExpiring,
    SecretaryVacant,
    UpgradeDue,
}

impl AnomalyRule {
    pub const ALL: [AnomalyRule; 10] = [
        AnomalyRule::InvertedAffiliation,
        AnomalyRule::BranchOver50,
        AnomalyRule::BranchUnder3Full,
        AnomalyRule::GeneralBranchSize,
        AnomalyRule::JointOver5Units,
        AnomalyRule::CommitteeMissing,
        AnomalyRule::TermExpired,
        AnomalyRule::TermExpiring,
        AnomalyRule::SecretaryVacant,
        AnomalyRule::UpgradeDue,
    ];

    pub fn code(self) -> &'static str {
        todo!("H2")
    }

    /// The Chinese name shown to users (小马拉大车, 支部党员超过50人, …).
    pub fn label(self) -> &'static str {
        todo!("H2")
    }
}

/// One anomaly: the org, the rule, and the facts that fired it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Anomaly {
    pub org_id: i64,
    pub rule: AnomalyRule,
    /// The facts behind it (counts, limits, dates), as a JSON object.
    pub detail: serde_json::Value,
}

/// Every anomaly of one org on `as_of` by the rules in `rules`.
pub fn check_org(facts: &OrgFacts, rules: &RuleSet, as_of: Date) -> Vec<Anomaly> {
    let _ = (facts, rules, as_of);
    todo!("H2")
}
