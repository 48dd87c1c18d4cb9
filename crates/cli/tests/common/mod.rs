//! Running the binary as a user does: a clean environment, a scratch folder, and what it
//! answered.
#![allow(dead_code)]

use std::path::{Path, PathBuf};
use std::process::Command;

/// The test key (32 zero bytes), as `JICENG_KEY` holds it.
pub const KEY: &str = "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=";

/// The day the tests run on (`JICENG_TODAY`).
pub const TODAY: &str = "2026-12-15";

/// The binary with nothing of the caller's environment (database, key, key file,
/// password, anchor), on `today`, with `key` as `JICENG_KEY` if given.
pub fn jiceng(key: Option<&str>, today: &str) -> Command {
    let mut c = Command::new(env!("CARGO_BIN_EXE_jiceng"));
    c.env_remove("JICENG_DB")
        .env_remove("JICENG_KEY")
        .env_remove("JICENG_KEY_FILE")
        .env_remove("JICENG_AUDIT_ANCHOR")
        .env_remove("JICENG_PASSWORD")
        .env("JICENG_TODAY", today);
    if let Some(k) = key {
        c.env("JICENG_KEY", k);
    }
    c
}

/// Runs `c` to the end: exit code, stdout, stderr.
pub fn output(c: &mut Command) -> (i32, String, String) {
    let out = c.output().expect("run jiceng");
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

/// `jiceng ARGS` in `dir` with the test key, today.
pub fn run(dir: &Path, args: &[&str]) -> (i32, String, String) {
    output(jiceng(Some(KEY), TODAY).current_dir(dir).args(args))
}

/// `--db sqlite://t.db` (the test database in the scratch folder), then `args`.
pub fn t_db<'a>(args: &[&'a str]) -> Vec<&'a str> {
    [&["--db", "sqlite://t.db"][..], args].concat()
}

/// The stdout of a run that must succeed.
pub fn ok(r: (i32, String, String)) -> String {
    assert_eq!(r.0, 0, "stdout: {}\nstderr: {}", r.1, r.2);
    r.1
}

/// The stdout of a run that must succeed, as JSON.
pub fn json(r: (i32, String, String)) -> serde_json::Value {
    let out = ok(r);
    serde_json::from_str(&out).unwrap_or_else(|e| panic!("{e}: {out}"))
}

/// A fresh, empty folder for one test.
pub fn scratch(label: &str) -> PathBuf {
    let p = std::env::temp_dir().join(format!("jiceng-cli-{}-{label}", std::process::id()));
    let _ = std::fs::remove_dir_all(&p);
    std::fs::create_dir_all(&p).unwrap();
    p
}
