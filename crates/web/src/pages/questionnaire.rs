//! 群众满意度测评问卷: the questionnaire a survey opened today asks, with its source (the
//! rule set's local example, or the department's own from a day, who set it), and for the
//! department the form that sets its own from a day on — the questions as editable rows
//! (code, text, order, 删除) with empty rows to add more (增加空行 shows the form again as
//! typed with more, saving nothing) — and its title, opening note and comment prompt (left
//! empty: the rule set's). The five-point scale, the optional comment and the privacy
//! notice are shown, not edited. Surveys already opened keep their questions.

use askama::Template;
use axum::extract::{Query, State};
use axum::response::Response;
use axum::Form;
use jiceng_app::access::{Action, InScope, SetRules};
use jiceng_app::surveys::questionnaire::{self, Questionnaire};
use jiceng_app::OrgRecord;
use jiceng_domain::survey::{
    Question, QuestionnaireTexts, Rating, NOTE_MAX, PROMPT_MAX, QUESTIONS_MAX, QUESTION_TEXT_MAX,
    TITLE_MAX,
};

use crate::error::PageError;
use crate::extract::QueryOrg;
use crate::pages::refusal::Refusal;
use crate::pages::{done_redirect, html_status, DoneParam, Nav};
use crate::parse::{parse_day, Fields};
use crate::routes::{Guard, Routes, Subject};
use crate::session::User;
use crate::AppState;

/// Empty rows the form offers for new questions.
const SPARE_ROWS: usize = 3;

pub fn routes() -> Routes {
    Routes::new()
        .get(
            "/surveys/questionnaire",
            Guard::May(Action::ReadData),
            Subject::QueryOrg,
            show,
        )
        .post(
            "/surveys/questionnaire",
            Guard::May(Action::SetRules),
            Subject::QueryOrg,
            submit,
        )
}

/// A row of the form as shown: its place, code, text, and 删除 ticked.
pub(crate) struct Row {
    i: usize,
    pos: String,
    code: String,
    text: String,
    dropped: bool,
}

impl Row {
    fn blank(&self) -> bool {
        self.code.trim().is_empty() && self.text.trim().is_empty()
    }
}

#[derive(Template)]
#[template(path = "survey_questionnaire.html")]
struct Page {
    title: String,
    nav: Nav,
    org_id: i64,
    org_name: String,
    q: Questionnaire,
    origin: String,
    scale: Vec<&'static str>,
    can_set: bool,
    today: String,
    from: String,
    rows: Vec<Row>,
    /// The texts in the form: the department's as set, or as typed.
    texts: QuestionnaireTexts,
    /// The rule set's, shown where the department's is empty.
    default_texts: QuestionnaireTexts,
    /// Lengths: title, note, prompt.
    texts_max: (usize, usize, usize),
    text_max: usize,
    questions_max: usize,
    done: Option<String>,
    e: Refusal,
}

/// The rows of the questions in force, and spare empty ones.
fn rows_of(questions: &[Question]) -> Vec<Row> {
    let n = questions.len() + SPARE_ROWS;
    (0..n)
        .map(|i| {
            let q = questions.get(i);
            Row {
                i,
                pos: (i + 1).to_string(),
                code: q.map(|q| q.code.clone()).unwrap_or_default(),
                text: q.map(|q| q.text.clone()).unwrap_or_default(),
                dropped: false,
            }
        })
        .collect()
}

/// The rows as typed (a refused form is shown again as it was sent), and spare ones.
fn rows_typed(fields: &Fields) -> Vec<Row> {
    let mut rows: Vec<Row> = (0..QUESTIONS_MAX + SPARE_ROWS * 4)
        .map(|i| Row {
            i,
            pos: fields.get(&format!("pos_{i}")),
            code: fields.get(&format!("code_{i}")),
            text: fields.get(&format!("text_{i}")),
            dropped: fields.ticked(&format!("drop_{i}")),
        })
        .filter(|r| !r.blank())
        .collect();
    let shown = rows.len();
    let next = rows.last().map_or(0, |r| r.i + 1);
    rows.extend((0..SPARE_ROWS).map(|k| Row {
        i: next + k,
        pos: (shown + k + 1).to_string(),
        code: String::new(),
        text: String::new(),
        dropped: false,
    }));
    rows
}

/// The title, note and prompt as typed.
fn texts_typed(fields: &Fields) -> QuestionnaireTexts {
    QuestionnaireTexts {
        title: fields.get("title"),
        note: fields.get("note"),
        comment_prompt: fields.get("comment_prompt"),
    }
}

/// The questions the form asks for: the rows not dropped nor empty, by their order number
/// (a row without one keeps its place).
fn questions_of(rows: &[Row]) -> Vec<Question> {
    let mut kept: Vec<(f64, usize, Question)> = rows
        .iter()
        .filter(|r| !r.dropped && !r.blank())
        .map(|r| {
            let pos = r.pos.trim().parse::<f64>().unwrap_or((r.i + 1) as f64);
            let q = Question {
                code: r.code.clone(),
                text: r.text.clone(),
            };
            (pos, r.i, q)
        })
        .collect();
    kept.sort_by(|a, b| a.0.total_cmp(&b.0).then(a.1.cmp(&b.1)));
    kept.into_iter().map(|(_, _, q)| q).collect()
}

async fn page(
    state: &AppState,
    user: &User,
    org: &InScope<OrgRecord>,
    typed: Option<(&Fields, Vec<Row>)>,
    done: Option<String>,
    e: Refusal,
) -> Result<Response, PageError> {
    let q = questionnaire::today(&state.app).await?;
    let today = state.app.today().to_string();
    let (from, rows, texts) = match typed {
        Some((f, rows)) => (f.get("from"), rows, texts_typed(f)),
        None => (today.clone(), rows_of(&q.rules.questions), q.texts.clone()),
    };
    let rule_set = state.app.rules.in_force(state.app.today()).survey.clone();
    let default_texts = QuestionnaireTexts {
        title: rule_set.title,
        note: rule_set.note,
        comment_prompt: rule_set.comment_prompt,
    };
    html_status(
        e.form_status(),
        &Page {
            title: format!("群众满意度测评问卷 · {}", org.org.name),
            nav: Nav::of(user),
            org_id: org.org.id,
            org_name: org.org.name.clone(),
            origin: q.origin(),
            scale: Rating::ALL.iter().map(|r| r.label()).collect(),
            can_set: user.actor.may(Action::SetRules),
            q,
            today,
            from,
            rows,
            texts,
            default_texts,
            texts_max: (TITLE_MAX, NOTE_MAX, PROMPT_MAX),
            text_max: QUESTION_TEXT_MAX,
            questions_max: QUESTIONS_MAX,
            done,
            e,
        },
    )
}

async fn show(
    State(state): State<AppState>,
    QueryOrg { user, org }: QueryOrg<User>,
    Query(d): Query<DoneParam>,
) -> Result<Response, PageError> {
    page(&state, &user, &org, None, d.done, Refusal::default()).await
}

/// The department's questionnaire from a day on: the rows kept in their order.
async fn submit(
    State(state): State<AppState>,
    QueryOrg { user, org }: QueryOrg<User>,
    Form(fields): Form<Vec<(String, String)>>,
) -> Result<Response, PageError> {
    let (fields, grant) = user.form_for::<SetRules>(fields)?;
    let rows = rows_typed(&fields);
    // 增加空行: the form again as typed, with more empty rows; nothing saved.
    if fields.ticked("more") {
        let keep = Some((&fields, rows));
        return page(&state, &user, &org, keep, None, Refusal::default()).await;
    }
    let questions = questions_of(&rows);
    let from = match parse_day(&fields.get("from"), "起始日期") {
        Ok(Some(d)) => d,
        Ok(None) => {
            let e = Refusal {
                field: "from",
                message: "请填写起始日期".into(),
            };
            return page(&state, &user, &org, Some((&fields, rows)), None, e).await;
        }
        Err(message) => {
            let e = Refusal {
                field: "from",
                message,
            };
            return page(&state, &user, &org, Some((&fields, rows)), None, e).await;
        }
    };
    let texts = texts_typed(&fields);
    match questionnaire::set_with(&state.app, &grant, from, &questions, &texts).await {
        Ok(q) => Ok(done_redirect(
            &format!("/surveys/questionnaire?org={}", org.org.id),
            &format!(
                "已保存问卷（{}道评价题），自{from}起发起的测评使用",
                q.rules.questions.len()
            ),
        )),
        Err(e) => {
            let e = Refusal::of(e)?;
            page(&state, &user, &org, Some((&fields, rows)), None, e).await
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn f(pairs: &[(&str, &str)]) -> Fields {
        Fields(
            pairs
                .iter()
                .map(|(k, v)| (k.to_string(), v.to_string()))
                .collect(),
        )
    }

    #[test]
    fn rows_are_kept_by_their_order_dropped_and_empty_ones_left_out() {
        let fields = f(&[
            ("pos_0", "3"),
            ("code_0", "work"),
            ("text_0", "工作"),
            ("pos_1", "1"),
            ("code_1", "secretary"),
            ("text_1", "书记"),
            ("drop_2", "1"),
            ("code_2", "service"),
            ("text_2", "服务"),
            ("pos_4", "2"),
            ("code_4", "open"),
            ("text_4", "公开"),
        ]);
        let rows = rows_typed(&fields);
        assert_eq!(rows.len(), 4 + SPARE_ROWS, "the typed rows and spare ones");
        let codes: Vec<String> = questions_of(&rows).into_iter().map(|q| q.code).collect();
        assert_eq!(codes, ["secretary", "open", "work"]);
        let spare_ids: Vec<usize> = rows[4..].iter().map(|r| r.i).collect();
        assert_eq!(spare_ids, [5, 6, 7], "spare rows after the last typed");
    }
}
