//! What the command line needs of the database beyond the use cases: opening it, the
//! schema version, a redacted address for messages, the org count and the key's record.
//! The front ends reach the store only through here (issue 13).

use jiceng_store::Scope;

pub use jiceng_store::backup::redact;
pub use jiceng_store::citus::Placement;
pub use jiceng_store::Store;

use crate::{App, Result};

/// The schema version this build migrates to.
pub fn latest_migration() -> i64 {
    jiceng_store::migrate::latest()
}

/// Where the tables are when the database is a Citus coordinator (`None` otherwise).
pub async fn cluster_placement(app: &App) -> Result<Option<Placement>> {
    Ok(jiceng_store::citus::placement(&app.store).await?)
}

/// How many orgs the database holds (zero: a fresh database).
pub async fn org_count(app: &App) -> Result<i64> {
    let mut conn = app.store.acquire().await?;
    Ok(jiceng_store::orgs::count(&mut conn, &Scope::All).await?)
}

/// The key fingerprint the database recorded, if any.
pub async fn recorded_key_fingerprint(store: &Store) -> Result<Option<String>> {
    let mut conn = store.acquire().await?;
    Ok(jiceng_store::protection::key_fingerprint(&mut conn).await?)
}

/// Whether the data is generated (synthetic people): the pages' footer says so then.
pub async fn synthetic(app: &App) -> Result<bool> {
    let mut conn = app.store.acquire().await?;
    Ok(jiceng_store::protection::synthetic(&mut conn).await?)
}

/// The demo's county committee: the deepest LocalCommittee (the generated county).
pub async fn demo_county(app: &App) -> Result<Option<String>> {
    let mut conn = app.store.acquire().await?;
    let all = jiceng_store::orgs::list(&mut conn, &Scope::All).await?;
    Ok(all
        .iter()
        .filter(|o| o.org.kind == jiceng_domain::OrgKind::LocalCommittee)
        .max_by_key(|o| o.depth)
        .map(|o| o.org.code.clone()))
}

/// Refuses while a server holds the database's lease (`action`: what the command would
/// do, for the message).
pub async fn refuse_if_served(app: &App, action: &str) -> Result<()> {
    let mut conn = app.store.acquire().await?;
    crate::lease::refuse_if_held(&mut conn, action).await
}
