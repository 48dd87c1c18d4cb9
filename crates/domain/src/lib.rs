//! The domain of jiceng: plain data and pure functions over it. No I/O, no database, no web.
//!
//! Names follow `GLOSSARY.md`; each module owns one part of the domain.

pub mod compliance;
pub mod coverage;
pub mod credit_code;
pub mod disclosure;
pub mod dues;
pub mod duty;
pub mod evaluation;
pub mod evidence;
pub mod exit;
pub mod funding;
pub mod history;
pub mod id_number;
pub mod inspection;
pub mod mass_request;
pub mod meeting;
pub mod member;
pub mod member_stats;
pub mod mobility;
pub mod order;
pub mod org;
pub mod pairing;
pub mod path;
pub mod period;
pub mod rating;
pub mod recruitment;
pub mod rectification;
pub mod rules;
pub mod scorecard;
pub mod structure;
pub mod survey;
pub mod task;
pub mod text;
pub mod training;
pub mod transfer;
pub mod unit;
pub mod venue;
pub mod weakness;
pub mod year_facts;

pub use compliance::{BranchFacts, Compliance, GroupFacts, Obligation, Shortfall, Tally};
pub use coverage::{Coverage, CoverageReport, DomainCoverage, Gap};
pub use credit_code::CreditCode;
pub use history::{CommitteeHistory, EventKind, Office, OrgEvent, OrgHistory, SecretaryState};
pub use id_number::IdNumber;
pub use meeting::{Attendance, AttendanceStatus, Meeting, MeetingKind, Quorum};
pub use member::{Education, Gender, Member, MemberStatus, Position, PositionKind, StaffRole};
pub use member_stats::MemberStats;
pub use org::{Domain, Org, OrgKind, RegionCode};
pub use period::{Cadence, Period};
pub use rating::{IndicatorBook, IndicatorSet, OrgYearFacts, Rating};
pub use recruitment::{RecruitStage, StepKind, StepRecord};
pub use rectification::{Case, Stage, Step};
pub use rules::{RuleBook, RuleSet};
pub use scorecard::{Measure, Scorecard, ScorecardInputs, WeakestLink};
pub use structure::{Anomaly, AnomalyRule, OrgFacts};
pub use unit::{OperatingStatus, Unit};
pub use weakness::{Decision, Signal, SignalRule, SignalState, WeaknessKind};

/// A calendar date; records carry dates, not instants (SPEC C12).
pub type Date = chrono::NaiveDate;
