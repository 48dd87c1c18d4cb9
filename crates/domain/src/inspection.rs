//! 督查 (SPEC C6): an inspection of an org — the day, the inspectors, how it was done,
//! what was found, and the problems named with who fixes each by when — and the state of
//! a problem on a day.

use serde::{Deserialize, Serialize};

use crate::Date;

pub const INSPECTORS_MAX: usize = 20;
pub const FINDINGS_MAX: usize = 2_000;
pub const PROBLEMS_MAX: usize = 20;
pub const PROBLEM_MAX: usize = 500;
pub const OWNER_MAX: usize = 50;
pub const NOTE_MAX: usize = 1_000;

/// How an inspection was done (several may apply).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub enum Method {
    /// 实地查看
    OnSite,
    /// 查阅资料
    Records,
    /// 个别访谈
    Interviews,
    /// 问卷测评
    Questionnaire,
}

impl Method {
    pub const ALL: [Method; 4] = [
        Method::OnSite,
        Method::Records,
        Method::Interviews,
        Method::Questionnaire,
    ];

    pub fn code(self) -> &'static str {
        match self {
            Method::OnSite => "OnSite",
            Method::Records => "Records",
            Method::Interviews => "Interviews",
            Method::Questionnaire => "Questionnaire",
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            Method::OnSite => "实地查看",
            Method::Records => "查阅资料",
            Method::Interviews => "个别访谈",
            Method::Questionnaire => "问卷测评",
        }
    }

    /// By code or Chinese label.
    pub fn parse(s: &str) -> Option<Method> {
        let s = s.trim();
        Method::ALL
            .into_iter()
            .find(|m| m.code() == s || m.label() == s)
    }
}

/// A problem as written on the form (or sent to the API: a field left out is empty).
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize)]
#[serde(default)]
pub struct ProblemDraft {
    pub description: String,
    pub owner: String,
    pub deadline: Option<Date>,
}

/// An inspection as written on the form.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct InspectionDraft {
    pub on: Option<Date>,
    /// Names separated by 、，, or spaces.
    pub inspectors: String,
    pub methods: Vec<Method>,
    pub findings: String,
    pub problems: Vec<ProblemDraft>,
}

/// A problem found, to be fixed by its owner by its deadline.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Problem {
    pub description: String,
    pub owner: String,
    pub deadline: Date,
}

/// An inspection checked.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Checked {
    pub on: Date,
    pub inspectors: Vec<String>,
    pub methods: Vec<Method>,
    pub findings: String,
    pub problems: Vec<Problem>,
}

/// What is wrong with an inspection or a fix, and the part of the form it is about.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum InspectionError {
    On(String),
    Inspectors(String),
    Methods(String),
    Findings(String),
    /// The n-th problem (from 0).
    Problem(usize, String),
    Fix(String),
}

impl InspectionError {
    /// The form field it belongs to.
    pub fn field(&self) -> &'static str {
        match self {
            InspectionError::On(_) => "on",
            InspectionError::Inspectors(_) => "inspectors",
            InspectionError::Methods(_) => "methods",
            InspectionError::Findings(_) => "findings",
            InspectionError::Problem(..) => "problems",
            InspectionError::Fix(_) => "fix",
        }
    }
}

impl std::fmt::Display for InspectionError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            InspectionError::On(m)
            | InspectionError::Inspectors(m)
            | InspectionError::Methods(m)
            | InspectionError::Findings(m)
            | InspectionError::Problem(_, m)
            | InspectionError::Fix(m) => f.write_str(m),
        }
    }
}

impl std::error::Error for InspectionError {}

/// The names of a list typed as one text.
pub fn names(s: &str) -> Vec<String> {
    s.split(['、', '，', ',', ';', '；', ' ', '\u{3000}'])
        .map(str::trim)
        .filter(|n| !n.is_empty())
        .map(str::to_string)
        .collect()
}

/// Checks an inspection recorded on `today`. Blank problem lines are skipped.
pub fn check(d: &InspectionDraft, today: Date) -> Result<Checked, InspectionError> {
    let on =
        d.on.ok_or_else(|| InspectionError::On("请填写督查日期".into()))?;
    if on > today {
        return Err(InspectionError::On(format!(
            "督查日期{on}晚于今天（{today}）：请在督查后登记"
        )));
    }
    let inspectors = names(&d.inspectors);
    if inspectors.is_empty() {
        return Err(InspectionError::Inspectors("请填写督查人员".into()));
    }
    if inspectors.len() > INSPECTORS_MAX {
        return Err(InspectionError::Inspectors(format!(
            "督查人员最多{INSPECTORS_MAX}人"
        )));
    }
    if inspectors.iter().any(|n| n.chars().count() > OWNER_MAX) {
        return Err(InspectionError::Inspectors(
            "督查人员姓名之间请用顿号分隔".into(),
        ));
    }
    if d.methods.is_empty() {
        return Err(InspectionError::Methods("请选择督查方式".into()));
    }
    let findings = d.findings.trim();
    if findings.is_empty() {
        return Err(InspectionError::Findings("请填写督查发现的情况".into()));
    }
    if findings.chars().count() > FINDINGS_MAX {
        return Err(InspectionError::Findings(format!(
            "督查情况不超过{FINDINGS_MAX}个字"
        )));
    }
    let problems = check_problems(&d.problems, on, "督查日期")
        .map_err(|(i, m)| InspectionError::Problem(i, m))?;
    let mut methods = d.methods.clone();
    methods.sort();
    methods.dedup();
    Ok(Checked {
        on,
        inspectors,
        methods,
        findings: findings.to_string(),
        problems,
    })
}

/// Checks the problems found on `on` (an inspection's, a duty report's): each written, owned
/// and due not before `on` (`on_label` names that day in the refusal). Blank lines are
/// skipped; a refusal carries the line (from 0).
pub fn check_problems(
    drafts: &[ProblemDraft],
    on: Date,
    on_label: &str,
) -> Result<Vec<Problem>, (usize, String)> {
    let mut problems = Vec::new();
    for (i, p) in drafts.iter().enumerate() {
        let text = p.description.trim();
        let owner = p.owner.trim();
        if text.is_empty() && owner.is_empty() && p.deadline.is_none() {
            continue;
        }
        let n = problems.len() + 1;
        if problems.len() == PROBLEMS_MAX {
            return Err((i, format!("问题最多{PROBLEMS_MAX}个")));
        }
        if text.is_empty() {
            return Err((i, format!("第{n}个问题：请写明问题")));
        }
        if text.chars().count() > PROBLEM_MAX {
            return Err((i, format!("第{n}个问题不超过{PROBLEM_MAX}个字")));
        }
        if owner.is_empty() || owner.chars().count() > OWNER_MAX {
            return Err((
                i,
                format!("第{n}个问题：请填写整改责任人（不超过{OWNER_MAX}个字）"),
            ));
        }
        let Some(deadline) = p.deadline else {
            return Err((i, format!("第{n}个问题：请填写整改时限")));
        };
        if deadline < on {
            return Err((
                i,
                format!("第{n}个问题：整改时限{deadline}早于{on_label}{on}"),
            ));
        }
        problems.push(Problem {
            description: text.to_string(),
            owner: owner.to_string(),
            deadline,
        });
    }
    Ok(problems)
}

/// Checks a problem's fix: done on a day not before the inspection nor after today, with
/// what was done.
pub fn check_fix(
    inspected_on: Date,
    fixed_on: Option<Date>,
    note: &str,
    today: Date,
) -> Result<Date, InspectionError> {
    check_fix_since(inspected_on, "督查日期", fixed_on, note, today)
}

/// Checks a problem's fix: done on a day not before `since` (named `since_label`) nor after
/// today, with what was done.
pub fn check_fix_since(
    since: Date,
    since_label: &str,
    fixed_on: Option<Date>,
    note: &str,
    today: Date,
) -> Result<Date, InspectionError> {
    let on = fixed_on.ok_or_else(|| InspectionError::Fix("请填写整改完成日期".into()))?;
    if on > today {
        return Err(InspectionError::Fix(format!(
            "整改完成日期{on}晚于今天（{today}）"
        )));
    }
    if on < since {
        return Err(InspectionError::Fix(format!(
            "整改完成日期{on}早于{since_label}{since}"
        )));
    }
    let note = note.trim();
    if note.is_empty() {
        return Err(InspectionError::Fix("请写明整改情况".into()));
    }
    if note.chars().count() > NOTE_MAX {
        return Err(InspectionError::Fix(format!(
            "整改情况不超过{NOTE_MAX}个字"
        )));
    }
    Ok(on)
}

/// Where a problem stands on a day.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
pub enum ProblemStatus {
    Open,
    Overdue,
    Fixed,
    FixedLate,
}

impl ProblemStatus {
    pub fn of(fixed_on: Option<Date>, deadline: Date, today: Date) -> ProblemStatus {
        match fixed_on {
            Some(d) if d <= deadline => ProblemStatus::Fixed,
            Some(_) => ProblemStatus::FixedLate,
            None if today > deadline => ProblemStatus::Overdue,
            None => ProblemStatus::Open,
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            ProblemStatus::Open => "整改中",
            ProblemStatus::Overdue => "逾期未整改",
            ProblemStatus::Fixed => "已整改",
            ProblemStatus::FixedLate => "逾期整改",
        }
    }

    pub fn is_fixed(self) -> bool {
        matches!(self, ProblemStatus::Fixed | ProblemStatus::FixedLate)
    }

    pub fn is_overdue(self) -> bool {
        self == ProblemStatus::Overdue
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(s: &str) -> Date {
        s.parse().unwrap()
    }

    fn draft() -> InspectionDraft {
        InspectionDraft {
            on: Some(d("2026-12-03")),
            inspectors: "王督查、 李检查，张三".into(),
            methods: vec![Method::Records, Method::OnSite, Method::Records],
            findings: "三会一课记录不全".into(),
            problems: vec![
                ProblemDraft {
                    description: "支委会记录缺10月".into(),
                    owner: "支部书记".into(),
                    deadline: Some(d("2026-12-20")),
                },
                ProblemDraft::default(),
            ],
        }
    }

    #[test]
    fn an_inspection_is_checked_and_its_blank_lines_skipped() {
        let c = check(&draft(), d("2026-12-05")).unwrap();
        assert_eq!(c.inspectors, ["王督查", "李检查", "张三"]);
        assert_eq!(c.methods, [Method::OnSite, Method::Records]);
        assert_eq!(c.problems.len(), 1);
        assert_eq!(Method::parse("个别访谈"), Some(Method::Interviews));
    }

    #[test]
    fn each_refusal_names_its_part() {
        let today = d("2026-12-05");
        let with = |f: &dyn Fn(&mut InspectionDraft)| {
            let mut x = draft();
            f(&mut x);
            check(&x, today).unwrap_err().field()
        };
        assert_eq!(with(&|x| x.on = Some(d("2026-12-06"))), "on");
        assert_eq!(with(&|x| x.inspectors = " ".into()), "inspectors");
        assert_eq!(with(&|x| x.methods.clear()), "methods");
        assert_eq!(with(&|x| x.findings.clear()), "findings");
        assert_eq!(
            with(&|x| x.problems[0].deadline = Some(d("2026-12-01"))),
            "problems"
        );
        assert_eq!(with(&|x| x.problems[0].owner.clear()), "problems");
        let e = check(
            &InspectionDraft {
                problems: vec![ProblemDraft {
                    description: "x".into(),
                    owner: "y".into(),
                    deadline: None,
                }],
                ..draft()
            },
            today,
        )
        .unwrap_err();
        assert_eq!(e.to_string(), "第1个问题：请填写整改时限");
    }

    #[test]
    fn a_fix_and_a_problem_on_a_day() {
        let (on, today) = (d("2026-12-03"), d("2026-12-10"));
        assert_eq!(
            check_fix(on, Some(d("2026-12-08")), "已补齐", today),
            Ok(d("2026-12-08"))
        );
        assert!(check_fix(on, Some(d("2026-12-11")), "x", today).is_err());
        assert!(check_fix(on, Some(d("2026-12-01")), "x", today).is_err());
        assert!(check_fix(on, Some(d("2026-12-08")), " ", today).is_err());
        let by = d("2026-12-20");
        assert_eq!(ProblemStatus::of(None, by, by), ProblemStatus::Open);
        assert_eq!(
            ProblemStatus::of(None, by, d("2026-12-21")),
            ProblemStatus::Overdue
        );
        assert_eq!(
            ProblemStatus::of(Some(by), by, d("2027-01-01")),
            ProblemStatus::Fixed
        );
        assert_eq!(
            ProblemStatus::of(Some(d("2026-12-21")), by, d("2027-01-01")),
            ProblemStatus::FixedLate
        );
    }
}
