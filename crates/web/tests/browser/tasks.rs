//! 任务督办 in Chromium: the county department writes a task to the village branches
//! whose form asks one figure the system holds (正式党员人数) and one new question (走访
//! 群众户数), previews it (three branches, the held figure answered by the system), sends
//! it; 甲村's secretary, on a phone, finds it on the home page, is asked only the new
//! question, answers and reports it done; the department sees completion go to 1 of 3.
//! Then the department inspects 甲村 about the task and reads the month's 减负台账 (the
//! task and the inspection counted). Screenshots of each page.

use crate::common::*;
use crate::harness::*;
use fantoccini::Locator;
use jiceng_store::testing::TestDb;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn tasks_the_department_asks_and_a_village_answers_only_what_is_new() {
    let db = TestDb::sqlite().await;
    let f = fixture(&db).await;
    let Some(s) = Session::start(f.app.clone()).await else {
        return;
    };
    let (c, base) = (&s.c, s.base.clone());
    let c001 = f.orgs["C001"];
    let deadline = (f.app.today() + chrono::Duration::days(10)).to_string();
    c.set_window_size(1280, 900).await.unwrap();
    login(c, &base, "dept").await;
    c.goto(&format!("{base}/tasks/new?org={c001}"))
        .await
        .unwrap();
    fill(c, "title", "冬季走访摸底").await;
    fill(c, "content", "请各村党支部开展冬季走访，报送走访情况。").await;
    set_date(c, "deadline", &deadline).await;
    click_on(c, Locator::Css("#targets summary")).await;
    click_on(c, Locator::Css("input[name=domains][value=Village]")).await;
    fill_in(c, Locator::Css("input[name=label_0]"), "正式党员人数").await;
    fill_in(c, Locator::Css("input[name=label_1]"), "走访群众户数").await;
    click(c, "task-preview").await;
    let preview = wait_text(c, "preview").await;
    assert!(preview.contains("将下达到 3 个党组织"), "{preview}");
    assert!(preview.contains("系统已掌握，由系统填写"), "{preview}");
    shot(c, "task-preview", 1280, 1600).await;
    c.set_window_size(1280, 900).await.unwrap();
    click(c, "task-send").await;
    wait_url_contains(c, "done=").await;
    assert!(wait_text(c, "flash").await.contains("3个党组织"));
    let url = c.current_url().await.unwrap();
    let id: i64 = url.path().trim_start_matches("/tasks/").parse().unwrap();
    logout(c).await;

    c.set_window_size(375, 812).await.unwrap();
    login(c, &base, "sec-a").await;
    let reminders = text_of(c, "#reminder-list").await;
    assert!(reminders.contains("上级部署的任务1项待完成"), "{reminders}");
    click_on(c, Locator::Css("#reminder-list a[href^='/tasks']")).await;
    click_on(c, Locator::LinkText("冬季走访摸底")).await;
    wait_for(c, Locator::Id("report-form")).await;
    assert!(
        c.find(Locator::Id("answer_0")).await.is_err(),
        "a held figure is not asked"
    );
    assert!(wait_text(c, "held-0").await.contains("无需填报"));
    fill(c, "answer_1", "36").await;
    fill(c, "progress", "已走访全村党员和困难群众").await;
    click(c, "done").await;
    shot(c, "task-report-phone", 375, 1300).await;
    c.set_window_size(375, 812).await.unwrap();
    click(c, "report-submit").await;
    wait_url_contains(c, "done=").await;
    assert!(wait_text(c, "flash").await.contains("已报告完成"));
    logout(c).await;

    c.set_window_size(1280, 900).await.unwrap();
    login(c, &base, "dept").await;
    c.goto(&format!("{base}/tasks/{id}?org={c001}"))
        .await
        .unwrap();
    let counts = text_of(c, "#task-counts").await;
    assert!(counts.contains("已完成（33%）"), "{counts}");
    let lines = text_of(c, "#task-lines").await;
    assert!(lines.contains("36") && lines.contains("已完成"), "{lines}");
    shot(c, "task-department", 1280, 1300).await;

    // The department inspects 甲村 about the task: one problem to fix within a week.
    let b001 = f.orgs["B001"];
    c.goto(&format!("{base}/inspections/new?org={b001}"))
        .await
        .unwrap();
    fill(c, "inspectors", "王督查、李检查").await;
    fill(c, "findings", "走访记录完整，个别困难党员未建立帮扶台账。").await;
    wait_for(c, Locator::Id("task"))
        .await
        .select_by_value(&id.to_string())
        .await
        .unwrap();
    fill_in(
        c,
        Locator::Css("input[name=problem_0]"),
        "困难党员帮扶台账未建立",
    )
    .await;
    fill_in(c, Locator::Css("input[name=owner_0]"), "支部书记").await;
    c.execute(
        &format!("document.querySelector('input[name=deadline_0]').value = '{deadline}';"),
        vec![],
    )
    .await
    .unwrap();
    click(c, "inspection-submit").await;
    wait_url_contains(c, "done=").await;
    assert!(text_of(c, "#problem-list")
        .await
        .contains("困难党员帮扶台账未建立"));
    shot(c, "inspection", 1280, 900).await;
    c.goto(&format!("{base}/burden?org={c001}")).await.unwrap();
    let summary = text_of(c, "#burden-summary").await;
    assert!(summary.contains("共收到任务 4 项次"), "{summary}");
    shot(c, "burden", 1280, 1100).await;
    s.close().await;
}

/// A file as a task's outcome in Chromium: the department asks the village branches for
/// their roster as a file; 甲村's secretary, on a phone, cannot report done before the
/// upload, chooses the file as a phone does, sees it uploaded and reports done; the
/// department opens the file from 甲村's line.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn tasks_a_village_uploads_the_file_a_task_asks_for() {
    let db = TestDb::sqlite().await;
    let f = fixture(&db).await;
    let Some(s) = Session::start(f.app.clone()).await else {
        return;
    };
    let (c, base) = (&s.c, s.base.clone());
    let c001 = f.orgs["C001"];
    let deadline = (f.app.today() + chrono::Duration::days(10)).to_string();
    c.set_window_size(1280, 900).await.unwrap();
    login(c, &base, "dept").await;
    c.goto(&format!("{base}/tasks/new?org={c001}"))
        .await
        .unwrap();
    fill(c, "title", "报送党员名册").await;
    fill(c, "content", "请各村党支部上传盖章的党员名册扫描件。").await;
    set_date(c, "deadline", &deadline).await;
    click_on(c, Locator::Css("#targets summary")).await;
    click_on(c, Locator::Css("input[name=domains][value=Village]")).await;
    fill_in(c, Locator::Css("input[name=label_0]"), "党员名册").await;
    click_on(c, Locator::Css("select[name=kind_0] option[value=File]")).await;
    click(c, "task-preview").await;
    let preview = wait_text(c, "preview").await;
    assert!(preview.contains("将下达到 3 个党组织"), "{preview}");
    click(c, "task-send").await;
    wait_url_contains(c, "done=").await;
    let url = c.current_url().await.unwrap();
    let id: i64 = url.path().trim_start_matches("/tasks/").parse().unwrap();
    logout(c).await;

    c.set_window_size(375, 812).await.unwrap();
    login(c, &base, "sec-a").await;
    c.goto(&format!("{base}/tasks/{id}")).await.unwrap();
    assert!(wait_text(c, "file-name-0").await.contains("尚未上传"));
    // Done before the upload: refused, the reason on the page.
    click(c, "done").await;
    click(c, "report-submit").await;
    let e = wait_text(c, "answers-error").await;
    assert!(e.contains("请上传“党员名册”"), "{e}");
    let roster = f.dir.file("党员名册.pdf");
    std::fs::write(&roster, b"%PDF-1.4\n%synthetic roster\n%%EOF\n").unwrap();
    wait_for(c, Locator::Id("file_0"))
        .await
        .send_keys(roster.to_str().unwrap())
        .await
        .unwrap();
    click(c, "file-submit-0").await;
    wait_url_contains(c, "done=").await;
    assert!(wait_text(c, "flash").await.contains("已上传“党员名册.pdf”"));
    assert!(wait_text(c, "file-name-0").await.contains("党员名册.pdf"));
    shot(c, "task-file-phone", 375, 1300).await;
    c.set_window_size(375, 812).await.unwrap();
    click(c, "done").await;
    click(c, "report-submit").await;
    wait_url_contains(c, "done=").await;
    assert!(wait_text(c, "flash").await.contains("已报告完成"));
    logout(c).await;

    c.set_window_size(1280, 900).await.unwrap();
    login(c, &base, "dept").await;
    c.goto(&format!("{base}/tasks/{id}?org={c001}"))
        .await
        .unwrap();
    let link = wait_for(c, Locator::Css("#task-lines a[href*='/files/']")).await;
    assert_eq!(link.text().await.unwrap(), "党员名册.pdf");
    let href = link.attr("href").await.unwrap().unwrap();
    shot(c, "task-file-department", 1280, 900).await;
    let body = c
        .execute(
            "return fetch(arguments[0]).then(r => r.text());",
            vec![serde_json::json!(href)],
        )
        .await
        .unwrap();
    assert!(
        body.as_str().unwrap_or("").contains("synthetic roster"),
        "{body:?}"
    );
    s.close().await;
}
