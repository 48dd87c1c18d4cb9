//! The raw figures a scorecard is computed from ([`ScorecardInputs`]): for one org or a
//! whole subtree and period, each figure a pair of counts (numerator, denominator). The
//! pairs add up, so a subtree's inputs are the sum of its orgs' and a region's scores are
//! read from stored sums, never averaged from its children's scores.
//!
//! A zero denominator means no records: the indicator reading it says 暂无数据.

use std::iter::Sum;
use std::ops::{Add, AddAssign};

use serde::{Deserialize, Serialize};

use crate::coverage::DomainCoverage;
use crate::duty::Grade;
use crate::inspection::ProblemStatus;
use crate::mass_request::RequestCounts;
use crate::recruitment::tally::YearAdmissions;
use crate::survey::SatisfactionFacts;
use crate::task::TaskTally;
use crate::year_facts::LifeTotals;
use crate::Date;

/// A count of what meets a standard (`num`) out of what is judged (`den`).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct Ratio {
    pub num: i64,
    pub den: i64,
}

impl Ratio {
    pub fn of(num: i64, den: i64) -> Ratio {
        Ratio { num, den }
    }

    /// One judged item that meets the standard or not (an org's secretary in office, its
    /// term current, …): per-org inputs are flags, a subtree's are their sums.
    pub fn flag(met: bool) -> Ratio {
        Ratio::of(i64::from(met), 1)
    }

    /// Whether anything is recorded (a zero denominator is 暂无数据).
    pub fn has_data(self) -> bool {
        self.den > 0
    }

    /// `num / (den × per)` within 0–1; `None` when nothing is recorded. `per` is the
    /// most one judged item can bring (1 for a count, 100 for a hand score in points).
    pub fn share(self, per: i64) -> Option<f64> {
        let whole = self.den.checked_mul(per.max(1))?;
        (whole > 0).then(|| (self.num as f64 / whole as f64).clamp(0.0, 1.0))
    }
}

impl Add for Ratio {
    type Output = Ratio;
    fn add(self, o: Ratio) -> Ratio {
        Ratio::of(self.num + o.num, self.den + o.den)
    }
}

impl AddAssign for Ratio {
    fn add_assign(&mut self, o: Ratio) {
        *self = *self + o;
    }
}

/// Declares the figures once: the `Figure` enum the rules name and the field of
/// `ScorecardInputs` holding each.
macro_rules! figures {
    ($($(#[$doc:meta])* $variant:ident => $field:ident,)*) => {
        /// A figure of [`ScorecardInputs`], as the rules name it.
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
        pub enum Figure { $($(#[$doc])* $variant,)* }

        impl Figure {
            pub const ALL: &'static [Figure] = &[$(Figure::$variant,)*];
        }

        /// The raw figures of one org or subtree for one period (see the module doc).
        /// Absent fields read as no records, so older stored inputs stay readable.
        #[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
        #[serde(default)]
        pub struct ScorecardInputs { $($(#[$doc])* pub $field: Ratio,)* }

        impl ScorecardInputs {
            /// The pair of one figure.
            pub fn get(&self, f: Figure) -> Ratio {
                match f { $(Figure::$variant => self.$field,)* }
            }

            /// Adds another org's or subtree's inputs to these.
            pub fn add(&mut self, o: &ScorecardInputs) {
                $(self.$field += o.$field;)*
            }
        }
    };
}

figures! {
    /// 党组织覆盖率: operating units with an org (own or joint) / operating units.
    OrgCoverage => org_coverage,
    /// 工作覆盖率: operating units with an org or an instructor / operating units.
    WorkCoverage => work_coverage,
    /// 组织生活: branch-level obligations met / due in the judged spans (`LifeTotals`).
    LifeCompliance => life_compliance,
    /// 组织设置: orgs checked without a structure anomaly / orgs checked.
    StructureSound => structure_sound,
    /// 软弱涣散: rated orgs not confirmed weak in the period / rated orgs.
    NotWeak => not_weak,
    /// 整顿: rectification cases accepted (验收销号) / cases of the period's weak orgs.
    WeakRectified => weak_rectified,
    /// 书记配备: orgs with a secretary in office / orgs that elect one.
    SecretaryInPlace => secretary_in_place,
    /// 学时: members whose hours are done / members judged (the year over, recorded).
    TrainingMet => training_met,
    /// 按期换届: orgs whose term has not run out / orgs with a term.
    TermCurrent => term_current,
    /// 述职评议: reports graded 好 or 较好 / reports graded.
    DutyGood => duty_good,
    /// 发展党员结构: admitted under 35 / admitted in the period.
    RecruitsYoung => recruits_young,
    /// 任务落实: task targets done by the deadline / targets due.
    TasksOnTime => tasks_on_time,
    /// 问题整改: problems (督查, 述职评议) fixed / problems fixed or past their deadline.
    ProblemsFixed => problems_fixed,
    /// 整顿措施: rectification measures done by their deadline / measures due.
    MeasuresOnTime => measures_on_time,
    /// 村集体经济 (recorded or imported by hand): villages at or above the standard /
    /// villages with income recorded.
    CollectiveIncome => collective_income,
    /// 发展成效 (scored by hand or imported): points summed / orgs scored (0–100 each).
    DevelopmentScore => development_score,
    /// 群众满意度: ratings 很满意, 满意 or 基本满意 / ratings given.
    SurveySatisfied => survey_satisfied,
    /// 诉求办结: requests resolved / received.
    RequestsResolved => requests_resolved,
    /// 诉求及时: requests received and not overdue / received.
    RequestsInTime => requests_in_time,
    /// 办理满意: feedback 满意 or 基本满意 / feedback given.
    FeedbackSatisfied => feedback_satisfied,
}

impl Figure {
    /// Entered or imported by hand rather than derived from the registers (the page says so).
    pub fn manual(self) -> bool {
        matches!(self, Figure::CollectiveIncome | Figure::DevelopmentScore)
    }

    /// The most one judged item brings to the numerator (see [`Ratio::share`]).
    pub fn per(self) -> i64 {
        match self {
            Figure::DevelopmentScore => 100,
            _ => 1,
        }
    }
}

impl Add for ScorecardInputs {
    type Output = ScorecardInputs;
    fn add(mut self, o: ScorecardInputs) -> ScorecardInputs {
        ScorecardInputs::add(&mut self, &o);
        self
    }
}

impl Sum for ScorecardInputs {
    fn sum<I: Iterator<Item = ScorecardInputs>>(iter: I) -> ScorecardInputs {
        iter.fold(ScorecardInputs::default(), Add::add)
    }
}

impl<'a> Sum<&'a ScorecardInputs> for ScorecardInputs {
    fn sum<I: Iterator<Item = &'a ScorecardInputs>>(iter: I) -> ScorecardInputs {
        iter.copied().sum()
    }
}

/// Setters from the tallies the registers already keep, so the store hands over what it
/// holds without re-deriving the pairs.
impl ScorecardInputs {
    /// Both coverage figures from the coverage counts of the units.
    pub fn set_coverage(&mut self, c: &DomainCoverage) {
        self.org_coverage = Ratio::of(c.org_covered, c.operating);
        self.work_coverage = Ratio::of(c.work_covered, c.operating);
    }

    /// Organizational life summed over the branches.
    pub fn set_life(&mut self, l: &LifeTotals) {
        self.life_compliance = Ratio::of(l.met, l.due);
    }

    /// Training hours of a year: judged only once the year is over (`judged`) and when
    /// anything is recorded; members of orgs that recorded nothing are left out.
    pub fn set_training(&mut self, t: &crate::training::Tally, judged: bool) {
        let den = t.members - t.unrecorded;
        self.training_met = if judged && t.recorded() && den > 0 {
            Ratio::of(t.met, den)
        } else {
            Ratio::default()
        };
    }

    /// The org's latest graded duty report (`None`: none graded).
    pub fn set_duty_grade(&mut self, grade: Option<Grade>) {
        self.duty_good = match grade {
            Some(g) => Ratio::of(i64::from(matches!(g, Grade::Good | Grade::FairlyGood)), 1),
            None => Ratio::default(),
        };
    }

    /// A year's admissions by plan target (`recruitment::tally`): total first, young second.
    pub fn set_admissions(&mut self, a: &YearAdmissions) {
        self.recruits_young = Ratio::of(a[1], a[0]);
    }

    /// The tasks that reached the org.
    pub fn set_tasks(&mut self, t: &TaskTally) {
        self.tasks_on_time = Ratio::of(t.on_time, t.due());
    }

    /// The requests received, resolved, overdue and their feedback.
    pub fn set_requests(&mut self, c: &RequestCounts) {
        self.requests_resolved = Ratio::of(c.resolved, c.received);
        self.requests_in_time = Ratio::of(c.received - c.overdue, c.received);
        self.feedback_satisfied = Ratio::of(c.satisfied, c.with_feedback);
    }

    /// Counts one problem of a 督查 or 述职评议 by its status on the day: fixed (on time or
    /// late) meets, overdue fails, open and not yet due is not judged.
    pub fn add_problem(&mut self, status: ProblemStatus) {
        match status {
            ProblemStatus::Fixed | ProblemStatus::FixedLate => {
                self.problems_fixed += Ratio::flag(true)
            }
            ProblemStatus::Overdue => self.problems_fixed += Ratio::flag(false),
            ProblemStatus::Open => {}
        }
    }

    /// Counts one rectification measure on `today`: judged once done or past its
    /// deadline, met when done by the deadline.
    pub fn add_rectification_measure(&mut self, m: &crate::rectification::Measure, today: Date) {
        if m.done_on.is_some() || m.deadline < today {
            let on_time = m.done_on.is_some_and(|d| d <= m.deadline);
            self.measures_on_time += Ratio::flag(on_time);
        }
    }

    /// The org's latest closed survey of the period.
    pub fn set_survey(&mut self, s: &SatisfactionFacts) {
        self.survey_satisfied = Ratio::of(s.satisfied, s.ratings);
    }
}
