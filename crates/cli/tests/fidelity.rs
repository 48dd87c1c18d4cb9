//! Issue 12's "done when", as a new user would do it from the command line, on SQLite and
//! PostgreSQL: a township whose roster lacks the optional columns, a ledger that combines
//! kinds and holds the 2026年度 组织生活会 in February 2027, a committee elected mid-year, a
//! secretary who left on a known day. The current quarter asked on its fifth day fails
//! nobody; the 2026 rating asked in January 2027 reads 2026's facts; records dated 2027
//! leave 2026 unchanged. Every expected figure is computed by hand in the comments.

mod common;
use common::*;

use std::path::Path;

use serde_json::Value;

fn run(dir: &Path, db: &str, today: &str, args: &[&str]) -> (i32, String, String) {
    output(
        jiceng(Some(KEY), today)
            .current_dir(dir)
            .args(["--db", db])
            .args(args),
    )
}

/// A valid synthetic citizen ID (GB 11643) for a birth date and a serial.
fn id(birth: &str, serial: u32, female: bool) -> String {
    let seq = serial * 2 + u32::from(!female);
    let body = format!("110105{}{:03}", birth.replace('-', ""), seq % 1000);
    const W: [u32; 17] = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2];
    let sum: u32 = body
        .chars()
        .zip(W)
        .map(|(c, w)| c.to_digit(10).unwrap() * w)
        .sum();
    let check = b"10X98765432"[(sum % 11) as usize] as char;
    format!("{body}{check}")
}

/// Members of a branch: `n` full members who joined long ago.
fn members(branch: &str, first: u32, n: u32) -> Vec<(String, String, String, String)> {
    (0..n)
        .map(|i| {
            let birth = format!("19{}-0{}-1{}", 60 + i, 1 + i % 9, i % 10);
            let female = i % 2 == 0;
            (
                format!("党员{}{}", branch, i + first),
                if female { "女" } else { "男" }.to_string(),
                birth.clone(),
                id(&birth, first + i, female),
            )
        })
        .collect()
}

fn indicator<'a>(rating: &'a Value, code: &str) -> &'a Value {
    rating["current"]["indicators"]
        .as_array()
        .unwrap_or_else(|| panic!("indicators: {rating}"))
        .iter()
        .find(|i| i["code"] == code)
        .unwrap_or_else(|| panic!("{code} in {rating}"))
}

fn signal<'a>(rating: &'a Value, rule: &str) -> &'a Value {
    rating["signals"]
        .as_array()
        .unwrap_or_else(|| panic!("signals: {rating}"))
        .iter()
        .find(|s| s["rule"] == rule)
        .unwrap_or_else(|| panic!("{rule} in {rating}"))
}

/// The ledger rows of one branch for the months `from..=to` of 2026: a theme day each month,
/// a combined "主题党日暨党员大会" and a 党课 in each quarter's last month, and 支委会 for
/// the months given.
fn ledger_rows(branch: &str, from: u32, to: u32, committee: &[u32]) -> String {
    let mut s = String::new();
    for m in from..=to {
        let kind = if m % 3 == 0 {
            "主题党日暨党员大会"
        } else {
            "主题党日"
        };
        s += &format!("{branch},{kind},2026-{m:02}-15,第{m}月学习,8,8,0,书记\n");
        if m % 3 == 0 {
            s += &format!(
                "{branch},党课,2026-{m:02}-16,第{}季度党课,8,8,0,书记\n",
                m / 3
            );
        }
        if committee.contains(&m) {
            s += &format!("{branch},支委会,2026-{m:02}-25,研究工作,3,3,0,书记\n");
        }
    }
    s
}

const LEDGER_HEADER: &str = "党组织名称,会议类别,召开日期,会议内容,应到,实到,请假,主持人\n";

fn scenario(dir: &Path, db: &str) {
    // The township: two villages. No 是否设立支委会, no 最近换届日期 columns.
    std::fs::write(
        dir.join("orgs.csv"),
        "组织名称,组织类别,上级党组织,所属领域,成立日期,组织代码\n\
         某镇党委,党委,,乡镇,1990-01-01,T\n\
         甲村党支部,党支部,T,农村,1998-03-01,A\n\
         乙村党支部,党支部,T,农村,2003-05-01,B\n",
    )
    .unwrap();
    // 甲村's roster has only the required columns (no 党内职务): its secretary is unknown.
    let mut roster = "姓名,性别,出生日期,公民身份号码,人员类别,入党日期,所在党组织\n".to_string();
    for (name, gender, birth, idn) in members("甲村", 1, 9) {
        roster += &format!("{name},{gender},{birth},{idn},正式党员,1995-07-01,甲村党支部\n");
    }
    std::fs::write(dir.join("a.csv"), roster).unwrap();
    // 乙村's roster names its secretary, who left on 2026-09-30.
    let mut roster =
        "姓名,性别,出生日期,公民身份号码,人员类别,入党日期,所在党组织,党内职务,任职日期,离任日期\n"
            .to_string();
    let b = members("乙村", 20, 8);
    for (i, (name, gender, birth, idn)) in b.iter().enumerate() {
        let post = if i == 0 {
            "书记,2021-04-01,2026-09-30"
        } else {
            ",,"
        };
        roster += &format!("{name},{gender},{birth},{idn},正式党员,1996-07-01,乙村党支部,{post}\n");
    }
    std::fs::write(dir.join("b.csv"), roster).unwrap();

    // `import WHAT FILE --org T` on `day`, which must succeed.
    let import = |day: &str, what: &str, file: &str| {
        ok(run(dir, db, day, &["import", what, file, "--org", "T"]));
    };
    // The township's compliance report for `period`, asked on `day`.
    let compliance = |day: &str, period: &str| {
        let args = [
            "report",
            "compliance",
            "--org",
            "T",
            "--period",
            period,
            "--format",
            "json",
        ];
        json(run(dir, db, day, &args))
    };
    let day = "2026-10-05";
    ok(run(dir, db, day, &["init"]));
    ok(run(dir, db, day, &["import", "orgs", "orgs.csv"]));
    import(day, "members", "a.csv");
    import(day, "members", "b.csv");
    // 乙村 elected its first 支委会 at a 党员大会 on 2026-06-20.
    for kind in ["election", "committee_set"] {
        ok(run(
            dir,
            db,
            day,
            &[
                "org",
                "event",
                "--org",
                "B",
                "--kind",
                kind,
                "--on",
                "2026-06-20",
                "--reason",
                "支部党员大会选举产生第一届支部委员会",
            ],
        ));
    }
    // The ledger to September: everything held; 乙村's 支委会 from June.
    let ledger = format!(
        "{LEDGER_HEADER}{}{}",
        ledger_rows("甲村党支部", 1, 9, &[]),
        ledger_rows("乙村党支部", 1, 9, &[6, 7, 8, 9])
    );
    std::fs::write(dir.join("ledger-q1-q3.csv"), ledger).unwrap();
    let v = json(run(
        dir,
        db,
        day,
        &[
            "import",
            "meetings",
            "ledger-q1-q3.csv",
            "--org",
            "T",
            "--format",
            "json",
        ],
    ));
    // 9 + 3 lectures for 甲村, the same plus 4 committee meetings for 乙村.
    assert_eq!(v["written"], 28, "{v}");

    // The current quarter on its fifth day: nothing is over, nobody fails.
    let v = compliance(day, "2026Q4");
    assert_eq!(v["judged_through"], Value::Null, "{v}");
    assert_eq!(v["rate"], Value::Null, "{v}");
    assert_eq!(v["noncompliant"].as_array().unwrap().len(), 0, "{v}");
    assert_eq!(v["held_nothing"].as_array().unwrap().len(), 0, "{v}");
    assert_eq!(v["pending"].as_array().unwrap().len(), 2, "{v}");
    // The year so far: through 30 September both comply (甲村's 支委会 unknown: 暂无数据;
    // 乙村 owes 支委会 from June, when its committee was elected, and held each).
    let v = compliance(day, "2026");
    assert_eq!(v["judged_through"], "2026-09-30", "{v}");
    assert_eq!(
        (v["branches"].as_u64(), v["compliant"].as_u64()),
        (Some(2), Some(2)),
        "{v}"
    );
    assert_eq!(v["noncompliant"].as_array().unwrap().len(), 0, "{v}");
    let no_data = v["no_data"].to_string();
    assert!(no_data.contains("甲村党支部"), "{v}");

    // Q4 recorded in January; the 2026 rating asked on 2027-01-20.
    let day = "2027-01-20";
    let ledger = format!(
        "{LEDGER_HEADER}{}{}",
        ledger_rows("甲村党支部", 10, 12, &[]),
        ledger_rows("乙村党支部", 10, 12, &[10, 11, 12])
    );
    std::fs::write(dir.join("ledger-q4.csv"), ledger).unwrap();
    import(day, "meetings", "ledger-q4.csv");
    let v = compliance(day, "2026");
    // Every span of 2026 is over; the 2026年度 组织生活会 and 民主评议 are still 待办 (their
    // window runs to 31 March 2027), so both branches comply and nothing is a shortfall.
    assert_eq!(v["judged_through"], "2026-12-31", "{v}");
    assert_eq!(
        (v["branches"].as_u64(), v["compliant"].as_u64()),
        (Some(2), Some(2)),
        "{v}"
    );
    assert!(v["pending"].to_string().contains("LifeMeeting"), "{v}");

    let rating = |org: &str, day: &str| {
        json(run(
            dir,
            db,
            day,
            &["rating", "show", "--org", org, "--year", "2026", "--json"],
        ))
    };
    let a = rating("A", day);
    // 甲村: no secretary, committee or election on record: 暂无数据, not 0.
    for code in ["SecretaryInPlace", "CommitteeComplete", "TermCurrent"] {
        let i = indicator(&a, code);
        assert_eq!(i["score"], Value::Null, "{code}: {i}");
        assert_eq!(i["state"], "no_data", "{code}: {i}");
    }
    assert_ne!(signal(&a, "SecretaryVacant")["state"], "触发", "{a}");
    // 乙村: vacant since 2026-09-30, more than three months on 2026-12-31: 0 and 瘫 fired;
    // the committee and the term (elected 2026-06-20) are in place.
    let b1 = rating("B", day);
    assert_eq!(indicator(&b1, "SecretaryInPlace")["score"], 0.0, "{b1}");
    assert_eq!(signal(&b1, "SecretaryVacant")["state"], "触发", "{b1}");
    assert_eq!(indicator(&b1, "CommitteeComplete")["score"], 100.0, "{b1}");
    assert_eq!(indicator(&b1, "TermCurrent")["score"], 100.0, "{b1}");
    assert_eq!(indicator(&b1, "ComplianceRate")["score"], 100.0, "{b1}");

    // 2027: a new secretary from 2027-01-10, the 2026年度 sessions on 2027-02-10, a theme
    // day in January. On 2027-02-20 the 2026 rating reads what it read in January.
    let day = "2027-02-20";
    let mut roster =
        "姓名,性别,出生日期,公民身份号码,人员类别,入党日期,所在党组织,党内职务,任职日期\n"
            .to_string();
    for (i, (name, gender, birth, idn)) in b.iter().enumerate() {
        let post = if i == 1 { "书记,2027-01-10" } else { "," };
        roster += &format!("{name},{gender},{birth},{idn},正式党员,1996-07-01,乙村党支部,{post}\n");
    }
    std::fs::write(dir.join("b-2027.csv"), roster).unwrap();
    import(day, "members", "b-2027.csv");
    let mut ledger = LEDGER_HEADER.to_string();
    for branch in ["甲村党支部", "乙村党支部"] {
        ledger += &format!(
            "{branch},组织生活会暨民主评议党员,2027-02-10,2026年度组织生活会,8,8,0,书记\n"
        );
        ledger += &format!("{branch},主题党日,2027-01-15,学习,8,8,0,书记\n");
    }
    std::fs::write(dir.join("ledger-2027.csv"), ledger).unwrap();
    import(day, "meetings", "ledger-2027.csv");
    let b2 = rating("B", day);
    for code in [
        "SecretaryInPlace",
        "CommitteeComplete",
        "TermCurrent",
        "ComplianceRate",
    ] {
        assert_eq!(
            indicator(&b2, code)["score"],
            indicator(&b1, code)["score"],
            "{code}: {b2}"
        );
    }
    assert_eq!(signal(&b2, "SecretaryVacant")["state"], "触发", "{b2}");
    let a2 = rating("A", day);
    assert_eq!(
        indicator(&a2, "SecretaryInPlace")["state"],
        "no_data",
        "{a2}"
    );
    // The 2026年度 sessions held in February are credited to 2026: nothing is 待办 any
    // more for 2026's yearly items, and both still comply.
    let v = compliance(day, "2026");
    assert_eq!(
        (v["branches"].as_u64(), v["compliant"].as_u64()),
        (Some(2), Some(2)),
        "{v}"
    );
    assert!(!v["pending"].to_string().contains("LifeMeeting"), "{v}");
}

#[test]
fn a_township_judged_as_a_new_user_would_on_sqlite() {
    let dir = scratch("sqlite");
    scenario(&dir, "sqlite://f.db");
}

#[test]
fn a_township_judged_as_a_new_user_would_on_postgres() {
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    let Some(db) = rt.block_on(jiceng_store::testing::TestDb::postgres()) else {
        return;
    };
    rt.block_on(db.store.close());
    let dir = scratch("postgres");
    scenario(&dir, &db.url);
    drop(db);
}
