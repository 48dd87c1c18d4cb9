//! `jiceng user …`, `jiceng audit verify` and `jiceng key rotate` as an administrator runs
//! them on SQLite.

mod common;
use common::*;

use std::path::{Path, PathBuf};
use std::process::Command;

fn run_with(dir: &Path, key: Option<&str>, args: &[&str]) -> (i32, String, String) {
    output(jiceng(key, TODAY).current_dir(dir).args(args))
}

const ORGS: &str = "组织名称,组织类别,上级党组织,所属领域,组织代码\n某镇党委,党委,,乡镇,Z1\n甲村党支部,党支部,Z1,农村,Z2\n";
const MEMBERS: &str = "姓名,性别,出生日期,公民身份号码,人员类别,入党日期,所在党组织\n张三,女,1949-12-31,11010519491231002X,正式党员,1975-07-01,甲村党支部\n";

fn tamper(db: &Path, sql: &str) {
    let url = format!("sqlite://{}", db.display());
    let sql = sql.to_string();
    tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap()
        .block_on(async move {
            sqlx::any::install_default_drivers();
            let pool = sqlx::AnyPool::connect(&url).await.unwrap();
            sqlx::query(&sql).execute(&pool).await.unwrap();
            pool.close().await;
        });
}

/// `audit verify` on the test database fails (exit 1) and says `problem`.
fn verify_finds(dir: &Path, problem: &str) {
    let (code, out, _) = run(dir, &t_db(&["audit", "verify"]));
    assert_eq!(code, 1, "{out}");
    assert!(out.contains(problem), "{out}");
}

/// A scratch folder `label` whose test database holds the two orgs of `ORGS`.
fn township(label: &str) -> PathBuf {
    let dir = scratch(label);
    std::fs::write(dir.join("orgs.csv"), ORGS).unwrap();
    assert_eq!(run(&dir, &t_db(&["init"])).0, 0);
    let (code, out, err) = run(&dir, &t_db(&["import", "orgs", "orgs.csv"]));
    assert_eq!(code, 0, "{out}{err}");
    dir
}

/// `jiceng user add` on the test database: the answer.
fn add_user(
    dir: &Path,
    name: &str,
    org: &str,
    role: &str,
    password: &str,
) -> (i32, String, String) {
    let args = [
        "user",
        "add",
        "--username",
        name,
        "--org",
        org,
        "--role",
        role,
        "--password",
        password,
    ];
    run(dir, &t_db(&args))
}

#[test]
fn users_and_the_audit_chain_from_the_command_line() {
    let dir = township("users");

    let (code, out, err) = add_user(&dir, "zhen", "Z1", "committee", "Blue river 7");
    assert_eq!(code, 0, "{out}{err}");
    assert!(
        out.contains("已添加用户 zhen") && out.contains("某镇党委"),
        "{out}"
    );
    let (code, _, err) = add_user(&dir, "x", "Z2", "boss", "Blue river 7");
    assert_eq!(code, 2);
    assert!(
        err.contains("无法识别的角色") && err.contains("secretary"),
        "{err}"
    );
    let (code, _, err) = add_user(&dir, "x", "Z2", "secretary", "short");
    assert_eq!(code, 2);
    assert!(err.contains("密码至少需要8个字符"), "{err}");
    // The password may come from the environment instead.
    let mut c = Command::new(env!("CARGO_BIN_EXE_jiceng"));
    let out = c
        .current_dir(&dir)
        .env("JICENG_KEY", KEY)
        .env("JICENG_PASSWORD", "from the env 1")
        .args(t_db(&[
            "user",
            "add",
            "--username",
            "cun",
            "--org",
            "Z2",
            "--role",
            "secretary",
        ]))
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );

    let (code, out, _) = run(&dir, &t_db(&["user", "disable", "--username", "cun"]));
    assert_eq!(code, 0, "{out}");
    let (code, out, _) = run(
        &dir,
        &t_db(&[
            "user",
            "reset-password",
            "--username",
            "zhen",
            "--password",
            "New river 8",
        ]),
    );
    assert_eq!(code, 0, "{out}");
    let (code, out, _) = run(&dir, &t_db(&["user", "list"]));
    assert_eq!(code, 0);
    assert!(
        out.contains("zhen\t党（工）委\tZ1\t某镇党委\t正常"),
        "{out}"
    );
    assert!(
        out.contains("cun\t支部书记\tZ2\t甲村党支部\t已停用"),
        "{out}"
    );
    let (_, out, _) = run(&dir, &t_db(&["user", "list", "--json"]));
    let v: serde_json::Value = serde_json::from_str(&out).unwrap();
    assert_eq!(v.as_array().unwrap().len(), 2);
    assert!(!out.contains("argon2"), "no hash in the listing");

    // import, two adds, disable, reset: five entries, intact.
    let (code, out, _) = run(&dir, &t_db(&["audit", "verify"]));
    assert_eq!(code, 0, "{out}");
    assert!(
        out.contains("已检查 5 条审计记录") && out.contains("审计链完整"),
        "{out}"
    );

    // An edited entry is caught.
    tamper(
        &dir.join("t.db"),
        "UPDATE audit_event SET target = 'someone-else' WHERE seq = 3",
    );
    verify_finds(&dir, "第3条记录被修改");
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn rotating_the_key() {
    let dir = scratch("rotate");
    std::fs::write(dir.join("orgs.csv"), ORGS).unwrap();
    std::fs::write(dir.join("members.csv"), MEMBERS).unwrap();
    // The key file is created by init and remembered by the database.
    assert_eq!(run_with(&dir, None, &t_db(&["init"])).0, 0);
    assert_eq!(
        run_with(&dir, None, &t_db(&["import", "orgs", "orgs.csv"])).0,
        0
    );
    let (code, out, err) = run_with(&dir, None, &t_db(&["import", "members", "members.csv"]));
    assert_eq!(code, 0, "{out}{err}");
    assert!(dir.join("jiceng.key").exists());
    // Another key is refused before it can hash anyone.
    let (code, _, err) = run(&dir, &t_db(&["report", "members", "--org", "Z1"]));
    assert_eq!(code, 2);
    assert!(err.contains("密钥与数据库不符"), "{err}");

    let (code, out, err) = run_with(
        &dir,
        None,
        &t_db(&["key", "rotate", "--new-key-file", "new.key"]),
    );
    assert_eq!(code, 0, "{out}{err}");
    assert!(out.contains("重新加密 1 个身份证号"), "{out}");
    let (code, _, err) = run_with(&dir, None, &t_db(&["report", "members", "--org", "Z1"]));
    assert_eq!(code, 2, "the old key no longer fits");
    assert!(err.contains("密钥与数据库不符"), "{err}");
    // With the new key the same person is matched, not entered twice.
    let v = json(run_with(
        &dir,
        None,
        &t_db(&[
            "--key-file",
            "new.key",
            "import",
            "members",
            "members.csv",
            "--format",
            "json",
        ]),
    ));
    assert_eq!(
        (v["written"].as_u64(), v["unchanged"].as_u64()),
        (Some(0), Some(1))
    );
    let (code, out, _) = run_with(
        &dir,
        None,
        &t_db(&["--key-file", "new.key", "audit", "verify"]),
    );
    assert_eq!(code, 0, "{out}");
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn audit_anchors_export_and_retention_from_the_command_line() {
    let dir = township("anchors");
    // A command that wrote to the log anchored it beside the key file, for its owner only.
    let anchor = dir.join("jiceng-audit.anchor");
    let text = std::fs::read_to_string(&anchor).expect("anchor written");
    assert!(text.starts_with("1\t"), "{text}");
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(&anchor).unwrap().permissions().mode();
        assert_eq!(mode & 0o777, 0o600);
    }
    let (code, out, _) = run(&dir, &t_db(&["audit", "verify"]));
    assert_eq!(code, 0, "{out}");
    assert!(
        out.contains("已核对 1 个锚点") && out.contains("审计链完整"),
        "{out}"
    );

    let (code, out, err) = run(&dir, &t_db(&["audit", "export", "--out", "audit.xlsx"]));
    assert_eq!(code, 0, "{out}{err}");
    assert!(out.contains("已导出 1 条审计记录"), "{out}");
    assert!(dir.join("audit.xlsx").exists());
    let (code, out, err) = run(&dir, &t_db(&["audit", "export", "--out", "audit.csv"]));
    assert_eq!(code, 0, "{out}{err}");
    let csv = std::fs::read_to_string(dir.join("audit.csv")).unwrap();
    assert!(
        csv.contains("导出审计日志"),
        "the first export is in the second: {csv}"
    );
    assert_eq!(
        std::fs::read_to_string(&anchor).unwrap().lines().count(),
        3,
        "each export anchored"
    );

    // Retention: less than six months is refused, and so is a purge within it.
    let (code, _, err) = run(
        &dir,
        &t_db(&["--audit-retention-months", "5", "audit", "verify"]),
    );
    assert_eq!(code, 2);
    assert!(err.contains("不得少于6个月"), "{err}");
    let (code, _, err) = run(&dir, &t_db(&["audit", "purge", "--before", "2026-07-01"]));
    assert_eq!(code, 2);
    assert!(err.contains("须保存6个月"), "{err}");

    // The last entry cut off and the head moved back: the anchor finds it.
    tamper(&dir.join("t.db"), "DELETE FROM audit_event WHERE seq = 3");
    tamper(
        &dir.join("t.db"),
        "UPDATE audit_head SET seq = 2, hash = (SELECT hash FROM audit_event WHERE seq = 2)",
    );
    verify_finds(&dir, "锚点已记至第3条，但日志只到第2条");
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn roles_and_second_factors_from_the_command_line() {
    let dir = township("roles");
    let add = |username: &'static str, role: &'static str| {
        t_db(&[
            "user",
            "add",
            "--username",
            username,
            "--role",
            role,
            "--password",
            "Tall-Harbor-7qz",
        ])
    };
    for (u, r) in [("adm", "admin"), ("sec", "security"), ("newbie", "member")] {
        let (code, out, err) = run(&dir, &add(u, r));
        assert_eq!(code, 0, "{out}{err}");
    }
    // The security administrator's act: a role and a scope for a fresh account.
    let (code, out, err) = run(
        &dir,
        &t_db(&[
            "user",
            "role",
            "--username",
            "newbie",
            "--role",
            "committee",
            "--org",
            "Z1",
        ]),
    );
    assert_eq!(code, 0, "{out}{err}");
    assert!(
        out.contains("党（工）委") && out.contains("某镇党委"),
        "{out}"
    );
    // 三权分立: the system administrator never becomes the auditor.
    let (code, out, err) = run(
        &dir,
        &t_db(&["user", "role", "--username", "adm", "--role", "auditor"]),
    );
    assert_ne!(code, 0, "{out}");
    assert!(err.contains("三权分立"), "{err}");
    // Enrolment prints the secret, its URI, a QR code and ten recovery codes, once.
    let (code, out, err) = run(&dir, &t_db(&["user", "2fa", "enrol", "--username", "adm"]));
    assert_eq!(code, 0, "{out}{err}");
    assert!(out.contains("otpauth://totp/jiceng:adm?secret="), "{out}");
    assert!(
        out.contains('█') || out.contains('▀') || out.contains('▄'),
        "{out}"
    );
    let recovery = out
        .lines()
        .filter(|l| {
            let t = l.trim();
            t.len() == 19 && t.split('-').count() == 4
        })
        .count();
    assert_eq!(recovery, 10, "{out}");
    let (code, _, err) = run(&dir, &t_db(&["user", "2fa", "enrol", "--username", "adm"]));
    assert_ne!(code, 0);
    assert!(err.contains("已绑定"), "{err}");
    let (code, out, err) = run(&dir, &t_db(&["user", "2fa", "reset", "--username", "adm"]));
    assert_eq!(code, 0, "{out}{err}");
    // Each act is in the chain: import, three adds, the role, the enrolment, the reset.
    let (code, out, _) = run(&dir, &t_db(&["audit", "verify"]));
    assert_eq!(code, 0, "{out}");
    assert!(out.contains("已检查 7 条审计记录"), "{out}");
    let _ = std::fs::remove_dir_all(&dir);
}
