//! Rating, weak orgs and rectification (SPEC C5) on the township of the fixtures, on SQLite
//! and PostgreSQL: a township loaded from spreadsheets as a new user would, made healthy
//! (secretaries, a year of organizational life with the masses, recent recruits), then
//! with weaknesses planted:
//!
//! | org | planted | expected |
//! |---|---|---|
//! | 镇机关党支部 T005 | secretary left on 2026-08-10 (4 months) | 瘫 SecretaryVacant |
//! | 北村党支部 T009 | a committee that has not met since May | 瘫 NoCommitteeMeeting |
//! | 南村党支部 T006 | nothing held in Q2 and Q3; a petition report | 散 OrgLifeNotHeld, 乱 ManualReport |
//! | 东村党支部 T002 | no masses at any meeting (not 懒: masses work has no record yet); collective income 3万 | 穷 CollectiveIncomeLow |
//! | 西村党总支 T003 | last member joined 2023-06-01; a discipline case | 弱 NoRecruit, 贪 DisciplineCases |
//!
//! The weak-org report names exactly those orgs with those kinds and evidence; ratings
//! rise and fall as records change; a rectification case runs from diagnosis to 验收销号
//! (with an overdue measure listed in between) and the review a year later.

mod common;
mod rating_uc;
use rating_uc as uc;

use chrono::Datelike;
use common::*;
use jiceng_app::access::{Actor, Role};
use jiceng_app::import::{self, ImportOptions, NoProgress};
use jiceng_app::reports::weak::WeakReport;
use jiceng_app::{rating, rectification, App, AppError};
use jiceng_domain::rectification::{NewMeasure, ReviewOutcome};
use jiceng_domain::{EventKind, OrgEvent, PositionKind, WeaknessKind};
use jiceng_store::testing::TestDb;
use jiceng_store::weak::FundingKind;
use jiceng_store::{contract_test, facts, history, positions, Scope};
use serde_json::{json, Value};

fn opts() -> ImportOptions {
    ImportOptions::default()
}

/// 北村党支部 (T009): a village branch with a committee.
fn extra_orgs(dir: &Dir) -> std::path::PathBuf {
    let p = dir.file("组织补充.xlsx");
    xlsx(
        &p,
        "补充",
        &ORG_HEADER,
        &[Some(vec![
            s("北村党支部"),
            s("党支部"),
            s("测试镇党委"),
            s("农村"),
            s(""),
            s("2012.3.1"),
            s("2024.1.8"),
            s("是"),
            s("T009"),
        ])],
    );
    p
}

/// Members that make the township healthy: secretaries of 西村, members of 北村 and the
/// recent recruits of 南村 and 北村 (西村's latest joined on 2023-06-01).
fn extra_members(dir: &Dir) -> std::path::PathBuf {
    // (name, female, birth, org, joined, position)
    let people: [(&str, bool, &str, &str, &str, &str); 10] = [
        (
            "刘总支",
            false,
            "1975-01-01",
            "西村党总支",
            "2000-01-01",
            "书记",
        ),
        (
            "马支书",
            false,
            "1990-06-06",
            "西村第一党支部",
            "2023-06-01",
            "书记",
        ),
        ("南新员", true, "1998-02-02", "南村党支部", "2025-03-01", ""),
        (
            "北书记",
            false,
            "1970-01-01",
            "北村党支部",
            "1998-07-01",
            "书记",
        ),
        (
            "北委员",
            true,
            "1972-03-03",
            "北村党支部",
            "1999-07-01",
            "组织委员",
        ),
        (
            "北宣传",
            false,
            "1974-04-04",
            "北村党支部",
            "2001-07-01",
            "宣传委员",
        ),
        ("北甲", false, "1976-05-05", "北村党支部", "2003-07-01", ""),
        ("北乙", true, "1978-06-06", "北村党支部", "2005-07-01", ""),
        ("北丙", false, "1980-07-07", "北村党支部", "2007-07-01", ""),
        ("北新员", true, "1999-08-08", "北村党支部", "2025-06-01", ""),
    ];
    let rows: Vec<Option<Vec<C>>> = people
        .iter()
        .enumerate()
        .map(|(k, (name, female, birth, org, joined, position))| {
            let b = d(birth);
            let j = d(joined);
            let full = j.checked_add_months(chrono::Months::new(12)).unwrap();
            Some(vec![
                s(name),
                s(if *female { "女" } else { "男" }),
                s("汉族"),
                s(birth),
                s(&id(200 + k as u16, b, *female)),
                s("高中"),
                s("正式党员"),
                C::D(j.year() as u16, j.month() as u8, j.day() as u8),
                s(&full.format("%Y.%m.%d").to_string()),
                s("农民"),
                s(""),
                s(org),
                s(position),
                s(if position.is_empty() { "" } else { "2024.3.1" }),
            ])
        })
        .collect();
    let p = dir.file("党员补充.xlsx");
    xlsx(&p, "补充党员", &MEMBER_HEADER, &rows);
    p
}

fn ledger_row(
    org: &str,
    kind: &str,
    y: i32,
    m: u32,
    topic: &str,
    n: f64,
    masses: f64,
) -> Option<Vec<C>> {
    let date = C::D(y as u16, m as u8, 10);
    Some(common::ledger_row(
        org,
        kind,
        date,
        topic,
        [n, n, 0.0],
        masses,
        "",
    ))
}

/// A branch's organizational life in `months` of 2026: a theme day each month, a committee
/// meeting each month in `committee`, a general meeting and a party lecture in each
/// quarter's first month.
fn life(
    rows: &mut Vec<Option<Vec<C>>>,
    org: &str,
    n: f64,
    months: &[u32],
    committee: &[u32],
    masses: f64,
) {
    for &m in months {
        rows.push(ledger_row(
            org,
            "主题党日",
            2026,
            m,
            &format!("{m}月主题党日"),
            n,
            masses,
        ));
        if committee.contains(&m) {
            rows.push(ledger_row(
                org,
                "支委会",
                2026,
                m,
                &format!("{m}月支委会"),
                3.0,
                0.0,
            ));
        }
        if m % 3 == 1 {
            rows.push(ledger_row(
                org,
                "党员大会",
                2026,
                m,
                &format!("{m}月党员大会"),
                n,
                masses,
            ));
            rows.push(ledger_row(
                org,
                "党课",
                2026,
                m,
                &format!("{m}月党课"),
                n,
                masses,
            ));
        }
    }
}

fn ledger(dir: &Dir, name: &str, rows: &[Option<Vec<C>>]) -> std::path::PathBuf {
    let p = dir.file(name);
    xlsx(&p, "三会一课台账", &LEDGER_HEADER, rows);
    p
}

const ALL_MONTHS: [u32; 12] = [1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12];

async fn import_ledger(app: &App, path: &std::path::Path) {
    let r = import::meetings::run(app, path, &opts(), &NoProgress)
        .await
        .unwrap();
    assert!(r.errors.is_empty(), "{:?}", r.errors);
}

/// The township, made healthy, then with the weaknesses of the module comment planted.
async fn load(app: &App, dir: &Dir) {
    let (orgs, members, _) = township(dir);
    for f in [orgs, extra_orgs(dir)] {
        let r = import::orgs::run(app, &f, &opts(), &NoProgress)
            .await
            .unwrap();
        assert!(r.errors.is_empty(), "{:?}", r.errors);
    }
    for f in [members, extra_members(dir)] {
        let r = import::members::run(app, &f, &opts(), &NoProgress)
            .await
            .unwrap();
        assert!(r.errors.is_empty(), "{:?}", r.errors);
    }
    let mut rows = Vec::new();
    // Healthy: 西村第一 and 镇机关 hold everything with the masses present.
    life(&mut rows, "西村第一党支部", 3.0, &ALL_MONTHS, &[], 2.0);
    life(&mut rows, "镇机关党支部", 3.0, &ALL_MONTHS, &[], 1.0);
    // 北村: everything, but no committee meeting since May.
    life(
        &mut rows,
        "北村党支部",
        7.0,
        &ALL_MONTHS,
        &[1, 2, 3, 4, 5],
        3.0,
    );
    // 南村: nothing from April to September.
    life(
        &mut rows,
        "南村党支部",
        4.0,
        &[1, 2, 3, 10, 11, 12],
        &[],
        2.0,
    );
    // 东村: everything, never with the masses.
    life(&mut rows, "东村党支部", 8.0, &ALL_MONTHS, &[], 0.0);
    import_ledger(app, &ledger(dir, "台账.xlsx", &rows)).await;
    record_dated_facts(app).await;

    // 镇机关's secretary left on 2026-08-10 (a departure recorded by the administrator:
    // no use case ends a position yet).
    let t005 = app.resolve_org(&Scope::All, "T005").await.unwrap();
    end_secretary(app, t005.org.id, "2026-08-10").await;

    let a = dept();
    uc::record_funding(
        app,
        &a,
        "T002",
        2026,
        FundingKind::CollectiveIncome,
        30_000.0,
        "村集体经济收支报表",
    )
    .await
    .unwrap();
    uc::record_funding(
        app,
        &a,
        "T002",
        2026,
        FundingKind::Operating,
        120_000.0,
        "镇财政所",
    )
    .await
    .unwrap();
    let case = county_case(
        "2026-05-20",
        "村党总支委员",
        "违规处置集体资产",
        Some("党内警告"),
        true,
    );
    uc::record_case(app, &a, "T003", &case).await.unwrap();
    uc::record_signal(
        app,
        &a,
        "T006",
        2026,
        WeaknessKind::Disorder,
        "2026年以来发生群体性上访3次",
        "县信访局通报",
    )
    .await
    .unwrap();
}

/// An app with this file's township loaded, and the folder of its files.
async fn loaded(db: &TestDb, label: &str) -> (App, Dir) {
    let app = app(db);
    let dir = Dir::new(label);
    load(&app, &dir).await;
    (app, dir)
}

/// The dated facts an org import states (the committee of 是否设立支委会 = 是, day
/// unknown; the election of 换届时间), recorded as events the way migration 14 backfilled
/// them: rating reads committees and elections only from dated records.
async fn record_dated_facts(app: &App) {
    let orgs = {
        let mut conn = app.store().acquire().await.unwrap();
        jiceng_store::ratings::orgs(&mut conn, &Scope::All)
            .await
            .unwrap()
    };
    let mut all = vec![];
    for o in orgs {
        let mut events = vec![];
        if o.has_committee {
            events.push(OrgEvent {
                kind: EventKind::CommitteeSet,
                on: None,
                until: None,
            });
        }
        if let Some(e) = o.last_election_on {
            events.push(OrgEvent {
                kind: EventKind::Election,
                on: Some(e),
                until: None,
            });
        }
        all.extend(events.into_iter().map(|e| (o.id, e)));
    }
    let first = app
        .store()
        .reserve_ids("org_event", all.len() as i64)
        .await
        .unwrap();
    let mut tx = app.store().begin().await.unwrap();
    for (k, (org, e)) in all.iter().enumerate() {
        history::add(&mut tx, first + k as i64, *org, e, None)
            .await
            .unwrap();
    }
    tx.commit().await.unwrap();
}

async fn end_secretary(app: &App, org_id: i64, on: &str) {
    let mut tx = app.store().begin().await.unwrap();
    let held = positions::of_orgs(&mut tx, &[org_id]).await.unwrap();
    let sec = held
        .iter()
        .find(|p| p.kind == PositionKind::Secretary && p.ended_on.is_none())
        .expect("a secretary in office");
    positions::end(&mut tx, sec.id, d(on)).await.unwrap();
    facts::refresh(&mut tx, &app.rules, &[org_id], d(TODAY))
        .await
        .unwrap();
    tx.commit().await.unwrap();
}

/// (org code, [(kind, status, [rule…])]) of a report, in order.
type Shape = Vec<(String, Vec<(String, String, Vec<String>)>)>;

fn shape(r: &WeakReport) -> Shape {
    r.weak
        .iter()
        .map(|w| {
            (
                w.org.code.clone(),
                w.weaknesses
                    .iter()
                    .map(|x| {
                        (
                            x.kind.to_string(),
                            x.status.to_string(),
                            x.signals.iter().map(|s| s.rule.to_string()).collect(),
                        )
                    })
                    .collect(),
            )
        })
        .collect()
}

fn k(kind: &str, status: &str, rules: &[&str]) -> (String, String, Vec<String>) {
    (
        kind.into(),
        status.into(),
        rules.iter().map(|r| r.to_string()).collect(),
    )
}

fn planted() -> Shape {
    vec![
        (
            "T002".into(),
            vec![k("Poverty", "suspected", &["CollectiveIncomeLow"])],
        ),
        (
            "T006".into(),
            vec![
                k("Disorder", "suspected", &["ManualReport"]),
                k("Disunity", "suspected", &["OrgLifeNotHeld"]),
            ],
        ),
        (
            "T003".into(),
            vec![
                k("Ineffectiveness", "suspected", &["NoRecruit"]),
                k("Graft", "suspected", &["DisciplineCases"]),
            ],
        ),
        (
            "T005".into(),
            vec![k("Paralysis", "suspected", &["SecretaryVacant"])],
        ),
        (
            "T009".into(),
            vec![k("Paralysis", "suspected", &["NoCommitteeMeeting"])],
        ),
    ]
}

fn evidence(r: &WeakReport, org: &str, rule: &str) -> String {
    r.weak
        .iter()
        .find(|w| w.org.code == org)
        .and_then(|w| {
            w.weaknesses
                .iter()
                .flat_map(|x| &x.signals)
                .find(|s| s.rule == rule)
        })
        .map(|s| s.evidence.clone())
        .unwrap_or_else(|| panic!("{org} has no {rule}"))
}

/// Sorted by org path: the tree order of the township (T002 before its inverted child
/// T006, then T003, T005, T009).
fn sorted(mut s: Shape, r: &WeakReport) -> Shape {
    let pos = |code: &str| r.weak.iter().position(|w| w.org.code == code);
    s.sort_by_key(|(c, _)| pos(c));
    s
}

contract_test!(
    weak_report_names_exactly_the_planted_orgs,
    |db: TestDb| async move {
        let (app, _dir) = loaded(&db, "weak").await;
        let r = uc::weak_report(&app, &dept(), "T001", 2026).await.unwrap();
        assert_eq!(shape(&r), sorted(planted(), &r));
        assert_eq!(r.diagnosed, 7, "T001, T002, T003, T004, T005, T006, T009");
        for (org, rule, want) in [
            ("T005", "SecretaryVacant", "书记自2026-08-10起空缺，已4个月（超过3个月）"),
            ("T009", "NoCommitteeMeeting", "2026年6月至2026-12-15未召开支部委员会会议（6个月以上）"),
            ("T006", "OrgLifeNotHeld", "2026年第2季度、2026年第3季度未开展任何组织生活；2026-01-01至2026-09-30应开展组织生活15项，按规定开展5项（33.3%）"),
            ("T006", "ManualReport", "2026年以来发生群体性上访3次（来源：县信访局通报）"),
        ] {
            assert_eq!(evidence(&r, org, rule), want, "{org} {rule}");
        }
        // 懒 never fires from the meetings (review error 3: a ledger without 群众参与 is not
        // idleness — the shape above has no 懒); a meeting with the masses clears it, and
        // an org with neither such a meeting nor a request is 暂无数据.
        for (code, held) in [("T002", 10), ("T005", 20)] {
            let org = sys_org(&app, code).await;
            let d = jiceng_app::weak::diagnosis(&app, &org, 2026).await.unwrap();
            let s = d
                .signals
                .iter()
                .find(|s| s.rule == "NoMassesActivity")
                .unwrap();
            assert_eq!(
                s.state,
                jiceng_domain::SignalState::Clear,
                "{code}: {}",
                s.evidence
            );
            assert_eq!(s.evidence, format!("近12个月群众参与的组织生活{held}次"));
        }
        for (org, rule, want) in [
            ("T002", "CollectiveIncomeLow", "2026年度村集体经济收入3.00万元，低于标准5.00万元"),
            ("T003", "NoRecruit", "近2年未发展党员（最近一名党员入党日期2023-06-01）"),
            ("T003", "DisciplineCases", "2026年度记录涉及班子成员的违纪违法案件1起：2026-05-20 村党总支委员：违规处置集体资产"),
        ] {
            assert_eq!(evidence(&r, org, rule), want, "{org} {rule}");
        }
        // Signals without data are counted as such, never as fine.
        let no_data: Vec<&str> = r.no_data.iter().map(|(rule, _, _)| rule.code()).collect();
        assert!(no_data.contains(&"LowSatisfaction"));
        assert!(no_data.contains(&"DisciplineCases"));

        // The JSON is exactly the documented shape.
        let v: Value = serde_json::to_value(&r).unwrap();
        let keys = |v: &Value| -> Vec<String> {
            let mut k: Vec<String> = v.as_object().unwrap().keys().cloned().collect();
            k.sort();
            k
        };
        assert_eq!(keys(&v), ["org", "weak", "year"]);
        assert_eq!(v["org"], json!({"code": "T001", "name": "测试镇党委"}));
        assert_eq!(v["year"], json!(2026));
        for w in v["weak"].as_array().unwrap() {
            assert_eq!(keys(w), ["org", "weaknesses"]);
            assert_eq!(keys(&w["org"]), ["code", "name"]);
            for x in w["weaknesses"].as_array().unwrap() {
                assert_eq!(keys(x), ["kind", "signals", "status"]);
                for s in x["signals"].as_array().unwrap() {
                    assert_eq!(keys(s), ["evidence", "rule"]);
                }
            }
        }
        assert_eq!(
            v["weak"][0]["weaknesses"][0],
            json!({"kind": "Poverty", "status": "suspected", "signals": [{"rule": "CollectiveIncomeLow",
            "evidence": "2026年度村集体经济收入3.00万元，低于标准5.00万元"}]})
        );

        // A narrower root sees only its subtree; the summary groups by kind and region.
        let west = uc::weak_report(&app, &dept(), "T003", 2026).await.unwrap();
        assert_eq!(
            west.weak
                .iter()
                .map(|w| w.org.code.as_str())
                .collect::<Vec<_>>(),
            vec!["T003"]
        );
        let sum = uc::weak_summary(&app, &dept(), "T001", 2026).await.unwrap();
        assert_eq!(sum.weak_orgs, 5);
        let para = sum.by_kind.iter().find(|k| k.kind == "Paralysis").unwrap();
        assert_eq!(para.suspected, 2);
        // T006 lies under T002 (inverted affiliation): region 东村 holds two weak orgs.
        let east = sum.by_region.iter().find(|r| r.org.code == "T002").unwrap();
        assert_eq!(east.weak_orgs, 2);
        assert!(!uc::weak_report(&app, &dept(), "T001", 2026)
            .await
            .unwrap()
            .to_sheets()[0]
            .rows
            .is_empty());

        // A member may not read it; a scoped committee user sees only its subtree.
        let member = dept().with_role(Role::Member);
        assert!(matches!(
            uc::weak_report(&app, &member, "T001", 2026).await,
            Err(AppError::Forbidden)
        ));
        let t003 = app.resolve_org(&Scope::All, "T003").await.unwrap();
        let committee = dept()
            .with_role(Role::Committee)
            .at(t003.org.id, &t003.path);
        assert!(uc::weak_report(&app, &committee, "T001", 2026)
            .await
            .is_err());
        assert_eq!(
            uc::weak_report(&app, &committee, "T003", 2026)
                .await
                .unwrap()
                .weak
                .len(),
            1
        );
    }
);

fn stars_of(r: &rating::OrgRating) -> Option<u8> {
    r.current.stars
}

fn score(r: &rating::OrgRating, code: &str) -> Option<f64> {
    r.current
        .indicators
        .iter()
        .find(|i| i.code == code)
        .unwrap()
        .score
}

contract_test!(
    ratings_rise_and_fall_with_the_records,
    |db: TestDb| async move {
        let (app, dir) = loaded(&db, "rating").await;
        let a = dept();
        let sum = uc::rate(&app, &a, "T001", 2026).await.unwrap();
        assert_eq!(sum.rated, 7);
        assert_eq!(sum.suspected_orgs, 5);
        assert_eq!(sum.as_of, d(TODAY));
        assert_eq!(sum.stars.iter().map(|s| s.orgs).sum::<i64>(), 7);

        // Stored ratings carry each indicator's score and evidence.
        let r = uc::org_rating(&app, &a, "T005", 2026).await.unwrap();
        let stored = r.stored.as_ref().unwrap();
        let sec = stored
            .indicators
            .iter()
            .find(|i| i.code == "SecretaryInPlace")
            .unwrap();
        assert_eq!(sec.score, Some(0.0));
        assert_eq!(sec.evidence, "书记空缺4个月（自2026-08-10起）");
        let training = stored
            .indicators
            .iter()
            .find(|i| i.code == "TrainingHours")
            .unwrap();
        assert_eq!(training.score, None);
        assert!(training.evidence.starts_with("暂无数据"));
        assert_eq!(stored.stars, stored.computed_stars);
        assert!(r
            .signals
            .iter()
            .any(|s| s.rule == "SecretaryVacant" && s.state == "触发"));

        // 南村: rises when the missing quarters are entered after all.
        let before = uc::org_rating(&app, &a, "T006", 2026).await.unwrap();
        assert_eq!(score(&before, "ComplianceRate"), Some(33.3));
        let mut rows = Vec::new();
        life(&mut rows, "南村党支部", 4.0, &[4, 5, 6, 7, 8, 9], &[], 2.0);
        import_ledger(&app, &ledger(&dir, "补录台账.xlsx", &rows)).await;
        let after = uc::org_rating(&app, &a, "T006", 2026).await.unwrap();
        assert_eq!(score(&after, "ComplianceRate"), Some(100.0));
        assert!(after.current.score.unwrap() > before.current.score.unwrap());
        assert!(stars_of(&after) >= stars_of(&before));
        let rep = uc::weak_report(&app, &a, "T006", 2026).await.unwrap();
        assert_eq!(
            shape(&rep),
            vec![(
                "T006".to_string(),
                vec![k("Disorder", "suspected", &["ManualReport"])]
            )]
        );

        // 西村第一: falls when its secretary leaves; 瘫 appears.
        let before = uc::org_rating(&app, &a, "T004", 2026).await.unwrap();
        assert_eq!(score(&before, "SecretaryInPlace"), Some(100.0));
        let t004 = app.resolve_org(&Scope::All, "T004").await.unwrap();
        end_secretary(&app, t004.org.id, "2026-07-01").await;
        let after = uc::org_rating(&app, &a, "T004", 2026).await.unwrap();
        assert_eq!(score(&after, "SecretaryInPlace"), Some(0.0));
        assert!(after.current.score.unwrap() < before.current.score.unwrap());
        let rep = uc::weak_report(&app, &a, "T004", 2026).await.unwrap();
        assert_eq!(
            shape(&rep),
            vec![(
                "T004".to_string(),
                vec![k("Paralysis", "suspected", &["SecretaryVacant"])]
            )]
        );

        // Re-rating stores the changes; a hand adjustment needs a reason, is audited and
        // survives the re-rating.
        assert!(uc::adjust(&app, &a, "T004", 2026, Some(3), " ")
            .await
            .is_err());
        uc::adjust(
            &app,
            &a,
            "T004",
            2026,
            Some(3),
            "书记离任系正常调动，班子运转正常",
        )
        .await
        .unwrap();
        uc::rate(&app, &a, "T001", 2026).await.unwrap();
        let list = uc::ratings(&app, &a, "T001", 2026, None, 1, 100)
            .await
            .unwrap();
        assert_eq!(list.rated, 7);
        assert_eq!((list.total, list.items.len()), (7, 7));
        // The totals come from the distribution: each filter's total is the number of its
        // items, and a page is cut from them.
        for s in [None, Some(0), Some(1), Some(2), Some(3), Some(4), Some(5)] {
            let f = uc::ratings(&app, &a, "T001", 2026, Some(s), 1, 100)
                .await
                .unwrap();
            assert_eq!(f.total as usize, f.items.len(), "stars {s:?}");
            assert!(f.items.iter().all(|i| i.stars == s), "stars {s:?}");
            let n = list.items.iter().filter(|i| i.stars == s).count();
            assert_eq!(f.total as usize, n, "stars {s:?}");
        }
        let second = uc::ratings(&app, &a, "T001", 2026, None, 2, 3)
            .await
            .unwrap();
        assert_eq!((second.total, second.items.len()), (7, 3));
        assert_eq!(second.items[0].org.code, list.items[3].org.code);
        let t4 = list.items.iter().find(|i| i.org.code == "T004").unwrap();
        assert_eq!((t4.stars, t4.adjusted), (Some(3), true));
        assert!(list.levels.iter().any(|l| l.org.code == "T002"));
        let admin = Actor::system();
        let (log, _) = jiceng_app::audit::list(&app, &admin.grant().unwrap(), 1, 100)
            .await
            .unwrap();
        let codes: Vec<i64> = log.iter().map(|e| e.code).collect();
        for c in [80, 84, 87, 88, 89] {
            assert!(codes.contains(&c), "audit code {c} missing: {codes:?}");
        }
        // A secretary may not rate or adjust.
        let sec = dept().with_role(Role::Secretary);
        assert!(matches!(
            uc::rate(&app, &sec, "T001", 2026).await,
            Err(AppError::Forbidden)
        ));

        // A manual indicator scored by hand counts at the next rating.
        uc::score_manual(
            &app,
            &a,
            "T002",
            2026,
            "WorkPerformance",
            95.0,
            "年度述职评议优秀",
        )
        .await
        .unwrap();
        assert!(uc::score_manual(
            &app,
            &a,
            "T002",
            2026,
            "ComplianceRate",
            95.0,
            "不可人工评分"
        )
        .await
        .is_err());
        let r = uc::org_rating(&app, &a, "T002", 2026).await.unwrap();
        assert_eq!(score(&r, "WorkPerformance"), Some(95.0));
    }
);

contract_test!(
    a_department_decides_a_list_at_once,
    |db: TestDb| async move {
        let (app, _dir) = loaded(&db, "batch").await;
        let a = dept();
        let year = 2026;
        let status = |r: &WeakReport, org: &str, kind: &str| {
            r.weak
                .iter()
                .find(|w| w.org.code == org)
                .and_then(|w| w.weaknesses.iter().find(|x| x.kind == kind))
                .map(|x| x.status)
        };
        let audit_entries = |app: &App| {
            let app = app.clone();
            async move { audit_log(&app).await.len() }
        };
        let entries_before = audit_entries(&app).await;
        // One pick without a signal refuses the whole batch, naming its org; nothing stored.
        let e = uc::decide_many(
            &app,
            &a,
            "T001",
            year,
            &[
                ("T006", WeaknessKind::Disunity),
                ("T004", WeaknessKind::Graft),
            ],
            jiceng_domain::Decision::Confirmed,
            "乡镇初审意见一致",
        )
        .await
        .unwrap_err();
        assert!(e.to_string().contains("没有“贪"), "{e}");
        let r = uc::weak_report(&app, &a, "T001", year).await.unwrap();
        assert_eq!(status(&r, "T006", "Disunity"), Some("suspected"));
        assert!(
            uc::get(&app, &a, "T006", year).await.is_err(),
            "no case yet"
        );
        assert_eq!(audit_entries(&app).await, entries_before);
        // A shared reason is required; a pick outside the root is not found.
        assert!(uc::decide_many(
            &app,
            &a,
            "T001",
            year,
            &[("T009", WeaknessKind::Paralysis)],
            jiceng_domain::Decision::Confirmed,
            " ",
        )
        .await
        .is_err());
        assert!(matches!(
            uc::decide_many(
                &app,
                &a,
                "T006",
                year,
                &[("T009", WeaknessKind::Paralysis)],
                jiceng_domain::Decision::Confirmed,
                "不在范围",
            )
            .await,
            Err(AppError::NotFound(_))
        ));
        let sec = dept().with_role(Role::Secretary);
        assert!(matches!(
            uc::decide_many(
                &app,
                &sec,
                "T001",
                year,
                &[("T009", WeaknessKind::Paralysis)],
                jiceng_domain::Decision::Confirmed,
                "无权",
            )
            .await,
            Err(AppError::Forbidden)
        ));

        // Two kinds of one org and a third org: one case each, both kinds in T006's.
        let done = uc::decide_many(
            &app,
            &a,
            "T001",
            year,
            &[
                ("T006", WeaknessKind::Disunity),
                ("T009", WeaknessKind::Paralysis),
                ("T006", WeaknessKind::Disorder),
            ],
            jiceng_domain::Decision::Confirmed,
            "县委组织部集中研判",
        )
        .await
        .unwrap();
        assert_eq!(done.len(), 3);
        assert_eq!(
            done.iter().filter(|d| d.case_opened).count(),
            2,
            "T006's first pick opens its case, the second adds to it"
        );
        assert_eq!(audit_entries(&app).await, entries_before + 3);
        let v = uc::get(&app, &a, "T006", year).await.unwrap();
        let mut kinds: Vec<&str> = v.kinds.iter().map(|k| k.kind).collect();
        kinds.sort();
        assert_eq!(kinds, ["Disorder", "Disunity"]);
        assert_eq!(
            uc::get(&app, &a, "T009", year).await.unwrap().stage,
            "Diagnosed"
        );
        // And a batch dismissal.
        uc::decide_many(
            &app,
            &a,
            "T001",
            year,
            &[
                ("T003", WeaknessKind::Graft),
                ("T002", WeaknessKind::Poverty),
            ],
            jiceng_domain::Decision::Dismissed,
            "经核实已整改到位",
        )
        .await
        .unwrap();
        let r = uc::weak_report(&app, &a, "T001", year).await.unwrap();
        assert_eq!(status(&r, "T006", "Disorder"), Some("confirmed"));
        assert_eq!(status(&r, "T009", "Paralysis"), Some("confirmed"));
        assert_eq!(status(&r, "T003", "Graft"), Some("dismissed"));
        assert_eq!(status(&r, "T002", "Poverty"), Some("dismissed"));
        assert_eq!(status(&r, "T003", "Ineffectiveness"), Some("suspected"));
    }
);

contract_test!(
    a_case_runs_from_diagnosis_to_acceptance,
    |db: TestDb| async move {
        let (app, _dir) = loaded(&db, "rect").await;
        let a = dept();
        uc::rate(&app, &a, "T001", 2026).await.unwrap();
        let before = uc::org_rating(&app, &a, "T005", 2026).await.unwrap();
        assert_eq!(stars_of(&before), Some(3));

        // Decisions need a reason; confirming opens the case; dismissing keeps the evidence.
        assert!(
            uc::confirm(&app, &a, "T005", 2026, WeaknessKind::Paralysis, "")
                .await
                .is_err()
        );
        let c = uc::confirm(
            &app,
            &a,
            "T005",
            2026,
            WeaknessKind::Paralysis,
            "书记离任4个月未补选",
        )
        .await
        .unwrap();
        assert!(c.case_opened);
        assert_eq!(c.status, "confirmed");
        // At once on the org's rating page (computed from the records); stored at the next
        // rating run.
        let now = uc::org_rating(&app, &a, "T005", 2026).await.unwrap();
        assert_eq!(stars_of(&now), Some(2));
        let x = uc::dismiss(
            &app,
            &a,
            "T002",
            2026,
            WeaknessKind::Poverty,
            "集体收入已于年底补记到账",
        )
        .await
        .unwrap();
        assert!(!x.case_opened);
        assert!(
            uc::confirm(&app, &a, "T004", 2026, WeaknessKind::Graft, "无信号")
                .await
                .is_err()
        );
        let sec = dept().with_role(Role::Secretary);
        assert!(matches!(
            uc::confirm(&app, &sec, "T003", 2026, WeaknessKind::Graft, "无权").await,
            Err(AppError::Forbidden)
        ));
        let r = uc::weak_report(&app, &a, "T001", 2026).await.unwrap();
        let status = |org: &str, kind: &str| {
            r.weak
                .iter()
                .find(|w| w.org.code == org)
                .and_then(|w| w.weaknesses.iter().find(|x| x.kind == kind))
                .map(|x| x.status)
        };
        assert_eq!(status("T005", "Paralysis"), Some("confirmed"));
        assert_eq!(status("T002", "Poverty"), Some("dismissed"));
        assert_eq!(status("T009", "Paralysis"), Some("suspected"));
        // A re-rating keeps the decisions, and caps the confirmed org's stars by the rule of
        // its indicator set (the 2026 sets: 二星 at most).
        uc::rate(&app, &a, "T001", 2026).await.unwrap();
        let r2 = uc::weak_report(&app, &a, "T001", 2026).await.unwrap();
        assert_eq!(shape(&r2), shape(&r));
        let after = uc::org_rating(&app, &a, "T005", 2026).await.unwrap();
        assert_eq!(stars_of(&after), Some(2));
        assert!(
            after.current.evidence.contains("软弱涣散"),
            "{}",
            after.current.evidence
        );

        // The case, step by step.
        let v = uc::get(&app, &a, "T005", 2026).await.unwrap();
        assert_eq!(v.stage, "Diagnosed");
        assert_eq!(v.kinds[0].kind, "Paralysis");
        // Invalid transitions are refused.
        let e = uc::accept(&app, &a, "T005", 2026, "合格")
            .await
            .unwrap_err();
        assert!(e.to_string().contains("不能验收销号"), "{e}");
        let v = uc::plan(
            &app,
            &a,
            "T005",
            2026,
            vec![
                NewMeasure {
                    text: "选举产生新任支部书记".into(),
                    owner: "镇党委组织委员".into(),
                    deadline: d("2027-01-31"),
                },
                NewMeasure {
                    text: "健全支部委员会".into(),
                    owner: "镇机关党支部".into(),
                    deadline: d("2027-03-31"),
                },
            ],
        )
        .await
        .unwrap();
        assert_eq!((v.stage, v.measures.len()), ("Planned", 2));
        let v = uc::assign(&app, &a, "T005", 2026, "县委常委、组织部长 王某", vec![])
            .await
            .unwrap();
        assert_eq!(v.stage, "AssistanceAssigned");
        assert_eq!(v.departments, vec!["县委组织部".to_string()]);
        let v = uc::progress(
            &app,
            &a,
            "T005",
            2026,
            "已推荐书记人选",
            "镇党委会议纪要2026-12-15",
        )
        .await
        .unwrap();
        assert_eq!(v.stage, "InProgress");

        // Two months later the first measure is overdue: it surfaces in the department's list
        // and in the report.
        let mut later = app.clone();
        later.fixed_today = Some(d("2027-02-15"));
        let late = uc::overdue(&later, &a, None).await.unwrap();
        assert_eq!(late.len(), 1);
        assert_eq!(
            (late[0].org.code.as_str(), late[0].seq, late[0].days_overdue),
            ("T005", 1, 15)
        );
        let rep = uc::rect_report(&later, &a, "T001", 2026).await.unwrap();
        assert_eq!((rep.cases, rep.overdue_measures, rep.closed), (1, 1, 0));
        assert_eq!(rep.items[0].stage, "InProgress");
        // 62 days without a step: stalled by the default 60, not by 90.
        let idle = uc::stalled(&later, &a, None, rectification::STALL_DAYS)
            .await
            .unwrap();
        assert_eq!((idle.len(), idle[0].days_idle), (1, 62));
        assert!(uc::stalled(&later, &a, None, 90).await.unwrap().is_empty());
        // Not visible outside the scope.
        let t003 = app.resolve_org(&Scope::All, "T003").await.unwrap();
        let inspector = dept()
            .with_role(Role::Inspector)
            .at(t003.org.id, &t003.path);
        assert!(uc::overdue(&later, &inspector, None)
            .await
            .unwrap()
            .is_empty());
        assert!(uc::get(&later, &inspector, "T005", 2026).await.is_err());

        // Measures done, accepted and closed (验收销号): nothing overdue any more.
        uc::complete_measure(
            &later,
            &a,
            "T005",
            2026,
            1,
            Some(d("2027-02-10")),
            Some("新书记已到任".into()),
        )
        .await
        .unwrap();
        let e = uc::accept(&later, &a, "T005", 2026, "经验收合格")
            .await
            .unwrap_err();
        assert!(e.to_string().contains("第2项"), "{e}");
        uc::complete_measure(&later, &a, "T005", 2026, 2, None, None)
            .await
            .unwrap();
        // The records still show no secretary (the new one is not entered as holding the
        // office): refused while 瘫 is still found, unless a reason is given — recorded.
        let e = uc::accept(&later, &a, "T005", 2026, "经县委组织部验收合格，予以销号")
            .await
            .unwrap_err();
        assert!(e.to_string().contains("“瘫（班子瘫痪）”仍然存在"), "{e}");
        let v = uc::accept_despite(
            &later,
            &a,
            "T005",
            2026,
            "经县委组织部验收合格，予以销号",
            Some("新书记已于2027-02-10到任，任职待录入"),
        )
        .await
        .unwrap();
        assert!(
            v.acceptance_note
                .as_deref()
                .is_some_and(|n| n.contains("任职待录入")),
            "{:?}",
            v.acceptance_note
        );
        assert_eq!(v.stage, "Accepted");
        assert_eq!(v.accepted_on, Some(d("2027-02-15")));
        assert_eq!(v.review_due_on, Some(d("2028-02-15")));
        assert!(uc::overdue(&later, &a, None).await.unwrap().is_empty());
        let rep = uc::rect_report(&later, &a, "T001", 2026).await.unwrap();
        assert_eq!((rep.closed, rep.overdue_measures), (1, 0));
        assert_eq!(rep.to_sheets().len(), 2);

        // The review waits a year (回头看).
        let e = uc::review(
            &later,
            &a,
            "T005",
            2026,
            ReviewOutcome::Consolidated,
            "班子稳定",
        )
        .await
        .unwrap_err();
        assert!(e.to_string().contains("一年后"), "{e}");
        let mut year_on = app.clone();
        year_on.fixed_today = Some(d("2028-02-20"));
        let v = uc::review(
            &year_on,
            &a,
            "T005",
            2026,
            ReviewOutcome::Consolidated,
            "班子稳定，组织生活正常",
        )
        .await
        .unwrap();
        assert_eq!(v.stage, "Reviewed");
        let steps: Vec<&str> = v.timeline.iter().map(|e| e.step.as_str()).collect();
        assert_eq!(
            steps,
            vec![
                "open",
                "plan",
                "assign",
                "progress",
                "complete_measure",
                "complete_measure",
                "accept",
                "review"
            ]
        );
        let admin = Actor::system();
        let (log, _) = jiceng_app::audit::list(&app, &admin.grant().unwrap(), 1, 200)
            .await
            .unwrap();
        let codes: Vec<i64> = log.iter().map(|e| e.code).collect();
        for c in [81, 82, 83] {
            assert!(codes.contains(&c), "audit code {c} missing");
        }
        assert!(jiceng_app::audit::verify(&app).await.unwrap().ok);
    }
);
