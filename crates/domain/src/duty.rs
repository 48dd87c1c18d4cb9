//! 述职评议考核 (SPEC C6): a secretary's annual duty report on party building — the report,
//! the meeting that heard it, the evaluators' grades (好 / 较好 / 一般 / 差) with their
//! counts and the grade that results by the rule set's [`DutyRules`], and the problems
//! named with who fixes each by when; 述职述廉 (an integrity report, graded or not) and
//! 离任审计 (the departure audit of a village or community cadre: the cadre, the period
//! audited, the auditor, the findings) recorded the same way, problems tracked to done.

use serde::{Deserialize, Serialize};

use crate::inspection::{check_problems, Problem, ProblemDraft};
use crate::Date;

pub const PERSON_MAX: usize = 50;
pub const POSITION_MAX: usize = 50;
pub const MEETING_MAX: usize = 100;
pub const REPORT_MAX: usize = 5_000;
/// Evaluators of one report, at most (a county's 述职评议会 with its members and
/// representatives).
pub const VOTES_MAX: i64 = 10_000;

/// What is recorded.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub enum DutyKind {
    /// 述职评议考核: a secretary's annual report on party building, graded.
    Duty,
    /// 述职述廉: a report on duty and integrity (graded when evaluators voted).
    Integrity,
    /// 离任审计: the audit of a village or community cadre leaving office.
    Departure,
}

impl DutyKind {
    pub const ALL: [DutyKind; 3] = [DutyKind::Duty, DutyKind::Integrity, DutyKind::Departure];

    pub fn code(self) -> &'static str {
        match self {
            DutyKind::Duty => "Duty",
            DutyKind::Integrity => "Integrity",
            DutyKind::Departure => "Departure",
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            DutyKind::Duty => "述职评议考核",
            DutyKind::Integrity => "述职述廉",
            DutyKind::Departure => "离任审计",
        }
    }

    /// What the day of the record is.
    pub fn day_label(self) -> &'static str {
        match self {
            DutyKind::Departure => "审计日期",
            _ => "述职日期",
        }
    }

    /// By code or Chinese label.
    pub fn parse(s: &str) -> Option<DutyKind> {
        let s = s.trim();
        DutyKind::ALL
            .into_iter()
            .find(|k| k.code() == s || k.label() == s)
    }
}

/// An evaluator's grade, and the resulting grade of a report.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub enum Grade {
    /// 好
    Good,
    /// 较好
    FairlyGood,
    /// 一般
    Average,
    /// 差
    Poor,
}

impl Grade {
    pub const ALL: [Grade; 4] = [Grade::Good, Grade::FairlyGood, Grade::Average, Grade::Poor];

    pub fn code(self) -> &'static str {
        match self {
            Grade::Good => "Good",
            Grade::FairlyGood => "FairlyGood",
            Grade::Average => "Average",
            Grade::Poor => "Poor",
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            Grade::Good => "好",
            Grade::FairlyGood => "较好",
            Grade::Average => "一般",
            Grade::Poor => "差",
        }
    }

    pub fn parse(s: &str) -> Option<Grade> {
        let s = s.trim();
        Grade::ALL
            .into_iter()
            .find(|g| g.code() == s || g.label() == s)
    }
}

/// The evaluators' grades, counted (a grade not given counts none).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct Votes {
    pub good: i64,
    pub fairly_good: i64,
    pub average: i64,
    pub poor: i64,
}

impl Votes {
    pub fn total(&self) -> i64 {
        self.good + self.fairly_good + self.average + self.poor
    }

    pub fn of(&self, g: Grade) -> i64 {
        match g {
            Grade::Good => self.good,
            Grade::FairlyGood => self.fairly_good,
            Grade::Average => self.average,
            Grade::Poor => self.poor,
        }
    }
}

/// 述职评议考核 (SPEC C6): how the evaluators' grades make the report's grade, and what an
/// overdue problem costs in the rating. No national rule sets the numbers; the shipped
/// values are a local example (the department sets its own).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct DutyRules {
    /// Points of each grade (好, 较好, 一般, 差), averaged over the evaluators.
    pub points: [f64; 4],
    /// The least average for 好, 较好 and 一般 (below: 差).
    pub good_min: f64,
    pub fairly_good_min: f64,
    pub average_min: f64,
    /// More than this share of 差 makes the grade 差 whatever the average.
    pub poor_share_max: f64,
    /// What each problem named in the year's reports and still open past its deadline
    /// takes from the rating's 重点任务完成 indicator.
    pub overdue_problem_points: f64,
    pub source: String,
}

impl Default for DutyRules {
    fn default() -> DutyRules {
        DutyRules {
            points: [100.0, 80.0, 60.0, 0.0],
            good_min: 90.0,
            fairly_good_min: 75.0,
            average_min: 60.0,
            poor_share_max: 1.0 / 3.0,
            overdue_problem_points: 10.0,
            source: "本地示例（《党委（党组）落实全面从严治党主体责任规定》和各地基层党组织书记抓基层党建工作述职评议考核办法：评议等次分好、较好、一般、差，按测评票加权计算，“差”票超过三分之一的定为差；具体分值由组织部门按本地办法设定）".into(),
        }
    }
}

impl DutyRules {
    /// The evaluators' average points; `None` when nobody graded.
    pub fn score(&self, v: &Votes) -> Option<f64> {
        let total = v.total();
        if total <= 0 {
            return None;
        }
        let sum: f64 = Grade::ALL
            .iter()
            .zip(self.points)
            .map(|(g, p)| v.of(*g) as f64 * p)
            .sum();
        Some(sum / total as f64)
    }

    /// The grade the votes give; `None` when nobody graded.
    pub fn grade(&self, v: &Votes) -> Option<Grade> {
        let score = self.score(v)?;
        if v.poor as f64 > v.total() as f64 * self.poor_share_max {
            return Some(Grade::Poor);
        }
        Some(if score >= self.good_min {
            Grade::Good
        } else if score >= self.fairly_good_min {
            Grade::FairlyGood
        } else if score >= self.average_min {
            Grade::Average
        } else {
            Grade::Poor
        })
    }

    /// The rule in words, as the pages print it.
    pub fn describe(&self) -> String {
        let n = |x: f64| format!("{}", (x * 10.0).round() / 10.0);
        let share = if (self.poor_share_max - 1.0 / 3.0).abs() < 1e-9 {
            "三分之一".to_string()
        } else {
            format!("{}%", n(self.poor_share_max * 100.0))
        };
        format!(
            "好、较好、一般、差分别计{}、{}、{}、{}分取平均，{}分以上为好、{}分以上为较好、{}分以上为一般，“差”票超过{share}的定为差；每个逾期未整改的问题在“重点任务完成”指标中扣{}分",
            n(self.points[0]),
            n(self.points[1]),
            n(self.points[2]),
            n(self.points[3]),
            n(self.good_min),
            n(self.fairly_good_min),
            n(self.average_min),
            n(self.overdue_problem_points)
        )
    }

    /// The points of a resulting grade (as the rating counts it).
    pub fn points_of(&self, g: Grade) -> f64 {
        self.points[Grade::ALL.iter().position(|x| *x == g).unwrap_or(3)]
    }
}

/// How the evaluators' average makes a grade, as the department sets it in place of the
/// rule set's: the least average for 好, 较好 and 一般, and the share of 差 votes above which
/// the grade is 差. The points of each grade stay the rule set's (the rating counts grades
/// by them).
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct DutyGrading {
    pub good_min: f64,
    pub fairly_good_min: f64,
    pub average_min: f64,
    pub poor_share_max: f64,
}

impl DutyGrading {
    /// The grading of `rules`.
    pub fn of(rules: &DutyRules) -> DutyGrading {
        DutyGrading {
            good_min: rules.good_min,
            fairly_good_min: rules.fairly_good_min,
            average_min: rules.average_min,
            poor_share_max: rules.poor_share_max,
        }
    }

    /// The grading checked: each least average from 0 to 100 (好 above 较好 above 一般),
    /// the share of 差 above 0 and at most 1; else why not.
    pub fn check(&self) -> Result<(), String> {
        let (g, f, a) = (self.good_min, self.fairly_good_min, self.average_min);
        for (v, what) in [(g, "好"), (f, "较好"), (a, "一般")] {
            if !(0.0..=100.0).contains(&v) || v.is_nan() {
                return Err(format!("“{what}”的最低平均分应在0到100之间，填写的是{v}"));
            }
        }
        if !(g > f && f > a) {
            return Err(format!(
                "最低平均分应为好高于较好、较好高于一般，填写的是{g}、{f}、{a}"
            ));
        }
        let p = self.poor_share_max;
        if !(p > 0.0 && p <= 1.0) {
            return Err(format!(
                "“差”票的比例应大于0%、不超过100%，填写的是{}%",
                (p * 1000.0).round() / 10.0
            ));
        }
        Ok(())
    }

    /// `rules` graded this way instead, its source saying by whom.
    pub fn apply(&self, rules: &DutyRules, source: String) -> DutyRules {
        DutyRules {
            good_min: self.good_min,
            fairly_good_min: self.fairly_good_min,
            average_min: self.average_min,
            poor_share_max: self.poor_share_max,
            source,
            ..rules.clone()
        }
    }
}

/// A record as written on the form.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DutyDraft {
    pub kind: DutyKind,
    /// The year reported on (述职的年度); a departure audit's is its day's.
    pub year: Option<i32>,
    /// The secretary who reports, or the cadre audited.
    pub person: String,
    /// Their office (党支部书记, 村党组织书记、村委会主任…).
    pub position: String,
    /// The day of the meeting, or of the audit.
    pub on: Option<Date>,
    /// The meeting that heard the report (党员大会, 乡镇党委述职评议会), or the auditor.
    pub meeting: String,
    /// A departure audit's period in office.
    pub from: Option<Date>,
    pub to: Option<Date>,
    /// The report (or its summary), or the audit's findings.
    pub report: String,
    pub votes: Votes,
    pub problems: Vec<ProblemDraft>,
}

impl DutyDraft {
    pub fn new(kind: DutyKind) -> DutyDraft {
        DutyDraft {
            kind,
            year: None,
            person: String::new(),
            position: String::new(),
            on: None,
            meeting: String::new(),
            from: None,
            to: None,
            report: String::new(),
            votes: Votes::default(),
            problems: Vec::new(),
        }
    }
}

/// A record checked, its grade given by the rules.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct CheckedDuty {
    pub kind: DutyKind,
    pub year: i32,
    pub person: String,
    pub position: String,
    pub on: Date,
    pub meeting: String,
    pub from: Option<Date>,
    pub to: Option<Date>,
    pub report: String,
    pub votes: Votes,
    pub grade: Option<Grade>,
    pub problems: Vec<Problem>,
}

/// What is wrong with a record, and the part of the form it is about.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum DutyError {
    Year(String),
    Person(String),
    Position(String),
    On(String),
    Meeting(String),
    Period(String),
    Report(String),
    Votes(String),
    /// The n-th problem (from 0).
    Problem(usize, String),
}

impl DutyError {
    pub fn field(&self) -> &'static str {
        match self {
            DutyError::Year(_) => "year",
            DutyError::Person(_) => "person",
            DutyError::Position(_) => "position",
            DutyError::On(_) => "on",
            DutyError::Meeting(_) => "meeting",
            DutyError::Period(_) => "period",
            DutyError::Report(_) => "report",
            DutyError::Votes(_) => "votes",
            DutyError::Problem(..) => "problems",
        }
    }
}

impl std::fmt::Display for DutyError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            DutyError::Year(m)
            | DutyError::Person(m)
            | DutyError::Position(m)
            | DutyError::On(m)
            | DutyError::Meeting(m)
            | DutyError::Period(m)
            | DutyError::Report(m)
            | DutyError::Votes(m)
            | DutyError::Problem(_, m) => f.write_str(m),
        }
    }
}

impl std::error::Error for DutyError {}

fn text(s: &str, max: usize, empty: &str, what: &str) -> Result<String, String> {
    let s = s.trim();
    if s.is_empty() {
        return Err(empty.to_string());
    }
    if s.chars().count() > max {
        return Err(format!("{what}不超过{max}个字"));
    }
    Ok(s.to_string())
}

/// Checks a record written on `today`, grading it by `rules`. Blank problem lines are
/// skipped.
pub fn check(d: &DutyDraft, rules: &DutyRules, today: Date) -> Result<CheckedDuty, DutyError> {
    use chrono::Datelike;
    let kind = d.kind;
    let day = kind.day_label();
    let on = d.on.ok_or_else(|| DutyError::On(format!("请填写{day}")))?;
    if on > today {
        return Err(DutyError::On(format!(
            "{day}{on}晚于今天（{today}）：请在{}后登记",
            if kind == DutyKind::Departure {
                "审计"
            } else {
                "述职"
            }
        )));
    }
    let who = if kind == DutyKind::Departure {
        "离任干部"
    } else {
        "述职人"
    };
    let person = text(
        &d.person,
        PERSON_MAX,
        &format!("请填写{who}姓名"),
        &format!("{who}姓名"),
    )
    .map_err(DutyError::Person)?;
    let position =
        text(&d.position, POSITION_MAX, "请填写职务", "职务").map_err(DutyError::Position)?;
    let (meeting_empty, meeting_what) = if kind == DutyKind::Departure {
        ("请填写审计单位", "审计单位")
    } else {
        ("请填写述职的会议（如党员大会、述职评议会）", "会议")
    };
    let meeting =
        text(&d.meeting, MEETING_MAX, meeting_empty, meeting_what).map_err(DutyError::Meeting)?;
    let (report_empty, report_what) = if kind == DutyKind::Departure {
        ("请填写审计发现的情况", "审计情况")
    } else {
        ("请填写述职报告（或其要点）", "述职报告")
    };
    let report =
        text(&d.report, REPORT_MAX, report_empty, report_what).map_err(DutyError::Report)?;
    let (year, from, to) = if kind == DutyKind::Departure {
        let from = d
            .from
            .ok_or_else(|| DutyError::Period("请填写任职起始日期".into()))?;
        let to =
            d.to.ok_or_else(|| DutyError::Period("请填写离任日期".into()))?;
        if from > to {
            return Err(DutyError::Period(format!(
                "任职起始日期{from}晚于离任日期{to}"
            )));
        }
        if to > on {
            return Err(DutyError::Period(format!("离任日期{to}晚于审计日期{on}")));
        }
        (on.year(), Some(from), Some(to))
    } else {
        let year = d
            .year
            .ok_or_else(|| DutyError::Year("请填写述职的年度".into()))?;
        // The report on a year is heard in that year or early the next.
        if year > on.year() || year < on.year() - 1 {
            return Err(DutyError::Year(format!(
                "{year}年度的述职应在{year}年或{}年进行，述职日期是{on}",
                year + 1
            )));
        }
        (year, None, None)
    };
    let v = d.votes;
    if [v.good, v.fairly_good, v.average, v.poor]
        .iter()
        .any(|n| *n < 0)
    {
        return Err(DutyError::Votes("测评票数不能为负数".into()));
    }
    if v.total() > VOTES_MAX {
        return Err(DutyError::Votes(format!("测评票合计不超过{VOTES_MAX}张")));
    }
    match kind {
        DutyKind::Duty if v.total() == 0 => {
            return Err(DutyError::Votes(
                "请填写评议测评结果（好、较好、一般、差各多少票）".into(),
            ))
        }
        DutyKind::Departure if v.total() > 0 => {
            return Err(DutyError::Votes("离任审计不作测评".into()))
        }
        _ => {}
    }
    let problems =
        check_problems(&d.problems, on, day).map_err(|(i, m)| DutyError::Problem(i, m))?;
    Ok(CheckedDuty {
        kind,
        year,
        person,
        position,
        on,
        meeting,
        from,
        to,
        report,
        votes: v,
        grade: rules.grade(&v),
        problems,
    })
}

/// What an org's duty records of a year bring to its rating: the latest graded 述职评议考核
/// heard by the day of the rating, and the problems named in the year's records.
#[derive(Debug, Clone, Copy, Default, PartialEq, Serialize, Deserialize)]
pub struct DutyFacts {
    /// The grade of the latest 述职评议考核 on the year and its evaluators' average.
    pub grade: Option<Grade>,
    pub score: Option<f64>,
    /// Problems named in the year's records (duty, integrity, departure).
    pub problems: i64,
    /// Of which not fixed on the day of the rating, and of those past their deadline.
    pub open: i64,
    pub overdue: i64,
}

#[cfg(test)]
mod tests;
