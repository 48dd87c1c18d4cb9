//! 检验标准 on the web, on SQLite and PostgreSQL: before a year is built the department's
//! home page says so; the county's scorecard page builds it and shows the five measures
//! with the same scores as the API, the heat map of its two townships (SVG with numbers,
//! and the same as a table), the trend and every indicator with its drill-down; the home
//! page then shows the year's scores and heat map; a township's committee reads its own
//! township and not the county; a member reads none; only the department rebuilds.

mod common;

use axum::http::StatusCode;
use common::*;
use jiceng_app::scorecard::score_text;
use jiceng_store::contract_test;
use jiceng_store::testing::TestDb;

contract_test!(
    the_scorecard_page_the_home_page_and_the_api_agree,
    |db: TestDb| async move {
        let f = fixture(&db).await;
        let (c001, t001, t002) = (f.orgs["C001"], f.orgs["T001"], f.orgs["T002"]);
        let year = chrono::Datelike::year(&f.app.today()).to_string();
        let mut dept = logged_in(&f.app, "dept").await;

        let home = dept.get(&format!("/?org={c001}")).await.text();
        assert!(home.contains("id=\"scorecard-none\""), "{home}");

        let page = dept.get(&format!("/reports/scorecard?org={c001}")).await;
        assert_eq!(page.status, StatusCode::OK, "{}", page.text());
        let page = page.text();
        assert!(page.contains("检验标准（五个是否）· 测试县委"), "{page}");
        // The heat map draws both townships, each leading to its own card, and the same
        // figures are a table.
        assert!(page.contains("class=\"chart heat-map\""), "{page}");
        for t in [t001, t002] {
            assert!(
                page.contains(&format!(
                    "href=\"/reports/scorecard?org={t}&amp;period={year}\""
                )),
                "{page}"
            );
        }
        assert!(page.contains("id=\"heat-table\""), "{page}");
        assert!(page.contains("甲镇党委") && page.contains("乙镇党委"));
        assert!(page.contains("id=\"trend-table\""), "{page}");
        assert!(
            page.contains(&format!("/reports/structure?org={c001}")),
            "an indicator leads to its records: {page}"
        );

        // Every measure's score on the page is the API's.
        let mut api = api_client(&f.app, "dept").await;
        let j = api
            .get(&format!("/api/v1/scorecard?org={c001}&period={year}"))
            .await
            .json();
        let mut with_data = 0;
        for code in [
            "Function",
            "CadreQuality",
            "Implementation",
            "Development",
            "Satisfaction",
        ] {
            let s = j["measures"][code]["score"].as_f64();
            with_data += usize::from(s.is_some());
            let shown = format!("id=\"score-{code}\">{}</div>", score_text(s));
            assert!(page.contains(&shown), "{code}: {shown} in {page}");
        }
        assert!(with_data > 0, "{j}");
        assert!(
            page.contains("暂无数据"),
            "a measure without records: {page}"
        );
        match j["weakest"]["measure"].as_str() {
            Some(m) => {
                let label = j["measures"][m]["label"].as_str().unwrap();
                assert!(
                    page.contains(&format!("短板：{label}")),
                    "{label} in {page}"
                );
            }
            None => assert!(page.contains("五项均暂无数据")),
        }

        // Built now: the home page shows the year's scores and the heat map.
        let home = dept.get(&format!("/?org={c001}")).await.text();
        assert!(home.contains("id=\"scorecard-heat\""), "{home}");
        assert!(!home.contains("id=\"scorecard-none\""), "{home}");

        // The workbook.
        let x = dept
            .get(&format!("/reports/scorecard?org={c001}&format=xlsx"))
            .await;
        assert_eq!(x.status, StatusCode::OK);
        assert!(xlsx_text(&x.bytes).contains("功能是否增强"));

        // Scope: a township reads its own, not the county; a member reads none.
        let mut com = logged_in(&f.app, "committee").await;
        let own = com.get(&format!("/reports/scorecard?org={t001}")).await;
        assert_eq!(own.status, StatusCode::OK, "{}", own.text());
        let county = com.get(&format!("/reports/scorecard?org={c001}")).await;
        assert_eq!(county.status, StatusCode::NOT_FOUND);
        let mut member = logged_in(&f.app, "member").await;
        let r = member
            .get(&format!("/reports/scorecard?org={}", f.orgs["B001"]))
            .await;
        assert_eq!(r.status, StatusCode::FORBIDDEN);

        // Only the department rebuilds; it comes back to the page with what it did.
        let csrf = csrf_of(&own.text());
        let r = com
            .post_form(
                &format!("/reports/scorecard/build?org={t001}&period={year}"),
                &[("csrf", csrf.as_str())],
            )
            .await;
        assert_eq!(r.status, StatusCode::FORBIDDEN);
        let csrf = csrf_of(&page);
        let r = dept
            .post_form(
                &format!("/reports/scorecard/build?org={c001}&period={year}H1"),
                &[("csrf", csrf.as_str())],
            )
            .await;
        assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.text());
        let back = dept.get(&r.location().unwrap()).await.text();
        assert!(back.contains("已重新计算"), "{back}");
        assert!(back.contains(&format!("{year}年上半年")), "{back}");
        // 发展成效 scored by hand: the department's form, the score on the page and in
        // the card; a township's committee has no form and is refused; a bad score is
        // refused in Chinese.
        assert!(back.contains("id=\"hand-form\""), "{back}");
        assert!(!own.text().contains("id=\"hand-form\""));
        let r = com
            .post_form(
                &format!("/reports/scorecard/hand?org={t001}&period={year}Q1"),
                &[
                    ("csrf", csrf_of(&own.text()).as_str()),
                    ("score", "80"),
                    ("reason", "测试"),
                ],
            )
            .await;
        assert_eq!(r.status, StatusCode::FORBIDDEN);
        let csrf = csrf_of(&back);
        let r = dept
            .post_form(
                &format!("/reports/scorecard/hand?org={t001}&period={year}Q1"),
                &[
                    ("csrf", csrf.as_str()),
                    ("score", "八十"),
                    ("reason", "测试"),
                ],
            )
            .await;
        assert_eq!(r.status, StatusCode::BAD_REQUEST, "{}", r.text());
        assert!(r.text().contains("得分应为0至100的整数"), "{}", r.text());
        let r = dept
            .post_form(
                &format!("/reports/scorecard/hand?org={t001}&period={year}Q1"),
                &[
                    ("csrf", csrf.as_str()),
                    ("score", "85"),
                    ("reason", "集体经济项目见效"),
                ],
            )
            .await;
        assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.text());
        let back = dept.get(&r.location().unwrap()).await.text();
        assert!(back.contains("已记录“发展成效”人工评分85分"), "{back}");
        assert!(back.contains("集体经济项目见效"), "{back}");
        assert!(back.contains(&format!("{year}年第一季度")), "{back}");
        assert!(back.contains("id=\"score-Development\">85.0<"), "{back}");
        // A period that cannot be read is refused in Chinese.
        let bad = dept
            .get(&format!("/reports/scorecard?org={c001}&period=2026Q9"))
            .await;
        assert_eq!(bad.status, StatusCode::BAD_REQUEST, "{}", bad.text());
        assert!(bad.text().contains("无法识别"), "{}", bad.text());
    }
);
