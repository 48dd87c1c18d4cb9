//! 述职评议考核 on SQLite and PostgreSQL: the township's committee records a round of its
//! branches' duty reports with the evaluators' grades (the grade given by the rule set),
//! an integrity report and a departure audit; the problems named surface among the
//! branch's reminders and the recorder's, the branch reports one fixed, the year's report
//! counts them by org, and the grades and an overdue problem reach the rating's 重点任务完成.

mod common;

use common::*;
use jiceng_app::access::{Actor, RecordDuty, ReportTasks, Role};
use jiceng_app::duties;
use jiceng_app::reminders::{self, ReminderKind};
use jiceng_app::AppError;
use jiceng_domain::duty::{DutyDraft, DutyKind, Grade, Votes};
use jiceng_domain::inspection::{ProblemDraft, ProblemStatus};
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

fn votes(good: i64, fairly_good: i64, average: i64, poor: i64) -> Votes {
    Votes {
        good,
        fairly_good,
        average,
        poor,
    }
}

fn report(on: &str, votes: Votes, problems: Vec<ProblemDraft>) -> DutyDraft {
    DutyDraft {
        year: Some(2026),
        person: "东村书记".into(),
        position: "党支部书记".into(),
        on: Some(d(on)),
        meeting: "乡镇党委述职评议会".into(),
        report: "全年组织生活按时开展，发展党员1名。".into(),
        votes,
        problems,
        ..DutyDraft::new(DutyKind::Duty)
    }
}

async fn task_completion(app: &jiceng_app::App, code: &str) -> (Option<f64>, String) {
    let org = sys_org(app, code).await;
    let r = jiceng_app::rating::org_rating(app, &org, 2026)
        .await
        .unwrap();
    let i = r
        .current
        .indicators
        .into_iter()
        .find(|i| i.code == "TaskCompletion")
        .unwrap();
    (i.score, i.evidence)
}

contract_test!(
    duty_reports_are_graded_their_problems_fixed_and_rated,
    |db: TestDb| async move {
        let app = on(&db, "2026-12-05");
        let dir = Dir::new("duties");
        load_township(&app, &dir, false).await;
        let township = sys_org(&app, "T001").await;
        let committee = staff(&township, Role::Committee, "zuzhi");
        let home = org(&app, &committee, "T001").await.unwrap();
        let dong = org(&app, &committee, "T002").await.unwrap();
        let xi = org(&app, &committee, "T004").await.unwrap();
        let record = committee.grant::<RecordDuty>().unwrap();

        // Nothing recorded: the indicator is 暂无数据, never 0.
        assert_eq!(task_completion(&app, "T002").await.0, None);

        // Refusals: no grades on a duty report; a secretary may not record one.
        let e = duties::record(
            &app,
            &record,
            &dong,
            &report("2026-12-03", Votes::default(), vec![]),
        )
        .await
        .unwrap_err();
        assert!(
            matches!(&e, AppError::MemberLife(r) if r.field == "votes"),
            "{e}"
        );
        let sec = staff(&dong, Role::Secretary, "sec-T002");
        assert!(matches!(
            sec.grant::<RecordDuty>(),
            Err(AppError::Forbidden)
        ));

        // 东村: 20 好, 8 较好, 2 一般 → (2000 + 640 + 120) / 30 = 92 → 好; two problems,
        // the first already past its deadline.
        let first = duties::record(
            &app,
            &record,
            &dong,
            &report(
                "2026-12-01",
                votes(20, 8, 2, 0),
                vec![
                    problem("发展党员工作滞后", "2026-12-04"),
                    problem("党员活动室长期闲置", "2027-03-31"),
                ],
            ),
        )
        .await
        .unwrap();
        // 西村第一: 2 好, 6 较好, 2 一般 → 80 → 较好; one problem overdue on the day.
        let second = duties::record(
            &app,
            &record,
            &xi,
            &DutyDraft {
                person: "西村书记".into(),
                ..report(
                    "2026-11-20",
                    votes(2, 6, 2, 0),
                    vec![problem("三会一课记录不全", "2026-11-30")],
                )
            },
        )
        .await
        .unwrap();
        // An integrity report (not graded) and a departure audit of 东村's former director.
        duties::record(
            &app,
            &record,
            &xi,
            &DutyDraft {
                kind: DutyKind::Integrity,
                votes: Votes::default(),
                person: "西村书记".into(),
                ..report("2026-11-20", Votes::default(), vec![])
            },
        )
        .await
        .unwrap();
        let audit = duties::record(
            &app,
            &record,
            &dong,
            &DutyDraft {
                kind: DutyKind::Departure,
                year: None,
                person: "东村原主任".into(),
                position: "村委会主任".into(),
                meeting: "县审计局".into(),
                from: Some(d("2021-01-10")),
                to: Some(d("2026-10-31")),
                report: "村集体资金往来账目清楚，一笔补助未公示。".into(),
                ..report("2026-11-25", Votes::default(), vec![])
            },
        )
        .await
        .unwrap();
        let a = duties::get(&app, &home, audit).await.unwrap();
        assert_eq!((a.kind, a.year, a.grade), (DutyKind::Departure, 2026, None));
        let r = duties::get(&app, &home, first).await.unwrap();
        assert_eq!((r.grade, r.score), (Some(Grade::Good), Some(92.0)));
        assert_eq!(r.votes_text(), "好20 较好8 一般2 差0");

        // The branch's reminders: its two problems, one overdue; the recorder's: the scope's.
        let sec_home = org(&app, &sec, "T002").await.unwrap();
        let rem = reminders::of(&app, &sec, &sec_home).await.unwrap();
        let p = rem
            .iter()
            .find(|r| r.kind == ReminderKind::DutyProblems)
            .expect("the branch's problems");
        assert_eq!((p.count, p.overdue), (2, true), "{p:?}");
        let rem = reminders::of(&app, &committee, &home).await.unwrap();
        let p = rem
            .iter()
            .find(|r| r.kind == ReminderKind::DutyProblems)
            .unwrap();
        assert!(
            p.text
                .starts_with("本范围述职评议等指出的问题3个待整改（其中2个已逾期）"),
            "{}",
            p.text
        );

        // The branch reports the first fixed (late): not before the report, once.
        let fix = sec.grant::<ReportTasks>().unwrap();
        let e = duties::fix(&app, &fix, &sec_home, first, 1, Some(d("2026-11-30")), "x")
            .await
            .unwrap_err();
        assert!(e.to_string().contains("早于述职日期2026-12-01"), "{e}");
        duties::fix(
            &app,
            &fix,
            &sec_home,
            first,
            1,
            Some(d("2026-12-05")),
            "已确定发展对象2名",
        )
        .await
        .unwrap();
        assert!(duties::fix(
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
        // Another branch's record is not found from this one.
        assert!(matches!(
            duties::get(&app, &sec_home, second).await,
            Err(AppError::NotFound(_))
        ));
        let r = duties::get(&app, &home, first).await.unwrap();
        assert_eq!(
            r.problems.iter().map(|p| p.status).collect::<Vec<_>>(),
            [ProblemStatus::FixedLate, ProblemStatus::Open]
        );

        // The township's year: four records, two graded 述职 (好, 较好), two problems open.
        let l = duties::list(&app, &home, 2026).await.unwrap();
        assert_eq!(l.records.len(), 4);
        assert_eq!(l.grades, [1, 1, 0, 0]);
        assert_eq!(l.open.len(), 2);
        assert_eq!(l.open[0].org_name, "西村第一党支部");
        assert_eq!(l.open[0].status, ProblemStatus::Overdue);
        // The report by org.
        let rep = duties::report(&app, &home, 2026).await.unwrap();
        let line = |code: &str| rep.lines.iter().find(|l| l.org.code == code).unwrap();
        let d2 = line("T002");
        assert_eq!(
            (
                d2.grade,
                d2.duty,
                d2.departure,
                d2.problems,
                d2.open,
                d2.overdue
            ),
            (Some(Grade::Good), 1, 1, 2, 1, 0)
        );
        let d4 = line("T004");
        assert_eq!(
            (d4.grade, d4.duty, d4.integrity, d4.overdue),
            (Some(Grade::FairlyGood), 1, 1, 1)
        );
        assert_eq!(rep.lines.len(), 2);

        // The rating: 东村 好 → 100; 西村第一 较好 80, one problem overdue → 70.
        let (score, evidence) = task_completion(&app, "T002").await;
        assert_eq!(score, Some(100.0), "{evidence}");
        assert!(evidence.contains("2026年度书记述职评议好"), "{evidence}");
        let (score, evidence) = task_completion(&app, "T004").await;
        assert_eq!(score, Some(70.0), "{evidence}");
        assert!(evidence.contains("问题1个逾期未整改，扣10分"), "{evidence}");
    }
);
