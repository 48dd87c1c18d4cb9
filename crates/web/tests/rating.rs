//! Rating, weak organizations and rectification through the pages and the API, in process,
//! on SQLite and PostgreSQL: the department rates the county, adjusts a rating with a
//! reason, confirms a suspected weakness (audited), runs the case to 验收销号 with an
//! overdue measure on its home page in between; exports are workbooks and audited; a user
//! outside the subtree gets 404, an inspector reads but cannot write.

mod common;

use axum::http::StatusCode;
use common::*;
use jiceng_store::contract_test;
use jiceng_store::testing::TestDb;
use serde_json::json;

const YEAR: &str = "2026";

/// Posts a form of the rating and rectification pages: the CSRF token and the year, then
/// `fields`.
async fn post_year(c: &mut Client, path: &str, csrf: &str, fields: &[(&str, &str)]) -> Resp {
    let mut all = vec![("csrf", csrf), ("year", YEAR)];
    all.extend_from_slice(fields);
    c.post_form(path, &all).await
}

/// `post_year`, which must succeed (a redirect); the answer.
async fn post_done(c: &mut Client, path: &str, csrf: &str, fields: &[(&str, &str)]) -> Resp {
    let r = post_year(c, path, csrf, fields).await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{path}: {}", r.text());
    r
}

/// The fixture with the villages' records started, the department's API client, and its
/// answer to rating the county (C001) for 2026, which must succeed.
async fn rated_by_dept(db: &TestDb) -> (Fixture, Client, Resp) {
    let f = fixture(db).await;
    records_from(db, &f.orgs).await;
    let mut api = api_client(&f.app, "dept").await;
    let r = api
        .post_json("/api/v1/ratings", json!({ "org": "C001", "year": 2026 }))
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text());
    (f, api, r)
}

/// The villages' records start on 2025-01-01 (set by hand, as the org page allows): from
/// then on, no meeting on record is "held nothing" (散); without a start it is 暂无数据.
async fn records_from(db: &TestDb, orgs: &std::collections::HashMap<String, i64>) {
    let mut c = db.store.acquire().await.unwrap();
    for code in ["B001", "B002"] {
        jiceng_store::history::set_records_from(
            &mut c,
            orgs[code],
            Some(chrono::NaiveDate::from_ymd_opt(2025, 1, 1).unwrap()),
        )
        .await
        .unwrap();
    }
}

fn audit_actions(log: &serde_json::Value) -> Vec<String> {
    log["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["action"].as_str().unwrap().to_string())
        .collect()
}

contract_test!(
    department_rates_confirms_and_rectifies_through_the_pages,
    |db: TestDb| async move {
        let f = fixture(&db).await;
        records_from(&db, &f.orgs).await;
        let (c001, b001) = (f.orgs["C001"], f.orgs["B001"]);
        let mut c = logged_in(&f.app, "dept").await;
        let csrf = c.csrf().await;

        // The distribution before any rating, then the year's rating.
        let r = c
            .get(&format!("/reports/ratings?org={c001}&year={YEAR}"))
            .await;
        assert_eq!(r.status, StatusCode::OK, "{}", r.text());
        assert!(r.text().contains("no-ratings"), "{}", r.text());
        assert!(r.text().contains("rate-submit"), "the department may rate");
        let r = c
            .post_form(
                "/reports/ratings/compute",
                &[("csrf", &csrf), ("org", &c001.to_string()), ("year", YEAR)],
            )
            .await;
        assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.text());
        let page = c
            .get(&format!("/reports/ratings?org={c001}&year={YEAR}"))
            .await
            .text();
        assert!(page.contains("<svg"), "a bar chart of stars");
        assert!(page.contains("甲村党支部"), "{page}");
        assert!(page.contains("levels-table"), "drill-down by child org");
        assert!(
            page.contains("五星级") && !page.contains(">5星<"),
            "levels by name: {page}"
        );
        assert!(page.contains("星级评定"), "the report tab");

        // One org: indicators with weight and evidence; 暂无数据 where nothing is recorded.
        let r = c.get(&format!("/orgs/{b001}/rating?year={YEAR}")).await;
        assert_eq!(r.status, StatusCode::OK, "{}", r.text());
        let page = r.text();
        assert!(page.contains("indicator-table"), "{page}");
        assert!(page.contains("暂无数据"), "{page}");
        assert!(page.contains("adjust-form"));
        // The same page by code.
        assert_eq!(
            c.get(&format!("/orgs/B001/rating?year={YEAR}"))
                .await
                .status,
            StatusCode::OK
        );

        // A hand adjustment needs a reason.
        let r = post_year(
            &mut c,
            &format!("/orgs/{b001}/rating/adjust"),
            &csrf,
            &[("stars", "4"), ("reason", "")],
        )
        .await;
        assert_eq!(r.status, StatusCode::BAD_REQUEST);
        assert!(r.text().contains("请填写理由"), "{}", r.text());
        let r = post_done(
            &mut c,
            &format!("/orgs/{b001}/rating/adjust"),
            &csrf,
            &[("stars", "4"), ("reason", "年中集中整改成效明显")],
        )
        .await;
        let page = c.get(&r.location().unwrap()).await.text();
        assert!(page.contains("年中集中整改成效明显"), "{page}");
        assert!(page.contains("★★★★"), "{page}");

        // Weak orgs: by kind, by region; B001 suspected of 散 with its evidence.
        let r = c
            .get(&format!("/reports/weak?org={c001}&year={YEAR}"))
            .await;
        assert_eq!(r.status, StatusCode::OK, "{}", r.text());
        let page = r.text();
        for k in ["瘫（班子瘫痪）", "贪（违纪违法）", "散（组织涣散）"] {
            assert!(page.contains(k), "{k} in {page}");
        }
        assert!(page.contains("region-table"), "by region");
        assert!(page.contains("甲村党支部"));
        assert!(page.contains("疑似"));
        assert!(page.contains("暂无数据"), "rules without data are named");
        let r = c.get(&format!("/orgs/{b001}/weak?year={YEAR}")).await;
        assert_eq!(r.status, StatusCode::OK, "{}", r.text());
        assert!(r.text().contains("confirm-Disunity"), "{}", r.text());

        // Confirming needs a reason; with one it opens the case (audited).
        let decide = |reason: &'static str| {
            vec![
                ("csrf", csrf.clone()),
                ("year", YEAR.to_string()),
                ("kind", "Disunity".to_string()),
                ("decision", "confirm".to_string()),
                ("reason", reason.to_string()),
            ]
        };
        let fields = decide(" ");
        let fields: Vec<(&str, &str)> = fields.iter().map(|(k, v)| (*k, v.as_str())).collect();
        let r = c
            .post_form(&format!("/orgs/{b001}/weak/decide"), &fields)
            .await;
        assert_eq!(r.status, StatusCode::BAD_REQUEST);
        assert!(r.text().contains("请填写理由"), "{}", r.text());
        let fields = decide("经核实上半年未按期开展组织生活");
        let fields: Vec<(&str, &str)> = fields.iter().map(|(k, v)| (*k, v.as_str())).collect();
        let r = c
            .post_form(&format!("/orgs/{b001}/weak/decide"), &fields)
            .await;
        assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.text());
        let page = c.get(&r.location().unwrap()).await.text();
        assert!(page.contains("已确定"), "{page}");
        assert!(page.contains("open-case"), "{page}");

        // The case: a plan with a measure due on 07-15.
        let case = format!("/orgs/{b001}/rectification");
        let page = c.get(&format!("{case}?year={YEAR}")).await.text();
        assert!(page.contains("已确定，待制定整改方案"), "{page}");
        let post = |step: &str| format!("{case}/{step}");
        post_done(
            &mut c,
            &post("plan"),
            &csrf,
            &[
                ("text", "每月按期召开支部委员会和主题党日"),
                ("owner", "张建国"),
                ("deadline", "2026-07-15"),
            ],
        )
        .await;
        post_done(
            &mut c,
            &post("assign"),
            &csrf,
            &[("cadre", "县委常委 李明"), ("departments", "")],
        )
        .await;
        // A step out of order is refused with the reason and changes nothing.
        let r = post_year(
            &mut c,
            &post("review"),
            &csrf,
            &[("outcome", "Consolidated"), ("note", "巩固")],
        )
        .await;
        assert_eq!(r.status, StatusCode::BAD_REQUEST, "{}", r.text());

        // The deadline passes: the measure is overdue on the department's home page.
        f.app.shared_today.set(d("2026-07-20"));
        let home = c.get("/").await.text();
        assert!(home.contains("overdue-measures"), "{home}");
        assert!(home.contains("每月按期召开支部委员会和主题党日"), "{home}");
        assert!(home.contains("逾期5天"), "{home}");
        let progress = c
            .get(&format!("/reports/rectification?org={c001}&year={YEAR}"))
            .await
            .text();
        assert!(progress.contains("overdue-table"), "{progress}");
        assert!(progress.contains("region-table"), "{progress}");

        // Progress, the measure done, 验收销号.
        post_done(
            &mut c,
            &post("progress"),
            &csrf,
            &[
                ("text", "7月已召开支委会和主题党日"),
                ("evidence", "会议记录第3页"),
            ],
        )
        .await;
        post_done(
            &mut c,
            &post("complete"),
            &csrf,
            &[("seq", "1"), ("note", "")],
        )
        .await;
        // The records still show the weakness: the form says so and keeps the case open
        // until a reason is given.
        let r = post_year(
            &mut c,
            &post("accept"),
            &csrf,
            &[("note", "整改到位，同意销号")],
        )
        .await;
        assert_ne!(r.status, StatusCode::SEE_OTHER);
        assert!(r.text().contains("仍然存在"), "{}", r.text());
        post_done(
            &mut c,
            &post("accept"),
            &csrf,
            &[
                ("note", "整改到位，同意销号"),
                ("reason", "制度已建立，按月检查"),
            ],
        )
        .await;
        let page = c.get(&format!("{case}?year={YEAR}")).await.text();
        assert!(page.contains("已验收销号"), "{page}");
        assert!(page.contains("review-form"), "{page}");
        for s in ["确定软弱涣散问题", "会议记录第3页", "整改到位，同意销号"]
        {
            assert!(page.contains(s), "{s} in the timeline: {page}");
        }
        let home = c.get("/").await.text();
        assert!(!home.contains("每月按期召开支部委员会和主题党日"), "{home}");

        // Exports are workbooks, and recorded.
        for path in [
            format!("/reports/ratings?org={c001}&year={YEAR}&format=xlsx"),
            format!("/reports/weak?org={c001}&year={YEAR}&format=xlsx"),
            format!("/reports/rectification?org={c001}&year={YEAR}&format=xlsx"),
        ] {
            let x = c.get(&path).await;
            assert_eq!(x.status, StatusCode::OK, "{path}");
            assert!(x.bytes.starts_with(b"PK"), "{path}");
        }
        let mut aud = api_client(&f.app, "auditor").await;
        let log = aud.get("/api/v1/audit?page_size=200").await.json();
        let actions = audit_actions(&log);
        for a in [
            "rating_adjust",
            "weakness_confirm",
            "rectification_update",
            "rating_compute",
        ] {
            assert!(
                actions.iter().any(|x| x == a),
                "{a} missing from {actions:?}"
            );
        }
        let exports = exports_in(&log);
        assert!(exports >= 3, "exports audited: {log}");
        let adj = log["items"]
            .as_array()
            .unwrap()
            .iter()
            .find(|e| e["action"] == "rating_adjust")
            .unwrap()
            .to_string();
        assert!(adj.contains("年中集中整改成效明显"), "{adj}");
    }
);

contract_test!(
    scope_roles_and_csrf_guard_every_page_and_call,
    |db: TestDb| async move {
        // Rated, and one weakness confirmed (so a case exists), by the department.
        let (f, mut api, _) = rated_by_dept(&db).await;
        let (b001, b002) = (f.orgs["B001"], f.orgs["B002"]);
        let r = api
            .post_json(
                "/api/v1/orgs/B002/weak/confirm",
                json!({ "year": 2026, "kind": "散", "reason": "核实属实" }),
            )
            .await;
        assert_eq!(r.status, StatusCode::OK, "{}", r.text());

        // A secretary of B001 does not see B002: 404 on every page and call.
        let mut sec = logged_in(&f.app, "sec-a").await;
        for path in [
            format!("/orgs/{b002}/rating?year={YEAR}"),
            format!("/orgs/{b002}/weak?year={YEAR}"),
            format!("/orgs/{b002}/rectification?year={YEAR}"),
            "/orgs/B002/rectification".to_string(),
            format!("/reports/weak?org={b002}"),
            format!("/reports/ratings?org={b002}"),
            format!("/reports/rectification?org={b002}"),
            "/reports/weak?org=C001".to_string(),
        ] {
            assert_eq!(sec.get(&path).await.status, StatusCode::NOT_FOUND, "{path}");
        }
        assert_eq!(
            sec.get(&format!("/orgs/{b001}/weak?year={YEAR}"))
                .await
                .status,
            StatusCode::OK
        );
        let csrf = sec.csrf().await;
        let r = post_year(
            &mut sec,
            &format!("/orgs/{b002}/rectification/progress"),
            &csrf,
            &[("text", "x进展"), ("evidence", "记录")],
        )
        .await;
        assert_eq!(r.status, StatusCode::NOT_FOUND);
        let mut sec_api = api_client(&f.app, "sec-a").await;
        for path in [
            "/api/v1/orgs/B002/rating?year=2026",
            "/api/v1/orgs/B002/weak?year=2026",
            "/api/v1/orgs/B002/rectification?year=2026",
            "/api/v1/weak?org=B002&year=2026",
            "/api/v1/ratings?org=B002&year=2026",
            "/api/v1/rectification?org=B002&year=2026",
        ] {
            assert_eq!(
                sec_api.get(path).await.status,
                StatusCode::NOT_FOUND,
                "{path}"
            );
        }

        // The inspector reads everything of the county and writes nothing.
        let mut insp = logged_in(&f.app, "inspector").await;
        let page = insp
            .get(&format!("/orgs/{b002}/weak?year={YEAR}"))
            .await
            .text();
        assert!(page.contains("已确定"), "{page}");
        assert!(!page.contains("/weak/decide"), "no decision form: {page}");
        let page = insp
            .get(&format!("/orgs/{b002}/rectification?year={YEAR}"))
            .await
            .text();
        assert!(page.contains("timeline"), "{page}");
        assert!(
            !page.contains("plan-form") && !page.contains("accept-form"),
            "{page}"
        );
        let page = insp
            .get(&format!("/orgs/{b001}/rating?year={YEAR}"))
            .await
            .text();
        assert!(!page.contains("adjust-form"), "{page}");
        assert!(insp.get("/").await.text().contains("overdue-measures"));
        let csrf = insp.csrf().await;
        let r = post_year(
            &mut insp,
            &format!("/orgs/{b001}/weak/decide"),
            &csrf,
            &[
                ("kind", "Disunity"),
                ("decision", "confirm"),
                ("reason", "督查认为属实"),
            ],
        )
        .await;
        assert_eq!(r.status, StatusCode::FORBIDDEN, "{}", r.text());
        let r = post_year(
            &mut insp,
            &format!("/orgs/{b001}/rating/adjust"),
            &csrf,
            &[("stars", "1"), ("reason", "督查")],
        )
        .await;
        assert_eq!(r.status, StatusCode::FORBIDDEN);
        let r = post_year(
            &mut insp,
            &format!("/orgs/{b002}/rectification/accept"),
            &csrf,
            &[("note", "验收")],
        )
        .await;
        assert_eq!(r.status, StatusCode::FORBIDDEN);
        let mut insp_api = api_client(&f.app, "inspector").await;
        assert_eq!(
            insp_api.get("/api/v1/weak?org=C001&year=2026").await.status,
            StatusCode::OK
        );
        let r = insp_api
            .post_json(
                "/api/v1/orgs/B001/weak/dismiss",
                json!({ "year": 2026, "kind": "Disunity", "reason": "督查认为不属实" }),
            )
            .await;
        assert_eq!(r.status, StatusCode::FORBIDDEN);
        let r = insp_api
            .post_json(
                "/api/v1/orgs/B001/rating/adjust",
                json!({ "year": 2026, "stars": 2, "reason": "督查" }),
            )
            .await;
        assert_eq!(r.status, StatusCode::FORBIDDEN);

        // A member sees none of it.
        let mut m = logged_in(&f.app, "member").await;
        assert_eq!(m.get("/reports/weak").await.status, StatusCode::FORBIDDEN);

        // Forms without the session's token are refused.
        let mut dept = logged_in(&f.app, "dept").await;
        let r = dept
            .post_form(
                &format!("/orgs/{b001}/weak/decide"),
                &[
                    ("year", YEAR),
                    ("kind", "Disunity"),
                    ("decision", "dismiss"),
                    ("reason", "没有令牌"),
                ],
            )
            .await;
        assert_eq!(r.status, StatusCode::FORBIDDEN);
        let page = dept
            .get(&format!("/orgs/{b001}/weak?year={YEAR}"))
            .await
            .text();
        assert!(page.contains("疑似"), "nothing changed: {page}");
    }
);

contract_test!(
    api_runs_a_case_from_diagnosis_to_acceptance,
    |db: TestDb| async move {
        let (f, mut api, r) = rated_by_dept(&db).await;
        assert!(r.json()["rated"].as_i64().unwrap() >= 3, "{}", r.text());
        let r = api.get("/api/v1/ratings?org=C001&year=2026").await;
        assert_eq!(r.status, StatusCode::OK, "{}", r.text());
        let dist = r.json();
        assert!(
            dist["stars"].is_array() && dist["levels"].is_array(),
            "{dist}"
        );
        assert!(dist["items"].as_array().unwrap().len() >= 3, "{dist}");
        let o = api.get("/api/v1/orgs/B001/rating?year=2026").await.json();
        let inds = o["stored"]["indicators"].as_array().unwrap();
        assert!(
            inds.iter()
                .all(|i| i["weight"].as_f64().is_some() && i["evidence"].is_string()),
            "{o}"
        );
        let r = api
            .post_json(
                "/api/v1/orgs/B001/rating/adjust",
                json!({ "year": 2026, "stars": 3, "reason": "" }),
            )
            .await;
        assert_eq!(r.status, StatusCode::BAD_REQUEST);
        let r = api
            .post_json(
                "/api/v1/orgs/B001/rating/adjust",
                json!({ "year": 2026, "stars": 3, "reason": "结合群众评议调整" }),
            )
            .await;
        assert_eq!(r.status, StatusCode::NO_CONTENT, "{}", r.text());
        let o = api.get("/api/v1/orgs/B001/rating?year=2026").await.json();
        assert_eq!(o["stored"]["stars"], 3, "{o}");
        assert_eq!(o["stored"]["adjusted_reason"], "结合群众评议调整");

        let w = api.get("/api/v1/weak?org=C001&year=2026").await.json();
        let b001 = w["weak"]
            .as_array()
            .unwrap()
            .iter()
            .find(|x| x["org"]["code"] == "B001")
            .unwrap_or_else(|| panic!("{w}"));
        assert!(b001["weaknesses"]
            .as_array()
            .unwrap()
            .iter()
            .any(|x| x["kind"] == "Disunity" && x["status"] == "suspected"));
        let s = api.get("/api/v1/weak/summary?org=C001&year=2026").await;
        assert_eq!(s.status, StatusCode::OK);
        assert!(s.json()["by_region"].as_array().unwrap().len() >= 2);
        let r = api
            .post_json(
                "/api/v1/orgs/B001/weak/confirm",
                json!({ "year": 2026, "kind": "Disunity", "reason": "核实属实" }),
            )
            .await;
        assert_eq!(r.status, StatusCode::OK, "{}", r.text());
        assert_eq!(r.json()["case_opened"], true);

        let step = |s: &str| format!("/api/v1/orgs/B001/rectification/{s}");
        let r = api
            .post_json(
                &step("plan"),
                json!({ "year": 2026, "measures": [
                { "text": "健全三会一课台账", "owner": "张建国", "deadline": "2026-07-10" }
            ] }),
            )
            .await;
        assert_eq!(r.status, StatusCode::OK, "{}", r.text());
        assert_eq!(r.json()["stage"], "Planned");
        let r = api
            .post_json(
                &step("assign"),
                json!({ "year": 2026, "cadre": "县委副书记 王强", "departments": [] }),
            )
            .await;
        assert_eq!(r.status, StatusCode::OK, "{}", r.text());
        assert!(
            !r.json()["departments"].as_array().unwrap().is_empty(),
            "by the mapping"
        );
        f.app.shared_today.set(d("2026-07-12"));
        let o = api
            .get("/api/v1/rectification/overdue?org=C001")
            .await
            .json();
        assert_eq!(o["items"][0]["days_overdue"], 2, "{o}");
        let rep = api
            .get("/api/v1/rectification?org=C001&year=2026")
            .await
            .json();
        assert_eq!(rep["overdue_measures"], 1, "{rep}");
        let r = api
            .post_json(
                &step("progress"),
                json!({ "year": 2026, "text": "台账已补齐", "evidence": "台账照片" }),
            )
            .await;
        assert_eq!(r.status, StatusCode::OK, "{}", r.text());
        let r = api
            .post_json(&step("complete"), json!({ "year": 2026, "seq": 1 }))
            .await;
        assert_eq!(r.status, StatusCode::OK, "{}", r.text());
        // The records still show the weakness: refused without a reason, accepted with one.
        let r = api
            .post_json(&step("accept"), json!({ "year": 2026, "note": "验收合格" }))
            .await;
        assert_eq!(r.status, StatusCode::BAD_REQUEST, "{}", r.text());
        assert!(r.text().contains("仍然存在"), "{}", r.text());
        let r = api
            .post_json(
                &step("accept"),
                json!({ "year": 2026, "note": "验收合格", "reason": "台账已补齐，待下季度核实" }),
            )
            .await;
        assert_eq!(r.status, StatusCode::OK, "{}", r.text());
        let c = api
            .get("/api/v1/orgs/B001/rectification?year=2026")
            .await
            .json();
        assert_eq!(c["stage"], "Accepted", "{c}");
        assert!(c["timeline"].as_array().unwrap().len() >= 6, "{c}");
        let st = api.get("/api/v1/rectification/stalled?org=C001").await;
        assert_eq!(st.status, StatusCode::OK);
        assert_eq!(
            api.post_json(&step("nope"), json!({ "year": 2026 }))
                .await
                .status,
            StatusCode::NOT_FOUND
        );
    }
);

contract_test!(
    department_works_through_the_weak_list_in_batches,
    |db: TestDb| async move {
        let f = fixture(&db).await;
        records_from(&db, &f.orgs).await;
        let (c001, b001) = (f.orgs["C001"], f.orgs["B001"]);
        let mut c = logged_in(&f.app, "dept").await;
        let csrf = c.csrf().await;
        let list = format!("/reports/weak?org={c001}&year={YEAR}");

        // A table in priority order, filtered by kind, with a box per weakness.
        let page = c.get(&format!("{list}&kind=Disunity")).await.text();
        assert!(page.contains("id=\"weak-table\""), "{page}");
        assert!(page.contains("甲村党支部"), "{page}");
        let pick = format!("{b001}:Disunity");
        assert!(page.contains(&format!("value=\"{pick}\"")), "{page}");
        assert!(page.contains("batch-panel"), "{page}");
        // A filter that matches nothing says so.
        let page = c.get(&format!("{list}&status=dismissed")).await.text();
        assert!(page.contains("没有符合筛选条件的问题"), "{page}");

        let decide = format!("/reports/weak/decide?org={c001}&year={YEAR}&kind=Disunity");
        // A pick without a signal refuses all; the reason and the ticks come back.
        let bad = format!("{b001}:Graft");
        let r = c
            .post_form(
                &decide,
                &[
                    ("csrf", &csrf),
                    ("pick", &pick),
                    ("pick", &bad),
                    ("decision", "confirm"),
                    ("reason", "乡镇初审意见"),
                ],
            )
            .await;
        assert_eq!(r.status, StatusCode::BAD_REQUEST, "{}", r.text());
        let page = r.text();
        assert!(page.contains("batch-error"), "{page}");
        assert!(
            page.contains("甲村党支部："),
            "the error names the org: {page}"
        );
        assert!(page.contains("乡镇初审意见"), "the reason is kept");
        assert!(
            page.contains(&format!("value=\"{pick}\" checked")),
            "{page}"
        );
        let page = c.get(&format!("{list}&status=confirmed")).await.text();
        assert!(
            page.contains("没有符合筛选条件的问题"),
            "nothing stored: {page}"
        );

        // Then the good batch: back on the list with what was done.
        let r = c
            .post_form(
                &decide,
                &[
                    ("csrf", &csrf),
                    ("pick", &pick),
                    ("decision", "confirm"),
                    ("reason", "县委组织部集中研判"),
                ],
            )
            .await;
        assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.text());
        let to = r.location().unwrap();
        assert!(to.contains("kind=Disunity"), "the filter is kept: {to}");
        let page = c.get(&to).await.text();
        assert!(page.contains("已确定1条问题"), "{page}");
        let page = c.get(&format!("{list}&status=confirmed")).await.text();
        assert!(page.contains("甲村党支部"), "{page}");
        let case = c
            .get(&format!("/orgs/{b001}/rectification?year={YEAR}"))
            .await
            .text();
        assert!(case.contains("县委组织部集中研判"), "{case}");

        // Without the CSRF token nothing happens; a secretary sees no batch form and may
        // not post one.
        let r = c
            .post_form(
                &decide,
                &[("pick", &pick), ("decision", "dismiss"), ("reason", "x")],
            )
            .await;
        assert_ne!(r.status, StatusCode::SEE_OTHER);
        let mut s = logged_in(&f.app, "sec-a").await;
        let page = s
            .get(&format!("/reports/weak?org={b001}&year={YEAR}"))
            .await
            .text();
        assert!(!page.contains("batch-panel"), "{page}");
        let scsrf = s.csrf().await;
        let r = s
            .post_form(
                &format!("/reports/weak/decide?org={b001}&year={YEAR}"),
                &[
                    ("csrf", &scsrf),
                    ("pick", &pick),
                    ("decision", "dismiss"),
                    ("reason", "无权"),
                ],
            )
            .await;
        assert_eq!(r.status, StatusCode::FORBIDDEN, "{}", r.text());
    }
);
