//! The 25 steps of 发展党员 (《中国共产党发展党员工作细则》, five stages) and the four
//! events that end or change the way: 撤回申请, 支部大会未通过, 延长预备期, 取消预备党员资格.

use serde::{Deserialize, Serialize};

use crate::Date;

/// 入党申请人 → 入党积极分子 → 发展对象 → 预备党员 → 正式党员.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub enum RecruitStage {
    Applicant,
    Activist,
    Candidate,
    Probationary,
    Full,
}

impl RecruitStage {
    pub const ALL: [RecruitStage; 5] = [
        RecruitStage::Applicant,
        RecruitStage::Activist,
        RecruitStage::Candidate,
        RecruitStage::Probationary,
        RecruitStage::Full,
    ];

    pub fn label(self) -> &'static str {
        match self {
            RecruitStage::Applicant => "入党申请人",
            RecruitStage::Activist => "入党积极分子",
            RecruitStage::Candidate => "发展对象",
            RecruitStage::Probationary => "预备党员",
            RecruitStage::Full => "正式党员",
        }
    }

    /// The key used in JSON (`by_stage`).
    pub fn key(self) -> &'static str {
        match self {
            RecruitStage::Applicant => "applicant",
            RecruitStage::Activist => "activist",
            RecruitStage::Candidate => "candidate",
            RecruitStage::Probationary => "probationary",
            RecruitStage::Full => "confirmed",
        }
    }

    pub fn parse_key(s: &str) -> Option<RecruitStage> {
        RecruitStage::ALL.into_iter().find(|x| x.key() == s)
    }
}

/// One step of the way, or an event that ends or changes it. The numbers are the 细则's
/// ① to ㉕; the events are numbered from 101.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub enum StepKind {
    Apply,
    Talk,
    ActivistNamed,
    ActivistFiled,
    ContactsAssigned,
    ActivistAssessed,
    CandidateNamed,
    CandidateFiled,
    SponsorsNamed,
    PoliticalReview,
    CandidateTraining,
    CommitteeReview,
    PreReview,
    FormFilled,
    BranchVote,
    HigherTalk,
    Approved,
    ApprovalFiled,
    Placed,
    Oath,
    ProbationEducation,
    ConfirmationApplied,
    ConfirmationVote,
    Confirmed,
    Archived,
    Withdrawn,
    VoteFailed,
    ProbationExtended,
    ProbationCancelled,
}

/// What kind of place a step has on the way.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Place {
    /// On the main line: recorded once, in order; the next due step is one of these.
    Key,
    /// A filing or formality inside a stage (备案, 填写志愿书, 编入支部, 归档): may be recorded
    /// while its stage runs, never required, never due.
    Inside,
    /// Recorded again and again while its stage runs (培养教育考察, 继续教育考察).
    Repeated,
    /// An event that ends or changes the way.
    Event,
}

impl StepKind {
    pub const STEPS: [StepKind; 25] = [
        StepKind::Apply,
        StepKind::Talk,
        StepKind::ActivistNamed,
        StepKind::ActivistFiled,
        StepKind::ContactsAssigned,
        StepKind::ActivistAssessed,
        StepKind::CandidateNamed,
        StepKind::CandidateFiled,
        StepKind::SponsorsNamed,
        StepKind::PoliticalReview,
        StepKind::CandidateTraining,
        StepKind::CommitteeReview,
        StepKind::PreReview,
        StepKind::FormFilled,
        StepKind::BranchVote,
        StepKind::HigherTalk,
        StepKind::Approved,
        StepKind::ApprovalFiled,
        StepKind::Placed,
        StepKind::Oath,
        StepKind::ProbationEducation,
        StepKind::ConfirmationApplied,
        StepKind::ConfirmationVote,
        StepKind::Confirmed,
        StepKind::Archived,
    ];

    pub const EVENTS: [StepKind; 4] = [
        StepKind::Withdrawn,
        StepKind::VoteFailed,
        StepKind::ProbationExtended,
        StepKind::ProbationCancelled,
    ];

    /// Every kind: the 25 steps then the four events.
    pub fn all() -> impl Iterator<Item = StepKind> {
        StepKind::STEPS.into_iter().chain(StepKind::EVENTS)
    }

    /// ① = 1 … ㉕ = 25; the events 101 to 104. Stored in `recruitment_step.step`.
    pub fn number(self) -> i64 {
        match StepKind::STEPS.iter().position(|s| *s == self) {
            Some(i) => i as i64 + 1,
            None => {
                101 + StepKind::EVENTS
                    .iter()
                    .position(|s| *s == self)
                    .expect("an event") as i64
            }
        }
    }

    pub fn from_number(n: i64) -> Option<StepKind> {
        match n {
            1..=25 => Some(StepKind::STEPS[(n - 1) as usize]),
            101..=104 => Some(StepKind::EVENTS[(n - 101) as usize]),
            _ => None,
        }
    }

    /// The circled number a county writes (①…㉕), empty for events.
    pub fn mark(self) -> &'static str {
        const MARKS: [&str; 25] = [
            "①", "②", "③", "④", "⑤", "⑥", "⑦", "⑧", "⑨", "⑩", "⑪", "⑫", "⑬", "⑭", "⑮", "⑯", "⑰",
            "⑱", "⑲", "⑳", "㉑", "㉒", "㉓", "㉔", "㉕",
        ];
        match self.number() {
            n @ 1..=25 => MARKS[(n - 1) as usize],
            _ => "",
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            StepKind::Apply => "递交入党申请书",
            StepKind::Talk => "党组织派人谈话",
            StepKind::ActivistNamed => "确定入党积极分子",
            StepKind::ActivistFiled => "入党积极分子报上级党委备案",
            StepKind::ContactsAssigned => "指定培养联系人",
            StepKind::ActivistAssessed => "培养教育考察",
            StepKind::CandidateNamed => "确定发展对象",
            StepKind::CandidateFiled => "发展对象报上级党委备案",
            StepKind::SponsorsNamed => "确定入党介绍人",
            StepKind::PoliticalReview => "进行政治审查",
            StepKind::CandidateTraining => "开展集中培训",
            StepKind::CommitteeReview => "支部委员会审查",
            StepKind::PreReview => "上级党委预审",
            StepKind::FormFilled => "填写入党志愿书",
            StepKind::BranchVote => "支部大会讨论接收预备党员",
            StepKind::HigherTalk => "上级党委派人谈话",
            StepKind::Approved => "上级党委审批",
            StepKind::ApprovalFiled => "报再上一级党委组织部门备案",
            StepKind::Placed => "编入党支部和党小组",
            StepKind::Oath => "入党宣誓",
            StepKind::ProbationEducation => "继续教育考察",
            StepKind::ConfirmationApplied => "提出转正申请",
            StepKind::ConfirmationVote => "支部大会讨论转正",
            StepKind::Confirmed => "上级党委审批转正",
            StepKind::Archived => "材料归档",
            StepKind::Withdrawn => "撤回申请（终止发展）",
            StepKind::VoteFailed => "支部大会未通过接收",
            StepKind::ProbationExtended => "延长预备期",
            StepKind::ProbationCancelled => "取消预备党员资格",
        }
    }

    /// The step's number and name as a county writes it: "⑮ 支部大会讨论接收预备党员".
    pub fn title(self) -> String {
        match self.mark() {
            "" => self.label().to_string(),
            m => format!("{m} {}", self.label()),
        }
    }

    pub fn place(self) -> Place {
        use StepKind::*;
        match self {
            ActivistFiled | CandidateFiled | FormFilled | HigherTalk | ApprovalFiled | Placed
            | Archived => Place::Inside,
            ActivistAssessed | ProbationEducation => Place::Repeated,
            Withdrawn | VoteFailed | ProbationExtended | ProbationCancelled => Place::Event,
            _ => Place::Key,
        }
    }

    /// The stage a person is in once this step is recorded (steps), or `None` (events).
    pub fn stage(self) -> Option<RecruitStage> {
        let n = self.number();
        Some(match n {
            1..=2 => RecruitStage::Applicant,
            3..=6 => RecruitStage::Activist,
            7..=16 => RecruitStage::Candidate,
            17..=23 => RecruitStage::Probationary,
            24..=25 => RecruitStage::Full,
            _ => return None,
        })
    }

    /// The stage of the 细则 the step belongs to (1–5), for the timeline's headings.
    pub fn part(self) -> Option<u8> {
        Some(match self.number() {
            1..=2 => 1,
            3..=6 => 2,
            7..=11 => 3,
            12..=18 => 4,
            19..=25 => 5,
            _ => return None,
        })
    }

    /// Whether the step is a vote of the branch meeting (counts recorded).
    pub fn is_vote(self) -> bool {
        matches!(self, StepKind::BranchVote | StepKind::ConfirmationVote)
    }

    /// A step named by its number (`15`, `⑮`), its name or a key as the API writes it.
    pub fn parse(s: &str) -> Option<StepKind> {
        let s = s.trim();
        if s.is_empty() {
            return None;
        }
        if let Ok(n) = s.parse::<i64>() {
            return StepKind::from_number(n);
        }
        StepKind::all()
            .find(|k| k.mark() == s || k.label() == s || k.title() == s || format!("{k:?}") == s)
    }
}

/// 表决: the counts of a branch meeting's vote.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Vote {
    /// 应到会有表决权的正式党员.
    pub due: u32,
    /// 实到会有表决权的正式党员.
    pub present: u32,
    pub yes: u32,
    pub no: u32,
    pub abstain: u32,
    /// 因故不能到会的有表决权的正式党员的书面意见 counted.
    #[serde(default)]
    pub written: u32,
    /// 无记名投票; `None`: not recorded.
    #[serde(default)]
    pub secret: Option<bool>,
}

/// 公示: the days a notice stood, both included.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Notice {
    pub from: Date,
    pub to: Date,
}

/// 集中培训: days and/or 学时 (either may be missing from a ledger).
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct Training {
    #[serde(default)]
    pub days: Option<u32>,
    #[serde(default)]
    pub hours: Option<f64>,
}

/// An 入党介绍人 as the app found them on the roster: `full_on` is the day they became a
/// full member (`None`: not a full member, or not found on the roster).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Sponsor {
    #[serde(default)]
    pub member_id: Option<i64>,
    pub name: String,
    #[serde(default)]
    pub full_on: Option<Date>,
    /// Whether the sponsor was looked up on the roster at all (a ledger's name that matched
    /// nobody is not known to be anything).
    #[serde(default)]
    pub on_roster: bool,
}

/// One step recorded for one person.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct StepRecord {
    pub kind: StepKind,
    pub on: Date,
    /// The document's number or reference (文号, 志愿书编号…).
    #[serde(default)]
    pub doc_ref: Option<String>,
    /// The people involved by name: talkers, 培养联系人, the committee's members.
    #[serde(default)]
    pub people: Vec<String>,
    #[serde(default)]
    pub sponsors: Vec<Sponsor>,
    #[serde(default)]
    pub vote: Option<Vote>,
    #[serde(default)]
    pub notice: Option<Notice>,
    #[serde(default)]
    pub training: Option<Training>,
    /// 延长预备期: the day the extended probation ends.
    #[serde(default)]
    pub until: Option<Date>,
    #[serde(default)]
    pub note: Option<String>,
}

impl StepRecord {
    /// A step with its date and nothing else.
    pub fn new(kind: StepKind, on: Date) -> StepRecord {
        StepRecord {
            kind,
            on,
            doc_ref: None,
            people: Vec::new(),
            sponsors: Vec::new(),
            vote: None,
            notice: None,
            training: None,
            until: None,
            note: None,
        }
    }
}
