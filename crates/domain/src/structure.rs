//! Structure checks of the org tree (SPEC C1): each anomaly with the rule that fired and the
//! facts behind it. Pure: the facts are gathered by the store.

use chrono::Months;
use serde::{Deserialize, Serialize};
use serde_json::json;

use crate::{Date, Domain, OrgHistory, OrgKind, RuleSet, SecretaryState};

/// What the checks need to know about one org, as of the report's day. The dated facts
/// (election, committee, secretary, postponement) are those in force on that day, from
/// `OrgHistory` ([`OrgFacts::dated`]); a fact nobody recorded is unknown, never "no".
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct OrgFacts {
    pub org_id: i64,
    pub code: String,
    pub name: String,
    pub kind: OrgKind,
    pub domain: Option<Domain>,
    pub parent_kind: Option<OrgKind>,
    pub founded_on: Option<Date>,
    /// The last election held on or before the day, if one is recorded.
    pub last_election_on: Option<Date>,
    /// Whether a committee existed on the day: `None` when nobody stated it.
    pub committee: Option<bool>,
    /// Members whose relation is in this org itself.
    pub direct_members: i64,
    pub direct_full: i64,
    /// Members in the whole subtree (this org included).
    pub subtree_members: i64,
    pub subtree_full: i64,
    /// Units this org covers (own or joint organization).
    pub units_covered: i64,
    /// The secretary's office on the day.
    pub secretary: SecretaryState,
    /// An approved term length overriding the rule (`org.term_years`).
    pub term_years: Option<i64>,
    /// The end of an approved postponement of the 换届 in force on the day.
    pub postponed_until: Option<Date>,
    /// A 临时党支部: not judged as a standing branch.
    pub temporary: bool,
    /// The setting up was approved by a higher org (批准机关 recorded): a general branch
    /// under 50 members is then allowed (机关条例).
    pub approved: bool,
}

impl OrgFacts {
    /// Sets the dated facts from an org's history as they stood on `day`.
    pub fn dated(mut self, history: &OrgHistory, day: Date) -> OrgFacts {
        self.last_election_on = history.last_election_on(day);
        self.committee = history.committee_on(day);
        self.secretary = history.secretary_on(day);
        self.postponed_until = history.postponed_until(day);
        self.term_years = history.term_years;
        self
    }
}

/// A fact the checks need but nobody recorded: the check is not made, and the report
/// says 暂无数据 and what is missing.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub enum MissingFact {
    /// No secretary position ever recorded (书记任职未登记).
    Secretary,
    /// 是否设立支委会 not stated for a branch with enough full members to need one.
    Committee,
    /// No election recorded, and the founding no longer covers a running term.
    Election,
}

impl MissingFact {
    pub const ALL: [MissingFact; 3] = [
        MissingFact::Secretary,
        MissingFact::Committee,
        MissingFact::Election,
    ];

    pub fn code(self) -> &'static str {
        match self {
            MissingFact::Secretary => "Secretary",
            MissingFact::Committee => "Committee",
            MissingFact::Election => "Election",
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            MissingFact::Secretary => "书记任职未登记",
            MissingFact::Committee => "是否设立支委会未登记",
            MissingFact::Election => "换届时间未登记",
        }
    }
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
        match self {
            AnomalyRule::InvertedAffiliation => "InvertedAffiliation",
            AnomalyRule::BranchOver50 => "BranchOver50",
            AnomalyRule::BranchUnder3Full => "BranchUnder3Full",
            AnomalyRule::GeneralBranchSize => "GeneralBranchSize",
            AnomalyRule::JointOver5Units => "JointOver5Units",
            AnomalyRule::CommitteeMissing => "CommitteeMissing",
            AnomalyRule::TermExpired => "TermExpired",
            AnomalyRule::TermExpiring => "TermExpiring",
            AnomalyRule::SecretaryVacant => "SecretaryVacant",
            AnomalyRule::UpgradeDue => "UpgradeDue",
        }
    }

    /// The Chinese name shown to users (小马拉大车, 支部党员超过50人, …).
    pub fn label(self) -> &'static str {
        match self {
            AnomalyRule::InvertedAffiliation => "隶属关系倒挂（小马拉大车）",
            AnomalyRule::BranchOver50 => "党支部党员超过50人",
            AnomalyRule::BranchUnder3Full => "党支部正式党员不足3人",
            AnomalyRule::GeneralBranchSize => "党总支党员人数不在50至100人",
            AnomalyRule::JointOver5Units => "联合党支部覆盖单位超过5个",
            AnomalyRule::CommitteeMissing => "正式党员7人以上未设支委会",
            AnomalyRule::TermExpired => "任期已满未换届",
            AnomalyRule::TermExpiring => "90天内任期届满",
            AnomalyRule::SecretaryVacant => "书记空缺",
            AnomalyRule::UpgradeDue => "应升格",
        }
    }

    pub fn from_code(s: &str) -> Option<AnomalyRule> {
        AnomalyRule::ALL.into_iter().find(|r| r.code() == s)
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

fn ymd(d: Date) -> String {
    d.format("%Y-%m-%d").to_string()
}

/// The day a term that started on `start` ends, if the calendar can hold it.
pub fn term_ends_on(start: Date, years: i64) -> Option<Date> {
    let months = u32::try_from(years.checked_mul(12)?).ok()?;
    start.checked_add_months(Months::new(months))
}

/// The term an org is in on `as_of`: its start, length and end (a postponement moves the
/// end), or why it is not known. `Ok(None)`: the org has no term (groups, 党工委, 地方党委,
/// 临时党支部).
pub fn term_on(
    facts: &OrgFacts,
    rules: &RuleSet,
    as_of: Date,
) -> Result<Option<Term>, MissingFact> {
    if facts.temporary {
        return Ok(None);
    }
    let Some(years) = rules.org_term_years(facts.kind, facts.domain, facts.term_years) else {
        return Ok(None);
    };
    let start = match (facts.last_election_on, facts.founded_on) {
        (Some(e), _) => e,
        // With no election recorded the founding is the first election only while that
        // first term would still be running; past it, the 换届 nobody recorded is unknown,
        // not overdue since founding (review S8).
        (None, Some(f)) if term_ends_on(f, years).is_some_and(|e| e >= as_of) && f <= as_of => f,
        _ => return Err(MissingFact::Election),
    };
    let Some(by_rule) = term_ends_on(start, years) else {
        return Ok(None);
    };
    let ends = match facts.postponed_until {
        Some(p) if p > by_rule => p,
        _ => by_rule,
    };
    Ok(Some(Term {
        since: start,
        years,
        ends_on: ends,
        postponed: ends != by_rule,
    }))
}

/// A running term.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Term {
    pub since: Date,
    pub years: i64,
    /// The day it ends (moved by an approved postponement).
    pub ends_on: Date,
    pub postponed: bool,
}

/// The facts an org's checks needed on `as_of` that nobody recorded (暂无数据).
pub fn missing(facts: &OrgFacts, rules: &RuleSet, as_of: Date) -> Vec<MissingFact> {
    let mut out = Vec::new();
    if elects_secretary(facts) && facts.secretary == SecretaryState::Unknown {
        out.push(MissingFact::Secretary);
    }
    if facts.kind == OrgKind::Branch
        && facts.subtree_full >= rules.org.committee_required_at_full
        && facts.committee.is_none()
    {
        out.push(MissingFact::Committee);
    }
    if let Err(m) = term_on(facts, rules, as_of) {
        out.push(m);
    }
    out
}

/// Local and working committees are led by appointed bodies and groups have leaders,
/// not secretaries; a 临时党支部's secretary is appointed for the project. The check is
/// for the standing grassroots orgs that elect one.
fn elects_secretary(facts: &OrgFacts) -> bool {
    !facts.temporary
        && matches!(
            facts.kind,
            OrgKind::PrimaryCommittee | OrgKind::GeneralBranch | OrgKind::Branch
        )
}

/// Every anomaly of one org on `as_of` by the rules in `rules`, in the order of
/// [`AnomalyRule::ALL`]. A fact that is unknown on the day fires nothing (see [`missing`]).
pub fn check_org(facts: &OrgFacts, rules: &RuleSet, as_of: Date) -> Vec<Anomaly> {
    let o = &rules.org;
    let mut out = Vec::new();
    let mut fire = |rule: AnomalyRule, detail: serde_json::Value| {
        out.push(Anomaly {
            org_id: facts.org_id,
            rule,
            detail,
        });
    };
    let kind = facts.kind;
    let members = facts.subtree_members;
    let full = facts.subtree_full;

    // 小马拉大车: a branch, general branch or group may only lead kinds below it;
    // committees may lead committees (a county committee under a city committee).
    if let Some(parent) = facts.parent_kind {
        if !parent.is_committee() && kind.rank() >= parent.rank() {
            fire(
                AnomalyRule::InvertedAffiliation,
                json!({ "parent_kind": parent.code(), "kind": kind.code() }),
            );
        }
    }

    if kind == OrgKind::Branch && members > o.branch_max_members {
        fire(
            AnomalyRule::BranchOver50,
            json!({ "members": members, "limit": o.branch_max_members }),
        );
    }
    // A 临时党支部's members keep their formal relations at home: its full members are
    // not on its roster, so the standing-branch minimum does not apply (review S18).
    if kind == OrgKind::Branch && !facts.temporary && full < o.branch_min_full {
        fire(
            AnomalyRule::BranchUnder3Full,
            json!({ "full": full, "minimum": o.branch_min_full }),
        );
    }
    // Under 50 is allowed "因工作需要，经上级党组织批准" (机关条例): not an anomaly when
    // the approval is recorded (review error 12).
    let under = members < o.general_branch_min_members && !facts.approved;
    if kind == OrgKind::GeneralBranch && (under || members > o.general_branch_max_members) {
        fire(
            AnomalyRule::GeneralBranchSize,
            json!({
                "members": members,
                "min": o.general_branch_min_members,
                "max": o.general_branch_max_members,
            }),
        );
    }
    if kind == OrgKind::Branch && facts.units_covered > o.joint_branch_max_units {
        fire(
            AnomalyRule::JointOver5Units,
            json!({ "units": facts.units_covered, "limit": o.joint_branch_max_units }),
        );
    }
    // Only a committee known absent on the day; not stated is 暂无数据 (review error 4).
    if kind == OrgKind::Branch
        && full >= o.committee_required_at_full
        && facts.committee == Some(false)
    {
        fire(
            AnomalyRule::CommitteeMissing,
            json!({ "full": full, "threshold": o.committee_required_at_full }),
        );
    }

    // 换届: the term runs from the last election (or the founding while the first term
    // runs), for the org's own or the rule's length, to the end or the approved
    // postponement.
    if let Ok(Some(term)) = term_on(facts, rules, as_of) {
        let ends = term.ends_on;
        // Compared in days, so no date arithmetic can overflow on odd rule values.
        let days_left = (ends - as_of).num_days();
        if ends < as_of {
            fire(
                AnomalyRule::TermExpired,
                json!({
                    "term_years": term.years,
                    "since": ymd(term.since),
                    "ends_on": ymd(ends),
                    "overdue_days": (as_of - ends).num_days(),
                }),
            );
        } else if days_left <= rules.terms.expiring_within_days {
            fire(
                AnomalyRule::TermExpiring,
                json!({
                    "term_years": term.years,
                    "ends_on": ymd(ends),
                    "days_left": days_left,
                }),
            );
        }
    }

    // Only a real, dated vacancy: nobody on record is 暂无数据 (review error 2).
    if elects_secretary(facts) {
        if let SecretaryState::Vacant { since } = facts.secretary {
            fire(
                AnomalyRule::SecretaryVacant,
                json!({
                    "since": ymd(since),
                    "days": (as_of - since).num_days(),
                }),
            );
        }
    }

    // 升格: a branch over 50 becomes a general branch, or a primary committee from the
    // rule's 100 (党员100人以上的，设立党的基层委员会); a general branch from that bound.
    let to_committee = members >= o.primary_committee_min_members;
    let suggested = match kind {
        OrgKind::Branch if members > o.branch_max_members => Some(if to_committee {
            OrgKind::PrimaryCommittee
        } else {
            OrgKind::GeneralBranch
        }),
        OrgKind::GeneralBranch if to_committee => Some(OrgKind::PrimaryCommittee),
        _ => None,
    };
    if let Some(suggested) = suggested {
        fire(
            AnomalyRule::UpgradeDue,
            json!({ "members": members, "suggested_kind": suggested.code() }),
        );
    }

    out
}

#[cfg(test)]
mod tests;
