//! The public side of a survey: what a token opens (`look_up`, `ballot`) and its answer
//! (`answer`, `answer_looked`), for a respondent without an account.

use jiceng_domain::survey::{self as domain, Question, Response, SurveyPeriod};
use jiceng_store::surveys::{self as store, StoredResponse, StoredSurvey};

use super::{normalise, questions_of, token_hash};
use crate::{App, Result};

/// What the public page shows for a token: the survey to answer (the org's name, the
/// period, the questions), or why not.
#[derive(Debug, Clone, PartialEq)]
pub enum Ballot {
    Open {
        org_name: String,
        period: SurveyPeriod,
        /// The questionnaire's title, the department's opening note (may be empty), the
        /// privacy notice: those in force on the day the survey was opened.
        title: String,
        note: String,
        intro: String,
        questions: Vec<Question>,
        comment_prompt: String,
    },
    /// Already answered with this token.
    Used,
    /// The survey is over.
    Closed,
    /// No such token (mistyped, or forged).
    Unknown,
}

impl Ballot {
    /// The plain Chinese message for a ballot that cannot be answered.
    pub fn message(&self) -> &'static str {
        match self {
            Ballot::Open { .. } => "",
            Ballot::Used => "这张测评码已经使用过，每张测评码只能作答一次。感谢您的参与！",
            Ballot::Closed => "本次测评已经结束，感谢您的关心。",
            Ballot::Unknown => "测评码无效，请核对测评卡上的测评码后重新输入。",
        }
    }
}

/// The batch a token was issued in: `(survey, batch)`. The public page's answers are
/// throttled per batch (a village's respondents share a batch, and often an address).
pub type BatchKey = (i64, i64);

/// A token looked up: what the public page shows, the batch of a token that exists, and
/// (for an answer) the open survey with the token's hash.
#[derive(Debug, Clone)]
pub struct Looked {
    pub ballot: Ballot,
    /// `None`: no such token (mistyped or forged).
    pub batch: Option<BatchKey>,
    open: Option<(StoredSurvey, String)>,
}

/// Looks a token up: one read of the token, one of its survey.
pub async fn look_up(app: &App, code: &str) -> Result<Looked> {
    let unknown = Looked {
        ballot: Ballot::Unknown,
        batch: None,
        open: None,
    };
    let Some(code) = normalise(code) else {
        return Ok(unknown);
    };
    let hash = token_hash(&code);
    let mut conn = app.store.acquire().await?;
    let Some((survey_id, batch, used)) = store::token(&mut conn, &hash).await? else {
        return Ok(unknown);
    };
    let Some(s) = store::get_any(&mut conn, survey_id).await? else {
        return Ok(unknown);
    };
    drop(conn);
    let batch = Some((survey_id, batch));
    let shut = |ballot| Looked {
        ballot,
        batch,
        open: None,
    };
    if used {
        return Ok(shut(Ballot::Used));
    }
    if s.closed_on.is_some() {
        return Ok(shut(Ballot::Closed));
    }
    let q = super::questionnaire::in_force(app, s.opened_on)
        .await?
        .rules;
    let ballot = Ballot::Open {
        org_name: s.org_name.clone(),
        period: s.period,
        title: q.title,
        note: q.note,
        intro: q.intro,
        questions: questions_of(&s)?,
        comment_prompt: q.comment_prompt,
    };
    Ok(Looked {
        ballot,
        batch,
        open: Some((s, hash)),
    })
}

/// The public page's view of a token.
pub async fn ballot(app: &App, code: &str) -> Result<Ballot> {
    Ok(look_up(app, code).await?.ballot)
}

/// What an answer came to.
#[derive(Debug, Clone, PartialEq)]
pub enum Answered {
    /// Recorded; the token is used.
    Recorded,
    /// Not recorded: the ballot as it stands (used, closed, unknown).
    Refused(Ballot),
}

/// Answers the survey of token `code`: the answers checked against its questions (a
/// refusal names the question's field, `q1`…), then in one transaction — shared with the
/// answers arriving meanwhile ([`super::writer`]) — the token marked used (once: a second
/// answer with it is refused) and the response written with the day only and nothing of
/// the token.
pub async fn answer(
    app: &App,
    code: &str,
    answer: impl Fn(&str) -> Option<String>,
    comment: &str,
) -> Result<Answered> {
    answer_looked(app, look_up(app, code).await?, answer, comment).await
}

/// [`answer`] for a token already looked up (the public page looks first, to throttle by
/// the token's batch).
pub async fn answer_looked(
    app: &App,
    looked: Looked,
    answer: impl Fn(&str) -> Option<String>,
    comment: &str,
) -> Result<Answered> {
    let Some((s, hash)) = looked.open else {
        return Ok(Answered::Refused(looked.ballot));
    };
    let questions = questions_of(&s)?;
    let r: Response = domain::check_response(&questions, answer, comment)?;
    let id = app.store.next_id("survey_response").await?;
    let stored = StoredResponse {
        id,
        survey_id: s.id,
        answered_on: app.today(),
        scores: r.scores_text(),
        rated: r.ratings.len() as i64,
        satisfied: r.satisfied(),
        comment: r.comment.clone(),
    };
    let outcome = super::writer::write(
        app,
        super::writer::Answer {
            survey_id: s.id,
            hash,
            response: stored,
        },
    )
    .await?;
    Ok(match outcome {
        None => Answered::Recorded,
        Some(b) => Answered::Refused(b),
    })
}
