//! The department's own survey questionnaire on SQLite and PostgreSQL: a survey opened
//! before the department sets its questionnaire keeps the rule set's three questions and
//! is still answered and tallied by them; one opened after asks the department's (reworded,
//! reordered, one removed, one added) and is tallied by those; a questionnaire set from a
//! later day leaves today's as it is; nonsense is refused on its field; a committee may
//! not set one; the change is audited with the questions before and after. The
//! department's title, opening note and comment prompt are what the public page of a
//! survey opened on or after their day shows, the privacy notice staying; too long is
//! refused on its field.

mod common;

use std::collections::HashMap;

use common::*;
use jiceng_app::access::{Actor, Role, RunSurveys, SetRules};
use jiceng_app::surveys::{self, questionnaire, Answered, Ballot};
use jiceng_app::AppError;
use jiceng_domain::survey::{Question, QuestionnaireTexts, TITLE_MAX};
use jiceng_store::contract_test;
use jiceng_store::testing::TestDb;

fn staff(org: &jiceng_app::OrgRecord, role: Role, name: &str) -> Actor {
    Actor::for_test(12, name, role).at(org.org.id, &org.path)
}

fn field(e: &AppError) -> &'static str {
    match e {
        AppError::MemberLife(r) => r.field,
        other => panic!("not a refusal with a field: {other}"),
    }
}

fn q(code: &str, text: &str) -> Question {
    Question {
        code: code.into(),
        text: text.into(),
    }
}

/// Answers by question code.
async fn answer(app: &jiceng_app::App, code: &str, by: &[(&str, &str)]) {
    let by: HashMap<String, String> = by
        .iter()
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect();
    let r = surveys::answer(app, code, |c| by.get(c).cloned(), "")
        .await
        .unwrap();
    assert!(matches!(r, Answered::Recorded), "{r:?}");
}

async fn asked(app: &jiceng_app::App, code: &str) -> Vec<String> {
    match surveys::ballot(app, code).await.unwrap() {
        Ballot::Open { questions, .. } => questions.into_iter().map(|q| q.code).collect(),
        other => panic!("not open: {other:?}"),
    }
}

/// The township on 2026-12-05: the app, the committee's grant to run surveys, two
/// villages (T002 东, T003 西), the department's grant to set the questionnaire.
struct Setup {
    app: jiceng_app::App,
    committee: Actor,
    run: jiceng_app::access::Grant<RunSurveys>,
    dong: jiceng_app::access::InScope<jiceng_app::OrgRecord>,
    xi: jiceng_app::access::InScope<jiceng_app::OrgRecord>,
    set: jiceng_app::access::Grant<SetRules>,
}

async fn setup(db: &TestDb, dir: &Dir) -> Setup {
    let app = on(db, "2026-12-05");
    load_township(&app, dir, false).await;
    let township = sys_org(&app, "T001").await;
    let committee = staff(&township, Role::Committee, "zuzhi");
    let run = committee.grant::<RunSurveys>().unwrap();
    let dong = org(&app, &committee, "T002").await.unwrap();
    let xi = org(&app, &committee, "T003").await.unwrap();
    let set = dept().grant::<SetRules>().unwrap();
    Setup {
        app,
        committee,
        run,
        dong,
        xi,
        set,
    }
}

contract_test!(
    a_questionnaire_set_by_the_department_is_asked_by_surveys_opened_after_it,
    |db: TestDb| async move {
        let dir = Dir::new("questionnaire");
        let Setup {
            app,
            committee,
            run,
            dong,
            xi,
            set,
        } = setup(&db, &dir).await;
        assert!(committee.grant::<SetRules>().is_err());

        // Before: the rule set's example, three questions.
        let before = questionnaire::today(&app).await.unwrap();
        assert!(before.set_by.is_none());
        assert!(before.origin().contains("本地示例"), "{}", before.origin());
        let old = surveys::open(&app, &run, &dong, "2026H2").await.unwrap();
        let old_codes = surveys::issue(&app, &run, &dong, old, Some(2))
            .await
            .unwrap()
            .codes;
        assert_eq!(
            asked(&app, &old_codes[0]).await,
            ["work", "secretary", "service"]
        );
        answer(
            &app,
            &old_codes[0],
            &[("work", "5"), ("secretary", "4"), ("service", "2")],
        )
        .await;

        // Refused on their fields; nothing stored.
        let mine = vec![
            q("open", " 您对本村（社区）党务公开是否满意？ "),
            q("work", "您对本村（社区）党组织今年的工作是否满意？"),
            q("secretary", "您对本村（社区）党组织书记是否满意？"),
        ];
        let e = questionnaire::set(&app, &set, d("2026-12-04"), &mine)
            .await
            .unwrap_err();
        assert_eq!(field(&e), "from", "a day already past");
        let e = questionnaire::set(&app, &set, d("2028-01-01"), &mine)
            .await
            .unwrap_err();
        assert_eq!(field(&e), "from", "more than a year ahead");
        let e = questionnaire::set(&app, &set, d("2026-12-05"), &[])
            .await
            .unwrap_err();
        assert_eq!(field(&e), "questions");
        let twice = [q("work", "一"), q("work", "二")];
        let e = questionnaire::set(&app, &set, d("2026-12-05"), &twice)
            .await
            .unwrap_err();
        assert_eq!(field(&e), "questions");
        assert!(questionnaire::today(&app).await.unwrap().set_by.is_none());

        // Set from today: 党务公开 added first, 工作 reworded, 服务 removed.
        let now = questionnaire::set(&app, &set, d("2026-12-05"), &mine)
            .await
            .unwrap();
        assert_eq!(
            now.set_by,
            Some(("zzb".to_string(), d("2026-12-05"), d("2026-12-05")))
        );
        assert!(now.origin().contains("组织部门设定"), "{}", now.origin());
        assert_eq!(
            now.rules.questions[0].text,
            "您对本村（社区）党务公开是否满意？"
        );
        assert_eq!(now.rules.comment_prompt, before.rules.comment_prompt);
        // A later day's questionnaire does not change today's.
        questionnaire::set(&app, &set, d("2027-01-01"), &[q("work", "工作")])
            .await
            .unwrap();
        let today = questionnaire::today(&app).await.unwrap();
        assert_eq!(today.rules.questions.len(), 3);
        let later = questionnaire::in_force(&app, d("2027-03-01"))
            .await
            .unwrap();
        assert_eq!(later.rules.questions.len(), 1);
        let earlier = questionnaire::in_force(&app, d("2026-12-01"))
            .await
            .unwrap();
        assert!(earlier.set_by.is_none());

        // A survey opened now asks the department's; the old one keeps its own.
        let new = surveys::open(&app, &run, &xi, "2026H2").await.unwrap();
        let new_codes = surveys::issue(&app, &run, &xi, new, Some(2))
            .await
            .unwrap()
            .codes;
        assert_eq!(
            asked(&app, &new_codes[0]).await,
            ["open", "work", "secretary"]
        );
        assert_eq!(
            asked(&app, &old_codes[1]).await,
            ["work", "secretary", "service"]
        );
        answer(
            &app,
            &new_codes[0],
            &[("open", "1"), ("work", "5"), ("secretary", "5")],
        )
        .await;
        answer(
            &app,
            &old_codes[1],
            &[("work", "1"), ("secretary", "1"), ("service", "1")],
        )
        .await;

        // Each is tallied by its own questions.
        let r_old = surveys::get(&app, &dong, old).await.unwrap();
        let codes = |r: &surveys::SurveyResults| -> Vec<String> {
            r.tally.questions.iter().map(|q| q.code.clone()).collect()
        };
        assert_eq!(codes(&r_old), ["work", "secretary", "service"]);
        assert_eq!(r_old.tally.responses, 2);
        // 5,4,2 and 1,1,1: 2 of 6 satisfied.
        assert_eq!((r_old.tally.ratings(), r_old.tally.satisfied()), (6, 2));
        assert_eq!(r_old.summary.satisfaction, Some(2.0 / 6.0));
        let r_new = surveys::get(&app, &xi, new).await.unwrap();
        assert_eq!(codes(&r_new), ["open", "work", "secretary"]);
        assert_eq!(r_new.template, "2026-12-05-dept");
        assert_eq!(r_new.tally.questions[0].counts, [0, 0, 0, 0, 1]);
        assert_eq!((r_new.tally.ratings(), r_new.tally.satisfied()), (3, 2));

        // Audited with the questions before and after.
        let log = audit_log(&app).await;
        let e = log
            .iter()
            .find(|e| e.code == 205 && e.target.ends_with("2026-12-05"))
            .expect("audited");
        let text = format!("{e:?}");
        assert!(text.contains("service"), "the questions before: {text}");
        assert!(text.contains("open"), "the questions after: {text}");
    }
);

/// The ballot's title, note, privacy notice and comment prompt.
async fn texts(app: &jiceng_app::App, code: &str) -> (String, String, String, String) {
    match surveys::ballot(app, code).await.unwrap() {
        Ballot::Open {
            title,
            note,
            intro,
            comment_prompt,
            ..
        } => (title, note, intro, comment_prompt),
        other => panic!("not open: {other:?}"),
    }
}

contract_test!(
    the_departments_title_note_and_prompt_are_shown_to_surveys_opened_from_their_day,
    |db: TestDb| async move {
        let dir = Dir::new("questionnaire-texts");
        let Setup {
            app,
            run,
            dong,
            xi,
            set,
            ..
        } = setup(&db, &dir).await;
        let example = questionnaire::today(&app).await.unwrap().rules;

        // Today's survey: the rule set's texts.
        let old = surveys::open(&app, &run, &dong, "2026H2").await.unwrap();
        let old_code = surveys::issue(&app, &run, &dong, old, Some(1))
            .await
            .unwrap()
            .codes
            .remove(0);
        let shown = texts(&app, &old_code).await;
        assert_eq!(
            shown,
            (
                example.title.clone(),
                String::new(),
                example.intro.clone(),
                example.comment_prompt.clone()
            )
        );

        // Too long: refused on its field, nothing stored.
        let questions = example.questions.clone();
        let long = QuestionnaireTexts {
            title: "很".repeat(TITLE_MAX + 1),
            ..QuestionnaireTexts::default()
        };
        let e = questionnaire::set_with(&app, &set, d("2026-12-06"), &questions, &long)
            .await
            .unwrap_err();
        assert_eq!(field(&e), "title");
        assert!(questionnaire::in_force(&app, d("2026-12-06"))
            .await
            .unwrap()
            .set_by
            .is_none());

        // From tomorrow: a title and a note of the department's; the prompt left empty.
        let mine = QuestionnaireTexts {
            title: " 东村群众满意度调查 ".into(),
            note: "请对本村党组织今年的工作作出评价。".into(),
            comment_prompt: String::new(),
        };
        let set_q = questionnaire::set_with(&app, &set, d("2026-12-06"), &questions, &mine)
            .await
            .unwrap();
        assert_eq!(set_q.rules.title, "东村群众满意度调查", "trimmed");
        assert_eq!(set_q.texts.note, mine.note);
        // Today's survey still shows the rule set's.
        assert_eq!(texts(&app, &old_code).await.0, example.title);

        // Tomorrow: a survey opened then shows the department's, with the privacy notice
        // and the rule set's prompt; the one opened today keeps the rule set's.
        let tomorrow = on(&db, "2026-12-06");
        let new = surveys::open(&tomorrow, &run, &xi, "2026H2").await.unwrap();
        let new_code = surveys::issue(&tomorrow, &run, &xi, new, Some(1))
            .await
            .unwrap()
            .codes
            .remove(0);
        assert_eq!(
            texts(&tomorrow, &new_code).await,
            (
                "东村群众满意度调查".to_string(),
                mine.note.clone(),
                example.intro.clone(),
                example.comment_prompt.clone()
            )
        );
        assert_eq!(texts(&tomorrow, &old_code).await.0, example.title);

        // Audited with the texts.
        let log = audit_log(&app).await;
        let e = log
            .iter()
            .find(|e| e.code == 205 && e.target.ends_with("2026-12-06"))
            .expect("audited");
        assert!(format!("{e:?}").contains("东村群众满意度调查"));
    }
);
