//! The department's own questionnaire (issue #18): the questions it sets in place of the
//! rule set's example — added, removed, reworded and reordered — checked here. The
//! five-point scale and the optional open comment stay as they are; only the rated
//! questions change.

use serde::{Deserialize, Serialize};

use super::{bad, Question, SurveyError, SurveyRules, QUESTION_FIELDS};

/// At most this many rated questions (the public form has a field for each).
pub const QUESTIONS_MAX: usize = QUESTION_FIELDS.len();
/// A question's text, at most this many characters.
pub const QUESTION_TEXT_MAX: usize = 100;
/// A question's code, at most this many characters.
pub const QUESTION_CODE_MAX: usize = 20;

/// The questionnaire's title, at most this many characters.
pub const TITLE_MAX: usize = 30;
/// The department's opening note, at most this many characters.
pub const NOTE_MAX: usize = 300;
/// The prompt of the open comment, at most this many characters.
pub const PROMPT_MAX: usize = 60;

/// The questionnaire's own words, set by the department with its questions: the title
/// (the public page's heading), an opening note shown above the rule set's privacy notice
/// (which stays: it is a promise, not the department's to drop), and the prompt of the
/// open comment. An empty one keeps the rule set's.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct QuestionnaireTexts {
    #[serde(default)]
    pub title: String,
    #[serde(default)]
    pub note: String,
    #[serde(default)]
    pub comment_prompt: String,
}

impl QuestionnaireTexts {
    /// Checks the texts: trimmed, each within its length (a refusal names its field:
    /// `title`, `note`, `comment_prompt`).
    pub fn checked(&self) -> Result<QuestionnaireTexts, SurveyError> {
        let one = |field: &'static str, label: &str, text: &str, max: usize| {
            let t = text.trim();
            if t.chars().count() > max {
                return Err(bad(field, format!("{label}不超过{max}字")));
            }
            Ok(t.to_string())
        };
        Ok(QuestionnaireTexts {
            title: one("title", "问卷标题", &self.title, TITLE_MAX)?,
            note: one("note", "开头说明", &self.note, NOTE_MAX)?,
            comment_prompt: one(
                "comment_prompt",
                "意见建议的提示语",
                &self.comment_prompt,
                PROMPT_MAX,
            )?,
        })
    }

    /// The rule set's questionnaire with these texts in place of its own where given.
    pub fn apply(&self, rules: &mut SurveyRules) {
        if !self.title.is_empty() {
            rules.title.clone_from(&self.title);
        }
        if !self.note.is_empty() {
            rules.note.clone_from(&self.note);
        }
        if !self.comment_prompt.is_empty() {
            rules.comment_prompt.clone_from(&self.comment_prompt);
        }
    }
}

/// Checks a questionnaire's rated questions, in their order: at least one, at most
/// [`QUESTIONS_MAX`]; each with a code (letters, digits, `_` or `-`, at most
/// [`QUESTION_CODE_MAX`], unique) and a text (at most [`QUESTION_TEXT_MAX`] characters).
/// Returns them trimmed; a refusal names the question by its place.
pub fn check_questions(questions: &[Question]) -> Result<Vec<Question>, SurveyError> {
    if questions.is_empty() {
        return Err(bad("questions", "问卷至少要有一道评价题"));
    }
    if questions.len() > QUESTIONS_MAX {
        return Err(bad(
            "questions",
            format!(
                "问卷最多{QUESTIONS_MAX}道评价题（填写了{}道）",
                questions.len()
            ),
        ));
    }
    let mut out: Vec<Question> = Vec::with_capacity(questions.len());
    for (i, q) in questions.iter().enumerate() {
        let n = i + 1;
        let code = q.code.trim();
        let text = q.text.trim();
        if code.is_empty() {
            return Err(bad("questions", format!("第{n}题：请填写题目代码")));
        }
        if code.chars().count() > QUESTION_CODE_MAX
            || !code
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-')
        {
            return Err(bad(
                "questions",
                format!(
                    "第{n}题：题目代码“{code}”应为不超过{QUESTION_CODE_MAX}个字母、数字、下划线或连字符"
                ),
            ));
        }
        if out.iter().any(|o| o.code == code) {
            return Err(bad(
                "questions",
                format!("第{n}题：题目代码“{code}”与前面的题目重复"),
            ));
        }
        if text.is_empty() {
            return Err(bad("questions", format!("第{n}题：请填写题目内容")));
        }
        if text.chars().count() > QUESTION_TEXT_MAX {
            return Err(bad(
                "questions",
                format!("第{n}题：题目内容不超过{QUESTION_TEXT_MAX}字"),
            ));
        }
        out.push(Question {
            code: code.to_string(),
            text: text.to_string(),
        });
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn q(code: &str, text: &str) -> Question {
        Question {
            code: code.into(),
            text: text.into(),
        }
    }

    #[test]
    fn texts_are_trimmed_bounded_and_an_empty_one_keeps_the_rule_sets() {
        let t = QuestionnaireTexts {
            title: " 满意度调查 ".into(),
            note: String::new(),
            comment_prompt: "还有什么建议？".into(),
        }
        .checked()
        .unwrap();
        assert_eq!(t.title, "满意度调查");
        let mut rules = SurveyRules::default();
        let intro = rules.intro.clone();
        t.apply(&mut rules);
        assert_eq!(rules.title, "满意度调查");
        assert_eq!(rules.note, "", "no note given: none");
        assert_eq!(rules.intro, intro, "the privacy notice stays");
        assert_eq!(rules.comment_prompt, "还有什么建议？");
        let long = |n: usize| "很".repeat(n);
        let refused = |t: QuestionnaireTexts| t.checked().unwrap_err().field;
        let mut t = QuestionnaireTexts {
            title: long(TITLE_MAX + 1),
            ..QuestionnaireTexts::default()
        };
        assert_eq!(refused(t.clone()), "title");
        t.title = long(TITLE_MAX);
        t.note = long(NOTE_MAX + 1);
        assert_eq!(refused(t.clone()), "note");
        t.note = long(NOTE_MAX);
        t.comment_prompt = long(PROMPT_MAX + 1);
        assert_eq!(refused(t.clone()), "comment_prompt");
        t.comment_prompt = long(PROMPT_MAX);
        assert!(t.checked().is_ok());
    }

    #[test]
    fn questions_are_trimmed_and_kept_in_order() {
        let qs = check_questions(&[q(" b ", " 第二 "), q("a", "第一")]).unwrap();
        assert_eq!(qs, vec![q("b", "第二"), q("a", "第一")]);
    }

    #[test]
    fn nonsense_is_refused_with_the_question_named() {
        let msg = |qs: &[Question]| check_questions(qs).unwrap_err().message;
        assert!(msg(&[]).contains("至少"));
        let many: Vec<Question> = (0..=QUESTIONS_MAX)
            .map(|i| q(&format!("q{i}"), "题"))
            .collect();
        assert!(msg(&many).contains("最多"));
        assert!(check_questions(&many[..QUESTIONS_MAX]).is_ok());
        assert!(msg(&[q("a", "一"), q("a", "二")]).contains("第2题"));
        assert!(msg(&[q("a", "一"), q(" ", "二")]).contains("代码"));
        assert!(msg(&[q("工作", "一")]).contains("代码"));
        assert!(msg(&[q(&"a".repeat(QUESTION_CODE_MAX + 1), "一")]).contains("代码"));
        assert!(msg(&[q("a", "  ")]).contains("内容"));
        let long = "很".repeat(QUESTION_TEXT_MAX + 1);
        assert!(msg(&[q("a", &long)]).contains(&QUESTION_TEXT_MAX.to_string()));
        assert!(check_questions(&[q("a", &"很".repeat(QUESTION_TEXT_MAX))]).is_ok());
        assert_eq!(check_questions(&[]).unwrap_err().field, "questions");
    }

    #[test]
    fn the_tally_follows_each_surveys_own_questions() {
        use super::super::{Rating, SurveyTally};
        // A survey of two questions and one of four are each counted by their own.
        let two = [q("work", "工作"), q("open", "公开")];
        let t = SurveyTally::of(&two, [&[Rating::Satisfied, Rating::Dissatisfied][..]], 1);
        assert_eq!(t.questions.len(), 2);
        assert_eq!((t.ratings(), t.satisfied()), (2, 1));
        let four: Vec<Question> = (0..4).map(|i| q(&format!("c{i}"), "题")).collect();
        let t = SurveyTally::of(&four, [&[Rating::VerySatisfied; 4][..]], 2);
        assert_eq!(t.questions[3].counts, [1, 0, 0, 0, 0]);
        assert_eq!(t.ratings(), 4);
    }
}
