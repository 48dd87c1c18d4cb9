//! 任务督办 in the pages and the API, on SQLite and PostgreSQL: the department previews and
//! issues a task to the village branches whose form asks one figure the system holds and
//! one new question; a branch secretary sees it on the home page and in the task list,
//! is asked only the new question, reports; the department sees completion change by
//! township, reminds, extends, exports; the burden ledger counts what reached each branch.

mod common;

use axum::http::StatusCode;
use common::*;
use jiceng_store::contract_test;
use jiceng_store::testing::TestDb;

/// The department's form: a task to the village branches asking 正式党员人数 (held) and
/// 走访群众户数 (new).
async fn post_task(c: &mut Client, org: &str, csrf: &str, deadline: &str, step: &str) -> Resp {
    c.post_form(
        &format!("/tasks/new?org={org}"),
        &[
            ("csrf", csrf),
            ("title", "冬季走访摸底"),
            ("content", "请各村党支部开展冬季走访并报送情况。"),
            ("deadline", deadline),
            ("kinds", "Branch"),
            ("domains", "Village"),
            ("label_0", "正式党员人数"),
            ("kind_0", "Number"),
            ("label_1", "走访群众户数"),
            ("kind_1", "Number"),
            ("step", step),
        ],
    )
    .await
}

contract_test!(
    a_task_goes_down_to_the_villages_and_comes_back_done,
    |db: TestDb| async move {
        let f = fixture(&db).await;
        let c001 = f.orgs["C001"].to_string();
        let deadline = (f.app.today() + chrono::Duration::days(10)).to_string();
        let mut dept = logged_in(&f.app, "dept").await;
        let form = dept.get(&format!("/tasks/new?org={c001}")).await;
        assert_eq!(form.status, StatusCode::OK);
        let csrf = csrf_of(&form.text());
        // The preview: three village branches, the held figure answered by the system.
        let p = post_task(&mut dept, &c001, &csrf, &deadline, "preview").await;
        assert_eq!(p.status, StatusCode::OK, "{}", p.text());
        let text = p.text();
        assert!(
            text.contains("将下达到 <strong>3</strong> 个党组织"),
            "{text}"
        );
        assert!(text.contains("系统已掌握，由系统填写"), "{text}");
        assert!(text.contains("为基层少填3项"), "{text}");
        assert!(text.contains("id=\"task-send\""));
        // Nothing is issued by a preview.
        let list = dept.get(&format!("/tasks?org={c001}")).await.text();
        assert!(list.contains("还没有下达任务"), "{list}");
        let sent = post_task(&mut dept, &c001, &csrf, &deadline, "send").await;
        assert_eq!(sent.status, StatusCode::SEE_OTHER, "{}", sent.text());
        let to = sent.location().unwrap();
        let id: i64 = to
            .trim_start_matches("/tasks/")
            .split('?')
            .next()
            .unwrap()
            .parse()
            .unwrap();
        let page = dept.get(&to).await.text();
        assert!(page.contains("任务已下达到3个党组织"), "{page}");
        assert!(page.contains("id=\"task-children\""), "{page}");

        // 甲村's secretary: the home page says so; the form asks only the new question.
        let mut sec = logged_in(&f.app, "sec-a").await;
        let home = sec.get("/").await.text();
        assert!(home.contains("上级部署的任务1项待完成"), "{home}");
        let mine = sec.get("/tasks").await.text();
        assert!(mine.contains("冬季走访摸底"), "{mine}");
        let task = sec.get(&format!("/tasks/{id}")).await.text();
        assert!(task.contains("id=\"report-form\""), "{task}");
        assert!(!task.contains("name=\"answer_0\""), "{task}");
        assert!(task.contains("name=\"answer_1\""), "{task}");
        assert!(task.contains("系统已掌握，无需填报"), "{task}");
        let csrf = csrf_of(&task);
        // Done without the answer: refused, named, nothing stored.
        let r = sec
            .post_form(
                &format!("/tasks/{id}/report"),
                &[("csrf", &csrf), ("done", "1"), ("progress", "已走访")],
            )
            .await;
        assert_eq!(r.status, StatusCode::BAD_REQUEST, "{}", r.text());
        assert!(r.text().contains("请填写“走访群众户数”"), "{}", r.text());
        let r = sec
            .post_form(
                &format!("/tasks/{id}/report"),
                &[
                    ("csrf", &csrf),
                    ("done", "1"),
                    ("progress", "已走访"),
                    ("answer_1", "36"),
                ],
            )
            .await;
        assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.text());

        // The department: one of three done; 甲镇 1 of 2; the answer and the system's.
        let view = dept.get(&format!("/tasks/{id}?org={c001}")).await.text();
        assert!(view.contains("已完成（33%）"), "{view}");
        assert!(view.contains(">36</td>"), "{view}");
        let api = api_client(&f.app, "dept")
            .await
            .get(&format!("/api/v1/tasks/{id}?org={c001}"))
            .await;
        assert_eq!(api.status, StatusCode::OK, "{}", api.text());
        let v = api.json();
        assert_eq!(v["counts"]["done"], 1);
        let jia = v["children"]
            .as_array()
            .unwrap()
            .iter()
            .find(|c| c["name"] == "甲镇党委")
            .unwrap();
        assert_eq!(
            (
                jia["counts"]["targets"].as_i64(),
                jia["counts"]["done"].as_i64()
            ),
            (Some(2), Some(1))
        );
        let line = v["lines"]
            .as_array()
            .unwrap()
            .iter()
            .find(|l| l["org"]["code"] == "B001")
            .unwrap();
        assert_eq!(line["answers"][0]["by_system"], true);
        assert_eq!(line["answers"][1]["text"], "36");

        // Reminding the two open branches; the export; the ledger.
        let csrf = csrf_of(&view);
        let r = dept
            .post_form(
                &format!("/tasks/{id}/remind?org={c001}"),
                &[("csrf", &csrf)],
            )
            .await;
        assert_eq!(r.status, StatusCode::SEE_OTHER);
        let after = dept.get(&r.location().unwrap()).await.text();
        assert!(after.contains("已提醒2个未完成的党组织"), "{after}");
        let x = dept
            .get(&format!("/tasks/{id}/export.xlsx?org={c001}"))
            .await;
        assert_eq!(x.status, StatusCode::OK);
        assert!(x.bytes.starts_with(b"PK"));
        let ledger = dept.get(&format!("/burden?org={c001}")).await.text();
        assert!(
            ledger.contains("共收到任务 <strong>3</strong> 项次"),
            "{ledger}"
        );
        assert!(
            ledger.contains("系统代答 <strong>3</strong> 项次"),
            "{ledger}"
        );
        // The township sees its two branches, and may not remind for the county.
        let mut committee = logged_in(&f.app, "committee").await;
        let t = committee.get(&format!("/tasks/{id}")).await.text();
        assert!(
            t.contains("id=\"task-lines\"") && !t.contains("id=\"remind\""),
            "{t}"
        );
        assert!(t.contains("甲村党支部") && !t.contains("丙村党支部"), "{t}");
        let r = committee
            .post_form(&format!("/tasks/{id}/remind"), &[("csrf", &csrf_of(&t))])
            .await;
        assert_eq!(r.status, StatusCode::NOT_FOUND, "{}", r.text());

        // A task to the townships (the API), passed down by 甲镇 to its branches (the page).
        let mut api = api_client(&f.app, "dept").await;
        let r = api
            .post_json(
                &format!("/api/v1/tasks?org={c001}"),
                serde_json::json!({"title": "换届情况统计", "content": "请统计所属党组织换届情况。",
                    "deadline": deadline, "kinds": ["PrimaryCommittee"], "domains": ["Township"],
                    "fields": [{"label": "应换届的党组织数", "kind": "Number"}]}),
            )
            .await;
        assert_eq!(r.status, StatusCode::CREATED, "{}", r.text());
        assert_eq!(r.json()["targets"], 2);
        let parent = r.json()["id"].as_i64().unwrap();
        let t001 = f.orgs["T001"];
        let t = committee.get(&format!("/tasks/{parent}")).await.text();
        assert!(t.contains("id=\"pass-down\""), "{t}");
        let form = committee
            .get(&format!("/tasks/new?org={t001}&parent={parent}"))
            .await
            .text();
        assert!(
            form.contains("id=\"parent-note\"") && form.contains("换届情况统计"),
            "{form}"
        );
        let too_late = (f.app.today() + chrono::Duration::days(30)).to_string();
        let send = |deadline: String| {
            vec![
                ("csrf", csrf_of(&form)),
                ("parent", parent.to_string()),
                ("title", "支部换届情况".to_string()),
                ("content", "请报告本支部换届情况。".to_string()),
                ("deadline", deadline),
                ("kinds", "Branch".to_string()),
                ("label_0", "下一次换届时间".to_string()),
                ("kind_0", "Text".to_string()),
                ("step", "send".to_string()),
            ]
        };
        let pairs = send(too_late);
        let refs: Vec<(&str, &str)> = pairs.iter().map(|(k, v)| (*k, v.as_str())).collect();
        let r = committee
            .post_form(&format!("/tasks/new?org={t001}"), &refs)
            .await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", r.text());
        assert!(r.text().contains("不能晚于上级要求"), "{}", r.text());
        let pairs = send(deadline.clone());
        let refs: Vec<(&str, &str)> = pairs.iter().map(|(k, v)| (*k, v.as_str())).collect();
        let r = committee
            .post_form(&format!("/tasks/new?org={t001}"), &refs)
            .await;
        assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.text());
        let child = committee.get(&r.location().unwrap()).await.text();
        assert!(
            child.contains("id=\"task-parent\"") && child.contains("任务已下达到2个党组织"),
            "{child}"
        );
        let v = api
            .get(&format!("/api/v1/tasks/{parent}?org={c001}"))
            .await
            .json();
        assert_eq!(v["passed"].as_array().unwrap().len(), 1, "{v}");
        // The API's urging: the first task's two open branches get twenty more days; a
        // day already past is refused with its field; the department lowers the ceilings.
        let later = (f.app.today() + chrono::Duration::days(20)).to_string();
        let r = api
            .post_json(
                &format!("/api/v1/tasks/{id}/extend?org={c001}"),
                serde_json::json!({ "deadline": later }),
            )
            .await;
        assert_eq!(r.status, StatusCode::OK, "{}", r.text());
        assert_eq!(r.json()["done"], 2);
        let r = api
            .post_json(
                &format!("/api/v1/tasks/{id}/extend?org={c001}"),
                serde_json::json!({ "deadline": "2020-01-01" }),
            )
            .await;
        assert_eq!(r.status, StatusCode::BAD_REQUEST, "{}", r.text());
        assert_eq!(r.json()["field"], "deadline");
        let r = api
            .put_json(
                "/api/v1/burden/ceilings",
                serde_json::json!({"village_monthly_max": 1, "township_monthly_max": 8,
                    "other_monthly_max": 6}),
            )
            .await;
        assert_eq!(r.status, StatusCode::OK, "{}", r.text());
        let ledger = api.get(&format!("/api/v1/burden?org={c001}")).await.json();
        assert_eq!(ledger["ceilings"]["village_monthly_max"], 1, "{ledger}");
        // 甲村 and 乙村 received two tasks this month (the county's and 甲镇's): over 1.
        assert_eq!(ledger["over"], 2, "{ledger}");
    }
);

/// The outcomes workbook of the department's task as the branches fill it: 走访群众户数
/// for each row given.
fn outcomes_xlsx(rows: &[(&str, &str, &str, &str)]) -> Vec<u8> {
    use jiceng_io::OutCell;
    let t = |s: &str| {
        if s.is_empty() {
            OutCell::Empty
        } else {
            OutCell::Text(s.into())
        }
    };
    jiceng_io::workbook_bytes(&[jiceng_io::Sheet {
        name: "模板".into(),
        title: "冬季走访摸底完成情况".into(),
        headers: ["党组织代码", "走访群众户数", "进展情况", "是否完成"]
            .iter()
            .map(|s| s.to_string())
            .collect(),
        rows: rows
            .iter()
            .map(|(code, n, progress, done)| vec![t(code), t(n), t(progress), t(done)])
            .collect(),
    }])
    .unwrap()
}

contract_test!(
    the_issuer_imports_its_targets_outcomes_from_a_workbook,
    |db: TestDb| async move {
        let f = fixture(&db).await;
        let c001 = f.orgs["C001"].to_string();
        let deadline = (f.app.today() + chrono::Duration::days(10)).to_string();
        let mut dept = logged_in(&f.app, "dept").await;
        let form = dept.get(&format!("/tasks/new?org={c001}")).await;
        let csrf = csrf_of(&form.text());
        let sent = post_task(&mut dept, &c001, &csrf, &deadline, "send").await;
        assert_eq!(sent.status, StatusCode::SEE_OTHER, "{}", sent.text());
        let to = sent.location().unwrap();
        let id: i64 = to
            .trim_start_matches("/tasks/")
            .split('?')
            .next()
            .unwrap()
            .parse()
            .unwrap();
        let page = dept.get(&format!("/tasks/{id}?org={c001}")).await.text();
        assert!(
            page.contains("从表格导入完成情况") && page.contains("id=\"outcomes-form\""),
            "{page}"
        );
        let csrf = csrf_of(&page);

        // The template: a row per target, the new question only (the held one is the
        // system's).
        let x = dept
            .get(&format!("/tasks/{id}/outcomes-template.xlsx?org={c001}"))
            .await;
        assert_eq!(x.status, StatusCode::OK);
        let dir = Dir::new("outcomes-template");
        let path = dir.file("模板.xlsx");
        std::fs::write(&path, &x.bytes).unwrap();
        let grid = jiceng_io::read_grid(&path).unwrap();
        let header = format!("{:?}", grid.rows[1].cells);
        assert!(
            header.contains("走访群众户数") && !header.contains("正式党员人数"),
            "{header}"
        );
        assert_eq!(grid.rows.len(), 2 + 3);

        // A file with bad rows: every error by row and column, nothing written.
        let import = format!("/tasks/{id}/import?org={c001}");
        let bad = outcomes_xlsx(&[
            ("B001", "三十", "已走访", "否"),
            ("B002", "", "已走访", "是"),
            ("B003", "12", "", "完成"),
            ("B009", "1", "", ""),
        ]);
        let r = dept
            .post_multipart(&import, &[("csrf", &csrf)], ("完成情况.xlsx", &bad))
            .await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", r.text());
        let text = r.text();
        assert!(text.contains("未写入任何数据"), "{text}");
        for said in [
            "第3行",
            "“走访群众户数”应为数字",
            "第4行",
            "请填写“走访群众户数”",
            "第5行",
            "应填“是”或“否”",
            "第6行",
            "找不到党组织“B009”",
        ] {
            assert!(text.contains(said), "{said}: {text}");
        }
        let view = dept.get(&format!("/tasks/{id}?org={c001}")).await.text();
        assert!(view.contains("已完成（0%）"), "{view}");
        // Without the token: refused; a secretary may not import.
        let r = dept
            .post_multipart(&import, &[("csrf", "wrong")], ("完成情况.xlsx", &bad))
            .await;
        assert_eq!(r.status, StatusCode::FORBIDDEN);
        let mut sec = logged_in(&f.app, "sec-a").await;
        let sec_csrf = csrf_of(&sec.get(&format!("/tasks/{id}")).await.text());
        let r = sec
            .post_multipart(
                &format!("/tasks/{id}/import"),
                &[("csrf", &sec_csrf)],
                ("完成情况.xlsx", &bad),
            )
            .await;
        assert_eq!(r.status, StatusCode::FORBIDDEN);

        // The right file: 甲村 done, 乙村 in progress, 丙村 not filled in.
        let good = outcomes_xlsx(&[
            ("B001", "36", "已走访", "是"),
            ("B002", "", "已走访一半", "否"),
            ("B003", "", "", ""),
        ]);
        let r = dept
            .post_multipart(&import, &[("csrf", &csrf)], ("完成情况.xlsx", &good))
            .await;
        assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.text());
        let view = dept.get(&r.location().unwrap()).await.text();
        assert!(
            view.contains("写入2个党组织，0个与已报告的相同，1个未填写"),
            "{view}"
        );
        assert!(
            view.contains("已完成（33%）") && view.contains(">36</td>"),
            "{view}"
        );
        assert!(view.contains("已走访一半"), "{view}");

        // The API: the same workbook as the body changes nothing now.
        let mut api = api_client(&f.app, "dept").await;
        let r = api
            .post_bytes(&format!("/api/v1/tasks/{id}/outcomes?org={c001}"), good)
            .await;
        assert_eq!(r.status, StatusCode::OK, "{}", r.text());
        let j = r.json();
        assert_eq!(
            (
                j["written"].as_i64(),
                j["unchanged"].as_i64(),
                j["blank"].as_i64()
            ),
            (Some(0), Some(2), Some(1)),
            "{j}"
        );
        let r = api
            .post_bytes(&format!("/api/v1/tasks/{id}/outcomes?org={c001}"), bad)
            .await;
        assert_eq!(r.status, StatusCode::OK, "{}", r.text());
        assert_eq!(r.json()["errors_total"], 4, "{}", r.text());
    }
);
