//! The restore of a SQLite database: checked, then renamed over the live file (its `-wal`
//! and `-shm` moved aside), the replaced one kept; and what follows a restore.

use super::*;

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
pub(super) async fn may_replace_sqlite(path: &Path, force: bool) -> Result<()> {
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

pub(super) async fn restore_sqlite(
    url: &str,
    file: &Path,
    m: &Manifest,
    force: bool,
) -> Result<Option<String>> {
    let target = jiceng_store::sqlite_file(url).ok_or_else(|| input("不能恢复到内存数据库"))?;
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
