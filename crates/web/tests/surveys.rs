//! 群众满意度测评 in the pages and the API, on SQLite and PostgreSQL: the department opens a
//! survey of 甲村's branch (a period to come refused on the form, 422), issues three tokens
//! and gets their printable sheet once (a card with the address and an inline SVG QR code
//! each); a respondent without an account opens the public page with a token, a form
//! without its pre-session token is refused (403), an unanswered question is refused on
//! it (422), the answer is recorded once and the token then says it was used; a forged
//! token says it is invalid; the results and the list show the rates with their
//! definition; the survey is closed; the same through the API, where the codes are given
//! once.

mod common;

use axum::http::StatusCode;
use common::*;
use jiceng_store::contract_test;
use jiceng_store::testing::TestDb;
use serde_json::json;

/// The tokens of a printed sheet, from their cards' addresses.
fn codes_of(sheet: &str) -> Vec<String> {
    let mut out: Vec<String> = sheet
        .match_indices("/s/")
        .map(|(i, _)| sheet[i + 3..].chars().take(12).collect::<String>())
        .filter(|c| c.len() == 12 && c.chars().all(|x| x.is_ascii_alphanumeric()))
        .collect();
    out.dedup();
    out
}

contract_test!(
    a_survey_is_opened_tokens_printed_answered_without_an_account_and_closed,
    |db: TestDb| async move {
        let f = fixture(&db).await;
        let (b001, c001) = (f.orgs["B001"], f.orgs["C001"]);
        let year = chrono::Datelike::year(&f.app.today());
        // An inspector may not run one.
        let mut insp = logged_in(&f.app, "inspector").await;
        let r = insp.get(&format!("/surveys/new?org={b001}")).await;
        assert_eq!(r.status, StatusCode::FORBIDDEN);

        let mut dept = logged_in(&f.app, "dept").await;
        let list = dept.get(&format!("/surveys?org={c001}")).await;
        assert_eq!(list.status, StatusCode::OK, "{}", list.text());
        assert!(list.text().contains("暂无数据"), "{}", list.text());
        let form = dept.get(&format!("/surveys/new?org={b001}")).await;
        assert_eq!(form.status, StatusCode::OK, "{}", form.text());
        assert!(form.text().contains("本地示例"), "the template's source");
        let csrf = csrf_of(&form.text());
        let later = (year + 1).to_string();
        let r = dept
            .post_form(
                &format!("/surveys/new?org={b001}"),
                &[("csrf", &csrf), ("period", &later)],
            )
            .await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", r.text());
        assert!(r.text().contains("尚未开始"), "{}", r.text());
        let r = dept
            .post_form(
                &format!("/surveys/new?org={b001}"),
                &[("csrf", &csrf), ("period", &year.to_string())],
            )
            .await;
        assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.text());
        let id: i64 = r
            .location()
            .unwrap()
            .trim_start_matches("/surveys/")
            .split('?')
            .next()
            .unwrap()
            .parse()
            .unwrap();
        let page = dept.get(&format!("/surveys/{id}?org={c001}")).await;
        assert_eq!(page.status, StatusCode::OK, "{}", page.text());
        assert!(page.text().contains("暂无数据"), "{}", page.text());

        // A batch: refused on its field, then printed once.
        let r = dept
            .post_form(
                &format!("/surveys/{id}/tokens?org={c001}"),
                &[("csrf", &csrf), ("count", "0")],
            )
            .await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", r.text());
        assert!(r.text().contains("测评码数量"), "{}", r.text());
        let sheet = dept
            .post_form(
                &format!("/surveys/{id}/tokens?org={c001}"),
                &[("csrf", &csrf), ("count", "3")],
            )
            .await;
        assert_eq!(sheet.status, StatusCode::OK, "{}", sheet.text());
        let text = sheet.text();
        assert_eq!(text.matches("class=\"survey-card\"").count(), 3, "{text}");
        assert_eq!(
            text.matches("<svg").count(),
            3,
            "an inline QR code per card"
        );
        assert!(!text.contains("style="), "no inline style (CSP)");
        let codes = codes_of(&text);
        assert_eq!(codes.len(), 3, "{codes:?}");
        // The batch page later: counts, never the tokens.
        let b = dept
            .get(&format!("/surveys/{id}/tokens/1?org={c001}"))
            .await
            .text();
        assert!(b.contains("发放3张，已使用0张"), "{b}");
        assert!(!b.contains(&codes[0]), "{b}");

        // A respondent, no account.
        let mut phone = Client::new(&f.app);
        let ballot = phone.get(&format!("/s/{}", codes[0])).await;
        assert_eq!(ballot.status, StatusCode::OK, "{}", ballot.text());
        let text = ballot.text();
        assert!(text.contains("党组织书记是否满意"), "{text}");
        assert!(text.contains("很不满意"), "{text}");
        assert!(text.contains("name=\"viewport\""), "phone-friendly");
        assert!(
            !csrf_of(&text).is_empty(),
            "the form is bound to a pre-session"
        );
        // Without the form's token: refused, nothing recorded.
        let r = phone
            .post_form(
                &format!("/s/{}", codes[0]),
                &[("csrf", "forged"), ("q1", "5"), ("q2", "5"), ("q3", "5")],
            )
            .await;
        assert_eq!(r.status, StatusCode::FORBIDDEN, "{}", r.text());
        assert!(r.text().contains("测评表单已失效"), "{}", r.text());
        // The refusal's page carries a fresh form (a new pre-session).
        let pre = csrf_of(&r.text());
        // A question left out: refused on it, the answers kept.
        let r = phone
            .post_form(
                &format!("/s/{}", codes[0]),
                &[
                    ("csrf", &pre),
                    ("q1", "VerySatisfied"),
                    ("q2", "Dissatisfied"),
                ],
            )
            .await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", r.text());
        assert!(r.text().contains("请回答第3题"), "{}", r.text());
        assert!(
            r.text().contains("value=\"Dissatisfied\" checked"),
            "{}",
            r.text()
        );
        let pre = csrf_of(&r.text());
        let r = phone
            .post_form(
                &format!("/s/{}", codes[0]),
                &[
                    ("csrf", &pre),
                    ("q1", "VerySatisfied"),
                    ("q2", "Dissatisfied"),
                    ("q3", "BasicallySatisfied"),
                    ("comment", "希望多组织义诊"),
                ],
            )
            .await;
        assert_eq!(r.status, StatusCode::OK, "{}", r.text());
        assert!(r.text().contains("提交成功"), "{}", r.text());
        // Once only.
        let again = phone.get(&format!("/s/{}", codes[0])).await;
        assert_eq!(again.status, StatusCode::GONE);
        assert!(again.text().contains("已经使用过"), "{}", again.text());
        assert!(
            !again.text().contains("name=\"csrf\""),
            "no form for a used token"
        );
        let r = phone
            .post_form(
                &format!("/s/{}", codes[0]),
                &[("csrf", &pre), ("q1", "5"), ("q2", "5"), ("q3", "5")],
            )
            .await;
        assert!(r.text().contains("已经使用过"), "{}", r.text());
        let forged = phone.get("/s/ABCDEFGHJKMN").await;
        assert_eq!(forged.status, StatusCode::NOT_FOUND);
        assert!(forged.text().contains("测评码无效"), "{}", forged.text());

        // The results: 1 response of 3 tokens (33.3 %), 2 of 3 ratings satisfied (66.7 %).
        let page = dept.get(&format!("/surveys/{id}?org={c001}")).await.text();
        assert!(page.contains("33.3%"), "{page}");
        assert!(page.contains("66.7%"), "{page}");
        assert!(page.contains("希望多组织义诊"), "{page}");
        assert!(page.contains("满意率 = "), "the definition: {page}");
        let list = dept.get(&format!("/surveys?org={c001}")).await.text();
        assert!(list.contains("66.7%") && list.contains("进行中"), "{list}");
        let r = dept
            .post_form(
                &format!("/surveys/{id}/close?org={c001}"),
                &[("csrf", &csrf)],
            )
            .await;
        assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.text());
        let closed = phone.get(&format!("/s/{}", codes[1])).await;
        assert!(closed.text().contains("测评已经结束"), "{}", closed.text());

        // The API: opened, a batch given once, the results, closed.
        let mut api = api_client(&f.app, "dept").await;
        let r = api
            .post_json(
                &format!("/api/v1/surveys?org={b001}"),
                json!({"period": format!("{year}H1")}),
            )
            .await;
        assert_eq!(r.status, StatusCode::CREATED, "{}", r.text());
        let sid = r.json()["id"].as_i64().unwrap();
        let r = api
            .post_json(
                &format!("/api/v1/surveys/{sid}/tokens?org={c001}"),
                json!({"count": 0}),
            )
            .await;
        assert_eq!(r.status, StatusCode::BAD_REQUEST, "{}", r.text());
        assert_eq!(r.json()["field"], "count");
        let r = api
            .post_json(
                &format!("/api/v1/surveys/{sid}/tokens?org={c001}"),
                json!({"count": 2}),
            )
            .await;
        assert_eq!(r.status, StatusCode::CREATED, "{}", r.text());
        let code = r.json()["codes"][0].as_str().unwrap().to_string();
        let mut phone = Client::new(&f.app);
        let pre = csrf_of(&phone.get(&format!("/s/{code}")).await.text());
        let r = phone
            .post_form(
                &format!("/s/{code}"),
                &[("csrf", &pre), ("q1", "1"), ("q2", "2"), ("q3", "2")],
            )
            .await;
        assert_eq!(r.status, StatusCode::OK, "{}", r.text());
        let res = api
            .get(&format!("/api/v1/surveys/{sid}?org={c001}"))
            .await
            .json();
        assert_eq!(res["summary"]["responses"], 1);
        assert_eq!(res["summary"]["issued"], 2);
        assert_eq!(res["summary"]["satisfaction"], 0.0);
        assert_eq!(
            res["tally"]["questions"][0]["counts"],
            json!([0, 0, 0, 0, 1])
        );
        let r = api
            .post_json(
                &format!("/api/v1/surveys/{sid}/close?org={c001}"),
                json!({}),
            )
            .await;
        assert_eq!(r.status, StatusCode::NO_CONTENT, "{}", r.text());
        let l = api.get(&format!("/api/v1/surveys?org={c001}")).await.json();
        assert_eq!(l["surveys"].as_array().unwrap().len(), 2);
        // Outside the caller's subtree: not found.
        let mut sec = logged_in(&f.app, "sec-a").await;
        let r = sec
            .get(&format!("/surveys/{sid}?org={}", f.orgs["B003"]))
            .await;
        assert_ne!(r.status, StatusCode::OK);
    }
);

contract_test!(
    the_department_sets_the_questionnaire_on_its_page_and_through_the_api,
    |db: TestDb| async move {
        let f = fixture(&db).await;
        let (b001, c001, t001) = (f.orgs["B001"], f.orgs["C001"], f.orgs["T001"]);
        let today = f.app.today();
        let tomorrow = (today + chrono::Days::new(1)).to_string();
        let today = today.to_string();
        let year = chrono::Datelike::year(&f.app.today()).to_string();
        let mut dept = logged_in(&f.app, "dept").await;
        let list = dept.get(&format!("/surveys?org={c001}")).await.text();
        assert!(list.contains("id=\"survey-questionnaire\""), "{list}");
        let mut com = logged_in(&f.app, "committee").await;
        let list = com.get(&format!("/surveys?org={t001}")).await.text();
        assert!(
            !list.contains("id=\"survey-questionnaire\""),
            "only for SetRules"
        );

        let page = dept
            .get(&format!("/surveys/questionnaire?org={c001}"))
            .await;
        assert_eq!(page.status, StatusCode::OK, "{}", page.text());
        let page = page.text();
        assert!(
            page.contains("本地示例") && page.contains("很不满意"),
            "{page}"
        );
        assert!(page.contains("name=\"code_0\" value=\"work\""), "{page}");
        let csrf = csrf_of(&page);
        // 增加空行: the rows as typed and three empty ones more; nothing saved.
        let r = dept
            .post_form(
                &format!("/surveys/questionnaire?org={c001}"),
                &[
                    ("csrf", &csrf),
                    ("from", &today),
                    ("code_0", "work"),
                    ("text_0", "改写的题目"),
                    ("more", "1"),
                ],
            )
            .await;
        assert_eq!(r.status, StatusCode::OK, "{}", r.text());
        assert!(r.text().contains("改写的题目") && r.text().contains("name=\"code_3\""));
        assert!(!r.text().contains("name=\"code_4\""), "{}", r.text());
        assert!(r.text().contains("本地示例"), "nothing saved");
        // Two rows with one code: refused on the form, what was typed kept.
        let r = dept
            .post_form(
                &format!("/surveys/questionnaire?org={c001}"),
                &[
                    ("csrf", &csrf),
                    ("from", &today),
                    ("code_0", "work"),
                    ("text_0", "您对党组织的工作是否满意？"),
                    ("code_1", "work"),
                    ("text_1", "您对党务公开是否满意？"),
                ],
            )
            .await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", r.text());
        assert!(r.text().contains("重复"), "{}", r.text());
        assert!(r.text().contains("您对党务公开是否满意？"), "kept");
        // A title too long: refused on its field, what was typed kept.
        let long = "很".repeat(31);
        let r = dept
            .post_form(
                &format!("/surveys/questionnaire?org={c001}"),
                &[
                    ("csrf", &csrf),
                    ("from", &today),
                    ("title", &long),
                    ("code_0", "work"),
                    ("text_0", "您对党组织的工作是否满意？"),
                ],
            )
            .await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", r.text());
        assert!(r.text().contains("问卷标题不超过30字"), "{}", r.text());
        assert!(r.text().contains(&long), "kept");
        // Reordered by 序号, 服务 dropped; a title and an opening note of its own.
        let r = dept
            .post_form(
                &format!("/surveys/questionnaire?org={c001}"),
                &[
                    ("csrf", &csrf),
                    ("from", &today),
                    ("title", "县委组织部满意度调查"),
                    ("note", "请对党组织今年的工作作出评价。"),
                    ("comment_prompt", ""),
                    ("pos_0", "2"),
                    ("code_0", "work"),
                    ("text_0", "您对党组织的工作是否满意？"),
                    ("pos_1", "1"),
                    ("code_1", "open"),
                    ("text_1", "您对党务公开是否满意？"),
                    ("pos_2", "3"),
                    ("code_2", "service"),
                    ("text_2", "服务"),
                    ("drop_2", "1"),
                ],
            )
            .await;
        assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.text());
        let page = dept.get(&r.location().unwrap()).await.text();
        assert!(page.contains("组织部门设定（dept"), "{page}");
        let csrf_com = csrf_of(&com.get(&format!("/surveys?org={t001}")).await.text());
        let r = com
            .post_form(
                &format!("/surveys/questionnaire?org={t001}"),
                &[
                    ("csrf", &csrf_com),
                    ("from", &today),
                    ("code_0", "a"),
                    ("text_0", "题"),
                ],
            )
            .await;
        assert_eq!(r.status, StatusCode::FORBIDDEN);

        // The API reads it; a survey opened now asks it and is tallied by it.
        let mut api = api_client(&f.app, "dept").await;
        let q = api
            .get(&format!("/api/v1/surveys/questionnaire?org={c001}"))
            .await
            .json();
        let codes = |q: &serde_json::Value| -> Vec<String> {
            q["questions"]
                .as_array()
                .unwrap()
                .iter()
                .map(|x| x["code"].as_str().unwrap().to_string())
                .collect()
        };
        assert_eq!(codes(&q), ["open", "work"], "{q}");
        let r = api
            .post_json(
                &format!("/api/v1/surveys?org={b001}"),
                json!({"period": year}),
            )
            .await;
        assert_eq!(r.status, StatusCode::CREATED, "{}", r.text());
        let id = r.json()["id"].as_i64().unwrap();
        let s = api
            .get(&format!("/api/v1/surveys/{id}?org={b001}"))
            .await
            .json();
        assert_eq!(s["tally"]["questions"][0]["code"], "open", "{s}");
        assert_eq!(s["tally"]["questions"].as_array().unwrap().len(), 2, "{s}");
        assert_eq!(q["title"], "县委组织部满意度调查", "{q}");
        assert_eq!(
            q["texts"]["comment_prompt"], "",
            "the rule set's prompt: {q}"
        );
        // Its public page: the department's title and note, the privacy notice, the rule
        // set's prompt.
        let r = api
            .post_json(
                &format!("/api/v1/surveys/{id}/tokens?org={b001}"),
                json!({"count": 1}),
            )
            .await;
        assert_eq!(r.status, StatusCode::CREATED, "{}", r.text());
        let code = r.json()["codes"][0].as_str().unwrap().to_string();
        let ballot = Client::new(&f.app).get(&format!("/s/{code}")).await.text();
        assert!(
            ballot.contains("<title>县委组织部满意度调查</title>")
                && ballot.contains("请对党组织今年的工作作出评价。")
                && ballot.contains("本测评不记名")
                && ballot.contains("您对党组织还有什么意见和建议？"),
            "{ballot}"
        );

        // Set from tomorrow through the API: today's stays.
        let r = api
            .put_json(
                &format!("/api/v1/surveys/questionnaire?org={c001}"),
                json!({"from": tomorrow, "questions": []}),
            )
            .await;
        assert_eq!(r.status, StatusCode::BAD_REQUEST, "{}", r.text());
        assert_eq!(r.json()["field"], "questions", "{}", r.text());
        let r = api
            .put_json(
                &format!("/api/v1/surveys/questionnaire?org={c001}"),
                json!({"from": tomorrow, "questions": [{"code": "all", "text": "总体满意吗？"}]}),
            )
            .await;
        assert_eq!(r.status, StatusCode::OK, "{}", r.text());
        assert_eq!(codes(&r.json()), ["all"]);
        let q = api
            .get(&format!("/api/v1/surveys/questionnaire?org={c001}"))
            .await
            .json();
        assert_eq!(codes(&q), ["open", "work"], "{q}");
        let q = api
            .get(&format!(
                "/api/v1/surveys/questionnaire?org={c001}&day={tomorrow}"
            ))
            .await
            .json();
        assert_eq!(codes(&q), ["all"], "{q}");
        let mut com_api = api_client(&f.app, "committee").await;
        let r = com_api
            .put_json(
                &format!("/api/v1/surveys/questionnaire?org={t001}"),
                json!({"from": tomorrow, "questions": [{"code": "x", "text": "题"}]}),
            )
            .await;
        assert_eq!(r.status, StatusCode::FORBIDDEN, "{}", r.text());
    }
);
