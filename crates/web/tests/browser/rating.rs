//! Rating, weak organizations and rectification in the browser: the department rates the
//! county and opens a branch's stars with their evidence; sees a suspected weakness with
//! its evidence, confirms it with a reason, opens the case, adds a plan with a measure;
//! the deadline passes (the app's day is moved) and the measure shows as overdue on the
//! department's home page; progress is reported, the measure done, the case accepted
//! (验收销号); the timeline shows every step. Screenshots at phone and desktop size.

use fantoccini::{Client, Locator};

use crate::common::*;
use crate::harness::*;
use jiceng_store::testing::TestDb;

async fn main_text(c: &Client) -> String {
    text_of(c, "main").await
}

async fn both_shots(c: &Client, name: &str, phone_h: u32, desk_h: u32) {
    shot(c, &format!("{name}-phone"), 360, phone_h).await;
    shot(c, &format!("{name}-desktop"), 1280, desk_h).await;
    c.set_window_size(1280, 900).await.unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn rating_a_case_runs_from_diagnosis_to_acceptance() {
    let db = TestDb::sqlite().await;
    let f = fixture(&db).await;
    // The villages' records start on 2025-01-01: no meeting on record is then a real 散
    // (without a start it is 暂无数据).
    {
        let mut c = db.store.acquire().await.unwrap();
        for code in ["B001", "B002"] {
            jiceng_store::history::set_records_from(
                &mut c,
                f.orgs[code],
                Some(chrono::NaiveDate::from_ymd_opt(2025, 1, 1).unwrap()),
            )
            .await
            .unwrap();
        }
    }
    let (c001, b001) = (f.orgs["C001"], f.orgs["B001"]);
    let Some(s) = Session::start(f.app.clone()).await else {
        return;
    };
    let (c, base) = (&s.c, s.base.clone());
    login(c, &base, "dept").await;

    // 1. The year's rating: the stars distribution, then one branch with its evidence.
    c.goto(&format!("{base}/reports/ratings?org={c001}"))
        .await
        .unwrap();
    click(c, "rate-submit").await;
    wait_url_contains(c, "done=rated").await;
    let flash = wait_text(c, "flash").await;
    assert!(flash.contains("评定"), "{flash}");
    assert!(main_text(c).await.contains("甲村党支部"));
    both_shots(c, "rating-stars", 1500, 1300).await;
    click_on(c, Locator::LinkText("甲村党支部")).await;
    let title = wait_text(c, "rating-title").await;
    assert!(title.contains("甲村党支部"), "{title}");
    let table = wait_text(c, "indicator-table").await;
    assert!(table.contains("暂无数据"), "{table}");
    both_shots(c, "rating-org", 2600, 1900).await;

    // 2. Weak orgs: 甲村 is suspected of 散, with its evidence.
    c.goto(&format!("{base}/reports/weak?org={c001}"))
        .await
        .unwrap();
    let page = main_text(c).await;
    assert!(page.contains("散（组织涣散）"), "{page}");
    assert!(page.contains("疑似"), "{page}");
    both_shots(c, "weak-list", 2600, 1800).await;
    // 丙村's suspected 弱 dismissed from the list (批量排除: ticked, one reason, confirmed in
    // the dialog).
    click_on(
        c,
        Locator::Css("#weak-table tbody tr:last-child input[name=pick]"),
    )
    .await;
    fill(c, "batch-reason", "已于年中发展党员一名，信号已消除").await;
    click(c, "batch-dismiss").await;
    c.accept_alert().await.unwrap();
    let done = wait_text(c, "batch-done").await;
    assert!(done.contains("已排除1条"), "{done}");
    c.goto(&format!("{base}/orgs/{b001}/weak")).await.unwrap();
    let panel = wait_text(c, "kind-Disunity").await;
    assert!(panel.contains("疑似"), "{panel}");
    assert!(panel.contains("组织生活"), "the evidence is shown: {panel}");

    // 3. Confirmed with a reason: the case opens.
    fill(c, "reason-Disunity", "经核实，上半年未按规定开展组织生活").await;
    click(c, "confirm-Disunity").await;
    wait_url_contains(c, "done=confirmed").await;
    let flash = wait_text(c, "flash").await;
    assert!(flash.contains("已确定"), "{flash}");
    both_shots(c, "weak-org-confirmed", 2200, 1500).await;
    click(c, "open-case").await;
    let stage = wait_text(c, "case-stage").await;
    assert!(stage.contains("待制定整改方案"), "{stage}");
    // The 整顿台账 to print (and back).
    click(c, "file-print").await;
    let paper = wait_text(c, "paper").await;
    assert!(paper.contains("软弱涣散整顿台账"), "{paper}");
    both_shots(c, "rectification-file", 1300, 1600).await;
    c.back().await.unwrap();
    wait_for(c, Locator::Id("case-stage")).await;

    // 4. A plan with a measure due on 2026-07-15, and the assistance.
    fill(c, "plan-text", "每月按期召开支委会、开展主题党日").await;
    fill(c, "plan-owner", "张建国").await;
    set_date(c, "plan-deadline", "2026-07-15").await;
    click(c, "plan-submit").await;
    wait_url_contains(c, "done=plan").await;
    assert!(wait_text(c, "flash").await.contains("措施"));
    fill(c, "assign-cadre", "县委常委 李明").await;
    click(c, "assign-submit").await;
    wait_url_contains(c, "done=assign").await;
    assert!(wait_text(c, "flash").await.contains("帮扶"));

    // 5. The deadline passes: the overdue measure is on the department's home page.
    f.app.shared_today.set(d("2026-07-20"));
    c.goto(&format!("{base}/")).await.unwrap();
    let overdue = wait_text(c, "overdue-measures").await;
    assert!(
        overdue.contains("每月按期召开支委会、开展主题党日") && overdue.contains("逾期5天"),
        "{overdue}"
    );
    both_shots(c, "rect-dashboard-overdue", 1600, 1400).await;
    click_on(c, Locator::Css("#overdue-measures a")).await;
    let measures = wait_text(c, "measure-table").await;
    assert!(measures.contains("逾期"), "{measures}");

    // 6. Progress with evidence, the measure done, 验收销号.
    fill(c, "progress-text", "7月已召开支委会和主题党日，补齐台账").await;
    fill(c, "progress-evidence", "会议记录第3至5页").await;
    click(c, "progress-submit").await;
    wait_url_contains(c, "done=progress").await;
    assert!(wait_text(c, "flash").await.contains("进展"));
    click(c, "complete-submit").await;
    wait_url_contains(c, "done=complete").await;
    assert!(wait_text(c, "flash").await.contains("完成"));
    fill(c, "accept-note", "整改到位，同意销号").await;
    fill(c, "accept-reason", "台账已补齐，待下季度核实").await;
    click(c, "accept-submit").await;
    wait_url_contains(c, "done=accept").await;
    assert!(wait_text(c, "flash").await.contains("验收销号"));
    let stage = wait_text(c, "case-stage").await;
    assert!(stage.contains("已验收销号"), "{stage}");
    let timeline = wait_text(c, "timeline").await;
    for step in [
        "上半年未按规定开展组织生活",
        "每月按期召开支委会",
        "李明",
        "会议记录第3至5页",
        "整改到位，同意销号",
        "确定问题、建立台账",
        "制定整改方案",
        "落实帮扶",
        "报告整改进展",
        "完成整改措施",
        "验收销号",
    ] {
        assert!(
            timeline.contains(step),
            "{step} in the timeline: {timeline}"
        );
    }
    let steps = c
        .find_all(Locator::Css("#timeline li"))
        .await
        .unwrap()
        .len();
    assert!(steps >= 6, "every step on the timeline: {timeline}");
    both_shots(c, "rect-case-accepted", 2600, 1700).await;

    // 7. Off the home page once accepted; the progress page counts it closed.
    c.goto(&format!("{base}/")).await.unwrap();
    let overdue = wait_text(c, "overdue-measures").await;
    assert!(overdue.contains("没有逾期"), "{overdue}");
    c.goto(&format!("{base}/reports/rectification?org={c001}"))
        .await
        .unwrap();
    let page = main_text(c).await;
    assert!(page.contains("已验收销号 1 个"), "{page}");
    both_shots(c, "rect-progress", 1800, 1400).await;

    s.close().await;
}
