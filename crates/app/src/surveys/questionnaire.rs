//! The questionnaire a survey asks (issue #18): the rule set's example, or the county
//! organization department's own from a day on (`set`: [`SetRules`], audited with the
//! questions before and after; kept as a list in `app_setting` exactly like the funding
//! standards, so each day has the one in force for it). A survey copies the questions in
//! force on the day it is opened; an open survey keeps its own, and its tally counts by
//! them. The five-point scale, the optional open comment and the privacy notice are not the
//! department's to change: the rated questions are (added, removed, reworded, reordered),
//! and with them the questionnaire's title, an opening note and the comment's prompt
//! ([`QuestionnaireTexts`]; the public page shows those in force on the day its survey
//! was opened).

use chrono::{Days, NaiveDate};
use jiceng_domain::survey::{self as domain, Question, QuestionnaireTexts, SurveyRules};
use jiceng_store::surveys as store;
use serde::{Deserialize, Serialize};
use serde_json::json;

use crate::access::{Grant, SetRules};
use crate::audit::{self, AuditAction};
use crate::refusal::refused;
use crate::{App, AppError, Result};

/// How far ahead a questionnaire may be set (days).
pub const AHEAD_MAX_DAYS: u64 = 366;

/// The department's questionnaire as stored: from which day, the questions, who set it and
/// when. Kept as a list, so each day has the one in force for it.
#[derive(Debug, Clone, Serialize, Deserialize)]
struct Stored {
    from: NaiveDate,
    questions: Vec<Question>,
    /// The title, opening note and comment prompt (empty: the rule set's); none before
    /// they could be set.
    #[serde(default)]
    texts: QuestionnaireTexts,
    by: String,
    on: NaiveDate,
}

async fn stored(app: &App) -> Result<Vec<Stored>> {
    let mut conn = app.store.acquire().await?;
    let raw = store::questionnaire_setting(&mut conn).await?;
    Ok(raw
        .and_then(|r| serde_json::from_str(&r).ok())
        .unwrap_or_default())
}

/// The questionnaire in force on a day, and where it comes from.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Questionnaire {
    pub day: NaiveDate,
    /// What a survey opened that day asks: the template's edition, the questions (copied
    /// into the survey), the title, note and comment prompt (the department's where set),
    /// the rule set's privacy notice.
    pub rules: SurveyRules,
    /// The department's own texts as set (empty ones: the rule set's apply).
    pub texts: QuestionnaireTexts,
    /// Set by the department: who, when, from which day. `None`: the rule set's example.
    pub set_by: Option<(String, NaiveDate, NaiveDate)>,
    /// The rule set in force that day.
    pub rule_set: String,
}

impl Questionnaire {
    /// Where the questions come from, in a sentence.
    pub fn origin(&self) -> String {
        match &self.set_by {
            Some((by, on, from)) => format!("组织部门设定（{by}，{on}；自{from}起适用）"),
            None => format!("规则集{}的本地示例：{}", self.rule_set, self.rules.source),
        }
    }
}

/// The questionnaire in force on `day`: the department's latest set from a day up to it,
/// else the rule set's in force that day.
pub async fn in_force(app: &App, day: NaiveDate) -> Result<Questionnaire> {
    let set = app.rules.in_force(day);
    let own = stored(app)
        .await?
        .into_iter()
        .filter(|s| s.from <= day)
        .max_by_key(|s| (s.from, s.on));
    let mut rules = set.survey.clone();
    let mut texts = QuestionnaireTexts::default();
    let set_by = own.map(|s| {
        rules.template = format!("{}-dept", s.from);
        rules.questions = s.questions;
        s.texts.apply(&mut rules);
        texts = s.texts;
        rules.source = format!("组织部门设定（{}，{}；自{}起适用）", s.by, s.on, s.from);
        (s.by, s.on, s.from)
    });
    Ok(Questionnaire {
        day,
        rules,
        texts,
        set_by,
        rule_set: set.id.clone(),
    })
}

/// The questionnaire a survey opened today asks.
pub async fn today(app: &App) -> Result<Questionnaire> {
    in_force(app, app.today()).await
}

/// The department sets its questionnaire's questions from `from` on, with the rule set's
/// texts ([`set_with`] with none of its own).
pub async fn set(
    app: &App,
    grant: &Grant<SetRules>,
    from: NaiveDate,
    questions: &[Question],
) -> Result<Questionnaire> {
    set_with(app, grant, from, questions, &QuestionnaireTexts::default()).await
}

/// The department sets its questionnaire from `from` on (today at the earliest, a year
/// ahead at most; a day already set is replaced): the questions and the texts (an empty
/// one: the rule set's). Surveys already opened keep their questions. Needs [`SetRules`];
/// audited with the questionnaire before and after.
pub async fn set_with(
    app: &App,
    grant: &Grant<SetRules>,
    from: NaiveDate,
    questions: &[Question],
    texts: &QuestionnaireTexts,
) -> Result<Questionnaire> {
    let today = app.today();
    if from < today {
        return Err(refused(
            "from",
            format!("起始日期不能早于今天（{today}）：已发起的测评保留其题目"),
        ));
    }
    if today.checked_add_days(Days::new(AHEAD_MAX_DAYS)) < Some(from) {
        return Err(refused("from", "起始日期不能晚于一年以后"));
    }
    let questions = domain::check_questions(questions)?;
    let texts = texts.checked()?;
    let before = in_force(app, from).await?;
    let mut list = stored(app).await?;
    list.retain(|s| s.from != from);
    list.push(Stored {
        from,
        questions: questions.clone(),
        texts: texts.clone(),
        by: grant.actor().username().to_string(),
        on: today,
    });
    list.sort_by_key(|s| s.from);
    let text =
        serde_json::to_string(&list).map_err(|e| AppError::Input(format!("无法保存：{e}")))?;
    let now = app.now();
    let entry = audit::Entry::new(
        grant.actor(),
        AuditAction::SurveyQuestionnaire,
        format!("survey_questionnaire {from}"),
    )
    .before(json!({
        "template": before.rules.template,
        "questions": before.rules.questions,
        "texts": before.texts,
    }))
    .after(json!({ "from": from.to_string(), "questions": questions, "texts": texts }));
    let (text, entry) = (&text, &entry);
    audit::with_retry(|| async move {
        let mut tx = app.store.begin().await?;
        store::set_questionnaire_setting(&mut tx, text).await?;
        entry.commit(tx, now).await
    })
    .await?;
    in_force(app, from).await
}
