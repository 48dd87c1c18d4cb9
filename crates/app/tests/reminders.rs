//! 站内提醒 (issue #16, point 8), on SQLite and PostgreSQL over the township fixture on its
//! day (2026-12-15): a branch is told what it still owes this month, the township how many
//! branches still owe theirs and which terms have ended; nothing a role cannot act on.

mod common;

use common::*;
use jiceng_app::access::{Actor, Role};
use jiceng_app::reminders::{self, ReminderKind};
use jiceng_store::contract_test;
use jiceng_store::testing::TestDb;

contract_test!(reminders_come_from_the_records, |db: TestDb| async move {
    let (app, _dir) = township_at_t0(&db, "reminders").await;
    let secretary = Actor::for_test(9, "dongcun", Role::Secretary);
    let branch = org(&app, &Actor::system(), "T002").await.unwrap();
    let list = reminders::of(&app, &secretary, &branch).await.unwrap();
    let meetings = list
        .iter()
        .find(|r| r.kind == ReminderKind::Meetings)
        .unwrap_or_else(|| panic!("{list:?}"));
    assert!(meetings.text.contains("主题党日"), "{}", meetings.text);
    assert_eq!(meetings.deadline, Some(d("2026-12-31")));
    assert!(!list.iter().any(|r| r.kind == ReminderKind::Referrals));

    let town = org(&app, &Actor::system(), "T001").await.unwrap();
    let list = reminders::of(&app, &dept(), &town).await.unwrap();
    let owing = list
        .iter()
        .find(|r| r.kind == ReminderKind::Branches)
        .unwrap_or_else(|| panic!("{list:?}"));
    assert!(owing.count >= 1, "{owing:?}");
    // 西村党总支 (elected 2020) and 西村第一党支部 (2019): village terms of five years, ended.
    let expired = list
        .iter()
        .find(|r| r.kind == ReminderKind::Election && r.overdue)
        .unwrap_or_else(|| panic!("{list:?}"));
    assert_eq!(expired.count, 2, "{}", expired.text);
    assert!(list[0].overdue, "overdue first: {list:?}");

    // December's theme day recorded (the ledger import): no longer in the branch's list.
    let dir = Dir::new("reminders-ledger");
    let ledger = dir.file("台账.xlsx");
    let row = ledger_row(
        "东村党支部",
        "主题党日",
        C::D(2026, 12, 10),
        "学习",
        [3.0, 3.0, 0.0],
        0.0,
        "",
    );
    xlsx(&ledger, "组织生活台账", &LEDGER_HEADER, &[Some(row)]);
    let opts = jiceng_app::import::ImportOptions {
        org: None,
        dry_run: false,
        skip_invalid: false,
        actor: Actor::system(),
    };
    import_clean(&app, Kind::Meetings, &ledger, &opts).await;
    let list = reminders::of(&app, &secretary, &branch).await.unwrap();
    assert!(
        !list.iter().any(|r| r.text.contains("主题党日")),
        "{list:?}"
    );
});

contract_test!(
    the_township_reminds_the_branches_still_owing_in_one_step,
    |db: TestDb| async move {
        let (app, _dir) = township_at_t0(&db, "remind").await;
        let town = org(&app, &Actor::system(), "T001").await.unwrap();
        let committee = Actor::for_test(11, "zhen", Role::Committee).at(town.org.id, &town.path);
        let grant = committee.grant().unwrap();
        let owing = reminders::of(&app, &committee, &town)
            .await
            .unwrap()
            .into_iter()
            .find(|r| r.kind == ReminderKind::Branches)
            .unwrap()
            .count as usize;
        let r = jiceng_app::notices::remind_owing(&app, &grant, &town)
            .await
            .unwrap();
        assert_eq!((r.sent, r.already), (owing, 0));
        // Once a day: the same org does not remind the same branches again.
        let again = jiceng_app::notices::remind_owing(&app, &grant, &town)
            .await
            .unwrap();
        assert_eq!((again.sent, again.already), (0, owing));
        // The branch sees it among its reminders.
        let branch = org(&app, &Actor::system(), "T002").await.unwrap();
        let secretary = Actor::for_test(9, "dongcun", Role::Secretary);
        let list = reminders::of(&app, &secretary, &branch).await.unwrap();
        let notice = list
            .iter()
            .find(|r| r.kind == ReminderKind::Notice)
            .unwrap_or_else(|| panic!("{list:?}"));
        assert!(
            notice.text.starts_with("测试镇党委提醒：本月还需开展"),
            "{}",
            notice.text
        );
        // Audited; a secretary may not send.
        assert!(audit_log(&app).await.iter().any(|e| e.code
            == jiceng_app::audit::AuditAction::NoticeSend.code()
            && e.actor == "zhen"));
        assert!(matches!(
            secretary.grant::<jiceng_app::access::RemindBranches>(),
            Err(jiceng_app::AppError::Forbidden)
        ));
    }
);
