//! The header's search in process, on SQLite and PostgreSQL: orgs, members and units of
//! the user's scope; a single record opens at once; an ID number is posted and never
//! echoed; nothing outside the scope is found; a member account may not search.

mod common;

use axum::http::StatusCode;
use common::*;
use jiceng_store::contract_test;
use jiceng_store::testing::TestDb;

contract_test!(
    the_header_search_finds_within_scope,
    |db: TestDb| async move {
        let f = fixture(&db).await;
        let mut c = logged_in(&f.app, "dept").await;
        let csrf = c.csrf().await;
        let home = c.get("/").await.text();
        assert!(home.contains("id=\"nav-search\""), "the header has the box");

        // A name posts, then is answered at its own address.
        let r = c
            .post_form("/search", &[("csrf", &csrf), ("q", "村党支部")])
            .await;
        assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.text());
        let to = r.location().unwrap();
        assert!(to.starts_with("/search?q="), "{to}");
        let page = c.get(&to).await.text();
        for name in ["甲村党支部", "乙村党支部", "丙村党支部"] {
            assert!(page.contains(name), "{name}: {page}");
        }
        assert!(page.contains("found-orgs"), "{page}");
        assert!(!page.contains("found-members"), "{page}");

        // One org found (by code, or a name): it opens.
        let r = c.get("/search?q=B002").await;
        assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.text());
        assert_eq!(r.location().unwrap(), format!("/orgs/{}", f.orgs["B002"]));
        // One member found: the record opens.
        let r = c.get(&format!("/search?q={}", urlencode("李秀英"))).await;
        assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.text());
        assert_eq!(
            r.location().unwrap(),
            format!("/members/{}", f.members["李秀英"])
        );
        // Nothing found says so.
        let page = c
            .get(&format!("/search?q={}", urlencode("不存在的名字")))
            .await;
        assert_eq!(page.status, StatusCode::OK);
        assert!(page.text().contains("search-none"), "{}", page.text());

        // An ID number: posted, answered in the body, masked, never in a URL.
        let id = id_number("1980-05-20", 12);
        let r = c.post_form("/search", &[("csrf", &csrf), ("q", &id)]).await;
        assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.text());
        assert_eq!(
            r.location().unwrap(),
            format!("/members/{}", f.members["李秀英"])
        );
        let r = c.get(&format!("/search?q={id}")).await;
        assert_eq!(r.status, StatusCode::BAD_REQUEST);
        assert!(!r.text().contains(&id));

        // A secretary finds only within the branch: another branch's member and org are
        // not there.
        let mut s = logged_in(&f.app, "sec-a").await;
        let page = s.get(&format!("/search?q={}", urlencode("陈静"))).await;
        assert_eq!(page.status, StatusCode::OK);
        assert!(page.text().contains("search-none"), "{}", page.text());
        let page = s.get("/search?q=B002").await;
        assert_eq!(page.status, StatusCode::OK);
        assert!(!page.text().contains("乙村党支部"), "{}", page.text());

        // A member account has no search.
        let mut m = logged_in(&f.app, "member").await;
        assert!(!m.get("/").await.text().contains("nav-search"));
        assert_eq!(m.get("/search?q=B001").await.status, StatusCode::FORBIDDEN);
    }
);

fn urlencode(s: &str) -> String {
    s.bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' => (b as char).to_string(),
            _ => format!("%{b:02X}"),
        })
        .collect()
}

contract_test!(
    a_meeting_is_found_by_words_of_its_topic,
    |db: TestDb| async move {
        let f = fixture(&db).await;
        let mut sec = logged_in(&f.app, "sec-a").await;
        let csrf = sec.csrf().await;
        for (date, topic) in [
            ("2026-06-10", "垃圾分类进村入户主题党日"),
            ("2026-05-10", "学习新修订的党章"),
        ] {
            let r = record_b001(
                &mut sec,
                &f,
                &csrf,
                &[("kind", "ThemeDay"), ("date", date), ("topic", topic)],
                &[],
            )
            .await;
            assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.text());
        }
        // One meeting found: it opens.
        let mut c = logged_in(&f.app, "dept").await;
        let r = c.get(&format!("/search?q={}", urlencode("垃圾分类"))).await;
        assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.text());
        let to = r.location().unwrap();
        assert!(to.starts_with("/meetings/"), "{to}");
        assert!(c.get(&to).await.text().contains("垃圾分类进村入户主题党日"));
        // Words shared by a meeting and nothing else listed beside orgs: the list, with
        // the branch that held it and a link to every match.
        let r = c.get(&format!("/search?q={}", urlencode("党"))).await;
        let page = r.text();
        assert!(
            page.contains("found-meetings") && page.contains("会议 <span class=\"muted\">2次"),
            "{page}"
        );
        // The meeting list narrows by topic and kind, with the org of each row.
        let t001 = f.orgs["T001"];
        let list = c
            .get(&format!("/meetings?org={t001}&topic={}", urlencode("党章")))
            .await
            .text();
        assert!(
            list.contains("共1次") && list.contains("学习新修订的党章"),
            "{list}"
        );
        assert!(
            list.contains("甲村党支部") && !list.contains("垃圾分类"),
            "{list}"
        );
        let list = c
            .get(&format!("/meetings?org={t001}&kind=CommitteeMeeting"))
            .await
            .text();
        assert!(list.contains("没有符合条件的会议记录"), "{list}");
        // The administrator's scope is the whole tree: topics are not read there, and the
        // page says where to look instead.
        let mut admin = logged_in(&f.app, "admin").await;
        let page = admin
            .get(&format!("/search?q={}", urlencode("垃圾分类")))
            .await
            .text();
        assert!(page.contains("meetings-skipped"), "{page}");
        // Another branch's secretary does not find it.
        let mut b = logged_in(&f.app, "sec-b").await;
        let page = b
            .get(&format!("/search?q={}", urlencode("垃圾分类")))
            .await
            .text();
        assert!(page.contains("search-none"), "{page}");
    }
);

contract_test!(
    the_roster_narrows_by_age_party_years_and_education,
    |db: TestDb| async move {
        // On 2026-06-30: 王伟 (1990-07-01) is 35, 赵敏 31, 黄磊 33; 张建国 56. All joined
        // on 2015-07-01 (党龄 10) with 大学本科.
        let f = fixture(&db).await;
        let mut c = logged_in(&f.app, "dept").await;
        let page = c.get("/members?age=31-35").await.text();
        for name in ["王伟", "赵敏", "黄磊"] {
            assert!(page.contains(&format!(">{name}</a>")), "{name}: {page}");
        }
        assert!(
            !page.contains(">张建国</a>") && !page.contains(">刘洋</a>"),
            "{page}"
        );
        assert!(page.contains("<option value=\"31-35\" selected>"), "{page}");
        // Its pages and its export keep the band.
        assert!(
            page.contains("/members/export.xlsx?") && page.contains("age=31-35"),
            "{page}"
        );
        let b001 = f.orgs["B001"];
        let x = c
            .get(&format!("/members/export.xlsx?org={b001}&age=31-35"))
            .await;
        let sheet = xlsx_text(&x.bytes);
        assert!(
            sheet.contains("赵敏") && !sheet.contains("黄磊") && !sheet.contains("张建国"),
            "{sheet}"
        );
        let ten = c.get("/members?years=5-10").await.text();
        assert!(
            ten.contains(">张建国</a>") && ten.contains(">吴刚</a>"),
            "{ten}"
        );
        let none = c.get("/members?years=11-20").await.text();
        assert!(none.contains("member-empty"), "{none}");
        let degree = c
            .get(&format!("/members?education={}", urlencode("大学本科")))
            .await
            .text();
        assert!(degree.contains(">周丽</a>"), "{degree}");
        let other = c
            .get(&format!("/members?education={}", urlencode("研究生")))
            .await
            .text();
        assert!(other.contains("member-empty"), "{other}");
    }
);
