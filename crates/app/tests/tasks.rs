//! 任务部署 and 减负 on SQLite and PostgreSQL: the township issues a task to its village
//! branches, whose form asks one figure the system holds (answered by it, never asked),
//! one it holds but asks anyway, and two new ones; targets report, one goes overdue, a
//! general branch passes a task down, the issuer reminds and extends; the completion, the
//! burden ledger (a village over its ceiling) and the refusals are checked against a
//! hand count.

mod common;

use common::*;
use jiceng_app::access::{Actor, IssueTasks, ReportTasks, Role, SetRules};
use jiceng_app::import::{task_outcomes, ImportOptions, NoProgress};
use jiceng_app::tasks::{self, burden, files, Draft, Report, TargetFilter};
use jiceng_app::AppError;
use jiceng_domain::task::{AnswerKind, FieldDraft, FieldSource, HeldFigure, Load, TargetStatus};
use jiceng_domain::{Domain, OrgKind};
use jiceng_io::{OutCell, Sheet};
use jiceng_store::testing::TestDb;
use jiceng_store::{contract_test, Scope};
use std::path::PathBuf;

fn field(label: &str, kind: AnswerKind) -> FieldDraft {
    FieldDraft {
        label: label.into(),
        kind: Some(kind),
        held: None,
        ask_anyway: false,
    }
}

/// The township's task to its village branches (东村 T002, 西村第一 T004, 南村 T006).
fn village_task(deadline: &str) -> Draft {
    Draft {
        title: "党员队伍情况摸底".into(),
        content: "请各村党支部报送本支部党员队伍情况和主题党日开展情况。".into(),
        deadline: Some(d(deadline)),
        fields: vec![
            field("正式党员人数", AnswerKind::Number),
            FieldDraft {
                label: "预备党员数".into(),
                kind: Some(AnswerKind::Number),
                held: None,
                ask_anyway: true,
            },
            field("主题党日开展次数", AnswerKind::Number),
            field("存在问题", AnswerKind::Text),
        ],
        filter: TargetFilter {
            kinds: vec![OrgKind::Branch],
            domains: vec![Domain::Village],
            under: None,
            weak_only: false,
        },
    }
}

fn staff(org: &jiceng_app::OrgRecord, role: Role, name: &str) -> Actor {
    Actor::for_test(11, name, role).at(org.org.id, &org.path)
}

async fn full_of(app: &jiceng_app::App, code: &str) -> i64 {
    app.resolve_org(&Scope::All, code)
        .await
        .unwrap()
        .facts
        .subtree_full
}

contract_test!(
    a_task_reaches_the_villages_and_its_completion_and_burden_add_up,
    |db: TestDb| async move {
        let app = on(&db, "2026-12-05");
        let dir = Dir::new("tasks");
        load_township(&app, &dir, false).await;
        let township = sys_org(&app, "T001").await;
        let committee = staff(&township, Role::Committee, "zuzhi");
        let home = org(&app, &committee, "T001").await.unwrap();
        let issue = committee.grant::<IssueTasks>().unwrap();

        // The preview: three village branches; the form as it will be sent.
        let p = tasks::preview(&app, &issue, &home, &village_task("2026-12-20"))
            .await
            .unwrap();
        assert_eq!(p.count, 3);
        let mut codes: Vec<&str> = p.sample.iter().map(|(o, _)| o.code.as_str()).collect();
        codes.sort();
        assert_eq!(codes, ["T002", "T004", "T006"]);
        assert_eq!(
            p.fields.iter().map(|f| f.source).collect::<Vec<_>>(),
            [
                FieldSource::Held(HeldFigure::FullMembers),
                FieldSource::AskedHeld(HeldFigure::ProbationaryMembers),
                FieldSource::Asked(AnswerKind::Number),
                FieldSource::Asked(AnswerKind::Text),
            ]
        );
        assert_eq!(
            (
                p.questions.asked,
                p.questions.answered,
                p.questions.asked_held
            ),
            (3, 1, 1)
        );
        assert_eq!((p.at_ceiling, p.would_exceed), (0, 0));

        // Refusals name their field; nothing is written.
        let mut late = village_task("2026-12-01");
        let e = tasks::issue(&app, &issue, &home, &late, None)
            .await
            .unwrap_err();
        assert!(
            matches!(&e, AppError::MemberLife(r) if r.field == "deadline"),
            "{e}"
        );
        late.deadline = Some(d("2026-12-20"));
        late.filter.domains = vec![Domain::Street];
        let e = tasks::issue(&app, &issue, &home, &late, None)
            .await
            .unwrap_err();
        assert!(
            matches!(&e, AppError::MemberLife(r) if r.field == "targets"),
            "{e}"
        );
        assert!(tasks::list(&app, &home).await.unwrap().issued.is_empty());
        // A secretary may not issue.
        let dongcun = sys_org(&app, "T002").await;
        let sec = staff(&dongcun, Role::Secretary, "sec-T002");
        assert!(matches!(
            sec.grant::<IssueTasks>(),
            Err(AppError::Forbidden)
        ));

        let t1 = tasks::issue(&app, &issue, &home, &village_task("2026-12-20"), None)
            .await
            .unwrap();
        assert_eq!(t1.targets, 3);

        // 东村 reports done; a done report needs every asked field.
        let sec_home = org(&app, &sec, "T002").await.unwrap();
        let report = sec.grant::<ReportTasks>().unwrap();
        let mut r = Report {
            done: true,
            progress: "已完成摸底".into(),
            answers: vec!["".into(), "2".into(), "".into(), "无".into()],
            evidence: "摸底表已存档".into(),
        };
        let e = tasks::report(&app, &report, &sec_home, t1.id, &r)
            .await
            .unwrap_err();
        assert!(
            matches!(&e, AppError::MemberLife(r) if r.field == "answers"),
            "{e}"
        );
        r.answers[2] = "1".into();
        tasks::report(&app, &report, &sec_home, t1.id, &r)
            .await
            .unwrap();
        // 西村第一 reports progress only.
        let xicun = sys_org(&app, "T004").await;
        let sec4 = staff(&xicun, Role::Secretary, "sec-T004");
        let sec4_home = org(&app, &sec4, "T004").await.unwrap();
        let progress = Report {
            done: false,
            progress: "正在统计".into(),
            ..Report::default()
        };
        tasks::report(&app, &sec4.grant().unwrap(), &sec4_home, t1.id, &progress)
            .await
            .unwrap();
        // 镇机关 is no target: not found.
        let jiguan = sys_org(&app, "T005").await;
        let sec5 = staff(&jiguan, Role::Secretary, "sec-T005");
        let sec5_home = org(&app, &sec5, "T005").await.unwrap();
        let e = tasks::report(&app, &sec5.grant().unwrap(), &sec5_home, t1.id, &progress)
            .await
            .unwrap_err();
        assert!(matches!(e, AppError::NotFound(_)), "{e}");
        assert!(matches!(
            tasks::view(&app, &sec5, t1.id, &sec5_home, false).await,
            Err(AppError::NotFound(_))
        ));

        // Seen from the township after the deadline: 1 done, 2 overdue; by child org
        // 东村 (itself and 南村 below it) and 西村党总支.
        let later = on(&db, "2026-12-21");
        let v = tasks::view(&later, &committee, t1.id, &home, false)
            .await
            .unwrap();
        assert_eq!(
            (v.counts.targets, v.counts.done, v.counts.overdue),
            (3, 1, 2)
        );
        let by: Vec<(String, i64, i64)> = v
            .children
            .iter()
            .map(|c| (c.name.clone(), c.counts.targets, c.counts.done))
            .collect();
        assert_eq!(
            by,
            [("东村党支部".into(), 2, 1), ("西村党总支".into(), 1, 0)]
        );
        let dong = v.lines.iter().find(|l| l.org.code == "T002").unwrap();
        assert_eq!(dong.status, TargetStatus::Done);
        assert_eq!(
            dong.answers[0].text,
            full_of(&app, "T002").await.to_string()
        );
        assert!(dong.answers[0].by_system);
        assert_eq!(
            dong.answers
                .iter()
                .skip(1)
                .map(|a| a.text.as_str())
                .collect::<Vec<_>>(),
            ["2", "1", "无"]
        );
        let xi = v.lines.iter().find(|l| l.org.code == "T004").unwrap();
        assert_eq!(
            (xi.status, xi.progress.as_str()),
            (TargetStatus::Overdue, "正在统计")
        );
        // 东村's secretary sees its own subtree's lines only (itself and 南村).
        let own = tasks::view(&later, &sec, t1.id, &sec_home, false)
            .await
            .unwrap();
        assert_eq!(own.counts.targets, 2);
        assert!(own.own.is_some() && !own.at_issuer);
        // The export holds every line, the held column marked.
        let sheets = v.to_sheets();
        assert_eq!(sheets[0].rows.len(), 3);
        assert!(sheets[0]
            .headers
            .contains(&"正式党员人数（系统填写）".to_string()));

        // Reminding reaches the two open targets once a day; their home says so.
        let urged = tasks::remind(&later, &issue, &home, t1.id).await.unwrap();
        assert_eq!((urged.done, urged.already), (2, 0));
        let again = tasks::remind(&later, &issue, &home, t1.id).await.unwrap();
        assert_eq!((again.done, again.already), (0, 2));
        let nancun = sys_org(&app, "T006").await;
        let sec6 = staff(&nancun, Role::Secretary, "sec-T006");
        let sec6_home = org(&later, &sec6, "T006").await.unwrap();
        let rem = jiceng_app::reminders::of(&later, &sec6, &sec6_home)
            .await
            .unwrap();
        let task_rem = rem
            .iter()
            .find(|r| r.kind == jiceng_app::reminders::ReminderKind::Tasks)
            .expect("a task reminder");
        assert!(task_rem.overdue && task_rem.count == 1, "{task_rem:?}");
        assert!(rem.iter().any(|r| r.text.contains("党员队伍情况摸底")));
        // Extending 南村 alone: open again; an earlier day than today is refused.
        let e = tasks::extend(&later, &issue, &home, t1.id, None, d("2026-12-20"))
            .await
            .unwrap_err();
        assert!(
            matches!(&e, AppError::MemberLife(r) if r.field == "deadline"),
            "{e}"
        );
        let moved = tasks::extend(
            &later,
            &issue,
            &home,
            t1.id,
            Some(&[nancun.org.id]),
            d("2026-12-31"),
        )
        .await
        .unwrap();
        assert_eq!(moved.done, 1);
        let v = tasks::view(&later, &committee, t1.id, &home, false)
            .await
            .unwrap();
        assert_eq!((v.counts.done, v.counts.overdue), (1, 1));

        // A task to the general branch, passed down to its branch; the chain is kept.
        let xizong = sys_org(&app, "T003").await;
        let mut to_general = village_task("2026-12-25");
        to_general.title = "冬季党员培训安排".into();
        to_general.fields = vec![field("参训人数", AnswerKind::Number)];
        to_general.filter.kinds = vec![OrgKind::GeneralBranch];
        let t2 = tasks::issue(&app, &issue, &home, &to_general, None)
            .await
            .unwrap();
        assert_eq!(t2.targets, 1);
        let gen_staff = staff(&xizong, Role::Committee, "zongzhi");
        let gen_home = org(&app, &gen_staff, "T003").await.unwrap();
        let (parent, mut down) = tasks::pass_down_draft(&app, &gen_home, t2.id)
            .await
            .unwrap();
        assert_eq!((parent.id, down.deadline), (t2.id, Some(d("2026-12-25"))));
        down.deadline = Some(d("2026-12-28"));
        let gen_grant = gen_staff.grant::<IssueTasks>().unwrap();
        let e = tasks::issue(&app, &gen_grant, &gen_home, &down, Some(t2.id))
            .await
            .unwrap_err();
        assert!(
            matches!(&e, AppError::MemberLife(r) if r.field == "deadline"),
            "{e}"
        );
        down.deadline = Some(d("2026-12-22"));
        let t3 = tasks::issue(&app, &gen_grant, &gen_home, &down, Some(t2.id))
            .await
            .unwrap();
        assert_eq!(t3.targets, 1);
        let v2 = tasks::view(&app, &committee, t2.id, &home, false)
            .await
            .unwrap();
        assert_eq!(v2.passed.iter().map(|t| t.id).collect::<Vec<_>>(), [t3.id]);
        assert_eq!(v2.lines[0].passed_to, Some(t3.id));
        let v3 = tasks::view(&app, &committee, t3.id, &home, false)
            .await
            .unwrap();
        assert_eq!(v3.parent.as_ref().map(|t| t.id), Some(t2.id));
        assert!(
            tasks::issue(&app, &gen_grant, &gen_home, &down, Some(t2.id))
                .await
                .is_err(),
            "passed down once"
        );

        // The ledger of December: 西村第一 received two (from the township and from its
        // general branch), the others one each.
        let ledger = burden::ledger(&app, &home, "2026-12").await.unwrap();
        assert_eq!(ledger.totals.items, 5);
        // Questions: task 1 asked 3 of each of its 3 targets (1 answered by the system,
        // 1 held but asked), task 2 one, task 3 one.
        assert_eq!(
            (
                ledger.totals.questions,
                ledger.totals.answered,
                ledger.totals.asked_held
            ),
            (11, 3, 3)
        );
        let xi_line = ledger
            .heaviest
            .iter()
            .find(|l| l.org.code == "T004")
            .unwrap();
        assert_eq!((xi_line.sums.items, xi_line.issuers), (2, 2));
        assert_eq!(xi_line.load, Load::Under);
        // The department lowers the villages' ceiling to 1: 西村第一 is over it, and a new
        // task to the villages finds all three at it.
        let dept_grant = dept().grant::<SetRules>().unwrap();
        burden::set_ceilings(&app, &dept_grant, 1, 8, 6)
            .await
            .unwrap();
        let ledger = burden::ledger(&app, &home, "2026-12").await.unwrap();
        assert_eq!(ledger.over, 1);
        assert_eq!(ledger.heaviest[0].org.code, "T004");
        assert_eq!(ledger.heaviest[0].load, Load::Over);
        let p = tasks::preview(&app, &issue, &home, &village_task("2026-12-30"))
            .await
            .unwrap();
        assert_eq!((p.count, p.at_ceiling, p.would_exceed), (3, 3, 3));
        assert!(burden::set_ceilings(&app, &dept_grant, 0, 8, 6)
            .await
            .is_err());
        // Another month is empty.
        assert_eq!(
            burden::ledger(&app, &home, "2026-11")
                .await
                .unwrap()
                .totals
                .items,
            0
        );

        // The rating's 重点任务完成 on 12-21: 东村 did its one task on time; 西村第一 let the
        // township's pass its deadline and its general branch's is not yet due; 南村's
        // deadline was extended, so nothing of it is judged yet.
        let indicator = |code: &'static str| {
            let app = later.clone();
            async move {
                let org = sys_org(&app, code).await;
                let r = jiceng_app::rating::org_rating(&app, &org, 2026)
                    .await
                    .unwrap();
                r.current
                    .indicators
                    .into_iter()
                    .find(|i| i.code == "TaskCompletion")
                    .unwrap()
            }
        };
        let dong = indicator("T002").await;
        assert_eq!(dong.score, Some(100.0), "{}", dong.evidence);
        let xi = indicator("T004").await;
        assert_eq!(xi.score, Some(0.0), "{}", xi.evidence);
        assert!(
            xi.evidence.contains("逾期未完成1项") && xi.evidence.contains("另有1项未到期"),
            "{}",
            xi.evidence
        );
        let nan = indicator("T006").await;
        assert_eq!(nan.score, None, "{}", nan.evidence);
        assert!(nan.evidence.contains("1项任务尚未到期"), "{}", nan.evidence);

        // The lists: the township issued two, 西村党总支 received one and issued one.
        let l = tasks::list(&app, &gen_home).await.unwrap();
        assert_eq!((l.issued.len(), l.received.len()), (1, 1));
        let l = tasks::list(&app, &home).await.unwrap();
        assert_eq!((l.issued.len(), l.below.len()), (2, 1));
        let actions: Vec<String> = audit_log(&app)
            .await
            .into_iter()
            .map(|e| e.action)
            .filter(|a| a.starts_with("task") || a.starts_with("burden"))
            .collect();
        assert_eq!(
            actions.iter().filter(|a| *a == "task_issue").count(),
            3,
            "{actions:?}"
        );
        assert!(actions.contains(&"burden_ceiling".to_string()));
    }
);

/// A workbook of outcomes as a target fills it, written by the project's own writer.
fn outcomes_file(dir: &Dir, name: &str, headers: &[&str], rows: Vec<Vec<OutCell>>) -> PathBuf {
    let path = dir.file(name);
    jiceng_io::write_workbook(
        &path,
        &[Sheet {
            name: "完成情况".into(),
            title: "任务完成情况".into(),
            headers: headers.iter().map(|h| h.to_string()).collect(),
            rows,
        }],
    )
    .unwrap();
    path
}

fn t(s: &str) -> OutCell {
    if s.is_empty() {
        OutCell::Empty
    } else {
        OutCell::Text(s.into())
    }
}

const VILLAGE_HEADER: [&str; 8] = [
    "党组织代码",
    "党组织名称",
    "预备党员数",
    "主题党日开展次数",
    "存在问题",
    "进展情况",
    "佐证材料",
    "是否完成",
];

contract_test!(
    a_task_s_outcomes_are_imported_from_the_workbook_the_targets_filled,
    |db: TestDb| async move {
        let app = on(&db, "2026-12-05");
        let dir = Dir::new("task-outcomes");
        load_township(&app, &dir, false).await;
        let township = sys_org(&app, "T001").await;
        let committee = staff(&township, Role::Committee, "zuzhi");
        let home = org(&app, &committee, "T001").await.unwrap();
        let issue = committee.grant::<IssueTasks>().unwrap();
        let t1 = tasks::issue(&app, &issue, &home, &village_task("2026-12-20"), None)
            .await
            .unwrap();
        // 西村第一 reported progress itself before the workbook came back.
        let xicun = sys_org(&app, "T004").await;
        let sec4 = staff(&xicun, Role::Secretary, "sec-T004");
        let sec4_home = org(&app, &sec4, "T004").await.unwrap();
        let early = Report {
            done: false,
            progress: "正在统计".into(),
            ..Report::default()
        };
        tasks::report(&app, &sec4.grant().unwrap(), &sec4_home, t1.id, &early)
            .await
            .unwrap();

        // The template: a row per target, the asked items only (never the held figure),
        // 西村第一's progress already in it.
        let (name, bytes) = task_outcomes::template(&app, &issue, &home, t1.id)
            .await
            .unwrap();
        assert!(name.ends_with("完成情况导入模板.xlsx"), "{name}");
        let tpl = dir.file("模板.xlsx");
        std::fs::write(&tpl, bytes).unwrap();
        let grid = jiceng_io::read_grid(&tpl).unwrap();
        let header: Vec<String> = grid.rows[1]
            .cells
            .iter()
            .map(|c| match c {
                jiceng_io::Cell::Text(t) => t.clone(),
                _ => String::new(),
            })
            .collect();
        assert_eq!(header, VILLAGE_HEADER);
        assert_eq!(grid.rows.len(), 2 + 3);
        let t004 = grid
            .rows
            .iter()
            .find(|r| r.cells[0] == jiceng_io::Cell::Text("T004".into()))
            .unwrap();
        assert_eq!(t004.cells[5], jiceng_io::Cell::Text("正在统计".into()));
        assert_eq!(t004.cells[7], jiceng_io::Cell::Text("否".into()));

        // The filled workbook: 东村 done (numbers as numbers and as text), 西村第一 more
        // progress, 南村 nothing yet.
        let good = outcomes_file(
            &dir,
            "完成情况.xlsx",
            &VILLAGE_HEADER,
            vec![
                vec![
                    t("T002"),
                    t("东村党支部"),
                    OutCell::Int(2),
                    t("1.5"),
                    t("无"),
                    t("已完成摸底"),
                    t("摸底表已存档"),
                    t("是"),
                ],
                vec![
                    t(""),
                    t("西村第一党支部"),
                    t(""),
                    OutCell::Int(1),
                    t(""),
                    t("已统计一半"),
                    t(""),
                    t("否"),
                ],
                vec![
                    t("T006"),
                    t("南村党支部"),
                    t(""),
                    t(""),
                    t(""),
                    t(""),
                    t(""),
                    t(""),
                ],
            ],
        );
        let opts = ImportOptions {
            org: Some(home.clone()),
            actor: committee.clone(),
            ..ImportOptions::default()
        };
        // A secretary may not import for the targets.
        let sec_opts = ImportOptions {
            org: Some(sec4_home.clone()),
            actor: sec4.clone(),
            ..ImportOptions::default()
        };
        assert!(matches!(
            task_outcomes::run(&app, &good, t1.id, &sec_opts, &NoProgress).await,
            Err(AppError::Forbidden)
        ));
        let r = task_outcomes::run(&app, &good, t1.id, &opts, &NoProgress)
            .await
            .unwrap();
        assert!(r.ok(), "{:#?}", r.errors);
        assert_eq!(
            (r.rows, r.valid, r.written, r.unchanged, r.blank),
            (3, 3, 2, 0, 1)
        );
        let v = tasks::view(&app, &committee, t1.id, &home, false)
            .await
            .unwrap();
        assert_eq!((v.counts.targets, v.counts.done), (3, 1));
        let line = |code: &str| v.lines.iter().find(|l| l.org.code == code).unwrap();
        let dong = line("T002");
        assert_eq!(dong.status, TargetStatus::Done);
        assert_eq!(
            dong.answers
                .iter()
                .skip(1)
                .map(|a| a.text.as_str())
                .collect::<Vec<_>>(),
            ["2", "1.5", "无"]
        );
        assert_eq!(
            (dong.evidence.as_str(), dong.reported_by.as_deref()),
            ("摸底表已存档", Some("zuzhi"))
        );
        assert_eq!(line("T004").progress, "已统计一半");
        assert_eq!(line("T004").answers[2].text, "1");
        assert!(line("T006").reported_by.is_none());
        // Each row is audited as its target's report, the file once as an import.
        let log = audit_log(&app).await;
        let by = |actor: &str, action: &str| {
            log.iter()
                .filter(|e| e.actor == actor && e.action == action)
                .count()
        };
        assert_eq!((by("zuzhi", "task_report"), by("zuzhi", "import")), (2, 1));
        assert_eq!(by("sec-T004", "task_report"), 1);

        // The same workbook again changes nothing.
        let again = task_outcomes::run(&app, &good, t1.id, &opts, &NoProgress)
            .await
            .unwrap();
        assert_eq!((again.written, again.unchanged, again.blank), (0, 2, 1));

        // A workbook with bad rows: every error listed by row and column, nothing written.
        let bad = outcomes_file(
            &dir,
            "有误.xlsx",
            &VILLAGE_HEADER,
            vec![
                // Not a number, and a number with three decimals.
                vec![
                    t("T002"),
                    t("东村党支部"),
                    t("两个"),
                    OutCell::Float(1.234),
                    t(""),
                    t("改了"),
                    t(""),
                    t("否"),
                ],
                // Done, with items empty.
                vec![
                    t("T004"),
                    t(""),
                    t("1"),
                    t(""),
                    t(""),
                    t("完成"),
                    t(""),
                    t("是"),
                ],
                // Not 是/否.
                vec![
                    t("T006"),
                    t(""),
                    t(""),
                    t(""),
                    t(""),
                    t("进行中"),
                    t(""),
                    t("完成了"),
                ],
                // Not a target; unknown; 东村 again; a code and a name that disagree.
                vec![t("T005"), t(""), t(""), t(""), t(""), t("无"), t(""), t("")],
                vec![t("X999"), t(""), t(""), t(""), t(""), t("无"), t(""), t("")],
                vec![t("T002"), t(""), t(""), t(""), t(""), t("无"), t(""), t("")],
                vec![
                    t("T006"),
                    t("东村党支部"),
                    t(""),
                    t(""),
                    t(""),
                    t("无"),
                    t(""),
                    t(""),
                ],
            ],
        );
        let r = task_outcomes::run(&app, &bad, t1.id, &opts, &NoProgress)
            .await
            .unwrap();
        assert_eq!(r.file, "有误.xlsx");
        assert_errors(
            &r,
            &[
                (3, "主题党日开展次数"),
                (3, "预备党员数"),
                (4, "主题党日开展次数"),
                (4, "存在问题"),
                (5, "是否完成"),
                (6, "党组织代码"),
                (7, "党组织代码"),
                (8, "党组织代码"),
                (9, "党组织代码"),
                (9, "党组织名称"),
            ],
            &[
                (0, "最多两位小数"),
                (1, "“两个”"),
                (2, "请填写“主题党日开展次数”"),
                (4, "应填“是”或“否”"),
                (5, "不是本任务的任务对象"),
                (6, "找不到党组织"),
                (7, "已在第3行填写"),
                (8, "已在第5行填写"),
                (9, "与所填名称“东村党支部”不符"),
            ],
        );
        assert_eq!(r.written, 0);
        let after = tasks::view(&app, &committee, t1.id, &home, false)
            .await
            .unwrap();
        assert_eq!(after.lines, v.lines, "nothing written");

        // 西村党总支 issues its own task to its branch: the township's orgs are outside its
        // subtree (not found), and the township may not import a task it did not issue.
        let xizong = sys_org(&app, "T003").await;
        let gen_staff = staff(&xizong, Role::Committee, "zongzhi");
        let gen_home = org(&app, &gen_staff, "T003").await.unwrap();
        let mut own = village_task("2026-12-25");
        own.title = "支部台账检查".into();
        let t2 = tasks::issue(
            &app,
            &gen_staff.grant::<IssueTasks>().unwrap(),
            &gen_home,
            &own,
            None,
        )
        .await
        .unwrap();
        assert_eq!(t2.targets, 1);
        let gen_opts = ImportOptions {
            org: Some(gen_home.clone()),
            actor: gen_staff.clone(),
            ..ImportOptions::default()
        };
        let r = task_outcomes::run(&app, &good, t2.id, &gen_opts, &NoProgress)
            .await
            .unwrap();
        // 西村第一's row is right, but nothing is written while another row is wrong.
        assert_errors(&r, &[(3, "党组织代码")], &[(0, "找不到党组织“T002”")]);
        assert_eq!((r.valid, r.written, r.blank), (2, 0, 1));
        let v2 = tasks::view(&app, &gen_staff, t2.id, &gen_home, false)
            .await
            .unwrap();
        assert!(v2.lines.iter().all(|l| l.reported_by.is_none()));
        assert!(matches!(
            task_outcomes::run(&app, &good, t2.id, &opts, &NoProgress).await,
            Err(AppError::NotFound(_))
        ));
        assert!(matches!(
            task_outcomes::template(&app, &issue, &home, t2.id).await,
            Err(AppError::NotFound(_))
        ));
    }
);

// A file as a task's outcome, on SQLite and PostgreSQL: the township asks its village
// branches for a count and a scanned roster; a branch cannot report done before it has
// uploaded the file, is refused a file that is no photo, PDF or document, uploads one,
// replaces it, reports done; the township sees and opens the file, a sibling village
// cannot; the workbook import has no column for the file and refuses a line marked done
// without one.
fn roster_task() -> Draft {
    Draft {
        title: "报送党员名册".into(),
        content: "请各村党支部上传盖章的党员名册扫描件。".into(),
        deadline: Some(d("2026-12-20")),
        fields: vec![
            field("走访党员户数", AnswerKind::Number),
            field("党员名册（盖章扫描件）", AnswerKind::File),
        ],
        filter: TargetFilter {
            kinds: vec![OrgKind::Branch],
            domains: vec![Domain::Village],
            under: None,
            weak_only: false,
        },
    }
}

const PDF: &[u8] = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n";

contract_test!(
    a_task_s_file_is_uploaded_by_the_target_and_read_by_the_issuer,
    |db: TestDb| async move {
        let app = on(&db, "2026-12-05");
        let dir = Dir::new("task-files");
        load_township(&app, &dir, false).await;
        let township = sys_org(&app, "T001").await;
        let committee = staff(&township, Role::Committee, "zuzhi");
        let home = org(&app, &committee, "T001").await.unwrap();
        let issue = committee.grant::<IssueTasks>().unwrap();
        let t = tasks::issue(&app, &issue, &home, &roster_task(), None)
            .await
            .unwrap();

        let dongcun = sys_org(&app, "T002").await;
        let sec = staff(&dongcun, Role::Secretary, "sec-T002");
        let sec_home = org(&app, &sec, "T002").await.unwrap();
        let grant = sec.grant::<ReportTasks>().unwrap();
        let done = Report {
            done: true,
            answers: vec!["12".into(), "我没有上传".into()],
            ..Report::default()
        };
        // Done needs the file; a typed answer for it is not taken.
        let e = tasks::report(&app, &grant, &sec_home, t.id, &done)
            .await
            .unwrap_err();
        assert_eq!(e.to_string(), "请上传“党员名册（盖章扫描件）”");

        // Refusals: a field that asks for no file, an empty file, a file of another kind.
        let refused = |r: Result<jiceng_app::kept_file::RecordFile, AppError>| match r {
            Err(AppError::MemberLife(r)) => (r.field, r.message),
            other => panic!("{other:?}"),
        };
        let (f, m) =
            refused(files::upload(&app, &grant, &sec_home, t.id, Some(0), "a.pdf", PDF).await);
        assert_eq!((f, m.as_str()), ("file", "“走访党员户数”不需要上传文件"));
        let (_, m) =
            refused(files::upload(&app, &grant, &sec_home, t.id, Some(1), "a.pdf", b"").await);
        assert!(m.contains("是空的"), "{m}");
        let (_, m) = refused(
            files::upload(
                &app,
                &grant,
                &sec_home,
                t.id,
                Some(1),
                "名册.pdf",
                b"MZ\x90\x00 not a pdf",
            )
            .await,
        );
        assert!(m.contains("不是照片（JPG、PNG）、PDF"), "{m}");
        let big = vec![b'%'; files::FILE_MAX + 1];
        let (_, m) =
            refused(files::upload(&app, &grant, &sec_home, t.id, Some(1), "大.pdf", &big).await);
        assert!(m.contains("超过10.0 MB的上限"), "{m}");
        assert!(files::of_task(&app, &home, t.id).await.unwrap().is_empty());

        // The upload (a path in the name is dropped), then a replacement.
        let first = files::upload(
            &app,
            &grant,
            &sec_home,
            t.id,
            Some(1),
            "C:\\扫描\\名册-初稿.pdf",
            PDF,
        )
        .await
        .unwrap();
        assert_eq!(
            (first.name.as_str(), first.size),
            ("名册-初稿.pdf", PDF.len() as i64)
        );
        let mut second = PDF.to_vec();
        second.extend_from_slice(b"% signed\n");
        files::upload(&app, &grant, &sec_home, t.id, Some(1), "名册.pdf", &second)
            .await
            .unwrap();
        let kept = files::of_task(&app, &home, t.id).await.unwrap();
        assert_eq!(kept.len(), 1, "one file per target and field: {kept:?}");
        assert_eq!(kept[0].name, "名册.pdf");
        // An upload is not a report of done.
        let v = tasks::view(&app, &committee, t.id, &home, false)
            .await
            .unwrap();
        assert_eq!(v.counts.done, 0);

        tasks::report(&app, &grant, &sec_home, t.id, &done)
            .await
            .unwrap();
        let v = tasks::view(&app, &committee, t.id, &home, false)
            .await
            .unwrap();
        let line = v.lines.iter().find(|l| l.org.code == "T002").unwrap();
        assert_eq!(line.status, TargetStatus::Done);
        assert_eq!(line.answers[0].text, "12");
        assert_eq!(
            (line.answers[1].text.as_str(), line.answers[1].file),
            ("名册.pdf", Some(kept[0].id))
        );
        assert_eq!(line.answers[0].file, None);
        // The export names the file.
        let sheets = tasks::view(&app, &committee, t.id, &home, true)
            .await
            .unwrap()
            .to_sheets();
        assert!(
            sheets[0]
                .rows
                .iter()
                .any(|r| r.contains(&OutCell::Text("名册.pdf".into()))),
            "{:?}",
            sheets[0].rows
        );

        // The township opens it; 东村 itself too; 西村第一 (a sibling) cannot reach 东村.
        let fid = kept[0].id;
        let (f, bytes) = files::open(&app, &committee, t.id, fid).await.unwrap();
        assert_eq!(
            (f.content_type.as_str(), bytes),
            ("application/pdf", second)
        );
        assert!(files::open(&app, &sec, t.id, fid).await.is_ok());
        // The file under another task's id is not found.
        assert!(matches!(
            files::open(&app, &committee, t.id + 1, fid).await,
            Err(AppError::NotFound(_))
        ));
        let xicun = sys_org(&app, "T004").await;
        let sec4 = staff(&xicun, Role::Secretary, "sec-T004");
        assert!(matches!(
            files::open(&app, &sec4, t.id, fid).await,
            Err(AppError::NotFound(_))
        ));

        // The upload is audited with the file's name, never its bytes.
        let log = audit_log(&app).await;
        let uploads: Vec<_> = log.iter().filter(|e| e.action == "task_file").collect();
        assert_eq!(uploads.len(), 2);
        assert!(uploads.iter().all(|e| e.actor == "sec-T002"));

        // The import's template has no column for the file; a line marked done without
        // its file is refused on 是否完成, with the reason.
        let (_, tpl) = task_outcomes::template(&app, &issue, &home, t.id)
            .await
            .unwrap();
        let tpl_path = dir.file("模板.xlsx");
        std::fs::write(&tpl_path, tpl).unwrap();
        let grid = jiceng_io::read_grid(&tpl_path).unwrap();
        let header: Vec<String> = grid.rows[1]
            .cells
            .iter()
            .map(|c| match c {
                jiceng_io::Cell::Text(t) => t.clone(),
                _ => String::new(),
            })
            .collect();
        assert_eq!(
            header,
            [
                "党组织代码",
                "党组织名称",
                "走访党员户数",
                "进展情况",
                "佐证材料",
                "是否完成"
            ]
        );
        let filled = dir.file("完成情况.xlsx");
        jiceng_io::write_workbook(
            &filled,
            &[Sheet {
                name: "完成情况".into(),
                title: "任务完成情况".into(),
                headers: header.clone(),
                rows: vec![vec![
                    OutCell::Text("T004".into()),
                    OutCell::Empty,
                    OutCell::Int(8),
                    OutCell::Text("已走访".into()),
                    OutCell::Empty,
                    OutCell::Text("是".into()),
                ]],
            }],
        )
        .unwrap();
        let opts = ImportOptions {
            org: Some(home.clone()),
            actor: committee.clone(),
            ..ImportOptions::default()
        };
        let r = task_outcomes::run(&app, &filled, t.id, &opts, &NoProgress)
            .await
            .unwrap();
        assert!(!r.ok());
        assert_eq!(r.errors.len(), 1, "{:#?}", r.errors);
        assert_eq!(r.errors[0].column, "是否完成");
        assert_eq!(r.errors[0].message, "请上传“党员名册（盖章扫描件）”");
        assert_eq!(r.written, 0);
    }
);
