//! Operations from the command line (reliability review, findings 4 and 5): `jiceng backup`
//! and `jiceng restore` on SQLite and PostgreSQL, under writes, and their refusals of
//! broken, foreign or wrong-key backups; `jiceng key rotate` refused beside a running
//! `jiceng serve`, and a server left with a rotated key writing nothing; a missing, empty
//! or foreign database or a missing key file is an error, never a new empty system.

mod common;
use common::*;

use std::collections::BTreeMap;
use std::io::{Read, Write};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::Arc;

use jiceng_app::access::{self, Actor};
use jiceng_app::meetings::{self, NewMeeting};
use jiceng_app::{App, Crypto};
use jiceng_domain::MeetingKind;
use jiceng_store::Store;

fn bin() -> Command {
    jiceng(None, TODAY)
}

fn run(dir: &Path, args: &[&str]) -> (i32, String, String) {
    output(bin().current_dir(dir).args(args))
}

/// Runs and expects success.
fn ok(dir: &Path, args: &[&str]) -> String {
    let (code, out, err) = run(dir, args);
    assert_eq!(code, 0, "jiceng {args:?}\n{out}\n{err}");
    out
}

/// Runs and expects a refusal (exit 2); returns stderr.
fn refused(dir: &Path, args: &[&str]) -> String {
    let (code, out, err) = run(dir, args);
    assert_eq!(code, 2, "jiceng {args:?} should be refused\n{out}\n{err}");
    err
}

const ORGS: &str = "组织名称,组织类别,上级党组织,所属领域,成立日期,是否设立支委会,组织代码\n\
    某镇党委,党委,,乡镇,1990-01-01,是,Z1\n\
    甲村党支部,党支部,Z1,农村,2000-01-01,否,Z2\n\
    乙村党支部,党支部,Z1,农村,2000-01-01,否,Z3\n\
    丙村党支部,党支部,Z1,农村,2000-01-01,否,Z4\n";

fn id_number(n: u16) -> String {
    jiceng_domain::IdNumber::synthesize(
        "370102",
        chrono::NaiveDate::from_ymd_opt(
            1960 + i32::from(n % 40),
            1 + u32::from(n % 12),
            1 + u32::from(n % 28),
        )
        .unwrap(),
        n,
    )
    .as_str()
    .to_string()
}

fn members_csv(n: u16) -> String {
    let mut s =
        "姓名,性别,出生日期,公民身份号码,人员类别,入党日期,所在党组织,手机号码\n".to_string();
    for i in 1..=n {
        let id = id_number(i);
        let birth = format!("{}-{}-{}", &id[6..10], &id[10..12], &id[12..14]);
        let branch = ["甲村党支部", "乙村党支部", "丙村党支部"][usize::from(i % 3)];
        let sex = if (id.as_bytes()[16] - b'0') % 2 == 1 {
            "男"
        } else {
            "女"
        };
        s.push_str(&format!(
            "党员{i},{sex},{birth},{id},正式党员,2010-07-01,{branch},1380000{i:04}\n"
        ));
    }
    s
}

/// A database with orgs and `n` members, made by `init` and two imports.
fn populated(dir: &Path, db: &str, n: u16) {
    std::fs::write(dir.join("orgs.csv"), ORGS).unwrap();
    std::fs::write(dir.join("members.csv"), members_csv(n)).unwrap();
    ok(dir, &["--db", db, "init"]);
    ok(dir, &["--db", db, "import", "orgs", "orgs.csv"]);
    ok(dir, &["--db", db, "import", "members", "members.csv"]);
}

fn runtime() -> tokio::runtime::Runtime {
    tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .unwrap()
}

/// Another program's SQLite file at `path`, made by running `statements` on it.
fn foreign_sqlite(path: &Path, statements: &[&str]) {
    let url = format!("sqlite://{}?mode=rwc", path.display());
    runtime().block_on(async {
        let mut c = jiceng_store::backup::connect(&url).await.unwrap();
        for statement in statements {
            sqlx::query(statement).execute(&mut c).await.unwrap();
        }
        jiceng_store::backup::close(c).await.unwrap();
    });
}

/// The app over `url` with the key file of `dir`, as a second process would hold it.
async fn app_on(url: &str, dir: &Path) -> App {
    let store = Store::open_existing(url).await.unwrap();
    let crypto = Crypto::load_existing(&dir.join("jiceng.key"), Default::default()).unwrap();
    let mut app = App::new(store, crypto);
    app.fixed_today = chrono::NaiveDate::from_ymd_opt(2026, 12, 15);
    jiceng_app::privacy::check_key(&app).await.unwrap();
    app
}

/// A writer recording meetings through the app until stopped; counts what was
/// acknowledged.
struct Writer {
    acked: Arc<AtomicUsize>,
    stop: Arc<AtomicBool>,
    task: tokio::task::JoinHandle<usize>,
}

async fn start_writer(app: App) -> Writer {
    let branches: Vec<i64> = {
        let mut c = app.store().acquire().await.unwrap();
        jiceng_store::orgs::list(&mut c, &jiceng_store::Scope::All)
            .await
            .unwrap()
            .into_iter()
            .filter(|o| o.org.kind == jiceng_domain::OrgKind::Branch)
            .map(|o| o.org.id)
            .collect()
    };
    assert_eq!(branches.len(), 3);
    let system = Actor::system();
    let grant = system.grant::<access::RecordLife>().unwrap();
    let mut proven = Vec::new();
    for id in branches {
        proven.push(
            access::resolve(&app, &system, &access::OrgKey::Id(id))
                .await
                .unwrap(),
        );
    }
    let branches = proven;
    let acked = Arc::new(AtomicUsize::new(0));
    let stop = Arc::new(AtomicBool::new(false));
    let (a, s) = (acked.clone(), stop.clone());
    let task = tokio::spawn(async move {
        let mut failures = 0;
        let mut i = 0usize;
        while !s.load(Ordering::Relaxed) {
            i += 1;
            let day = chrono::NaiveDate::from_ymd_opt(2026, 1, 1).unwrap()
                + chrono::Days::new((i % 330) as u64);
            let m = NewMeeting {
                kind: Some(MeetingKind::ThemeDay),
                date: Some(day),
                topic: format!("写入-{i}"),
                expected: Some(10),
                present: Some(8),
                excused: Some(1),
                ..Default::default()
            };
            match meetings::record(&app, &grant, &branches[i % branches.len()], &m).await {
                Ok(_) => {
                    a.fetch_add(1, Ordering::SeqCst);
                }
                Err(_) => failures += 1,
            }
        }
        app.store().close().await;
        failures
    });
    Writer { acked, stop, task }
}

impl Writer {
    async fn wait_for(&self, n: usize) {
        while self.acked.load(Ordering::SeqCst) < n {
            tokio::time::sleep(std::time::Duration::from_millis(20)).await;
        }
    }
    async fn stop(self) -> (usize, usize) {
        self.stop.store(true, Ordering::Relaxed);
        let failures = self.task.await.unwrap();
        (self.acked.load(Ordering::SeqCst), failures)
    }
}

/// Runs the binary without blocking the runtime's workers.
async fn run_async(dir: &Path, args: &[&str]) -> (i32, String, String) {
    let dir = dir.to_path_buf();
    let args: Vec<String> = args.iter().map(|s| s.to_string()).collect();
    tokio::task::spawn_blocking(move || {
        let a: Vec<&str> = args.iter().map(String::as_str).collect();
        run(&dir, &a)
    })
    .await
    .unwrap()
}

fn manifest(file: &Path) -> serde_json::Value {
    let text = std::fs::read_to_string(jiceng_app::backup::manifest_path(file)).unwrap();
    serde_json::from_str(&text).unwrap()
}

/// The rows of a table as text, one string per row, by id (`seq` for the log), up to
/// `max_id` — what a reader of the raw rows sees.
async fn rows(url: &str, table: &str, key: &str, max_id: i64) -> Vec<String> {
    let mut c = jiceng_store::backup::connect(url).await.unwrap();
    let sql = if url.starts_with("sqlite:") {
        let cols: Vec<String> = sqlx::query_scalar(&format!(
            "SELECT name FROM pragma_table_info('{table}') ORDER BY cid"
        ))
        .fetch_all(&mut c)
        .await
        .unwrap();
        let expr: Vec<String> = cols.iter().map(|c| format!("quote({c})")).collect();
        format!(
            "SELECT {} FROM {table} WHERE {key} <= $1 ORDER BY {key}",
            expr.join(" || '|' || ")
        )
    } else {
        format!("SELECT CAST(t AS TEXT) FROM {table} t WHERE {key} <= $1 ORDER BY {key}")
    };
    let out: Vec<String> = sqlx::query_scalar(&sql)
        .bind(max_id)
        .fetch_all(&mut c)
        .await
        .unwrap();
    jiceng_store::backup::close(c).await.unwrap();
    out
}

async fn counts(url: &str) -> BTreeMap<String, i64> {
    let mut c = jiceng_store::backup::connect(url).await.unwrap();
    let n = jiceng_store::backup::counts(&mut c).await.unwrap();
    jiceng_store::backup::close(c).await.unwrap();
    n
}

fn manifest_counts(m: &serde_json::Value) -> BTreeMap<String, i64> {
    m["counts"]
        .as_object()
        .unwrap()
        .iter()
        .map(|(k, v)| (k.clone(), v.as_i64().unwrap()))
        .collect()
}

/// Every row of the main tables in `restored` is the source's row (the writer only adds),
/// and the restored counts are the manifest's.
async fn same_content(source: &str, restored: &str, m: &serde_json::Value) {
    let head = m["audit_head"]["seq"].as_i64().unwrap();
    let mut restored_counts = counts(restored).await;
    let manifest_counts = manifest_counts(m);
    // The restore itself appended its own entry to the restored log.
    let logged = restored_counts.get("audit_event").copied().unwrap_or(0);
    assert!(logged >= manifest_counts["audit_event"]);
    restored_counts.insert("audit_event".into(), manifest_counts["audit_event"]);
    assert_eq!(
        restored_counts, manifest_counts,
        "counts as the manifest says"
    );
    for (table, key, max) in [
        ("member", "id", i64::MAX),
        ("position", "id", i64::MAX),
        ("meeting", "id", i64::MAX),
        ("app_user", "id", i64::MAX),
        ("audit_event", "seq", head),
    ] {
        let got = rows(restored, table, key, max).await;
        let want = rows(source, table, key, max).await;
        assert_eq!(got.len() as i64, {
            if table == "audit_event" {
                head
            } else {
                manifest_counts[table]
            }
        });
        // The source has everything the backup had, unchanged, and possibly more after.
        assert_eq!(
            &want[..got.len()],
            &got[..],
            "{table}: the restored rows are the source's"
        );
    }
}

fn sha(path: &Path) -> String {
    use sha2::Digest;
    let mut f = std::fs::File::open(path).unwrap();
    let mut buf = Vec::new();
    f.read_to_end(&mut buf).unwrap();
    format!("{:x}", sha2::Sha256::digest(&buf))
}

// ------------------------------------------------------------------ SQLite

#[test]
fn backup_under_writes_then_restore_gives_what_was_copied() {
    let dir = scratch("sqlite-roundtrip");
    let db = "sqlite://live.db";
    populated(&dir, db, 30);
    let url = format!("sqlite://{}", dir.join("live.db").display());
    let rt = runtime();
    rt.block_on(async {
        let writer = start_writer(app_on(&url, &dir).await).await;
        writer.wait_for(20).await;
        let mut bounds = Vec::new();
        for k in 1..=3 {
            let before = writer.acked.load(Ordering::SeqCst);
            let started = std::time::Instant::now();
            let (code, out, err) =
                run_async(&dir, &["--db", db, "backup", &format!("bk{k}.db")]).await;
            assert_eq!(code, 0, "{out}{err}");
            assert!(out.contains(&format!("已备份到 bk{k}.db")), "{out}");
            let after = writer.acked.load(Ordering::SeqCst);
            eprintln!(
                "backup {k}: {:.2} s while {} meetings were recorded",
                started.elapsed().as_secs_f64(),
                after - before
            );
            bounds.push((before, after));
            writer.wait_for(after + 15).await;
        }
        let (acked, failures) = writer.stop().await;
        eprintln!("writer: {acked} meetings acknowledged, {failures} failed");
        assert!(acked >= 65);
        for (k, (before, after)) in bounds.iter().enumerate() {
            let k = k + 1;
            let file = dir.join(format!("bk{k}.db"));
            let m = manifest(&file);
            assert_eq!(m["format"], "jiceng-backup");
            assert_eq!(m["backend"], "sqlite");
            assert_eq!(m["schema_version"], jiceng_store::migrate::latest());
            assert_eq!(
                m["bytes"].as_u64(),
                Some(std::fs::metadata(&file).unwrap().len())
            );
            assert_eq!(m["sha256"].as_str(), Some(sha(&file).as_str()));
            let meetings = m["counts"]["meeting"].as_i64().unwrap() as usize;
            // Every meeting acknowledged before the backup started is in it; none recorded
            // after it ended.
            assert!(
                meetings >= *before && meetings <= *after,
                "backup {k}: {meetings} meetings, acknowledged {before} before and {after} after"
            );
            #[cfg(unix)]
            {
                use std::os::unix::fs::PermissionsExt;
                let mode = std::fs::metadata(&file).unwrap().permissions().mode() & 0o777;
                assert_eq!(mode, 0o600, "a backup holds personal data");
            }
            // Restored into a new place (a drill): every check passes, the log verifies,
            // the facts are refreshed.
            let target = format!("sqlite://r{k}.db");
            let (code, out, err) =
                run_async(&dir, &["--db", &target, "restore", &format!("bk{k}.db")]).await;
            assert_eq!(code, 0, "{out}{err}");
            assert!(
                out.contains(&format!("已从 bk{k}.db 恢复到 sqlite://r{k}.db")),
                "{out}"
            );
            assert!(out.contains("审计链完整"), "{out}");
            assert!(
                out.contains("已重算") && out.contains("个党组织的派生数据"),
                "{out}"
            );
            let restored = format!("sqlite://{}", dir.join(format!("r{k}.db")).display());
            same_content(&url, &restored, &m).await;
        }
        // The live database is unharmed and its log intact.
        let (code, out, err) = run_async(&dir, &["--db", db, "audit", "verify"]).await;
        assert_eq!(code, 0, "{out}{err}");
    });
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn restore_refuses_broken_foreign_and_wrong_key_backups() {
    let dir = scratch("sqlite-refusals");
    let db = "sqlite://live.db";
    populated(&dir, db, 12);
    ok(&dir, &["--db", db, "backup", "bk.db"]);
    let good = std::fs::read(dir.join("bk.db")).unwrap();
    let good_manifest = manifest(&dir.join("bk.db"));
    let live = dir.join("live.db");
    // What "untouched" means: the live file's bytes and what it holds.
    let live_state = || {
        let bytes = sha(&live);
        let out = ok(
            &dir,
            &[
                "--db", db, "report", "members", "--org", "Z1", "--format", "json",
            ],
        );
        (bytes, out)
    };
    let before = live_state();
    let with_manifest = |name: &str, bytes: &[u8], edit: &dyn Fn(&mut serde_json::Value)| {
        std::fs::write(dir.join(name), bytes).unwrap();
        let mut m = good_manifest.clone();
        edit(&mut m);
        std::fs::write(
            jiceng_app::backup::manifest_path(&dir.join(name)),
            serde_json::to_string_pretty(&m).unwrap(),
        )
        .unwrap();
    };
    let fix_checksum = |name: &str| {
        let p = dir.join(name);
        let mp = jiceng_app::backup::manifest_path(&p);
        let mut m: serde_json::Value =
            serde_json::from_str(&std::fs::read_to_string(&mp).unwrap()).unwrap();
        m["bytes"] = std::fs::metadata(&p).unwrap().len().into();
        m["sha256"] = sha(&p).into();
        std::fs::write(&mp, serde_json::to_string_pretty(&m).unwrap()).unwrap();
    };
    let restore = |name: &str| refused(&dir, &["--db", db, "restore", name, "--force"]);

    // Truncated: half the file.
    with_manifest("half.db", &good[..good.len() / 2], &|_| {});
    let err = restore("half.db");
    assert!(
        err.contains("拒绝恢复 half.db：文件大小为") && err.contains("与备份清单记录的"),
        "{err}"
    );
    // Truncated, and a manifest that claims so: SQLite itself says the file is short.
    fix_checksum("half.db");
    let err = restore("half.db");
    assert!(err.contains("拒绝恢复 half.db："), "{err}");
    assert!(
        err.contains("完整性检查未通过")
            || err.contains("已损坏")
            || err.contains("不是数据库文件"),
        "{err}"
    );

    // Flipped bytes in the middle.
    let mut flipped = good.clone();
    let mid = flipped.len() / 2;
    for b in &mut flipped[mid..mid + 64] {
        *b ^= 0x5a;
    }
    with_manifest("flip.db", &flipped, &|_| {});
    let err = restore("flip.db");
    assert!(
        err.contains("拒绝恢复 flip.db：SHA-256 校验和与备份清单不符"),
        "{err}"
    );
    // The same damage in a b-tree page's header, with a manifest made after it: the
    // integrity check catches it.
    let page = u32::from_be_bytes([0, 0, good[16], good[17]]) as usize;
    let page = if page == 1 { 65536 } else { page };
    let mut broken = good.clone();
    for b in &mut broken[page..page + 16] {
        *b ^= 0xff;
    }
    with_manifest("broken.db", &broken, &|_| {});
    fix_checksum("broken.db");
    let err = restore("broken.db");
    assert!(err.contains("拒绝恢复 broken.db："), "{err}");
    assert!(
        err.contains("完整性检查未通过") || err.contains("已损坏"),
        "{err}"
    );

    // A backup made with another key.
    let other = dir.join("other");
    std::fs::create_dir_all(&other).unwrap();
    populated(&other, "sqlite://o.db", 3);
    ok(
        &other,
        &["--db", "sqlite://o.db", "backup", "../other-key.db"],
    );
    let err = restore("other-key.db");
    assert!(
        err.contains("拒绝恢复 other-key.db：备份用密钥") && err.contains("所给密钥为"),
        "{err}"
    );

    // A SQLite file that is not jiceng's: without a manifest, and with one made for it.
    let foreign = dir.join("foreign.db");
    foreign_sqlite(
        &foreign,
        &[
            "CREATE TABLE notes (id INTEGER PRIMARY KEY, body TEXT)",
            "INSERT INTO notes (body) VALUES ('别的程序的数据')",
        ],
    );
    let err = restore("foreign.db");
    assert!(
        err.contains("拒绝恢复 foreign.db：找不到备份清单 foreign.db.manifest.json"),
        "{err}"
    );
    let foreign_bytes = std::fs::read(&foreign).unwrap();
    with_manifest("foreign.db", &foreign_bytes, &|_| {});
    fix_checksum("foreign.db");
    let err = restore("foreign.db");
    assert!(
        err.contains("拒绝恢复 foreign.db：不是 jiceng 数据库"),
        "{err}"
    );
    // Another program's manifest.
    std::fs::write(
        jiceng_app::backup::manifest_path(&foreign),
        r#"{"format":"other-tool","version":3}"#,
    )
    .unwrap();
    let err = restore("foreign.db");
    assert!(
        err.contains("拒绝恢复 foreign.db：备份清单") && err.contains("无法解析"),
        "{err}"
    );
    // An empty file.
    with_manifest("empty.db", b"", &|_| {});
    fix_checksum("empty.db");
    let err = restore("empty.db");
    assert!(
        err.contains("拒绝恢复 empty.db：不是 jiceng 数据库"),
        "{err}"
    );
    // A newer schema than this program knows.
    with_manifest("newer.db", &good, &|m| m["schema_version"] = 999.into());
    let err = restore("newer.db");
    assert!(
        err.contains("拒绝恢复 newer.db：备份的数据库架构版本 999 比本程序支持的"),
        "{err}"
    );

    // After all that, the live database is as it was, and its log intact.
    assert_eq!(live_state(), before, "the live database is untouched");
    ok(&dir, &["--db", db, "audit", "verify"]);
    let leftovers: Vec<String> = std::fs::read_dir(&dir)
        .unwrap()
        .filter_map(|e| e.ok())
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .filter(|n| n.contains("restore-tmp") || n.contains("before-restore"))
        .collect();
    assert!(leftovers.is_empty(), "{leftovers:?}");

    // An empty file where the database should be is no database: restored over without
    // --force, nothing kept aside.
    std::fs::write(dir.join("placeholder.db"), b"").unwrap();
    let out = ok(
        &dir,
        &["--db", "sqlite://placeholder.db", "restore", "bk.db"],
    );
    assert!(!out.contains("原数据库已改名保留"), "{out}");
    assert!(!dir.join("placeholder.db.before-restore").exists());
    assert!(std::fs::metadata(dir.join("placeholder.db")).unwrap().len() > 0);

    // The good backup over the live database: only with --force, the old one kept.
    let err = refused(&dir, &["--db", db, "restore", "bk.db"]);
    assert!(
        err.contains("数据库文件已存在：live.db") && err.contains("--force"),
        "{err}"
    );
    ok(&dir, &["--db", db, "import", "members", "members.csv"]); // a write after the backup
    std::fs::write(
        dir.join("late.csv"),
        "姓名,性别,出生日期,公民身份号码,人员类别,入党日期,所在党组织\n\
         后来者,男,1980-01-01,370102198001010015,正式党员,2005-07-01,甲村党支部\n",
    )
    .unwrap();
    let (code, out, err) = run(&dir, &["--db", db, "import", "members", "late.csv"]);
    assert_eq!(code, 0, "{out}{err}");
    ok(&dir, &["--db", db, "audit", "anchor"]);
    let out = ok(&dir, &["--db", db, "restore", "bk.db", "--force"]);
    assert!(
        out.contains("原数据库已改名保留为 live.db.before-restore-"),
        "{out}"
    );
    // The anchor file had gone past the backup: the restore marks it, so the restored
    // log verifies and the mark is reported.
    assert!(out.contains("审计链完整"), "{out}");
    assert!(out.contains("从备份恢复了数据库"), "{out}");
    let out = ok(
        &dir,
        &[
            "--db", db, "report", "members", "--org", "Z1", "--format", "json",
        ],
    );
    let v: serde_json::Value = serde_json::from_str(&out).unwrap();
    assert_eq!(
        v["total"].as_i64(),
        Some(12),
        "the late member is not in the backup"
    );
    let aside: Vec<PathBuf> = std::fs::read_dir(&dir)
        .unwrap()
        .filter_map(|e| e.ok())
        .map(|e| e.path())
        .filter(|p| {
            let n = p.file_name().unwrap().to_string_lossy().into_owned();
            n.starts_with("live.db.before-restore-") && !n.ends_with("-wal") && !n.ends_with("-shm")
        })
        .collect();
    assert_eq!(aside.len(), 1);
    let kept = format!("sqlite://{}", aside[0].display());
    let out = ok(
        &dir,
        &[
            "--db", &kept, "report", "members", "--org", "Z1", "--format", "json",
        ],
    );
    let v: serde_json::Value = serde_json::from_str(&out).unwrap();
    assert_eq!(
        v["total"].as_i64(),
        Some(13),
        "the replaced database is kept whole"
    );
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn a_missing_empty_or_foreign_database_is_an_error_never_a_new_one() {
    let dir = scratch("missing");
    // Missing: refused at once, nothing created (no database, no key).
    let started = std::time::Instant::now();
    let err = refused(&dir, &["--db", "sqlite://nope.db", "audit", "verify"]);
    assert!(
        err.contains("数据库文件不存在：nope.db（新建请用 jiceng init）"),
        "{err}"
    );
    assert!(started.elapsed().as_secs() < 10, "no pool timeout");
    for args in [
        &["report", "members", "--org", "Z1"][..],
        &["import", "orgs", "orgs.csv"][..],
        &["serve", "--bind", "127.0.0.1:0"][..],
        &["migrate"][..],
        &["refresh"][..],
        &["backup", "bk.db"][..],
    ] {
        let err = refused(&dir, &[&["--db", "sqlite://nope.db"][..], args].concat());
        assert!(err.contains("数据库文件不存在：nope.db"), "{args:?}: {err}");
    }
    assert!(!dir.join("nope.db").exists());
    assert!(!dir.join("jiceng.key").exists(), "no key made either");
    // Zero bytes (an empty "restore"): refused, left as it was; never "审计链完整".
    std::fs::write(dir.join("empty.db"), b"").unwrap();
    let (code, out, err) = run(&dir, &["--db", "sqlite://empty.db", "audit", "verify"]);
    assert_eq!(code, 2, "{out}{err}");
    assert!(!out.contains("审计链完整"), "{out}");
    assert!(
        err.contains("数据库文件不存在：empty.db 是空文件（0 字节）"),
        "{err}"
    );
    assert_eq!(std::fs::metadata(dir.join("empty.db")).unwrap().len(), 0);
    // Another program's SQLite file is not turned into a jiceng database.
    let foreign = dir.join("foreign.db");
    foreign_sqlite(&foreign, &["CREATE TABLE notes (id INTEGER PRIMARY KEY)"]);
    let before = sha(&foreign);
    let err = refused(
        &dir,
        &[
            "--db",
            "sqlite://foreign.db",
            "report",
            "members",
            "--org",
            "Z1",
        ],
    );
    assert!(err.contains("不是 jiceng 数据库：foreign.db"), "{err}");
    assert_eq!(sha(&foreign), before);
    // Random bytes: a clear reason, at once.
    std::fs::write(dir.join("noise.db"), vec![0x42u8; 8192]).unwrap();
    let started = std::time::Instant::now();
    let err = refused(&dir, &["--db", "sqlite://noise.db", "audit", "verify"]);
    assert!(err.contains("不是数据库文件"), "{err}");
    assert!(started.elapsed().as_secs() < 10, "no pool timeout");

    // Only init creates, with its key.
    let out = ok(&dir, &["--db", "sqlite://t.db", "init"]);
    assert!(out.contains("数据库已就绪"), "{out}");
    assert!(dir.join("t.db").exists() && dir.join("jiceng.key").exists());
    // A missing key file for a database that records one: an error naming it, no new key.
    std::fs::rename(dir.join("jiceng.key"), dir.join("saved.key")).unwrap();
    for args in [
        &["report", "members", "--org", "Z1"][..],
        &["init"][..],
        &["audit", "verify"][..],
    ] {
        let err = refused(&dir, &t_db(args));
        assert!(
            err.contains("密钥文件不存在：jiceng.key；此数据库已用密钥 ")
                && err.contains("请找回原密钥文件"),
            "{args:?}: {err}"
        );
        assert!(!dir.join("jiceng.key").exists(), "no new key");
    }
    // `key fingerprint` tells which file is the database's key.
    let out = ok(
        &dir,
        &[
            "--db",
            "sqlite://t.db",
            "--key-file",
            "saved.key",
            "key",
            "fingerprint",
        ],
    );
    assert!(out.contains("相符"), "{out}");
    let err = refused(&dir, &["--db", "sqlite://t.db", "key", "fingerprint"]);
    assert!(err.contains("密钥文件不存在：jiceng.key"), "{err}");
    std::fs::write(
        dir.join("stray.key"),
        "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=",
    )
    .unwrap();
    let (code, out, _) = run(
        &dir,
        &[
            "--db",
            "sqlite://t.db",
            "--key-file",
            "stray.key",
            "key",
            "fingerprint",
        ],
    );
    assert_eq!(code, 1, "{out}");
    assert!(out.contains("不符"), "{out}");
    let _ = std::fs::remove_dir_all(&dir);
}

// ------------------------------------------------------------------ the server's lease

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

struct Server {
    child: std::process::Child,
    port: u16,
}

impl Server {
    fn start(dir: &Path, db: &str, key_file: &str) -> Server {
        let port = free_port();
        let child = bin()
            .current_dir(dir)
            .args([
                "--db",
                db,
                "--key-file",
                key_file,
                "serve",
                "--bind",
                &format!("127.0.0.1:{port}"),
            ])
            .stdout(Stdio::null())
            .stderr(std::fs::File::create(dir.join(format!("serve-{port}.log"))).unwrap())
            .spawn()
            .expect("start jiceng serve");
        let s = Server { child, port };
        for _ in 0..300 {
            if std::net::TcpStream::connect(("127.0.0.1", port)).is_ok() {
                return s;
            }
            std::thread::sleep(std::time::Duration::from_millis(50));
        }
        panic!("jiceng serve did not start");
    }

    /// SIGTERM, as a service manager stops it; waits for the exit.
    fn stop(mut self) {
        let status = Command::new("kill")
            .args(["-TERM", &self.child.id().to_string()])
            .status()
            .unwrap();
        assert!(status.success());
        let code = self.child.wait().unwrap();
        assert!(code.success(), "clean shutdown: {code:?}");
    }

    /// POST a JSON body; the status code and the body.
    fn post(&self, path: &str, body: &str) -> (u16, String) {
        let mut s = std::net::TcpStream::connect(("127.0.0.1", self.port)).unwrap();
        write!(
            s,
            "POST {path} HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n\
             Content-Length: {}\r\nConnection: close\r\n\r\n{body}",
            body.len()
        )
        .unwrap();
        let mut out = String::new();
        s.read_to_string(&mut out).unwrap();
        let status = out
            .split_whitespace()
            .nth(1)
            .and_then(|c| c.parse().ok())
            .unwrap_or(0);
        (status, out)
    }

    fn log(&self, dir: &Path) -> String {
        std::fs::read_to_string(dir.join(format!("serve-{}.log", self.port))).unwrap_or_default()
    }
}

fn sql(dir: &Path, db_file: &str, statement: &str) -> i64 {
    let url = format!("sqlite://{}", dir.join(db_file).display());
    let statement = statement.to_string();
    runtime().block_on(async move {
        let mut c = jiceng_store::backup::connect(&url).await.unwrap();
        let n = if statement.starts_with("SELECT") {
            sqlx::query_scalar::<_, i64>(&statement)
                .fetch_one(&mut c)
                .await
                .unwrap()
        } else {
            sqlx::query(&statement)
                .execute(&mut c)
                .await
                .unwrap()
                .rows_affected() as i64
        };
        jiceng_store::backup::close(c).await.unwrap();
        n
    })
}

#[test]
fn key_rotation_is_refused_while_a_server_runs() {
    let dir = scratch("lease");
    let db = "sqlite://live.db";
    populated(&dir, db, 6);
    ok(
        &dir,
        &[
            "--db",
            db,
            "user",
            "add",
            "--username",
            "jia",
            "--org",
            "Z2",
            "--role",
            "secretary",
            "--password",
            "Blue river 7",
        ],
    );
    let server = Server::start(&dir, db, "jiceng.key");
    assert_eq!(sql(&dir, "live.db", "SELECT COUNT(*) FROM server_lease"), 1);
    let (code, out, err) = run(
        &dir,
        &["--db", db, "key", "rotate", "--new-key-file", "new.key"],
    );
    assert_eq!(code, 2, "{out}{err}");
    assert!(
        err.contains(&format!(
            "服务正在使用此数据库（jiceng serve 127.0.0.1:{}，进程 {}",
            server.port,
            server.child.id()
        )) && err.contains("请先停止服务再轮换密钥"),
        "{err}"
    );
    assert!(
        !dir.join("new.key").exists(),
        "refused before a new key is made"
    );
    // A restore over it is refused too, even with --force.
    ok(&dir, &["--db", db, "backup", "bk.db"]);
    let err = refused(&dir, &["--db", db, "restore", "bk.db", "--force"]);
    assert!(
        err.contains("服务正在使用此数据库") && err.contains("请先停止服务再恢复备份"),
        "{err}"
    );
    // Stopped cleanly, the lease is gone: rotation goes through.
    server.stop();
    assert_eq!(sql(&dir, "live.db", "SELECT COUNT(*) FROM server_lease"), 0);
    let out = ok(
        &dir,
        &["--db", db, "key", "rotate", "--new-key-file", "new.key"],
    );
    assert!(out.contains("重新加密 6 个身份证号"), "{out}");

    // Defensively: a server whose lease went stale (hung, or its clock off) while the key
    // was rotated writes nothing afterwards — not even a login's audit entry.
    let server = Server::start(&dir, db, "new.key");
    let login = r#"{"username":"jia","password":"Blue river 7"}"#;
    let (status, body) = server.post("/api/v1/auth/login", login);
    assert_eq!(status, 200, "{body}");
    let mut rotated = false;
    for _ in 0..3 {
        sql(&dir, "live.db", "UPDATE server_lease SET beat_at = 0");
        let (code, out, err) = run(
            &dir,
            &[
                "--db",
                db,
                "--key-file",
                "new.key",
                "key",
                "rotate",
                "--new-key-file",
                "newer.key",
            ],
        );
        if code == 0 {
            rotated = true;
            break;
        }
        // The server beat in between: try again.
        assert!(err.contains("服务正在使用此数据库"), "{out}{err}");
    }
    assert!(rotated);
    let entries = sql(&dir, "live.db", "SELECT COUNT(*) FROM audit_event");
    let members = sql(&dir, "live.db", "SELECT COUNT(*) FROM member");
    let (status, body) = server.post("/api/v1/auth/login", login);
    assert_eq!(status, 503, "{body}");
    assert!(body.contains("请用新密钥重启服务"), "{body}");
    assert_eq!(
        sql(&dir, "live.db", "SELECT COUNT(*) FROM audit_event"),
        entries,
        "no entry sealed with the old key"
    );
    assert_eq!(sql(&dir, "live.db", "SELECT COUNT(*) FROM member"), members);
    assert!(
        server.log(&dir).contains("KeyChanged"),
        "{}",
        server.log(&dir)
    );
    server.stop();
    // With the newest key the log is whole: nothing was sealed with the stale one.
    let out = ok(
        &dir,
        &["--db", db, "--key-file", "newer.key", "audit", "verify"],
    );
    assert!(out.contains("审计链完整"), "{out}");
    let _ = std::fs::remove_dir_all(&dir);
}

// ------------------------------------------------------------------ PostgreSQL

/// Databases a test made besides its own, dropped when it ends (also when it fails).
struct DropDatabases {
    admin: String,
    names: Vec<String>,
}

impl Drop for DropDatabases {
    fn drop(&mut self) {
        let (admin, names) = (self.admin.clone(), std::mem::take(&mut self.names));
        // Its own runtime: the test's may be the one unwinding.
        let _ = std::thread::spawn(move || {
            runtime().block_on(async move {
                if let Ok(mut c) = jiceng_store::backup::connect(&admin).await {
                    for n in names {
                        let _ = jiceng_store::backup::execute(
                            &mut c,
                            &format!(
                                "DROP DATABASE IF EXISTS {} WITH (FORCE)",
                                jiceng_store::backup::pg_ident(&n)
                            ),
                        )
                        .await;
                    }
                    let _ = jiceng_store::backup::close(c).await;
                }
            })
        })
        .join();
    }
}

#[test]
fn backup_and_restore_on_postgres() {
    let rt = runtime();
    rt.block_on(async {
        let Some(db) = jiceng_store::testing::TestDb::postgres().await else {
            return;
        };
        db.store.close().await;
        let url = db.url.clone();
        // The harness's pool can leave a connection behind after close(): end it, as
        // the restore over this database requires nobody else connected.
        {
            let (base, name) = url.rsplit_once('/').unwrap();
            let mut c = jiceng_store::backup::connect(&format!("{base}/postgres"))
                .await
                .unwrap();
            sqlx::query(
                "SELECT pg_terminate_backend(pid) FROM pg_stat_activity \
                 WHERE datname = $1 AND pid <> pg_backend_pid()",
            )
            .bind(name)
            .fetch_all(&mut c)
            .await
            .unwrap();
            jiceng_store::backup::close(c).await.unwrap();
        }
        let dir = scratch("postgres");
        std::fs::write(dir.join("orgs.csv"), ORGS).unwrap();
        std::fs::write(dir.join("members.csv"), members_csv(20)).unwrap();
        for args in [
            &["init"][..],
            &["import", "orgs", "orgs.csv"][..],
            &["import", "members", "members.csv"][..],
        ] {
            let (code, out, err) =
                run_async(&dir, &[&["--db", url.as_str()][..], args].concat()).await;
            assert_eq!(code, 0, "{args:?}: {out}{err}");
        }
        let writer = start_writer(app_on(&url, &dir).await).await;
        writer.wait_for(10).await;
        let before = writer.acked.load(Ordering::SeqCst);
        let started = std::time::Instant::now();
        let (code, out, err) = run_async(&dir, &["--db", &url, "backup", "bk.dump"]).await;
        assert_eq!(code, 0, "{out}{err}");
        let after = writer.acked.load(Ordering::SeqCst);
        eprintln!("pg backup: {:.2} s", started.elapsed().as_secs_f64());
        writer.wait_for(after + 10).await;
        let (acked, failures) = writer.stop().await;
        eprintln!("writer: {acked} meetings acknowledged, {failures} failed");
        let file = dir.join("bk.dump");
        let m = manifest(&file);
        assert_eq!(m["backend"], "postgres");
        let meetings = m["counts"]["meeting"].as_i64().unwrap() as usize;
        assert!(
            meetings >= before && meetings <= after,
            "{before} ≤ {meetings} ≤ {after}"
        );

        // Into a database that does not exist yet.
        let base = url.rsplit_once('/').unwrap().0.to_string();
        let name = url.rsplit_once('/').unwrap().1.to_string();
        let fresh = format!("{base}/{name}_r");
        let mut extra = DropDatabases {
            admin: format!("{base}/postgres"),
            names: vec![format!("{name}_r")],
        };
        let (code, out, err) = run_async(&dir, &["--db", &fresh, "restore", "bk.dump"]).await;
        assert_eq!(code, 0, "{out}{err}");
        assert!(out.contains("审计链完整"), "{out}");
        same_content(&url, &fresh, &m).await;

        // A truncated dump is refused; the target stays as it was.
        let bytes = std::fs::read(&file).unwrap();
        std::fs::write(dir.join("half.dump"), &bytes[..bytes.len() / 2]).unwrap();
        std::fs::copy(
            jiceng_app::backup::manifest_path(&file),
            jiceng_app::backup::manifest_path(&dir.join("half.dump")),
        )
        .unwrap();
        let counted = counts(&fresh).await;
        let (code, _, err) =
            run_async(&dir, &["--db", &fresh, "restore", "half.dump", "--force"]).await;
        assert_eq!(code, 2, "{err}");
        assert!(err.contains("拒绝恢复 half.dump：文件大小为"), "{err}");
        assert_eq!(counts(&fresh).await, counted);

        // Over the live database: not without --force, not while a server holds it.
        let (code, _, err) = run_async(&dir, &["--db", &url, "restore", "bk.dump"]).await;
        assert_eq!(code, 2, "{err}");
        assert!(err.contains("不是空的") && err.contains("--force"), "{err}");
        {
            let mut c = jiceng_store::backup::connect(&url).await.unwrap();
            jiceng_store::lease::put(
                &mut c,
                &jiceng_store::lease::Lease {
                    holder: "elsewhere".into(),
                    pid: 4242,
                    host: "app-server-2".into(),
                    bind: "jiceng serve 0.0.0.0:8080".into(),
                    started_at: "2026-12-15T00:00:00Z".into(),
                    beat_at: chrono::Utc::now().timestamp(),
                },
            )
            .await
            .unwrap();
            jiceng_store::backup::close(c).await.unwrap();
        }
        let (code, _, err) =
            run_async(&dir, &["--db", &url, "restore", "bk.dump", "--force"]).await;
        assert_eq!(code, 2, "{err}");
        assert!(
            err.contains(
                "服务正在使用此数据库（jiceng serve 0.0.0.0:8080，进程 4242，主机 app-server-2"
            ),
            "{err}"
        );
        {
            let mut c = jiceng_store::backup::connect(&url).await.unwrap();
            jiceng_store::lease::clear(&mut c).await.unwrap();
            jiceng_store::backup::close(c).await.unwrap();
        }
        let (code, out, err) =
            run_async(&dir, &["--db", &url, "restore", "bk.dump", "--force"]).await;
        assert_eq!(code, 0, "{out}{err}");
        let aside = out
            .lines()
            .find_map(|l| l.strip_prefix("原数据库已改名保留为 "))
            .and_then(|l| l.split('（').next())
            .expect("the replaced database is named")
            .to_string();
        extra.names.push(aside.clone());
        assert!(
            aside.starts_with(&format!("{name}_before_restore_")),
            "{aside}"
        );
        assert!(
            out.contains("审计链完整") && out.contains("从备份恢复了数据库"),
            "{out}"
        );
        assert_eq!(counts(&url).await["meeting"] as usize, meetings);
        assert_eq!(
            counts(&format!("{base}/{aside}")).await["meeting"] as usize,
            acked
        );

        drop(extra);
        let _ = std::fs::remove_dir_all(&dir);
        drop(db);
    });
}
