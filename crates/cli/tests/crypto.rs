//! The crypto suite from the command line: `init --crypto sm` records it, every later run
//! uses it, another suite is refused, `key rotate --crypto` switches it; the database and
//! key files are private.

use std::path::{Path, PathBuf};
use std::process::Command;

fn run(dir: &Path, args: &[&str]) -> (i32, String) {
    let out = Command::new(env!("CARGO_BIN_EXE_jiceng"))
        .env_remove("JICENG_DB")
        .env_remove("JICENG_KEY")
        .env_remove("JICENG_KEY_FILE")
        .env("JICENG_TODAY", "2026-12-15")
        .current_dir(dir)
        .args(args)
        .output()
        .expect("run jiceng");
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stdout).into_owned() + &String::from_utf8_lossy(&out.stderr),
    )
}

fn scratch(label: &str) -> PathBuf {
    let p = std::env::temp_dir().join(format!("jiceng-cli-crypto-{}-{label}", std::process::id()));
    let _ = std::fs::remove_dir_all(&p);
    std::fs::create_dir_all(&p).unwrap();
    p
}

#[test]
fn the_suite_is_chosen_at_init_and_kept() {
    let dir = scratch("suite");
    let db = ["--db", "sqlite://t.db"];
    let (code, out) = run(&dir, &[&["init", "--crypto", "sm"][..], &db].concat());
    assert_eq!(code, 0, "{out}");
    assert!(out.contains("加密套件 sm"), "{out}");
    // Later runs take the database's suite.
    let (code, out) = run(&dir, &[&["init"][..], &db].concat());
    assert_eq!(code, 0, "{out}");
    assert!(out.contains("加密套件 sm"), "{out}");
    // Another suite is refused, saying why.
    let (code, out) = run(&dir, &[&["init", "--crypto", "aes"][..], &db].concat());
    assert_eq!(code, 2, "{out}");
    assert!(out.contains("加密套件与数据库不符"), "{out}");
    // Rotation to a new key may switch the suite.
    let (code, out) = run(
        &dir,
        &[
            &[
                "key",
                "rotate",
                "--new-key-file",
                "new.key",
                "--crypto",
                "aes",
            ][..],
            &db,
        ]
        .concat(),
    );
    assert_eq!(code, 0, "{out}");
    let (code, out) = run(
        &dir,
        &[&["init", "--key-file", "new.key"][..], &db].concat(),
    );
    assert_eq!(code, 0, "{out}");
    assert!(out.contains("加密套件 aes"), "{out}");
    // The old key is refused now.
    let (code, out) = run(&dir, &[&["init"][..], &db].concat());
    assert_eq!(code, 2, "{out}");
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        for f in ["t.db", "jiceng.key", "new.key"] {
            let mode = std::fs::metadata(dir.join(f)).unwrap().permissions().mode() & 0o777;
            assert_eq!(mode, 0o600, "{f}");
        }
    }
}
