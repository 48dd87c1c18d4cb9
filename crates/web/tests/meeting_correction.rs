//! 更正 and 作废 of a recorded meeting through the pages and the API, on SQLite and
//! PostgreSQL (today 2026-06-30): 甲村's secretary opens a theme day recorded with the wrong
//! topic, corrects it (the form filled as recorded; refused without a reason, the typing
//! kept), then voids it with a reason; 乙村's secretary can do neither; the API corrects and
//! voids the same way.

mod common;

use axum::http::StatusCode;
use common::{api_client, fixture, logged_in, Fixture};
use jiceng_store::contract_test;
use jiceng_store::testing::TestDb;
use serde_json::json;

/// A theme day as 甲村's record form posts it: its five members ticked present, and `extra`.
fn theme_day(
    f: &Fixture,
    csrf: &str,
    (date, topic): (&str, &str),
    extra: &[(&str, &str)],
) -> Vec<(String, String)> {
    let mut v: Vec<(String, String)> = [
        ("csrf", csrf),
        ("kind", "ThemeDay"),
        ("date", date),
        ("topic", topic),
    ]
    .iter()
    .chain(extra)
    .map(|(k, v)| (k.to_string(), v.to_string()))
    .collect();
    for name in ["张建国", "李秀英", "王伟", "赵敏", "刘洋"] {
        v.push((format!("att_{}", f.members[name]), "present".into()));
    }
    v
}

/// The fields as `post_form` takes them.
fn as_refs(v: &[(String, String)]) -> Vec<(&str, &str)> {
    v.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect()
}

contract_test!(
    a_secretary_corrects_and_voids_a_meeting_with_a_reason,
    |db: TestDb| async move {
        let f = fixture(&db).await;
        let b001 = f.orgs["B001"];
        let mut api = api_client(&f.app, "sec-a").await;
        let meeting = |topic: &str| {
            json!({"org_id": b001, "kind": "ThemeDay", "date": "2026-06-15", "topic": topic,
                   "expected": 5, "present": 4, "excused": 1})
        };
        let r = api
            .post_json("/api/v1/meetings", meeting("六月主题党月"))
            .await;
        assert_eq!(r.status, StatusCode::CREATED, "{}", r.text());
        let id = r.json()["id"].as_i64().unwrap();

        let mut a = logged_in(&f.app, "sec-a").await;
        let page = a.get(&format!("/meetings/{id}")).await.text();
        assert!(page.contains("id=\"meeting-correct\"") && page.contains("id=\"void-form\""));
        let form = a.get(&format!("/meetings/{id}/edit")).await;
        assert_eq!(form.status, StatusCode::OK, "{}", form.text());
        let form = form.text();
        assert!(form.contains("更正组织生活记录") && form.contains("value=\"六月主题党月\""));
        assert!(
            form.contains("value=\"2026-06-15\""),
            "the date as recorded"
        );
        let csrf = a.csrf().await;
        // The roster ticked: all five present this time.
        let fields = |reason: &str| {
            theme_day(
                &f,
                &csrf,
                ("2026-06-15", "六月主题党日"),
                &[("reason", reason)],
            )
        };
        let no_reason = fields("");
        let refs = as_refs(&no_reason);
        let r = a.post_form(&format!("/meetings/{id}/edit"), &refs).await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
        assert!(r.text().contains("请填写更正或作废的原因"));
        assert!(
            r.text().contains("value=\"六月主题党日\""),
            "the typing kept"
        );
        // 乙村's secretary cannot open or correct it.
        let mut b = logged_in(&f.app, "sec-b").await;
        assert_eq!(
            b.get(&format!("/meetings/{id}/edit")).await.status,
            StatusCode::NOT_FOUND
        );
        let with_reason = fields("主题写错，刘洋实际到会");
        let refs = as_refs(&with_reason);
        let r = a.post_form(&format!("/meetings/{id}/edit"), &refs).await;
        assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.text());
        let to = r.location().unwrap();
        assert!(to.ends_with("?done=corrected"), "{to}");
        let fixed = a.get(&to).await.text();
        assert!(
            fixed.contains("已更正") && fixed.contains("5 / 5 / 0"),
            "{fixed}"
        );
        assert_eq!(
            a.get(&format!("/meetings/{id}")).await.status,
            StatusCode::NOT_FOUND
        );
        let new_id: i64 = to
            .trim_start_matches("/meetings/")
            .trim_end_matches("?done=corrected")
            .parse()
            .unwrap();

        // Voided from its page, with the reason; 乙村 cannot.
        let csrf_b = b.csrf().await;
        let r = b
            .post_form(
                &format!("/meetings/{new_id}/void"),
                &[("csrf", csrf_b.as_str()), ("reason", "不是我们的")],
            )
            .await;
        assert_eq!(r.status, StatusCode::NOT_FOUND);
        let r = a
            .post_form(
                &format!("/meetings/{new_id}/void"),
                &[("csrf", csrf.as_str()), ("reason", " ")],
            )
            .await;
        assert_eq!(r.status, StatusCode::BAD_REQUEST);
        assert!(r.text().contains("id=\"void-error\""));
        let r = a
            .post_form(
                &format!("/meetings/{new_id}/void"),
                &[("csrf", csrf.as_str()), ("reason", "当天实际未召开")],
            )
            .await;
        assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.text());
        let life = a.get(&r.location().unwrap()).await.text();
        assert!(life.contains("已作废该会议记录"));
        assert_eq!(
            a.get(&format!("/meetings/{new_id}")).await.status,
            StatusCode::NOT_FOUND
        );

        // The API: record, correct with a reason (a new id), void.
        let r = api
            .post_json("/api/v1/meetings", meeting("七一主题党日"))
            .await;
        let id = r.json()["id"].as_i64().unwrap();
        let mut body = meeting("七一主题党日（更正）");
        let r = api
            .put_json(&format!("/api/v1/meetings/{id}"), body.clone())
            .await;
        assert_eq!(r.status, StatusCode::BAD_REQUEST, "{}", r.text());
        body["reason"] = json!("主题补全");
        let r = api.put_json(&format!("/api/v1/meetings/{id}"), body).await;
        assert_eq!(r.status, StatusCode::OK, "{}", r.text());
        let new_id = r.json()["id"].as_i64().unwrap();
        assert_ne!(new_id, id);
        let r = api
            .post_json(
                &format!("/api/v1/meetings/{new_id}/void"),
                json!({"reason": "重复录入"}),
            )
            .await;
        assert_eq!(r.status, StatusCode::NO_CONTENT, "{}", r.text());
        assert_eq!(
            api.get(&format!("/api/v1/meetings/{new_id}")).await.status,
            StatusCode::NOT_FOUND
        );
    }
);

contract_test!(
    a_second_meeting_of_a_kind_in_its_span_is_saved_once_confirmed,
    |db: TestDb| async move {
        let f = fixture(&db).await;
        let b001 = f.orgs["B001"];
        let mut a = logged_in(&f.app, "sec-a").await;
        let csrf = a.csrf().await;
        let form = |date: &str, topic: &str, confirm: bool| {
            let extra: &[(&str, &str)] = if confirm {
                &[("confirm_repeat", "1")]
            } else {
                &[]
            };
            theme_day(&f, &csrf, (date, topic), extra)
        };
        let path = format!("/orgs/{b001}/meetings/new");
        let first = form("2026-06-10", "六月主题党日", false);
        let refs = as_refs(&first);
        assert_eq!(
            a.post_form(&path, &refs).await.status,
            StatusCode::SEE_OTHER
        );
        // A second theme day in June: warned, not saved; a July one is not warned of.
        let second = form("2026-06-28", "六月第二次主题党日", false);
        let refs = as_refs(&second);
        let r = a.post_form(&path, &refs).await;
        assert_eq!(r.status, StatusCode::OK);
        let page = r.text();
        assert!(
            page.contains("id=\"repeat-warning\"") && page.contains("2026-06-10 六月主题党日"),
            "{page}"
        );
        assert!(
            page.contains("value=\"六月第二次主题党日\""),
            "the typing kept"
        );
        let mut api = api_client(&f.app, "sec-a").await;
        assert_eq!(api.get("/api/v1/meetings").await.json()["total"], 1);
        let confirmed = form("2026-06-28", "六月第二次主题党日", true);
        let refs = as_refs(&confirmed);
        assert_eq!(
            a.post_form(&path, &refs).await.status,
            StatusCode::SEE_OTHER
        );
        assert_eq!(api.get("/api/v1/meetings").await.json()["total"], 2);
    }
);

contract_test!(
    the_roster_follows_the_kind_and_the_day,
    |db: TestDb| async move {
        let f = fixture(&db).await;
        let b001 = f.orgs["B001"];
        let (zhang, li, zhao) = (f.members["张建国"], f.members["李秀英"], f.members["赵敏"]);
        {
            let mut c = f.app.store().acquire().await.unwrap();
            sqlx::query("UPDATE member SET joined_on = '2026-06-01', full_on = NULL WHERE id = $1")
                .bind(zhao)
                .execute(&mut *c)
                .await
                .unwrap();
        }
        let mut a = logged_in(&f.app, "sec-a").await;
        // A 支委会: the committee (张建国, 书记), not the whole roster.
        let form = a
            .get(&format!("/orgs/{b001}/meetings/new?kind=CommitteeMeeting"))
            .await
            .text();
        // Every member is on the page (a change of kind shows them), the rest hidden.
        let line = |id: i64| {
            let start = form.find(&format!("data-member=\"{id}\"")).unwrap();
            form[start..start + form[start..].find('>').unwrap()].to_string()
        };
        assert!(!line(zhang).contains("hidden"), "{}", line(zhang));
        assert!(line(li).ends_with(" hidden"), "{}", line(li));
        // A theme day backfilled to May, the five ticked as the form showed them today:
        // 赵敏, who joined in June, is not on that day's roster — not an error.
        let csrf = a.csrf().await;
        let fields = theme_day(&f, &csrf, ("2026-05-20", "五月主题党日（补录）"), &[]);
        let refs = as_refs(&fields);
        let r = a
            .post_form(&format!("/orgs/{b001}/meetings/new"), &refs)
            .await;
        assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.text());
        let page = a.get(&r.location().unwrap()).await.text();
        assert!(page.contains("4 / 4 / 0"), "{page}");
        assert!(!page.contains("赵敏"));
    }
);
