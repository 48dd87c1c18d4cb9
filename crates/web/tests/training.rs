//! 党员教育培训学时 through the pages and the API, on SQLite and PostgreSQL (today
//! 2026-06-30). 甲村's secretary records a training of 32 学时 for the whole roster (all
//! ticked by default) and one of 8 for 张建国 (书记): he has 40 of 56 — 还差16学时, not
//! 未达标, the year runs — and 李秀英 with 32 is done. 本月待办 counts the 1 short; the
//! member page shows his hours; 乙村's secretary sees nothing of 甲村; the department's
//! overview drills down by town (乙镇: 暂无数据) and exports the workbook; the API's report
//! counts by hand: the county's 10 members, 4 done, 1 short, 5 of branches that recorded
//! nothing (暂无数据, not short); 2 towns short of staff until
//! 甲镇 gets a 组织员 and a 党建工作指导员.

mod common;

use axum::http::StatusCode;
use common::{api_client, fixture, logged_in, xlsx_text};
use jiceng_store::contract_test;
use jiceng_store::testing::TestDb;
use serde_json::json;

contract_test!(
    a_branch_records_training_and_the_county_sees_who_is_short,
    |db: TestDb| async move {
        let f = fixture(&db).await;
        let b001 = f.orgs["B001"];
        let zhang = f.members["张建国"];
        let li = f.members["李秀英"];
        let mut a = logged_in(&f.app, "sec-a").await;
        let form = a.get(&format!("/training/new?org={b001}")).await;
        assert_eq!(form.status, StatusCode::OK, "{}", form.text());
        let html = form.text();
        assert_eq!(html.matches("name=\"attendee\"").count(), 5);
        assert_eq!(
            html.matches(" checked>").count(),
            5 + 1,
            "all ticked, and 线下"
        );
        let csrf = a.csrf().await;
        let everyone: Vec<String> = ["张建国", "李秀英", "王伟", "赵敏", "刘洋"]
            .iter()
            .map(|n| f.members[*n].to_string())
            .collect();
        let record = |title: &str, hours: &str, who: &[String]| {
            let mut fields: Vec<(String, String)> = [
                ("csrf", csrf.as_str()),
                ("title", title),
                ("starts_on", "2026-06-01"),
                ("ends_on", ""),
                ("hours", hours),
                ("mode", "in_person"),
            ]
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect();
            fields.extend(who.iter().map(|w| ("attendee".to_string(), w.clone())));
            fields
        };
        let path = format!("/training/new?org={b001}");
        for (title, hours, who) in [
            ("党员集中轮训", "32", everyone.clone()),
            ("书记专题培训", "8", vec![zhang.to_string()]),
        ] {
            let fields = record(title, hours, &who);
            let refs: Vec<(&str, &str)> = fields
                .iter()
                .map(|(k, v)| (k.as_str(), v.as_str()))
                .collect();
            let r = a.post_form(&path, &refs).await;
            assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.text());
        }
        // Hundredths are refused, the form comes back with the reason and the ticks.
        let fields = record("再一次", "2.25", &[li.to_string()]);
        let refs: Vec<(&str, &str)> = fields
            .iter()
            .map(|(k, v)| (k.as_str(), v.as_str()))
            .collect();
        let r = a.post_form(&path, &refs).await;
        assert_eq!(r.status, StatusCode::BAD_REQUEST);
        assert!(r.text().contains("一位小数") && r.text().matches(" checked>").count() == 2);

        let page = a.get(&format!("/training?org={b001}")).await.text();
        let row = |id: i64| {
            let start = page.find(&format!("id=\"person-{id}\"")).unwrap();
            page[start..start + page[start..].find("</tr>").unwrap()].to_string()
        };
        assert!(
            row(zhang).contains("还差16学时") && row(zhang).contains(">40/56<"),
            "{}",
            row(zhang)
        );
        assert!(row(li).contains("已达标"));
        assert!(!page.contains("未达标（"), "a running year is never 未达标");
        let due = a.get(&format!("/orgs/{b001}/due")).await.text();
        assert!(
            due.contains("还有 <strong>1</strong> 名党员学时未满"),
            "{due}"
        );
        let me = a.get(&format!("/members/{zhang}")).await.text();
        assert!(me.contains("<strong>40</strong> 学时") && me.contains("书记专题培训"));

        let mut b = logged_in(&f.app, "sec-b").await;
        let b002 = f.orgs["B002"];
        let due = b.get(&format!("/orgs/{b002}/due")).await.text();
        assert!(due.contains("本年度尚未登记党员教育培训"), "{due}");
        assert_eq!(
            b.get(&format!("/training?org={b001}")).await.status,
            StatusCode::NOT_FOUND
        );
        let mut insp = logged_in(&f.app, "inspector").await;
        assert_eq!(
            insp.get(&format!("/training/new?org={b001}")).await.status,
            StatusCode::FORBIDDEN
        );

        let mut dept = logged_in(&f.app, "dept").await;
        let c001 = f.orgs["C001"];
        let (t001, t002) = (f.orgs["T001"], f.orgs["T002"]);
        let page = dept.get(&format!("/training?org={c001}")).await.text();
        assert!(page.contains(&format!("/training?org={t001}&amp;year=2026")));
        let t2 = &page[page.find(&format!("id=\"child-{t002}\"")).unwrap()..];
        assert!(t2[..t2.find("</tr>").unwrap()].contains("暂无数据"));
        let x = dept.get(&format!("/training?org={c001}&format=xlsx")).await;
        assert_eq!(x.status, StatusCode::OK);
        assert!(xlsx_text(&x.bytes).contains("甲镇党委"));

        let mut api = api_client(&f.app, "dept").await;
        let v = api
            .get(&format!("/api/v1/training?org={c001}&year=2026"))
            .await
            .json();
        assert_eq!(
            (
                v["total"]["members"].clone(),
                v["total"]["met"].clone(),
                v["short_total"].clone()
            ),
            (json!(10), json!(4), json!(1)),
            "{v}"
        );
        assert_eq!(v["total"]["unrecorded"], 5);
        assert_eq!(v["staffing"]["townships_short"], 2);
        assert!(v["short"]
            .as_array()
            .unwrap()
            .iter()
            .all(|p| p["id_number"].as_str().unwrap().contains('*')));
        // 甲镇 gets its two: a 组织员 by the committee's page, a 党建工作指导员 by the API.
        let mut c = logged_in(&f.app, "committee").await;
        let csrf = c.csrf().await;
        let r = c
            .post_form(
                &format!("/orgs/{t001}/staff"),
                &[
                    ("csrf", csrf.as_str()),
                    ("action", "appoint"),
                    ("name", "组织员甲"),
                    ("role", "Organizer"),
                    ("on", "2026-03-01"),
                ],
            )
            .await;
        assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.text());
        assert!(c
            .get(&format!("/orgs/{t001}"))
            .await
            .text()
            .contains("组织员甲"));
        let r = api
            .post_json(
                &format!("/api/v1/orgs/{t001}/staff"),
                json!({"action": "appoint", "name": "指导员乙", "role": "党建工作指导员", "on": "2026-03-01"}),
            )
            .await;
        assert_eq!(r.status, StatusCode::OK, "{}", r.text());
        assert_eq!(r.json().as_array().unwrap().len(), 2);
        let v = api
            .get(&format!("/api/v1/training?org={c001}"))
            .await
            .json();
        assert_eq!(v["staffing"]["townships_short"], 1);
        // The API records a training too; a member of another branch is refused.
        let r = api
            .post_json(
                &format!("/api/v1/training?org={b001}"),
                json!({"title": "网络学习", "starts_on": "2026-06-10", "ends_on": "2026-06-10",
                       "hours": "2", "mode": "online", "attendees": [f.members["陈静"]]}),
            )
            .await;
        assert_eq!(
            (r.status, r.json()["field"].clone()),
            (StatusCode::BAD_REQUEST, json!("attendees"))
        );
    }
);
