//! Structure checks of the org tree (SPEC C1): each anomaly with the rule that fired and the
//! facts behind it. Pure: the facts are gathered by the store.

use chrono::Months;
use serde::{Deserialize, Serialize};
use serde_json::json;

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

/// Every anomaly of one org on `as_of` by the rules in `rules`, in the order of
/// [`AnomalyRule::ALL`].
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
    if kind == OrgKind::Branch && full < o.branch_min_full {
        fire(
            AnomalyRule::BranchUnder3Full,
            json!({ "full": full, "minimum": o.branch_min_full }),
        );
    }
    if kind == OrgKind::GeneralBranch
        && !(o.general_branch_min_members..=o.general_branch_max_members).contains(&members)
    {
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
    if kind == OrgKind::Branch && full >= o.committee_required_at_full && !facts.has_committee {
        fire(
            AnomalyRule::CommitteeMissing,
            json!({ "full": full, "threshold": o.committee_required_at_full }),
        );
    }

    // 换届: the term runs from the last election, or from founding when there was none.
    let years = rules.term_years(kind, facts.domain);
    let start = facts.last_election_on.or(facts.founded_on);
    if let (Some(years), Some(start)) = (years, start) {
        if let Some(ends) = term_ends_on(start, years) {
            // Compared in days, so no date arithmetic can overflow on odd rule values.
            let days_left = (ends - as_of).num_days();
            if ends < as_of {
                fire(
                    AnomalyRule::TermExpired,
                    json!({
                        "term_years": years,
                        "since": ymd(start),
                        "ends_on": ymd(ends),
                        "overdue_days": (as_of - ends).num_days(),
                    }),
                );
            } else if days_left <= rules.terms.expiring_within_days {
                fire(
                    AnomalyRule::TermExpiring,
                    json!({
                        "term_years": years,
                        "ends_on": ymd(ends),
                        "days_left": days_left,
                    }),
                );
            }
        }
    }

    // Local and working committees are led by appointed bodies and groups have leaders,
    // not secretaries; the check is for the grassroots orgs that elect one.
    let elects_secretary = matches!(
        kind,
        OrgKind::PrimaryCommittee | OrgKind::GeneralBranch | OrgKind::Branch
    );
    if elects_secretary && !facts.has_secretary {
        let since = facts.secretary_vacant_since;
        fire(
            AnomalyRule::SecretaryVacant,
            json!({
                "since": since.map(ymd),
                "days": since.map(|s| (as_of - s).num_days()),
            }),
        );
    }

    let suggested = match kind {
        OrgKind::Branch if members > o.branch_max_members => {
            Some(if members <= o.general_branch_max_members {
                OrgKind::GeneralBranch
            } else {
                OrgKind::PrimaryCommittee
            })
        }
        OrgKind::GeneralBranch if members > o.general_branch_max_members => {
            Some(OrgKind::PrimaryCommittee)
        }
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
mod tests {
    use super::*;
    use crate::RuleBook;
    use chrono::{Datelike, Duration};
    use proptest::prelude::*;

    fn d(y: i32, m: u32, day: u32) -> Date {
        Date::from_ymd_opt(y, m, day).unwrap()
    }

    fn rules() -> RuleSet {
        RuleBook::shipped().in_force(d(2024, 1, 1)).clone()
    }

    const AS_OF: (i32, u32, u32) = (2024, 6, 30);

    fn as_of() -> Date {
        d(AS_OF.0, AS_OF.1, AS_OF.2)
    }

    /// A healthy branch: nothing fires.
    fn branch() -> OrgFacts {
        OrgFacts {
            org_id: 7,
            code: "B7".into(),
            name: "第一党支部".into(),
            kind: OrgKind::Branch,
            domain: Some(Domain::NonPublicEnterprise),
            parent_kind: Some(OrgKind::PrimaryCommittee),
            founded_on: Some(d(2010, 3, 1)),
            last_election_on: Some(d(2023, 1, 10)),
            has_committee: true,
            direct_members: 20,
            direct_full: 18,
            subtree_members: 20,
            subtree_full: 18,
            units_covered: 1,
            has_secretary: true,
            secretary_vacant_since: None,
        }
    }

    fn rules_fired(f: &OrgFacts) -> Vec<AnomalyRule> {
        check_org(f, &rules(), as_of())
            .into_iter()
            .map(|a| a.rule)
            .collect()
    }

    fn only(f: &OrgFacts, rule: AnomalyRule) -> Option<serde_json::Value> {
        check_org(f, &rules(), as_of())
            .into_iter()
            .find(|a| a.rule == rule)
            .map(|a| a.detail)
    }

    #[test]
    fn codes_and_labels() {
        for r in AnomalyRule::ALL {
            assert_eq!(AnomalyRule::from_code(r.code()), Some(r));
            assert!(!r.label().is_empty());
        }
        assert_eq!(
            AnomalyRule::InvertedAffiliation.label(),
            "隶属关系倒挂（小马拉大车）"
        );
    }

    #[test]
    fn healthy_branch_is_clean() {
        assert!(rules_fired(&branch()).is_empty());
    }

    #[test]
    fn inverted_affiliation() {
        let mut f = branch();
        f.parent_kind = Some(OrgKind::Branch);
        assert_eq!(
            only(&f, AnomalyRule::InvertedAffiliation),
            Some(json!({ "parent_kind": "Branch", "kind": "Branch" }))
        );
        f.parent_kind = Some(OrgKind::GeneralBranch);
        assert!(only(&f, AnomalyRule::InvertedAffiliation).is_none());
        f.kind = OrgKind::GeneralBranch;
        assert!(only(&f, AnomalyRule::InvertedAffiliation).is_some());
        f.kind = OrgKind::PrimaryCommittee;
        f.parent_kind = Some(OrgKind::Branch);
        assert!(only(&f, AnomalyRule::InvertedAffiliation).is_some());
        f.parent_kind = Some(OrgKind::Group);
        f.kind = OrgKind::Group;
        assert!(only(&f, AnomalyRule::InvertedAffiliation).is_some());
        // Committees may lead committees.
        f.parent_kind = Some(OrgKind::PrimaryCommittee);
        f.kind = OrgKind::PrimaryCommittee;
        assert!(only(&f, AnomalyRule::InvertedAffiliation).is_none());
        f.parent_kind = Some(OrgKind::LocalCommittee);
        f.kind = OrgKind::LocalCommittee;
        assert!(only(&f, AnomalyRule::InvertedAffiliation).is_none());
        f.parent_kind = None;
        assert!(only(&f, AnomalyRule::InvertedAffiliation).is_none());
    }

    #[test]
    fn branch_over_50_and_upgrade() {
        let mut f = branch();
        f.subtree_members = 50;
        assert!(only(&f, AnomalyRule::BranchOver50).is_none());
        assert!(only(&f, AnomalyRule::UpgradeDue).is_none());
        f.subtree_members = 51;
        assert_eq!(
            only(&f, AnomalyRule::BranchOver50),
            Some(json!({ "members": 51, "limit": 50 }))
        );
        assert_eq!(
            only(&f, AnomalyRule::UpgradeDue),
            Some(json!({ "members": 51, "suggested_kind": "GeneralBranch" }))
        );
        f.subtree_members = 100;
        assert_eq!(
            only(&f, AnomalyRule::UpgradeDue).unwrap()["suggested_kind"],
            "GeneralBranch"
        );
        f.subtree_members = 101;
        assert_eq!(
            only(&f, AnomalyRule::UpgradeDue).unwrap()["suggested_kind"],
            "PrimaryCommittee"
        );
    }

    #[test]
    fn branch_under_3_full() {
        let mut f = branch();
        f.has_committee = false;
        f.subtree_full = 3;
        assert!(only(&f, AnomalyRule::BranchUnder3Full).is_none());
        f.subtree_full = 2;
        assert_eq!(
            only(&f, AnomalyRule::BranchUnder3Full),
            Some(json!({ "full": 2, "minimum": 3 }))
        );
        // Only branches.
        f.kind = OrgKind::GeneralBranch;
        assert!(only(&f, AnomalyRule::BranchUnder3Full).is_none());
    }

    #[test]
    fn general_branch_size() {
        let mut f = branch();
        f.kind = OrgKind::GeneralBranch;
        for ok in [50, 75, 100] {
            f.subtree_members = ok;
            assert!(only(&f, AnomalyRule::GeneralBranchSize).is_none(), "{ok}");
        }
        f.subtree_members = 49;
        assert_eq!(
            only(&f, AnomalyRule::GeneralBranchSize),
            Some(json!({ "members": 49, "min": 50, "max": 100 }))
        );
        assert!(only(&f, AnomalyRule::UpgradeDue).is_none());
        f.subtree_members = 101;
        assert!(only(&f, AnomalyRule::GeneralBranchSize).is_some());
        assert_eq!(
            only(&f, AnomalyRule::UpgradeDue),
            Some(json!({ "members": 101, "suggested_kind": "PrimaryCommittee" }))
        );
    }

    #[test]
    fn joint_over_5_units() {
        let mut f = branch();
        f.units_covered = 5;
        assert!(only(&f, AnomalyRule::JointOver5Units).is_none());
        f.units_covered = 6;
        assert_eq!(
            only(&f, AnomalyRule::JointOver5Units),
            Some(json!({ "units": 6, "limit": 5 }))
        );
        f.kind = OrgKind::GeneralBranch;
        f.subtree_members = 60;
        assert!(only(&f, AnomalyRule::JointOver5Units).is_none());
    }

    #[test]
    fn committee_missing() {
        let mut f = branch();
        f.has_committee = false;
        f.subtree_full = 6;
        assert!(only(&f, AnomalyRule::CommitteeMissing).is_none());
        f.subtree_full = 7;
        assert_eq!(
            only(&f, AnomalyRule::CommitteeMissing),
            Some(json!({ "full": 7, "threshold": 7 }))
        );
        f.has_committee = true;
        assert!(only(&f, AnomalyRule::CommitteeMissing).is_none());
    }

    #[test]
    fn term_expired_and_expiring() {
        let mut f = branch();
        // A branch term is 3 years; as_of is 2024-06-30.
        f.last_election_on = Some(d(2021, 6, 29));
        assert_eq!(
            only(&f, AnomalyRule::TermExpired),
            Some(json!({
                "term_years": 3,
                "since": "2021-06-29",
                "ends_on": "2024-06-29",
                "overdue_days": 1,
            }))
        );
        assert!(only(&f, AnomalyRule::TermExpiring).is_none());
        // Ends today: not yet expired, expiring with 0 days left.
        f.last_election_on = Some(d(2021, 6, 30));
        assert!(only(&f, AnomalyRule::TermExpired).is_none());
        assert_eq!(only(&f, AnomalyRule::TermExpiring).unwrap()["days_left"], 0);
        // Exactly 90 days left fires; 91 does not.
        let ends90 = as_of() + Duration::days(90);
        f.last_election_on = Some(ends90.checked_sub_months(Months::new(36)).unwrap());
        assert_eq!(
            only(&f, AnomalyRule::TermExpiring),
            Some(json!({ "term_years": 3, "ends_on": ymd(ends90), "days_left": 90 }))
        );
        let ends91 = as_of() + Duration::days(91);
        f.last_election_on = Some(ends91.checked_sub_months(Months::new(36)).unwrap());
        assert!(only(&f, AnomalyRule::TermExpiring).is_none());
        assert!(only(&f, AnomalyRule::TermExpired).is_none());
    }

    #[test]
    fn term_uses_founding_domain_and_kind() {
        let mut f = branch();
        f.last_election_on = None;
        f.founded_on = Some(d(2020, 1, 1));
        assert!(only(&f, AnomalyRule::TermExpired).is_some());
        // A village branch has a 5-year term.
        f.domain = Some(Domain::Village);
        assert!(only(&f, AnomalyRule::TermExpired).is_none());
        assert!(only(&f, AnomalyRule::TermExpiring).is_none());
        f.founded_on = None;
        assert!(only(&f, AnomalyRule::TermExpired).is_none());
        // Groups have no term.
        f.kind = OrgKind::Group;
        f.parent_kind = Some(OrgKind::Branch);
        f.founded_on = Some(d(2000, 1, 1));
        assert!(only(&f, AnomalyRule::TermExpired).is_none());
    }

    #[test]
    fn secretary_vacant() {
        let mut f = branch();
        f.has_secretary = false;
        f.secretary_vacant_since = Some(d(2024, 3, 31));
        assert_eq!(
            only(&f, AnomalyRule::SecretaryVacant),
            Some(json!({ "since": "2024-03-31", "days": 91 }))
        );
        f.secretary_vacant_since = None;
        assert_eq!(
            only(&f, AnomalyRule::SecretaryVacant),
            Some(json!({ "since": null, "days": null }))
        );
        for (kind, fires) in [
            (OrgKind::PrimaryCommittee, true),
            (OrgKind::GeneralBranch, true),
            (OrgKind::LocalCommittee, false),
            (OrgKind::WorkingCommittee, false),
            (OrgKind::Group, false),
        ] {
            f.kind = kind;
            f.parent_kind = Some(OrgKind::LocalCommittee);
            assert_eq!(
                only(&f, AnomalyRule::SecretaryVacant).is_some(),
                fires,
                "{kind:?}"
            );
        }
        f.kind = OrgKind::Branch;
        f.has_secretary = true;
        assert!(only(&f, AnomalyRule::SecretaryVacant).is_none());
    }

    fn any_kind() -> impl Strategy<Value = OrgKind> {
        prop::sample::select(OrgKind::ALL.to_vec())
    }

    fn any_date() -> impl Strategy<Value = Date> {
        // The whole range chrono can hold, to reach the overflow edges.
        (Date::MIN.num_days_from_ce()..=Date::MAX.num_days_from_ce())
            .prop_map(|n| Date::from_num_days_from_ce_opt(n).unwrap())
    }

    proptest! {
        #[test]
        fn check_org_never_panics(
            kind in any_kind(),
            parent in prop::option::of(any_kind()),
            domain in prop::option::of(prop::sample::select(Domain::ALL.to_vec())),
            founded in prop::option::of(any_date()),
            elected in prop::option::of(any_date()),
            vacant in prop::option::of(any_date()),
            as_of in any_date(),
            nums in prop::array::uniform6(any::<i64>()),
            flags in prop::array::uniform2(any::<bool>()),
            term_years in any::<i64>(),
            window in any::<i64>(),
        ) {
            let mut r = rules();
            r.terms.branch_years = term_years;
            r.terms.expiring_within_days = window;
            let f = OrgFacts {
                org_id: 1,
                code: "X".into(),
                name: "X".into(),
                kind,
                domain,
                parent_kind: parent,
                founded_on: founded,
                last_election_on: elected,
                has_committee: flags[0],
                direct_members: nums[0],
                direct_full: nums[1],
                subtree_members: nums[2],
                subtree_full: nums[3],
                units_covered: nums[4],
                has_secretary: flags[1],
                secretary_vacant_since: vacant,
            };
            for a in check_org(&f, &r, as_of) {
                prop_assert!(a.detail.is_object());
                prop_assert_eq!(a.org_id, 1);
            }
        }

        #[test]
        fn well_formed_branch_has_no_anomaly(
            members in 10i64..=50,
            full_share in 0.0f64..=1.0,
            committee in any::<bool>(),
            elected_days_ago in 0i64..(3 * 365 - 92),
            parent in prop::sample::select(vec![OrgKind::GeneralBranch, OrgKind::PrimaryCommittee]),
            domain in prop::option::of(prop::sample::select(Domain::ALL.to_vec())),
            units in 0i64..=5,
        ) {
            let full = 3 + ((members - 3) as f64 * full_share) as i64;
            let mut f = branch();
            f.subtree_members = members;
            f.subtree_full = full;
            f.has_committee = committee || full >= 7;
            f.last_election_on = Some(as_of() - Duration::days(elected_days_ago));
            f.parent_kind = Some(parent);
            f.domain = domain;
            f.units_covered = units;
            let fired = rules_fired(&f);
            prop_assert!(fired.is_empty(), "{:?} fired for {:?}", fired, f);
        }
    }
}
