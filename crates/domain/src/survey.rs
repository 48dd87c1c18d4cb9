//! 群众满意度测评 (SPEC C8, issue #18): an anonymous survey of one org for a year or a
//! half-year. The questionnaire is data (the rule set's [`SurveyRules`], a local example
//! with its source, copied into each survey when it is opened so that a later edition of
//! the rules never changes a survey already run); each question is answered on a 5-point
//! scale, with an optional open comment.
//!
//! The satisfaction rate of a survey is the share of 很满意, 满意 and 基本满意 among all the
//! ratings given, every question of every response counted once; the response rate is the
//! responses over the tokens issued. Below the rule set's `satisfaction_min_share` it is
//! 软 (SPEC R); a survey with no response is 暂无数据, never 0.

use serde::{Deserialize, Serialize};

use crate::Date;

mod questions;

pub use questions::{
    check_questions, QuestionnaireTexts, NOTE_MAX, PROMPT_MAX, QUESTIONS_MAX, QUESTION_CODE_MAX,
    QUESTION_TEXT_MAX, TITLE_MAX,
};

pub const COMMENT_MAX: usize = 500;
/// At most this many tokens in one batch.
pub const BATCH_MAX: i64 = 500;

/// One answer on the 5-point scale.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub enum Rating {
    VerySatisfied,
    Satisfied,
    BasicallySatisfied,
    Dissatisfied,
    VeryDissatisfied,
}

impl Rating {
    pub const ALL: [Rating; 5] = [
        Rating::VerySatisfied,
        Rating::Satisfied,
        Rating::BasicallySatisfied,
        Rating::Dissatisfied,
        Rating::VeryDissatisfied,
    ];

    pub fn code(self) -> &'static str {
        match self {
            Rating::VerySatisfied => "VerySatisfied",
            Rating::Satisfied => "Satisfied",
            Rating::BasicallySatisfied => "BasicallySatisfied",
            Rating::Dissatisfied => "Dissatisfied",
            Rating::VeryDissatisfied => "VeryDissatisfied",
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            Rating::VerySatisfied => "很满意",
            Rating::Satisfied => "满意",
            Rating::BasicallySatisfied => "基本满意",
            Rating::Dissatisfied => "不满意",
            Rating::VeryDissatisfied => "很不满意",
        }
    }

    /// 5 (很满意) to 1 (很不满意).
    pub fn score(self) -> i64 {
        match self {
            Rating::VerySatisfied => 5,
            Rating::Satisfied => 4,
            Rating::BasicallySatisfied => 3,
            Rating::Dissatisfied => 2,
            Rating::VeryDissatisfied => 1,
        }
    }

    pub fn of_score(score: i64) -> Option<Rating> {
        Rating::ALL.into_iter().find(|r| r.score() == score)
    }

    /// 很满意, 满意 or 基本满意: counted as satisfied.
    pub fn satisfied(self) -> bool {
        self.score() >= 3
    }

    /// By code, label or score (`5` … `1`).
    pub fn parse(s: &str) -> Option<Rating> {
        let s = s.trim();
        Rating::ALL
            .into_iter()
            .find(|r| r.code() == s || r.label() == s || s.parse::<i64>().ok() == Some(r.score()))
    }
}

/// A question of the questionnaire.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Question {
    /// Stable within a template: `work`, `secretary`, `service`.
    pub code: String,
    pub text: String,
}

/// The questionnaire as the rule set ships it (a local example, with its source).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SurveyRules {
    /// The template's edition, copied into every survey opened with it.
    pub template: String,
    pub title: String,
    /// The department's opening note, shown above `intro` (none in the rule set's example).
    #[serde(default)]
    pub note: String,
    /// The privacy notice: not the department's to change.
    pub intro: String,
    pub questions: Vec<Question>,
    pub comment_prompt: String,
    pub source: String,
}

impl Default for SurveyRules {
    fn default() -> SurveyRules {
        let q = |code: &str, text: &str| Question {
            code: code.into(),
            text: text.into(),
        };
        SurveyRules {
            template: "2026-01-01-local".into(),
            title: "群众满意度测评".into(),
            note: String::new(),
            intro: "本测评不记名，不收集姓名、电话、网络地址等任何个人信息，每张测评码只能使用一次。请根据您的真实感受作答。".into(),
            questions: vec![
                q("work", "您对本村（社区）党组织的工作是否满意？"),
                q("secretary", "您对本村（社区）党组织书记是否满意？"),
                q("service", "您对本村（社区）党组织服务群众的情况是否满意？"),
            ],
            comment_prompt: "您对党组织还有什么意见和建议？（选填）".into(),
            source: "本地示例（各地开展基层党组织群众满意度测评的通行做法：对党组织工作、书记、服务群众情况分别按很满意、满意、基本满意、不满意、很不满意五级作答，并征求意见建议；题目由组织部门按本地实际设定）".into(),
        }
    }
}

/// The period a survey is about: a year or a half-year.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub enum SurveyPeriod {
    Year(i32),
    /// The first (1) or second (2) half of the year.
    Half(i32, u32),
}

impl SurveyPeriod {
    /// `2026`, `2026H1`, `2026H2` (also `2026-H1`, `2026上半年`, `2026下半年`).
    pub fn parse(s: &str) -> Result<SurveyPeriod, String> {
        let t = s.trim().to_ascii_uppercase().replace(['-', ' '], "");
        let bad = || {
            format!(
                "无法识别的测评期间“{}”（应为 2026、2026H1 或 2026H2）",
                s.trim()
            )
        };
        let (year, rest) = t.split_at(t.len().min(4));
        let year: i32 = year.parse().map_err(|_| bad())?;
        if !(2000..=2100).contains(&year) {
            return Err(bad());
        }
        match rest {
            "" | "年" | "年度" => Ok(SurveyPeriod::Year(year)),
            "H1" | "上半年" => Ok(SurveyPeriod::Half(year, 1)),
            "H2" | "下半年" => Ok(SurveyPeriod::Half(year, 2)),
            _ => Err(bad()),
        }
    }

    pub fn code(self) -> String {
        match self {
            SurveyPeriod::Year(y) => y.to_string(),
            SurveyPeriod::Half(y, h) => format!("{y}H{h}"),
        }
    }

    pub fn label(self) -> String {
        match self {
            SurveyPeriod::Year(y) => format!("{y}年度"),
            SurveyPeriod::Half(y, 1) => format!("{y}年上半年"),
            SurveyPeriod::Half(y, _) => format!("{y}年下半年"),
        }
    }

    pub fn year(self) -> i32 {
        match self {
            SurveyPeriod::Year(y) | SurveyPeriod::Half(y, _) => y,
        }
    }

    pub fn first_day(self) -> Date {
        let (y, m) = match self {
            SurveyPeriod::Year(y) | SurveyPeriod::Half(y, 1) => (y, 1),
            SurveyPeriod::Half(y, _) => (y, 7),
        };
        Date::from_ymd_opt(y, m, 1).expect("a valid day")
    }
}

/// Why a survey or an answer is refused, and on which field.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SurveyError {
    pub field: &'static str,
    pub message: String,
}

fn bad(field: &'static str, message: impl Into<String>) -> SurveyError {
    SurveyError {
        field,
        message: message.into(),
    }
}

/// A period for a new survey: not a year after this one.
pub fn check_period(s: &str, today: Date) -> Result<SurveyPeriod, SurveyError> {
    if s.trim().is_empty() {
        return Err(bad("period", "请填写测评期间（如 2026 或 2026H2）"));
    }
    let p = SurveyPeriod::parse(s).map_err(|m| bad("period", m))?;
    if p.first_day() > today {
        return Err(bad(
            "period",
            format!("测评期间{}尚未开始（今天是{today}）", p.label()),
        ));
    }
    Ok(p)
}

/// How many tokens a batch asks for: 1 to [`BATCH_MAX`].
pub fn check_batch(n: Option<i64>) -> Result<i64, SurveyError> {
    match n {
        None => Err(bad("count", "请填写测评码数量")),
        Some(n) if !(1..=BATCH_MAX).contains(&n) => Err(bad(
            "count",
            format!("测评码数量应为1至{BATCH_MAX}张（填写的是{n}）"),
        )),
        Some(n) => Ok(n),
    }
}

/// A response as checked: one rating per question, in the questionnaire's order, and the
/// comment (if any). Nothing else: no name, no time, no address.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Response {
    pub ratings: Vec<Rating>,
    pub comment: Option<String>,
}

impl Response {
    /// The ratings as stored: their scores, comma-separated (`5,4,3`).
    pub fn scores_text(&self) -> String {
        self.ratings
            .iter()
            .map(|r| r.score().to_string())
            .collect::<Vec<_>>()
            .join(",")
    }

    pub fn satisfied(&self) -> i64 {
        self.ratings.iter().filter(|r| r.satisfied()).count() as i64
    }
}

/// Checks a respondent's answers: every question answered (the field is the question's
/// code), the comment at most [`COMMENT_MAX`] characters.
pub fn check_response(
    questions: &[Question],
    answer: impl Fn(&str) -> Option<String>,
    comment: &str,
) -> Result<Response, SurveyError> {
    let mut ratings = Vec::with_capacity(questions.len());
    for (i, q) in questions.iter().enumerate() {
        let field: &'static str = QUESTION_FIELDS.get(i).copied().unwrap_or("answers");
        let given = answer(&q.code).unwrap_or_default();
        if given.trim().is_empty() {
            return Err(bad(field, format!("请回答第{}题：{}", i + 1, q.text)));
        }
        let r = Rating::parse(&given)
            .ok_or_else(|| bad(field, format!("第{}题的回答无法识别", i + 1)))?;
        ratings.push(r);
    }
    let comment = comment.trim();
    if comment.chars().count() > COMMENT_MAX {
        return Err(bad("comment", format!("意见建议不超过{COMMENT_MAX}字")));
    }
    Ok(Response {
        ratings,
        comment: (!comment.is_empty()).then(|| comment.to_string()),
    })
}

/// The form fields of the questions, by position (a refusal names a `'static` field).
pub const QUESTION_FIELDS: [&str; 10] =
    ["q1", "q2", "q3", "q4", "q5", "q6", "q7", "q8", "q9", "q10"];

/// Parses stored scores (`5,4,3`).
pub fn parse_scores(s: &str) -> Option<Vec<Rating>> {
    s.split(',')
        .filter(|p| !p.is_empty())
        .map(|p| p.trim().parse::<i64>().ok().and_then(Rating::of_score))
        .collect()
}

/// One question's answers counted.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct QuestionTally {
    pub code: String,
    pub text: String,
    /// Counts in the order of [`Rating::ALL`] (很满意 first).
    pub counts: [i64; 5],
}

impl QuestionTally {
    pub fn answered(&self) -> i64 {
        self.counts.iter().sum()
    }

    /// The mean score (5 很满意 … 1 很不满意); `None` with no answer.
    pub fn mean(&self) -> Option<f64> {
        let n = self.answered();
        (n > 0).then(|| {
            Rating::ALL
                .iter()
                .zip(self.counts)
                .map(|(r, c)| r.score() * c)
                .sum::<i64>() as f64
                / n as f64
        })
    }

    pub fn satisfied(&self) -> i64 {
        self.counts[..3].iter().sum()
    }

    pub fn satisfaction(&self) -> Option<f64> {
        let n = self.answered();
        (n > 0).then(|| self.satisfied() as f64 / n as f64)
    }
}

/// A survey's responses counted: per question, and the rates.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SurveyTally {
    pub questions: Vec<QuestionTally>,
    pub responses: i64,
    pub issued: i64,
}

impl SurveyTally {
    /// Counts `responses` (each the ratings in question order) of a survey with
    /// `questions`, of which `issued` tokens were handed out.
    pub fn of<'a>(
        questions: &[Question],
        responses: impl IntoIterator<Item = &'a [Rating]>,
        issued: i64,
    ) -> SurveyTally {
        let mut qs: Vec<QuestionTally> = questions
            .iter()
            .map(|q| QuestionTally {
                code: q.code.clone(),
                text: q.text.clone(),
                counts: [0; 5],
            })
            .collect();
        let mut n = 0;
        for r in responses {
            n += 1;
            for (t, rating) in qs.iter_mut().zip(r) {
                let i = Rating::ALL
                    .iter()
                    .position(|x| x == rating)
                    .expect("a rating");
                t.counts[i] += 1;
            }
        }
        SurveyTally {
            questions: qs,
            responses: n,
            issued,
        }
    }

    pub fn ratings(&self) -> i64 {
        self.questions.iter().map(QuestionTally::answered).sum()
    }

    pub fn satisfied(&self) -> i64 {
        self.questions.iter().map(QuestionTally::satisfied).sum()
    }

    /// The share of 很满意, 满意 and 基本满意 among all ratings given; `None`: none given.
    pub fn satisfaction(&self) -> Option<f64> {
        share(self.satisfied(), self.ratings())
    }

    /// Responses over tokens issued; `None`: no token issued.
    pub fn response_rate(&self) -> Option<f64> {
        share(self.responses, self.issued)
    }
}

fn share(n: i64, of: i64) -> Option<f64> {
    (of > 0).then(|| n as f64 / of as f64)
}

/// The definition the pages print next to the rate.
pub const SATISFACTION_DEFINITION: &str =
    "满意率 = 全部题目中选择“很满意”“满意”“基本满意”的人次 ÷ 全部题目的作答人次；参与率 = 已作答份数 ÷ 已发放测评码张数";

/// What the rating and the diagnosis read: the org's latest survey of the year closed on
/// or before the day judged.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SatisfactionFacts {
    pub survey_id: i64,
    pub period: SurveyPeriod,
    pub closed_on: Date,
    pub responses: i64,
    pub issued: i64,
    /// Ratings given, and of those 很满意, 满意 or 基本满意.
    pub ratings: i64,
    pub satisfied: i64,
}

impl SatisfactionFacts {
    pub fn rate(&self) -> Option<f64> {
        share(self.satisfied, self.ratings)
    }

    /// What the evidence says of the survey.
    pub fn describe(&self) -> String {
        match self.rate() {
            None => format!(
                "{}群众满意度测评（{}结束）无人作答",
                self.period.label(),
                self.closed_on
            ),
            Some(r) => format!(
                "{}群众满意度测评（{}结束）：收回{}份，满意率{:.1}%",
                self.period.label(),
                self.closed_on,
                self.responses,
                r * 100.0
            ),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(s: &str) -> Date {
        s.parse().unwrap()
    }

    #[test]
    fn ratings_parse_by_code_label_and_score() {
        assert_eq!(Rating::parse("很满意"), Some(Rating::VerySatisfied));
        assert_eq!(Rating::parse("3"), Some(Rating::BasicallySatisfied));
        assert_eq!(Rating::parse("Dissatisfied"), Some(Rating::Dissatisfied));
        assert_eq!(Rating::parse("6"), None);
        assert!(Rating::BasicallySatisfied.satisfied());
        assert!(!Rating::Dissatisfied.satisfied());
    }

    #[test]
    fn periods_parse_and_must_have_begun() {
        assert_eq!(SurveyPeriod::parse("2026"), Ok(SurveyPeriod::Year(2026)));
        assert_eq!(
            SurveyPeriod::parse("2026h2"),
            Ok(SurveyPeriod::Half(2026, 2))
        );
        assert_eq!(
            SurveyPeriod::parse("2026上半年"),
            Ok(SurveyPeriod::Half(2026, 1))
        );
        assert!(SurveyPeriod::parse("2026H3").is_err());
        assert_eq!(SurveyPeriod::Half(2026, 2).label(), "2026年下半年");
        let e = check_period("2027", d("2026-12-06")).unwrap_err();
        assert_eq!(e.field, "period");
        assert!(check_period("2026H2", d("2026-12-06")).is_ok());
        assert_eq!(
            check_period(" ", d("2026-12-06")).unwrap_err().field,
            "period"
        );
    }

    #[test]
    fn a_batch_is_one_to_the_maximum() {
        assert_eq!(check_batch(Some(50)), Ok(50));
        assert_eq!(check_batch(Some(0)).unwrap_err().field, "count");
        assert_eq!(check_batch(Some(BATCH_MAX + 1)).unwrap_err().field, "count");
        assert_eq!(check_batch(None).unwrap_err().field, "count");
    }

    #[test]
    fn a_response_answers_every_question() {
        let qs = SurveyRules::default().questions;
        let all = |code: &str| Some(if code == "secretary" { "2" } else { "满意" }.to_string());
        let r = check_response(&qs, all, "  路灯坏了  ").unwrap();
        assert_eq!(r.scores_text(), "4,2,4");
        assert_eq!(r.satisfied(), 2);
        assert_eq!(r.comment.as_deref(), Some("路灯坏了"));
        let missing = |code: &str| (code != "service").then(|| "5".to_string());
        let e = check_response(&qs, missing, "").unwrap_err();
        assert_eq!(e.field, "q3");
        let long = "很".repeat(COMMENT_MAX + 1);
        assert_eq!(
            check_response(&qs, all, &long).unwrap_err().field,
            "comment"
        );
        assert_eq!(parse_scores("4,2,4"), Some(r.ratings.clone()));
        assert_eq!(parse_scores("4,9"), None);
    }

    #[test]
    fn the_tally_by_hand() {
        use Rating::*;
        let qs = SurveyRules::default().questions;
        // Four responses of 10 tokens: 12 ratings, 8 of them satisfied (很满意/满意/基本满意).
        let rs: Vec<Vec<Rating>> = vec![
            vec![VerySatisfied, Satisfied, BasicallySatisfied],
            vec![Satisfied, Dissatisfied, Satisfied],
            vec![VeryDissatisfied, Dissatisfied, BasicallySatisfied],
            vec![VerySatisfied, VerySatisfied, Dissatisfied],
        ];
        let t = SurveyTally::of(&qs, rs.iter().map(Vec::as_slice), 10);
        assert_eq!(t.responses, 4);
        assert_eq!(t.ratings(), 12);
        assert_eq!(t.satisfied(), 8);
        assert!((t.satisfaction().unwrap() - 8.0 / 12.0).abs() < 1e-9);
        assert!((t.response_rate().unwrap() - 0.4).abs() < 1e-9);
        // 工作: 5, 4, 1, 5 → 3.75; counts 很满意 2, 满意 1, 很不满意 1.
        assert_eq!(t.questions[0].counts, [2, 1, 0, 0, 1]);
        assert!((t.questions[0].mean().unwrap() - 3.75).abs() < 1e-9);
        let none = SurveyTally::of(&qs, std::iter::empty::<&[Rating]>(), 0);
        assert_eq!(none.satisfaction(), None);
        assert_eq!(none.response_rate(), None);
        assert_eq!(none.questions[0].mean(), None);
    }
}
