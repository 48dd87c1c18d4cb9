//! 发展党员 on the fixtures' township, on SQLite and PostgreSQL: a person registered at
//! 东村党支部 walks the way step by step as a secretary would record it; the approval (⑰)
//! puts them on the roster as a probationary member with nothing typed again, the
//! confirmation (㉔) makes them full; every refusal says why and changes nothing.

mod common;

use common::*;
use jiceng_app::access::{Actor, RecordRecruitment, Role};
use jiceng_app::recruitment::{self, NewApplicant, StepInput};
use jiceng_app::{App, AppError};
use jiceng_domain::recruitment::Vote;
use jiceng_store::contract_test;
use jiceng_store::testing::TestDb;

fn applicant(n: u16) -> NewApplicant {
    NewApplicant {
        name: "林申请".into(),
        id_number: common::id(900 + n, d("2001-03-04"), true),
        ethnicity: Some("汉族".into()),
        education: Some("大学本科".into()),
        occupation: Some("村卫生室医生".into()),
        front_line: true,
        phone: Some("13800001234".into()),
        applied_on: d("2025-01-06"),
    }
}

fn step(n: i64, on: &str) -> StepInput {
    StepInput {
        step: n.to_string(),
        on: Some(d(on)),
        ..StepInput::default()
    }
}

fn vote(due: u32, present: u32, yes: u32) -> Option<Vote> {
    Some(Vote {
        due,
        present,
        yes,
        no: present - yes,
        abstain: 0,
        written: 0,
        secret: Some(true),
    })
}

async fn member_id(app: &App, name: &str) -> i64 {
    member_named(app, name).await
}

/// The township, a secretary's grant at 东村党支部 and a registered applicant's id.
async fn start(
    db: &TestDb,
    label: &str,
) -> (App, jiceng_app::access::Grant<RecordRecruitment>, i64, Dir) {
    let app = app(db);
    let dir = Dir::new(label);
    load_township(&app, &dir, false).await;
    let village = org_id(&app, "T002").await;
    let secretary = Actor::for_test(21, "dongcun", Role::Secretary)
        .at(village, &sys_org(&app, "T002").await.path);
    let grant = secretary.grant::<RecordRecruitment>().unwrap();
    let org = by_id(&app, &secretary, village).await.unwrap();
    let id = recruitment::register(&app, &grant, &org, &applicant(1))
        .await
        .unwrap();
    (app, grant, id, dir)
}

/// ② to ⑭, by the book.
async fn to_fourteen(app: &App, grant: &jiceng_app::access::Grant<RecordRecruitment>, id: i64) {
    let zhao = member_id(app, "赵一").await;
    let qian = member_id(app, "钱二").await;
    let mut sponsors = step(9, "2026-02-10");
    sponsors.sponsor_ids = vec![zhao, qian];
    let mut training = step(11, "2026-03-20");
    training.training_hours = Some(24.0);
    let steps = [
        step(2, "2025-01-20"),
        step(3, "2025-02-01"),
        step(5, "2025-02-01"),
        step(7, "2026-02-05"),
        sponsors,
        step(10, "2026-03-01"),
        training,
        step(12, "2026-04-01"),
        step(13, "2026-04-10"),
        step(14, "2026-04-15"),
    ];
    for s in &steps {
        recruitment::record_step(app, grant, id, s)
            .await
            .unwrap_or_else(|e| panic!("{}: {e}", s.step));
    }
}

contract_test!(
    a_person_walks_the_way_onto_the_roster,
    |db: TestDb| async move {
        let (app, grant, id, _dir) = start(&db, "rec-walk").await;
        to_fourteen(&app, &grant, id).await;
        let read = grant.actor().grant().unwrap();
        let before = recruitment::person(&app, &read, id).await.unwrap();
        assert_eq!(before.stage, "candidate");
        assert_eq!(before.progress.violations, vec![]);
        assert!(before.id_masked.contains('*'), "masked as members' are");
        // ⑮ with its vote (2026: 公示 of five working days before it, a secret ballot).
        let mut branch = step(15, "2026-05-08");
        branch.vote = vote(7, 7, 6);
        branch.notice_from = Some(d("2026-04-27"));
        branch.notice_to = Some(d("2026-05-07"));
        recruitment::record_step(&app, &grant, id, &branch)
            .await
            .unwrap();
        // The 支部大会决议 is generated from what was recorded; before ⑮ it names ⑮.
        let resolution = jiceng_app::recruitment::documents::DocKind::BranchResolution;
        let paper = recruitment::papers::generate(&app, &grant, resolution, &[id])
            .await
            .unwrap();
        let xml = jiceng_io::docx::document_xml(&paper.bytes).unwrap();
        assert!(xml.contains("林申请") && xml.contains("赞成6票"), "{xml}");
        recruitment::record_step(&app, &grant, id, &step(16, "2026-05-20"))
            .await
            .unwrap();
        let dongcun = org_id(&app, "T002").await;
        let members_before = by_id(&app, &dept(), dongcun)
            .await
            .unwrap()
            .facts
            .direct_members;
        recruitment::record_step(&app, &grant, id, &step(17, "2026-06-01"))
            .await
            .unwrap();
        let after = recruitment::person(&app, &read, id).await.unwrap();
        assert_eq!(after.stage, "probationary");
        let member = after.member_id.expect("on the roster");
        let m = jiceng_app::browse::member_in_scope(&app, &dept(), member)
            .await
            .unwrap();
        assert_eq!((m.name.as_str(), m.status.label()), ("林申请", "预备党员"));
        assert_eq!(
            m.joined_on,
            d("2026-05-08"),
            "入党日期 is the branch meeting's day"
        );
        assert_eq!(
            (m.org_id, m.phone_masked.clone()),
            (dongcun, Some("138****1234".into()))
        );
        let members_after = by_id(&app, &dept(), dongcun)
            .await
            .unwrap()
            .facts
            .direct_members;
        assert_eq!(
            members_after,
            members_before + 1,
            "the stored facts count them at once"
        );
        // Next: the oath, then the confirmation due at the probation's end.
        assert_eq!(after.progress.probation_ends, Some(d("2027-05-08")));
        assert_eq!(after.progress.next.as_ref().unwrap().step.number(), 20);
        let log = audit_log(&app).await;
        // A year on: the oath, the application, the vote and the approval make them full,
        // from the day the probation ended (预备期满之日).
        let mut later = app.clone();
        later.fixed_today = Some(d("2027-08-01"));
        let mut conf = step(23, "2027-05-12");
        conf.vote = vote(8, 8, 8);
        for s in [
            step(20, "2026-06-10"),
            step(22, "2027-05-08"),
            conf,
            step(24, "2027-06-20"),
        ] {
            recruitment::record_step(&later, &grant, id, &s)
                .await
                .unwrap();
        }
        let m = jiceng_app::browse::member_in_scope(&later, &dept(), member)
            .await
            .unwrap();
        assert_eq!(
            (m.status.label(), m.full_on),
            ("正式党员", Some(d("2027-05-08")))
        );
        let done = recruitment::person(&later, &read, id).await.unwrap();
        assert_eq!(
            (done.stage.as_str(), done.progress.next.clone()),
            ("confirmed", None)
        );
        let count = |a: &str| log.iter().filter(|e| e.action == a).count();
        assert_eq!(
            (count("recruitment_register"), count("recruitment_step")),
            (1, 13)
        );
    }
);

contract_test!(refusals_change_nothing, |db: TestDb| async move {
    let (app, grant, id, _dir) = start(&db, "rec-refuse").await;
    let read = grant.actor().grant().unwrap();
    let refused = |r: jiceng_app::Result<i64>| match r {
        Err(AppError::Recruitment(e)) => (e.field, e.message),
        other => panic!("expected a refusal, got {other:?}"),
    };
    // Out of order.
    let (field, msg) =
        refused(recruitment::record_step(&app, &grant, id, &step(7, "2025-03-01")).await);
    assert_eq!(field, "step");
    assert!(msg.contains("请先记录"), "{msg}");
    // Before the application.
    let (field, _) =
        refused(recruitment::record_step(&app, &grant, id, &step(2, "2025-01-01")).await);
    assert_eq!(field, "on");
    // A sponsor who is probationary (王八 is).
    to_fourteen_until_sponsors(&app, &grant, id).await;
    let mut sponsors = step(9, "2026-02-10");
    sponsors.sponsor_ids = vec![member_id(&app, "赵一").await, member_id(&app, "王八").await];
    let (field, msg) = refused(recruitment::record_step(&app, &grant, id, &sponsors).await);
    assert_eq!(field, "sponsors");
    assert!(msg.contains("王八"), "{msg}");
    let p = recruitment::person(&app, &read, id).await.unwrap();
    assert_eq!(p.steps.len(), 5, "nothing written by the refusals");
    // A document whose facts are missing names the step instead of printing blanks.
    let resolution = jiceng_app::recruitment::documents::DocKind::BranchResolution;
    let e = recruitment::papers::generate(&app, &grant, resolution, &[id])
        .await
        .err()
        .unwrap();
    assert!(e.to_string().contains("⑮"), "{e}");
    // The same person again.
    let org = by_id(&app, grant.actor(), org_id(&app, "T002").await)
        .await
        .unwrap();
    let e = recruitment::register(&app, &grant, &org, &applicant(1))
        .await
        .unwrap_err();
    assert!(e.to_string().contains("已登记"), "{e}");
    // A member cannot apply.
    let mut member = applicant(2);
    member.id_number = common::id(0, d("1970-03-12"), false);
    let e = recruitment::register(&app, &grant, &org, &member)
        .await
        .unwrap_err();
    assert!(e.to_string().contains("已是党员"), "{e}");
    // Outside the secretary's branch: not found.
    let west = org_id(&app, "T004").await;
    assert!(by_id(&app, grant.actor(), west).await.is_err());
});

async fn to_fourteen_until_sponsors(
    app: &App,
    grant: &jiceng_app::access::Grant<RecordRecruitment>,
    id: i64,
) {
    for s in [
        step(2, "2025-01-20"),
        step(3, "2025-02-01"),
        step(5, "2025-02-01"),
        step(7, "2026-02-05"),
    ] {
        recruitment::record_step(app, grant, id, &s).await.unwrap();
    }
}

contract_test!(
    a_vote_of_exactly_half_is_refused_and_the_board_counts_stages,
    |db: TestDb| async move {
        let (app, grant, id, _dir) = start(&db, "rec-vote").await;
        to_fourteen(&app, &grant, id).await;
        let mut branch = step(15, "2026-05-08");
        branch.vote = vote(8, 8, 4);
        let e = recruitment::record_step(&app, &grant, id, &branch)
            .await
            .unwrap_err();
        assert!(e.to_string().contains("未超过"), "{e}");
        let org = by_id(&app, &dept(), org_id(&app, "T001").await)
            .await
            .unwrap();
        let board = recruitment::board(&app, &org, true).await.unwrap();
        let counts: Vec<(&str, i64)> = board.by_stage.iter().map(|s| (s.stage, s.count)).collect();
        assert_eq!(
            counts,
            [
                ("applicant", 0),
                ("activist", 0),
                ("candidate", 1),
                ("probationary", 0),
                ("confirmed", 0)
            ]
        );
        assert_eq!(board.people.len(), 1);
        assert_eq!(board.people[0].next_step, Some(15));
    }
);

contract_test!(
    stale_judgements_are_made_again_with_the_tallies,
    |db: TestDb| async move {
        use jiceng_store::recruitment::{self as store, tally};
        let (mut app, _grant, id, _dir) = start(&db, "rederive").await;
        let village = org_id(&app, "T002").await;
        let read = async |app: &App| {
            let mut c = app.store().acquire().await.unwrap();
            let a = store::get(&mut c, &jiceng_store::Scope::All, id)
                .await
                .unwrap()
                .unwrap();
            (a, tally::of(&mut c, village).await.unwrap())
        };
        let (fresh, counted) = read(&app).await;
        assert_eq!(fresh.derived.stage, "applicant");
        assert_eq!(counted.stage("applicant"), 1);
        // A judgement written by another release (here: by hand) and nothing recorded of
        // what it was judged by: the server's refresh finds it stale and judges again.
        let mut wrong = fresh.clone();
        wrong.derived.stage = "candidate".into();
        wrong.derived.violations = 5;
        wrong.derived.next_deadline = None;
        let mut tx = app.store().begin().await.unwrap();
        store::update(&mut tx, &wrong).await.unwrap();
        tally::refresh(&mut tx, &[village]).await.unwrap();
        tx.commit().await.unwrap();
        assert_eq!(read(&app).await.1.stage("candidate"), 1);
        assert!(recruitment::rederive::stale(&app).await.unwrap());
        assert!(jiceng_app::refresh_if_stale(&app).await.unwrap() > 0);
        let (again, recounted) = read(&app).await;
        assert_eq!(again.derived, fresh.derived);
        assert_eq!(recounted, counted);
        assert!(!recruitment::rederive::stale(&app).await.unwrap());
        assert_eq!(jiceng_app::refresh_if_stale(&app).await.unwrap(), 0);
        // A day later the judgements are a day old.
        app.fixed_today = app.fixed_today.and_then(|d| d.succ_opt());
        assert!(recruitment::rederive::stale(&app).await.unwrap());
        let done = recruitment::rederive::rederive(&app).await.unwrap();
        assert_eq!(done.judged, 1);
        assert!(!recruitment::rederive::stale(&app).await.unwrap());
    }
);

contract_test!(
    an_org_with_people_applying_is_merged_not_dissolved,
    |db: TestDb| async move {
        use jiceng_app::org_admin::{self, OrgFields};
        let app = app(&db);
        let dir = Dir::new("dissolve");
        load_township(&app, &dir, false).await;
        let township = org_id(&app, "T001").await;
        let fields = OrgFields {
            name: "新村党支部".into(),
            kind: "Branch".into(),
            code: Some("T090".into()),
            ..Default::default()
        };
        let new = create_org(&app, &dept(), township, &fields, "新建")
            .await
            .unwrap();
        let org = by_id(&app, &dept(), new).await.unwrap();
        let grant = dept().grant::<RecordRecruitment>().unwrap();
        recruitment::register(&app, &grant, &org, &applicant(7))
            .await
            .unwrap();
        // No member, no child: only the person applying holds it.
        let e = org_admin::dissolve(&app, &dept().grant().unwrap(), &org, "撤销")
            .await
            .unwrap_err();
        assert!(e.to_string().contains("1名入党申请人"), "{e}");
        let after = by_id(&app, &dept(), new).await.unwrap();
        assert_eq!(after.org.dissolved_on, None, "nothing changed");
        // Merged into 东村党支部, the person goes with it.
        let into = by_id(&app, &dept(), org_id(&app, "T002").await)
            .await
            .unwrap();
        org_admin::merge(&app, &dept().grant().unwrap(), &org, &into, "合并")
            .await
            .unwrap();
        let board = recruitment::board(&app, &into, true).await.unwrap();
        assert!(
            board.people.iter().any(|p| p.name == "林申请"),
            "moved with the merge"
        );
    }
);
