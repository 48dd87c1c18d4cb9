//! Rating, weak orgs and rectification from the command line (SPEC C5): rate a township,
//! read the weak-org report, confirm a weakness, run its case to 验收销号, export.

mod common;
use common::*;

use std::path::Path;

fn run(dir: &Path, today: &str, args: &[&str]) -> (i32, String, String) {
    let mut c = jiceng(Some(KEY), today);
    output(
        c.current_dir(dir)
            .args(args)
            .args(["--db", "sqlite://r.db"]),
    )
}

/// `GROUP STEP --org Z2 --year 2026`, then `more`, on `today`.
fn z2_2026(
    dir: &Path,
    today: &str,
    [group, step]: [&str; 2],
    more: &[&str],
) -> (i32, String, String) {
    let args = [group, step, "--org", "Z2", "--year", "2026"];
    run(dir, today, &[&args[..], more].concat())
}

/// `report WHAT` of the township Z1 for 2026 on `today`, as JSON.
fn z1_report(dir: &Path, today: &str, what: &str) -> serde_json::Value {
    let args = [
        "report", what, "--org", "Z1", "--year", "2026", "--format", "json",
    ];
    json(run(dir, today, &args))
}

/// The entry of the JSON array `list` for the org `code`.
fn entry_of<'a>(list: &'a serde_json::Value, code: &str) -> &'a serde_json::Value {
    list.as_array()
        .unwrap()
        .iter()
        .find(|x| x["org"]["code"] == code)
        .unwrap_or_else(|| panic!("{code} listed: {list}"))
}

#[test]
fn rate_diagnose_and_rectify_from_the_command_line() {
    let dir = scratch("flow");
    let day = "2026-12-15";
    std::fs::write(
        dir.join("orgs.csv"),
        "组织名称,组织类别,上级党组织,所属领域,成立日期,最近换届日期,是否设立支委会,组织代码\n\
         某镇党委,党委,,乡镇,1990-01-01,2024-05-01,是,Z1\n\
         甲村党支部,党支部,Z1,农村,2000-01-01,2025-01-01,否,Z2\n",
    )
    .unwrap();
    ok(run(&dir, day, &["init"]));
    ok(run(&dir, day, &["import", "orgs", "orgs.csv"]));
    // 甲村's secretary left on 2025-06-01 and nobody followed (a vacancy recorded by hand:
    // no secretary on record at all would be 暂无数据, not 瘫 — issue 12).
    ok(run(
        &dir,
        day,
        &[
            "org",
            "event",
            "--org",
            "Z2",
            "--kind",
            "secretary_vacant",
            "--on",
            "2025-06-01",
            "--reason",
            "原书记调离，无任职记录",
        ],
    ));

    let out = ok(run(
        &dir,
        day,
        &["rate", "--org", "Z1", "--year", "2026", "--format", "json"],
    ));
    let v: serde_json::Value = serde_json::from_str(&out).unwrap();
    assert_eq!(v["rated"], 2, "{out}");

    // 甲村's secretary has been vacant since 2025-06-01: 瘫, with its evidence.
    let v = z1_report(&dir, day, "weak");
    let z2 = entry_of(&v["weak"], "Z2");
    let para = z2["weaknesses"]
        .as_array()
        .unwrap()
        .iter()
        .find(|x| x["kind"] == "Paralysis")
        .expect("瘫");
    assert_eq!(para["status"], "suspected");
    assert_eq!(para["signals"][0]["rule"], "SecretaryVacant");
    assert!(para["signals"][0]["evidence"]
        .as_str()
        .unwrap()
        .contains("2025-06-01"));
    let table = ok(run(
        &dir,
        day,
        &["report", "weak", "--org", "Z1", "--year", "2026"],
    ));
    assert!(table.contains("暂无数据"), "{table}");
    // A member's own discipline case is recorded without --team and marks nothing; one
    // against the team says so.
    let out = ok(run(
        &dir,
        day,
        &[
            "weak",
            "case",
            "--org",
            "Z2",
            "--date",
            "2026-05-01",
            "--subject",
            "党员",
            "--summary",
            "违规操办婚宴",
            "--source",
            "县纪委监委通报",
        ],
    ));
    assert!(!out.contains("涉及班子成员"), "{out}");

    // Unknown kind, missing year: clear errors.
    let (code, _, err) = z2_2026(
        &dir,
        day,
        ["weak", "confirm"],
        &["--kind", "胖", "--reason", "核实"],
    );
    assert_ne!(code, 0);
    assert!(err.contains("无法识别的问题类型"), "{err}");
    let (code, _, err) = run(&dir, day, &["report", "weak", "--org", "Z1"]);
    assert_ne!(code, 0);
    assert!(err.contains("--year"), "{err}");

    // Records for signals, then the decision and the case.
    ok(z2_2026(
        &dir,
        day,
        ["weak", "funding"],
        &[
            "--kind",
            "collective-income",
            "--amount",
            "20000",
            "--source",
            "村财务报表",
        ],
    ));
    ok(z2_2026(
        &dir,
        day,
        ["weak", "signal"],
        &[
            "--kind",
            "乱",
            "--evidence",
            "宗族势力干扰换届",
            "--source",
            "县委政法委通报",
        ],
    ));
    let out = ok(z2_2026(
        &dir,
        day,
        ["weak", "confirm"],
        &["--kind", "乱", "--reason", "经核实宗族势力干扰换届"],
    ));
    assert!(out.contains("已建立整顿台账"), "{out}");
    ok(z2_2026(
        &dir,
        day,
        ["rectify", "plan"],
        &["--measure", "选举产生支部书记|镇党委组织委员|2027-01-31"],
    ));
    let out = ok(z2_2026(
        &dir,
        day,
        ["rectify", "assign"],
        &["--cadre", "县委常委王某"],
    ));
    assert!(out.contains("县委政法委"), "{out}");
    ok(z2_2026(
        &dir,
        day,
        ["rectify", "progress"],
        &["--text", "已提名人选", "--evidence", "镇党委会议纪要"],
    ));
    // In February the measure is overdue.
    let out = ok(run(&dir, "2027-02-15", &["rectify", "overdue", "--json"]));
    let v: serde_json::Value = serde_json::from_str(&out).unwrap();
    assert_eq!(v.as_array().unwrap().len(), 1, "{out}");
    assert_eq!(v[0]["days_overdue"], 15);
    let (code, _, err) = z2_2026(
        &dir,
        "2027-02-15",
        ["rectify", "accept"],
        &["--note", "合格"],
    );
    assert_ne!(code, 0);
    assert!(err.contains("尚有整改措施未完成"), "{err}");
    ok(z2_2026(
        &dir,
        "2027-02-15",
        ["rectify", "done"],
        &["--measure", "1"],
    ));
    ok(z2_2026(
        &dir,
        "2027-02-15",
        ["rectify", "accept"],
        &["--note", "经验收合格"],
    ));
    let v = z1_report(&dir, "2027-02-15", "rectification");
    assert_eq!(
        (v["cases"].as_i64(), v["closed"].as_i64()),
        (Some(1), Some(1)),
        "{v}"
    );
    assert_eq!(v["items"][0]["stage"], "Accepted");

    // Exports and the per-org view.
    for what in ["weak", "rectification", "ratings"] {
        let file = format!("{what}.xlsx");
        ok(run(
            &dir,
            "2027-02-15",
            &[
                "report", what, "--org", "Z1", "--year", "2026", "--format", "xlsx", "--out", &file,
            ],
        ));
        let bytes = std::fs::read(dir.join(&file)).unwrap();
        assert_eq!(&bytes[..2], b"PK", "{what}: a real xlsx");
    }
    let out = ok(z2_2026(&dir, day, ["rating", "show"], &[]));
    assert!(
        out.contains("书记配备到位") && out.contains("暂无数据"),
        "{out}"
    );
    ok(z2_2026(
        &dir,
        day,
        ["rating", "adjust"],
        &["--stars", "2", "--reason", "群众评议较差"],
    ));
    let v = z1_report(&dir, day, "ratings");
    let z2 = entry_of(&v["items"], "Z2");
    assert_eq!(
        (z2["stars"].as_i64(), z2["adjusted"].as_bool()),
        (Some(2), Some(true))
    );
    let _ = std::fs::remove_dir_all(&dir);
}
