//! The use cases of jiceng, shared by the CLI and the web: each checks its input, calls
//! the domain for the rules and the store for the records, and writes in one transaction.

pub mod access;
pub mod admin;
pub mod audit;
pub mod auth;
pub mod backup;
pub mod browse;
pub mod clock;
pub mod crypto;
pub mod demo;
pub mod disclosure;
pub mod dues;
pub mod duties;
pub mod export;
pub mod funding;
pub mod generate;
pub mod groups;
pub mod import;
pub mod inspections;
pub mod kept_file;
pub mod lapse;
pub mod lease;
pub mod mass_requests;
pub mod meetings;
pub mod member_admin;
pub mod member_exit;
pub mod member_home;
pub mod mobile_in;
pub mod mobility;
pub mod notices;
pub mod org_admin;
pub mod pairing;
pub mod paper;
pub mod password;
mod person;
pub mod privacy;
mod problems;
pub mod rating;
pub mod recruitment;
pub mod rectification;
pub mod referral;
pub mod refusal;
pub mod reminders;
pub mod reports;
pub mod scorecard;
pub mod surveys;
pub mod tasks;
pub mod totp;
pub mod training;
pub mod transfer;
pub mod users;
pub mod venues;
pub mod weak;

use jiceng_domain::RuleBook;
use jiceng_store::orgs::StoredOrg;
/// The store's error, as the front ends classify it (unavailable, busy, corrupt).
pub use jiceng_store::StoreError;
use jiceng_store::{Scope, Store};

pub use crypto::Crypto;

/// An org as the front ends see it: the record, its place in the tree and its derived
/// facts. Plain data; the only way to one in the actor's scope is `access::resolve`.
pub use jiceng_store::orgs::{StoredFacts as OrgFacts, StoredOrg as OrgRecord};

/// An org as a report names it: code and name.
#[derive(Debug, Clone, Default, PartialEq, Eq, serde::Serialize)]
pub struct OrgRef {
    pub code: String,
    pub name: String,
}

impl OrgRef {
    pub fn of(o: &jiceng_domain::Org) -> OrgRef {
        OrgRef {
            code: o.code.clone(),
            name: o.name.clone(),
        }
    }

    /// The orgs of `ids` named, in one read (ids repeated or not found: once, absent).
    pub(crate) async fn by_ids(
        conn: &mut jiceng_store::Conn,
        ids: &[i64],
    ) -> Result<std::collections::BTreeMap<i64, OrgRef>> {
        let mut ids = ids.to_vec();
        ids.sort_unstable();
        ids.dedup();
        Ok(jiceng_store::orgs::by_ids(conn, &ids)
            .await?
            .iter()
            .map(|o| (o.org.id, OrgRef::of(&o.org)))
            .collect())
    }
}

/// The application: the store, the rules and the key, handed to every use case.
#[derive(Clone)]
pub struct App {
    /// The one store handle: the front ends reach it only through the use cases (and
    /// `admin`); tests and the bench read it with `App::store` (feature `test-support`).
    pub(crate) store: Store,
    pub rules: RuleBook,
    pub crypto: Crypto,
    /// A fixed "today" (tests, reproducing a past run); `None` reads the clock.
    pub fixed_today: Option<chrono::NaiveDate>,
    /// A day that overrides `fixed_today` once set, movable while serving (journey tests).
    pub shared_today: clock::SharedDay,
    /// A fixed instant for sessions and lockouts (tests); `None` reads the clock.
    pub fixed_now: Option<chrono::DateTime<chrono::Utc>>,
    /// Lockout and session expiry.
    pub auth: auth::AuthConfig,
    /// The per-user import rate and the alert thresholds for out-of-scope matches.
    pub import_limits: referral::ImportLimits,
    /// Audit log retention and anchors.
    pub audit: audit::AuditConfig,
    /// The second factor: which roles need it, code length, step, window.
    pub totp: totp::TotpConfig,
    /// The caps on a spreadsheet an import reads; `None` is the process's
    /// (`jiceng_io::configured_limits`). The web server sets tighter ones for uploads.
    pub read_limits: Option<jiceng_io::ReadLimits>,
    /// The public survey page's answers, written together ([`surveys::AnswerQueue`]).
    pub(crate) answers: surveys::AnswerQueue,
    /// A region with at least this many leaf orgs has their weakest-link gaps stored by
    /// the scorecard's build ([`scorecard::GAPS_STORED_FROM`]; tests lower it).
    pub scorecard_gaps_from: usize,
}

/// A refusal of what the user gave ([`AppError::Input`]), in Chinese.
pub(crate) fn input(msg: impl Into<String>) -> AppError {
    AppError::Input(msg.into())
}

#[derive(Debug, thiserror::Error)]
pub enum AppError {
    #[error("找不到党组织“{0}”（请填写组织代码或完整名称）")]
    OrgNotFound(String),
    #[error("党组织名称“{name}”不唯一（共{count}个），请改用组织代码")]
    OrgAmbiguous { name: String, count: usize },
    #[error("{0}")]
    Input(String),
    /// A meeting refused: the domain's reasons kept typed, each with its form field.
    #[error(transparent)]
    Meeting(#[from] meetings::RecordErrors),
    /// A recruitment step refused: the domain's reason with its form field.
    #[error(transparent)]
    Recruitment(#[from] recruitment::StepRefused),
    /// A member's life refused (a transfer letter or decision, an exit): the domain's
    /// reason with its form field.
    #[error(transparent)]
    MemberLife(#[from] refusal::Refused),
    /// The actor's role may not do this (a record outside the scope is `NotFound`).
    #[error("无权执行此操作")]
    Forbidden,
    /// Not found, or outside the actor's scope (the two are not told apart).
    #[error("找不到{0}")]
    NotFound(String),
    /// Too many requests of a kind (real imports): the message says when to retry.
    #[error("{0}")]
    TooFrequent(String),
    #[error(transparent)]
    Read(#[from] jiceng_io::ReadError),
    #[error(transparent)]
    Header(#[from] jiceng_io::HeaderError),
    #[error(transparent)]
    Crypto(#[from] crypto::CryptoError),
    #[error(transparent)]
    Store(#[from] StoreError),
}

impl From<jiceng_store::SqlxError> for AppError {
    fn from(e: jiceng_store::SqlxError) -> AppError {
        AppError::Store(StoreError::from(e))
    }
}

pub type Result<T, E = AppError> = std::result::Result<T, E>;

/// A form's optional text, trimmed; blank is none.
pub(crate) fn trimmed(s: &Option<String>) -> Option<String> {
    s.as_deref()
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .map(str::to_string)
}

impl App {
    pub fn new(store: Store, crypto: Crypto) -> App {
        audit::register(&crypto);
        App {
            store,
            rules: RuleBook::shipped(),
            crypto,
            fixed_today: None,
            shared_today: clock::SharedDay::default(),
            fixed_now: None,
            auth: auth::AuthConfig::default(),
            import_limits: referral::ImportLimits::default(),
            audit: audit::AuditConfig::default(),
            totp: totp::TotpConfig::default(),
            read_limits: None,
            answers: surveys::AnswerQueue::default(),
            scorecard_gaps_from: scorecard::GAPS_STORED_FROM,
        }
    }

    /// The store handle, for tests and the bench to look at what was written
    /// (feature `test-support`: a front end cannot reach it).
    #[cfg(feature = "test-support")]
    pub fn store(&self) -> &Store {
        &self.store
    }

    /// Closes the store (SQLite: checkpoints the WAL so the `.db` alone holds what was
    /// written).
    pub async fn close(&self) {
        self.store.close().await;
    }

    /// The current instant (or the fixed one).
    pub fn now(&self) -> chrono::DateTime<chrono::Utc> {
        self.fixed_now.unwrap_or_else(chrono::Utc::now)
    }

    /// Today in China Standard Time (or the fixed day).
    pub fn today(&self) -> chrono::NaiveDate {
        self.shared_today
            .get()
            .or(self.fixed_today)
            .unwrap_or_else(clock::today)
    }

    /// Finds an org by code, or by its exact name where that is unique, within `scope`.
    pub async fn resolve_org(&self, scope: &Scope, key: &str) -> Result<StoredOrg> {
        let key = key.trim();
        let mut conn = self.store.acquire().await?;
        if let Some(o) = jiceng_store::orgs::get_by_code(&mut conn, scope, key).await? {
            return Ok(o);
        }
        let mut found = jiceng_store::orgs::find_by_name(&mut conn, scope, key).await?;
        match found.len() {
            0 => Err(AppError::OrgNotFound(key.to_string())),
            1 => Ok(found.remove(0)),
            n => Err(AppError::OrgAmbiguous {
                name: key.to_string(),
                count: n,
            }),
        }
    }
}

/// This month, this quarter and this year: the periods whose compliance summaries a
/// server keeps fresh.
pub fn current_periods(today: chrono::NaiveDate) -> [jiceng_domain::Period; 3] {
    use jiceng_domain::Period;
    [
        Period::month_of(today),
        Period::quarter_of(today),
        Period::year_of(today),
    ]
}

/// The quarter before today's: the home pages compare it with this one.
pub fn last_quarter(today: chrono::NaiveDate) -> jiceng_domain::Period {
    use jiceng_domain::Period;
    Period::quarter_of(Period::quarter_of(today).first_day() - chrono::Duration::days(1))
}

/// Recomputes the higher levels' organizational-life summaries of the current periods for
/// the whole tree (`jiceng refresh`, after generation, and every few minutes in a server),
/// and of last quarter when `last_quarter` (a closed quarter changes only by backfill: a
/// server does it once a day).
pub async fn refresh_life_summaries_of(app: &App, with_last_quarter: bool) -> Result<usize> {
    let mut periods = current_periods(app.today()).to_vec();
    if with_last_quarter {
        periods.push(last_quarter(app.today()));
    }
    // The meetings marked before the judging are counted by it.
    let mut conn = app.store.acquire().await?;
    let stamps = jiceng_store::meetings::touched_stamps(&mut conn).await?;
    drop(conn);
    let written = reports::compliance::refresh_summaries(app, None, &periods).await?;
    let mut conn = app.store.acquire().await?;
    jiceng_store::meetings::forget_touched(&mut conn, &stamps).await?;
    Ok(written)
}

/// How often a server runs [`refresh_touched_life`] unless told otherwise, in seconds: a
/// meeting counts in a province's figures within about this plus the pass's own time.
pub const LIFE_PASS_SECONDS: u64 = 15;

/// Counts again, within seconds of a meeting, the higher levels' summaries of this month,
/// quarter and year and of last quarter above the orgs written since the last pass
/// (`reports::compliance::refresh_touched`); a server runs it every few seconds.
pub async fn refresh_touched_life(app: &App) -> Result<reports::compliance::TouchedPass> {
    let mut periods = current_periods(app.today()).to_vec();
    periods.push(last_quarter(app.today()));
    reports::compliance::refresh_touched(app, &periods).await
}

/// [`refresh_life_summaries_of`] with last quarter's too.
pub async fn refresh_life_summaries(app: &App) -> Result<usize> {
    refresh_life_summaries_of(app, true).await
}

/// Recomputes every org's derived facts when some root's were computed before today (the
/// day changed: terms run out, deadlines pass); else judges the applicants again when they
/// were judged on another day or by other rules; else nothing. A server calls it now and
/// then; it answers how many orgs it refreshed or people it judged.
pub async fn refresh_if_stale(app: &App) -> Result<usize> {
    let today = app.today();
    let mut conn = app.store.acquire().await?;
    let roots = jiceng_store::browse::roots(&mut conn).await?;
    let mut stale = false;
    for r in &roots {
        let checked = jiceng_store::facts::totals(&mut conn, r.org.id)
            .await?
            .and_then(|t| t.checked_on);
        stale |= checked != Some(today);
    }
    drop(conn);
    if stale {
        refresh_all(app).await
    } else if recruitment::rederive::stale(app).await? {
        Ok(recruitment::rederive::rederive(app).await?.judged)
    } else {
        Ok(0)
    }
}

/// Recomputes the derived facts of every org, a few thousand at a time (each chunk with
/// its ancestors), and judges every applicant again, as of today.
pub async fn refresh_all(app: &App) -> Result<usize> {
    let today = app.today();
    let mut conn = app.store.acquire().await?;
    let all = jiceng_store::orgs::list(&mut conn, &Scope::All).await?;
    drop(conn);
    // Deepest first, so each chunk's ancestors read children refreshed in earlier chunks.
    let mut ids: Vec<(i64, i64)> = all.iter().map(|o| (o.depth, o.org.id)).collect();
    ids.sort_by(|a, b| b.0.cmp(&a.0).then(a.1.cmp(&b.1)));
    for chunk in ids.chunks(5_000) {
        let touched: Vec<i64> = chunk.iter().map(|(_, id)| *id).collect();
        let mut tx = app.store.begin().await?;
        jiceng_store::facts::refresh(&mut tx, &app.rules, &touched, today).await?;
        tx.commit().await?;
    }
    // The applicants' judgements, as of today too.
    recruitment::rederive::rederive(app).await?;
    Ok(all.len())
}
