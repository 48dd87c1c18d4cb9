//! 经费保障 on SQLite and PostgreSQL: the township's committee records its villages'
//! funding by kind and source; two villages fall below the standard of their domain and
//! are listed with their shortfall, a third has none recorded (未录入) until it does; 穷
//! and the rating's Funding indicator move as the hand computation says; the department
//! sets its own standard from a year on (who and when printed; a committee may not);
//! refusals name their field; a register imports all or nothing.

mod common;

use common::*;
use jiceng_app::access::{Actor, RecordFunding, Role, SetRules};
use jiceng_app::funding::{self, NewFunding};
use jiceng_app::import::ImportOptions;
use jiceng_app::AppError;
use jiceng_domain::funding::{FundingKind, FundingRules, FundingSource, FundingStandard};
use jiceng_domain::{Domain, SignalState};
use jiceng_store::contract_test;
use jiceng_store::testing::TestDb;

fn staff(org: &jiceng_app::OrgRecord, role: Role, name: &str) -> Actor {
    Actor::for_test(12, name, role).at(org.org.id, &org.path)
}

fn field(e: &AppError) -> &'static str {
    match e {
        AppError::MemberLife(r) => r.field,
        other => panic!("not a refusal with a field: {other}"),
    }
}

fn new(org: &str, kind: FundingKind, source: FundingSource, yuan: f64) -> NewFunding {
    NewFunding {
        org: org.into(),
        year: 2026,
        kind,
        source,
        yuan,
        note: String::new(),
    }
}

/// 穷's operating funding signal of an org: its state and evidence.
async fn poor(app: &jiceng_app::App, code: &str) -> (SignalState, String) {
    let org = sys_org(app, code).await;
    let d = jiceng_app::weak::diagnosis(app, &org, 2026).await.unwrap();
    let s = d
        .signals
        .into_iter()
        .find(|s| s.rule == "FundingBelowStandard")
        .unwrap();
    (s.state, s.evidence)
}

/// The rating's Funding indicator of an org: its score and evidence.
async fn funding_score(app: &jiceng_app::App, code: &str) -> (Option<f64>, String) {
    let org = sys_org(app, code).await;
    let r = jiceng_app::rating::org_rating(app, &org, 2026)
        .await
        .unwrap();
    let i = r
        .current
        .indicators
        .iter()
        .find(|i| i.code == "Funding")
        .unwrap();
    (i.score, i.evidence.clone())
}

contract_test!(
    funding_against_standards_lists_the_villages_below_and_moves_poverty_and_rating,
    |db: TestDb| async move {
        let app = on(&db, "2026-12-05");
        let dir = Dir::new("funding");
        load_township(&app, &dir, false).await;
        let township = sys_org(&app, "T001").await;
        let committee = staff(&township, Role::Committee, "zuzhi");
        let home = org(&app, &committee, "T001").await.unwrap();
        let rec = committee.grant::<RecordFunding>().unwrap();

        // Nothing recorded: 穷 and the indicator say 暂无数据, never 0; the three village
        // tops (东村, 西村党总支, 南村) are 未录入; 西村第一 is judged at its village.
        let (s, e) = poor(&app, "T002").await;
        assert_eq!(s, SignalState::NoData, "{e}");
        let (score, e) = funding_score(&app, "T002").await;
        assert_eq!(score, None, "{e}");
        let o = funding::overview(&app, &home, 2026).await.unwrap();
        assert_eq!((o.judged, o.below_count, o.missing_count), (3, 0, 3));
        let missing: Vec<&str> = o.missing.iter().map(|j| j.org.code.as_str()).collect();
        assert_eq!(missing, ["T002", "T006", "T003"]); // path order: 南村 lies under 东村

        // 东村: 60000 from 财政 and 20000 from 党费 = 80000 < 100000 (short 20000).
        // 西村党总支: 120000 from 财政. 南村: 50000 from 财政 (short 50000).
        // 东村's collective income 30000 (< 50000); 镇机关 a 党建工作经费 of 5000 (no
        // standard for 机关 in the shipped example).
        for n in [
            new(
                "T002",
                FundingKind::Operating,
                FundingSource::Finance,
                60_000.0,
            ),
            new(
                "T002",
                FundingKind::Operating,
                FundingSource::Dues,
                20_000.0,
            ),
            new(
                "T003",
                FundingKind::Operating,
                FundingSource::Finance,
                120_000.0,
            ),
            new(
                "T006",
                FundingKind::Operating,
                FundingSource::Finance,
                50_000.0,
            ),
            new(
                "T002",
                FundingKind::CollectiveIncome,
                FundingSource::Collective,
                30_000.0,
            ),
            new(
                "T005",
                FundingKind::PartyWork,
                FundingSource::Finance,
                5_000.0,
            ),
        ] {
            funding::record(&app, &rec, &home, &n).await.unwrap();
        }
        // A correction replaces the amount of its kind and source: 东村 财政 60000 again.
        funding::record(
            &app,
            &rec,
            &home,
            &new(
                "T002",
                FundingKind::Operating,
                FundingSource::Finance,
                60_000.0,
            ),
        )
        .await
        .unwrap();

        let o = funding::overview(&app, &home, 2026).await.unwrap();
        assert_eq!((o.judged, o.below_count, o.missing_count), (3, 2, 0));
        assert_eq!(o.shortfall, "70000.00");
        let below: Vec<(&str, Option<&str>, Option<&str>)> = o
            .below
            .iter()
            .map(|j| {
                (
                    j.org.code.as_str(),
                    j.operating.as_deref(),
                    j.shortfall.as_deref(),
                )
            })
            .collect();
        assert_eq!(
            below,
            [
                ("T002", Some("80000.00"), Some("20000.00")),
                ("T006", Some("50000.00"), Some("50000.00")),
            ]
        );
        let op = o
            .kinds
            .iter()
            .find(|k| k.kind == FundingKind::Operating)
            .unwrap();
        assert_eq!(op.total, 25_000_000);
        assert_eq!(op.by_source[0], 23_000_000); // 财政
        assert_eq!(op.by_source[1], 2_000_000); // 党费
        assert_eq!(o.received_total, 25_500_000); // + 镇机关's 5000
        assert_eq!(o.orgs_recorded, 4);
        assert_eq!(o.incomes.len(), 1);
        assert!(o.incomes[0].below);
        // The drill-down: 东村's subtree holds 南村 too (50000 + 80000).
        let east = o.children.iter().find(|c| c.org.code == "T002").unwrap();
        assert_eq!(east.operating, "130000.00");
        assert_eq!(east.collective, "30000.00");
        // The workbook: the two below standard on their sheet.
        let sheets = o.to_sheets();
        assert_eq!(sheets[1].name, "低于标准");
        assert_eq!(sheets[1].rows.len(), 2);

        // 穷 fires for 东村 and 南村, clear for 西村; the indicator scores v / standard.
        let (s, e) = poor(&app, "T002").await;
        assert_eq!(s, SignalState::Fired, "{e}");
        assert!(e.contains("低于标准"), "{e}");
        let (s, _) = poor(&app, "T006").await;
        assert_eq!(s, SignalState::Fired);
        let (s, e) = poor(&app, "T003").await;
        assert_eq!(s, SignalState::Clear, "{e}");
        assert_eq!(funding_score(&app, "T002").await.0, Some(80.0));
        assert_eq!(funding_score(&app, "T006").await.0, Some(50.0));
        assert_eq!(funding_score(&app, "T003").await.0, Some(100.0));

        // The department sets its own standard from 2026: 村 70000. A committee may not.
        assert!(committee.grant::<SetRules>().is_err());
        let dept = Actor::system();
        let set = dept.grant::<SetRules>().unwrap();
        let rules = FundingRules {
            standards: vec![FundingStandard {
                domain: Domain::Village,
                level: None,
                operating_yuan: 70_000.0,
                collective_income_yuan: Some(20_000.0),
            }],
            source: "某县村级组织运转经费保障办法".into(),
        };
        let s = funding::set_standards(&app, &set, 2026, rules.clone())
            .await
            .unwrap();
        assert!(s.origin().contains("组织部门设定"), "{}", s.origin());
        assert!(s.origin().contains("2026"), "{}", s.origin());
        // 2025 keeps the rule set's example.
        let before = funding::standards(&app, 2025).await.unwrap();
        assert!(before.set_by.is_none());
        assert_eq!(before.rules.standards[0].operating_yuan, 100_000.0);
        let o = funding::overview(&app, &home, 2026).await.unwrap();
        assert_eq!((o.below_count, o.shortfall.as_str()), (1, "20000.00"));
        assert_eq!(o.below[0].org.code, "T006");
        let (s, _) = poor(&app, "T002").await;
        assert_eq!(s, SignalState::Clear);
        assert_eq!(funding_score(&app, "T002").await.0, Some(100.0));
        // 50000 of 70000: 71.4.
        assert_eq!(funding_score(&app, "T006").await.0, Some(71.4));
        // Nonsense is refused on its field.
        let mut bad = rules.clone();
        bad.standards[0].operating_yuan = -1.0;
        let e = funding::set_standards(&app, &set, 2026, bad)
            .await
            .unwrap_err();
        assert_eq!(field(&e), "standards");

        // Refusals name their field.
        let e = funding::record(
            &app,
            &rec,
            &home,
            &new(
                "T005",
                FundingKind::CollectiveIncome,
                FundingSource::Collective,
                1.0,
            ),
        )
        .await
        .unwrap_err();
        assert_eq!(field(&e), "kind");
        let e = funding::record(
            &app,
            &rec,
            &home,
            &new("T002", FundingKind::Operating, FundingSource::Finance, -5.0),
        )
        .await
        .unwrap_err();
        assert_eq!(field(&e), "amount");
        let e = funding::record(
            &app,
            &rec,
            &home,
            &NewFunding {
                year: 2031,
                ..new("T002", FundingKind::Operating, FundingSource::Finance, 5.0)
            },
        )
        .await
        .unwrap_err();
        assert_eq!(field(&e), "year");
        // 东村's secretary sees only 东村 and 南村: 西村 is not found for it.
        let village = sys_org(&app, "T002").await;
        let east_committee = staff(&village, Role::Committee, "east");
        let east = org(&app, &east_committee, "T002").await.unwrap();
        let e = funding::record(
            &app,
            &east_committee.grant::<RecordFunding>().unwrap(),
            &east,
            &new("T003", FundingKind::Operating, FundingSource::Finance, 5.0),
        )
        .await
        .unwrap_err();
        assert_eq!(field(&e), "org");
        // A secretary may not record funding at all.
        assert!(staff(&village, Role::Secretary, "sec")
            .grant::<RecordFunding>()
            .is_err());

        // The audit log holds the records and the standard.
        let mut conn = app.store().acquire().await.unwrap();
        let n: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM audit_event WHERE code IN (89, 170)")
            .fetch_one(&mut *conn)
            .await
            .unwrap();
        assert_eq!(n, 8);
    }
);

contract_test!(
    a_funding_register_imports_all_or_nothing,
    |db: TestDb| async move {
        let app = on(&db, "2026-12-05");
        let dir = Dir::new("funding-import");
        load_township(&app, &dir, false).await;
        let township = sys_org(&app, "T001").await;
        let committee = staff(&township, Role::Committee, "zuzhi");
        let home = org(&app, &committee, "T001").await.unwrap();
        let opts = ImportOptions {
            org: Some(home.clone()),
            actor: committee.clone(),
            ..ImportOptions::default()
        };
        let header = [
            "组织名称或代码",
            "年度",
            "经费类型",
            "来源",
            "金额（元）",
            "备注",
        ];
        let row = |o: &str, k: &str, src: &str, amount: C| {
            Some(vec![s(o), C::N(2026.0), s(k), s(src), amount, s("第一批")])
        };
        let bad = dir.file("经费台账-错.xlsx");
        xlsx(
            &bad,
            "测试镇经费保障台账",
            &header,
            &[
                row("东村党支部", "运转经费", "财政", C::N(80_000.0)),
                row("T006", "运转经费", "拨款", C::N(50_000.0)),
                row("镇机关党支部", "村集体经济收入", "集体经济", C::N(10.0)),
                row("东村党支部", "运转经费", "财政", s("1万")),
            ],
        );
        let r =
            jiceng_app::import::funding::run(&app, &bad, &opts, &jiceng_app::import::NoProgress)
                .await
                .unwrap();
        assert!(!r.ok());
        assert_eq!(r.file, "经费台账-错.xlsx");
        let at: Vec<(usize, &str)> = r
            .errors
            .iter()
            .map(|e| (e.row, e.column.as_str()))
            .collect();
        assert_eq!(at.len(), 3, "{:?}", r.errors);
        assert!(
            r.errors[0].message.contains("无法识别的来源"),
            "{:?}",
            r.errors
        );
        assert!(
            r.errors[1].message.contains("不是村党组织"),
            "{:?}",
            r.errors
        );
        assert!(r.errors[2].message.contains("重复"), "{:?}", r.errors);
        assert_eq!(r.written, 0);
        let o = funding::overview(&app, &home, 2026).await.unwrap();
        assert_eq!(o.orgs_recorded, 0, "nothing written");

        let good = dir.file("经费台账.xlsx");
        xlsx(
            &good,
            "测试镇经费保障台账",
            &header,
            &[
                row("东村党支部", "运转经费", "财政", C::N(80_000.0)),
                row("T006", "运转经费", "财政", s("5万")),
                row("T003", "服务群众专项经费", "企业", C::N(12_345.6)),
            ],
        );
        let r =
            jiceng_app::import::funding::run(&app, &good, &opts, &jiceng_app::import::NoProgress)
                .await
                .unwrap();
        assert!(r.ok(), "{:?}", r.errors);
        assert_eq!(r.written, 3);
        let o = funding::overview(&app, &home, 2026).await.unwrap();
        assert_eq!((o.below_count, o.missing_count), (2, 1));
        let by: Vec<&str> = o.below.iter().map(|j| j.org.code.as_str()).collect();
        assert_eq!(by, ["T002", "T006"]);
        // Imported again: unchanged, nothing doubled.
        let r =
            jiceng_app::import::funding::run(&app, &good, &opts, &jiceng_app::import::NoProgress)
                .await
                .unwrap();
        assert_eq!((r.written, r.unchanged), (0, 3));
        let o = funding::overview(&app, &home, 2026).await.unwrap();
        assert_eq!(o.received_total, 14_234_560);
        // The template opens with the columns the import reads.
        let bytes = jiceng_app::import::template::workbook(
            "经费保障台账",
            &jiceng_app::import::funding::COLUMNS,
        )
        .unwrap();
        assert!(bytes.len() > 1000);
    }
);
