//! Dated rule sets (SPEC R): every number the rules use, with its source and the day it
//! takes effect. A record is judged by the set in force on its date.
//!
//! The shipped sets live in `crates/domain/rules/*.json` and are embedded at build time.

use serde::{Deserialize, Serialize};

use crate::{Date, Domain, OrgKind};

/// One version of the rules.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RuleSet {
    /// Stable id, e.g. "2019-default".
    pub id: String,
    pub effective_from: Date,
    /// Where the numbers come from (the regulations named).
    pub source: String,
    pub org: OrgRules,
    pub terms: TermRules,
    pub meetings: MeetingRules,
    pub recruitment: RecruitmentRules,
    pub dues: DuesRules,
    pub membership: MembershipRules,
    pub training: TrainingRules,
    pub staffing: StaffingRules,
    pub weak_signals: WeakSignalRules,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct OrgRules {
    pub branch_min_full: i64,
    pub branch_max_members: i64,
    pub general_branch_min_members: i64,
    pub general_branch_max_members: i64,
    pub primary_committee_min_members: i64,
    pub joint_branch_max_units: i64,
    pub committee_required_at_full: i64,
    pub committee_min_size: i64,
    pub committee_max_size: i64,
    /// Full members a unit needs before it should set up its own org (应建未建).
    pub unit_should_have_org_at_full: i64,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct TermRules {
    pub primary_committee_years: i64,
    pub general_branch_years: i64,
    pub branch_years: i64,
    /// Village and community orgs (and township committees) whatever their kind.
    pub village_community_years: i64,
    pub postponement_max_years: i64,
    pub expiring_within_days: i64,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct MeetingRules {
    pub general_meeting_per_quarter: i64,
    pub committee_meeting_per_month: i64,
    pub group_meeting_per_month: i64,
    pub party_lecture_per_quarter: i64,
    pub theme_day_per_month: i64,
    pub life_meeting_per_year: i64,
    pub democratic_evaluation_per_year: i64,
    /// Votes need more than this share of voting members present.
    pub vote_quorum_share: f64,
    pub excellent_max_share: f64,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RecruitmentRules {
    pub min_age: i64,
    pub talk_within_months: i64,
    pub activist_min_years_before_candidate: i64,
    pub activist_assessment_every_months: i64,
    pub sponsors: i64,
    pub candidate_training_min_days: i64,
    pub candidate_training_min_hours: i64,
    pub approval_within_months: i64,
    pub approval_max_months: i64,
    pub probation_years: i64,
    pub probation_extension_max_years: i64,
    pub confirmation_within_months: i64,
}

/// A dues bracket: the monthly rate (percent of the base) for bases up to `up_to` yuan.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct DuesBracket {
    pub up_to: Option<f64>,
    pub rate_percent: f64,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct DuesRules {
    pub employed: Vec<DuesBracket>,
    pub retired: Vec<DuesBracket>,
    pub farmer_min_yuan: f64,
    pub farmer_max_yuan: f64,
    pub student_yuan: f64,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct MembershipRules {
    pub lapse_months: i64,
    pub lost_contact_suspension_months: i64,
    pub lost_contact_removal_more_years: i64,
    pub transfer_required_away_months: i64,
    pub transfer_letter_valid_months: i64,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct TrainingRules {
    pub member_hours_per_year: f64,
    pub secretary_hours_per_year: f64,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct StaffingRules {
    pub township_party_building_staff_min: i64,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct WeakSignalRules {
    pub secretary_vacant_months: i64,
    pub no_committee_meeting_months: i64,
    pub village_no_recruit_years: i64,
    pub satisfaction_min_share: f64,
    /// 散: below this share of the branch-level obligations met, organizational life
    /// counts as not held (a whole quarter without any meeting fires regardless).
    #[serde(default = "default_org_life_min_share")]
    pub org_life_min_share: f64,
    /// 懒: how far back activity with the masses is looked for (SPEC C5 "in a year").
    #[serde(default = "default_twelve")]
    pub masses_window_months: i64,
    /// Rectification: an open case with no step for more than this many days is stalled.
    #[serde(default = "default_stalled_case_days")]
    pub stalled_case_days: i64,
    /// Rectification: the review (回头看) falls due this many months after acceptance.
    #[serde(default = "default_twelve")]
    pub review_after_months: i64,
    /// Where each number comes from, by field name.
    #[serde(default)]
    pub sources: std::collections::BTreeMap<String, String>,
}

fn default_org_life_min_share() -> f64 {
    0.6
}

fn default_twelve() -> i64 {
    12
}

fn default_stalled_case_days() -> i64 {
    60
}

impl RuleSet {
    /// The term of an org in years by its kind and domain (SPEC R "terms"); `None` for
    /// groups, which have no term.
    pub fn term_years(&self, kind: OrgKind, domain: Option<Domain>) -> Option<i64> {
        if kind == OrgKind::Group {
            return None;
        }
        // The rural regulations (2019) give village, community and township orgs a 5-year
        // term whatever their kind, so the domain wins over the kind.
        if matches!(
            domain,
            Some(Domain::Village | Domain::Community | Domain::Township | Domain::Street)
        ) {
            return Some(self.terms.village_community_years);
        }
        Some(match kind {
            OrgKind::LocalCommittee | OrgKind::WorkingCommittee | OrgKind::PrimaryCommittee => {
                self.terms.primary_committee_years
            }
            OrgKind::GeneralBranch => self.terms.general_branch_years,
            OrgKind::Branch => self.terms.branch_years,
            OrgKind::Group => return None,
        })
    }
}

/// The shipped rule files, by name, embedded at build time. Add a new file here when the
/// rules change (a test checks that every file in `rules/` is listed).
pub const SHIPPED_FILES: &[(&str, &str)] =
    &[("2019-01-01.json", include_str!("../rules/2019-01-01.json"))];

/// Every shipped rule set, ordered by effective date.
#[derive(Debug, Clone)]
pub struct RuleBook {
    sets: Vec<RuleSet>,
}

impl RuleBook {
    /// The rule sets shipped in `crates/domain/rules/`.
    pub fn shipped() -> RuleBook {
        let sets = SHIPPED_FILES
            .iter()
            .map(|(name, text)| {
                // A malformed shipped file is a build defect, caught by this crate's tests.
                serde_json::from_str::<RuleSet>(text).unwrap_or_else(|e| {
                    panic!("shipped rule file crates/domain/rules/{name} is malformed: {e}")
                })
            })
            .collect();
        RuleBook::new(sets)
    }

    pub fn new(mut sets: Vec<RuleSet>) -> RuleBook {
        sets.sort_by_key(|s| s.effective_from);
        RuleBook { sets }
    }

    /// The set in force on `day`: the latest whose effective date is on or before it
    /// (the earliest set when `day` precedes them all).
    ///
    /// Panics on an empty book: there is no rule to judge by, which is a setup error.
    pub fn in_force(&self, day: Date) -> &RuleSet {
        self.sets
            .iter()
            .rev()
            .find(|s| s.effective_from <= day)
            .or_else(|| self.sets.first())
            .expect("a RuleBook holds at least one rule set")
    }

    pub fn sets(&self) -> &[RuleSet] {
        &self.sets
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(y: i32, m: u32, day: u32) -> Date {
        Date::from_ymd_opt(y, m, day).unwrap()
    }

    #[test]
    fn shipped_files_parse_and_hold_spec_numbers() {
        for (name, text) in SHIPPED_FILES {
            let r: Result<RuleSet, _> = serde_json::from_str(text);
            assert!(r.is_ok(), "{name}: {:?}", r.err());
        }
        let book = RuleBook::shipped();
        assert!(!book.sets().is_empty());
        let r = book.in_force(d(2024, 6, 1));
        assert_eq!(r.id, "2019-default");
        assert_eq!(r.effective_from, d(2019, 1, 1));
        assert_eq!(r.org.branch_max_members, 50);
        assert_eq!(r.org.branch_min_full, 3);
        assert_eq!(r.org.committee_required_at_full, 7);
        assert_eq!(r.terms.expiring_within_days, 90);
        assert_eq!(r.training.secretary_hours_per_year, 56.0);
        assert!(r.source.contains("支部工作条例"));
        // Brackets ascend and end open.
        for brackets in [&r.dues.employed, &r.dues.retired] {
            assert!(brackets.last().unwrap().up_to.is_none());
            let tops: Vec<f64> = brackets.iter().filter_map(|b| b.up_to).collect();
            assert!(tops.windows(2).all(|w| w[0] < w[1]));
        }
    }

    #[test]
    fn every_file_in_rules_dir_is_shipped() {
        let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("rules");
        for entry in std::fs::read_dir(dir).unwrap() {
            let name = entry.unwrap().file_name().to_string_lossy().into_owned();
            // Indicator sets and the assistance mapping (rating.rs, rectification.rs)
            // sit beside the rule sets and are listed where they are read.
            let other = name.starts_with("indicators-") || name.starts_with("assistance-");
            if name.ends_with(".json") && !other {
                assert!(
                    SHIPPED_FILES.iter().any(|(n, _)| *n == name),
                    "rules/{name} is not listed in SHIPPED_FILES"
                );
            }
        }
    }

    #[test]
    fn in_force_picks_by_date() {
        let base = RuleBook::shipped().sets()[0].clone();
        let mut later = base.clone();
        later.id = "2026-revised".into();
        later.effective_from = d(2026, 1, 1);
        // Given out of order on purpose: `new` sorts.
        let book = RuleBook::new(vec![later, base]);
        assert_eq!(book.in_force(d(2018, 5, 1)).id, "2019-default");
        assert_eq!(book.in_force(d(2019, 1, 1)).id, "2019-default");
        assert_eq!(book.in_force(d(2025, 12, 31)).id, "2019-default");
        assert_eq!(book.in_force(d(2026, 1, 1)).id, "2026-revised");
        assert_eq!(book.in_force(d(2030, 1, 1)).id, "2026-revised");
    }

    #[test]
    fn term_years_by_kind_and_domain() {
        let r = RuleBook::shipped().sets()[0].clone();
        assert_eq!(r.term_years(OrgKind::Group, Some(Domain::Village)), None);
        assert_eq!(
            r.term_years(OrgKind::Branch, Some(Domain::Village)),
            Some(5)
        );
        assert_eq!(
            r.term_years(OrgKind::GeneralBranch, Some(Domain::Community)),
            Some(5)
        );
        assert_eq!(
            r.term_years(OrgKind::PrimaryCommittee, Some(Domain::Township)),
            Some(5)
        );
        assert_eq!(
            r.term_years(OrgKind::WorkingCommittee, Some(Domain::Street)),
            Some(5)
        );
        assert_eq!(r.term_years(OrgKind::PrimaryCommittee, None), Some(5));
        assert_eq!(r.term_years(OrgKind::LocalCommittee, None), Some(5));
        assert_eq!(
            r.term_years(OrgKind::GeneralBranch, Some(Domain::Organ)),
            Some(3)
        );
        assert_eq!(
            r.term_years(OrgKind::Branch, Some(Domain::NonPublicEnterprise)),
            Some(3)
        );
    }
}
