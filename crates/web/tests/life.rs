//! Organizational life through HTTP (in-process, SQLite and PostgreSQL): 本月待办, the
//! record form (CSRF, errors by field, nothing written on error), the meeting page, the
//! API, scopes (another branch is 404), the compliance page and the exports.

mod common;

use axum::http::StatusCode;
use common::*;
use jiceng_store::contract_test;
use jiceng_store::testing::TestDb;
use serde_json::json;

/// The township's ledgers loaded from January (so a branch with no meeting held nothing,
/// review S24) and June over (it is judged only then, review error #1): the fixture's
/// day is June's last, when June is still 待办.
async fn ledgers_loaded_and_june_over(f: &Fixture, db: &TestDb) {
    let mut c = db.store.acquire().await.unwrap();
    sqlx::query("UPDATE org SET records_from = '2026-01-01' WHERE kind = 'Branch'")
        .execute(&mut *c)
        .await
        .unwrap();
    f.app.shared_today.set(d("2026-07-01"));
}

/// The record form's fields: everyone of B001 present but 刘洋 (excused, with a reason).
fn theme_day_form(f: &Fixture, csrf: &str, date: &str, topic: &str) -> Vec<(String, String)> {
    let mut v: Vec<(String, String)> = vec![
        ("csrf".into(), csrf.into()),
        ("back".into(), "due".into()),
        ("kind".into(), "ThemeDay".into()),
        ("date".into(), date.into()),
        ("topic".into(), topic.into()),
        ("venue".into(), "村党群服务中心".into()),
        ("host".into(), "张建国".into()),
        ("minutes".into(), "学习并讨论。".into()),
        ("masses_present".into(), "6".into()),
        ("central_task".into(), "1".into()),
    ];
    for name in ["张建国", "李秀英", "王伟", "赵敏", "刘洋"] {
        let id = f.members[name];
        let status = if name == "刘洋" {
            "excused"
        } else {
            "present"
        };
        v.push((format!("att_{id}"), status.into()));
        v.push((
            format!("reason_{id}"),
            if name == "刘洋" { "外出务工" } else { "" }.into(),
        ));
    }
    v
}

async fn post(c: &mut Client, path: &str, fields: &[(String, String)]) -> Resp {
    let refs: Vec<(&str, &str)> = fields
        .iter()
        .map(|(k, v)| (k.as_str(), v.as_str()))
        .collect();
    c.post_form(path, &refs).await
}

/// A meeting as the API takes it: `n` members expected, all present.
fn meeting(org: i64, kind: &str, date: &str, topic: &str, n: i64) -> serde_json::Value {
    json!({ "org_id": org, "kind": kind, "date": date, "topic": topic, "expected": n, "present": n })
}

/// A theme day of `org` posted to the API by `c`, `n` members expected and present.
async fn post_theme_day(c: &mut Client, org: i64, date: &str, topic: &str, n: i64) -> Resp {
    let body = meeting(org, "ThemeDay", date, topic, n);
    c.post_json("/api/v1/meetings", body).await
}

contract_test!(
    a_secretary_records_from_the_due_list,
    |db: TestDb| async move {
        let f = fixture(&db).await;
        let b001 = f.orgs["B001"];
        let mut c = logged_in(&f.app, "sec-a").await;
        // Linked from the home page and the org page.
        assert!(c.get("/").await.text().contains("id=\"due-link\""));
        let org = c.get(&format!("/orgs/{b001}")).await.text();
        assert!(org.contains(&format!("/orgs/{b001}/due")), "{org}");

        let due = c.get(&format!("/orgs/{b001}/due")).await;
        assert_eq!(due.status, StatusCode::OK, "{}", due.text());
        let html = due.text();
        assert!(html.contains("id=\"due-month\""), "{html}");
        assert!(html.contains("主题党日"));
        assert!(html.contains("支部党员大会"), "this quarter's");
        assert!(html.contains("组织生活会"), "this year's");
        let record = format!("/orgs/{b001}/meetings/new?kind=ThemeDay");
        assert!(html.contains(&record), "one tap to record: {html}");

        let form = c
            .get(&format!("/orgs/{b001}/meetings/new?kind=ThemeDay&back=due"))
            .await;
        assert_eq!(form.status, StatusCode::OK);
        let form = form.text();
        assert!(
            form.contains("value=\"ThemeDay\" checked"),
            "kind prefilled"
        );
        assert!(
            form.contains("value=\"2026-06-30\""),
            "date defaults to today"
        );
        assert!(
            form.contains("刘洋") && form.contains("张建国"),
            "the roster"
        );
        let csrf = csrf_of(&form);

        let r = post(
            &mut c,
            &format!("/orgs/{b001}/meetings/new"),
            &theme_day_form(&f, &csrf, "2026-06-15", "学习贯彻主题党日"),
        )
        .await;
        assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.text());
        let to = r.location().unwrap();
        assert!(to.starts_with(&format!("/orgs/{b001}/due?done=")), "{to}");
        let after = c.get(&to).await.text();
        assert!(after.contains("id=\"flash\""), "{after}");
        assert!(
            !after.contains("id=\"due-month\""),
            "the obligation left: {after}"
        );
        assert!(after.contains("本月应开展的组织生活已全部完成"));
        assert!(
            after.contains("学习贯彻主题党日"),
            "shown as done this month"
        );

        // The meeting page: attendance and who was excused, why.
        let id: i64 = to.rsplit('=').next().unwrap().parse().unwrap();
        let m = c.get(&format!("/meetings/{id}")).await;
        assert_eq!(m.status, StatusCode::OK);
        let m = m.text();
        assert!(m.contains("5 / 4 / 1"), "{m}");
        assert!(m.contains("80.0%"), "{m}");
        assert!(m.contains("外出务工"));
        assert!(m.contains("本次会议未进行表决"));

        // A general meeting that votes: its quorum is shown.
        let mut fields = theme_day_form(&f, &csrf, "2026-06-20", "讨论发展党员");
        fields.retain(|(k, _)| k != "kind" && k != "back");
        fields.push(("kind".into(), "GeneralMeeting".into()));
        fields.push(("votes".into(), "1".into()));
        let r = post(&mut c, &format!("/orgs/{b001}/meetings/new"), &fields).await;
        assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.text());
        let to = r.location().unwrap();
        assert!(to.ends_with("?done=recorded"), "{to}");
        let m = c.get(&to).await.text();
        assert!(m.contains("id=\"quorum\""), "{m}");
        assert!(m.contains("过半数需 3 人") && m.contains("符合"), "{m}");

        // The org's organizational-life tab: recent meetings and the year's calendar.
        let tab = c.get(&format!("/orgs/{b001}/life")).await;
        assert_eq!(tab.status, StatusCode::OK);
        let tab = tab.text();
        assert!(tab.contains("id=\"heat-map\""), "{tab}");
        assert!(tab.contains("讨论发展党员") && tab.contains("学习贯彻主题党日"));
    }
);

contract_test!(
    a_refused_form_says_why_and_writes_nothing,
    |db: TestDb| async move {
        let f = fixture(&db).await;
        let b001 = f.orgs["B001"];
        let mut c = logged_in(&f.app, "sec-a").await;
        let form = c.get(&format!("/orgs/{b001}/meetings/new")).await.text();
        let csrf = csrf_of(&form);
        let mut fields = theme_day_form(&f, &csrf, "2026-07-15", "  ");
        let r = post(&mut c, &format!("/orgs/{b001}/meetings/new"), &fields).await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
        let html = r.text();
        assert!(html.contains("id=\"error-date\""), "{html}");
        assert!(html.contains("晚于今天"));
        assert!(html.contains("id=\"error-topic\"") && html.contains("请填写会议主题"));
        assert!(html.contains("外出务工"), "the form comes back as filled");
        // Nobody present.
        fields = theme_day_form(&f, &csrf, "2026-06-10", "无人出席");
        for (k, v) in fields.iter_mut() {
            if k.starts_with("att_") {
                *v = "absent".into();
            }
        }
        let r = post(&mut c, &format!("/orgs/{b001}/meetings/new"), &fields).await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
        assert!(r.text().contains("id=\"error-attendance\""), "{}", r.text());
        // Without the session's CSRF token.
        let fields = theme_day_form(&f, "forged", "2026-06-10", "伪造");
        let r = post(&mut c, &format!("/orgs/{b001}/meetings/new"), &fields).await;
        assert_eq!(r.status, StatusCode::FORBIDDEN);
        // A duplicate is refused next to the topic.
        let fields = theme_day_form(&f, &csrf, "2026-06-10", "同一次会议");
        let r = post(&mut c, &format!("/orgs/{b001}/meetings/new"), &fields).await;
        assert_eq!(r.status, StatusCode::SEE_OTHER);
        let r = post(&mut c, &format!("/orgs/{b001}/meetings/new"), &fields).await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
        assert!(r.text().contains("已记录过"), "{}", r.text());
        // Only the one meeting was written.
        let mut api = api_client(&f.app, "sec-a").await;
        let list = api.get("/api/v1/meetings").await.json();
        assert_eq!(list["total"], 1, "{list}");
    }
);

contract_test!(the_api_records_lists_and_reports, |db: TestDb| async move {
    let f = fixture(&db).await;
    let (b001, t001) = (f.orgs["B001"], f.orgs["T001"]);
    let mut api = api_client(&f.app, "sec-a").await;
    let body = json!({
        "org_id": b001,
        "kind": "主题党日",
        "date": "2026-06-12",
        "topic": "API 记录的主题党日",
        "attendees": [
            { "member_id": f.members["张建国"], "status": "present" },
            { "member_id": f.members["李秀英"], "status": "present" },
            { "member_id": f.members["王伟"], "status": "excused", "reason": "生病" },
        ],
        "masses_present": 2,
        "members_needs": true,
    });
    let r = api.post_json("/api/v1/meetings", body.clone()).await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.text());
    let rec = r.json();
    assert_eq!(rec["kind"], "ThemeDay");
    assert_eq!(rec["expected"], 3);
    let id = rec["id"].as_i64().unwrap();
    // Twice: refused, in Chinese.
    let r = api.post_json("/api/v1/meetings", body).await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST);
    assert!(r.json()["error"].as_str().unwrap().contains("已记录过"));
    // A bad kind and a bad date.
    let r = api
        .post_json(
            "/api/v1/meetings",
            meeting(b001, "茶话会", "2026-6-1x", "x", 3),
        )
        .await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST);
    assert!(r.json()["error"].as_str().unwrap().contains("会议类型"));

    let list = api
        .get(&format!("/api/v1/meetings?org={b001}&page=1"))
        .await
        .json();
    assert_eq!(list["total"], 1, "{list}");
    assert_eq!(list["items"][0]["topic"], "API 记录的主题党日");
    let one = api.get(&format!("/api/v1/meetings/{id}")).await;
    assert_eq!(one.status, StatusCode::OK);
    let one = one.json();
    assert_eq!(one["attendees"].as_array().unwrap().len(), 3);
    assert_eq!(one["attendees"][2]["reason"], "生病");

    let due = api.get(&format!("/api/v1/orgs/{b001}/due")).await.json();
    let kinds: Vec<&str> = due["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|i| i["kind"].as_str().unwrap())
        .collect();
    assert!(!kinds.contains(&"ThemeDay"), "{kinds:?}");
    assert!(kinds.contains(&"GeneralMeeting"), "{kinds:?}");

    let mut county = api_client(&f.app, "dept").await;
    // On June's last day June is still running: nothing judged, the rest 待办.
    let r = county
        .get(&format!(
            "/api/v1/reports/compliance?org={t001}&period=2026-06"
        ))
        .await;
    assert_eq!(r.json()["branches"], 0);
    ledgers_loaded_and_june_over(&f, &db).await;
    let r = county
        .get(&format!(
            "/api/v1/reports/compliance?org={t001}&period=2026-06"
        ))
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text());
    let r = r.json();
    assert_eq!(r["period"], "2026-06");
    assert_eq!(r["branches"], 2);
    assert_eq!(r["compliant"], 1);
    assert_eq!(r["held_nothing"][0]["name"], "乙村党支部");
    let r = county
        .get("/api/v1/reports/compliance?org=T001&period=2026-13")
        .await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST);
    // The other report kinds still answer.
    let r = county.get("/api/v1/reports/coverage?org=T001").await;
    assert_eq!(r.status, StatusCode::OK);
});

contract_test!(another_branch_is_not_found, |db: TestDb| async move {
    let f = fixture(&db).await;
    let b002 = f.orgs["B002"];
    // A meeting of B002, recorded by its own secretary.
    let mut b = api_client(&f.app, "sec-b").await;
    let r = post_theme_day(&mut b, b002, "2026-06-03", "乙村主题党日", 3).await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.text());
    let id = r.json()["id"].as_i64().unwrap();

    let mut c = logged_in(&f.app, "sec-a").await;
    let pages = [
        format!("/orgs/{b002}/due"),
        format!("/orgs/{b002}/life"),
        format!("/orgs/{b002}/meetings/new"),
        format!("/meetings/{id}"),
        format!("/meetings?org={b002}"),
        format!("/meetings/export.xlsx?org={b002}"),
        format!("/reports/compliance?org={b002}"),
    ];
    assert_gets(&mut c, StatusCode::NOT_FOUND, &pages).await;
    let csrf = c.csrf().await;
    let r = post(
        &mut c,
        &format!("/orgs/{b002}/meetings/new"),
        &[
            ("csrf".to_string(), csrf),
            ("kind".into(), "ThemeDay".into()),
            ("date".into(), "2026-06-04".into()),
            ("topic".into(), "越权".into()),
        ],
    )
    .await;
    assert_eq!(r.status, StatusCode::NOT_FOUND);
    let mut api = api_client(&f.app, "sec-a").await;
    let r = post_theme_day(&mut api, b002, "2026-06-04", "越权", 3).await;
    assert_eq!(r.status, StatusCode::NOT_FOUND, "{}", r.text());
    let outside = [
        format!("/api/v1/meetings/{id}"),
        format!("/api/v1/orgs/{b002}/due"),
    ];
    assert_gets(&mut api, StatusCode::NOT_FOUND, &outside).await;
    let mine = api.get("/api/v1/meetings").await.json();
    assert_eq!(mine["total"], 0, "B002's meeting is not listed: {mine}");
    // An inspector reads but does not record.
    let mut i = logged_in(&f.app, "inspector").await;
    assert_eq!(
        i.get(&format!("/orgs/{b002}/meetings/new")).await.status,
        StatusCode::FORBIDDEN
    );
    assert_eq!(
        i.get(&format!("/meetings/{id}")).await.status,
        StatusCode::OK
    );
});

contract_test!(
    the_compliance_page_drills_down_and_exports,
    |db: TestDb| async move {
        let f = fixture(&db).await;
        let (c001, t001, b001) = (f.orgs["C001"], f.orgs["T001"], f.orgs["B001"]);
        let mut sec = api_client(&f.app, "sec-a").await;
        let r = post_theme_day(&mut sec, b001, "2026-06-05", "六月主题党日", 5).await;
        assert_eq!(r.status, StatusCode::CREATED, "{}", r.text());

        ledgers_loaded_and_june_over(&f, &db).await;
        let mut c = logged_in(&f.app, "dept").await;
        assert!(c.get("/").await.text().contains("/reports/compliance?org="));
        let r = c
            .get(&format!("/reports/compliance?org={c001}&period=2026-06"))
            .await;
        assert_eq!(r.status, StatusCode::OK, "{}", r.text());
        let html = r.text();
        assert!(html.contains("2026年6月"), "{html}");
        assert!(html.contains("33.3%"), "1 of 3 branches: {html}");
        assert!(html.contains("甲镇党委") && html.contains("乙镇党委"));
        assert!(html.contains(&format!(
            "/reports/compliance?org={t001}&amp;period=2026-06"
        )));
        assert!(html.contains("id=\"heat-map\""));
        assert!(
            html.contains("约15秒内计入") && html.contains("每30分钟重新计算"),
            "the freshness line"
        );
        assert!(html.contains("乙村党支部") && html.contains("丙村党支部"));
        assert!(html.contains("主题党日 应1次、已0次"), "{html}");
        // The county lists its 未达标 itself: each a link to the branch's calendar, with
        // the org above it.
        assert!(
            html.contains("<a href=\"/orgs/B002/life\">乙村党支部</a>"),
            "{html}"
        );
        assert!(
            html.contains("<td>乙镇党委</td>"),
            "the parent of 丙村: {html}"
        );
        assert!(html.contains("组织生活"), "a report tab");
        // One level down: the township, its branches link to their tabs.
        let t = c
            .get(&format!("/reports/compliance?org={t001}&period=2026-06"))
            .await
            .text();
        assert!(t.contains("50.0%"), "{t}");
        assert!(t.contains(&format!("/orgs/{b001}/life")), "{t}");
        // Other periods.
        for p in ["2026Q2", "2026", "2025-12"] {
            let r = c
                .get(&format!("/reports/compliance?org={c001}&period={p}"))
                .await;
            assert_eq!(r.status, StatusCode::OK, "{p}: {}", r.text());
        }
        let bad = c
            .get(&format!("/reports/compliance?org={c001}&period=June"))
            .await;
        assert_eq!(bad.status, StatusCode::BAD_REQUEST);
        assert!(bad.text().contains("无法识别的期间"));

        // Exports.
        let x = c
            .get(&format!(
                "/reports/compliance?org={c001}&period=2026-06&format=xlsx"
            ))
            .await;
        assert_eq!(x.status, StatusCode::OK);
        assert!(x.bytes.starts_with(b"PK"));
        let text = xlsx_text(&x.bytes);
        assert!(
            text.contains("甲镇党委") && text.contains("0.3333"),
            "{text}"
        );
        let x = c.get(&format!("/meetings/export.xlsx?org={t001}")).await;
        assert_eq!(x.status, StatusCode::OK);
        let text = xlsx_text(&x.bytes);
        assert!(text.contains("六月主题党日"));
        // The hierarchy beside each row: the branch, its code, the org above it.
        assert!(
            text.contains("甲镇党委") && text.contains("B001") && text.contains("上级党组织"),
            "{text}"
        );
        let list = c.get(&format!("/meetings?org={c001}")).await.text();
        assert!(list.contains("六月主题党日"), "{list}");
        // Exports are audited (the auditor reads the log).
        let mut auditor = api_client(&f.app, "auditor").await;
        let audit = auditor.get("/api/v1/audit?page_size=50").await.text();
        assert!(audit.contains("组织生活"), "{audit}");
        assert!(audit.contains("meetings"), "{audit}");
    }
);

contract_test!(
    a_group_meeting_is_recorded_for_its_group,
    |db: TestDb| async move {
        let f = fixture(&db).await;
        let b001 = f.orgs["B001"];
        let g = add_group_b001(&f, "甲村第一党小组").await;

        let mut c = logged_in(&f.app, "sec-a").await;
        let due = c.get(&format!("/orgs/{b001}/due")).await.text();
        assert!(due.contains("党小组会（甲村第一党小组）"), "{due}");
        let link = format!("/orgs/{g}/meetings/new?kind=GroupMeeting");
        assert!(due.contains(&link), "{due}");
        let form = c.get(&format!("{link}&back=due")).await;
        assert_eq!(form.status, StatusCode::OK, "{}", form.text());
        let form = form.text();
        assert!(form.contains("value=\"GroupMeeting\" checked"));
        assert!(
            form.contains(&format!("<option value=\"{g}\" selected>")),
            "{form}"
        );
        let csrf = csrf_of(&form);

        // From the branch's own form, a group meeting needs its group.
        let mut fields = theme_day_form(&f, &csrf, "2026-06-18", "党小组学习");
        fields.retain(|(k, _)| k != "kind");
        fields.push(("kind".into(), "GroupMeeting".into()));
        let r = post(&mut c, &format!("/orgs/{b001}/meetings/new"), &fields).await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
        assert!(r.text().contains("请选择召开的党小组"), "{}", r.text());

        // The secretary places 张建国 and 李秀英 in the group (党小组成员), all at once.
        let page = c.get(&format!("/orgs/{b001}/groups")).await;
        assert_eq!(page.status, StatusCode::OK);
        let page = page.text();
        assert!(
            page.contains("甲村第一党小组") && page.contains("（未编入）"),
            "{page}"
        );
        let (zhang, li) = (f.members["张建国"], f.members["李秀英"]);
        let placed = vec![
            ("csrf".to_string(), csrf_of(&page)),
            (format!("g_{zhang}"), g.to_string()),
            (format!("g_{li}"), g.to_string()),
        ];
        let r = post(&mut c, &format!("/orgs/{b001}/groups"), &placed).await;
        assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.text());
        let saved = c.get(&r.location().unwrap()).await.text();
        assert!(saved.contains("已保存：2名党员的党小组已调整"), "{saved}");
        // A member of another branch is refused, the choice shown again.
        let stray = vec![
            ("csrf".to_string(), csrf_of(&saved)),
            (format!("g_{}", f.members["陈静"]), g.to_string()),
        ];
        let r = post(&mut c, &format!("/orgs/{b001}/groups"), &stray).await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
        assert!(
            r.text().contains("不是“甲村党支部”的现有党员"),
            "{}",
            r.text()
        );
        // The group's page and the member's page name it.
        let org_page = c.get(&format!("/orgs/{g}")).await.text();
        assert!(org_page.contains("党小组成员（2人）"), "{org_page}");
        // The roster's export carries the group, so an office's sheet pivots by it.
        let x = c.get(&format!("/members/export.xlsx?org={b001}")).await;
        let sheet = xlsx_text(&x.bytes);
        assert!(
            sheet.contains("所在党小组") && sheet.contains("甲村第一党小组"),
            "{sheet}"
        );
        let member = c.get(&format!("/members/{zhang}")).await.text();
        assert!(member.contains("所在党小组</dt><dd id=\"member-group\">甲村第一党小组"));

        // The group's form lists the group's two members; the rest are hidden.
        let form = c.get(&format!("{link}&back=due")).await.text();
        assert!(form.contains(&format!(
            "<option value=\"{g}\" selected>甲村第一党小组（2人）"
        )));
        let shown = form.matches("data-member=").count() - form.matches(" hidden>").count();
        assert_eq!(shown, 2, "{form}");
        // Posting the branch's whole roster saves the group's two only.
        fields.push(("group".into(), g.to_string()));
        let r = post(&mut c, &format!("/orgs/{g}/meetings/new"), &fields).await;
        assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.text());
        let after = c.get(&r.location().unwrap()).await.text();
        assert!(!after.contains("党小组会（甲村第一党小组）"), "{after}");
        let mut api = api_client(&f.app, "sec-a").await;
        let list = api.get(&format!("/api/v1/meetings?org={g}")).await.json();
        assert_eq!(list["total"], 1, "{list}");
        assert_eq!(list["items"][0]["kind"], "GroupMeeting");
        assert_eq!(list["items"][0]["expected"], 2, "{list}");
    }
);

contract_test!(
    a_ledger_is_imported_through_the_api_all_or_nothing,
    |db: TestDb| async move {
        let f = fixture(&db).await;
        let b001 = f.orgs["B001"];
        let mut api = api_client(&f.app, "committee").await;
        let header = "党组织,会议类型,会议日期,会议主题,应到人数,实到人数,请假人数,主持人";
        let good = "甲村党支部,主题党日,2026-06-20,台账导入的主题党日,5,4,1,张建国";
        let bad = "乙村党支部,茶话会,2026-06-21,不存在的会议类型,5,4,1,李秀英";
        // One bad row: refused whole, the row and the column named in Chinese.
        let r = api
            .post_bytes(
                "/api/v1/imports/meetings?format=csv",
                format!("{header}\n{good}\n{bad}\n").into_bytes(),
            )
            .await;
        let v = r.json();
        assert_eq!(v["written"], 0, "{}", r.text());
        let e = &v["errors"][0];
        assert_eq!(e["row"], 3, "{v}");
        assert_eq!(e["column"], "会议类型", "{v}");
        let mut sec = logged_in(&f.app, "sec-a").await;
        let due = sec.get(&format!("/orgs/{b001}/due")).await.text();
        let open = |html: &str| html.split("已开展（").next().unwrap_or("").to_string();
        assert!(open(&due).contains("主题党日<span"), "still open: {due}");
        // Fixed: written, and the branch's 本月待办 no longer lists the theme day.
        let r = api
            .post_bytes(
                "/api/v1/imports/meetings?format=csv",
                format!("{header}\n{good}\n").into_bytes(),
            )
            .await;
        assert_eq!(r.json()["written"], 1, "{}", r.text());
        let due = sec.get(&format!("/orgs/{b001}/due")).await.text();
        assert!(!open(&due).contains("主题党日<span"), "{due}");
        assert!(due.contains("台账导入的主题党日"), "{due}");
        // The import page offers the ledger.
        let form = sec.get("/import").await.text();
        assert!(form.contains("三会一课台账"), "{form}");
    }
);

contract_test!(
    a_township_records_a_joint_theme_day_for_its_branches_at_once,
    |db: TestDb| async move {
        let f = fixture(&db).await;
        let (t001, b001, b002) = (f.orgs["T001"], f.orgs["B001"], f.orgs["B002"]);
        let mut c = logged_in(&f.app, "committee").await;
        let life = c.get(&format!("/orgs/{t001}/life")).await.text();
        assert!(
            life.contains(&format!("/orgs/{t001}/meetings/joint")),
            "{life}"
        );
        let form = c.get(&format!("/orgs/{t001}/meetings/joint")).await;
        assert_eq!(form.status, StatusCode::OK);
        let form = form.text();
        // Each branch with its 应到 (甲村 5, 乙村 3).
        assert!(
            form.contains("甲村党支部") && form.contains("乙村党支部"),
            "{form}"
        );
        let csrf = csrf_of(&form);
        let fields = |b002_present: &str| {
            vec![
                ("csrf".to_string(), csrf.clone()),
                ("kind".into(), "ThemeDay".into()),
                ("date".into(), "2026-06-20".into()),
                ("topic".into(), "全镇联合主题党日：红色教育基地参观".into()),
                ("venue".into(), "镇党群服务中心".into()),
                ("pick".into(), b001.to_string()),
                ("pick".into(), b002.to_string()),
                (format!("present_{b001}"), "4".into()),
                (format!("excused_{b001}"), "1".into()),
                (format!("present_{b002}"), b002_present.into()),
            ]
        };
        // 乙村 cannot have 9 present of 3: refused by name, nothing written for 甲村 either.
        let r = post(
            &mut c,
            &format!("/orgs/{t001}/meetings/joint"),
            &fields("9"),
        )
        .await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
        assert!(r.text().contains("乙村党支部："), "{}", r.text());
        let mut api = api_client(&f.app, "committee").await;
        let none = api
            .get(&format!("/api/v1/meetings?org={b001}"))
            .await
            .json();
        assert_eq!(none["total"], 0, "{none}");
        // Corrected: each branch has its meeting, its 应到 its members that day.
        let r = post(
            &mut c,
            &format!("/orgs/{t001}/meetings/joint"),
            &fields("3"),
        )
        .await;
        assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.text());
        let list = c.get(&r.location().unwrap()).await.text();
        assert!(list.contains("共2次"), "{list}");
        for (b, expected, present) in [(b001, 5, 4), (b002, 3, 3)] {
            let m = api.get(&format!("/api/v1/meetings?org={b}")).await.json();
            assert_eq!(m["total"], 1, "{m}");
            assert_eq!(m["items"][0]["kind"], "ThemeDay");
            assert_eq!(
                (
                    m["items"][0]["expected"].as_i64(),
                    m["items"][0]["present"].as_i64()
                ),
                (Some(expected), Some(present)),
                "{m}"
            );
        }
        // A secretary cannot record for the township's branches.
        let mut sec = logged_in(&f.app, "sec-a").await;
        let r = sec.get(&format!("/orgs/{t001}/meetings/joint")).await;
        assert_eq!(r.status, StatusCode::NOT_FOUND);
    }
);

contract_test!(
    a_democratic_evaluation_is_graded_within_a_third_and_shown_to_the_member,
    |db: TestDb| async move {
        let f = fixture(&db).await;
        let mut c = logged_in(&f.app, "sec-a").await;
        let csrf = c.csrf().await;
        let r = record_b001(
            &mut c,
            &f,
            &csrf,
            &[
                ("kind", "DemocraticEvaluation"),
                ("date", "2026-06-12"),
                ("topic", "2026年度民主评议党员"),
            ],
            &[],
        )
        .await;
        assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.text());
        let mut api = api_client(&f.app, "sec-a").await;
        let list = api
            .get(&format!("/api/v1/meetings?org={}", f.orgs["B001"]))
            .await
            .json();
        let id = list["items"][0]["id"].as_i64().unwrap();
        let meeting = c.get(&format!("/meetings/{id}")).await.text();
        assert!(meeting.contains("evaluation-link"), "{meeting}");
        let page = c.get(&format!("/meetings/{id}/evaluation")).await.text();
        // Five members: one may be 优秀 (a third of five, rounded down).
        assert!(page.contains("本次5名，最多1名"), "{page}");
        let (zhang, li) = (f.members["张建国"], f.members["李秀英"]);
        let grades = |excellent: &[i64]| {
            let mut v = vec![("csrf".to_string(), csrf_of(&page))];
            for name in ["张建国", "李秀英", "王伟", "赵敏", "刘洋"] {
                let m = f.members[name];
                let g = if excellent.contains(&m) {
                    "Excellent"
                } else if name == "刘洋" {
                    "BasicallyQualified"
                } else {
                    "Qualified"
                };
                v.push((format!("g_{m}"), g.to_string()));
            }
            v
        };
        let r = post(
            &mut c,
            &format!("/meetings/{id}/evaluation"),
            &grades(&[zhang, li]),
        )
        .await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
        assert!(r.text().contains("最多1名"), "{}", r.text());
        let r = post(
            &mut c,
            &format!("/meetings/{id}/evaluation"),
            &grades(&[zhang]),
        )
        .await;
        assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.text());
        let page = c.get(&r.location().unwrap()).await.text();
        assert!(page.contains("优秀1名，合格3名，基本合格1名"), "{page}");
        // The member sees the grade at home and on the record.
        let mut me = logged_in(&f.app, "member").await;
        let home = me.get("/").await.text();
        assert!(home.contains("2026年度：<strong>优秀</strong>"), "{home}");
        let record = c.get(&format!("/members/{zhang}")).await.text();
        assert!(record.contains("2026年度优秀"), "{record}");
        // A correction keeps the grades; a void drops them.
        let mut fields = vec![
            ("csrf".to_string(), csrf.clone()),
            ("kind".to_string(), "DemocraticEvaluation".to_string()),
            ("date".to_string(), "2026-06-13".to_string()),
            ("topic".to_string(), "2026年度民主评议党员".to_string()),
            ("reason".to_string(), "日期写错".to_string()),
        ];
        for name in ["张建国", "李秀英", "王伟", "赵敏", "刘洋"] {
            fields.push((format!("att_{}", f.members[name]), "present".to_string()));
        }
        let r = post(&mut c, &format!("/meetings/{id}/edit"), &fields).await;
        assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.text());
        let list = api
            .get(&format!("/api/v1/meetings?org={}", f.orgs["B001"]))
            .await
            .json();
        let new_id = list["items"][0]["id"].as_i64().unwrap();
        assert_ne!(new_id, id);
        let page = c
            .get(&format!("/meetings/{new_id}/evaluation"))
            .await
            .text();
        assert!(page.contains("优秀1名"), "{page}");
        let r = post(
            &mut c,
            &format!("/meetings/{new_id}/void"),
            &[
                ("csrf".to_string(), csrf.clone()),
                ("reason".to_string(), "重复录入".to_string()),
            ],
        )
        .await;
        assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.text());
        let record = c.get(&format!("/members/{zhang}")).await.text();
        assert!(!record.contains("2026年度优秀"), "{record}");
    }
);
