//! Dated rule sets (SPEC R): every number the rules use, with its source and the day it
//! takes effect. A record is judged by the set in force on its date.
//!
//! The shipped sets live in `crates/domain/rules/*.json` and are embedded at build time.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use crate::meeting::MeetingKind;
use crate::period::Cadence;
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
    /// 减负: how much may reach an org of each level in a month.
    #[serde(default)]
    pub burden: BurdenRules,
    /// 述职评议考核: how the evaluators' grades make a report's grade.
    #[serde(default)]
    pub duty: crate::duty::DutyRules,
    /// 群众诉求: how many days a request may stay open before it is overdue.
    #[serde(default)]
    pub mass_requests: crate::mass_request::MassRequestRules,
    /// 群众满意度测评: the questionnaire a survey opened under this set asks.
    #[serde(default)]
    pub survey: crate::survey::SurveyRules,
    /// 经费保障: the minimum standards per domain and level (a local example; the
    /// department sets its own from a year on).
    #[serde(default)]
    pub funding: crate::funding::FundingRules,
    /// 村（社区）书记报酬: the least yearly remuneration of a village's and a community's
    /// secretary (the department may set its own).
    #[serde(default)]
    pub secretary_pay: crate::venue::SecretaryPayRules,
    /// 检验标准 (五个是否): each measure's indicators, weights and normalisation, and the
    /// weakest link's target and tail (the shipped default where a set has none).
    #[serde(default)]
    pub scorecard: crate::scorecard::ScorecardRules,
}

/// 减负 (SPEC C6): the number of tasks, inspections and data requests an org of each level
/// may receive in a month before it is flagged. No national rule sets a number; the shipped
/// values are a local example (the department sets its own).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct BurdenRules {
    pub village_monthly_max: i64,
    pub township_monthly_max: i64,
    pub other_monthly_max: i64,
    pub source: String,
}

impl Default for BurdenRules {
    fn default() -> BurdenRules {
        BurdenRules {
            village_monthly_max: 4,
            township_monthly_max: 8,
            other_monthly_max: 6,
            source: "本地示例（《整治形式主义为基层减负若干规定》(2024) 要求严控向基层部署任务、督查检查和填报数据，未规定具体数量；由组织部门按本地实际设定）".into(),
        }
    }
}

impl BurdenRules {
    /// The monthly ceiling of a level.
    pub fn ceiling(&self, level: crate::task::BurdenLevel) -> i64 {
        match level {
            crate::task::BurdenLevel::Village => self.village_monthly_max,
            crate::task::BurdenLevel::Township => self.township_monthly_max,
            crate::task::BurdenLevel::Other => self.other_monthly_max,
        }
    }
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
    /// Elections (换届选举) need more than this share of the voting members present
    /// (选举工作条例: 超过应到会人数的五分之四). Absent in a file: 0.8.
    #[serde(default = "default_election_quorum_share")]
    pub election_quorum_share: f64,
    /// Cadences as data: per kind the span it is judged over and the count due in each
    /// span. A kind not listed keeps the span of `MeetingKind::cadence` and the count of
    /// the `*_per_*` field above (so "党课 每年不少于2次" is `{"PartyLecture": {"span":
    /// "Yearly", "count": 2}}`).
    #[serde(default)]
    pub cadences: BTreeMap<MeetingKind, CadenceRule>,
    /// 所属年度: a yearly session held within this many months after its year ends (the
    /// "YYYY年度组织生活会" held in January–March) may be credited to that year, whose
    /// yearly obligations stay open (待办) until then. 0: credited by date only.
    #[serde(default)]
    pub prior_year_window_months: u32,
    /// How much of a span an org founded or dissolved inside it must live to owe it.
    #[serde(default)]
    pub partial_spans: PartialSpanRules,
}

fn default_election_quorum_share() -> f64 {
    0.8
}

/// One kind's cadence: `count` due in every span of `span`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct CadenceRule {
    pub span: Cadence,
    pub count: i64,
}

/// Whole calendar months of a span an org must exist throughout to owe the span's
/// obligation (founded or dissolved inside it). A month is owed only when the org existed
/// throughout it; an org dissolved on a day still exists that day.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct PartialSpanRules {
    pub quarter_min_months: u32,
    pub year_min_months: u32,
}

impl Default for PartialSpanRules {
    /// Whole spans only (the reading before the rule existed).
    fn default() -> Self {
        PartialSpanRules {
            quarter_min_months: 3,
            year_min_months: 12,
        }
    }
}

impl PartialSpanRules {
    /// The whole months needed to owe a span of `cadence`.
    pub fn min_months(&self, cadence: Cadence) -> u32 {
        match cadence {
            Cadence::Monthly => 1,
            Cadence::Quarterly => self.quarter_min_months.clamp(1, 3),
            Cadence::Yearly => self.year_min_months.clamp(1, 12),
        }
    }
}

impl MeetingRules {
    /// The span and count of `kind` (the `cadences` table, else the fixed span and the
    /// `*_per_*` count).
    pub fn cadence_of(&self, kind: MeetingKind) -> CadenceRule {
        if let Some(c) = self.cadences.get(&kind) {
            return *c;
        }
        CadenceRule {
            span: kind.cadence(),
            count: match kind {
                MeetingKind::GeneralMeeting => self.general_meeting_per_quarter,
                MeetingKind::CommitteeMeeting => self.committee_meeting_per_month,
                MeetingKind::GroupMeeting => self.group_meeting_per_month,
                MeetingKind::PartyLecture => self.party_lecture_per_quarter,
                MeetingKind::ThemeDay => self.theme_day_per_month,
                MeetingKind::LifeMeeting => self.life_meeting_per_year,
                MeetingKind::DemocraticEvaluation => self.democratic_evaluation_per_year,
            },
        }
    }

    /// The last day a session for `year` may be held and credited there.
    pub fn prior_year_window_end(&self, year: i32) -> Date {
        let last = crate::Period::Year(year).last_day();
        if self.prior_year_window_months == 0 {
            return last;
        }
        let first_next = last.succ_opt().expect("a next day");
        first_next
            .checked_add_months(chrono::Months::new(self.prior_year_window_months))
            .and_then(|d| d.pred_opt())
            .unwrap_or(last)
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RecruitmentRules {
    pub min_age: i64,
    /// The day the age requirement took effect (the 1945 charter's 年满十八岁): joining
    /// dates before the earliest rule set but after this day are judged by that set's
    /// `min_age`; earlier ones are not judged (review S23). `None`: only the set's own
    /// span.
    #[serde(default)]
    pub min_age_since: Option<Date>,
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
    /// After a branch meeting voted not to receive a candidate, the earliest the question
    /// may come to a branch meeting again (months).
    #[serde(default = "default_six")]
    pub failed_vote_wait_months: i64,
    /// 公示 of a 拟接收预备党员 before the branch meeting: at least this many working days
    /// (the 2026 revision); `None`: no length set.
    #[serde(default)]
    pub notice_min_working_days: Option<i64>,
    /// The branch meeting votes by secret ballot (无记名投票, the 2026 revision).
    #[serde(default)]
    pub secret_ballot: bool,
}

fn default_six() -> i64 {
    6
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
    /// orgs with no term: groups, and the appointed 党工委 and 地方党委 (not elected at
    /// the grassroots, rules review 1.2).
    ///
    /// Village and community orgs have 5 years whatever their kind (支部工作条例 ch. 6,
    /// 农村条例 2019). Branches and general branches of township and street organs are
    /// "其他基层单位" with 3 years; the 乡镇党委 itself is a primary committee (5 years).
    pub fn term_years(&self, kind: OrgKind, domain: Option<Domain>) -> Option<i64> {
        match kind {
            OrgKind::Group | OrgKind::WorkingCommittee | OrgKind::LocalCommittee => return None,
            OrgKind::PrimaryCommittee | OrgKind::GeneralBranch | OrgKind::Branch => {}
        }
        if matches!(domain, Some(Domain::Village | Domain::Community)) {
            return Some(self.terms.village_community_years);
        }
        Some(match kind {
            OrgKind::PrimaryCommittee => self.terms.primary_committee_years,
            OrgKind::GeneralBranch => self.terms.general_branch_years,
            _ => self.terms.branch_years,
        })
    }

    /// The term of one org: an approved override (`org.term_years`) where recorded, else
    /// the rule by kind and domain. An org with no term by rule keeps none.
    pub fn org_term_years(
        &self,
        kind: OrgKind,
        domain: Option<Domain>,
        approved: Option<i64>,
    ) -> Option<i64> {
        let by_rule = self.term_years(kind, domain)?;
        Some(approved.filter(|y| *y > 0).unwrap_or(by_rule))
    }
}

/// The shipped rule files, by name, embedded at build time. Add a new file here when the
/// rules change (a test checks that every file in `rules/` is listed).
pub const SHIPPED_FILES: &[(&str, &str)] = &[
    ("2019-01-01.json", include_str!("../rules/2019-01-01.json")),
    ("2026-01-01.json", include_str!("../rules/2026-01-01.json")),
];

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

    /// The set in force on `day`, or `None` when `day` precedes every set: a record
    /// older than the rule book is not judged by rules written after it (review S23).
    pub fn covering(&self, day: Date) -> Option<&RuleSet> {
        self.sets.iter().rev().find(|s| s.effective_from <= day)
    }

    /// The rule set that judges the age at joining on `joined`: the one in force then, or
    /// for a date before the book the earliest set when its age rule already applied
    /// (`min_age_since`); `None` when no age rule applied on that day.
    pub fn recruitment_on(&self, joined: Date) -> Option<&RuleSet> {
        self.covering(joined).or_else(|| {
            self.sets
                .first()
                .filter(|s| s.recruitment.min_age_since.is_some_and(|d| d <= joined))
        })
    }

    pub fn sets(&self) -> &[RuleSet] {
        &self.sets
    }

    /// A short fingerprint of every set's content (FNV-1a over their JSON): what was
    /// derived by another book is derived again.
    pub fn fingerprint(&self) -> String {
        let json = serde_json::to_string(&self.sets).expect("rule sets serialise");
        format!("{:016x}", fnv1a(json.as_bytes()))
    }
}

/// FNV-1a, 64 bits: a stable hash of bytes (not for secrets).
pub fn fnv1a(bytes: &[u8]) -> u64 {
    bytes.iter().fold(0xcbf2_9ce4_8422_2325, |h, b| {
        (h ^ u64::from(*b)).wrapping_mul(0x0100_0000_01b3)
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(y: i32, m: u32, day: u32) -> Date {
        Date::from_ymd_opt(y, m, day).unwrap()
    }

    #[test]
    fn a_changed_number_changes_the_fingerprint() {
        let book = RuleBook::shipped();
        assert_eq!(book.fingerprint(), RuleBook::shipped().fingerprint());
        let mut sets = book.sets().to_vec();
        sets[0].recruitment.min_age += 1;
        assert_ne!(RuleBook::new(sets).fingerprint(), book.fingerprint());
        assert_eq!(fnv1a(b""), 0xcbf2_9ce4_8422_2325);
        assert_eq!(fnv1a(b"a"), 0xaf63_dc4c_8601_ec8c);
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
            // Indicator sets, the assistance mapping and the scorecard's default (rating.rs,
            // rectification.rs, scorecard/rules.rs) sit beside the rule sets and are listed where they are read.
            let other = name.starts_with("indicators-")
                || name.starts_with("assistance-")
                || name.starts_with("calendar-")
                || name.starts_with("scorecard-");
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
    fn age_at_joining_is_judged_by_the_rules_of_the_joining_day() {
        let book = RuleBook::shipped();
        // A date in the book: the set in force then.
        assert_eq!(
            book.recruitment_on(d(2020, 1, 1)).unwrap().id,
            "2019-default"
        );
        // Before the book but under the 1945 charter's age rule: the earliest set's age.
        assert_eq!(
            book.recruitment_on(d(1970, 1, 1))
                .unwrap()
                .recruitment
                .min_age,
            18
        );
        // S23: joined 1944-08-01, before any age rule: not judged.
        assert!(book.recruitment_on(d(1944, 8, 1)).is_none());
        assert!(book.covering(d(2018, 12, 31)).is_none());
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
        // The appointed 党工委 and 地方党委 have no term (review 1.2).
        assert_eq!(
            r.term_years(OrgKind::WorkingCommittee, Some(Domain::Street)),
            None
        );
        assert_eq!(r.term_years(OrgKind::LocalCommittee, None), None);
        // Township and street organ branches are 3 years; only their 党委 has 5 (S7).
        assert_eq!(
            r.term_years(OrgKind::Branch, Some(Domain::Township)),
            Some(3)
        );
        assert_eq!(
            r.term_years(OrgKind::GeneralBranch, Some(Domain::Street)),
            Some(3)
        );
        // An approved override wins, but gives no term to an org without one.
        assert_eq!(
            r.org_term_years(OrgKind::Branch, Some(Domain::StateEnterprise), Some(5)),
            Some(5)
        );
        assert_eq!(
            r.org_term_years(OrgKind::WorkingCommittee, None, Some(5)),
            None
        );
        assert_eq!(r.term_years(OrgKind::PrimaryCommittee, None), Some(5));
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
