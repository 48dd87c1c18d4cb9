//! `jiceng import recruitment`, `jiceng recruitment plan` and `jiceng report recruitment`
//! as a user runs them.

mod common;
use common::*;

use chrono::NaiveDate;

fn id(seq: u16, birth: &str) -> String {
    let birth = NaiveDate::parse_from_str(birth, "%Y-%m-%d").unwrap();
    jiceng_domain::IdNumber::synthesize("370102", birth, seq)
        .as_str()
        .to_string()
}

fn db(args: &[&str]) -> Vec<String> {
    ["--db", "sqlite://t.db"]
        .iter()
        .chain(args)
        .map(|s| s.to_string())
        .collect()
}

fn go(dir: &std::path::Path, args: &[&str]) -> (i32, String, String) {
    let args = db(args);
    let args: Vec<&str> = args.iter().map(String::as_str).collect();
    run(dir, &args)
}

#[test]
fn a_ledger_imported_planned_and_reported() {
    let dir = scratch("recruitment");
    std::fs::write(
        dir.join("orgs.csv"),
        "组织名称,组织类别,上级党组织,所属领域,成立日期,是否设立支委会,组织代码\n\
         某镇党委,党委,,乡镇,1990-01-01,是,Z1\n\
         甲村党支部,党支部,Z1,农村,2000-01-01,否,Z2\n",
    )
    .unwrap();
    std::fs::write(
        dir.join("members.csv"),
        format!(
            "姓名,公民身份号码,人员类别,入党日期,所在党组织\n\
             张一,{},正式党员,2000-07-01,甲村党支部\n\
             张二,{},正式党员,2001-07-01,甲村党支部\n",
            id(1, "1970-01-01"),
            id(3, "1971-02-02")
        ),
    )
    .unwrap();
    // 李一 was talked to five weeks after applying; 李二 walked the way to ⑰ in 2026.
    std::fs::write(
        dir.join("ledger.csv"),
        format!(
            "甲村发展党员工作台账\n\
             姓名,身份证号,学历,所在支部,申请入党时间,谈话日期,列为积极分子时间,培养联系人,确定为发展对象时间,入党介绍人,政审日期,培训天数,支委会审查日期,预审日期,公示开始,公示结束,支部大会日期,应到,实到,赞成,反对,弃权,表决方式,上级党委审批时间\n\
             李一,{},高中,甲村党支部,2026-03-02,2026-04-06,,,,,,,,,,,,,,,,,,\n\
             李二,{},大学本科,Z2,2024.9.2,2024.9.10,2024.11.1,张一,2025.12.1,张一、张二,2026.1.5,3,2026.2.2,2026.3.2,2026.3.9,2026.3.13,2026.3.20,8,8,8,0,0,无记名投票,2026.4.10\n",
            id(10, "1998-05-05"),
            id(12, "1997-06-06")
        ),
    )
    .unwrap();
    ok(go(&dir, &["init"]));
    ok(go(&dir, &["import", "orgs", "orgs.csv"]));
    ok(go(
        &dir,
        &["import", "members", "members.csv", "--org", "Z1"],
    ));
    let import = ["import", "recruitment", "ledger.csv", "--org", "Z1"];
    let v = json(go(&dir, &[&import[..], &["--format", "json"]].concat()));
    assert_eq!(
        (v["rows"].as_u64(), v["written"].as_u64()),
        (Some(2), Some(2)),
        "{v}"
    );
    let notes = v["notes"].as_array().unwrap();
    assert_eq!(notes.len(), 1, "{v}");
    assert_eq!(notes[0]["column"], "谈话日期");
    // Twice: nothing added.
    let again = ok(go(&dir, &import));
    assert!(again.contains("写入 0，无变化 2"), "{again}");

    let planned = ok(go(
        &dir,
        &[
            "recruitment",
            "plan",
            "--org",
            "Z1",
            "--year",
            "2026",
            "--target",
            "2",
            "--under-35",
            "2",
        ],
    ));
    assert!(planned.contains("已发展 1 人"), "{planned}");
    let (code, _, err) = go(
        &dir,
        &[
            "recruitment",
            "plan",
            "--org",
            "Z2",
            "--year",
            "2026",
            "--target",
            "3",
        ],
    );
    assert_eq!(code, 2);
    assert!(err.contains("超过上级某镇党委2026年计划2人"), "{err}");

    let report = ["report", "recruitment", "--org", "Z1", "--year", "2026"];
    let r = json(go(&dir, &[&report[..], &["--format", "json"]].concat()));
    assert_eq!(r["org"]["code"], "Z1");
    assert_eq!(r["year"], 2026);
    let stages = &r["by_stage"];
    assert_eq!(
        (
            stages["applicant"].as_i64(),
            stages["probationary"].as_i64()
        ),
        (Some(1), Some(1))
    );
    let v = r["violations"].as_array().unwrap();
    assert_eq!(v.len(), 1, "{r}");
    assert_eq!(
        (
            v[0]["person"]["name"].as_str(),
            v[0]["rule"].as_str(),
            v[0]["step"].as_i64()
        ),
        (Some("李一"), Some("talk_within_months"), Some(2))
    );
    assert!(v[0]["person"]["id_masked"].as_str().unwrap().contains('*'));
    let due: Vec<(String, i64)> = r["due"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| {
            (
                d["person"]["name"].as_str().unwrap().to_string(),
                d["step"].as_i64().unwrap(),
            )
        })
        .collect();
    assert_eq!(due, [("李一".to_string(), 3), ("李二".to_string(), 20)]);
    assert_eq!(r["due"][1]["step_name"], "入党宣誓");
    assert!(r["due"][1]["deadline"].is_null());
    let plan = &r["plan"];
    assert_eq!(
        (plan["target"].as_i64(), plan["admitted"].as_i64()),
        (Some(2), Some(1))
    );
    assert_eq!(plan["structure"]["under_35"]["target"], 2);
    assert_eq!(plan["structure"]["under_35"]["actual"], 1);
    assert_eq!(plan["structure"]["college"]["actual"], 1);
    assert_eq!(plan["structure"]["young_farmers"]["actual"], 1);

    let table = ok(go(&dir, &report));
    assert!(
        table.contains("违规（1 项）") && table.contains("李一"),
        "{table}"
    );
    let written = ok(go(
        &dir,
        &[&report[..], &["--format", "xlsx", "--out", "r.xlsx"]].concat(),
    ));
    assert!(
        written.contains("r.xlsx") && dir.join("r.xlsx").exists(),
        "{written}"
    );
    // The new member is on the roster, as a probationary member.
    let members = json(go(
        &dir,
        &["report", "members", "--org", "Z1", "--format", "json"],
    ));
    let counts = (members["total"].as_i64(), members["probationary"].as_i64());
    assert_eq!(counts, (Some(3), Some(1)));
}
