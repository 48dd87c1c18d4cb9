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

mod files;
mod postgres;
mod restore;
#[cfg(test)]
mod tests;

use files::*;
use postgres::*;
pub use restore::*;

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

use crate::input;

/// What the copy holds, read on one connection (inside the dump's snapshot on
/// PostgreSQL): everything of the manifest but the file's size and checksum.
async fn describe(conn: &mut Conn, backend: Backend) -> Result<Manifest> {
    let schema_version = db::schema_version(conn)
        .await?
        .ok_or_else(|| input("数据库中没有 jiceng 的数据表"))?;
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
            let live = jiceng_store::sqlite_file(url).ok_or_else(|| input("内存数据库无法备份"))?;
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
            if jiceng_store::citus::has_citus(&mut conn).await? {
                let _ = close_conn(conn).await;
                return Err(input(jiceng_store::citus::BACKUP_REFUSAL.to_string()));
            }
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
