//! Opening the database with its key and audit policy, anchoring the audit log at exit,
//! and the orgs named on the command line.

use std::path::{Path, PathBuf};

use anyhow::{Context, Result};
use jiceng_app::admin::Store;
use jiceng_app::crypto::Suite;
use jiceng_app::{App, Crypto};

/// How `open` builds the app's audit policy, and the database it last opened: a command
/// that wrote to the audit log anchors it before the process ends (`anchor_at_exit`).
pub(crate) struct AuditSetup {
    pub(crate) config: jiceng_app::audit::AuditConfig,
    pub(crate) key_file: PathBuf,
    pub(crate) opened: std::sync::Mutex<Option<String>>,
}

pub(crate) static AUDIT: std::sync::OnceLock<AuditSetup> = std::sync::OnceLock::new();

pub(crate) async fn open(db: &str, key_file: &Path) -> Result<App> {
    open_with(db, key_file, None, Opening::Existing).await
}

/// What a command may create when it opens the database.
#[derive(Clone, Copy, PartialEq, Eq)]
pub(crate) enum Opening {
    /// `init` and the demo: the database if missing, and a key file if missing while the
    /// database records no key.
    Create,
    /// Every other command: a missing or empty SQLite file, a database without jiceng's
    /// schema or a missing key file is an error, never a new empty system or a new key.
    Existing,
}

/// Opens the database with the key and the crypto suite it was initialised with (`suite`
/// for a new one, default `aes`); a `suite` other than the database's is refused.
pub(crate) async fn open_with(
    db: &str,
    key_file: &Path,
    suite: Option<Suite>,
    opening: Opening,
) -> Result<App> {
    let shown = jiceng_app::admin::redact(db);
    let store = match opening {
        Opening::Create => Store::open(db).await,
        Opening::Existing => Store::open_existing(db).await,
    }
    .with_context(|| format!("打开数据库 {shown}"))?;
    let crypto =
        jiceng_app::privacy::load_key(&store, key_file, suite, opening == Opening::Create).await?;
    let mut app = App::new(store, crypto);
    if let Some(setup) = AUDIT.get() {
        app.audit = setup.config.clone();
        *setup.opened.lock().unwrap_or_else(|e| e.into_inner()) = Some(db.to_string());
    }
    jiceng_app::privacy::check_key(&app).await?;
    Ok(app)
}

/// Adds the audit log's head to the anchor file when this process wrote to the log
/// (the app's store is closed by then: the database is opened again).
pub(crate) async fn anchor_at_exit() -> Result<()> {
    let Some(setup) = AUDIT.get() else {
        return Ok(());
    };
    let db = setup
        .opened
        .lock()
        .unwrap_or_else(|e| e.into_inner())
        .clone();
    let Some(db) = db else { return Ok(()) };
    if !jiceng_app::audit::wrote_entries() {
        return Ok(());
    }
    let store = Store::open_existing(&db)
        .await
        .with_context(|| format!("打开数据库 {}", jiceng_app::admin::redact(&db)))?;
    let suite = jiceng_app::privacy::database_suite(&store)
        .await?
        .unwrap_or_default();
    let mut app = App::new(store, Crypto::load_existing(&setup.key_file, suite)?);
    app.audit = setup.config.clone();
    // After `key rotate` the key file given is no longer the database's: the rotation
    // anchored the log with the new key itself.
    if jiceng_app::privacy::check_key(&app).await.is_ok() {
        jiceng_app::audit::write_anchor(&app).await?;
    }
    app.close().await;
    Ok(())
}

/// An org named on the command line (code, exact name or id), resolved for the command
/// line's actor (the whole tree).
pub(crate) async fn system_org(
    app: &jiceng_app::App,
    key: &str,
) -> Result<jiceng_app::access::InScope<jiceng_app::OrgRecord>> {
    let actor = jiceng_app::access::Actor::system();
    let key = jiceng_app::access::OrgKey::parse(Some(key));
    Ok(jiceng_app::access::resolve(app, &actor, &key).await?)
}
