//! Issue 12, the facts area: offices, committees, terms, structure as of a day, and the
//! imports of orgs, members and units read as a real county's files are, on SQLite and
//! PostgreSQL. Each test is a dated example branch of the rules review (S-numbers):
//!
//! | org | example | expected |
//! |---|---|---|
//! | 一村党支部 F02 | S2: roster without 党内职务 | no SecretaryVacant; 暂无数据 (书记任职未登记) |
//! | 二村党支部 F03 | S2b: 张 left 2025-09-30, 李 from 2026-03-01 | vacancy as of 2026-01-31, none today |
//! | 民企党支部 F04 | S4: 12 full, 是否设立支委会 blank | no CommitteeMissing; 暂无数据 |
//! | 国企第二党支部 F05 | S5: elected 2023-05-10, 任期年限 5 | no term anomaly in 2026 |
//! | 街道党工委 F06 | S6: appointed, founded 2001 | no term |
//! | 镇机关党支部 F07 | S7: township organ branch, elected 2021-03-15 | expired 2024-03-15; a postponement moves it |
//! | 社区党委 F08 | S8: founded 2008, no election recorded | 暂无数据, not expired; an election recorded clears it |
//! | 重点工程临时党支部 F09 | S18: 临时党支部 | no BranchUnder3Full, no SecretaryVacant |
//! | 局机关党总支 F10 | S19: 总支 under 50 with 批准机关 | no GeneralBranchSize (F11 without approval fires) |
//! | 一村 | S21: a member transferred in | not the village's latest recruit |
//! | 一村 | S23: joined 1944 at 16 | imported, with a note |

mod common;

use common::*;
use jiceng_app::import::{self, ImportOptions, NoProgress};
use jiceng_app::org_admin::{EventInput, OrgFields};
use jiceng_app::reports::structure::{self, StructureReport};
use jiceng_app::{member_admin, App};
use jiceng_domain::PositionKind;
use jiceng_store::testing::TestDb;
use jiceng_store::{contract_test, orgs as org_store, positions, Scope};

fn opts() -> ImportOptions {
    ImportOptions {
        actor: dept(),
        ..ImportOptions::default()
    }
}

const ORGS: [&str; 11] = [
    "党组织名称",
    "党组织类别",
    "上级党组织",
    "所属领域",
    "区划代码",
    "成立日期",
    "最近换届日期",
    "是否设立支委会",
    "组织代码",
    "批准机关",
    "任期年限",
];

#[allow(clippy::too_many_arguments)]
fn org(
    name: &str,
    kind: &str,
    parent: &str,
    domain: &str,
    founded: &str,
    elected: &str,
    committee: &str,
    code: &str,
    approving: &str,
    years: &str,
) -> Option<Vec<C>> {
    Some(vec![
        s(name),
        s(kind),
        s(parent),
        s(domain),
        s(""),
        s(founded),
        s(elected),
        s(committee),
        s(code),
        s(approving),
        s(years),
    ])
}

fn org_file(dir: &Dir) -> std::path::PathBuf {
    let p = dir.file("组织.xlsx");
    #[rustfmt::skip]
    let rows = vec![
        org("测试镇党委", "党委", "", "乡镇", "1990-05-01", "2023-06-01", "是", "T001", "", ""),
        org("一村党支部", "党支部", "T001", "农村", "1998-03-01", "2024-01-10", "", "F02", "", ""),
        org("二村党支部", "党支部", "T001", "农村", "2000-03-01", "2024-01-10", "是", "F03", "", ""),
        org("民企党支部", "党支部", "T001", "非公企业", "2010-03-01", "2024-05-20", "", "F04", "", ""),
        org("国企第二党支部", "党支部", "T001", "国有企业", "2005-01-01", "2023-05-10", "是", "F05", "", "5"),
        org("街道党工委", "党工委", "", "街道", "2001-06-01", "", "", "F06", "", ""),
        org("镇机关党支部", "党支部", "T001", "乡镇", "2005-01-01", "2021-03-15", "否", "F07", "", ""),
        org("社区党委", "党委", "F06", "社区", "2008-10-01", "", "是", "F08", "", ""),
        org("重点工程临时党支部", "临时党支部", "T001", "国有企业", "2026-03-01", "", "", "F09", "", ""),
        org("局机关党总支", "党总支", "T001", "机关", "2015-01-01", "2025-01-01", "是", "F10", "机关工委", ""),
        org("局机关第二党总支", "党总支", "T001", "机关", "2015-01-01", "2025-01-01", "是", "F11", "", ""),
    ];
    xlsx(&p, "组织", &ORGS, &rows);
    p
}

const ROSTER: [&str; 15] = [
    "姓名",
    "性别",
    "出生日期",
    "公民身份号码",
    "人员类别",
    "入党日期",
    "转正日期",
    "所在党组织",
    "党内职务",
    "任职日期",
    "离任日期",
    "转入日期",
    "民族",
    "学历",
    "工作岗位",
];

struct Row<'a> {
    n: u16,
    name: &'a str,
    birth: &'a str,
    org: &'a str,
    joined: &'a str,
    position: &'a str,
    since: &'a str,
    until: &'a str,
    transferred: &'a str,
}

impl<'a> Row<'a> {
    /// A full member holding no office, never transferred (`n` numbers the ID).
    fn member(n: u16, name: &'a str, birth: &'a str, org: &'a str, joined: &'a str) -> Row<'a> {
        Row {
            n,
            name,
            birth,
            org,
            joined,
            position: "",
            since: "",
            until: "",
            transferred: "",
        }
    }

    /// The same member as the branch's secretary from `since` (until `until`, or still).
    fn secretary(self, since: &'a str, until: &'a str) -> Row<'a> {
        Row {
            position: "书记",
            since,
            until,
            ..self
        }
    }
}

fn row(r: &Row) -> Option<Vec<C>> {
    let birth = d(r.birth);
    let joined = d(r.joined);
    let full = joined.checked_add_months(chrono::Months::new(12)).unwrap();
    Some(vec![
        s(r.name),
        s("男"),
        s(r.birth),
        s(&id(r.n, birth, false)),
        s("正式党员"),
        s(r.joined),
        s(&full.to_string()),
        s(r.org),
        s(r.position),
        s(r.since),
        s(r.until),
        s(r.transferred),
        s("汉族"),
        s(""),
        s(""),
    ])
}

fn plain(n: u16, org: &str, joined: &str) -> Option<Vec<C>> {
    row(&Row::member(n, "党员", "1970-01-01", org, joined))
}

/// 李某, 二村's secretary from 2026-03-01.
fn li() -> Option<Vec<C>> {
    row(
        &Row::member(31, "李某", "1970-01-01", "二村党支部", "1999-07-01")
            .secretary("2026-03-01", ""),
    )
}

/// Writes `rows` as the roster `name` and imports it, asserting no row was refused.
async fn import_roster(
    app: &App,
    dir: &Dir,
    name: &str,
    rows: Vec<Option<Vec<C>>>,
) -> import::ImportReport {
    import_clean(app, Kind::Members, &roster(dir, name, rows), &opts()).await
}

fn roster(dir: &Dir, name: &str, rows: Vec<Option<Vec<C>>>) -> std::path::PathBuf {
    let p = dir.file(name);
    xlsx(&p, "党员名册", &ROSTER, &rows);
    p
}

/// The county as a new user loads it: the org file, then a roster without positions for
/// 一村 (S2) and with 12 members of 民企 (S4), 张 the secretary of 二村 (S2b), and the
/// two S21/S23 members of 一村.
async fn load(app: &App, dir: &Dir) {
    import_clean(app, Kind::Orgs, &org_file(dir), &opts()).await;
    let mut rows = Vec::new();
    for n in 0..4 {
        rows.push(plain(n, "一村党支部", "2000-07-01"));
    }
    // S21: the last local admission, and a native who joined at university.
    rows.push(plain(4, "一村党支部", "2023-06-10"));
    rows.push(row(&Row {
        transferred: "2026-07-01",
        ..Row::member(5, "林某", "2003-01-01", "一村党支部", "2025-05-20")
    }));
    // S23: a 离休 member who joined in 1944 at 16.
    rows.push(row(&Row::member(
        6,
        "老某",
        "1928-03-05",
        "一村党支部",
        "1944-08-01",
    )));
    for n in 10..22 {
        rows.push(plain(n, "民企党支部", "2005-07-01"));
    }
    rows.push(row(&Row::member(
        30,
        "张某",
        "1970-05-05",
        "二村党支部",
        "1995-07-01",
    )
    .secretary("2021-04-01", "")));
    for n in 31..34 {
        rows.push(plain(n, "二村党支部", "1999-07-01"));
    }
    let r = import_roster(app, dir, "名册.xlsx", rows).await;
    // S23: accepted, and the report says the age was not judged.
    assert!(
        r.notes
            .iter()
            .any(|n| n.message.contains("1944-08-01") && n.message.contains("未按规则检查")),
        "{:?}",
        r.notes
    );
}

/// An event of `kind` on the day `on`, with no end day.
fn event(kind: &str, on: &str) -> EventInput {
    EventInput {
        kind: kind.into(),
        on: d(on),
        until: None,
    }
}

/// An app with the township of this file loaded, and the folder of its files.
async fn loaded(db: &TestDb, label: &str) -> (App, Dir) {
    let app = app(db);
    let dir = Dir::new(label);
    load(&app, &dir).await;
    (app, dir)
}

async fn report(app: &App, day: &str) -> StructureReport {
    structure::live(app, &sys_org(app, "T001").await, d(day), None)
        .await
        .unwrap()
}

async fn report_of(app: &App, root: &str, day: &str) -> StructureReport {
    structure::live(app, &sys_org(app, root).await, d(day), None)
        .await
        .unwrap()
}

fn rules_of(r: &StructureReport, code: &str) -> Vec<String> {
    r.anomalies
        .iter()
        .filter(|a| a.org.code == code)
        .map(|a| a.rule.clone())
        .collect()
}

fn terms_of(r: &StructureReport, code: &str) -> Vec<String> {
    rules_of(r, code)
        .into_iter()
        .filter(|x| x.starts_with("Term"))
        .collect()
}

fn detail(r: &StructureReport, code: &str, rule: &str) -> Option<serde_json::Value> {
    r.anomalies
        .iter()
        .find(|a| a.org.code == code && a.rule == rule)
        .map(|a| a.detail.clone())
}

async fn stored(app: &App, code: &str) -> org_store::StoredOrg {
    let mut c = app.store().acquire().await.unwrap();
    org_store::get_by_code(&mut c, &Scope::All, code)
        .await
        .unwrap()
        .unwrap()
}

contract_test!(
    s2_no_secretary_on_record_is_unknown_not_vacant,
    |db: TestDb| async move {
        let (app, _dir) = loaded(&db, "s2").await;
        let o = stored(&app, "F02").await;
        assert!(!o.facts.has_secretary);
        assert_eq!(
            o.facts.secretary_vacant_since, None,
            "never the founding date"
        );
        let r = report(&app, TODAY).await;
        assert!(!rules_of(&r, "F02").contains(&"SecretaryVacant".to_string()));
        // The stored anomalies (facts refresh) agree with the live check.
        let kept = structure::run(&app, &sys_org(&app, "T001").await, d(TODAY))
            .await
            .unwrap();
        assert_eq!(kept.counts, r.counts);
        let missing = r.missing.clone().unwrap();
        // 一村, 民企, 国企第二, 镇机关, the two 局机关总支 and the 镇党委 have no secretary on
        // record (二村 has 张; the temporary branch is not asked).
        assert_eq!(missing["Secretary"], 7, "{missing:?}");
    }
);

contract_test!(
    s2b_a_secretary_who_left_leaves_a_dated_vacancy,
    |db: TestDb| async move {
        let (app, dir) = loaded(&db, "s2b").await;
        // The new roster: 张 left on 2025-09-30 (离任日期), 李 is secretary from 2026-03-01.
        let rows = vec![
            row(
                &Row::member(30, "张某", "1970-05-05", "二村党支部", "1995-07-01")
                    .secretary("2021-04-01", "2025-09-30"),
            ),
            li(),
        ];
        let _r = import_roster(&app, &dir, "新名册.xlsx", rows).await;
        let during = report(&app, "2026-01-31").await;
        assert_eq!(
            detail(&during, "F03", "SecretaryVacant").unwrap()["since"],
            "2025-09-30"
        );
        let now = report(&app, TODAY).await;
        assert!(!rules_of(&now, "F03").contains(&"SecretaryVacant".to_string()));
        assert!(stored(&app, "F03").await.facts.has_secretary);
    }
);

contract_test!(
    s2b_a_new_secretary_ends_the_open_post,
    |db: TestDb| async move {
        let (app, dir) = loaded(&db, "s2b-auto").await;
        // The roster names 李 as secretary from 2026-03-01 and says nothing of 张.
        let rows = vec![li()];
        let r = import_roster(&app, &dir, "新名册.xlsx", rows).await;
        assert!(r
            .notes
            .iter()
            .any(|n| n.message.contains("原书记职务于2026-03-01结束")));
        let id = org_id(&app, "F03").await;
        let mut c = app.store().acquire().await.unwrap();
        let held = positions::of_orgs(&mut c, &[id]).await.unwrap();
        drop(c);
        let secretaries: Vec<_> = held
            .iter()
            .filter(|p| p.kind == PositionKind::Secretary)
            .map(|p| (p.started_on, p.ended_on))
            .collect();
        assert_eq!(secretaries.len(), 2);
        assert!(secretaries.contains(&(Some(d("2021-04-01")), Some(d("2026-03-01")))));
        assert!(secretaries.contains(&(Some(d("2026-03-01")), None)));
        // Importing the same roster again changes nothing.
        let again = import_roster(&app, &dir, "新名册2.xlsx", vec![li()]).await;
        assert_eq!(again.written, 0);
    }
);

contract_test!(
    positions_end_by_hand_and_vacancies_are_recorded,
    |db: TestDb| async move {
        let (app, _dir) = loaded(&db, "end").await;
        let id = org_id(&app, "F03").await;
        let mut c = app.store().acquire().await.unwrap();
        let held = positions::of_orgs(&mut c, &[id]).await.unwrap();
        drop(c);
        let zhang = held
            .iter()
            .find(|p| p.kind == PositionKind::Secretary)
            .unwrap();
        async {
            member_admin::end_position(
                &app,
                &dept().grant()?,
                zhang.id,
                d("2026-08-10"),
                "调任县委",
            )
            .await
        }
        .await
        .unwrap();
        let o = stored(&app, "F03").await;
        assert!(!o.facts.has_secretary);
        assert_eq!(o.facts.secretary_vacant_since, Some(d("2026-08-10")));
        assert_eq!(
            detail(&report(&app, TODAY).await, "F03", "SecretaryVacant").unwrap()["since"],
            "2026-08-10"
        );
        // Ending it again is refused.
        assert!(async {
            member_admin::end_position(&app, &dept().grant()?, zhang.id, d("2026-08-11"), "再次")
                .await
        }
        .await
        .is_err());
        // A vacancy with no predecessor on record (一村), recorded on the org.
        let one = org_id(&app, "F02").await;
        let vacant = event("secretary_vacant", "2026-05-01");
        record_event(&app, &dept(), one, &vacant, "原书记去世，无任职记录")
            .await
            .unwrap();
        assert_eq!(
            detail(&report(&app, TODAY).await, "F02", "SecretaryVacant").unwrap()["since"],
            "2026-05-01"
        );
        // Both audited, with the reason.
        let mut c = app.store().acquire().await.unwrap();
        let (n,): (i64,) = sqlx::query_as(
            "SELECT COUNT(*) FROM audit_event WHERE (target = $1 OR target LIKE 'member:%') \
             AND (after LIKE '%调任县委%' OR after LIKE '%原书记去世%')",
        )
        .bind(format!("org:{one}"))
        .fetch_one(&mut *c)
        .await
        .unwrap();
        assert_eq!(n, 2);
    }
);

contract_test!(
    s4_committee_not_stated_is_unknown,
    |db: TestDb| async move {
        let (app, _dir) = loaded(&db, "s4").await;
        let o = stored(&app, "F04").await;
        assert_eq!(o.org.committee, None);
        assert_eq!(o.facts.subtree_full, 12);
        let r = report(&app, TODAY).await;
        assert!(!rules_of(&r, "F04").contains(&"CommitteeMissing".to_string()));
        // 民企 (12 full) and 一村 (7 full) need a committee and did not say.
        assert_eq!(r.missing.as_ref().unwrap()["Committee"], 2);
        // 否 is a statement: 镇机关 (0 members) is no anomaly, but 民企 stated 否 is.
        let mut f = OrgFields::of(&o.org);
        f.committee = Some(false);
        f.committee_on = Some(d("2026-01-01"));
        edit_org(&app, &dept(), o.org.id, &f, "核实：未设支委会")
            .await
            .unwrap();
        assert_eq!(stored(&app, "F04").await.org.committee, Some(false));
        let r = report(&app, TODAY).await;
        assert!(rules_of(&r, "F04").contains(&"CommitteeMissing".to_string()));
        // Before the statement's day the committee is unknown again.
        let r = report(&app, "2025-12-31").await;
        assert!(!rules_of(&r, "F04").contains(&"CommitteeMissing".to_string()));
        // Elected on 2026-11-20: from that day on it exists.
        let mut f = OrgFields::of(&stored(&app, "F04").await.org);
        f.committee = Some(true);
        f.committee_on = Some(d("2026-11-20"));
        edit_org(&app, &dept(), o.org.id, &f, "选举产生支委会")
            .await
            .unwrap();
        let after = stored(&app, "F04").await;
        assert_eq!(after.org.committee, Some(true));
        assert!(
            !rules_of(&report(&app, TODAY).await, "F04").contains(&"CommitteeMissing".to_string())
        );
        assert!(rules_of(&report(&app, "2026-11-19").await, "F04")
            .contains(&"CommitteeMissing".to_string()));
    }
);

contract_test!(
    s5_s6_s7_s8_terms_by_kind_override_and_postponement,
    |db: TestDb| async move {
        let (app, _dir) = loaded(&db, "terms").await;
        let r = report(&app, "2026-06-30").await;
        // S5: an approved 5-year branch term.
        assert_eq!(stored(&app, "F05").await.org.term_years, Some(5));
        assert!(terms_of(&r, "F05").is_empty(), "{:?}", rules_of(&r, "F05"));
        // S7: a township organ branch has 3 years: expired 2024-03-15.
        assert_eq!(
            detail(&r, "F07", "TermExpired").unwrap()["ends_on"],
            "2024-03-15"
        );
        // S6 and S8 (under the 党工委): no term for the 党工委, and a 社区党委 with no
        // election on record is 暂无数据, not expired since 2013.
        let w = report_of(&app, "F06", "2026-06-30").await;
        assert!(
            w.anomalies.iter().all(|a| !a.rule.starts_with("Term")),
            "{:?}",
            w.anomalies
        );
        assert_eq!(w.missing.as_ref().unwrap()["Election"], 1);
        // Recording the election (2022-06-01) clears it and updates the row.
        let f08 = org_id(&app, "F08").await;
        record_event(
            &app,
            &dept(),
            f08,
            &event("election", "2022-06-01"),
            "换届选举",
        )
        .await
        .unwrap();
        assert_eq!(
            stored(&app, "F08").await.org.last_election_on,
            Some(d("2022-06-01"))
        );
        let w = report_of(&app, "F06", "2026-06-30").await;
        assert_eq!(w.missing.as_ref().unwrap()["Election"], 0);
        assert!(w.anomalies.iter().all(|a| !a.rule.starts_with("Term")));
        // S7 postponed: approved on 2024-03-01 until 2025-03-01.
        let f07 = org_id(&app, "F07").await;
        let too_long = EventInput {
            until: Some(d("2025-06-01")),
            ..event("term_postponed", "2024-03-01")
        };
        let e = record_event(&app, &dept(), f07, &too_long, "批准延期")
            .await
            .unwrap_err();
        assert!(e.to_string().contains("不超过1年"), "{e}");
        let a_year = EventInput {
            until: Some(d("2025-03-01")),
            ..too_long
        };
        record_event(&app, &dept(), f07, &a_year, "批准延期")
            .await
            .unwrap();
        assert!(!rules_of(&report(&app, "2024-12-01").await, "F07")
            .contains(&"TermExpired".to_string()));
        assert_eq!(
            detail(&report(&app, "2025-06-01").await, "F07", "TermExpired").unwrap()["ends_on"],
            "2025-03-01"
        );
    }
);

contract_test!(
    s18_s19_temporary_branch_and_approved_small_general_branch,
    |db: TestDb| async move {
        let (app, _dir) = loaded(&db, "s18").await;
        let tmp = stored(&app, "F09").await;
        assert!(tmp.org.temporary);
        assert_eq!(tmp.org.kind, jiceng_domain::OrgKind::Branch);
        let r = report(&app, TODAY).await;
        assert!(rules_of(&r, "F09").is_empty(), "{:?}", rules_of(&r, "F09"));
        assert!(rules_of(&r, "F10").is_empty(), "{:?}", rules_of(&r, "F10"));
        assert!(rules_of(&r, "F11").contains(&"GeneralBranchSize".to_string()));
        // The org form's checkbox keeps it.
        let mut f = OrgFields::of(&tmp.org);
        f.temporary = false;
        edit_org(&app, &dept(), tmp.org.id, &f, "转为常设支部")
            .await
            .unwrap();
        assert!(
            rules_of(&report(&app, TODAY).await, "F09").contains(&"BranchUnder3Full".to_string())
        );
    }
);

contract_test!(
    s21_a_member_transferred_in_is_not_a_recruit,
    |db: TestDb| async move {
        let (app, _dir) = loaded(&db, "s21").await;
        let mut c = app.store().acquire().await.unwrap();
        let orgs = jiceng_store::ratings::orgs(&mut c, &Scope::All)
            .await
            .unwrap();
        let one = orgs.iter().find(|o| o.code == "F02").unwrap();
        assert_eq!(one.subtree_last_joined, Some(d("2023-06-10")));
    }
);

contract_test!(
    structure_as_of_a_past_day_counts_that_days_members_and_orgs,
    |db: TestDb| async move {
        let (app, _dir) = loaded(&db, "asof").await;
        // On 2010-01-01 民企 (founded 2010-03-01) did not exist yet.
        let r = report(&app, "2010-01-01").await;
        assert!(rules_of(&r, "F04").is_empty());
        // 二村 (founded 2000-03-01): 张 joined in 1995, the other three on 1999-07-01 and
        // became full members on 2000-07-01; on 2000-06-01 it had one full member.
        let r = report(&app, "2000-06-01").await;
        assert_eq!(detail(&r, "F03", "BranchUnder3Full").unwrap()["full"], 1);
        assert!(
            !rules_of(&report(&app, TODAY).await, "F03").contains(&"BranchUnder3Full".to_string())
        );
        // A future dissolution does not hide an org today.
        let mut c = app.store().acquire().await.unwrap();
        sqlx::query("UPDATE org SET dissolved_on = '2027-06-30' WHERE code = 'F11'")
            .execute(&mut *c)
            .await
            .unwrap();
        drop(c);
        assert!(
            rules_of(&report(&app, TODAY).await, "F11").contains(&"GeneralBranchSize".to_string())
        );
        assert!(rules_of(&report(&app, "2027-07-01").await, "F11").is_empty());
    }
);

contract_test!(
    units_without_an_org_are_filed_under_the_import_org,
    |db: TestDb| async move {
        let (app, dir) = loaded(&db, "units").await;
        let p = dir.file("单位.xlsx");
        let unit = |name: &str, serial: u64, cover: &str, org: &str| {
            Some(vec![
                s(name),
                s(&credit(serial, "91")),
                s("非公企业"),
                s(""),
                s("存续"),
                C::N(20.0),
                C::N(0.0),
                s(cover),
                s(org),
                s(if cover.contains("指导员") {
                    "王指导员"
                } else {
                    ""
                }),
            ])
        };
        xlsx(
            &p,
            "单位",
            &UNIT_HEADER,
            &[
                unit("甲公司", 101, "未覆盖", ""),
                unit("乙公司", 102, "选派党建指导员", ""),
                unit("丙公司", 103, "单独组建", ""),
            ],
        );
        let o = ImportOptions {
            org: Some(sys_org(&app, "T001").await),
            skip_invalid: true,
            ..opts()
        };
        let r = import::units::run(&app, &p, &o, &NoProgress).await.unwrap();
        assert_eq!(r.errors.len(), 1, "{:?}", r.errors);
        assert_eq!(r.errors[0].row, 5);
        assert_eq!(r.errors[0].column, "所属党组织");
        assert!(
            r.errors[0].message.contains("单独组建"),
            "{}",
            r.errors[0].message
        );
        assert_eq!(r.written, 2);
        // Without --org the blank is refused, saying why.
        let r = import::units::run(&app, &p, &opts(), &NoProgress)
            .await
            .unwrap();
        assert!(r.errors.iter().any(|e| e.message.contains("导入范围")));
    }
);

contract_test!(
    s25_an_overdue_probation_is_said_not_assumed,
    |db: TestDb| async move {
        let (app, dir) = loaded(&db, "s25").await;
        let mut r = row(&Row::member(
            40,
            "预备某",
            "1990-01-01",
            "二村党支部",
            "2023-05-12",
        ))
        .unwrap();
        r[4] = s("预备党员");
        r[6] = C::E;
        let rep = import_roster(&app, &dir, "预备.xlsx", vec![Some(r)]).await;
        assert!(
            rep.notes
                .iter()
                .any(|n| n.row == 3 && n.message.contains("请核实是否已转正")),
            "{:?}",
            rep.notes
        );
        // Still counted as probationary: 二村 has 4 full members, not 5.
        assert_eq!(stored(&app, "F03").await.facts.subtree_full, 4);
    }
);

contract_test!(
    an_org_created_by_hand_records_its_election_and_committee,
    |db: TestDb| async move {
        let (app, _dir) = loaded(&db, "create").await;
        let parent = org_id(&app, "T001").await;
        let f = OrgFields {
            name: "新建党支部".into(),
            kind: "Branch".into(),
            founded_on: Some(d("2020-01-01")),
            last_election_on: Some(d("2024-01-01")),
            committee: Some(true),
            committee_on: Some(d("2024-01-01")),
            term_years: Some(5),
            records_from: Some(d("2025-01-01")),
            ..OrgFields::default()
        };
        let id = create_org(&app, &dept(), parent, &f, "新建").await.unwrap();
        let mut c = app.store().acquire().await.unwrap();
        let h = jiceng_store::history::of_orgs(&mut c, &[id])
            .await
            .unwrap()
            .remove(&id)
            .unwrap();
        assert_eq!(h.last_election_on(d(TODAY)), Some(d("2024-01-01")));
        assert_eq!(h.committee_on(d("2023-12-31")), None);
        assert_eq!(h.committee_on(d(TODAY)), Some(true));
        assert_eq!(h.records_from, Some(d("2025-01-01")));
        assert_eq!(h.term_years, Some(5));
    }
);
