//! The binary as a user runs it: exit codes, JSON reports, workbooks, `--db` anywhere.

mod common;
use common::*;

use std::path::Path;

fn write_csv(path: &Path, text: &str, gbk: bool) {
    if gbk {
        let (bytes, _, bad) = encoding_rs::GBK.encode(text);
        assert!(!bad);
        std::fs::write(path, bytes).unwrap();
    } else {
        std::fs::write(path, text).unwrap();
    }
}

#[test]
fn import_then_report_from_the_command_line() {
    let dir = scratch("flow");
    // A GBK CSV with a title line, as exported by an old system.
    write_csv(
        &dir.join("orgs.csv"),
        "某镇党组织一览表\n组织名称,组织类别,上级党组织,所属领域,成立日期,最近换届日期,是否设立支委会,组织代码\n某镇党委,党委,,乡镇,1990-01-01,2024-05-01,是,Z1\n甲村党支部,党支部,Z1,农村,2000-01-01,2025-01-01,否,Z2\n",
        true,
    );
    // Only init creates a database.
    let (code, out, err) = run(&dir, &["init", "--db", "sqlite://t.db"]);
    assert_eq!(code, 0, "{out}{err}");
    let v = json(run(
        &dir,
        &[
            "import",
            "orgs",
            "orgs.csv",
            "--db",
            "sqlite://t.db",
            "--format",
            "json",
        ],
    ));
    assert_eq!(
        (
            v["rows"].as_u64(),
            v["valid"].as_u64(),
            v["written"].as_u64()
        ),
        (Some(2), Some(2), Some(2))
    );
    assert!(v["errors"].as_array().unwrap().is_empty());

    // A roster with one bad row: exit 1, the row named, nothing written.
    write_csv(
        &dir.join("members.csv"),
        "姓名,性别,出生日期,公民身份号码,人员类别,入党日期,所在党组织\n张三,男,1949-12-31,11010519491231002X,正式党员,1975-07-01,甲村党支部\n李四,男,1949-12-31,110105194912310021,正式党员,1975-07-01,甲村党支部\n",
        false,
    );
    // --db before the subcommand works as well as after it.
    let (code, out, _) = run(
        &dir,
        &[
            "--db",
            "sqlite://t.db",
            "import",
            "members",
            "members.csv",
            "--format",
            "json",
        ],
    );
    assert_eq!(code, 1);
    let v: serde_json::Value = serde_json::from_str(&out).unwrap();
    let errors = v["errors"].as_array().unwrap();
    assert!(
        errors
            .iter()
            .any(|e| e["row"] == 3 && e["column"] == "公民身份号码"),
        "{out}"
    );
    assert!(
        errors
            .iter()
            .any(|e| e["row"] == 2 && e["column"] == "性别"),
        "张三's ID is a woman's: {out}"
    );
    assert_eq!(v["written"], 0);

    let (code, out, _) = run(
        &dir,
        &[
            "report",
            "members",
            "--org",
            "某镇党委",
            "--db",
            "sqlite://t.db",
            "--format",
            "json",
        ],
    );
    assert_eq!(code, 0);
    let v: serde_json::Value = serde_json::from_str(&out).unwrap();
    assert_eq!(v["total"], 0);

    let (code, out, err) = run(
        &dir,
        &[
            "report",
            "structure",
            "--org",
            "Z1",
            "--db",
            "sqlite://t.db",
            "--format",
            "xlsx",
            "--out",
            "s.xlsx",
        ],
    );
    assert_eq!(code, 0, "{out}{err}");
    let bytes = std::fs::read(dir.join("s.xlsx")).unwrap();
    assert_eq!(&bytes[..2], b"PK", "a real xlsx (zip) file");

    // Unknown org: a clear Chinese error and a non-zero exit.
    let (code, _, err) = run(
        &dir,
        &[
            "report",
            "coverage",
            "--org",
            "没有这个组织",
            "--db",
            "sqlite://t.db",
        ],
    );
    assert_ne!(code, 0);
    assert!(err.contains("找不到党组织"), "{err}");
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn a_missing_file_is_named() {
    let dir = scratch("missing");
    assert_eq!(run(&dir, &["init", "--db", "sqlite://t.db"]).0, 0);
    let (code, _, err) = run(
        &dir,
        &["import", "orgs", "nope.xlsx", "--db", "sqlite://t.db"],
    );
    assert_ne!(code, 0);
    assert!(err.contains("nope.xlsx"), "{err}");
    let _ = std::fs::remove_dir_all(&dir);
}

/// The README's main job without the server: the demo county is built once (real
/// divisions, a year of meetings, this year's ratings), the accounts printed; a second run
/// reuses the database and can log in with the printed accounts' passwords.
#[test]
fn demo_builds_once_and_prints_the_accounts() {
    let dir = scratch("demo");
    let (code, out, err) = run(&dir, &["demo", "--no-serve"]);
    assert_eq!(code, 0, "{out}\n{err}");
    assert!(dir.join("jiceng-demo.db").exists());
    assert!(out.contains("正在生成演示县"), "{out}");
    assert!(out.contains("次组织生活"), "{out}");
    assert!(out.contains("年度星级评定"), "{out}");
    // 党务公开: the demo branch's public page address is printed.
    assert!(out.contains("向社会公开，无需登录：/p/"), "{out}");
    for role in [
        "admin",
        "department",
        "committee",
        "secretary",
        "inspector",
        "member",
        "auditor",
        "security",
    ] {
        assert!(
            out.contains(&format!("demo-{role}")) && out.contains(&format!("Demo@{role}2026")),
            "account of {role}: {out}"
        );
    }
    // The privileged accounts come with their TOTP secrets (base32, 32 characters).
    for role in ["admin", "security", "department", "auditor"] {
        let line = out
            .lines()
            .find(|l| {
                l.trim_start().starts_with(&format!("demo-{role} "))
                    && l.contains("密钥")
                    && !l.contains("密码")
            })
            .unwrap_or_else(|| panic!("secret of {role}: {out}"));
        let secret = line.split("密钥").nth(1).unwrap().trim();
        assert_eq!(secret.len(), 32, "{line}");
    }
    // The ratings are stored: the ratings report of the county lists stars.
    let (code, json, err) = run(
        &dir,
        &[
            "--db",
            "sqlite://jiceng-demo.db",
            "report",
            "ratings",
            "--org",
            "370830-00001",
            "--year",
            "2026",
            "--format",
            "json",
        ],
    );
    assert_eq!(code, 0, "{err}");
    let v: serde_json::Value = serde_json::from_str(&json).unwrap();
    assert!(v["rated"].as_i64().unwrap() > 1000, "{json}");
    // 任务督办: the county's and the township's tasks, some overdue; the month's ledger
    // finds the township's villages over the ceiling (4 a month: 5 reached them this month).
    assert!(
        out.contains("任务督办：县委组织部和演示乡镇下达 7 项任务"),
        "{out}"
    );
    assert!(
        out.contains("述职评议考核：演示乡镇党委听取党支部书记述职评议"),
        "{out}"
    );
    assert!(
        out.contains("群众诉求：演示乡镇党委受理 6 件并交办各村"),
        "{out}"
    );
    // 经费保障: two villages' 运转经费 below the standard.
    assert!(
        out.contains("经费保障：演示乡镇党委登记本年度经费"),
        "{out}"
    );
    assert!(out.contains("运转经费低于标准"), "{out}");
    assert!(
        out.contains(
            "群众满意度测评：演示乡镇党委对 3 个党支部开展测评，各发放测评码 20 张，收回 22 份"
        ),
        "{out}"
    );
    let demo = |args: &[&str]| {
        let mut all = vec!["--db", "sqlite://jiceng-demo.db", "report"];
        all.extend_from_slice(args);
        all.extend_from_slice(&["--org", "370830-00001"]);
        run(&dir, &all)
    };
    let (code, json, err) = demo(&["tasks", "--period", "2026", "--format", "json"]);
    assert_eq!(code, 0, "{err}");
    let v: serde_json::Value = serde_json::from_str(&json).unwrap();
    assert_eq!(v["tasks"].as_array().unwrap().len(), 7, "{json}");
    assert!(v["totals"]["overdue"].as_i64().unwrap() > 0, "{json}");
    assert!(v["totals"]["done"].as_i64().unwrap() > 0, "{json}");
    // The township's overdue 党员信息采集核对, its outcomes imported from a sheet for its
    // issuer: a row naming no org of the township is refused and nothing is written; the
    // right row is written as the branch's report.
    let check = v["tasks"]
        .as_array()
        .unwrap()
        .iter()
        .find(|l| l["task"]["title"] == "党员信息采集核对")
        .unwrap_or_else(|| panic!("{json}"));
    let task = check["task"]["id"].as_i64().unwrap().to_string();
    let late = check["overdue"][0]["code"].as_str().unwrap().to_string();
    let outcomes = |rows: &str| {
        write_csv(
            &dir.join("outcomes.csv"),
            &format!("党组织代码,信息有变动的党员人数,进展情况,是否完成\n{rows}"),
            false,
        );
        run(
            &dir,
            &[
                "--db",
                "sqlite://jiceng-demo.db",
                "import",
                "task-outcomes",
                "--task",
                &task,
                "outcomes.csv",
                "--format",
                "json",
            ],
        )
    };
    let (code, out, err) = outcomes(&format!("{late},1.5,已核对,是\nX-NONE,0,已核对,是\n"));
    assert_eq!(code, 1, "{out}{err}");
    let r: serde_json::Value = serde_json::from_str(&out).unwrap();
    assert_eq!(
        (r["written"].as_i64(), r["errors_total"].as_i64()),
        (Some(0), Some(1)),
        "{out}"
    );
    assert_eq!(r["errors"][0]["column"], "党组织代码", "{out}");
    let (code, out, err) = outcomes(&format!("{late},2,已核对,是\n"));
    assert_eq!(code, 0, "{out}{err}");
    let r: serde_json::Value = serde_json::from_str(&out).unwrap();
    assert_eq!(r["written"], 1, "{out}");
    let (code, _, err) = run(
        &dir,
        &[
            "--db",
            "sqlite://jiceng-demo.db",
            "import",
            "task-outcomes",
            "outcomes.csv",
        ],
    );
    assert_ne!(code, 0);
    assert!(err.contains("--task"), "{err}");
    let (code, table, err) = demo(&["burden", "--period", "2026-12"]);
    assert_eq!(code, 0, "{err}");
    assert!(table.contains("超过上限"), "{table}");
    let (code, json, err) = demo(&["inspections", "--period", "2026", "--format", "json"]);
    assert_eq!(code, 0, "{err}");
    let v: serde_json::Value = serde_json::from_str(&json).unwrap();
    assert_eq!(v["inspections"].as_array().unwrap().len(), 2, "{json}");
    assert_eq!(v["open"].as_array().unwrap().len(), 1, "{json}");
    assert_eq!(v["open"][0]["status"], "Overdue", "{json}");
    let (code, _, err) = demo(&["burden", "--period", "2026"]);
    assert_ne!(code, 0);
    assert!(err.contains("减负台账按月统计"), "{err}");
    // 述职评议考核: the township's round of its branches' reports, an integrity report and a
    // departure audit; graded by the rule, problems open and one overdue.
    let (code, json, err) = demo(&["duty", "--period", "2026", "--format", "json"]);
    assert_eq!(code, 0, "{err}");
    let v: serde_json::Value = serde_json::from_str(&json).unwrap();
    let lines = v["lines"].as_array().unwrap();
    assert!(lines.len() >= 2, "{json}");
    assert!(lines.iter().any(|l| l["grade"] == "Good"), "{json}");
    assert!(lines.iter().any(|l| l["grade"] == "FairlyGood"), "{json}");
    let sum = |k: &str| lines.iter().map(|l| l[k].as_i64().unwrap()).sum::<i64>();
    assert_eq!(
        (sum("integrity"), sum("departure"), sum("problems")),
        (1, 1, 4),
        "{json}"
    );
    assert_eq!((sum("open"), sum("overdue")), (3, 1), "{json}");
    let (code, table, err) = demo(&["duty", "--period", "2026"]);
    assert_eq!(code, 0, "{err}");
    assert!(
        table.contains("述职评议考核") && table.contains("较好"),
        "{table}"
    );
    let (code, _, err) = demo(&["duty", "--period", "2026-12"]);
    assert_ne!(code, 0);
    assert!(err.contains("述职评议考核按年度统计"), "{err}");
    // 群众诉求 of the year: six received, four resolved, one past the limit; the requests
    // listed without their requesters.
    let (code, json, err) = demo(&["requests", "--period", "2026", "--format", "json"]);
    assert_eq!(code, 0, "{err}");
    let v: serde_json::Value = serde_json::from_str(&json).unwrap();
    let c = &v["counts"];
    assert_eq!(
        (
            c["received"].as_i64(),
            c["resolved"].as_i64(),
            c["overdue"].as_i64()
        ),
        (Some(6), Some(4), Some(1)),
        "{json}"
    );
    assert_eq!(v["requests"].as_array().unwrap().len(), 6, "{json}");
    assert!(
        !json.contains("\"requester\"") && !json.contains("\"phone\""),
        "{json}"
    );
    let (code, table, err) = demo(&["requests", "--period", "2026-12"]);
    assert_eq!(code, 0, "{err}");
    assert!(table.contains("群众诉求，受理期间 2026-12"), "{table}");
    // 活动场所: the demo township's two, the second standing empty in the second quarter;
    // the demo branch's secretary paid below the standard last year.
    let (code, json, err) = demo(&["venues", "--year", "2026", "--format", "json"]);
    assert_eq!(code, 0, "{err}");
    let v: serde_json::Value = serde_json::from_str(&json).unwrap();
    let venues = v["venues"]["venues"].as_array().unwrap();
    assert_eq!(venues.len(), 2, "{json}");
    let room = venues
        .iter()
        .find(|x| x["name"].as_str().unwrap().ends_with("党员活动室"))
        .unwrap();
    assert_eq!(room["quarters"][1], "idle", "{json}");
    assert!(v["venues"]["flagged"].as_i64().unwrap() >= 1, "{json}");
    let (code, json, err) = demo(&["venues", "--year", "2025", "--format", "json"]);
    assert_eq!(code, 0, "{err}");
    let v: serde_json::Value = serde_json::from_str(&json).unwrap();
    assert!(v["pay"]["below"].as_i64().unwrap() >= 1, "{json}");
    let (code, table, err) = demo(&["venues", "--year", "2026"]);
    assert_eq!(code, 0, "{err}");
    assert!(table.contains("铁将军把门"), "{table}");
    // 结对共建 of the year: the one pairing of the demo branch, counted by kind.
    let (code, json, err) = demo(&["pairing", "--year", "2026", "--format", "json"]);
    assert_eq!(code, 0, "{err}");
    let v: serde_json::Value = serde_json::from_str(&json).unwrap();
    assert_eq!(v["total"].as_i64(), Some(1), "{json}");
    assert_eq!(v["covered"].as_i64(), Some(1), "{json}");
    let (code, table, err) = demo(&["pairing", "--year", "2026"]);
    assert_eq!(code, 0, "{err}");
    assert!(table.contains("部门包村 1"), "{table}");
    // Again: nothing is rebuilt.
    let (code, again, err) = run(&dir, &["demo", "--no-serve"]);
    assert_eq!(code, 0, "{again}\n{err}");
    assert!(!again.contains("正在生成演示县"), "{again}");
    assert!(again.contains("Demo@secretary2026"));
}

/// `jiceng permissions` prints the permission table and the route table as
/// docs/PERMISSIONS.md has them (no database needed).
#[test]
fn permissions_print_the_table_of_the_docs() {
    let out = jiceng(Some(KEY), TODAY)
        .arg("permissions")
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let printed = String::from_utf8(out.stdout).unwrap();
    let doc = std::fs::read_to_string(
        std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../docs/PERMISSIONS.md"),
    )
    .unwrap();
    assert_eq!(printed, doc);
    assert!(printed.contains("| 认定或排除软弱涣散，登记违纪案件 | `DecideWeakness` |"));
    assert!(printed.contains("| POST | `/orgs/{id}/weak/decide` | `DecideWeakness` | Org |"));
}

#[test]
fn development_is_scored_by_hand_and_a_quarter_is_reported() {
    let dir = scratch("scorecard-hand");
    write_csv(
        &dir.join("orgs.csv"),
        "组织名称,组织类别,上级党组织,所属领域,成立日期,最近换届日期,是否设立支委会,组织代码\n某镇党委,党委,,乡镇,1990-01-01,2024-05-01,是,Z1\n甲村党支部,党支部,Z1,农村,2000-01-01,2025-01-01,否,Z2\n",
        false,
    );
    ok(run(&dir, &["init", "--db", "sqlite://t.db"]));
    ok(run(&dir, &t_db(&["import", "orgs", "orgs.csv"])));
    let out = ok(run(
        &dir,
        &t_db(&[
            "scorecard",
            "score",
            "--org",
            "Z2",
            "--period",
            "2026",
            "--score",
            "85",
            "--reason",
            "集体经济项目见效",
        ]),
    ));
    assert!(out.contains("85分"), "{out}");
    let v = json(run(
        &dir,
        &t_db(&[
            "report",
            "scorecard",
            "--org",
            "Z1",
            "--period",
            "2026",
            "--format",
            "json",
        ]),
    ));
    let dev = &v["measures"]["Development"];
    let ind = dev["indicators"]
        .as_array()
        .unwrap()
        .iter()
        .find(|i| i["code"] == "development_score")
        .unwrap();
    assert_eq!(ind["score"].as_f64(), Some(85.0), "{dev}");
    // Out of range, and a period that cannot be read: refused in Chinese, nothing stored.
    let (code, _, err) = run(
        &dir,
        &t_db(&[
            "scorecard",
            "score",
            "--org",
            "Z2",
            "--period",
            "2026",
            "--score",
            "120",
            "--reason",
            "理由",
        ]),
    );
    assert_ne!(code, 0);
    assert!(err.contains("0至100"), "{err}");
    let (code, _, err) = run(
        &dir,
        &t_db(&["report", "scorecard", "--org", "Z1", "--period", "2026Q5"]),
    );
    assert_ne!(code, 0);
    assert!(err.contains("无法识别的期间"), "{err}");
    let q = json(run(
        &dir,
        &t_db(&[
            "report",
            "scorecard",
            "--org",
            "Z1",
            "--period",
            "2026Q1",
            "--format",
            "json",
        ]),
    ));
    assert_eq!(q["period"], "2026Q1");
    assert_eq!(q["period_label"], "2026年第一季度");
}
