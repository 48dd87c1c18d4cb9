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
        committee: Some(true),
        direct_members: 20,
        direct_full: 18,
        subtree_members: 20,
        subtree_full: 18,
        units_covered: 1,
        secretary: SecretaryState::InOffice,
        term_years: None,
        postponed_until: None,
        temporary: false,
        approved: false,
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
    f.subtree_members = 99;
    assert_eq!(
        only(&f, AnomalyRule::UpgradeDue).unwrap()["suggested_kind"],
        "GeneralBranch"
    );
    // 党员100人以上 → 党委, read from `primary_committee_min_members` (review 1.1).
    f.subtree_members = 100;
    assert_eq!(
        only(&f, AnomalyRule::UpgradeDue).unwrap()["suggested_kind"],
        "PrimaryCommittee"
    );
}

#[test]
fn branch_under_3_full() {
    let mut f = branch();
    f.committee = Some(false);
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
    f.committee = Some(false);
    f.subtree_full = 6;
    assert!(only(&f, AnomalyRule::CommitteeMissing).is_none());
    f.subtree_full = 7;
    assert_eq!(
        only(&f, AnomalyRule::CommitteeMissing),
        Some(json!({ "full": 7, "threshold": 7 }))
    );
    f.committee = Some(true);
    assert!(only(&f, AnomalyRule::CommitteeMissing).is_none());
    // Not stated: 暂无数据, not an anomaly (S4).
    f.committee = None;
    assert!(only(&f, AnomalyRule::CommitteeMissing).is_none());
    assert_eq!(missing(&f, &rules(), as_of()), vec![MissingFact::Committee]);
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
    // Founded 2022: the first term (to 2025) still runs, the founding counts.
    f.founded_on = Some(d(2022, 1, 1));
    assert!(only(&f, AnomalyRule::TermExpired).is_none());
    assert!(missing(&f, &rules(), as_of()).is_empty());
    // Founded 2020: the first term ended 2023, no election on record: unknown (S8).
    f.founded_on = Some(d(2020, 1, 1));
    assert!(only(&f, AnomalyRule::TermExpired).is_none());
    assert_eq!(missing(&f, &rules(), as_of()), vec![MissingFact::Election]);
    // A village branch has a 5-year term: the founding still covers it.
    f.domain = Some(Domain::Village);
    assert!(only(&f, AnomalyRule::TermExpired).is_none());
    assert!(only(&f, AnomalyRule::TermExpiring).is_none());
    assert!(missing(&f, &rules(), as_of()).is_empty());
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
    f.secretary = SecretaryState::Vacant {
        since: d(2024, 3, 31),
    };
    assert_eq!(
        only(&f, AnomalyRule::SecretaryVacant),
        Some(json!({ "since": "2024-03-31", "days": 91 }))
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
    f.secretary = SecretaryState::InOffice;
    assert!(only(&f, AnomalyRule::SecretaryVacant).is_none());
}

#[test]
fn s2_secretary_never_recorded_is_missing_not_vacant() {
    // S2: founded 1998-03-01, roster without 党内职务.
    let mut f = branch();
    f.domain = Some(Domain::Village);
    f.founded_on = Some(d(1998, 3, 1));
    f.secretary = SecretaryState::Unknown;
    assert!(only(&f, AnomalyRule::SecretaryVacant).is_none());
    assert!(missing(&f, &rules(), as_of()).contains(&MissingFact::Secretary));
}

#[test]
fn s2b_dated_vacancy_from_history() {
    let h = OrgHistory {
        secretaries: vec![
            crate::Office {
                started: Some(d(2021, 4, 1)),
                ended: Some(d(2025, 9, 30)),
            },
            crate::Office {
                started: Some(d(2026, 3, 1)),
                ended: None,
            },
        ],
        ..Default::default()
    };
    let day = d(2026, 1, 31);
    let f = branch().dated(&h, day);
    let r = check_org(&f, &rules(), day);
    let v = r.iter().find(|a| a.rule == AnomalyRule::SecretaryVacant);
    assert_eq!(v.unwrap().detail["since"], "2025-09-30");
    let f = branch().dated(&h, d(2026, 3, 5));
    assert!(only(&f, AnomalyRule::SecretaryVacant).is_none());
}

#[test]
fn s5_approved_five_year_branch_term() {
    // Elected 2023-05-10, 5 years approved: nothing fires in 2026.
    let mut f = branch();
    f.domain = Some(Domain::StateEnterprise);
    f.last_election_on = Some(d(2023, 5, 10));
    let day = d(2026, 6, 30);
    let fired = |f: &OrgFacts| -> Vec<AnomalyRule> {
        check_org(f, &rules(), day)
            .into_iter()
            .map(|a| a.rule)
            .collect()
    };
    assert!(fired(&f).contains(&AnomalyRule::TermExpired));
    f.term_years = Some(5);
    assert!(fired(&f).is_empty(), "{:?}", fired(&f));
    // Expiring 90 days before 2028-05-10.
    assert!(check_org(&f, &rules(), d(2028, 3, 1))
        .iter()
        .any(|a| a.rule == AnomalyRule::TermExpiring));
    // A postponement to 2028-12-31 moves the end.
    f.postponed_until = Some(d(2028, 12, 31));
    assert!(check_org(&f, &rules(), d(2028, 6, 1)).is_empty());
}

#[test]
fn s6_working_committee_has_no_term() {
    let mut f = branch();
    f.kind = OrgKind::WorkingCommittee;
    f.parent_kind = Some(OrgKind::LocalCommittee);
    f.domain = Some(Domain::Street);
    f.founded_on = Some(d(2001, 6, 1));
    f.last_election_on = None;
    f.subtree_members = 300;
    let day = d(2026, 6, 30);
    assert!(check_org(&f, &rules(), day)
        .iter()
        .all(|a| !matches!(a.rule, AnomalyRule::TermExpired | AnomalyRule::TermExpiring)));
    assert!(missing(&f, &rules(), day).is_empty());
}

#[test]
fn s7_township_organ_branch_has_three_years() {
    let mut f = branch();
    f.domain = Some(Domain::Township);
    f.last_election_on = Some(d(2021, 3, 15));
    let detail = check_org(&f, &rules(), d(2024, 6, 30))
        .into_iter()
        .find(|a| a.rule == AnomalyRule::TermExpired)
        .map(|a| a.detail);
    assert_eq!(detail.unwrap()["ends_on"], "2024-03-15");
    // The 乡镇党委 itself has 5.
    f.kind = OrgKind::PrimaryCommittee;
    f.parent_kind = Some(OrgKind::LocalCommittee);
    assert!(check_org(&f, &rules(), d(2024, 6, 30))
        .iter()
        .all(|a| a.rule != AnomalyRule::TermExpired));
}

#[test]
fn s8_election_not_recorded_is_unknown_past_the_first_term() {
    let mut f = branch();
    f.kind = OrgKind::PrimaryCommittee;
    f.parent_kind = Some(OrgKind::WorkingCommittee);
    f.domain = Some(Domain::Community);
    f.founded_on = Some(d(2008, 10, 1));
    f.last_election_on = None;
    f.subtree_members = 80;
    let day = d(2026, 6, 30);
    assert!(check_org(&f, &rules(), day).is_empty());
    assert_eq!(missing(&f, &rules(), day), vec![MissingFact::Election]);
    // While the first term would still run, the founding counts as the election.
    let early = d(2012, 1, 1);
    assert!(missing(&f, &rules(), early).is_empty());
    assert!(check_org(&f, &rules(), d(2013, 8, 1))
        .iter()
        .any(|a| a.rule == AnomalyRule::TermExpiring));
}

#[test]
fn s18_temporary_branch_is_not_a_standing_branch() {
    let mut f = branch();
    f.temporary = true;
    f.subtree_members = 9;
    f.subtree_full = 0;
    f.secretary = SecretaryState::Vacant {
        since: d(2024, 3, 1),
    };
    f.last_election_on = None;
    f.founded_on = Some(d(2010, 1, 1));
    assert!(check_org(&f, &rules(), as_of()).is_empty());
    assert!(missing(&f, &rules(), as_of()).is_empty());
}

#[test]
fn s19_small_general_branch_with_approval() {
    let mut f = branch();
    f.kind = OrgKind::GeneralBranch;
    f.subtree_members = 42;
    assert!(only(&f, AnomalyRule::GeneralBranchSize).is_some());
    f.approved = true;
    assert!(only(&f, AnomalyRule::GeneralBranchSize).is_none());
    // Approval does not cover being over 100.
    f.subtree_members = 120;
    assert!(only(&f, AnomalyRule::GeneralBranchSize).is_some());
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
        postponed in prop::option::of(any_date()),
        override_years in prop::option::of(any::<i64>()),
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
            committee: Some(flags[0]),
            direct_members: nums[0],
            direct_full: nums[1],
            subtree_members: nums[2],
            subtree_full: nums[3],
            units_covered: nums[4],
            secretary: match (flags[1], vacant) {
                (true, _) => SecretaryState::InOffice,
                (false, Some(since)) => SecretaryState::Vacant { since },
                (false, None) => SecretaryState::Unknown,
            },
            term_years: override_years,
            postponed_until: postponed,
            temporary: nums[5] % 2 == 0,
            approved: nums[5] % 3 == 0,
        };
        let _ = missing(&f, &r, as_of);
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
        f.committee = Some(committee || full >= 7);
        f.last_election_on = Some(as_of() - Duration::days(elected_days_ago));
        f.parent_kind = Some(parent);
        f.domain = domain;
        f.units_covered = units;
        let fired = rules_fired(&f);
        prop_assert!(fired.is_empty(), "{:?} fired for {:?}", fired, f);
    }
}
