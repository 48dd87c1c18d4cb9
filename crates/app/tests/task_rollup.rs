//! A task's completion counted up the tree, on SQLite and PostgreSQL: the township's task to
//! its four branches is counted by child org from the kept rows; a report moves them; a
//! branch moved under another general branch moves its count there; an extension moves
//! the overdue; a task whose rows are missing (written before they were kept) is counted
//! again when read — each checked against the targets themselves.

mod common;

use common::*;
use jiceng_app::access::{Actor, IssueTasks, ReportTasks, Role};
use jiceng_app::tasks::{self, Draft, Report, TargetFilter};
use jiceng_domain::OrgKind;
use jiceng_store::contract_test;
use jiceng_store::testing::TestDb;

fn staff(org: &jiceng_app::OrgRecord, role: Role, name: &str) -> Actor {
    Actor::for_test(12, name, role).at(org.org.id, &org.path)
}

/// (name, targets, done, overdue) of each child line, by name.
fn children(v: &tasks::TaskView) -> Vec<(String, i64, i64, i64)> {
    let mut c: Vec<_> = v
        .children
        .iter()
        .map(|c| {
            (
                c.name.clone(),
                c.counts.targets,
                c.counts.done,
                c.counts.overdue,
            )
        })
        .collect();
    c.sort();
    c
}

contract_test!(
    completion_is_counted_up_the_tree_through_reports_moves_and_extensions,
    |db: TestDb| async move {
        let app = on(&db, "2026-12-05");
        let dir = Dir::new("rollup");
        load_township(&app, &dir, false).await;
        let township = sys_org(&app, "T001").await;
        let committee = staff(&township, Role::Committee, "zuzhi");
        let home = org(&app, &committee, "T001").await.unwrap();
        let issued = {
            let mut past = app.clone();
            past.fixed_today = Some(d("2026-11-20"));
            tasks::issue(
                &past,
                &committee.grant::<IssueTasks>().unwrap(),
                &home,
                &Draft {
                    title: "冬季走访".into(),
                    content: "走访困难党员。".into(),
                    deadline: Some(d("2026-12-01")),
                    fields: vec![],
                    filter: TargetFilter {
                        kinds: vec![OrgKind::Branch],
                        ..TargetFilter::default()
                    },
                },
                None,
            )
            .await
            .unwrap()
        };
        // 东村 (T002) with 南村 (T006) below it, 西村第一 (T004) under 西村党总支 (T003),
        // 镇机关 (T005): all past the deadline, none done.
        let v = tasks::view(&app, &committee, issued.id, &home, false)
            .await
            .unwrap();
        assert_eq!(
            (v.counts.targets, v.counts.done, v.counts.overdue),
            (4, 0, 4)
        );
        assert_eq!(
            children(&v),
            [
                ("东村党支部".to_string(), 2, 0, 2),
                ("西村党总支".to_string(), 1, 0, 1),
                ("镇机关党支部".to_string(), 1, 0, 1),
            ]
        );
        // 南村 reports done (late).
        let nan = sys_org(&app, "T006").await;
        let sec = staff(&nan, Role::Secretary, "sec-T006");
        tasks::report(
            &app,
            &sec.grant::<ReportTasks>().unwrap(),
            &org(&app, &sec, "T006").await.unwrap(),
            issued.id,
            &Report {
                done: true,
                progress: "已走访".into(),
                ..Report::default()
            },
        )
        .await
        .unwrap();
        let v = tasks::view(&app, &committee, issued.id, &home, false)
            .await
            .unwrap();
        assert_eq!(
            (v.counts.done, v.counts.done_late, v.counts.overdue),
            (1, 1, 3)
        );
        // Seen from 东村: its own subtree (itself and 南村).
        let dong = org(&app, &committee, "T002").await.unwrap();
        let v = tasks::view(&app, &committee, issued.id, &dong, false)
            .await
            .unwrap();
        assert_eq!((v.counts.targets, v.counts.done), (2, 1));

        // 南村 moves under 西村党总支: the count follows it.
        jiceng_app::org_admin::move_org(
            &app,
            &committee.grant().unwrap(),
            &org(&app, &committee, "T006").await.unwrap(),
            &org(&app, &committee, "T003").await.unwrap(),
            "调整隶属关系",
        )
        .await
        .unwrap();
        let v = tasks::view(&app, &committee, issued.id, &home, false)
            .await
            .unwrap();
        assert_eq!(
            children(&v),
            [
                ("东村党支部".to_string(), 1, 0, 1),
                ("西村党总支".to_string(), 2, 1, 1),
                ("镇机关党支部".to_string(), 1, 0, 1),
            ]
        );

        // The month's 减负台账 follows the move too: 西村党总支's subtree now holds two
        // branches that received the task, 东村's one.
        let ledger = |code: &'static str| {
            let (app, committee) = (app.clone(), committee.clone());
            async move {
                let at = org(&app, &committee, code).await.unwrap();
                tasks::burden::ledger(&app, &at, "2026-11").await.unwrap()
            }
        };
        let (xi, dong_l) = (ledger("T003").await, ledger("T002").await);
        assert_eq!((xi.totals.items, xi.levels[0].orgs), (2, 2));
        assert_eq!(dong_l.totals.items, 1);
        assert_eq!(xi.issuers[0].orgs, 2);
        let whole = ledger("T001").await;
        assert_eq!((whole.totals.items, whole.heaviest.len()), (4, 4));
        // The heaviest of a level read in order from the index: items, then the latest org.
        let mut c = app.store().acquire().await.unwrap();
        let most = jiceng_store::burden_rollup::most(
            &mut c,
            &jiceng_store::Scope::subtree(&home.path),
            "2026-11",
            whole.heaviest[0].level.code(),
            2,
        )
        .await
        .unwrap();
        drop(c);
        assert_eq!(most.len(), 2);
        assert!(most[0].org_id > most[1].org_id, "{most:?}");
        // Counted again from the ledger's rows when the counts are gone.
        let mut c = app.store().acquire().await.unwrap();
        for table in [
            "burden_rolled",
            "burden_rollup",
            "burden_issuer",
            "burden_org",
        ] {
            sqlx::query(&format!("DELETE FROM {table}"))
                .execute(&mut *c)
                .await
                .unwrap();
        }
        drop(c);
        assert_eq!(ledger("T001").await, whole);
        assert_eq!(ledger("T003").await, xi);

        // Extending the open targets to next week: nothing overdue any more.
        tasks::extend(
            &app,
            &committee.grant::<IssueTasks>().unwrap(),
            &home,
            issued.id,
            None,
            d("2026-12-12"),
        )
        .await
        .unwrap();
        let v = tasks::view(&app, &committee, issued.id, &home, false)
            .await
            .unwrap();
        assert_eq!(
            (v.counts.targets, v.counts.done, v.counts.overdue),
            (4, 1, 0)
        );

        // Rows missing (a task from before they were kept): counted again when read.
        let mut c = app.store().acquire().await.unwrap();
        sqlx::query("DELETE FROM task_rollup")
            .execute(&mut *c)
            .await
            .unwrap();
        drop(c);
        let again = tasks::view(&app, &committee, issued.id, &home, false)
            .await
            .unwrap();
        assert_eq!(again.counts, v.counts);
        assert_eq!(children(&again), children(&v));
    }
);

contract_test!(
    concurrent_reports_extensions_and_inspections_keep_the_counts,
    |db: TestDb| async move {
        let app = on(&db, "2026-12-05");
        let dir = Dir::new("rollup-race");
        load_township(&app, &dir, false).await;
        let township = sys_org(&app, "T001").await;
        let committee = staff(&township, Role::Committee, "zuzhi");
        let home = org(&app, &committee, "T001").await.unwrap();
        let issued = tasks::issue(
            &app,
            &committee.grant::<IssueTasks>().unwrap(),
            &home,
            &Draft {
                title: "并发".into(),
                content: "并发报告。".into(),
                deadline: Some(d("2026-12-10")),
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
        // Four branches report, the issuer extends twice and records inspections of 东村,
        // all at once.
        let mut jobs = Vec::new();
        for code in ["T002", "T004", "T005", "T006"] {
            let (app, id) = (app.clone(), issued.id);
            jobs.push(tokio::spawn(async move {
                let o = sys_org(&app, code).await;
                let sec = staff(&o, Role::Secretary, &format!("sec-{code}"));
                let at = org(&app, &sec, code).await.unwrap();
                let r = Report {
                    done: true,
                    progress: "已完成".into(),
                    ..Report::default()
                };
                tasks::report(&app, &sec.grant::<ReportTasks>().unwrap(), &at, id, &r)
                    .await
                    .map(|_| ())
                    .map_err(|e| e.to_string())
            }));
        }
        for (i, day) in ["2026-12-20", "2026-12-25"].into_iter().enumerate() {
            let (app, committee, home, id) =
                (app.clone(), committee.clone(), home.clone(), issued.id);
            jobs.push(tokio::spawn(async move {
                tasks::extend(
                    &app,
                    &committee.grant::<IssueTasks>().unwrap(),
                    &home,
                    id,
                    None,
                    d(day),
                )
                .await
                .map(|_| ())
                .or_else(|e| {
                    // Extending when all are done is refused; nothing else may fail.
                    if i > 0 && e.to_string().contains("没有") {
                        Ok(())
                    } else {
                        Err(e.to_string())
                    }
                })
            }));
        }
        for n in 0..3 {
            let (app, committee) = (app.clone(), committee.clone());
            jobs.push(tokio::spawn(async move {
                let dong = org(&app, &committee, "T002").await.unwrap();
                jiceng_app::inspections::record(
                    &app,
                    &committee
                        .grant::<jiceng_app::access::RecordInspections>()
                        .unwrap(),
                    &dong,
                    None,
                    &jiceng_domain::inspection::InspectionDraft {
                        on: Some(d("2026-12-05")),
                        inspectors: format!("督查{n}"),
                        methods: vec![jiceng_domain::inspection::Method::Records],
                        findings: "并发".into(),
                        problems: vec![],
                    },
                )
                .await
                .map(|_| ())
                .map_err(|e| e.to_string())
            }));
        }
        for j in jobs {
            let r = j.await.unwrap();
            assert!(
                r.is_ok() || r.as_ref().is_err_and(|e| e.contains("没有")),
                "{r:?}"
            );
        }
        // The kept counts are the targets' and the ledger's own, counted afresh.
        let kept = tasks::view(&app, &committee, issued.id, &home, false)
            .await
            .unwrap();
        assert_eq!((kept.counts.targets, kept.counts.done), (4, 4));
        let ledger = tasks::burden::ledger(&app, &home, "2026-12").await.unwrap();
        assert_eq!(ledger.totals.items, 4 + 3);
        let mut c = app.store().acquire().await.unwrap();
        for table in [
            "task_rollup",
            "burden_rolled",
            "burden_rollup",
            "burden_issuer",
            "burden_org",
        ] {
            sqlx::query(&format!("DELETE FROM {table}"))
                .execute(&mut *c)
                .await
                .unwrap();
        }
        drop(c);
        let afresh = tasks::view(&app, &committee, issued.id, &home, false)
            .await
            .unwrap();
        assert_eq!(afresh.counts, kept.counts);
        assert_eq!(children(&afresh), children(&kept));
        assert_eq!(
            tasks::burden::ledger(&app, &home, "2026-12").await.unwrap(),
            ledger
        );
    }
);
