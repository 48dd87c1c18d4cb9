//! Operations on the whole database: `refresh`, `backup`, `restore`.

use std::path::Path;
use std::process::ExitCode;

use anyhow::Result;
use jiceng_app::crypto::Suite;
use jiceng_app::{App, Crypto};

use crate::access;
use crate::open::{open, AUDIT};

/// `jiceng refresh`, also run after a restore.
pub(crate) async fn refresh(app: &App) -> Result<()> {
    let n = jiceng_app::refresh_all(app).await?;
    println!("已重算 {n} 个党组织的派生数据");
    let s = jiceng_app::refresh_life_summaries(app).await?;
    println!("已重算 {s} 条上级组织生活汇总（本月、本季度、本年）");
    Ok(())
}

/// `jiceng backup FILE`: the copy and its manifest (no key needed).
pub(crate) async fn backup(db: &str, file: &Path, force: bool) -> Result<ExitCode> {
    let made = jiceng_app::backup::backup(db, file, force).await?;
    let m = &made.manifest;
    println!(
        "已备份到 {}（{:.1} MB，用时 {:.2} 秒）\n清单：{}\n架构版本 {}，审计日志至第{}条，SHA-256 {}",
        made.file.display(),
        m.bytes as f64 / 1e6,
        made.seconds,
        jiceng_app::backup::manifest_path(file).display(),
        m.schema_version,
        m.audit_head.as_ref().map_or(0, |h| h.seq),
        m.sha256
    );
    let counts: Vec<String> = m.counts.iter().map(|(t, n)| format!("{t} {n}")).collect();
    println!("行数：{}", counts.join("，"));
    Ok(ExitCode::SUCCESS)
}

/// `jiceng restore FILE`: every check first (app::backup), then the swap, then the
/// restored database is opened with the key, marked in the anchor file, checked
/// (`audit verify`) and refreshed. Exit 1 when the audit chain has problems.
pub(crate) async fn restore(
    db: &str,
    key_file: &Path,
    explicit_anchor: bool,
    file: &Path,
    force: bool,
) -> Result<ExitCode> {
    let manifest = jiceng_app::backup::read_manifest(file)?;
    let suite = manifest
        .crypto_suite
        .as_deref()
        .and_then(Suite::from_code)
        .unwrap_or_default();
    let key = match Crypto::load_existing(key_file, suite) {
        Err(jiceng_app::crypto::CryptoError::KeyFileMissing(path)) => anyhow::bail!(
            "密钥文件不存在：{path}；此备份已用密钥 {} 加密，请找回原密钥文件（用 --key-file 指定或设置 JICENG_KEY）",
            manifest.key_fingerprint.as_deref().unwrap_or("（未记录）")
        ),
        other => other?,
    };
    let restored = jiceng_app::backup::restore(db, file, &key, force).await?;
    let shown = jiceng_app::admin::redact(db);
    println!(
        "已从 {} 恢复到 {shown}（备份于 {}，用时 {:.2} 秒）",
        file.display(),
        manifest.created_at,
        restored.seconds
    );
    if let Some(a) = &restored.set_aside {
        println!("原数据库已改名保留为 {a}（核对无误后可删除）");
    }
    // The anchor file follows the restored database when the restore replaced one, or
    // when it was named explicitly; a restore into a new place (a drill) leaves it alone.
    let mark = restored.set_aside.is_some() || explicit_anchor;
    let mut app = open(db, key_file).await?;
    jiceng_app::backup::after_restore(&app, file, &restored, mark).await?;
    if !mark {
        app.audit.anchor = None;
        if let Some(setup) = AUDIT.get() {
            *setup.opened.lock().unwrap_or_else(|e| e.into_inner()) = None;
        }
        println!(
            "恢复到了新位置：审计锚点文件未改动（它属于在用数据库）。若恢复出的数据库将取代已丢失的在用数据库，\
             请加 --audit-anchor 指定锚点文件重新恢复；演练时可用 --audit-anchor 指定锚点文件的副本。"
        );
    }
    println!("\n审计链校验（jiceng audit verify）：");
    let code = access::audit(&app, access::AuditCmd::Verify).await?;
    println!("\n派生数据重算（jiceng refresh）：");
    refresh(&app).await?;
    app.close().await;
    Ok(code)
}
