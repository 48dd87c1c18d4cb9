//! 党务公开 (SPEC C8): an org publishes chosen items to its members (seen after login, on
//! the org's page and the member's home) or to its public page (`/p/{key}`, no login). An
//! item is free (a decision or a notice: title, body, day) or a figure computed from the
//! org's records — chosen from the fixed list of [`Figure`] — and frozen in the item with
//! the day it was computed. A withdrawn item is on no page at once. Every publication and
//! withdrawal is audited.
//!
//! The public page is reached by the org's public key alone: a random key made when the
//! org first publishes (never its id or code). It carries the org's name and its published
//! public items, nothing else: no member, no link into the application.

use chrono::NaiveDate;
use jiceng_domain::disclosure::{
    self as domain, Audience, DisclosureError, Figure, FreeDraft, ItemKind, ItemState,
};
use jiceng_domain::{OrgKind, Period};
use jiceng_store::disclosure::{self as store, StoredItem};
use jiceng_store::Scope;
use serde::Serialize;
use serde_json::json;

use crate::access::{Grant, InScope, PublishDisclosure};
use crate::audit::{self, AuditAction};
use crate::auth::time_text;
use crate::refusal::{refused, Refused};
use crate::{App, AppError, OrgRecord, OrgRef, Result};

/// How many items a page lists.
pub const LIST_MAX: i64 = 200;

/// Characters of a public key (base32: 130 random bits).
const KEY_CHARS: usize = 26;
const ALPHABET: &[u8; 32] = b"abcdefghijkmnpqrstuvwxyz23456789";

impl From<DisclosureError> for AppError {
    fn from(e: DisclosureError) -> AppError {
        AppError::MemberLife(Refused {
            field: e.field,
            message: e.message,
        })
    }
}

fn new_key() -> Result<String> {
    let mut b = [0u8; KEY_CHARS];
    getrandom::getrandom(&mut b).map_err(|e| AppError::Input(format!("系统随机数不可用：{e}")))?;
    Ok(b.iter()
        .map(|x| ALPHABET[usize::from(*x % 32)] as char)
        .collect())
}

/// An item as the org's pages show it.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Item {
    pub id: i64,
    pub audience: Audience,
    pub kind: ItemKind,
    pub figure: Option<Figure>,
    pub title: String,
    pub body: String,
    /// A free item's day; a figure's: the day it was computed.
    pub day: NaiveDate,
    pub state: ItemState,
    pub published_by: String,
    pub published_at: String,
    pub withdrawn_by: Option<String>,
    pub withdrawn_at: Option<String>,
}

impl Item {
    pub fn is_published(&self) -> bool {
        self.state == ItemState::Published
    }

    pub fn is_figure(&self) -> bool {
        self.kind == ItemKind::Figure
    }

    /// The line a figure carries on every page.
    pub fn frozen_note(&self) -> String {
        frozen_note(self.day)
    }
}

/// What a page says under a figure.
pub fn frozen_note(day: NaiveDate) -> String {
    format!("数据截至{day}，发布时由系统根据台账计算，发布后不再变动")
}

fn shown(i: StoredItem) -> Item {
    Item {
        id: i.id,
        audience: i.audience,
        kind: i.kind,
        figure: i.figure,
        title: i.title,
        body: i.body,
        day: i.day,
        state: if i.withdrawn_at.is_some() {
            ItemState::Withdrawn
        } else {
            ItemState::Published
        },
        published_by: i.published_by,
        published_at: i.published_at,
        withdrawn_by: i.withdrawn_by,
        withdrawn_at: i.withdrawn_at,
    }
}

/// A closed survey of the org, which its results may be published from.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ClosedSurvey {
    pub id: i64,
    pub label: String,
}

/// The org's disclosure: its items (withdrawn ones too), its public page's key (once it
/// has published), the closed surveys whose results may be published.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Board {
    pub org: OrgRef,
    pub org_id: i64,
    pub public_key: Option<String>,
    pub items: Vec<Item>,
    pub surveys: Vec<ClosedSurvey>,
    pub today: NaiveDate,
}

impl Board {
    pub fn published(&self) -> usize {
        self.items.iter().filter(|i| i.is_published()).count()
    }
}

/// The disclosure of `org` itself (its own items, not its subtree's).
pub async fn board(app: &App, org: &InScope<OrgRecord>) -> Result<Board> {
    let mut conn = app.store.acquire().await?;
    let items = store::of_org(&mut conn, org.org.id, false, None, LIST_MAX).await?;
    let public_key = store::key_of(&mut conn, org.org.id).await?;
    drop(conn);
    let surveys = crate::surveys::list(app, org)
        .await?
        .surveys
        .into_iter()
        .filter(|s| s.org_id == org.org.id && !s.is_open())
        .map(|s| ClosedSurvey {
            id: s.id,
            label: format!(
                "{}（{}结束）",
                s.period_label,
                s.closed_on.unwrap_or(s.opened_on)
            ),
        })
        .collect();
    Ok(Board {
        org: org.org_ref(),
        org_id: org.org.id,
        public_key,
        items: items.into_iter().map(shown).collect(),
        surveys,
        today: app.today(),
    })
}

/// The items `org` has published and not withdrawn, to its members and to the public,
/// the newest first: what its members see after login.
pub async fn for_members(app: &App, org_id: i64) -> Result<Vec<Item>> {
    let mut conn = app.store.acquire().await?;
    let items = store::of_org(&mut conn, org_id, true, None, LIST_MAX).await?;
    Ok(items.into_iter().map(shown).collect())
}

/// What a member of the org at `path` sees: the items the org and every org above it
/// publish and have not withdrawn, the newest first.
pub async fn for_member_of(app: &App, path: &str) -> Result<Vec<Item>> {
    let ids = jiceng_domain::path::ids(path);
    let mut conn = app.store.acquire().await?;
    let items = store::of_orgs(&mut conn, &ids, LIST_MAX).await?;
    Ok(items.into_iter().map(shown).collect())
}

/// The address of `org`'s public page (`/p/{key}`), once it has published.
pub async fn public_path(app: &App, org_id: i64) -> Result<Option<String>> {
    let mut conn = app.store.acquire().await?;
    Ok(store::key_of(&mut conn, org_id)
        .await?
        .map(|k| format!("/p/{k}")))
}

/// What to publish.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Publication {
    /// A decision or a notice as written.
    Free(FreeDraft),
    /// A figure of the org's records: of a year, or of a closed survey of the org.
    Figure {
        figure: Option<Figure>,
        year: Option<i32>,
        survey: Option<i64>,
    },
}

/// A figure computed: title, body, what it is of.
struct Computed {
    title: String,
    body: String,
    of: String,
}

async fn compute(
    app: &App,
    org: &InScope<OrgRecord>,
    figure: Figure,
    year: Option<i32>,
    survey: Option<i64>,
    today: NaiveDate,
) -> Result<Computed> {
    let name = &org.org.name;
    Ok(match figure {
        Figure::DuesYear => {
            let y = domain::check_year(year, today)?;
            let o = crate::dues::overview(app, org, Period::Year(y)).await?;
            let t = &o.total;
            let rate = t
                .rate
                .map_or_else(|| "暂无数据".to_string(), |r| format!("{r:.1}%"));
            Computed {
                title: format!("{name}{y}年党费收缴情况"),
                body: format!(
                    "{y}年截至{today}，应缴党费{}元，实缴党费{}元，缴纳党费{}人次，收缴率{rate}；现有党员{}名。",
                    t.due_yuan, t.paid_yuan, t.paid_members, t.members
                ),
                of: y.to_string(),
            }
        }
        Figure::AdmittedYear => {
            let y = domain::check_year(year, today)?;
            let o = crate::recruitment::overview::overview(app, org, y).await?;
            Computed {
                title: format!("{name}{y}年发展党员情况"),
                body: format!(
                    "{y}年截至{today}，发展党员（接收预备党员）{}名。",
                    o.total.plan.admitted
                ),
                of: y.to_string(),
            }
        }
        Figure::RequestsYear => {
            let y = domain::check_year(year, today)?;
            let l = crate::mass_requests::list_in(
                app,
                org,
                crate::mass_requests::Shown::All,
                Some(Period::Year(y)),
            )
            .await?;
            let c = &l.counts;
            Computed {
                title: format!("{name}{y}年群众诉求办理情况"),
                body: format!(
                    "{y}年截至{today}，受理群众诉求{}件，已办结{}件，办结率{}。",
                    c.received,
                    c.resolved,
                    l.rate_text()
                ),
                of: y.to_string(),
            }
        }
        Figure::SurveyResult => {
            let id = survey.ok_or_else(|| refused("survey", "请选择已结束的测评"))?;
            let r = crate::surveys::get(app, org, id)
                .await
                .map_err(|e| match e {
                    AppError::NotFound(_) => refused("survey", "找不到这次测评"),
                    e => e,
                })?;
            let s = &r.summary;
            if s.org_id != org.org.id {
                return Err(refused("survey", "只能公开本组织的测评结果"));
            }
            if s.is_open() {
                return Err(refused("survey", "测评尚未结束，结束后才能公开结果"));
            }
            Computed {
                title: format!("{name}{}群众满意度测评结果", s.period_label),
                body: format!(
                    "发放测评码{}份，收回答卷{}份，参评率{}；满意率{}（{}）。",
                    s.issued,
                    s.responses,
                    s.response_rate_text(),
                    s.satisfaction_text(),
                    r.definition
                ),
                of: id.to_string(),
            }
        }
    })
}

/// Publishes an item of `org` to `audience`: a free item as written, or a figure computed
/// now from the org's records and frozen in the item with today's day. Gives the org its
/// public key on its first publication. Returns the item's id.
pub async fn publish(
    app: &App,
    grant: &Grant<PublishDisclosure>,
    org: &InScope<OrgRecord>,
    audience: Option<Audience>,
    what: &Publication,
) -> Result<i64> {
    let audience = audience.ok_or_else(|| refused("audience", "请选择公开范围"))?;
    if org.org.kind == OrgKind::Group {
        return Err(refused(
            "audience",
            format!("{}是党小组：党务公开由其所在的党支部发布", org.org.name),
        ));
    }
    let today = app.today();
    let (kind, figure, figure_of, title, body, day) = match what {
        Publication::Free(d) => {
            let c = domain::check_free(d, today)?;
            (c.kind, None, None, c.title, c.body, c.day)
        }
        Publication::Figure {
            figure,
            year,
            survey,
        } => {
            let f = figure.ok_or_else(|| refused("figure", "请选择要公开的数据"))?;
            let c = compute(app, org, f, *year, *survey, today).await?;
            (
                ItemKind::Figure,
                Some(f),
                Some(c.of),
                c.title,
                c.body,
                today,
            )
        }
    };
    let actor = grant.actor();
    let id = app.store.reserve_ids("disclosure_item", 1).await?;
    let now = app.now();
    let at = time_text(now);
    let item = StoredItem {
        id,
        org_id: org.org.id,
        org_path: org.path.clone(),
        audience,
        kind,
        figure,
        figure_of,
        title,
        body,
        day,
        published_by: actor.username().to_string(),
        published_at: at.clone(),
        withdrawn_by: None,
        withdrawn_at: None,
    };
    let entry = audit::Entry::new(actor, AuditAction::DisclosurePublish, id.to_string())
        .org(Some(&**org))
        .after(json!({
            "audience": audience.code(),
            "kind": kind.code(),
            "figure": figure.map(Figure::code),
            "figure_of": item.figure_of,
            "title": item.title,
            "body": item.body,
            "day": day.to_string(),
        }));
    let fresh = new_key()?;
    let (item, entry, fresh, at) = (&item, &entry, &fresh, &at);
    audit::with_retry(|| async move {
        let mut tx = app.store.begin().await?;
        store::ensure_key(&mut tx, item.org_id, fresh, at).await?;
        store::insert(&mut tx, item).await?;
        entry.commit(tx, now).await
    })
    .await?;
    Ok(id)
}

/// Withdraws item `id` of an org of `org`'s subtree: on no page any more.
pub async fn withdraw(
    app: &App,
    grant: &Grant<PublishDisclosure>,
    org: &InScope<OrgRecord>,
    id: i64,
) -> Result<()> {
    let mut conn = app.store.acquire().await?;
    let item = store::get(&mut conn, &org.subtree(), id)
        .await?
        .ok_or_else(|| AppError::NotFound("党务公开事项".into()))?;
    let owner = jiceng_store::orgs::get(&mut conn, &Scope::All, item.org_id).await?;
    drop(conn);
    if item.withdrawn_at.is_some() {
        return Err(refused("id", "该事项已撤回"));
    }
    let actor = grant.actor();
    let now = app.now();
    let at = time_text(now);
    let entry = audit::Entry::new(actor, AuditAction::DisclosureWithdraw, id.to_string())
        .org(owner.as_ref())
        .before(json!({
            "audience": item.audience.code(),
            "title": item.title,
        }));
    let (entry, at) = (&entry, &at);
    audit::with_retry(|| async move {
        let mut tx = app.store.begin().await?;
        if !store::withdraw(&mut tx, id, actor.username(), at).await? {
            return Err(refused("id", "该事项已撤回"));
        }
        entry.commit(tx, now).await
    })
    .await
}

/// An item as the public page shows it: no one's name, nothing but what was published.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct PublicItem {
    pub kind: ItemKind,
    pub is_figure: bool,
    pub title: String,
    pub body: String,
    pub day: NaiveDate,
}

impl PublicItem {
    pub fn frozen_note(&self) -> String {
        frozen_note(self.day)
    }
}

/// The public page of an org: its name and its published public items, the newest first.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct PublicBoard {
    pub org_name: String,
    pub items: Vec<PublicItem>,
}

/// The public page of the org whose public key is `key`; not found for any other key.
pub async fn public(app: &App, key: &str) -> Result<PublicBoard> {
    let key = key.trim();
    let not_found = || AppError::NotFound("公开页".into());
    if key.len() != KEY_CHARS || !key.bytes().all(|b| ALPHABET.contains(&b)) {
        return Err(not_found());
    }
    let mut conn = app.store.acquire().await?;
    let org_id = store::org_of_key(&mut conn, key)
        .await?
        .ok_or_else(not_found)?;
    let org = jiceng_store::orgs::get(&mut conn, &Scope::All, org_id)
        .await?
        .ok_or_else(not_found)?;
    let items = store::of_org(&mut conn, org_id, true, Some(Audience::Public), LIST_MAX).await?;
    Ok(PublicBoard {
        org_name: org.org.name,
        items: items
            .into_iter()
            .map(|i| PublicItem {
                kind: i.kind,
                is_figure: i.kind == ItemKind::Figure,
                title: i.title,
                body: i.body,
                day: i.day,
            })
            .collect(),
    })
}
