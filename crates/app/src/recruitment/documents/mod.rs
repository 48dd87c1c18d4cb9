//! The documents of 发展党员, generated from the recorded steps as `.docx` in the official
//! layout (`jiceng_io::docx`): the two 公示 notices, the 政治审查综合报告, the 预审请示, the
//! 支部大会决议 of ⑮ and the 转正决议 of ㉓. Pure data in, bytes out: the caller reads the
//! person and the steps from the store. A document whose facts are not recorded is not
//! printed with blanks: `render` answers which steps (and which part of them) are missing.

mod facts;
mod notices;
mod resolutions;
mod review;

use std::fmt;

use jiceng_domain::recruitment::{StepKind, StepRecord};
use jiceng_domain::{Date, Education, Gender};
use jiceng_io::docx::{official_docx, Block, DocxError};

pub use facts::chinese_date;

/// The organization that issues a document: the branch, and its higher committee (the
/// addressee of a 请示).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OrgDoc {
    pub name: String,
    pub parent_name: Option<String>,
}

/// A person on the way, with every step recorded for them (any order).
#[derive(Debug, Clone, PartialEq)]
pub struct PersonDoc {
    pub name: String,
    pub gender: Gender,
    pub ethnicity: String,
    pub birth_date: Date,
    pub education: Option<Education>,
    pub occupation: Option<String>,
    pub steps: Vec<StepRecord>,
}

/// The documents that can be generated.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum DocKind {
    /// 发展对象公示 (with ⑦).
    CandidateNotice,
    /// 拟接收预备党员公示 (before ⑮; its dates are recorded on ⑮).
    ProbationaryNotice,
    /// 政治审查综合报告 (⑩).
    PoliticalReview,
    /// 预审请示 to the higher committee (⑬), for one or more candidates.
    PreReviewRequest,
    /// 支部大会决议 on receiving a probationary member (⑮).
    BranchResolution,
    /// 支部大会决议 on confirmation (㉓).
    ConfirmationResolution,
}

impl DocKind {
    pub const ALL: [DocKind; 6] = [
        DocKind::CandidateNotice,
        DocKind::PoliticalReview,
        DocKind::PreReviewRequest,
        DocKind::ProbationaryNotice,
        DocKind::BranchResolution,
        DocKind::ConfirmationResolution,
    ];

    pub fn label(self) -> &'static str {
        match self {
            DocKind::CandidateNotice => "发展对象公示",
            DocKind::ProbationaryNotice => "拟接收预备党员公示",
            DocKind::PoliticalReview => "政治审查综合报告",
            DocKind::PreReviewRequest => "预审请示",
            DocKind::BranchResolution => "支部大会决议",
            DocKind::ConfirmationResolution => "转正决议",
        }
    }

    /// The key in URLs: `/recruitment/…/documents/branch-resolution.docx`.
    pub fn key(self) -> &'static str {
        match self {
            DocKind::CandidateNotice => "candidate-notice",
            DocKind::ProbationaryNotice => "probationary-notice",
            DocKind::PoliticalReview => "political-review",
            DocKind::PreReviewRequest => "pre-review-request",
            DocKind::BranchResolution => "branch-resolution",
            DocKind::ConfirmationResolution => "confirmation-resolution",
        }
    }

    pub fn parse(key: &str) -> Option<DocKind> {
        DocKind::ALL.into_iter().find(|k| k.key() == key.trim())
    }

    /// The step the document belongs to (where the timeline offers it). Its facts come
    /// from this and earlier steps; the 预审请示 is written before ⑬ is recorded (it asks
    /// for it), from the steps up to ⑫.
    pub fn step(self) -> StepKind {
        match self {
            DocKind::CandidateNotice => StepKind::CandidateNamed,
            DocKind::PoliticalReview => StepKind::PoliticalReview,
            DocKind::PreReviewRequest => StepKind::PreReview,
            DocKind::ProbationaryNotice | DocKind::BranchResolution => StepKind::BranchVote,
            DocKind::ConfirmationResolution => StepKind::ConfirmationVote,
        }
    }

    /// Whether the document lists several people (the others are about exactly one).
    pub fn takes_many(self) -> bool {
        self == DocKind::PreReviewRequest
    }

    /// The file name a browser saves: "支部大会决议-张三.docx", "预审请示-张三等2人.docx".
    pub fn file_name(self, people: &[PersonDoc]) -> String {
        let who = match people {
            [one] => one.name.clone(),
            [first, ..] => format!("{}等{}人", first.name, people.len()),
            [] => String::new(),
        };
        format!("{}-{who}.docx", self.label())
    }
}

/// One fact a document needs and the records lack: the step, and what of it (`None`: the
/// step is not recorded at all).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Lack {
    pub person: String,
    pub step: StepKind,
    pub part: Option<&'static str>,
}

/// The steps to record before a document can be generated.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Missing {
    pub kind: DocKind,
    /// The steps, each once, in the order of the way.
    pub steps: Vec<StepKind>,
    /// Every fact lacking, by person (a 请示 lists several).
    pub lacks: Vec<Lack>,
}

impl Missing {
    fn new(kind: DocKind, lacks: Vec<Lack>) -> Missing {
        let mut steps: Vec<StepKind> = lacks.iter().map(|l| l.step).collect();
        steps.sort_by_key(|s| s.number());
        steps.dedup();
        Missing { kind, steps, lacks }
    }
}

impl fmt::Display for Missing {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let many = self.kind.takes_many();
        let items: Vec<String> = self
            .lacks
            .iter()
            .map(|l| {
                let who = if many {
                    format!("{}：", l.person)
                } else {
                    String::new()
                };
                match l.part {
                    Some(part) => format!("{who}{}（{part}）", l.step.title()),
                    None => format!("{who}{}", l.step.title()),
                }
            })
            .collect();
        write!(
            f,
            "生成「{}」需要先记录：{}",
            self.kind.label(),
            items.join("；")
        )
    }
}

/// Why a document was not generated.
#[derive(Debug, thiserror::Error)]
pub enum DocError {
    /// Facts not recorded yet.
    #[error("{0}")]
    Missing(Missing),
    /// A one-person document given none or several, or a 请示 given nobody.
    #[error("「{}」{}，收到 {given} 人", kind.label(), if kind.takes_many() { "至少列一人" } else { "只为一人生成" })]
    People { kind: DocKind, given: usize },
    /// A 请示 goes to the higher committee; the org has none on record.
    #[error("「{}」报送上级党委，但本组织没有记录上级党委", kind.label())]
    NoHigherCommittee { kind: DocKind },
    #[error(transparent)]
    Write(#[from] DocxError),
}

/// The document as a `.docx` package. `dated` is the date printed under the signer of the
/// 政治审查综合报告 and the 预审请示 (the day they are issued); a notice is dated the first
/// day of its 公示 (the day it was posted), a resolution the day of its meeting.
pub fn render(
    kind: DocKind,
    org: &OrgDoc,
    people: &[PersonDoc],
    dated: Date,
) -> Result<Vec<u8>, DocError> {
    let blocks = blocks(kind, org, people, dated)?;
    Ok(official_docx(&blocks)?)
}

/// The document as blocks of text (title, paragraphs, signature), for a preview.
pub fn blocks(
    kind: DocKind,
    org: &OrgDoc,
    people: &[PersonDoc],
    dated: Date,
) -> Result<Vec<Block>, DocError> {
    let fits = if kind.takes_many() {
        !people.is_empty()
    } else {
        people.len() == 1
    };
    if !fits {
        return Err(DocError::People {
            kind,
            given: people.len(),
        });
    }
    let (blocks, lacks) = match kind {
        DocKind::CandidateNotice => notices::candidate(org, &people[0]),
        DocKind::ProbationaryNotice => notices::probationary(org, &people[0]),
        DocKind::PoliticalReview => review::political(org, &people[0], dated),
        DocKind::PreReviewRequest => review::request(org, people, dated)?,
        DocKind::BranchResolution => resolutions::admission(org, &people[0]),
        DocKind::ConfirmationResolution => resolutions::confirmation(org, &people[0]),
    };
    if lacks.is_empty() {
        Ok(blocks)
    } else {
        Err(DocError::Missing(Missing::new(kind, lacks)))
    }
}
