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
}

impl RuleSet {
    /// The term of an org in years by its kind and domain (SPEC R "terms"); `None` for
    /// groups, which have no term.
    pub fn term_years(&self, kind: OrgKind, domain: Option<Domain>) -> Option<i64> {
        let _ = (kind, domain);
        todo!("H2")
    }
}

/// Every shipped rule set, ordered by effective date.
#[derive(Debug, Clone)]
pub struct RuleBook {
    sets: Vec<RuleSet>,
}

impl RuleBook {
    /// The rule sets shipped in `crates/domain/rules/`.
    pub fn shipped() -> RuleBook {
        todo!("H2")
    }

    pub fn new(mut sets: Vec<RuleSet>) -> RuleBook {
        sets.sort_by_key(|s| s.effective_from);
        RuleBook { sets }
    }

    /// The set in force on `day`: the latest whose effective date is on or before it
    /// (the earliest set when `day` precedes them all).
    pub fn in_force(&self, day: Date) -> &RuleSet {
        let _ = day;
        todo!("H2")
    }

    pub fn sets(&self) -> &[RuleSet] {
        &self.sets
    }
}
