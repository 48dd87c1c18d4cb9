//! 活动场所 and 书记报酬 in the pages and the API, on SQLite and PostgreSQL: the township's
//! committee records 甲村's venue on the form (a bad area refused, 422, what was typed kept);
//! last year it stood empty every quarter, in red; a meeting recorded through the API names
//! it and its quarter is used; the venue's page lists the meeting; 乙镇's venue is not
//! found from 甲镇. Remuneration below the shipped standard is listed, in red. The
//! department sets its standard from a year on (earlier years keep theirs); a township's
//! joint 主题党日 names the township's venue on its form.

mod common;

use axum::http::StatusCode;
use chrono::Datelike;
use common::*;
use jiceng_store::contract_test;
use jiceng_store::testing::TestDb;
use serde_json::json;

contract_test!(
    a_venue_is_recorded_flagged_and_named_by_a_meeting,
    |db: TestDb| async move {
        let f = fixture(&db).await;
        let (b001, t001, t002) = (f.orgs["B001"], f.orgs["T001"], f.orgs["T002"]);
        let last = f.app.today().year() - 1;
        let opened = format!("{}-01-01", last - 1);

        // An inspector may not record one.
        let mut insp = logged_in(&f.app, "inspector").await;
        let r = insp.get(&format!("/venues/new?org={b001}")).await;
        assert_eq!(r.status, StatusCode::FORBIDDEN);

        let mut com = logged_in(&f.app, "committee").await;
        let form = com.get(&format!("/venues/new?org={b001}")).await;
        assert_eq!(form.status, StatusCode::OK, "{}", form.text());
        assert!(form.text().contains("党员活动室"), "{}", form.text());
        let csrf = csrf_of(&form.text());
        let post = |area: &str| {
            vec![
                ("csrf", csrf.clone()),
                ("name", "甲村党群服务中心".to_string()),
                ("address", "甲村村委会".to_string()),
                ("area", area.to_string()),
                ("facility", "activity_room".to_string()),
                ("facility", "library".to_string()),
                ("opened_on", opened.clone()),
                ("user", b001.to_string()),
            ]
        };
        let bad = post("很大");
        let pairs: Vec<(&str, &str)> = bad.iter().map(|(k, v)| (*k, v.as_str())).collect();
        let r = com
            .post_form(&format!("/venues/new?org={b001}"), &pairs)
            .await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", r.text());
        assert!(r.text().contains("面积"), "{}", r.text());
        assert!(r.text().contains("甲村村委会"), "what was typed is kept");
        let good = post("260");
        let pairs: Vec<(&str, &str)> = good.iter().map(|(k, v)| (*k, v.as_str())).collect();
        let r = com
            .post_form(&format!("/venues/new?org={b001}"), &pairs)
            .await;
        assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.text());
        let id: i64 = r
            .location()
            .unwrap()
            .trim_start_matches("/venues/")
            .split('?')
            .next()
            .unwrap()
            .parse()
            .unwrap();

        // Last year: no meeting named it, every quarter stood empty.
        let list = com
            .get(&format!("/venues?org={t001}&year={last}"))
            .await
            .text();
        assert!(
            list.contains("甲村党群服务中心") && list.contains("铁将军把门"),
            "{list}"
        );
        assert!(list.contains("class=\"late\""), "{list}");

        // A meeting recorded through the API names it.
        let mut api = api_client(&f.app, "committee").await;
        let usable = api
            .get(&format!("/api/v1/venues/usable?org={b001}"))
            .await
            .json();
        assert_eq!(usable[0]["id"], id, "{usable}");
        let r = api
            .post_json(
                "/api/v1/meetings",
                json!({
                    "org_id": b001, "kind": "主题党日", "date": format!("{last}-02-10"),
                    "topic": "学习党章", "expected": 3, "present": 3, "venue_id": id
                }),
            )
            .await;
        assert!(r.status.is_success(), "{}", r.text());
        let l = api
            .get(&format!("/api/v1/venues?org={t001}&year={last}"))
            .await
            .json();
        let v = &l["venues"][0];
        assert_eq!(v["quarters"][0], json!({"used": 1}), "{l}");
        assert_eq!(v["quarters"][1], "idle", "{l}");
        assert_eq!(v["last_held"], format!("{last}-02-10"), "{l}");
        let idle = api
            .get(&format!("/api/v1/venues?org={t001}&year={last}&shown=idle"))
            .await
            .json();
        assert_eq!(idle["flagged"], 1, "{idle}");
        let page = com
            .get(&format!("/venues/{id}?org={t001}&year={last}"))
            .await;
        assert_eq!(page.status, StatusCode::OK, "{}", page.text());
        assert!(page.text().contains("学习党章"), "{}", page.text());
        // 乙镇's org cannot see it.
        let r = api.get(&format!("/api/v1/venues/{id}?org={t002}")).await;
        assert_eq!(r.status, StatusCode::NOT_FOUND, "{}", r.text());

        // Remuneration: 甲村 below the shipped standard, 乙村 not.
        for (org, amount) in [("B001", 30000), ("B002", 40000)] {
            let r = api
                .post_json(
                    &format!("/api/v1/remuneration?org={t001}"),
                    json!({"org": org, "year": last, "amount": amount, "source": "财政补贴"}),
                )
                .await;
            assert_eq!(r.status, StatusCode::NO_CONTENT, "{}", r.text());
        }
        let r = api
            .post_json(
                &format!("/api/v1/remuneration?org={t001}"),
                json!({"org": "B001", "year": last, "amount": 0, "source": "财政补贴"}),
            )
            .await;
        assert_eq!(r.json()["field"], "amount", "{}", r.text());
        let pays = api
            .get(&format!("/api/v1/remuneration?org={t001}&year={last}"))
            .await
            .json();
        assert_eq!(pays["below"], 1, "{pays}");
        let page = com
            .get(&format!("/remuneration?org={t001}&year={last}"))
            .await
            .text();
        assert!(
            page.contains("甲村党支部") && page.contains("badge red"),
            "{page}"
        );
        assert!(page.contains("本地示例"), "{page}");

        // The workbook: the venues and the remuneration.
        let r = com
            .get(&format!("/venues/export.xlsx?org={t001}&year={last}"))
            .await;
        assert_eq!(r.status, StatusCode::OK);
    }
);

contract_test!(
    the_pay_standard_is_set_from_a_year_and_a_joint_theme_day_names_a_venue,
    |db: TestDb| async move {
        let f = fixture(&db).await;
        let (b001, t001) = (f.orgs["B001"], f.orgs["T001"]);
        let this = f.app.today().year();
        let last = this - 1;

        // The department's standard from this year on: last year keeps the shipped one.
        let mut dept = logged_in(&f.app, "dept").await;
        let page = dept.get(&format!("/remuneration?org={t001}")).await.text();
        assert!(page.contains("id=\"from_year\""), "{page}");
        let csrf = csrf_of(&page);
        let r = dept
            .post_form(
                &format!("/remuneration/standard?org={t001}"),
                &[
                    ("csrf", &csrf),
                    ("from_year", &(this + 5).to_string()),
                    ("village_min_yuan", "50000"),
                    ("community_min_yuan", "60000"),
                ],
            )
            .await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", r.text());
        assert!(r.text().contains("起始年度"), "{}", r.text());
        let r = dept
            .post_form(
                &format!("/remuneration/standard?org={t001}"),
                &[
                    ("csrf", &csrf),
                    ("from_year", &this.to_string()),
                    ("village_min_yuan", "50000"),
                    ("community_min_yuan", "60000"),
                ],
            )
            .await;
        assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.text());
        let page = dept.get(&r.location().unwrap()).await.text();
        assert!(page.contains(&format!("自{this}年起适用")), "{page}");
        let mut api = api_client(&f.app, "dept").await;
        let s = api
            .get(&format!("/api/v1/remuneration/standard?year={last}"))
            .await
            .json();
        assert!(s["set_by"].is_null(), "{s}");
        let s = api
            .get(&format!("/api/v1/remuneration/standard?year={this}"))
            .await
            .json();
        assert_eq!(s["rules"]["village_min_yuan"], 50000, "{s}");
        assert_eq!(s["set_by"][2], this, "{s}");
        let r = api
            .put_json(
                "/api/v1/remuneration/standard",
                json!({"village_min_yuan": 1, "community_min_yuan": 1}),
            )
            .await;
        assert_eq!(r.status, StatusCode::BAD_REQUEST, "{}", r.text());
        assert_eq!(r.json()["field"], "from_year", "{}", r.text());
        let r = api
            .put_json(
                "/api/v1/remuneration/standard",
                json!({"from_year": last, "village_min_yuan": 20000, "community_min_yuan": 30000}),
            )
            .await;
        assert_eq!(r.status, StatusCode::OK, "{}", r.text());
        assert_eq!(r.json()["year"], last, "{}", r.text());
        let mut com_api = api_client(&f.app, "committee").await;
        let r = com_api
            .put_json(
                "/api/v1/remuneration/standard",
                json!({"from_year": this, "village_min_yuan": 1, "community_min_yuan": 1}),
            )
            .await;
        assert_eq!(r.status, StatusCode::FORBIDDEN);

        // A joint theme day at the township's venue: offered on the form, named by the
        // branch's meeting; a venue the township does not use is refused.
        let r = com_api
            .post_json(
                &format!("/api/v1/venues?org={t001}"),
                json!({"name": "镇党群服务中心", "address": "镇政府大院", "opened_on": "2020-01-01"}),
            )
            .await;
        assert!(r.status.is_success(), "{}", r.text());
        let venue = r.json()["id"].as_i64().unwrap();
        let mut com = logged_in(&f.app, "committee").await;
        let form = com
            .get(&format!("/orgs/{t001}/meetings/joint"))
            .await
            .text();
        assert!(
            form.contains("id=\"venue_id\"") && form.contains("镇党群服务中心"),
            "{form}"
        );
        let csrf = csrf_of(&form);
        let day = f.app.today().to_string();
        let fields = |venue: String| {
            vec![
                ("csrf".to_string(), csrf.clone()),
                ("kind".to_string(), "ThemeDay".to_string()),
                ("date".to_string(), day.clone()),
                ("topic".to_string(), "全镇联合主题党日".to_string()),
                ("venue_id".to_string(), venue),
                ("pick".to_string(), b001.to_string()),
                (format!("present_{b001}"), "3".to_string()),
            ]
        };
        let bad = fields("999999".into());
        let bad: Vec<(&str, &str)> = bad.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect();
        let r = com
            .post_form(&format!("/orgs/{t001}/meetings/joint"), &bad)
            .await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", r.text());
        assert!(r.text().contains("活动场所"), "{}", r.text());
        let good = fields(venue.to_string());
        let good: Vec<(&str, &str)> = good.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect();
        let r = com
            .post_form(&format!("/orgs/{t001}/meetings/joint"), &good)
            .await;
        assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.text());
        let v = com_api
            .get(&format!("/api/v1/venues/{venue}?org={t001}&year={this}"))
            .await
            .json();
        let held: usize = v["by_quarter"]
            .as_array()
            .unwrap()
            .iter()
            .map(|q| q.as_array().unwrap().len())
            .sum();
        assert_eq!(held, 1, "{v}");
    }
);
