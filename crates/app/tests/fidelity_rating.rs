//! Rating and diagnosis read time and missing records as a branch would (issue 12, rules
//! review errors 3, 8, 9, 11, 14 and §3.2): the dated example branches S3, S11, S12,
//! S13, S14, S15, S21 and S24, each on SQLite and PostgreSQL, from spreadsheets loaded as
//! a new user would (a roster without 党内职务 for some villages, a ledger without
//! 群众参与人数) and dated facts recorded where no import writes them yet.
//!
//! | org | example | expected |
//! |---|---|---|
//! | 甲村党支部 F002 | S11: secretary left 2026-01-10, term ran out 2025-04-01 and re-elected 2026-01-15, a member transferred in 2026, rated for 2025 on 2026-02-20 | 2025: secretary in office, term overdue, 7 full members; 2026: vacancy, new term |
//! | 甲村党支部 F002 | S21: last local admission 2023-06-10; a member who joined at university 2025-05-20 transferred in 2026-07-01 | 弱 NoRecruit fires (the transfer is no recruit) |
//! | 甲村党支部 F002 | S15: a member's own case | 贪 clear; a case against the team fires |
//! | 乙村党委 F003, branches F004 F005 | S14: the branches held nothing in Q2 and Q3 | 散 at the 村党委, not at its branches; its 党委会 unrecorded: 暂无数据 |
//! | 丙村党支部 F006 | S24: founded 2003, no roster, no ledger | 暂无数据 for recruitment, secretary, committee, 散; not on the weak list |
//! | 市直机关第三党支部 F007 | S3: every 三会一课 held, ledger without 群众参与人数 | 懒 暂无数据, nothing suspected |
//! | 丁村党支部 F008 | S12: first 支委会 elected 2026-11-20, none held yet | 瘫 not fired, no 支委会 owed for Q1–Q3 |
//! | 戊村党支部 F009 | S13: 6 党小组 meeting quarterly in 2025, all else held | 散 clear (38 of 46 branch-level obligations) |

mod common;
mod rating_uc;
use rating_uc as uc;

use chrono::Datelike;
use common::*;
use jiceng_app::import::{self, ImportOptions, NoProgress};
use jiceng_app::{rating, App};
use jiceng_domain::{EventKind, OrgEvent, PositionKind};
use jiceng_store::testing::TestDb;
use jiceng_store::{contract_test, history, positions};

fn opts() -> ImportOptions {
    ImportOptions::default()
}

fn org_row(
    name: &str,
    kind: &str,
    parent: &str,
    domain: &str,
    founded: &str,
    code: &str,
) -> Option<Vec<C>> {
    Some(vec![
        s(name),
        s(kind),
        s(parent),
        s(domain),
        s(if code == "F001" { "370102001" } else { "" }),
        s(founded),
        s(""),
        s(""),
        s(code),
    ])
}

fn orgs(dir: &Dir) -> std::path::PathBuf {
    let mut rows = vec![
        org_row("测试镇党委", "党委", "", "乡镇", "1990.5.1", "F001"),
        org_row(
            "甲村党支部",
            "党支部",
            "测试镇党委",
            "农村",
            "2001.7.1",
            "F002",
        ),
        org_row("乙村党委", "党委", "测试镇党委", "农村", "2005.1.1", "F003"),
        org_row(
            "乙村第一党支部",
            "党支部",
            "乙村党委",
            "农村",
            "2005.1.1",
            "F004",
        ),
        org_row(
            "乙村第二党支部",
            "党支部",
            "乙村党委",
            "农村",
            "2005.1.1",
            "F005",
        ),
        org_row(
            "丙村党支部",
            "党支部",
            "测试镇党委",
            "农村",
            "2003.1.1",
            "F006",
        ),
        org_row(
            "市直机关第三党支部",
            "党支部",
            "测试镇党委",
            "机关",
            "2010.1.1",
            "F007",
        ),
        org_row(
            "丁村党支部",
            "党支部",
            "测试镇党委",
            "农村",
            "2008.1.1",
            "F008",
        ),
        org_row(
            "戊村党支部",
            "党支部",
            "测试镇党委",
            "农村",
            "2008.1.1",
            "F009",
        ),
    ];
    for (k, n) in ["第一", "第二", "第三", "第四", "第五", "第六"]
        .iter()
        .enumerate()
    {
        rows.push(org_row(
            &format!("戊村{n}党小组"),
            "党小组",
            "戊村党支部",
            "农村",
            "2008.1.1",
            &format!("F01{k}"),
        ));
    }
    let p = dir.file("组织.xlsx");
    xlsx(&p, "党组织", &ORG_HEADER, &rows);
    p
}

/// (name, org, joined, full member from, 党内职务)
type P = (
    &'static str,
    &'static str,
    &'static str,
    &'static str,
    &'static str,
);

fn people() -> Vec<P> {
    let mut v: Vec<P> = vec![
        ("甲书记", "甲村党支部", "1995-07-01", "1996-07-01", "书记"),
        ("甲一", "甲村党支部", "1991-07-01", "1992-07-01", ""),
        ("甲二", "甲村党支部", "1992-07-01", "1993-07-01", ""),
        ("甲三", "甲村党支部", "1993-07-01", "1994-07-01", ""),
        ("甲四", "甲村党支部", "1994-07-01", "1995-07-01", ""),
        ("甲五", "甲村党支部", "1996-07-01", "1997-07-01", ""),
        ("甲新", "甲村党支部", "2023-06-10", "2024-06-10", ""),
        // Joined at university; her relation comes home on 2026-07-01 (set below).
        ("甲转", "甲村党支部", "2025-05-20", "2026-05-20", ""),
        // Left the branch on 2025-06-01 (set below).
        ("甲退", "甲村党支部", "1980-07-01", "1981-07-01", ""),
        ("乙一", "乙村第一党支部", "2000-07-01", "2001-07-01", ""),
        ("乙二", "乙村第二党支部", "2001-07-01", "2002-07-01", ""),
        (
            "机关书记",
            "市直机关第三党支部",
            "2005-07-01",
            "2006-07-01",
            "书记",
        ),
        (
            "机关一",
            "市直机关第三党支部",
            "2006-07-01",
            "2007-07-01",
            "",
        ),
        (
            "机关二",
            "市直机关第三党支部",
            "2007-07-01",
            "2008-07-01",
            "",
        ),
        ("戊书记", "戊村党支部", "2000-07-01", "2001-07-01", "书记"),
    ];
    for n in ["丁一", "丁二", "丁三", "丁四", "丁五", "丁六", "丁七"] {
        v.push((n, "丁村党支部", "2002-07-01", "2003-07-01", ""));
    }
    v
}

fn members(dir: &Dir) -> std::path::PathBuf {
    let rows: Vec<Option<Vec<C>>> = people()
        .iter()
        .enumerate()
        .map(|(k, (name, org, joined, full, position))| {
            let j = d(joined);
            let birth = d(&format!("{}-03-01", j.year() - 25));
            let female = k % 2 == 0;
            Some(vec![
                s(name),
                s(if female { "女" } else { "男" }),
                s("汉族"),
                s(&birth.format("%Y-%m-%d").to_string()),
                s(&id(300 + k as u16, birth, female)),
                s("高中"),
                s("正式党员"),
                C::D(j.year() as u16, j.month() as u8, j.day() as u8),
                s(&d(full).format("%Y.%m.%d").to_string()),
                s("农民"),
                s(""),
                s(org),
                s(position),
                s(if position.is_empty() { "" } else { "2021.1.1" }),
            ])
        })
        .collect();
    let p = dir.file("党员名册.xlsx");
    xlsx(&p, "党员名册", &MEMBER_HEADER, &rows);
    p
}

/// A ledger without the optional columns from 会议地点 on (no masses column at all).
const COLUMNS: usize = 8;

fn meeting(org: &str, kind: &str, y: i32, m: u32) -> Option<Vec<C>> {
    let date = C::D(y as u16, m as u8, 10);
    let topic = format!("{y}年{m}月{kind}");
    let mut row = ledger_row(org, kind, date, &topic, [3.0, 3.0, 0.0], 0.0, "");
    row.truncate(COLUMNS);
    Some(row)
}

/// A branch's life in `months` of `y`: a theme day every month, a committee meeting in
/// the months of `committee`, a general meeting and a lecture in each quarter's first
/// month, the yearly 组织生活会 and 民主评议 in December.
fn life(rows: &mut Vec<Option<Vec<C>>>, org: &str, y: i32, months: &[u32], committee: bool) {
    for &m in months {
        rows.push(meeting(org, "主题党日", y, m));
        if committee {
            rows.push(meeting(org, "支委会", y, m));
        }
        if m % 3 == 1 {
            rows.push(meeting(org, "党员大会", y, m));
            rows.push(meeting(org, "党课", y, m));
        }
        if m == 12 {
            rows.push(meeting(org, "组织生活会", y, m));
            rows.push(meeting(org, "民主评议党员", y, m));
        }
    }
}

const ALL: [u32; 12] = [1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12];

fn ledger(dir: &Dir) -> std::path::PathBuf {
    let mut rows = Vec::new();
    // S11/S21: 甲村 holds everything in 2025 and 2026.
    life(&mut rows, "甲村党支部", 2025, &ALL, true);
    life(&mut rows, "甲村党支部", 2026, &ALL[..11], true);
    // S14: 乙村's branches hold their life in Q1 2026, then nothing until October.
    for b in ["乙村第一党支部", "乙村第二党支部"] {
        life(&mut rows, b, 2026, &[1, 2, 3, 10, 11], false);
    }
    // S3: the 机关 branch holds every 三会一课 of 2026 (no masses column at all).
    life(&mut rows, "市直机关第三党支部", 2026, &ALL[..11], false);
    // S12: 丁村 holds everything but 支委会 (it had no committee until 2026-11-20).
    life(&mut rows, "丁村党支部", 2026, &ALL[..11], false);
    // S13: 戊村 holds everything in 2025; its six groups meet once a quarter.
    life(&mut rows, "戊村党支部", 2025, &ALL, true);
    for m in [1, 4, 7, 10] {
        for n in ["第一", "第二", "第三", "第四", "第五", "第六"] {
            rows.push(meeting(&format!("戊村{n}党小组"), "党小组会", 2025, m));
        }
    }
    let p = dir.file("台账.xlsx");
    xlsx(&p, "三会一课台账", &LEDGER_HEADER[..COLUMNS], &rows);
    p
}

async fn events(app: &App, list: &[(&str, EventKind, Option<&str>)]) {
    let first = app
        .store()
        .reserve_ids("org_event", list.len() as i64)
        .await
        .unwrap();
    let mut ids = vec![];
    for (code, _, _) in list {
        ids.push(org_id(app, code).await);
    }
    let mut tx = app.store().begin().await.unwrap();
    for (k, ((_, kind, on), org)) in list.iter().zip(ids).enumerate() {
        let e = OrgEvent {
            kind: *kind,
            on: on.map(d),
            until: None,
        };
        history::add(&mut tx, first + k as i64, org, &e, None)
            .await
            .unwrap();
    }
    tx.commit().await.unwrap();
}

async fn load(app: &App) {
    let dir = Dir::new("fid-rating");
    let r = import::orgs::run(app, &orgs(&dir), &opts(), &NoProgress)
        .await
        .unwrap();
    assert!(r.errors.is_empty(), "{:?}", r.errors);
    let r = import::members::run(app, &members(&dir), &opts(), &NoProgress)
        .await
        .unwrap();
    assert!(r.errors.is_empty(), "{:?}", r.errors);
    let r = import::meetings::run(app, &ledger(&dir), &opts(), &NoProgress)
        .await
        .unwrap();
    assert!(r.errors.is_empty(), "{:?}", r.errors);
    // Dated facts no import writes on this branch yet.
    events(
        app,
        &[
            ("F002", EventKind::CommitteeSet, None),
            ("F002", EventKind::Election, Some("2020-04-01")),
            ("F002", EventKind::Election, Some("2026-01-15")),
            ("F003", EventKind::CommitteeSet, None),
            ("F008", EventKind::CommitteeNone, None),
            ("F008", EventKind::CommitteeSet, Some("2026-11-20")),
            ("F009", EventKind::CommitteeSet, None),
        ],
    )
    .await;
    exec(
        app,
        "UPDATE member SET transferred_in_on = '2026-07-01' WHERE name = '甲转'",
    )
    .await;
    exec(
        app,
        "UPDATE member SET exited_on = '2025-06-01' WHERE name = '甲退'",
    )
    .await;
    // 甲村's secretary resigned on 2026-01-10.
    let f002 = org_id(app, "F002").await;
    let mut tx = app.store().begin().await.unwrap();
    let held = positions::of_orgs(&mut tx, &[f002]).await.unwrap();
    let sec = held
        .iter()
        .find(|p| p.kind == PositionKind::Secretary)
        .expect("甲村's secretary");
    positions::end(&mut tx, sec.id, d("2026-01-10"))
        .await
        .unwrap();
    tx.commit().await.unwrap();
}

/// (state, evidence) of a rule in an org's diagnosis.
fn signal(r: &rating::OrgRating, rule: &str) -> (String, String) {
    let s = r
        .signals
        .iter()
        .find(|s| s.rule == rule)
        .unwrap_or_else(|| panic!("no {rule}"));
    (s.state.to_string(), s.evidence.clone())
}

/// (state label, score, evidence) of an indicator.
fn indicator(r: &rating::OrgRating, code: &str) -> (String, Option<f64>, String) {
    let i = r
        .current
        .indicators
        .iter()
        .find(|i| i.code == code)
        .unwrap_or_else(|| panic!("no {code}"));
    (i.state.label().to_string(), i.score, i.evidence.clone())
}

contract_test!(
    s11_a_past_year_is_judged_by_its_last_day,
    |db: TestDb| async move {
        // Loaded in December, judged as on 2026-02-20 (the county rates 2025 in February).
        let mut app = on(&db, TODAY);
        load(&app).await;
        app.fixed_today = Some(d("2026-02-20"));
        let a = dept();
        let r = uc::org_rating(&app, &a, "F002", 2025).await.unwrap();
        assert_eq!(r.as_of, d("2025-12-31"));
        // The secretary left in 2026: in office on 2025's last day.
        assert_eq!(
            indicator(&r, "SecretaryInPlace"),
            ("已评分".into(), Some(100.0), "书记在岗".into())
        );
        assert_eq!(
            signal(&r, "SecretaryVacant"),
            ("正常".into(), "书记在岗".into())
        );
        // The term ran out on 2025-04-01; the 2026 election does not forgive 2025.
        assert_eq!(
            indicator(&r, "TermCurrent"),
            (
                "已评分".into(),
                Some(0.0),
                "任期5年，已于2025-04-01届满，逾期274天未换届".into()
            )
        );
        // Members on 2025-12-31: the one transferred in 2026 and the one who left in
        // June 2025 are not counted.
        assert_eq!(
            indicator(&r, "CommitteeComplete").2,
            "正式党员7人，已设立委员会"
        );
        // The same org for 2026, on 2026-02-20: the vacancy and the new term.
        let r = uc::org_rating(&app, &a, "F002", 2026).await.unwrap();
        assert_eq!(
            indicator(&r, "SecretaryInPlace"),
            (
                "已评分".into(),
                Some(0.0),
                "书记空缺1个月（自2026-01-10起）".into()
            )
        );
        assert_eq!(
            indicator(&r, "TermCurrent").2,
            "本届任期5年，至2031-01-15届满"
        );
        // A stored 2025 rating: records dated 2026 never change it.
        uc::rate(&app, &a, "F001", 2025).await.unwrap();
        let before = uc::org_rating(&app, &a, "F002", 2025).await.unwrap();
        exec(
            &app,
            "UPDATE member SET exited_on = '2026-02-01' WHERE name = '甲一'",
        )
        .await;
        events(
            &app,
            &[("F002", EventKind::CommitteeNone, Some("2026-02-01"))],
        )
        .await;
        let after = uc::org_rating(&app, &a, "F002", 2025).await.unwrap();
        assert_eq!(before.current, after.current);
        assert_eq!(before.signals.len(), after.signals.len());
    }
);

contract_test!(
    s21_s15_s24_recruits_cases_and_unknowns,
    |db: TestDb| async move {
        let app = on(&db, TODAY);
        load(&app).await;
        let a = dept();
        // S21: the member transferred in on 2026-07-01 joined elsewhere.
        let r = uc::org_rating(&app, &a, "F002", 2026).await.unwrap();
        assert_eq!(
            signal(&r, "NoRecruit"),
            (
                "触发".into(),
                "近2年未发展党员（最近一名党员入党日期2023-06-10）".into()
            )
        );
        assert_eq!(indicator(&r, "RecruitedRecently").1, Some(0.0));
        assert_eq!(
            indicator(&r, "CommitteeComplete").2,
            "正式党员8人，已设立委员会"
        );

        // S15: a retired member's own case does not mark the village 贪.
        let own = county_case(
            "2026-05-01",
            "党员",
            "违规操办婚宴",
            Some("党内警告"),
            false,
        );
        uc::record_case(&app, &a, "F002", &own).await.unwrap();
        let r = uc::org_rating(&app, &a, "F002", 2026).await.unwrap();
        assert_eq!(
            signal(&r, "DisciplineCases"),
            (
                "正常".into(),
                "2026年度记录违纪违法案件1起，均不涉及班子成员".into()
            )
        );
        let rep = uc::weak_report(&app, &a, "F001", 2026).await.unwrap();
        let f002 = rep.weak.iter().find(|w| w.org.code == "F002");
        assert!(
            f002.is_none_or(|w| w.weaknesses.iter().all(|x| x.kind != "Graft")),
            "{f002:?}"
        );
        // A case against the team does.
        let team = county_case("2026-06-01", "村党支部书记", "优亲厚友", None, true);
        uc::record_case(&app, &a, "F002", &team).await.unwrap();
        let r = uc::org_rating(&app, &a, "F002", 2026).await.unwrap();
        assert_eq!(signal(&r, "DisciplineCases").0, "触发");

        // S24: 丙村 has neither roster nor ledger: nothing is a failure.
        let r = uc::org_rating(&app, &a, "F006", 2026).await.unwrap();
        for rule in [
            "SecretaryVacant",
            "NoRecruit",
            "OrgLifeNotHeld",
            "NoCommitteeMeeting",
            "NoMassesActivity",
        ] {
            let (state, evidence) = signal(&r, rule);
            assert_eq!(state, "暂无数据", "{rule}: {evidence}");
            assert!(evidence.starts_with("暂无数据"), "{rule}: {evidence}");
        }
        for code in [
            "SecretaryInPlace",
            "CommitteeComplete",
            "RecruitedRecently",
            "ComplianceRate",
        ] {
            assert_eq!(indicator(&r, code).0, "暂无数据", "{code}");
        }
        assert_eq!(
            signal(&r, "NoRecruit").1,
            "暂无数据：党员名册尚无记录（未导入本村党员）"
        );
        let rep = uc::weak_report(&app, &a, "F001", 2026).await.unwrap();
        assert!(rep.weak.iter().all(|w| w.org.code != "F006"));
    }
);

contract_test!(
    s3_s12_s14_masses_new_committee_and_village_top,
    |db: TestDb| async move {
        let app = on(&db, TODAY);
        load(&app).await;
        let a = dept();
        // S3: a 机关 branch that held every 三会一课, ledger without masses, no 群众诉求:
        // no 懒.
        let r = uc::org_rating(&app, &a, "F007", 2026).await.unwrap();
        assert_eq!(
            signal(&r, "NoMassesActivity"),
            (
                "暂无数据".into(),
                "暂无数据：近12个月没有受理或交办的群众诉求记录，也没有记录群众参与的组织生活"
                    .into()
            )
        );
        assert_eq!(signal(&r, "OrgLifeNotHeld").0, "正常");

        // S12: a committee three weeks old is not 瘫, and owed no 支委会 before it existed.
        let r = uc::org_rating(&app, &a, "F008", 2026).await.unwrap();
        assert_eq!(
            signal(&r, "NoCommitteeMeeting"),
            (
                "不适用".into(),
                "支部委员会自2026-11-20起设立（或组织成立），不满6个月".into()
            )
        );
        let (state, evidence) = signal(&r, "OrgLifeNotHeld");
        assert_eq!(state, "正常", "{evidence}");
        assert!(evidence.contains("（100.0%）"), "{evidence}");

        // S14: the village 党委 is judged on its branches' life; the branches are not.
        let r = uc::org_rating(&app, &a, "F003", 2026).await.unwrap();
        assert_eq!(
            signal(&r, "OrgLifeNotHeld").1,
            "2026年第2季度、2026年第3季度未开展任何组织生活；2026-01-01至2026-09-30应开展组织生活30项，按规定开展10项（33.3%）"
        );
        assert_eq!(signal(&r, "OrgLifeNotHeld").0, "触发");
        assert_eq!(
            signal(&r, "NoCommitteeMeeting"),
            ("暂无数据".into(), "暂无数据：委员会会议尚无记录".into())
        );
        for code in ["F004", "F005"] {
            let r = uc::org_rating(&app, &a, code, 2026).await.unwrap();
            for rule in ["OrgLifeNotHeld", "NoCommitteeMeeting", "NoMassesActivity"] {
                assert_eq!(
                    signal(&r, rule),
                    (
                        "不适用".into(),
                        "由所属村党组织统一研判（按全村统计）".into()
                    ),
                    "{code} {rule}"
                );
            }
        }
        let rep = uc::weak_report(&app, &a, "F001", 2026).await.unwrap();
        let listed: Vec<&str> = rep.weak.iter().map(|w| w.org.code.as_str()).collect();
        assert!(listed.contains(&"F003"), "{listed:?}");
        assert!(
            !listed.contains(&"F004") && !listed.contains(&"F005"),
            "{listed:?}"
        );
        assert!(!listed.contains(&"F007"), "{listed:?}");
    }
);

contract_test!(s13_groups_do_not_swamp_the_share, |db: TestDb| async move {
    let app = on(&db, TODAY);
    load(&app).await;
    let r = uc::org_rating(&app, &dept(), "F009", 2025).await.unwrap();
    assert_eq!(
        signal(&r, "OrgLifeNotHeld"),
        (
            "正常".into(),
            "2025-01-01至2025-12-31应开展组织生活46项，按规定开展38项（82.6%）".into()
        )
    );
});
