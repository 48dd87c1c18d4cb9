//! `jiceng import requests`, `jiceng import pairing` and `jiceng import funding` as a user
//! runs them: a township's 群众诉求台账, 结对共建台账 and 经费保障台账 imported, and imported
//! again without doubling.

mod common;
use common::*;

#[test]
fn the_requests_and_pairing_registers_import_once() {
    let dir = scratch("registers");
    std::fs::write(
        dir.join("orgs.csv"),
        "组织名称,组织类别,上级党组织,所属领域,成立日期,是否设立支委会,组织代码\n\
         某镇党委,党委,,乡镇,1990-01-01,是,Z1\n\
         甲村党支部,党支部,Z1,农村,2000-01-01,否,Z2\n",
    )
    .unwrap();
    std::fs::write(
        dir.join("requests.csv"),
        "某镇群众诉求台账\n\
         编号,受理日期,渠道,类别,诉求内容,承办组织,承办人,办结日期,办理结果,群众评价\n\
         Q-1,2026-03-02,走访,基础设施,村道积水,甲村党支部,甲村书记,2026-03-10,已修补,满意\n\
         ,2026-03-05,来电,环境,河道垃圾,Z2,甲村书记,,,\n",
    )
    .unwrap();
    std::fs::write(
        dir.join("funding.csv"),
        "组织名称或代码,年度,经费类型,来源,金额（元）,备注\n\
         甲村党支部,2026,运转经费,财政,80000,\n\
         Z2,2026,村集体经济收入,集体经济,120000,\n",
    )
    .unwrap();
    std::fs::write(
        dir.join("pairing.csv"),
        "结对类型,支持方,受援组织,共建内容,开始日期,结束日期\n\
         部门包村,县农业农村局,甲村党支部,帮建村级活动场所,2026-03-01,\n",
    )
    .unwrap();
    ok(run(&dir, &t_db(&["init"])));
    ok(run(&dir, &t_db(&["import", "orgs", "orgs.csv"])));
    for (kind, file, rows) in [
        ("requests", "requests.csv", 2),
        ("pairing", "pairing.csv", 1),
        ("funding", "funding.csv", 2),
    ] {
        let args = ["import", kind, file, "--org", "Z1", "--format", "json"];
        let v = json(run(&dir, &t_db(&args)));
        assert_eq!(
            (v["rows"].as_u64(), v["written"].as_u64()),
            (Some(rows), Some(rows)),
            "{kind}: {v}"
        );
        let v = json(run(&dir, &t_db(&args)));
        assert_eq!(
            (v["written"].as_u64(), v["unchanged"].as_u64()),
            (Some(0), Some(rows)),
            "{kind} again: {v}"
        );
    }
}
