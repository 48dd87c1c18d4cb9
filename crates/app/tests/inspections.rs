//! 督查 on SQLite and PostgreSQL: the township's committee records two inspections of
//! its branches (one about a task that reached the branch), the problems found surface
//! among the branch's reminders and the inspector's, the branch reports one fixed, and
//! each inspection counts in the burden ledger of the month it was held.

mod common;

use common::*;
use jiceng_app::access::{Actor, IssueTasks, RecordInspections, ReportTasks, Role};
use jiceng_app::inspections;
use jiceng_app::reminders::{self, ReminderKind};
use jiceng_app::tasks::{self, burden, Draft, TargetFilter};
use jiceng_app::AppError;
use jiceng_domain::inspection::{InspectionDraft, Method, ProblemDraft, ProblemStatus};
use jiceng_domain::{OrgKind, Period};
use jiceng_store::contract_test;
use jiceng_store::testing::TestDb;

fn staff(org: &jiceng_app::OrgRecord, role: Role, name: &str) -> Actor {
    Actor::for_test(12, name, role).at(org.org.id, &org.path)
}

fn problem(text: &str, deadline: &str) -> ProblemDraft {
    ProblemDraft {
        description: text.into(),
        owner: "支部书记".into(),
        deadline: Some(d(deadline)),
    }
}

contract_test!(
    inspections_find_problems_that_are_fixed_and_counted,
    |db: TestDb| async move {
        let app = on(&db, "2026-12-05");
        let dir = Dir::new("inspections");
        load_township(&app, &dir, false).await;
        let township = sys_org(&app, "T001").await;
        let committee = staff(&township, Role::Committee, "zuzhi");
        let home = org(&app, &committee, "T001").await.unwrap();
        // A task to the branches, so that one inspection can be about it.
        let task = tasks::issue(
            &app,
            &committee.grant::<IssueTasks>().unwrap(),
            &home,
            &Draft {
                title: "组织生活记录规范化".into(),
                content: "请规范三会一课记录。".into(),
                deadline: Some(d("2026-12-20")),
                fields: vec![],
                filter: TargetFilter {
                    kinds: vec![OrgKind::Branch],
                    ..TargetFilter::default()
                },
            },
            None,
        )
        .await
        .unwrap();
        let record = committee.grant::<RecordInspections>().unwrap();
        let dong = org(&app, &committee, "T002").await.unwrap();
        let xi = org(&app, &committee, "T004").await.unwrap();
        let draft = InspectionDraft {
            on: Some(d("2026-12-03")),
            inspectors: "王督查、李检查".into(),
            methods: vec![Method::Records, Method::OnSite],
            findings: "支委会记录不全，党员大会未按季度召开。".into(),
            problems: vec![
                problem("支委会记录缺10月、11月", "2026-12-04"),
                problem("第四季度党员大会未召开", "2026-12-31"),
            ],
        };
        // Refusals: a day to come, a task that did not reach the org.
        let mut later = draft.clone();
        later.on = Some(d("2026-12-06"));
        let e = inspections::record(&app, &record, &dong, None, &later)
            .await
            .unwrap_err();
        assert!(
            matches!(&e, AppError::MemberLife(r) if r.field == "on"),
            "{e}"
        );
        let e = inspections::record(&app, &record, &dong, Some(task.id + 1000), &draft)
            .await
            .unwrap_err();
        assert!(
            matches!(&e, AppError::MemberLife(r) if r.field == "task"),
            "{e}"
        );
        // A secretary may not record one.
        let sec = staff(&dong, Role::Secretary, "sec-T002");
        assert!(matches!(
            sec.grant::<RecordInspections>(),
            Err(AppError::Forbidden)
        ));
        let first = inspections::record(&app, &record, &dong, Some(task.id), &draft)
            .await
            .unwrap();
        let second = inspections::record(
            &app,
            &record,
            &xi,
            None,
            &InspectionDraft {
                on: Some(d("2026-11-28")),
                problems: vec![],
                ..draft.clone()
            },
        )
        .await
        .unwrap();

        // The branch's reminders: two problems, one overdue; the inspector's: the subtree.
        let sec_home = org(&app, &sec, "T002").await.unwrap();
        let rem = reminders::of(&app, &sec, &sec_home).await.unwrap();
        let p = rem
            .iter()
            .find(|r| r.kind == ReminderKind::Problems)
            .expect("the branch's problems");
        assert_eq!((p.count, p.overdue), (2, true), "{p:?}");
        let rem = reminders::of(&app, &committee, &home).await.unwrap();
        let p = rem
            .iter()
            .find(|r| r.kind == ReminderKind::Problems)
            .unwrap();
        assert!(p.text.starts_with("本范围督查发现的问题2个"), "{}", p.text);

        // The branch reports the first fixed (late); a second report of it is refused.
        let fix = sec.grant::<ReportTasks>().unwrap();
        let e = inspections::fix(&app, &fix, &sec_home, first, 1, Some(d("2026-12-06")), "x")
            .await
            .unwrap_err();
        assert!(
            matches!(&e, AppError::MemberLife(r) if r.field == "fix"),
            "{e}"
        );
        inspections::fix(
            &app,
            &fix,
            &sec_home,
            first,
            1,
            Some(d("2026-12-05")),
            "已补记",
        )
        .await
        .unwrap();
        assert!(inspections::fix(
            &app,
            &fix,
            &sec_home,
            first,
            1,
            Some(d("2026-12-05")),
            "again"
        )
        .await
        .is_err());
        // Another branch's inspection is not found from this one.
        assert!(matches!(
            inspections::get(&app, &sec_home, second).await,
            Err(AppError::NotFound(_))
        ));
        let i = inspections::get(&app, &home, first).await.unwrap();
        assert_eq!(
            i.problems.iter().map(|p| p.status).collect::<Vec<_>>(),
            [ProblemStatus::FixedLate, ProblemStatus::Open]
        );
        assert_eq!(i.task.as_ref().map(|t| t.0), Some(task.id));
        assert_eq!(i.methods, [Method::OnSite, Method::Records]);

        // The township's list of the year: both, one problem still open.
        let l = inspections::list(&app, &home, Period::Year(2026))
            .await
            .unwrap();
        assert_eq!(l.inspections.len(), 2);
        assert_eq!(l.open.len(), 1);
        assert_eq!(l.open[0].org_name, "东村党支部");
        // The ledger: December's inspection of 东村 beside the task; November's of 西村第一.
        let dec = burden::ledger(&app, &home, "2026-12").await.unwrap();
        let dong_line = dec.heaviest.iter().find(|o| o.org.code == "T002").unwrap();
        assert_eq!(dong_line.sums.items, 2);
        let nov = burden::ledger(&app, &home, "2026-11").await.unwrap();
        assert_eq!(nov.totals.items, 1);
        assert_eq!(nov.heaviest[0].org.code, "T004");
    }
);
