//! 发展党员 on a phone: a branch secretary at a 375×812 window opens the board from the
//! navigation, taps a candidate already at ⑪ and records ⑫ to ⑰ through the person's
//! form (the branch meeting with its vote and 公示); the person is then on the branch's
//! roster as a probationary member, nothing typed again; the department, having set the
//! county's plan through the form, sees the plan fulfilment change on its overview. The
//! 支部大会决议 downloaded from the person's page holds the vote as recorded.
//! Screenshots of the board, the person's page and the overview at phone width.

use fantoccini::{Client, Locator};

use crate::common::recruitment::{applicant, candidate_at_eleven};
use crate::common::*;
use crate::harness::*;
use jiceng_store::testing::TestDb;

/// The department's overview of the county for 2026: the county's admitted count and
/// that of 甲镇党委's row.
async fn admitted(c: &Client, base: &str, county: i64, town: i64) -> (String, String) {
    c.goto(&format!("{base}/recruitment?org={county}&year=2026"))
        .await
        .unwrap();
    wait_text(c, "plan-title").await;
    (
        text_of(c, "#plan-total .actual").await,
        text_of(c, &format!("#child-{town} .admitted")).await,
    )
}

/// The bytes the page's session downloads from `href` (a fetch in the page, its cookie).
async fn download(c: &Client, href: &str) -> Vec<u8> {
    let got = c
        .execute_async(
            "const [url, done] = arguments; \
             fetch(url, {credentials: 'same-origin'}) \
               .then(r => r.ok ? r.arrayBuffer() : Promise.reject(r.status)) \
               .then(b => done(Array.from(new Uint8Array(b))), e => done('failed: ' + e));",
            vec![serde_json::json!(href)],
        )
        .await
        .unwrap();
    let bytes = got.as_array().unwrap_or_else(|| panic!("{href}: {got}"));
    bytes
        .iter()
        .map(|b| {
            b.as_u64()
                .and_then(|b| u8::try_from(b).ok())
                .expect("a byte")
        })
        .collect()
}

/// Records step `n` on `on` through the form, with `extra` fields typed first.
async fn record(c: &Client, n: u32, on: &str, extra: impl AsyncFnOnce(&Client)) {
    click_on(c, Locator::Css(&format!("#step-pick a[href*='step={n}#']"))).await;
    wait_url_contains(c, &format!("step={n}")).await;
    set_date(c, "on", on).await;
    extra(c).await;
    click(c, "step-submit").await;
    wait_url_contains(c, "done=recorded").await;
    let flash = wait_text(c, "flash").await;
    assert!(flash.contains("已记录"), "step {n}: {flash}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn recruitment_a_secretary_admits_a_candidate_on_a_phone() {
    let db = TestDb::sqlite().await;
    let f = fixture(&db).await;
    let b001 = f.orgs["B001"];
    let id = candidate_at_eleven(&f, "B001", "林申请", 81).await;
    // Two more on the board: an application a month old without a talk (overdue), and one
    // just talked to.
    applicant(&f, "B001", ("孙等待", 86), "2026-05-04", None).await;
    applicant(&f, "B001", ("钱新", 87), "2026-06-02", Some("2026-06-20")).await;
    let Some(s) = Session::start(f.app.clone()).await else {
        return;
    };
    let (c, base) = (&s.c, s.base.clone());
    c.set_window_size(375, 812).await.unwrap();
    let (county, town) = (f.orgs["C001"], f.orgs["T001"]);
    // The department sets the county's plan for the year: nobody admitted yet.
    login(c, &base, "dept").await;
    assert_eq!(
        admitted(c, &base, county, town).await,
        ("0".into(), "0".into())
    );
    click(c, "set-plan").await;
    fill(c, "target", "5").await;
    fill(c, "under_35", "3").await;
    click(c, "plan-submit").await;
    wait_url_contains(c, "year=2026").await;
    assert_eq!(text_of(c, "#plan-total .target").await, "5");
    assert_eq!(text_of(c, "#plan-total .gap").await, "5");
    logout(c).await;
    login(c, &base, "sec-a").await;
    click(c, "nav-members").await;
    click(c, "nav-recruitment").await;
    let title = wait_text(c, "board-title").await;
    assert!(title.contains("甲村党支部"), "{title}");
    assert_eq!(text_of(c, "#stage-candidate .n").await, "1");
    assert_eq!(text_of(c, "#overdue .n").await, "1");
    let first = text_of(c, "#people li").await;
    assert!(
        first.contains("孙等待") && first.contains("逾期"),
        "due first: {first}"
    );
    shot(c, "recruitment-board-phone", 375, 1100).await;
    c.set_window_size(375, 812).await.unwrap();
    click_on(
        c,
        Locator::XPath("//ul[@id='people']//a[.//strong[text()='林申请']]"),
    )
    .await;
    wait_url_contains(c, &format!("/recruitment/people/{id}")).await;
    shot(c, "recruitment-person-phone", 375, 1800).await;
    c.set_window_size(375, 812).await.unwrap();

    record(c, 12, "2026-04-01", async |c: &Client| {
        fill(c, "people", "张建国, 李秀英").await
    })
    .await;
    record(c, 13, "2026-04-10", async |c: &Client| {
        fill(c, "doc_ref", "甲组预〔2026〕3号").await
    })
    .await;
    record(c, 14, "2026-04-15", async |_: &Client| {}).await;
    record(c, 15, "2026-05-08", async |c: &Client| {
        set_date(c, "notice_from", "2026-04-27").await;
        set_date(c, "notice_to", "2026-05-07").await;
        for (id, n) in [("vote_due", "5"), ("vote_present", "5"), ("vote_yes", "5")] {
            fill(c, id, n).await;
        }
        shot(c, "recruitment-vote-phone", 375, 1400).await;
        c.set_window_size(375, 812).await.unwrap();
    })
    .await;
    record(c, 16, "2026-05-20", async |c: &Client| {
        fill(c, "people", "王组织").await
    })
    .await;
    record(c, 17, "2026-06-01", async |c: &Client| {
        fill(c, "doc_ref", "甲组发〔2026〕8号").await
    })
    .await;
    let stage = wait_text(c, "person-stage").await;
    assert_eq!(stage, "预备党员");
    let timeline = text_of(c, "main").await;
    assert!(
        timeline.contains("表决：应到5人，实到5人，赞成5票")
            && timeline.contains("公示：2026-04-27 至 2026-05-07"),
        "{timeline}"
    );
    shot(c, "recruitment-admitted-phone", 375, 2400).await;
    c.set_window_size(375, 812).await.unwrap();
    // The 支部大会决议 as the secretary downloads it from the person's page: a Word file
    // holding the meeting's vote as recorded, the person named.
    let href = wait_for(c, Locator::Id("doc-branch-resolution"))
        .await
        .attr("href")
        .await
        .unwrap()
        .expect("a link");
    let bytes = download(c, &href).await;
    let xml = jiceng_io::docx::document_xml(&bytes).expect("a Word file (word/document.xml)");
    assert!(
        xml.contains("林申请")
            && xml.contains("应到会有表决权的正式党员5名，实到会5名")
            && xml.contains("赞成5票，反对0票，弃权0票"),
        "{xml}"
    );

    // On the branch's roster, as a probationary member, with nothing typed again.
    c.goto(&format!("{base}/members?org={b001}")).await.unwrap();
    let row = wait_for(c, Locator::XPath("//tr[td/a[text()='林申请']]"))
        .await
        .text()
        .await
        .unwrap();
    assert!(row.contains("预备党员"), "{row}");

    // The department sees the plan fulfilment change: one more admitted, the gap one less.
    logout(c).await;
    login(c, &base, "dept").await;
    assert_eq!(
        admitted(c, &base, county, town).await,
        ("1".into(), "1".into())
    );
    assert_eq!(text_of(c, "#plan-total .gap").await, "4");
    assert_eq!(text_of(c, "#plan-under_35 .actual").await, "1");
    shot(c, "recruitment-overview-phone", 375, 1600).await;
    shot(c, "recruitment-overview-desktop", 1280, 1100).await;
    s.close().await;
}
