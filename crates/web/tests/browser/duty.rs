//! 述职评议考核 in Chromium: the department opens 述职评议考核 from 任务督办, records 甲村's
//! secretary's report with the evaluators' grades and one problem, and sees the grade the
//! rule gives; 甲村's secretary, on a phone, finds the problem among the home page's
//! reminders and reports it fixed. Screenshots of each page.

use crate::common::*;
use crate::harness::*;
use fantoccini::Locator;
use jiceng_store::testing::TestDb;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn duty_the_department_grades_a_report_and_a_secretary_fixes_its_problem_on_a_phone() {
    let db = TestDb::sqlite().await;
    let f = fixture(&db).await;
    let Some(s) = Session::start(f.app.clone()).await else {
        return;
    };
    let (c, base) = (&s.c, s.base.clone());
    let (b001, c001) = (f.orgs["B001"], f.orgs["C001"]);
    let deadline = (f.app.today() + chrono::Duration::days(30)).to_string();
    c.set_window_size(1280, 900).await.unwrap();
    login(c, &base, "dept").await;
    c.goto(&format!("{base}/tasks?org={c001}")).await.unwrap();
    click(c, "duty-link").await;
    wait_for(c, Locator::Id("duty-title")).await;
    c.goto(&format!("{base}/duty/new?org={b001}&kind=Duty"))
        .await
        .unwrap();
    fill(c, "person", "甲村书记").await;
    fill(c, "meeting", "镇党委抓基层党建述职评议会").await;
    fill(c, "report", "全年按时开展三会一课，发展党员1名。").await;
    fill(c, "votes_0", "18").await;
    fill(c, "votes_1", "10").await;
    fill(c, "votes_2", "2").await;
    fill_in(c, Locator::Css("input[name=problem_0]"), "青年党员比例偏低").await;
    fill_in(c, Locator::Css("input[name=owner_0]"), "支部书记").await;
    c.execute(
        &format!("document.querySelector('input[name=deadline_0]').value = '{deadline}';"),
        vec![],
    )
    .await
    .unwrap();
    shot(c, "duty-form", 1280, 1400).await;
    c.set_window_size(1280, 900).await.unwrap();
    click(c, "duty-submit").await;
    wait_url_contains(c, "done=").await;
    assert!(wait_text(c, "flash").await.contains("已登记述职评议考核"));
    // (18×100 + 10×80 + 2×60) / 30 = 90.7 → 好.
    let grade = text_of(c, "#duty-grade").await;
    assert!(grade.contains("好") && grade.contains("90.7"), "{grade}");
    shot(c, "duty-record", 1280, 1000).await;
    c.goto(&format!("{base}/duty?org={c001}")).await.unwrap();
    let open = text_of(c, "#duty-open").await;
    assert!(open.contains("青年党员比例偏低"), "{open}");
    shot(c, "duty-list", 1280, 1100).await;
    // The department sets its own grading: 好 from 92 (the report above keeps its 好).
    click_on(c, Locator::Css("#grading summary")).await;
    refill(c, "good_min", "92").await;
    click(c, "grading-submit").await;
    wait_url_contains(c, "done=").await;
    assert!(wait_text(c, "flash")
        .await
        .contains("已保存述职评议等次规则"));
    let rule = text_of(c, "#duty-rule").await;
    assert!(rule.contains("92分以上为好"), "{rule}");
    assert!(text_of(c, "#duty-rule-source")
        .await
        .contains("组织部门设定"));
    logout(c).await;

    c.set_window_size(375, 812).await.unwrap();
    login(c, &base, "sec-a").await;
    let reminders = text_of(c, "#reminder-list").await;
    assert!(
        reminders.contains("述职评议等指出的问题1个待整改"),
        "{reminders}"
    );
    click_on(c, Locator::Css("#reminder-list a[href^='/duty']")).await;
    click_on(c, Locator::LinkText("青年党员比例偏低")).await;
    fill_in(
        c,
        Locator::Css("#fix-1 input[name=note]"),
        "已确定青年入党积极分子2名",
    )
    .await;
    shot(c, "duty-fix-phone", 375, 1100).await;
    c.set_window_size(375, 812).await.unwrap();
    click_on(c, Locator::Css("#fix-1 button")).await;
    wait_url_contains(c, "done=").await;
    let list = text_of(c, "#problem-list").await;
    assert!(
        list.contains("已整改") && list.contains("已确定青年入党积极分子2名"),
        "{list}"
    );
    s.close().await;
}
