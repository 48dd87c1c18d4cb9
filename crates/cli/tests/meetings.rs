//! `jiceng import meetings` and `jiceng report compliance` as a user runs them.

mod common;
use common::*;

use std::path::Path;

/// `jiceng ARGS` on the test database.
fn on_t(dir: &Path, args: &[&str]) -> (i32, String, String) {
    run(dir, &t_db(args))
}

/// `jiceng report compliance --org Z1` on the test database, with `more` arguments.
fn compliance(dir: &Path, more: &[&str]) -> (i32, String, String) {
    on_t(
        dir,
        &[&["report", "compliance", "--org", "Z1"][..], more].concat(),
    )
}

/// `jiceng import meetings FILE --format json` on the test database, with `more` arguments.
fn import_meetings(dir: &Path, file: &str, more: &[&str]) -> (i32, String, String) {
    let args = ["import", "meetings", file, "--format", "json"];
    on_t(dir, &[&args[..], more].concat())
}

#[test]
fn a_ledger_imported_and_judged_from_the_command_line() {
    let dir = scratch("flow");
    std::fs::write(
        dir.join("orgs.csv"),
        "组织名称,组织类别,上级党组织,所属领域,成立日期,是否设立支委会,组织代码\n\
         某镇党委,党委,,乡镇,1990-01-01,是,Z1\n\
         甲村党支部,党支部,Z1,农村,2000-01-01,否,Z2\n\
         乙村党支部,党支部,Z1,农村,2000-01-01,是,Z3\n\
         甲村第一党小组,党小组,Z2,农村,2000-01-01,否,Z4\n",
    )
    .unwrap();
    let (code, out, err) = on_t(&dir, &["init"]);
    assert_eq!(code, 0, "{out}{err}");
    let (code, out, err) = on_t(&dir, &["import", "orgs", "orgs.csv"]);
    assert_eq!(code, 0, "{out}{err}");

    // A GBK ledger with a title line, aliases for the columns and dates as ledgers write them.
    let ledger = "某镇2026年第三季度三会一课台账\n\
        党组织名称,会议类别,召开日期,会议内容,应到,实到,请假,主持人,会议地点,群众参与人数\n\
        甲村党支部,主题党日,2026-07-01,学习,10,9,1,张三,村部,2\n\
        甲村党支部,主题党日,2026/8/1,学习,10,9,1,张三,村部,0\n\
        甲村党支部,主题党日,2026年9月30日,学习,10,9,1,张三,,\n\
        甲村党支部,党员大会,2026-07-01,学习,10,9,1,张三,,\n\
        甲村党支部,党课,2026-07-01,学习,10,9,1,张三,,\n\
        甲村第一党小组,党小组会,2026-07-01,学习,5,5,0,李四,,\n\
        甲村第一党小组,党小组会,2026-08-01,学习,5,5,0,李四,,\n\
        甲村第一党小组,党小组会,2026-09-01,学习,5,5,0,李四,,\n\
        乙村党支部,支委会,2026-07-01,学习,3,3,0,王五,,\n\
        乙村党支部,支委会,2026-10-01,学习,3,3,0,王五,,\n";
    let (bytes, _, bad) = encoding_rs::GBK.encode(ledger);
    assert!(!bad);
    std::fs::write(dir.join("ledger.csv"), bytes).unwrap();
    let v = json(import_meetings(&dir, "ledger.csv", &["--org", "Z1"]));
    assert_eq!(
        (v["rows"].as_u64(), v["written"].as_u64()),
        (Some(10), Some(10))
    );
    // Twice: nothing added.
    let (code, out, _) = import_meetings(&dir, "ledger.csv", &[]);
    assert_eq!(code, 0);
    let v: serde_json::Value = serde_json::from_str(&out).unwrap();
    assert_eq!(
        (v["written"].as_u64(), v["unchanged"].as_u64()),
        (Some(0), Some(10))
    );

    // Q3: 甲村 complies; 乙村 held two committee meetings of three months (one is in Q4)
    // and nothing else.
    let v = json(on_t(
        &dir,
        &[
            "report",
            "compliance",
            "--org",
            "某镇党委",
            "--period",
            "2026Q3",
            "--format",
            "json",
        ],
    ));
    assert_eq!(v["period"], "2026Q3");
    assert_eq!(
        (v["branches"].as_u64(), v["compliant"].as_u64()),
        (Some(2), Some(1))
    );
    assert_eq!(v["rate"], 0.5);
    assert_eq!(v["noncompliant"].as_array().unwrap().len(), 1);
    let missing = &v["noncompliant"][0]["missing"];
    assert_eq!(v["noncompliant"][0]["org"]["code"], "Z3");
    let kinds: Vec<(&str, u64, u64)> = missing
        .as_array()
        .unwrap()
        .iter()
        .map(|m| {
            (
                m["kind"].as_str().unwrap(),
                m["due"].as_u64().unwrap(),
                m["held"].as_u64().unwrap(),
            )
        })
        .collect();
    assert_eq!(
        kinds,
        vec![
            ("GeneralMeeting", 1, 0),
            ("CommitteeMeeting", 3, 1),
            ("PartyLecture", 1, 0),
            ("ThemeDay", 3, 0)
        ]
    );
    assert!(v["held_nothing"].as_array().unwrap().is_empty());

    // A table and a workbook.
    let (code, out, _) = compliance(&dir, &["--period", "2026-08"]);
    assert_eq!(code, 0);
    assert!(out.contains("2026年8月"), "{out}");
    let (code, out, _) = compliance(
        &dir,
        &["--period", "2026", "--format", "xlsx", "--out", "c.xlsx"],
    );
    assert_eq!(code, 0, "{out}");
    assert!(dir.join("c.xlsx").exists());

    // No period, or a bad one: a clear error and exit 2.
    let (code, _, err) = compliance(&dir, &[]);
    assert_eq!(code, 2);
    assert!(err.contains("--period"), "{err}");
    let (code, _, err) = compliance(&dir, &["--period", "2026Q5"]);
    assert_eq!(code, 2);
    assert!(err.contains("2026Q5"), "{err}");

    // A bad ledger: exit 1, nothing written.
    std::fs::write(
        dir.join("bad.csv"),
        "党组织,会议类型,会议日期,会议主题,应到人数,实到人数,请假人数,主持人\n\
         甲村党支部,主题党日,2026-11-01,好,10,9,1,张三\n\
         甲村党支部,主题党日,2027-01-01,未来,10,9,1,张三\n",
    )
    .unwrap();
    let (code, out, _) = import_meetings(&dir, "bad.csv", &[]);
    assert_eq!(code, 1, "{out}");
    let v: serde_json::Value = serde_json::from_str(&out).unwrap();
    assert_eq!(v["errors"][0]["row"], 3);
    assert_eq!(v["written"], 0);
    let _ = std::fs::remove_dir_all(&dir);
}
