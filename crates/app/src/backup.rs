//! Backups and restores (`jiceng backup FILE`, `jiceng restore FILE`).
//!
//! A backup is two files: `FILE`, a consistent copy of the database taken while it is in
//! use (SQLite: `VACUUM INTO`; PostgreSQL: `pg_dump -Fc` on an exported snapshot), and
//! `FILE.manifest.json` ([`Manifest`]): what the copy is (format, versions, backend, the
//! key's fingerprint and suite, the audit log's head, row counts of the main tables), when
//! it was made, and its size and SHA-256. Both are written beside, synced, then renamed.
//!
//! A restore checks everything before anything replaces the live database: the manifest,
//! the size and checksum, the schema version (not newer than this program), the key (the
//! one given must be the backup's), then the copy itself (SQLite: `PRAGMA
//! integrity_check`, schema, fingerprint, audit head and counts equal to the manifest;
//! PostgreSQL: the same, read from a fresh database the dump was restored into). Only then
//! is the live database replaced — SQLite: renamed over atomically after its `-wal` and
//! `-shm` are moved aside; PostgreSQL: the fresh database renamed in its place in one
//! transaction — and the replaced one is kept under a `before-restore` name. It refuses
//! while a server holds the database (`lease`).

use std::collections::BTreeMap;
use std::io::{Read, Write};
use std::path::{Path, PathBuf};

use jiceng_store::backup::{self as db, with_suffix};
use jiceng_store::{Backend, Conn};
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

use crate::crypto::Suite;
use crate::{App, AppError, Crypto, Result};

/// What `format` says in every manifest.
pub const FORMAT: &str = "jiceng-backup";
/// The manifest's layout; a restore refuses a newer one.
pub const FORMAT_VERSION: i64 = 1;

/// The manifest beside a backup (`FILE.manifest.json`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Manifest {
    /// Always [`FORMAT`].
    pub format: String,
    pub format_version: i64,
    /// The version of the jiceng that made it.
    pub jiceng_version: String,
    /// `sqlite` or `postgres`.
    pub backend: String,
    /// The highest migration applied in the copy (`store::migrate`).
    pub schema_version: i64,
    /// The crypto suite and the fingerprint of the key the copy's personal data and audit
    /// log were written with (`None` for a database that never recorded a key).
    pub crypto_suite: Option<String>,
    pub key_fingerprint: Option<String>,
    /// The audit log's last entry in the copy.
    pub audit_head: Option<AuditHead>,
    /// Row counts of the main tables in the copy (`store::backup::MAIN_TABLES`).
    pub counts: BTreeMap<String, i64>,
    /// UTC, ISO 8601.
    pub created_at: String,
    /// The copy's file name (beside the manifest), its size and SHA-256 (hex).
    pub file: String,
    pub bytes: u64,
    pub sha256: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AuditHead {
    pub seq: i64,
    pub mac: String,
}

/// The manifest's path for a backup file.
pub fn manifest_path(file: &Path) -> PathBuf {
    with_suffix(file, ".manifest.json")
}

fn backend_code(b: Backend) -> &'static str {
    match b {
        Backend::Sqlite => "sqlite",
        Backend::Postgres => "postgres",
    }
}

fn backend_of_url(url: &str) -> Result<Backend> {
    if url.starts_with("sqlite:") {
        Ok(Backend::Sqlite)
    } else if url.starts_with("postgres://") || url.starts_with("postgresql://") {
        Ok(Backend::Postgres)
    } else {
        Err(jiceng_store::StoreError::BadUrl(url.to_string()).into())
    }
}

fn input(msg: String) -> AppError {
    AppError::Input(msg)
}

/// What the copy holds, read on one connection (inside the dump's snapshot on
/// PostgreSQL): everything of the manifest but the file's size and checksum.
async fn describe(conn: &mut Conn, backend: Backend) -> Result<Manifest> {
    let schema_version = db::schema_version(conn)
        .await?
        .ok_or_else(|| input("数据库中没有 jiceng 的数据表".into()))?;
    let crypto_suite = jiceng_store::protection::crypto_suite(conn).await?;
    let key_fingerprint = jiceng_store::protection::key_fingerprint(conn).await?;
    let audit_head = jiceng_store::audit::head(conn)
        .await?
        .filter(|(seq, _)| *seq > 0)
        .map(|(seq, mac)| AuditHead { seq, mac });
    Ok(Manifest {
        format: FORMAT.into(),
        format_version: FORMAT_VERSION,
        jiceng_version: env!("CARGO_PKG_VERSION").into(),
        backend: backend_code(backend).into(),
        schema_version,
        crypto_suite,
        key_fingerprint,
        audit_head,
        counts: db::counts(conn).await?,
        created_at: chrono::Utc::now()
            .format("%Y-%m-%dT%H:%M:%S%.3fZ")
            .to_string(),
        file: String::new(),
        bytes: 0,
        sha256: String::new(),
    })
}

/// What a backup made.
#[derive(Debug, Clone)]
pub struct Made {
    pub file: PathBuf,
    pub manifest: Manifest,
    pub seconds: f64,
}

/// Makes a backup of the database at `url` into `file` (and `file.manifest.json`); the
/// database stays in use meanwhile. Refuses to overwrite an existing backup unless
/// `force`. No key is needed: the manifest records the fingerprint the database holds.
pub async fn backup(url: &str, file: &Path, force: bool) -> Result<Made> {
    let started = std::time::Instant::now();
    let backend = backend_of_url(url)?;
    let manifest_file = manifest_path(file);
    if !force {
        for f in [file, manifest_file.as_path()] {
            if f.exists() {
                return Err(input(format!(
                    "备份文件已存在：{}（换一个文件名，或加 --force 覆盖）",
                    f.display()
                )));
            }
        }
    }
    jiceng_store::backup::check_existing(url).await?;
    let tmp = with_suffix(file, ".tmp");
    remove_if_exists(&tmp)?;
    let mut manifest = match backend {
        Backend::Sqlite => {
            let live =
                jiceng_store::sqlite_file(url).ok_or_else(|| input("内存数据库无法备份".into()))?;
            if same_file(&live, file) {
                return Err(input(format!(
                    "备份文件不能是数据库文件本身：{}",
                    file.display()
                )));
            }
            // Private from its creation (it holds personal data, encrypted); VACUUM INTO
            // accepts an empty file.
            jiceng_store::files::create_private(&tmp).map_err(|e| io_err(&tmp, e))?;
            let mut conn = db::connect_sqlite_file(&live, db::FileMode::ReadWrite).await?;
            let copied = db::vacuum_into(&mut conn, &tmp).await;
            let _ = close_conn(conn).await;
            if let Err(e) = copied {
                let _ = std::fs::remove_file(&tmp);
                return Err(e.into());
            }
            sync_file(&tmp)?;
            let mut copy = db::connect_sqlite_file(&tmp, db::FileMode::Immutable).await?;
            let problems = db::integrity_check(&mut copy).await?;
            if !problems.is_empty() {
                let _ = close_conn(copy).await;
                let _ = std::fs::remove_file(&tmp);
                return Err(input(format!(
                    "备份副本未通过完整性检查（{}），未写出备份",
                    problems.join("；")
                )));
            }
            let m = describe(&mut copy, backend).await;
            let _ = close_conn(copy).await;
            m?
        }
        Backend::Postgres => {
            let mut conn = db::connect(url).await?;
            let snapshot = db::export_snapshot(&mut conn).await?;
            let m = describe(&mut conn, backend).await?;
            jiceng_store::files::create_private(&tmp).map_err(|e| io_err(&tmp, e))?;
            let pg = PgUrl::parse(url)?;
            let tmp_arg = tmp.clone();
            let out = tokio::task::spawn_blocking(move || {
                pg.command("pg_dump")
                    .arg("--format=custom")
                    .arg(format!("--snapshot={snapshot}"))
                    .arg(format!("--file={}", tmp_arg.display()))
                    .arg(format!("--dbname={}", pg.url()))
                    .output()
            })
            .await
            .map_err(|e| input(format!("pg_dump 未能运行：{e}")))?;
            let _ = db::end_snapshot(&mut conn).await;
            let _ = close_conn(conn).await;
            let out = out.map_err(|e| {
                input(format!(
                    "无法运行 pg_dump（请安装与服务器同版本的 PostgreSQL 客户端）：{e}"
                ))
            })?;
            if !out.status.success() {
                let _ = std::fs::remove_file(&tmp);
                return Err(input(format!(
                    "pg_dump 失败：{}",
                    String::from_utf8_lossy(&out.stderr).trim()
                )));
            }
            sync_file(&tmp)?;
            m
        }
    };
    let (bytes, sha256) = checksum(&tmp)?;
    manifest.file = file
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    manifest.bytes = bytes;
    manifest.sha256 = sha256;
    std::fs::rename(&tmp, file).map_err(|e| io_err(file, e))?;
    sync_dir(file)?;
    let json = serde_json::to_string_pretty(&manifest).expect("manifest serializes");
    write_atomically(&manifest_file, json.as_bytes())?;
    Ok(Made {
        file: file.to_path_buf(),
        manifest,
        seconds: started.elapsed().as_secs_f64(),
    })
}

/// Reads and checks a backup's manifest: there, a jiceng manifest of a format this
/// program reads, of the given backend, naming this file. Messages name the file.
pub fn read_manifest(file: &Path) -> Result<Manifest> {
    let path = manifest_path(file);
    let refuse = |why: String| refusal(file, &why);
    let text = match std::fs::read_to_string(&path) {
        Ok(t) => t,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
            return Err(refuse(format!(
                "找不到备份清单 {}（jiceng backup 在备份旁写出它；没有清单无法确认这是完整的 jiceng 备份）",
                path.display()
            )))
        }
        Err(e) => return Err(refuse(format!("无法读取备份清单 {}：{e}", path.display()))),
    };
    let m: Manifest = serde_json::from_str(&text).map_err(|e| {
        refuse(format!(
            "备份清单 {} 无法解析，不是 jiceng 的备份清单（{e}）",
            path.display()
        ))
    })?;
    if m.format != FORMAT {
        return Err(refuse(format!(
            "备份清单 {} 不是 jiceng 的备份清单（format 为“{}”）",
            path.display(),
            m.format
        )));
    }
    if m.format_version > FORMAT_VERSION {
        return Err(refuse(format!(
            "备份格式版本 {} 比本程序支持的 {FORMAT_VERSION} 新，请用更新版本的 jiceng 恢复",
            m.format_version
        )));
    }
    Ok(m)
}

/// A refusal to restore `file`, saying why.
fn refusal(file: &Path, why: &str) -> AppError {
    input(format!("拒绝恢复 {}：{why}", file.display()))
}

/// The checks of a backup that need no database: manifest, backend, size and checksum,
/// schema version, key. Returns the manifest.
pub fn check(file: &Path, backend: Backend, crypto: &Crypto) -> Result<Manifest> {
    let m = read_manifest(file)?;
    let refuse = |why: String| refusal(file, &why);
    if m.backend != backend_code(backend) {
        return Err(refuse(format!(
            "这是 {} 数据库的备份，不能恢复到 {} 数据库",
            m.backend,
            backend_code(backend)
        )));
    }
    let (bytes, sha) = match std::fs::metadata(file) {
        Ok(_) => checksum(file)?,
        Err(e) => return Err(refuse(format!("无法读取备份文件：{e}"))),
    };
    if bytes != m.bytes {
        return Err(refuse(format!(
            "文件大小为 {bytes} 字节，与备份清单记录的 {} 字节不符（文件被截断、损坏或替换）",
            m.bytes
        )));
    }
    if sha != m.sha256 {
        return Err(refuse(
            "SHA-256 校验和与备份清单不符（文件损坏或被改动）".into(),
        ));
    }
    check_schema_and_key(file, &m, crypto)?;
    Ok(m)
}

fn check_schema_and_key(file: &Path, m: &Manifest, crypto: &Crypto) -> Result<()> {
    let latest = jiceng_store::migrate::latest();
    if m.schema_version > latest {
        return Err(refusal(
            file,
            &format!(
                "备份的数据库架构版本 {} 比本程序支持的 {latest} 新，请用更新版本的 jiceng 恢复",
                m.schema_version
            ),
        ));
    }
    if let Some(suite) = &m.crypto_suite {
        if Suite::from_code(suite) != Some(crypto.suite()) {
            return Err(refusal(
                file,
                &format!("备份的加密套件为 {suite}，与所给密钥的套件不符"),
            ));
        }
    }
    if let Some(fp) = &m.key_fingerprint {
        let mine = crate::privacy::key_fingerprint(crypto);
        if *fp != mine {
            return Err(refusal(
                file,
                &format!(
                    "备份用密钥 {} 加密，所给密钥为 {}（请用 --key-file 或 JICENG_KEY 指定做备份时的密钥）",
                    crate::privacy::short(fp),
                    crate::privacy::short(&mine)
                ),
            ));
        }
    }
    Ok(())
}

/// The copy (a SQLite file, or a database a dump was restored into) against its
/// manifest: a jiceng database, the same schema version, key, audit head and counts.
async fn compare(file: &Path, conn: &mut Conn, m: &Manifest) -> Result<()> {
    let refuse = |why: String| refusal(file, &why);
    let backend = db::backend_of(conn);
    let Some(version) = db::schema_version(conn).await? else {
        return Err(refuse(
            "不是 jiceng 数据库（其中没有 jiceng 的数据表）".into(),
        ));
    };
    let got = describe(conn, backend).await?;
    if version != m.schema_version {
        return Err(refuse(format!(
            "数据库架构版本为 {version}，与备份清单记录的 {} 不符",
            m.schema_version
        )));
    }
    if got.key_fingerprint != m.key_fingerprint || got.crypto_suite != m.crypto_suite {
        return Err(refuse(
            "数据库记录的密钥与备份清单不符（清单与文件不是同一个备份）".into(),
        ));
    }
    if got.audit_head != m.audit_head {
        return Err(refuse(format!(
            "审计日志止于第{}条，与备份清单记录的第{}条不符",
            got.audit_head.as_ref().map_or(0, |h| h.seq),
            m.audit_head.as_ref().map_or(0, |h| h.seq)
        )));
    }
    if got.counts != m.counts {
        let diff: Vec<String> = m
            .counts
            .iter()
            .filter(|(t, n)| got.counts.get(*t) != Some(n))
            .map(|(t, n)| format!("{t} {} 行（清单 {n} 行）", got.counts.get(t).unwrap_or(&0)))
            .collect();
        return Err(refuse(format!(
            "数据行数与备份清单不符：{}",
            diff.join("，")
        )));
    }
    Ok(())
}

/// What a restore did.
#[derive(Debug, Clone)]
pub struct Restored {
    pub manifest: Manifest,
    /// The database replaced, kept under another name (a file path, or a PostgreSQL
    /// database name); `None` when there was none.
    pub set_aside: Option<String>,
    pub seconds: f64,
}

/// Restores the backup `file` into the database at `url`. `crypto` is the key the backup
/// must have been made with. Replacing a database that holds data needs `force`, and is
/// refused while a server holds it. Nothing changes unless every check passed.
pub async fn restore(url: &str, file: &Path, crypto: &Crypto, force: bool) -> Result<Restored> {
    let started = std::time::Instant::now();
    let backend = backend_of_url(url)?;
    let manifest = check(file, backend, crypto)?;
    let set_aside = match backend {
        Backend::Sqlite => restore_sqlite(url, file, &manifest, force).await?,
        Backend::Postgres => restore_postgres(url, file, &manifest, force).await?,
    };
    Ok(Restored {
        manifest,
        set_aside,
        seconds: started.elapsed().as_secs_f64(),
    })
}

/// After a restore, on the restored database opened with the backup's key: the leases
/// the copy carried (servers running when it was made) are removed; when `mark`, the
/// anchor file gets a restore mark for the restored log's head (the anchors before it
/// belong to the replaced database) and the restore is recorded in the log.
pub async fn after_restore(app: &App, file: &Path, r: &Restored, mark: bool) -> Result<()> {
    {
        let mut conn = app.store.acquire().await?;
        jiceng_store::lease::clear(&mut conn).await?;
    }
    if !mark {
        return Ok(());
    }
    let (seq, mac) = r
        .manifest
        .audit_head
        .as_ref()
        .map_or((0, ""), |h| (h.seq, h.mac.as_str()));
    crate::audit::write_restore_mark(app, seq, mac)?;
    let now = app.now();
    let name = file.display().to_string();
    let system = crate::access::Actor::system();
    crate::audit::Entry::new(&system, crate::audit::AuditAction::Restore, name)
        .before(
            r.set_aside
                .as_ref()
                .map(|a| serde_json::json!({ "set_aside": a })),
        )
        .after(serde_json::json!({
            "backup_created_at": r.manifest.created_at,
            "audit_seq": seq,
            "sha256": r.manifest.sha256,
            "schema_version": r.manifest.schema_version,
        }))
        .record_alone(app, now)
        .await
}

/// A live SQLite database at `path` that holds something: refused while a server holds
/// it, and without `force`.
async fn may_replace_sqlite(path: &Path, force: bool) -> Result<()> {
    let live = async {
        let mut conn = db::connect_sqlite_file(path, db::FileMode::ReadOnly).await?;
        let r = async {
            if db::has_table(&mut conn, "server_lease").await? {
                crate::lease::refuse_if_held(&mut conn, "恢复备份").await?;
            }
            Ok::<_, AppError>(())
        }
        .await;
        let _ = close_conn(conn).await;
        r
    };
    match live.await {
        Err(AppError::Input(m)) => return Err(AppError::Input(m)),
        Err(e) if !force => {
            return Err(input(format!(
                "无法读取在用数据库 {}（{e}）；如确认要替换它，请确认服务已停止后加 --force",
                path.display()
            )))
        }
        Err(e) => eprintln!(
            "警告：无法读取在用数据库 {}（{e}），无法确认没有服务在使用它；按 --force 继续",
            path.display()
        ),
        Ok(()) => {}
    }
    if !force {
        return Err(input(format!(
            "数据库文件已存在：{}；恢复会替换它。请先停止服务，再加 --force（原数据库将改名保留在旁边）",
            path.display()
        )));
    }
    Ok(())
}

async fn restore_sqlite(
    url: &str,
    file: &Path,
    m: &Manifest,
    force: bool,
) -> Result<Option<String>> {
    let target =
        jiceng_store::sqlite_file(url).ok_or_else(|| input("不能恢复到内存数据库".into()))?;
    if same_file(&target, file) {
        return Err(refusal(file, "备份文件就是要恢复到的数据库文件"));
    }
    let exists = std::fs::metadata(&target).is_ok_and(|md| md.len() > 0);
    if exists {
        may_replace_sqlite(&target, force).await?;
    }
    // The copy beside the target (same file system: the rename is atomic), checked as
    // it will be used, with its checksum taken again while copying.
    let tmp = with_suffix(&target, ".restore-tmp");
    remove_if_exists(&tmp)?;
    let copied = copy_private(file, &tmp);
    let sha = match copied {
        Ok(sha) => sha,
        Err(e) => {
            let _ = std::fs::remove_file(&tmp);
            return Err(e);
        }
    };
    let checked = async {
        if sha != m.sha256 {
            return Err(refusal(file, "复制后的校验和与备份清单不符（读取时出错）"));
        }
        let mut conn = db::connect_sqlite_file(&tmp, db::FileMode::Immutable)
            .await
            .map_err(|e| refusal(file, &db::sqlite_open_error(file, &e)))?;
        let r = async {
            let problems = db::integrity_check(&mut conn)
                .await
                .map_err(|e| refusal(file, &db::sqlite_open_error(file, &e)))?;
            if !problems.is_empty() {
                return Err(refusal(
                    file,
                    &format!(
                        "完整性检查未通过（PRAGMA integrity_check：{}）",
                        problems.join("；")
                    ),
                ));
            }
            compare(file, &mut conn, m).await
        }
        .await;
        let _ = close_conn(conn).await;
        r
    }
    .await;
    if let Err(e) = checked {
        let _ = std::fs::remove_file(&tmp);
        return Err(e);
    }
    // Checked: only now is the live database touched. Once more: no server came up.
    let mut set_aside = None;
    if exists {
        if let Err(e) = may_replace_sqlite(&target, true).await {
            let _ = std::fs::remove_file(&tmp);
            return Err(e);
        }
        let stamp = chrono::Utc::now().format("%Y%m%dT%H%M%SZ");
        let aside = with_suffix(&target, &format!(".before-restore-{stamp}"));
        // The old database stays whole under its new name: a hard link first (the live
        // name never disappears), its -wal and -shm moved with it, then the copy renamed
        // over the live name.
        if std::fs::hard_link(&target, &aside).is_err() {
            std::fs::rename(&target, &aside).map_err(|e| io_err(&target, e))?;
        }
        for suffix in ["-wal", "-shm"] {
            let from = with_suffix(&target, suffix);
            if from.exists() {
                std::fs::rename(&from, with_suffix(&aside, suffix))
                    .map_err(|e| io_err(&from, e))?;
            }
        }
        set_aside = Some(aside.display().to_string());
    } else {
        // Nothing there, or an empty file (no database): replaced outright.
        for suffix in ["", "-wal", "-shm"] {
            remove_if_exists(&with_suffix(&target, suffix))?;
        }
    }
    std::fs::rename(&tmp, &target).map_err(|e| io_err(&target, e))?;
    sync_dir(&target)?;
    Ok(set_aside)
}

async fn restore_postgres(
    url: &str,
    file: &Path,
    m: &Manifest,
    force: bool,
) -> Result<Option<String>> {
    let pg = PgUrl::parse(url)?;
    // The archive is one pg_restore can read.
    let listed = run_pg(&pg, "pg_restore", |c| {
        c.arg("--list").arg(file);
    })
    .await?;
    if !listed.status.success() {
        return Err(refusal(
            file,
            &format!(
                "pg_restore 无法读取此文件（{}）",
                String::from_utf8_lossy(&listed.stderr).trim()
            ),
        ));
    }
    let admin_url = pg.with_db("postgres");
    let mut admin = db::connect(&admin_url).await?;
    let r = restore_postgres_on(&mut admin, &pg, file, m, force).await;
    let _ = close_conn(admin).await;
    r
}

/// Whether the target holds data (absent or without tables: false). A target with data is
/// refused while a server holds it, and without `force`.
async fn pg_may_replace(admin: &mut Conn, pg: &PgUrl, force: bool) -> Result<bool> {
    if !db::pg_database_exists(admin, &pg.db).await? {
        return Ok(false);
    }
    let mut conn = db::connect(&pg.url_with_password()).await?;
    let r = async {
        if db::table_count(&mut conn).await? == 0 {
            return Ok(false);
        }
        if db::has_table(&mut conn, "server_lease").await? {
            crate::lease::refuse_if_held(&mut conn, "恢复备份").await?;
        }
        if !force {
            return Err(input(format!(
                "数据库 {} 不是空的；恢复会替换它。请先停止服务，再加 --force（原数据库将改名保留）",
                pg.db
            )));
        }
        Ok(true)
    }
    .await;
    let _ = close_conn(conn).await;
    r
}

async fn restore_postgres_on(
    admin: &mut Conn,
    pg: &PgUrl,
    file: &Path,
    m: &Manifest,
    force: bool,
) -> Result<Option<String>> {
    let target_exists = db::pg_database_exists(admin, &pg.db).await?;
    let has_data = pg_may_replace(admin, pg, force).await?;
    // A fresh database beside the target, the dump restored into it and checked.
    let tmp_name: String = format!("{}_restore_{}", pg.db, std::process::id())
        .chars()
        .take(63)
        .collect();
    let tmp = pg.renamed(&tmp_name);
    let drop_tmp = format!("DROP DATABASE IF EXISTS {}", db::pg_ident(&tmp_name));
    db::execute(admin, &drop_tmp).await?;
    db::execute(
        admin,
        &format!(
            "CREATE DATABASE {} TEMPLATE template0 ENCODING 'UTF8'",
            db::pg_ident(&tmp_name)
        ),
    )
    .await?;
    let loaded = async {
        let out = run_pg(&tmp, "pg_restore", |c| {
            c.arg("--exit-on-error")
                .arg(format!("--dbname={}", tmp.url()))
                .arg(file);
        })
        .await?;
        if !out.status.success() {
            return Err(refusal(
                file,
                &format!(
                    "pg_restore 失败（{}）",
                    String::from_utf8_lossy(&out.stderr).trim()
                ),
            ));
        }
        let mut conn = db::connect(&tmp.url_with_password()).await?;
        let r = async {
            compare(file, &mut conn, m).await?;
            jiceng_store::lease::clear(&mut conn).await?;
            Ok::<_, AppError>(())
        }
        .await;
        let _ = close_conn(conn).await;
        r
    }
    .await;
    if let Err(e) = loaded {
        let _ = db::execute(admin, &drop_tmp).await;
        return Err(e);
    }
    // Checked: swap in one transaction, once more making sure nobody is connected.
    let swapped = async {
        pg_may_replace(admin, pg, true).await?;
        for name in [&pg.db, &tmp_name] {
            // A session just closed (ours, checking the lease) lingers for a moment.
            let mut n = db::pg_other_sessions(admin, name).await?;
            for _ in 0..50 {
                if n == 0 {
                    break;
                }
                tokio::time::sleep(std::time::Duration::from_millis(100)).await;
                n = db::pg_other_sessions(admin, name).await?;
            }
            if n > 0 && (name != &pg.db || target_exists) {
                let who = db::pg_other_sessions_detail(admin, name).await?;
                return Err(input(format!(
                    "数据库 {name} 仍有 {n} 个连接（{}）；请先停止使用它的服务和程序再恢复",
                    who.join("；")
                )));
            }
        }
        let stamp = chrono::Utc::now().format("%Y%m%d%H%M%S");
        let aside: String = format!("{}_before_restore_{stamp}", pg.db)
            .chars()
            .take(63)
            .collect();
        let mut sql = String::from("BEGIN; ");
        if target_exists {
            sql.push_str(&format!(
                "ALTER DATABASE {} RENAME TO {}; ",
                db::pg_ident(&pg.db),
                db::pg_ident(&aside)
            ));
        }
        sql.push_str(&format!(
            "ALTER DATABASE {} RENAME TO {}; COMMIT",
            db::pg_ident(&tmp_name),
            db::pg_ident(&pg.db)
        ));
        for stmt in sql.split("; ") {
            db::execute(admin, stmt).await?;
        }
        Ok::<_, AppError>(target_exists.then_some(aside))
    }
    .await;
    match swapped {
        Err(e) => {
            let _ = db::execute(admin, "ROLLBACK").await;
            let _ = db::execute(admin, &drop_tmp).await;
            Err(e)
        }
        // An empty database (created for the restore) is not kept.
        Ok(Some(aside)) if !has_data => {
            let drop = format!("DROP DATABASE IF EXISTS {}", db::pg_ident(&aside));
            if let Err(e) = db::execute(admin, &drop).await {
                eprintln!("警告：未能删除空数据库 {aside}：{e}");
            }
            Ok(None)
        }
        Ok(aside) => Ok(aside),
    }
}

/// A PostgreSQL URL taken apart for the client programs: the password goes to
/// `PGPASSWORD` (never on a command line other users may read).
#[derive(Debug, Clone)]
struct PgUrl {
    /// `postgres://user@host:port` (no password).
    base: String,
    password: Option<String>,
    db: String,
    /// `?…` or empty.
    query: String,
}

impl PgUrl {
    fn parse(url: &str) -> Result<PgUrl> {
        let bad = || AppError::Store(jiceng_store::StoreError::BadUrl(db::redact(url)));
        let (scheme, rest) = url.split_once("://").ok_or_else(bad)?;
        let (rest, query) = match rest.split_once('?') {
            Some((r, q)) => (r, format!("?{q}")),
            None => (rest, String::new()),
        };
        let (authority, db) = rest.split_once('/').ok_or_else(bad)?;
        if db.is_empty() {
            return Err(bad());
        }
        let (authority, password) = match authority.rsplit_once('@') {
            Some((cred, host)) => match cred.split_once(':') {
                Some((user, pw)) => (format!("{user}@{host}"), Some(percent_decode(pw))),
                None => (authority.to_string(), None),
            },
            None => (authority.to_string(), None),
        };
        Ok(PgUrl {
            base: format!("{scheme}://{authority}"),
            password,
            db: percent_decode(db),
            query,
        })
    }

    /// The URL without its password (for the client programs, with `PGPASSWORD`).
    fn url(&self) -> String {
        format!("{}/{}{}", self.base, self.db, self.query)
    }

    /// The URL with its password (for sqlx).
    fn url_with_password(&self) -> String {
        match &self.password {
            Some(pw) => {
                let (scheme, rest) = self.base.split_once("://").expect("parsed");
                let (user, host) = rest.rsplit_once('@').expect("a password has a user");
                format!(
                    "{scheme}://{user}:{}@{host}/{}{}",
                    percent_encode(pw),
                    self.db,
                    self.query
                )
            }
            None => self.url(),
        }
    }

    fn renamed(&self, db: &str) -> PgUrl {
        PgUrl {
            db: db.to_string(),
            ..self.clone()
        }
    }

    fn with_db(&self, db: &str) -> String {
        self.renamed(db).url_with_password()
    }

    fn command(&self, program: &str) -> std::process::Command {
        let mut c = std::process::Command::new(program);
        if let Some(pw) = &self.password {
            c.env("PGPASSWORD", pw);
        }
        c
    }
}

async fn run_pg(
    pg: &PgUrl,
    program: &'static str,
    args: impl FnOnce(&mut std::process::Command),
) -> Result<std::process::Output> {
    let mut c = pg.command(program);
    args(&mut c);
    tokio::task::spawn_blocking(move || c.output())
        .await
        .map_err(|e| input(format!("{program} 未能运行：{e}")))?
        .map_err(|e| {
            input(format!(
                "无法运行 {program}（请安装与服务器同版本的 PostgreSQL 客户端）：{e}"
            ))
        })
}

fn percent_decode(s: &str) -> String {
    let b = s.as_bytes();
    let mut out = Vec::with_capacity(b.len());
    let mut i = 0;
    while i < b.len() {
        if b[i] == b'%' && i + 2 < b.len() {
            if let Ok(v) = u8::from_str_radix(&s[i + 1..i + 3], 16) {
                out.push(v);
                i += 3;
                continue;
            }
        }
        out.push(b[i]);
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}

fn percent_encode(s: &str) -> String {
    s.bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'.' | b'_' | b'~' => {
                (b as char).to_string()
            }
            _ => format!("%{b:02X}"),
        })
        .collect()
}

// ------------------------------------------------------------------ files

fn io_err(path: &Path, e: std::io::Error) -> AppError {
    input(format!("文件 {} 读写失败：{e}", path.display()))
}

fn remove_if_exists(path: &Path) -> Result<()> {
    match std::fs::remove_file(path) {
        Err(e) if e.kind() != std::io::ErrorKind::NotFound => Err(io_err(path, e)),
        _ => Ok(()),
    }
}

fn sync_file(path: &Path) -> Result<()> {
    std::fs::OpenOptions::new()
        .read(true)
        .open(path)
        .and_then(|f| f.sync_all())
        .map_err(|e| io_err(path, e))
}

/// Syncs the folder holding `path`, so that a rename in it survives a crash.
fn sync_dir(path: &Path) -> Result<()> {
    let dir = match path.parent() {
        Some(d) if !d.as_os_str().is_empty() => d.to_path_buf(),
        _ => PathBuf::from("."),
    };
    std::fs::File::open(&dir)
        .and_then(|f| f.sync_all())
        .map_err(|e| io_err(&dir, e))
}

fn same_file(a: &Path, b: &Path) -> bool {
    match (std::fs::canonicalize(a), std::fs::canonicalize(b)) {
        (Ok(x), Ok(y)) => x == y,
        _ => false,
    }
}

/// Size and SHA-256 (hex) of a file.
fn checksum(path: &Path) -> Result<(u64, String)> {
    let mut f = std::fs::File::open(path).map_err(|e| io_err(path, e))?;
    let mut h = Sha256::new();
    let mut buf = vec![0u8; 1 << 20];
    let mut n = 0u64;
    loop {
        let k = f.read(&mut buf).map_err(|e| io_err(path, e))?;
        if k == 0 {
            break;
        }
        h.update(&buf[..k]);
        n += k as u64;
    }
    Ok((n, hex(&h.finalize())))
}

/// Copies `from` to a new private file `to`, synced; returns the SHA-256 of what was
/// read.
fn copy_private(from: &Path, to: &Path) -> Result<String> {
    let mut src = std::fs::File::open(from).map_err(|e| io_err(from, e))?;
    let mut dst = jiceng_store::files::create_private(to).map_err(|e| io_err(to, e))?;
    let mut h = Sha256::new();
    let mut buf = vec![0u8; 1 << 20];
    loop {
        let k = src.read(&mut buf).map_err(|e| io_err(from, e))?;
        if k == 0 {
            break;
        }
        h.update(&buf[..k]);
        dst.write_all(&buf[..k]).map_err(|e| io_err(to, e))?;
    }
    dst.sync_all().map_err(|e| io_err(to, e))?;
    Ok(hex(&h.finalize()))
}

/// Writes `bytes` to `path` beside (`.tmp`), synced, then renamed over it.
fn write_atomically(path: &Path, bytes: &[u8]) -> Result<()> {
    let tmp = with_suffix(path, ".tmp");
    remove_if_exists(&tmp)?;
    jiceng_store::files::write_private(&tmp, bytes).map_err(|e| io_err(&tmp, e))?;
    std::fs::rename(&tmp, path).map_err(|e| io_err(path, e))?;
    sync_dir(path)
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

async fn close_conn(conn: Conn) -> Result<()> {
    jiceng_store::backup::close(conn).await?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn postgres_urls_keep_their_password_off_the_command_line() {
        let u = PgUrl::parse("postgres://jc:p%40ss@db.local:5433/jiceng?sslmode=require").unwrap();
        assert_eq!(u.db, "jiceng");
        assert_eq!(u.password.as_deref(), Some("p@ss"));
        assert_eq!(
            u.url(),
            "postgres://jc@db.local:5433/jiceng?sslmode=require"
        );
        assert_eq!(
            u.with_db("postgres"),
            "postgres://jc:p%40ss@db.local:5433/postgres?sslmode=require"
        );
        let plain = PgUrl::parse("postgres://postgres@127.0.0.1:5432/x").unwrap();
        assert_eq!(plain.password, None);
        assert_eq!(
            plain.url_with_password(),
            "postgres://postgres@127.0.0.1:5432/x"
        );
        assert!(PgUrl::parse("postgres://host").is_err());
    }

    #[test]
    fn manifests_round_trip() {
        let m = Manifest {
            format: FORMAT.into(),
            format_version: FORMAT_VERSION,
            jiceng_version: "0.1.0".into(),
            backend: "sqlite".into(),
            schema_version: 13,
            crypto_suite: Some("aes".into()),
            key_fingerprint: Some("ab".into()),
            audit_head: Some(AuditHead {
                seq: 3,
                mac: "cd".into(),
            }),
            counts: [("member".to_string(), 5)].into_iter().collect(),
            created_at: "2026-12-15T00:00:00.000Z".into(),
            file: "bk.db".into(),
            bytes: 10,
            sha256: "00".into(),
        };
        let text = serde_json::to_string_pretty(&m).unwrap();
        assert_eq!(serde_json::from_str::<Manifest>(&text).unwrap(), m);
    }
}
