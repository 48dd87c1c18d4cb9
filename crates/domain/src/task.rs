//! 任务部署 and 减负 (SPEC C6): a task an org issues down its subtree — what it asks, by
//! when, what each target must report — and the weight such tasks put on the orgs that
//! receive them.
//!
//! "最多报一次": a task's form is a list of fields, each either asked of the target or
//! answered by the system from what it already holds ([`HeldFigure`], the catalogue). A
//! label that names a held figure is recognised when the task is written, so the issuer is
//! told before sending; asking for it anyway is allowed but counted in the burden ledger.

use serde::{Deserialize, Serialize};

use crate::{Date, Domain, OrgKind};

pub const TITLE_MAX: usize = 60;
pub const CONTENT_MAX: usize = 2_000;
pub const FIELDS_MAX: usize = 12;
pub const LABEL_MAX: usize = 30;
pub const TEXT_ANSWER_MAX: usize = 500;
pub const PROGRESS_MAX: usize = 1_000;

/// What a target types for an asked field.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum AnswerKind {
    /// 是 / 否
    YesNo,
    /// A number (people, times, yuan): up to two decimals.
    Number,
    /// A short text.
    Text,
    /// A file (a photo, a PDF, a Word or Excel document), uploaded on the task's page.
    File,
}

impl AnswerKind {
    pub const ALL: [AnswerKind; 4] = [
        AnswerKind::Number,
        AnswerKind::Text,
        AnswerKind::YesNo,
        AnswerKind::File,
    ];

    pub fn code(self) -> &'static str {
        match self {
            AnswerKind::YesNo => "YesNo",
            AnswerKind::Number => "Number",
            AnswerKind::Text => "Text",
            AnswerKind::File => "File",
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            AnswerKind::YesNo => "是/否",
            AnswerKind::Number => "数字",
            AnswerKind::Text => "文字",
            AnswerKind::File => "上传文件",
        }
    }

    pub fn from_code(s: &str) -> Option<AnswerKind> {
        AnswerKind::ALL.into_iter().find(|k| k.code() == s)
    }
}

/// What jiceng already holds about an org (its subtree), so a task never asks for it: each
/// is read from the org's stored facts on the day the answer is shown.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum HeldFigure {
    /// 党员总数 (the org's subtree).
    Members,
    /// 正式党员数.
    FullMembers,
    /// 预备党员数.
    ProbationaryMembers,
    /// 下级党组织数 (the orgs below it, itself not counted).
    OrgsBelow,
    /// 党支部数 (in its subtree, itself included).
    Branches,
    /// 是否配备书记.
    HasSecretary,
    /// 已覆盖单位数 (units whose party work the org covers).
    UnitsCovered,
}

impl HeldFigure {
    pub const ALL: [HeldFigure; 7] = [
        HeldFigure::Members,
        HeldFigure::FullMembers,
        HeldFigure::ProbationaryMembers,
        HeldFigure::OrgsBelow,
        HeldFigure::Branches,
        HeldFigure::HasSecretary,
        HeldFigure::UnitsCovered,
    ];

    pub fn code(self) -> &'static str {
        match self {
            HeldFigure::Members => "Members",
            HeldFigure::FullMembers => "FullMembers",
            HeldFigure::ProbationaryMembers => "ProbationaryMembers",
            HeldFigure::OrgsBelow => "OrgsBelow",
            HeldFigure::Branches => "Branches",
            HeldFigure::HasSecretary => "HasSecretary",
            HeldFigure::UnitsCovered => "UnitsCovered",
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            HeldFigure::Members => "党员总数",
            HeldFigure::FullMembers => "正式党员数",
            HeldFigure::ProbationaryMembers => "预备党员数",
            HeldFigure::OrgsBelow => "下级党组织数",
            HeldFigure::Branches => "党支部数",
            HeldFigure::HasSecretary => "是否配备书记",
            HeldFigure::UnitsCovered => "已覆盖单位数",
        }
    }

    pub fn from_code(s: &str) -> Option<HeldFigure> {
        HeldFigure::ALL.into_iter().find(|k| k.code() == s)
    }

    /// How the figure is answered when a target is asked for it anyway.
    pub fn kind(self) -> AnswerKind {
        match self {
            HeldFigure::HasSecretary => AnswerKind::YesNo,
            _ => AnswerKind::Number,
        }
    }

    /// Other ways a form writes this figure (after [`normalise_label`]).
    fn aliases(self) -> &'static [&'static str] {
        match self {
            HeldFigure::Members => &["党员", "党员总数", "党员数", "党员人数", "现有党员"],
            HeldFigure::FullMembers => &["正式党员", "正式党员数", "正式党员人数"],
            HeldFigure::ProbationaryMembers => &["预备党员", "预备党员数", "预备党员人数"],
            HeldFigure::OrgsBelow => &["下级党组织", "下属党组织", "所属党组织"],
            HeldFigure::Branches => &["党支部", "支部", "党支部数", "支部数"],
            HeldFigure::HasSecretary => &["是否配备书记", "书记是否配备", "是否有书记"],
            HeldFigure::UnitsCovered => &["覆盖单位", "已覆盖单位", "党组织覆盖单位"],
        }
    }

    /// The held figure a field's label names, if any: "正式党员人数（人）" is
    /// [`HeldFigure::FullMembers`].
    pub fn recognise(label: &str) -> Option<HeldFigure> {
        let l = normalise_label(label);
        if l.is_empty() {
            return None;
        }
        HeldFigure::ALL.into_iter().find(|f| {
            normalise_label(f.label()) == l || f.aliases().iter().any(|a| normalise_label(a) == l)
        })
    }
}

/// A label without white space, a unit in brackets, or a trailing 数/人数/个数/总数/情况.
pub fn normalise_label(label: &str) -> String {
    let mut s: String = label.chars().filter(|c| !c.is_whitespace()).collect();
    for (open, close) in [('（', '）'), ('(', ')')] {
        if let (Some(a), Some(b)) = (s.find(open), s.rfind(close)) {
            if a < b && b + close.len_utf8() == s.len() {
                s.truncate(a);
            }
        }
    }
    for tail in ["总数", "人数", "个数", "情况", "数量", "数"] {
        if s.len() > tail.len() {
            if let Some(t) = s.strip_suffix(tail) {
                s = t.to_string();
                break;
            }
        }
    }
    s
}

/// Where a field's answer comes from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum FieldSource {
    /// Asked of the target.
    Asked(AnswerKind),
    /// Answered by the system (never asked): "最多报一次".
    Held(HeldFigure),
    /// A held figure the issuer asked for anyway (counted in the burden ledger).
    AskedHeld(HeldFigure),
}

impl FieldSource {
    /// What the target types, if it is asked.
    pub fn asked(self) -> Option<AnswerKind> {
        match self {
            FieldSource::Asked(k) => Some(k),
            FieldSource::AskedHeld(f) => Some(f.kind()),
            FieldSource::Held(_) => None,
        }
    }
}

/// One field of a task's form.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Field {
    pub label: String,
    pub source: FieldSource,
}

/// A field as the issuer wrote it: a label and what it asked for — a kind of answer, or a
/// held figure picked from the catalogue — and whether to ask a held figure anyway.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FieldDraft {
    pub label: String,
    pub kind: Option<AnswerKind>,
    pub held: Option<HeldFigure>,
    pub ask_anyway: bool,
}

/// The questions of a form, for the burden ledger.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub struct Questions {
    /// Asked of each target.
    pub asked: i64,
    /// Answered by the system instead (questions the grassroots were spared).
    pub answered: i64,
    /// Asked although the system holds the answer.
    pub asked_held: i64,
}

pub fn questions(fields: &[Field]) -> Questions {
    let mut q = Questions::default();
    for f in fields {
        match f.source {
            FieldSource::Asked(_) => q.asked += 1,
            FieldSource::Held(_) => q.answered += 1,
            FieldSource::AskedHeld(_) => {
                q.asked += 1;
                q.asked_held += 1;
            }
        }
    }
    q
}

/// What is wrong with a task or a report, and which part of the form it is about.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum TaskError {
    Title(String),
    Content(String),
    Deadline(String),
    /// The n-th field (from 0) of the form.
    Field(usize, String),
    /// The answer to the n-th field (from 0) of the form.
    Answer(usize, String),
    Progress(String),
}

impl std::fmt::Display for TaskError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            TaskError::Title(m)
            | TaskError::Content(m)
            | TaskError::Deadline(m)
            | TaskError::Field(_, m)
            | TaskError::Answer(_, m)
            | TaskError::Progress(m) => f.write_str(m),
        }
    }
}

impl std::error::Error for TaskError {}

/// A task's text and deadline, checked; its form built from the drafts (a label naming a
/// held figure becomes that figure unless asked anyway). Blank drafts are skipped.
pub fn check(
    title: &str,
    content: &str,
    today: Date,
    deadline: Date,
    drafts: &[FieldDraft],
) -> Result<Vec<Field>, TaskError> {
    let title = title.trim();
    if title.is_empty() {
        return Err(TaskError::Title("请填写任务名称".into()));
    }
    if title.chars().count() > TITLE_MAX {
        return Err(TaskError::Title(format!("任务名称不超过{TITLE_MAX}个字")));
    }
    if content.trim().is_empty() {
        return Err(TaskError::Content("请写明任务内容和要求".into()));
    }
    if content.chars().count() > CONTENT_MAX {
        return Err(TaskError::Content(format!(
            "任务内容不超过{CONTENT_MAX}个字"
        )));
    }
    if deadline < today {
        return Err(TaskError::Deadline(format!(
            "完成时限{deadline}早于今天（{today}）"
        )));
    }
    let mut fields = Vec::new();
    for (i, d) in drafts.iter().enumerate() {
        let label = d.label.trim();
        if label.is_empty() && d.held.is_none() {
            continue;
        }
        if fields.len() == FIELDS_MAX {
            return Err(TaskError::Field(i, format!("报送内容最多{FIELDS_MAX}项")));
        }
        let label = if label.is_empty() {
            d.held.map(|h| h.label()).unwrap_or_default()
        } else {
            label
        };
        if label.chars().count() > LABEL_MAX {
            return Err(TaskError::Field(
                i,
                format!("报送项“{label}”的名称不超过{LABEL_MAX}个字"),
            ));
        }
        if fields.iter().any(|f: &Field| f.label == label) {
            return Err(TaskError::Field(i, format!("报送项“{label}”重复")));
        }
        // A file asked for is never one of the figures held (a roster's scan is not its count).
        let held = match d.kind {
            Some(AnswerKind::File) => None,
            _ => d.held.or_else(|| HeldFigure::recognise(label)),
        };
        let source = match (held, d.ask_anyway) {
            (Some(h), false) => FieldSource::Held(h),
            (Some(h), true) => FieldSource::AskedHeld(h),
            (None, _) => FieldSource::Asked(d.kind.unwrap_or(AnswerKind::Text)),
        };
        fields.push(Field {
            label: label.to_string(),
            source,
        });
    }
    Ok(fields)
}

/// An answer a target gave, as stored (a number in its normal text form).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub enum Answer {
    YesNo(bool),
    Number(String),
    Text(String),
    /// A file uploaded for the field: its name (the bytes are kept beside the line, one
    /// file per target and field).
    File(String),
}

impl Answer {
    pub fn text(&self) -> String {
        match self {
            Answer::YesNo(true) => "是".into(),
            Answer::YesNo(false) => "否".into(),
            Answer::Number(n) | Answer::Text(n) | Answer::File(n) => n.clone(),
        }
    }
}

fn number(raw: &str) -> Option<String> {
    let s = raw.trim().replace([',', '，'], "");
    let (int, frac) = s.split_once('.').unwrap_or((&s, ""));
    let digits = |t: &str| t.chars().all(|c| c.is_ascii_digit());
    let int_ok = !int.is_empty() && digits(int.strip_prefix('-').unwrap_or(int));
    if !int_ok || frac.len() > 2 || !digits(frac) || int.len() > 15 {
        return None;
    }
    let v: f64 = s.parse().ok()?;
    Some(if frac.trim_end_matches('0').is_empty() {
        format!("{}", v.trunc() as i64)
    } else {
        let t = format!("{v:.2}");
        t.trim_end_matches('0').to_string()
    })
}

/// A target's answers to the asked fields, in the form's order (`raw[i]` for field `i`;
/// held fields are skipped whatever was sent). `complete`: reporting the task done, so
/// every asked field must be answered; otherwise blanks are kept as blanks (progress).
/// The first wrong answer is the error (the form shows one; an import checks each with
/// [`check_answer`] and lists them all).
pub fn check_answers(
    fields: &[Field],
    raw: &[String],
    complete: bool,
) -> Result<Vec<Option<Answer>>, TaskError> {
    fields
        .iter()
        .enumerate()
        .map(|(i, f)| check_answer(i, f, raw.get(i).map_or("", String::as_str), complete))
        .collect()
}

/// The answer `raw` to field `i` of a form: `None` for a held field (whatever was sent)
/// or a blank one when not `complete`; a blank one when `complete`, a yes/no other than
/// 是/否, a number with more than two decimals or a text too long is the field's error.
/// For a file field `raw` is the name of the file uploaded for it (the caller's, never
/// the form's): none when `complete` asks for the upload.
pub fn check_answer(
    i: usize,
    f: &Field,
    raw: &str,
    complete: bool,
) -> Result<Option<Answer>, TaskError> {
    let Some(kind) = f.source.asked() else {
        return Ok(None);
    };
    let v = raw.trim();
    if v.is_empty() {
        if complete {
            let verb = if kind == AnswerKind::File {
                "请上传"
            } else {
                "请填写"
            };
            return Err(TaskError::Answer(i, format!("{verb}“{}”", f.label)));
        }
        return Ok(None);
    }
    let a = match kind {
        AnswerKind::YesNo => match v {
            "是" | "yes" | "true" | "1" => Answer::YesNo(true),
            "否" | "no" | "false" | "0" => Answer::YesNo(false),
            _ => return Err(TaskError::Answer(i, format!("“{}”请选是或否", f.label))),
        },
        AnswerKind::Number => match number(v) {
            Some(n) => Answer::Number(n),
            None => {
                return Err(TaskError::Answer(
                    i,
                    format!("“{}”应为数字（最多两位小数），填写的是“{v}”", f.label),
                ))
            }
        },
        AnswerKind::Text => {
            if v.chars().count() > TEXT_ANSWER_MAX {
                return Err(TaskError::Answer(
                    i,
                    format!("“{}”不超过{TEXT_ANSWER_MAX}个字", f.label),
                ));
            }
            Answer::Text(v.to_string())
        }
        AnswerKind::File => Answer::File(v.to_string()),
    };
    Ok(Some(a))
}

/// Where a target stands with a task on a day.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
pub enum TargetStatus {
    /// Not done, the deadline not passed.
    Open,
    /// Not done, the deadline passed.
    Overdue,
    /// Done by the deadline.
    Done,
    /// Done after the deadline.
    DoneLate,
}

impl TargetStatus {
    pub fn of(done_on: Option<Date>, deadline: Date, today: Date) -> TargetStatus {
        match done_on {
            Some(d) if d <= deadline => TargetStatus::Done,
            Some(_) => TargetStatus::DoneLate,
            None if today > deadline => TargetStatus::Overdue,
            None => TargetStatus::Open,
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            TargetStatus::Open => "办理中",
            TargetStatus::Overdue => "逾期未完成",
            TargetStatus::Done => "已完成",
            TargetStatus::DoneLate => "逾期完成",
        }
    }

    pub fn is_done(self) -> bool {
        matches!(self, TargetStatus::Done | TargetStatus::DoneLate)
    }
}

/// The level a burden ceiling is set for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub enum BurdenLevel {
    /// 村（社区）党组织.
    Village,
    /// 乡镇（街道）党（工）委.
    Township,
    /// Every other grassroots org (机关、企事业单位、社会组织……).
    Other,
}

impl BurdenLevel {
    pub const ALL: [BurdenLevel; 3] = [
        BurdenLevel::Village,
        BurdenLevel::Township,
        BurdenLevel::Other,
    ];

    pub fn of(kind: OrgKind, domain: Option<Domain>) -> BurdenLevel {
        match (kind, domain) {
            (OrgKind::LocalCommittee, _) => BurdenLevel::Other,
            (_, Some(Domain::Village | Domain::Community)) => BurdenLevel::Village,
            (
                OrgKind::WorkingCommittee | OrgKind::PrimaryCommittee,
                Some(Domain::Township | Domain::Street),
            ) => BurdenLevel::Township,
            _ => BurdenLevel::Other,
        }
    }

    pub fn code(self) -> &'static str {
        match self {
            BurdenLevel::Village => "Village",
            BurdenLevel::Township => "Township",
            BurdenLevel::Other => "Other",
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            BurdenLevel::Village => "村（社区）党组织",
            BurdenLevel::Township => "乡镇（街道）党（工）委",
            BurdenLevel::Other => "其他党组织",
        }
    }

    pub fn from_code(s: &str) -> Option<BurdenLevel> {
        BurdenLevel::ALL.into_iter().find(|l| l.code() == s)
    }
}

/// The tasks that reached one org with a deadline in a year, as judged on a day: done by
/// the deadline, done after it, past it and not done, and not yet due (not judged).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct TaskTally {
    pub on_time: i64,
    pub late: i64,
    pub overdue: i64,
    pub not_due: i64,
}

impl TaskTally {
    /// Counts one target judged on `as_of` (a report after `as_of` is not yet known).
    pub fn add(&mut self, deadline: Date, done_on: Option<Date>, as_of: Date) {
        match TargetStatus::of(done_on.filter(|d| *d <= as_of), deadline, as_of) {
            TargetStatus::Done => self.on_time += 1,
            TargetStatus::DoneLate => self.late += 1,
            TargetStatus::Overdue => self.overdue += 1,
            TargetStatus::Open => self.not_due += 1,
        }
    }

    /// The tasks judged: done, or past their deadline.
    pub fn due(&self) -> i64 {
        self.on_time + self.late + self.overdue
    }
}

/// Whether an org that has received `items` this month is at its ceiling, or over it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub enum Load {
    Under,
    /// At the ceiling: one more puts it over.
    At,
    Over,
}

pub fn load(items: i64, ceiling: i64) -> Load {
    match items.cmp(&ceiling) {
        std::cmp::Ordering::Less => Load::Under,
        std::cmp::Ordering::Equal => Load::At,
        std::cmp::Ordering::Greater => Load::Over,
    }
}

#[cfg(test)]
mod tests;
