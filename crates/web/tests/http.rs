//! In-process HTTP tests (Router::oneshot) on SQLite and PostgreSQL: pages, forms with
//! CSRF, the API, scopes (404 outside the subtree), masking, imports, org writes.

mod common;

use axum::http::StatusCode;
use common::*;
use jiceng_store::contract_test;
use jiceng_store::testing::TestDb;

contract_test!(pages_render_for_a_county_user, |db: TestDb| async move {
    let f = fixture(&db).await;
    let mut c = logged_in(&f.app, "dept").await;
    let home = c.get("/").await;
    assert_eq!(home.status, StatusCode::OK);
    let html = home.text();
    assert!(html.contains("测试县委"), "{html}");
    assert!(html.contains("<svg"), "the dashboard draws charts");
    assert!(html.contains("抓基层打基础"), "a line of the seed text");
    // Each card's figure links to the list behind it, which counts the same.
    let c001 = f.orgs["C001"];
    assert!(
        html.contains(&format!(
            r#"id="card-members"><div class="n"><a href="/members?org={c001}">10</a><"#
        )),
        "{html}"
    );
    let roster = c.get(&format!("/members?org={c001}")).await.text();
    assert!(roster.contains("10"), "{roster}");
    assert!(html.contains(&format!(r#"href="/reports/coverage?org={c001}#gaps""#)));
    for path in [
        "/orgs".to_string(),
        format!("/orgs/{}", f.orgs["T001"]),
        "/members".into(),
        "/members?q=王".into(),
        format!("/members/{}", f.members["王伟"]),
        "/units".into(),
        "/reports/structure".into(),
        "/reports/coverage".into(),
        "/reports/members".into(),
        "/import".into(),
        format!("/orgs/{}/new", f.orgs["T001"]),
        format!("/orgs/{}/edit", f.orgs["B001"]),
        format!("/orgs/{}/move", f.orgs["B001"]),
        "/orgs?q=村".into(),
    ] {
        let r = c.get(&path).await;
        assert_eq!(r.status, StatusCode::OK, "{path}: {}", r.text());
        assert!(r.text().contains("<meta name=\"viewport\""), "{path}");
        assert!(
            !r.text().contains("http://") && !r.text().contains("https://"),
            "{path}: no outside assets"
        );
    }
    // The structure report's problems name each org as a link with the org above it.
    let st = c.get("/reports/structure").await.text();
    let list = &st[st.find("id=\"anomaly-list\"").expect("a problem list")..];
    assert!(list.contains("<th>上级党组织</th>"), "{list}");
    assert!(list.contains("<td><a href=\"/orgs/"), "{list}");
    // The tree expands one level at a time.
    let kids = c
        .get(&format!("/orgs/{}/children.json", f.orgs["T001"]))
        .await;
    assert_eq!(kids.status, StatusCode::OK);
    let names: Vec<String> = kids
        .json()
        .as_array()
        .unwrap()
        .iter()
        .map(|o| o["name"].as_str().unwrap().to_string())
        .collect();
    assert_eq!(names.len(), 2, "{names:?}");
    // Assets are served from the binary.
    assert!(c.get("/static/app.css").await.text().contains("svg.chart"));
    assert!(c
        .get("/static/tree.js")
        .await
        .text()
        .contains("children.json"));
});

contract_test!(
    no_full_id_number_in_any_list_or_page,
    |db: TestDb| async move {
        let f = fixture(&db).await;
        let full: Vec<String> = PEOPLE.iter().map(|p| id_number(p.2, p.3)).collect();
        let mut c = logged_in(&f.app, "dept").await;
        let mut api = api_client(&f.app, "dept").await;
        let mut bodies = vec![
            c.get("/members").await.text(),
            c.get(&format!("/members/{}", f.members["王伟"]))
                .await
                .text(),
            c.get(&format!("/orgs/{}", f.orgs["B001"])).await.text(),
            api.get("/api/v1/members?page_size=200").await.text(),
            api.get(&format!("/api/v1/members/{}", f.members["王伟"]))
                .await
                .text(),
            api.get(&format!("/api/v1/orgs/{}", f.orgs["B001"]))
                .await
                .text(),
        ];
        // The export, unzipped, holds masked numbers only.
        let x = c.get("/members/export.xlsx").await;
        assert_eq!(x.status, StatusCode::OK);
        assert!(x.bytes.starts_with(b"PK"));
        bodies.push(xlsx_text(&x.bytes));
        for b in &bodies {
            for n in &full {
                assert!(!b.contains(n.as_str()), "full ID number {n} shown");
            }
            assert!(!b.contains("13800000002"), "full phone shown");
        }
        assert!(
            bodies[0].contains("370830********"),
            "masked numbers are shown"
        );
        // Searching by the exact number finds the person (through the keyed hash).
        // (in the request body: a number never goes in a URL, issue #11).
        let r = api
            .post_json(
                "/api/v1/members/search",
                serde_json::json!({ "q": full[2] }),
            )
            .await
            .json();
        assert_eq!(r["total"], 1);
        assert_eq!(r["items"][0]["name"], "王伟");
        // A malformed 18-digit number is refused in Chinese, not matched as a name.
        let csrf = c.csrf().await;
        let bad = c
            .post_form(
                "/members/search",
                &[("csrf", &csrf), ("q", "370830199007010130")],
            )
            .await;
        assert!(bad.text().contains("公民身份号码无效"), "{}", bad.text());
    }
);

contract_test!(
    a_branch_secretary_sees_only_the_branch,
    |db: TestDb| async move {
        let f = fixture(&db).await;
        let mut c = logged_in(&f.app, "sec-a").await;
        let b002 = f.orgs["B002"];
        let other = f.members["杨帆"];
        for path in [
            format!("/orgs/{b002}"),
            format!("/orgs/{}", f.orgs["T001"]),
            format!("/orgs/{}", f.orgs["C001"]),
            format!("/members/{other}"),
            format!("/members?org={b002}"),
            format!("/orgs/{b002}/children.json"),
            format!("/orgs/{b002}/edit"),
            format!("/units?org={b002}"),
            format!("/reports/structure?org={b002}"),
            format!("/orgs/{b002}/export.xlsx"),
            format!("/?org={}", f.orgs["T001"]),
        ] {
            let r = c.get(&path).await;
            assert_eq!(r.status, StatusCode::NOT_FOUND, "{path}: {}", r.text());
            assert!(
                r.text().contains("无权查看") || r.text().contains("找不到"),
                "{path}"
            );
        }
        // Lists, searches and exports hold the branch only.
        let roster = c.get("/members").await.text();
        assert!(roster.contains("张建国") && roster.contains("王伟"));
        for outsider in ["陈静", "杨帆", "周丽", "吴刚"] {
            assert!(!roster.contains(outsider), "{outsider} listed");
        }
        assert!(!c.get("/members?q=杨帆").await.text().contains("杨帆</a>"));
        let x = c.get("/members/export.xlsx").await;
        let text = xlsx_text(&x.bytes);
        assert!(text.contains("张建国") && !text.contains("杨帆"));
        let home = c.get("/").await.text();
        assert!(home.contains("甲村党支部") && !home.contains("乙村党支部"));
        let found = c.get("/orgs?q=村").await.text();
        assert!(
            found.contains("甲村党支部") && !found.contains("乙村党支部"),
            "{found}"
        );

        let mut api = api_client(&f.app, "sec-a").await;
        let outside = [
            format!("/api/v1/members/{other}"),
            format!("/api/v1/orgs/{b002}"),
            format!("/api/v1/orgs/{b002}/children"),
            format!("/api/v1/members?org={b002}"),
            "/api/v1/reports/coverage?org=T001".to_string(),
        ];
        assert_gets(&mut api, StatusCode::NOT_FOUND, &outside).await;
        let list = api.get("/api/v1/members?page_size=200").await.json();
        assert_eq!(list["total"], 5);
        let q = api
            .post_json(
                "/api/v1/members/search",
                serde_json::json!({ "q": id_number("1988-04-04", 23) }),
            )
            .await
            .json();
        assert_eq!(
            q["total"], 0,
            "an ID number outside the scope finds nothing"
        );
        let st = api.get("/api/v1/reports/structure").await.json();
        assert_eq!(st["orgs"], 1, "{st}");
    }
);

contract_test!(
    a_member_sees_only_their_own_record,
    |db: TestDb| async move {
        let f = fixture(&db).await;
        let mut c = Client::new(&f.app);
        let r = c.login("member", PASSWORD).await;
        assert_eq!(r.status, StatusCode::SEE_OTHER);
        // The member's own home, linking to their record.
        let home = c.get("/").await;
        assert_eq!(home.status, StatusCode::OK);
        let own = format!("/members/{}", f.members["张建国"]);
        assert!(
            home.text().contains(&format!("href=\"{own}\"")),
            "{}",
            home.text()
        );
        assert_eq!(c.get(&own).await.status, StatusCode::OK);
        assert_eq!(
            c.get(&format!("/members/{}", f.members["王伟"]))
                .await
                .status,
            StatusCode::NOT_FOUND
        );
        assert_eq!(
            c.get(&format!("/orgs/{}", f.orgs["B001"])).await.status,
            StatusCode::FORBIDDEN
        );
        let mut api = api_client(&f.app, "member").await;
        let list = api.get("/api/v1/members").await.json();
        assert_eq!(list["total"], 1);
        assert_eq!(list["items"][0]["name"], "张建国");
    }
);

contract_test!(forms_need_the_session_csrf_token, |db: TestDb| async move {
    let f = fixture(&db).await;
    let mut c = logged_in(&f.app, "committee").await;
    let t001 = f.orgs["T001"];
    let fields = [
        ("name", "丁村党支部"),
        ("kind", "Branch"),
        ("domain", "Village"),
        ("reason", "新设村党支部"),
    ];
    let no = c.post_form(&format!("/orgs/{t001}/new"), &fields).await;
    assert_eq!(no.status, StatusCode::FORBIDDEN, "{}", no.text());
    let mut wrong = fields.to_vec();
    wrong.push(("csrf", "0000"));
    assert_eq!(
        c.post_form(&format!("/orgs/{t001}/new"), &wrong)
            .await
            .status,
        StatusCode::FORBIDDEN
    );
    // The login form has its own token too.
    let mut fresh = Client::new(&f.app);
    let r = fresh
        .post_form("/login", &[("username", "dept"), ("password", PASSWORD)])
        .await;
    assert_eq!(r.status, StatusCode::FORBIDDEN);
    // Logout is a form as well.
    assert_eq!(
        c.post_form("/logout", &[]).await.status,
        StatusCode::FORBIDDEN
    );

    let csrf = c.csrf().await;
    let mut ok = fields.to_vec();
    ok.push(("csrf", &csrf));
    let r = c.post_form(&format!("/orgs/{t001}/new"), &ok).await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.text());
    let page = c.get(&r.location().unwrap()).await.text();
    assert!(
        page.contains("丁村党支部") && page.contains("新设村党支部"),
        "history shows the reason"
    );
    let r = c.post_form("/logout", &[("csrf", &csrf)]).await;
    assert_eq!(r.status, StatusCode::SEE_OTHER);
    assert_eq!(c.get("/").await.location().as_deref(), Some("/login"));
});

contract_test!(
    org_writes_check_rules_and_are_audited,
    |db: TestDb| async move {
        let f = fixture(&db).await;
        let mut c = logged_in(&f.app, "dept").await;
        let csrf = c.csrf().await;
        let (b001, b003, t001, t002) = (
            f.orgs["B001"],
            f.orgs["B003"],
            f.orgs["T001"],
            f.orgs["T002"],
        );
        // 小马拉大车: a general branch under a branch is refused with the rule named.
        let r = c
            .post_form(
                &format!("/orgs/{b001}/new"),
                &[
                    ("name", "错挂党总支"),
                    ("kind", "GeneralBranch"),
                    ("reason", "测试"),
                    ("csrf", &csrf),
                ],
            )
            .await;
        assert_eq!(r.status, StatusCode::OK);
        assert!(r.text().contains("小马拉大车"), "{}", r.text());
        // A reason is required.
        let r = c
            .post_form(
                &format!("/orgs/{b003}/move"),
                &[("target", "T001"), ("reason", ""), ("csrf", &csrf)],
            )
            .await;
        assert!(r.text().contains("请填写原因"), "{}", r.text());
        // Move 丙村 under 甲镇.
        let r = c
            .post_form(
                &format!("/orgs/{b003}/move"),
                &[("target", "T001"), ("reason", "区划调整"), ("csrf", &csrf)],
            )
            .await;
        assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.text());
        let mut api = api_client(&f.app, "dept").await;
        let t1 = api.get(&format!("/api/v1/orgs/{t001}")).await.json();
        assert_eq!(t1["facts"]["subtree_members"], 10, "{t1}");
        let t2 = api.get(&format!("/api/v1/orgs/{t002}")).await.json();
        assert_eq!(t2["facts"]["subtree_members"], 0);
        // Merge 丙村 into 乙村: members move, 丙村 is dissolved.
        let r = api
            .post_json(
                &format!("/api/v1/orgs/{b003}/merge"),
                serde_json::json!({ "target": "B002", "reason": "两村合并" }),
            )
            .await;
        assert_eq!(r.status, StatusCode::OK, "{}", r.text());
        let b2 = api
            .get(&format!("/api/v1/orgs/{}", f.orgs["B002"]))
            .await
            .json();
        assert_eq!(b2["facts"]["direct_members"], 5);
        let b3 = api.get(&format!("/api/v1/orgs/{b003}")).await.json();
        assert!(b3["dissolved_on"].is_string());
        // Dissolving 乙镇 (no members, no children now).
        let r = api
            .post_json(
                &format!("/api/v1/orgs/{t002}/dissolve"),
                serde_json::json!({ "reason": "撤并" }),
            )
            .await;
        assert_eq!(r.status, StatusCode::OK, "{}", r.text());
        // Dissolving an org with members is refused.
        let r = api
            .post_json(
                &format!("/api/v1/orgs/{b001}/dissolve"),
                serde_json::json!({ "reason": "x" }),
            )
            .await;
        assert_eq!(r.status, StatusCode::BAD_REQUEST);
        assert!(r.json()["error"].as_str().unwrap().contains("党员"));
        // The inspector is read-only.
        let mut insp = api_client(&f.app, "inspector").await;
        let r = insp
            .post_json(
                &format!("/api/v1/orgs/{t001}/children"),
                serde_json::json!({ "name": "x", "kind": "Branch", "reason": "y" }),
            )
            .await;
        assert_eq!(r.status, StatusCode::FORBIDDEN);
        // The auditor reads the log: moves, merges, dissolutions, logins.
        let mut aud = api_client(&f.app, "auditor").await;
        let log = aud.get("/api/v1/audit?page_size=200").await.json();
        let actions: Vec<String> = log["items"]
            .as_array()
            .unwrap()
            .iter()
            .map(|e| e["action"].as_str().unwrap().to_string())
            .collect();
        for a in ["org_move", "org_merge", "org_dissolve", "login"] {
            assert!(
                actions.iter().any(|x| x == a),
                "{a} missing from {actions:?}"
            );
        }
        let mut ac = logged_in(&f.app, "auditor").await;
        // Report exports are workbooks, and recorded.
        let x = c
            .get(&format!("/reports/coverage?org={t001}&format=xlsx"))
            .await;
        assert_eq!(x.status, StatusCode::OK);
        assert!(x.bytes.starts_with(b"PK"));
        let x = c.get(&format!("/units/export.xlsx?org={t001}")).await;
        assert!(x.bytes.starts_with(b"PK"));
        let log = aud.get("/api/v1/audit?page_size=200").await.json();
        let exports = exports_in(&log);
        assert!(exports >= 2, "exports audited: {log}");
        let page = ac.get("/audit").await;
        assert_eq!(page.status, StatusCode::OK);
        assert!(page.text().contains("(32)"), "the move (code 32) is listed");
        // Times in China Standard Time: the newest entry's UTC instant, 8 hours on.
        let newest = &log["items"][0];
        let utc = chrono::DateTime::parse_from_rfc3339(newest["at"].as_str().unwrap()).unwrap();
        let local = (utc + chrono::Duration::hours(8))
            .format("%Y-%m-%d %H:%M:%S")
            .to_string();
        assert_eq!(newest["at_local"], local.as_str());
        assert!(page.text().contains("时间（北京时间）"));
        // The auditor's export of the log for the assessor, itself recorded.
        let x = ac
            .get("/audit/export.xlsx?from=2000-01-01&to=2999-12-31")
            .await;
        assert_eq!(x.status, StatusCode::OK);
        assert!(x.bytes.starts_with(b"PK"));
        assert_ne!(
            ac.get("/audit/export.xlsx?from=x").await.status,
            StatusCode::OK
        );
        let log = aud.get("/api/v1/audit?page_size=5").await.json();
        assert_eq!(log["items"][0]["action"], "audit_export", "{log}");
    }
);

contract_test!(member_edit_and_audited_reveal, |db: TestDb| async move {
    let f = fixture(&db).await;
    let id = f.members["王伟"];
    let full = id_number("1990-07-01", 13);
    let mut c = logged_in(&f.app, "sec-a").await;
    let csrf = c.csrf().await;
    let page = c.get(&format!("/members/{id}")).await.text();
    assert!(!page.contains(&full));
    assert!(page.contains("reveal-id"));
    let no = c.post_form(&format!("/members/{id}/reveal"), &[]).await;
    assert_eq!(no.status, StatusCode::FORBIDDEN);
    let r = c
        .post_form(&format!("/members/{id}/reveal"), &[("csrf", &csrf)])
        .await;
    assert_eq!(r.status, StatusCode::OK);
    assert!(r.text().contains(&full), "the full number after asking");
    let r = c
        .post_form(
            &format!("/members/{id}/edit"),
            &[
                ("csrf", &csrf),
                ("name", "王伟"),
                ("ethnicity", "回族"),
                ("education", "研究生"),
                ("occupation", "村医"),
                ("phone", ""),
                ("status", "正式党员"),
                ("full_on", "2016-07-01"),
            ],
        )
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.text());
    let page = c.get(&format!("/members/{id}")).await.text();
    assert!(page.contains("回族") && page.contains("村医") && page.contains("研究生"));
    // A bad phone is refused on the form.
    let r = c
        .post_form(
            &format!("/members/{id}/edit"),
            &[
                ("csrf", &csrf),
                ("name", "王伟"),
                ("phone", "12ab"),
                ("status", "正式党员"),
            ],
        )
        .await;
    assert!(r.text().contains("联系电话格式不正确"), "{}", r.text());
    // The inspector may not see full numbers.
    let mut insp = api_client(&f.app, "inspector").await;
    let r = insp
        .post_json(
            &format!("/api/v1/members/{id}/id-number"),
            serde_json::json!({}),
        )
        .await;
    assert_eq!(r.status, StatusCode::FORBIDDEN);
    let mut aud = api_client(&f.app, "auditor").await;
    let log = aud.get("/api/v1/audit?page_size=200").await.json();
    let codes: Vec<i64> = log["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["code"].as_i64().unwrap())
        .collect();
    assert!(codes.contains(&51), "ViewIdNumber audited: {codes:?}");
    assert!(codes.contains(&41), "MemberUpdate audited");
});

contract_test!(
    import_pages_show_errors_then_import,
    |db: TestDb| async move {
        let f = fixture(&db).await;
        let mut c = logged_in(&f.app, "committee").await;
        let csrf = c.csrf().await;
        let good1 = plain_line("孙悦", "女", "1996-01-02", 42, "B002", 50);
        let bad2 = member_line(
            "钱多",
            "男",
            "1997-01-02",
            "370830199701021230",
            "B002",
            "",
            51,
        );
        let csv = format!("{MEMBER_HEADER}\n{good1}\n{bad2}\n");
        let r = c
            .import_members(&csrf, "T001", "新党员.csv", csv.as_bytes())
            .await;
        assert_eq!(r.status, StatusCode::OK, "{}", r.text());
        let html = r.text();
        assert!(html.contains("第3行"), "the bad row is named: {html}");
        assert!(html.contains("公民身份号码"), "and its column");
        assert!(
            !html.contains("import-confirm"),
            "no confirmation while errors remain"
        );
        // Nothing was written.
        let mut api = api_client(&f.app, "committee").await;
        assert_eq!(api.get("/api/v1/members?q=孙悦").await.json()["total"], 0);
        // Fixed, the file passes and is imported on confirmation.
        let fixed = format!(
            "{MEMBER_HEADER}\n{good1}\n{}\n",
            plain_line("钱多", "男", "1997-01-02", 43, "B002", 51)
        );
        let r = c
            .import_members(&csrf, "", "新党员.csv", fixed.as_bytes())
            .await;
        let html = r.text();
        assert!(html.contains("import-confirm"), "{html}");
        let token = quoted_after(&html, "name=\"token\" value=\"");
        let before = api.get("/api/v1/dashboard").await.json()["members"]
            .as_i64()
            .unwrap();
        let r = c
            .post_form("/import/confirm", &[("csrf", &csrf), ("token", &token)])
            .await;
        assert_eq!(r.status, StatusCode::OK, "{}", r.text());
        assert!(r.text().contains("import-done"));
        let after = api.get("/api/v1/dashboard").await.json()["members"]
            .as_i64()
            .unwrap();
        assert_eq!(after, before + 2);
        // The token is used up.
        let again = c
            .post_form("/import/confirm", &[("csrf", &csrf), ("token", &token)])
            .await;
        assert_eq!(again.status, StatusCode::BAD_REQUEST);
        // A secretary cannot import into another branch: names outside the scope are errors.
        let mut s = logged_in(&f.app, "sec-a").await;
        let csrf_a = s.csrf().await;
        let other = format!(
            "{MEMBER_HEADER}\n{}\n",
            plain_line("郑和", "男", "1991-01-01", 47, "B002", 52)
        );
        let r = s
            .import_members(&csrf_a, "", "x.csv", other.as_bytes())
            .await;
        assert!(r.text().contains("找不到党组织"), "{}", r.text());
        // The API imports too (dry run first).
        let csv3 = newcomer_csv();
        let r = api
            .post_bytes(
                "/api/v1/imports/members?format=csv&dry_run=true",
                csv3.clone().into_bytes(),
            )
            .await;
        assert_eq!(r.status, StatusCode::OK, "{}", r.text());
        assert_eq!(r.json()["written"], 0);
        let r = api
            .post_bytes("/api/v1/imports/members?format=csv", csv3.into_bytes())
            .await;
        assert_eq!(r.json()["written"], 1, "{}", r.text());
    }
);

contract_test!(api_answers_the_documented_shapes, |db: TestDb| async move {
    let f = fixture(&db).await;
    let mut anon = Client::new(&f.app);
    let r = anon.get("/api/v1/members").await;
    assert_eq!(r.status, StatusCode::UNAUTHORIZED);
    assert!(r.json()["error"].as_str().unwrap().contains("登录"));
    let mut api = api_client(&f.app, "dept").await;
    let r = api
        .get(&format!(
            "/api/v1/members?org={}&page=1&page_size=3",
            f.orgs["B001"]
        ))
        .await
        .json();
    assert_eq!(r["total"], 5);
    assert_eq!(r["items"].as_array().unwrap().len(), 3);
    let r2 = api
        .get(&format!(
            "/api/v1/members?org={}&page=2&page_size=3&sort=name",
            f.orgs["B001"]
        ))
        .await
        .json();
    assert_eq!(r2["items"].as_array().unwrap().len(), 2);
    let m = api
        .get(&format!("/api/v1/members/{}", f.members["赵敏"]))
        .await
        .json();
    assert_eq!(m["name"], "赵敏");
    assert!(m["id_masked"].as_str().unwrap().contains("********"));
    let o = api
        .get(&format!("/api/v1/orgs/{}", f.orgs["T001"]))
        .await
        .json();
    assert_eq!(o["name"], "甲镇党委");
    let kids = api
        .get(&format!("/api/v1/orgs/{}/children", f.orgs["T001"]))
        .await
        .json();
    assert_eq!(kids["items"].as_array().unwrap().len(), 2);
    for kind in ["structure", "coverage", "members"] {
        let r = api.get(&format!("/api/v1/reports/{kind}?org=T001")).await;
        assert_eq!(r.status, StatusCode::OK, "{kind}: {}", r.text());
    }
    assert_eq!(
        api.get("/api/v1/reports/members?org=T001").await.json()["total"],
        8
    );
    assert_eq!(
        api.get("/api/v1/reports/nope").await.status,
        StatusCode::NOT_FOUND
    );
    assert_eq!(
        api.get("/api/v1/members?page=x").await.status,
        StatusCode::BAD_REQUEST
    );
    assert_eq!(
        api.get("/api/v1/nothing-here").await.status,
        StatusCode::NOT_FOUND
    );
    let r = api.post_bytes("/api/v1/auth/logout", vec![]).await;
    assert_eq!(r.status, StatusCode::NO_CONTENT);
    assert_eq!(api.get("/api/v1/me").await.status, StatusCode::UNAUTHORIZED);
});

contract_test!(
    wrong_passwords_lock_the_account_also_through_the_api,
    |db: TestDb| async move {
        let f = fixture(&db).await;
        let mut api = Client::new(&f.app);
        for i in 0..5 {
            let r = api.api_login("dept", "wrong-password").await;
            // The fifth failure may already answer that the account is now locked.
            if i < 4 {
                assert_eq!(r.status, StatusCode::UNAUTHORIZED, "{}", r.text());
            } else {
                assert!(matches!(
                    r.status,
                    StatusCode::UNAUTHORIZED | StatusCode::TOO_MANY_REQUESTS
                ));
            }
        }
        let r = api.api_login("dept", PASSWORD).await;
        assert_eq!(r.status, StatusCode::TOO_MANY_REQUESTS, "{}", r.text());
        assert!(r.json()["error"].as_str().unwrap().contains("锁定"));
        let mut page = Client::new(&f.app);
        let r = page.login("dept", PASSWORD).await;
        assert!(r.text().contains("锁定"), "{}", r.text());
        // Other accounts are not affected.
        let mut other = Client::new(&f.app);
        assert_eq!(
            other.api_login("committee", PASSWORD).await.status,
            StatusCode::OK
        );
    }
);

/// The committed OpenAPI document is what the code generates, and every documented route
/// exists in the router (answers something other than the API's 404 fallback).
#[tokio::test]
async fn openapi_document_is_committed_and_routed() {
    let generated = jiceng_web::openapi::document_text();
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../docs/openapi.json");
    if std::env::var("JICENG_UPDATE_OPENAPI").as_deref() == Ok("1") {
        std::fs::write(&path, &generated).unwrap();
    }
    let committed = std::fs::read_to_string(&path).unwrap_or_default();
    assert!(
        committed == generated,
        "docs/openapi.json differs from the code; regenerate with JICENG_UPDATE_OPENAPI=1 cargo test -p jiceng-web --test http openapi"
    );
    let db = TestDb::sqlite().await;
    let app = common::app(&db);
    let mut c = Client::new(&app);
    for r in jiceng_web::openapi::ROUTES {
        let p = format!("/api/v1{}", r.path)
            .replace("{id}", "1")
            .replace("{kind}", "members");
        let req = axum::http::Request::builder()
            .method(r.method.to_uppercase().as_str())
            .uri(&p)
            .body(axum::body::Body::empty())
            .unwrap();
        let resp = c.send(req).await;
        assert_ne!(
            resp.status,
            StatusCode::METHOD_NOT_ALLOWED,
            "{} {p}",
            r.method
        );
        if r.auth {
            assert_eq!(
                resp.status,
                StatusCode::UNAUTHORIZED,
                "{} {p}: {}",
                r.method,
                resp.text()
            );
        } else {
            assert_ne!(resp.status, StatusCode::NOT_FOUND, "{} {p}", r.method);
        }
    }
    let served = c.get("/api/v1/openapi.json").await.json();
    assert_eq!(served["openapi"], "3.1.0");
}
