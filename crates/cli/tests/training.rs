//! `jiceng import training` (a sign-in list) and `jiceng report training` as a user runs
//! them: a secretary with 40 学时 is flagged (owes 56), a member with 32 is not.

mod common;
use common::*;

use chrono::NaiveDate;

fn id(seq: u16, birth: &str) -> String {
    let birth = NaiveDate::parse_from_str(birth, "%Y-%m-%d").unwrap();
    jiceng_domain::IdNumber::synthesize("370102", birth, seq)
        .as_str()
        .to_string()
}

#[test]
fn a_sign_in_list_imported_and_the_year_reported() {
    let dir = scratch("training");
    std::fs::write(
        dir.join("orgs.csv"),
        "组织名称,组织类别,上级党组织,所属领域,成立日期,是否设立支委会,组织代码\n\
         某镇党委,党委,,乡镇,1990-01-01,是,Z1\n\
         甲村党支部,党支部,Z1,农村,2000-01-01,否,Z2\n",
    )
    .unwrap();
    let (one, two) = (id(1, "1970-01-01"), id(3, "1971-02-02"));
    std::fs::write(
        dir.join("members.csv"),
        format!(
            "姓名,公民身份号码,人员类别,入党日期,所在党组织,职务,任职时间\n\
             张一,{one},正式党员,2000-07-01,甲村党支部,书记,2024-01-01\n\
             张二,{two},正式党员,2001-07-01,甲村党支部,,\n"
        ),
    )
    .unwrap();
    std::fs::write(
        dir.join("signin.csv"),
        format!(
            "甲村党支部培训签到表\n\
             培训名称,开始日期,学时,培训方式,姓名,公民身份号码\n\
             集中轮训,2026-03-01,32,线下,张一,{one}\n\
             集中轮训,2026-03-01,32,线下,张二,{two}\n\
             专题网课,2026-06-01,8,线上,张一,{one}\n"
        ),
    )
    .unwrap();
    ok(run(&dir, &t_db(&["init"])));
    ok(run(&dir, &t_db(&["import", "orgs", "orgs.csv"])));
    ok(run(
        &dir,
        &t_db(&["import", "members", "members.csv", "--org", "Z1"]),
    ));
    let v = json(run(
        &dir,
        &t_db(&[
            "import",
            "training",
            "signin.csv",
            "--org",
            "Z2",
            "--format",
            "json",
        ]),
    ));
    assert_eq!(
        (v["rows"].as_u64(), v["written"].as_u64()),
        (Some(3), Some(3)),
        "{v}"
    );

    let report = ["report", "training", "--org", "Z1", "--period", "2026"];
    let v = json(run(
        &dir,
        &t_db(&[&report[..], &["--format", "json"]].concat()),
    ));
    assert_eq!(v["short_total"], 1, "{v}");
    let short = v["short"].as_array().unwrap();
    assert_eq!(short.len(), 1);
    assert_eq!(short[0]["name"], "张一");
    assert_eq!(short[0]["hours"], "40");
    assert_eq!(
        short[0]["standing"], "还差16学时",
        "the year runs: progress"
    );
    let masked = short[0]["id_number"].as_str().unwrap();
    assert!(masked.contains('*') && masked != one, "{masked}");
    let child = &v["children"][0];
    assert_eq!(
        (
            child["code"].as_str(),
            child["members"].as_i64(),
            child["met"].as_i64()
        ),
        (Some("Z2"), Some(2), Some(1))
    );
    assert_eq!(v["staffing"]["townships_short"], 1, "{v}");

    let table = ok(run(&dir, &t_db(&report)));
    assert!(
        table.contains("张一") && !table.contains("张二："),
        "{table}"
    );
    ok(run(
        &dir,
        &t_db(&[&report[..], &["--format", "xlsx", "--out", "t.xlsx"]].concat()),
    ));
    assert_eq!(&std::fs::read(dir.join("t.xlsx")).unwrap()[..2], b"PK");
    // Hours are counted by calendar year.
    let (code, _, err) = run(
        &dir,
        &t_db(&["report", "training", "--org", "Z1", "--period", "2026Q3"]),
    );
    assert_ne!(code, 0);
    assert!(err.contains("自然年度"), "{err}");
    let _ = std::fs::remove_dir_all(&dir);
}
