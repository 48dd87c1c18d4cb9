//! The crypto suite from the command line: `init --crypto sm` records it, every later run
//! uses it, another suite is refused, `key rotate --crypto` switches it; the database and
//! key files are private.

mod common;
use common::*;

use std::path::Path;

/// `jiceng ARGS` in `dir` with no key in the environment: exit code, stdout then stderr.
fn run(dir: &Path, args: &[&str]) -> (i32, String) {
    let (code, out, err) = output(jiceng(None, TODAY).current_dir(dir).args(args));
    (code, out + &err)
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
