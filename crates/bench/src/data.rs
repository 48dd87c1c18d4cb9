//! The data sets: generated once by a child `jiceng gen` (so its peak memory is its own),
//! cached under the data folder and reused while the generation record beside them says
//! they are complete.

use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::Instant;

use anyhow::{bail, Context, Result};
use serde::{Deserialize, Serialize};

use crate::BenchArgs;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub enum Size {
    County,
    Province,
    Nation,
}

impl Size {
    pub fn name(self) -> &'static str {
        match self {
            Size::County => "county",
            Size::Province => "province",
            Size::Nation => "nation",
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub enum Backend {
    Sqlite,
    Postgres,
}

impl Backend {
    pub fn name(self) -> &'static str {
        match self {
            Backend::Sqlite => "sqlite",
            Backend::Postgres => "postgres",
        }
    }
}

/// A data set: where it is and what building it cost.
#[derive(Debug, Clone, Serialize)]
pub struct DataSet {
    pub size: Size,
    pub backend: Backend,
    pub url: String,
    pub key_file: PathBuf,
    pub generation: GenRecord,
    /// Reused from an earlier run (its generation figures are that run's).
    pub reused: bool,
    pub db_bytes: Option<u64>,
}

/// What `jiceng gen --format json` printed, with the wall time around the child.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct GenRecord {
    pub orgs: u64,
    pub members: u64,
    pub positions: u64,
    pub units: u64,
    /// A year of organizational life (meetings) for every branch.
    #[serde(default)]
    pub meetings: u64,
    pub seconds: f64,
    pub rows_per_second: f64,
    #[serde(default)]
    pub phases: std::collections::BTreeMap<String, f64>,
    #[serde(default)]
    pub peak_memory_mib: Option<f64>,
    /// Wall time of the whole child process (opening, migrations, generation, closing).
    #[serde(default)]
    pub wall_seconds: f64,
    #[serde(default)]
    pub built_on: String,
}

pub fn db_name(size: Size) -> String {
    format!("jiceng_bench_{}", size.name())
}

fn record_path(args: &BenchArgs, size: Size, backend: Backend) -> PathBuf {
    args.data
        .join(format!("{}-{}.gen.json", size.name(), backend.name()))
}

fn sqlite_path(args: &BenchArgs, size: Size) -> PathBuf {
    args.data.join(format!("{}.db", size.name()))
}

pub fn pg_url(args: &BenchArgs, db: &str) -> String {
    format!("{}/{}", args.pg.trim_end_matches('/'), db)
}

/// The data set of `size` on `backend`: reused when its record says it is complete,
/// else (re)built.
pub async fn ensure(args: &BenchArgs, size: Size, backend: Backend) -> Result<DataSet> {
    std::fs::create_dir_all(&args.data).with_context(|| format!("创建 {}", args.data.display()))?;
    let key_file = args.data.join("bench.key");
    let record = record_path(args, size, backend);
    let url = match backend {
        Backend::Sqlite => format!("sqlite://{}", sqlite_path(args, size).display()),
        Backend::Postgres => pg_url(args, &db_name(size)),
    };
    let complete = record.exists() && !args.rebuild;
    let reused = complete;
    if !complete {
        println!(
            "· 生成数据集 {} / {}（{}）…",
            size.name(),
            backend.name(),
            url
        );
        if !args.force {
            check_disk(args, size, backend).await?;
        }
        clear(args, size, backend).await?;
        let rec = generate(args, size, &url, &key_file)?;
        std::fs::write(&record, serde_json::to_string_pretty(&rec)?)?;
    }
    let generation: GenRecord = serde_json::from_str(&std::fs::read_to_string(&record)?)
        .with_context(|| format!("读取 {}", record.display()))?;
    let db_bytes = db_size(args, size, backend).await.ok();
    Ok(DataSet {
        size,
        backend,
        url,
        key_file,
        generation,
        reused,
        db_bytes,
    })
}

/// Bytes on disk per member of a generated set (with its orgs, units, positions and a
/// year of meetings), as measured here: the province 山东 is 8.5 GiB on SQLite and
/// 11.9 GiB on PostgreSQL for 7.08 million members (docs/PERFORMANCE.md).
fn bytes_per_member(backend: Backend) -> f64 {
    match backend {
        Backend::Sqlite => 8.5 * GIB / 7_082_880.0,
        Backend::Postgres => 11.9 * GIB / 7_082_880.0,
    }
}

const GIB: f64 = 1024.0 * 1024.0 * 1024.0;

/// Members of a generated set, roughly (the province: the largest, 山东).
fn members_about(size: Size) -> f64 {
    match size {
        Size::County => 45_000.0,
        Size::Province => 7_100_000.0,
        Size::Nation => 100_000_000.0,
    }
}

/// The disk a set needs: itself, and a second copy while the import is measured.
pub fn disk_needed(args: &BenchArgs, size: Size, backend: Backend) -> f64 {
    let one = members_about(size) * bytes_per_member(backend);
    if args.no_import {
        one
    } else {
        2.0 * one
    }
}

/// Free bytes of the file system holding `dir` (`df`), if it can be read.
fn free_bytes(dir: &Path) -> Option<f64> {
    let out = Command::new("df").arg("-Pk").arg(dir).output().ok()?;
    let text = String::from_utf8(out.stdout).ok()?;
    let kib: f64 = text
        .lines()
        .nth(1)?
        .split_whitespace()
        .nth(3)?
        .parse()
        .ok()?;
    Some(kib * 1024.0)
}

/// Refuses to start a generation that cannot fit: hours of work that would end with a
/// full disk. PostgreSQL's disk is checked where its data directory is on this machine.
async fn check_disk(args: &BenchArgs, size: Size, backend: Backend) -> Result<()> {
    let dir = match backend {
        Backend::Sqlite => args.data.clone(),
        Backend::Postgres => {
            let pool = admin(args).await?;
            let dir: Option<String> =
                sqlx::query_scalar("SELECT setting FROM pg_settings WHERE name = 'data_directory'")
                    .fetch_optional(&pool)
                    .await
                    .ok()
                    .flatten();
            pool.close().await;
            match dir.map(PathBuf::from).filter(|d| d.exists()) {
                Some(d) => d,
                None => return Ok(()),
            }
        }
    };
    let Some(free) = free_bytes(&dir) else {
        return Ok(());
    };
    let needed = disk_needed(args, size, backend);
    if free < needed {
        bail!(
            "数据集 {} / {} 约需 {:.0} GiB 磁盘{}，{} 所在磁盘只剩 {:.0} GiB：未开始生成。\
             请换磁盘更大的机器{}，或加 --force 仍然尝试",
            size.name(),
            backend.name(),
            needed / GIB,
            if args.no_import {
                ""
            } else {
                "（含导入测试用的副本）"
            },
            dir.display(),
            free / GIB,
            if args.no_import {
                ""
            } else {
                "，或加 --no-import 省去副本"
            },
        );
    }
    Ok(())
}

/// A one-connection pool on the server's `postgres` database (creating and dropping the
/// data sets' databases, reading its settings); gives up after 5 seconds.
async fn admin(args: &BenchArgs) -> Result<sqlx::AnyPool> {
    let url = pg_url(args, "postgres");
    sqlx::any::install_default_drivers();
    let opts: sqlx::any::AnyConnectOptions = url.parse()?;
    sqlx::any::AnyPoolOptions::new()
        .max_connections(1)
        .acquire_timeout(std::time::Duration::from_secs(5))
        .connect_with(opts)
        .await
        .with_context(|| format!("连接 PostgreSQL {url}"))
}

/// Whether the PostgreSQL server of `--pg` answers (its `postgres` database).
pub async fn reachable(args: &BenchArgs) -> Result<()> {
    admin(args).await?.close().await;
    Ok(())
}

/// Removes a data set's database (file or PostgreSQL database) and record.
async fn clear(args: &BenchArgs, size: Size, backend: Backend) -> Result<()> {
    let _ = std::fs::remove_file(record_path(args, size, backend));
    match backend {
        Backend::Sqlite => {
            let p = sqlite_path(args, size);
            for suffix in ["", "-wal", "-shm"] {
                let _ = std::fs::remove_file(format!("{}{suffix}", p.display()));
            }
        }
        Backend::Postgres => {
            let pool = admin(args).await?;
            sqlx::query(&format!(
                "DROP DATABASE IF EXISTS {} WITH (FORCE)",
                db_name(size)
            ))
            .execute(&pool)
            .await?;
            sqlx::query(&format!("CREATE DATABASE {}", db_name(size)))
                .execute(&pool)
                .await?;
            pool.close().await;
        }
    }
    Ok(())
}

/// Runs `jiceng init` (only it creates a database and its key) and then `jiceng gen` as
/// children, and reads gen's summary.
fn generate(args: &BenchArgs, size: Size, url: &str, key_file: &Path) -> Result<GenRecord> {
    let exe = std::env::current_exe()?;
    let init = Command::new(&exe)
        .arg("--db")
        .arg(url)
        .arg("--key-file")
        .arg(key_file)
        .arg("init")
        .stderr(std::process::Stdio::inherit())
        .output()
        .context("运行 jiceng init")?;
    if !init.status.success() {
        bail!("jiceng init 失败（{}）", init.status);
    }
    let mut cmd = Command::new(exe);
    cmd.arg("--db")
        .arg(url)
        .arg("--key-file")
        .arg(key_file)
        .arg("gen")
        .arg("--format")
        .arg("json");
    match size {
        Size::County => {}
        Size::Province => {
            cmd.arg("--region").arg(&args.region);
        }
        Size::Nation => {
            cmd.arg("--national");
        }
    }
    if size != Size::County {
        let dir = args
            .divisions
            .clone()
            .or_else(default_divisions)
            .context("找不到区划数据目录：请用 --divisions 指定（shared/data/divisions）")?;
        cmd.arg("--divisions").arg(dir);
    }
    let started = Instant::now();
    let out = cmd
        .stderr(std::process::Stdio::inherit())
        .output()
        .context("运行 jiceng gen")?;
    if !out.status.success() {
        bail!("jiceng gen 失败（{}）", out.status);
    }
    let mut rec: GenRecord = serde_json::from_slice(&out.stdout).context("读取 gen 的 JSON")?;
    rec.wall_seconds = started.elapsed().as_secs_f64();
    rec.built_on = chrono::Local::now().format("%Y-%m-%d %H:%M").to_string();
    Ok(rec)
}

pub fn default_divisions() -> Option<PathBuf> {
    [
        "../shared/data/divisions",
        "shared/data/divisions",
        "../../shared/data/divisions",
        "/work/shared/data/divisions",
    ]
    .iter()
    .map(PathBuf::from)
    .find(|p| p.join("provinces.csv.gz").exists())
}

/// Bytes on disk: the SQLite file and its WAL, or `pg_database_size`.
pub async fn db_size(args: &BenchArgs, size: Size, backend: Backend) -> Result<u64> {
    match backend {
        Backend::Sqlite => {
            let p = sqlite_path(args, size);
            let mut n = 0;
            for suffix in ["", "-wal"] {
                if let Ok(m) = std::fs::metadata(format!("{}{suffix}", p.display())) {
                    n += m.len();
                }
            }
            Ok(n)
        }
        Backend::Postgres => {
            sqlx::any::install_default_drivers();
            let pool = sqlx::AnyPool::connect(&pg_url(args, &db_name(size))).await?;
            let n: i64 = sqlx::query_scalar("SELECT pg_database_size(current_database())")
                .fetch_one(&pool)
                .await?;
            pool.close().await;
            Ok(n as u64)
        }
    }
}

/// A throwaway copy of a data set for a write (the import), removed by `drop_copy`.
pub async fn copy(args: &BenchArgs, set: &DataSet) -> Result<String> {
    match set.backend {
        Backend::Sqlite => {
            let from = sqlite_path(args, set.size);
            let to = args.data.join(format!("{}-scratch.db", set.size.name()));
            // Checkpoint first so the copy holds everything.
            let store = jiceng_store::Store::open(&set.url).await?;
            sqlx::query("PRAGMA wal_checkpoint(TRUNCATE)")
                .execute(store.pool())
                .await?;
            store.close().await;
            std::fs::copy(&from, &to)?;
            Ok(format!("sqlite://{}", to.display()))
        }
        Backend::Postgres => {
            let pool = admin(args).await?;
            let name = format!("{}_scratch", db_name(set.size));
            sqlx::query(&format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)"))
                .execute(&pool)
                .await?;
            // A closed pool's backends may still be ending: a template must have none.
            sqlx::query(
                "SELECT COUNT(pg_terminate_backend(pid)) FROM pg_stat_activity \
                 WHERE datname = $1 AND pid <> pg_backend_pid()",
            )
            .bind(db_name(set.size))
            .execute(&pool)
            .await?;
            sqlx::query(&format!(
                "CREATE DATABASE {name} TEMPLATE {}",
                db_name(set.size)
            ))
            .execute(&pool)
            .await
            .context("复制 PostgreSQL 数据库（需要没有其他连接）")?;
            pool.close().await;
            Ok(pg_url(args, &name))
        }
    }
}

pub async fn drop_copy(args: &BenchArgs, set: &DataSet) -> Result<()> {
    match set.backend {
        Backend::Sqlite => {
            let to = args.data.join(format!("{}-scratch.db", set.size.name()));
            for suffix in ["", "-wal", "-shm"] {
                let _ = std::fs::remove_file(format!("{}{suffix}", to.display()));
            }
        }
        Backend::Postgres => {
            let pool = admin(args).await?;
            let name = format!("{}_scratch", db_name(set.size));
            sqlx::query(&format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)"))
                .execute(&pool)
                .await?;
            pool.close().await;
        }
    }
    Ok(())
}
